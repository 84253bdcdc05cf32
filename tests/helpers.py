"""Shared test helpers: NumPy comparisons, layouts to try, ragged blocks.

Every check gathers the whole array on every rank before comparing, so all ranks reach the
same verdict and a failing assertion cannot leave the other ranks waiting in a collective.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

import hpa
from hpa.core.layout import chunk

P = hpa.get_comm().size
RANK = hpa.get_comm().rank

# dtypes as (hpa dtype, numpy dtype used for the reference computation)
FLOAT_DTYPES = [hpa.float32, hpa.float64]
INT_DTYPES = [hpa.int8, hpa.int16, hpa.int32, hpa.int64, hpa.uint8]
ALL_DTYPES = [
    hpa.bool_,
    *INT_DTYPES,
    hpa.float16,
    hpa.bfloat16,
    *FLOAT_DTYPES,
    hpa.complex64,
    hpa.complex128,
]

# shapes: ordinary, fewer rows than processes (empty blocks), empty, uneven
SHAPES = [(0,), (1,), (2,), (7,), (3, 5), (1, 4), (5, 1), (2, 3, 4), (0, 3)]


def splits(ndim: int) -> list[int | None]:
    """Every split of an ``ndim``-dimensional array: None and each axis."""
    return [None, *range(ndim)]


def cases(shapes: list[tuple[int, ...]] = SHAPES) -> Iterator[tuple[tuple[int, ...], int | None]]:
    """(shape, split) pairs for every shape and every split."""
    for shape in shapes:
        for split in splits(len(shape)):
            yield shape, split


def case_id(case: tuple[tuple[int, ...], int | None]) -> str:
    return f"{'x'.join(map(str, case[0])) or 'scalar'}-s{case[1]}"


def data(
    shape: tuple[int, ...], dtype: Any = hpa.float64, seed: int = 0, low: int = -5, high: int = 6
) -> np.ndarray:
    """Deterministic data of ``dtype`` (identical on every rank)."""
    rng = np.random.default_rng(seed)
    dt = hpa.core.dtypes.to_dtype(dtype)
    if dt.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dt.kind == "u":
        return rng.integers(0, high + 5, size=shape).astype(dt.numpy)
    if dt.kind == "i":
        return rng.integers(low, high, size=shape).astype(dt.numpy)
    if dt.kind == "c":
        return (rng.standard_normal(shape) + 1j * rng.standard_normal(shape)).astype(dt.numpy)
    values = rng.standard_normal(shape)
    if dt is hpa.bfloat16:
        values = torch.from_numpy(values).to(torch.bfloat16).to(torch.float32).numpy()
    return values.astype(dt.numpy)


def make(
    values: np.ndarray, split: int | None, dtype: Any = None, ragged: bool = False
) -> hpa.Array:
    """An hpa array of ``values``; ``ragged`` moves the blocks to an unbalanced layout."""
    x = hpa.array(values, dtype=dtype, split=split)
    if ragged and split is not None:
        x.redistribute_(ragged_counts(values.shape[split]))
    return x


def ragged_counts(n: int) -> list[int]:
    """An unbalanced cut of ``n`` rows over the processes: the last rank holds the most."""
    counts = list(chunk(n, P))
    if P > 1:
        moved = counts[0]
        counts[0] = 0
        counts[-1] += moved
    return counts


def to_numpy_dtype(dtype: hpa.DType) -> np.dtype:
    return dtype.numpy


def assert_array(
    x: Any,
    expected: Any,
    rtol: float = 1e-7,
    atol: float = 0.0,
    dtype: Any = None,
    check_dtype: bool = True,
) -> None:
    """``x`` is a consistent hpa array equal (or close) to ``expected`` on every rank."""
    assert isinstance(x, hpa.Array), f"expected an hpa.Array, got {type(x).__name__}"
    expected = np.asarray(expected)
    assert x.shape == expected.shape, f"shape {x.shape} != expected {expected.shape}"
    assert tuple(x.larray.shape) == x.lshape, (
        f"local block {tuple(x.larray.shape)} != lshape {x.lshape}"
    )
    if check_dtype:
        want = hpa.core.dtypes.to_dtype(dtype if dtype is not None else expected.dtype)
        assert x.dtype == want, f"dtype {x.dtype} != expected {want}"
    got = x.numpy()
    if got.dtype.kind in "fc" or expected.dtype.kind in "fc":
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, expected)


def tolerance(dtype: hpa.DType) -> dict[str, float]:
    """rtol/atol suited to the precision of ``dtype``."""
    if dtype in (hpa.float16,):
        return {"rtol": 2e-3, "atol": 2e-3}
    if dtype in (hpa.bfloat16,):
        return {"rtol": 2e-2, "atol": 2e-2}
    if dtype in (hpa.float32, hpa.complex64):
        return {"rtol": 2e-5, "atol": 1e-6}
    return {"rtol": 1e-10, "atol": 1e-12}


def agree(ok: bool, what: str = "check") -> None:
    """Assert ``ok`` on every rank at once (one rank failing fails them all)."""
    verdicts = hpa.get_comm().allgather_object(bool(ok))
    bad = [r for r, v in enumerate(verdicts) if not v]
    assert not bad, f"{what} failed on ranks {bad}"


def raised_everywhere(exc: type[BaseException], fn: Callable[[], Any]) -> None:
    """``fn()`` raises ``exc`` on this rank, and every other rank agrees that it raised.

    The outcome is gathered after the call, so a rank that did not raise is reported instead of
    leaving the others waiting.
    """
    try:
        fn()
        outcome = "returned"
    except exc:
        outcome = "raised"
    outcomes = hpa.get_comm().allgather_object(outcome)
    assert outcomes == ["raised"] * P, f"{exc.__name__} expected on every rank, got {outcomes}"


def on_rank0(fn: Callable[[], Any]) -> Any:
    """``fn()`` run on rank 0 alone (a reader or writer from outside hpa), its result broadcast.

    The broadcast leaves rank 0 only after ``fn`` returned, so a file it wrote is complete when
    the other ranks receive the result.
    """
    return hpa.get_comm().bcast_object(fn() if RANK == 0 else None, 0)


def listing(directory: Any) -> list[str]:
    """The sorted names in ``directory`` (to check that no temporary file is left behind)."""
    return sorted(os.listdir(directory))


# layouts of a data matrix handed to an estimator: (split, ragged); split 1 is along the features
DATA_LAYOUTS = [(None, False), (0, False), (0, True), (1, False)]


def layout_id(layout: tuple[int | None, bool]) -> str:
    return f"s{layout[0]}{'-ragged' if layout[1] else ''}"


def sklearn_data() -> dict[str, np.ndarray]:
    """The feature matrices of the data sets scikit-learn ships, by name."""
    from sklearn import datasets

    loaders = {
        "iris": datasets.load_iris,
        "digits": datasets.load_digits,
        "wine": datasets.load_wine,
        "breast_cancer": datasets.load_breast_cancer,
        "diabetes": datasets.load_diabetes,
    }
    return {name: load().data for name, load in loaders.items()}
