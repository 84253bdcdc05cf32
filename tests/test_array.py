"""The Array class: attributes, conversions, printing and devices, for every split and layout."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import (
    ALL_DTYPES,
    FLOAT_DTYPES,
    RANK,
    P,
    assert_array,
    case_id,
    cases,
    data,
    make,
    ragged_counts,
)

import hpa
from hpa.core.layout import chunk

CASES = list(cases())
LAYOUTS = [
    (case, ragged)
    for case in CASES
    for ragged in (False, True)
    if not ragged or case[1] is not None
]
LAYOUT_IDS = [f"{case_id(c)}{'-ragged' if r else ''}" for c, r in LAYOUTS]


def expected_counts(
    shape: tuple[int, ...], split: int | None, ragged: bool
) -> tuple[int, ...] | None:
    if split is None:
        return None
    return tuple(ragged_counts(shape[split])) if ragged else chunk(shape[split], P)


def same_on_every_rank(value: object) -> None:
    """``value`` (a string, a tuple, ...) is identical on every rank."""
    values = hpa.get_comm().allgather_object(value)
    assert all(v == values[0] for v in values), f"ranks disagree: {values}"


# ---------------------------------------------------------------------------------- attributes
@pytest.mark.parametrize("case,ragged", LAYOUTS, ids=LAYOUT_IDS)
def test_attributes(case: tuple, ragged: bool) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=ragged)
    counts = expected_counts(shape, split, ragged)

    assert x.shape == x.gshape == shape
    assert x.split == split
    assert x.ndim == len(shape)
    assert x.size == x.gnumel == ref.size
    assert len(x.shape) == x.ndim
    assert x.counts == counts
    assert x.dtype is hpa.float64
    assert x.device == hpa.get_device()
    assert x.comm is hpa.get_comm()
    assert x.is_balanced() == (not ragged or counts == chunk(shape[split], P))
    assert x.is_distributed() == (split is not None and P > 1)

    lshape = list(shape)
    if split is not None:
        lshape[split] = counts[RANK]
    assert x.lshape == tuple(lshape) == tuple(x.larray.shape)
    assert x.lnumel == x.larray.numel()
    assert x.nbytes == x.gnbytes == ref.nbytes
    assert x.lnbytes == x.larray.numel() * 8

    lmap = x.lshape_map
    assert lmap.dtype == torch.int64 and tuple(lmap.shape) == (P, len(shape))
    assert tuple(lmap[RANK].tolist()) == x.lshape
    for axis, n in enumerate(shape):
        if axis == split:
            assert int(lmap[:, axis].sum()) == n
            assert tuple(lmap[:, axis].tolist()) == counts
        else:
            assert (lmap[:, axis] == n).all()

    # each rank holds exactly its block of the global data
    if split is not None:
        lo = sum(counts[:RANK])
        expected_block = np.take(ref, range(lo, lo + counts[RANK]), axis=split)
    else:
        expected_block = ref
    np.testing.assert_array_equal(x.larray.cpu().numpy(), expected_block)
    assert_array(x, ref)


@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_dtype_attributes(dtype: hpa.DType, split: int | None) -> None:
    ref = data((5, 3), dtype)
    x = make(ref, split, dtype=dtype)
    assert x.dtype is dtype
    assert x.larray.dtype == dtype.torch
    assert x.nbytes == 15 * dtype.itemsize
    assert x.lnbytes == x.larray.numel() * dtype.itemsize
    assert_array(x, ref, dtype=dtype)
    assert x.numpy().dtype == dtype.numpy


# ---------------------------------------------------------------------------------- transpose
@pytest.mark.parametrize("case,ragged", LAYOUTS, ids=LAYOUT_IDS)
def test_T(case: tuple, ragged: bool) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=ragged)
    with hpa.count_collectives() as stats:
        t = x.T
    assert stats.total == 0
    assert t.split == (None if split is None else len(shape) - 1 - split)
    assert t.counts == x.counts
    assert_array(t, ref.T)
    assert_array(t.T, ref)


# ---------------------------------------------------------------------------------- conversion
@pytest.mark.parametrize("dtype", ALL_DTYPES, ids=str)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_astype(dtype: hpa.DType, split: int | None) -> None:
    ref = data((4, 3), hpa.int64, low=0, high=6)  # exactly representable in every dtype
    x = make(ref, split, ragged=True)
    with hpa.count_collectives() as stats:
        y = x.astype(dtype)
    assert stats.total == 0
    assert y.dtype is dtype and y.layout == x.layout
    assert_array(y, ref.astype(dtype.numpy), dtype=dtype)
    assert_array(x, ref)  # the source is untouched


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + [hpa.bfloat16], ids=str)
def test_astype_from_float(dtype: hpa.DType) -> None:
    ref = data((6,), hpa.float64)
    x = make(ref, 0)
    assert_array(x.astype(hpa.int32), ref.astype(np.int32))
    assert_array(x.astype(hpa.bool_), ref.astype(bool))
    assert_array(x.astype(dtype).astype(hpa.float64), ref, rtol=1e-2, dtype=hpa.float64)
    assert_array(x.astype("float32"), ref.astype(np.float32), rtol=1e-6)
    assert_array(x.astype(np.complex64), ref.astype(np.complex64), rtol=1e-6)


def test_astype_copy_flag() -> None:
    x = hpa.arange(5, split=0)
    assert x.astype(hpa.int64, copy=False) is x
    y = x.astype(hpa.int64)
    assert y is not x
    y.larray.fill_(9)
    assert_array(x, np.arange(5))
    assert x.astype(np.uint16).dtype is hpa.uint16
    with pytest.raises(TypeError):
        x.astype(np.float128 if hasattr(np, "float128") else "float128")


@pytest.mark.parametrize("case,ragged", LAYOUTS, ids=LAYOUT_IDS)
def test_copy_is_independent(case: tuple, ragged: bool) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=ragged)
    with hpa.count_collectives() as stats:
        y = x.copy()
    assert stats.total == 0
    assert y.layout == x.layout
    y.larray.fill_(42.0)
    assert_array(x, ref)
    assert_array(y, np.full(shape, 42.0))


@pytest.mark.parametrize("case,ragged", LAYOUTS, ids=LAYOUT_IDS)
def test_numpy_tolist_asarray(case: tuple, ragged: bool) -> None:
    shape, split = case
    ref = data(shape, hpa.int32)
    x = make(ref, split, ragged=ragged)
    got = x.numpy()
    assert isinstance(got, np.ndarray) and got.dtype == np.int32
    np.testing.assert_array_equal(got, ref)
    assert x.tolist() == ref.tolist()
    np.testing.assert_array_equal(np.asarray(x), ref)
    as_float = np.asarray(x, dtype=np.float32)
    assert as_float.dtype == np.float32
    np.testing.assert_array_equal(as_float, ref.astype(np.float32))
    np.testing.assert_array_equal(np.array(x), ref)


def test_numpy_of_bfloat16_and_scalars() -> None:
    ref = data((5,), hpa.bfloat16)
    x = make(ref, 0, dtype=hpa.bfloat16)
    assert x.numpy().dtype == np.float32
    np.testing.assert_array_equal(x.numpy(), ref)
    assert hpa.array(2.5).tolist() == 2.5
    assert hpa.array([[1, 2]], split=1).tolist() == [[1, 2]]


# ---------------------------------------------------------------------------------- item and scalars
SIZE_ONE = (
    [((1,), s) for s in (None, 0)]
    + [((1, 1), s) for s in (None, 0, 1)]
    + [((1, 1, 1), 2), ((), None)]
)


@pytest.mark.parametrize("case", SIZE_ONE, ids=case_id)
@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize(
    "dtype", [hpa.float64, hpa.int32, hpa.bool_, hpa.bfloat16, hpa.complex64], ids=str
)
def test_item(case: tuple, ragged: bool, dtype: hpa.DType) -> None:
    shape, split = case
    ref = data(shape, dtype, seed=3)
    x = make(ref, split, dtype=dtype, ragged=ragged)
    with hpa.count_collectives() as stats:
        value = x.item()
    distributed = split is not None and P > 1
    assert stats["bcast"] == stats.total == (1 if distributed else 0)
    assert value == ref.item()
    assert type(value) is type(ref.item())


@pytest.mark.parametrize(
    "shape,split", [((0,), 0), ((3,), 0), ((2, 2), None), ((1, 2), 1), ((0, 1), None)]
)
def test_item_needs_size_one(shape: tuple, split: int | None) -> None:
    x = hpa.zeros(shape, split=split)
    with hpa.count_collectives() as stats, pytest.raises(ValueError):
        x.item()
    assert stats.total == 0
    with pytest.raises(ValueError):
        float(x)


@pytest.mark.parametrize("split", [None, 0, 1])
def test_python_scalars(split: int | None) -> None:
    assert bool(hpa.array([[0.0]], split=split)) is False
    assert bool(hpa.array([[2.0]], split=split)) is True
    assert int(hpa.array([[3.7]], split=split)) == 3
    assert int(hpa.array([[-3]], split=split)) == -3
    assert float(hpa.array([[1.5]], split=split)) == 1.5
    assert complex(hpa.array([[1 + 2j]], split=split)) == 1 + 2j
    assert range(10)[hpa.array([[4]], split=split)] == 4  # __index__
    with pytest.raises(TypeError):
        range(10)[hpa.array([[4.0]], split=split)]


def test_zero_d_scalars() -> None:
    x = hpa.array(7)
    assert x.ndim == 0 and x.shape == () and x.lshape == () and x.size == 1
    assert x.item() == 7 and int(x) == 7 and float(x) == 7.0
    assert tuple(x.lshape_map.shape) == (P, 0)
    with pytest.raises(TypeError):
        len(x)
    with pytest.raises(TypeError):
        iter(x)
    assert_array(x.T, np.array(7))


# ---------------------------------------------------------------------------------- len, iteration
@pytest.mark.parametrize("case,ragged", LAYOUTS, ids=LAYOUT_IDS)
def test_len_and_iteration(case: tuple, ragged: bool) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=ragged)
    assert len(x) == shape[0]
    rows = list(x)
    assert len(rows) == shape[0]
    for row, want in zip(rows, ref):
        assert row.split == (None if split in (None, 0) else split - 1)
        assert_array(row, want)


# ---------------------------------------------------------------------------------- printing
def numpy_repr(ref: np.ndarray, dtype: hpa.DType, split: int | None) -> str:
    body = np.array2string(ref, separator=", ", prefix="array(")
    return f"array({body}, dtype={dtype.name}, split={split})"


PRINT_DTYPES = [
    hpa.float64, hpa.float32, hpa.int64, hpa.uint8, hpa.bool_, hpa.complex128, hpa.bfloat16, hpa.float16,
]  # fmt: skip


@pytest.mark.parametrize("case,ragged", LAYOUTS, ids=LAYOUT_IDS)
@pytest.mark.parametrize("dtype", [hpa.float64, hpa.int64], ids=str)
def test_str_repr_small(case: tuple, ragged: bool, dtype: hpa.DType) -> None:
    shape, split = case
    ref = data(shape, dtype)
    x = make(ref, split, dtype=dtype, ragged=ragged)
    text, rep = str(x), repr(x)
    same_on_every_rank((text, rep))
    assert text == str(ref)
    assert rep == numpy_repr(ref, dtype, split)


@pytest.mark.parametrize("dtype", PRINT_DTYPES, ids=str)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_str_repr_dtypes(dtype: hpa.DType, split: int | None) -> None:
    ref = data((4, 3), dtype)
    x = make(ref, split, dtype=dtype, ragged=True)
    text, rep = str(x), repr(x)
    same_on_every_rank((text, rep))
    assert text == str(ref)
    assert rep == numpy_repr(ref, dtype, split)


def test_str_repr_zero_d() -> None:
    for value in (2.5, 3, True):
        ref = np.array(value)
        x = hpa.array(value)
        assert str(x) == str(ref)
        assert repr(x) == numpy_repr(ref, x.dtype, None)


BIG_SHAPES = [(1001,), (40, 50), (3, 400), (400, 3), (10, 3, 100), (7, 7, 30)]
BIG_CASES = [(shape, split) for shape in BIG_SHAPES for split in (None, *range(len(shape)))]


@pytest.mark.parametrize("case", BIG_CASES, ids=case_id)
@pytest.mark.parametrize("ragged", [False, True])
def test_str_repr_summarised(case: tuple, ragged: bool) -> None:
    shape, split = case
    ref = np.arange(np.prod(shape), dtype=np.float64).reshape(shape) / 7
    x = make(ref, split, ragged=ragged)
    with hpa.count_collectives() as stats:
        text = str(x)
    assert stats.total == (1 if split is not None and P > 1 else 0)  # only the edges move
    rep = repr(x)
    same_on_every_rank((text, rep))
    assert "..." in text
    assert text == str(ref)
    assert rep == numpy_repr(ref, hpa.float64, split)


@pytest.mark.parametrize("dtype", [hpa.int32, hpa.bool_, hpa.complex64], ids=str)
def test_str_summarised_dtypes(dtype: hpa.DType) -> None:
    ref = data((30, 40), dtype)
    x = make(ref, 1, dtype=dtype, ragged=True)
    text = str(x)
    same_on_every_rank(text)
    assert text == str(ref)
    assert repr(x) == numpy_repr(ref, dtype, 1)


# ---------------------------------------------------------------------------------- devices
def test_cpu_device() -> None:
    x = hpa.arange(6, split=0, device="cpu")
    assert x.device == hpa.cpu and str(x.device) == "cpu" and x.device.kind == "cpu"
    assert x.to("cpu") is x
    assert x.cpu() is x
    assert x.to(hpa.cpu) is x
    assert x.to(torch.device("cpu")) is x
    with pytest.raises(ValueError):
        x.to("tpu")


def test_gpu_device() -> None:
    x = hpa.arange(6, split=0, device="cpu")
    if torch.cuda.is_available():
        y = x.to("gpu")
        assert y.device.kind == "gpu" and y.larray.is_cuda
        assert_array(y.cpu(), np.arange(6))
        assert hpa.zeros(3, device="gpu").device.kind == "gpu"
    else:
        assert not hpa.gpu.is_available()
        with pytest.raises(RuntimeError, match="CUDA"):
            x.to("gpu")
        with pytest.raises(RuntimeError, match="CUDA"):
            x.gpu()
        with pytest.raises(RuntimeError, match="CUDA"):
            hpa.zeros(3, device="gpu")


def test_use_device() -> None:
    previous = hpa.get_device()
    try:
        assert hpa.use_device("cpu") is hpa.cpu
        assert hpa.get_device() is hpa.cpu
        assert hpa.ones(3, split=0).device == hpa.cpu
        assert hpa.use_device(hpa.cpu) is hpa.cpu
        assert hpa.use_device(torch.device("cpu")) is hpa.cpu
        with pytest.raises(ValueError):
            hpa.use_device("quantum")
        if not torch.cuda.is_available():
            assert hpa.use_device("gpu").kind == "gpu"
            with pytest.raises(RuntimeError, match="CUDA"):
                hpa.zeros(3)
    finally:
        hpa.use_device(previous)
    assert hpa.get_device() is previous


def test_redistribution_methods() -> None:
    ref = data((7, 4))
    x = make(ref, 0, ragged=True)
    for axis in (None, 0, 1, -1):
        y = x.resplit(axis)
        assert y.split == (None if axis is None else axis % 2) and y.is_balanced()
        assert_array(y, ref)
    b = x.balance(copy=True)
    assert b.is_balanced() and b.counts == chunk(7, P)
    assert_array(b, ref)
    assert x.counts == tuple(ragged_counts(7))
    x.balance_()
    assert x.is_balanced()
    x.resplit_(1)
    assert x.split == 1
    assert_array(x, ref)
    with pytest.raises(ValueError):
        hpa.zeros(3).redistribute_([3])
