"""The exact integer and bool matrix product (``hpa.linalg.products.exact_matmul``), which CUDA
blocks use because CUDA has no integer ``matmul``, checked against NumPy on the CPU (and on a
GPU when there is one): every integer dtype and bool, wrap-around at the dtype's range, ragged,
empty, vector and batched shapes, tiling forced down to single elements, and hpa's distributed
matmul routed through it.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from helpers import assert_array, make

import hpa
from hpa.linalg import products
from hpa.linalg.products import exact_matmul

DTYPES = [np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_]
DEVICES = ["cpu", *(["cuda"] if torch.cuda.is_available() else [])]
SHAPES = [
    ((3, 4), (4, 5)),
    ((1, 7), (7, 1)),
    ((5, 1), (1, 6)),
    ((0, 3), (3, 2)),
    ((4, 0), (0, 3)),
    ((2, 5), (5, 0)),
    ((6,), (6, 3)),
    ((4, 6), (6,)),
    ((7,), (7,)),
    ((0,), (0,)),
    ((3, 4, 5), (5, 2)),
    ((2, 3), (4, 3, 5)),
    ((2, 1, 4, 3), (5, 3, 2)),
    ((4,), (3, 4, 2)),
    ((3, 2, 4), (4,)),
    ((0, 2, 3), (3, 4)),
    ((2, 2, 3), (1, 3, 0)),
]


def values(shape: tuple[int, ...], dtype: type, seed: int) -> np.ndarray:
    """Random values over the whole range of ``dtype`` (so products wrap around)."""
    rng = np.random.default_rng(seed)
    if dtype is np.bool_:
        return rng.random(shape) < 0.3
    info = np.iinfo(dtype)
    return rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)


def check(a: np.ndarray, b: np.ndarray, device: str = "cpu") -> None:
    with np.errstate(over="ignore"):
        expected = np.asarray(np.matmul(a, b))
    got = exact_matmul(torch.from_numpy(a).to(device), torch.from_numpy(b).to(device))
    assert got.dtype == torch.from_numpy(expected).dtype
    assert got.device.type == device
    np.testing.assert_array_equal(got.cpu().numpy(), expected)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES, ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_exact_matmul_matches_numpy(
    shapes: tuple[tuple[int, ...], tuple[int, ...]], dtype: type, device: str
) -> None:
    check(values(shapes[0], dtype, 1), values(shapes[1], dtype, 2), device)


@pytest.mark.parametrize("budget", [1, 2, 8, 30, 1000])
@pytest.mark.parametrize("dtype", [np.int8, np.int64, np.bool_], ids=lambda d: np.dtype(d).name)
def test_tiles_of_every_size(monkeypatch: pytest.MonkeyPatch, dtype: type, budget: int) -> None:
    """Budgets below one row, one matrix and one stack entry cut every axis into tiles."""
    itemsize = np.dtype(dtype).itemsize
    monkeypatch.setattr(products, "_EXACT_BYTES", budget * itemsize)
    for sa, sb in [((5, 9), (9, 7)), ((3, 4, 6), (6, 5)), ((2, 1, 3, 4), (3, 4, 2)), ((9,), (9,))]:
        check(values(sa, dtype, 3), values(sb, dtype, 4))


def test_non_contiguous_operands() -> None:
    a = values((6, 5), np.int32, 5)
    b = values((4, 6), np.int32, 6)
    got = exact_matmul(torch.from_numpy(a).T, torch.from_numpy(b).T)
    np.testing.assert_array_equal(got.numpy(), a.T @ b.T)


def test_errors() -> None:
    one = torch.ones(3, 3, dtype=torch.int32)
    with pytest.raises(TypeError):
        exact_matmul(one, one.to(torch.int64))
    with pytest.raises(RuntimeError):
        exact_matmul(one, torch.ones((), dtype=torch.int32))
    with pytest.raises(RuntimeError):
        exact_matmul(one, torch.ones(4, 2, dtype=torch.int32))


def test_local_matmul_keeps_torch_on_the_cpu(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        raise AssertionError("exact_matmul used on the CPU")

    monkeypatch.setattr(products, "exact_matmul", refuse)
    a = torch.arange(6, dtype=torch.int64).reshape(2, 3)
    assert torch.equal(products.local_matmul(a, a.T), torch.matmul(a, a.T))


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_local_matmul_of_integers_on_a_gpu() -> None:
    """CUDA's matmul rejects integers; local_matmul takes the exact product there."""
    for dtype in (torch.int32, torch.int64, torch.uint8):
        a = torch.arange(12, dtype=dtype, device="cuda").reshape(3, 4)
        expected = torch.matmul(a.cpu(), a.cpu().T)
        assert torch.equal(products.local_matmul(a, a.T).cpu(), expected)
    f = torch.rand(3, 4, dtype=torch.float64, device="cuda")
    torch.testing.assert_close(products.local_matmul(f, f.T), f @ f.T)


LAYOUTS = [(None, False), (0, False), (1, False), (0, True), (1, True)]


@pytest.mark.parametrize("dtype", [hpa.int64, hpa.int32, hpa.uint8, hpa.bool_], ids=str)
def test_distributed_matmul_through_the_fallback(
    monkeypatch: pytest.MonkeyPatch, dtype: hpa.DType
) -> None:
    """Every pair of splits (local products, ring, split contraction) with the exact product
    in place of ``torch.matmul``, as on a GPU."""
    monkeypatch.setattr(products, "local_matmul", exact_matmul)
    monkeypatch.setattr(products, "_EXACT_BYTES", 64)
    a = values((5, 4), dtype.numpy.type, 7)
    b = values((4, 3), dtype.numpy.type, 8)
    with np.errstate(over="ignore"):
        expected = a @ b
    for la, lb in itertools.product(LAYOUTS, repeat=2):
        got = make(a, la[0], ragged=la[1]) @ make(b, lb[0], ragged=lb[1])
        assert got.dtype == dtype
        assert_array(got, expected, rtol=0, atol=0)
    stack = values((3, 5, 4), dtype.numpy.type, 9)
    with np.errstate(over="ignore"):
        expected = stack @ b
    for split in (None, 0, 1, 2):
        assert_array(make(stack, split) @ make(b, None), expected, rtol=0, atol=0)
