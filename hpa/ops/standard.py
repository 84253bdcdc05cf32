"""The Array API standard (2024.12) on top of hpa's NumPy-style operations.

Most of the standard's functions are hpa's own (``hpa.sum``, ``hpa.concat``, ``hpa.acos``, ...);
this module adds the ones NumPy lacks or spells differently: the inspection namespace
(``__array_namespace_info__``), dtype queries (``finfo``, ``iinfo``, ``isdtype``), ``astype``,
``from_dlpack``, the ``unique_*`` family, ``vecdot``, ``cumulative_sum``/``cumulative_prod``,
``meshgrid``, ``unstack`` and ``nextafter``. Each is built from other hpa operations and
communicates exactly what they do:

==================================  ==========================================================
function                            communication
==================================  ==========================================================
finfo, iinfo, isdtype, inspection   none (metadata)
astype, from_dlpack, nextafter      none (nextafter: as any binary elementwise operation)
unique_values/counts/inverse/all    as :func:`hpa.unique` (a sample sort of a split input)
vecdot                              as ``x1 * x2`` followed by ``sum`` over ``axis``: one
                                    ``allreduce`` when ``axis`` is the split axis
cumulative_sum, cumulative_prod     as ``cumsum``/``cumprod``; ``include_initial`` along the
                                    split axis adds what ``concat`` moves
meshgrid                            none: each output keeps its input's split (``reshape`` and
                                    ``broadcast_to`` of a 1-D array move no data)
unstack                             none: the slices along the split axis stay on their owners
                                    (ragged blocks)
==================================  ==========================================================

Deviations from the standard: NaNs collapse into one value in the ``unique_*`` functions (as in
:func:`hpa.unique`), where the standard counts every NaN as distinct.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import torch

from hpa.backends import Device, cpu, device_of, get_device, gpu
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.dtypes import DType
from hpa.core.layout import normalize_axis
from hpa.ops.creation import asarray, zeros
from hpa.ops.elementwise import _make_binary, conj, multiply
from hpa.ops.manipulation import broadcast_to, concat, reshape, squeeze
from hpa.ops.reductions import cumprod, cumsum, sum
from hpa.ops.sorting import unique
from hpa.ops.tiling import split as _split_into

__all__ = [
    "UniqueAllResult",
    "UniqueCountsResult",
    "UniqueInverseResult",
    "__array_api_version__",
    "__array_namespace_info__",
    "astype",
    "cumulative_prod",
    "cumulative_sum",
    "finfo",
    "from_dlpack",
    "iinfo",
    "isdtype",
    "meshgrid",
    "nextafter",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
    "unstack",
    "vecdot",
]

__array_api_version__ = "2024.12"

# The standard's dtypes that hpa has (it lacks uint16, uint32 and uint64). float16 and
# bfloat16 are extensions: isdtype knows their kind, but dtypes() does not list them.
_STANDARD_DTYPES = (
    dtypes.bool_,
    dtypes.int8,
    dtypes.int16,
    dtypes.int32,
    dtypes.int64,
    dtypes.uint8,
    dtypes.float32,
    dtypes.float64,
    dtypes.complex64,
    dtypes.complex128,
)
_KINDS = {
    "bool": "b",
    "signed integer": "i",
    "unsigned integer": "u",
    "integral": "iu",
    "real floating": "f",
    "complex floating": "c",
    "numeric": "iufc",
}


# ---------------------------------------------------------------------------- inspection
class _Info:
    """The inspection namespace returned by :func:`__array_namespace_info__`."""

    def capabilities(self) -> dict[str, Any]:
        """Optional features: boolean indexing and data-dependent shapes (``nonzero``,
        ``unique_*``) are supported; torch allows up to 64 dimensions."""
        return {"boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64}

    def default_device(self) -> Device:
        """The device new arrays are created on (see :func:`hpa.use_device`)."""
        return get_device()

    def default_dtypes(self, *, device: Any = None) -> dict[str, DType]:
        """hpa's default dtypes, the same on every device."""
        return {
            "real floating": dtypes.default_float,
            "complex floating": dtypes.complex128,
            "integral": dtypes.default_int,
            "indexing": dtypes.int64,
        }

    def dtypes(
        self, *, device: Any = None, kind: str | tuple[str, ...] | None = None
    ) -> dict[str, DType]:
        """The standard's dtypes hpa supports, by name, optionally only those of ``kind``.

        ``kind`` takes the strings of :func:`isdtype` or a tuple of them.
        """
        return {d.name: d for d in _STANDARD_DTYPES if kind is None or isdtype(d, kind)}

    def devices(self) -> list[Device]:
        """The devices arrays can live on: the CPU, and this process's GPU if there is one."""
        return [cpu, gpu] if gpu.is_available() else [cpu]


def __array_namespace_info__() -> _Info:
    """The Array API inspection namespace: capabilities, devices and dtypes."""
    return _Info()


# ---------------------------------------------------------------------------- dtype queries
@dataclass(frozen=True)
class _FInfo:
    bits: int
    eps: float
    max: float
    min: float
    smallest_normal: float
    dtype: DType


@dataclass(frozen=True)
class _IInfo:
    bits: int
    max: int
    min: int
    dtype: DType


def _dtype_of(type: Any) -> DType:
    return type.dtype if isinstance(type, Array) else dtypes.to_dtype(type)


def finfo(type: Any, /) -> _FInfo:
    """Machine limits of a floating-point dtype (or of an array's dtype).

    Parameters
    ----------
    type : DType or Array
        A real or complex floating-point dtype; for a complex dtype the limits are those of
        its real component, as in NumPy.

    Returns
    -------
    object
        With the fields ``bits``, ``eps``, ``max``, ``min``, ``smallest_normal`` (Python
        floats but ``bits``) and ``dtype`` (the real floating dtype they describe).
    """
    dt = _dtype_of(type)
    if dt.kind not in "fc":
        raise TypeError(f"finfo needs a floating-point dtype, not {dt}")
    real = dtypes.to_dtype(torch.empty((), dtype=dt.torch).real.dtype)
    info = torch.finfo(real.torch)
    return _FInfo(info.bits, info.eps, info.max, info.min, info.smallest_normal, real)


def iinfo(type: Any, /) -> _IInfo:
    """Machine limits of an integer dtype (or of an array's dtype).

    Returns
    -------
    object
        With the fields ``bits``, ``max``, ``min`` (Python ints) and ``dtype``.
    """
    dt = _dtype_of(type)
    if dt.kind not in "iu":
        raise TypeError(f"iinfo needs an integer dtype, not {dt}")
    info = torch.iinfo(dt.torch)
    return _IInfo(info.bits, info.max, info.min, dt)


def isdtype(dtype: Any, kind: Any) -> builtins.bool:
    """Whether ``dtype`` is of ``kind``.

    Parameters
    ----------
    dtype : DType
        The dtype to classify.
    kind : DType, str or tuple
        A dtype (equality), one of ``"bool"``, ``"signed integer"``, ``"unsigned integer"``,
        ``"integral"``, ``"real floating"``, ``"complex floating"``, ``"numeric"``, or a tuple
        of these (any of them).
    """
    dt = dtypes.to_dtype(dtype)
    if isinstance(kind, tuple):
        return builtins.any(isdtype(dt, k) for k in kind)
    if isinstance(kind, str):
        if kind not in _KINDS:
            raise ValueError(f"unknown dtype kind {kind!r}; expected one of {sorted(_KINDS)}")
        return dt.kind in _KINDS[kind]
    return dt == dtypes.to_dtype(kind)


# ---------------------------------------------------------------------------- conversion
def astype(x: Array, dtype: Any, /, *, copy: builtins.bool = True, device: Any = None) -> Array:
    """``x`` converted to ``dtype`` (and moved to ``device``), keeping its layout.

    With ``copy=False`` the array itself is returned when nothing changes.
    """
    out = x.astype(dtype, copy=copy)
    return out if device is None else out.to(device)


def from_dlpack(
    x: Any,
    /,
    *,
    device: Any = None,
    copy: builtins.bool | None = None,
    split: int | None = None,
    is_split: int | None = None,
) -> Array:
    """An array from a DLPack-capable object: a torch tensor, a CuPy, NumPy or JAX array.

    The data stay on the producer's device (a CuPy array gives a GPU array) and are shared,
    not copied, unless ``copy=True``, ``device`` names another device, or ``split`` asks each
    rank to keep a block of it.

    Parameters
    ----------
    x : object with ``__dlpack__``
        Without ``split``/``is_split``: the same data on every rank (a replicated array, no
        communication); with ``split``: the global data, each rank keeps its block; with
        ``is_split``: this rank's block, stacked along ``is_split`` in rank order.
    device : optional
        Move the data there (default: where they are).
    copy : bool, optional
        ``True`` always copies; ``None``/``False`` share the memory where possible (moving to
        another ``device`` or keeping a block of ``split`` data copies even then).
    split, is_split : int, optional
        As for :func:`hpa.array`.
    """
    t = torch.from_dlpack(x)
    target = device if device is not None else device_of(t.device)
    return asarray(t, device=target, copy=copy, split=split, is_split=is_split)


# ---------------------------------------------------------------------------- sets
class UniqueAllResult(NamedTuple):
    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    values: Array
    inverse_indices: Array


@register()
def unique_values(x: Any, /) -> Array:
    """The sorted unique elements of the flattened ``x`` (see :func:`hpa.unique`)."""
    return unique(x)  # type: ignore[return-value]


@register()
def unique_counts(x: Any, /) -> UniqueCountsResult:
    """The unique elements of ``x`` and how often each occurs."""
    return UniqueCountsResult(*unique(x, return_counts=True))


@register()
def unique_inverse(x: Any, /) -> UniqueInverseResult:
    """The unique elements of ``x`` and, of ``x``'s shape, the index of each element in them."""
    return UniqueInverseResult(*unique(x, return_inverse=True))


@register()
def unique_all(x: Any, /) -> UniqueAllResult:
    """Unique elements, flat index of first occurrences, inverse indices and counts."""
    return UniqueAllResult(*unique(x, return_index=True, return_inverse=True, return_counts=True))


# ---------------------------------------------------------------------------- linear algebra
@register()
def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Array:
    """Dot products of vectors along ``axis`` (``x1`` conjugated), broadcasting the rest.

    Computed as ``sum(conj(x1) * x2, axis=axis)``: the product aligns the operands as any
    elementwise operation; the sum does one ``allreduce`` when ``axis`` is the split axis.

    Raises
    ------
    ValueError
        If ``x1`` and ``x2`` differ in size along ``axis`` (it is not broadcast).
    """
    a, b = asarray(x1), asarray(x2)
    ndim = builtins.max(a.ndim, b.ndim)
    axis = normalize_axis(axis, ndim) - ndim  # counted from the end, as broadcasting aligns
    if -axis > builtins.min(a.ndim, b.ndim) or a.shape[axis] != b.shape[axis]:
        raise ValueError(f"vecdot: shapes {a.shape} and {b.shape} differ along axis {axis}")
    if a.dtype.kind == "c":
        a = conj(a)
    product = multiply(a, b)
    return sum(product, axis=axis, dtype=product.dtype)  # no widening of small integers


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


# ---------------------------------------------------------------------------- manipulation
def meshgrid(
    *arrays: Any, indexing: str = "xy", sparse: builtins.bool = False
) -> tuple[Array, ...]:
    """Coordinate matrices from 1-D coordinate vectors, as :func:`numpy.meshgrid`.

    Parameters
    ----------
    *arrays : Array
        One-dimensional coordinate vectors.
    indexing : {"xy", "ij"}
        ``"xy"`` (Cartesian) swaps the first two output axes, ``"ij"`` (matrix) does not.
    sparse : bool
        Return arrays of size 1 along all axes but their own instead of full grids.

    Returns
    -------
    tuple of Array
        Output ``i`` is split along the axis that holds input ``i``'s values when that input
        is split; no communication.
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"indexing must be 'xy' or 'ij', not {indexing!r}")
    vectors = [asarray(a) for a in arrays]
    for v in vectors:
        if v.ndim != 1:
            raise ValueError(f"meshgrid takes 1-D arrays, not {v.ndim}-D ones")
    lengths = [v.shape[0] for v in vectors]
    positions = list(range(len(vectors)))
    if indexing == "xy" and len(vectors) > 1:
        lengths[0], lengths[1] = lengths[1], lengths[0]
        positions[0], positions[1] = 1, 0
    grids = []
    for v, pos in zip(vectors, positions):
        shape = tuple(-1 if i == pos else 1 for i in range(len(vectors)))
        g = reshape(v, shape)
        grids.append(g if sparse else broadcast_to(g, tuple(lengths)).copy())
    return tuple(grids)


@register()
def unstack(x: Any, /, *, axis: int = 0) -> tuple[Array, ...]:
    """The slices of ``x`` along ``axis``, as a tuple of arrays with that axis removed.

    No communication: slices of the split axis stay on the rank that holds them (their blocks
    are ragged; :meth:`Array.balance` evens them out).
    """
    a = asarray(x)
    axis = normalize_axis(axis, a.ndim)
    if a.shape[axis] == 0:
        return ()
    return tuple(squeeze(p, axis=axis) for p in _split_into(a, a.shape[axis], axis=axis))


# ---------------------------------------------------------------------------- elementwise
nextafter = _make_binary("nextafter", torch.nextafter, np.nextafter)
