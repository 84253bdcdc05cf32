"""The redistribution planner: moves a local block from one layout to another.

One function serves every change of layout of the same global shape:

============================  =================================================
source -> destination          communication
============================  =================================================
same layout                    none
replicated -> split b          none: each rank slices its block
split a -> replicated          one ``allgatherv``
split a -> split b (a != b)    one ``alltoallv``
split a -> split a, new        one ``alltoallv`` (only overlapping ranges move)
extents (``balance``)
============================  =================================================

Pieces travel as flat buffers. When the pieces a rank sends are runs of its block (the
destination splits axis 0) the block itself is the send buffer, and when the pieces a rank
receives are runs of its new block (the source split axis 0) the receive buffer is the
result, so the common row-split cases copy nothing beyond the exchange itself. Peak memory is
the input block, the received block, and at most one packed copy of the input.
"""

from __future__ import annotations

import math

import torch

from hpa.core.layout import Layout

__all__ = ["redistribute"]


def redistribute(t: torch.Tensor, src: Layout, dst: Layout) -> torch.Tensor:
    """This rank's block of ``dst`` given its block ``t`` of ``src`` (same global shape).

    Parameters
    ----------
    t : torch.Tensor
        The local block under ``src``.
    src, dst : Layout
        Source and destination layouts; ``src.gshape == dst.gshape``.

    Returns
    -------
    torch.Tensor
        A contiguous tensor of shape ``dst.lshape`` (``t`` itself when the layouts agree).
    """
    if src.gshape != dst.gshape:
        raise ValueError(f"cannot redistribute shape {src.gshape} into shape {dst.gshape}")
    if src == dst:
        return t
    if dst.split is None:
        return t if src.split is None else _gather(t, src)
    if src.split is None:
        lo, hi = dst.range_of(dst.comm.rank)
        return t.narrow(dst.split, lo, hi - lo).contiguous()
    return _exchange(t.contiguous(), src, dst)


def _gather(t: torch.Tensor, src: Layout) -> torch.Tensor:
    axis = src.split
    assert axis is not None and src.counts is not None
    if axis == 0:
        return src.comm.allgatherv(t, src.counts)
    full = src.comm.allgatherv(t.movedim(axis, 0), src.counts)
    return full.movedim(0, axis).contiguous()


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """The intersection of ranges ``a`` and ``b``; empty at ``a``'s start when they are disjoint."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo < hi else (a[0], a[0])


def _exchange(t: torch.Tensor, src: Layout, dst: Layout) -> torch.Tensor:
    a, b = src.split, dst.split
    assert a is not None and b is not None
    comm = src.comm
    me = comm.rank
    mine_src, mine_dst = src.range_of(me), dst.range_of(me)

    send_pieces = []
    for q in range(comm.size):
        if a == b:
            lo, hi = _overlap(mine_src, dst.range_of(q))
            send_pieces.append(t.narrow(a, lo - mine_src[0], hi - lo))
        else:
            lo, hi = dst.range_of(q)
            send_pieces.append(t.narrow(b, lo, hi - lo))
    send_counts = [p.numel() for p in send_pieces]
    send = t.reshape(-1) if b == 0 else torch.cat([p.reshape(-1) for p in send_pieces])

    recv_shapes = []
    for q in range(comm.size):
        shape = list(dst.lshape)
        if a == b:
            lo, hi = _overlap(src.range_of(q), mine_dst)
            shape[a] = hi - lo
        else:
            shape[a] = src.counts[q]  # type: ignore[index]
        recv_shapes.append(shape)
    recv_counts = [math.prod(s) for s in recv_shapes]

    flat = comm.alltoallv(send, send_counts, recv_counts)
    if a == 0:
        return flat.reshape(dst.lshape)
    pieces = flat.split(recv_counts)
    return torch.cat([p.reshape(s) for p, s in zip(pieces, recv_shapes)], dim=a)
