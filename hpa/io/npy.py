"""NumPy ``.npy`` files: each rank memory-maps the file and copies out its own slab; a save
writes every rank's bytes at their place in the file (in parallel when the blocks are
contiguous in the file, in turn otherwise)."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from hpa.comm import Communicator
from hpa.core.array import Array
from hpa.core.exchange import agreed, share_object
from hpa.io.common import (
    agreed_load,
    array_from_block,
    block_index,
    file_dtype,
    host_block,
    in_turn,
    plan_load,
    replaced_atomically,
    resolve_comm,
)

__all__ = ["load_npy", "save_npy"]


def load_npy(
    path: str | os.PathLike[str],
    split: int | None = None,
    dtype: Any = None,
    slices: Any = None,
    device: Any = None,
    comm: Communicator | None = None,
) -> Array:
    """Load a ``.npy`` file into an array cut along ``split``; each rank reads its slab only.

    Parameters
    ----------
    path : str or path-like
        The ``.npy`` file (C or Fortran order).
    split : int or None
        The axis of the result to distribute (balanced blocks); ``None``: every rank reads all.
    dtype : dtype, optional
        Convert to this dtype while loading; by default the file's own.
    slices : int, slice or tuple of them, optional
        Load only this part (NumPy basic indexing with positive steps).
    device, comm : optional
        Device of the blocks and communicator (defaults: the default device and world).

    Returns
    -------
    Array
        The stored array (or its selected part), split along ``split``.

    Notes
    -----
    The file is memory-mapped, so a rank touches only the pages of its own slab.
    Communication: one ``allgather_object`` to agree that every rank read the same array
    without an error (every error is raised on every rank).
    """
    comm = resolve_comm(comm)

    def read() -> Array:
        stored = np.load(os.fspath(path), mmap_mode="r", allow_pickle=False)
        target = file_dtype(stored.dtype, dtype, f"{os.fspath(path)!r}")
        slab = plan_load(stored.shape, split, comm, slices)
        return array_from_block(stored[slab.index], slab.layout, target, device)

    return agreed_load(comm, read, f"{os.fspath(path)!r}")


def save_npy(x: Array, path: str | os.PathLike[str]) -> None:
    """Save ``x`` as a ``.npy`` file (C order) without gathering it.

    Parameters
    ----------
    x : Array
        The array (any split, ragged blocks included).
    path : str or path-like
        The file to create or replace.

    Notes
    -----
    Rank 0 writes the header and sizes a temporary file; when the blocks are contiguous runs
    of the file (split along axis 0, or along an axis before which every axis has length 1),
    every rank writes its bytes at its offset at the same time (disjoint ranges); otherwise the
    ranks write their strided slabs in turn through a memory map. The temporary file replaces
    ``path`` once every rank has written. Communication: a few ``allgather_object``
    agreements (``p`` more when writing in turn) and one ``bcast_object``; no array data moves
    between ranks. bfloat16 is stored as float32.
    """
    comm = x.comm
    block = host_block(x)
    dtype = np.dtype(block.dtype)
    with replaced_atomically(os.fspath(path), comm) as temp:
        header = agreed(comm, lambda: _create(temp, x.shape, dtype) if comm.rank == 0 else 0)
        header = share_object(header, 0, comm)
        if x.split is None:
            agreed(comm, lambda: _write_at(temp, header, block) if comm.rank == 0 else None)
        elif all(n == 1 for n in x.shape[: x.split]):
            lo = x.layout.range_of(comm.rank)[0]
            offset = header + lo * int(np.prod(x.shape[x.split + 1 :])) * dtype.itemsize
            agreed(comm, lambda: _write_at(temp, offset, block))
        else:
            in_turn(comm, lambda _: _write_slab(temp, block, block_index(x.layout, comm.rank)))


def _create(temp: str, shape: tuple[int, ...], dtype: np.dtype) -> int:
    """Write the ``.npy`` header, size the file to hold the data; the header's length."""
    with open(temp, "wb") as handle:
        np.lib.format.write_array_header_1_0(
            handle, {"descr": np.lib.format.dtype_to_descr(dtype), "fortran_order": False,
                     "shape": shape}
        )  # fmt: skip
        start = handle.tell()
        handle.truncate(start + int(np.prod(shape)) * dtype.itemsize)
    return start


def _write_at(temp: str, offset: int, block: np.ndarray) -> None:
    """Write ``block``'s bytes at ``offset`` of the existing file ``temp``."""
    if not block.size:
        return
    fd = os.open(temp, os.O_WRONLY)
    try:
        view = memoryview(np.ascontiguousarray(block)).cast("B")  # type: ignore[arg-type]
        while view:
            written = os.pwrite(fd, view, offset)
            view, offset = view[written:], offset + written
    finally:
        os.close(fd)


def _write_slab(temp: str, block: np.ndarray, where: tuple[slice, ...]) -> None:
    """Write ``block`` into its (strided) place of the ``.npy`` file ``temp``."""
    if block.size:
        stored = np.load(temp, mmap_mode="r+")
        stored[where] = block
        stored.flush()
        del stored
