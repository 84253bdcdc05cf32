"""Incremental principal component analysis (Ross et al., 2008) with scikit-learn's
``IncrementalPCA`` interface: the data are consumed in row batches, in order."""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

import hpa
from hpa.algorithms.decomposition.base import BasePCA, flip_signs
from hpa.algorithms.validation import as_data, check_features, check_in, check_number

__all__ = ["IncrementalPCA"]

_STATE = (
    "components_", "n_samples_seen_", "mean_", "var_", "singular_values_", "explained_variance_",
    "explained_variance_ratio_", "noise_variance_", "n_components_", "n_features_in_",
)  # fmt: skip


class IncrementalPCA(BasePCA):
    """PCA fitted batch by batch, as ``sklearn.decomposition.IncrementalPCA``.

    Parameters
    ----------
    n_components : int or None
        Components kept; None keeps ``min(n_samples, n_features)`` of the first batch.
    whiten : bool
        Scale the projections to unit variance.
    copy : bool
        Accepted for scikit-learn compatibility: ``X`` is never modified.
    batch_size : int or None
        Rows per batch in :meth:`fit`; None means ``5 * n_features``.

    Attributes
    ----------
    components_ : hpa.Array
        ``(n_components_, n_features)``, replicated, the largest entry of each row positive.
    explained_variance_, explained_variance_ratio_, singular_values_ : hpa.Array
        ``(n_components_,)``, replicated.
    mean_, var_ : hpa.Array
        Running per-feature mean and variance, ``(n_features,)``, replicated.
    n_components_, n_samples_seen_, batch_size_, n_features_in_ : int
    noise_variance_ : float

    Notes
    -----
    :meth:`fit` cuts the row-split ``X`` into consecutive row batches (slices: no data move)
    and calls :meth:`partial_fit` on each. A batch costs one ``allreduce`` (its mean), one
    ``allgather`` (its variance) and one ``allgatherv`` (the ``R`` factor of the centred batch,
    by TSQR); the SVD of ``R`` stacked under the previous components and the mean correction
    is small and computed on every rank. Its singular values and right singular vectors are
    those of scikit-learn's stacked matrix, so the results agree to rounding.
    """

    # fitted (declared for the type checker; ``partial_fit`` updates them from themselves)
    n_samples_seen_: int
    var_: hpa.Array
    singular_values_: hpa.Array

    def __init__(
        self,
        n_components: int | None = None,
        *,
        whiten: bool = False,
        copy: bool = True,
        batch_size: int | None = None,
    ) -> None:
        self.n_components = n_components
        self.whiten = whiten
        self.copy = copy
        self.batch_size = batch_size

    def _check_params(self) -> None:
        check_number("n_components", self.n_components, numbers.Integral, low=1, allow_none=True)
        check_number("batch_size", self.batch_size, numbers.Integral, low=1, allow_none=True)
        check_in("whiten", self.whiten, [True, False])

    def fit(self, X: Any, y: Any = None) -> IncrementalPCA:
        """Fit the model to ``X`` in batches of ``batch_size`` rows; returns self."""
        self._check_params()
        X = as_data(X)
        for name in _STATE:
            self.__dict__.pop(name, None)
        n, d = X.shape
        self.batch_size_ = 5 * d if self.batch_size is None else self.batch_size
        for batch in _batches(n, self.batch_size_, self.n_components or 0):
            self._partial_fit(X[batch])
        return self

    def partial_fit(self, X: Any, y: Any = None, check_input: bool = True) -> IncrementalPCA:
        """Update the model with all of ``X`` as one batch; returns self.

        ``check_input`` is accepted for compatibility; ``X`` is always checked.
        """
        self._check_params()
        X = as_data(X)
        if hasattr(self, "components_"):
            check_features(X, self.n_features_in_, self)
        self._partial_fit(X)
        return self

    def _n_components(self, n: int, d: int, first: bool) -> int:
        if self.n_components is None:
            return min(n, d) if first else self.components_.shape[0]
        if self.n_components > d:
            raise ValueError(
                f"n_components={self.n_components!r} invalid for n_features={d}, need more "
                "rows than columns for IncrementalPCA processing"
            )
        if self.n_components > n and first:
            raise ValueError(
                f"n_components={self.n_components} must be less or equal to the batch number "
                f"of samples {n} for the first partial_fit call."
            )
        if not first and self.components_.shape[0] != self.n_components:
            raise ValueError(
                f"Number of input features has changed from {self.components_.shape[0]} to "
                f"{self.n_components} between calls to partial_fit! Try setting n_components "
                "to a fixed value."
            )
        return self.n_components

    def _partial_fit(self, X: hpa.Array) -> None:
        """One batch: merge the running moments, SVD of the stacked small matrix."""
        n, d = X.shape
        first = not hasattr(self, "components_")
        k = self._n_components(n, d, first)
        seen = 0 if first else self.n_samples_seen_
        total = seen + n
        batch_mean = hpa.mean(X, axis=0)
        batch_m2 = hpa.var(X, axis=0) * n
        r = hpa.linalg.qr(X - batch_mean, mode="r")
        if first:
            mean, m2, stacked = batch_mean, batch_m2, r
        else:
            delta = batch_mean - self.mean_
            mean = self.mean_ + delta * (n / total)
            m2 = self.var_ * seen + batch_m2 + delta * delta * (seen * n / total)
            correction = -math.sqrt(seen / total * n) * delta
            previous = self.singular_values_[:, None] * self.components_
            stacked = hpa.concatenate([previous, r, correction[None, :]], axis=0)
        _, S, Vt = hpa.linalg.svd(stacked, full_matrices=False)
        components, _ = flip_signs(Vt)
        explained = S**2 / (total - 1)
        self.n_samples_seen_, self.n_features_in_, self.n_components_ = total, d, k
        self.mean_, self.var_ = mean, m2 / total
        self.components_ = components[:k].copy()
        self.singular_values_ = S[:k].copy()
        self.explained_variance_ = explained[:k].copy()
        self.explained_variance_ratio_ = (S**2 / hpa.sum(m2))[:k].copy()
        if k not in (n, d):
            self.noise_variance_ = float(hpa.mean(explained[k:]))
        else:
            self.noise_variance_ = 0.0


def _batches(n: int, batch_size: int, min_batch_size: int) -> Iterator[slice]:
    """scikit-learn's ``gen_batches``: consecutive slices of ``batch_size`` rows, the last one
    absorbing a remainder shorter than ``min_batch_size``."""
    start = 0
    for _ in range(n // batch_size):
        end = start + batch_size
        if end + min_batch_size > n:
            continue
        yield slice(start, end)
        start = end
    if start < n:
        yield slice(start, n)
