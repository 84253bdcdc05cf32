"""What the linear regressors share: input preparation, weighted centring, the moments of the
data (Gram matrix and friends), the linear prediction and the tags.

A linear model predicts ``X @ coef_.T + intercept_``. With ``fit_intercept`` the data are
centred on their (weighted) means, the coefficients are fitted on the centred data and
``intercept_ = y_offset - X_offset @ coef_.T``, as in scikit-learn.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

import hpa
from hpa.algorithms.base import check_is_fitted
from hpa.algorithms.validation import as_data, as_targets, check_features

__all__ = ["LinearModel", "Moments", "moments", "prepare"]


def prepare(X: Any, y: Any, check_X: bool = True) -> tuple[hpa.Array, hpa.Array]:
    """``X`` as float data split along its rows (or replicated) and ``y`` laid out like it,
    cast to ``X``'s dtype.

    Parameters
    ----------
    X, y : array_like or hpa.Array
        The samples and the targets.
    check_X : bool
        Check ``X`` for NaN and infinity here (one pass over the data); ``False`` when the
        caller's :func:`moments` checks it for free.

    Raises
    ------
    ValueError
        If either contains NaN or infinity, if ``y`` is not 1-d or 2-d, or if the numbers of
        samples differ.
    """
    X = as_data(X, allow_nonfinite=not check_X)
    y = as_targets(y, X, dtype=X.dtype)
    if not bool(hpa.isfinite(y).all()):
        raise ValueError("Input y contains NaN or infinity.")
    return X, y


@dataclass
class Moments:
    """The centred (weighted) second moments of ``X`` and ``Y``, replicated NumPy float64.

    ``gram = Xc^T S Xc``, ``xy = Xc^T S Yc``, ``yy`` the diagonal of ``Yc^T S Yc`` (one
    value per target), ``x_offset``/``y_offset`` the weighted means (zeros without an
    intercept) and ``weight_sum`` the sum of the weights (``n`` without weights).
    """

    gram: np.ndarray
    xy: np.ndarray
    yy: np.ndarray
    x_offset: np.ndarray
    y_offset: np.ndarray
    weight_sum: float


def moments(X: hpa.Array, Y: hpa.Array, sw: hpa.Array | None, fit_intercept: bool) -> Moments:
    """The Gram matrix and cross moments of ``X`` and the 2-d ``Y`` (three ``allreduce``).

    The large products run in ``X``'s dtype over the local rows and are summed over the
    processes (``X^T S X``, ``[Y 1]^T S X``, ``[Y 1]^T S [Y 1]``); the centring is applied
    afterwards to the ``d x d`` results, ``Xc^T S Xc = X^T S X - s m m^T``, which needs no
    centred copy of ``X``. That subtraction loses about ``eps * |m|^2 / var`` relative
    precision, negligible unless a feature's mean exceeds its spread by orders of magnitude.

    ``X`` is checked for NaN and infinity on the way: they (and only they, short of squares
    overflowing) make the diagonal of ``X^T S X`` non-finite, which saves a pass over the data.

    Raises
    ------
    ValueError
        If ``X`` contains NaN or infinity.
    """
    Z = hpa.hstack([Y, hpa.ones_like(Y[:, :1])])
    if sw is None:
        XS, ZS = X, Z
    else:
        s = hpa.expand_dims(sw.astype(X.dtype), 1)
        XS, ZS = X * s, Z * s
    gram = hpa.matmul(XS.T, X).numpy().astype(np.float64)
    # [Y 1]^T X: about three times faster than X^T [Y 1] in BLAS for a narrow [Y 1]
    xz = hpa.matmul(ZS.T, X).numpy().astype(np.float64).T
    zz = hpa.matmul(Z.T, ZS).numpy().astype(np.float64)
    if not (np.isfinite(np.diagonal(gram)).all() and np.isfinite(xz).all()):
        raise ValueError("Input X contains NaN or infinity (or values whose squares overflow).")
    k = Y.shape[1]
    weight_sum = float(zz[k, k])
    xy, yy = xz[:, :k], np.diagonal(zz)[:k].copy()
    x_off, y_off = np.zeros(X.shape[1]), np.zeros(k)
    if fit_intercept and weight_sum > 0:
        x_off, y_off = xz[:, k] / weight_sum, zz[:k, k] / weight_sum
        gram = gram - weight_sum * np.outer(x_off, x_off)
        xy = xy - weight_sum * np.outer(x_off, y_off)
        yy = np.maximum(yy - weight_sum * y_off**2, 0.0)
    return Moments(gram, xy, yy, x_off, y_off, weight_sum)


class LinearModel:
    """``predict`` for a fitted linear model: ``X @ coef_.T + intercept_``, split like ``X``."""

    coef_: hpa.Array
    intercept_: hpa.Array
    n_features_in_: int

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags of a regressor (from the mixins), with several targets
        (a 2-d ``y``) allowed."""
        tags = super().__sklearn_tags__()  # type: ignore[misc]
        tags.target_tags.multi_output = True
        return tags

    def predict(self, X: Any) -> hpa.Array:
        """Predicted targets for ``X``: 1-d when fitted to a 1-d ``y``, else
        ``(n_samples, n_targets)``; split along the rows like ``X`` (no communication).

        Raises
        ------
        NotFittedError
            Before ``fit``.
        ValueError
            If ``X`` does not have the number of features seen in ``fit``.
        """
        check_is_fitted(self, "coef_")
        X = as_data(X)
        check_features(X, self.n_features_in_, self)
        coef = self.coef_.astype(X.dtype)
        return hpa.matmul(X, coef.T if coef.ndim == 2 else coef) + self.intercept_.astype(X.dtype)

    def _set_coef(
        self,
        coef: np.ndarray,
        x_offset: np.ndarray,
        y_offset: np.ndarray,
        y_ndim: int,
        like: hpa.Array,
    ) -> None:
        """Store ``coef`` (``n_targets x n_features``) and the intercept as replicated hpa
        arrays of the dtype and on the device of ``like`` (the data), 1-d and 0-d when ``y``
        was 1-d."""
        intercept = y_offset - coef @ x_offset
        if y_ndim == 1:
            coef, intercept = coef[0], intercept[0]
        self.coef_ = hpa.array(coef, dtype=like.dtype, device=like.device)
        self.intercept_ = hpa.array(intercept, dtype=like.dtype, device=like.device)
