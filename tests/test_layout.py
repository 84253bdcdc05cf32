"""Layouts (``chunk``, extents, local shapes) and redistribution between them.

Redistribution is checked through arrays (``resplit``, ``redistribute_``, ``balance``) against
NumPy, together with its communication contract: split a -> split b is one ``alltoallv``,
split -> None one ``allgatherv``, None -> split and an unchanged layout nothing.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pytest
import torch
from helpers import RANK, P, agree, assert_array, data, make, ragged_counts, splits
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hpa
from hpa.core.layout import Layout, chunk, normalize_axis
from hpa.core.redistribute import redistribute

COMM = hpa.get_comm()
DEV = hpa.get_device().torch_device  # the planner's tests move tensors on the test device

# ordinary, fewer rows than processes, empty (along the split axis or another one)
SHAPES = [(0,), (1,), (2,), (7,), (0, 3), (1, 4), (2, 5), (5, 3), (3, 0)]
SHAPES += [(2, 3, 4), (1, 2, 1), (4, 0, 2), (3, 1, 5)]
SPLIT_PAIRS = [
    (shape, a, b) for shape in SHAPES for a in splits(len(shape)) for b in splits(len(shape))
]
DTYPES = [hpa.bool_, hpa.int8, hpa.uint8, hpa.int32, hpa.int64, hpa.float16, hpa.bfloat16]
DTYPES += [hpa.float64, hpa.complex64, hpa.complex128]


def pair_id(case: Any) -> str:
    shape, a, b = case
    return f"{'x'.join(map(str, shape))}-{a}to{b}"


def expected_comm(src: Layout, dst_split: int | None) -> dict[str, int]:
    """The collectives ``resplit(dst_split)`` may issue from layout ``src``."""
    if (dst_split == src.split and src.is_balanced) or src.comm.size == 1:
        return {}
    if dst_split is None:
        return {"allgatherv": 1}
    if src.split is None:
        return {}
    return {"alltoallv": 1}


def check_block(x: hpa.Array) -> None:
    """The local block matches the layout and is contiguous, on every rank."""
    agree(tuple(x.larray.shape) == x.lshape and x.larray.is_contiguous(), "local block")


# ------------------------------------------------------------------------------- chunk
@pytest.mark.parametrize("n", [0, 1, 2, 3, 5, 7, 10, 100])
@pytest.mark.parametrize("parts", [1, 2, 3, 4, 7])
def test_chunk(n: int, parts: int) -> None:
    c = chunk(n, parts)
    assert len(c) == parts and sum(c) == n
    assert max(c) - min(c) <= 1
    assert list(c) == sorted(c, reverse=True)  # the first n % parts hold the extra row
    assert c[: n % parts] == (n // parts + 1,) * (n % parts)


def test_chunk_examples_and_errors() -> None:
    assert chunk(7, 3) == (3, 2, 2)
    assert chunk(2, 3) == (1, 1, 0)
    assert chunk(0, 2) == (0, 0)
    assert hpa.chunk is chunk
    with pytest.raises(ValueError):
        chunk(5, 0)
    with pytest.raises(ValueError):
        chunk(-1, 2)


# ------------------------------------------------------------------------------- Layout
def test_split_error_is_value_error() -> None:
    assert issubclass(hpa.SplitError, ValueError)


@pytest.mark.parametrize(
    "shape, split, counts",
    [
        ((5,), 0, [5] * (P + 1)),  # too many blocks
        ((5,), 0, [0] * (P - 1) + [4]),  # wrong total
        ((5, 2), 0, [-1] + [0] * (P - 2) + [6] if P > 1 else [-1]),  # negative extent
        ((5,), 0, [2.5] + [0] * (P - 2) + [2.5] if P > 1 else [2.5]),  # not integers
        ((5,), 1, None),  # split out of range
        ((5, 2), 2, None),
        ((5, 2), -1, None),  # layouts hold normalised axes only
        ((), 0, None),
    ],
)
def test_layout_rejects_bad_cuts(shape: tuple[int, ...], split: int, counts: Any) -> None:
    with pytest.raises(hpa.SplitError):
        Layout(shape, split, COMM, counts)


@pytest.mark.parametrize(
    "shape, split", [((7,), 0), ((2, 5), 1), ((3, 0, 2), 0), ((4, 3), None), ((), None)]
)
def test_layout_balanced(shape: tuple[int, ...], split: int | None) -> None:
    lay = Layout(shape, split, COMM)
    assert lay.gshape == shape and lay.ndim == len(shape) and lay.split == split
    assert lay.is_balanced
    if split is None:
        assert lay.counts is None and lay.offsets is None and lay.lshape == shape
        assert not lay.is_distributed
        assert all(lay.lshape_of(r) == shape for r in range(P))
        with pytest.raises(hpa.SplitError):
            lay.range_of(0)
        return
    counts = chunk(shape[split], P)
    assert lay.counts == counts
    assert lay.offsets == tuple(np.concatenate([[0], np.cumsum(counts)]).tolist())
    assert lay.is_distributed == (P > 1)
    for r in range(P):
        want = list(shape)
        want[split] = counts[r]
        assert lay.lshape_of(r) == tuple(want)
        assert lay.range_of(r) == (sum(counts[:r]), sum(counts[: r + 1]))
    assert lay.lshape == lay.lshape_of(RANK)


def test_layout_ragged_equality_and_derived() -> None:
    counts = ragged_counts(7)
    lay = Layout((7, 2), 0, COMM, counts)
    bal = Layout((7, 2), 0, COMM)
    assert lay.counts == tuple(counts)
    assert lay.is_balanced == (tuple(counts) == chunk(7, P))
    twin = Layout([7, 2], 0, COMM, tuple(counts))
    assert lay == twin and hash(lay) == hash(twin)
    assert lay.with_split(0) == bal and lay.with_split(0, counts) == lay
    assert lay.with_split(None) == Layout((7, 2), None, COMM)
    assert lay.with_split(1).counts == chunk(2, P)
    assert bal != Layout((7, 2), 1, COMM) and bal != Layout((7, 3), 0, COMM) and bal != "layout"
    assert "split=0" in repr(lay)
    assert Layout((7, 2), 0, COMM, [np.int64(c) for c in counts]) == lay


def test_normalize_axis() -> None:
    assert normalize_axis(-1, 3) == 2 and normalize_axis(1, 3) == 1
    assert normalize_axis(np.int64(-2), 3) == 1
    with pytest.raises(hpa.SplitError):
        normalize_axis(3, 3)
    with pytest.raises(hpa.SplitError):
        normalize_axis(-4, 3)
    with pytest.raises(TypeError):
        normalize_axis(1.0, 3)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        normalize_axis(True, 3)


# ------------------------------------------------------------------------------- array metadata
META_CASES = [((7,), 0), ((2, 5), 1), ((5, 3), 0), ((2, 3, 4), 2), ((1, 4), 0), ((3, 2), None)]


@pytest.mark.parametrize("shape, split", META_CASES, ids=str)
@pytest.mark.parametrize("ragged", [False, True])
def test_array_lshape_map_and_offsets(
    shape: tuple[int, ...], split: int | None, ragged: bool
) -> None:
    x = make(data(shape), split, ragged=ragged)
    lay = x.layout
    if split is None:
        assert x.counts is None and x.lshape == shape
        assert x.lshape_map.tolist() == [list(shape)] * P
    else:
        counts = ragged_counts(shape[split]) if ragged else list(chunk(shape[split], P))
        assert list(x.counts) == counts
        assert lay.offsets == (0, *np.cumsum(counts).tolist())
        want = np.tile(np.array(shape), (P, 1))
        want[:, split] = counts
        assert x.lshape_map.tolist() == want.tolist()
        assert x.lshape_map.dtype == torch.int64
    assert tuple(x.lshape_map[RANK].tolist()) == x.lshape
    balanced = split is None or x.counts == chunk(shape[split], P)
    assert x.is_balanced() == lay.is_balanced == balanced
    check_block(x)
    # the local block holds the rows of the global array at this rank's offsets
    if split is not None:
        lo, hi = lay.range_of(RANK)
        local = x.larray.cpu().numpy()
        want = np.take(data(shape), np.arange(lo, hi), axis=split)
        agree(np.array_equal(local, want), "block content")


# ------------------------------------------------------------------------------- resplit
@pytest.mark.parametrize("case", SPLIT_PAIRS, ids=pair_id)
@pytest.mark.parametrize("ragged", [False, True], ids=["balanced", "ragged"])
def test_resplit_every_pair(case: Any, ragged: bool) -> None:
    shape, a, b = case
    values = data(shape, seed=len(shape))
    x = make(values, a, ragged=ragged)
    before = x.layout
    with hpa.count_collectives() as stats:
        y = x.resplit(b)
    assert dict(stats.counts) == expected_comm(before, b), stats
    assert y.split == b and y.is_balanced()
    assert y.layout == Layout(shape, b, COMM)
    assert_array(y, values)
    check_block(y)
    assert x.layout == before  # the source is untouched
    assert_array(x, values)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("a, b", [(a, b) for a in splits(3) for b in splits(3)], ids=str)
def test_resplit_dtypes(dtype: hpa.DType, a: int | None, b: int | None) -> None:
    values = data((4, 3, 2), dtype)
    x = make(values, a, dtype=dtype, ragged=True)
    y = x.resplit(b)
    assert y.dtype == dtype
    assert_array(y, values, dtype=dtype)


@pytest.mark.parametrize("dtype", [hpa.bool_, hpa.bfloat16, hpa.complex128, hpa.int8], ids=str)
@pytest.mark.parametrize("shape", [(2,), (1, 3), (0, 2)], ids=str)
def test_resplit_dtypes_tiny(dtype: hpa.DType, shape: tuple[int, ...]) -> None:
    values = data(shape, dtype)
    for a in splits(len(shape)):
        for b in splits(len(shape)):
            assert_array(make(values, a, dtype=dtype).resplit(b), values, dtype=dtype)


def test_resplit_negative_and_bad_axis() -> None:
    values = data((3, 4))
    x = make(values, 0)
    with hpa.count_collectives() as stats:
        y = x.resplit(-1)
    assert y.split == 1 and stats["alltoallv"] == (1 if P > 1 else 0)
    assert_array(y, values)
    with pytest.raises(hpa.SplitError):
        x.resplit(2)
    with pytest.raises(hpa.SplitError):
        x.resplit(-3)
    assert_array(x.resplit(np.int64(1)), values)


@pytest.mark.parametrize("a, b", [(None, 0), (0, 1), (1, None), (1, 1), (None, None)], ids=str)
def test_resplit_inplace(a: int | None, b: int | None) -> None:
    values = data((5, 3))
    x = make(values, a)
    with hpa.count_collectives() as stats:
        out = x.resplit_(b)
    assert out is x and x.split == b
    assert dict(stats.counts) == expected_comm(Layout((5, 3), a, COMM), b)
    assert_array(x, values)
    check_block(x)


def test_resplit_same_layout_is_a_copy() -> None:
    x = make(data((6, 2)), 0)
    with hpa.count_collectives() as stats:
        y = x.resplit(0)
    assert stats.total == 0
    y.larray.fill_(-1)
    assert_array(x, data((6, 2)))


def test_gather_numpy_counts() -> None:
    values = data((5, 4))
    for split in splits(2):
        x = make(values, split, ragged=True)
        with hpa.count_collectives() as stats:
            full = x.numpy()
        assert dict(stats.counts) == ({} if split is None or P == 1 else {"allgatherv": 1})
        np.testing.assert_array_equal(full, values)


# ------------------------------------------------------------------------------- ragged, balance
def cuts(n: int) -> list[list[int]]:
    """Several ways to cut ``n`` rows over the processes, identical on every rank."""
    out = [list(chunk(n, P)), ragged_counts(n), [0] * (P - 1) + [n], [n] + [0] * (P - 1)]
    if P > 1:
        out.append([n - n // 2] + [0] * (P - 2) + [n // 2])
    return out


CUT_CASES = [((7,), 0), ((5, 3), 0), ((3, 5), 1), ((2, 3, 4), 2), ((0, 3), 0), ((1, 2), 0)]


@pytest.mark.parametrize("shape, split", CUT_CASES, ids=str)
def test_redistribute_between_cuts(shape: tuple[int, ...], split: int) -> None:
    values = data(shape, hpa.int64)
    n = shape[split]
    for src in cuts(n):
        for dst in cuts(n):
            x = make(values, split)
            x.redistribute_(src)
            with hpa.count_collectives() as stats:
                out = x.redistribute_(dst)
            assert out is x and list(x.counts) == dst
            want = {} if src == dst else {"alltoallv": 1}
            assert dict(stats.counts) == want, (src, dst, stats)
            assert_array(x, values)
            check_block(x)


def test_redistribute_errors() -> None:
    x = make(data((4, 3)), 0)
    with pytest.raises(hpa.SplitError):
        x.redistribute_([4] * (P + 1))
    with pytest.raises(hpa.SplitError):
        x.redistribute_([0] * P)
    with pytest.raises(ValueError):
        make(data((4, 3)), None).redistribute_([4])
    assert_array(x, data((4, 3)))  # unchanged after the errors
    with pytest.raises(ValueError):
        redistribute(x.larray, x.layout, Layout((3, 4), 0, COMM))


BALANCE_CASES = [((7,), 0), ((5, 3), 1), ((3, 5), 1), ((4, 2, 3), 0), ((0, 4), 0), ((2, 3), 0)]


@pytest.mark.parametrize("shape, split", BALANCE_CASES, ids=str)
@pytest.mark.parametrize("dtype", [hpa.float64, hpa.bool_, hpa.bfloat16], ids=str)
def test_balance(shape: tuple[int, ...], split: int, dtype: hpa.DType) -> None:
    values = data(shape, dtype)
    x = make(values, split, dtype=dtype, ragged=True)
    ragged = x.counts
    balanced = ragged == chunk(shape[split], P)
    assert x.is_balanced() == balanced == x.is_balanced(force_check=True)
    with hpa.count_collectives() as stats:
        y = x.balance(copy=True)
    assert dict(stats.counts) == ({} if balanced else {"alltoallv": 1})
    assert y.is_balanced() and y.counts == chunk(shape[split], P)
    assert x.counts == ragged  # balance(copy=True) leaves the source alone
    assert_array(y, values, dtype=dtype)
    check_block(y)
    z = x.copy()
    assert z.balance() is z and z.is_balanced()  # HeAT's default: in place
    assert_array(z, values, dtype=dtype)
    with hpa.count_collectives() as stats:
        out = x.balance_()
    assert out is x and x.is_balanced()
    assert dict(stats.counts) == ({} if balanced else {"alltoallv": 1})
    assert_array(x, values, dtype=dtype)
    with hpa.count_collectives() as stats:
        x.balance_()
        x.balance()
    assert stats.total == 0


def test_balance_replicated() -> None:
    x = make(data((3, 2)), None)
    assert x.is_balanced()
    with hpa.count_collectives() as stats:
        assert_array(x.balance(), data((3, 2)))
        x.balance_()
    assert stats.total == 0


# ------------------------------------------------------------------------------- planner directly
def test_redistribute_same_layout_returns_input() -> None:
    t = torch.arange(6.0, device=DEV)
    lay = Layout((6,), None, COMM)
    with hpa.count_collectives() as stats:
        assert redistribute(t, lay, Layout((6,), None, COMM)) is t
    assert stats.total == 0


def test_redistribute_from_replicated_slices_locally() -> None:
    full = torch.arange(24, device=DEV).reshape(2, 3, 4)
    src = Layout(full.shape, None, COMM)
    for axis in range(3):
        dst = Layout(full.shape, axis, COMM, ragged_counts(full.shape[axis]))
        with hpa.count_collectives() as stats:
            block = redistribute(full, src, dst)
        lo, hi = dst.range_of(RANK)
        agree(torch.equal(block, full.narrow(axis, lo, hi - lo)) and block.is_contiguous(), "slice")
        assert stats.total == 0


def test_redistribute_transposed_input_block() -> None:
    """A non-contiguous local block (a transposed view) moves correctly."""
    values = data((4, 5))
    src = Layout((4, 5), 1, COMM)
    lo, hi = src.range_of(RANK)
    # a (4, hi - lo) view with the strides of a transpose
    block = torch.from_numpy(np.ascontiguousarray(values[:, lo:hi].T)).to(DEV).T
    for dst_split in (None, 0):
        out = redistribute(block, src, Layout((4, 5), dst_split, COMM))
        got = hpa.Array(out, Layout((4, 5), dst_split, COMM))
        assert_array(got, values)


# ------------------------------------------------------------------------------- property test
@st.composite
def layouts(draw: Any) -> tuple[tuple[int, ...], int | None, list[int] | None, int | None]:
    """A shape, a source split with arbitrary extents, and a destination split."""
    ndim = draw(st.integers(1, 3))
    shape = tuple(draw(st.lists(st.integers(0, 5), min_size=ndim, max_size=ndim)))
    src = draw(st.sampled_from(splits(ndim)))
    dst = draw(st.sampled_from(splits(ndim)))
    counts = None
    if src is not None:
        n = shape[src]
        cut = sorted(draw(st.lists(st.integers(0, n), min_size=P - 1, max_size=P - 1)))
        counts = [hi - lo for lo, hi in zip([0, *cut], [*cut, n])]
    return shape, src, counts, dst


@settings(suppress_health_check=list(HealthCheck))
@given(layouts(), st.sampled_from([hpa.float64, hpa.int32, hpa.bool_, hpa.complex64]))
def test_resplit_property(case: Any, dtype: hpa.DType) -> None:
    shape, src, counts, dst = case
    values = data(shape, dtype, seed=sum(shape))
    x = make(values, src, dtype=dtype)
    if counts is not None:
        x.redistribute_(counts)
    assert x.counts == (None if counts is None else tuple(counts))
    with hpa.count_collectives() as stats:
        y = x.resplit(dst)
    assert dict(stats.counts) == expected_comm(x.layout, dst)
    assert stats.total <= 1
    assert y.layout == Layout(shape, dst, COMM)
    assert_array(y, values, dtype=dtype)
    check_block(y)


@pytest.mark.parametrize("source,target", [(0, 1), (1, 0), (0, 0), (1, 2), (2, 0)])
@pytest.mark.parametrize("ragged", [False, True])
def test_windowed_exchange(
    monkeypatch: pytest.MonkeyPatch, source: int, target: int, ragged: bool
) -> None:
    """Blocks above the window size move in several all-to-alls and still arrive intact."""
    from hpa.core import redistribute as planner

    shape = (11, 6, 3)
    values = data(shape, hpa.float64, seed=7)
    x = make(values, source, ragged=ragged)
    row_bytes = 8 * shape[0] * shape[1] * shape[2] // shape[source]
    monkeypatch.setattr(planner, "_CHUNK_BYTES", 2 * row_bytes)
    if source == target:
        if not ragged:
            x.redistribute_(ragged_counts(shape[source]))
        move = functools.partial(x.balance, copy=True)
    else:
        move = functools.partial(x.resplit, target)
    with hpa.count_collectives() as stats:
        y = move()
    assert_array(y, values)
    moved = source != target or not x.is_balanced()
    windows = -(-max(x.counts) // 2)  # type: ignore[type-var]
    assert stats["alltoallv"] == (windows if moved and P > 1 else 0)
