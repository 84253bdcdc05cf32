"""bucketize and histc (HeAT's, with torch's semantics) against torch.bucketize/torch.histc
and NumPy's searchsorted on identical data.

Every split with balanced, ragged and empty blocks, dtypes, both ``right`` conventions,
boundaries of any layout, ``out=``, automatic and given ranges, NaN and infinities, errors
raised on every rank, and the collectives: bucketize none (boundaries replicated), histc one
allreduce of the counts plus one of the range when it is taken from the data.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import SHAPES, assert_array, case_id, cases, data, make, raised_everywhere

import hpa
from hpa.core.dispatch import OPS

LAYOUTS = [
    (shape, split, ragged)
    for shape, split in cases(SHAPES)
    for ragged in (False, True)
    if split is not None or not ragged
]
BOUNDARIES = np.array([-1.5, -0.25, 0.0, 0.5, 2.0])
REAL = [
    hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64, hpa.float16, hpa.bfloat16,
    hpa.float32, hpa.float64,
]  # fmt: skip


def layout_id(case: tuple[tuple[int, ...], int | None, bool]) -> str:
    return case_id(case[:2]) + ("-ragged" if case[2] else "")


def buckets(a: np.ndarray, boundaries: np.ndarray, right: bool) -> np.ndarray:
    """torch's convention through NumPy: right=False is searchsorted's left side."""
    values = a.astype(np.float64)
    return np.searchsorted(boundaries.astype(np.float64), values, "right" if right else "left")


def torch_histc(a: np.ndarray, **kw: float) -> np.ndarray:
    return torch.histc(torch.from_numpy(np.ascontiguousarray(a)), **kw).numpy()


# ----------------------------------------------------------------------------- bucketize
@pytest.mark.parametrize("case", LAYOUTS, ids=layout_id)
def test_bucketize_every_layout(case: tuple[tuple[int, ...], int | None, bool]) -> None:
    shape, split, ragged = case
    a = data(shape, seed=1)
    x = make(a, split, ragged=ragged)
    for right in (False, True):
        with hpa.count_collectives() as c:
            got = hpa.bucketize(x, BOUNDARIES, right=right)
        assert c.total == 0, c
        assert got.layout == x.layout
        want = torch.bucketize(torch.from_numpy(a), torch.from_numpy(BOUNDARIES), right=right)
        assert_array(got, want.numpy())


def test_bucketize_dtypes_and_edges() -> None:
    for dtype in REAL:
        a = data((4, 5), dtype, seed=2)
        x = make(a, 1, dtype)
        ref = a.astype(np.float32) if dtype is hpa.bfloat16 else a
        for bounds in (BOUNDARIES, np.array([-3, 0, 1, 4], dtype=np.int64), np.array([True])):
            for right in (False, True):
                got = hpa.bucketize(x, bounds, right=right)
                assert_array(got, buckets(ref, bounds, right), dtype=hpa.int64)
        assert hpa.bucketize(x, BOUNDARIES, out_int32=True).dtype is hpa.int32
    edges = np.array([1.0, 3.0, 5.0, 7.0, 9.0])
    v = np.array([[3, 6, 9], [3, 6, 9], [0, 1, 10]])
    assert_array(hpa.bucketize(make(v, 0), edges), [[1, 3, 4], [1, 3, 4], [0, 0, 5]])
    assert_array(hpa.bucketize(make(v, 0), edges, right=True), [[2, 3, 5], [2, 3, 5], [0, 1, 5]])
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0])
    want = torch.bucketize(torch.from_numpy(special), torch.from_numpy(BOUNDARIES))
    assert_array(hpa.bucketize(make(special, 0), BOUNDARIES), want.numpy())
    assert_array(hpa.bucketize(make(v, 0), np.zeros(0)), np.zeros((3, 3), np.int64))
    assert_array(hpa.bucketize(2.5, edges), np.int64(1))


def test_bucketize_boundaries_and_out() -> None:
    a = data((7, 2), seed=3)
    x = make(a, 0, ragged=True)
    want = buckets(a, BOUNDARIES, False)
    for bounds in (make(BOUNDARIES, None), BOUNDARIES.tolist(), torch.from_numpy(BOUNDARIES)):
        with hpa.count_collectives() as c:
            got = hpa.bucketize(x, bounds)
        assert c.total == 0, c
        assert_array(got, want)
    with hpa.count_collectives() as c:
        got = hpa.bucketize(x, make(BOUNDARIES, 0))
    assert set(c.counts) <= {"allgatherv"} and c.total <= 1, "split boundaries: one gather"
    assert_array(got, want)
    out = hpa.zeros((7, 2), dtype=hpa.int64, split=1)
    assert hpa.bucketize(x, BOUNDARIES, out=out) is out
    assert_array(out, want)
    out32 = hpa.zeros((7, 2), dtype=hpa.int32)
    assert hpa.bucketize(x, BOUNDARIES, out_int32=True, out=out32) is out32
    assert_array(out32, want.astype(np.int32))


def test_bucketize_errors() -> None:
    x = make(data((5,)), 0)
    raised_everywhere(ValueError, lambda: hpa.bucketize(x, np.ones((2, 2))))
    raised_everywhere(ValueError, lambda: hpa.bucketize(x, 1.0))
    raised_everywhere(TypeError, lambda: hpa.bucketize(make(data((5,), hpa.complex64), 0), [1.0]))
    raised_everywhere(TypeError, lambda: hpa.bucketize(x, np.array([1j])))
    raised_everywhere(
        ValueError, lambda: hpa.bucketize(x, [1.0], out=hpa.zeros(4, dtype=hpa.int64))
    )


# ----------------------------------------------------------------------------- histc
def histc_collectives(x: hpa.Array, auto_range: bool) -> dict[str, int]:
    if not x.layout.is_distributed:
        return {}
    return {"allreduce": 2 if auto_range else 1}


@pytest.mark.parametrize("case", LAYOUTS, ids=layout_id)
def test_histc_every_layout(case: tuple[tuple[int, ...], int | None, bool]) -> None:
    shape, split, ragged = case
    a = data(shape, hpa.float32, seed=4)
    x = make(a, split, ragged=ragged)
    for kw in ({}, {"bins": 7}, {"bins": 5, "min": -1.0, "max": 1.0}):
        auto = kw.get("min", 0) == kw.get("max", 0) and a.size > 0
        with hpa.count_collectives() as c:
            got = hpa.histc(x, **kw)
        assert dict(c.counts) == histc_collectives(x, auto), (kw, c)
        assert got.split is None
        assert_array(got, torch_histc(a, **kw), rtol=0)


@pytest.mark.parametrize("split", [None, 0])
def test_histc_ranges_and_values(split: int | None) -> None:
    a = np.array([1.0, 2.0, 1.0, 7.5, -3.0, 2.0, 0.0])
    x = make(a, split, ragged=True)
    for kw in [
        {"bins": 4, "min": 0, "max": 3},  # HeAT's doc example
        {"bins": 4, "min": 2, "max": 2},  # equal bounds: the data's range
        {"bins": 3, "min": 1, "max": 1.5},
        {"bins": 1},
        {"bins": 6, "min": -10, "max": 10},
    ]:
        assert_array(hpa.histc(x, **kw), torch_histc(a, **kw), rtol=0)
    c = np.full(5, 2.0)
    assert_array(hpa.histc(make(c, split), bins=4), torch_histc(c, bins=4), rtol=0)  # [1, 3]
    e = np.zeros(0)
    assert_array(hpa.histc(make(e, split), bins=3), torch_histc(e, bins=3), rtol=0)
    assert_array(hpa.histc(make(e, split), bins=3, min=1, max=1), np.zeros(3), rtol=0)
    s = np.array([1.0, np.nan, 3.0, np.inf, -np.inf, 2.0])
    assert_array(
        hpa.histc(make(s, split), bins=4, min=0, max=4),
        torch_histc(s, bins=4, min=0, max=4),
        rtol=0,
    )
    ar = np.arange(10, dtype=np.float64)
    assert_array(hpa.histc(make(ar, split), bins=10), np.ones(10), rtol=0)


def test_histc_dtypes_and_out() -> None:
    a = data((64,), hpa.float32, seed=5)
    for dtype in (hpa.float16, hpa.bfloat16, hpa.float32, hpa.float64):
        values = torch.from_numpy(a).to(dtype.torch)
        x = hpa.array(values, split=0)
        got = hpa.histc(x, bins=9, min=-2, max=2)
        assert got.dtype is dtype
        want = torch.histc(values.float(), bins=9, min=-2, max=2)
        assert_array(got, want.numpy(), rtol=0, dtype=dtype)
    for dtype in (hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64, hpa.complex64):
        x = make(data((6,), dtype), 0, dtype)
        raised_everywhere(TypeError, lambda x=x: hpa.histc(x))
    x = make(a, 0)
    out = hpa.zeros(5, dtype=hpa.float64, split=0)
    assert hpa.histc(x, bins=5, out=out) is out
    assert_array(out, torch_histc(a, bins=5).astype(np.float64), rtol=0)


def test_histc_errors_everywhere() -> None:
    a = data((7,), seed=6)
    x = make(a, 0)
    raised_everywhere(ValueError, lambda: hpa.histc(x, bins=0))
    raised_everywhere(ValueError, lambda: hpa.histc(x, min=3, max=1))
    raised_everywhere(ValueError, lambda: hpa.histc(x, min=0, max=np.inf))
    a[-1] = np.nan  # on the last rank only: the range is agreed in the allreduce
    raised_everywhere(ValueError, lambda: hpa.histc(make(a, 0)))
    a[-1] = np.inf
    raised_everywhere(ValueError, lambda: hpa.histc(make(a, 0)))
    assert_array(
        hpa.histc(make(a, 0), bins=3, min=-1, max=1), torch_histc(a, bins=3, min=-1, max=1)
    )
    assert OPS["bucketize"] is hpa.bucketize and OPS["histc"] is hpa.histc
