"""hpa.algorithms.cluster (KMeans, KMedians, KMedoids, kmeans_plusplus) and
hpa.algorithms.metrics.silhouette_score.

KMeans is compared with scikit-learn's Lloyd KMeans from the same initial centres (centres,
labels, inertia, n_iter_, predict, transform, score), KMedians and KMedoids with NumPy
reference implementations of the same algorithms, silhouette_score with scikit-learn's. Every
data layout, float32 and float64, fewer samples than processes, process-count independence of
the random initialisations (a replicated copy computes what one process computes), the
one-collective-per-iteration contract, and errors raised on every rank.

Every rank makes the same calls in the same order and compares gathered data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sklearn.base
import sklearn.cluster
import sklearn.metrics
from helpers import DATA_LAYOUTS, RANK, P, layout_id, make, raised_everywhere
from scipy.spatial.distance import cdist
from sklearn.datasets import load_iris, load_wine, make_blobs

import hpa
from hpa.algorithms.base import NotFittedError, random_state_scope
from hpa.algorithms.cluster import KMeans, KMedians, KMedoids, kmeans_plusplus
from hpa.algorithms.metrics import silhouette_score


def _blobs() -> np.ndarray:
    return make_blobs(400, 5, centers=4, cluster_std=1.5, random_state=3)[0]


DATASETS = {
    "iris": lambda: load_iris().data,
    "wine": lambda: load_wine().data,
    "blobs": _blobs,
}
K = {"iris": 3, "wine": 3, "blobs": 4}
DTYPES = [np.float64, np.float32]


def data_of(name: str, dtype: type = np.float64) -> np.ndarray:
    return DATASETS[name]().astype(dtype)


def put(values: np.ndarray, layout: tuple[int | None, bool]) -> hpa.Array:
    """``values`` as an hpa array in ``layout`` (split, ragged)."""
    return make(values, layout[0], ragged=layout[1])


def initial_rows(X: np.ndarray, k: int, seed: int = 0) -> np.ndarray:
    return X[np.random.default_rng(seed).choice(len(X), k, replace=False)]


def close(dtype: type) -> dict[str, float]:
    return {"rtol": 1e-10, "atol": 1e-10} if dtype == np.float64 else {"rtol": 1e-4, "atol": 1e-4}


# --------------------------------------------------------------------------- KMeans
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("name", list(DATASETS))
def test_kmeans_matches_sklearn(name: str, layout: tuple, dtype: type) -> None:
    X = data_of(name, dtype)
    init = initial_rows(X, K[name])
    want = sklearn.cluster.KMeans(K[name], init=init, n_init=1, algorithm="lloyd").fit(X)
    x = put(X, layout)
    got = KMeans(K[name], init=init).fit(x)
    tol = close(dtype)
    assert got.cluster_centers_.split is None
    assert got.cluster_centers_.dtype == (hpa.float32 if dtype == np.float32 else hpa.float64)
    np.testing.assert_allclose(got.cluster_centers_.numpy(), want.cluster_centers_, **tol)
    labels = got.labels_
    rows = x if x.split != 1 else make(X, 0)
    assert labels.split == rows.split and labels.counts == rows.counts
    np.testing.assert_array_equal(labels.numpy(), want.labels_)
    np.testing.assert_allclose(got.inertia_, want.inertia_, rtol=tol["rtol"])
    assert got.n_iter_ == want.n_iter_
    assert got.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(got.predict(x).numpy(), want.predict(X))
    np.testing.assert_allclose(got.transform(x).numpy(), want.transform(X), **tol)
    np.testing.assert_allclose(got.score(x), want.score(X), rtol=tol["rtol"])
    np.testing.assert_array_equal(KMeans(K[name], init=init).fit_predict(x).numpy(), want.labels_)


def test_kmeans_stops_like_sklearn() -> None:
    """A loose tol stops on the shift (labels recomputed); max_iter stops early; verbose."""
    X = data_of("blobs")
    init = initial_rows(X, 4, seed=5)
    for kw in ({"tol": 0.5}, {"max_iter": 2}, {"tol": 0.0}):
        want = sklearn.cluster.KMeans(4, init=init, n_init=1, **kw).fit(X)
        got = KMeans(4, init=init, **kw).fit(make(X, 0))
        assert got.n_iter_ == want.n_iter_
        np.testing.assert_array_equal(got.labels_.numpy(), want.labels_)
        np.testing.assert_allclose(got.cluster_centers_.numpy(), want.cluster_centers_, rtol=1e-10)


def test_kmeans_verbose(capsys: pytest.CaptureFixture) -> None:
    X = data_of("iris")
    KMeans(3, init=initial_rows(X, 3), verbose=1).fit(make(X, 0))
    out = capsys.readouterr().out
    if RANK == 0:
        assert "Initialization complete" in out and "Iteration 0, inertia" in out
        assert "Converged at iteration" in out
    else:
        assert out == ""


def test_kmeans_empty_cluster_relocated_like_sklearn() -> None:
    X = data_of("blobs")
    init = np.vstack([initial_rows(X, 3), np.full((1, X.shape[1]), 1e3)])
    want = sklearn.cluster.KMeans(4, init=init, n_init=1).fit(X)
    for layout in DATA_LAYOUTS:
        got = KMeans(4, init=init).fit(put(X, layout))
        assert len(np.unique(got.labels_.numpy())) == 4
        np.testing.assert_allclose(got.cluster_centers_.numpy(), want.cluster_centers_, rtol=1e-10)
        np.testing.assert_array_equal(got.labels_.numpy(), want.labels_)
        assert got.n_iter_ == want.n_iter_


def test_kmeans_one_collective_per_iteration() -> None:
    X = make_blobs(600, 5, centers=6, cluster_std=4, random_state=3)[0]
    init = X[np.argsort(X[:, 0])[:6]]  # poor centres: 16 iterations until no label changes
    x = make(X, 0)
    counts, iters = [], []
    for m in (5, 6):
        with hpa.count_collectives() as stats:
            km = KMeans(6, init=init, max_iter=m, tol=0.0).fit(x)
        counts.append(stats.total)
        iters.append(km.n_iter_)
    assert iters == [5, 6]
    assert counts[1] - counts[0] == (1 if P > 1 else 0)


@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_kmeans_random_inits_process_independent(init: str) -> None:
    """The same seed picks the same rows for a replicated copy (what one process computes) and
    for every split layout; the fits then agree."""
    X = data_of("blobs")
    ref = KMeans(4, init=init, n_init=2, random_state=7).fit(make(X, None))
    for layout in DATA_LAYOUTS[1:]:
        got = KMeans(4, init=init, n_init=2, random_state=7).fit(put(X, layout))
        np.testing.assert_allclose(
            got.cluster_centers_.numpy(), ref.cluster_centers_.numpy(), rtol=1e-10
        )
        np.testing.assert_array_equal(got.labels_.numpy(), ref.labels_.numpy())
        assert got.n_iter_ == ref.n_iter_


@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: d.__name__)
def test_kmeans_plusplus_process_independent(dtype: type) -> None:
    X = data_of("wine", dtype)
    centers, indices = kmeans_plusplus(make(X, None), 5, random_state=3)
    chosen = indices.numpy()
    assert len(set(chosen.tolist())) == 5
    np.testing.assert_array_equal(centers.numpy(), X[chosen])
    for layout in DATA_LAYOUTS[1:]:
        c, i = kmeans_plusplus(put(X, layout), 5, random_state=3)
        np.testing.assert_array_equal(i.numpy(), chosen)
        np.testing.assert_array_equal(c.numpy(), X[chosen])
    other = kmeans_plusplus(make(X, 0), 5, random_state=4)[1].numpy()
    assert not np.array_equal(other, chosen)


@pytest.mark.parametrize("name", ["iris", "blobs", "wine"])
@pytest.mark.parametrize("init", ["k-means++", "random"])
def test_kmeans_quality(name: str, init: str) -> None:
    X = data_of(name)
    best = sklearn.cluster.KMeans(K[name], n_init=10, random_state=0).fit(X).inertia_
    got = KMeans(K[name], init=init, n_init=10, random_state=0).fit(make(X, 0))
    assert got.inertia_ <= 1.02 * best
    np.testing.assert_allclose(
        got.inertia_, ((X - got.cluster_centers_.numpy()[got.labels_.numpy()]) ** 2).sum()
    )


def test_kmeans_fewer_samples_than_processes() -> None:
    X = np.array([[0.0, 1.0], [5.0, 5.0]])
    want = sklearn.cluster.KMeans(2, init=X[::-1], n_init=1).fit(X)
    for layout in DATA_LAYOUTS:
        got = KMeans(2, init=X[::-1]).fit(put(X, layout))
        np.testing.assert_array_equal(got.labels_.numpy(), want.labels_)
        np.testing.assert_allclose(got.cluster_centers_.numpy(), want.cluster_centers_)
        assert got.inertia_ == 0.0
    for init in ("k-means++", "random"):
        got = KMeans(2, init=init, random_state=0).fit(make(X, 0))
        assert sorted(got.labels_.numpy().tolist()) == [0, 1]


def test_kmeans_n_init_with_explicit_centres_warns() -> None:
    X = data_of("iris")
    with pytest.warns(RuntimeWarning, match="only one init"):
        got = KMeans(3, init=initial_rows(X, 3), n_init=4).fit(make(X, 0))
    assert got.n_iter_ >= 1


def test_clone_and_params() -> None:
    for est in (
        KMeans(3, init="random", n_init=2, tol=0.0, random_state=1),
        KMedians(2, init="random", max_iter=5),
        KMedoids(4, metric="manhattan", init="k-medoids++", random_state=2),
    ):
        twin = sklearn.base.clone(est)
        assert twin is not est and twin.get_params() == est.get_params()
        assert type(est).__name__ in repr(est)
    km = KMeans().set_params(n_clusters=5)
    assert km.get_params()["n_clusters"] == 5 and repr(km) == "KMeans(n_clusters=5)"


# --------------------------------------------------------------------------- KMedians
def reference_kmedians(X: np.ndarray, C: np.ndarray, max_iter: int = 300, tol: float = 1e-4):
    tol = np.var(X, axis=0).mean() * tol
    previous = None
    for n_iter in range(1, max_iter + 1):
        labels = cdist(X, C, "cityblock").argmin(1)
        new = np.array(
            [
                np.median(X[labels == j], axis=0) if (labels == j).any() else C[j]
                for j in range(len(C))
            ]
        )
        shift, C = ((new - C) ** 2).sum(), new
        if previous is not None and np.array_equal(labels, previous):
            break
        previous = labels
        if shift <= tol:
            labels = cdist(X, C, "cityblock").argmin(1)
            break
    else:
        labels = cdist(X, C, "cityblock").argmin(1)
    return C, labels, cdist(X, C, "cityblock").min(1).sum(), n_iter


@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("name", list(DATASETS))
def test_kmedians_matches_reference(name: str, layout: tuple) -> None:
    X = data_of(name)
    init = initial_rows(X, K[name], seed=1)
    C, labels, inertia, n_iter = reference_kmedians(X, init)
    x = put(X, layout)
    got = KMedians(K[name], init=init).fit(x)
    np.testing.assert_allclose(got.cluster_centers_.numpy(), C, rtol=1e-12)
    np.testing.assert_array_equal(got.labels_.numpy(), labels)
    assert got.labels_.split == (None if x.split is None else 0)
    np.testing.assert_allclose(got.inertia_, inertia, rtol=1e-12)
    assert got.n_iter_ == n_iter
    np.testing.assert_array_equal(got.predict(x).numpy(), labels)
    np.testing.assert_allclose(got.transform(x).numpy(), cdist(X, C, "cityblock"), rtol=1e-12)


def test_kmedians_float32_empty_cluster_and_random_inits() -> None:
    X = data_of("blobs", np.float32)
    init = np.vstack([initial_rows(X, 3), np.full((1, X.shape[1]), 1e3, dtype=np.float32)])
    C, labels, _, _ = reference_kmedians(X, init)
    got = KMedians(4, init=init).fit(make(X, 0))
    assert got.cluster_centers_.dtype == hpa.float32
    np.testing.assert_allclose(got.cluster_centers_.numpy(), C, rtol=1e-6)
    np.testing.assert_array_equal(got.labels_.numpy(), labels)
    for init in ("k-medians++", "random"):
        ref = KMedians(4, init=init, random_state=5).fit(make(X, None))
        for layout in DATA_LAYOUTS[1:]:
            alt = KMedians(4, init=init, random_state=5).fit(put(X, layout))
            np.testing.assert_array_equal(
                alt.cluster_centers_.numpy(), ref.cluster_centers_.numpy()
            )
            np.testing.assert_array_equal(alt.labels_.numpy(), ref.labels_.numpy())


def test_kmedians_two_collectives_per_iteration() -> None:
    """Two per iteration (the labels, then the medians); none at one process."""
    X = data_of("blobs")
    counts = []
    for m in (2, 3):
        with hpa.count_collectives() as stats:
            got = KMedians(4, init=X[:4], max_iter=m, tol=0.0).fit(make(X, 0))
        assert got.n_iter_ == m
        counts.append(stats.total)
    assert counts[1] - counts[0] == (2 if P > 1 else 0)


# --------------------------------------------------------------------------- KMedoids
def reference_kmedoids(X: np.ndarray, medoids: list[int], metric: str, max_iter: int = 300):
    D = cdist(X, X, metric)
    k = len(medoids)
    for n_iter in range(1, max_iter + 1):
        labels = D[:, medoids].argmin(1)
        new = list(medoids)
        for j in range(k):
            members = np.flatnonzero(labels == j)
            if members.size == 0:
                continue
            costs = D[np.ix_(members, members)].sum(1)
            if costs.min() < D[medoids[j], members].sum():
                new[j] = int(members[costs.argmin()])
        if new == medoids:
            break
        medoids = new
    return medoids, D[:, medoids].argmin(1), D[:, medoids].min(1).sum(), n_iter


@pytest.mark.parametrize("metric", ["euclidean", "manhattan"])
@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("name", list(DATASETS))
def test_kmedoids_matches_reference(name: str, layout: tuple, metric: str) -> None:
    X = data_of(name)
    start = np.random.default_rng(2).choice(len(X), K[name], replace=False).tolist()
    scipy_metric = "cityblock" if metric == "manhattan" else metric
    medoids, labels, inertia, n_iter = reference_kmedoids(X, start, scipy_metric)
    x = put(X, layout)
    got = KMedoids(K[name], metric=metric, init=X[start]).fit(x)
    np.testing.assert_allclose(got.cluster_centers_.numpy(), X[medoids])
    np.testing.assert_array_equal(got.labels_.numpy(), labels)
    np.testing.assert_allclose(got.inertia_, inertia, rtol=1e-12)
    assert got.n_iter_ == n_iter
    np.testing.assert_array_equal(got.predict(x).numpy(), labels)
    np.testing.assert_allclose(
        got.transform(x).numpy(), cdist(X, X[medoids], scipy_metric), rtol=1e-10
    )


@pytest.mark.parametrize("init", ["heuristic", "k-medoids++", "random"])
def test_kmedoids_inits(init: str) -> None:
    X = data_of("blobs")
    ref = KMedoids(4, init=init, random_state=1).fit(make(X, None))
    indices = ref.medoid_indices_.numpy()
    np.testing.assert_array_equal(ref.cluster_centers_.numpy(), X[indices])
    if init == "heuristic":  # the 4 samples nearest to all others, then iterated
        start = np.argsort(cdist(X, X).sum(1), kind="stable")[:4].tolist()
        np.testing.assert_array_equal(indices, reference_kmedoids(X, start, "euclidean")[0])
    for layout in DATA_LAYOUTS[1:]:
        got = KMedoids(4, init=init, random_state=1).fit(put(X, layout))
        np.testing.assert_array_equal(got.medoid_indices_.numpy(), indices)
        np.testing.assert_array_equal(got.labels_.numpy(), ref.labels_.numpy())


# --------------------------------------------------------------------------- errors
def test_errors_raised_everywhere() -> None:
    X = data_of("iris")
    x = make(X, 0)
    bad_x = X.copy()
    bad_x[5, 1] = np.nan
    for cls in (KMeans, KMedians, KMedoids):
        raised_everywhere(ValueError, lambda c=cls: c(n_clusters=151).fit(x))
        raised_everywhere(ValueError, lambda c=cls: c(n_clusters=0).fit(x))
        raised_everywhere(TypeError, lambda c=cls: c(n_clusters=2.5).fit(x))
        raised_everywhere(ValueError, lambda c=cls: c(max_iter=0).fit(x))
        raised_everywhere(ValueError, lambda c=cls: c(init="bogus").fit(x))
        raised_everywhere(ValueError, lambda c=cls: c(n_clusters=3, init=X[:2]).fit(x))
        raised_everywhere(ValueError, lambda c=cls: c(n_clusters=3, init=X[:3, :2]).fit(x))
        raised_everywhere(ValueError, lambda c=cls: c(n_clusters=3).fit(make(bad_x, 0)))
        raised_everywhere(NotFittedError, lambda c=cls: c(n_clusters=3).predict(x))
        fitted = cls(n_clusters=3, init=X[:3]).fit(x)
        raised_everywhere(ValueError, lambda f=fitted: f.predict(make(X[:, :3], 0)))
        raised_everywhere(ValueError, lambda f=fitted: f.transform(make(X[:, :3], 0)))
    raised_everywhere(ValueError, lambda: KMeans(tol=-1.0).fit(x))
    raised_everywhere(ValueError, lambda: KMeans(n_init=0).fit(x))
    raised_everywhere(ValueError, lambda: KMeans(n_init="twice").fit(x))
    raised_everywhere(NotImplementedError, lambda: KMeans(3).fit(x, sample_weight=np.ones(150)))
    raised_everywhere(ValueError, lambda: KMeans(3, init=np.full((3, 4), np.inf)).fit(x))
    raised_everywhere(ValueError, lambda: KMeans(3).fit(x).score(make(X[:, :3], 0)))
    raised_everywhere(ValueError, lambda: KMedians(3, tol=-1.0).fit(x))
    raised_everywhere(ValueError, lambda: KMedoids(3, metric="cosine").fit(x))
    raised_everywhere(ValueError, lambda: KMedoids(3, init=X[:3] + 0.01).fit(x))
    raised_everywhere(NotImplementedError, lambda: KMedoids(3, method="pam").fit(x))
    raised_everywhere(NotImplementedError, lambda: KMedoids(3, init="build").fit(x))
    raised_everywhere(ValueError, lambda: kmeans_plusplus(x, 151))


# --------------------------------------------------------------------------- silhouette
@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("name", list(DATASETS))
def test_silhouette_matches_sklearn(name: str, layout: tuple) -> None:
    X = data_of(name)
    labels = sklearn.cluster.KMeans(K[name], n_init=1, random_state=0).fit(X).labels_
    labels = np.where(labels == 0, 10, labels)  # labels need not be 0..k-1
    labels[3] = 99  # a singleton cluster scores 0
    x = put(X, layout)
    y = make(labels, None if layout[0] is None else 0)
    for metric in ("euclidean", "manhattan", "cosine"):
        want = sklearn.metrics.silhouette_score(X, labels, metric=metric)
        assert abs(silhouette_score(x, y, metric=metric) - want) < 1e-10
    want32 = sklearn.metrics.silhouette_score(X, labels)
    assert abs(silhouette_score(put(X.astype(np.float32), layout), labels) - want32) < 1e-6


def test_silhouette_sample_size_and_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    X = data_of("blobs")
    labels = sklearn.cluster.KMeans(4, n_init=1, random_state=0).fit(X).labels_
    with random_state_scope(5):
        picked = hpa.random.permutation(len(X))[:120].numpy()
    want = sklearn.metrics.silhouette_score(X[picked], labels[picked])
    for layout in DATA_LAYOUTS:
        got = silhouette_score(put(X, layout), labels, sample_size=120, random_state=5)
        assert abs(got - want) < 1e-10
    from hpa.algorithms import metrics

    monkeypatch.setattr(metrics, "_SILHOUETTE_BLOCK_BYTES", 5000)  # many blocks of rows
    whole = sklearn.metrics.silhouette_score(X, labels)
    assert abs(silhouette_score(make(X, 0, ragged=True), labels) - whole) < 1e-10


def test_silhouette_errors() -> None:
    X = data_of("iris")
    x = make(X, 0)
    raised_everywhere(ValueError, lambda: silhouette_score(x, np.zeros(150, dtype=int)))
    raised_everywhere(ValueError, lambda: silhouette_score(x, np.arange(150)))
    raised_everywhere(ValueError, lambda: silhouette_score(x, np.arange(149) % 3))
    raised_everywhere(ValueError, lambda: silhouette_score(x, np.arange(150) % 3, metric="bogus"))
    raised_everywhere(ValueError, lambda: silhouette_score(x, np.arange(150) % 3, sample_size=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert -1 <= silhouette_score(x, np.arange(150) % 2) <= 1
