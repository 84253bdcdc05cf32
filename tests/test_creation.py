"""Array factories: from data (array, asarray, is_split) and from shapes and ranges."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from helpers import RANK, P, assert_array, case_id, cases, data, make, raised_everywhere, splits

import hpa
from hpa.core.layout import chunk

SHAPES = [(0,), (1,), (2,), (7,), (3, 5), (1, 4), (0, 3), (2, 3, 4)]
CASES = list(cases(SHAPES))


def assert_block(x: hpa.Array, ref: np.ndarray, split: int | None) -> None:
    """Without communicating, this rank's block is its balanced share of ``ref``."""
    if split is None:
        expected = ref
    else:
        counts = chunk(ref.shape[split], P)
        lo = sum(counts[:RANK])
        expected = np.take(ref, range(lo, lo + counts[RANK]), axis=split)
    assert x.lshape == expected.shape == tuple(x.larray.shape)
    got = x.larray
    if got.dtype == torch.bfloat16:
        got = got.float()
    np.testing.assert_array_equal(got.cpu().numpy(), expected)


# ---------------------------------------------------------------------------------- array from data
def _sources() -> list[tuple[str, Any, np.ndarray]]:
    base = np.arange(24, dtype=np.float64).reshape(4, 6) - 7.5
    big_endian = base.astype(">f8")
    readonly = np.broadcast_to(np.arange(6), (4, 6))
    return [
        ("list", [1, 2, 3], np.array([1, 2, 3])),
        (
            "nested-list",
            [[1.5, 2.0], [3.0, 4.0], [5.0, 6.0]],
            np.array([[1.5, 2.0], [3.0, 4.0], [5.0, 6.0]]),
        ),
        ("bool-list", [[True, False, True]], np.array([[True, False, True]])),
        ("complex-list", [1j, 2, 3.5], np.array([1j, 2, 3.5])),
        ("numpy", base, base),
        ("numpy-float32", base.astype(np.float32), base.astype(np.float32)),
        ("numpy-strided", base[::2, ::3], base[::2, ::3]),
        ("numpy-reversed", base[::-1, ::-2], base[::-1, ::-2]),
        ("numpy-fortran", np.asfortranarray(base), base),
        ("numpy-transposed", base.T, base.T),
        ("numpy-big-endian", big_endian, base),
        ("numpy-readonly", readonly, np.array(readonly)),
        ("numpy-3d", base.reshape(2, 3, 4), base.reshape(2, 3, 4)),
        (
            "torch",
            torch.arange(12, dtype=torch.int32).reshape(3, 4),
            np.arange(12, dtype=np.int32).reshape(3, 4),
        ),
        (
            "torch-transposed",
            torch.arange(12.0).reshape(3, 4).T,
            np.arange(12.0, dtype=np.float32).reshape(3, 4).T,
        ),
        ("empty-list", [], np.array([])),
        ("empty-2d", np.zeros((0, 3), dtype=np.int16), np.zeros((0, 3), dtype=np.int16)),
    ]


SOURCES = _sources()
SOURCE_CASES = [(name, src, ref, split) for name, src, ref in SOURCES for split in splits(ref.ndim)]


@pytest.mark.parametrize(
    "name,src,ref,split", SOURCE_CASES, ids=[f"{c[0]}-s{c[3]}" for c in SOURCE_CASES]
)
def test_array_from_data(name: str, src: Any, ref: np.ndarray, split: int | None) -> None:
    with hpa.count_collectives() as stats:
        x = hpa.array(src, split=split)
    assert stats.total == 0
    assert x.split == split
    assert x.device == hpa.get_device()  # torch tensors too: device=None is the default device
    assert_block(x, ref, split)
    assert_array(x, ref)


@pytest.mark.parametrize(
    "value,dtype",
    [(3, hpa.int64), (2.5, hpa.float64), (True, hpa.bool_), (1 + 2j, hpa.complex128),
     (np.float32(1.5), hpa.float32), (np.int16(-4), hpa.int16), (np.uint8(200), hpa.uint8)],
    ids=str,
)  # fmt: skip
def test_array_from_scalar(value: Any, dtype: hpa.DType) -> None:
    x = hpa.array(value)
    assert x.shape == () and x.split is None and x.dtype is dtype
    assert x.item() == value
    assert_array(x, np.asarray(value), dtype=dtype)
    with pytest.raises(ValueError):
        hpa.array(value, split=0)


def test_default_dtypes_follow_numpy() -> None:
    assert hpa.array([1, 2]).dtype is hpa.int64
    assert hpa.array([1.0, 2]).dtype is hpa.float64
    assert hpa.array([True]).dtype is hpa.bool_
    assert hpa.array([]).dtype is hpa.float64
    assert hpa.zeros(2).dtype is hpa.ones(2).dtype is hpa.empty(2).dtype is hpa.float64
    assert hpa.arange(3).dtype is hpa.int64
    assert hpa.arange(3.0).dtype is hpa.float64
    assert hpa.full(2, 3).dtype is hpa.int64
    assert hpa.full(2, 3.0).dtype is hpa.float64
    assert hpa.full(2, False).dtype is hpa.bool_
    assert hpa.full(2, 1j).dtype is hpa.complex128
    assert hpa.linspace(0, 1, 3).dtype is hpa.float64
    assert hpa.linspace(0, 10, 3).dtype is hpa.float64
    assert hpa.logspace(0, 1, 3).dtype is hpa.float64
    assert hpa.eye(2).dtype is hpa.identity(2).dtype is hpa.float64


@pytest.mark.parametrize(
    "dtype,expected",
    [(hpa.float32, hpa.float32), ("int16", hpa.int16), (np.uint8, hpa.uint8), (torch.float16, hpa.float16),
     (float, hpa.float64), (int, hpa.int64), (bool, hpa.bool_), (complex, hpa.complex128),
     (hpa.bfloat16, hpa.bfloat16), (np.dtype("complex64"), hpa.complex64)],
    ids=str,
)  # fmt: skip
@pytest.mark.parametrize("split", [None, 0, 1])
def test_array_dtype_argument(dtype: Any, expected: hpa.DType, split: int | None) -> None:
    ref = np.array([[0, 1, 2], [3, 4, 5]])
    x = hpa.array(ref.tolist(), dtype=dtype, split=split)
    assert x.dtype is expected
    assert_block(x, ref.astype(expected.numpy), split)
    assert_array(x, ref.astype(expected.numpy), dtype=expected)
    y = hpa.array(torch.from_numpy(ref), dtype=dtype, split=split)
    assert_array(y, ref.astype(expected.numpy), dtype=expected)


@pytest.mark.parametrize(
    "bad",
    [np.array([1, None], dtype=object), np.array(["a", "b"]), np.arange(3).astype("m8[h]"),
     np.longdouble([1.5]) if np.dtype(np.longdouble).itemsize > 8 else np.array([b"x"])],
    ids=["object", "str", "timedelta", "longdouble"],
)  # fmt: skip
def test_array_unsupported_dtypes(bad: Any) -> None:
    with pytest.raises(TypeError):
        hpa.array(bad)
    with pytest.raises(TypeError):
        hpa.array(bad, split=0)


@pytest.mark.parametrize("dtype", [object, "float128", "U3", "datetime64[s]"], ids=str)
def test_unsupported_dtype_argument(dtype: Any) -> None:
    with pytest.raises(TypeError):
        hpa.array([1, 2], dtype=dtype)
    with pytest.raises(TypeError):
        hpa.zeros(3, dtype=dtype)


def test_split_errors() -> None:
    with pytest.raises(ValueError):
        hpa.array([1, 2, 3], split=0, is_split=0)
    with pytest.raises(ValueError):
        hpa.array([1, 2, 3], split=1)
    with pytest.raises(ValueError):
        hpa.zeros((2, 3), split=2)
    with pytest.raises(ValueError):
        hpa.zeros((2, -1))
    with pytest.raises(TypeError):
        hpa.zeros(3, split=0.0)
    assert hpa.array(np.ones((2, 3)), split=-1).split == 1
    assert hpa.zeros((2, 3), split=-2).split == 0


def test_array_copy_semantics() -> None:
    ref = np.arange(6.0)
    x = hpa.array(ref)
    ref_copy = ref.copy()
    ref[0] = 100.0
    assert_array(x, ref_copy)  # array() copies
    # asarray() shares replicated data on the data's own device (host memory here)
    shared = hpa.asarray(ref, device="cpu")
    ref[1] = -1.0
    assert shared.larray[1].item() == -1.0
    t = torch.arange(4.0)
    assert hpa.asarray(t, device="cpu").larray.data_ptr() == t.data_ptr()
    assert hpa.array(t, device="cpu").larray.data_ptr() != t.data_ptr()
    assert hpa.asarray(t).device == hpa.get_device()


# ---------------------------------------------------------------------------------- from hpa arrays
@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_array_from_hpa(case: tuple) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=True)
    y = hpa.array(x)
    assert y is not x and y.layout == x.layout
    y.larray.fill_(3.0)
    assert_array(x, ref)
    assert hpa.asarray(x) is x
    z = hpa.asarray(x, copy=True)
    assert z is not x and z.layout == x.layout
    assert_array(hpa.array(x, dtype=hpa.float32), ref.astype(np.float32), rtol=1e-6)
    for target in splits(len(shape)):
        if target is None:
            continue
        moved = hpa.array(x, split=target)
        assert moved.split == target
        if target != split:  # a new split axis is balanced; the same one keeps x's extents
            assert moved.is_balanced()
            assert_block(moved, ref, target)
        else:
            assert moved.layout == x.layout
        assert_array(moved, ref)
        assert_array(hpa.asarray(x, split=target, dtype=hpa.int64), ref.astype(np.int64))


# ---------------------------------------------------------------------------------- is_split
def _block_rows(rank: int) -> int:
    return (2, 0, 3, 1)[rank % 4]  # rank 1 contributes no rows


IS_SPLIT_CASES = [
    ((), 0),
    ((3,), 0),
    ((3,), 1),
    ((2, 4), 0),
    ((2, 4), 1),
    ((2, 4), 2),
    ((2, 4), -1),
]


@pytest.mark.parametrize("other,axis", IS_SPLIT_CASES, ids=[f"{o}-a{a}" for o, a in IS_SPLIT_CASES])
@pytest.mark.parametrize("source", ["numpy", "torch", "list", "hpa"])
def test_is_split(other: tuple, axis: int, source: str) -> None:
    counts = [_block_rows(r) for r in range(P)]
    ndim = len(other) + 1
    axis_n = axis % ndim
    gshape = list(other)
    gshape.insert(axis_n, sum(counts))
    ref = np.arange(np.prod(gshape), dtype=np.float32).reshape(gshape)
    lo = sum(counts[:RANK])
    block = np.take(ref, range(lo, lo + counts[RANK]), axis=axis_n)
    src: Any = {
        "numpy": block,
        "torch": torch.from_numpy(block),
        "list": block.tolist() if block.size else block,  # [] would lose the other axes
        "hpa": hpa.array(block),
    }[source]
    with hpa.count_collectives() as stats:
        x = hpa.array(src, is_split=axis, dtype=hpa.float32)
    # the local shapes, nothing else (none at one process)
    assert stats.total == stats["allgather_object"] == (1 if P > 1 else 0)
    assert x.shape == tuple(gshape)
    assert x.split == axis_n and x.counts == tuple(counts)
    np.testing.assert_array_equal(x.larray.cpu().numpy(), block)
    assert_array(x, ref)


def test_is_split_other_axes_disagree() -> None:
    # the last rank's block has one more column: every rank must raise, no rank may hang
    cols = 3 if RANK == P - 1 and P > 1 else 2
    block = np.ones((RANK + 1, cols))
    if P > 1:
        raised_everywhere(ValueError, lambda: hpa.array(block, is_split=0))
    else:
        assert_array(hpa.array(block, is_split=0), np.ones((1, 2)))


def test_is_split_ndim_disagree() -> None:
    uneven = P > 1 and RANK == P - 1
    block = np.ones((2, 2)) if uneven else np.ones(2)
    if P > 1:
        raised_everywhere(ValueError, lambda: hpa.array(block, is_split=0))
    else:
        assert_array(hpa.array(block, is_split=0), np.ones(2))
    raised_everywhere(ValueError, lambda: hpa.array(np.ones(2), is_split=1))
    raised_everywhere(ValueError, lambda: hpa.array(5.0, is_split=0))


BLOCK_DTYPES = [
    (np.int8, np.uint8, np.int16),
    (np.int64, np.float32),
    (np.bool_, np.int8),
    (np.float32, np.complex64, np.float16),
    (np.uint8, np.float16),
]


@pytest.mark.parametrize("kinds", BLOCK_DTYPES, ids=lambda k: "-".join(np.dtype(d).name for d in k))
@pytest.mark.parametrize("rows", [1, 0])
def test_is_split_blocks_of_different_dtypes_promote(kinds: tuple, rows: int) -> None:
    blocks = [np.full((rows, 2), r + 1).astype(kinds[r % len(kinds)]) for r in range(P)]
    expected = np.concatenate(blocks)
    with hpa.count_collectives() as stats:
        x = hpa.array(blocks[RANK], is_split=0)
    assert stats.total == (1 if P > 1 else 0)  # the promotion travels with the shapes
    assert x.larray.dtype == x.dtype.torch
    assert_array(x, expected)
    assert_array(
        hpa.array(blocks[RANK], is_split=0, dtype=hpa.complex128), expected.astype(complex)
    )


# ---------------------------------------------------------------------------------- fills
FILLS = [
    (hpa.zeros, (), 0.0, hpa.float64),
    (hpa.ones, (), 1.0, hpa.float64),
    (hpa.full, (2.5,), 2.5, hpa.float64),
    (hpa.full, (-3,), -3, hpa.int64),
    (hpa.full, (True,), True, hpa.bool_),
    (hpa.full, (1 - 1j,), 1 - 1j, hpa.complex128),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.parametrize("fill", FILLS, ids=lambda f: f"{f[0].__name__}-{f[2]}")
def test_fill_factories(case: tuple, fill: tuple) -> None:
    shape, split = case
    factory, args, value, dtype = fill
    with hpa.count_collectives() as stats:
        x = factory(shape, *args, split=split)
    assert stats.total == 0
    ref = np.full(shape, value, dtype=dtype.numpy)
    assert x.split == split and x.dtype is dtype
    assert_block(x, ref, split)
    assert_array(x, ref)


SMALL_DTYPES = [hpa.int8, hpa.uint8, hpa.float16, hpa.bfloat16, hpa.complex64, hpa.bool_]


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.parametrize("dtype", SMALL_DTYPES, ids=str)
def test_fill_factories_dtypes(case: tuple, dtype: hpa.DType) -> None:
    shape, split = case
    with hpa.count_collectives() as stats:
        z, o, e, f = (
            hpa.zeros(shape, dtype=dtype, split=split),
            hpa.ones(shape, dtype=dtype, split=split),
            hpa.empty(shape, dtype=dtype, split=split),
            hpa.full(shape, 1, dtype=dtype, split=split),
        )
    assert stats.total == 0
    for x in (z, o, e, f):
        assert x.dtype is dtype and x.shape == shape and x.split == split
        assert x.lshape == tuple(x.larray.shape)
    assert_block(z, np.zeros(shape, dtype=dtype.numpy), split)
    assert_block(o, np.ones(shape, dtype=dtype.numpy), split)
    assert_array(f, np.ones(shape, dtype=dtype.numpy), dtype=dtype)


def test_shape_arguments() -> None:
    assert hpa.zeros(4).shape == (4,)
    assert hpa.zeros(np.int64(4)).shape == (4,)
    assert hpa.ones([2, 3], split=1).shape == (2, 3)
    assert hpa.empty((2, np.int32(3))).shape == (2, 3)
    assert hpa.full((), 7).shape == ()
    assert hpa.zeros(()).item() == 0.0
    assert hpa.full(3, hpa.array(2.5)).dtype is hpa.float64


# ---------------------------------------------------------------------------------- _like
LIKE = [
    (hpa.zeros_like, (), 0),
    (hpa.ones_like, (), 1),
    (hpa.full_like, (7,), 7),
    (hpa.empty_like, (), None),
]


@pytest.mark.parametrize("case", CASES, ids=case_id)
@pytest.mark.parametrize("like", LIKE, ids=lambda f: f[0].__name__)
def test_like_factories(case: tuple, like: tuple) -> None:
    shape, split = case
    factory, args, value = like
    ref = data(shape, hpa.int32)
    x = make(ref, split, ragged=True)
    with hpa.count_collectives() as stats:
        same = factory(x, *args)
        typed = factory(x, *args, dtype=hpa.float32)
        moved = [factory(x, *args, split=s) for s in splits(len(shape))]
        reshaped = factory(x, *args, shape=(3, 2), split=0)
        from_numpy = factory(ref, *args)
    assert stats.total == 0
    assert same.layout == x.layout and same.dtype is hpa.int32
    assert typed.layout == x.layout and typed.dtype is hpa.float32
    for s, y in zip(splits(len(shape)), moved):
        assert y.split == s and y.shape == shape and y.dtype is hpa.int32
        assert y.counts == (x.counts if s == split else (None if s is None else chunk(shape[s], P)))
    assert reshaped.shape == (3, 2) and reshaped.split == 0 and reshaped.is_balanced()
    assert from_numpy.split is None and from_numpy.shape == shape and from_numpy.dtype is hpa.int32
    if value is not None:
        assert_array(same, np.full(shape, value, dtype=np.int32))
        assert_array(typed, np.full(shape, value, dtype=np.float32))
        for y in moved:
            assert_array(y, np.full(shape, value, dtype=np.int32))
        assert_array(reshaped, np.full((3, 2), value, dtype=np.int32))
        assert_array(from_numpy, np.full(shape, value, dtype=np.int32))


# ---------------------------------------------------------------------------------- ranges
ARANGE_ARGS = [
    (5,), (0,), (-3,), (1,), (2, 9), (9, 2), (3, 3), (0, 10, 3), (10, 0, -3), (5, -3, -2), (-7, 7, 2),
    (2.5,), (1, 2.0), (0, 1, 0.1), (0.5, 5.5, 0.7), (-1.5, 1.5, 0.5), (3.0, -1.0, -0.5), (1, 10, 2.5),
]  # fmt: skip


@pytest.mark.parametrize("args", ARANGE_ARGS, ids=str)
@pytest.mark.parametrize("split", [None, 0])
def test_arange(args: tuple, split: int | None) -> None:
    ref = np.arange(*args)
    with hpa.count_collectives() as stats:
        x = hpa.arange(*args, split=split)
    assert stats.total == 0
    assert x.split == split
    if ref.dtype.kind == "i":
        assert_block(x, ref, split)
    assert_array(x, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(
    "args,dtype",
    [((5,), hpa.float32), ((0, 10, 2), hpa.int16), ((1.0, 4.0), hpa.int64), ((6,), hpa.uint8),
     ((0, 2, 0.25), hpa.float32), ((4,), hpa.complex128), ((-4, 4), hpa.int8), ((3,), hpa.bfloat16)],
    ids=str,
)  # fmt: skip
@pytest.mark.parametrize("split", [None, 0])
def test_arange_dtype(args: tuple, dtype: hpa.DType, split: int | None) -> None:
    ref = np.arange(*args, dtype=dtype.numpy)
    x = hpa.arange(*args, dtype=dtype, split=split)
    assert_array(x, ref, dtype=dtype)


def test_arange_errors() -> None:
    with pytest.raises(ValueError):
        hpa.arange(0, 5, 0)
    with pytest.raises(TypeError):
        hpa.arange()
    with pytest.raises(TypeError):
        hpa.arange(1, 2, 3, 4)


LINSPACE_ARGS = [
    ((0, 1, 5), {}), ((0, 1, 5), {"endpoint": False}), ((2, -3, 7), {}), ((0, 1, 0), {}),
    ((0, 1, 1), {}), ((0, 1, 1), {"endpoint": False}), ((0, 10, 4), {"dtype": hpa.int64}),
    ((-1, 1, 9), {"dtype": hpa.float32}), ((1.5, 1.5, 4), {}), ((0, 1, 50), {}), ((0, 1, 2), {}),
]  # fmt: skip


@pytest.mark.parametrize("args,kwargs", LINSPACE_ARGS, ids=str)
@pytest.mark.parametrize("split", [None, 0])
def test_linspace(args: tuple, kwargs: dict, split: int | None) -> None:
    np_kwargs = {k: (v.numpy if isinstance(v, hpa.DType) else v) for k, v in kwargs.items()}
    ref, ref_step = np.linspace(*args, retstep=True, **np_kwargs)
    with hpa.count_collectives() as stats:
        x, step = hpa.linspace(*args, retstep=True, split=split, **kwargs)
    assert stats.total == 0
    assert x.split == split
    assert_array(x, ref, rtol=1e-6 if ref.dtype == np.float32 else 1e-12, atol=1e-12)
    np.testing.assert_allclose(step, ref_step, equal_nan=True)
    assert_array(hpa.linspace(*args, split=split, **kwargs), ref, rtol=1e-6, atol=1e-12)


def test_linspace_errors() -> None:
    with pytest.raises(ValueError):
        hpa.linspace(0, 1, -1)


LOGSPACE_ARGS = [
    ((0, 2, 5), {}), ((0, 2, 5), {"base": 2.0}), ((1, -1, 4), {"endpoint": False}), ((0, 1, 0), {}),
    ((0, 1, 1), {}), ((0, 3, 4), {"dtype": hpa.float32}), ((-2, 2, 7), {"base": 3}),
]  # fmt: skip


@pytest.mark.parametrize("args,kwargs", LOGSPACE_ARGS, ids=str)
@pytest.mark.parametrize("split", [None, 0])
def test_logspace(args: tuple, kwargs: dict, split: int | None) -> None:
    np_kwargs = {k: (v.numpy if isinstance(v, hpa.DType) else v) for k, v in kwargs.items()}
    ref = np.logspace(*args, **np_kwargs)
    with hpa.count_collectives() as stats:
        x = hpa.logspace(*args, split=split, **kwargs)
    assert stats.total == 0
    assert x.split == split
    assert_array(x, ref, rtol=1e-6 if ref.dtype == np.float32 else 1e-12)


EYE_ARGS = [
    (4,),
    (3, 5),
    (5, 3),
    (5, 3, 1),
    (4, 4, -2),
    (4, 4, 5),
    (3, 6, -4),
    (0,),
    (1, 3, -1),
    (2, 0),
]


@pytest.mark.parametrize("args", EYE_ARGS, ids=str)
@pytest.mark.parametrize("split", [None, 0, 1])
@pytest.mark.parametrize("dtype", [hpa.float64, hpa.int32, hpa.bool_], ids=str)
def test_eye(args: tuple, split: int | None, dtype: hpa.DType) -> None:
    ref = np.eye(*args, dtype=dtype.numpy)
    with hpa.count_collectives() as stats:
        x = hpa.eye(*args, dtype=dtype, split=split)
    assert stats.total == 0
    assert x.split == split and x.dtype is dtype
    assert_block(x, ref, split)
    assert_array(x, ref)


def test_eye_keywords() -> None:
    assert_array(hpa.eye(3, M=4, k=2, split=1), np.eye(3, M=4, k=2))
    assert_array(hpa.eye(N=2, split=0), np.eye(2))


@pytest.mark.parametrize("split", [None, 0, 1])
def test_eye_far_diagonal(split: int | None) -> None:
    """A diagonal offset beyond int64 (or beyond the array) gives an empty diagonal."""
    for n, m, k in [(3, 4, 10**30), (3, None, -(10**30)), (0, 0, 2**70), (2, 5, 5), (5, 2, -5)]:
        assert_array(hpa.eye(n, m, k=k, split=split), np.eye(n, m, k=k))


@pytest.mark.parametrize("n", [0, 1, 2, 5])
@pytest.mark.parametrize("split", [None, 0, 1])
def test_identity(n: int, split: int | None) -> None:
    with hpa.count_collectives() as stats:
        x = hpa.identity(n, split=split)
        y = hpa.identity(n, dtype=hpa.int8, split=split)
    assert stats.total == 0
    assert_block(x, np.identity(n), split)
    assert_array(x, np.identity(n))
    assert_array(y, np.identity(n, dtype=np.int8))
