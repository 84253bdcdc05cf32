"""Indexing benchmark: per-call cost of basic getitem/setitem, hpa next to torch.

Run in one process (``python benchmarks/indexing.py``); it also runs under a launcher, where
an integer on the split axis costs one ``bcast`` and torch stays rank 0's whole array. Cases
run interleaved, hpa and torch alternating, and the median of several repetitions is
reported; the ratio table (hpa / torch) is printed last. Set ``OMP_NUM_THREADS`` explicitly
(the script defaults it to 1).

Cases (each on a 1,000,000-element float64 array, hpa with ``split=0`` and ``split=None``)
-----
get-int      ``x[5]``                     (1-D, 1,000,000 elements)
set-int      ``x[5] = 1.0``
get-int-2d   ``y[3, 4]``                  (2-D, 1000 x 1000)
set-int-2d   ``y[3, 4] = 1.0``
get-slice    ``x[10:20]``
set-slice    ``x[10:20] = 0.0``

torch runs the same expression on a tensor of the same shape; both are per-operation
overhead (the data touched is one element or ten). Basic indexing returns a view in both
(hpa follows NumPy: a copy only where data move between processes or a step is negative).

Advanced cases (reported in a second table, no target; the index is a Python list for both)
--------------
get-points   ``y[[3, 500, 999], [4, 6, 0]]``   (points; on a split axis: one ``alltoallv``)
set-points   ``y[[3, 500, 999], [4, 6, 0]] = 1.0``
get-rows-col ``y[[3, 500, 999], 7]``          (an array with an integer)
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch
from harness import Case, print_report, run_cases, write_json

import hpa

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _cases(inner: int) -> dict[str, Case]:
    n, side = 1_000_000, 1000
    tx = torch.arange(n, dtype=torch.float64)
    ty = torch.arange(n, dtype=torch.float64).reshape(side, side)

    def t_set_int() -> None:
        tx[5] = 1.0

    def t_set_int_2d() -> None:
        ty[3, 4] = 1.0

    def t_set_slice() -> None:
        tx[10:20] = 0.0

    cases = {}
    for split in (0, None):
        x = hpa.arange(n, dtype=hpa.float64, split=split)
        y = hpa.arange(n, dtype=hpa.float64, split=split).reshape((side, side))
        tag = "s0" if split == 0 else "sN"

        # bind x, y per split (default arguments)
        def h_set_int(x: hpa.Array = x) -> None:
            x[5] = 1.0

        def h_set_int_2d(y: hpa.Array = y) -> None:
            y[3, 4] = 1.0

        def h_set_slice(x: hpa.Array = x) -> None:
            x[10:20] = 0.0

        cases[f"get-int/{tag}"] = (lambda x=x: x[5], lambda: tx[5], inner)
        cases[f"set-int/{tag}"] = (h_set_int, t_set_int, inner)
        cases[f"get-int-2d/{tag}"] = (lambda y=y: y[3, 4], lambda: ty[3, 4], inner)
        cases[f"set-int-2d/{tag}"] = (h_set_int_2d, t_set_int_2d, inner)
        cases[f"get-slice/{tag}"] = (lambda x=x: x[10:20], lambda: tx[10:20], inner)
        cases[f"set-slice/{tag}"] = (h_set_slice, t_set_slice, inner)
    return cases


def _advanced_cases(inner: int) -> dict[str, Case]:
    side = 1000
    ty = torch.arange(side * side, dtype=torch.float64).reshape(side, side)
    rows, cols = [3, 500, 999], [4, 6, 0]

    def t_set_points() -> None:
        ty[rows, cols] = 1.0

    cases = {}
    for split in (0, None):
        y = hpa.arange(side * side, dtype=hpa.float64, split=split).reshape((side, side))
        tag = "s0" if split == 0 else "sN"

        def h_set_points(y: hpa.Array = y) -> None:
            y[rows, cols] = 1.0

        cases[f"get-points/{tag}"] = (lambda y=y: y[rows, cols], lambda: ty[rows, cols], inner)
        cases[f"set-points/{tag}"] = (h_set_points, t_set_points, inner)
        cases[f"get-rows-col/{tag}"] = (lambda y=y: y[rows, 7], lambda: ty[rows, 7], inner)
    return cases


def _check() -> None:
    """The hpa results equal torch's before any timing counts."""
    n, side = 1_000_000, 1000
    for split in (0, None):
        x = hpa.arange(n, dtype=hpa.float64, split=split)
        y = hpa.arange(n, dtype=hpa.float64, split=split).reshape((side, side))
        tx = torch.arange(n, dtype=torch.float64)
        ty = tx.reshape(side, side).clone()
        assert torch.equal(x[5].gather(), tx[5]) and x[5].shape == ()
        assert torch.equal(y[3, 4].gather(), ty[3, 4]) and y[3, 4].shape == ()
        assert torch.equal(x[10:20].gather(), tx[10:20])
        x[5], tx[5] = 1.0, 1.0
        y[3, 4], ty[3, 4] = 1.0, 1.0
        x[10:20], tx[10:20] = 0.0, 0.0
        assert torch.equal(x.gather(), tx) and torch.equal(y.gather(), ty)
        rows, cols = [3, 500, 999], [4, 6, 0]
        assert torch.equal(y[rows, cols].gather(), ty[rows, cols])
        assert torch.equal(y[rows, 7].gather(), ty[rows, 7])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--inner", type=int, default=5000)
    parser.add_argument("--json", help="write the results to this file (rank 0)")
    args = parser.parse_args()
    comm = hpa.get_comm()
    _check()

    cases = _cases(args.inner)
    # interleave across cases too, so drift hits all of them
    results = run_cases(cases, args.repeats, interleave_cases=True)
    advanced = run_cases(_advanced_cases(args.inner // 10), args.repeats, interleave_cases=True)
    if comm.rank != 0:
        return
    summary = print_report(
        results,
        "us",
        "target: <= 3.0 at 1 process; s0 split=0, sN None",
        target=3.0,
        extra_header=", check passed",
        digits=2,
        width=16,
    )
    print()
    summary.update(print_report(advanced, "us", "advanced indexing, no target", width=16))
    if args.json:
        write_json(args.json, summary, comm)


if __name__ == "__main__":
    main()
