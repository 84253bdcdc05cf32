"""Matrix-product benchmark: ``hpa.matmul`` of split matrices next to ``torch.mm`` in one process.

Run in one process (``python benchmarks/matmul.py``) or under a launcher
(``OMP_NUM_THREADS=1 mpiexec -n 2 python -m mpi4py benchmarks/matmul.py``). hpa and torch run
interleaved and the median of several repetitions is reported; the ratio table (hpa / torch)
is printed last. Set ``OMP_NUM_THREADS`` explicitly (the script defaults it to 1).

Cases (``n x n`` float64, ``n = 4096`` by default, values from ``hpa.random``)
-----
s0@s0       both split along rows: ``b``'s row blocks travel around the ring
s0@None     ``a`` split along rows, ``b`` replicated: local rows of the product
s1@s0       the contracted axis split on both: partial products, reduce-scattered by rows

torch multiplies the whole matrices in one process (rank 0 alone, the other ranks sleeping),
the reference a user replaces; a ratio below 1 at 2 processes means hpa at 2 processes beats
one process. Before any timing counts, each hpa product is checked against torch's. The time
of a distributed call is that of its slowest rank.
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
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--n", type=int, default=4096, help="matrix order")
    parser.add_argument("--json", help="write the results to this file (rank 0)")
    args = parser.parse_args()
    comm = hpa.get_comm()
    n = args.n

    hpa.random.seed(7)
    a = hpa.random.standard_normal((n, n), dtype=hpa.float64, split=0)
    b = hpa.random.standard_normal((n, n), dtype=hpa.float64, split=0)
    ta, tb = a.gather(), b.gather()
    pairs = {
        "s0@s0": (a, b),
        "s0@None": (a, b.resplit(None)),
        "s1@s0": (a.resplit(1), b),
    }
    expected = torch.mm(ta, tb)
    bad = 0
    for x, y in pairs.values():
        bad += int(not torch.allclose((x @ y).gather(), expected, rtol=1e-9, atol=1e-9))
    if int(comm.allreduce(torch.tensor([bad]))[0]):
        if comm.rank == 0:
            print("FAILED: hpa.matmul differs from torch.mm; no timings reported")
        raise SystemExit(1)
    del expected
    if comm.rank != 0:
        ta = tb = torch.zeros(1, 1, dtype=torch.float64)

    cases = {
        f"{name} {n}": ((lambda x=x, y=y: x @ y), (lambda: torch.mm(ta, tb)), 1)
        for name, (x, y) in pairs.items()
    }
    results = run_cases(cases, args.repeats, torch_timer=time_root)
    if comm.rank != 0:
        return
    summary = print_report(
        results,
        "ms",
        "target: <= 1.11 at 1 process (0.9x torch's speed); < 1.0 at 2 processes",
        extra_header=f", n={n}, check passed",
    )
    if args.json:
        write_json(args.json, summary, comm)


if __name__ == "__main__":
    main()
