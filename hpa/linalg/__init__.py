"""``hpa.linalg``: NumPy's ``numpy.linalg`` and the Array API ``linalg`` extension for
distributed arrays. The functions live in ``hpa.linalg.products``, ``hpa.linalg.norms``,
``hpa.linalg.factorizations`` and ``hpa.linalg.solvers``, HeAT's SVD variants (``hsvd_rank``,
``hsvd_rtol``, ``hsvd``, ``rsvd``, ``isvd``) in ``hpa.linalg.hierarchical_svd``,
``hpa.linalg.randomized`` and ``hpa.linalg.incremental_svd``; ``docs/linalg.md`` has the layout
table.
"""

from __future__ import annotations

from typing import Any

from hpa.core.array import Array
from hpa.ops import diagonals
from hpa.linalg.compositions import *
from hpa.linalg.elimination import *
from hpa.linalg.factorizations import *
from hpa.linalg.functions import *
from hpa.linalg.hierarchical_svd import *
from hpa.linalg.incremental_svd import *
from hpa.linalg.polar_decomposition import *
from hpa.linalg.positive_definite import *
from hpa.ops.manipulation import matrix_transpose
from hpa.linalg.norms import *
from hpa.linalg.products import *
from hpa.linalg.randomized import *
from hpa.linalg.solvers import *


def diagonal(x: Any, /, *, offset: int = 0) -> Array:
    """The ``offset`` diagonal of each matrix in the stack ``x`` (its last two axes), as the
    Array API's ``linalg.diagonal``; communicates what :func:`hpa.diagonal` does."""
    return diagonals.diagonal(x, offset, -2, -1)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Array:
    """Sum of the ``offset`` diagonal of each matrix in the stack ``x`` (its last two axes), as
    the Array API's ``linalg.trace``; communicates what :func:`hpa.trace` does."""
    return diagonals.trace(x, offset, -2, -1, dtype)
