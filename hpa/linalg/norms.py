"""Norms and matrix properties: ``norm``, ``vector_norm``, ``matrix_norm``, ``det``, ``slogdet``,
``matrix_rank`` and ``cond`` (``numpy.linalg`` semantics, Array API names).

=======================  ==================================================  ====================
function                 algorithm                                           collectives
=======================  ==================================================  ====================
vector norms, Frobenius  local sums/extrema of ``|x|`` (powers), then the    one ``allreduce``
and 1/inf matrix norms   reductions of :mod:`hpa.ops.reductions`              per reduction over
                                                                             the split axis
2, -2, nuc norms,        singular values from :func:`hpa.linalg.svdvals`     one ``allgatherv``
``matrix_rank``,         (TSQR for a split matrix)                           (+ ``alltoallv``)
``cond`` (2-norm)
``det``, ``slogdet``     a split 2-D matrix: the distributed LU of            ``lu_factor``'s +
                         :func:`hpa.linalg.lu_factor`, ``U``'s diagonal      one ``allgatherv``
                         gathered; stacks local                              of ``n`` values
other ``cond`` orders    ``norm(A) * norm(inv(A))``, the distributed         ``inv``'s
                         :func:`hpa.linalg.inv`
=======================  ==================================================  ====================

A result that reduces over the split axis is replicated; otherwise it keeps the split of the
input's remaining axes.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import torch

from hpa.core.array import Array
from hpa.core.layout import Layout, normalize_axis
from hpa.ops import reductions
from hpa.linalg.checks import (
    LinAlgError,
    as_floating,
    as_matrix,
    as_square,
    local_stack,
    stack_array,
    threshold,
)
from hpa.linalg.elimination import determinant, distributed
from hpa.linalg.factorizations import svdvals
from hpa.ops.manipulation import expand_dims, moveaxis, squeeze
from hpa.ops.creation import coerce

__all__ = ["cond", "det", "matrix_norm", "matrix_rank", "norm", "slogdet", "vector_norm"]

_WORDS = ("fro", "f", "nuc")
_NUMBERS = (1, -1, 2, -2, math.inf, -math.inf)


class SlogdetResult(NamedTuple):
    sign: Array
    logabsdet: Array


def _local(a: Array, fn: Any) -> Array:
    return Array(fn(a.larray), a.layout)


def vector_norm(
    x: Any, /, *, axis: int | tuple[int, ...] | None = None, keepdims: bool = False,
    ord: float = 2,
) -> Array:  # fmt: skip
    """Vector norm of ``x`` over ``axis`` (all axes by default), like the Array API.

    ``ord`` is any real number or ``+-inf``; ``0`` counts the non-zero entries. The local
    blocks are reduced with the sums, maxima or minima of :mod:`hpa.ops.reductions`, which
    communicate one ``allreduce`` when ``axis`` covers the split axis (then the result is
    replicated) and nothing otherwise (then the result keeps the split). The result is real.
    """
    a = as_floating(coerce(x))
    mag = _local(a, torch.abs)
    if ord == math.inf:
        return reductions.max(mag, axis=axis, keepdims=keepdims)
    if ord == -math.inf:
        return reductions.min(mag, axis=axis, keepdims=keepdims)
    if ord == 0:
        nonzero = _local(mag, lambda t: (t != 0).to(t.dtype))
        return reductions.sum(nonzero, axis=axis, keepdims=keepdims)
    if ord == 1:
        return reductions.sum(mag, axis=axis, keepdims=keepdims)
    total = reductions.sum(_local(mag, lambda t: t**ord), axis=axis, keepdims=keepdims)
    return _local(total, torch.sqrt if ord == 2 else lambda t: t ** (1.0 / ord))


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Array:
    """Matrix norm over the last two axes, like the Array API (``ord`` as in :func:`norm`).

    ``"fro"``, ``1``, ``-1``, ``inf`` and ``-inf`` are sums and extrema of ``|x|``: one
    ``allreduce`` per reduction over the split axis, none otherwise. ``2``, ``-2`` and
    ``"nuc"`` come from :func:`hpa.linalg.svdvals`, which communicates one ``allgatherv``
    (TSQR) for a split matrix. Reducing over the split axis gives a replicated result.
    """
    a = as_matrix(x)
    return _matrix_norm(a, ord, (a.ndim - 2, a.ndim - 1), keepdims)


def norm(
    x: Any, ord: Any = None, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Array:
    """Matrix or vector norm, like ``numpy.linalg.norm``.

    ``axis=None`` with ``ord=None`` is the 2-norm of the flattened array; a single axis gives
    vector norms (:func:`vector_norm`), two axes matrix norms (:func:`matrix_norm`'s orders
    ``"fro"``, ``"nuc"``, ``+-1``, ``+-2``, ``+-inf``). What is communicated follows from
    those: one ``allreduce`` per reduction over the split axis, one ``allgatherv`` for the
    singular values of a split matrix (orders 2, -2, ``"nuc"``).
    """
    a = as_floating(coerce(x))
    nd = a.ndim
    if axis is None:
        if ord is None or (ord in ("f", "fro") and nd == 2) or (ord == 2 and nd == 1):
            return vector_norm(a, keepdims=keepdims)
        if nd > 2:
            raise ValueError("Improper number of dimensions to norm.")
        axis = tuple(range(nd))
    axes = (axis,) if not isinstance(axis, tuple) else axis
    axes = tuple(normalize_axis(int(ax), nd) for ax in axes)
    if len(axes) == 1:
        if isinstance(ord, str):
            raise ValueError(f"Invalid norm order '{ord}' for vectors")
        return vector_norm(a, axis=axes, keepdims=keepdims, ord=2 if ord is None else ord)
    if len(axes) == 2:
        if axes[0] == axes[1]:
            raise ValueError("Duplicate axes given.")
        return _matrix_norm(a, "fro" if ord is None else ord, axes, keepdims)
    raise ValueError("Improper number of dimensions to norm.")


def _matrix_norm(a: Array, ord: Any, axes: tuple[int, int], keepdims: bool) -> Array:
    """Matrix norm of ``a`` over (row axis, column axis) ``axes``."""
    if ord not in (_WORDS if isinstance(ord, str) else _NUMBERS):
        raise ValueError("Invalid norm order for matrices.")
    row, col = axes
    if ord in ("fro", "f"):
        return vector_norm(a, axis=axes, keepdims=keepdims)
    if ord in (1, -1, math.inf, -math.inf):
        inner, outer = (row, col) if ord in (1, -1) else (col, row)
        sums = reductions.sum(_local(a, torch.abs), axis=inner, keepdims=True)
        pick = reductions.max if ord > 0 else reductions.min
        out = pick(sums, axis=outer, keepdims=True)
    else:
        s = svdvals(moveaxis(a, (row, col), (-2, -1)))
        fn = {"nuc": reductions.sum, 2: reductions.max, -2: reductions.min}[ord]
        out = expand_dims(fn(s, axis=-1), tuple(sorted(axes)))
    return out if keepdims else squeeze(out, axis=axes)


def det(a: Any, /) -> Array:
    """Determinant of a square matrix or of each of a stack, like ``numpy.linalg.det``.

    LU with partial pivoting. A split 2-D matrix at more than one process: the distributed LU
    of :func:`hpa.linalg.lu_factor` (never gathered), then ``U``'s diagonal gathered (one
    ``allgatherv`` of ``n`` values); the result is replicated. Stacks are local (no
    communication; split like the stack's batch axes; a stack split along a matrix axis first
    moves to split 0, one ``alltoallv``).
    """
    a = as_square(a)
    if distributed(a):
        diag, sign, _ = determinant(a)
        return _scalar(sign * diag.prod(), a)
    t, lay = local_stack(a)
    return stack_array(torch.linalg.det(t), lay)


def _scalar(t: torch.Tensor, a: Array) -> Array:
    return Array(t.to(a.larray.device), Layout((), None, a.comm))


def slogdet(a: Any, /) -> SlogdetResult:
    """Sign and natural log of the absolute determinant, like ``numpy.linalg.slogdet``.

    Communicates as :func:`det` (a split 2-D matrix: the distributed LU and ``n`` values
    gathered; results replicated), nothing for stacks (results split like the batch).
    """
    a = as_square(a)
    if distributed(a):
        diag, sign, zero = determinant(a)
        size = diag.abs()
        phase = sign * (diag / size).prod() if not zero else torch.zeros_like(sign)
        logabs = size.log().sum() if not zero else torch.tensor(-math.inf, dtype=size.dtype)
        return SlogdetResult(_scalar(phase, a), _scalar(logabs, a))
    t, lay = local_stack(a)
    sign, logabs = torch.linalg.slogdet(t)
    return SlogdetResult(stack_array(sign, lay), stack_array(logabs, lay))


def matrix_rank(
    A: Any, tol: Any = None, hermitian: bool = False, *, rtol: Any = None
) -> Array:  # fmt: skip
    """Number of singular values above ``tol``, like ``numpy.linalg.matrix_rank``.

    By default ``tol = S.max() * max(m, n) * eps``; ``rtol`` scales ``S.max()`` instead.
    ``tol``/``rtol`` are scalars (or arrays broadcasting against a replicated stack).
    ``hermitian`` is accepted for NumPy compatibility. The singular values come from
    :func:`hpa.linalg.svdvals`: one ``allgatherv`` (TSQR) for a split matrix. A 1-D input has
    rank 1 unless all zero (one ``allreduce`` when split). The result is an int64 array.
    """
    a = as_floating(coerce(A))
    if a.ndim < 2:
        nonzero = reductions.any(_local(a, lambda t: t != 0))
        return Array(nonzero.larray.to(torch.int64), nonzero.layout)
    s = svdvals(a)
    t = s.larray
    if tol is None:
        scale = max(a.shape[-2:]) * torch.finfo(t.dtype).eps if rtol is None else rtol
        top = t.amax(-1, keepdim=True) if t.shape[-1] else t.new_zeros((*t.shape[:-1], 1))
        limit = threshold(scale, t) * top
    else:
        limit = threshold(tol, t)
    ranks = (t > limit).sum(-1)
    shape = s.shape[:-1]
    return Array(ranks, Layout(shape, s.split, s.comm, s.counts))


def cond(x: Any, p: Any = None) -> Array:
    """Condition number of a matrix (or a stack) in the norm ``p``, like ``numpy.linalg.cond``.

    ``p`` None, 2, -2: ratio of extreme singular values from :func:`hpa.linalg.svdvals` (one
    ``allgatherv`` for a split matrix). Other orders (``"fro"``, ``"nuc"``, ``+-1``,
    ``+-inf``): ``norm(A) * norm(inv(A))``, with the distributed :func:`hpa.linalg.inv` for a
    split matrix (the result is replicated); a singular matrix gives ``inf``.
    """
    a = as_matrix(x)
    if p in (None, 2, -2):
        s = svdvals(a)
        t = s.larray
        r = t[..., 0] / t[..., -1] if p != -2 else t[..., -1] / t[..., 0]
        return Array(r, Layout(s.shape[:-1], s.split, s.comm, s.counts))
    a = as_square(a)
    order = "fro" if p == "f" else p
    if distributed(a):
        from hpa.linalg.solvers import inv as inverse  # solvers imports this module

        try:
            ainv = inverse(a)
        except LinAlgError:  # raised on every rank alike
            return _scalar(torch.tensor(math.inf, dtype=a.larray.real.dtype), a)
        return matrix_norm(a, ord=order) * matrix_norm(ainv, ord=order)
    t, lay = local_stack(a)
    inv, info = torch.linalg.inv_ex(t)
    r = torch.linalg.matrix_norm(t, order) * torch.linalg.matrix_norm(inv, order)
    return stack_array(r.masked_fill(info != 0, math.inf), lay)
