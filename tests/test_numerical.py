"""gradient, trapezoid, interp and the top-level convolve against NumPy.

Every function is checked for every split (None and each axis), balanced and ragged blocks and
fewer rows than processes; then for dtypes, data-dependent corners (NaN, repeated sample
points), errors raised on every rank, and the collectives each one may issue.

Every rank runs the same calls in the same order, and every check compares gathered data, so
all ranks reach the same verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, case_id, cases, data, make, raised_everywhere

import hpa

SHAPES = [(1,), (2,), (3,), (7,), (3, 5), (5, 2), (1, 4), (2, 3, 4), (0, 3)]


def layouts(split: int | None) -> tuple[bool, ...]:
    return (False, True) if split is not None else (False,)


def check(got: Callable[[], Any], want: Callable[[], Any], **tol: float) -> None:
    """``got()`` equals NumPy's ``want()`` (each array of a tuple), or both raise the same
    kind of error (on every rank; where NumPy trips over an IndexError of its own, as for a
    coordinate vector of one point, hpa raises ValueError)."""
    try:
        expected = want()
    except (TypeError, ValueError, IndexError) as error:
        raised_everywhere(TypeError if isinstance(error, TypeError) else ValueError, got)
        return
    result = got()
    if isinstance(expected, tuple):
        assert isinstance(result, tuple) and len(result) == len(expected)
        for r, e in zip(result, expected):
            assert_array(r, e, **tol)
    else:
        assert_array(result, expected, **tol)


def coordinates(shape: tuple[int, ...], seed: int = 5) -> list[np.ndarray]:
    """Increasing, unevenly spaced coordinates for each axis."""
    rng = np.random.default_rng(seed)
    return [np.cumsum(rng.random(n) + 0.2) for n in shape]


# ---------------------------------------------------------------------------- gradient
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_gradient_matches_numpy(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = data(shape, seed=1)
    coords = coordinates(shape)
    tol = {"rtol": 1e-10, "atol": 1e-10}
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        for order in (1, 2):
            check(lambda: hpa.gradient(x, edge_order=order), lambda: np.gradient(a, edge_order=order), **tol)
            check(lambda: hpa.gradient(x, 0.5, edge_order=order), lambda: np.gradient(a, 0.5, edge_order=order), **tol)
            check(
                lambda: hpa.gradient(x, *coords, edge_order=order),
                lambda: np.gradient(a, *coords, edge_order=order), **tol,
            )  # fmt: skip
            last = coords[-1]
            check(
                lambda: hpa.gradient(x, make(last, 0), axis=-1, edge_order=order),
                lambda: np.gradient(a, last, axis=-1, edge_order=order), **tol,
            )  # fmt: skip
        if x.ndim > 1:
            check(lambda: hpa.gradient(x, 2.0, 3, axis=(1, 0)), lambda: np.gradient(a, 2.0, 3, axis=(1, 0)), **tol)
        got = hpa.gradient(x, axis=0) if min(shape) > 1 else None
        if got is not None:
            assert got.split == x.split and got.lshape == x.lshape  # the input's layout


def test_gradient_uniform_coordinates_and_dtypes() -> None:
    a = data((9, 4), seed=2)
    even = np.arange(9) * 0.25  # equal steps: NumPy's scalar path
    for split in (None, 0, 1):
        x = make(a, split)
        check(lambda: hpa.gradient(x, even, 1.0), lambda: np.gradient(a, even, 1.0), rtol=1e-12)
        for dtype in (hpa.int32, hpa.uint8, hpa.float32, hpa.complex128):
            b = data((9, 4), dtype, seed=3)
            y = make(b, split, ragged=True)
            single = dtype is hpa.float32
            check(lambda: hpa.gradient(y, axis=0, edge_order=2),
                  lambda: np.gradient(b, axis=0, edge_order=2),
                  rtol=1e-5 if single else 1e-12, atol=1e-5 if single else 1e-12)  # fmt: skip
    b = data((7,), hpa.float16, seed=4)
    check(lambda: hpa.gradient(make(b, 0)), lambda: np.gradient(b), rtol=2e-2, atol=2e-2)
    inf = np.array([0.0, 1.0, np.inf, 3.0, 4.0, np.nan, 6.0])
    check(lambda: hpa.gradient(make(inf, 0)), lambda: np.gradient(inf))


def test_gradient_errors_everywhere() -> None:
    x = make(data((6, 3)), 0)
    raised_everywhere(TypeError, lambda: hpa.gradient(make(np.ones(4, bool), 0)))
    raised_everywhere(ValueError, lambda: hpa.gradient(x, edge_order=3))
    raised_everywhere(TypeError, lambda: hpa.gradient(x, 1.0, 2.0, 3.0))
    raised_everywhere(ValueError, lambda: hpa.gradient(x, np.arange(5.0), 1.0))
    raised_everywhere(ValueError, lambda: hpa.gradient(x, np.ones((6, 1)), 1.0))
    raised_everywhere(ValueError, lambda: hpa.gradient(make(data((2, 3)), 0), edge_order=2))
    raised_everywhere(ValueError, lambda: hpa.gradient(x, axis=(0, 0)))


def test_gradient_communicates_one_halo() -> None:
    x = make(data((4 * P + 3, 5)), 0, ragged=True)
    with hpa.count_collectives() as stats:
        hpa.gradient(x, axis=0, edge_order=2)
    assert dict(stats.counts) == ({} if P == 1 else {"alltoallv": 1})
    with hpa.count_collectives() as stats:
        hpa.gradient(x, axis=1)
        hpa.gradient(make(data((7, 3)), None))
    assert stats.total == 0


# ---------------------------------------------------------------------------- trapezoid
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_trapezoid_matches_numpy(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = data(shape, seed=6)
    tol = {"rtol": 1e-10, "atol": 1e-10}
    for ragged in layouts(split):
        y = make(a, split, ragged=ragged)
        for axis in [-1, *range(len(shape))]:
            n = shape[axis]
            check(lambda: hpa.trapezoid(y, axis=axis), lambda: np.trapezoid(a, axis=axis), **tol)
            check(lambda: hpa.trapezoid(y, dx=0.3, axis=axis), lambda: np.trapezoid(a, dx=0.3, axis=axis), **tol)
            xs = coordinates((n,), seed=7)[0]
            check(lambda: hpa.trapezoid(y, make(xs, 0, ragged=True), axis=axis),
                  lambda: np.trapezoid(a, xs, axis=axis), **tol)  # fmt: skip
            xn = np.cumsum(data(shape, seed=8) ** 2 + 0.1, axis=axis)
            for xsplit in [None, *range(len(shape))]:
                check(lambda: hpa.trapezoid(y, make(xn, xsplit), axis=axis),
                      lambda: np.trapezoid(a, xn, axis=axis), **tol)  # fmt: skip


def test_trapezoid_dtypes_broadcast_and_errors() -> None:
    for split in (None, 0, 1):
        for dtype in (hpa.int8, hpa.int64, hpa.uint8, hpa.float32, hpa.complex128):
            b = data((7, 4), dtype, seed=9)
            y = make(b, split, ragged=True)
            single = dtype is hpa.float32
            check(lambda: hpa.trapezoid(y, axis=0), lambda: np.trapezoid(b, axis=0),
                  rtol=1e-5 if single else 1e-12, atol=1e-5 if single else 1e-12)  # fmt: skip
        a = data((7, 4), seed=10)
        col = np.cumsum(np.arange(1.0, 8.0))[:, None]  # broadcasts along axis 1
        check(lambda: hpa.trapezoid(make(a, split), make(col, 0), axis=0),
              lambda: np.trapezoid(a, col, axis=0), rtol=1e-12)  # fmt: skip
    y = make(data((6, 3)), 0)
    raised_everywhere(TypeError, lambda: hpa.trapezoid(make(np.ones(5, bool), 0)))
    raised_everywhere(ValueError, lambda: hpa.trapezoid(y, np.arange(5.0), axis=0))
    raised_everywhere(ValueError, lambda: hpa.trapezoid(y, np.ones((6, 2)), axis=0))
    raised_everywhere(IndexError, lambda: hpa.trapezoid(y, axis=2))


def test_trapezoid_communication() -> None:
    y = make(data((3 * P + 2, 4)), 0, ragged=True)
    x = np.cumsum(np.arange(1.0, 3 * P + 3))
    with hpa.count_collectives() as stats:
        hpa.trapezoid(y, axis=0)
    assert dict(stats.counts) == {"allreduce": 1}  # the sum, counted at one process too
    with hpa.count_collectives() as stats:
        hpa.trapezoid(y, x, axis=0)
    assert dict(stats.counts) == ({"allreduce": 1} if P == 1 else {"allreduce": 1, "alltoallv": 1})
    with hpa.count_collectives() as stats:
        hpa.trapezoid(y, axis=1)
    assert stats.total == 0


# ---------------------------------------------------------------------------- interp
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_interp_matches_numpy(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    a = data(shape, seed=11) * 3
    rng = np.random.default_rng(12)
    xp = np.sort(rng.uniform(-4, 4, 9))
    fp = rng.standard_normal(9)
    for ragged in layouts(split):
        x = make(a, split, ragged=ragged)
        check(lambda: hpa.interp(x, xp, fp), lambda: np.interp(a, xp, fp))
        check(lambda: hpa.interp(x, make(xp, 0), make(fp, 0, ragged=True), left=-9, right=9.5),
              lambda: np.interp(a, xp, fp, left=-9, right=9.5))  # fmt: skip
        check(lambda: hpa.interp(x, xp, fp + 2j * fp), lambda: np.interp(a, xp, fp + 2j * fp))
        check(lambda: hpa.interp(x, xp, fp, period=2.5), lambda: np.interp(a, xp, fp, period=2.5), rtol=1e-12)
        got = hpa.interp(x, xp, fp)
        assert got.split == x.split and got.lshape == x.lshape


def test_interp_corners_dtypes_and_errors() -> None:
    x = np.array([np.nan, -1.0, 0.0, 1.0, 1.5, 2.0, 2.5, 3.0, 9.0])
    for split in (None, 0):
        h = make(x, split, ragged=True)
        check(lambda: hpa.interp(h, [1, 1, 2, 3], [3, 4, 5, 5]), lambda: np.interp(x, [1, 1, 2, 3], [3, 4, 5, 5]))
        check(lambda: hpa.interp(h, [1.0], [7.0]), lambda: np.interp(x, [1.0], [7.0]))
        check(lambda: hpa.interp(h, [0, 1, 2], [0, np.inf, 0]), lambda: np.interp(x, [0, 1, 2], [0, np.inf, 0]))
        check(lambda: hpa.interp(h, [0, 1, 2], [1 + 1j, 2, 3j], left=5j), lambda: np.interp(x, [0, 1, 2], [1 + 1j, 2, 3j], left=5j))
        for dtype in (hpa.int32, hpa.float32, hpa.uint8):
            b = data((8,), dtype, seed=13)
            check(lambda: hpa.interp(make(b, split), [0, 2, 4], [1, -1, 3]), lambda: np.interp(b, [0, 2, 4], [1, -1, 3]))
    check(lambda: hpa.interp(1.25, [1, 2], [10, 20]), lambda: np.asarray(np.interp(1.25, [1, 2], [10, 20])))
    h = make(x, 0)
    raised_everywhere(ValueError, lambda: hpa.interp(h, [], []))
    raised_everywhere(ValueError, lambda: hpa.interp(h, [1, 2], [1, 2, 3]))
    raised_everywhere(ValueError, lambda: hpa.interp(h, [[1, 2]], [[1, 2]]))
    raised_everywhere(ValueError, lambda: hpa.interp(h, [1, 2], [1, 2], period=0))
    raised_everywhere(TypeError, lambda: hpa.interp(make(np.ones(3) * 1j, 0), [1, 2], [1, 2]))
    with hpa.count_collectives() as stats:
        hpa.interp(h, [1, 2], [1, 2])
    assert stats.total == 0


# ---------------------------------------------------------------------------- convolve
@pytest.mark.parametrize("n,k", [(7, 3), (3, 7), (1, 4), (6, 6)], ids=str)
def test_convolve_is_numpys(n: int, k: int) -> None:
    assert hpa.convolve is hpa.signal.convolve
    for dtype in (hpa.float64, hpa.int8, hpa.uint8, hpa.int64, hpa.bool_, hpa.complex128):
        a, v = data((n,), dtype, seed=n, low=-100, high=100), data((k,), dtype, seed=k, low=-100, high=100)
        for la, lv in ((None, None), (0, None), (None, 0), (0, 0)):
            for mode in ("full", "same", "valid"):
                assert_array(hpa.convolve(make(a, la, ragged=True), make(v, lv), mode),
                             np.convolve(a, v, mode), rtol=1e-12)  # fmt: skip
