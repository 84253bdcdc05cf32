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
import warnings
from collections.abc import Callable
from typing import Any

import torch

from hpa.comm.base import Communicator, ReduceOp, identity_of
from hpa.core import dtypes
from hpa.core.align import local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.layout import Layout, normalize_axis
from hpa.ops import reductions as red
from hpa.ops.creation import asarray
from hpa.ops.reductions import (
    Axis,
    _accumulate,
    _axes,
    _bytes,
    _deliver,
    _filled,
    _float_dtype,
    _prepare,
    _reduced_layout,
)

__all__ = [
    "average",
    "count_nonzero",
    "diff",
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
]


# ---------------------------------------------------------------------------- helpers
def _array(x: Any) -> Array:
    return x if isinstance(x, Array) else asarray(x)


def _can_be_nan(x: Array) -> bool:
    return x.dtype.kind in "fc"


def _without_nan(x: Array, fill: float) -> Array:
    """``x`` with its NaNs replaced by ``fill`` (same layout, no communication)."""
    t = x.larray
    return Array(t.masked_fill(torch.isnan(t), fill), x.layout)


def _local_sum(t: torch.Tensor, axes: tuple[int, ...]) -> torch.Tensor:
    """Sum over ``axes`` keeping them as size-1 dimensions (a copy when ``axes`` is empty)."""
    return torch.sum(t, dim=axes, keepdim=True) if axes else t.clone()


def _local_extreme(
    t: torch.Tensor, axes: tuple[int, ...], keepdims: bool, largest: bool
) -> torch.Tensor:
    """Max or min of ``t`` over ``axes``; the identity where a reduced axis is empty here."""
    if not axes:
        return t.clone()
    if builtins.any(t.shape[a] == 0 for a in axes):
        op = ReduceOp.MAX if largest else ReduceOp.MIN
        return _filled(t, axes, keepdims, identity_of(op, t.dtype))
    return (torch.amax if largest else torch.amin)(t, dim=axes, keepdim=keepdims)


def _no_identity(x: Array, axes: tuple[int, ...], name: str) -> None:
    """NumPy's ValueError for an extremum over an empty axis (decided from the shape alone)."""
    if x.size == 0 and (not axes or builtins.any(x.shape[a] == 0 for a in axes)):
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")


def _any_everywhere(x: Array, flag: bool) -> bool:
    """Whether ``flag`` holds on any rank: one ``allreduce`` when ``x`` is distributed."""
    if not x.layout.is_distributed:
        return flag
    return bool(x.comm.allreduce(torch.tensor([flag]), ReduceOp.LOR)[0])


def _gather_fields(comm: Communicator, *fields: torch.Tensor) -> list[torch.Tensor]:
    """Every rank's ``fields`` (equal shapes, any dtypes) through one ``allgather`` of bytes.

    Each result has a new leading axis of length ``comm.size``.
    """
    raw = comm.allgather(torch.cat([_bytes(f) for f in fields], dim=-1))
    out, start = [], 0
    for f in fields:
        width = f.element_size()
        # clone: a slice can be "contiguous" at an odd byte offset, which view() rejects
        part = raw[..., start : start + width].clone(memory_format=torch.contiguous_format)
        out.append(part.view(f.dtype).squeeze(-1))
        start += width
    return out


# ---------------------------------------------------------------------------- sums and scans
@register()
def nansum(
    x: Any, /, axis: Axis = None, dtype: Any = None, keepdims: bool = False, out: Any = None
) -> Array:
    """Sum over ``axis`` treating NaN as zero (NumPy's ``nansum``).

    Communicates like :func:`hpa.sum`: one ``allreduce`` when the split axis is reduced.
    """
    x = _array(x)
    x = _without_nan(x, 0) if _can_be_nan(x) else x
    return red.sum(x, axis=axis, dtype=dtype, keepdims=keepdims, out=out)


@register()
def nanprod(
    x: Any, /, axis: Axis = None, dtype: Any = None, keepdims: bool = False, out: Any = None
) -> Array:
    """Product over ``axis`` treating NaN as one; one ``allreduce`` over the split axis."""
    x = _array(x)
    x = _without_nan(x, 1) if _can_be_nan(x) else x
    return red.prod(x, axis=axis, dtype=dtype, keepdims=keepdims, out=out)


@register()
def nancumsum(x: Any, /, axis: int | None = None, dtype: Any = None, out: Any = None) -> Array:
    """Cumulative sum treating NaN as zero; one ``exscan`` along the split axis (like cumsum)."""
    x = _array(x)
    x = _without_nan(x, 0) if _can_be_nan(x) else x
    return red.cumsum(x, axis=axis, dtype=dtype, out=out)


@register()
def nancumprod(x: Any, /, axis: int | None = None, dtype: Any = None, out: Any = None) -> Array:
    """Cumulative product treating NaN as one; one ``exscan`` along the split axis."""
    x = _array(x)
    x = _without_nan(x, 1) if _can_be_nan(x) else x
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
    x = _array(x)
    if not _can_be_nan(x):
        return red.mean(x, axis=axis, dtype=dtype, keepdims=keepdims, out=out)
    x, axes, lay, across = _prepare(x, axis, keepdims)
    res = _float_dtype(x.dtype, dtype)
    t = x.larray.to(_accumulate(res))
    nan = torch.isnan(t)
    total = _local_sum(t.masked_fill(nan, 0), axes)
    count = _local_sum((~nan).to(total.dtype), axes)
    if across:
        total, count = x.comm.allreduce(torch.stack([total, count]), ReduceOp.SUM)
    if bool((count == 0).any()):
        warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=2)
    mean = (total / count).reshape(lay.lshape)
    return _deliver(Array(mean.to(res.torch), lay), out)


def _nan_variance(
    x: Any, axis: Axis, dtype: Any, ddof: float, keepdims: bool
) -> tuple[torch.Tensor, Layout, dtypes.DType]:
    """The variance of the non-NaN elements in the accumulation precision, its layout and dtype.

    Every rank computes (count, mean, M2) of its block per slice; over the split axis they are
    gathered in one ``allgather`` and merged with Chan et al.'s pairwise update, vectorised
    over slices whose counts differ because of NaNs.
    """
    x, axes, lay, across = _prepare(x, axis, keepdims)
    res = _float_dtype(x.dtype, dtype)
    t = x.larray.to(_accumulate(res))
    valid = ~torch.isnan(t)
    zero = torch.zeros((), dtype=t.dtype, device=t.device)
    count = _local_sum(valid.to(t.real.dtype), axes)
    mean = _local_sum(torch.where(valid, t, zero), axes) / count.clamp(min=1)
    m2 = _local_sum(torch.where(valid, t - mean, zero).abs() ** 2, axes)
    if across and x.comm.size > 1:
        count, mean, m2 = _merge_moments(x.comm, count, mean, m2)
    dof = count - ddof
    bad = dof <= 0
    if bool(bad.any()):
        warnings.warn("Degrees of freedom <= 0 for slice.", RuntimeWarning, stacklevel=3)
    result = (m2 / dof).masked_fill(bad, float("nan")).reshape(lay.lshape)
    real = dtypes.float32 if res == dtypes.complex64 else dtypes.float64 if res.kind == "c" else res
    return result, lay, real


def _merge_moments(
    comm: Communicator, count: torch.Tensor, mean: torch.Tensor, m2: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Global (count, mean, M2) from every rank's, in one ``allgather``.

    Chan, Golub and LeVeque (1979): merging (n_a, mean_a, M2_a) with (n_b, mean_b, M2_b) gives
    ``M2 = M2_a + M2_b + |mean_b - mean_a|^2 n_a n_b / (n_a + n_b)``; empty parts add nothing.
    """
    cplx = mean.is_complex()
    parts = [count, mean.real, mean.imag, m2] if cplx else [count, mean, m2]
    g = comm.allgather(torch.stack(parts))
    tot_n, tot_mean, tot_m2 = g[0][0], _mean_of(g[0], cplx), g[0][-1]
    for r in range(1, comm.size):
        n_r, mean_r, m2_r = g[r][0], _mean_of(g[r], cplx), g[r][-1]
        n_new = tot_n + n_r
        share = torch.where(n_new > 0, n_r / n_new.clamp(min=1), 0)
        delta = mean_r - tot_mean
        tot_mean = tot_mean + delta * share
        tot_m2 = tot_m2 + m2_r + delta.abs() ** 2 * tot_n * share
        tot_n = n_new
    return tot_n, tot_mean, tot_m2


def _mean_of(parts: torch.Tensor, cplx: bool) -> torch.Tensor:
    return torch.complex(parts[1], parts[2]) if cplx else parts[1]


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
    x = _array(x)
    if not _can_be_nan(x):
        return red.var(x, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)
    result, lay, real = _nan_variance(x, axis, dtype, ddof, keepdims)
    return _deliver(Array(result.to(real.torch), lay), out)


@register()
def nanstd(
    x: Any, /, axis: Axis = None, dtype: Any = None, out: Any = None, ddof: float = 0,
    keepdims: bool = False,
) -> Array:  # fmt: skip
    """Standard deviation of the non-NaN elements: the root of :func:`nanvar` (same
    communication), taken before float16/bfloat16 results are rounded."""
    x = _array(x)
    if not _can_be_nan(x):
        return red.std(x, axis=axis, dtype=dtype, out=out, ddof=ddof, keepdims=keepdims)
    result, lay, real = _nan_variance(x, axis, dtype, ddof, keepdims)
    return _deliver(Array(torch.sqrt(result).to(real.torch), lay), out)


# ---------------------------------------------------------------------------- extrema
def _nan_extreme(name: str, largest: bool) -> Callable[..., Array]:
    plain = red.max if largest else red.min
    op = ReduceOp.MAX if largest else ReduceOp.MIN

    def reduce(x: Any, /, axis: Axis = None, out: Any = None, keepdims: bool = False) -> Array:
        x = _array(x)
        if x.dtype.kind != "f":
            return plain(x, axis=axis, keepdims=keepdims, out=out)
        x, axes, lay, across = _prepare(x, axis, keepdims)
        _no_identity(x, axes, "fmax" if largest else "fmin")
        t = x.larray
        nan = torch.isnan(t)
        part = _local_extreme(t.masked_fill(nan, identity_of(op, t.dtype)), axes, keepdims, largest)
        has = (~nan).any(dim=axes, keepdim=keepdims) if axes else ~nan
        if across:  # the flags travel with the values: 1 / -1 wins the max / min
            flag = has.to(t.dtype) if largest else -has.to(t.dtype)
            part, flag = x.comm.allreduce(torch.stack([part, flag]), op)
            has = flag != 0
        if not bool(has.all()):
            warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=2)
        return _deliver(Array(part.masked_fill(~has, float("nan")), lay), out)

    reduce.__name__ = reduce.__qualname__ = name
    reduce.__doc__ = (
        f"{'Maximum' if largest else 'Minimum'} over ``axis`` ignoring NaN (NumPy's ``{name}``).\n\n"
        "Over the split axis one ``allreduce`` carries the partial extrema together with\n"
        "per-slice flags saying whether a rank saw any number; otherwise nothing is\n"
        "communicated. An all-NaN slice gives NaN and a RuntimeWarning on the ranks holding it\n"
        "(every rank when the split axis is reduced). Other dtypes use the plain reduction."
    )
    return reduce


nanmax = register()(_nan_extreme("nanmax", True))
nanmin = register()(_nan_extreme("nanmin", False))


def _nan_arg(name: str, largest: bool) -> Callable[..., Array]:
    fn = torch.argmax if largest else torch.argmin
    plain = red.argmax if largest else red.argmin

    def reduce(
        x: Any, /, axis: int | None = None, out: Any = None, *, keepdims: bool = False
    ) -> Array:
        x = _array(x)
        if x.dtype.kind != "f":
            return plain(x, axis=axis, keepdims=keepdims, out=out)
        t = x.larray
        valid = ~torch.isnan(t)
        filled = t.masked_fill(~valid, float("-inf") if largest else float("inf"))
        if axis is None:
            return _deliver(_nan_flat_arg(x, filled, valid, fn, largest, keepdims, name), out)
        ax = normalize_axis(axis, x.ndim)
        if x.shape[ax] == 0:
            raise ValueError(f"attempt to get {name[3:]} of an empty sequence")
        lay = _reduced_layout(x, (ax,), keepdims)
        has = valid.any(dim=ax, keepdim=True)
        if x.split != ax:
            if _any_everywhere(x, not bool(has.all())):
                raise ValueError("All-NaN slice encountered")
            return _deliver(Array(fn(filled, dim=ax, keepdim=keepdims), lay), out)
        if t.shape[ax]:
            idx = fn(filled, dim=ax, keepdim=True)
            val = torch.gather(filled, ax, idx)
            idx = idx + x.layout.offsets[x.comm.rank]  # type: ignore[index]
        else:
            val = _filled(t, (ax,), True, 0)
            idx = torch.zeros_like(val, dtype=torch.int64)
        vals, idxs, flags = _gather_fields(x.comm, val, idx, has)  # empty blocks: no flag
        if not bool(flags.any(0).all()):
            raise ValueError("All-NaN slice encountered")
        res = red.first_best(x, vals, idxs, largest)
        return _deliver(Array(res if keepdims else res.squeeze(ax), lay), out)

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
    vals, idxs, flags = _gather_fields(x.comm, val, idx, valid.any())
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
    x, axes, lay, across = _prepare(x, axis, keepdims)
    if x.dtype.kind == "b":
        raise TypeError("ptp of a bool array: NumPy's boolean subtract is not supported")
    if x.dtype.kind == "c":
        raise TypeError("ptp is not supported for complex arrays (hpa does not order them)")
    _no_identity(x, axes, "maximum")
    t = x.larray
    hi = _local_extreme(t, axes, keepdims, True)
    lo = _local_extreme(t, axes, keepdims, False)
    if across:
        both = x.comm.allgather(torch.stack([hi, lo]))  # empty blocks: the identities
        hi, lo = both[:, 0].amax(0), both[:, 1].amin(0)
    return _deliver(Array(hi - lo, lay), out)


@register()
def count_nonzero(x: Any, /, axis: Axis = None, *, keepdims: bool = False) -> Array:
    """Number of non-zero elements over ``axis`` as int64 (a 0-d array for ``axis=None``).

    One ``allreduce`` of the partial counts when the split axis is counted over.
    """
    x = _array(x)
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
    x = _array(a)
    if weights is None:
        avg = red.mean(x, axis=axis, keepdims=keepdims)
        if not returned:
            return avg
        scale = x.size / avg.size
        return avg, Array(torch.full_like(avg.larray, scale), avg.layout)
    axes = _axes(axis, x.ndim)
    w = _array(weights)
    block = _weights_block(x, w, axis, axes)
    res = dtypes.promote(x.dtype, w.dtype)
    res = dtypes.promote(res, dtypes.float64) if x.dtype.kind in "biu" else res
    acc = _accumulate(res)
    lay = _reduced_layout(x, axes, keepdims)
    t = x.larray.to(acc)
    wt = block.to(acc).expand_as(t)
    num, den = _local_sum(t * wt, axes), _local_sum(wt, axes)
    if x.split is not None and x.split in axes:
        num, den = x.comm.allreduce(torch.stack([num, den]), ReduceOp.SUM)
        zero = bool((den == 0).any())
    else:
        zero = _any_everywhere(x, bool((den == 0).any()))
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
    x = _array(a)
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
        t = torch.cat([t, _next_rows(x, n, needs)], dim=ax)
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


def _next_rows(x: Array, n: int, needs: list[int]) -> torch.Tensor:
    """The rows after this rank's block that its differences need, in one ``alltoallv``."""
    lay, rank = x.layout, x.comm.rank
    ax = lay.split
    assert ax is not None
    lo, hi = lay.range_of(rank)
    rows = x.larray.movedim(ax, 0)
    pieces, send = [], []
    for r in range(x.comm.size):
        start = lay.range_of(r)[1]
        first, last = builtins.max(start, lo), builtins.min(start + needs[r], hi)
        send.append(builtins.max(last - first, 0))
        pieces.append(rows[first - lo : first - lo + send[-1]])
    recv = []
    for q in range(x.comm.size):
        q_lo, q_hi = lay.range_of(q)
        first, last = builtins.max(q_lo, hi), builtins.min(q_hi, hi + needs[rank])
        recv.append(builtins.max(last - first, 0))
    got = x.comm.alltoallv(torch.cat(pieces).contiguous(), send, recv)
    return got.movedim(0, ax)


def _with_ends(x: Array, ax: int, prepend: Any, append: Any) -> Array:
    """``x`` with ``prepend``/``append`` concatenated along ``ax``, without moving ``x``.

    Along the split axis the first rank takes the prepended rows and the last rank the
    appended ones; along another axis every rank takes its slice of them.
    """
    lay = x.layout
    ends = [None if e is None else _end_tensor(x, ax, e) for e in (prepend, append)]
    res = x.dtype
    for e in ends:
        res = res if e is None else dtypes.promote(res, dtypes._BY_TORCH[e.dtype])
    head, tail = (e.to(res.torch) if e is not None else None for e in ends)
    extra = [0 if e is None else e.shape[ax] for e in (head, tail)]
    shape = list(x.shape)
    shape[ax] += extra[0] + extra[1]
    counts = list(lay.counts) if lay.split is not None else None
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
