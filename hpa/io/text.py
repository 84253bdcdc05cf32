"""Text files of numbers read as NumPy reads them: ``loadtxt`` and ``genfromtxt``, in parallel.

Each rank parses the lines that start in its share of the file's bytes
(:mod:`hpa.io.lines`) with NumPy's own parser (:func:`numpy.loadtxt`,
:func:`numpy.genfromtxt`), so fields, comments, delimiters, converters and missing values mean
what they mean in NumPy. The blocks are then put together as NumPy's result would be: the rows
counted, ``max_rows`` (and ``skip_footer``) applied to the rows of the whole file, NumPy's
shape rules (a single row or column is squeezed, ``ndmin``, ``unpack`` transposes) and the
result distributed along ``split``.

=============================================  ===========================================
step                                           communication
=============================================  ===========================================
parse, agree, exchange row and column counts   one ``allgather_object``
``max_rows`` reached inside a rank's lines     one more ``allgather_object`` when that rank
that fail to parse past the limit              parses again up to the limit
rows to the result's layout                    one ``alltoallv`` (balanced rows, another
                                               axis), one ``allgatherv`` for ``split=None``
=============================================  ===========================================

Every error (a missing file, a field that is not a number, lines of different lengths) is
raised on every rank; a message about a field names the byte range of the lines that failed.
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from hpa.comm import Communicator
from hpa.core.array import Array
from hpa.core.dtypes import DType, to_dtype
from hpa.core.exchange import agreed_allgather
from hpa.core.layout import Layout
from hpa.io.common import array_from_block, resolve_comm
from hpa.io.lines import Span, check_encoding, rank_lines
from hpa.ops.manipulation import reshape, transpose

__all__ = ["genfromtxt", "loadtxt"]

Parser = Callable[[str, int | None], np.ndarray]
"""Text of whole lines and a row limit (or None) to a 2-D block of rows."""

_QUIET = ("loadtxt: input contained no data", "genfromtxt: Empty input file", "Input line")
"""NumPy's warnings about a rank's lines that hold no rows: said once for the file instead."""


def loadtxt(
    fname: str | os.PathLike[str], dtype: Any = float, comments: Any = "#",
    delimiter: str | None = None, converters: Any = None, skiprows: int = 0,
    usecols: int | Sequence[int] | None = None, unpack: bool = False, ndmin: int = 0,
    encoding: str | None = None, max_rows: int | None = None, *, split: int | None = 0,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Load numbers from a text file, as :func:`numpy.loadtxt`; each rank parses its lines.

    Parameters
    ----------
    fname : str or path-like
        The file's name (every rank opens it; file objects and lists of lines are not taken).
    dtype : dtype
        The result's dtype (default float64).
    comments : str, sequence of str or None
        The text that starts a comment.
    delimiter : str or None
        The field separator; ``None``: any whitespace.
    converters : callable or dict, optional
        As NumPy's (run on every rank for its lines).
    skiprows : int
        Lines skipped at the start of the file, comments and empty lines included.
    usecols : int or sequence of int, optional
        The columns to read, in this order (negative ones count from the end).
    unpack : bool
        Return the transpose (one column per row), for ``x, y = loadtxt(...)``.
    ndmin : {0, 1, 2}
        The fewest dimensions of the result; single rows and columns are squeezed otherwise.
    encoding : str, optional
        The text encoding (default UTF-8); it must write a line break as the byte 0x0A.
    max_rows : int, optional
        Read only this many rows of data after ``skiprows`` (comments and empty lines do not
        count); the lines after them are not checked.
    split : {0, 1, None}
        The axis of the result to distribute (balanced blocks); ``None``: every rank holds the
        whole array. A result without that axis (a single value; a single row or column,
        squeezed to 1-D, with ``split=1``) is replicated.
    device, comm : optional
        Device of the blocks and communicator (defaults: the default device and world).

    Returns
    -------
    Array
        NumPy's result: shape ``(rows, columns)`` squeezed as NumPy does, and ``ndmin``.

    Notes
    -----
    The bytes after ``skiprows`` are cut into ``p`` equal ranges; a rank parses the lines that
    start in its range. Communication: one ``allgather_object`` agrees on the parse and
    exchanges the row counts (plus one when ``max_rows`` ends inside lines of a rank that did
    not parse past the limit); then one ``alltoallv`` balances the rows (or moves them to
    ``split=1``), or one ``allgatherv`` replicates them (``split=None``). Quoted fields
    (NumPy's ``quotechar``) and compressed files are not supported.
    """
    target = to_dtype(dtype)
    skip = _count(skiprows, "skiprows")
    limit = None if max_rows is None else _count(max_rows, "max_rows")
    columns = None if usecols is None else _columns(usecols)

    def parse(text: str, rows: int | None) -> np.ndarray:
        with warnings.catch_warnings():
            for message in _QUIET:
                warnings.filterwarnings("ignore", message, UserWarning)
            return np.loadtxt(
                io.StringIO(text, newline=None), dtype=target.numpy, comments=comments,
                delimiter=delimiter, converters=converters, usecols=columns, ndmin=2,
                max_rows=rows,
            )  # fmt: skip

    empty = (0,) if columns is None else (0, len(columns))
    rows = _Rows(fname, skip, encoding, parse, "loadtxt: input contained no data")
    return rows.load(limit, 0, empty, ndmin, unpack, target, split, device, comm)


def genfromtxt(
    fname: str | os.PathLike[str], dtype: Any = float, comments: str | None = "#",
    delimiter: Any = None, skip_header: int = 0, skip_footer: int = 0, converters: Any = None,
    missing_values: Any = None, filling_values: Any = None,
    usecols: int | Sequence[int] | None = None, *, unpack: bool | None = None,
    max_rows: int | None = None, encoding: str | None = None, ndmin: int = 0,
    split: int | None = 0, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Load numbers from a text file with missing values, as :func:`numpy.genfromtxt`; each
    rank parses its lines.

    Parameters
    ----------
    fname : str or path-like
        The file's name (every rank opens it).
    dtype : dtype
        The result's dtype (default float64). ``None`` (a dtype per column) and structured
        dtypes are not supported: hpa arrays hold one dtype.
    comments : str or None
        The text that starts a comment.
    delimiter : str, int, sequence of int or None
        The field separator, or the widths of fixed-width fields; ``None``: any whitespace.
    skip_header, skip_footer : int
        Lines skipped at the start of the file, and data rows dropped at its end.
    converters, missing_values, filling_values : optional
        As NumPy's: empty fields and the ``missing_values`` strings become ``filling_values``
        (by default NaN for floats, -1 for integers).
    usecols : int or sequence of int, optional
        The columns to read, in this order. A negative one counts from the end of the first
        line each rank parses (NumPy's: of the file's first line), which differ only when the
        lines have different numbers of fields.
    unpack : bool, optional
        Return the transpose.
    max_rows : int, optional
        Read only this many rows of data (at least 1; not with ``skip_footer``).
    encoding : str, optional
        The text encoding (default UTF-8); it must write a line break as the byte 0x0A.
    ndmin : {0, 1, 2}
        The fewest dimensions of the result.
    split, device, comm : optional
        As for :func:`loadtxt`.

    Returns
    -------
    Array
        NumPy's result (a single row or column squeezed, ``ndmin``).

    Notes
    -----
    Parsed like :func:`loadtxt` (the same communication). NumPy's ``names``, ``usemask`` and
    the options that only concern them are not supported; every rank parses its lines with
    ``invalid_raise=True``. The ``skip_footer`` rows are parsed and checked before they are
    dropped (NumPy forgives lines of the wrong length among them).
    """
    if dtype is None:
        raise TypeError(
            "genfromtxt with dtype=None infers a dtype per column; hpa arrays hold one dtype: "
            "pass one (float, int, ...)"
        )
    target = to_dtype(dtype)
    skip = _count(skip_header, "skip_header")
    footer = _count(skip_footer, "skip_footer")
    if max_rows is not None:
        if footer:
            raise ValueError(
                "The keywords 'skip_footer' and 'max_rows' can not be specified at the same time."
            )
        if _count(max_rows, "max_rows") < 1:
            raise ValueError("'max_rows' must be at least 1.")
    columns = None if usecols is None else _columns(usecols)

    def parse(text: str, rows: int | None) -> np.ndarray:
        with warnings.catch_warnings():
            for message in _QUIET:
                warnings.filterwarnings("ignore", message, UserWarning)
            options: dict[str, Any] = {
                "comments": comments, "delimiter": delimiter, "converters": converters,
                "missing_values": missing_values, "filling_values": filling_values,
                "usecols": columns, "max_rows": rows,
            }  # fmt: skip
            block = np.genfromtxt(
                io.StringIO(text, newline=None), dtype=target.numpy, ndmin=2, **options
            )
        return block if block.size else block.reshape(0, 0)

    rows = _Rows(fname, skip, encoding, parse, "genfromtxt: Empty input file")
    return rows.load(max_rows, footer, (0,), ndmin, bool(unpack), target, split, device, comm)


# ------------------------------------------------------------------------------ arguments
def _count(value: Any, name: str) -> int:
    if isinstance(value, bool) or not hasattr(type(value), "__index__"):
        raise TypeError(f"{name} must be an integer, got {value!r}")
    if int(value) < 0:
        raise ValueError(f"{name} must be non-negative, got {int(value)}")
    return int(value)


def _columns(usecols: Any) -> tuple[int, ...]:
    chosen = (usecols,) if hasattr(type(usecols), "__index__") else tuple(usecols)
    if any(isinstance(c, bool) or not hasattr(type(c), "__index__") for c in chosen):
        raise TypeError(f"usecols must be an int or a sequence of ints, got {usecols!r}")
    return tuple(int(c) for c in chosen)


def _numpy_shape(base: tuple[int, ...], ndmin: int) -> tuple[int, ...]:
    """NumPy's result shape from the parsed ``base`` shape: length-1 axes squeezed unless
    ``ndmin`` asks for them, then padded to ``ndmin`` (a 1-D result becomes a column)."""
    shape = tuple(n for n in base if n != 1) if len(base) > ndmin else base
    if len(shape) < ndmin:
        shape = (1,) if ndmin == 1 else (*shape, 1) if shape else (1, 1)
    return shape


# ------------------------------------------------------------------------------ the read
class _Rows:
    """One file's rows parsed in parallel by ``parse``, put together as NumPy's result."""

    def __init__(
        self, fname: Any, skip: int, encoding: str | None, parse: Parser, no_data: str
    ) -> None:
        if not isinstance(fname, (str, os.PathLike)):
            raise TypeError(
                f"hpa reads a text file by name (every rank opens it), not a "
                f"{type(fname).__name__}: pass its path"
            )
        self.name = os.fspath(fname)
        self.skip = skip
        self.encoding = "utf-8" if encoding is None else encoding
        check_encoding(self.encoding)
        self.parse = parse
        self.no_data = no_data

    def _parsed(self, span: Span, rows: int | None) -> np.ndarray:
        """The block of ``span``'s lines (at most ``rows`` rows); errors name the bytes."""
        try:
            return self.parse(span.text.decode(self.encoding), rows)
        except ValueError as error:
            message = f"{self.name!r}, lines in bytes {span.start} to {span.stop}: {error}"
            raise ValueError(message.rstrip(".")) from None

    def load(
        self, max_rows: int | None, footer: int, empty: tuple[int, ...], ndmin: int,
        unpack: bool, target: DType, split: int | None, device: Any,
        comm: Communicator | None,
    ) -> Array:  # fmt: skip
        """The result (see :func:`loadtxt`): ``empty`` is NumPy's parsed shape without rows."""
        if ndmin not in (0, 1, 2):
            raise ValueError(f"Illegal value of ndmin keyword: {ndmin}")
        if split not in (None, 0, 1) or isinstance(split, bool):
            raise ValueError(f"split must be 0, 1 or None, got {split!r}")
        comm = resolve_comm(comm)
        block, counts, width = self._blocks(comm, max_rows, footer)
        base = (sum(counts), width) if sum(counts) else empty
        if not sum(counts):
            warnings.warn(f'{self.no_data}: "{self.name}"', UserWarning, stacklevel=3)
            block, counts = block.reshape(0, *base[1:]), [0] * comm.size
        rows = array_from_block(block, Layout(base, 0, comm, counts), target, device)
        x = reshape(rows, _numpy_shape(base, ndmin))
        x = transpose(x) if unpack else x
        if split is None or split >= x.ndim:
            return x.resplit(None)
        return x.balance_() if x.split == split else x.resplit(split)

    def _blocks(
        self, comm: Communicator, max_rows: int | None, footer: int
    ) -> tuple[np.ndarray, list[int], int]:
        """This rank's kept rows, every rank's count of them, and the number of columns."""

        def attempt() -> tuple[Span, np.ndarray | None]:
            span = rank_lines([self.name], self.skip, comm.rank, comm.size)[0]
            try:
                return span, self._parsed(span, None)
            except ValueError:
                if max_rows is None:
                    raise
                return span, None  # maybe past the limit: see _limited

        (span, block), seen = agreed_allgather(
            comm, attempt, lambda got: (None if got[1] is None else got[1].shape, got[0].length)
        )
        if len({length for _, length in seen}) > 1:
            sizes = "; ".join(f"rank {r}: {n} bytes" for r, (_, n) in enumerate(seen))
            raise ValueError(
                f"the ranks read different files named {self.name!r} ({sizes}); pass a path "
                "that names the same file on every rank"
            )
        shapes = [shape for shape, _ in seen]
        if max_rows is not None:
            block = self._limited(comm, shapes, span, block, max_rows)
        parsed = [0 if s is None else s[0] for s in shapes]
        end = sum(parsed) - footer if max_rows is None else max_rows
        counts, before = [], 0
        for n in parsed:
            counts.append(min(max(end - before, 0), n))
            before += n
        checked = counts if max_rows is not None else parsed  # the footer is checked too
        widths = {s[1] for s, n in zip(shapes, checked) if n and s is not None}
        if len(widths) > 1:
            raise ValueError(
                f"{self.name!r}: the lines have different numbers of columns "
                f"({sorted(widths)}); use usecols to select a subset"
            )
        mine = block if block is not None else np.zeros((0, 0))
        return mine[: counts[comm.rank]], counts, widths.pop() if widths else 0

    def _limited(
        self, comm: Communicator, shapes: list[Any], span: Span, block: np.ndarray | None,
        max_rows: int,
    ) -> np.ndarray | None:  # fmt: skip
        """This rank's block once ``max_rows`` is known to be reached: the first rank whose
        lines failed to parse (``None`` in ``shapes``) and that the limit reaches parses
        again up to the limit (an error raised then is NumPy's); ``shapes`` is updated."""
        total, failed = 0, None
        for r, shape in enumerate(shapes):
            if total >= max_rows or shape is None:
                failed = None if total >= max_rows else r
                break
            total += shape[0]
        if failed is None:
            return block
        again, seen = agreed_allgather(
            comm,
            lambda: self._parsed(span, max_rows - total) if comm.rank == failed else block,
            lambda got: None if got is None else got.shape,
        )
        shapes[failed] = seen[failed]
        return again
