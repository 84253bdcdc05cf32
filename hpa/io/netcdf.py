"""netCDF-4 files through h5netcdf: every rank reads its own hyperslab of a variable; writers
take turns.

A netCDF-4 file is an HDF5 file, and h5netcdf writes it through h5py, which (from PyPI) has no
MPI-IO: two processes must never have the file open for writing at once. Loads open the file
read-only on every rank at the same time; saves let the ranks write their blocks one after
another into a temporary file that replaces the target only when every rank has written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hpa.comm import Communicator
from hpa.core.array import Array
from hpa.core.dtypes import bool_
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

__all__ = ["load_netcdf", "save_netcdf"]

# netCDF has no boolean type: booleans are stored as bytes marked with this attribute (the
# convention xarray uses, so xarray reads them back as booleans too)
_BOOL_MARK = ("dtype", "bool")


def load_netcdf(
    path: str | os.PathLike[str],
    variable: str,
    split: int | None = None,
    dtype: Any = None,
    slices: Any = None,
    device: Any = None,
    comm: Communicator | None = None,
) -> Array:
    """Load a netCDF-4 variable into an array cut along ``split``; each rank reads its block.

    Parameters
    ----------
    path : str or path-like
        The netCDF-4 (HDF5-based) file; classic netCDF-3 files are not read.
    variable : str
        The variable's name (``"group/name"`` for a variable in a group).
    split : int or None
        The axis of the result to distribute (balanced blocks); ``None`` replicates it (every
        rank reads everything).
    dtype : dtype, optional
        Convert to this dtype while loading; by default the stored one (an error when hpa has
        no such dtype, e.g. uint32 or strings).
    slices : int, slice or tuple of them, optional
        Load only this part of the variable (NumPy basic indexing with positive steps); only
        the selected part is read.
    device, comm : optional
        Device of the blocks and communicator (defaults: the default device and world).

    Returns
    -------
    Array
        The variable (or its selected part), split along ``split``.

    Notes
    -----
    The stored values are returned as they are: no CF decoding (``_FillValue`` masking,
    ``scale_factor``/``add_offset``) is applied. A byte variable with the attribute
    ``dtype = "bool"`` (as :func:`save_netcdf` and xarray write booleans) loads as bool.
    A missing file raises ``FileNotFoundError``, a missing variable ``KeyError``, on every
    rank. Communication: one ``allgather_object`` to agree that every rank read the same
    variable without an error; no data moves between ranks.
    """
    h5netcdf, comm = optional_module("h5netcdf", "netCDF files"), resolve_comm(comm)

    def read() -> Array:
        with h5netcdf.File(os.fspath(path), "r") as handle:
            stored = _variable(h5netcdf, handle, variable, os.fspath(path))
            marked = stored.attrs.get(_BOOL_MARK[0]) == _BOOL_MARK[1]
            wanted = bool_ if dtype is None and marked else dtype
            target = file_dtype(stored.dtype, wanted, f"netCDF variable {variable!r}")
            slab = plan_load(stored.shape, split, comm, slices)
            block = stored[slab.index] if slab.index else stored[...]
            return array_from_block(np.asarray(block), slab.layout, target, device)

    return agreed_load(comm, read, f"variable {variable!r} of {os.fspath(path)!r}")


def _variable(h5netcdf: Any, handle: Any, variable: str, target: str) -> Any:
    """The variable ``variable`` of the open file ``handle``."""
    try:
        stored = handle[variable]
    except KeyError:
        raise KeyError(f"netCDF file {target!r} has no variable {variable!r}") from None
    if not isinstance(stored, h5netcdf.Variable):
        raise TypeError(f"{variable!r} in {target!r} is a group, not a variable")
    return stored


def save_netcdf(
    x: Array,
    path: str | os.PathLike[str],
    variable: str,
    dimensions: Sequence[str] | None = None,
    mode: str = "w",
    attrs: Mapping[str, Any] | None = None,
    **variable_options: Any,
) -> None:
    """Save ``x`` as a netCDF-4 variable without gathering it: each rank writes its block.

    Parameters
    ----------
    x : Array
        The array (any split, ragged blocks included).
    path : str or path-like
        The netCDF-4 file.
    variable : str
        The variable's name (``"group/name"`` creates the groups).
    dimensions : sequence of str, optional
        The names of the variable's dimensions, one per axis (default ``dim_0``, ``dim_1``,
        ...). A dimension that already exists in the variable's group or an enclosing one is
        reused when its length matches (an error otherwise); a new one is created in the
        variable's group.
    mode : {"w", "w-", "x", "a", "r+"}
        ``"w"`` creates or replaces the file; ``"w-"``/``"x"`` fail if it exists; ``"a"``
        adds the variable to the file (creating the file if needed) and ``"r+"`` adds it to
        an existing file. A variable that already exists is an error in ``"a"``/``"r+"``.
    attrs : mapping, optional
        Attributes stored on the variable.
    **variable_options
        Passed to ``h5netcdf``'s ``create_variable``: ``chunks``, ``compression``,
        ``compression_opts``, ``shuffle``, ``fillvalue``, ...

    Notes
    -----
    The ranks write in turn into a temporary file next to ``path``: rank 0 creates the
    dimensions and the variable and writes its block, then rank 1 opens the file and writes
    its hyperslab, and so on; a replicated array is written by rank 0 alone. The temporary
    replaces ``path`` only when every rank has written, so a failure leaves ``path`` as it was
    (modes ``"a"``/``"r+"`` start from a copy of it). Communication: ``p`` turns (one
    ``allgather_object`` each) plus the atomic replacement's three agreements and one
    ``bcast_object``; no array data moves between ranks. bfloat16 is stored as float32 and
    bool as a byte variable marked ``dtype = "bool"`` (netCDF has neither type); float16 and
    complex variables are written as h5netcdf writes them, which not every netCDF reader
    understands.
    """
    h5netcdf, comm = optional_module("h5netcdf", "netCDF files"), x.comm
    names = tuple(f"dim_{axis}" for axis in range(x.ndim)) if dimensions is None else dimensions
    if isinstance(names, str) or len(names) != x.ndim:
        raise ValueError(f"dimensions= needs {x.ndim} names, one per axis; got {dimensions!r}")
    names = tuple(str(name) for name in names)
    target = os.fspath(path)
    check_save_mode(target, mode, comm)
    block = host_block(x)
    attributes = dict(attrs or {})
    if block.dtype == np.bool_:
        block = block.astype(np.int8)
        attributes[_BOOL_MARK[0]] = _BOOL_MARK[1]
    mine = block_index(x.layout, comm.rank)
    writes = x.split is not None or comm.rank == 0
    spec = (variable, names, x.shape, block.dtype, attributes, variable_options)

    with replaced_atomically(target, comm, start_from_existing=mode in ("a", "r+")) as temp:

        def write(turn: int) -> None:
            if turn == 0:
                fresh = mode in ("w", "w-", "x") or not os.path.exists(temp)
                with h5netcdf.File(temp, "w" if fresh else "a") as handle:
                    _create(handle, *spec)
                    if writes and block.size:
                        handle[variable][mine] = block
            elif writes and block.size:
                with h5netcdf.File(temp, "r+") as handle:
                    handle[variable][mine] = block

        in_turn(comm, write)


def _create(
    handle: Any,
    variable: str,
    names: tuple[str, ...],
    shape: tuple[int, ...],
    dtype: np.dtype,
    attributes: dict[str, Any],
    options: dict[str, Any],
) -> None:
    """Create the dimensions (where missing) and the empty variable in the open file."""
    if variable in handle:
        raise ValueError(f"the file already has a variable or group {variable!r}")
    where, _, name = variable.strip("/").rpartition("/")
    group = handle
    for part in filter(None, where.split("/")):
        group = group[part] if part in group.groups else group.create_group(part)
    for dim, length in zip(names, shape):
        existing = _find_dimension(group, dim)
        if existing is None:
            group.dimensions[dim] = length
        elif existing != length:
            raise ValueError(
                f"dimension {dim!r} exists with length {existing}, but axis length is {length};"
                " pass other dimensions= names"
            )
    stored = group.create_variable(name, names, dtype=dtype, **options)
    stored.attrs.update(attributes)


def _find_dimension(group: Any, dim: str) -> int | None:
    """The length of dimension ``dim`` as seen from ``group`` (itself or an enclosing group)."""
    while group is not None:
        if dim in group.dimensions:
            return int(group.dimensions[dim].size)
        group = group.parent if group.name != "/" else None
    return None
