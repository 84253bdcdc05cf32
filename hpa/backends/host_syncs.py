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

import os
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import torch

__all__ = ["HostSyncs", "count_host_syncs", "deliberate", "note_staged"]

_active: list[HostSyncs] = []
# the text of torch's warning in synchronisation debug mode (other warnings pass through)
_SYNC_WARNING = "called a synchronizing CUDA operation"
_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class HostSyncs:
    """Tally of host round trips in a :func:`count_host_syncs` block.

    Attributes
    ----------
    silent : int
        Synchronising CUDA operations issued outside the communicators' deliberate staging.
        Always 0 when CUDA is not initialised (a CPU-only run has no device to wait for).
    where : list of str
        For each silent synchronisation, the innermost line of hpa that caused it
        (``path:line`` inside the package), or the caller's line outside hpa.
    staged : int
        Tensors a communicator copied through host memory on purpose.
    """

    def __init__(self) -> None:
        self.silent = 0
        self.where: list[str] = []
        self.staged = 0

    def __repr__(self) -> str:
        return f"HostSyncs(silent={self.silent}, staged={self.staged}, where={self.where})"


def _origin() -> str:
    """The innermost line of hpa on the stack (outside this module and the warnings machinery),
    else the innermost line outside them."""
    stack = [
        f
        for f in traceback.extract_stack()
        if f.filename != __file__ and os.path.basename(f.filename) != "warnings.py"
    ]
    for frame in reversed(stack):
        if frame.filename.startswith(_PACKAGE):
            return f"{os.path.relpath(frame.filename, os.path.dirname(_PACKAGE))}:{frame.lineno}"
    return f"{stack[-1].filename}:{stack[-1].lineno}" if stack else "unknown"


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
    show = warnings.showwarning

    def record(message: Any, *args: Any, **kwargs: Any) -> None:
        if _SYNC_WARNING not in str(message):
            show(message, *args, **kwargs)
            return
        stats.silent += 1
        stats.where.append(_origin())

    with warnings.catch_warnings():
        warnings.filterwarnings("always", message=f".*{_SYNC_WARNING}")
        warnings.showwarning = record
        torch.cuda.set_sync_debug_mode("warn")
        try:
            yield stats
        finally:
            torch.cuda.set_sync_debug_mode(previous)
            _active.remove(stats)


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
