"""Print options: ``set_printoptions``, ``get_printoptions`` and ``printoptions``.

hpa prints an array by gathering the entries it shows and formatting them with NumPy's
``array2string`` (see :meth:`hpa.Array.__str__`), so NumPy's print options are hpa's: these
functions are NumPy's, and ``precision``, ``threshold``, ``edgeitems``, ``linewidth``,
``suppress`` and the rest apply to hpa arrays alike. Nothing is communicated, but every rank
must set the same options (as every rank of a script does): the threshold decides which entries
the ranks gather to print.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

__all__ = ["get_printoptions", "printoptions", "set_printoptions"]


def set_printoptions(**options: Any) -> None:
    """Set NumPy's print options, which hpa's printing uses (``precision=4``, ...); the
    keywords are those of ``numpy.set_printoptions``. No communication."""
    np.set_printoptions(**options)


def get_printoptions() -> dict[str, Any]:
    """The current print options (``numpy.get_printoptions``). No communication."""
    return dict(np.get_printoptions())


@contextmanager
def printoptions(**options: Any) -> Iterator[dict[str, Any]]:
    """Set print options inside a ``with`` block and restore them after
    (``numpy.printoptions``). No communication."""
    with np.printoptions(**options) as current:
        yield dict(current)
