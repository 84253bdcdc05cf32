"""Scores of predictions against targets, as scikit-learn defines them.

Each score is a reduction over the samples, so it costs one collective when the samples are
split, and every rank returns the same Python float.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

import hpa
from hpa.algorithms.base import random_state_scope
from hpa.algorithms.validation import CDIST_METRICS, as_data, as_targets, check_number

__all__ = ["accuracy_score", "mean_squared_error", "r2_score", "silhouette_score"]


def _pair(y_true: Any, y_pred: Any) -> tuple[hpa.Array, hpa.Array]:
    """Targets and predictions with the same row layout."""
    y_true = as_data(y_true, "y_true", ndim=(1, 2), dtype=None, allow_nonfinite=True)
    return y_true, as_targets(y_pred, y_true, "y_pred")


def _weights(sample_weight: Any, y: hpa.Array) -> hpa.Array | None:
    if sample_weight is None:
        return None
    w = as_targets(sample_weight, y, "sample_weight", dtype=hpa.float64)
    if w.ndim != 1:
        raise ValueError(f"sample_weight must be 1-d, got shape {w.shape}")
    return w


def accuracy_score(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """The fraction (or weighted fraction) of samples whose prediction equals the target.

    Parameters
    ----------
    y_true, y_pred : array_like or hpa.Array
        1-d labels, one per sample.
    sample_weight : array_like, optional
        A weight per sample.

    Returns
    -------
    float
        Between 0 and 1; the same on every rank.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    hits = (y_true == y_pred).astype(hpa.float64)
    if hits.ndim == 2:  # multi-output: a sample counts when every output matches
        hits = hits.min(axis=1)
    w = _weights(sample_weight, y_true)
    if w is None:
        return float(hits.mean()) if hits.shape[0] else float("nan")
    return float((hits * w).sum() / w.sum())


def mean_squared_error(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """The (weighted) mean of the squared errors, averaged over outputs.

    Returns
    -------
    float
        The same on every rank.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    err = (y_true.astype(hpa.float64) - y_pred) ** 2
    if err.ndim == 1:
        err = hpa.expand_dims(err, 1)
    w = _weights(sample_weight, y_true)
    per_output = err.mean(axis=0) if w is None else (err * w[:, None]).sum(axis=0) / w.sum()
    return float(per_output.mean())


def r2_score(y_true: Any, y_pred: Any, sample_weight: Any = None) -> float:
    """The coefficient of determination R^2, averaged uniformly over outputs.

    An output whose targets are constant scores 1 when predicted exactly and 0 otherwise, as
    in scikit-learn.

    Returns
    -------
    float
        At most 1; the same on every rank.
    """
    y_true, y_pred = _pair(y_true, y_pred)
    y = y_true.astype(hpa.float64)
    pred = y_pred.astype(hpa.float64)
    if y.ndim == 1:
        y, pred = hpa.expand_dims(y, 1), hpa.expand_dims(pred, 1)
    w = _weights(sample_weight, y_true)
    if w is None:
        mean = y.mean(axis=0)
        both = hpa.stack([((y - pred) ** 2).sum(axis=0), ((y - mean) ** 2).sum(axis=0)])
    else:
        w2 = hpa.expand_dims(w, 1)
        mean = (y * w2).sum(axis=0) / w.sum()
        both = hpa.stack([(w2 * (y - pred) ** 2).sum(axis=0), (w2 * (y - mean) ** 2).sum(axis=0)])
    residual, total = both.numpy()
    scores = []
    for r, t in zip(residual, total, strict=True):
        if t != 0:
            scores.append(1.0 - r / t)
        else:
            scores.append(1.0 if r == 0 else 0.0)
    return float(sum(scores) / len(scores))


_SILHOUETTE_BLOCK_BYTES = 64 << 20  # distances held per rank at a time


def silhouette_score(
    X: Any,
    labels: Any,
    metric: str = "euclidean",
    sample_size: int | None = None,
    random_state: Any = None,
) -> float:
    """The mean silhouette coefficient of all samples, as scikit-learn defines it.

    For sample ``i`` with mean distance ``a`` to the other members of its cluster and smallest
    mean distance ``b`` to the members of another cluster, ``s = (b - a) / max(a, b)``; a
    sample alone in its cluster scores 0.

    Parameters
    ----------
    X : array_like or hpa.Array
        The samples, ``n_samples x n_features``; computed in float64.
    labels : array_like or hpa.Array
        The cluster of every sample (integers).
    metric : str
        ``"euclidean"`` (``"l2"``), ``"sqeuclidean"``, ``"manhattan"`` (``"cityblock"``,
        ``"l1"``), ``"cosine"``, ``"chebyshev"`` (``"infinity"``) or ``"minkowski"`` (order 2).
    sample_size : int, optional
        Score a random subset of this many samples: the first ``sample_size`` of
        ``hpa.random.permutation(n_samples)`` drawn from ``random_state`` (the same subset at
        every process count, but another one than scikit-learn draws).
    random_state : None, int, numpy RandomState or Generator
        Seed of the subset.

    Returns
    -------
    float
        Between -1 and 1; the same on every rank.

    Raises
    ------
    ValueError
        If the number of distinct labels is not between 2 and ``n_samples - 1``, or for an
        unknown metric or invalid ``sample_size``.

    Notes
    -----
    The distances are computed in blocks of rows: block ``j`` of ``m`` takes every ``m``-th
    sample of every rank (``X[j::m]``, no communication), meets all samples (the row blocks of
    ``X`` travel around a ring, ``hpa.spatial.cdist``) and is summed per cluster by a local
    product with the replicated ``n x k`` membership matrix; ``m`` keeps each rank's block of
    distances under 64 MiB. No rank holds the ``n x n`` matrix. Communication: the labels are
    replicated once (one ``allgatherv``), then per block the ring and one ``allreduce``.
    """
    if metric not in CDIST_METRICS:
        raise ValueError(f"Unknown metric {metric!r}; supported: {sorted(CDIST_METRICS)}")
    X = as_data(X, dtype=hpa.float64)
    labels = as_targets(labels, X, "labels")
    if labels.ndim != 1:
        raise ValueError(f"labels must be 1-d, got shape {labels.shape}")
    if sample_size is not None:
        check_number("sample_size", sample_size, numbers.Integral, low=1, high=X.shape[0])
        with random_state_scope(random_state):
            picked = hpa.random.permutation(X.shape[0], device=X.device)[:sample_size]
        X, labels = X[picked], labels[picked]
        labels = as_targets(labels, X, "labels")
    everyone = labels.resplit(None).numpy()
    names, codes, sizes = np.unique(everyone, return_inverse=True, return_counts=True)
    n = X.shape[0]
    if not 1 < len(names) < n:
        raise ValueError(
            f"Number of labels is {len(names)}. Valid values are 2 to n_samples - 1 (inclusive)"
        )
    members = hpa.array(np.eye(len(names))[codes], device=X.device)  # n x k, replicated
    own = as_targets(codes, X, "labels")
    return _silhouette_sum(X, own, members, sizes, CDIST_METRICS[metric]) / n


def _silhouette_sum(
    X: hpa.Array, codes: hpa.Array, members: hpa.Array, sizes: np.ndarray, metric: str
) -> float:
    """The sum of the silhouettes of all samples, block of rows by block of rows."""
    n, k = members.shape
    local_rows = max(X.counts) if X.counts is not None else n
    blocks = max(1, math.ceil(local_rows * n * 8 / _SILHOUETTE_BLOCK_BYTES))
    sizes_f = hpa.array(sizes.astype(np.float64), device=X.device)
    clusters = hpa.arange(k, device=X.device)[None, :]
    total = 0.0
    for j in range(blocks):
        rows, mine = X[j::blocks], codes[j::blocks]
        distances = hpa.spatial.cdist(rows, X, metric=metric, quadratic_expansion=False)
        sums = distances @ members  # rows x k
        inside = mine[:, None] == clusters
        a = hpa.where(inside, sums, 0.0).sum(axis=1) / (sizes_f[mine] - 1)
        b = hpa.where(inside, hpa.inf, sums / sizes_f).min(axis=1)
        s = hpa.nan_to_num((b - a) / hpa.maximum(a, b))
        total += float(s.sum())
    return total
