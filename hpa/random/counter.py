"""The counter-based generator core of :mod:`hpa.random` (internal: no user-facing names).

The element with global C-order index ``i`` of the ``c``-th call after ``seed(s)`` takes the
64-bit word ``mix(key(s, c) + i * gamma)``, where ``mix`` is the SplitMix64 finaliser (Steele,
Lea & Flood 2014) and ``gamma`` the 64-bit golden ratio. This module holds the generator state
(seed and call counter, :class:`State`), the keys of the calls (:func:`next_key`,
:func:`subkey`), the words (:class:`Work`, :func:`bits_at`, :func:`to_unit`), the filling of a
rank's block piece by piece (:func:`generate`) and the argument checks the generators share
(:func:`shape_of`, :func:`integer`). The distributions are in :mod:`hpa.random.generation`, the
permutations in :mod:`hpa.random.permutations`.

Nothing here communicates: a rank computes its block from the layout alone.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar, cast

import torch

from hpa.core.array import Array
from hpa.core.layout import Layout

__all__ = [
    "DEVICE_PIECE",
    "GAMMA",
    "GAMMA_S",
    "M1",
    "M1_S",
    "M2",
    "M2_S",
    "MASK",
    "NAME",
    "PIECE",
    "Fill",
    "Size",
    "State",
    "Work",
    "bits_at",
    "block_rows",
    "generate",
    "integer",
    "mix64",
    "mix_",
    "next_key",
    "piece_size",
    "pieces",
    "shape_of",
    "signed",
    "subkey",
    "to_unit",
]

Size = int | Sequence[int] | None

NAME = "hpa-splitmix64"
MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15  # SplitMix64's increment: 2**64 / golden ratio, odd
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB
PIECE = 1 << 16  # elements per piece: the working buffers stay in cache
DEVICE_PIECE = 1 << 20  # on a GPU: pieces large enough that kernel launches do not dominate


def signed(v: int) -> int:
    """The 64-bit pattern of ``v`` as a signed integer (torch's int64)."""
    v &= MASK
    return v - (1 << 64) if v >> 63 else v


def mix64(z: int) -> int:
    """SplitMix64's finaliser on a Python integer (for keys; the same function as :func:`mix_`)."""
    z &= MASK
    z = ((z ^ (z >> 30)) * M1) & MASK
    z = ((z ^ (z >> 27)) * M2) & MASK
    return z ^ (z >> 31)


GAMMA_S, M1_S, M2_S = signed(GAMMA), signed(M1), signed(M2)


def mix_(x: torch.Tensor, tmp: torch.Tensor) -> None:
    """SplitMix64's finaliser in place on int64 ``x`` (``tmp``: scratch of the same shape).

    torch has only arithmetic right shifts on int64, so each logical shift is a shift and a mask.
    Multiplication wraps modulo 2**64 as in C.
    """
    for shift, mult in ((30, M1_S), (27, M2_S), (31, None)):
        torch.bitwise_right_shift(x, shift, out=tmp)
        tmp.bitwise_and_((1 << (64 - shift)) - 1)
        x.bitwise_xor_(tmp)
        if mult is not None:
            x.mul_(mult)


# ----------------------------------------------------------------------------- generator state
class State:
    """Seed and call counter of this process (equal on all ranks: they call in the same order)."""

    seed = 0
    counter = 0


def next_key() -> int:
    """The key of the next call; advances the call counter."""
    key = mix64(mix64(State.seed ^ M2) + GAMMA * (State.counter + 1))
    State.counter += 1
    return key


def subkey(key: int, stream: int) -> int:
    """An independent key derived from ``key`` for the ``stream``-th use within one call."""
    return mix64(key + GAMMA * (stream + 1) ^ M1)


# ------------------------------------------------------------------------ the block, in pieces
def piece_size(device: torch.device) -> int:
    """Elements per piece on ``device`` (the values do not depend on it)."""
    return PIECE if device.type == "cpu" else DEVICE_PIECE


class Work:
    """Scratch buffers of one piece, and the per-device ramp ``arange(piece) * gamma``."""

    _ramps: ClassVar[dict[torch.device, torch.Tensor]] = {}

    def __init__(self, device: torch.device) -> None:
        size = piece_size(device)
        if device not in self._ramps:
            self._ramps[device] = torch.arange(size, dtype=torch.int64, device=device) * GAMMA_S
        self.ramp = self._ramps[device]
        self.words = torch.empty(size, dtype=torch.int64, device=device)
        self.tmp = torch.empty(size, dtype=torch.int64, device=device)
        self.floats = [torch.empty(size, dtype=torch.float64, device=device) for _ in range(3)]

    def float_buffer(self, which: int, rows: int, cols: int) -> torch.Tensor:
        return self.floats[which][: rows * cols].view(rows, cols)

    def bits(self, starts: torch.Tensor, cols: int, key: int) -> torch.Tensor:
        """Words ``mix(key + (s + c) * gamma)`` for row starts ``s`` (rows x 1), ``c < cols``."""
        rows = starts.shape[0]
        x = self.words[: rows * cols].view(rows, cols)
        torch.add(starts * GAMMA_S + signed(key), self.ramp[:cols], out=x)
        mix_(x, self.tmp[: rows * cols].view(rows, cols))
        return x


def bits_at(index: torch.Tensor, key: int) -> torch.Tensor:
    """Words for arbitrary global indices (a fresh tensor; for the few redrawn values)."""
    x = index * GAMMA_S + signed(key)
    mix_(x, torch.empty_like(x))
    return x


def to_unit(bits: torch.Tensor, out: torch.Tensor, open_zero: bool = False) -> torch.Tensor:
    """Uniform floats from the top bits of ``bits`` (clobbered) into ``out``.

    The top 53 (float64) or 24 (float32) bits, with the sign bit flipped, count multiples of
    ``2**-53`` (``2**-24``): ``[0, 1)``, or ``(0, 1]`` with ``open_zero``. Exact, no rounding.
    """
    mantissa = 53 if out.dtype == torch.float64 else 24
    step = 2.0**-mantissa
    bits.bitwise_right_shift_(64 - mantissa)  # signed: in [-2**(m-1), 2**(m-1))
    out.copy_(bits)
    return out.mul_(step).add_(0.5 + step if open_zero else 0.5)


Fill = Callable[[torch.Tensor, torch.Tensor, Work], None]


def block_rows(lay: Layout) -> tuple[int, int, int, int]:
    """This rank's block as ``outer`` rows of ``length`` consecutive global (C-order) indices.

    Returns ``(outer, length, first, stride)``: row ``r`` starts at global index
    ``first + r * stride``. Replicated and split-0 blocks are one row.
    """
    shape = lay.gshape
    if lay.split is None:
        return 1, math.prod(shape), 0, 0
    k = lay.split
    lo, hi = lay.range_of(lay.comm.rank)
    inner = math.prod(shape[k + 1 :])
    return math.prod(shape[:k]), (hi - lo) * inner, lo * inner, shape[k] * inner


def pieces(
    outer: int, length: int, first: int, stride: int, device: torch.device
) -> Iterator[tuple[slice, slice, torch.Tensor]]:
    """Cut ``outer`` rows of ``length`` (see :func:`block_rows`) into pieces that fit the buffers.

    Yields ``(rows, cols, starts)``: a piece ``block[rows, cols]`` of at most ``piece - 2``
    elements (:func:`piece_size`), contiguous in the block (room is left for the Box-Muller
    pairs), and the global index of the first element of each of its rows as a ``(rows, 1)``
    int64 tensor (filled on the device: a copy from the host would synchronise a GPU).
    """
    if outer == 0 or length == 0:
        return
    piece = piece_size(device)
    if length + 2 > piece // 2:  # long rows: cut each row
        step = piece - 2
        for row in range(outer):
            for c0 in range(0, length, step):
                start = first + row * stride + c0
                yield (
                    slice(row, row + 1),
                    slice(c0, min(length, c0 + step)),
                    torch.full((1, 1), start, dtype=torch.int64, device=device),
                )
    else:  # short rows: several whole rows per piece
        per = piece // (length + 2)
        for r0 in range(0, outer, per):
            r1 = min(outer, r0 + per)
            starts = torch.arange(r0, r1, dtype=torch.int64, device=device) * stride + first
            yield slice(r0, r1), slice(0, length), starts.unsqueeze(1)


def generate(lay: Layout, dtype: torch.dtype, device: torch.device, fill: Fill) -> Array:
    """This rank's block of ``lay``, filled piece by piece; no communication."""
    out = torch.empty(lay.lshape, dtype=dtype, device=device)
    outer, length, first, stride = block_rows(lay)
    block = out.view(outer, length)
    work = Work(device)
    for rows, cols, starts in pieces(outer, length, first, stride, device):
        fill(block[rows, cols], starts, work)
    return Array(out, lay)


# --------------------------------------------------------------------------- argument checking
def shape_of(size: Size) -> tuple[int, ...]:
    if size is None:
        return ()
    dims = (cast(int, size),) if hasattr(type(size), "__index__") else tuple(cast(Sequence[int], size))
    out = tuple(operator.index(d) for d in dims)
    if any(d < 0 for d in out):
        raise ValueError(f"negative dimensions are not allowed: {out}")
    return out


def integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    return operator.index(value)
