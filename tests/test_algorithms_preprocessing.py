"""hpa.algorithms.preprocessing (StandardScaler, MinMaxScaler, RobustScaler, Normalizer) and
hpa.algorithms.model_selection.train_test_split against scikit-learn: its shipped data sets and
generated data, every data layout (replicated, split along the rows balanced and ragged, split
along the features), float32 and float64, fewer samples than processes, partial_fit, constant
features, communication counts, clone/get_params and errors raised on every rank.

Every rank runs the same calls in the same order and every check compares gathered data.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.base
from helpers import DATA_LAYOUTS, P, layout_id, make, raised_everywhere, sklearn_data
from sklearn import datasets
from sklearn import preprocessing as skp

import hpa
from hpa.algorithms.base import NotFittedError
from hpa.algorithms.model_selection import train_test_split
from hpa.algorithms.preprocessing import MinMaxScaler, Normalizer, RobustScaler, StandardScaler

DATA = sklearn_data()
DATA["regression"] = datasets.make_regression(70, 5, random_state=0)[0] * 10 + 3
DATA["constant"] = np.column_stack([np.full(9, 2.5), np.arange(9.0), np.zeros(9)])
DATA["tiny"] = np.array([[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]])  # fewer rows than processes
LAYOUTS = [pytest.param(layout, id=layout_id(layout)) for layout in DATA_LAYOUTS]
DTYPES = [hpa.float32, hpa.float64]


def tol(dtype: hpa.DType, scale: float = 1.0) -> dict[str, float]:
    """float32: a few units in the last place of values of magnitude ``scale`` (a centred
    feature keeps the absolute rounding error of its raw values)."""
    if dtype == hpa.float32:
        return {"rtol": 2e-5, "atol": 1e-6 * max(20.0, scale)}
    return {"rtol": 1e-10, "atol": 1e-10 * max(1.0, scale)}


def check_rows(out: hpa.Array, x: hpa.Array) -> None:
    """A data-long output keeps the row layout the estimator saw (split 1 becomes split 0)."""
    if x.split is None:
        assert out.split is None
    else:
        assert out.split == 0
        if x.split == 0:
            assert out.counts == x.counts


def check_attributes(h: object, sk: object, names: list[str], **tolerance: float) -> None:
    for name in names:
        got, want = getattr(h, name), getattr(sk, name)
        if want is None:
            assert got is None, name
            continue
        assert got.split is None, name
        np.testing.assert_allclose(got.numpy(), want, err_msg=name, **tolerance)


def roundtrip(h: object, sk: object, X: np.ndarray, x: hpa.Array, dtype: hpa.DType) -> None:
    out = h.fit_transform(x)
    check_rows(out, x)
    assert out.dtype == dtype
    want = sk.fit_transform(X)
    np.testing.assert_allclose(out.numpy(), want, **tol(dtype, float(np.abs(X).max())))
    if hasattr(sk, "inverse_transform"):
        back = h.inverse_transform(out)
        check_rows(back, out)
        np.testing.assert_allclose(
            back.numpy(), sk.inverse_transform(want), **tol(dtype, float(np.abs(X).max()))
        )


# ---------------------------------------------------------------------- StandardScaler
@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_standard_scaler(name: str, dtype: hpa.DType) -> None:
    X = DATA[name].astype(dtype.numpy)
    for with_mean, with_std in [(True, True), (False, True), (True, False), (False, False)]:
        sk = skp.StandardScaler(with_mean=with_mean, with_std=with_std)
        for split, ragged in DATA_LAYOUTS:
            h = StandardScaler(with_mean=with_mean, with_std=with_std)
            roundtrip(h, sk, X, make(X, split, ragged=ragged), dtype)
            check_attributes(h, sk, ["mean_", "var_", "scale_"], **tol(dtype))
            assert h.n_samples_seen_ == sk.n_samples_seen_ and h.n_features_in_ == X.shape[1]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_standard_scaler_partial_fit(layout: tuple[int | None, bool]) -> None:
    X = DATA["wine"]
    sk, h = skp.StandardScaler(), StandardScaler()
    for part in (X[:1], X[1:50], X[50:]):
        sk.partial_fit(part)
        h.partial_fit(make(part, layout[0], ragged=layout[1]))
    check_attributes(h, sk, ["mean_", "var_", "scale_"], rtol=1e-10)
    assert h.n_samples_seen_ == sk.n_samples_seen_
    # fit forgets earlier batches
    h.fit(make(X[:20], layout[0]))
    np.testing.assert_allclose(h.mean_.numpy(), X[:20].mean(axis=0), rtol=1e-12)


def test_standard_scaler_collectives() -> None:
    """A fit costs two collectives (mean; merged moments, none at one process); the
    finiteness check is free."""
    x = make(DATA["digits"], 0, ragged=True)
    with hpa.count_collectives() as stats:
        h = StandardScaler().fit(x)
    assert stats.total == (2 if P > 1 else 1) and stats["allreduce"] == 1, stats
    with hpa.count_collectives() as stats:
        h.transform(x)
    assert stats.total <= 1, stats  # as_data's finiteness check only


# ---------------------------------------------------------------------- MinMaxScaler
@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_min_max_scaler(name: str, dtype: hpa.DType) -> None:
    X = DATA[name].astype(dtype.numpy)
    for feature_range, clip in [((0, 1), False), ((-2.0, 3.5), True)]:
        sk = skp.MinMaxScaler(feature_range=feature_range, clip=clip)
        for split, ragged in DATA_LAYOUTS:
            h = MinMaxScaler(feature_range=feature_range, clip=clip)
            roundtrip(h, sk, X, make(X, split, ragged=ragged), dtype)
            names = ["data_min_", "data_max_", "data_range_", "scale_", "min_"]
            check_attributes(h, sk, names, **tol(dtype))
            assert h.n_samples_seen_ == sk.n_samples_seen_


def test_min_max_scaler_partial_fit_and_clip() -> None:
    X = DATA["iris"]
    sk, h = skp.MinMaxScaler(clip=True), MinMaxScaler(clip=True)
    for part in (X[:2], X[2:100], X[100:]):
        sk.partial_fit(part)
        h.partial_fit(make(part, 0, ragged=True))
    check_attributes(h, sk, ["data_min_", "data_max_", "scale_", "min_"], rtol=1e-12)
    outside = X * 1.5 - 1
    np.testing.assert_allclose(h.transform(make(outside, 0)).numpy(), sk.transform(outside))


# ---------------------------------------------------------------------- RobustScaler
@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_robust_scaler(name: str, dtype: hpa.DType) -> None:
    X = DATA[name].astype(dtype.numpy)
    settings = [
        {},
        {"quantile_range": (10.0, 95.0), "unit_variance": True},
        {"with_centering": False},
        {"with_scaling": False},
    ]
    for kw in settings:
        sk = skp.RobustScaler(**kw)
        for split, ragged in DATA_LAYOUTS:
            h = RobustScaler(**kw)
            roundtrip(h, sk, X, make(X, split, ragged=ragged), dtype)
            check_attributes(h, sk, ["center_", "scale_"], **tol(dtype))


# ---------------------------------------------------------------------- Normalizer
@pytest.mark.parametrize("name", ["iris", "diabetes", "constant", "tiny"])
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_normalizer(name: str, dtype: hpa.DType) -> None:
    X = DATA[name].astype(dtype.numpy)
    X[1] = 0  # a row of norm zero is left unchanged
    for norm in ["l2", "l1", "max"]:
        for split, ragged in DATA_LAYOUTS:
            x = make(X, split, ragged=ragged)
            h = Normalizer(norm)
            roundtrip(h, skp.Normalizer(norm), X, x, dtype)
            assert h.n_features_in_ == X.shape[1]


# ---------------------------------------------------------------------- common to the scalers
ESTIMATORS = [StandardScaler, MinMaxScaler, RobustScaler, Normalizer]


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_scaler_errors_and_clone(cls: type) -> None:
    X = DATA["iris"]
    x = make(X, 0)
    bad = X.copy()
    bad[(7 * P) % len(X), 1] = np.nan
    raised_everywhere(ValueError, lambda: cls().fit(make(bad, 0, ragged=True)))
    bad[(7 * P) % len(X), 1] = np.inf
    raised_everywhere(ValueError, lambda: cls().fit(make(bad, 0)))
    raised_everywhere(NotFittedError, lambda: cls().transform(x))
    fitted = cls().fit(x)
    raised_everywhere(ValueError, lambda: fitted.transform(make(X[:, :3], 0)))
    raised_everywhere(ValueError, lambda: fitted.transform(make(bad, 0)))
    raised_everywhere(ValueError, lambda: cls().fit(make(X[0], 0)))
    twin = sklearn.base.clone(fitted)
    assert twin.get_params() == fitted.get_params() and not hasattr(twin, "n_features_in_")


def test_scaler_parameter_errors() -> None:
    x = make(DATA["iris"], 0)
    raised_everywhere(ValueError, lambda: MinMaxScaler(feature_range=(1, 0)).fit(x))
    raised_everywhere(ValueError, lambda: MinMaxScaler(feature_range=(1, 1)).fit(x))
    raised_everywhere(ValueError, lambda: MinMaxScaler(feature_range=(0, 1, 2)).fit(x))
    raised_everywhere(ValueError, lambda: RobustScaler(quantile_range=(80.0, 20.0)).fit(x))
    raised_everywhere(ValueError, lambda: RobustScaler(quantile_range=(-1.0, 20.0)).fit(x))
    raised_everywhere(ValueError, lambda: RobustScaler(with_centering="yes").fit(x))
    raised_everywhere(ValueError, lambda: StandardScaler(with_std=None).fit(x))
    raised_everywhere(ValueError, lambda: Normalizer("l3").fit(x))
    raised_everywhere(NotImplementedError, lambda: StandardScaler().fit(x, sample_weight=[1] * 150))
    fitted = StandardScaler().fit(x)
    raised_everywhere(ValueError, lambda: fitted.partial_fit(make(DATA["wine"], 0)))
    assert "feature_range=(-1, 1)" in repr(MinMaxScaler(feature_range=(-1, 1)))


# ---------------------------------------------------------------------- train_test_split
@pytest.mark.parametrize("layout", LAYOUTS)
def test_train_test_split_pairs_rows(layout: tuple[int | None, bool]) -> None:
    n = 41
    X = np.arange(n * 3, dtype=np.float64).reshape(n, 3)
    y = np.arange(n) * 10
    x = make(X, layout[0], ragged=layout[1])
    parts = train_test_split(x, y, make(y, 0), random_state=3)
    X_train, X_test, y_train, y_test, z_train, z_test = (p.numpy() for p in parts)
    assert len(X_test) == 11 and len(X_train) == 30  # ceil(0.25 * 41), the rest
    np.testing.assert_array_equal(X_train[:, 0] / 3 * 10, y_train)
    np.testing.assert_array_equal(X_test[:, 0] / 3 * 10, y_test)
    np.testing.assert_array_equal(y_train, z_train)
    np.testing.assert_array_equal(y_test, z_test)
    assert sorted(np.concatenate([y_train, y_test])) == list(y)
    for p, a in zip(parts, [x, x, *[make(y, 0)] * 4], strict=True):
        assert p.split == a.split
        if p.split is not None:
            assert p.is_balanced()
    again = train_test_split(x, y, make(y, 0), random_state=3)
    for p, q in zip(parts, again, strict=True):
        np.testing.assert_array_equal(p.numpy(), q.numpy())
    other = train_test_split(x, random_state=4)
    assert not np.array_equal(other[1].numpy(), X_test)


def test_train_test_split_independent_of_process_count() -> None:
    """The permutation is hpa.random's: these values were computed at one process."""
    train, test = train_test_split(np.arange(20), random_state=0)
    assert train.numpy().tolist() == [7, 2, 15, 14, 3, 13, 16, 19, 18, 9, 17, 12, 4, 6, 10]
    assert test.numpy().tolist() == [11, 1, 0, 5, 8]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_train_test_split_no_shuffle(layout: tuple[int | None, bool]) -> None:
    X = datasets.make_classification(30, 4, random_state=0)[0]
    x = make(X, layout[0], ragged=layout[1])
    a, b = train_test_split(x, test_size=7, shuffle=False)
    np.testing.assert_array_equal(a.numpy(), X[:23])
    np.testing.assert_array_equal(b.numpy(), X[23:])
    a, b = train_test_split(x, train_size=0.5, test_size=0.2, shuffle=False)
    np.testing.assert_array_equal(a.numpy(), X[:15])
    np.testing.assert_array_equal(b.numpy(), X[15:21])


@pytest.mark.parametrize(
    "sizes", [(None, None), (0.3, None), (None, 0.3), (5, None), (None, 5), (0.2, 0.5), (3, 4)],
    ids=str,
)  # fmt: skip
def test_train_test_split_sizes_like_sklearn(sizes: tuple[object, object]) -> None:
    from sklearn.model_selection import train_test_split as sk_split

    test_size, train_size = sizes
    for n in (2, 3, 13, 50):
        X = np.arange(n)
        try:
            want = [len(p) for p in sk_split(X, test_size=test_size, train_size=train_size)]
        except ValueError:
            raised_everywhere(
                ValueError,
                lambda n=n: train_test_split(
                    make(np.arange(n), 0), test_size=test_size, train_size=train_size
                ),
            )
            continue
        got = train_test_split(make(X, 0), test_size=test_size, train_size=train_size)
        assert [p.shape[0] for p in got] == want


def test_train_test_split_errors() -> None:
    X = make(np.arange(10.0), 0)
    raised_everywhere(ValueError, lambda: train_test_split())
    raised_everywhere(ValueError, lambda: train_test_split(X, np.arange(9)))
    raised_everywhere(ValueError, lambda: train_test_split(X, test_size=0))
    raised_everywhere(ValueError, lambda: train_test_split(X, test_size=10))
    raised_everywhere(ValueError, lambda: train_test_split(X, test_size=1.0))
    raised_everywhere(ValueError, lambda: train_test_split(X, test_size="a"))
    raised_everywhere(ValueError, lambda: train_test_split(X, test_size=0.6, train_size=0.6))
    raised_everywhere(ValueError, lambda: train_test_split(X, test_size=6, train_size=6))
    raised_everywhere(NotImplementedError, lambda: train_test_split(X, stratify=X))
