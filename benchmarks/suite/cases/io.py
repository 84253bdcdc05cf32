"""Loading an HDF5 dataset split along its rows (``hdf5-load``).

The file holds ``rows x cols`` float64 values from :mod:`suite.data`. Rank 0 writes it once,
in the first ``setup`` that needs it (to a temporary name, then renamed, so no reader sees a
partial file), under the system's temporary directory as ``hpa-suite-<rows>x<cols>-<pid>.h5``
with rank 0's process id (the ranks of one job agree on it; concurrent jobs do not collide),
and removes it when its process exits (``atexit``; a killed run leaves it behind). The
file was just written, so every load reads from the page cache: these are warm-cache
bandwidths, not the storage's.

hpa: ``hpa.load_hdf5(path, "X", split=0)`` (each rank reads its hyperslab); HeAT:
``ht.load_hdf5(path, "X", split=0)``; numpy (one process): h5py reading the whole dataset;
dask: ``da.from_array`` of a picklable reader with one row chunk per process, persisted
(each chunk read by whichever thread or worker computes it; h5py serialises reads within a
process).
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import tempfile
from typing import Any

import numpy as np

from .. import data
from ..case import Case, Impl, Params, register
from ..frameworks import import_heat
from . import _shared as sh

_DATASET = "X"


def _params(quick: bool) -> Params:
    # full: 2^19 x 128 float64 = 512 MiB
    return {"rows": 4096, "cols": 32} if quick else {"rows": 1 << 19, "cols": 128}


def _path(p: Params, pid: int) -> str:
    return os.path.join(tempfile.gettempdir(), f"hpa-suite-{p['rows']}x{p['cols']}-{pid}.h5")


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _write_once(p: Params) -> str:
    """On rank 0: the file's path, written first if missing (in slabs of ~64 MiB)."""
    import h5py

    path = _path(p, os.getpid())
    if os.path.exists(path):
        return path
    rows, cols = p["rows"], p["cols"]
    step = max(data.BLOCK, ((64 << 20) // (8 * cols)) // data.BLOCK * data.BLOCK)
    partial = f"{path}.partial"
    with h5py.File(partial, "w") as handle:
        stored = handle.create_dataset(_DATASET, shape=(rows, cols), dtype=np.float64)
        for lo in range(0, rows, step):
            hi = min(rows, lo + step)
            stored[lo:hi] = data.rows(rows, cols, lo, hi, seed=41)
    os.replace(partial, path)
    atexit.register(_remove, path)
    return path


def _spmd_path(p: Params, bcast: Any, barrier: Any) -> str:
    """Every rank: rank 0 writes the file if needed; all get its path once it exists."""
    path = _write_once(p) if p["rank"] == 0 else None
    path = bcast(path)
    barrier()
    return path


def _summary(first: np.ndarray, last: np.ndarray, sums: np.ndarray) -> np.ndarray:
    return np.concatenate([np.asarray(first), np.asarray(last), np.asarray(sums)]).astype(
        np.float64
    )


def _hpa(p: Params) -> Impl:
    import hpa

    comm = hpa.get_comm()
    path = _spmd_path(p, lambda obj: comm.bcast_object(obj, 0), comm.barrier)

    def value(x: Any) -> np.ndarray:
        if x.split != 0:
            raise AssertionError(f"hpa loaded split={x.split}, not 0")
        return _summary(x[0].numpy(), x[-1].numpy(), x.sum(axis=0).numpy())

    return Impl(lambda path: hpa.load_hdf5(path, _DATASET, split=0), value, path)


def _heat(p: Params) -> Impl:
    ht = import_heat()
    comm = ht.get_comm()
    path = _spmd_path(p, lambda obj: comm.bcast(obj, root=0), comm.Barrier)

    def value(x: Any) -> np.ndarray:
        if x.split != 0:
            raise AssertionError(f"HeAT loaded split={x.split}, not 0")
        return _summary(x[0].numpy(), x[-1].numpy(), x.sum(axis=0).numpy())

    return Impl(lambda path: ht.load_hdf5(path, _DATASET, split=0), value, path)


def _numpy(p: Params) -> Impl:
    import h5py

    def run(path: str) -> np.ndarray:
        with h5py.File(path, "r") as handle:
            return handle[_DATASET][()]

    def value(x: np.ndarray) -> np.ndarray:
        return _summary(x[0], x[-1], x.sum(axis=0))

    return Impl(run, value, _write_once(p))


class _Reader:
    """A picklable stand-in for an h5py dataset (which cannot be sent to dask workers): each
    read opens the file, reads the slab and closes it."""

    def __init__(self, path: str, shape: tuple[int, int]) -> None:
        self.path, self.shape, self.dtype, self.ndim = path, shape, np.dtype(np.float64), 2

    def __getitem__(self, key: Any) -> np.ndarray:
        import h5py

        with h5py.File(self.path, "r") as handle:
            return handle[_DATASET][key]


def _dask(p: Params) -> Impl:
    import dask.array as da

    shape = (p["rows"], p["cols"])
    reader = _Reader(_write_once(p), shape)
    chunks = (math.ceil(p["rows"] / p["size"]), p["cols"])

    def run(reader: _Reader) -> Any:
        return sh.dask_done(da.from_array(reader, chunks=chunks, asarray=True))

    def value(x: Any) -> np.ndarray:
        first, last, sums = da.compute(x[0], x[-1], x.sum(axis=0))
        return _summary(first, last, sums)

    return Impl(run, value, reader)


register(
    Case(
        name="hdf5-load",
        group="array",
        params=_params,
        impls={"hpa": _hpa, "heat": _heat, "numpy": _numpy, "dask": _dask},
        reference="numpy",
        rtol=1e-9,
        atol=1e-8,
        description=(
            "load a 512 MiB float64 HDF5 dataset split along rows (warm page cache); "
            "numpy: h5py whole read in one process"
        ),
    )
)
