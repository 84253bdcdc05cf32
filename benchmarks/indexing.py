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
overhead (the data touched is one element or ten).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch

import hpa

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _time(fn: Callable[[], Any], inner: int) -> float:
    """Seconds per call of ``fn``, averaged over ``inner`` calls, all ranks in step."""
    comm = hpa.get_comm()
    comm.barrier()
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    elapsed = (time.perf_counter() - start) / inner
    # the slowest rank defines the time of a distributed operation
    return float(comm.allreduce(torch.tensor([elapsed], dtype=torch.float64), hpa.ReduceOp.MAX)[0])


def _cases(inner: int) -> dict[str, tuple[Callable[[], Any], Callable[[], Any], int]]:
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
    results: dict[str, dict[str, list[float]]] = {name: {"hpa": [], "torch": []} for name in cases}
    for _ in range(args.repeats):  # interleave across cases too, so drift hits all of them
        for name, (hpa_fn, torch_fn, inner) in cases.items():
            hpa_fn(), torch_fn()  # warm-up
            results[name]["hpa"].append(_time(hpa_fn, inner))
            results[name]["torch"].append(_time(torch_fn, inner))

    if comm.rank != 0:
        return
    print(
        f"hpa {hpa.__version__}, torch {torch.__version__}, communicator {comm.name}, "
        f"{comm.size} process(es), OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, check passed"
    )
    print(f"{'case':16} {'hpa median':>12} {'torch median':>13} {'hpa spread':>11}")
    summary = {}
    for name, r in results.items():
        h, t = statistics.median(r["hpa"]), statistics.median(r["torch"])
        spread = (max(r["hpa"]) - min(r["hpa"])) / h
        summary[name] = {
            "hpa_s": h,
            "torch_s": t,
            "ratio": h / t,
            "hpa_all": r["hpa"],
            "torch_all": r["torch"],
        }
        print(f"{name:16} {h * 1e6:10.2f}us {t * 1e6:11.2f}us {spread:10.0%}")
    print("\nratio hpa / torch (lower is better; target: <= 3.0 at 1 process; s0 split=0, sN None)")
    for name, s in summary.items():
        flag = "" if s["ratio"] <= 3.0 else "  MISSED"
        print(f"  {name:16} {s['ratio']:6.2f}x{flag}")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {"processes": comm.size, "communicator": comm.name, "cases": summary}, fh, indent=2
            )


if __name__ == "__main__":
    main()
