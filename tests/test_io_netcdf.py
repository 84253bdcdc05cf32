"""netCDF-4 loading and saving (hpa.io.netcdf) against h5netcdf."""

from __future__ import annotations

from pathlib import Path

import h5netcdf
import numpy as np
import pytest
from helpers import (
    ALL_DTYPES,
    RANK,
    SHAPES,
    agree,
    assert_array,
    case_id,
    cases,
    data,
    listing,
    make,
    on_rank0,
    raised_everywhere,
    splits,
)

import hpa
from hpa.io.netcdf import load_netcdf, save_netcdf

CASES = list(cases(SHAPES))


def inspect_on_rank0(path: Path, look: object) -> object:
    """``look(handle)`` of the file opened by plain h5netcdf on rank 0, broadcast to all."""

    def read() -> object:
        with h5netcdf.File(path, "r") as handle:
            return look(handle)

    return on_rank0(read)


def read_on_rank0(path: Path, variable: str) -> np.ndarray:
    """The variable as plain h5netcdf reads it on rank 0, broadcast to every rank."""
    return inspect_on_rank0(path, lambda handle: handle[variable][...])


def write_on_rank0(path: Path, variables: dict[str, tuple[tuple[str, ...], np.ndarray]],
                   **options: object) -> None:  # fmt: skip
    """A file written by plain h5netcdf in one process, as if by a job of another size."""

    def write() -> None:
        with h5netcdf.File(path, "w") as handle:
            for name, (dims, values) in variables.items():
                for dim, length in zip(dims, values.shape):
                    if dim not in handle.dimensions:
                        handle.dimensions[dim] = length
                stored = handle.create_variable(name, dims, dtype=values.dtype, **options)
                stored[...] = values

    on_rank0(write)


@pytest.mark.parametrize(("shape", "split"), CASES, ids=[case_id(c) for c in CASES])
@pytest.mark.parametrize("ragged", [False, True])
def test_save_then_load_every_split(shared_dir: Path, shape, split, ragged) -> None:
    values = data(shape)
    path = shared_dir / "a.nc"
    save_netcdf(make(values, split, ragged=ragged), path, "x")
    agree(np.array_equal(read_on_rank0(path, "x"), values), "h5netcdf reads what hpa saved")
    dims = inspect_on_rank0(path, lambda handle: handle["x"].dimensions)
    agree(dims == tuple(f"dim_{axis}" for axis in range(len(shape))), "default dimensions")
    for load_split in splits(len(shape)):
        loaded = load_netcdf(path, "x", split=load_split)
        assert loaded.split == load_split
        assert loaded.is_balanced()
        assert_array(loaded, values)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_every_dtype_round_trips(shared_dir: Path, dtype: hpa.DType) -> None:
    values = data((5, 3), dtype)
    path = shared_dir / "d.nc"
    save_netcdf(make(values, 0, dtype=dtype), path, "x")
    loaded = load_netcdf(path, "x", split=1, dtype=dtype)
    assert_array(loaded, values, dtype=dtype)
    stored = read_on_rank0(path, "x")
    stored_as = {hpa.bfloat16: np.float32, hpa.bool_: np.int8}.get(dtype, dtype.numpy)
    agree(stored.dtype == stored_as, "stored dtype")
    if dtype is not hpa.bfloat16:  # loads as the stored dtype (bool through its mark)
        assert_array(load_netcdf(path, "x", split=0), values, dtype=dtype)


def test_load_file_of_another_job(shared_dir: Path) -> None:
    values = data((11, 4), hpa.float32, seed=3)
    t = np.arange(11.0)
    path = shared_dir / "other.nc"
    write_on_rank0(path, {"time": (("time",), t), "values": (("time", "c"), values)},
                   chunks=True, compression="gzip")  # fmt: skip
    for split in (None, 0, 1):
        assert_array(load_netcdf(path, "values", split=split), values)
    assert_array(load_netcdf(path, "time", split=0), t)
    assert_array(load_netcdf(path, "values", split=0, dtype=hpa.float64), values.astype(np.float64))


def test_variables_in_groups(shared_dir: Path) -> None:
    a, b = data((6, 2), seed=1), data((6,), seed=2)
    path = shared_dir / "g.nc"
    save_netcdf(make(a, 0), path, "outer/inner/a", dimensions=("t", "c"))
    save_netcdf(make(b, 0), path, "outer/b", dimensions=("t",), mode="a")
    assert_array(load_netcdf(path, "outer/inner/a", split=1), a)
    assert_array(load_netcdf(path, "/outer/b", split=0), b)
    raised_everywhere(TypeError, lambda: load_netcdf(path, "outer"))


@pytest.mark.parametrize(
    "slices",
    [slice(2, 9), (slice(None), 1), (slice(1, None, 3), slice(0, 4, 2)), 4, (-1, slice(None)),
     (slice(5, 5),), (slice(None, None, 4), -2)],
    ids=repr,
)  # fmt: skip
@pytest.mark.parametrize("split", [None, 0])
def test_partial_load(shared_dir: Path, slices, split) -> None:
    values = data((10, 4), seed=4)
    path = shared_dir / "p.nc"
    write_on_rank0(path, {"v": (("r", "c"), values)})
    expected = values[slices]
    if split is not None and expected.ndim == 0:
        split = None
    assert_array(load_netcdf(path, "v", split=split, slices=slices), expected)


def test_dimensions_attributes_and_options(shared_dir: Path) -> None:
    values = data((12, 3))
    path = shared_dir / "o.nc"
    save_netcdf(
        make(values, 0), path, "x", dimensions=("time", "station"),
        attrs={"units": "m", "scale": 2.5}, chunks=(4, 3), compression="gzip",
    )  # fmt: skip

    def look(handle: h5netcdf.File) -> bool:
        stored = handle["x"]
        return (
            stored.dimensions == ("time", "station")
            and dict(handle.dimensions.items())["time"].size == 12
            and stored.chunks == (4, 3)
            and stored.compression == "gzip"
            and stored.attrs["units"] == "m"
            and stored.attrs["scale"] == 2.5
            and np.array_equal(stored[...], values)
        )

    agree(inspect_on_rank0(path, look), "dimensions, options and attributes stored")


def test_append_mode_adds_variables(shared_dir: Path) -> None:
    a, b = data((6, 2), seed=1), data((6,), seed=2)
    path = shared_dir / "m.nc"
    save_netcdf(make(a, 0), path, "a", dimensions=("t", "c"))
    save_netcdf(make(b, 0), path, "b", dimensions=("t",), mode="a")  # shares dimension t
    save_netcdf(make(a, 1), path, "c", mode="r+")
    assert_array(load_netcdf(path, "a", split=0), a)
    assert_array(load_netcdf(path, "b", split=0), b)
    assert_array(load_netcdf(path, "c", split=1), a)
    agree(
        inspect_on_rank0(path, lambda handle: handle["b"].dimensions) == ("t",), "dimension shared"
    )
    raised_everywhere(ValueError, lambda: save_netcdf(make(b, 0), path, "a", mode="a"))
    raised_everywhere(  # t has length 6
        ValueError, lambda: save_netcdf(make(a[:4], 0), path, "d", ("t", "c"), mode="a")
    )
    assert_array(load_netcdf(path, "a", split=0), a)  # untouched by the failed saves
    raised_everywhere(FileExistsError, lambda: save_netcdf(make(b, 0), path, "e", mode="x"))
    raised_everywhere(
        FileNotFoundError, lambda: save_netcdf(make(b, 0), shared_dir / "no.nc", "e", mode="r+")
    )
    agree(listing(shared_dir) == ["m.nc"], "no temporary files left behind")


def test_errors_on_every_rank(shared_dir: Path) -> None:
    path = shared_dir / "e.nc"
    write_on_rank0(path, {"x": (("n",), np.arange(6, dtype=">i4"))})  # big-endian: not an hpa dtype
    raised_everywhere(FileNotFoundError, lambda: load_netcdf(shared_dir / "missing.nc", "x"))
    raised_everywhere(KeyError, lambda: load_netcdf(path, "y"))
    raised_everywhere(TypeError, lambda: load_netcdf(path, "x", split=0))
    assert_array(load_netcdf(path, "x", split=0, dtype=hpa.int64), np.arange(6))
    raised_everywhere(IndexError, lambda: load_netcdf(path, "x", dtype=hpa.int64, slices=(1, 2)))
    raised_everywhere(
        ValueError, lambda: load_netcdf(path, "x", dtype=hpa.int64, slices=slice(None, None, -1))
    )
    raised_everywhere(ValueError, lambda: save_netcdf(hpa.ones(3), path, "z", mode="q"))
    raised_everywhere(ValueError, lambda: save_netcdf(hpa.ones(3), path, "z", ("a", "b")))
    raised_everywhere(ValueError, lambda: save_netcdf(hpa.ones((2, 3)), path, "z", ("a", "a")))
    agree(listing(shared_dir) == ["e.nc"], "no temporary files left behind")


def test_failed_save_leaves_target_untouched(shared_dir: Path) -> None:
    values = data((5, 2))
    path = shared_dir / "t.nc"
    save_netcdf(make(values, 0), path, "x")
    before = read_on_rank0(path, "x")
    raised_everywhere(
        (TypeError, ValueError), lambda: save_netcdf(make(values, 0), path, "x", chunks="bad")
    )
    raised_everywhere(
        (TypeError, ValueError),
        lambda: save_netcdf(make(values, 1), path, "y", mode="a", compression="nonsense"),
    )
    agree(np.array_equal(read_on_rank0(path, "x"), before), "target unchanged")
    agree(inspect_on_rank0(path, lambda handle: sorted(handle.variables)) == ["x"], "nothing added")
    agree(listing(shared_dir) == ["t.nc"], "no temporary files left behind")


@pytest.mark.parametrize("extension", [".nc", ".nc4"])
def test_front_door(shared_dir: Path, extension: str) -> None:
    values = data((7, 3))
    path = shared_dir / f"f{extension}"
    hpa.save(make(values, 1), path, "x")
    assert_array(hpa.load(path, "x", split=0), values)


def test_file_saved_by_fewer_processes(shared_dir: Path) -> None:
    """A file saved by a job of one process (a sub-communicator) loads at this job's size."""
    comm = hpa.get_comm()
    alone = comm.split(0 if RANK == 0 else 1)
    values = data((7, 3), seed=6)
    path = shared_dir / "few.nc"
    if RANK == 0:
        save_netcdf(hpa.array(values, split=0, comm=alone), path, "x")
    comm.barrier()
    for split in (None, 0, 1):
        assert_array(load_netcdf(path, "x", split=split), values)
