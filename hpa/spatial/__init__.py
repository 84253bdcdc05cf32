"""``hpa.spatial``: pairwise distances and kernels (``cdist``, ``pdist``, ``rbf``) between rows of
distributed arrays; the functions live in :mod:`hpa.spatial.distances`.
"""

from __future__ import annotations

from hpa.spatial import distances as _distances
from hpa.spatial.distances import *

__all__ = list(_distances.__all__)
