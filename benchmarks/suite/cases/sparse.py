"""Distributed sparse matrices (issue 18): SpMV, conjugate gradients, a kNN-graph spectral
embedding.

- ``spmv-poisson``: ``y = A x`` ten times for the 5-point Laplacian of a ``2048 x 2048`` grid
  (``2^22`` rows, 20.96 M entries, float64), ``A`` and ``x`` split along the rows. hpa: the
  row-split CSR product with the halo exchange (one ``alltoallv`` of the ``2 x 2048`` entries
  of ``x`` a rank boundary needs, 32 KiB per product at 2 processes); ``numpy``:
  ``scipy.sparse.csr_array @ x`` in one process (SciPy stands in for NumPy, which has no
  sparse matrices); torch: ``torch.sparse_csr_tensor @ x`` (int64 indices). HeAT 1.8's
  ``DCSR_matrix`` has no product (only elementwise add and mul), so it cannot run.
- ``cg-poisson``: 50 conjugate-gradient iterations (``rtol=0`` so none stops early) on the same
  system with ``b = 1``. hpa: ``hpa.linalg.cg`` with the sparse operator; ``numpy``:
  ``scipy.sparse.linalg.cg``; torch: the same iteration written with torch (CSR product).
- ``spectral-knn``: ``SpectralClustering(8, affinity="nearest_neighbors", n_neighbors=10)`` of
  8,000 blobs in 8 dimensions: the sparse kNN connectivity graph, its spectral embedding and
  k-means. hpa against scikit-learn (a tree search, ARPACK, k-means); the labels are compared
  by their adjusted Rand index. HeAT's ``Spectral`` takes no kNN affinity.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import data
from ..case import Case, Impl, Params, register

_REPEAT = 10


def _params(quick: bool) -> Params:
    return {"g": 128 if quick else 2048, "iters": 50}


def poisson_rows(g: int, lo: int, hi: int) -> Any:
    """Rows ``lo:hi`` of the 5-point Laplacian of a ``g x g`` grid (global columns), as a
    ``scipy.sparse.csr_array`` of shape ``(hi - lo, g * g)``."""
    import scipy.sparse as sp

    i = np.arange(lo, hi)
    r, c = i // g, i % g
    rows, cols, vals = [i], [i], [np.full(i.size, 4.0)]
    for keep, j in ((c > 0, i - 1), (c < g - 1, i + 1), (r > 0, i - g), (r < g - 1, i + g)):
        rows.append(i[keep])
        cols.append(j[keep])
        vals.append(np.full(int(keep.sum()), -1.0))
    coo = sp.coo_array(
        (np.concatenate(vals), (np.concatenate(rows) - lo, np.concatenate(cols))),
        shape=(hi - lo, g * g),
    )
    return coo.tocsr()


def _vector(n: int, lo: int, hi: int) -> np.ndarray:
    return np.sin(np.arange(lo, hi) * 0.001) + 1.0


def _hpa_system(p: Params) -> tuple[Any, Any]:
    import hpa

    n = p["g"] ** 2
    lo, hi = data.block_range(n, p["rank"], p["size"])
    A = hpa.sparse.csr_matrix(poisson_rows(p["g"], lo, hi), is_split=0)
    x = hpa.array(_vector(n, lo, hi), is_split=0)
    A @ x  # the halo plan is built once per layout of x (setup, untimed)
    return A, x


def _torch_matrix(p: Params) -> Any:
    import torch

    n = p["g"] ** 2
    s = poisson_rows(p["g"], 0, n)
    return torch.sparse_csr_tensor(
        torch.from_numpy(s.indptr.astype(np.int64)), torch.from_numpy(s.indices.astype(np.int64)),
        torch.from_numpy(s.data), size=s.shape,
    )  # fmt: skip


# ---------------------------------------------------------------------------- spmv
def _spmv_hpa(p: Params) -> Impl:
    def run(s: Any) -> Any:
        A, x = s
        for _ in range(_REPEAT - 1):
            A @ x
        return A @ x

    return Impl(run, lambda y: y.numpy(), _hpa_system(p))


def _spmv_torch(p: Params) -> Impl:
    import torch

    n = p["g"] ** 2
    A, x = _torch_matrix(p), torch.from_numpy(_vector(n, 0, n))

    def run(s: Any) -> Any:
        for _ in range(_REPEAT - 1):
            s[0] @ s[1]
        return s[0] @ s[1]

    return Impl(run, lambda y: y.numpy(), (A, x))


def _spmv_scipy(p: Params) -> Impl:
    n = p["g"] ** 2
    A, x = poisson_rows(p["g"], 0, n), _vector(n, 0, n)

    def run(s: Any) -> Any:
        for _ in range(_REPEAT - 1):
            s[0] @ s[1]
        return s[0] @ s[1]

    return Impl(run, np.asarray, (A, x))


register(
    Case(
        name="spmv-poisson",
        group="array",
        params=_params,
        impls={"hpa": _spmv_hpa, "torch": _spmv_torch, "numpy": _spmv_scipy},
        reference="numpy",
        rtol=1e-12,
        atol=1e-12,
        description="10 x (A @ x), A the 2^22-row 2-D Poisson matrix (CSR, rows split); "
        "numpy = scipy.sparse",
        tags=("sparse",),
    )
)


# ---------------------------------------------------------------------------- cg
def _cg_hpa(p: Params) -> Impl:
    import hpa
    import hpa.linalg

    A, _ = _hpa_system(p)
    n = p["g"] ** 2
    lo, hi = data.block_range(n, p["rank"], p["size"])
    b = hpa.array(np.ones(hi - lo), is_split=0)

    def run(s: Any) -> Any:
        return hpa.linalg.cg(s[0], s[1], rtol=0.0, maxiter=p["iters"])

    return Impl(run, lambda x: x.numpy(), (A, b))


def _cg_scipy(p: Params) -> Impl:
    import scipy.sparse.linalg as sla

    n = p["g"] ** 2
    A, b = poisson_rows(p["g"], 0, n), np.ones(n)

    def run(s: Any) -> Any:
        return sla.cg(s[0], s[1], rtol=0.0, atol=0.0, maxiter=p["iters"])[0]

    return Impl(run, np.asarray, (A, b))


def _cg_torch(p: Params) -> Impl:
    import torch

    n = p["g"] ** 2
    A, b = _torch_matrix(p), torch.ones(n, dtype=torch.float64)

    def run(s: Any) -> Any:
        a, rhs = s
        x = torch.zeros_like(rhs)
        r = rhs.clone()
        q, rho_old = r.clone(), None
        for _ in range(p["iters"]):
            rho = torch.dot(r, r)
            q = r.clone() if rho_old is None else r + (rho / rho_old) * q
            w = a @ q
            alpha = rho / torch.dot(q, w)
            x = x + alpha * q
            r = r - alpha * w
            rho_old = rho
        return x

    return Impl(run, lambda x: x.numpy(), (A, b))


register(
    Case(
        name="cg-poisson",
        group="array",
        params=_params,
        impls={"hpa": _cg_hpa, "torch": _cg_torch, "numpy": _cg_scipy},
        reference="numpy",
        rtol=1e-8,
        atol=1e-8,
        description="50 CG iterations on the 2^22-row 2-D Poisson matrix (CSR, rows split); "
        "numpy = scipy.sparse.linalg.cg",
        tags=("sparse",),
    )
)


# ---------------------------------------------------------------------------- spectral
def _spectral_params(quick: bool) -> Params:
    return {"n": 1000 if quick else 8000, "d": 8, "k": 8, "neighbours": 10}


def _blobs(p: Params) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_blobs

    X, y = make_blobs(p["n"], p["d"], centers=p["k"], cluster_std=1.0, random_state=7)
    return X, y


def _spectral_hpa(p: Params) -> Impl:
    import hpa
    from hpa.algorithms.cluster import SpectralClustering

    X, _ = _blobs(p)
    lo, hi = data.block_range(p["n"], p["rank"], p["size"])
    x = hpa.array(X[lo:hi], is_split=0)
    model = SpectralClustering(
        p["k"], affinity="nearest_neighbors", n_neighbors=p["neighbours"], random_state=0
    )
    return Impl(lambda x: model.fit(x).labels_, lambda labels: labels.numpy(), x)


def _spectral_sklearn(p: Params) -> Impl:
    from sklearn.cluster import SpectralClustering

    X, _ = _blobs(p)
    model = SpectralClustering(
        p["k"], affinity="nearest_neighbors", n_neighbors=p["neighbours"], random_state=0
    )
    return Impl(lambda x: model.fit(x).labels_, np.asarray, X)


def _same_clusters(got: Any, want: Any) -> None:
    from sklearn.metrics import adjusted_rand_score

    score = adjusted_rand_score(np.asarray(want), np.asarray(got))
    if score < 0.99:
        raise AssertionError(f"spectral labels differ: adjusted Rand index {score:.4f}")


register(
    Case(
        name="spectral-knn",
        group="algorithm",
        params=_spectral_params,
        impls={"hpa": _spectral_hpa, "sklearn": _spectral_sklearn},
        reference="sklearn",
        compare=_same_clusters,
        description="SpectralClustering(8, affinity='nearest_neighbors', n_neighbors=10) of "
        "8,000 x 8 blobs (sparse kNN graph)",
        tags=("algorithm", "sparse"),
    )
)
