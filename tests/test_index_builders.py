"""Index arrays, triangles and grids against NumPy, for every split, balanced and ragged, with
their communication (none, except where the docstrings say otherwise)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere, splits

import hpa

LAYOUTS = [(None, False), (0, False), (0, True), (1, False), (1, True)]


def layout_id(layout: tuple[int | None, bool]) -> str:
    return f"s{layout[0]}{'-ragged' if layout[1] else ''}"


def balanced(x: hpa.Array, split: int | None) -> None:
    assert x.split == split and x.layout.is_balanced


# ---------------------------------------------------------------------------------- triangles
@pytest.mark.parametrize("split", [None, 0, 1])
@pytest.mark.parametrize("n,m", [(4, None), (3, 5), (5, 2), (1, 1), (0, 3), (-1, 2)])
def test_tri(n: int, m: int | None, split: int | None) -> None:
    for k in (-6, -1, 0, 2, 9):
        with hpa.count_collectives() as stats:
            x = hpa.tri(n, m, k, split=split)
        assert stats.total == 0
        balanced(x, split)
        assert_array(x, np.tri(n, m, k))
    assert_array(hpa.tri(n, m, 1, dtype=hpa.int32, split=split), np.tri(n, m, 1, dtype=np.int32))
    assert_array(hpa.tri(n, m, dtype=bool, split=split), np.tri(n, m, dtype=bool))


@pytest.mark.parametrize("split", [None, 0])
@pytest.mark.parametrize("n,m", [(4, None), (3, 6), (6, 2), (1, None), (0, 3), (2, 0), (-2, None)])
def test_triangle_indices(n: int, m: int | None, split: int | None) -> None:
    for k in (-7, -1, 0, 1, 3, 8):
        with hpa.count_collectives() as stats:
            lower = hpa.tril_indices(n, k, m, split=split)
            upper = hpa.triu_indices(n, k, m, split=split)
        assert stats.total == 0
        for got, want in zip(
            (*lower, *upper), (*np.tril_indices(n, k, m), *np.triu_indices(n, k, m))
        ):
            balanced(got, split)
            assert_array(got, want)


@pytest.mark.parametrize("layout", LAYOUTS, ids=layout_id)
def test_indices_from(layout: tuple[int | None, bool]) -> None:
    split, ragged = layout
    for shape in [(4, 6), (5, 3), (0, 2)]:
        ref = data(shape)
        x = make(ref, split, ragged=ragged)
        want_split = None if split is None else 0
        for k in (-2, 0, 1):
            with hpa.count_collectives() as stats:
                lower, upper = hpa.tril_indices_from(x, k), hpa.triu_indices_from(x, k)
            assert stats.total == 0
            for got, want in zip(
                (*lower, *upper), (*np.tril_indices_from(ref, k), *np.triu_indices_from(ref, k))
            ):
                balanced(got, want_split)
                assert_array(got, want)
        # the indices read the array: x[tril_indices_from(x)] is NumPy's
        assert_array(x[hpa.tril_indices_from(x, -1)], ref[np.tril_indices_from(ref, -1)])
    cube = make(data((3, 3, 3)), split, ragged=ragged)
    got = hpa.diag_indices_from(cube)
    assert len(got) == 3
    for g, w in zip(got, np.diag_indices_from(np.zeros((3, 3, 3)))):
        balanced(g, None if split is None else 0)
        assert_array(g, w)
    # NumPy data work too, giving replicated indices
    for g, w in zip(
        hpa.tril_indices_from(np.zeros((3, 4))), np.tril_indices_from(np.zeros((3, 4)))
    ):
        balanced(g, None)
        assert_array(g, w)


@pytest.mark.parametrize("split", [None, 0])
def test_diag_indices(split: int | None) -> None:
    for n, ndim in [(4, 2), (3, 3), (0, 2), (1, 4), (5, 0)]:
        with hpa.count_collectives() as stats:
            got = hpa.diag_indices(n, ndim, split=split)
        assert stats.total == 0
        want = np.diag_indices(n, ndim)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            balanced(g, split)
            assert_array(g, w)


# ---------------------------------------------------------------------------------- grids
@pytest.mark.parametrize("dims", [(2, 3), (4,), (3, 1, 2), (0, 2), ()], ids=str)
def test_indices(dims: tuple[int, ...]) -> None:
    for split in splits(len(dims) + 1):
        with hpa.count_collectives() as stats:
            dense = hpa.indices(dims, split=split)
        assert stats.total == 0
        balanced(dense, split)
        assert_array(dense, np.indices(dims))
    assert_array(hpa.indices(dims, dtype=float), np.indices(dims, dtype=float))
    for split in splits(len(dims)):
        with hpa.count_collectives() as stats:
            got = hpa.indices(dims, dtype=hpa.int32, sparse=True, split=split)
        assert stats.total == 0
        want = np.indices(dims, dtype=np.int32, sparse=True)
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            balanced(g, split)
            assert_array(g, w)


@pytest.mark.parametrize("split", [None, 0, 1])
def test_fromfunction(split: int | None) -> None:
    def f(i: Any, j: Any, scale: float = 1.0) -> Any:
        return (i * 10 + j) * scale

    with hpa.count_collectives() as stats:
        got = hpa.fromfunction(f, (4, 5), split=split, scale=0.5)
    assert stats.total == 0
    balanced(got, split)
    assert_array(got, np.fromfunction(f, (4, 5), scale=0.5))
    ints = hpa.fromfunction(lambda i, j: i - j, (3, 2), dtype=int, split=split)
    assert_array(ints, np.fromfunction(lambda i, j: i - j, (3, 2), dtype=int))
    # whatever the function returns comes back, as in NumPy
    assert hpa.fromfunction(lambda i, j: i.shape, (2, 7), split=split) == (2, 7)


def test_ix() -> None:
    rows, cols = [0, 2], np.array([True, False, True, True])
    got = hpa.ix_(rows, cols)
    want = np.ix_(rows, cols)
    assert len(got) == 2
    for g, w in zip(got, want):
        assert_array(g, w)
    assert_array(hpa.ix_([])[0], np.ix_([])[0])
    assert hpa.ix_() == ()
    assert_array(
        hpa.ix_(np.array([3, 1], dtype=np.int8))[0], np.ix_(np.array([3, 1], dtype=np.int8))[0]
    )
    ref = data((5, 6, 4))
    for split in (None, 0):
        idx = make(np.array([4, 0, 3, 1, 1, 2]), split, ragged=True)
        mask = make(np.array([True, False, True, True]), split)
        with hpa.count_collectives() as stats:
            a, b, c = hpa.ix_([1, 3], idx, mask)
        assert stats.total == (0 if split is None or P == 1 else 1)  # the mask's nonzero
        assert b.split == (None if split is None else 1) and b.counts == (
            idx.counts if split is not None else None
        )
        assert_array(b, np.array([4, 0, 3, 1, 1, 2]).reshape(1, 6, 1))
        x = make(ref, split)
        assert_array(x[a, b, c], ref[np.ix_([1, 3], [4, 0, 3, 1, 1, 2], [True, False, True, True])])


# ---------------------------------------------------------------------------------- diagonals
FILL_SHAPES = [(4, 4), (7, 3), (3, 7), (3, 3, 3), (1, 5), (0, 0)]


@pytest.mark.parametrize("shape", FILL_SHAPES, ids=str)
def test_fill_diagonal(shape: tuple[int, ...]) -> None:
    for split in splits(len(shape)):
        for ragged in (False, True):
            for wrap in (False, True):
                for val in (5, [1.5, -2, 3], np.arange(4)):
                    ref = data(shape, hpa.int64)
                    x = make(ref, split, ragged=ragged)
                    layout = x.layout
                    with hpa.count_collectives() as stats:
                        out = hpa.fill_diagonal(x, val, wrap=wrap)
                    assert out is None and stats.total == 0
                    assert x.layout == layout
                    np.fill_diagonal(ref, val, wrap=wrap)
                    assert_array(x, ref)
    ref = data(shape)
    x = make(ref, 0)
    val = make(np.array([7.0, 8.0]), 0)
    hpa.fill_diagonal(x, val)
    np.fill_diagonal(ref, [7.0, 8.0])
    assert_array(x, ref)


@pytest.mark.parametrize("split,ragged", [(None, False), (0, False), (0, True), (1, False)])
def test_diagflat(split: int | None, ragged: bool) -> None:
    for shape in [(2, 3), (4, 1), (0, 2)]:
        ref = data(shape, hpa.int64)
        x = make(ref, split, ragged=ragged)
        for k in (-2, 0, 1):
            with hpa.count_collectives() as stats:
                got = hpa.diagflat(x, k)
            assert stats.total == (1 if split == 1 and P > 1 else 0)  # ravel's resplit
            assert got.split == (None if split is None else 0)
            assert_array(got, np.diagflat(ref, k))
    assert_array(hpa.diagflat([[1, 2], [3, 4]], -1), np.diagflat([[1, 2], [3, 4]], -1))


VANDER_DTYPES = [hpa.bool_, hpa.int8, hpa.uint8, hpa.int64, hpa.float32, hpa.float64, hpa.complex64]


@pytest.mark.parametrize("dtype", VANDER_DTYPES, ids=str)
@pytest.mark.parametrize("split,ragged", [(None, False), (0, False), (0, True)])
def test_vander(dtype: hpa.DType, split: int | None, ragged: bool) -> None:
    for n in (0, 1, 5):
        ref = data((n,), dtype, low=-3, high=4)
        x = make(ref, split, dtype=dtype, ragged=ragged)
        for N in (None, 0, 1, 4):
            for increasing in (False, True):
                with hpa.count_collectives() as stats:
                    got = hpa.vander(x, N, increasing)
                assert stats.total == 0
                assert got.split == split and got.counts == x.counts
                assert_array(got, np.vander(ref, N, increasing), rtol=1e-12)


# ---------------------------------------------------------------------------------- sequences
GEOM_CASES = [
    (1, 1000, {}),
    (-1, -1000, {"num": 7}),
    (2, 1 / 64, {"num": 9, "endpoint": False}),
    (1j, 1000j, {"num": 4}),
    (-1 + 0j, 1 + 0j, {"num": 5}),
    (3, 7, {"num": 1}),
    (3, 7, {"num": 0}),
    (1, 1000, {"num": 4, "dtype": int}),
    (1, 256, {"num": 9, "dtype": np.float32}),
    (np.float32(1), np.float32(10), {"num": 6}),
    ([1, 2, -3], [1000, 20, -30], {"num": 5}),
    ([1, 2, -3], [1000, 20, -30], {"num": 5, "axis": 1}),
    ([[1], [2]], [10, 100, 1000], {"num": 4, "axis": -1}),
]


@pytest.mark.parametrize("start,stop,kw", GEOM_CASES)
def test_geomspace(start: Any, stop: Any, kw: dict[str, Any]) -> None:
    want = np.geomspace(start, stop, **kw)
    for split in splits(want.ndim):
        with hpa.count_collectives() as stats:
            got = hpa.geomspace(start, stop, split=split, **kw)
        assert stats.total == 0
        balanced(got, split)
        assert_array(got, want, rtol=1e-6 if want.dtype == np.float32 else 1e-13, atol=1e-15)


# ---------------------------------------------------------------------------------- metadata
def test_shape_size_ndim() -> None:
    ref = data((3, 4, 2))
    for split in splits(3):
        x = make(ref, split, ragged=True)
        with hpa.count_collectives() as stats:
            assert hpa.shape(x) == np.shape(ref) == np.shape(x)
            assert hpa.ndim(x) == 3 == np.ndim(x)
            assert hpa.size(x) == 24 == np.size(x)
            assert hpa.size(x, 1) == 4 == np.size(x, 1)
            assert hpa.size(x, -1) == 2
            assert hpa.size(x, (0, 2)) == 6 == np.size(ref, (0, 2))
        assert stats.total == 0
    for value in ([[1, 2, 3]], 3.5, np.zeros((2, 0)), (1, 2)):
        assert hpa.shape(value) == np.shape(value)
        assert hpa.ndim(value) == np.ndim(value)
        assert hpa.size(value) == np.size(value)
    assert hpa.size([[1, 2, 3]], 1) == 3


@pytest.mark.parametrize("split", [None, 0])
def test_histogram_bin_edges(split: int | None) -> None:
    ref = data((13,))
    x = make(ref, split, ragged=True)
    for bins, rng in [(10, None), (3, (-1.0, 2.0)), ([-2, 0, 0.5, 3], None), (1, None)]:
        assert_array(hpa.histogram_bin_edges(x, bins, rng), np.histogram_bin_edges(ref, bins, rng))
    ints = np.array([3, 1, 4, 1, 5], dtype=np.int8)
    assert_array(hpa.histogram_bin_edges(make(ints, split), 4), np.histogram_bin_edges(ints, 4))
    assert_array(
        hpa.histogram_bin_edges(x, 4, weights=np.ones(13)),
        np.histogram_bin_edges(ref, 4, weights=np.ones(13)),
    )
    assert_array(
        hpa.histogram_bin_edges(make(np.zeros(0), split), 3), np.histogram_bin_edges([], 3)
    )


# ---------------------------------------------------------------------------------- errors
def test_errors() -> None:
    x = make(data((3, 4)), 0)
    raised_everywhere(ValueError, lambda: hpa.tril_indices_from(make(data((2, 2, 2)), 0)))
    raised_everywhere(ValueError, lambda: hpa.triu_indices_from(make(data((4,)), 0)))
    raised_everywhere(ValueError, lambda: hpa.diag_indices_from(x))
    raised_everywhere(ValueError, lambda: hpa.diag_indices_from(make(data((4,)), 0)))
    raised_everywhere(ValueError, lambda: hpa.indices((2, -1)))
    raised_everywhere(TypeError, lambda: hpa.indices(3))
    raised_everywhere(ValueError, lambda: hpa.ix_([[1, 2]]))
    raised_everywhere(ValueError, lambda: hpa.ix_(make(data((2, 2), hpa.int64), 0)))
    raised_everywhere(ValueError, lambda: hpa.fill_diagonal(make(data((4,)), 0), 1))
    raised_everywhere(ValueError, lambda: hpa.fill_diagonal(make(data((2, 2, 3)), 1), 1))
    raised_everywhere(
        OverflowError, lambda: hpa.fill_diagonal(make(data((3, 3), hpa.int8), 0), 300)
    )
    raised_everywhere(TypeError, lambda: hpa.fill_diagonal(np.zeros((2, 2)), 1))
    raised_everywhere(ValueError, lambda: hpa.vander(x))
    raised_everywhere(ValueError, lambda: hpa.vander(3))
    raised_everywhere(ValueError, lambda: hpa.vander([1, 2], -1))
    raised_everywhere(ValueError, lambda: hpa.geomspace(0, 5))
    raised_everywhere(ValueError, lambda: hpa.geomspace(1, [5, 0]))
    raised_everywhere(ValueError, lambda: hpa.geomspace(1, 5, -1))
    raised_everywhere(TypeError, lambda: hpa.geomspace(1, 5, 2.0))
    raised_everywhere(hpa.AxisError, lambda: hpa.geomspace(1, 5, 3, axis=1))
    raised_everywhere(hpa.AxisError, lambda: hpa.size(x, 2))
    raised_everywhere(ValueError, lambda: hpa.size(x, (0, 0)))
    raised_everywhere(ValueError, lambda: hpa.histogram_bin_edges(x, 3, weights=[1, 2]))
    raised_everywhere(NotImplementedError, lambda: hpa.histogram_bin_edges(x, "auto"))
    raised_everywhere(ValueError, lambda: hpa.histogram_bin_edges(x, 0))
