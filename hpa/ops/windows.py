"""Sliding windows over an axis: HeAT's ``unfold`` (``torch.Tensor.unfold``) and NumPy's
``sliding_window_view``.

The windows along an axis become a new last axis. Window ``j`` (starting at row ``j * step``)
is cut where its first row lives, so along the split axis a rank needs up to ``size - 1`` rows
after its block, which may lie on several later ranks: they arrive in one ``alltoallv``
(:func:`hpa.core.exchange.halo`) whose counts follow from the layout. The result stays split
along that axis with the windows' extents (ragged: each rank keeps the windows that start in
its block); along other axes nothing is communicated and the extents are kept.

The result is a copy (NumPy's ``sliding_window_view`` is a read-only view): it holds ``size``
times the elements of the axis.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import torch

from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import halo
from hpa.core.layout import Layout, normalize_axis
from hpa.ops.creation import coerce

__all__ = ["sliding_window_view", "unfold"]


def _starts(lo: int, hi: int, step: int, count: int, last: bool) -> tuple[int, int]:
    """The windows ``[first, stop)`` that start in the rows ``[lo, hi)`` (the last rank also
    takes a window that starts at the end, the one of a zero-size window)."""
    first = min(-(-lo // step), count)
    stop = count if last else min(-(-hi // step), count)
    return first, max(first, stop)


def _windows(x: Array, ax: int, size: int, step: int) -> Array:
    """The windows of ``size`` rows every ``step`` along ``ax``, as a new last axis."""
    n, lay = x.shape[ax], x.layout
    count = (n - size) // step + 1
    shape = (*x.shape[:ax], count, *x.shape[ax + 1 :], size)
    if lay.split != ax or not lay.is_distributed:
        out = Layout(shape, lay.split, lay.comm, lay.counts if lay.split != ax else None)
        return Array(x.larray.unfold(ax, size, step).contiguous(), out)
    p, me = lay.comm.size, lay.comm.rank
    counts, after = [], []
    for r in range(p):
        lo, hi = lay.range_of(r)
        first, stop = _starts(lo, hi, step, count, r == p - 1)
        counts.append(stop - first)
        after.append(max(0, (stop - 1) * step + size - hi) if stop > first else 0)
    t = x.larray.movedim(ax, 0)
    _, tail = halo(t, lay, 0, after)
    lo, hi = lay.range_of(me)
    first, stop = _starts(lo, hi, step, count, me == p - 1)
    if stop > first:
        rows = torch.cat([t, tail]).narrow(0, first * step - lo, (stop - first - 1) * step + size)
        block = rows.unfold(0, size, step)
    else:
        block = t.new_empty((0, *t.shape[1:], size))
    return Array(block.movedim(0, ax).contiguous(), Layout(shape, ax, lay.comm, counts))


def _positive(value: Any, name: str, least: int) -> int:
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if operator.index(value) < least:
        raise ValueError(f"{name} must be >= {least}.")
    return operator.index(value)


def _sequence(value: Any) -> tuple[Any, ...]:
    """One integer as a 1-tuple, a sequence as a tuple."""
    return (value,) if hasattr(type(value), "__index__") else tuple(value)


@register()
def unfold(a: Any, axis: int, size: int, step: int = 1) -> Array:
    """All windows of ``size`` slices along ``axis``, every ``step`` slices, as a new last
    axis (HeAT's ``unfold``, like ``torch.Tensor.unfold``).

    Parameters
    ----------
    a : array_like
        The array.
    axis : int
        The axis to slide along.
    size : int
        The window length (at least 1, at most ``a.shape[axis]``).
    step : int
        The distance between window starts (at least 1).

    Returns
    -------
    Array
        ``a``'s shape with ``(n - size) // step + 1`` windows along ``axis`` and a new last
        axis of ``size``. Split as ``a``: along ``axis`` each rank keeps the windows that start
        in its block (ragged extents).

    Notes
    -----
    Along the split axis each rank needs up to ``size - 1`` slices after its block: one
    ``alltoallv`` from the ranks that hold them (HeAT requires every block to hold at least
    ``size - 1`` slices; hpa does not, and accepts ``size = 1``). Along other axes: no
    communication.
    """
    x = coerce(a)
    step = _positive(step, "step", 1)
    size = _positive(size, "size", 1)
    ax = normalize_axis(axis, x.ndim)
    if size > x.shape[ax]:
        raise ValueError(
            f"maximum size for DNDarray at axis {ax} is {x.shape[ax]} but size is {size}."
        )
    return _windows(x, ax, size, step)


@register()
def sliding_window_view(
    x: Any, window_shape: int | Sequence[int], axis: int | Sequence[int] | None = None
) -> Array:
    """The sliding windows of ``window_shape`` over ``x``, as
    :func:`numpy.lib.stride_tricks.sliding_window_view` (a copy, not a view).

    Parameters
    ----------
    x : array_like
        The array.
    window_shape : int or sequence of int
        The window length along each axis in ``axis`` (along every axis when ``axis`` is
        None).
    axis : int, sequence of int or None
        The axes to slide along; an axis may repeat.

    Returns
    -------
    Array
        ``x``'s shape with ``n - w + 1`` positions along each windowed axis, then the window
        axes in the order of ``axis``. Split as ``x`` (ragged along a windowed split axis).

    Notes
    -----
    One :func:`unfold` with step 1 per window: along the split axis one ``alltoallv`` of the
    ``w - 1`` slices after each block per window; along other axes no communication.
    """
    a = coerce(x)
    shape = _sequence(window_shape)
    if axis is None:
        if len(shape) != a.ndim:
            raise ValueError(
                f"Since axis is `None`, must provide window_shape for all dimensions of `x`; "
                f"got {len(shape)} window_shape elements and `x.ndim` is {a.ndim}."
            )
        axes: tuple[int, ...] = tuple(range(a.ndim))
    else:
        axes = tuple(normalize_axis(ax, a.ndim) for ax in _sequence(axis))
        if len(shape) != len(axes):
            raise ValueError(
                f"Must provide matching length window_shape and axis; got {len(shape)} "
                f"window_shape elements and {len(axes)} axes elements."
            )
    sizes = [_positive(w, "window_shape", 0) for w in shape]
    left = list(a.shape)
    for ax, w in zip(axes, sizes):
        if left[ax] < w:
            raise ValueError("window shape cannot be larger than input array shape")
        left[ax] -= w - 1
    for ax, w in zip(axes, sizes):
        a = _windows(a, ax, w, 1)
    return a
