"""``hpa.random``: reproducible random numbers, the same global array at every process count.

:mod:`hpa.random.generation` holds the counter-based generator and the distributions (no
communication); :mod:`hpa.random.permutations` the permutations and sampling, which sort random
keys with the distributed sort.
"""

from __future__ import annotations

from hpa.random import generation as _generation
from hpa.random import permutations as _permutations
from hpa.random.generation import *
from hpa.random.permutations import *

__all__ = [*_generation.__all__, *_permutations.__all__]
