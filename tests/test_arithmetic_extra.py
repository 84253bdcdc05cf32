"""hpa.ops.arithmetic against NumPy: divmod, modf, gcd, lcm, fabs, logaddexp2, angle,
degrees, radians and sgn.

Every function is checked for every dtype NumPy accepts (and NumPy's error class where it does
not), every split of 1-D to 3-D shapes with balanced, ragged and empty blocks, Python scalars
on either side, ``out=``, special values (signed zeros, infinities, NaN), operands of different
layouts and the collectives each call issues. Every check gathers on every rank.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import P, SHAPES, assert_array, case_id, cases, data, make, raised_everywhere

import hpa
from hpa.core.dispatch import OPS

DTYPES = [
    hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64, hpa.float16, hpa.bfloat16,
    hpa.float32, hpa.float64, hpa.complex64, hpa.complex128,
]  # fmt: skip
BINARY = ["divmod", "gcd", "lcm", "logaddexp2"]
UNARY = ["modf", "fabs", "angle", "degrees", "radians", "sgn"]
# NumPy's function for each hpa one (HeAT's sgn is NumPy 2's sign; angle with deg=True too)
NUMPY = {"sgn": np.sign, "angle_deg": lambda z: np.angle(z, deg=True)}
UNARY_CALLS = [*UNARY, "angle_deg"]


def hpa_fn(name: str) -> Callable[..., Any]:
    if name == "angle_deg":
        return lambda z, **kw: hpa.angle(z, deg=True, **kw)
    return getattr(hpa, name)


def np_fn(name: str) -> Callable[..., Any]:
    return NUMPY.get(name) or getattr(np, name)


def reference(fn: Callable[..., Any], *args: Any) -> Any:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args)


def numpy_values(a: np.ndarray, dtype: hpa.DType) -> np.ndarray:
    """What NumPy computes on: float16 stands in for bfloat16 (whose values it holds)."""
    return a.astype(np.float16) if dtype is hpa.bfloat16 else a


def expected(got_dtype: hpa.DType, want: np.ndarray, dtype: hpa.DType) -> hpa.DType:
    """NumPy's result dtype, bfloat16 where NumPy gives float16 for a bfloat16 input."""
    res = hpa.core.dtypes.to_dtype(want.dtype)
    return hpa.bfloat16 if dtype is hpa.bfloat16 and res is hpa.float16 else res


def tol(dtype: hpa.DType) -> dict[str, float]:
    if dtype in (hpa.float16, hpa.bfloat16):
        return {"rtol": 2e-2, "atol": 2e-2}
    if dtype in (hpa.float32, hpa.complex64):
        return {"rtol": 2e-5, "atol": 1e-6}
    return {"rtol": 1e-12, "atol": 1e-12}


def as_tuple(v: Any) -> tuple[Any, ...]:
    return v if isinstance(v, tuple) else (v,)


def check(got: Any, want: Any, dtype: hpa.DType) -> None:
    for g, w in zip(as_tuple(got), as_tuple(want), strict=True):
        w = np.asarray(w)
        res = expected(g.dtype, w, dtype)
        assert_array(g, w.astype(res.numpy), dtype=res, **tol(res))


def operands(name: str, shape: tuple[int, ...], dtype: hpa.DType) -> tuple[np.ndarray, ...]:
    a, b = data(shape, dtype, seed=1), data(shape, dtype, seed=2)
    if name == "divmod" and dtype.kind in "biu":
        b = np.where(b == 0, 1, b).astype(b.dtype)
    return a, b


# ----------------------------------------------------------------------------- every dtype
@pytest.mark.parametrize("name", BINARY)
def test_binary_every_dtype(name: str) -> None:
    fn, ref = hpa_fn(name), np_fn(name)
    for dtype in DTYPES:
        a, b = operands(name, (5, 3), dtype)
        x, y = make(a, 0, dtype), make(b, 0, dtype)
        try:
            want = reference(ref, numpy_values(a, dtype), numpy_values(b, dtype))
        except TypeError:
            raised_everywhere(TypeError, lambda: fn(x, y))
            continue
        with hpa.count_collectives() as c:
            got = fn(x, y)
        assert c.total == 0, (dtype, c)
        check(got, want, dtype)


@pytest.mark.parametrize("name", UNARY_CALLS)
def test_unary_every_dtype(name: str) -> None:
    fn, ref = hpa_fn(name), np_fn(name)
    for dtype in DTYPES:
        a = data((5, 3), dtype, seed=3)
        x = make(a, 1, dtype)
        try:
            want = reference(ref, numpy_values(a, dtype))
        except TypeError:
            raised_everywhere(TypeError, lambda: fn(x))
            continue
        with hpa.count_collectives() as c:
            got = fn(x)
        assert c.total == 0, (dtype, c)
        for g in as_tuple(got):
            assert g.layout == x.layout
        check(got, want, dtype)


def test_dtype_rules_match_numpy() -> None:
    """A few rules spelled out: the integer results of gcd, NumPy's small floats for small
    integers and bool, the real dtype of a complex angle, int8 quotients of bools."""
    cases_ = [
        (hpa.gcd, (hpa.int8, hpa.int8), hpa.int8),
        (hpa.lcm, (hpa.uint8, hpa.int32), hpa.int32),
        (hpa.fabs, (hpa.int8,), hpa.float16),
        (hpa.fabs, (hpa.int32,), hpa.float64),
        (hpa.logaddexp2, (hpa.bool_, hpa.bool_), hpa.float16),
        (hpa.angle, (hpa.bool_,), hpa.float64),
        (hpa.angle, (hpa.complex64,), hpa.float32),
        (hpa.degrees, (hpa.uint8,), hpa.float16),
        (hpa.sgn, (hpa.complex64,), hpa.complex64),
    ]
    for fn, dts, want in cases_:
        got = fn(*[hpa.ones(4, dtype=d, split=0) for d in dts])
        assert got.dtype is want, (fn.__name__, dts)
    q, r = hpa.divmod(hpa.ones(3, dtype=hpa.bool_), hpa.ones(3, dtype=hpa.bool_))
    assert q.dtype is hpa.int8 and r.dtype is hpa.int8
    frac, whole = hpa.modf(hpa.ones(3, dtype=hpa.uint8))
    assert frac.dtype is hpa.float16 and whole.dtype is hpa.float16


# ----------------------------------------------------------------------------- every layout
LAYOUTS = [
    (shape, split, ragged)
    for shape, split in cases(SHAPES)
    for ragged in (False, True)
    if split is not None or not ragged
]


def layout_id(case: tuple[tuple[int, ...], int | None, bool]) -> str:
    return case_id(case[:2]) + ("-ragged" if case[2] else "")


@pytest.mark.parametrize("case", LAYOUTS, ids=layout_id)
def test_every_layout(case: tuple[tuple[int, ...], int | None, bool]) -> None:
    shape, split, ragged = case
    a, b = operands("divmod", shape, hpa.int32)
    f = data(shape, hpa.float64, seed=4) * 3
    z = data(shape, hpa.complex128, seed=5)
    x, y = make(a, split, ragged=ragged), make(b, split, ragged=ragged)
    xf, xz = make(f, split, ragged=ragged), make(z, split, ragged=ragged)
    with hpa.count_collectives() as c:
        results = [
            (hpa.divmod(x, y), np.divmod(a, b), hpa.int32),
            (hpa.gcd(x, y), np.gcd(a, b), hpa.int32),
            (hpa.lcm(x, y), np.lcm(a, b), hpa.int32),
            (hpa.logaddexp2(xf, xf), np.logaddexp2(f, f), hpa.float64),
            (hpa.modf(xf), np.modf(f), hpa.float64),
            (hpa.fabs(xf), np.fabs(f), hpa.float64),
            (hpa.angle(xz), np.angle(z), hpa.float64),
            (hpa.sgn(xz), np.sign(z), hpa.complex128),
        ]
    assert c.total == 0, c
    for got, want, dtype in results:
        for g in as_tuple(got):
            assert g.layout == x.layout
        check(got, want, dtype)


# ----------------------------------------------------------------------------- special values
SPECIAL = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -1.0, 5.5, -2.5, 3.0])


def same_bits(got: hpa.Array, want: np.ndarray) -> None:
    """Equal values, NaN where NumPy has NaN, and the sign of every zero."""
    g = got.numpy()
    np.testing.assert_array_equal(g, want)
    np.testing.assert_array_equal(np.signbit(g[g == 0]), np.signbit(want[want == 0]))


@pytest.mark.parametrize("split", [None, 0])
def test_special_values(split: int | None) -> None:
    a, b = (v.ravel() for v in np.meshgrid(SPECIAL, SPECIAL, indexing="ij"))
    x, y = make(a, split), make(b, split)
    for got, want in zip(hpa.divmod(x, y), reference(np.divmod, a, b)):
        same_bits(got, want)
    for got, want in zip(hpa.modf(x), np.modf(a)):
        same_bits(got, want)
    same_bits(hpa.angle(x), np.angle(a))  # arctan2(0, -0.0) is pi
    same_bits(hpa.fabs(x), np.fabs(a))
    same_bits(hpa.sgn(x), np.sign(a))
    assert_array(hpa.angle(x, deg=True), np.angle(a, deg=True), rtol=1e-15)
    assert_array(hpa.logaddexp2(x, y), reference(np.logaddexp2, a, b), rtol=1e-15, atol=1e-15)
    same_bits(hpa.logaddexp2(x, x), reference(np.logaddexp2, a, a))  # exactly x + 1
    i = np.array([-12, 12, 0, -7, 18, 0], dtype=np.int64)
    j = np.array([18, -8, 5, 0, 0, 0], dtype=np.int64)
    xi, yi = make(i, split), make(j, split)
    assert_array(hpa.gcd(xi, yi), np.gcd(i, j))
    assert_array(hpa.lcm(xi, yi), np.lcm(i, j))
    for got, want in zip(hpa.divmod(xi, yi), reference(np.divmod, i, j)):
        assert_array(got, want)  # a zero integer divisor gives 0 and 0, as in NumPy


def test_complex_sign_and_angle() -> None:
    z = np.array([3 + 4j, -2 + 0j, 0j, -1j, complex(np.inf, 1), complex(np.nan, 1)])
    x = make(z, 0)
    assert_array(hpa.sgn(x), np.sign(z))
    assert_array(hpa.angle(x), np.angle(z))
    assert_array(hpa.angle(x, deg=True), np.angle(z, deg=True))


# ----------------------------------------------------------------------------- scalars, out
@pytest.mark.parametrize("split", [None, 0])
def test_python_scalars(split: int | None) -> None:
    a = data((7,), hpa.int16, seed=6)
    nz = np.where(a == 0, 3, a).astype(a.dtype)
    f = data((7,), hpa.float32, seed=7)
    x, xnz, xf = make(a, split), make(nz, split), make(f, split)
    pairs = [
        (hpa.gcd(x, 4), np.gcd(a, 4)), (hpa.gcd(12, x), np.gcd(12, a)),
        (hpa.lcm(x, 3), np.lcm(a, 3)), (hpa.logaddexp2(xf, 1.5), np.logaddexp2(f, 1.5)),
        (hpa.logaddexp2(2, xf), np.logaddexp2(2, f)),
    ]  # fmt: skip
    for got, want in pairs:
        check(got, want, hpa.float32)
    check(hpa.divmod(x, 3), np.divmod(a, 3), hpa.int16)
    check(hpa.divmod(7, xnz), np.divmod(7, nz), hpa.int16)
    check(hpa.divmod(xf, 0.75), np.divmod(f, 0.75), hpa.float32)
    check(hpa.modf(2.5), np.modf(2.5), hpa.float64)
    check(hpa.angle(1j), np.angle(1j), hpa.float64)
    check(hpa.angle([1, -1, 1j], deg=True), np.angle([1, -1, 1j], deg=True), hpa.float64)
    check(hpa.gcd(a, xnz), np.gcd(a, nz), hpa.int16)  # a NumPy array on the left
    raised_everywhere(OverflowError, lambda: hpa.gcd(make(a.astype(np.int8), split), 300))


@pytest.mark.parametrize("split", [None, 0])
def test_out(split: int | None) -> None:
    a = data((6,), seed=8) * 4
    b = np.abs(data((6,), seed=9)) + 0.5
    x, y = make(a, split), make(b, split)
    frac, whole = hpa.empty(6, split=0), hpa.empty(6, dtype=hpa.float32)
    got = hpa.modf(x, out=(frac, whole))
    assert got[0] is frac and got[1] is whole
    check((frac, whole), (np.modf(a)[0], np.modf(a)[1].astype(np.float32)), hpa.float32)
    q = hpa.empty(6, split=0)
    got = hpa.divmod(x, y, out=(q, None))
    assert got[0] is q
    check(got, np.divmod(a, b), hpa.float64)
    g = hpa.zeros(6, dtype=hpa.int64, split=0)
    assert hpa.gcd(make(np.arange(6), split), 4, out=g) is g
    assert_array(g, np.gcd(np.arange(6), 4))
    f = hpa.zeros(6)
    assert hpa.fabs(x, out=f) is f
    assert_array(f, np.fabs(a))
    raised_everywhere(TypeError, lambda: hpa.modf(x, out=frac))
    raised_everywhere(ValueError, lambda: hpa.divmod(x, y, out=(q,)))
    raised_everywhere(TypeError, lambda: hpa.fabs(x, out=hpa.zeros(6, dtype=hpa.int64)))


# ----------------------------------------------------------------------------- layouts
@pytest.mark.parametrize("name", BINARY)
def test_different_layouts_align_once(name: str) -> None:
    """Split 0 with split 1 costs one alltoallv (divmod too: once for both results); a
    replicated operand, or one broadcast along another axis, costs nothing."""
    fn, ref = hpa_fn(name), np_fn(name)
    dtype = hpa.float64 if name == "logaddexp2" else hpa.int64
    a, b = operands("divmod", (6, 5), dtype)
    row = b[0]
    with hpa.count_collectives() as c:
        got = fn(make(a, 0), make(b, 1))
    assert dict(c.counts) == ({"alltoallv": 1} if P > 1 else {}), c
    assert all(g.split == 0 for g in as_tuple(got))
    check(got, reference(ref, a, b), dtype)
    x = make(a, 1, ragged=True)
    for other in (make(b, None), make(row, None), make(row, 0), b):
        want = reference(
            ref, a, np.asarray(other.numpy() if isinstance(other, hpa.Array) else other)
        )
        with hpa.count_collectives() as c:
            got = fn(x, other)
        assert c.total == (1 if isinstance(other, hpa.Array) and other.split == 0 and P > 1 else 0)
        assert all(g.split == 1 for g in as_tuple(got))
        check(got, want, dtype)


def test_broadcast_errors_and_names() -> None:
    x, y = make(data((4, 3)), 0), make(data((4, 2)), 1)
    for fn in (hpa.divmod, hpa.logaddexp2):
        raised_everywhere(ValueError, lambda fn=fn: fn(x, y))
    assert hpa.degrees is hpa.rad2deg and hpa.radians is hpa.deg2rad and hpa.sgn is hpa.sign
    for name in [*BINARY, *UNARY]:
        assert OPS[name] is getattr(hpa, name), name
