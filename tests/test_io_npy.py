"""``.npy`` loading and saving (hpa.load_npy, hpa.save_npy) against numpy.load/numpy.save, and
the shared I/O core's agreement and atomic replacement."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from helpers import (
    ALL_DTYPES,
    RANK,
    P,
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
from hpa.core.exchange import agreed
from hpa.io.common import replaced_atomically

SHAPES = [(), (0,), (1,), (7,), (3, 5), (1, 4), (0, 3), (2, 3, 4), (1, 1, 5)]
CASES = [(shape, split) for shape in SHAPES for split in splits(len(shape))]


def load_on_rank0(path: Path) -> np.ndarray:
    """The file as numpy.load reads it on rank 0, broadcast to every rank."""
    return on_rank0(lambda: np.load(path))


def save_on_rank0(path: Path, values: np.ndarray) -> None:
    """A file written by numpy in one process, as if by a job of another size."""
    on_rank0(lambda: np.save(path, values))


@pytest.mark.parametrize(("shape", "split"), CASES, ids=[case_id(c) for c in CASES])
@pytest.mark.parametrize("ragged", [False, True])
def test_save_then_load_every_split(shared_dir: Path, shape, split, ragged) -> None:
    values = data(shape)
    path = shared_dir / "a.npy"
    hpa.save_npy(make(values, split, ragged=ragged), path)
    stored = load_on_rank0(path)
    agree(stored.shape == values.shape and np.array_equal(stored, values), "numpy reads it")
    for load_split in splits(len(shape)):
        assert_array(hpa.load_npy(path, split=load_split), values)
    agree(os.listdir(shared_dir) == ["a.npy"], "no temporary files left behind")


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
def test_every_dtype_round_trips(shared_dir: Path, dtype: hpa.DType) -> None:
    values = data((5, 3), dtype)
    path = shared_dir / "d.npy"
    hpa.save(make(values, 1, dtype=dtype), path)
    assert_array(hpa.load(path, split=0, dtype=dtype), values, dtype=dtype)


@pytest.mark.parametrize("order", ["C", "F"])
def test_load_file_of_another_job(shared_dir: Path, order: str) -> None:
    values = np.asarray(data((9, 4, 2), hpa.int32, seed=5), order=order)
    path = shared_dir / "other.npy"
    save_on_rank0(path, values)
    for split in (None, 0, 1, 2):
        assert_array(hpa.load_npy(path, split=split), values)


@pytest.mark.parametrize(
    "slices", [slice(2, 9), (slice(None), 1), (slice(1, None, 3), slice(0, 4, 2)), 4, (slice(6, 6),)],
    ids=repr,
)  # fmt: skip
def test_partial_load(shared_dir: Path, slices) -> None:
    values = data((10, 4), seed=4)
    path = shared_dir / "p.npy"
    save_on_rank0(path, values)
    expected = values[slices]
    for split in splits(expected.ndim):
        assert_array(hpa.load_npy(path, split=split, slices=slices), expected)


def test_errors_on_every_rank(shared_dir: Path) -> None:
    path = shared_dir / "u.npy"
    save_on_rank0(path, np.arange(6, dtype=">i4"))  # big-endian: not a dtype of hpa's
    raised_everywhere(FileNotFoundError, lambda: hpa.load_npy(shared_dir / "missing.npy"))
    raised_everywhere(TypeError, lambda: hpa.load_npy(path, split=0))
    assert_array(hpa.load_npy(path, split=0, dtype=hpa.int64), np.arange(6))
    objects = shared_dir / "o.npy"
    if RANK == 0:
        np.save(objects, np.array([{}, []], dtype=object), allow_pickle=True)
    hpa.get_comm().barrier()
    raised_everywhere(ValueError, lambda: hpa.load_npy(objects))


def test_agreed_raises_one_ranks_error_everywhere() -> None:
    def fail_on_last() -> int:
        if RANK == P - 1:
            raise FileNotFoundError("only the last rank misses the file")
        return RANK

    raised_everywhere(FileNotFoundError, lambda: agreed(hpa.get_comm(), fail_on_last))
    assert agreed(hpa.get_comm(), lambda: RANK) == RANK


def test_replaced_atomically_keeps_target_on_failure(shared_dir: Path) -> None:
    comm = hpa.get_comm()
    target = shared_dir / "keep.npy"
    save_on_rank0(target, np.arange(3))

    def failing_save() -> None:
        with replaced_atomically(target, comm) as temp:
            if RANK == 0:
                Path(temp).write_bytes(b"half")
            comm.barrier()
            if RANK == P - 1:
                raise OSError("disk full on the last rank")

    raised_everywhere(OSError, failing_save)
    agree(np.array_equal(load_on_rank0(target), np.arange(3)), "target unchanged")
    agree(os.listdir(shared_dir) == ["keep.npy"], "temporary removed")


def test_file_saved_by_fewer_processes(shared_dir: Path) -> None:
    """A file saved by a job of one process (a sub-communicator) loads at this job's size."""
    comm = hpa.get_comm()
    alone = comm.split(0 if RANK == 0 else 1)
    values = data((7, 3), seed=6)
    path = shared_dir / "few.npy"
    if RANK == 0:
        hpa.save(hpa.array(values, split=0, comm=alone), path)
    comm.barrier()
    for split in (None, 0, 1):
        assert_array(hpa.load(path, split=split), values)
