"""Sort benchmark: ``hpa.sort`` of a split 1-D int64 array next to ``torch.sort`` in one process.

Run in one process (``python benchmarks/sort.py``) or under a launcher
(``OMP_NUM_THREADS=1 mpiexec -n 2 python -m mpi4py benchmarks/sort.py``). hpa and torch run
interleaved and the median of several repetitions is reported; the ratio table (hpa / torch)
is printed last. Set ``OMP_NUM_THREADS`` explicitly (the script defaults it to 1).

Case
----
sort-16M    2**24 random int64 values in ``[0, 2**62)`` from ``hpa.random.randint`` (fixed
            seed, ``split=0``), sorted ascending
argsort-16M (with ``--argsort``) the stable argsort of the same values: the global indices
            travel with the values

At p processes hpa sorts the array split over p ranks (the distributed sample sort); torch
sorts the whole array in one process (rank 0's measurement, the other ranks sleeping rather
than busy-polling in MPI), the reference a user replaces.
Before any timing counts, the gathered hpa result is checked to be sorted and equal to
torch's. The time of a distributed call is that of its slowest rank.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch
from harness import print_report, run_cases, time_root, write_json

import hpa

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n", "--size", dest="n", type=int, default=2**24, help="values to sort")
    parser.add_argument("--seed", type=int, default=20240601)
    parser.add_argument("--argsort", action="store_true", help="also time the argsort case")
    parser.add_argument("--json", help="write the results to this file (rank 0)")
    args = parser.parse_args()
    comm = hpa.get_comm()
    n = args.n

    hpa.random.seed(args.seed)
    x = hpa.random.randint(0, 2**62, size=(n,), dtype=hpa.int64, split=0)
    full = x.gather()  # every rank, once, for the check
    tx = full if comm.rank == 0 else torch.zeros(1, dtype=torch.int64)

    # correctness first: sorted, and equal to torch's sort of the same values
    got = hpa.sort(x).gather()
    expected, order = torch.sort(full, stable=True)
    ok = bool((got[1:] >= got[:-1]).all()) and torch.equal(got, expected)
    if args.argsort:
        ok = ok and torch.equal(hpa.argsort(x).gather(), order)
    ok = bool(comm.allreduce(torch.tensor([int(not ok)]), hpa.ReduceOp.SUM)[0] == 0)
    if not ok:
        if comm.rank == 0:
            print("FAILED: hpa.sort/argsort differs from torch; no timings reported")
        raise SystemExit(1)
    del got, expected, order, full

    cases = {"sort-16M": (lambda: hpa.sort(x), lambda: torch.sort(tx), 1)}
    if args.argsort:
        cases["argsort-16M"] = (lambda: hpa.argsort(x), lambda: torch.argsort(tx, stable=True), 1)
    results = run_cases(cases, args.repeats, torch_timer=time_root)
    if comm.rank != 0:
        return
    summary = print_report(
        results, "ms", "target: < 1.0 at 2 processes", extra_header=f", n={n}, check passed"
    )
    if args.json:
        write_json(args.json, summary, comm)


if __name__ == "__main__":
    main()
