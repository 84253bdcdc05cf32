"""Sorting, topk, searchsorted and unique against NumPy.

sort and argsort are checked along every axis for every split, balanced and ragged blocks,
empty blocks and zero-size shapes, ascending and descending, against NumPy's stable sort
(argsort must equal ``np.argsort(kind="stable")`` exactly, ties included); then for each dtype,
NaN on different ranks, many ties, the number of collectives, and a hypothesis property. The
sample sort's code paths (sampled splitters, the cut by comparisons or by ``searchsorted``,
with or without the int64 tie key) are forced through its tuning attributes and checked on
inputs that stress them (duplicates, all equal, sorted, reversed, NaN, signed zeros, an empty
rank), and the buckets' balance is checked on blocks larger than the sample.

Every rank runs the same calls in the same order, and every check compares gathered data, so
all ranks reach the same verdict.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, case_id, cases, data, make, raised_everywhere
from hypothesis import given
from hypothesis import strategies as st

import hpa
from hpa.ops import sorting

SHAPES = [(0,), (1,), (2,), (7,), (3, 5), (5, 1), (2, 3, 4), (0, 3)]
SORTABLE = [
    hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64,
    hpa.float16, hpa.bfloat16, hpa.float32, hpa.float64,
]  # fmt: skip


def ties(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Integers in [-2, 2] as float64: many ties across ranks."""
    return data(shape, hpa.int64, seed=seed, low=-2, high=3).astype(np.float64)


def ref_argsort(a: np.ndarray, axis: int | None, descending: bool) -> np.ndarray:
    """NumPy's stable argsort; descending: reversed values, NaN first, ties in input order."""
    if axis is None:
        a, axis = a.ravel(), 0
    key = a
    if descending:
        if a.dtype.kind == "b":
            key = ~a
        elif a.dtype.kind == "f":
            wide = a.astype(np.float64)
            key = np.where(np.isnan(wide), -np.inf, -wide)
        else:
            key = -a.astype(np.int64)
    return np.argsort(key, axis=axis, kind="stable")


def ref_sort(a: np.ndarray, axis: int | None, descending: bool) -> np.ndarray:
    idx = ref_argsort(a, axis, descending)
    return np.take_along_axis(a.ravel() if axis is None else a, idx, 0 if axis is None else axis)


def check_sort(x: hpa.Array, a: np.ndarray, axis: int | None, descending: bool) -> None:
    got = hpa.sort(x, axis=axis, descending=descending)
    assert_array(got, ref_sort(a, axis, descending), dtype=x.dtype)
    idx = hpa.argsort(x, axis=axis, descending=descending)
    assert_array(idx, ref_argsort(a, axis, descending), dtype=hpa.int64)
    if axis is not None:
        assert got.split == x.split and idx.split == x.split


def axes_of(ndim: int) -> list[int | None]:
    return [None, *range(ndim), -1]


# ---------------------------------------------------------------------------- sort, argsort
@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_sort_every_layout(case: tuple[tuple[int, ...], int | None], ragged: bool) -> None:
    shape, split = case
    a = ties(shape, seed=len(shape))
    x = make(a, split, ragged=ragged)
    for axis in axes_of(len(shape)):
        for descending in (False, True):
            check_sort(x, a, axis, descending)


@pytest.mark.parametrize("dtype", SORTABLE, ids=str)
def test_sort_dtypes(dtype: hpa.DType) -> None:
    for shape, split in [((11,), 0), ((4, 5), 0), ((4, 5), 1)]:
        a = data(shape, dtype, seed=3)
        x = make(a, split, dtype=dtype)
        for axis in (0, -1):
            for descending in (False, True):
                check_sort(x, a, axis, descending)


@pytest.mark.parametrize("ragged", [False, True])
def test_nan_on_different_ranks(ragged: bool) -> None:
    a = ties((13,), seed=5)
    a[[0, 4, 7, 12]] = np.nan
    b = ties((6, 4), seed=6)
    b[[0, 3, 5], [1, 1, 2]] = np.nan
    for descending in (False, True):
        check_sort(make(a, 0, ragged=ragged), a, 0, descending)
        for axis in (0, 1):
            check_sort(make(b, 0, ragged=ragged), b, axis, descending)


def test_all_equal_is_stable_and_spread() -> None:
    a = np.zeros(60)
    x = make(a, 0)
    assert_array(hpa.argsort(x), np.arange(60))
    assert_array(hpa.argsort(x, descending=True), np.arange(60))
    assert max(hpa.sort(x).counts) <= 2 * 60 // P + P  # ties are split by index


def sample_sort_inputs() -> dict[str, np.ndarray]:
    """Inputs that stress the choice of splitters and the cut of the unsorted blocks."""
    rng = np.random.default_rng(11)
    nan = rng.integers(0, 4, 301).astype(np.float32)
    nan[rng.random(301) < 0.3] = np.nan
    zeros = np.zeros(301)
    zeros[::3] = -0.0
    return {
        "random": rng.integers(-(2**62), 2**62, 301),
        "duplicates": rng.integers(0, 3, 301).astype(np.float64),
        "all-equal": np.full(301, 7, dtype=np.int8),
        "sorted": np.arange(301),
        "reverse-sorted": np.arange(301)[::-1].copy(),
        "nan": nan,
        "signed-zeros": zeros,
        "bool": rng.integers(0, 2, 301).astype(bool),
        "float16": rng.integers(-3, 3, 301).astype(np.float16),
        "uint8": rng.integers(0, 256, 301).astype(np.uint8),
    }


# every code path of the sample sort: a sample smaller than the blocks, the cut by searchsorted
# (as with more than 16 ranks), and by comparisons when the int64 tie key would overflow
SAMPLE_SORT_PATHS = {
    "whole-blocks": {},
    "sampled": {"_SAMPLES_PER_BUCKET": 3},
    "searchsorted": {"_SAMPLES_PER_BUCKET": 3, "_FEW_BUCKETS": 0},
    "no-tie-key": {"_SAMPLES_PER_BUCKET": 3, "_FEW_BUCKETS": 0, "_KEY_LIMIT": 1},
}


@pytest.mark.parametrize("path", list(SAMPLE_SORT_PATHS))
@pytest.mark.parametrize("name", list(sample_sort_inputs()))
def test_sample_sort_inputs(name: str, path: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for attr, value in SAMPLE_SORT_PATHS[path].items():
        monkeypatch.setattr(sorting, attr, value)
    a = sample_sort_inputs()[name]
    for ragged in (False, True):  # ragged: rank 0 holds nothing
        x = make(a, 0, ragged=ragged)
        for descending in (False, True):
            check_sort(x, a, 0, descending)
            got = hpa.sort(x, descending=descending).numpy()
            want = ref_sort(a, None, descending)
            if a.dtype.kind == "f":  # -0.0 and 0.0 keep their input order too
                assert np.array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("name", ["random", "duplicates", "all-equal", "sorted"])
def test_sample_sort_balance(name: str) -> None:
    """With a sample smaller than the blocks, every bucket stays within 10% of its share."""
    n = 5000 * P
    rng = np.random.default_rng(3)
    a = {
        "random": rng.integers(-(2**40), 2**40, n),
        "duplicates": rng.integers(0, 3, n),
        "all-equal": np.zeros(n, dtype=np.int64),
        "sorted": np.arange(n),
    }[name]
    for ragged in (False, True):
        x = make(a, 0, ragged=ragged)
        for descending in (False, True):
            got = hpa.sort(x, descending=descending)
            assert_array(got, ref_sort(a, None, descending))
            assert max(got.counts) <= 1.1 * n / P


def test_same_result_at_every_layout() -> None:
    a = ties((40,), seed=9)
    a[[3, 30]] = np.nan
    ref = hpa.argsort(make(a, None)).numpy()
    for split, ragged in [(0, False), (0, True)]:
        assert_array(hpa.argsort(make(a, split, ragged=ragged)), ref)


def test_methods() -> None:
    a = ties((9,), seed=2)
    x = make(a, 0)
    assert_array(x.argsort(), np.argsort(a, kind="stable"))
    x.sort()
    assert_array(x, np.sort(a))
    y = make(ties((3, 4), seed=1), 1)
    y.sort(axis=0)
    assert_array(y, np.sort(ties((3, 4), seed=1), axis=0))


def counted(fn: Any, *args: Any, **kwargs: Any) -> dict[str, int]:
    with hpa.count_collectives() as stats:
        fn(*args, **kwargs)
    return dict(stats.counts)


def test_collectives() -> None:
    one = make(ties((20,), seed=1), 0)
    two = make(ties((6, 5), seed=1), 0)
    for fn in (hpa.sort, hpa.argsort):
        assert counted(fn, two, axis=1) == {}
        assert counted(fn, make(ties((20,)), None)) == {}
        sample = {"allgather": 2, "alltoallv": 1} if P > 1 else {}
        assert counted(fn, one) == sample
        assert counted(fn, two, axis=0) == ({"alltoallv": 2} if P > 1 else {})
    assert counted(hpa.topk, two, 2, axis=0) == ({"allgatherv": 1} if P > 1 else {})
    assert counted(hpa.topk, two, 2, axis=1) == {}
    s = hpa.sort(one)
    assert counted(hpa.searchsorted, s, make(ties((4,)), None)) == (
        {"allreduce": 1} if P > 1 else {}
    )
    both = {"allgatherv": 1, "reduce_scatter": 1} if P > 1 else {}
    assert counted(hpa.searchsorted, s, two) == both


@given(
    st.lists(st.sampled_from([-1.0, 0.0, 0.5, 2.0, np.nan]), max_size=25),
    st.sampled_from([None, 0]),
    st.booleans(),
    st.booleans(),
)
def test_sort_property(values: list[float], split: int | None, ragged: bool, desc: bool) -> None:
    a = np.array(values, dtype=np.float64)
    check_sort(make(a, split, ragged=ragged), a, 0, desc)


# ---------------------------------------------------------------------------- topk
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_topk(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = ties(shape, seed=4)
    x = make(a, split, ragged=True)
    for axis in range(len(shape)):
        for k in sorted({0, 1, shape[axis]} & set(range(shape[axis] + 1))):
            for largest in (True, False):
                values, index = hpa.topk(x, k, axis=axis, largest=largest)
                ref = np.take(ref_argsort(a, axis, largest), range(k), axis=axis)
                assert_array(index, ref, dtype=hpa.int64)
                assert_array(values, np.take_along_axis(a, ref, axis))
                assert values.split == x.split


@pytest.mark.parametrize("values", ["distinct", "ties", "nan"])
@pytest.mark.parametrize("split", [None, 0, 1])
def test_topk_few_of_many(values: str, split: int | None) -> None:
    # k much smaller than the axis takes the candidate path: the stable order must hold
    rng = np.random.default_rng(9)
    a = rng.random((7, 120)) if values == "distinct" else rng.integers(0, 4, (7, 120)) * 1.0
    if values == "nan":
        a[rng.random(a.shape) < 0.6] = np.nan
        a[0] = np.nan
    x = make(a, split, ragged=True)
    for axis, k in ((1, 3), (1, 10), (0, 1)):
        if axis == 0:
            x, a = make(a.T.copy(), split, ragged=True), a.T.copy()
        for largest in (True, False):
            values_, index = hpa.topk(x, k, axis=axis, largest=largest)
            ref = np.take(ref_argsort(a, axis, largest), range(k), axis=axis)
            assert_array(index, ref, dtype=hpa.int64)
            assert_array(values_, np.take_along_axis(a, ref, axis))


# ---------------------------------------------------------------------------- searchsorted
@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted(side: str, ragged: bool) -> None:
    base = np.sort(ties((17,), seed=7))
    base[-2:] = np.nan
    v = np.array([[-3.0, -2.0, 0.0, 0.5], [1.0, 2.0, 9.0, np.nan], [0.0, 0.0, np.nan, -1.0]])
    for a_split in (None, 0):
        a = make(base, a_split, ragged=ragged)
        for v_split in (None, 0, 1):
            got = hpa.searchsorted(a, make(v, v_split, ragged=ragged), side=side)
            assert_array(got, np.searchsorted(base, v, side=side), dtype=hpa.int64)
            assert got.split == v_split
        assert_array(hpa.searchsorted(a, 0.0, side=side), np.searchsorted(base, 0.0, side=side))
    ints = np.arange(0, 20, 2)
    want = np.searchsorted(ints, [3, 4, -1, 30], side=side)
    assert_array(hpa.searchsorted(make(ints, 0), [3, 4, -1, 30], side=side), want)


@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("n", [0, 1, 2, 11])
def test_searchsorted_sorter(n: int, ragged: bool) -> None:
    """Every split of ``a``, of the sorter (NumPy or hpa) and of ``v``: NumPy's indices, in
    ``v``'s layout; ``a`` has ties, NaN, fewer elements than processes, or none."""
    base = ties((n,), seed=3)
    if n > 2:
        base[[1, n - 2]] = np.nan
    order = np.argsort(base, kind="stable")
    v = np.array([[-3.0, -2.0, 0.0, 0.5], [1.0, 2.0, 9.0, np.nan], [0.0, 0.0, np.nan, -1.0]])
    for side in ("left", "right"):
        want = np.searchsorted(base, v, side=side, sorter=order)
        for a_split in (None, 0):
            a = make(base, a_split, ragged=ragged)
            for s_split in ("numpy", None, 0):
                sorter = order if s_split == "numpy" else make(order, s_split, ragged=ragged)
                for v_split in (None, 0, 1):
                    got = hpa.searchsorted(a, make(v, v_split, ragged=ragged), side, sorter)
                    assert_array(got, want, dtype=hpa.int64)
                    assert got.split == v_split
                scalar = hpa.searchsorted(a, 0.0, side=side, sorter=sorter)
                assert_array(scalar, np.searchsorted(base, 0.0, side=side, sorter=order))


def test_searchsorted_sorter_checks() -> None:
    a = np.array([3.0, 1.0, 2.0, 5.0, 4.0])
    for a_split in (None, 0):
        x = make(a, a_split)
        with hpa.count_collectives() as stats:
            hpa.searchsorted(x, [2.5, 0.0], sorter=np.argsort(a))
        fetched = {"alltoallv": 1, "allreduce": 1} if P > 1 and a_split == 0 else {}
        assert dict(stats.counts) == fetched
        for bad in ([0, 1, 2], [0, 1, 2, 3, 5], make(np.array([4, 3, 2, 1, 9]), 0)):
            raised_everywhere(ValueError, lambda x=x, b=bad: hpa.searchsorted(x, 1.0, sorter=b))


# ---------------------------------------------------------------------------- unique
@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_unique(case: tuple[tuple[int, ...], int | None], ragged: bool) -> None:
    shape, split = case
    a = ties(shape, seed=8)
    if a.size > 3:
        a.flat[[0, a.size - 1]] = np.nan
    x = make(a, split, ragged=ragged)
    assert_array(hpa.unique(x), np.unique(a))
    got = hpa.unique(x, return_index=True, return_inverse=True, return_counts=True)
    want = np.unique(a, return_index=True, return_inverse=True, return_counts=True)
    for g, w in zip(got, want):
        assert_array(g, w, dtype=hpa.int64 if w.dtype.kind == "i" else None)


def test_unique_dtypes() -> None:
    for dtype in (hpa.bool_, hpa.int8, hpa.float16):
        a = data((13,), dtype, seed=1)
        got = hpa.unique(make(a, 0, dtype=dtype), return_counts=True)
        want = np.unique(a, return_counts=True)
        assert_array(got[0], want[0], dtype=dtype)
        assert_array(got[1], want[1])


def test_unique_complex_replicated() -> None:
    """Complex values: NumPy's order (real, then imaginary part), all four results."""
    a = np.array([1 + 2j, 1 + 1j, 0j, 1 + 2j, -1j, 0j, 2 - 1j], dtype=np.complex64)
    got = hpa.unique(make(a, None), return_index=True, return_inverse=True, return_counts=True)
    want = np.unique(a, return_index=True, return_inverse=True, return_counts=True)
    assert_array(got[0], want[0], dtype=hpa.complex64)
    for g, w in zip(got[1:], want[1:]):
        assert_array(g, w, dtype=hpa.int64)
    assert hpa.unique_values(make(np.zeros(0, np.complex128), None)).shape == (0,)


# ---------------------------------------------------------------------------- errors
def test_errors() -> None:
    z = make(data((5,), hpa.complex128), 0)
    x = make(ties((5, 2)), 0)
    raised_everywhere(TypeError, lambda: hpa.sort(z))
    raised_everywhere(TypeError, lambda: hpa.argsort(z))
    raised_everywhere(TypeError, lambda: hpa.topk(z, 1))
    raised_everywhere(ValueError, lambda: hpa.sort(x, kind="bogo"))
    raised_everywhere(ValueError, lambda: hpa.sort(x, axis=2))
    raised_everywhere(ValueError, lambda: hpa.topk(x, 6, axis=0))
    raised_everywhere(ValueError, lambda: hpa.searchsorted(x, 1.0))
    raised_everywhere(ValueError, lambda: hpa.searchsorted(x[:, 0], 1.0, side="middle"))
    raised_everywhere(NotImplementedError, lambda: hpa.unique(x, axis=0))
    raised_everywhere(TypeError, lambda: hpa.unique(z))
