"""The Array's generated methods and HeAT's ``DNDarray`` interface.

Every generated method reaches a registered operation and shows its parameters; HeAT's method
names (``x.sqrt()``, ``x.acos()``, in-place ``x.add_()``), HeAT's distribution attributes
(``counts_displs``, ``collect_``, ``__partitioned__``, ``lloc``, ``balance`` in place) and
HeAT's functions (``resplit``, ``balance``, ``redistribute``, ``collect``, ``MPI_WORLD``) are
checked against NumPy and against the layout at every process count.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch
from helpers import P, RANK, assert_array, data, make, ragged_counts

import hpa
from hpa.core import array as array_module
from hpa.core.dispatch import OPS
from hpa.core.layout import chunk

GENERATED = [
    name
    for name, value in vars(hpa.Array).items()
    if inspect.isfunction(value) and not value.__qualname__.startswith("Array.")
    and not name.startswith("__")
]  # fmt: skip


def test_every_generated_method_reaches_a_registered_operation() -> None:
    for name in GENERATED:
        target = array_module._describes(name, getattr(hpa.Array, name))
        assert target in OPS, f"Array.{name} calls hpa.{target}, which is not registered"


@pytest.mark.parametrize("name", ["mean", "sum", "std", "reshape", "sqrt", "add_", "acos"])
def test_generated_methods_show_their_parameters(name: str) -> None:
    signature = inspect.signature(getattr(hpa.Array, name))
    params = list(signature.parameters)
    assert params[0] == "self" and "args" not in params and "kwargs" not in params
    target = array_module._describes(name, getattr(hpa.Array, name))
    assert params[1:] == list(inspect.signature(OPS[target]).parameters)[1:]
    assert inspect.getdoc(OPS[target]).splitlines()[0] in getattr(hpa.Array, name).__doc__


UNARY = ["abs", "absolute", "ceil", "floor", "trunc", "exp", "exp2", "expm1", "log", "log2",
         "log10", "log1p", "sqrt", "square", "sin", "cos", "tan", "sinh", "cosh", "tanh"]  # fmt: skip


@pytest.mark.parametrize("split", [None, 0, 1])
def test_heat_unary_methods(split: int | None) -> None:
    ref = np.abs(data((4, 3))) / 7 + 0.1
    x = make(ref, split, ragged=True)
    for name in UNARY:
        assert_array(getattr(x, name)(), getattr(np, name)(ref), rtol=1e-12)
    for heat_name, numpy_name in (("acos", "arccos"), ("asin", "arcsin"), ("atan", "arctan")):
        assert_array(getattr(x, heat_name)(), getattr(np, numpy_name)(ref), rtol=1e-12)
    assert_array(x.atan2(x), np.arctan2(ref, ref), rtol=1e-12)
    assert_array(x.tril(), np.tril(ref))
    assert_array(x.triu(1), np.triu(ref, 1))
    assert_array(x.expand_dims(0), ref[None])
    assert_array(x.median(axis=0), np.median(ref, axis=0))
    assert_array(x.ptp(axis=1), np.ptp(ref, axis=1))
    assert_array(x.average(axis=0), np.average(ref, axis=0))
    assert x.allclose(x) is True or bool(x.allclose(x))
    assert_array(x.isclose(x), np.isclose(ref, ref))
    assert_array(x.unique(), np.unique(ref))
    assert_array(x.nan_to_num(), np.nan_to_num(ref))


BINARY_IN_PLACE = [
    ("add_", np.add), ("sub_", np.subtract), ("subtract_", np.subtract), ("mul_", np.multiply),
    ("multiply_", np.multiply), ("div_", np.divide), ("divide_", np.divide),
    ("floordiv_", np.floor_divide), ("floor_divide_", np.floor_divide), ("mod_", np.remainder),
    ("remainder_", np.remainder), ("fmod_", np.fmod), ("pow_", np.power),
    ("power_", np.power), ("copysign_", np.copysign), ("hypot_", np.hypot),
]  # fmt: skip


@pytest.mark.parametrize("split", [None, 0, 1])
@pytest.mark.parametrize("name, ufunc", BINARY_IN_PLACE, ids=[n for n, _ in BINARY_IN_PLACE])
def test_heat_in_place_methods(split: int | None, name: str, ufunc: np.ufunc) -> None:
    ref = data((5, 3)) + 0.5
    other = data((5, 3), seed=1) + 7.25
    x = make(ref, split, ragged=True)
    y = make(other, 0 if split is None else None)  # another layout: aligned to x's
    layout = x.layout
    before = x.larray
    assert getattr(x, name)(y) is x
    assert x.layout == layout and x.larray is before  # written into the same block
    with np.errstate(invalid="ignore"):  # negative bases to fractional powers: NaN, as NumPy
        expected = ufunc(ref, other)
    assert_array(x, expected, rtol=1e-12)


@pytest.mark.parametrize("split", [None, 0])
def test_heat_integer_and_unary_in_place_methods(split: int | None) -> None:
    ref = np.array([6, -4, 9, 12, 0, 7], dtype=np.int64)
    cases = [
        ("bitwise_and_", (3,), np.bitwise_and(ref, 3)), ("bitwise_or_", (8,), ref | 8),
        ("bitwise_xor_", (5,), ref ^ 5), ("left_shift_", (2,), ref << 2),
        ("right_shift_", (1,), ref >> 1), ("invert_", (), ~ref), ("bitwise_not_", (), ~ref),
        ("neg_", (), -ref), ("negative_", (), -ref), ("cumsum_", (0,), np.cumsum(ref)),
        ("cumprod_", (0,), np.cumprod(ref)), ("cumproduct_", (0,), np.cumprod(ref)),
    ]  # fmt: skip
    for name, args, expected in cases:
        x = make(ref, split)
        assert getattr(x, name)(*args) is x
        assert_array(x, expected)
    x = make(ref, split)
    with pytest.raises(TypeError, match="same_kind"):
        x.add_(0.5)  # as NumPy's x += 0.5 for integers
    with pytest.raises(ValueError, match="does not fit"):
        make(ref[:3], split).add_(hpa.ones((2, 3), dtype=hpa.int64))


@pytest.mark.parametrize("split", [0, 1])
def test_counts_displs_and_lshape_map(split: int) -> None:
    x = make(data((7, 5)), split, ragged=True)
    counts, displs = x.counts_displs()
    assert counts == tuple(ragged_counts((7, 5)[split]))
    assert displs == tuple(np.cumsum((0, *counts[:-1])).tolist())
    assert torch.equal(x.create_lshape_map(), x.lshape_map)
    assert x.balanced == x.is_balanced()
    with pytest.raises(ValueError, match="replicated"):
        make(data((3,)), None).counts_displs()


@pytest.mark.parametrize("split", [None, 0, 1])
@pytest.mark.parametrize("target", [0, -1])
def test_collect(split: int | None, target: int) -> None:
    ref = data((6, 4))
    x = make(ref, split, ragged=True)
    rank = target % P
    with hpa.count_collectives() as stats:
        y = x.collect(rank)
    assert_array(y, ref)
    assert_array(x, ref)  # the out-of-place form leaves x alone
    if split is not None:
        assert y.counts == tuple(ref.shape[split] if r == rank else 0 for r in range(P))
        assert stats.total <= 1
    assert_array(hpa.collect(x, rank), ref)
    x.collect_(rank)
    assert_array(x, ref)
    with pytest.raises(ValueError, match="not a rank"):
        x.collect_(P)
    with pytest.raises(TypeError, match="integer"):
        x.collect_(0.5)  # type: ignore[arg-type]


@pytest.mark.parametrize("split", [None, 0, 1])
def test_partition_interface(split: int | None) -> None:
    ref = data((5, 3))
    x = make(ref, split, ragged=True)
    parts = x.__partitioned__
    assert parts["shape"] == (5, 3)
    filled = [c for c in x.counts if c] if split is not None else []
    tiling = [1, 1]
    if len(filled) > 1:
        tiling[split] = len(filled)  # type: ignore[index]
    assert parts["partition_tiling"] == tuple(tiling)
    blocks = parts["partitions"]
    assert len(blocks) == max(len(filled), 1)
    if split is None or P == 1:
        assert parts["locals"] == [(0, 0)] and blocks[(0, 0)]["location"] == list(range(P))
    if x.lshape[split or 0] or split is None:
        (own,) = parts["locals"]
        assert torch.equal(parts["get"](own), x.larray)
        assert RANK in blocks[own]["location"]
    else:
        assert parts["locals"] == []
    for start, block in blocks.items():
        index = tuple(slice(s, s + n) for s, n in zip(start, block["shape"]))
        assert ref[index].shape == tuple(block["shape"])
        if block["data"] is not None:
            assert np.array_equal(block["data"].numpy(), ref[index])


def test_lloc_and_strides() -> None:
    ref = data((6, 4))
    x = make(ref, 0)
    local = x.lloc[:, 1]
    assert torch.equal(local, x.larray[:, 1])
    if x.lshape[0]:
        x.lloc[0, 0] = 99.0
        assert x.larray[0, 0] == 99.0
    assert x.stride == tuple(x.larray.stride())
    assert x.strides == tuple(s * 8 for s in x.larray.stride())


@pytest.mark.parametrize("split", [0, 1])
def test_heat_distribution_functions(split: int) -> None:
    ref = data((7, 6))
    x = make(ref, split, ragged=True)
    y = hpa.resplit(x, 1 - split)
    assert y.split == 1 - split and y.is_balanced()
    assert_array(y, ref)
    counts = list(reversed(chunk(ref.shape[split], P)))
    z = hpa.redistribute(x, target_map=counts)
    assert z.counts == tuple(counts) and x.counts == tuple(ragged_counts(ref.shape[split]))
    table = torch.tensor([[c if a == split else ref.shape[a] for a in range(2)] for c in counts])
    assert hpa.redistribute(x, x.lshape_map, table).counts == tuple(counts)
    assert_array(z, ref)
    copy = hpa.balance(x, copy=True)
    assert copy is not x and copy.is_balanced() and x.counts == tuple(ragged_counts(7 if split == 0 else 6))
    assert hpa.balance(x) is x and x.is_balanced()
    assert_array(x, ref)
    with pytest.raises(TypeError, match="hpa array"):
        hpa.balance(ref)


def test_world_communicator_names() -> None:
    assert hpa.MPI_WORLD is hpa.get_comm()
    assert (hpa.MPI_WORLD.rank, hpa.MPI_WORLD.size) == (RANK, P)
    assert hpa.MPI_SELF.size == 1 and hpa.MPI_SELF.rank == 0
    assert hpa.GPU_AWARE_MPI is hpa.CUDA_AWARE_MPI is bool(getattr(hpa.get_comm(), "cuda_aware", False))
    assert hpa.TORCH_CUDA_IS_AVAILABLE is torch.cuda.is_available()
    assert hpa.CUDA_IS_ACTUALLY_ROCM is (torch.version.hip is not None)
    with pytest.raises(AttributeError, match="no attribute"):
        hpa.not_a_name  # noqa: B018


def test_heat_dtype_queries() -> None:
    assert hpa.heat_type_of([1.0]) is hpa.float64 and hpa.heat_type_of(make(data((2,)), 0)) is hpa.float64
    assert hpa.heat_type_of(3) is hpa.int64 and hpa.canonical_heat_type("float32") is hpa.float32
    for dtype in (hpa.bool_, hpa.int8, hpa.uint32, hpa.float16, hpa.float64, hpa.complex64):
        kind = dtype.kind
        assert hpa.heat_type_is_exact(dtype) == (kind in "biu")
        assert hpa.heat_type_is_inexact(dtype) == (kind in "fc")
        assert hpa.heat_type_is_realfloating(dtype) == (kind == "f")
        assert hpa.heat_type_is_complexfloating(dtype) == (kind == "c")
        assert not hpa.issubdtype(dtype, hpa.flexible)


def test_heat_top_level_aliases() -> None:
    assert hpa.eq is hpa.equal and hpa.sub is hpa.subtract and hpa.cumproduct is hpa.cumprod
    assert hpa.inv is hpa.linalg.inv and hpa.svd is hpa.linalg.svd and hpa.norm is hpa.linalg.norm
    assert hpa.row_stack is hpa.vstack and hpa.DNDarray is hpa.Array
    assert hpa.broadcast_shapes((3, 1), (1, 4), 4) == np.broadcast_shapes((3, 1), (1, 4), 4)
    assert hpa.broadcast_shape((2, 1), (5,)) == (2, 5)
    with pytest.raises(ValueError, match="broadcast"):
        hpa.broadcast_shapes((2,), (3,))
    assert_array(hpa.copy(np.arange(3)), np.arange(3))


@pytest.mark.parametrize("split", [None, 0, 1])
def test_from_partitioned_round_trips(split: int | None) -> None:
    ref = data((5, 4))
    x = make(ref, split, ragged=True)
    y = hpa.from_partitioned(x)
    assert_array(y, ref)
    assert y.split == split
    parted = x.__partitioned__
    assert_array(hpa.from_partition_dict(parted), ref)
    if P > 1 and split is not None:
        shuffled = dict(parted)
        shuffled["partitions"] = {
            k: {**v, "location": [P - 1 - v["location"][0]]} for k, v in parted["partitions"].items()
        }
        if len(shuffled["partitions"]) < 2:
            return
        with pytest.raises(ValueError, match="rank order|one per rank"):
            hpa.from_partition_dict(shuffled)


@pytest.mark.parametrize("split", [None, 0])
def test_nan_to_num_in_place(split: int | None) -> None:
    ref = np.array([1.0, np.nan, np.inf, -np.inf, 2.5])
    x = make(ref, split)
    assert x.nan_to_num_(nan=-1.0) is x
    assert_array(x, np.nan_to_num(ref, nan=-1.0))
