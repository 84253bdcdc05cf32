"""HDF5 loading and saving (hpa.load_hdf5, hpa.save_hdf5) against h5py, and the front door."""

from __future__ import annotations

import os
from pathlib import Path

import h5py
import numpy as np
import pytest
from helpers import (
    ALL_DTYPES,
    RANK,
    agree,
    assert_array,
    case_id,
    data,
    make,
    on_rank0,
    raised_everywhere,
    splits,
)

import hpa

SHAPES = [(0,), (1,), (7,), (3, 5), (1, 4), (0, 3), (2, 3, 4)]
CASES = [(shape, split) for shape in SHAPES for split in splits(len(shape))]


def read_on_rank0(path: Path, dataset: str) -> np.ndarray:
    """The dataset as plain h5py reads it on rank 0, broadcast to every rank."""

    def read() -> np.ndarray:
        with h5py.File(path, "r") as handle:
            return handle[dataset][()]

    return on_rank0(read)


def write_on_rank0(path: Path, dataset: str, values: np.ndarray, **options: object) -> None:
    """A file written by plain h5py in one process, as if by a job of another size."""

    def write() -> None:
        with h5py.File(path, "w") as handle:
            handle.create_dataset(dataset, data=values, **options)

    on_rank0(write)


@pytest.mark.parametrize(("shape", "split"), CASES, ids=[case_id(c) for c in CASES])
@pytest.mark.parametrize("ragged", [False, True])
def test_save_then_load_every_split(shared_dir: Path, shape, split, ragged) -> None:
    values = data(shape)
    path = shared_dir / "a.h5"
    hpa.save_hdf5(make(values, split, ragged=ragged), path, "x")
    agree(np.array_equal(read_on_rank0(path, "x"), values), "h5py reads what hpa saved")
    for load_split in splits(len(shape)):
        loaded = hpa.load_hdf5(path, "x", split=load_split)
        assert loaded.split == load_split
        assert loaded.is_balanced()
        assert_array(loaded, values)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_every_dtype_round_trips(shared_dir: Path, dtype: hpa.DType) -> None:
    values = data((5, 3), dtype)
    path = shared_dir / "d.h5"
    hpa.save_hdf5(make(values, 0, dtype=dtype), path, "x")
    loaded = hpa.load_hdf5(path, "x", split=1, dtype=dtype)
    assert_array(loaded, values, dtype=dtype)
    stored = read_on_rank0(path, "x")
    assert stored.dtype == (np.float32 if dtype is hpa.bfloat16 else dtype.numpy)


def test_load_file_of_another_job(shared_dir: Path) -> None:
    values = data((11, 4), hpa.float32, seed=3)
    path = shared_dir / "other.h5"
    write_on_rank0(path, "grp/values", values, chunks=(3, 4), compression="gzip")
    for split in (None, 0, 1):
        assert_array(hpa.load_hdf5(path, "grp/values", split=split), values)
    assert_array(
        hpa.load_hdf5(path, "grp/values", split=0, dtype=hpa.float64), values.astype(np.float64)
    )


@pytest.mark.parametrize(
    "slices",
    [slice(2, 9), (slice(None), 1), (slice(1, None, 3), slice(0, 4, 2)), 4, (-1, slice(None)),
     (slice(5, 5),), (slice(None, None, 4), -2)],
    ids=repr,
)  # fmt: skip
@pytest.mark.parametrize("split", [None, 0])
def test_partial_load(shared_dir: Path, slices, split) -> None:
    values = data((10, 4), seed=4)
    path = shared_dir / "p.h5"
    write_on_rank0(path, "v", values)
    expected = values[slices]
    if split is not None and expected.ndim == 0:
        split = None
    assert_array(hpa.load_hdf5(path, "v", split=split, slices=slices), expected)


def test_attributes_and_dataset_options_pass_through(shared_dir: Path) -> None:
    values = data((12, 3))
    path = shared_dir / "o.h5"
    hpa.save_hdf5(
        make(values, 0), path, "x", attrs={"units": "m", "scale": 2.5}, chunks=(4, 3),
        compression="gzip", compression_opts=4,
    )  # fmt: skip
    verdict = None
    if RANK == 0:
        with h5py.File(path, "r") as handle:
            stored = handle["x"]
            verdict = (
                stored.chunks == (4, 3)
                and stored.compression == "gzip"
                and stored.attrs["units"] == "m"
                and stored.attrs["scale"] == 2.5
                and np.array_equal(stored[()], values)
            )
    agree(hpa.get_comm().bcast_object(verdict, 0), "options and attributes stored")


def test_append_mode_adds_datasets(shared_dir: Path) -> None:
    a, b = data((6, 2), seed=1), data((4,), seed=2)
    path = shared_dir / "m.h5"
    hpa.save_hdf5(make(a, 0), path, "a")
    hpa.save_hdf5(make(b, 0), path, "group/b", mode="a")
    assert_array(hpa.load_hdf5(path, "a", split=0), a)
    assert_array(hpa.load_hdf5(path, "group/b", split=0), b)
    raised_everywhere(ValueError, lambda: hpa.save_hdf5(make(b, 0), path, "a", mode="a"))
    assert_array(hpa.load_hdf5(path, "a", split=0), a)  # untouched by the failed save
    raised_everywhere(FileExistsError, lambda: hpa.save_hdf5(make(b, 0), path, "c", mode="x"))
    raised_everywhere(
        FileNotFoundError, lambda: hpa.save_hdf5(make(b, 0), shared_dir / "no.h5", "c", mode="r+")
    )
    agree(sorted(os.listdir(shared_dir)) == ["m.h5"], "no temporary files left behind")


def test_errors_on_every_rank(shared_dir: Path) -> None:
    path = shared_dir / "e.h5"
    write_on_rank0(path, "x", np.arange(6, dtype=">i4"))  # big-endian: not an hpa dtype
    raised_everywhere(FileNotFoundError, lambda: hpa.load_hdf5(shared_dir / "missing.h5", "x"))
    raised_everywhere(KeyError, lambda: hpa.load_hdf5(path, "y"))
    raised_everywhere(TypeError, lambda: hpa.load_hdf5(path, "x", split=0))
    assert_array(hpa.load_hdf5(path, "x", split=0, dtype=hpa.int64), np.arange(6))
    raised_everywhere(IndexError, lambda: hpa.load_hdf5(path, "x", dtype=hpa.int64, slices=(1, 2)))
    raised_everywhere(
        ValueError, lambda: hpa.load_hdf5(path, "x", dtype=hpa.int64, slices=slice(None, None, -1))
    )
    raised_everywhere(ValueError, lambda: hpa.save_hdf5(hpa.ones(3), path, "z", mode="q"))


def test_failed_save_leaves_target_untouched(shared_dir: Path) -> None:
    values = data((5, 2))
    path = shared_dir / "t.h5"
    hpa.save_hdf5(make(values, 0), path, "x")
    before = read_on_rank0(path, "x")
    raised_everywhere(
        (TypeError, ValueError), lambda: hpa.save_hdf5(make(values, 0), path, "x", chunks="bad")
    )
    agree(np.array_equal(read_on_rank0(path, "x"), before), "target unchanged")
    agree(sorted(os.listdir(shared_dir)) == ["t.h5"], "no temporary files left behind")


@pytest.mark.parametrize("extension", [".h5", ".hdf5"])
def test_front_door(shared_dir: Path, extension: str) -> None:
    values = data((7, 3))
    path = shared_dir / f"f{extension}"
    hpa.save(make(values, 1), path, "x")
    assert_array(hpa.load(path, "x", split=0), values)
    raised_everywhere(ValueError, lambda: hpa.load(shared_dir / "f.unknown", "x"))


def test_file_saved_by_fewer_processes(shared_dir: Path) -> None:
    """A file saved by a job of one process (a sub-communicator) loads at this job's size."""
    comm = hpa.get_comm()
    alone = comm.split(0 if RANK == 0 else 1)
    values = data((7, 3), seed=6)
    path = shared_dir / "few.h5"
    if RANK == 0:
        hpa.save(hpa.array(values, split=0, comm=alone), path, "x")
    comm.barrier()
    for split in (None, 0, 1):
        assert_array(hpa.load(path, "x", split=split), values)
