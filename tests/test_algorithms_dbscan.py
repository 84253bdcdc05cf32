"""hpa.algorithms.cluster.DBSCAN against scikit-learn: the labels (equal, not only up to a
permutation), core samples and components on blobs, moons and iris for every layout of the data,
float32, weights, precomputed distances, fewer samples than processes, the number of rounds of
label propagation, clone/get_params and errors raised on every rank.

Every rank runs the same calls in the same order and every check compares gathered data.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import DATA_LAYOUTS, P, layout_id, make, raised_everywhere
from sklearn import cluster, datasets
from sklearn.base import clone
from sklearn.preprocessing import StandardScaler

import hpa
from hpa.algorithms.cluster import DBSCAN

CASES = {
    "blobs": (
        datasets.make_blobs(400, centers=4, cluster_std=0.8, random_state=1)[0],
        {"eps": 0.5, "min_samples": 5},
    ),
    "moons": (
        datasets.make_moons(300, noise=0.08, random_state=0)[0],
        {"eps": 0.12, "min_samples": 4},
    ),
    "iris": (
        StandardScaler().fit_transform(datasets.load_iris().data),
        {"eps": 0.6, "min_samples": 4},
    ),
    "iris-manhattan": (
        StandardScaler().fit_transform(datasets.load_iris().data),
        {"eps": 0.9, "min_samples": 6, "metric": "manhattan"},
    ),
}


def laid(values: np.ndarray, layout: tuple[int | None, bool]) -> hpa.Array:
    return make(values, layout[0], ragged=layout[1])


def compare(ours: DBSCAN, ref: cluster.DBSCAN, Xh: hpa.Array) -> None:
    labels = ours.labels_
    assert labels.split == (None if Xh.split is None else 0)
    if Xh.split == 0:
        assert labels.counts == Xh.counts
    np.testing.assert_array_equal(labels.numpy(), ref.labels_)
    assert ours.core_sample_indices_.split is None
    np.testing.assert_array_equal(ours.core_sample_indices_.numpy(), ref.core_sample_indices_)
    np.testing.assert_allclose(
        ours.components_.numpy().reshape(ref.components_.shape), ref.components_, rtol=1e-6
    )


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
def test_like_sklearn(name: str, layout: tuple[int | None, bool]) -> None:
    X, params = CASES[name]
    ref = cluster.DBSCAN(**params).fit(X)
    Xh = laid(X, layout)
    ours = DBSCAN(**params).fit(Xh)
    compare(ours, ref, Xh)
    assert ours.n_features_in_ == X.shape[1]
    np.testing.assert_array_equal(DBSCAN(**params).fit_predict(Xh).numpy(), ref.labels_)


def test_float32_weights_and_precomputed() -> None:
    X, params = CASES["blobs"]
    X32 = X.astype(np.float32)
    compare(DBSCAN(**params).fit(make(X32, 0)), cluster.DBSCAN(**params).fit(X32), make(X32, 0))
    w = np.random.default_rng(0).uniform(0.2, 2.0, X.shape[0])
    ref = cluster.DBSCAN(**params).fit(X, sample_weight=w)
    compare(
        DBSCAN(**params).fit(make(X, 0, ragged=True), sample_weight=w), ref, make(X, 0, ragged=True)
    )
    D = np.sqrt(((X[:, None] - X[None]) ** 2).sum(-1))
    ref = cluster.DBSCAN(metric="precomputed", **params).fit(D)
    ours = DBSCAN(metric="precomputed", **params).fit(make(D, 0, ragged=True))
    np.testing.assert_array_equal(ours.labels_.numpy(), ref.labels_)


def test_all_noise_one_cluster_and_tiny() -> None:
    X, _ = CASES["blobs"]
    for layout in DATA_LAYOUTS:
        noise = DBSCAN(eps=1e-3).fit(laid(X, layout))
        assert (noise.labels_.numpy() == -1).all() and noise.core_sample_indices_.shape == (0,)
        one = DBSCAN(eps=100.0).fit(laid(X, layout))
        assert (one.labels_.numpy() == 0).all()
        tiny = np.array([[0.0], [0.2]])
        np.testing.assert_array_equal(
            DBSCAN(eps=0.3, min_samples=2).fit(laid(tiny, layout)).labels_.numpy(), [0, 0]
        )


def test_rounds_on_a_chain() -> None:
    """Pointer jumping: a chain of 200 core samples needs a handful of rounds, not 200."""
    X = np.arange(200.0)[:, None]
    Xh = make(X, 0, ragged=True)
    with hpa.count_collectives() as stats:
        labels = DBSCAN(eps=1.1, min_samples=2).fit(Xh).labels_
    assert (labels.numpy() == 0).all()
    if P > 1:
        assert stats["allgather"] + stats["allgatherv"] <= 12, stats


def test_params_and_clone() -> None:
    model = DBSCAN(eps=0.3, min_samples=3, metric="manhattan")
    params = model.get_params()
    assert set(params) == set(cluster.DBSCAN().get_params())
    assert clone(model).get_params() == params


def test_errors() -> None:
    X, _ = CASES["blobs"]
    raised_everywhere(ValueError, lambda: DBSCAN(eps=0.0).fit(X))
    raised_everywhere(ValueError, lambda: DBSCAN(min_samples=0).fit(X))
    raised_everywhere(TypeError, lambda: DBSCAN(min_samples=2.5).fit(X))
    raised_everywhere(ValueError, lambda: DBSCAN(metric="unknown").fit(X))
    raised_everywhere(NotImplementedError, lambda: DBSCAN(metric=abs).fit(X))
    raised_everywhere(ValueError, lambda: DBSCAN(algorithm="x").fit(X))
    raised_everywhere(ValueError, lambda: DBSCAN(p=-1.0).fit(X))
    raised_everywhere(NotImplementedError, lambda: DBSCAN(metric_params={"w": 1}).fit(X))
    raised_everywhere(ValueError, lambda: DBSCAN(metric="precomputed").fit(make(X, 0)))
    raised_everywhere(ValueError, lambda: DBSCAN().fit(X, sample_weight=np.ones(3)))
    bad = X.copy()
    bad[399, 0] = np.inf
    raised_everywhere(ValueError, lambda: DBSCAN().fit(make(bad, 0, ragged=True)))
