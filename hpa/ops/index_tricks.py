"""Flat and multi-dimensional indices: ``unravel_index`` and ``ravel_multi_index``.

Both are elementwise: each rank converts the indices of its own block, and the results keep
the layout of the indices (of their broadcast, for ``ravel_multi_index``). An index out of
bounds in one rank's block is an error on every rank: for distributed indices the ranks
agree on it in one ``allreduce`` (of the extreme indices, or of a flag); replicated indices
communicate nothing.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

import torch

from hpa.comm.base import ReduceOp
from hpa.core.align import align
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial, any_rank
from hpa.ops.creation import coerce

__all__ = ["ravel_multi_index", "unravel_index"]

_MODES = ("raise", "wrap", "clip")
_INT64_MAX = torch.iinfo(torch.int64).max


def _integers(x: Array) -> torch.Tensor:
    """``x``'s block as int64; ``TypeError`` for other than integer and bool dtypes."""
    if x.dtype.kind not in "biu":
        raise TypeError("only int indices permitted")
    return x.larray.to(torch.int64)


def _dims(shape: Any) -> tuple[int, ...]:
    seq = (shape,) if hasattr(type(shape), "__index__") else tuple(shape)
    dims = tuple(operator.index(d) for d in seq)
    if any(d < 0 for d in dims):
        raise ValueError("dimensions must be non-negative")
    return dims


def _strides(dims: tuple[int, ...], order: str) -> list[int]:
    """Elements between consecutive indices of each axis, in C or Fortran order."""
    if order not in ("C", "F", "A", "K"):
        raise ValueError(f"order must be one of 'C', 'F', 'A', or 'K' (got {order!r})")
    if order == "F":
        return [math.prod(dims[:k]) for k in range(len(dims))]
    return [math.prod(dims[k + 1 :]) for k in range(len(dims))]


@register()
def unravel_index(indices: Any, shape: int | Sequence[int], order: str = "C") -> tuple[Array, ...]:
    """The coordinates of flat ``indices`` in an array of ``shape``, as
    :func:`numpy.unravel_index`.

    Parameters
    ----------
    indices : array_like of int
        Flat indices into an array of ``shape``, each in ``[0, prod(shape))``; any layout.
    shape : int or sequence of int
        The array's shape.
    order : {"C", "F"}
        Row-major (C) or column-major (Fortran) flattening.

    Returns
    -------
    tuple of Array
        One int64 array per axis, each laid out like ``indices``.

    Notes
    -----
    Elementwise; an index out of bounds raises ValueError on every rank: distributed indices
    agree on their extremes in one ``allreduce``, replicated ones communicate nothing.
    """
    x = coerce(indices)
    dims = _dims(shape)
    strides = _strides(dims, order)
    t = _integers(x)
    size = math.prod(dims)
    if t.numel():
        ends = torch.stack([t.max(), -t.min()])
    else:  # the identities: an empty block has no index out of bounds
        ends = torch.full((2,), -_INT64_MAX, dtype=torch.int64, device=t.device)
    if x.is_distributed():
        ends = Partial(ends, x.comm, ReduceOp.MAX).replicate()
    hi, lo = ends.tolist()
    if hi >= size or -lo < 0:
        bad = hi if hi >= size else -lo
        raise ValueError(f"index {bad} is out of bounds for array with size {size}")
    return tuple(Array(t // s % d, x.layout) for s, d in zip(strides, dims))


def _clip_modes(mode: str | Sequence[str], n: int) -> list[str]:
    modes = [mode] * n if isinstance(mode, str) else list(mode)
    if len(modes) != n:
        raise ValueError(f"mode must be one string or one per dimension ({n}), got {mode!r}")
    for m in modes:
        if m not in _MODES:
            raise ValueError(f"clipmode must be one of 'clip', 'raise', or 'wrap' (got {m!r})")
    return modes


@register()
def ravel_multi_index(
    multi_index: Sequence[Any], dims: Sequence[int], mode: str | Sequence[str] = "raise",
    order: str = "C",
) -> Array:  # fmt: skip
    """The flat indices of the coordinates ``multi_index`` in an array of shape ``dims``, as
    :func:`numpy.ravel_multi_index`.

    Parameters
    ----------
    multi_index : sequence of array_like of int
        One integer array per dimension; they broadcast together (any layouts: they are
        aligned as in elementwise operations).
    dims : sequence of int
        The array's shape.
    mode : {"raise", "wrap", "clip"} or a sequence of them
        What an out-of-bounds coordinate does: raise ValueError, wrap around, or clip; one
        mode for every dimension or one per dimension.
    order : {"C", "F"}
        Row-major (C) or column-major (Fortran) flattening.

    Returns
    -------
    Array
        int64 flat indices, laid out as the broadcast of the coordinates.

    Notes
    -----
    Elementwise, after the coordinates are aligned (operands in one layout communicate
    nothing). In ``"raise"`` mode distributed coordinates agree on a bad one in one
    ``allreduce`` of a flag, so that every rank raises.
    """
    shape = _dims(dims)
    if isinstance(multi_index, Array) or len(multi_index) != len(shape):
        raise ValueError(f"parameter multi_index must be a sequence of length {len(shape)}")
    modes = _clip_modes(mode, len(shape))
    strides = _strides(shape, order)
    arrays = [coerce(i) for i in multi_index]
    if not arrays:
        return coerce(0)
    for a in arrays:
        if a.dtype.kind not in "biu":
            raise TypeError("only int indices permitted")
    blocks, layout = align(arrays)
    flat = torch.zeros(layout.lshape, dtype=torch.int64, device=arrays[0].larray.device)
    invalid = torch.zeros((), dtype=torch.bool, device=flat.device)
    for block, n, m, s in zip(blocks, shape, modes, strides):
        t = block.to(torch.int64)
        if m == "wrap":
            t = torch.remainder(t, n) if n else t
        elif m == "clip":
            t = t.clamp(0, max(n - 1, 0))
        else:
            invalid = invalid | ((t < 0) | (t >= n)).any()
        flat = flat + t * s
    checked = "raise" in modes
    bad = any_rank(invalid, layout.comm) if checked and layout.is_distributed else bool(invalid)
    if bad:
        raise ValueError("invalid entry in coordinates array")
    return Array(flat, layout)
