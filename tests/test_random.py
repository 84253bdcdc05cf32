"""Random numbers: one global array per seed at every process count and split, no communication.

A value is a function of (seed, call counter, global index), so the array generated with
``split=None`` is the reference for every split, and the reference is the same at 1, 2 and 3
processes. Statistics are checked on gathered arrays with fixed seeds, so every rank reaches
the same verdict and no test depends on chance from run to run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
import torch
from helpers import P, assert_array, case_id, cases, ragged_counts, raised_everywhere

import hpa

R = hpa.random
MASK = (1 << 64) - 1
GAMMA = 0x9E3779B97F4A7C15

SHAPES = [(0,), (1,), (2,), (7,), (3, 5), (1, 4), (5, 1), (0, 3), (2, 3, 4)]
# pieces of the block: one long row cut in several, many short rows per piece, rows cut in two
LARGE = [((70_000,), 0), ((3, 40_000), 1), ((40_000, 3), 1), ((2, 70_001), 1)]

# name -> (generator taking size and keywords, exact: values bit-identical across splits)
GENERATORS: dict[str, tuple[Callable[..., hpa.Array], bool]] = {
    "random": (lambda size, **kw: R.random(size, **kw), True),
    "random_sample": (lambda size, **kw: R.random_sample(size, **kw), True),
    "rand": (lambda size, **kw: R.rand(*size, **kw), True),
    "uniform": (lambda size, **kw: R.uniform(-2.0, 3.0, size, **kw), True),
    "standard_normal": (lambda size, **kw: R.standard_normal(size, **kw), False),
    "randn": (lambda size, **kw: R.randn(*size, **kw), False),
    "normal": (lambda size, **kw: R.normal(1.5, 2.0, size, **kw), False),
    "exponential": (lambda size, **kw: R.exponential(2.0, size, **kw), False),
    "randint": (lambda size, **kw: R.randint(-5, 17, size, **kw), True),
    "randint-int64-range": (lambda size, **kw: R.randint(-(2**63), 2**63, size, **kw), True),
    "poisson": (lambda size, **kw: R.poisson(3.5, size, **kw), True),
    "poisson-large": (lambda size, **kw: R.poisson(2e6, size, **kw), True),
}


def generate_everywhere(
    make: Callable[..., hpa.Array], shape: tuple[int, ...], splits: list[int | None], **kw: Any
) -> list[np.ndarray]:
    """The same call (same state) once per split, gathered; asserts that none communicates."""
    state = R.get_state()
    out = []
    for split in splits:
        R.set_state(state)
        with hpa.count_collectives() as stats:
            x = make(shape, split=split, **kw)
        assert stats.total == 0, f"split={split}: {stats}"
        assert x.shape == shape and x.split == split
        assert tuple(x.larray.shape) == x.lshape
        out.append(x.numpy())
    return out


def assert_same(arrays: list[np.ndarray], exact: bool) -> None:
    for got in arrays[1:]:
        assert got.dtype == arrays[0].dtype
        if exact:
            np.testing.assert_array_equal(got, arrays[0])
        else:  # log/sin/cos may differ in the last bit between vector and scalar code
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
    assert_same(generate_everywhere(make, shape, [None, split]), exact)


@pytest.mark.parametrize("name", ["random", "standard_normal", "randint", "poisson"])
@pytest.mark.parametrize("case", LARGE, ids=case_id)
def test_large_blocks_cut_in_pieces(name: str, case: tuple[tuple[int, ...], int]) -> None:
    shape, split = case
    make, exact = GENERATORS[name]
    R.seed(99)
    assert_same(generate_everywhere(make, shape, [None, 0, split]), exact)


def test_the_stream_is_splitmix64_of_the_global_index() -> None:
    """Known answer: key from (seed, counter), then SplitMix64 of key + i * gamma."""

    def mix(z: int) -> int:
        z &= MASK
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    seed, n = 2024, 11
    R.seed(seed)
    R.random(3)  # the second call (counter 1) is checked
    x = R.random(n, split=0)
    key = mix(mix(seed ^ 0x94D049BB133111EB) + GAMMA * 2)
    words = [mix(key + GAMMA * i) for i in range(n)]
    expected = [((w >> 11) ^ (1 << 52)) * 2.0**-53 for w in words]
    assert_array(x, np.array(expected), rtol=0)


def test_float32_is_the_top_24_bits_of_the_same_words() -> None:
    R.seed(5)
    state = R.get_state()
    x64 = R.random((4, 9), split=1).numpy()
    R.set_state(state)
    x32 = R.random((4, 9), dtype=hpa.float32, split=0).numpy()
    assert x32.dtype == np.float32
    np.testing.assert_array_equal(x32, np.floor(x64 * 2**24) / 2**24)


# ------------------------------------------------------------------------------ state
def test_seeds_differ_and_calls_differ() -> None:
    R.seed(1)
    a, b = R.random(100, split=0).numpy(), R.random(100, split=0).numpy()
    R.seed(2)
    c = R.random(100, split=0).numpy()
    assert not np.any(a == b) and not np.any(a == c)
    R.seed(1)
    np.testing.assert_array_equal(R.random(100).numpy(), a)


def test_state_counts_calls_and_replays() -> None:
    R.seed(77)
    assert R.get_state() == ("hpa-splitmix64", 77, 0)
    R.randn(3, split=0)
    R.randint(4, size=0)  # an empty call still counts
    state = R.get_state()
    assert state == ("hpa-splitmix64", 77, 2)
    first = R.normal(size=(4, 3), split=1).numpy()
    R.set_state(state)
    np.testing.assert_array_equal(R.normal(size=(4, 3), split=1).numpy(), first)
    states = hpa.get_comm().allgather_object(R.get_state())
    assert states == [("hpa-splitmix64", 77, 3)] * P


def test_torch_global_generator_is_untouched() -> None:
    dev = hpa.get_device().torch_device

    def states() -> list[torch.Tensor]:
        cuda = [torch.cuda.get_rng_state(dev)] if dev.type == "cuda" else []
        return [torch.get_rng_state(), *cuda]

    before = states()
    R.seed(3)
    R.random(1000, split=0), R.randn(1000), R.randint(9, size=50), R.poisson(2.0, 40)
    assert all(torch.equal(a, b) for a, b in zip(states(), before))


# ---------------------------------------------------------------------------- shapes, dtypes
def test_scalar_results_are_0d() -> None:
    R.seed(0)
    for x in (R.random(), R.rand(), R.randn(), R.uniform(), R.normal(), R.exponential()):
        assert x.shape == () and x.dtype == hpa.float64
    assert R.randint(3).shape == () and R.poisson().shape == ()


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64])
@pytest.mark.parametrize(
    "name", ["random", "rand", "uniform", "standard_normal", "randn", "normal", "exponential"]
)
def test_float_dtypes(name: str, dtype: hpa.DType) -> None:
    make, exact = GENERATORS[name]
    R.seed(8)
    arrays = generate_everywhere(make, (6, 5), [None, 0, 1], dtype=dtype)
    assert arrays[0].dtype == dtype.numpy
    assert_same(arrays, exact if dtype is hpa.float64 else False)


@pytest.mark.parametrize(
    "dtype,low,high",
    [
        (hpa.int8, -128, 128),
        (hpa.int16, -7, 3),
        (hpa.int32, 0, 2**31 - 1),
        (hpa.uint8, 0, 256),
        (hpa.bool_, 0, 2),
        (hpa.int64, 2**62, 2**63),
    ],
)
def test_randint_dtypes_and_bounds(dtype: hpa.DType, low: int, high: int) -> None:
    R.seed(13)
    arrays = generate_everywhere(
        lambda s, **kw: R.randint(low, high, s, dtype=dtype, **kw), (3000,), [None, 0]
    )
    assert_same(arrays, exact=True)
    x = arrays[0]
    assert x.dtype == dtype.numpy
    wide = x.astype(object) if dtype is hpa.int64 else x.astype(np.int64)
    assert wide.min() >= low and wide.max() <= high - 1
    assert len(np.unique(x)) > min(high - low, 3000) // 2


# -------------------------------------------------------------------------------- statistics
N = 200_000


def moments(x: np.ndarray) -> tuple[float, float, float, float]:
    """Mean, variance, skewness and kurtosis (3 for a normal)."""
    m, v = x.mean(), x.var()
    z = (x - m) / np.sqrt(v)
    return float(m), float(v), float(np.mean(z**3)), float(np.mean(z**4))


def test_uniform_statistics() -> None:
    R.seed(21)
    x = R.random(N, split=0).numpy()
    assert x.min() >= 0.0 and x.max() < 1.0
    m, v, skew, _ = moments(x)
    assert abs(m - 0.5) < 5 * np.sqrt(1 / 12 / N) and abs(v - 1 / 12) < 2e-3 and abs(skew) < 0.02
    counts = np.histogram(x, bins=20, range=(0, 1))[0]
    assert np.all(np.abs(counts - N / 20) < 5 * np.sqrt(N / 20))
    y = R.uniform(-3.0, 5.0, N, split=0).numpy()
    assert y.min() >= -3.0 and y.max() < 5.0
    assert abs(y.mean() - 1.0) < 5 * 8 * np.sqrt(1 / 12 / N)
    r = np.corrcoef(x[:-1], x[1:])[0, 1]
    assert abs(r) < 5 / np.sqrt(N), "neighbouring indices are correlated"


def test_normal_statistics() -> None:
    R.seed(22)
    x = R.standard_normal(N, split=0).numpy()
    m, v, skew, kurt = moments(x)
    assert abs(m) < 5 / np.sqrt(N) and abs(v - 1) < 0.02 and abs(skew) < 0.03
    assert abs(kurt - 3) < 0.06
    assert abs(np.mean(x < -1.0) - 0.15865525) < 0.005
    r = np.corrcoef(x[0::2], x[1::2])[0, 1]  # the two halves of each Box-Muller pair
    assert abs(r) < 5 / np.sqrt(N / 2)
    y = R.normal(10.0, 3.0, (N // 100, 100), split=1).numpy()
    assert abs(y.mean() - 10.0) < 5 * 3 / np.sqrt(N) and abs(y.std() - 3.0) < 0.05


def test_exponential_statistics() -> None:
    R.seed(23)
    x = R.exponential(2.5, N, split=0).numpy()
    assert x.min() >= 0.0 and np.all(np.isfinite(x))
    assert abs(x.mean() - 2.5) < 5 * 2.5 / np.sqrt(N) and abs(x.var() / 2.5**2 - 1) < 0.05
    assert abs(np.mean(x > 2.5) - np.exp(-1)) < 0.005


@pytest.mark.parametrize("lam,n", [(0.3, N), (3.5, N), (200.0, N), (2e6, 20_000)])
def test_poisson_statistics(lam: float, n: int) -> None:
    R.seed(24)
    x = R.poisson(lam, n, split=0).numpy()
    assert x.dtype == np.int64 and x.min() >= 0
    sd = np.sqrt(lam)
    assert abs(x.mean() - lam) < 5 * sd / np.sqrt(n)
    assert abs(x.var() / lam - 1) < 6 * np.sqrt(2 / n) + 1 / lam / np.sqrt(n)
    if lam < 10:
        for k in range(3):  # P(X = k) from the pmf
            p = np.exp(-lam) * lam**k / np.prod(np.arange(1, k + 1))
            assert abs(np.mean(x == k) - p) < 5 * np.sqrt(p * (1 - p) / n)


def test_poisson_zero_rate() -> None:
    R.seed(25)
    assert_array(R.poisson(0.0, (4, 3), split=1), np.zeros((4, 3), dtype=np.int64))


def test_randint_statistics() -> None:
    R.seed(26)
    x = R.randint(3, 10, N, split=0).numpy()
    assert x.min() == 3 and x.max() == 9
    counts = np.bincount(x - 3)
    assert np.all(np.abs(counts - N / 7) < 5 * np.sqrt(N / 7))
    assert_array(R.randint(4, 5, 6, split=0), np.full(6, 4))  # one value
    y = R.randint(0, 3 * 2**60, N // 4, split=0).numpy()  # 62 bits, about 1/4 redrawn
    assert y.min() >= 0 and y.max() < 3 * 2**60
    assert abs(y.mean() / (3 * 2**60) - 0.5) < 5 * np.sqrt(1 / 12 / (N // 4))
    z = R.randint(-(2**63), 2**63, N // 4, split=0).numpy()
    assert abs(np.mean(z < 0) - 0.5) < 0.01


# ---------------------------------------------------------------------------- invalid input
INVALID: list[tuple[type[BaseException], Callable[[], Any]]] = [
    (ValueError, lambda: R.randint(5, 5)),
    (ValueError, lambda: R.randint(5, 3, size=4, split=0)),
    (ValueError, lambda: R.randint(0)),
    (ValueError, lambda: R.randint(-1, 100, dtype=hpa.uint8)),
    (ValueError, lambda: R.randint(0, 129, dtype=hpa.int8)),
    (ValueError, lambda: R.normal(0.0, -1.0, 5)),
    (ValueError, lambda: R.exponential(-2.0, 5)),
    (ValueError, lambda: R.poisson(-1.0, 5)),
    (ValueError, lambda: R.poisson(1e16, 5)),
    (ValueError, lambda: R.uniform(0.0, float("inf"), 5)),
    (ValueError, lambda: R.random(-3)),
    (ValueError, lambda: R.rand(2, -1, split=0)),
    (ValueError, lambda: R.seed(-1)),
    (ValueError, lambda: R.seed(2**64)),
    (ValueError, lambda: R.set_state(("MT19937", 1, 0))),
    (ValueError, lambda: R.set_state(("hpa-splitmix64", 1, -1))),
    (TypeError, lambda: R.seed(None)),  # type: ignore[arg-type]
    (TypeError, lambda: R.random(5, dtype=hpa.int32)),
    (TypeError, lambda: R.randint(0, 5, dtype=hpa.float64)),
    (TypeError, lambda: R.randint(0.5, 5)),
    (TypeError, lambda: R.normal(hpa.zeros(3), 1.0, 3)),
    (hpa.SplitError, lambda: R.random((3, 4), split=2)),
]


@pytest.mark.parametrize(
    "exc,call", INVALID, ids=[f"{i}-{e.__name__}" for i, (e, _) in enumerate(INVALID)]
)
def test_invalid_arguments_raise_everywhere_and_keep_the_state(
    exc: type[BaseException], call: Callable[[], Any]
) -> None:
    R.seed(31)
    R.random(2)
    state = R.get_state()
    raised_everywhere(exc, call)
    assert R.get_state() == state


# ---------------------------------------------------------------------- permutations, choice
def counted(fn: Callable[[], Any]) -> dict[str, int]:
    with hpa.count_collectives() as stats:
        fn()
    return dict(stats.counts)


@pytest.mark.parametrize("n", [0, 1, 2, 7, 100])
def test_permutation_of_n_is_the_same_at_every_split(n: int) -> None:
    R.seed(40)
    ref = R.permutation(n)
    assert ref.dtype == hpa.int64 and ref.split is None
    np.testing.assert_array_equal(np.sort(ref.numpy()), np.arange(n))
    for split in (0, -1):
        R.seed(40)
        got = R.permutation(n, split=split)
        assert got.split == 0 and got.is_balanced()
        assert_array(got, ref.numpy())
    R.seed(40)
    assert_array(R.randperm(n, dtype=hpa.int32, split=0), ref.numpy().astype(np.int32))


@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("case", [c for c in cases(SHAPES) if c[0]], ids=case_id)
def test_permutation_and_shuffle_of_arrays(
    case: tuple[tuple[int, ...], int | None], ragged: bool
) -> None:
    shape, split = case
    a = np.arange(math.prod(shape), dtype=np.float64).reshape(shape)
    x = hpa.array(a, split=split)
    if ragged and split is not None:
        x.redistribute_(ragged_counts(shape[split]))
    R.seed(41)
    rows = R.permutation(shape[0]).numpy()
    R.seed(41)
    got = R.permutation(x)
    assert got.layout == x.layout
    assert_array(got, a[rows])
    assert_array(x, a)  # permutation copies
    R.seed(41)
    R.shuffle(x)
    assert_array(x, a[rows])


def test_permutation_dtypes() -> None:
    for dtype in (hpa.bool_, hpa.int8, hpa.complex128, hpa.bfloat16):
        x = hpa.array(np.arange(10) % 3 == 0, split=0).astype(dtype)
        R.seed(42)
        rows = R.permutation(10).numpy()
        R.seed(42)
        assert_array(R.permutation(x), x.numpy()[rows], dtype=dtype)


def test_permutation_collectives_and_state() -> None:
    R.seed(43)
    assert counted(lambda: R.permutation(50)) == {}
    assert counted(lambda: R.permutation(hpa.zeros((6, 4), split=1))) == {}
    for call in (lambda: R.permutation(50, split=0), lambda: R.shuffle(hpa.zeros((6, 4), split=0))):
        stats = counted(call)  # the second alltoallv only where the buckets differ from x's
        assert stats == {} if P == 1 else (stats["allgather"] == 2 and stats["alltoallv"] in (1, 2))
    assert R.get_state()[2] == 4


def test_permutation_statistics() -> None:
    R.seed(44)
    orders = np.array([R.permutation(4).numpy() for _ in range(2400)])
    codes = orders @ np.array([64, 16, 4, 1])
    counts = np.unique(codes, return_counts=True)[1]
    assert counts.size == 24 and np.all(np.abs(counts - 100) < 50)
    big = R.permutation(20_000, split=0).numpy()
    r = np.corrcoef(big, np.arange(20_000))[0, 1]
    assert abs(r) < 5 / np.sqrt(20_000)


@pytest.mark.parametrize("size", [None, 0, 1, 5, (3, 4)])
@pytest.mark.parametrize("replace", [True, False])
@pytest.mark.parametrize("weighted", [False, True])
def test_choice_is_the_same_at_every_split(size: Any, replace: bool, weighted: bool) -> None:
    p = np.arange(1, 21) / 210.0 if weighted else None
    shape = () if size is None else ((size,) if isinstance(size, int) else size)
    R.seed(45)
    ref = R.choice(20, size, replace=replace, p=p).numpy()
    assert ref.shape == shape and ref.dtype == np.int64
    assert ref.size == 0 or (ref.min() >= 0 and ref.max() < 20)
    if not replace:
        assert len(np.unique(ref)) == ref.size
    pool = np.arange(20.0) * 10
    for split in range(len(shape)):
        R.seed(45)
        assert_array(R.choice(20, size, replace=replace, p=p, split=split), ref)
        R.seed(45)
        population = hpa.array(pool, split=0)
        assert_array(R.choice(population, size, replace=replace, p=p, split=split), pool[ref])


def test_choice_statistics() -> None:
    R.seed(46)
    p = np.array([0.1, 0.0, 0.2, 0.3, 0.4])
    x = R.choice(5, N, p=p, split=0).numpy()
    freq = np.bincount(x, minlength=5) / N
    assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / N) + 1e-12)
    y = R.choice(7, N, split=0).numpy()
    assert np.all(np.abs(np.bincount(y) - N / 7) < 5 * np.sqrt(N / 7))
    firsts = np.array([R.choice(5, 2, replace=False, p=p).numpy() for _ in range(600)])
    assert not np.any(firsts == 1)  # a zero weight is never drawn
    assert np.mean(firsts[:, 0] == 4) > np.mean(firsts[:, 0] == 0)


INVALID_PERMUTATIONS: list[tuple[type[BaseException], Callable[[], Any]]] = [
    (ValueError, lambda: R.choice(5, 6, replace=False)),
    (ValueError, lambda: R.choice(3, 2, p=[0.5, 0.2, 0.2])),
    (ValueError, lambda: R.choice(3, 2, p=[1.5, -0.5, 0.0])),
    (ValueError, lambda: R.choice(3, 2, p=[0.5, 0.5])),
    (ValueError, lambda: R.choice(3, 2, replace=False, p=[1.0, 0.0, 0.0])),
    (ValueError, lambda: R.choice(0, 2)),
    (ValueError, lambda: R.choice(hpa.zeros((2, 2), split=0), 1)),
    (ValueError, lambda: R.permutation(-1)),
    (ValueError, lambda: R.randperm(300, dtype=hpa.int8)),
    (TypeError, lambda: R.randperm(5, dtype=hpa.float32)),
    (TypeError, lambda: R.shuffle(np.arange(3))),
    (IndexError, lambda: R.permutation(hpa.array(3.0))),
]


@pytest.mark.parametrize(
    "exc,call",
    INVALID_PERMUTATIONS,
    ids=[f"{i}-{e.__name__}" for i, (e, _) in enumerate(INVALID_PERMUTATIONS)],
)
def test_invalid_permutations_raise_everywhere(
    exc: type[BaseException], call: Callable[[], Any]
) -> None:
    R.seed(47)
    state = R.get_state()
    raised_everywhere(exc, call)
    assert R.get_state() == state
