"""Indexing for reading and writing: integers, slices, ``...``, ``None``, integer arrays and
boolean masks, with NumPy's semantics.

Views. As in NumPy, basic indexing (integers, slices, ``...``, ``None``) returns a view: the
result's blocks share memory with ``x``'s, so writing to it writes to ``x``. Two exceptions
return a copy: a negative step on any axis (torch tensors have no negative strides), and an
integer on the split axis of a distributed array (the owner's data are broadcast; a view on
the owner only would let the replicated result differ between ranks). Advanced indexing
always returns a copy, as in NumPy.

Basic indexing. A slice of the split axis is local on every rank (the result keeps the
selected rows where they are, so its blocks may be ragged): no communication. An integer on
the split axis is read by its owner and broadcast (one ``bcast``); written, only the owner
stores it.

A negative step along a distributed split axis selects the rows of rank ``r`` in reverse
order and places them after those of rank ``r + 1``, which a layout (block ``r`` precedes
block ``r + 1``) cannot express without moving data. The selection is therefore taken with
the equivalent positive step (local, ragged extents) and then reversed by :func:`flip`,
which keeps those extents and sends every rank's rows whole to the mirrored rank: one
``alltoallv`` for reading. For writing, the value is reversed instead (local for NumPy,
torch and replicated values, one ``alltoallv`` for a distributed value) and written through
the positive slice.

One integer array or boolean mask among slices and ``...`` is handled by
:mod:`hpa.ops.selection`, whose docstring lists the communication; the slices are applied
first as basic indexing.

Several advanced indices (integer arrays, masks, and integers next to them, NumPy's rules:
index arrays broadcast together to a shape ``B``; a ``k``-D mask stands for its ``k``
``nonzero`` arrays; ``B``'s axes replace the indexed axes when these are adjacent in the key,
and go first otherwise) are handled here. Slices in the key are applied first (basic
indexing, above). Index data are replicated: lists, NumPy and torch arrays as given, a
distributed hpa index is gathered (one ``allgatherv`` each), so every rank checks bounds
alike (``IndexError`` everywhere, no communication) and computes the whole plan itself.

==================================  ========================================================
case                                communication
==================================  ========================================================
split axis not indexed by an        none: every rank indexes its block, the result keeps the
array (or ``x`` replicated)         split axis (moved to its place) and its extents
split axis indexed, read            the result is split along ``B``'s first axis. The
                                    points (one element per point along the indexed axes,
                                    a slab along the others) go from their owners to the
                                    balanced result in one ``alltoallv``; only the selected
                                    points travel, no rank gathers ``x``. When ``B`` is 1-D
                                    and the points are in rank order (always for a boolean
                                    mask, any sorted index), each rank keeps the points it
                                    owns: no communication, ragged result. ``B == ()`` (all
                                    indices 0-d): one ``bcast`` from the owner.
split axis indexed, written         replicated value: none, each owner writes its points; a
                                    distributed value: moved to a balanced layout along
                                    ``B``'s first axis (the redistribution planner), then one
                                    ``alltoallv`` of points to their owners
==================================  ========================================================

Repeated points in an assignment keep the last value, as in NumPy. A 0-d boolean array as the
only array index adds an axis of length 1 (true) or 0 (false) where it stands, as in NumPy;
Python booleans as indices, and keys of other types, raise ``NotImplementedError``.
"""

from __future__ import annotations

import math
from itertools import accumulate
from typing import Any, NamedTuple

import numpy as np
import torch

from hpa.core.align import as_local_tensor, local_block, scalar_tensor
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import route, route_by_owner, share
from hpa.core.layout import Layout, chunk
from hpa.ops.manipulation import flip
from hpa.ops.selection import (
    Index,
    as_index,
    fit_value,
    is_array_index,
    is_mask,
    last_occurrence,
    mask_axis,
    mask_full,
    put_axis,
    set_mask_full,
    take,
    wrapped_indices,
)

__all__ = ["getitem", "setitem"]


class _Plan(NamedTuple):
    local_key: tuple[Any, ...]  # applied to the local block
    shape: tuple[int, ...]  # global shape of the selection
    split: int | None  # split axis of the selection
    counts: tuple[int, ...] | None  # its extents
    owner: int | None  # rank holding a scalar-indexed split axis
    reverse: bool  # a negative step along the distributed split axis, taken forwards


def _expand(key: Any, ndim: int) -> list[Any]:
    key = key if isinstance(key, tuple) else (key,)
    for k in key:
        if not (
            k is None or k is Ellipsis or isinstance(k, (slice, int, np.integer))
        ) or isinstance(k, bool):
            raise NotImplementedError(
                f"index {k!r}: only integers, slices, Ellipsis and None are supported"
            )
    if sum(k is Ellipsis for k in key) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(1 for k in key if k is not None and k is not Ellipsis)
    if used > ndim:
        raise IndexError(
            f"too many indices for array: array is {ndim}-dimensional, but {used} were indexed"
        )
    out: list[Any] = []
    for k in key:
        if k is Ellipsis:
            out.extend([slice(None)] * (ndim - used))
        else:
            out.append(k)
    if Ellipsis not in key:
        out.extend([slice(None)] * (ndim - used))
    return out


def _local_range(start: int, step: int, count: int, lo: int, hi: int) -> tuple[int, int]:
    """Positions ``k`` in ``[0, count)`` with ``start + k*step`` in ``[lo, hi)`` (step > 0)."""
    k0 = max(0, -(-(lo - start) // step))
    k1 = min(count, -(-(hi - start) // step))
    return k0, max(k0, k1)


def _plan(x: Array, key: Any) -> _Plan:
    lay = x.layout
    items = _expand(key, x.ndim)
    local_key: list[Any] = []
    shape: list[int] = []
    counts: tuple[int, ...] | None
    split = counts = owner = None
    reverse = False
    axis = 0
    for k in items:
        if k is None:
            local_key.append(None)
            shape.append(1)
            continue
        n = lay.gshape[axis]
        on_split = axis == lay.split
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            count = len(range(start, stop, step))
            if on_split:
                split = len(shape)
                if step < 0 and lay.is_distributed:
                    reverse = True
                    start, step = (start + (count - 1) * step, -step) if count else (0, 1)
                if step < 0:
                    counts = (count,)  # one process holds the whole axis
                    local_key.append(_negative(start, stop, step, n))
                else:
                    ranges = [
                        _local_range(start, step, count, *lay.range_of(r))
                        for r in range(lay.comm.size)
                    ]
                    counts = tuple(b - a for a, b in ranges)
                    k0, k1 = ranges[lay.comm.rank]
                    first = start + k0 * step - lay.offsets[lay.comm.rank]  # type: ignore[index]
                    last = first + (k1 - k0 - 1) * step
                    local_key.append(slice(first, last + 1, step) if k1 > k0 else slice(0, 0))
            else:
                local_key.append(
                    slice(start, stop, step) if step > 0 else _negative(start, stop, step, n)
                )
            shape.append(count)
        else:
            i = int(k)
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for axis {axis} with size {n}")
            i %= n
            if on_split:
                owner = next(
                    r for r in range(lay.comm.size) if lay.range_of(r)[0] <= i < lay.range_of(r)[1]
                )
                local_key.append(
                    i - lay.range_of(owner)[0] if lay.comm.rank == owner else slice(0, 0)
                )
            else:
                local_key.append(i)
        axis += 1
    return _Plan(tuple(local_key), tuple(shape), split, counts, owner, reverse)


def _negative(start: int, stop: int, step: int, n: int) -> Any:
    """A negative-step slice as a (flip, positive slice) pair understood by :func:`_take`."""
    count = len(range(start, stop, step))
    if count == 0:
        return slice(0, 0)
    last = start + (count - 1) * step
    return ("flip", slice(last, start + 1, -step))


def _view(t: torch.Tensor, local_key: tuple[Any, ...]) -> tuple[torch.Tensor, list[int]]:
    """The selected view of ``t`` with negative steps taken forwards, and the axes to flip."""
    flips = []
    key: list[Any] = []
    dim = 0
    for k in local_key:
        if isinstance(k, tuple):
            key.append(k[1])
            flips.append(dim)
        else:
            key.append(k)
        dim += 0 if isinstance(k, int) else 1
    return t[tuple(key)], flips


def _take(t: torch.Tensor, local_key: tuple[Any, ...]) -> torch.Tensor:
    view, flips = _view(t, local_key)
    return view.flip(flips) if flips else view


def _advanced(x: Array, key: Any) -> tuple[tuple[Any, ...], int, Index] | _Fancy | None:
    """How ``key`` selects when it holds an array index; ``None`` when it is basic.

    One integer array (or a 1-D or full-shape mask) among slices and ``...``:
    ``(basic key, axis, index)``, the basic key with the index replaced by full slices over
    the axes it consumes. Any other key with an array index: a :class:`_Fancy` plan.
    """
    items = key if type(key) is tuple else (key,)
    where = [i for i, k in enumerate(items) if is_array_index(k)]
    if not where:
        return None
    indices = {i: as_index(items[i], x) for i in where}
    at = where[0]
    index = indices[at]
    others = [k for i, k in enumerate(items) if i != at]
    width = len(index.shape) if is_mask(index) else 1
    if (
        len(where) > 1
        or not all(k is Ellipsis or type(k) is slice for k in others)
        or (is_mask(index) and width not in (1, x.ndim))
        or (not is_mask(index) and len(index.shape) == 0)
    ):
        return _fancy(x, [indices.get(i, k) for i, k in enumerate(items)])
    ellipses = sum(k is Ellipsis for k in items)
    if ellipses > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = len(others) - ellipses + width
    if used > x.ndim:
        raise IndexError(
            f"too many indices for array: array is {x.ndim}-dimensional, but {used} were indexed"
        )
    axis = sum(x.ndim - used if k is Ellipsis else 1 for k in items[:at])
    return (*items[:at], *[slice(None)] * width, *items[at + 1 :]), axis, index


def _zero_d_mask(x: Array, key: Any) -> tuple[tuple[Any, ...], int, bool] | None:
    """A key whose only array index is a 0-d boolean one: ``(key with it replaced by None,
    its position, its value)``; ``None`` for any other key. 0-d arrays are replicated, so
    every rank reads the same value."""
    items = key if type(key) is tuple else (key,)
    where = [i for i, k in enumerate(items) if is_array_index(k)]
    if len(where) != 1:
        return None
    at = where[0]
    if getattr(items[at], "ndim", None) != 0:  # lists and n-d arrays: no conversion here
        return None
    index = as_index(items[at], x)
    if not is_mask(index):
        return None
    return (*items[:at], None, *items[at + 1 :]), at, bool(index)


def _is_full(key: tuple[Any, ...]) -> bool:
    return all(k is Ellipsis or k == slice(None) for k in key)


def _is_view(key: tuple[Any, ...]) -> bool:
    """Whether a key of slices only selects a view (no negative step)."""
    return all(k.step is None or k.step > 0 for k in key)


def _select(x: Array, axis: int, index: Index) -> Array:
    if not is_mask(index):
        return take(x, index, axis)
    return mask_axis(x, index, axis) if len(index.shape) == 1 else mask_full(x, index)


def _assign(x: Array, axis: int, index: Index, value: Array | torch.Tensor) -> None:
    if is_mask(index) and len(index.shape) == x.ndim:
        set_mask_full(x, index, value)
        return
    if is_mask(index):
        full = index.gather() if isinstance(index, Array) else index
        index = full.nonzero()[:, 0]
    if len(index.shape) != 1:
        _set_fancy(x, _fancy(x, [*[slice(None)] * axis, index]), value)
        return
    put_axis(x, index, value, axis)


# ---------------------------------------------------------------------------------- several
class _Fancy(NamedTuple):
    """A key with several advanced indices (or one next to integers or ``None``)."""

    basic: tuple[slice, ...]  # per axis of x: its slice (full on advanced axes)
    axes: tuple[int, ...]  # the advanced axes of x, ascending
    index: tuple[torch.Tensor, ...]  # type: ignore[assignment]  # per advanced axis: non-negative indices of shape B
    bshape: tuple[int, ...]  # B, the broadcast shape of the index arrays
    rest: tuple[int, ...]  # the other axes of x, ascending
    dims: tuple[int | None, ...]  # per result axis: its canonical axis (B, rest), None: new


def _fancy(x: Array, items: list[Any]) -> _Fancy:
    """The plan of a key with array indices (already :func:`as_index`-ed), NumPy's rules.

    Errors depend on replicated data only, so every rank raises alike.
    """
    parsed: list[Any] = []
    for k in items:
        if k is None or k is Ellipsis or type(k) is slice:
            parsed.append(k)
        elif isinstance(k, (int, np.integer)) and not isinstance(k, (bool, np.bool_)):
            parsed.append(scalar_tensor(int(k), torch.int64, x.larray.device))
        elif isinstance(k, (torch.Tensor, Array)):
            t = k.gather() if isinstance(k, Array) else k  # one allgatherv for a split index
            if t.dtype == torch.bool and t.dim() == 0:
                raise NotImplementedError("a 0-d boolean index is not supported")
            parsed.append(t)
        else:
            raise NotImplementedError(
                f"index {k!r}: only integers, slices, Ellipsis, None and integer or boolean "
                "arrays are supported"
            )
    if sum(k is Ellipsis for k in parsed) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(
        (k.dim() if k.dtype == torch.bool else 1) if isinstance(k, torch.Tensor) else 1
        for k in parsed
        if k is not None and k is not Ellipsis
    )
    if used > x.ndim:
        raise IndexError(
            f"too many indices for array: array is {x.ndim}-dimensional, but {used} were indexed"
        )
    basic = [slice(None)] * x.ndim
    axes: list[int] = []
    index: list[torch.Tensor] = []
    tokens: list[Any] = []  # per key entry: an axis of x, None (new axis) or "adv"
    axis = 0
    for k in parsed:
        if k is None:
            tokens.append(None)
        elif k is Ellipsis:
            tokens.extend(range(axis, axis + x.ndim - used))
            axis += x.ndim - used
        elif type(k) is slice:
            basic[axis] = k
            tokens.append(axis)
            axis += 1
        elif k.dtype == torch.bool:
            for d, m in enumerate(k.shape):
                if x.shape[axis + d] != m:
                    raise IndexError(
                        f"boolean index did not match indexed array along axis {axis + d}; size "
                        f"of axis is {x.shape[axis + d]} but size of corresponding boolean axis "
                        f"is {m}"
                    )
            for column in k.nonzero().unbind(1):
                axes.append(axis)
                index.append(column)
                tokens.append("adv")
                axis += 1
        else:
            index.append(wrapped_indices(k, x.shape[axis], axis))
            axes.append(axis)
            tokens.append("adv")
            axis += 1
    tokens.extend(range(axis, x.ndim))
    try:
        index = [i.contiguous() for i in torch.broadcast_tensors(*index)]
    except RuntimeError:
        shapes = " ".join(str(tuple(i.shape)) for i in index)
        raise IndexError(
            f"shape mismatch: indexing arrays could not be broadcast together with shapes {shapes}"
        ) from None
    bshape = tuple(index[0].shape)
    at = [i for i, t in enumerate(tokens) if t == "adv"]
    if at[-1] - at[0] == len(at) - 1:  # adjacent: B takes their place
        tokens = [*tokens[: at[0]], "B", *tokens[at[-1] + 1 :]]
    else:  # NumPy puts B first
        tokens = ["B", *(t for t in tokens if t != "adv")]
    rest = tuple(a for a in range(x.ndim) if a not in axes)
    dims: list[int | None] = []
    for t in tokens:
        if t is None:
            dims.append(None)
        elif t == "B":
            dims.extend(range(len(bshape)))
        else:
            dims.append(len(bshape) + rest.index(t))
    return _Fancy(tuple(basic), tuple(axes), tuple(index), bshape, rest, tuple(dims))


def _to_result(t: torch.Tensor, f: _Fancy) -> torch.Tensor:
    """A tensor in canonical order ``(*B, *rest)`` in the result's order, new axes added."""
    t = t.permute([d for d in f.dims if d is not None])
    for i, d in enumerate(f.dims):
        if d is None:
            t = t.unsqueeze(i)
    return t


def _to_canonical(t: torch.Tensor, f: _Fancy) -> torch.Tensor:
    """The inverse of :func:`_to_result` (new axes must have length 1)."""
    kept = [d for d in f.dims if d is not None]
    t = t.squeeze([i for i, d in enumerate(f.dims) if d is None]) if None in f.dims else t
    return t.permute(sorted(range(len(kept)), key=kept.__getitem__))


def _result_layout(f: _Fancy, part: Array, csplit: int | None, counts: Any) -> Layout:
    """The result's layout, split at canonical axis ``csplit`` with ``counts``."""
    cshape = (*f.bshape, *(part.shape[a] for a in f.rest))
    shape = tuple(1 if d is None else cshape[d] for d in f.dims)
    split = None if csplit is None else f.dims.index(csplit)
    return Layout(shape, split, part.comm, counts)


def _canonical_split(f: _Fancy, part: Array) -> tuple[int | None, Any]:
    """Canonical split axis and extents of the result when the split axis is not indexed."""
    split = part.split
    if split is None:
        return None, None
    if split in f.rest:
        return len(f.bshape) + f.rest.index(split), part.counts
    return (0, None) if f.bshape else (None, None)


def _flat_index(f: _Fancy, split: int | None, lo: int) -> list[torch.Tensor]:
    """The index flattened to points, the split axis's entries made local (minus ``lo``)."""
    return [i.reshape(-1) - lo if a == split else i.reshape(-1) for a, i in zip(f.axes, f.index)]


def _get_fancy(x: Array, f: _Fancy) -> Array:
    """``x[key]`` for a :class:`_Fancy` plan; see the module docstring."""
    part = x if _is_full(f.basic) else getitem(x, f.basic)
    lay, comm = part.layout, part.comm
    t = part.larray.permute(*f.axes, *f.rest)
    if not lay.is_distributed or lay.split in f.rest:
        csplit, counts = _canonical_split(f, part)
        block = t[f.index]  # all 0-d: torch takes a view, NumPy copies
        block = _to_result(block if f.bshape else block.clone(), f)
        return Array(block, _result_layout(f, part, csplit, counts))
    me, p = comm.rank, comm.size
    assert lay.offsets is not None
    lo = lay.offsets[me]
    s_at = f.axes.index(lay.split)
    flat = _flat_index(f, lay.split, lo)
    global_s = f.index[s_at].reshape(-1)
    owner = torch.searchsorted(torch.tensor(lay.offsets[1:], device=t.device), global_s, right=True)
    rest_shape = tuple(part.shape[a] for a in f.rest)
    if not f.bshape:  # one point: its owner broadcasts it
        root = int(owner[0])
        if me == root:
            block = t[tuple(i[0] for i in flat)].clone(memory_format=torch.contiguous_format)
        else:
            block = t.new_empty(rest_shape)
        block = _to_result(share(block, root, comm), f)
        return Array(block, _result_layout(f, part, None, None))
    served = (owner == me).nonzero()[:, 0]
    send = t[tuple(i[served] for i in flat)]
    inner = math.prod(f.bshape[1:])
    if len(f.bshape) == 1 and bool((owner[1:] >= owner[:-1]).all()):  # in rank order: stay
        counts = tuple(torch.bincount(owner, minlength=p).tolist())
        return Array(_to_result(send, f), _result_layout(f, part, 0, counts))
    counts = chunk(f.bshape[0], p)
    starts = [0, *accumulate(c * inner for c in counts)]
    bounds = torch.tensor(starts, device=t.device)
    send_counts = torch.searchsorted(served, bounds).diff().tolist()
    plo, phi = starts[me], starts[me + 1]
    mine = owner[plo:phi]
    recv_counts = torch.bincount(mine, minlength=p).tolist()
    got = route(send, send_counts, comm, recv_counts).rows
    block = got.new_empty(got.shape)
    block[torch.argsort(mine, stable=True)] = got
    block = block.reshape(counts[me], *f.bshape[1:], *rest_shape)
    return Array(_to_result(block, f), _result_layout(f, part, 0, counts))


def _set_fancy(x: Array, f: _Fancy, value: Array | torch.Tensor) -> None:
    """``x[key] = value`` for a :class:`_Fancy` plan; see the module docstring."""
    full = _is_full(f.basic)
    part = x if full else getitem(x, f.basic)
    lay, comm = part.layout, part.comm
    t = part.larray.permute(*f.axes, *f.rest)  # a view: writing to it writes to part
    rest_shape = tuple(part.shape[a] for a in f.rest)
    npoints = math.prod(f.bshape)
    csplit, counts = _canonical_split(f, part)
    shape = _result_layout(f, part, None, None).gshape
    value = fit_value(value, shape)
    # the last of repeated points wins, as in NumPy
    linear = torch.zeros(npoints, dtype=torch.int64, device=t.device)
    for a, i in zip(f.axes, f.index):
        linear = linear * part.shape[a] + i.reshape(-1)
    keep = last_occurrence(linear)
    if not lay.is_distributed or lay.split in f.rest:
        sel = _result_layout(f, part, csplit, counts)
        v = _to_canonical(torch.broadcast_to(local_block(value, sel), sel.lshape), f)
        v = v.reshape(npoints, *t.shape[len(f.axes) :])
        t[tuple(i.reshape(-1)[keep] for i in f.index)] = v[keep].to(t.dtype)
    else:
        me, p = comm.rank, comm.size
        assert lay.offsets is not None
        lo = lay.offsets[me]
        flat = _flat_index(f, lay.split, lo)
        s = f.index[f.axes.index(lay.split)].reshape(-1)
        ends = torch.tensor(lay.offsets[1:], device=t.device)
        owner = torch.searchsorted(ends, s, right=True)
        owned = keep[owner[keep] == me]
        if isinstance(value, Array) and value.layout.is_distributed and f.bshape:
            sel = _result_layout(f, part, 0, None)
            assert sel.offsets is not None
            v = _to_canonical(torch.broadcast_to(local_block(value, sel), sel.lshape), f)
            inner = math.prod(f.bshape[1:])
            plo, phi = (o * inner for o in sel.range_of(me))
            v = v.reshape(phi - plo, *rest_shape)
            held = keep[(keep >= plo) & (keep < phi)]
            send = v[held - plo].to(t.dtype)
            bounds = torch.tensor([o * inner for o in sel.offsets[1:]], device=t.device)
            source = torch.searchsorted(bounds, owned, right=True)
            recv_counts = torch.bincount(source, minlength=p).tolist()
            got = route_by_owner(send, owner[held], comm, recv_counts).rows
        else:
            whole = _result_layout(f, part, None, None)
            v = _to_canonical(torch.broadcast_to(local_block(value, whole), shape), f)
            got = v.reshape(npoints, *rest_shape)[owned].to(t.dtype)
        t[tuple(i[owned] for i in flat)] = got
    if not full and not _is_view(f.basic):
        setitem(x, f.basic, part)  # the slices gave a copy: write it back


# ---------------------------------------------------------------------------------- fast path
_LAYOUTS: dict[tuple[Any, ...], Layout] = {}


def _layout(shape: tuple[int, ...], split: int | None, comm: Any) -> Layout:
    """A cached balanced layout (a layout is immutable, so results may share one); ``shape``
    may be a ``torch.Size``, which hashes as the tuple."""
    key = (shape, split, comm)
    lay = _LAYOUTS.get(key)
    if lay is None:
        if len(_LAYOUTS) >= 1024:
            _LAYOUTS.clear()
        lay = _LAYOUTS[key] = Layout(shape, split, comm)
    return lay


def _plain(key: Any) -> bool:
    """Whether ``key`` is only ints and forward slices (torch indexes those as NumPy does)."""
    for k in key if type(key) is tuple else (key,):
        tk = type(k)
        if tk is not int and (tk is not slice or (k.step is not None and k.step <= 0)):
            return False
    return True


def _kept_split(key: Any, split: int) -> int | None:
    """Where the split axis lands after a plain key (``None`` when an int removes it)."""
    items = key if type(key) is tuple else (key,)
    if split < len(items) and type(items[split]) is int:
        return None
    return split - sum(1 for k in items[:split] if type(k) is int)


@register()
def getitem(x: Array, key: Any) -> Array:
    """``x[key]``: a view for basic indexing (NumPy's rules, with the exceptions listed in
    the module docstring, which also says what each case communicates)."""
    lay = x.layout
    if (lay.split is None or lay.comm.size == 1) and (type(key) is int or _plain(key)):
        # not distributed: every rank indexes its whole copy, as torch does (a view)
        t = x.larray[key]
        split = lay.split
        if split is not None:
            split = _kept_split(key, split)
        return Array(t, _layout(t.shape, split, lay.comm))
    zero_d = _zero_d_mask(x, key)
    if zero_d is not None:
        items, at, keep = zero_d
        width = x.ndim - sum(1 for k in items if k is not None and k is not Ellipsis)
        axis = sum(width if k is Ellipsis else int(type(k) is not int) for k in items[:at])
        return getitem(getitem(x, items), (*[slice(None)] * axis, slice(0, int(keep))))
    advanced = _advanced(x, key)
    if type(advanced) is _Fancy:
        return _get_fancy(x, advanced)
    if advanced is not None:
        basic, axis, index = advanced  # type: ignore[misc]
        return _select(x if _is_full(basic) else getitem(x, basic), axis, index)
    plan = _plan(x, key)
    if plan.owner is not None and x.is_distributed():
        comm = x.comm
        if comm.rank == plan.owner:
            block = _take(x.larray, plan.local_key).clone(memory_format=torch.contiguous_format)
        else:
            block = x.larray.new_empty(plan.shape)
        return Array(share(block, plan.owner, comm), Layout(plan.shape, None, comm))
    block = _take(x.larray, plan.local_key)  # a view unless a step is negative
    if plan.owner is not None or plan.split is None:
        return Array(block, Layout(plan.shape, None, x.comm))
    out = Array(block, Layout(plan.shape, plan.split, x.comm, plan.counts))
    return flip(out, plan.split) if plan.reverse else out


@register()
def setitem(x: Array, key: Any, value: Any) -> None:
    """``x[key] = value``; ``value`` broadcasts to the selection.

    A scalar, NumPy or torch value is sliced locally; an hpa array value is moved to the
    selection's layout by the redistribution planner. See the module docstring for array
    indices and negative steps along the split axis.
    """
    lay = x.layout
    if (lay.split is None or lay.comm.size == 1) and type(value) in _SCALARS and _plain(key):
        _check_scalar(value, x.dtype)
        x.larray[key] = value  # every rank writes its whole copy
        return
    if not isinstance(value, Array):
        # validated on every rank, so a bad value raises everywhere (NumPy's errors)
        value = _as_value(value, x.dtype, x.larray.device)
    zero_d = _zero_d_mask(x, key)
    if zero_d is not None:
        items, at, keep = zero_d
        if keep:
            setitem(x, (*items[:at], *items[at + 1 :]), value)
        return
    advanced = _advanced(x, key)
    if type(advanced) is _Fancy:
        _set_fancy(x, advanced, value)
        return
    if advanced is not None:
        basic, axis, index = advanced  # type: ignore[misc]
        if _is_full(basic):
            _assign(x, axis, index, value)
            return
        part = getitem(x, basic)
        _assign(part, axis, index, value)
        if not _is_view(tuple(k for k in basic if k is not Ellipsis)):
            setitem(x, basic, part)  # the slices gave a copy: write it back
        return
    plan = _plan(x, key)
    # as in NumPy, leading length-1 axes of the value beyond the selection's rank are dropped
    value = fit_value(value, plan.shape)
    if plan.reverse:
        value = _reversed(value, plan.split - len(plan.shape) + len(value.shape))  # type: ignore[operator]
    selection = Layout(plan.shape, plan.split, x.comm, plan.counts)
    # every rank takes part in moving the value, the owner of a scalar index included
    local = local_block(value, selection)
    if plan.owner is not None and x.comm.rank != plan.owner:
        return
    target, flips = _view(x.larray, plan.local_key)
    local = torch.broadcast_to(local.to(target.dtype), target.shape)
    target.copy_(local.flip(flips) if flips else local)


_SCALARS = (int, float, bool)


def _reversed(value: Array | torch.Tensor, axis: int) -> Array | torch.Tensor:
    """``value`` reversed along ``axis`` unless it broadcasts there."""
    if axis < 0 or value.shape[axis] == 1:
        return value
    return flip(value, axis) if isinstance(value, Array) else value.flip(axis)


def _as_value(value: Any, dtype: Any, device: torch.device) -> torch.Tensor:
    """A NumPy-like value as a tensor, raising NumPy's errors for values ``dtype`` cannot hold."""
    if isinstance(value, (bool, int, float, complex)) and not isinstance(value, np.generic):
        _check_scalar(value, dtype)
        return scalar_tensor(value, dtype.torch, device)
    return as_local_tensor(value, device)


def _check_scalar(value: bool | complex, dtype: Any) -> None:
    """Raise NumPy's error for a Python scalar that ``dtype`` cannot hold."""
    if isinstance(value, complex) and dtype.kind != "c":
        raise TypeError(f"cannot assign a complex value to an array of dtype {dtype.name}")
    if isinstance(value, int) and not isinstance(value, bool) and dtype.kind in "iu":
        info = torch.iinfo(dtype.torch)
        if not info.min <= value <= info.max:
            raise OverflowError(f"Python integer {value} out of bounds for {dtype.name}")
