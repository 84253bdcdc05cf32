"""hpa.algorithms.cluster.SpectralClustering against scikit-learn: the spectral embedding (the
subspace of scikit-learn's), labels up to a permutation (adjusted Rand index) on well-separated
blobs and on iris, every layout of the data, float32 and float64, the dense path for small
inputs, independence of the process count, clone/get_params and errors raised on every rank.

Every rank runs the same calls in the same order and every check compares gathered data.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from helpers import DATA_LAYOUTS, layout_id, make, raised_everywhere
from sklearn import cluster, datasets, manifold
from sklearn.base import clone
from sklearn.metrics import adjusted_rand_score

import hpa
from hpa.algorithms.cluster import SpectralClustering
from hpa.algorithms.cluster.spectral import _spectral_embedding

BLOBS = datasets.make_blobs(160, centers=4, cluster_std=0.5, random_state=0)
IRIS = datasets.load_iris(return_X_y=True)


@functools.cache
def sklearn_blobs(dtype: type) -> np.ndarray:
    return cluster.SpectralClustering(4, random_state=0).fit(BLOBS[0].astype(dtype)).labels_


def laid(values: np.ndarray, layout: tuple[int | None, bool]) -> hpa.Array:
    return make(values, layout[0], ragged=layout[1])


def rbf(X: np.ndarray, gamma: float = 1.0) -> np.ndarray:
    return np.exp(-gamma * ((X[:, None] - X[None]) ** 2).sum(-1))


def smallest_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The cosine of the largest principal angle between the column spaces of a and b."""
    qa, qb = np.linalg.qr(a)[0], np.linalg.qr(b)[0]
    return float(np.linalg.svd(qa.T @ qb, compute_uv=False).min())


@pytest.mark.parametrize("case", ["blobs", "iris"])
def test_embedding_spans_sklearns(case: str) -> None:
    X, k = (BLOBS[0], 4) if case == "blobs" else (IRIS[0], 3)
    A = rbf(X)
    want = manifold.spectral_embedding(A, n_components=k, drop_first=False, random_state=0)
    for layout in [(None, False), (0, True)]:
        got = _spectral_embedding(laid(A, layout), k, 1e-10, False)
        assert got.split == layout[0]
        assert smallest_cosine(got.numpy(), want) > 1 - 1e-8


@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
def test_blobs_every_layout(layout: tuple[int | None, bool], dtype: type) -> None:
    X, y = BLOBS
    X = X.astype(dtype)
    Xh = laid(X, layout)
    model = SpectralClustering(4, random_state=0).fit(Xh)
    labels = model.labels_
    assert labels.split == (None if layout[0] is None else 0)
    if layout[0] == 0:
        assert labels.counts == Xh.counts
        assert model.affinity_matrix_.counts == Xh.counts
    assert model.affinity_matrix_.shape == (160, 160)
    assert model.n_features_in_ == 2
    sk = sklearn_blobs(dtype)
    assert adjusted_rand_score(sk, labels.numpy()) == 1.0
    assert adjusted_rand_score(y, labels.numpy()) == 1.0


@pytest.mark.parametrize(
    "params",
    [
        {"n_clusters": 3},
        {"n_clusters": 3, "affinity": "nearest_neighbors", "n_neighbors": 12},
        {"n_clusters": 3, "affinity": "laplacian", "gamma": 0.5},
        {"n_clusters": 3, "n_components": 4, "gamma": 2.0},
    ],
    ids=["rbf", "knn", "laplacian", "components"],
)
@pytest.mark.filterwarnings("ignore:Graph is not fully connected")
def test_iris_like_sklearn(params: dict) -> None:
    X, _ = IRIS
    sk = cluster.SpectralClustering(random_state=0, **params).fit(X).labels_
    for layout in [(0, True), (1, False)]:
        ours = SpectralClustering(random_state=0, **params).fit(laid(X, layout)).labels_
        assert adjusted_rand_score(sk, ours.numpy()) >= 0.9


def test_precomputed_and_process_count() -> None:
    """A split fit equals a replicated fit (which is what one process computes)."""
    X, _ = BLOBS
    A = rbf(X, 0.5)
    local = SpectralClustering(4, affinity="precomputed", random_state=3).fit(A).labels_
    split = SpectralClustering(4, affinity="precomputed", random_state=3).fit(
        make(A, 0, ragged=True)
    )
    assert adjusted_rand_score(local.numpy(), split.labels_.numpy()) == 1.0
    sk = cluster.SpectralClustering(4, affinity="precomputed", random_state=0).fit(A).labels_
    assert adjusted_rand_score(sk, local.numpy()) == 1.0
    data = SpectralClustering(4, gamma=0.5, random_state=3).fit(X).labels_
    np.testing.assert_array_equal(data.numpy(), local.numpy())


def test_small_inputs_dense_path() -> None:
    X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0], [0.0, 0.1]])
    for layout in DATA_LAYOUTS:
        labels = SpectralClustering(2, random_state=0).fit_predict(laid(X, layout)).numpy()
        assert adjusted_rand_score([0, 0, 1, 1, 0], labels) == 1.0
    two = SpectralClustering(2, random_state=0).fit(make(X[:3], 0)).labels_.numpy()
    assert adjusted_rand_score([0, 0, 1], two) == 1.0


def test_params_and_clone() -> None:
    model = SpectralClustering(3, affinity="nearest_neighbors", random_state=1)
    params = model.get_params()
    assert set(params) == set(cluster.SpectralClustering().get_params())
    assert clone(model).get_params() == params


def test_errors() -> None:
    X, _ = BLOBS
    fit = SpectralClustering
    raised_everywhere(ValueError, lambda: fit(0).fit(X))
    raised_everywhere(TypeError, lambda: fit(2.0).fit(X))
    raised_everywhere(ValueError, lambda: fit(300).fit(make(X, 0)))
    raised_everywhere(ValueError, lambda: fit(2, n_components=300).fit(make(X, 0)))
    raised_everywhere(ValueError, lambda: fit(2, affinity="unknown").fit(X))
    raised_everywhere(NotImplementedError, lambda: fit(2, affinity="poly").fit(X))
    raised_everywhere(NotImplementedError, lambda: fit(2, assign_labels="discretize").fit(X))
    raised_everywhere(ValueError, lambda: fit(2, assign_labels="other").fit(X))
    raised_everywhere(ValueError, lambda: fit(2, eigen_solver="magic").fit(X))
    raised_everywhere(ValueError, lambda: fit(2, gamma=-1.0).fit(X))
    raised_everywhere(ValueError, lambda: fit(2, eigen_tol=0.0).fit(X))
    raised_everywhere(ValueError, lambda: fit(2, n_init=0).fit(X))
    raised_everywhere(ValueError, lambda: fit(2, affinity="precomputed").fit(make(X, 0)))
    raised_everywhere(
        ValueError, lambda: fit(2, affinity="nearest_neighbors", n_neighbors=500).fit(X)
    )
    bad = X.copy()
    bad[100, 1] = np.nan
    raised_everywhere(ValueError, lambda: fit(2).fit(make(bad, 0, ragged=True)))
    raised_everywhere(ValueError, lambda: fit(2).fit(X[:1]))
