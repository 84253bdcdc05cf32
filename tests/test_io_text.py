"""loadtxt and genfromtxt against NumPy's, HeAT's folder loaders (load_npy_from_path,
load_csv_from_folder) and supports_*: files of many lines and of fewer lines than processes,
NumPy's shape rules (squeezed rows and columns, ndmin, unpack), max_rows ending inside one
rank's lines with unparsable lines after it, missing values, every split, the errors on every
rank and the collectives of a load.

Files are written by rank 0 alone (as by another program); every check compares gathered data,
so all ranks reach the same verdict.
"""

from __future__ import annotations

import importlib.util
import io
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, data, on_rank0, raised_everywhere

import hpa


def write_on_rank0(path: Path, text: str) -> None:
    on_rank0(lambda: path.write_text(text))


def numbers(rows: int, cols: int, seed: int = 0) -> str:
    buffer = io.StringIO()
    np.savetxt(buffer, data((rows, cols), seed=seed), fmt="%.17g")
    return buffer.getvalue()


def quiet(fn: Callable[[], Any]) -> Any:
    """``fn()`` with NumPy's "no data" warnings silenced (hpa and NumPy both give them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return fn()


def compare(got: Callable[[], Any], want: Callable[[], Any], split: int | None = 0) -> None:
    """``got()`` equals NumPy's ``want()`` and is split along ``split`` (when the result has
    that axis), or both raise the same kind of error, on every rank."""
    try:
        expected = quiet(want)
    except (ValueError, TypeError) as error:
        raised_everywhere(type(error) if isinstance(error, TypeError) else ValueError, lambda: quiet(got))
        return
    result = quiet(got)
    assert_array(result, expected)
    assert result.split == (split if split is not None and split < result.ndim else None)
    assert result.is_balanced()


TEXTS = {
    "many-rows": numbers(23, 3),
    "few-rows": numbers(2, 4, seed=1),
    "one-row": "1 2 3\n",
    "one-column": "1\n2\n3\n4\n5\n6\n7\n",
    "one-value": "42\n",
    "empty": "",
    "comments": "# header\n\n1 2 # trailing\n# middle\n3 4\n\n5 6\n",
    "crlf-no-final-newline": "1,2\r\n3,4\r\n5,6",
    "uneven": "1 2\n3 4\n5 6 7\n",
    "bad-field": "1 2\n3 x\n4 5\n",
    "missing": "1,,3\n4,5,6\n,8,\n",
}

OPTIONS = [
    {},
    {"ndmin": 1},
    {"ndmin": 2},
    {"unpack": True},
    {"usecols": (0,)},
    {"usecols": [-1, 0], "ndmin": 2},
    {"skiprows": 1},
    {"max_rows": 2},
    {"max_rows": 1, "ndmin": 2},
    {"delimiter": ","},
    {"dtype": int},
    {"dtype": np.float32, "comments": None},
]


@pytest.mark.parametrize("name", list(TEXTS))
def test_loadtxt_matches_numpy(shared_dir: Path, name: str) -> None:
    path = shared_dir / f"{name}.txt"
    write_on_rank0(path, TEXTS[name])
    for options in OPTIONS:
        for split in (0, 1, None):
            compare(
                lambda: hpa.loadtxt(path, split=split, **options),
                lambda: np.loadtxt(io.StringIO(TEXTS[name]), **options),
                split,
            )


@pytest.mark.parametrize("name", list(TEXTS))
def test_genfromtxt_matches_numpy(shared_dir: Path, name: str) -> None:
    path = shared_dir / f"{name}.txt"
    write_on_rank0(path, TEXTS[name])
    for options in OPTIONS + [{"skip_footer": 1}, {"filling_values": -1.0, "delimiter": ","}]:
        options = {("skip_header" if k == "skiprows" else k): v for k, v in options.items()}
        if name == "uneven" and "skip_footer" in options:  # documented: footers are parsed
            raised_everywhere(ValueError, lambda: hpa.genfromtxt(path, **options))
            continue
        if name == "uneven" and min(options.get("usecols", [0])) < 0:
            continue  # documented: a negative column counts from the end of each rank's first line
        compare(
            lambda: hpa.genfromtxt(path, **options),
            lambda: np.genfromtxt(io.StringIO(TEXTS[name]), **options),
        )


def test_max_rows_ends_inside_a_rank(shared_dir: Path) -> None:
    good = numbers(6 * P + 2, 2, seed=3)
    text = good + "not numbers\n" * 3 * P + "1 2 3\n" * 3 * P  # bad lines on the later ranks
    path = shared_dir / "limited.txt"
    write_on_rank0(path, text)
    for limit in (1, 3, 4 * P, 6 * P + 2):
        compare(lambda: hpa.loadtxt(path, max_rows=limit), lambda: np.loadtxt(io.StringIO(text), max_rows=limit))
        compare(lambda: hpa.genfromtxt(path, max_rows=limit), lambda: np.genfromtxt(io.StringIO(text), max_rows=limit))
    compare(lambda: hpa.loadtxt(path, max_rows=6 * P + 3), lambda: np.loadtxt(io.StringIO(text), max_rows=6 * P + 3))
    compare(lambda: hpa.loadtxt(path), lambda: np.loadtxt(io.StringIO(text)))


def test_genfromtxt_missing_values(shared_dir: Path) -> None:
    text = "a,b,c\n" + "1,N/A,3\n,5,6\n7,8,\n" * 3 * P
    path = shared_dir / "missing.csv"
    write_on_rank0(path, text)
    for options in (
        {},
        {"missing_values": "N/A"},
        {"missing_values": "N/A", "filling_values": 0.5},
        {"filling_values": {0: -1, 2: -3}},
        {"dtype": int, "missing_values": "N/A", "filling_values": 9},
        {"usecols": (2, 0), "filling_values": 7.0},
    ):
        compare(
            lambda: hpa.genfromtxt(path, delimiter=",", skip_header=1, **options),
            lambda: np.genfromtxt(io.StringIO(text), delimiter=",", skip_header=1, **options),
        )


def test_text_errors_everywhere(shared_dir: Path) -> None:
    path = shared_dir / "n.txt"
    write_on_rank0(path, numbers(5, 2))
    raised_everywhere(FileNotFoundError, lambda: hpa.loadtxt(shared_dir / "missing.txt"))
    raised_everywhere(TypeError, lambda: hpa.loadtxt(io.StringIO("1 2\n")))
    raised_everywhere(ValueError, lambda: hpa.loadtxt(path, ndmin=3))
    raised_everywhere(ValueError, lambda: hpa.loadtxt(path, skiprows=-1))
    raised_everywhere(ValueError, lambda: hpa.loadtxt(path, encoding="utf-16"))
    raised_everywhere(TypeError, lambda: hpa.genfromtxt(path, dtype=None))
    raised_everywhere(ValueError, lambda: hpa.genfromtxt(path, max_rows=0))
    raised_everywhere(ValueError, lambda: hpa.genfromtxt(path, max_rows=2, skip_footer=1))
    raised_everywhere(ValueError, lambda: hpa.loadtxt(path, split=2))


def test_loadtxt_communication(shared_dir: Path) -> None:
    path = shared_dir / "big.txt"
    write_on_rank0(path, numbers(10 * P + 3, 4, seed=5))
    with hpa.count_collectives() as stats:
        x = hpa.loadtxt(path)
    assert x.is_balanced() and x.split == 0
    counts = dict(stats.counts)
    if P == 1:
        assert counts == {}
    else:  # the parse agreed with the row counts, then at most the rows balanced
        assert counts.get("allgather_object") == 1
        assert set(counts) <= {"allgather_object", "alltoallv"}


# ---------------------------------------------------------------------------- folders
def folder(base: Path, name: str, arrays: list[np.ndarray], kind: str) -> Path:
    """A folder of one file per array (and a file the loaders skip), written by rank 0."""
    path = base / name

    def write() -> None:
        path.mkdir()
        (path / "notes.txt").write_text("not data")
        for i, a in enumerate(arrays):
            if kind == "npy":
                np.save(path / f"part{i:02d}.npy", a)
            else:
                with open(path / f"part{i:02d}.csv", "w") as handle:
                    handle.write("x,y,z\n" if a.shape[1] == 3 else "h\n")
                    np.savetxt(handle, a, delimiter=",", fmt="%.17g")

    on_rank0(write)
    return path


ROWS = [4, 0, 1, 2 * P + 1, 3]


def test_load_npy_from_path(shared_dir: Path) -> None:
    arrays = [data((n, 3), seed=n) * 10 for n in ROWS]
    path = folder(shared_dir, "npy", arrays, "npy")
    joined = np.concatenate(arrays)
    for split in (0, None):
        x = hpa.load_npy_from_path(str(path), split=split)
        assert_array(x, joined.astype(np.int32))  # HeAT's default dtype
        assert x.split == split and x.is_balanced()
        assert_array(hpa.load_npy_from_path(str(path), dtype=hpa.float64, split=split), joined)
    side = folder(shared_dir, "side", [data((5, k), seed=k) for k in (2, 1, 3)], "npy")
    wide = np.concatenate([data((5, k), seed=k) for k in (2, 1, 3)], axis=1)
    assert_array(hpa.load_npy_from_path(str(side), hpa.float32, 1), wide.astype(np.float32))
    raised_everywhere(ValueError, lambda: hpa.load_npy_from_path(str(side), split=0))
    raised_everywhere(ValueError, lambda: hpa.load_npy_from_path(str(shared_dir)))  # no .npy files
    raised_everywhere(TypeError, lambda: hpa.load_npy_from_path(path))
    raised_everywhere(TypeError, lambda: hpa.load_npy_from_path(str(path), split=1.0))
    raised_everywhere(FileNotFoundError, lambda: hpa.load_npy_from_path(str(shared_dir / "none")))


def test_load_csv_from_folder(shared_dir: Path) -> None:
    arrays = [np.round(data((n, 3), seed=n) * 10, 2) for n in ROWS]
    path = folder(shared_dir, "csv", arrays, "csv")
    joined = np.concatenate(arrays)
    for split in (0, None):
        x = hpa.load_csv_from_folder(str(path), split=split)
        assert_array(x, joined.astype(np.int32))  # HeAT's default dtype
        assert x.split == split and x.is_balanced()
        assert_array(hpa.load_csv_from_folder(str(path), hpa.float64, split), joined)
        doubled = hpa.load_csv_from_folder(str(path), hpa.float64, split, func=lambda a: a[:, :2] * 2)
        assert_array(doubled, joined[:, :2] * 2)
    columns = [np.round(data((6, k), seed=k), 3) for k in (3, 1, 3, 1)]
    side = folder(shared_dir, "side", columns, "csv")
    x = hpa.load_csv_from_folder(str(side), hpa.float64, 1)
    assert_array(x, np.concatenate(columns, axis=1))
    assert x.split == 1 and x.is_balanced()
    raised_everywhere(ValueError, lambda: hpa.load_csv_from_folder(str(side), hpa.float64, 0))
    raised_everywhere(ValueError, lambda: hpa.load_csv_from_folder(str(shared_dir)))
    raised_everywhere(TypeError, lambda: hpa.load_csv_from_folder(str(path), func=3))
    raised_everywhere(ValueError, lambda: hpa.load_csv_from_folder(str(path), func=lambda a: a[0]))


def test_supports() -> None:
    for check, module in (
        (hpa.supports_hdf5, "h5py"), (hpa.supports_netcdf, "h5netcdf"), (hpa.supports_zarr, "zarr"),
    ):  # fmt: skip
        assert check() is (importlib.util.find_spec(module) is not None)
