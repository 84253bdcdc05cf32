"""Gaussian naive Bayes (scikit-learn's ``GaussianNB``) on distributed samples.

A batch of samples is summarised per class with two contractions over the samples, each one
``allreduce`` of a small ``n_classes x n_features`` matrix when the samples are split:

1. ``W^T [X, 1]``: the (weighted) count and the feature sums of every class, where ``W`` is
   the ``n x n_classes`` indicator of the classes (times the sample weights);
2. ``W^T (X - M)^2``, with ``M`` every sample's class mean: the sums of squared deviations.

The second pass centres on the class means before squaring, as scikit-learn's ``np.var``
does, instead of taking ``E[x^2] - E[x]^2`` from raw moments (which cancels catastrophically
when a feature's mean is large next to its spread). The batch statistics are merged into those
of earlier batches with Chan, Golub and LeVeque's update, exactly as scikit-learn's
``partial_fit`` does. ``epsilon_`` needs the variance of every feature over all samples: it
follows from the class statistics (the merged-moments formula) without communication, or
costs one more reduction when the samples are weighted.

Finding the classes (``fit``) is a distributed :func:`hpa.unique` of the targets. Prediction
is local: every rank scores its own samples against the replicated class statistics; mapping
the winning class indices back to labels agrees on bounds with one small ``allreduce``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import hpa
from hpa.algorithms.base import BaseEstimator, ClassifierMixin, check_is_fitted
from hpa.algorithms.classification._labels import (
    check_known,
    check_targets,
    decode,
    encode,
    one_hot,
    unique_labels,
)
from hpa.algorithms.validation import (
    as_data,
    as_labels,
    as_weights,
    check_features,
    check_number,
)

__all__ = ["GaussianNB"]

_FITTED = ("classes_", "class_count_", "class_prior_", "theta_", "var_", "epsilon_")


class GaussianNB(ClassifierMixin, BaseEstimator):
    """Gaussian naive Bayes: one independent normal distribution per class and feature.

    Parameters
    ----------
    priors : array_like of shape (n_classes,), optional
        Prior probabilities of the classes; by default the (weighted) class frequencies.
    var_smoothing : float
        The fraction of the largest feature variance added to every variance for stability.

    Attributes
    ----------
    classes_ : Array
        ``(n_classes,)`` the sorted class labels.
    class_count_ : Array
        ``(n_classes,)`` the (weighted) number of training samples of each class.
    class_prior_ : Array
        ``(n_classes,)`` the probability of each class.
    theta_, var_ : Array
        ``(n_classes, n_features)`` the mean and variance of each feature per class.
    epsilon_ : float
        The absolute value added to the variances.
    n_features_in_ : int
        The number of features seen in ``fit``.

    All fitted arrays are replicated on every process and have the training data's float dtype.
    """

    # fitted (declared for the type checker; ``partial_fit`` updates them from themselves)
    var_: hpa.Array
    class_count_: hpa.Array

    def __init__(self, *, priors: Any = None, var_smoothing: float = 1e-9) -> None:
        self.priors = priors
        self.var_smoothing = var_smoothing

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> GaussianNB:
        """Fit the class means and variances to ``X`` and ``y``.

        Parameters
        ----------
        X : array_like or Array
            ``(n_samples, n_features)`` training data, in any layout.
        y : array_like or Array
            ``(n_samples,)`` class labels (numbers).
        sample_weight : array_like, optional
            ``(n_samples,)`` a weight per sample.

        Returns
        -------
        GaussianNB
            The fitted estimator.
        """
        for name in (*_FITTED, "n_features_in_"):
            self.__dict__.pop(name, None)
        return self._partial_fit(X, y, None, sample_weight, refit=True)

    def partial_fit(
        self, X: Any, y: Any, classes: Any = None, sample_weight: Any = None
    ) -> GaussianNB:
        """Update the fit with one more batch of samples (scikit-learn's incremental update).

        Parameters
        ----------
        X, y, sample_weight
            As in :meth:`fit`.
        classes : array_like, optional
            Every class that may appear; required on the first call.

        Returns
        -------
        GaussianNB
            The updated estimator.
        """
        return self._partial_fit(X, y, classes, sample_weight, refit=False)

    def _partial_fit(
        self, X: Any, y: Any, classes: Any, sample_weight: Any, refit: bool
    ) -> GaussianNB:
        check_number("var_smoothing", self.var_smoothing, low=0.0)
        X = as_data(X)
        y = as_labels(y, X)
        check_targets(y)
        weights = as_weights(sample_weight, X, non_negative=False)
        if weights is not None:
            weights = weights.astype(X.dtype)
        first = refit or not hasattr(self, "classes_")
        labels = unique_labels(y)
        if first:
            self._start(X, labels if refit else self._given_classes(classes, X.device))
        else:
            self._check_continuation(X, classes)
        check_known(labels, self.classes_)
        count, mean, var, epsilon = _batch_statistics(X, encode(y, self.classes_), self, weights)
        self.epsilon_ = float(self.var_smoothing * epsilon)
        if not first:  # scikit-learn takes the new batch's epsilon back out, not the old one
            self.var_ = self.var_ - self.epsilon_
        self._merge(count, mean, var, weighted=weights is not None)
        self.var_ = self.var_ + self.epsilon_
        if self.priors is None:
            self.class_prior_ = self.class_count_ / self.class_count_.sum()
        return self

    @staticmethod
    def _given_classes(classes: Any, device: Any) -> hpa.Array:
        if classes is None:
            raise ValueError("classes must be passed on the first call to partial_fit.")
        values = classes.numpy() if isinstance(classes, hpa.Array) else np.asarray(classes)
        return unique_labels(hpa.array(np.unique(values), device=device))

    def _start(self, X: hpa.Array, classes: hpa.Array) -> None:
        """Zero statistics for ``classes`` and the priors, on the first call."""
        n_classes, n_features = classes.shape[0], X.shape[1]
        self.classes_ = classes
        self.n_features_in_ = n_features
        self.theta_ = hpa.zeros((n_classes, n_features), dtype=X.dtype, device=X.device)
        self.var_ = hpa.zeros((n_classes, n_features), dtype=X.dtype, device=X.device)
        self.class_count_ = hpa.zeros((n_classes,), dtype=X.dtype, device=X.device)
        self.epsilon_ = 0.0
        if self.priors is None:
            self.class_prior_ = hpa.zeros((n_classes,), dtype=X.dtype, device=X.device)
            return
        priors = np.asarray(
            self.priors.numpy() if isinstance(self.priors, hpa.Array) else self.priors,
            dtype=np.float64,
        )
        if priors.shape != (n_classes,):
            raise ValueError("Number of priors must match number of classes.")
        if not np.isclose(priors.sum(), 1.0):
            raise ValueError("The sum of the priors should be 1.")
        if (priors < 0).any():
            raise ValueError("Priors must be non-negative.")
        self.class_prior_ = hpa.array(priors, dtype=X.dtype, device=X.device)

    def _check_continuation(self, X: hpa.Array, classes: Any) -> None:
        check_features(X, self.n_features_in_, self)
        if classes is not None:
            given = np.unique(classes.numpy() if isinstance(classes, hpa.Array) else classes)
            if not np.array_equal(given, self.classes_.numpy()):
                raise ValueError(
                    f"`classes={given!r}` is not the same as on last call to partial_fit, "
                    f"was: {self.classes_.numpy()!r}"
                )

    def _merge(self, count: hpa.Array, mean: hpa.Array, var: hpa.Array, weighted: bool) -> None:
        """Chan, Golub and LeVeque's update of the class statistics with a batch's."""
        past = hpa.expand_dims(self.class_count_, 1)
        new = hpa.expand_dims(count, 1)
        total = past + new
        safe = hpa.where(total > 0, total, 1)
        merged_mean = (new * mean + past * self.theta_) / safe
        ssd = past * self.var_ + new * var + (new * past / safe) * (self.theta_ - mean) ** 2
        skip = hpa.isclose(new, 0.0) if weighted else new == 0
        fresh = past == 0
        self.theta_ = hpa.where(skip, self.theta_, hpa.where(fresh, mean, merged_mean))
        self.var_ = hpa.where(skip, self.var_, hpa.where(fresh, var, ssd / safe))
        self.class_count_ = self.class_count_ + hpa.where(skip[:, 0], 0, count)

    def _check_input(self, X: Any) -> hpa.Array:
        check_is_fitted(self, list(_FITTED))
        X = as_data(X)
        check_features(X, self.n_features_in_, self)
        return X

    def predict_joint_log_proba(self, X: Any) -> hpa.Array:
        """``log P(x, c)`` of every sample and class: ``(n_samples, n_classes)``, split like X."""
        X = self._check_input(X)
        normaliser = -0.5 * hpa.log(2.0 * math.pi * self.var_).sum(axis=1)
        prior = hpa.log(self.class_prior_)
        columns = []
        for c in range(self.classes_.shape[0]):  # one class at a time: n x f memory
            spread = ((X - self.theta_[c]) ** 2 / self.var_[c]).sum(axis=1)
            columns.append(prior[c] + normaliser[c] - 0.5 * spread)
        return hpa.stack(columns, axis=1)

    def predict_log_proba(self, X: Any) -> hpa.Array:
        """Log-probability of every class for every sample, split like ``X``."""
        joint = self.predict_joint_log_proba(X)
        top = joint.max(axis=1, keepdims=True)
        top = hpa.where(hpa.isfinite(top), top, 0)
        return joint - (hpa.log(hpa.exp(joint - top).sum(axis=1, keepdims=True)) + top)

    def predict_proba(self, X: Any) -> hpa.Array:
        """Probability of every class for every sample, split like ``X``."""
        return hpa.exp(self.predict_log_proba(X))

    def predict(self, X: Any) -> hpa.Array:
        """The most probable class of every sample, split like ``X``."""
        joint = self.predict_joint_log_proba(X)
        return decode(hpa.argmax(joint, axis=1), self.classes_)


def _batch_statistics(
    X: hpa.Array, codes: hpa.Array, nb: GaussianNB, weights: hpa.Array | None
) -> tuple[hpa.Array, hpa.Array, hpa.Array, float]:
    """Per-class (weighted) count, mean and variance of a batch, and its largest variance."""
    n_classes = nb.classes_.shape[0]
    indicator = one_hot(codes, n_classes, X.dtype)
    w = indicator if weights is None else indicator * hpa.expand_dims(weights, 1)
    sums = w.T @ hpa.concatenate([X, hpa.ones_like(X[:, :1])], axis=1)
    count, sums = sums[:, -1], sums[:, :-1]
    safe = hpa.expand_dims(hpa.where(count > 0, count, 1), 1)
    mean = sums / safe
    ssd = w.T @ (X - indicator @ mean) ** 2
    var = ssd / safe
    if weights is not None:
        epsilon = float(X.var(axis=0).max())
    else:  # the variance of all samples, merged from the classes' (no communication)
        n = X.shape[0]
        overall = sums.sum(axis=0) / n
        spread = ssd.sum(axis=0) + (hpa.expand_dims(count, 1) * (mean - overall) ** 2).sum(axis=0)
        epsilon = float((spread / n).max())
    return count, mean, var, epsilon
