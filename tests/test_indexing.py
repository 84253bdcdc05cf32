"""Basic indexing (getitem, setitem) and the layout-only manipulations (ravel, transpose)."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
import torch
from helpers import P, assert_array, case_id, cases, data, make, raised_everywhere, splits

import hpa

E = Ellipsis
S = slice

# ---------------------------------------------------------------------------------- key analysis


def expand(key: Any, ndim: int) -> list[Any]:
    """The key with ``...`` expanded and trailing axes filled in (``None`` entries kept)."""
    key = key if isinstance(key, tuple) else (key,)
    used = sum(k is not None and k is not E for k in key)
    out: list[Any] = []
    for k in key:
        out.extend([S(None)] * (ndim - used) if k is E else [k])
    return out + [S(None)] * (ndim - sum(k is not None for k in out))


def on_split(key: Any, ndim: int, split: int | None) -> Any:
    """The index applied to the split axis (``None`` when replicated)."""
    return None if split is None else [k for k in expand(key, ndim) if k is not None][split]


def result_split(key: Any, ndim: int, split: int | None) -> int | None:
    """Where the split axis lands in ``x[key]`` (``None`` when it is indexed away)."""
    position = axis = 0
    for k in expand(key, ndim):
        if k is None:
            position += 1
            continue
        if axis == split:
            return position if isinstance(k, slice) else None
        position += isinstance(k, slice)
        axis += 1
    return None


def has_negative_step(key: Any) -> bool:
    items = key if isinstance(key, tuple) else (key,)
    return any(isinstance(k, slice) and k.step is not None and k.step < 0 for k in items)


def reverses_split(key: Any, ndim: int, split: int | None) -> bool:
    k = on_split(key, ndim, split)
    return isinstance(k, slice) and k.step is not None and k.step < 0


# ---------------------------------------------------------------------------------- keys
KEYS = {
    (7,): [0, -1, 6, 3, S(None), S(2, 5), S(None, None, 2), S(1, None, 3), S(-3, None), S(5, 2), S(10, 20),
           S(-100, 100), E, None, (None, S(1, 4)), (E, 2), (S(1, 6), None), (None, E, None), S(None, None, -1),
           S(5, 1, -2), (S(None), E)],
    (5, 4): [1, -2, (1, 2), (S(1, 4), 2), (2, S(None, None, -1)), (S(None, None, 2), S(1, None)), (E, -1),
             (None, 1, E), (S(None), None, S(0, 3)), (S(3, 1), 0), (-1, -1), (E, S(3, 0, -2)), (S(4, None), E),
             (S(None, None, -2), 1), (S(1, 3), S(1, 3)), ()],
    (4, 3, 5): [1, (E, 2), (S(1, 3), None, 1, S(None, None, 2)), (0, 0, 0), (S(None), S(None, None, -1)),
                (E, S(4, 0, -2)), (-1, E, None), (S(None), 1), (S(2, 4), E, S(1, 2)), (None, S(0, 1), 2, -1)],
    (2, 3): [0, 1, (S(None), 2), (E, S(0, 2)), (S(1, None), None), (-2, S(None, None, -1))],
    (1, 4): [0, (0, 3), (S(None), S(1, 3)), (E, None)],
    (0, 3): [(S(None), 1), (E, S(1, 2)), S(1, 5), (None, E), (S(None), S(None, None, -1))],
}  # fmt: skip


def key_cases(keys: dict[tuple[int, ...], list[Any]]) -> tuple[list[tuple[Any, ...]], list[str]]:
    """(shape, split, key, ragged) for every key of every shape and split, and their ids."""
    cases = [
        (shape, split, key, ragged)
        for shape, shape_keys in keys.items()
        for split in splits(len(shape))
        for key in shape_keys
        for ragged in ((False, True) if split is not None else (False,))
    ]
    return cases, [f"{case_id((s, sp))}-{k!r}{'-ragged' if r else ''}" for s, sp, k, r in cases]


GET_CASES, GET_IDS = key_cases(KEYS)


@pytest.mark.parametrize("shape,split,key,ragged", GET_CASES, ids=GET_IDS)
def test_getitem(shape: tuple, split: int | None, key: Any, ragged: bool) -> None:
    ref = data(shape, hpa.int32)
    x = make(ref, split, ragged=ragged)
    with hpa.count_collectives() as stats:
        y = x[key]
    k = on_split(key, len(shape), split)
    scalar_on_split = k is not None and not isinstance(k, slice)
    reverse = reverses_split(key, len(shape), split) and P > 1
    assert stats["bcast"] == (1 if scalar_on_split and P > 1 else 0)
    assert stats["alltoallv"] == (1 if reverse else 0)  # rows go to the mirrored rank
    assert stats.total == stats["bcast"] + stats["alltoallv"]
    want = ref[key]
    assert y.split == result_split(key, len(shape), split)
    if y.split is not None:
        assert sum(y.counts) == want.shape[y.split]
    assert_array(y, want)
    # a view, as in NumPy, unless data moved (an int on the distributed split axis) or a step
    # is negative (torch has no negative strides): then a copy
    y[...] = -99
    if not (scalar_on_split and P > 1) and not has_negative_step(key):
        ref[key] = -99
    assert_array(x, ref)


@pytest.mark.parametrize(
    "dtype", [hpa.bool_, hpa.uint8, hpa.float16, hpa.bfloat16, hpa.complex128], ids=str
)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_getitem_dtypes(dtype: hpa.DType, split: int | None) -> None:
    ref = data((5, 4), dtype)
    x = make(ref, split, dtype=dtype, ragged=True)
    for key in [(2, 1), (S(1, 4), S(None, None, 2)), (E, 3), -1]:
        assert_array(x[key], ref[key], dtype=dtype)


def test_slice_of_split_axis_is_local() -> None:
    ref = np.arange(20).reshape(10, 2)
    x = make(ref, 0)
    with hpa.count_collectives() as stats:
        y = x[3:9:2]
        z = x[8:]
    assert stats.total == 0
    assert y.split == 0 and y.shape == (3, 2)
    assert z.split == 0 and sum(z.counts) == 2
    lo = x.layout.offsets[x.comm.rank]
    hi = x.layout.offsets[x.comm.rank + 1]
    assert y.counts[x.comm.rank] == len([i for i in range(3, 9, 2) if lo <= i < hi])
    assert_array(y, ref[3:9:2])
    assert_array(z, ref[8:])
    assert_array(y + 1, ref[3:9:2] + 1)  # a ragged result works in later operations


@pytest.mark.parametrize("split", [None, 0])
@pytest.mark.parametrize("ragged", [False, True])
def test_reverse_along_split(split: int | None, ragged: bool) -> None:
    ref = np.arange(7)
    x = make(ref, split, ragged=ragged)
    assert_array(x[::-1], ref[::-1])
    assert_array(x[5:1:-2], ref[5:1:-2])
    assert_array(x[1:5:-1], ref[1:5:-1])
    with hpa.count_collectives() as stats:
        x[::-2] = np.arange(4) * 10
    assert stats.total == 0  # a replicated value is reversed locally
    ref[::-2] = np.arange(4) * 10
    assert_array(x, ref)
    x[6:0:-3] = make(np.array([-1, -2]), split, ragged=ragged)
    ref[6:0:-3] = [-1, -2]
    assert_array(x, ref)
    x[::-1] = hpa.array(5)
    ref[::-1] = 5
    assert_array(x, ref)


@pytest.mark.parametrize("case", list(cases([(7,), (5, 4), (2, 3, 4), (0, 3)])), ids=case_id)
def test_getitem_out_of_bounds(case: tuple) -> None:
    shape, split = case
    x = make(data(shape), split, ragged=True)
    n = shape[0]
    bad = [n, -n - 1, (E, shape[-1]), (0,) * (len(shape) + 1), (E, E)]
    for key in bad:
        raised_everywhere(IndexError, lambda key=key: x[key])
        raised_everywhere(IndexError, lambda key=key: x.__setitem__(key, 1))


ADVANCED = [True, np.bool_(False), "a", 1.0, ([0, 1], "a"), ([0, 1], 1.5), (np.array(True), [0])]


@pytest.mark.parametrize("split", [None, 0])
@pytest.mark.parametrize("key", ADVANCED, ids=repr)
def test_advanced_indexing_not_implemented(split: int | None, key: Any) -> None:
    x = make(data((5, 3)), split)
    raised_everywhere(NotImplementedError, lambda: x[key])
    raised_everywhere(NotImplementedError, lambda: x.__setitem__(key, 0))


@pytest.mark.parametrize("split", [None, 0, 1])
@pytest.mark.parametrize("ragged", [False, True])
def test_zero_d_boolean_index(split: int | None, ragged: bool) -> None:
    """A 0-d boolean array as the only array index adds an axis of length 1 or 0 (NumPy)."""
    ref = data((5, 3))
    x = make(ref, split, ragged=ragged)
    for flag in [True, False]:
        for m in [np.array(flag), torch.tensor(flag), hpa.asarray(flag)]:
            assert_array(x[m], ref[np.array(flag)])
            for key in [(1, m), (E, m), (S(None), None, m), (m, S(1, None))]:
                assert_array(x[key], ref[tuple(np.array(flag) if k is m else k for k in key)])
            y = make(ref, split, ragged=ragged)
            y[m] = -2.0
            assert_array(y, np.full_like(ref, -2.0) if flag else ref)
    z = hpa.asarray(3.0)
    z[hpa.asarray(True)] = 1.0
    assert float(z) == 1.0


@pytest.mark.parametrize("split", [None, 0])
def test_advanced_indexing_with_hpa_arrays(split: int | None) -> None:
    ref = data((5, 3))
    x = make(ref, split)
    assert_array(x[hpa.arange(2, split=split)], ref[:2])
    assert_array(x[hpa.zeros(5, dtype=hpa.bool_, split=split)], ref[np.zeros(5, bool)])


# ---------------------------------------------------------------------------------- setitem
SET_KEYS = {
    (7,): [2, -1, S(None), S(1, 5), S(None, None, 3), S(5, 2), E, (None, S(2, 6))],
    (5, 4): [1, (1, 2), (S(1, 4), 2), (2, S(None, None, -1)), (S(None, None, 2), S(1, None)), (E, -1),
             (S(3, 1), 0), (None, S(1, 4), E), (S(4, None), S(None, None, -2))],
    (2, 3, 4): [(1, S(None), 2), (E, S(1, 3)), (S(None), 0), (-1, -1, -1), (S(None), S(None, None, -1), S(1, 4))],
    (2, 3): [0, (S(1, None), 1)],
    (0, 3): [(S(None), 1), (E, S(1, 2))],
}  # fmt: skip
SET_CASES = [
    (shape, split, key, ragged)
    for shape, keys in SET_KEYS.items()
    for split in splits(len(shape))
    for key in keys
    for ragged in ((False, True) if split is not None else (False,))
]
SET_IDS = [f"{case_id((s, sp))}-{k!r}{'-ragged' if r else ''}" for s, sp, k, r in SET_CASES]


def check_set(x: hpa.Array, ref: np.ndarray, key: Any, value: Any, ref_value: Any) -> None:
    x[key] = value
    ref[key] = ref_value
    assert_array(x, ref)


@pytest.mark.parametrize("shape,split,key,ragged", SET_CASES, ids=SET_IDS)
def test_setitem_scalars_and_numpy(shape: tuple, split: int | None, key: Any, ragged: bool) -> None:
    ref = data(shape)
    x = make(ref, split, ragged=ragged)
    with hpa.count_collectives() as stats:
        x[key] = 7.5
    assert stats.total == 0  # a scalar is written by the owners of the selection only
    ref[key] = 7.5
    assert_array(x, ref)
    sel = ref[key].shape
    value = data(sel, seed=1)
    with hpa.count_collectives() as stats:
        x[key] = value
    assert stats.total == 0
    ref[key] = value
    assert_array(x, ref)
    if sel:
        row = data(sel[-1:], seed=2)  # broadcast along all leading axes
        check_set(x, ref, key, row, row)
        check_set(x, ref, key, row[None, None], row)  # extra leading length-1 axes
    check_set(x, ref, key, np.float32(-2.0), -2.0)
    check_set(x, ref, key, np.array(3.0), 3.0)


@pytest.mark.parametrize("shape,split,key,ragged", SET_CASES, ids=SET_IDS)
def test_setitem_hpa_values(shape: tuple, split: int | None, key: Any, ragged: bool) -> None:
    ref = data(shape)
    x = make(ref, split, ragged=ragged)
    sel = ref[key].shape
    for seed, value_split in enumerate(splits(len(sel)), start=3):
        value = data(sel, seed=seed)
        check_set(x, ref, key, make(value, value_split, ragged=ragged), value)
    if sel:
        row = data(sel[-1:], seed=9)
        check_set(x, ref, key, make(row, 0), row)  # a split value broadcast to the selection
    check_set(x, ref, key, hpa.array(5.0), 5.0)


@pytest.mark.parametrize("split", [None, 0, 1])
def test_setitem_casts_to_array_dtype(split: int | None) -> None:
    ref = data((5, 4), hpa.int32)
    x = make(ref, split, ragged=True)
    check_set(x, ref, (S(1, 3), E), 2.7, 2.7)
    check_set(x, ref, 0, np.array([1.9, -1.9, 3.2, 0.5]), np.array([1.9, -1.9, 3.2, 0.5]))
    check_set(x, ref, (E, 1), hpa.arange(5, dtype=hpa.float64, split=0) + 0.25, np.arange(5) + 0.25)
    check_set(x, ref, (S(None), S(None)), True, True)
    flags = data((5, 4), hpa.bool_)
    b = make(flags, split)
    b[2] = 0
    flags[2] = 0
    assert_array(b, flags)


@pytest.mark.parametrize("split", [None, 0, 1])
def test_setitem_shape_mismatch(split: int | None) -> None:
    x = make(data((5, 4)), split)
    bad = [
        (S(None), np.ones(3)),
        (0, np.ones((2, 4))),
        ((1, 1), np.ones(2)),
        (S(1, 3), np.ones((3, 4))),
    ]
    for key, value in bad:
        raised_everywhere(ValueError, lambda key=key, value=value: x.__setitem__(key, value))
        raised_everywhere(
            ValueError, lambda key=key, value=value: x.__setitem__(key, hpa.array(value, split=0))
        )
    assert_array(x, data((5, 4)))


def test_setitem_int_on_split_with_split_value() -> None:
    ref = np.zeros((7, 5))
    x = make(ref, 0, ragged=True)
    value = np.arange(5.0)
    check_set(x, ref, 4, make(value, 0, ragged=True), value)
    check_set(x, ref, (-1, S(1, 4)), make(value[1:4], None), value[1:4])


# ---------------------------------------------------------------------------------- ravel, transpose
RAVEL_CASES = list(cases([(0,), (1,), (7,), (3, 5), (1, 4), (0, 3), (2, 3, 4), (5, 1, 2)]))


@pytest.mark.parametrize("case", RAVEL_CASES, ids=case_id)
@pytest.mark.parametrize("ragged", [False, True])
def test_ravel_flatten(case: tuple, ragged: bool) -> None:
    shape, split = case
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    with hpa.count_collectives() as stats:
        r = hpa.ravel(x)
    assert stats.total == (0 if split in (None, 0) or P == 1 else 1)  # one alltoallv to split 0
    assert r.split == (None if split is None else 0)
    assert_array(r, ref.ravel())
    f = hpa.flatten(x)
    assert_array(f, ref.flatten())
    f.larray.fill_(-1)
    assert_array(x, ref)  # flatten always copies
    assert_array(hpa.ravel(ref), ref.ravel())


def test_ravel_zero_d() -> None:
    assert_array(hpa.ravel(hpa.array(3.0)), np.ravel(np.array(3.0)))
    assert_array(hpa.flatten(hpa.array(3.0)), np.array([3.0]))


PERM_CASES = [
    (shape, split, axes)
    for shape in [(2, 3, 4), (0, 3, 2), (3, 1, 2)]
    for split in splits(3)
    for axes in [None, *itertools.permutations(range(3)), (-1, 0, -2)]
]


@pytest.mark.parametrize(
    "shape,split,axes", PERM_CASES, ids=[f"{case_id((s, sp))}-{a}" for s, sp, a in PERM_CASES]
)
def test_transpose(shape: tuple, split: int | None, axes: Any) -> None:
    ref = data(shape)
    x = make(ref, split, ragged=True)
    with hpa.count_collectives() as stats:
        y = hpa.transpose(x, axes)
        z = hpa.permute_dims(x, axes) if axes is not None else x.transpose()
    assert stats.total == 0
    perm = tuple(a % 3 for a in axes) if axes is not None else (2, 1, 0)
    assert y.split == (None if split is None else perm.index(split))
    assert y.counts == x.counts
    assert_array(y, np.transpose(ref, axes))
    assert_array(z, np.transpose(ref, axes))


@pytest.mark.parametrize("case", list(cases([(7,), (3, 5), (0, 2), (2, 3, 4)])), ids=case_id)
def test_transpose_default_and_method(case: tuple) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=True)
    assert_array(hpa.transpose(x), ref.transpose())
    assert_array(x.transpose(), ref.transpose())
    assert_array(hpa.transpose(ref), ref.transpose())


@pytest.mark.parametrize("split", [None, 0, 1])
def test_transpose_bad_axes(split: int | None) -> None:
    x = make(data((2, 3)), split)
    for axes in [(0,), (0, 0), (0, 1, 2), (0, 2)]:
        with pytest.raises(ValueError):
            hpa.transpose(x, axes)


@pytest.mark.parametrize(
    "case", list(cases([(3, 5), (0, 4), (2, 3, 4), (1, 2, 3, 2)])), ids=case_id
)
def test_matrix_transpose(case: tuple) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=True)
    with hpa.count_collectives() as stats:
        y = hpa.matrix_transpose(x)
    assert stats.total == 0
    assert_array(y, np.matrix_transpose(ref))
    nd = len(shape)
    expected_split = (
        {nd - 1: nd - 2, nd - 2: nd - 1}.get(split, split) if split is not None else None
    )
    assert y.split == expected_split


def test_matrix_transpose_needs_two_axes() -> None:
    with pytest.raises(ValueError):
        hpa.matrix_transpose(hpa.arange(3, split=0))


@pytest.mark.parametrize(
    "value,exc", [(1000, OverflowError), (1 + 2j, TypeError), ("a", TypeError)]
)
@pytest.mark.parametrize("key", [0, (slice(0, 1),), (-1, 1)])
def test_setitem_bad_value_raises_on_every_rank(
    value: object, exc: type[BaseException], key: object
) -> None:
    """A value the dtype cannot hold raises NumPy's error on every rank, owner or not."""
    x = hpa.zeros((4, 3), dtype=hpa.int8, split=0)

    def assign() -> None:
        x[key] = value

    raised_everywhere(exc, assign)
    assert_array(x, np.zeros((4, 3), dtype=np.int8))


def test_setitem_split_value_broadcast_moves_without_gather() -> None:
    """A split value that broadcasts onto the selection's split axis is redistributed, not gathered."""
    ref = data((4, 6), hpa.float64, seed=3)
    x = make(ref, 1)
    v = make(np.arange(6.0), 0)
    with hpa.count_collectives() as stats:
        x[:] = v
    ref[:] = np.arange(6.0)
    assert_array(x, ref)
    assert stats["allgatherv"] == 0


# ---------------------------------------------------------------------------------- several indices
M5 = np.array([True, False, True, False, True])
FANCY_KEYS = {
    (5, 4, 3): [([0, 1], [2, 3]), ([0, 1], S(None), [2, 0]), (1, [0, 2]), ([0, 2], 1), (None, [0, 1]),
                (E, [1, 0]), (np.array([[0], [4]]), np.array([[0, 1, 3]])), (M5, 1), (S(1, 4), [0, -1], 2),
                ([4, 0, 2], S(None, None, -1), [0, 1, 2]), (np.array(1), [0, 1]), (np.array(2), np.array(1)),
                ([[1, 1], [0, 3]], None, S(1, 3)), (S(None), [1, 2], None, [0, 1]), ([-1, -5], E, [2, -3]),
                (np.ones((5, 4), bool), [0, 2] * 10), ([], []), (M5, S(None), [0, 1, 2]), (4, E, [2, 2, 0]),
                ([3, 3, 1], [0, 0, 2]), (1, [[0, 3], [2, 1]], 2), (S(None, None, 2), [1, 0], None)],
    (4, 3): [([0, 3], [2, 0]), ([3, 1, 2], 0), (-1, [2, 0, 1]), (None, [1, 0], None), ([[0], [1]], [0, 1, 2]),
             (np.array([True, False, True, True]), -1), (E, None, [1]), ([2, 2], [1, 1])],
    (2, 0): [([[0], [1]], np.zeros((2, 0), int)), ([1], E), (1, [])],
    (1, 3): [([0, 0], [2, 0]), (0, [1])],
}  # fmt: skip
FANCY_CASES, FANCY_IDS = key_cases(FANCY_KEYS)


def advanced_axes(key: Any, ndim: int) -> list[int]:
    """The axes of an ``ndim``-D array that ``key`` indexes with arrays or integers."""
    items = key if isinstance(key, tuple) else (key,)
    width = [np.ndim(k) if np.asarray(k).dtype == bool else 1 for k in items]
    used = sum(w for k, w in zip(items, width) if k is not None and k is not E)
    axes, axis = [], 0
    for k, w in zip(items, width):
        if k is E:
            axis += ndim - used
        elif k is not None:
            if not isinstance(k, slice):
                axes.extend(range(axis, axis + w))
            axis += w
    return axes


def negative_on(key: Any, ndim: int, split: int | None) -> bool:
    """Whether ``key`` has a negative-step slice on the split axis."""
    if split is None:
        return False
    items = key if isinstance(key, tuple) else (key,)
    width = [np.ndim(k) if np.asarray(k).dtype == bool else 1 for k in items]
    used = sum(w for k, w in zip(items, width) if k is not None and k is not E)
    axis = 0
    for k, w in zip(items, width):
        if k is E:
            axis += ndim - used
        elif k is not None:
            if axis == split and isinstance(k, slice) and (k.step or 1) < 0:
                return True
            axis += w
    return False


@pytest.mark.parametrize("shape,split,key,ragged", FANCY_CASES, ids=FANCY_IDS)
def test_getitem_several_indices(shape: tuple, split: int | None, key: Any, ragged: bool) -> None:
    ref = data(shape, hpa.int32)
    x = make(ref, split, ragged=ragged)
    with hpa.count_collectives() as stats:
        y = x[key]
    want = ref[key]
    assert_array(y, want)
    if y.split is not None:
        assert sum(y.counts) == want.shape[y.split]
    # the replicated index needs no collective, and x is never gathered
    assert stats["allgather"] == stats["allgatherv"] == 0
    flip = negative_on(key, len(shape), split) and P > 1  # one alltoallv, as for basic keys
    if split not in advanced_axes(key, len(shape)) or P == 1:
        assert stats.total == flip
    else:  # the points travel in one alltoallv (or one bcast for a single point)
        assert stats.total - flip <= 1
    y.larray.fill_(-99)  # advanced indexing copies, as in NumPy
    assert_array(x, ref)


@pytest.mark.parametrize("shape,split,key,ragged", FANCY_CASES, ids=FANCY_IDS)
def test_setitem_several_indices(shape: tuple, split: int | None, key: Any, ragged: bool) -> None:
    ref = data(shape, hpa.int32)
    x = make(ref, split, ragged=ragged)
    sel = ref[key].shape
    value = data(sel, hpa.int32, seed=1) * 10
    with hpa.count_collectives() as stats:
        x[key] = value
    if not negative_on(key, len(shape), split):
        assert stats.total == 0  # each owner writes its points of the replicated value
    ref[key] = value
    assert_array(x, ref)
    check_set(x, ref, key, 7, 7)
    for seed, value_split in enumerate(splits(len(sel)), start=2):
        value = data(sel, hpa.int32, seed=seed)
        check_set(x, ref, key, make(value, value_split, ragged=ragged), value)
    if sel:
        row = data(sel[-1:], hpa.int32, seed=9)  # broadcast along the leading axes
        check_set(x, ref, key, row, row)
        check_set(x, ref, key, make(row, 0, ragged=ragged), row)
        check_set(x, ref, key, row[None, None], row)


@pytest.mark.parametrize("dtype", [hpa.bool_, hpa.uint8, hpa.int64, hpa.float16, hpa.bfloat16,
                                   hpa.float32, hpa.complex128], ids=str)  # fmt: skip
@pytest.mark.parametrize("split", [None, 0, 1, 2])
def test_several_indices_dtypes(dtype: hpa.DType, split: int | None) -> None:
    ref = data((5, 4, 3), dtype)
    x = make(ref, split, dtype=dtype, ragged=True)
    for key in [([0, 4], [3, 1]), (S(None), [2, 0], -1), (M5, S(1, 3), 0), (1, [[0], [2]], [1, 0])]:
        assert_array(x[key], ref[key], dtype=dtype)
        value = data(ref[key].shape, dtype, seed=5)
        x[key] = value
        ref[key] = value
        assert_array(x, ref, dtype=dtype)


@pytest.mark.parametrize("split", [None, 0, 1])
@pytest.mark.parametrize("ragged", [False, True])
def test_index_kinds(split: int | None, ragged: bool) -> None:
    """Lists, NumPy, torch and hpa index arrays (replicated or split) select alike."""
    ref = data((6, 5), hpa.float64)
    x = make(ref, split, ragged=ragged)
    rows, cols = np.array([5, 0, 3, 3]), np.array([-1, 2, 0, 4])
    want = ref[rows, cols]
    kinds = [
        (list(rows), list(cols)),
        (rows, cols),
        (torch.from_numpy(rows), torch.from_numpy(cols)),
        (hpa.array(rows), hpa.array(cols)),
        (make(rows, 0, ragged=ragged), make(cols, 0)),
        (rows.astype(np.uint8), make(cols, 0, ragged=True)),
    ]
    for r, c in kinds:
        assert_array(x[r, c], want)
        assert_array(x[r, 1], ref[rows, 1])
        y = make(ref, split, ragged=ragged)
        y[r, c] = -1.5
        expected = ref.copy()
        expected[rows, cols] = -1.5
        assert_array(y, expected)
    mask = ref[:, 0] > 0
    for m in [mask, torch.from_numpy(mask), hpa.array(mask), make(mask, 0, ragged=ragged)]:
        assert_array(x[m, 2], ref[mask, 2])
        assert_array(x[m, 1:3], ref[mask, 1:3])


@pytest.mark.parametrize("case", list(cases([(5, 4), (2, 3, 4)])), ids=case_id)
def test_several_indices_errors(case: tuple) -> None:
    """Bad keys raise NumPy's error on every rank, without a hang."""
    shape, split = case
    x = make(data(shape), split, ragged=True)
    bad = [
        ([0, shape[0]], [1, 1]),  # out of bounds
        ([-shape[0] - 1], 0),
        (1, [shape[1]]),
        ([0, 1], [0, 1, 1]),  # shapes do not broadcast
        (np.ones(shape[0] + 1, bool), 1),  # mask of the wrong length
        ([0], [0], [0], [0]),  # too many indices
        ([0], E, [0], E),
    ]
    for key in bad:
        raised_everywhere(IndexError, lambda key=key: x[key])
        raised_everywhere(IndexError, lambda key=key: x.__setitem__(key, 1))
    raised_everywhere(ValueError, lambda: x.__setitem__(([0, 1], 0), np.ones(3)))
    raised_everywhere(ValueError, lambda: x.__setitem__(([0, 1], 0), hpa.ones(3, split=0)))
    assert_array(x, data(shape))


@pytest.mark.parametrize("split", [None, 0, 1])
def test_repeated_points_keep_last(split: int | None) -> None:
    ref = np.zeros((4, 3))
    x = make(ref, split, ragged=True)
    key = ([0, 3, 0, 3], [1, 2, 1, 2])
    check_set(x, ref, key, np.arange(4.0), np.arange(4.0))
    check_set(x, ref, key, make(np.arange(4.0) + 10, 0, ragged=True), np.arange(4.0) + 10)


def test_split_axis_points_move_in_one_alltoallv() -> None:
    ref = data((9, 4))
    x = make(ref, 0)
    key = ([8, 0, 5, 1], [0, 3, 2, 1])
    with hpa.count_collectives() as stats:
        y = x[key]
    assert stats.total == (1 if P > 1 else 0) and stats["alltoallv"] == stats.total
    assert y.split == 0 and y.counts == hpa.core.layout.chunk(4, P)
    assert_array(y, ref[key])
    with hpa.count_collectives() as stats:
        z = x[[1, 4, 8], 2]  # in rank order: each rank keeps what it owns
    assert stats.total == 0
    assert_array(z, ref[[1, 4, 8], 2])


# ---------------------------------------------------------------------------------- views
@pytest.mark.parametrize("split", [None, 0, 1])
@pytest.mark.parametrize("ragged", [False, True])
def test_basic_indexing_gives_views(split: int | None, ragged: bool) -> None:
    """Writing through the result of basic indexing writes to the array, as in NumPy."""
    ref = data((6, 4))
    x = make(ref, split, ragged=ragged)
    for key, value in [(S(1, 4), 5.0), ((E, 2), -1.0), ((S(None), S(1, None, 2)), 3.0),
                       ((None, S(2, 5)), 8.0), ((), 4.5)]:  # fmt: skip
        # an int on the distributed split axis is broadcast from its owner: a copy
        moved = P > 1 and isinstance(on_split(key, 2, split), int)
        y = x[key]
        y[...] = value
        if not moved:
            ref[key] = value
        assert_array(x, ref)
        if y.ndim:
            head = np.arange(ref[key][:1].size).reshape(ref[key][:1].shape)
            y[:1] = head
            if not moved:
                view = ref[key]
                view[:1] = head
            assert_array(x, ref)
    # a negative step and advanced indexing copy (torch has no negative strides)
    for key in [S(None, None, -1), [0, 2], (S(None), [1, 0])]:
        y = x[key]
        y[...] = 99.0
        assert_array(x, ref)


@pytest.mark.parametrize("ragged", [False, True])
def test_replicated_indexed_by_split_index_follows_the_index(ragged: bool) -> None:
    """``c[i]`` with a replicated ``c`` and a split ``i`` is split like ``i`` at every process
    count (an estimator's ``classes_[labels]``)."""
    values = np.arange(3) * 10
    index = np.array([0, 2, 1, 1, 0, 2, 2])
    i = make(index, 0, ragged=ragged)
    got = hpa.array(values)[i]
    assert got.split == 0 and got.counts == i.counts
    assert_array(got, values[index])
    mask = make(index > 0, 0, ragged=ragged)
    with hpa.count_collectives() as stats:
        picked = hpa.array(np.arange(7.0), split=0)[mask]
    assert_array(picked, np.arange(7.0)[index > 0])
    if P == 1:
        assert stats.total == 0, stats
