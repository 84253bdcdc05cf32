"""Array API inspection: the namespace info (``__array_namespace_info__``) and dtype queries
(``finfo``, ``iinfo``, ``isdtype``). Metadata only: nothing is communicated.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any

import torch

from hpa.backends import Device, cpu, get_device, gpu
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.dtypes import DType

__all__ = [
    "__array_api_version__",
    "__array_namespace_info__",
    "broadcast_shape",
    "broadcast_shapes",
    "finfo",
    "iinfo",
    "isdtype",
]

__array_api_version__ = "2024.12"

# The standard's dtypes that hpa computes with in full. uint16, uint32 and uint64 are left out:
# torch only stores them, hpa computes uint16/uint32 in wider types and uint64 in part (see
# hpa.core.dtypes). float16 and bfloat16 are extensions: isdtype knows their kind, but
# dtypes() does not list them.
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


def broadcast_shapes(*shapes: Any) -> tuple[int, ...]:
    """The shape that arrays of ``shapes`` broadcast to (NumPy's ``broadcast_shapes``); an int
    stands for a 1-d shape. Shapes only: nothing is communicated.

    Raises
    ------
    ValueError
        If the shapes do not broadcast together.
    """
    dims = [(s,) if isinstance(s, builtins.int) else tuple(builtins.int(d) for d in s) for s in shapes]
    try:
        return tuple(torch.broadcast_shapes(*dims))
    except RuntimeError as err:
        raise ValueError(
            f"shape mismatch: objects cannot be broadcast to a single shape: {dims}"
        ) from err


def broadcast_shape(shape_a: Any, shape_b: Any) -> tuple[int, ...]:
    """HeAT's name for :func:`broadcast_shapes` of two shapes."""
    return broadcast_shapes(shape_a, shape_b)

