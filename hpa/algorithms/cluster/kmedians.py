"""k-medians clustering: Lloyd-style iterations with the L1 distance and per-feature medians.

Each iteration assigns every sample to the centre nearest in the L1 (manhattan) distance and
moves each centre to the feature-wise median of its samples (NumPy's median: the mean of the
two middle values for an even count). It stops, like :class:`~hpa.algorithms.cluster.KMeans`,
when no label changed or when the sum of the squared centre shifts is at most ``tol`` times
the mean variance of the features; after a stop without strict convergence the labels are
recomputed for the final centres. A cluster left empty keeps its previous centre.

Communication per iteration: the labels are computed where the samples are (split along the
rows, no communication) and replicated (one ``allgatherv`` of ``n`` integers); the medians are
computed on a second copy of the samples split along the features, made once per fit (one
``alltoallv``), where every rank holds whole columns and selects and sorts each cluster's
values locally; the ``k x d`` medians are then replicated (one ``allgatherv``). So two
collectives per iteration, moving ``n`` labels and ``k x d`` centres, never the samples.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np

import hpa
from hpa.algorithms.base import random_state_scope, report
from hpa.algorithms.cluster._common import (
    KCentersBase,
    balanced,
    check_centers,
    plusplus_indices,
    random_indices,
    rows_at,
    tolerance,
)
from hpa.algorithms.validation import check_number, check_verbose

__all__ = ["KMedians"]


def manhattan_squared(X: hpa.Array, C: hpa.Array) -> hpa.Array:
    """Squared L1 distances, the k-medians++ potential, one row of ``C`` at a time."""
    columns = [hpa.abs(X - C[j]).sum(axis=1) ** 2 for j in range(C.shape[0])]
    return hpa.stack(columns, axis=1)


def _medians(columns: hpa.Array, labels: np.ndarray, previous: np.ndarray) -> np.ndarray:
    """The feature-wise median of every cluster; an empty cluster keeps its centre.

    ``columns`` holds the samples split along the features (or replicated), so every
    selection and sort is local. The samples are gathered once in the order of their
    clusters (a stable order: each cluster's samples keep their order), so every cluster is a
    slice of consecutive rows: no per-cluster indexing (one ``hpa.median`` per non-empty
    cluster remains); the result is replicated with one ``allgatherv``.
    """
    sizes = np.bincount(labels, minlength=previous.shape[0])
    bounds = np.concatenate([[0], np.cumsum(sizes)]).tolist()
    grouped = columns[np.argsort(labels, kind="stable")]
    filled = np.flatnonzero(sizes)
    medians = hpa.stack([hpa.median(grouped[bounds[j] : bounds[j + 1]], axis=0) for j in filled])
    centers = previous.copy()
    centers[filled] = medians.resplit(None).numpy()
    return centers


class KMedians(KCentersBase):
    """k-medians clustering (L1 distance, feature-wise medians as centres).

    Parameters
    ----------
    n_clusters : int
        The number of clusters.
    init : {"k-medians++", "random"} or array_like
        ``"k-medians++"``: greedy ++ seeding with the squared L1 distance as potential;
        ``"random"``: ``n_clusters`` distinct samples at random; an
        ``n_clusters x n_features`` array: the initial centres. The random methods pick the
        same samples at every process count for a given ``random_state``.
    max_iter : int
        The most iterations.
    tol : float
        Relative tolerance on the sum of the squared centre shifts (times the mean variance of
        the features).
    verbose : int
        Print the progress of every iteration (rank 0).
    random_state : None, int, numpy RandomState or Generator
        Seed of the initialisation.

    Attributes
    ----------
    cluster_centers_ : hpa.Array
        ``n_clusters x n_features``, replicated.
    labels_ : hpa.Array
        The cluster of every training sample (int32), laid out like the rows of ``X``.
    inertia_ : float
        Sum of the L1 distances of the samples to their centres.
    n_iter_ : int
        Iterations run.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    Two collectives per iteration (see :mod:`hpa.algorithms.cluster.kmedians`); memory: a
    second copy of the samples, split along the features, and during each iteration a third,
    its rows ordered by cluster.
    """

    _metric = "cityblock"
    _init_names = ("k-medians++", "random", "kmedians++", "probability_based")  # HeAT's last two

    def __init__(
        self,
        n_clusters: int = 8,
        init: Any = "k-medians++",
        max_iter: int = 300,
        tol: float = 1e-4,
        verbose: int = 0,
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state

    def _initial(self, X: hpa.Array) -> np.ndarray:
        if not isinstance(self.init, str):
            return check_centers(self.init, self.n_clusters, X).numpy()
        with random_state_scope(self.random_state):
            if self.init == "random":
                chosen = random_indices(X, self.n_clusters)
            else:
                chosen = plusplus_indices(X, self.n_clusters, manhattan_squared)
        return rows_at(X, chosen).numpy()

    def _nearest(self, X: hpa.Array, centers: np.ndarray) -> hpa.Array:
        C = hpa.array(centers, device=X.device)
        return hpa.argmin(hpa.spatial.cdist(X, C, metric="cityblock"), axis=1)

    def fit(self, X: Any, y: Any = None) -> KMedians:
        """Cluster ``X`` (``n_samples x n_features``, split along either axis or replicated).

        Raises
        ------
        ValueError
            For invalid parameters, NaN or infinity in ``X``, fewer samples than clusters, or
            initial centres of the wrong shape.
        """
        self._check_common()
        check_number("tol", self.tol, numbers.Real, low=0)
        check_verbose(self.verbose)
        X = self._data(X)
        Xw = balanced(X)
        centers = self._initial(Xw)
        tol = tolerance(Xw, self.tol)
        columns = Xw if Xw.split is None else Xw.resplit(1)
        previous = None
        for n_iter in range(1, self.max_iter + 1):
            labels = self._nearest(Xw, centers)
            everyone = labels.resplit(None).numpy()
            updated = _medians(columns, everyone, centers)
            shift = float(((updated - centers) ** 2).sum())
            centers = updated
            report(self.verbose, f"Iteration {n_iter - 1}, center shift {shift}.")
            if previous is not None and np.array_equal(everyone, previous):
                report(self.verbose, f"Converged at iteration {n_iter - 1}: strict convergence.")
                break
            previous = everyone
            if shift <= tol:
                report(
                    self.verbose,
                    f"Converged at iteration {n_iter - 1}: center shift {shift} within "
                    f"tolerance {tol}.",
                )
                labels = self._nearest(Xw, centers)
                break
        else:
            labels = self._nearest(Xw, centers)
        C = hpa.array(centers, device=X.device)
        self.cluster_centers_ = C
        self.labels_ = self._finish_labels(labels, X)
        self.inertia_ = float(hpa.spatial.cdist(Xw, C, metric="cityblock").min(axis=1).sum())
        self.n_iter_ = n_iter
        self.n_features_in_ = X.shape[1]
        return self

    def score(self, X: Any, y: Any = None) -> float:
        """Minus the sum of the L1 distances of the samples of ``X`` to their nearest
        centres: ``-inertia_`` for the training data (one collective when ``X`` is split; the
        same on every rank)."""
        return -float(self._distances(self._new_data(X)).min(axis=1).sum(dtype=hpa.float64))
