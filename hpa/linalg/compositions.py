"""Products and solvers composed of other ``hpa.linalg`` operations: ``multi_dot``,
``tensorinv``, ``tensorsolve`` (``numpy.linalg``), ``matvec`` and ``vecmat`` (NumPy 2.2's
gufuncs), and ``LinAlgError``, the exception every ``hpa.linalg`` operation raises
(``numpy.linalg.LinAlgError`` itself).

===============  =====================================================  =====================
function         how                                                    communication
===============  =====================================================  =====================
multi_dot        the cheapest order of the chain from the shapes alone   ``matmul``'s, per
                 (NumPy's dynamic programming), then :func:`matmul`     product (and ``out``:
                 pair by pair                                           the planner's)
tensorinv        :func:`reshape` to a square matrix, :func:`inv`,       ``reshape``'s and
                 :func:`reshape` back                                   ``inv``'s
tensorsolve      :func:`transpose` (``axes``), :func:`reshape` to a     ``reshape``'s and
                 square matrix, :func:`solve` with the raveled ``b``,   ``solve``'s
                 :func:`reshape` to the solution's shape
matvec, vecmat   :func:`matmul` of the stacks with the vectors as       ``matmul``'s
                 one-column (one-row, conjugated) matrices
===============  =====================================================  =====================

Every shape check is made from metadata, on every rank, before anything moves.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any

from hpa.core import dtypes
from hpa.core.align import broadcast_shapes
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.linalg.checks import LinAlgError, as_floating
from hpa.linalg.products import dot, matmul
from hpa.linalg.solvers import inv, solve
from hpa.ops.creation import coerce
from hpa.ops.elementwise import conj
from hpa.ops.manipulation import expand_dims, ravel, reshape, squeeze, transpose
from hpa.ops.tiling import copyto

__all__ = ["LinAlgError", "matvec", "multi_dot", "tensorinv", "tensorsolve", "vecmat"]

_NOT_ACCEPTABLE = (
    "output array is not acceptable (must have the right datatype, number of dimensions, and "
    "be a C-contiguous array)"
)


# ---------------------------------------------------------------------------- multi_dot
@register()
def multi_dot(arrays: Sequence[Any], *, out: Array | None = None) -> Array:
    """The product of two or more arrays in the cheapest order, as
    :func:`numpy.linalg.multi_dot`.

    Parameters
    ----------
    arrays : sequence of array_like
        Two arrays are multiplied by :func:`hpa.dot` (any dimensions). Three or more must be
        2-D, except the first and the last, which may be 1-D (a row and a column vector).
    out : Array, optional
        Receives the product: it must have the product's shape (2-D for three or more
        arrays, also when an end is 1-D) and dtype; it keeps its own layout.

    Returns
    -------
    Array
        The product (0-d when both ends are 1-D, 1-D when one is), laid out as the last
        :func:`hpa.matmul` makes it; ``out`` (or a view of it) when given.

    Raises
    ------
    ValueError
        Fewer than two arrays, inner dimensions that differ, or an unacceptable ``out``.
    numpy.linalg.LinAlgError
        A middle array (or an end) with the wrong number of dimensions.

    Notes
    -----
    The order minimises the scalar multiplications, by NumPy's dynamic programming over the
    shapes (metadata: every rank chooses the same order without communicating, NumPy's ties
    included). Each product communicates what :func:`hpa.matmul` does for its operands'
    splits; ``out`` adds the planner's move to its layout (none when the layouts agree).
    """
    n = len(arrays)
    if n < 2:
        raise ValueError("Expecting at least two arrays.")
    if n == 2:
        a, b = _operands(arrays)
        _check_out(out, _dot_shape(a, b), dtypes.result_type(a, b))
        return _into(dot(a, b), out)
    chain = _operands(arrays)
    first, last = chain[0].ndim, chain[-1].ndim
    if first == 1:
        chain[0] = expand_dims(chain[0], 0)
    if last == 1:
        chain[-1] = expand_dims(chain[-1], 1)
    for x in chain:
        if x.ndim != 2:
            raise LinAlgError(f"{x.ndim}-dimensional array given. Array must be two-dimensional")
    for x, y in zip(chain, chain[1:]):
        if x.shape[1] != y.shape[0]:
            raise ValueError(
                f"shapes {x.shape} and {y.shape} not aligned: {x.shape[1]} (dim 1) != "
                f"{y.shape[0]} (dim 0)"
            )
    _check_out(out, (chain[0].shape[0], chain[-1].shape[1]), dtypes.result_type(*chain))
    dims = [x.shape[0] for x in chain] + [chain[-1].shape[1]]
    result = _into(_product(chain, _chain_order(dims), 0, n - 1), out)
    vectors = tuple(axis for axis, nd in ((0, first), (1, last)) if nd == 1)
    return squeeze(result, vectors) if vectors else result


def _operands(arrays: Sequence[Any]) -> list[Array]:
    """The arrays as hpa arrays; data that are not joins the first array's device."""
    like = next((x for x in arrays if isinstance(x, Array)), None)
    return [coerce(x, like) for x in arrays]


def _dot_shape(a: Array, b: Array) -> tuple[int, ...]:
    """The shape of ``dot(a, b)``."""
    if a.ndim == 0 or b.ndim == 0:
        return broadcast_shapes(a.shape, b.shape)
    return a.shape[:-1] + b.shape[:-2] + b.shape[-1:] if b.ndim > 1 else a.shape[:-1]


def _check_out(out: Array | None, shape: tuple[int, ...], dtype: dtypes.DType) -> None:
    """NumPy's checks of ``dot``'s ``out``: an array of exactly the result's shape and dtype."""
    if out is None:
        return
    if not isinstance(out, Array):
        raise TypeError(f"multi_dot: out must be an hpa array, not {type(out).__name__}")
    if out.shape != shape or out.dtype != dtype:
        raise ValueError(_NOT_ACCEPTABLE)


def _into(result: Array, out: Array | None) -> Array:
    if out is None:
        return result
    copyto(out, result)
    return out


def _chain_order(dims: list[int]) -> list[list[int]]:
    """``order[i][j]``: where the cheapest product of matrices ``i..j`` splits (Cormen's matrix
    chain order, as NumPy computes it: float costs, the first of equal costs)."""
    n = len(dims) - 1
    cost = [[0.0] * n for _ in range(n)]
    order = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            cost[i][j] = math.inf
            for k in range(i, j):
                q = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if q < cost[i][j]:
                    cost[i][j] = q
                    order[i][j] = k
    return order


def _product(chain: list[Array], order: list[list[int]], i: int, j: int) -> Array:
    if i == j:
        return chain[i]
    k = order[i][j]
    return matmul(_product(chain, order, i, k), _product(chain, order, k + 1, j))


# ---------------------------------------------------------------------------- tensors
@register()
def tensorinv(a: Any, ind: int = 2) -> Array:
    """The inverse of ``a`` with respect to :func:`hpa.tensordot` over ``ind`` axes, as
    :func:`numpy.linalg.tensorinv`.

    Parameters
    ----------
    a : array_like
        ``prod(a.shape[:ind]) == prod(a.shape[ind:])``.
    ind : int
        Positive: how many leading axes make the rows of the equivalent matrix.

    Returns
    -------
    Array
        Of shape ``a.shape[ind:] + a.shape[:ind]``: ``tensordot(tensorinv(a, ind), a, ind)``
        is the identity.

    Raises
    ------
    ValueError
        ``ind`` not positive, or ``a.size`` not a multiple of the rows (as ``reshape``).
    TypeError
        A float16 or bfloat16 ``a``.
    numpy.linalg.LinAlgError
        The equivalent matrix is not square, or singular (on every rank).

    Notes
    -----
    Communicates what :func:`hpa.reshape` does to and from the ``(rows, -1)`` matrix (nothing
    for a replicated ``a``) and what :func:`hpa.linalg.inv` does for the matrix's split.
    """
    x = as_floating(coerce(a))
    ind = operator.index(ind)
    if ind <= 0:
        raise ValueError("Invalid ind argument.")
    shape = x.shape[ind:] + x.shape[:ind]
    rows = math.prod(x.shape[ind:])
    if rows and x.size % rows == 0 and x.size != rows * rows:  # else reshape raises
        raise LinAlgError("Last 2 dimensions of the array must be square")
    return reshape(inv(reshape(x, (rows, -1))), shape)


@register()
def tensorsolve(a: Any, b: Any, axes: Sequence[int] | None = None) -> Array:
    """The tensor ``x`` with ``tensordot(a, x, axes=x.ndim) == b``, as
    :func:`numpy.linalg.tensorsolve`.

    Parameters
    ----------
    a : array_like
        The coefficient tensor: its trailing axes (after ``b.ndim`` of them) are the unknowns',
        and ``prod`` of those equals ``b.size``.
    b : array_like
        The right-hand side.
    axes : sequence of int, optional
        Axes of ``a`` moved to the end first (NumPy's list semantics: non-negative, each once).

    Returns
    -------
    Array
        Of shape ``a.shape[b.ndim:]`` (after the move of ``axes``).

    Raises
    ------
    ValueError
        An axis that is not among ``a``'s (as ``list.remove``), or ``b`` of the wrong size.
    TypeError
        A float16 or bfloat16 ``a``.
    numpy.linalg.LinAlgError
        The shapes do not make a square system, or the matrix is singular (on every rank).

    Notes
    -----
    Communicates what :func:`hpa.transpose` and :func:`hpa.reshape` do to make the square
    matrix (nothing for a replicated ``a``), :func:`hpa.ravel`'s for ``b``, and what
    :func:`hpa.linalg.solve` does for the matrix's split.
    """
    x = as_floating(coerce(a))
    y = coerce(b, x)
    an = x.ndim
    if axes is not None:
        order = list(range(an))
        for k in axes:
            order.remove(k)
            order.insert(an, k)
        x = transpose(x, order)
    shape = x.shape[-(an - y.ndim) :]
    size = math.prod(shape)
    if x.size != size**2:
        raise LinAlgError(
            "Input arrays must satisfy the requirement "
            "prod(a.shape[b.ndim:]) == prod(a.shape[:b.ndim])"
        )
    if y.size != size:
        raise ValueError(
            "solve1: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
            f"signature (m,m),(m)->(m) (size {y.size} is different from {size})"
        )
    return reshape(solve(reshape(x, (size, size)), ravel(y)), shape)


# ---------------------------------------------------------------------------- gufuncs
@register()
def matvec(x1: Any, x2: Any, /) -> Array:
    """Matrix-vector products ``x1[..., i, :] @ x2[..., :]`` over broadcast stacks, as NumPy
    2.2's gufunc ``matvec`` (signature ``(m,n),(n)->(m)``).

    Parameters
    ----------
    x1 : array_like
        A matrix or a stack of them (at least 2-D).
    x2 : array_like
        A vector or a stack of them (at least 1-D); the stacks broadcast against each other.

    Returns
    -------
    Array
        Of shape ``broadcast(x1.shape[:-2], x2.shape[:-1]) + (m,)`` and NumPy's dtype.

    Raises
    ------
    ValueError
        Too few dimensions, core lengths that differ, or stacks that do not broadcast.

    Notes
    -----
    Computed as ``matmul(x1, x2[..., None])[..., 0]``: communicates what :func:`hpa.matmul`
    does for the splits (a split ``n`` axis: one ``allreduce``; a matrix split along ``m``
    with replicated vectors: none).
    """
    a, b = _operands((x1, x2))
    _core("matvec", "(m,n),(n)->(m)", (a, 2), (b, 1))
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(
            "matvec: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
            f"signature (m,n),(n)->(m) (size {b.shape[-1]} is different from {a.shape[-1]})"
        )
    broadcast_shapes(a.shape[:-2], b.shape[:-1])
    return squeeze(matmul(a, expand_dims(b, -1)), -1)


@register()
def vecmat(x1: Any, x2: Any, /) -> Array:
    """Vector-matrix products ``conj(x1[..., :]) @ x2[..., :, j]`` over broadcast stacks, as
    NumPy 2.2's gufunc ``vecmat`` (signature ``(n),(n,m)->(m)``; the vectors conjugated).

    Parameters
    ----------
    x1 : array_like
        A vector or a stack of them (at least 1-D), conjugated.
    x2 : array_like
        A matrix or a stack of them (at least 2-D); the stacks broadcast against each other.

    Returns
    -------
    Array
        Of shape ``broadcast(x1.shape[:-1], x2.shape[:-2]) + (m,)`` and NumPy's dtype.

    Raises
    ------
    ValueError
        Too few dimensions, core lengths that differ, or stacks that do not broadcast.

    Notes
    -----
    Computed as ``matmul(conj(x1)[..., None, :], x2)[..., 0, :]``: communicates what
    :func:`hpa.matmul` does for the splits (a split ``n`` axis: one ``allreduce``; a matrix
    split along ``m`` with replicated vectors: none).
    """
    a, b = _operands((x1, x2))
    _core("vecmat", "(n),(n,m)->(m)", (a, 1), (b, 2))
    if a.shape[-1] != b.shape[-2]:
        raise ValueError(
            "vecmat: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
            f"signature (n),(n,m)->(m) (size {b.shape[-2]} is different from {a.shape[-1]})"
        )
    broadcast_shapes(a.shape[:-1], b.shape[:-2])
    if a.dtype.kind == "c":
        a = conj(a)
    return squeeze(matmul(expand_dims(a, -2), b), -2)


def _core(name: str, signature: str, *operands: tuple[Array, int]) -> None:
    """NumPy's error for an operand with fewer dimensions than its gufunc core needs."""
    for i, (x, needed) in enumerate(operands):
        if x.ndim < needed:
            raise ValueError(
                f"{name}: Input operand {i} does not have enough dimensions (has {x.ndim}, "
                f"gufunc core with signature {signature} requires {needed})"
            )
