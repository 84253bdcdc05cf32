"""histogram2d (and histogramdd) against NumPy: every split of x, y and weights, balanced and
ragged blocks, fewer points than processes, dtypes, bins and ranges, density, collective counts
and errors raised on every rank. Every check compares gathered data on every rank.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere

import hpa

LAYOUTS = [(None, False), (0, False), (0, True)]


def check(got: tuple, want: tuple) -> None:
    assert_array(got[0], want[0], rtol=1e-12)
    for g, w in zip(got[1:], want[1:]):
        assert_array(g, w, rtol=0, check_dtype=False)


@pytest.mark.parametrize("n", [0, 1, 2, 13])
@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64, hpa.int64])
def test_every_layout(n: int, dtype: hpa.DType) -> None:
    x, y = data((n,), dtype, seed=1), data((n,), hpa.float64, seed=2)
    want = np.histogram2d(x, y, bins=(4, 3))
    for (sx, rx), (sy, ry) in itertools.product(LAYOUTS, repeat=2):
        got = hpa.histogram2d(make(x, sx, ragged=rx), make(y, sy, ragged=ry), bins=(4, 3))
        check(got, want)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"bins": 5},
        {"bins": [np.array([-3.0, -1, 0, 0.5, 4]), 2]},
        {"bins": np.array([-2.0, 0, 1, 2])},
        {"bins": 3, "range": [[-1, 1], [0, 2]]},
        {"bins": (2, 6), "density": True},
        {"bins": 4, "weights": True},
        {"bins": 4, "weights": True, "density": True},
    ],
    ids=str,
)
def test_options(kwargs: dict) -> None:
    x, y = data((17,), seed=3), data((17,), hpa.int64, seed=4)
    w = np.linspace(0.5, 2.0, 17)
    kw = dict(kwargs)
    use_w = kw.pop("weights", False)
    want = np.histogram2d(x, y, weights=w if use_w else None, **kw)
    for (sx, rx), (sy, ry) in itertools.product(LAYOUTS, repeat=2):
        wk = make(w, sy, ragged=not ry) if use_w else None
        got = hpa.histogram2d(make(x, sx, ragged=rx), make(y, sy, ragged=ry), weights=wk, **kw)
        check(got, want)


def test_constant_and_edge_values() -> None:
    x = np.array([1.0, 1.0, 1.0, 1.0])
    y = np.array([0.0, 1.0, 2.0, 2.0])
    for sx, sy in itertools.product((None, 0), repeat=2):
        check(hpa.histogram2d(make(x, sx), make(y, sy, ragged=True), bins=2),
              np.histogram2d(x, y, bins=2))  # fmt: skip


def test_histogramdd() -> None:
    s = data((11, 3), seed=5)
    want = np.histogramdd(s, bins=(2, 3, 4))
    for split, ragged in [(None, False), (0, False), (0, True), (1, False)]:
        hist, edges = hpa.histogramdd(make(s, split, ragged=ragged), bins=(2, 3, 4))
        assert_array(hist, want[0])
        for g, w in zip(edges, want[1]):
            assert_array(g, w, rtol=0)


def test_collective_counts() -> None:
    x, y = data((3 * P + 2,), seed=6), data((3 * P + 2,), seed=7)
    expected = [
        ((make(x, 0), make(y, 0)), {}, {"allreduce": 2}),
        ((make(x, 0), make(y, 0)), {"range": [[0, 1], [0, 1]]}, {"allreduce": 1}),
        ((make(x, 0), make(y, 0, ragged=True)), {}, {"allreduce": 2, "alltoallv": 1}),
        ((make(x, 0), make(y, None)), {}, {"allreduce": 2}),
        ((make(x, None), make(y, None)), {}, {}),
    ]
    for args, kwargs, counts in expected:
        with hpa.count_collectives() as stats:
            hpa.histogram2d(*args, **kwargs)
        assert dict(stats.counts) == ({} if P == 1 else counts), f"{kwargs}: {stats}"


def test_errors_everywhere() -> None:
    x = make(data((7,)), 0)
    raised_everywhere(ValueError, lambda: hpa.histogram2d(x, make(data((6,)), 0)))
    raised_everywhere(ValueError, lambda: hpa.histogram2d(x, x, weights=np.ones(5)))
    raised_everywhere(ValueError, lambda: hpa.histogram2d(x, x, bins=0))
    raised_everywhere(ValueError, lambda: hpa.histogram2d(x, x, range=[[1, 0], [0, 1]]))
    raised_everywhere(ValueError, lambda: hpa.histogram2d(x, x, bins=[[2.0, 1.0], 3]))
    nan = data((7,))
    nan[5] = np.nan
    raised_everywhere(ValueError, lambda: hpa.histogram2d(make(nan, 0, ragged=True), x))
    raised_everywhere(TypeError, lambda: hpa.histogram2d(make(data((7,), hpa.complex128), 0), x))
