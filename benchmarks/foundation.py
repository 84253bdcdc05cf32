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
    results: dict[str, dict[str, list[float]]] = {name: {"hpa": [], "torch": []} for name in cases}
    for name, (hpa_fn, torch_fn, inner) in cases.items():
        hpa_fn(), torch_fn()  # warm-up
        for _ in range(args.repeats):
            results[name]["hpa"].append(_time(hpa_fn, inner))
            results[name]["torch"].append(_time(torch_fn, inner))

    if comm.rank != 0:
        return
    print(
        f"hpa {hpa.__version__}, torch {torch.__version__}, communicator {comm.name}, "
        f"{comm.size} process(es), OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}"
    )
    print(f"{'case':10} {'hpa median':>12} {'torch median':>13} {'hpa spread':>11}")
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
        print(f"{name:10} {h * 1e6:10.1f}us {t * 1e6:11.1f}us {spread:10.0%}")
    print(
        "\nratio hpa / torch (lower is better; targets: add-1k <= 3.0 at 1 process, mean/std <= 1.2)"
    )
    for name, s in summary.items():
        print(f"  {name:10} {s['ratio']:6.2f}x")
    if args.json:
        with open(args.json, "w") as fh:
            json.dump(
                {"processes": comm.size, "communicator": comm.name, "cases": summary}, fh, indent=2
            )


if __name__ == "__main__":
    main()
