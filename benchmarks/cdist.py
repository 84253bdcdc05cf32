"""Pairwise-distance benchmark: ``hpa.spatial.cdist`` next to ``torch.cdist`` in one process.

Run in one process (``python benchmarks/cdist.py``) or under a launcher
(``OMP_NUM_THREADS=1 mpiexec -n 2 python -m mpi4py benchmarks/cdist.py``). hpa and torch run
alternating and the median of several repetitions is reported; the ratio table (hpa / torch)
is printed last. Set ``OMP_NUM_THREADS`` explicitly (the script defaults it to 1).

Cases
-----
euclid-20k    ``cdist(X)``: 20,000 x 16 float32 points with themselves (a 20,000 x 20,000
              result, 1.6 GB), euclidean; torch: ``torch.cdist(x, x)``
city-5k       ``cdist(X, metric="cityblock")`` of 5,000 x 16 float32; torch:
              ``torch.cdist(x, x, p=1)``

At p processes hpa works on ``X`` split along the rows (the blocks of ``X`` travel around the
ring, ``p - 1`` steps); torch computes the whole matrix in one process (rank 0's measurement,
the other ranks sleeping rather than busy-polling in MPI), the reference a user replaces.
Before any timing counts, rows of the hpa result are checked against torch's.
Target: euclid-20k at most 1.2x torch.cdist at 1 process (HeAT 1.8 measured about 4x).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch
from harness import print_report, run_cases, time_root, write_json

import hpa

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _check(x: hpa.Array, full: torch.Tensor, metric: str, p: float) -> bool:
    """The first local rows of hpa's result equal torch's (every rank checks its own)."""
    comm = hpa.get_comm()
    got = hpa.spatial.cdist(x, metric=metric).larray[:64]
    lo = x.layout.range_of(comm.rank)[0]
    want = torch.cdist(full[lo : lo + got.shape[0]], full, p=p)
    want.diagonal(lo).zero_()  # hpa's self-distances are exact zeros
    ok = torch.allclose(got, want, rtol=1e-4, atol=2e-3)
    return bool(comm.allreduce(torch.tensor([int(not ok)]), hpa.ReduceOp.SUM)[0] == 0)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n", type=int, default=20_000, help="points of the euclidean case")
    parser.add_argument("--json", help="write the results to this file (rank 0)")
    args = parser.parse_args()
    comm = hpa.get_comm()
    n, n_city, f = args.n, 5_000, 16

    hpa.random.seed(1)
    x = hpa.random.randn(n, f, dtype=hpa.float32, split=0)
    xc = hpa.random.randn(n_city, f, dtype=hpa.float32, split=0)
    full, full_c = x.gather(), xc.gather()
    if not (_check(x, full, "euclidean", 2.0) and _check(xc, full_c, "cityblock", 1.0)):
        if comm.rank == 0:
            print("FAILED: hpa.spatial.cdist differs from torch.cdist; no timings reported")
        raise SystemExit(1)
    tx, tc = (full, full_c) if comm.rank == 0 else (full[:1], full_c[:1])

    cases = {
        "euclid-20k": (lambda: hpa.spatial.cdist(x), lambda: torch.cdist(tx, tx), 1),
        "city-5k": (
            lambda: hpa.spatial.cdist(xc, metric="cityblock"),
            lambda: torch.cdist(tc, tc, p=1),
            1,
        ),
    }
    results = run_cases(cases, args.repeats, torch_timer=time_root)
    if comm.rank != 0:
        return
    summary = print_report(
        results,
        "ms",
        "target: euclid-20k <= 1.2 at 1 process",
        target=1.2 if comm.size == 1 else None,
        extra_header=f", n={n}, check passed",
    )
    if args.json:
        write_json(args.json, summary, comm)


if __name__ == "__main__":
    main()
