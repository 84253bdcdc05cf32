"""Counting of silent host round trips on CUDA.

A device-to-host read that the program did not ask for (``tensor.item()``, ``bool(tensor)``,
``torch.nonzero``, a copy to pageable host memory) stalls the host until the GPU has caught up.
:func:`count_host_syncs` counts them with torch's synchronisation debug mode, so a test can assert
that an elementwise operation, a reduction or a matrix product issues none.

Transfers that the communicators make on purpose (staging a CUDA tensor through host memory for
an MPI library without CUDA support) run inside :func:`deliberate` and are not counted as silent;
they are tallied separately in :attr:`HostSyncs.staged`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import torch

__all__ = ["HostSyncs", "count_host_syncs", "deliberate", "note_staged"]

_active: list[HostSyncs] = []


class HostSyncs:
    """Tally of host round trips in a :func:`count_host_syncs` block.

    Attributes
    ----------
    silent : int
        Synchronising CUDA operations issued outside the communicators' deliberate staging.
        Always 0 when CUDA is not initialised (a CPU-only run has no device to wait for).
    staged : int
        Tensors a communicator copied through host memory on purpose.
    """

    def __init__(self) -> None:
        self.silent = 0
        self.staged = 0

    def __repr__(self) -> str:
        return f"HostSyncs(silent={self.silent}, staged={self.staged})"


def _tracking() -> bool:
    return torch.cuda.is_available() and torch.cuda.is_initialized()


@contextmanager
def count_host_syncs() -> Iterator[HostSyncs]:
    """Count the host round trips of the enclosed code (read the result after the block).

    Examples
    --------
    >>> import hpa
    >>> x = hpa.ones((1000, 8), split=0)
    >>> with hpa.count_host_syncs() as syncs:
    ...     y = (x * 2).sum(axis=0)
    >>> syncs.silent
    0
    """
    stats = HostSyncs()
    _active.append(stats)
    if not _tracking():
        try:
            yield stats
        finally:
            _active.remove(stats)
        return
    previous = torch.cuda.get_sync_debug_mode()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.cuda.set_sync_debug_mode("warn")
        try:
            yield stats
        finally:
            torch.cuda.set_sync_debug_mode(previous)
            _active.remove(stats)
    stats.silent = sum("synchroniz" in str(w.message) for w in caught)


@contextmanager
def deliberate() -> Iterator[None]:
    """Run an intended device-host transfer without counting it as silent."""
    if not (_active and _tracking()):
        yield
        return
    previous = torch.cuda.get_sync_debug_mode()
    torch.cuda.set_sync_debug_mode(0)
    try:
        yield
    finally:
        torch.cuda.set_sync_debug_mode(previous)


def note_staged() -> None:
    """Record one tensor staged through host memory by a communicator."""
    for stats in _active:
        stats.staged += 1
