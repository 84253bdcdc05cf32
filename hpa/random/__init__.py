"""``hpa.random``: reproducible random numbers, the same global array at every process count.

:mod:`hpa.random.counter` holds the counter-based generator core (seed and call counter, the
words of each call, the filling of a block piece by piece), :mod:`hpa.random.generation` the
generator state functions and the basic distributions, :mod:`hpa.random.distributions` NumPy's
other distributions built from uniforms, exponentials and normals (and binomial),
:mod:`hpa.random.gamma_family` the gamma sampler and the distributions built on it (none of
these communicates), :mod:`hpa.random.generator` NumPy's ``Generator`` interface
(``default_rng``, ``RandomState``) on the same stream, :mod:`hpa.random.multivariate`
``multivariate_normal`` and ``bytes``, and :mod:`hpa.random.permutations` the permutations and
sampling, which sort random keys with the distributed sort. This package re-exports the public
functions of all but the core.
"""

from __future__ import annotations

from hpa.random import distributions as _distributions
from hpa.random import gamma_family as _gamma_family
from hpa.random import generation as _generation
from hpa.random import generator as _generator
from hpa.random import multivariate as _multivariate
from hpa.random import permutations as _permutations
from hpa.random.distributions import *
from hpa.random.gamma_family import *
from hpa.random.generation import *
from hpa.random.generator import *
from hpa.random.multivariate import *
from hpa.random.permutations import *

__all__ = [
    *_generation.__all__,
    *_distributions.__all__,
    *_gamma_family.__all__,
    *_generator.__all__,
    *_multivariate.__all__,
    *_permutations.__all__,
]
