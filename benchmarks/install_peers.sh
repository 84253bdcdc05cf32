#!/usr/bin/env bash
# Install hpa with everything the benchmark suite compares it with (benchmarks/suite/run.py):
# MPI, psutil and matplotlib (extras mpi, bench), Dask with its distributed scheduler and dask-ml
# (extra peers), and HeAT 1.8.0.
#
# HeAT 1.8.0 declares torch<2.11.1 and torchvision, which would replace hpa's torch; it runs on
# the torch installed here, and the suite imports it with a stand-in torchvision
# (benchmarks/stubs), so it is installed without its declared dependencies, plus the two it
# needs at run time (SciPy, packaging).
set -euo pipefail
cd "$(dirname "$0")/.."
python -m pip install -e '.[mpi,bench,peers]'
python -m pip install --no-deps heat==1.8.0 scipy packaging
