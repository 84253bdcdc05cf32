"""The redistribution planner: moves a local block from one layout to another.

One function serves every change of layout of the same global shape:

============================  =================================================
source -> destination          communication
============================  =================================================
same layout                    none
one process                    none: a copy of the block
replicated -> split b          none: each rank slices its block
split a -> replicated          one ``allgatherv``
split a -> split b (a != b)    one ``alltoallv`` per 32 MiB window of the block
split a -> split a, new        one ``alltoallv`` per window (only overlapping
extents (``balance``)          ranges move)
============================  =================================================

Pieces travel as flat buffers. When the pieces a rank sends are runs of its block (the
destination splits axis 0) the block itself is the send buffer, and when the pieces a rank
receives are runs of its new block (the source split axis 0) the receive buffer is the
result, so the common row-split cases copy nothing beyond the exchange itself. Blocks larger
than one window (32 MiB) are exchanged window by window into a preallocated output, so the
peak is the input block, the output block and two windows (measured by
``benchmarks/resplit_memory.py``).
"""

from __future__ import annotations

import math

import torch

from hpa.core.layout import Layout

__all__ = ["redistribute"]

# blocks above this size are exchanged in windows of rows, one all-to-all per window
_CHUNK_BYTES = 32 * 2**20


def redistribute(t: torch.Tensor, src: Layout, dst: Layout) -> torch.Tensor:
    """This rank's block of ``dst`` given its block ``t`` of ``src`` (same global shape).

    Parameters
    ----------
    t : torch.Tensor
        The local block under ``src``, in any memory order (pieces are packed from it: a
        permuted view is moved without a copy of its own).
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
    single = src.comm.size == 1  # one process holds the whole array under every layout
    if dst.split is None:
        if src.split is None:
            return t
        return t.clone(memory_format=torch.contiguous_format) if single else _gather(t, src)
    if src.split is None:
        lo, hi = dst.range_of(dst.comm.rank)
        return t.narrow(dst.split, lo, hi - lo).contiguous()
    if single:
        return t.clone(memory_format=torch.contiguous_format)
    return _exchange(t, src, dst)


def _gather(t: torch.Tensor, src: Layout) -> torch.Tensor:
    axis = src.split
    assert axis is not None and src.counts is not None
    if axis == 0:
        return src.comm.allgatherv(t, src.counts)
    full = src.comm.allgatherv(t.movedim(axis, 0), src.counts)
    return full.movedim(0, axis).contiguous()


def overlap(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    """The intersection of ranges ``a`` and ``b``; empty at ``a``'s start when they are disjoint."""
    lo, hi = max(a[0], b[0]), min(a[1], b[1])
    return (lo, hi) if lo < hi else (a[0], a[0])


def _exchange(t: torch.Tensor, src: Layout, dst: Layout) -> torch.Tensor:
    """Split a -> split b: one ``alltoallv``, or one per window of rows for large blocks.

    A block larger than ``_CHUNK_BYTES`` is exchanged in windows of its rows along the source
    split axis, so the packed send buffer and the receive buffer hold one window at a time
    and the peak stays near input + output.
    """
    a = src.split
    assert a is not None and src.counts is not None
    rows = max(src.counts)
    row_bytes = math.prod(n for i, n in enumerate(t.shape) if i != a) * t.element_size()
    step = max(1, _CHUNK_BYTES // row_bytes) if row_bytes else rows
    if step >= rows:
        return _exchange_window(t, src, dst, 0, rows, None)
    out = t.new_empty(dst.lshape)
    buffers: list[torch.Tensor] = []  # send and receive buffers shared by the windows
    for start in range(0, rows, step):
        _exchange_window(t, src, dst, start, start + step, out, buffers)
    return out


def _exchange_window(
    t: torch.Tensor,
    src: Layout,
    dst: Layout,
    w0: int,
    w1: int,
    out: torch.Tensor | None,
    buffers: list[torch.Tensor] | None = None,
) -> torch.Tensor:
    """Exchange local rows ``[w0, w1)`` of every source block (one ``alltoallv``).

    With ``out`` the received pieces are copied into it, and the send and receive buffers are
    kept in ``buffers`` for the next window; without, the window is the whole block and the
    result is assembled from the received buffer.
    """
    a, b = src.split, dst.split
    assert a is not None and b is not None
    comm = src.comm
    me = comm.rank

    def window(q: int) -> tuple[int, int]:
        lo, hi = src.range_of(q)
        return lo + min(w0, hi - lo), lo + min(w1, hi - lo)

    mine, mine_dst = window(me), dst.range_of(me)
    first = src.range_of(me)[0]
    rows = t.narrow(a, mine[0] - first, mine[1] - mine[0])
    send_pieces = []
    for q in range(comm.size):
        if a == b:
            lo, hi = overlap(mine, dst.range_of(q))
            send_pieces.append(t.narrow(a, lo - first, hi - lo))
        else:
            lo, hi = dst.range_of(q)
            send_pieces.append(rows.narrow(b, lo, hi - lo))
    recv_shapes, positions = [], []
    for q in range(comm.size):
        shape = list(dst.lshape)
        if a == b:
            lo, hi = overlap(window(q), mine_dst)
            positions.append(lo - mine_dst[0])
        else:
            lo, hi = window(q)
            positions.append(lo)
        shape[a] = hi - lo
        recv_shapes.append(shape)
    send_counts = [p.numel() for p in send_pieces]
    recv_counts = [math.prod(s) for s in recv_shapes]
    if buffers is not None:
        _reserve(buffers, t, sum(send_counts), sum(recv_counts))
    if b == 0 and rows.is_contiguous():  # the pieces are consecutive runs of memory
        send = rows.reshape(-1)
    else:
        send = buffers[0][: sum(send_counts)] if buffers else t.new_empty(sum(send_counts))
        _pack(send_pieces, send)
    recv = buffers[1][: sum(recv_counts)] if buffers else None
    flat = comm.alltoallv(send, send_counts, recv_counts, out=recv)

    pieces = [p.reshape(s) for p, s in zip(flat.split(recv_counts), recv_shapes)]
    if out is None:
        return flat.reshape(dst.lshape) if a == 0 else torch.cat(pieces, dim=a)
    for piece, pos in zip(pieces, positions):
        if piece.numel():
            out.narrow(a, pos, piece.shape[a]).copy_(piece)
    return out


def _reserve(buffers: list[torch.Tensor], like: torch.Tensor, send: int, recv: int) -> None:
    """Make ``buffers`` hold a send buffer of ``send`` and a receive buffer of ``recv`` elements."""
    if not buffers:
        buffers += [like.new_empty(send), like.new_empty(recv)]
    for i, n in enumerate((send, recv)):
        if buffers[i].numel() < n:
            buffers[i] = like.new_empty(n)


def _pack(pieces: list[torch.Tensor], flat: torch.Tensor) -> None:
    """Copy ``pieces`` one after another into the 1-D tensor ``flat`` (no temporaries)."""
    start = 0
    for p in pieces:
        n = p.numel()
        flat[start : start + n].view(p.shape).copy_(p)
        start += n
