"""hpa.ops.arithmetic against NumPy: cbrt, heaviside, float_power, ldexp, frexp, sinc,
spacing, i0, unwrap and real_if_close.

Every function is checked for every dtype NumPy accepts (and NumPy's error class where it does
not), every split of 1-D to 3-D shapes with balanced, ragged and empty blocks, Python scalars
on either side, ``out=``, special values (signed zeros, subnormals, infinities, NaN), operands
of different layouts and the collectives each call issues. Every check gathers on every rank.
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
from hpa.core.dtypes import to_dtype

DTYPES = [
    hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64, hpa.float16, hpa.bfloat16,
    hpa.float32, hpa.float64, hpa.complex64, hpa.complex128,
]  # fmt: skip
UNARY = ["cbrt", "frexp", "sinc", "spacing", "i0"]
BINARY = ["heaviside", "float_power", "ldexp"]
UNWRAP_DTYPES = [
    hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64, hpa.float16, hpa.float32, hpa.float64
]  # fmt: skip
PERIODS: list[Any] = [None, 4, 100, 360, 7.5, np.float32(6.0), np.int64(10)]


def reference(fn: Callable[..., Any], *args: Any, **kw: Any) -> Any:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return fn(*args, **kw)


def numpy_values(a: np.ndarray, dtype: hpa.DType) -> np.ndarray:
    """What NumPy computes on: float16 stands in for bfloat16 (whose values it holds)."""
    return a.astype(np.float16) if dtype is hpa.bfloat16 else a


def tol(dtype: hpa.DType) -> dict[str, float]:
    if dtype in (hpa.float16, hpa.bfloat16):
        return {"rtol": 2e-2, "atol": 2e-2}
    if dtype in (hpa.float32, hpa.complex64):
        return {"rtol": 2e-5, "atol": 1e-5}
    return {"rtol": 1e-12, "atol": 1e-12}


def as_tuple(v: Any) -> tuple[Any, ...]:
    return v if isinstance(v, tuple) else (v,)


def check(got: Any, want: Any, dtype: hpa.DType | None = None) -> None:
    """Each result equals NumPy's in NumPy's dtype (bfloat16 where NumPy gives float16 for a
    bfloat16 input ``dtype``), within the result dtype's tolerance."""
    for g, w in zip(as_tuple(got), as_tuple(want), strict=True):
        w = np.asarray(w)
        res = to_dtype(w.dtype)
        if dtype is hpa.bfloat16 and res is hpa.float16:
            res = hpa.bfloat16
        assert_array(g, w.astype(res.numpy), dtype=res, **tol(res))


def same_bits(got: hpa.Array, want: np.ndarray) -> None:
    """Equal values and dtypes, NaN where NumPy has NaN, and the sign of every zero."""
    g = got.numpy()
    assert g.dtype == want.dtype, (g.dtype, want.dtype)
    np.testing.assert_array_equal(g, want)
    np.testing.assert_array_equal(np.signbit(g[g == 0]), np.signbit(want[want == 0]))


def close_bits(got: hpa.Array, want: np.ndarray, ulps: int) -> None:
    """As :func:`same_bits`, but finite values within ``ulps`` units in the last place."""
    g = got.numpy()
    assert g.dtype == want.dtype, (g.dtype, want.dtype)
    np.testing.assert_array_max_ulp(g, want, maxulp=ulps)
    np.testing.assert_array_equal(np.signbit(g[g == 0]), np.signbit(want[want == 0]))


def operands(name: str, shape: tuple[int, ...], dtype: hpa.DType) -> tuple[np.ndarray, ...]:
    """Data for ``name``: ldexp takes int32 exponents as its second operand."""
    second = data(shape, hpa.int32 if name == "ldexp" else dtype, seed=2)
    return data(shape, dtype, seed=1), second


# ----------------------------------------------------------------------------- every dtype
@pytest.mark.parametrize("name", UNARY)
def test_unary_every_dtype(name: str) -> None:
    fn, ref = getattr(hpa, name), getattr(np, name)
    for dtype in DTYPES:
        if name == "spacing" and dtype is hpa.bfloat16:
            continue  # bfloat16 is spaced as bfloat16, not as NumPy's float16 stand-in
        a = data((5, 3), dtype, seed=3)
        if dtype.kind in "fc":
            a = a * 3  # past the first zeros of sinc and into i0's growth
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


@pytest.mark.parametrize("name", BINARY)
def test_binary_every_dtype(name: str) -> None:
    fn, ref = getattr(hpa, name), getattr(np, name)
    for dtype in DTYPES:
        a, b = operands(name, (5, 3), dtype)
        x, y = make(a, 0, dtype), make(b, 0, hpa.int32 if name == "ldexp" else dtype)
        try:
            want = reference(
                ref, numpy_values(a, dtype), b if name == "ldexp" else numpy_values(b, dtype)
            )
        except TypeError:
            raised_everywhere(TypeError, lambda: fn(x, y))
            continue
        with hpa.count_collectives() as c:
            got = fn(x, y)
        assert c.total == 0, (dtype, c)
        assert got.layout == x.layout
        check(got, want, dtype)


def test_ldexp_exponent_dtypes() -> None:
    """Integer and bool exponents of every width; float, complex and uint64 ones raise
    TypeError, as in NumPy."""
    m = data((6,), hpa.float32, seed=4)
    x = make(m, 0)
    for dtype in [*DTYPES, hpa.int16, hpa.uint32, hpa.uint64]:
        e = data((6,), dtype, seed=5)
        y = make(e, 0, dtype)
        try:
            want = reference(np.ldexp, m, numpy_values(e, dtype))
        except TypeError:
            raised_everywhere(TypeError, lambda: hpa.ldexp(x, y))
            continue
        check(hpa.ldexp(x, y), want)


def test_dtype_rules_match_numpy() -> None:
    cases_ = [
        (hpa.cbrt, (hpa.int8,), hpa.float16),
        (hpa.cbrt, (hpa.int32,), hpa.float64),
        (hpa.spacing, (hpa.uint8,), hpa.float16),
        (hpa.sinc, (hpa.int8,), hpa.float64),
        (hpa.sinc, (hpa.complex64,), hpa.complex64),
        (hpa.i0, (hpa.bool_,), hpa.float64),
        (hpa.i0, (hpa.float16,), hpa.float16),
        (hpa.heaviside, (hpa.bool_, hpa.bool_), hpa.float16),
        (hpa.float_power, (hpa.float16, hpa.float32), hpa.float64),
        (hpa.float_power, (hpa.complex64, hpa.int8), hpa.complex128),
        (hpa.ldexp, (hpa.int8, hpa.int64), hpa.float16),
        (hpa.ldexp, (hpa.float32, hpa.int64), hpa.float32),
    ]
    for fn, dts, want in cases_:
        got = fn(*[hpa.ones(4, dtype=d, split=0) for d in dts])
        assert got.dtype is want, (fn.__name__, dts)
    mantissa, exponent = hpa.frexp(hpa.ones(3, dtype=hpa.uint8))
    assert mantissa.dtype is hpa.float16 and exponent.dtype is hpa.int32


# ----------------------------------------------------------------------------- every layout
LAYOUTS = [
    (shape, split, ragged)
    for shape, split in cases(SHAPES)
    for ragged in (False, True)
    if split is not None or not ragged
]


def layout_id(case: tuple[tuple[int, ...], int | None, bool]) -> str:
    return case_id(case[:2]) + ("-ragged" if case[2] else "")


def unwrap_counts(split: int | None, axis: int) -> dict[str, int]:
    """unwrap along the split axis: the halo's alltoallv (none at one process) and cumsum's
    exscan; along another axis nothing."""
    if split != axis:
        return {}
    return {"alltoallv": 1, "exscan": 1} if P > 1 else {"exscan": 1}


@pytest.mark.parametrize("case", LAYOUTS, ids=layout_id)
def test_every_layout(case: tuple[tuple[int, ...], int | None, bool]) -> None:
    shape, split, ragged = case
    f = data(shape, seed=6) * 3
    e = data(shape, hpa.int32, seed=7)
    x, xe = make(f, split, ragged=ragged), make(e, split, ragged=ragged)
    with hpa.count_collectives() as c:
        results = [
            (hpa.cbrt(x), np.cbrt(f)),
            (hpa.frexp(x), np.frexp(f)),
            (hpa.sinc(x), np.sinc(f)),
            (hpa.spacing(x), np.spacing(f)),
            (hpa.i0(x), np.i0(f)),
            (hpa.heaviside(x, x), np.heaviside(f, f)),
            (hpa.float_power(x, xe), reference(np.float_power, f, e)),
            (hpa.ldexp(x, xe), np.ldexp(f, e)),
        ]
    assert c.total == 0, c
    for got, want in results:
        for g in as_tuple(got):
            assert g.layout == x.layout
        check(got, want)
    for axis in range(len(shape)):
        with hpa.count_collectives() as c:
            got = hpa.unwrap(x, axis=axis)
        assert dict(c.counts) == unwrap_counts(split, axis), (axis, c)
        assert got.layout == x.layout
        check(got, np.unwrap(f, axis=axis))
    close = f + 1e-15j
    far = close.copy()
    far.reshape(-1)[-1:] += 1j  # one element, on the last rank holding any, is not close
    flag = {"allreduce": 1} if split is not None and P > 1 else {}
    for z in (close, far):
        xz = make(z, split, ragged=ragged)
        with hpa.count_collectives() as c:
            got = hpa.real_if_close(xz)
        assert dict(c.counts) == flag, c
        assert got.layout == xz.layout
        check(got, np.real_if_close(z))


# ----------------------------------------------------------------------------- special values
SPECIAL = np.array(
    [np.inf, -np.inf, np.nan, 0.0, -0.0, 1.0, -1.0, 27.0, -8.0, 0.5, 3.0, 1e-310, -5e-324,
     1e308, -1.7976931348623157e308, 2.2250738585072014e-308, 100.0]
)  # fmt: skip


@pytest.mark.parametrize("split", [None, 0])
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_special_values(split: int | None, dtype: type) -> None:
    info = np.finfo(dtype)
    with np.errstate(all="ignore"):
        a = np.concatenate(
            [SPECIAL, [info.max, -info.max, info.smallest_subnormal, -info.smallest_normal]]
        ).astype(dtype)
        cubes = np.array([27.0, -8.0, 1e-300, 0.125, 1e300], dtype=dtype)
        roots = np.array([3.0, -2.0, 1e-100, 0.5, 1e100], dtype=dtype)
    x = make(a, split)
    close_bits(hpa.cbrt(x), np.cbrt(a), 1)  # cbrt(-0.0) is -0.0
    same_bits(hpa.cbrt(make(cubes, split)), roots)  # exact for cubes
    same_bits(hpa.spacing(x), reference(np.spacing, a))  # zeros, subnormals, the largest
    for got, want in zip(hpa.frexp(x), np.frexp(a), strict=True):
        same_bits(got, want)
    same_bits(hpa.heaviside(x, 0.5), np.heaviside(a, dtype(0.5)))  # NaN gives NaN
    same_bits(hpa.heaviside(x, np.nan), np.heaviside(a, dtype(np.nan)))
    assert_array(hpa.sinc(x), reference(np.sinc, a), **tol(to_dtype(dtype)))
    assert_array(hpa.i0(x), reference(np.i0, a), **tol(to_dtype(dtype)))  # i0(±inf) is NaN
    assert_array(hpa.float_power(x, x), reference(np.float_power, a, a), rtol=1e-14)


@pytest.mark.parametrize("split", [None, 0])
def test_ldexp_edges(split: int | None) -> None:
    """Exact results, overflow to infinity, gradual underflow (rounded once) and zeros with
    exponents far beyond the range: as NumPy's ldexp."""
    m = np.array(
        [0.0, -0.0, 1.0, 5e-324, 1e308, -1e-300, 0.75, np.inf, -np.inf, np.nan, 3.0, 1.5, 0.0,
         np.finfo(np.float64).max, 1.0, -1.0, 0.5]
    )  # fmt: skip
    e = np.array(
        [5000, -5000, -1074, 2000, -2000, -800, -1075, -3000, 3000, 4, 1023, -1074, 2**31 - 1,
         -1, 1024, -1075, -2**31]
    )  # fmt: skip
    got = hpa.ldexp(make(m, split), make(e, split))
    same_bits(got, reference(np.ldexp, m, e))
    for dtype in (np.float16, np.float32):
        mf = reference(m.astype, dtype)
        same_bits(hpa.ldexp(make(mf, split), make(e, split)), reference(np.ldexp, mf, e))


@pytest.mark.parametrize("split", [None, 0])
def test_complex_float_power(split: int | None) -> None:
    """NumPy's special cases of complex powers: ``z ** 0`` is 1, ``0 ** w`` is 0 when
    ``w.real > 0`` and NaN otherwise."""
    z = np.array([0j, 0j, 0j, 0j, 0j, 1 + 1j, -8 + 0j, complex(np.nan, 0), 2 - 3j, -0.0 + 0j])
    w = np.array([0j, 2 + 0j, -2 + 0j, 1j, 2 + 1j, 0j, 1 / 3 + 0j, 0j, 0.5 + 2j, 3 + 0j])
    got = hpa.float_power(make(z.astype(np.complex64), split), make(w, split))
    assert_array(got, reference(np.float_power, z.astype(np.complex64), w), rtol=1e-12)
    assert_array(hpa.sinc(make(z, split)), reference(np.sinc, z), rtol=1e-12)


def test_spacing_bfloat16() -> None:
    """bfloat16 is spaced as bfloat16: 2**-7 at 1, negative below zero, like float32."""
    x = hpa.array([1.0, -1.0, 0.0, 2.0], dtype=hpa.bfloat16, split=0)
    got = hpa.spacing(x)
    assert got.dtype is hpa.bfloat16
    want = np.array([2.0**-7, -(2.0**-7), 2.0**-133, 2.0**-6], dtype=np.float32)
    np.testing.assert_array_equal(got.astype(hpa.float32).numpy(), want)


# ----------------------------------------------------------------------------- scalars, out
@pytest.mark.parametrize("split", [None, 0])
def test_python_scalars(split: int | None) -> None:
    f = data((7,), hpa.float32, seed=8)
    i8 = data((7,), hpa.int8, seed=9)
    x, xi = make(f, split), make(i8, split)
    pairs = [
        (hpa.heaviside(x, 0.5), np.heaviside(f, 0.5)),
        (hpa.heaviside(0.0, x), np.heaviside(0.0, f)),
        (hpa.heaviside(xi, 0.5), np.heaviside(i8, 0.5)),
        (hpa.float_power(x, 2), np.float_power(f, 2)),
        (hpa.float_power(2, xi), np.float_power(2, i8)),
        (hpa.float_power(xi, -1), reference(np.float_power, i8, -1)),
        (hpa.ldexp(x, 3), np.ldexp(f, 3)),
        (hpa.ldexp(x, True), np.ldexp(f, True)),
        (hpa.ldexp(2, xi), np.ldexp(2, i8)),
        (hpa.ldexp(2.5, xi), np.ldexp(2.5, i8)),
        (hpa.ldexp(True, xi), np.ldexp(True, i8)),
        (hpa.ldexp(f, xi), np.ldexp(f, i8)),  # a NumPy array on the left
        (hpa.ldexp(2, i8), np.ldexp(2, i8)),  # no hpa array: the NumPy exponent is strong
        (hpa.cbrt(-27), np.cbrt(-27)),
        (hpa.frexp(8.0), np.frexp(8.0)),
        (hpa.spacing(1.0), np.spacing(1.0)),
        (hpa.sinc(0.5), np.sinc(0.5)),
        (hpa.i0([0, 1, 2]), np.i0([0, 1, 2])),
        (hpa.ldexp(1.5, 4), np.ldexp(1.5, 4)),
    ]
    for got, want in pairs:
        check(got, want)
    raised_everywhere(TypeError, lambda: hpa.ldexp(x, 2.0))
    raised_everywhere(TypeError, lambda: hpa.ldexp(x, 1j))
    raised_everywhere(OverflowError, lambda: hpa.ldexp(x, 2**40))
    raised_everywhere(TypeError, lambda: hpa.ldexp(make(f + 1j, split), 1))
    raised_everywhere(TypeError, lambda: hpa.ldexp(x, make(f, split)))
    raised_everywhere(TypeError, lambda: hpa.cbrt(make(f + 1j, split)))


@pytest.mark.parametrize("split", [None, 0])
def test_out(split: int | None) -> None:
    a = data((6,), seed=10) * 4
    e = data((6,), hpa.int64, seed=11)
    x, xe = make(a, split), make(e, split)
    mantissa, exponent = hpa.empty(6, split=0), hpa.empty(6, dtype=hpa.int64)
    got = hpa.frexp(x, out=(mantissa, exponent))
    assert got[0] is mantissa and got[1] is exponent
    check(got, (np.frexp(a)[0], np.frexp(a)[1].astype(np.int64)))
    got = hpa.frexp(x, out=(None, exponent))
    assert got[1] is exponent
    r = hpa.zeros(6, dtype=hpa.float32, split=0)
    assert hpa.ldexp(x, xe, out=r) is r
    check(r, np.ldexp(a, e).astype(np.float32))
    for fn, ref in ((hpa.heaviside, np.heaviside), (hpa.float_power, np.float_power)):
        r = hpa.zeros(6)
        assert fn(x, x, out=r) is r
        check(r, reference(ref, a, a))
    c = hpa.zeros(6)
    assert hpa.cbrt(x, out=c) is c
    check(c, np.cbrt(a))
    raised_everywhere(TypeError, lambda: hpa.frexp(x, out=mantissa))
    raised_everywhere(ValueError, lambda: hpa.frexp(x, out=(mantissa,)))
    raised_everywhere(TypeError, lambda: hpa.ldexp(x, xe, out=hpa.zeros(6, dtype=hpa.int64)))
    raised_everywhere(ValueError, lambda: hpa.ldexp(x, xe, out=hpa.zeros(5)))


# ----------------------------------------------------------------------------- layouts
@pytest.mark.parametrize("name", BINARY)
def test_different_layouts_align_once(name: str) -> None:
    """Split 0 with split 1 costs one alltoallv; a replicated operand, or one broadcast along
    another axis, costs nothing."""
    fn, ref = getattr(hpa, name), getattr(np, name)
    a, b = operands(name, (6, 5), hpa.float64)
    with hpa.count_collectives() as c:
        got = fn(make(a, 0), make(b, 1))
    assert dict(c.counts) == ({"alltoallv": 1} if P > 1 else {}), c
    assert got.split == 0
    check(got, reference(ref, a, b))
    x = make(a, 1, ragged=True)
    row = b[0]
    for other in (make(b, None), make(row, None), make(row, 0), b):
        plain = other.numpy() if isinstance(other, hpa.Array) else other
        with hpa.count_collectives() as c:
            got = fn(x, other)
        moved = isinstance(other, hpa.Array) and other.split == 0 and P > 1
        assert c.total == (1 if moved else 0), c
        assert got.split == 1
        check(got, reference(ref, a, plain))


def test_broadcast_errors_and_names() -> None:
    x, y = make(data((4, 3)), 0), make(data((4, 2), hpa.int32), 1)
    for fn in (hpa.heaviside, hpa.float_power, hpa.ldexp):
        raised_everywhere(ValueError, lambda fn=fn: fn(x, y))
    for name in [*UNARY, *BINARY, "unwrap", "real_if_close"]:
        assert OPS[name] is getattr(hpa, name), name


# ----------------------------------------------------------------------------- unwrap
@pytest.mark.parametrize("split", [None, 0])
def test_unwrap_dtypes_and_periods(split: int | None) -> None:
    """NumPy's result dtype ``result_type(p, period)`` and values for every real dtype and
    integer, float and NumPy-scalar periods; NumPy's OverflowError where an integer period
    does not fit an integer ``p``."""
    base = data((23,), seed=12) * 40
    for dtype in UNWRAP_DTYPES:
        p = base > 0 if dtype is hpa.bool_ else base.astype(dtype.numpy)
        x = make(p, split, ragged=split is not None)
        for period in PERIODS:
            kw = {} if period is None else {"period": period}
            try:
                want = reference(np.unwrap, p, **kw)
            except OverflowError:
                raised_everywhere(OverflowError, lambda: hpa.unwrap(x, **kw))
                continue
            check(hpa.unwrap(x, **kw), want)


@pytest.mark.parametrize("split", [None, 0])
def test_unwrap_arguments(split: int | None) -> None:
    rng = np.random.default_rng(13)
    phase = np.cumsum(rng.uniform(-2.5, 2.5, size=(5, 17)), axis=1)
    wrapped = np.angle(np.exp(1j * phase))
    x = make(wrapped, split)
    for kw in ({}, {"discont": 4.0}, {"discont": 0.5}, {"period": 3.0, "discont": 2.0}):
        check(hpa.unwrap(x, **kw), np.unwrap(wrapped, **kw))
        check(hpa.unwrap(x, axis=0, **kw), np.unwrap(wrapped, axis=0, **kw))
    np.testing.assert_allclose(hpa.unwrap(x).numpy(), phase - phase[:, :1] + wrapped[:, :1])
    # jumps of exactly half a period keep their sign; NaN propagates; the first element's
    # signed zero is kept
    edges = np.array([-0.0, np.pi, 0.0, -np.pi, 2.0, 2 + np.pi, np.nan, 1.0, 7.0])
    same_bits(hpa.unwrap(make(edges, split)), np.unwrap(edges))
    ints = np.array([0, 2, 4, 2, 0, -2, 0, 5, -5, 9], dtype=np.int64)
    same_bits(hpa.unwrap(make(ints, split), period=4), np.unwrap(ints, period=4))
    same_bits(hpa.unwrap(make(ints, split), period=5), np.unwrap(ints, period=5))
    same_bits(hpa.unwrap(make(ints, split), period=0), reference(np.unwrap, ints, period=0))
    check(hpa.unwrap(wrapped.tolist()), np.unwrap(wrapped))  # nested lists
    raised_everywhere(ValueError, lambda: hpa.unwrap(hpa.array(1.0)))
    raised_everywhere(hpa.AxisError, lambda: hpa.unwrap(x, axis=2))
    raised_everywhere(TypeError, lambda: hpa.unwrap(make(wrapped + 1j, split)))
    raised_everywhere(TypeError, lambda: hpa.unwrap(x, period="a"))


def test_unwrap_across_blocks() -> None:
    """Long axes split over the ranks, with jumps where blocks meet, ragged extents with an
    empty first block and blocks of one element: the previous rank's last element and the
    cumulative correction travel correctly."""
    n = 4 * P + 3
    steps = np.tile([3.5, -3.0, 0.5, 6.5], n)[:n]
    p = np.cumsum(steps) % (2 * np.pi) - np.pi
    for ragged in (False, True):
        for q in (p, np.stack([p, -p, 2 * p])):
            x = make(q, q.ndim - 1, ragged=ragged)
            check(hpa.unwrap(x), np.unwrap(q))
            y = make(q.T.copy(), 0, ragged=ragged)
            check(hpa.unwrap(y, axis=0), np.unwrap(q.T, axis=0))
    short = make(p[:P], 0)  # one element per rank
    check(hpa.unwrap(short), np.unwrap(p[:P]))


# ----------------------------------------------------------------------------- real_if_close
@pytest.mark.parametrize("split", [None, 0])
def test_real_if_close(split: int | None) -> None:
    re = data((9,), seed=14)
    real = make(re, split)
    assert hpa.real_if_close(real) is real  # not complex: the array itself
    for dtype, tiny in ((np.complex128, 1e-14), (np.complex64, 1e-6)):
        z = (re + 1j * tiny * data((9,), seed=15)).astype(dtype)
        x = make(z, split, ragged=split is not None)
        for t in (100, 1000, 1e-3, 1e-20, 1):
            check(hpa.real_if_close(x, tol=t), np.real_if_close(z, tol=t))
    far = make(re + 1j * (np.arange(9) == 8), split, ragged=split is not None)
    got = hpa.real_if_close(far)
    assert got is far and got.dtype is hpa.complex128
    empty = make(np.zeros((0, 3), dtype=np.complex64), split)
    check(hpa.real_if_close(empty), np.real_if_close(np.zeros((0, 3), dtype=np.complex64)))
    check(hpa.real_if_close([1 + 0j, 2 + 1e-17j]), np.real_if_close([1 + 0j, 2 + 1e-17j]))
    nan = make(np.array([1 + 0j, complex(1, np.nan)]), split)
    assert hpa.real_if_close(nan).dtype is hpa.complex128
