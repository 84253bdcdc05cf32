"""``hpa.random``: reproducible random numbers, the same global array at every process count.

:mod:`hpa.random.counter` holds the counter-based generator core (seed and call counter, the
words of each call, the filling of a block piece by piece), :mod:`hpa.random.generation` the
generator state functions and the distributions (no communication), and
:mod:`hpa.random.permutations` the permutations and sampling, which sort random keys with the
distributed sort. This package re-exports the public functions of the last two.
"""

from __future__ import annotations

from hpa.random import generation as _generation
from hpa.random import permutations as _permutations
from hpa.random.generation import *
from hpa.random.permutations import *

__all__ = [*_generation.__all__, *_permutations.__all__]
