"""hpa's dtypes and NumPy's type-promotion rules, as explicit tables.

Each :class:`DType` names one torch dtype. Promotion between two array dtypes follows NumPy 2
(NEP 50), extended to bfloat16 the way NumPy treats float16; Python scalars are "weak": they
take the array's dtype unless their kind is higher (an int array plus a float scalar gives
float64, a float32 array plus a float scalar stays float32).
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
import torch

__all__ = [
    "DType",
    "bfloat16",
    "bool_",
    "can_cast",
    "complex64",
    "complex128",
    "default_float",
    "default_int",
    "of_torch",
    "float16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "is_weak_scalar",
    "promote",
    "promote_scalar",
    "result_type",
    "to_dtype",
    "uint8",
]


class DType:
    """An hpa dtype.

    Attributes
    ----------
    name : str
        NumPy's name (``"float32"``, ``"bool"``, ...).
    torch : torch.dtype
        The dtype of the local tensors.
    numpy : numpy.dtype
        The dtype of NumPy copies (float32 stands in for bfloat16, which NumPy lacks).
    kind : str
        ``"b"`` bool, ``"i"`` signed integer, ``"u"`` unsigned integer, ``"f"`` real floating,
        ``"c"`` complex floating.
    itemsize : int
        Bytes per element.
    """

    __slots__ = ("itemsize", "kind", "name", "numpy", "torch")

    def __init__(self, name: str, tdtype: torch.dtype, ndtype: Any, kind: str) -> None:
        self.name = name
        self.torch = tdtype
        self.numpy = np.dtype(ndtype)
        self.kind = kind
        self.itemsize = torch.empty((), dtype=tdtype).element_size()

    def __repr__(self) -> str:
        return f"hpa.{self.name}"

    __str__ = __repr__

    def __reduce__(self) -> str:
        return self.name if self.name != "bool" else "bool_"

    def __eq__(self, other: object) -> builtins.bool:
        if isinstance(other, DType):
            return self is other
        if not isinstance(other, (str, type, np.dtype, torch.dtype)):
            return False  # never probe foreign objects (np.dtype() reads their attributes)
        try:
            return to_dtype(other) is self
        except (TypeError, ValueError):
            return False

    def __hash__(self) -> int:
        return hash(self.name)


bool_ = DType("bool", torch.bool, np.bool_, "b")
int8 = DType("int8", torch.int8, np.int8, "i")
int16 = DType("int16", torch.int16, np.int16, "i")
int32 = DType("int32", torch.int32, np.int32, "i")
int64 = DType("int64", torch.int64, np.int64, "i")
uint8 = DType("uint8", torch.uint8, np.uint8, "u")
float16 = DType("float16", torch.float16, np.float16, "f")
bfloat16 = DType("bfloat16", torch.bfloat16, np.float32, "f")
float32 = DType("float32", torch.float32, np.float32, "f")
float64 = DType("float64", torch.float64, np.float64, "f")
complex64 = DType("complex64", torch.complex64, np.complex64, "c")
complex128 = DType("complex128", torch.complex128, np.complex128, "c")

ALL = (
    bool_,
    int8,
    int16,
    int32,
    int64,
    uint8,
    float16,
    bfloat16,
    float32,
    float64,
    complex64,
    complex128,
)
default_float = float64
default_int = int64

_BY_TORCH = {d.torch: d for d in ALL}


def of_torch(dtype: torch.dtype) -> DType:
    """The hpa dtype of a torch dtype (``KeyError`` for one hpa does not have)."""
    return _BY_TORCH[dtype]


_BY_NAME = {d.name: d for d in ALL}
_BY_NUMPY = {d.numpy: d for d in ALL if d is not bfloat16}
_BY_PYTYPE = {builtins.bool: bool_, int: int64, float: float64, complex: complex128}


def to_dtype(spec: Any) -> DType:
    """Interpret a dtype argument.

    Parameters
    ----------
    spec : DType, torch.dtype, numpy dtype or type, str, or Python type
        ``float`` means float64, ``int`` int64, ``complex`` complex128, as in NumPy.

    Raises
    ------
    TypeError
        If ``spec`` names a dtype hpa does not support (uint16, float128, object, ...).
    """
    if isinstance(spec, DType):
        return spec
    found = _BY_TORCH.get(spec) if isinstance(spec, torch.dtype) else None
    if found is None and isinstance(spec, type) and spec in _BY_PYTYPE:
        found = _BY_PYTYPE[spec]
    if found is None and isinstance(spec, str) and spec in _BY_NAME:
        found = _BY_NAME[spec]
    if found is None:
        try:
            found = _BY_NUMPY.get(np.dtype(spec))
        except TypeError:
            found = None
    if found is None:
        supported = ", ".join(d.name for d in ALL)
        raise TypeError(f"unsupported dtype {spec!r}; hpa supports {supported}")
    return found


def _numpy_promote(a: DType, b: DType) -> DType:
    def stand_in(d: DType) -> DType:
        return float16 if d is bfloat16 else d

    out = _BY_NUMPY[np.promote_types(stand_in(a).numpy, stand_in(b).numpy)]
    if bfloat16 in (a, b) and out is float16:
        # bfloat16 with itself, bool or 8-bit integers stays bfloat16; with float16, float32
        return float32 if float16 in (a, b) else bfloat16
    return out


_PROMOTE = {(a.torch, b.torch): _numpy_promote(a, b) for a in ALL for b in ALL}


def promote(a: DType, b: DType) -> DType:
    """NumPy's result dtype for two arrays of dtypes ``a`` and ``b``."""
    return _PROMOTE[a.torch, b.torch]


def is_weak_scalar(value: Any) -> builtins.bool:
    """Whether ``value`` is a Python scalar, which NEP 50 makes "weak" in promotion.

    NumPy scalars are strong even where they subclass a Python type (``numpy.float64`` is a
    ``float``): ``float32_array + numpy.float64(1)`` is float64.
    """
    return isinstance(value, (builtins.bool, int, float, complex)) and not isinstance(
        value, np.generic
    )


def promote_scalar(dtype: DType, scalar: Any) -> DType:
    """The result dtype of an array of ``dtype`` combined with a Python scalar (NEP 50)."""
    if isinstance(scalar, np.generic):
        return promote(dtype, to_dtype(scalar.dtype))
    if isinstance(scalar, builtins.bool):
        return dtype
    if isinstance(scalar, int):
        return int64 if dtype is bool_ else dtype
    if isinstance(scalar, float):
        return float64 if dtype.kind in "biu" else dtype
    if isinstance(scalar, complex):
        if dtype.kind == "c":
            return dtype
        return complex128 if dtype in (float64,) or dtype.kind in "biu" else complex64
    return promote(dtype, to_dtype(np.asarray(scalar).dtype))


def result_type(*args: Any) -> DType:
    """NumPy's result dtype of dtypes, arrays and scalars (scalars are weak)."""
    from hpa.core.array import Array

    dtypes: list[DType] = []
    scalars: list[Any] = []
    for a in args:
        if isinstance(a, Array):
            dtypes.append(a.dtype)
        elif is_weak_scalar(a):
            scalars.append(a)
        elif isinstance(a, (np.ndarray, np.generic, torch.Tensor)):
            dtypes.append(to_dtype(a.dtype))
        else:
            dtypes.append(to_dtype(a))
    if not dtypes:
        if not scalars:
            raise ValueError("result_type needs at least one argument")
        dtypes.append(to_dtype(type(scalars[0])))
        scalars = scalars[1:]
    out = dtypes[0]
    for d in dtypes[1:]:
        out = promote(out, d)
    for s in scalars:
        out = promote_scalar(out, s)
    return out


def can_cast(from_: Any, to: Any, casting: str = "safe") -> builtins.bool:
    """Whether NumPy would cast ``from_`` (a dtype or an array) to ``to`` under ``casting``."""
    src, dst = to_dtype(getattr(from_, "dtype", from_)), to_dtype(to)
    if casting == "unsafe":
        return True
    mode: Any = casting  # NumPy checks the name (its stubs want a literal)
    if bfloat16 in (src, dst):
        if src is dst or casting == "safe":
            return src is dst or promote(src, dst) is dst
        if casting == "same_kind":  # as float16 would; the two half types are of one kind
            half = [float16 if d is bfloat16 else d for d in (src, dst)]
            return builtins.bool(np.can_cast(half[0].numpy, half[1].numpy, casting=mode))
        return False
    return builtins.bool(np.can_cast(src.numpy, dst.numpy, casting=mode))
