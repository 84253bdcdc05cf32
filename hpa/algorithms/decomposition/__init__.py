"""Matrix decompositions: ``PCA``, ``IncrementalPCA`` and ``TruncatedSVD`` (scikit-learn's
interface on row-split hpa arrays), and HeAT's dynamic mode decompositions ``DMD`` and
``DMDc`` (snapshots in columns)."""

from __future__ import annotations

from hpa.algorithms.decomposition.dmd import DMD, DMDc
from hpa.algorithms.decomposition.incremental_pca import IncrementalPCA
from hpa.algorithms.decomposition.pca import PCA
from hpa.algorithms.decomposition.truncated_svd import TruncatedSVD

__all__ = ["DMD", "DMDc", "PCA", "IncrementalPCA", "TruncatedSVD"]
