"""Matrix factorizations: ``qr``, ``svd``, ``svdvals``, ``randomized_svd``, ``eigh``, ``eigvalsh``
and ``cholesky`` (``numpy.linalg`` semantics, Array API names).

How a matrix ``A`` (``m x n``) is laid out decides the algorithm and what is communicated:

======================  =====================================================  ==================
layout of ``A``         algorithm                                              collectives
======================  =====================================================  ==================
rows split, m >= n      TSQR: local Householder QR of each block, the small     one ``allgatherv``
                        ``R`` factors gathered, QR of their stack; my rows of
                        ``Q`` are the local reflectors applied to my rows of
                        the stack's ``Q``
rows split, m < n       TSQR of the leading ``m`` columns, ``R`` of the rest    ``allgatherv`` +
(``qr``)                ``= Q^H A_2`` summed over the blocks                    ``allreduce``
columns split, m < n    the leading ``m x m`` block gathered, its QR on every   one ``allgatherv``
(``qr``)                rank, my columns of ``R = Q^H A`` local
columns split, m <= n   TSQR of ``A^H`` (a local transpose of my block, rows    one ``allgatherv``
(SVD)                   split), the factors transposed back
split along the short   first moved to the long axis                            + one ``alltoallv``
axis otherwise
split, ``k^2 > 2^22``   (``svd``, ``svdvals``) the polar route: QDWH on         see
(``k`` the short side)  panels, the distributed ``eigh`` of ``H = U_p^H A``;    ``polar_``
                        every factor split (``U`` rows, ``Vh`` columns)         ``decomposition``
replicated              torch on every rank                                     none
stack of matrices       torch on the local matrices (a stack split along a      none (+ one
                        matrix axis is first split along axis 0)                ``alltoallv``)
======================  =====================================================  ==================

``eigh``, ``eigvalsh`` (:mod:`hpa.linalg.eigen`) and ``cholesky``
(:mod:`hpa.linalg.positive_definite`) of a split square matrix at more than one process never
gather it: the matrix is dealt as round-robin column panels and factored there; a matrix-shaped
result comes back in the input's layout. Sign and phase conventions of ``Q``, ``U`` and ``V``
differ from LAPACK's; the factorizations hold to rounding. Errors that depend on the data (a
matrix that is not positive definite) are announced by the rank that finds them in the same
broadcast that carries its panel, or agreed with one ``allreduce`` when a stack is split, so
every rank raises.
"""

from __future__ import annotations

from typing import Any, NamedTuple, cast

import torch

from hpa.core.array import Array
from hpa.core.exchange import gather_blocks
from hpa.core.layout import Layout
from hpa.ops.elementwise import conj
from hpa.ops.manipulation import matrix_transpose
from hpa.linalg import eigen, polar_decomposition, positive_definite
from hpa.linalg.elimination import distributed
from hpa.linalg.checks import (
    LinAlgError,
    agree,
    as_matrix,
    as_square,
    block_of,
    like_input,
    local_stack,
    stack_array,
    summed,
)

__all__ = ["cholesky", "eigh", "eigvalsh", "qr", "randomized_svd", "svd", "svdvals"]


class QRResult(NamedTuple):
    Q: Array
    R: Array


class SVDResult(NamedTuple):
    U: Array
    S: Array
    Vh: Array


class EighResult(NamedTuple):
    eigenvalues: Array
    eigenvectors: Array


def _long_rows(a: Array) -> tuple[torch.Tensor, Layout, bool]:
    """A split 2-D ``a`` as a block of a matrix split along its longer axis, rows: (block,
    layout, transposed). Short-fat or columns-split ``A`` is seen as ``A^H`` (a local
    transpose); a matrix split along its shorter axis moves first (one ``alltoallv``)."""
    m, n = a.shape
    want = a.split if m == n else (0 if m > n else 1)
    lay = a.layout if a.split == want else a.layout.with_split(want)
    t = block_of(a, lay)
    if want == 0:
        return t, lay, False
    return t.mH, Layout((n, m), 0, a.comm, lay.counts), True


def _tsqr(t: torch.Tensor, lay: Layout, mode: str) -> tuple[torch.Tensor | None, torch.Tensor]:
    """TSQR of a rows-split ``m x n`` matrix with ``m >= n``: (my rows of ``Q``, ``R``).

    ``R`` (``n x n``) is replicated; ``Q`` is ``m x n`` (``"reduced"``), ``m x m``
    (``"complete"``) or None (``"r"``). One ``allgatherv`` of the local ``R`` factors (each
    ``min(rows, n) x n``). Blocks with fewer rows than columns, or none, take part.
    """
    comm, (m, n) = lay.comm, lay.gshape
    if not lay.is_distributed:
        if mode == "r":
            return None, torch.linalg.qr(t, mode="r")[1]
        q, r = torch.linalg.qr(t, mode=mode)
        return q, r[:n]
    refl, tau = torch.geqrf(t)
    assert lay.counts is not None
    ks = [min(c, n) for c in lay.counts]
    rank, rows = comm.rank, t.shape[0]
    k, off, total = ks[rank], sum(ks[:rank]), sum(ks)
    stack = gather_blocks(refl[:k].triu(), ks, comm)
    if mode == "r":
        return None, torch.linalg.qr(stack, mode="r")[1]
    q2, r = torch.linalg.qr(stack, mode=mode)
    if mode == "reduced":
        mine = t.new_zeros(rows, n)
        mine[:k] = q2[off : off + k]
    else:  # Q = blockdiag(Q_local) @ (Q2 + identity on the rows the local R factors lack)
        mine = t.new_zeros(rows, m)
        mine[:k, :total] = q2[off : off + k]
        start = total + sum(c - kk for c, kk in zip(lay.counts[:rank], ks[:rank]))
        mine[k:, start : start + rows - k].diagonal().fill_(1)
    return torch.ormqr(refl, tau, mine), r[:n]


# ---------------------------------------------------------------------- qr
def qr(a: Any, mode: str = "reduced") -> QRResult | Array:
    """QR factorisation ``A = Q R`` of a matrix or a stack of matrices, like ``numpy.linalg.qr``.

    Parameters
    ----------
    a : array_like
        ``(..., m, n)``.
    mode : {"reduced", "complete", "r"}
        ``Q`` of shape ``(m, k)`` and ``R`` of ``(k, n)`` with ``k = min(m, n)``; ``Q`` square
        ``(m, m)`` and ``R`` of ``(m, n)``; or only ``R``. ``"raw"`` is not supported.

    Returns
    -------
    QRResult or Array
        ``(Q, R)``, or ``R`` for ``mode="r"``.

    Notes
    -----
    A rows-split matrix (split 0) is factored with TSQR and communicates one ``allgatherv`` of
    the local ``R`` factors (plus one ``allreduce`` of ``Q^H A_2`` for the trailing columns when
    ``m < n``): ``Q`` comes back split 0 with the input's extents, ``R`` replicated (split 0
    too for ``"complete"`` with ``m > n``, where it is as tall as ``A``). A columns-split
    matrix (split 1) with ``m >= n`` is moved to rows first (one ``alltoallv``); with ``m < n``
    its leading ``m x m`` block is gathered (one ``allgatherv``), factored on every rank, and
    ``R = Q^H A`` is computed from the local columns: ``Q`` replicated, ``R`` split 1. Stacks
    and replicated matrices are factored locally (no communication; a stack split along a
    matrix axis first moves to split 0, one ``alltoallv``). ``Q``'s column signs may differ
    from LAPACK's.
    """
    if mode not in ("reduced", "complete", "r"):
        raise ValueError(f"unrecognized mode {mode!r}: hpa supports 'reduced', 'complete', 'r'")
    a = as_matrix(a)
    if a.ndim > 2 or a.split is None or a.size == 0:
        t, lay = local_stack(a)
        if mode == "r":
            return stack_array(torch.linalg.qr(t, mode="r")[1], lay)
        q, r = torch.linalg.qr(t, mode=mode)
        return QRResult(stack_array(q, lay), stack_array(r, lay))
    m, n = a.shape
    if a.split == 1 and m >= n:
        lay = a.layout.with_split(0)
        a = Array(block_of(a, lay), lay)
    q, r = _qr_rows(a, mode) if a.split == 0 else _qr_columns(a)
    return r if mode == "r" else QRResult(cast(Array, q), r)


def _qr_rows(a: Array, mode: str) -> tuple[Array | None, Array]:
    """QR of a rows-split matrix: TSQR of the leading ``min(m, n)`` columns."""
    (m, n), t, comm = a.shape, a.larray, a.comm
    k = min(m, n)
    q, r = _tsqr(t[:, :k], Layout((m, k), 0, comm, a.counts), "reduced" if n > m else mode)
    if n > m:
        assert q is not None
        r = torch.cat([r, summed(q.mH @ t[:, m:], a.layout)], 1)
    q_arr = None if q is None else Array(q, Layout((m, q.shape[1]), 0, comm, a.counts))
    if mode != "complete" or m <= n:
        return q_arr, Array(r, Layout(tuple(r.shape), None, comm))
    lo, hi = a.layout.range_of(comm.rank)
    full = r.new_zeros(hi - lo, n)  # R as tall as A: my rows of [R; 0]
    full[: max(0, min(hi, n) - lo)] = r[lo : min(hi, n)]
    return q_arr, Array(full, a.layout)


def _qr_columns(a: Array) -> tuple[Array, Array]:
    """QR of a columns-split short-fat matrix: the leading square block gathered."""
    (m, _), t, comm, lay = a.shape, a.larray, a.comm, a.layout
    lo = lay.range_of(comm.rank)[0]
    lead = [max(0, min(b, m) - s) for s, b in zip(lay.offsets[:-1], lay.offsets[1:])]  # type: ignore[index]
    mine = lead[comm.rank]
    block = t[:, :mine]
    if comm.size > 1:
        block = gather_blocks(block.mT.contiguous(), lead, comm).mT
    q, r1 = torch.linalg.qr(block)
    r = q.mH @ t
    r[:, :mine] = r1[:, lo : lo + mine]
    return Array(q, Layout((m, m), None, comm)), Array(r, lay)


# ---------------------------------------------------------------------- svd
def svd(
    a: Any, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False
) -> SVDResult | Array:
    """Singular value decomposition ``A = U diag(S) Vh``, like ``numpy.linalg.svd``.

    Parameters
    ----------
    a : array_like
        ``(..., m, n)``.
    full_matrices : bool
        ``U`` of ``(m, m)`` and ``Vh`` of ``(n, n)``; otherwise ``(m, k)`` and ``(k, n)``.
    compute_uv : bool
        False: return only ``S`` (as :func:`svdvals`).
    hermitian : bool
        Accepted for NumPy compatibility; the general method is used.

    Returns
    -------
    SVDResult or Array
        ``(U, S, Vh)``; ``S`` (descending) is replicated, or split like a stack's batch.

    Notes
    -----
    A split matrix is seen with its split axis as the long one (TSQR needs tall blocks): a
    tall matrix split along rows, or a short-fat (or square) one split along columns through
    its conjugate transpose (a local view). It is moved there first when split along its short
    axis (one ``alltoallv``). TSQR communicates one ``allgatherv``; the SVD of the small ``R``
    is computed on every rank and ``U = Q U_R`` locally. Tall, rows split: ``U`` split 0 and
    ``Vh`` replicated; short-fat or columns split: ``U`` replicated and ``Vh`` split 1. When the
    short side ``k`` is long (``k^2`` above ``polar_decomposition.SMALL_FACTOR``, ``2^22``: a
    ``k x k`` factor too big to replicate), the polar route runs instead (QDWH, then the
    distributed :func:`eigh` of ``H``; see :mod:`hpa.linalg.polar_decomposition`) and every
    factor stays split: ``U`` along its rows, ``Vh`` along its columns, at every process
    count.
    Replicated matrices and stacks are local (no communication; a stack split along a matrix
    axis first moves to split 0, one ``alltoallv``). Signs and phases of the singular vectors
    may differ from LAPACK's.
    """
    a = as_matrix(a)
    if not compute_uv:
        return svdvals(a)
    if a.ndim > 2 or a.split is None or a.size == 0:
        t, lay = local_stack(a)
        u, s, vh = torch.linalg.svd(t, full_matrices=full_matrices)
        return SVDResult(stack_array(u, lay), stack_array(s, lay), stack_array(vh, lay))
    t, lay, flipped = _long_rows(a)
    m, n = lay.gshape
    if n * n > polar_decomposition.SMALL_FACTOR:
        return _svd_split(Array(t, lay), full_matrices, flipped)
    if lay.is_distributed:
        q, r = _tsqr(t, lay, "complete" if full_matrices and m > n else "reduced")
        assert q is not None
        ur, s, vh = torch.linalg.svd(r)
        # q @ ur computed as (ur^T q^T)^T: q comes column-major from ormqr, and this product
        # (long axis as the output's columns) is ~3x faster in BLAS than q @ ur
        lead = (ur.mT @ q[:, :n].mT).mT
        if q.shape[1] == n:
            u = lead
        else:
            u = q.clone()
            u[:, :n] = lead
    else:  # one process: LAPACK's SVD of the whole block (its own QR; TSQR adds a pass)
        u, s, vh = torch.linalg.svd(t, full_matrices=full_matrices)
    comm = a.comm
    rep = Layout((n, n), None, comm)
    s = Array(s, Layout((n,), None, comm))
    if flipped:
        return SVDResult(
            Array(vh.mH.resolve_conj().contiguous(), rep), s, _rows_to_columns(u, lay.counts, comm)
        )
    return SVDResult(Array(u, Layout((m, u.shape[1]), 0, comm, lay.counts)), s, Array(vh, rep))


def _svd_split(x: Array, full_matrices: bool, flipped: bool) -> SVDResult:
    """The SVD of a split matrix with a large short side, every factor split: ``U`` along its
    rows, ``Vh`` along its columns. ``x`` is the matrix (``flipped``: its conjugate
    transpose) seen tall and split along rows."""
    comm = x.comm
    m, n = x.shape
    if x.layout.is_distributed:
        u, s, v = polar_decomposition.svd_from_polar(x, full_matrices)
    else:  # one process: LAPACK's SVD, laid out as the distributed one
        ut, st, vht = torch.linalg.svd(x.larray, full_matrices=full_matrices)
        u = Array(ut, Layout(tuple(ut.shape), 0, comm))
        s = Array(st, Layout(tuple(st.shape), None, comm))
        v = Array(vht.mH.contiguous(), Layout((n, n), 0, comm))
    if flipped:
        return SVDResult(v, s, conj(matrix_transpose(u)))
    return SVDResult(u, s, conj(matrix_transpose(v)))


def _rows_to_columns(u: torch.Tensor, counts: Any, comm: Any) -> Array:
    """The conjugate transpose of a rows-split block as a block split along columns."""
    m = sum(counts)
    return Array(u.mH.resolve_conj().contiguous(), Layout((u.shape[1], m), 1, comm, counts))


def svdvals(x: Any, /) -> Array:
    """Singular values, descending, like ``numpy.linalg.svdvals`` (Array API).

    A split matrix is reduced to the ``R`` factor of TSQR, seen along its long axis as in
    :func:`svd`: communicates one ``allgatherv`` (plus one ``alltoallv`` when split along the
    short axis); the result is replicated. A long short side takes :func:`svd`'s polar route
    (the eigenvalues of ``H``, no eigenvectors). Stacks are local (no communication; split like the
    stack's batch axes; a stack split along a matrix axis first moves to split 0, one
    ``alltoallv``).
    """
    a = as_matrix(x)
    if a.ndim > 2 or a.split is None or a.size == 0:
        t, lay = local_stack(a)
        return stack_array(torch.linalg.svdvals(t), lay)
    t, lay, _ = _long_rows(a)
    n = lay.gshape[1]
    if n * n > polar_decomposition.SMALL_FACTOR and lay.is_distributed:
        return polar_decomposition.singular_values(Array(t, lay))
    if n * n > polar_decomposition.SMALL_FACTOR:
        s = torch.linalg.svdvals(t)
        return Array(s, Layout(tuple(s.shape), None, a.comm))
    s = torch.linalg.svdvals(_tsqr(t, lay, "r")[1])
    return Array(s, Layout(tuple(s.shape), None, a.comm))


def randomized_svd(
    a: Any, k: int, n_oversamples: int = 10, n_iter: int = 4, random_state: int | None = None
) -> SVDResult:
    """Truncated SVD of rank ``k`` by randomized subspace iteration (Halko, Martinsson, Tropp).

    Parameters
    ----------
    a : array_like
        A 2-D ``(m, n)`` matrix.
    k : int
        Number of singular triplets, ``1 <= k <= min(m, n)``.
    n_oversamples : int
        Extra sample vectors (the subspace has ``min(k + n_oversamples, m, n)`` columns).
    n_iter : int
        Power iterations, each re-orthonormalised.
    random_state : int, optional
        Seed of the Gaussian test matrix (0 by default); the same on every rank, so the result
        does not depend on the number of processes.

    Returns
    -------
    SVDResult
        ``U`` ``(m, k)``, ``S`` ``(k,)`` replicated, ``Vh`` ``(k, n)``.

    Notes
    -----
    The matrix is seen split along its long axis as in :func:`svd` (one ``alltoallv`` first
    when split along the short one). With rows split, ``Y = A Omega`` is local, each
    orthonormalisation is a TSQR (one ``allgatherv``) and each product ``A^H Q`` one
    ``allreduce`` of an ``n x l`` matrix: ``n_iter + 1`` of each collective in all. ``U`` is
    split 0 and ``Vh`` replicated for a tall matrix; ``U`` replicated and ``Vh`` split 1 for a
    short-fat one. A replicated matrix communicates nothing.
    """
    a = as_matrix(a)
    if a.ndim != 2:
        raise ValueError("randomized_svd expects a 2-D matrix")
    if not 1 <= k <= min(a.shape):
        raise ValueError(f"k must be between 1 and min(m, n) = {min(a.shape)}, got {k}")
    if a.split is None:
        t, lay, flipped = a.larray, a.layout, False
    else:
        t, lay, flipped = _long_rows(a)
    (_, n), comm = lay.gshape, a.comm
    width = min(k + n_oversamples, *a.shape)
    gen = torch.Generator().manual_seed(0 if random_state is None else int(random_state))
    omega = torch.randn(n, width, generator=gen, dtype=t.dtype).to(t.device)
    y_lay = Layout((lay.gshape[0], width), lay.split, comm, lay.counts)
    y = t @ omega
    for _ in range(n_iter):
        q = _tsqr(y, y_lay, "reduced")[0]
        y = t @ torch.linalg.qr(summed(t.mH @ q, lay))[0]
    q = _tsqr(y, y_lay, "reduced")[0]
    assert q is not None
    ub, s, vh = torch.linalg.svd(summed(q.mH @ t, lay), full_matrices=False)
    u, s, vh = q @ ub[:, :k], s[:k], vh[:k]
    s = Array(s, Layout((k,), None, comm))
    if flipped:
        return SVDResult(Array(vh.mH.resolve_conj().contiguous(), Layout((a.shape[0], k), None, comm)), s,
                         _rows_to_columns(u, lay.counts, comm))  # fmt: skip
    vh_arr = Array(vh, Layout((k, a.shape[1]), None, comm))
    return SVDResult(Array(u, Layout((lay.gshape[0], k), lay.split, comm, lay.counts)), s, vh_arr)


# ---------------------------------------------------------------------- symmetric / hermitian
def eigh(a: Any, UPLO: str = "L") -> EighResult:
    """Eigenvalues (ascending) and eigenvectors of a symmetric/Hermitian matrix, like NumPy.

    Only the ``UPLO`` triangle is read. A split 2-D matrix at more than one process is never
    gathered: Householder tridiagonalisation on round-robin column panels (two ``alltoallv``
    to build the Hermitian matrix's panels, one ``allreduce`` of ``2 (n - i)`` elements per
    column ``i``), MRRR for the tridiagonal matrix on every rank, each rank computing only
    the eigenvectors of its block of eigenvalue indices (a cluster of eigenvalues is kept on
    one rank), and the back-transformation (one ``bcast`` of at most ``n b`` elements per
    panel); see :mod:`hpa.linalg.eigen`. The eigenvalues are replicated, the eigenvectors laid
    out like the input (one ``alltoallv`` to get there). Replicated matrices and stacks are
    decomposed by torch (no communication; a stack split along a matrix axis first moves to
    split 0, one ``alltoallv``). Eigenvector signs/phases may differ from LAPACK's.
    """
    a = as_square(a)
    if distributed(a):
        vals, vecs = eigen.eigenvectors(a, _uplo(UPLO))
        return EighResult(_replicated(vals, a), vecs)
    t, lay = local_stack(a)
    w, v = torch.linalg.eigh(t, UPLO=_uplo(UPLO))
    return EighResult(stack_array(w, lay), like_input(v, a, lay))


def eigvalsh(a: Any, UPLO: str = "L") -> Array:
    """Eigenvalues (ascending) of a symmetric/Hermitian matrix, like ``numpy.linalg.eigvalsh``.

    A split 2-D matrix at more than one process: the tridiagonalisation of :func:`eigh` and
    MRRR's eigenvalues, no eigenvectors (no back-transformation); the result is replicated.
    Stacks are local (no communication; a stack split along a matrix axis first moves to split
    0, one ``alltoallv``).
    """
    a = as_square(a)
    if distributed(a):
        return _replicated(eigen.eigenvalues(a, _uplo(UPLO)), a)
    t, lay = local_stack(a)
    return stack_array(torch.linalg.eigvalsh(t, UPLO=_uplo(UPLO)), lay)


def _replicated(t: torch.Tensor, a: Array) -> Array:
    return Array(t, Layout(tuple(t.shape), None, a.comm))


def _uplo(uplo: str) -> str:
    if uplo not in ("L", "U"):
        raise ValueError("UPLO argument must be 'L' or 'U'")
    return uplo


def cholesky(a: Any, /, *, upper: bool = False) -> Array:
    """Cholesky factor ``L`` (``A = L L^H``) or ``U`` (``A = U^H U``), like NumPy.

    A split 2-D matrix at more than one process is never gathered: blocked right-looking
    Cholesky on round-robin column panels (one ``alltoallv`` there, one ``bcast`` of at most
    ``n b`` elements per panel, one ``alltoallv`` back to the input's layout; see
    :mod:`hpa.linalg.positive_definite`). Only the lower triangle is read. Stacks are local;
    one ``allreduce`` of a flag agrees on the error when a stack is split (a stack split along
    a matrix axis first moves to split 0, one ``alltoallv``).

    Raises
    ------
    numpy.linalg.LinAlgError
        On every rank, when a matrix is not positive definite.
    """
    a = as_square(a)
    if distributed(a):
        return positive_definite.cholesky(a, upper)
    t, lay = local_stack(a)
    c, info = torch.linalg.cholesky_ex(t, upper=upper)
    if agree(info != 0, lay):
        raise LinAlgError("Matrix is not positive definite")
    return like_input(c, a, lay)
