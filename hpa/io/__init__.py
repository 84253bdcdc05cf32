"""Parallel file I/O: every rank reads only its own block of a file, and writes its block back
without gathering the array (see ``docs/io.md``)."""

from hpa.io.formats import load, save
from hpa.io.hdf5 import load_hdf5, save_hdf5
from hpa.io.npy import load_npy, save_npy

__all__ = ["load", "load_hdf5", "load_npy", "save", "save_hdf5", "save_npy"]
