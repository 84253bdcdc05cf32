"""CSV (delimited text) files of numbers: each rank parses the lines that start in its own byte
range of the file; a save formats every rank's rows and writes them at their byte offsets.

A file of ``n`` data lines of ``m`` numbers loads as an ``(n, m)`` array (a single column gives
``(n, 1)``). Lines are cut at ``\\n`` bytes (``\\r\\n`` line ends work), so the encoding must
write ``\\n`` as that single byte (UTF-8, Latin-1, ASCII; not UTF-16), and a field may not hold
a line break (no quoting). Parsing follows :func:`numpy.loadtxt`: empty lines are skipped,
every other line must have the same number of fields, and integer and bool dtypes read
integers only.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from hpa.comm import Communicator
from hpa.core.array import Array
from hpa.core.dtypes import DType, float64, to_dtype
from hpa.core.exchange import agreed, agreed_allgather
from hpa.core.layout import Layout, normalize_axis
from hpa.io.common import (
    array_from_block,
    host_block,
    replaced_atomically,
    resolve_comm,
)
from hpa.io.lines import check_encoding, rank_lines

__all__ = ["load_csv", "save_csv"]

_FORMAT_ROWS = 1 << 16
"""Rows formatted at a time when saving (bounds the Python objects alive at once)."""


def load_csv(
    path: str | os.PathLike[str],
    header_lines: int = 0,
    sep: str | None = ",",
    dtype: Any = float64,
    encoding: str = "utf-8",
    split: int | None = 0,
    device: Any = None,
    comm: Communicator | None = None,
    *,
    usecols: int | Sequence[int] | None = None,
    comments: str | None = None,
    balance: bool = True,
) -> Array:
    """Load a CSV file of numbers into a 2-D array; each rank parses only its part of the file.

    Parameters
    ----------
    path : str or path-like
        The text file: one row per line, fields separated by ``sep``.
    header_lines : int
        Lines at the start of the file to skip (NumPy's ``skiprows``).
    sep : str or None
        The field separator (``","``, ``";"``, ``"\\t"``, ...); ``None``: any run of
        whitespace, leading and trailing whitespace ignored.
    dtype : dtype
        The dtype of the result and of the parse (default float64; integer and bool dtypes
        read integers such as ``0``/``1``, not ``1.0``; complex dtypes read ``1+2j`` and
        ``(1+2j)``).
    encoding : str
        The file's text encoding; one that writes ``"\\n"`` as the byte ``0x0A``.
    split : int or None
        The axis of the result to distribute (``0``: rows, ``1``: columns, ``None``: every
        rank holds the whole array).
    device, comm : optional
        Device of the blocks and communicator (defaults: the default device and world).
    usecols : int or sequence of int, optional
        Read only these columns, in this order (NumPy's ``usecols``); other fields may then be
        missing or not numbers.
    comments : str, optional
        Text that starts a comment running to the end of its line (NumPy's ``comments``, for
        example ``"#"``); lines that hold only a comment are skipped. ``None``: no comments.
    balance : bool
        With ``split=0``: move rows so that the blocks are balanced (default). ``False`` keeps
        the rows where they were parsed: the blocks follow the file's byte ranges, so their
        extents depend on the line lengths.

    Returns
    -------
    Array
        The ``(rows, columns)`` array, split along ``split``. A file without data lines (empty,
        or only header, comments and empty lines) gives shape ``(0, 0)``, or
        ``(0, len(usecols))``.

    Raises
    ------
    FileNotFoundError, IsADirectoryError, PermissionError
        When the file cannot be read, on every rank.
    ValueError
        On every rank for a field that is not a number of ``dtype``, lines with different
        numbers of fields, text that is not valid in ``encoding``, or ``usecols`` outside the
        lines; the message names the byte range of the lines that failed.

    Notes
    -----
    The bytes after the header are cut into ``p`` equal ranges; a rank parses the lines that
    start in its range (reading past its end to finish the last one) with
    :func:`numpy.loadtxt`. The header is found by every rank reading the start of the file.
    Unlike HeAT's ``load_csv``, the defaults are ``dtype=float64`` and ``split=0``.

    Communication: one ``allgather_object`` agrees that every rank parsed its lines and
    exchanges the row and column counts and the file's size (a path naming files of different
    sizes on different ranks raises ``ValueError`` everywhere). Then ``split=0`` with ``balance`` costs one
    ``alltoallv`` (only rows near the block edges move when the lines have similar lengths),
    ``split=1`` one ``alltoallv`` and ``split=None`` one ``allgatherv``.
    """
    comm = resolve_comm(comm)
    target = to_dtype(dtype)
    if split is not None:
        split = normalize_axis(split, 2, "split")
    if isinstance(header_lines, bool) or not isinstance(header_lines, int) or header_lines < 0:
        raise ValueError(f"header_lines must be a non-negative integer, got {header_lines!r}")
    check_encoding(encoding)
    columns = None if usecols is None else _usecols(usecols)
    name = os.fspath(path)

    def parse() -> tuple[np.ndarray, int]:
        start, stop, length, text = rank_lines([name], header_lines, comm.rank, comm.size)[0]
        try:
            return _parse(text.decode(encoding), sep, target, columns, comments), length
        except ValueError as error:
            raise ValueError(
                f"{name!r}, lines in bytes {start} to {stop}: {error}".rstrip(".")
            ) from None

    (block, _), seen = agreed_allgather(comm, parse, lambda got: (got[0].shape, got[1], name))
    if len({length for _, length, _ in seen}) > 1:
        sizes = "; ".join(f"rank {r}: {n!r}, {size} bytes" for r, (_, size, n) in enumerate(seen))
        raise ValueError(
            f"the ranks read different files ({sizes}); pass a path that names the same file "
            "on every rank"
        )
    shapes = [shape for shape, _, _ in seen]
    widths = {m for n, m in shapes if n}
    if len(widths) > 1:
        raise ValueError(
            f"{name!r}: the lines have different numbers of fields ({sorted(widths)}); pass "
            "usecols= to read a subset"
        )
    width = widths.pop() if widths else 0 if columns is None else len(columns)
    counts = [n for n, _ in shapes]
    layout = Layout((sum(counts), width), 0, comm, counts)
    x = array_from_block(block, layout, target, device)
    if split == 0:
        return x.balance_() if balance else x
    return x.resplit(split)


def save_csv(
    x: Array,
    path: str | os.PathLike[str],
    header: str | Sequence[str] | None = None,
    sep: str = ",",
    *,
    fmt: str | Sequence[str] | None = None,
    encoding: str = "utf-8",
) -> None:
    """Save a 1-D or 2-D array as a CSV file without gathering it.

    Parameters
    ----------
    x : Array
        The array: a 2-D array gives one line per row, a 1-D array one value per line. Any
        split, ragged blocks included.
    path : str or path-like
        The file to create or replace.
    header : str or sequence of str, optional
        Lines written before the data, as given (no comment prefix); load the file back with
        ``header_lines=`` their number.
    sep : str
        The field separator.
    fmt : str or sequence of str, optional
        %-formats as in :func:`numpy.savetxt`: one for every column, one per column, or one for
        the whole line (several ``%``). The values are Python ``int``, ``float`` or
        ``complex`` (bool as ``int``). By default numbers read back exactly: integers and bools
        as ``%d`` (bools ``0``/``1``), float64 as the shortest text that reads back exactly
        (``%r``), float32 and bfloat16 as ``%.9g``, float16 as ``%.5g``, complex as
        ``(re+imj)``.
    encoding : str
        The text encoding; one that writes ``"\\n"`` as the byte ``0x0A``.

    Raises
    ------
    ValueError
        For an array that is not 1-D or 2-D, a sequence ``fmt`` of the wrong length, an
        unknown conversion, or a value that ``fmt`` cannot format (``%d`` of NaN on one rank).
    TypeError
        For a ``fmt`` with the wrong number of conversions or one that does not take the
        array's values (``%d`` of complex).

    Every error is raised on every rank, and ``path`` is left as it was.

    Notes
    -----
    Lines end with ``\\n``. Every rank formats its rows; the byte lengths are exchanged, every
    rank writes its bytes at its offset of a temporary file at the same time (disjoint
    ranges; rank 0 also writes the header and sizes the file), and the temporary replaces
    ``path`` once every rank has written. A replicated array is formatted and written by rank
    0 alone. The formatted text of the local block is held in memory (about 2-3 times the
    block's size for float64).

    Communication: a 2-D array split along axis 1 is first resplit along axis 0 (one
    ``alltoallv``); then one ``allgather_object`` agrees on the formatting and exchanges the
    byte lengths, one agrees on the writes, and the temporary file's name and publication
    cost one ``bcast_object`` and three agreements.
    """
    comm = x.comm
    if x.ndim not in (1, 2):
        raise ValueError(f"save_csv writes 1-D and 2-D arrays, not {x.ndim}-D")
    check_encoding(encoding)
    if not isinstance(sep, str) or not sep or "\n" in sep or "\r" in sep:
        raise ValueError(f"sep must be a non-empty string without line breaks, got {sep!r}")
    columns = 1 if x.ndim == 1 else x.shape[1]
    line = _line_format(fmt, x.dtype, columns, sep)
    if x.split == 1:
        x = x.resplit(0)
    head = "" if header is None else _header_text(header)
    writes = x.split is not None or comm.rank == 0

    def encode() -> bytes:
        if not writes:
            return b""
        text = head if comm.rank == 0 else ""
        return (text + _format_rows(host_block(x).reshape(-1, columns), line)).encode(encoding)

    with replaced_atomically(os.fspath(path), comm) as temp:
        data, sizes = agreed_allgather(comm, encode, len)
        offset = sum(sizes[: comm.rank])
        total = sum(sizes) if comm.rank == 0 else None
        agreed(comm, lambda: _write_at(temp, data, offset, total))


def _usecols(usecols: int | Sequence[int]) -> tuple[int, ...]:
    """``usecols`` as a tuple of ints (one int: that column alone)."""
    chosen = (usecols,) if isinstance(usecols, (int, np.integer)) else tuple(usecols)
    if not chosen or any(
        isinstance(c, bool) or not isinstance(c, (int, np.integer)) for c in chosen
    ):
        raise TypeError(f"usecols must be an int or a non-empty sequence of ints, got {usecols!r}")
    return tuple(int(c) for c in chosen)


def _parse(
    text: str,
    sep: str | None,
    dtype: DType,
    usecols: tuple[int, ...] | None,
    comments: str | None,
) -> np.ndarray:
    """The numbers of ``text``'s lines as a 2-D array (``(0, k)`` when it has no data)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "loadtxt: input contained no data", UserWarning)
        return np.loadtxt(
            io.StringIO(text, newline=None),
            dtype=dtype.numpy,
            delimiter=sep,
            comments=comments,
            usecols=usecols,
            ndmin=2,
        )


def _default_format(dtype: DType) -> str:
    """The %-format that reads back exactly as ``dtype``."""
    if dtype.kind in "biu":
        return "%d"
    if dtype.kind == "c":
        return "%s"
    return {"float16": "%.5g", "float64": "%r"}.get(dtype.name, "%.9g")


def _line_format(fmt: str | Sequence[str] | None, dtype: DType, columns: int, sep: str) -> str:
    """The %-format of one line (newline included), checked on a row of zeros of ``dtype``.

    Raises ``ValueError`` or ``TypeError`` on every rank alike (it depends on the arguments
    only).
    """
    if fmt is None:
        line = sep.join([_default_format(dtype)] * columns)
    elif isinstance(fmt, str):
        line = sep.join([fmt] * columns) if fmt.replace("%%", "").count("%") == 1 else fmt
    else:
        formats = list(fmt)
        if len(formats) != columns:
            raise ValueError(f"fmt has {len(formats)} formats for {columns} columns")
        line = sep.join(formats)
    line += "\n"
    zero = {"b": 0, "i": 0, "u": 0, "c": 0j}.get(dtype.kind, 0.0)
    try:
        line % ((zero,) * columns)
    except TypeError as error:
        raise TypeError(f"fmt {line!r} does not format {columns} {dtype} values: {error}") from None
    return line


def _header_text(header: str | Sequence[str]) -> str:
    """The header lines as text ending with a line break."""
    text = header if isinstance(header, str) else "\n".join(header)
    return text if text.endswith("\n") else text + "\n"


def _format_rows(block: np.ndarray, line: str) -> str:
    """The rows of the 2-D ``block`` formatted with ``line``, as one string."""
    pieces = []
    for lo in range(0, block.shape[0], _FORMAT_ROWS):
        rows = block[lo : lo + _FORMAT_ROWS]
        if rows.dtype == np.bool_:
            rows = rows.astype(np.int64)
        pieces.append((line * rows.shape[0]) % tuple(rows.ravel().tolist()))
    return "".join(pieces)


def _write_at(temp: str, data: bytes, offset: int, total: int | None) -> None:
    """Write ``data`` at ``offset`` of ``temp`` (created if needed); with ``total``, also size
    the file to ``total`` bytes (rank 0)."""
    if not data and total is None:
        return
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT, 0o666)
    try:
        if total is not None:
            os.ftruncate(fd, total)
        view = memoryview(data)
        while view:
            written = os.pwrite(fd, view, offset)
            view, offset = view[written:], offset + written
    finally:
        os.close(fd)
