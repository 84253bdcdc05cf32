"""Logistic regression (binary and multinomial) fitted by L-BFGS on distributed samples.

The objective is scikit-learn's for ``solver="lbfgs"``,

    (1 / S) sum_i s_i loss_i + (1 / (2 C S)) ||W||^2,

with ``S`` the sum of the sample weights (``n_samples`` without weights), the log loss of
the sigmoid (two classes, one coefficient row) or of the softmax (more classes, one row per
class) and an unpenalised intercept. It has the same minimiser as
``C sum_i s_i loss_i + ||W||^2 / 2``.

Distribution: the parameters (``(n_features + 1) x n_columns``) are replicated and updated
identically on every process; each evaluation of the loss and its gradient is one matrix
product over the local rows, ``[X 1]^T [s * (P - Y), s * loss]``, whose sum over the
processes (one ``allreduce``) holds both the gradient and, in its last entry, the loss.
The L-BFGS state is tiny and lives on the host (float64 CPU tensors): each evaluation copies
the parameters to the data's device and the summed gradient back, one transfer each way.
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

import hpa
from hpa.algorithms.base import (
    BaseEstimator,
    ClassifierMixin,
    check_is_fitted,
    report,
    sklearn_twin,
)
from hpa.algorithms.classification._labels import unique_labels
from hpa.algorithms.regression.coordinate_descent import ConvergenceWarning
from hpa.algorithms.validation import (
    as_data,
    as_labels,
    as_weights,
    check_features,
    check_in,
    check_number,
    check_verbose,
)

__all__ = ["LogisticRegression"]

_SOLVERS = ("lbfgs", "liblinear", "newton-cg", "newton-cholesky", "sag", "saga")
_PENALTIES = ("l2", None, "l1", "elasticnet")

Objective = Callable[[torch.Tensor], tuple[float, torch.Tensor]]


def lbfgs(
    fun: Objective,
    x: torch.Tensor,
    tol: float,
    max_iter: int,
    memory: int = 10,
    verbose: int = 0,
) -> tuple[torch.Tensor, int, bool]:
    """Minimise a smooth function with limited-memory BFGS and a backtracking line search.

    Parameters
    ----------
    fun : callable
        ``x -> (f(x), grad f(x))``; the same on every process.
    x : torch.Tensor
        Starting point (1-d float64).
    tol : float
        Stop when ``max |grad| <= tol``.
    max_iter : int
        Most iterations.
    memory : int
        Correction pairs kept.
    verbose : int
        Print the objective and the largest gradient entry of every iteration (rank 0).

    Returns
    -------
    (x, n_iter, converged)
    """
    f, g = fun(x)
    g_max = float(g.abs().max())
    pairs: list[tuple[torch.Tensor, torch.Tensor, float]] = []
    for it in range(max_iter):
        if g_max <= tol:
            return x, it, True
        d = -_two_loop(g, pairs)
        slope = float(g @ d)
        if slope >= 0:  # not a descent direction: restart from steepest descent
            pairs.clear()
            d, slope = -g, -float(g @ g)
        step = 1.0 if pairs else min(1.0, 1.0 / float(g.norm()))
        accepted = _line_search(fun, x, f, g, d, slope, step)
        if accepted is None:  # no decrease within floating-point precision
            return x, it, False
        x_new, f_new, g_new = accepted
        s, y = x_new - x, g_new - g
        sy = float(s @ y)
        if sy > 1e-12 * float(y @ y):
            pairs.append((s, y, 1.0 / sy))
            del pairs[:-memory]
        x, f, g = x_new, f_new, g_new
        g_max = float(g.abs().max())
        report(verbose, f"L-BFGS iteration {it + 1}: loss {f:.10g}, max |gradient| {g_max:.3e}")
    return x, max_iter, g_max <= tol


def _two_loop(
    g: torch.Tensor, pairs: list[tuple[torch.Tensor, torch.Tensor, float]]
) -> torch.Tensor:
    """The inverse-Hessian approximation applied to ``g`` (Nocedal and Wright, Alg. 7.4)."""
    q = g.clone()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(s @ q)
        q -= a * y
        alphas.append(a)
    if pairs:
        s, y, _ = pairs[-1]
        q *= float(s @ y) / float(y @ y)
    for (s, y, rho), a in zip(pairs, reversed(alphas), strict=True):
        q += (a - rho * float(y @ q)) * s
    return q


def _line_search(
    fun: Objective,
    x: torch.Tensor,
    f: float,
    g: torch.Tensor,
    d: torch.Tensor,
    slope: float,
    step: float,
) -> tuple[torch.Tensor, float, torch.Tensor] | None:
    """Backtrack from ``step`` until the Armijo condition holds (or, at the limit of
    floating-point precision, the loss is unchanged and the gradient shrank)."""
    g_norm = float(g.norm())
    for _ in range(60):
        x_new = x + step * d
        f_new, g_new = fun(x_new)
        if f_new <= f + 1e-4 * step * slope:
            return x_new, f_new, g_new
        if abs(f_new - f) <= 64 * 2.2e-16 * max(abs(f), 1.0) and float(g_new.norm()) < g_norm:
            return x_new, f_new, g_new
        step *= 0.5
    return None


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Logistic regression, as ``sklearn.linear_model.LogisticRegression`` with the lbfgs
    solver (see the module notes for the objective and the communication).

    Two classes are fitted as one binary logistic model; more classes as a multinomial
    (softmax) model with one coefficient row per class.

    Parameters
    ----------
    penalty : {"l2", None}
        L2 penalty, or none. ``"l1"`` and ``"elasticnet"`` raise ``NotImplementedError``.
    C : float
        Inverse of the penalty strength (positive).
    tol : float
        Stop when the largest gradient entry of the scaled objective is at most ``tol``.
    fit_intercept : bool
        Fit an (unpenalised) intercept per class.
    max_iter : int
        Most L-BFGS iterations.
    solver : {"lbfgs"}
        The other scikit-learn solvers raise ``NotImplementedError``.
    verbose : int
        Print the loss and the largest gradient entry of every L-BFGS iteration (rank 0).
    random_state : None, int, RandomState or Generator
        Accepted for compatibility (lbfgs is deterministic).

    Attributes
    ----------
    classes_ : hpa.Array
        Sorted unique labels (replicated).
    coef_ : hpa.Array
        ``(1, n_features)`` for two classes, else ``(n_classes, n_features)`` (replicated).
    intercept_ : hpa.Array
        ``(1,)`` or ``(n_classes,)`` (replicated).
    n_iter_ : hpa.Array
        ``(1,)``: the L-BFGS iterations taken.
    n_features_in_ : int
        Features seen in ``fit``.
    """

    def __init__(
        self,
        penalty: str | None = "l2",
        C: float = 1.0,
        tol: float = 1e-4,
        fit_intercept: bool = True,
        max_iter: int = 100,
        solver: str = "lbfgs",
        verbose: int = 0,
        random_state: Any = None,
    ) -> None:
        self.penalty = penalty
        self.C = C
        self.tol = tol
        self.fit_intercept = fit_intercept
        self.max_iter = max_iter
        self.solver = solver
        self.verbose = verbose
        self.random_state = random_state

    def _check_params(self) -> None:
        check_in("penalty", self.penalty, _PENALTIES)
        check_in("solver", self.solver, _SOLVERS)
        if self.penalty not in ("l2", None):
            raise NotImplementedError(f"penalty={self.penalty!r} is not implemented; use 'l2'.")
        if self.solver != "lbfgs":
            raise NotImplementedError(f"solver={self.solver!r} is not implemented; use 'lbfgs'.")
        check_number("C", self.C, low=0, low_open=True)
        check_number("tol", self.tol, low=0)
        check_number("max_iter", self.max_iter, numbers.Integral, low=0)
        check_verbose(self.verbose)

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> LogisticRegression:
        """Fit the model.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``(n_samples, n_features)``, any layout.
        y : array_like or hpa.Array
            ``(n_samples,)`` class labels, any layout.
        sample_weight : array_like or hpa.Array, optional
            One non-negative weight per sample.

        Returns
        -------
        LogisticRegression
            ``self``.

        Raises
        ------
        ValueError
            If ``y`` holds fewer than two classes, or continuous values.
        """
        self._check_params()
        X = as_data(X)
        y = as_labels(y, X)
        classes = unique_labels(y)
        if classes.shape[0] < 2:
            raise ValueError(
                "This solver needs samples of at least 2 classes in the data, but the data "
                f"contains only one class: {classes.numpy()[0]!r}"
            )
        sw = as_weights(sample_weight, X)
        columns = 1 if classes.shape[0] == 2 else classes.shape[0]
        Xa = hpa.hstack([X.astype(hpa.float64), hpa.ones_like(X[:, :1], dtype=hpa.float64)])
        index = hpa.searchsorted(classes, y)
        if columns == 1:
            targets = hpa.expand_dims(index == 1, 1).astype(hpa.float64)
        else:
            ids = hpa.arange(columns, device=X.device)
            targets = (hpa.expand_dims(index, 1) == ids).astype(hpa.float64)
        C = self.C if self.penalty == "l2" else math.inf
        fun = _objective(Xa, targets, sw, C, self.fit_intercept)
        w0 = torch.zeros(Xa.shape[1] * columns, dtype=torch.float64)
        w, n_iter, converged = lbfgs(fun, w0, self.tol, self.max_iter, verbose=self.verbose)
        if not converged:
            warnings.warn(
                f"lbfgs failed to converge after {n_iter} iteration(s); increase max_iter or "
                "scale the data.",
                sklearn_twin(ConvergenceWarning),
                stacklevel=2,
            )
        W = w.reshape(Xa.shape[1], columns).T.numpy()
        self.classes_ = classes
        self.coef_ = hpa.array(W[:, :-1], dtype=X.dtype, device=X.device)
        self.intercept_ = hpa.array(W[:, -1], dtype=X.dtype, device=X.device)
        self.n_iter_ = hpa.array(np.array([n_iter], dtype=np.int32), device=X.device)
        self.n_features_in_ = X.shape[1]
        return self

    def decision_function(self, X: Any) -> hpa.Array:
        """Scores ``X @ coef_.T + intercept_``: 1-d for two classes (positive favours
        ``classes_[1]``), ``(n_samples, n_classes)`` otherwise; split like ``X``."""
        check_is_fitted(self, "coef_")
        X = as_data(X)
        check_features(X, self.n_features_in_, self)
        scores = hpa.matmul(X, self.coef_.astype(X.dtype).T) + self.intercept_.astype(X.dtype)
        return scores[:, 0] if self.coef_.shape[0] == 1 else scores

    def predict(self, X: Any) -> hpa.Array:
        """The most probable class of every sample (split like ``X``)."""
        scores = self.decision_function(X)
        index = (scores > 0).astype(hpa.int64) if scores.ndim == 1 else scores.argmax(axis=1)
        return self.classes_[index]

    def predict_proba(self, X: Any) -> hpa.Array:
        """Class probabilities, ``(n_samples, n_classes)`` in the order of ``classes_``."""
        return hpa.exp(self.predict_log_proba(X))

    def predict_log_proba(self, X: Any) -> hpa.Array:
        """The logarithm of :meth:`predict_proba`, computed without underflow (the log
        sigmoid or log softmax of the scores)."""
        scores = self.decision_function(X)
        if scores.ndim == 1:
            scores = hpa.stack([hpa.zeros_like(scores), scores], axis=1)
        return scores - _logsumexp(scores)


def _logsumexp(z: hpa.Array) -> hpa.Array:
    """``log sum exp`` over the rows' entries, as a column (no communication for split 0)."""
    top = hpa.expand_dims(z.max(axis=1), 1)
    return top + hpa.expand_dims(hpa.log(hpa.exp(z - top).sum(axis=1)), 1)


def _objective(
    Xa: hpa.Array, targets: hpa.Array, sw: hpa.Array | None, C: float, fit_intercept: bool
) -> Objective:
    """``w -> (loss, gradient)`` of the scaled objective; one ``allreduce`` per call.

    ``Xa`` is ``[X 1]``; ``targets`` the 0/1 indicator of the positive class (one column) or
    of each class (one-hot); ``w`` the flattened ``(n_features + 1) x n_columns`` parameters.
    """
    rows, columns = Xa.shape[1], targets.shape[1]
    weights = None if sw is None else hpa.expand_dims(sw, 1)
    total = float(Xa.shape[0]) if sw is None else float(sw.sum())
    reg = 0.0 if math.isinf(C) else 1.0 / (C * total)
    mask = torch.ones(rows, columns, dtype=torch.float64)
    mask[-1] = 0.0  # the intercept is not penalised
    free = torch.ones(rows, columns, dtype=torch.float64)
    if not fit_intercept:
        free[-1] = 0.0

    def fun(w: torch.Tensor) -> tuple[float, torch.Tensor]:
        W = (w.reshape(rows, columns) * free).numpy()
        z = hpa.matmul(Xa, hpa.array(W, device=Xa.device))
        if columns == 1:  # log(1 + e^z) - t z and its derivative sigmoid(z) - t
            loss = hpa.logaddexp(z, 0.0) - targets * z
            resid = 1.0 / (1.0 + hpa.exp(-z)) - targets
        else:  # log sum exp(z) - z_t and softmax(z) - t
            lse = _logsumexp(z)
            loss = lse - hpa.expand_dims((z * targets).sum(axis=1), 1)
            resid = hpa.exp(z - lse) - targets
        both = hpa.hstack([resid, loss[:, :1]])
        if weights is not None:
            both = both * weights
        summed = torch.from_numpy(hpa.matmul(Xa.T, both).numpy())
        grad = summed[:, :columns] / total
        Wt = torch.from_numpy(W)
        value = float(summed[-1, -1]) / total + 0.5 * reg * float(((Wt * mask) ** 2).sum())
        grad = (grad + reg * Wt * mask) * free
        return value, grad.reshape(-1)

    return fun
