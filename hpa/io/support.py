"""Which optional file formats this installation reads and writes (HeAT's ``supports_*``)."""

from __future__ import annotations

import importlib

__all__ = ["supports_hdf5", "supports_netcdf", "supports_zarr"]


def _imports(name: str) -> bool:
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


def supports_hdf5() -> bool:
    """Whether h5py imports, so that :func:`hpa.load_hdf5` and :func:`hpa.save_hdf5` work.
    No communication: each rank asks its own Python."""
    return _imports("h5py")


def supports_netcdf() -> bool:
    """Whether h5netcdf (hpa's netCDF4 engine, in place of HeAT's netCDF4) imports, so that
    :func:`hpa.load_netcdf` and :func:`hpa.save_netcdf` work. No communication."""
    return _imports("h5netcdf")


def supports_zarr() -> bool:
    """Whether zarr imports, so that :func:`hpa.load_zarr` and :func:`hpa.save_zarr` work. No
    communication."""
    return _imports("zarr")
