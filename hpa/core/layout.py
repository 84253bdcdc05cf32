"""The layout of a distributed array: how its global shape is cut into per-process blocks.

A :class:`Layout` is an immutable value: global shape, split axis (``None`` for replicated),
the extent every rank holds along the split axis, and the communicator. Everything else
(offsets, local shapes, balance) is derived from it, never fetched with a collective.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import accumulate

from hpa.comm.base import Communicator
from hpa.core.errors import AxisError, SplitError

__all__ = ["Layout", "chunk", "normalize_axis"]


def chunk(n: int, parts: int) -> tuple[int, ...]:
    """Balanced extents: ``n`` items over ``parts`` ranks, the first ``n % parts`` get one more."""
    if n < 0 or parts < 1:
        raise ValueError(f"cannot cut {n} items into {parts} parts")
    base, extra = divmod(n, parts)
    return tuple(base + 1 if r < extra else base for r in range(parts))


def normalize_axis(axis: int, ndim: int, what: str = "axis") -> int:
    """``axis`` as a non-negative index into ``ndim`` dimensions (negative counts from the end)."""
    if isinstance(axis, bool) or not hasattr(type(axis), "__index__"):
        raise TypeError(f"{what} must be an integer or None, got {axis!r}")
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise AxisError(f"{what} {axis} is out of range for an array with {ndim} dimensions")
    return axis % ndim


class Layout:
    """Global shape, split axis and per-rank extents of a distributed array.

    Parameters
    ----------
    gshape : sequence of int
        Global shape.
    split : int or None
        The axis cut into blocks (already normalised), or ``None`` when every rank holds all.
    counts : sequence of int or None
        Extent of every rank's block along ``split``; ``None`` for a balanced layout.
    comm : Communicator
        The processes that share the array.
    """

    __slots__ = ("_hash", "_lshape", "comm", "counts", "gshape", "offsets", "split")

    def __init__(
        self,
        gshape: Sequence[int],
        split: int | None,
        comm: Communicator,
        counts: Sequence[int] | None = None,
    ) -> None:
        self.gshape: tuple[int, ...] = tuple(int(s) for s in gshape)
        if split is not None and not 0 <= split < len(self.gshape):
            raise SplitError(
                f"split axis {split} is out of range for {len(self.gshape)} dimensions"
            )
        self.split = split
        self.comm = comm
        if split is None:
            self.counts: tuple[int, ...] | None = None
            self.offsets: tuple[int, ...] | None = None
            self._lshape = self.gshape
        else:
            n = self.gshape[split]
            given = None if counts is None else tuple(counts)
            cnt = chunk(n, comm.size) if given is None else tuple(int(c) for c in given)
            if (
                len(cnt) != comm.size
                or sum(cnt) != n
                or min(cnt) < 0
                or (given is not None and any(c != i for c, i in zip(given, cnt)))
            ):
                raise SplitError(
                    f"extents {given} do not cut axis {split} of length {n} into {comm.size} blocks"
                )
            self.counts = cnt
            self.offsets = (0, *accumulate(cnt))
            shape = list(self.gshape)
            shape[split] = cnt[comm.rank]
            self._lshape = tuple(shape)
        self._hash: int | None = None

    # derived values -------------------------------------------------------------------
    @property
    def ndim(self) -> int:
        return len(self.gshape)

    @property
    def lshape(self) -> tuple[int, ...]:
        """Shape of this rank's block."""
        return self._lshape

    def lshape_of(self, rank: int) -> tuple[int, ...]:
        """Shape of ``rank``'s block."""
        if self.split is None:
            return self.gshape
        shape = list(self.gshape)
        shape[self.split] = self.counts[rank]  # type: ignore[index]
        return tuple(shape)

    def range_of(self, rank: int) -> tuple[int, int]:
        """Global ``[start, stop)`` of ``rank``'s block along the split axis."""
        if self.split is None:
            raise SplitError("a replicated layout has no per-rank range")
        return self.offsets[rank], self.offsets[rank + 1]  # type: ignore[index]

    @property
    def is_balanced(self) -> bool:
        return self.split is None or self.counts == chunk(self.gshape[self.split], self.comm.size)

    @property
    def is_distributed(self) -> bool:
        return self.split is not None and self.comm.size > 1

    # related layouts --------------------------------------------------------------------
    def with_split(self, split: int | None, counts: Sequence[int] | None = None) -> Layout:
        """The same global shape, cut along ``split`` (balanced unless ``counts`` given)."""
        return Layout(self.gshape, split, self.comm, counts)

    def __eq__(self, other: object) -> bool:
        return self is other or (
            isinstance(other, Layout)
            and self.gshape == other.gshape
            and self.split == other.split
            and self.counts == other.counts
            and self.comm is other.comm
        )

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash((self.gshape, self.split, self.counts, id(self.comm)))
        return self._hash

    def __repr__(self) -> str:
        return f"Layout(gshape={self.gshape}, split={self.split}, counts={self.counts})"
