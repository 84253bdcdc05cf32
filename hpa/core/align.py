"""Aligning operands of an elementwise operation to one output layout.

The rule, applied to any number of operands (hpa arrays, NumPy arrays, torch tensors and
Python scalars):

1. The output shape is the NumPy broadcast of the operands' shapes.
2. The output is split along the split axis of the largest split operand (the first of equal
   size) whose split axis is not broadcast; it keeps that operand's extents, ragged or not.
   With no such operand the output is replicated.
3. Every other operand is brought to the output's blocks: a replicated operand (NumPy and
   torch inputs included) is sliced locally, an operand split along the same axis with other
   extents or along another axis goes through the redistribution planner (one ``alltoallv``,
   or one per 32 MiB window of a large block),
   an operand that broadcasts along the output's split axis is replicated first.

So operands that already agree communicate nothing, and split 0 combined with split 1 costs one
all-to-all of the smaller operand instead of an error.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from hpa.core.array import Array
from hpa.core.layout import Layout
from hpa.core.redistribute import redistribute

__all__ = ["align", "as_local_tensor", "broadcast_shapes", "local_block", "scalar_tensor"]

Scalar = (bool, int, float, complex)


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """NumPy's broadcast of ``shapes``; raises ``ValueError`` naming them when impossible."""
    first = tuple(shapes[0])
    if all(tuple(s) == first for s in shapes[1:]):
        return first
    return _broadcast(tuple(tuple(s) for s in shapes))


@functools.lru_cache(maxsize=1024)
def _broadcast(shapes: tuple[tuple[int, ...], ...]) -> tuple[int, ...]:
    ndim = max(len(s) for s in shapes)
    out = []
    for axis in range(-ndim, 0):
        sizes = {s[axis] for s in shapes if len(s) >= -axis} - {1}
        if len(sizes) > 1:
            listed = " ".join(str(s) for s in shapes)
            raise ValueError(f"operands could not be broadcast together with shapes {listed}")
        out.append(sizes.pop() if sizes else 1)
    return tuple(out)


def scalar_tensor(value: Any, dtype: torch.dtype, device: torch.device) -> torch.Tensor:
    """A Python scalar as a 0-d tensor of ``dtype`` filled on ``device``.

    ``torch.tensor(value, device=...)`` copies from host memory, which synchronises a GPU;
    a fill does not. A value out of ``dtype``'s range converts as ``torch.tensor`` converts
    it (to infinity for a float dtype, or its error).
    """
    try:
        return torch.full((), value, dtype=dtype, device=device)
    except (RuntimeError, TypeError):
        return torch.tensor(value, dtype=dtype, device=device)


def as_local_tensor(x: Any, device: torch.device) -> torch.Tensor:
    """A replicated operand (NumPy array or scalar, torch tensor, list) as a tensor on ``device``.

    NumPy scalars become 0-d tensors: unlike Python scalars they are strong in promotion.
    """
    if isinstance(x, torch.Tensor):
        return x.to(device)
    arr = np.asarray(x)
    if arr.dtype == np.uint64 or arr.dtype.kind in "OUSV":
        raise TypeError(f"unsupported operand of dtype {arr.dtype}")
    return torch.as_tensor(arr, device=device)


def _output_layout(arrays: list[Array], shape: tuple[int, ...]) -> Layout:
    ndim = len(shape)
    best: Array | None = None
    for x in arrays:
        if x.split is None or x.shape[x.split] != shape[x.split + ndim - x.ndim]:
            continue
        if best is None or x.size > best.size:
            best = x
    ref = best if best is not None else arrays[0]
    if ref.shape == shape and (best is not None or ref.split is None):
        return ref.layout
    if best is None:
        return Layout(shape, None, ref.comm)
    return Layout(shape, best.split + ndim - best.ndim, ref.comm, best.counts)  # type: ignore[operator]


def local_block(x: Array | torch.Tensor, out: Layout) -> torch.Tensor:
    """The part of operand ``x`` that meets this rank's block of ``out`` (``x`` broadcasts
    against ``out``). A replicated operand, or a torch tensor, is sliced locally; a split
    operand is redistributed to the output's extents, or replicated when it broadcasts along
    the output's split axis."""
    if isinstance(x, Array):
        t, shape, split_x = x.larray, x.shape, x.split
    else:
        t, shape, split_x = x, tuple(x.shape), None
    axis = None if out.split is None else out.split - (out.ndim - t.dim())
    if axis is None or axis < 0 or shape[axis] != out.gshape[out.split]:  # type: ignore[index]
        return x.gather() if isinstance(x, Array) and split_x is not None else t
    if isinstance(x, Array) and split_x is not None:
        return redistribute(t, x.layout, Layout(shape, axis, out.comm, out.counts))
    lo, hi = out.range_of(out.comm.rank)
    return t.narrow(axis, lo, hi - lo)


def align(operands: Sequence[Any]) -> tuple[list[Any], Layout]:
    """Local blocks of ``operands`` for one output layout, and that layout.

    Parameters
    ----------
    operands : sequence
        At least one :class:`Array`; the others may be arrays, NumPy/torch data or scalars.

    Returns
    -------
    locals : list
        Per operand: a tensor that broadcasts against the output's local block, or the
        Python scalar unchanged.
    layout : Layout
        The output's layout.
    """
    arrays = [x for x in operands if isinstance(x, Array)]
    comm = arrays[0].comm
    if any(x.comm is not comm for x in arrays):
        raise ValueError("operands live on different communicators")
    device = arrays[0].larray.device
    items: list[Any] = []
    shapes = []
    for x in operands:
        if isinstance(x, Array):
            items.append(x)
            shapes.append(x.shape)
        elif isinstance(x, Scalar) and not isinstance(x, np.generic):
            items.append(x)
        else:
            t = as_local_tensor(x, device)
            items.append(t)
            shapes.append(tuple(t.shape))
    shape = broadcast_shapes(*shapes)
    out = _output_layout(arrays, shape)
    blocks = [local_block(x, out) if isinstance(x, (Array, torch.Tensor)) else x for x in items]
    return blocks, out
