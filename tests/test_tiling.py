"""Splitting, repeating, tiling, padding and copyto against NumPy, for every split, balanced
and ragged, with their communication."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere, splits

import hpa

DTYPES = [hpa.int64, hpa.float32, hpa.bool_, hpa.complex64]
SHAPES = [(7,), (2,), (0,), (4, 6), (1, 5), (0, 3), (3, 4, 5)]


def variants(shape: tuple[int, ...]) -> list[tuple[int | None, bool]]:
    """(split, ragged) pairs worth trying for ``shape``."""
    return [(s, r) for s in splits(len(shape)) for r in (False, True) if s is not None or not r]


def layout_cases(shapes: list[tuple[int, ...]]) -> list[Any]:
    return [
        pytest.param(shape, split, ragged, id=f"{shape}-s{split}{'-ragged' if ragged else ''}")
        for shape in shapes
        for split, ragged in variants(shape)
    ]


# ---------------------------------------------------------------------------------- splitting
@pytest.mark.parametrize("shape,split,ragged", layout_cases(SHAPES))
def test_array_split(shape: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    for axis in range(len(shape)):
        n = shape[axis]
        for how in (1, 3, [1, n - 1], [2, 2, -1], [0, n + 3]):
            with hpa.count_collectives() as stats:
                got = hpa.array_split(x, how, axis=axis)
            assert stats.total == 0
            want = np.array_split(ref, how, axis=axis)
            assert len(got) == len(want)
            for g, w in zip(got, want):
                assert g.split == split
                assert_array(g, w)


@pytest.mark.parametrize("split", [None, 0, 1, 2])
def test_split_family(split: int | None) -> None:
    ref = data((6, 4, 2), hpa.float64)
    x = make(ref, split, ragged=True)
    with hpa.count_collectives() as stats:
        pieces = {
            "split": (hpa.split(x, 3), np.split(ref, 3)),
            "hsplit": (hpa.hsplit(x, [1, 3]), np.hsplit(ref, [1, 3])),
            "vsplit": (hpa.vsplit(x, 2), np.vsplit(ref, 2)),
            "dsplit": (hpa.dsplit(x, 2), np.dsplit(ref, 2)),
        }
    assert stats.total == 0
    for got, want in pieces.values():
        for g, w in zip(got, want, strict=True):
            assert_array(g, w)
    one = data((5,), hpa.int64)
    for g, w in zip(hpa.hsplit(make(one, 0), 5), np.hsplit(one, 5), strict=True):
        assert_array(g, w)


def test_split_errors() -> None:
    x = make(data((5, 4), hpa.int64), 0)
    raised_everywhere(ValueError, lambda: hpa.split(x, 2))
    raised_everywhere(ValueError, lambda: hpa.array_split(x, 0))
    raised_everywhere(ValueError, lambda: hpa.vsplit(make(data((4,), hpa.int64), 0), 2))
    raised_everywhere(ValueError, lambda: hpa.dsplit(x, 2))
    raised_everywhere(ValueError, lambda: hpa.hsplit(hpa.array(3), 1))


# ---------------------------------------------------------------------------------- repeat
@pytest.mark.parametrize("shape,split,ragged", layout_cases(SHAPES))
def test_repeat(shape: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    for axis in range(len(shape)):
        n = shape[axis]
        for reps in (0, 2, list(range(n)), [3]):
            with hpa.count_collectives() as stats:
                y = hpa.repeat(x, reps, axis=axis)
            assert stats.total == 0
            assert y.split == split
            assert_array(y, np.repeat(ref, reps, axis=axis))
    with hpa.count_collectives() as stats:
        y = hpa.repeat(x, 2)
    assert stats.total == 0 if split in (None, 0) else stats.total <= 1  # ravel resplits
    assert_array(y, np.repeat(ref, 2))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_repeat_tile_dtypes(dtype: hpa.DType) -> None:
    ref = data((5, 3), dtype)
    for split in (None, 0, 1):
        x = make(ref, split, dtype=dtype, ragged=True)
        assert_array(hpa.repeat(x, [2, 0, 1, 3, 1], axis=0), np.repeat(ref, [2, 0, 1, 3, 1], 0))
        assert_array(hpa.tile(x, (2, 2)), np.tile(ref, (2, 2)))
    assert_array(hpa.repeat(hpa.array(ref[0, 0]), 3), np.repeat(ref[0, 0], 3))


def test_repeat_errors() -> None:
    x = make(data((4, 3), hpa.int64), 0)
    raised_everywhere(ValueError, lambda: hpa.repeat(x, [1, 2], axis=0))
    raised_everywhere(ValueError, lambda: hpa.repeat(x, -1, axis=1))
    raised_everywhere(TypeError, lambda: hpa.repeat(x, 1.5, axis=0))


# ---------------------------------------------------------------------------------- tile
@pytest.mark.parametrize("shape,split,ragged", layout_cases(SHAPES))
def test_tile(shape: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.float64)
    x = make(ref, split, ragged=ragged)
    for reps in (2, (1,) * len(shape), (2, 1, 1), (3, 1), (1, 0), (2, 1, 2, 1)):
        with hpa.count_collectives() as stats:
            y = hpa.tile(x, reps)
        assert_array(y, np.tile(ref, reps))
        full = (1,) * (len(shape) - np.ndim(reps)) + tuple(np.atleast_1d(reps))
        moved = split is not None and full[split + len(full) - len(shape)] > 1
        assert stats.total == (1 if moved and P > 1 else 0)
    raised_everywhere(ValueError, lambda: hpa.tile(x, -1))


# ---------------------------------------------------------------------------------- pad
PADS = [1, (2, 0), ((0, 3),), ((1, 2), (3, 0)), ((5, 6), (0, 1), (2, 2))]


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect"])
@pytest.mark.parametrize(
    "shape,split,ragged", layout_cases([(7,), (2,), (4, 6), (1, 5), (3, 4, 5)])
)
def test_pad(shape: tuple, split: int | None, ragged: bool, mode: str) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    for width in PADS:
        if np.ndim(width) == 2 and len(width) not in (1, len(shape)):
            continue
        kwargs = {"constant_values": 7} if mode == "constant" else {}
        with hpa.count_collectives() as stats:
            y = hpa.pad(x, width, mode=mode, **kwargs)
        want = np.pad(ref, width, mode=mode, **kwargs)
        assert_array(y, want)
        assert y.split == split
        padded_split = split is not None and y.shape[split] != x.shape[split]
        assert stats.total == (1 if padded_split and mode != "constant" and P > 1 else 0)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_pad_dtypes(dtype: hpa.DType, split: int | None) -> None:
    ref = data((3, 4), dtype)
    x = make(ref, split, dtype=dtype, ragged=True)
    assert_array(
        hpa.pad(x, ((1, 2), (2, 1)), constant_values=((1, 0), (0, 1))),
        np.pad(ref, ((1, 2), (2, 1)), constant_values=((1, 0), (0, 1))),
    )
    for mode in ("edge", "reflect"):
        assert_array(hpa.pad(x, 3, mode=mode), np.pad(ref, 3, mode=mode))


def test_pad_empty_and_errors() -> None:
    ref = np.zeros((0, 3))
    for split in (None, 0, 1):
        x = make(ref, split)
        assert_array(hpa.pad(x, 2), np.pad(ref, 2))
        assert_array(
            hpa.pad(x, ((0, 0), (1, 1)), mode="edge"), np.pad(ref, ((0, 0), (1, 1)), mode="edge")
        )
        raised_everywhere(ValueError, lambda x=x: hpa.pad(x, 1, mode="edge"))
    x = make(data((4, 3), hpa.int64), 0)
    raised_everywhere(NotImplementedError, lambda: hpa.pad(x, 1, mode="wrap"))
    raised_everywhere(ValueError, lambda: hpa.pad(x, 1, mode="nope"))
    raised_everywhere(ValueError, lambda: hpa.pad(x, -1))
    raised_everywhere(TypeError, lambda: hpa.pad(x, 1.5))
    raised_everywhere(ValueError, lambda: hpa.pad(x, ((1, 2), (1, 2), (1, 2))))


# ---------------------------------------------------------------------------------- copyto
@pytest.mark.parametrize("dst_split", [None, 0, 1])
@pytest.mark.parametrize("src_split", [None, 0, 1])
def test_copyto(dst_split: int | None, src_split: int | None) -> None:
    ref = data((5, 4), hpa.float64)
    src = data((5, 4), hpa.float32, seed=1)
    mask = data((5, 4), hpa.bool_, seed=2)
    dst = make(ref, dst_split, ragged=True)
    s = make(src, src_split)
    m = make(mask, dst_split, ragged=True)
    with hpa.count_collectives() as stats:
        hpa.copyto(dst, s, where=m)
    want = np.where(mask, src.astype(np.float64), ref)
    assert_array(dst, want)
    same = src_split is None or (src_split == dst_split and P == 1)
    assert stats.total == (0 if same or P == 1 else 1)
    row = data((4,), hpa.int64, seed=3)
    hpa.copyto(dst, row)
    assert_array(dst, np.broadcast_to(row, (5, 4)).astype(np.float64))
    hpa.copyto(dst, 2.5, where=mask)
    assert_array(dst, np.where(mask, 2.5, np.broadcast_to(row, (5, 4))))
    hpa.copyto(dst, np.ones((5, 1), np.float32), where=False)
    assert_array(dst, np.where(mask, 2.5, np.broadcast_to(row, (5, 4))))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_copyto_dtypes_and_errors(dtype: hpa.DType) -> None:
    ref = data((3, 4), dtype)
    dst = make(np.zeros((3, 4), dtype.numpy), 0, ragged=True)
    hpa.copyto(dst, make(ref, 1))
    assert_array(dst, ref)
    bigger = hpa.complex128 if dtype is not hpa.complex64 else None
    if bigger is not None:
        raised_everywhere(TypeError, lambda: hpa.copyto(dst, make(ref, 0, dtype=bigger)))
    raised_everywhere(ValueError, lambda: hpa.copyto(dst, np.zeros((2, 4), dtype.numpy)))
    raised_everywhere(TypeError, lambda: hpa.copyto(dst, ref, where=np.ones((3, 4), np.int64)))
    raised_everywhere(TypeError, lambda: hpa.copyto(ref, dst))


def test_copyto_scalar_unsafe_casts_like_numpy() -> None:
    for dtype, value in ((np.float32, 0.1), (np.float64, 1 + 2j), (np.int32, 7.9), (np.bool_, 3)):
        want = np.zeros(5, dtype)
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
            np.copyto(want, value, casting="unsafe")
        got = make(np.zeros(5, dtype), 0, ragged=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hpa.copyto(got, value, casting="unsafe")
        assert_array(got, want)
