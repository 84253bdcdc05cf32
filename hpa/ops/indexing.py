"""Indexing for reading and writing: integers, slices, ``...``, ``None``, and one integer or
boolean array index among slices.

A slice of the split axis is local on every rank (the result keeps the selected rows where
they are, so its blocks may be ragged): no communication. An integer on the split axis is
read by its owner and broadcast (one ``bcast``); written, only the owner stores it.

A negative step along a distributed split axis selects the rows of rank ``r`` in reverse
order and places them after those of rank ``r + 1``, which a layout (block ``r`` precedes
block ``r + 1``) cannot express without moving data. The selection is therefore taken with
the equivalent positive step (local, ragged extents) and then reversed by :func:`flip`,
which keeps those extents and sends every rank's rows whole to the mirrored rank: one
``alltoallv`` for reading. For writing, the value is reversed instead (local for NumPy,
torch and replicated values, one ``alltoallv`` for a distributed value) and written through
the positive slice.

An integer array or boolean mask index (one, combined with slices and ``...`` only) is
handled by :mod:`hpa.ops.selection`, whose docstring lists the communication; other slices
in the key are applied first as basic indexing. Other advanced keys (several arrays, arrays
with integers or ``None``, Python booleans, other types) raise ``NotImplementedError``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import torch

from hpa.core.align import as_local_tensor, local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.layout import Layout
from hpa.ops.manipulation import flip
from hpa.ops.selection import (
    Index,
    as_index,
    fit_value,
    is_array_index,
    is_mask,
    mask_axis,
    mask_full,
    put_axis,
    set_mask_full,
    take,
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


def _advanced(x: Array, key: Any) -> tuple[tuple[Any, ...], int, Index] | None:
    """``(basic key, axis, index)`` when ``key`` holds one array index; ``None`` when basic.

    The basic key has the array index replaced by full slices over the axes it consumes.
    """
    items = key if isinstance(key, tuple) else (key,)
    where = [i for i, k in enumerate(items) if is_array_index(k)]
    if not where:
        return None
    at = where[0]
    others = [k for i, k in enumerate(items) if i != at]
    if len(where) > 1 or not all(k is Ellipsis or isinstance(k, slice) for k in others):
        raise NotImplementedError(
            "only one integer or boolean array index, combined with slices and '...', is supported"
        )
    index = as_index(items[at], x)
    width = len(index.shape) if is_mask(index) else 1
    if is_mask(index) and width not in (1, x.ndim):
        raise NotImplementedError("a boolean index must be 1-D or have the array's shape")
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


def _is_full(key: tuple[Any, ...]) -> bool:
    return all(k is Ellipsis or k == slice(None) for k in key)


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
        raise NotImplementedError("assignment through an integer index array needs a 1-D index")
    put_axis(x, index, value, axis)


def _plain(key: Any) -> bool:
    """Whether ``key`` is only ints and forward slices (torch indexes those as NumPy does)."""
    items = key if type(key) is tuple else (key,)
    return all(
        type(k) is int or (type(k) is slice and (k.step is None or k.step > 0)) for k in items
    )


def _kept_split(key: Any, split: int | None) -> int | None:
    """Where the split axis lands after a plain key (``None`` when an int removes it)."""
    items = key if type(key) is tuple else (key,)
    if split is None or (split < len(items) and type(items[split]) is int):
        return None
    return split - sum(1 for k in items[:split] if type(k) is int)


@register()
def getitem(x: Array, key: Any) -> Array:
    """``x[key]``; see the module docstring for what it communicates."""
    if not x.is_distributed() and _plain(key):  # every rank indexes its whole copy, as torch does
        t = x.larray[key].clone(memory_format=torch.contiguous_format)
        return Array(t, Layout(tuple(t.shape), _kept_split(key, x.split), x.comm))
    advanced = _advanced(x, key)
    if advanced is not None:
        basic, axis, index = advanced
        return _select(x if _is_full(basic) else getitem(x, basic), axis, index)
    plan = _plan(x, key)
    if plan.owner is not None and x.is_distributed():
        comm = x.comm
        if comm.rank == plan.owner:
            block = _take(x.larray, plan.local_key).clone(memory_format=torch.contiguous_format)
        else:
            block = x.larray.new_empty(plan.shape)
        return Array(comm.bcast(block, plan.owner), Layout(plan.shape, None, comm))
    block = _take(x.larray, plan.local_key)
    if plan.owner is not None or plan.split is None:
        return Array(block.clone(), Layout(plan.shape, None, x.comm))
    out = Array(block.clone(), Layout(plan.shape, plan.split, x.comm, plan.counts))
    return flip(out, plan.split) if plan.reverse else out


@register()
def setitem(x: Array, key: Any, value: Any) -> None:
    """``x[key] = value``; ``value`` broadcasts to the selection.

    A scalar, NumPy or torch value is sliced locally; an hpa array value is moved to the
    selection's layout by the redistribution planner. See the module docstring for array
    indices and negative steps along the split axis.
    """
    if not x.is_distributed() and type(value) in (int, float, bool) and _plain(key):
        _check_scalar(value, x.dtype)
        x.larray[key] = value  # every rank writes its whole copy
        return
    if not isinstance(value, Array):
        # validated on every rank, so a bad value raises everywhere (NumPy's errors)
        value = _as_value(value, x.dtype, x.larray.device)
    advanced = _advanced(x, key)
    if advanced is not None:
        basic, axis, index = advanced
        if _is_full(basic):
            _assign(x, axis, index, value)
            return
        part = getitem(x, basic)
        _assign(part, axis, index, value)
        setitem(x, basic, part)
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


def _reversed(value: Array | torch.Tensor, axis: int) -> Array | torch.Tensor:
    """``value`` reversed along ``axis`` unless it broadcasts there."""
    if axis < 0 or value.shape[axis] == 1:
        return value
    return flip(value, axis) if isinstance(value, Array) else value.flip(axis)


def _as_value(value: Any, dtype: Any, device: torch.device) -> torch.Tensor:
    """A NumPy-like value as a tensor, raising NumPy's errors for values ``dtype`` cannot hold."""
    if isinstance(value, (bool, int, float, complex)) and not isinstance(value, np.generic):
        _check_scalar(value, dtype)
        return torch.tensor(value, dtype=dtype.torch, device=device)
    return as_local_tensor(value, device)


def _check_scalar(value: bool | complex, dtype: Any) -> None:
    """Raise NumPy's error for a Python scalar that ``dtype`` cannot hold."""
    if isinstance(value, complex) and dtype.kind != "c":
        raise TypeError(f"cannot assign a complex value to an array of dtype {dtype.name}")
    if isinstance(value, int) and not isinstance(value, bool) and dtype.kind in "iu":
        info = torch.iinfo(dtype.torch)
        if not info.min <= value <= info.max:
            raise OverflowError(f"Python integer {value} out of bounds for {dtype.name}")
