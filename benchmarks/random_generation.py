"""Random generation benchmark: hpa's counter-based generator next to torch's own.

Run in one process (``python benchmarks/random_generation.py``) or under a launcher
(``mpiexec -n 2 python -m mpi4py benchmarks/random_generation.py``). Cases run interleaved,
hpa and torch alternating, and the median of several repetitions is reported with the ratio
hpa / torch. Set ``OMP_NUM_THREADS`` explicitly (the script defaults it to 1).

Cases
-----
uniform-16M   2**24 float64 values in [0, 1): ``hpa.random.random`` vs ``torch.rand``
normal-16M    2**24 float64 standard normals: ``hpa.random.standard_normal`` vs ``torch.randn``

At p processes hpa generates an array split over p ranks (global size as above); torch is timed
on the whole array in one process (rank 0's measurement), the reference a user replaces.
Target: ratio <= 2 at one process (at least half of torch's throughput).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch

import hpa

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _time(fn: Callable[[], Any]) -> float:
    """Seconds for one call of ``fn``, all ranks in step; the slowest rank counts."""
    comm = hpa.get_comm()
    comm.barrier()
    start = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - start
    return float(comm.allreduce(torch.tensor([elapsed], dtype=torch.float64), hpa.ReduceOp.MAX)[0])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--log2n", type=int, default=24, help="log2 of the number of values")
    args = parser.parse_args()
    comm = hpa.get_comm()
    n = 2**args.log2n
    torch_n = n if comm.rank == 0 else 1
    gen = torch.Generator().manual_seed(0)
    hpa.random.seed(0)

    cases = {
        f"uniform-2^{args.log2n}": (
            lambda: hpa.random.random(n, split=0),
            lambda: torch.rand(torch_n, dtype=torch.float64, generator=gen),
        ),
        f"normal-2^{args.log2n}": (
            lambda: hpa.random.standard_normal(n, split=0),
            lambda: torch.randn(torch_n, dtype=torch.float64, generator=gen),
        ),
    }
    results: dict[str, dict[str, list[float]]] = {name: {"hpa": [], "torch": []} for name in cases}
    for name, (hpa_fn, torch_fn) in cases.items():
        hpa_fn(), torch_fn()  # warm-up
        for _ in range(args.repeats):
            results[name]["hpa"].append(_time(hpa_fn))
            results[name]["torch"].append(_time(torch_fn))

    if comm.rank != 0:
        return
    print(
        f"hpa {hpa.__version__}, torch {torch.__version__}, communicator {comm.name}, "
        f"{comm.size} process(es), OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"
    )
    print(f"{'case':14} {'hpa median':>12} {'torch median':>13} {'ratio hpa/torch':>16}")
    for name, r in results.items():
        h, t = statistics.median(r["hpa"]), statistics.median(r["torch"])
        print(f"{name:14} {h * 1e3:10.1f}ms {t * 1e3:11.1f}ms {h / t:15.2f}x")
    print("target: ratio <= 2.0 at 1 process (hpa at least half of torch's throughput)")


if __name__ == "__main__":
    main()
