"""Scaling every sample (row) to unit norm, with scikit-learn's ``Normalizer`` interface."""

from __future__ import annotations

from typing import Any

import hpa
from hpa.algorithms.base import BaseEstimator, TransformerMixin, check_is_fitted
from hpa.algorithms.preprocessing.scalers import nonzero_scale
from hpa.algorithms.validation import as_data, check_features, check_in

__all__ = ["Normalizer"]


class Normalizer(TransformerMixin, BaseEstimator):
    """Divide every sample by its ``l1``, ``l2`` or ``max`` norm (rows of norm zero are left
    unchanged), as ``sklearn.preprocessing.Normalizer``.

    Parameters
    ----------
    norm : {"l2", "l1", "max"}
        The norm; ``"max"`` is the largest absolute value.
    copy : bool
        Accepted for scikit-learn compatibility: a new array is always returned.

    Attributes
    ----------
    n_features_in_ : int

    Notes
    -----
    Stateless: ``fit`` only checks its input. A sample's norm is a reduction along its row,
    which a row-split (or replicated) ``X`` holds whole, so ``transform`` communicates nothing
    beyond the finiteness check of :func:`as_data` and keeps ``X``'s row layout.
    """

    def __init__(self, norm: str = "l2", *, copy: bool = True) -> None:
        self.norm = norm
        self.copy = copy

    def fit(self, X: Any, y: Any = None) -> Normalizer:
        """Check ``X`` and record its number of features; returns self."""
        check_in("norm", self.norm, ["l1", "l2", "max"])
        self.n_features_in_ = as_data(X).shape[1]
        return self

    def transform(self, X: Any, copy: bool | None = None) -> hpa.Array:
        """Every row of ``X`` divided by its norm."""
        check_is_fitted(self, "n_features_in_")
        check_in("norm", self.norm, ["l1", "l2", "max"])
        X = as_data(X)
        check_features(X, self.n_features_in_, self)
        if self.norm == "l1":
            norms = hpa.sum(hpa.abs(X), axis=1)
        elif self.norm == "l2":
            norms = hpa.sqrt(hpa.sum(X * X, axis=1))
        else:
            norms = hpa.max(hpa.abs(X), axis=1)
        return X / nonzero_scale(norms)[:, None]
