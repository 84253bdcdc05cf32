"""What the principal-component estimators share: the sign convention of the components,
projection onto them and back, and the probabilistic PCA model (covariance, precision,
log-likelihood).

Every fitted attribute here is small and replicated (``components_`` is ``n_components x
n_features``), so projecting a row-split ``X`` is a local matrix product: the output keeps
``X``'s row layout and nothing is communicated.
"""

from __future__ import annotations

import math
from typing import Any

import hpa
from hpa.algorithms.base import BaseEstimator, TransformerMixin, check_is_fitted
from hpa.algorithms.validation import as_data, check_features

__all__ = ["BasePCA", "flip_signs"]


def flip_signs(vt: hpa.Array, u: hpa.Array | None = None) -> tuple[hpa.Array, hpa.Array | None]:
    """scikit-learn's ``svd_flip(u, vt, u_based_decision=False)``: the entry of largest
    magnitude of every row of ``vt`` becomes positive (ties: the first).

    Parameters
    ----------
    vt : hpa.Array
        Right singular vectors in rows, replicated.
    u : hpa.Array, optional
        Left singular vectors in columns (any layout with the components along axis 1); their
        signs follow those of ``vt``.

    Returns
    -------
    tuple of hpa.Array
        ``vt`` and ``u`` with the signs fixed (no communication).
    """
    where = hpa.argmax(hpa.abs(vt), axis=1)
    signs = hpa.sign(hpa.take_along_axis(vt, where[:, None], axis=1))
    return vt * signs, None if u is None else u * signs[:, 0]


class BasePCA(TransformerMixin, BaseEstimator):
    """``transform``, ``inverse_transform`` and the probabilistic PCA model of a fitted
    ``components_``, ``mean_``, ``explained_variance_`` and ``noise_variance_``."""

    # set by the subclasses' constructors and ``fit``
    whiten: bool
    n_features_in_: int
    components_: hpa.Array
    mean_: hpa.Array
    explained_variance_: hpa.Array
    noise_variance_: float

    def transform(self, X: Any) -> hpa.Array:
        """Project ``X`` onto the principal components.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``(n_samples, n_features)``.

        Returns
        -------
        hpa.Array
            ``(n_samples, n_components_)``, with ``X``'s row layout (split 0 with ``X``'s
            extents, or replicated); no communication beyond :func:`as_data`'s checks.
        """
        check_is_fitted(self, "components_")
        X = as_data(X)
        check_features(X, self.n_features_in_, self)
        components = self.components_.astype(X.dtype)
        out = X @ components.T - (self.mean_.astype(X.dtype) @ components.T)
        if self.whiten:
            eps = hpa.finfo(X.dtype).eps
            scale = hpa.sqrt(self.explained_variance_.astype(X.dtype))
            out = out / hpa.where(scale < eps, eps, scale)
        return out

    def inverse_transform(self, X: Any) -> hpa.Array:
        """Map projected data back to the feature space: ``X @ components_ + mean_``.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``(n_samples, n_components_)``.

        Returns
        -------
        hpa.Array
            ``(n_samples, n_features_in_)`` with ``X``'s row layout.
        """
        check_is_fitted(self, "components_")
        X = as_data(X)
        if X.shape[1] != self.components_.shape[0]:
            raise ValueError(
                f"X has {X.shape[1]} features, but {type(self).__name__}.inverse_transform "
                f"is expecting {self.components_.shape[0]} features as input."
            )
        components = self.components_.astype(X.dtype)
        if self.whiten:
            components = hpa.sqrt(self.explained_variance_.astype(X.dtype))[:, None] * components
        return X @ components + self.mean_.astype(X.dtype)

    def get_covariance(self) -> hpa.Array:
        """The data covariance of the generative model, ``(n_features, n_features)``,
        replicated: ``components_.T diag(explained_variance_ - noise) components_ + noise I``."""
        check_is_fitted(self, "components_")
        components, exp_var = self.components_, self.explained_variance_
        if self.whiten:
            components = components * hpa.sqrt(exp_var)[:, None]
        diff = hpa.where(exp_var > self.noise_variance_, exp_var - self.noise_variance_, 0.0)
        cov = (components.T * diff) @ components
        eye = hpa.eye(cov.shape[0], dtype=cov.dtype, device=cov.device)
        return cov + self.noise_variance_ * eye

    def get_precision(self) -> hpa.Array:
        """The inverse of :meth:`get_covariance`, replicated (computed directly, no
        communication)."""
        check_is_fitted(self, "components_")
        return hpa.linalg.inv(self.get_covariance())

    def score_samples(self, X: Any) -> hpa.Array:
        """Log-likelihood of every sample under the probabilistic PCA model.

        Returns
        -------
        hpa.Array
            ``(n_samples,)`` with ``X``'s row layout (no communication).
        """
        check_is_fitted(self, "components_")
        X = as_data(X)
        check_features(X, self.n_features_in_, self)
        precision = self.get_precision().astype(X.dtype)
        Xr = X - self.mean_.astype(X.dtype)
        logdet = float(hpa.linalg.slogdet(precision).logabsdet)
        const = 0.5 * (X.shape[1] * math.log(2.0 * math.pi) - logdet)
        return -0.5 * hpa.sum(Xr * (Xr @ precision), axis=1) - const

    def score(self, X: Any, y: Any = None) -> float:
        """Mean log-likelihood of the samples (one collective when ``X`` is split)."""
        return float(hpa.mean(self.score_samples(X)))
