"""Logic functions: infinities by sign, real/complex tests, whole-array equality, ``select``.

=============================  ======================================================
function                       collectives
=============================  ======================================================
isneginf, isposinf             none
iscomplex, isreal              none
iscomplexobj, isrealobj        none (the dtype decides)
array_equal, array_equiv       one ``allreduce`` of the verdict when the compared
                               elements are distributed, none when replicated (plus one
                               ``alltoallv`` when the operands are laid out differently)
select                         none for operands of one layout (or replicated); otherwise
                               the alignment of elementwise operands
=============================  ======================================================

The Python bools returned by ``array_equal`` and ``array_equiv`` are the same on every rank.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from hpa.core import dtypes
from hpa.core.align import align, broadcast_shapes, scalar_tensor
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.ops.creation import coerce, ones_like, zeros_like
from hpa.ops.elementwise import (
    aligned,
    equal,
    imag,
    isinf,
    isnan,
    logical_and,
    logical_or,
    not_equal,
    signbit,
    write_out,
)
from hpa.ops.reductions import all as all_of

__all__ = [
    "array_equal",
    "array_equiv",
    "iscomplex",
    "iscomplexobj",
    "isneginf",
    "isposinf",
    "isreal",
    "isrealobj",
    "select",
]


# ---------------------------------------------------------------------------- infinities
def _infinite_with_sign(x: Any, negative: bool, out: Array | None) -> Array:
    x = coerce(x)
    if x.dtype.kind == "c":
        raise TypeError(
            f"This operation is not supported for {x.dtype.name} values because it would be "
            "ambiguous."
        )
    if x.dtype.kind != "f":  # integers and bools are never infinite
        none = zeros_like(x, dtype=dtypes.bool_)
        return none if out is None else write_out(none.larray, none.layout, out)
    sign = signbit(x)
    return logical_and(isinf(x), sign if negative else ~sign, out=out)


@register()
def isneginf(x: Any, out: Array | None = None) -> Array:
    """Whether each element is negative infinity (NumPy's ``isneginf``).

    Parameters
    ----------
    x : array_like
        Real input; complex values raise TypeError, as in NumPy.
    out : Array, optional
        Receives the result.

    Returns
    -------
    Array
        Bool, laid out like ``x``; no communication.
    """
    return _infinite_with_sign(x, True, out)


@register()
def isposinf(x: Any, out: Array | None = None) -> Array:
    """Whether each element is positive infinity (NumPy's ``isposinf``).

    Parameters
    ----------
    x : array_like
        Real input; complex values raise TypeError, as in NumPy.
    out : Array, optional
        Receives the result.

    Returns
    -------
    Array
        Bool, laid out like ``x``; no communication.
    """
    return _infinite_with_sign(x, False, out)


# ---------------------------------------------------------------------------- real or complex
@register()
def iscomplex(x: Any) -> Array:
    """Whether each element has a non-zero imaginary part (NumPy's ``iscomplex``).

    Returns a bool array laid out like ``x``: all false unless ``x`` has a complex dtype.
    No communication.
    """
    x = coerce(x)
    if x.dtype.kind != "c":
        return zeros_like(x, dtype=dtypes.bool_)
    return not_equal(imag(x), 0)


@register()
def isreal(x: Any) -> Array:
    """Whether each element has a zero imaginary part (NumPy's ``isreal``).

    Returns a bool array laid out like ``x``: all true unless ``x`` has a complex dtype.
    No communication.
    """
    x = coerce(x)
    if x.dtype.kind != "c":
        return ones_like(x, dtype=dtypes.bool_)
    return equal(imag(x), 0)


def _dtype_of(x: Any) -> dtypes.DType:
    if isinstance(x, (Array, torch.Tensor)):
        return dtypes.to_dtype(x.dtype)
    if isinstance(x, dtypes.DType):
        return x
    found = getattr(x, "dtype", None)
    return dtypes.to_dtype(found if found is not None else np.asarray(x).dtype)


@register()
def iscomplexobj(x: Any) -> bool:
    """Whether ``x`` has a complex dtype, whatever its values (NumPy's ``iscomplexobj``).

    Python data is judged by the dtype NumPy gives it. No communication.
    """
    return _dtype_of(x).kind == "c"


@register()
def isrealobj(x: Any) -> bool:
    """Whether ``x`` has a non-complex dtype (NumPy's ``isrealobj``); no communication."""
    return not iscomplexobj(x)


# ---------------------------------------------------------------------------- equality
def _operands(a1: Any, a2: Any) -> tuple[Array, Array]:
    like = a1 if isinstance(a1, Array) else a2 if isinstance(a2, Array) else None
    return coerce(a1, like), coerce(a2, like)


def _all_equal(x: Array, y: Array, equal_nan: bool) -> bool:
    x, y = aligned(x, y)
    same = equal(x, y)
    if equal_nan and (x.dtype.kind in "fc" or y.dtype.kind in "fc"):
        same = logical_or(same, logical_and(isnan(x), isnan(y)))
    return bool(all_of(same))


@register()
def array_equal(a1: Any, a2: Any, equal_nan: bool = False) -> bool:
    """Whether two arrays have the same shape and the same elements (NumPy's ``array_equal``).

    Parameters
    ----------
    a1, a2 : array_like
        hpa arrays of any layout, or data.
    equal_nan : bool
        Count NaNs as equal (a complex value is NaN when either part is).

    Returns
    -------
    bool
        The same Python bool on every rank.

    Notes
    -----
    Different shapes give False without communication. Otherwise the elementwise comparison
    is local and the verdict costs one ``allreduce`` when it is distributed, none when both
    operands are replicated; operands laid out differently are aligned first (one
    ``alltoallv``).
    """
    try:
        x, y = _operands(a1, a2)
    except (TypeError, ValueError):
        return False
    if x.shape != y.shape:
        return False
    return _all_equal(x, y, equal_nan)


@register()
def array_equiv(a1: Any, a2: Any) -> bool:
    """Whether two arrays broadcast together and are equal everywhere (NumPy's
    ``array_equiv``).

    Shapes that do not broadcast give False without communication; otherwise the verdict costs
    one ``allreduce`` when it is distributed, none when both operands are replicated (plus
    the alignment of differently laid out operands, as for :func:`hpa.equal`). The Python
    bool returned is the same on every rank.
    """
    try:
        x, y = _operands(a1, a2)
        broadcast_shapes(x.shape, y.shape)
    except (TypeError, ValueError):
        return False
    return _all_equal(x, y, False)


# ---------------------------------------------------------------------------- select
_WEAK = (int, float, complex)  # exactly these types stay weak (NumPy's select; not bool)


def _choice(c: Any) -> Any:
    return c if isinstance(c, (Array, torch.Tensor)) or type(c) in _WEAK else np.asarray(c)


def _condition(c: Any) -> Any:
    return c if isinstance(c, (Array, torch.Tensor)) else np.asarray(c)


@register()
def select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Array:
    """Elements of the first choice whose condition holds, else ``default`` (NumPy's ``select``).

    Parameters
    ----------
    condlist : sequence of bool array_like
        The conditions; where several hold, the first one wins.
    choicelist : sequence of array_like
        One choice per condition.
    default : scalar or array_like
        The value where no condition holds.

    Returns
    -------
    Array
        The broadcast of all conditions, choices and ``default``, in their common dtype
        (Python scalars are weak, as in NumPy 2), laid out like elementwise operands are
        aligned (:mod:`hpa.core.align`).

    Raises
    ------
    ValueError
        For lists of different lengths, empty lists, or shapes that do not broadcast.
    TypeError
        For a condition that is not boolean.

    Notes
    -----
    Operands with one layout (or replicated) communicate nothing; others are aligned as
    elementwise operands are (one ``alltoallv`` for an operand split differently).
    """
    if len(condlist) != len(choicelist):
        raise ValueError("list of cases must be same length as list of conditions")
    if len(condlist) == 0:
        raise ValueError("select with an empty condition list is not possible")
    choices = [_choice(c) for c in (*choicelist, default)]
    conds = [_condition(c) for c in condlist]
    dtype = dtypes.result_type(*choices)
    broadcast_shapes(*(tuple(c.shape) for c in conds))
    broadcast_shapes((), *(tuple(c.shape) for c in choices if not isinstance(c, _WEAK)))
    for i, c in enumerate(conds):
        if dtypes.to_dtype(c.dtype) is not dtypes.bool_:
            raise TypeError(f"invalid entry {i} in condlist: should be boolean ndarray")
    operands: list[Any] = [*conds, *choices]
    if not any(isinstance(v, Array) for v in operands):
        operands[0] = coerce(operands[0])
    blocks, lay = align(operands)
    device = next(b.device for b in blocks if isinstance(b, torch.Tensor))
    values = [
        b.to(dtype.torch) if isinstance(b, torch.Tensor) else scalar_tensor(b, dtype.torch, device)
        for b in blocks[len(conds) :]
    ]
    result = values[-1]
    for cond, value in zip(reversed(blocks[: len(conds)]), reversed(values[:-1])):
        result = torch.where(cond, value, result)
    return Array(torch.broadcast_to(result, lay.lshape).contiguous(), lay)
