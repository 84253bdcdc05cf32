"""polyfit, polyval and roots against NumPy: samples replicated, split, ragged and fewer than
the processes; one and several sets of values, weights, ``full`` and ``cov``; the warnings and
errors on every rank, and the collectives of a distributed fit.

Every rank runs the same calls in the same order, and every check compares gathered data, so
all ranks reach the same verdict.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere

import hpa

LAYOUTS = [(None, False), (0, False), (0, True)]


def samples(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Points, one set of values, three sets of values, weights."""
    rng = np.random.default_rng(n)
    x = np.linspace(-1.5, 2.0, n) + 0.01 * rng.random(n)
    return x, rng.standard_normal(n), rng.standard_normal((n, 3)), rng.random(n) + 0.5


def fit(*args: Any, **kwargs: Any) -> tuple[Any, bool]:
    """The fit and whether it warned (NumPy's RankWarning)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = args[0](*args[1:], **kwargs)
    return out, any(issubclass(w.category, np.exceptions.RankWarning) for w in caught)


def same(got: Any, want: Any, rtol: float = 1e-8) -> None:
    """Each part of a fit equals NumPy's (arrays compared gathered; the rank and rcond as
    numbers)."""
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w, rtol)
    elif isinstance(got, hpa.Array):
        assert_array(got, want, rtol=rtol, atol=1e-9)
    else:
        assert got == pytest.approx(want)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 40])
@pytest.mark.parametrize("lx", LAYOUTS, ids=str)
@pytest.mark.parametrize("ly", LAYOUTS + [(1, False)], ids=str)
def test_polyfit_matches_numpy(n: int, lx: Any, ly: Any) -> None:
    x, y, ys, w = samples(n)
    hx = make(x, lx[0], ragged=lx[1])
    values = ys if ly[0] == 1 else y
    hy = make(values, ly[0], ragged=ly[1])
    for deg in (0, 1, 3):
        got, warned = fit(hpa.polyfit, hx, hy, deg)
        want, np_warned = fit(np.polyfit, x, values, deg)
        same(got, want)
        assert warned == np_warned
        assert got.split is None  # replicated coefficients
        same(fit(hpa.polyfit, hx, hy, deg, w=make(w, 0))[0], fit(np.polyfit, x, values, deg, w=w)[0])
        same(hpa.polyfit(hx, hy, deg, full=True), np.polyfit(x, values, deg, full=True))
        same(hpa.polyfit(hx, hy, deg, rcond=1e-3, full=True), np.polyfit(x, values, deg, rcond=1e-3, full=True))
        if n > deg + 1:
            same(hpa.polyfit(hx, hy, deg, cov=True), np.polyfit(x, values, deg, cov=True), 1e-7)
        if n > deg:
            same(hpa.polyfit(hx, hy, deg, cov="unscaled"), np.polyfit(x, values, deg, cov="unscaled"), 1e-7)


def test_polyfit_exact_and_dtypes() -> None:
    x = np.arange(-5, 12)
    y = 3 * x**2 - x + 7
    for lx in LAYOUTS:
        hx = make(x, lx[0], ragged=lx[1])
        assert_array(hpa.polyfit(hx, make(y, 0), 2), [3.0, -1.0, 7.0], rtol=1e-9)  # ints: float64
        for dtype in (np.float32, np.float16):  # float64 coefficients, the rcond of dtype
            low = hpa.polyfit(hx.astype(dtype), make(y.astype(np.float32), 0), 2, full=True)
            same(low, np.polyfit(x.astype(dtype), y.astype(np.float32), 2, full=True), 1e-6)
    yc = y + 1j * x
    assert_array(hpa.polyfit(make(x, 0), make(yc, 0), 2), np.polyfit(x, yc, 2), rtol=1e-9, atol=1e-9)


def test_polyfit_errors_everywhere() -> None:
    x = make(np.arange(6.0), 0)
    raised_everywhere(ValueError, lambda: hpa.polyfit(x, x, -1))
    raised_everywhere(TypeError, lambda: hpa.polyfit(make(np.ones((3, 2)), 0), x, 1))
    raised_everywhere(TypeError, lambda: hpa.polyfit(make(np.zeros(0), 0), make(np.zeros(0), 0), 1))
    raised_everywhere(TypeError, lambda: hpa.polyfit(x, make(np.ones((6, 2, 2)), 0), 1))
    raised_everywhere(TypeError, lambda: hpa.polyfit(x, make(np.ones(5), 0), 1))
    raised_everywhere(TypeError, lambda: hpa.polyfit(x, x, 1, w=np.ones((6, 1))))
    raised_everywhere(TypeError, lambda: hpa.polyfit(x, x, 1, w=np.ones(4)))
    raised_everywhere(ValueError, lambda: hpa.polyfit(x, x, 5, cov=True))
    raised_everywhere(TypeError, lambda: hpa.polyfit(x, x.astype(hpa.float16), 1))


def test_polyfit_keeps_the_samples_in_place() -> None:
    x, y, _, _ = samples(20 * P)
    hx, hy = make(x, 0), make(y, 0)
    with hpa.count_collectives() as stats:
        hpa.polyfit(hx, hy, 3)
    # the column norms; then lstsq: TSQR's R factors, U^H y and the residuals
    want = {"allreduce": 1} if P == 1 else {"allreduce": 3, "allgatherv": 1}
    assert dict(stats.counts) == want


@pytest.mark.parametrize("split", [None, 0, 1])
def test_polyval(split: int | None) -> None:
    a = data((5, 4), seed=3)
    for p in ([2.0, -1.0, 0.5], [3], [], [1, 2, 3, 4, 5]):
        for lp in (None, 0):
            got = hpa.polyval(make(np.asarray(p, dtype=float), lp), make(a, split, ragged=True))
            assert_array(got, np.polyval(np.asarray(p, dtype=float), a), rtol=1e-12)
    ints = data((6,), hpa.int32, seed=4)
    assert_array(hpa.polyval([1, -2, 3], make(ints, 0)), np.polyval([1, -2, 3], ints))
    assert_array(hpa.polyval(np.array([1, 2], np.float32), make(ints, 0)), np.polyval(np.array([1, 2], np.float32), ints), rtol=1e-6)
    two = np.arange(6.0).reshape(3, 2)  # one polynomial per column
    assert_array(hpa.polyval(two, make(np.array([0.5, 2.0]), 0)), np.polyval(two, [0.5, 2.0]))
    assert_array(hpa.polyval([1.0, 2.0], 3.0), np.asarray(np.polyval([1.0, 2.0], 3.0)))
    with hpa.count_collectives() as stats:
        hpa.polyval([1.0, 2.0], make(a, split))
    assert stats.total == 0
    raised_everywhere(TypeError, lambda: hpa.polyval(2.0, make(a, split)))


def test_roots() -> None:
    for p in ([1.0, -3.0, 2.0], [1.0, 0.0, 1.0], [2.0], [0.0, 0.0, 1.0, -1.0], [1, -6, 11, -6]):
        for lp in (None, 0):
            got = hpa.roots(make(np.asarray(p), lp))
            want = np.roots(p)
            assert got.split is None
            assert_array(got, want, rtol=1e-10, atol=1e-12)
    raised_everywhere(ValueError, lambda: hpa.roots(make(np.ones((2, 2)), 0)))
