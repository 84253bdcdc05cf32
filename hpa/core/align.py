"""Aligning operands of an elementwise operation to one output layout.

The rule, applied to any number of operands (hpa arrays, NumPy arrays, torch tensors and
Python scalars):

1. The output shape is the NumPy broadcast of the operands' shapes.
2. The output is split along the split axis of the largest split operand (the first of equal
   size) whose split axis is not broadcast; it keeps that operand's extents, ragged or not.
   With no such operand the output is replicated.
3. Every other operand is brought to the output's blocks: a replicated operand (NumPy and
   torch inputs included) is sliced locally, an operand split along the same axis with other
   extents or along another axis goes through the redistribution planner (one ``alltoallv``),
   an operand that broadcasts along the output's split axis is replicated first.

So operands that already agree communicate nothing, and split 0 combined with split 1 costs one
all-to-all of the smaller operand instead of an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from hpa.core.array import Array
from hpa.core.layout import Layout
from hpa.core.redistribute import redistribute

__all__ = ["align", "as_local_tensor", "broadcast_shapes"]

Scalar = (bool, int, float, complex)


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """NumPy's broadcast of ``shapes``; raises ``ValueError`` naming them when impossible."""
    try:
        return tuple(torch.broadcast_shapes(*shapes))
    except RuntimeError:
        listed = " ".join(str(tuple(s)) for s in shapes)
        raise ValueError(f"operands could not be broadcast together with shapes {listed}") from None


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


def _local_block(x: Array, out: Layout) -> torch.Tensor:
    split = out.split
    if split is None:
        return x.larray if x.split is None else x.gather()
    axis = split - (out.ndim - x.ndim)
    if axis < 0 or x.shape[axis] != out.gshape[split]:  # broadcast along the split axis
        return x.larray if x.split is None else x.gather()
    if x.split is None:
        lo, hi = out.range_of(out.comm.rank)
        return x.larray.narrow(axis, lo, hi - lo)
    return redistribute(x.larray, x.layout, Layout(x.shape, axis, out.comm, out.counts))


def _slice_replicated(t: torch.Tensor, out: Layout) -> torch.Tensor:
    split = out.split
    if split is None:
        return t
    axis = split - (out.ndim - t.dim())
    if axis < 0 or t.shape[axis] != out.gshape[split]:  # broadcast along the split axis
        return t
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
    blocks: list[Any] = []
    for x in items:
        if isinstance(x, Array):
            blocks.append(_local_block(x, out))
        elif isinstance(x, torch.Tensor):
            blocks.append(_slice_replicated(x, out))
        else:
            blocks.append(x)
    return blocks, out
