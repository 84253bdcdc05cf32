"""Classifiers: Gaussian naive Bayes and k-nearest neighbours (and their sparse graph)."""

from __future__ import annotations

from hpa.algorithms.classification.naive_bayes import GaussianNB
from hpa.algorithms.classification.neighbors import KNeighborsClassifier, kneighbors_graph

__all__ = ["GaussianNB", "KNeighborsClassifier", "kneighbors_graph"]
