"""hpa.cluster.BatchParallelKMeans and BatchParallelKMedians (HeAT's batch-parallel clustering)
on well-separated blobs, against scikit-learn's KMeans (centres up to permutation, labels with
an adjusted Rand index of 1) and against the feature-wise medians of its clusters, for every
layout of the data (replicated, split along the rows balanced and ragged with an empty block,
split along the features), merging all processes at once or pairwise, float32 and float64;
the inertia, predictions, reproducibility, communication and errors raised on every rank.

The merged centres depend on the number of processes by design: at one process they are the
exact k-means (k-medians) fixed point, at more an approximation within a fraction of the
clusters' spread. Every rank makes the same calls; every check gathers.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.base
from helpers import DATA_LAYOUTS, P, layout_id, make, raised_everywhere
from sklearn.cluster import KMeans as SKKMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

import hpa
from hpa.algorithms.base import NotFittedError
from hpa.cluster import BatchParallelKMeans, BatchParallelKMedians

LAYOUTS = [pytest.param(layout, id=layout_id(layout)) for layout in DATA_LAYOUTS]
K = 5


def blobs(n: int = 300, seed: int = 0) -> np.ndarray:
    return make_blobs(n, 4, centers=K, cluster_std=0.5, random_state=seed)[0]


REFERENCE = SKKMeans(K, n_init=10, random_state=0).fit(blobs())


def matched(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """The rows of ``got`` in the order of their nearest rows of ``want`` (a permutation)."""
    order = np.argmin(np.linalg.norm(got[None, :, :] - want[:, None, :], axis=2), axis=1)
    assert sorted(order.tolist()) == list(range(want.shape[0])), "not a permutation"
    return got[order]


def medians_of(X: np.ndarray, labels: np.ndarray) -> np.ndarray:
    return np.array([np.median(X[labels == j], axis=0) for j in range(K)])


def assert_rows_like(out: hpa.Array, X: hpa.Array) -> None:
    if X.split is None:
        assert out.split is None
    else:
        assert out.split == 0
        if X.split == 0:
            assert out.counts == X.counts


@pytest.mark.parametrize("merge", [None, 2], ids=["merge-all", "merge-pairs"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["f64", "f32"])
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("cls", [BatchParallelKMeans, BatchParallelKMedians])
def test_blobs_against_scikit_learn(
    cls: type, layout: tuple[int | None, bool], dtype: type, merge: int | None
) -> None:
    X = blobs().astype(dtype)
    x = make(X, layout[0], ragged=layout[1])
    model = cls(K, random_state=0, n_procs_to_merge=merge).fit(x)
    centres, labels = model.cluster_centers_, model.labels_
    assert centres.shape == (K, 4) and centres.split is None and centres.dtype == x.dtype
    assert labels.shape == (300,) and labels.dtype == hpa.int32
    assert_rows_like(labels, x)
    assert adjusted_rand_score(REFERENCE.labels_, labels.numpy()) == 1.0
    if cls is BatchParallelKMeans:
        want = REFERENCE.cluster_centers_
        distances = np.linalg.norm(X[:, None, :] - centres.numpy()[None], axis=2)
        inertia = float(np.sum(distances.min(axis=1) ** 2))
    else:
        want = medians_of(X.astype(np.float64), REFERENCE.labels_)
        distances = np.abs(X[:, None, :] - centres.numpy()[None]).sum(axis=2)
        inertia = float(np.sum(distances.min(axis=1)))
    exact = P == 1 and dtype == np.float64
    np.testing.assert_allclose(matched(centres.numpy(), want), want, atol=1e-8 if exact else 0.2)
    np.testing.assert_allclose(model.inertia_, inertia, rtol=1e-4)
    assert model.functional_value_ == model.inertia_
    local, merging = model.n_iter_
    assert local >= 1
    # at two processes with an empty block, the merge receives just k centres: no iteration
    assert (merging >= 1) == (P > 1 and not (P == 2 and layout[1]))
    np.testing.assert_array_equal(model.predict(x).numpy(), labels.numpy())


@pytest.mark.parametrize("cls", [BatchParallelKMeans, BatchParallelKMedians])
def test_predict_new_data(cls: type) -> None:
    """The nearest centre (euclidean / L1) of new samples, laid out like them."""
    model = cls(K, random_state=1).fit(make(blobs(), 0))
    new = blobs(61, seed=1)
    centres = model.cluster_centers_.numpy()
    order = 2 if cls is BatchParallelKMeans else 1
    want = np.linalg.norm(new[:, None, :] - centres[None], ord=order, axis=2).argmin(axis=1)
    for split in (None, 0, 1):
        got = model.predict(make(new, split))
        assert got.split == (None if split is None else 0)
        np.testing.assert_array_equal(got.numpy(), want)


def test_reproducible_and_layout_independent() -> None:
    """The same seed gives the same centres; a replicated array is cut into the balanced
    blocks, so it gives those of the balanced split."""
    X = blobs()
    a = BatchParallelKMeans(K, random_state=3).fit(make(X, 0)).cluster_centers_.numpy()
    b = BatchParallelKMeans(K, random_state=3).fit(make(X, 0)).cluster_centers_.numpy()
    c = BatchParallelKMeans(K, random_state=3).fit(make(X, None)).cluster_centers_.numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    hpa.random.seed(4)
    d = BatchParallelKMeans(K).fit(make(X, 0)).cluster_centers_.numpy()
    hpa.random.seed(4)
    e = BatchParallelKMeans(K).fit(make(X, 0)).cluster_centers_.numpy()
    np.testing.assert_array_equal(d, e)


def test_as_many_samples_as_clusters() -> None:
    """Every process passes its few samples on; the centres are the samples."""
    X = blobs()[:K]
    model = BatchParallelKMeans(K, random_state=0).fit(make(X, 0))
    np.testing.assert_allclose(np.sort(model.cluster_centers_.numpy(), axis=0), np.sort(X, axis=0))
    assert model.inertia_ == pytest.approx(0.0, abs=1e-20)
    assert sorted(model.labels_.numpy().tolist()) == list(range(K))


@pytest.mark.parametrize("merge", [None, 2])
def test_one_exchange_per_level(merge: int | None) -> None:
    """The local clustering communicates nothing; every level of the tree moves the centres
    once (one alltoallv)."""
    x = make(blobs(), 0)
    with hpa.count_collectives() as stats:
        BatchParallelKMeans(K, random_state=0, n_procs_to_merge=merge).fit(x)
    levels = 0 if P == 1 else (1 if merge is None else int(np.ceil(np.log2(P))))
    assert stats["alltoallv"] == levels, stats


def test_parameters_and_clone() -> None:
    model = BatchParallelKMedians(3, max_iter=20, random_state=2, n_procs_to_merge=2)
    params = model.get_params()
    assert params["init"] == "k-medians++" and params["n_procs_to_merge"] == 2
    assert sklearn.base.clone(model).get_params() == params
    assert repr(BatchParallelKMeans(4)) == "BatchParallelKMeans(n_clusters=4)"


def test_errors_are_raised_everywhere() -> None:
    x = make(blobs(), 0)
    fitted = BatchParallelKMeans(K, random_state=0).fit(x)
    cases = [
        (ValueError, lambda: BatchParallelKMeans(0).fit(x)),
        (TypeError, lambda: BatchParallelKMeans(2.5).fit(x)),
        (NotImplementedError, lambda: BatchParallelKMeans(init="random").fit(x)),
        (NotImplementedError, lambda: BatchParallelKMedians(init="random").fit(x)),
        (ValueError, lambda: BatchParallelKMeans(init="k-medians++").fit(x)),
        (TypeError, lambda: BatchParallelKMeans(init=np.ones((K, 4))).fit(x)),
        (ValueError, lambda: BatchParallelKMeans(max_iter=0).fit(x)),
        (ValueError, lambda: BatchParallelKMeans(tol=0.0).fit(x)),
        (TypeError, lambda: BatchParallelKMeans(random_state=1.5).fit(x)),
        (ValueError, lambda: BatchParallelKMeans(n_procs_to_merge=1).fit(x)),
        (TypeError, lambda: BatchParallelKMeans(n_procs_to_merge=2.0).fit(x)),
        (ValueError, lambda: BatchParallelKMeans(K).fit(make(blobs()[:3], 0))),
        (ValueError, lambda: BatchParallelKMeans(K).fit(make(np.full((10, 2), np.nan), 0))),
        (NotFittedError, lambda: BatchParallelKMeans(K).predict(x)),
        (ValueError, lambda: fitted.predict(make(np.ones((4, 3)), 0))),
    ]
    for exc, call in cases:
        raised_everywhere(exc, call)
