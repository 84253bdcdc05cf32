"""Matrices held as column panels dealt round-robin over the ranks (internal).

The distributed factorizations (:mod:`hpa.linalg.elimination`, :mod:`hpa.linalg.positive_definite`,
:mod:`hpa.linalg.eigen`) work on an ``m x n`` matrix ``M`` cut into column panels of width
``b``: panel ``j`` holds columns ``[j b, min(n, (j + 1) b))`` and lives on rank ``j % p``. Dealing
the panels round-robin keeps every rank busy until the last panel (a contiguous split would
leave the first ranks idle once their columns are factored). Each rank stores its columns as
the rows of one ``(w, m)`` tensor, ascending (column-major storage: a column is contiguous).

A rank holds ``n^2 / p + O(n b)`` elements: its columns, plus one panel received at a time.

==============================  ===========================  ===============================
step                            collectives                  volume per rank
==============================  ===========================  ===============================
:func:`to_panels` (split 0/1)   one ``alltoallv``            the local block
:func:`from_panels`             one ``alltoallv``            the local block
:meth:`Panels.share`            one ``bcast``                one panel (``<= n b``) with
                                                             its status
==============================  ===========================  ===============================
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from hpa.comm.base import Communicator
from hpa.core.array import Array
from hpa.core.exchange import share_parts, swap_pieces
from hpa.core.layout import Layout

__all__ = ["BLOCK", "Panels", "from_panels", "to_panels", "width"]

BLOCK = 128
"""Panel width: wide enough for matrix-matrix products, narrow enough to balance the ranks."""


class Panels:
    """An ``m x n`` matrix as column panels of width ``b``, panel ``j`` on rank ``j % p``.

    Parameters
    ----------
    local : torch.Tensor
        ``(w, m)``: this rank's columns of the matrix as rows, in ascending order.
    n : int
        The number of columns (``m``, the rows, is ``local.shape[1]``).
    b : int
        The panel width.
    comm : Communicator
        The ranks holding the panels.
    """

    def __init__(self, local: torch.Tensor, n: int, b: int, comm: Communicator) -> None:
        self.local, self.n, self.b, self.comm = local, n, b, comm
        self.m = local.shape[1]

    @property
    def count(self) -> int:
        """The number of panels."""
        return -(-self.n // self.b) if self.n else 0

    def owner(self, j: int) -> int:
        """The rank holding panel ``j``."""
        return j % self.comm.size

    def span(self, j: int) -> tuple[int, int]:
        """The global columns ``[first, stop)`` of panel ``j``."""
        return j * self.b, min(self.n, (j + 1) * self.b)

    def row_of(self, j: int) -> int:
        """Where panel ``j`` starts among its owner's local rows."""
        return (j // self.comm.size) * self.b

    def after(self, j: int) -> int:
        """The first local row of this rank's panels numbered above ``j``."""
        r, p = self.comm.rank, self.comm.size
        held = (j - r) // p + 1 if j >= r else 0
        return min(self.local.shape[0], held * self.b)

    def mine(self) -> list[int]:
        """The panels this rank holds, ascending."""
        return list(range(self.comm.rank, self.count, self.comm.size))

    def columns_of(self, r: int) -> torch.Tensor:
        """The global columns rank ``r`` holds, ascending (int64)."""
        return _columns(self.n, self.b, r, self.comm.size)

    def share(self, j: int, rows: slice, extra: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Panel ``j``'s ``rows`` (as an ``(rows, width)`` matrix) and its owner's ``extra``
        (a tensor of the same shape and dtype on every rank) on every rank: one ``bcast``."""
        first, stop = self.span(j)
        height = len(range(self.m)[rows])
        o = self.owner(j)
        if self.comm.rank == o:
            s = self.row_of(j)
            block = self.local[s : s + stop - first, rows].mT.contiguous()
        else:
            block = self.local.new_empty((height, stop - first))
        block, extra = share_parts([block, extra], o, self.comm)
        return block, extra

    def with_local(self, local: torch.Tensor) -> Panels:
        """The same panels holding ``local`` instead."""
        return Panels(local, self.n, self.b, self.comm)


def _columns(n: int, b: int, r: int, p: int) -> torch.Tensor:
    starts = torch.arange(r * b, max(n, r * b), p * b)
    cols = (starts[:, None] + torch.arange(b)).reshape(-1)
    return cols[cols < n]


def width(n: int, p: int) -> int:
    """The panel width for order ``n`` at ``p`` ranks: :data:`BLOCK`, or less so that every
    rank holds a panel."""
    return max(1, min(BLOCK, -(-n // p)))


def _ranges(lay: Layout) -> list[tuple[int, int]]:
    return [lay.range_of(q) for q in range(lay.comm.size)]


def to_panels(a: Array, transpose: bool = False, b: int | None = None) -> Panels:
    """The 2-D ``a`` (or its transpose) as :class:`Panels` (one ``alltoallv``; none when ``a``
    is replicated or at one process).

    ``a`` is split along 0 or 1, or replicated. Rows of ``a`` become the panels' columns when
    ``transpose`` is set.
    """
    m, n = a.shape[::-1] if transpose else a.shape
    comm = a.comm
    p, me = comm.size, comm.rank
    b = width(n, p) if b is None else b
    t = a.larray
    mine = _columns(n, b, me, p)
    if a.split is None:  # replicated: my columns are a local slice
        local = (t if transpose else t.mT).index_select(0, mine.to(t.device))
        return Panels(local.contiguous(), n, b, comm)
    ranges = _ranges(a.layout)
    lo, hi = ranges[me]
    holds_columns = (a.split == 1) != transpose  # t carries whole columns of the matrix
    if holds_columns:
        cols = t.mT if a.split == 1 else t  # (hi - lo, m): the matrix's columns lo..hi
        pieces = [
            cols.index_select(0, _within(_columns(n, b, d, p), lo, hi) - lo) for d in range(p)
        ]
        shapes = [(_count(mine, *ranges[q]), m) for q in range(p)]
        got = swap_pieces(pieces, shapes, comm)
        return Panels(torch.cat(got) if p > 1 else got[0].clone(), n, b, comm)
    rows = t if a.split == 0 else t.mT  # (hi - lo, n): the matrix's rows lo..hi
    pieces = [rows.index_select(1, _columns(n, b, d, p).to(t.device)).mT for d in range(p)]
    shapes = [(mine.numel(), q_hi - q_lo) for q_lo, q_hi in ranges]
    got = swap_pieces(pieces, shapes, comm)
    local = t.new_empty((mine.numel(), m))
    for (q_lo, q_hi), piece in zip(ranges, got):
        local[:, q_lo:q_hi] = piece
    return Panels(local, n, b, comm)


def _within(cols: torch.Tensor, lo: int, hi: int) -> torch.Tensor:
    return cols[(cols >= lo) & (cols < hi)]


def _count(cols: torch.Tensor, lo: int, hi: int) -> int:
    return int(((cols >= lo) & (cols < hi)).sum())


def from_panels(
    pan: Panels, split: int, counts: Sequence[int] | None = None, transpose: bool = False
) -> Array:
    """The panels' matrix (or its transpose) as an array split along ``split`` (0 or 1) with
    ``counts`` (balanced when None): one ``alltoallv`` (none at one process)."""
    m, n, comm = pan.m, pan.n, pan.comm
    p, me = comm.size, comm.rank
    s = pan.local
    lay = Layout((n, m) if transpose else (m, n), split, comm, counts)
    ranges = _ranges(lay)
    lo, hi = ranges[me]
    mine = pan.columns_of(me)
    wants_columns = (split == 1) != transpose  # my block is whole columns of the matrix
    if wants_columns:
        pieces = [s[(mine >= d_lo) & (mine < d_hi)] for d_lo, d_hi in ranges]
        theirs = [_within(pan.columns_of(q), lo, hi) for q in range(p)]
        got = swap_pieces(pieces, [(c.numel(), m) for c in theirs], comm)
        cols = s.new_empty((hi - lo, m))
        for c, piece in zip(theirs, got):
            cols[c - lo] = piece
        block = cols.mT.contiguous() if split == 1 else cols
    else:
        pieces = [s[:, d_lo:d_hi] for d_lo, d_hi in ranges]
        theirs = [pan.columns_of(q) for q in range(p)]
        got = swap_pieces(pieces, [(c.numel(), hi - lo) for c in theirs], comm)
        rows = s.new_empty((hi - lo, n))
        for c, piece in zip(theirs, got):
            rows[:, c] = piece.mT
        block = rows if split == 0 else rows.mT.contiguous()
    return Array(block, lay)
