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
    "DTypeCategory",
    "complexfloating",
    "canonical_heat_type",
    "flexible",
    "floating",
    "generic",
    "heat_type_is_complexfloating",
    "heat_type_is_exact",
    "heat_type_is_inexact",
    "heat_type_is_realfloating",
    "heat_type_of",
    "inexact",
    "integer",
    "number",
    "signedinteger",
    "unsignedinteger",
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
    "issubdtype",
    "promote",
    "promote_types",
    "promote_scalar",
    "result_type",
    "to_dtype",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
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

    def __str__(self) -> str:
        return self.name  # as NumPy's: print(x.dtype) shows float64

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

    def __call__(self, value: Any = 0) -> Any:
        """Convert like NumPy's scalar types: ``hpa.float64(1.5)`` is ``numpy.float64(1.5)``.

        A scalar gives a NumPy scalar of this dtype (bfloat16, which NumPy lacks, gives a 0-d
        hpa array); anything else (a sequence, a NumPy or hpa array) gives an hpa array of this
        dtype, as ``hpa.asarray(value, dtype=self)`` does (an hpa array keeps its layout).
        No communication.
        """
        from hpa.core.array import Array
        from hpa.core.dispatch import OPS

        if isinstance(value, Array):
            return value.astype(self)
        scalar = isinstance(value, (builtins.bool, int, float, complex, str, np.generic))
        if scalar and self is not bfloat16:
            return self.numpy.type(value)
        return OPS["asarray"](value, dtype=self)

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype, so that ``np.dtype(hpa.float64)`` and ``np.zeros(3, x.dtype)``
        work (float32 stands in for bfloat16)."""
        return self.numpy

    @property
    def type(self) -> DType:
        """The dtype itself (NumPy's ``dtype.type``, so ``x.dtype.type(1)`` converts)."""
        return self

    @property
    def char(self) -> str:
        """NumPy's one-character code of the dtype (float32's for bfloat16)."""
        return self.numpy.char

    @property
    def str(self) -> builtins.str:
        """NumPy's array-protocol type string (``"<f8"``; float32's for bfloat16)."""
        return self.numpy.str


bool_ = DType("bool", torch.bool, np.bool_, "b")
int8 = DType("int8", torch.int8, np.int8, "i")
int16 = DType("int16", torch.int16, np.int16, "i")
int32 = DType("int32", torch.int32, np.int32, "i")
int64 = DType("int64", torch.int64, np.int64, "i")
uint8 = DType("uint8", torch.uint8, np.uint8, "u")
uint16 = DType("uint16", torch.uint16, np.uint16, "u")
uint32 = DType("uint32", torch.uint32, np.uint32, "u")
uint64 = DType("uint64", torch.uint64, np.uint64, "u")
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
    uint16,
    uint32,
    uint64,
    float16,
    bfloat16,
    float32,
    float64,
    complex64,
    complex128,
)
# torch stores these unsigned types but has few kernels for them (no add, no comparison):
# operations compute in the signed type that holds every value (uint64: see ``kernel_dtype``)
WIDER_SIGNED = {uint16: int32, uint32: int64, uint64: int64}
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
        If ``spec`` names a dtype hpa does not support (float128, object, str, ...).
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
    src = to_dtype(from_ if isinstance(from_, DType) else getattr(from_, "dtype", from_))
    dst = to_dtype(to)
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


def promote_types(type1: Any, type2: Any) -> DType:
    """NumPy's ``promote_types``: the smallest dtype both ``type1`` and ``type2`` cast to safely.

    Raises
    ------
    TypeError
        If either is not a dtype hpa supports.
    """
    return promote(to_dtype(type1), to_dtype(type2))


class DTypeCategory:
    """An abstract group of dtypes, as NumPy's ``np.floating`` or ``np.integer``: the second
    argument of :func:`issubdtype`.

    Attributes
    ----------
    name : str
        NumPy's name of the group.
    kinds : str
        The :attr:`DType.kind` letters of its members.
    """

    __slots__ = ("kinds", "name")

    def __init__(self, name: str, kinds: str) -> None:
        self.name = name
        self.kinds = kinds

    def __repr__(self) -> str:
        return f"hpa.{self.name}"


generic = DTypeCategory("generic", "biufc")
number = DTypeCategory("number", "iufc")
integer = DTypeCategory("integer", "iu")
signedinteger = DTypeCategory("signedinteger", "i")
unsignedinteger = DTypeCategory("unsignedinteger", "u")
inexact = DTypeCategory("inexact", "fc")
floating = DTypeCategory("floating", "f")
complexfloating = DTypeCategory("complexfloating", "c")
flexible = DTypeCategory("flexible", "")  # NumPy's strings and void: no hpa dtype belongs
_CATEGORIES = (
    generic, number, integer, signedinteger, unsignedinteger, inexact, floating,
    complexfloating, flexible,
)  # fmt: skip
_NUMPY_CATEGORIES = {getattr(np, c.name): c for c in _CATEGORIES}


def _as_group(spec: Any) -> DTypeCategory | DType:
    if isinstance(spec, DTypeCategory):
        return spec
    if isinstance(spec, type) and spec in _NUMPY_CATEGORIES:
        return _NUMPY_CATEGORIES[spec]
    if isinstance(spec, (type, DType)):
        return to_dtype(spec)
    return to_dtype(getattr(spec, "dtype", spec))


def issubdtype(arg1: Any, arg2: Any) -> builtins.bool:
    """NumPy's ``issubdtype``: whether ``arg1`` is ``arg2`` or belongs to the group ``arg2``.

    Parameters
    ----------
    arg1 : dtype-like or DTypeCategory
        An hpa, NumPy or torch dtype, a Python type, a name, or a group such as
        :data:`hpa.floating`.
    arg2 : dtype-like or DTypeCategory
        A dtype (then the answer is equality) or a group (``hpa.number``, ``hpa.integer``,
        ``hpa.floating``, ... or NumPy's ``np.floating`` and friends).

    Raises
    ------
    TypeError
        If an argument is neither a group nor a dtype hpa supports.
    """
    first, second = _as_group(arg1), _as_group(arg2)
    if isinstance(second, DType):
        return first is second
    if isinstance(first, DType):
        return first.kind in second.kinds
    return set(first.kinds) <= set(second.kinds)


# HeAT's names for dtype queries
def canonical_heat_type(a_type: Any) -> DType:
    """The hpa dtype of a dtype-like ``a_type`` (HeAT's ``canonical_heat_type``; see
    :func:`to_dtype`)."""
    return to_dtype(a_type)


def heat_type_of(obj: Any) -> DType:
    """The hpa dtype of an array, tensor, scalar or sequence (HeAT's ``heat_type_of``)."""
    from hpa.core.array import Array

    if isinstance(obj, (Array, np.ndarray, np.generic, torch.Tensor)):
        return to_dtype(obj.dtype)
    if is_weak_scalar(obj):
        return to_dtype(type(obj))
    return to_dtype(np.asarray(obj).dtype)


def heat_type_is_exact(ht_dtype: Any) -> builtins.bool:
    """Whether the dtype is exact: bool or an integer (HeAT's ``heat_type_is_exact``)."""
    return to_dtype(ht_dtype).kind in "biu"


def heat_type_is_inexact(ht_dtype: Any) -> builtins.bool:
    """Whether the dtype is floating or complex (HeAT's ``heat_type_is_inexact``)."""
    return to_dtype(ht_dtype).kind in "fc"


def heat_type_is_realfloating(ht_dtype: Any) -> builtins.bool:
    """Whether the dtype is real floating (HeAT's ``heat_type_is_realfloating``)."""
    return to_dtype(ht_dtype).kind == "f"


def heat_type_is_complexfloating(ht_dtype: Any) -> builtins.bool:
    """Whether the dtype is complex (HeAT's ``heat_type_is_complexfloating``)."""
    return to_dtype(ht_dtype).kind == "c"

