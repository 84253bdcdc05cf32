"""Halo exchange: the rows just before and just after each rank's block along the split axis,
and more generally any ranges of rows every rank can name.

A stencil, a difference or a convolution along the split axis needs, on each rank, ``before``
rows that precede its block and ``after`` rows that follow it. Which rank holds which of them
follows from the layout, so :func:`halo` needs no request: one ``alltoallv`` in which only the
ranks holding halo rows send (the neighbours, unless blocks are shorter than the halo or
empty, when the rows come from further away). Volume per rank: the halo rows it serves.
:func:`windows` is the same exchange for ranges of global rows that every rank computes for
every rank (a convolution whose output is cut differently from its input, say).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from hpa.core.layout import Layout
from hpa.core.redistribute import overlap

__all__ = ["halo", "windows"]


def _per_rank(width: int | Sequence[int], size: int) -> list[int]:
    widths = [int(width)] * size if isinstance(width, int) else [int(w) for w in width]
    if len(widths) != size or min(widths, default=0) < 0:
        raise ValueError(f"halo widths {width!r} must be non-negative, one per rank")
    return widths


def _wanted(lay: Layout, r: int, before: list[int], after: list[int]) -> list[tuple[int, int]]:
    """Global row ranges rank ``r`` wants: its head and its tail (clipped to the axis)."""
    n = lay.gshape[lay.split]  # type: ignore[index]
    lo, hi = lay.range_of(r)
    return [(max(0, lo - before[r]), lo), (hi, min(n, hi + after[r]))]


def windows(
    t: torch.Tensor, lay: Layout, wanted: Callable[[int], Sequence[tuple[int, int]]]
) -> torch.Tensor:
    """The global rows ``wanted(r)`` of a split array, delivered to each rank ``r``.

    Parameters
    ----------
    t : torch.Tensor
        This rank's block of ``lay`` with the split axis moved to axis 0.
    lay : Layout
        A split layout.
    wanted : callable
        ``wanted(r)``: the ranges ``(start, stop)`` of global rows rank ``r`` receives, sorted
        and disjoint, within the axis. Every rank evaluates it for every rank, so no request
        travels.

    Returns
    -------
    torch.Tensor
        This rank's wanted rows, concatenated in order along axis 0 (one ``alltoallv``; a rank
        sends only the rows it holds of others' ranges).
    """
    comm = lay.comm
    me = comm.rank
    mine = lay.range_of(me)
    pieces, send_counts = [], []
    for r in range(comm.size):
        sent = 0
        for want in wanted(r):
            lo, hi = overlap(mine, want)
            pieces.append(t.narrow(0, lo - mine[0], hi - lo))
            sent += hi - lo
        send_counts.append(sent)
    mine_wanted = wanted(me)
    recv_counts = []
    for q in range(comm.size):
        span = lay.range_of(q)
        recv_counts.append(sum(hi - lo for lo, hi in (overlap(span, w) for w in mine_wanted)))
    send = torch.cat(pieces) if pieces else t.narrow(0, 0, 0)
    return comm.alltoallv(send.contiguous(), send_counts, recv_counts)


def halo(
    t: torch.Tensor, lay: Layout, before: int | Sequence[int] = 0, after: int | Sequence[int] = 0
) -> tuple[torch.Tensor, torch.Tensor]:
    """The rows around this rank's block: ``(head, tail)``.

    Parameters
    ----------
    t : torch.Tensor
        This rank's block of ``lay`` with the split axis moved to axis 0.
    lay : Layout
        A split layout.
    before, after : int or sequence of int
        Rows wanted before and after the block (one width for all ranks, or one per rank, the
        same on every rank). They are clipped at the ends of the axis.

    Returns
    -------
    head, tail : torch.Tensor
        The global rows ``[lo - before, lo)`` and ``[hi, hi + after)`` around this rank's block
        ``[lo, hi)``, in order, shaped like ``t`` except along axis 0. One ``alltoallv``.
    """
    me = lay.comm.rank
    b, a = _per_rank(before, lay.comm.size), _per_rank(after, lay.comm.size)
    got = windows(t, lay, lambda r: _wanted(lay, r, b, a))
    lo = lay.range_of(me)[0]
    head = lo - max(0, lo - b[me])
    return got.narrow(0, 0, head), got.narrow(0, head, got.shape[0] - head)
