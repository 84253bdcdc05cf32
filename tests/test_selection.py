"""Advanced indexing (boolean masks, integer arrays) and the selection functions."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from helpers import P, assert_array, case_id, cases, data, make, raised_everywhere, splits

import hpa
from hpa.comm import LoopbackCommunicator

S = slice
E = Ellipsis
MASK_SHAPES = [(0,), (2,), (7,), (3, 5), (1, 4), (0, 3), (2, 3, 4)]
MASK_KINDS = ["numpy", "torch", "hpa-same", "hpa-other"]


def as_kind(values: np.ndarray, kind: str, split: int | None, ragged: bool) -> Any:
    """``values`` as an index of the given kind (hpa ones split like ``x`` or differently)."""
    if kind == "numpy":
        return values
    if kind == "torch":
        return torch.from_numpy(values)
    if kind == "list":
        return values.tolist()
    if kind == "hpa-same":
        return make(values, split, ragged=ragged)
    other = None if split is not None else 0
    if values.ndim > 1 and split is not None:
        other = (split + 1) % values.ndim
    return make(values, other)


# ---------------------------------------------------------------------------------- masks
@pytest.mark.parametrize("case", list(cases(MASK_SHAPES)), ids=case_id)
@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("kind", MASK_KINDS)
def test_mask_getitem(case: tuple, ragged: bool, kind: str) -> None:
    shape, split = case
    ref = data(shape, hpa.int32)
    mask = data(shape, hpa.bool_, seed=1)
    x = make(ref, split, ragged=ragged)
    key = as_kind(mask, kind, split, ragged)
    with hpa.count_collectives() as stats:
        y = x[key]
    assert_array(y, ref[mask])
    if split == 0 and P > 1:
        assert y.split == 0  # each rank keeps its selected elements
        expected = {"numpy": 0, "torch": 0, "hpa-same": 1}.get(kind)
        if expected is not None:
            assert stats.total == stats["allgather"] == expected


@pytest.mark.parametrize("case", list(cases([(7,), (3, 5), (0, 3), (2, 3, 4)])), ids=case_id)
@pytest.mark.parametrize("kind", MASK_KINDS)
def test_mask_setitem(case: tuple, kind: str) -> None:
    shape, split = case
    ref = data(shape)
    mask = data(shape, hpa.bool_, seed=2)
    x = make(ref, split, ragged=True)
    key = as_kind(mask, kind, split, True)
    with hpa.count_collectives() as stats:
        x[key] = -1.5
    if kind != "hpa-other":
        assert stats.total == 0  # a scalar is written where the mask is true, locally
    ref[mask] = -1.5
    assert_array(x, ref)
    values = data((int(mask.sum()),), seed=3)
    for value_split in (None, 0):
        x[key] = make(values, value_split, ragged=True)
        ref[mask] = values
        assert_array(x, ref)
    x[key] = values * 2
    ref[mask] = values * 2
    assert_array(x, ref)


@pytest.mark.parametrize("split", [None, 0, 1])
def test_mask_errors(split: int | None) -> None:
    x = make(data((5, 4)), split, ragged=True)
    bad = np.ones((5, 3), dtype=bool)
    raised_everywhere(IndexError, lambda: x[bad])
    raised_everywhere(IndexError, lambda: x[np.ones(4, dtype=bool)])
    raised_everywhere(IndexError, lambda: x.__setitem__(bad, 1.0))
    mask = data((5, 4), hpa.bool_, seed=4)
    count = int(mask.sum())
    raised_everywhere(ValueError, lambda: x.__setitem__(mask, np.ones(count + 1)))
    raised_everywhere(ValueError, lambda: x.__setitem__(make(mask, 0), np.ones((2, count))))


AXIS_CASES = [(shape, split, axis) for shape, split in cases([(7,), (3, 5), (0, 3), (2, 3, 4)])
              for axis in range(len(shape))]  # fmt: skip


@pytest.mark.parametrize(
    "shape,split,axis", AXIS_CASES, ids=[f"{case_id((s, p))}-a{a}" for s, p, a in AXIS_CASES]
)
@pytest.mark.parametrize("kind", ["numpy", "hpa-same", "hpa-other"])
def test_mask_along_axis(shape: tuple, split: int | None, axis: int, kind: str) -> None:
    ref = data(shape, hpa.int64)
    rows = data((shape[axis],), hpa.bool_, seed=5)
    x = make(ref, split, ragged=True)
    key = (E, as_kind(rows, kind, 0, True), *[S(None)] * (len(shape) - axis - 1))
    want_key = (E, rows, *[S(None)] * (len(shape) - axis - 1))
    with hpa.count_collectives() as stats:
        y = x[key]
    assert_array(y, ref[want_key])
    if kind == "numpy":
        assert stats.total == 0 and y.split == x.split
    x[key] = 99
    ref[want_key] = 99
    assert_array(x, ref)
    x[key] = make(ref[want_key] * 2, split)
    ref[want_key] = ref[want_key] * 2
    assert_array(x, ref)


# ---------------------------------------------------------------------------------- integer arrays
INDICES = [[0, -1, 2, 2], [], [4, 1]]
INT_KINDS = ["list", "numpy", "torch", "hpa-same", "hpa-other"]
INT_CASES = [(shape, split, axis) for shape, split in cases([(5,), (5, 3), (3, 5, 2)])
             for axis in range(len(shape))]  # fmt: skip


@pytest.mark.parametrize(
    "shape,split,axis", INT_CASES, ids=[f"{case_id((s, p))}-a{a}" for s, p, a in INT_CASES]
)
@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("kind", INT_KINDS)
def test_int_getitem(shape: tuple, split: int | None, axis: int, ragged: bool, kind: str) -> None:
    ref = data(shape, hpa.float32)
    x = make(ref, split, ragged=ragged)
    for indices in INDICES:
        idx = np.array(indices, dtype=np.int64) % shape[axis] - (1 if indices == [4, 1] else 0)
        key = (*[S(None)] * axis, as_kind(idx, kind, 0, ragged))
        with hpa.count_collectives() as stats:
            y = x[key]
        assert_array(y, ref[(*[S(None)] * axis, idx)])
        if kind in ("list", "numpy", "torch") and P > 1:
            # rows along the split axis: one alltoallv; along other axes: local
            assert stats.total == stats["alltoallv"] == (1 if split == axis else 0)
        if kind == "hpa-same" and split == axis and P > 1:
            assert stats["allgatherv"] == 1 and stats["alltoallv"] == 1


@pytest.mark.parametrize("case", list(cases([(5,), (5, 3)])), ids=case_id)
@pytest.mark.parametrize("kind", INT_KINDS)
def test_int_out_of_bounds(case: tuple, kind: str) -> None:
    shape, split = case
    x = make(data(shape), split, ragged=True)
    for idx in (np.array([0, 5]), np.array([-6, 1, 2])):
        key = as_kind(idx, kind, 0, True)
        raised_everywhere(IndexError, lambda k=key: x[k])
        raised_everywhere(IndexError, lambda k=key: x.__setitem__(k, 0.0))
        raised_everywhere(IndexError, lambda k=key: hpa.take(x, k, axis=0))
    raised_everywhere(IndexError, lambda: x[np.array([0.5])])


@pytest.mark.parametrize(
    "shape,split,axis", INT_CASES, ids=[f"{case_id((s, p))}-a{a}" for s, p, a in INT_CASES]
)
@pytest.mark.parametrize("kind", ["list", "hpa-same"])
def test_int_setitem(shape: tuple, split: int | None, axis: int, kind: str) -> None:
    ref = data(shape)
    x = make(ref, split, ragged=True)
    idx = np.array([-1, 0, 2, 0]) % shape[axis]  # repeated: the last value wins
    key = (*[S(None)] * axis, as_kind(idx, kind, 0, True))
    want = (*[S(None)] * axis, idx)
    sel = ref[want].shape
    with hpa.count_collectives() as stats:
        x[key] = 3.0
    if kind == "list":
        assert stats.total == 0
    ref[want] = 3.0
    assert_array(x, ref)
    value = data(sel, seed=6)
    x[key] = value
    ref[want] = value
    assert_array(x, ref)
    for value_split in splits(len(sel)):
        value = data(sel, seed=7 + (value_split or 0))
        x[key] = make(value, value_split, ragged=True)
        ref[want] = value
        assert_array(x, ref)


@pytest.mark.parametrize(
    "dtype", [hpa.bool_, hpa.uint8, hpa.int16, hpa.bfloat16, hpa.complex64], ids=str
)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_dtypes(dtype: hpa.DType, split: int | None) -> None:
    ref = data((5, 4), dtype)
    mask = data((5, 4), hpa.bool_, seed=8)
    x = make(ref, split, dtype=dtype, ragged=True)
    assert_array(x[mask], ref[mask], dtype=dtype)
    assert_array(x[[3, 0, 3]], ref[[3, 0, 3]], dtype=dtype)
    assert_array(x[:, [1, -1]], ref[:, [1, -1]], dtype=dtype)
    x[mask] = ref[~mask][: int(mask.sum())] if (~mask).sum() >= mask.sum() else ref[0, 0]
    ref[mask] = ref[~mask][: int(mask.sum())] if (~mask).sum() >= mask.sum() else ref[0, 0]
    assert_array(x, ref, dtype=dtype)


def test_slices_with_array_index() -> None:
    ref = data((6, 5), hpa.int32)
    x = make(ref, 0, ragged=True)
    assert_array(x[1:5, [0, 4]], ref[1:5, [0, 4]])
    assert_array(x[::-1, [2]], ref[::-1, [2]])
    assert_array(x[[5, 0], 1:3], ref[[5, 0], 1:3])
    x[1:5, [0, 4]] = -7
    ref[1:5, [0, 4]] = -7
    assert_array(x, ref)


# ---------------------------------------------------------------------------------- functions
@pytest.mark.parametrize("case", list(cases([(0,), (7,), (3, 5), (1, 4), (2, 3, 4)])), ids=case_id)
@pytest.mark.parametrize("ragged", [False, True])
def test_nonzero_family(case: tuple, ragged: bool) -> None:
    shape, split = case
    ref = data(shape, hpa.int16, low=-1, high=2)
    x = make(ref, split, ragged=ragged)
    with hpa.count_collectives() as stats:
        nz = hpa.nonzero(x)
    if split in (None, 0):
        assert stats.total == stats["allgather"] == (1 if split == 0 and P > 1 else 0)
    want = np.nonzero(ref)
    assert len(nz) == len(want)
    for got, expected in zip(nz, want):
        assert_array(got, expected)
    assert_array(hpa.argwhere(x), np.argwhere(ref))
    assert_array(hpa.flatnonzero(x), np.flatnonzero(ref))


def test_nonzero_zero_d() -> None:
    raised_everywhere(ValueError, lambda: hpa.nonzero(hpa.array(1.0)))
    assert_array(hpa.argwhere(hpa.array(1.0)), np.argwhere(np.array(1.0)))


@pytest.mark.parametrize("case", list(cases([(7,), (3, 5), (2, 3, 4)])), ids=case_id)
def test_take(case: tuple) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=True)
    for indices in ([1, -1, 0], [[0, 1], [1, 1]], 1):
        assert_array(hpa.take(x, indices), np.take(ref, indices))
        for axis in range(len(shape)):
            assert_array(hpa.take(x, indices, axis=axis), np.take(ref, indices, axis=axis))
    assert_array(hpa.take(x, make(np.array([3, 0, 1]), 0, ragged=True)), np.take(ref, [3, 0, 1]))


@pytest.mark.parametrize("case", list(cases([(7,), (4, 5), (2, 3, 4)])), ids=case_id)
def test_take_along_axis(case: tuple) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=True)
    for axis in range(len(shape)):
        order = np.argsort(ref, axis=axis)
        assert_array(
            hpa.take_along_axis(x, order, axis=axis), np.take_along_axis(ref, order, axis=axis)
        )
        idx = make(order, split)
        assert_array(
            hpa.take_along_axis(x, idx, axis=axis), np.take_along_axis(ref, order, axis=axis)
        )
    assert_array(
        hpa.take_along_axis(x, np.array([0, 1]), axis=None),
        np.take_along_axis(ref, np.array([0, 1]), axis=None),
    )


# (a's shape, the index's shape): equal, shorter along the axis, broadcasting either way, 1-D,
# fewer rows than processes, empty
ALONG_SHAPES = [
    ((5, 4), (5, 4)), ((5, 4), (3, 4)), ((4, 5), (4, 2)), ((2, 3, 4), (2, 3, 4)),
    ((5, 1), (3, 4)), ((1, 4), (3, 4)), ((5, 4), (5, 1)), ((5, 4), (1, 4)), ((2, 2), (2, 2)),
    ((7,), (4,)), ((7,), (0,)), ((0, 3), (0, 3)), ((3, 0), (3, 0)), ((3, 4), (0, 4)),
]  # fmt: skip


def along_split(a_shape: tuple[int, ...], a_split: int | None, index: Any, axis: int) -> int | None:
    """The split of ``take_along_axis``'s result, by its documented rule: a split index's,
    else ``a``'s split axis, else none (an operand split along an axis it broadcasts along does
    not count)."""
    shape = np.broadcast_shapes(a_shape[:axis] + (1,) + a_shape[axis + 1 :], index.shape)
    shape = shape[:axis] + (index.shape[axis],) + shape[axis + 1 :]
    if isinstance(index, hpa.Array) and index.split is not None:
        if index.shape[index.split] == shape[index.split]:
            return index.split
    if a_split == axis or (a_split is not None and a_shape[a_split] == shape[a_split]):
        return a_split
    return None


@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize(
    "shapes", ALONG_SHAPES, ids=["-".join("x".join(map(str, s)) for s in c) for c in ALONG_SHAPES]
)
def test_take_along_axis_layouts(shapes: tuple, ragged: bool) -> None:
    """Every split of ``a`` with every index (NumPy, or hpa in every split): NumPy's values, and
    the layout of the rule, the same as on one process (the index's extents when it leads)."""
    a_shape, i_shape = shapes
    ref = data(a_shape)
    loop = LoopbackCommunicator()
    for axis in range(len(a_shape)):
        n = a_shape[axis]
        rest = [(k, m) for d, (k, m) in enumerate(zip(a_shape, i_shape)) if d != axis]
        if (n == 0 and i_shape[axis]) or any(1 not in (k, m) and k != m for k, m in rest):
            continue  # NumPy's IndexError, or shapes that do not broadcast
        rng = np.random.default_rng(axis)
        order = rng.integers(-n, n, size=i_shape) if n else np.zeros(i_shape, np.int64)
        want = np.take_along_axis(ref, order, axis=axis)
        for a_split in splits(len(a_shape)):
            x = make(ref, a_split, ragged=ragged)
            for i_split in ["numpy", *splits(len(i_shape))]:
                index = order if i_split == "numpy" else make(order, i_split, ragged=ragged)
                got = hpa.take_along_axis(x, index, axis=axis)
                assert_array(got, want)
                split = along_split(a_shape, a_split, index, axis)
                assert got.split == split, (axis, a_split, i_split, got.split, split)
                s = index.split if isinstance(index, hpa.Array) else None
                if s is not None and index.shape[s] == got.shape[s]:  # the index leads
                    assert got.counts == index.counts
                one = hpa.take_along_axis(
                    hpa.array(ref, split=a_split, comm=loop),
                    order if i_split == "numpy" else hpa.array(order, split=i_split, comm=loop),
                    axis=axis,
                )
                assert one.split == split and one.comm is loop


def test_take_along_axis_collectives() -> None:
    """The communication of each row of ``take_along_axis``'s table (6 x 5, at ``P > 1``); a
    split index adds one ``allreduce`` for its bounds at every process count."""
    ref = data((6, 5))
    order = np.argsort(ref, axis=0)

    def counted(a_split: int | None, i_split: int | str | None) -> dict[str, int]:
        x = make(ref, a_split)
        index = order if i_split == "numpy" else make(order, i_split)
        with hpa.count_collectives() as stats:
            hpa.take_along_axis(x, index, axis=0)
        return dict(stats.counts)

    def moved(k: int) -> dict[str, int]:
        return {"alltoallv": k} if P > 1 and k else {}

    bounds = {"allreduce": 1}
    assert counted(None, "numpy") == {}
    assert counted(None, 0) == counted(None, 1) == bounds  # a replicated
    assert counted(1, "numpy") == counted(1, None) == {}  # the result split like a
    assert counted(1, 1) == bounds
    assert counted(0, 1) == {**bounds, **moved(1)}  # a moved to the result's blocks
    assert counted(0, "numpy") == counted(0, None) == moved(1)  # elements fetched
    assert counted(1, 0) == {**bounds, **moved(2)}  # the index to a's blocks, and back
    assert counted(0, 0) == {**bounds, **moved(3)}  # both resplit along axis 1, and back


def test_take_along_axis_errors() -> None:
    grid = np.zeros((4, 3), dtype=np.int64)
    grid[3, 2] = 4
    for a_split in splits(2):
        x = make(data((4, 3)), a_split)
        for i_split in ["numpy", *splits(2)]:
            index = grid if i_split == "numpy" else make(grid, i_split)
            raised_everywhere(IndexError, lambda x=x, i=index: hpa.take_along_axis(x, i, 0))
            raised_everywhere(IndexError, lambda x=x, i=index: hpa.take_along_axis(x, -i - 1, 1))
    x = make(data((4, 3)), 0)
    raised_everywhere(IndexError, lambda: hpa.take_along_axis(x, grid > 0, 0))
    raised_everywhere(ValueError, lambda: hpa.take_along_axis(x, grid[0], 0))


@pytest.mark.parametrize("case", list(cases([(7,), (3, 5), (2, 3, 4)])), ids=case_id)
def test_put(case: tuple) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=True)
    n = ref.size
    for ind, v in [([0, n - 1, 3, 3], [9.0, 8.0]), (np.array([-1]), 5.0), ([], [1.0])]:
        hpa.put(x, ind, v)
        np.put(ref, ind, v)
        assert_array(x, ref)
    hpa.put(x, make(np.array([1, 2]), 0), make(np.array([-3.0, -4.0]), 0))
    np.put(ref, [1, 2], [-3.0, -4.0])
    assert_array(x, ref)
    raised_everywhere(IndexError, lambda: hpa.put(x, [n], 1.0))


@pytest.mark.parametrize("case", list(cases([(7,), (3, 5), (2, 3, 4)])), ids=case_id)
def test_compress_extract(case: tuple) -> None:
    shape, split = case
    ref = data(shape)
    x = make(ref, split, ragged=True)
    for axis in [None, *range(len(shape))]:
        n = ref.size if axis is None else shape[axis]
        full = data((n,), hpa.bool_, seed=9)
        for cond in (full, full[:2], make(full, 0, ragged=True)):
            want = np.compress(np.asarray(cond), ref, axis=axis)
            assert_array(hpa.compress(cond, x, axis=axis), want)
    cond = data(shape, hpa.int8, low=-1, high=2)
    assert_array(hpa.extract(cond, x), np.extract(cond, ref))
    assert_array(hpa.extract(make(cond, split), x), np.extract(cond, ref))
