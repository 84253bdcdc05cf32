"""hpa.preprocessing.MaxAbsScaler against sklearn.preprocessing.MaxAbsScaler on the data sets
scikit-learn ships and on data with NaN (ignored by fit, kept by transform), zero, tiny and
all-NaN features: every layout of X (replicated, split along the rows balanced and ragged
with an empty block, split along the features), float32 and float64, fit, partial_fit over
batches of different layouts, transform, inverse_transform, communication, and errors raised
on every rank.

Every rank builds the same data and makes the same calls; every check gathers.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.base
from helpers import DATA_LAYOUTS, layout_id, make, raised_everywhere, sklearn_data
from sklearn import preprocessing as skp

import hpa
from hpa.algorithms.base import NotFittedError
from hpa.preprocessing import MaxAbsScaler

LAYOUTS = [pytest.param(layout, id=layout_id(layout)) for layout in DATA_LAYOUTS]
DATA = sklearn_data()
pytestmark = pytest.mark.filterwarnings("ignore:All-NaN:RuntimeWarning")


def with_gaps(n: int = 23, seed: int = 0) -> np.ndarray:
    """Signed data with NaN here and there, an all-NaN, a zero and a tiny feature."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, 6)) * np.array([1.0, 50.0, 1e-3, 1.0, 1.0, 1.0])
    X[rng.random((n, 6)) < 0.2] = np.nan
    X[:, 3] = np.nan
    X[:, 4] = 0.0
    X[:, 5] = 1e-20 * rng.standard_normal(n)
    return X


def assert_matches(got: MaxAbsScaler, want: skp.MaxAbsScaler, rtol: float) -> None:
    assert got.n_samples_seen_ == want.n_samples_seen_
    assert got.n_features_in_ == want.n_features_in_
    for name in ("max_abs_", "scale_"):
        value = getattr(got, name)
        assert value.split is None
        np.testing.assert_allclose(value.numpy(), getattr(want, name), rtol=rtol, equal_nan=True)


def assert_rows_like(out: hpa.Array, X: hpa.Array) -> None:
    if X.split is None:
        assert out.split is None
    else:
        assert out.split == 0
        if X.split == 0:
            assert out.counts == X.counts


@pytest.mark.parametrize(
    "dtype,rtol", [(np.float64, 1e-15), (np.float32, 1e-6)], ids=["f64", "f32"]
)
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("name", ["gaps", "iris", "wine", "diabetes"])
def test_against_scikit_learn(
    name: str, layout: tuple[int | None, bool], dtype: type, rtol: float
) -> None:
    X = (with_gaps() if name == "gaps" else DATA[name]).astype(dtype)
    x = make(X, layout[0], ragged=layout[1])
    got = MaxAbsScaler().fit(x)
    want = skp.MaxAbsScaler().fit(X)
    assert_matches(got, want, rtol)
    assert got.max_abs_.dtype == x.dtype
    out = got.transform(x)
    assert out.dtype == x.dtype
    assert_rows_like(out, x)
    np.testing.assert_allclose(out.numpy(), want.transform(X), rtol=rtol, equal_nan=True)
    back = got.inverse_transform(out)
    np.testing.assert_allclose(back.numpy(), want.inverse_transform(want.transform(X)),
                               rtol=rtol, equal_nan=True)  # fmt: skip
    np.testing.assert_allclose(
        MaxAbsScaler().fit_transform(x).numpy(), want.transform(X), rtol=rtol, equal_nan=True
    )


def test_partial_fit_over_batches_of_different_layouts() -> None:
    X = with_gaps(40, seed=1)
    X[:10, 0] = np.nan  # the first batch has an all-NaN feature: it stays NaN, as in sklearn
    got, want = MaxAbsScaler(), skp.MaxAbsScaler()
    for (lo, hi), (split, ragged) in zip([(0, 10), (10, 13), (13, 40)], DATA_LAYOUTS[1:]):
        got.partial_fit(make(X[lo:hi], split, ragged=ragged))
        want.partial_fit(X[lo:hi])
        assert_matches(got, want, 1e-15)
    np.testing.assert_allclose(got.transform(make(X, 0)).numpy(), want.transform(X), equal_nan=True)
    refit = got.fit(make(X[13:], 0))
    assert refit is got and got.n_samples_seen_ == 27


def test_integers_and_fewer_rows_than_processes() -> None:
    X = np.array([[1, -4, 0], [3, 2, 0]])
    got = MaxAbsScaler().fit(make(X, 0))
    want = skp.MaxAbsScaler().fit(X)
    assert got.scale_.dtype == hpa.float64
    assert_matches(got, want, 1e-15)
    np.testing.assert_allclose(got.transform(make(X, 0)).numpy(), want.transform(X))


def test_fit_is_one_reduction() -> None:
    x = make(DATA["iris"], 0)
    with hpa.count_collectives() as stats:
        MaxAbsScaler().fit(x)
    assert stats.total == 1, stats
    scaler = MaxAbsScaler().fit(x)
    with hpa.count_collectives() as stats:
        scaler.transform(x)
    assert stats.total == 1, stats


def test_parameters_and_clone() -> None:
    scaler = MaxAbsScaler(copy=False)
    assert scaler.get_params() == {"copy": False}
    assert sklearn.base.clone(scaler).get_params() == {"copy": False}
    assert repr(scaler) == "MaxAbsScaler(copy=False)"


def test_errors_are_raised_everywhere() -> None:
    x = make(DATA["iris"], 0)
    fitted = MaxAbsScaler().fit(x)
    infinite = DATA["iris"].copy()
    infinite[7, 2] = -np.inf
    cases = [
        (ValueError, lambda: MaxAbsScaler().fit(make(infinite, 0))),
        (ValueError, lambda: fitted.transform(make(infinite, 0))),
        (ValueError, lambda: fitted.inverse_transform(make(infinite, 0))),
        (ValueError, lambda: MaxAbsScaler().fit(make(np.ones(5), 0))),
        (ValueError, lambda: MaxAbsScaler().fit(make(np.ones((0, 3)), 0))),
        (ValueError, lambda: MaxAbsScaler(copy="yes").fit(x)),
        (NotFittedError, lambda: MaxAbsScaler().transform(x)),
        (ValueError, lambda: fitted.transform(make(np.ones((3, 2)), 0))),
        (ValueError, lambda: MaxAbsScaler().fit(x).partial_fit(make(np.ones((3, 2)), 0))),
    ]
    for exc, call in cases:
        raised_everywhere(exc, call)
