"""NumPy interop: ufuncs and NumPy functions on hpa arrays dispatch to hpa and return hpa arrays.

Results are compared with NumPy on the gathered data (``helpers.assert_array``). Functions hpa
does not implement raise ``TypeError`` on every rank without issuing a collective.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from helpers import assert_array, make, raised_everywhere

import hpa

SHAPE = (5, 4)
SPLITS = [None, 0, 1]


def values(seed: int = 0) -> np.ndarray:
    """Positive deterministic data (so ``sqrt`` is defined), identical on every rank."""
    return np.random.default_rng(seed).uniform(0.5, 4.0, size=SHAPE)


# ----------------------------------------------------------------------------- ufuncs
UFUNCS = {
    "add": lambda a, b: np.add(a, b),
    "multiply": lambda a, b: np.multiply(a, b),
    "maximum": lambda a, b: np.maximum(a, b),
    "divide": lambda a, b: np.divide(a, b),
    "sqrt": lambda a, b: np.sqrt(a),
    "absolute": lambda a, b: np.abs(-a),
    "greater": lambda a, b: np.greater(a, b),
}


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(UFUNCS))
def test_ufunc_on_hpa_arrays(name: str, split: int | None) -> None:
    a, b = values(0), values(1)
    fn = UFUNCS[name]
    assert_array(fn(make(a, split), make(b, split)), fn(a, b))


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "divide"])
def test_ufunc_mixed_with_numpy(name: str, split: int | None) -> None:
    a, b = values(0), values(1)
    fn = UFUNCS[name]
    assert_array(fn(a, make(b, split)), fn(a, b))
    assert_array(fn(make(a, split), b), fn(a, b))
    assert_array(fn(make(a, split), 2.5), fn(a, 2.5))


@pytest.mark.parametrize("split", SPLITS)
def test_ufunc_out(split: int | None) -> None:
    a, b = values(0), values(1)
    out = hpa.zeros(SHAPE, split=split)
    result = np.add(make(a, split), make(b, split), out=out)
    assert result is out
    assert_array(out, a + b)


def test_ufunc_out_numpy_array_raises() -> None:
    x = make(values(), 0)
    raised_everywhere(TypeError, lambda: np.add(x, x, out=np.empty(SHAPE)))


@pytest.mark.parametrize("split", SPLITS)
def test_operators_with_numpy_operand(split: int | None) -> None:
    a, b = values(0), values(1)
    x = make(b, split)
    assert_array(a + x, a + b)
    assert_array(x + a, b + a)
    assert_array(a - x, a - b)
    assert_array(a * x, a * b)
    assert_array(a / x, a / b)
    assert_array(a < x, a < b)
    assert_array(np.float64(2.0) * x, 2.0 * b)


# ----------------------------------------------------------------------------- ufunc methods
@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize(
    "call",
    [
        lambda a: np.add.reduce(a),
        lambda a: np.add.reduce(a, axis=1),
        lambda a: np.add.reduce(a, axis=None),
        lambda a: np.multiply.reduce(a, axis=0, keepdims=True),
        lambda a: np.maximum.reduce(a),
        lambda a: np.minimum.reduce(a, axis=1),
        lambda a: np.logical_and.reduce(a > 1.0, axis=0),
        lambda a: np.logical_or.reduce(a > 3.0, axis=1),
        lambda a: np.add.accumulate(a),
        lambda a: np.add.accumulate(a, axis=1),
        lambda a: np.multiply.accumulate(a, axis=0),
    ],
    ids=lambda _: "",
)
def test_ufunc_methods(call: Callable[[Any], Any], split: int | None) -> None:
    a = values()
    assert_array(call(make(a, split)), call(a), rtol=1e-12)


# ----------------------------------------------------------------------------- functions
FUNCTIONS = {
    "mean": lambda a: np.mean(a),
    "mean-axis": lambda a: np.mean(a, axis=0),
    "sum": lambda a: np.sum(a, axis=1, keepdims=True),
    "std": lambda a: np.std(a, ddof=1),
    "concatenate": lambda a: np.concatenate([a, a], axis=1),
    "sort": lambda a: np.sort(a, axis=0),
    "reshape": lambda a: np.reshape(a, (4, 5)),
    "where": lambda a: np.where(a > 2.0, a, -a),
    "transpose": lambda a: np.transpose(a),
}


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_numpy_function(name: str, split: int | None) -> None:
    a = values()
    fn = FUNCTIONS[name]
    assert_array(fn(make(a, split)), fn(a), rtol=1e-12)


@pytest.mark.parametrize("split", SPLITS)
def test_numpy_function_mixed_arguments(split: int | None) -> None:
    a, b = values(0), values(1)
    assert_array(np.concatenate([make(a, split), b]), np.concatenate([a, b]))
    assert_array(np.where(a > 2.0, make(a, split), b), np.where(a > 2.0, a, b))


# ----------------------------------------------------------------------------- not in hpa
UNIMPLEMENTED = {
    "fft.fft": lambda x: np.fft.fft(x),
    "linalg.svd": lambda x: np.linalg.svd(x),
    "convolve": lambda x: np.convolve(x, x),
    "add.outer": lambda x: np.add.outer(x, x),
    "add-dtype": lambda x: np.add(x, x, dtype=np.float32),
}


@pytest.mark.parametrize("split", SPLITS)
@pytest.mark.parametrize("name", sorted(UNIMPLEMENTED))
def test_unimplemented_raises_without_communicating(name: str, split: int | None) -> None:
    # convolve takes 1-D data; with split 1 the 2-D array still reaches hpa's dispatch first
    x = make(values()[0] if name == "convolve" and split != 1 else values(), split)
    counted: list[hpa.comm.CommStats] = []

    def attempt() -> None:
        with hpa.count_collectives() as stats:
            counted.append(stats)
            UNIMPLEMENTED[name](x)

    raised_everywhere(TypeError, attempt)
    assert counted[0].total == 0, counted[0]


def test_unimplemented_message() -> None:
    x = make(values(), 0)
    with pytest.raises(TypeError, match=r"hpa does not implement numpy\.fft\.fft.*x\.numpy\(\)"):
        np.fft.fft(x)
    with pytest.raises(TypeError, match=r"numpy\.convolve"):
        np.convolve(x, x)


def test_explicit_gather_still_allowed() -> None:
    a = values()
    np.testing.assert_array_equal(np.asarray(make(a, 0)), a)
