"""HeAT's functions that move an array's blocks: ``resplit``, ``balance``, ``redistribute`` and
``collect``, as functions of the array (the same as the array's methods).

======================  ==========================================================
function                communication
======================  ==========================================================
:func:`resplit`         one ``alltoallv`` between split axes (per 32 MiB window),
                        one ``allgatherv`` to ``None``, none from ``None``
:func:`balance`         one ``alltoallv`` when the blocks are not balanced, else none
:func:`redistribute`    one ``alltoallv``
:func:`collect`         one ``alltoallv`` (none for a replicated array)
:func:`from_partitioned`  one ``allgather_object`` of the block shapes (as
                        ``array(..., is_split=)``); none for one partition
======================  ==========================================================
"""

from __future__ import annotations

from typing import Any

import torch

from hpa.comm import get_comm
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.ops.creation import array, coerce

__all__ = ["balance", "collect", "from_partition_dict", "from_partitioned", "redistribute", "resplit"]


@register()
def resplit(arr: Any, axis: int | None = None) -> Array:
    """``arr`` split along ``axis`` (``None``: replicated), as HeAT's ``resplit``; a copy.

    Communicates one ``alltoallv`` between two split axes, one ``allgatherv`` to ``None`` and
    nothing from ``None`` (see :meth:`hpa.Array.resplit`).
    """
    return coerce(arr).resplit(axis)


@register()
def balance(array: Any, copy: bool = False) -> Array:
    """Balance ``array``'s blocks, as HeAT's ``balance``: in place (returning ``array``) unless
    ``copy=True``, which returns a balanced copy. One ``alltoallv`` when the blocks are not
    balanced, nothing otherwise.

    Raises
    ------
    TypeError
        If ``array`` is not an hpa array (there is nothing to balance in place).
    """
    if not isinstance(array, Array):
        raise TypeError(f"balance takes an hpa array, got {type(array).__name__}")
    return array.balance(copy=copy)


@register()
def redistribute(arr: Any, lshape_map: Any = None, target_map: Any = None) -> Array:
    """A copy of ``arr`` whose blocks follow ``target_map``, as HeAT's ``redistribute``.

    Parameters
    ----------
    arr : Array
        A split array.
    lshape_map : torch.Tensor, optional
        The current local shapes (HeAT's argument; hpa reads them from the layout).
    target_map : torch.Tensor or sequence, optional
        The wanted local shapes, a ``(ranks, ndim)`` table (only its split column matters),
        or the counts per rank along the split axis; ``None`` balances.

    Communicates one ``alltoallv``.

    Raises
    ------
    ValueError
        If ``arr`` is replicated, or the counts do not add up to the split axis' length.
    """
    out = coerce(arr).copy()
    if target_map is not None and torch.as_tensor(target_map).ndim == 2:
        return out.redistribute_(target_map=target_map)
    return out.redistribute_(target_map if target_map is None else list(target_map))


@register()
def collect(arr: Any, target_rank: int = 0) -> Array:
    """A copy of ``arr`` held entirely by ``target_rank`` (HeAT's ``collect``); one
    ``alltoallv``, none for a replicated array. See :meth:`hpa.Array.collect_`."""
    return coerce(arr).collect(target_rank)


def from_partitioned(x: Any, comm: Any = None) -> Array:
    """An hpa array from an object with the partition interface ``__partitioned__`` (HeAT's
    ``from_partitioned``; an hpa array's own interface round-trips).

    The partitions must tile at most one axis, in rank order (rank ``r`` holding the ``r``-th
    block); each rank takes its own block with the interface's ``get``. A single partition
    gives a replicated array, or one split along the dictionary's ``"split"`` entry (which
    hpa's own interface adds). Communicates one
    ``allgather_object`` of the block shapes, as ``array(..., is_split=axis)`` does; nothing for
    a single partition, which every rank holds.

    Raises
    ------
    ValueError
        If the partitions tile more than one axis or are not held one per rank in rank order.
    """
    return from_partition_dict(x.__partitioned__, comm=comm)


def from_partition_dict(parted: dict[str, Any], comm: Any = None) -> Array:
    """An hpa array from a partition-interface dictionary (HeAT's ``from_partition_dict``);
    see :func:`from_partitioned`."""
    world = comm if comm is not None else get_comm()
    tiling = tuple(parted["partition_tiling"])
    axes = [a for a, n in enumerate(tiling) if n > 1]
    if len(axes) > 1:
        raise ValueError(f"partitions tile the axes {axes}; hpa arrays are cut along one axis")
    blocks = sorted(parted["partitions"].values(), key=lambda b: tuple(b["start"]))
    if len(blocks) == 1 and sorted(blocks[0]["location"]) == list(range(world.size)):
        # held by every rank: split as the source says (hpa's interface records it)
        return array(parted["get"](blocks[0]["start"]), split=parted.get("split"), comm=world)
    axis = axes[0] if axes else parted.get("split")
    if axis is None:
        raise ValueError("a single partition held by some ranks only needs the split axis")
    owners = [b["location"] for b in blocks]
    if any(len(o) != 1 for o in owners) or [o[0] for o in owners] != sorted({o[0] for o in owners}):
        raise ValueError(f"the partitions are held by ranks {owners}, not one per rank in order")
    mine = [b for b in blocks if b["location"] == [world.rank]]
    if mine:
        local = parted["get"](mine[0]["start"])
    else:  # a rank without rows contributes an empty block
        shape = [0 if a == axis else n for a, n in enumerate(parted["shape"])]
        local = torch.empty(shape, dtype=blocks[0]["dtype"], device=blocks[0]["device"])
    return array(local, is_split=axis, comm=world)
