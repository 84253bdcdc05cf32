"""The lines of text files that each rank parses: those that start in its share of the bytes.

The data bytes of one file, or of several files read as one (each file's after its first
``skip`` lines, in the order given), are cut into ``p`` equal ranges; a rank takes the lines
that *start* in its range, reading past the range's end to finish its last line. So every
line belongs to exactly one rank, a rank's lines are consecutive lines of the files, and the
ranks' lines are in rank order. Lines are cut at ``\\n`` bytes (``\\r\\n`` works), so the
encoding must write a line break as that single byte. No communication: every rank finds its
own range from the file sizes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import NamedTuple

__all__ = ["Span", "check_encoding", "rank_lines"]

_READ_CHUNK = 1 << 16
"""Bytes read at a time while looking for the end of a line."""


class Span(NamedTuple):
    """A rank's lines of one file: their first byte, their end, the file's size, the bytes."""

    start: int
    stop: int
    length: int
    text: bytes


def check_encoding(encoding: str) -> None:
    """Raise unless ``encoding`` is known and writes a line break as the single byte 0x0A."""
    if "\n".encode(encoding) != b"\n":
        raise ValueError(
            f"encoding {encoding!r} does not write a line break as one byte 0x0A; text files "
            "are cut into lines at that byte (use UTF-8, Latin-1 or ASCII)"
        )


def _line_start(fd: int, pos: int, first: int, size: int) -> int:
    """The first line start at or after byte ``pos``: ``first``, a byte after ``\\n``, or
    ``size`` when no line starts there."""
    if pos <= first:
        return first
    at = pos - 1
    while at < size:
        chunk = os.pread(fd, _READ_CHUNK, at)
        if not chunk:
            break
        found = chunk.find(b"\n")
        if found >= 0:
            return at + found + 1
        at += len(chunk)
    return size


def _skip_lines(fd: int, lines: int, size: int) -> int:
    """The byte offset after the first ``lines`` lines (``size`` when there are fewer)."""
    if not lines:
        return 0
    at = 0
    while at < size:
        chunk = os.pread(fd, _READ_CHUNK, at)
        if not chunk:
            break
        ends = chunk.count(b"\n")
        if ends < lines:
            lines -= ends
            at += len(chunk)
            continue
        found = -1
        for _ in range(lines):
            found = chunk.index(b"\n", found + 1)
        return at + found + 1
    return size


def _read(fd: int, start: int, stop: int) -> bytes:
    parts = []
    at = start
    while at < stop:
        chunk = os.pread(fd, stop - at, at)
        if not chunk:
            break
        parts.append(chunk)
        at += len(chunk)
    return b"".join(parts)


def rank_lines(paths: Sequence[str], skip: int, rank: int, size: int) -> list[Span]:
    """``rank``'s lines of the files ``paths`` read as one text, one :class:`Span` per file.

    Parameters
    ----------
    paths : sequence of str
        The files, in the order their lines are read.
    skip : int
        Lines skipped at the start of every file (headers).
    rank, size : int
        This rank and the number of ranks sharing the bytes.

    Returns
    -------
    list of Span
        For every file (in order), the lines of this rank's range, empty where it has none.
        Reads the skipped lines of every file, then only this rank's lines (and the rest of
        its last line). No communication.
    """
    fds = [os.open(p, os.O_RDONLY) for p in paths]
    try:
        lengths = [os.fstat(fd).st_size for fd in fds]
        firsts = [_skip_lines(fd, skip, n) for fd, n in zip(fds, lengths)]
        total = sum(n - f for n, f in zip(lengths, firsts))
        lo, hi = total * rank // size, total * (rank + 1) // size
        spans, before = [], 0
        for fd, n, first in zip(fds, lengths, firsts):
            data = n - first
            a, b = (first + min(max(v - before, 0), data) for v in (lo, hi))
            start, stop = (_line_start(fd, v, first, n) for v in (a, b))
            if a == b:  # the range misses this file: no line starts in it
                start = stop = a
            spans.append(Span(start, stop, n, _read(fd, start, stop)))
            before += data
        return spans
    finally:
        for fd in fds:
            os.close(fd)
