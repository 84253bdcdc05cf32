"""HeAT's SVD variants (hsvd_rank, hsvd_rtol, hsvd, rsvd, isvd) against numpy.linalg.svd on
identical data on every rank: singular values, subspaces (principal angles), reconstruction
error against the optimal one, the hierarchical SVD's error estimate as an upper bound, the
layouts of the factors for every split (balanced, ragged, empty blocks), float32 and float64,
return conventions, communication, and errors raised on every rank.

The hierarchical SVD depends on the number of processes by construction: every check here
holds at every process count. Every rank computes the same calls; every comparison gathers.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import P, make, raised_everywhere

import hpa

LAYOUTS = [(None, False), (0, False), (0, True), (1, False), (1, True)]
LAYOUT_IDS = ["sNone", "s0", "s0-ragged", "s1", "s1-ragged"]
DTYPES = [(np.float64, 1e-9), (np.float32, 2e-4)]
DTYPE_IDS = ["f64", "f32"]


def low_rank(m: int, n: int, rank: int = 4, noise: float = 1e-9, seed: int = 0) -> np.ndarray:
    """A rank-``rank`` matrix with singular values 10, 5, 2.5, ... plus a little noise."""
    rng = np.random.default_rng(seed)
    u = np.linalg.qr(rng.standard_normal((m, rank)))[0]
    v = np.linalg.qr(rng.standard_normal((n, rank)))[0]
    return (u * 10.0 / 2.0 ** np.arange(rank)) @ v.T + noise * rng.standard_normal((m, n))


def decaying(m: int, n: int, seed: int = 1) -> np.ndarray:
    """A full-rank matrix with singular values 0.7^j (no gap)."""
    rng = np.random.default_rng(seed)
    k = min(m, n)
    u = np.linalg.qr(rng.standard_normal((m, k)))[0]
    v = np.linalg.qr(rng.standard_normal((n, k)))[0]
    return (u * 0.7 ** np.arange(k)) @ v.T


def relative_error(A: np.ndarray, U: np.ndarray, S: np.ndarray, Vt: np.ndarray) -> float:
    return float(np.linalg.norm(A - (U * S) @ Vt) / np.linalg.norm(A))


def optimal_error(A: np.ndarray, k: int) -> float:
    s = np.linalg.svd(A, compute_uv=False)
    return float(np.sqrt(np.sum(s[k:] ** 2)) / np.linalg.norm(A))


def assert_subspace(got: np.ndarray, want: np.ndarray, atol: float) -> None:
    """The columns of ``got`` span the space of those of ``want`` (all principal angles
    close to zero: the singular values of ``got^T want`` close to one)."""
    cosines = np.linalg.svd(got.T @ want, compute_uv=False)
    np.testing.assert_allclose(cosines, 1.0, atol=atol)


def assert_bound(estimate: float, true: float) -> None:
    """The error estimate is an upper bound of the true relative error, to rounding."""
    assert estimate >= true * (1 - 1e-6) - 1e-14, (estimate, true)


def assert_orthonormal(Q: np.ndarray, atol: float) -> None:
    np.testing.assert_allclose(Q.T @ Q, np.eye(Q.shape[1]), atol=atol)


def assert_factor_layouts(A: hpa.Array, U: hpa.Array, S: hpa.Array, Vt: hpa.Array) -> None:
    """A row-split A gives U split like its rows; a column-split A gives Vt split like its
    columns; the rest is replicated (at every process count)."""
    assert S.split is None
    if A.split == 0:
        assert (U.split, Vt.split) == (0, None)
        assert U.counts == A.counts
    elif A.split == 1:
        assert (U.split, Vt.split) == (None, 1)
        assert Vt.counts == A.counts
    else:
        assert (U.split, Vt.split) == (None, None)


# ------------------------------------------------------------------------------ hsvd_rank
@pytest.mark.parametrize("dtype,tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("shape", [(37, 29), (23, 41)], ids=["tall", "wide"])
def test_hsvd_rank_recovers_a_low_rank_matrix(
    shape: tuple[int, int], layout: tuple[int | None, bool], dtype: type, tol: float
) -> None:
    A = low_rank(*shape).astype(dtype)
    x = make(A, layout[0], ragged=layout[1])
    U, S, Vt, est = hpa.linalg.hsvd_rank(x, 4, compute_sv=True)
    assert U.shape == (shape[0], 4) and S.shape == (4,) and Vt.shape == (4, shape[1])
    assert U.dtype == S.dtype == Vt.dtype == x.dtype
    assert est.shape == () and est.split is None
    assert_factor_layouts(x, U, S, Vt)
    u, s, vt = U.numpy(), S.numpy(), Vt.numpy()
    ref_u, ref_s, ref_vt = np.linalg.svd(A.astype(np.float64), full_matrices=False)
    np.testing.assert_allclose(s, ref_s[:4], rtol=tol)
    assert_subspace(u, ref_u[:, :4], atol=tol)
    assert_subspace(vt.T, ref_vt[:4].T, atol=tol)
    assert_orthonormal(u, atol=tol)
    assert_orthonormal(vt.T, atol=tol)
    assert relative_error(A, u, s, vt) < 10 * tol


@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
def test_hsvd_estimate_bounds_the_error(layout: tuple[int | None, bool]) -> None:
    """On a matrix without a spectral gap, for every rank: the estimate is at least the true
    relative error ||A - U S V^T|| / ||A|| (to rounding), the true error is near the optimal
    one, and the estimate is not vacuous."""
    A = decaying(40, 33)
    x = make(A, layout[0], ragged=layout[1])
    errors = []
    for k in (1, 2, 4, 8):
        U, S, Vt, est = hpa.linalg.hsvd_rank(x, k, compute_sv=True, safetyshift=2)
        u, s, vt = U.numpy(), S.numpy(), Vt.numpy()
        true, best = relative_error(A, u, s, vt), optimal_error(A, k)
        # U S V^T is a projection of A: U U^T A (S, V from A^T U), or A V V^T for a
        # row-split A (whose transpose the tree factors)
        projected = A @ (vt.T @ vt) if layout[0] == 0 else u @ (u.T @ A)
        np.testing.assert_allclose((u * s) @ vt, projected, atol=1e-12)
        assert_bound(float(est), true)
        assert best * (1 - 1e-9) <= true <= 1.05 * best, (k, true, best)
        assert float(est) <= 2.0 * best, (k, float(est), best)
        errors.append(true)
    assert errors == sorted(errors, reverse=True)


def test_hsvd_estimate_is_the_error_for_a_single_leaf() -> None:
    """A replicated matrix is one leaf: the estimate is the exact truncation error."""
    A = decaying(30, 20)
    U, S, Vt, est = hpa.linalg.hsvd_rank(make(A, None), 3, compute_sv=True)
    np.testing.assert_allclose(float(est), optimal_error(A, 3), rtol=1e-8)
    np.testing.assert_allclose(
        relative_error(A, U.numpy(), S.numpy(), Vt.numpy()), optimal_error(A, 3), rtol=1e-8
    )


@pytest.mark.parametrize("split", [None, 0, 1])
def test_hsvd_returns_u_and_the_estimate_without_compute_sv(split: int | None) -> None:
    """``(U, estimate)``, ``U`` being ``m x r`` for every split (HeAT returns ``U^T`` for a
    row-split matrix)."""
    A = low_rank(26, 19)
    x = make(A, split)
    result = hpa.linalg.hsvd_rank(x, 3)
    assert len(result) == 2
    U, est = result
    assert U.shape == (26, 3)
    assert U.split == (0 if split == 0 else None)
    full = hpa.linalg.hsvd_rank(x, 3, compute_sv=True)
    np.testing.assert_allclose(np.abs(U.numpy()), np.abs(full[0].numpy()), atol=1e-12)
    np.testing.assert_allclose(float(est), float(full[3]), rtol=1e-12)


@pytest.mark.parametrize("split", [0, 1])
def test_hsvd_with_empty_blocks(split: int) -> None:
    """Fewer rows (columns) than processes: the processes without data are zero leaves."""
    A = low_rank(2, 9, rank=2) if split == 0 else low_rank(9, 2, rank=2)
    x = make(A, split)
    U, S, Vt, est = hpa.linalg.hsvd_rank(x, 2, compute_sv=True)
    ref_s = np.linalg.svd(A, compute_uv=False)
    np.testing.assert_allclose(S.numpy(), ref_s, rtol=1e-9)
    assert relative_error(A, U.numpy(), S.numpy(), Vt.numpy()) < 1e-8
    assert float(est) < 1e-8
    assert_factor_layouts(x, U, S, Vt)


def test_hsvd_of_zeros() -> None:
    """All singular values are noise: one zero column, zero singular value and estimate."""
    U, S, Vt, est = hpa.linalg.hsvd_rank(make(np.zeros((7, 5)), 1), 2, compute_sv=True)
    assert U.shape == (7, 1) and S.shape == (1,) and Vt.shape == (1, 5)
    assert float(S.numpy()[0]) == 0.0 and float(est) == 0.0
    assert np.all(U.numpy() == 0) and np.all(Vt.numpy() == 0)


def test_hsvd_rank_on_a_replicated_matrix_communicates_nothing() -> None:
    x = make(low_rank(20, 15), None)
    with hpa.count_collectives() as stats:
        hpa.linalg.hsvd_rank(x, 3, compute_sv=True)
    assert stats.total == 0, stats


def test_hsvd_merges_in_a_tree() -> None:
    """Small merges (``maxmergedim`` fitting two nodes) make a binary tree over the processes:
    one allgather of the widths and one alltoallv per level, whatever the levels."""
    A = low_rank(30, 36)
    x = make(A, 1)
    with hpa.count_collectives() as stats:
        U, S, Vt, est = hpa.linalg.hsvd_rank(x, 4, compute_sv=True, maxmergedim=19)
    levels = int(np.ceil(np.log2(P)))
    if P > 1:
        assert stats["alltoallv"] == levels
    np.testing.assert_allclose(S.numpy(), np.linalg.svd(A, compute_uv=False)[:4], rtol=1e-9)
    assert_bound(float(est), relative_error(A, U.numpy(), S.numpy(), Vt.numpy()))


# ------------------------------------------------------------------------------ hsvd_rtol
@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("rtol", [0.3, 0.05, 1e-3])
def test_hsvd_rtol_reaches_the_tolerance(layout: tuple[int | None, bool], rtol: float) -> None:
    A = decaying(35, 28)
    x = make(A, layout[0], ragged=layout[1])
    U, S, Vt, est = hpa.linalg.hsvd_rtol(x, rtol, compute_sv=True)
    u, s, vt = U.numpy(), S.numpy(), Vt.numpy()
    true = relative_error(A, u, s, vt)
    needed = min(k for k in range(1, 29) if optimal_error(A, k) <= rtol)
    assert_bound(float(est), true)
    assert float(est) <= rtol
    assert needed <= s.shape[0] <= needed + 6, (s.shape[0], needed)
    np.testing.assert_allclose(s, np.linalg.svd(A, compute_uv=False)[: s.shape[0]], rtol=1e-2)
    assert_factor_layouts(x, U, S, Vt)


def test_hsvd_rtol_warns_when_maxrank_costs_the_precision() -> None:
    x = make(decaying(30, 24), 1)
    with pytest.warns(RuntimeWarning, match="precision"):
        U, est = hpa.linalg.hsvd_rtol(x, 1e-3, maxrank=2)
    assert U.shape[1] == 2 and float(est) > 1e-3


def test_hsvd_rtol_with_only_maxmergedim() -> None:
    """``maxrank`` follows from ``maxmergedim`` so that two nodes fit in one merge."""
    A = low_rank(30, 24)
    U, S, Vt, est = hpa.linalg.hsvd_rtol(make(A, 1), 1e-3, compute_sv=True, maxmergedim=21)
    assert S.shape[0] == 4 and float(est) <= 1e-3
    assert_bound(float(est), relative_error(A, U.numpy(), S.numpy(), Vt.numpy()))


# ------------------------------------------------------------------------------ hsvd
def test_hsvd_low_level_matches_hsvd_rank() -> None:
    A = low_rank(28, 25)
    x = make(A, 1)
    a = hpa.linalg.hsvd(x, maxrank=3, maxmergedim=40, safetyshift=1, no_of_merges=None,
                        compute_sv=True)  # fmt: skip
    b = hpa.linalg.hsvd_rank(x, 3, compute_sv=True, maxmergedim=40, safetyshift=1)
    np.testing.assert_allclose(a[1].numpy(), b[1].numpy(), rtol=1e-12)
    np.testing.assert_allclose(float(a[3]), float(b[3]), rtol=1e-12)


def test_hsvd_too_small_merges_raise_everywhere() -> None:
    """Two nodes of width 3 do not fit in ``maxmergedim=3``: found from the gathered widths
    (several processes) and raised on every rank; one process needs no merge."""
    x = make(low_rank(20, 12), 1)
    call = lambda: hpa.linalg.hsvd(x, maxrank=3, maxmergedim=3)  # noqa: E731
    if P > 1:
        raised_everywhere(ValueError, call)
    else:
        assert call()[0].shape == (20, 3)


# ------------------------------------------------------------------------------ rsvd
@pytest.mark.parametrize("dtype,tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize("layout", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("shape", [(37, 29), (23, 41)], ids=["tall", "wide"])
def test_rsvd_recovers_a_low_rank_matrix(
    shape: tuple[int, int], layout: tuple[int | None, bool], dtype: type, tol: float
) -> None:
    A = low_rank(*shape).astype(dtype)
    x = make(A, layout[0], ragged=layout[1])
    hpa.random.seed(3)
    U, S, Vt = hpa.linalg.rsvd(x, 4, n_oversamples=3)
    assert U.shape == (shape[0], 4) and S.shape == (4,) and Vt.shape == (4, shape[1])
    assert U.dtype == S.dtype == Vt.dtype == x.dtype
    assert_factor_layouts(x, U, S, Vt)
    ref_u, ref_s, ref_vt = np.linalg.svd(A.astype(np.float64), full_matrices=False)
    np.testing.assert_allclose(S.numpy(), ref_s[:4], rtol=tol)
    assert_subspace(U.numpy(), ref_u[:, :4], atol=tol)
    assert_subspace(Vt.numpy().T, ref_vt[:4].T, atol=tol)
    assert_orthonormal(U.numpy(), atol=tol)


def test_rsvd_draws_do_not_depend_on_the_layout() -> None:
    """The test matrix comes from hpa's counter-based generator: the same state gives the same
    factors for every split (and so at every process count)."""
    A = decaying(30, 22)
    results = []
    for split in (None, 0, 1):
        hpa.random.seed(11)
        results.append([f.numpy() for f in hpa.linalg.rsvd(make(A, split), 3, n_oversamples=2)])
    for U, S, Vt in results[1:]:
        np.testing.assert_allclose(S, results[0][1], rtol=1e-12)
        np.testing.assert_allclose((U * S) @ Vt, (results[0][0] * S) @ results[0][2], atol=1e-12)


def test_rsvd_power_iterations_help_a_slow_decay() -> None:
    A = decaying(40, 30)
    errors = []
    for q in (0, 2):
        hpa.random.seed(5)
        U, S, Vt = hpa.linalg.rsvd(make(A, 0), 3, n_oversamples=2, power_iter=q)
        errors.append(relative_error(A, U.numpy(), S.numpy(), Vt.numpy()))
    best = optimal_error(A, 3)
    assert errors[1] < errors[0]
    assert errors[1] <= 1.01 * best


@pytest.mark.parametrize("split", [0, 1])
@pytest.mark.parametrize("power_iter", [0, 2])
def test_rsvd_communication(split: int, power_iter: int) -> None:
    """``1 + power_iter`` TSQR gathers and as many reductions; nothing else."""
    x = make(decaying(40, 30), split)
    with hpa.count_collectives() as stats:
        hpa.linalg.rsvd(x, 3, power_iter=power_iter)
    if P > 1:
        assert stats["allgatherv"] == stats["allreduce"] == 1 + power_iter, stats
        assert stats.total == 2 * (1 + power_iter), stats


def test_rsvd_rank_beyond_the_matrix() -> None:
    """At most ``min(m, n)`` triplets; with all of them the factorisation is exact."""
    A = np.random.default_rng(2).standard_normal((9, 5))
    U, S, Vt = hpa.linalg.rsvd(make(A, 0), 7)
    assert S.shape == (5,)
    np.testing.assert_allclose((U.numpy() * S.numpy()) @ Vt.numpy(), A, atol=1e-12)


# ------------------------------------------------------------------------------ isvd
def factors(A: np.ndarray, split_u: int | None, split_v: int | None, k: int | None = None):
    u, s, vt = np.linalg.svd(A, full_matrices=False)
    k = s.shape[0] if k is None else k
    return make(u[:, :k], split_u), make(s[:k], None), make(vt[:k], split_v)


@pytest.mark.parametrize("dtype,tol", DTYPES, ids=DTYPE_IDS)
@pytest.mark.parametrize(
    "splits", [(None, None, None), (0, 1, 0), (0, None, 1), (None, 1, None)],
    ids=["replicated", "U0-V1-N0", "U0-N1", "V1"],
)  # fmt: skip
def test_isvd_appends_columns_exactly(
    splits: tuple[int | None, int | None, int | None], dtype: type, tol: float
) -> None:
    rng = np.random.default_rng(4)
    A = rng.standard_normal((31, 26)).astype(dtype)
    old, new = A[:, :17], A[:, 17:]
    U0, S0, Vt0 = factors(old.astype(np.float64), splits[0], splits[1])
    U0, S0, Vt0 = U0.astype(dtype), S0.astype(dtype), Vt0.astype(dtype)
    U, S, Vt = hpa.linalg.isvd(make(new, splits[2]), U0, S0, Vt0)
    assert U.shape == (31, 26) and S.shape == (26,) and Vt.shape == (26, 26)
    assert S.split is None
    assert U.split == U0.split
    assert Vt.split == Vt0.split
    u, s, vt = U.numpy(), S.numpy(), Vt.numpy()
    ref = np.linalg.svd(A.astype(np.float64), compute_uv=False)
    np.testing.assert_allclose(s, ref, rtol=tol, atol=tol * ref[0])
    np.testing.assert_allclose((u * s) @ vt, A, atol=10 * tol)
    assert_orthonormal(u, atol=10 * tol)
    assert_orthonormal(vt.T, atol=10 * tol)


def test_isvd_truncates_to_maxrank() -> None:
    """From an exact SVD of the old columns, truncating the update is the truncated SVD of the
    whole matrix."""
    A = decaying(30, 24)
    U0, S0, Vt0 = factors(A[:, :15], 0, 1)
    U, S, Vt = hpa.linalg.isvd(make(A[:, 15:], 0), U0, S0, Vt0, maxrank=5)
    ref_u, ref_s, _ = np.linalg.svd(A, full_matrices=False)
    np.testing.assert_allclose(S.numpy(), ref_s[:5], rtol=1e-10)
    assert_subspace(U.numpy(), ref_u[:, :5], atol=1e-10)
    np.testing.assert_allclose(
        relative_error(A, U.numpy(), S.numpy(), Vt.numpy()), optimal_error(A, 5), rtol=1e-8
    )


def test_isvd_from_a_truncated_svd() -> None:
    """From a truncated old SVD, the update is the exact SVD of the truncated old matrix with
    the new columns."""
    A = decaying(25, 20)
    U0, S0, Vt0 = factors(A[:, :12], None, 1, k=4)
    approx = (U0.numpy() * S0.numpy()) @ Vt0.numpy()
    U, S, Vt = hpa.linalg.isvd(make(A[:, 12:], None), U0, S0, Vt0)
    want = np.hstack([approx, A[:, 12:]])
    assert S.shape == (12,)
    np.testing.assert_allclose(S.numpy(), np.linalg.svd(want, compute_uv=False)[:12], atol=1e-12)
    np.testing.assert_allclose((U.numpy() * S.numpy()) @ Vt.numpy(), want, atol=1e-12)


# ------------------------------------------------------------------------------ errors
def test_errors_are_raised_everywhere() -> None:
    A = make(low_rank(12, 10), 0)
    ints = make(np.arange(12).reshape(4, 3), 0)
    linalg = hpa.linalg
    cases = [
        (ValueError, lambda: linalg.hsvd_rank(make(np.ones(5), 0), 2)),
        (TypeError, lambda: linalg.hsvd_rank(ints, 2)),
        (ValueError, lambda: linalg.hsvd_rank(A, 0)),
        (TypeError, lambda: linalg.hsvd_rank(A, 2.5)),
        (ValueError, lambda: linalg.hsvd_rank(A, 2, maxmergedim=10)),
        (ValueError, lambda: linalg.hsvd_rank(A, 2, safetyshift=-1)),
        (TypeError, lambda: linalg.hsvd_rank(A, 2, compute_sv=1)),
        (ValueError, lambda: linalg.hsvd_rtol(A, 0.0)),
        (TypeError, lambda: linalg.hsvd_rtol(A, "0.1")),
        (ValueError, lambda: linalg.hsvd_rtol(A, 0.1, no_of_merges=1)),
        (ValueError, lambda: linalg.hsvd_rtol(A, 0.1, maxrank=3, maxmergedim=10)),
        (ValueError, lambda: linalg.hsvd_rtol(A, 0.1, maxmergedim=12, safetyshift=5)),
        (ValueError, lambda: linalg.rsvd(A, 0)),
        (TypeError, lambda: linalg.rsvd(A, 2, n_oversamples=1.5)),
        (ValueError, lambda: linalg.rsvd(A, 2, power_iter=-1)),
        (ValueError, lambda: linalg.rsvd(A, 2, qr_procs_to_merge=1)),
        (TypeError, lambda: linalg.rsvd(ints, 2)),
    ]
    U0, S0, Vt0 = factors(low_rank(12, 6), 0, None)
    new = make(np.ones((12, 2)), 0)
    cases += [
        (ValueError, lambda: linalg.isvd(make(np.ones((11, 2)), 0), U0, S0, Vt0)),
        (ValueError, lambda: linalg.isvd(new, U0, make(np.ones(3), None), Vt0)),
        (ValueError, lambda: linalg.isvd(new, U0, S0, Vt0[:2])),
        (ValueError, lambda: linalg.isvd(new, U0, S0, Vt0, maxrank=0)),
        (TypeError, lambda: linalg.isvd(new.astype(hpa.int64), U0, S0, Vt0)),
    ]
    for exc, call in cases:
        raised_everywhere(exc, call)
