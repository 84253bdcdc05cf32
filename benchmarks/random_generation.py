"""Random generation benchmark: hpa's counter-based generator next to torch's own.

Run in one process (``python benchmarks/random_generation.py``) or under a launcher
(``mpiexec -n 2 python -m mpi4py benchmarks/random_generation.py``). Cases run interleaved,
hpa and torch alternating, and the median of several repetitions is reported with the ratio
hpa / torch printed last. Set ``OMP_NUM_THREADS`` explicitly (the script defaults it to 1).

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

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch
from harness import print_report, run_cases, write_json

import hpa

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--log2n", type=int, default=24, help="log2 of the number of values")
    parser.add_argument("--json", help="write the results to this file (rank 0)")
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
            1,
        ),
        f"normal-2^{args.log2n}": (
            lambda: hpa.random.standard_normal(n, split=0),
            lambda: torch.randn(torch_n, dtype=torch.float64, generator=gen),
            1,
        ),
    }
    results = run_cases(cases, args.repeats)
    if comm.rank != 0:
        return
    summary = print_report(
        results,
        "ms",
        "target: <= 2.0 at 1 process, hpa at least half of torch's throughput",
        target=2.0,
        width=14,
    )
    if args.json:
        write_json(args.json, summary, comm)


if __name__ == "__main__":
    main()
