"""NumPy's distributions as transforms of the counter-based words (``hpa.random``).

Like every generator of :mod:`hpa.random`, each value is a function of ``(seed, call counter,
global index)`` only (see :mod:`hpa.random.generation` for the words), so the same seed gives
the same global array at every process count and for every ``split``. **No function here
communicates**: each rank computes its block from the layout alone. Every call advances the
call counter by one, whatever its size, as the other generators do.

Each value is built from the words of its own index, exactly in distribution:

- ``U``: a uniform in ``[0, 1)`` from the top 53 bits (``random``); ``V``: a uniform in the open
  ``(0, 1)``, ``(k + 1/2) * 2**-52`` from the top 52 bits, so that neither ``V`` nor ``1 - V``
  (the same grid) is 0 or 1 and no value needs a redraw; ``E = -log(U')`` with ``U'`` in
  ``(0, 1]``, a standard exponential (``exponential``); ``N``: a standard normal, half of the
  Box-Muller pair ``i // 2`` (``normal``).

=========================  ==================================================================
function                   construction
=========================  ==================================================================
``standard_exponential``   ``E``: the values of ``exponential(1.0)``
``laplace``                inversion: ``loc + scale * log(2 V)`` for ``V < 1/2``, else
                           ``loc - scale * log(2 (1 - V))``
``logistic``               ``loc + scale * log(V / (1 - V))``
``gumbel``                 ``loc - scale * log(-log(V))``
``lognormal``              ``exp(mean + sigma * N)``: the exponential of ``normal(mean, sigma)``
``rayleigh``               ``scale * sqrt(2 E)``
``weibull``                ``E ** (1 / a)``
``pareto``                 ``expm1(E / a)`` (Pareto II / Lomax, as NumPy)
``power``                  ``U ** (1 / a)``
``standard_cauchy``        ``tan(pi (V - 1/2))``, as a cotangent where ``|V - 1/2| > 1/4``
``triangular``             inversion of the CDF with ``U``
``wald``                   Michael, Schucany & Haas (1976): one ``N`` and one ``U`` (the word of
                           sub-key 2), the smaller root in a form without cancellation
``geometric``              ``max(1, ceil(E / -log1p(-p)))``, int64 (``2**63 - 1`` where that
                           overflows, as NumPy)
``binomial``               inversion: the smallest ``k`` with ``P(X <= k) >= U`` (a binary
                           search in a CDF table over the mean +- (12 sd + 40), built from the
                           ratios ``pmf(k + 1) / pmf(k)`` outward from the mode); for
                           ``n p (1 - p) <= 1e9``
=========================  ==================================================================

The gamma distribution and those built on it are in :mod:`hpa.random.gamma_family`.

``binomial`` is bit-identical for every split and process count; the values that pass through
``log``/``exp``/``tan`` may differ in the last bit between splits (vector and scalar libm code,
as for ``normal``), and ``geometric``'s ``ceil`` can therefore differ at an integer boundary,
with a probability of about 1e-16 per value.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import torch

from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.random.counter import Size, Work, bits_at, generate, integer, next_key, subkey, to_unit
from hpa.random.generation import block_layout, box_muller, exponential, float_dtype, real_scalar

__all__ = [
    "binomial",
    "geometric",
    "gumbel",
    "laplace",
    "logistic",
    "lognormal",
    "pareto",
    "power",
    "rayleigh",
    "standard_cauchy",
    "standard_exponential",
    "triangular",
    "wald",
    "weibull",
]

Source = Callable[[Work, torch.Tensor, int, int], torch.Tensor]
Transform = Callable[[torch.Tensor], torch.Tensor]

INT64_MAX = 2**63 - 1
_BINOMIAL_TABLE_MAX = 1e9  # up to this variance, the CDF table has at most ~760k entries


# ---------------------------------------------- words to floats (shared with gamma_family)
def open_unit(bits: torch.Tensor, out: torch.Tensor) -> torch.Tensor:
    """Uniform floats in the open ``(0, 1)`` from the top 52 bits of ``bits`` (clobbered).

    ``(k + 1/2) * 2**-52`` for the 52-bit number ``k``, exact in the float64 ``out``; ``1 - V``
    lies on the same grid.
    """
    bits.bitwise_right_shift_(12)  # signed: in [-2**51, 2**51)
    out.copy_(bits)
    return out.mul_(2.0**-52).add_(0.5 + 2.0**-53)


def piece_index(starts: torch.Tensor, cols: int) -> torch.Tensor:
    """The global indices of a piece (rows starting at ``starts``, ``cols`` long), flattened."""
    return (starts + torch.arange(cols, device=starts.device)).view(-1)


def unit_at(index: torch.Tensor, key: int, open_zero: bool = False) -> torch.Tensor:
    """Uniforms (float64) in ``[0, 1)`` (``(0, 1]`` with ``open_zero``) at global ``index``."""
    out = torch.empty(index.shape, dtype=torch.float64, device=index.device)
    return to_unit(bits_at(index, key), out, open_zero)


def open_unit_at(index: torch.Tensor, key: int) -> torch.Tensor:
    """Uniforms (float64) in the open ``(0, 1)`` at the global indices ``index``."""
    out = torch.empty(index.shape, dtype=torch.float64, device=index.device)
    return open_unit(bits_at(index, key), out)


# ------------------------------------------------------- parameter checks (shared as well)
def non_negative(value: Any, name: str) -> float:
    """``value`` as a finite float ``>= 0`` (NumPy's ``{name} < 0`` ValueError otherwise)."""
    out = real_scalar(value, name)
    if out < 0:
        raise ValueError(f"{name} < 0: {name} must be non-negative, got {out}")
    return out


def positive(value: Any, name: str) -> float:
    """``value`` as a finite float ``> 0`` (NumPy's ``{name} <= 0`` ValueError otherwise)."""
    out = real_scalar(value, name)
    if out <= 0:
        raise ValueError(f"{name} <= 0: {name} must be positive, got {out}")
    return out


# -------------------------------------------------------------------- transformed sources
def _uniforms(work: Work, starts: torch.Tensor, cols: int, key: int) -> torch.Tensor:
    rows = starts.shape[0]
    return to_unit(work.bits(starts, cols, key), work.float_buffer(0, rows, cols))


def _open_uniforms(work: Work, starts: torch.Tensor, cols: int, key: int) -> torch.Tensor:
    rows = starts.shape[0]
    return open_unit(work.bits(starts, cols, key), work.float_buffer(0, rows, cols))


def _exponentials(work: Work, starts: torch.Tensor, cols: int, key: int) -> torch.Tensor:
    rows = starts.shape[0]
    u = to_unit(work.bits(starts, cols, key), work.float_buffer(0, rows, cols), open_zero=True)
    return u.log_().neg_()


def _transformed(
    source: Source, transform: Transform, size: Size, dtype: Any, split: int | None,
    device: Any, comm: Communicator | None,
) -> Array:  # fmt: skip
    """``transform`` of one float64 value of ``source`` per index, cast to ``dtype``."""
    tdtype = float_dtype(dtype)
    lay, tdev = block_layout(size, split, device, comm)
    key = next_key()

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        out.copy_(transform(source(work, starts, out.shape[1], key)))

    return generate(lay, tdtype, tdev, fill)


# ------------------------------------------------------------------ continuous transforms
def standard_exponential(
    size: Size = None, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Standard exponential floats (mean 1): ``-log(U)``, ``U`` in ``(0, 1]``; no communication.

    The values of ``exponential(1.0, size, dtype, ...)`` at the same generator state.

    Parameters
    ----------
    size : int or tuple of int, optional
        Global shape; ``None`` gives a 0-d array.
    dtype : float32 or float64
        Computed in float64, then rounded.
    split, device, comm : optional
        Distribution axis, device and communicator of the result.

    Returns
    -------
    Array
        Each rank computes its block from the seed, the call counter and the global indices.

    Raises
    ------
    ValueError
        If a dimension is negative.
    TypeError
        If ``dtype`` is not float32 or float64.
    """
    return exponential(1.0, size, dtype, split, device, comm)


def laplace(
    loc: float = 0.0, scale: float = 1.0, size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Laplace (double exponential) floats, peak ``loc``, decay ``scale``; no communication.

    Inversion of the CDF with one uniform ``V`` in ``(0, 1)`` per value.

    Parameters
    ----------
    loc, scale : float
        Location and scale (``scale >= 0``), real scalars.
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If a parameter is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``scale < 0``, a parameter is not finite, or a dimension is negative.
    """
    mu, beta = real_scalar(loc, "loc"), non_negative(scale, "scale")

    def transform(v: torch.Tensor) -> torch.Tensor:
        lower = v < 0.5
        magnitude = torch.where(lower, v, 1.0 - v).mul_(2.0).log_()
        return torch.where(lower, magnitude, magnitude.neg()).mul_(beta).add_(mu)

    return _transformed(_open_uniforms, transform, size, dtype, split, device, comm)


def logistic(
    loc: float = 0.0, scale: float = 1.0, size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Logistic floats ``loc + scale * log(V / (1 - V))``, ``V`` in ``(0, 1)``; no communication.

    Parameters
    ----------
    loc, scale : float
        Location and scale (``scale >= 0``), real scalars.
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If a parameter is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``scale < 0``, a parameter is not finite, or a dimension is negative.
    """
    mu, s = real_scalar(loc, "loc"), non_negative(scale, "scale")
    return _transformed(
        _open_uniforms, lambda v: torch.logit(v).mul_(s).add_(mu), size, dtype, split, device, comm
    )


def gumbel(
    loc: float = 0.0, scale: float = 1.0, size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Gumbel (extreme value type I) floats ``loc - scale * log(-log(V))``; no communication.

    ``V`` is a uniform in the open ``(0, 1)``, so every value is finite.

    Parameters
    ----------
    loc, scale : float
        Mode and scale (``scale >= 0``), real scalars.
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If a parameter is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``scale < 0``, a parameter is not finite, or a dimension is negative.
    """
    mu, beta = real_scalar(loc, "loc"), non_negative(scale, "scale")
    return _transformed(
        _open_uniforms,
        lambda v: v.log_().neg_().log_().mul_(-beta).add_(mu),
        size, dtype, split, device, comm,
    )  # fmt: skip


def lognormal(
    mean: float = 0.0, sigma: float = 1.0, size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Log-normal floats ``exp(mean + sigma * N)``; no communication.

    The exponential of ``normal(mean, sigma, size)`` at the same generator state (the same
    Box-Muller pairs).

    Parameters
    ----------
    mean, sigma : float
        Mean and standard deviation (``sigma >= 0``) of the underlying normal.
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If a parameter is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``sigma < 0``, a parameter is not finite, or a dimension is negative.
    """
    mu, s = real_scalar(mean, "mean"), non_negative(sigma, "sigma")
    return _transformed(
        box_muller, lambda n: n.mul_(s).add_(mu).exp_(), size, dtype, split, device, comm
    )


def rayleigh(
    scale: float = 1.0, size: Size = None, dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Rayleigh floats ``scale * sqrt(2 E)``, ``E`` standard exponential; no communication.

    Parameters
    ----------
    scale : float
        The mode, ``>= 0``.
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If ``scale`` is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``scale < 0`` or not finite, or a dimension is negative.
    """
    sigma = non_negative(scale, "scale")
    return _transformed(
        _exponentials, lambda e: e.mul_(2.0).sqrt_().mul_(sigma), size, dtype, split, device, comm
    )


def weibull(
    a: float, size: Size = None, dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Weibull floats ``E ** (1 / a)``, ``E`` standard exponential; no communication.

    As in NumPy, ``a = 0`` gives zeros.

    Parameters
    ----------
    a : float
        Shape, ``>= 0``.
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If ``a`` is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``a < 0`` or not finite, or a dimension is negative.
    """
    k = non_negative(a, "a")
    transform: Transform = (lambda e: e.pow_(1.0 / k)) if k > 0 else (lambda e: e.zero_())
    return _transformed(_exponentials, transform, size, dtype, split, device, comm)


def pareto(
    a: float, size: Size = None, dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Pareto II (Lomax) floats ``expm1(E / a)``, as NumPy's ``pareto``; no communication.

    Add 1 and multiply by ``m`` for the classical Pareto distribution of minimum ``m``.

    Parameters
    ----------
    a : float
        Shape, ``> 0``.
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If ``a`` is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``a <= 0`` or not finite, or a dimension is negative.
    """
    k = positive(a, "a")
    return _transformed(
        _exponentials, lambda e: e.div_(k).expm1_(), size, dtype, split, device, comm
    )


def power(
    a: float, size: Size = None, dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Power-distribution floats ``U ** (1 / a)`` in ``[0, 1]``; no communication.

    The density is ``a x**(a - 1)``; ``U`` is a uniform in ``[0, 1)``.

    Parameters
    ----------
    a : float
        Shape, ``> 0``.
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If ``a`` is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``a <= 0`` or not finite, or a dimension is negative.
    """
    k = positive(a, "a")
    return _transformed(_uniforms, lambda u: u.pow_(1.0 / k), size, dtype, split, device, comm)


def _cauchy(v: torch.Tensor) -> torch.Tensor:
    """``tan(pi (v - 1/2))``, the outer halves as ``±1 / tan(pi (1/2 - |v - 1/2|))`` (exact
    arguments, so the tails keep their precision)."""
    v.sub_(0.5)
    distance = v.abs()
    outer = distance > 0.25
    t = torch.where(outer, 0.5 - distance, v).mul_(math.pi).tan_()
    return torch.where(outer, torch.sign(v) / t, t)


def standard_cauchy(
    size: Size = None, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Standard Cauchy floats ``tan(pi (V - 1/2))``, ``V`` in ``(0, 1)``; no communication.

    The outer halves are computed as cotangents of exact arguments, so the tails keep their
    precision.

    Parameters
    ----------
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    ValueError
        If a dimension is negative.
    TypeError
        If ``dtype`` is not float32 or float64.
    """
    return _transformed(_open_uniforms, _cauchy, size, dtype, split, device, comm)


def triangular(
    left: float, mode: float, right: float, size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Triangular floats on ``[left, right]`` with peak ``mode``; no communication.

    Inversion of the CDF with one uniform ``U`` in ``[0, 1)`` per value (NumPy's formulas).

    Parameters
    ----------
    left, mode, right : float
        ``left <= mode <= right`` and ``left < right``.
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If a parameter is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``left > mode``, ``mode > right``, ``left == right``, a parameter or
        ``right - left`` is not finite, or a dimension is negative.
    """
    lo, peak, hi = real_scalar(left, "left"), real_scalar(mode, "mode"), real_scalar(right, "right")
    if lo > peak:
        raise ValueError(f"left > mode: {lo} > {peak}")
    if peak > hi:
        raise ValueError(f"mode > right: {peak} > {hi}")
    if lo == hi:
        raise ValueError(f"left == right: {lo}")
    base = real_scalar(hi - lo, "right - left")
    ratio = (peak - lo) / base
    left_product, right_product = (peak - lo) * base, (hi - peak) * base

    def transform(u: torch.Tensor) -> torch.Tensor:
        rising = (u * left_product).sqrt_().add_(lo)
        falling = (1.0 - u).mul_(right_product).sqrt_().neg_().add_(hi)
        return torch.where(u <= ratio, rising, falling)

    return _transformed(_uniforms, transform, size, dtype, split, device, comm)


def wald(
    mean: float, scale: float, size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Wald (inverse Gaussian) floats of mean ``mean`` and shape ``scale``; no communication.

    Michael, Schucany & Haas (1976): with ``Y = mean N**2`` for one standard normal ``N``
    (the Box-Muller pairs of ``normal``), the smaller root
    ``X = 4 scale mean / (sqrt(Y) + sqrt(Y + 4 scale))**2`` (the usual formula rewritten without
    its cancellation) is kept if a uniform ``U`` (sub-key 2 of the call) is at most
    ``mean / (mean + X)``, else ``mean**2 / X``.

    Parameters
    ----------
    mean, scale : float
        Mean and shape parameter ``lambda``, both ``> 0``.
    size, dtype, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If a parameter is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``mean <= 0`` or ``scale <= 0``, a parameter is not finite, or a dimension is
        negative.
    """
    mu, lam = positive(mean, "mean"), positive(scale, "scale")
    tdtype = float_dtype(dtype)
    lay, tdev = block_layout(size, split, device, comm)
    key = next_key()

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        rows, cols = out.shape
        root_y = box_muller(work, starts, cols, key).abs_().mul_(math.sqrt(mu))
        u = to_unit(work.bits(starts, cols, subkey(key, 2)), work.float_buffer(0, rows, cols))
        x = root_y.square().add_(4.0 * lam).sqrt_().add_(root_y).square_()
        x = x.reciprocal_().mul_(4.0 * lam * mu)
        out.copy_(torch.where(u <= mu / (mu + x), x, (mu * mu) / x))

    return generate(lay, tdtype, tdev, fill)


# ------------------------------------------------------------------------------- integers
def geometric(
    p: float, size: Size = None, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Geometric int64 values: the number of trials up to the first success; no communication.

    Inversion: ``max(1, ceil(E / -log1p(-p)))`` for one standard exponential ``E`` per value;
    ``2**63 - 1`` where that does not fit int64 (NumPy's convention, for tiny ``p``).

    Parameters
    ----------
    p : float
        Success probability of each trial, in ``(0, 1]``.
    size, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array
        int64 values ``>= 1``.

    Raises
    ------
    TypeError
        If ``p`` is not a real scalar.
    ValueError
        If ``p`` is not in ``(0, 1]``, or a dimension is negative.
    """
    prob = real_scalar(p, "p")
    if not 0 < prob <= 1:
        raise ValueError(f"p <= 0 or p > 1: p must be in (0, 1], got {prob}")
    lay, tdev = block_layout(size, split, device, comm)
    key = next_key()
    rate = -math.log1p(-prob) if prob < 1 else math.inf

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        trials = _exponentials(work, starts, out.shape[1], key).div_(rate).ceil_().clamp_(min=1.0)
        overflow = trials >= 2.0**63
        out.copy_(trials.clamp_(max=2.0**63 - 1024))  # the largest float64 below 2**63
        out.masked_fill_(overflow, INT64_MAX)

    return generate(lay, torch.int64, tdev, fill)


@lru_cache(maxsize=4)
def _binomial_cdf(n: int, p: float) -> tuple[int, torch.Tensor]:
    """``(k0, F)``: the Binomial(n, p) CDF ``F[j] = P(X <= k0 + j)`` (CPU float64, last 1).

    Over the mean +- (12 sd + 40) (the mass outside is below 1e-30), from the log-ratios
    ``log(pmf(k + 1) / pmf(k))`` summed outward from the mode, which keeps the relative error
    of each entry near ``sqrt(k) * 1e-16`` instead of the ``n log(n) * 1e-16`` of ``lgamma``.
    """
    mean = n * p
    spread = 12.0 * math.sqrt(mean * (1.0 - p)) + 40.0
    k0, k1 = max(0, math.floor(mean - spread)), min(n, math.ceil(mean + spread))
    mode = min(max(math.floor((n + 1) * p), k0), k1) - k0
    j = torch.arange(k1 - k0, dtype=torch.float64)
    log_ratio = (
        torch.log(float(n - k0) - j) - torch.log(j + float(k0 + 1)) + (math.log(p) - math.log1p(-p))
    )
    log_pmf = torch.zeros(k1 - k0 + 1, dtype=torch.float64)
    log_pmf[mode + 1 :] = torch.cumsum(log_ratio[mode:], 0)
    log_pmf[:mode] = -torch.cumsum(log_ratio[:mode].flip(0), 0).flip(0)
    cdf = torch.cumsum(log_pmf.exp_(), 0)
    return k0, cdf.div_(cdf[-1].clone())


def binomial(
    n: int, p: float, size: Size = None, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Binomial int64 values: successes in ``n`` trials of probability ``p``; no communication.

    Inversion: each value is the smallest ``k`` with ``P(X <= k) >= U`` for one uniform ``U``
    of its index, found by binary search in a table of the CDF, so it is exact in distribution
    up to the rounding of the CDF (about 1e-13), and bit-identical at every split.

    Parameters
    ----------
    n : int
        Number of trials, ``>= 0`` (an integer: NumPy also truncates floats).
    p : float
        Success probability, in ``[0, 1]``.
    size, split, device, comm : optional
        As for :func:`standard_exponential`.

    Returns
    -------
    Array
        int64 values in ``[0, n]``.

    Raises
    ------
    TypeError
        If ``n`` is not an integer or ``p`` not a real scalar.
    ValueError
        If ``n < 0`` or above ``2**63 - 1``, ``p`` is not in ``[0, 1]``, or a dimension is
        negative.
    NotImplementedError
        If the variance ``n p (1 - p)`` exceeds 1e9 (for example ``n > 4e9`` at ``p = 1/2``):
        the table grows like the standard deviation, and no exact method for larger variances
        is implemented.
    """
    trials, prob = integer(n, "n"), real_scalar(p, "p")
    if not 0 <= trials <= INT64_MAX:
        raise ValueError(f"n < 0 or too large: n must be in [0, 2**63 - 1], got {trials}")
    if not 0 <= prob <= 1:
        raise ValueError(f"p < 0 or p > 1: p must be in [0, 1], got {prob}")
    variance = trials * prob * (1.0 - prob)
    if variance > _BINOMIAL_TABLE_MAX:
        raise NotImplementedError(
            f"binomial with n p (1 - p) = {variance:g} above {_BINOMIAL_TABLE_MAX:g}: hpa draws "
            "binomials exactly by inverting a CDF table, which would be too large here"
        )
    lay, tdev = block_layout(size, split, device, comm)
    key = next_key()
    constant = trials if prob == 1 else 0
    k0, table = 0, None
    if 0 < prob < 1 and trials > 0:
        k0, cdf = _binomial_cdf(trials, prob)
        table = cdf.to(tdev)

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        if table is None:
            out.fill_(constant)
            return
        u = _uniforms(work, starts, out.shape[1], key)
        out.copy_(torch.searchsorted(table, u.view(-1)).view(out.shape)).add_(k0)

    return generate(lay, torch.int64, tdev, fill)
