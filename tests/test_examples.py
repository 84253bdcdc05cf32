"""The scripts in examples/ run at every process count and agree with scikit-learn.

Each script's ``main`` runs in the test process, so the matrix runs it under the loopback
communicator, mpiexec and torchrun.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from sklearn.cluster import KMeans as SkKMeans
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA as SkPCA
from sklearn.linear_model import ElasticNet, Lasso, LinearRegression, Ridge
from sklearn.preprocessing import StandardScaler

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def example(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_kmeans_hdf5(shared_dir: Path) -> None:
    pytest.importorskip("h5py", reason="the example reads HDF5 (the io extra)")
    out = example("kmeans_hdf5").main(["--dir", str(shared_dir), "--samples", "3000"])
    assert out["model"].cluster_centers_.shape == (5, 8)
    assert sum(out["sizes"]) == 3000
    import h5py

    with h5py.File(shared_dir / "blobs.h5", "r") as f:
        data = f["X"][...]
    reference = SkKMeans(n_clusters=5, n_init=3, random_state=0).fit(data)
    assert out["inertia"] == pytest.approx(reference.inertia_, rel=1e-3)
    assert out["silhouette"] > 0.5


def test_regression() -> None:
    out = example("regression").main([])
    X_train, X_test, y_train, y_test = (a.numpy() for a in out["data"])
    peers = {
        "least squares": LinearRegression(),
        "ridge (alpha=10)": Ridge(alpha=10.0),
        "lasso (alpha=1)": Lasso(alpha=1.0),
        "elastic net (alpha=0.1)": ElasticNet(alpha=0.1, l1_ratio=0.5),
    }
    for name, peer in peers.items():
        peer.fit(X_train, y_train)
        ours = out[name]
        np.testing.assert_allclose(ours["model"].coef_.numpy(), peer.coef_, rtol=1e-4, atol=1e-6)
        assert ours["r2"] == pytest.approx(peer.score(X_test, y_test), rel=1e-4)


def test_pca_digits() -> None:
    out = example("pca_digits").main([])
    X = StandardScaler().fit_transform(load_digits().data)
    reference = SkPCA(n_components=10).fit(X)
    np.testing.assert_allclose(out["ratios"], reference.explained_variance_ratio_, rtol=1e-6)
    assert out["n90"] == SkPCA(n_components=0.9).fit(X).n_components_
    projected = out["projected"].numpy()
    np.testing.assert_allclose(np.abs(projected), np.abs(reference.transform(X)), atol=1e-8)


def test_poisson_cg() -> None:
    import scipy.sparse.linalg as sla

    out = example("poisson_cg").main(["--grid", "24"])
    assert out["info"] == 0 and out["residual"] < 1e-7
    S = out["A"].to_scipy()
    np.testing.assert_allclose(out["x"].numpy(), sla.spsolve(S.tocsc(), np.ones(S.shape[0])), rtol=1e-6)
