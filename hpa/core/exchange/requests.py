"""Rows wanted by global index where every rank knows only its own wants: a reusable plan.

:func:`~hpa.core.exchange.routing.fetch` serves an index known to every rank. A sparse
matrix's halo is different: each rank knows which entries of a vector its own columns need,
and nobody else does. :class:`Requests` tells the owners once what to serve (the plan), and
then delivers the wanted rows of any tensor of that layout as often as needed:

=========================  ====================================  ===============================
step                       collectives                           volume per rank
=========================  ====================================  ===============================
``Requests(index, lay)``   one ``allgather`` of ``p`` counts and  the indices wanted (int64)
                           one ``alltoallv`` (also at one rank)
``plan.deliver(t)``        one ``alltoallv`` (none at one rank,   the rows wanted: only those
                           or when no rank wants any row, not
                           even one of its own)
``plan.deliver_runs(..)``  two ``alltoallv`` (run lengths, then   the wanted runs' entries
                           the runs' entries as bytes; none as
                           for ``deliver``)
:func:`route_entries`      one ``allgather`` of counts, one       the entries sent, all their
                           ``alltoallv`` (none at one rank)       fields in one buffer
=========================  ====================================  ===============================
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from hpa.comm.base import Communicator
from hpa.core.exchange.routing import route, route_by_owner
from hpa.core.layout import Layout

__all__ = ["Requests", "route_entries"]


class Requests:
    """A plan to deliver rows ``index`` of arrays with layout ``lay`` to the rank that wants them.

    Parameters
    ----------
    index : torch.Tensor
        The global row indices this rank wants (int64, ascending, no repeats); they may
        include rows this rank holds, which are served like any other.
    lay : Layout
        The layout of the arrays served, split along axis 0 (callers move their split axis
        there).

    Notes
    -----
    Building the plan costs one ``allgather`` of counts and one ``alltoallv`` of the indices
    (at one rank too); every :meth:`deliver` afterwards is one ``alltoallv`` of exactly the
    wanted rows, skipped at one rank and when no rank wants any row (counting its own).
    """

    def __init__(self, index: torch.Tensor, lay: Layout) -> None:
        assert lay.split == 0 and lay.offsets is not None
        comm = lay.comm
        self._comm, self._lay = comm, lay
        bounds = torch.tensor(lay.offsets[1:], device=index.device)
        owner = torch.searchsorted(bounds, index, right=True)
        self._want = torch.bincount(owner, minlength=comm.size).tolist()
        routed = route(index, self._want, comm)
        assert routed.matrix is not None
        self.moved = int(routed.matrix.sum()) - int(routed.matrix.diagonal().sum())
        """Rows delivered by all ranks to others, per delivery."""
        # no rank wants any row, not even one of its own: deliveries exchange nothing
        self._idle = int(routed.matrix.sum()) == 0
        self._serve = routed.rows - lay.offsets[comm.rank]
        self._served = routed.recv_counts

    @property
    def wanted(self) -> int:
        """How many rows this rank receives per delivery."""
        return sum(self._want)

    def deliver(self, t: torch.Tensor) -> torch.Tensor:
        """The wanted rows of ``t`` (this rank's block of ``lay``, any trailing shape), in the
        order of ``index``: one ``alltoallv``; none at one rank, or when no rank wants any row
        at all (a plan whose ranks want only rows of their own blocks still runs it)."""
        send = t.index_select(0, self._serve)
        if self._comm.size == 1 or self._idle:
            return send
        return self._comm.alltoallv(send.contiguous(), self._served, self._want)

    def deliver_runs(
        self, starts: torch.Tensor, parts: Sequence[torch.Tensor]
    ) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Variable-length runs of entries, one per wanted row (a CSR matrix's rows).

        Parameters
        ----------
        starts : torch.Tensor
            ``(rows + 1,)`` int64: row ``i`` of this rank's block owns entries
            ``starts[i]:starts[i + 1]`` of every tensor of ``parts``.
        parts : sequence of torch.Tensor
            1-D tensors of entries (any dtypes, one length).

        Returns
        -------
        lengths : torch.Tensor
            The length of every wanted row's run, in the order of ``index``.
        parts : list of torch.Tensor
            The runs' entries, concatenated in that order.

        Two ``alltoallv``: the run lengths, then the entries of all parts packed as bytes;
        none when :meth:`deliver` needs none.
        """
        lengths = starts.diff()
        got_lengths = self.deliver(lengths)
        first = starts.index_select(0, self._serve)
        sizes = lengths.index_select(0, self._serve)
        entries = _ranges(first, sizes)
        raw = torch.cat([_bytes(p.index_select(0, entries)) for p in parts], dim=1)
        send_counts = _sums(sizes, self._served)
        recv_counts = _sums(got_lengths, self._want)
        if self._comm.size > 1 and not self._idle:
            raw = self._comm.alltoallv(raw.contiguous(), send_counts, recv_counts)
        return got_lengths, _unpack(raw, parts)


def route_entries(
    parts: Sequence[torch.Tensor], owner: torch.Tensor, comm: Communicator
) -> list[torch.Tensor]:
    """Entry ``i`` of every tensor of ``parts`` to rank ``owner[i]``, the fields of an entry
    travelling together (one ``allgather`` of counts and one ``alltoallv`` of bytes).

    Each rank receives the entries of rank 0 first, every sender's in their original order.
    ``parts`` are 1-D tensors of one length and any dtypes (the coordinates and value of a
    sparse matrix's entries).
    """
    if comm.size == 1:
        return list(parts)
    raw = torch.cat([_bytes(p) for p in parts], dim=1)
    got = route_by_owner(raw, owner, comm).rows
    return _unpack(got, parts)


def _unpack(raw: torch.Tensor, like: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """The fields of byte rows packed from tensors like ``like``."""
    out, col = [], 0
    for p in like:
        width = p.element_size()
        # clone: an empty or single-row slice is "contiguous" at an odd byte offset
        piece = raw[:, col : col + width].clone(memory_format=torch.contiguous_format)
        out.append(piece.view(p.dtype).reshape(-1))
        col += width
    return out


def _bytes(t: torch.Tensor) -> torch.Tensor:
    """The bytes of every element of the 1-D ``t`` as rows of a ``(n, itemsize)`` uint8 tensor."""
    if t.numel() == 0:  # an empty tensor may have any strides, which view() refuses
        return torch.empty((0, t.element_size()), dtype=torch.uint8, device=t.device)
    return t.contiguous().view(torch.uint8).view(t.numel(), t.element_size())


def _ranges(first: torch.Tensor, sizes: torch.Tensor) -> torch.Tensor:
    """The concatenation of ``arange(f, f + s)`` for every pair (int64)."""
    offsets = torch.cumsum(sizes, 0) - sizes
    total = int(sizes.sum())
    local = torch.arange(total, device=first.device)
    return local + torch.repeat_interleave(first - offsets, sizes, output_size=total)


def _sums(sizes: torch.Tensor, counts: Sequence[int]) -> list[int]:
    """The sums of consecutive runs of ``sizes``, ``counts[r]`` of them for rank ``r``."""
    ends = torch.tensor([0, *counts], device=sizes.device).cumsum(0)
    running = torch.cat([sizes.new_zeros(1), sizes.cumsum(0)])
    return running.index_select(0, ends).diff().tolist()
