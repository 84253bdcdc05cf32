"""Estimators with scikit-learn's interface on distributed hpa arrays.

``hpa.algorithms.cluster``, ``regression``, ``decomposition``, ``classification``,
``preprocessing``, ``model_selection`` and ``metrics``; the first five are also reachable as
``hpa.cluster`` and so on, as in HeAT. The estimators use only the public hpa array API.

The base classes and HeAT's helpers are here too: :class:`BaseEstimator`, the mixins (with
HeAT's names ``ClassificationMixin``, ``ClusteringMixin``, ``RegressionMixin`` and
``TransformMixin`` as aliases) and ``is_estimator``, ``is_classifier``, ``is_regressor``,
``is_clusterer``, ``is_transformer``.
"""

from __future__ import annotations

from hpa.algorithms import (
    classification,
    cluster,
    decomposition,
    metrics,
    model_selection,
    preprocessing,
    regression,
)
from hpa.algorithms.base import (
    BaseEstimator,
    ClassificationMixin,
    ClassifierMixin,
    ClusteringMixin,
    ClusterMixin,
    NotFittedError,
    RegressionMixin,
    RegressorMixin,
    TransformerMixin,
    TransformMixin,
    is_classifier,
    is_clusterer,
    is_estimator,
    is_regressor,
    is_transformer,
)

__all__ = [
    "BaseEstimator",
    "ClassificationMixin",
    "ClassifierMixin",
    "ClusterMixin",
    "ClusteringMixin",
    "NotFittedError",
    "RegressionMixin",
    "RegressorMixin",
    "TransformMixin",
    "TransformerMixin",
    "classification",
    "cluster",
    "decomposition",
    "is_classifier",
    "is_clusterer",
    "is_estimator",
    "is_regressor",
    "is_transformer",
    "metrics",
    "model_selection",
    "preprocessing",
    "regression",
]
