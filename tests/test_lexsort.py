"""lexsort against NumPy: every split of the keys, ragged and empty blocks, every axis, one to
four keys of mixed dtypes with many ties and NaN, keys given as rows of an array, wide integer
keys (whose combination is re-coded), the errors, and the collectives of each path.

Every rank runs the same calls in the same order, and every check compares gathered data, so
all ranks reach the same verdict.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import P, assert_array, case_id, cases, make, raised_everywhere

import hpa

SHAPES = [(0,), (1,), (2,), (9,), (4, 5), (5, 1), (2, 3, 4), (0, 3)]


def keys(shape: tuple[int, ...], seed: int = 0) -> list[np.ndarray]:
    """Few distinct values each (many ties): int64, bool, float64 with NaN, uint8, float32."""
    rng = np.random.default_rng(seed)
    floats = np.round(rng.standard_normal(shape))
    floats[rng.random(shape) < 0.2] = np.nan
    return [
        rng.integers(-1, 2, shape),
        rng.integers(0, 2, shape).astype(bool),
        floats,
        rng.integers(0, 3, shape).astype(np.uint8),
        np.round(rng.standard_normal(shape), 1).astype(np.float32),
    ]


CHOICES = [[0], [2], [0, 1], [2, 0, 1, 3], [4, 2], [1, 1, 3]]


@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_lexsort_matches_numpy(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    ks = keys(shape)
    for ragged in (False, True) if split is not None else (False,):
        for axis in [-1, *range(len(shape))]:
            for chosen in CHOICES:
                picked = [ks[i] for i in chosen]
                got = hpa.lexsort([make(k, split, ragged=ragged) for k in picked], axis=axis)
                assert_array(got, np.lexsort(picked, axis=axis))
                assert got.split == split


def test_keys_in_other_forms_and_layouts() -> None:
    ks = keys((11,), seed=1)
    stack = np.stack([ks[0], ks[3], ks[1]])
    want = np.lexsort(stack)
    for split in (None, 0, 1):
        assert_array(hpa.lexsort(make(stack, split)), want)
    assert_array(hpa.lexsort(stack), want)
    assert_array(hpa.lexsort(tuple(list(k) for k in stack)), want)
    mixed = [make(stack[0], 0, ragged=True), stack[1], make(stack[2], None)]
    assert_array(hpa.lexsort(mixed), want)
    assert_array(hpa.lexsort(np.array([3, 1, 2])), np.asarray(np.lexsort(np.array([3, 1, 2]))))


def test_wide_integer_keys_are_recoded() -> None:
    rng = np.random.default_rng(2)
    a = rng.integers(-(2**62), 2**62, 40)
    b = rng.integers(-(2**62), 2**62, 40)
    a[:6], b[10:20] = a[0], b[10]  # ties in both keys
    for split in (None, 0):
        ka, kb = make(a, split, ragged=True), make(b, split)
        assert_array(hpa.lexsort([ka, kb]), np.lexsort([a, b]))
        assert_array(hpa.lexsort([kb, ka, kb]), np.lexsort([b, a, b]))


def test_errors_everywhere() -> None:
    x = make(np.arange(6), 0)
    raised_everywhere(TypeError, lambda: hpa.lexsort([]))
    raised_everywhere(ValueError, lambda: hpa.lexsort([x, make(np.arange(5), 0)]))
    raised_everywhere(TypeError, lambda: hpa.lexsort([make(np.ones(6) * 1j, 0)]))
    raised_everywhere(IndexError, lambda: hpa.lexsort([x], axis=1))


def plus(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    return {k: a.get(k, 0) + b.get(k, 0) for k in {*a, *b}}


def test_communication() -> None:
    n = 4 * P + 3
    ints, floats = make(np.arange(n) % 3, 0), make(np.arange(n) % 4 * 0.5, 0)
    with hpa.count_collectives() as stats:
        hpa.lexsort([make(np.arange(n) % 3, None), make(np.arange(n) % 2, None)])
        hpa.lexsort([make(np.ones((n, 3)), 0), make(np.zeros((n, 3)), 0)], axis=1)
    assert stats.total == 0
    with hpa.count_collectives() as stats:
        hpa.lexsort([ints])
    one_sort = dict(stats.counts)
    with hpa.count_collectives() as stats:
        hpa.lexsort([ints, ints % 2])  # integer keys: one allreduce each, then one sort
    assert dict(stats.counts) == ({} if P == 1 else plus(one_sort, {"allreduce": 2}))
    with hpa.count_collectives() as stats:
        hpa.lexsort([make(np.ones((n, 3)), 0), make(np.zeros((n, 3)), 0)], axis=0)
    assert dict(stats.counts) == ({} if P == 1 else {"alltoallv": 3})
    with hpa.count_collectives() as stats:
        hpa.unique(floats, return_inverse=True)
    ranked = dict(stats.counts)
    with hpa.count_collectives() as stats:
        hpa.lexsort([floats, ints])  # the floats ranked by unique, the integers by their range
    want = plus(plus(one_sort, ranked), {"allreduce": 1})
    assert dict(stats.counts) == ({} if P == 1 else want)
