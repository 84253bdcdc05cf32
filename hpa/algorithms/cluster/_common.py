"""Shared pieces of the centre-based cluster estimators (KMeans, KMedians, KMedoids).

Initial centres are rows of the data chosen by :mod:`hpa.random`, whose draws depend only on
the seed and the global index, so the same ``random_state`` picks the same rows at every
process count:

- ``"random"``: the ``k`` rows with the smallest uniform keys (scikit-learn takes the first
  ``k`` of a random permutation, which is the same distribution); one ``allgatherv`` (the
  distributed ``topk``) and the rows' fetch.
- ``++`` seeding (Arthur & Vassilvitskii 2007, with scikit-learn's greedy variant): the first
  row uniformly, then per centre ``n_local_trials`` candidates drawn with probability
  proportional to the potential ``D(i)`` of row ``i`` (the squared distance to the nearest
  centre chosen so far) by an exponential race: candidate ``t`` is the ``argmin`` over ``i``
  of ``E[i, t] / D(i)`` with ``E`` standard exponential (Efraimidis & Spirakis 2006), one
  ``argmin`` collective for all trials. The candidate that lowers the total potential most is
  kept (one ``allreduce`` of the trial potentials). Potentials are computed row by row from
  exact differences, so they do not depend on how the rows are blocked.

The rows themselves are fetched with fancy indexing and replicated (two collectives).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import hpa
from hpa.algorithms.base import (
    BaseEstimator,
    ClusterMixin,
    TransformerMixin,
    check_is_fitted,
)
from hpa.algorithms.validation import as_data, check_features, check_number

__all__ = [
    "KCentersBase",
    "balanced",
    "check_centers",
    "plusplus_indices",
    "random_indices",
    "rows_at",
    "squared_euclidean",
    "tolerance",
]

Potential = Callable[[hpa.Array, hpa.Array], hpa.Array]
"""``potential(X, C)``: an ``n x m`` array of the potential of every row of ``X`` for every
row of ``C`` (split like ``X``)."""


def rows_at(X: hpa.Array, indices: Sequence[int]) -> hpa.Array:
    """The rows of ``X`` at global ``indices``, replicated (two collectives if ``X`` is split)."""
    rows = X[list(indices)]
    return rows.resplit(None)


def squared_euclidean(X: hpa.Array, C: hpa.Array) -> hpa.Array:
    """``|x - c|^2`` for every row ``x`` of ``X`` and ``c`` of ``C`` (replicated), from exact
    differences, one row of ``C`` at a time; local, and each value independent of the blocks."""
    columns = [((X - C[j]) ** 2).sum(axis=1) for j in range(C.shape[0])]
    return hpa.stack(columns, axis=1)


def _draw_split(X: hpa.Array) -> int | None:
    """Random draws over the rows of ``X`` (balanced or replicated) are laid out like them."""
    return None if X.split is None else 0


def random_indices(X: hpa.Array, n_clusters: int) -> list[int]:
    """``n_clusters`` distinct row indices, uniformly at random (the same at every process count).

    ``X`` must be replicated or split along balanced rows.
    """
    keys = hpa.random.random(X.shape[0], split=_draw_split(X), device=X.device)
    picked = hpa.topk(keys, n_clusters, largest=False)[1]
    picked = picked.resplit(None)
    return [int(i) for i in picked.numpy()]


def plusplus_indices(
    X: hpa.Array, n_clusters: int, potential: Potential, n_local_trials: int | None = None
) -> list[int]:
    """Row indices chosen by greedy ``++`` seeding (see the module docstring).

    Parameters
    ----------
    X : hpa.Array
        The samples, replicated or split along balanced rows.
    n_clusters : int
        How many rows to choose.
    potential : callable
        ``potential(X, C)``, the ``n x m`` potentials (squared distances) to the rows of ``C``.
    n_local_trials : int, optional
        Candidates per centre; ``2 + int(log(n_clusters))`` by default, as in scikit-learn.

    Returns
    -------
    list of int
        The chosen global row indices, the same on every rank and at every process count.
    """
    n, split = X.shape[0], _draw_split(X)
    trials = 2 + int(math.log(n_clusters)) if n_local_trials is None else n_local_trials
    first = int(hpa.random.randint(0, n, size=1, device=X.device).numpy()[0])
    chosen = [first]
    closest = potential(X, rows_at(X, chosen))[:, 0].astype(hpa.float64)
    for _ in range(1, n_clusters):
        race = hpa.random.exponential(size=(n, trials), split=split, device=X.device)
        keys = hpa.where(closest[:, None] > 0, race / closest[:, None], hpa.inf)
        candidates = [int(i) for i in hpa.argmin(keys, axis=0).numpy()]
        trial = hpa.minimum(
            potential(X, rows_at(X, candidates)).astype(hpa.float64), closest[:, None]
        )
        best = int(np.argmin(trial.sum(axis=0).numpy()))
        closest = trial[:, best]
        chosen.append(candidates[best])
    return chosen


def check_centers(init: Any, n_clusters: int, X: hpa.Array) -> hpa.Array:
    """Explicit initial centres as a replicated array of ``X``'s dtype on ``X``'s device
    (one reduction: the check for NaN and infinity; one ``allgatherv`` first if ``init`` is a
    split hpa array).

    Raises
    ------
    ValueError
        If ``init`` is not ``n_clusters x n_features``, or contains NaN or infinity.
    """
    # through NumPy also for an hpa array (one allgatherv if it is split): a copy made by
    # ``sklearn.base.clone`` lives on a copy of the communicator
    centers = hpa.array(np.asarray(init), device=X.device).astype(X.dtype)
    if centers.ndim != 2 or centers.shape[0] != n_clusters:
        raise ValueError(
            f"The shape of the initial centers {centers.shape} does not match the number of "
            f"clusters {n_clusters}."
        )
    if centers.shape[1] != X.shape[1]:
        raise ValueError(
            f"The shape of the initial centers {centers.shape} does not match the number of "
            f"features of the data {X.shape[1]}."
        )
    if not bool(hpa.isfinite(centers).all()):
        raise ValueError("The initial centers contain NaN or infinity.")
    return centers


def balanced(X: hpa.Array) -> hpa.Array:
    """``X`` with balanced row blocks (one ``alltoallv`` if they are ragged), so that random
    draws over the rows line up with it."""
    return X if X.split is None or X.is_balanced() else X.balance(copy=True)


def tolerance(X: hpa.Array, tol: float) -> float:
    """scikit-learn's ``_tolerance``: ``tol`` times the mean variance of the features
    (one collective when ``X`` is split)."""
    return 0.0 if tol == 0 else float(hpa.var(X, axis=0).mean()) * tol


class KCentersBase(ClusterMixin, TransformerMixin, BaseEstimator):
    """Parameter checks, data preparation, ``predict`` and ``transform`` shared by the
    estimators whose model is ``n_clusters`` centres in the feature space.

    Subclasses set ``_metric`` (the ``hpa.spatial.cdist`` metric of ``predict`` and
    ``transform``, or override ``_distance``) and ``_init_names`` (the accepted init strings).
    """

    _metric = "euclidean"
    _init_names: tuple[str, ...] = ()
    # set by the subclasses' constructors and ``fit``
    n_clusters: int
    max_iter: int
    init: Any
    cluster_centers_: hpa.Array
    n_features_in_: int

    def _distance(self) -> str:
        return self._metric

    def _check_common(self) -> None:
        check_number("n_clusters", self.n_clusters, numbers.Integral, low=1)
        check_number("max_iter", self.max_iter, numbers.Integral, low=1)
        if isinstance(self.init, str):
            if self.init not in self._init_names:
                raise ValueError(
                    f"The 'init' parameter must be one of {list(self._init_names)} or an "
                    f"array of shape (n_clusters, n_features), got {self.init!r}"
                )
        elif callable(self.init):
            raise NotImplementedError("a callable 'init' is not supported; pass the centres")

    def _data(self, X: Any) -> hpa.Array:
        """``X`` checked: samples in rows, split along them or replicated."""
        X = as_data(X)
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}.")
        return X

    def _new_data(self, X: Any) -> hpa.Array:
        check_is_fitted(self, "cluster_centers_")
        X = as_data(X, dtype=self.cluster_centers_.dtype)
        check_features(X, self.n_features_in_, self)
        return X

    def _finish_labels(self, labels: hpa.Array, like: hpa.Array) -> hpa.Array:
        """Labels as int32 with the row layout of the data given to ``fit``."""
        labels = labels.astype(hpa.int32)
        if labels.split is not None and labels.counts != like.counts:
            labels = labels.redistribute_(like.counts)
        return labels

    def predict(self, X: Any) -> hpa.Array:
        """The index of the nearest centre for every sample (split like ``X``; no
        communication when ``X`` is replicated or split along the samples)."""
        X = self._new_data(X)
        return hpa.argmin(self._distances(X), axis=1).astype(hpa.int32)

    def _distances(self, X: hpa.Array) -> hpa.Array:
        """Distances to the centres from exact differences (local for split or replicated
        rows)."""
        return hpa.spatial.cdist(
            X, self.cluster_centers_, metric=self._distance(), quadratic_expansion=False
        )

    def transform(self, X: Any) -> hpa.Array:
        """The distance of every sample to every centre, ``n_samples x n_clusters``
        (split along the samples like ``X``, or replicated)."""
        return self._distances(self._new_data(X))
