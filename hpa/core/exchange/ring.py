"""Ring pass: every rank's block visits every rank in turn, the next one already in flight.

Products and distances between two row-split operands need each rank's rows to meet every
block of the other operand. :func:`ring` hands the caller the block of rank ``r + s`` at step
``s`` while the block of rank ``r + s + 1`` travels: each step sends the block in hand to rank
``r - 1`` and receives the next from ``r + 1`` (one ``isend`` and one ``irecv``, skipped for
empty blocks, whose extents every rank knows from the counts). Volume per rank: the other
operand once, ``p - 1`` messages; memory: two spare blocks of the largest extent.

``wrap=False`` walks only the blocks ``r, r + 1, ..., p - 1`` (the upper triangle of a
symmetric result, as in ``pdist``): no message wraps from rank 0 to rank ``p - 1``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import torch

from hpa.comm.base import Communicator, Request

__all__ = ["ring"]

RING_TAG = 7311  # point-to-point tag of ring passes (collectives do not use tags)


def ring(
    block: torch.Tensor,
    counts: Sequence[int],
    comm: Communicator,
    axis: int = 0,
    wrap: bool = True,
) -> Iterator[tuple[int, torch.Tensor]]:
    """Yield ``(owner, block of owner)`` for ``owner = rank, rank + 1, ...`` (mod ``p``).

    Parameters
    ----------
    block : torch.Tensor
        This rank's block: ``counts[rank]`` slices along ``axis``; the other axes, dtype and
        device are the same on every rank.
    counts : sequence of int
        Every rank's extent along ``axis``.
    comm : Communicator
        The ring's ranks.
    axis : int
        The axis the blocks are cut along.
    wrap : bool
        Visit all ``p`` blocks (``True``), or only those of ranks ``rank .. p - 1``.

    Yields
    ------
    owner, tensor
        Compute with ``tensor`` before asking for the next one: while the caller computes, the
        next block arrives; the yielded tensor may be overwritten two steps later.
    """
    p, rank = comm.size, comm.rank
    steps = p if wrap else p - rank
    shape = list(block.shape)
    others = tuple(n for i, n in enumerate(shape) if i != axis)
    comm.checkpoint("ring", dtype=str(block.dtype), shape=others, counts=list(counts), wrap=wrap)
    slab = math.prod(n for i, n in enumerate(shape) if i != axis)
    spare = [block.new_empty(max(counts) * slab) for _ in range(min(2, steps - 1))]
    cur = block.contiguous()
    for s in range(steps):
        owner = (rank + s) % p
        reqs: list[Request] = []
        incoming = None
        if s < steps - 1:
            nxt = (owner + 1) % p
            shape[axis] = counts[nxt]
            incoming = spare[s % len(spare)][: counts[nxt] * slab].view(shape)
            if incoming.numel():
                reqs.append(comm.irecv(incoming, (rank + 1) % p, RING_TAG))
        if cur.numel() and (s < steps - 1 if wrap else rank > 0):
            reqs.append(comm.isend(cur, (rank - 1) % p, RING_TAG))
        yield owner, cur
        for req in reqs:
            req.wait()
        if incoming is not None:
            cur = incoming
