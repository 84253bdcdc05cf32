"""Square-matrix linear algebra that never gathers the matrix (issue 17).

- ``solve-square``: ``solve(A, B)`` for ``A = M + n I`` (``M`` standard normal, ``n = 4096``,
  float64: 128 MiB, well conditioned) split along its rows, and ``B`` of 16 right-hand sides
  split likewise. hpa: ``hpa.linalg.solve`` (LU with partial pivoting on round-robin column
  panels, then two triangular sweeps); HeAT: ``ht.linalg.solve``; torch and NumPy: LAPACK's
  ``gesv`` on the whole matrix in one process.
- ``eigh-square``: the eigenvalues and eigenvectors of ``A = (M + M^T) / 2`` (``n = 4096``)
  split along its rows. hpa: ``hpa.linalg.eigh`` (Householder tridiagonalisation on panels,
  MRRR, back-transformation); HeAT: ``ht.linalg.eigh`` (Zolotarev polar-based spectral divide
  and conquer); torch and NumPy: LAPACK's ``syevd`` in one process.

The values compared are the solution (``n x 16``, gathered) and the eigenvalues (ascending;
HeAT's are reversed from its descending order). Each framework's eigenvectors are checked in
its ``value`` (untimed) through ``||A v - w v||`` for a few columns.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import data
from ..case import Case, Impl, Params, register
from . import _shared as sh

K = 16


def _params(quick: bool) -> Params:
    return {"n": 512 if quick else 4096, "k": K}


def _solve_rows(p: Params) -> tuple[np.ndarray, np.ndarray]:
    """This rank's rows of ``A = M + n I`` and of ``B``."""
    n = p["n"]
    lo, hi = data.block_range(n, p["rank"], p["size"])
    a = np.array(sh.rows(n, n, lo, hi, seed=41))
    a[np.arange(hi - lo), np.arange(lo, hi)] += n
    return a, np.array(sh.rows(n, p["k"], lo, hi, seed=42))


def _sym_rows(p: Params, lo: int, hi: int) -> np.ndarray:
    """Rows ``lo:hi`` of ``(M + M^T) / 2`` (``M`` built whole: setup only)."""
    m = sh.rows(p["n"], p["n"], 0, p["n"], seed=43)
    return (m[lo:hi] + m[:, lo:hi].T) / 2


def _my_sym(p: Params) -> np.ndarray:
    return _sym_rows(p, *data.block_range(p["n"], p["rank"], p["size"]))


# ---------------------------------------------------------------------------- solve
def _solve_hpa(p: Params) -> Impl:
    import hpa
    import hpa.linalg

    a, b = _solve_rows(p)
    state = (sh.hpa_array(a), sh.hpa_array(b))
    return Impl(lambda s: hpa.linalg.solve(*s), lambda x: x.numpy(), state)


def _solve_heat(p: Params) -> Impl:
    ht = sh.heat()
    a, _ = _solve_rows(p)
    b = _whole_solve(p)[1]  # HeAT 1.8 solves only for right-hand sides that are not split
    state = (sh.heat_array(a), ht.array(b, split=None))
    return Impl(lambda s: ht.linalg.solve(*s), lambda x: x.numpy(), state)


def _whole_solve(p: Params) -> tuple[np.ndarray, np.ndarray]:
    whole = {**p, "rank": 0, "size": 1}
    return _solve_rows(whole)


def _solve_torch(p: Params) -> Impl:
    import torch

    a, b = (torch.tensor(t) for t in _whole_solve(p))
    return Impl(lambda s: torch.linalg.solve(*s), lambda x: x.numpy(), (a, b))


def _solve_numpy(p: Params) -> Impl:
    a, b = (t.copy() for t in _whole_solve(p))
    return Impl(lambda s: np.linalg.solve(*s), np.asarray, (a, b))


register(
    Case(
        name="solve-square",
        group="array",
        params=_params,
        impls={
            "hpa": _solve_hpa,
            "heat": _solve_heat,
            "torch": _solve_torch,
            "numpy": _solve_numpy,
        },
        reference="torch",
        rtol=1e-9,
        atol=1e-12,
        description="solve(A, B): A 4096 x 4096 float64 split along rows, 16 right-hand sides",
        tags=("dense",),
    )
)


# ---------------------------------------------------------------------------- eigh
def _residual(a_rows: np.ndarray, lo: int, w: np.ndarray, v_cols: np.ndarray) -> float:
    """``max |A v - w v|`` on these rows of ``A`` for the eigenvector columns given (whole)."""
    hi = lo + a_rows.shape[0]
    return float(np.abs(a_rows @ v_cols - v_cols[lo:hi] * w).max()) if a_rows.size else 0.0


def _check(err: float, n: int, who: str) -> None:
    if not err <= 1e-9 * n:
        raise AssertionError(f"{who}: max |A v - w v| = {err:.3g}")


_PICK = (0, 1, -2, -1)


def _eigh_hpa(p: Params) -> Impl:
    import hpa
    import hpa.linalg

    local = _my_sym(p)
    lo, _ = data.block_range(p["n"], p["rank"], p["size"])

    def value(res: Any) -> np.ndarray:
        w, v = res
        w = w.numpy()
        n = p["n"]
        cols = v[:, [k % n for k in _PICK]].numpy()
        err = max(hpa.get_comm().allgather_object(_residual(local, lo, w[list(_PICK)], cols)))
        _check(err, p["n"], "hpa")
        return w

    return Impl(lambda x: hpa.linalg.eigh(x), value, sh.hpa_array(local))


def _eigh_heat(p: Params) -> Impl:
    ht = sh.heat()
    local = _my_sym(p)
    x = sh.heat_array(local)
    return Impl(lambda x: ht.linalg.eigh(x), lambda res: np.sort(res[0].numpy()), x)


def _eigh_torch(p: Params) -> Impl:
    import torch

    a = torch.tensor(_sym_rows(p, 0, p["n"]))

    def value(res: Any) -> np.ndarray:
        w, v = (t.numpy() for t in res)
        _check(_residual(a.numpy(), 0, w[list(_PICK)], v[:, list(_PICK)]), p["n"], "torch")
        return w

    return Impl(lambda a: torch.linalg.eigh(a), value, a)


def _eigh_numpy(p: Params) -> Impl:
    a = _sym_rows(p, 0, p["n"])
    return Impl(lambda a: np.linalg.eigh(a), lambda res: res[0], a)


register(
    Case(
        name="eigh-square",
        group="array",
        params=_params,
        impls={"hpa": _eigh_hpa, "heat": _eigh_heat, "torch": _eigh_torch, "numpy": _eigh_numpy},
        reference="torch",
        rtol=1e-9,
        atol=1e-9,
        description="eigh(A): A 4096 x 4096 symmetric float64 split along rows (values, vectors)",
        tags=("dense",),
    )
)
