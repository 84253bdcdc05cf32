"""norm, vector_norm, matrix_norm, det, slogdet, matrix_rank and cond against NumPy: every
split (None, each axis, ragged), tall-skinny, short-fat and square shapes, empty blocks, float32,
float64, complex128 and integers, stacks, collective counts and errors raised on every rank.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere, tolerance

import hpa
from hpa.linalg.panels import width
import hpa.linalg as la

DTYPES = [hpa.float32, hpa.float64, hpa.complex128]
VECTOR_ORDS = [None, 1, 2, 3, 0.5, 0, -1, math.inf, -math.inf]
MATRIX_ORDS = ["fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf]


def layouts(ndim: int) -> list[tuple[int | None, bool]]:
    return [(None, False)] + [(s, r) for s in range(ndim) for r in (False, True)]


def real(dtype: hpa.DType) -> hpa.DType:
    return {hpa.complex128: hpa.float64, hpa.complex64: hpa.float32}.get(dtype, dtype)


def reference(fn, *args, **kwargs) -> np.ndarray:
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(fn(*args, **kwargs))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("ord", VECTOR_ORDS, ids=str)
def test_vector_norms(ord: float | None, dtype: hpa.DType) -> None:
    for shape, axis in [((7,), None), ((2,), 0), ((5, 4), 0), ((5, 4), 1), ((3, 2, 4), -1)]:
        a = data(shape, dtype, seed=1)
        a[..., 0] = 0
        want = reference(np.linalg.norm, a, ord, axis)
        for split, ragged in layouts(len(shape)):
            x = make(a, split, ragged=ragged)
            got = la.norm(x, ord, axis)
            assert_array(got, want, dtype=real(dtype), **tolerance(dtype))
            ax = axis if axis is not None else None
            vn = la.vector_norm(x, axis=ax, ord=2 if ord is None else ord, keepdims=True)
            assert vn.shape == reference(np.linalg.norm, a, ord, ax, True).shape


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_matrix_norms(ord: str | float, dtype: hpa.DType) -> None:
    for shape in [(9, 3), (3, 8), (4, 4), (2, 5), (1, 1)]:
        a = data(shape, dtype, seed=2)
        want = np.linalg.norm(a, ord)
        for split, ragged in layouts(2):
            x = make(a, split, ragged=ragged)
            assert_array(la.norm(x, ord), want, dtype=real(dtype), **tolerance(dtype))
            assert_array(la.matrix_norm(x, ord=ord), want, dtype=real(dtype), **tolerance(dtype))
            kept = la.norm(x, ord, (1, 0), keepdims=True)
            assert_array(kept, np.linalg.norm(a, ord, (1, 0), keepdims=True), **tolerance(dtype))


@pytest.mark.parametrize("ord", MATRIX_ORDS, ids=str)
def test_stacked_matrix_norms(ord: str | float) -> None:
    a = data((3, 4, 5), seed=3)
    for axis in [(1, 2), (2, 0), (0, 1)]:
        want = np.linalg.norm(a, ord, axis)
        for split, ragged in layouts(3):
            assert_array(la.norm(make(a, split, ragged=ragged), ord, axis), want, rtol=1e-12)
    for split in (None, 0, 2):
        got = la.matrix_norm(make(a, split), ord=ord, keepdims=True)
        assert_array(got, np.linalg.matrix_norm(a, ord=ord, keepdims=True), rtol=1e-12)


def test_flattened_and_integer_norms() -> None:
    a = data((3, 4, 2), hpa.int64, seed=4)
    for split in (None, 0, 1, 2):
        assert_array(la.norm(make(a, split)), np.linalg.norm(a), rtol=1e-12)
        assert_array(la.vector_norm(make(a, split), ord=3), np.linalg.vector_norm(a, ord=3))


@pytest.mark.parametrize("dtype", [*DTYPES, hpa.int64], ids=str)
@pytest.mark.parametrize("n", [1, 2, 5])
def test_det_slogdet(n: int, dtype: hpa.DType) -> None:
    a = data((n, n), dtype, seed=5)
    for split, ragged in layouts(2):
        x = make(a, split, ragged=ragged)
        want = np.linalg.det(a)
        tol = tolerance(dtype if dtype != hpa.int64 else hpa.float64)
        assert_array(la.det(x), want, rtol=10 * tol["rtol"], atol=tol["atol"])
        sign, logabs = la.slogdet(x)
        ws, wl = np.linalg.slogdet(a)
        assert_array(sign, ws, rtol=10 * tol["rtol"])
        assert_array(logabs, wl, rtol=10 * tol["rtol"], atol=tol["atol"])


def test_stacked_det() -> None:
    a = data((5, 3, 3), seed=6)
    for split, ragged in layouts(3):
        x = make(a, split, ragged=ragged)
        assert_array(la.det(x), np.linalg.det(a), rtol=1e-10)
        sign, logabs = la.slogdet(x)
        assert_array(sign, np.linalg.slogdet(a).sign)
        assert_array(logabs, np.linalg.slogdet(a).logabsdet, rtol=1e-10)
    assert la.det(make(a, 0)).split == 0


@pytest.mark.parametrize("shape", [(9, 4), (4, 9), (5, 5), (2, 6)], ids=str)
def test_matrix_rank(shape: tuple[int, int]) -> None:
    a = data((shape[0], 2), seed=7) @ data((2, shape[1]), seed=8)  # rank 2
    for split, ragged in layouts(2):
        x = make(a, split, ragged=ragged)
        assert_array(la.matrix_rank(x), np.linalg.matrix_rank(a))
        assert_array(la.matrix_rank(x, tol=1e3), np.linalg.matrix_rank(a, tol=1e3))
        assert_array(la.matrix_rank(x, rtol=0.5), np.linalg.matrix_rank(a, rtol=0.5))
    b = data(shape, seed=9)
    for split in (None, 0, 1):
        assert_array(la.matrix_rank(make(b, split)), np.linalg.matrix_rank(b))


def test_matrix_rank_vectors_and_stacks() -> None:
    for v in (np.zeros(5), np.arange(5.0)):
        for split in (None, 0):
            assert_array(la.matrix_rank(make(v, split)), np.linalg.matrix_rank(v))
    s = data((4, 3, 3), seed=10)
    s[1] = 0
    for split in (None, 0, 1):
        assert_array(la.matrix_rank(make(s, split)), np.linalg.matrix_rank(s))


@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, math.inf, -math.inf, "fro", "nuc"], ids=str)
@pytest.mark.parametrize("dtype", [hpa.float64, hpa.complex128], ids=str)
def test_cond(p: str | float | None, dtype: hpa.DType) -> None:
    a = data((5, 5), dtype, seed=11)
    for split, ragged in layouts(2):
        assert_array(la.cond(make(a, split, ragged=ragged), p), np.linalg.cond(a, p), rtol=1e-9)
    s = data((3, 4, 4), dtype, seed=12)
    for split in (None, 0, 2):
        assert_array(la.cond(make(s, split), p), np.linalg.cond(s, p), rtol=1e-9)
    if p in (None, 2, -2):
        tall = data((7, 3), dtype, seed=13)
        for split in (None, 0, 1):
            assert_array(la.cond(make(tall, split), p), np.linalg.cond(tall, p), rtol=1e-9)


def test_cond_singular() -> None:
    a = np.ones((3, 3))
    for split in (None, 0, 1):
        assert float(la.cond(make(a, split), 1)) == math.inf


def test_collective_counts() -> None:
    a = data((4 * P + 1, 3), seed=14)
    sq = make(data((5, 5), seed=15), 0)
    x0, x1 = make(a, 0), make(a, 1)
    k = -(-5 // width(5, P))  # panels of the distributed LU
    expected = [
        (lambda: la.norm(x0), {"allreduce": 1}),
        (lambda: la.norm(x0, axis=1), {}),
        (lambda: la.norm(x1, axis=1), {"allreduce": 1}),
        (lambda: la.norm(x0, 1), {"allreduce": 1}),
        (lambda: la.norm(x0, math.inf), {"allreduce": 1}),
        (lambda: la.norm(x0, 2), {"allgatherv": 1}),
        (lambda: la.matrix_rank(x0), {"allgatherv": 1}),
        (lambda: la.det(sq), {"alltoallv": 1, "bcast": k, "allgatherv": 1}),
        (lambda: la.slogdet(sq), {"alltoallv": 1, "bcast": k, "allgatherv": 1}),
        (lambda: la.det(make(data((3, 2, 2)), 0)), {}),
    ]
    for i, (fn, counts) in enumerate(expected):
        with hpa.count_collectives() as stats:
            fn()
        if P > 1:
            assert dict(stats.counts) == counts, f"case {i}: {stats}"
        else:  # the reductions count their allreduce at one process too; nothing is gathered
            assert set(stats.counts) <= {"allreduce"}, f"case {i}: {stats}"


def test_errors_everywhere() -> None:
    LinAlgError = np.linalg.LinAlgError
    rect, sq = make(data((3, 4)), 0), make(data((3, 3)), 1)
    raised_everywhere(LinAlgError, lambda: la.det(rect))
    raised_everywhere(LinAlgError, lambda: la.slogdet(make(data((4,)), 0)))
    raised_everywhere(LinAlgError, lambda: la.cond(rect, 1))
    raised_everywhere(ValueError, lambda: la.norm(sq, "bad"))
    raised_everywhere(ValueError, lambda: la.norm(sq, 3))
    raised_everywhere(ValueError, lambda: la.norm(make(data((4,)), 0), "fro"))
    raised_everywhere(ValueError, lambda: la.norm(make(data((2, 2, 2)), 0), 1))
    raised_everywhere(ValueError, lambda: la.norm(sq, axis=(0, 0)))
    raised_everywhere(ValueError, lambda: la.norm(make(np.zeros((0, 3)), 0), math.inf))
    raised_everywhere(TypeError, lambda: la.det(make(data((2, 2)), 0, dtype=hpa.float16)))
