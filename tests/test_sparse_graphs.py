"""Sparse neighbour graphs: ``kneighbors_graph`` against scikit-learn, and spectral clustering
on a sparse affinity (the nearest-neighbour graph, and a precomputed sparse matrix)."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import P, raised_everywhere
from sklearn import datasets
from sklearn.cluster import SpectralClustering as SkSpectral
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import KNeighborsClassifier as SkKNN
from sklearn.neighbors import kneighbors_graph as sk_graph

import hpa
from hpa.algorithms.classification import KNeighborsClassifier, kneighbors_graph
from hpa.algorithms.cluster import SpectralClustering

X = np.random.default_rng(3).normal(size=(37, 4))


@pytest.mark.parametrize("split", [0, None])
@pytest.mark.parametrize("mode", ["connectivity", "distance"])
@pytest.mark.parametrize("include_self", [False, True])
def test_kneighbors_graph_like_sklearn(split: int | None, mode: str, include_self: bool) -> None:
    got = kneighbors_graph(hpa.array(X, split=split), 5, mode=mode, include_self=include_self)
    want = sk_graph(X, 5, mode=mode, include_self=include_self)
    assert isinstance(got, hpa.sparse.CSRMatrix)
    assert got.split == split and got.shape == (37, 37) and got.nnz == 37 * 5
    np.testing.assert_allclose(got.to_scipy().toarray(), want.toarray(), atol=1e-7)


def test_estimator_graph_of_queries() -> None:
    y = (X[:, 0] > 0).astype(np.int64)
    Q = np.random.default_rng(4).normal(size=(11, 4))
    est = KNeighborsClassifier(3).fit(hpa.array(X, split=0), hpa.array(y, split=0))
    got = est.kneighbors_graph(hpa.array(Q, split=0), mode="distance")
    want = SkKNN(n_neighbors=3).fit(X, y).kneighbors_graph(Q, mode="distance")
    assert got.shape == (11, 37) and got.split == 0
    np.testing.assert_allclose(got.to_scipy().toarray(), want.toarray(), atol=1e-12)
    raised_everywhere(ValueError, lambda: est.kneighbors_graph(None, mode="weights"))


def test_spectral_nearest_neighbors_is_sparse() -> None:
    pts, truth = datasets.make_blobs(120, centers=3, cluster_std=0.6, random_state=2)
    model = SpectralClustering(3, affinity="nearest_neighbors", n_neighbors=8, random_state=0)
    labels = model.fit(hpa.array(pts, split=0)).labels_.numpy()
    A = model.affinity_matrix_
    assert isinstance(A, hpa.sparse.CSRMatrix) and A.split == 0
    ref = SkSpectral(3, affinity="nearest_neighbors", n_neighbors=8, random_state=0).fit(pts)
    np.testing.assert_allclose(A.to_scipy().toarray(), ref.affinity_matrix_.toarray())
    assert adjusted_rand_score(truth, labels) > 0.9
    assert adjusted_rand_score(ref.labels_, labels) == 1.0


def test_spectral_precomputed_sparse_matches_dense() -> None:
    pts, _ = datasets.make_blobs(90, centers=3, cluster_std=0.5, random_state=5)
    C = sk_graph(pts, 6, include_self=True)
    affinity = (0.5 * (C + C.T)).tocsr()
    sparse_labels = (
        SpectralClustering(3, affinity="precomputed", random_state=0)
        .fit(hpa.sparse.csr_matrix(affinity))
        .labels_.numpy()
    )
    dense_labels = (
        SpectralClustering(3, affinity="precomputed", random_state=0)
        .fit(hpa.array(affinity.toarray(), split=0))
        .labels_.numpy()
    )
    assert adjusted_rand_score(dense_labels, sparse_labels) == 1.0


def test_graph_layout_does_not_depend_on_process_count() -> None:
    G = kneighbors_graph(hpa.array(X, split=0), 4)
    assert G.counts == hpa.array(X, split=0).counts
    assert len(G.counts) == P
