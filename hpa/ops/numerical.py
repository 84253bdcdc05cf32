"""Numerical calculus and interpolation: ``gradient``, ``trapezoid``, ``interp``, and NumPy's
1-D ``convolve`` (:func:`hpa.signal.convolve`, re-exported).

A difference along the split axis needs the rows next to each block: they arrive in one
``alltoallv`` (:func:`hpa.core.exchange.halo`), only from the ranks that hold them.

=============================  ==========================================  =================
function                       along the split axis                        collectives
=============================  ==========================================  =================
gradient                       one row on each side of every block (the    one ``alltoallv``
                               first and last ``edge_order + 1`` rows for  per split axis
                               the edges)                                  differentiated
trapezoid                      the weights of the rows from the            one ``alltoallv``
                               neighbouring coordinates (none for ``dx``)  (``x`` only), one
                                                                           ``allreduce``
interp                         elementwise: ``x`` keeps its layout         none
=============================  ==========================================  =================

Along other axes nothing is communicated. Coordinates (``gradient``'s ``varargs``,
``interp``'s ``xp``/``fp``) are 1-D vectors of one axis, replicated on every rank: a split one
is gathered first (one ``allgatherv`` of a vector, small next to the data).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from hpa.core import dtypes
from hpa.core.align import broadcast_shapes, local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import halo
from hpa.core.layout import Layout, normalize_axis
from hpa.ops import reductions as red
from hpa.ops.creation import coerce
from hpa.ops.manipulation import reshape
from hpa.ops.reduction_rules import accumulate
from hpa.signal.convolution import convolve

__all__ = ["convolve", "gradient", "interp", "trapezoid"]

Reach = Callable[[int, int], tuple[int, int]]
"""Global rows ``(start, stop)`` a rank holding the rows ``[lo, hi)`` needs."""


# ---------------------------------------------------------------------------- helpers
def _widened(x: Array, ax: int, reach: Reach) -> tuple[torch.Tensor, int, int, int]:
    """``x``'s block with ``ax`` moved first and widened to the rows ``reach`` asks for.

    Returns the rows, the global index of the first, and the rows ``[lo, hi)`` of the block.
    Along the split axis the missing rows arrive in one ``alltoallv``; otherwise the block
    holds the whole axis and nothing is communicated.
    """
    t, lay = x.larray.movedim(ax, 0), x.layout
    if lay.split != ax or not lay.is_distributed:
        return t, 0, 0, x.shape[ax]
    before, after = [], []
    for r in range(lay.comm.size):
        lo, hi = lay.range_of(r)
        start, stop = reach(lo, hi) if hi > lo else (lo, hi)
        before.append(lo - start)
        after.append(stop - hi)
    head, tail = halo(t, lay, before, after)
    lo, hi = lay.range_of(lay.comm.rank)
    return torch.cat([head, t, tail]), lo - head.shape[0], lo, hi


def _vector(v: Any, like: Array) -> torch.Tensor:
    """``v`` as a replicated tensor on ``like``'s device (a split array is gathered)."""
    a = coerce(v, like)
    return a.gather() if a.split is not None else a.larray


def _axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    seq = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
    out = tuple(normalize_axis(a, ndim) for a in seq)
    if len(set(out)) != len(out):
        raise ValueError("repeated axis")
    return out


# ---------------------------------------------------------------------------- gradient
def _ndim(v: Any) -> int:
    return v.ndim if isinstance(v, Array) else int(np.ndim(v))


def _spacing(v: Any, f: Array, n: int) -> float | complex | torch.Tensor:
    """One axis's spacing: a scalar, or the differences of a 1-D coordinate vector of length
    ``n`` (a scalar when they are all equal, as NumPy does)."""
    if _ndim(v) == 0:
        return v.item() if isinstance(v, Array) else v
    coords = _vector(v, f)
    if coords.ndim != 1:
        raise ValueError("distances must be either scalars or 1d")
    if coords.shape[0] != n:
        raise ValueError("when 1d, distances must match the length of the corresponding dimension")
    if not coords.is_floating_point() and not coords.is_complex():
        coords = coords.to(torch.float64)
    d = torch.diff(coords)
    if d.numel() and bool((d == d[0]).all()):
        return d[0]
    return d


def _spacings(varargs: tuple[Any, ...], f: Array, axes: tuple[int, ...]) -> list[Any]:
    if not varargs:
        return [1.0] * len(axes)
    if len(varargs) == 1 and _ndim(varargs[0]) == 0:
        return [_spacing(varargs[0], f, 0)] * len(axes)
    if len(varargs) != len(axes):
        raise TypeError("invalid number of arguments")
    return [_spacing(v, f, f.shape[a]) for v, a in zip(varargs, axes)]


def _uniform(h: Any) -> bool:
    return not isinstance(h, torch.Tensor) or h.ndim == 0


def _interior(rows: torch.Tensor, h: Any, lo: int, hi: int) -> torch.Tensor:
    """The central differences of the rows ``[lo, hi)`` from ``rows`` (``[lo - 1, hi + 1)``)."""
    if _uniform(h):
        return (rows[2:] - rows[:-2]) / (2.0 * h)
    shape = (-1, *([1] * (rows.ndim - 1)))
    dx1, dx2 = h[lo - 1 : hi - 1].reshape(shape), h[lo:hi].reshape(shape)
    a = -(dx2) / (dx1 * (dx1 + dx2))
    b = (dx2 - dx1) / (dx1 * dx2)
    c = dx1 / (dx2 * (dx1 + dx2))
    return a * rows[:-2] + b * rows[1:-1] + c * rows[2:]


def _edge(row: Callable[[int], torch.Tensor], h: Any, n: int, first: bool, order: int) -> Any:
    """The one-sided difference at the first or the last row (NumPy's formulas)."""
    uniform = _uniform(h)
    if order == 1:
        if first:
            return (row(1) - row(0)) / (h if uniform else h[0])
        return (row(n - 1) - row(n - 2)) / (h if uniform else h[-1])
    if first:
        if uniform:
            a, b, c = -1.5 / h, 2.0 / h, -0.5 / h
        else:
            dx1, dx2 = h[0], h[1]
            a = -(2.0 * dx1 + dx2) / (dx1 * (dx1 + dx2))
            b = (dx1 + dx2) / (dx1 * dx2)
            c = -dx1 / (dx2 * (dx1 + dx2))
        return a * row(0) + b * row(1) + c * row(2)
    if uniform:
        a, b, c = 0.5 / h, -2.0 / h, 1.5 / h
    else:
        dx1, dx2 = h[-2], h[-1]
        a = dx2 / (dx1 * (dx1 + dx2))
        b = -(dx2 + dx1) / (dx1 * dx2)
        c = (2.0 * dx2 + dx1) / (dx2 * (dx1 + dx2))
    return a * row(n - 3) + b * row(n - 2) + c * row(n - 1)


def _derivative(f: Array, ax: int, h: Any, order: int, out: dtypes.DType) -> Array:
    """The gradient of ``f`` along ``ax`` with spacing ``h``, in ``f``'s layout."""
    n = f.shape[ax]

    def reach(lo: int, hi: int) -> tuple[int, int]:
        start, stop = max(0, lo - 1), min(n, hi + 1)
        if lo == 0:
            stop = max(stop, order + 1)
        if hi == n:
            start = min(start, n - order - 1)
        return start, stop

    ext, start, lo, hi = _widened(f, ax, reach)
    work = accumulate(out)
    if isinstance(h, torch.Tensor):
        work = torch.promote_types(work, h.dtype)
    ext = ext.to(work)
    h = h.to(work) if isinstance(h, torch.Tensor) else h
    res = ext.new_empty((hi - lo, *ext.shape[1:]))
    a, b = max(lo, 1), min(hi, n - 1)
    if b > a:
        res[a - lo : b - lo] = _interior(ext[a - 1 - start : b + 1 - start], h, a, b)
    for first, at in ((True, 0), (False, n - 1)):
        if lo <= at < hi:
            res[at - lo] = _edge(lambda i: ext[i - start], h, n, first, order)
    return Array(res.to(out.torch).movedim(0, ax), f.layout)


@register()
def gradient(
    f: Any, *varargs: Any, axis: int | Sequence[int] | None = None, edge_order: int = 1
) -> Array | tuple[Array, ...]:
    """The gradient of ``f`` by central differences, as :func:`numpy.gradient`.

    Parameters
    ----------
    f : array_like
        The samples; integers are differentiated in float64, bool raises TypeError.
    *varargs : scalar or 1-D array_like, optional
        The spacing: one scalar for every axis, or one scalar or coordinate vector (as long as
        its axis; a split one is gathered, one ``allgatherv``) per axis in ``axis``.
    axis : int, sequence of int or None
        The axes to differentiate along (all by default).
    edge_order : {1, 2}
        The accuracy of the one-sided differences at the edges.

    Returns
    -------
    Array or tuple of Array
        One derivative per axis (an array for one axis), each in ``f``'s layout; the dtype is
        ``f``'s (float64 for integers).

    Notes
    -----
    Along the split axis each rank needs one row on each side of its block (the edge ranks
    the first or last ``edge_order + 1`` rows): one ``alltoallv`` per split axis
    differentiated, only from the ranks holding those rows. Along other axes: no
    communication.
    """
    x = coerce(f)
    if x.dtype.kind == "b":
        raise TypeError("numpy boolean subtract, the `-` operator, is not supported")
    axes = _axes(axis, x.ndim)
    steps = _spacings(varargs, x, axes)
    if edge_order > 2:
        raise ValueError("'edge_order' greater than 2 not supported")
    if edge_order < 1:
        raise ValueError(f"edge_order must be 1 or 2, got {edge_order}")
    out = x.dtype if x.dtype.kind in "fc" else dtypes.float64
    results = []
    for ax, h in zip(axes, steps):
        if x.shape[ax] < edge_order + 1:
            raise ValueError(
                "Shape of array too small to calculate a numerical gradient, "
                "at least (edge_order + 1) elements are required."
            )
        results.append(_derivative(x, ax, h, edge_order, out))
    return results[0] if len(axes) == 1 else tuple(results)


# ---------------------------------------------------------------------------- trapezoid
def _coordinates(x: Any, y: Array, ax: int) -> Array:
    """``x`` as an array of ``y``'s dimensions that broadcasts against it, whole along ``ax``."""
    xa = coerce(x, y)
    n = y.shape[ax]
    if xa.ndim == 1:
        if xa.shape[0] != n:
            raise ValueError(
                f"x of length {xa.shape[0]} does not match y's axis {ax} of length {n}"
            )
        return reshape(xa, [n if a == ax else 1 for a in range(y.ndim)])
    if xa.ndim != y.ndim or xa.shape[ax] != n or broadcast_shapes(xa.shape, y.shape) != y.shape:
        raise ValueError(
            f"x of shape {xa.shape} must be 1-D or broadcast to y's shape {y.shape}, whole "
            f"along axis {ax}"
        )
    return xa


def _weights(y: Array, ax: int, x: Any, dx: Any, work: torch.dtype) -> torch.Tensor:
    """The trapezoid weights of this rank's rows of ``y`` along ``ax`` (moved first): half the
    distance between the neighbouring coordinates, ``(x[i+1] - x[i-1]) / 2`` clipped at the
    ends."""
    n = y.shape[ax]
    if x is None:
        lo, hi = y.layout.range_of(y.comm.rank) if y.split == ax else (0, n)
        rows = torch.arange(lo, hi, device=y.larray.device)
        steps = (rows + 1).clamp(max=n - 1) - (rows - 1).clamp(min=0)
        return (steps.to(work) * dx / 2).reshape(-1, *([1] * (y.ndim - 1)))
    xa = _coordinates(x, y, ax)
    shape = tuple(xa.shape)
    split = y.split if y.split is not None and shape[y.split] == y.shape[y.split] else None
    lay = Layout(shape, split, y.comm, y.counts if split is not None else None)
    block = Array(local_block(xa, lay), lay)
    ext, start, lo, hi = _widened(block, ax, lambda lo, hi: (max(0, lo - 1), min(n, hi + 1)))
    rows = torch.arange(lo, hi, device=ext.device)
    after, before = (rows + 1).clamp(max=n - 1) - start, (rows - 1).clamp(min=0) - start
    ext = ext.to(work)
    return (ext.index_select(0, after) - ext.index_select(0, before)) / 2


@register()
def trapezoid(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Array:
    """The integral of ``y`` along ``axis`` by the trapezoidal rule, as
    :func:`numpy.trapezoid`.

    Parameters
    ----------
    y : array_like
        The samples (not bool: NumPy adds bool samples with a logical or).
    x : array_like, optional
        The sample points: 1-D, as long as ``axis``, or of ``y``'s dimensions and
        broadcasting against it (any split: it is brought to ``y``'s blocks).
    dx : scalar
        The spacing when ``x`` is None.
    axis : int
        The axis to integrate along.

    Returns
    -------
    Array
        ``y``'s shape without ``axis``, float64 for integers (NumPy's result dtype otherwise).

    Notes
    -----
    Computed as ``sum(y * w)`` with the weights ``w[i] = (x[i+1] - x[i-1]) / 2`` (clipped at
    the ends), which equals NumPy's sum of trapezoids up to rounding. Along the split axis the
    weights need one coordinate on each side of the block (one ``alltoallv`` of ``x``'s rows,
    none with ``dx``) and the sum is one ``allreduce``; along another axis nothing is
    communicated (an ``x`` in another layout than ``y`` moves first).
    """
    ya = coerce(y)
    if ya.dtype.kind == "b":
        raise TypeError("trapezoid of bool samples is not supported (NumPy adds them with or)")
    ax = normalize_axis(axis, ya.ndim)
    res = dtypes.result_type(ya, dx if x is None else coerce(x, ya))
    res = dtypes.float64 if res.kind in "biu" else res
    dx = dx.item() if isinstance(dx, Array) else dx
    work = accumulate(res)
    w = _weights(ya, ax, x, dx, work).movedim(0, ax)
    terms = Array(ya.larray.to(work) * w, ya.layout)
    return red.sum(terms, axis=ax).astype(res)


# ---------------------------------------------------------------------------- interp
def _interp_real(
    x: torch.Tensor, xp: torch.Tensor, fp: torch.Tensor, left: Any, right: Any
) -> torch.Tensor:
    """NumPy's linear interpolation (``arr_interp``) of real ``fp``, vectorised."""
    lval = fp[0] if left is None else torch.as_tensor(left, dtype=fp.dtype, device=fp.device)
    rval = fp[-1] if right is None else torch.as_tensor(right, dtype=fp.dtype, device=fp.device)
    n = xp.numel()
    if n == 1:
        return torch.where(x < xp[0], lval, torch.where(x > xp[0], rval, fp[0]))
    j = torch.searchsorted(xp, x.contiguous(), right=True) - 1
    k = j.clamp(0, n - 2)
    x0, x1, f0, f1 = xp[k], xp[k + 1], fp[k], fp[k + 1]
    slope = (f1 - f0) / (x1 - x0)
    res = slope * (x - x0) + f0
    res = torch.where(torch.isnan(res), slope * (x - x1) + f1, res)
    res = torch.where(torch.isnan(res) & (f0 == f1), f0, res)
    res = torch.where((x == x0) & (j == k), f0, res)
    res = torch.where(j == n - 1, fp[-1], res)
    res = torch.where(x < xp[0], lval, torch.where(x > xp[-1], rval, res))
    return torch.where(torch.isnan(x), x, res)


@register()
def interp(
    x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None, period: Any = None
) -> Array:
    """Piecewise linear interpolation of the points ``(xp, fp)`` at ``x``, as
    :func:`numpy.interp`.

    Parameters
    ----------
    x : array_like
        Where to evaluate; any layout (the result keeps it).
    xp, fp : 1-D array_like
        The sample points (increasing unless ``period`` is given) and their values (real or
        complex), replicated: a split one is gathered first (one ``allgatherv``).
    left, right : scalar, optional
        The values below ``xp[0]`` and above ``xp[-1]`` (default ``fp[0]``, ``fp[-1]``).
    period : scalar, optional
        The period of the x-coordinates (``left`` and ``right`` are then ignored).

    Returns
    -------
    Array
        float64 (complex128 for complex ``fp``), ``x``'s shape and layout. Elementwise on
        ``x``'s blocks: no communication.
    """
    xa = coerce(x)
    if xa.dtype.kind == "c":
        raise TypeError("interp takes real x-coordinates, not complex ones")
    points, values = _vector(xp, xa), _vector(fp, xa)
    if points.ndim != 1 or values.ndim != 1:
        raise ValueError("Data points must be 1-D sequences")
    if points.shape[0] != values.shape[0]:
        raise ValueError("fp and xp are not of the same length.")
    if points.shape[0] == 0:
        raise ValueError("array of sample points is empty")
    t = xa.larray.to(torch.float64)
    points = points.to(torch.float64)
    values = values.to(torch.complex128 if values.is_complex() else torch.float64)
    if period is not None:
        if period == 0:
            raise ValueError("period must be a non-zero value")
        span = abs(period)
        left = right = None
        t, points = torch.remainder(t, span), torch.remainder(points, span)
        order = torch.argsort(points, stable=True)
        points, values = points[order], values[order]
        points = torch.cat([points[-1:] - span, points, points[:1] + span])
        values = torch.cat([values[-1:], values, values[:1]])
    if not values.is_complex():
        return Array(_interp_real(t, points, values, left, right), xa.layout)
    ends = [None if e is None else complex(e) for e in (left, right)]
    re = _interp_real(t, points, values.real, *(None if e is None else e.real for e in ends))
    im = _interp_real(t, points, values.imag, *(None if e is None else e.imag for e in ends))
    return Array(torch.complex(re, torch.where(torch.isnan(t), 0.0, im)), xa.layout)
