"""Parallel file I/O: every rank reads only its own block of a file, and writes its block back
without gathering the array (see ``docs/io.md``)."""

from hpa.io.csv_format import load_csv, save_csv
from hpa.io.folders import load_csv_from_folder, load_npy_from_path
from hpa.io.formats import load, save
from hpa.io.hdf5 import load_hdf5, save_hdf5
from hpa.io.netcdf import load_netcdf, save_netcdf
from hpa.io.npy import load_npy, save_npy
from hpa.io.support import supports_hdf5, supports_netcdf, supports_zarr
from hpa.io.text import genfromtxt, loadtxt
from hpa.io.zarr_format import load_zarr, save_zarr

__all__ = [
    "genfromtxt",
    "load",
    "load_csv",
    "load_csv_from_folder",
    "load_hdf5",
    "load_netcdf",
    "load_npy",
    "load_npy_from_path",
    "load_zarr",
    "loadtxt",
    "save",
    "save_csv",
    "save_hdf5",
    "save_netcdf",
    "save_npy",
    "save_zarr",
    "supports_hdf5",
    "supports_netcdf",
    "supports_zarr",
]
