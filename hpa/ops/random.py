"""Reproducible random numbers (``hpa.random``): values depend on the seed and the global index.

Placeholder module: filled in by the random-numbers work of the NumPy-breadth issue.
"""

from __future__ import annotations

__all__: list[str] = []
