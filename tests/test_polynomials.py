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
    raised_before_communicating(ValueError, lambda: hpa.roots(make(np.ones((2, 2)), 0)))


# ---------------------------------------------------------------------------- the legacy API
def coefficients(values: Any, layout: tuple[int | None, bool]) -> Any:
    """``values`` as an hpa array laid out as ``layout`` (lists and scalars stay as they are
    for the replicated layout: NumPy's dtypes of Python data)."""
    if (layout[0] is None and not isinstance(values, np.ndarray)) or np.ndim(values) == 0:
        return values
    return make(np.asarray(values), layout[0], ragged=layout[1])


def raised_before_communicating(exc: type[BaseException], fn: Any) -> None:
    """``fn()`` raises ``exc`` on every rank, and no rank communicated before raising it."""
    with hpa.count_collectives() as stats:
        with pytest.raises(exc):
            fn()
    assert stats.total == 0
    raised_everywhere(exc, fn)


def same_poly(got: Any, want: Any, rtol: float = 1e-12) -> None:
    """``got`` (replicated coefficients, or a poly1d of them) equals NumPy's ``want``."""
    if isinstance(want, np.poly1d):
        assert isinstance(got, hpa.poly1d)
        assert got.variable == want.variable
        got, want = got.coeffs, want.coeffs
    assert isinstance(got, hpa.Array) and got.split is None
    assert_array(got, want, rtol=rtol, atol=1e-12)


PAIRS = [
    ([1, 2], [3, 4, 5]),
    ([1.5, -2.0, 0.5, 4.0], [2.0]),
    (np.array([1, 2], np.float32), [3, 4, 5]),
    (np.array([1, -1, 2], np.int8), np.array([3, 0, 1, 1, 2], np.int8)),
    (np.array([True, False]), np.array([True, True, True])),
    ([1 + 2j, 3], [0.5, 1.0, -1.0]),
    ([0, 0, 1, 2], [3, 4]),
    (3.0, [1, 2, 3]),
    ([0], [0.0, 0.0]),
    (np.zeros(0), [1.0, 2.0]),
]


@pytest.mark.parametrize("pair", range(len(PAIRS)))
def test_polyadd_polysub_polymul(pair: int) -> None:
    a1, a2 = PAIRS[pair]
    for l1, l2 in [(LAYOUTS[0], LAYOUTS[0]), (LAYOUTS[1], LAYOUTS[0]), (LAYOUTS[0], LAYOUTS[2]), (LAYOUTS[2], LAYOUTS[1])]:
        x, y = coefficients(a1, l1), coefficients(a2, l2)
        same_poly(hpa.polyadd(x, y), np.polyadd(a1, a2))
        same_poly(hpa.polymul(x, y), np.polymul(a1, a2))
        if np.asarray(a1).dtype == bool:  # NumPy has no boolean subtraction
            raised_everywhere(TypeError, lambda: hpa.polysub(x, y))
            continue
        same_poly(hpa.polysub(x, y), np.polysub(a1, a2))
        same_poly(hpa.polysub(y, x), np.polysub(a2, a1))
    functions = [(hpa.polyadd, np.polyadd), (hpa.polymul, np.polymul)]
    for fn, ref in functions + ([] if np.asarray(a1).dtype == bool else [(hpa.polysub, np.polysub)]):
        same_poly(fn(hpa.poly1d(a1), a2), ref(np.poly1d(a1), a2))
        same_poly(fn(a1, hpa.poly1d(a2)), ref(a1, np.poly1d(a2)))


def test_polynomial_arithmetic_errors_and_dispatch() -> None:
    m = make(np.ones((2, 2)), 0)
    raised_before_communicating(ValueError, lambda: hpa.polyadd(m, make(np.ones(3), 0)))
    raised_before_communicating(ValueError, lambda: hpa.polysub(make(np.ones(3), 0), m))
    raised_before_communicating(ValueError, lambda: hpa.polyadd(m, make(np.ones((2, 3)), 0)))
    raised_before_communicating(ValueError, lambda: hpa.polymul(m, [1, 2]))
    raised_before_communicating(ValueError, lambda: hpa.polydiv(m, [1.0]))
    raised_before_communicating(IndexError, lambda: hpa.polydiv(make(np.zeros(0), 0), [1.0]))
    raised_before_communicating(IndexError, lambda: hpa.polydiv(make(np.ones(3), 0), []))
    two = np.ones((2, 2))
    assert_array(hpa.polyadd(make(two, 0), two), np.polyadd(two, two))  # NumPy's 2-D quirk
    got = np.polyadd(make(np.array([1.0, 2.0]), 0), np.array([1.0]))  # NumPy dispatches to hpa
    assert isinstance(got, hpa.Array)
    assert_array(got, [1.0, 3.0])
    with hpa.count_collectives() as stats:
        hpa.polymul(hpa.polyadd([1.0, 2.0], [3.0]), [1.0, -1.0])
    assert stats.total == 0


@pytest.mark.parametrize("m", [0, 1, 2, 3, 5])
def test_polyder_polyint(m: int) -> None:
    polys = [[1, 2, 3, 4], np.array([2.5, -1.0, 0.5], np.float32), [True, False, True], [1j, 2, 3], [7.0], np.zeros(0), np.array([3, 1], np.int8)]
    for p in polys:
        for layout in LAYOUTS:
            x = coefficients(p, layout)
            same_poly(hpa.polyder(x, m), np.polyder(p, m))
            same_poly(hpa.polyint(x, m), np.polyint(p, m))
            same_poly(hpa.polyint(x, m, k=2.5), np.polyint(p, m, k=2.5))
            ks = list(np.arange(1.0, m + 2))  # one more than needed: ignored, as in NumPy
            same_poly(hpa.polyint(x, m, k=coefficients(ks, layout)), np.polyint(p, m, k=ks))
        same_poly(hpa.polyint(p, m, k=1j), np.polyint(p, m, k=1j))
        same_poly(hpa.polyder(hpa.poly1d(p), m), np.polyder(np.poly1d(p), m))
        same_poly(hpa.polyint(hpa.poly1d(p), m, k=3), np.polyint(np.poly1d(p), m, k=3))
    same_poly(hpa.polyder([1, 2, 3], 1.7), np.polyder([1, 2, 3], 1.7))  # int(m), as NumPy


def test_polyder_polyint_errors_everywhere() -> None:
    p = make(np.array([1.0, 2.0, 3.0]), 0)
    raised_before_communicating(ValueError, lambda: hpa.polyder(p, -1))
    raised_before_communicating(ValueError, lambda: hpa.polyint(p, -1))
    raised_before_communicating(ValueError, lambda: hpa.polyint(p, 3, k=[1.0, 2.0]))
    raised_before_communicating(ValueError, lambda: hpa.polyint(p, 1, k=make(np.zeros(0), 0)))
    raised_before_communicating(TypeError, lambda: hpa.polyder(3.0))
    raised_before_communicating(TypeError, lambda: hpa.polyint(3.0))
    assert_array(hpa.polyint(3.0, 0), np.polyint(3.0, 0))


DIVISIONS = [
    ([3, 5, 2], [2, 1]),
    ([1.0, -3.0, 2.0], [1.0, -1.0]),
    ([1, 2], [1, 2, 3]),
    (np.array([1, 2, 3], np.float32), [3.0]),
    (np.array([1, 2, 3], np.float32), np.array([2, 1], np.float32)),
    (np.array([1, 2], np.float16), np.array([3], np.float16)),
    ([1 + 1j, 2, 3j, 1], [1, 1j]),
    ([2.0, 4.0, 1e-9], [1.0, 2.0]),  # a near-zero remainder is kept as one coefficient
    ([4.0, 5.0, 6.0, 7.0, 8.0, 9.0], [2.0, 0.0, 1.0]),
    (5.0, [2.0]),
    ([True, True], [True]),
]


@pytest.mark.parametrize("case", range(len(DIVISIONS)))
def test_polydiv(case: int) -> None:
    u, v = DIVISIONS[case]
    want = np.polydiv(u, v)
    for lu, lv in [(LAYOUTS[0], LAYOUTS[0]), (LAYOUTS[1], LAYOUTS[0]), (LAYOUTS[2], LAYOUTS[2])]:
        got = hpa.polydiv(coefficients(u, lu), coefficients(v, lv))
        assert isinstance(got, tuple) and len(got) == 2
        same_poly(got[0], want[0], 1e-6)
        same_poly(got[1], want[1], 1e-6)
    q, r = hpa.polydiv(hpa.poly1d(u), v)
    nq, nr = np.polydiv(np.poly1d(u), v)
    same_poly(q, nq, 1e-6)
    same_poly(r, nr, 1e-6)


ROOTS = [
    [1, 2, 3],
    [2.0],
    np.array([0.5, -1.5, 2.0], np.float32),
    np.array([1 + 1j, 1 - 1j, 3], np.complex64),
    [1 + 1j, 2],
    [1, 1, 1, 1],
    np.array([True, False]),
    np.array([0.5, 2.0], np.float16),
    np.arange(7.0) - 3,
]


@pytest.mark.parametrize("case", range(len(ROOTS)))
def test_poly_from_roots(case: int) -> None:
    zs = ROOTS[case]
    want = np.poly(zs)
    for layout in LAYOUTS:
        same_poly(hpa.poly(coefficients(zs, layout)), want, 1e-6)
    same_poly(hpa.poly(hpa.poly1d(zs)), np.poly(np.poly1d(zs)), 1e-6)


def test_poly_of_a_matrix() -> None:
    rng = np.random.default_rng(7)
    for n in (1, 2, 5):
        b = rng.standard_normal((n, n))
        sym = b + b.T
        for split in (None, 0, 1):
            for ragged in (False, True):
                got = hpa.poly(make(sym, split, ragged=ragged))
                same_poly(got, np.poly(sym), 1e-8)
        herm = b + 1j * rng.standard_normal((n, n))
        herm = herm + herm.conj().T
        got = hpa.poly(make(herm, 0))  # real coefficients (NumPy's carry rounding noise)
        assert_array(got, np.poly(herm).real, rtol=1e-8, atol=1e-8)
    ints = np.array([[2, 1], [1, 2]])
    same_poly(hpa.poly(make(ints, 0)), np.poly(ints), 1e-12)
    f32 = np.array([[2.0, 1.0], [1.0, 3.0]], np.float32)
    same_poly(hpa.poly(make(f32, 1)), np.poly(f32), 1e-5)
    assert hpa.poly([]) == np.poly([]) == 1.0


def test_poly_errors_everywhere() -> None:
    raised_everywhere(NotImplementedError, lambda: hpa.poly(make(np.array([[1.0, 2.0], [3.0, 4.0]]), 0)))
    raised_everywhere(NotImplementedError, lambda: hpa.poly(make(np.array([[1.0, 2.0], [3.0, 4.0]]), None)))
    raised_before_communicating(ValueError, lambda: hpa.poly(make(np.ones((2, 3)), 0)))
    raised_before_communicating(ValueError, lambda: hpa.poly(make(np.ones((0, 0)), 0)))
    raised_before_communicating(ValueError, lambda: hpa.poly(make(np.ones((2, 2, 2)), 0)))
    raised_before_communicating(TypeError, lambda: hpa.poly(make(np.eye(2, dtype=np.float16), 0)))


# ---------------------------------------------------------------------------- poly1d
POLYS = [[1, 2, 3], [0, 0, 2.5, -1.0], [1 + 2j, -2.5, 3j, 1], [0], [0.0, 0.0], np.array([1, -3, 2], np.int8), [4.0], np.arange(30.0) - 12.0]


@pytest.mark.parametrize("case", range(len(POLYS)))
def test_poly1d_matches_numpy(case: int) -> None:
    c = POLYS[case]
    want = np.poly1d(c)
    for layout in LAYOUTS:
        p = hpa.poly1d(coefficients(c, layout))
        same_poly(p, want)
        assert p.order == want.order == len(p) == p.o
        assert repr(p) == repr(want) and str(p) == str(want)
        for alias in ("c", "coef", "coefficients"):
            assert getattr(p, alias) is p.coeffs
        for k in range(-1, want.order + 3):
            assert_array(p[k], np.asarray(want[k]), rtol=1e-12)
    p, q = hpa.poly1d(c), hpa.poly1d([2.0, -1.0])
    nq = np.poly1d([2.0, -1.0])
    same_poly(-p, -want)
    same_poly(+p, +want)
    for other, nother in [(q, nq), ([1, 1], [1, 1]), (3, 3), (np.float32(2.0), np.float32(2.0))]:
        same_poly(p + other, want + nother)
        same_poly(p - other, want - nother)
        same_poly(p * other, want * nother)
        if not isinstance(other, np.generic):  # a NumPy scalar on the left makes NumPy arrays
            same_poly(other + p, nother + want)
            same_poly(other - p, nother - want)
            same_poly(other * p, nother * want)
    for got, wanted in [(p / q, want / nq), (p / 2, want / 2), (2.0 / q, 2.0 / nq)]:
        if isinstance(wanted, tuple):
            same_poly(got[0], wanted[0], 1e-10)
            same_poly(got[1], wanted[1], 1e-10)
        else:
            same_poly(got, wanted)
    for n in (0, 1, 3):
        same_poly(p**n, want**n, 1e-10)
    same_poly(p.deriv(), want.deriv())
    same_poly(p.deriv(2), want.deriv(2))
    same_poly(p.integ(), want.integ())
    same_poly(p.integ(2, k=[1.0, 2.0]), want.integ(2, k=[1.0, 2.0]))
    assert_array(p.roots, want.roots, rtol=1e-7, atol=1e-7)
    assert_array(p.r, want.r, rtol=1e-7, atol=1e-7)
    assert np.array_equal(np.asarray(p), np.asarray(want))
    assert [v.item() for v in p] == list(want)


def test_poly1d_construction() -> None:
    p = hpa.poly1d([1, 2], r=True)
    same_poly(p, np.poly1d([1, 2], r=True))
    z = hpa.poly1d(make(np.array([1.0, 2.0, 3.0]), 0, ragged=True), variable="z")
    same_poly(z, np.poly1d([1.0, 2.0, 3.0], variable="z"))
    assert str(z) == str(np.poly1d([1.0, 2.0, 3.0], variable="z"))
    copy = hpa.poly1d(z)
    assert copy.coeffs is z.coeffs and copy.variable == "z"
    assert hpa.poly1d(z, variable="t").variable == "t"
    same_poly(hpa.poly1d([], r=True), np.poly1d([], r=True))
    raised_before_communicating(ValueError, lambda: hpa.poly1d(make(np.ones((2, 2)), 0)))
    raised_everywhere(AttributeError, lambda: setattr(z, "coeffs", hpa.array([1.0])))
    z.coeffs *= 2  # in place: allowed, as in NumPy
    same_poly(z, np.poly1d([2.0, 4.0, 6.0], variable="z"))


def test_poly1d_comparison_and_items() -> None:
    p = hpa.poly1d([1, 2, 3])
    assert p == hpa.poly1d([1.0, 2.0, 3.0]) and not (p != hpa.poly1d([1.0, 2.0, 3.0]))
    assert p != hpa.poly1d([1, 2]) and not (p == hpa.poly1d([1, 2]))
    assert p != hpa.poly1d([1, 2, 4])
    assert (p == [1, 2, 3]) is False  # NotImplemented on both sides: identity
    with pytest.raises(TypeError):
        hash(p)
    q, nq = hpa.poly1d([1.0, 2.0, 3.0]), np.poly1d([1.0, 2.0, 3.0])
    q[1], nq[1] = 5.0, 5.0
    q[4], nq[4] = 2.0, 2.0
    same_poly(q, nq)
    raised_everywhere(ValueError, lambda: q.__setitem__(-1, 1.0))
    raised_everywhere(ValueError, lambda: p**-1)
    raised_everywhere(ValueError, lambda: p**1.5)
    raised_everywhere(ValueError, lambda: p ** [2])


@pytest.mark.parametrize("split", [None, 0, 1])
def test_poly1d_evaluation_keeps_the_layout(split: int | None) -> None:
    a = data((7, 3), seed=5)
    x = make(a, split, ragged=True)
    p, want = hpa.poly1d([2.0, -1.0, 0.5]), np.poly1d([2.0, -1.0, 0.5])
    with hpa.count_collectives() as stats:
        y = p(x)
    assert stats.total == 0
    assert y.split == x.split and y.lshape == x.lshape
    assert_array(y, want(a), rtol=1e-12)
    assert_array(p(2.0), np.asarray(want(2.0)))
    assert_array(hpa.polyval(p, x), np.polyval(want, a), rtol=1e-12)
    same_poly(p(hpa.poly1d([1.0, 1.0])), want(np.poly1d([1.0, 1.0])))  # composition
    ints = hpa.poly1d(np.array([1, 2], np.int32))
    assert_array(ints(make(np.arange(5), split if split != 1 else 0)), np.poly1d(np.array([1, 2], np.int32))(np.arange(5)))
