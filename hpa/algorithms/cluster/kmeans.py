"""k-means clustering with Lloyd's algorithm, as scikit-learn's ``KMeans(algorithm="lloyd")``.

From the same initial centres the iterations, the stopping rule and the results (centres,
labels, inertia, ``n_iter_``) are scikit-learn's, within floating-point tolerance: the data are
centred on their mean first; each iteration assigns every sample to the centre minimising
``|c|^2 - 2 x.c`` and moves each centre to the mean of its samples; it stops when no label
changed (strict convergence) or when the sum of the squared centre shifts is at most ``tol``
times the mean variance of the features, and after a stop without strict convergence the
labels are recomputed for the final centres.

Communication: one collective per iteration. The samples are kept once as
``Xa = [X - mean, 1]`` (split along the rows); an iteration computes the assignment scores
``[-2 C, |c|^2] @ Xa^T`` (``k x n``) and their minimum over the centres locally, builds the
membership matrix ``M`` (``k + 1`` rows: one per cluster, and a last one marking the samples
whose label changed) and contracts it with the samples, ``M @ Xa``: the split axis is contracted, so one ``allreduce``
of ``(k + 1) x (d + 1)`` numbers yields the per-cluster sums, the cluster sizes and the number
of changed labels together. An iteration in which a cluster ends up empty additionally fetches
the samples farthest from their centres (scikit-learn's relocation); ``verbose`` adds the
inertia of each iteration (two reductions). The fit adds a fixed number of collectives: the
mean and variance of the features, the initialisation, and the final inertia.
"""

from __future__ import annotations

import numbers
import warnings
from dataclasses import dataclass
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
    squared_euclidean,
    tolerance,
)
from hpa.algorithms.validation import as_data, check_number, check_verbose

__all__ = ["KMeans", "kmeans_plusplus"]


def kmeans_plusplus(
    X: Any,
    n_clusters: int,
    *,
    random_state: Any = None,
    n_local_trials: int | None = None,
) -> tuple[hpa.Array, hpa.Array]:
    """Initial centres by greedy k-means++ seeding (scikit-learn's ``kmeans_plusplus``).

    Rows are drawn with probability proportional to their squared distance to the nearest
    centre chosen so far, by an exponential race over the global row index, so the result is
    the same at every process count (see :mod:`hpa.algorithms.cluster._common`).

    Parameters
    ----------
    X : array_like or hpa.Array
        The samples, ``n_samples x n_features``.
    n_clusters : int
        The number of centres.
    random_state : None, int, numpy RandomState or Generator
        Seed of the draws.
    n_local_trials : int, optional
        Candidates per centre; ``2 + int(log(n_clusters))`` by default.

    Returns
    -------
    centers : hpa.Array
        ``n_clusters x n_features``, replicated.
    indices : hpa.Array
        The chosen rows' indices (int64, replicated).
    """
    check_number("n_clusters", n_clusters, numbers.Integral, low=1)
    check_number("n_local_trials", n_local_trials, numbers.Integral, low=1, allow_none=True)
    X = balanced(as_data(X))
    if X.shape[0] < n_clusters:
        raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={n_clusters}.")
    with random_state_scope(random_state):
        chosen = plusplus_indices(X, n_clusters, squared_euclidean, n_local_trials)
    return rows_at(X, chosen), hpa.array(chosen, dtype=hpa.int64, device=X.device)


@dataclass
class _Run:
    """The outcome of one Lloyd run."""

    labels: hpa.Array
    inertia: float
    centers: np.ndarray
    n_iter: int


def _scores(Xa: hpa.Array, centers: np.ndarray) -> hpa.Array:
    """``|c|^2 - 2 x.c`` for every sample and centre: one local product with ``Xa = [x, 1]``."""
    weights = np.concatenate([-2 * centers.T, (centers * centers).sum(axis=1)[None, :]])
    return Xa @ hpa.array(weights, device=Xa.device)


def _nearest(Xa: hpa.Array, centers: np.ndarray) -> hpa.Array:
    return hpa.argmin(_scores(Xa, centers), axis=1)


def _nearest_columns(XaT: hpa.Array, centers: np.ndarray) -> hpa.Array:
    """The nearest centre of every sample (as floats) from the scores laid out ``k x n``:
    their product is twice as fast as ``n x k`` (the long axis is the product's output rows).
    On a CPU a running minimum over the ``k`` rows beats ``argmin`` over short rows; on a GPU,
    where every elementwise pass costs a trip through memory, one ``argmin`` over the ``k``
    rows reads the scores once. Ties keep the first centre either way. Local."""
    weights = np.concatenate([-2 * centers, (centers * centers).sum(axis=1)[:, None]], axis=1)
    scores = hpa.array(weights, device=XaT.device) @ XaT
    if XaT.device.kind != "cpu":
        return hpa.argmin(scores, axis=0).astype(XaT.dtype)
    best, nearest = scores[0], hpa.zeros_like(scores[0])
    for j in range(1, centers.shape[0]):
        closer = scores[j] < best
        best = hpa.minimum(best, scores[j])
        nearest = hpa.where(closer, float(j), nearest)
    return nearest


def inertia(X: hpa.Array, centers: np.ndarray, labels: hpa.Array) -> float:
    """Sum of the squared distances of the samples to their centres, from exact differences
    (two collectives when ``X`` is split: the index check and the sum)."""
    C = hpa.array(centers, device=X.device)
    return float(((X - C[labels]) ** 2).sum(dtype=hpa.float64))


def _relocate(
    X: hpa.Array,
    labels: hpa.Array,
    centers: np.ndarray,
    sums: np.ndarray,
    counts: np.ndarray,
) -> None:
    """scikit-learn's rule for empty clusters, in place on ``sums`` and ``counts``: each empty
    cluster takes over one of the samples farthest from their (old) centres, farthest first;
    the sample's label is unchanged, its own cluster loses it."""
    empty = np.flatnonzero(counts == 0)
    labels = labels.astype(hpa.int64)
    C = hpa.array(centers, device=X.device)
    far = ((X - C[labels]) ** 2).sum(axis=1)
    farthest = hpa.topk(far, len(empty))[1]
    picked = [int(i) for i in farthest.resplit(None).numpy()]
    rows = rows_at(X, picked).numpy()
    owners = labels[picked].resplit(None).numpy()
    for cluster, row, owner in zip(empty, rows, owners, strict=True):
        sums[owner] -= row
        counts[owner] -= 1
        sums[cluster] = row
        counts[cluster] = 1


def _update(X: hpa.Array, labels: hpa.Array, centers: np.ndarray, totals: np.ndarray) -> np.ndarray:
    """New centres from the contracted membership: sums times the reciprocal of the sizes
    (as scikit-learn computes them); empty clusters relocated first."""
    k = centers.shape[0]
    sums, counts = totals[:k, :-1].copy(), totals[:k, -1].copy()
    if (counts == 0).any():
        _relocate(X, labels, centers, sums, counts)
    filled = counts > 0
    sums[filled] *= (1 / counts[filled]).astype(sums.dtype)[:, None]
    return sums


def lloyd(Xa: hpa.Array, centers: np.ndarray, max_iter: int, tol: float, verbose: int) -> _Run:
    """Lloyd iterations from ``centers`` on ``Xa = [X, 1]`` (see the module docstring).

    Parameters
    ----------
    Xa : hpa.Array
        The centred samples with a column of ones, split along balanced rows or replicated.
    centers : numpy.ndarray
        Initial centres, ``k x d``, in the samples' dtype.
    max_iter : int
        The most iterations.
    tol : float
        Absolute tolerance on the sum of the squared centre shifts.
    verbose : int
        Print the inertia of every iteration (rank 0).

    Returns
    -------
    _Run
        Labels (int64, laid out like the rows of ``Xa``), inertia, centres and iterations.
    """
    k, d = centers.shape
    X, XaT = Xa[:, :d], Xa.T
    clusters = hpa.arange(k, dtype=Xa.dtype, device=Xa.device)[:, None]
    labels = hpa.full_like(Xa[:, 0], -1)
    strict = False
    for n_iter in range(1, max_iter + 1):
        new = _nearest_columns(XaT, centers)
        member = hpa.concatenate([clusters == new[None, :], (new != labels)[None, :]], axis=0)
        totals = (member.astype(Xa.dtype) @ Xa).numpy()  # the iteration's one allreduce
        labels = new
        if verbose:
            current = inertia(X, centers, labels.astype(hpa.int64))
            report(verbose, f"Iteration {n_iter - 1}, inertia {current}.")
        updated = _update(X, labels, centers, totals)
        shift = float(((updated.astype(np.float64) - centers) ** 2).sum())
        centers = updated
        if totals[k, d] == 0:
            strict = True
            report(verbose, f"Converged at iteration {n_iter - 1}: strict convergence.")
            break
        if shift <= tol:
            report(
                verbose,
                f"Converged at iteration {n_iter - 1}: center shift {shift} within tolerance "
                f"{tol}.",
            )
            break
    labels = _nearest(Xa, centers) if not strict else labels.astype(hpa.int64)
    return _Run(labels, inertia(X, centers, labels), centers, n_iter)


class KMeans(KCentersBase):
    """k-means clustering (Lloyd's algorithm) with scikit-learn's interface.

    Parameters
    ----------
    n_clusters : int
        The number of clusters.
    init : {"k-means++", "random"} or array_like
        ``"k-means++"`` (HeAT's ``"kmeans++"`` and ``"probability_based"`` too): greedy
        k-means++ seeding; ``"random"``: ``n_clusters`` distinct
        samples at random; an ``n_clusters x n_features`` array: the initial centres. Both
        random methods pick the same samples at every process count for a given
        ``random_state`` (see :func:`kmeans_plusplus`).
    n_init : "auto" or int
        Runs from different initial centres; the one with the lowest inertia is kept.
        ``"auto"``: 1 for ``"k-means++"`` and explicit centres, 10 for ``"random"``.
    max_iter : int
        The most Lloyd iterations per run.
    tol : float
        Relative tolerance: a run stops when the sum of the squared centre shifts is at most
        ``tol`` times the mean variance of the features.
    verbose : int
        Print the progress of every iteration (rank 0).
    random_state : None, int, numpy RandomState or Generator
        Seed of the initialisation (hpa's counter-based generator: the same seed gives the same
        result at every process count, but other draws than scikit-learn's).

    Attributes
    ----------
    cluster_centers_ : hpa.Array
        ``n_clusters x n_features``, replicated.
    labels_ : hpa.Array
        The cluster of every training sample (int32), laid out like the rows of ``X``.
    inertia_ : float
        Sum of the squared distances of the samples to their centres.
    n_iter_ : int
        Iterations of the kept run.
    n_features_in_ : int
        Number of features seen in ``fit``.

    Notes
    -----
    Communication: one ``allreduce`` of ``(n_clusters + 1) x (n_features + 1)`` numbers per
    iteration (see :mod:`hpa.algorithms.cluster.kmeans`). Memory: one copy of the samples
    (centred, with a column of ones) besides the input. Float32 data are clustered in float32,
    everything else in float64. ``sample_weight`` is not supported.
    """

    _metric = "euclidean"
    _init_names = ("k-means++", "random", "kmeans++", "probability_based")  # HeAT's last two

    def __init__(
        self,
        n_clusters: int = 8,
        init: Any = "k-means++",
        n_init: str | int = "auto",
        max_iter: int = 300,
        tol: float = 1e-4,
        verbose: int = 0,
        random_state: Any = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.verbose = verbose
        self.random_state = random_state

    def _runs(self, explicit: bool) -> int:
        if self.n_init == "auto":
            return 10 if isinstance(self.init, str) and self.init == "random" else 1
        check_number("n_init", self.n_init, numbers.Integral, low=1)
        if explicit and self.n_init != 1:
            warnings.warn(
                "Explicit initial center position passed: performing only one init in KMeans "
                f"instead of n_init={self.n_init}.",
                RuntimeWarning,
                stacklevel=3,
            )
            return 1
        return int(self.n_init)

    def _initial(self, Xc: hpa.Array, mean: hpa.Array, explicit: hpa.Array | None) -> np.ndarray:
        if explicit is not None:
            return (explicit - mean).numpy()
        if self.init == "random":
            chosen = random_indices(Xc, self.n_clusters)
        else:
            chosen = plusplus_indices(Xc, self.n_clusters, squared_euclidean)
        return rows_at(Xc, chosen).numpy()

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> KMeans:
        """Cluster ``X``.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``n_samples x n_features``; split along either axis or replicated.
        y : ignored
        sample_weight : None
            Not supported.

        Returns
        -------
        KMeans
            ``self``, fitted.

        Raises
        ------
        ValueError
            For invalid parameters, NaN or infinity in ``X``, fewer samples than clusters, or
            initial centres of the wrong shape.
        """
        self._check_common()
        check_number("tol", self.tol, numbers.Real, low=0)
        check_verbose(self.verbose)
        if not (self.n_init == "auto" or isinstance(self.n_init, numbers.Integral)):
            raise ValueError(
                f"The 'n_init' parameter must be 'auto' or an int, got {self.n_init!r}"
            )
        if sample_weight is not None:
            raise NotImplementedError("KMeans does not support sample_weight")
        X = self._data(X)
        explicit = (
            None if isinstance(self.init, str) else check_centers(self.init, self.n_clusters, X)
        )
        runs = self._runs(explicit is not None)
        Xw = balanced(X)
        mean = Xw.mean(axis=0)
        Xc = Xw - mean
        tol = tolerance(Xc, self.tol)
        Xa = hpa.concatenate([Xc, hpa.ones_like(Xc[:, :1])], axis=1)
        best = None
        with random_state_scope(self.random_state):
            for _ in range(runs):
                centers = self._initial(Xc, mean, explicit)
                report(self.verbose, "Initialization complete")
                run = lloyd(Xa, centers, self.max_iter, tol, self.verbose)
                if best is None or run.inertia < best.inertia:
                    best = run
        assert best is not None  # runs >= 1
        self.cluster_centers_ = hpa.array(best.centers, device=X.device) + mean
        self.labels_ = self._finish_labels(best.labels, X)
        self.inertia_ = best.inertia
        self.n_iter_ = best.n_iter
        self.n_features_in_ = X.shape[1]
        return self

    def _labels(self, X: hpa.Array) -> hpa.Array:
        centers = self.cluster_centers_.numpy()
        scores = X @ hpa.array(-2 * centers.T, device=X.device)
        scores = scores + hpa.array((centers * centers).sum(axis=1), device=X.device)
        return hpa.argmin(scores, axis=1).astype(hpa.int32)

    def predict(self, X: Any) -> hpa.Array:
        """The index of the nearest centre for every sample (int32, split like ``X``; no
        communication when ``X`` is split along the samples or replicated)."""
        return self._labels(self._new_data(X))

    def score(self, X: Any, y: Any = None, sample_weight: Any = None) -> float:
        """Minus the inertia of ``X`` with respect to the fitted centres (the same on every
        rank)."""
        if sample_weight is not None:
            raise NotImplementedError("KMeans does not support sample_weight")
        X = self._new_data(X)
        return -inertia(X, self.cluster_centers_.numpy(), self._labels(X))
