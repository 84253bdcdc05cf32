"""Reproducible random numbers (``hpa.random``): values depend on the seed and the global index.

Every value is a pure function of ``(seed, call counter, global flat index)``, so the same seed
gives the same global array at every process count and for every ``split``, and each rank
generates only its own block. **No function in this module communicates**: ``seed``,
``get_state`` and ``set_state`` touch only this process's state, and the generators compute
their block from the layout alone. All ranks call the generators in the same order (as they
must for any collective anyway), so their call counters stay equal without a message.

The generator is counter-based: the element with global C-order index ``i`` of the ``c``-th call
after ``seed(s)`` takes the 64-bit word ``mix(key(s, c) + i * gamma)``, where ``mix`` is the
SplitMix64 finaliser (Steele, Lea & Flood 2014; the variant passes BigCrush as a counter-based
generator) and ``gamma`` the 64-bit golden ratio. It runs as a few torch integer operations
(multiply, shift, xor) over cache-sized pieces of the block, on any device. A stateful
generator such as torch's Mersenne Twister cannot do this: its n-th value needs the n-1 before
it, so rank r would have to generate (or skip) all the blocks of ranks < r.

Distributions are built from these words so that each value still depends on its index only:

- uniform: the top 53 bits (24 for float32) scaled to ``[0, 1)``;
- normal: Box-Muller on pairs ``(2j, 2j + 1)``, two words per pair from two sub-keys;
- exponential: ``-log`` of a uniform on ``(0, 1]``;
- poisson: inversion of the CDF with one uniform per value (a table and binary search for
  ``lam <= 1e6``, above that a normal-quantile guess corrected with the incomplete gamma
  function), exact in distribution up to the rounding of the CDF;
- randint: the top bits of the word, with rejection; a rejected value draws again from the word
  of the same index under a new sub-key, so the number of draws is a function of the index too.

Integer results and uniforms are bit-identical for every split and process count. Values that
pass through ``log``/``sin``/``cos`` may differ in the last bit between splits, because torch
evaluates the tail of each piece with the scalar libm routine and the rest with vector code.

``permutation``, ``randperm``, ``shuffle`` and ``choice`` live in :mod:`hpa.random.permutations`
(they sort random keys with the distributed sort) and are re-exported here.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterator, Sequence
from functools import lru_cache
from numbers import Real
from typing import Any, ClassVar

import torch

from hpa.backends import resolve_device
from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.layout import Layout
from hpa.ops.creation import layout_for

__all__ = [
    "exponential",
    "get_state",
    "normal",
    "poisson",
    "rand",
    "randint",
    "randn",
    "random",
    "random_sample",
    "seed",
    "set_state",
    "standard_normal",
    "uniform",
]

Size = int | Sequence[int] | None

_NAME = "hpa-splitmix64"
_MASK = (1 << 64) - 1
_GAMMA = 0x9E3779B97F4A7C15  # SplitMix64's increment: 2**64 / golden ratio, odd
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB
_PIECE = 1 << 16  # elements per piece: the working buffers stay in cache
_DEVICE_PIECE = 1 << 20  # on a GPU: pieces large enough that kernel launches do not dominate
_POISSON_TABLE_MAX = 1e6  # up to this lam, invert with a CDF table
_POISSON_MAX = 1e15  # above this, float64 no longer counts the values exactly


def _signed(v: int) -> int:
    """The 64-bit pattern of ``v`` as a signed integer (torch's int64)."""
    v &= _MASK
    return v - (1 << 64) if v >> 63 else v


def _mix64(z: int) -> int:
    """SplitMix64's finaliser on a Python integer (for keys; the same function as :func:`_mix_`)."""
    z &= _MASK
    z = ((z ^ (z >> 30)) * _M1) & _MASK
    z = ((z ^ (z >> 27)) * _M2) & _MASK
    return z ^ (z >> 31)


_GAMMA_S, _M1_S, _M2_S = _signed(_GAMMA), _signed(_M1), _signed(_M2)


def _mix_(x: torch.Tensor, tmp: torch.Tensor) -> None:
    """SplitMix64's finaliser in place on int64 ``x`` (``tmp``: scratch of the same shape).

    torch has only arithmetic right shifts on int64, so each logical shift is a shift and a mask.
    Multiplication wraps modulo 2**64 as in C.
    """
    for shift, mult in ((30, _M1_S), (27, _M2_S), (31, None)):
        torch.bitwise_right_shift(x, shift, out=tmp)
        tmp.bitwise_and_((1 << (64 - shift)) - 1)
        x.bitwise_xor_(tmp)
        if mult is not None:
            x.mul_(mult)


# ----------------------------------------------------------------------------- generator state
class _State:
    """Seed and call counter of this process (equal on all ranks: they call in the same order)."""

    seed = 0
    counter = 0


def _next_key() -> int:
    """The key of the next call; advances the call counter."""
    key = _mix64(_mix64(_State.seed ^ _M2) + _GAMMA * (_State.counter + 1))
    _State.counter += 1
    return key


def _subkey(key: int, stream: int) -> int:
    """An independent key derived from ``key`` for the ``stream``-th use within one call."""
    return _mix64(key + _GAMMA * (stream + 1) ^ _M1)


def seed(seed: int = 0) -> None:
    """Seed the generator and reset its call counter; no communication.

    Parameters
    ----------
    seed : int
        A non-negative integer below ``2**64``. Every rank must pass the same value. Unlike
        NumPy, ``None`` (a seed from the operating system) is not accepted: the ranks could
        only agree on it by communicating.

    Raises
    ------
    TypeError
        If ``seed`` is not an integer.
    ValueError
        If ``seed`` is negative or not below ``2**64``.
    """
    if isinstance(seed, bool) or not hasattr(type(seed), "__index__"):
        raise TypeError(f"seed must be an integer, got {seed!r}")
    value = operator.index(seed)
    if not 0 <= value <= _MASK:
        raise ValueError(f"seed must be between 0 and 2**64 - 1, got {value}")
    _State.seed, _State.counter = value, 0


def get_state() -> tuple[str, int, int]:
    """The generator state ``(name, seed, counter)``; no communication.

    Returns
    -------
    tuple
        ``("hpa-splitmix64", seed, counter)``: the seed last set and the number of generating
        calls since then. Passing it to :func:`set_state` replays the calls that followed.
    """
    return (_NAME, _State.seed, _State.counter)


def set_state(state: tuple[str, int, int]) -> None:
    """Restore a state returned by :func:`get_state`; no communication.

    Raises
    ------
    ValueError
        If ``state`` is not a ``(name, seed, counter)`` triple of this generator.
    """
    if not isinstance(state, (tuple, list)) or len(state) != 3 or state[0] != _NAME:
        raise ValueError(f"expected a state ({_NAME!r}, seed, counter), got {state!r}")
    _, new_seed, counter = state
    if isinstance(counter, bool) or not hasattr(type(counter), "__index__") or counter < 0:
        raise ValueError(f"the counter must be a non-negative integer, got {counter!r}")
    seed(new_seed)
    _State.counter = operator.index(counter)


# ------------------------------------------------------------------------ the block, in pieces
def _piece(device: torch.device) -> int:
    """Elements per piece on ``device`` (the values do not depend on it)."""
    return _PIECE if device.type == "cpu" else _DEVICE_PIECE


class _Work:
    """Scratch buffers of one piece, and the per-device ramp ``arange(piece) * gamma``."""

    _ramps: ClassVar[dict[torch.device, torch.Tensor]] = {}

    def __init__(self, device: torch.device) -> None:
        size = _piece(device)
        if device not in self._ramps:
            self._ramps[device] = torch.arange(size, dtype=torch.int64, device=device) * _GAMMA_S
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
        torch.add(starts * _GAMMA_S + _signed(key), self.ramp[:cols], out=x)
        _mix_(x, self.tmp[: rows * cols].view(rows, cols))
        return x


def _bits_at(index: torch.Tensor, key: int) -> torch.Tensor:
    """Words for arbitrary global indices (a fresh tensor; for the few redrawn values)."""
    x = index * _GAMMA_S + _signed(key)
    _mix_(x, torch.empty_like(x))
    return x


def _to_unit(bits: torch.Tensor, out: torch.Tensor, open_zero: bool = False) -> torch.Tensor:
    """Uniform floats from the top bits of ``bits`` (clobbered) into ``out``.

    The top 53 (float64) or 24 (float32) bits, with the sign bit flipped, count multiples of
    ``2**-53`` (``2**-24``): ``[0, 1)``, or ``(0, 1]`` with ``open_zero``. Exact, no rounding.
    """
    mantissa = 53 if out.dtype == torch.float64 else 24
    step = 2.0**-mantissa
    bits.bitwise_right_shift_(64 - mantissa)  # signed: in [-2**(m-1), 2**(m-1))
    out.copy_(bits)
    return out.mul_(step).add_(0.5 + step if open_zero else 0.5)


Fill = Callable[[torch.Tensor, torch.Tensor, _Work], None]


def _rows(lay: Layout) -> tuple[int, int, int, int]:
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


def _pieces(
    outer: int, length: int, first: int, stride: int, device: torch.device
) -> Iterator[tuple[slice, slice, torch.Tensor]]:
    """Cut ``outer`` rows of ``length`` (see :func:`_rows`) into pieces that fit the buffers.

    Yields ``(rows, cols, starts)``: a piece ``block[rows, cols]`` of at most ``piece - 2``
    elements (:func:`_piece`), contiguous in the block (room is left for the Box-Muller
    pairs), and the global index of the first element of each of its rows as a ``(rows, 1)``
    int64 tensor (filled on the device: a copy from the host would synchronise a GPU).
    """
    if outer == 0 or length == 0:
        return
    piece = _piece(device)
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


def _generate(lay: Layout, dtype: torch.dtype, device: torch.device, fill: Fill) -> Array:
    """This rank's block of ``lay``, filled piece by piece; no communication."""
    out = torch.empty(lay.lshape, dtype=dtype, device=device)
    outer, length, first, stride = _rows(lay)
    block = out.view(outer, length)
    work = _Work(device)
    for rows, cols, starts in _pieces(outer, length, first, stride, device):
        fill(block[rows, cols], starts, work)
    return Array(out, lay)


# --------------------------------------------------------------------------- argument checking
def _size(size: Size) -> tuple[int, ...]:
    if size is None:
        return ()
    dims = (size,) if hasattr(type(size), "__index__") else tuple(size)
    out = tuple(operator.index(d) for d in dims)
    if any(d < 0 for d in out):
        raise ValueError(f"negative dimensions are not allowed: {out}")
    return out


def _float_dtype(dtype: Any) -> torch.dtype:
    dt = dtypes.to_dtype(dtype)
    if dt not in (dtypes.float32, dtypes.float64):
        raise TypeError(f"random floats are float32 or float64, not {dt}")
    return dt.torch


def _real(value: Any, name: str) -> float:
    if isinstance(value, Array) or not isinstance(value, Real):
        raise TypeError(f"{name} must be a real scalar (array parameters are not supported)")
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out}")
    return out


def _setup(
    size: Size, split: int | None, device: Any, comm: Communicator | None
) -> tuple[Layout, torch.device]:
    return layout_for(_size(size), split, comm), resolve_device(device).torch_device


# ---------------------------------------------------------------------------------- uniform
def _uniform(
    size: Size, low: float, span: float, dtype: Any, split: int | None, device: Any,
    comm: Communicator | None,
) -> Array:  # fmt: skip
    tdtype = _float_dtype(dtype)
    lay, tdev = _setup(size, split, device, comm)
    key = _next_key()

    def fill(out: torch.Tensor, starts: torch.Tensor, work: _Work) -> None:
        _to_unit(work.bits(starts, out.shape[1], key), out)
        if (low, span) != (0.0, 1.0):
            out.mul_(span).add_(low)

    return _generate(lay, tdtype, tdev, fill)


def random(
    size: Size = None, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Uniform floats in ``[0, 1)`` of shape ``size`` (NumPy's ``random.random``).

    Parameters
    ----------
    size : int or tuple of int, optional
        Global shape; ``None`` gives a 0-d array.
    dtype : float32 or float64
        float64 uses 53 random bits per value, float32 24.
    split, device, comm : optional
        Distribution axis, device and communicator of the result.

    Returns
    -------
    Array
        Every rank computes only its block, from the seed, the call counter and the global
        indices: no communication.

    Raises
    ------
    ValueError
        If a dimension is negative.
    TypeError
        If ``dtype`` is not float32 or float64.
    """
    return _uniform(size, 0.0, 1.0, dtype, split, device, comm)


def random_sample(
    size: Size = None, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Uniform floats in ``[0, 1)``: the same as :func:`random`; no communication."""
    return _uniform(size, 0.0, 1.0, dtype, split, device, comm)


def rand(
    *shape: int, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Uniform floats in ``[0, 1)`` of shape ``(d0, d1, ...)`` (NumPy's ``random.rand``).

    No arguments give a 0-d array. No communication; see :func:`random`.
    """
    return _uniform(shape, 0.0, 1.0, dtype, split, device, comm)


def uniform(
    low: float = 0.0, high: float = 1.0, size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Uniform floats ``low + (high - low) * U`` with ``U`` in ``[0, 1)``; no communication.

    As in NumPy, ``high < low`` is allowed, and rounding can make a value equal ``high``.

    Raises
    ------
    TypeError
        If ``low`` or ``high`` is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``low``, ``high`` or ``high - low`` is not finite, or a dimension is negative.
    """
    lo, hi = _real(low, "low"), _real(high, "high")
    span = _real(hi - lo, "high - low")
    return _uniform(size, lo, span, dtype, split, device, comm)


# ----------------------------------------------------------------------------------- normal
def _normal(
    size: Size, loc: float, scale: float, dtype: Any, split: int | None, device: Any,
    comm: Communicator | None,
) -> Array:  # fmt: skip
    tdtype = _float_dtype(dtype)
    lay, tdev = _setup(size, split, device, comm)
    key = _next_key()
    key_r, key_t = _subkey(key, 0), _subkey(key, 1)

    def fill(out: torch.Tensor, starts: torch.Tensor, work: _Work) -> None:
        # the value at index i is one half of the Box-Muller pair i // 2
        rows, cols = out.shape
        pairs = cols // 2 + 1
        pair_starts = starts >> 1
        radius = _to_unit(
            work.bits(pair_starts, pairs, key_r), work.float_buffer(0, rows, pairs), open_zero=True
        )
        angle = _to_unit(work.bits(pair_starts, pairs, key_t), work.float_buffer(1, rows, pairs))
        radius.log_().mul_(-2.0).sqrt_()
        angle.mul_(2.0 * math.pi)
        both = work.float_buffer(2, rows, 2 * pairs).view(rows, pairs, 2)
        torch.mul(radius, torch.cos(angle), out=both[..., 0])
        torch.mul(radius, angle.sin_(), out=both[..., 1])
        both = both.view(rows, 2 * pairs)
        odd = (starts & 1).bool()
        values = torch.where(odd, both[:, 1 : cols + 1], both[:, :cols])
        if (loc, scale) != (0.0, 1.0):
            values.mul_(scale).add_(loc)
        out.copy_(values)

    return _generate(lay, tdtype, tdev, fill)


def standard_normal(
    size: Size = None, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Standard normal floats (mean 0, variance 1) of shape ``size``; no communication.

    Box-Muller: the values at global indices ``2j`` and ``2j + 1`` are the cosine and sine
    halves of one pair, computed from two uniforms that depend on ``j`` only.

    Raises
    ------
    ValueError
        If a dimension is negative.
    TypeError
        If ``dtype`` is not float32 or float64.
    """
    return _normal(size, 0.0, 1.0, dtype, split, device, comm)


def randn(
    *shape: int, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Standard normal floats of shape ``(d0, d1, ...)`` (NumPy's ``random.randn``).

    No arguments give a 0-d array. No communication; see :func:`standard_normal`.
    """
    return _normal(shape, 0.0, 1.0, dtype, split, device, comm)


def normal(
    loc: float = 0.0, scale: float = 1.0, size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Normal floats with mean ``loc`` and standard deviation ``scale``; no communication.

    Raises
    ------
    TypeError
        If ``loc`` or ``scale`` is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``scale`` is negative, a parameter is not finite, or a dimension is negative.
    """
    mean, std = _real(loc, "loc"), _real(scale, "scale")
    if std < 0:
        raise ValueError(f"scale must be non-negative, got {std}")
    return _normal(size, mean, std, dtype, split, device, comm)


# ------------------------------------------------------------------------------ exponential
def exponential(
    scale: float = 1.0, size: Size = None, dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Exponential floats with mean ``scale``: ``-scale * log(U)``, ``U`` in ``(0, 1]``.

    No communication.

    Raises
    ------
    TypeError
        If ``scale`` is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``scale`` is negative or not finite, or a dimension is negative.
    """
    beta = _real(scale, "scale")
    if beta < 0:
        raise ValueError(f"scale must be non-negative, got {beta}")
    tdtype = _float_dtype(dtype)
    lay, tdev = _setup(size, split, device, comm)
    key = _next_key()

    def fill(out: torch.Tensor, starts: torch.Tensor, work: _Work) -> None:
        rows, cols = out.shape
        u = _to_unit(work.bits(starts, cols, key), work.float_buffer(0, rows, cols), True)
        out.copy_(u.log_().mul_(-beta))

    return _generate(lay, tdtype, tdev, fill)


# ---------------------------------------------------------------------------------- poisson
@lru_cache(maxsize=8)
def _poisson_cdf(lam: float) -> tuple[int, tuple[float, ...]]:
    """``(k0, F)``: the Poisson CDF ``F[j] = P(X <= k0 + j)`` over ``lam`` +- 12 sd + 40.

    The mass outside is below 1e-30. Kahan-summed, and scaled so that the last entry is 1.
    """
    spread = 12.0 * math.sqrt(lam) + 40.0
    k0, k1 = max(0, math.floor(lam - spread)), math.ceil(lam + spread)
    log_lam = math.log(lam)
    total = carry = 0.0
    cdf = []
    for k in range(k0, k1 + 1):
        term = math.exp(k * log_lam - lam - math.lgamma(k + 1)) - carry
        new = total + term
        carry = (new - total) - term
        total = new
        cdf.append(total)
    return k0, tuple(c / total for c in cdf)


def _poisson_search(u: torch.Tensor, lam: float) -> torch.Tensor:
    """Smallest ``k`` (float64) with ``P(X <= k) >= u``, by a guess and unit steps.

    ``P(X <= k) = Q(k + 1, lam)`` (regularized upper incomplete gamma). The Cornish-Fisher
    guess is within a few steps for ``lam > 1e6``; the loops run until every value settles.
    """
    lam_t = torch.full((), lam, dtype=torch.float64, device=u.device)
    z = torch.special.ndtri(u).clamp_(-9.0, 9.0)
    k = (lam + math.sqrt(lam) * z + (z * z - 1.0) / 6.0).floor_().clamp_(min=0.0)

    def cdf(at: torch.Tensor) -> torch.Tensor:  # P(X <= at), 0 below zero
        return torch.where(at >= 0, torch.special.gammaincc(at.clamp(min=0) + 1, lam_t), 0.0)

    down = (cdf(k - 1) >= u).nonzero().squeeze(1)
    while down.numel():  # lower k until P(X <= k - 1) < u
        k[down] -= 1
        down = down[cdf(k[down] - 1) >= u[down]]
    up = (cdf(k) < u).nonzero().squeeze(1)
    while up.numel():  # raise k until P(X <= k) >= u
        k[up] += 1
        up = up[cdf(k[up]) < u[up]]
    return k


def poisson(
    lam: float = 1.0, size: Size = None, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Poisson-distributed int64 values with mean ``lam``; no communication.

    Inversion: each value is the smallest ``k`` with ``P(X <= k) >= U`` for one uniform ``U``
    of its index, so it is exact in distribution up to the rounding of the CDF (about 1e-15 for
    ``lam <= 1e6``, from a table; about 1e-12 above, from torch's incomplete gamma function).

    Raises
    ------
    TypeError
        If ``lam`` is not a real scalar.
    ValueError
        If ``lam`` is negative or above 1e15 (NumPy's limit is 9.2e18), or a dimension is
        negative.
    """
    rate = _real(lam, "lam")
    if not 0 <= rate <= _POISSON_MAX:
        raise ValueError(f"lam must be in [0, {_POISSON_MAX:g}], got {rate}")
    lay, tdev = _setup(size, split, device, comm)
    key = _next_key()
    table = None
    if 0 < rate <= _POISSON_TABLE_MAX:
        k0, cdf = _poisson_cdf(rate)
        table = torch.tensor(cdf, dtype=torch.float64, device=tdev)

    def fill(out: torch.Tensor, starts: torch.Tensor, work: _Work) -> None:
        rows, cols = out.shape
        if rate == 0:
            out.zero_()
            return
        u = _to_unit(work.bits(starts, cols, key), work.float_buffer(0, rows, cols))
        if table is not None:
            out.copy_(torch.searchsorted(table, u.view(-1)).view(rows, cols)).add_(k0)
        else:
            out.copy_(_poisson_search(u.view(-1), rate).view(rows, cols))

    return _generate(lay, torch.int64, tdev, fill)


# ---------------------------------------------------------------------------------- randint
def _integer(value: Any, name: str) -> int:
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    return operator.index(value)


def _top_bits(words: torch.Tensor, nbits: int) -> torch.Tensor:
    """The top ``nbits`` (1..64) of each word as an unsigned number (in place)."""
    if nbits < 64:
        words.bitwise_right_shift_(64 - nbits).bitwise_and_((1 << nbits) - 1)
    return words


def randint(
    low: int, high: int | None = None, size: Size = None, dtype: Any = dtypes.int64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Uniform integers in ``[low, high)``, or ``[0, low)`` without ``high``; no communication.

    Each value takes the top ``b`` bits of its word, ``2**(b-1) < high - low <= 2**b``, and is
    redrawn under a fresh sub-key while it falls outside the range (fewer than two draws on
    average): unbiased, and still a function of the seed, the call and the index.

    Raises
    ------
    TypeError
        If ``low`` or ``high`` is not an integer, or ``dtype`` is not an integer or bool type.
    ValueError
        If ``high <= low``, the range does not fit ``dtype``, or a dimension is negative.
    """
    lo, hi = (
        (0, _integer(low, "low"))
        if high is None
        else (_integer(low, "low"), _integer(high, "high"))
    )
    dt = dtypes.to_dtype(dtype)
    if dt.kind not in "biu":
        raise TypeError(f"randint returns integers or booleans, not {dt}")
    info = (0, 1) if dt.kind == "b" else (torch.iinfo(dt.torch).min, torch.iinfo(dt.torch).max)
    if hi <= lo:
        raise ValueError(f"high <= low: [{lo}, {hi}) is empty")
    if lo < info[0] or hi - 1 > info[1]:
        raise ValueError(f"[{lo}, {hi}) is out of bounds for {dt}")
    lay, tdev = _setup(size, split, device, comm)
    key = _next_key()
    span = hi - lo
    nbits = (span - 1).bit_length()
    # words are compared as unsigned numbers: flip the sign bit on both sides
    limit = _signed((span - 1) ^ (1 << 63))

    def accept(draw: torch.Tensor) -> torch.Tensor:
        return (draw ^ _signed(1 << 63)) <= limit

    def fill(out: torch.Tensor, starts: torch.Tensor, work: _Work) -> None:
        cols = out.shape[1]
        if nbits == 0:
            out.fill_(lo)
            return
        draw = _top_bits(work.bits(starts, cols, key), nbits)
        flat = draw.view(-1)
        redo = (~accept(flat)).nonzero().squeeze(1)
        index = (starts + torch.arange(cols, device=starts.device)).view(-1)[redo]
        attempt = 0
        while redo.numel():
            attempt += 1
            again = _top_bits(_bits_at(index, _subkey(key, attempt)), nbits)
            ok = accept(again)
            flat[redo[ok]] = again[ok]
            redo, index = redo[~ok], index[~ok]
        out.copy_(draw.add_(_signed(lo)))

    return _generate(lay, dt.torch, tdev, fill)
