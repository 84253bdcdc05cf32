"""unravel_index and ravel_multi_index against NumPy: every split of the indices, ragged and
empty blocks, C and Fortran order, the clip modes, broadcasting, scalars, and the errors that
one rank's data decide (raised on every rank).

Every rank runs the same calls in the same order, and every check compares gathered data, so
all ranks reach the same verdict.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import P, assert_array, case_id, cases, make, raised_everywhere

import hpa

SHAPES = [(0,), (1,), (2,), (7,), (3, 5), (5, 1), (2, 3, 4), (0, 3)]
DIMS = (3, 4, 5)


def indices(shape: tuple[int, ...], size: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, size, shape)


@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_unravel_and_ravel_match_numpy(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    flat = indices(shape, int(np.prod(DIMS)))
    for ragged in (False, True) if split is not None else (False,):
        x = make(flat, split, ragged=ragged)
        for order in ("C", "F"):
            got = hpa.unravel_index(x, DIMS, order=order)
            want = np.unravel_index(flat, DIMS, order=order)
            assert len(got) == len(want)
            for g, w in zip(got, want):
                assert_array(g, w)
                assert g.layout == x.layout  # laid out like the indices
            coords = tuple(make(w, split, ragged=ragged) for w in want)
            back = hpa.ravel_multi_index(coords, DIMS, order=order)
            assert_array(back, flat.astype(np.int64))
            assert back.layout == x.layout


@pytest.mark.parametrize("dtype", [hpa.int8, hpa.uint8, hpa.int32, hpa.int64, hpa.bool_], ids=str)
def test_index_dtypes(dtype: hpa.DType) -> None:
    flat = indices((9,), 2).astype(dtype.numpy)
    for split in (None, 0):
        for g, w in zip(hpa.unravel_index(make(flat, split), (2, 1)), np.unravel_index(flat, (2, 1))):
            assert_array(g, w)
        a, b = make(flat, split), make(flat[::-1].copy(), split)
        assert_array(hpa.ravel_multi_index((a, b), (2, 2)), np.ravel_multi_index((flat, flat[::-1]), (2, 2)))


def test_scalars_broadcasting_and_modes() -> None:
    got = hpa.unravel_index(17, (3, 4, 5))
    for g, w in zip(got, np.unravel_index(17, (3, 4, 5))):
        assert_array(g, np.asarray(w))
    assert hpa.unravel_index(0, ()) == ()
    assert_array(hpa.unravel_index(make(np.arange(4), 0), 4)[0], np.arange(4))
    assert_array(hpa.ravel_multi_index((1, 2), (3, 4)), np.asarray(np.ravel_multi_index((1, 2), (3, 4))))
    rows, cols = np.array([0, 2, 1]), np.array([[1], [3]])
    for split in (None, 0):
        want = np.ravel_multi_index((rows, cols), (3, 4))
        assert_array(hpa.ravel_multi_index((make(rows, split), make(cols, split)), (3, 4)), want)
    wild = (np.array([-4, 5, 1, 7]), np.array([9, -1, 2, 3]))
    for mode in ("wrap", "clip", ("clip", "wrap"), ("wrap", "clip")):
        for split in (None, 0):
            got = hpa.ravel_multi_index(tuple(make(w, split, ragged=True) for w in wild), (3, 4), mode=mode)
            assert_array(got, np.ravel_multi_index(wild, (3, 4), mode=mode))


def test_errors_on_every_rank() -> None:
    n = 2 * P + 1
    bad = np.arange(n)
    bad[-1] = 99  # on the last rank only
    raised_everywhere(ValueError, lambda: hpa.unravel_index(make(bad, 0), (n,)))
    bad[-1], bad[0] = 0, -1  # on the first rank only
    raised_everywhere(ValueError, lambda: hpa.unravel_index(make(bad, 0), (n,)))
    raised_everywhere(TypeError, lambda: hpa.unravel_index(make(np.ones(3), 0), (4,)))
    raised_everywhere(ValueError, lambda: hpa.unravel_index(1, (3,), order="X"))
    good = make(np.arange(n) % 3, 0)
    coords = np.arange(n) % 3
    coords[-1] = 3
    raised_everywhere(ValueError, lambda: hpa.ravel_multi_index((good, make(coords, 0)), (3, 3)))
    raised_everywhere(ValueError, lambda: hpa.ravel_multi_index((good,), (3, 3)))
    raised_everywhere(ValueError, lambda: hpa.ravel_multi_index((good, good), (3, 3), mode="bad"))
    raised_everywhere(TypeError, lambda: hpa.ravel_multi_index((good, make(np.ones(n), 0)), (3, 3)))


def test_communication() -> None:
    x = make(np.arange(3 * P) % 6, 0)
    with hpa.count_collectives() as stats:
        hpa.unravel_index(x, (2, 3))
    assert dict(stats.counts) == ({} if P == 1 else {"allreduce": 1})
    with hpa.count_collectives() as stats:
        hpa.ravel_multi_index((x % 2, x % 3), (2, 3))
    assert dict(stats.counts) == ({} if P == 1 else {"allreduce": 1})
    with hpa.count_collectives() as stats:
        hpa.unravel_index(np.arange(6), (2, 3))
        hpa.ravel_multi_index((x % 2, x % 3), (2, 3), mode="clip")
    assert stats.total == 0
