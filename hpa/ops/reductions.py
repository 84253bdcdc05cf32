"""Reductions and scans.

Rule: a reduction reduces each local block with torch; when the split axis is among the reduced
axes, the partial results are combined with exactly one collective and the result is
replicated; otherwise nothing is communicated and the result stays split along the (renumbered)
split axis with the same extents.

==================  ======================================  =============================
function            combination over the split axis          collective
==================  ======================================  =============================
sum, prod           partial sums / products                 one ``allreduce``
all, any            logical and / or                        one ``allreduce``
mean                partial sums                            one ``allreduce``
var, std            (count, mean, M2) per rank, merged      one ``allgather``
                    with Chan et al.'s pairwise formula
min, max            per-rank extrema with NaN flags         one ``allreduce``
argmin, argmax      per-rank extrema with global indices    one ``allgather``
cumsum, cumprod     local scan, then the exclusive scan     one ``exscan``
                    of the block totals
==================  ======================================  =============================

sum, prod, all, any, max and min (and statistics' nansum, nanprod, nanmax, nanmin) are generated
from the table :data:`hpa.ops.reduction_rules.REDUCTIONS`; var and std merge their blocks'
moments with :mod:`hpa.ops.moments`.

Result dtypes follow NumPy: integer and bool sums and products accumulate in int64, the mean
of integers is float64, float16 and bfloat16 accumulate in float32 and are rounded once.
"""

from __future__ import annotations

import builtins
import warnings
from collections.abc import Callable
from typing import Any

import torch

from hpa.comm.base import ReduceOp
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial, exclusive_scan, gather_records
from hpa.core.layout import Layout, normalize_axis
from hpa.ops import moments
from hpa.ops.creation import asarray, zeros
from hpa.ops.manipulation import concat, ravel
from hpa.ops.reduction_rules import (
    Axis,
    accumulate,
    count,
    deliver,
    filled,
    float_dtype,
    ordered,
    prepare,
    real_dtype,
    reduced_layout,
    reduction,
    sum_dtype,
)

__all__ = [
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "cumprod",
    "cumsum",
    "cumulative_prod",
    "cumulative_sum",
    "max",
    "mean",
    "min",
    "prod",
    "std",
    "sum",
    "var",
]

# sum, prod, all, any, max and min: generated from the table of hpa.ops.reduction_rules
sum = register()(reduction("sum"))
prod = register()(reduction("prod"))
all = register()(reduction("all"))
any = register()(reduction("any"))
max = register("amax")(reduction("max"))
min = register("amin")(reduction("min"))
amax = max
amin = min


@register()
def mean(
    x: Any, /, axis: Axis = None, dtype: Any = None, keepdims: bool = False, out: Any = None
) -> Array:
    """Arithmetic mean over ``axis``; one ``allreduce`` if the split axis is reduced.

    Integers average in float64; float16/bfloat16 accumulate in float32.
    """
    x, axes, lay, across = prepare(x, axis, keepdims)
    res = float_dtype(x.dtype, dtype)
    acc = accumulate(res)
    t = x.larray
    part = torch.sum(t, dim=axes, keepdim=keepdims, dtype=acc) if axes else t.to(acc, copy=True)
    if across:
        part = Partial(part, x.comm, ReduceOp.SUM).replicate()
    n = count(x, axes)
    if n == 0:
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=2)
    part = part / n if n else part * float("nan")
    return deliver(Array(part.to(res.torch), lay), out)


@register()
def var(
    x: Any, /, axis: Axis = None, dtype: Any = None, out: Any = None, ddof: float = 0,
    keepdims: bool = False, correction: float | None = None,
) -> Array:  # fmt: skip
    """Variance over ``axis`` with ``ddof`` (or the Array API's ``correction``).

    Over the split axis every rank contributes (mean, M2) of its block through one
    ``allgather``; they are merged with the pairwise update of Chan, Golub and LeVeque
    (1979), which is as accurate as a two-pass computation. As in NumPy, ``ddof`` at least the
    number of elements warns and divides by zero (``inf``, or ``nan`` for zero spread).
    """
    ddof = correction if correction is not None else ddof
    result, lay, real = _variance(x, axis, dtype, ddof, keepdims)
    return deliver(Array(result.to(real.torch), lay), out)


def _variance(
    x: Any, axis: Axis, dtype: Any, ddof: float, keepdims: bool, root: bool = False
) -> tuple[torch.Tensor, Layout, dtypes.DType]:
    """The variance (its square root with ``root``) in the accumulation precision, its layout
    and the (real) result dtype.

    Blocks are merged only when several processes hold parts of the reduced axes (one
    ``allgather``, :func:`hpa.ops.moments.merge_ranks`); a single block needs none, and on a
    GPU takes one fused kernel (``torch.var``/``std``): there every extra elementwise kernel is
    a launch of its own.
    """
    x, axes, lay, across = prepare(x, axis, keepdims)
    res = float_dtype(x.dtype, dtype)
    real = real_dtype(res)
    t = x.larray.to(accumulate(res))
    n = count(x, axes)
    merged = across and x.comm.size > 1
    if t.device.type != "cpu" and axes and not merged and t.numel() and n - ddof > 0:
        fused = torch.std if root else torch.var
        return fused(t, dim=axes, correction=ddof, keepdim=keepdims), lay, real
    mean_, m2 = moments.local(t, axes, keepdims, merged)
    if merged and n:
        per_slice = n // x.shape[x.split]
        counts = [c * per_slice for c in x.counts]
        m2 = moments.merge_ranks(x.comm, counts, mean_, m2)[2]
    if n - ddof <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=3)
    result = m2 / builtins.max(n - ddof, 0)
    return (torch.sqrt(result) if root else result), lay, real


@register()
def std(
    x: Any, /, axis: Axis = None, dtype: Any = None, out: Any = None, ddof: float = 0,
    keepdims: bool = False, correction: float | None = None,
) -> Array:  # fmt: skip
    """Standard deviation: the square root of :func:`var` (same communication).

    The root is taken before float16/bfloat16 results are rounded, so they are rounded once.
    """
    ddof = correction if correction is not None else ddof
    result, lay, real = _variance(x, axis, dtype, ddof, keepdims, root=True)
    return deliver(Array(result.to(real.torch), lay), out)


def _arg_extreme(name: str, largest: bool) -> Callable[..., Array]:
    fn = torch.argmax if largest else torch.argmin

    def reduce(
        x: Any, /, axis: int | None = None, keepdims: bool = False, out: Any = None
    ) -> Array:
        x = x if isinstance(x, Array) else asarray(x)
        t = ordered(x, name)
        if axis is None:
            return deliver(_flat_arg(x, t, fn, largest, keepdims, name), out)
        ax = normalize_axis(axis, x.ndim)
        if x.shape[ax] == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        lay = reduced_layout(x, (ax,), keepdims)
        if x.split != ax:
            return deliver(Array(fn(t, dim=ax, keepdim=keepdims), lay), out)
        if t.shape[ax]:
            idx = fn(t, dim=ax, keepdim=True)
            val = torch.gather(t, ax, idx)
            idx = idx + x.layout.offsets[x.comm.rank]
        else:
            val = filled(t, (ax,), True, 0)
            idx = torch.zeros_like(val, dtype=torch.int64)
        vals, idxs = gather_records(x.comm, val, idx)
        res = first_best(x, vals, idxs, largest)
        return deliver(Array(res if keepdims else res.squeeze(ax), lay), out)

    reduce.__name__ = reduce.__qualname__ = name
    return reduce


def first_best(x: Array, vals: torch.Tensor, idxs: torch.Tensor, largest: bool) -> torch.Tensor:
    """The smallest global index among every rank's candidates (leading axis) that hold the
    extremum, or a NaN when there is one; ranks with an empty block never win.

    All on the device: the ranks to skip are known from the layout, so nothing is read back
    to the host (indexing with a list of ranks would copy it to the device, a GPU sync).
    """
    none = torch.iinfo(torch.int64).max
    counts = x.counts
    assert counts is not None
    if 0 in counts:
        # an empty rank's candidate becomes the first owner's: it may tie, never win (a mask
        # built by comparisons: assigning Python numbers into device tensors would copy them)
        first = next(r for r, c in enumerate(counts) if c)
        ranks = torch.arange(len(counts), device=vals.device)
        empty = torch.zeros_like(ranks, dtype=torch.bool)
        for r, c in enumerate(counts):
            if not c:
                empty |= ranks == r
        empty = empty.reshape(-1, *[1] * (vals.dim() - 1))
        vals = torch.where(empty, vals[first], vals)
        idxs = torch.where(empty, none, idxs)
    ext = torch.amax(vals, 0) if largest else torch.amin(vals, 0)  # NaN propagates
    best = torch.isnan(vals) | (vals == ext)  # no NaN is equal to NaN: then only the NaNs
    return torch.where(best, idxs, none).amin(0)


def _flat_arg(
    x: Array,
    t: torch.Tensor,
    fn: Callable[..., torch.Tensor],
    largest: bool,
    keepdims: bool,
    name: str,
) -> Array:
    """Index into the flattened array of the first extremum (one ``allgather`` when split)."""
    if x.size == 0:
        raise ValueError(f"attempt to get {name} of an empty sequence")
    shape = (1,) * x.ndim if keepdims else ()
    lay = Layout(shape, None, x.comm)
    if x.split is None:
        return Array(fn(t.reshape(-1)).reshape(shape), lay)
    val, flat = flat_candidate(x, t, fn)
    vals, idxs = gather_records(x.comm, val, flat)
    return Array(first_best(x, vals, idxs, largest).reshape(shape), lay)


def flat_candidate(
    x: Array, t: torch.Tensor, fn: Callable[..., torch.Tensor]
) -> tuple[torch.Tensor, torch.Tensor]:
    """This rank's candidate for a flat arg-reduction of split ``x``: the value ``fn`` picks in
    the local block ``t`` and its index into the flattened global array (zeros when empty).

    The index is converted on the device, without reading it on the host.
    """
    if not t.numel():
        zero = torch.zeros((), dtype=t.dtype, device=t.device)
        return zero, torch.zeros((), dtype=torch.int64, device=t.device)
    local = fn(t.reshape(-1)).reshape(1)
    rest, flat, stride = local, torch.zeros_like(local), 1
    for axis in reversed(range(t.ndim)):
        coord = rest % t.shape[axis]
        rest = rest // t.shape[axis]
        if axis == x.split:
            coord = coord + x.layout.offsets[x.comm.rank]  # type: ignore[index]
        flat = flat + coord * stride
        stride *= x.shape[axis]
    return t.reshape(-1).gather(0, local).reshape(()), flat.reshape(())


argmax = register()(_arg_extreme("argmax", True))
argmax.__doc__ = (
    "Index of the first maximum along ``axis`` (NaN counts as maximal); one ``allgather`` of "
    "(value, index) pairs over the split axis."
)
argmin = register()(_arg_extreme("argmin", False))
argmin.__doc__ = (
    "Index of the first minimum along ``axis``; one ``allgather`` of (value, index) pairs over"
    " the split axis, none otherwise."
)


def _scan(name: str, local: Callable[..., torch.Tensor], op: ReduceOp) -> Callable[..., Array]:
    def scan(x: Any, /, axis: int | None = None, dtype: Any = None, out: Any = None) -> Array:
        x = x if isinstance(x, Array) else asarray(x)
        if axis is None:
            if x.ndim != 1:
                x = ravel(x)
            axis = 0
        ax = normalize_axis(axis, x.ndim)
        res_dtype = sum_dtype(x.dtype, dtype)
        t = local(x.larray.to(accumulate(res_dtype)), dim=ax)
        if x.split == ax:
            n = t.shape[ax]
            ident = 0 if op is ReduceOp.SUM else 1
            last = t.narrow(ax, n - 1, 1) if n else filled(t, (ax,), True, ident)
            carry = exclusive_scan(last, x.comm, op)
            t = t + carry if op is ReduceOp.SUM else t * carry
        return deliver(Array(t.to(res_dtype.torch), x.layout), out)

    scan.__name__ = scan.__qualname__ = name
    return scan


cumsum = register()(_scan("cumsum", torch.cumsum, ReduceOp.SUM))
cumsum.__doc__ = "Cumulative sum along ``axis``; one ``exscan`` of the block totals."
cumprod = register()(_scan("cumprod", torch.cumprod, ReduceOp.PROD))
cumprod.__doc__ = "Cumulative product along ``axis``; one ``exscan`` of the block totals."


# ---------------------------------------------------------------------------- scans
def _cumulative(
    scan: Any, x: Any, axis: int | None, dtype: Any, include_initial: builtins.bool, initial: int
) -> Array:
    a = asarray(x)
    if axis is None:
        if a.ndim != 1:
            raise ValueError("axis must be given for an array of more than one dimension")
        axis = 0
    axis = normalize_axis(axis, a.ndim)
    out = scan(a, axis=axis, dtype=dtype)
    if not include_initial:
        return out
    shape = tuple(1 if i == axis else n for i, n in enumerate(out.shape))
    first = zeros(
        shape,
        dtype=out.dtype,
        split=out.split if out.split != axis else None,
        device=out.device,
        comm=out.comm,
    )
    if initial:
        first += initial
    return concat([first, out], axis=axis)


@register()
def cumulative_sum(
    x: Any,
    /,
    *,
    axis: int | None = None,
    dtype: Any = None,
    include_initial: builtins.bool = False,
) -> Array:
    """Cumulative sum along ``axis`` (required unless ``x`` is 1-D), as :func:`hpa.cumsum`.

    ``include_initial=True`` starts the result with the sum of no elements (zero), so the
    result is one longer than ``x`` along ``axis``.
    """
    return _cumulative(cumsum, x, axis, dtype, include_initial, 0)


@register()
def cumulative_prod(
    x: Any,
    /,
    *,
    axis: int | None = None,
    dtype: Any = None,
    include_initial: builtins.bool = False,
) -> Array:
    """Cumulative product along ``axis`` (required unless ``x`` is 1-D), as :func:`hpa.cumprod`.

    ``include_initial=True`` starts the result with the product of no elements (one).
    """
    return _cumulative(cumprod, x, axis, dtype, include_initial, 1)
