"""Peak memory per rank of the distributed square-matrix linear algebra (issue 17).

Run under a launcher: ``OMP_NUM_THREADS=1 mpiexec -n 2 python -m mpi4py
benchmarks/dense_memory.py [--n 8192] [--ops solve cholesky lu_factor inv eigh]``.

The matrix: ``A[i, j] = h(min(i, j), max(i, j)) + n [i == j]`` with ``|h| <= 1/2`` a hash of the
indices, float64, split along its rows; symmetric and strictly diagonally dominant, so positive
definite (cholesky) and well conditioned (solve), and each rank builds its own rows without
ever holding the whole matrix. ``solve`` gets 16 right-hand sides split likewise.

For each operation, the peak resident set size (Linux ``VmHWM``, reset through
``/proc/self/clear_refs``) above the resident size before the call, on the rank where it is
largest, in local blocks (``n^2 / p`` elements), the result included; the input stays alive,
so the footprint is ``1 + rise`` blocks. Target: at most ``2.5`` blocks plus ``O(n b)`` (the
panel term, ``n b / (n^2 / p)`` blocks, printed next to it), and the time of the call.
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch
from fft_transpose import _peak_rise

import hpa
import hpa.linalg
from hpa.linalg import panels

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _rows(n: int, lo: int, hi: int) -> torch.Tensor:
    """Rows ``lo:hi`` of the test matrix."""
    i = torch.arange(lo, hi, dtype=torch.float64)[:, None]
    j = torch.arange(n, dtype=torch.float64)[None, :]
    small, large = torch.minimum(i, j), torch.maximum(i, j)
    h = torch.sin(small * 12.9898 + large * 78.233) * 43758.5453
    out = h - h.floor() - 0.5
    out[torch.arange(hi - lo), torch.arange(lo, hi)] += n
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=8192)
    parser.add_argument("--ops", nargs="+", default=["solve", "cholesky", "lu_factor", "inv"])
    args = parser.parse_args()
    comm = hpa.get_comm()
    n, p = args.n, comm.size
    lay = hpa.zeros((n, n), split=0).layout
    lo, hi = lay.range_of(comm.rank)
    a = hpa.array(_rows(n, lo, hi), is_split=0)
    b = hpa.array(torch.ones((hi - lo, 16), dtype=torch.float64), is_split=0)
    block = n * n // p * 8
    width = panels.width(n, p)
    ops: dict[str, Callable[[], Any]] = {
        "solve": lambda: hpa.linalg.solve(a, b),
        "cholesky": lambda: hpa.linalg.cholesky(a),
        "lu_factor": lambda: hpa.linalg.lu_factor(a),
        "inv": lambda: hpa.linalg.inv(a),
        "eigh": lambda: hpa.linalg.eigh(a),
        "eigvalsh": lambda: hpa.linalg.eigvalsh(a),
    }
    if comm.rank == 0:
        print(f"n = {n}, {p} process(es), local block {block / 2**20:.0f} MiB, panel width {width}")
        print(f"panel term n b / (n^2 / p) = {n * width / (n * n // p):.3f} blocks")
        print(f"{'op':<10} {'footprint (blocks)':>19} {'seconds':>9}")
    for name in args.ops:
        start = time.perf_counter()
        rise = _peak_rise(ops[name], block)
        seconds = time.perf_counter() - start
        if comm.rank == 0:
            print(f"{name:<10} {1 + rise:>19.2f} {seconds:>9.2f}")


if __name__ == "__main__":
    main()
