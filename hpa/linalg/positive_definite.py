"""Cholesky factorisation of distributed Hermitian positive-definite matrices, and its solves.

Right-looking blocked Cholesky on round-robin column panels (:mod:`hpa.linalg.panels`): the
owner of panel ``j`` factors the panel's diagonal block (LAPACK ``potrf`` through torch) and
solves for the rest of the panel's column of ``L`` (``trsm``); it shares that column, ``(n - jb) x
b`` elements with its status, in one ``bcast``; every rank subtracts the panel's outer product
from the lower part of its columns right of the panel (one matrix product per panel it holds).
Only the lower triangle of the input is read. ``n / b`` broadcasts in all, ``n^2 / p + O(n b)``
elements per rank. A matrix that is not positive definite is found by the owner of the failing
panel and announced in that panel's broadcast, so every rank raises at the same step.
"""

from __future__ import annotations

from typing import Any

import torch

from hpa.core.array import Array
from hpa.linalg.checks import LinAlgError, agree, as_floating, as_matrix, whole
from hpa.linalg.elimination import distributed, finite, square, with_rhs
from hpa.linalg.panels import Panels, from_panels, to_panels
from hpa.linalg.triangular import sweep
from hpa.ops.creation import coerce

__all__ = ["cho_factor", "cho_solve"]

_NOT_PD = "Matrix is not positive definite"


def factor(pan: Panels) -> None:
    """Overwrite the lower triangle of ``pan`` with ``L`` (``A = L L^H``), the upper triangle
    with zeros.

    Raises
    ------
    numpy.linalg.LinAlgError
        On every rank, at the same panel, when the matrix is not positive definite.
    """
    s, n = pan.local, pan.n
    for j in range(pan.count):
        first, stop = pan.span(j)
        bw = stop - first
        status = torch.zeros(1, dtype=torch.int64)
        if pan.comm.rank == pan.owner(j):
            at = pan.row_of(j)
            col = s[at : at + bw, first:].mT  # A[first:, panel]
            head, bad = torch.linalg.cholesky_ex(col[:bw])
            status[0] = int(bad)
            if not status[0]:
                col[:bw] = head
                col[bw:] = torch.linalg.solve_triangular(head.mH, col[bw:], upper=True, left=False)
        panel, status = pan.share(j, slice(first, n), status)
        if status[0]:
            raise LinAlgError(_NOT_PD)
        for k in pan.mine():
            if k <= j:
                continue
            lo, hi = pan.span(k)
            at = pan.row_of(k)
            # A[lo:, lo:hi] -= L[lo:, panel] L[lo:hi, panel]^H, in the storage's transpose
            s[at : at + hi - lo, lo:].addmm_(
                panel[lo - first : hi - first].conj(), panel[lo - first :].mT, alpha=-1
            )
    rows = torch.arange(n, device=s.device)[None, :]
    s.masked_fill_(rows < pan.columns_of(pan.comm.rank).to(s.device)[:, None], 0)


def cholesky(a: Array, upper: bool) -> Array:
    """The Cholesky factor of a distributed square ``a``, laid out like ``a``: ``L`` from the
    lower triangle, or (``upper``) ``U = L^H`` from the upper one, as NumPy reads them (the
    upper triangle is the lower one of ``A^H``)."""
    square(a, "cholesky")
    pan = to_panels(a, transpose=upper)
    if upper:
        pan.local.conj_physical_()
    factor(pan)
    if upper:
        pan.local.conj_physical_()
    return from_panels(pan, a.split, a.counts, transpose=upper)  # type: ignore[arg-type]


def cho_factor(
    a: Any, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True
) -> tuple[Array, bool]:
    """Cholesky factorisation for :func:`cho_solve`, like ``scipy.linalg.cho_factor``.

    Returns ``(c, lower)``: ``c`` holds the factor (``L`` when ``lower``, else ``U = L^H``) in
    its triangle and zeros in the other (SciPy leaves the input's entries there; either is
    valid input to ``cho_solve``). Only the triangle named by ``lower`` is read. A split matrix
    is factored distributed (see the module); the factor is laid out like ``a``.

    Raises
    ------
    numpy.linalg.LinAlgError
        On every rank, when ``a`` is not positive definite.
    """
    a = as_matrix(a)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {a.shape}")
    finite(a, check_finite)
    if distributed(a):
        return cholesky(a, upper=not lower), lower
    c, info = torch.linalg.cholesky_ex(a.larray, upper=not lower)
    if agree(info != 0, a.layout):
        raise LinAlgError(_NOT_PD)
    return Array(c, a.layout), lower


def cho_solve(
    c_and_lower: tuple[Any, bool], b: Any, overwrite_b: bool = False, check_finite: bool = True
) -> Array:
    """Solve ``A x = b`` from :func:`cho_factor`'s ``(c, lower)``, like
    ``scipy.linalg.cho_solve``; ``x`` is laid out like ``b``.

    Two triangular sweeps with the factor dealt to panels (one ``alltoallv``; ``n / b``
    broadcasts per sweep); ``b`` moves as in :func:`hpa.linalg.solve`.
    """
    c, lower = as_matrix(c_and_lower[0]), bool(c_and_lower[1])
    rhs = as_floating(coerce(b, c))
    n = c.shape[0]
    if c.ndim != 2 or rhs.shape[0] != n:
        raise ValueError(f"shapes of c {c.shape} and b {rhs.shape} are incompatible")
    dt = torch.promote_types(c.larray.dtype, rhs.larray.dtype)
    c, rhs = Array(c.larray.to(dt), c.layout), Array(rhs.larray.to(dt), rhs.layout)
    finite(rhs, check_finite)
    if not distributed(c):
        t = whole(c) if c.split is not None else c.larray
        t = t.tril() if lower else t.triu()
        return with_rhs(rhs, n, n, lambda x: torch.cholesky_solve(x, t, upper=not lower))
    square(c, "cho_solve")
    pan = to_panels(c, transpose=not lower)  # the panels hold L
    if not lower:
        pan.local.conj_physical_()
    lh = to_panels(c, transpose=lower)  # ... and L^H
    if lower:
        lh.local.conj_physical_()

    def apply(x: torch.Tensor) -> torch.Tensor:
        sweep(pan, x, lower=True)
        return sweep(lh, x, lower=False)

    return with_rhs(rhs, n, pan.b, apply)
