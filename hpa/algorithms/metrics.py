"""Scores of predictions against targets, as scikit-learn defines them.

Each score is a reduction over the samples, so it costs one collective when the samples are
split, and every rank returns the same Python float.
"""

from __future__ import annotations

from typing import Any

import hpa
from hpa.algorithms.validation import as_data, as_targets

__all__ = ["accuracy_score", "mean_squared_error", "r2_score"]


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
    w2 = None if w is None else hpa.expand_dims(w, 1)
    if w2 is None:
        mean = y.mean(axis=0)
        both = hpa.stack([((y - pred) ** 2).sum(axis=0), ((y - mean) ** 2).sum(axis=0)])
    else:
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
