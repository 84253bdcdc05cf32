"""CSV loading and saving (hpa.io.csv_format.load_csv, save_csv) against numpy.loadtxt and
numpy.savetxt, at every split, with fewer lines than processes and ragged blocks."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest
from helpers import P, agree, assert_array, data, make, on_rank0, raised_everywhere, splits

import hpa
from hpa.io.csv_format import load_csv, save_csv

NUMBERS = data((7, 3), seed=1)


def write_on_rank0(path: Path, text: str | bytes) -> None:
    """A file written by rank 0 alone, as if by another program."""
    on_rank0(lambda: path.write_bytes(text.encode() if isinstance(text, str) else text))


def read_on_rank0(path: Path) -> bytes:
    """The file's bytes as rank 0 reads them, broadcast to every rank."""
    return on_rank0(path.read_bytes)


def numpy_text(values: np.ndarray, sep: str = ",", fmt: str = "%.17g") -> str:
    buffer = io.StringIO()
    np.savetxt(buffer, values, fmt=fmt, delimiter=sep)
    return buffer.getvalue()


# name -> (file text, load_csv options, numpy.loadtxt options)
FILES = {
    "comma": (numpy_text(NUMBERS), {}, {}),
    "semicolon": (numpy_text(NUMBERS, ";"), {"sep": ";"}, {"delimiter": ";"}),
    "tab": (numpy_text(NUMBERS, "\t"), {"sep": "\t"}, {"delimiter": "\t"}),
    "whitespace": (
        "  1 2   3\n4\t5 6 \n 7 8 9\n",
        {"sep": None},
        {"delimiter": None},
    ),
    "crlf": (numpy_text(NUMBERS).replace("\n", "\r\n"), {}, {}),
    "no-final-newline": (numpy_text(NUMBERS).rstrip("\n"), {}, {}),
    "blank-lines": ("\n1,2\n\n\n3,4\n5,6\n\n\n\n", {}, {}),
    "header": ("x,y,z\nunits\n" + numpy_text(NUMBERS), {"header_lines": 2}, {"skiprows": 2}),
    "comments": (
        "# a comment\n1,2 # trailing\n#\n3,4\n",
        {"comments": "#"},
        {"comments": "#"},
    ),
    "one-line": ("1.5,2.5,-3\n", {}, {}),
    "one-column": ("1\n2\n3\n4\n5\n", {}, {}),
    "two-lines": ("1,2\n3,4", {}, {}),
    "uneven-line-lengths": (
        "1,2\n" + "3.000000000000000000000000000000000000000000000000000001,4\n" * 2 + "5,6\n" * 9,
        {},
        {},
    ),
    "long-lines": (
        "h" * 70000 + "\nh\n1,2 #" + "x" * 150000 + "\n3,4\n" + ("5,6 #" + "y" * 40000 + "\n") * 3,
        {"header_lines": 2, "comments": "#"},
        {"skiprows": 2, "comments": "#"},
    ),
    "usecols": ("1,2,3\n4,5,6\n7,8,9\n", {"usecols": [2, 0]}, {"usecols": [2, 0]}),
}


@pytest.mark.parametrize("name", list(FILES))
@pytest.mark.parametrize("split", splits(2))
def test_load_matches_loadtxt(shared_dir: Path, name: str, split: int | None) -> None:
    text, options, numpy_options = FILES[name]
    path = shared_dir / "a.csv"
    write_on_rank0(path, text)
    expected = np.loadtxt(
        io.StringIO(text), ndmin=2, **{"delimiter": ",", "comments": None, **numpy_options}
    )
    x = load_csv(path, split=split, **options)
    assert_array(x, expected)
    assert x.split == split and x.is_balanced()


def test_load_keeps_parsed_rows_without_balance(shared_dir: Path) -> None:
    text = "1,2\n" + "3" * 200 + ",4\n" + "5,6\n" * 4
    path = shared_dir / "r.csv"
    write_on_rank0(path, text)
    x = load_csv(path, balance=False)
    assert_array(x, np.loadtxt(io.StringIO(text), delimiter=",", ndmin=2))
    assert x.split == 0 and sum(x.counts) == 6
    if P > 1:
        assert not x.is_balanced(), "the long line's bytes hold fewer rows"


@pytest.mark.parametrize("text", ["", "\n\n", "a,b\n", "a,b"], ids=repr)
@pytest.mark.parametrize("split", splits(2))
def test_no_data_lines(shared_dir: Path, text: str, split: int | None) -> None:
    path = shared_dir / "e.csv"
    write_on_rank0(path, text)
    header = 0 if not text.strip() else 1
    assert_array(load_csv(path, header_lines=header, split=split), np.zeros((0, 0)))
    x = load_csv(path, header_lines=header, split=split, usecols=[0, 1], dtype=hpa.int64)
    assert_array(x, np.zeros((0, 2), dtype=np.int64))


@pytest.mark.parametrize(
    "dtype",
    [hpa.float64, hpa.float32, hpa.float16, hpa.bfloat16, hpa.int64, hpa.int32, hpa.int8,
     hpa.uint8, hpa.bool_, hpa.complex64, hpa.complex128],
    ids=str,
)  # fmt: skip
def test_round_trip_every_dtype(shared_dir: Path, dtype: hpa.DType) -> None:
    values = data((7, 3), dtype, seed=2)
    if dtype.kind == "f":
        values[0, :] = [np.nan, np.inf, -np.inf]
    path = shared_dir / "d.csv"
    save_csv(make(values, 0, dtype=dtype, ragged=True), path)
    for split in splits(2):
        assert_array(load_csv(path, dtype=dtype, split=split), values, dtype=dtype, rtol=0)
    stored = np.loadtxt(io.BytesIO(read_on_rank0(path)), delimiter=",", dtype=dtype.numpy)
    agree(np.array_equal(stored, values.astype(dtype.numpy), equal_nan=True), "numpy reads it")


@pytest.mark.parametrize("shape", [(7, 3), (2, 3), (1, 4), (0, 3), (5,), (2,), (0,)], ids=str)
@pytest.mark.parametrize("ragged", [False, True])
def test_save_every_split_matches_savetxt(shared_dir: Path, shape, ragged: bool) -> None:
    values = data(shape, seed=3)
    path = shared_dir / "s.csv"
    expected = "x;y;z\n" + numpy_text(values, ";", "%.6f")
    for split in splits(len(shape)):
        save_csv(make(values, split, ragged=ragged), path, header="x;y;z", sep=";", fmt="%.6f")
        agree(read_on_rank0(path) == expected.encode(), f"bytes of split {split}")
        agree(sorted(os.listdir(shared_dir)) == ["s.csv"], "no temporary files left behind")


def test_save_formats(shared_dir: Path) -> None:
    values = np.array([[1.0, 2.5], [-3.0, 0.1]])
    path = shared_dir / "f.csv"
    x = make(values, 0)
    save_csv(x, path, header=["a", "b"], fmt=["%d", "%.2f"])
    agree(read_on_rank0(path) == b"a\nb\n1,2.50\n-3,0.10\n", "one format per column")
    save_csv(x, path, fmt="%g|%g", sep="|")
    agree(read_on_rank0(path) == b"1|2.5\n-3|0.1\n", "one format for the line")
    save_csv(x, path)
    agree(read_on_rank0(path) == b"1.0,2.5\n-3.0,0.1\n", "shortest exact float64")
    save_csv(make(np.array([True, False, True]), 0), path)
    agree(read_on_rank0(path) == b"1\n0\n1\n", "bools as 0/1")


def test_load_and_save_by_extension(shared_dir: Path) -> None:
    values = data((6, 2), hpa.int32, seed=4)
    for name in ("e.csv", "e.tsv"):
        path = shared_dir / name
        hpa.save(make(values, 1), path, header="p\tq")
        assert_array(hpa.load(path, header_lines=1, dtype=hpa.int32, split=None), values)
    agree(read_on_rank0(shared_dir / "e.tsv").startswith(b"p\tq\n"), "tab separated")


def test_load_errors_on_every_rank(shared_dir: Path) -> None:
    raised_everywhere(FileNotFoundError, lambda: load_csv(shared_dir / "missing.csv"))
    raised_everywhere(IsADirectoryError, lambda: load_csv(shared_dir))
    good = "1,2\n" * 9
    bad = shared_dir / "bad.csv"
    for text in (good + "3,x\n", "1,2,3\n" + good, good + "1\n", good + "\xff,1\n"):
        write_on_rank0(bad, text.encode("latin-1"))
        raised_everywhere(ValueError, lambda: load_csv(bad))
    write_on_rank0(bad, good + "1.5,2\n")
    raised_everywhere(ValueError, lambda: load_csv(bad, dtype=hpa.int64))
    raised_everywhere(ValueError, lambda: load_csv(bad, usecols=[5]))
    raised_everywhere(ValueError, lambda: load_csv(bad, encoding="utf-16"))
    raised_everywhere(ValueError, lambda: load_csv(bad, header_lines=-1))
    raised_everywhere(hpa.core.errors.AxisError, lambda: load_csv(bad, split=2))


def test_failed_save_keeps_target(shared_dir: Path) -> None:
    path = shared_dir / "keep.csv"
    write_on_rank0(path, "old\n")
    values = data((6, 2), seed=5)
    values[-1, -1] = np.nan  # on the last rank: "%d" cannot format it there only
    x = make(values, 0)
    raised_everywhere(ValueError, lambda: save_csv(x, path, fmt="%d"))
    raised_everywhere(TypeError, lambda: save_csv(x, path, fmt="%d,%d,%d"))
    raised_everywhere(ValueError, lambda: save_csv(x, path, fmt=["%d"]))
    raised_everywhere(ValueError, lambda: save_csv(make(data((2, 2, 2)), 0), path))
    raised_everywhere(ValueError, lambda: save_csv(x, path, sep="\n"))
    agree(read_on_rank0(path) == b"old\n", "target unchanged")
    agree(sorted(os.listdir(shared_dir)) == ["keep.csv"], "temporary removed")
