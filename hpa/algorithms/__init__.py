"""Estimators with scikit-learn's interface on distributed hpa arrays.

``hpa.algorithms.cluster``, ``regression``, ``decomposition``, ``classification``,
``preprocessing``, ``model_selection`` and ``metrics``; the first five are also reachable as
``hpa.cluster`` and so on, as in HeAT. The estimators use only the public hpa array API.
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
from hpa.algorithms.base import NotFittedError

__all__ = [
    "NotFittedError",
    "classification",
    "cluster",
    "decomposition",
    "metrics",
    "model_selection",
    "preprocessing",
    "regression",
]
