"""Dtypes and promotion: hpa's tables against NumPy 2 (NEP 50). No communication."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import hpa
from hpa.core import dtypes

NUMPY_DTYPES = [d for d in dtypes.ALL if d is not hpa.bfloat16]
SCALARS = [True, False, 0, 2, -3, 1.5, float("inf"), 1j, 2 + 0.5j]


@pytest.mark.parametrize("a", NUMPY_DTYPES, ids=str)
def test_promote_table_matches_numpy(a: hpa.DType) -> None:
    for b in NUMPY_DTYPES:
        want = np.result_type(a.numpy, b.numpy)
        assert dtypes.promote(a, b).numpy == want, (a, b)
        assert hpa.result_type(a, b).numpy == want, (a, b)
        assert hpa.result_type(np.ones(1, a.numpy), torch.ones(1, dtype=b.torch)).numpy == want


@pytest.mark.parametrize("other", dtypes.ALL, ids=str)
def test_bfloat16_promotes_like_float16(other: hpa.DType) -> None:
    got = dtypes.promote(hpa.bfloat16, other)
    assert got is dtypes.promote(other, hpa.bfloat16)
    if other is hpa.float16:
        assert got is hpa.float32  # neither half type holds the other
    elif other is hpa.bfloat16:
        assert got is hpa.bfloat16
    else:
        like_half = dtypes.promote(hpa.float16, other)
        assert got is (hpa.bfloat16 if like_half is hpa.float16 else like_half)


@pytest.mark.parametrize("dtype", NUMPY_DTYPES, ids=str)
def test_python_scalars_are_weak(dtype: hpa.DType) -> None:
    for s in SCALARS:
        want = np.result_type(np.ones(1, dtype.numpy), s)
        assert dtypes.promote_scalar(dtype, s).numpy == want, (dtype, s)
        assert hpa.result_type(hpa.ones(2, dtype=dtype), s).numpy == want, (dtype, s)
        assert hpa.result_type(dtype, s).numpy == want, (dtype, s)


def test_weak_scalar_examples() -> None:
    assert hpa.result_type(hpa.int32, 1.5) is hpa.float64
    assert hpa.result_type(hpa.float32, 1.5) is hpa.float32
    assert hpa.result_type(hpa.bool_, 1) is hpa.int64
    assert hpa.result_type(hpa.float32, 1j) is hpa.complex64
    assert hpa.result_type(hpa.float16, 1j) is hpa.complex64
    assert hpa.result_type(hpa.bfloat16, 1.5) is hpa.bfloat16
    assert hpa.result_type(hpa.bfloat16, 1j) is hpa.complex64
    assert hpa.result_type(hpa.int8, 3) is hpa.int8
    assert hpa.result_type(1, 2.0) is hpa.float64
    assert hpa.result_type(True, 2) is hpa.int64


@pytest.mark.parametrize(
    "scalar",
    [np.float64(1.5), np.int32(3), np.float32(2), np.complex128(1j), np.bool_(True), np.int64(1)],
    ids=lambda s: type(s).__name__,
)
@pytest.mark.parametrize(
    "dtype", [hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.float16, hpa.float32], ids=str
)
def test_numpy_scalars_are_strong(dtype: hpa.DType, scalar: np.generic) -> None:
    want = np.result_type(np.ones(1, dtype.numpy), scalar)
    assert dtypes.is_weak_scalar(scalar) is False
    assert hpa.result_type(dtype, scalar).numpy == want
    assert dtypes.promote_scalar(dtype, scalar).numpy == want


@pytest.mark.parametrize("casting", ["no", "equiv", "safe", "same_kind", "unsafe"])
def test_can_cast_matches_numpy(casting: str) -> None:
    for a in NUMPY_DTYPES:
        for b in NUMPY_DTYPES:
            assert hpa.can_cast(a, b, casting) == np.can_cast(a.numpy, b.numpy, casting=casting), (
                a,
                b,
            )


def test_can_cast_bfloat16() -> None:
    for small in (hpa.bool_, hpa.int8, hpa.uint8):
        assert hpa.can_cast(small, hpa.bfloat16)
    assert hpa.can_cast(hpa.bfloat16, hpa.float32)
    assert hpa.can_cast(hpa.bfloat16, hpa.complex64)
    assert not hpa.can_cast(hpa.bfloat16, hpa.float16)
    assert not hpa.can_cast(hpa.float16, hpa.bfloat16)
    assert not hpa.can_cast(hpa.int16, hpa.bfloat16)
    assert hpa.can_cast(hpa.float64, hpa.bfloat16, "same_kind")
    assert not hpa.can_cast(hpa.bfloat16, hpa.int64, "same_kind")


@pytest.mark.parametrize("dtype", dtypes.ALL, ids=str)
def test_to_dtype_spellings(dtype: hpa.DType) -> None:
    assert dtypes.to_dtype(dtype.name) is dtype
    assert dtypes.to_dtype(dtype.torch) is dtype
    assert dtypes.to_dtype(dtype) is dtype
    if dtype is not hpa.bfloat16:
        assert dtypes.to_dtype(dtype.numpy) is dtype
        assert dtypes.to_dtype(dtype.numpy.type) is dtype
        assert dtype == dtype.numpy
    assert dtype == dtype.name
    assert hash(dtype) == hash(dtypes.to_dtype(dtype.name))


def test_to_dtype_python_types_and_errors() -> None:
    assert dtypes.to_dtype(float) is hpa.float64
    assert dtypes.to_dtype(int) is hpa.int64
    assert dtypes.to_dtype(complex) is hpa.complex128
    assert dtypes.to_dtype(bool) is hpa.bool_
    assert hpa.bool is hpa.bool_
    assert dtypes.to_dtype("uint16") is hpa.uint16 and dtypes.to_dtype(np.uint64) is hpa.uint64
    for bad in (
        np.float128 if hasattr(np, "float128") else "float128",
        object,
        "nonsense",
    ):
        with pytest.raises(TypeError):
            dtypes.to_dtype(bad)
    assert (hpa.float32 == "not a dtype") is False


def test_dtype_attributes() -> None:
    assert hpa.bfloat16.numpy == np.float32
    assert hpa.bfloat16.itemsize == 2
    assert [d.kind for d in (hpa.bool_, hpa.int8, hpa.uint8, hpa.float16, hpa.complex64)] == list(
        "biufc"
    )
    assert repr(hpa.float32) == "hpa.float32"


def test_dtype_equality_never_probes_foreign_objects() -> None:
    """``==`` with an unrelated object is False without reading its attributes (array-api-tests
    compares dtypes with stand-ins whose every attribute access raises)."""

    class Touchy:
        def __getattr__(self, name: str) -> None:
            raise AssertionError(f"read {name}")

    assert (hpa.float64 == Touchy()) is False
    assert hpa.float64 != Touchy()
    assert hpa.float64 in [Touchy(), hpa.float64]
    assert hpa.float64 == "float64" and hpa.int8 == np.int8 and hpa.int8 == np.dtype("int8")
