"""DBSCAN (scikit-learn's ``DBSCAN``): density-based clusters of distributed samples.

1. Neighbourhoods: the distances of every rank's rows to all samples come from
   :func:`hpa.spatial.cdist` (the other blocks travel around a ring), and ``d <= eps`` marks
   the neighbours: ``n / p x n`` booleans per rank, never the whole ``n x n`` on one rank.
2. Core samples: at least ``min_samples`` neighbours (weights summed with ``sample_weight``),
   the sample itself included. Local, then one ``allgather`` of the ``n`` core flags.
3. Clusters are the connected components of the core samples: every core sample starts with
   its own index as label and repeatedly takes the smallest label among its core neighbours.
   Each round gathers the ``n`` labels once (one ``allgather``); on the replicated labels
   every rank then follows labels to their labels (pointer jumping, no communication), which
   cuts the number of rounds to about the logarithm of the clusters' diameters, and stops
   when a round changes nothing (every rank sees the same replicated labels, so no vote is
   needed).
4. A component's label is its smallest core index; clusters are numbered by it, which is the
   order in which scikit-learn's depth-first search meets them. A border sample (not core,
   with a core neighbour) joins the lowest-numbered neighbouring cluster, as it does in
   scikit-learn, where clusters are expanded one after the other; other samples are noise
   (``-1``). The labels therefore equal scikit-learn's, not only up to a permutation.
"""

from __future__ import annotations

import numbers
from typing import Any

import hpa
from hpa.algorithms.base import BaseEstimator, ClusterMixin
from hpa.algorithms.validation import CDIST_METRICS, as_data, as_weights, check_in, check_number

__all__ = ["DBSCAN"]

_METRICS = {**CDIST_METRICS, "precomputed": "precomputed"}


class DBSCAN(ClusterMixin, BaseEstimator):
    """Density-based spatial clustering of applications with noise.

    Parameters
    ----------
    eps : float
        The largest distance at which two samples are neighbours.
    min_samples : int
        Neighbours (the sample included; a weight sum with ``sample_weight``) that make a core
        sample.
    metric : str
        ``"euclidean"``, ``"manhattan"`` (``"cityblock"``, ``"l1"``), ``"chebyshev"``,
        ``"minkowski"`` (order ``p``), ``"cosine"``, ``"sqeuclidean"`` or ``"precomputed"``
        (``X`` holds the distances).
    metric_params : dict, optional
        Only ``{"p": value}``.
    algorithm, leaf_size : optional
        Accepted for compatibility; the neighbourhoods are always computed by brute force.
    p : float, optional
        The order of the Minkowski metric (2 by default).
    n_jobs : int, optional
        Accepted for compatibility; the processes are the parallelism.

    Attributes
    ----------
    labels_ : Array
        ``(n_samples,)`` the cluster of every sample (``-1``: noise), laid out like the rows
        of ``X``.
    core_sample_indices_ : Array
        The sorted indices of the core samples, replicated.
    components_ : Array
        The core samples, split along the rows like ``X`` (each rank keeps its own).
    n_features_in_ : int
        The number of features seen in ``fit``.
    """

    def __init__(
        self,
        eps: float = 0.5,
        *,
        min_samples: int = 5,
        metric: str = "euclidean",
        metric_params: dict | None = None,
        algorithm: str = "auto",
        leaf_size: int = 30,
        p: float | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.eps = eps
        self.min_samples = min_samples
        self.metric = metric
        self.metric_params = metric_params
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.p = p
        self.n_jobs = n_jobs

    def _check_params(self) -> float:
        """Validate the parameters; return the Minkowski order."""
        check_number("eps", self.eps, low=0.0, low_open=True)
        check_number("min_samples", self.min_samples, numbers.Integral, low=1)
        if callable(self.metric):
            raise NotImplementedError("callable metrics are not supported; name a metric")
        check_in("metric", self.metric, _METRICS)
        check_in("algorithm", self.algorithm, ("auto", "ball_tree", "kd_tree", "brute"))
        check_number("leaf_size", self.leaf_size, numbers.Integral, low=1)
        check_number("p", self.p, low=0.0, low_open=True, allow_none=True)
        params = self.metric_params or {}
        if not isinstance(params, dict) or set(params) - {"p"}:
            raise NotImplementedError(f"metric_params may only set 'p', got {self.metric_params!r}")
        p = params.get("p", self.p)
        check_number("p", p, low=0.0, low_open=True, allow_none=True)
        if self.n_jobs is not None:
            check_number("n_jobs", self.n_jobs, numbers.Integral)
        return 2.0 if p is None else float(p)

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> DBSCAN:
        """Find the core samples and clusters of ``X``.

        Parameters
        ----------
        X : array_like or Array
            ``(n_samples, n_features)`` samples in any layout, or ``(n_samples, n_samples)``
            distances for ``metric="precomputed"``.
        y : ignored
        sample_weight : array_like, optional
            ``(n_samples,)`` the weight of every sample in the neighbour counts.

        Returns
        -------
        DBSCAN
            The fitted estimator.
        """
        p = self._check_params()
        X = as_data(X, allow_nonfinite=False)
        if self.metric == "precomputed" and X.shape[0] != X.shape[1]:
            raise ValueError(
                f"Precomputed matrix must be square. Input is a {X.shape[0]}x{X.shape[1]} matrix."
            )
        w = as_weights(sample_weight, X, non_negative=False)
        near = self._distances(X, p) <= self.eps
        counts = near.sum(axis=1) if w is None else (near * w.resplit(None)).sum(axis=1)
        core = counts >= self.min_samples
        core_all = core.resplit(None)
        components = _components(near, core, core_all)
        self.labels_ = _labels(near, core_all, components)
        self.core_sample_indices_ = hpa.nonzero(core_all)[0]
        self.components_ = X[core]
        self.n_features_in_ = X.shape[1]
        return self

    def _distances(self, X: hpa.Array, p: float) -> hpa.Array:
        metric = _METRICS[self.metric]
        if metric == "precomputed":
            return X
        if metric == "minkowski" and p == 2.0:
            metric = "euclidean"
        return hpa.spatial.cdist(X, metric=metric, p=p)


def _row_indices(like: hpa.Array) -> hpa.Array:
    """The global index of every row of ``like``, laid out like its rows."""
    n = like.shape[0]
    rows = hpa.arange(n, dtype=hpa.int64, split=like.split, device=like.device)
    if like.split is not None and rows.counts != like.counts:
        rows.redistribute_(like.counts)
    return rows


def _smallest_neighbour(near: hpa.Array, core_all: hpa.Array, labels_all: hpa.Array) -> hpa.Array:
    """For every row, the smallest replicated label among its core neighbours (``n`` if none)."""
    n = near.shape[1]
    candidates = hpa.where(near & core_all, labels_all, n)
    return candidates.min(axis=1)


def _jump(labels: hpa.Array) -> hpa.Array:
    """Follow every label to its label until nothing changes (replicated: no communication)."""
    n = labels.shape[0]
    while True:
        inside = labels < n
        nxt = hpa.where(inside, labels[hpa.where(inside, labels, 0)], labels)
        if bool((nxt == labels).all()):
            return labels
        labels = nxt


def _components(near: hpa.Array, core: hpa.Array, core_all: hpa.Array) -> hpa.Array:
    """The smallest core index of every core sample's component (``n`` elsewhere), replicated."""
    n = near.shape[0]
    labels = hpa.where(core, _row_indices(near), n)
    previous = None
    while True:
        gathered = _jump(labels.resplit(None))
        if previous is not None and bool((gathered == previous).all()):
            return gathered
        previous = gathered
        nearest = _smallest_neighbour(near, core_all, gathered)
        labels = hpa.where(core, hpa.minimum(labels, nearest), n)


def _labels(near: hpa.Array, core_all: hpa.Array, components: hpa.Array) -> hpa.Array:
    """Cluster numbers in the order of their smallest core index; ``-1`` for noise."""
    n = near.shape[0]
    found = _smallest_neighbour(near, core_all, components)
    ids = hpa.unique(components[core_all])
    numbers_ = hpa.searchsorted(ids, found)
    return hpa.where(found < n, numbers_, -1)
