"""Classifiers: Gaussian naive Bayes and k-nearest neighbours."""

from __future__ import annotations

from hpa.algorithms.classification.naive_bayes import GaussianNB
from hpa.algorithms.classification.neighbors import KNeighborsClassifier

__all__ = ["GaussianNB", "KNeighborsClassifier"]
