"""Set operations (isin, in1d, union1d, intersect1d, setdiff1d, setxor1d) and partitions
against NumPy.

Inputs are tried replicated, split, ragged, with empty blocks (fewer elements than processes),
zero-size, with NaN and with values that repeat across ranks. Every check gathers the result on
every rank, so all ranks reach the same verdict.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, case_id, cases, data, make, raised_everywhere

import hpa

SHAPES = [(0,), (1,), (2,), (7,), (3, 5), (5, 1), (2, 3, 4), (0, 3)]
LAYOUTS = [(None, False), (0, False), (0, True)]  # (split, ragged)
SIZES = [0, 1, 2, 13]


def values(n: int, seed: int, nan: bool = True) -> np.ndarray:
    """Integers in [-4, 4] as float64 (many repeats), a NaN or two when long enough."""
    a = data((n,), hpa.int64, seed=seed, low=-4, high=5).astype(np.float64)
    if nan and n > 3:
        a[[1, n - 1]] = np.nan
    return a


def counted(fn: Any, *args: Any, **kwargs: Any) -> dict[str, int]:
    with hpa.count_collectives() as stats:
        fn(*args, **kwargs)
    return dict(stats.counts)


# ---------------------------------------------------------------------------- isin
@pytest.mark.parametrize("test_layout", LAYOUTS, ids=str)
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_isin_every_layout(
    case: tuple[tuple[int, ...], int | None], test_layout: tuple[int | None, bool]
) -> None:
    shape, split = case
    a = data(shape, hpa.int64, seed=len(shape), low=-6, high=7).astype(np.float64)
    if a.size > 2:
        a.flat[0] = np.nan
    x = make(a, split, ragged=True)
    for n in (0, 9):
        b = values(n, seed=n)
        t = make(b, test_layout[0], ragged=test_layout[1])
        for invert in (False, True):
            got = hpa.isin(x, t, invert=invert)
            assert_array(got, np.isin(a, b, invert=invert))
            assert got.layout == x.layout


def test_isin_dtypes_and_arguments() -> None:
    a = np.arange(-3, 9, dtype=np.int32)
    b = np.array([0.5, 2.0, 7.0, -3.0])
    for sa, sb in [(None, 0), (0, 0), (0, None)]:
        assert_array(hpa.isin(make(a, sa), make(b, sb)), np.isin(a, b))
        assert_array(hpa.isin(make(a, sa, dtype=hpa.int8), [2, 3]), np.isin(a, [2, 3]))
    flags = np.array([True, False, True])
    assert_array(hpa.isin(make(flags, 0), make(np.array([False]), 0)), np.isin(flags, [False]))
    two = a.reshape(3, 4)
    assert_array(hpa.in1d(make(two, 1), make(b, 0)), np.isin(two.ravel(), b))
    assert_array(hpa.isin(make(two, 1), 2.0), np.isin(two, 2.0))


def test_isin_collectives() -> None:
    a, b = values(20, seed=1), values(11, seed=2)
    x, t = make(a, 0), make(b, 0)
    assert counted(hpa.isin, x, make(b, None)) == {}
    assert counted(hpa.isin, make(a, None), t) == ({"allreduce": 1} if P > 1 else {})
    both = {"allgather": 4, "alltoallv": 2} if P > 1 else {}
    assert counted(hpa.isin, x, t) == both


# ---------------------------------------------------------------------------- set algebra
@pytest.mark.parametrize("layout_b", LAYOUTS, ids=str)
@pytest.mark.parametrize("layout_a", LAYOUTS, ids=str)
def test_set_operations(
    layout_a: tuple[int | None, bool], layout_b: tuple[int | None, bool]
) -> None:
    for n, m in [(0, 0), (0, 5), (1, 2), (2, 13), (13, 13)]:
        a, b = values(n, seed=n), values(m, seed=m + 100)
        x = make(a, layout_a[0], ragged=layout_a[1])
        y = make(b, layout_b[0], ragged=layout_b[1])
        assert_array(hpa.union1d(x, y), np.union1d(a, b))
        assert_array(hpa.setdiff1d(x, y), np.setdiff1d(a, b))
        assert_array(hpa.setxor1d(x, y), np.setxor1d(a, b))
        assert_array(hpa.intersect1d(x, y), np.intersect1d(a, b))
        got = hpa.intersect1d(x, y, return_indices=True)
        want = np.intersect1d(a, b, return_indices=True)
        for g, w in zip(got, want):
            assert_array(g, w)


def test_set_operations_nd_and_unique_inputs() -> None:
    a = data((4, 5), hpa.int64, seed=3, low=0, high=12)
    b = data((3, 3), hpa.int64, seed=4, low=5, high=20)
    for sa, sb in [(1, 0), (0, 1), (None, 1)]:
        x, y = make(a, sa), make(b, sb)
        assert_array(hpa.union1d(x, y), np.union1d(a, b))
        assert_array(hpa.intersect1d(x, y), np.intersect1d(a, b))
        assert_array(hpa.setdiff1d(x, y), np.setdiff1d(a, b))
        assert_array(hpa.setxor1d(x, y), np.setxor1d(a, b))
    ua, ub = np.array([5, 1, 9, 3]), np.array([3, 4, 5])
    x, y = make(ua, 0, ragged=True), make(ub, 0)
    assert_array(hpa.setdiff1d(x, y, assume_unique=True), np.setdiff1d(ua, ub, True))
    assert_array(hpa.setxor1d(x, y, assume_unique=True), np.setxor1d(ua, ub, True))
    got = hpa.intersect1d(x, y, assume_unique=True, return_indices=True)
    for g, w in zip(got, np.intersect1d(ua, ub, assume_unique=True, return_indices=True)):
        assert_array(g, w)


def test_results_are_split_and_not_gathered() -> None:
    a, b = np.arange(40.0), np.arange(20.0, 60.0)
    x, y = make(a, 0), make(b, 0)
    for fn in (hpa.union1d, hpa.intersect1d, hpa.setdiff1d, hpa.setxor1d):
        out = fn(x, y)
        assert out.split == 0
        stats = counted(fn, x, y)
        assert "allgatherv" not in stats


# ---------------------------------------------------------------------------- partition
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_partition(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = data(shape, hpa.int64, seed=7, low=-3, high=4).astype(np.float64)
    x = make(a, split, ragged=True)
    for axis in [None, *range(len(shape))]:
        n = a.size if axis is None else shape[axis]
        for kth in sorted({0, n // 2, n - 1, -1} & set(range(-1, n))) if n else []:
            got = hpa.partition(x, kth, axis=axis)
            ref = np.partition(a, kth, axis=axis)
            assert_array(got, np.sort(a, axis=axis))
            np.testing.assert_array_equal(
                np.take(got.numpy(), kth, axis=axis or 0), np.take(ref, kth, axis=axis or 0)
            )
            idx = hpa.argpartition(x, [kth], axis=axis)
            assert_array(idx, np.argsort(a, axis=axis, kind="stable"))


# ---------------------------------------------------------------------------- errors
def test_errors() -> None:
    z = make(data((5,), hpa.complex128), 0)
    x = make(values(5, seed=1), 0)
    raised_everywhere(TypeError, lambda: hpa.isin(z, x))
    raised_everywhere(TypeError, lambda: hpa.isin(x, z))
    raised_everywhere(TypeError, lambda: hpa.union1d(x, z))
    raised_everywhere(TypeError, lambda: hpa.partition(z, 1))
    raised_everywhere(ValueError, lambda: hpa.partition(x, 5))
    raised_everywhere(ValueError, lambda: hpa.argpartition(x, [0, -6]))
    raised_everywhere(ValueError, lambda: hpa.partition(make(np.zeros((2, 3)), 1), 2, axis=0))
