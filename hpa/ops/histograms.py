"""Counting values into bins: ``bincount``, ``digitize``, ``histogram``, ``histogram2d`` and
``histogramdd``, and HeAT's (torch's) ``bucketize`` and ``histc``.

=========================  ==========================================  =======================
function                   combination over the split axis             collectives
=========================  ==========================================  =======================
bincount                   global max, then the counts                 two ``allreduce``
digitize, bucketize        (elementwise)                               none
histogram                  global (min, max) unless ``range``; counts  one or two ``allreduce``
histc                      global (min, max) if ``min == max``; counts one or two ``allreduce``
histogram2d, histogramdd   global (min, max) of every coordinate       one or two ``allreduce``
                           needing one; counts
=========================  ==========================================  =======================

A replicated input communicates nothing.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
import torch

from hpa.comm.base import ReduceOp
from hpa.core import dtypes
from hpa.core.align import align, local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial
from hpa.core.layout import Layout
from hpa.ops.creation import coerce
from hpa.ops.elementwise import write_out
from hpa.ops.reduction_rules import combine_extreme

__all__ = ["bincount", "bucketize", "digitize", "histc", "histogram", "histogram2d", "histogramdd"]


@register()
def bincount(x: Any, /, weights: Any = None, minlength: int = 0) -> Array:
    """Number of occurrences of each value in a 1-D array of non-negative integers.

    The result (int64, or float64 with ``weights``) is replicated and has length
    ``max(x.max() + 1, minlength)``. A distributed ``x`` costs two ``allreduce``: the global
    (max, -min) first, which fixes the length and lets every rank raise ValueError for a
    negative value, then the local counts. ``weights`` of ``x``'s shape follow ``x``'s blocks
    (one ``alltoallv`` when their layout differs). A replicated ``x`` communicates nothing.
    """
    x = coerce(x)
    if x.ndim != 1:
        depth = "too deep" if x.ndim > 1 else "of too small depth"
        raise ValueError(f"object {depth} for desired array")
    if x.dtype.kind not in "biu":
        raise TypeError(
            f"Cannot cast array data from dtype('{x.dtype.name}') to dtype('int64') "
            "according to the rule 'safe'"
        )
    if minlength < 0:
        raise ValueError("'minlength' must not be negative")
    t = x.larray.to(torch.int64)
    bounds = (
        torch.stack([t.max(), -t.min()]) if t.numel() else torch.tensor([-1, 0], device=t.device)
    )
    if x.layout.is_distributed:
        bounds = Partial(bounds, x.comm, ReduceOp.MAX).replicate()
    top, negative = bounds.tolist()  # the result's length depends on the data: one read
    if negative > 0:
        raise ValueError("'list' argument must have no negative elements")
    length = builtins.max(top + 1, minlength)
    w = None
    if weights is not None:
        wa = coerce(weights)
        if wa.shape != x.shape:
            raise ValueError("The weights and list don't have the same length.")
        w = local_block(wa, x.layout).to(torch.float64)
    counts = _bin_counts(t, w, length)
    # float64 sums of weights, but int64 for an empty x (NumPy's quirk; torch's for empty blocks)
    counts = counts.to(torch.float64 if w is not None and x.size else torch.int64)
    if x.layout.is_distributed:
        counts = Partial(counts, x.comm, ReduceOp.SUM).replicate()
    return Array(counts, Layout((length,), None, x.comm))


def _replicated_tensor(v: Any, device: torch.device) -> torch.Tensor:
    """``v`` whole on every rank (an hpa array split somewhere is gathered: one allgatherv)."""
    v = coerce(v)
    return (v.larray if v.split is None else v.gather()).to(device)


@register()
def digitize(x: Any, /, bins: Any, right: bool = False) -> Array:
    """Index of the bin each element of ``x`` falls into (NumPy's ``digitize``; int64).

    ``bins`` is a 1-D monotonic sequence, replicated (a split hpa array is gathered, one
    ``allgatherv``). The rest is elementwise: the result has ``x``'s layout and nothing else
    is communicated. NaN falls beyond the last bin, as in NumPy.
    """
    x = coerce(x)
    if x.dtype.kind == "c":
        raise TypeError("x may not be complex")
    b = _replicated_tensor(bins, x.larray.device)
    if b.ndim != 1:
        depth = "too deep" if b.ndim > 1 else "of too small depth"
        raise ValueError(f"object {depth} for desired array")
    steps = torch.diff(b.to(torch.float64)) if b.numel() > 1 else b.new_zeros(0)
    increasing, decreasing = torch.stack([(steps >= 0).all(), (steps <= 0).all()]).tolist()
    if not increasing and not decreasing:
        raise ValueError("bins must be monotonically increasing or decreasing")
    common = dtypes.promote(x.dtype, dtypes.of_torch(b.dtype))
    common = dtypes.float64 if common.kind == "b" else common
    t, b = x.larray.to(common.torch), b.to(common.torch)
    if increasing:
        res = torch.searchsorted(b, t, right=not right)
    else:
        res = b.numel() - torch.searchsorted(b.flip(0), t, right=not right)
    return Array(res.to(torch.int64), x.layout)


@register()
def bucketize(
    input: Any, boundaries: Any, out_int32: bool = False, right: bool = False,
    out: Array | None = None,
) -> Array:  # fmt: skip
    """Index of the bucket of each element of ``input`` (HeAT's and torch's ``bucketize``).

    Parameters
    ----------
    input : array_like
        Real values, any layout.
    boundaries : 1-D array_like
        Increasing bucket boundaries, replicated (a split hpa array is gathered, one
        ``allgatherv``; HeAT raises instead).
    out_int32 : bool
        Return int32 instead of int64.
    right : bool
        torch's convention: with ``right=False`` index ``i`` satisfies
        ``boundaries[i-1] < x <= boundaries[i]``, with ``right=True``
        ``boundaries[i-1] <= x < boundaries[i]``.
    out : Array, optional
        Receives the result (of ``input``'s shape).

    Returns
    -------
    Array
        The indices, laid out like ``input``; nothing else is communicated. Input and
        boundaries are compared in their common dtype; NaN falls beyond the last boundary.

    Raises
    ------
    TypeError
        For complex input or boundaries.
    ValueError
        For boundaries that are not 1-D.
    """
    x = coerce(input)
    b = _replicated_tensor(boundaries, x.larray.device)
    if x.dtype.kind == "c" or b.is_complex():
        raise TypeError("bucketize is not supported for complex values")
    if b.ndim != 1:
        raise ValueError(f"boundaries must be 1-dimensional, got {b.ndim} dimensions")
    common = dtypes.promote(x.dtype, dtypes.of_torch(b.dtype))
    common = dtypes.int64 if common.kind == "b" else common
    res = torch.bucketize(
        x.larray.to(common.torch), b.to(common.torch), out_int32=out_int32, right=right
    )
    return Array(res, x.layout) if out is None else write_out(res, x.layout, out)


@register()
def histc(
    input: Any, bins: int = 100, min: float = 0, max: float = 0, out: Array | None = None
) -> Array:
    """Histogram of all elements in ``bins`` equal bins (HeAT's and torch's ``histc``).

    Parameters
    ----------
    input : array_like
        Floating-point data of any layout, flattened.
    bins : int
        Number of bins.
    min, max : float
        Lower and upper end of the range (both inclusive). When they are equal the global
        minimum and maximum of the data are used; a range of one point is widened by 1 on
        both sides, as in torch. Elements outside the range (and NaN) are not counted.
    out : Array, optional
        Receives the counts.

    Returns
    -------
    Array
        The counts in ``input``'s dtype, replicated on every rank. 16-bit floats are binned
        in float32, so that counts stay exact at any process count.

    Raises
    ------
    TypeError
        For data that is not floating-point (torch has no integer ``histc``).
    ValueError
        For ``bins < 1``, ``min > max`` or a range that is not finite.

    Notes
    -----
    A distributed ``input`` costs one ``allreduce`` of every rank's (max, -min) when
    ``min == max``, and one of the counts; a replicated one communicates nothing.
    """
    x = coerce(input)
    if x.dtype.kind != "f":
        raise TypeError(f"histc requires floating-point input, got {x.dtype.name}")
    if bins < 1:
        raise ValueError(f"bins must be positive, got {bins}")
    if min > max:
        raise ValueError("max must be larger than min")
    lo, hi = (float(min), float(max)) if min != max or x.size == 0 else _global_range(x)
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"range of [{lo}, {hi}] is not finite")
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    t = x.larray.reshape(-1)
    t = t.float() if t.element_size() < 4 else t
    counts = torch.histc(t, bins, lo, hi).to(torch.float64)
    if x.layout.is_distributed:
        counts = Partial(counts, x.comm, ReduceOp.SUM).replicate()
    result = Array(counts.to(x.dtype.torch), Layout((bins,), None, x.comm))
    return result if out is None else write_out(result.larray, result.layout, out)


@register()
def histogram(
    a: Any, /, bins: int | Any = 10, range: tuple[float, float] | None = None,
    weights: Any = None, density: bool = False,
) -> tuple[Array, Array]:  # fmt: skip
    """Histogram of all elements of ``a`` (NumPy's ``histogram``), replicated on every rank.

    Parameters
    ----------
    a : array_like
        The data, flattened.
    bins : int or 1-D array_like
        Number of equal-width bins, or the monotonically increasing bin edges.
    range : (float, float), optional
        Lower and upper edge for ``int`` bins; by default the global minimum and maximum,
        found with one ``allreduce`` of every rank's (max, -min) when ``a`` is distributed.
    weights : array_like, optional
        Same shape as ``a``; follows ``a``'s blocks (one ``alltoallv`` when laid out
        differently). The counts then are float64 sums of weights.
    density : bool
        Normalise so that the histogram integrates to one.

    Returns
    -------
    (Array, Array)
        Counts (int64, or float64 with weights or density) and the bin edges. Edges are
        computed from replicated scalars with NumPy, so they match NumPy bit for bit.

    Notes
    -----
    The local counts are combined with one ``allreduce`` when ``a`` is distributed, so the
    whole histogram costs one or two collectives.
    """
    x = coerce(a)
    if x.dtype.kind == "c":
        raise TypeError("histogram is not supported for complex arrays")
    edges = _bin_edges(x, bins, range)
    t = x.larray.reshape(-1)
    w = None
    if weights is not None:
        wa = coerce(weights)
        if wa.shape != x.shape:
            raise ValueError("weights should have the same shape as a.")
        w = local_block(wa, x.layout).reshape(-1).to(torch.float64)
    e = torch.as_tensor(edges, device=t.device)
    common = dtypes.promote(x.dtype, dtypes.of_torch(e.dtype)).torch  # int edges, float data
    ec, vals = e.to(common), t.to(common)
    nbins = e.numel() - 1
    keep = (vals >= ec[0]) & (vals <= ec[-1])
    idx = (torch.searchsorted(ec, vals, right=True) - 1).clamp(0, builtins.max(nbins - 1, 0))
    idx = torch.where(keep, idx, nbins)  # outside the edges (and NaN): a spare bin, dropped
    counts = _bin_counts(idx, w, nbins + 1)[:nbins]
    counts = counts if w is None else counts.to(torch.float64)  # torch gives int64 when empty
    if x.layout.is_distributed:
        counts = Partial(counts, x.comm, ReduceOp.SUM).replicate()
    if density:
        widths = torch.diff(e.to(torch.float64))
        counts = counts.to(torch.float64) / widths / counts.sum()
    lay = Layout((e.numel() - 1,), None, x.comm)
    return Array(counts, lay), Array(e, Layout((e.numel(),), None, x.comm))


def _bin_counts(idx: torch.Tensor, weights: torch.Tensor | None, length: int) -> torch.Tensor:
    """Occurrences (or float64 sums of ``weights``) of each value of ``idx`` in ``[0, length)``.

    ``torch.bincount`` on the CPU; on a GPU, where ``bincount`` reads the largest index on the
    host first, an ``index_add_`` into the known length instead.
    """
    if idx.device.type == "cpu":
        return torch.bincount(idx, weights=weights, minlength=length)
    dtype = torch.int64 if weights is None else torch.float64
    counts = torch.zeros(length, dtype=dtype, device=idx.device)
    return counts.index_add_(0, idx, torch.ones_like(idx) if weights is None else weights)


def _bin_edges(x: Array, bins: Any, range: tuple[float, float] | None) -> np.ndarray:
    """NumPy's bin edges; the global extrema come from one ``allreduce`` when needed."""
    if not isinstance(bins, (int, np.integer)) or isinstance(bins, bool):
        edges = _replicated_tensor(bins, torch.device("cpu")).numpy()
        if edges.ndim != 1:
            raise ValueError("`bins` must be 1d, when an array")
        if edges.size > 1 and np.any(edges[:-1] > edges[1:]):
            raise ValueError("`bins` must increase monotonically, when an array")
        return edges
    if bins < 1:
        raise ValueError("`bins` must be positive, when an integer")
    if range is None:
        lo, hi = _global_range(x)
    else:
        lo, hi = range
        if lo > hi:
            raise ValueError("max must be larger than min in range parameter.")
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"supplied range of [{lo}, {hi}] is not finite")
    kind = x.dtype.numpy if x.dtype is not dtypes.bfloat16 else np.dtype(np.float32)
    sample = np.empty(0, dtype=kind)
    return np.histogram_bin_edges(sample, bins=bins, range=(lo, hi))


def _global_range(x: Array) -> tuple[Any, Any]:
    """The global (min, max) of ``x`` as NumPy scalars of its dtype; (0, 1) when empty.

    A distributed ``x`` sends its (max, -min) through one ``allreduce`` (NaN propagates).
    """
    if x.size == 0:
        return 0, 1
    t = x.larray.reshape(-1)
    if t.numel():
        part = torch.stack([t.max(), -t.min()]).to(torch.float64)
    else:
        part = torch.full((2,), float("-inf"), dtype=torch.float64, device=t.device)
    if x.layout.is_distributed:
        part = combine_extreme(part, x.comm, True)
    top, neg_bottom = part.tolist()  # NumPy computes the edges on the host: one read
    lo, hi = -neg_bottom, top
    if not (np.isfinite(lo) and np.isfinite(hi)):
        raise ValueError(f"autodetected range of [{lo}, {hi}] is not finite")
    kind = x.dtype.numpy if x.dtype is not dtypes.bfloat16 else np.dtype(np.float32)
    return kind.type(lo), kind.type(hi)


@register()
def histogram2d(
    x: Any, y: Any, bins: Any = 10, range: Any = None, density: bool | None = None,
    weights: Any = None,
) -> tuple[Array, Array, Array]:  # fmt: skip
    """Bi-dimensional histogram of the points ``(x, y)`` (NumPy's ``histogram2d``), replicated.

    Parameters
    ----------
    x, y : array_like
        1-D coordinates of equal length, of any layout: ``y`` (and ``weights``) are brought
        to the blocks of the larger split operand like elementwise operands (one ``alltoallv``
        when laid out otherwise; none when they agree).
    bins : int or array_like or [int, int] or [array, array]
        Bin counts or edges per dimension (one 1-D array of length other than 2: the edges
        of both).
    range : [[xmin, xmax], [ymin, ymax]], optional
        Outer edges for ``int`` bins; by default the global extrema, found for both
        coordinates with one ``allreduce`` when the points are distributed.
    density : bool, optional
        Normalise so that the histogram integrates to one.
    weights : array_like, optional
        One weight per point.

    Returns
    -------
    (Array, Array, Array)
        The float64 counts ``H`` (x along axis 0), and the x and y edges, all replicated. The
        local counts are combined with one ``allreduce``; edges are computed with NumPy from
        replicated scalars, as NumPy computes them.
    """
    try:
        n = len(bins)
    except TypeError:
        n = 1
    if n not in (1, 2):
        bins = [bins, bins]
    hist, edges = histogramdd([x, y], bins, range, density, weights)
    return hist, edges[0], edges[1]


@register()
def histogramdd(
    sample: Any, bins: Any = 10, range: Any = None, density: bool | None = None,
    weights: Any = None,
) -> tuple[Array, list[Array]]:  # fmt: skip
    """Multidimensional histogram (NumPy's ``histogramdd``), replicated on every rank.

    ``sample`` is a sequence of ``D`` 1-D coordinate arrays, or an ``(N, D)`` array (a split
    along axis 1 is moved to axis 0 first, one ``alltoallv``). Coordinates and weights are
    aligned like elementwise operands; the global extrema of the coordinates with ``int``
    bins and no range take one ``allreduce``, the counts another. See :func:`histogram2d`.
    """
    coords = _coordinates(sample)
    d = len(coords)
    bins = [bins] * d if isinstance(bins, (int, np.integer)) else list(bins)
    ranges = [None] * d if range is None else list(range)
    if len(bins) != d or len(ranges) != d:
        raise ValueError("The dimension of bins must be equal to the dimension of the sample x.")
    if builtins.any(c.ndim != 1 or c.shape != coords[0].shape for c in coords):
        raise ValueError("all the input array dimensions must match exactly")
    if builtins.any(c.dtype.kind == "c" for c in coords):
        raise TypeError("histogramdd is not supported for complex arrays")
    ops = coords if weights is None else [*coords, coerce(weights)]
    if ops[-1].shape != coords[0].shape:
        raise ValueError("weights should have the same length as the sample")
    blocks, lay = align(ops)
    edges = _edges_dd(coords, blocks[:d], bins, ranges, lay)
    hist = _counts_dd(blocks[:d], None if weights is None else blocks[d], edges)
    if lay.is_distributed:
        hist = Partial(hist, lay.comm, ReduceOp.SUM).replicate()
    if density:
        total = hist.sum()
        for i, e in enumerate(edges):
            shape = [1] * d
            shape[i] = e.size - 1
            hist = hist / torch.as_tensor(np.diff(e), device=hist.device).reshape(shape)
        hist = hist / total
    comm = lay.comm
    out = Array(hist, Layout(tuple(hist.shape), None, comm))
    dev = hist.device
    return out, [Array(torch.as_tensor(e, device=dev), Layout(e.shape, None, comm)) for e in edges]


def _coordinates(sample: Any) -> list[Array]:
    """``sample`` as a list of 1-D coordinate arrays (no communication unless split on axis 1)."""
    if isinstance(sample, (list, tuple)):
        return [coerce(c) for c in sample]
    s = coerce(sample)
    if s.ndim != 2:
        raise ValueError("sample must be a 2-D array or a sequence of 1-D arrays")
    s = s.resplit(0) if s.split == 1 else s
    lay = Layout((s.shape[0],), s.split, s.comm, s.counts)
    return [Array(s.larray[:, i], lay) for i in builtins.range(s.shape[1])]


def _edges_dd(
    coords: list[Array], blocks: list[torch.Tensor], bins: list[Any], ranges: list[Any],
    lay: Layout,
) -> list[np.ndarray]:  # fmt: skip
    """NumPy's edges per dimension; the extrema needed come from one ``allreduce``."""
    need = [
        isinstance(b, (int, np.integer)) and not isinstance(b, bool) and r is None
        for b, r in zip(bins, ranges)
    ]
    extrema = _joint_extrema([b for b, k in zip(blocks, need) if k], lay)
    edges = []
    for i, (b, r) in enumerate(zip(bins, ranges)):
        if not (isinstance(b, (int, np.integer)) and not isinstance(b, bool)):
            e = _replicated_tensor(b, torch.device("cpu")).numpy()
            if e.ndim != 1:
                raise ValueError(f"`bins[{i}]` must be a scalar or 1d array")
            if e.size > 1 and np.any(e[:-1] > e[1:]):
                raise ValueError(f"`bins[{i}]` must be monotonically increasing, when an array")
            edges.append(e)
            continue
        if b < 1:
            raise ValueError(f"`bins[{i}]` must be positive, when an integer")
        lo, hi = _outer_edges(coords[i], r, extrema.pop(0) if need[i] else None)
        edges.append(np.linspace(lo, hi, int(b) + 1))
    return edges


def _joint_extrema(blocks: list[torch.Tensor], lay: Layout) -> list[tuple[float, float]]:
    """Global (min, max) of each local block (NaN propagates): one ``allreduce`` in all."""
    if not blocks:
        return []
    parts = []
    for t in blocks:
        if t.numel():
            parts.append(torch.stack([t.max(), -t.min()]).to(torch.float64))
        else:
            parts.append(torch.full((2,), float("-inf"), dtype=torch.float64, device=t.device))
    part = torch.cat(parts)
    if lay.is_distributed:
        part = combine_extreme(part, lay.comm, True)
    found = part.tolist()  # NumPy computes the edges on the host: one read for all
    return [(-found[2 * i + 1], found[2 * i]) for i in builtins.range(len(blocks))]


def _outer_edges(c: Array, given: Any, found: tuple[float, float] | None) -> tuple[Any, Any]:
    """NumPy's ``_get_outer_edges``: the range given or found, widened when it is a point."""
    if given is not None:
        lo, hi = given
        if lo > hi:
            raise ValueError("max must be larger than min in range parameter.")
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"supplied range of [{lo}, {hi}] is not finite")
    elif c.size == 0:
        lo, hi = 0, 1
    else:
        lo, hi = found  # type: ignore[misc]
        if not (np.isfinite(lo) and np.isfinite(hi)):
            raise ValueError(f"autodetected range of [{lo}, {hi}] is not finite")
    if lo == hi:
        lo, hi = lo - 0.5, hi + 0.5
    return lo, hi


def _counts_dd(
    blocks: list[torch.Tensor], w: torch.Tensor | None, edges: list[np.ndarray]
) -> torch.Tensor:
    """Local float64 counts: each coordinate's bin (outliers on both ends), one bincount."""
    flat = None
    sizes = [e.size + 1 for e in edges]
    for t, e, size in zip(blocks, edges, sizes):
        ec = torch.as_tensor(e, dtype=torch.float64, device=t.device)
        v = t.reshape(-1).to(torch.float64).contiguous()
        idx = torch.searchsorted(ec, v, right=True)
        idx = idx - (v == ec[-1]).to(idx.dtype)  # the last edge closes the last bin
        flat = idx if flat is None else flat * size + idx
    total = int(np.prod(sizes))
    if flat is None or flat.numel() == 0:
        counts = torch.zeros(total, dtype=torch.float64, device=blocks[0].device)
    else:
        weights = None if w is None else w.reshape(-1).to(torch.float64)
        counts = _bin_counts(flat, weights, total).to(torch.float64)
    core = tuple(slice(1, -1) for _ in sizes)
    return counts.reshape(sizes)[core].contiguous()
