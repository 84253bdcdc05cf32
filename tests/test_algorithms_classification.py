"""hpa.algorithms.classification (GaussianNB, KNeighborsClassifier) against scikit-learn on its
shipped data sets and generated data: every layout of the data, float32 and float64, fewer
samples than processes, incremental and weighted fits, collective counts, clone/get_params, and
errors raised on every rank.

Every rank runs the same calls in the same order and every check compares gathered data.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import DATA_LAYOUTS, P, layout_id, make, raised_everywhere
from sklearn import datasets, naive_bayes, neighbors
from sklearn.base import clone
from sklearn.preprocessing import StandardScaler

import hpa
from hpa.algorithms import NotFittedError
from hpa.algorithms.classification import GaussianNB, KNeighborsClassifier


def load(name: str, standardise: bool = False) -> tuple[np.ndarray, np.ndarray]:
    X, y = getattr(datasets, f"load_{name}")(return_X_y=True)
    return (StandardScaler().fit_transform(X) if standardise else X), y


def laid(values: np.ndarray, layout: tuple[int | None, bool]) -> hpa.Array:
    return make(values, layout[0], ragged=layout[1])


def check_rows(out: hpa.Array, X: hpa.Array) -> None:
    """``out`` is laid out like the rows of ``X`` (split 0 for data split along features)."""
    assert out.split == (None if X.split is None else 0)
    if X.split == 0:
        assert out.counts == X.counts


def check_replicated(model: object, names: list[str]) -> None:
    for name in names:
        assert getattr(model, name).split is None, name


# ----------------------------------------------------------------------------- GaussianNB
NB_FITTED = ["classes_", "class_count_", "class_prior_", "theta_", "var_"]


def compare_nb(ours: GaussianNB, ref: naive_bayes.GaussianNB, X: np.ndarray, q: hpa.Array) -> None:
    np.testing.assert_array_equal(ours.classes_.numpy(), ref.classes_)
    np.testing.assert_allclose(ours.class_count_.numpy(), ref.class_count_, rtol=1e-12)
    np.testing.assert_allclose(ours.class_prior_.numpy(), ref.class_prior_, rtol=1e-12)
    np.testing.assert_allclose(ours.theta_.numpy(), ref.theta_, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.var_.numpy(), ref.var_, rtol=1e-9, atol=1e-15)
    assert ours.epsilon_ == pytest.approx(ref.epsilon_, rel=1e-10)
    pred = ours.predict(q)
    check_rows(pred, q)
    np.testing.assert_array_equal(pred.numpy(), ref.predict(X))
    proba = ours.predict_proba(q)
    check_rows(proba, q)
    np.testing.assert_allclose(proba.numpy(), ref.predict_proba(X), atol=1e-6)
    np.testing.assert_allclose(
        ours.predict_joint_log_proba(q).numpy(), ref.predict_joint_log_proba(X), rtol=1e-9
    )


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
def test_gnb_datasets(name: str, layout: tuple[int | None, bool]) -> None:
    X, y = load(name)
    ref = naive_bayes.GaussianNB().fit(X, y)
    Xh = laid(X, layout)
    ours = GaussianNB().fit(Xh, y)
    check_replicated(ours, NB_FITTED)
    assert ours.n_features_in_ == X.shape[1]
    compare_nb(ours, ref, X, Xh)
    assert ours.score(Xh, y) == pytest.approx(ref.score(X, y), abs=1e-12)


def test_gnb_float32() -> None:
    X, y = load("wine")
    X32 = X.astype(np.float32)
    ref = naive_bayes.GaussianNB().fit(X32, y)
    ours = GaussianNB().fit(make(X32, 0, ragged=True), y)
    assert ours.theta_.dtype == hpa.float32 and ours.var_.dtype == hpa.float32
    np.testing.assert_allclose(ours.theta_.numpy(), ref.theta_, rtol=1e-5)
    np.testing.assert_allclose(ours.var_.numpy(), ref.var_, rtol=1e-3)
    np.testing.assert_array_equal(ours.predict(make(X32, 0)).numpy(), ref.predict(X32))


def test_gnb_large_offset_accuracy() -> None:
    """Variances from centred squares: a mean of 1e8 next to a spread of 1 loses nothing."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((200, 3)) + 1e8
    y = rng.integers(0, 3, 200)
    ref = naive_bayes.GaussianNB().fit(X, y)
    ours = GaussianNB().fit(make(X, 0, ragged=True), y)
    np.testing.assert_allclose(ours.var_.numpy(), ref.var_, rtol=1e-6)


@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
def test_gnb_sample_weight_and_priors(layout: tuple[int | None, bool]) -> None:
    X, y = load("iris")
    w = np.random.default_rng(1).uniform(0.1, 3.0, X.shape[0])
    ref = naive_bayes.GaussianNB(priors=[0.2, 0.5, 0.3]).fit(X, y, sample_weight=w)
    Xh = laid(X, layout)
    ours = GaussianNB(priors=[0.2, 0.5, 0.3]).fit(Xh, y, sample_weight=w)
    compare_nb(ours, ref, X, Xh)


@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
def test_gnb_partial_fit(layout: tuple[int | None, bool]) -> None:
    X, y = load("wine")
    order = np.random.default_rng(2).permutation(X.shape[0])
    X, y = X[order], y[order]
    w = np.random.default_rng(3).uniform(0.5, 2.0, X.shape[0])
    ref, ours = naive_bayes.GaussianNB(), GaussianNB()
    for lo, hi in [(0, 50), (50, 51), (51, 178)]:
        ref.partial_fit(X[lo:hi], y[lo:hi], classes=[0, 1, 2], sample_weight=w[lo:hi])
        ours.partial_fit(laid(X[lo:hi], layout), y[lo:hi], [0, 1, 2], w[lo:hi])
    compare_nb(ours, ref, X, laid(X, layout))


def test_gnb_fewer_samples_than_processes() -> None:
    X = np.array([[0.0, 1.0], [2.0, 0.5]])
    y = np.array([4, 7])
    ref = naive_bayes.GaussianNB().fit(X, y)
    for layout in DATA_LAYOUTS:
        ours = GaussianNB().fit(laid(X, layout), y)
        compare_nb(ours, ref, X, laid(X, layout))


def test_gnb_collectives() -> None:
    """The class statistics cost two allreduce; predict_proba only checks its input."""
    X, y = load("iris")
    Xh, yh = hpa.array(X, split=0), hpa.array(y, split=0)
    model = GaussianNB().fit(Xh, yh)
    with hpa.count_collectives() as fit_stats:
        model.fit(Xh, yh)
    with hpa.count_collectives() as proba_stats:
        model.predict_proba(Xh)
    if P > 1:
        assert fit_stats["allreduce"] <= 4, fit_stats  # statistics (2) + finite check
        assert proba_stats.total == proba_stats["allreduce"] == 1, proba_stats  # NaN check


def test_gnb_params_and_clone() -> None:
    model = GaussianNB(var_smoothing=1e-5)
    assert model.get_params() == {"priors": None, "var_smoothing": 1e-5}
    copy = clone(model)
    assert copy.get_params() == model.get_params() and not hasattr(copy, "classes_")


def test_gnb_errors() -> None:
    X, y = load("iris")
    raised_everywhere(NotFittedError, lambda: GaussianNB().predict(X))
    fitted = GaussianNB().fit(make(X, 0), y)
    raised_everywhere(ValueError, lambda: fitted.predict(X[:, :3]))
    bad = X.copy()
    bad[-1, 0] = np.nan
    raised_everywhere(ValueError, lambda: GaussianNB().fit(make(bad, 0, ragged=True), y))
    raised_everywhere(ValueError, lambda: fitted.predict(make(bad, 0)))
    raised_everywhere(ValueError, lambda: GaussianNB().fit(X, y + 0.5))  # continuous targets
    raised_everywhere(ValueError, lambda: GaussianNB().fit(X, np.where(y == 2, np.nan, y)))
    raised_everywhere(ValueError, lambda: GaussianNB().fit(X, y[:-1]))
    raised_everywhere(ValueError, lambda: GaussianNB().fit(X, np.stack([y, y], 1)))  # as sklearn
    raised_everywhere(ValueError, lambda: GaussianNB(var_smoothing=-1.0).fit(X, y))
    raised_everywhere(TypeError, lambda: GaussianNB(var_smoothing="a").fit(X, y))
    raised_everywhere(ValueError, lambda: GaussianNB(priors=[0.5, 0.5]).fit(X, y))
    raised_everywhere(ValueError, lambda: GaussianNB(priors=[0.5, 0.4, 0.4]).fit(X, y))
    raised_everywhere(ValueError, lambda: GaussianNB(priors=[1.5, -0.4, -0.1]).fit(X, y))
    raised_everywhere(ValueError, lambda: GaussianNB().partial_fit(X, y))  # no classes
    raised_everywhere(ValueError, lambda: GaussianNB().partial_fit(make(X, 0), y, [0, 1]))
    raised_everywhere(ValueError, lambda: fitted.partial_fit(X, y, classes=[0, 1, 5]))
    raised_everywhere(ValueError, lambda: fitted.partial_fit(X[:, :2], y))
    raised_everywhere(ValueError, lambda: GaussianNB().fit(X, y, sample_weight=np.ones((150, 2))))


# ------------------------------------------------------------------- KNeighborsClassifier
def same_neighbours(got: tuple[hpa.Array, hpa.Array], want: tuple[np.ndarray, np.ndarray]) -> None:
    """Equal distances, and equal indices except the order within runs of equal distances."""
    dist, ind = got[0].numpy(), got[1].numpy()
    np.testing.assert_allclose(dist, want[0], rtol=1e-7, atol=1e-7)
    for r, c in zip(*np.nonzero(ind != want[1]), strict=True):
        ties = np.isclose(want[0][r], want[0][r, c], rtol=1e-9, atol=1e-12).sum()
        assert ties > 1 or c == ind.shape[1] - 1, (r, c, want[1][r], ind[r])


KNN_CASES = [
    ("iris", {}),
    ("wine", {"weights": "distance", "n_neighbors": 7}),
    ("breast_cancer", {"p": 1}),
    ("digits", {"metric": "cosine", "n_neighbors": 4}),
]


@pytest.mark.parametrize("case", KNN_CASES, ids=lambda c: c[0])
@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
def test_knn_datasets(case: tuple[str, dict], layout: tuple[int | None, bool]) -> None:
    name, kw = case
    X, y = load(name, standardise=True)
    X, y = X[:600], y[:600]
    Xtr, ytr, Xte = X[::2], y[::2], X[1::2]
    ref = neighbors.KNeighborsClassifier(algorithm="brute", **kw).fit(Xtr, ytr)
    ours = KNeighborsClassifier(**kw).fit(laid(Xtr, layout), ytr)
    check_replicated(ours, ["classes_"])
    assert ours.n_samples_fit_ == Xtr.shape[0] and ours.effective_metric_ == ref.effective_metric_
    for query in (make(Xte, None), make(Xte, 0, ragged=True), make(Xte, 1)):
        pred = ours.predict(query)
        check_rows(pred, query)
        np.testing.assert_array_equal(pred.numpy(), ref.predict(Xte))
        np.testing.assert_allclose(ours.predict_proba(query).numpy(), ref.predict_proba(Xte))
        got = ours.kneighbors(query)
        check_rows(got[1], query)
        same_neighbours(got, ref.kneighbors(Xte))
    same_neighbours(ours.kneighbors(), ref.kneighbors())
    np.testing.assert_array_equal(ours.predict(None).numpy(), ref.predict(None))
    assert ours.score(make(Xte, 0), y[1::2]) == pytest.approx(ref.score(Xte, y[1::2]))


def test_knn_generated_float32() -> None:
    X, y = datasets.make_classification(300, 6, n_informative=4, n_classes=3, random_state=0)
    X = X.astype(np.float32)
    for kw in ({"metric": "chebyshev", "n_neighbors": 3}, {"weights": "distance", "p": 3}):
        ref = neighbors.KNeighborsClassifier(algorithm="brute", **kw).fit(X[:200], y[:200])
        ours = KNeighborsClassifier(**kw).fit(make(X[:200], 0, ragged=True), y[:200])
        dist, ind = ours.kneighbors(make(X[200:], 0))
        assert dist.dtype == hpa.float32
        np.testing.assert_array_equal(ind.numpy(), ref.kneighbors(X[200:])[1])
        np.testing.assert_array_equal(ours.predict(make(X[200:], 1)).numpy(), ref.predict(X[200:]))


def test_knn_ties_and_duplicates() -> None:
    """Equal distances: the smaller training index first; equal votes: the smallest class."""
    Xtr = np.array([[0.0], [1.0], [-1.0], [1.0], [-1.0], [5.0]])
    ytr = np.array([9, 3, 3, 1, 1, 9])
    for layout in DATA_LAYOUTS:
        ours = KNeighborsClassifier(n_neighbors=4).fit(laid(Xtr, layout), ytr)
        ind = ours.kneighbors(np.array([[0.0]]), return_distance=False)
        np.testing.assert_array_equal(ind.numpy(), [[0, 1, 2, 3]])
        np.testing.assert_array_equal(ours.predict(np.array([[0.0]])).numpy(), [3])
        pair = KNeighborsClassifier(n_neighbors=2).fit(laid(Xtr, layout), ytr)
        np.testing.assert_array_equal(pair.predict(np.array([[2.0]])).numpy(), [1])
        dup = KNeighborsClassifier(n_neighbors=1).fit(laid(np.zeros((3, 1)), layout), [1, 2, 3])
        np.testing.assert_array_equal(dup.kneighbors()[1].numpy(), [[1], [0], [1]])


def test_knn_zero_distance_weights() -> None:
    Xtr = np.array([[0.0], [1.0], [1.0], [3.0]])
    ref = neighbors.KNeighborsClassifier(2, weights="distance").fit(Xtr, [0, 1, 2, 2])
    ours = KNeighborsClassifier(2, weights="distance").fit(make(Xtr, 0), [0, 1, 2, 2])
    query = np.array([[1.0], [0.4], [2.0]])
    np.testing.assert_allclose(ours.predict_proba(query).numpy(), ref.predict_proba(query))
    squared = KNeighborsClassifier(2, weights=lambda d: 1.0 / (d * d + 1.0)).fit(Xtr, [0, 1, 2, 2])
    assert squared.predict(query).shape == (3,)


def test_knn_fewer_samples_than_processes() -> None:
    Xtr, ytr = np.array([[0.0, 0.0], [3.0, 1.0]]), np.array([5, 6])
    query = np.array([[0.5, 0.0], [2.0, 2.0], [3.0, 0.0]])
    for layout in DATA_LAYOUTS:
        ours = KNeighborsClassifier(n_neighbors=1).fit(laid(Xtr, layout), ytr)
        np.testing.assert_array_equal(ours.predict(laid(query, layout)).numpy(), [5, 6, 6])
        np.testing.assert_array_equal(ours.kneighbors()[1].numpy(), [[1], [0]])


def test_knn_precomputed() -> None:
    X, y = load("iris", standardise=True)
    D = np.sqrt(((X[:, None] - X[None, ::3]) ** 2).sum(-1))
    ref = neighbors.KNeighborsClassifier(metric="precomputed").fit(D[::3], y[::3])
    ours = KNeighborsClassifier(metric="precomputed").fit(make(D[::3], 0), y[::3])
    np.testing.assert_array_equal(ours.predict(make(D, 0, ragged=True)).numpy(), ref.predict(D))


def test_knn_params_and_clone() -> None:
    model = KNeighborsClassifier(3, weights="distance", metric="manhattan")
    params = model.get_params()
    assert params["n_neighbors"] == 3 and params["metric"] == "manhattan"
    assert set(params) == set(neighbors.KNeighborsClassifier().get_params())
    assert clone(model).get_params() == params


def test_knn_errors() -> None:
    X, y = load("iris")
    raised_everywhere(NotFittedError, lambda: KNeighborsClassifier().predict(X))
    raised_everywhere(NotFittedError, lambda: KNeighborsClassifier().kneighbors(X))
    fitted = KNeighborsClassifier().fit(make(X, 0, ragged=True), y)
    raised_everywhere(ValueError, lambda: fitted.predict(X[:, :2]))
    raised_everywhere(ValueError, lambda: fitted.kneighbors(X, n_neighbors=151))
    raised_everywhere(ValueError, lambda: fitted.kneighbors(n_neighbors=150))
    raised_everywhere(ValueError, lambda: KNeighborsClassifier(200).fit(make(X, 0), y).predict(X))
    bad = X.copy()
    bad[0, 2] = np.inf
    raised_everywhere(ValueError, lambda: fitted.predict(make(bad, 0, ragged=True)))
    raised_everywhere(ValueError, lambda: KNeighborsClassifier().fit(make(bad, 1), y))
    raised_everywhere(ValueError, lambda: KNeighborsClassifier().fit(X, y * 0.3))
    raised_everywhere(ValueError, lambda: KNeighborsClassifier(0).fit(X, y))
    raised_everywhere(TypeError, lambda: KNeighborsClassifier(2.5).fit(X, y))
    raised_everywhere(ValueError, lambda: KNeighborsClassifier(weights="far").fit(X, y))
    raised_everywhere(ValueError, lambda: KNeighborsClassifier(algorithm="x").fit(X, y))
    raised_everywhere(ValueError, lambda: KNeighborsClassifier(metric="x").fit(X, y))
    raised_everywhere(ValueError, lambda: KNeighborsClassifier(p=0).fit(X, y))
    raised_everywhere(NotImplementedError, lambda: KNeighborsClassifier(metric=abs).fit(X, y))
    raised_everywhere(
        NotImplementedError, lambda: KNeighborsClassifier(metric_params={"w": 1}).fit(X, y)
    )
    raised_everywhere(ValueError, lambda: KNeighborsClassifier(metric="precomputed").fit(X, y))
    raised_everywhere(TypeError, lambda: fitted.kneighbors(X, n_neighbors=1.5))
