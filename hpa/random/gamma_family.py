"""The gamma distribution and the distributions built on it (``hpa.random``).

Like every generator of :mod:`hpa.random`, each value is a function of ``(seed, call counter,
global index)`` only, so the same seed gives the same global array at every process count and
for every ``split``. **No function here communicates**: each rank computes its block from the
layout alone. Every call advances the call counter by one.

The gamma sampler (:func:`gamma_at`) is Marsaglia & Tsang (2000) with rejection. For
``shape >= 1``, with ``d = shape - 1/3`` and ``c = 1 / sqrt(9 d)``, attempt ``t`` at index ``i``
takes a standard normal ``x`` (the Box-Muller pairs under sub-key ``2 t + 1`` of the sampler's
key) and a uniform ``u`` (the word of ``i`` under sub-key ``2 t + 2``), and accepts
``d v`` with ``v = (1 + c x)**3`` if ``v > 0`` and ``u < 1 - 0.0331 x**4`` or
``log(u) < x**2 / 2 + d (1 - v + log(v))``. A rejected index draws again at attempt ``t + 1``
from the words of the same index, as ``randint`` does, so the number of attempts (at most
about 1.05 on average) is a function of the index and never of the layout. For ``shape < 1``
the boost ``G(shape + 1) * V**(1 / shape)``, with a uniform ``V`` in ``(0, 1)`` under sub-key
0. Ratios and normalisations work on the logarithms, so shapes whose gammas underflow still
give values.

=====================  ========================================================================
function               construction
=====================  ========================================================================
``standard_gamma``     ``G(shape)``
``gamma``              ``scale * G(shape)``
``chisquare``          ``2 G(df / 2)``
``beta``               ``X / (X + Y)`` for ``X = G(a)``, ``Y = G(b)`` (sub-keys 0 and 1 of the
                       call), as ``sigmoid(log X - log Y)``
``f``                  ``(X / dfnum) / (Y / dfden)`` for chi-squares ``X``, ``Y`` (sub-keys 0, 1)
``standard_t``         ``N / sqrt(G(df / 2) / (df / 2))``, ``N`` under sub-key 0, ``G`` under 1
``dirichlet``          ``G(alpha[j])`` at the index of each component ``j``, normalised along
                       the last axis (a softmax of the logarithms); a rank holds whole samples,
                       so the split cannot be the last axis
``negative_binomial``  ``Poisson(G(n) (1 - p) / p)``: the gamma under sub-key 0, the Poisson
                       by inversion of one uniform (sub-key 1) with the incomplete gamma
                       function, as ``poisson`` does for large rates
=====================  ========================================================================

Values that pass through ``log``/``exp`` may differ in the last bit between splits (vector and
scalar libm code, as for ``normal``); an accept/reject decision, and so the value, can therefore
differ between splits with a probability of about 1e-16 per value.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import torch

from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.layout import normalize_axis
from hpa.random.counter import Size, Work, generate, next_key, shape_of, subkey
from hpa.random.distributions import non_negative, open_unit_at, piece_index, positive, unit_at
from hpa.random.generation import (
    POISSON_MAX,
    block_layout,
    float_dtype,
    normal_at,
    poisson_search,
    real_scalar,
)

__all__ = [
    "beta",
    "chisquare",
    "dirichlet",
    "f",
    "gamma",
    "negative_binomial",
    "standard_gamma",
    "standard_t",
]

Values = Callable[[torch.Tensor, int], torch.Tensor]


# ----------------------------------------------------------------------------- the sampler
def gamma_at(
    index: torch.Tensor, key: int, shape: float | torch.Tensor, log: bool = False
) -> torch.Tensor:
    """Standard gamma variates (float64), or their logarithms, at the global indices ``index``.

    ``shape`` (``>= 0``) is one shape for all values or a float64 tensor of one per index.
    Marsaglia-Tsang with redraws under the sub-keys of ``key`` (see the module notes); shape
    0 gives 0 (logarithm ``-inf``).
    """
    a = torch.as_tensor(shape, dtype=torch.float64, device=index.device).expand(index.shape)
    boost = a < 1
    d = torch.where(boost, a + 1.0, a).sub_(1.0 / 3.0)
    c = d.mul(9.0).rsqrt_()
    value = torch.empty(index.shape, dtype=torch.float64, device=index.device)
    pending = torch.arange(index.numel(), device=index.device)
    attempt = 0
    while pending.numel():
        at, d_at, c_at = index[pending], d[pending], c[pending]
        x = normal_at(at, subkey(key, 2 * attempt + 1))
        u = unit_at(at, subkey(key, 2 * attempt + 2))
        v = (c_at * x).add_(1.0).pow_(3)
        x2 = x * x
        squeeze = u < 1.0 - 0.0331 * x2 * x2
        ok = (v > 0) & (squeeze | (u.log_() < 0.5 * x2 + d_at * (1.0 - v + v.log())))
        value[pending[ok]] = (d_at * v)[ok]
        pending = pending[~ok]
        attempt += 1
    if log:
        value.log_()
    small = boost.nonzero().squeeze(1)
    if small.numel():
        boost_log = open_unit_at(index[small], subkey(key, 0)).log_().div_(a[small])
        value[small] = value[small] + boost_log if log else value[small] * boost_log.exp_()
    return value


def _from_index(
    values: Values, size: Size, tdtype: torch.dtype, split: int | None, device: Any,
    comm: Communicator | None,
) -> Array:  # fmt: skip
    """``values(global indices, key)`` for each piece of the block, cast to ``tdtype``."""
    lay, tdev = block_layout(size, split, device, comm)
    key = next_key()

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        out.copy_(values(piece_index(starts, out.shape[1]), key).view(out.shape))

    return generate(lay, tdtype, tdev, fill)


# ------------------------------------------------------------------------ the distributions
def standard_gamma(
    shape: float, size: Size = None, dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Standard gamma floats (scale 1) of the given ``shape``; no communication.

    Marsaglia-Tsang with rejection; a rejected value draws again from the words of the same
    index under new sub-keys (see the module notes). ``shape = 0`` gives zeros, as in NumPy.

    Parameters
    ----------
    shape : float
        Shape ``k >= 0``, a real scalar.
    size : int or tuple of int, optional
        Global shape of the result; ``None`` gives a 0-d array.
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
    TypeError
        If ``shape`` is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``shape < 0`` or not finite, or a dimension is negative.
    """
    k = non_negative(shape, "shape")
    return _from_index(
        lambda index, key: gamma_at(index, key, k), size, float_dtype(dtype), split, device, comm
    )


def gamma(
    shape: float, scale: float = 1.0, size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Gamma floats ``scale * G(shape)`` (mean ``shape * scale``); no communication.

    Parameters
    ----------
    shape, scale : float
        Shape and scale, both ``>= 0``.
    size, dtype, split, device, comm : optional
        As for :func:`standard_gamma`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If a parameter is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``shape < 0`` or ``scale < 0``, a parameter is not finite, or a dimension is
        negative.
    """
    k, theta = non_negative(shape, "shape"), non_negative(scale, "scale")
    return _from_index(
        lambda index, key: gamma_at(index, key, k).mul_(theta),
        size, float_dtype(dtype), split, device, comm,
    )  # fmt: skip


def chisquare(
    df: float, size: Size = None, dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Chi-square floats with ``df`` degrees of freedom: ``2 G(df / 2)``; no communication.

    Parameters
    ----------
    df : float
        Degrees of freedom, ``> 0`` (need not be an integer).
    size, dtype, split, device, comm : optional
        As for :func:`standard_gamma`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If ``df`` is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``df <= 0`` or not finite, or a dimension is negative.
    """
    half = positive(df, "df") / 2.0
    return _from_index(
        lambda index, key: gamma_at(index, key, half).mul_(2.0),
        size, float_dtype(dtype), split, device, comm,
    )  # fmt: skip


def beta(
    a: float, b: float, size: Size = None, dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Beta floats ``X / (X + Y)`` for ``X = G(a)``, ``Y = G(b)``; no communication.

    Computed as ``sigmoid(log X - log Y)``, so small shapes (whose gammas underflow) still give
    values.

    Parameters
    ----------
    a, b : float
        The two shapes, both ``> 0``.
    size, dtype, split, device, comm : optional
        As for :func:`standard_gamma`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If a parameter is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``a <= 0`` or ``b <= 0``, a parameter is not finite, or a dimension is negative.
    """
    alpha, beta_ = positive(a, "a"), positive(b, "b")

    def values(index: torch.Tensor, key: int) -> torch.Tensor:
        log_x = gamma_at(index, subkey(key, 0), alpha, log=True)
        return torch.sigmoid(log_x - gamma_at(index, subkey(key, 1), beta_, log=True))

    return _from_index(values, size, float_dtype(dtype), split, device, comm)


def f(
    dfnum: float, dfden: float, size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """F floats ``(X / dfnum) / (Y / dfden)`` for chi-squares ``X``, ``Y``; no communication.

    The Fisher-Snedecor distribution, computed from the logarithms of the two gammas.

    Parameters
    ----------
    dfnum, dfden : float
        Degrees of freedom of the numerator and the denominator, both ``> 0``.
    size, dtype, split, device, comm : optional
        As for :func:`standard_gamma`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If a parameter is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``dfnum <= 0`` or ``dfden <= 0``, a parameter is not finite, or a dimension is
        negative.
    """
    num, den = positive(dfnum, "dfnum"), positive(dfden, "dfden")

    def values(index: torch.Tensor, key: int) -> torch.Tensor:
        log_x = gamma_at(index, subkey(key, 0), num / 2.0, log=True)
        log_y = gamma_at(index, subkey(key, 1), den / 2.0, log=True)
        return log_x.sub_(log_y).exp_().mul_(den / num)

    return _from_index(values, size, float_dtype(dtype), split, device, comm)


def standard_t(
    df: float, size: Size = None, dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Student's t floats ``N / sqrt(G(df / 2) / (df / 2))``; no communication.

    ``N`` standard normal, ``G`` standard gamma, combined through logarithms.

    Parameters
    ----------
    df : float
        Degrees of freedom, ``> 0``.
    size, dtype, split, device, comm : optional
        As for :func:`standard_gamma`.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If ``df`` is not a real scalar, or ``dtype`` is not float32/float64.
    ValueError
        If ``df <= 0`` or not finite, or a dimension is negative.
    """
    half = positive(df, "df") / 2.0

    def values(index: torch.Tensor, key: int) -> torch.Tensor:
        log_g = gamma_at(index, subkey(key, 1), half, log=True)
        factor = log_g.neg_().add_(math.log(half)).mul_(0.5).exp_()  # sqrt((df / 2) / G)
        return normal_at(index, subkey(key, 0)).mul_(factor)

    return _from_index(values, size, float_dtype(dtype), split, device, comm)


def _concentrations(alpha: Any) -> list[float]:
    """``alpha`` as a list of finite floats ``>= 0``, on every rank from the same argument."""
    if isinstance(alpha, Array):
        raise TypeError("alpha must be a sequence of real numbers, not an hpa array")
    if hasattr(alpha, "tolist"):  # a NumPy array or a torch tensor
        alpha = alpha.tolist()
    if not isinstance(alpha, Sequence) or isinstance(alpha, (str, bytes)):
        raise TypeError(f"alpha must be a sequence of real numbers, got {alpha!r}")
    if any(isinstance(v, Sequence) for v in alpha):
        raise ValueError("alpha must be one-dimensional")
    return [non_negative(v, "alpha") for v in alpha]


def dirichlet(
    alpha: Sequence[float], size: Size = None, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Dirichlet samples, of shape ``size + (len(alpha),)``; no communication.

    Component ``j`` of a sample is ``G(alpha[j])`` at its own global index, normalised over
    the sample (a softmax of the logarithms, so small concentrations still give values); a
    rank holds whole samples, so the last axis is never split. As in NumPy's ``Generator``,
    a zero concentration gives a zero component (and all zeros give zeros).

    Parameters
    ----------
    alpha : sequence of float
        Concentrations, each ``>= 0``: a list, tuple or NumPy array, the same on every rank.
    size : int or tuple of int, optional
        The shape of the samples; the result has one more axis, of length ``len(alpha)``.
    dtype : float32 or float64
        Computed in float64, then rounded.
    split, device, comm : optional
        Distribution axis (one of the axes of ``size``, not the last one), device and
        communicator of the result.

    Returns
    -------
    Array

    Raises
    ------
    TypeError
        If ``alpha`` is not a sequence of real numbers (an hpa array included: pass a list),
        or ``dtype`` is not float32/float64.
    ValueError
        If ``alpha`` is not one-dimensional, has a negative or non-finite entry, a
        dimension is negative, or ``split`` is the last axis.
    """
    conc = _concentrations(alpha)
    tdtype = float_dtype(dtype)
    shape = (*shape_of(size), len(conc))
    if split is not None and normalize_axis(split, len(shape), "split axis") == len(shape) - 1:
        raise ValueError(
            f"dirichlet cannot split the last axis (axis {len(shape) - 1}, the {len(conc)} "
            "components of each sample): split one of the axes of size, or pass split=None"
        )
    lay, tdev = block_layout(shape, split, device, comm)
    key = next_key()
    table = torch.tensor(conc, dtype=torch.float64, device=tdev)

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        index = piece_index(starts, out.shape[1])
        out.copy_(gamma_at(index, key, table[index % len(conc)], log=True).view(out.shape))

    logs = generate(lay, torch.float64, tdev, fill).larray
    if any(c > 0 for c in conc):
        values = torch.softmax(logs, dim=-1)
    else:
        values = torch.zeros_like(logs)
    return Array(values.to(tdtype), lay)


def negative_binomial(
    n: float, p: float, size: Size = None, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Negative binomial int64 values: failures before the ``n``-th success; no communication.

    A gamma-Poisson mixture, exact in distribution up to the rounding of the Poisson CDF:
    ``Poisson(G(n) (1 - p) / p)``, the Poisson by inversion of one uniform with the incomplete
    gamma function (about 1e-12).

    Parameters
    ----------
    n : float
        Number of successes, ``> 0`` (need not be an integer).
    p : float
        Success probability, in ``(0, 1]``.
    size, split, device, comm : optional
        As for :func:`standard_gamma`.

    Returns
    -------
    Array
        int64 values ``>= 0``.

    Raises
    ------
    TypeError
        If a parameter is not a real scalar.
    ValueError
        If ``n <= 0``, ``p`` is not in ``(0, 1]``, a dimension is negative, or the Poisson
        rates could pass 1e15: ``(1 - p) / p * (n + 10 sqrt(n) + 50) > 1e15`` (NumPy's check,
        with hpa's limit of ``poisson``).
    """
    successes, prob = positive(n, "n"), real_scalar(p, "p")
    if not 0 < prob <= 1:
        raise ValueError(f"p <= 0 or p > 1: p must be in (0, 1], got {prob}")
    theta = (1.0 - prob) / prob
    if theta * (successes + 10.0 * math.sqrt(successes) + 50.0) > POISSON_MAX:
        raise ValueError(
            f"n too large or p too small: the Poisson rates n (1 - p) / p could exceed "
            f"{POISSON_MAX:g}"
        )

    def values(index: torch.Tensor, key: int) -> torch.Tensor:
        if theta == 0:
            return torch.zeros(index.shape, dtype=torch.float64, device=index.device)
        # the check above makes a rate beyond POISSON_MAX rarer than 1e-22; the clamp keeps the
        # search finite even then
        rate = gamma_at(index, subkey(key, 0), successes).mul_(theta).clamp_(max=POISSON_MAX)
        return poisson_search(unit_at(index, subkey(key, 1)), rate)

    return _from_index(values, size, torch.int64, split, device, comm)
