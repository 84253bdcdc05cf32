"""solve, solve_triangular, inv, lstsq, pinv, cg and lanczos against NumPy/SciPy: every split of
every input (None, rows, columns, ragged), tall-skinny, short-fat and square shapes, empty
blocks, float32, float64 and complex128, stacks, collective counts and errors raised on every
rank.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import scipy.linalg
import scipy.sparse.linalg
from helpers import P, assert_array, data, make, raised_everywhere, tolerance

import hpa
from hpa.linalg.panels import width
import hpa.linalg as la

LAYOUTS = [(None, False), (0, False), (0, True), (1, False), (1, True)]
DTYPES = [hpa.float32, hpa.float64, hpa.complex128]
LinAlgError = np.linalg.LinAlgError


def loose(dtype: hpa.DType, factor: float = 100) -> dict[str, float]:
    tol = tolerance(dtype)
    return {"rtol": factor * tol["rtol"], "atol": factor * tol["rtol"]}


def well_conditioned(n: int, dtype: hpa.DType, seed: int) -> np.ndarray:
    return (data((n, n), dtype, seed=seed) + 3 * n**0.5 * np.eye(n)).astype(dtype.numpy)


def spd(n: int, dtype: hpa.DType, seed: int) -> np.ndarray:
    b = data((n, n), dtype, seed=seed)
    return (b @ b.conj().T + n * np.eye(n)).astype(dtype.numpy)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [1, 2, 6])
def test_solve(n: int, dtype: hpa.DType) -> None:
    a = well_conditioned(n, dtype, 1)
    for bshape in [(n,), (n, 3), (n, 1)]:
        b = data(bshape, dtype, seed=2)
        want = np.linalg.solve(a, b)
        for (sa, ra), (sb, rb) in itertools.product(LAYOUTS, LAYOUTS[: len(bshape) * 2 + 1]):
            got = la.solve(make(a, sa, ragged=ra), make(b, sb, ragged=rb))
            assert got.split == sb, (sa, sb, got.split)
            assert_array(got, want, **loose(dtype))


def test_solve_stacks() -> None:
    a = np.stack([well_conditioned(3, hpa.float64, s) for s in range(4)])
    b = data((4, 3, 2), seed=5)
    want = np.linalg.solve(a, b)
    for (sa, ra), sb in itertools.product(
        [(None, False), (0, False), (0, True), (1, False)], (None, 0, 2)
    ):
        assert_array(la.solve(make(a, sa, ragged=ra), make(b, sb)), want, rtol=1e-10)
    assert la.solve(make(a, 0), make(b, None)).split == 0
    a2, v = well_conditioned(3, hpa.float64, 9), data((3,), seed=6)
    assert_array(la.solve(make(a, 0), v), np.linalg.solve(a, v), rtol=1e-10)
    assert_array(la.solve(make(a2, 0), make(b, 0)), np.linalg.solve(a2, b), rtol=1e-10)
    shared = data((3, 2), seed=7)  # one right-hand side for the whole stack
    for sa, sb in itertools.product((None, 0, 1, 2), (None, 0, 1)):
        got = la.solve(make(a, sa, ragged=True), make(shared, sb))
        assert_array(got, np.linalg.solve(a, shared), rtol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("trans", [0, "T", 2])
def test_solve_triangular(dtype: hpa.DType, lower: bool, trans: int | str) -> None:
    a = well_conditioned(5, dtype, 3)
    b = data((5, 2), dtype, seed=4)
    for unit in (False, True):
        want = scipy.linalg.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit)
        for (sa, ra), (sb, rb) in zip(LAYOUTS, LAYOUTS[2:] + LAYOUTS[:2]):
            x = la.solve_triangular(
                make(a, sa, ragged=ra), make(b, sb, ragged=rb), trans, lower, unit
            )
            assert_array(x, want, **loose(dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [1, 2, 5])
def test_inv(n: int, dtype: hpa.DType) -> None:
    a = well_conditioned(n, dtype, 5)
    for split, ragged in LAYOUTS:
        got = la.inv(make(a, split, ragged=ragged))
        assert got.split == split
        assert_array(got, np.linalg.inv(a), **loose(dtype))
    s = np.stack([well_conditioned(3, dtype, k) for k in range(3)])
    for split in (None, 0, 1, 2):
        assert_array(la.inv(make(s, split)), np.linalg.inv(s), **loose(dtype))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(11, 3), (3, 8), (4, 4), (2, 5), (5, 2)], ids=str)
def test_lstsq(shape: tuple[int, int], dtype: hpa.DType) -> None:
    a = data(shape, dtype, seed=6)
    for bshape in [(shape[0],), (shape[0], 2)]:
        b = data(bshape, dtype, seed=7)
        x, res, rank, s = np.linalg.lstsq(a, b)
        for (sa, ra), (sb, rb) in itertools.product(LAYOUTS, LAYOUTS[: len(bshape) * 2 + 1]):
            got = la.lstsq(make(a, sa, ragged=ra), make(b, sb, ragged=rb))
            assert_array(got.x, x, **loose(dtype))
            assert_array(
                got.residuals,
                res,
                dtype=hpa.float64 if dtype != hpa.float32 else dtype,
                **loose(dtype),
            )
            assert got.rank == rank
            assert_array(got.s, s, **loose(dtype))


def test_lstsq_rank_deficient() -> None:
    a = data((9, 2), seed=8) @ data((2, 4), seed=9)
    b = data((9,), seed=10)
    for rcond in (None, 1e-3):
        x, _, rank, _ = np.linalg.lstsq(a, b, rcond=rcond)
        for split, ragged in LAYOUTS:
            got = la.lstsq(make(a, split, ragged=ragged), make(b, split and 0))
            assert got.rank == rank == 2 and got.residuals.shape == (0,)
            assert_array(got.x, x, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", [(11, 3), (3, 8), (4, 4), (2, 5), (5, 2)], ids=str)
def test_pinv(shape: tuple[int, int], dtype: hpa.DType) -> None:
    a = data(shape, dtype, seed=11)
    want = np.linalg.pinv(a)
    for split, ragged in LAYOUTS:
        got = la.pinv(make(a, split, ragged=ragged))
        assert_array(got, want, **loose(dtype))
    low = data((shape[0], 1), seed=12) @ data((1, shape[1]), seed=13)
    for kw in ({}, {"rtol": None}, {"rcond": 1e-3}):
        for split in (None, 0, 1):
            assert_array(
                la.pinv(make(low, split), **kw), np.linalg.pinv(low, **kw), rtol=1e-8, atol=1e-10
            )
    s = data((3, 4, 2), seed=14)
    for split in (None, 0, 1, 2):
        assert_array(la.pinv(make(s, split)), np.linalg.pinv(s), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64, hpa.complex128], ids=str)
def test_cg(dtype: hpa.DType) -> None:
    n = 12
    a, b = spd(n, dtype, 15), data((n,), dtype, seed=16)
    want = np.linalg.solve(a, b)
    sp_x, sp_info = scipy.sparse.linalg.cg(a, b, rtol=1e-10)
    for (sa, ra), (sb, rb) in itertools.product(LAYOUTS, LAYOUTS[:3]):
        x = la.cg(make(a, sa, ragged=ra), make(b, sb, ragged=rb), rtol=1e-10)
        assert x.split == (None if sa is None else 0)
        assert_array(x, want, **loose(dtype, 1000))
    x, info = la.cg(make(a, 0), b, rtol=1e-10, return_info=True)
    assert info == sp_info == 0
    x, info = la.cg(make(a, 1), b, x0=np.ones(n, dtype.numpy), maxiter=2, rtol=0, return_info=True)
    sp_x, sp_info = scipy.sparse.linalg.cg(a, b, x0=np.ones(n, dtype.numpy), maxiter=2, rtol=0)
    assert info == sp_info == 2
    assert_array(x, sp_x, **loose(dtype, 1000))
    assert_array(la.cg(make(a, 0), np.zeros(n, dtype.numpy)), np.zeros(n, dtype.numpy))


@pytest.mark.parametrize("dtype", [hpa.float64, hpa.complex128], ids=str)
def test_lanczos(dtype: hpa.DType) -> None:
    n = 9
    b = data((n, n), dtype, seed=17)
    a = b + b.conj().T
    for (split, ragged), m in itertools.product(LAYOUTS, (4, n)):
        V, T = la.lanczos(make(a, split, ragged=ragged), m)
        v, t = V.numpy(), T.numpy()
        assert V.shape == (n, m) and T.shape == (m, m) and T.split is None
        np.testing.assert_allclose(v.conj().T @ v, np.eye(m), atol=1e-10)
        np.testing.assert_allclose(v.conj().T @ a @ v, t, atol=1e-9)
        assert np.all(np.triu(t, 2) == 0) and np.all(np.tril(t, -2) == 0)
        if m == n:
            np.testing.assert_allclose(np.linalg.eigvalsh(t), np.linalg.eigvalsh(a), atol=1e-9)
    v0 = np.ones(n)
    V, T = la.lanczos(make(a, 0), 3, v0=make(v0, 0))
    np.testing.assert_allclose(V.numpy()[:, 0], v0 / 3, atol=1e-12)


def test_lanczos_invariant_subspace() -> None:
    a = np.diag([1.0, 2.0, 3.0, 4.0])
    V, T = la.lanczos(make(a, 0), 4, v0=np.array([1.0, 1.0, 0.0, 0.0]))
    v = V.numpy()
    np.testing.assert_allclose(v.T @ v, np.eye(4), atol=1e-10)
    np.testing.assert_allclose(v.T @ a @ v, T.numpy(), atol=1e-10)


def test_collective_counts() -> None:
    n = 3 * P + 2
    a = well_conditioned(n, hpa.float64, 18)
    a0, a1, b0, b1 = make(a, 0), make(a, 1), make(data((n, 2)), 0), make(data((n, 2)), 1)
    tall, v = make(data((4 * P + 3, 3)), 0), make(data((4 * P + 3,)), 0)
    pos = make(spd(n, hpa.float64, 19), 0)
    pos1 = make(spd(n, hpa.float64, 19), 1)
    k = -(-n // width(n, P))  # panels: the distributed LU broadcasts one per panel and sweep
    expected = [
        (lambda: la.solve(a0, b1), {"alltoallv": 1, "bcast": 3 * k}),
        (lambda: la.solve(a1, b0), {"alltoallv": 1, "bcast": 3 * k, "allgatherv": 1}),
        (lambda: la.solve_triangular(a0, b1), {"alltoallv": 1, "allreduce": 1, "bcast": k}),
        (lambda: la.inv(a0), {"alltoallv": 2, "bcast": 3 * k}),
        (lambda: la.lstsq(tall, v), {"allgatherv": 1, "allreduce": 2}),
        (lambda: la.pinv(tall), {"allgatherv": 1}),
        (lambda: la.cg(pos, b0[:, 0], rtol=0, maxiter=3), {"allgatherv": 3, "allreduce": 7}),
        (lambda: la.cg(pos1, b0[:, 0], rtol=0, maxiter=3), {"reduce_scatter": 3, "allreduce": 7}),
        (lambda: la.lanczos(pos, 3), {"allgatherv": 3, "allreduce": 9}),
        (lambda: la.inv(make(a, None)), {}),
    ]
    for i, (fn, counts) in enumerate(expected):
        with hpa.count_collectives() as stats:
            fn()
        assert dict(stats.counts) == ({} if P == 1 else counts), f"case {i}: {stats}"


def test_errors_everywhere() -> None:
    sing = np.ones((4, 4))
    tri = np.triu(data((4, 4), seed=20))
    tri[2, 2] = 0
    for split in (None, 0, 1):
        raised_everywhere(LinAlgError, lambda s=split: la.inv(make(sing, s)))
        raised_everywhere(LinAlgError, lambda s=split: la.solve(make(sing, s), np.ones(4)))
        raised_everywhere(
            LinAlgError, lambda s=split: la.solve_triangular(make(tri, s), np.ones(4))
        )
        raised_everywhere(ValueError, lambda s=split: la.solve(make(np.eye(4), s), np.ones(3)))
        raised_everywhere(LinAlgError, lambda s=split: la.solve(make(data((3, 4)), s), np.ones(3)))
        raised_everywhere(LinAlgError, lambda s=split: la.lstsq(make(data((5, 3)), s), np.ones(4)))
    stack = np.stack([np.eye(3), np.eye(3), np.ones((3, 3)), np.eye(3)])
    raised_everywhere(LinAlgError, lambda: la.inv(make(stack, 0)))
    raised_everywhere(LinAlgError, lambda: la.solve(make(stack, 0), make(np.ones((4, 3, 1)), 0)))
    raised_everywhere(ValueError, lambda: la.solve_triangular(make(np.eye(3), 0), np.ones(3), "X"))
    raised_everywhere(ValueError, lambda: la.cg(make(np.eye(3), 0), np.ones(4)))
    raised_everywhere(ValueError, lambda: la.lanczos(make(np.eye(3), 0), 4))
    raised_everywhere(ValueError, lambda: la.pinv(make(np.eye(3), 0), rcond=0.1, rtol=0.1))
