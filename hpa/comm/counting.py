"""Counting of collectives: the one place every communication is recorded.

Every public collective of every :class:`~hpa.comm.base.Communicator` calls :func:`record`
before it moves data. :func:`count_collectives` opens a window in which those calls are
tallied, so a test can assert, for example, that a sum over the split axis costs exactly one
``allreduce`` and that an elementwise operation costs none.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["CommStats", "count_collectives", "record", "suspended"]

_active: list[CommStats] = []


class CommStats:
    """Tally of the collectives issued by this process inside a :func:`count_collectives` block.

    Attributes
    ----------
    counts : collections.Counter
        Number of calls per collective kind (``"allreduce"``, ``"allgatherv"``, ...).
    bytes : collections.Counter
        Payload bytes this process contributed, per collective kind.
    largest : collections.Counter
        The most bytes this process contributed to one call, per collective kind.
    """

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.bytes: Counter[str] = Counter()
        self.largest: Counter[str] = Counter()

    @property
    def total(self) -> int:
        """Total number of collectives of any kind."""
        return sum(self.counts.values())

    @property
    def total_bytes(self) -> int:
        """Total payload bytes over all kinds."""
        return sum(self.bytes.values())

    def __getitem__(self, kind: str) -> int:
        return self.counts[kind]

    def __repr__(self) -> str:
        kinds = ", ".join(f"{k}={n} ({self.bytes[k]} B)" for k, n in sorted(self.counts.items()))
        return f"CommStats({kinds or 'none'})"


def record(kind: str, nbytes: int) -> None:
    """Record one collective of ``kind`` moving ``nbytes`` from this process."""
    for stats in _active:
        stats.counts[kind] += 1
        stats.bytes[kind] += nbytes
        stats.largest[kind] = max(stats.largest[kind], nbytes)


@contextmanager
def count_collectives() -> Iterator[CommStats]:
    """Count the collectives issued inside the ``with`` block.

    Yields
    ------
    CommStats
        Filled while the block runs; nested blocks each see their own calls.

    Examples
    --------
    >>> import hpa
    >>> x = hpa.arange(10, split=0)
    >>> with hpa.count_collectives() as stats:
    ...     _ = x.sum()
    >>> stats["allreduce"]
    1
    """
    stats = CommStats()
    _active.append(stats)
    try:
        yield stats
    finally:
        _active.remove(stats)


@contextmanager
def suspended() -> Iterator[None]:
    """Count nothing inside the block: a collective built from another is recorded once."""
    saved = _active[:]
    _active.clear()
    try:
        yield
    finally:
        _active[:] = saved
