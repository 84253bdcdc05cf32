"""NumPy's other distributions (hpa.random.distributions, hpa.random.gamma_family).

Every value is a function of (seed, call counter, global index), so the array generated with
``split=None`` is the reference for every split and every process count, and no call
communicates. Distributions are checked against SciPy on gathered arrays drawn with fixed
seeds (Kolmogorov-Smirnov with a loose threshold, pmf frequencies within a few standard
errors), so every rank reaches the same verdict and no test depends on chance from run to run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import scipy.stats as st
import torch
from helpers import assert_array, case_id, cases, raised_everywhere

import hpa

R = hpa.random
N = 20_000
KS_MIN_P = 1e-3

SHAPES = [(0,), (1,), (2,), (7,), (3, 5), (5, 1), (0, 3), (2, 3, 4)]
# pieces of the block: one long row cut in several, many short rows per piece, rows cut in two
LARGE = [((70_000,), 0), ((3, 40_000), 1), ((40_000, 3), 1)]

Make = Callable[..., hpa.Array]

# name -> (generator taking size and keywords, exact: values bit-identical across splits)
GENERATORS: dict[str, tuple[Make, bool]] = {
    "standard_exponential": (lambda size, **kw: R.standard_exponential(size, **kw), False),
    "laplace": (lambda size, **kw: R.laplace(1.0, 2.0, size, **kw), False),
    "logistic": (lambda size, **kw: R.logistic(-1.0, 0.5, size, **kw), False),
    "gumbel": (lambda size, **kw: R.gumbel(0.5, 2.0, size, **kw), False),
    "lognormal": (lambda size, **kw: R.lognormal(0.3, 0.8, size, **kw), False),
    "rayleigh": (lambda size, **kw: R.rayleigh(1.5, size, **kw), False),
    "weibull": (lambda size, **kw: R.weibull(1.7, size, **kw), False),
    "pareto": (lambda size, **kw: R.pareto(2.5, size, **kw), False),
    "power": (lambda size, **kw: R.power(0.6, size, **kw), False),
    "standard_cauchy": (lambda size, **kw: R.standard_cauchy(size, **kw), False),
    "triangular": (lambda size, **kw: R.triangular(-1.0, 0.5, 3.0, size, **kw), False),
    "wald": (lambda size, **kw: R.wald(2.0, 3.0, size, **kw), False),
    "standard_gamma": (lambda size, **kw: R.standard_gamma(2.5, size, **kw), False),
    "standard_gamma-small": (lambda size, **kw: R.standard_gamma(0.3, size, **kw), False),
    "gamma": (lambda size, **kw: R.gamma(4.0, 0.5, size, **kw), False),
    "chisquare": (lambda size, **kw: R.chisquare(3.0, size, **kw), False),
    "beta": (lambda size, **kw: R.beta(0.5, 2.0, size, **kw), False),
    "f": (lambda size, **kw: R.f(4.0, 7.0, size, **kw), False),
    "standard_t": (lambda size, **kw: R.standard_t(3.0, size, **kw), False),
    "geometric": (lambda size, **kw: R.geometric(0.3, size, **kw), True),
    "binomial": (lambda size, **kw: R.binomial(20, 0.3, size, **kw), True),
    "binomial-large": (lambda size, **kw: R.binomial(10**9, 0.4, size, **kw), True),
    "negative_binomial": (lambda size, **kw: R.negative_binomial(2.5, 0.3, size, **kw), True),
}
FLOAT_NAMES = [n for n, (_, exact) in GENERATORS.items() if not exact]


def generate_everywhere(
    make: Make, shape: tuple[int, ...], splits: list[int | None], **kw: Any
) -> list[np.ndarray]:
    """The same call (same state) once per split, gathered; asserts that none communicates."""
    state = R.get_state()
    out = []
    for split in splits:
        R.set_state(state)
        with hpa.count_collectives() as stats:
            x = make(shape, split=split, **kw)
        assert stats.total == 0, f"split={split}: {stats}"
        assert x.split == (None if split is None else split % x.ndim)
        assert tuple(x.larray.shape) == x.lshape
        assert R.get_state()[2] == state[2] + 1, "one call advances the counter by one"
        out.append(x.numpy())
    return out


def assert_same(arrays: list[np.ndarray], exact: bool) -> None:
    for got in arrays[1:]:
        assert got.dtype == arrays[0].dtype and got.shape == arrays[0].shape
        if exact:
            np.testing.assert_array_equal(got, arrays[0])
        else:  # log/exp/sin/cos may differ in the last bit between vector and scalar code
            np.testing.assert_allclose(got, arrays[0], rtol=1e-13, atol=1e-15)


# ------------------------------------------------------------------ reproducibility by index
@pytest.mark.parametrize("name", list(GENERATORS))
@pytest.mark.parametrize("case", list(cases(SHAPES)), ids=case_id)
def test_every_split_gives_the_replicated_array(
    name: str, case: tuple[tuple[int, ...], int | None]
) -> None:
    shape, split = case
    make, exact = GENERATORS[name]
    R.seed(1234)
    arrays = generate_everywhere(make, shape, [None, split])
    assert arrays[0].shape == shape
    assert arrays[0].dtype == (np.int64 if exact else np.float64)
    assert_same(arrays, exact)


@pytest.mark.parametrize(
    "name", ["wald", "standard_gamma-small", "beta", "binomial", "negative_binomial"]
)
@pytest.mark.parametrize("case", LARGE, ids=case_id)
def test_large_blocks_cut_in_pieces(name: str, case: tuple[tuple[int, ...], int]) -> None:
    shape, split = case
    make, exact = GENERATORS[name]
    R.seed(99)
    assert_same(generate_everywhere(make, shape, [None, 0, split]), exact)


@pytest.mark.parametrize(
    "size,split",
    [(None, None), (0, 0), (1, 0), (7, 0), ((3, 5), 0), ((3, 5), 1), ((2, 3, 4), -2),
     ((30_000,), 0)],
)  # fmt: skip
def test_dirichlet_every_split_gives_the_replicated_array(size: Any, split: int | None) -> None:
    alpha = [0.3, 1.0, 2.5]

    def make(shape: Any, **kw: Any) -> hpa.Array:
        return R.dirichlet(alpha, shape, **kw)

    R.seed(5)
    ref, got = generate_everywhere(make, size, [None, split])
    samples = () if size is None else (size,) if isinstance(size, int) else size
    assert ref.shape == (*samples, 3)
    assert_same([ref, got], exact=False)
    np.testing.assert_allclose(ref.sum(axis=-1), 1.0, rtol=1e-14)
    assert ref.size == 0 or ref.min() >= 0.0


def test_the_stream_is_the_global_index() -> None:
    """Known relations at one generator state: the transforms of the same words."""
    state = R.get_state()
    normal = R.normal(0.3, 0.8, (4, 5), split=1).numpy()
    R.set_state(state)
    np.testing.assert_allclose(R.lognormal(0.3, 0.8, (4, 5), split=0).numpy(), np.exp(normal))
    R.set_state(state)
    exponential = R.exponential(1.0, 50, split=0).numpy()
    R.set_state(state)
    np.testing.assert_array_equal(R.standard_exponential(50, split=0).numpy(), exponential)
    R.set_state(state)
    np.testing.assert_array_equal(R.weibull(1.0, 50, split=0).numpy(), exponential)
    R.set_state(state)
    np.testing.assert_allclose(R.rayleigh(2.0, 50).numpy(), 2.0 * np.sqrt(2 * exponential))
    R.set_state(state)
    uniform = R.random(50).numpy()
    R.set_state(state)
    np.testing.assert_allclose(R.power(0.5, 50, split=0).numpy(), uniform**2, rtol=1e-15)


# ------------------------------------------------------------------------ dtypes, Generator
@pytest.mark.parametrize("name", FLOAT_NAMES)
def test_float32_is_the_float64_values_rounded(name: str) -> None:
    make, _ = GENERATORS[name]
    R.seed(8)
    state = R.get_state()
    x64 = make((6, 5), split=1)
    R.set_state(state)
    x32 = make((6, 5), split=1, dtype=hpa.float32)
    assert x64.dtype == hpa.float64 and x32.dtype == hpa.float32
    np.testing.assert_array_equal(x32.numpy(), x64.numpy().astype(np.float32))
    R.set_state(state)
    assert_same(generate_everywhere(make, (6, 5), [None, 0], dtype=hpa.float32), exact=False)


def test_dirichlet_dtype() -> None:
    R.seed(9)
    x = R.dirichlet([1.0, 2.0], (4, 3), dtype=hpa.float32, split=0)
    assert x.dtype == hpa.float32 and x.shape == (4, 3, 2)


GENERATOR_CALLS: list[tuple[str, tuple[Any, ...], Callable[..., hpa.Array], tuple[Any, ...]]] = [
    ("standard_exponential", (7, hpa.float32, "inv"), R.standard_exponential, (7, hpa.float32)),
    ("laplace", (1.0, 2.0, 7), R.laplace, (1.0, 2.0, 7)),
    ("logistic", (1.0, 2.0, 7), R.logistic, (1.0, 2.0, 7)),
    ("gumbel", (1.0, 2.0, 7), R.gumbel, (1.0, 2.0, 7)),
    ("lognormal", (1.0, 0.5, 7), R.lognormal, (1.0, 0.5, 7)),
    ("rayleigh", (2.0, 7), R.rayleigh, (2.0, 7)),
    ("weibull", (2.0, 7), R.weibull, (2.0, 7)),
    ("pareto", (2.0, 7), R.pareto, (2.0, 7)),
    ("power", (2.0, 7), R.power, (2.0, 7)),
    ("standard_cauchy", (7,), R.standard_cauchy, (7,)),
    ("triangular", (0.0, 1.0, 4.0, 7), R.triangular, (0.0, 1.0, 4.0, 7)),
    ("wald", (1.0, 2.0, 7), R.wald, (1.0, 2.0, 7)),
    ("geometric", (0.2, 7), R.geometric, (0.2, 7)),
    ("binomial", (30, 0.2, 7), R.binomial, (30, 0.2, 7)),
    ("standard_gamma", (0.7, 7, hpa.float32), R.standard_gamma, (0.7, 7, hpa.float32)),
    ("gamma", (2.0, 3.0, 7), R.gamma, (2.0, 3.0, 7)),
    ("chisquare", (2.0, 7), R.chisquare, (2.0, 7)),
    ("beta", (2.0, 3.0, 7), R.beta, (2.0, 3.0, 7)),
    ("f", (2.0, 3.0, 7), R.f, (2.0, 3.0, 7)),
    ("standard_t", (2.0, 7), R.standard_t, (2.0, 7)),
    ("dirichlet", ([1.0, 2.0], 7), R.dirichlet, ([1.0, 2.0], 7)),
    ("negative_binomial", (3.0, 0.4, 7), R.negative_binomial, (3.0, 0.4, 7)),
]


@pytest.mark.parametrize(
    "method,args,function,fargs", GENERATOR_CALLS, ids=[c[0] for c in GENERATOR_CALLS]
)
def test_generator_methods_are_the_module_functions(
    method: str, args: tuple[Any, ...], function: Callable[..., hpa.Array], fargs: tuple[Any, ...]
) -> None:
    R.seed(3)
    before = R.get_state()
    rng = R.default_rng(21)
    first = getattr(rng, method)(*args, split=0)
    second = getattr(rng, method)(*args)
    assert R.get_state() == before, "a Generator leaves the module-level stream alone"
    R.seed(21)
    assert_array(first, function(*fargs, split=0).numpy(), rtol=0)
    assert_array(second, function(*fargs).numpy(), rtol=0)


def test_generator_out_arguments() -> None:
    rng = R.default_rng(4)
    out = hpa.zeros((3, 4), split=1)
    assert rng.standard_gamma(2.0, (3, 4), out=out) is out
    assert rng.standard_exponential((3, 4), out=out, method="zig") is out
    R.seed(4)
    R.standard_gamma(2.0, (3, 4))
    assert_array(out, R.standard_exponential((3, 4)).numpy(), rtol=0)


# ------------------------------------------------------------------------------ statistics
CONTINUOUS: list[tuple[str, Make, Any]] = [
    ("standard_exponential", lambda n: R.standard_exponential(n, split=0), st.expon()),
    ("laplace", lambda n: R.laplace(1.0, 2.0, n, split=0), st.laplace(1.0, 2.0)),
    ("logistic", lambda n: R.logistic(1.0, 2.0, n, split=0), st.logistic(1.0, 2.0)),
    ("gumbel", lambda n: R.gumbel(1.0, 2.0, n, split=0), st.gumbel_r(1.0, 2.0)),
    ("lognormal", lambda n: R.lognormal(0.5, 0.7, n, split=0), st.lognorm(0.7, scale=np.exp(0.5))),
    ("rayleigh", lambda n: R.rayleigh(2.0, n, split=0), st.rayleigh(scale=2.0)),
    ("weibull", lambda n: R.weibull(1.5, n, split=0), st.weibull_min(1.5)),
    ("pareto", lambda n: R.pareto(3.0, n, split=0), st.lomax(3.0)),
    ("power", lambda n: R.power(2.5, n, split=0), st.powerlaw(2.5)),
    ("standard_cauchy", lambda n: R.standard_cauchy(n, split=0), st.cauchy()),
    ("triangular", lambda n: R.triangular(-1.0, 0.5, 3.0, n, split=0), st.triang(0.375, -1, 4)),
    ("triangular-left", lambda n: R.triangular(0.0, 0.0, 2.0, n, split=0), st.triang(0.0, 0, 2)),
    ("wald", lambda n: R.wald(2.0, 3.0, n, split=0), st.invgauss(2.0 / 3.0, scale=3.0)),
    ("wald-wide", lambda n: R.wald(100.0, 0.5, n, split=0), st.invgauss(200.0, scale=0.5)),
    ("standard_gamma-0.01", lambda n: R.standard_gamma(0.01, n, split=0), st.gamma(0.01)),
    ("standard_gamma-0.3", lambda n: R.standard_gamma(0.3, n, split=0), st.gamma(0.3)),
    ("standard_gamma-1", lambda n: R.standard_gamma(1.0, n, split=0), st.gamma(1.0)),
    ("gamma-5", lambda n: R.gamma(5.0, 2.0, n, split=0), st.gamma(5.0, scale=2.0)),
    ("gamma-1e4", lambda n: R.gamma(1e4, 1e-4, n, split=0), st.gamma(1e4, scale=1e-4)),
    ("chisquare", lambda n: R.chisquare(3.0, n, split=0), st.chi2(3.0)),
    ("chisquare-0.5", lambda n: R.chisquare(0.5, n, split=0), st.chi2(0.5)),
    ("beta", lambda n: R.beta(0.5, 2.0, n, split=0), st.beta(0.5, 2.0)),
    ("beta-small", lambda n: R.beta(0.2, 0.3, n, split=0), st.beta(0.2, 0.3)),
    ("f", lambda n: R.f(4.0, 7.0, n, split=0), st.f(4.0, 7.0)),
    ("f-small", lambda n: R.f(0.7, 1.5, n, split=0), st.f(0.7, 1.5)),
    ("standard_t", lambda n: R.standard_t(3.0, n, split=0), st.t(3.0)),
    ("standard_t-0.5", lambda n: R.standard_t(0.5, n, split=0), st.t(0.5)),
]


@pytest.mark.parametrize("name,make,dist", CONTINUOUS, ids=[c[0] for c in CONTINUOUS])
def test_continuous_distributions_match_scipy(name: str, make: Make, dist: Any) -> None:
    R.seed(31)
    x = make(N).numpy()
    assert np.all(np.isfinite(x))
    assert st.kstest(x, dist.cdf).pvalue > KS_MIN_P


def test_dirichlet_marginals_are_beta() -> None:
    alpha = np.array([0.5, 1.0, 2.0, 0.05])
    R.seed(32)
    x = R.dirichlet(alpha, (N // 100, 100), split=1).numpy().reshape(-1, 4)
    total = alpha.sum()
    for j in range(3):
        assert st.kstest(x[:, j], st.beta(alpha[j], total - alpha[j]).cdf).pvalue > KS_MIN_P
    means = x.mean(axis=0)
    sd = np.sqrt(alpha * (total - alpha) / (total**2 * (total + 1)) / len(x))
    assert np.all(np.abs(means - alpha / total) < 5 * sd)
    np.testing.assert_allclose(x.sum(axis=1), 1.0, rtol=1e-14)


def test_dirichlet_zero_concentrations() -> None:
    R.seed(33)
    x = R.dirichlet([0.0, 2.0, 0.0, 1.0], 50, split=0).numpy()
    assert np.all(x[:, [0, 2]] == 0) and np.all(x[:, [1, 3]] > 0)
    np.testing.assert_allclose(x.sum(axis=1), 1.0, rtol=1e-14)
    assert_array(R.dirichlet([0.0, 0.0], 3, split=0), np.zeros((3, 2)))
    assert R.dirichlet([], (4,)).shape == (4, 0)


def frequencies_match(x: np.ndarray, pmf: Callable[[np.ndarray], np.ndarray], ks: Any) -> None:
    """The frequency of each value ``k`` is within 5 standard errors of ``pmf(k)``."""
    ks = np.asarray(ks)
    p = pmf(ks)
    freq = np.array([np.mean(x == k) for k in ks])
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / len(x)) + 1e-12), (freq, p)


def mean_and_variance_match(x: np.ndarray, dist: Any) -> None:
    mean, var = dist.mean(), dist.var()
    assert abs(x.mean() - mean) < 5 * np.sqrt(var / len(x))
    # the sample variance's spread, from the excess kurtosis, plus the square of the mean's
    # error (which dominates for a fair coin, whose kurtosis term vanishes)
    kurt = dist.stats(moments="k")
    assert abs(x.var() / var - 1) < 5 * np.sqrt((kurt + 2) / len(x)) + 25 / len(x)


DISCRETE: list[tuple[str, Make, Any, Any]] = [
    ("geometric", lambda n: R.geometric(0.3, n, split=0), st.geom(0.3), range(1, 12)),
    ("geometric-0.9", lambda n: R.geometric(0.9, n, split=0), st.geom(0.9), range(1, 4)),
    ("geometric-1e-3", lambda n: R.geometric(1e-3, n, split=0), st.geom(1e-3), range(1, 4)),
    ("binomial-1", lambda n: R.binomial(1, 0.5, n, split=0), st.binom(1, 0.5), range(2)),
    ("binomial", lambda n: R.binomial(20, 0.3, n, split=0), st.binom(20, 0.3), range(21)),
    ("binomial-skew", lambda n: R.binomial(100, 0.97, n, split=0), st.binom(100, 0.97),
     range(90, 101)),
    ("binomial-rare", lambda n: R.binomial(10**12, 2e-12, n, split=0), st.binom(10**12, 2e-12),
     range(6)),
    ("binomial-large", lambda n: R.binomial(10**9, 0.5, n, split=0), st.binom(10**9, 0.5), []),
    ("negative_binomial", lambda n: R.negative_binomial(2.5, 0.3, n, split=0),
     st.nbinom(2.5, 0.3), range(15)),
    ("negative_binomial-small", lambda n: R.negative_binomial(0.5, 0.9, n, split=0),
     st.nbinom(0.5, 0.9), range(4)),
    ("negative_binomial-large", lambda n: R.negative_binomial(1000.0, 0.5, n, split=0),
     st.nbinom(1000.0, 0.5), [950, 1000, 1050]),
]  # fmt: skip


@pytest.mark.parametrize("name,make,dist,ks", DISCRETE, ids=[c[0] for c in DISCRETE])
def test_discrete_distributions_match_scipy(name: str, make: Make, dist: Any, ks: Any) -> None:
    R.seed(34)
    x = make(N).numpy()
    assert x.dtype == np.int64
    assert x.min() >= dist.support()[0] and x.max() <= dist.support()[1]
    frequencies_match(x, dist.pmf, ks)
    mean_and_variance_match(x, dist)


def test_continuous_moments() -> None:
    R.seed(35)
    mean_and_variance_match(R.wald(2.0, 3.0, N, split=0).numpy(), st.invgauss(2 / 3, scale=3))
    mean_and_variance_match(R.gamma(0.3, 4.0, N, split=0).numpy(), st.gamma(0.3, scale=4.0))
    mean_and_variance_match(R.beta(2.0, 3.0, N, split=0).numpy(), st.beta(2.0, 3.0))


def test_limits_and_degenerate_parameters() -> None:
    R.seed(36)
    assert_array(R.weibull(0.0, 5, split=0), np.zeros(5))
    assert_array(R.standard_gamma(0.0, (2, 3), split=1), np.zeros((2, 3)))
    assert_array(R.gamma(2.0, 0.0, 4), np.zeros(4))
    assert_array(R.laplace(3.0, 0.0, 4, split=0), np.full(4, 3.0))
    assert_array(R.lognormal(1.0, 0.0, 4), np.full(4, np.e))
    assert_array(R.geometric(1.0, 6, split=0), np.ones(6, dtype=np.int64))
    assert_array(R.binomial(0, 0.5, 3), np.zeros(3, dtype=np.int64))
    assert_array(R.binomial(7, 0.0, 3, split=0), np.zeros(3, dtype=np.int64))
    assert_array(R.binomial(7, 1.0, 3, split=0), np.full(3, 7))
    assert_array(R.negative_binomial(3.0, 1.0, 3, split=0), np.zeros(3, dtype=np.int64))
    assert R.geometric(1e-300, 100, split=0).numpy().min() > 2**62  # NumPy's int64 cap
    # the open uniform keeps every transform finite, and power's values inside [0, 1]
    for x in (R.gumbel(size=N), R.logistic(size=N), R.laplace(size=N), R.standard_cauchy(N)):
        assert np.all(np.isfinite(x.numpy()))
    y = R.power(0.05, N, split=0).numpy()
    assert y.min() >= 0.0 and y.max() <= 1.0
    assert R.standard_gamma(1e-3, N).numpy().min() >= 0.0
    assert 0.0 <= R.beta(1e-3, 1e-3, N).numpy().min() <= R.beta(1e-3, 1e-3, N).numpy().max() <= 1


def test_scalar_results_are_0d() -> None:
    R.seed(37)
    for x in (R.laplace(), R.standard_cauchy(), R.standard_gamma(2.0), R.wald(1.0, 1.0)):
        assert x.shape == () and x.dtype == hpa.float64
    assert R.binomial(5, 0.5).shape == () and R.geometric(0.5).dtype == hpa.int64
    assert R.dirichlet([1.0, 1.0]).shape == (2,)


# ---------------------------------------------------------------------------- invalid input
INVALID: list[tuple[type[BaseException], Callable[[], Any]]] = [
    (ValueError, lambda: R.laplace(0.0, -1.0, 5)),
    (ValueError, lambda: R.logistic(0.0, -1.0, 5)),
    (ValueError, lambda: R.gumbel(0.0, -1.0, 5, split=0)),
    (ValueError, lambda: R.lognormal(0.0, -1.0, 5)),
    (ValueError, lambda: R.rayleigh(-1.0, 5)),
    (ValueError, lambda: R.weibull(-1.0, 5)),
    (ValueError, lambda: R.pareto(0.0, 5)),
    (ValueError, lambda: R.power(0.0, 5)),
    (ValueError, lambda: R.triangular(2.0, 1.0, 3.0, 5)),
    (ValueError, lambda: R.triangular(1.0, 3.0, 2.0, 5)),
    (ValueError, lambda: R.triangular(1.0, 1.0, 1.0, 5)),
    (ValueError, lambda: R.wald(0.0, 1.0, 5)),
    (ValueError, lambda: R.wald(1.0, 0.0, 5)),
    (ValueError, lambda: R.geometric(0.0, 5)),
    (ValueError, lambda: R.geometric(1.5, 5)),
    (ValueError, lambda: R.geometric(float("nan"), 5)),
    (ValueError, lambda: R.binomial(-1, 0.5, 5)),
    (ValueError, lambda: R.binomial(5, 1.5, 5)),
    (ValueError, lambda: R.binomial(5, float("nan"), 5)),
    (ValueError, lambda: R.standard_gamma(-1.0, 5)),
    (ValueError, lambda: R.standard_gamma(float("inf"), 5)),
    (ValueError, lambda: R.gamma(1.0, -1.0, 5)),
    (ValueError, lambda: R.chisquare(0.0, 5)),
    (ValueError, lambda: R.beta(0.0, 1.0, 5)),
    (ValueError, lambda: R.beta(1.0, -1.0, 5)),
    (ValueError, lambda: R.f(0.0, 1.0, 5)),
    (ValueError, lambda: R.f(1.0, 0.0, 5)),
    (ValueError, lambda: R.standard_t(0.0, 5)),
    (ValueError, lambda: R.dirichlet([-1.0, 1.0], 5)),
    (ValueError, lambda: R.dirichlet([1.0, float("inf")], 5)),
    (ValueError, lambda: R.dirichlet([[1.0, 2.0]], 5)),
    (ValueError, lambda: R.dirichlet([1.0, 2.0], 5, split=1)),
    (ValueError, lambda: R.dirichlet([1.0, 2.0], (4, 3), split=-1)),
    (ValueError, lambda: R.dirichlet([1.0, 2.0], split=0)),
    (ValueError, lambda: R.negative_binomial(0.0, 0.5, 5)),
    (ValueError, lambda: R.negative_binomial(1.0, 0.0, 5)),
    (ValueError, lambda: R.negative_binomial(1.0, 1.5, 5)),
    (ValueError, lambda: R.negative_binomial(1e6, 1e-12, 5)),
    (ValueError, lambda: R.laplace(0.0, 1.0, -2)),
    (NotImplementedError, lambda: R.binomial(10**10, 0.5, 5)),
    (TypeError, lambda: R.laplace(hpa.zeros(3), 1.0, 3)),
    (TypeError, lambda: R.gamma(np.ones(3), 1.0, 3)),
    (TypeError, lambda: R.binomial(5.5, 0.5, 3)),
    (TypeError, lambda: R.binomial(5, hpa.zeros(3), 3)),
    (TypeError, lambda: R.dirichlet(hpa.ones(3), 2)),
    (TypeError, lambda: R.dirichlet(5.0, 2)),
    (TypeError, lambda: R.wald(1.0, 1.0, 5, dtype=hpa.int32)),
    (TypeError, lambda: R.dirichlet([1.0], 5, dtype=hpa.int64)),
    (TypeError, lambda: R.default_rng(1).beta(hpa.ones(2), 1.0)),
    (hpa.SplitError, lambda: R.standard_gamma(1.0, (3, 4), split=2)),
    (hpa.SplitError, lambda: R.dirichlet([1.0, 2.0], (3, 4), split=3)),
]


@pytest.mark.parametrize(
    "exc,call", INVALID, ids=[f"{i}-{e.__name__}" for i, (e, _) in enumerate(INVALID)]
)
def test_invalid_arguments_raise_everywhere_and_keep_the_state(
    exc: type[BaseException], call: Callable[[], Any]
) -> None:
    R.seed(41)
    R.random(2)
    state = R.get_state()
    raised_everywhere(exc, call)
    assert R.get_state() == state


# ------------------------------------------------------------------------- shared helpers
def test_normal_at_scattered_indices_is_box_muller() -> None:
    """The gamma sampler's redraws use the normals ``normal`` gives at the same index."""
    from hpa.random.counter import next_key
    from hpa.random.generation import normal_at

    R.seed(6)
    state = R.get_state()
    ref = R.standard_normal(101).numpy()
    R.set_state(state)
    index = torch.tensor([100, 3, 0, 57, 58], dtype=torch.int64)
    got = normal_at(index, next_key()).numpy()
    np.testing.assert_allclose(got, ref[index.numpy()], rtol=1e-13, atol=1e-15)


def test_poisson_search_per_value_rates_and_zero() -> None:
    from hpa.random.generation import poisson_search

    u = torch.tensor([0.0, 2.0**-53, 0.3, 0.5, 0.999, 0.0], dtype=torch.float64)
    lam = torch.tensor([3e6, 3e6, 0.0, 2.5, 40.0, 0.7], dtype=torch.float64)
    got = poisson_search(u, lam).numpy()
    expected = [0.0, st.poisson.ppf(2.0**-53, 3e6), 0.0, 2.0, st.poisson.ppf(0.999, 40.0), 0.0]
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(poisson_search(u[3:5], 2.5).numpy(), [2.0, 9.0])
