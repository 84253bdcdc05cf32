"""Sparse neighbour graphs: ``kneighbors_graph`` against scikit-learn, and spectral clustering
on a sparse affinity (the nearest-neighbour graph, and a precomputed sparse matrix)."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import P, raised_everywhere
from sklearn import datasets
from sklearn.cluster import SpectralClustering as SkSpectral
from sklearn.metrics import adjusted_rand_score
from sklearn.neighbors import KNeighborsClassifier as SkKNN
from sklearn.neighbors import kneighbors_graph as sk_graph

import hpa
from hpa.algorithms.classification import KNeighborsClassifier, kneighbors_graph
from hpa.algorithms.classification.neighbors import neighbour_graph
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
    scipy_model = SpectralClustering(3, affinity="precomputed", random_state=0).fit(affinity)
    assert isinstance(scipy_model.affinity_matrix_, hpa.sparse.CSRMatrix)
    assert scipy_model.affinity_matrix_.split == 0
    assert adjusted_rand_score(dense_labels, scipy_model.labels_.numpy()) == 1.0
    ints = SpectralClustering(3, affinity="precomputed", random_state=0).fit(
        sp.csr_array(C.astype(np.int64) + C.T.astype(np.int64))
    )
    assert ints.affinity_matrix_.dtype == hpa.float64
    assert adjusted_rand_score(dense_labels, ints.labels_.numpy()) == 1.0


@pytest.mark.parametrize("split", [0, None])
@pytest.mark.parametrize("mode", ["connectivity", "distance"])
def test_graph_is_built_on_the_device_of_the_neighbours(
    split: int | None, mode: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The graph's tensors are made on the device of the neighbours found, never on the
    default device (a GPU search gives a GPU graph)."""
    est = KNeighborsClassifier(4).fit(hpa.array(X, split=split), hpa.zeros(37, split=split))
    dist, ind = est.kneighbors(hpa.array(X, split=split))

    def no_default() -> None:
        raise AssertionError("the graph asked for the default device")

    monkeypatch.setattr(hpa.backends, "get_device", no_default)
    G = neighbour_graph(dist, ind, 37, mode)
    monkeypatch.undo()
    assert G.device == ind.device and G.indptr.device == ind.larray.device
    want = sk_graph(X, 4, mode=mode, include_self=True)
    np.testing.assert_allclose(G.to_scipy().toarray(), want.toarray(), atol=1e-7)


def test_graph_layout_does_not_depend_on_process_count() -> None:
    G = kneighbors_graph(hpa.array(X, split=0), 4)
    assert G.counts == hpa.array(X, split=0).counts
    assert len(G.counts) == P
