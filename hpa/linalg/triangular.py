"""Triangular solves with a matrix held as :class:`~hpa.linalg.panels.Panels` (internal).

``T X = B`` for a lower or upper triangular ``T`` of order ``n``: panel by panel (forward for a
lower ``T``, backward for an upper one), the panel's owner shares the part of its columns the
solve needs (one ``bcast`` of at most ``n b`` elements) and every rank solves the panel's
diagonal block for its own right-hand sides and subtracts the panel's product from the rest.
Every rank holds all ``n`` rows of its right-hand-side columns, so nothing else moves:
``n / b`` broadcasts in all, ``n^2 / 2`` elements received per rank.
"""

from __future__ import annotations

import torch

from hpa.comm.base import ReduceOp
from hpa.core.exchange import Partial, share
from hpa.linalg.checks import LinAlgError
from hpa.linalg.panels import Panels

__all__ = ["check_diagonal", "first_zero_diagonal", "sweep", "sweep_transposed"]


def sweep(pan: Panels, x: torch.Tensor, lower: bool, unit: bool = False) -> torch.Tensor:
    """Overwrite ``x`` (``n x k``, this rank's right-hand sides) with ``T^{-1} x``.

    ``T`` is the lower (unit lower when ``unit``) or upper triangle of the panels' matrix; the
    other triangle is not read. One ``bcast`` per panel, from its owner.
    """
    none = torch.zeros(1, dtype=torch.int64)
    order = range(pan.count) if lower else reversed(range(pan.count))
    for j in order:
        first, stop = pan.span(j)
        rows = slice(first, pan.n) if lower else slice(0, stop)
        t, _ = pan.share(j, rows, none)
        if x.shape[1] == 0:
            continue
        if lower:
            head, rest = t[: stop - first], t[stop - first :]
            x[first:stop] = torch.linalg.solve_triangular(
                head, x[first:stop], upper=False, unitriangular=unit
            )
            x[stop:].addmm_(rest, x[first:stop], alpha=-1)
        else:
            head, rest = t[first:stop], t[:first]
            x[first:stop] = torch.linalg.solve_triangular(
                head, x[first:stop], upper=True, unitriangular=unit
            )
            x[:first].addmm_(rest, x[first:stop], alpha=-1)
    return x


def sweep_transposed(pan: Panels, x: torch.Tensor, lower: bool, unit: bool = False) -> torch.Tensor:
    """Overwrite ``x`` (``n x k``, the same on every rank) with ``T^{-T} x``, ``T`` the lower
    (``unit``: unit lower) or upper triangle of the panels' matrix.

    ``T^T``'s rows are ``T``'s columns, which the panel owners hold: panel by panel (backward
    for a lower ``T``, forward for an upper one), the owner solves for the panel's rows of
    ``x`` from the rows already known, and shares them (one ``bcast`` of ``b k`` elements per
    panel: for a few right-hand sides far less than :func:`sweep`'s panels).
    """
    order = reversed(range(pan.count)) if lower else range(pan.count)
    for j in order:
        first, stop = pan.span(j)
        part = x[first:stop]
        if pan.comm.rank == pan.owner(j):
            at = pan.row_of(j)
            cols = pan.local[at : at + stop - first]  # T[:, panel]^T
            known = slice(stop, pan.n) if lower else slice(0, first)
            rhs = part - cols[:, known] @ x[known]
            part.copy_(
                torch.linalg.solve_triangular(
                    cols[:, first:stop], rhs, upper=lower, unitriangular=unit
                )
            )
        part.copy_(share(part.contiguous(), pan.owner(j), pan.comm))
    return x


def first_zero_diagonal(pan: Panels) -> int:
    """The first index ``i`` with ``M[i, i] == 0``, or ``-1`` (one ``allreduce``)."""
    cols = pan.columns_of(pan.comm.rank).to(pan.local.device)
    diag = pan.local[torch.arange(cols.numel(), device=cols.device), cols]
    zero = cols[diag == 0]
    mine = zero.min() if zero.numel() else torch.tensor(pan.n)
    found = int(Partial(mine.reshape(1).to(torch.int64), pan.comm, ReduceOp.MIN).replicate())
    return -1 if found == pan.n else found


def check_diagonal(pan: Panels) -> None:
    """Raise :class:`LinAlgError` on every rank when the matrix has a zero on its diagonal
    (SciPy's message; one ``allreduce``)."""
    i = first_zero_diagonal(pan)
    if i >= 0:
        raise LinAlgError(f"singular matrix: resolution failed at diagonal {i}")
