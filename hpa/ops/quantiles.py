"""Quantiles, percentiles and medians, exact, with NumPy 2's methods and result dtypes.

Every method of NumPy's ``quantile`` (Hyndman and Fan, 1996) is supported: the discrete
``inverted_cdf``, ``averaged_inverted_cdf``, ``closest_observation``, ``lower``, ``higher``,
``nearest`` and the interpolating ``interpolated_inverted_cdf``, ``hazen``, ``weibull``,
``linear`` (the default), ``median_unbiased``, ``normal_unbiased`` and ``midpoint``. For a
slice of ``n`` sorted values the method gives a virtual index ``v`` (e.g. ``(n - 1) q`` for
``linear``, ``n q + alpha + q (1 - alpha - beta) - 1`` for the (alpha, beta) family); the
result interpolates between the order statistics ``floor(v)`` and ``floor(v) + 1`` (clamped
to ``[0, n - 1]``) with NumPy's weight ``gamma`` and its two-sided ``lerp``, so the values
agree with NumPy to the last bit or two.

NaN propagates in ``quantile``/``percentile``/``median`` (a slice holding one gives NaN) and is
skipped by the ``nan`` variants (an all-NaN slice gives NaN and a RuntimeWarning on the ranks
that hold it; every rank when every axis is reduced).

The result's layout never depends on the process count, as for :func:`hpa.mean`: a reduction
over the split axis returns a replicated result (``split=None``); when the split axis is kept,
the result stays split along it (renumbered, after ``q``'s axis) with the input's extents.

Communication
-------------
===========================================  ==============================================
case                                         collectives
===========================================  ==============================================
replicated input, or the split axis not      none: the block is sorted locally with torch;
among the reduced axes                       the result keeps the split (q's axis first)
split axis reduced, some axes kept           one ``alltoallv``: the block is resplit along
                                             the longest kept axis, then sorted and
                                             selected locally; one ``allgatherv`` of the
                                             result (``q``'s size times the kept axes'),
                                             which is replicated
every axis reduced (1-D split, or            the sample sort of :func:`hpa.sort` (two
``axis=None``) on a distributed array        ``allgather``, one ``alltoallv``), then one
                                             ``allreduce`` that fetches the needed order
                                             statistics (at most two per q and the last
                                             one) from their owners; ``nanquantile`` and
                                             ``nanmedian`` of floats first spend one more
                                             ``allreduce`` to count the numbers; the result
                                             is replicated
===========================================  ==============================================

Result dtypes follow NumPy 2: the discrete methods (and ``linear`` with integer ``q``) return
the input dtype; the others return float64 for integers and the input float dtype for a
Python scalar ``q`` (the promotion of the input with ``q``'s float dtype otherwise);
float16/bfloat16 are interpolated in float32 and rounded once. Bool input accepts only the
discrete methods (TypeError otherwise, as NumPy); complex input raises TypeError. ``weights``,
``out`` and ``overwrite_input`` are not supported.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from hpa.comm.base import ReduceOp
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial, fetch_replicated
from hpa.core.layout import Layout
from hpa.core.redistribute import redistribute
from hpa.ops.creation import asarray
from hpa.ops.reduction_rules import Axis, accumulate, reduce_axes, reduced_layout
from hpa.ops.sorting import sort

__all__ = ["median", "nanmedian", "nanpercentile", "nanquantile", "percentile", "quantile"]

# name -> (alpha, beta) of the continuous family, or None for the others
_METHODS: dict[str, tuple[float, float] | None] = {
    "inverted_cdf": None,
    "averaged_inverted_cdf": None,
    "closest_observation": None,
    "interpolated_inverted_cdf": (0.0, 1.0),
    "hazen": (0.5, 0.5),
    "weibull": (0.0, 0.0),
    "linear": None,
    "median_unbiased": (1 / 3.0, 1 / 3.0),
    "normal_unbiased": (3 / 8.0, 3 / 8.0),
    "lower": None,
    "higher": None,
    "midpoint": None,
    "nearest": None,
}
_DISCRETE = ("inverted_cdf", "closest_observation", "lower", "higher", "nearest")
_F64 = torch.float64


@dataclass(frozen=True)
class _Request:
    """What to compute: the probabilities, the method and the result dtype."""

    q: torch.Tensor  # float64, flattened
    qshape: tuple[int, ...]
    method: str  # a key of _METHODS, or "median" (mean of the two middle values)
    discrete: bool  # order statistics are taken, not interpolated
    skip_nan: bool
    dtype: dtypes.DType


# ---------------------------------------------------------------------------- arguments
def _request(x: Array, q: Any, method: str, skip_nan: bool, scale: float, what: str) -> _Request:
    """Check ``x``, ``q`` and ``method`` (metadata only, so every rank raises alike)."""
    if x.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    if method not in _METHODS:
        raise ValueError(f"{method!r} is not a valid method. Use one of: {tuple(_METHODS)}")
    weak = type(q) in (int, float)
    qa = np.asarray(q.numpy() if isinstance(q, Array) else q)
    if qa.ndim > 2:
        raise ValueError("q must be a scalar or 1d")
    if qa.dtype.kind not in "biuf":
        raise TypeError(f"q must be real numbers, got dtype {qa.dtype}")
    int_q = qa.dtype.kind in "biu" and scale == 1
    probs = torch.as_tensor(qa.astype(np.float64) / scale, dtype=_F64).reshape(-1)
    if probs.numel() and not bool(((probs >= 0) & (probs <= 1)).all()):
        raise ValueError(f"{what} must be in the range [0, {int(scale)}]")
    discrete = method in _DISCRETE or (method == "linear" and int_q)
    if discrete:
        res = x.dtype
    elif x.dtype.kind == "b":
        raise TypeError(f"method {method!r} interpolates, which bool data does not support")
    elif weak or qa.dtype.kind != "f":
        res = x.dtype if x.dtype.kind == "f" else dtypes.float64
    else:
        res = dtypes.promote(x.dtype, dtypes.to_dtype(qa.dtype))
    return _Request(probs, tuple(qa.shape), method, discrete, skip_nan, res)


def _median_request(x: Array, skip_nan: bool) -> _Request:
    if x.dtype.kind == "c":
        raise TypeError("a must be an array of real numbers")
    res = x.dtype if x.dtype.kind == "f" else dtypes.float64
    return _Request(torch.tensor([0.5], dtype=_F64), (), "median", False, skip_nan, res)


# ---------------------------------------------------------------------------- the math
def _positions(
    n: torch.Tensor, req: _Request
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None]:
    """The order statistics below and above each quantile, and the weight of the upper one.

    ``n`` holds the count of values of every slice; the results have shape ``(Q, *n.shape)``
    (int64 indices; gamma float64, ``None`` for the discrete methods), NumPy's formulas.
    """
    q = req.q.to(n.device).reshape(-1, *[1] * n.ndim)
    nf = n.to(_F64).unsqueeze(0)
    last = (n - 1).clamp(min=0).unsqueeze(0)
    if req.discrete:
        idx = _discrete_index(nf, q, req.method)
        return (idx,) * 2 + (None,)
    m = req.method
    if m == "median":  # the middle value, or the two middle values of an even count
        half = (nf - 1) / 2
        lo, hi = (f(half).clamp(min=0).to(torch.int64) for f in (torch.floor, torch.ceil))
        return lo, hi, torch.full_like(half, 0.5)
    ab = _METHODS.get(m)
    if m == "linear":
        v = (nf - 1) * q
    elif m == "averaged_inverted_cdf":
        v = nf * q - 1
    elif m == "midpoint":
        v = 0.5 * (torch.floor((nf - 1) * q) + torch.ceil((nf - 1) * q))
    else:
        alpha, beta = ab  # type: ignore[misc]
        v = nf * q + (alpha + q * (1 - alpha - beta)) - 1
    below = torch.floor(v)
    above = below + 1
    high, low = v >= nf - 1, v < 0
    below, above = below.masked_fill(high, -1), above.masked_fill(high, -1)
    below, above = below.masked_fill(low, 0), above.masked_fill(low, 0)
    gamma = v - below
    if m == "averaged_inverted_cdf":
        gamma = torch.where(gamma == 0, 0.5, 1.0).to(_F64)
    elif m == "midpoint":
        gamma = torch.where(v % 1 == 0, 0.0, 0.5).to(_F64)
    lo, hi = (torch.where(i < 0, last, i.to(torch.int64)) for i in (below, above))
    return lo, hi, gamma


def _discrete_index(nf: torch.Tensor, q: torch.Tensor, method: str) -> torch.Tensor:
    """The order statistic the discrete methods take (NumPy's, clipped into the slice)."""
    if method == "lower":
        idx = torch.floor((nf - 1) * q)
    elif method == "higher":
        idx = torch.ceil((nf - 1) * q)
    elif method in ("nearest", "linear"):
        idx = torch.round((nf - 1) * q)  # half to even, as np.around
    else:
        v = nf * q - 1 if method == "inverted_cdf" else nf * q - 1 - 0.5
        prev = torch.floor(v)
        at = v - prev == 0
        if method == "closest_observation":
            at = at & (prev % 2 == 1)
        idx = torch.where(at, prev, prev + 1)
    return torch.minimum(idx.clamp(min=0), (nf - 1).clamp(min=0)).to(torch.int64)


def _combine(
    a: torch.Tensor, b: torch.Tensor, gamma: torch.Tensor | None, req: _Request
) -> torch.Tensor:
    """The result from the lower and upper order statistics (NumPy's ``_lerp``)."""
    if gamma is None:
        return a
    acc = accumulate(req.dtype)
    a, b = a.to(acc), b.to(acc)
    if req.method == "median":
        return (a + b) / 2
    t = gamma.to(acc)
    d = b - a
    return torch.where(t >= 0.5, b - d * (1 - t), a + d * t)


def _finish(
    a: torch.Tensor,
    b: torch.Tensor,
    gamma: torch.Tensor | None,
    has_nan: torch.Tensor,
    n: torch.Tensor,
    req: _Request,
) -> torch.Tensor:
    """Combine, mark NaN slices (``quantile``) or all-NaN slices (``nanquantile``)."""
    out = _combine(a, b, gamma, req)
    if req.skip_nan:
        empty = n == 0
        if bool(empty.any()):
            warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=4)
        bad = empty
    else:
        bad = has_nan
    if out.is_floating_point():
        out = out.masked_fill(bad.unsqueeze(0), float("nan"))
    return out.to(req.dtype.torch)


def _local(t: torch.Tensor, axes: tuple[int, ...], req: _Request) -> torch.Tensor:
    """Quantiles of a local block over ``axes``: shape ``(Q, *kept axes)``."""
    kept = [a for a in range(t.ndim) if a not in axes]
    rest = [t.shape[a] for a in kept]
    t = t.permute(*axes, *kept).reshape(math.prod(t.shape[a] for a in axes), *rest)
    values = torch.sort(t, dim=0).values  # NaN sorts last
    nan = torch.isnan(values) if values.is_floating_point() else None
    dev = values.device
    has_nan = nan[-1] if nan is not None else torch.zeros(rest, dtype=torch.bool, device=dev)
    if req.skip_nan and nan is not None:
        n = (~nan).sum(0)
    else:
        n = torch.full(rest, values.shape[0], dtype=torch.int64, device=dev)
    lo, hi, gamma = _positions(n, req)
    return _finish(values.gather(0, lo), values.gather(0, hi), gamma, has_nan, n, req)


def _distributed(flat: Array, req: _Request) -> torch.Tensor:
    """Quantiles of a distributed 1-D array: sample sort, then one ``allreduce`` (shape (Q,))."""
    ordered = sort(flat)
    total = flat.shape[0]
    floats = ordered.larray.is_floating_point()
    dev = ordered.larray.device
    n = torch.full((), total, dtype=torch.int64, device=dev)
    if req.skip_nan and floats:
        count = (~torch.isnan(ordered.larray)).sum().reshape(1)
        n = Partial(count, flat.comm, ReduceOp.SUM).replicate()[0]
    lo, hi, gamma = _positions(n, req)
    wanted = torch.unique(torch.cat([lo, hi, lo.new_full((1,), total - 1)]))
    values = fetch_replicated(ordered.larray, ordered.layout, wanted)
    a = values[torch.searchsorted(wanted, lo)]
    b = values[torch.searchsorted(wanted, hi)]
    has_nan = torch.isnan(values[-1]) if floats else torch.zeros((), dtype=torch.bool, device=dev)
    return _finish(a, b, gamma, has_nan, n, req)


# ---------------------------------------------------------------------------- driver
def _locally_flat(x: Array) -> Array:
    """All elements of ``x`` as a 1-D array split along 0, in the local blocks' order
    (quantiles ignore the order, so nothing moves)."""
    lay = x.layout
    counts = [math.prod(lay.lshape_of(r)) for r in range(lay.comm.size)]
    return Array(x.larray.reshape(-1), Layout((x.size,), 0, lay.comm, counts))


def _empty(x: Array, axes: tuple[int, ...], keepdims: bool, req: _Request) -> Array:
    """The result over empty slices: IndexError for ``quantile``, else NaN with a warning.

    As NumPy, the nan-functions of an empty array return ``nanmean``'s result (no q axis).
    """
    lay = reduced_layout(x, axes, keepdims)
    if math.prod(lay.gshape) and not req.skip_nan and req.method != "median":
        raise IndexError("index -1 is out of bounds for axis 0 with size 0")
    if math.prod(lay.gshape):
        warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=4)
    res = req.dtype if req.dtype.kind == "f" else dtypes.float64
    qshape = () if req.skip_nan and x.size == 0 else req.qshape  # NumPy: the nanmean's shape
    block = torch.full(
        (*qshape, *lay.lshape), float("nan"), dtype=res.torch, device=x.larray.device
    )
    return Array(block, _with_q(lay, qshape))


def _with_q(lay: Layout, qshape: tuple[int, ...]) -> Layout:
    """``lay`` with the axes of ``q`` in front."""
    split = None if lay.split is None else lay.split + len(qshape)
    return Layout((*qshape, *lay.gshape), split, lay.comm, lay.counts)


def _quantiles(a: Any, axis: Axis, keepdims: bool, make: Any) -> Array:
    """The common driver: ``make(x)`` builds the request once ``a`` is an array."""
    x = a if isinstance(a, Array) else asarray(a)
    req = make(x)
    axes = reduce_axes(axis, x.ndim)
    if x.size == 0 or any(x.shape[ax] == 0 for ax in axes):
        return _empty(x, axes, keepdims, req)
    lay = x.layout
    if lay.is_distributed and len(axes) == x.ndim:
        out = reduced_layout(x, axes, keepdims)
        flat = _distributed(_locally_flat(x), req)
        return Array(flat.reshape((*req.qshape, *out.lshape)), _with_q(out, req.qshape))
    if lay.is_distributed and lay.split in axes:
        return _across_kept(x, axes, keepdims, req)
    out = reduced_layout(x, axes, keepdims)
    block = _local(x.larray, axes, req)
    return Array(block.reshape((*req.qshape, *out.lshape)), _with_q(out, req.qshape))


def _across_kept(x: Array, axes: tuple[int, ...], keepdims: bool, req: _Request) -> Array:
    """Quantiles over axes that include the split axis but not every axis: the block is
    resplit along the longest kept axis (one ``alltoallv``), reduced locally, and the small
    result replicated (one ``allgatherv``), as at one process."""
    lay = x.layout
    kept = [ax for ax in range(x.ndim) if ax not in axes]
    mid = lay.with_split(max(kept, key=lambda ax: x.shape[ax]))
    moved = Array(redistribute(x.larray, lay, mid), mid)
    out = reduced_layout(moved, axes, keepdims)
    block = _local(moved.larray, axes, req)
    part = Array(block.reshape((*req.qshape, *out.lshape)), _with_q(out, req.qshape))
    return part.resplit(None)


# ---------------------------------------------------------------------------- public API
_PARAMS = """

    Parameters
    ----------
    a : array_like
        Real (or, for the discrete methods, bool) data.
    q : float or array_like of float
        The probabilities{scale}; a scalar or 1-D (their axis comes first in the result).
    axis : int, tuple of int or None
        Axes to reduce (all when ``None``).
    method : str
        One of NumPy's methods (see the module notes); ``'linear'`` by default.
    keepdims : bool
        Keep the reduced axes with length one.
    weights : None
        Weighted quantiles are not supported.

    Returns
    -------
    Array
        NumPy's shape and dtype; the layout and communication are in the module notes.
"""


def _no_weights(weights: Any) -> None:
    if weights is not None:
        raise NotImplementedError("weighted quantiles are not supported")


@register()
def quantile(
    a: Any, q: Any, axis: Axis = None, method: str = "linear", keepdims: bool = False, *,
    weights: Any = None,
) -> Array:  # fmt: skip
    """The ``q``-th quantiles of ``a`` over ``axis``, NaN propagating (NumPy's ``quantile``)."""
    _no_weights(weights)
    return _quantiles(a, axis, keepdims, lambda x: _request(x, q, method, False, 1.0, "Quantiles"))


@register()
def percentile(
    a: Any, q: Any, axis: Axis = None, method: str = "linear", keepdims: bool = False, *,
    weights: Any = None,
) -> Array:  # fmt: skip
    """The ``q``-th percentiles of ``a`` over ``axis`` (NumPy's ``percentile``)."""
    _no_weights(weights)
    return _quantiles(
        a, axis, keepdims, lambda x: _request(x, q, method, False, 100.0, "Percentiles")
    )


@register()
def nanquantile(
    a: Any, q: Any, axis: Axis = None, method: str = "linear", keepdims: bool = False, *,
    weights: Any = None,
) -> Array:  # fmt: skip
    """The ``q``-th quantiles of the non-NaN elements (NumPy's ``nanquantile``)."""
    _no_weights(weights)
    return _quantiles(a, axis, keepdims, lambda x: _request(x, q, method, True, 1.0, "Quantiles"))


@register()
def nanpercentile(
    a: Any, q: Any, axis: Axis = None, method: str = "linear", keepdims: bool = False, *,
    weights: Any = None,
) -> Array:  # fmt: skip
    """The ``q``-th percentiles of the non-NaN elements (NumPy's ``nanpercentile``)."""
    _no_weights(weights)
    return _quantiles(
        a, axis, keepdims, lambda x: _request(x, q, method, True, 100.0, "Percentiles")
    )


quantile.__doc__ += _PARAMS.format(scale=" in [0, 1]")  # type: ignore[operator]
nanquantile.__doc__ += _PARAMS.format(scale=" in [0, 1]")  # type: ignore[operator]
percentile.__doc__ += _PARAMS.format(scale=" in percent, [0, 100]")  # type: ignore[operator]
nanpercentile.__doc__ += _PARAMS.format(scale=" in percent, [0, 100]")  # type: ignore[operator]


@register()
def median(a: Any, axis: Axis = None, keepdims: bool = False) -> Array:
    """Median over ``axis``: the mean of the middle order statistics, NaN propagating.

    float64 for integer and bool data; an empty slice gives NaN and a RuntimeWarning. Layout
    and communication as :func:`quantile`.
    """
    return _quantiles(a, axis, keepdims, lambda x: _median_request(x, False))


@register()
def nanmedian(a: Any, axis: Axis = None, keepdims: bool = False) -> Array:
    """Median of the non-NaN elements over ``axis`` (NumPy's ``nanmedian``).

    An all-NaN slice gives NaN and a RuntimeWarning. Layout and communication as
    :func:`nanquantile`.
    """
    return _quantiles(a, axis, keepdims, lambda x: _median_request(x, True))
