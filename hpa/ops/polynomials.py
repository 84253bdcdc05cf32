"""Polynomials as coefficient vectors, highest power first: ``polyfit``, ``polyval``, ``roots``
(NumPy's ``numpy.polyfit`` family).

=========  ============================================================  ====================
function   how                                                           collectives
=========  ============================================================  ====================
polyfit    the Vandermonde matrix of each rank's samples, columns        one ``allreduce``
           scaled (their norms summed), least squares by                 (column norms) and
           :func:`hpa.linalg.lstsq` (TSQR: the samples stay where they   ``lstsq``'s: one
           are); the coefficients are replicated                         ``allgatherv``, one
                                                                         or two
                                                                         ``allreduce``
polyval    Horner's rule, elementwise on ``x``'s blocks                  none
roots      NumPy's companion-matrix eigenvalues of the small             none
           coefficient vector, on every rank
=========  ============================================================  ====================

Coefficient vectors are small and replicated: a split one is gathered first (one
``allgatherv``).
"""

from __future__ import annotations

import operator
import warnings
from typing import Any

import numpy as np
import torch

from hpa.core.align import local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial
from hpa.core.layout import Layout
from hpa.linalg.solvers import lstsq
from hpa.ops.creation import coerce, zeros_like

__all__ = ["polyfit", "polyval", "roots"]


def _replicated(p: Any, like: Array | None = None) -> Array:
    a = coerce(p, like)
    return a.resplit(None) if a.split is not None else a


def _samples(x: Array, y: Array) -> Layout:
    """The layout of the samples' axis: ``x``'s when split, else ``y``'s rows' (balanced when
    ``y`` is split along its columns), else replicated."""
    n = x.shape[0]
    if x.split == 0:
        return Layout((n,), 0, x.comm, x.counts)
    if y.split is not None:
        return Layout((n,), 0, x.comm, y.counts if y.split == 0 else None)
    return Layout((n,), None, x.comm)


def _eps(t: torch.dtype) -> float:
    """The machine epsilon of NumPy's ``x + 0.0`` (float64 for integers and bools)."""
    return torch.finfo(t if t.is_floating_point or t.is_complex else torch.float64).eps


def _vandermonde(x: torch.Tensor, order: int) -> torch.Tensor:
    """Columns ``x**(order-1), ..., x, 1`` by repeated products, as :func:`numpy.vander`
    (which computes in float64 or complex128)."""
    powers = torch.ones((x.shape[0], order), dtype=x.dtype, device=x.device)
    if order > 1:
        powers[:, 1:] = torch.cumprod(x[:, None].expand(-1, order - 1), dim=1)
    return powers.flip(1)


@register()
def polyfit(
    x: Any, y: Any, deg: int, rcond: float | None = None, full: bool = False, w: Any = None,
    cov: bool | str = False,
) -> Any:  # fmt: skip
    """Least-squares polynomial fit of degree ``deg`` to the samples ``(x, y)``, as
    :func:`numpy.polyfit`.

    Parameters
    ----------
    x : array_like
        The 1-D sample points; split or replicated.
    y : array_like
        The values at ``x``: one (1-D) or several (2-D, one column each) sets; any layout (a
        2-D ``y`` split along its columns moves to ``x``'s rows, one ``alltoallv``).
    deg : int
        The degree.
    rcond : float, optional
        Relative cut-off of small singular values (default ``len(x) * eps``).
    full : bool
        Also return the residuals, rank, singular values and ``rcond``.
    w : array_like, optional
        Weights of the samples (1-D, as long as ``x``).
    cov : bool or "unscaled"
        Also return the covariance matrix of the coefficients.

    Returns
    -------
    Array or tuple
        The coefficients, highest power first (replicated; one column per set of ``y``), and
        what ``full`` or ``cov`` add, as NumPy returns them. A ``RankWarning`` when the fit is
        rank-deficient and ``full`` is False.

    Notes
    -----
    Each rank builds the Vandermonde rows of its own samples. The columns are scaled by their
    norms (one ``allreduce``), as NumPy does, and solved by :func:`hpa.linalg.lstsq`: TSQR
    of the split matrix (one ``allgatherv`` of the small ``R`` factors) and one ``allreduce``
    of ``U^H y`` (one more for the residuals); ``cov`` adds one ``allreduce`` of the
    ``(deg+1) x (deg+1)`` Gram matrix. The samples never leave their ranks.
    """
    order = operator.index(deg) + 1
    if order < 1:
        raise ValueError("expected deg >= 0")
    xa = coerce(x)
    ya = coerce(y, xa)
    if xa.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if xa.size == 0:
        raise TypeError("expected non-empty vector for x")
    if ya.ndim < 1 or ya.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if xa.shape[0] != ya.shape[0]:
        raise TypeError("expected x and y to have same length")
    rows = _samples(xa, ya)
    if ya.larray.dtype in (torch.float16, torch.bfloat16):
        raise TypeError(f"array type {ya.dtype} is unsupported in linalg")
    complex_ = xa.larray.is_complex() or ya.larray.is_complex()
    dt = torch.complex128 if complex_ else torch.float64  # NumPy's Vandermonde matrix
    if rcond is None:
        rcond = xa.shape[0] * _eps(xa.larray.dtype)
    lhs = _vandermonde(local_block(xa, rows).to(dt), order)
    rhs = local_block(ya, Layout(ya.shape, rows.split, xa.comm, rows.counts)).to(dt)
    if w is not None:
        wa = coerce(w, xa)
        if wa.ndim != 1:
            raise TypeError("expected a 1-d array for weights")
        if wa.shape[0] != ya.shape[0]:
            raise TypeError("expected w and y to have the same length")
        weights = local_block(wa, rows).to(dt)
        lhs = lhs * weights[:, None]
        rhs = rhs * (weights[:, None] if rhs.ndim == 2 else weights)
    squares = (lhs * lhs).sum(0)
    scale = torch.sqrt(Partial(squares, xa.comm).replicate() if rows.split is not None else squares)
    lhs = lhs / scale
    matrix = Array(lhs, Layout((xa.shape[0], order), rows.split, xa.comm, rows.counts))
    fit = lstsq(matrix, Array(rhs, Layout(ya.shape, rows.split, xa.comm, rows.counts)), rcond)
    coef = _replicated(fit.x)
    c = Array(coef.larray / (scale[:, None] if coef.ndim == 2 else scale), coef.layout)
    if fit.rank != order and not full:
        warnings.warn("Polyfit may be poorly conditioned", np.exceptions.RankWarning, stacklevel=2)
    if full:
        return c, fit.residuals, fit.rank, fit.s, rcond
    if not cov:
        return c
    return c, _covariance(lhs, scale, matrix, fit.residuals, order, ya.ndim, cov)


def _covariance(
    lhs: torch.Tensor, scale: torch.Tensor, matrix: Array, resids: Array, order: int,
    ydim: int, cov: bool | str,
) -> Array:  # fmt: skip
    """NumPy's covariance of the fitted coefficients from the scaled Vandermonde rows."""
    gram = lhs.mT @ lhs
    gram = Partial(gram, matrix.comm).replicate() if matrix.split is not None else gram
    base = torch.linalg.inv(gram) / torch.outer(scale, scale)
    if cov == "unscaled":
        fac: Any = 1
    else:
        if matrix.shape[0] <= order:
            raise ValueError(
                "the number of data points must exceed order to scale the covariance matrix"
            )
        fac = resids.larray / (matrix.shape[0] - order)
    out = base * fac if ydim == 1 else base[:, :, None] * fac
    return Array(out, Layout(tuple(out.shape), None, matrix.comm))


@register()
def polyval(p: Any, x: Any) -> Array:
    """The polynomial with coefficients ``p`` (highest power first) at ``x``, as
    :func:`numpy.polyval`, by Horner's rule.

    ``p`` is 1-D (or 2-D: each ``p[i]`` broadcasts against ``x``) and replicated (a split one
    is gathered, one ``allgatherv``); the result has ``x``'s layout and NumPy's dtype. No other
    communication: each rank evaluates its block of ``x``.
    """
    coefficients = _replicated(p)
    if coefficients.ndim == 0:
        raise TypeError("iteration over a 0-d array: p must be a sequence of coefficients")
    xa = coerce(x, coefficients)
    y = zeros_like(xa)
    for i in range(coefficients.shape[0]):
        y = y * xa + coefficients[i]
    return y


@register()
def roots(p: Any) -> Array:
    """The roots of the polynomial with coefficients ``p`` (highest power first), as
    :func:`numpy.roots`: the eigenvalues of its companion matrix, computed by NumPy on every
    rank (the vector is small; a split one is gathered, one ``allgatherv``). Replicated
    result; no other communication."""
    coefficients = _replicated(p)
    if coefficients.ndim != 1:
        raise ValueError("Input must be a rank-1 array.")
    return coerce(np.roots(coefficients.numpy()), coefficients)
