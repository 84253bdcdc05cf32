"""hpa.decomposition.DMD and DMDc (HeAT's dynamic mode decompositions) against known linear
dynamics and against exact DMD (DMDc) written in NumPy here: eigenvalues, the reduced operators
(compared through quantities that do not depend on the signs of the SVD basis), the modes,
predictions of the true trajectories, every SVD solver, every layout of the snapshots
(replicated, split along the features or the time steps, balanced or ragged), float32 and
float64, and errors raised on every rank.

Every rank builds the same data and makes the same calls; every check gathers.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.base
from helpers import make, raised_everywhere

import hpa
from hpa.algorithms.base import NotFittedError
from hpa.algorithms.decomposition import DMD, DMDc

LAYOUTS = [(None, False), (0, False), (0, True), (1, False), (1, True)]
LAYOUT_IDS = ["sNone", "s0", "s0-ragged", "s1", "s1-ragged"]
SOLVERS = [("full", {}), ("hierarchical", {"svd_rank": 6}), ("randomized", {"svd_rank": 6})]
SOLVER_IDS = ["full", "hierarchical", "randomized"]


def system(n: int = 6, seed: int = 0) -> np.ndarray:
    """A stable ``n x n`` map with three complex pairs of eigenvalues of modulus 0.8 to 0.99."""
    rng = np.random.default_rng(seed)
    blocks = np.zeros((n, n))
    for i, (r, angle) in enumerate(zip(np.linspace(0.8, 0.99, n // 2), [0.3, 0.7, 1.3])):
        c, s = np.cos(angle), np.sin(angle)
        blocks[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = r * np.array([[c, -s], [s, c]])
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    return Q @ blocks @ Q.T


def trajectory(A: np.ndarray, x0: np.ndarray, steps: int, B=None, U=None) -> np.ndarray:
    """The snapshots ``x_0 .. x_{steps-1}`` in columns, ``x_{t+1} = A x_t (+ B u_t)``."""
    X = [x0]
    for t in range(steps - 1):
        X.append(A @ X[-1] + (0 if B is None else B @ U[:, t]))
    return np.array(X).T


def sorted_eigenvalues(values: np.ndarray) -> np.ndarray:
    return values[np.lexsort((np.round(values.imag, 8), np.round(values.real, 8)))]


def numpy_dmd(X: np.ndarray, rank: int) -> tuple[np.ndarray, np.ndarray]:
    """Exact DMD: the basis ``U`` and the reduced operator ``U^T X' V S^-1``."""
    U, S, Vt = np.linalg.svd(X[:, :-1], full_matrices=False)
    U, S, Vt = U[:, :rank], S[:rank], Vt[:rank]
    return U, U.T @ X[:, 1:] @ Vt.T / S


def assert_operator(U: np.ndarray, Ar: np.ndarray, want: np.ndarray, atol: float) -> None:
    """``U Ar U^T`` (independent of the signs of ``U``'s columns) equals ``want``."""
    np.testing.assert_allclose(U @ Ar @ U.T, want, atol=atol)


# ------------------------------------------------------------------------------ DMD
@pytest.mark.parametrize("dtype,tol", [(np.float64, 1e-8), (np.float32, 2e-3)], ids=["f64", "f32"])
@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
def test_dmd_recovers_linear_dynamics(
    layout: tuple[int | None, bool], dtype: type, tol: float
) -> None:
    A = system()
    X = trajectory(A, np.random.default_rng(1).standard_normal(6), 30).astype(dtype)
    model = DMD().fit(make(X, layout[0], ragged=layout[1]))
    assert model.n_modes_ == 6
    assert model.rom_transfer_matrix_.split is None and model.rom_eigenvalues_.split is None
    got = sorted_eigenvalues(model.rom_eigenvalues_.numpy())
    np.testing.assert_allclose(got, sorted_eigenvalues(np.linalg.eigvals(A)), atol=tol)
    U, Ar = model.rom_basis_.numpy(), model.rom_transfer_matrix_.numpy()
    assert_operator(U, Ar, A, atol=tol)
    # the DMD modes are eigenvectors of the fitted operator
    modes, values = model.dmdmodes_.numpy(), model.rom_eigenvalues_.numpy()
    assert modes.shape == (6, 6)
    np.testing.assert_allclose(A @ modes, modes * values, atol=10 * tol)
    # predictions follow the true trajectory
    np.testing.assert_allclose(model.predict(make(X[:, 0], None), 30).numpy(), X, atol=10 * tol)
    ahead = model.predict_next(make(X[:, :-3], layout[0]), 3)
    np.testing.assert_allclose(ahead.numpy(), X[:, 3:], atol=10 * tol)


@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
def test_dmd_matches_numpy_exact_dmd(layout: tuple[int | None, bool]) -> None:
    """More features than modes: the truncated basis and operator are those of exact DMD."""
    rng = np.random.default_rng(2)
    lift = np.linalg.qr(rng.standard_normal((40, 6)))[0]  # 6-dimensional dynamics in 40 features
    X = lift @ trajectory(system(), rng.standard_normal(6), 18)
    X += 1e-3 * rng.standard_normal(X.shape)
    model = DMD(svd_rank=4).fit(make(X, layout[0], ragged=layout[1]))
    U, Ar = numpy_dmd(X, 4)
    got_u, got_ar = model.rom_basis_.numpy(), model.rom_transfer_matrix_.numpy()
    assert got_u.shape == (40, 4) and model.n_modes_ == 4
    assert_operator(got_u, got_ar, U @ Ar @ U.T, atol=1e-9)
    np.testing.assert_allclose(
        sorted_eigenvalues(model.rom_eigenvalues_.numpy()),
        sorted_eigenvalues(np.linalg.eigvals(Ar)),
        atol=1e-9,
    )
    if layout[0] == 0:
        assert model.rom_basis_.split == 0


@pytest.mark.parametrize("tol", [0.5, 1e-2, 1e-6])
def test_dmd_svd_tol_keeps_the_explained_variance(tol: float) -> None:
    X = trajectory(system(), np.ones(6), 25)
    model = DMD(svd_tol=tol).fit(make(X, 0))
    s = np.linalg.svd(X[:, :-1], compute_uv=False)
    energy = np.cumsum(s**2)
    want = min(int(np.count_nonzero(energy <= (1 - tol) * energy[-1])) + 1, s.shape[0])
    assert model.n_modes_ == want == model.rom_transfer_matrix_.shape[0]


@pytest.mark.parametrize("solver,params", SOLVERS, ids=SOLVER_IDS)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_dmd_solvers_agree_on_exact_dynamics(solver: str, params: dict, split: int | None) -> None:
    A = system()
    X = trajectory(A, np.random.default_rng(3).standard_normal(6), 26)
    hpa.random.seed(0)
    model = DMD(svd_solver=solver, **params).fit(make(X, split))
    np.testing.assert_allclose(
        sorted_eigenvalues(model.rom_eigenvalues_.numpy()),
        sorted_eigenvalues(np.linalg.eigvals(A)),
        atol=1e-8,
    )
    steps = [0, 4, 9]
    got = model.predict(make(X[:, :2], split), steps)
    assert got.shape == (2, 6, 3)
    np.testing.assert_allclose(got.numpy()[1], X[:, [1 + t for t in steps]], atol=1e-8)


def test_dmd_hierarchical_with_a_tolerance() -> None:
    rng = np.random.default_rng(4)
    lift = np.linalg.qr(rng.standard_normal((30, 6)))[0]
    X = lift @ trajectory(system(), rng.standard_normal(6), 20)
    model = DMD(svd_solver="hierarchical", svd_tol=1e-8).fit(make(X, 0))
    assert model.n_modes_ >= 6
    U, Ar = model.rom_basis_.numpy(), model.rom_transfer_matrix_.numpy()
    assert_operator(U, Ar, lift @ system() @ lift.T, atol=1e-6)


def test_dmd_prediction_shapes() -> None:
    X = trajectory(system(), np.ones(6), 12)
    model = DMD().fit(make(X, 0))
    assert model.predict(make(X[:, 0], None), 4).shape == (6, 4)
    assert model.predict(make(X[:, :3], None), [2]).shape == (3, 6, 1)
    assert model.predict_next(make(X[:, 0], None)).shape == (6,)
    assert model.predict_next(make(X[:, :3], 1), 2).shape == (6, 3)


# ------------------------------------------------------------------------------ DMDc
def controlled(seed: int = 5, steps: int = 30) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(seed)
    A, B = system(), rng.standard_normal((6, 2))
    C = rng.standard_normal((2, steps))
    X = trajectory(A, rng.standard_normal(6), steps, B, C)
    return A, B, C, X


@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("c_split", [None, 0, 1], ids=["C-sNone", "C-s0", "C-s1"])
def test_dmdc_recovers_controlled_dynamics(
    layout: tuple[int | None, bool], c_split: int | None
) -> None:
    A, B, C, X = controlled()
    model = DMDc().fit(make(X, layout[0], ragged=layout[1]), make(C, c_split))
    U = model.rom_basis_.numpy()
    assert model.n_modes_ == 6 and model.rom_control_matrix_.shape == (6, 2)
    assert_operator(U, model.rom_transfer_matrix_.numpy(), A, atol=1e-8)
    np.testing.assert_allclose(U @ model.rom_control_matrix_.numpy(), B, atol=1e-8)
    np.testing.assert_allclose(
        sorted_eigenvalues(model.rom_eigenvalues_.numpy()),
        sorted_eigenvalues(np.linalg.eigvals(A)),
        atol=1e-8,
    )
    modes, values = model.dmdmodes_.numpy(), model.rom_eigenvalues_.numpy()
    np.testing.assert_allclose(A @ modes, modes * values, atol=1e-7)
    # two initial states under the same controls
    x1 = np.linspace(-1, 1, 6)
    starts = np.stack([X[:, 0], x1])
    got = model.predict(make(starts, None), make(C, None)).numpy()
    assert got.shape == (2, 6, 30)
    np.testing.assert_allclose(got[0], X, atol=1e-7)
    np.testing.assert_allclose(got[1], trajectory(A, x1, 30, B, C), atol=1e-7)


def test_dmdc_matches_numpy_with_truncation() -> None:
    """Truncated DMDc (Proctor et al., Sect. 3.4) written in NumPy: the same reduced operators."""
    rng = np.random.default_rng(6)
    lift = np.linalg.qr(rng.standard_normal((24, 6)))[0]
    A, B, C, X = controlled(seed=7, steps=20)
    X = lift @ X + 1e-3 * rng.standard_normal((24, 20))
    model = DMDc(svd_rank=4).fit(make(X, 0), make(C, None))
    assert (model.n_modes_, model.n_modes_system_) == (4, 6)
    U = np.linalg.svd(X[:, 1:], full_matrices=False)[0][:, :4]
    Ut, St, Vtt = np.linalg.svd(np.vstack([X, C])[:, :-1], full_matrices=False)
    Ut, St, Vtt = Ut[:, :6], St[:6], Vtt[:6]
    G = U.T @ X[:, 1:] @ Vtt.T / St
    Ar, Br = G @ Ut[:24].T @ U, G @ Ut[24:].T
    got_u = model.rom_basis_.numpy()
    assert_operator(got_u, model.rom_transfer_matrix_.numpy(), U @ Ar @ U.T, atol=1e-9)
    np.testing.assert_allclose(got_u @ model.rom_control_matrix_.numpy(), U @ Br, atol=1e-9)


@pytest.mark.parametrize("solver,params", SOLVERS[1:], ids=SOLVER_IDS[1:])
def test_dmdc_other_solvers(solver: str, params: dict) -> None:
    A, B, C, X = controlled(seed=8)
    hpa.random.seed(1)
    model = DMDc(svd_solver=solver, **params).fit(make(X, 0), make(C, None))
    assert model.n_modes_system_ == 8
    assert_operator(model.rom_basis_.numpy(), model.rom_transfer_matrix_.numpy(), A, atol=1e-7)
    got = model.predict(make(X[:, 0], None), make(C[:, :5], None)).numpy()
    assert got.shape == (1, 6, 5)
    np.testing.assert_allclose(got[0], X[:, :5], atol=1e-7)


# ------------------------------------------------------------------------------ API, errors
def test_parameters_and_clone() -> None:
    model = DMD(svd_solver="randomized", svd_rank=3)
    assert model.get_params() == {"svd_rank": 3, "svd_solver": "randomized", "svd_tol": None}
    assert sklearn.base.clone(model).get_params() == model.get_params()
    assert repr(DMDc(svd_tol=0.1)) == "DMDc(svd_tol=0.1)"


def test_errors_are_raised_everywhere() -> None:
    X = make(trajectory(system(), np.ones(6), 10), 0)
    C = make(np.ones((2, 10)), None)
    fitted = DMD().fit(X)
    fitted_c = DMDc().fit(X, C)
    cases = [
        (TypeError, lambda: DMD(svd_solver=1).fit(X)),
        (ValueError, lambda: DMD(svd_solver="qr").fit(X)),
        (ValueError, lambda: DMD(svd_rank=2, svd_tol=0.1).fit(X)),
        (ValueError, lambda: DMD(svd_solver="hierarchical").fit(X)),
        (ValueError, lambda: DMD(svd_solver="hierarchical", svd_rank=2, svd_tol=0.1).fit(X)),
        (ValueError, lambda: DMD(svd_solver="randomized").fit(X)),
        (ValueError, lambda: DMD(svd_solver="randomized", svd_rank=2, svd_tol=0.1).fit(X)),
        (ValueError, lambda: DMD(svd_rank=0).fit(X)),
        (TypeError, lambda: DMD(svd_rank=2.0).fit(X)),
        (ValueError, lambda: DMD(svd_tol=-1.0).fit(X)),
        (ValueError, lambda: DMD().fit(make(np.ones(5), 0))),
        (ValueError, lambda: DMD().fit(make(np.ones((5, 1)), 0))),
        (ValueError, lambda: DMD().fit(make(np.full((4, 3), np.nan), 0))),
        (NotFittedError, lambda: DMD().predict(X[:, 0], 2)),
        (NotFittedError, lambda: DMD().predict_next(X[:, 0])),
        (ValueError, lambda: fitted.predict(make(np.ones(5), None), 2)),
        (TypeError, lambda: fitted.predict(X[:, 0], 2.5)),
        (ValueError, lambda: fitted.predict(X[:, 0], [])),
        (TypeError, lambda: fitted.predict_next(X[:, 0], 1.0)),
        (ValueError, lambda: DMDc().fit(X, make(np.ones((2, 9)), None))),
        (ValueError, lambda: DMDc().fit(X, make(np.ones(10), None))),
        (NotFittedError, lambda: DMDc().predict(X[:, 0], C)),
        (ValueError, lambda: fitted_c.predict(make(np.ones(5), None), C)),
        (ValueError, lambda: fitted_c.predict(X[:, 0], make(np.ones((3, 4)), None))),
    ]
    for exc, call in cases:
        raised_everywhere(exc, call)
