"""multi_dot, tensorinv, tensorsolve, matvec, vecmat and LinAlgError against NumPy: operands
replicated, split along each axis, ragged and with fewer rows than processes; the order of a
chain, ``out``, NumPy's dtypes, and the errors on every rank.

Every rank runs the same calls in the same order, and every check compares gathered data, so
all ranks reach the same verdict.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere

import hpa
from hpa.linalg.compositions import _chain_order

LinAlgError = np.linalg.LinAlgError


def layouts(ndim: int) -> list[tuple[int | None, bool]]:
    """(split, ragged) for every split of an ``ndim``-dimensional operand, ragged along axis 0."""
    return [(None, False), *((axis, False) for axis in range(ndim)), *([(0, True)] if ndim else [])]


def lay(values: np.ndarray, layout: tuple[int | None, bool]) -> hpa.Array:
    return make(values, layout[0], ragged=layout[1])


def raised_before_communicating(exc: type[BaseException], fn: Any) -> None:
    """``fn()`` raises ``exc`` on every rank, and no rank communicated before raising it."""
    with hpa.count_collectives() as stats:
        with pytest.raises(exc):
            fn()
    assert stats.total == 0
    raised_everywhere(exc, fn)


def test_linalg_error_is_numpys() -> None:
    assert hpa.linalg.LinAlgError is np.linalg.LinAlgError
    raised_everywhere(hpa.linalg.LinAlgError, lambda: hpa.linalg.inv(make(np.zeros((3, 3)), 0)))


# ---------------------------------------------------------------------------- multi_dot
CHAINS = [
    [(10, 100), (100, 5), (5, 50)],  # (AB)C
    [(5, 2), (2, 7), (7, 3)],  # A(BC)
    [(4, 4), (4, 4), (4, 4)],  # a tie: A(BC), as NumPy
    [(6, 3), (3, 8), (8, 2), (2, 5)],
    [(2, 9), (9, 1), (1, 7), (7, 4), (4, 3)],
    [(1, 4), (4, 2), (2, 3)],  # fewer rows than processes
]


@pytest.mark.parametrize("shapes", CHAINS, ids=str)
def test_multi_dot_matches_numpy(shapes: list[tuple[int, int]]) -> None:
    mats = [data(s, seed=i) for i, s in enumerate(shapes)]
    want = np.linalg.multi_dot(mats)
    for layout in layouts(2):
        for first in range(len(mats)):  # one operand at a time takes the layout
            ops: list[Any] = [make(m, None) for m in mats]
            ops[first] = lay(mats[first], layout)
            assert_array(hpa.linalg.multi_dot(ops), want, rtol=1e-10, atol=1e-12)
        every = [lay(m, layout) for m in mats]
        assert_array(hpa.linalg.multi_dot(every), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ends", [(True, False), (False, True), (True, True)], ids=str)
def test_multi_dot_vector_ends(ends: tuple[bool, bool]) -> None:
    shapes = [(5, 3), (3, 6), (6, 4)]
    mats = [data(s, seed=i) for i, s in enumerate(shapes)]
    if ends[0]:
        mats[0] = mats[0][0]
    if ends[1]:
        mats[-1] = mats[-1][:, 0]
    want = np.linalg.multi_dot(mats)
    for v in layouts(1):
        first = lay(mats[0], v) if ends[0] else make(mats[0], 0)
        ops = [first, mats[1], lay(mats[2], v) if ends[1] else make(mats[2], 1)]
        got = hpa.linalg.multi_dot(ops)
        assert_array(got, np.asarray(want), rtol=1e-10, atol=1e-12)
    four = [*mats[:2], data((6, 6), seed=9), mats[2]]
    got = hpa.linalg.multi_dot([make(four[0], 0), *four[1:]])
    assert_array(got, np.asarray(np.linalg.multi_dot(four)), rtol=1e-10, atol=1e-12)


def test_multi_dot_two_arrays_is_dot() -> None:
    a, b = data((2, 3, 4), seed=1), data((4, 5), seed=2)
    for la, lb in itertools.product(layouts(3)[:3], layouts(2)[:2]):
        assert_array(hpa.linalg.multi_dot([lay(a, la), lay(b, lb)]), np.linalg.multi_dot([a, b]), rtol=1e-12)
    v = data((4,), seed=3)
    assert_array(hpa.linalg.multi_dot([make(v, 0), v]), np.asarray(np.linalg.multi_dot([v, v])), rtol=1e-12)


def test_multi_dot_dtypes() -> None:
    ints = [data((3, 4), hpa.int32, seed=1), data((4, 2), hpa.int64, seed=2), data((2, 5), hpa.int8, seed=3)]
    assert_array(hpa.linalg.multi_dot([make(ints[0], 0), ints[1], ints[2]]), np.linalg.multi_dot(ints))
    mixed = [data((3, 3), hpa.float32, seed=4), data((3, 3), hpa.complex64, seed=5), data((3, 2), hpa.float32, seed=6)]
    got = hpa.linalg.multi_dot([make(m, 1) for m in mixed])
    assert_array(got, np.linalg.multi_dot(mixed), rtol=2e-5, atol=1e-5)


def test_multi_dot_out() -> None:
    shapes = [(4, 3), (3, 5), (5, 2)]
    mats = [data(s, seed=i) for i, s in enumerate(shapes)]
    want = np.linalg.multi_dot(mats)
    for split in (None, 0, 1):
        out = hpa.zeros((4, 2), split=split)
        got = hpa.linalg.multi_dot([make(mats[0], 0), *mats[1:]], out=out)
        assert got is out and out.split == split
        assert_array(out, want, rtol=1e-12)
    out = hpa.zeros((1, 2))  # a 1-D first operand: out is 2-D, the result its row
    got = hpa.linalg.multi_dot([mats[0][0], *mats[1:]], out=out)
    assert_array(got, mats[0][0] @ mats[1] @ mats[2], rtol=1e-12)
    assert_array(out, (mats[0][0] @ mats[1] @ mats[2])[None], rtol=1e-12)
    two = hpa.zeros((4, 5), split=0)
    assert hpa.linalg.multi_dot([mats[0], mats[1]], out=two) is two
    assert_array(two, mats[0] @ mats[1], rtol=1e-12)


def test_multi_dot_order_is_numpys() -> None:
    from numpy.linalg._linalg import _multi_dot_matrix_chain_order

    rng = np.random.default_rng(5)
    for n in range(3, 8):
        for _ in range(5):
            dims = [int(d) for d in rng.integers(1, 40, n + 1)]
            arrays = [np.empty((dims[i], dims[i + 1])) for i in range(n)]
            want = _multi_dot_matrix_chain_order(arrays)
            got = _chain_order(dims)
            for i in range(n):
                for j in range(i + 1, n):
                    assert got[i][j] == want[i, j], (dims, i, j)


def test_multi_dot_communicates_what_matmul_does() -> None:
    a, b, c = data((8 * P, 3), seed=1), data((3, 4), seed=2), data((4, 2), seed=3)
    with hpa.count_collectives() as stats:
        hpa.linalg.multi_dot([make(a, 0), b, c])  # rows of a stay where they are
    assert stats.total == 0


def test_multi_dot_errors_everywhere() -> None:
    m = make(np.ones((3, 3)), 0)
    raised_before_communicating(ValueError, lambda: hpa.linalg.multi_dot([m]))
    raised_before_communicating(ValueError, lambda: hpa.linalg.multi_dot([]))
    raised_before_communicating(LinAlgError, lambda: hpa.linalg.multi_dot([m, m, np.ones((3, 3, 3))]))
    raised_before_communicating(LinAlgError, lambda: hpa.linalg.multi_dot([np.float64(2.0), m, m]))
    raised_before_communicating(ValueError, lambda: hpa.linalg.multi_dot([m, np.ones((2, 3)), m]))
    raised_before_communicating(ValueError, lambda: hpa.linalg.multi_dot([np.ones(3), m, np.ones(2)]))
    raised_before_communicating(ValueError, lambda: hpa.linalg.multi_dot([m, m, m], out=hpa.zeros((3, 2))))
    raised_before_communicating(ValueError, lambda: hpa.linalg.multi_dot([m, m, m], out=hpa.zeros((3, 3), dtype=hpa.float32)))
    raised_before_communicating(ValueError, lambda: hpa.linalg.multi_dot([m, m], out=hpa.zeros(3)))
    raised_before_communicating(TypeError, lambda: hpa.linalg.multi_dot([m, m, m], out=np.zeros((3, 3))))


# ---------------------------------------------------------------------------- tensors
def well_conditioned(shape: tuple[int, ...], seed: int) -> np.ndarray:
    n = int(np.sqrt(np.prod(shape)))
    matrix = data((n, n), seed=seed) + 4 * n * np.eye(n)
    return matrix.reshape(shape)


@pytest.mark.parametrize("shape, ind", [((12, 4, 3), 1), ((4, 6, 8, 3), 2), ((2, 2), 1), ((2, 3, 6), 2), ((1, 1), 1)], ids=str)
def test_tensorinv(shape: tuple[int, ...], ind: int) -> None:
    a = well_conditioned(shape, seed=len(shape))
    want = np.linalg.tensorinv(a, ind=ind)
    for layout in layouts(len(shape)):
        got = hpa.linalg.tensorinv(lay(a, layout), ind=ind)
        assert_array(got, want, rtol=1e-9, atol=1e-12)
    ints = np.array([[2, 1], [1, 3]])
    assert_array(hpa.linalg.tensorinv(make(ints, 0), 1), np.linalg.tensorinv(ints, 1), rtol=1e-12)
    f32 = a.astype(np.float32)
    assert_array(hpa.linalg.tensorinv(make(f32, 0), ind=ind), np.linalg.tensorinv(f32, ind=ind), rtol=1e-4, atol=1e-6)


def test_tensorinv_errors_everywhere() -> None:
    a = make(well_conditioned((4, 2, 2), 1), 0)
    raised_before_communicating(ValueError, lambda: hpa.linalg.tensorinv(a, ind=0))
    raised_before_communicating(ValueError, lambda: hpa.linalg.tensorinv(a, ind=-1))
    raised_before_communicating(LinAlgError, lambda: hpa.linalg.tensorinv(make(np.ones((2, 3)), 0), 1))
    raised_before_communicating(LinAlgError, lambda: hpa.linalg.tensorinv(make(np.ones((2, 3, 4)), 2), 1))
    raised_before_communicating(LinAlgError, lambda: hpa.linalg.tensorinv(make(np.ones((0, 3)), 1), 1))
    raised_before_communicating(ValueError, lambda: hpa.linalg.tensorinv(make(np.ones((3, 0)), 0), 1))
    raised_everywhere(LinAlgError, lambda: hpa.linalg.tensorinv(make(np.zeros((2, 2, 4)), 0), 2))
    raised_before_communicating(TypeError, lambda: hpa.linalg.tensorinv(make(np.eye(2, dtype=np.float16), 0), 1))


@pytest.mark.parametrize(
    "shape, bshape, axes",
    [((2, 3, 6), (2, 3), None), ((6, 2, 3), (6,), None), ((6, 2, 3), (2, 3), (0,)), ((4, 4), (4,), None), ((2, 3, 3, 2), (3, 2), (0, 1))],
    ids=str,
)
def test_tensorsolve(shape: tuple[int, ...], bshape: tuple[int, ...], axes: Any) -> None:
    order = list(range(len(shape)))
    for k in axes or ():  # NumPy's move of ``axes`` to the end
        order.remove(k)
        order.append(k)
    a = well_conditioned(tuple(shape[k] for k in order), seed=2).transpose(np.argsort(order))
    b = data(bshape, seed=3)
    want = np.linalg.tensorsolve(a, b, axes=axes)
    for la in layouts(len(shape)):
        for lb in layouts(len(bshape))[:2]:
            got = hpa.linalg.tensorsolve(lay(a, la), lay(b, lb), axes=axes)
            assert_array(got, want, rtol=1e-9, atol=1e-12)
    ints = np.array([[3, 1], [1, 2]])
    assert_array(hpa.linalg.tensorsolve(make(ints, 0), [1, 2]), np.linalg.tensorsolve(ints, [1, 2]), rtol=1e-12)


def test_tensorsolve_errors_everywhere() -> None:
    a = make(well_conditioned((2, 2, 4), 1), 0)
    b = make(np.ones((2, 2)), 0)
    raised_before_communicating(LinAlgError, lambda: hpa.linalg.tensorsolve(make(np.ones((2, 3)), 0), np.ones(2)))
    raised_before_communicating(LinAlgError, lambda: hpa.linalg.tensorsolve(a, np.ones(3)))
    raised_before_communicating(ValueError, lambda: hpa.linalg.tensorsolve(a, b, axes=(-1,)))
    raised_before_communicating(ValueError, lambda: hpa.linalg.tensorsolve(a, b, axes=(5,)))
    raised_before_communicating(ValueError, lambda: hpa.linalg.tensorsolve(make(np.eye(4), 1), np.ones(3)))
    raised_before_communicating(TypeError, lambda: hpa.linalg.tensorsolve(make(np.eye(4, dtype=np.float16), 0), np.ones(4)))
    raised_everywhere(LinAlgError, lambda: hpa.linalg.tensorsolve(make(np.zeros((2, 2)), 0), np.ones(2)))


# ---------------------------------------------------------------------------- matvec, vecmat
STACKS = [
    ((3, 4), (4,)),
    ((5, 3, 4), (4,)),
    ((3, 4), (2, 4)),
    ((2, 1, 3, 4), (5, 4)),
    ((1, 3), (7, 3)),
    ((0, 3), (3,)),
    ((2, 4, 0), (2, 0)),
]


@pytest.mark.parametrize("shapes", STACKS, ids=str)
def test_matvec(shapes: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    ma, vb = shapes
    m, v = data(ma, hpa.complex128, seed=1), data(vb, hpa.complex128, seed=2)
    want = np.matvec(m, v)
    for lm in layouts(len(ma)):
        for lv in layouts(len(vb)):
            assert_array(hpa.linalg.matvec(lay(m, lm), lay(v, lv)), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shapes", STACKS, ids=str)
def test_vecmat(shapes: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    ma, vb = shapes
    mshape = (*ma[:-2], ma[-1], ma[-2])  # (..., n, m) against vectors of length n
    m, v = data(mshape, hpa.complex128, seed=3), data(vb, hpa.complex128, seed=4)
    want = np.vecmat(v, m)
    for lm in layouts(len(mshape)):
        for lv in layouts(len(vb)):
            assert_array(hpa.linalg.vecmat(lay(v, lv), lay(m, lm)), want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", ["matvec", "vecmat"])
def test_matvec_vecmat_dtypes_and_dispatch(name: str) -> None:
    fn, ref = getattr(hpa.linalg, name), getattr(np, name)
    for da, db in [(hpa.int8, hpa.int8), (hpa.int32, hpa.float32), (hpa.bool_, hpa.bool_), (hpa.float32, hpa.float64)]:
        mat, vec = data((3, 3), da, seed=1), data((3,), db, seed=2)
        args = (mat, vec) if name == "matvec" else (vec, mat)
        assert_array(fn(*(make(x, 0) for x in args)), ref(*args), rtol=1e-6)
    mat, vec = data((4, 3), seed=5), data((3,), seed=6)
    args = (mat, vec) if name == "matvec" else (vec, mat.T)
    got = ref(*(make(x, 0) for x in args))  # numpy's ufunc dispatches to hpa
    assert isinstance(got, hpa.Array)
    assert_array(got, ref(*args), rtol=1e-12)


def test_matvec_communication() -> None:
    m, v = data((4 * P, 3), seed=1), data((3,), seed=2)
    with hpa.count_collectives() as stats:
        out = hpa.linalg.matvec(make(m, 0), v)  # rows split, vector replicated: local
    assert stats.total == 0 and out.split == 0
    with hpa.count_collectives() as stats:
        hpa.linalg.vecmat(v, make(m.T.copy(), 1))  # columns split: local
    assert stats.total == 0


def test_matvec_vecmat_errors_everywhere() -> None:
    m = make(np.ones((2, 3)), 0)
    raised_before_communicating(ValueError, lambda: hpa.linalg.matvec(make(np.ones(3), 0), np.ones(3)))
    raised_before_communicating(ValueError, lambda: hpa.linalg.matvec(m, np.float64(1.0)))
    raised_before_communicating(ValueError, lambda: hpa.linalg.matvec(m, np.ones(2)))
    raised_before_communicating(ValueError, lambda: hpa.linalg.matvec(make(np.ones((2, 2, 3)), 0), np.ones((3, 3))))
    raised_before_communicating(ValueError, lambda: hpa.linalg.vecmat(np.ones(3), make(np.ones(3), 0)))
    raised_before_communicating(ValueError, lambda: hpa.linalg.vecmat(np.ones(2), make(np.ones((3, 4)), 0)))
    raised_before_communicating(ValueError, lambda: hpa.linalg.vecmat(np.ones((2, 3)), make(np.ones((4, 3, 1)), 0)))
