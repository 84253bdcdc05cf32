"""Exceptions hpa raises (all subclass the matching built-in so NumPy-style handlers work)."""

from __future__ import annotations

__all__ = ["AxisError", "SplitError"]


class SplitError(ValueError):
    """A split axis or per-rank extents that do not fit the array."""


class AxisError(SplitError, IndexError):
    """An axis out of range for the array's dimensions (a ValueError and an IndexError, as
    NumPy's ``AxisError``; the Array API standard asks for IndexError, e.g. in ``expand_dims``).
    """
