"""Foundation benchmark: per-operation overhead and large reductions, hpa next to torch.

Run in one process (``python benchmarks/foundation.py``) or under a launcher
(``mpiexec -n 2 python -m mpi4py benchmarks/foundation.py``). Cases run interleaved, hpa and
torch alternating, and the median of several repetitions is reported; the ratio table
(hpa / torch) is printed last. Set ``OMP_NUM_THREADS`` explicitly (the script defaults it to 1).

Cases
-----
add-1k      ``a + b`` on two 1,000-element float64 arrays (per-operation overhead)
mean-16M    ``x.mean()`` of 2**24 float64 values
std-16M     ``x.std()`` of 2**24 float64 values

At p processes hpa works on arrays split over p ranks (global size as above); torch is timed
on the whole array in one process (rank 0's measurement), the reference a user replaces.
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
    parser.add_argument("--json", help="write the results to this file (rank 0)")
    args = parser.parse_args()
    comm = hpa.get_comm()
    n_small, n_large = 1000, 2**24

    a, b = hpa.arange(n_small, dtype=hpa.float64), hpa.ones(n_small)
    ta, tb = torch.arange(n_small, dtype=torch.float64), torch.ones(n_small, dtype=torch.float64)
    x = hpa.arange(n_large, dtype=hpa.float64, split=0) / n_large
    tx = torch.arange(n_large, dtype=torch.float64) / n_large if comm.rank == 0 else torch.zeros(1)

    cases = {
        "add-1k": (lambda: a + b, lambda: ta + tb, 20000),
        "mean-16M": (lambda: x.mean(), lambda: tx.mean(), 10),
        "std-16M": (lambda: x.std(), lambda: tx.std(correction=0), 5),
    }
    results = run_cases(cases, args.repeats)
    if comm.rank != 0:
        return
    summary = print_report(results, "us", "targets: add-1k <= 3.0 at 1 process, mean/std <= 1.2")
    if args.json:
        write_json(args.json, summary, comm)


if __name__ == "__main__":
    main()
