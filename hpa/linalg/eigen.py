"""Eigenvalues and eigenvectors of distributed Hermitian matrices.

The method is LAPACK's (``hetrd`` + ``stemr`` + ``unmtr``), spread over round-robin column
panels (:mod:`hpa.linalg.panels`):

1. **Householder tridiagonalisation** ``A = Q T Q^H``, blocked as in LAPACK's ``latrd``: within
   a panel the reflectors' rank-2 updates are accumulated as ``A - V W^H - W V^H`` and applied to
   the trailing columns once per panel (one matrix product per rank). Each reflector needs the
   product of the trailing matrix with its vector: every rank multiplies its own columns, and
   one ``allreduce`` of ``2 (n - i)`` elements sums the parts and brings the next column with
   them. ``n`` allreduces in all; every rank holds ``n^2 / p + O(n b)`` elements.
2. **The tridiagonal problem** ``T = Z diag(w) Z^T`` on every rank with SciPy's LAPACK (the
   eigenvalues by ``stemr``): rank ``r`` computes only the eigenvectors of its block of
   eigenvalue indices (MRRR computes each eigenvector independently, as ScaLAPACK's
   ``pdsyevr`` uses it). No communication.
3. **Back-transformation** ``V = Q Z``: panel by panel (last first), the owner shares its
   reflectors (one ``bcast`` of at most ``n b`` elements) and every rank applies them to its
   eigenvectors (LAPACK ``ormqr``/``unmqr`` through torch). ``n / b`` broadcasts.

The eigenvalues are replicated; the eigenvectors come out split along their columns (the
eigenvalue index), then move to the input's layout. Reference: Golub & Van Loan, *Matrix
Computations*, 4th ed., 8.3 (tridiagonalisation) and 8.4; Dhillon, Parlett & Vomel, "The design
and implementation of the MRRR algorithm", ACM TOMS 32 (2006).
"""

from __future__ import annotations

import numpy as np
import torch

from hpa.core.array import Array
from hpa.core.exchange import Partial
from hpa.core.layout import Layout
from hpa.linalg.checks import block_of
from hpa.linalg.elimination import square
from hpa.linalg.panels import Panels, to_panels

__all__ = ["eigenvalues", "eigenvectors"]


def hermitian_panels(a: Array, uplo: str) -> Panels:
    """The Hermitian matrix whose ``uplo`` triangle ``a`` holds, as panels (two ``alltoallv``:
    ``a`` and its conjugate transpose, merged)."""
    pan = to_panels(a)
    mirror = to_panels(a, transpose=True).local.conj_physical_()
    s, n = pan.local, a.shape[0]
    rows = torch.arange(n, device=s.device)[None, :]
    cols = pan.columns_of(a.comm.rank).to(s.device)[:, None]
    for lo in range(0, s.shape[0], _CHUNK):  # a few rows at a time: no block-sized mask
        c = cols[lo : lo + _CHUNK]
        other = rows < c if uplo == "L" else rows > c
        part = s[lo : lo + _CHUNK]
        part.copy_(torch.where(other, mirror[lo : lo + _CHUNK], part))
    return pan


_CHUNK = 64
"""Rows (or eigenvector columns) handled at a time where a full-size temporary would double
a rank's memory."""


def _householder(
    alpha: torch.Tensor, x: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """LAPACK's ``larfg``: ``beta`` (real), ``tau`` and ``v`` (``v[0] = 1``) with
    ``(I - tau v v^H)^H [alpha; x] = [beta; 0]``."""
    xnorm = torch.linalg.vector_norm(x)
    v = torch.empty(x.numel() + 1, dtype=x.dtype, device=x.device)
    v[0] = 1
    if bool(xnorm == 0) and (not alpha.is_complex() or bool(alpha.imag == 0)):
        v[1:] = 0
        return alpha.real.clone(), torch.zeros_like(alpha), v
    beta = -torch.copysign(torch.hypot(alpha.abs(), xnorm), alpha.real)
    v[1:] = x / (alpha - beta)
    return beta, (beta - alpha) / beta, v


def tridiagonalize(pan: Panels) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Reduce the Hermitian matrix of ``pan`` to a real tridiagonal ``T = Q^H A Q``.

    Returns ``(d, e, tau)`` on every rank: the diagonal, the subdiagonal, and the reflectors'
    factors. The reflector of column ``i`` (``v[0] = 1`` at row ``i + 1``, its other entries
    below) is left in column ``i`` of the panels, rows ``i + 2`` on, for :func:`back_transform`.
    One ``allreduce`` per column.
    """
    s, n, comm = pan.local, pan.n, pan.comm
    dev, dt = s.device, s.dtype
    real = torch.empty(0, dtype=dt).real.dtype
    cols = pan.columns_of(comm.rank).to(dev)
    place = {int(c): k for k, c in enumerate(cols.tolist())}
    d = torch.zeros(n, dtype=real, device=dev)
    e = torch.zeros(max(n - 1, 0), dtype=real, device=dev)
    tau = torch.zeros(n, dtype=dt, device=dev)
    if n == 0:
        return d, e, tau
    carried = _column(s, place, 0, 0, n)
    carried = Partial(carried, comm).replicate()
    for j in range(pan.count):
        first, stop = pan.span(j)
        bw = stop - first
        V = torch.zeros((n, bw), dtype=dt, device=dev)
        W = torch.zeros((n, bw), dtype=dt, device=dev)
        for c in range(bw):
            i = first + c
            a = carried - V[i:, :c] @ W[i, :c].conj() - W[i:, :c] @ V[i, :c].conj()
            d[i] = a[0].real
            if i == n - 1:
                break
            beta, t, v = _householder(a[1], a[2:])
            e[i], tau[i] = beta, t
            V[i + 1 :, c] = v
            after = int(torch.searchsorted(cols, i + 1))
            part = s[after:, i + 1 :].mT @ v[cols[after:] - (i + 1)]
            both = Partial(torch.cat([part, _column(s, place, i + 1, i + 1, n)]), comm).replicate()
            y, carried = both[: n - i - 1], both[n - i - 1 :]
            Vt, Wt = V[i + 1 :, :c], W[i + 1 :, :c]
            x = t * (y - Vt @ (Wt.mH @ v) - Wt @ (Vt.mH @ v))
            W[i + 1 :, c] = x - 0.5 * t * torch.vdot(x, v) * v
        if stop < n:
            carried = carried - V[stop:] @ W[stop].conj() - W[stop:] @ V[stop].conj()
        if comm.rank == pan.owner(j):
            for c in range(bw):
                i = first + c
                if i + 2 < n:
                    s[place[i], i + 2 :] = V[i + 2 :, c]
        after = int(torch.searchsorted(cols, stop))
        if after < cols.numel() and stop < n:
            mine = cols[after:]
            rest = s[after:, stop:]
            rest.addmm_(W[mine].conj(), V[stop:].mT, alpha=-1)
            rest.addmm_(V[mine].conj(), W[stop:].mT, alpha=-1)
    return d, e, tau


def _column(s: torch.Tensor, place: dict[int, int], c: int, first: int, n: int) -> torch.Tensor:
    """Rows ``first:`` of column ``c`` when this rank holds it, else zeros (a part to sum)."""
    if c in place:
        return s[place[c], first:].clone()
    return s.new_zeros(n - first)


def back_transform(pan: Panels, tau: torch.Tensor, z: torch.Tensor) -> torch.Tensor:
    """``Q z`` for this rank's columns ``z`` (``n x k``), ``Q`` the product of the reflectors
    :func:`tridiagonalize` left in ``pan``: one ``bcast`` per panel, last panel first."""
    n = pan.n
    none = torch.zeros(1, dtype=torch.int64)
    for j in reversed(range(pan.count)):
        first, stop = pan.span(j)
        k = min(stop, n - 1) - first
        if k <= 0:
            continue
        block, _ = pan.share(j, slice(first + 1, n), none)
        for lo in range(0, z.shape[1], 4 * _CHUNK):  # ormqr's result is a new tensor
            part = z[first + 1 :, lo : lo + 4 * _CHUNK]
            part.copy_(torch.ormqr(block[:, :k], tau[first : first + k], part))
    return z


def _tridiagonal_values(d: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
    """All eigenvalues of the tridiagonal ``(d, e)`` in float64 (SciPy's ``stemr``)."""
    from scipy.linalg import eigvalsh_tridiagonal

    if d.numel() <= 1:
        return d.to(torch.float64)
    w = eigvalsh_tridiagonal(_f64(d), _f64(e), lapack_driver="stemr")
    return torch.from_numpy(w).to(d.device)


def _f64(t: torch.Tensor) -> np.ndarray:
    return t.to(device="cpu", dtype=torch.float64).numpy()


def _tridiagonal_vectors(d: torch.Tensor, e: torch.Tensor, lo: int, hi: int) -> torch.Tensor:
    from scipy.linalg import eigh_tridiagonal

    n = d.numel()
    if hi == lo:
        return d.new_zeros((n, 0))
    if n == 1:
        return d.new_ones((1, 1))
    _, z = eigh_tridiagonal(
        _f64(d), _f64(e), select="i", select_range=(lo, hi - 1), lapack_driver="stemr"
    )
    return torch.from_numpy(z).to(d.device)


def eigenvalues(a: Array, uplo: str) -> torch.Tensor:
    """The eigenvalues (ascending, on every rank) of a distributed Hermitian ``a``."""
    square(a, "eigvalsh")
    d, e, _ = tridiagonalize(hermitian_panels(a, uplo))
    return _tridiagonal_values(d, e).to(d.dtype)


def eigenvectors(a: Array, uplo: str) -> tuple[torch.Tensor, Array]:
    """Eigenvalues (replicated) and eigenvectors (laid out like ``a``) of a distributed
    Hermitian ``a``."""
    square(a, "eigh")
    pan = hermitian_panels(a, uplo)
    d, e, tau = tridiagonalize(pan)
    w = _tridiagonal_values(d, e)
    out = a.layout if a.split == 1 else a.layout.with_split(1)
    lay = Layout(out.gshape, 1, a.comm, _at_gaps(w, list(out.counts)))  # type: ignore[arg-type]
    lo, hi = lay.range_of(a.comm.rank)
    z = _tridiagonal_vectors(d, e, lo, hi).to(a.larray.dtype)
    v = Array(back_transform(pan, tau, z.contiguous()), lay)
    del pan, z  # the panels are done with: free them before the move to a's layout
    return w.to(d.dtype), Array(block_of(v, a.layout), a.layout)


_WIDE_GAP = 1e-4
"""A gap between eigenvalues, relative to the largest, at which ranks may part: MRRR's
eigenvectors from different ranks are then orthogonal to about ``1e-12`` (measured)."""


def _at_gaps(w: torch.Tensor, counts: list[int]) -> list[int]:
    """``counts`` of eigenvector columns per rank with every boundary that falls inside a
    cluster of the spectrum ``w`` moved to the nearest wide gap.

    Each rank computes the eigenvectors of its own index range, and ranges computed apart are
    orthogonal only when a gap separates them (a cluster split between ranks would get two
    unrelated bases), so a cluster stays on one rank, whatever its size. Every rank derives
    the same counts from the replicated ``w``.
    """
    n, p = w.numel(), len(counts)
    if n < 2 or p < 2:
        return counts
    gaps = (w[1:] - w[:-1]).tolist()  # gaps[i - 1]: between eigenvalues i - 1 and i
    wide = _WIDE_GAP * max(float(w.abs().max()), 1e-300)
    cuts = [i for i in range(1, n) if gaps[i - 1] >= wide]
    bounds, start = [0], 0
    for c in counts[:-1]:
        start += c
        allowed = [i for i in cuts if i >= bounds[-1]]
        best = min(allowed, key=lambda i: (abs(i - start), i), default=n)
        bounds.append(start if start in (0, n) else best)
    bounds.append(n)
    return [b - a for a, b in zip(bounds[:-1], bounds[1:])]
