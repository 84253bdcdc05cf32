"""Zarr loading and saving (hpa.io.zarr_format) against the zarr package."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import zarr
from helpers import (
    ALL_DTYPES,
    RANK,
    SHAPES,
    P,
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
from hpa.core.layout import Layout
from hpa.io import zarr_format
from hpa.io.zarr_format import load_zarr, save_zarr

CASES = list(cases(SHAPES))


def read_on_rank0(path: Path, array: str | None = None) -> np.ndarray:
    """The array as plain zarr reads it on rank 0, broadcast to every rank."""
    return on_rank0(lambda: zarr.open_array(store=str(path), path=array or "", mode="r")[...])


def write_on_rank0(
    path: Path, values: np.ndarray, name: str | None = None, zarr_format: int = 3, **options
) -> None:
    """A store written by plain zarr in one process, as if by a job of another size."""

    def write() -> None:
        if name is None:
            stored = zarr.create_array(store=str(path), shape=values.shape, dtype=values.dtype,
                                       zarr_format=zarr_format, **options)  # fmt: skip
        else:
            group = zarr.open_group(store=str(path), mode="w", zarr_format=zarr_format)
            stored = group.create_array(name, shape=values.shape, dtype=values.dtype, **options)
        stored[...] = values

    on_rank0(write)


@pytest.mark.parametrize(("shape", "split"), CASES, ids=[case_id(c) for c in CASES])
@pytest.mark.parametrize("ragged", [False, True])
def test_save_then_load_every_split(shared_dir: Path, shape, split, ragged) -> None:
    values = data(shape)
    path = shared_dir / "a.zarr"
    save_zarr(make(values, split, ragged=ragged), path)
    agree(np.array_equal(read_on_rank0(path), values), "zarr reads what hpa saved")
    for load_split in splits(len(shape)):
        loaded = load_zarr(path, split=load_split)
        assert loaded.split == load_split
        assert loaded.is_balanced()
        assert_array(loaded, values)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_every_dtype_round_trips(shared_dir: Path, dtype: hpa.DType) -> None:
    values = data((5, 3), dtype)
    path = shared_dir / "d.zarr"
    save_zarr(make(values, 0, dtype=dtype), path, "x")
    loaded = load_zarr(path, "x", split=1, dtype=dtype)
    assert_array(loaded, values, dtype=dtype)
    stored = read_on_rank0(path, "x")
    assert stored.dtype == (np.float32 if dtype is hpa.bfloat16 else dtype.numpy)
    if dtype is not hpa.bfloat16:
        assert_array(load_zarr(path, "x", split=0), values, dtype=dtype)


@pytest.mark.parametrize("zarr_format_version", [2, 3])
def test_load_store_of_another_job(shared_dir: Path, zarr_format_version: int) -> None:
    values = data((11, 4), hpa.float32, seed=3)
    path = shared_dir / "other.zarr"
    write_on_rank0(path, values, "grp/values", chunks=(3, 3), zarr_format=zarr_format_version)
    for split in (None, 0, 1):
        assert_array(load_zarr(path, "grp/values", split=split), values)
    assert_array(
        load_zarr(path, "grp/values", split=0, dtype=hpa.float64), values.astype(np.float64)
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
    path = shared_dir / "p.zarr"
    write_on_rank0(path, values, chunks=(3, 2))
    expected = values[slices]
    if split is not None and expected.ndim == 0:
        split = None
    assert_array(load_zarr(path, split=split, slices=slices), expected)


@pytest.mark.parametrize("split", [None, 0, 1])
@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize(
    "options", [{"chunks": (2, 3)}, {"chunks": (3, 1)}, {"chunks": (1, 5)},
                {"chunks": (1, 2), "shards": (3, 4)}, {"chunks": 4}],
    ids=repr,
)  # fmt: skip
def test_chunks_that_do_not_line_up(shared_dir: Path, split, ragged, options) -> None:
    values = data((10, 5), seed=5)
    path = shared_dir / "c.zarr"
    save_zarr(make(values, split, ragged=ragged), path, "x", **options)
    agree(np.array_equal(read_on_rank0(path, "x"), values), "zarr reads what hpa saved")
    assert_array(load_zarr(path, "x", split=0), values)


def test_concurrent_writes_when_blocks_line_up(shared_dir: Path, monkeypatch) -> None:
    """Blocks on chunk boundaries: no turns; otherwise the shared chunks go in turn."""
    turns: list[int] = []
    real = zarr_format.in_turn
    monkeypatch.setattr(zarr_format, "in_turn", lambda comm, f: turns.append(1) or real(comm, f))
    values = data((4 * P, 3), seed=6)
    path = shared_dir / "t.zarr"
    save_zarr(make(values, 0), path)  # default chunks divide the blocks of 4 rows
    assert turns == []
    assert_array(load_zarr(path, split=1), values)
    save_zarr(make(values, 0), path, chunks=(3, 3))  # 4-row blocks on 3-row chunks
    assert turns == ([1] if P > 1 else [])
    assert_array(load_zarr(path, split=0), values)
    save_zarr(make(values, None), path, chunks=(3, 3))  # replicated: rank 0 writes alone
    assert len(turns) == (1 if P > 1 else 0)
    assert_array(load_zarr(path, split=0), values)


def test_default_chunks() -> None:
    comm = hpa.get_comm()
    default = zarr_format._default_chunks
    assert default(Layout((12, 5), None, comm), 8) == (12, 5)
    aligned = default(Layout((12 * P, 5), 0, comm), 8)
    assert aligned[1] == 5 and 12 % aligned[0] == 0
    big = default(Layout((4 * P, 1 << 21), 0, comm), 8)  # one row is 16 MiB
    assert big[0] == 1 and big[1] * 8 <= zarr_format._CHUNK_BYTES
    assert default(Layout((0, 3), 0, comm), 4) == (1, 3)
    assert default(Layout((), None, comm), 8) == ()
    assert zarr_format._largest_divisor(250000, 1024) == 1000
    assert zarr_format._largest_divisor(7, 3) == 1
    # rows [lo, hi) of n in chunks of 4: the run held alone, and the shared ends
    owned = zarr_format._owned_rows
    assert owned(0, 8, 10, 4) == ((0, 8), [])
    assert owned(8, 10, 10, 4) == ((8, 10), [])
    assert owned(2, 9, 10, 4) == ((4, 8), [(2, 4), (8, 9)])
    assert owned(5, 7, 10, 4) == ((5, 5), [(5, 7)])
    assert owned(4, 6, 10, 4) == ((4, 4), [(4, 6)])
    assert owned(3, 3, 10, 4) == ((3, 3), [])
    assert owned(6, 10, 10, 4) == ((8, 10), [(6, 8)])


def test_attributes_and_options_pass_through(shared_dir: Path) -> None:
    values = data((12, 3))
    path = shared_dir / "o.zarr"
    save_zarr(
        make(values, 0), path, "x", chunks=(4, 3), compressors=None,
        attrs={"units": "m", "scale": 2.5}, dimension_names=("t", "c"),
    )  # fmt: skip
    verdict = None
    if RANK == 0:
        stored = zarr.open_array(store=str(path), path="x", mode="r")
        verdict = (
            stored.chunks == (4, 3)
            and stored.compressors == ()
            and stored.attrs["units"] == "m"
            and stored.attrs["scale"] == 2.5
            and stored.metadata.dimension_names == ("t", "c")
            and stored.metadata.zarr_format == 3
            and np.array_equal(stored[...], values)
        )
    agree(hpa.get_comm().bcast_object(verdict, 0), "options and attributes stored")


def test_append_mode_adds_arrays(shared_dir: Path) -> None:
    a, b = data((6, 2), seed=1), data((4,), seed=2)
    path = shared_dir / "m.zarr"
    save_zarr(make(a, 0), path, "a")
    save_zarr(make(b, 0), path, "group/b", mode="a")
    save_zarr(make(b, 0), path, "c", mode="r+")
    assert_array(load_zarr(path, "a", split=0), a)
    assert_array(load_zarr(path, "group/b", split=0), b)
    assert_array(load_zarr(path, "c"), b)
    raised_everywhere(ValueError, lambda: save_zarr(make(b, 0), path, "a", mode="a"))
    assert_array(load_zarr(path, "a", split=0), a)  # untouched by the failed save
    raised_everywhere(FileExistsError, lambda: save_zarr(make(b, 0), path, "c", mode="x"))
    raised_everywhere(
        FileNotFoundError, lambda: save_zarr(make(b, 0), shared_dir / "no.zarr", "c", mode="r+")
    )
    raised_everywhere(ValueError, lambda: save_zarr(make(b, 0), path, mode="a"))
    agree(listing(shared_dir) == ["m.zarr"], "no temporary stores left behind")


def test_errors_on_every_rank(shared_dir: Path) -> None:
    path = shared_dir / "e.zarr"
    write_on_rank0(path, np.arange(6, dtype=np.uint32), "x")
    raised_everywhere(FileNotFoundError, lambda: load_zarr(shared_dir / "missing.zarr"))
    raised_everywhere(KeyError, lambda: load_zarr(path, "y"))
    raised_everywhere(TypeError, lambda: load_zarr(path))  # the root is a group
    assert_array(load_zarr(path, "x", split=0), np.arange(6, dtype=np.uint32))  # uint32 is held
    assert_array(load_zarr(path, "x", split=0, dtype=hpa.int64), np.arange(6))
    raised_everywhere(IndexError, lambda: load_zarr(path, "x", dtype=hpa.int64, slices=(1, 2)))
    raised_everywhere(
        ValueError, lambda: load_zarr(path, "x", dtype=hpa.int64, slices=slice(None, None, -1))
    )
    raised_everywhere(ValueError, lambda: save_zarr(hpa.ones(3), path, "z", mode="q"))
    agree(listing(shared_dir) == ["e.zarr"], "no temporary stores left behind")


def test_failed_save_leaves_target_untouched(shared_dir: Path) -> None:
    values = data((5, 2))
    path = shared_dir / "t.zarr"
    save_zarr(make(values, 0), path)
    before = read_on_rank0(path)
    raised_everywhere(
        (TypeError, ValueError), lambda: save_zarr(make(values, 0), path, chunks="bad")
    )
    raised_everywhere(
        (TypeError, ValueError), lambda: save_zarr(make(values, 0), path, "x", compressors=3)
    )
    agree(np.array_equal(read_on_rank0(path), before), "target unchanged")
    agree(listing(shared_dir) == ["t.zarr"], "no temporary stores left behind")


def test_front_door(shared_dir: Path) -> None:
    values = data((7, 3))
    path = shared_dir / "f.zarr"
    hpa.save(make(values, 1), path)
    assert_array(hpa.load(path, split=0), values)
    hpa.save(make(values, 0), shared_dir / "g.zarr", "grp/x")
    assert_array(hpa.load(shared_dir / "g.zarr", "grp/x", split=1), values)


def test_store_saved_by_fewer_processes(shared_dir: Path) -> None:
    """A store saved by a job of one process (a sub-communicator) loads at this job's size."""
    comm = hpa.get_comm()
    alone = comm.split(0 if RANK == 0 else 1)
    values = data((7, 3), seed=6)
    path = shared_dir / "few.zarr"
    if RANK == 0:
        save_zarr(hpa.array(values, split=0, comm=alone), path, "x")
    comm.barrier()
    for split in (None, 0, 1):
        assert_array(load_zarr(path, "x", split=split), values)
