"""Statistics: NaN-aware reductions, averages, differences and counts.

Placeholder module: filled in by the statistics work of the NumPy-breadth issue.
"""

from __future__ import annotations

__all__: list[str] = []
