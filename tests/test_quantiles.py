"""Quantiles against NumPy: quantile, percentile, median and their nan-variants.

Every method is checked on 1-D data (replicated, balanced and ragged blocks, fewer elements
than processes, NaN on every rank); a few methods on every split and axis of n-D arrays; then
dtypes, empty arrays, invalid arguments raised on every rank, and the collectives each case
may issue.

Every rank runs the same calls in the same order, and every check compares gathered data, so
all ranks reach the same verdict.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, case_id, cases, data, make, raised_everywhere, tolerance

import hpa
from hpa.core.dtypes import to_dtype

METHODS = [
    "inverted_cdf", "averaged_inverted_cdf", "closest_observation", "interpolated_inverted_cdf",
    "hazen", "weibull", "linear", "median_unbiased", "normal_unbiased", "lower", "higher",
    "midpoint", "nearest",
]  # fmt: skip
DISCRETE = ["inverted_cdf", "closest_observation", "lower", "higher", "nearest"]
QS: list[Any] = [0.37, [0.0, 0.1, 0.25, 0.5, 0.75, 0.9, 1.0]]
SHAPES = [(1,), (2,), (7,), (3, 5), (1, 4), (5, 1), (2, 3, 4)]


def nan_data(shape: tuple[int, ...], seed: int = 0, share: float = 0.3) -> np.ndarray:
    """Small integers as float64 (many ties) with about ``share`` of them NaN."""
    a = data(shape, hpa.int64, seed=seed, low=-4, high=5).astype(np.float64)
    a += np.random.default_rng(seed + 7).random(shape) / 4
    a[np.random.default_rng(seed + 100).random(shape) < share] = np.nan
    return a


def call(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, bool]:
    """``fn(*args, **kwargs)`` (or the exception it raises) and whether it warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = fn(*args, **kwargs)
        except (ValueError, IndexError, TypeError) as err:
            out = err
    return out, any(issubclass(w.category, RuntimeWarning) for w in caught)


def check(name: str, x: hpa.Array, a: np.ndarray, **kwargs: Any) -> None:
    """``hpa.<name>(x)`` equals NumPy's on ``a``: value, dtype, warnings; errors everywhere."""
    expected, np_warned = call(getattr(np, name), a, **kwargs)
    if isinstance(expected, Exception):
        raised_everywhere(type(expected), lambda: getattr(hpa, name)(x, **kwargs))
        return
    got, warned = call(getattr(hpa, name), x, **kwargs)
    assert not isinstance(got, Exception), f"{name} {kwargs}: {got!r}"
    assert any(hpa.get_comm().allgather_object(warned)) == np_warned, f"{name} {kwargs}: warning"
    expected = np.asarray(expected)
    # NumPy subtracts low-precision neighbours before widening; hpa widens first
    low = x.dtype if x.dtype.kind == "f" else to_dtype(expected.dtype)
    tol = tolerance(low) if expected.dtype.kind == "f" else {}
    assert_array(got, expected, **tol)


def layouts(split: int | None) -> tuple[bool, ...]:
    return (False, True) if split is not None else (False,)


def axis_choices(ndim: int) -> list[Any]:
    out: list[Any] = [None, *range(ndim), -1]
    if ndim >= 2:
        out.append((0, -1))
    if ndim >= 3:
        out.append((1, 2))
    return out


# ---------------------------------------------------------------------------- every method
@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("n", [1, 2, 7, 20])
def test_every_method_1d(method: str, n: int) -> None:
    a = nan_data((n,), seed=n, share=0.2)
    clean = np.nan_to_num(a, nan=1.5)
    for split in (None, 0):
        for ragged in layouts(split):
            x, y = make(a, split, ragged=ragged), make(clean, split, ragged=ragged)
            for q in QS:
                check("quantile", y, clean, q=q, method=method)
                check("quantile", x, a, q=q, method=method)
                check("nanquantile", x, a, q=q, method=method)
            check("percentile", y, clean, q=[3, 50, 97.5], method=method)
            check("nanpercentile", x, a, q=42, method=method)


# ---------------------------------------------------------------------------- every layout
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_every_layout(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = nan_data(shape, seed=3, share=0.15)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axis in axis_choices(len(shape)):
            for keepdims in (False, True):
                kw = {"axis": axis, "keepdims": keepdims}
                check("median", x, a, **kw)
                check("nanmedian", x, a, **kw)
                check("nanquantile", x, a, q=QS[1], method="hazen", **kw)
                check("quantile", x, a, q=0.5, method="nearest", **kw)


@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_nan_on_each_rank(name: str) -> None:
    n = 3 * P
    base = np.arange(n, dtype=np.float64)[::-1].copy()
    for owner in range(P):
        a = base.copy()
        a[owner * 3 + 1] = np.nan
        for ragged in (False, True):
            check(name, make(a, 0, ragged=ragged), a, q=QS[1])
    check(name, make(np.full(n, np.nan), 0), np.full(n, np.nan), q=0.5)
    two = np.vstack([base, base])
    two[1, -1] = np.nan
    for split in (0, 1):
        check(name, make(two, split), two, q=QS[1], axis=1)
        check(name, make(two, split), two, q=0.5, axis=0)


# ---------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize(
    "dtype", [hpa.int8, hpa.uint8, hpa.int32, hpa.int64, hpa.float16, hpa.float32, hpa.float64]
)
def test_dtypes(dtype: hpa.DType) -> None:
    a = data((4, 6), dtype, seed=5)
    for split in (None, 0, 1):
        x = make(a, split, ragged=True)
        for method in ("linear", "lower", "midpoint", "weibull"):
            check("quantile", x, a, q=0.3, method=method)
            check("quantile", x, a, q=QS[1], axis=0, method=method)
        check("nanquantile", x, a, q=0.6, axis=1)
        check("median", x, a)
        check("nanmedian", x, a, axis=0)


def test_bool() -> None:
    a = data((9,), hpa.bool_, seed=2)
    for split in (None, 0):
        x = make(a, split)
        for method in DISCRETE:
            check("quantile", x, a, q=QS[1], method=method)
        check("median", x, a)
        raised_everywhere(TypeError, lambda x=x: hpa.quantile(x, 0.5))


# ---------------------------------------------------------------------------- empty
@pytest.mark.parametrize("case", list(cases([(0,), (0, 3), (3, 0)])), ids=case_id)
def test_empty(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = np.zeros(shape)
    x = make(a, split)
    for axis in axis_choices(len(shape))[:-1]:
        for name in ("quantile", "nanquantile", "percentile"):
            check(name, x, a, q=50 if name == "percentile" else [0.5, 0.7], axis=axis)
        check("median", x, a, axis=axis)
        check("nanmedian", x, a, axis=axis)


# ---------------------------------------------------------------------------- errors
def test_invalid_arguments() -> None:
    x = make(np.arange(7.0), 0)
    for q in (-0.1, 1.5, [0.5, 2.0], np.nan):
        raised_everywhere(ValueError, lambda q=q: hpa.quantile(x, q))
        raised_everywhere(ValueError, lambda q=q: hpa.nanquantile(x, q))
    raised_everywhere(ValueError, lambda: hpa.percentile(x, 100.5))
    raised_everywhere(ValueError, lambda: hpa.nanpercentile(x, [-1, 50]))
    raised_everywhere(ValueError, lambda: hpa.quantile(x, 0.5, method="fast"))
    raised_everywhere(ValueError, lambda: hpa.quantile(x, np.full((1, 1, 1), 0.5)))
    raised_everywhere(TypeError, lambda: hpa.quantile(x.astype(hpa.complex128), 0.5))
    raised_everywhere(NotImplementedError, lambda: hpa.quantile(x, 0.5, weights=np.ones(7)))


# ---------------------------------------------------------------------------- communication
def counted(fn: Any, *args: Any, **kwargs: Any) -> dict[str, int]:
    with hpa.count_collectives() as stats:
        fn(*args, **kwargs)
    return dict(stats.counts)


def test_collectives() -> None:
    one = make(nan_data((30,)), 0, ragged=True)
    two = make(nan_data((6, 5)), 0)
    sample = {"allgather": 2, "alltoallv": 1}
    assert counted(hpa.quantile, one, QS[1]) == ({**sample, "allreduce": 1} if P > 1 else {})
    assert counted(hpa.median, two) == ({**sample, "allreduce": 1} if P > 1 else {})
    assert counted(hpa.nanquantile, one, 0.5) == ({**sample, "allreduce": 2} if P > 1 else {})
    assert counted(hpa.nanmedian, one.astype(hpa.int32)) == (
        {**sample, "allreduce": 1} if P > 1 else {}
    )
    moved = {"alltoallv": 1, "allgatherv": 1}
    assert counted(hpa.quantile, two, 0.5, axis=0) == (moved if P > 1 else {})
    assert counted(hpa.median, two, axis=0, keepdims=True) == (moved if P > 1 else {})
    assert counted(hpa.quantile, two, QS[1], axis=1) == {}
    assert counted(hpa.percentile, make(nan_data((30,)), None), 50) == {}


# ---------------------------------------------------------------------------- layouts
@pytest.mark.parametrize("case", list(cases([(6, 5), (2, 3, 4)])), ids=case_id)
def test_result_layout(case: tuple[tuple[int, ...], int | None]) -> None:
    """Reducing the split axis replicates the result; keeping it keeps the split in place
    (after q's axis), at every process count."""
    shape, split = case
    a = nan_data(shape, seed=4)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axis in axis_choices(len(shape)):
            axes = range(len(shape)) if axis is None else np.atleast_1d(axis) % len(shape)
            for keepdims in (False, True):
                kept = split is not None and split not in axes
                want = split - sum(ax < split for ax in axes) if kept and not keepdims else split
                for q, lead in ((0.5, 0), (QS[1], 1)):
                    got = hpa.quantile(x, q, axis=axis, keepdims=keepdims)
                    assert got.split == (want + lead if kept else None), (axis, keepdims, q)
                assert hpa.median(x, axis=axis, keepdims=keepdims).split == (want if kept else None)
