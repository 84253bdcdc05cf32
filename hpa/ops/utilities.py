"""NumPy's small utilities: index helpers, type queries, checked and iterator creation, ``block``.

=============================================  =================================================
function                                       communication
=============================================  =================================================
``s_``, ``index_exp``, ``ndindex``,            none (Python objects: slices and shape tuples)
``isscalar``, ``iterable``
:func:`common_type`, :func:`min_scalar_type`   none (dtypes only)
:func:`fromiter`, :func:`fromstring`           none (every rank parses the same data; the
                                               result is split as asked, each rank keeping its
                                               block)
:func:`asarray_chkfinite`                      one ``allreduce`` of a flag when the array is
                                               split, so every rank raises alike
:func:`block`                                  as :func:`hpa.concatenate` at each level
=============================================  =================================================
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.ops.creation import array, asarray
from hpa.ops.elementwise import isfinite
from hpa.ops.manipulation import concatenate, expand_dims
from hpa.ops.reductions import all as all_

__all__ = [
    "asarray_chkfinite",
    "block",
    "common_type",
    "fromiter",
    "fromstring",
    "index_exp",
    "isscalar",
    "iterable",
    "min_scalar_type",
    "ndindex",
    "s_",
]

# NumPy's own: they build slices, shape iterators and answers about Python objects, no arrays
s_ = np.s_
index_exp = np.index_exp
ndindex = np.ndindex
isscalar = np.isscalar
iterable = np.iterable


def common_type(*arrays: Any) -> dtypes.DType:
    """The floating dtype all ``arrays`` convert to without losing precision (NumPy's
    ``common_type``: integers count as float64, and any complex array makes it complex).

    Raises
    ------
    TypeError
        If an array is not numeric (bool arrays included, as in NumPy).
    """
    kinds = [dtypes.heat_type_of(a) for a in arrays]
    if any(d.kind == "b" for d in kinds):
        raise TypeError("can't get common type for non-numeric array")
    floats = [dtypes.float64 if d.kind in "iu" else d for d in kinds]
    out = floats[0]
    for d in floats[1:]:
        out = dtypes.promote(out, d)
    return dtypes.float16 if out is dtypes.bfloat16 else out


def min_scalar_type(a: Any) -> dtypes.DType:
    """The smallest dtype that holds the scalar ``a`` (NumPy's ``min_scalar_type``); an array
    gives its own dtype.

    Raises
    ------
    TypeError
        If NumPy's answer is a dtype hpa does not have (a huge integer needs object).
    """
    if isinstance(a, Array):
        return a.dtype
    return dtypes.to_dtype(np.min_scalar_type(a))


@register()
def asarray_chkfinite(
    a: Any, dtype: Any = None, order: str | None = None, *, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """:func:`hpa.asarray` that raises when ``a`` holds NaN or infinity (NumPy's
    ``asarray_chkfinite``). One ``allreduce`` of a flag when the result is split.

    Raises
    ------
    ValueError
        On every rank, if any element is not finite.
    """
    x = asarray(a, dtype=dtype, split=split, device=device, comm=comm)
    if x.dtype.kind in "fc" and not bool(all_(isfinite(x))):
        raise ValueError("array must not contain infs or NaNs")
    return x


@register()
def fromiter(
    iter: Iterable[Any], dtype: Any, count: int = -1, *, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """A 1-d array of the values of ``iter`` (NumPy's ``fromiter``). Every rank must iterate
    over the same values; it keeps its block of them. No communication."""
    values = np.fromiter(iter, dtype=dtypes.to_dtype(dtype).numpy, count=count)
    return array(values, dtype=dtype, split=split, device=device, comm=comm)


@register()
def fromstring(
    string: str, dtype: Any = float, count: int = -1, *, sep: str, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """A 1-d array of the numbers in ``string``, separated by ``sep`` (NumPy's ``fromstring``
    in text mode; its deprecated binary mode is not offered). No communication."""
    if not sep:
        raise ValueError("fromstring needs sep= (the binary mode is deprecated in NumPy)")
    values = np.fromstring(string, dtype=dtypes.to_dtype(dtype).numpy, count=count, sep=sep)
    return array(values, split=split, device=device, comm=comm)


@register()
def block(arrays: Any) -> Array:
    """An array assembled from nested lists of blocks (NumPy's ``block``): the innermost lists
    are joined along the last axis, the next ones along the second to last, and so on.
    Communicates what :func:`hpa.concatenate` does at each level.

    Raises
    ------
    ValueError
        If the lists are nested unevenly, or empty.
    TypeError
        If a tuple is given where NumPy wants lists.
    """
    depth = _depth(arrays)
    leaves = [asarray(a) if not isinstance(a, Array) else a for a in _leaves(arrays)]
    ndim = max(depth, *(a.ndim for a in leaves))
    return _assemble(arrays, depth, ndim)


def _depth(arrays: Any) -> int:
    if isinstance(arrays, tuple):
        raise TypeError("block takes nested lists, not tuples")
    if not isinstance(arrays, list):
        return 0
    if not arrays:
        raise ValueError("block: lists cannot be empty")
    depths = {_depth(a) for a in arrays}
    if len(depths) != 1:
        raise ValueError("block: list depths are mismatched")
    return depths.pop() + 1


def _leaves(arrays: Any) -> list[Any]:
    return [leaf for a in arrays for leaf in _leaves(a)] if isinstance(arrays, list) else [arrays]


def _assemble(arrays: Any, depth: int, ndim: int) -> Array:
    if depth == 0:
        x = arrays if isinstance(arrays, Array) else asarray(arrays)
        return expand_dims(x, tuple(range(ndim - x.ndim))) if x.ndim < ndim else x
    parts: Sequence[Array] = [_assemble(a, depth - 1, ndim) for a in arrays]
    return concatenate(parts, axis=-depth)
