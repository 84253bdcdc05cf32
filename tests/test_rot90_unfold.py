"""rot90, unfold and sliding_window_view against NumPy (and torch.Tensor.unfold): every split,
ragged and empty blocks, every axis, window sizes from 0 (sliding_window_view) or 1 to the
whole axis, steps, repeated axes; the layouts of the results, the errors, and the halo
exchange along the split axis.

Every rank runs the same calls in the same order, and every check compares gathered data, so
all ranks reach the same verdict.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import P, assert_array, case_id, cases, data, make, raised_everywhere
from numpy.lib.stride_tricks import sliding_window_view as np_windows

import hpa

SHAPES = [(1,), (2,), (7,), (3, 5), (5, 1), (2, 3, 4), (0, 3)]


def layouts(split: int | None) -> tuple[bool, ...]:
    return (False, True) if split is not None else (False,)


# ---------------------------------------------------------------------------- rot90
@pytest.mark.parametrize("case", list(cases([(3, 4), (1, 5), (2, 3, 4), (0, 3), (4, 2)])), ids=case_id)
def test_rot90_matches_numpy(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = data(shape, hpa.int64, seed=1)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axes in [(0, 1), (1, 0), (-1, 0), (0, -1)]:
            for k in (-5, -1, 0, 1, 2, 3, 4, 7):
                got = hpa.rot90(x, k, axes)
                assert_array(got, np.rot90(a, k, axes))
                if split is not None and k % 2:  # the split follows its data
                    first, second = (ax % len(shape) for ax in axes)
                    moved = {first: second, second: first}.get(split, split)
                    assert got.split == moved
        assert_array(x, a)  # the input is unchanged


def test_rot90_errors_and_communication() -> None:
    x = make(data((4, 5)), 0)
    raised_everywhere(ValueError, lambda: hpa.rot90(x, 1, (0,)))
    raised_everywhere(ValueError, lambda: hpa.rot90(x, 1, (1, 1)))
    raised_everywhere(ValueError, lambda: hpa.rot90(x, 1, (0, -2)))
    raised_everywhere(ValueError, lambda: hpa.rot90(x, 1, (0, 2)))
    raised_everywhere(ValueError, lambda: hpa.rot90(make(data((4,)), 0)))
    big = make(data((3 * P + 1, 4)), 0)
    with hpa.count_collectives() as stats:
        hpa.rot90(big, 1)  # flip axis 1, then swap the axes: local
        hpa.rot90(big, 3, (1, 0))  # swap the axes, then flip the new axis 0: local
    assert stats.total == 0
    for k in (2, 3):  # both axes flipped; the data of the split axis flipped after the swap
        with hpa.count_collectives() as stats:
            hpa.rot90(big, k)
        assert dict(stats.counts) == ({} if P == 1 else {"alltoallv": 1})


# ---------------------------------------------------------------------------- unfold
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_unfold_matches_torch(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = data(shape, seed=2)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axis in range(len(shape)):
            for size in range(1, shape[axis] + 1):
                for step in (1, 2, 3):
                    got = hpa.unfold(x, axis, size, step)
                    assert_array(got, torch.from_numpy(a).unfold(axis, size, step).numpy())
                    assert got.split == split
                    if split is not None and split != axis:
                        assert got.counts == x.counts  # other axes keep their extents
        assert_array(x, a)


def test_unfold_dtypes_and_errors() -> None:
    for dtype in (hpa.bool_, hpa.int8, hpa.float32, hpa.complex64, hpa.bfloat16):
        a = data((11, 2), dtype, seed=3)
        x = make(a, 0, dtype=dtype, ragged=True)
        got = hpa.unfold(x, 0, 4, 2)
        assert got.dtype == dtype
        assert_array(got.astype(hpa.float32) if dtype is hpa.bfloat16 else got,
                     torch.from_numpy(a).unfold(0, 4, 2).numpy())  # fmt: skip
    x = make(data((5, 3)), 0)
    raised_everywhere(ValueError, lambda: hpa.unfold(x, 0, 6))
    raised_everywhere(ValueError, lambda: hpa.unfold(x, 0, 0))
    raised_everywhere(ValueError, lambda: hpa.unfold(x, 0, 2, 0))
    raised_everywhere(IndexError, lambda: hpa.unfold(x, 2, 2))
    raised_everywhere(TypeError, lambda: hpa.unfold(x, 0, 2.0))


def test_unfold_communication() -> None:
    n = 4 * P + 5
    x = make(data((n, 3)), 0, ragged=True)
    with hpa.count_collectives() as stats:
        hpa.unfold(x, 0, 4, 3)
    assert dict(stats.counts) == ({} if P == 1 else {"alltoallv": 1})
    with hpa.count_collectives() as stats:
        hpa.unfold(x, 1, 2)
        hpa.unfold(make(data((n,)), None), 0, 3)
    assert stats.total == 0


# ---------------------------------------------------------------------------- sliding_window_view
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_sliding_window_view_matches_numpy(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = data(shape, hpa.int32, seed=4)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axis in range(len(shape)):
            for size in range(0, shape[axis] + 1):
                assert_array(hpa.sliding_window_view(x, size, axis=axis), np_windows(a, size, axis=axis))
        every = tuple(min(2, n) for n in shape)
        assert_array(hpa.sliding_window_view(x, every), np_windows(a, every))
        if shape[0] >= 2:
            twice = hpa.sliding_window_view(x, (2, 1), axis=(0, 0))
            assert_array(twice, np_windows(a, (2, 1), axis=(0, 0)))
            assert twice.split == split
        if len(shape) > 1 and shape[1] >= 2 and shape[0] >= 1:
            back = hpa.sliding_window_view(x, (2, 1), axis=(1, -len(shape)))
            assert_array(back, np_windows(a, (2, 1), axis=(1, -len(shape))))


def test_sliding_window_view_errors() -> None:
    x = make(data((4, 3)), 0)
    raised_everywhere(ValueError, lambda: hpa.sliding_window_view(x, 2))
    raised_everywhere(ValueError, lambda: hpa.sliding_window_view(x, (2, 2), axis=0))
    raised_everywhere(ValueError, lambda: hpa.sliding_window_view(x, 5, axis=0))
    raised_everywhere(ValueError, lambda: hpa.sliding_window_view(x, (3, 3), axis=(0, 0)))
    raised_everywhere(ValueError, lambda: hpa.sliding_window_view(x, -1, axis=0))
    raised_everywhere(IndexError, lambda: hpa.sliding_window_view(x, 1, axis=3))
