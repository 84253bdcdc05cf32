"""Editing arrays: appending, deleting and inserting along an axis, trimming zeros, resizing,
rolling an axis, differences with ends, writing along an axis and sorting into complex.

=====================  ==================================================================
function               communication
=====================  ==================================================================
append                 as :func:`hpa.concatenate` (along the split axis: the result is
                       balanced, one ``alltoallv``; along another axis: none when the
                       operands share the blocks)
delete                 none: along the split axis every rank keeps its remaining rows (the
                       result's extents are ragged); a split hpa ``obj`` is gathered (one
                       ``allgatherv``)
insert                 along the split axis: the result is balanced; ``arr``'s rows move to
                       it in one ``alltoallv`` (none when they already sit there), the
                       inserted values are written by their owners (a split hpa ``values``:
                       one more ``alltoallv``); along another axis: none
trim_zeros             one ``allreduce`` of the first and last non-zero positions of all
                       trimmed axes when ``filt`` is distributed, none otherwise; the result
                       is a view (ragged along the split axis)
resize                 :func:`hpa.ravel` (one ``alltoallv`` unless split along 0), then one
                       ``alltoallv`` bringing each rank the source elements its block repeats
rollaxis               none (a transpose: the split axis follows its data)
ediff1d                :func:`hpa.diff` (one ``alltoallv`` for the rows after each block),
                       then the result is balanced (one ``alltoallv`` when needed)
put_along_axis         none when ``arr`` is replicated or split along another axis than
                       ``axis`` with ``indices`` and ``values`` replicated or laid out like it
                       (others are moved to its blocks, one ``alltoallv`` each; a split
                       ``indices`` adds one ``allreduce`` agreeing on its bounds); along the
                       split axis as :func:`hpa.setitem` with integer arrays
sort_complex           none unless the last axis is split; along it as :func:`hpa.sort`
                       (complex input: :func:`hpa.lexsort` of the real and imaginary parts
                       and :func:`hpa.take_along_axis`)
=====================  ==================================================================
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from hpa.comm.base import Communicator, ReduceOp
from hpa.core import dtypes
from hpa.core.align import local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.errors import AxisError
from hpa.core.exchange import Partial, any_rank, windows
from hpa.core.layout import Layout, normalize_axis
from hpa.ops.creation import coerce
from hpa.ops.indexing import getitem, setitem
from hpa.ops.manipulation import broadcast_to, concatenate, moveaxis, ravel, reshape, transpose
from hpa.ops.selection import (
    as_index,
    fit_value,
    is_mask,
    last_occurrence,
    put,
    take_along_axis,
    wrapped_indices,
)
from hpa.ops.sorting import lexsort, sort
from hpa.ops.statistics import diff

__all__ = [
    "append", "delete", "ediff1d", "insert", "put_along_axis", "resize", "rollaxis",
    "sort_complex", "trim_zeros",
]  # fmt: skip

_INT64_MAX = torch.iinfo(torch.int64).max


def _cast_values(values: Any, like: Array) -> Array | torch.Tensor:
    """``values`` in ``like``'s dtype: an hpa array keeps its layout, other data become a tensor
    on ``like``'s device (NumPy's errors for Python values the dtype cannot hold)."""
    if isinstance(values, Array):
        return values.astype(like.dtype, copy=False)
    if isinstance(values, torch.Tensor):
        return values.to(like.larray.device, like.dtype.torch)
    data = np.array(values, dtype=like.dtype.numpy)
    return torch.as_tensor(data, device=like.larray.device).to(like.dtype.torch)


def _along(x: Any, axis: int | None) -> tuple[Array, int]:
    """``x`` as an hpa array and the normalised ``axis`` (``None``: ``x`` flattened, axis 0)."""
    a = coerce(x)
    if axis is None:
        return ravel(a), 0
    return a, normalize_axis(axis, a.ndim)


# ---------------------------------------------------------------------------------- append
@register()
def append(arr: Any, values: Any, axis: int | None = None) -> Array:
    """``values`` appended to ``arr`` along ``axis`` (both flattened when ``axis`` is None), as
    :func:`numpy.append`; the dtype is their common one.

    Communication: that of :func:`hpa.concatenate`. The result is split along the split axis
    of the first split operand (replicated if none is); along that axis it is balanced (one
    ``alltoallv``), along another axis the blocks are joined locally.
    """
    ref = next((a for a in (arr, values) if isinstance(a, Array)), None)
    x, v = coerce(arr, ref), coerce(values, ref)
    if axis is None:
        return concatenate([ravel(x), ravel(v)], axis=0)
    return concatenate([x, v], axis=axis)


# ---------------------------------------------------------------------------------- delete
def _host_index(obj: Any) -> np.ndarray:
    """Index data on the host: an hpa array gathered (one ``allgatherv`` when split), a tensor
    copied, other data as NumPy makes them (an empty list as int64: it selects nothing)."""
    if isinstance(obj, Array):
        return obj.numpy()
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu().numpy()
    idx = np.asarray(obj)
    return idx.astype(np.int64) if idx.size == 0 and not isinstance(obj, np.ndarray) else idx


def _deleted(obj: Any, n: int, axis: int) -> np.ndarray:
    """The mask of the ``n`` rows ``obj`` deletes (NumPy's rules and errors)."""
    mask = np.zeros(n, dtype=bool)
    if isinstance(obj, slice):
        mask[obj] = True
        return mask
    idx = _host_index(obj)
    if idx.dtype == bool:
        if idx.shape != (n,):
            raise ValueError(
                "boolean array argument obj to delete must be one dimensional and match the "
                f"axis length of {n}"
            )
        return idx.copy()
    if idx.dtype.kind not in "iu":
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    idx = idx.reshape(-1).astype(np.int64)
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        raise IndexError(f"index {idx[bad][0]} is out of bounds for axis {axis} with size {n}")
    mask[idx] = True
    return mask


@register()
def delete(arr: Any, obj: Any, axis: int | None = None) -> Array:
    """``arr`` without the slices ``obj`` along ``axis`` (``None``: of the flattened ``arr``),
    as :func:`numpy.delete`.

    Parameters
    ----------
    arr : array_like
    obj : int, slice, sequence of int or boolean mask
        The slices to remove (negative indices count from the end; repeats are allowed); a
        boolean mask has the axis's length. Replicated data, or an hpa array (gathered: one
        ``allgatherv`` when split).
    axis : int, optional

    Returns
    -------
    Array
        A copy. Communication: none. Along a non-split axis the result keeps ``arr``'s
        layout; along the split axis every rank keeps its remaining rows, so the result is
        split along that axis with ragged extents (:meth:`Array.balance` evens them).
    """
    x, ax = _along(arr, axis)
    n = x.shape[ax]
    keep = ~_deleted(obj, n, ax)
    shape = list(x.shape)
    shape[ax] = int(keep.sum())
    counts = x.counts
    if x.split == ax:
        ends = np.concatenate([[0], np.cumsum(keep)])[list(x.layout.offsets or ())]
        counts = tuple(int(c) for c in np.diff(ends))
        lo, hi = x.layout.range_of(x.comm.rank)
        keep = keep[lo:hi]
    rows = torch.as_tensor(np.flatnonzero(keep), device=x.larray.device)
    local = x.larray.index_select(ax, rows)
    return Array(local, Layout(shape, x.split, x.comm, counts))


# ---------------------------------------------------------------------------------- insert
def _insert_indices(obj: Any, n: int, axis: int) -> tuple[np.ndarray, bool]:
    """The insertion points of ``obj`` in ``[0, n]`` (negative ones wrapped), and whether
    ``obj`` is one scalar index (then ``values`` is inserted as one block)."""
    if isinstance(obj, slice):
        return np.arange(*obj.indices(n), dtype=np.int64), False
    idx = _host_index(obj)
    if idx.ndim > 1:
        raise ValueError("index array argument obj to insert must be one dimensional or scalar")
    if idx.dtype == bool:
        idx = np.flatnonzero(idx)
    if idx.dtype.kind not in "iu":
        raise TypeError("slice indices must be integers or None or have an __index__ method")
    idx = idx.astype(np.int64)
    bad = (idx < -n) | (idx > n)
    if bad.any():
        raise IndexError(f"index {idx[bad][0]} is out of bounds for axis {axis} with size {n}")
    return np.where(idx < 0, idx + n, idx).reshape(-1), idx.ndim == 0


def _block(v: Array | torch.Tensor, ndim: int, axis: int, scalar: bool) -> Array | torch.Tensor:
    """``values`` for one insertion point: leading axes of length one up to ``ndim`` (NumPy's
    ``ndmin``), and for a scalar index its first axis moved to ``axis``."""
    shape = (1,) * (ndim - len(v.shape)) + tuple(v.shape)
    if isinstance(v, Array):
        v = reshape(v, shape)
        return moveaxis(v, 0, axis) if scalar else v
    v = v.reshape(shape)
    return v.movedim(0, axis) if scalar else v


@register()
def insert(arr: Any, obj: Any, values: Any, axis: int | None = None) -> Array:
    """``values`` inserted into ``arr`` before the indices ``obj`` along ``axis`` (``None``:
    into the flattened ``arr``), as :func:`numpy.insert`.

    Parameters
    ----------
    arr : array_like
    obj : int, slice or sequence of int
        The insertion points, in ``[-n, n]`` for an axis of length ``n``. A scalar inserts
        ``values`` as one block (its first axis along ``axis``); a sequence or slice inserts
        one slice of ``values`` before each point (several at one point keep their order).
    values : array_like
        Cast to ``arr``'s dtype (NumPy's errors for Python values it cannot hold) and
        broadcast to the inserted slices.
    axis : int, optional

    Returns
    -------
    Array
        A new array. Along the split axis it is split along that axis and balanced: every
        rank writes the inserted values it owns, and ``arr``'s rows move to their new places
        in one ``alltoallv`` (none where they already sit on their rank; a split hpa
        ``values`` costs one more). Along another axis it keeps ``arr``'s layout and nothing
        is communicated. A split hpa ``obj`` is gathered (one ``allgatherv``).

    Notes
    -----
    NumPy accepts some negative multiple indices below ``-n`` and gives surprising results;
    here every index outside ``[-n, n]`` raises ``IndexError``.
    """
    x, ax = _along(arr, axis)
    n = x.shape[ax]
    idx, scalar = _insert_indices(obj, n, ax)
    v = _cast_values(values, x)
    if scalar or idx.size == 1:
        v = _block(v, x.ndim, ax, scalar)
        count = v.shape[ax]
        places = np.arange(idx[0], idx[0] + count)
    else:
        places = idx.copy()
        places[np.argsort(idx, kind="stable")] += np.arange(idx.size)
    shape = list(x.shape)
    shape[ax] = n + places.size
    counts = None if x.split in (None, ax) else x.counts
    lay = Layout(shape, x.split, x.comm, counts)
    out = Array(x.larray.new_empty(lay.lshape), lay)
    old = np.ones(shape[ax], dtype=bool)
    old[places] = False
    lead = (slice(None),) * ax
    device = x.larray.device
    setitem(out, (*lead, torch.as_tensor(old, device=device)), x)
    if places.size:
        setitem(out, (*lead, torch.as_tensor(places, device=device)), v)
    return out


# ---------------------------------------------------------------------------------- trimming
def _trim_axes(axis: int | Sequence[int] | None, ndim: int) -> list[int]:
    if axis is None:
        return list(range(ndim))
    seq = tuple(axis) if isinstance(axis, Sequence) else (axis,)
    axes = [normalize_axis(a, ndim) for a in seq]
    if len(set(axes)) != len(axes):
        raise ValueError("repeated axis in `axis` argument")
    return axes


def _nonzero_ends(x: Array, axes: list[int]) -> list[tuple[int, int]]:
    """Per axis, the global first and last positions holding a non-zero element (first
    ``_INT64_MAX`` when there is none): one ``allreduce`` of every rank's ends when ``x`` is
    distributed."""
    hits = x.larray != 0
    none = torch.full((1,), _INT64_MAX, dtype=torch.int64, device=hits.device)
    ends = []
    for d in axes:
        rows = hits.movedim(d, 0)
        line = rows.reshape(rows.shape[0], math.prod(rows.shape[1:])).any(1)
        shift = x.layout.range_of(x.comm.rank)[0] if x.split == d else 0
        pos = torch.arange(line.numel(), device=hits.device) + shift
        first = torch.cat([torch.where(line, pos, _INT64_MAX), none]).min()
        negated_last = torch.cat([torch.where(line, -pos, _INT64_MAX), none]).min()
        ends += [first, negated_last]
    part = torch.stack(ends)
    if x.layout.is_distributed:
        part = Partial(part, x.comm, ReduceOp.MIN).replicate()
    values = part.tolist()  # one read on the host
    return [(values[2 * i], -values[2 * i + 1]) for i in range(len(axes))]


@register()
def trim_zeros(filt: Any, trim: str = "fb", axis: int | Sequence[int] | None = None) -> Array:
    """``filt`` without its leading and/or trailing zeros along ``axis`` (every axis by
    default: the smallest box holding every non-zero element), as :func:`numpy.trim_zeros`.

    Parameters
    ----------
    filt : array_like
    trim : {"fb", "f", "b"}
        Trim from the front, the back or both (case-insensitive).
    axis : int or sequence of int, optional
        The axes to trim; ``None`` trims all.

    Returns
    -------
    Array
        A view of ``filt`` (an hpa array also for list input, where NumPy returns a list).
        Along the split axis every rank keeps its rows of the box, so the extents are ragged.
        Communication: one ``allreduce`` (two integers per trimmed axis) when ``filt`` is
        distributed, none otherwise.
    """
    x = coerce(filt)
    mode = trim.lower()
    if mode not in ("f", "b", "fb", "bf"):
        raise ValueError(f"unexpected character(s) in `trim`: {trim!r}")
    axes = _trim_axes(axis, x.ndim)
    if not axes:
        return x
    key = [slice(None)] * x.ndim
    for d, (first, last) in zip(axes, _nonzero_ends(x, axes)):
        if first == _INT64_MAX:
            key[d] = slice(0, 0)
        else:
            key[d] = slice(first if "f" in mode else 0, last + 1 if "b" in mode else x.shape[d])
    return getitem(x, tuple(key))


# ---------------------------------------------------------------------------------- resize
def _cyclic_ranges(start: int, stop: int, n: int) -> list[tuple[int, int]]:
    """The sorted, disjoint ranges of ``[0, n)`` that hold ``i % n`` for ``i`` in
    ``[start, stop)``."""
    if stop <= start:
        return []
    if stop - start >= n:
        return [(0, n)]
    lo = start % n
    hi = lo + stop - start
    return [(lo, hi)] if hi <= n else [(0, hi - n), (lo, n)]


def _repeated(flat: Array, spans: Callable[[int], tuple[int, int]]) -> torch.Tensor:
    """Elements ``i % n`` of the 1-D ``flat`` for ``i`` in this rank's ``spans(rank)``.

    ``spans(r)`` is rank ``r``'s range of the repeated sequence, known on every rank; a
    distributed ``flat`` sends every rank the elements it repeats in one ``alltoallv``.
    """
    n, t, comm = flat.shape[0], flat.larray, flat.comm
    want = torch.arange(*spans(comm.rank), device=t.device) % n
    if not flat.layout.is_distributed:
        return t[want]

    def wanted(r: int) -> list[tuple[int, int]]:
        return _cyclic_ranges(*spans(r), n)

    got = windows(t, flat.layout, wanted)
    ranges = wanted(comm.rank)
    firsts = torch.as_tensor([lo for lo, _ in ranges], dtype=torch.int64, device=t.device)
    sizes = [hi - lo for lo, hi in ranges]
    before = torch.as_tensor(np.cumsum([0, *sizes])[:-1], dtype=torch.int64, device=t.device)
    which = torch.searchsorted(firsts, want, right=True) - 1
    return got[want - firsts[which] + before[which]]


@register()
def resize(a: Any, new_shape: int | Sequence[int]) -> Array:
    """``a`` repeated in C order to fill ``new_shape``, as :func:`numpy.resize` (zeros when
    ``a`` or the result is empty).

    Returns
    -------
    Array
        Split along axis 0 and balanced when ``a`` is split (a 0-d result is replicated),
        replicated otherwise. Communication: :func:`hpa.ravel` (none for a split along axis
        0), then one ``alltoallv`` that brings every rank the elements of ``a`` its block
        repeats (the whole of ``a`` when the block is longer than ``a``).
    """
    x = coerce(a)
    if hasattr(type(new_shape), "__index__"):
        dims: tuple[int, ...] = (operator.index(new_shape),)  # type: ignore[arg-type]
    else:
        dims = tuple(operator.index(d) for d in new_shape)  # type: ignore[union-attr]
    if any(d < 0 for d in dims):
        raise ValueError("all elements of `new_shape` must be non-negative")
    lay = Layout(dims, 0 if x.split is not None and dims else None, x.comm)
    total = math.prod(dims)
    if x.size == 0 or total == 0:
        return Array(torch.zeros(lay.lshape, dtype=x.dtype.torch, device=x.larray.device), lay)
    row = math.prod(dims[1:])

    def spans(r: int) -> tuple[int, int]:
        if lay.split is None:
            return 0, total
        lo, hi = lay.range_of(r)
        return lo * row, hi * row

    return Array(_repeated(ravel(x), spans).reshape(lay.lshape), lay)


# ---------------------------------------------------------------------------------- axes
@register()
def rollaxis(a: Any, axis: int, start: int = 0) -> Array:
    """``a`` with ``axis`` moved to lie before position ``start``, the other axes in order, as
    :func:`numpy.rollaxis` (prefer :func:`hpa.moveaxis`). A view; no communication, the split
    axis follows its data."""
    x = coerce(a)
    n = x.ndim
    ax = normalize_axis(axis, n)
    at = operator.index(start)
    if not -n <= at < n + 1:
        raise AxisError(f"'start' arg requires {-n} <= start < {n + 1}, but {at} was passed in")
    at = at + n if at < 0 else at
    at = at - 1 if ax < at else at
    order = [d for d in range(n) if d != ax]
    order.insert(at, ax)
    return transpose(x, order)


# ---------------------------------------------------------------------------------- differences
def _end(values: Any, x: Array, name: str) -> Array | None:
    """``to_begin``/``to_end`` of :func:`ediff1d` flattened in ``x``'s dtype, or None."""
    if values is None:
        return None
    v = ravel(coerce(values, x))
    if not dtypes.can_cast(v.dtype, x.dtype, "same_kind"):
        raise TypeError(
            f"dtype of `{name}` must be compatible with input `ary` under the `same_kind` rule."
        )
    return v.astype(x.dtype)


@register()
def ediff1d(ary: Any, to_end: Any = None, to_begin: Any = None) -> Array:
    """The differences of consecutive elements of the flattened ``ary``, with ``to_begin``
    and ``to_end`` (flattened) around them, as :func:`numpy.ediff1d`.

    The result has ``ary``'s dtype (unsigned differences wrap, as in NumPy); the ends must
    cast to it under the ``same_kind`` rule (``TypeError`` otherwise), and a bool ``ary``
    raises ``TypeError`` as NumPy's subtraction does.

    Returns
    -------
    Array
        1-d, split along axis 0 and balanced when ``ary`` is split, replicated otherwise.
        Communication: :func:`hpa.ravel` (one ``alltoallv`` for a split other than 0), the
        rows after each block for :func:`hpa.diff` (one ``alltoallv``), and one ``alltoallv``
        that balances the result (with the ends joined in).
    """
    x = ravel(coerce(ary))
    if x.dtype.kind == "b":
        raise TypeError(
            "numpy boolean subtract, the `-` operator, is not supported, use the bitwise_xor, "
            "the `^` operator, or the logical_xor function instead."
        )
    begin, end = _end(to_begin, x, "to_begin"), _end(to_end, x, "to_end")
    steps = diff(x)
    if begin is None and end is None:
        return steps.balance()
    return concatenate([p for p in (begin, steps, end) if p is not None])


# ---------------------------------------------------------------------------------- writing
def _target_shape(arr: tuple[int, ...], index: tuple[int, ...], axis: int) -> tuple[int, ...]:
    """The shape ``B`` of the positions :func:`put_along_axis` writes: the index broadcast
    against ``arr`` outside ``axis``; NumPy's ``IndexError`` when they do not broadcast."""
    shape = list(index)
    for d, (n, m) in enumerate(zip(arr, index)):
        if d == axis or n == m or m == 1:
            shape[d] = m if d == axis else n
        elif n != 1:
            raise IndexError(
                "shape mismatch: indexing arrays could not be broadcast together with shapes "
                f"{arr} {index}"
            )
    return tuple(shape)


def _bounded(idx: torch.Tensor, n: int, axis: int, comm: Communicator | None) -> torch.Tensor:
    """``idx`` with negative entries wrapped; IndexError when any is out of bounds. ``comm``:
    ``idx`` is one rank's part, the ranks agree in one ``allreduce`` (None: ``idx`` is the
    whole index, every rank raises alike)."""
    if comm is None:
        return wrapped_indices(idx, n, axis)
    if any_rank(bool(((idx < -n) | (idx >= n)).any()), comm):
        raise IndexError(f"index out of bounds for axis {axis} with size {n}")
    return torch.where(idx < 0, idx + n, idx)


def _put_local(
    arr: Array, index: torch.Tensor | Array, value: Array | torch.Tensor, axis: int,
    shape: tuple[int, ...],
) -> None:  # fmt: skip
    """:func:`put_along_axis` where each rank writes into its own block: ``arr`` replicated,
    or split along another axis than ``axis`` that the index does not broadcast along."""
    lay = Layout(shape, arr.split, arr.comm, arr.counts)
    n = arr.shape[axis]
    local = lay.lshape
    if isinstance(index, Array):
        s = arr.split
        part = s is not None and index.shape[s] == shape[s]  # each rank gets a part of it
        idx = _bounded(local_block(index, lay), n, axis, arr.comm if part else None)
    else:
        idx = local_block(_bounded(index, n, axis, None), lay)  # checked whole, on every rank
    idx = idx.expand(local)
    vals = torch.broadcast_to(local_block(fit_value(value, shape), lay), local)
    t = arr.larray
    coords = []
    for d, m in enumerate(t.shape):
        if d == axis:
            coords.append(idx)
            continue
        at = [1] * t.dim()
        at[d] = m
        coords.append(torch.arange(m, device=t.device).reshape(at).expand(local))
    flat = [c.reshape(-1) for c in coords]
    position = torch.zeros_like(flat[0])
    for d, c in enumerate(flat):
        position = position + c * math.prod(t.shape[d + 1 :])
    keep = last_occurrence(position)
    t.index_put_(tuple(c[keep] for c in flat), vals.reshape(-1)[keep].to(t.dtype))


@register()
def put_along_axis(arr: Array, indices: Any, values: Any, axis: int | None) -> None:
    """Write ``values`` into ``arr`` at ``indices`` along ``axis``, in place, as
    :func:`numpy.put_along_axis` (the inverse of :func:`hpa.take_along_axis`).

    Parameters
    ----------
    arr : Array
        The array written to.
    indices : array_like of int
        As many axes as ``arr`` (one with ``axis=None``); the other axes broadcast against
        ``arr``'s. Negative indices count from the end; of repeated positions the last value
        wins, as in NumPy.
    values : array_like
        Broadcast to the positions written, cast to ``arr``'s dtype.
    axis : int or None
        The axis to write along; ``None`` writes into the flattened ``arr``.

    Notes
    -----
    Communication: none when ``arr`` is replicated (a split ``indices`` or ``values`` is
    gathered, one ``allgatherv``) or split along another axis than ``axis``: every rank
    writes its own block, ``indices`` and ``values`` replicated or laid out like ``arr``
    (others are moved to ``arr``'s blocks, one ``alltoallv`` each); a split ``indices`` adds
    one ``allreduce`` that agrees on its bounds. When ``arr`` is split along ``axis`` (or
    ``axis`` is None), the writes are :func:`hpa.setitem` (:func:`hpa.put`) with integer
    arrays: a split ``indices`` is gathered, replicated values are written by their owners.
    """
    if not isinstance(arr, Array):
        raise TypeError("put_along_axis needs an hpa array to write into")
    index = as_index(indices, arr)
    if is_mask(index):
        raise IndexError("`indices` must be an integer array")
    value = _cast_values(values, arr)
    if axis is None:
        if len(index.shape) != 1:
            raise ValueError("when axis=None, `indices` must have a single dimension.")
        whole = tuple(index.shape)
        spread = fit_value(value, whole)
        if isinstance(spread, Array):
            put(arr, index, broadcast_to(spread, whole))
        else:
            put(arr, index, spread.expand(whole))
        return
    if len(index.shape) != arr.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    ax = normalize_axis(axis, arr.ndim)
    shape = _target_shape(arr.shape, tuple(index.shape), ax)
    s = arr.split
    if s is None or (s != ax and shape[s] == arr.shape[s]):
        _put_local(arr, index, value, ax, shape)
        return
    key = []
    for d, n in enumerate(arr.shape):
        at = [1] * arr.ndim
        at[d] = n
        key.append(index if d == ax else torch.arange(n, device=arr.larray.device).reshape(at))
    setitem(arr, tuple(key), value)


# ---------------------------------------------------------------------------------- sorting
_SMALL = (dtypes.int8, dtypes.int16, dtypes.uint8, dtypes.uint16)


def _complex_sorted(t: torch.Tensor) -> torch.Tensor:
    """``t`` sorted along its last axis by real part, then imaginary part (stable sorts: the
    imaginary parts first, then the real parts; NaN last, as in NumPy)."""
    by_imag = torch.sort(t.imag, dim=-1, stable=True).indices
    by_real = torch.sort(torch.take_along_dim(t.real, by_imag, -1), dim=-1, stable=True).indices
    return torch.take_along_dim(t, torch.take_along_dim(by_imag, by_real, -1), -1)


@register()
def sort_complex(a: Any) -> Array:
    """``a`` sorted along its last axis by real part, then imaginary part, as a complex array
    (complex64 for 8- and 16-bit integers, complex128 for other real dtypes, a complex dtype
    kept), as :func:`numpy.sort_complex`.

    Communication: none unless the last axis is the split axis of a distributed ``a`` (the
    result keeps ``a``'s layout). Along a split last axis: a real ``a`` as :func:`hpa.sort`
    (the sample sort, ragged extents); a complex one with :func:`hpa.lexsort` of its real and
    imaginary parts, then :func:`hpa.take_along_axis`.
    """
    x = coerce(a)
    last = normalize_axis(-1, x.ndim)
    if x.dtype.kind != "c":
        out = dtypes.complex64 if x.dtype in _SMALL else dtypes.complex128
        return sort(x, axis=-1).astype(out)
    if x.split == last and x.layout.is_distributed:
        return take_along_axis(x, lexsort((x.imag, x.real), axis=-1), axis=-1)
    return Array(_complex_sorted(x.larray), x.layout)
