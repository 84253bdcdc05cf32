"""Index arrays, triangles and grids: ``tri``, the ``*_indices`` family, ``indices``, ``ix_``,
``fill_diagonal``, ``diagflat``, ``vander``, ``geomspace``, ``fromfunction``, the metadata
helpers ``shape``, ``size``, ``ndim`` and ``histogram_bin_edges``.

The factories take hpa's ``split=``, ``device=`` and ``comm=`` keywords, as :func:`hpa.zeros`
does: every rank computes only its block from the global indices it owns, so nothing is
communicated. Their results are balanced along ``split`` (replicated by default).

==============================  ==============================================================
function                        communication
==============================  ==============================================================
tri, tril_indices,              none: each rank builds its block from its global indices
triu_indices, diag_indices,
indices, fromfunction,
geomspace
tril_indices_from, ...          none; the result is split along axis 0 when ``arr`` is split,
                                replicated otherwise (on ``arr``'s device and communicator)
ix_                             none for integer arguments (the split of an hpa argument
                                moves to its axis); a boolean hpa argument goes through
                                :func:`hpa.nonzero` (one ``allgather`` of counts when split)
fill_diagonal                   none: every rank writes the diagonal entries of its own block
                                (a split hpa ``val`` is gathered first: one ``allgatherv``)
diagflat                        :func:`hpa.ravel` of ``v`` (one ``alltoallv`` for a split
                                other than 0), then :func:`hpa.diag` (none)
vander                          none: the result keeps ``x``'s extents along axis 0
shape, size, ndim               none (metadata)
histogram_bin_edges             as :func:`hpa.histogram`: one ``allreduce`` of the extrema
                                when the range is found from the data, one of the counts
==============================  ==============================================================
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from hpa.backends import resolve_device
from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.align import as_local_tensor
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.layout import Layout, normalize_axis
from hpa.ops.creation import arange, coerce, layout_for
from hpa.ops.diagonals import diag
from hpa.ops.histograms import histogram
from hpa.ops.indexing import setitem
from hpa.ops.manipulation import ravel, reshape
from hpa.ops.selection import nonzero

__all__ = [
    "diag_indices", "diag_indices_from", "diagflat", "fill_diagonal", "fromfunction",
    "geomspace", "histogram_bin_edges", "indices", "ix_", "ndim", "shape", "size", "tri",
    "tril_indices", "tril_indices_from", "triu_indices", "triu_indices_from", "vander",
]  # fmt: skip


# ---------------------------------------------------------------------------------- helpers
def _span(lay: Layout, axis: int) -> tuple[int, int]:
    """Global ``[start, stop)`` of this rank's part of ``axis``."""
    if lay.split == axis:
        return lay.range_of(lay.comm.rank)
    return 0, lay.gshape[axis]


def _coordinate(lay: Layout, axis: int, device: torch.device) -> torch.Tensor:
    """The global indices along ``axis`` of this rank's block, shaped to broadcast over it."""
    shape = [1] * lay.ndim
    lo, hi = _span(lay, axis)
    shape[axis] = hi - lo
    return torch.arange(lo, hi, device=device).reshape(shape)


def _filled(values: torch.Tensor, shape: Sequence[int], dtype: dtypes.DType) -> torch.Tensor:
    """``values`` broadcast to ``shape`` as a new contiguous tensor of ``dtype``."""
    out = torch.empty(tuple(shape), dtype=dtype.torch, device=values.device)
    return out.copy_(values.expand(tuple(shape)))


def _dimensions(dims: Any) -> tuple[int, ...]:
    """A sequence of extents as integers; NumPy's ``ValueError`` for negative ones."""
    out = tuple(operator.index(d) for d in dims)
    if any(d < 0 for d in out):
        raise ValueError("negative dimensions are not allowed")
    return out


# ---------------------------------------------------------------------------------- triangles
@register()
def tri(
    N: int, M: int | None = None, k: int = 0, dtype: Any = dtypes.float64, *,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """An ``N x M`` array with ones at and below diagonal ``k`` and zeros elsewhere.

    Parameters
    ----------
    N, M : int
        Rows and columns (``M`` defaults to ``N``); negative extents give empty axes, as in
        NumPy.
    k : int
        The diagonal at and below which the array is filled (``k > 0`` is above the main
        diagonal).
    dtype : dtype
        Element type (float64 by default).
    split, device, comm : optional
        The result's split axis (replicated by default), device and communicator.

    Returns
    -------
    Array
        Balanced along ``split``. Communication: none, each rank builds its own block.
    """
    n = max(operator.index(N), 0)
    m = n if M is None else max(operator.index(M), 0)
    k = max(-n, min(operator.index(k), m))  # an equivalent offset that fits a torch integer
    lay = layout_for((n, m), split, comm)
    tdev = resolve_device(device).torch_device
    diff = _coordinate(lay, 1, tdev) - _coordinate(lay, 0, tdev)
    return Array((diff <= k).to(dtypes.to_dtype(dtype).torch), lay)


def _triangle_indices(
    n: int, k: int, m: int | None, lower: bool, split: int | None, device: Any,
    comm: Communicator | None,
) -> tuple[Array, Array]:  # fmt: skip
    """Row and column indices of a triangle of an ``n x m`` array, in row-major order.

    Row ``i`` holds the columns ``[first_i, stop_i)``; every rank finds the rows of its own
    part of the flat list of entries from the running sums of the row widths.
    """
    n = max(operator.index(n), 0)
    m = n if m is None else max(operator.index(m), 0)
    k = max(-n - 1, min(operator.index(k), m + 1))
    rows = np.arange(n)
    first = np.zeros(n, dtype=np.int64) if lower else np.clip(rows + k, 0, m)
    stop = np.clip(rows + k + 1, 0, m) if lower else np.full(n, m, dtype=np.int64)
    widths = stop - first
    lay = layout_for((int(widths.sum()),), split, comm)
    tdev = resolve_device(device).torch_device
    ends = torch.as_tensor(np.cumsum(widths), device=tdev)
    pos = _coordinate(lay, 0, tdev)
    row = torch.searchsorted(ends, pos, right=True)
    starts = ends - torch.as_tensor(widths, device=tdev)
    col = torch.as_tensor(first, device=tdev)[row] + pos - starts[row]
    return Array(row, lay), Array(col, lay)


@register()
def tril_indices(
    n: int, k: int = 0, m: int | None = None, *, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> tuple[Array, Array]:  # fmt: skip
    """The (row, column) int64 indices of the lower triangle (at and below diagonal ``k``) of
    an ``n x m`` array (``m`` defaults to ``n``), in row-major order, as NumPy's.

    Both arrays are balanced along ``split`` (replicated by default). Communication: none,
    each rank computes its own part of the list of entries.
    """
    return _triangle_indices(n, k, m, True, split, device, comm)


@register()
def triu_indices(
    n: int, k: int = 0, m: int | None = None, *, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> tuple[Array, Array]:  # fmt: skip
    """The (row, column) int64 indices of the upper triangle (at and above diagonal ``k``) of
    an ``n x m`` array (``m`` defaults to ``n``), in row-major order, as NumPy's.

    Both arrays are balanced along ``split`` (replicated by default). Communication: none.
    """
    return _triangle_indices(n, k, m, False, split, device, comm)


def _placement(arr: Any) -> tuple[tuple[int, ...], dict[str, Any]]:
    """``arr``'s shape and the keywords that put index arrays beside it: split along axis 0
    when ``arr`` is split, on its device and communicator (metadata only)."""
    if not isinstance(arr, Array):
        return tuple(np.shape(arr)), {}
    where = {"split": None if arr.split is None else 0, "device": arr.device, "comm": arr.comm}
    return arr.shape, where


@register()
def tril_indices_from(arr: Any, k: int = 0) -> tuple[Array, Array]:
    """:func:`tril_indices` for the shape of the 2-d ``arr``.

    The indices are split along axis 0 (balanced) when ``arr`` is split, replicated
    otherwise. Communication: none (only ``arr``'s metadata is read).
    """
    dims, where = _placement(arr)
    if len(dims) != 2:
        raise ValueError("input array must be 2-d")
    return tril_indices(dims[-2], k, dims[-1], **where)


@register()
def triu_indices_from(arr: Any, k: int = 0) -> tuple[Array, Array]:
    """:func:`triu_indices` for the shape of the 2-d ``arr``; laid out as
    :func:`tril_indices_from`. Communication: none."""
    dims, where = _placement(arr)
    if len(dims) != 2:
        raise ValueError("input array must be 2-d")
    return triu_indices(dims[-2], k, dims[-1], **where)


@register()
def diag_indices(
    n: int, ndim: int = 2, *, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> tuple[Array, ...]:  # fmt: skip
    """The indices of the main diagonal of an ``n x ... x n`` array of ``ndim`` axes: the
    int64 array ``arange(n)`` once per axis (the same array, as NumPy returns it).

    Balanced along ``split`` (replicated by default). Communication: none.
    """
    idx = arange(operator.index(n), split=split, device=device, comm=comm)
    return (idx,) * operator.index(ndim)


@register()
def diag_indices_from(arr: Any) -> tuple[Array, ...]:
    """:func:`diag_indices` for ``arr``, whose axes must all have one length; split along axis
    0 when ``arr`` is split, replicated otherwise. Communication: none."""
    dims, where = _placement(arr)
    if len(dims) < 2:
        raise ValueError("input array must be at least 2-d")
    if len(set(dims)) != 1:
        raise ValueError("All dimensions of input must be of equal length")
    return diag_indices(dims[0], len(dims), **where)


# ---------------------------------------------------------------------------------- grids
@register()
def indices(
    dimensions: Sequence[int], dtype: Any = dtypes.int64, sparse: bool = False, *,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Any:  # fmt: skip
    """The index grids of an array of shape ``dimensions``, as :func:`numpy.indices`.

    Parameters
    ----------
    dimensions : sequence of int
        The shape of the grid.
    dtype : dtype
        Element type (int64 by default).
    sparse : bool
        Return one array per axis, of length one along the other axes, instead of one dense
        array.
    split, device, comm : optional
        The split axis of the result (of each result when ``sparse``), its device and
        communicator. Axis 0 of the dense result is the axis of the grids.

    Returns
    -------
    Array or tuple of Array
        Dense: shape ``(len(dimensions), *dimensions)``; sparse: a tuple of arrays. Balanced
        along ``split``. Communication: none, each rank builds its own block.
    """
    dims = _dimensions(dimensions)
    dt = dtypes.to_dtype(dtype)
    tdev = resolve_device(device).torch_device
    if sparse:
        grids = []
        for axis, n in enumerate(dims):
            lay = layout_for(tuple(n if d == axis else 1 for d in range(len(dims))), split, comm)
            grids.append(Array(_filled(_coordinate(lay, axis, tdev), lay.lshape, dt), lay))
        return tuple(grids)
    lay = layout_for((len(dims), *dims), split, comm)
    block = (1, *lay.lshape[1:])
    planes = [_filled(_coordinate(lay, a + 1, tdev), block, dt) for a in range(*_span(lay, 0))]
    local = torch.cat(planes) if planes else torch.empty(lay.lshape, dtype=dt.torch, device=tdev)
    return Array(local, lay)


@register()
def fromfunction(
    function: Callable[..., Any], shape: Sequence[int], *, dtype: Any = dtypes.float64,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
    **kwargs: Any,
) -> Any:  # fmt: skip
    """``function(*grids, **kwargs)`` with the index grids of ``shape``, as
    :func:`numpy.fromfunction`.

    Parameters
    ----------
    function : callable
        Called once with one hpa array per axis of ``shape``: grid ``i`` holds every element's
        index along axis ``i``.
    shape : sequence of int
        The shape of the grids.
    dtype : dtype
        Element type of the grids (float64 by default, as in NumPy).
    split, device, comm : optional
        The grids' split axis (an axis of ``shape``; replicated by default), device and
        communicator. These keywords are hpa's and are not passed on to ``function``.
    **kwargs
        Passed on to ``function``.

    Returns
    -------
    Any
        What ``function`` returns. Building the grids communicates nothing (each rank builds
        its own block of each, balanced along ``split``); ``function`` communicates as its
        operations do.
    """
    dims = _dimensions(shape)
    dt = dtypes.to_dtype(dtype)
    tdev = resolve_device(device).torch_device
    lay = layout_for(dims, split, comm)
    planes = [_filled(_coordinate(lay, a, tdev), lay.lshape, dt) for a in range(len(dims))]
    return function(*(Array(p, lay) for p in planes), **kwargs)


def _cross_index(arg: Any, ref: Array | None) -> Array:
    """One argument of :func:`ix_` as a 1-D hpa array (a boolean one as its indices)."""
    if not isinstance(arg, (Array, np.ndarray, torch.Tensor)) and np.size(arg) == 0:
        arg = np.zeros(np.shape(arg), dtype=np.int64)  # NumPy: an empty sequence is intp
    v = coerce(arg, ref)
    if v.ndim != 1:
        raise ValueError("Cross index must be 1 dimensional")
    return nonzero(v)[0] if v.dtype.kind == "b" else v


@register()
def ix_(*args: Any) -> tuple[Array, ...]:
    """Open-mesh index arrays from 1-D sequences, as :func:`numpy.ix_`.

    Argument ``k`` becomes an array of length one along every axis but ``k``; a boolean
    argument stands for the indices of its true entries. An hpa argument keeps its data where
    they are: its split moves to axis ``k`` (no communication; a split boolean argument costs
    :func:`hpa.nonzero`'s ``allgather`` of counts and gives its ragged extents). Other
    arguments give replicated arrays.
    """
    ref = next((a for a in args if isinstance(a, Array)), None)
    out = []
    for k, arg in enumerate(args):
        v = _cross_index(arg, ref)
        out.append(reshape(v, (1,) * k + (v.shape[0],) + (1,) * (len(args) - k - 1)))
    return tuple(out)


# ---------------------------------------------------------------------------------- diagonals
def _diagonal_steps(a: Array, wrap: bool) -> tuple[int, int]:
    """The stride between diagonal entries of the flattened ``a`` and how many there are."""
    if a.ndim < 2:
        raise ValueError("array must be at least 2-d")
    if a.ndim == 2:
        step = a.shape[1] + 1
        end = a.size if wrap else min(a.size, a.shape[1] * a.shape[1])
    else:
        if len(set(a.shape)) != 1:
            raise ValueError("All dimensions of input must be of equal length")
        step = 1 + sum(math.prod(a.shape[:d]) for d in range(1, a.ndim))
        end = a.size
    return step, -(-end // step)


def _diagonal_values(val: Any, count: int, device: torch.device) -> Any:
    """``val`` for ``count`` diagonal entries: a Python scalar as it is, data as a flat tensor
    repeated to ``count`` entries (``None`` when empty: nothing to write)."""
    if isinstance(val, (bool, int, float, complex)):
        return val
    if isinstance(val, Array):
        t = val.gather() if val.layout.is_distributed else val.larray
    else:
        t = as_local_tensor(val, device)
    t = t.reshape(-1).to(device)
    if t.numel() == 0:
        return None
    return t[torch.arange(count, device=device) % t.numel()]


@register()
def fill_diagonal(a: Array, val: Any, wrap: bool = False) -> None:
    """Write ``val`` on the main diagonal of ``a``, in place, as :func:`numpy.fill_diagonal`.

    Parameters
    ----------
    a : Array
        At least 2-d; with more than two axes all of one length.
    val : scalar or array_like
        The value, or values written in turn along the diagonal (repeated when shorter).
    wrap : bool
        For a tall 2-d ``a``: continue the diagonal below the first ``M`` rows, after one
        skipped row, as NumPy does.

    Notes
    -----
    Communication: none. Every rank knows the global position of every diagonal entry and
    writes those in its own block. A split hpa ``val`` is gathered first (one
    ``allgatherv``).
    """
    if not isinstance(a, Array):
        raise TypeError("fill_diagonal needs an hpa array to write into")
    step, count = _diagonal_steps(a, wrap)
    tdev = a.larray.device
    values = _diagonal_values(val, count, tdev)
    if values is None or count == 0:
        return
    flat = torch.arange(count, device=tdev) * step
    coords = []
    for n in reversed(a.shape):
        coords.append(flat % n)
        flat = flat // n
    setitem(a, tuple(reversed(coords)), values)


@register()
def diagflat(v: Any, k: int = 0) -> Array:
    """The 2-d array with the flattened ``v`` on diagonal ``k``, as :func:`numpy.diagflat`.

    Communication: :func:`hpa.ravel` (none for a replicated ``v`` or one split along axis 0,
    one ``alltoallv`` otherwise), then :func:`hpa.diag` (none): a split ``v`` gives a result
    split along axis 0 with the flat extents, rank 0 also holding the ``-k`` leading zero rows
    (``k < 0``) or the last rank the ``k`` trailing ones (``k > 0``).
    """
    return diag(ravel(coerce(v)), operator.index(k))


@register()
def vander(x: Any, N: int | None = None, increasing: bool = False) -> Array:
    """The Vandermonde matrix of the 1-d ``x``: columns ``x**(N-1), ..., x**0`` (reversed
    with ``increasing``), as :func:`numpy.vander`.

    The dtype is NumPy's ``promote_types(x.dtype, int64)`` (so bool and integers give int64,
    float32 gives float64); the powers are running products, as in NumPy. Communication:
    none, the result keeps ``x``'s layout along axis 0 (replicated for a replicated ``x``).
    """
    v = coerce(x)
    if v.ndim != 1:
        raise ValueError("x must be a one-dimensional array or sequence.")
    n = v.shape[0] if N is None else operator.index(N)
    if n < 0:
        raise ValueError("negative dimensions are not allowed")
    dt = dtypes.promote(v.dtype, dtypes.int64).torch
    t = v.larray.to(dt)
    factors = torch.ones((t.shape[0], n), dtype=dt, device=t.device)
    factors[:, 1:] = t.unsqueeze(1)
    powers = torch.cumprod(factors, dim=1)
    layout = Layout((v.shape[0], n), v.split, v.comm, v.counts)
    return Array(powers if increasing else powers.flip(1).contiguous(), layout)


# ---------------------------------------------------------------------------------- sequences
def _geometric_ends(start: Any, stop: Any, dtype: Any, num: int) -> tuple[np.ndarray, ...]:
    """NumPy's working dtype and the rotated ends of :func:`geomspace` (host arrays).

    Returns ``(sign, first, last)`` in the working dtype, broadcast together: the ends divided
    by the sign of ``start``, so that the sequence runs along the positive real axis.
    """
    lo, hi = np.asarray(start) * 1.0, np.asarray(stop) * 1.0
    if np.any(lo == 0) or np.any(hi == 0):
        raise ValueError("Geometric sequence cannot include zero")
    asked = np.zeros((), dtypes.to_dtype(dtype).numpy)
    work = np.result_type(lo, hi, float(num), asked)
    lo, hi = np.broadcast_arrays(lo.astype(work), hi.astype(work))
    sign = np.sign(lo)
    return sign, lo / sign, hi / sign


@register()
def geomspace(
    start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None,
    axis: int = 0, *, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Numbers spaced evenly on a log scale from ``start`` to ``stop``, as
    :func:`numpy.geomspace`.

    Parameters
    ----------
    start, stop : array_like
        The ends (non-zero; negative and complex ends follow NumPy: the sequence is computed
        along the positive real axis, then rotated by the sign of ``start``). Arrays broadcast
        together and give one sequence per element.
    num : int
        Number of samples.
    endpoint : bool
        Whether ``stop`` is the last sample.
    dtype : dtype, optional
        Element type; NumPy's by default (float64 or complex128 for Python numbers). Integer
        dtypes are rounded down, as in NumPy.
    axis : int
        The axis of the result holding the samples (for array ends).
    split, device, comm : optional
        The result's split axis (replicated by default), device and communicator.

    Returns
    -------
    Array
        Balanced along ``split``. Communication: none, each rank computes its own block (the
        ends are replicated data; an hpa array end is gathered as NumPy data first).
    """
    count = operator.index(num)
    if count < 0:
        raise ValueError(f"Number of samples, {count}, must be non-negative.")
    sign, first, last = _geometric_ends(start, stop, dtype, count)
    ax = normalize_axis(axis, first.ndim + 1)
    lay = layout_for((*first.shape[:ax], count, *first.shape[ax:]), split, comm)
    tdev = resolve_device(device).torch_device

    def block(ends: np.ndarray) -> torch.Tensor:
        t = torch.as_tensor(np.expand_dims(ends, ax), device=tdev)
        if lay.split is not None and lay.split != ax:
            lo, hi = _span(lay, lay.split)
            t = t.narrow(lay.split, lo, hi - lo)
        return t

    with np.errstate(invalid="ignore", divide="ignore"):
        low, high = np.log10(first), np.log10(last)
    div = count - 1 if endpoint else count
    step = (high - low) / div if div > 0 else np.zeros_like(low)
    i = _coordinate(lay, ax, tdev)
    values = torch.pow(10.0, block(low) + i * block(step))
    values = torch.where(i == 0, block(first), values)
    if endpoint and count > 1:
        values = torch.where(i == count - 1, block(last), values)
    values = (values * block(sign)).expand(lay.lshape)
    out = dtypes.to_dtype(dtype) if dtype is not None else dtypes.to_dtype(first.dtype)
    if out.kind in "iu":
        values = torch.floor(values)
    return Array(values.to(out.torch).contiguous(), lay)


# ---------------------------------------------------------------------------------- metadata
@register()
def shape(a: Any) -> tuple[int, ...]:
    """The shape of ``a`` (an hpa array, NumPy data, a list or a scalar); metadata only, no
    communication."""
    return a.shape if isinstance(a, Array) else tuple(np.shape(a))


@register()
def ndim(a: Any) -> int:
    """The number of axes of ``a``; metadata only, no communication."""
    return a.ndim if isinstance(a, Array) else int(np.ndim(a))


@register()
def size(a: Any, axis: int | Sequence[int] | None = None) -> int:
    """The number of elements of ``a``, or along ``axis`` (an int or a tuple of ints), as
    :func:`numpy.size`; metadata only, no communication."""
    axes = tuple(axis) if isinstance(axis, Sequence) else axis
    if not isinstance(a, Array):
        return int(np.size(a, axes))
    if axes is None:
        return a.size
    picked = [normalize_axis(d, a.ndim) for d in (axes if isinstance(axes, tuple) else (axes,))]
    if len(set(picked)) != len(picked):
        raise ValueError("repeated axis")
    return math.prod(a.shape[d] for d in picked)


@register()
def histogram_bin_edges(
    a: Any, bins: Any = 10, range: tuple[float, float] | None = None, weights: Any = None
) -> Array:
    """The bin edges :func:`hpa.histogram` uses, as :func:`numpy.histogram_bin_edges`.

    Parameters
    ----------
    a : array_like
        The data (flattened).
    bins : int or 1-D array_like
        A number of equal-width bins or the edges themselves. NumPy's string estimators
        (``"auto"``, ``"fd"``, ...) are not supported: ``NotImplementedError``.
    range : (float, float), optional
        The outer edges for ``int`` bins; by default the global minimum and maximum.
    weights : array_like, optional
        Only checked to have ``a``'s shape, as NumPy does.

    Returns
    -------
    Array
        The replicated edges, bit for bit NumPy's. Communication: that of
        :func:`hpa.histogram` (which computes the counts as well): one ``allreduce`` of the
        extrema when the range comes from the data, one ``allreduce`` of the counts, none for
        a replicated ``a``.
    """
    if isinstance(bins, str):
        raise NotImplementedError(
            f"histogram_bin_edges: the bin estimator {bins!r} is not supported; pass a number "
            "of bins or the edges"
        )
    if weights is not None and shape(weights) != shape(a):
        raise ValueError("weights should have the same shape as a.")
    return histogram(a, bins, range)[1]
