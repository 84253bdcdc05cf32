"""Cost of the collective consistency check (``hpa.check_collectives``), side by side.

Times a few collective-bound operations with the check off and on, in the same job, and
prints the time per call and the ratio. Run it under the launcher to measure::

    OMP_NUM_THREADS=1 mpiexec -n 2 python benchmarks/check_overhead.py
    OMP_NUM_THREADS=1 torchrun --nproc_per_node 2 benchmarks/check_overhead.py
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import hpa


def _per_call(action: Callable[[], object], repeats: int) -> float:
    """Median seconds per call of ``action`` over five rounds of ``repeats`` calls."""
    comm = hpa.get_comm()
    rounds = []
    for _ in range(5):
        comm.barrier()
        start = time.perf_counter()
        for _ in range(repeats):
            action()
        rounds.append((time.perf_counter() - start) / repeats)
    return sorted(rounds)[2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    small = hpa.arange(64, dtype=hpa.float64, split=0)
    large = hpa.ones((2000, 500), split=0)
    cases: dict[str, Callable[[], object]] = {
        "sum of 64 values": lambda: small.sum(),
        "sum(axis=0) of 2000x500": lambda: large.sum(axis=0),
        "resplit(1) of 2000x500": lambda: large.resplit(1),
    }
    comm = hpa.get_comm()
    hpa.print0(f"{comm.name}, {comm.size} processes: time per call, check off / on")
    for name, action in cases.items():
        repeats = args.repeats if "64" in name else max(1, args.repeats // 10)
        with hpa.check_collectives(False):
            off = _per_call(action, repeats)
        with hpa.check_collectives(True):
            on = _per_call(action, repeats)
        hpa.print0(f"{name:26s} {off * 1e6:10.1f} us {on * 1e6:10.1f} us   x{on / off:5.2f}")


if __name__ == "__main__":
    main()
