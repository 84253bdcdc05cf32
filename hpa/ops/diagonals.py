"""Diagonals and triangles: ``diagonal``, ``diag``, ``trace``, ``tril``, ``triu``.

Every rank knows the global row and column offsets of its block from the layout, so most of
these need no communication at all:

==============================  ==============================================================
function                        communication
==============================  ==============================================================
diagonal                        none; when ``axis1`` or ``axis2`` is the split axis the result
                                is split along its last axis (the diagonal), every rank keeping
                                the entries of its rows (ragged extents)
diag, 2-d input                 as :func:`diagonal`
diag, 1-d input                 none; each rank builds its own rows of the square result from
                                the entries of ``v`` it holds: the result keeps ``v``'s extents,
                                rank 0 also holding the ``-k`` leading zero rows (``k < 0``) or
                                the last rank the ``k`` trailing ones (``k > 0``)
trace                           :func:`diagonal`, then a sum over the diagonal: one
                                ``allreduce`` when the diagonal is split, none otherwise
tril, triu                      none for every split: the mask uses the block's offsets
==============================  ==============================================================
"""

from __future__ import annotations

from typing import Any

import torch

from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.layout import Layout, normalize_axis
from hpa.ops.creation import coerce
from hpa.ops.manipulation import broadcast_to
from hpa.ops.reductions import sum as _sum

__all__ = ["diag", "diagonal", "trace", "tril", "triu"]


def _diagonal_length(n1: int, n2: int, offset: int) -> int:
    """Length of the diagonal ``offset`` of an ``n1 x n2`` matrix."""
    return max(0, min(n1 - max(0, -offset), n2 - max(0, offset)))


@register()
def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Array:
    """The diagonal ``offset`` of the 2-d sub-arrays spanned by ``axis1`` and ``axis2``.

    As in NumPy, those two axes are removed and the diagonal becomes the last axis. The
    result is a copy.

    Communication: none. A split axis other than ``axis1``/``axis2`` keeps its extents; when
    ``axis1`` or ``axis2`` is split, every rank takes the diagonal entries of its own rows and
    the result is split along its last axis with those (ragged) extents.
    """
    x = coerce(a)
    if x.ndim < 2:
        raise ValueError("diag requires an array of at least two dimensions")
    a1, a2 = normalize_axis(axis1, x.ndim), normalize_axis(axis2, x.ndim)
    if a1 == a2:
        raise ValueError("axis1 and axis2 cannot be the same")
    offset = int(offset)
    rest = [d for d in range(x.ndim) if d not in (a1, a2)]
    length = _diagonal_length(x.shape[a1], x.shape[a2], offset)
    shape = [x.shape[d] for d in rest] + [length]
    lay, t = x.layout, x.larray
    if lay.split is None or lay.split in rest:
        split = None if lay.split is None else rest.index(lay.split)
        local = torch.diagonal(t, offset, a1, a2).clone()
        return Array(local, Layout(shape, split, x.comm, lay.counts))
    # the split axis is one of the two: shift the offset by the block's first row
    sign = 1 if lay.split == a1 else -1
    first = max(0, -offset) if sign == 1 else max(0, offset)
    counts = []
    for q in range(x.comm.size):
        lo, hi = lay.range_of(q)
        counts.append(max(0, min(hi - first, length) - max(lo - first, 0)))
    lo = lay.range_of(x.comm.rank)[0]
    local = torch.diagonal(t, offset + sign * lo, a1, a2)
    local = local.narrow(-1, 0, counts[x.comm.rank]).clone()
    return Array(local, Layout(shape, len(shape) - 1, x.comm, counts))


def _from_vector(v: Array, k: int) -> Array:
    """The square matrix with ``v`` on its diagonal ``k`` (no communication)."""
    n = v.shape[0]
    m = n + abs(k)
    t = v.larray
    if v.split is None:
        return Array(torch.diag(t, k), Layout((m, m), None, v.comm))
    counts = list(v.counts)  # type: ignore[arg-type]
    counts[0 if k < 0 else -1] += abs(k)
    layout = Layout((m, m), 0, v.comm, counts)
    rows = layout.range_of(v.comm.rank)
    lo = v.layout.range_of(v.comm.rank)[0]
    block = t.new_zeros(layout.lshape)
    # entry i of v sits at row i + max(0, -k), column i + max(0, k)
    i = torch.arange(lo, lo + t.shape[0], device=t.device)
    block[i + max(0, -k) - rows[0], i + max(0, k)] = t
    return Array(block, layout)


@register()
def diag(v: Any, k: int = 0) -> Array:
    """Extract a diagonal (2-d ``v``) or build a square array with ``v`` on a diagonal (1-d).

    Communication: none. A 2-d input behaves as :func:`diagonal`. For a split 1-d input, each
    rank builds its own rows of the result from the entries of ``v`` it holds: the result is
    split along axis 0 with ``v``'s extents, rank 0 also holding the ``-k`` leading zero rows
    when ``k < 0`` and the last rank the ``k`` trailing zero rows when ``k > 0``.
    """
    x = coerce(v)
    k = int(k)
    if x.ndim == 2:
        return diagonal(x, k)
    if x.ndim != 1:
        raise ValueError("Input must be 1- or 2-d.")
    return _from_vector(x, k)


@register()
def trace(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None) -> Array:
    """Sum along a diagonal: :func:`diagonal`, then :func:`hpa.sum` over its last axis.

    Communication: one ``allreduce`` when ``axis1`` or ``axis2`` is the split axis (the
    diagonal is split), none otherwise. Integer and bool inputs sum in int64, as in NumPy.
    """
    return _sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype)


def _triangle(m: Any, k: int, lower: bool) -> Array:
    """``m`` with the elements above (``lower``) or below diagonal ``k`` zeroed, locally."""
    x = coerce(m)
    if x.ndim == 0:
        raise ValueError("tril and triu need an array of at least one dimension")
    if x.ndim == 1:
        x = broadcast_to(x, (x.shape[0], x.shape[0]))
    lay, t = x.layout, x.larray
    r, c = x.ndim - 2, x.ndim - 1
    rows = torch.arange(t.shape[r], device=t.device)
    cols = torch.arange(t.shape[c], device=t.device)
    if lay.split == r:
        rows = rows + lay.range_of(x.comm.rank)[0]
    elif lay.split == c:
        cols = cols + lay.range_of(x.comm.rank)[0]
    diff = cols[None, :] - rows[:, None]
    keep = diff <= int(k) if lower else diff >= int(k)
    return Array(torch.where(keep, t, torch.zeros((), dtype=t.dtype, device=t.device)), lay)


@register()
def tril(m: Any, k: int = 0) -> Array:
    """Lower triangle of the last two axes of ``m`` (elements above diagonal ``k`` zeroed).

    No communication for any split: the mask uses the global offsets of the local block. A
    1-d input is broadcast to a square matrix first, as in NumPy (also local).
    """
    return _triangle(m, k, lower=True)


@register()
def triu(m: Any, k: int = 0) -> Array:
    """Upper triangle of the last two axes of ``m`` (elements below diagonal ``k`` zeroed).

    No communication for any split, as :func:`tril`.
    """
    return _triangle(m, k, lower=False)
