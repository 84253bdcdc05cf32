"""hpa.spatial (cdist, pdist, rbf, manhattan) against scipy.spatial.distance: every metric, every
layout of X and Y (replicated, split along the rows, split along the features, balanced and
ragged), fewer rows than processes (empty blocks), no rows, no features, dtypes, collective
counts and errors raised on every rank.

Every rank runs the same calls in the same order and every check compares gathered data.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import RANK, P, assert_array, data, make, raised_everywhere
from scipy.spatial import distance

import hpa
from hpa import spatial

METRICS = [
    ("euclidean", {}),
    ("sqeuclidean", {}),
    ("cityblock", {}),
    ("cosine", {}),
    ("chebyshev", {}),
    ("minkowski", {"p": 3.0}),
    ("minkowski", {"p": 1.5}),
]
# (split, ragged); split 1 is along the features
LAYOUTS = [(None, False), (0, False), (0, True), (1, False), (1, True)]
# (X shape, Y shape): ordinary, fewer rows than processes, no rows on either side, no
# features, and more than 25 rows (the matrix-product expansion)
PAIRS = [
    ((7, 3), (5, 3)),
    ((2, 4), (1, 4)),
    ((0, 3), (4, 3)),
    ((4, 3), (0, 3)),
    ((3, 0), (2, 0)),
    ((31, 4), (27, 4)),
]
EXACT = {"rtol": 1e-10, "atol": 1e-12}
LOOSE = {"rtol": 1e-9, "atol": 1e-10}


def expected_split(sx: int | None, sy: int | None, self_: bool) -> int | None:
    if sx is not None:
        return 0
    if sy is not None and not self_:
        return 1
    return None


def check_layout(got: hpa.Array, x: hpa.Array, y: hpa.Array | None) -> None:
    split = expected_split(x.split, None if y is None else y.split, y is None)
    assert got.split == split, f"split {got.split} != {split}"
    if x.split == 0:  # the result keeps X's (possibly ragged) row extents
        assert got.counts == x.counts


def arrays(values: np.ndarray) -> list[hpa.Array]:
    return [make(values, split, ragged=ragged) for split, ragged in LAYOUTS]


@pytest.mark.parametrize("pair", PAIRS, ids=str)
def test_cdist_every_layout(pair: tuple[tuple[int, int], tuple[int, int]]) -> None:
    a, b = data(pair[0], seed=1), data(pair[1], seed=2)
    xs, ys = arrays(a), [None, *arrays(b)]
    for metric, kw in METRICS:
        want_ab = distance.cdist(a, b, metric, **kw)
        want_aa = distance.cdist(a, a, metric, **kw)
        for x in xs:
            for y in ys:
                got = spatial.cdist(x, y, metric, **kw)
                check_layout(got, x, y)
                assert_array(got, want_aa if y is None else want_ab, **LOOSE)


@pytest.mark.parametrize("shape", [(7, 3), (2, 3), (1, 3), (0, 3), (5, 0), (31, 4)], ids=str)
def test_pdist_every_layout(shape: tuple[int, int]) -> None:
    a = data(shape, seed=3)
    xs = arrays(a)
    for metric, kw in METRICS:
        want = distance.pdist(a, metric, **kw)
        for x in xs:
            got = spatial.pdist(x, metric, **kw)
            assert got.split == (None if x.split is None else 0)
            assert_array(got, want, **LOOSE)


def test_pdist_counts_follow_rows() -> None:
    n = 2 * P + 1
    got = spatial.pdist(make(data((n, 2), seed=4), 0, ragged=True))
    x = make(data((n, 2), seed=4), 0, ragged=True)
    lo, hi = x.layout.range_of(RANK)
    assert got.lshape == (sum(n - 1 - i for i in range(lo, hi)),)


@pytest.mark.parametrize("pair", [PAIRS[0], PAIRS[1], PAIRS[5]], ids=str)
def test_rbf(pair: tuple[tuple[int, int], tuple[int, int]]) -> None:
    a, b = data(pair[0], seed=5), data(pair[1], seed=6)
    sigma = 0.7
    want_ab = np.exp(-distance.cdist(a, b, "sqeuclidean") / (2 * sigma**2))
    want_aa = np.exp(-distance.cdist(a, a, "sqeuclidean") / (2 * sigma**2))
    for x in arrays(a):
        for y in [None, *arrays(b)]:
            for expansion in (False, True):
                got = spatial.rbf(x, y, sigma=sigma, quadratic_expansion=expansion)
                check_layout(got, x, y)
                assert_array(got, want_aa if y is None else want_ab, **LOOSE)


def test_self_diagonal_exact() -> None:
    a = data((40, 3), seed=7) * 100  # large norms: the expansion alone would leave noise
    for x in arrays(a):
        for metric in ("euclidean", "sqeuclidean", "cosine"):
            d = spatial.cdist(x, metric=metric, quadratic_expansion=True).numpy()
            assert np.all(np.diag(d) == 0.0)
        assert np.all(np.diag(spatial.rbf(x).numpy()) == 1.0)


def test_quadratic_expansion_and_heat_signature() -> None:
    a, b = data((9, 5), seed=8), data((6, 5), seed=9)
    want = distance.cdist(a, b)
    for x, y in zip(arrays(a), arrays(b)):
        assert_array(spatial.cdist(x, y, quadratic_expansion=True), want, **LOOSE)
        assert_array(spatial.cdist(x, y, True), want, **LOOSE)  # HeAT: cdist(X, Y, expand)
        assert_array(spatial.cdist(x, y, "sqeuclidean", quadratic_expansion=True),
                     distance.cdist(a, b, "sqeuclidean"), **LOOSE)  # fmt: skip
        assert_array(spatial.manhattan(x, y), distance.cdist(a, b, "cityblock"), **EXACT)
        assert_array(spatial.cdist(x, y, "manhattan"), distance.cdist(a, b, "cityblock"))
        inf = spatial.cdist(x, y, "minkowski", p=np.inf)
        assert_array(inf, distance.cdist(a, b, "chebyshev"), **EXACT)


def test_no_expansion_is_exact() -> None:
    """``quadratic_expansion=False`` computes exact differences at any size: coinciding rows are
    exactly 0 apart (the expansion leaves rounding noise of the size of sqrt(eps) |x|)."""
    a = data((40, 3), seed=10) * 100
    a[7] = a[3]
    b = a[:30].copy()
    for x in arrays(a):
        for y in (None, make(b, None), make(b, 0)):
            got = spatial.cdist(x, y, quadratic_expansion=False).numpy()
            want = distance.cdist(a, a if y is None else b)
            np.testing.assert_allclose(got, want, rtol=1e-14, atol=0)
            assert got[7, 3] == 0.0 and got[3, 7] == 0.0
        condensed = spatial.pdist(x, quadratic_expansion=False).numpy()
        np.testing.assert_allclose(condensed, distance.pdist(a), rtol=1e-14, atol=0)


@pytest.mark.parametrize(
    ("dtype", "result", "tol"),
    [
        (hpa.float32, hpa.float32, {"rtol": 2e-5, "atol": 2e-5}),
        (hpa.float16, hpa.float32, {"rtol": 2e-5, "atol": 2e-5}),
        (hpa.float64, hpa.float64, EXACT),
        (hpa.int64, hpa.float64, EXACT),
        (hpa.int32, hpa.float64, EXACT),
        (hpa.uint8, hpa.float64, EXACT),
        (hpa.bool_, hpa.float64, EXACT),
    ],
    ids=str,
)
def test_dtypes(dtype: hpa.DType, result: hpa.DType, tol: dict) -> None:
    a, b = data((6, 3), dtype, seed=10), data((40, 3), dtype, seed=11)
    ra, rb = a.astype(np.float64), b.astype(np.float64)
    for metric in ("euclidean", "cityblock", "cosine"):
        loose = dict(tol, atol=max(tol["atol"], 1e-9))  # b has 40 rows: the expansion
        want, want_p = distance.cdist(ra, rb, metric), distance.pdist(rb, metric)
        for (sx, rx), (sy, ry) in zip(LAYOUTS, LAYOUTS[::-1]):
            x, y = make(a, sx, ragged=rx), make(b, sy, ragged=ry)
            assert_array(spatial.cdist(x, y, metric), want, dtype=result, **loose)
            assert_array(spatial.pdist(y, metric), want_p, dtype=result, **loose)


def test_mixed_dtypes() -> None:
    a, b = data((5, 2), hpa.float32, seed=12), data((4, 2), hpa.int64, seed=13)
    got = spatial.cdist(make(a, 0), make(b, 0))
    assert got.dtype == hpa.float64
    assert_array(got, distance.cdist(a.astype(np.float64), b), rtol=1e-6)
    got = spatial.cdist(make(a, 0), make(b.astype(np.float64), None))
    assert got.dtype == hpa.float64


def test_plain_inputs() -> None:
    a, b = data((5, 2), seed=14), data((4, 2), seed=15)
    got = spatial.cdist(a, b)
    assert got.split is None
    assert_array(got, distance.cdist(a, b), **EXACT)
    assert_array(spatial.cdist(make(a, 0), b), distance.cdist(a, b), **EXACT)


def test_collective_counts() -> None:
    a, b = data((3 * P + 1, 3), seed=16), data((2 * P + 1, 3), seed=17)
    ring = {"isend": P - 1, "irecv": P - 1}
    expected = [
        ((make(a, 0), make(b, None)), {}),
        ((make(a, 0, ragged=True), make(b, None)), {}),
        ((make(a, None), make(b, 0)), {}),
        ((make(a, None), make(b, None)), {}),
        ((make(a, 0), make(b, 0)), ring),
        ((make(a, 0), None), ring),
        ((make(a, 1), make(b, None)), {"alltoallv": 1}),
        ((make(a, 0), make(b, 1)), {"alltoallv": 1, **ring}),
    ]
    for args, counts in expected:
        for fn in (spatial.cdist, spatial.rbf):
            with hpa.count_collectives() as stats:
                fn(*args)
            assert dict(stats.counts) == ({} if P == 1 else counts), f"{args}: {stats}"
    # pdist: a chain towards rank 0; rank r receives p-1-r blocks and passes on p-r
    chain = {"irecv": P - 1 - RANK, "isend": P - RANK if RANK else 0}
    with hpa.count_collectives() as stats:
        spatial.pdist(make(a, 0))
    assert dict(stats.counts) == {k: v for k, v in chain.items() if v}, f"pdist: {stats}"
    with hpa.count_collectives() as stats:
        spatial.pdist(make(a, None))
    assert stats.total == 0


def test_ring_moves_blocks_not_everything() -> None:
    a, b = data((2 * P, 3), seed=18), data((4 * P, 3), seed=19)
    y = make(b, 0)
    with hpa.count_collectives() as stats:
        spatial.cdist(make(a, 0), y, "cityblock")
    # every step sends the block in hand: p - 1 blocks of Y's rows, never all of Y
    assert stats.bytes["isend"] == (P - 1) * y.lnbytes
    assert stats["allgatherv"] == stats["allgather"] == 0


def test_errors_everywhere() -> None:
    x, y = make(data((5, 3)), 0), make(data((4, 2)), 0)
    for sx in (None, 0, 1):
        for sy in (None, 0, 1):
            bad = (make(data((5, 3)), sx), make(data((4, 2)), sy))
            raised_everywhere(ValueError, lambda b=bad: spatial.cdist(*b))
    raised_everywhere(ValueError, lambda: spatial.rbf(x, y))
    raised_everywhere(ValueError, lambda: spatial.cdist(make(data((5,)), 0)))
    raised_everywhere(ValueError, lambda: spatial.pdist(make(data((2, 3, 4)), 0)))
    raised_everywhere(ValueError, lambda: spatial.cdist(x, metric="hamming-ish"))
    raised_everywhere(ValueError, lambda: spatial.pdist(x, "minkowski", p=0))
    raised_everywhere(ValueError, lambda: spatial.rbf(x, sigma=0.0))
    raised_everywhere(TypeError, lambda: spatial.cdist(make(data((3, 2), hpa.complex128), 0)))


def test_namespace() -> None:
    assert set(spatial.__all__) == {"cdist", "pdist", "rbf", "manhattan"}
    assert hpa.spatial.cdist is spatial.cdist
