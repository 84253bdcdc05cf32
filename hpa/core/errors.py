"""Exceptions hpa raises (all subclass the matching built-in so NumPy-style handlers work)."""

from __future__ import annotations

__all__ = ["SplitError"]


class SplitError(ValueError):
    """A split axis or per-rank extents that do not fit the array."""
