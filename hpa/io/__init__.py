"""Parallel file I/O: every rank reads only its own block of a file, and writes its block back
without gathering the array (see ``docs/io.md``)."""

from hpa.io.csv_format import load_csv, save_csv
from hpa.io.formats import load, save
from hpa.io.hdf5 import load_hdf5, save_hdf5
from hpa.io.netcdf import load_netcdf, save_netcdf
from hpa.io.npy import load_npy, save_npy
from hpa.io.zarr_format import load_zarr, save_zarr

__all__ = [
    "load",
    "load_csv",
    "load_hdf5",
    "load_netcdf",
    "load_npy",
    "load_zarr",
    "save",
    "save_csv",
    "save_hdf5",
    "save_netcdf",
    "save_npy",
    "save_zarr",
]
