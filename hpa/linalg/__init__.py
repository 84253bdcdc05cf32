"""``hpa.linalg``: NumPy's ``numpy.linalg`` (and the Array API ``linalg`` extension) for
distributed arrays. The functions live in ``hpa.ops.products``, ``hpa.ops.norms``,
``hpa.ops.factorizations`` and ``hpa.ops.solvers``; see ``docs/linalg.md`` for the layout table.
"""

from __future__ import annotations

from hpa.ops.factorizations import *
from hpa.ops.norms import *
from hpa.ops.products import *
from hpa.ops.solvers import *
