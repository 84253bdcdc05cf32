"""``hpa.linalg``: NumPy's ``numpy.linalg`` and the Array API ``linalg`` extension for
distributed arrays. The functions live in ``hpa.ops.products``, ``hpa.ops.norms``,
``hpa.ops.factorizations`` and ``hpa.ops.solvers``; ``docs/linalg.md`` has the layout table.
"""

from __future__ import annotations

from typing import Any

from hpa.core.array import Array
from hpa.ops import diagonals
from hpa.ops.factorizations import *
from hpa.ops.manipulation import matrix_transpose
from hpa.ops.norms import *
from hpa.ops.products import *
from hpa.ops.solvers import *
from hpa.ops.standard import vecdot


def diagonal(x: Any, /, *, offset: int = 0) -> Array:
    """The ``offset`` diagonal of each matrix in the stack ``x`` (its last two axes), as the
    Array API's ``linalg.diagonal``; communicates what :func:`hpa.diagonal` does."""
    return diagonals.diagonal(x, offset, -2, -1)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Array:
    """Sum of the ``offset`` diagonal of each matrix in the stack ``x`` (its last two axes), as
    the Array API's ``linalg.trace``; communicates what :func:`hpa.trace` does."""
    return diagonals.trace(x, offset, -2, -1, dtype)
