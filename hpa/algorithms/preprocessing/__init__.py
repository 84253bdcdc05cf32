"""Preprocessing: ``StandardScaler``, ``MinMaxScaler``, ``MaxAbsScaler``, ``RobustScaler`` and
``Normalizer`` (scikit-learn's interface on row-split hpa arrays)."""

from __future__ import annotations

from hpa.algorithms.preprocessing.max_abs import MaxAbsScaler
from hpa.algorithms.preprocessing.normalizer import Normalizer
from hpa.algorithms.preprocessing.scalers import MinMaxScaler, RobustScaler, StandardScaler

__all__ = ["MaxAbsScaler", "MinMaxScaler", "Normalizer", "RobustScaler", "StandardScaler"]
