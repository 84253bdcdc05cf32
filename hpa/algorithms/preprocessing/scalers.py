"""Feature scalers with scikit-learn's interface: ``StandardScaler``, ``MinMaxScaler`` and
``RobustScaler``.

Fitting reduces over the samples (axis 0), so on row-split data each statistic costs one
collective and every rank ends with the same replicated per-feature vectors; transforming is
elementwise and local (the output keeps ``X``'s row layout). Unlike scikit-learn, NaN is not
treated as a missing value: data containing NaN or infinity raise ``ValueError``.
"""

from __future__ import annotations

import numbers
from statistics import NormalDist
from typing import Any

import hpa
from hpa.algorithms.base import BaseEstimator, TransformerMixin, check_is_fitted
from hpa.algorithms.validation import as_data, check_features, check_in

__all__ = ["MinMaxScaler", "RobustScaler", "StandardScaler"]

_EPS64 = 2.220446049250313e-16


def nonzero_scale(scale: hpa.Array, constant: hpa.Array | None = None) -> hpa.Array:
    """scikit-learn's ``_handle_zeros_in_scale``: near-zero (or ``constant``) scales become 1."""
    if constant is None:
        constant = scale < 10 * hpa.finfo(scale.dtype).eps
    return hpa.where(constant, 1.0, scale).astype(scale.dtype)


def _finite(*stats: hpa.Array) -> None:
    """Raise on every rank when a statistic of the data is not finite (NaN or infinity in
    ``X``); the statistics are replicated, so no communication."""
    if not all(bool(hpa.isfinite(s).all()) for s in stats):
        raise ValueError("Input X contains NaN or infinity.")


def _check_bool(name: str, value: Any) -> None:
    check_in(name, value, [True, False])


class _Scaler(TransformerMixin, BaseEstimator):
    """Data checks shared by the scalers."""

    # fitted: per-feature vectors (hpa.Array), None where a flag turns a statistic off
    n_features_in_: int
    n_samples_seen_: Any
    mean_: Any
    var_: Any
    scale_: Any
    center_: Any
    data_min_: Any
    data_max_: Any
    _var: Any

    def _data(self, X: Any) -> hpa.Array:
        """``X`` for ``transform``/``inverse_transform``, checked against the fit."""
        check_is_fitted(self, "n_features_in_")
        X = as_data(X)
        check_features(X, self.n_features_in_, self)
        return X


class StandardScaler(_Scaler):
    """Standardise features: ``(x - mean_) / scale_``, as ``sklearn.preprocessing.StandardScaler``.

    Parameters
    ----------
    copy : bool
        Accepted for scikit-learn compatibility: a new array is always returned.
    with_mean : bool
        Subtract the mean.
    with_std : bool
        Divide by the standard deviation (1 for constant features).

    Attributes
    ----------
    mean_ : hpa.Array or None
        ``(n_features,)``, replicated; None when neither ``with_mean`` nor ``with_std``.
    var_ : hpa.Array or None
        Population variances, replicated; None without ``with_std``.
    scale_ : hpa.Array or None
        ``sqrt(var_)`` with near-constant features set to 1; None without ``with_std``.
    n_samples_seen_ : int
    n_features_in_ : int

    Notes
    -----
    ``fit`` on row-split data costs two collectives: one ``allreduce`` (the mean) and one
    ``allgather`` (the per-rank moments merged by Chan et al.'s update); NaN and infinity are
    detected from these statistics, without a separate check. ``partial_fit`` merges a batch
    into the running moments the same way.
    """

    def __init__(self, *, copy: bool = True, with_mean: bool = True, with_std: bool = True) -> None:
        self.copy = copy
        self.with_mean = with_mean
        self.with_std = with_std

    def fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> StandardScaler:
        """Compute the mean and standard deviation of ``X``; returns self."""
        for name in ("mean_", "var_", "scale_", "n_samples_seen_", "n_features_in_"):
            self.__dict__.pop(name, None)
        return self.partial_fit(X, y, sample_weight)

    def partial_fit(self, X: Any, y: Any = None, sample_weight: Any = None) -> StandardScaler:
        """Merge the batch ``X`` into the running mean and variance; returns self."""
        _check_bool("copy", self.copy)
        _check_bool("with_mean", self.with_mean)
        _check_bool("with_std", self.with_std)
        if sample_weight is not None:
            raise NotImplementedError("StandardScaler does not support sample_weight in hpa")
        first = not hasattr(self, "n_samples_seen_")
        X = as_data(X, allow_nonfinite=True)
        if not first:
            check_features(X, self.n_features_in_, self)
        n = X.shape[0]
        if not (self.with_mean or self.with_std):
            _finite(hpa.sum(X, axis=0))
            self.mean_ = self.var_ = self.scale_ = None
            self.n_samples_seen_ = n + (0 if first else self.n_samples_seen_)
            self.n_features_in_ = X.shape[1]
            return self
        mean, var = hpa.mean(X, axis=0), hpa.var(X, axis=0)
        _finite(mean, var)
        if not first:
            seen = self.n_samples_seen_
            total = seen + n
            delta = mean - self.mean_
            m2 = self._var * seen + var * n + delta * delta * (seen * n / total)
            mean, var = self.mean_ + delta * (n / total), m2 / total
        self.n_samples_seen_ = n + (0 if first else self.n_samples_seen_)
        self.n_features_in_ = X.shape[1]
        self.mean_, self._var = mean, var
        if self.with_std:
            self.var_ = var
            N = self.n_samples_seen_
            constant = var <= N * _EPS64 * var + (N * mean * _EPS64) ** 2
            self.scale_ = nonzero_scale(hpa.sqrt(var), constant)
        else:
            self.var_ = self.scale_ = None
        return self

    def transform(self, X: Any, copy: bool | None = None) -> hpa.Array:
        """Centre and scale ``X`` (local; ``X``'s row layout). ``copy`` is accepted for
        compatibility: a new array is always returned."""
        X = self._data(X)
        if self.with_mean:
            X = X - self.mean_.astype(X.dtype)
        if self.with_std:
            X = X / self.scale_.astype(X.dtype)
        return X.copy() if not (self.with_mean or self.with_std) else X

    def inverse_transform(self, X: Any, copy: bool | None = None) -> hpa.Array:
        """Undo :meth:`transform` (local)."""
        X = self._data(X)
        if self.with_std:
            X = X * self.scale_.astype(X.dtype)
        if self.with_mean:
            X = X + self.mean_.astype(X.dtype)
        return X.copy() if not (self.with_mean or self.with_std) else X


class MinMaxScaler(_Scaler):
    """Scale every feature to ``feature_range``, as ``sklearn.preprocessing.MinMaxScaler``.

    Parameters
    ----------
    feature_range : tuple (min, max)
        The target range, ``min < max``.
    copy : bool
        Accepted for scikit-learn compatibility: a new array is always returned.
    clip : bool
        Clip transformed values to ``feature_range``.

    Attributes
    ----------
    data_min_, data_max_, data_range_, scale_, min_ : hpa.Array
        ``(n_features,)``, replicated; ``transform(X) = X * scale_ + min_``.
    n_samples_seen_, n_features_in_ : int

    Notes
    -----
    ``fit`` on row-split data costs two ``allreduce`` (the minimum and the maximum); NaN and
    infinity are detected from them.
    """

    def __init__(
        self, feature_range: tuple[float, float] = (0, 1), *, copy: bool = True, clip: bool = False
    ) -> None:
        self.feature_range = feature_range
        self.copy = copy
        self.clip = clip

    def fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Compute the per-feature minimum and maximum of ``X``; returns self."""
        for name in ("data_min_", "n_samples_seen_", "n_features_in_"):
            self.__dict__.pop(name, None)
        return self.partial_fit(X, y)

    def partial_fit(self, X: Any, y: Any = None) -> MinMaxScaler:
        """Merge the batch ``X`` into the running minimum and maximum; returns self."""
        low, high = self._range()
        _check_bool("copy", self.copy)
        _check_bool("clip", self.clip)
        first = not hasattr(self, "n_samples_seen_")
        X = as_data(X, allow_nonfinite=True)
        if not first:
            check_features(X, self.n_features_in_, self)
        data_min, data_max = hpa.min(X, axis=0), hpa.max(X, axis=0)
        _finite(data_min, data_max)
        if not first:
            data_min = hpa.minimum(self.data_min_, data_min)
            data_max = hpa.maximum(self.data_max_, data_max)
            self.n_samples_seen_ += X.shape[0]
        else:
            self.n_samples_seen_ = X.shape[0]
        self.n_features_in_ = X.shape[1]
        self.data_min_, self.data_max_ = data_min, data_max
        self.data_range_ = data_max - data_min
        self.scale_ = (high - low) / nonzero_scale(self.data_range_)
        self.min_ = low - data_min * self.scale_
        return self

    def _range(self) -> tuple[float, float]:
        fr = self.feature_range
        if not isinstance(fr, (tuple, list)) or len(fr) != 2:
            raise ValueError(f"feature_range must be a tuple (min, max), got {fr!r}")
        for v in fr:
            if isinstance(v, bool) or not isinstance(v, numbers.Real):
                raise TypeError(f"feature_range must hold two numbers, got {fr!r}")
        if fr[0] >= fr[1]:
            raise ValueError(
                f"Minimum of desired feature range must be smaller than maximum. Got {fr}."
            )
        return float(fr[0]), float(fr[1])

    def transform(self, X: Any) -> hpa.Array:
        """``X * scale_ + min_``, clipped to ``feature_range`` with ``clip`` (local)."""
        X = self._data(X)
        out = X * self.scale_.astype(X.dtype) + self.min_.astype(X.dtype)
        if self.clip:
            out = hpa.clip(out, self.feature_range[0], self.feature_range[1])
        return out

    def inverse_transform(self, X: Any) -> hpa.Array:
        """``(X - min_) / scale_`` (local)."""
        X = self._data(X)
        return (X - self.min_.astype(X.dtype)) / self.scale_.astype(X.dtype)


class RobustScaler(_Scaler):
    """Centre on the median and scale by a quantile range, as
    ``sklearn.preprocessing.RobustScaler``.

    Parameters
    ----------
    with_centering : bool
        Subtract the median.
    with_scaling : bool
        Divide by the quantile range (1 for constant features).
    quantile_range : tuple (q_min, q_max)
        Percentiles, ``0 <= q_min <= q_max <= 100``.
    copy : bool
        Accepted for scikit-learn compatibility: a new array is always returned.
    unit_variance : bool
        Rescale so that normally distributed features have unit variance.

    Attributes
    ----------
    center_, scale_ : hpa.Array or None
        ``(n_features,)``, replicated; None when centring/scaling is off.
    n_features_in_ : int

    Notes
    -----
    The median and both percentiles come from one :func:`hpa.percentile` call with NumPy's
    default ``linear`` method (one ``alltoallv`` to split along the features, a local sort,
    one ``allgatherv`` of the result), plus one ``allreduce`` for the finiteness check.
    """

    def __init__(
        self,
        *,
        with_centering: bool = True,
        with_scaling: bool = True,
        quantile_range: tuple[float, float] = (25.0, 75.0),
        copy: bool = True,
        unit_variance: bool = False,
    ) -> None:
        self.with_centering = with_centering
        self.with_scaling = with_scaling
        self.quantile_range = quantile_range
        self.copy = copy
        self.unit_variance = unit_variance

    def fit(self, X: Any, y: Any = None) -> RobustScaler:
        """Compute the median and quantile range of every feature of ``X``; returns self."""
        for name in ("with_centering", "with_scaling", "copy", "unit_variance"):
            _check_bool(name, getattr(self, name))
        q_min, q_max = self._quantiles()
        X = as_data(X)
        q = ([50.0] if self.with_centering else []) + ([q_min, q_max] if self.with_scaling else [])
        stats: Any = hpa.percentile(X, q, axis=0).resplit(None) if q else None
        self.center_ = stats[0] if self.with_centering else None
        self.scale_ = None
        if self.with_scaling:
            scale = nonzero_scale(stats[-1] - stats[-2])
            if self.unit_variance:
                normal = NormalDist()
                scale = scale / (normal.inv_cdf(q_max / 100.0) - normal.inv_cdf(q_min / 100.0))
            self.scale_ = scale
        self.n_features_in_ = X.shape[1]
        return self

    def _quantiles(self) -> tuple[float, float]:
        qr = self.quantile_range
        ok = isinstance(qr, (tuple, list)) and len(qr) == 2
        ok = ok and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in qr)
        if not ok or not 0 <= qr[0] <= qr[1] <= 100:
            raise ValueError(f"Invalid quantile range: {qr}")
        return float(qr[0]), float(qr[1])

    def transform(self, X: Any) -> hpa.Array:
        """``(X - center_) / scale_`` (local)."""
        X = self._data(X)
        if self.with_centering:
            X = X - self.center_.astype(X.dtype)
        if self.with_scaling:
            X = X / self.scale_.astype(X.dtype)
        return X.copy() if not (self.with_centering or self.with_scaling) else X

    def inverse_transform(self, X: Any) -> hpa.Array:
        """``X * scale_ + center_`` (local)."""
        X = self._data(X)
        if self.with_scaling:
            X = X * self.scale_.astype(X.dtype)
        if self.with_centering:
            X = X + self.center_.astype(X.dtype)
        return X.copy() if not (self.with_centering or self.with_scaling) else X
