"""Exceptions hpa raises (all subclass the matching built-in so NumPy-style handlers work).

An error agreed over the ranks (:func:`hpa.core.exchange.agreed`) is rebuilt on the other
ranks from its class and message, and the classes here are kept as they are: each must be
importable on every rank and take its message as its only argument.
"""

from __future__ import annotations

__all__ = ["AxisError", "SplitError"]


class SplitError(ValueError):
    """A split axis or per-rank extents that do not fit the array."""


class AxisError(SplitError, IndexError):
    """An axis out of range for the array's dimensions (a ValueError and an IndexError, as
    NumPy's ``AxisError``; the Array API standard asks for IndexError, e.g. in ``expand_dims``).
    """
