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

The generator core (state, keys, words, the filling of a block) is :mod:`hpa.random.counter`.
NumPy's other distributions, built the same way on these words, live in
:mod:`hpa.random.distributions` (transforms of uniforms, exponentials and normals; binomial and
geometric) and :mod:`hpa.random.gamma_family` (the gamma sampler and what is built on it).
``permutation``, ``randperm``, ``shuffle`` and ``choice`` live in :mod:`hpa.random.permutations`
(they sort random keys with the distributed sort); the package :mod:`hpa.random` re-exports
all these modules' functions.
"""

from __future__ import annotations

import math
import operator
from functools import lru_cache
from numbers import Real
from typing import Any

import torch

from hpa.backends import resolve_device
from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.layout import Layout
from hpa.ops.creation import layout_for
from hpa.random.counter import (
    MASK,
    NAME,
    Size,
    State,
    Work,
    bits_at,
    generate,
    integer,
    next_key,
    shape_of,
    signed,
    subkey,
    to_unit,
)

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


_POISSON_TABLE_MAX = 1e6  # up to this lam, invert with a CDF table
POISSON_MAX = 1e15  # above this, float64 no longer counts the values exactly


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
    if not 0 <= value <= MASK:
        raise ValueError(f"seed must be between 0 and 2**64 - 1, got {value}")
    State.seed, State.counter = value, 0


def get_state() -> tuple[str, int, int]:
    """The generator state ``(name, seed, counter)``; no communication.

    Returns
    -------
    tuple
        ``("hpa-splitmix64", seed, counter)``: the seed last set and the number of generating
        calls since then. Passing it to :func:`set_state` replays the calls that followed.
    """
    return (NAME, State.seed, State.counter)


def set_state(state: tuple[str, int, int]) -> None:
    """Restore a state returned by :func:`get_state`; no communication.

    Raises
    ------
    ValueError
        If ``state`` is not a ``(name, seed, counter)`` triple of this generator.
    """
    if not isinstance(state, (tuple, list)) or len(state) != 3 or state[0] != NAME:
        raise ValueError(f"expected a state ({NAME!r}, seed, counter), got {state!r}")
    _, new_seed, counter = state
    if isinstance(counter, bool) or not hasattr(type(counter), "__index__") or counter < 0:
        raise ValueError(f"the counter must be a non-negative integer, got {counter!r}")
    seed(new_seed)
    State.counter = operator.index(counter)


# --------------------------------------------------------------------------- argument checking
# (shared with hpa.random.distributions and hpa.random.gamma_family)
def float_dtype(dtype: Any) -> torch.dtype:
    """The torch dtype of a random float ``dtype``; TypeError unless float32 or float64."""
    dt = dtypes.to_dtype(dtype)
    if dt not in (dtypes.float32, dtypes.float64):
        raise TypeError(f"random floats are float32 or float64, not {dt}")
    return dt.torch


def real_scalar(value: Any, name: str) -> float:
    """``value`` as a finite float; TypeError for arrays and non-reals, ValueError if not finite."""
    if isinstance(value, Array) or not isinstance(value, Real):
        raise TypeError(
            f"{name} must be a real scalar: array parameters are not supported, pass a scalar"
        )
    out = float(value)
    if not math.isfinite(out):
        raise ValueError(f"{name} must be finite, got {out}")
    return out


def block_layout(
    size: Size, split: int | None, device: Any, comm: Communicator | None
) -> tuple[Layout, torch.device]:
    """The balanced layout of the result of shape ``size``, and its torch device."""
    return layout_for(shape_of(size), split, comm), resolve_device(device).torch_device


# ---------------------------------------------------------------------------------- uniform
def _uniform(
    size: Size, low: float, span: float, dtype: Any, split: int | None, device: Any,
    comm: Communicator | None,
) -> Array:  # fmt: skip
    tdtype = float_dtype(dtype)
    lay, tdev = block_layout(size, split, device, comm)
    key = next_key()

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        to_unit(work.bits(starts, out.shape[1], key), out)
        if (low, span) != (0.0, 1.0):
            out.mul_(span).add_(low)

    return generate(lay, tdtype, tdev, fill)


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
    lo, hi = real_scalar(low, "low"), real_scalar(high, "high")
    span = real_scalar(hi - lo, "high - low")
    return _uniform(size, lo, span, dtype, split, device, comm)


# ----------------------------------------------------------------------------------- normal
def _normal(
    size: Size, loc: float, scale: float, dtype: Any, split: int | None, device: Any,
    comm: Communicator | None,
) -> Array:  # fmt: skip
    tdtype = float_dtype(dtype)
    lay, tdev = block_layout(size, split, device, comm)
    key = next_key()

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        values = box_muller(work, starts, out.shape[1], key)
        if (loc, scale) != (0.0, 1.0):
            values.mul_(scale).add_(loc)
        out.copy_(values)

    return generate(lay, tdtype, tdev, fill)


def box_muller(work: Work, starts: torch.Tensor, cols: int, key: int) -> torch.Tensor:
    """Standard normals (float64, ``rows x cols``) at the indices ``starts + c`` of a piece.

    The value at index ``i`` is one half of the Box-Muller pair ``i // 2`` (cosine for even
    ``i``, sine for odd), whose radius and angle are uniforms from the words of ``i // 2``
    under the sub-keys 0 and 1 of ``key``. Uses ``work``'s float buffers as scratch and returns
    a fresh tensor. :func:`normal_at` gives the same values at arbitrary indices.
    """
    rows = starts.shape[0]
    pairs = cols // 2 + 1
    pair_starts = starts >> 1
    radius = to_unit(
        work.bits(pair_starts, pairs, subkey(key, 0)),
        work.float_buffer(0, rows, pairs),
        open_zero=True,
    )
    angle = to_unit(
        work.bits(pair_starts, pairs, subkey(key, 1)), work.float_buffer(1, rows, pairs)
    )
    radius.log_().mul_(-2.0).sqrt_()
    angle.mul_(2.0 * math.pi)
    both = work.float_buffer(2, rows, 2 * pairs).view(rows, pairs, 2)
    torch.mul(radius, torch.cos(angle), out=both[..., 0])
    torch.mul(radius, angle.sin_(), out=both[..., 1])
    both = both.view(rows, 2 * pairs)
    odd = (starts & 1).bool()
    return torch.where(odd, both[:, 1 : cols + 1], both[:, :cols])


def normal_at(index: torch.Tensor, key: int) -> torch.Tensor:
    """Standard normals (float64) at the global indices ``index`` (int64), a fresh tensor.

    The values :func:`box_muller` gives at these indices under ``key`` (up to the last bit of
    ``log``/``sin``/``cos``), for values drawn again at scattered indices (rejection sampling).
    """
    pair = index >> 1
    radius = to_unit(
        bits_at(pair, subkey(key, 0)),
        torch.empty(pair.shape, dtype=torch.float64, device=index.device),
        open_zero=True,
    )
    angle = to_unit(
        bits_at(pair, subkey(key, 1)),
        torch.empty(pair.shape, dtype=torch.float64, device=index.device),
    )
    radius.log_().mul_(-2.0).sqrt_()
    angle.mul_(2.0 * math.pi)
    odd = (index & 1).bool()
    return radius.mul_(torch.where(odd, torch.sin(angle), torch.cos(angle)))


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
    mean, std = real_scalar(loc, "loc"), real_scalar(scale, "scale")
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
    beta = real_scalar(scale, "scale")
    if beta < 0:
        raise ValueError(f"scale must be non-negative, got {beta}")
    tdtype = float_dtype(dtype)
    lay, tdev = block_layout(size, split, device, comm)
    key = next_key()

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        rows, cols = out.shape
        u = to_unit(work.bits(starts, cols, key), work.float_buffer(0, rows, cols), True)
        out.copy_(u.log_().mul_(-beta))

    return generate(lay, tdtype, tdev, fill)


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


def poisson_search(u: torch.Tensor, lam: float | torch.Tensor) -> torch.Tensor:
    """Smallest ``k`` (float64) with ``P(X <= k) >= u``, by a guess and unit steps.

    ``u`` (in ``[0, 1)``) is 1-D; ``lam`` (at most :data:`POISSON_MAX`) is a scalar or one rate
    per value. ``P(X <= k) = Q(k + 1, lam)`` (regularized upper incomplete gamma). The
    Cornish-Fisher guess is within a few steps for ``lam > 1e6`` and for small rates; the loops
    run until every value settles.
    """
    rate = torch.as_tensor(lam, dtype=torch.float64, device=u.device).expand(u.shape)
    z = torch.special.ndtri(u).clamp_(-9.0, 9.0)
    k = (rate + rate.sqrt() * z + (z * z - 1.0) / 6.0).floor_().clamp_(min=0.0)
    k.masked_fill_(u == 0, 0.0)  # the answer for u = 0, which can be far below the guess

    def cdf(at: torch.Tensor, lam_at: torch.Tensor) -> torch.Tensor:  # P(X <= at), 0 below 0
        return torch.where(at >= 0, torch.special.gammaincc(at.clamp(min=0) + 1, lam_at), 0.0)

    down = ((k > 0) & (cdf(k - 1, rate) >= u)).nonzero().squeeze(1)
    while down.numel():  # lower k until k = 0 or P(X <= k - 1) < u
        k[down] -= 1
        down = down[(k[down] > 0) & (cdf(k[down] - 1, rate[down]) >= u[down])]
    up = (cdf(k, rate) < u).nonzero().squeeze(1)
    while up.numel():  # raise k until P(X <= k) >= u
        k[up] += 1
        up = up[cdf(k[up], rate[up]) < u[up]]
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
    rate = real_scalar(lam, "lam")
    if not 0 <= rate <= POISSON_MAX:
        raise ValueError(f"lam must be in [0, {POISSON_MAX:g}], got {rate}")
    lay, tdev = block_layout(size, split, device, comm)
    key = next_key()
    table = None
    if 0 < rate <= _POISSON_TABLE_MAX:
        k0, cdf = _poisson_cdf(rate)
        table = torch.tensor(cdf, dtype=torch.float64, device=tdev)

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        rows, cols = out.shape
        if rate == 0:
            out.zero_()
            return
        u = to_unit(work.bits(starts, cols, key), work.float_buffer(0, rows, cols))
        if table is not None:
            out.copy_(torch.searchsorted(table, u.view(-1)).view(rows, cols)).add_(k0)
        else:
            out.copy_(poisson_search(u.view(-1), rate).view(rows, cols))

    return generate(lay, torch.int64, tdev, fill)


# ---------------------------------------------------------------------------------- randint
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
        (0, integer(low, "low")) if high is None else (integer(low, "low"), integer(high, "high"))
    )
    dt = dtypes.to_dtype(dtype)
    if dt.kind not in "biu":
        raise TypeError(f"randint returns integers or booleans, not {dt}")
    info = (0, 1) if dt.kind == "b" else (torch.iinfo(dt.torch).min, torch.iinfo(dt.torch).max)
    if hi <= lo:
        raise ValueError(f"high <= low: [{lo}, {hi}) is empty")
    if lo < info[0] or hi - 1 > info[1]:
        raise ValueError(f"[{lo}, {hi}) is out of bounds for {dt}")
    lay, tdev = block_layout(size, split, device, comm)
    key = next_key()
    span = hi - lo
    nbits = (span - 1).bit_length()
    # words are compared as unsigned numbers: flip the sign bit on both sides
    limit = signed((span - 1) ^ (1 << 63))

    def accept(draw: torch.Tensor) -> torch.Tensor:
        return (draw ^ signed(1 << 63)) <= limit

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
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
            again = _top_bits(bits_at(index, subkey(key, attempt)), nbits)
            ok = accept(again)
            flat[redo[ok]] = again[ok]
            redo, index = redo[~ok], index[~ok]
        out.copy_(draw.add_(signed(lo)))

    return generate(lay, dt.torch, tdev, fill)
