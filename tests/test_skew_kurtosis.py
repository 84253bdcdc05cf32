"""skew and kurtosis (HeAT's names and defaults) against scipy.stats.skew/kurtosis with
``bias=not unbiased`` and ``fisher=Fischer``.

Every split with balanced, ragged and empty blocks, every axis (and tuples of axes), both
estimators, dtypes, constant and tiny slices, data far from zero (the pairwise merge of the
ranks' moments must stay accurate) and the collectives: one allgather over the split axis,
none otherwise. Every check gathers on every rank.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import scipy.stats
from helpers import P, SHAPES, assert_array, case_id, cases, data, make, raised_everywhere

import hpa
from hpa.core.dispatch import OPS

SHAPES_ = [*SHAPES, (3, 0), (9, 4)]
DTYPES = [
    hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64, hpa.float16, hpa.bfloat16,
    hpa.float32, hpa.float64,
]  # fmt: skip
LAYOUTS = [
    (shape, split, ragged)
    for shape, split in cases(SHAPES_)
    for ragged in (False, True)
    if split is not None or not ragged
]


def layout_id(case: tuple[tuple[int, ...], int | None, bool]) -> str:
    return case_id(case[:2]) + ("-ragged" if case[2] else "")


def axes(ndim: int) -> list[Any]:
    out: list[Any] = [None, *range(ndim)]
    if ndim >= 2:
        out += [-1, (0, ndim - 1)]
    return out


def skewed(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return data(shape, seed=seed) ** 3 + 0.5 * data(shape, seed=seed + 1)


def scipy_skew(a: np.ndarray, axis: Any, unbiased: bool) -> np.ndarray:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return np.asarray(scipy.stats.skew(a, axis=axis, bias=not unbiased))


def scipy_kurtosis(a: np.ndarray, axis: Any, unbiased: bool, fischer: bool) -> np.ndarray:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        return np.asarray(scipy.stats.kurtosis(a, axis=axis, bias=not unbiased, fisher=fischer))


def collectives(x: hpa.Array, axis: Any) -> dict[str, int]:
    reduced = range(x.ndim) if axis is None else np.atleast_1d(np.asarray(axis)) % x.ndim
    across = x.split is not None and x.split in set(int(a) for a in reduced)
    return {"allgather": 1} if across and P > 1 else {}


@pytest.mark.parametrize("case", LAYOUTS, ids=layout_id)
def test_every_layout_and_axis(case: tuple[tuple[int, ...], int | None, bool]) -> None:
    shape, split, ragged = case
    a = skewed(shape)
    x = make(a, split, ragged=ragged)
    for axis in axes(len(shape)):
        for unbiased in (True, False):
            with hpa.count_collectives() as c:
                got = hpa.skew(x, axis=axis, unbiased=unbiased)
            assert dict(c.counts) == collectives(x, axis), (axis, c)
            assert_array(got, scipy_skew(a, axis, unbiased), rtol=1e-10, atol=1e-12)
            for fischer in (True, False):
                with hpa.count_collectives() as c:
                    got = hpa.kurtosis(x, axis=axis, unbiased=unbiased, Fischer=fischer)
                assert dict(c.counts) == collectives(x, axis), (axis, c)
                want = scipy_kurtosis(a, axis, unbiased, fischer)
                assert_array(got, want, rtol=1e-10, atol=1e-12)


def test_result_layouts() -> None:
    a = skewed((6, 5, 4))
    x = make(a, 1, ragged=True)
    assert hpa.skew(x).shape == () and hpa.skew(x).split is None
    along = hpa.kurtosis(x, axis=0)
    assert along.split == 0 and along.counts == x.counts, "the split axis is kept as it was"
    assert hpa.skew(x, axis=2).split == 1
    assert hpa.skew(x, axis=1).split is None
    assert hpa.skew(x, axis=(0, 2)).split == 0


@pytest.mark.parametrize("split", [None, 0, 1])
def test_dtypes(split: int | None) -> None:
    for dtype in DTYPES:
        a = data((11, 3), dtype, seed=4)
        if dtype.kind == "f":
            a = (a**3).astype(a.dtype)
        ref = a.astype(np.float64)
        x = make(a, split, dtype)
        want = hpa.float64 if dtype.kind in "biu" else dtype
        low = dtype in (hpa.float16, hpa.bfloat16)
        tol = {"rtol": 3e-2, "atol": 3e-2} if low else {"rtol": 1e-5, "atol": 1e-6}
        for axis in (None, 0, 1):
            got = hpa.skew(x, axis=axis)
            assert got.dtype is want, (dtype, axis)
            assert_array(got, scipy_skew(ref, axis, True), dtype=want, **tol)
            got = hpa.kurtosis(x, axis=axis, unbiased=False)
            assert got.dtype is want, (dtype, axis)
            assert_array(got, scipy_kurtosis(ref, axis, False, True), dtype=want, **tol)
    z = make(data((4,), hpa.complex128), split if split != 1 else 0)
    raised_everywhere(TypeError, lambda: hpa.skew(z))
    raised_everywhere(TypeError, lambda: hpa.kurtosis(z))


@pytest.mark.parametrize("split", [None, 0])
def test_constant_and_small_slices(split: int | None) -> None:
    """Constant slices give NaN (SciPy's test); too few elements keep the biased value."""
    a = np.array([[2.0, 1.0, 5.0, 3.0], [2.0, 4.0, 5.0, -1.0], [2.0, 0.0, 5.0, 8.0]])
    x = make(a, split)
    for n in (1, 2, 3, 4):
        for unbiased in (True, False):
            assert_array(hpa.skew(make(a[:n], split), axis=0, unbiased=unbiased),
                         scipy_skew(a[:n], 0, unbiased))  # fmt: skip
            got = hpa.kurtosis(make(a[:n], split), axis=0, unbiased=unbiased, Fischer=False)
            assert_array(got, scipy_kurtosis(a[:n], 0, unbiased, False))
    assert np.isnan(hpa.skew(x, axis=0).numpy()[[0, 2]]).all()
    assert_array(hpa.skew(make(np.full(5, 7.0), split)), np.nan)
    assert_array(hpa.kurtosis(make(np.zeros(0), split)), np.nan)


@pytest.mark.parametrize("ragged", [False, True])
def test_far_from_zero(ragged: bool) -> None:
    """Data with a large offset: the merged third and fourth moments stay accurate."""
    a = 1e4 + skewed((40, 3), seed=7)
    x = make(a, 0, ragged=ragged)
    assert_array(hpa.skew(x, axis=0), scipy_skew(a, 0, True), rtol=1e-7)
    assert_array(hpa.kurtosis(x, axis=0), scipy_kurtosis(a, 0, True, True), rtol=1e-7)
    assert_array(hpa.kurtosis(x), scipy_kurtosis(a, None, True, True), rtol=1e-7)


def test_defaults_data_and_names() -> None:
    a = skewed((8, 3))
    assert_array(hpa.skew(a), scipy_skew(a, None, True))  # axis=None and unbiased by default
    assert_array(hpa.kurtosis(a.tolist()), scipy_kurtosis(a, None, True, True))
    assert_array(hpa.skew(make(a, 0), 1, False), scipy_skew(a, 1, False))  # positional
    assert_array(hpa.kurtosis(make(a, 0), 0, False, False), scipy_kurtosis(a, 0, False, False))
    raised_everywhere(ValueError, lambda: hpa.skew(make(a, 0), axis=(0, 0)))
    assert OPS["skew"] is hpa.skew and OPS["kurtosis"] is hpa.kurtosis
