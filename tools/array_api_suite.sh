#!/usr/bin/env bash
# Run the Array API conformance suite (data-apis/array-api-tests) against hpa, at 1 process
# (loopback) and at 2 processes (mpiexec).
#
# Usage: tools/array_api_suite.sh SUITE_DIR [MAX_EXAMPLES] [-- extra pytest args]
#
# SUITE_DIR is a checkout of https://github.com/data-apis/array-api-tests with its `array-api`
# submodule (the spec, for the stub package `array_api_stubs`), e.g.
#     git clone --recurse-submodules https://github.com/data-apis/array-api-tests /tmp/aat
# The suite is not on PyPI and this script downloads nothing but its pip requirements. Keep the
# checkout outside this repository: its code is not ours to commit.
#
# What it needs from SUITE_DIR: conftest.py, reporting.py, array_api_tests/ and
# array-api/src/array_api_stubs/_2024_12/ (plus the directory array-api/spec/2024.12/, which
# the suite's stubs.py checks for).
#
# Settings:
#   ARRAY_API_TESTS_MODULE=hpa        the namespace under test
#   ARRAY_API_TESTS_VERSION=2024.12   the standard version hpa claims (__array_api_version__)
#   --disable-extension linalg        the linalg extension is out of scope for this run (fft runs)
#   --hypothesis-seed=0 --derandomize every rank must draw the same examples, or the ranks
#                                     call different collectives and hang
#   OMP_NUM_THREADS=1                 one thread per process on a small machine
# Each run has a wall-clock limit (HPA_SUITE_TIMEOUT seconds, default 1800) so a hang fails.
# Per-run logs: $HPA_SUITE_LOGS (default /tmp/array-api-suite-logs)/{p1,p2}.log.
set -u
suite=${1:?usage: tools/array_api_suite.sh SUITE_DIR [MAX_EXAMPLES] [-- pytest args]}
shift
max_examples=50
if [[ $# -gt 0 && $1 != "--" ]]; then max_examples=$1; shift; fi
[[ $# -gt 0 && $1 == "--" ]] && shift
limit=${HPA_SUITE_TIMEOUT:-1800}
logs=${HPA_SUITE_LOGS:-/tmp/array-api-suite-logs}
mkdir -p "$logs"

python -m pip install -q hypothesis pytest ndindex pytest-json-report || exit 1

export ARRAY_API_TESTS_MODULE=hpa ARRAY_API_TESTS_VERSION=2024.12 OMP_NUM_THREADS=1
args=(array_api_tests -q -p no:cacheprovider -W ignore
      --max-examples="$max_examples" --hypothesis-seed=0 --derandomize
      --disable-extension linalg "$@")

cd "$suite" || exit 1
status=0
echo "== 1 process (loopback) =="
HPA_COMM=loopback timeout "$limit" python -m pytest "${args[@]}" >"$logs/p1.log" 2>&1 || status=1
tail -n 1 "$logs/p1.log"
echo "== 2 processes (mpiexec) =="
# rank 0 prints the summary; the other rank's output goes to its own log
timeout "$limit" mpiexec -n 2 bash -c \
    'if [[ ${PMI_RANK:-${OMPI_COMM_WORLD_RANK:-0}} == 0 ]]; then exec "$@"; else exec "$@" >"'"$logs"'/p2-rank1.log" 2>&1; fi' \
    _ python -m mpi4py -m pytest "${args[@]}" >"$logs/p2.log" 2>&1 || status=1
tail -n 1 "$logs/p2.log"
exit $status
