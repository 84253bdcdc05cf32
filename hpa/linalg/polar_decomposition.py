"""Polar decomposition of distributed matrices (QDWH), and the SVD built on it.

**QDWH** (Nakatsukasa, Bai & Gygi, "Optimizing Halley's iteration for computing the matrix polar
decomposition", SIAM J. Matrix Anal. Appl. 31 (2010)): the dynamically weighted Halley iteration
``X <- (b/c) X + (a - b/c) X (I + c X^H X)^{-1}`` from ``X_0 = A / ||A||_F`` converges to the polar
factor in at most six steps for condition numbers up to ``1e16``. Each step is computed stably
from the Householder QR of the stacked ``[sqrt(c) X; I]`` (the ``R`` factor gives
``I + c X^H X = R^H R``), never forming ``X^H X``:

- the QR runs on round-robin column panels (:mod:`hpa.linalg.panels`): the owner of each panel
  factors it (LAPACK ``geqrf``) and shares its reflectors (one ``bcast`` of at most
  ``(m + n) b`` elements); every rank applies them to its columns (``ormqr``);
- ``X (R^H R)^{-1}`` is two triangular sweeps (:mod:`hpa.linalg.triangular`) on the rows of
  ``X`` each rank holds, as the columns of ``X^H``.

A step communicates one ``alltoallv`` to the panels, ``n / b`` broadcasts for the QR, two
``alltoallv`` for ``R^H``, ``2 n / b`` broadcasts for the sweeps and one ``allreduce`` for the
step's size; a rank holds ``O((m + n) n / p + (m + n) b)`` elements.

The **SVD** of a matrix whose short side is long: ``A = U_p H`` by QDWH, ``H = V diag(S) V^H`` by
the distributed :func:`hpa.linalg.eigh`, ``U = U_p V``.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from hpa.comm.base import Communicator
from hpa.core.array import Array
from hpa.core.exchange import Partial
from hpa.core.layout import Layout
from hpa.linalg.checks import as_matrix, block_of
from hpa.linalg.panels import Panels, from_panels, to_panels
from hpa.linalg.products import matmul
from hpa.linalg.triangular import sweep
from hpa.ops.elementwise import conj
from hpa.ops.manipulation import flip, matrix_transpose

__all__ = ["polar"]

_STEPS = 20


def householder_qr(pan: Panels) -> torch.Tensor:
    """Overwrite the tall ``pan`` (``m >= n``) with its Householder QR in LAPACK's form
    (``R`` on and above the diagonal, the reflectors below); return the reflectors' factors
    ``tau`` (on every rank). One ``bcast`` per panel."""
    s, m = pan.local, pan.m
    tau = s.new_zeros(pan.n)
    for j in range(pan.count):
        first, stop = pan.span(j)
        bw = stop - first
        t = s.new_zeros(bw)
        if pan.comm.rank == pan.owner(j):
            at = pan.row_of(j)
            packed, t = torch.geqrf(s[at : at + bw, first:].mT)
            s[at : at + bw, first:] = packed.mT
        panel, t = pan.share(j, slice(first, m), t)
        tau[first:stop] = t
        rest = s[pan.after(j) :, first:]
        if rest.shape[0]:
            rest.copy_(torch.ormqr(panel, t, rest.mT, left=True, transpose=True).mT)
    return tau


def _weights(low: float) -> tuple[float, float, float]:
    """QDWH's ``(a, b, c)`` for the lower bound ``low`` of the singular values."""
    low2 = low * low
    gamma = (4 * (1 - low2) / (low2 * low2)) ** (1 / 3)
    root = math.sqrt(1 + gamma)
    a = root + 0.5 * math.sqrt(8 - 4 * gamma + 8 * (2 - low2) / (low2 * root))
    b = (a - 1) ** 2 / 4
    return a, b, a + b - 1


def _norm(x: torch.Tensor, comm: Communicator) -> float:
    part = torch.linalg.vector_norm(x).to(torch.float64) ** 2
    return math.sqrt(float(Partial(part.reshape(1), comm).replicate()))


def qdwh(x: torch.Tensor, lay: Layout) -> torch.Tensor:
    """The polar factor ``U_p`` (``A = U_p H``) of the tall ``(m, n)`` matrix whose rows
    ``x`` this rank holds under ``lay`` (split 0): this rank's rows of ``U_p``.

    A zero matrix gives zeros (its polar factor is not defined); singular values that are
    exactly zero stay zero.
    """
    comm = lay.comm
    m, n = lay.gshape
    scale = _norm(x, comm)
    if scale == 0:
        return torch.zeros_like(x)
    x = (x / scale).contiguous()
    eps = torch.finfo(x.dtype).eps
    low = eps
    for _ in range(_STEPS):
        a, b, c = _weights(low)
        pan = to_panels(Array(x, lay))
        cols = pan.columns_of(comm.rank).to(x.device)
        eye = x.new_zeros((cols.numel(), n))
        eye[torch.arange(cols.numel(), device=x.device), cols] = 1
        stacked = pan.with_local(torch.cat([math.sqrt(c) * pan.local, eye], dim=1))
        householder_qr(stacked)
        rows = torch.arange(n, device=x.device)[None, :]
        r = pan.with_local(stacked.local[:, :n].masked_fill(rows > cols[:, None], 0))
        rh = to_panels(from_panels(r, 1), transpose=True)
        rh.local.conj_physical_()
        z = x.mH.resolve_conj().clone(memory_format=torch.contiguous_format)
        sweep(rh, z, lower=True)
        sweep(r, z, lower=False)
        new = (b / c) * x + (a - b / c) * z.mH
        step = _norm(new - x, comm)
        x = new
        low = min(1.0, low * (a + b * low * low) / (1 + c * low * low))
        if low > 1 - 10 * eps and step <= (5 * eps) ** (1 / 3):
            break
    return x


SMALL_FACTOR = 1 << 22
"""Above this many elements in the ``k x k`` factor of an SVD (``k`` the short side), a split
matrix takes the polar route and every factor stays split; at or below, TSQR replicates the
small factor. The choice depends on the shape only, so the layout of the result does not
depend on the process count."""


def polar(a: Any, side: str = "right") -> tuple[Array, Array]:
    """Polar decomposition ``A = U P`` (``side="right"``) or ``A = P U`` (``"left"``), like
    ``scipy.linalg.polar``: ``U`` has orthonormal columns (tall ``A``) or rows (wide ``A``), ``P``
    is Hermitian positive semi-definite.

    A split matrix: ``U`` by QDWH (see the module), split along the long axis (rows for tall or
    square ``A``, columns for wide); ``P = U^H A`` (or ``A U^H``) by :func:`hpa.matmul` and made
    exactly Hermitian. Replicated matrices: from torch's SVD on every rank.
    """
    if side not in ("right", "left"):
        raise ValueError("`side` must be either 'right' or 'left'")
    a = as_matrix(a)
    if a.ndim != 2:
        raise ValueError(f"`a` must be a 2-D array, got shape {a.shape}")
    if a.split is None:
        w, s, vh = torch.linalg.svd(a.larray, full_matrices=False)
        u = w @ vh
        p = (vh.mH * s) @ vh if side == "right" else (w * s) @ w.mH
        return _whole(u, a.comm), _whole(p, a.comm)
    u = polar_factor(a)
    uh = conj(matrix_transpose(u))
    p = matmul(uh, a) if side == "right" else matmul(a, uh)
    return u, (p + conj(matrix_transpose(p))) / 2


def _whole(t: torch.Tensor, comm: Communicator) -> Array:
    return Array(t, Layout(tuple(t.shape), None, comm))


def polar_factor(a: Array) -> Array:
    """QDWH's ``U`` of a split 2-D ``a``: split 0 when ``a`` is tall or square, 1 when wide
    (``a^H``'s factor, conjugate-transposed); one ``alltoallv`` first when ``a`` is split the
    other way."""
    m, n = a.shape
    x = a if m >= n else conj(matrix_transpose(a))
    lay = x.layout.with_split(0)
    rows = block_of(x, lay)
    u = Array(qdwh(rows, lay), lay)
    return u if m >= n else conj(matrix_transpose(u))


def svd_from_polar(x: Array, full_matrices: bool) -> tuple[Array, Array, Array]:
    """``(U, S, V)`` with ``X = U diag(S) V^H`` for the tall ``(m, n)`` ``x`` split along rows:
    ``U`` split 0 (``m x m`` when ``full_matrices``, else ``m x n``), ``S`` replicated
    (descending), ``V`` split 0.

    ``X = U_p H`` (QDWH), ``H = V diag(S) V^H`` (:func:`hpa.linalg.eigh`), ``U = U_p V``. Columns
    of ``U`` left empty (exactly zero singular values), and those ``full_matrices`` adds, are
    filled with an orthonormal basis of the rest's complement (random vectors projected out
    twice, then orthonormalised by QDWH).
    """
    from hpa.linalg.factorizations import eigh

    m, n = x.shape
    up = Array(qdwh(x.larray, x.layout), x.layout)
    h = matmul(conj(matrix_transpose(up)), x)
    h = (h + conj(matrix_transpose(h))) / 2
    w, v = eigh(h)
    s = Array(w.larray.flip(0).clamp(min=0).contiguous(), w.layout)
    v = flip(v, 1)
    v = Array(block_of(v, v.layout.with_split(0)), v.layout.with_split(0))
    u = matmul(up, v)
    u = Array(block_of(u, u.layout.with_split(0)), u.layout.with_split(0))
    top = float(s.larray[0]) if n else 0.0
    null = s.larray <= top * max(m, n) * torch.finfo(s.larray.dtype).eps
    return _completed(u, null, m if full_matrices else n), s, v


def singular_values(x: Array) -> Array:
    """The singular values (descending, replicated) of the tall ``x`` split along rows: the
    eigenvalues of ``H`` (``X = U_p H``, QDWH), no eigenvectors."""
    from hpa.linalg.factorizations import eigvalsh

    up = Array(qdwh(x.larray, x.layout), x.layout)
    h = matmul(conj(matrix_transpose(up)), x)
    w = eigvalsh((h + conj(matrix_transpose(h))) / 2)
    return Array(w.larray.flip(0).clamp(min=0).contiguous(), w.layout)


def _completed(u: Array, null: torch.Tensor, total: int) -> Array:
    """``u`` (split 0, orthonormal columns except the ``null`` ones: those of zero singular
    values, where ``U_p`` is not defined) with the ``null`` columns, and ``total - k`` more,
    filled with an orthonormal basis of the complement of the others."""
    m, k = u.shape
    t = u.larray
    empty = null.nonzero()[:, 0].to(t.device)
    need = empty.numel() + total - k
    if need == 0:
        return u
    t = t.clone()
    t[:, empty] = 0
    kept = Array(t, u.layout)
    lay = Layout((m, need), 0, u.comm, u.counts)
    lo, hi = lay.range_of(u.comm.rank)
    g = Array(_scrambled(lo, hi, need, t), lay)
    for _ in range(2):
        g = g - matmul(kept, matmul(conj(matrix_transpose(kept)), g))
    basis = qdwh(g.larray, g.layout)
    t[:, empty] = basis[:, : empty.numel()]
    full = torch.cat([t, basis[:, empty.numel() :]], dim=1)
    return Array(full, Layout((m, total), 0, u.comm, u.counts))


def _scrambled(lo: int, hi: int, k: int, like: torch.Tensor) -> torch.Tensor:
    """Rows ``lo:hi`` of a fixed ``(m, k)`` matrix in general position (a hash of the global
    indices: the same at every process count, and no random state is touched)."""
    i = torch.arange(lo, hi, dtype=torch.float64, device=like.device)[:, None]
    j = torch.arange(k, dtype=torch.float64, device=like.device)[None, :]
    h = torch.sin(i * 12.9898 + j * 78.233 + 0.5) * 43758.5453
    return (h - h.floor() - 0.5).to(like.dtype)
