"""Run the whole test matrix: loopback, MPI at 2 and 3 processes, torchrun/gloo at 2.

Usage: ``python tools/run_tests.py [--only LABEL ...] [-- extra pytest args]``

Per-rank logs go to ``.test-logs/`` (or ``$HPA_TEST_LOGS``, for runs side by side).

Each run has a wall-clock limit (``HPA_TEST_TIMEOUT`` seconds, default 1500) on top of the
per-test timeout from pyproject.toml, so a hang fails the run instead of blocking it. The last
line sums the tests over all runs: ``N passed, N failed``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

PY = sys.executable
RANK_PYTEST = str(Path(__file__).with_name("rank_pytest.py"))
RUNS = {
    "loopback": [PY, RANK_PYTEST],
    "mpi2": ["mpiexec", "-n", "2", PY, "-m", "mpi4py", RANK_PYTEST],
    "mpi3": ["mpiexec", "-n", "3", PY, "-m", "mpi4py", RANK_PYTEST],
    "torchrun2": [PY, "-m", "torch.distributed.run", "--nproc_per_node", "2", RANK_PYTEST],
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run(label: str, pytest_args: list[str], timeout: float) -> tuple[bool, int, int, int]:
    logs = Path(os.environ.get("HPA_TEST_LOGS", ".test-logs"))
    for old in logs.glob(f"{label}-rank*"):
        old.unlink()
    env = dict(os.environ, HPA_TEST_LABEL=label, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    env.pop("HPA_COMM", None)
    if label == "loopback":
        env["HPA_COMM"] = "loopback"
    command = RUNS[label] + ["-q", *pytest_args]
    if label.startswith("torchrun"):
        at = command.index(RANK_PYTEST)
        command[at:at] = ["--master_port", str(_free_port())]
    print(f"\n===== {label}: {' '.join(RUNS[label][:6])} ... =====", flush=True)
    start = time.time()
    try:
        code = subprocess.run(command, env=env, timeout=timeout, check=False).returncode
    except subprocess.TimeoutExpired:
        print(f"{label}: TIMED OUT after {timeout:.0f} s", flush=True)
        code = -1
    passed = failed = skipped = 0
    counts = sorted(logs.glob(f"{label}-rank*.counts"))
    for f in counts[:1]:
        passed, failed, skipped = map(int, f.read_text().split())
    if code != 0:
        failed = max(failed, 1)
        for log in sorted(logs.glob(f"{label}-rank*.log")):
            print(f"--- tail of {log} ---")
            print("".join(log.read_text(errors="replace").splitlines(True)[-40:]))
    print(f"{label}: exit {code}, {time.time() - start:.0f} s", flush=True)
    return code == 0, passed, failed, skipped


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only", nargs="*", choices=list(RUNS), help="run only these configurations"
    )
    args, rest = parser.parse_known_args()
    pytest_args = [a for a in rest if a != "--"] or ["tests"]
    labels = args.only or list(RUNS)
    if shutil.which("mpiexec") is None:
        raise SystemExit("mpiexec not found: install the MPI extra (pip install -e '.[dev]')")
    timeout = float(os.environ.get("HPA_TEST_TIMEOUT", "1500"))
    totals = [0, 0, 0]
    ok = True
    for label in labels:
        good, passed, failed, skipped = run(label, pytest_args, timeout)
        ok &= good
        totals[0] += passed
        totals[1] += failed
        totals[2] += skipped
    print(f"\nmatrix: {', '.join(labels)}")
    print(f"{totals[0]} passed, {totals[1]} failed, {totals[2]} skipped")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
