"""The distributed dense solvers (hpa.linalg.panels, elimination, positive_definite, triangular)
against NumPy/SciPy: LU with partial pivoting (lu, lu_factor, lu_solve and what uses them:
solve, inv, det, slogdet), Cholesky (cholesky, cho_factor, cho_solve) and triangular sweeps
(solve_triangular), for square matrices split along rows or columns, with balanced, ragged and
empty blocks, many panels and ragged last panels (``panels.BLOCK`` patched to 2 or 3), float32,
float64, complex128 and int64 inputs, the layouts of the results, collective counts and volumes
(no gathered matrix) and errors raised on every rank.

At one process every function takes the local torch path; the same comparisons hold.
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
import scipy.linalg
from helpers import P, RANK, agree, assert_array, data, ragged_counts, tolerance

import hpa
import hpa.linalg as la
from hpa.core.layout import chunk
from hpa.linalg import panels

LinAlgError = np.linalg.LinAlgError
DTYPES = [hpa.float32, hpa.float64, hpa.complex128]

# layouts of a matrix: (split, blocks): "even" (balanced), "ragged" (rank 0 empty, the last rank
# holds the most), "front" (everything on rank 0, every other block empty)
LAYOUTS = [(None, "even"), (0, "even"), (0, "ragged"), (1, "even"), (1, "ragged"), (0, "front")]
SPLIT_LAYOUTS = [lay for lay in LAYOUTS if lay[0] is not None]
VECTOR_LAYOUTS = [(None, "even"), (0, "even"), (0, "ragged")]


def layout_id(layout: tuple[int | None, str]) -> str:
    return f"s{layout[0]}-{layout[1]}"


def counts_of(n: int, blocks: str) -> list[int] | None:
    if blocks == "even":
        return None
    if blocks == "ragged":
        return ragged_counts(n)
    return [n] + [0] * (P - 1)


def build(
    values: np.ndarray, split: int | None, blocks: str = "even", dtype: Any = None
) -> hpa.Array:
    """``values`` as an hpa array split along ``split`` with the ``blocks`` of :func:`counts_of`."""
    x = hpa.array(values, dtype=dtype, split=split)
    counts = None if split is None else counts_of(values.shape[split], blocks)
    if counts is not None:
        x.redistribute_(counts)
    return x


def rhs_layouts(ndim: int) -> list[tuple[int | None, str]]:
    return VECTOR_LAYOUTS + ([(1, "even"), (1, "ragged")] if ndim == 2 else [])


def tol(dtype: hpa.DType, factor: float = 100) -> dict[str, float]:
    t = tolerance(dtype)
    return {"rtol": factor * t["rtol"], "atol": factor * t["rtol"]}


def assert_like(x: hpa.Array, ref: hpa.Array) -> None:
    """``x`` is laid out like ``ref``: the same split and the same blocks."""
    assert x.split == ref.split, f"split {x.split} != {ref.split}"
    assert x.counts == ref.counts, f"counts {x.counts} != {ref.counts}"
    if ref.ndim == x.ndim:
        assert x.lshape == ref.lshape, f"lshape {x.lshape} != {ref.lshape}"


def raised_with(exc: type[BaseException], text: str, fn: Any) -> None:
    """``fn()`` raises ``exc`` whose message contains ``text``, on every rank."""
    try:
        fn()
        outcome = "returned"
    except exc as e:
        outcome = "raised" if text in str(e) else f"raised {str(e)!r}"
    outcomes = hpa.get_comm().allgather_object(outcome)
    assert outcomes == ["raised"] * P, f"{exc.__name__}({text!r}) expected everywhere: {outcomes}"


def random_matrix(n: int, dtype: hpa.DType, seed: int, boost: float = 0.0) -> np.ndarray:
    """A random matrix (partial pivoting swaps rows), with ``boost`` on the diagonal."""
    return (data((n, n), dtype, seed=seed) + boost * n**0.5 * np.eye(n)).astype(dtype.numpy)


def hpd(n: int, dtype: hpa.DType, seed: int) -> np.ndarray:
    b = data((n, n), dtype, seed=seed)
    return (b @ b.conj().T + n * np.eye(n)).astype(dtype.numpy)


def garbage(a: np.ndarray, keep: str, seed: int = 99) -> np.ndarray:
    """``a`` with large random values outside its ``keep`` ("lower"/"upper") triangle."""
    noise = 1e3 * data(a.shape, hpa.float64, seed=seed)
    if keep == "lower":
        return (np.tril(a) + np.triu(noise, 1)).astype(a.dtype)
    return (np.triu(a) + np.tril(noise, -1)).astype(a.dtype)


@pytest.fixture(params=[2, 3], ids=lambda b: f"block{b}")
def block(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> int:
    """A narrow panel width: many panels, ragged last panels (every rank patches alike)."""
    monkeypatch.setattr(panels, "BLOCK", request.param)
    return int(request.param)


# ---------------------------------------------------------------------- the panel layout
def test_panel_width(monkeypatch: pytest.MonkeyPatch) -> None:
    assert panels.BLOCK == 128
    assert panels.width(1000, 2) == 128 and panels.width(9, 3) == 3 and panels.width(0, 3) == 1
    assert panels.width(10, 3) == 4 and panels.width(2, 5) == 1
    monkeypatch.setattr(panels, "BLOCK", 2)
    assert panels.width(9, 3) == 2 and panels.width(16, 1) == 2 and panels.width(1, 3) == 1


@pytest.mark.parametrize("layout", SPLIT_LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("n", [0, 1, 5, 9])
def test_panels_round_trip(n: int, layout: tuple[int, str], block: int) -> None:
    """to_panels deals column panels round-robin; from_panels restores any layout."""
    a = data((n, n), seed=1)
    x = build(a, *layout)
    pan = panels.to_panels(x)
    b = panels.width(n, P)
    mine = [c for c in range(n) if (c // b) % P == RANK]
    ok = pan.local.shape == (len(mine), n) and np.array_equal(pan.local.cpu().numpy(), a.T[mine])
    agree(ok, "to_panels holds my columns")
    trans = panels.to_panels(x, transpose=True)
    agree(np.array_equal(trans.local.cpu().numpy(), a[mine]), "to_panels(transpose) holds my rows")
    for split, blocks in SPLIT_LAYOUTS:
        counts = counts_of(n, blocks)
        back = panels.from_panels(pan, split, counts)
        assert back.split == split and back.counts == tuple(counts or chunk(n, P))
        assert_array(back, a)
        assert_array(panels.from_panels(pan, split, counts, transpose=True), a.T)


# ---------------------------------------------------------------------- solve, inv
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [1, 5, 16])
def test_solve(n: int, dtype: hpa.DType, block: int) -> None:
    a = random_matrix(n, dtype, seed=n, boost=1.0)
    mats = [(build(a, *lay), lay) for lay in LAYOUTS]
    for k, bshape in enumerate([(n,), (n, 3), (n, 20)]):
        b = data(bshape, dtype, seed=10 + k)
        want = np.linalg.solve(a, b)
        lays = rhs_layouts(len(bshape))
        for i, (x_a, lay_a) in enumerate(mats):
            # every layout of b for the vector and the wide b, one (cycling) for (n, 3)
            for lay_b in lays[i % len(lays) :][:1] if bshape == (n, 3) else lays:
                rhs = build(b, *lay_b)
                x = la.solve(x_a, rhs)
                assert_like(x, rhs)
                assert_array(x, want, **tol(dtype))


def test_solve_int64(block: int) -> None:
    """int64 inputs are promoted to float64, as NumPy does."""
    n = 9
    a = (data((n, n), hpa.int64, seed=3) + 20 * np.eye(n, dtype=np.int64)).astype(np.int64)
    b = data((n, 4), hpa.int64, seed=4)
    for lay_a, lay_b in zip(SPLIT_LAYOUTS, rhs_layouts(2)[1:] + rhs_layouts(2)[:1]):
        x_a, rhs = build(a, *lay_a), build(b, *lay_b)
        assert_array(la.solve(x_a, rhs), np.linalg.solve(a, b), rtol=1e-12, atol=1e-12)
        assert_array(la.solve(x_a, b[:, 0]), np.linalg.solve(a, b[:, 0]), rtol=1e-12, atol=1e-12)
        inverse = la.inv(x_a)
        assert_like(inverse, x_a)
        assert_array(inverse, np.linalg.inv(a), rtol=1e-12, atol=1e-14)
        assert_array(la.det(x_a), np.linalg.det(a), rtol=1e-10)
        lu, piv = la.lu_factor(x_a)
        ref_lu, ref_piv = scipy.linalg.lu_factor(a)
        assert_array(lu, ref_lu, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(piv.numpy(), ref_piv)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [1, 5, 9, 16])
def test_inv(n: int, dtype: hpa.DType, block: int) -> None:
    a = random_matrix(n, dtype, seed=20 + n, boost=1.0)
    want = np.linalg.inv(a)
    for lay in LAYOUTS:
        x_a = build(a, *lay)
        got = la.inv(x_a)
        assert_like(got, x_a)
        assert_array(got, want, **tol(dtype))


def test_ill_conditioned() -> None:
    """A Hilbert matrix (condition 1.5e10 at order 8, 1.7e16 at 12): determinants to about
    cond * eps, solves with small residuals, at the default panel width and at width 2."""
    h8, h12 = scipy.linalg.hilbert(8), scipy.linalg.hilbert(12)
    # det H_n = c_n^4 / c_2n with c_n = 1! 2! ... (n-1)!
    c = [math.prod(math.factorial(i) for i in range(1, m)) for m in (8, 16)]
    exact_det = float(Fraction(c[0] ** 4, c[1]))
    b = data((12, 3), seed=30)
    for width, (split, blocks) in itertools.product((128, 2), SPLIT_LAYOUTS):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(panels, "BLOCK", width)
            a8 = build(h8, split, blocks)
            np.testing.assert_allclose(float(la.det(a8).numpy()), np.linalg.det(h8), rtol=1e-6)
            np.testing.assert_allclose(float(la.det(a8).numpy()), exact_det, rtol=1e-6)
            sign, logabs = la.slogdet(a8)
            assert float(sign.numpy()) == 1.0
            np.testing.assert_allclose(float(logabs.numpy()), np.log(exact_det), rtol=1e-7)
            a12 = build(h12, split, blocks)
            for lay_b in rhs_layouts(2):
                x = la.solve(a12, build(b, *lay_b)).numpy()
                residual = np.linalg.norm(h12 @ x - b) / (np.linalg.norm(h12) * np.linalg.norm(x))
                assert residual < 1e-14, residual
            inverse = la.inv(a8).numpy()
            assert np.linalg.norm(h8 @ inverse - np.eye(8)) < 1e-5


# ---------------------------------------------------------------------- det, slogdet
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [1, 5, 9, 16])
def test_det_slogdet(n: int, dtype: hpa.DType, block: int) -> None:
    a = random_matrix(n, dtype, seed=40 + n)
    want_sign, want_log = np.linalg.slogdet(a)
    # determinants of random matrices grow fast: float32 compares the slogdet, not the value
    rtol = 1e-3 if dtype == hpa.float32 else 1e-9
    for lay in LAYOUTS:
        x_a = build(a, *lay)
        d = la.det(x_a)
        assert d.shape == () and d.split is None and d.dtype == dtype
        np.testing.assert_allclose(d.numpy(), np.linalg.det(a), rtol=rtol)
        sign, logabs = la.slogdet(x_a)
        assert sign.split is None and logabs.split is None and sign.dtype == dtype
        np.testing.assert_allclose(sign.numpy(), want_sign, rtol=rtol, atol=rtol)
        np.testing.assert_allclose(logabs.numpy(), want_log, rtol=rtol, atol=rtol)


@pytest.mark.parametrize("dtype", [hpa.float64, hpa.complex128], ids=str)
def test_det_singular(dtype: hpa.DType, block: int) -> None:
    """Exactly zero pivots: in the first panel (a matrix of ones), in the last (a zero last
    column); det is 0, slogdet (0, -inf), as NumPy."""
    ones = np.ones((7, 7), dtype.numpy)
    late = random_matrix(7, dtype, seed=50)
    late[:, -1] = 0
    for a, lay in itertools.product((ones, late), LAYOUTS):
        x_a = build(a, *lay)
        assert float(abs(la.det(x_a).numpy())) == 0.0
        sign, logabs = la.slogdet(x_a)
        want_sign, want_log = np.linalg.slogdet(a)
        assert sign.numpy() == want_sign == 0 and logabs.numpy() == want_log == -np.inf


# ---------------------------------------------------------------------- lu, lu_factor, lu_solve
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [1, 5, 9, 16])
def test_lu(n: int, dtype: hpa.DType, block: int) -> None:
    a = random_matrix(n, dtype, seed=60 + n)
    ref_lu, ref_piv = scipy.linalg.lu_factor(a)
    ref_p, ref_l, ref_u = scipy.linalg.lu(a)
    ref_pl, _ = scipy.linalg.lu(a, permute_l=True)
    ref_index, _, _ = scipy.linalg.lu(a, p_indices=True)
    assert n < 5 or not np.array_equal(ref_piv, np.arange(n)), "the test matrix must pivot"
    t = tol(dtype)
    for lay in LAYOUTS:
        x_a = build(a, *lay)
        lu, piv = la.lu_factor(x_a)
        assert_like(lu, x_a)
        assert piv.split is None and piv.dtype == hpa.int32
        np.testing.assert_array_equal(piv.numpy(), ref_piv)
        assert_array(lu, ref_lu, **t)
        p, lower, upper = la.lu(x_a)
        for got in (p, lower, upper):
            assert_like(got, x_a)
        assert_array(p, ref_p, check_dtype=False)
        assert p.dtype == x_a.dtype
        assert_array(lower, ref_l, **t)
        assert_array(upper, ref_u, **t)
        pl, upper = la.lu(x_a, permute_l=True)
        assert_like(pl, x_a)
        assert_like(upper, x_a)
        assert_array(pl, ref_pl, **t)
        assert_array(upper, ref_u, **t)
        index, lower, upper = la.lu(x_a, p_indices=True)
        assert index.split is None and index.dtype == hpa.int64
        np.testing.assert_array_equal(index.numpy(), ref_index)
        assert_array(lower, ref_l, **t)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("trans", [0, 1, 2])
def test_lu_solve(trans: int, dtype: hpa.DType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(panels, "BLOCK", 2)  # 5 panels, the last one narrower
    n = 9
    a = random_matrix(n, dtype, seed=70, boost=0.5)
    ref = scipy.linalg.lu_factor(a)
    rhs_values = [data((n,), dtype, seed=71), data((n, 20), dtype, seed=72)]
    t = tol(dtype)
    for i, lay_a in enumerate(LAYOUTS):
        x_a = build(a, *lay_a)
        # hpa's factors with every layout of a matrix b, SciPy's (laid out like a) and vectors
        # with one (cycling)
        factors = [la.lu_factor(x_a), (build(ref[0], *lay_a), hpa.array(ref[1]))]
        for (f, (lu, piv)), b in itertools.product(enumerate(factors), rhs_values):
            want = scipy.linalg.lu_solve(ref, b, trans=trans)
            lays = rhs_layouts(b.ndim)
            for lay_b in lays if f == 0 and b.ndim == 2 else lays[i % len(lays) :][:1]:
                rhs = build(b, *lay_b)
                x = la.lu_solve((lu, piv), rhs, trans=trans)
                assert_like(x, rhs)
                assert_array(x, want, **t)


@pytest.mark.parametrize(
    "shape, split", [((5,), None), ((5,), 0), ((5, 2), None), ((5, 2), 1)], ids=str
)
def test_lu_solve_conjugate_view(shape: tuple[int, ...], split: int | None) -> None:
    a = random_matrix(5, hpa.complex128, seed=75, boost=1.0)
    b = data(shape, hpa.complex128, seed=76)
    x = la.lu_solve(la.lu_factor(a), build(b, split), trans=1)
    agree(not x.larray.is_conj(), "a materialized local block")
    assert_array(x, scipy.linalg.lu_solve(scipy.linalg.lu_factor(a), b, trans=1), rtol=1e-10)


# ---------------------------------------------------------------------- Cholesky
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", [1, 5, 16])
def test_cholesky(n: int, dtype: hpa.DType, block: int) -> None:
    a = hpd(n, dtype, seed=80 + n)
    low = np.linalg.cholesky(a)
    t = tol(dtype)
    lower_only = garbage(a, "lower")  # cholesky reads only the lower triangle
    for lay in LAYOUTS:
        x_g = build(lower_only, *lay)
        got = la.cholesky(x_g)
        assert_like(got, x_g)
        assert_array(got, low, **t)
        x_a = build(a, *lay)
        got = la.cholesky(x_a, upper=True)
        assert_like(got, x_a)
        assert_array(got, low.conj().T, **t)


def test_cholesky_upper_reads_upper_triangle(block: int) -> None:
    a = hpd(6, hpa.float64, seed=85)
    upper_only = garbage(a, "upper")
    want = np.linalg.cholesky(upper_only, upper=True)
    np.testing.assert_allclose(want, np.linalg.cholesky(a).T, rtol=1e-12)
    for lay in SPLIT_LAYOUTS:
        try:
            got = la.cholesky(build(upper_only, *lay), upper=True).numpy()
            ok = np.allclose(got, want, rtol=1e-10, atol=1e-12)
        except LinAlgError:
            ok = False
        agree(ok, f"cholesky(upper=True) of {lay}")


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("lower", [False, True])
def test_cho_factor_solve(lower: bool, dtype: hpa.DType, block: int) -> None:
    n = 9
    a = hpd(n, dtype, seed=90)
    keep = "lower" if lower else "upper"
    tri = np.tril if lower else np.triu
    # only the triangle named by ``lower`` is read: garbage in the other one
    read = garbage(a, keep)
    ref_c = tri(scipy.linalg.cho_factor(read, lower=lower)[0])
    rhs_values = [
        data((n,), dtype, seed=91),
        data((n, 3), dtype, seed=92),
        data((n, 20), dtype, seed=93),
    ]
    t = tol(dtype)
    for i, lay_a in enumerate(LAYOUTS):
        x_a = build(read, *lay_a)
        c, flag = la.cho_factor(x_a, lower=lower)
        assert flag is lower
        assert_like(c, x_a)
        assert_array(c, ref_c, **t)  # zeros in the other triangle
        # a factor with garbage in the other triangle (SciPy keeps the input's entries there);
        # hpa's factor with every layout of a matrix b, the rest with one (cycling)
        factors = [(c, flag), (build(garbage(ref_c, keep), *lay_a), lower)]
        for (f, fac), b in itertools.product(enumerate(factors), rhs_values):
            want = np.linalg.solve(a, b)
            lays = rhs_layouts(b.ndim)
            for lay_b in lays if f == 0 and b.ndim == 2 else lays[i % len(lays) :][:1]:
                rhs = build(b, *lay_b)
                x = la.cho_solve(fac, rhs)
                assert_like(x, rhs)
                assert_array(x, want, **t)


def test_cho_factor_reads_upper(block: int) -> None:
    a = hpd(6, hpa.float64, seed=95)
    upper_only = garbage(a, "upper")
    want = np.triu(scipy.linalg.cho_factor(upper_only, lower=False)[0])
    for lay in LAYOUTS:
        try:
            c, _ = la.cho_factor(build(upper_only, *lay), lower=False)
            ok = np.allclose(c.numpy(), want, rtol=1e-10, atol=1e-12)
        except LinAlgError:
            ok = False
        agree(ok, f"cho_factor(lower=False) of {lay}")


@pytest.mark.parametrize("layout", SPLIT_LAYOUTS[:2], ids=layout_id)
def test_cho_factor_upper_layout(layout: tuple[int, str]) -> None:
    x_a = build(hpd(5, hpa.float64, seed=96), *layout)
    c, lower = la.cho_factor(x_a, lower=False)
    assert lower is False
    assert_like(c, x_a)


# ---------------------------------------------------------------------- solve_triangular
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("trans", [0, 1, 2])
@pytest.mark.parametrize("lower", [False, True])
def test_solve_triangular(
    lower: bool, trans: int, dtype: hpa.DType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(panels, "BLOCK", 3)  # 4 panels, the last one narrower
    n = 10
    keep = "lower" if lower else "upper"
    tri = data((n, n), dtype, seed=100) / n**0.5 + 2 * np.eye(n)
    b = data((n, 20), dtype, seed=101)
    t = tol(dtype)
    for unit in (False, True):
        a = garbage(tri.astype(dtype.numpy), keep)  # the other triangle is not read
        if unit:  # nor is the diagonal: zeros there must not raise
            a[np.arange(0, n, 2), np.arange(0, n, 2)] = 0
        for rhs_values in (b, b[:, 0]):
            want = scipy.linalg.solve_triangular(
                a, rhs_values, trans=trans, lower=lower, unit_diagonal=unit
            )
            b_lays = rhs_layouts(rhs_values.ndim)
            for k, lay_a in enumerate(LAYOUTS):
                rhs = build(rhs_values, *b_lays[k % len(b_lays)])
                x = la.solve_triangular(build(a, *lay_a), rhs, trans, lower, unit)
                assert_like(x, rhs)
                assert_array(x, want, **t)


# ---------------------------------------------------------------------- empty matrices
@pytest.mark.parametrize("split", [None, 0, 1])
def test_empty(split: int | None, block: int) -> None:
    a = np.zeros((0, 0))
    x_a = build(a, split)
    b = build(np.zeros((0, 2)), split)
    x = la.solve(x_a, b)
    assert x.shape == (0, 2) and x.split == split
    assert la.solve(x_a, np.zeros(0)).shape == (0,)
    assert la.inv(x_a).shape == (0, 0) and la.inv(x_a).split == split
    assert float(la.det(x_a).numpy()) == 1.0
    sign, logabs = la.slogdet(x_a)
    assert float(sign.numpy()) == 1.0 and float(logabs.numpy()) == 0.0
    lu, piv = la.lu_factor(x_a)
    assert lu.shape == (0, 0) and piv.shape == (0,)
    assert la.lu_solve((lu, piv), np.zeros(0)).shape == (0,)
    assert [m.shape for m in la.lu(x_a)] == [(0, 0)] * 3
    assert la.cholesky(x_a).shape == (0, 0)
    c = la.cho_factor(x_a)
    assert la.cho_solve(c, np.zeros(0)).shape == (0,)
    assert la.solve_triangular(x_a, b).shape == (0, 2)


# ---------------------------------------------------------------------- collectives
@pytest.mark.parametrize("width", [None, 3], ids=lambda w: f"block{w or panels.BLOCK}")
@pytest.mark.parametrize("n", [9, 16])
def test_collective_counts(n: int, width: int | None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Exact numbers of ``alltoallv`` and ``bcast`` (``k`` panels: ``k`` broadcasts to factor,
    ``k`` per triangular sweep), no ``allgatherv`` of the matrix (only of a split vector ``b``
    or of the diagonal of ``U``: ``n`` elements); the largest ``bcast`` is one panel with its
    status, the largest ``alltoallv`` contribution a rank's block or its panels, whichever is
    larger (or a block of ``b``, of the inverse, moved between rows and columns)."""
    if width is not None:
        monkeypatch.setattr(panels, "BLOCK", width)
    b = panels.width(n, P)
    k = -(-n // b)
    a = random_matrix(n, hpa.float64, seed=110, boost=1.0)
    pos = hpd(n, hpa.float64, seed=111)
    wide = data((n, 20), seed=112)
    mine = sum(1 for c in range(n) if (c // b) % P == RANK)  # my columns in the panels
    for split, blocks in SPLIT_LAYOUTS:
        x_a, x_pos = build(a, split, blocks), build(pos, split, blocks)
        b1, b0, v0 = build(wide[:, :3], 1), build(wide, 0), build(wide[:, 0], 0)
        lu = la.lu_factor(x_a)
        cho = la.cho_factor(x_pos, lower=True)
        local = max(x_a.larray.numel(), mine * n) * 8
        # b moves to columns and back: its blocks of rows, then of columns
        wide_local = max(local, b0.larray.numel() * 8, n * chunk(20, P)[RANK] * 8)
        # inv of a split 0 matrix solves balanced columns of the identity, moved to a's rows
        inv_local = max(local, n * chunk(n, P)[RANK] * 8) if split == 0 else local
        # name: (call, alltoallv, bcast, allgatherv, bound on one alltoallv contribution)
        cases: dict[str, tuple[Any, int, int, int, int]] = {
            "lu_factor": (lambda: la.lu_factor(x_a), 2, k, 0, local),
            "lu": (lambda: la.lu(x_a), 3, k, 0, local),
            "cholesky": (lambda: la.cholesky(x_pos), 2, k, 0, local),
            "cholesky upper": (lambda: la.cholesky(x_pos, upper=True), 2, k, 0, local),
            "cho_factor": (lambda: la.cho_factor(x_pos), 2, k, 0, local),
            "solve, b split 1": (lambda: la.solve(x_a, b1), 1, 3 * k, 0, local),
            "solve, b replicated": (lambda: la.solve(x_a, wide), 1, 3 * k, 0, local),
            "solve, wide b split 0": (lambda: la.solve(x_a, b0), 3, 3 * k, 0, wide_local),
            "solve, vector split 0": (lambda: la.solve(x_a, v0), 1, 3 * k, 1, local),
            "inv": (lambda: la.inv(x_a), 1 if split == 1 else 2, 3 * k, 0, inv_local),
            "det": (lambda: la.det(x_a), 1, k, 1, local),
            "slogdet": (lambda: la.slogdet(x_a), 1, k, 1, local),
            "lu_solve": (lambda: la.lu_solve(lu, b1), 1, 2 * k, 0, local),
            "lu_solve, trans 2": (lambda: la.lu_solve(lu, b1, trans=2), 1, 2 * k, 0, local),
            "cho_solve": (lambda: la.cho_solve(cho, b1), 2, 2 * k, 0, local),
            "solve_triangular": (lambda: la.solve_triangular(x_a, b1), 1, k, 0, local),
        }
        for name, (fn, alltoallv, bcast, allgatherv, bound) in cases.items():
            what = f"{name} of a {split}-{blocks} matrix"
            with hpa.count_collectives() as stats:
                fn()
            if P == 1:  # local torch: nothing moves
                assert stats.total == 0, f"{what}: {stats}"
                continue
            got = (stats.counts["alltoallv"], stats.counts["bcast"], stats.counts["allgatherv"])
            assert got == (alltoallv, bcast, allgatherv), f"{what}: {stats}"
            largest = dict(stats.largest)
            agree(largest["bcast"] <= n * b * 8 + 1024, f"{what}: largest bcast {largest}")
            agree(largest.get("allgatherv", 0) <= n * 8, f"{what}: largest allgatherv {largest}")
            agree(largest["alltoallv"] <= bound, f"{what}: largest alltoallv {largest} > {bound}")


# ---------------------------------------------------------------------- errors on every rank
@pytest.mark.parametrize("layout", LAYOUTS, ids=layout_id)
def test_errors_everywhere(layout: tuple[int | None, str], block: int) -> None:
    split, blocks = layout
    n = 7
    ones = np.ones((n, n))
    late = random_matrix(n, hpa.float64, seed=120)
    late[:, -1] = 0  # the zero pivot is in the last panel
    for sing in (ones, late):
        x = build(sing, split, blocks)
        raised_with(LinAlgError, "Singular matrix", lambda x=x: la.solve(x, np.ones(n)))
        raised_with(
            LinAlgError, "Singular matrix", lambda x=x: la.solve(x, build(np.ones((n, 4)), 1))
        )
        raised_with(LinAlgError, "Singular matrix", lambda x=x: la.inv(x))
    late_pd = np.eye(n)
    late_pd[-1, -1] = -1
    mid_pd = hpd(n, hpa.float64, seed=121)
    mid_pd[3, 3] = -50
    for bad in (-np.eye(n), late_pd, mid_pd):
        x = build(bad, split, blocks)
        raised_with(LinAlgError, "Matrix is not positive definite", lambda x=x: la.cholesky(x))
        raised_with(
            LinAlgError, "Matrix is not positive definite", lambda x=x: la.cholesky(x, upper=True)
        )
        raised_with(LinAlgError, "Matrix is not positive definite", lambda x=x: la.cho_factor(x))
        raised_with(
            LinAlgError, "Matrix is not positive definite", lambda x=x: la.cho_factor(x, lower=True)
        )
    tri = np.triu(random_matrix(n, hpa.float64, seed=122, boost=1.0))
    for zero in (0, 4, n - 1):
        t = tri.copy()
        t[zero, zero] = 0
        x = build(t, split, blocks)
        # SciPy's message; the local torch path does not name the entry
        text = f"resolution failed at diagonal {zero}" if (P > 1 and split is not None) else ""
        raised_with(
            LinAlgError,
            "singular matrix" + (": " + text if text else ""),
            lambda x=x: la.solve_triangular(x, np.ones(n)),
        )
        raised_with(
            LinAlgError, "singular matrix", lambda x=x: la.solve_triangular(x, np.ones(n), trans=1)
        )
        assert_array(
            la.solve_triangular(x, np.ones(n), unit_diagonal=True),
            scipy.linalg.solve_triangular(t, np.ones(n), unit_diagonal=True),
            rtol=1e-12,
        )
    rect = data((4, 6), seed=123)
    x = build(rect, split, blocks)
    for fn in (lambda: la.solve(x, np.ones(4)), lambda: la.inv(x), lambda: la.cholesky(x)):
        raised_with(LinAlgError, "", fn)
    if P > 1 and split is not None:  # the distributed LU needs a square matrix
        raised_with(LinAlgError, "square", lambda: la.lu_factor(x))
        raised_with(LinAlgError, "square", lambda: la.lu(x))
    else:  # torch factors rectangular matrices like SciPy
        ref_lu, ref_piv = scipy.linalg.lu_factor(rect)
        lu, piv = la.lu_factor(x)
        assert_array(lu, ref_lu, rtol=1e-12, atol=1e-14)
        np.testing.assert_array_equal(piv.numpy(), ref_piv)
    nan = random_matrix(n, hpa.float64, seed=124, boost=1.0)
    nan[-1, 2] = np.nan  # only the last rank's block holds it
    x = build(nan, split, blocks)
    finite = "array must not contain infs or NaNs"
    raised_with(ValueError, finite, lambda: la.lu_factor(x))
    raised_with(ValueError, finite, lambda: la.lu(x))
    raised_with(ValueError, finite, lambda: la.cho_factor(x, lower=True))
    inf = np.eye(n)
    inf[-1, 0] = np.inf
    raised_with(ValueError, finite, lambda: la.lu_factor(build(inf, split, blocks)))
    ok = build(np.eye(n), split, blocks)
    raised_with(ValueError, finite, lambda: la.lu_solve(la.lu_factor(ok), build(nan[:, 2], 0)))
    lu, piv = la.lu_factor(x, check_finite=False)  # no check: no error, NaNs spread
    agree(bool(np.isnan(lu.numpy()).any()), "lu_factor(check_finite=False) of NaNs")


def test_singular_lu_solve(block: int) -> None:
    """lu_factor of a singular matrix does not raise; lu_solve divides by the zero pivot and
    returns non-finite values, as SciPy does (no error, on every rank alike)."""
    n = 7
    a = random_matrix(n, hpa.float64, seed=125)
    a[:, -1] = 0
    with pytest.warns(scipy.linalg.LinAlgWarning, match="exactly zero"):
        ref = scipy.linalg.lu_factor(a)
    want = scipy.linalg.lu_solve(ref, np.ones(n))
    assert not np.isfinite(want).all()
    for lay in LAYOUTS:
        lu, piv = la.lu_factor(build(a, *lay))
        np.testing.assert_array_equal(np.diag(lu.numpy())[-1], 0)
        x = la.lu_solve((lu, piv), np.ones(n)).numpy()
        assert not np.isfinite(x).all()
