"""Placeholder module: filled in by the NumPy-breadth issue."""

from __future__ import annotations

__all__: list[str] = []
