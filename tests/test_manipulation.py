"""Shape manipulation against NumPy: reshape, axis insertion/removal, broadcasting, joining,
flipping and rolling, for every split, balanced and ragged, with their communication."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere, splits

import hpa

DTYPES = [hpa.int64, hpa.float32, hpa.bool_, hpa.complex64]
LAYOUTS = [(False,), (True,)]


def variants(shape: tuple[int, ...]) -> list[tuple[int | None, bool]]:
    """(split, ragged) pairs worth trying for ``shape``."""
    return [(s, r) for s in splits(len(shape)) for r in (False, True) if s is not None or not r]


def layout_id(split: int | None, ragged: bool) -> str:
    return f"s{split}{'-ragged' if ragged else ''}"


def param_cases(items: list[tuple[Any, ...]], shape_of: Any = lambda c: c[0]) -> Any:
    """``items`` crossed with every (split, ragged) of their shape, as pytest params."""
    return [
        pytest.param(*item, split, ragged, id=f"{item}-{layout_id(split, ragged)}")
        for item in items
        for split, ragged in variants(shape_of(item))
    ]


# ---------------------------------------------------------------------------------- reshape
RESHAPES = [
    ((24,), (4, 6)), ((24,), (2, 3, 4)), ((4, 6), (24,)), ((4, 6), (3, 8)), ((4, 6), (6, -1)),
    ((2, 3, 4), (6, 4)), ((2, 3, 4), (2, 12)), ((2, 3, 4), (4, 3, 2)), ((2, 3, 4), (-1,)),
    ((6, 4), (6, 2, 2)), ((2, 6, 5), (12, 5)), ((7,), (7, 1)), ((1, 5), (5,)), ((5, 1), (1, 5)),
    ((1,), ()), ((2,), (1, 2, 1)), ((0,), (0, 3)), ((0, 3), (3, 0)), ((3, 0), (-1,)),
    ((2, 5), (5, 2)), ((3, 5), (5, 3)),
]  # fmt: skip


def survives(shape: tuple[int, ...], new: tuple[int, ...], split: int | None) -> bool:
    """Whether the split axis keeps its extent and the elements before and after it."""
    if split is None:
        return True
    before, after = np.prod(shape[:split]), np.prod(shape[split + 1 :])
    return any(
        n == shape[split] and np.prod(new[:b]) == before and np.prod(new[b + 1 :]) == after
        for b, n in enumerate(new)
    )


@pytest.mark.parametrize("shape,new,split,ragged", param_cases(RESHAPES))
def test_reshape(shape: tuple, new: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    with hpa.count_collectives() as stats:
        y = hpa.reshape(x, new)
    want = ref.reshape(new)
    assert_array(y, want)
    if survives(shape, want.shape, split) or P == 1:
        assert stats.total == 0
    elif not want.ndim:
        assert stats.total == stats["allgatherv"] == 1
    else:
        assert y.split == 0
        assert stats.total == stats["alltoallv"] <= (1 if split == 0 else 2)
    assert_array(x, ref)  # the input is unchanged


def test_reshape_trailing_axes_is_free() -> None:
    ref = data((6, 4, 3), hpa.float64)
    for split in (0, 1):
        x = make(ref, split, ragged=True)
        with hpa.count_collectives() as stats:
            y = x.reshape(6, 4, 3, 1)
            z = x.reshape(6, 12) if split == 0 else x.reshape(6, 4, 3)
        assert stats.total == 0
        assert y.split == split and y.counts == x.counts == z.counts
        assert_array(z, ref.reshape(z.shape))


def test_reshape_rows_line_up_is_free() -> None:
    """Blocks that end on rows of the result stay where they are (the result keeps them)."""
    ref = data((6 * P, 2), hpa.int64)
    x = make(ref, 0)
    with hpa.count_collectives() as stats:
        y = hpa.reshape(x, (3 * P, 4))
    assert stats.total == 0 and y.split == 0 and y.is_balanced()
    assert_array(y, ref.reshape(3 * P, 4))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_reshape_dtypes(dtype: hpa.DType, split: int | None) -> None:
    ref = data((5, 6), dtype)
    x = make(ref, split, dtype=dtype, ragged=True)
    for new in [(3, 10), (30,), (2, 3, 5), (6, 5)]:
        assert_array(x.reshape(new), ref.reshape(new), dtype=dtype)


@pytest.mark.parametrize("split", [None, 0, 1])
def test_reshape_order_and_new_split(split: int | None) -> None:
    ref = data((4, 6), hpa.float64)
    x = make(ref, split, ragged=True)
    assert_array(hpa.reshape(x, (3, 8), order="F"), ref.reshape((3, 8), order="F"))
    for new_split in (None, 0, 1, -1):
        y = hpa.reshape(x, 8, 3, new_split=new_split)
        assert y.split == (None if new_split is None else new_split % 2)
        assert_array(y, ref.reshape(8, 3))
    assert_array(hpa.ravel(x), ref.ravel())
    y = x.flatten()
    y.larray.fill_(0)
    assert_array(x, ref)


@pytest.mark.parametrize("split", [None, 0])
def test_reshape_errors(split: int | None) -> None:
    x = make(data((4, 6), hpa.float64), split)
    for bad in [(5, 5), (-1, -1), (7, -1), (-2, 12), (0, -1)]:
        raised_everywhere(ValueError, lambda bad=bad: x.reshape(bad))
    raised_everywhere(ValueError, lambda: hpa.reshape(x, 24, order="K"))
    raised_everywhere(ValueError, lambda: hpa.reshape(x, 24, new_split=3))


# ---------------------------------------------------------------------------------- axes only
AXES_SHAPES = [(3, 1, 4), (1, 5), (2, 1), (1,), (0, 1, 2), (1, 1, 3)]


@pytest.mark.parametrize("shape,split,ragged", param_cases([(s,) for s in AXES_SHAPES]))
def test_squeeze(shape: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.float32)
    x = make(ref, split, ragged=ragged)
    axes: list[Any] = [None, *(a for a, n in enumerate(shape) if n == 1)]
    for axis in axes:
        want = np.squeeze(ref, axis)
        with hpa.count_collectives() as stats:
            y = hpa.squeeze(x, axis)
        to_scalar = want.ndim == 0 and split is not None and P > 1
        assert stats.total == (1 if to_scalar else 0)
        assert_array(y, want)
    for axis in [a for a, n in enumerate(shape) if n != 1][:1]:
        raised_everywhere(ValueError, lambda axis=axis: x.squeeze(axis))


@pytest.mark.parametrize("shape,split,ragged", param_cases([(s,) for s in AXES_SHAPES]))
def test_expand_dims_swap_move(shape: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    n = len(shape)
    with hpa.count_collectives() as stats:
        results = [
            (hpa.expand_dims(x, 0), np.expand_dims(ref, 0)),
            (hpa.expand_dims(x, -1), np.expand_dims(ref, -1)),
            (hpa.expand_dims(x, (0, 2)), np.expand_dims(ref, (0, 2))),
            (x.swapaxes(0, -1), ref.swapaxes(0, -1)),
            (hpa.moveaxis(x, 0, -1), np.moveaxis(ref, 0, -1)),
            (hpa.moveaxis(x, list(range(n)), list(range(n))[::-1]), ref.transpose()),
            (hpa.atleast_3d(x), np.atleast_3d(ref)),
        ]
    assert stats.total == 0
    for got, want in results:
        assert_array(got, want)
        assert (got.split is None) == (split is None)
    raised_everywhere(ValueError, lambda: hpa.expand_dims(x, (0, 0)))
    raised_everywhere(ValueError, lambda: hpa.expand_dims(x, n + 1))
    raised_everywhere(ValueError, lambda: hpa.moveaxis(x, 0, n))
    # the Array API standard asks for IndexError (array-api-tests test_expand_dims); hpa's
    # axis error is both, as NumPy's AxisError
    raised_everywhere(IndexError, lambda: hpa.expand_dims(x, n + 1))
    raised_everywhere(IndexError, lambda: hpa.expand_dims(x, -n - 2))


def test_atleast() -> None:
    for ref in [np.array(3.0), np.arange(4.0), np.arange(6.0).reshape(2, 3)]:
        for split in splits(ref.ndim):
            x = make(ref, split)
            for fn, np_fn in [
                (hpa.atleast_1d, np.atleast_1d),
                (hpa.atleast_2d, np.atleast_2d),
                (hpa.atleast_3d, np.atleast_3d),
            ]:
                assert_array(fn(x), np_fn(ref))
                pair = fn(x, x)
                assert isinstance(pair, tuple) and len(pair) == 2
                assert_array(pair[1], np_fn(ref))


# ---------------------------------------------------------------------------------- broadcasting
BROADCASTS = [((3, 1), (2, 3, 4)), ((1, 4), (5, 4)), ((4,), (3, 4)), ((1,), (0,)), ((2, 1), (2, 0))]


@pytest.mark.parametrize("shape,target,split,ragged", param_cases(BROADCASTS))
def test_broadcast_to(shape: tuple, target: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    stretched = split is not None and shape[split] != target[len(target) - len(shape) + split]
    with hpa.count_collectives() as stats:
        y = hpa.broadcast_to(x, target)
    assert stats.total == (1 if stretched and P > 1 else 0)
    assert (y.split is None) == (split is None or stretched)
    assert_array(y, np.broadcast_to(ref, target))
    raised_everywhere(ValueError, lambda: hpa.broadcast_to(x, ()))


def test_broadcast_arrays() -> None:
    a, b = data((3, 1), hpa.float64), data((4,), hpa.float64, seed=1)
    got = hpa.broadcast_arrays(make(a, 0, ragged=True), make(b, 0))
    for g, w in zip(got, np.broadcast_arrays(a, b)):
        assert_array(g, w)
    assert got[0].split == 0 and got[1].split == 1


# ---------------------------------------------------------------------------------- joining
JOIN_SHAPES = [((4, 3), (2, 3), 0), ((3, 2), (3, 5), 1), ((1, 3), (0, 3), 0), ((5,), (2,), 0)]
JOIN_CASES = [
    pytest.param(s1, s2, axis, sp1, sp2, ragged, id=f"{s1}{s2}-ax{axis}-s{sp1}s{sp2}-r{ragged}")
    for s1, s2, axis in JOIN_SHAPES
    for sp1 in splits(len(s1))
    for sp2 in splits(len(s1))
    for ragged in (False, True)
]


@pytest.mark.parametrize("s1,s2,axis,sp1,sp2,ragged", JOIN_CASES)
def test_concatenate(s1: tuple, s2: tuple, axis: int, sp1: Any, sp2: Any, ragged: bool) -> None:
    a, b = data(s1, hpa.int64), data(s2, hpa.float32, seed=1)
    x, y = make(a, sp1, ragged=ragged), make(b, sp2, ragged=ragged)
    with hpa.count_collectives() as stats:
        z = hpa.concatenate([x, y, x], axis=axis)
    want = np.concatenate([a, b, a], axis=axis)
    assert_array(z, want)
    assert z.split == (sp1 if sp1 is not None else sp2)
    moved = sum(s is not None and s != z.split for s in (sp1, sp2, sp1))
    assert stats.total == stats["alltoallv"]
    assert stats.total <= (moved + (z.split == axis) if P > 1 else 0)
    if z.split is not None and z.split != axis and sp1 == sp2 and not ragged:
        assert stats.total == 0
    if z.split == axis:
        assert z.is_balanced()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_concatenate_dtypes_and_none(dtype: hpa.DType) -> None:
    a, b = data((3, 4), dtype), data((2, 2), dtype, seed=2)
    x, y = make(a, 0, dtype=dtype, ragged=True), make(b, 1, dtype=dtype)
    assert_array(hpa.concatenate([x, y], axis=None), np.concatenate([a, b], axis=None))
    assert_array(hpa.concatenate([x, a], axis=1), np.concatenate([a, a], axis=1))
    assert_array(hpa.concat((b, y), axis=0), np.concatenate([b, b]), dtype=dtype)


def test_concatenate_errors() -> None:
    x = make(data((3, 4), hpa.float64), 0)
    raised_everywhere(ValueError, lambda: hpa.concatenate([x, x[:, :2]], axis=0))
    raised_everywhere(ValueError, lambda: hpa.concatenate([x, x[0]]))
    raised_everywhere(ValueError, lambda: hpa.concatenate([x[0, 0], x[0, 0]]))
    raised_everywhere(ValueError, lambda: hpa.concatenate([x, x], axis=2))
    raised_everywhere(ValueError, lambda: hpa.concatenate([]))
    raised_everywhere(ValueError, lambda: hpa.stack([x, x[:2]]))


@pytest.mark.parametrize("shape,split,ragged", param_cases([((5,),), ((3, 2),), ((0, 2),)]))
def test_stacks(shape: tuple, split: int | None, ragged: bool) -> None:
    a, b = data(shape, hpa.int64), data(shape, hpa.int64, seed=3)
    x, y = make(a, split, ragged=ragged), make(b, split, ragged=ragged)
    for axis in range(-len(shape) - 1, len(shape) + 1):
        with hpa.count_collectives() as stats:
            z = hpa.stack([x, y], axis=axis)
        assert stats.total == 0
        assert_array(z, np.stack([a, b], axis=axis))
    for fn, np_fn in [
        (hpa.vstack, np.vstack),
        (hpa.hstack, np.hstack),
        (hpa.column_stack, np.column_stack),
        (hpa.dstack, np.dstack),
    ]:
        assert_array(fn([x, y, x]), np_fn([a, b, a]))


# ---------------------------------------------------------------------------------- reordering
FLIP_SHAPES = [(7,), (3, 5), (2, 3, 4), (1, 4), (0, 3), (2,)]


@pytest.mark.parametrize("shape,split,ragged", param_cases([(s,) for s in FLIP_SHAPES]))
def test_flip(shape: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.float64)
    x = make(ref, split, ragged=ragged)
    for axis in [None, 0, -1, tuple(range(len(shape)))]:
        with hpa.count_collectives() as stats:
            y = hpa.flip(x, axis)
        axes = range(len(shape)) if axis is None else np.atleast_1d(axis) % len(shape)
        on_split = split is not None and split in axes and P > 1
        assert stats.total == stats["alltoallv"] == (1 if on_split else 0)
        assert y.layout == x.layout
        assert_array(y, np.flip(ref, axis))
    assert_array(hpa.flipud(x), np.flipud(ref))
    if len(shape) > 1:
        assert_array(hpa.fliplr(x), np.fliplr(ref))
    else:
        raised_everywhere(ValueError, lambda: hpa.fliplr(x))


@pytest.mark.parametrize("shape,split,ragged", param_cases([(s,) for s in FLIP_SHAPES]))
def test_roll(shape: tuple, split: int | None, ragged: bool) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    for shift in [0, 1, -2, 5, 13]:
        for axis in [0, -1]:
            with hpa.count_collectives() as stats:
                y = hpa.roll(x, shift, axis)
            on_split = split == axis % len(shape) and P > 1 and shift
            assert stats.total == stats["alltoallv"] == (1 if on_split else 0)
            assert y.layout == x.layout
            assert_array(y, np.roll(ref, shift, axis))
    assert_array(hpa.roll(x, 3), np.roll(ref, 3))
    if len(shape) > 1:
        assert_array(hpa.roll(x, (1, 2), (0, 1)), np.roll(ref, (1, 2), (0, 1)))
        assert_array(hpa.roll(x, 2, (0, 1, 0)), np.roll(ref, 2, (0, 1, 0)))
    raised_everywhere(ValueError, lambda: hpa.roll(x, (1, 2), (0, 0, 0)))


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_flip_roll_dtypes(dtype: hpa.DType) -> None:
    ref = data((5, 3), dtype)
    x = make(ref, 0, dtype=dtype, ragged=True)
    assert_array(hpa.flip(x), np.flip(ref), dtype=dtype)
    assert_array(hpa.roll(x, 2, 0), np.roll(ref, 2, 0), dtype=dtype)
    assert_array(hpa.roll(x, -4), np.roll(ref, -4), dtype=dtype)
