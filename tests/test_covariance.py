"""cov and corrcoef against NumPy: every split of every input, balanced and ragged blocks,
fewer observations than processes, dtypes, ``y``, ``rowvar``, ``ddof``/``bias``, weights,
collective counts and errors raised on every rank.

Every rank runs the same calls in the same order and every check compares gathered data.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere, tolerance

import hpa

SHAPES = [(3, 7), (4, 2), (1, 5), (2, 1), (6,), (3, 0)]


def layouts(ndim: int) -> list[tuple[int | None, bool]]:
    return [(None, False)] + [(s, r) for s in range(ndim) for r in (False, True)]


def reference(fn, *args, **kwargs) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.asarray(fn(*args, **kwargs))


def compute(fn, *args, **kwargs) -> hpa.Array:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return fn(*args, **kwargs)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("rowvar", [True, False])
@pytest.mark.parametrize("name", ["cov", "corrcoef"])
def test_every_layout(shape: tuple[int, ...], rowvar: bool, name: str) -> None:
    a = data(shape, seed=1)
    want = reference(getattr(np, name), a, rowvar=rowvar)
    for split, ragged in layouts(len(shape)):
        got = compute(getattr(hpa, name), make(a, split, ragged=ragged), rowvar=rowvar)
        assert_array(got, want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64, hpa.int64, hpa.complex128])
@pytest.mark.parametrize("name", ["cov", "corrcoef"])
def test_dtypes(dtype: hpa.DType, name: str) -> None:
    a = data((4, 9), dtype, seed=2)
    want = reference(getattr(np, name), a)
    for split, ragged in layouts(2):
        got = getattr(hpa, name)(make(a, split, ragged=ragged))
        assert_array(got, want, **tolerance(dtype))


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.complex64])
def test_dtype_argument(dtype: hpa.DType) -> None:
    a = data((3, 8), seed=3)
    for split in (None, 0, 1):
        got = hpa.cov(make(a, split), dtype=dtype)
        assert_array(got, np.cov(a, dtype=dtype.numpy), **tolerance(dtype))


@pytest.mark.parametrize("name", ["cov", "corrcoef"])
@pytest.mark.parametrize("rowvar", [True, False])
def test_with_y(name: str, rowvar: bool) -> None:
    a, b = data((3, 7), seed=4), data((2, 7), seed=5)
    if not rowvar:
        a, b = a.T.copy(), b.T.copy()
    want = reference(getattr(np, name), a, b, rowvar=rowvar)
    for (sa, ra), (sb, rb) in itertools.product(layouts(2), repeat=2):
        got = getattr(hpa, name)(make(a, sa, ragged=ra), make(b, sb, ragged=rb), rowvar=rowvar)
        assert_array(got, want, rtol=1e-10, atol=1e-12)


def test_with_1d_y() -> None:
    a, b = data((7,), seed=6), data((7,), hpa.int64, seed=7)
    want = np.cov(a, b)
    for sa, sb in itertools.product((None, 0), repeat=2):
        assert_array(hpa.cov(make(a, sa), make(b, sb, ragged=True)), want)


@pytest.mark.parametrize(
    "kwargs", [{"bias": True}, {"ddof": 0}, {"ddof": 3}, {"bias": True, "ddof": 2}, {"ddof": 9}]
)
def test_ddof_and_bias(kwargs: dict) -> None:
    a = data((3, 8), seed=8)
    want = reference(np.cov, a, **kwargs)
    for split, ragged in layouts(2):
        assert_array(compute(hpa.cov, make(a, split, ragged=ragged), **kwargs), want)


@pytest.mark.parametrize("ddof", [None, 0, 2])
@pytest.mark.parametrize("which", ["f", "a", "fa"])
def test_weights(ddof: int | None, which: str) -> None:
    a = data((3, 8), hpa.complex128, seed=9)
    f = np.array([1, 2, 0, 3, 1, 1, 2, 4])
    aw = np.linspace(0.1, 2, 8)
    kw = {"fweights": f if "f" in which else None, "aweights": aw if "a" in which else None}
    want = np.cov(a, ddof=ddof, **kw)
    for (split, ragged), ws in itertools.product(layouts(2), (None, 0)):
        wk = {k: None if v is None else make(v, ws, ragged=True) for k, v in kw.items()}
        assert_array(hpa.cov(make(a, split, ragged=ragged), ddof=ddof, **wk), want)


def test_degrees_of_freedom_warning() -> None:
    a = data((2, 3), seed=10)
    for split in (None, 0, 1):
        with pytest.warns(RuntimeWarning, match="Degrees of freedom"):
            got = hpa.cov(make(a, split), ddof=3)
        assert_array(got, reference(np.cov, a, ddof=3))


def test_no_variables() -> None:
    for split in (None, 0, 1):
        assert_array(hpa.cov(make(np.zeros((0, 4)), split)), np.cov(np.zeros((0, 4))))


def test_corrcoef_clipped() -> None:
    a = np.array([[1.0, 2.0, 3.0, 4.0], [2.0, 4.0, 6.0, 8.0], [0.1, 0.3, 0.2, 0.7]])
    for split in (None, 0, 1):
        got = hpa.corrcoef(make(a, split)).numpy()
        assert np.all(np.abs(got) <= 1.0)
        np.testing.assert_allclose(got, np.corrcoef(a), rtol=1e-12)


def test_collective_counts() -> None:
    a, b = data((3, 3 * P + 1), seed=11), data((2, 3 * P + 1), seed=12)
    expected = [
        ((make(a, 1, ragged=True),), {"allreduce": 2}),
        ((make(a, 0, ragged=True),), {"allgatherv": 1}),
        ((make(a, 0), make(b, 0)), {"allgatherv": 2}),
        ((make(a, 1), make(b, None)), {"allreduce": 2}),
        ((make(a, 1), make(b, 0)), {"allreduce": 2, "alltoallv": 1}),
    ]
    for name in ("cov", "corrcoef"):
        for args, counts in expected:
            with hpa.count_collectives() as stats:
                getattr(hpa, name)(*args)
            assert dict(stats.counts) == ({} if P == 1 else counts), f"{name}: {stats}"
    with hpa.count_collectives() as stats:
        hpa.cov(make(a, None), make(b, None))
    assert stats.total == 0


def test_errors_everywhere() -> None:
    a = make(data((3, 7)), 1)
    raised_everywhere(ValueError, lambda: hpa.cov(a, make(data((2, 6)), 1)))
    raised_everywhere(ValueError, lambda: hpa.cov(make(data((2, 3, 4)), 0)))
    raised_everywhere(ValueError, lambda: hpa.cov(a, ddof=1.5))
    raised_everywhere(RuntimeError, lambda: hpa.cov(a, fweights=np.ones(6, int)))
    raised_everywhere(RuntimeError, lambda: hpa.cov(a, aweights=np.ones((7, 1))))
    bad_f = np.array([1, 1, 1, 1, 1, 1, -1])
    raised_everywhere(ValueError, lambda: hpa.cov(a, fweights=make(bad_f, 0, ragged=True)))
    raised_everywhere(TypeError, lambda: hpa.cov(a, fweights=make(np.full(7, 1.5), 0)))
    bad_a = np.array([1.0, 1, 1, 1, 1, 1, -1])
    raised_everywhere(ValueError, lambda: hpa.cov(make(data((3, 7)), 0), aweights=bad_a))
