"""Reductions and scans against NumPy.

Every function is checked for every split (None and each axis) of 1-D to 3-D shapes, balanced
and ragged blocks, empty blocks (fewer rows than processes) and zero-size shapes; then for each
dtype, for NaN and ties across ranks, for the accuracy of float16/bfloat16 and of the merged
variance, and for the number of collectives each operation may issue.

Every rank runs the same calls in the same order, and every check compares gathered data, so
all ranks reach the same verdict.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import torch
from helpers import P, assert_array, case_id, cases, data, make, tolerance
from hypothesis import given
from hypothesis import strategies as st

import hpa
from hpa.core.dtypes import to_dtype

REDUCTIONS = ["sum", "prod", "mean", "var", "std", "min", "max", "all", "any"]
SHAPES = [(0,), (1,), (2,), (7,), (3, 5), (1, 4), (5, 1), (2, 3, 4), (0, 3), (3, 0)]
DTYPES = [
    hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64,
    hpa.float16, hpa.bfloat16, hpa.float32, hpa.float64, hpa.complex128,
]  # fmt: skip
ORDERED = ("min", "max", "argmin", "argmax")  # NumPy orders complex numbers; hpa does not


def axis_choices(ndim: int) -> list[Any]:
    """None, every axis, the last axis counted from the end, and tuples of axes."""
    out: list[Any] = [None, *range(ndim)]
    if ndim:
        out.append(-1)
    if ndim >= 2:
        out += [(0, 1), (-1, 0)]
    if ndim >= 3:
        out += [(0, 2), (1, 2), (0, 1, 2)]
    return out


def as_tuple(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    items = (axis,) if isinstance(axis, int) else axis
    return tuple(a % ndim for a in items)


def result_split(split: int | None, axis: Any, ndim: int, keepdims: bool) -> int | None:
    """The split a reduction result must have: None when the split axis is reduced."""
    axes = as_tuple(axis, ndim)
    if split is None or split in axes:
        return None
    return split if keepdims else split - sum(1 for a in axes if a < split)


def numpy_call(name: str, a: np.ndarray, **kwargs: Any) -> tuple[Any, bool]:
    """NumPy's result (or the ValueError it raises) and whether it warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out: Any = getattr(np, name)(a, **kwargs)
        except ValueError as err:
            out = err
    return out, any(issubclass(w.category, RuntimeWarning) for w in caught)


def hpa_call(fn: Any, x: hpa.Array, **kwargs: Any) -> tuple[Any, bool]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn(x, **kwargs)
    return out, any(issubclass(w.category, RuntimeWarning) for w in caught)


def numpy_dtype(name: str, dtype: hpa.DType) -> hpa.DType:
    """The dtype NumPy gives ``name`` of ``dtype`` (bfloat16 follows float16).

    NumPy sums and multiplies unsigned integers in uint64, which hpa does not have: hpa
    documents int64 (see ``test_unsigned_sum_is_int64``).
    """
    standin = np.dtype(np.float16) if dtype is hpa.bfloat16 else dtype.numpy
    res = np.asarray(getattr(np, name)(np.ones(2, standin))).dtype
    if res == np.uint64:
        return hpa.int64
    out = to_dtype(res)
    return hpa.bfloat16 if dtype is hpa.bfloat16 and out is hpa.float16 else out


def small_ints(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Integers in [-2, 2] as float64: exact sums and products, zeros for all/any, ties."""
    return data(shape, hpa.int64, seed=seed, low=-2, high=3).astype(np.float64)


def check(
    name: str, x: hpa.Array, a: np.ndarray, split: int | None, what: str, **kwargs: Any
) -> None:
    """``hpa.<name>(x, **kwargs)`` equals NumPy's on ``a``: value, dtype, layout, errors, warnings.

    A ValueError from NumPy must be a ValueError from hpa, raised on every rank.
    """
    expected, np_warned = numpy_call(name, a, **kwargs)
    if isinstance(expected, ValueError):
        with pytest.raises(ValueError):
            getattr(hpa, name)(x, **kwargs)
        return
    got, warned = hpa_call(getattr(hpa, name), x, **kwargs)
    assert warned == np_warned, f"{what}: RuntimeWarning {warned}, NumPy {np_warned}"
    want = hpa.int64 if np.asarray(expected).dtype == np.uint64 else None
    assert_array(got, expected, dtype=want, rtol=1e-12, atol=1e-12)
    keep = kwargs.get("keepdims", False)
    assert got.split == result_split(split, kwargs.get("axis"), a.ndim, keep), what


# ---------------------------------------------------------------------------- every layout
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_matches_numpy(name: str, case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = small_ints(shape)
    for ragged in (False, True) if split is not None else (False,):
        x = make(a, split, ragged=ragged)
        for axis in axis_choices(len(shape)):
            for keepdims in (False, True):
                what = f"{name} axis={axis} keepdims={keepdims} ragged={ragged}"
                check(name, x, a, split, what, axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
@pytest.mark.parametrize("name", ["argmin", "argmax"])
def test_arg_reduction_matches_numpy(name: str, case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = small_ints(shape, seed=1)
    for ragged in (False, True) if split is not None else (False,):
        x = make(a, split, ragged=ragged)
        axes = [None, *range(len(shape)), *([-1] if shape else [])]
        for axis in axes:
            for keepdims in (False, True):
                what = f"{name} axis={axis} keepdims={keepdims} ragged={ragged}"
                expected, _ = numpy_call(name, a, axis=axis, keepdims=keepdims)
                if isinstance(expected, ValueError):
                    with pytest.raises(ValueError):
                        getattr(hpa, name)(x, axis=axis, keepdims=keepdims)
                    continue
                got = getattr(hpa, name)(x, axis=axis, keepdims=keepdims)
                assert_array(got, expected, dtype=hpa.int64)
                if axis is not None:
                    assert got.split == result_split(split, axis, len(shape), keepdims), what


def test_scalar_input() -> None:
    x = hpa.array(np.float64(3.5))
    for name in REDUCTIONS:
        expected, _ = numpy_call(name, np.float64(3.5))
        assert_array(getattr(hpa, name)(x), expected)
    assert_array(hpa.argmax(x), np.argmax(np.float64(3.5)))
    assert_array(hpa.cumsum(x), np.cumsum(np.float64(3.5)))


def test_amin_amax_aliases() -> None:
    a = small_ints((4, 3), seed=2)
    x = make(a, 0)
    assert_array(hpa.amax(x, axis=0), np.amax(a, axis=0))
    assert_array(hpa.amin(x, axis=(0, 1), keepdims=True), np.amin(a, axis=(0, 1), keepdims=True))


@pytest.mark.parametrize("split", [None, 0, 1])
def test_methods(split: int | None) -> None:
    a = small_ints((5, 3), seed=3)
    x = make(a, split)
    assert_array(x.sum(axis=0), a.sum(axis=0))
    assert_array(x.prod(axis=1, keepdims=True), a.prod(axis=1, keepdims=True))
    assert_array(x.mean(), a.mean())
    assert_array(x.var(axis=0, ddof=1), a.var(axis=0, ddof=1), rtol=1e-12)
    assert_array(x.std(axis=-1), a.std(axis=-1), rtol=1e-12)
    assert_array(x.min(axis=0), a.min(axis=0))
    assert_array(x.max(), a.max())
    assert_array(x.argmin(axis=0), a.argmin(axis=0))
    assert_array(x.argmax(), a.argmax())
    assert_array(x.all(axis=1), a.all(axis=1))
    assert_array(x.any(axis=0), a.any(axis=0))
    assert_array(x.cumsum(axis=0), a.cumsum(axis=0))
    assert_array(x.cumprod(axis=1), a.cumprod(axis=1))


def test_positional_axis_and_out() -> None:
    a = small_ints((4, 3), seed=19)
    x = make(a, 0, ragged=True)
    assert_array(x.sum(0), a.sum(0))
    assert_array(x.argmax(1), a.argmax(1))
    out = hpa.zeros((3,))
    assert hpa.sum(x, axis=0, out=out) is out
    assert_array(out, a.sum(axis=0))
    assert hpa.std(x, axis=0, out=out) is out
    assert_array(out, a.std(axis=0), rtol=1e-12)
    split_out = hpa.zeros((4,), split=0)
    assert hpa.max(x, axis=1, out=split_out) is split_out
    assert_array(split_out, a.max(axis=1))
    flags = hpa.zeros((3,), dtype=hpa.bool_)
    assert hpa.any(x, axis=0, out=flags) is flags
    assert_array(flags, a.any(axis=0))
    index = hpa.zeros((3,), dtype=hpa.int64)
    assert hpa.argmin(x, axis=0, out=index) is index
    assert_array(index, a.argmin(axis=0))
    scan = hpa.zeros((4, 3), split=0)
    assert hpa.cumsum(x, axis=0, out=scan) is scan
    assert_array(scan, a.cumsum(axis=0))


def test_numpy_input_is_accepted() -> None:
    a = small_ints((4, 2), seed=4)
    assert_array(hpa.sum(a, axis=0), a.sum(axis=0))


def test_invalid_axes_raise_everywhere() -> None:
    x = make(small_ints((3, 4)), 0)
    with pytest.raises(ValueError):
        hpa.sum(x, axis=(0, 0))
    with pytest.raises(ValueError):
        hpa.sum(x, axis=(1, -1))
    with pytest.raises((IndexError, ValueError, hpa.SplitError)):
        hpa.mean(x, axis=2)
    with pytest.raises((IndexError, ValueError, hpa.SplitError)):
        hpa.argmax(x, axis=-3)
    with pytest.raises((IndexError, ValueError, hpa.SplitError)):
        hpa.cumsum(x, axis=2)


# ---------------------------------------------------------------------------- var and std
@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("case", list(cases([(1,), (6,), (4, 3), (2, 3, 2)])), ids=case_id)
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std_ddof(name: str, case: tuple[tuple[int, ...], int | None], ragged: bool) -> None:
    shape, split = case
    a = data(shape, seed=5)
    x = make(a, split, ragged=ragged)
    fn = getattr(hpa, name)
    for axis in [None, 0, -1, ()]:  # (): nothing reduced, every element alone
        for ddof in (0, 1):
            expected, np_warned = numpy_call(name, a, axis=axis, ddof=ddof)
            got, warned = hpa_call(fn, x, axis=axis, ddof=ddof)
            assert warned == np_warned, f"{name} axis={axis} ddof={ddof}"
            assert_array(got, expected, rtol=1e-12, atol=1e-14)
            got, _ = hpa_call(fn, x, axis=axis, correction=ddof)
            assert_array(got, expected, rtol=1e-12, atol=1e-14)


def test_ddof_at_least_count_follows_numpy() -> None:
    a = np.array([1.0, 2.0])
    x = make(a, 0)
    for ddof in (2, 3):
        expected, _ = numpy_call("var", a, ddof=ddof)
        got, warned = hpa_call(hpa.var, x, ddof=ddof)
        assert warned
        assert_array(got, expected)
    expected, _ = numpy_call("std", np.array([4.0]), ddof=1)
    with pytest.warns(RuntimeWarning):
        got = hpa.std(make(np.array([4.0]), 0), ddof=1)
    assert_array(got, expected)


DEGENERATE = [
    np.array(np.nan), np.array(np.inf), np.array(-np.inf), np.array(2.5),
    np.array(np.nan, dtype=np.float32), np.array(1 + 1j * np.inf), np.array(3),
    np.array([1.0, np.nan, np.inf, -2.0]), np.array([]), np.zeros((0, 3)),
]  # fmt: skip


@pytest.mark.parametrize("a", DEGENERATE, ids=repr)
@pytest.mark.parametrize("name", ["var", "std"])
def test_degenerate_variances(name: str, a: np.ndarray) -> None:
    """0-d NaN and infinities give NaN (x - mean is NaN), a finite 0-d value zero, ``ddof`` 1
    of one element NaN with a warning, empty slices NaN with a warning, as in NumPy; for
    every split, and for ``axis=()`` (each element alone)."""
    axes: list[Any] = [None, ()] + ([0] if a.ndim else [])
    for split in [None, *range(a.ndim)]:
        x = make(a, split, ragged=True)
        for axis in axes:
            for ddof in (0, 1):
                expected, np_warned = numpy_call(name, a, axis=axis, ddof=ddof)
                got, warned = hpa_call(getattr(hpa, name), x, axis=axis, ddof=ddof)
                assert_array(got, expected, rtol=1e-12)
                if not np.isinf(a).any():  # NumPy also warns for inf - inf; hpa does not
                    assert warned == np_warned, (split, axis, ddof)


@pytest.mark.parametrize("ragged", [False, True])
def test_variance_of_large_offset_is_stable(ragged: bool) -> None:
    rng = np.random.default_rng(6)
    a = 1e9 + rng.standard_normal((30, 4))
    x = make(a, 0, ragged=ragged)
    for axis in (None, 0):
        assert_array(hpa.var(x, axis=axis), a.var(axis=axis), rtol=1e-6)
        assert_array(hpa.std(x, axis=axis, ddof=1), a.std(axis=axis, ddof=1), rtol=1e-6)
    # blocks with very different means: the merge must carry the between-block term exactly
    b = np.concatenate([np.full(10, 1e9), np.full(10, 1e9 + 2.0), 1e9 + rng.standard_normal(10)])
    assert_array(hpa.var(make(b, 0, ragged=ragged)), b.var(), rtol=1e-6)


def test_complex_variance_is_real() -> None:
    a = data((5, 3), hpa.complex128, seed=7)
    for split in (None, 0, 1):
        x = make(a, split)
        for axis in (None, 0, 1):
            assert_array(hpa.var(x, axis=axis), a.var(axis=axis), rtol=1e-12)
            assert_array(hpa.std(x, axis=axis, ddof=1), a.std(axis=axis, ddof=1), rtol=1e-12)
            assert_array(hpa.mean(x, axis=axis), a.mean(axis=axis), rtol=1e-12)


# ---------------------------------------------------------------------------- dtypes
def dtype_data(dtype: hpa.DType, shape: tuple[int, ...], seed: int) -> np.ndarray:
    if dtype.kind in "fc":
        return data(shape, dtype, seed=seed)
    if dtype.kind == "u":
        return data(shape, dtype, seed=seed, high=6)
    return data(shape, dtype, seed=seed, low=-3, high=4)


def reference_input(a: np.ndarray, dtype: hpa.DType) -> np.ndarray:
    """NumPy's input: floats computed in float64 / complex128, the rest as they are."""
    if dtype.kind == "f":
        return a.astype(np.float64)
    if dtype.kind == "c":
        return a.astype(np.complex128)
    return a


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", [*REDUCTIONS, "argmin", "argmax", "cumsum", "cumprod"])
def test_dtypes(name: str, dtype: hpa.DType) -> None:
    if dtype.kind == "c" and name in ORDERED:
        x = make(dtype_data(dtype, (4,), 8), 0)
        with pytest.raises(TypeError):
            getattr(hpa, name)(x)
        return
    want = numpy_dtype(name, dtype)
    tol = tolerance(dtype) if dtype.kind in "fc" else {"rtol": 1e-12, "atol": 1e-12}
    layouts = [((7,), 0), ((3, 5), None), ((3, 5), 0), ((3, 5), 1)]
    for shape, split in layouts:
        a = dtype_data(dtype, shape, seed=8)
        ref = reference_input(a, dtype)
        x = make(a, split, dtype=dtype)
        assert x.dtype is dtype
        axes = [None, 0, -1] if name not in ("cumsum", "cumprod") or len(shape) == 1 else [0, 1]
        for axis in axes:
            expected, _ = numpy_call(name, ref, axis=axis)
            got = getattr(hpa, name)(x, axis=axis)
            assert got.dtype is want, f"{name}({dtype}) gives {got.dtype}, NumPy {want}"
            assert_array(got, expected, check_dtype=False, **tol)


def test_unsigned_sum_is_int64() -> None:
    """NumPy sums uint8 in uint64, which hpa lacks; hpa documents int64 instead."""
    a = np.full((6, 2), 200, dtype=np.uint8)
    assert np.sum(a).dtype == np.uint64
    for split in (None, 0, 1):
        x = make(a, split)
        assert_array(hpa.sum(x), np.int64(2400), dtype=hpa.int64)
        assert_array(hpa.sum(x, axis=0), np.full(2, 1200, np.int64), dtype=hpa.int64)
        assert_array(hpa.cumsum(x, axis=0), np.cumsum(a, axis=0).astype(np.int64), dtype=hpa.int64)


def test_integer_sums_do_not_overflow_the_input_dtype() -> None:
    a = np.full(10, 100, dtype=np.int8)
    x = make(a, 0)
    assert_array(hpa.sum(x), np.sum(a), dtype=hpa.int64)
    assert_array(hpa.cumsum(x), np.cumsum(a), dtype=hpa.int64)
    assert_array(hpa.mean(x), np.mean(a), dtype=hpa.float64)
    b = np.ones(5, dtype=bool)
    assert_array(hpa.cumsum(make(b, 0)), np.cumsum(b), dtype=hpa.int64)
    assert_array(hpa.sum(make(b, 0)), np.sum(b), dtype=hpa.int64)


def test_requested_dtype() -> None:
    a = small_ints((6, 2), seed=9)
    x = make(a, 0)
    assert_array(hpa.sum(x, axis=0, dtype=hpa.float32), a.sum(axis=0, dtype=np.float32))
    assert_array(hpa.mean(x, dtype=hpa.float32), a.mean(dtype=np.float32), rtol=1e-6)
    assert_array(hpa.cumsum(x, axis=0, dtype=hpa.float32), a.cumsum(axis=0, dtype=np.float32))


# ---------------------------------------------------------------------------- low precision
@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("dtype", [hpa.float16, hpa.bfloat16], ids=str)
def test_low_precision_accumulates_wide(dtype: hpa.DType, ragged: bool) -> None:
    """A sum over many elements is the float64 sum rounded once to the low-precision dtype."""
    n = 30_000
    rng = np.random.default_rng(10)
    wide = torch.from_numpy(rng.uniform(0.0, 1.0, n)).to(dtype.torch)
    a = wide.to(torch.float64).numpy()
    x = make(a, 0, dtype=dtype, ragged=ragged)

    def once(value: float) -> np.ndarray:
        return torch.tensor(value, dtype=torch.float64).to(dtype.torch).to(torch.float64).numpy()

    assert_array(hpa.sum(x).astype(hpa.float64), once(a.sum()), rtol=0, atol=0)
    assert_array(hpa.mean(x).astype(hpa.float64), once(a.mean()), rtol=0, atol=0)
    # var and std may differ from once-rounded by one unit in the last place
    eps = float(torch.finfo(dtype.torch).eps)
    assert_array(hpa.var(x).astype(hpa.float64), a.var(), rtol=eps, atol=0)
    assert_array(hpa.std(x, ddof=1).astype(hpa.float64), a.std(ddof=1), rtol=eps, atol=0)
    assert hpa.sum(x).dtype is dtype and hpa.var(x).dtype is dtype
    tail = hpa.cumsum(x)[n - 1 : n]
    assert_array(tail.astype(hpa.float64), np.atleast_1d(a.sum()), rtol=eps, atol=0)
    # a column sum over the split axis of a 2-D array: one rounding per result element
    b = a.reshape(-1, 6)
    y = make(b, 0, dtype=dtype, ragged=ragged)
    cols = np.array([once(v) for v in b.sum(axis=0)])
    assert_array(hpa.sum(y, axis=0).astype(hpa.float64), cols, rtol=0, atol=0)
    assert_array(hpa.mean(y, axis=0).astype(hpa.float64), cols / b.shape[0], rtol=eps, atol=0)


# ---------------------------------------------------------------------------- NaN and ties
def nan_positions(n: int) -> list[int]:
    """Positions that fall on the first, a middle and the last rank of a balanced split."""
    return sorted({0, n // 2, n - 1})


@pytest.mark.parametrize("ragged", [False, True])
def test_nan_propagates_from_any_rank(ragged: bool) -> None:
    n = 9
    placements = [[p] for p in nan_positions(n)] + [[n // 2, n - 1]]
    for where in placements:
        a = small_ints((n,), seed=11)
        a[where] = np.nan
        x = make(a, 0, ragged=ragged)
        for name in ("max", "min", "argmax", "argmin", "sum", "mean", "prod"):
            assert_array(getattr(hpa, name)(x), getattr(np, name)(a))


@pytest.mark.parametrize("split", [None, 0, 1])
def test_nan_along_axes(split: int | None) -> None:
    a = small_ints((6, 4), seed=12)
    a[4, 1] = np.nan  # on the last rank of a split along axis 0
    a[1, 3] = np.nan
    a[5, 3] = np.nan  # a second NaN in the same column: argmax must name the first
    x = make(a, split, ragged=True)
    for name in ("max", "min", "argmax", "argmin", "sum", "var"):
        for axis in (None, 0, 1):
            expected = getattr(np, name)(a, axis=axis)
            assert_array(getattr(hpa, name)(x, axis=axis), expected, dtype=expected.dtype)


@pytest.mark.parametrize("ragged", [False, True])
def test_ties_give_the_first_index_globally(ragged: bool) -> None:
    for shape in [(8,), (7, 3)]:
        for a in (np.ones(shape), small_ints(shape, seed=13).clip(-1, 1)):
            for split in (None, 0, *(range(1, len(shape)))):
                x = make(a, split, ragged=ragged)
                for name in ("argmax", "argmin"):
                    for axis in (None, 0, -1):
                        expected = getattr(np, name)(a, axis=axis)
                        assert_array(getattr(hpa, name)(x, axis=axis), expected)


def test_maximum_only_on_a_late_rank() -> None:
    a = np.zeros(10)
    a[8] = 5.0
    a[9] = 5.0
    x = make(a, 0)
    assert_array(hpa.argmax(x), np.int64(8))
    assert_array(hpa.max(x), np.float64(5.0))
    assert_array(hpa.argmin(x), np.int64(0))


def test_bool_extrema() -> None:
    a = np.array([[False, True], [False, False], [True, True]])
    for split in (None, 0, 1):
        x = make(a, split, ragged=True)
        for name in ("max", "min", "argmax", "argmin"):
            for axis in (None, 0, 1):
                expected = getattr(np, name)(a, axis=axis)
                assert_array(getattr(hpa, name)(x, axis=axis), expected, dtype=expected.dtype)


# ---------------------------------------------------------------------------- scans
SCAN_SHAPES = [(0,), (1,), (2,), (7,), (3, 5), (1, 4), (2, 3, 4), (0, 3)]


@pytest.mark.parametrize("case", list(cases(SCAN_SHAPES)), ids=case_id)
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_scan_matches_numpy(name: str, case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = small_ints(shape, seed=14)
    for ragged in (False, True) if split is not None else (False,):
        x = make(a, split, ragged=ragged)
        axes = [None, *range(len(shape)), *([-1] if shape else [])]
        for axis in axes:
            got = getattr(hpa, name)(x, axis=axis)
            assert_array(got, getattr(np, name)(a, axis=axis))
            if axis is not None:
                assert got.split == split and got.counts == x.counts


def test_scan_integer_dtypes() -> None:
    a = data((11,), hpa.int8, seed=15)
    x = make(a, 0, ragged=True)
    assert_array(hpa.cumsum(x), np.cumsum(a), dtype=hpa.int64)
    assert_array(hpa.cumprod(x), np.cumprod(a), dtype=hpa.int64)
    b = a > 0
    assert_array(hpa.cumsum(make(b, 0)), np.cumsum(b), dtype=hpa.int64)
    assert_array(hpa.cumprod(make(b, 0)), np.cumprod(b), dtype=hpa.int64)


# ---------------------------------------------------------------------------- communication
def counted(fn: Any, *args: Any, **kwargs: Any) -> dict[str, int]:
    with hpa.count_collectives() as stats:
        fn(*args, **kwargs)
    return dict(stats.counts)


@pytest.mark.parametrize("ragged", [False, True])
def test_collectives_over_the_split_axis(ragged: bool) -> None:
    a = small_ints((7, 4, 3), seed=16)
    for split in (0, 1):
        x = make(a, split, ragged=ragged)
        for axis in (None, split, (split, 2)):
            for name in ("sum", "prod", "mean", "all", "any"):
                assert counted(getattr(hpa, name), x, axis=axis) == {"allreduce": 1}, (name, axis)
            for name in ("min", "max"):
                assert counted(getattr(hpa, name), x, axis=axis) == {"allreduce": 1}, (name, axis)
            # the blocks' moments are merged only when there are several (not at one process)
            merge = {"allgather": 1} if P > 1 else {}
            for name in ("var", "std"):
                assert counted(getattr(hpa, name), x, axis=axis) == merge, (name, axis)
            assert counted(hpa.var, x, axis=axis, ddof=1, keepdims=True) == merge
        for name in ("argmax", "argmin"):
            assert counted(getattr(hpa, name), x, axis=split) == {"allgather": 1}, name
            assert counted(getattr(hpa, name), x) == {"allgather": 1}, name
        assert counted(hpa.cumsum, x, axis=split) == {"exscan": 1}
        assert counted(hpa.cumprod, x, axis=split) == {"exscan": 1}


@pytest.mark.parametrize("split", [None, 0])
def test_no_collectives_without_reducing_the_split_axis(split: int | None) -> None:
    a = small_ints((5, 4, 3), seed=17)
    x = make(a, split, ragged=True)
    axes = [1, 2, (1, 2), -1] + ([None, 0, (0, 2)] if split is None else [])
    for axis in axes:
        for name in REDUCTIONS:
            assert counted(getattr(hpa, name), x, axis=axis) == {}, (name, axis)
    for name in ("argmax", "argmin", "cumsum", "cumprod"):
        for axis in (1, 2) if split is not None else (0, 1, 2):
            assert counted(getattr(hpa, name), x, axis=axis) == {}, (name, axis)
    if split is None:
        assert counted(hpa.argmax, x) == {} and counted(hpa.cumsum, x[0, 0]) == {}


# ---------------------------------------------------------------------------- empty arrays
@pytest.mark.parametrize("split", [None, 0, 1])
def test_empty_reductions(split: int | None) -> None:
    a = np.zeros((0, 3))
    x = make(a, split, ragged=True)
    assert_array(hpa.sum(x), np.float64(0.0))
    assert_array(hpa.prod(x, axis=0), np.ones(3))
    assert_array(hpa.all(x), np.True_)
    assert_array(hpa.any(x, axis=0), np.zeros(3, bool))
    assert_array(hpa.sum(x.astype(hpa.int32)), np.int64(0), dtype=hpa.int64)
    with pytest.warns(RuntimeWarning):
        got = hpa.mean(x)
    assert_array(got, np.float64(np.nan))
    with pytest.warns(RuntimeWarning):
        got = hpa.var(x, axis=0)
    assert_array(got, np.full(3, np.nan))
    for name in ("min", "max", "argmin", "argmax"):
        with pytest.raises(ValueError):
            getattr(hpa, name)(x)
        with pytest.raises(ValueError):
            getattr(hpa, name)(x, axis=0)
    assert_array(hpa.max(x, axis=1), np.zeros(0))
    assert_array(hpa.cumsum(x, axis=0), np.zeros((0, 3)))


def test_fewer_rows_than_processes() -> None:
    a = small_ints((1, 3), seed=18) + 3.0  # rank 0 owns the only row; others hold nothing
    x = make(a, 0)
    assert x.counts[0] == 1
    for name in REDUCTIONS:
        for axis in (None, 0, 1):
            check(name, x, a, 0, f"{name} axis={axis}", axis=axis)
    for name in ("argmax", "argmin"):
        assert_array(getattr(hpa, name)(x, axis=0), getattr(np, name)(a, axis=0))
    assert_array(hpa.cumsum(x, axis=0), np.cumsum(a, axis=0))


# ---------------------------------------------------------------------------- properties
@st.composite
def reduction_cases(draw: Any) -> tuple[np.ndarray, int | None, Any, bool, bool]:
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=ndim, max_size=ndim)))
    split = draw(st.sampled_from([None, *range(ndim)]))
    axis = draw(st.sampled_from(axis_choices(ndim)))
    keepdims = draw(st.booleans())
    ragged = draw(st.booleans())
    size = int(np.prod(shape))
    element = st.one_of(st.integers(-3, 3).map(float), st.just(float("nan")))
    values = np.array(draw(st.lists(element, min_size=size, max_size=size)), dtype=np.float64)
    return values.reshape(shape), split, axis, keepdims, ragged


@given(reduction_cases())
def test_property_reductions(case: tuple[np.ndarray, int | None, Any, bool, bool]) -> None:
    a, split, axis, keepdims, ragged = case
    x = make(a, split, ragged=ragged)
    for name in ("sum", "mean", "var", "max", "any"):
        what = f"{name} axis={axis} keepdims={keepdims}"
        check(name, x, a, split, what, axis=axis, keepdims=keepdims)
    single = axis if isinstance(axis, int) else None
    expected, _ = numpy_call("argmin", a, axis=single)
    if isinstance(expected, ValueError):
        with pytest.raises(ValueError):
            hpa.argmin(x, axis=single)
    else:
        assert_array(hpa.argmin(x, axis=single), expected)
    assert_array(hpa.cumsum(x, axis=single), np.cumsum(a, axis=single))


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64], ids=str)
@pytest.mark.parametrize("split", [None, 0, 1, 2])
@pytest.mark.parametrize("axis", [0, (0, 1), 1])
def test_var_std_large_blocks_across_rows(dtype: hpa.DType, split: int | None, axis: Any) -> None:
    """Blocks of at least 2**16 elements reduced across rows (the last axis kept) take the
    chunked two-pass path; it agrees with NumPy, far from zero mean too."""
    values = data((4000, 7, 9), dtype) * 3 + 100
    x = make(values, split, ragged=True)
    ref = values.astype(np.float64)
    tol = {"rtol": 1e-4 if dtype is hpa.float32 else 1e-10}
    assert_array(hpa.var(x, axis=axis), ref.var(axis=axis), dtype=dtype, **tol)
    assert_array(hpa.std(x, axis=axis, ddof=1), ref.std(axis=axis, ddof=1), dtype=dtype, **tol)
    got = hpa.var(x, axis=axis, keepdims=True)
    assert_array(got, ref.var(axis=axis, keepdims=True), dtype=dtype, **tol)
