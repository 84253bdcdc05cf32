"""k-medoids clustering with the "alternate" method (scikit-learn-extra's ``KMedoids``).

The centres (medoids) are samples. Each iteration assigns every sample to its nearest medoid,
then, in every cluster, replaces the medoid by the member with the smallest sum of distances
to the other members when that sum is strictly smaller than the current medoid's; it stops
when no medoid changed.

The distances between all samples are computed once from exact differences
(``hpa.spatial.cdist``: the row blocks travel around a ring), so every rank holds ``n / p`` rows of the ``n x n`` matrix ``D`` and no
rank the whole of it. Communication per iteration: the labels are replicated (one
``allgatherv`` of ``n`` integers); the sums of distances from every sample to every cluster,
``D @ M`` with ``M`` the replicated ``n x k`` membership, are local; the best member of every
cluster is one ``argmin`` over the rows (one ``allgather``), and the costs of the best members
and of the current medoids are fetched (two collectives).
"""

from __future__ import annotations

from typing import Any

import numpy as np

import hpa
from hpa.algorithms.base import random_state_scope
from hpa.algorithms.cluster._common import (
    KCentersBase,
    balanced,
    check_centers,
    plusplus_indices,
    random_indices,
    rows_at,
    squared_euclidean,
)
from hpa.algorithms.cluster.kmedians import manhattan_squared

__all__ = ["KMedoids"]

_METRICS = {"euclidean": "euclidean", "manhattan": "cityblock", "cityblock": "cityblock"}


def _sample_indices(X: hpa.Array, centers: hpa.Array) -> list[int]:
    """The index of the first sample equal to each row of ``centers`` (two collectives).

    Raises
    ------
    ValueError
        If a row of ``centers`` is not a sample of ``X``.
    """
    equal = hpa.stack([(X == centers[j]).all(axis=1) for j in range(centers.shape[0])], axis=1)
    if not bool(equal.any(axis=0).all()):
        raise ValueError("The initial medoids passed as init must be samples (rows) of X.")
    return [int(i) for i in hpa.argmax(equal, axis=0).numpy()]


def _update(D: hpa.Array, labels: hpa.Array, medoids: list[int]) -> list[int]:
    """One "alternate" step: every cluster's member with the least sum of distances to the
    members replaces the medoid if that sum is strictly smaller than the medoid's."""
    k = len(medoids)
    everyone = labels.resplit(None)
    clusters = hpa.arange(k, dtype=hpa.int64, device=D.device)[None, :]
    to_cluster = D @ (everyone[:, None] == clusters).astype(D.dtype)  # n x k, local
    inside = hpa.where(labels[:, None] == clusters, to_cluster, hpa.inf)
    best = [int(i) for i in hpa.argmin(inside, axis=0).numpy()]
    costs = rows_at(to_cluster, best + medoids).numpy()
    sizes = np.bincount(everyone.numpy(), minlength=k)
    return [best[j] if sizes[j] and costs[j, j] < costs[k + j, j] else medoids[j] for j in range(k)]


class KMedoids(KCentersBase):
    """k-medoids clustering ("alternate" method) with scikit-learn-extra's interface.

    Parameters
    ----------
    n_clusters : int
        The number of clusters.
    metric : {"euclidean", "manhattan", "cityblock"}
        The distance between samples.
    method : "alternate"
        The only method ("pam" raises ``NotImplementedError``).
    init : {"heuristic", "k-medoids++", "random"} or array_like
        ``"heuristic"``: the ``n_clusters`` samples with the smallest sums of distances to all
        others; ``"k-medoids++"``: greedy ++ seeding with the squared distance as potential;
        ``"random"``: distinct samples at random; an ``n_clusters x n_features`` array whose
        rows are samples of ``X`` (each matched to its first occurrence). ``"build"`` raises
        ``NotImplementedError``.
    max_iter : int
        The most iterations.
    random_state : None, int, numpy RandomState or Generator
        Seed of the random initialisations (the same samples at every process count).

    Attributes
    ----------
    cluster_centers_ : hpa.Array
        The medoids, ``n_clusters x n_features``, replicated.
    medoid_indices_ : hpa.Array
        Their row indices in ``X`` (int64, replicated).
    labels_ : hpa.Array
        The cluster of every training sample (int32), laid out like the rows of ``X``.
    inertia_ : float
        Sum of the distances of the samples to their medoids.
    n_iter_ : int
        Iterations run (scikit-learn-extra reports one less: the index of the last one).
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    Memory: ``n / p`` rows of the ``n x n`` distance matrix per rank. A medoid that is not a
    member of its own cluster (duplicate samples) is compared with the cluster's best member by
    its sum of distances to the members.
    """

    _init_names = ("heuristic", "k-medoids++", "random", "build", "kmedoids++")  # HeAT's last

    def __init__(
        self,
        n_clusters: int = 8,
        metric: str = "euclidean",
        method: str = "alternate",
        init: Any = "heuristic",
        max_iter: int = 300,
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.metric = metric
        self.method = method
        self.init = init
        self.max_iter = max_iter
        self.random_state = random_state

    def _distance(self) -> str:
        return _METRICS[self.metric]

    def _check_params(self) -> None:
        self._check_common()
        if self.metric not in _METRICS:
            raise ValueError(
                f"The 'metric' parameter must be one of {list(_METRICS)}, got {self.metric!r}"
            )
        if self.method == "pam":
            raise NotImplementedError("KMedoids supports method='alternate' only")
        if self.method != "alternate":
            raise ValueError(f"The 'method' parameter must be 'alternate', got {self.method!r}")
        if isinstance(self.init, str) and self.init == "build":
            raise NotImplementedError("KMedoids does not support init='build'")

    def _initial(self, X: hpa.Array, D: hpa.Array) -> list[int]:
        if not isinstance(self.init, str):
            return _sample_indices(X, check_centers(self.init, self.n_clusters, X))
        if self.init == "heuristic":
            picked = hpa.topk(D.sum(axis=1), self.n_clusters, largest=False)[1]
            return [
                int(i) for i in picked.resplit(None).numpy()
            ]
        with random_state_scope(self.random_state):
            if self.init == "random":
                return random_indices(X, self.n_clusters)
            potential = squared_euclidean if self._distance() == "euclidean" else manhattan_squared
            return plusplus_indices(X, self.n_clusters, potential)

    def fit(self, X: Any, y: Any = None) -> KMedoids:
        """Cluster ``X`` (``n_samples x n_features``, split along either axis or replicated).

        Raises
        ------
        ValueError
            For invalid parameters, NaN or infinity in ``X``, fewer samples than clusters, or
            initial medoids that are not samples of ``X``.
        NotImplementedError
            For ``method="pam"`` or ``init="build"``.
        """
        self._check_params()
        X = self._data(X)
        Xw = balanced(X)
        D = hpa.spatial.cdist(Xw, metric=self._distance(), quadratic_expansion=False)
        medoids = self._initial(Xw, D)
        for n_iter in range(1, self.max_iter + 1):
            labels = hpa.argmin(D[:, medoids], axis=1)
            updated = _update(D, labels, medoids)
            if updated == medoids:
                break
            medoids = updated
        to_medoids = D[:, medoids]
        self.cluster_centers_ = rows_at(Xw, medoids)
        self.medoid_indices_ = hpa.array(medoids, dtype=hpa.int64, device=X.device)
        self.labels_ = self._finish_labels(hpa.argmin(to_medoids, axis=1), X)
        self.inertia_ = float(to_medoids.min(axis=1).sum(dtype=hpa.float64))
        self.n_iter_ = n_iter
        self.n_features_in_ = X.shape[1]
        return self

    def score(self, X: Any, y: Any = None) -> float:
        """Minus the sum of the distances of the samples of ``X`` to their nearest medoids:
        ``-inertia_`` for the training data (one collective when ``X`` is split; the same on
        every rank)."""
        return -float(self._distances(self._new_data(X)).min(axis=1).sum(dtype=hpa.float64))
