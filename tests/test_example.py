"""The issue's opening example gives NumPy's answers at every process count."""

import numpy as np

import hpa


def test_readme_example() -> None:
    n = 100_003
    x = hpa.arange(n, dtype=hpa.float64, split=0)
    y = hpa.ones((n,), split=0)
    ref = np.arange(n, dtype=np.float64)
    assert np.isclose(float((x * 2 + y).mean()), (ref * 2 + 1).mean())
    assert np.isclose(float(x.std()), ref.std())
    assert int(hpa.sum(x > 5)) == int((ref > 5).sum())
