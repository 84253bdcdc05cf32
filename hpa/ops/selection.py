"""Advanced indexing (integer arrays, boolean masks) and the selection functions built on it.

Index arrays may be lists, NumPy arrays, torch tensors or hpa arrays. Replicated index data
(everything but a distributed hpa array) is known on every rank, so every rank computes the
whole plan by itself and bounds errors are raised everywhere without communication.

Communication, by case (``p`` processes):

===========================================  ==================================================
operation                                     communication
===========================================  ==================================================
``x[idx]`` along a non-split axis             none (a distributed ``idx`` with a replicated
                                              ``x``: one ``allreduce`` to agree on bounds, the
                                              result keeps ``idx``'s extents; with a split
                                              ``x``: one ``allgatherv`` of ``idx``)
``x[idx]`` along the split axis               one ``alltoallv`` of rows: every rank knows the
                                              whole index, so owners know what to send and no
                                              request round is needed; a distributed ``idx``
                                              is first gathered (one ``allgatherv`` of
                                              indices, one integer per row: small next to the
                                              rows). The result is balanced, or keeps a
                                              distributed ``idx``'s extents.
``x[mask]``, mask of ``x``'s shape            split 0 (or None): local, each rank keeps its
                                              selected elements (ragged result); a replicated
                                              mask gives the extents locally, a distributed
                                              one by one ``allgather`` of counts. A mask in
                                              another layout is aligned to ``x`` first (as in
                                              elementwise operations). Split ``k > 0``: the C
                                              order of the selection interleaves the ranks,
                                              so ``x`` is resplit to 0 first (one
                                              ``alltoallv``).
``x[mask]`` along one axis (1-D mask)         along the split axis as a full mask; along
                                              another axis local (a distributed mask is
                                              gathered: one ``allgatherv``)
``x[mask] = v``                               scalar ``v``: local; array ``v``: the extents
                                              as for reading, then ``v`` is moved to them;
                                              split ``k > 0``: resplit to 0 and back
``x[idx] = v`` along the split axis           replicated ``v``: local, each owner writes its
                                              rows; distributed ``v``: one ``alltoallv`` of
                                              rows to their owners
``nonzero``/``argwhere``/``flatnonzero``      split 0/None: local + one ``allgather`` of
                                              counts; split ``k > 0``: resplit to 0 first
``take_along_axis``                           the result is split like a split index, else
                                              along ``a``'s split axis, else replicated; none
                                              when ``a`` is replicated or split like the
                                              result, else one to three ``alltoallv`` (table
                                              in its docstring); a split index adds one
                                              ``allreduce`` for its bounds
===========================================  ==================================================

Repeated indices in an assignment keep the last value, as in NumPy.
"""

from __future__ import annotations

import math
from typing import Any, cast

import numpy as np
import torch

from hpa.comm.base import Communicator, ReduceOp
from hpa.core.align import as_local_tensor, broadcast_shapes, local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial, fetch, gather_counts, route_by_owner
from hpa.core.layout import Layout, normalize_axis
from hpa.core.redistribute import redistribute
from hpa.ops.creation import coerce
from hpa.ops.manipulation import ravel, reshape

__all__ = [
    "argwhere", "compress", "extract", "flatnonzero", "nonzero", "put", "take", "take_along_axis",
]  # fmt: skip

Index = torch.Tensor | Array  # replicated index data, or a distributed hpa array

_INT64_MAX = torch.iinfo(torch.int64).max


# ---------------------------------------------------------------------------------- helpers


def is_array_index(k: Any) -> bool:
    """Whether ``k`` is an advanced index (list, NumPy, torch or hpa array)."""
    return isinstance(k, (list, np.ndarray, torch.Tensor, Array))


def as_index(k: Any, like: Array) -> Index:
    """``k`` as an index: a tensor (replicated) or a distributed hpa array; bool or int64."""
    if isinstance(k, Array):
        if k.comm is not like.comm:
            raise ValueError("the index lives on a different communicator")
        kind = k.dtype.kind
        if kind not in "biu":
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
        if kind != "b" and k.dtype.torch != torch.int64:
            k = k.astype(torch.int64)
        return k if k.split is not None else k.larray
    if isinstance(k, torch.Tensor):
        t = k.to(like.larray.device)
    else:
        arr = np.asarray(k)
        if arr.size == 0 and arr.dtype.kind == "f":
            arr = arr.astype(np.int64)
        if arr.dtype.kind not in "biu":
            raise IndexError("arrays used as indices must be of integer (or boolean) type")
        arr = arr.astype(np.int64) if arr.dtype.kind == "u" else arr
        t = as_local_tensor(arr, like.larray.device)
    if t.dtype == torch.bool:
        return t
    if t.is_floating_point() or t.is_complex():
        raise IndexError("arrays used as indices must be of integer (or boolean) type")
    return t.to(torch.int64)


def is_mask(k: Index) -> bool:
    return (
        k.dtype.kind if isinstance(k, Array) else ("b" if k.dtype == torch.bool else "i")
    ) == "b"


def _gathered(k: Index) -> torch.Tensor:
    """The whole index on every rank (one ``allgatherv`` for a distributed one)."""
    if isinstance(k, Array):
        return k.gather() if k.layout.is_distributed else k.larray
    return k


def _check_bounds(lo: int, hi: int, n: int, axis: int) -> None:
    """NumPy's ``IndexError`` when the smallest index ``lo`` or the largest ``hi`` is out of
    bounds for an axis of length ``n``."""
    if lo < -n or hi >= n:
        bad = hi if hi >= n else lo
        raise IndexError(f"index {bad} is out of bounds for axis {axis} with size {n}")


def wrapped_indices(idx: torch.Tensor, n: int, axis: int) -> torch.Tensor:
    """Replicated ``idx`` with negative entries wrapped; ``IndexError`` (on every rank) if out
    of bounds."""
    if idx.numel():
        lo, hi = torch.stack([idx.min(), idx.max()]).tolist()  # one read on the host
        _check_bounds(lo, hi, n, axis)
    return torch.where(idx < 0, idx + n, idx)


def _agreed(idx: torch.Tensor, n: int, axis: int, comm: Communicator) -> torch.Tensor:
    """Like :func:`wrapped_indices` for one rank's part of an index: the extremes of every
    part travel in one ``allreduce``, so every rank raises the same ``IndexError``."""
    if idx.numel():
        ends = torch.stack([idx.max(), -idx.min().clamp(min=-_INT64_MAX)])
    else:
        ends = torch.full((2,), -_INT64_MAX, dtype=torch.int64, device=idx.device)
    hi, negated_lo = Partial(ends, comm, ReduceOp.MAX).replicate().tolist()  # one read
    _check_bounds(-negated_lo, hi, n, axis)  # the identities of empty parts pass
    return torch.where(idx < 0, idx + n, idx)


def _gathered_counts(k: int, comm: Communicator) -> tuple[int, ...]:
    """Every rank's ``k`` (one ``allgather``)."""
    return tuple(gather_counts(comm, [k]).reshape(-1).tolist())


def _range_counts(mask: torch.Tensor, layout: Layout) -> tuple[int, ...]:
    """Selected elements of a replicated ``mask`` (leading axis = ``layout``'s split 0) per rank."""
    rows = mask.flatten(1).sum(1, dtype=torch.int64) if mask.dim() > 1 else mask.to(torch.int64)
    rows = rows.cumsum(0)
    ends = torch.cat([rows.new_zeros(1), rows])
    offsets = torch.tensor(layout.offsets, device=ends.device)
    return tuple(ends[offsets].diff().tolist())


def last_occurrence(idx: torch.Tensor) -> torch.Tensor:
    """Ascending positions of ``idx`` holding the last occurrence of each value."""
    if idx.numel() < 2:
        return torch.arange(idx.numel(), device=idx.device)
    values, order = torch.sort(idx, stable=True)
    keep = torch.ones_like(values, dtype=torch.bool)
    keep[:-1] = values[1:] != values[:-1]
    return order[keep].sort().values


def _with_axis(shape: tuple[int, ...], axis: int, n: int) -> tuple[int, ...]:
    return (*shape[:axis], n, *shape[axis + 1 :])


def fit_value(value: Array | torch.Tensor, shape: tuple[int, ...]) -> Array | torch.Tensor:
    """``value`` checked to broadcast to ``shape``, without extra leading length-1 axes."""
    vshape = tuple(value.shape)
    extra = len(vshape) - len(shape)
    if (extra > 0 and any(n != 1 for n in vshape[:extra])) or broadcast_shapes(
        vshape[max(extra, 0) :], shape
    ) != shape:
        raise ValueError(f"could not broadcast input array from shape {vshape} into shape {shape}")
    if extra <= 0:
        return value
    if isinstance(value, torch.Tensor):
        return value.reshape(vshape[extra:])
    if value.split is not None and value.split < extra:
        value = value.resplit(None)
    split = None if value.split is None else value.split - extra
    layout = Layout(vshape[extra:], split, value.comm, value.counts)
    return Array(value.larray.reshape(value.larray.shape[extra:]), layout)


# ---------------------------------------------------------------------------------- integer arrays
def take_axis(x: Array, index: Index, axis: int) -> Array:
    """``x`` indexed along ``axis`` by the 1-D integer ``index``; see the module docstring."""
    n, comm = x.shape[axis], x.comm
    if isinstance(index, Array) and x.split is None:
        idx = _agreed(index.larray, n, axis, comm)
        shape = _with_axis(x.shape, axis, index.shape[0])
        return Array(x.larray.index_select(axis, idx), Layout(shape, axis, comm, index.counts))
    counts = index.counts if isinstance(index, Array) else None
    idx = wrapped_indices(_gathered(index), n, axis)
    shape = _with_axis(x.shape, axis, idx.numel())
    if x.split != axis:
        return Array(x.larray.index_select(axis, idx), Layout(shape, x.split, comm, x.counts))
    out = Layout(shape, axis, comm, counts)
    if not x.layout.is_distributed:
        return Array(x.larray.index_select(axis, idx), out)
    return Array(_fetch_rows(x, idx, out), out)


def _fetch_rows(x: Array, idx: torch.Tensor, out: Layout) -> torch.Tensor:
    """This rank's block of ``out``: rows ``idx`` of ``x`` along its split axis (one
    ``alltoallv``; every rank knows the whole ``idx``, so owners know what to send)."""
    axis = out.split
    assert axis is not None and out.counts is not None
    block = fetch(x.larray.movedim(axis, 0), x.layout, idx, out.counts)
    return block.movedim(0, axis).contiguous()


def put_axis(x: Array, index: Index, value: Array | torch.Tensor, axis: int) -> None:
    """``x[..., index, ...] = value`` with a 1-D integer ``index`` at ``axis``; a distributed
    ``index`` is gathered (one ``allgatherv``). See the module docstring."""
    idx = wrapped_indices(_gathered(index), x.shape[axis], axis)
    shape = _with_axis(x.shape, axis, idx.numel())
    value = fit_value(value, shape)
    keep = last_occurrence(idx)
    t = x.larray
    if x.split != axis or not x.layout.is_distributed:
        sel = Layout(shape, x.split, x.comm, x.counts if x.split != axis else None)
        v = torch.broadcast_to(local_block(value, sel), sel.lshape)
        t.index_copy_(axis, idx[keep], v.index_select(axis, keep).to(t.dtype))
        return
    lo, hi = x.layout.range_of(x.comm.rank)
    if isinstance(value, Array) and value.split is not None:
        _send_rows(x, idx, keep, value, shape)
        return
    v = torch.broadcast_to(value.larray if isinstance(value, Array) else value, shape)
    mine = keep[(idx[keep] >= lo) & (idx[keep] < hi)]
    t.index_copy_(axis, idx[mine] - lo, v.index_select(axis, mine).to(t.dtype))


def _send_rows(
    x: Array, idx: torch.Tensor, keep: torch.Tensor, value: Array, shape: tuple[int, ...]
) -> None:
    """Write rows of a distributed ``value`` at rows ``idx[keep]`` of ``x``'s split axis: the
    value is aligned to a balanced selection layout, then rows go to their owners (one
    ``alltoallv`` after the value's own redistribution)."""
    lay, comm, axis = x.layout, x.comm, x.split
    assert axis is not None
    me, dev = comm.rank, idx.device
    sel = Layout(shape, axis, comm)
    v = torch.broadcast_to(local_block(value, sel), sel.lshape).movedim(axis, 0)
    plo, phi = sel.range_of(me)
    assert lay.offsets is not None and sel.offsets is not None
    ends = torch.tensor(lay.offsets[1:], device=dev)
    held = keep[(keep >= plo) & (keep < phi)]
    dest = torch.searchsorted(ends, idx[held], right=True)
    send = v.index_select(0, held - plo).to(x.dtype.torch)
    owned = keep[torch.searchsorted(ends, idx[keep], right=True) == me]
    source = torch.searchsorted(torch.tensor(sel.offsets[1:], device=dev), owned, right=True)
    recv_counts = torch.bincount(source, minlength=comm.size).tolist()
    got = route_by_owner(send, dest, comm, recv_counts).rows
    rows = idx[owned] - lay.offsets[me]
    x.larray.index_copy_(axis, rows, got.movedim(0, axis))


# ---------------------------------------------------------------------------------- boolean masks
def mask_axis(x: Array, mask: Index, axis: int) -> Array:
    """``x`` selected along ``axis`` by the 1-D boolean ``mask``; see the module docstring."""
    n = x.shape[axis]
    if mask.shape[0] != n:
        raise IndexError(
            f"boolean index did not match indexed array along axis {axis}; size of axis is "
            f"{n} but size of corresponding boolean axis is {mask.shape[0]}"
        )
    if x.split != axis or not x.layout.is_distributed:
        pos = _gathered(mask).nonzero()[:, 0]
        shape = _with_axis(x.shape, axis, pos.numel())
        split = x.split
        counts = x.counts if split != axis else None
        return Array(x.larray.index_select(axis, pos), Layout(shape, split, x.comm, counts))
    local = local_block(mask, Layout((n,), 0, x.comm, x.counts))
    pos = local.nonzero()[:, 0]
    if isinstance(mask, Array):
        counts = _gathered_counts(pos.numel(), x.comm)
    else:
        counts = _range_counts(mask, Layout((n,), 0, x.comm, x.counts))
    shape = _with_axis(x.shape, axis, sum(counts))
    return Array(x.larray.index_select(axis, pos), Layout(shape, axis, x.comm, counts))


def _check_mask_shape(x: Array, mask: Index) -> None:
    for axis, (n, m) in enumerate(zip(x.shape, mask.shape)):
        if n != m:
            raise IndexError(
                f"boolean index did not match indexed array along axis {axis}; size of axis "
                f"is {n} but size of corresponding boolean axis is {m}"
            )


def _mask_blocks(x: Array, mask: Index) -> tuple[torch.Tensor, torch.Tensor, Layout, bool]:
    """Aligned blocks ``(x, mask)`` of a layout split along 0 or replicated, that layout, and
    whether the mask was replicated (so per-rank counts need no communication)."""
    if x.layout.is_distributed:
        if x.split != 0:
            x = x.resplit(0)
        return x.larray, local_block(mask, x.layout), x.layout, not isinstance(mask, Array)
    if isinstance(mask, Array):  # a replicated x, a distributed mask: follow the mask
        if mask.split != 0:
            mask = mask.resplit(0)
        lo, hi = mask.layout.range_of(mask.comm.rank)
        return x.larray.narrow(0, lo, hi - lo), mask.larray, mask.layout, False
    return x.larray, mask, x.layout, True


def mask_full(x: Array, mask: Index) -> Array:
    """``x[mask]`` for a mask of ``x``'s shape: the selected elements in C order (1-D)."""
    _check_mask_shape(x, mask)
    if x.ndim == 1:
        return mask_axis(x, mask, 0)
    t, m, lay, replicated = _mask_blocks(x, mask)
    values = t[m]
    if not lay.is_distributed:
        split = None if lay.split is None else 0
        return Array(values, Layout(tuple(values.shape), split, x.comm))
    counts = (
        _range_counts(cast(torch.Tensor, mask), lay)
        if replicated
        else _gathered_counts(values.numel(), x.comm)
    )
    return Array(values, Layout((sum(counts),), 0, x.comm, counts))


def set_mask_full(x: Array, mask: Index, value: Array | torch.Tensor) -> None:
    """``x[mask] = value`` for a mask of ``x``'s shape; see the module docstring."""
    _check_mask_shape(x, mask)
    if math.prod(value.shape) == 1 and len(value.shape) <= 1:  # broadcasts to any count
        v = _gathered(value) if isinstance(value, Array) else value
        x.larray[local_block(mask, x.layout)] = v.reshape(()).to(x.dtype.torch)
        return
    if x.layout.is_distributed and x.split != 0:
        y = x.resplit(0)
        set_mask_full(y, mask, value)
        x.larray.copy_(local_block(y, x.layout))
        return
    m = local_block(mask, x.layout)
    selected = int(m.sum())
    if not x.layout.is_distributed:
        counts: tuple[int, ...] | None = None
        total = selected
    else:
        replicated = not isinstance(mask, Array)
        counts = (
            _range_counts(cast(torch.Tensor, mask), x.layout)
            if replicated
            else _gathered_counts(selected, x.comm)
        )
        total = sum(counts)
    if len(value.shape) > 1 or value.shape[0] not in (1, total):
        raise ValueError(
            f"NumPy boolean array indexing assignment cannot assign {math.prod(value.shape)} "
            f"input values to the {total} output values where the mask is true"
        )
    sel = Layout((total,), None if counts is None else 0, x.comm, counts)
    v = torch.broadcast_to(local_block(value, sel), (selected,))
    x.larray[m] = v.to(x.dtype.torch)


# ---------------------------------------------------------------------------------- public API
@register()
def take(a: Any, indices: Any, axis: int | None = None) -> Array:
    """Elements of ``a`` at ``indices`` along ``axis`` (of the flattened array by default).

    Communicates as integer-array indexing (module docstring); ``axis=None`` ravels ``a``
    first, and indices of more than one dimension reshape the result.
    """
    a = coerce(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = normalize_axis(axis, a.ndim)
    index = as_index(indices, a)
    if is_mask(index):
        raise IndexError("take needs integer indices")
    ishape = tuple(index.shape)
    if len(ishape) != 1:
        index = ravel(index) if isinstance(index, Array) else index.reshape(-1)
    out = take_axis(a, index, axis)
    if len(ishape) == 1:
        return out
    return reshape(out, (*a.shape[:axis], *ishape, *a.shape[axis + 1 :]))


@register()
def take_along_axis(a: Any, indices: Any, axis: int | None = -1) -> Array:
    """``a`` picked along ``axis`` at ``indices``, as :func:`numpy.take_along_axis`.

    Parameters
    ----------
    a : array_like
        The values.
    indices : array_like of int
        As many axes as ``a``; the other axes broadcast against ``a``'s. An hpa array of any
        split, or replicated data (list, NumPy, torch).
    axis : int or None
        The axis to pick along; ``None`` picks from the flattened ``a`` (``indices`` is
        flattened too).

    Returns
    -------
    Array
        The picked values, of ``indices``'s length along ``axis``. The layout follows from the
        splits alone, so it is the same at every process count: split like ``indices`` when
        that is a split hpa array (its axis and extents); otherwise split along ``a``'s split
        axis (with ``a``'s extents, or balanced when ``a`` is split along ``axis`` itself);
        replicated when neither is split. An operand split along an axis it broadcasts along
        counts as not split. A 1-D ``a`` goes through :func:`take`, which follows the same
        rule.

    Notes
    -----
    Communication at more than one process, by the split of the result and of ``a``; a split
    ``indices`` adds one ``allreduce`` that agrees on its bounds.

    ========================================  =============================================
    result, ``a``                             collectives
    ========================================  =============================================
    ``a`` replicated; or the result split     none
    like ``a``
    result split along another axis than      one ``alltoallv``: ``a`` is moved to the
    ``axis``, ``a`` split otherwise           result's blocks
    both split along ``axis`` (``indices``    one ``alltoallv``: each element comes from the
    replicated)                               owner of its line of ``a`` (every rank knows
                                              the whole index, so no request travels)
    result split along ``axis``, ``a`` along  two ``alltoallv``: ``indices`` is moved to
    another axis                              ``a``'s blocks, the result to ``indices``'s
    both split along ``axis`` (``indices``    three ``alltoallv``: ``a`` and ``indices`` are
    split too)                                resplit along the longest other axis, the
                                              result back
    ========================================  =============================================

    An operand split along an axis it broadcasts along is gathered instead (one
    ``allgatherv``).
    """
    a = coerce(a)
    if axis is None:
        a = ravel(a)
        indices = ravel(indices) if isinstance(indices, Array) else np.ravel(indices)
        axis = 0
    index = as_index(indices, a)
    if is_mask(index):
        raise IndexError("`indices` must be an integer array")
    if len(index.shape) != a.ndim:
        raise ValueError("`indices` and `arr` must have the same number of dimensions")
    axis = normalize_axis(axis, a.ndim)
    if a.ndim == 1:
        return take(a, index, 0)
    rest = broadcast_shapes(_with_axis(a.shape, axis, 1), _with_axis(tuple(index.shape), axis, 1))
    shape = _with_axis(rest, axis, index.shape[axis])
    out = _along_layout(a, index, shape, axis)
    n = a.shape[axis]
    if not isinstance(index, Array):  # checked whole, so that every rank raises
        index = wrapped_indices(index, n, axis)
        if a.split == axis and a.layout.is_distributed:
            return Array(_fetch_along(a, index, out, axis), out)
    work = _working_layout(a, out, axis)
    idx = local_block(index, work)
    if isinstance(index, Array):
        idx = _agreed(idx, n, axis, a.comm)
    src = _source_block(a, work, axis)
    lshape = _with_axis(work.lshape, axis, n)
    picked = torch.take_along_dim(src.expand(lshape), idx.expand(work.lshape), axis)
    return Array(redistribute(picked, work, out), out)


def _along_layout(a: Array, index: Index, shape: tuple[int, ...], axis: int) -> Layout:
    """The layout of :func:`take_along_axis`'s result, from the splits alone: a split
    ``index``'s, else along ``a``'s split axis (balanced along ``axis``), else replicated."""
    if isinstance(index, Array):
        s = index.split
        assert s is not None  # as_index gives a replicated index as a tensor
        if index.shape[s] == shape[s]:
            return Layout(shape, s, a.comm, index.counts)
    s = a.split
    if s == axis:
        return Layout(shape, axis, a.comm)
    if s is not None and a.shape[s] == shape[s]:
        return Layout(shape, s, a.comm, a.counts)
    return Layout(shape, None, a.comm)


def _working_layout(a: Array, out: Layout, axis: int) -> Layout:
    """A layout of the result's shape in which each rank picks its block from its own blocks.

    ``out`` itself, unless ``out`` is split along ``axis`` and ``a`` is distributed (its blocks
    do not hold whole lines along ``axis``): then ``a``'s layout when ``a`` is split along
    another axis, else a balanced split along the longest other axis that ``a`` does not
    broadcast along (``out`` when there is none: ``a`` is gathered).
    """
    if out.split != axis or not a.layout.is_distributed:
        return out
    shape, s = out.gshape, a.split
    assert s is not None
    if s != axis and a.shape[s] == shape[s]:
        return Layout(shape, s, out.comm, a.counts)
    others = [d for d in range(len(shape)) if d != axis and a.shape[d] == shape[d]]
    if not others:
        return out
    return Layout(shape, max(others, key=lambda d: shape[d]), out.comm)


def _source_block(a: Array, work: Layout, axis: int) -> torch.Tensor:
    """The part of ``a`` that meets this rank's block of ``work``: whole along ``axis`` and cut
    like ``work`` elsewhere; the whole of ``a`` when ``work`` is not split along another axis
    or ``a`` broadcasts along ``work``'s split axis."""
    s = work.split
    if s is None or s == axis or a.shape[s] != work.gshape[s]:
        return _gathered(a)
    return redistribute(a.larray, a.layout, Layout(a.shape, s, a.comm, work.counts))


def _fetch_along(a: Array, idx: torch.Tensor, out: Layout, axis: int) -> torch.Tensor:
    """This rank's block of ``out`` (split along ``axis``, as ``a`` is) given the whole wrapped
    index ``idx``: every element is fetched from the owner of its line of ``a``, one
    ``alltoallv`` (every rank knows the whole index, so the owners know what to send)."""
    assert a.counts is not None and out.counts is not None
    lines, rest = _with_axis(a.shape, axis, 1), _with_axis(out.gshape, axis, 1)
    width, per_row = math.prod(lines), math.prod(rest)
    flat = Layout((a.shape[axis] * width,), 0, a.comm, [c * width for c in a.counts])
    values = a.larray.movedim(axis, 0).reshape(-1)
    line = torch.arange(width, device=idx.device).reshape(lines).expand(rest)
    at = (idx.expand(out.gshape) * width + line).movedim(axis, 0).reshape(-1)
    got = fetch(values, flat, at, [c * per_row for c in out.counts])
    local = out.lshape
    return got.reshape(local[axis], *local[:axis], *local[axis + 1 :]).movedim(0, axis).contiguous()


@register()
def put(a: Array, ind: Any, v: Any) -> None:
    """``a.flat[ind] = v`` in place (``v`` repeats when shorter; the last of repeated indices
    wins). Replicated ``ind`` and ``v``: local, each rank writes the elements it owns; a
    distributed ``ind`` or ``v`` is gathered first (one ``allgatherv`` each)."""
    if not isinstance(a, Array):
        raise TypeError("put needs an hpa array to write into")
    index = as_index(ind, a)
    idx = wrapped_indices(_gathered(index).reshape(-1), a.size, 0)
    given = _gathered(v) if isinstance(v, Array) else as_local_tensor(v, a.larray.device)
    vals = given.reshape(-1)
    if idx.numel() == 0 or vals.numel() == 0:
        return
    vals = vals[torch.arange(idx.numel(), device=vals.device) % vals.numel()]
    keep = last_occurrence(idx)
    coords = list(torch.unravel_index(idx[keep], a.shape)) if a.ndim else []
    vals = vals[keep]
    if a.split is not None and coords:
        lo, hi = a.layout.range_of(a.comm.rank)
        c = coords[a.split]
        mine = (c >= lo) & (c < hi)
        coords = [k[mine] for k in coords]
        coords[a.split] = coords[a.split] - lo
        vals = vals[mine]
    if not coords:
        a.larray.fill_(vals[-1].item())
        return
    a.larray.index_put_(tuple(coords), vals.to(a.dtype.torch))


@register()
def nonzero(a: Any) -> tuple[Array, ...]:
    """Indices of the non-zero elements, one 1-D array per axis, in C order.

    The index arrays hold global coordinates and are split like the ravelled result: each
    rank keeps the coordinates of its own elements (ragged, extents by one ``allgather`` of
    counts). An array split along ``k > 0`` is resplit to 0 first (one ``alltoallv``).
    """
    coords, layout = _coordinates(coerce(a))
    return tuple(Array(coords[:, i].contiguous(), layout) for i in range(coords.shape[1]))


def _coordinates(a: Array) -> tuple[torch.Tensor, Layout]:
    if a.ndim == 0:
        raise ValueError("Calling nonzero on 0d arrays is not allowed; use atleast_1d first")
    if a.layout.is_distributed and a.split != 0:
        a = a.resplit(0)
    coords = a.larray.nonzero()
    if not a.layout.is_distributed:
        split = None if a.split is None else 0
        return coords, Layout((coords.shape[0],), split, a.comm)
    coords[:, 0] += a.layout.offsets[a.comm.rank]  # type: ignore[index]
    counts = _gathered_counts(coords.shape[0], a.comm)
    return coords, Layout((sum(counts),), 0, a.comm, counts)


@register()
def argwhere(a: Any) -> Array:
    """Coordinates of the non-zero elements as rows of an ``(N, a.ndim)`` array; communicates
    as :func:`nonzero` (the rows are split along axis 0)."""
    a = coerce(a)
    if a.ndim == 0:
        t = a.larray.new_empty((int(bool(a.larray != 0)), 0), dtype=torch.int64)
        return Array(t, Layout(tuple(t.shape), None, a.comm))
    coords, layout = _coordinates(a)
    split = layout.split
    return Array(coords, Layout((layout.gshape[0], a.ndim), split, a.comm, layout.counts))


@register()
def flatnonzero(a: Any) -> Array:
    """Indices of the non-zero elements of the flattened array; ravels, then :func:`nonzero`."""
    return nonzero(ravel(coerce(a)))[0]


@register()
def compress(condition: Any, a: Any, axis: int | None = None) -> Array:
    """The slices of ``a`` along ``axis`` where the 1-D ``condition`` is true.

    A condition as long as the axis is a boolean mask along it (module docstring); a shorter
    one selects among the first entries (a longer one may only be true within the axis).
    """
    a = coerce(a)
    if axis is None:
        a, axis = ravel(a), 0
    axis = normalize_axis(axis, a.ndim)
    given = condition.astype(bool) if isinstance(condition, Array) else np.asarray(condition, bool)
    cond = as_index(given, a)
    if len(cond.shape) != 1:
        raise ValueError("condition must be a 1-d array")
    if cond.shape[0] == a.shape[axis]:
        return mask_axis(a, cond, axis)
    return take_axis(a, _gathered(cond).nonzero()[:, 0], axis)


@register()
def extract(condition: Any, arr: Any) -> Array:
    """The elements of ``arr`` where ``condition`` is non-zero, in C order (1-D); as
    :func:`compress` on the ravelled arrays."""
    arr = coerce(arr)
    flat = ravel(condition) if isinstance(condition, Array) else np.ravel(condition)
    return compress(flat, ravel(arr) if arr.ndim != 1 else arr)
