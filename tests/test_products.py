"""matmul and the products built on it against NumPy: every pair of splits (balanced and
ragged), vectors, stacks of matrices, empty blocks, dtypes, the windowed reduce-scatter path,
collective counts per case, and errors raised on every rank.

Every rank runs the same calls in the same order and every check compares gathered data.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere, tolerance

import hpa
from hpa.linalg import products

MATRIX_SHAPES = [(5, 4, 3), (1, 7, 2), (2, 1, 6), (0, 3, 2), (4, 0, 3), (6, 6, 6), (2, 9, 1)]
LAYOUTS = [(None, False), (0, False), (1, False), (0, True), (1, True)]


def operand(values: np.ndarray, layout: tuple[int | None, bool]) -> hpa.Array:
    split, ragged = layout
    if split is not None and split >= values.ndim:
        split = values.ndim - 1
    return make(values, split, ragged=ragged)


@pytest.mark.parametrize("mkn", MATRIX_SHAPES, ids=str)
def test_matmul_every_layout_pair(mkn: tuple[int, int, int]) -> None:
    m, k, n = mkn
    a, b = data((m, k), seed=1), data((k, n), seed=2)
    for la, lb in itertools.product(LAYOUTS, repeat=2):
        got = operand(a, la) @ operand(b, lb)
        assert_array(got, a @ b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shapes", [((4,), (4, 3)), ((5, 4), (4,)), ((6,), (6,)), ((1,), (1,))])
def test_matmul_vectors(shapes: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = data(shapes[0], seed=3), data(shapes[1], seed=4)
    for la, lb in itertools.product(LAYOUTS, repeat=2):
        assert_array(hpa.matmul(operand(a, la), operand(b, lb)), a @ b, rtol=1e-12, atol=1e-12)


STACKS = [
    ((3, 4, 5), (3, 5, 2)),
    ((3, 4, 5), (5, 2)),
    ((4, 5), (2, 5, 3)),
    ((2, 1, 3, 4), (5, 4, 2)),
]


@pytest.mark.parametrize("shapes", STACKS, ids=str)
def test_matmul_stacks(shapes: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = data(shapes[0], seed=5), data(shapes[1], seed=6)
    for sa in [None, *range(a.ndim)]:
        for sb in [None, *range(b.ndim)]:
            for ragged in (False, True):
                got = make(a, sa, ragged=ragged) @ make(b, sb, ragged=ragged)
                assert_array(got, a @ b, rtol=1e-12, atol=1e-12)


DTYPES = [hpa.float32, hpa.float64, hpa.complex128, hpa.int64, hpa.int32, hpa.bool_, hpa.float16]


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_matmul_dtypes(dtype: hpa.DType) -> None:
    a, b = data((5, 4), dtype, seed=7), data((4, 3), dtype, seed=8)
    want = a @ b
    tol = tolerance(dtype) if dtype is not hpa.float16 else {"rtol": 1e-2, "atol": 2e-2}
    for la, lb in itertools.product(LAYOUTS[:3], repeat=2):
        got = operand(a, la) @ operand(b, lb)
        assert_array(got, want, **tol)


def test_matmul_mixed_dtypes() -> None:
    a, b = data((3, 4), hpa.int32, seed=9), data((4, 2), hpa.float32, seed=10)
    for la, lb in itertools.product(LAYOUTS[:3], repeat=2):
        assert_array(operand(a, la) @ operand(b, lb), a @ b, **tolerance(hpa.float64))


def test_result_layouts_and_collectives() -> None:
    a, b = data((6, 5), seed=11), data((5, 4), seed=12)
    cases = {  # (split a, split b): (result split, collective kinds allowed)
        (None, None): (None, set()),
        (0, None): (0, set()),
        (None, 1): (1, set()),
        (1, 0): (None, {"allreduce"}),
        (None, 0): (None, {"allreduce"}),
        (1, None): (None, {"allreduce"}),
        (0, 0): (0, {"isend", "irecv"}),
        (1, 1): (1, {"isend", "irecv"}),
        (0, 1): (0, {"isend", "irecv"}),
    }
    for (sa, sb), (split, kinds) in cases.items():
        x, y = make(a, sa), make(b, sb)
        with hpa.count_collectives() as stats:
            got = x @ y
        used = {kind for kind, calls in stats.counts.items() if calls}
        if P == 1:
            assert not used
        else:
            assert got.split == split, (sa, sb, got.split)
            assert used <= kinds, (sa, sb, used)
            if "allreduce" in kinds:
                assert stats["allreduce"] == 1
            if "isend" in kinds:
                assert stats["isend"] <= P - 1
        assert_array(got, a @ b, rtol=1e-12, atol=1e-12)


def test_large_contraction_reduce_scatters_in_windows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(products, "_REPLICATE_BYTES", 0)
    monkeypatch.setattr(products, "_WINDOW_BYTES", 8 * 4 * 3)  # a few rows per window
    a, b = data((11, 6), seed=13), data((6, 4), seed=14)
    for sa, sb in [(1, 0), (None, 0), (1, None)]:
        for ragged in (False, True):
            with hpa.count_collectives() as stats:
                got = make(a, sa, ragged=ragged) @ make(b, sb, ragged=ragged)
            assert_array(got, a @ b, rtol=1e-12, atol=1e-12)
            if P > 1:
                assert got.split == 0
                assert stats["reduce_scatter"] > 1
                assert not stats["allreduce"]


def test_matmul_errors() -> None:
    a, b = make(data((3, 4)), 0), make(data((5, 2)), 1)
    raised_everywhere(ValueError, lambda: a @ b)
    raised_everywhere(ValueError, lambda: hpa.matmul(hpa.array(2.0), a))
    raised_everywhere(ValueError, lambda: make(data((2, 3, 4)), 0) @ make(data((3, 4, 2)), 0))


def test_imatmul_and_rmatmul() -> None:
    a, b = data((4, 4), seed=15), data((4, 4), seed=16)
    x = make(a, 0)
    x @= make(b, 1)
    assert_array(x, a @ b, rtol=1e-12)
    assert_array(b @ make(a, 0), b @ a, rtol=1e-12)
    y = make(data((4, 3)), 0)

    def bad() -> None:
        nonlocal y
        y @= make(data((3, 2)), None)

    raised_everywhere(ValueError, bad)


@pytest.mark.parametrize(
    "shapes",
    [
        ((3, 4), (4, 2)),
        ((5,), (5,)),
        ((2, 3, 4), (4,)),
        ((2, 3, 4), (5, 4, 2)),
        ((3,), (3, 4)),
        ((), (3,)),
    ],
    ids=str,
)
def test_dot(shapes: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = data(shapes[0], seed=17), data(shapes[1], seed=18)
    for sa in [None, *range(a.ndim)]:
        for sb in [None, *range(b.ndim)]:
            assert_array(hpa.dot(make(a, sa), make(b, sb)), np.dot(a, b), rtol=1e-12, atol=1e-12)
            if a.ndim:
                assert_array(make(a, sa).dot(make(b, sb)), np.dot(a, b), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "shapes", [((3, 4), (2, 4)), ((5,), (5,)), ((2, 3, 4), (4,)), ((), (2, 2))], ids=str
)
def test_inner(shapes: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = data(shapes[0], seed=19), data(shapes[1], seed=20)
    for sa in [None, *range(a.ndim)]:
        for sb in [None, *range(b.ndim)]:
            assert_array(
                hpa.inner(make(a, sa), make(b, sb)), np.inner(a, b), rtol=1e-12, atol=1e-12
            )


@pytest.mark.parametrize("dtype", [hpa.float64, hpa.complex128, hpa.int64])
def test_vdot(dtype: hpa.DType) -> None:
    a, b = data((3, 4), dtype, seed=21), data((3, 4), dtype, seed=22)
    for sa, sb in itertools.product([None, 0, 1], repeat=2):
        assert_array(hpa.vdot(make(a, sa), make(b, sb)), np.vdot(a, b), rtol=1e-12, atol=1e-12)
    raised_everywhere(ValueError, lambda: hpa.vdot(make(a, 0), make(data((5,)), 0)))


@pytest.mark.parametrize(
    "shapes", [((4,), (3,)), ((2, 3), (5,)), ((0,), (3,)), ((7,), (1,))], ids=str
)
def test_outer(shapes: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = data(shapes[0], seed=23), data(shapes[1], seed=24)
    for (sa, ra), (sb, rb) in itertools.product(LAYOUTS[:2] + LAYOUTS[3:4], repeat=2):
        got = hpa.outer(make(a, sa and min(sa, a.ndim - 1), ragged=ra), make(b, sb, ragged=rb))
        assert_array(got, np.outer(a, b), rtol=1e-12)


@pytest.mark.parametrize(
    "args",
    [((3, 4, 5), (4, 5, 2), 2), ((3, 4), (4, 3), 1), ((3, 4), (5, 2), 0),
     ((2, 3, 4), (4, 3, 2), ([1, 2], [1, 0])), ((3, 4), (3, 4), ([0, 1], [0, 1]))],
    ids=str,
)  # fmt: skip
def test_tensordot(args: tuple) -> None:
    sa_shape, sb_shape, axes = args
    a, b = data(sa_shape, seed=25), data(sb_shape, seed=26)
    want = np.tensordot(a, b, axes=axes)
    for sa in [None, *range(a.ndim)]:
        for sb in [None, *range(b.ndim)]:
            got = hpa.tensordot(make(a, sa), make(b, sb), axes=axes)
            assert_array(got, want, rtol=1e-12, atol=1e-12)
    raised_everywhere(ValueError, lambda: hpa.tensordot(make(a, 0), make(b, 0), axes=([0], [0, 1])))


EINSUMS = [
    ("ij,jk->ik", [(3, 4), (4, 5)]),
    ("ij,jk", [(3, 4), (4, 5)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij->ji", [(3, 4)]),
    ("ii->i", [(4, 4)]),
    ("ii", [(4, 4)]),
    ("ij->", [(3, 4)]),
    ("ij->j", [(3, 4)]),
    ("i,i->", [(5,), (5,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,ij->i", [(3, 4), (3, 4)]),
    ("ijk,jl->ilk", [(2, 3, 4), (3, 5)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 3)]),
    ("ij,kj->ik", [(4, 3), (5, 3)]),
    ("iij,j->i", [(3, 3, 2), (2,)]),
]


@pytest.mark.parametrize("spec", EINSUMS, ids=lambda s: s[0])
def test_einsum(spec: tuple[str, list[tuple[int, ...]]]) -> None:
    subscripts, shapes = spec
    arrays = [data(s, seed=30 + i) for i, s in enumerate(shapes)]
    want = np.einsum(subscripts, *arrays)
    for splits in itertools.product(*[[None, *range(len(s))] for s in shapes]):
        got = hpa.einsum(subscripts, *[make(x, s) for x, s in zip(arrays, splits)])
        assert_array(got, want, rtol=1e-12, atol=1e-12)


def test_einsum_errors() -> None:
    x = make(data((3, 4)), 0)
    raised_everywhere(ValueError, lambda: hpa.einsum("ij,jk->ik", x))
    raised_everywhere(ValueError, lambda: hpa.einsum("ijk->i", x))
    raised_everywhere(ValueError, lambda: hpa.einsum("ij,jk->ik", x, make(data((5, 2)), 0)))


@pytest.mark.parametrize(
    "shapes", [((2, 3), (3, 2)), ((3,), (2,)), ((2, 2), (3,)), ((0, 2), (2, 2))], ids=str
)
def test_kron(shapes: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = data(shapes[0], seed=40), data(shapes[1], seed=41)
    for sa in [None, *range(a.ndim)]:
        for sb in [None, *range(b.ndim)]:
            assert_array(hpa.kron(make(a, sa), make(b, sb)), np.kron(a, b), rtol=1e-12)


@pytest.mark.parametrize("n", [0, 1, 2, 3, 5])
def test_matrix_power(n: int) -> None:
    a = data((4, 4), seed=42) / 3
    for split in [None, 0, 1]:
        got = hpa.linalg.matrix_power(make(a, split), n)
        assert_array(got, np.linalg.matrix_power(a, n), rtol=1e-10, atol=1e-12)
    raised_everywhere(ValueError, lambda: hpa.linalg.matrix_power(make(data((3, 4)), 0), 2))


def test_cross() -> None:
    a, b = data((5, 3), seed=43), data((5, 3), seed=44)
    for sa, sb in itertools.product([None, 0, 1], repeat=2):
        assert_array(hpa.linalg.cross(make(a, sa), make(b, sb)), np.cross(a, b), rtol=1e-12)
    c, d = data((3, 4), seed=45), data((3, 4), seed=46)
    for sa in [None, 0, 1]:
        got = hpa.linalg.cross(make(c, sa), make(d, 1), axis=0)
        assert_array(got, np.cross(c, d, axis=0), rtol=1e-12)
    raised_everywhere(
        ValueError, lambda: hpa.linalg.cross(make(data((4, 2)), 0), make(data((4, 2)), 0))
    )


def test_numpy_dispatch() -> None:
    a, b = data((4, 3), seed=47), data((3, 2), seed=48)
    x, y = make(a, 0), make(b, 1)
    assert_array(np.matmul(x, y), a @ b, rtol=1e-12)
    assert_array(np.dot(x, y), a @ b, rtol=1e-12)
    assert_array(np.einsum("ij,jk->ik", x, y), a @ b, rtol=1e-12)


def test_linalg_namespace_stack_functions() -> None:
    a = data((2, 3, 4), seed=49)
    for split in [None, 0, 1, 2]:
        x = make(a, split)
        for offset in (-1, 0, 2):
            assert_array(
                hpa.linalg.diagonal(x, offset=offset), np.linalg.diagonal(a, offset=offset)
            )
            assert_array(hpa.linalg.trace(x, offset=offset), np.linalg.trace(a, offset=offset))
        assert_array(hpa.linalg.matrix_transpose(x), np.linalg.matrix_transpose(a))
        assert_array(hpa.linalg.vecdot(x, x), np.linalg.vecdot(a, a), rtol=1e-12)
        assert_array(
            hpa.linalg.matmul(x, hpa.linalg.matrix_transpose(x)), a @ a.swapaxes(1, 2), rtol=1e-12
        )


@pytest.mark.parametrize(
    ("sa", "sb", "want"), [(0, None, 0), (None, 1, 1), (1, 0, None), (0, 1, 0), (None, None, None)]
)
def test_result_split_is_the_same_at_every_process_count(sa, sb, want) -> None:
    """The split of a product follows its operands, also when one process holds everything."""
    a, b = data((5, 4)), data((4, 3), seed=1)
    got = hpa.matmul(make(a, sa), make(b, sb))
    assert got.split == want
    assert_array(got, a @ b, **tolerance(hpa.float64))
