"""DLPack exchange: zero-copy with torch and NumPy everywhere, with CuPy on a GPU."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest
import torch
from helpers import RANK, P, agree, assert_array, data

import hpa

DEV = hpa.get_device().torch_device
HAS_CUPY = importlib.util.find_spec("cupy") is not None and torch.cuda.is_available()


def test_from_dlpack_shares_torch_memory_on_its_device() -> None:
    t = torch.arange(12, dtype=torch.float64, device=DEV).reshape(3, 4)
    x = hpa.from_dlpack(t)
    assert x.device == hpa.get_device() and not x.is_distributed()
    t[1, 2] = -7.0
    assert_array(x, t.cpu().numpy())
    assert x.larray.data_ptr() == t.data_ptr()


def test_from_dlpack_keeps_the_producers_device() -> None:
    values = data((4, 3))
    x = hpa.from_dlpack(values)
    assert x.device == hpa.cpu
    assert_array(x, values)
    moved = hpa.from_dlpack(values, device=hpa.get_device())
    assert moved.device == hpa.get_device()
    assert_array(moved, values)


def test_from_dlpack_copy() -> None:
    t = torch.ones(5, device=DEV)
    x = hpa.from_dlpack(t, copy=True)
    t.zero_()
    assert_array(x, np.ones(5, dtype=np.float32))


@pytest.mark.parametrize("split", [0, 1])
def test_from_dlpack_split_and_blocks(split: int) -> None:
    values = data((7, 5), seed=3)
    assert_array(hpa.from_dlpack(torch.from_numpy(values).to(DEV), split=split), values)
    # with is_split every rank passes its own block: rank r holds r + 1 rows (or columns)
    rows = [values[:, : r + 1] if split else values[: r + 1] for r in range(P)]
    block = torch.from_numpy(np.ascontiguousarray(rows[RANK])).to(DEV)
    x = hpa.from_dlpack(block, is_split=split)
    assert x.split == split and x.larray.data_ptr() == block.data_ptr()
    assert_array(x, np.concatenate(rows, axis=split))


def test_dlpack_export_is_zero_copy() -> None:
    x = hpa.arange(6, dtype=hpa.float32)
    t = torch.from_dlpack(x)
    assert t.device == x.larray.device and t.data_ptr() == x.larray.data_ptr()


@pytest.mark.skipif(not HAS_CUPY, reason="needs CuPy and a CUDA device")
def test_cupy_round_trip_zero_copy() -> None:
    import cupy

    with cupy.cuda.Device(hpa.gpu.torch_device.index):
        c = cupy.arange(20, dtype=cupy.float32).reshape(4, 5)
        x = hpa.from_dlpack(c)
        agree(x.device.kind == "gpu", "a CuPy array gives a GPU array")
        agree(x.larray.data_ptr() == c.data.ptr, "hpa shares CuPy's memory")
        c[0, 0] = 100.0
        cupy.cuda.get_current_stream().synchronize()
        assert_array(x, cupy.asnumpy(c))
        y = hpa.from_dlpack(c, is_split=0)
        assert_array(y, np.concatenate([cupy.asnumpy(c)] * P))
        back = cupy.from_dlpack(x * 2)
        agree(bool((back == 2 * c).all()), "CuPy reads what hpa computed")
        shared = cupy.from_dlpack(x)
        agree(shared.data.ptr == x.larray.data_ptr(), "CuPy shares hpa's memory")
