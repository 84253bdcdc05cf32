"""Randomized SVD (HeAT's ``rsvd``): the randomized range finder with power iterations
(Halko, Martinsson & Tropp 2011, Algorithm 4.4), then the SVD of the projected matrix
(Algorithm 5.1).

The Gaussian test matrix comes from hpa's counter-based generator (and advances it, as HeAT's
``ht.random.randn``), so the same generator state gives the same factors at every process
count and for every split of ``A``. Every product and orthonormalisation is one of hpa's
distributed operations:

=================================  ============================================================
``A`` split along                  communication
=================================  ============================================================
rows (0)                           ``Y = A Omega`` local, ``qr(Y)`` one TSQR ``allgatherv``;
                                   per power iteration one ``allreduce`` (``A^T Q``, whose QR
                                   is local) and one TSQR; ``B = Q^T A`` one ``allreduce`` of
                                   ``l x n``
columns (1)                        ``Y = A Omega`` one ``allreduce`` of ``m x l`` (its QR
                                   local); per power iteration one TSQR and one
                                   ``allreduce``; ``B = Q^T A`` local, its SVD one TSQR of
                                   ``B^T``
replicated                         none
=================================  ============================================================

``l = svd_rank + n_oversamples`` (at most ``min(m, n)``).
"""

from __future__ import annotations

from typing import Any, cast

from hpa.core.array import Array
from hpa.linalg.factorizations import QRResult, qr, svd
from hpa.linalg.hierarchical_svd import check_int, real_matrix
from hpa.linalg.products import matmul
from hpa.ops.manipulation import matrix_transpose
from hpa.random.generation import randn

__all__ = ["rsvd"]


def _orthonormal(y: Array) -> Array:
    """An orthonormal basis of the columns of ``y`` (its reduced QR's ``Q``)."""
    return cast(QRResult, qr(y)).Q


def rsvd(
    A: Any,
    svd_rank: int,
    n_oversamples: int = 10,
    power_iter: int = 0,
    qr_procs_to_merge: int = 2,
) -> tuple[Array, Array, Array]:
    """Randomized SVD truncated to rank ``svd_rank`` (HeAT's ``rsvd``).

    An approximation of the leading ``svd_rank`` singular triplets of ``A``, accurate when the
    singular values decay fast; power iterations help when they decay slowly.

    Parameters
    ----------
    A : array_like or hpa.Array
        A 2-D float32 or float64 matrix ``m x n``, split along either axis or replicated.
    svd_rank : int
        The number of singular triplets (``n_components`` in scikit-learn), at least 1.
    n_oversamples : int
        Extra random samples of the range, at least 0.
    power_iter : int
        Power iterations, each re-orthonormalised by QR, at least 0.
    qr_procs_to_merge : int
        Accepted for HeAT compatibility (0 or at least 2); hpa's TSQR merges every block's
        ``R`` factor at once.

    Returns
    -------
    tuple of hpa.Array
        ``(U, S, Vt)``: ``U`` ``m x k``, ``S`` the ``k`` singular values (descending,
        replicated), ``Vt`` ``k x n``, with ``k = min(svd_rank, m, n)``. ``U`` is split along
        its rows for a row-split ``A`` (``Vt`` replicated), ``Vt`` along its columns for a
        column-split ``A`` (``U`` replicated); everything is replicated for a replicated ``A``.

    Raises
    ------
    TypeError, ValueError
        For a matrix that is not 2-D float32/float64 or invalid parameters (the same on every
        rank, before any communication).

    Notes
    -----
    Communication, for a split ``A``: ``1 + power_iter`` TSQR ``allgatherv`` and
    ``1 + power_iter`` ``allreduce`` of ``l x n`` (row split) or ``m x l`` (column split)
    numbers; none for a replicated ``A`` (see :mod:`hpa.linalg.randomized`). The
    ``l x n`` projected matrix (``l = svd_rank + n_oversamples``) is factored where it lies.

    References
    ----------
    .. [1] N. Halko, P. G. Martinsson, J. A. Tropp, "Finding structure with randomness:
       probabilistic algorithms for constructing approximate matrix decompositions", SIAM
       Review 53(2), 2011.
    """
    check_int("svd_rank", svd_rank, 1)
    check_int("n_oversamples", n_oversamples, 0)
    check_int("power_iter", power_iter, 0)
    check_int("qr_procs_to_merge", qr_procs_to_merge, 0)
    if qr_procs_to_merge == 1:
        raise ValueError("qr_procs_to_merge must be 0 or at least 2, but is 1.")
    a = real_matrix(A, "A")
    m, n = a.shape
    width = min(svd_rank + n_oversamples, m, n)
    omega = randn(n, width, dtype=a.dtype, split=0 if a.split == 1 else None,
                  device=a.device, comm=a.comm)  # fmt: skip
    q = _orthonormal(matmul(a, omega))
    at = matrix_transpose(a)
    for _ in range(power_iter):
        q = _orthonormal(matmul(at, q))
        q = _orthonormal(matmul(a, q))
    ub, s, vt = svd(matmul(matrix_transpose(q), a), full_matrices=False)
    k = min(svd_rank, width)
    return matmul(q, ub[:, :k]), s[:k], vt[:k]
