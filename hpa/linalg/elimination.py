"""LU factorisation with partial pivoting, and what is built on it, for distributed matrices.

A square matrix split along its rows or columns is dealt as column panels round-robin over the
ranks (:mod:`hpa.linalg.panels`, one ``alltoallv``) and factored right-looking, panel by panel
(the blocked algorithm of LAPACK's ``getrf``, with the columns spread over the ranks as in
ScaLAPACK's one-dimensional cyclic layout):

1. the owner of panel ``j`` factors its ``(n - jb) x b`` panel with LAPACK (through torch),
   choosing each pivot as the entry of largest modulus in its column: classic partial pivoting,
   the owner holds the whole column, so no reduction per column is needed;
2. the owner shares the factored panel with its ``b`` pivots and status (one ``bcast`` of at most
   ``n b`` elements);
3. every rank swaps the pivot rows in its columns, and updates its columns right of the panel:
   a triangular solve for the panel's rows of ``U`` and one matrix product for the trailing
   block.

``n / b`` broadcasts in all; every rank holds its ``n^2 / p`` elements plus one panel. The
pivots end up on every rank. Solves apply the pivots to the right-hand sides and sweep the two
triangles (:mod:`hpa.linalg.triangular`: ``n / b`` broadcasts each).
"""

from __future__ import annotations

from typing import Any, NamedTuple

import torch

from hpa.core.array import Array
from hpa.core.exchange import gather_blocks
from hpa.core.layout import Layout
from hpa.linalg.checks import LinAlgError, agree, as_floating, as_matrix, block_of, whole
from hpa.linalg.panels import Panels, from_panels, to_panels, width
from hpa.linalg.triangular import sweep, sweep_transposed
from hpa.ops.creation import coerce

__all__ = ["LUResult", "lu", "lu_factor", "lu_solve"]


class LUResult(NamedTuple):
    """``P, L, U`` of :func:`lu` (``A = P @ L @ U``)."""

    P: Array
    L: Array
    U: Array


def distributed(a: Array) -> bool:
    """Whether ``a`` is a split 2-D matrix on more than one rank (the distributed algorithms);
    otherwise every rank holds whole matrices and torch factors them locally."""
    return a.ndim == 2 and a.split is not None and a.comm.size > 1


def square(a: Array, name: str) -> None:
    """Raise on every rank unless the 2-D ``a`` is square (shapes are known to all)."""
    if a.shape[0] != a.shape[1]:
        raise LinAlgError(f"{name}: a distributed matrix must be square, got shape {a.shape}")


def factor(pan: Panels) -> tuple[torch.Tensor, int]:
    """Overwrite ``pan`` with its LU factors (unit ``L`` below the diagonal, ``U`` on and above).

    Returns
    -------
    piv : torch.Tensor
        int64 ``(n,)``, on every rank: row ``i`` was swapped with row ``piv[i]`` (LAPACK's
        convention, 0-based).
    info : int
        0, or ``i + 1`` for the first exactly zero pivot ``U[i, i]``, the same on every rank.
    """
    s, n = pan.local, pan.n
    piv = torch.arange(n)
    info = 0
    for j in range(pan.count):
        first, stop = pan.span(j)
        bw = stop - first
        mine = pan.comm.rank == pan.owner(j)
        status = torch.zeros(bw + 1, dtype=torch.int64)
        if mine:
            at = pan.row_of(j)
            packed, pv, bad = torch.linalg.lu_factor_ex(s[at : at + bw, first:].mT)
            s[at : at + bw, first:] = packed.mT
            status[:bw], status[bw] = pv.cpu() - 1, bad.cpu()
        panel, status = pan.share(j, slice(first, n), status)
        piv[first:stop] = status[:bw] + first
        if not info and status[bw]:
            info = first + int(status[bw])
        _swap_rows(s, first, piv[first:stop], keep=(pan.row_of(j), bw) if mine else None)
        rest = s[pan.after(j) :]
        if rest.shape[0]:
            head = rest[:, first:stop]
            head.copy_(
                torch.linalg.solve_triangular(
                    panel[:bw].mT, head, upper=True, left=False, unitriangular=True
                )
            )
            rest[:, stop:].addmm_(head, panel[bw:].mT, alpha=-1)
    return piv, info


def _swap_rows(s: torch.Tensor, first: int, targets: torch.Tensor, keep: Any) -> None:
    """Swap rows ``first + i`` and ``targets[i]`` of the matrix (columns of the storage ``s``),
    in order, except in the local rows ``keep = (start, count)`` (the panel just factored)."""
    order = list(range(first, first + len(targets)))
    moved = {i: i for i in order}
    for i, t in zip(order, targets.tolist()):
        moved.setdefault(t, t)
        moved[i], moved[t] = moved[t], moved[i]
    dst = [k for k, v in moved.items() if k != v]
    if not dst:
        return
    src = torch.tensor([moved[k] for k in dst], device=s.device)
    idx = torch.tensor(dst, device=s.device)
    if keep is None:
        s[:, idx] = s[:, src]
        return
    start, count = keep
    for part in (s[:start], s[start + count :]):
        part[:, idx] = part[:, src]


def permutation(piv: torch.Tensor) -> torch.Tensor:
    """The row order ``perm`` with ``A[perm] = L U`` from LAPACK-style swaps ``piv``."""
    perm = list(range(piv.numel()))
    for i, t in enumerate(piv.tolist()):
        perm[i], perm[t] = perm[t], perm[i]
    return torch.tensor(perm, dtype=torch.int64)


# ---------------------------------------------------------------------- right-hand sides
def solve_columns(pan: Panels, piv: torch.Tensor, x: torch.Tensor, trans: int = 0) -> torch.Tensor:
    """``A^{-1} x`` (``trans`` 1: ``A^{-T}``, 2: ``A^{-H}``) for this rank's right-hand sides
    ``x`` (``n x k``, all rows), from the factors in ``pan`` (the factors of ``A^T`` when
    ``trans``: see :func:`lu_solve`)."""
    perm = permutation(piv).to(x.device)
    if trans == 0:
        x = x[perm]
        sweep(pan, x, lower=True, unit=True)
        return sweep(pan, x, lower=False)
    sweep(pan, x, lower=True)
    sweep(pan, x, lower=False, unit=True)
    out = torch.empty_like(x)
    out[perm] = x
    return out


def with_rhs(b: Array, n: int, b_width: int, apply: Any) -> Array:
    """``apply(x)`` (a function of ``n x k`` right-hand sides held whole in their rows) on
    ``b``, the result laid out like ``b``.

    ``b`` replicated: every rank solves all of it (no communication). Split along its columns:
    each rank solves its own. A vector, or rows split with at most ``b_width`` columns: gathered
    (one ``allgatherv`` of ``n k`` elements) and the solution sliced back. Rows split with more
    columns: moved to columns and back (one ``alltoallv`` each). A stack of right-hand sides is
    gathered and solved as the columns of one matrix.
    """
    if b.ndim > 2:
        full = whole(b)
        cols = full.movedim(-2, 0).reshape(n, -1)
        x = apply(cols.clone()).reshape(n, *full.shape[:-2], full.shape[-1]).movedim(0, -2)
        return _like(x.contiguous(), b)
    if b.ndim == 1:
        x = apply(whole(b)[:, None].clone())[:, 0]
        return _like(x, b)
    if b.split is None or b.split == 1:
        return Array(apply(b.larray.clone()), b.layout)
    if b.shape[1] <= b_width:
        return _like(apply(whole(b).clone()), b)
    lay = b.layout.with_split(1)
    x = Array(apply(block_of(b, lay).clone()), lay)
    return Array(block_of(x, b.layout), b.layout)


def _like(full: torch.Tensor, b: Array) -> Array:
    """My block of the replicated ``full`` under ``b``'s layout (no communication)."""
    if b.split is None:
        return Array(full, b.layout)
    lo, hi = b.layout.range_of(b.comm.rank)
    return Array(full.narrow(b.split, lo, hi - lo).contiguous(), b.layout)


def solve(a: Array, b: Array) -> Array:
    """``A^{-1} b`` for a distributed square ``a`` (both in one floating dtype): LU, then the
    two triangular sweeps on ``b`` laid out as :func:`with_rhs` says.

    ``a`` split along rows with a few right-hand sides that every rank holds whole (at most one
    panel's width of them, not split along columns): the LU of ``A^T`` instead, whose panels
    are the rows ``a`` already holds (no transposition on the way), and the sweeps of
    ``A = U^T L^T P^T`` share only the solution's rows (``b k`` elements per panel).
    """
    square(a, "solve")
    n, p = a.shape[0], a.comm.size
    few = b.ndim == 1 or (b.ndim == 2 and b.split != 1 and b.shape[1] <= width(n, p))
    pan = to_panels(a, transpose=a.split == 0 and few)
    piv, info = factor(pan)
    if info:
        raise LinAlgError("Singular matrix")
    if a.split == 0 and few:
        return with_rhs(b, n, pan.b, lambda x: _solve_transposed(pan, piv, x))
    return with_rhs(b, n, pan.b, lambda x: solve_columns(pan, piv, x))


def _solve_transposed(pan: Panels, piv: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """``A^{-1} x`` for right-hand sides ``x`` held whole by every rank, from the LU of
    ``A^T = P L U`` in ``pan``: ``U^T L^T (P^T x) = b``."""
    sweep_transposed(pan, x, lower=False)
    sweep_transposed(pan, x, lower=True, unit=True)
    out = torch.empty_like(x)
    out[permutation(piv).to(x.device)] = x
    return out


def inverse(a: Array) -> Array:
    """``A^{-1}`` for a distributed square ``a``, split like ``a``: the identity's columns of
    each rank solved there (split 0 moves to split 1 and back: one ``alltoallv`` each)."""
    square(a, "inv")
    pan = to_panels(a)
    piv, info = factor(pan)
    if info:
        raise LinAlgError("Singular matrix")
    n = a.shape[0]
    lay = a.layout if a.split == 1 else a.layout.with_split(1)
    lo, hi = lay.range_of(a.comm.rank)
    dev = a.larray.device
    # my columns of P^T I (row i holds a 1 in column perm[i]), built already permuted
    x = torch.zeros((n, hi - lo), dtype=a.larray.dtype, device=dev)
    rows = torch.argsort(permutation(piv)).to(dev)[lo:hi]
    x[rows, torch.arange(hi - lo, device=dev)] = 1
    sweep(pan, x, lower=True, unit=True)
    inv = Array(sweep(pan, x, lower=False), lay)
    return inv if a.split == 1 else Array(block_of(inv, a.layout), a.layout)


def determinant(a: Array) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The diagonal of ``U`` (gathered: one ``allgatherv`` of ``n`` elements, in rank order) and
    the permutation's sign, on every rank, for a distributed square ``a``: ``(diag, sign)`` and
    whether a pivot is zero."""
    square(a, "det")
    pan = to_panels(a, transpose=a.split == 0)  # det(A^T) = det(A): no transposition
    piv, _ = factor(pan)
    cols = pan.columns_of(a.comm.rank).to(pan.local.device)
    mine = pan.local[torch.arange(cols.numel(), device=cols.device), cols]
    counts = [pan.columns_of(q).numel() for q in range(a.comm.size)]
    diag = gather_blocks(mine.contiguous(), counts, a.comm)
    swaps = int((piv != torch.arange(piv.numel())).sum())
    sign = torch.tensor(-1.0 if swaps % 2 else 1.0, dtype=diag.dtype)
    return diag, sign, (diag == 0).any()


# ---------------------------------------------------------------------- public
def lu_factor(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> tuple[Array, Array]:
    """LU factorisation with partial pivoting in LAPACK's packed form, like
    ``scipy.linalg.lu_factor``.

    Returns ``(lu, piv)``: ``lu`` holds ``U`` on and above the diagonal and the unit ``L``
    below it, laid out like ``a``; ``piv`` (int32, replicated) says that row ``i`` was swapped
    with row ``piv[i]``. A split matrix is factored distributed (see the module: one
    ``alltoallv`` to the panels and one back, ``n / b`` broadcasts of one panel each, at most
    ``n^2 / p + O(n b)`` elements per rank); replicated matrices are factored by torch on every
    rank. ``overwrite_a`` is accepted for SciPy compatibility (the input is never changed).

    Raises
    ------
    ValueError
        On every rank, when ``check_finite`` is set and ``a`` holds infinities or NaNs.
    numpy.linalg.LinAlgError
        On every rank, for a split matrix that is not square.
    """
    a = as_matrix(a)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {a.shape}")
    finite(a, check_finite)
    if not distributed(a):
        packed, pv, _ = torch.linalg.lu_factor_ex(a.larray)
        piv = pv.to(torch.int32) - 1
        return Array(packed, a.layout), Array(piv, Layout(tuple(piv.shape), None, a.comm))
    square(a, "lu_factor")
    pan = to_panels(a)
    piv64, _ = factor(pan)
    piv = piv64.to(device=a.larray.device, dtype=torch.int32)
    packed = from_panels(pan, a.split, a.counts)
    return packed, Array(piv, Layout(tuple(piv.shape), None, a.comm))


def finite(a: Array, check: bool) -> None:
    """Raise ``ValueError`` on every rank when ``check`` and ``a`` is not all finite (one
    ``allreduce`` when split), as SciPy's ``check_finite``."""
    if check and agree(~torch.isfinite(a.larray), a.layout):
        raise ValueError("array must not contain infs or NaNs")


def lu_solve(
    lu_and_piv: tuple[Any, Any],
    b: Any,
    trans: int = 0,
    overwrite_b: bool = False,
    check_finite: bool = True,
) -> Array:
    """Solve ``A x = b`` (``trans`` 1: ``A^T x = b``, 2: ``A^H x = b``) from :func:`lu_factor`'s
    output, like ``scipy.linalg.lu_solve``; ``x`` is laid out like ``b``.

    A split ``lu`` is dealt to panels (of ``lu^T`` when ``trans``: one ``alltoallv``) and swept
    twice (``n / b`` broadcasts each); ``b`` moves as in :func:`hpa.linalg.solve`.
    """
    packed, piv = as_matrix(lu_and_piv[0]), coerce(lu_and_piv[1])
    if trans not in (0, 1, 2):
        raise ValueError("trans must be 0, 1 or 2")
    n = packed.shape[0]
    rhs = as_floating(coerce(b, packed))
    if rhs.shape[0] != n:
        raise ValueError(f"shapes of lu {packed.shape} and b {rhs.shape} are incompatible")
    dt = torch.promote_types(packed.larray.dtype, rhs.larray.dtype)
    packed, rhs = Array(packed.larray.to(dt), packed.layout), Array(rhs.larray.to(dt), rhs.layout)
    finite(rhs, check_finite)
    pv = whole(piv)
    if not distributed(packed):
        t = whole(packed)
        pivots = pv.to(device=t.device, dtype=torch.int32) + 1

        def local(x: torch.Tensor) -> torch.Tensor:
            if trans == 1 and t.is_complex():  # A^T x = b  <=>  A^H conj(x) = conj(b)
                return torch.linalg.lu_solve(t, pivots, x.conj(), adjoint=True).conj_physical()
            return torch.linalg.lu_solve(t, pivots, x, adjoint=trans != 0)

        return with_rhs(rhs, n, n, local)
    square(packed, "lu_solve")
    pan = to_panels(packed, transpose=trans != 0)
    if trans == 2:
        pan.local.conj_physical_()
    return with_rhs(rhs, n, pan.b, lambda x: solve_columns(pan, pv.to(torch.int64).cpu(), x, trans))


def lu(
    a: Any, permute_l: bool = False, overwrite_a: bool = False, check_finite: bool = True,
    p_indices: bool = False,
) -> Any:  # fmt: skip
    """LU factorisation with partial pivoting, like ``scipy.linalg.lu``: ``A = P @ L @ U``.

    Returns ``(P, L, U)``; with ``permute_l``, ``(P @ L, U)``; with ``p_indices``, ``P`` is the
    int64 vector ``p`` (replicated) with ``A = L[p] @ U``. ``P``, ``L`` and ``U`` are laid out
    like ``a``. A split matrix is factored as in :func:`lu_factor`; ``L`` and ``U`` come back
    from the panels with one ``alltoallv`` each, ``P`` is built locally from the pivots.
    """
    a = as_matrix(a)
    if a.ndim != 2:
        raise ValueError(f"expected a 2-D matrix, got shape {a.shape}")
    finite(a, check_finite)
    n, comm = a.shape[0], a.comm
    if not distributed(a):
        P, L, U = torch.linalg.lu(a.larray)
        if permute_l:
            return _local(P @ L, a), _local(U, a)
        index = P.real.argmax(-1) if P.shape[-1] else torch.zeros(P.shape[:-1], dtype=torch.int64)
        first = _local(index if p_indices else P, a)
        return LUResult(first, _local(L, a), _local(U, a))
    square(a, "lu")
    pan = to_panels(a)
    piv, _ = factor(pan)
    s = pan.local
    rows = torch.arange(n, device=s.device)[None, :]
    cols = pan.columns_of(comm.rank).to(s.device)[:, None]
    upper = pan.with_local(s.masked_fill(rows > cols, 0))
    lower = s.masked_fill(rows <= cols, 0)
    lower[torch.arange(cols.shape[0], device=s.device), cols[:, 0]] = 1
    split: int = a.split
    inverse_perm = torch.argsort(permutation(piv)).to(s.device)
    if permute_l:  # row r of P L is row inverse_perm[r] of L
        lower = lower[:, inverse_perm]
    L = from_panels(pan.with_local(lower), split, a.counts)
    U = from_panels(upper, split, a.counts)
    if permute_l:
        return L, U
    if p_indices:
        return LUResult(Array(inverse_perm, Layout((n,), None, comm)), L, U)
    return LUResult(_perm_matrix(permutation(piv), a), L, U)


def _local(t: torch.Tensor, a: Array) -> Array:
    """A factor computed by torch from the whole ``a``: replicated, or ``a``'s layout at one
    process (the factor's shape may differ from a rectangular ``a``'s)."""
    split = a.split if t.ndim == 2 else None
    return Array(t, Layout(tuple(t.shape), split, a.comm))


def _perm_matrix(perm: torch.Tensor, a: Array) -> Array:
    """My block of ``P`` with ``P[perm[i], i] = 1`` (``A = P L U``), laid out like ``a``."""
    lo, hi = a.layout.range_of(a.comm.rank)
    n = a.shape[0]
    dev = a.larray.device
    perm = perm.to(dev)
    if a.split == 0:
        block = torch.zeros((hi - lo, n), dtype=a.larray.dtype, device=dev)
        i = ((perm >= lo) & (perm < hi)).nonzero()[:, 0]
        block[perm[i] - lo, i] = 1
    else:
        block = torch.zeros((n, hi - lo), dtype=a.larray.dtype, device=dev)
        i = torch.arange(lo, hi, device=dev)
        block[perm[i], i - lo] = 1
    return Array(block, a.layout)
