"""Statistics against NumPy: nan-functions, average, ptp, count_nonzero, diff, bincount,
digitize and histogram.

Every function is checked for every split (None and each axis), balanced and ragged blocks,
empty blocks (fewer rows than processes) and zero-size shapes; then for dtypes, for NaNs on the
first, a middle and the last rank, for data-dependent errors raised on every rank, and for the
number of collectives each operation may issue.

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

SHAPES = [(0,), (1,), (2,), (7,), (3, 5), (1, 4), (5, 1), (2, 3, 4), (0, 3), (3, 0)]
NAN_REDUCTIONS = ["nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmin", "nanmax"]
NAN_ARGS = ["nanargmin", "nanargmax"]
DTYPES = [
    hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64,
    hpa.float16, hpa.bfloat16, hpa.float32, hpa.float64,
]  # fmt: skip


def axis_choices(ndim: int) -> list[Any]:
    """None, every axis, the last axis counted from the end, and tuples of axes."""
    out: list[Any] = [None, *range(ndim)]
    if ndim:
        out.append(-1)
    if ndim >= 2:
        out.append((-1, 0))
    if ndim >= 3:
        out += [(0, 2), (1, 2)]
    return out


def layouts(split: int | None) -> tuple[bool, ...]:
    return (False, True) if split is not None else (False,)


def nan_data(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    """Small integers as float64 with NaNs: the first and last element, and about a third."""
    a = data(shape, hpa.int64, seed=seed, low=-3, high=4).astype(np.float64)
    rng = np.random.default_rng(seed + 100)
    a[rng.random(shape) < 0.35] = np.nan
    flat = a.reshape(-1)
    if flat.size:
        flat[0] = flat[-1] = np.nan
    return a


def call(fn: Any, *args: Any, **kwargs: Any) -> tuple[Any, bool]:
    """``fn(*args, **kwargs)`` (or the ValueError it raises) and whether it warned."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out = fn(*args, **kwargs)
        except ValueError as err:
            out = err
    return out, any(issubclass(w.category, RuntimeWarning) for w in caught)


def warned_anywhere(warned: bool) -> bool:
    """Whether any rank warned (a warning about a slice is issued where the slice lives)."""
    return any(hpa.get_comm().allgather_object(warned))


def check(name: str, x: hpa.Array, a: np.ndarray, what: str, **kwargs: Any) -> None:
    """``hpa.<name>(x)`` equals NumPy's on ``a``: value, dtype, warnings; errors everywhere."""
    expected, np_warned = call(getattr(np, name), a, **kwargs)
    if isinstance(expected, ValueError):
        raised_everywhere(ValueError, lambda: getattr(hpa, name)(x, **kwargs))
        return
    got, warned = call(getattr(hpa, name), x, **kwargs)
    assert warned_anywhere(warned) == np_warned, f"{what}: RuntimeWarning differs from NumPy"
    assert_array(got, expected, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------- every layout
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
@pytest.mark.parametrize("name", NAN_REDUCTIONS)
def test_nan_reduction_matches_numpy(name: str, case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = nan_data(shape)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axis in axis_choices(len(shape)):
            for keepdims in (False, True):
                what = f"{name} axis={axis} keepdims={keepdims} ragged={ragged}"
                check(name, x, a, what, axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
@pytest.mark.parametrize("name", NAN_ARGS)
def test_nan_arg_matches_numpy(name: str, case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = nan_data(shape, seed=1)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axis in [None, *range(len(shape))]:
            for keepdims in (False, True):
                check(name, x, a, f"{name} axis={axis}", axis=axis, keepdims=keepdims)


@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
@pytest.mark.parametrize("name", ["nancumsum", "nancumprod", "count_nonzero", "ptp"])
def test_scans_counts_ranges(name: str, case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = nan_data(shape, seed=2)
    a[a == 1] = 0  # zeros for count_nonzero
    keep = {} if name.startswith("nancum") else {"keepdims": True}
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axis in [None, *range(len(shape))]:
            check(name, x, a, f"{name} axis={axis}", axis=axis, **keep)
            if name == "ptp":  # NaN propagates; check numbers too
                b = np.nan_to_num(a, nan=1.5)
                check(name, make(b, split, ragged=ragged), b, f"ptp axis={axis}", axis=axis)


# ---------------------------------------------------------------------------- NaN placement
@pytest.mark.parametrize("where", ["first", "middle", "last"])
def test_nan_on_one_rank(where: str) -> None:
    n = 3 * P + 1
    a = np.arange(n, dtype=np.float64) - 4.0
    counts = hpa.chunk(n, P)
    starts = np.cumsum((0, *counts))
    rank = {"first": 0, "middle": P // 2, "last": P - 1}[where]
    a[starts[rank] : starts[rank + 1]] = np.nan  # that rank's block is all NaN
    for ragged in (False, True):
        x = make(a, 0, ragged=ragged)
        for name in [*NAN_REDUCTIONS, *NAN_ARGS, "nancumsum"]:
            check(name, x, a, f"{name} NaN block on the {where} rank")
        b = np.stack([a, a[::-1]], axis=1)
        for split in (0, 1):
            y = make(b, split, ragged=ragged)
            for name in ("nanmax", "nanargmin", "nanmean", "nanstd"):
                check(name, y, b, f"{name} 2-D split={split}", axis=0)


@pytest.mark.parametrize("split", [None, 0, 1])
def test_all_nan_slice(split: int | None) -> None:
    """An all-NaN column: NaN and a warning from nanmax, ValueError on every rank from
    nanargmin, whichever rank holds the column."""
    a = data((4, 2 * P + 1), hpa.float64, seed=4)
    a[:, -1] = np.nan
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        y = make(a[:, :-1], split, ragged=ragged)
        for name in ("nanmax", "nanmin", "nanmean", "nanvar", "nanargmin", "nanargmax"):
            check(name, x, a, f"{name} all-NaN column", axis=0)
            check(name, y, a[:, :-1], f"{name} no all-NaN column", axis=0)
        allnan = np.full((2, 3), np.nan)
        for name in ("nanargmax", "nanmax", "nanmean"):
            check(name, make(allnan, split, ragged=ragged), allnan, f"{name} all NaN")


@pytest.mark.parametrize(
    "a",
    [np.array(np.nan), np.array(np.inf), np.array(-2.0), np.array([np.nan, np.inf, 1.0]),
     np.array([np.nan, 1.0, 2.0]), np.array([]), np.zeros((0, 2))],
    ids=repr,
)  # fmt: skip
@pytest.mark.parametrize("name", ["nanvar", "nanstd"])
def test_degenerate_nan_variances(name: str, a: np.ndarray) -> None:
    """0-d NaN (no numbers) and empty slices give NaN with a warning, infinities NaN, and
    ``ddof`` at least the count of numbers NaN with a warning, as in NumPy, for every split."""
    axes: list[Any] = [None, ()] + ([0] if a.ndim else [])
    for split in [None, *range(a.ndim)]:
        for ragged in layouts(split):
            x = make(a, split, ragged=ragged)
            for axis in axes:
                for ddof in (0, 1):
                    kw = {"axis": axis, "ddof": ddof}
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        expected = getattr(np, name)(a, **kw)
                    np_warned = any("freedom" in str(w.message) for w in caught)
                    with warnings.catch_warnings(record=True) as caught:
                        warnings.simplefilter("always")
                        got = getattr(hpa, name)(x, **kw)
                    warned = any(issubclass(w.category, RuntimeWarning) for w in caught)
                    assert_array(got, expected, rtol=1e-12)
                    assert any(hpa.get_comm().allgather_object(warned)) == np_warned, kw


# ---------------------------------------------------------------------------- dtypes
def numpy_dtype(name: str, dtype: hpa.DType) -> hpa.DType:
    """NumPy's result dtype (bfloat16 follows float16; uint64 is int64 in hpa)."""
    standin = np.dtype(np.float16) if dtype is hpa.bfloat16 else dtype.numpy
    res = np.asarray(getattr(np, name)(np.ones(3, standin))).dtype
    if res == np.uint64:
        return hpa.int64
    out = to_dtype(res)
    return hpa.bfloat16 if dtype is hpa.bfloat16 and out is hpa.float16 else out


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("name", [*NAN_REDUCTIONS, *NAN_ARGS, "nancumsum", "ptp", "count_nonzero"])
def test_dtypes(name: str, dtype: hpa.DType) -> None:
    if name == "ptp" and dtype is hpa.bool_:
        raised_everywhere(TypeError, lambda: hpa.ptp(make(np.ones(3, bool), 0)))
        return
    want = numpy_dtype(name, dtype)
    tol = tolerance(dtype) if dtype.kind == "f" else {"rtol": 1e-12, "atol": 1e-12}
    for shape, split in [((7,), 0), ((3, 5), None), ((3, 5), 0), ((3, 5), 1)]:
        a = data(shape, dtype, seed=5) if dtype.kind != "i" else data(shape, dtype, 5, -3, 4)
        if dtype.kind == "f":
            a = a.astype(np.float64)
            a.reshape(-1)[0] = np.nan
            x = make(a, split, dtype=dtype)
            a = x.numpy().astype(np.float64)  # the rounded values, NaN included
        else:
            x = make(a, split, dtype=dtype)
        for axis in (None, 0, -1):
            expected, _ = call(getattr(np, name), a, axis=axis)
            got, _ = call(getattr(hpa, name), x, axis=axis)
            assert got.dtype is want, f"{name}({dtype}) gives {got.dtype}, NumPy {want}"
            assert_array(got, expected, check_dtype=False, **tol)


def test_ptp_integers_wrap_like_numpy() -> None:
    a = np.array([-128, 127, 0, 5], dtype=np.int8)
    for split in (None, 0):
        assert_array(hpa.ptp(make(a, split, ragged=True)), np.ptp(a))


# ---------------------------------------------------------------------------- average
@pytest.mark.parametrize("split", [None, 0, 1, 2])
def test_average(split: int | None) -> None:
    a = data((4, 3, 5), hpa.float64, seed=6)
    w = data((4, 3, 5), hpa.float64, seed=7) ** 2 + 0.1
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axis in (None, 0, 1, (0, 2)):
            avg, scl = hpa.average(x, axis=axis, returned=True)
            e_avg, e_scl = np.average(a, axis=axis, returned=True)
            assert_array(avg, e_avg, rtol=1e-12)
            assert_array(scl, e_scl)
            for wsplit in (None, 0, 2):  # weights of a's shape, any split
                got = hpa.average(x, axis=axis, weights=make(w, wsplit), keepdims=True)
                assert_array(got, np.average(a, axis=axis, weights=w, keepdims=True), rtol=1e-12)
        for axis, wshape in ((0, (4,)), (2, (5,)), ((2, 0), (5, 4))):  # weights along axis
            sub = data(wshape, hpa.float64, seed=20) ** 2 + 0.1
            got = hpa.average(x, axis=axis, weights=make(sub, 0), returned=True)
            e = np.average(a, axis=axis, weights=sub, returned=True)
            assert_array(got[0], e[0], rtol=1e-12)
            assert_array(got[1], e[1], rtol=1e-12)


def test_average_dtypes_and_errors() -> None:
    a = data((5, 3), hpa.int8, seed=8)
    x = make(a, 0, ragged=True)
    assert_array(hpa.average(x, axis=0, weights=[1, 2, 3, 4, 5]), np.average(a, 0, [1, 2, 3, 4, 5]))
    f = np.ones((3, 2), np.float32)
    assert_array(hpa.average(make(f, 0), weights=make(f, 1)), np.average(f, weights=f))
    raised_everywhere(TypeError, lambda: hpa.average(x, weights=np.ones(3)))
    raised_everywhere(ValueError, lambda: hpa.average(x, axis=1, weights=np.ones((3, 1))))
    raised_everywhere(ZeroDivisionError, lambda: hpa.average(x, axis=0, weights=np.zeros(5)))
    # a zero weight sum in one row only: that row lives on one rank, all of them raise
    b = data((2 * P + 1, 3), hpa.float64, seed=9)
    wz = np.ones_like(b)
    wz[-1] = 0
    for split in (None, 0, 1):
        y = make(b, split, ragged=True)
        raised_everywhere(ZeroDivisionError, lambda y=y: hpa.average(y, axis=1, weights=wz))
        assert_array(hpa.average(y, axis=0, weights=wz), np.average(b, axis=0, weights=wz))


# ---------------------------------------------------------------------------- diff
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_diff_matches_numpy(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    if not shape:
        return
    a = data(shape, hpa.int64, seed=10, low=-9, high=10)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axis in range(-1, len(shape)):
            for n in (0, 1, 2, 4):
                got = hpa.diff(x, n=n, axis=axis)
                assert_array(got, np.diff(a, n=n, axis=axis))
                assert got.split == split


@pytest.mark.parametrize("split", [None, 0, 1])
def test_diff_ends_and_dtypes(split: int | None) -> None:
    a = data((2 * P + 1, 3), hpa.float32, seed=11)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for axis in (0, 1):
            assert_array(
                hpa.diff(x, axis=axis, prepend=0, append=2.5),
                np.diff(a, axis=axis, prepend=0, append=2.5),
                rtol=1e-6,
            )
            end = np.ones((1, 3) if axis == 0 else (a.shape[0], 2), np.float32)
            got = hpa.diff(x, n=2, axis=axis, prepend=make(end, 1), append=end)
            assert_array(got, np.diff(a, n=2, axis=axis, prepend=end, append=end), rtol=1e-6)
        flags = a > 0
        assert_array(hpa.diff(make(flags, split, ragged=ragged), axis=0), np.diff(flags, axis=0))
        u = data(a.shape, hpa.uint8, seed=12)
        assert_array(hpa.diff(make(u, split, ragged=ragged), n=3, axis=0), np.diff(u, n=3, axis=0))
    raised_everywhere(ValueError, lambda: hpa.diff(make(a, split), n=-1))
    raised_everywhere(ValueError, lambda: hpa.diff(hpa.array(1.0)))


# ---------------------------------------------------------------------------- counting
@pytest.mark.parametrize("n", [0, 1, 2, 11])
def test_bincount(n: int) -> None:
    b = data((n,), hpa.int64, seed=13, low=0, high=7)
    w = data((n,), hpa.float64, seed=14)
    for split in (None, 0):
        for ragged in layouts(split):
            x = make(b, split, ragged=ragged)
            assert_array(hpa.bincount(x), np.bincount(b))
            assert_array(hpa.bincount(x, minlength=9), np.bincount(b, minlength=9))
            got = hpa.bincount(x, weights=make(w, 0, ragged=not ragged))
            assert_array(got, np.bincount(b, weights=w), rtol=1e-12)
            assert_array(hpa.bincount(x.astype(hpa.uint8)), np.bincount(b.astype(np.uint8)))


def test_bincount_errors() -> None:
    b = np.arange(3 * P)
    b[-1] = -1  # on the last rank only
    raised_everywhere(ValueError, lambda: hpa.bincount(make(b, 0)))
    raised_everywhere(TypeError, lambda: hpa.bincount(make(b.astype(float), 0)))
    raised_everywhere(ValueError, lambda: hpa.bincount(make(np.ones((2, 2), int), 0)))
    raised_everywhere(ValueError, lambda: hpa.bincount(make(np.arange(3), 0), minlength=-1))
    raised_everywhere(ValueError, lambda: hpa.bincount(make(np.arange(3), 0), weights=[1.0]))


@pytest.mark.parametrize("split", [None, 0, 1])
def test_digitize(split: int | None) -> None:
    a = data((2 * P + 1, 3), hpa.float64, seed=15) * 2
    a[0, 0], a[-1, -1] = np.nan, 1.0
    for bins in ([-1.0, 0.0, 1.0, 2.5], [2.5, 1.0, 0.0, -1.0], [0.0], [1, 1, 3]):
        for right in (False, True):
            for ragged in layouts(split):
                x = make(a, split, ragged=ragged)
                got = hpa.digitize(x, bins, right=right)
                assert_array(got, np.digitize(a, bins, right=right))
                assert got.split == split
    ints = data((7,), hpa.int32, seed=16)
    assert_array(
        hpa.digitize(make(ints, 0), make(np.array([-2, 0, 3]), 0)), np.digitize(ints, [-2, 0, 3])
    )
    raised_everywhere(ValueError, lambda: hpa.digitize(make(a, split), [0.0, 2.0, 1.0]))


@pytest.mark.parametrize("split", [None, 0, 1])
def test_histogram(split: int | None) -> None:
    a = data((3 * P + 1, 2), hpa.float64, seed=17)
    w = data(a.shape, hpa.float64, seed=18) ** 2
    f32 = a.astype(np.float32)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for kwargs in (
            {},
            {"bins": 4},
            {"bins": 3, "range": (-1.0, 0.5)},
            {"bins": [-2, 0, 0.5, 3]},
            {"bins": [-2, 0, 1, 3]},
        ):
            for extra in ({}, {"density": True}):
                got, edges = hpa.histogram(x, **kwargs, **extra)
                e_hist, e_edges = np.histogram(a, **kwargs, **extra)
                assert_array(got, e_hist, rtol=1e-12)
                assert_array(edges, e_edges)
        got, edges = hpa.histogram(x, bins=5, weights=make(w, 0))
        e_hist, e_edges = np.histogram(a, bins=5, weights=w)
        assert_array(got, e_hist, rtol=1e-12)
        assert_array(hpa.histogram(make(f32, split, ragged=ragged), 7)[1], np.histogram(f32, 7)[1])
    for special in (np.zeros((0, 2)), np.full((3, 2), 2.0), np.arange(6).reshape(3, 2)):
        got, edges = hpa.histogram(make(special, split), bins=3)
        e_hist, e_edges = np.histogram(special, bins=3)
        assert_array(got, e_hist)
        assert_array(edges, e_edges)
    bad = a.copy()
    bad[-1, -1] = np.nan
    raised_everywhere(ValueError, lambda: hpa.histogram(make(bad, split)))


# ---------------------------------------------------------------------------- communication
def _when_distributed(kind: str) -> dict[str, int]:
    """One ``kind`` at several processes; none at one, where the layout makes it unnecessary."""
    return {} if P == 1 else {kind: 1}


COLLECTIVES: list[tuple[str, dict[str, Any], dict[str, int], dict[str, int]]] = [
    # name, keyword arguments, over the split axis (0), over the other axis (1)
    ("nansum", {}, {"allreduce": 1}, {}),
    ("nanprod", {}, {"allreduce": 1}, {}),
    ("nanmean", {}, {"allreduce": 1}, {}),
    ("nanvar", {}, _when_distributed("allgather"), {}),
    ("nanstd", {"ddof": 1}, _when_distributed("allgather"), {}),
    ("nanmin", {}, {"allreduce": 1}, {}),
    ("nanmax", {}, {"allreduce": 1}, {}),
    ("nanargmin", {}, {"allgather": 1}, _when_distributed("allreduce")),
    ("nanargmax", {}, {"allgather": 1}, _when_distributed("allreduce")),
    ("nancumsum", {}, {"exscan": 1}, {}),
    ("ptp", {}, {"allgather": 1}, {}),
    ("count_nonzero", {}, {"allreduce": 1}, {}),
    ("average", {}, {"allreduce": 1}, {}),
    ("average", {"weights": "same"}, {"allreduce": 1}, _when_distributed("allreduce")),
    ("diff", {}, _when_distributed("alltoallv"), {}),
]


@pytest.mark.parametrize("name, kwargs, along, across", COLLECTIVES, ids=lambda v: str(v))
def test_collective_counts(
    name: str, kwargs: dict[str, Any], along: dict[str, int], across: dict[str, int]
) -> None:
    a = data((3 * P + 2, 4), hpa.float64, seed=19)
    a[1, 1] = np.nan
    # balanced for diff: a ragged cut at two processes leaves one block, which needs no rows
    x = make(a, 0, ragged=name != "diff")
    if kwargs.get("weights") == "same":
        kwargs = {"weights": make(np.abs(a) + 1, 0, ragged=True)}
    for axis, expected in ((0, along), (1, across)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            with hpa.count_collectives() as stats:
                getattr(hpa, name)(x, axis=axis, **kwargs)
        assert dict(stats.counts) == expected, f"{name} axis={axis}: {stats}"


def test_collective_counts_of_counting() -> None:
    b = np.arange(3 * P + 2) % 5
    x = make(b, 0, ragged=True)
    w = make(b.astype(float), 0, ragged=True)
    with hpa.count_collectives() as stats:
        hpa.bincount(x, weights=w)
    assert dict(stats.counts) == ({} if P == 1 else {"allreduce": 2})
    with hpa.count_collectives() as stats:
        hpa.digitize(x, [1, 3])
        hpa.bincount(make(b, None))
    assert stats.total == 0
    for kwargs, kinds in (({}, 2), ({"range": (0, 5)}, 1)):
        with hpa.count_collectives() as stats:
            hpa.histogram(x, **kwargs)
        assert dict(stats.counts) == ({} if P == 1 else {"allreduce": kinds})
