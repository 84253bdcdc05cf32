"""Ordinary least squares (:class:`LinearRegression`) and L2-penalised least squares
(:class:`Ridge`) on distributed samples."""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch

import hpa
from hpa.algorithms.base import BaseEstimator, RegressorMixin
from hpa.algorithms.regression._base import LinearModel, moments, prepare
from hpa.algorithms.validation import as_weights, check_in, check_number

__all__ = ["LinearRegression", "Ridge"]


class LinearRegression(LinearModel, RegressorMixin, BaseEstimator):
    """Ordinary least squares, as ``sklearn.linear_model.LinearRegression``.

    Minimises ``||S^(1/2) (y - X w - b)||^2`` with the distributed TSQR least-squares solver
    :func:`hpa.linalg.lstsq`: the samples stay where they are and only ``n_features``-sized
    factors travel (one ``allgatherv`` of the local ``R`` factors and a few ``allreduce``).

    Parameters
    ----------
    fit_intercept : bool
        Fit an intercept (the data are centred on their weighted means first).
    copy_X : bool
        Kept for scikit-learn compatibility: ``X`` is never modified (the centred data are a
        new array).

    Attributes
    ----------
    coef_ : hpa.Array
        ``(n_features,)`` for a 1-d ``y``, ``(n_targets, n_features)`` for a 2-d one
        (replicated).
    intercept_ : hpa.Array
        0-d or ``(n_targets,)`` (replicated); zeros without ``fit_intercept``.
    rank_ : int
        Rank of the (centred) data matrix.
    singular_ : hpa.Array
        Its singular values (replicated).
    n_features_in_ : int
        Features seen in ``fit``.

    Notes
    -----
    A rank-deficient ``X`` gets the minimum-norm solution, as ``numpy.linalg.lstsq`` and
    scikit-learn (LAPACK ``gelsd``) give: singular values below ``eps * max(n, d) * s_max``
    count as zero.
    """

    def __init__(self, fit_intercept: bool = True, copy_X: bool = True) -> None:
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LinearRegression:
        """Fit by least squares.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``(n_samples, n_features)``, any layout.
        y : array_like or hpa.Array
            ``(n_samples,)`` or ``(n_samples, n_targets)``, any layout.
        sample_weight : array_like or hpa.Array, optional
            One non-negative weight per sample.

        Returns
        -------
        LinearRegression
            ``self``.
        """
        X, y = prepare(X, y)
        sw = as_weights(sample_weight, X)
        Y = hpa.expand_dims(y, 1) if y.ndim == 1 else y
        k, d = Y.shape[1], X.shape[1]
        x_off, y_off = np.zeros(d), np.zeros(k)
        if self.fit_intercept:
            x_off, y_off = _weighted_means(X, Y, sw)
            X = X - hpa.array(x_off, dtype=X.dtype, device=X.device)
            Y = Y - hpa.array(y_off, dtype=X.dtype, device=X.device)
        if sw is not None:
            root = hpa.expand_dims(hpa.sqrt(sw), 1).astype(X.dtype)
            X, Y = X * root, Y * root
        solution, _, rank, singular = hpa.linalg.lstsq(X, Y)
        coef = solution.resplit(None).numpy().astype(np.float64).T
        self.rank_ = int(rank)
        self.singular_ = singular.resplit(None)
        self.n_features_in_ = d
        self._set_coef(coef, x_off, y_off, y.ndim, X)
        return self


def _weighted_means(
    X: hpa.Array, Y: hpa.Array, sw: hpa.Array | None
) -> tuple[np.ndarray, np.ndarray]:
    """The (weighted) column means of ``X`` and ``Y`` as float64 NumPy arrays."""
    if sw is None:
        return X.mean(axis=0).numpy().astype(np.float64), Y.mean(axis=0).numpy().astype(np.float64)
    s = hpa.expand_dims(sw, 1)
    total = float(sw.sum())
    if total <= 0:
        raise ValueError("The sample weights sum to zero.")
    x_mean = (X * s.astype(X.dtype)).sum(axis=0).numpy().astype(np.float64) / total
    y_mean = (Y * s.astype(Y.dtype)).sum(axis=0).numpy().astype(np.float64) / total
    return x_mean, y_mean


_RIDGE_SOLVERS = ("auto", "svd", "cholesky", "lsqr", "sparse_cg", "sag", "saga", "lbfgs")


class Ridge(LinearModel, RegressorMixin, BaseEstimator):
    """Least squares with an L2 penalty, as ``sklearn.linear_model.Ridge``.

    Minimises ``||S^(1/2) (y - X w - b)||^2 + alpha ||w||^2`` exactly through the normal
    equations: the centred Gram matrix ``X^T S X`` and ``X^T S y`` are summed over the
    processes (three small ``allreduce``, no centred copy of ``X``) and ``(X^T S X + alpha
    I) w = X^T S y`` is solved by Cholesky on every process. This is the communication-
    optimal choice for ``n_samples >> n_features``: one pass over the data and
    ``d x d``-sized messages, and ``alpha > 0`` keeps the system positive definite, so the
    squared condition number of the normal equations stays bounded by
    ``(s_max^2 + alpha) / alpha``. A singular system (``alpha = 0`` with a rank-deficient
    ``X``) falls back to its minimum-norm least-squares solution.

    Parameters
    ----------
    alpha : float or array_like of shape (n_targets,)
        Regularisation strength (non-negative), one per target if an array.
    fit_intercept : bool
        Fit an intercept (weighted centring).
    copy_X : bool
        Kept for scikit-learn compatibility (``X`` is never modified).
    max_iter, tol, random_state
        Accepted for compatibility; the direct solver does not use them.
    solver : {"auto", "cholesky"}
        Both select the normal equations above; scikit-learn's iterative solvers raise
        ``NotImplementedError``.

    Attributes
    ----------
    coef_, intercept_ : hpa.Array
        As in :class:`LinearRegression` (replicated).
    n_iter_ : None
        The direct solver takes no iterations.
    solver_ : str
        ``"cholesky"``.
    n_features_in_ : int
        Features seen in ``fit``.
    """

    def __init__(
        self,
        alpha: Any = 1.0,
        fit_intercept: bool = True,
        copy_X: bool = True,
        max_iter: int | None = None,
        tol: float = 1e-4,
        solver: str = "auto",
        random_state: Any = None,
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.solver = solver
        self.random_state = random_state

    def _check_params(self) -> None:
        check_in("solver", self.solver, _RIDGE_SOLVERS)
        if self.solver not in ("auto", "cholesky"):
            raise NotImplementedError(
                f"Ridge solver {self.solver!r} is not implemented; use 'auto' or 'cholesky'."
            )
        check_number("max_iter", self.max_iter, numbers.Integral, low=1, allow_none=True)
        check_number("tol", self.tol, low=0)

    def _alphas(self, n_targets: int) -> np.ndarray:
        """One non-negative penalty per target."""
        if isinstance(self.alpha, numbers.Number):
            check_number("alpha", self.alpha, low=0)
            alpha: Any = self.alpha  # a real number now
            return np.full(n_targets, float(alpha))
        alphas = np.asarray(self.alpha, dtype=np.float64).ravel()
        if alphas.size == 1:
            alphas = np.full(n_targets, alphas[0])
        if alphas.size != n_targets:
            raise ValueError(
                f"Number of targets and number of penalties do not correspond: "
                f"{alphas.size} != {n_targets}"
            )
        if not np.all(np.isfinite(alphas) & (alphas >= 0)):
            raise ValueError("The 'alpha' parameter must be non-negative and finite.")
        return alphas

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Ridge:
        """Fit the ridge coefficients.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``(n_samples, n_features)``, any layout.
        y : array_like or hpa.Array
            ``(n_samples,)`` or ``(n_samples, n_targets)``, any layout.
        sample_weight : array_like or hpa.Array, optional
            One non-negative weight per sample.

        Returns
        -------
        Ridge
            ``self``.
        """
        self._check_params()
        X, y = prepare(X, y, check_X=False)
        sw = as_weights(sample_weight, X)
        Y = hpa.expand_dims(y, 1) if y.ndim == 1 else y
        alphas = self._alphas(Y.shape[1])
        m = moments(X, Y, sw, self.fit_intercept)
        coef = np.stack([_penalised_solve(m.gram, m.xy[:, t], a) for t, a in enumerate(alphas)])
        self.n_iter_ = None
        self.solver_ = "cholesky"
        self.n_features_in_ = X.shape[1]
        self._set_coef(coef, m.x_offset, m.y_offset, y.ndim, X)
        return self


def _penalised_solve(gram: np.ndarray, rhs: np.ndarray, alpha: float) -> np.ndarray:
    """``(gram + alpha I)^-1 rhs`` by Cholesky; the minimum-norm solution if singular."""
    a = torch.from_numpy(gram + alpha * np.eye(gram.shape[0]))
    b = torch.from_numpy(np.ascontiguousarray(rhs)).unsqueeze(1)
    factor, info = torch.linalg.cholesky_ex(a)
    if int(info) == 0:
        return torch.cholesky_solve(b, factor)[:, 0].numpy()
    return np.linalg.lstsq(a.numpy(), rhs, rcond=None)[0]
