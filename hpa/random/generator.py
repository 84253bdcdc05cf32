"""NumPy's ``Generator`` interface on hpa's counter-based stream: ``hpa.random.default_rng``.

A :class:`Generator` owns a seed and a call counter, the two numbers of the module-level
generator's state, and runs each method on them: ``default_rng(s).random(n)`` gives exactly the
array ``hpa.random.seed(s); hpa.random.random(n)`` gives, at every process count and for every
``split``, and leaves the module-level generator where it was. Like the rest of
:mod:`hpa.random`, **nothing here communicates**: all ranks call the methods in the same order,
so their counters stay equal.

``default_rng()`` without a seed cannot ask the operating system for entropy (the ranks would
have to agree on it by communicating); it draws its seed from the module-level generator
instead, which advances that generator by one call.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.random import distributions, gamma_family, generation, multivariate, permutations
from hpa.random.counter import MASK, Size, State, next_key

__all__ = ["Generator", "RandomState", "default_rng"]


class Generator:
    """A random generator with NumPy's ``Generator`` methods (``numpy.random.Generator``).

    Every method also takes hpa's ``split``, ``device`` and ``comm`` keywords, where it creates
    an array. Two generators with the same seed give the same numbers.

    Parameters
    ----------
    seed : int
        A non-negative integer below ``2**64``, the same on every rank.
    """

    def __init__(self, seed: int) -> None:
        if isinstance(seed, bool) or not hasattr(type(seed), "__index__"):
            raise TypeError(f"seed must be an integer, got {seed!r}")
        value = operator.index(seed)
        if not 0 <= value <= MASK:
            raise ValueError(f"seed must be between 0 and 2**64 - 1, got {value}")
        self._seed = value
        self._counter = 0

    def __repr__(self) -> str:
        return f"Generator(hpa-splitmix64, seed={self._seed}, calls={self._counter})"

    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``fn(*args, **kwargs)`` drawn from this generator's stream, not the module's."""
        saved = State.seed, State.counter
        State.seed, State.counter = self._seed, self._counter
        try:
            return fn(*args, **kwargs)
        finally:
            self._counter = State.counter
            State.seed, State.counter = saved

    def random(
        self,
        size: Size = None,
        dtype: Any = dtypes.float64,
        out: Array | None = None,
        **where: Any,
    ) -> Array:
        """Uniform floats in ``[0, 1)`` (float32 or float64); ``out`` receives them if given."""
        return _into(self._run(generation.random, size, dtype, **where), out)

    def integers(
        self,
        low: int,
        high: int | None = None,
        size: Size = None,
        dtype: Any = dtypes.int64,
        endpoint: bool = False,
        **where: Any,
    ) -> Array:
        """Uniform integers in ``[low, high)`` (``[low, high]`` with ``endpoint``); with one
        bound, in ``[0, low)``."""
        if high is None:
            low, high = 0, low
        if endpoint:
            high += 1
        return self._run(generation.randint, low, high, size, dtype, **where)

    def uniform(
        self, low: float = 0.0, high: float = 1.0, size: Size = None, **where: Any
    ) -> Array:
        """Uniform floats in ``[low, high)``."""
        return self._run(generation.uniform, low, high, size, **where)

    def normal(self, loc: float = 0.0, scale: float = 1.0, size: Size = None, **where: Any) -> Array:
        """Normal samples of mean ``loc`` and standard deviation ``scale``."""
        return self._run(generation.normal, loc, scale, size, **where)

    def standard_normal(
        self, size: Size = None, dtype: Any = dtypes.float64, **where: Any
    ) -> Array:
        """Standard normal samples (float32 or float64)."""
        return self._run(generation.standard_normal, size, dtype, **where)

    def exponential(self, scale: float = 1.0, size: Size = None, **where: Any) -> Array:
        """Exponential samples of mean ``scale``."""
        return self._run(generation.exponential, scale, size, **where)

    def poisson(self, lam: float = 1.0, size: Size = None, **where: Any) -> Array:
        """Poisson samples of rate ``lam``."""
        return self._run(generation.poisson, lam, size, **where)

    def standard_exponential(
        self,
        size: Size = None,
        dtype: Any = dtypes.float64,
        method: str = "zig",
        out: Array | None = None,
        **where: Any,
    ) -> Array:
        """Standard exponential samples, as :func:`hpa.random.standard_exponential`; no
        communication. ``method`` is accepted and ignored (hpa has one method: inversion);
        ``out`` receives the values if given."""
        return _into(self._run(distributions.standard_exponential, size, dtype, **where), out)

    def laplace(
        self, loc: float = 0.0, scale: float = 1.0, size: Size = None, **where: Any
    ) -> Array:
        """Laplace samples, as :func:`hpa.random.laplace`; no communication."""
        return self._run(distributions.laplace, loc, scale, size, **where)

    def logistic(
        self, loc: float = 0.0, scale: float = 1.0, size: Size = None, **where: Any
    ) -> Array:
        """Logistic samples, as :func:`hpa.random.logistic`; no communication."""
        return self._run(distributions.logistic, loc, scale, size, **where)

    def gumbel(
        self, loc: float = 0.0, scale: float = 1.0, size: Size = None, **where: Any
    ) -> Array:
        """Gumbel samples, as :func:`hpa.random.gumbel`; no communication."""
        return self._run(distributions.gumbel, loc, scale, size, **where)

    def lognormal(
        self, mean: float = 0.0, sigma: float = 1.0, size: Size = None, **where: Any
    ) -> Array:
        """Log-normal samples, as :func:`hpa.random.lognormal`; no communication."""
        return self._run(distributions.lognormal, mean, sigma, size, **where)

    def rayleigh(self, scale: float = 1.0, size: Size = None, **where: Any) -> Array:
        """Rayleigh samples, as :func:`hpa.random.rayleigh`; no communication."""
        return self._run(distributions.rayleigh, scale, size, **where)

    def weibull(self, a: float, size: Size = None, **where: Any) -> Array:
        """Weibull samples, as :func:`hpa.random.weibull`; no communication."""
        return self._run(distributions.weibull, a, size, **where)

    def pareto(self, a: float, size: Size = None, **where: Any) -> Array:
        """Pareto II (Lomax) samples, as :func:`hpa.random.pareto`; no communication."""
        return self._run(distributions.pareto, a, size, **where)

    def power(self, a: float, size: Size = None, **where: Any) -> Array:
        """Power-distribution samples, as :func:`hpa.random.power`; no communication."""
        return self._run(distributions.power, a, size, **where)

    def standard_cauchy(self, size: Size = None, **where: Any) -> Array:
        """Standard Cauchy samples, as :func:`hpa.random.standard_cauchy`; no communication."""
        return self._run(distributions.standard_cauchy, size, **where)

    def triangular(
        self, left: float, mode: float, right: float, size: Size = None, **where: Any
    ) -> Array:
        """Triangular samples, as :func:`hpa.random.triangular`; no communication."""
        return self._run(distributions.triangular, left, mode, right, size, **where)

    def wald(self, mean: float, scale: float, size: Size = None, **where: Any) -> Array:
        """Wald (inverse Gaussian) samples, as :func:`hpa.random.wald`; no communication."""
        return self._run(distributions.wald, mean, scale, size, **where)

    def geometric(self, p: float, size: Size = None, **where: Any) -> Array:
        """Geometric int64 samples, as :func:`hpa.random.geometric`; no communication."""
        return self._run(distributions.geometric, p, size, **where)

    def binomial(self, n: int, p: float, size: Size = None, **where: Any) -> Array:
        """Binomial int64 samples, as :func:`hpa.random.binomial`; no communication."""
        return self._run(distributions.binomial, n, p, size, **where)

    def standard_gamma(
        self,
        shape: float,
        size: Size = None,
        dtype: Any = dtypes.float64,
        out: Array | None = None,
        **where: Any,
    ) -> Array:
        """Standard gamma samples, as :func:`hpa.random.standard_gamma`; no communication.
        ``out`` receives the values if given."""
        return _into(self._run(gamma_family.standard_gamma, shape, size, dtype, **where), out)

    def gamma(self, shape: float, scale: float = 1.0, size: Size = None, **where: Any) -> Array:
        """Gamma samples, as :func:`hpa.random.gamma`; no communication."""
        return self._run(gamma_family.gamma, shape, scale, size, **where)

    def chisquare(self, df: float, size: Size = None, **where: Any) -> Array:
        """Chi-square samples, as :func:`hpa.random.chisquare`; no communication."""
        return self._run(gamma_family.chisquare, df, size, **where)

    def beta(self, a: float, b: float, size: Size = None, **where: Any) -> Array:
        """Beta samples, as :func:`hpa.random.beta`; no communication."""
        return self._run(gamma_family.beta, a, b, size, **where)

    def f(self, dfnum: float, dfden: float, size: Size = None, **where: Any) -> Array:
        """F samples, as :func:`hpa.random.f`; no communication."""
        return self._run(gamma_family.f, dfnum, dfden, size, **where)

    def standard_t(self, df: float, size: Size = None, **where: Any) -> Array:
        """Student's t samples, as :func:`hpa.random.standard_t`; no communication."""
        return self._run(gamma_family.standard_t, df, size, **where)

    def dirichlet(self, alpha: Any, size: Size = None, **where: Any) -> Array:
        """Dirichlet samples, as :func:`hpa.random.dirichlet`; no communication."""
        return self._run(gamma_family.dirichlet, alpha, size, **where)

    def negative_binomial(self, n: float, p: float, size: Size = None, **where: Any) -> Array:
        """Negative binomial int64 samples, as :func:`hpa.random.negative_binomial`; no
        communication."""
        return self._run(gamma_family.negative_binomial, n, p, size, **where)

    def choice(
        self,
        a: Any,
        size: Size = None,
        replace: bool = True,
        p: Any = None,
        split: int | None = None,
        device: Any = None,
        comm: Communicator | None = None,
    ) -> Array:
        """Samples from ``a`` (an integer ``n`` stands for ``arange(n)``), as
        :func:`hpa.random.choice`; its sort communicates when the result is split."""
        return self._run(permutations.choice, a, size, replace, p, split, device, comm)

    def permutation(
        self,
        x: Any,
        split: int | None = None,
        device: Any = None,
        comm: Communicator | None = None,
    ) -> Array:
        """A permuted ``arange(x)`` or a permuted copy of ``x`` along its first axis, as
        :func:`hpa.random.permutation`."""
        return self._run(permutations.permutation, x, split, device, comm)

    def shuffle(self, x: Array) -> None:
        """Permute ``x`` in place along its first axis, as :func:`hpa.random.shuffle`."""
        self._run(permutations.shuffle, x)

    def spawn(self, n_children: int) -> list[Generator]:
        """``n_children`` independent generators whose seeds this generator draws."""
        return [Generator(self._run(next_key)) for _ in range(operator.index(n_children))]

    def permuted(self, x: Any, *, axis: int | None = None, out: Array | None = None) -> Array:
        """``x`` with every slice along ``axis`` shuffled independently (``None``: the
        flattened array); see :func:`hpa.random.multivariate.permuted`."""
        return _into(self._run(multivariate.permuted, x, axis), out)

    def multivariate_normal(
        self, mean: Any, cov: Any, size: Size = None, check_valid: str = "warn",
        tol: float = 1e-8, *, method: str = "svd", **where: Any,
    ) -> Array:  # fmt: skip
        """Normal vectors of mean ``mean`` and covariance ``cov``, as
        :func:`hpa.random.multivariate_normal`."""
        return self._run(
            multivariate.multivariate_normal, mean, cov, size, check_valid, tol, method=method,
            **where,
        )

    def bytes(self, length: int) -> bytes:
        """``length`` random bytes, the same on every rank (:func:`hpa.random.bytes`)."""
        return self._run(multivariate.bytes, length)


class RandomState(Generator):
    """NumPy's legacy ``RandomState`` interface on hpa's stream: ``rand``, ``randn``,
    ``randint``, ``random_sample``, ``seed``, ``get_state``/``set_state`` besides the
    :class:`Generator` methods. ``RandomState(s)`` draws what ``hpa.random.seed(s)`` followed
    by the module's functions would; without a seed it takes one from the module-level
    generator, as :func:`default_rng` does. No communication.
    """

    def __init__(self, seed: int | None = None) -> None:
        super().__init__(next_key() if seed is None else seed)

    def __repr__(self) -> str:
        return f"RandomState(hpa-splitmix64, seed={self._seed}, calls={self._counter})"

    def seed(self, seed: int | None = None) -> None:
        """Restart the stream from ``seed`` (from the module-level generator when None)."""
        self.__init__(seed)  # type: ignore[misc]

    def get_state(self) -> tuple[str, int, int]:
        """``(name, seed, calls)``, which :meth:`set_state` restores."""
        return ("hpa-splitmix64", self._seed, self._counter)

    def set_state(self, state: tuple[str, int, int]) -> None:
        """Restore a state from :meth:`get_state`."""
        name, seed, calls = state
        if name != "hpa-splitmix64" or calls < 0:
            raise ValueError(f"not a state of this generator: {state!r}")
        self._seed, self._counter = Generator(seed)._seed, operator.index(calls)

    def rand(self, *shape: int, **where: Any) -> Array:
        """Uniform floats in ``[0, 1)`` of shape ``shape`` (legacy ``rand``)."""
        return self.random(shape, **where)

    def randn(self, *shape: int, **where: Any) -> Array:
        """Standard normal floats of shape ``shape`` (legacy ``randn``)."""
        return self.standard_normal(shape, **where)

    def random_sample(self, size: Size = None, **where: Any) -> Array:
        """Uniform floats in ``[0, 1)`` (legacy ``random_sample``)."""
        return self.random(size, **where)

    def randint(
        self, low: int, high: int | None = None, size: Size = None, dtype: Any = dtypes.int64,
        **where: Any,
    ) -> Array:  # fmt: skip
        """Uniform integers in ``[low, high)`` (``[0, low)`` with one bound), legacy
        ``randint``."""
        return self.integers(low, high, size, dtype, **where)


def _into(values: Array, out: Array | None) -> Array:
    """``values``, or ``out`` filled with them (NumPy's ``out=`` argument)."""
    if out is None:
        return values
    out[...] = values
    return out


def default_rng(seed: Any = None) -> Generator:
    """A :class:`Generator` (NumPy's ``numpy.random.default_rng``); no communication.

    Parameters
    ----------
    seed : int, Generator or None
        An integer seeds a new generator; a :class:`Generator` is returned as it is; ``None``
        takes the seed from the module-level generator (advancing it by one call), so every rank
        gets the same one without communicating.

    Raises
    ------
    TypeError
        If ``seed`` is none of these (a NumPy ``SeedSequence`` or ``BitGenerator`` cannot give
        every rank the same stream of hpa's generator).
    """
    if isinstance(seed, Generator):
        return seed
    if seed is None:
        return Generator(next_key())
    if isinstance(seed, bool) or not hasattr(type(seed), "__index__"):
        raise TypeError(
            f"default_rng takes an integer seed, an hpa Generator or None, got {seed!r}"
        )
    return Generator(seed)
