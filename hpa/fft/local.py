"""Local pieces shared by the transforms: dtypes, scaling, and ``torch.fft`` calls that accept
empty blocks."""

from __future__ import annotations

import math
from typing import Any

import torch

__all__ = ["complex_dtype", "in_place", "local_fft", "scale"]

_COMPLEX = {torch.float32: torch.complex64, torch.float64: torch.complex128}
# bytes per piece of an in-place transform: small next to a block, large enough for speed
_PIECE_BYTES = 8 << 20


def complex_dtype(dtype: torch.dtype) -> torch.dtype:
    """The complex dtype a transform of ``dtype`` data computes in (float32 -> complex64)."""
    return dtype if dtype.is_complex else _COMPLEX.get(dtype, torch.complex128)


def local_fft(
    fn: Any, t: torch.Tensor, sizes: list[int], dims: list[int], norm: str
) -> torch.Tensor:
    """``fn(t, s=sizes, dim=dims, norm=norm)`` for a ``torch.fft`` n-dimensional ``fn``; an empty
    block (which some FFT libraries reject) gives the empty result of the right shape."""
    if t.numel():
        return fn(t, s=sizes, dim=dims, norm=norm)
    shape = list(t.shape)
    for d, n in zip(dims, sizes):
        shape[d] = n
    if fn is torch.fft.rfftn:
        shape[dims[-1]] = sizes[-1] // 2 + 1
    dtype = complex_dtype(t.dtype)
    if fn is torch.fft.irfftn:
        dtype = torch.empty(0, dtype=dtype).real.dtype
    return t.new_empty(shape, dtype=dtype)


def scale(norm: str, n: int, inverse: bool) -> float:
    """The factor of an ``n``-point transform under NumPy's ``norm`` convention."""
    if norm == "ortho":
        return 1 / math.sqrt(n)
    return 1 / n if (norm == "forward") != inverse else 1.0


def in_place(fn: Any, t: torch.Tensor, dims: list[int], norm: str) -> torch.Tensor:
    """``t`` overwritten by the complex ``fn`` over ``dims`` (lengths kept), one piece of the
    other axes at a time: no second block is allocated (nor its pages faulted in)."""
    free = [d for d in range(t.ndim) if d not in dims]
    if not free or t.numel() * t.element_size() <= _PIECE_BYTES:
        return local_fft(fn, t, [t.shape[d] for d in dims], dims, norm)
    d = free[0]
    per = max(1, _PIECE_BYTES * t.shape[d] // (t.numel() * t.element_size()))
    for start in range(0, t.shape[d], per):
        piece = t.narrow(d, start, min(per, t.shape[d] - start))
        piece.copy_(fn(piece, dim=dims, norm=norm))
    return t
