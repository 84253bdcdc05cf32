"""Principal component analysis of row-split data, with scikit-learn's ``PCA`` interface."""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

import hpa
from hpa.algorithms.base import random_state_scope
from hpa.algorithms.decomposition.base import BasePCA, flip_signs
from hpa.algorithms.validation import as_data, check_in, check_number

__all__ = ["PCA"]

SOLVERS = ("auto", "full", "covariance_eigh", "arpack", "randomized")


class PCA(BasePCA):
    """Principal component analysis: a linear projection of centred data onto the directions
    of largest variance, as ``sklearn.decomposition.PCA``.

    Parameters
    ----------
    n_components : int, float, "mle" or None
        Components kept: an int, a float in (0, 1) (the fewest components explaining more than
        that fraction of the variance; full solvers only), ``"mle"`` (Minka's estimate; full
        solvers, ``n_samples >= n_features``), or None (``min(n_samples, n_features)``, one
        fewer for ``"arpack"``).
    copy : bool
        Accepted for scikit-learn compatibility: ``X`` is never modified.
    whiten : bool
        Scale the projections to unit variance.
    svd_solver : {"auto", "full", "covariance_eigh", "arpack", "randomized"}
        ``"full"``: the exact SVD of the centred data (:func:`hpa.linalg.svd`, TSQR).
        ``"covariance_eigh"``: the eigendecomposition of the covariance matrix (one
        ``allreduce`` of an ``n_features x n_features`` matrix). ``"arpack"``: the exact SVD,
        truncated (no ARPACK here), with ARPACK's limit ``n_components < min(n_samples,
        n_features)``. ``"randomized"``: :func:`hpa.linalg.randomized_svd`. ``"auto"``:
        scikit-learn's policy on ``X.shape``.
    tol : float
        Accepted for ``"arpack"`` compatibility; the exact SVD needs no tolerance.
    iterated_power : int or "auto"
        Power iterations of ``"randomized"`` (``"auto"``: 7 when ``n_components`` is below a
        tenth of ``min(X.shape)``, 4 otherwise).
    n_oversamples : int
        Extra random vectors of ``"randomized"``.
    power_iteration_normalizer : {"auto", "QR", "LU", "none"}
        Accepted for compatibility; every power iteration is re-orthonormalised with QR.
    random_state : None, int, RandomState or Generator
        Seeds ``"randomized"`` (the result does not depend on the number of processes).

    Attributes
    ----------
    components_ : hpa.Array
        ``(n_components_, n_features)``, replicated; the largest entry of each row in
        magnitude is positive (scikit-learn's ``svd_flip(u_based_decision=False)``).
    explained_variance_, explained_variance_ratio_, singular_values_ : hpa.Array
        ``(n_components_,)``, replicated.
    mean_ : hpa.Array
        ``(n_features,)``, replicated.
    n_components_, n_samples_, n_features_in_ : int
    noise_variance_ : float
        The probabilistic PCA model's noise variance.

    Notes
    -----
    Communication of ``fit`` on row-split ``X`` (``p > 1``): one ``allreduce`` for the
    finiteness check, one for the mean, then ``"full"``/``"arpack"``: one ``allgatherv`` of the
    TSQR ``R`` factors (a wide matrix, ``n_samples < n_features``, is first moved to a split
    along the features by one ``alltoallv`` and factored through its transpose; its components
    are then gathered with one ``allgatherv``); ``"covariance_eigh"``: one ``allreduce``;
    ``"randomized"``: ``iterated_power + 1`` TSQRs and products (see
    :func:`hpa.linalg.randomized_svd`) and one ``allreduce`` for the total variance.
    ``transform`` is local. Results do not depend on the number of processes.
    """

    def __init__(
        self,
        n_components: float | str | None = None,
        *,
        copy: bool = True,
        whiten: bool = False,
        svd_solver: str = "auto",
        tol: float = 0.0,
        iterated_power: int | str = "auto",
        n_oversamples: int = 10,
        power_iteration_normalizer: str = "auto",
        random_state: Any = None,
    ) -> None:
        self.n_components = n_components
        self.copy = copy
        self.whiten = whiten
        self.svd_solver = svd_solver
        self.tol = tol
        self.iterated_power = iterated_power
        self.n_oversamples = n_oversamples
        self.power_iteration_normalizer = power_iteration_normalizer
        self.random_state = random_state

    def fit(self, X: Any, y: Any = None) -> PCA:
        """Fit the model to ``X`` ``(n_samples, n_features)``; returns self."""
        self._check_params()
        X = as_data(X)
        n, d = X.shape
        n_components = self.n_components
        if n_components is None:
            n_components = min(n, d) - (self.svd_solver == "arpack")
        solver = _choose_solver(self.svd_solver, n, d, n_components)
        if solver in ("full", "covariance_eigh"):
            self._fit_full(X, n_components, solver)
        else:
            self._fit_truncated(X, n_components, solver)
        self.n_samples_, self.n_features_in_ = n, d
        return self

    def _check_params(self) -> None:
        nc = self.n_components
        if isinstance(nc, str):
            check_in("n_components", nc, ["mle"])
        elif isinstance(nc, numbers.Integral) and not isinstance(nc, bool):
            check_number("n_components", nc, numbers.Integral, low=0)
        elif nc is not None:
            check_number("n_components", nc, numbers.Real, low=0, high=1, low_open=True,
                         high_open=True)  # fmt: skip
        check_in("svd_solver", self.svd_solver, SOLVERS)
        check_number("tol", self.tol, low=0)
        if self.iterated_power != "auto":
            check_number("iterated_power", self.iterated_power, numbers.Integral, low=0)
        check_number("n_oversamples", self.n_oversamples, numbers.Integral, low=1)
        check_in("power_iteration_normalizer", self.power_iteration_normalizer,
                 ["auto", "QR", "LU", "none"])  # fmt: skip
        check_in("whiten", self.whiten, [True, False])

    def _fit_full(self, X: hpa.Array, n_components: Any, solver: str) -> None:
        """Exact SVD (``"full"``) or covariance eigendecomposition, then the truncation."""
        n, d = X.shape
        if n_components == "mle":
            if n < d:
                raise ValueError("n_components='mle' is only supported if n_samples >= n_features")
        elif not 0 <= n_components <= min(n, d):
            raise ValueError(
                f"n_components={n_components} must be between 0 and "
                f"min(n_samples, n_features)={min(n, d)} with svd_solver={solver!r}"
            )
        self.mean_ = hpa.mean(X, axis=0)
        Xc = X - self.mean_
        if solver == "full":
            _, S, Vt = hpa.linalg.svd(Xc, full_matrices=False)
            explained = S**2 / (n - 1)
        else:
            eigvals, eigvecs = hpa.linalg.eigh((Xc.T @ Xc) / (n - 1))
            explained = hpa.clip(hpa.flip(eigvals, 0), 0.0, None)
            S, Vt = hpa.sqrt(explained * (n - 1)), hpa.flip(eigvecs, 1).T
        components, _ = flip_signs(Vt.resplit(None))
        ratio = explained / hpa.sum(explained)
        if n_components == "mle":
            n_components = _infer_dimension(explained.numpy().astype(np.float64), n)
        elif 0 < n_components < 1.0:
            cumulated = np.cumsum(ratio.numpy().astype(np.float64))
            n_components = int(np.searchsorted(cumulated, n_components, side="right")) + 1
            n_components = min(n_components, explained.shape[0])
        if n_components < min(n, d):
            self.noise_variance_ = float(hpa.mean(explained[n_components:]))
        else:
            self.noise_variance_ = 0.0
        self._keep(int(n_components), components, explained, ratio, S)

    def _fit_truncated(self, X: hpa.Array, n_components: Any, solver: str) -> None:
        """Truncated SVD: the exact one cut to ``n_components`` (``"arpack"``) or randomized."""
        n, d = X.shape
        if isinstance(n_components, str):  # scikit-learn raises ValueError here
            raise ValueError(  # noqa: TRY004
                f"n_components={n_components!r} cannot be a string with svd_solver='{solver}'"
            )
        if not 1 <= n_components <= min(n, d) or not isinstance(n_components, numbers.Integral):
            raise ValueError(
                f"n_components={n_components!r} must be between 1 and "
                f"min(n_samples, n_features)={min(n, d)} with svd_solver='{solver}'"
            )
        if solver == "arpack" and n_components == min(n, d):
            raise ValueError(
                f"n_components={n_components!r} must be strictly less than "
                f"min(n_samples, n_features)={min(n, d)} with svd_solver='{solver}'"
            )
        n_components = int(n_components)
        self.mean_ = hpa.mean(X, axis=0)
        Xc = X - self.mean_
        if solver == "arpack":
            _, S, Vt = hpa.linalg.svd(Xc, full_matrices=False)
        else:
            n_iter = self.iterated_power
            if n_iter == "auto":
                n_iter = 7 if n_components < 0.1 * min(n, d) else 4
            n_iter = int(n_iter)
            with random_state_scope(self.random_state):
                seed = int(hpa.random.randint(0, 2**31 - 1, size=1, device="cpu").numpy()[0])
            _, S, Vt = hpa.linalg.randomized_svd(
                Xc, n_components, n_oversamples=self.n_oversamples, n_iter=n_iter,
                random_state=seed,
            )  # fmt: skip
        S, Vt = S[:n_components], Vt[:n_components]
        components, _ = flip_signs(Vt.resplit(None))
        explained = S**2 / (n - 1)
        total = float(hpa.sum(Xc * Xc)) / (n - 1)
        if n_components < min(n, d):
            rest = (total - float(hpa.sum(explained))) / (min(n, d) - n_components)
            self.noise_variance_ = rest
        else:
            self.noise_variance_ = 0.0
        self._keep(n_components, components, explained, explained / total, S)

    def _keep(
        self, k: int, components: hpa.Array, explained: hpa.Array, ratio: hpa.Array, S: hpa.Array
    ) -> None:
        self.n_components_ = k
        self.components_ = components[:k].copy()
        self.explained_variance_ = explained[:k].copy()
        self.explained_variance_ratio_ = ratio[:k].copy()
        self.singular_values_ = S[:k].copy()


def _choose_solver(solver: str, n: int, d: int, n_components: Any) -> str:
    """scikit-learn's ``"auto"`` policy on the shape of ``X``."""
    if solver != "auto":
        return solver
    if d <= 1_000 and n >= 10 * d:
        return "covariance_eigh"
    if max(n, d) <= 500 or n_components == "mle":
        return "full"
    if 1 <= n_components < 0.8 * min(n, d):
        return "randomized"
    return "full"


def _assess_dimension(spectrum: np.ndarray, rank: int, n_samples: int) -> float:
    """Log-likelihood of a rank under Minka's model (scikit-learn's ``_assess_dimension``)."""
    n_features = spectrum.shape[0]
    eps = 1e-15
    if spectrum[rank - 1] < eps:
        return -math.inf
    pu = -rank * math.log(2.0)
    for i in range(1, rank + 1):
        k = (n_features - i + 1) / 2.0
        pu += math.lgamma(k) - math.log(math.pi) * k
    pl = -float(np.sum(np.log(spectrum[:rank]))) * n_samples / 2.0
    v = max(eps, float(np.sum(spectrum[rank:])) / (n_features - rank))
    pv = -math.log(v) * n_samples * (n_features - rank) / 2.0
    m = n_features * rank - rank * (rank + 1.0) / 2.0
    pp = math.log(2.0 * math.pi) * (m + rank) / 2.0
    smoothed = spectrum.copy()
    smoothed[rank:] = v
    pa = 0.0
    for i in range(rank):
        j = slice(i + 1, n_features)
        terms = (spectrum[i] - spectrum[j]) * (1.0 / smoothed[j] - 1.0 / smoothed[i])
        pa += float(np.sum(np.log(terms))) + (n_features - i - 1) * math.log(n_samples)
    return pu + pl + pv + pp - pa / 2.0 - rank * math.log(n_samples) / 2.0


def _infer_dimension(spectrum: np.ndarray, n_samples: int) -> int:
    """The rank in ``[1, n_features - 1]`` of largest likelihood (Minka, 2000)."""
    ll = np.full(spectrum.shape[0], -np.inf)
    for rank in range(1, spectrum.shape[0]):
        ll[rank] = _assess_dimension(spectrum, rank, n_samples)
    return int(np.argmax(ll))
