"""Diagonals and triangles against NumPy, for every split, balanced and ragged, with their
communication (none, except trace's sum over a split diagonal)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import assert_array, data, make, raised_everywhere, splits

import hpa

DTYPES = [hpa.int64, hpa.float32, hpa.bool_, hpa.complex64]
MATRICES = [(4, 6), (6, 3), (1, 5), (2, 2), (0, 3), (3, 0), (2, 3, 4), (3, 4, 2)]
OFFSETS = [-4, -1, 0, 1, 2, 7]


def layout_cases(shapes: list[tuple[int, ...]]) -> list[Any]:
    return [
        pytest.param(shape, split, ragged, id=f"{shape}-s{split}{'-ragged' if ragged else ''}")
        for shape in shapes
        for split in splits(len(shape))
        for ragged in (False, True)
        if split is not None or not ragged
    ]


@pytest.mark.parametrize("shape,split,ragged", layout_cases(MATRICES))
def test_diagonal(shape: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    pairs = [(0, 1), (1, 0)] if len(shape) == 2 else [(0, 1), (1, 2), (2, 0), (-1, -2)]
    for axis1, axis2 in pairs:
        for offset in OFFSETS:
            with hpa.count_collectives() as stats:
                y = hpa.diagonal(x, offset, axis1, axis2)
            assert stats.total == 0
            assert_array(y, np.diagonal(ref, offset, axis1, axis2))
            axes = (axis1 % len(shape), axis2 % len(shape))
            rest = [d for d in range(len(shape)) if d not in axes]
            want = y.ndim - 1 if split in axes else split if split is None else rest.index(split)
            assert y.split == want


@pytest.mark.parametrize("shape,split,ragged", layout_cases(MATRICES))
def test_tril_triu(shape: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.float64)
    x = make(ref, split, ragged=ragged)
    for k in OFFSETS:
        with hpa.count_collectives() as stats:
            lower, upper = hpa.tril(x, k), hpa.triu(x, k)
        assert stats.total == 0
        assert lower.layout == x.layout and upper.layout == x.layout
        assert_array(lower, np.tril(ref, k))
        assert_array(upper, np.triu(ref, k))


@pytest.mark.parametrize("n", [0, 1, 2, 7])
@pytest.mark.parametrize("split,ragged", [(None, False), (0, False), (0, True)])
def test_diag(n: int, split: int | None, ragged: bool) -> None:
    ref = data((n,), hpa.int64)
    v = make(ref, split, ragged=ragged)
    for k in (-3, -1, 0, 2):
        with hpa.count_collectives() as stats:
            m = hpa.diag(v, k)
            back = hpa.diag(m, k)
        assert stats.total == 0
        assert m.split == split
        assert_array(m, np.diag(ref, k))
        assert_array(back, ref)
        # 1-d tril/triu broadcast to a square first, as in NumPy
        assert_array(hpa.tril(v, k), np.tril(ref, k))
        assert_array(hpa.triu(v, k), np.triu(ref, k))


@pytest.mark.parametrize("shape,split,ragged", layout_cases([(4, 6), (6, 3), (0, 3), (2, 3, 4)]))
def test_trace(shape: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    for offset in (-1, 0, 2):
        with hpa.count_collectives() as stats:
            y = hpa.trace(x, offset)
        assert_array(y, np.trace(ref, offset))
        assert stats.total == (1 if split in (0, 1) else 0)
    assert_array(hpa.trace(x, 1, dtype=hpa.float32), np.trace(ref, 1, dtype=np.float32))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_dtypes(dtype: hpa.DType, split: int | None) -> None:
    ref = data((5, 4), dtype)
    x = make(ref, split, dtype=dtype, ragged=True)
    assert_array(hpa.diagonal(x, 1), np.diagonal(ref, 1))
    assert_array(hpa.diag(x, -1), np.diag(ref, -1))
    assert_array(hpa.tril(x, -1), np.tril(ref, -1))
    assert_array(hpa.triu(x, 1), np.triu(ref, 1))
    v = make(ref[:, 0].copy(), None if split is None else 0, dtype=dtype, ragged=True)
    assert_array(hpa.diag(v, 1), np.diag(ref[:, 0], 1))


def test_errors() -> None:
    v = make(data((4,), hpa.int64), 0)
    x3 = make(data((2, 3, 4), hpa.int64), 1)
    raised_everywhere(ValueError, lambda: hpa.diagonal(v))
    raised_everywhere(ValueError, lambda: hpa.diagonal(x3, 0, 1, 1))
    raised_everywhere(ValueError, lambda: hpa.diag(x3))
    raised_everywhere(ValueError, lambda: hpa.tril(hpa.array(3)))
