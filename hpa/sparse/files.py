"""Sparse matrices in files: SciPy's ``.npz`` format and Matrix Market (``.mtx``).

=====================  ================================================  =====================
function               what each rank reads                              communication
=====================  ================================================  =====================
:func:`load_npz`       CSR files: the row pointers, then only its rows'  one agreement
                       columns and values (memory-mapped when the
                       archive is stored uncompressed); other formats:
                       the whole matrix, through SciPy, keeping its rows
:func:`mmread`         the whole text (Matrix Market has no row index),  one agreement
                       parsed by SciPy's reader; it keeps its rows
:func:`save_npz`,      every rank gathers the entries (three             three ``allgatherv``
:func:`mmwrite`        ``allgatherv``), rank 0 writes through SciPy      and the agreements of
                       into a temporary file renamed into place          an atomic save
=====================  ================================================  =====================
"""

from __future__ import annotations

import os
import struct
import zipfile
from typing import Any

import numpy as np

from hpa.comm.base import Communicator
from hpa.core.exchange import agreed
from hpa.core.layout import Layout
from hpa.io.common import replaced_atomically, resolve_comm
from hpa.sparse.conversion import check_split
from hpa.sparse.creation import csr_matrix
from hpa.sparse.matrix import CSRMatrix

__all__ = ["load_npz", "mmread", "mmwrite", "save_npz"]


def _member(path: str, name: str, start: int, stop: int) -> np.ndarray:
    """Elements ``start:stop`` of the 1-D array ``name`` of an ``.npz`` archive: read from a
    memory map when the member is stored uncompressed, else decompressed whole."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(name + ".npy")
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(member)
            else:
                shape, _, dtype = np.lib.format.read_array_header_2_0(member)
            header = member.tell()
            if info.compress_type != zipfile.ZIP_STORED or len(shape) != 1:
                return np.asarray(np.lib.format.read_array(archive.open(info)))[start:stop]
    with open(path, "rb") as handle:
        handle.seek(info.header_offset)
        local = handle.read(30)
        name_len, extra_len = struct.unpack("<HH", local[26:30])
    offset = info.header_offset + 30 + name_len + extra_len + header + start * dtype.itemsize
    if stop <= start:
        return np.empty(0, dtype=dtype)
    return np.array(np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=(stop - start,)))


def load_npz(
    file: str | os.PathLike[str], *, split: int | None = 0, device: Any = None,
    comm: Communicator | None = None,
) -> CSRMatrix:  # fmt: skip
    """A sparse matrix saved by ``scipy.sparse.save_npz`` (or :func:`save_npz`), each rank
    reading its rows.

    Raises
    ------
    FileNotFoundError, ValueError
        On every rank, if the file is missing or not a SciPy sparse archive.
    """
    comm = resolve_comm(comm)
    path = os.fspath(file)
    split = check_split(split)

    def read() -> Any:
        with np.load(path) as npz:
            if "format" not in npz.files or "shape" not in npz.files:
                raise ValueError(f"{path} is not a scipy.sparse .npz archive")
            fmt = npz["format"].item()
            fmt = fmt.decode() if isinstance(fmt, bytes) else str(fmt)
            shape = tuple(int(s) for s in npz["shape"])
            if fmt != "csr" or split is None:
                return None, shape
            indptr = np.asarray(npz["indptr"], dtype=np.int64)
        return indptr, shape

    indptr, shape = agreed(comm, read)
    if indptr is None:
        import scipy.sparse as sp

        whole = agreed(comm, lambda: sp.load_npz(path))
        return csr_matrix(whole, split=split, device=device, comm=comm)
    lo, hi = Layout(shape, 0, comm).range_of(comm.rank)
    first, stop = int(indptr[lo]), int(indptr[hi])

    def rows() -> Any:
        cols = _member(path, "indices", first, stop)
        vals = _member(path, "data", first, stop)
        return vals, cols, indptr[lo : hi + 1] - first

    vals, cols, crow = agreed(comm, rows)
    return csr_matrix((vals, cols, crow), shape=(hi - lo, shape[1]), split=split, is_split=0,
                      device=device, comm=comm)  # fmt: skip


def _gathered_scipy(matrix: CSRMatrix) -> Any:
    if not isinstance(matrix, CSRMatrix):
        raise TypeError(f"expected an hpa.sparse matrix, got {type(matrix).__name__}")
    return matrix.to_scipy()


def save_npz(file: str | os.PathLike[str], matrix: CSRMatrix, compressed: bool = True) -> None:
    """Save ``matrix`` in SciPy's ``.npz`` format (``.npz`` is appended to a name without it,
    as SciPy does); readable by ``scipy.sparse.load_npz``."""
    import scipy.sparse as sp

    path = os.fspath(file)
    if not path.endswith(".npz"):
        path += ".npz"
    whole = _gathered_scipy(matrix)
    comm = matrix.comm

    def write(temp: str) -> None:
        with open(temp, "wb") as handle:
            sp.save_npz(handle, whole, compressed=compressed)

    with replaced_atomically(path, comm) as temp:
        agreed(comm, lambda: write(temp) if comm.rank == 0 else None)


def mmread(
    source: str | os.PathLike[str], *, split: int | None = 0, device: Any = None,
    comm: Communicator | None = None,
) -> CSRMatrix:  # fmt: skip
    """A Matrix Market file (coordinate or array format) as a CSR matrix (SciPy's
    ``mmread``; symmetric, skew-symmetric and Hermitian files are expanded)."""
    import scipy.io

    comm = resolve_comm(comm)
    whole = agreed(comm, lambda: scipy.io.mmread(os.fspath(source)))
    return csr_matrix(whole, split=split, device=device, comm=comm)


def mmwrite(
    target: str | os.PathLike[str], a: CSRMatrix, comment: str | None = None,
    field: str | None = None, precision: int | None = None, symmetry: str | None = None,
) -> None:  # fmt: skip
    """Write ``a`` as a Matrix Market coordinate file (SciPy's ``mmwrite``; ``.mtx`` is
    appended to a name without it)."""
    import scipy.io

    path = os.fspath(target)
    if not path.endswith(".mtx"):
        path += ".mtx"
    whole = _gathered_scipy(a)
    comm = a.comm
    options = {"comment": comment or "", "field": field, "precision": precision,
               "symmetry": symmetry}  # fmt: skip

    def write(temp: str) -> None:
        with open(temp, "wb") as handle:
            scipy.io.mmwrite(handle, whole, **options)

    with replaced_atomically(path, comm) as temp:
        agreed(comm, lambda: write(temp) if comm.rank == 0 else None)
