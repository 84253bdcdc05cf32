"""Principal components of the handwritten digits, on any number of processes.

The 1797 images of 8 x 8 pixels are standardised and projected on their leading principal
components, computed with the distributed SVD (and once more with the randomized solver);
rank 0 prints the variance each component explains and how many components keep 90% of it.

    python examples/pca_digits.py
    mpiexec -n 3 python -m mpi4py examples/pca_digits.py
    torchrun --nproc_per_node 2 examples/pca_digits.py

The data set ships with scikit-learn (``pip install scikit-learn``), which is used only to
load it.
"""

from __future__ import annotations

from typing import Any

from sklearn.datasets import load_digits

import hpa
from hpa.algorithms.decomposition import PCA
from hpa.algorithms.preprocessing import StandardScaler


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Fit PCA to the digits; returns the explained variance ratios and the projection."""
    X = hpa.array(load_digits().data, split=0)
    X = StandardScaler().fit_transform(X)
    exact = PCA(n_components=10).fit(X)
    fast = PCA(n_components=10, svd_solver="randomized", random_state=0).fit(X)
    keep90 = PCA(n_components=0.9).fit(X)
    projected = exact.transform(X)

    ratios = exact.explained_variance_ratio_.numpy()
    hpa.print0(f"{X.shape[0]} images x {X.shape[1]} pixels on {X.comm.size} process(es)")
    hpa.print0("explained variance ratio: " + " ".join(f"{r:.3f}" for r in ratios))
    gap = float(hpa.max(hpa.abs(fast.explained_variance_ratio_ - exact.explained_variance_ratio_)))
    hpa.print0(f"randomized solver: largest difference in the ratios {gap:.2e}")
    hpa.print0(f"{keep90.n_components_} components keep 90% of the variance")
    return {"ratios": ratios, "projected": projected, "n90": keep90.n_components_}


if __name__ == "__main__":
    main()
