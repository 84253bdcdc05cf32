"""k-nearest-neighbours classification (scikit-learn's ``KNeighborsClassifier``) by brute force.

``fit`` keeps the training samples where they are (split along the rows, or replicated) with
their encoded labels. A query computes the distances of its samples to every training sample
with :func:`hpa.spatial.cdist`, selects the ``k`` nearest with :func:`hpa.topk` and looks up
their labels by global index:

==================  ==================  ==================================  ====================
queries             training samples    distances and selection             memory per rank
==================  ==================  ==================================  ====================
split 0             split 0             the training blocks travel around   ``n_q / p x n_fit``
                                        a ring (``p - 1`` point-to-point
                                        steps); ``topk`` is local
split 0             replicated          local                               ``n_q / p x n_fit``
replicated          split 0             local block of columns; ``topk``    ``n_q x n_fit / p``
                                        along the split axis: one
                                        ``allgatherv`` of ``k`` candidates
                                        per rank and query
replicated          replicated          local                               ``n_q x n_fit``
==================  ==================  ==================================  ====================

No rank holds the whole ``n_q x n_fit`` distance matrix unless both sides are replicated. The
labels of the neighbours are read from the split training labels by advanced indexing with
global indices (one ``allgatherv`` of the ``n_q x k`` indices and one ``alltoallv`` of
labels). Equal distances are ordered by training index (``topk`` is stable), and equal votes
go to the smallest class, as in scikit-learn.

``algorithm`` and ``leaf_size`` are accepted for compatibility: every algorithm is exact, so
the brute-force search returns the same neighbours as scikit-learn's trees (up to the order of
equal distances).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import torch

import hpa
from hpa.algorithms.base import BaseEstimator, ClassifierMixin, check_is_fitted
from hpa.algorithms.classification._labels import (
    check_targets,
    decode,
    encode,
    one_hot,
    unique_labels,
)
from hpa.algorithms.validation import (
    CDIST_METRICS,
    as_data,
    as_labels,
    check_features,
    check_in,
    check_number,
)

__all__ = ["KNeighborsClassifier", "kneighbors_graph", "neighbour_graph"]

_ALGORITHMS = ("auto", "ball_tree", "kd_tree", "brute")
_METRICS = {**CDIST_METRICS, "precomputed": "precomputed"}


class KNeighborsClassifier(ClassifierMixin, BaseEstimator):
    """Vote among the ``n_neighbors`` nearest training samples.

    Parameters
    ----------
    n_neighbors : int
        The number of neighbours that vote.
    weights : {"uniform", "distance"} or callable
        Equal votes, votes weighted by the inverse distance (a neighbour at distance 0 takes
        the whole vote), or a function mapping the ``(n_queries, k)`` distances (an hpa array)
        to weights of the same shape.
    algorithm : {"auto", "ball_tree", "kd_tree", "brute"}
        Accepted for compatibility; the search is always exact brute force.
    leaf_size : int
        Accepted for compatibility (trees are not built).
    p : float
        The order of the Minkowski metric (1: manhattan, 2: euclidean).
    metric : str
        ``"minkowski"``, ``"euclidean"``, ``"manhattan"`` (``"cityblock"``, ``"l1"``),
        ``"chebyshev"``, ``"sqeuclidean"``, ``"cosine"`` or ``"precomputed"`` (``X`` holds
        the distances to the training samples).
    metric_params : dict, optional
        Only ``{"p": value}``, which overrides ``p``.
    n_jobs : int, optional
        Accepted for compatibility; the processes are the parallelism.

    Attributes
    ----------
    classes_ : Array
        ``(n_classes,)`` the sorted class labels, replicated.
    effective_metric_ : str
        The metric used (``"euclidean"`` for Minkowski with ``p=2``, and so on).
    effective_metric_params_ : dict
        Its parameters.
    n_features_in_ : int
        The number of features seen in ``fit``.
    n_samples_fit_ : int
        The number of training samples.
    outputs_2d_ : bool
        Always False (one output).
    """

    def __init__(
        self,
        n_neighbors: int = 5,
        *,
        weights: Any = "uniform",
        algorithm: str = "auto",
        leaf_size: int = 30,
        p: float = 2,
        metric: str = "minkowski",
        metric_params: dict | None = None,
        n_jobs: int | None = None,
    ) -> None:
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.algorithm = algorithm
        self.leaf_size = leaf_size
        self.p = p
        self.metric = metric
        self.metric_params = metric_params
        self.n_jobs = n_jobs

    def _check_params(self) -> None:
        check_number("n_neighbors", self.n_neighbors, numbers.Integral, low=1)
        if not callable(self.weights):
            check_in("weights", self.weights, ("uniform", "distance"))
        check_in("algorithm", self.algorithm, _ALGORITHMS)
        check_number("leaf_size", self.leaf_size, numbers.Integral, low=1)
        check_number("p", self.p, low=0.0, low_open=True)
        if callable(self.metric):
            raise NotImplementedError("callable metrics are not supported; name a metric")
        check_in("metric", self.metric, _METRICS)
        params = self.metric_params or {}
        if not isinstance(params, dict) or set(params) - {"p"}:
            raise NotImplementedError(f"metric_params may only set 'p', got {self.metric_params!r}")
        if "p" in params:
            check_number("p", params["p"], low=0.0, low_open=True)
        if self.n_jobs is not None:
            check_number("n_jobs", self.n_jobs, numbers.Integral)

    def fit(self, X: Any, y: Any) -> KNeighborsClassifier:
        """Keep the training samples and their labels.

        Parameters
        ----------
        X : array_like or Array
            ``(n_samples, n_features)`` training samples in any layout (distances
            ``(n_samples, n_samples)`` for ``metric="precomputed"``).
        y : array_like or Array
            ``(n_samples,)`` class labels (numbers).

        Returns
        -------
        KNeighborsClassifier
            The fitted estimator.
        """
        self._check_params()
        X = as_data(X)
        if self.metric == "precomputed" and X.shape[0] != X.shape[1]:
            raise ValueError(
                f"Precomputed matrix must be square. Input is a {X.shape[0]}x{X.shape[1]} matrix."
            )
        y = as_labels(y, X)
        check_targets(y)
        self.classes_ = unique_labels(y)
        self._codes = encode(y, self.classes_)
        self._fit_X = X
        self._distance = self._effective_metric()
        self.n_features_in_ = X.shape[1]
        self.n_samples_fit_ = X.shape[0]
        self.outputs_2d_ = False
        return self

    def _effective_metric(self) -> tuple[str, float]:
        """``effective_metric_(_params_)`` as scikit-learn sets them; cdist's (metric, p)."""
        p = float((self.metric_params or {}).get("p", self.p))
        self.effective_metric_params_: dict[str, float] = {}
        self.effective_metric_ = self.metric
        if self.metric != "minkowski":
            return _METRICS[self.metric], 2.0
        named = {1.0: "manhattan", 2.0: "euclidean", math.inf: "chebyshev"}
        if p in named:
            self.effective_metric_ = named[p]
            return _METRICS[named[p]], 2.0
        self.effective_metric_params_["p"] = p
        return "minkowski", p

    def _distances(self, X: hpa.Array | None) -> hpa.Array:
        metric, p = self._distance
        if metric == "precomputed":
            return self._fit_X if X is None else X
        return hpa.spatial.cdist(
            self._fit_X if X is None else X, None if X is None else self._fit_X, metric, p=p
        )

    def _queries(self, X: Any) -> hpa.Array | None:
        check_is_fitted(self, ["classes_", "n_samples_fit_"])
        if X is None:
            return None
        X = as_data(X)
        if self.metric == "precomputed":
            if X.shape[1] != self.n_samples_fit_:
                raise ValueError(
                    f"Precomputed metric requires shape (n_queries, n_indexed). Got {X.shape} "
                    f"for {self.n_samples_fit_} indexed."
                )
        else:
            check_features(X, self.n_features_in_, self)
        return X

    def kneighbors(
        self, X: Any = None, n_neighbors: int | None = None, return_distance: bool = True
    ) -> hpa.Array | tuple[hpa.Array, hpa.Array]:
        """The nearest training samples of every query, closest first.

        Parameters
        ----------
        X : array_like or Array, optional
            ``(n_queries, n_features)``; ``None``: the training samples, each not counted
            as its own neighbour.
        n_neighbors : int, optional
            How many; ``self.n_neighbors`` by default.
        return_distance : bool
            Return the distances as well.

        Returns
        -------
        distances : Array
            ``(n_queries, n_neighbors)``, when ``return_distance``.
        indices : Array
            ``(n_queries, n_neighbors)`` int64 global indices of the training samples.
            Both are split like the queries (replicated queries give replicated results).

        Raises
        ------
        ValueError
            If ``n_neighbors`` exceeds the number of training samples (less one, for
            ``X=None``).
        """
        Q = self._queries(X)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        check_number("n_neighbors", k, numbers.Integral, low=1)
        dist, ind = self._kneighbors(Q, k)
        return (dist, ind) if return_distance else ind

    def kneighbors_graph(
        self, X: Any = None, n_neighbors: int | None = None, mode: str = "connectivity"
    ) -> hpa.sparse.CSRMatrix:
        """The k-nearest-neighbour graph as a sparse matrix (scikit-learn's).

        Parameters
        ----------
        X : array_like or Array, optional
            ``(n_queries, n_features)``; ``None``: the training samples, each not counted as
            its own neighbour.
        n_neighbors : int, optional
            Neighbours per query; ``self.n_neighbors`` by default.
        mode : {"connectivity", "distance"}
            Store ones, or the distances.

        Returns
        -------
        hpa.sparse.CSRMatrix
            ``(n_queries, n_samples_fit)`` with ``n_neighbors`` entries per row, split along
            the rows like the queries (replicated queries give a replicated graph). After
            the search (see the class's table), each rank builds the rows of its queries
            from the neighbours it found: no entry moves, and one ``allgather_object``
            agrees on the parts' rows, width and dtype.
        """
        check_in("mode", mode, ("connectivity", "distance"))
        Q = self._queries(X)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        check_number("n_neighbors", k, numbers.Integral, low=1)
        dist, ind = self._kneighbors(Q, k)
        return neighbour_graph(dist, ind, self.n_samples_fit_, mode)

    def _kneighbors(self, Q: hpa.Array | None, k: int) -> tuple[hpa.Array, hpa.Array]:
        extra = int(Q is None)
        if k + extra > self.n_samples_fit_:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_samples_fit = "
                f"{self.n_samples_fit_}, n_neighbors = {k + extra}"
            )
        D = self._distances(Q)
        dist, ind = hpa.topk(D, k + extra, axis=1, largest=False)
        if ind.split == 1:  # replicated queries against split training samples
            dist, ind = dist.resplit(None), ind.resplit(None)
        if extra:
            dist, ind = _drop_self(dist, ind)
        return dist, ind

    def _votes(self, X: Any) -> hpa.Array:
        """The (weighted) votes ``(n_queries, n_classes)``, each row summing to 1."""
        dist, ind = self._kneighbors(self._queries(X), self.n_neighbors)
        labels = self._codes[ind]
        if labels.split != ind.split:
            labels = labels.resplit(ind.split)
        if self.weights == "uniform":
            w = hpa.ones_like(dist)
        elif self.weights == "distance":
            w = 1.0 / dist
            exact = hpa.isinf(w)
            w = hpa.where(exact.any(axis=1, keepdims=True), exact.astype(w.dtype), w)
        else:
            w = self.weights(dist)
        n_classes = self.classes_.shape[0]
        votes = (one_hot(labels, n_classes, w.dtype) * hpa.expand_dims(w, 2)).sum(axis=1)
        total = votes.sum(axis=1, keepdims=True)
        return votes / hpa.where(total == 0, 1, total)

    def predict_proba(self, X: Any = None) -> hpa.Array:
        """The share of the (weighted) vote of every class, ``(n_queries, n_classes)``.

        ``X=None`` scores the training samples, each without its own vote. Split like ``X``.
        """
        return self._votes(X)

    def predict(self, X: Any = None) -> hpa.Array:
        """The class with the most (weighted) votes for every query, split like ``X``."""
        return decode(hpa.argmax(self._votes(X), axis=1), self.classes_)


def _drop_self(dist: hpa.Array, ind: hpa.Array) -> tuple[hpa.Array, hpa.Array]:
    """Remove every query's own index from its ``k + 1`` neighbours (the training set queried
    with itself), or its first neighbour when duplicates push it out, as scikit-learn does."""
    n, k1 = ind.shape
    rows = hpa.arange(n, dtype=hpa.int64, split=ind.split, device=ind.device)
    if ind.split is not None and rows.counts != ind.counts:
        rows = rows.redistribute_(ind.counts)
    own = ind == hpa.expand_dims(rows, 1)
    at = hpa.argmax(own.astype(hpa.int8), axis=1)  # 0 when the own index is missing
    columns = hpa.expand_dims(hpa.arange(k1 - 1, dtype=hpa.int64, device=ind.device), 0)
    keep = columns + (columns >= hpa.expand_dims(at, 1)).astype(hpa.int64)
    return hpa.take_along_axis(dist, keep, axis=1), hpa.take_along_axis(ind, keep, axis=1)


def neighbour_graph(
    dist: hpa.Array, ind: hpa.Array, n_fit: int, mode: str = "connectivity"
) -> hpa.sparse.CSRMatrix:
    """The sparse ``(n_queries, n_fit)`` graph of every query's neighbours ``ind`` (ones, or
    ``dist`` for ``mode="distance"``), split along the rows like ``ind``, on its device.

    Each rank makes the rows of its queries from the neighbours it holds: no entry moves;
    :func:`hpa.sparse.csr_matrix` agrees on the parts (one ``allgather_object``, none at one
    process).
    """
    rows, k = ind.shape
    local = ind.larray
    values = dist.larray if mode == "distance" else torch.ones_like(dist.larray)
    starts = torch.arange(0, local.shape[0] * k + 1, k, dtype=torch.int64, device=local.device)
    arrays = (values.reshape(-1), local.reshape(-1), starts)
    if ind.split is None:
        return hpa.sparse.csr_matrix(
            arrays, shape=(rows, n_fit), split=None, device=ind.device, comm=ind.comm
        )
    return hpa.sparse.csr_matrix(
        arrays, shape=(local.shape[0], n_fit), is_split=0, device=ind.device, comm=ind.comm
    )


def kneighbors_graph(
    X: Any, n_neighbors: int, *, mode: str = "connectivity", metric: str = "minkowski",
    p: float = 2, metric_params: dict | None = None, include_self: bool = False,
    n_jobs: int | None = None,
) -> hpa.sparse.CSRMatrix:  # fmt: skip
    """The k-nearest-neighbour graph of the samples ``X`` (scikit-learn's
    ``sklearn.neighbors.kneighbors_graph``), sparse and split along the rows like ``X``.

    ``include_self`` counts each sample as its own first neighbour. The search is
    :class:`KNeighborsClassifier`'s (brute force, exact); see its table for what it
    communicates.
    """
    X = as_data(X)
    est = KNeighborsClassifier(
        n_neighbors, metric=metric, p=p, metric_params=metric_params, n_jobs=n_jobs
    )
    est.fit(X, hpa.zeros(X.shape[0], split=X.split, device=X.device, comm=X.comm))
    return est.kneighbors_graph(X if include_self else None, n_neighbors, mode)
