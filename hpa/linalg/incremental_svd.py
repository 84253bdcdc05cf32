"""Incremental SVD (HeAT's ``isvd``): the SVD of ``[X_old | N]`` from a (truncated) SVD of
``X_old`` and the new columns ``N`` (Brand 2006, Sect. 2).

With ``X_old ~ U S V^T`` (``r`` triplets) and ``d`` new columns ``N``: the part of ``N``
outside the span of ``U`` is ``R = N - U (U^T N)`` (projected twice, "twice is enough", so
that ``P`` stays orthogonal to ``U`` when ``N`` lies close to that span), ``R = P R_c`` its
QR factorisation, and

    [X_old | N] ~ [U P] K [[V^T, 0], [0, I]],   K = [[S, U^T N], [0, R_c]],

so the SVD ``K = u s v^T`` of the small ``(r + d) x (r + d)`` matrix gives the new factors
``[U P] u``, ``s`` and ``v^T [[V^T, 0], [0, I]]``. ``K`` is replicated and factored on every
process; the rest are distributed products:

==============================  ===============================================================
step                            communication (``U``, ``N`` split along the rows, ``V^T``
                                along the columns)
==============================  ===============================================================
``U^T N`` (twice)               one ``allreduce`` of ``r x d`` each
``qr(R)``                       one TSQR ``allgatherv`` of the ``d x d`` factors
``[U P] u``, ``v^T [V^T, 0]``   local products
the new columns of ``V^T``      one ``alltoallv``: the ``k x (n + d)`` result rebalanced
==============================  ===============================================================

Other layouts communicate what hpa's ``matmul`` and ``qr`` do for them; the results follow
the layouts of ``U_old`` and ``Vt_old``.
"""

from __future__ import annotations

from typing import Any

import torch

from hpa.core.array import Array
from hpa.core.layout import Layout
from hpa.linalg.factorizations import qr
from hpa.linalg.hierarchical_svd import check_int, real_matrix
from hpa.linalg.products import matmul
from hpa.ops.manipulation import concatenate, matrix_transpose

__all__ = ["isvd"]


def isvd(
    new_data: Any,
    U_old: Any,
    S_old: Any,
    Vt_old: Any,
    maxrank: int | None = None,
) -> tuple[Array, Array, Array]:
    """Update the SVD ``U_old diag(S_old) Vt_old`` of a matrix with new columns (HeAT's
    ``isvd``).

    Parameters
    ----------
    new_data : array_like or hpa.Array
        ``m x d``: the columns appended to the old matrix (float32 or float64).
    U_old : array_like or hpa.Array
        ``m x r``, orthonormal columns.
    S_old : array_like or hpa.Array
        The ``r`` singular values.
    Vt_old : array_like or hpa.Array
        ``r x n``, orthonormal rows.
    maxrank : int, optional
        The most singular triplets kept; by default ``min(n + d, m)``.

    Returns
    -------
    tuple of hpa.Array
        ``(U, S, Vt)`` of ``[X_old | new_data]``: ``U`` ``m x k`` laid out like ``U_old``'s
        rows, ``S`` the ``k`` singular values (replicated), ``Vt`` ``k x (n + d)``, with
        ``k = min(maxrank, r + d, n + d, m)``. Exact when ``U_old diag(S_old) Vt_old`` is the
        old matrix and nothing is truncated.

    Raises
    ------
    TypeError, ValueError
        For inputs that are not float32/float64 of the right dimensions, shapes that do not
        match, or an invalid ``maxrank`` (the same on every rank, before any communication).

    Notes
    -----
    Communication, for ``U_old`` and ``new_data`` split along the rows and ``Vt_old`` along
    the columns: two ``allreduce`` of ``r x d`` numbers, one TSQR ``allgatherv`` and one
    ``alltoallv`` balancing the columns of the new ``Vt`` (see
    :mod:`hpa.linalg.incremental_svd`). A singular value that is zero to
    rounding (new columns inside the old span, with no truncation) comes with a singular
    vector that is not determined.

    References
    ----------
    .. [1] M. Brand, "Fast low-rank modifications of the thin singular value decomposition",
       Linear Algebra and its Applications 415(1), 2006.
    """
    new = real_matrix(new_data, "new_data")
    U = real_matrix(U_old, "U_old")
    S = real_matrix(S_old, "S_old", (1,))
    Vt = real_matrix(Vt_old, "Vt_old")
    check_int("maxrank", maxrank, 1, allow_none=True)
    r, (m, d), n = S.shape[0], new.shape, Vt.shape[1]
    if U.shape[1] != r:
        raise ValueError(
            "The number of columns of U_old must match the number of elements in S_old."
        )
    if Vt.shape[0] != r:
        raise ValueError("The number of rows of Vt_old must match the number of elements in S_old.")
    if new.shape[0] != U.shape[0]:
        raise ValueError("The number of rows of new_data must match the number of rows of U_old.")
    Ut = matrix_transpose(U)
    UtN = matmul(Ut, new).resplit(None)
    rest = new - matmul(U, UtN)
    again = matmul(Ut, rest).resplit(None)
    rest = rest - matmul(U, again)
    P, Rc = qr(rest)
    k = Rc.shape[0]
    inner = torch.zeros(r + k, r + d, dtype=UtN.larray.dtype, device=UtN.larray.device)
    inner[:r, :r] = torch.diag(S.resplit(None).larray.to(inner.dtype))
    inner[:r, r:] = (UtN + again).larray
    inner[r:, r:] = Rc.resplit(None).larray
    u, s, v = torch.linalg.svd(inner, full_matrices=False)
    keep = min(s.shape[0], n + d, m, maxrank if maxrank is not None else n + d)
    u, s, v = u[:, :keep], s[:keep], v[:keep]
    comm = UtN.comm
    top = Array(u[:r].contiguous(), Layout((r, keep), None, comm))
    bottom = Array(u[r:].contiguous(), Layout((k, keep), None, comm))
    U_new = matmul(U, top) + matmul(P, bottom)
    left = Array(v[:, :r].contiguous(), Layout((keep, r), None, comm))
    right = Array(v[:, r:].contiguous(), Layout((keep, d), None, comm))
    Vt_new = concatenate([matmul(left, Vt), right], axis=1)
    return U_new, Array(s, Layout((keep,), None, comm)), Vt_new
