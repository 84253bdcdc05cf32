"""NumPy's window functions, replicated and split: float64, NumPy's values, no communication."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from helpers import assert_array, raised_everywhere

import hpa

SIZES = [-3, 0, 1, 2, 3, 4, 7, 16, 51]
COSINE = ["bartlett", "blackman", "hamming", "hanning"]


def window(name: str) -> tuple[Callable[..., hpa.Array], Callable[..., np.ndarray]]:
    return getattr(hpa, name), getattr(np, name)


@pytest.mark.parametrize("name", COSINE)
@pytest.mark.parametrize("split", [None, 0])
def test_windows(name: str, split: int | None) -> None:
    ours, numpys = window(name)
    for m in SIZES:
        with hpa.count_collectives() as stats:
            got = ours(m, split=split)
        assert stats.total == 0
        assert got.split == split and got.layout.is_balanced
        assert_array(got, numpys(m), rtol=1e-14, atol=1e-15)
    assert_array(ours(np.int8(5), split=split), numpys(np.int8(5)), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("split", [None, 0])
def test_kaiser(split: int | None) -> None:
    for m in SIZES:
        for beta in (0, 0.5, 5, 14.0, -2.5, 40):
            with hpa.count_collectives() as stats:
                got = hpa.kaiser(m, beta, split=split)
            assert stats.total == 0
            assert got.split == split and got.layout.is_balanced
            assert_array(got, np.kaiser(m, beta), rtol=1e-13, atol=1e-15)


def test_device_and_symmetry() -> None:
    for w in [
        *(window(name)[0](9, device="cpu", split=0) for name in COSINE),
        hpa.kaiser(9, 3.0, device="cpu"),
    ]:
        assert w.larray.device.type == "cpu"
        values = w.numpy()
        np.testing.assert_allclose(values, values[::-1], rtol=0, atol=1e-15)  # symmetric
        assert values.max() <= 1.0 + 1e-15


def test_errors() -> None:
    for name in COSINE:
        ours, _ = window(name)
        raised_everywhere(TypeError, lambda: ours(2.5))
        raised_everywhere(TypeError, lambda: ours("3"))
    raised_everywhere(TypeError, lambda: hpa.kaiser(4, 1j))
    raised_everywhere(TypeError, lambda: hpa.kaiser(4.5, 1.0))
