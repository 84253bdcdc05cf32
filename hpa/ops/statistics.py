"""Statistics: NaN-aware reductions, averages, differences and counts (histograms: hpa.ops.histograms).

The rule of :mod:`hpa.ops.reductions` holds here too: each block is reduced locally with torch;
when the split axis is among the reduced axes the partial results are combined with exactly one
collective and the result is replicated, otherwise nothing is communicated and the result stays
split along the (renumbered) split axis with the same extents. An error that depends on the data
(an all-NaN slice in ``nanargmin``, a zero weight sum, ...) is agreed on
by all ranks before any of them raises, inside the collective the operation needs anyway where
there is one.

=========================  ==========================================  =======================
function                   combination over the split axis             collectives
=========================  ==========================================  =======================
nansum, nanprod            NaN replaced by 0 / 1, then ``sum``/``prod``  one ``allreduce``
nanmean                    (sum, count of non-NaN) per rank            one ``allreduce``
nanvar, nanstd             (count, mean, M2) per rank, merged          one ``allgather``
skew, kurtosis             (mean, M2, M3, M4) per rank, merged         one ``allgather``
nanmin, nanmax             extrema with "has a number" flags           one ``allreduce``
nanargmin, nanargmax       (value, index, flag) per rank               one ``allgather``
nancumsum, nancumprod      NaN replaced by 0 / 1, then the scan        one ``exscan``
average                    (sum of w*a, sum of w)                      one ``allreduce``
ptp                        per-rank (max, min)                         one ``allgather``
count_nonzero              partial counts                              one ``allreduce``
diff                       the next ``n`` rows of the axis             one ``alltoallv``
=========================  ==========================================  =======================

Result dtypes follow NumPy 2 (integers and bools delegate to the plain reductions, as NumPy's
nan-functions do); float16/bfloat16 accumulate in float32 and are rounded once.
"""

from __future__ import annotations

import builtins
import math
import warnings
from collections.abc import Callable
from typing import Any, cast

import torch

from hpa.comm.base import ReduceOp
from hpa.core import dtypes
from hpa.core.align import local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial, gather_records, halo
from hpa.core.layout import Layout, normalize_axis
from hpa.ops import moments
from hpa.ops import reductions as red
from hpa.ops.creation import asarray, coerce
from hpa.ops.reduction_rules import (
    Axis,
    accumulate,
    any_everywhere,
    can_be_nan,
    count,
    deliver,
    float_dtype,
    local_extreme,
    no_identity,
    prepare,
    real_dtype,
    reduce_axes,
    reduced_layout,
    reduction,
    without_nan,
)

__all__ = [
    "average",
    "count_nonzero",
    "diff",
    "kurtosis",
    "nanargmax",
    "nanargmin",
    "nancumprod",
    "nancumsum",
    "nanmax",
    "nanmean",
    "nanmin",
    "nanprod",
    "nanstd",
    "nansum",
    "nanvar",
    "ptp",
    "skew",
]


# ---------------------------------------------------------------------------- helpers
def _array(x: Any) -> Array:
    """``x`` as an hpa array (:func:`hpa.ops.creation.coerce`; kept for older importers)."""
    return coerce(x)


def _local_sum(t: torch.Tensor, axes: tuple[int, ...]) -> torch.Tensor:
    """Sum over ``axes`` keeping them as size-1 dimensions (a copy when ``axes`` is empty)."""
    return torch.sum(t, dim=axes, keepdim=True) if axes else t.clone()


# ---------------------------------------------------------------------------- sums and scans
# nansum and nanprod: generated from the table of hpa.ops.reduction_rules
nansum = register()(reduction("nansum"))
nanprod = register()(reduction("nanprod"))


@register()
def nancumsum(x: Any, /, axis: int | None = None, dtype: Any = None, out: Any = None) -> Array:
    """Cumulative sum treating NaN as zero; one ``exscan`` along the split axis (like cumsum)."""
    x = coerce(x)
    x = without_nan(x, 0) if can_be_nan(x) else x
    return red.cumsum(x, axis=axis, dtype=dtype, out=out)


@register()
def nancumprod(x: Any, /, axis: int | None = None, dtype: Any = None, out: Any = None) -> Array:
    """Cumulative product treating NaN as one; one ``exscan`` along the split axis."""
    x = coerce(x)
    x = without_nan(x, 1) if can_be_nan(x) else x
    return red.cumprod(x, axis=axis, dtype=dtype, out=out)


# ---------------------------------------------------------------------------- moments
@register()
def nanmean(
    x: Any, /, axis: Axis = None, dtype: Any = None, keepdims: bool = False, out: Any = None
) -> Array:
    """Mean of the non-NaN elements over ``axis`` (NumPy's ``nanmean``).

    Over the split axis every rank contributes (sum, count) in one ``allreduce``; otherwise
    nothing is communicated. An all-NaN slice gives NaN and a RuntimeWarning ("Mean of empty
    slice") on the ranks that hold one (on every rank when the split axis is reduced). Integer
    and bool inputs are :func:`hpa.mean`.
    """
    x = coerce(x)
    if not can_be_nan(x):
        return red.mean(x, axis=axis, dtype=dtype, keepdims=keepdims, out=out)
    x, axes, lay, across = prepare(x, axis, keepdims)
    res = float_dtype(x.dtype, dtype)
    t = x.larray.to(accumulate(res))
    nan = torch.isnan(t)
    total = _local_sum(t.masked_fill(nan, 0), axes)
    count = _local_sum((~nan).to(total.dtype), axes)
    if across:
        total, count = Partial(torch.stack([total, count]), x.comm, ReduceOp.SUM).replicate()
    if bool((count == 0).any()):
        warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=2)
    mean = (total / count).reshape(lay.lshape)
    return deliver(Array(mean.to(res.torch), lay), out)


def _nan_variance(
    x: Any, axis: Axis, dtype: Any, ddof: float, keepdims: bool
) -> tuple[torch.Tensor, Layout, dtypes.DType]:
    """The variance of the non-NaN elements in the accumulation precision, its layout and dtype.

    Every rank computes (count, mean, M2) of its block per slice; over the split axis they are
    gathered in one ``allgather`` and merged with Chan et al.'s pairwise update, vectorised
    over slices whose counts differ because of NaNs.
    """
    x, axes, lay, across = prepare(x, axis, keepdims)
    res = float_dtype(x.dtype, dtype)
    t = x.larray.to(accumulate(res))
    valid = ~torch.isnan(t)
    zero = torch.zeros((), dtype=t.dtype, device=t.device)
    count = _local_sum(valid.to(t.real.dtype), axes)
    mean = _local_sum(torch.where(valid, t, zero), axes) / count.clamp(min=1)
    m2 = _local_sum(torch.where(valid, t - mean, zero).abs() ** 2, axes)
    if across and x.comm.size > 1:
        count, mean, m2 = cast(
            "tuple[torch.Tensor, torch.Tensor, torch.Tensor]",
            moments.merge_ranks(x.comm, count, mean, m2),
        )
    dof = count - ddof
    bad = dof <= 0
    if bool(bad.any()):
        warnings.warn("Degrees of freedom <= 0 for slice.", RuntimeWarning, stacklevel=3)
    result = (m2 / dof).masked_fill(bad, float("nan")).reshape(lay.lshape)
    return result, lay, real_dtype(res)


@register()
def nanvar(
    x: Any, /, axis: Axis = None, dtype: Any = None, out: Any = None, ddof: float = 0,
    keepdims: bool = False,
) -> Array:  # fmt: skip
    """Variance of the non-NaN elements over ``axis`` with ``ddof`` (NumPy's ``nanvar``).

    Over the split axis the per-rank (count, mean, M2) travel in one ``allgather`` and are
    merged pairwise; otherwise nothing is communicated. Slices with no more than ``ddof``
    numbers give NaN and a RuntimeWarning. Integer and bool inputs are :func:`hpa.var`.
    """
    x = coerce(x)
    if not can_be_nan(x):
        return red.var(x, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)
    result, lay, real = _nan_variance(x, axis, dtype, ddof, keepdims)
    return deliver(Array(result.to(real.torch), lay), out)


@register()
def nanstd(
    x: Any, /, axis: Axis = None, dtype: Any = None, out: Any = None, ddof: float = 0,
    keepdims: bool = False,
) -> Array:  # fmt: skip
    """Standard deviation of the non-NaN elements: the root of :func:`nanvar` (same
    communication), taken before float16/bfloat16 results are rounded."""
    x = coerce(x)
    if not can_be_nan(x):
        return red.std(x, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)
    result, lay, real = _nan_variance(x, axis, dtype, ddof, keepdims)
    return deliver(Array(torch.sqrt(result).to(real.torch), lay), out)


# ---------------------------------------------------------------------------- shape
def _higher_moments(
    x: Any, axis: Axis, name: str
) -> tuple[float, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, Layout, dtypes.DType]:
    """The count per slice and the biased moments (mean, m2, m3, m4) in the accumulation
    precision, the result layout and dtype. Over the split axis every rank's (mean, M2, M3,
    M4) travel in one ``allgather`` and are merged pairwise (Pébay); otherwise none."""
    x, axes, lay, across = prepare(x, axis, False)
    if x.dtype.kind == "c":
        raise TypeError(f"{name} is not supported for complex arrays")
    res = float_dtype(x.dtype, None)
    parts = moments.local_higher(x.larray.to(accumulate(res)), axes)
    n = float(count(x, axes))
    if across and x.layout.is_distributed:
        split = cast(int, x.split)
        others = count(x, tuple(a for a in axes if a != split))
        counts = [c * others for c in cast("tuple[int, ...]", x.layout.counts)]
        n, parts = moments.merge_higher_ranks(x.comm, counts, parts)
    mean, m2, m3, m4 = (p.reshape(lay.lshape) for p in parts)
    return n, mean, m2 / n, m3 / n, m4 / n, lay, res


def _constant(mean: torch.Tensor, m2: torch.Tensor, res: dtypes.DType) -> torch.Tensor:
    """SciPy's test for a slice too close to constant for the moment ratio (NaN there)."""
    return m2 <= (torch.finfo(res.torch).eps * mean) ** 2


@register()
def skew(x: Any, axis: Axis = None, unbiased: bool = True) -> Array:
    """Sample skewness ``m3 / m2**1.5`` over ``axis`` (HeAT's ``skew``).

    Parameters
    ----------
    x : array_like
        Real data (complex raises TypeError).
    axis : int, tuple of int or None
        Axes to reduce (all when ``None``, HeAT's default).
    unbiased : bool
        Correct for statistical bias: ``sqrt(n (n - 1)) / (n - 2)`` times the biased value,
        where a slice has more than two elements (``scipy.stats.skew(bias=False)``).

    Returns
    -------
    Array
        Float64 for integer and bool data, else the data's dtype (16-bit floats accumulate in
        float32); a 0-d array for ``axis=None``. A (nearly) constant slice gives NaN, as in
        SciPy.

    Notes
    -----
    Over the split axis every rank's (mean, M2, M3, M4) travel in one ``allgather`` and are
    merged pairwise (Pébay 2008); along other axes nothing is communicated.
    """
    n, mean, m2, m3, _, lay, res = _higher_moments(x, axis, "skew")
    vals = m3 / m2**1.5
    if unbiased and n > 2:
        vals = vals * (math.sqrt(n * (n - 1)) / (n - 2))
    vals = vals.masked_fill(_constant(mean, m2, res), float("nan"))
    return Array(vals.to(res.torch), lay)


@register()
def kurtosis(x: Any, axis: Axis = None, unbiased: bool = True, Fischer: bool = True) -> Array:
    """Kurtosis ``m4 / m2**2`` over ``axis``, Fisher's (minus 3) or Pearson's (HeAT's
    ``kurtosis``).

    Parameters
    ----------
    x : array_like
        Real data (complex raises TypeError).
    axis : int, tuple of int or None
        Axes to reduce (all when ``None``, HeAT's default).
    unbiased : bool
        Use the unbiased estimator from k-statistics where a slice has more than three
        elements (``scipy.stats.kurtosis(bias=False)``).
    Fischer : bool
        Subtract 3, so that a normal distribution gives 0 (HeAT's spelling of SciPy's
        ``fisher``).

    Returns
    -------
    Array
        Float64 for integer and bool data, else the data's dtype (16-bit floats accumulate in
        float32); a 0-d array for ``axis=None``. A (nearly) constant slice gives NaN, as in
        SciPy.

    Notes
    -----
    Over the split axis every rank's (mean, M2, M3, M4) travel in one ``allgather`` and are
    merged pairwise (Pébay 2008); along other axes nothing is communicated.
    """
    n, mean, m2, _, m4, lay, res = _higher_moments(x, axis, "kurtosis")
    vals = m4 / m2**2
    if unbiased and n > 3:
        vals = ((n * n - 1) * vals - 3 * (n - 1) ** 2) / ((n - 2) * (n - 3)) + 3
    if Fischer:
        vals = vals - 3
    vals = vals.masked_fill(_constant(mean, m2, res), float("nan"))
    return Array(vals.to(res.torch), lay)


# ---------------------------------------------------------------------------- extrema
# nanmax and nanmin: generated from the table of hpa.ops.reduction_rules
nanmax = register()(reduction("nanmax"))
nanmin = register()(reduction("nanmin"))


def _nan_arg(name: str, largest: bool) -> Callable[..., Array]:
    fn = torch.argmax if largest else torch.argmin
    plain = red.argmax if largest else red.argmin

    def reduce(
        x: Any, /, axis: int | None = None, out: Any = None, *, keepdims: bool = False
    ) -> Array:
        x = coerce(x)
        if x.dtype.kind != "f":
            return plain(x, axis=axis, keepdims=keepdims, out=out)
        t = x.larray
        valid = ~torch.isnan(t)
        filled = t.masked_fill(~valid, float("-inf") if largest else float("inf"))
        if axis is None:
            return deliver(_nan_flat_arg(x, filled, valid, fn, largest, keepdims, name), out)
        ax = normalize_axis(axis, x.ndim)
        if x.shape[ax] == 0:
            raise ValueError(f"attempt to get {name[3:]} of an empty sequence")
        lay = reduced_layout(x, (ax,), keepdims)
        has = valid.any(dim=ax, keepdim=True)
        if x.split != ax:
            if any_everywhere(x, not bool(has.all())):
                raise ValueError("All-NaN slice encountered")
            return deliver(Array(fn(filled, dim=ax, keepdim=keepdims), lay), out)
        if t.shape[ax]:
            idx = fn(filled, dim=ax, keepdim=True)
            val = torch.gather(filled, ax, idx)
            idx = idx + x.layout.offsets[x.comm.rank]
        else:
            val = t.new_zeros([1 if a == ax else s for a, s in enumerate(t.shape)])
            idx = torch.zeros_like(val, dtype=torch.int64)
        vals, idxs, flags = gather_records(x.comm, val, idx, has)  # empty blocks: no flag
        if not bool(flags.any(0).all()):
            raise ValueError("All-NaN slice encountered")
        res = red.first_best(x, vals, idxs, largest)
        return deliver(Array(res if keepdims else res.squeeze(ax), lay), out)

    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = (
        f"Index of the first {'maximum' if largest else 'minimum'} along ``axis`` ignoring NaN "
        f"(NumPy's ``{name}``).\n\n"
        "Over the split axis (and for ``axis=None`` on a split array) one ``allgather`` of\n"
        "(value, index, has-a-number flag) per rank; along another axis of a distributed array\n"
        "one ``allreduce`` of a flag, so that an all-NaN slice raises ValueError on every rank.\n"
        "Replicated arrays communicate nothing. Other dtypes use the plain arg-reduction."
    )
    return reduce


def _nan_flat_arg(
    x: Array,
    filled: torch.Tensor,
    valid: torch.Tensor,
    fn: Callable[..., torch.Tensor],
    largest: bool,
    keepdims: bool,
    name: str,
) -> Array:
    """Index into the flattened array (one ``allgather`` when split, carrying the NaN flags)."""
    if x.size == 0:
        raise ValueError(f"attempt to get {name[3:]} of an empty sequence")
    shape = (1,) * x.ndim if keepdims else ()
    lay = Layout(shape, None, x.comm)
    if x.split is None:
        if not bool(valid.any()):
            raise ValueError("All-NaN slice encountered")
        return Array(fn(filled.reshape(-1)).reshape(shape), lay)
    val, idx = red.flat_candidate(x, filled, fn)
    vals, idxs, flags = gather_records(x.comm, val, idx, valid.any())
    if not bool(flags.any()):
        raise ValueError("All-NaN slice encountered")
    return Array(red.first_best(x, vals, idxs, largest).reshape(shape), lay)


nanargmax = register()(_nan_arg("nanargmax", True))
nanargmin = register()(_nan_arg("nanargmin", False))


@register()
def ptp(x: Any, /, axis: Axis = None, out: Any = None, keepdims: bool = False) -> Array:
    """Range (maximum minus minimum) over ``axis`` (NumPy's ``ptp``); NaN propagates.

    Over the split axis every rank's (max, min) travel in one ``allgather``; otherwise nothing
    is communicated. The result keeps the input dtype (integers wrap around, as in NumPy);
    bool and complex inputs raise TypeError.
    """
    x, axes, lay, across = prepare(x, axis, keepdims)
    if x.dtype.kind == "b":
        raise TypeError("ptp of a bool array: NumPy's boolean subtract is not supported")
    if x.dtype.kind == "c":
        raise TypeError("ptp is not supported for complex arrays (hpa does not order them)")
    no_identity(x, axes, "maximum")
    t = x.larray
    hi = local_extreme(t, axes, keepdims, True)
    lo = local_extreme(t, axes, keepdims, False)
    if across:
        his, los = gather_records(x.comm, hi, lo)  # empty blocks: the identities
        hi, lo = his.amax(0), los.amin(0)
    return deliver(Array(hi - lo, lay), out)


@register()
def count_nonzero(x: Any, /, axis: Axis = None, *, keepdims: bool = False) -> Array:
    """Number of non-zero elements over ``axis`` as int64 (a 0-d array for ``axis=None``).

    One ``allreduce`` of the partial counts when the split axis is counted over.
    """
    x = coerce(x)
    return red.sum(Array(x.larray != 0, x.layout), axis=axis, keepdims=keepdims)


# ---------------------------------------------------------------------------- averages
@register()
def average(
    a: Any, /, axis: Axis = None, weights: Any = None, returned: bool = False, *,
    keepdims: bool = False,
) -> Array | tuple[Array, Array]:  # fmt: skip
    """Weighted average over ``axis`` (NumPy's ``average``).

    Parameters
    ----------
    a : array_like
        The data.
    axis : int, tuple of int or None
        Axes to average over (all when ``None``).
    weights : array_like, optional
        Same shape as ``a`` (an hpa array of any split: it is brought to ``a``'s blocks, one
        ``alltoallv`` when its layout differs), or the shape of ``a`` along ``axis``
        (replicated; a split one is gathered first, one ``allgatherv``).
    returned : bool
        Also return the sum of the weights, broadcast to the shape of the average.
    keepdims : bool
        Keep the reduced axes with length one.

    Returns
    -------
    Array or (Array, Array)
        The average (float64 for integer and bool data), and the weight sums if ``returned``.

    Notes
    -----
    Over the split axis the partial sums of ``w * a`` and of ``w`` travel in one
    ``allreduce``. Otherwise the sums are local, and a distributed array spends one
    ``allreduce`` of a flag so that a zero weight sum raises ZeroDivisionError on every rank.
    Without weights this is :func:`hpa.mean`.
    """
    x = coerce(a)
    if weights is None:
        avg = red.mean(x, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        scale = x.size / avg.size
        return avg, Array(torch.full_like(avg.larray, scale), avg.layout)
    axes = reduce_axes(axis, x.ndim)
    w = coerce(weights, x)
    block = _weights_block(x, w, axis, axes)
    res = dtypes.promote(x.dtype, w.dtype)
    res = dtypes.promote(res, dtypes.float64) if x.dtype.kind in "biu" else res
    acc = accumulate(res)
    lay = reduced_layout(x, axes, keepdims)
    t = x.larray.to(acc)
    wt = block.to(acc).expand_as(t)
    num, den = _local_sum(t * wt, axes), _local_sum(wt, axes)
    if x.split is not None and x.split in axes:
        num, den = Partial(torch.stack([num, den]), x.comm, ReduceOp.SUM).replicate()
        zero = bool((den == 0).any())
    else:
        zero = any_everywhere(x, bool((den == 0).any()))
    if zero:
        raise ZeroDivisionError("Weights sum to zero, can't be normalized")
    avg = Array((num / den).reshape(lay.lshape).to(res.torch), lay)
    return (avg, Array(den.reshape(lay.lshape).to(res.torch), lay)) if returned else avg


def _weights_block(x: Array, w: Array, axis: Axis, axes: tuple[int, ...]) -> torch.Tensor:
    """The weights meeting this rank's block of ``x``, broadcastable against it."""
    if w.shape == x.shape:
        return local_block(w, x.layout)
    if axis is None:
        raise TypeError("Axis must be specified when shapes of a and weights differ.")
    if w.shape != tuple(x.shape[a] for a in axes):
        raise ValueError(
            "Shape of weights must be consistent with shape of a along specified axis."
        )
    full = w.larray if w.split is None else w.gather()
    full = full.permute(sorted(range(len(axes)), key=axes.__getitem__))
    full = full.reshape([n if a in axes else 1 for a, n in enumerate(x.shape)])
    if x.split is not None and x.split in axes:
        lo, hi = x.layout.range_of(x.comm.rank)
        full = full.narrow(x.split, lo, hi - lo)
    return full


# ---------------------------------------------------------------------------- differences
@register()
def diff(a: Any, /, n: int = 1, axis: int = -1, prepend: Any = None, append: Any = None) -> Array:
    """The ``n``-th discrete difference along ``axis`` (NumPy's ``diff``; bool: ``!=``).

    ``prepend``/``append`` are concatenated along ``axis`` first (scalars are broadcast; an hpa
    array split along another axis is gathered, one ``allgatherv``). Along the split axis
    every rank needs the ``n`` rows that follow its block, which may lie on several ranks: they
    arrive in one ``alltoallv`` whose counts follow from the layout. Output row ``i`` is
    computed where input row ``i`` lives, so the result keeps the input's extents except that
    the last ``n`` rows of the axis are cut from the ranks holding them (the result may be
    ragged). Along other axes nothing is communicated and the extents are kept.
    """
    x = coerce(a)
    if n < 0:
        raise ValueError(f"order must be non-negative but got {n!r}")
    if x.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    ax = normalize_axis(axis, x.ndim)
    if prepend is not None or append is not None:
        x = _with_ends(x, ax, prepend, append)
    if n == 0:
        return x.copy()
    lay, t = x.layout, x.larray
    shape = list(x.shape)
    shape[ax] = builtins.max(shape[ax] - n, 0)
    if lay.split != ax:
        res = torch.diff(t, n=n, dim=ax) if t.shape[ax] > n else _empty_along(t, ax)
        return Array(res, Layout(shape, lay.split, lay.comm, lay.counts))
    counts, needs = _diff_plan(lay, n)
    if builtins.any(needs):
        t = torch.cat([t, _next_rows(x, needs)], dim=ax)
    res = torch.diff(t, n=n, dim=ax) if counts[lay.comm.rank] else _empty_along(t, ax)
    return Array(res, Layout(shape, ax, lay.comm, counts))


def _empty_along(t: torch.Tensor, ax: int) -> torch.Tensor:
    return t.narrow(ax, 0, 0).clone()


def _diff_plan(lay: Layout, n: int) -> tuple[list[int], list[int]]:
    """Per rank: output rows kept, and rows needed from the ranks after it."""
    total = lay.gshape[lay.split]  # type: ignore[index]
    counts, needs = [], []
    for r in range(lay.comm.size):
        lo, hi = lay.range_of(r)
        keep = builtins.max(builtins.min(hi, total - n) - lo, 0)
        counts.append(keep)
        needs.append(builtins.min(hi + n, total) - hi if keep else 0)
    return counts, needs


def _next_rows(x: Array, needs: list[int]) -> torch.Tensor:
    """The rows after this rank's block that its differences need (``needs[r]`` for rank
    ``r``), in one ``alltoallv`` (:func:`hpa.core.exchange.halo`)."""
    ax = x.layout.split
    assert ax is not None
    _, tail = halo(x.larray.movedim(ax, 0), x.layout, 0, needs)
    return tail.movedim(0, ax)


def _with_ends(x: Array, ax: int, prepend: Any, append: Any) -> Array:
    """``x`` with ``prepend``/``append`` concatenated along ``ax``, without moving ``x``.

    Along the split axis the first rank takes the prepended rows and the last rank the
    appended ones; along another axis every rank takes its slice of them.
    """
    lay = x.layout
    ends = [None if e is None else _end_tensor(x, ax, e) for e in (prepend, append)]
    res = x.dtype
    for e in ends:
        res = res if e is None else dtypes.promote(res, dtypes.of_torch(e.dtype))
    head, tail = (e.to(res.torch) if e is not None else None for e in ends)
    extra = [0 if e is None else e.shape[ax] for e in (head, tail)]
    shape = list(x.shape)
    shape[ax] += extra[0] + extra[1]
    counts = list(cast("tuple[int, ...]", lay.counts)) if lay.split is not None else None
    if lay.split == ax:
        counts[0] += extra[0]  # type: ignore[index]
        counts[-1] += extra[1]  # type: ignore[index]
        rank, last = lay.comm.rank, lay.comm.size - 1
        head = head if rank == 0 else None
        tail = tail if rank == last else None
    elif lay.split is not None:
        lo, hi = lay.range_of(lay.comm.rank)
        head, tail = (e if e is None else e.narrow(lay.split, lo, hi - lo) for e in (head, tail))
    parts = [p for p in (head, x.larray.to(res.torch), tail) if p is not None]
    return Array(torch.cat(parts, dim=ax), Layout(shape, lay.split, lay.comm, counts))


def _end_tensor(x: Array, ax: int, end: Any) -> torch.Tensor:
    """``end`` replicated as a tensor of ``x``'s global shape except along ``ax``."""
    e = asarray(end) if not isinstance(end, Array) else end
    t = e.larray if e.split is None else e.gather()
    t = t.to(x.larray.device)
    if t.ndim == 0:
        shape = list(x.shape)
        shape[ax] = 1
        return t.expand(shape)
    want = [n for a, n in enumerate(x.shape) if a != ax]
    if t.ndim != x.ndim or [n for a, n in enumerate(t.shape) if a != ax] != want:
        raise ValueError(
            f"all the input array dimensions except for the concatenation axis must match "
            f"exactly: {tuple(t.shape)} against {x.shape} along axis {ax}"
        )
    return t
