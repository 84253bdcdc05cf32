"""hpa.ops.logic against NumPy: isneginf, isposinf, iscomplex, isreal, iscomplexobj,
isrealobj, array_equal, array_equiv and select.

Every function is checked for every split with balanced, ragged and empty blocks, for dtypes,
for NumPy's errors (raised on every rank) and for the collectives each call issues; the
Python bools of array_equal/array_equiv are compared on every rank.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import P, SHAPES, agree, assert_array, case_id, cases, data, make, raised_everywhere

import hpa
from hpa.core.dispatch import OPS

DTYPES = [
    hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64, hpa.float16, hpa.bfloat16,
    hpa.float32, hpa.float64, hpa.complex64, hpa.complex128,
]  # fmt: skip
NAMES = [
    "isneginf", "isposinf", "iscomplex", "isreal", "iscomplexobj", "isrealobj", "array_equal",
    "array_equiv", "select",
]  # fmt: skip
LAYOUTS = [
    (shape, split, ragged)
    for shape, split in cases(SHAPES)
    for ragged in (False, True)
    if split is not None or not ragged
]


def layout_id(case: tuple[tuple[int, ...], int | None, bool]) -> str:
    return case_id(case[:2]) + ("-ragged" if case[2] else "")


def special(shape: tuple[int, ...], dtype: hpa.DType, seed: int = 0) -> np.ndarray:
    """Data of ``dtype`` with infinities of both signs and NaN where the dtype holds them."""
    a = data(shape, dtype, seed=seed)
    if dtype.kind in "fc" and a.size:
        flat = a.reshape(-1)
        flat[::3] = np.inf
        flat[1::4] = -np.inf
        flat[2::5] = np.nan
        if dtype.kind == "c":
            flat[::2] = flat[::2].real.astype(flat.dtype)  # some purely real values
    return a


# ----------------------------------------------------------------------------- elementwise tests
@pytest.mark.parametrize("case", LAYOUTS, ids=layout_id)
def test_elementwise_every_layout(case: tuple[tuple[int, ...], int | None, bool]) -> None:
    shape, split, ragged = case
    f = special(shape, hpa.float64)
    z = special(shape, hpa.complex128, seed=1)
    x, xz = make(f, split, ragged=ragged), make(z, split, ragged=ragged)
    with hpa.count_collectives() as c:
        results = [
            (hpa.isneginf(x), np.isneginf(f)), (hpa.isposinf(x), np.isposinf(f)),
            (hpa.iscomplex(xz), np.iscomplex(z)), (hpa.isreal(xz), np.isreal(z)),
            (hpa.iscomplex(x), np.iscomplex(f)), (hpa.isreal(x), np.isreal(f)),
        ]  # fmt: skip
    assert c.total == 0, c
    for got, want in results:
        assert got.layout == x.layout
        assert_array(got, want)


def test_elementwise_every_dtype() -> None:
    for dtype in DTYPES:
        a = special((4, 3), dtype)
        ref = a.astype(np.float32) if dtype is hpa.bfloat16 else a
        x = make(a, 0, dtype)
        for name in ("isneginf", "isposinf"):
            if dtype.kind == "c":
                raised_everywhere(TypeError, lambda name=name: getattr(hpa, name)(x))
                with pytest.raises(TypeError):
                    getattr(np, name)(ref)
            else:
                assert_array(getattr(hpa, name)(x), getattr(np, name)(ref))
        assert_array(hpa.iscomplex(x), np.iscomplex(ref))
        assert_array(hpa.isreal(x), np.isreal(ref))
        assert hpa.iscomplexobj(x) is bool(np.iscomplexobj(ref)) is (dtype.kind == "c")
        assert hpa.isrealobj(x) is bool(np.isrealobj(ref))


def test_out_and_python_data() -> None:
    f = special((7,), hpa.float32)
    x = make(f, 0)
    out = hpa.zeros(7, dtype=hpa.bool_, split=0)
    assert hpa.isneginf(x, out=out) is out
    assert_array(out, np.isneginf(f))
    wide = hpa.zeros(7, dtype=hpa.int64)
    assert hpa.isposinf(x, out=wide) is wide  # NumPy's doc example: an integer out
    assert_array(wide, np.isposinf(f).astype(np.int64))
    assert_array(hpa.isneginf([-np.inf, 0.0, np.inf]), [True, False, False])
    assert_array(
        hpa.iscomplex([1 + 1j, 1 + 0j, 4.5, 3, 2, 2j]), [True, False] + [False] * 3 + [True]
    )
    assert_array(hpa.isreal([1 + 1j, 1 + 0j, 4.5]), [False, True, True])
    assert_array(hpa.iscomplex(3), np.iscomplex(3))
    assert_array(hpa.isneginf(hpa.array(-np.inf)), np.isneginf(-np.inf))


def test_obj_tests() -> None:
    for v in ([1, 2], [1j], 3, 3.5 + 0j, np.ones(2, np.complex64), np.ones(2), True):
        assert hpa.iscomplexobj(v) is bool(np.iscomplexobj(v)), v
        assert hpa.isrealobj(v) is bool(np.isrealobj(v)), v
    import torch

    assert hpa.iscomplexobj(torch.ones(2, dtype=torch.complex64))
    assert hpa.isrealobj(make(np.ones((3, 2)), 1))
    with hpa.count_collectives() as c:
        hpa.iscomplexobj(make(np.ones(5), 0))
    assert c.total == 0


# ----------------------------------------------------------------------------- array_equal
def verdict(got: bool, want: bool) -> None:
    assert isinstance(got, bool)
    agree(got is bool(want), f"got {got}, NumPy {want}")
    assert hpa.get_comm().allgather_object(got) == [got] * P


@pytest.mark.parametrize("case", LAYOUTS, ids=layout_id)
def test_array_equal_every_layout(case: tuple[tuple[int, ...], int | None, bool]) -> None:
    shape, split, ragged = case
    a = special(shape, hpa.float64)
    b = a.copy()
    x = make(a, split, ragged=ragged)
    for other in (b, np.where(np.isnan(b), 0.0, b)):
        y = make(other, split)
        for equal_nan in (False, True):
            with hpa.count_collectives() as c:
                got = hpa.array_equal(x, y, equal_nan=equal_nan)
            want = np.array_equal(a, other, equal_nan=equal_nan)
            verdict(got, want)
            verdict_cost = 1 if split is not None else 0
            assert c.counts.get("allreduce", 0) == verdict_cost, c
            assert c.total - verdict_cost <= (1 if ragged else 0), "one alignment at most"
        verdict(hpa.array_equiv(x, make(other, split)), np.array_equiv(a, other))
    if a.size:
        c2 = a.copy()
        c2.reshape(-1)[-1] = 7.0  # one element on the last rank differs
        verdict(hpa.array_equal(x, make(c2, split), equal_nan=True), False)


def test_array_equal_shapes_dtypes_and_layouts() -> None:
    a = data((6, 5), hpa.int32)
    x = make(a, 0)
    short, wide = make(a[:5], 0), make(a[:, :2], 1)
    with hpa.count_collectives() as c:
        found = [
            hpa.array_equal(x, short), hpa.array_equal(x, a.T), hpa.array_equiv(x, wide)
        ]  # fmt: skip
    assert c.total == 0, "different shapes are decided from the metadata"
    for got in found:
        verdict(got, False)
    verdict(hpa.array_equal(x, a.astype(np.float64)), True)  # values, not dtypes
    verdict(hpa.array_equal(x, make(a, 1)), True)
    verdict(hpa.array_equal(a, a.tolist()), True)
    verdict(hpa.array_equal(make(a, None), a), True)
    with hpa.count_collectives() as c:
        hpa.array_equal(make(a, None), make(a, None))
    assert c.total == 0, "replicated operands: no communication"
    verdict(hpa.array_equiv(make(a[0], 0), make(np.tile(a[0], (3, 1)), 1)), True)
    verdict(hpa.array_equiv(x, a[0]), np.array_equiv(a, a[0]))
    verdict(hpa.array_equiv([1, 2], [[1, 2, 1, 2], [1, 2, 1, 2]]), False)
    verdict(hpa.array_equal([[1, 2], [3]], [1, 2]), False)  # not an array: False, as in NumPy
    z = np.array([1 + 1j, 2 + 0j])
    z1, z2 = z.copy(), z.copy()
    z1.real[0] = np.nan
    z2.imag[0] = np.nan
    for equal_nan in (False, True):
        want = np.array_equal(z1, z2, equal_nan=equal_nan)
        verdict(hpa.array_equal(make(z1, 0), make(z2, 0), equal_nan=equal_nan), want)
    verdict(hpa.array_equal(make(np.ones(3, bool), 0), np.ones(3, bool), equal_nan=True), True)
    e = np.zeros((0, 3))
    verdict(hpa.array_equal(make(e, 0), make(e, 1)), True)


# ----------------------------------------------------------------------------- select
@pytest.mark.parametrize("case", LAYOUTS, ids=layout_id)
def test_select_every_layout(case: tuple[tuple[int, ...], int | None, bool]) -> None:
    shape, split, ragged = case
    v = data(shape, hpa.int64, seed=2)
    w = data(shape, hpa.float32, seed=3)
    conds = [v < 0, v > 2, v == 0]
    x, y = make(v, split, ragged=ragged), make(w, split, ragged=ragged)
    hconds = [make(c, split, ragged=ragged) for c in conds]
    with hpa.count_collectives() as c:
        got = hpa.select(hconds, [x, y, 5.5], default=-1)
    assert c.total == 0, c
    assert got.layout == x.layout
    assert_array(got, np.select(conds, [v, w, 5.5], default=-1))
    # conditions replicated, choices split (and the other way round)
    assert_array(hpa.select(conds[:2], [x, x * 2]), np.select(conds[:2], [v, v * 2]))
    want = np.select(conds[1:], [v, 2], default=w)
    assert_array(hpa.select(hconds[1:], [v, 2], default=y), want)


def test_select_dtypes_and_broadcasting() -> None:
    v = np.arange(12).reshape(3, 4)
    x = make(v, 1)
    for choices, default in [
        ([np.ones((3, 4), np.int8)], 0),
        ([np.ones((3, 4), np.int8)], np.int64(0)),
        ([np.ones(4, np.float32)], 0.5),
        ([1, 2.5], 0),
        ([np.ones(4, np.uint8), True], 1j),
        ([np.ones((3, 4), np.float16), np.ones(4, np.int16)], 0),
        ([1, 2], 0),
    ]:
        conds = [v % 2 == 0, v > 5][: len(choices)]
        want = np.select(conds, choices, default)
        got = hpa.select([make(c, 1) for c in conds], choices, default)
        assert_array(got, want)
    col = v[:, :1] > 4
    assert_array(hpa.select([make(col, 0)], [x], 9), np.select([col], [v], 9))
    assert_array(hpa.select([True, v > 3], [v[0], v]), np.select([True, v > 3], [v[0], v]))
    assert_array(hpa.select([np.array(False)], [1]), np.select([np.array(False)], [1]))
    with hpa.count_collectives() as c:
        got = hpa.select([make(v > 3, 0)], [make(v, 1)])
    assert dict(c.counts) == ({"alltoallv": 1} if P > 1 else {}), c
    assert got.split == 0
    assert_array(got, np.select([v > 3], [v]))


def test_select_errors() -> None:
    """NumPy's errors, in NumPy's order (lengths, then shapes, then the condition dtype)."""
    v = np.arange(6)
    x = make(v, 0)
    for conds, choices, np_conds, np_choices, exc in [
        ([x > 1], [x, x], [v > 1], [v, v], ValueError),
        ([], [], [], [], ValueError),
        ([x], [x], [v], [v], TypeError),
        ([make(v > 1, 0)], [np.ones(4)], [v > 1], [np.ones(4)], ValueError),
        ([v > 1, np.ones(4, bool)], [v, v], [v > 1, np.ones(4, bool)], [v, v], ValueError),
        ([x, np.ones(4, bool)], [v, v], [v, np.ones(4, bool)], [v, v], ValueError),
    ]:
        with pytest.raises(exc):
            np.select(np_conds, np_choices)
        raised_everywhere(exc, lambda conds=conds, choices=choices: hpa.select(conds, choices))


def test_registered() -> None:
    for name in NAMES:
        assert OPS[name] is getattr(hpa, name), name
