"""Elastic net and lasso by coordinate descent on the Gram matrix.

The objective is scikit-learn's,

    (1 / (2 n)) ||y - X w - b||^2 + alpha * l1_ratio * ||w||_1
        + 0.5 * alpha * (1 - l1_ratio) * ||w||^2,

and so is the algorithm: cyclic (or random) coordinate updates with soft thresholding, a
duality-gap check whenever the largest coordinate update of a sweep falls below
``tol * max|w|``, stopping once the gap is below ``tol * ||y||^2``, and the gap-safe screening
of scikit-learn's ``enet_coordinate_descent_gram`` (features proven to be zero at the optimum
are dropped from the sweeps).

Distribution: ``X^T S X``, ``X^T S y`` and the moments needed for centring are summed over
the processes once per ``fit`` (three small ``allreduce``); the sweeps then run on these
replicated ``d x d`` quantities on every process, identically, with no communication per
coordinate. Each process holds the ``n_features x n_features`` Gram matrix in float64, so
the number of features is bounded by memory (about 11,000 features per GiB), not the number
of samples.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

import hpa
from hpa.algorithms.base import BaseEstimator, RegressorMixin, random_state_scope, sklearn_twin
from hpa.algorithms.regression._base import LinearModel, moments, prepare
from hpa.algorithms.validation import as_weights, check_in, check_number

__all__ = ["ElasticNet", "Lasso"]


class ConvergenceWarning(UserWarning):
    """An iterative solver stopped at ``max_iter`` before reaching ``tol`` (scikit-learn's
    warning of the same name, issued as its twin: :func:`~hpa.algorithms.base.sklearn_twin`)."""


def _gap(
    w: np.ndarray,
    l1: float,
    l2: float,
    Qw: np.ndarray,
    q: np.ndarray,
    y_norm2: float,
    positive: bool,
) -> tuple[float, float, np.ndarray]:
    """Duality gap, dual norm of ``X^T R - l2 w`` and that vector (scikit-learn's
    ``gap_enet_gram``: formulation A for ``l1 > 0``, B for ridge, the gradient norm for OLS)."""
    q_dot_w = float(w @ q)
    r_norm2 = y_norm2 + float(w @ Qw) - 2.0 * q_dot_w
    r_y = y_norm2 - q_dot_w
    w_l2 = float(w @ w) if l2 > 0 else 0.0
    if l1 == 0:
        xta = q - Qw
        dual_norm = float(xta @ xta)
        if l2 == 0:
            return dual_norm, dual_norm, xta
        return r_norm2 + 0.5 * l2 * w_l2 - r_y + dual_norm / (2 * l2), dual_norm, xta
    xta = q - Qw - l2 * w
    dual_norm = float(xta.max()) if positive else float(np.abs(xta).max())
    primal = 0.5 * (r_norm2 + l2 * w_l2) + l1 * float(np.abs(w).sum())
    scale = l1 / dual_norm if dual_norm > l1 else 1.0
    dual = -0.5 * scale**2 * (r_norm2 + l2 * w_l2) + scale * r_y
    return primal - dual, dual_norm, xta


def _screen(
    active: np.ndarray,
    w: np.ndarray,
    Qw: np.ndarray,
    Q: np.ndarray,
    l1: float,
    l2: float,
    gap: float,
    dual_norm: float,
    xta: np.ndarray,
) -> np.ndarray:
    """Gap-safe screening (Fercoq et al. 2015, Eq. 11): the features still active; those
    proven zero are set to zero (``Qw`` updated in place)."""
    radius = math.sqrt(2 * abs(gap)) / l1
    diag = np.diagonal(Q)
    theta = xta[active] / max(l1, dual_norm)
    dist = (1 - np.abs(theta)) / np.sqrt(diag[active] + l2)
    keep = (dist <= radius) & (diag[active] != 0)
    for j in active[~keep]:
        if w[j] != 0:
            Qw -= w[j] * Q[j]
            w[j] = 0.0
    return active[keep]


def _sweep(
    order: Any,
    w: np.ndarray,
    Qw: np.ndarray,
    Q: np.ndarray,
    q: list[float],
    diag: list[float],
    l1: float,
    l2: float,
    positive: bool,
) -> tuple[float, float]:
    """One pass of coordinate updates over ``order``; the largest |update| and |w_j|."""
    w_max = d_w_max = 0.0
    for j in order:
        qjj = diag[j]
        if qjj == 0.0:
            continue
        w_j = w[j]
        tmp = q[j] - Qw[j] + w_j * qjj
        if positive and tmp < 0:
            new = 0.0
        else:
            new = math.copysign(max(abs(tmp) - l1, 0.0), tmp) / (qjj + l2)
        if new != w_j:
            Qw += (new - w_j) * Q[j]
            w[j] = new
        d_w_max = max(d_w_max, abs(new - w_j))
        w_max = max(w_max, abs(new))
    return d_w_max, w_max


def enet_gram(
    w: np.ndarray,
    l1: float,
    l2: float,
    Q: np.ndarray,
    q: np.ndarray,
    y_norm2: float,
    max_iter: int,
    tol: float,
    positive: bool,
    random: bool,
) -> tuple[np.ndarray, float, int]:
    """Minimise ``w^T Q w / 2 - q^T w + l1 |w|_1 + l2 |w|^2 / 2`` from ``w`` in place.

    scikit-learn's ``enet_coordinate_descent_gram`` step for step. ``random`` draws each
    sweep's coordinates from hpa's generator on the host, where the sweeps run (replicated,
    so every process draws the same).

    Returns
    -------
    (w, gap, n_iter)
        The coefficients, the final duality gap (unscaled) and the sweeps taken.
    """
    d = Q.shape[0]
    Qw = Q @ w
    d_w_tol, tol = tol, tol * y_norm2
    screening = l1 > 0
    gap, dual_norm, xta = _gap(w, l1, l2, Qw, q, y_norm2, positive)
    if 0 <= gap <= tol:
        return w, gap, 0
    active = np.arange(d)
    if screening:
        active = _screen(active, w, Qw, Q, l1, l2, gap, dual_norm, xta)
    q_list, diag = q.tolist(), np.diagonal(Q).tolist()
    n_iter = 0
    for n_iter in range(max_iter):
        if random:
            size, high = (len(active),), max(len(active), 1)
            picks = hpa.random.randint(0, high, size=size, device="cpu").numpy()
            order = active[picks].tolist()
        else:
            order = active.tolist()
        d_w_max, w_max = _sweep(order, w, Qw, Q, q_list, diag, l1, l2, positive)
        if w_max == 0.0 or d_w_max / w_max <= d_w_tol or n_iter == max_iter - 1:
            gap, dual_norm, xta = _gap(w, l1, l2, Qw, q, y_norm2, positive)
            if gap <= tol:
                break
            if screening:
                active = _screen(active, w, Qw, Q, l1, l2, gap, dual_norm, xta)
    else:
        warnings.warn(
            f"Objective did not converge. You might want to increase the number of "
            f"iterations. Duality gap: {gap:.6e}, tolerance: {tol:.3e}",
            sklearn_twin(ConvergenceWarning),
            stacklevel=3,
        )
    return w, gap, n_iter + 1


class ElasticNet(LinearModel, RegressorMixin, BaseEstimator):
    """Linear regression with combined L1 and L2 penalties, as
    ``sklearn.linear_model.ElasticNet`` (see the module notes for the objective, the
    algorithm and the communication).

    Parameters
    ----------
    alpha : float
        Penalty strength (non-negative; 0 is ordinary least squares, better fitted with
        :class:`LinearRegression`).
    l1_ratio : float
        The L1 share of the penalty, in ``[0, 1]``.
    fit_intercept : bool
        Fit an intercept (weighted centring).
    precompute : bool or "auto"
        Accepted for compatibility: the Gram matrix is always used (it is what makes
        distributed coordinate descent free of per-coordinate communication); a precomputed
        Gram array is not supported.
    max_iter : int
        Most sweeps over the coordinates.
    copy_X : bool
        Kept for compatibility (``X`` is never modified).
    tol : float
        Tolerance on the coordinate updates and the duality gap, as in scikit-learn.
    warm_start : bool
        Start from the previous ``coef_``.
    positive : bool
        Constrain the coefficients to be non-negative.
    random_state : None, int, RandomState or Generator
        Seeds hpa's generator for ``selection="random"``.
    selection : {"cyclic", "random"}
        Sweep order.

    Attributes
    ----------
    coef_ : hpa.Array
        ``(n_features,)`` or ``(n_targets, n_features)`` (replicated); each target is fitted
        on its own, as in scikit-learn.
    intercept_ : hpa.Array
        0-d or ``(n_targets,)`` (replicated).
    n_iter_ : int or list of int
        Sweeps taken (per target for a 2-d ``y``).
    dual_gap_ : float or hpa.Array
        The final duality gaps, scaled by ``1 / n_samples`` as scikit-learn's.
    n_features_in_ : int
        Features seen in ``fit``.
    """

    def __init__(
        self,
        alpha: float = 1.0,
        l1_ratio: float = 0.5,
        fit_intercept: bool = True,
        precompute: Any = False,
        max_iter: int = 1000,
        copy_X: bool = True,
        tol: float = 1e-4,
        warm_start: bool = False,
        positive: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
    ) -> None:
        self.alpha = alpha
        self.l1_ratio = l1_ratio
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.max_iter = max_iter
        self.copy_X = copy_X
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _ratio(self) -> float:
        return self.l1_ratio

    def _check_params(self) -> None:
        check_number("alpha", self.alpha, low=0)
        check_number("l1_ratio", self._ratio(), low=0, high=1)
        check_number("max_iter", self.max_iter, numbers.Integral, low=1)
        check_number("tol", self.tol, low=0)
        check_in("selection", self.selection, ("cyclic", "random"))
        if not isinstance(self.precompute, (bool, str)) or (
            isinstance(self.precompute, str) and self.precompute != "auto"
        ):
            raise NotImplementedError(
                "precompute must be True, False or 'auto'; a precomputed Gram matrix is not "
                "supported (the Gram matrix is always computed from X)."
            )

    def _initial(self, n_targets: int, n_features: int) -> np.ndarray:
        """Starting coefficients, ``(n_targets, n_features)``."""
        if self.warm_start and hasattr(self, "coef_"):
            start = self.coef_.numpy().astype(np.float64).reshape(-1, n_features)
            if start.shape == (n_targets, n_features):
                return start.copy()
        return np.zeros((n_targets, n_features))

    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> ElasticNet:
        """Fit by coordinate descent.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``(n_samples, n_features)``, any layout.
        y : array_like or hpa.Array
            ``(n_samples,)`` or ``(n_samples, n_targets)``, any layout.
        sample_weight : array_like or hpa.Array, optional
            One non-negative weight per sample (rescaled to sum to ``n_samples``, as in
            scikit-learn).

        Returns
        -------
        ElasticNet
            ``self``.
        """
        self._check_params()
        X, y = prepare(X, y, check_X=False)
        sw = as_weights(sample_weight, X)
        Y = hpa.expand_dims(y, 1) if y.ndim == 1 else y
        n, k = X.shape[0], Y.shape[1]
        m = moments(X, Y, sw, self.fit_intercept)
        if sw is not None and m.weight_sum > 0:  # weights rescaled to sum to n_samples
            scale = n / m.weight_sum
            m.gram, m.xy, m.yy = m.gram * scale, m.xy * scale, m.yy * scale
        l1 = self.alpha * self._ratio() * n
        l2 = self.alpha * (1.0 - self._ratio()) * n
        coef = self._initial(k, X.shape[1])
        gaps, iters = np.zeros(k), []
        with random_state_scope(self.random_state):
            for t in range(k):
                _, gap, it = enet_gram(
                    coef[t], l1, l2, m.gram, m.xy[:, t].copy(), float(m.yy[t]),
                    self.max_iter, self.tol, self.positive, self.selection == "random",
                )  # fmt: skip
                gaps[t] = gap / n
                iters.append(it)
        if not np.isfinite(coef).all():
            raise ValueError(
                "Coordinate descent iterations resulted in non-finite parameter values. The "
                "input data may contain large values and need to be preprocessed."
            )
        self.n_iter_ = iters[0] if y.ndim == 1 else iters
        self.dual_gap_ = (
            float(gaps[0]) if y.ndim == 1 else hpa.array(gaps, dtype=X.dtype, device=X.device)
        )
        self.n_features_in_ = X.shape[1]
        self._set_coef(coef, m.x_offset, m.y_offset, y.ndim, X)
        return self


class Lasso(ElasticNet):
    """Linear regression with an L1 penalty, as ``sklearn.linear_model.Lasso``: the elastic
    net with ``l1_ratio = 1``,

        (1 / (2 n)) ||y - X w - b||^2 + alpha ||w||_1.

    Parameters and attributes are those of :class:`ElasticNet` without ``l1_ratio``.
    """

    def __init__(
        self,
        alpha: float = 1.0,
        fit_intercept: bool = True,
        precompute: Any = False,
        copy_X: bool = True,
        max_iter: int = 1000,
        tol: float = 1e-4,
        warm_start: bool = False,
        positive: bool = False,
        random_state: Any = None,
        selection: str = "cyclic",
    ) -> None:
        self.alpha = alpha
        self.fit_intercept = fit_intercept
        self.precompute = precompute
        self.copy_X = copy_X
        self.max_iter = max_iter
        self.tol = tol
        self.warm_start = warm_start
        self.positive = positive
        self.random_state = random_state
        self.selection = selection

    def _ratio(self) -> float:
        return 1.0
