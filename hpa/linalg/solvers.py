"""Solvers: ``solve``, ``solve_triangular``, ``inv``, ``lstsq``, ``pinv`` (``numpy.linalg`` and
``scipy.linalg`` semantics) and the iterative ``cg`` and ``lanczos`` (HeAT's names, SciPy's
stopping rule for ``cg``).

=====================  ====================================================  ===================
function               algorithm                                             collectives
=====================  ====================================================  ===================
``solve``, ``inv``     a split 2-D ``A`` at more than one process: LU with     one ``alltoallv``,
                       partial pivoting on round-robin column panels, then    ``3 n / b``
                       two triangular sweeps (:mod:`.elimination`)            ``bcast`` of one
                                                                              panel
``solve_triangular``   the triangular sweep on ``A``'s panels                 ``n / b`` ``bcast``
replicated ``A``       LU / triangular solve by torch on every rank           none
``lstsq``, ``pinv``    SVD of :func:`hpa.linalg.svd` (TSQR along the long     ``svd``'s + one
                       axis), ``U^H b`` summed over the row blocks            ``allreduce`` each
                                                                              for ``U^H b`` and
                                                                              the residuals
``cg``, ``lanczos``    products with the split ``A``: rows split gathers      per iteration: one
                       the vector, columns split reduce-scatters the partial  ``allgatherv`` or
                       products; dot products summed                          ``reduce_scatter``
                                                                              + ``allreduce``
stacks                 torch on the local matrices                            none
=====================  ====================================================  ===================

The right-hand sides of a distributed solve: replicated, each rank solves all of them;
split along columns, each rank its own; split along rows, gathered when there are at most ``b``
of them (one ``allgatherv``, the solution sliced back), else moved to columns and back (one
``alltoallv`` each). Data-dependent errors (a singular matrix) are announced in the panel
broadcasts, or agreed with one ``allreduce`` when a stack is split, so every rank raises.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import torch

from hpa.core.align import broadcast_shapes
from hpa.core.array import Array
from hpa.core.layout import Layout
from hpa.core.exchange import Partial, gather_blocks
from hpa.linalg.checks import (
    LinAlgError,
    agree,
    as_floating,
    as_matrix,
    as_square,
    block_of,
    like_input,
    local_stack,
    sliced,
    stack_array,
    summed,
    threshold,
    whole,
)
from hpa.linalg import elimination
from hpa.linalg.elimination import distributed, with_rhs
from hpa.linalg.factorizations import svd
from hpa.linalg.panels import to_panels
from hpa.linalg.triangular import check_diagonal, sweep
from hpa.linalg.products import matmul
from hpa.ops.creation import coerce
from hpa.ops.elementwise import conj
from hpa.ops.manipulation import matrix_transpose

__all__ = ["cg", "inv", "lanczos", "lstsq", "pinv", "solve", "solve_triangular"]

_UNSET: Any = object()


class LstsqResult(NamedTuple):
    x: Array
    residuals: Array
    rank: int
    s: Array


# ---------------------------------------------------------------------- direct solvers
def _common(a: Array, b: Array) -> tuple[Array, Array]:
    """``a`` and ``b`` in their common floating dtype."""
    dt = torch.promote_types(a.larray.dtype, b.larray.dtype)
    return Array(a.larray.to(dt), a.layout), Array(b.larray.to(dt), b.layout)


Local = Callable[[torch.Tensor, torch.Tensor, Layout], torch.Tensor]


def _direct(a: Any, b: Any, local: Local) -> Array:
    """Solve ``A X = B`` with ``local(A stack, B block, stack layout)``; where the sides go.

    ``A``'s stack is whole on every rank (a split 2-D ``A``, or a split stack ``A`` that ``B``
    does not share, is gathered: one ``allgatherv``).
    ``B`` split along columns, along batch axes ``A`` broadcasts over, or not split, is solved
    locally and ``X`` keeps its layout; a stack ``A`` split along a batch axis takes ``B`` to its
    blocks; otherwise ``B`` is gathered (one ``allgatherv``) and ``X`` sliced back to ``B``'s
    layout.
    """
    sq = as_square(a)
    a, b = _common(sq, as_floating(coerce(b, sq)))
    vector = b.ndim == 1
    _fits(a, b)
    batch = broadcast_shapes(a.shape[:-2], () if vector else b.shape[:-2])
    xshape = batch + b.shape[-1 if vector else -2 :]
    same_batch = b.ndim == a.ndim and b.shape[:-2] == a.shape[:-2]
    if a.ndim > 2 and a.split is not None and not same_batch:  # b broadcasts over the stack
        a = Array(whole(a), a.layout.with_split(None))
    t, lay = local_stack(a)
    if lay.split is not None:  # a stack split along a batch axis: b's blocks follow
        target = Layout(b.shape, lay.split, b.comm, lay.counts)
        return Array(local(t, block_of(b, target), lay), target)
    in_place = b.split is None or b.split == b.ndim - 1 or (a.ndim == 2 and b.split < b.ndim - 2)
    if xshape == b.shape and in_place and not (vector and b.split is not None):
        return Array(_vec(local, t, b.larray, lay, vector), b.layout)
    x = _vec(local, t, whole(b), lay, vector)
    return sliced(x, b.split, b.counts, b.comm) if xshape == b.shape else _out_full(x, b)


def _vec(local: Local, a: torch.Tensor, b: torch.Tensor, lay: Layout, vector: bool) -> torch.Tensor:
    return local(a, b[:, None], lay)[..., 0] if vector else local(a, b, lay)


def _out_full(x: torch.Tensor, b: Array) -> Array:
    return Array(x, Layout(tuple(x.shape), None, b.comm))


def solve(a: Any, b: Any) -> Array:
    """Solve ``A x = b`` for square ``A``, like ``numpy.linalg.solve`` (NumPy 2: a 1-D ``b`` is
    one vector, otherwise ``b`` is ``(..., n, k)``).

    LU with partial pivoting. A split 2-D ``A`` at more than one process is never gathered:
    :func:`hpa.linalg.lu_factor`'s distributed LU (one ``alltoallv`` to round-robin column
    panels, one ``bcast`` per panel of width ``b``), then two triangular sweeps over ``b``
    (one ``bcast`` per panel each). ``x`` takes ``b``'s layout; ``b`` moves as the module
    says. Replicated ``A``: torch on every rank, ``b`` split along its columns (or batch axes
    of a 2-D ``A``) solved locally, split along its rows gathered (one ``allgatherv``) and
    ``x`` sliced back. A stack ``A`` split along a batch axis takes ``b`` to its blocks (one
    ``alltoallv`` unless ``b`` is already there) and agrees on singularity with one
    ``allreduce``.

    Raises
    ------
    numpy.linalg.LinAlgError
        On every rank, when ``A`` (or a matrix of the stack) is singular.
    """
    sq = as_square(a)
    if distributed(sq):
        a, rhs = _common(sq, as_floating(coerce(b, sq)))
        _fits(a, rhs)
        return elimination.solve(a, rhs)
    return _direct(a, b, _lu_solve)


def _fits(a: Array, b: Array) -> None:
    n = a.shape[-1]
    if b.shape[0 if b.ndim == 1 else -2] != n:
        raise ValueError(f"solve: right-hand side of shape {b.shape} does not fit {a.shape}")


def _lu_solve(t: torch.Tensor, rhs: torch.Tensor, lay: Layout) -> torch.Tensor:
    lu, piv, info = torch.linalg.lu_factor_ex(t)
    if agree(info != 0, lay):
        raise LinAlgError("Singular matrix")
    return torch.linalg.lu_solve(lu, piv, rhs)


def solve_triangular(
    a: Any, b: Any, trans: int | str = 0, lower: bool = False, unit_diagonal: bool = False
) -> Array:
    """Solve ``A x = b`` (``trans``: 0/"N", ``A^T x = b``: 1/"T", ``A^H x = b``: 2/"C") for
    triangular ``A``, like ``scipy.linalg.solve_triangular``; only ``A``'s ``lower`` (or upper)
    triangle is read.

    A split 2-D ``A`` at more than one process: dealt to round-robin column panels (of
    ``A^T`` for ``trans``; one ``alltoallv``), zero diagonal entries looked for (one
    ``allreduce``), then one sweep, one ``bcast`` per panel; ``x`` takes ``b``'s layout, ``b``
    moving as in :func:`solve`. Replicated ``A``: torch on every rank.

    Raises
    ------
    numpy.linalg.LinAlgError
        On every rank, when a diagonal entry is zero (and ``unit_diagonal`` is False).
    """
    mode = {0: 0, "N": 0, 1: 1, "T": 1, 2: 2, "C": 2}.get(trans)
    if mode is None:
        raise ValueError("Unknown trans value")
    sq = as_square(a)
    if distributed(sq):
        t, rhs = _common(sq, as_floating(coerce(b, sq)))
        _fits(t, rhs)
        pan = to_panels(t, transpose=mode != 0)  # the panels hold op(A)
        if mode == 2:
            pan.local.conj_physical_()
        if not unit_diagonal:
            check_diagonal(pan)
        up = lower if mode else not lower
        return with_rhs(rhs, t.shape[0], pan.b, lambda x: sweep(pan, x, not up, unit_diagonal))

    def local(t: torch.Tensor, rhs: torch.Tensor, lay: Layout) -> torch.Tensor:
        zero = (t.diagonal(dim1=-2, dim2=-1) == 0).any(-1)
        if not unit_diagonal and agree(zero, lay):
            raise LinAlgError("singular matrix: resolution failed at a zero diagonal entry")
        t = t.tril() if lower else t.triu()
        t = t if mode == 0 else (t.mT if mode == 1 else t.mH)
        up = lower if mode else not lower
        return torch.linalg.solve_triangular(t, rhs, upper=up, unitriangular=unit_diagonal)

    return _direct(a, b, local)


def inv(a: Any) -> Array:
    """Inverse of a square matrix (or each of a stack), like ``numpy.linalg.inv``.

    A split 2-D matrix at more than one process: the distributed LU of :func:`solve`, then
    each rank solves for its own columns of the identity (two sweeps, one ``bcast`` per panel
    each); the inverse is laid out like the input (split 0 computes split 1 and moves, one
    ``alltoallv``). Replicated matrices: torch on every rank. Stacks are local (a stack split
    along a matrix axis first moves to split 0, one ``alltoallv``; one ``allreduce`` agrees
    on singularity).

    Raises
    ------
    numpy.linalg.LinAlgError
        On every rank, when a matrix is singular.
    """
    a = as_square(a)
    if distributed(a):
        return elimination.inverse(a)
    t, lay = local_stack(a)
    res, info = torch.linalg.inv_ex(t)
    if agree(info != 0, lay):
        raise LinAlgError("Singular matrix")
    return like_input(res, a, lay)


# ---------------------------------------------------------------------- SVD-based
def lstsq(a: Any, b: Any, rcond: float | None = None) -> LstsqResult:
    """Least-squares solution of ``A x = b``, like ``numpy.linalg.lstsq``.

    Returns ``(x, residuals, rank, s)``: ``residuals`` are the squared 2-norms of ``b - A x``
    per column when ``rank == n < m`` (else empty), ``s`` the singular values (replicated).
    Singular values below ``rcond * s.max()`` (default ``eps * max(m, n)``) count as zero.

    Via :func:`svd` (TSQR along the long axis: one ``allgatherv``, plus one ``alltoallv`` when
    ``A`` is split along its short axis). Tall (``m > n``) and split: ``U^H b`` is summed over
    the row blocks (``b`` taken to ``U``'s rows, one ``allreduce``), ``x`` is replicated, and
    the residuals ``|b - U U^H b|^2`` cost one more ``allreduce``. Short-fat or square and
    split: ``b`` is gathered (one ``allgatherv`` when split) and ``x`` comes back split 0 with
    ``Vh``'s column extents. Replicated ``A``: local, nothing communicated.
    """
    mat = as_matrix(a)
    a, b = _common(mat, as_floating(coerce(b, mat)))
    if a.ndim != 2 or b.ndim > 2:
        raise LinAlgError("lstsq needs a 2-D matrix a and a 1-D or 2-D b")
    (m, n), vector, comm = a.shape, b.ndim == 1, a.comm
    if b.shape[0] != m:
        raise LinAlgError("Incompatible dimensions")
    u, s, vh = svd(a, full_matrices=False)
    st = s.larray
    cut = (torch.finfo(st.dtype).eps * max(m, n) if rcond is None else rcond) * st.amax(0)[None]
    large = st > cut if st.numel() else st.bool()
    rank = int(large.sum())
    sinv = torch.where(large, 1 / st, torch.zeros_like(st))
    if u.split is not None and vh.split is not None:  # every factor split (the polar route)
        return _lstsq_split(u, s, vh, b, sinv, rank)
    if u.split == 0:  # tall: U split along rows, Vh replicated
        rows = Layout(b.shape, 0, comm, u.counts)
        bl = block_of(b, rows)
        bm = bl[:, None] if vector else bl
        c = summed(u.larray.mH @ bm, u.layout)
        x = vh.larray.mH @ (sinv[:, None] * c)
        res = _residuals(bm - u.larray @ c, u.layout) if rank == n < m else None
        x_arr = _out_full(x[:, 0] if vector else x, b)
    else:  # U replicated; Vh split along columns or replicated
        bm = whole(b)
        bm = bm[:, None] if vector else bm
        c = u.larray.mH @ bm
        x = vh.larray.mH @ (sinv[:, None] * c)
        res = (bm - u.larray @ c).abs().square().sum(0) if rank == n < m else None
        x = x[:, 0] if vector else x
        split = None if vh.split is None else 0
        x_arr = Array(x.contiguous(), Layout((n, *x.shape[1:]), split, comm, vh.counts))
    if res is None:
        res = st.new_zeros(0)
    return LstsqResult(x_arr, Array(res, Layout(tuple(res.shape), None, comm)), rank, s)


def _lstsq_split(
    u: Array, s: Array, vh: Array, b: Array, sinv: torch.Tensor, rank: int
) -> LstsqResult:
    """``lstsq`` from split ``U`` and ``Vh`` (the polar route of :func:`svd`), by hpa's products."""
    m, n = u.shape[0], vh.shape[1]
    vector = b.ndim == 1
    proj = matmul(conj(matrix_transpose(u)), b)
    scaled = conj(matrix_transpose(vh)) * Array(sinv, s.layout)
    x = matmul(scaled, proj)
    if rank == n < m:
        r = b - matmul(u, proj)
        res = (abs(r) ** 2).sum(0)
        if vector:
            res = res.reshape(1)
    else:
        res = Array(sinv.new_zeros(0), Layout((0,), None, u.comm))
    return LstsqResult(x, res, rank, s)


def _residuals(r: torch.Tensor, lay: Layout) -> torch.Tensor:
    """Column sums of ``|r|^2`` over all row blocks (one ``allreduce``)."""
    return summed(r.abs().square().sum(0), lay)


def pinv(a: Any, rcond: Any = None, hermitian: bool = False, *, rtol: Any = _UNSET) -> Array:
    """Moore-Penrose pseudo-inverse ``V diag(1/s) U^H``, like ``numpy.linalg.pinv``.

    Singular values up to ``rcond * s.max()`` are dropped (``rcond`` 1e-15 by default;
    ``rtol=None`` means ``eps * max(m, n)``). ``hermitian`` is accepted for NumPy
    compatibility. Via :func:`svd` (TSQR along the long axis, one ``allgatherv``, plus one
    ``alltoallv`` when split along the short axis); the product is local, so the result, of
    shape ``(n, m)``, is laid out as ``A^H``: tall ``A`` split along rows gives a result split
    along columns with ``A``'s extents, short-fat split along columns a result split along
    rows. Stacks and replicated matrices are local (no communication).
    """
    if rcond is None:
        rcond = 1e-15 if rtol is _UNSET else rtol
    elif rtol is not _UNSET:
        raise ValueError("`rtol` and `rcond` can't be both set.")
    arr = as_matrix(a)
    if rcond is None:
        rcond = max(arr.shape[-2:]) * torch.finfo(arr.larray.dtype).eps
    u, s, vh = svd(arr, full_matrices=False)
    st = s.larray
    top = st.amax(-1, keepdim=True) if st.shape[-1] else st.new_zeros((*st.shape[:-1], 1))
    large = st > threshold(rcond, st) * top
    sinv = torch.where(large, 1 / st, torch.zeros_like(st))
    if u.ndim == 2 and u.split is not None and vh.split is not None:  # the polar route
        scaled = conj(matrix_transpose(vh)) * Array(sinv, s.layout)
        return matmul(scaled, conj(matrix_transpose(u)))
    res = (vh.larray.mH * sinv[..., None, :]) @ u.larray.mH
    m, n = arr.shape[-2:]
    if arr.ndim > 2 or (u.split is None and vh.split is None):
        return stack_array(res, Layout((*u.shape[:-2], m, n), u.split, u.comm, u.counts))
    if u.split == 0:
        return Array(res, Layout((n, m), 1, u.comm, u.counts))
    return Array(res, Layout((n, m), 0, u.comm, vh.counts))


# ---------------------------------------------------------------------- iterative
def _square_operator(A: Any) -> tuple[Array, Callable[[torch.Tensor], torch.Tensor], Layout]:
    """A square operand (dense, or an :mod:`hpa.sparse` matrix) as ``(a, matvec, layout)``:
    ``a`` an array of ``A``'s dtype (floating) and communicator, on its device, to coerce the
    other operands with; ``matvec`` and the vectors' layout as :func:`_operator` gives them.

    A sparse ``A`` (rows split) multiplies a vector block with one ``alltoallv`` of the halo
    its pattern needs (after a one-time plan), never the whole vector.
    """
    if not getattr(type(A), "__hpa_defer__", False):
        a = as_square(A)
        return (a, *_operator(a))
    from hpa.sparse.products import matvec_block

    m, n = A.shape
    if m != n:
        raise LinAlgError(f"Last 2 dimensions of the array must be square, got {A.shape}")
    if A.data.dtype in (torch.float16, torch.bfloat16):
        raise TypeError(f"array type {A.dtype} is unsupported in linalg")
    if not (A.data.is_floating_point() or A.data.is_complex()):
        A = A.astype("float64")
    vec = Layout((n,), A.split, A.comm, A.counts)
    like = Array(A.data.new_empty(0), Layout((0,), None, A.comm))
    return like, (lambda p: matvec_block(A, p)), vec


def _operator(a: Array) -> tuple[Callable[[torch.Tensor], torch.Tensor], Layout]:
    """``p -> A p`` on vector blocks, and the layout of those vectors.

    Rows split: the vector's blocks are gathered (one ``allgatherv``) and multiplied by the
    local rows. Columns split: the local columns give a partial product of full length,
    summed and cut into the vector's blocks (one ``reduce_scatter``). Replicated: local.
    """
    t, lay, comm, n = a.larray, a.layout, a.comm, a.shape[0]
    vec = Layout((n,), None if lay.split is None else 0, comm, lay.counts)
    if not lay.is_distributed:
        return (lambda p: t @ p), vec
    if lay.split == 0:
        return (lambda p: t @ gather_blocks(p, vec.counts, comm)), vec  # type: ignore[arg-type]
    return (lambda p: Partial(t @ p, comm).scatter(vec.counts)), vec  # type: ignore[arg-type]


def _dot(x: torch.Tensor, y: torch.Tensor, lay: Layout) -> torch.Tensor:
    """``x^H y`` over all blocks (one ``allreduce`` when split)."""
    return summed(torch.vdot(x, y).reshape(1), lay)[0]


def cg(
    A: Any, b: Any, x0: Any = None, *, rtol: float = 1e-5, atol: float = 0.0,
    maxiter: int | None = None, return_info: bool = False,
) -> Array | tuple[Array, int]:  # fmt: skip
    """Conjugate gradients for a Hermitian positive definite ``A``, as ``scipy.sparse.linalg.cg``.

    Stops when ``|r| < max(atol, rtol * |b|)`` or after ``maxiter`` (``10 n``) iterations.
    ``x`` (and, with ``return_info``, SciPy's ``info``: 0 converged, else the iterations made)
    is split 0 with ``A``'s extents when ``A`` is split (along rows or columns), replicated
    otherwise; ``b`` and ``x0`` are taken to that layout first (one ``alltoallv`` at most).
    Each iteration communicates the product (one ``allgatherv`` of the search direction for
    rows split, one ``reduce_scatter`` of the partial products for columns split) and two
    ``allreduce`` of the dot products. ``A`` may be an :mod:`hpa.sparse` matrix: its product
    is one ``alltoallv`` of the entries of the search direction its pattern needs from other
    ranks (the halo), after a one-time plan.
    """
    sq, matvec, vec = _square_operator(A)
    a, bb = _common(sq, as_floating(coerce(b, sq)))
    shape = A.shape if getattr(type(A), "__hpa_defer__", False) else sq.shape
    n = shape[0]
    if len(shape) != 2 or bb.shape != (n,):
        raise ValueError(f"cg needs a 2-D square A and b of shape ({n},), got {bb.shape}")
    rhs = block_of(bb, vec)
    bnorm = math.sqrt(float(_dot(rhs, rhs, vec).real))
    tol = max(float(atol), float(rtol) * bnorm)
    if bnorm == 0:
        return _done(rhs.clone(), vec, 0, return_info)
    if x0 is None:
        x = rhs.new_zeros(rhs.shape)
    else:
        x = block_of(coerce(x0, a), vec).to(device=rhs.device, dtype=rhs.dtype, copy=True)
    r = rhs - matvec(x) if x0 is not None else rhs.clone()
    p, rho_prev = r, None
    limit = 10 * n if maxiter is None else maxiter
    # the vectors are updated in place: a fresh vector per operation costs more than the
    # operation itself once blocks are large (the allocator maps and faults in new pages)
    for _ in range(limit):
        rho = _dot(r, r, vec)
        if math.sqrt(float(rho.real)) < tol:
            return _done(x, vec, 0, return_info)
        p = r.clone() if rho_prev is None else p.mul_(rho / rho_prev).add_(r)
        q = matvec(p)
        alpha = rho / _dot(p, q, vec)
        x.addcmul_(p, alpha)
        r.addcmul_(q, alpha, value=-1)
        rho_prev = rho
    return _done(x, vec, limit, return_info)


def _done(x: torch.Tensor, lay: Layout, info: int, with_info: bool) -> Array | tuple[Array, int]:
    out = Array(x, lay)
    return (out, info) if with_info else out


def lanczos(A: Any, m: int, v0: Any = None) -> tuple[Array, Array]:
    """Lanczos tridiagonalisation ``V^H A V = T`` of a Hermitian ``A`` in ``m`` steps (HeAT).

    Returns ``V`` (``n x m``, orthonormal columns) and the real tridiagonal ``T`` (``m x m``,
    replicated). ``v0`` is the start vector (a Gaussian vector from a fixed seed, the same at
    every process count, by default). Full reorthogonalisation (classical Gram-Schmidt,
    twice). ``V`` is split 0 with ``A``'s extents when ``A`` is split, replicated otherwise.
    Each step communicates the product as in :func:`cg` (one ``allgatherv`` or
    ``reduce_scatter``) and three ``allreduce`` (two projections, one norm); ``3 m`` in all.
    ``A`` may be an :mod:`hpa.sparse` matrix (one ``alltoallv`` of the halo per product).
    """
    a, matvec, vec = _square_operator(A)
    shape = A.shape if getattr(type(A), "__hpa_defer__", False) else a.shape
    n = shape[0]
    if len(shape) != 2 or not 1 <= m <= n:
        raise ValueError(f"lanczos needs a 2-D square A and 1 <= m <= {n}, got m={m}")
    t = a.larray
    gen = torch.Generator().manual_seed(0)
    if v0 is None:
        v = block_of(torch.randn(n, generator=gen, dtype=t.dtype).to(t.device), vec)
    else:
        v = block_of(coerce(v0, a), vec).to(device=t.device, dtype=t.dtype)
    V = t.new_zeros(v.shape[0], m)
    T = torch.zeros(m, m, dtype=t.real.dtype if t.is_complex() else t.dtype)
    v = v / _norm(v, vec)
    for i in range(m):
        V[:, i] = v
        w, coef = _orthogonalised(matvec(v), V[:, : i + 1], vec)
        if i + 1 == m:
            T[i, i] = float(coef[i].real)
            break
        # the diagonal entry and the norm of w read on the host together: one sync per step
        diag, beta2 = torch.stack([coef[i].real, _dot(w, w, vec).real.to(coef.real.dtype)]).tolist()
        T[i, i] = diag
        beta = math.sqrt(beta2)
        if beta <= 100 * n * torch.finfo(T.dtype).eps * float(T.abs().max()):  # invariant
            fresh = block_of(torch.randn(n, generator=gen, dtype=t.dtype).to(t.device), vec)
            w, beta = _orthogonalised(fresh, V[:, : i + 1], vec)[0], 0.0
            w = w / _norm(w, vec)
        else:
            w = w / beta
        T[i, i + 1] = T[i + 1, i] = beta
        v = w
    return Array(V, Layout((n, m), vec.split, a.comm, vec.counts)), Array(
        T.to(t.device), Layout((m, m), None, a.comm)
    )


def _norm(v: torch.Tensor, lay: Layout) -> float:
    """The 2-norm of a vector over all blocks (one ``allreduce`` when split)."""
    return math.sqrt(float(_dot(v, v, lay).real))


def _orthogonalised(
    w: torch.Tensor, basis: torch.Tensor, lay: Layout
) -> tuple[torch.Tensor, torch.Tensor]:
    """``w`` with its components along ``basis`` removed twice, and the coefficients (two
    ``allreduce``)."""
    total = None
    for _ in range(2):
        c = summed(basis.mH @ w, lay)
        w = w - basis @ c
        total = c if total is None else total + c
    return w, total  # type: ignore[return-value]
