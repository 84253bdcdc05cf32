"""Pending reductions: per-rank parts of a value that is their sum (or min, max, ...) over ranks.

A reduction over the split axis leaves every rank with a part of the answer; a contraction over
a split axis leaves partial products. :class:`Partial` holds such a part (PyTorch DTensor calls
this placement ``Partial``) and resolves it with exactly one collective:

==========================  ===========================  =======================================
resolution                  collective                   volume per rank
==========================  ===========================  =======================================
:meth:`Partial.replicate`   one ``allreduce``            the part (about twice that on the wire)
:meth:`Partial.scatter`     one ``reduce_scatter``       the part; each rank keeps its rows
:func:`scatter_windows`     one ``reduce_scatter`` per   a window (about 32 MiB) at a time, so a
                            window of rows               large partial result never exists whole
:func:`exclusive_scan`      one ``exscan``               the part; rank ``r`` gets the reduction
                                                         of the parts of ranks ``0 .. r-1``
==========================  ===========================  =======================================

:func:`any_rank` is the one-flag case: whether a condition holds on some rank, so that an error
found in one rank's data is raised on every rank.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from hpa.comm.base import Communicator, ReduceOp
from hpa.core.layout import Layout

__all__ = ["Partial", "any_rank", "exclusive_scan", "scatter_windows"]


class Partial:
    """This rank's part of a value that is ``op`` over every rank's part.

    Parameters
    ----------
    part : torch.Tensor
        This rank's part; every rank's has the same shape and dtype.
    comm : Communicator
        The ranks holding the parts.
    op : ReduceOp
        How the parts combine (``SUM`` by default).
    """

    __slots__ = ("comm", "op", "part")

    def __init__(self, part: torch.Tensor, comm: Communicator, op: ReduceOp = ReduceOp.SUM) -> None:
        self.part = part
        self.comm = comm
        self.op = op

    def replicate(self) -> torch.Tensor:
        """The combined value on every rank: one ``allreduce`` (also at one process, where it
        is a copy, so that the count of collectives does not depend on the process count)."""
        return self.comm.allreduce(self.part, self.op)

    def scatter(self, counts: Sequence[int], axis: int = 0) -> torch.Tensor:
        """This rank's ``counts[rank]`` slices along ``axis`` of the combined value: one
        ``reduce_scatter``. ``counts`` cut ``axis`` of the part, the same on every rank."""
        part = self.part if axis == 0 else self.part.movedim(axis, 0)
        mine = self.comm.reduce_scatter(part.contiguous(), counts, self.op)
        return mine if axis == 0 else mine.movedim(0, axis).contiguous()


def any_rank(flag: bool | torch.Tensor, comm: Communicator) -> bool:
    """Whether ``flag`` (a Python bool or a one-element tensor) holds on any rank: one
    ``allreduce`` of one byte, read once on the host. Every rank gets the same answer, so an
    error that one rank's data reveals is raised on all of them."""
    t = flag.reshape(1) if isinstance(flag, torch.Tensor) else torch.tensor([bool(flag)])
    return bool(Partial(t.to(torch.bool), comm, ReduceOp.LOR).replicate()[0])


def scatter_windows(
    out: Layout, row_bytes: int, window: Callable[[int, list[int]], torch.Tensor], limit: int
) -> list[torch.Tensor]:
    """Rows of a partial result summed over the ranks, computed and reduce-scattered in windows.

    Parameters
    ----------
    out : Layout
        The result's layout, split along axis 0 of what ``window`` returns (after the caller's
        own ``movedim``); its counts say which rows each rank keeps.
    row_bytes : int
        Bytes of one row of the result, to size the windows.
    window : callable
        ``window(start, takes)`` returns this rank's partial sums of the rows
        ``offsets[r] + start ... + takes[r]`` of every rank ``r``, stacked along axis 0
        (``sum(takes)`` rows, in rank order).
    limit : int
        Bytes of one window over all ranks.

    Returns
    -------
    list of torch.Tensor
        This rank's pieces of its rows, one per window, in order (none for an empty layout);
        one ``reduce_scatter`` per window.
    """
    comm, counts = out.comm, out.counts
    assert counts is not None
    width = max(1, limit // (max(1, row_bytes) * comm.size))
    pieces = []
    for start in range(0, max(counts), width):
        takes = [max(0, min(width, c - start)) for c in counts]
        pieces.append(Partial(window(start, takes), comm).scatter(takes))
    return pieces


def exclusive_scan(
    t: torch.Tensor, comm: Communicator, op: ReduceOp = ReduceOp.SUM
) -> torch.Tensor:
    """``t_0 op ... op t_{r-1}`` on rank ``r`` (the identity of ``op`` on rank 0): one
    ``exscan``. ``t`` has the same shape and dtype on every rank; the result's dtype follows
    :meth:`~hpa.comm.base.Communicator.exscan` (bool for logical operations, float32 for
    float16/bfloat16). The carries of a scan along the split axis."""
    return comm.exscan(t, op)
