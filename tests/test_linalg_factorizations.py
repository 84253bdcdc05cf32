"""qr, svd, svdvals, randomized_svd, eigh, eigvalsh and cholesky against NumPy: every split
(None, rows, columns, ragged), tall-skinny, short-fat and square shapes, empty blocks, float32,
float64 and complex128, stacks, collective counts and errors raised on every rank.

Sign and phase conventions differ from LAPACK's, so factors are checked by their properties
(orthonormal columns, triangular, reconstruction) and by the quantities that are unique.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import P, data, make, raised_everywhere, tolerance

import hpa
from hpa.linalg.panels import width
import hpa.linalg as la

LAYOUTS = [(None, False), (0, False), (0, True), (1, False), (1, True)]
# tall-skinny, short-fat, square, fewer rows (or columns) than processes, one row/column
SHAPES = [(13, 3), (3, 11), (5, 5), (2, 6), (6, 2), (1, 4), (4, 1)]
DTYPES = [hpa.float32, hpa.float64, hpa.complex128]


def whole(x: hpa.Array) -> np.ndarray:
    """The gathered array, after checking its local block agrees with its layout."""
    assert tuple(x.larray.shape) == x.lshape, f"block {tuple(x.larray.shape)} != {x.lshape}"
    return x.numpy()


def close(got: np.ndarray, want: np.ndarray, dtype: hpa.DType, scale: float = 1.0) -> None:
    tol = tolerance(dtype)
    np.testing.assert_allclose(got, want, rtol=10 * tol["rtol"], atol=20 * tol["rtol"] * scale)


def orthonormal(q: np.ndarray, dtype: hpa.DType, columns: bool = True) -> None:
    g = q.conj().T @ q if columns else q @ q.conj().T
    close(g, np.eye(g.shape[0]), dtype)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("mode", ["reduced", "complete", "r"])
def test_qr(shape: tuple[int, int], mode: str, dtype: hpa.DType) -> None:
    a = data(shape, dtype, seed=1)
    want = np.linalg.qr(a, mode=mode)
    scale = np.abs(a).max()
    for split, ragged in LAYOUTS:
        got = la.qr(make(a, split, ragged=ragged), mode=mode)
        if mode == "r":
            r = whole(got)
            assert r.shape == want.shape and got.dtype == dtype
            close(np.abs(r), np.abs(want), dtype, scale)
            continue
        q, r = whole(got.Q), whole(got.R)
        assert q.shape == want.Q.shape and r.shape == want.R.shape, (split, q.shape, r.shape)
        assert got.Q.dtype == dtype and got.R.dtype == dtype
        orthonormal(q, dtype)
        close(q @ r, a, dtype, scale)
        assert np.all(np.tril(r, -1) == 0)
        close(np.abs(r), np.abs(want.R), dtype, scale)  # unique up to row phases


def test_qr_layouts() -> None:
    tall, wide = data((10, 3), seed=2), data((3, 10), seed=3)
    assert la.qr(make(tall, 0)).Q.split == 0 and la.qr(make(tall, 0)).R.split is None
    assert la.qr(make(tall, 1)).Q.split == 0
    assert la.qr(make(wide, 1)).Q.split is None and la.qr(make(wide, 1)).R.split == 1
    assert la.qr(make(tall, 0), mode="complete").R.split == 0


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_svd(shape: tuple[int, int], dtype: hpa.DType) -> None:
    a = data(shape, dtype, seed=4)
    s_want = np.linalg.svd(a, compute_uv=False)
    scale = np.abs(a).max()
    for full in (True, False):
        want = np.linalg.svd(a, full_matrices=full)
        for split, ragged in LAYOUTS:
            got = la.svd(make(a, split, ragged=ragged), full_matrices=full)
            u, s, vh = whole(got.U), whole(got.S), whole(got.Vh)
            assert (u.shape, s.shape, vh.shape) == (want.U.shape, want.S.shape, want.Vh.shape)
            assert got.S.split is None and got.U.dtype == dtype
            close(s, s_want, dtype, scale)
            orthonormal(u, dtype)
            orthonormal(vh, dtype, columns=False)
            k = len(s)
            close((u[:, :k] * s) @ vh[:k], a, dtype, scale)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("shape", [*SHAPES, (0, 3), (3, 0)], ids=str)
def test_svdvals(shape: tuple[int, int], dtype: hpa.DType) -> None:
    a = data(shape, dtype, seed=5)
    want = np.linalg.svd(a, compute_uv=False)
    for split, ragged in LAYOUTS:
        x = make(a, split, ragged=ragged)
        for got in (la.svdvals(x), la.svd(x, compute_uv=False)):
            assert got.dtype.kind == "f"
            close(whole(got), want, dtype, 1.0 + np.abs(a).max(initial=0))


def test_empty_matrices() -> None:
    for shape in [(0, 3), (3, 0), (0, 0)]:
        a = np.zeros(shape)
        for split, ragged in LAYOUTS:
            q, r = la.qr(make(a, split, ragged=ragged))
            want = np.linalg.qr(a)
            assert q.shape == want.Q.shape and r.shape == want.R.shape
            u, s, vh = la.svd(make(a, split), full_matrices=False)
            assert s.shape == (0,) and u.shape == (shape[0], 0) and vh.shape == (0, shape[1])


@pytest.mark.parametrize("split", [None, 0, 1, 2])
def test_stacks(split: int | None) -> None:
    a = data((4, 5, 3), hpa.float64, seed=6)
    x = make(a, split)
    q, r = la.qr(x)
    np.testing.assert_allclose(whole(q) @ whole(r), a, atol=1e-12)
    u, s, vh = la.svd(x, full_matrices=False)
    np.testing.assert_allclose(whole(s), np.linalg.svd(a, compute_uv=False), atol=1e-12)
    np.testing.assert_allclose((whole(u) * whole(s)[:, None, :]) @ whole(vh), a, atol=1e-12)
    np.testing.assert_allclose(whole(la.svdvals(x)), np.linalg.svdvals(a), atol=1e-12)
    spd = a @ a.transpose(0, 2, 1) + 5 * np.eye(5)
    y = make(spd, split)
    np.testing.assert_allclose(whole(la.cholesky(y)), np.linalg.cholesky(spd), atol=1e-12)
    np.testing.assert_allclose(whole(la.eigvalsh(y)), np.linalg.eigvalsh(spd), atol=1e-12)
    w, v = la.eigh(y)
    v = whole(v)
    np.testing.assert_allclose(spd @ v, v * whole(w)[:, None, :], atol=1e-10)
    if split == 0:
        assert q.split == 0 and s.split == 0 and w.split == 0


@pytest.mark.parametrize("shape", [(40, 12), (12, 40)], ids=str)
@pytest.mark.parametrize("dtype", [hpa.float64, hpa.complex128], ids=str)
def test_randomized_svd(shape: tuple[int, int], dtype: hpa.DType) -> None:
    left, right = data((shape[0], 4), dtype, seed=7), data((4, shape[1]), dtype, seed=8)
    a = left @ right  # rank 4
    want = np.linalg.svd(a, compute_uv=False)[:3]
    results = []
    for split, ragged in LAYOUTS:
        u, s, vh = la.randomized_svd(make(a, split, ragged=ragged), 3, n_oversamples=2)
        assert u.shape == (shape[0], 3) and s.shape == (3,) and vh.shape == (3, shape[1])
        np.testing.assert_allclose(whole(s), want, rtol=1e-10)
        orthonormal(whole(u), hpa.float64)
        orthonormal(whole(vh), hpa.float64, columns=False)
        results.append(whole(s))
    u, s, vh = la.randomized_svd(make(a, 0), 4)
    np.testing.assert_allclose((whole(u) * whole(s)) @ whole(vh), a, atol=1e-10)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [1, 2, 7])
def test_eigh(n: int, dtype: hpa.DType) -> None:
    b = data((n, n), dtype, seed=9)
    a = b + b.conj().T
    w_want = np.linalg.eigvalsh(a)
    for split, ragged in LAYOUTS:
        x = make(a, split, ragged=ragged)
        w, v = la.eigh(x)
        assert v.split == split and w.split is None
        vv, ww = whole(v), whole(w)
        close(ww, w_want, dtype, 10)
        orthonormal(vv, dtype)
        close(a @ vv, vv * ww, dtype, 10)
        close(whole(la.eigvalsh(x, UPLO="U")), w_want, dtype, 10)
    lower_only = np.tril(a)
    close(whole(la.eigvalsh(make(lower_only, 0))), w_want, dtype, 10)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("upper", [False, True])
def test_cholesky(dtype: hpa.DType, upper: bool) -> None:
    b = data((6, 6), dtype, seed=10)
    a = (b @ b.conj().T + 6 * np.eye(6)).astype(dtype.numpy)
    want = np.linalg.cholesky(a, upper=upper)
    for split, ragged in LAYOUTS:
        got = la.cholesky(make(a, split, ragged=ragged), upper=upper)
        assert got.split == split and got.dtype == dtype
        close(whole(got), want, dtype, 10)


def test_integer_input() -> None:
    a = np.arange(12).reshape(4, 3) % 5
    for split in (None, 0, 1):
        assert la.svdvals(make(a, split)).dtype == hpa.float64
        np.testing.assert_allclose(whole(la.svdvals(make(a, split))), np.linalg.svdvals(a))


def test_collective_counts() -> None:
    tall, wide = data((6 * P + 1, 3), seed=11), data((3, 6 * P + 1), seed=12)
    sq = data((5, 5), seed=13)
    spd = make(sq @ sq.T + 5 * np.eye(5), 0)
    t0, t0r, t1 = make(tall, 0), make(tall, 0, ragged=True), make(tall, 1)
    w0, w1 = make(wide, 0), make(wide, 1)
    stack, rep = make(data((3, 4, 5)), 0), make(tall, None)
    k = -(-5 // width(5, P))  # panels of the distributed cholesky
    reflected = -(-4 // width(5, P))  # panels holding reflectors (columns 0 to n - 2) in eigh
    expected = [
        (lambda: la.qr(t0r), {"allgatherv": 1}),
        (lambda: la.qr(t0, mode="r"), {"allgatherv": 1}),
        (lambda: la.qr(t0, mode="complete"), {"allgatherv": 1}),
        (lambda: la.qr(t1), {"allgatherv": 1, "alltoallv": 1}),
        (lambda: la.qr(w0), {"allgatherv": 1, "allreduce": 1}),
        (lambda: la.qr(w1), {"allgatherv": 1}),
        (lambda: la.svd(t0), {"allgatherv": 1}),
        (lambda: la.svd(w1, full_matrices=False), {"allgatherv": 1}),
        (lambda: la.svdvals(w0), {"allgatherv": 1, "alltoallv": 1}),
        (lambda: la.randomized_svd(t0, 2, n_iter=2), {"allgatherv": 3, "allreduce": 3}),
        (lambda: la.eigh(spd), {"alltoallv": 3, "allreduce": 5, "bcast": reflected}),
        (lambda: la.cholesky(spd), {"alltoallv": 2, "bcast": k}),
        (lambda: la.qr(rep), {}),
        (lambda: la.svd(stack), {}),
    ]
    for i, (fn, counts) in enumerate(expected):
        if i == 11:
            spd.resplit_(1)
        with hpa.count_collectives() as stats:
            fn()
        assert dict(stats.counts) == ({} if P == 1 else counts), f"case {i}: {stats}"


def test_errors_everywhere() -> None:
    sq = data((4, 4), seed=14)
    not_pd = -(sq @ sq.T) - np.eye(4)
    for split in (None, 0, 1):
        raised_everywhere(np.linalg.LinAlgError, lambda s=split: la.cholesky(make(not_pd, s)))
        raised_everywhere(np.linalg.LinAlgError, lambda s=split: la.eigh(make(data((3, 4)), s)))
    stack = np.stack([sq @ sq.T + np.eye(4)] * 3 + [not_pd])
    raised_everywhere(np.linalg.LinAlgError, lambda: la.cholesky(make(stack, 0)))
    raised_everywhere(np.linalg.LinAlgError, lambda: la.qr(make(data((5,)), 0)))
    raised_everywhere(ValueError, lambda: la.qr(make(sq, 0), mode="raw"))
    raised_everywhere(ValueError, lambda: la.randomized_svd(make(sq, 0), 5))
    raised_everywhere(ValueError, lambda: la.eigh(make(sq, 0), UPLO="X"))
    raised_everywhere(TypeError, lambda: la.svd(make(sq, 0, dtype=hpa.float16)))
