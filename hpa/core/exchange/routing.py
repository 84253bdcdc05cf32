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
:func:`swap_pieces`      one ``alltoallv`` (none at one process)     the pieces sent
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
    "route_by_owner",
    "swap_pieces",
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


def swap_pieces(
    pieces: Sequence[torch.Tensor], shapes: Sequence[Sequence[int]], comm: Communicator
) -> list[torch.Tensor]:
    """Send ``pieces[d]`` to rank ``d`` and receive one piece of ``shapes[q]`` from each rank
    ``q`` (one ``alltoallv`` of the flattened pieces; none at one process).

    Every rank knows what it sends and what it will receive (the plan follows from layouts
    known to all), so no counts travel. The pieces share one dtype; each may be any view (it is
    packed into the send buffer once). The received pieces are views into one receive buffer,
    in rank order.
    """
    like = pieces[0]
    send_counts = [p.numel() for p in pieces]
    recv_counts = [math.prod(s) for s in shapes]
    buf = like.new_empty(sum(send_counts))
    start = 0
    for p in pieces:
        buf[start : start + p.numel()].view(p.shape).copy_(p)
        start += p.numel()
    flat = buf if comm.size == 1 else comm.alltoallv(buf, send_counts, recv_counts)
    del buf
    out, start = [], 0
    for shape, n in zip(shapes, recv_counts):
        out.append(flat[start : start + n].view(tuple(shape)))
        start += n
    return out
