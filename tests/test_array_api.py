"""The Array API standard (2024.12) namespace: names, inspection, dtype queries, and the
functions the Array API adds beyond NumPy (:mod:`hpa.ops.inspection` and others), against NumPy.

Every rank runs the same calls in the same order, and every check compares gathered data (or
metadata known on every rank), so all ranks reach the same verdict.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest
import torch
from helpers import P, assert_array, case_id, data, make, raised_everywhere

import hpa

# The standard's functions hpa claims to provide (the standard's lists, minus what is missing:
# from_dlpack is here; matmul, tensordot and the linalg extension are not; tests/test_fft.py
# covers the fft extension).
STANDARD_FUNCTIONS = [
    # creation
    "arange", "asarray", "empty", "empty_like", "eye", "from_dlpack", "full", "full_like",
    "linspace", "meshgrid", "ones", "ones_like", "tril", "triu", "zeros", "zeros_like",
    # data types
    "astype", "can_cast", "finfo", "iinfo", "isdtype", "result_type",
    # elementwise
    "abs", "acos", "acosh", "add", "asin", "asinh", "atan", "atan2", "atanh", "bitwise_and",
    "bitwise_left_shift", "bitwise_invert", "bitwise_or", "bitwise_right_shift", "bitwise_xor",
    "ceil", "clip", "conj", "copysign", "cos", "cosh", "divide", "equal", "exp", "expm1",
    "floor", "floor_divide", "greater", "greater_equal", "hypot", "imag", "isfinite", "isinf",
    "isnan", "less", "less_equal", "log", "log1p", "log2", "log10", "logaddexp", "logical_and",
    "logical_not", "logical_or", "logical_xor", "maximum", "minimum", "multiply", "negative",
    "nextafter", "not_equal", "positive", "pow", "real", "reciprocal", "remainder", "round",
    "sign", "signbit", "sin", "sinh", "square", "sqrt", "subtract", "tan", "tanh", "trunc",
    # indexing
    "take", "take_along_axis",
    # inspection
    "__array_namespace_info__",
    # linear algebra
    "matrix_transpose", "vecdot",
    # manipulation
    "broadcast_arrays", "broadcast_to", "concat", "expand_dims", "flip", "moveaxis",
    "permute_dims", "repeat", "reshape", "roll", "squeeze", "stack", "tile", "unstack",
    # searching
    "argmax", "argmin", "count_nonzero", "nonzero", "searchsorted", "where",
    # sets
    "unique_all", "unique_counts", "unique_inverse", "unique_values",
    # sorting
    "argsort", "sort",
    # statistics
    "cumulative_prod", "cumulative_sum", "max", "mean", "min", "prod", "std", "sum", "var",
    # utility
    "all", "any", "diff",
]  # fmt: skip
STANDARD_DTYPES = [
    "bool", "int8", "int16", "int32", "int64", "uint8",
    "float32", "float64", "complex64", "complex128",
]  # fmt: skip
KINDS = [
    "bool", "signed integer", "unsigned integer", "integral", "real floating",
    "complex floating", "numeric",
]  # fmt: skip
VECTOR_SPLITS = [None, 0]


# ---------------------------------------------------------------------------- namespace
@pytest.mark.parametrize("name", STANDARD_FUNCTIONS)
def test_standard_function_exists(name: str) -> None:
    assert callable(getattr(hpa, name, None)), f"hpa.{name} is missing"


def test_constants_and_version() -> None:
    assert hpa.__array_api_version__ == "2024.12"
    assert (hpa.e, hpa.pi, hpa.inf) == (np.e, np.pi, np.inf)
    assert np.isnan(hpa.nan) and hpa.newaxis is None
    for name in STANDARD_DTYPES:
        assert isinstance(getattr(hpa, name), hpa.DType)


@pytest.mark.parametrize("split", [None, 0, 1])
def test_array_members(split: int | None) -> None:
    values = data((3, 4))
    x = make(values, split)
    assert x.__array_namespace__() is hpa
    assert x.__array_namespace__(api_version="2024.12") is hpa
    assert_array(x.mT, values.T)
    assert_array(x.to_device(hpa.cpu), values)
    if x.is_distributed():
        raised_everywhere(BufferError, lambda: x.__dlpack__())
    else:
        # NumPy imports host memory only: on a GPU it reads the host copy, torch the GPU block
        np.testing.assert_array_equal(np.from_dlpack(x.cpu()), values)
        assert x.cpu().__dlpack_device__() == values.__dlpack_device__()
        np.testing.assert_array_equal(torch.from_dlpack(x).cpu().numpy(), values)
        assert x.__dlpack_device__() == x.larray.__dlpack_device__()


def test_from_dlpack() -> None:
    values = data((4, 2))
    assert_array(hpa.from_dlpack(values), values)
    assert_array(hpa.from_dlpack(hpa.asarray(values), copy=True), values)


# ---------------------------------------------------------------------------- inspection
def test_namespace_info() -> None:
    info = hpa.__array_namespace_info__()
    assert info.capabilities() == {
        "boolean indexing": True, "data-dependent shapes": True, "max dimensions": 64,
    }  # fmt: skip
    assert info.default_device() == hpa.get_device()
    assert hpa.cpu in info.devices()
    assert info.default_dtypes() == {
        "real floating": hpa.float64, "complex floating": hpa.complex128,
        "integral": hpa.int64, "indexing": hpa.int64,
    }  # fmt: skip
    assert list(info.dtypes()) == STANDARD_DTYPES
    assert list(info.dtypes(kind="integral")) == ["int8", "int16", "int32", "int64", "uint8"]
    assert list(info.dtypes(kind=("bool", "complex floating"))) == [
        "bool", "complex64", "complex128",
    ]  # fmt: skip


# ---------------------------------------------------------------------------- dtype queries
@pytest.mark.parametrize(
    "dtype", [hpa.float16, hpa.float32, hpa.float64, hpa.complex64, hpa.complex128]
)
def test_finfo(dtype: hpa.DType) -> None:
    got, want = hpa.finfo(dtype), np.finfo(dtype.numpy)
    assert got.bits == want.bits
    for field in ("eps", "max", "min", "smallest_normal"):
        assert getattr(got, field) == float(getattr(want, field)), field
        assert isinstance(getattr(got, field), float)
    assert got.dtype == hpa.core.dtypes.to_dtype(want.dtype)
    assert hpa.finfo(hpa.zeros(2, dtype=dtype, split=0)) == got


def test_finfo_bfloat16_and_errors() -> None:
    assert hpa.finfo(hpa.bfloat16).bits == 16
    assert hpa.finfo(hpa.bfloat16).eps == 2.0**-7
    with pytest.raises(TypeError):
        hpa.finfo(hpa.int32)
    with pytest.raises(TypeError):
        hpa.iinfo(hpa.float32)


@pytest.mark.parametrize("dtype", [hpa.int8, hpa.int16, hpa.int32, hpa.int64, hpa.uint8])
def test_iinfo(dtype: hpa.DType) -> None:
    got, want = hpa.iinfo(dtype), np.iinfo(dtype.numpy)
    assert (got.bits, got.max, got.min) == (want.bits, want.max, want.min)
    assert got.dtype == dtype
    assert hpa.iinfo(hpa.zeros(2, dtype=dtype, split=0)) == got


@pytest.mark.parametrize("name", STANDARD_DTYPES)
def test_isdtype_table(name: str) -> None:
    dtype = getattr(hpa, name)
    for kind in KINDS:
        assert hpa.isdtype(dtype, kind) == np.isdtype(dtype.numpy, kind), kind
    assert hpa.isdtype(dtype, dtype)
    assert hpa.isdtype(dtype, tuple(KINDS)) == np.isdtype(dtype.numpy, tuple(KINDS))


def test_isdtype_extensions_and_errors() -> None:
    assert hpa.isdtype(hpa.float16, "real floating")
    assert hpa.isdtype(hpa.bfloat16, ("numeric",))
    assert not hpa.isdtype(hpa.float32, hpa.float64)
    with pytest.raises(ValueError):
        hpa.isdtype(hpa.float32, "floating")


# ---------------------------------------------------------------------------- astype
@pytest.mark.parametrize("split", [None, 0, 1])
def test_astype(split: int | None) -> None:
    values = data((5, 3))
    x = make(values, split)
    y = hpa.astype(x, hpa.int32)
    assert_array(y, values.astype(np.int32))
    assert y.split == x.split
    assert hpa.astype(x, hpa.float64, copy=False) is x
    assert hpa.astype(x, hpa.float64) is not x
    assert_array(hpa.astype(x, hpa.float32, device="cpu"), values.astype(np.float32))


# ---------------------------------------------------------------------------- sets
SET_CASES = [((0,), 0), ((1,), None), ((7,), None), ((7,), 0), ((3, 5), 0), ((3, 5), 1),
             ((2, 3, 4), 2)]  # fmt: skip


@pytest.mark.parametrize("case", SET_CASES, ids=case_id)
@pytest.mark.parametrize("ragged", [False, True])
def test_unique_functions(case: tuple[tuple[int, ...], int | None], ragged: bool) -> None:
    shape, split = case
    values = data(shape, hpa.int64, low=-2, high=3)
    x = make(values, split, ragged=ragged)
    # NumPy's unique_* need not sort; hpa's are sorted, as np.unique is
    uniq, index, inverse, counts = np.unique(
        values, return_index=True, return_inverse=True, return_counts=True
    )
    assert_array(hpa.unique_values(x), uniq)
    got_c = hpa.unique_counts(x)
    assert_array(got_c.values, uniq)
    assert_array(got_c.counts, counts)
    got_i = hpa.unique_inverse(x)
    assert_array(got_i.values, uniq)
    assert_array(got_i.inverse_indices, inverse.reshape(shape))
    got_a = hpa.unique_all(x)
    assert got_a._fields == ("values", "indices", "inverse_indices", "counts")
    for got, want in zip(got_a, (uniq, index, inverse.reshape(shape), counts)):
        assert_array(got, want)


# ---------------------------------------------------------------------------- vecdot
VECDOT_CASES = [
    ((4, 3), (3,), -1), ((4, 3), (4, 3), 0), ((4, 3), (4, 3), -1), ((2, 1, 3), (5, 3), -1),
    ((5,), (5,), 0),
]  # fmt: skip


@pytest.mark.parametrize("case", VECDOT_CASES, ids=str)
@pytest.mark.parametrize("dtype", [hpa.float64, hpa.complex128, hpa.int32])
def test_vecdot(case: tuple[Any, Any, int], dtype: hpa.DType) -> None:
    shape1, shape2, axis = case
    a, b = data(shape1, dtype, seed=1), data(shape2, dtype, seed=2)
    want = np.vecdot(a, b, axis=axis)
    for split1 in [None, 0, len(shape1) - 1]:
        for split2 in [None, 0]:
            got = hpa.vecdot(make(a, split1), make(b, split2), axis=axis)
            assert_array(got, want, rtol=1e-12, atol=1e-12)


def test_vecdot_communication_and_errors() -> None:
    a = make(data((6, 4)), 0)
    with hpa.count_collectives() as stats:
        hpa.vecdot(a, a, axis=-1)
    assert stats.total == 0
    with pytest.raises(ValueError):
        hpa.vecdot(a, make(data((6, 1)), 0))


# ---------------------------------------------------------------------------- scans
SCAN_CASES = [((0,), 0, 0), ((7,), None, None), ((7,), 0, None), ((3, 5), 0, 0),
              ((3, 5), 0, 1), ((3, 5), 1, 0), ((2, 3, 4), 2, -1)]  # fmt: skip


@pytest.mark.parametrize("case", SCAN_CASES, ids=str)
@pytest.mark.parametrize("include_initial", [False, True])
@pytest.mark.parametrize("ragged", [False, True])
def test_cumulative(case: tuple[Any, Any, Any], include_initial: bool, ragged: bool) -> None:
    shape, split, axis = case
    values = data(shape, hpa.int32, low=-2, high=3)
    x = make(values, split, ragged=ragged)
    kw = {"axis": axis, "include_initial": include_initial}
    assert_array(hpa.cumulative_sum(x, **kw), np.cumulative_sum(values, **kw))
    assert_array(hpa.cumulative_prod(x, **kw), np.cumulative_prod(values, **kw))
    assert_array(
        hpa.cumulative_sum(x, dtype=hpa.float32, **kw),
        np.cumulative_sum(values, dtype=np.float32, **kw),
    )


def test_cumulative_needs_axis() -> None:
    x = make(data((3, 4)), 0)
    raised_everywhere(ValueError, lambda: hpa.cumulative_sum(x))


# ---------------------------------------------------------------------------- manipulation
@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sparse", [False, True])
@pytest.mark.parametrize("splits", [(None, None, None), (0, None, 0), (0, 0, 0)], ids=str)
def test_meshgrid(indexing: str, sparse: bool, splits: tuple[int | None, ...]) -> None:
    vectors = [data((n,), seed=n) for n in (4, 3, 5)]
    for count in (1, 2, 3):
        inputs = [make(v, s) for v, s in zip(vectors[:count], splits)]
        got = hpa.meshgrid(*inputs, indexing=indexing, sparse=sparse)
        want = np.meshgrid(*vectors[:count], indexing=indexing, sparse=sparse)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_array(g, w)


def test_meshgrid_keeps_splits_without_communication() -> None:
    x, y = make(data((4,)), 0), make(data((3,), seed=1), 0)
    with hpa.count_collectives() as stats:
        gx, gy = hpa.meshgrid(x, y)
    assert stats.total == 0
    assert (gx.split, gy.split) == (1, 0)
    with pytest.raises(ValueError):
        hpa.meshgrid(x, y, indexing="xyz")


@pytest.mark.parametrize(
    "case", [((4,), 0), ((3, 5), None), ((3, 5), 0), ((3, 5), 1), ((2, 3, 4), 1)], ids=case_id
)
def test_unstack(case: tuple[tuple[int, ...], int | None]) -> None:
    shape, split = case
    values = data(shape)
    x = make(values, split)
    for axis in range(-len(shape), len(shape)):
        got, want = hpa.unstack(x, axis=axis), np.unstack(values, axis=axis)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_array(g, w)


# ---------------------------------------------------------------------------- elementwise
@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64])
@pytest.mark.parametrize("split", [None, 0])
def test_nextafter(dtype: hpa.DType, split: int | None) -> None:
    a, b = data((7,), dtype, seed=1), data((7,), dtype, seed=2)
    b[0] = a[0]
    assert_array(hpa.nextafter(make(a, split), make(b, split)), np.nextafter(a, b), rtol=0)
    assert_array(hpa.nextafter(make(a, split), 0.0), np.nextafter(a, dtype.numpy.type(0)), rtol=0)


def test_standard_signatures() -> None:
    values = data((3, 4))
    x = make(values, 0)
    assert_array(hpa.max(x, axis=1, keepdims=True), values.max(axis=1, keepdims=True))
    assert_array(hpa.min(x, axis=0), values.min(axis=0))
    assert_array(hpa.sort(x, axis=0, descending=True, stable=True), -np.sort(-values, axis=0))
    assert_array(hpa.argsort(x, axis=1, stable=True), np.argsort(values, axis=1, kind="stable"))
    assert_array(hpa.std(x, axis=0, correction=1), values.std(axis=0, ddof=1))
    assert_array(hpa.tril(x, k=1), np.tril(values, k=1))
    assert_array(hpa.eye(3, 4, k=1, dtype=hpa.float32), np.eye(3, 4, k=1, dtype=np.float32))
    assert_array(hpa.linspace(0, 1, 5, endpoint=False), np.linspace(0, 1, 5, endpoint=False))
    assert_array(hpa.permute_dims(x, (1, 0)), values.T)
    assert_array(hpa.concat([x, x], axis=0), np.concatenate([values, values]))
    assert_array(hpa.full((2, 2), 3.0, dtype=hpa.float32), np.full((2, 2), 3.0, np.float32))


def test_process_count_independent_layout_metadata() -> None:
    x = make(data((2 * P + 1,)), 0)
    parts = hpa.unstack(x)
    assert len(parts) == 2 * P + 1
    assert all(p.shape == () for p in parts)


def test_standard_parameter_kinds() -> None:
    """Parameter names and kinds the standard fixes (array-api-tests' test_signatures)."""

    def kinds(fn: Any) -> dict[str, Any]:
        return {n: p.kind for n, p in inspect.signature(fn).parameters.items()}

    pos_or_kw, kw_only = inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY
    assert kinds(hpa.arange)["stop"] == kinds(hpa.arange)["step"] == pos_or_kw
    assert kinds(hpa.permute_dims)["axes"] == pos_or_kw
    assert kinds(hpa.reshape)["shape"] == pos_or_kw
    assert kinds(hpa.reshape)["copy"] == kw_only
    dlpack = kinds(hpa.ones(1).__dlpack__)
    assert all(dlpack[k] == kw_only for k in ("stream", "max_version", "dl_device", "copy"))
    a = data((3, 4))
    x = make(a, 0)
    assert_array(hpa.permute_dims(x, axes=(1, 0)), a.T)
    assert_array(hpa.permute_dims(x, (1, 0)), a.T)
    assert_array(hpa.reshape(x, shape=(4, 3)), a.reshape(4, 3))
    assert_array(hpa.reshape(x, 2, 6), a.reshape(2, 6))
    assert_array(hpa.arange(5), np.arange(5))
    assert_array(hpa.arange(2, 10, 3), np.arange(2, 10, 3))
    values = np.arange(4.0)
    y = make(values, None)
    np.testing.assert_array_equal(np.from_dlpack(y.cpu()), values)
    capsule = y.__dlpack__(max_version=(1, 0))
    np.testing.assert_array_equal(torch.from_dlpack(capsule).cpu().numpy(), values)


def test_standard_keyword_forms() -> None:
    """Keyword forms the standard uses: arange's stop/step, reshape's copy, can_cast of an array."""
    assert_array(hpa.arange(2, stop=10, step=3), np.arange(2, 10, 3))
    assert_array(hpa.arange(10, step=4), np.arange(0, 10, 4))
    assert hpa.can_cast(hpa.ones(3, dtype=hpa.int8), hpa.int16)
    assert not hpa.can_cast(hpa.ones(3), hpa.int8)
    assert hpa.expand_dims(hpa.ones(3, split=0)).shape == (1, 3)
    x = hpa.arange(12, split=0)
    y = hpa.reshape(x, (3, 4), copy=True)
    y[0, 0] = 100
    assert_array(x, np.arange(12))
    z = hpa.arange(12)
    view = hpa.reshape(z, (3, 4), copy=False)
    view[0, 0] = 7
    assert int(z[0]) == 7
