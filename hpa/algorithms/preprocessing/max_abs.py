"""``MaxAbsScaler``: scale every feature by its largest absolute value, as
``sklearn.preprocessing.MaxAbsScaler`` (and HeAT's).

NaN is a missing value, as in scikit-learn: ignored by ``fit`` and kept by ``transform``;
infinity raises ``ValueError``. Fitting on row-split data is one reduction over the samples
(the ``nanmax`` of ``|X|``: one ``allreduce``), which also reveals infinity, so every rank
raises together; ``transform`` and ``inverse_transform`` are local (the output keeps ``X``'s
row layout) after one reduction that looks for infinity.
"""

from __future__ import annotations

from typing import Any

import hpa
from hpa.algorithms.base import BaseEstimator, TransformerMixin, check_is_fitted
from hpa.algorithms.preprocessing.scalers import nonzero_scale
from hpa.algorithms.validation import as_data, check_features, check_in

__all__ = ["MaxAbsScaler"]


def _no_infinity(found: bool) -> None:
    if found:
        raise ValueError("Input X contains infinity or a value too large for its dtype.")


class MaxAbsScaler(TransformerMixin, BaseEstimator):
    """Scale each feature to ``[-1, 1]`` by its maximum absolute value, without centring.

    Parameters
    ----------
    copy : bool
        Accepted for scikit-learn compatibility: a new array is always returned.

    Attributes
    ----------
    max_abs_ : hpa.Array
        ``(n_features,)``, replicated: the largest ``|x|`` of every feature, NaN ignored (NaN
        for a feature that is NaN in every sample).
    scale_ : hpa.Array
        ``max_abs_`` with near-zero values (below ten times the dtype's epsilon) set to 1.
    n_samples_seen_ : int
        Samples seen by ``fit`` and ``partial_fit`` (NaN included).
    n_features_in_ : int

    Notes
    -----
    float32 data are scaled in float32, every other dtype in float64.
    """

    max_abs_: hpa.Array
    scale_: hpa.Array
    n_samples_seen_: int
    n_features_in_: int

    def __init__(self, *, copy: bool = True) -> None:
        self.copy = copy

    def fit(self, X: Any, y: Any = None) -> MaxAbsScaler:
        """Compute the largest absolute value of every feature of ``X``; returns self.

        One ``allreduce`` when ``X`` is split along the samples (one ``alltoallv`` before it
        when it is split along the features).

        Raises
        ------
        ValueError
            If ``X`` is not 2-D, has no samples or features, or contains infinity.
        """
        for name in ("max_abs_", "scale_", "n_samples_seen_", "n_features_in_"):
            self.__dict__.pop(name, None)
        return self.partial_fit(X, y)

    def partial_fit(self, X: Any, y: Any = None) -> MaxAbsScaler:
        """Merge the batch ``X`` into the running maximum absolute values; returns self.

        Communicates as :meth:`fit`. A feature that was NaN in every sample of a batch stays
        NaN, as in scikit-learn.
        """
        check_in("copy", self.copy, [True, False])
        first = not hasattr(self, "n_samples_seen_")
        X = as_data(X, allow_nonfinite=True)
        if not first:
            check_features(X, self.n_features_in_, self)
        max_abs = hpa.nanmax(hpa.abs(X), axis=0).resplit(None)
        _no_infinity(bool(hpa.isinf(max_abs).any()))
        if first:
            self.n_samples_seen_ = X.shape[0]
        else:
            max_abs = hpa.maximum(self.max_abs_, max_abs)
            self.n_samples_seen_ += X.shape[0]
        self.n_features_in_ = X.shape[1]
        self.max_abs_ = max_abs
        self.scale_ = nonzero_scale(max_abs)
        return self

    def _data(self, X: Any) -> hpa.Array:
        check_is_fitted(self, "scale_")
        X = as_data(X, allow_nonfinite=True)
        check_features(X, self.n_features_in_, self)
        _no_infinity(bool(hpa.isinf(X).any()))
        return X

    def transform(self, X: Any) -> hpa.Array:
        """``X / scale_`` (local after the check for infinity; ``X``'s row layout)."""
        X = self._data(X)
        return X / self.scale_.astype(X.dtype)

    def inverse_transform(self, X: Any) -> hpa.Array:
        """``X * scale_`` (local after the check for infinity; ``X``'s row layout)."""
        X = self._data(X)
        return X * self.scale_.astype(X.dtype)
