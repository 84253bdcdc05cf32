"""Truncated SVD (latent semantic analysis) of row-split data, with scikit-learn's
``TruncatedSVD`` interface: no centring."""

from __future__ import annotations

import numbers
from typing import Any

import hpa
from hpa.algorithms.base import (
    BaseEstimator,
    TransformerMixin,
    check_is_fitted,
    random_state_scope,
)
from hpa.algorithms.decomposition.base import flip_signs
from hpa.algorithms.validation import as_data, check_features, check_in, check_number

__all__ = ["TruncatedSVD"]


class TruncatedSVD(TransformerMixin, BaseEstimator):
    """Dimensionality reduction by the leading singular vectors of ``X`` (not centred), as
    ``sklearn.decomposition.TruncatedSVD``.

    Parameters
    ----------
    n_components : int
        Components kept, at most ``min(n_samples, n_features)`` (``"randomized"``) or fewer
        (``"arpack"``).
    algorithm : {"randomized", "arpack"}
        ``"randomized"``: :func:`hpa.linalg.randomized_svd`. ``"arpack"``: the exact SVD
        (:func:`hpa.linalg.svd`, TSQR) truncated; there is no ARPACK here, the limit on
        ``n_components`` is ARPACK's.
    n_iter : int
        Power iterations of ``"randomized"``.
    n_oversamples : int
        Extra random vectors of ``"randomized"``.
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}
        Accepted for compatibility; every power iteration is re-orthonormalised with QR.
    random_state : None, int, RandomState or Generator
        Seeds ``"randomized"`` (the result does not depend on the number of processes).
    tol : float
        Accepted for ``"arpack"`` compatibility; the exact SVD needs no tolerance.

    Attributes
    ----------
    components_ : hpa.Array
        ``(n_components, n_features)``, replicated, the largest entry of each row positive.
    explained_variance_, explained_variance_ratio_, singular_values_ : hpa.Array
        ``(n_components,)``, replicated. The variances are those of the projections.
    n_features_in_ : int

    Notes
    -----
    ``fit`` on row-split ``X`` communicates the finiteness check (one ``allreduce``), the
    SVD (see :func:`hpa.linalg.svd` / :func:`hpa.linalg.randomized_svd`) and the two
    variances (one ``allgather`` each). ``transform`` is local.
    """

    def __init__(
        self,
        n_components: int = 2,
        *,
        algorithm: str = "randomized",
        n_iter: int = 5,
        n_oversamples: int = 10,
        power_iteration_normalizer: str = "auto",
        random_state: Any = None,
        tol: float = 0.0,
    ) -> None:
        self.n_components = n_components
        self.algorithm = algorithm
        self.n_iter = n_iter
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state
        self.tol = tol

    def fit(self, X: Any, y: Any = None) -> TruncatedSVD:
        """Fit the model to ``X``; returns self."""
        self.fit_transform(X)
        return self

    def fit_transform(self, X: Any, y: Any = None) -> hpa.Array:
        """Fit the model to ``X`` and return its projection ``(n_samples, n_components)``,
        with ``X``'s row layout."""
        check_number("n_components", self.n_components, numbers.Integral, low=1)
        check_in("algorithm", self.algorithm, ["arpack", "randomized"])
        check_number("n_iter", self.n_iter, numbers.Integral, low=0)
        check_number("n_oversamples", self.n_oversamples, numbers.Integral, low=1)
        check_in("power_iteration_normalizer", self.power_iteration_normalizer,
                 ["auto", "QR", "LU", "none"])  # fmt: skip
        check_number("tol", self.tol, low=0)
        X = as_data(X)
        n, d = X.shape
        if d < 2:
            raise ValueError(
                f"Found array with {d} feature(s) (shape={X.shape}) while a minimum of 2 is "
                "required by TruncatedSVD."
            )
        k = self.n_components
        if self.algorithm == "arpack":
            if not k < min(n, d):
                raise ValueError(
                    f"n_components={k} must be strictly less than min(n_samples, n_features)"
                    f"={min(n, d)} with algorithm='arpack'"
                )
            _, S, Vt = hpa.linalg.svd(X, full_matrices=False)
        else:
            if k > d:
                raise ValueError(f"n_components({k}) must be <= n_features({d}).")
            if k > n:
                raise ValueError(f"n_components({k}) must be <= n_samples({n}).")
            with random_state_scope(self.random_state):
                seed = int(hpa.random.randint(0, 2**31 - 1, size=1, device="cpu").numpy()[0])
            _, S, Vt = hpa.linalg.randomized_svd(
                X, k, n_oversamples=self.n_oversamples, n_iter=self.n_iter,
                random_state=seed,
            )  # fmt: skip
        Vt = Vt[:k].resplit(None)
        self.components_, _ = flip_signs(Vt)
        self.singular_values_ = S[:k].copy()
        self.n_features_in_ = d
        projected = X @ self.components_.T
        self.explained_variance_ = hpa.var(projected, axis=0)
        self.explained_variance_ratio_ = self.explained_variance_ / hpa.sum(hpa.var(X, axis=0))
        return projected

    def transform(self, X: Any) -> hpa.Array:
        """Project ``X`` onto the components: ``X @ components_.T`` (local; ``X``'s row
        layout)."""
        check_is_fitted(self, "components_")
        X = as_data(X)
        check_features(X, self.n_features_in_, self)
        return X @ self.components_.astype(X.dtype).T

    def inverse_transform(self, X: Any) -> hpa.Array:
        """Map projections back to the feature space: ``X @ components_`` (local)."""
        check_is_fitted(self, "components_")
        X = as_data(X)
        if X.shape[1] != self.components_.shape[0]:
            raise ValueError(
                f"X has {X.shape[1]} features, but TruncatedSVD.inverse_transform is "
                f"expecting {self.components_.shape[0]} features as input."
            )
        return X @ self.components_.astype(X.dtype)
