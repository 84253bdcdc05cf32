"""hpa.algorithms.decomposition (PCA, IncrementalPCA, TruncatedSVD) against scikit-learn on its
shipped data sets and on generated data: every solver, every data layout (replicated, split along
the rows balanced and ragged, split along the features), float32 and float64, wide data and
fewer samples than processes, transform/inverse_transform, the probabilistic model's score,
clone/get_params, communication counts, and errors raised on every rank.

Every rank runs the same calls in the same order and every check compares gathered data.
Components are compared up to sign, although hpa applies scikit-learn's sign convention.
"""

from __future__ import annotations

import numpy as np
import pytest
import sklearn.base
from helpers import DATA_LAYOUTS, P, layout_id, make, raised_everywhere, sklearn_data
from sklearn import datasets
from sklearn import decomposition as skd

import hpa
from hpa.algorithms.base import NotFittedError
from hpa.algorithms.decomposition import PCA, IncrementalPCA, TruncatedSVD

DATA = sklearn_data()
LAYOUTS = [pytest.param(layout, id=layout_id(layout)) for layout in DATA_LAYOUTS]
SOLVERS = ["full", "covariance_eigh", "arpack", "randomized"]
K = 3  # the leading spectra of every data set above are well separated up to K + 1


def blobs(n: int = 120, d: int = 6, seed: int = 0) -> np.ndarray:
    return datasets.make_blobs(n, d, centers=4, random_state=seed)[0]


def wide(n: int = 20, d: int = 45, seed: int = 1) -> np.ndarray:
    """Fewer samples than features, with a decaying spectrum."""
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, d)) * np.linspace(3.0, 0.1, d)


def aligned(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    """``got``'s rows with the signs that bring them closest to ``want``'s."""
    signs = np.sign(np.sum(got * want, axis=1, keepdims=True))
    return got * np.where(signs == 0, 1, signs)


def assert_components(got: hpa.Array, want: np.ndarray, atol: float) -> None:
    assert got.split is None
    g = got.numpy()
    assert g.shape == want.shape
    np.testing.assert_allclose(aligned(g, want), want, atol=atol)


def assert_rows_like(out: hpa.Array, X: hpa.Array) -> None:
    """A data-long result keeps the row layout the estimator saw (split 1 becomes split 0)."""
    if X.split is None:
        assert out.split is None
    else:
        assert out.split == 0
        if X.split == 0:
            assert out.counts == X.counts


def compare_pca(h: PCA, sk: skd.PCA, k: int, rtol: float = 1e-6) -> None:
    assert h.n_components_ == sk.n_components_
    assert h.n_features_in_ == sk.n_features_in_
    if isinstance(sk, skd.PCA):
        assert h.n_samples_ == sk.n_samples_
    ev = sk.explained_variance_
    atol = rtol * ev.max()
    np.testing.assert_allclose(h.explained_variance_.numpy(), ev, rtol=rtol, atol=atol)
    np.testing.assert_allclose(
        h.explained_variance_ratio_.numpy(), sk.explained_variance_ratio_, rtol=rtol, atol=rtol
    )
    np.testing.assert_allclose(
        h.singular_values_.numpy(), sk.singular_values_, rtol=rtol, atol=rtol * ev.max() ** 0.5
    )
    np.testing.assert_allclose(h.mean_.numpy(), sk.mean_, rtol=rtol, atol=rtol)
    np.testing.assert_allclose(h.noise_variance_, sk.noise_variance_, rtol=1e-4, atol=atol)
    assert_components(h.components_[:k], sk.components_[:k], atol=1e-5 if rtol < 1e-5 else 2e-2)


# ---------------------------------------------------------------------- PCA
@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("solver", SOLVERS)
def test_pca_matches_sklearn(name: str, solver: str) -> None:
    X = DATA[name]
    sk = skd.PCA(K, svd_solver=solver, random_state=0).fit(X)
    for split, ragged in DATA_LAYOUTS:
        x = make(X, split, ragged=ragged)
        h = PCA(K, svd_solver=solver, random_state=0).fit(x)
        compare_pca(h, sk, K)
        # scikit-learn's sign convention: the same signs, not only up to sign
        np.testing.assert_allclose(h.components_.numpy(), sk.components_, atol=1e-5)


@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("n_components", [None, 0.8, "mle"], ids=str)
def test_pca_full_number_of_components(name: str, n_components: object) -> None:
    X = DATA[name]
    for solver in ["full", "covariance_eigh"]:
        sk = skd.PCA(n_components, svd_solver=solver).fit(X)
        for split, ragged in DATA_LAYOUTS[1:3]:
            h = PCA(n_components, svd_solver=solver).fit(make(X, split, ragged=ragged))
            compare_pca(h, sk, min(K, sk.n_components_), rtol=1e-6)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("whiten", [False, True])
def test_pca_transform_roundtrip(layout: tuple[int | None, bool], whiten: bool) -> None:
    X = DATA["iris"]
    sk = skd.PCA(2, whiten=whiten).fit(X)
    x = make(X, layout[0], ragged=layout[1])
    h = PCA(2, whiten=whiten)
    out = h.fit_transform(x)
    assert_rows_like(out, x)
    np.testing.assert_allclose(out.numpy(), sk.transform(X), atol=1e-10)
    back = h.inverse_transform(out)
    assert_rows_like(back, x)
    np.testing.assert_allclose(back.numpy(), sk.inverse_transform(sk.transform(X)), atol=1e-10)
    np.testing.assert_allclose(h.score_samples(x).numpy(), sk.score_samples(X), rtol=1e-9)
    assert abs(h.score(x) - sk.score(X)) < 1e-9 * abs(sk.score(X))
    np.testing.assert_allclose(h.get_covariance().numpy(), sk.get_covariance(), atol=1e-10)


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64], ids=str)
@pytest.mark.parametrize("solver", SOLVERS)
def test_pca_dtypes(dtype: hpa.DType, solver: str) -> None:
    X = blobs()
    sk = skd.PCA(K, svd_solver=solver, random_state=0).fit(X)
    rtol = 1e-3 if dtype == hpa.float32 else 1e-7
    for split, ragged in DATA_LAYOUTS:
        x = make(X, split, dtype=dtype, ragged=ragged)
        h = PCA(K, svd_solver=solver, random_state=0).fit(x)
        assert h.components_.dtype == dtype and h.explained_variance_.dtype == dtype
        compare_pca(h, sk, K, rtol=rtol)
        out = h.transform(x)
        assert out.dtype == dtype
        np.testing.assert_allclose(out.numpy(), sk.transform(X), rtol=rtol, atol=rtol * 30)


@pytest.mark.parametrize("solver", SOLVERS)
def test_pca_wide_data(solver: str) -> None:
    """Fewer samples than features: the SVD factors the transpose (split along features)."""
    X = wide()
    sk = skd.PCA(5, svd_solver=solver, random_state=0).fit(X)
    for split, ragged in DATA_LAYOUTS:
        h = PCA(5, svd_solver=solver, random_state=0).fit(make(X, split, ragged=ragged))
        compare_pca(h, sk, 5, rtol=1e-6 if solver != "randomized" else 1e-3)


@pytest.mark.parametrize("shape", [(2, 5), (3, 4), (4, 2)], ids=str)
def test_pca_fewer_samples_than_processes(shape: tuple[int, int]) -> None:
    X = np.random.default_rng(7).standard_normal(shape) * np.arange(1, shape[1] + 1)
    k = min(shape) - 1
    sk = skd.PCA(k, svd_solver="full").fit(X)
    for split, ragged in DATA_LAYOUTS:
        x = make(X, split, ragged=ragged)
        h = PCA(k, svd_solver="full").fit(x)
        compare_pca(h, sk, k, rtol=1e-8)
        out = h.transform(x)
        assert_rows_like(out, x)
        np.testing.assert_allclose(out.numpy(), sk.transform(X), atol=1e-10)


def test_pca_randomized_independent_of_process_count() -> None:
    """The random test matrix comes from the seed alone: a reference computed at one process."""
    X = blobs(200, 12, seed=3)
    ref = PCA(2, svd_solver="randomized", random_state=5, iterated_power=0).fit(X)
    full = skd.PCA(2, svd_solver="full").fit(X)
    for split, ragged in DATA_LAYOUTS:
        h = PCA(2, svd_solver="randomized", random_state=5, iterated_power=0)
        h.fit(make(X, split, ragged=ragged))
        np.testing.assert_allclose(h.components_.numpy(), ref.components_.numpy(), atol=1e-10)
    np.testing.assert_allclose(ref.explained_variance_.numpy(), full.explained_variance_, rtol=1e-6)


def test_pca_collectives() -> None:
    x = make(DATA["digits"], 0)
    with hpa.count_collectives() as stats:
        h = PCA(K, svd_solver="full").fit(x)
    if P > 1:  # finiteness check, mean, TSQR
        assert stats["allreduce"] == 2 and stats["allgatherv"] == 1 and stats.total == 3, stats
    with hpa.count_collectives() as stats:
        h.transform(x)
    assert stats.total <= 1, stats  # the finiteness check only
    with hpa.count_collectives() as stats:
        PCA(K, svd_solver="covariance_eigh").fit(x)
    if P > 1:  # finiteness check, mean, X^T X
        assert stats.total == 3 and stats["allreduce"] == 3, stats


def test_pca_clone_and_params() -> None:
    est = PCA(3, whiten=True, svd_solver="randomized", random_state=4)
    params = est.get_params()
    assert params["n_components"] == 3 and params["whiten"] is True
    twin = sklearn.base.clone(est)
    assert twin.get_params() == params and not hasattr(twin, "components_")
    assert "whiten=True" in repr(est)
    assert est.set_params(n_components=2).n_components == 2


def test_pca_errors() -> None:
    X = DATA["iris"]
    x = make(X, 0)
    bad = X.copy()
    bad[P * 7 % len(X), 2] = np.nan
    raised_everywhere(ValueError, lambda: PCA(5).fit(x))
    raised_everywhere(ValueError, lambda: PCA(4, svd_solver="arpack").fit(x))
    raised_everywhere(ValueError, lambda: PCA(5, svd_solver="randomized").fit(x))
    raised_everywhere(ValueError, lambda: PCA(0.5, svd_solver="randomized").fit(x))
    raised_everywhere(ValueError, lambda: PCA("mle", svd_solver="arpack").fit(x))
    raised_everywhere(ValueError, lambda: PCA("mle").fit(make(wide(), 0)))
    raised_everywhere(ValueError, lambda: PCA(1.5).fit(x))
    raised_everywhere(ValueError, lambda: PCA("most").fit(x))
    raised_everywhere(ValueError, lambda: PCA(-1).fit(x))
    raised_everywhere(ValueError, lambda: PCA(svd_solver="lapack").fit(x))
    raised_everywhere(ValueError, lambda: PCA(n_oversamples=0).fit(x))
    raised_everywhere(ValueError, lambda: PCA(iterated_power=-1).fit(x))
    raised_everywhere(TypeError, lambda: PCA(iterated_power=1.5).fit(x))
    raised_everywhere(ValueError, lambda: PCA(2).fit(make(bad, 0, ragged=True)))
    raised_everywhere(NotFittedError, lambda: PCA(2).transform(x))
    raised_everywhere(NotFittedError, lambda: PCA(2).inverse_transform(x))
    fitted = PCA(2).fit(x)
    raised_everywhere(ValueError, lambda: fitted.transform(make(X[:, :3], 0)))
    raised_everywhere(ValueError, lambda: fitted.inverse_transform(make(X[:, :3], 0)))
    raised_everywhere(ValueError, lambda: PCA(2).fit(make(X[0], 0)))


# ---------------------------------------------------------------------- IncrementalPCA
@pytest.mark.parametrize("name", ["iris", "digits", "wine", "diabetes"])
@pytest.mark.parametrize("setting", [(None, None), (K, None), (K, 40)], ids=str)
def test_incremental_pca_matches_sklearn(name: str, setting: tuple[object, object]) -> None:
    n_components, batch_size = setting
    X = DATA[name]
    sk = skd.IncrementalPCA(n_components, batch_size=batch_size).fit(X)
    for split, ragged in DATA_LAYOUTS:
        x = make(X, split, ragged=ragged)
        h = IncrementalPCA(n_components, batch_size=batch_size).fit(x)
        assert h.batch_size_ == sk.batch_size_ and h.n_samples_seen_ == sk.n_samples_seen_
        compare_pca(h, sk, K, rtol=1e-6)
        np.testing.assert_allclose(h.var_.numpy(), sk.var_, rtol=1e-9)
        out = h.transform(x)
        assert_rows_like(out, x)
        np.testing.assert_allclose(out.numpy(), sk.transform(X), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_incremental_pca_partial_fit(layout: tuple[int | None, bool]) -> None:
    X = blobs(90, 5)
    sk = skd.IncrementalPCA(2, whiten=True)
    h = IncrementalPCA(2, whiten=True)
    for part in (X[:7], X[7:40], X[40:]):
        sk.partial_fit(part)
        h.partial_fit(make(part, layout[0], ragged=layout[1]))
    compare_pca(h, sk, 2, rtol=1e-8)
    x = make(X, layout[0], ragged=layout[1])
    np.testing.assert_allclose(h.transform(x).numpy(), sk.transform(X), atol=1e-8)


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64], ids=str)
def test_incremental_pca_dtypes_and_small(dtype: hpa.DType) -> None:
    X = np.random.default_rng(2).standard_normal((3, 2)) * [3.0, 1.0]
    sk = skd.IncrementalPCA(1).fit(X)
    h = IncrementalPCA(1).fit(make(X, 0, dtype=dtype))
    assert h.components_.dtype == dtype
    compare_pca(h, sk, 1, rtol=1e-4 if dtype == hpa.float32 else 1e-9)


def test_incremental_pca_collectives() -> None:
    """The finiteness check, then per batch (row slices, no data move): mean, moments, TSQR."""
    x = make(DATA["iris"], 0, ragged=True)
    with hpa.count_collectives() as stats:
        IncrementalPCA(2, batch_size=50).fit(x)
    assert stats.total <= 1 + 3 * 3, stats
    assert stats["alltoallv"] == 0 and stats["allgatherv"] <= 3, stats


def test_incremental_pca_errors() -> None:
    x = make(DATA["iris"], 0)
    raised_everywhere(ValueError, lambda: IncrementalPCA(5).fit(x))
    raised_everywhere(ValueError, lambda: IncrementalPCA(3).partial_fit(make(DATA["iris"][:2], 0)))
    raised_everywhere(ValueError, lambda: IncrementalPCA(batch_size=0).fit(x))
    raised_everywhere(ValueError, lambda: IncrementalPCA(0).fit(x))
    raised_everywhere(NotFittedError, lambda: IncrementalPCA(2).transform(x))
    fitted = IncrementalPCA(2).fit(x)
    raised_everywhere(ValueError, lambda: fitted.partial_fit(make(DATA["wine"], 0)))
    raised_everywhere(ValueError, lambda: fitted.transform(make(DATA["wine"], 0)))
    assert sklearn.base.clone(fitted).get_params() == fitted.get_params()


# ---------------------------------------------------------------------- TruncatedSVD
@pytest.mark.parametrize("name", list(DATA))
@pytest.mark.parametrize("algorithm", ["arpack", "randomized"])
def test_truncated_svd_matches_sklearn(name: str, algorithm: str) -> None:
    X = DATA[name]
    sk = skd.TruncatedSVD(K, algorithm="arpack", random_state=0)
    want = sk.fit_transform(X)
    for split, ragged in DATA_LAYOUTS:
        x = make(X, split, ragged=ragged)
        h = TruncatedSVD(K, algorithm=algorithm, n_iter=7, random_state=0)
        out = h.fit_transform(x)
        assert_rows_like(out, x)
        rtol = 1e-6
        np.testing.assert_allclose(h.singular_values_.numpy(), sk.singular_values_, rtol=rtol)
        np.testing.assert_allclose(h.explained_variance_.numpy(), sk.explained_variance_, rtol=rtol)
        np.testing.assert_allclose(
            h.explained_variance_ratio_.numpy(), sk.explained_variance_ratio_, rtol=rtol
        )
        assert_components(h.components_, sk.components_, atol=1e-4)
        scale = np.abs(want).max()
        np.testing.assert_allclose(out.numpy(), want, atol=1e-4 * scale)
        back = h.inverse_transform(h.transform(x))
        np.testing.assert_allclose(back.numpy(), sk.inverse_transform(want), atol=1e-4 * scale)


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64], ids=str)
def test_truncated_svd_generated(dtype: hpa.DType) -> None:
    X = np.abs(blobs(60, 8, seed=5))
    sk = skd.TruncatedSVD(2, algorithm="arpack").fit(X)
    rtol = 1e-4 if dtype == hpa.float32 else 1e-8
    for split, ragged in DATA_LAYOUTS:
        h = TruncatedSVD(2, random_state=1).fit(make(X, split, dtype=dtype, ragged=ragged))
        assert h.components_.dtype == dtype
        np.testing.assert_allclose(h.singular_values_.numpy(), sk.singular_values_, rtol=rtol)
        assert_components(h.components_, sk.components_, atol=rtol * 10)


def test_truncated_svd_errors() -> None:
    x = make(DATA["iris"], 0)
    raised_everywhere(ValueError, lambda: TruncatedSVD(4, algorithm="arpack").fit(x))
    raised_everywhere(ValueError, lambda: TruncatedSVD(5).fit(x))
    raised_everywhere(ValueError, lambda: TruncatedSVD(0).fit(x))
    raised_everywhere(ValueError, lambda: TruncatedSVD(algorithm="lanczos").fit(x))
    raised_everywhere(ValueError, lambda: TruncatedSVD(1).fit(make(DATA["iris"][:, :1], 0)))
    raised_everywhere(ValueError, lambda: TruncatedSVD(n_iter=-1).fit(x))
    bad = DATA["iris"].copy()
    bad[0, 0] = np.inf
    raised_everywhere(ValueError, lambda: TruncatedSVD().fit(make(bad, 0)))
    raised_everywhere(NotFittedError, lambda: TruncatedSVD().transform(x))
    fitted = TruncatedSVD(random_state=0).fit(x)
    raised_everywhere(ValueError, lambda: fitted.transform(make(DATA["wine"], 0)))
    twin = sklearn.base.clone(fitted)
    assert twin.get_params() == fitted.get_params() and not hasattr(twin, "components_")
