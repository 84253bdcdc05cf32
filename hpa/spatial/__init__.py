"""``hpa.spatial``: pairwise distances and kernels (``cdist``, ``pdist``, ``rbf``) between rows of
distributed arrays; the functions live in ``hpa.ops.distances``.
"""

from __future__ import annotations

from hpa.ops import distances as _distances
from hpa.ops.distances import *

__all__ = list(_distances.__all__)
