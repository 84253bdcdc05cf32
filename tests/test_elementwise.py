"""Elementwise operations against NumPy: values, result dtypes, layouts and communication.

Every op is checked for every dtype on one distributed layout, and every layout (each split of
1-D to 3-D shapes, empty blocks, zero-size arrays, ragged blocks) on a few ops, so the suite
stays fast under gloo. Comparisons gather on every rank (``helpers.assert_array``).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from helpers import ALL_DTYPES, SHAPES, P, assert_array, case_id, cases, data, make, tolerance
from hypothesis import given
from hypothesis import strategies as st

import hpa
from hpa.core import dtypes
from hpa.ops import elementwise

BINARY = sorted(elementwise._BINARY)
UNARY = sorted(elementwise._UNARY)
DTYPE_IDS = str


# ----------------------------------------------------------------------------- references
def np_dtype(dtype: hpa.DType) -> np.dtype:
    """The dtype NumPy computes the reference in (float32 holds bfloat16 values exactly)."""
    return dtype.numpy


def expected_dtype(np_fn: Callable[..., Any], dtype: hpa.DType, nargs: int) -> hpa.DType:
    """NumPy's result dtype; bfloat16 is promoted like float16."""
    stand_in = np.float16 if dtype is hpa.bfloat16 else dtype.numpy
    with np.errstate(all="ignore"):
        res = dtypes.to_dtype(np_fn(*[np.ones(1, stand_in)] * nargs).dtype)
    return hpa.bfloat16 if dtype is hpa.bfloat16 and res is hpa.float16 else res


def reference(np_fn: Callable[..., Any], *args: Any, **kw: Any) -> np.ndarray:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.asarray(np_fn(*args, **kw))


def tol(dtype: hpa.DType) -> dict[str, float]:
    return tolerance(dtype) if dtype.kind in "fc" else {}


def numpy_raises(np_fn: Callable[..., Any], dtype: hpa.DType, nargs: int) -> type[Exception] | None:
    stand_in = np.float16 if dtype is hpa.bfloat16 else dtype.numpy
    try:
        with np.errstate(all="ignore"):
            np_fn(*[np.ones(1, stand_in)] * nargs)
    except (TypeError, ValueError) as e:
        return TypeError if isinstance(e, TypeError) else ValueError
    return None


def binary_operands(
    name: str, shape: tuple[int, ...], dtype: hpa.DType
) -> tuple[np.ndarray, np.ndarray]:
    """Operands in each op's domain: nonzero integer divisors, small shifts, positive bases."""
    a, b = data(shape, dtype, seed=1), data(shape, dtype, seed=2)
    integral = dtype.kind in "biu"
    if name in ("divide", "floor_divide", "remainder", "fmod") and integral:
        b = np.where(b == 0, 1, b).astype(b.dtype)
    if name in ("left_shift", "right_shift") and integral:
        b = (np.abs(b.astype(np.int64)) % 4).astype(b.dtype)
    if name == "power":
        if integral:
            b = (np.abs(b.astype(np.int64)) % 4).astype(b.dtype)
        elif dtype.kind == "f":
            a = (np.abs(a) + 0.5).astype(a.dtype)
    return a, b


POSITIVE = {"log", "log2", "log10", "sqrt", "arccosh"}
UNIT_INTERVAL = {"arcsin", "arccos", "arctanh"}


def unary_operand(name: str, shape: tuple[int, ...], dtype: hpa.DType) -> np.ndarray:
    a = data(shape, dtype, seed=3)
    if dtype.kind in "iuf":
        if name in POSITIVE:
            a = (np.abs(a) + 1).astype(a.dtype)
        elif name == "log1p":
            a = np.abs(a)
        elif name in UNIT_INTERVAL and dtype.kind == "f":
            a = (a / 4).astype(a.dtype)
        elif name == "reciprocal" and dtype.kind != "f":
            a = np.where(a == 0, 1, a).astype(a.dtype)
    return a


# ----------------------------------------------------------------------------- every op, every dtype
@pytest.mark.parametrize("name", BINARY)
def test_binary_every_dtype(name: str) -> None:
    """Values and result dtypes for every dtype (looped: one test item per op keeps gloo fast)."""
    fn, np_fn = getattr(hpa, name), getattr(np, name)
    for dtype in ALL_DTYPES:
        a, b = binary_operands(name, (5, 3), dtype)
        x, y = make(a, 0, dtype), make(b, 0, dtype)
        raised = numpy_raises(np_fn, dtype, 2)
        if raised is not None:
            with pytest.raises(raised):
                fn(x, y)
            continue
        want = expected_dtype(np_fn, dtype, 2)
        with hpa.count_collectives() as c:
            got = fn(x, y)
        assert c.total == 0
        assert got.dtype == want, dtype
        assert_array(got, reference(np_fn, a, b).astype(np_dtype(want)), dtype=want, **tol(want))


@pytest.mark.parametrize("name", UNARY)
def test_unary_every_dtype(name: str) -> None:
    fn, np_fn = getattr(hpa, name), getattr(np, name)
    for dtype in ALL_DTYPES:
        a = unary_operand(name, (5, 3), dtype)
        x = make(a, 1, dtype)
        raised = numpy_raises(np_fn, dtype, 1)
        if raised is not None:
            with pytest.raises(raised):
                fn(x)
            continue
        want = expected_dtype(np_fn, dtype, 1)
        with hpa.count_collectives() as c:
            got = fn(x)
        assert c.total == 0
        assert got.layout == x.layout and got.dtype == want, dtype
        assert_array(got, reference(np_fn, a).astype(np_dtype(want)), dtype=want, **tol(want))


@pytest.mark.parametrize("name", BINARY)
def test_binary_with_scalars(name: str) -> None:
    """Python scalars on either side, for every op (torch kernels differ in what they take)."""
    dtype = (
        hpa.int32
        if name in ("bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift")
        else hpa.float64
    )
    fn, np_fn = getattr(hpa, name), getattr(np, name)
    a = binary_operands(name, (7,), dtype)[0]
    x = make(a, 0)
    scalar = 2 if dtype is hpa.int32 else 1.5
    for args, np_args in (((x, scalar), (a, scalar)), ((scalar, x), (scalar, a))):
        want = reference(np_fn, *np_args)
        assert_array(fn(*args), want, **tol(dtypes.to_dtype(want.dtype)))


# ----------------------------------------------------------------------------- every layout
LAYOUT_CASES = [
    (shape, split, ragged)
    for shape, split in cases()
    for ragged in (False, True)
    if split is not None or not ragged
]


def layout_id(case: tuple[tuple[int, ...], int | None, bool]) -> str:
    return case_id(case[:2]) + ("-ragged" if case[2] else "")


@pytest.mark.parametrize("case", LAYOUT_CASES, ids=layout_id)
@pytest.mark.parametrize("name", ["add", "divide", "less_equal", "maximum"])
def test_binary_every_layout(name: str, case: tuple[tuple[int, ...], int | None, bool]) -> None:
    shape, split, ragged = case
    a, b = binary_operands(name, shape, hpa.float32)
    x, y = make(a, split, ragged=ragged), make(b, split, ragged=ragged)
    with hpa.count_collectives() as c:
        got = getattr(hpa, name)(x, y)
    assert c.total == 0, "operands of one layout communicate nothing"
    assert got.layout == x.layout
    assert_array(got, reference(getattr(np, name), a, b), **tolerance(hpa.float32))


@pytest.mark.parametrize("case", LAYOUT_CASES, ids=layout_id)
@pytest.mark.parametrize("name", ["exp", "abs", "isnan", "sqrt"])
def test_unary_every_layout(name: str, case: tuple[tuple[int, ...], int | None, bool]) -> None:
    shape, split, ragged = case
    a = unary_operand(name, shape, hpa.float64)
    x = make(a, split, ragged=ragged)
    with hpa.count_collectives() as c:
        got = getattr(hpa, name)(x)
    assert c.total == 0
    assert got.layout == x.layout
    assert_array(got, reference(getattr(np, name), a))


@pytest.mark.parametrize("ragged", [False, True], ids=["balanced", "ragged"])
@pytest.mark.parametrize("case", list(cases([s for s in SHAPES if len(s) > 1])), ids=case_id)
def test_mixed_splits_same_shape(case: tuple[tuple[int, ...], int | None], ragged: bool) -> None:
    """Every pair of splits of one shape: the first operand's split wins; one alltoallv at most."""
    shape, split = case
    a, b = data(shape, seed=1), data(shape, seed=2)
    x = make(a, split, ragged=ragged)
    for other in [None, *range(len(shape))]:
        y = make(b, other)
        with hpa.count_collectives() as c:
            got = x * y
        moves = split is not None and other is not None and y.layout != x.layout
        assert dict(c.counts) == ({"alltoallv": 1} if moves and P > 1 else {}), (other, c)
        out_split = split if split is not None else other
        assert got.split == out_split
        if split is not None:
            assert got.counts == x.counts
        assert_array(got, a * b)


# ----------------------------------------------------------------------------- alignment rules
# ragged and balanced extents differ only when there are several processes
MOVE_IF_RAGGED = {"alltoallv": 1} if P > 1 else {}
ALIGN_CASES = [
    # (shape_a, split_a, ragged_a, shape_b, split_b, ragged_b, collectives, output split)
    ((6, 5), 0, False, (6, 5), 1, False, {"alltoallv": 1}, 0),
    ((6, 5), 1, False, (6, 5), 0, False, {"alltoallv": 1}, 1),
    ((6, 5), None, False, (6, 5), 1, False, {}, 1),
    ((6, 5), 0, False, (6, 5), None, False, {}, 0),
    ((6, 5), 0, True, (6, 5), 0, False, MOVE_IF_RAGGED, 0),
    ((6, 5), 0, False, (6, 5), 0, True, MOVE_IF_RAGGED, 0),
    ((6, 5), 0, True, (6, 5), 1, True, {"alltoallv": 1}, 0),
    ((1, 5), 0, False, (6, 5), 0, False, {"allgatherv": 1}, 0),
    ((6, 5), 0, False, (1, 5), 0, False, {"allgatherv": 1}, 0),
    ((5,), 0, False, (6, 5), 1, False, {}, 1),
    ((6, 5), 1, True, (5,), 0, False, MOVE_IF_RAGGED, 1),
    ((5,), 0, False, (6, 5), 0, False, {"allgatherv": 1}, 0),
    ((6, 1), 0, False, (6, 5), 1, False, {"allgatherv": 1}, 1),
    ((6, 1), 1, False, (6, 5), 0, False, {"alltoallv": 1}, 0),
    ((3, 6, 5), 1, False, (6, 5), 0, False, {}, 1),
    ((3, 6, 5), 2, False, (6, 5), 1, False, {}, 2),
    ((3, 6, 5), 0, False, (6, 5), 0, False, {"allgatherv": 1}, 0),
    ((6, 5), 0, False, (3, 6, 5), None, False, {}, 1),
    ((6, 5), 1, False, (3, 1, 5), 0, False, {"alltoallv": 1}, 2),
    ((2, 6, 5), 0, False, (1, 6, 5), 0, False, {"allgatherv": 1}, 0),
    ((1, 1), 0, False, (6, 5), 1, False, {"allgatherv": 1}, 1),
    ((), None, False, (6, 5), 0, True, {}, 0),
    ((0, 5), 0, False, (0, 5), 1, False, {"alltoallv": 1}, 0),
    ((1, 0), 0, False, (4, 0), 1, False, {"alltoallv": 1}, 1),
]


def align_id(case: tuple[Any, ...]) -> str:
    def one(shape: tuple[int, ...], split: int | None, ragged: bool) -> str:
        return f"{'x'.join(map(str, shape)) or '0d'}s{split}{'r' if ragged else ''}"

    return f"{one(*case[:3])}+{one(*case[3:6])}"


@pytest.mark.parametrize("case", ALIGN_CASES, ids=align_id)
def test_alignment(case: tuple[Any, ...]) -> None:
    shape_a, split_a, ragged_a, shape_b, split_b, ragged_b, expected, out_split = case
    a, b = data(shape_a, seed=1), data(shape_b, seed=2)
    x, y = make(a, split_a, ragged=ragged_a), make(b, split_b, ragged=ragged_b)
    with hpa.count_collectives() as c:
        got = x - y
    assert dict(c.counts) == (expected if P > 1 else {}), c
    assert got.split == out_split
    followed = [
        v for v in (x, y)
        if v.split is not None and v.split + got.ndim - v.ndim == got.split and v.shape[v.split] == got.shape[got.split]
    ]  # fmt: skip
    if followed:
        larger = max(followed, key=lambda v: v.size)  # the first of equal size
        assert got.counts == larger.counts, "the output keeps the larger operand's extents"
    assert_array(got, a - b)
    assert_array(y - x, b - a)


@pytest.mark.parametrize("split", [None, 0, 1])
def test_replicated_data_operands(split: int | None) -> None:
    """NumPy arrays, torch tensors and nested lists are replicated operands: no communication."""
    a, b, row, col = (
        data((6, 5), seed=1),
        data((6, 5), seed=2),
        data((5,), seed=3),
        data((6, 1), seed=4),
    )
    x = make(a, split, ragged=True)
    with hpa.count_collectives() as c:
        results = [x + b, b + x, x * torch.from_numpy(row), x - col, col - x, x + row.tolist()]
    assert c.total == 0
    for got, want in zip(results, [a + b, b + a, a * row, a - col, col - a, a + row]):
        assert isinstance(got, hpa.Array)
        assert got.layout == x.layout
        assert_array(got, want)


def test_reflected_and_numpy_left_operands() -> None:
    a = data((7,), hpa.int64)
    x = make(a, 0)
    nd = data((7,), hpa.int64, seed=5)
    for got, want in [
        (1 - x, 1 - a), (2 ** (x % 3), 2 ** (a % 3)), (7 // (x * 0 + 2), 7 // (a * 0 + 2)), (3 % (x * 0 + 2), 3 % (a * 0 + 2)),
        (nd + x, nd + a), (nd - x, nd - a), (nd * x, nd * a), (nd < x, nd < a), (nd == x, nd == a),
        (nd & x, nd & a), (np.int64(3) - x, np.int64(3) - a), (5 >> (x % 3 + 3), 5 >> (a % 3 + 3)),
        (x.__rtruediv__(2), reference(np.divide, 2, a)), (True + x, True + a),
    ]:  # fmt: skip
        assert_array(got, want)


def test_operators_match_functions() -> None:
    a, b = data((4, 3), seed=1), np.abs(data((4, 3), seed=2)) + 0.5
    x, y = make(a, 0), make(b, 1)
    pairs = [
        (x + y, a + b), (x - y, a - b), (x * y, a * b), (x / y, a / b), (x // y, a // b), (x % y, a % b),
        (abs(x) ** y, np.abs(a) ** b), (x < y, a < b), (x <= y, a <= b), (x > y, a > b), (x >= y, a >= b),
        (x == y, a == b), (x != y, a != b), (-x, -a), (+x, +a), (abs(x), abs(a)),
    ]  # fmt: skip
    for got, want in pairs:
        assert_array(got, want)
    i, j = make(data((4, 3), hpa.int32, seed=1), 0), data((4, 3), hpa.int32, seed=2) % 3
    ni = data((4, 3), hpa.int32, seed=1)
    for got, want in [
        (i & j, ni & j),
        (i | j, ni | j),
        (i ^ j, ni ^ j),
        (i << j, ni << j),
        (i >> j, ni >> j),
        (~i, ~ni),
    ]:
        assert_array(got, want)


# ----------------------------------------------------------------------------- promotion in ops
@pytest.mark.parametrize("name", ["add", "divide", "less"])
def test_mixed_dtype_pairs(name: str) -> None:
    """Every dtype pair gives NumPy's result dtype (bfloat16 as float16 would)."""
    fn, np_fn = getattr(hpa, name), getattr(np, name)
    for da in ALL_DTYPES:
        a = data((4,), da, seed=1)
        x = make(a, None, da)
        for db in ALL_DTYPES:
            b = (
                data((4,), db, seed=2)
                if name != "divide" or db.kind == "f"
                else np.full(4, 3, db.numpy)
            )
            want = dtypes.promote(da, db)
            ref = reference(
                np_fn,
                a.astype(np.float32) if da is hpa.bfloat16 else a,
                b.astype(np.float32) if db is hpa.bfloat16 else b,
            )
            want = expected_dtype(np_fn, want, 2)
            got = fn(x, make(b, None, db))
            assert got.dtype == want, (da, db)
            if hpa.bfloat16 not in (da, db):
                assert got.dtype.numpy == ref.dtype, (da, db)
            got_values = got.numpy()
            np.testing.assert_allclose(
                got_values,
                ref.astype(got_values.dtype),
                **tol(hpa.bfloat16 if want.kind in "fc" else want),
            )


WEAK = [True, 3, -2, 2.5, 1j]


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=DTYPE_IDS)
def test_weak_python_scalars(dtype: hpa.DType) -> None:
    a = data((6,), dtype)
    x = make(a, 0, dtype)
    standin = np.float16 if dtype is hpa.bfloat16 else dtype.numpy
    for s in WEAK:
        for op in (np.add, np.multiply, np.less, np.subtract):
            if dtype.kind == "u" and isinstance(s, int) and not isinstance(s, bool) and s < 0:
                continue  # an out-of-range scalar: checked in test_out_of_range_python_ints
            try:
                want = expected_dtype(lambda v, op=op, s=s: op(v, s), dtype, 1)
            except TypeError:
                with pytest.raises(TypeError):
                    getattr(hpa, op.__name__)(x, s)
                continue
            if op is np.less and dtype.kind == "c":
                want = hpa.bool_
            got = getattr(hpa, op.__name__)(x, s)
            ref = reference(op, a.astype(standin) if dtype is not hpa.bfloat16 else a, s)
            assert got.dtype == want, (op.__name__, s)
            assert_array(
                got,
                ref.astype(np_dtype(want)),
                dtype=want,
                **tol(hpa.bfloat16 if dtype is hpa.bfloat16 else want),
            )


def test_weak_scalar_examples() -> None:
    assert (make(np.arange(4), 0) + 1.5).dtype is hpa.float64
    assert (make(np.ones(4, np.float32), 0) + 1.5).dtype is hpa.float32
    assert (make(np.ones(4, bool), 0) + 1).dtype is hpa.int64
    assert (make(np.ones(4, np.float32), 0) + 1j).dtype is hpa.complex64
    assert (make(np.ones(4, np.int8), 0) * 3).dtype is hpa.int8
    assert (1.5 * hpa.ones(4, dtype=hpa.bfloat16, split=0)).dtype is hpa.bfloat16


@pytest.mark.parametrize(
    "scalar",
    [np.float64(1.5), np.int32(3), np.float32(2), np.complex128(1j), np.int16(-2)],
    ids=lambda s: type(s).__name__,
)
def test_numpy_scalars_and_arrays_are_strong(scalar: np.generic) -> None:
    for dtype in (hpa.int8, hpa.uint8, hpa.float32, hpa.float16):
        a = data((5,), dtype)
        x = make(a, 0, dtype)
        want = a + scalar
        assert_array(x + scalar, want, **tol(dtypes.to_dtype(want.dtype)))
        assert_array(scalar + x, scalar + a, **tol(dtypes.to_dtype(want.dtype)))
        zero_d = np.asarray(scalar)
        assert_array(x + zero_d, a + zero_d, **tol(dtypes.to_dtype(want.dtype)))
    assert (hpa.ones(3, dtype=hpa.float32) + np.ones(3)).dtype is hpa.float64
    assert (
        hpa.ones(3, dtype=hpa.float32) + torch.ones(3, dtype=torch.float64)
    ).dtype is hpa.float64


def test_out_of_range_python_ints() -> None:
    """NEP 50: arithmetic raises OverflowError; comparisons answer exactly."""
    a = np.array([0, 1, 200, 255], np.uint8)
    x = make(a, 0)
    with pytest.raises(OverflowError):
        x + 300
    with pytest.raises(OverflowError):
        x * -1
    with pytest.raises(OverflowError):
        make(np.ones(3, np.int8), 0) - 2**70
    for s in (300, -1, 255, -(2**40)):
        for op in ("less", "greater_equal", "equal", "not_equal"):
            assert_array(getattr(hpa, op)(x, s), getattr(np, op)(a, s))
    assert_array(x + 255, a + np.uint8(255))
    assert_array(make(np.array([100], np.int8), 0) + 100, np.array([100], np.int8) + np.int8(100))


# ----------------------------------------------------------------------------- in place and out=
def test_inplace_keeps_dtype_and_layout() -> None:
    a, b = data((6, 5), seed=1), data((6, 5), seed=2)
    x = make(a.astype(np.float32), 1, ragged=True)
    layout = x.layout
    buffer = x.larray
    x += make(b, 0)
    assert x.dtype is hpa.float32 and x.layout == layout and x.larray is buffer
    assert_array(x, (a.astype(np.float32) + b).astype(np.float32), **tolerance(hpa.float32))
    x *= 2
    x -= b
    x /= 3.0
    ref = ((a.astype(np.float32) + b).astype(np.float32) * 2 - b) / 3
    assert_array(x, ref.astype(np.float32), **tolerance(hpa.float32))

    i = make(np.arange(10, dtype=np.int32), 0)
    i += 1
    i += np.arange(10, dtype=np.int64)  # same_kind: int64 -> int32 is allowed
    i //= 2
    i **= 2
    i %= 7
    i <<= 1
    i |= 1
    ref = np.arange(10, dtype=np.int32)
    ref += 1
    ref += np.arange(10, dtype=np.int64)
    ref //= 2
    ref **= 2
    ref %= 7
    ref <<= 1
    ref |= 1
    assert_array(i, ref)
    with pytest.raises(TypeError):
        i += 1.5
    with pytest.raises(TypeError):
        i /= 2
    with pytest.raises(TypeError):
        i += make(np.ones(10), 0)
    h = hpa.ones((4,), dtype=hpa.bfloat16, split=0)
    h += np.ones(4)  # float64 -> bfloat16 is same_kind
    assert h.dtype is hpa.bfloat16
    assert_array(h, np.full(4, 2, np.float32), dtype=hpa.bfloat16)


def test_inplace_shape_mismatch() -> None:
    x = make(data((4,)), 0)
    with pytest.raises(ValueError):
        x += make(data((3, 4)), 0)


@pytest.mark.parametrize("out_split", [None, 0, 1])
def test_out_argument(out_split: int | None) -> None:
    a, b = data((6, 5), seed=1), data((6, 5), seed=2)
    out = make(np.zeros((6, 5), np.float32), out_split, ragged=True)
    layout = out.layout
    got = hpa.add(make(a, 0), make(b, 1), out=out)
    assert got is out and out.layout == layout and out.dtype is hpa.float32
    assert_array(out, (a + b).astype(np.float32), **tolerance(hpa.float32))
    got = hpa.sqrt(make(np.abs(a), 1), out=out)
    assert got is out
    assert_array(out, np.sqrt(np.abs(a)).astype(np.float32), **tolerance(hpa.float32))
    flags = make(np.zeros((6, 5), np.int64), out_split)
    hpa.less(make(a, 0), make(b, 0), out=flags)
    assert_array(flags, (a < b).astype(np.int64))
    with pytest.raises(TypeError):
        hpa.add(make(a, 0), 1, out=make(np.zeros((6, 5), np.int64), out_split))
    with pytest.raises(ValueError):
        hpa.add(make(a, 0), 1, out=make(np.zeros((5, 6)), out_split))


# ----------------------------------------------------------------------------- special functions
def test_aliases() -> None:
    for alias, target in elementwise._ALIASES.items():
        assert getattr(hpa, alias) is getattr(hpa, target), alias
        assert alias in hpa.ops.elementwise.__all__
    assert hpa.around is hpa.round
    a = np.abs(data((5,), seed=1)) / 4
    x = make(a, 0)
    for alias, np_name in [
        ("absolute", "absolute"),
        ("asin", "arcsin"),
        ("atan2", "arctan2"),
        ("pow", "power"),
        ("fix", "fix"),
    ]:
        fn, np_fn = getattr(hpa, alias), getattr(np, np_name)
        args = (x, x) if alias in ("atan2", "pow") else (x,)
        assert_array(fn(*args), reference(np_fn, *[a] * len(args)))
    i = make(np.arange(-3, 3, dtype=np.int8), 0)
    assert_array(hpa.bitwise_not(i), ~np.arange(-3, 3, dtype=np.int8))
    assert_array(hpa.bitwise_left_shift(i, 1), np.arange(-3, 3, dtype=np.int8) << 1)


@pytest.mark.parametrize("decimals", [-2, -1, 0, 1, 3])
@pytest.mark.parametrize(
    "dtype",
    [hpa.int8, hpa.int32, hpa.int64, hpa.float16, hpa.float32, hpa.float64, hpa.complex128],
    ids=DTYPE_IDS,
)
def test_round(dtype: hpa.DType, decimals: int) -> None:
    if dtype.kind in "iu":
        a = np.array([-125, -15, -5, 0, 5, 15, 25, 35, 94, 125], dtype.numpy)
    else:
        # 12.34, not 123.456: NumPy's float16 round(x, 3) overflows computing x * 1000
        values = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 1.2345, 12.34, -17.25, 0.05])
        a = (values * (1 + 1j if dtype.kind == "c" else 1)).astype(dtype.numpy)
    x = make(a, 0, ragged=True)
    with hpa.count_collectives() as c:
        got = hpa.round(x, decimals)
    assert c.total == 0
    assert_array(got, np.round(a, decimals), **tol(dtype))
    assert_array(x.round(decimals), np.round(a, decimals), **tol(dtype))
    assert_array(hpa.around(x, decimals=decimals), np.around(a, decimals=decimals), **tol(dtype))


def test_round_half_to_even_and_rint_complex() -> None:
    a = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 3.5])
    assert_array(hpa.round(make(a, 0)), np.round(a))
    assert_array(hpa.rint(make(a, 0)), np.rint(a))
    c = np.array([0.5 + 1.5j, 2.5 - 3.5j, -1.2 + 0.7j])
    assert_array(hpa.rint(make(c, 0)), np.rint(c))


@pytest.mark.parametrize(
    "dtype",
    [
        hpa.float16,
        hpa.bfloat16,
        hpa.float32,
        hpa.float64,
        hpa.complex64,
        hpa.complex128,
        hpa.int32,
        hpa.bool_,
    ],
    ids=DTYPE_IDS,
)
def test_nan_to_num(dtype: hpa.DType) -> None:
    if dtype.kind == "c":
        a = np.array(
            [complex(np.nan, np.inf), complex(-np.inf, 1), 1 + 2j, complex(0, np.nan)], dtype.numpy
        )
    elif dtype.kind == "f":
        a = np.array(
            [np.nan, np.inf, -np.inf, 1.5, -2.0],
            np.float32 if dtype is hpa.bfloat16 else dtype.numpy,
        )
    else:
        a = data((5,), dtype)
    x = make(a, 0, dtype)
    if dtype is hpa.bfloat16:
        big = float(torch.finfo(torch.bfloat16).max)
        want = np.nan_to_num(a, posinf=big, neginf=-big)
    else:
        want = np.nan_to_num(a)
    assert_array(hpa.nan_to_num(x), want, dtype=dtype, **tol(dtype))
    assert_array(
        hpa.nan_to_num(x, nan=5.0, posinf=7.0, neginf=-7.0),
        np.nan_to_num(a, nan=5.0, posinf=7.0, neginf=-7.0),
        dtype=dtype,
        **tol(dtype),
    )
    y = x.copy()
    assert hpa.nan_to_num(y, copy=False) is y
    assert_array(y, hpa.nan_to_num(x).numpy(), dtype=dtype)


WHERE_SPLITS = [(0, 0, 0), (0, 1, None), (None, 1, 0), (1, None, None), (None, None, None)]


@pytest.mark.parametrize("splits", WHERE_SPLITS, ids=lambda s: "-".join(map(str, s)))
def test_where(splits: tuple[int | None, int | None, int | None]) -> None:
    a, b = data((6, 5), seed=1), data((6, 5), hpa.int32, seed=2)
    cond = a > 0
    c, x, y = make(cond, splits[0], ragged=True), make(a, splits[1]), make(b, splits[2])
    got = hpa.where(c, x, y)
    assert got.split == next((s for s in splits if s is not None), None)
    assert_array(got, np.where(cond, a, b))
    assert_array(hpa.where(c, x, 0.5), np.where(cond, a, 0.5))
    assert_array(hpa.where(c, 1, y), np.where(cond, 1, b))
    assert_array(hpa.where(c, 1, 2.5), np.where(cond, 1, 2.5))
    assert_array(hpa.where(c, 1, 2), np.where(cond, 1, 2))
    assert_array(hpa.where(c, a[0], b[:, :1]), np.where(cond, a[0], b[:, :1]))
    small = make(b.astype(np.int8), splits[2])
    assert_array(hpa.where(c, small, 3), np.where(cond, b.astype(np.int8), np.int8(3)))
    assert_array(
        hpa.where(make(a[0] > 0, 0 if splits[1] is not None else None), x, y),
        np.where(a[0] > 0, a, b),
    )
    for got_idx, want_idx in zip(hpa.where(c), np.where(cond)):
        assert_array(got_idx, want_idx)
    with pytest.raises(ValueError):
        hpa.where(c, x)


@pytest.mark.parametrize("split", [None, 0, 1])
def test_clip(split: int | None) -> None:
    a = data((6, 5), seed=1)
    x = make(a, split, ragged=True)
    lo, hi = data((1, 5), seed=2) - 1, data((6, 1), seed=3) + 1
    assert_array(hpa.clip(x, -0.5, 0.5), np.clip(a, -0.5, 0.5))
    assert_array(x.clip(-0.5, 0.5), np.clip(a, -0.5, 0.5))
    assert_array(hpa.clip(x, None, 0.5), np.clip(a, None, 0.5))
    assert_array(hpa.clip(x, min=-0.5), np.clip(a, -0.5, None))
    assert_array(hpa.clip(x, make(lo, 0), make(hi, 0)), np.clip(a, lo, hi))
    assert_array(hpa.clip(x, lo, hi), np.clip(a, lo, hi))
    nan = a.copy()
    nan[0, 0] = np.nan
    assert_array(hpa.clip(make(nan, split), -0.5, 0.5), np.clip(nan, -0.5, 0.5))
    i = data((6, 5), hpa.int8)
    assert_array(hpa.clip(make(i, split), -2, 3), np.clip(i, -2, 3))
    assert_array(hpa.clip(make(i, split), -2.5, 3), np.clip(i, -2.5, 3))
    out = make(np.zeros((6, 5)), split)
    assert hpa.clip(x, -1, 1, out=out) is out
    assert_array(out, np.clip(a, -1, 1))
    copy = hpa.clip(x)
    assert_array(copy, np.clip(a, None, None))
    copy[0, 0] = 7.0
    assert_array(x, a)


@pytest.mark.parametrize(
    "splits", [(0, 0), (0, 1), (None, 1), (1, None)], ids=lambda s: f"{s[0]}-{s[1]}"
)
def test_isclose_allclose(splits: tuple[int | None, int | None]) -> None:
    a = data((6, 5), seed=1)
    b = a + np.where(data((6, 5), hpa.bool_, seed=2), 1e-9, 1e-3)
    a[1, 1], b[1, 1] = np.nan, np.nan
    x, y = make(a, splits[0], ragged=True), make(b, splits[1])
    assert_array(hpa.isclose(x, y), np.isclose(a, b))
    assert_array(hpa.isclose(x, y, equal_nan=True), np.isclose(a, b, equal_nan=True))
    assert_array(hpa.isclose(x, y, rtol=0, atol=1e-2), np.isclose(a, b, rtol=0, atol=1e-2))
    assert_array(hpa.isclose(x, b[0]), np.isclose(a, b[0]))
    assert hpa.allclose(x, y) is bool(np.allclose(a, b))
    assert hpa.allclose(x, x, equal_nan=True) is True
    assert hpa.allclose(x, y, atol=1e-2, equal_nan=True) is bool(
        np.allclose(a, b, atol=1e-2, equal_nan=True)
    )
    i = make(np.arange(6).reshape(6, 1), splits[0])
    assert_array(hpa.isclose(i, 3), np.isclose(np.arange(6).reshape(6, 1), 3))
    f = make(np.ones(4, np.float32), 0 if splits[1] is not None else None)
    assert_array(hpa.isclose(f, 1 + 1e-6), np.isclose(np.ones(4, np.float32), 1 + 1e-6))


# ----------------------------------------------------------------------------- numerics corner cases
def test_integer_division_by_zero_gives_zero_on_every_rank() -> None:
    """NumPy returns 0 (with a warning); torch raises, and only on the rank holding the zero."""
    a = np.arange(-6, 6, dtype=np.int32)
    b = np.ones_like(a)
    b[-1] = 0
    x, y = make(a, 0), make(b, 0)
    for name in ("floor_divide", "remainder", "fmod"):
        assert_array(getattr(hpa, name)(x, y), reference(getattr(np, name), a, b))
        assert_array(getattr(hpa, name)(x, 0), reference(getattr(np, name), a, 0))
    t = make(np.array([True, False, True]), 0)
    assert_array(
        t // t,
        reference(np.floor_divide, np.array([True, False, True]), np.array([True, False, True])),
    )


@pytest.mark.parametrize("split", [None, 0])
def test_remainder_zero_takes_divisor_sign(split: int | None) -> None:
    """A zero remainder has the divisor's sign (NumPy, the standard), for % and %= too."""
    a = np.array([-0.0, 0.0, -0.0, 0.0, 4.0, -4.0, 5.0, -5.0])
    b = np.array([1.0, -1.0, -1.0, 1.0, -2.0, 2.0, 3.0, 3.0])
    want = np.remainder(a, b)
    for got in (hpa.remainder(make(a, split), make(b, split)), make(a, split) % make(b, split)):
        assert_array(got, want)
        np.testing.assert_array_equal(np.signbit(got.gather().cpu().numpy()), np.signbit(want))
    x = make(a, split)
    x %= 1.0
    np.testing.assert_array_equal(
        np.signbit(x.gather().cpu().numpy()), np.signbit(np.remainder(a, 1.0))
    )


def test_integer_power_negative_exponent() -> None:
    with pytest.raises(ValueError):
        make(np.arange(4), 0) ** -1
    assert_array(make(np.arange(4), 0) ** -1.0, reference(np.power, np.arange(4), -1.0))


def test_float_specials() -> None:
    a = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0])
    b = np.array([1.0, np.nan, -np.inf, -0.0, 0.0, np.inf, np.nan])
    x, y = make(a, 0), make(b, 0)
    for name in (
        "maximum",
        "minimum",
        "fmax",
        "fmin",
        "copysign",
        "arctan2",
        "hypot",
        "logaddexp",
        "divide",
        "less",
        "equal",
    ):
        assert_array(getattr(hpa, name)(x, y), reference(getattr(np, name), a, b))
    for name in ("isnan", "isinf", "isfinite", "signbit", "sign", "exp", "abs"):
        assert_array(getattr(hpa, name)(x), reference(getattr(np, name), a))


def test_complex_ordering() -> None:
    """NumPy orders complex numbers lexicographically, NaNs following its loops."""
    a = np.array([1 + 1j, complex(np.nan, 0), 2 + 0j, 1 + 1j, 3 - 1j, 0 + 2j, complex(1, np.nan)])
    b = np.array([1 + 2j, 0j, complex(2, np.nan), 1 + 1j, 2 + 5j, 0 + 1j, 2 + 0j])
    x, y = make(a, 0), make(b, None)
    for name in (
        "maximum",
        "minimum",
        "fmax",
        "fmin",
        "less",
        "less_equal",
        "greater",
        "greater_equal",
        "equal",
    ):
        assert_array(getattr(hpa, name)(x, y), reference(getattr(np, name), a, b))
    assert_array(hpa.maximum(x, 2), np.maximum(a, 2))


def test_errors_are_raised_on_every_rank_without_communication() -> None:
    x, y = make(data((6, 5)), 0), make(data((5, 6)), 1)
    f, i = make(data((4,)), 0), make(data((4,), hpa.int32), 0)
    with hpa.count_collectives() as c:
        with pytest.raises(ValueError):
            x + y
        with pytest.raises(ValueError):
            hpa.maximum(x, make(data((6,)), 0))
        with pytest.raises(ValueError):
            hpa.where(x > 0, x, y)
        with pytest.raises(ValueError):
            hpa.clip(x, y, 1.0)
        for name in ("bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift"):
            with pytest.raises(TypeError):
                getattr(hpa, name)(f, f)
            with pytest.raises(TypeError):
                getattr(hpa, name)(i, f)
            with pytest.raises(TypeError):
                getattr(hpa, name)(i, 1.5)
        with pytest.raises(TypeError):
            _ = ~f
        with pytest.raises(TypeError):
            -make(np.array([True]), 0)
        with pytest.raises(TypeError):
            hpa.floor(make(np.array([1j]), 0))
    assert c.total == 0


def test_zero_dimensional_and_scalar_inputs() -> None:
    s = hpa.array(2.0)
    assert_array(s + 1, np.float64(3.0))
    assert_array(hpa.sqrt(4.0), np.sqrt(4.0))
    assert_array(hpa.add(1, 2), np.add(1, 2))
    assert_array(hpa.multiply(np.float32(2), 3), np.multiply(np.float32(2), 3))
    assert_array(s * make(data((3, 4)), 1), 2.0 * data((3, 4)))


# ----------------------------------------------------------------------------- fast path and properties
def test_small_replicated_fast_path() -> None:
    a, b = data((1000,), seed=1), data((1000,), seed=2)
    x, y = make(a, None), make(b, None)
    with hpa.count_collectives() as c:
        results = [
            x + y,
            x * y,
            x < y,
            x + y.astype(hpa.float32),
            x.astype(hpa.int32) - y.astype(hpa.int32),
        ]
    assert c.total == 0
    wants = [a + b, a * b, a < b, a + b.astype(np.float32), a.astype(np.int32) - b.astype(np.int32)]
    for got, want in zip(results, wants):
        assert got.layout == x.layout
        assert_array(got, want)
    z = x + y
    assert z.larray is not x.larray and z.larray is not y.larray


PROPERTY_DTYPES = [
    hpa.bool_,
    hpa.int8,
    hpa.uint8,
    hpa.int32,
    hpa.int64,
    hpa.float16,
    hpa.float32,
    hpa.float64,
    hpa.complex64,
]


@st.composite
def operand_pairs(draw: Any) -> tuple[Any, ...]:
    ndim = draw(st.integers(0, 3))
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=ndim, max_size=ndim)))
    # the second operand drops leading axes or has some axes of length 1
    drop = draw(st.integers(0, ndim))
    other = tuple(1 if draw(st.booleans()) else n for n in shape[drop:])
    if draw(st.booleans()):
        shape, other = other, shape
    split_a = draw(st.sampled_from([None, *range(len(shape))]))
    split_b = draw(st.sampled_from([None, *range(len(other))]))
    dtype_a, dtype_b = (
        draw(st.sampled_from(PROPERTY_DTYPES)),
        draw(st.sampled_from(PROPERTY_DTYPES)),
    )
    ragged = draw(st.booleans())
    name = draw(st.sampled_from(["add", "multiply", "less", "not_equal"]))
    return shape, other, split_a, split_b, dtype_a, dtype_b, ragged, name


@given(operand_pairs())
def test_property_broadcast_splits_dtypes(case: tuple[Any, ...]) -> None:
    shape, other, split_a, split_b, dtype_a, dtype_b, ragged, name = case
    a, b = data(shape, dtype_a, seed=1), data(other, dtype_b, seed=2)
    x, y = make(a, split_a, ragged=ragged), make(b, split_b)
    got = getattr(hpa, name)(x, y)
    want = reference(getattr(np, name), a, b)
    out_dtype = dtypes.to_dtype(want.dtype)
    assert_array(got, want, **tol(out_dtype))
    split_ops = [
        v
        for v in (x, y)
        if v.split is not None and v.shape[v.split] == got.shape[v.split + got.ndim - v.ndim]
    ]
    if not split_ops:
        assert got.split is None


def test_type_checking_declarations_match_generated_names() -> None:
    """The ``if TYPE_CHECKING:`` declarations (and ``__all__`` there) name exactly the
    functions generated from ``_BINARY``, ``_UNARY`` and ``_ALIASES`` (no communication)."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(elementwise.__file__).read_text())
    blocks = [
        node
        for node in tree.body
        if isinstance(node, ast.If)
        and isinstance(node.test, ast.Name)
        and node.test.id == "TYPE_CHECKING"
    ]
    assert len(blocks) == 1
    declared = {
        stmt.target.id
        for stmt in blocks[0].body
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
    }
    exported = {
        elt.value
        for stmt in blocks[0].body
        if isinstance(stmt, ast.AugAssign)
        and isinstance(stmt.target, ast.Name)
        and stmt.target.id == "__all__"
        and isinstance(stmt.value, ast.List)
        for elt in stmt.value.elts
        if isinstance(elt, ast.Constant)
    }
    generated = set(elementwise._BINARY) | set(elementwise._UNARY) | set(elementwise._ALIASES)
    assert declared == generated
    assert exported == generated
    assert generated <= set(elementwise.__all__)
