"""Shared rules of the reductions: axes, result layouts and dtypes, and the reduction table.

:mod:`hpa.ops.reductions`, :mod:`hpa.ops.statistics`, :mod:`hpa.ops.quantiles` and
:mod:`hpa.ops.histograms` reduce local blocks with torch and, when the split axis is reduced,
combine the partial results through :mod:`hpa.core.exchange` (one collective). The helpers here
decide the axes, the layout and dtype of a result, and deliver it to ``out``.

:data:`REDUCTIONS` is the table from which the simple reductions and their nan-variants are
generated (as :mod:`hpa.ops.elementwise` generates its functions from tables): each entry names
the local torch reduction, the :class:`~hpa.comm.base.ReduceOp` that combines the ranks' parts
(one ``allreduce``), the value NaN is replaced by (``None``: NaN is not ignored) and the docstring.
:func:`reduction` builds the public function of an entry.

==================  ================================  =====================
kind                functions                         combination
==================  ================================  =====================
``arithmetic``      sum, prod, nansum, nanprod        one ``allreduce``
``logical``         all, any                          one ``allreduce``
``extreme``         max, min, nanmax, nanmin          one ``allreduce``
                                                      (values and flags)
==================  ================================  =====================
"""

from __future__ import annotations

import builtins
import functools
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import torch

from hpa.comm.base import Communicator, ReduceOp, identity_of
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.exchange import Partial, any_rank
from hpa.core.layout import Layout, normalize_axis
from hpa.ops.creation import coerce
from hpa.ops.elementwise import write_out

__all__ = [
    "REDUCTIONS",
    "Axis",
    "Rule",
    "accumulate",
    "any_everywhere",
    "can_be_nan",
    "combine_extreme",
    "count",
    "deliver",
    "filled",
    "float_dtype",
    "local_extreme",
    "no_identity",
    "ordered",
    "prepare",
    "real_dtype",
    "reduce_axes",
    "reduced_layout",
    "reduction",
    "sum_dtype",
    "without_nan",
]

Axis = int | Sequence[int] | None
LOW = (torch.float16, torch.bfloat16)


# ---------------------------------------------------------------------------- axes and layouts
def reduce_axes(axis: Axis, ndim: int) -> tuple[int, ...]:
    """The normalized axes ``axis`` names (all for ``None``); duplicates raise ValueError."""
    if axis is None:
        return tuple(range(ndim))
    items = (axis,) if isinstance(axis, int) else tuple(axis)
    out = tuple(normalize_axis(a, ndim) for a in items)
    if len(set(out)) != len(out):
        raise ValueError(f"duplicate value in axis {axis}")
    return out


def reduced_layout(x: Array, axes: tuple[int, ...], keepdims: bool) -> Layout:
    """The layout of a reduction of ``x`` over ``axes``."""
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


def prepare(x: Any, axis: Axis, keepdims: bool) -> tuple[Array, tuple[int, ...], Layout, bool]:
    """``x`` as an array, the reduced axes, the result layout, and whether the split axis is
    reduced (then the ranks' parts must be combined)."""
    x = coerce(x)
    axes = reduce_axes(axis, x.ndim)
    out = reduced_layout(x, axes, keepdims)
    return x, axes, out, x.split is not None and x.split in axes


def count(x: Array, axes: tuple[int, ...]) -> int:
    """Number of elements of ``x`` in one slice over ``axes``."""
    n = 1
    for a in axes:
        n *= x.shape[a]
    return n


def deliver(result: Array, out: Any) -> Array:
    """``result``, or written into ``out`` when one is given."""
    return result if out is None else write_out(result.larray, result.layout, out)


def filled(t: torch.Tensor, axes: tuple[int, ...], keepdims: bool, fill: Any) -> torch.Tensor:
    """The shape ``t`` reduces to over ``axes``, filled with ``fill``."""
    shape = (
        [1 if a in axes else s for a, s in enumerate(t.shape)]
        if keepdims
        else [s for a, s in enumerate(t.shape) if a not in axes]
    )
    return torch.full(shape, fill, dtype=t.dtype, device=t.device)


# ---------------------------------------------------------------------------- dtypes
def sum_dtype(dtype: dtypes.DType, requested: Any) -> dtypes.DType:
    """NumPy's result dtype of a sum or product: int64 for integers and bools."""
    if requested is not None:
        return dtypes.to_dtype(requested)
    if dtype.kind in "biu":
        return dtypes.int64
    return dtype


def float_dtype(dtype: dtypes.DType, requested: Any) -> dtypes.DType:
    """NumPy's result dtype of a mean or variance: float64 for integers and bools."""
    if requested is not None:
        return dtypes.to_dtype(requested)
    return dtype if dtype.kind in "fc" else dtypes.float64


def real_dtype(res: dtypes.DType) -> dtypes.DType:
    """The real dtype of a variance of ``res`` values."""
    return dtypes.float32 if res == dtypes.complex64 else dtypes.float64 if res.kind == "c" else res


def accumulate(dtype: dtypes.DType) -> torch.dtype:
    """The torch dtype a reduction to ``dtype`` accumulates in (float32 for 16-bit floats)."""
    return torch.float32 if dtype.torch in LOW else dtype.torch


def can_be_nan(x: Array) -> bool:
    return x.dtype.kind in "fc"


# ---------------------------------------------------------------------------- extrema
def ordered(x: Array, name: str) -> torch.Tensor:
    """The local block in a dtype torch can order; complex numbers raise on every rank."""
    if x.dtype.kind == "c":
        raise TypeError(f"{name} is not supported for complex arrays (hpa does not order them)")
    if x.dtype is dtypes.uint64:
        raise TypeError(
            f"{name} is not supported for uint64 (torch cannot order it): cast with "
            ".astype(hpa.int64) (exact below 2**63) or .astype(hpa.float64)"
        )
    if x.dtype in dtypes.WIDER_SIGNED:  # stored by torch, not ordered: order the wider values
        return x.larray.to(dtypes.WIDER_SIGNED[x.dtype].torch)
    return x.larray.to(torch.uint8) if x.larray.dtype == torch.bool else x.larray


def no_identity(x: Array, axes: tuple[int, ...], name: str) -> None:
    """NumPy's ValueError for an extremum over an empty axis (decided from the shape alone)."""
    if x.size == 0 and (not axes or builtins.any(x.shape[a] == 0 for a in axes)):
        raise ValueError(f"zero-size array to reduction operation {name} which has no identity")


def local_extreme(
    t: torch.Tensor, axes: tuple[int, ...], keepdims: bool, largest: bool
) -> torch.Tensor:
    """Max or min of ``t`` over ``axes``; the identity where a reduced axis is empty here."""
    if not axes:
        return t.clone()
    if builtins.any(t.shape[a] == 0 for a in axes):
        op = ReduceOp.MAX if largest else ReduceOp.MIN
        return filled(t, axes, keepdims, identity_of(op, t.dtype))
    return (torch.amax if largest else torch.amin)(t, dim=axes, keepdim=keepdims)


def combine_extreme(part: torch.Tensor, comm: Communicator, largest: bool) -> torch.Tensor:
    """The extremum over all ranks' partial results in one ``allreduce``; NaN propagates.

    MPI and gloo compare NaN like any number, so a float partial result travels with a NaN
    flag in the same buffer (max of 0/1 flags, or min of 0/-1 flags, says whether any rank
    saw NaN) and its NaNs replaced by the identity. Empty blocks contribute the identity.
    """
    op = ReduceOp.MAX if largest else ReduceOp.MIN
    if not part.is_floating_point():
        return Partial(part, comm, op).replicate()
    nan = torch.isnan(part)
    flag = nan.to(part.dtype) if largest else -nan.to(part.dtype)
    both = Partial(
        torch.stack([part.masked_fill(nan, identity_of(op, part.dtype)), flag]), comm, op
    ).replicate()
    return both[0].masked_fill(both[1] != 0, float("nan"))


def any_everywhere(x: Array, flag: bool) -> bool:
    """Whether ``flag`` holds on any rank: one ``allreduce`` when ``x`` is distributed."""
    if not x.layout.is_distributed:
        return flag
    return any_rank(flag, x.comm)


# ---------------------------------------------------------------------------- the table
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


class Rule(NamedTuple):
    """One row of :data:`REDUCTIONS`."""

    kind: str  # "arithmetic", "logical" or "extreme"
    local: Callable[..., torch.Tensor] | None  # the local torch reduction
    op: ReduceOp  # how the ranks' parts combine
    nan: float | None  # NaN is replaced by this (ignored); None: NaN propagates
    doc: str


_NAN_EXTREME_DOC = (
    "{Extreme} over ``axis`` ignoring NaN (NumPy's ``{name}``).\n\n"
    "Over the split axis one ``allreduce`` carries the partial extrema together with\n"
    "per-slice flags saying whether a rank saw any number; otherwise nothing is\n"
    "communicated. An all-NaN slice gives NaN and a RuntimeWarning on the ranks holding it\n"
    "(every rank when the split axis is reduced). Other dtypes use the plain reduction."
)

REDUCTIONS: dict[str, Rule] = {
    "sum": Rule(
        "arithmetic", _local_sum, ReduceOp.SUM, None,
        "Sum over ``axis`` (NumPy's ``sum``); one ``allreduce`` if the split axis is reduced.",
    ),
    "prod": Rule(
        "arithmetic", _local_prod, ReduceOp.PROD, None,
        "Product over ``axis``; one ``allreduce`` if the split axis is reduced.",
    ),
    "all": Rule(
        "logical", torch.all, ReduceOp.LAND, None,
        "Whether all elements along ``axis`` are true; one ``allreduce`` over the split axis.",
    ),
    "any": Rule(
        "logical", torch.any, ReduceOp.LOR, None,
        "Whether any element along ``axis`` is true; one ``allreduce`` over the split axis.",
    ),
    "max": Rule(
        "extreme", torch.amax, ReduceOp.MAX, None,
        "Maximum over ``axis`` (NaN propagates); one ``allreduce`` over the split axis.",
    ),
    "min": Rule(
        "extreme", torch.amin, ReduceOp.MIN, None,
        "Minimum over ``axis`` (NaN propagates); one ``allreduce`` over the split axis.",
    ),
    "nansum": Rule(
        "arithmetic", _local_sum, ReduceOp.SUM, 0.0,
        "Sum over ``axis`` treating NaN as zero (NumPy's ``nansum``).\n\n"
        "    Communicates like :func:`hpa.sum`: one ``allreduce`` when the split axis is reduced.\n"
        "    ",
    ),
    "nanprod": Rule(
        "arithmetic", _local_prod, ReduceOp.PROD, 1.0,
        "Product over ``axis`` treating NaN as one; one ``allreduce`` over the split axis.",
    ),
    "nanmax": Rule(
        "extreme", torch.amax, ReduceOp.MAX, float("-inf"),
        _NAN_EXTREME_DOC.format(Extreme="Maximum", name="nanmax"),
    ),
    "nanmin": Rule(
        "extreme", torch.amin, ReduceOp.MIN, float("inf"),
        _NAN_EXTREME_DOC.format(Extreme="Minimum", name="nanmin"),
    ),
}  # fmt: skip


def without_nan(x: Array, fill: float) -> Array:
    """``x`` with its NaNs replaced by ``fill`` (same layout, no communication)."""
    t = x.larray
    return Array(t.masked_fill(torch.isnan(t), fill), x.layout)


def _arithmetic(name: str, rule: Rule) -> Callable[..., Array]:
    local = rule.local
    assert local is not None

    def reduce(
        x: Any, /, axis: Axis = None, dtype: Any = None, keepdims: bool = False, out: Any = None
    ) -> Array:
        x, axes, lay, across = prepare(x, axis, keepdims)
        if rule.nan is not None and can_be_nan(x):
            x = without_nan(x, rule.nan)
        res_dtype = sum_dtype(x.dtype, dtype)
        acc = accumulate(res_dtype)
        part = local(x.larray, axes, keepdims, acc) if axes else x.larray.to(acc, copy=True)
        if across:
            part = Partial(part, x.comm, rule.op).replicate()
        return deliver(Array(part.to(res_dtype.torch), lay), out)

    return reduce


def _logical(name: str, rule: Rule) -> Callable[..., Array]:
    local = rule.local
    assert local is not None

    def reduce(x: Any, /, axis: Axis = None, keepdims: bool = False, out: Any = None) -> Array:
        x, axes, lay, across = prepare(x, axis, keepdims)
        part = x.larray != 0 if x.larray.is_complex() or not axes else x.larray
        for a in sorted(axes, reverse=True):
            part = local(part, dim=a, keepdim=keepdims)
        part = part.to(torch.bool)  # torch keeps uint8 for uint8 input
        if across:
            part = Partial(part, x.comm, rule.op).replicate()
        return deliver(Array(part, lay), out)

    return reduce


def _extreme(name: str, rule: Rule) -> Callable[..., Array]:
    largest = rule.op is ReduceOp.MAX

    def reduce(x: Any, /, axis: Axis = None, keepdims: bool = False, out: Any = None) -> Array:
        x, axes, lay, across = prepare(x, axis, keepdims)
        t = ordered(x, name)
        no_identity(x, axes, name)
        part = local_extreme(t, axes, keepdims, largest)
        if across:
            part = combine_extreme(part, x.comm, largest)
        return deliver(Array(part.to(x.dtype.torch), lay), out)

    return reduce


def _nan_extreme(name: str, rule: Rule) -> Callable[..., Array]:
    largest = rule.op is ReduceOp.MAX
    plain = reduction(name[3:])

    def reduce(x: Any, /, axis: Axis = None, out: Any = None, keepdims: bool = False) -> Array:
        x = coerce(x)
        if x.dtype.kind != "f":
            return plain(x, axis=axis, keepdims=keepdims, out=out)
        x, axes, lay, across = prepare(x, axis, keepdims)
        no_identity(x, axes, "fmax" if largest else "fmin")
        t = x.larray
        nan = torch.isnan(t)
        part = local_extreme(
            t.masked_fill(nan, identity_of(rule.op, t.dtype)), axes, keepdims, largest
        )
        has = (~nan).any(dim=axes, keepdim=keepdims) if axes else ~nan
        if across:  # the flags travel with the values: 1 / -1 wins the max / min
            flag = has.to(t.dtype) if largest else -has.to(t.dtype)
            part, flag = Partial(torch.stack([part, flag]), x.comm, rule.op).replicate()
            has = flag != 0
        if not bool(has.all()):
            warnings.warn("All-NaN slice encountered", RuntimeWarning, stacklevel=2)
        return deliver(Array(part.masked_fill(~has, float("nan")), lay), out)

    return reduce


@functools.cache
def reduction(name: str) -> Callable[..., Array]:
    """The public function of the table entry ``name`` (built once; register it where it is
    exported)."""
    rule = REDUCTIONS[name]
    if rule.kind == "arithmetic":
        fn = _arithmetic(name, rule)
    elif rule.kind == "logical":
        fn = _logical(name, rule)
    elif rule.nan is None:
        fn = _extreme(name, rule)
    else:
        fn = _nan_extreme(name, rule)
    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = rule.doc
    fn.__module__ = "hpa.ops.statistics" if name.startswith("nan") else "hpa.ops.reductions"
    return fn
