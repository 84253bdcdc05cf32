"""matrix_power against numpy.linalg.matrix_power: negative, zero and positive exponents, every
split of a matrix and of a stack, float32 and float64, and the errors raised on every rank."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_array, data, make, raised_everywhere, tolerance

import hpa

EXPONENTS = [-3, -1, 0, 1, 2, 5]
DTYPES = [hpa.float32, hpa.float64]


def invertible(shape: tuple[int, ...], dtype: hpa.DType, seed: int = 0) -> np.ndarray:
    """Well-conditioned matrices of ``shape`` (a diagonally dominant stack)."""
    n = shape[-1]
    base = data(shape, hpa.float64, seed=seed) / (2 * n) + np.eye(n)
    return base.astype(dtype.numpy)


def loose(dtype: hpa.DType) -> dict[str, float]:
    tol = tolerance(dtype)
    return {"rtol": 100 * tol["rtol"], "atol": 100 * tol["atol"]}


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("n", EXPONENTS)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_matrix_power_matches_numpy(split: int | None, n: int, dtype: hpa.DType) -> None:
    for size in (1, 4, 7):
        a = invertible((size, size), dtype, seed=size)
        got = hpa.linalg.matrix_power(make(a, split), n)
        want = np.linalg.matrix_power(a, n)
        assert_array(got, want, dtype=want.dtype, **loose(dtype))
        assert got.split == split


@pytest.mark.parametrize("n", EXPONENTS)
@pytest.mark.parametrize("split", [None, 0, 1, 2])
def test_matrix_power_stack(split: int | None, n: int) -> None:
    a = invertible((3, 5, 5), hpa.float64, seed=3)
    got = hpa.linalg.matrix_power(make(a, split), n)
    assert_array(got, np.linalg.matrix_power(a, n), **loose(hpa.float64))


@pytest.mark.parametrize("n", [-3, -1])
@pytest.mark.parametrize("split", [None, 0, 1])
def test_matrix_power_singular_raises_everywhere(split: int | None, n: int) -> None:
    singular = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]])
    raised_everywhere(
        np.linalg.LinAlgError, lambda: hpa.linalg.matrix_power(make(singular, split), n)
    )
    # a non-negative power of a singular matrix is fine
    got = hpa.linalg.matrix_power(make(singular, split), 2)
    assert_array(got, np.linalg.matrix_power(singular, 2))


@pytest.mark.parametrize("split", [None, 0, 1])
def test_matrix_power_singular_stack_raises_everywhere(split: int | None) -> None:
    stack = invertible((4, 3, 3), hpa.float64)
    stack[2] = 0.0  # only the rank holding entry 2 sees it when split along the stack
    raised_everywhere(
        np.linalg.LinAlgError, lambda: hpa.linalg.matrix_power(make(stack, split), -1)
    )


@pytest.mark.parametrize("n", [-1, 0, 2])
@pytest.mark.parametrize("split", [None, 0, 1])
def test_matrix_power_non_square_raises(split: int | None, n: int) -> None:
    a = data((3, 4))
    raised_everywhere(np.linalg.LinAlgError, lambda: hpa.linalg.matrix_power(make(a, split), n))
    raised_everywhere(ValueError, lambda: hpa.linalg.matrix_power(make(a, split), n))
    raised_everywhere(
        np.linalg.LinAlgError, lambda: hpa.linalg.matrix_power(make(data((4,)), None), n)
    )


def test_matrix_power_exponent_type() -> None:
    a = make(invertible((3, 3), hpa.float64), 0)
    raised_everywhere(TypeError, lambda: hpa.linalg.matrix_power(a, 1.5))
    raised_everywhere(TypeError, lambda: hpa.linalg.matrix_power(a, True))
