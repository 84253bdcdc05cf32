"""Data-dependent movement of rows between ranks: to their owners, by global index, by pieces.

The planner (:mod:`hpa.core.redistribute`) moves an array between two layouts it knows. The
primitives here move rows whose destination depends on the data (a sort's buckets, an index,
a mask), each in one ``alltoallv``:

=======================  ==========================================  ==============================
primitive                collectives                                 volume per rank
=======================  ==========================================  ==============================
:func:`route`            one ``alltoallv``; one ``allgather`` of     the rows sent; ``8 p`` bytes of
                         ``p`` counts first unless the receive       counts
                         counts are given
:func:`route_by_owner`   as :func:`route` (the rows are grouped by   the rows sent
                         their destination rank first)
:func:`fetch`            one ``alltoallv`` (the index is known to    the rows this rank serves
                         every rank, so no request travels)
:func:`fetch_replicated` one ``allreduce`` of the fetched rows       the rows fetched (every rank
                                                                     gets all of them)
:func:`assemble`         one ``alltoallv`` (none at one process)     the pieces sent
:func:`swap_rows`        one ``alltoallv`` per ~16 MiB round (none   the rows sent
                         at one process)
=======================  ==========================================  ==============================

A "row" is a slice along axis 0 of the tensor passed; callers move their split axis there.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch

from hpa.comm.base import Communicator, ReduceOp
from hpa.core.exchange.partial import Partial
from hpa.core.exchange.records import gather_counts
from hpa.core.layout import Layout
from hpa.core.redistribute import overlap

__all__ = [
    "Routed",
    "assemble",
    "fetch",
    "fetch_replicated",
    "route",
    "Incoming",
    "Outgoing",
    "rounds_for",
    "route_by_owner",
    "swap_rows",
]


class Routed(NamedTuple):
    """What :func:`route` delivers.

    Attributes
    ----------
    rows : torch.Tensor
        The received rows: from rank 0 first, each sender's in the order it sent them.
    recv_counts : list of int
        Rows received from each rank.
    matrix : torch.Tensor or None
        ``matrix[q, r]``: rows rank ``q`` sent to rank ``r`` (int64, ``(p, p)``), when the counts
        were exchanged; its column sums are every rank's new extents.
    """

    rows: torch.Tensor
    recv_counts: list[int]
    matrix: torch.Tensor | None


def route(
    rows: torch.Tensor,
    send_counts: Sequence[int] | torch.Tensor,
    comm: Communicator,
    recv_counts: Sequence[int] | None = None,
) -> Routed:
    """Send consecutive runs of ``rows`` to the ranks: the first ``send_counts[0]`` to rank 0,
    the next ``send_counts[1]`` to rank 1, ...

    When ``recv_counts`` is not known (it follows from the data), one ``allgather`` of the
    ``p`` send counts precedes the ``alltoallv``; every rank then also knows the whole count
    matrix (:attr:`Routed.matrix`).
    """
    matrix = None
    if recv_counts is None:
        matrix = gather_counts(comm, send_counts)
        recv_counts = matrix[:, comm.rank].tolist()
    send = send_counts.tolist() if isinstance(send_counts, torch.Tensor) else list(send_counts)
    got = comm.alltoallv(rows.contiguous(), send, recv_counts)
    return Routed(got, list(recv_counts), matrix)


def route_by_owner(
    rows: torch.Tensor,
    owner: torch.Tensor,
    comm: Communicator,
    recv_counts: Sequence[int] | None = None,
) -> Routed:
    """Send row ``i`` of ``rows`` to rank ``owner[i]`` (one ``alltoallv``, after one
    ``allgather`` of counts unless ``recv_counts`` are given). Each rank receives the rows
    of rank 0 first, every sender's rows in their original order."""
    order = torch.argsort(owner, stable=True)
    send = torch.bincount(owner, minlength=comm.size)
    return route(rows[order], send, comm, recv_counts)


def fetch(t: torch.Tensor, lay: Layout, index: torch.Tensor, counts: Sequence[int]) -> torch.Tensor:
    """Rows ``index`` of a split array, delivered to the ranks that want them.

    Parameters
    ----------
    t : torch.Tensor
        This rank's block of ``lay``, its split axis moved to axis 0.
    lay : Layout
        The array's layout (split; the split axis is axis 0 of ``t``).
    index : torch.Tensor
        Non-negative global row indices, the same on every rank: the first ``counts[0]`` are
        the rows rank 0 wants, the next ``counts[1]`` rank 1's, ...
    counts : sequence of int
        How many of ``index`` each rank wants.

    Returns
    -------
    torch.Tensor
        This rank's rows, in the order of its part of ``index`` (one ``alltoallv``: every rank
        knows the whole index, so the owners know what to send without a request).
    """
    comm = lay.comm
    me, dev = comm.rank, index.device
    offsets = lay.offsets
    assert offsets is not None
    owner = torch.searchsorted(torch.tensor(offsets[1:], device=dev), index, right=True)
    served = (owner == me).nonzero()[:, 0]  # ascending positions: grouped by destination
    send = t.index_select(0, index[served] - offsets[me])
    bounds = torch.tensor([0, *_running(counts)], device=dev)
    send_counts = torch.searchsorted(served, bounds).diff().tolist()
    lo = sum(counts[:me])
    mine = owner[lo : lo + counts[me]]
    recv_counts = torch.bincount(mine, minlength=comm.size).tolist()
    got = comm.alltoallv(send.contiguous(), send_counts, recv_counts)
    block = got.new_empty(got.shape)
    block[torch.argsort(mine, stable=True)] = got
    return block


def _running(counts: Sequence[int]) -> list[int]:
    out, total = [], 0
    for c in counts:
        total += c
        out.append(total)
    return out


_WIRE = {torch.bool: torch.uint8, torch.float16: torch.float32, torch.bfloat16: torch.float32}


def fetch_replicated(t: torch.Tensor, lay: Layout, index: torch.Tensor) -> torch.Tensor:
    """Rows ``index`` (global, the same on every rank) of a split array, on every rank.

    The owner of each row (known from the layout) writes it and every other rank writes zeros;
    one ``allreduce`` sums them. For a few rows (order statistics, pivots): the volume is the
    fetched rows, whatever the array's size.
    """
    lo, hi = lay.range_of(lay.comm.rank)
    wire = _WIRE.get(t.dtype, t.dtype)
    buf = torch.zeros((index.numel(), *t.shape[1:]), dtype=wire, device=t.device)
    mine = (index >= lo) & (index < hi)
    buf[mine] = t[index[mine] - lo].to(wire)
    return Partial(buf, lay.comm, ReduceOp.SUM).replicate().to(t.dtype)


def assemble(
    local: Sequence[torch.Tensor],
    pieces_of: Callable[[int], Sequence[tuple[int, int]]],
    out: Layout,
) -> torch.Tensor:
    """This rank's block of ``out`` from row pieces held by the ranks (one ``alltoallv``).

    Parameters
    ----------
    local : sequence of torch.Tensor
        This rank's pieces: blocks of the output's shape except along ``out.split``.
    pieces_of : callable
        ``pieces_of(q)`` lists rank ``q``'s pieces as ``(first, stop)`` output rows along
        ``out.split``, in the order of ``local`` on that rank. Every rank evaluates it for every
        rank, so the plan needs no communication; together the pieces cover the axis once.
    out : Layout
        The output layout, split along some axis.
    """
    a = out.split
    assert a is not None and local
    comm, like = out.comm, local[0]
    mine = out.range_of(comm.rank)
    rest = [n for i, n in enumerate(out.gshape) if i != a]
    row = math.prod(rest)
    send: list[torch.Tensor] = []
    send_counts: list[int] = []
    for q in range(comm.size):
        dest = out.range_of(q)
        for piece, t in zip(pieces_of(comm.rank), local):
            lo, hi = overlap(piece, dest)
            send.append(t.narrow(a, lo - piece[0], hi - lo).movedim(a, 0))
        send_counts.append(sum(p.numel() for p in send) - sum(send_counts))
    buf = like.new_empty(sum(send_counts))
    start = 0
    for p in send:
        buf[start : start + p.numel()].view(p.shape).copy_(p)
        start += p.numel()
    recv_counts, places = [], []
    for q in range(comm.size):
        ranges = [overlap(piece, mine) for piece in pieces_of(q)]
        places += ranges
        recv_counts.append(sum(hi - lo for lo, hi in ranges) * row)
    flat = buf if comm.size == 1 else comm.alltoallv(buf, send_counts, recv_counts)
    block = like.new_empty((mine[1] - mine[0], *rest))
    start = 0
    for lo, hi in places:
        if hi == lo:
            continue
        n = (hi - lo) * row
        block[lo - mine[0] : hi - mine[0]] = flat[start : start + n].view(hi - lo, *rest)
        start += n
    return block.movedim(0, a).contiguous()


class Outgoing(NamedTuple):
    """Rows a rank sends to one other rank in :func:`swap_rows`.

    Attributes
    ----------
    rows : int
        How many.
    take : callable
        ``take(lo, hi)``: rows ``lo:hi`` (a tensor with the rows along axis 0), built when the
        round that sends them comes.
    """

    rows: int
    take: Callable[[int, int], torch.Tensor]


class Incoming(NamedTuple):
    """Rows a rank receives from one other rank in :func:`swap_rows`.

    Attributes
    ----------
    rows : int
        How many.
    shape : tuple of int
        The shape of one row.
    put : callable
        ``put(lo, hi, rows)``: stores the received rows ``lo:hi`` (a view of the round's
        receive buffer, valid during the call).
    """

    rows: int
    shape: tuple[int, ...]
    put: Callable[[int, int, torch.Tensor], None]


WINDOW = 16 << 20
"""Bytes a rank sends (and receives) in one round of :func:`swap_rows`, about: with the
round's packed copy, three windows of a 256 MiB block are 0.19 of it."""


def rounds_for(nbytes: int) -> int:
    """Rounds of :func:`swap_rows` that keep each under :data:`WINDOW` when the most any rank
    sends or receives in all is ``nbytes`` (known alike to every rank)."""
    return max(1, -(-nbytes // WINDOW))


def swap_rows(
    send: Sequence[Outgoing], recv: Sequence[Incoming], like: torch.Tensor, comm: Communicator,
    rounds: int = 1,
) -> None:  # fmt: skip
    """Send ``send[d]``'s rows to rank ``d`` and receive ``recv[q]``'s from rank ``q``: one
    ``alltoallv`` per round (none at one process).

    Every rank knows what it sends and receives (the plan follows from layouts known to all),
    so no counts travel. Round ``t`` of ``rounds`` (the same on every rank) moves rows
    ``rows * t // rounds`` to ``rows * (t + 1) // rounds`` of every piece, so the buffers hold
    ``1 / rounds`` of the traffic: what is packed and received is built and stored piece by
    piece. The rows have ``like``'s dtype.
    """
    plan = []
    for t in range(rounds):
        send_spans = [_span(o.rows, t, rounds) for o in send]
        recv_spans = [_span(i.rows, t, rounds) for i in recv]
        recv_counts = [(hi - lo) * math.prod(i.shape) for i, (lo, hi) in zip(recv, recv_spans)]
        plan.append((send_spans, recv_spans, recv_counts))
    # one send and one receive buffer, reused by every round (the largest round's size)
    out = like.new_empty(max((sum(r) for _, _, r in plan), default=0))
    buf: torch.Tensor | None = None
    for send_spans, recv_spans, recv_counts in plan:
        parts = [o.take(lo, hi) for o, (lo, hi) in zip(send, send_spans)]
        send_counts = [x.numel() for x in parts]
        if buf is None or buf.numel() < sum(send_counts):
            buf = like.new_empty(sum(send_counts))
        start = 0
        for x in parts:
            buf[start : start + x.numel()].view(x.shape).copy_(x)
            start += x.numel()
        del parts
        total = sum(recv_counts)
        if comm.size == 1:
            flat = buf[:total]
        else:
            flat = comm.alltoallv(buf[: sum(send_counts)], send_counts, recv_counts, out[:total])
        start = 0
        for i, (lo, hi), n in zip(recv, recv_spans, recv_counts):
            if hi > lo:
                i.put(lo, hi, flat[start : start + n].view(hi - lo, *i.shape))
            start += n


def _span(rows: int, t: int, rounds: int) -> tuple[int, int]:
    return rows * t // rounds, rows * (t + 1) // rounds
