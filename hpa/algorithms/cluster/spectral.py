"""Spectral clustering (scikit-learn's ``SpectralClustering``) on a distributed affinity matrix.

The steps follow scikit-learn's ``spectral_clustering`` with ``norm_laplacian=True``:

1. The ``n x n`` affinity ``A`` is built split along its rows like ``X``: the RBF or Laplacian
   kernel from :mod:`hpa.spatial` (dense), the symmetrised k-nearest-neighbour connectivity
   (an :mod:`hpa.sparse` matrix of about ``2 n k`` entries, as scikit-learn's), or given
   (dense or sparse). No rank holds more than its block of rows.
2. With ``A0`` the affinity without its diagonal (scipy's ``laplacian`` ignores self-loops),
   ``d`` its row sums and ``D = diag(sqrt(d))`` (1 for an isolated sample), the smallest
   eigenvectors of the normalised Laplacian ``I - D^-1 A0 D^-1`` are the largest of
   ``B = I + D^-1 A0 D^-1``, whose spectrum lies in ``[0, 2]``. ``B`` is never formed: its
   product with a block of vectors is ``A @ (Q / d) - diag(A) Q / d``, divided by ``d``, plus
   ``Q``: one matrix product with the split ``A``.
3. The eigenvectors come from a restarted block Krylov method (block Lanczos with full
   reorthogonalisation and Rayleigh-Ritz): a block of ``b = k + 8`` vectors, ``s = 4`` products
   per restart, restarted from the best ``b`` Ritz vectors until the residuals of the ``k``
   wanted ones fall below the tolerance. A block (not :func:`hpa.linalg.lanczos`' single
   vector) is needed because well-separated clusters make the top eigenvalue 1 repeat once per
   cluster, and a single Krylov sequence finds only one vector of a repeated eigenvalue.
   Every product, projection and TSQR communicates at most ``b x (s + 1) b`` numbers, except
   the products with ``A`` (as :func:`hpa.matmul` of a row-split matrix and a row-split block).
   When the Krylov basis would span ``n`` or more vectors the (small) ``B`` is decomposed
   densely with :func:`hpa.linalg.eigh`.
4. The embedding, the eigenvectors divided by ``sqrt(d)`` with the sign that makes each
   vector's largest entry positive, is clustered by :class:`~hpa.algorithms.cluster.KMeans`.

The random start block is drawn from hpa's counter-based generator, so the result does not
depend on the number of processes (up to rounding). Cluster labels are those of a k-means
run, so they match scikit-learn's up to a permutation.
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import hpa
from hpa.algorithms.base import BaseEstimator, ClusterMixin, random_state_scope, report
from hpa.algorithms.classification.neighbors import kneighbors_graph
from hpa.algorithms.cluster.kmeans import KMeans
from hpa.algorithms.validation import as_data, check_in, check_number

__all__ = ["SpectralClustering"]

_AFFINITIES = ("rbf", "laplacian", "nearest_neighbors", "precomputed")
_UNSUPPORTED_AFFINITIES = (
    "additive_chi2", "chi2", "linear", "poly", "polynomial", "sigmoid", "cosine",
    "precomputed_nearest_neighbors",
)  # fmt: skip
_BLOCK_EXTRA = 8  # vectors in the Krylov block beyond the wanted ones
_STEPS = 4  # products with the operator per restart
_MAX_RESTARTS = 200


class SpectralClustering(ClusterMixin, BaseEstimator):
    """Cluster the samples by k-means on the leading eigenvectors of the normalised affinity.

    Parameters
    ----------
    n_clusters : int
        The number of clusters.
    eigen_solver : {None, "arpack", "lobpcg", "amg"}
        Accepted for compatibility; every choice uses the block Krylov solver above.
    n_components : int, optional
        The number of eigenvectors; ``n_clusters`` by default.
    random_state : None, int, RandomState or Generator
        Seeds the start block of the eigensolver and the k-means initialisation.
    n_init : int
        k-means runs with different centroid seeds; the best is kept.
    gamma : float
        Kernel coefficient of the ``rbf`` (``exp(-gamma |x - y|^2)``) and ``laplacian``
        (``exp(-gamma |x - y|_1)``) affinities.
    affinity : {"rbf", "laplacian", "nearest_neighbors", "precomputed"}
        How the affinity matrix is built; ``"precomputed"`` takes ``X`` as the affinity
        (dense, an :mod:`hpa.sparse` matrix or a SciPy sparse matrix).
    n_neighbors : int
        Neighbours per sample of the ``nearest_neighbors`` affinity (each sample counts
        as its own neighbour, as in scikit-learn).
    eigen_tol : float or "auto"
        Residual norm at which an eigenvector counts as converged; ``"auto"``: 1e-10
        (float64) or 1e-4 (float32).
    assign_labels : {"kmeans"}
        Only k-means; ``"discretize"`` and ``"cluster_qr"`` raise ``NotImplementedError``.
    degree, coef0, kernel_params :
        Accepted for compatibility (parameters of kernels that are not supported).
    n_jobs : int, optional
        Accepted for compatibility; the processes are the parallelism.
    verbose : bool or int
        Report the eigensolver's progress (rank 0).

    Attributes
    ----------
    affinity_matrix_ : Array or hpa.sparse.CSRMatrix
        ``(n_samples, n_samples)`` split along the rows like ``X`` (replicated for a
        replicated ``X``); sparse for ``"nearest_neighbors"`` and for a sparse
        precomputed affinity.
    labels_ : Array
        ``(n_samples,)`` the cluster of every sample, laid out like the rows of ``X``.
    n_features_in_ : int
        The number of features seen in ``fit``.
    """

    def __init__(
        self,
        n_clusters: int = 8,
        *,
        eigen_solver: str | None = None,
        n_components: int | None = None,
        random_state: Any = None,
        n_init: int = 10,
        gamma: float = 1.0,
        affinity: str = "rbf",
        n_neighbors: int = 10,
        eigen_tol: float | str = "auto",
        assign_labels: str = "kmeans",
        degree: float = 3,
        coef0: float = 1,
        kernel_params: dict | None = None,
        n_jobs: int | None = None,
        verbose: bool | int = False,
    ) -> None:
        self.n_clusters = n_clusters
        self.eigen_solver = eigen_solver
        self.n_components = n_components
        self.random_state = random_state
        self.n_init = n_init
        self.gamma = gamma
        self.affinity = affinity
        self.n_neighbors = n_neighbors
        self.eigen_tol = eigen_tol
        self.assign_labels = assign_labels
        self.degree = degree
        self.coef0 = coef0
        self.kernel_params = kernel_params
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _check_params(self) -> None:
        check_number("n_clusters", self.n_clusters, numbers.Integral, low=1)
        check_in("eigen_solver", self.eigen_solver, (None, "arpack", "lobpcg", "amg"))
        check_number("n_components", self.n_components, numbers.Integral, low=1, allow_none=True)
        check_number("n_init", self.n_init, numbers.Integral, low=1)
        check_number("gamma", self.gamma, low=0.0)
        if callable(self.affinity) or self.affinity in _UNSUPPORTED_AFFINITIES:
            raise NotImplementedError(
                f"affinity={self.affinity!r} is not supported; use one of {list(_AFFINITIES)}"
            )
        check_in("affinity", self.affinity, _AFFINITIES)
        check_number("n_neighbors", self.n_neighbors, numbers.Integral, low=1)
        if self.eigen_tol != "auto":
            check_number("eigen_tol", self.eigen_tol, low=0.0, low_open=True)
        if self.assign_labels in ("discretize", "cluster_qr"):
            raise NotImplementedError(
                f"assign_labels={self.assign_labels!r} is not supported; use 'kmeans'"
            )
        check_in("assign_labels", self.assign_labels, ("kmeans",))

    def fit(self, X: Any, y: Any = None) -> SpectralClustering:
        """Build the affinity of ``X``, embed it and cluster the embedding.

        Parameters
        ----------
        X : array_like or Array
            ``(n_samples, n_features)`` samples in any layout, or the ``(n_samples,
            n_samples)`` affinity for ``affinity="precomputed"``.
        y : ignored

        Returns
        -------
        SpectralClustering
            The fitted estimator.
        """
        self._check_params()
        if self.affinity == "precomputed" and _sparse(X):
            X = _sparse_affinity(X)
        else:
            X = as_data(X, min_samples=2)
        n = X.shape[0]
        if self.affinity == "precomputed" and X.shape[1] != n:
            raise ValueError(f"A precomputed affinity must be square, got shape {X.shape}")
        k = self.n_clusters if self.n_components is None else self.n_components
        if self.n_clusters > n or k > n:
            raise ValueError(
                f"n_samples={n} should be >= n_clusters={self.n_clusters} and n_components={k}."
            )
        if self.affinity == "nearest_neighbors" and self.n_neighbors > n:
            raise ValueError(
                f"Expected n_neighbors <= n_samples_fit, but n_samples_fit = {n}, "
                f"n_neighbors = {self.n_neighbors}"
            )
        self.affinity_matrix_ = self._affinity(X)
        with random_state_scope(self.random_state):
            maps = _spectral_embedding(self.affinity_matrix_, k, self._tolerance(X), self.verbose)
        kmeans = KMeans(
            n_clusters=self.n_clusters, n_init=self.n_init, random_state=self.random_state
        )
        self.labels_ = kmeans.fit(maps).labels_
        self.n_features_in_ = X.shape[1]
        return self

    def _tolerance(self, X: hpa.Array) -> float:
        if self.eigen_tol != "auto":
            return float(self.eigen_tol)
        return 1e-10 if X.dtype == hpa.float64 else 1e-4

    def _affinity(self, X: hpa.Array) -> Any:
        if self.affinity == "precomputed":
            return X
        if self.affinity == "rbf":
            if self.gamma == 0:
                return hpa.ones_like(hpa.spatial.cdist(X))
            return hpa.spatial.rbf(X, sigma=math.sqrt(0.5 / self.gamma))
        if self.affinity == "laplacian":
            return hpa.exp(-self.gamma * hpa.spatial.cdist(X, metric="cityblock"))
        return _connectivity(X, self.n_neighbors)


def _sparse(X: Any) -> bool:
    """Whether ``X`` is a sparse matrix, hpa's or SciPy's."""
    return hpa.sparse.issparse(X) or type(X).__module__.startswith("scipy.sparse")


def _sparse_affinity(X: Any) -> hpa.sparse.CSRMatrix:
    """A sparse affinity (hpa's, or SciPy's, of which each rank keeps its rows) in a floating
    dtype, as scikit-learn takes it: float32 and float64 kept, others float64."""
    A = X if hpa.sparse.issparse(X) else hpa.sparse.csr_matrix(X)
    return A if A.dtype in (hpa.float32, hpa.float64) else A.astype(hpa.float64)


def _connectivity(X: hpa.Array, k: int) -> hpa.sparse.CSRMatrix:
    """``(C + C^T) / 2`` for the sparse 0/1 matrix ``C`` of every sample's ``k`` nearest
    samples (itself included), split along the rows like ``X``: ``n k`` entries, never an
    ``n x n`` matrix (the neighbour search holds one block of distances at a time)."""
    C = kneighbors_graph(X, k, include_self=True).astype(X.dtype)
    return 0.5 * (C + C.T)


def _spectral_embedding(A: Any, k: int, tol: float, verbose: Any) -> hpa.Array:
    """scikit-learn's ``spectral_embedding(A, n_components=k, drop_first=False)`` of a dense
    or sparse affinity ``A``."""
    sparse = hpa.sparse.issparse(A)
    a = A.diagonal() if sparse else hpa.diagonal(A)
    degree = A.sum(axis=1) - a
    dd = hpa.where(degree == 0, 1, hpa.sqrt(hpa.where(degree == 0, 1, degree)))
    a2, dd2 = hpa.expand_dims(a, 1), hpa.expand_dims(dd, 1)

    def operator(Q: hpa.Array) -> hpa.Array:
        scaled = Q / dd2
        return (A @ scaled - a2 * scaled) / dd2 + Q

    n = A.shape[0]
    block = min(n, k + _BLOCK_EXTRA)
    if block * (_STEPS + 1) >= n:
        vectors = _dense_top(A.todense() if sparse else A, a, dd, k)
    else:
        start = hpa.random.randn(n, block, dtype=A.dtype, split=A.split, device=A.device)
        if A.split is not None and start.counts != A.counts:
            start.redistribute_(A.counts)
        vectors = _block_krylov_top(operator, start, k, tol, verbose)
    maps = vectors / dd2
    both = hpa.concatenate([maps, -maps], axis=1).max(axis=0).numpy()
    signs = [1.0 if both[i] >= both[k + i] else -1.0 for i in range(k)]
    return maps * hpa.array(signs, dtype=maps.dtype, device=maps.device)


def _dense_top(A: hpa.Array, a: hpa.Array, dd: hpa.Array, k: int) -> hpa.Array:
    """The ``k`` leading eigenvectors of the (small) ``D^-1 A0 D^-1``, densely."""
    ddr = dd.resplit(None)
    B = A / hpa.expand_dims(dd, 1) / ddr - hpa.diag(a / (dd * dd))
    _, vectors = hpa.linalg.eigh(B)
    return hpa.flip(vectors[:, -k:], axis=1)


def _orthonormal(Z: hpa.Array, basis: hpa.Array | None) -> hpa.Array:
    """Orthonormal columns spanning ``Z`` without ``basis``: two Gram-Schmidt passes, TSQR,
    then one more pass and TSQR for the directions that were lost to rounding."""
    if basis is not None:
        for _ in range(2):
            Z = Z - basis @ (basis.T @ Z)
    Q = _q_factor(Z)
    if basis is None:
        return Q
    return _q_factor(Q - basis @ (basis.T @ Q))


def _q_factor(Z: hpa.Array) -> hpa.Array:
    """The Q of ``hpa.linalg.qr(Z)`` (reduced mode; its result type depends on the mode)."""
    result: Any = hpa.linalg.qr(Z)
    return result.Q


def _block_krylov_top(
    operator: Any, start: hpa.Array, k: int, tol: float, verbose: Any
) -> hpa.Array:
    """The ``k`` largest eigenvectors of the symmetric ``operator``, by restarted block
    Krylov iteration with Rayleigh-Ritz."""
    residual = math.inf
    for restart in range(_MAX_RESTARTS):
        blocks = [_orthonormal(start, None)]
        images = [operator(blocks[0])]
        for _ in range(_STEPS):
            basis = hpa.concatenate(blocks, axis=1)
            blocks.append(_orthonormal(images[-1], basis))
            images.append(operator(blocks[-1]))
        basis, image = hpa.concatenate(blocks, axis=1), hpa.concatenate(images, axis=1)
        H = basis.T @ image
        values, ritz = hpa.linalg.eigh(0.5 * (H + H.T))
        ritz = hpa.flip(ritz, axis=1)[:, : start.shape[1]]
        values = hpa.flip(values, axis=0)[:k]
        vectors = basis @ ritz
        misfit = image @ ritz[:, :k] - vectors[:, :k] * values
        residual = float(hpa.sqrt((misfit * misfit).sum(axis=0)).max())
        report(verbose, f"spectral embedding: restart {restart}, residual {residual:.3e}")
        if residual <= tol:
            return vectors[:, :k]
        start = vectors
    warnings.warn(
        f"The spectral embedding did not converge: residual {residual:.3e} > tol {tol:.1e} "
        f"after {_MAX_RESTARTS} restarts.",
        stacklevel=3,
    )
    return vectors[:, :k]
