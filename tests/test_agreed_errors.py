"""Errors that depend on one rank's data or file system are raised alike on every rank.

Each check catches the exception on every rank, gathers ``(class, message, hpa_origin)`` and
asserts that all ranks hold the same one: no rank returned while another raised, and no rank
raised something else. A check that hung would never reach its gather, so the suite finishing
is itself the proof that no rank was left waiting.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from helpers import RANK, P, agree, listing, make

import hpa
from hpa.core.errors import AxisError
from hpa.core.exchange import agreed, agreed_allgather, reworded

COMM = hpa.get_comm()
LAST = P - 1

Outcome = tuple[str, str, Any, bool]


def _outcome(fn: Callable[[], Any], kind: type[BaseException]) -> Outcome | None:
    try:
        fn()
    except Exception as error:  # noqa: BLE001 (gathered and compared below)
        return (
            type(error).__name__,
            str(error),
            getattr(error, "hpa_origin", None),
            isinstance(error, kind),
        )
    return None


def same_error(
    fn: Callable[[], Any], kind: type[BaseException] = Exception, origin: int | None = None
) -> tuple[str, str, Any]:
    """``fn()`` raises ``kind`` on every rank, with one class, message and ``hpa_origin``.

    With ``origin`` (an error agreed from one rank's data), ``hpa_origin`` is that rank and
    the message names it when there are several ranks. Returns (class name, message, origin).
    """
    everyone = COMM.allgather_object(_outcome(fn, kind))
    returned = [r for r, o in enumerate(everyone) if o is None]
    assert not returned, f"ranks {returned} returned, the others raised: {everyone}"
    assert len(set(everyone)) == 1, f"the ranks raised different exceptions: {everyone}"
    name, message, got_origin, is_kind = everyone[0]  # type: ignore[misc]
    assert is_kind, f"{name} is not a {kind.__name__}: {message}"
    if origin is not None:
        assert got_origin == origin, f"hpa_origin {got_origin}, expected {origin}"
        assert (f"(on rank {origin})" in message) == (P > 1), message
    return name, message, got_origin


def on_rank0(fn: Callable[[], Any]) -> None:
    """``fn()`` on rank 0 alone, the other ranks waiting until it is done."""
    if RANK == 0:
        fn()
    COMM.barrier()


# ---------------------------------------------------------------------------------- agreement
class _LocalError(KeyError):
    """An exception class the other ranks do not know."""


def _fail_on(rank: int, error: Exception) -> Callable[[], int]:
    def action() -> int:
        if RANK == rank:
            raise error
        return RANK

    return action


def test_agreed_raises_the_same_exception_everywhere() -> None:
    name, message, _ = same_error(
        lambda: agreed(COMM, _fail_on(LAST, _LocalError("no such key"))), KeyError, LAST
    )
    agree(name == ("_LocalError" if P == 1 else "KeyError"), f"class {name}")
    agree(message == ("'no such key'" if P == 1 else f"'no such key (on rank {LAST})'"), message)


def test_agreed_keeps_the_original_on_the_failing_rank() -> None:
    original = _LocalError("lost")
    with pytest.raises(KeyError) as info:
        agreed(COMM, _fail_on(LAST, original))
    mine = info.value if P == 1 else info.value.__cause__
    agree((mine is original) == (RANK == LAST), "the failing rank chains its own exception")
    agree(getattr(original, "hpa_origin", LAST) == LAST, "the original carries its origin")


@pytest.mark.parametrize(
    "error,kind",
    [(AxisError("axis 2 is out of bounds"), AxisError),
     (FileNotFoundError(2, "No such file or directory", "f.npy"), FileNotFoundError),
     (UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), UnicodeError),
     (np.exceptions.AxisError(3, 2), ValueError)],
    ids=["hpa-axis", "oserror", "unicode", "numpy-axis"],
)  # fmt: skip
def test_agreed_class_is_built_in_or_hpa(error: Exception, kind: type[Exception]) -> None:
    name, _, _ = same_error(lambda: agreed(COMM, _fail_on(LAST, error)), kind, LAST)
    agree(P == 1 or name == kind.__name__, f"{name} instead of {kind.__name__}")


def test_lowest_failing_rank_wins() -> None:
    def action() -> None:
        if RANK > 0:
            raise ValueError(f"rank {RANK} failed")

    if P == 1:
        agree(agreed(COMM, action) is None, "nothing failed")
        return
    _, message, _ = same_error(lambda: agreed(COMM, action), ValueError, 1)
    agree(message == "rank 1 failed (on rank 1)", message)


def test_nested_agreement_keeps_message_and_origin() -> None:
    inner = lambda: agreed(COMM, _fail_on(LAST, OSError("disk full")))  # noqa: E731
    _, message, _ = same_error(lambda: agreed(COMM, inner), OSError, LAST)
    agree(message.count("(on rank") == (P > 1), message)


def test_agreed_allgather_shares_and_agrees() -> None:
    with hpa.count_collectives() as stats:
        result, shared = agreed_allgather(COMM, lambda: RANK * 10, lambda r: r + 1)
    agree(result == RANK * 10 and shared == [r * 10 + 1 for r in range(P)], "shared values")
    agree(stats.total == stats["allgather_object"] == (1 if P > 1 else 0), "one collective")

    def share(value: int) -> int:
        if RANK == LAST:
            raise TypeError("cannot share")
        return value

    same_error(lambda: agreed_allgather(COMM, lambda: RANK, share), TypeError, LAST)


def test_reworded() -> None:
    error = KeyError("in /tmp/.a.h5.hpa-1.tmp")
    agree(reworded(error, lambda m: m) is error, "unchanged message: the same exception")
    error.hpa_origin = 3  # type: ignore[attr-defined]
    new = reworded(error, lambda m: m.replace("/tmp/.a.h5.hpa-1.tmp", "a.h5"))
    agree(type(new) is KeyError and str(new) == "'in a.h5'", str(new))
    agree(getattr(new, "hpa_origin", None) == 3, "origin kept")


# ---------------------------------------------------------------------------------- is_split
@pytest.mark.parametrize(
    "bad,kind",
    [(np.array(["a", "b"]), TypeError), ([[1.0, 2.0], [3.0]], ValueError),
     (np.arange(2).astype("m8[s]"), TypeError), ([{}, None], TypeError)],
    ids=["strings", "ragged", "timedelta", "objects"],
)  # fmt: skip
def test_is_split_block_that_cannot_convert(bad: Any, kind: type[Exception]) -> None:
    block = bad if RANK == LAST else np.ones(2)
    with hpa.count_collectives() as stats:
        same_error(lambda: hpa.array(block, is_split=0), kind, LAST)
    # the agreement (none at one rank), then the gather of same_error itself
    agree(stats.total == stats["allgather_object"] == (2 if P > 1 else 1), "one collective")


# ---------------------------------------------------------------------------------- loaders
def _write(path: Path, values: np.ndarray, fmt: str) -> None:
    """``values`` written by the plain library (dataset or variable ``"x"``)."""
    if fmt == "npy":
        np.save(path, values)
    elif fmt == "h5":
        import h5py

        with h5py.File(path, "w") as handle:
            handle["x"] = values
    elif fmt == "nc":
        import h5netcdf

        with h5netcdf.File(path, "w") as handle:
            handle.dimensions = {f"d{i}": n for i, n in enumerate(values.shape)}
            v = handle.create_variable("x", tuple(handle.dimensions), dtype=values.dtype)
            v[...] = values
    elif fmt == "zarr":
        import zarr

        group = zarr.open_group(store=str(path), mode="w")
        group.create_array(name="x", data=values)
    else:
        np.savetxt(path, values, delimiter=",", fmt="%d")


FORMATS = ["npy", "h5", "nc", "zarr", "csv"]
NAMED = {"h5": "x", "nc": "x", "zarr": "x"}  # the dataset, variable or array name


def _needs(fmt: str) -> None:
    module = {"h5": "h5py", "nc": "h5netcdf", "zarr": "zarr"}.get(fmt)
    if module is not None:
        pytest.importorskip(module)


def _load(path: Path, fmt: str, *args: Any, **kwargs: Any) -> hpa.Array:
    if fmt in NAMED:
        return hpa.load(path, *(args or (NAMED[fmt],)), **kwargs)
    return hpa.load(path, **kwargs)


@pytest.mark.parametrize("fmt", FORMATS)
def test_load_errors_are_the_same_everywhere(shared_dir: Path, fmt: str) -> None:
    _needs(fmt)
    path = shared_dir / f"a.{fmt}"
    values = np.arange(12, dtype=np.int32).reshape(3, 4)
    on_rank0(lambda: _write(path, values, fmt))
    same_error(lambda: _load(shared_dir / f"missing.{fmt}", fmt), OSError, 0)
    same_error(lambda: _load(path, fmt, split=2), AxisError)  # AxisError, not ValueError
    if fmt in NAMED:
        same_error(lambda: _load(path, fmt, "nope"), KeyError, 0)
    if fmt != "csv":
        same_error(lambda: _load(path, fmt, slices=(0, 1, 2)), IndexError, 0)
        same_error(lambda: _load(path, fmt, slices=7), IndexError, 0)
        same_error(lambda: _load(path, fmt, slices=slice(None, None, -1)), ValueError, 0)
        same_error(lambda: _load(path, fmt, slices=1.5), TypeError, 0)
    agree(listing(shared_dir) == [f"a.{fmt}"], "nothing written")


@pytest.mark.parametrize("fmt", ["npy", "h5", "nc", "zarr"])
def test_unsupported_stored_dtype(shared_dir: Path, fmt: str) -> None:
    _needs(fmt)
    path = shared_dir / f"u.{fmt}"
    on_rank0(lambda: _write(path, np.array([b"ab", b"cd", b"ef"]), fmt))  # bytes: no hpa dtype
    same_error(lambda: _load(path, fmt, split=0), TypeError, 0)


@pytest.mark.parametrize("fmt", FORMATS)
def test_path_that_exists_on_some_ranks_only(shared_dir: Path, fmt: str) -> None:
    _needs(fmt)
    path = shared_dir / f"here.{fmt}"
    on_rank0(lambda: _write(path, np.ones((4, 2), dtype=np.int32), fmt))
    mine = path if RANK == 0 else shared_dir / f"elsewhere.{fmt}"
    if P > 1:
        same_error(lambda: _load(mine, fmt, split=0), OSError, 1)
    else:
        agree(_load(mine, fmt, split=0).shape == (4, 2), "loads at one rank")


@pytest.mark.parametrize("fmt", FORMATS)
def test_path_naming_different_files(shared_dir: Path, fmt: str) -> None:
    _needs(fmt)
    mine = shared_dir / f"r{RANK}.{fmt}"
    _write(mine, np.ones((RANK + 2, 2), dtype=np.int32), fmt)  # a node-local file, say
    COMM.barrier()
    if P > 1:
        _, message, _ = same_error(lambda: _load(mine, fmt, split=0), ValueError)
        agree("same file on every rank" in message, message)
    else:
        agree(_load(mine, fmt, split=0).shape == (2, 2), "loads at one rank")


# ---------------------------------------------------------------------------------- saves
SAVES = {
    "npy": lambda x, path: hpa.save(x, path),
    "h5": lambda x, path: hpa.save(x, path, "x"),
    "nc": lambda x, path: hpa.save(x, path, "x"),
    "zarr": lambda x, path: hpa.save(x, path),
    "csv": lambda x, path: hpa.save(x, path),
}


@pytest.mark.parametrize("fmt", FORMATS)
def test_failed_save_names_the_target(shared_dir: Path, fmt: str) -> None:
    _needs(fmt)
    on_rank0(lambda: (shared_dir / "file").write_bytes(b""))
    target = shared_dir / "file" / f"t.{fmt}"  # its directory is a file
    x = make(np.ones((4, 2)), 0)
    _, message, _ = same_error(lambda: SAVES[fmt](x, target), OSError)
    agree(str(target) in message and ".hpa-" not in message, message)
    agree(listing(shared_dir) == ["file"], "no temporary left behind")


def test_failed_write_on_one_rank_names_the_target(
    shared_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hpa.io import npy

    written = npy._write_at

    def unreachable(temp: str, offset: int, block: np.ndarray) -> None:
        if RANK == LAST:  # the shared directory is missing on this rank's node
            raise FileNotFoundError(2, "No such file or directory", temp)
        written(temp, offset, block)

    monkeypatch.setattr(npy, "_write_at", unreachable)
    target = shared_dir / "w.npy"
    _, message, _ = same_error(lambda: hpa.save(make(np.ones((4, 2)), 0), target), OSError, LAST)
    agree(repr(str(target)) in message and ".hpa-" not in message, message)
    agree(listing(shared_dir) == [], "no temporary left behind")


def _dead_pid() -> int:
    """A process id that no running process has (the same on every rank)."""

    def find() -> int:
        for pid in range(4_194_303, 1, -1):
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return pid
            except OSError:
                continue
        raise RuntimeError("no free pid")

    return int(COMM.bcast_object(find() if RANK == 0 else None, 0))


@pytest.mark.parametrize("fmt", ["npy", "zarr"])
def test_stale_temporaries_are_removed_after_a_save(shared_dir: Path, fmt: str) -> None:
    _needs(fmt)
    dead = _dead_pid()
    name = f"s.{fmt}"
    stale = [f".{name}.hpa-{dead}.tmp", f".{name}.hpa-{dead}.tmp.old"]
    kept = [f".{name}.hpa-1.tmp", f".other.{fmt}.hpa-{dead}.tmp"]  # pid 1 runs; another target

    def leave_behind() -> None:
        for entry in stale + kept:
            if fmt == "zarr":  # a directory store, half written
                (shared_dir / entry).mkdir()
                (shared_dir / entry / "zarr.json").write_text("{")
            else:
                (shared_dir / entry).write_bytes(b"half")

    on_rank0(leave_behind)
    x = make(np.arange(6.0).reshape(3, 2), 0)
    SAVES[fmt](x, shared_dir / name)
    agree(listing(shared_dir) == sorted([name, *kept]), f"left: {listing(shared_dir)}")
    agree(np.array_equal(hpa.load(shared_dir / name).numpy(), x.numpy()), "the save")


# ---------------------------------------------------------------------------------- operations
def _on_last(bad: Any, good: Any) -> Any:
    return bad if RANK == LAST else good


def _split_values(good: np.ndarray, bad_value: Any) -> hpa.Array:
    """A split 1-D array of ``good`` whose last element (on the last rank) is ``bad_value``."""
    values = good.copy()
    values[-1] = bad_value
    return hpa.array(values, split=0)


def test_index_out_of_bounds_in_one_block() -> None:
    idx = _split_values(np.zeros(2 * P, dtype=np.int64), 99)
    _, message, _ = same_error(lambda: hpa.take(hpa.arange(5), idx), IndexError)
    agree(message == "index 99 is out of bounds for axis 0 with size 5", message)  # NumPy's
    same_error(lambda: hpa.arange(5, split=0)[idx], IndexError)
    same_error(lambda: hpa.arange(5.0)[idx], IndexError)
    same_error(lambda: hpa.put(hpa.zeros(5, split=0), idx, 1.0), IndexError)

    def assign() -> None:
        x = hpa.zeros(5, split=0)
        x[idx] = 1.0

    same_error(assign, IndexError)
    grid = hpa.array(np.zeros((2 * P, 3), dtype=np.int64), split=0)
    grid[2 * P - 1, 2] = 7
    same_error(lambda: hpa.take_along_axis(hpa.ones((2 * P, 3), split=0), grid, 1), IndexError)


def test_negative_counts_in_one_block() -> None:
    values = _split_values(np.ones(2 * P, dtype=np.int64), -1)
    same_error(lambda: hpa.bincount(values), ValueError)
    same_error(lambda: hpa.repeat(hpa.arange(2 * P, split=0), values), ValueError)


def test_histogram_range_of_nan_in_one_block() -> None:
    values = _split_values(np.arange(2.0 * P), np.nan)
    same_error(lambda: hpa.histogram(values, bins=3), ValueError)
    same_error(lambda: hpa.histogram2d(values, values, bins=3), ValueError)


def test_unsorted_bins_in_one_block() -> None:
    bins = _split_values(np.arange(3.0 * P), -1.0)
    same_error(lambda: hpa.digitize(hpa.arange(3.0), bins), ValueError)


def test_data_that_numpy_accepts_raise_nowhere() -> None:
    """NaN in one block of ``unique`` and an integer zero divisor: no rank raises."""
    values = np.arange(2.0 * P)
    values[-1] = np.nan
    expected = np.unique(values)
    got = hpa.unique(hpa.array(values, split=0)).numpy()
    agree(np.array_equal(got, expected, equal_nan=True), f"unique {got}")
    divisor = hpa.array(np.r_[np.ones(2 * P - 1, dtype=np.int64), 0], split=0)
    with np.errstate(divide="ignore"):
        expected = np.ones(2 * P, dtype=np.int64) // np.r_[np.ones(2 * P - 1, np.int64), 0]
    agree(np.array_equal((hpa.ones(2 * P, dtype=hpa.int64, split=0) // divisor).numpy(), expected))


def test_sorted_search_of_nan() -> None:
    a = hpa.array(np.r_[np.arange(2.0 * P - 1), np.nan], split=0)
    v = np.array([np.nan, 0.5, 100.0])
    expected = np.searchsorted(a.numpy(), v)
    agree(np.array_equal(hpa.searchsorted(a, torch.from_numpy(v)).numpy(), expected))
