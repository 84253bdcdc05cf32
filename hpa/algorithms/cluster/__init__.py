"""Clustering with scikit-learn's interface: k-means (Lloyd), k-medians, k-medoids, spectral
clustering, DBSCAN, and HeAT's batch-parallel k-means and k-medians."""

from __future__ import annotations

from hpa.algorithms.cluster.batch_parallel import BatchParallelKMeans, BatchParallelKMedians
from hpa.algorithms.cluster.dbscan import DBSCAN
from hpa.algorithms.cluster.kmeans import KMeans, kmeans_plusplus
from hpa.algorithms.cluster.kmedians import KMedians
from hpa.algorithms.cluster.kmedoids import KMedoids
from hpa.algorithms.cluster.spectral import SpectralClustering

__all__ = [
    "BatchParallelKMeans",
    "BatchParallelKMedians",
    "DBSCAN",
    "KMeans",
    "KMedians",
    "KMedoids",
    "SpectralClustering",
    "kmeans_plusplus",
]
