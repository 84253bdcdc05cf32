"""``hpa.load`` and ``hpa.save``: the file format picked from the path's extension."""

from __future__ import annotations

import os
from collections.abc import Callable
from importlib import import_module
from typing import Any

from hpa.core.array import Array

__all__ = ["load", "save"]

# extension -> (module in hpa.io, format name, options implied by the extension)
_FORMATS: dict[str, tuple[str, str, dict[str, Any]]] = {
    ".h5": ("hdf5", "hdf5", {}),
    ".hdf5": ("hdf5", "hdf5", {}),
    ".hdf": ("hdf5", "hdf5", {}),
    ".he5": ("hdf5", "hdf5", {}),
    ".zarr": ("zarr_format", "zarr", {}),
    ".nc": ("netcdf", "netcdf", {}),
    ".nc4": ("netcdf", "netcdf", {}),
    ".cdf": ("netcdf", "netcdf", {}),
    ".npy": ("npy", "npy", {}),
    ".csv": ("csv_format", "csv", {}),
    ".tsv": ("csv_format", "csv", {"sep": "\t"}),
}


def _resolve(path: str | os.PathLike[str], verb: str) -> tuple[Callable[..., Any], dict[str, Any]]:
    """The ``load_*``/``save_*`` function for ``path``'s extension and its implied options."""
    name = os.fspath(path).rstrip("/").rstrip(os.sep)
    extension = os.path.splitext(name)[1].lower()
    if extension not in _FORMATS:
        known = ", ".join(sorted(_FORMATS))
        raise ValueError(
            f"cannot tell the file format of {name!r} from its extension; known: {known}. "
            f"Call hpa.{verb}_<format>() directly for other names"
        )
    module, fmt, implied = _FORMATS[extension]
    return getattr(import_module(f"hpa.io.{module}"), f"{verb}_{fmt}"), implied


def load(path: str | os.PathLike[str], *args: Any, **kwargs: Any) -> Array:
    """Load a file into a distributed array, the format picked from the extension.

    ``.h5``/``.hdf5``/``.hdf``/``.he5``: :func:`hpa.load_hdf5`; ``.zarr``: :func:`hpa.load_zarr`;
    ``.nc``/``.nc4``/``.cdf``: :func:`hpa.load_netcdf`; ``.npy``: :func:`hpa.load_npy`;
    ``.csv``: :func:`hpa.load_csv` (``.tsv``: with ``sep="\\t"``).

    Parameters
    ----------
    path : str or path-like
        The file (or directory store).
    *args, **kwargs
        Passed to the format's loader: the dataset or variable name for HDF5 and netCDF,
        ``split=``, ``dtype=``, ``slices=``, ...

    Returns
    -------
    Array
        What the format's loader returns; it communicates what that loader does.
    """
    loader, implied = _resolve(path, "load")
    return loader(path, *args, **{**implied, **kwargs})


def save(x: Any, path: Any, *args: Any, **kwargs: Any) -> None:
    """Save a distributed array to a file, the format picked from the extension.

    Both argument orders work: HeAT's ``save(x, path)`` and NumPy's ``save(path, x)``. Given in
    NumPy's order, a path without an extension gets ``.npy`` appended, as ``numpy.save`` does.
    The extensions are those of :func:`load`; ``*args`` and ``**kwargs`` go to the format's
    saver (the dataset or variable name for HDF5 and netCDF, ``mode=``, ...), which decides
    what is communicated. No save gathers the array on one rank. Data that are not an hpa
    array are saved as a replicated array.

    Raises
    ------
    TypeError
        If neither argument is a path (a ``str`` or ``os.PathLike``).
    """
    if _is_path(x) and not _is_path(path):
        x, path = path, x
        if not os.path.splitext(os.fspath(path))[1]:
            path = f"{os.fspath(path)}.npy"
    elif not _is_path(path):
        raise TypeError(f"save needs a file path (str or os.PathLike), got {type(path).__name__}")
    if not isinstance(x, Array):
        from hpa.ops.creation import asarray

        x = asarray(x)
    saver, implied = _resolve(path, "save")
    saver(x, path, *args, **{**implied, **kwargs})


def _is_path(value: Any) -> bool:
    return isinstance(value, (str, os.PathLike))
