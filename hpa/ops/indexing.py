"""Basic indexing: integers, slices, ``...`` and ``None``, for reading and writing.

A slice of the split axis is local on every rank (the result keeps the selected rows where
they are, so its blocks may be ragged): no communication. An integer on the split axis is
read by its owner and broadcast (one ``bcast``); written, only the owner stores it.
Slices with a negative step along a distributed split axis and advanced indexing (integer
arrays, boolean masks) are not supported here and raise ``NotImplementedError``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import torch

from hpa.core.align import as_local_tensor, broadcast_shapes, local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.layout import Layout

__all__ = ["getitem", "setitem"]


class _Plan(NamedTuple):
    local_key: tuple[Any, ...]  # applied to the local block
    shape: tuple[int, ...]  # global shape of the selection
    split: int | None  # split axis of the selection
    counts: tuple[int, ...] | None  # its extents
    owner: int | None  # rank holding a scalar-indexed split axis


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
                if step < 0:
                    if lay.is_distributed:
                        raise NotImplementedError(
                            "a negative step along the distributed split axis is not supported"
                        )
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
    return _Plan(tuple(local_key), tuple(shape), split, counts, owner)


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


@register()
def getitem(x: Array, key: Any) -> Array:
    """``x[key]`` for basic indices; see the module docstring for what it communicates."""
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
    return Array(block.clone(), Layout(plan.shape, plan.split, x.comm, plan.counts))


@register()
def setitem(x: Array, key: Any, value: Any) -> None:
    """``x[key] = value`` for basic indices; ``value`` broadcasts to the selection.

    A scalar, NumPy or torch value is sliced locally; an hpa array value is moved to the
    selection's layout by the redistribution planner.
    """
    plan = _plan(x, key)
    value_shape = (
        tuple(value.shape) if isinstance(value, (Array, torch.Tensor)) else np.shape(value)
    )
    extra = len(value_shape) - len(plan.shape)
    # as in NumPy, leading length-1 axes of the value beyond the selection's rank are dropped
    if (extra > 0 and any(n != 1 for n in value_shape[:extra])) or broadcast_shapes(
        value_shape[max(extra, 0) :], plan.shape
    ) != plan.shape:
        raise ValueError(
            f"could not broadcast input array from shape {value_shape} into shape {plan.shape}"
        )
    selection = Layout(plan.shape, plan.split, x.comm, plan.counts)
    if isinstance(value, Array):
        # every rank takes part in moving the value, the owner of a scalar index included
        local = local_block(_drop_leading(value, extra), selection)
    else:
        # validated on every rank, so a bad value raises everywhere (NumPy's errors)
        given = _as_value(value, x.dtype, x.larray.device)
        local = local_block(given.reshape(given.shape[max(extra, 0) :]), selection)
    if plan.owner is not None and x.comm.rank != plan.owner:
        return
    target, flips = _view(x.larray, plan.local_key)
    local = torch.broadcast_to(local.to(target.dtype), target.shape)
    target.copy_(local.flip(flips) if flips else local)


def _drop_leading(value: Array, extra: int) -> Array:
    """``value`` without ``extra`` leading length-1 axes (replicated first when they hold the
    split axis)."""
    if extra <= 0:
        return value
    if value.split is not None and value.split < extra:
        value = value.resplit(None)
    split = None if value.split is None else value.split - extra
    layout = Layout(value.shape[extra:], split, value.comm, value.counts)
    return Array(value.larray.reshape(value.larray.shape[extra:]), layout)


def _as_value(value: Any, dtype: Any, device: torch.device) -> torch.Tensor:
    """A NumPy-like value as a tensor, raising NumPy's errors for values ``dtype`` cannot hold."""
    if isinstance(value, (bool, int, float, complex)) and not isinstance(value, np.generic):
        if isinstance(value, complex) and dtype.kind != "c":
            raise TypeError(f"cannot assign a complex value to an array of dtype {dtype.name}")
        if isinstance(value, int) and not isinstance(value, bool) and dtype.kind in "iu":
            info = torch.iinfo(dtype.torch)
            if not info.min <= value <= info.max:
                raise OverflowError(f"Python integer {value} out of bounds for {dtype.name}")
        return torch.tensor(value, dtype=dtype.torch, device=device)
    return as_local_tensor(value, device)
