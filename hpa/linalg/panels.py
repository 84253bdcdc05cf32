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

from collections.abc import Callable, Sequence

import torch

from hpa.comm.base import Communicator
from hpa.core.array import Array
from hpa.core.exchange import Incoming, Outgoing, rounds_for, share_parts, swap_rows
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


def _rounds(blocks: list[int], panels: list[int], row: int, like: torch.Tensor) -> int:
    """Rounds of the exchange for blocks of ``blocks`` rows and panel storages of ``panels``
    rows, ``row`` elements each (the same on every rank)."""
    return rounds_for(max(blocks + panels, default=0) * row * like.element_size())


def to_panels(a: Array, transpose: bool = False, b: int | None = None) -> Panels:
    """The 2-D ``a`` (or its transpose) as :class:`Panels`: one ``alltoallv`` per ~16 MiB
    round (none when ``a`` is replicated or at one process).

    ``a`` is split along 0 or 1, or replicated. Rows of ``a`` become the panels' columns when
    ``transpose`` is set. Besides ``a`` and the panels, a rank holds one round's buffers.
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
    held = [_columns(n, b, d, p) for d in range(p)]
    local = t.new_empty((mine.numel(), m))
    sizes = [q_hi - q_lo for q_lo, q_hi in ranges]
    rounds = _rounds(sizes, [c.numel() for c in held], max(m, n), t)
    if (a.split == 1) != transpose:  # t carries whole columns of the matrix
        cols = t.mT if a.split == 1 else t  # (hi - lo, m): the matrix's columns lo..hi
        which = [(_within(c, lo, hi) - lo).to(t.device) for c in held]
        send = [Outgoing(w.numel(), _taker(cols, w, 0)) for w in which]
        starts = [0, *torch.tensor([_count(mine, *r) for r in ranges]).cumsum(0).tolist()]
        recv = [Incoming(e - s, (m,), _putter(local, s, 0)) for s, e in zip(starts, starts[1:])]
    else:
        rows = t if a.split == 0 else t.mT  # (hi - lo, n): the matrix's rows lo..hi
        send = [Outgoing(c.numel(), _taker(rows, c.to(t.device), 1)) for c in held]
        recv = [Incoming(mine.numel(), (q_hi - q_lo,), _putter(local[:, q_lo:q_hi], 0, 0))
                for q_lo, q_hi in ranges]  # fmt: skip
    swap_rows(send, recv, t, comm, rounds)
    return Panels(local, n, b, comm)


def _taker(t: torch.Tensor, index: torch.Tensor, axis: int) -> Callable[[int, int], torch.Tensor]:
    """Rows ``lo:hi`` of the piece ``t.index_select(axis, index)`` (as rows: along ``axis`` 1
    the piece is transposed)."""

    def take(lo: int, hi: int) -> torch.Tensor:
        got = t.index_select(axis, index[lo:hi])
        return got if axis == 0 else got.mT

    return take


def _putter(
    t: torch.Tensor, start: int, axis: int, index: torch.Tensor | None = None
) -> Callable[[int, int, torch.Tensor], None]:
    """Store received rows ``lo:hi`` at rows ``start + lo`` (or ``index[lo:hi]``) of ``t``;
    along ``axis`` 1 the rows are ``t``'s columns."""

    def put(lo: int, hi: int, rows: torch.Tensor) -> None:
        where = t if axis == 0 else t.mT
        if index is None:
            where[start + lo : start + hi] = rows
        else:
            where[index[lo:hi]] = rows

    return put


def _within(cols: torch.Tensor, lo: int, hi: int) -> torch.Tensor:
    return cols[(cols >= lo) & (cols < hi)]


def _count(cols: torch.Tensor, lo: int, hi: int) -> int:
    return int(((cols >= lo) & (cols < hi)).sum())


def from_panels(
    pan: Panels, split: int, counts: Sequence[int] | None = None, transpose: bool = False
) -> Array:
    """The panels' matrix (or its transpose) as an array split along ``split`` (0 or 1) with
    ``counts`` (balanced when None): one ``alltoallv`` per ~16 MiB round (none at one
    process)."""
    m, n, comm = pan.m, pan.n, pan.comm
    p, me = comm.size, comm.rank
    s = pan.local
    lay = Layout((n, m) if transpose else (m, n), split, comm, counts)
    ranges = _ranges(lay)
    lo, hi = ranges[me]
    held = [pan.columns_of(q) for q in range(p)]
    mine = held[me].to(s.device)
    rounds = _rounds(
        [q_hi - q_lo for q_lo, q_hi in ranges], [c.numel() for c in held], max(m, n), s
    )
    if (split == 1) != transpose:  # my block is whole columns of the matrix
        cols = s.new_empty((hi - lo, m))
        which = [((mine >= d_lo) & (mine < d_hi)).nonzero()[:, 0] for d_lo, d_hi in ranges]
        send = [Outgoing(w.numel(), _taker(s, w, 0)) for w in which]
        theirs = [(_within(c, lo, hi) - lo).to(s.device) for c in held]
        recv = [Incoming(c.numel(), (m,), _putter(cols, 0, 0, c)) for c in theirs]
        swap_rows(send, recv, s, comm, rounds)
        block = cols.mT.contiguous() if split == 1 else cols
    else:
        rows = s.new_empty((hi - lo, n))
        send = [Outgoing(s.shape[0], _window(s, d_lo, d_hi)) for d_lo, d_hi in ranges]
        recv = [Incoming(c.numel(), (hi - lo,), _putter(rows, 0, 1, c.to(s.device)))
                for c in held]  # fmt: skip
        swap_rows(send, recv, s, comm, rounds)
        block = rows if split == 0 else rows.mT.contiguous()
    return Array(block, lay)


def _window(s: torch.Tensor, lo: int, hi: int) -> Callable[[int, int], torch.Tensor]:
    """Rows ``a:b`` of ``s[:, lo:hi]``."""
    return lambda a, b: s[a:b, lo:hi]
