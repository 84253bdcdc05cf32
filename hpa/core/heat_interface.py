"""HeAT's ``DNDarray`` attributes of distribution, so a HeAT script ports by its import alone.

:class:`HeatInterface` is a base of :class:`hpa.Array`: the methods and properties here are
HeAT's names for what the layout already knows (``counts_displs``, ``create_lshape_map``,
``balanced``, ``__partitioned__``), in-place moves of the blocks (``collect_``), and access to
the local block by local indices (``lloc``). Only ``collect``/``collect_`` move data (one
``alltoallv`` through the redistribution planner); the rest read the layout and communicate
nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import torch

if TYPE_CHECKING:
    from hpa.core.array import Array

__all__ = ["HeatInterface", "LocalIndexer"]


class LocalIndexer:
    """``x.lloc[key]``: this rank's block indexed with local indices, as a torch tensor (HeAT's
    ``DNDarray.lloc``); assigning writes into the block. No communication."""

    __slots__ = ("_array",)

    def __init__(self, array: Array) -> None:
        self._array = array

    def __getitem__(self, key: Any) -> torch.Tensor:
        return self._array.larray[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        local = self._array.larray
        local[key] = value.larray if hasattr(value, "larray") else value


class HeatInterface:
    """HeAT's distribution attributes of :class:`hpa.Array` (HeAT's ``DNDarray`` names)."""

    __slots__ = ()

    def _self(self) -> Array:
        return self  # type: ignore[return-value]

    @property
    def balanced(self) -> bool:
        """Whether every rank holds its balanced share (HeAT's attribute); no communication."""
        return self._self().layout.is_balanced

    def counts_displs(self) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The elements per rank along the split axis and where each rank's block starts
        (HeAT's ``counts_displs``); no communication.

        Raises
        ------
        ValueError
            If the array is replicated (it has no split axis to count along).
        """
        lay = self._self().layout
        if lay.split is None:
            raise ValueError("counts_displs: a replicated array (split=None) has no counts")
        counts = tuple(int(c) for c in lay.counts)  # type: ignore[union-attr]
        return counts, tuple(int(o) for o in lay.offsets[:-1])  # type: ignore[index]

    def create_lshape_map(self, force_check: bool = False) -> torch.Tensor:
        """The local shape of every rank, one row each (HeAT's ``create_lshape_map``); read from
        the layout, so ``force_check`` changes nothing and nothing is communicated."""
        return self._self().lshape_map

    def collect_(self, target_rank: int = 0) -> None:
        """Move the whole array to ``target_rank`` in place (HeAT's ``collect_``): that rank
        then holds every slice of the split axis, the others none. One ``alltoallv``; nothing
        for a replicated array.

        Raises
        ------
        TypeError
            If ``target_rank`` is not an integer.
        ValueError
            If ``target_rank`` is not a rank of the array's communicator.
        """
        x = self._self()
        if isinstance(target_rank, bool) or not isinstance(target_rank, int):
            raise TypeError(f"target_rank must be an integer, got {target_rank!r}")
        size = x.comm.size
        if not 0 <= target_rank < size:
            raise ValueError(f"target_rank {target_rank} is not a rank of {size} process(es)")
        if x.split is None:
            return
        counts = [0] * size
        counts[target_rank] = x.shape[x.split]
        x.redistribute_(counts)

    def collect(self, target_rank: int = 0) -> Array:
        """A copy held entirely by ``target_rank`` (HeAT's ``collect``); see :meth:`collect_`."""
        out = self._self().copy()
        out.collect_(target_rank)
        return out

    def to_sparse_csc(self) -> None:
        """HeAT's CSC conversion: not supported, hpa holds CSR matrices only.

        Raises
        ------
        NotImplementedError
            Always (on every rank): use :meth:`to_sparse_csr`; the transpose of a row-split
            CSR matrix gives the columns.
        """
        raise NotImplementedError(
            "hpa has no CSC matrices: use x.to_sparse_csr() (its .T holds the columns as rows)"
        )

    @property
    def lloc(self) -> LocalIndexer:
        """Local indexing of this rank's block (HeAT's ``lloc``): ``x.lloc[0:2]`` is a torch
        tensor; ``x.lloc[0] = 1`` writes into the block. No communication."""
        return LocalIndexer(self._self())

    @property
    def stride(self) -> tuple[int, ...]:
        """The strides of this rank's block in elements (HeAT's ``stride``, torch's)."""
        return tuple(self._self().larray.stride())

    @property
    def strides(self) -> tuple[int, ...]:
        """The strides of this rank's block in bytes (HeAT's ``strides``, NumPy's unit)."""
        local = self._self().larray
        return tuple(s * local.element_size() for s in local.stride())

    def create_partition_interface(self) -> dict[str, Any]:
        """The partition interface of the array (HeAT's ``__partitioned__`` dictionary).

        ``shape`` and ``partition_tiling`` describe the global array; ``partitions`` maps each
        block's start index to its ``start``, ``shape``, ``location`` (the ranks holding it),
        ``dtype`` and ``device``, with ``data`` set only where this rank holds the block;
        ``locals`` lists the blocks held here; ``get(start)`` returns one of them; ``split``
        (hpa's addition) is the split axis. A split array lists its non-empty blocks, one per
        rank that has rows; a replicated (or empty) array is one block that every rank holds.
        Read from the layout; no communication.
        """
        x = self._self()
        lay, rank = x.layout, x.comm.rank
        blocks: list[tuple[tuple[int, ...], tuple[int, ...], list[int]]] = []
        if lay.split is not None:
            for r in range(x.comm.size):
                lo, hi = lay.range_of(r)
                if hi > lo:
                    start = tuple(lo if a == lay.split else 0 for a in range(x.ndim))
                    shape = tuple(hi - lo if a == lay.split else n for a, n in enumerate(x.shape))
                    blocks.append((start, shape, [r]))
        if not blocks:
            blocks.append(((0,) * x.ndim, tuple(x.shape), list(range(x.comm.size))))
        tiling = [1] * x.ndim
        if len(blocks) > 1:
            tiling[lay.split] = len(blocks)  # type: ignore[index]
        partitions = {
            start: {
                "start": start,
                "shape": shape,
                "data": x.larray if rank in owners else None,
                "location": owners,
                "dtype": x.dtype.torch,
                "device": str(x.larray.device),
            }
            for start, shape, owners in blocks
        }
        return {
            "shape": x.shape,
            "partition_tiling": tuple(tiling),
            "partitions": partitions,
            "locals": [start for start, _, owners in blocks if rank in owners],
            "get": lambda start: partitions[tuple(start)]["data"],
            "split": lay.split,
        }

    @property
    def __partitioned__(self) -> dict[str, Any]:
        """The partition interface (see :meth:`create_partition_interface`)."""
        return self.create_partition_interface()
