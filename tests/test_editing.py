"""Appending, deleting, inserting, trimming, resizing and writing along an axis against NumPy,
for every split, balanced and ragged, with their communication."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere, splits

import hpa

SHAPES = [(7, 5), (2, 3, 4), (1, 4), (0, 3)]


def layout_cases(shapes: list[tuple[int, ...]]) -> list[Any]:
    return [
        pytest.param(shape, split, ragged, id=f"{shape}-s{split}{'-ragged' if ragged else ''}")
        for shape in shapes
        for split in splits(len(shape))
        for ragged in (False, True)
        if split is not None or not ragged
    ]


def flat_split(split: int | None, axis: int | None) -> int | None:
    """The split of the result of an operation along ``axis`` (None: on the flattened array)."""
    return split if axis is not None or split is None else 0


# ---------------------------------------------------------------------------------- append
@pytest.mark.parametrize("shape,split,ragged", layout_cases(SHAPES))
def test_append(shape: tuple[int, ...], split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int8)
    x = make(ref, split, ragged=ragged)
    for axis in (None, 0, -1):
        tail = data((2, *shape[1:]) if axis == 0 else (*shape[:-1], 3), hpa.float32, seed=1)
        for values in (tail, make(tail, split)):
            got = hpa.append(x, values, axis=axis)
            assert got.split == flat_split(split, axis)
            assert_array(got, np.append(ref, tail, axis=axis))
    assert_array(hpa.append(x, 3), np.append(ref, 3))
    assert_array(hpa.append(x, 3.5), np.append(ref, 3.5))
    assert_array(hpa.append(ref, make(ref, split)), np.append(ref, ref))


# ---------------------------------------------------------------------------------- delete
def delete_objects(n: int) -> list[Any]:
    mask = np.arange(n) % 3 == 1
    return [
        0,
        -1,
        [0, 2, 2, -1][: max(n - 1, 0)],
        slice(1, None, 2),
        slice(None, None, -3),
        mask,
        [],
    ]


@pytest.mark.parametrize("shape,split,ragged", layout_cases(SHAPES))
def test_delete(shape: tuple[int, ...], split: int | None, ragged: bool) -> None:
    ref = data(shape)
    x = make(ref, split, ragged=ragged)
    for axis in (None, 0, -1):
        n = ref.size if axis is None else shape[axis]
        for obj in delete_objects(n):
            if n == 0 and isinstance(obj, int):
                continue
            with hpa.count_collectives() as stats:
                got = hpa.delete(x, obj, axis=axis)
            moves = axis is None and split not in (None, 0) and P > 1  # ravel's resplit
            assert stats.total == int(moves)
            assert got.split == flat_split(split, axis)
            if split is not None and axis is not None and axis % len(shape) != split:
                assert got.counts == x.counts
            assert_array(got, np.delete(ref, obj, axis=axis))
    if shape[0]:
        index = make(np.array([shape[0] - 1, 0]), 0)  # an hpa index is gathered
        assert_array(hpa.delete(x, index, axis=0), np.delete(ref, index.numpy(), axis=0))


# ---------------------------------------------------------------------------------- insert
def insert_cases(shape: tuple[int, ...], axis: int | None) -> list[tuple[Any, Any]]:
    n = int(np.prod(shape)) if axis is None else shape[axis]
    rest = list(shape)
    if axis is not None:
        rest[axis] = 1
    slab = data(tuple(rest), hpa.float64, seed=2) if axis is not None else np.array(2.5)
    # a scalar index inserts one block whose first axis runs along ``axis``
    block = np.moveaxis(slab, axis, 0) if axis is not None else slab
    cases = [(0, 9), (n, [7]), ([0, n, 0, n // 2], -3), ([n // 2], slab), (slice(None, None, 2), 4)]
    return [*cases, ([], 1), (-1, block)] if n else cases


@pytest.mark.parametrize("shape,split,ragged", layout_cases(SHAPES))
def test_insert(shape: tuple[int, ...], split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    for axis in (None, 0, -1):
        for obj, values in insert_cases(shape, axis):
            with hpa.count_collectives() as stats:
                got = hpa.insert(x, obj, values, axis=axis)
            assert_array(got, np.insert(ref, obj, values, axis=axis))
            out_split = flat_split(split, axis)
            assert got.split == out_split
            along = axis is None or (split is not None and axis % len(shape) == split)
            if split is not None and along:
                assert got.layout.is_balanced
            elif split is not None:
                assert got.counts == x.counts and stats.total == 0
            else:
                assert stats.total == 0


@pytest.mark.parametrize("split", [None, 0, 1])
def test_insert_values(split: int | None) -> None:
    ref = data((5, 3), hpa.int32)
    x = make(ref, split, ragged=True)
    # one block at a scalar index: its first axis runs along ``axis``
    block = [[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]]
    assert_array(hpa.insert(x, 1, block, axis=1), np.insert(ref, 1, block, axis=1))
    assert_array(
        hpa.insert(x, [1], [[1], [2], [3], [4], [5]], axis=1),
        np.insert(ref, [1], [[1], [2], [3], [4], [5]], axis=1),
    )
    assert_array(hpa.insert(x, [1], [7, 8, 9], axis=0), np.insert(ref, [1], [7, 8, 9], axis=0))
    # values are cast to arr's dtype; a distributed value moves to its rows
    assert_array(hpa.insert(x, [0, 3, 3], 1.75, axis=0), np.insert(ref, [0, 3, 3], 1.75, axis=0))
    rows = data((3, 3), hpa.float64, seed=4)
    for vsplit in (None, 0, 1):
        values = make(rows, vsplit)
        assert_array(
            hpa.insert(x, [4, 0, 2], values, axis=0), np.insert(ref, [4, 0, 2], rows, axis=0)
        )
    flags = np.array([True, False, False, True, False])
    assert_array(hpa.insert(x, flags, -1, axis=0), np.insert(ref, flags, -1, axis=0))


# ---------------------------------------------------------------------------------- trim_zeros
def framed(
    shape: tuple[int, ...], pad: list[tuple[int, int]], dtype: Any = hpa.float64
) -> np.ndarray:
    inner = data(shape, dtype, seed=3)
    inner.flat[0] = 1  # non-zero corners, so the box is the inner block
    inner.flat[-1] = 1
    return np.pad(inner, pad)


TRIM_ARRAYS = [
    framed((3, 2), [(2, 1), (0, 3)]),
    framed((2, 2, 3), [(1, 0), (2, 2), (0, 1)], hpa.int32),
    framed((4,), [(3, 2)], hpa.complex64),
    np.zeros((3, 4)),
    np.zeros((0, 3)),
]


@pytest.mark.parametrize("which", range(len(TRIM_ARRAYS)))
def test_trim_zeros(which: int) -> None:
    ref = TRIM_ARRAYS[which]
    for split in splits(ref.ndim):
        for ragged in (False, True):
            x = make(ref, split, ragged=ragged)
            for trim in ("fb", "f", "b", "BF"):
                for axis in (None, 0, -1, tuple(range(ref.ndim))):
                    with hpa.count_collectives() as stats:
                        got = hpa.trim_zeros(x, trim, axis)
                    assert stats.total == (1 if x.is_distributed() else 0)
                    assert got.split == split
                    assert_array(got, np.trim_zeros(ref, trim, axis))
    assert_array(hpa.trim_zeros([0, 0, 1, 2, 0]), np.array(np.trim_zeros([0, 0, 1, 2, 0])))
    assert_array(hpa.trim_zeros(np.array(0.0)), np.trim_zeros(np.array(0.0)))


# ---------------------------------------------------------------------------------- resize
@pytest.mark.parametrize("shape,split,ragged", layout_cases([(7, 5), (2, 3), (0, 2), (1, 1)]))
def test_resize(shape: tuple[int, ...], split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int16)
    x = make(ref, split, ragged=ragged)
    for new in [(3, 4), 40, (2, 3, 20), (), (0,), (4, 0), (1,), (1, 2 * ref.size + 1)]:
        with hpa.count_collectives() as stats:
            got = hpa.resize(x, new)
        want = np.resize(ref, new)
        assert_array(got, want)
        if split is None:
            assert got.split is None and stats.total == 0
        elif want.ndim:
            assert got.split == 0 and got.layout.is_balanced
        moves = P > 1 and split is not None and ref.size and want.size
        assert stats.total <= (2 if moves else 0)
    assert_array(hpa.resize([1, 2, 3], (2, 2)), np.resize([1, 2, 3], (2, 2)))


# ---------------------------------------------------------------------------------- rollaxis
@pytest.mark.parametrize("split", [None, 0, 1, 2])
def test_rollaxis(split: int | None) -> None:
    ref = data((2, 3, 4))
    x = make(ref, split, ragged=True)
    for axis in (-3, -1, 0, 1, 2):
        for start in (-3, -1, 0, 1, 2, 3):
            with hpa.count_collectives() as stats:
                got = hpa.rollaxis(x, axis, start)
            assert stats.total == 0
            want = np.rollaxis(ref, axis, start)
            assert_array(got, want)
            if split is not None:  # the axes have distinct lengths: the split follows its data
                assert got.split == got.shape.index(ref.shape[split])


# ---------------------------------------------------------------------------------- ediff1d
EDIFF_DTYPES = [hpa.uint8, hpa.int8, hpa.int64, hpa.float32, hpa.float64, hpa.complex64]


@pytest.mark.parametrize("dtype", EDIFF_DTYPES, ids=str)
@pytest.mark.parametrize("shape,split,ragged", layout_cases([(9,), (3, 4), (1,), (0,)]))
def test_ediff1d(dtype: hpa.DType, shape: tuple[int, ...], split: int | None, ragged: bool) -> None:
    ref = data(shape, dtype)
    x = make(ref, split, dtype=dtype, ragged=ragged)
    ends = np.array([[3], [4]], dtype=ref.dtype)
    for begin, end in [(None, None), (ends[0], None), (None, ends), (ends, ends[1])]:
        got = hpa.ediff1d(x, to_end=end, to_begin=begin)
        assert got.split == (None if split is None else 0)
        assert got.layout.is_balanced
        assert_array(got, np.ediff1d(ref, to_end=end, to_begin=begin), rtol=1e-5)
    if dtype.kind != "u":  # Python integers are int64: no same_kind cast to unsigned
        assert_array(hpa.ediff1d(x, 300, -1), np.ediff1d(ref, 300, -1), rtol=1e-5)
    edges = make(np.array([7, 8], dtype=np.uint8), 0)
    assert_array(
        hpa.ediff1d(x, to_end=edges), np.ediff1d(ref, to_end=np.array([7, 8], np.uint8)), rtol=1e-5
    )


# ---------------------------------------------------------------------------------- put_along_axis
def along_cases(shape: tuple[int, ...], axis: int) -> list[np.ndarray]:
    """Index arrays for ``axis``: a permutation (argsort), repeated and negative indices, and
    one that broadcasts along the other axes."""
    rng = np.random.default_rng(5)
    n = shape[axis]
    perm = np.argsort(data(shape, seed=6), axis=axis)
    picks = list(shape)
    picks[axis] = 3
    repeated = rng.integers(-n, n, size=picks) if n else np.zeros(picks, dtype=np.int64)
    thin = [1] * len(shape)
    thin[axis] = 2
    narrow = rng.integers(0, n, size=thin) if n else np.zeros(thin, dtype=np.int64)
    return [perm, repeated, narrow]


@pytest.mark.parametrize("shape,split,ragged", layout_cases([(6, 5), (3, 4, 2), (1, 3)]))
def test_put_along_axis(shape: tuple[int, ...], split: int | None, ragged: bool) -> None:
    for axis in range(len(shape)):
        for idx in along_cases(shape, axis):
            target = tuple(idx.shape[d] if d == axis else n for d, n in enumerate(shape))
            values = data(target, seed=7)
            for layout in ("replicated", "split"):
                ref = data(shape)
                x = make(ref, split, ragged=ragged)
                if layout == "split" and split is not None and idx.shape[split] == shape[split]:
                    index, vals = make(idx, split), make(values, split)
                else:
                    index, vals = idx, values
                before = x.layout
                with hpa.count_collectives() as stats:
                    out = hpa.put_along_axis(x, index, vals, axis)
                assert out is None and x.layout == before
                if split is not None and split != axis and layout == "replicated":
                    assert stats.total == 0
                np.put_along_axis(ref, idx, values, axis)
                assert_array(x, ref)
        ref = data(shape)
        x = make(ref, split, ragged=ragged)
        hpa.put_along_axis(x, np.zeros((1,) * len(shape), dtype=np.int64), -1.0, axis)
        np.put_along_axis(ref, np.zeros((1,) * len(shape), dtype=np.int64), -1.0, axis)
        assert_array(x, ref)
    ref = data(shape)
    x = make(ref, split, ragged=ragged)
    flat = np.array([0, ref.size - 1, -2, 1])
    hpa.put_along_axis(x, flat, [5.0, 6.0, 7.0, 8.0], None)
    np.put_along_axis(ref, flat, [5.0, 6.0, 7.0, 8.0], None)
    assert_array(x, ref)


def test_put_along_axis_broadcast_arr() -> None:
    # an axis of arr of length one broadcast against the index: the last write wins
    ref = np.zeros((1, 4))
    for split in (None, 0, 1):
        x = make(ref.copy(), split)
        idx = np.array([[1], [2], [1]])
        hpa.put_along_axis(x, idx, [[5.0], [6.0], [7.0]], 1)
        want = ref.copy()
        np.put_along_axis(want, idx, [[5.0], [6.0], [7.0]], 1)
        assert_array(x, want)


# ---------------------------------------------------------------------------------- sort_complex
SORT_DTYPES = [
    hpa.int8,
    hpa.uint8,
    hpa.int16,
    hpa.int32,
    hpa.float32,
    hpa.float64,
    hpa.complex64,
    hpa.complex128,
]


@pytest.mark.parametrize("dtype", SORT_DTYPES, ids=str)
@pytest.mark.parametrize("shape,split,ragged", layout_cases([(11,), (3, 6), (0,)]))
def test_sort_complex(
    dtype: hpa.DType, shape: tuple[int, ...], split: int | None, ragged: bool
) -> None:
    ref = data(shape, dtype, low=-2, high=3)
    if dtype.kind == "c":
        ref = (np.round(ref.real) + 1j * np.round(ref.imag)).astype(ref.dtype)  # ties of real parts
    x = make(ref, split, dtype=dtype, ragged=ragged)
    with hpa.count_collectives() as stats:
        got = hpa.sort_complex(x)
    if split is None or split != len(shape) - 1:
        assert stats.total == 0 and got.split == split
    assert_array(got, np.sort_complex(ref))


# ---------------------------------------------------------------------------------- errors
def test_errors() -> None:
    x = make(data((4, 3)), 0)
    ints = make(data((4,), hpa.int8), 0)
    raised_everywhere(ValueError, lambda: hpa.append(x, [1, 2, 3], axis=0))
    raised_everywhere(IndexError, lambda: hpa.delete(x, 4, axis=0))
    raised_everywhere(IndexError, lambda: hpa.delete(x, [0, -5], axis=0))
    raised_everywhere(IndexError, lambda: hpa.delete(x, [1.0], axis=0))
    raised_everywhere(ValueError, lambda: hpa.delete(x, [True, False], axis=0))
    raised_everywhere(hpa.AxisError, lambda: hpa.delete(x, 0, axis=2))
    raised_everywhere(hpa.AxisError, lambda: hpa.delete(hpa.array(5), 0, axis=0))
    raised_everywhere(IndexError, lambda: hpa.insert(x, 5, 1, axis=0))
    raised_everywhere(IndexError, lambda: hpa.insert(x, [1, -5], 1, axis=0))
    raised_everywhere(TypeError, lambda: hpa.insert(x, 1.0, 1, axis=0))
    raised_everywhere(ValueError, lambda: hpa.insert(x, [[1]], 1, axis=0))
    raised_everywhere(ValueError, lambda: hpa.insert(x, [1, 2], [1, 2, 3], axis=1))
    raised_everywhere(OverflowError, lambda: hpa.insert(ints, 1, 300))
    raised_everywhere(TypeError, lambda: hpa.insert(x, 1, 1j))
    raised_everywhere(ValueError, lambda: hpa.trim_zeros(x, "x"))
    raised_everywhere(ValueError, lambda: hpa.trim_zeros(x, "fbf"))
    raised_everywhere(ValueError, lambda: hpa.trim_zeros(x, axis=(0, 0)))
    raised_everywhere(hpa.AxisError, lambda: hpa.trim_zeros(x, axis=2))
    raised_everywhere(ValueError, lambda: hpa.resize(x, (-1, 2)))
    raised_everywhere(TypeError, lambda: hpa.resize(x, 3.0))
    raised_everywhere(hpa.AxisError, lambda: hpa.rollaxis(x, 2))
    raised_everywhere(hpa.AxisError, lambda: hpa.rollaxis(x, 0, 3))
    raised_everywhere(hpa.AxisError, lambda: hpa.rollaxis(x, 0, -3))
    raised_everywhere(TypeError, lambda: hpa.ediff1d(make(np.array([True, False]), 0)))
    raised_everywhere(TypeError, lambda: hpa.ediff1d(ints, to_begin=1.5))
    raised_everywhere(TypeError, lambda: hpa.ediff1d(make(np.arange(3, dtype=np.uint8), 0), 0))
    raised_everywhere(TypeError, lambda: hpa.ediff1d(x, to_end=1j))
    raised_everywhere(IndexError, lambda: hpa.put_along_axis(x, np.array([[4]]), 1.0, 0))
    raised_everywhere(IndexError, lambda: hpa.put_along_axis(x, np.array([[3]]), 1.0, 1))
    raised_everywhere(
        IndexError, lambda: hpa.put_along_axis(x, make(np.full((4, 1), 3), 0), 1.0, 1)
    )
    late = np.array([[0], [0], [0], [-4]])  # out of bounds in the last row only
    raised_everywhere(IndexError, lambda: hpa.put_along_axis(x, late, 1.0, 1))
    raised_everywhere(IndexError, lambda: hpa.put_along_axis(x, make(late, 0, ragged=True), 1.0, 1))
    raised_everywhere(IndexError, lambda: hpa.put_along_axis(x, make(late, 1), 1.0, 1))
    raised_everywhere(IndexError, lambda: hpa.put_along_axis(x, np.zeros((4, 1)), 1.0, 1))
    raised_everywhere(
        IndexError, lambda: hpa.put_along_axis(x, np.zeros((2, 1), dtype=int), 1.0, 1)
    )
    raised_everywhere(ValueError, lambda: hpa.put_along_axis(x, np.zeros(4, dtype=int), 1.0, 1))
    raised_everywhere(
        ValueError, lambda: hpa.put_along_axis(x, np.zeros((4, 1), dtype=int), 1.0, None)
    )
    raised_everywhere(
        ValueError, lambda: hpa.put_along_axis(x, np.zeros((4, 1), dtype=int), [[1, 2]], 1)
    )
    raised_everywhere(OverflowError, lambda: hpa.put_along_axis(ints, np.array([0]), 300, 0))
    raised_everywhere(
        TypeError, lambda: hpa.put_along_axis(np.zeros((2, 2)), np.zeros((2, 1), dtype=int), 1, 1)
    )
    raised_everywhere(hpa.AxisError, lambda: hpa.sort_complex(hpa.array(3)))
