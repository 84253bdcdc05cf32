"""HDF5 through h5py: every rank reads its own hyperslab; writers take turns.

h5py from PyPI is built without MPI-IO, and an HDF5 file must never be open for writing by two
processes at once. Loads therefore open the file read-only on every rank at the same time
(safe), while saves let the ranks write their blocks one after another into a temporary file
that replaces the target only when every rank has written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from hpa.comm import Communicator
from hpa.core.array import Array
from hpa.io.common import (
    agreed_load,
    array_from_block,
    block_index,
    check_save_mode,
    file_dtype,
    host_block,
    in_turn,
    optional_module,
    plan_load,
    replaced_atomically,
    resolve_comm,
)

__all__ = ["load_hdf5", "save_hdf5"]


def load_hdf5(
    path: str | os.PathLike[str],
    dataset: str,
    split: int | None = None,
    dtype: Any = None,
    slices: Any = None,
    device: Any = None,
    comm: Communicator | None = None,
) -> Array:
    """Load an HDF5 dataset into an array cut along ``split``; each rank reads its block only.

    Parameters
    ----------
    path : str or path-like
        The HDF5 file.
    dataset : str
        The dataset's name inside the file (``"group/name"`` for nested groups).
    split : int or None
        The axis of the result to distribute (balanced blocks); ``None`` replicates it (every
        rank reads everything).
    dtype : dtype, optional
        Convert to this dtype while loading; by default the dataset's own (an error when hpa
        has no such dtype, e.g. uint32).
    slices : int, slice or tuple of them, optional
        Load only this part of the dataset (NumPy basic indexing with positive steps); only the
        selected part is read.
    device, comm : optional
        Device of the blocks and communicator (defaults: the default device and world).

    Returns
    -------
    Array
        The dataset (or its selected part), split along ``split``.

    Notes
    -----
    Communication: one ``allgather_object`` to agree that every rank read the same array
    without an error (a missing file or dataset, a bad ``split`` or ``slices``, raise the same
    exception on every rank). No data moves between ranks.
    """
    h5py, comm = optional_module("h5py", "HDF5 files"), resolve_comm(comm)

    def read() -> Array:
        with h5py.File(os.fspath(path), "r") as handle:
            if dataset not in handle:
                raise KeyError(f"{os.fspath(path)!r} has no dataset {dataset!r}")
            stored = handle[dataset]
            if not isinstance(stored, h5py.Dataset):
                raise TypeError(f"{dataset!r} in {os.fspath(path)!r} is a group, not a dataset")
            target = file_dtype(stored.dtype, dtype, f"dataset {dataset!r}")
            slab = plan_load(stored.shape, split, comm, slices)
            return array_from_block(stored[slab.index], slab.layout, target, device)

    return agreed_load(comm, read, f"dataset {dataset!r} of {os.fspath(path)!r}")


def save_hdf5(
    x: Array,
    path: str | os.PathLike[str],
    dataset: str,
    mode: str = "w",
    attrs: Mapping[str, Any] | None = None,
    **dataset_options: Any,
) -> None:
    """Save ``x`` as an HDF5 dataset without gathering it: each rank writes its own block.

    Parameters
    ----------
    x : Array
        The array (any split, ragged blocks included).
    path : str or path-like
        The HDF5 file.
    dataset : str
        The dataset's name (intermediate groups are created).
    mode : {"w", "w-", "x", "a", "r+"}
        ``"w"`` creates or replaces the file; ``"w-"``/``"x"`` fail if it exists; ``"a"``
        adds the dataset to the file (creating the file if needed) and ``"r+"`` adds it to an
        existing file. A dataset that already exists is an error in ``"a"``/``"r+"``.
    attrs : mapping, optional
        Attributes stored on the dataset.
    **dataset_options
        Passed to ``h5py.Group.create_dataset``: ``chunks``, ``compression``,
        ``compression_opts``, ``shuffle``, ``fletcher32``, ``fillvalue``, ...

    Notes
    -----
    The ranks write in turn into a temporary file next to ``path``, which replaces ``path``
    only when every rank has written: a failure leaves ``path`` as it was. Communication:
    ``p`` turns (one ``allgather_object`` each) plus the atomic replacement's three
    agreements and one ``bcast_object``; no array data moves between ranks. bfloat16 is
    stored as float32 (HDF5 and NumPy have no bfloat16).
    """
    h5py, comm = optional_module("h5py", "HDF5 files"), x.comm
    target = os.fspath(path)
    check_save_mode(target, mode, comm)
    block = host_block(x)
    mine = block_index(x.layout, comm.rank)
    writes = x.split is not None or comm.rank == 0

    with replaced_atomically(target, comm, start_from_existing=mode in ("a", "r+")) as temp:

        def write(turn: int) -> None:
            create = turn == 0
            with h5py.File(
                temp, ("w" if mode in ("w", "w-", "x") else "a") if create else "r+"
            ) as handle:
                if create:
                    if dataset in handle:
                        raise ValueError(f"{target!r} already has a dataset {dataset!r}")
                    stored = handle.create_dataset(
                        dataset, shape=x.shape, dtype=block.dtype, **dataset_options
                    )
                    stored.attrs.update(dict(attrs or {}))
                if writes and block.size:
                    handle[dataset][mine] = block

        in_turn(comm, write)
