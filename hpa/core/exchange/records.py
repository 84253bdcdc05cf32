"""Small per-rank records: every rank learns what every other rank holds.

=========================  =====================  ==============================================
primitive                  collective             volume per rank
=========================  =====================  ==============================================
:func:`gather_records`     one ``allgather``      the record's bytes (all fields in one buffer)
:func:`gather_counts`      one ``allgather``      ``8 k`` bytes (``k`` integers)
:func:`gather_blocks`      one ``allgatherv``     the block; every rank receives all blocks
:func:`gather_objects`     one ``allgather_object``  a pickled object
:func:`share`              one ``bcast``          the tensor, from its owner
:func:`share_object`       one ``bcast_object``   a pickled object, from its owner
:func:`share_parts`        one ``bcast``          several tensors' bytes in one buffer, from
                                                  their owner
=========================  =====================  ==============================================

Use them for summaries whose size does not grow with the data (candidates of an arg-reduction,
splitters of a sort, per-rank counts, file metadata); data move with :mod:`.routing`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from hpa.comm.base import Communicator

__all__ = [
    "gather_blocks",
    "gather_counts",
    "gather_objects",
    "gather_records",
    "share",
    "share_object",
    "share_parts",
]


def _bytes(t: torch.Tensor) -> torch.Tensor:
    """The bytes of every element of ``t`` along a new last axis."""
    return t.contiguous().unsqueeze(-1).view(torch.uint8)


def gather_records(comm: Communicator, *fields: torch.Tensor) -> list[torch.Tensor]:
    """Every rank's ``fields`` through one ``allgather`` of their bytes.

    Parameters
    ----------
    comm : Communicator
        The ranks taking part.
    *fields : torch.Tensor
        Tensors of one shape (the same on every rank), of any dtypes.

    Returns
    -------
    list of torch.Tensor
        One per field, with a new leading axis of length ``comm.size`` (rank ``r``'s field at
        index ``r``), in the field's dtype.
    """
    raw = comm.allgather(torch.cat([_bytes(f) for f in fields], dim=-1))
    out, start = [], 0
    for f in fields:
        width = f.element_size()
        # clone: a slice can be "contiguous" at an odd byte offset, which view() rejects
        part = raw[..., start : start + width].clone(memory_format=torch.contiguous_format)
        out.append(part.view(f.dtype).squeeze(-1))
        start += width
    return out


def gather_counts(comm: Communicator, counts: Sequence[int] | torch.Tensor) -> torch.Tensor:
    """Every rank's ``k`` integers as an int64 ``(comm.size, k)`` tensor (one ``allgather``)."""
    t = counts if isinstance(counts, torch.Tensor) else torch.tensor(list(counts))
    return comm.allgather(t.to(torch.int64).reshape(-1))


def gather_blocks(t: torch.Tensor, counts: Sequence[int], comm: Communicator) -> torch.Tensor:
    """Every rank's block concatenated along axis 0 in rank order (one ``allgatherv``).

    ``counts[r]`` is the number of rows rank ``r`` contributes, known to every rank; the
    other axes agree.
    """
    return comm.allgatherv(t, counts)


def gather_objects(comm: Communicator, obj: Any) -> list[Any]:
    """Every rank's picklable ``obj``, in rank order (one ``allgather_object``)."""
    return comm.allgather_object(obj)


def share(t: torch.Tensor, root: int, comm: Communicator) -> torch.Tensor:
    """``root``'s tensor on every rank (one ``bcast``); the others pass a buffer of its shape
    and dtype."""
    return comm.bcast(t, root)


def share_object(obj: Any, root: int, comm: Communicator) -> Any:
    """``root``'s picklable ``obj`` on every rank (one ``bcast_object``)."""
    return comm.bcast_object(obj, root)


def share_parts(parts: Sequence[torch.Tensor], root: int, comm: Communicator) -> list[torch.Tensor]:
    """``root``'s tensors ``parts`` on every rank through one ``bcast`` of their bytes.

    The other ranks pass tensors of the same shapes and dtypes (their contents are ignored);
    the dtypes may differ (a panel with its pivots and a status flag travel together).
    """
    if comm.size == 1:
        return list(parts)
    if comm.rank == root:
        raw = torch.cat([_bytes(t).reshape(-1) for t in parts])
    else:
        raw = parts[0].new_empty(
            sum(t.numel() * t.element_size() for t in parts), dtype=torch.uint8
        )
    raw = comm.bcast(raw, root)
    out, start = [], 0
    for t in parts:
        n = t.numel() * t.element_size()
        piece = raw[start : start + n]
        piece = piece.clone() if start % t.element_size() else piece
        out.append(piece.view(t.dtype).view(t.shape))
        start += n
    return out
