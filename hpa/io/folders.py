"""Every ``.npy`` or ``.csv`` file of a folder as one array (HeAT's ``load_npy_from_path`` and
``load_csv_from_folder``): the files, in sorted name order, concatenated along the split axis.

Each rank reads only its part: its balanced slab of the concatenation, from the memory-mapped
``.npy`` files it overlaps; of CSV files, the lines that start in its share of the bytes of all
files together (:mod:`hpa.io.lines`), or whole files when they are joined side by side
(``split=1``) or pass through a function first.

=========================================  ==============================================
function                                   communication
=========================================  ==============================================
``load_npy_from_path``                     two ``allgather_object`` (the files' shapes
                                           agreed, then the reads); ``split=None``: every
                                           rank reads all
``load_csv_from_folder``                   one ``allgather_object`` (the parse and the
                                           row counts), then one ``alltoallv`` to balance
                                           the blocks, or one ``allgatherv`` for
                                           ``split=None``
=========================================  ==============================================
"""

from __future__ import annotations

import io
import os
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from hpa.comm import Communicator
from hpa.core.array import Array
from hpa.core.dtypes import DType, int32, to_dtype
from hpa.core.exchange import agreed, agreed_allgather
from hpa.core.layout import Layout, chunk, normalize_axis
from hpa.io.common import array_from_block, resolve_comm
from hpa.io.lines import rank_lines

__all__ = ["load_csv_from_folder", "load_npy_from_path"]


def _check_arguments(path: Any, split: Any) -> None:
    """HeAT's checks of the arguments."""
    if not isinstance(path, str):
        raise TypeError(f"path must be str, not {type(path)}")
    if split is not None and (isinstance(split, bool) or not isinstance(split, int)):
        raise TypeError(f"split must be None or int, not {type(split)}")


def _files(path: str, suffix: str) -> list[str]:
    """The files of ``path`` whose names end in ``suffix``, sorted by name."""
    names = sorted(n for n in os.listdir(path) if n.endswith(suffix))
    if not names:
        raise ValueError(f"No {suffix} Files were found")
    return [os.path.join(path, n) for n in names]


def _same_listing(seen: list[Any], path: str) -> None:
    """Raise on every rank when the ranks found different files under ``path``."""
    if any(s != seen[0] for s in seen[1:]):
        raise ValueError(
            f"the ranks found different files in {path!r}; pass a folder that every rank sees "
            "with the same contents"
        )


def _joined_shape(shapes: list[tuple[int, ...]], axis: int) -> tuple[int, ...]:
    """The shape of the files' arrays concatenated along ``axis`` (NumPy's checks)."""
    first = shapes[0]
    if any(len(s) != len(first) for s in shapes) or not first:
        raise ValueError(
            "the files' arrays must all have the same number of dimensions, at least one: "
            f"found shapes {shapes}"
        )
    for i, s in enumerate(shapes):
        for d, (n, m) in enumerate(zip(first, s)):
            if d != axis and n != m:
                raise ValueError(
                    "all the input array dimensions except for the concatenation axis must "
                    f"match exactly, but along dimension {d}, the array at index 0 has size "
                    f"{n} and the array at index {i} has size {m}"
                )
    return (*first[:axis], sum(s[axis] for s in shapes), *first[axis + 1 :])


def load_npy_from_path(
    path: str,
    dtype: Any = int32,
    split: int | None = 0,
    device: Any = None,
    comm: Communicator | None = None,
) -> Array:
    """Every ``.npy`` file of a folder as one array, concatenated along ``split`` (HeAT's).

    Parameters
    ----------
    path : str
        The folder; its files ending in ``.npy`` are read in sorted name order.
    dtype : dtype
        The result's dtype (HeAT's default: int32; the files' values are converted).
    split : int or None
        The axis along which the files are concatenated and the result is distributed
        (balanced blocks); ``None``: concatenated along axis 0 and replicated.
    device, comm : optional
        Device of the blocks and communicator (defaults: the default device and world).

    Returns
    -------
    Array
        The files' arrays concatenated.

    Notes
    -----
    Every rank memory-maps the files and copies out the part of its block each one holds, so
    it reads only its own slab. Communication: one ``allgather_object`` agrees on the listing
    and the files' shapes, one on the reads. Unlike HeAT, the files are taken in sorted order
    (HeAT takes ``os.listdir``'s, which may differ between ranks) and there may be fewer files
    than processes.
    """
    _check_arguments(path, split)
    comm, target = resolve_comm(comm), to_dtype(dtype)

    def survey() -> list[tuple[str, np.ndarray]]:
        return [(f, np.load(f, mmap_mode="r", allow_pickle=False)) for f in _files(path, ".npy")]

    found, seen = agreed_allgather(comm, survey, lambda got: [(f, a.shape) for f, a in got])
    _same_listing(seen, path)
    shapes = [shape for _, shape in seen[0]]
    stored = [a for _, a in found]
    axis = 0 if split is None else normalize_axis(split, max(len(s) for s in shapes), "split")
    layout = Layout(_joined_shape(shapes, axis), split, comm)
    lo, hi = layout.range_of(comm.rank) if split is not None else (0, layout.gshape[axis])

    def read() -> Array:
        pieces, start = [], 0
        for a in stored:
            a0, a1 = max(lo, start) - start, min(hi, start + a.shape[axis]) - start
            if a1 > a0:
                cut = (slice(None),) * axis + (slice(a0, a1),)
                pieces.append(a[cut].astype(target.numpy))
            start += a.shape[axis]
        block = np.concatenate(pieces, axis) if pieces else np.zeros(layout.lshape, target.numpy)
        return array_from_block(block, layout, target, device)

    return agreed(comm, read)


def load_csv_from_folder(
    path: str,
    dtype: Any = int32,
    split: int | None = 0,
    device: Any = None,
    comm: Communicator | None = None,
    func: Callable[[np.ndarray], Any] | None = None,
) -> Array:
    """Every ``.csv`` file of a folder as one array, concatenated along ``split`` (HeAT's).

    Parameters
    ----------
    path : str
        The folder; its files ending in ``.csv`` are read in sorted name order. Each file's
        first line is its header (skipped, as pandas' ``read_csv`` does), fields are separated
        by commas, and empty fields are NaN.
    dtype : dtype
        The result's dtype (HeAT's default: int32); the values are parsed as float64 (complex
        for a complex dtype) and converted.
    split : int or None
        ``0``: the files' rows one after another, split along the rows; ``1``: the files side
        by side (same number of rows), split along the columns; ``None``: as ``0``, replicated.
    device, comm : optional
        Device of the blocks and communicator (defaults: the default device and world).
    func : callable, optional
        Applied to each file's values (a 2-D NumPy array, not HeAT's pandas DataFrame: hpa
        does not need pandas) before they are joined; it returns a 2-D array.

    Returns
    -------
    Array
        The files' values joined, balanced along ``split``.

    Notes
    -----
    Along the rows (``split=0`` or ``None``, no ``func``) the bytes of all files together are
    cut into equal ranges and a rank parses the lines that start in its range; side by side or
    through ``func``, each rank parses whole files, a balanced share of them. Communication:
    one ``allgather_object`` agrees on the parse and the sizes, then one ``alltoallv``
    balances the blocks (``split=None``: one ``allgatherv``). Unlike HeAT, there may be fewer
    files than processes.
    """
    _check_arguments(path, split)
    if func is not None and not callable(func):
        raise TypeError("func needs to be a callable function or None")
    comm, target = resolve_comm(comm), to_dtype(dtype)
    axis = 0 if split is None else normalize_axis(split, 2, "split")
    parsed = to_dtype(complex if target.kind == "c" else float)
    whole = axis == 1 or func is not None

    def parse() -> tuple[list[str], np.ndarray]:
        files = _files(path, ".csv")
        if whole:
            start = sum(chunk(len(files), comm.size)[: comm.rank])
            mine = files[start : start + chunk(len(files), comm.size)[comm.rank]]
            blocks = [_values(_text(f), parsed, func) for f in mine]
        else:
            spans = rank_lines(files, 1, comm.rank, comm.size)
            blocks = [_values(s.text.decode(), parsed, None) for s in spans]
        kept = [b for b in blocks if b.shape[axis]]
        return files, (np.concatenate(kept, axis) if kept else np.zeros((0, 0)))

    (_, block), seen = agreed_allgather(comm, parse, lambda got: (got[0], got[1].shape))
    _same_listing([files for files, _ in seen], path)
    sizes = [shape for _, shape in seen]
    return _joined(block, sizes, axis, split, target, device, comm, path)


def _joined(
    block: np.ndarray, sizes: list[tuple[int, ...]], axis: int, split: int | None,
    target: DType, device: Any, comm: Communicator, path: str,
) -> Array:  # fmt: skip
    """The ranks' blocks joined along ``axis`` (their other extents must agree), balanced
    along ``split`` (replicated for ``None``)."""
    other = {s[1 - axis] for s in sizes if s[axis]}
    if len(other) > 1:
        raise ValueError(
            f"the files of {path!r} differ in their {'columns' if axis == 0 else 'rows'}: "
            f"{sorted(other)}"
        )
    counts = [s[axis] for s in sizes]
    width = other.pop() if other else 0
    shape = (sum(counts), width) if axis == 0 else (width, sum(counts))
    layout = Layout(shape, axis, comm, counts)
    x = array_from_block(block.reshape(layout.lshape), layout, target, device)
    return x.resplit(None) if split is None else x.balance_()


def _text(file: str) -> str:
    with open(file, encoding="utf-8") as handle:
        return "".join(handle.readlines()[1:])


def _values(text: str, dtype: DType, func: Callable[[np.ndarray], Any] | None) -> np.ndarray:
    """The comma-separated numbers of ``text`` as a 2-D array (``(0, 0)`` without rows),
    passed through ``func`` when given."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "genfromtxt: Empty input file", UserWarning)
        values = np.genfromtxt(io.StringIO(text), delimiter=",", dtype=dtype.numpy, ndmin=2)
    values = values if values.size else np.zeros((0, 0), dtype.numpy)
    if func is None:
        return values
    out = np.asarray(func(values))
    if out.ndim != 2:
        raise ValueError(f"func must return a 2-D array, got {out.ndim} dimensions")
    return out
