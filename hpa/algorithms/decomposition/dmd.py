"""Dynamic mode decomposition, without (``DMD``) and with control (``DMDc``), as HeAT's.

The data are a time series of snapshots in columns, ``X`` of shape ``(n_features,
n_timesteps)`` (unlike the estimators' samples in rows, as in HeAT), split along either axis
or replicated. "Exact DMD" (Proctor, Brunton & Kutz 2016, Sect. 2.2) fits the linear map
``x_{t+1} ~ A x_t`` in the reduced basis ``U`` of the first ``T - 1`` snapshots: with the
truncated SVD ``X[:, :-1] ~ U S V^T``, the reduced transfer matrix is
``A_r = U^T X[:, 1:] V S^{-1}``, and its eigenvalues are the DMD eigenvalues; the DMD modes
are ``U W`` for the eigenvectors ``W``. DMDc (Sects. 3.3, 3.4) fits
``x_{t+1} ~ A x_t + B u_t`` from the SVD of the stacked ``[X; C][:, :-1]``, in the basis ``U``
of ``X[:, 1:]``.

The SVD is ``svd_solver``'s: ``"full"`` (:func:`hpa.linalg.svd`, TSQR when split along the
features), ``"hierarchical"`` (:func:`hpa.linalg.hsvd_rank` / :func:`hpa.linalg.hsvd_rtol`,
whose result depends on the number of processes) or ``"randomized"``
(:func:`hpa.linalg.rsvd`). The reduced matrices (``r x r``, ``r`` the number of modes) are
replicated and their eigendecomposition is computed on every process; the products with the
snapshots are hpa's distributed ``matmul`` (one ``allreduce`` of ``r x (T - 1)`` numbers when
the snapshots are split along the features). Predictions are products of the reduced
matrices' powers with the reduced states.
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch

import hpa
from hpa.algorithms.base import BaseEstimator, check_is_fitted
from hpa.algorithms.validation import check_in, check_number

__all__ = ["DMD", "DMDc"]


def _series(X: Any, name: str, what: str) -> hpa.Array:
    """``X`` as a finite 2-D float array of snapshots in columns (data not yet in hpa are
    split along the features)."""
    if not isinstance(X, hpa.Array):
        X = hpa.array(X, split=0)
    if X.ndim != 2:
        raise ValueError(
            f"Invalid shape '{X.shape}' for input data '{name}'. Must be a 2-D array of shape "
            f"({what}, n_timesteps)."
        )
    if X.shape[1] < 2:
        raise ValueError(
            f"Invalid number of time steps '{X.shape[1]}' in input data '{name}'. Must have at "
            "least two time steps."
        )
    if X.dtype not in (hpa.float32, hpa.float64):
        X = X.astype(hpa.float64)
    if not bool(hpa.isfinite(X).all()):
        raise ValueError(f"Input {name} contains NaN or infinity.")
    return X


def _state(X: Any, like: hpa.Array) -> hpa.Array:
    """A state (or batch of states) for a prediction, in the fitted dtype."""
    if not isinstance(X, hpa.Array):
        X = hpa.array(X, device=like.device)
    return X.astype(like.dtype)


def _variance_modes(S: hpa.Array, tol: float) -> int:
    """The number of leading singular values whose energy reaches ``1 - tol`` of the total
    (HeAT's rule for the ``"full"`` solver)."""
    energy = np.cumsum(S.numpy().astype(np.float64) ** 2)
    kept = int(np.count_nonzero(energy <= (1 - tol) * energy[-1])) + 1
    return min(kept, energy.shape[0])


def _replicated(t: torch.Tensor, like: hpa.Array) -> hpa.Array:
    """A tensor computed identically on every rank, as a replicated array."""
    return hpa.array(t, device=like.device, copy=False)


class _DMDBase(BaseEstimator):
    """Parameter checks and the truncated SVD shared by :class:`DMD` and :class:`DMDc`."""

    rom_basis_: hpa.Array
    rom_transfer_matrix_: hpa.Array
    rom_eigenvalues_: hpa.Array
    rom_eigenmodes_: hpa.Array
    dmdmodes_: hpa.Array
    n_modes_: int

    def __init__(
        self, svd_solver: str = "full", svd_rank: int | None = None, svd_tol: float | None = None
    ) -> None:
        self.svd_solver = svd_solver
        self.svd_rank = svd_rank
        self.svd_tol = svd_tol

    def _check(self) -> None:
        if not isinstance(self.svd_solver, str):
            raise TypeError(
                f"Invalid type '{type(self.svd_solver).__name__}' for 'svd_solver'. Must be a string."
            )
        check_in("svd_solver", self.svd_solver, ["full", "hierarchical", "randomized"])
        check_number("svd_rank", self.svd_rank, numbers.Integral, low=1, allow_none=True)
        check_number("svd_tol", self.svd_tol, numbers.Real, low=0, low_open=True, allow_none=True)
        rank, tol = self.svd_rank is not None, self.svd_tol is not None
        if self.svd_solver == "full" and rank and tol:
            raise ValueError(
                "For 'full' SVD, at most one of 'svd_rank' or 'svd_tol' may be specified."
            )
        if self.svd_solver == "hierarchical" and rank == tol:
            raise ValueError(
                "For 'hierarchical' SVD, exactly one of 'svd_rank' or 'svd_tol' must be specified."
            )
        if self.svd_solver == "randomized" and (not rank or tol):
            raise ValueError(
                "For 'randomized' SVD, 'svd_rank' must be specified and 'svd_tol' be None."
            )

    def _svd(self, M: hpa.Array, extra: int = 0) -> tuple[hpa.Array, hpa.Array, hpa.Array]:
        """The truncated SVD of ``M``; ``extra`` is added to ``svd_rank`` (DMDc's stacked
        matrix keeps as many more modes as there are controls)."""
        tol = None if self.svd_tol is None else float(self.svd_tol)
        rank = None if self.svd_rank is None else int(self.svd_rank) + extra
        if self.svd_solver != "full":
            if tol is not None:  # hierarchical, by tolerance
                U, S, Vt, _ = hpa.linalg.hsvd_rtol(M, tol, compute_sv=True)
                return U, S, Vt
            assert rank is not None  # checked in _check
            if self.svd_solver == "hierarchical":
                U, S, Vt, _ = hpa.linalg.hsvd_rank(M, rank, compute_sv=True)
                return U, S, Vt
            U, S, Vt = hpa.linalg.rsvd(M, rank)
            return U, S, Vt
        U, S, Vt = hpa.linalg.svd(M, full_matrices=False)
        if tol is not None:
            k = _variance_modes(S, tol)
        else:
            k = S.shape[0] if rank is None else min(rank, S.shape[0])
        return U[:, :k], S[:k], Vt[:k]

    def _decompose(self, like: hpa.Array) -> hpa.Array:
        """Eigenvalues and eigenvectors of the (replicated) reduced transfer matrix, on every
        rank; returns the eigenvectors."""
        values, vectors = torch.linalg.eig(self.rom_transfer_matrix_.larray)
        self.rom_eigenvalues_ = _replicated(values, like)
        self.rom_eigenmodes_ = _replicated(vectors, like)
        return self.rom_eigenmodes_


class DMD(_DMDBase):
    """Dynamic mode decomposition ("exact DMD"), as HeAT's ``DMD``.

    Parameters
    ----------
    svd_solver : {"full", "hierarchical", "randomized"}
        The SVD of the snapshots: exact, hierarchical (:func:`hpa.linalg.hsvd_rank` or
        :func:`hpa.linalg.hsvd_rtol`, ``safetyshift=5``) or randomized
        (:func:`hpa.linalg.rsvd`).
    svd_rank : int, optional
        The number of modes. ``"full"``: at most one of ``svd_rank``, ``svd_tol`` (neither: no
        truncation); ``"hierarchical"``: exactly one; ``"randomized"``: required.
    svd_tol : float, optional
        ``"full"``: keep the fewest modes whose squared singular values reach ``1 - svd_tol``
        of the total; ``"hierarchical"``: the relative error ``rtol`` of
        :func:`hpa.linalg.hsvd_rtol`; ``"randomized"``: not allowed.

    Attributes
    ----------
    rom_basis_ : hpa.Array
        ``n_features x n_modes_``: the reduced basis ``U`` (split along the features when the
        snapshots are).
    rom_transfer_matrix_ : hpa.Array
        ``n_modes_ x n_modes_``, replicated: the reduced linear map ``A_r``.
    rom_eigenvalues_ : hpa.Array
        The DMD eigenvalues (complex, replicated).
    rom_eigenmodes_ : hpa.Array
        The eigenvectors of ``A_r`` (complex, replicated).
    dmdmodes_ : hpa.Array
        ``n_features x n_modes_``: the DMD modes ``U W`` (complex).
    n_modes_ : int
        The number of modes kept.

    Notes
    -----
    Parameters are checked in ``fit`` (HeAT checks them in the constructor), so that
    ``set_params`` and ``sklearn.base.clone`` work. The SVD is always ``svd_solver``'s, also
    at one process (HeAT falls back to the full SVD for data that are not distributed).

    References
    ----------
    .. [1] J. L. Proctor, S. L. Brunton, J. N. Kutz, "Dynamic mode decomposition with
       control", SIAM J. Appl. Dyn. Syst. 15(1), 2016.
    """

    def fit(self, X: Any, y: Any = None) -> DMD:
        """Fit the reduced model to the snapshots ``X``.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``n_features x n_timesteps`` (at least two), split along either axis or replicated.
        y : ignored

        Returns
        -------
        DMD
            ``self``, fitted.

        Raises
        ------
        TypeError, ValueError
            For invalid parameters or data (the same on every rank).
        """
        self._check()
        X = _series(X, "X", "n_features")
        U, S, Vt = self._svd(X[:, :-1])
        self.rom_basis_, self.n_modes_ = U, U.shape[1]
        reduced = hpa.matmul(U.T, X[:, 1:]).resplit(None)
        self.rom_transfer_matrix_ = (hpa.matmul(reduced, Vt.T.resplit(None)) / S).resplit(None)
        self.dmdmodes_ = hpa.matmul(U, self._decompose(X))
        return self

    def _reduced(self, X: Any) -> tuple[hpa.Array, bool]:
        """The states ``X`` (``n_features`` or ``n_features x n_states``) in the reduced basis,
        ``n_modes_ x n_states`` replicated, and whether ``X`` was a single state."""
        check_is_fitted(self, "rom_basis_")
        X = _state(X, self.rom_basis_)
        if X.ndim not in (1, 2) or X.shape[0] != self.rom_basis_.shape[0]:
            raise ValueError(
                f"Invalid shape '{X.shape}' of input data 'X'. Must be ({self.rom_basis_.shape[0]},) "
                "or (n_features, n_states) with the number of features of the training data."
            )
        single = X.ndim == 1
        states = X.reshape(X.shape[0], 1) if single else X
        return hpa.matmul(self.rom_basis_.T, states).resplit(None), single

    def predict_next(self, X: Any, n_steps: int = 1) -> hpa.Array:
        """The states ``n_steps`` time steps after the states ``X``.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``(n_features,)`` or ``(n_features, n_states)``.
        n_steps : int
            How many steps ahead.

        Returns
        -------
        hpa.Array
            The shape of ``X``; split along the features like :attr:`rom_basis_`. Costs the
            reduction ``U^T X`` (one ``allreduce`` when the basis is split) and a local product.
        """
        if isinstance(n_steps, bool) or not isinstance(n_steps, numbers.Integral):
            raise TypeError(
                f"Invalid type '{type(n_steps).__name__}' for 'n_steps'. Must be an integer."
            )
        reduced, single = self._reduced(X)
        power = torch.linalg.matrix_power(self.rom_transfer_matrix_.larray, int(n_steps))
        ahead = hpa.matmul(self.rom_basis_, hpa.matmul(_replicated(power, reduced), reduced))
        return ahead[:, 0] if single else ahead

    def predict(self, X: Any, steps: int | list[int]) -> hpa.Array:
        """The states at several times after the states ``X``, in one go.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``(n_features,)`` or ``(n_features, n_states)``.
        steps : int or list of int
            ``k``: the times ``0, 1, ..., k - 1``; a list: those times.

        Returns
        -------
        hpa.Array
            ``(n_features, n_times)`` for one state, ``(n_states, n_features, n_times)`` for
            several (HeAT drops every axis of length 1; hpa keeps them). Split along the
            features like :attr:`rom_basis_`.
        """
        if isinstance(steps, numbers.Integral) and not isinstance(steps, bool):
            times = list(range(int(steps)))
        elif isinstance(steps, list) and all(
            isinstance(s, numbers.Integral) and not isinstance(s, bool) for s in steps
        ):
            times = [int(s) for s in steps]
        else:
            raise TypeError(
                f"Invalid type '{type(steps).__name__}' for 'steps'. Must be an integer or a "
                "list of integers."
            )
        if not times:
            raise ValueError("'steps' must ask for at least one time.")
        reduced, single = self._reduced(X)
        A, z = self.rom_transfer_matrix_.larray, reduced.larray
        ahead = torch.cat([torch.linalg.matrix_power(A, t) @ z for t in times], dim=1)
        full = hpa.matmul(self.rom_basis_, _replicated(ahead, reduced))
        n, states = self.rom_basis_.shape[0], z.shape[1]
        out = full.reshape(n, len(times), states).transpose(2, 0, 1)
        return out[0] if single else out


class DMDc(_DMDBase):
    """Dynamic mode decomposition with control, as HeAT's ``DMDc``.

    Fits ``x_{t+1} ~ A x_t + B u_t`` from the states ``X`` (``n_state_features x
    n_timesteps``) and controls ``C`` (``n_control_features x n_timesteps``).

    Parameters
    ----------
    svd_solver : {"full", "hierarchical", "randomized"}
        As in :class:`DMD`; used for both SVDs.
    svd_rank : int, optional
        The number of modes of the states; the stacked states and controls keep
        ``svd_rank + n_control_features``. The rules of :class:`DMD` apply.
    svd_tol : float, optional
        As in :class:`DMD`, for both SVDs.

    Attributes
    ----------
    rom_basis_ : hpa.Array
        ``n_state_features x n_modes_``: the basis of ``X[:, 1:]``.
    rom_transfer_matrix_ : hpa.Array
        ``n_modes_ x n_modes_``, replicated: the reduced ``A``.
    rom_control_matrix_ : hpa.Array
        ``n_modes_ x n_control_features``, replicated: the reduced ``B``.
    rom_eigenvalues_, rom_eigenmodes_ : hpa.Array
        Eigenvalues and eigenvectors of the reduced ``A`` (complex, replicated).
    dmdmodes_ : hpa.Array
        ``n_state_features x n_modes_`` (complex).
    n_modes_, n_modes_system_ : int
        The modes of the states and of the stacked states and controls.

    Notes
    -----
    Parameters are checked in ``fit``. HeAT requires ``X`` and ``C`` to be split along the
    same axis when both are split; hpa accepts any splits.

    References
    ----------
    .. [1] J. L. Proctor, S. L. Brunton, J. N. Kutz, "Dynamic mode decomposition with
       control", SIAM J. Appl. Dyn. Syst. 15(1), 2016.
    """

    rom_control_matrix_: hpa.Array
    n_modes_system_: int

    def fit(self, X: Any, C: Any) -> DMDc:
        """Fit the reduced model to the states ``X`` and controls ``C``.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``n_state_features x n_timesteps``.
        C : array_like or hpa.Array
            ``n_control_features x n_timesteps``: the control applied at every time step.

        Returns
        -------
        DMDc
            ``self``, fitted.

        Raises
        ------
        TypeError, ValueError
            For invalid parameters, data, or different numbers of time steps (on every rank).
        """
        self._check()
        X = _series(X, "X", "n_state_features")
        C = _series(C, "C", "n_control_features").astype(X.dtype)
        if X.shape[1] != C.shape[1]:
            raise ValueError(
                f"Invalid number of time steps {X.shape[1]} in input data 'X' and {C.shape[1]} in "
                "input data 'C'. Must have the same number of time steps."
            )
        n = X.shape[0]
        future = X[:, 1:]
        U, _, _ = self._svd(future)
        Ut, St, Vtt = self._svd(hpa.concatenate([X, C], axis=0)[:, :-1], extra=C.shape[0])
        self.rom_basis_, self.n_modes_, self.n_modes_system_ = U, U.shape[1], Ut.shape[1]
        weights = Vtt.T / St  # (T - 1) x n_modes_system_
        G = hpa.matmul(hpa.matmul(U.T, future).resplit(None), weights.resplit(None))
        projected = hpa.matmul(Ut[:n].T, U).resplit(None)
        self.rom_transfer_matrix_ = hpa.matmul(G, projected).resplit(None)
        self.rom_control_matrix_ = hpa.matmul(G, Ut[n:].T.resplit(None)).resplit(None)
        W = self._decompose(X)
        self.dmdmodes_ = hpa.matmul(future, hpa.matmul(weights, hpa.matmul(projected, W)))
        return self

    def predict(self, X: Any, C: Any) -> hpa.Array:
        """The trajectories from the states ``X`` under the controls ``C``.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``(n_state_features,)`` or ``(n_states, n_state_features)``: the initial states
            (rows, unlike ``fit``'s columns, as in HeAT).
        C : array_like or hpa.Array
            ``(n_control_features,)`` or ``(n_control_features, n_timesteps)``: the control at
            every time step (the last one is not used).

        Returns
        -------
        hpa.Array
            ``(n_states, n_state_features, n_timesteps)``: at time 0 the initial states in the
            reduced basis, then ``z_{t+1} = A_r z_t + B_r u_t`` mapped back by the basis. Split
            along the features like :attr:`rom_basis_`; the reduced recurrence is local.
        """
        check_is_fitted(self, "rom_basis_")
        X = _state(X, self.rom_basis_)
        C = _state(C, self.rom_basis_)
        n, q = self.rom_basis_.shape[0], self.rom_control_matrix_.shape[1]
        if X.ndim not in (1, 2) or X.shape[-1] != n:
            raise ValueError(
                f"Invalid shape '{X.shape}' for input data 'X'. Must be ({n},) or (n_states, {n})."
            )
        if C.ndim not in (1, 2) or C.shape[0] != q:
            raise ValueError(
                f"Invalid shape '{C.shape}' for input data 'C'. Must be ({q},) or ({q}, n_timesteps)."
            )
        states = X.reshape(1, n) if X.ndim == 1 else X
        controls = (C.reshape(q, 1) if C.ndim == 1 else C).resplit(None).larray
        z = hpa.matmul(states, self.rom_basis_).resplit(None).larray  # n_states x n_modes_
        A, B = self.rom_transfer_matrix_.larray, self.rom_control_matrix_.larray
        path = [z]
        for t in range(1, controls.shape[1]):
            path.append(path[-1] @ A.T + B @ controls[:, t - 1])
        reduced = torch.stack(path, dim=2)  # n_states x n_modes_ x n_timesteps
        b, r, T = reduced.shape
        flat = reduced.permute(1, 0, 2).reshape(r, b * T)
        full = hpa.matmul(self.rom_basis_, _replicated(flat.contiguous(), self.rom_basis_))
        return full.reshape(n, b, T).transpose(1, 0, 2)
