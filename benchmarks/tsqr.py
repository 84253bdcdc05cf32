"""TSQR benchmark: QR of a tall-skinny 2**20 x 64 float64 matrix, hpa next to torch.

Run in one process (``python benchmarks/tsqr.py``) or under a launcher
(``OMP_NUM_THREADS=1 mpiexec -n 2 python -m mpi4py benchmarks/tsqr.py``). hpa factors the
matrix split along rows over p ranks with TSQR (:func:`hpa.linalg.qr`: a local Householder QR
per block, one ``allgatherv`` of the 64 x 64 ``R`` factors, the local reflectors applied to my
rows of the stacked ``Q``); torch is timed on the whole matrix in one process (rank 0's
``torch.linalg.qr``), the reference a user replaces. The ratio table (hpa / torch) is printed
last; the target is a ratio below 1 at 2 processes. Set ``OMP_NUM_THREADS`` explicitly (the
script defaults it to 1).
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch
from harness import print_report, run_cases, time_root, write_json

import hpa
import hpa.linalg

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--rows", type=int, default=2**20)
    parser.add_argument("--cols", type=int, default=64)
    parser.add_argument("--json", help="write the results to this file (rank 0)")
    args = parser.parse_args()
    comm = hpa.get_comm()
    m, n = args.rows, args.cols
    layout = hpa.Layout((m, n), 0, comm)
    block = torch.randn(layout.lshape, generator=torch.Generator().manual_seed(comm.rank),
                        dtype=torch.float64)  # fmt: skip
    x = hpa.Array(block, layout)
    whole = x.gather()  # the same matrix in one piece, for torch on rank 0 alone
    if comm.rank != 0:
        whole = torch.zeros(1, 1, dtype=torch.float64)

    q, r = hpa.linalg.qr(x)
    err = float((q.larray @ r.larray - block).abs().max())
    err = float(comm.allreduce(torch.tensor([err]), hpa.ReduceOp.MAX)[0])
    del q, r

    cases = {f"qr-{m}x{n}": (lambda: hpa.linalg.qr(x), lambda: torch.linalg.qr(whole), 1)}
    results = run_cases(cases, args.repeats, torch_timer=time_root)
    if comm.rank != 0:
        return
    summary = print_report(
        results, "ms", "target: below 1.0 at 2 processes", target=1.0 if comm.size > 1 else None,
        extra_header=f", max |QR - A| = {err:.1e}",
    )  # fmt: skip
    if args.json:
        write_json(args.json, summary, comm)


if __name__ == "__main__":
    main()
