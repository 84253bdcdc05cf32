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

Result dtypes follow NumPy: integer and bool sums and products accumulate in int64, the mean
of integers is float64, float16 and bfloat16 accumulate in float32 and are rounded once.
"""

from __future__ import annotations

import builtins
import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import torch

from hpa.comm.base import ReduceOp, identity_of
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.layout import Layout, normalize_axis
from hpa.ops.creation import asarray, zeros
from hpa.ops.elementwise import write_out
from hpa.ops.manipulation import concat

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

Axis = int | Sequence[int] | None
_LOW = (torch.float16, torch.bfloat16)


def _axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    items = (axis,) if isinstance(axis, int) else tuple(axis)
    out = tuple(normalize_axis(a, ndim) for a in items)
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate value in axis {axis}")
    return out


def _reduced_layout(x: Array, axes: tuple[int, ...], keepdims: bool) -> Layout:
    return _reduce_layout(x.layout, axes, keepdims)


@functools.lru_cache(maxsize=512)
def _reduce_layout(lay: Layout, axes: tuple[int, ...], keepdims: bool) -> Layout:
    """The layout of a reduction of ``lay`` over ``axes`` (cached: layouts are values)."""
    shape = (
        tuple(1 if a in axes else n for a, n in enumerate(lay.gshape))
        if keepdims
        else tuple(n for a, n in enumerate(lay.gshape) if a not in axes)
    )
    if lay.split is None or lay.split in axes:
        return Layout(shape, None, lay.comm)
    split = lay.split if keepdims else lay.split - builtins.sum(1 for a in axes if a < lay.split)
    return Layout(shape, split, lay.comm, lay.counts)


def _prepare(x: Any, axis: Axis, keepdims: bool) -> tuple[Array, tuple[int, ...], Layout, bool]:
    x = x if isinstance(x, Array) else asarray(x)
    axes = _axes(axis, x.ndim)
    out = _reduced_layout(x, axes, keepdims)
    return x, axes, out, x.split is not None and x.split in axes


def _sum_dtype(dtype: dtypes.DType, requested: Any) -> dtypes.DType:
    if requested is not None:
        return dtypes.to_dtype(requested)
    if dtype.kind in "biu":
        return dtypes.int64
    return dtype


def _accumulate(dtype: dtypes.DType) -> torch.dtype:
    return torch.float32 if dtype.torch in _LOW else dtype.torch


def _arithmetic(
    name: str, local: Callable[..., torch.Tensor], op: ReduceOp
) -> Callable[..., Array]:
    def reduce(
        x: Any, /, axis: Axis = None, dtype: Any = None, keepdims: bool = False, out: Any = None
    ) -> Array:
        x, axes, lay, across = _prepare(x, axis, keepdims)
        res_dtype = _sum_dtype(x.dtype, dtype)
        acc = _accumulate(res_dtype)
        part = local(x.larray, axes, keepdims, acc) if axes else x.larray.to(acc, copy=True)
        if across:
            part = x.comm.allreduce(part, op)
        return _deliver(Array(part.to(res_dtype.torch), lay), out)

    reduce.__name__ = reduce.__qualname__ = name
    return reduce


def _deliver(result: Array, out: Any) -> Array:
    return result if out is None else write_out(result.larray, result.layout, out)


def _local_sum(
    t: torch.Tensor, axes: tuple[int, ...], keepdims: bool, acc: torch.dtype
) -> torch.Tensor:
    return torch.sum(t, dim=axes, keepdim=keepdims, dtype=acc)


def _local_prod(
    t: torch.Tensor, axes: tuple[int, ...], keepdims: bool, acc: torch.dtype
) -> torch.Tensor:
    for a in sorted(axes, reverse=True):
        t = torch.prod(t, dim=a, keepdim=keepdims, dtype=acc)
    return t


sum = register()(_arithmetic("sum", _local_sum, ReduceOp.SUM))
sum.__doc__ = "Sum over ``axis`` (NumPy's ``sum``); one ``allreduce`` if the split axis is reduced."
prod = register()(_arithmetic("prod", _local_prod, ReduceOp.PROD))
prod.__doc__ = "Product over ``axis``; one ``allreduce`` if the split axis is reduced."


def _logical(name: str, local: Callable[..., torch.Tensor], op: ReduceOp) -> Callable[..., Array]:
    def reduce(x: Any, /, axis: Axis = None, keepdims: bool = False, out: Any = None) -> Array:
        x, axes, lay, across = _prepare(x, axis, keepdims)
        part = x.larray != 0 if x.larray.is_complex() or not axes else x.larray
        for a in sorted(axes, reverse=True):
            part = local(part, dim=a, keepdim=keepdims)
        part = part.to(torch.bool)  # torch keeps uint8 for uint8 input
        if across:
            part = x.comm.allreduce(part, op)
        return _deliver(Array(part, lay), out)

    reduce.__name__ = reduce.__qualname__ = name
    return reduce


all = register()(_logical("all", torch.all, ReduceOp.LAND))
all.__doc__ = "Whether all elements along ``axis`` are true; one ``allreduce`` over the split axis."
any = register()(_logical("any", torch.any, ReduceOp.LOR))
any.__doc__ = "Whether any element along ``axis`` is true; one ``allreduce`` over the split axis."


def _count(x: Array, axes: tuple[int, ...]) -> int:
    n = 1
    for a in axes:
        n *= x.shape[a]
    return n


def _float_dtype(dtype: dtypes.DType, requested: Any) -> dtypes.DType:
    if requested is not None:
        return dtypes.to_dtype(requested)
    return dtype if dtype.kind in "fc" else dtypes.float64


@register()
def mean(
    x: Any, /, axis: Axis = None, dtype: Any = None, keepdims: bool = False, out: Any = None
) -> Array:
    """Arithmetic mean over ``axis``; one ``allreduce`` if the split axis is reduced.

    Integers average in float64; float16/bfloat16 accumulate in float32.
    """
    x, axes, lay, across = _prepare(x, axis, keepdims)
    res = _float_dtype(x.dtype, dtype)
    acc = _accumulate(res)
    t = x.larray
    part = torch.sum(t, dim=axes, keepdim=keepdims, dtype=acc) if axes else t.to(acc, copy=True)
    if across:
        part = x.comm.allreduce(part, ReduceOp.SUM)
    n = _count(x, axes)
    if n == 0:
        warnings.warn("Mean of empty slice.", RuntimeWarning, stacklevel=2)
    part = part / n if n else part * float("nan")
    return _deliver(Array(part.to(res.torch), lay), out)


def _moments(
    t: torch.Tensor, axes: tuple[int, ...], keepdims: bool, with_mean: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """Local (mean, M2) over ``axes``; M2 is the sum of squared deviations from the mean.

    Without ``with_mean`` the mean is returned as zeros (a single block needs none to be
    merged). torch's ``var`` plus ``mean`` is several times faster than ``var_mean`` on CPU; on
    a GPU, where both are bound by memory bandwidth, ``var_mean`` reads the data once.
    """
    n = 1
    for a in axes:
        n *= t.shape[a]
    if not axes:  # each element alone (torch reads dim=() as every axis)
        return (t.clone() if with_mean else torch.zeros_like(t)), torch.zeros_like(t.real)
    if t.numel() == 0:  # also when a kept axis is empty: torch would warn about 0/0
        zero = _filled(t, axes, keepdims, 0)
        return zero, (zero.real if zero.is_complex() else zero).clone()
    if t.device.type != "cpu":
        v, m = torch.var_mean(t, dim=axes, correction=0, keepdim=keepdims)
        return (m if with_mean else torch.zeros_like(m)), v * n
    if _strided_rows(t, axes):
        m = torch.mean(t, dim=axes, keepdim=True)
        m2 = _m2_by_rows(t, m, axes)
        if not keepdims:
            m, m2 = m.squeeze(axes), m2.squeeze(axes)
        return (m if with_mean else torch.zeros_like(m)), m2
    v = torch.var(t, dim=axes, correction=0, keepdim=keepdims)
    if with_mean:
        m = torch.mean(t, dim=axes, keepdim=keepdims)
    else:
        m = torch.zeros_like(v, dtype=t.dtype)
    return m, v * n


def _strided_rows(t: torch.Tensor, axes: tuple[int, ...]) -> bool:
    """Whether ``var`` over ``axes`` reduces across rows but keeps the last axis: torch's
    ``var`` walks such data with a stride and is ~5x slower than two passes by row chunks."""
    return (
        0 in axes
        and t.ndim - 1 not in axes
        and t.dtype.is_floating_point
        and t.is_contiguous()
        and t.numel() >= 1 << 16
    )


def _m2_by_rows(t: torch.Tensor, mean: torch.Tensor, axes: tuple[int, ...]) -> torch.Tensor:
    """Sum of squared deviations from ``mean`` (kept dims) over ``axes``, in chunks of rows of
    about 2 MiB so that the deviations stay in cache (as accurate as a two-pass variance)."""
    rows = builtins.max(1, (2 << 20) // (t[0].numel() * t.element_size()))
    m2 = torch.zeros_like(mean)
    for part in t.split(rows, dim=0):
        d = part - mean
        m2 += (d * d).sum(dim=axes, keepdim=True)
    return m2


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
    return _deliver(Array(result.to(real.torch), lay), out)


def _variance(
    x: Any, axis: Axis, dtype: Any, ddof: float, keepdims: bool, root: bool = False
) -> tuple[torch.Tensor, Layout, dtypes.DType]:
    """The variance (its square root with ``root``) in the accumulation precision, its layout
    and the (real) result dtype.

    Blocks are merged only when several processes hold parts of the reduced axes (one
    ``allgather``); a single block needs none, and on a GPU takes one fused kernel
    (``torch.var``/``std``): there every extra elementwise kernel is a launch of its own.
    """
    x, axes, lay, across = _prepare(x, axis, keepdims)
    res = _float_dtype(x.dtype, dtype)
    real = dtypes.float32 if res == dtypes.complex64 else dtypes.float64 if res.kind == "c" else res
    t = x.larray.to(_accumulate(res))
    n = _count(x, axes)
    merged = across and x.comm.size > 1
    if t.device.type != "cpu" and axes and not merged and t.numel() and n - ddof > 0:
        fused = torch.std if root else torch.var
        return fused(t, dim=axes, correction=ddof, keepdim=keepdims), lay, real
    mean_, m2 = _moments(t, axes, keepdims, merged)
    if merged and n:
        per_slice = n // x.shape[x.split]  # type: ignore[index]
        m2 = _merge(x, mean_, m2, [c * per_slice for c in x.counts])  # type: ignore[union-attr]
    if n - ddof <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=3)
    result = m2 / builtins.max(n - ddof, 0)
    return (torch.sqrt(result) if root else result), lay, real


def _merge(x: Array, mean_: torch.Tensor, m2: torch.Tensor, counts: list[int]) -> torch.Tensor:
    """Global M2 from every rank's (count, mean, M2), merged pairwise (one ``allgather``)."""
    cplx = mean_.is_complex()
    parts = [mean_.real, mean_.imag, m2] if cplx else [mean_, m2]
    gathered = x.comm.allgather(torch.stack(parts))
    total_n, total_mean, total_m2 = 0, None, None
    for r, c in enumerate(counts):
        if c == 0:
            continue
        g = gathered[r]
        m_r = torch.complex(g[0], g[1]) if cplx else g[0]
        if total_mean is None:
            total_n, total_mean, total_m2 = c, m_r, g[-1]
            continue
        n_new = total_n + c
        delta = m_r - total_mean
        total_mean = total_mean + delta * (c / n_new)
        total_m2 = total_m2 + g[-1] + delta.abs() ** 2 * (total_n * c / n_new)
        total_n = n_new
    return total_m2 if total_m2 is not None else m2


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
    return _deliver(Array(result.to(real.torch), lay), out)


def _ordered(x: Array, name: str) -> torch.Tensor:
    """The local block in a dtype torch can order; complex numbers raise on every rank."""
    if x.dtype.kind == "c":
        raise TypeError(f"{name} is not supported for complex arrays (hpa does not order them)")
    return x.larray.to(torch.uint8) if x.larray.dtype == torch.bool else x.larray


def _extreme(name: str, largest: bool) -> Callable[..., Array]:
    fn = torch.amax if largest else torch.amin

    def reduce(x: Any, /, axis: Axis = None, keepdims: bool = False, out: Any = None) -> Array:
        x, axes, lay, across = _prepare(x, axis, keepdims)
        t = _ordered(x, name)
        if x.size == 0 and (not axes or builtins.any(x.shape[a] == 0 for a in axes)):
            raise ValueError(f"zero-size array to reduction operation {name} which has no identity")
        if not axes:
            part = t.clone()
        elif builtins.any(t.shape[a] == 0 for a in axes):
            part = _filled(
                t, axes, keepdims, identity_of(ReduceOp.MAX if largest else ReduceOp.MIN, t.dtype)
            )
        else:
            part = fn(t, dim=axes, keepdim=keepdims)
        if across:
            part = _allreduce_extreme(x, part, largest)
        return _deliver(Array(part.to(x.dtype.torch), lay), out)

    reduce.__name__ = reduce.__qualname__ = name
    return reduce


def _allreduce_extreme(x: Array, part: torch.Tensor, largest: bool) -> torch.Tensor:
    """The extremum over all ranks' partial results in one ``allreduce``; NaN propagates.

    MPI and gloo compare NaN like any number, so a float partial result travels with a NaN
    flag in the same buffer (max of 0/1 flags, or min of 0/-1 flags, says whether any rank
    saw NaN) and its NaNs replaced by the identity. Empty blocks contribute the identity.
    """
    op = ReduceOp.MAX if largest else ReduceOp.MIN
    if not part.is_floating_point():
        return x.comm.allreduce(part, op)
    nan = torch.isnan(part)
    flag = nan.to(part.dtype) if largest else -nan.to(part.dtype)
    both = x.comm.allreduce(
        torch.stack([part.masked_fill(nan, identity_of(op, part.dtype)), flag]), op
    )
    return both[0].masked_fill(both[1] != 0, float("nan"))


def _filled(t: torch.Tensor, axes: tuple[int, ...], keepdims: bool, fill: Any) -> torch.Tensor:
    """The shape ``t`` reduces to over ``axes``, filled with ``fill``."""
    shape = (
        [1 if a in axes else s for a, s in enumerate(t.shape)]
        if keepdims
        else [s for a, s in enumerate(t.shape) if a not in axes]
    )
    return torch.full(shape, fill, dtype=t.dtype, device=t.device)


max = register("amax")(_extreme("max", True))
max.__doc__ = "Maximum over ``axis`` (NaN propagates); one ``allreduce`` over the split axis."
min = register("amin")(_extreme("min", False))
min.__doc__ = "Minimum over ``axis`` (NaN propagates); one ``allreduce`` over the split axis."
amax = max
amin = min


def _arg_extreme(name: str, largest: bool) -> Callable[..., Array]:
    fn = torch.argmax if largest else torch.argmin

    def reduce(
        x: Any, /, axis: int | None = None, keepdims: bool = False, out: Any = None
    ) -> Array:
        x = x if isinstance(x, Array) else asarray(x)
        t = _ordered(x, name)
        if axis is None:
            return _deliver(_flat_arg(x, t, fn, largest, keepdims, name), out)
        ax = normalize_axis(axis, x.ndim)
        if x.shape[ax] == 0:
            raise ValueError(f"attempt to get {name} of an empty sequence")
        lay = _reduced_layout(x, (ax,), keepdims)
        if x.split != ax:
            return _deliver(Array(fn(t, dim=ax, keepdim=keepdims), lay), out)
        if t.shape[ax]:
            idx = fn(t, dim=ax, keepdim=True)
            val = torch.gather(t, ax, idx)
            idx = idx + x.layout.offsets[x.comm.rank]  # type: ignore[index]
        else:
            val = _filled(t, (ax,), True, 0)
            idx = torch.zeros_like(val, dtype=torch.int64)
        vals, idxs = _gather_pairs(x, val, idx)
        res = first_best(x, vals, idxs, largest)
        return _deliver(Array(res if keepdims else res.squeeze(ax), lay), out)

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


def _gather_pairs(
    x: Array, val: torch.Tensor, idx: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """Every rank's candidate values and int64 indices, through one ``allgather`` of their bytes."""
    width = val.element_size()
    raw = torch.cat([_bytes(val), _bytes(idx)], dim=-1)
    both = x.comm.allgather(raw)
    # clone: a slice can be "contiguous" at an odd byte offset, which view() rejects
    vals = both[..., :width].clone(memory_format=torch.contiguous_format).view(val.dtype)
    idxs = both[..., width:].clone(memory_format=torch.contiguous_format).view(torch.int64)
    return vals.squeeze(-1), idxs.squeeze(-1)


def _bytes(t: torch.Tensor) -> torch.Tensor:
    """The bytes of every element of ``t`` along a new last axis."""
    return t.contiguous().unsqueeze(-1).view(torch.uint8)


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
    vals, idxs = _gather_pairs(x, val, flat)
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
                from hpa.core.dispatch import OPS

                x = OPS["ravel"](x)
            axis = 0
        ax = normalize_axis(axis, x.ndim)
        res_dtype = _sum_dtype(x.dtype, dtype)
        t = local(x.larray.to(_accumulate(res_dtype)), dim=ax)
        if x.split == ax:
            n = t.shape[ax]
            ident = 0 if op is ReduceOp.SUM else 1
            last = t.narrow(ax, n - 1, 1) if n else _filled(t, (ax,), True, ident)
            carry = x.comm.exscan(last, op)
            t = t + carry if op is ReduceOp.SUM else t * carry
        return _deliver(Array(t.to(res_dtype.torch), x.layout), out)

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
