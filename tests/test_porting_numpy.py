"""``import hpa as np``: the NumPy behaviours a script relies on beyond the functions.

Callable dtypes and their NumPy aliases, ``issubdtype``/``promote_types`` and the abstract dtype
groups, 0-d arrays that format and round like NumPy's scalars, ``save`` in NumPy's argument
order, ``random.default_rng``, print options, and the unsigned dtypes uint16/uint32/uint64
(stored by torch; computed in wider types, uint64 in part), each checked against NumPy at every
process count.
"""

from __future__ import annotations

import os

import numpy as np
import pytest
from helpers import RANK, assert_array, make, raised_everywhere

import hpa


# ---------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize(
    "name", ["float64", "float32", "int8", "int32", "int64", "uint8", "uint16", "uint32",
             "uint64", "bool_", "complex128", "float16"],
)  # fmt: skip
def test_dtype_called_on_a_scalar_is_numpys_scalar(name: str) -> None:
    value = getattr(hpa, name)(3)
    expected = getattr(np, name)(3)
    assert type(value) is type(expected) and value == expected


def test_dtype_called_on_data_gives_an_array() -> None:
    x = hpa.float32([1, 2, 3])
    assert isinstance(x, hpa.Array) and x.dtype is hpa.float32
    assert_array(x, np.float32([1, 2, 3]))
    y = hpa.int16(make(np.arange(5.7, step=1.0), 0))
    assert y.split == 0 and y.dtype is hpa.int16
    assert_array(y, np.arange(5.7, step=1.0).astype(np.int16))
    b = hpa.bfloat16(1.5)  # NumPy has no bfloat16: a 0-d hpa array
    assert isinstance(b, hpa.Array) and b.ndim == 0 and float(b) == 1.5
    assert hpa.float64() == 0.0


def test_dtype_attributes_follow_numpy() -> None:
    x = hpa.zeros(3, dtype=hpa.float32)
    assert x.dtype.type(2) == np.float32(2)
    assert x.dtype.char == np.dtype(np.float32).char
    assert x.dtype.str == np.dtype(np.float32).str
    assert x.dtype.kind == "f" and x.dtype.itemsize == 4


@pytest.mark.parametrize(
    "alias, numpy_name",
    [("byte", "byte"), ("ubyte", "ubyte"), ("short", "short"), ("ushort", "ushort"),
     ("intc", "intc"), ("uintc", "uintc"), ("long", "long"), ("ulong", "ulong"),
     ("longlong", "longlong"), ("int_", "int_"), ("uint", "uint"), ("intp", "intp"),
     ("half", "half"), ("single", "single"), ("double", "double"), ("csingle", "csingle"),
     ("cdouble", "cdouble")],
)  # fmt: skip
def test_numpy_dtype_aliases(alias: str, numpy_name: str) -> None:
    assert getattr(hpa, alias).numpy == np.dtype(getattr(np, numpy_name))


def test_heat_only_dtype_names_are_heats() -> None:
    # NumPy 2 has none of these; HeAT's meaning (32-bit) is kept
    assert (hpa.int, hpa.float, hpa.float_, hpa.cfloat) == (
        hpa.int32, hpa.float32, hpa.float32, hpa.complex64
    )


GROUPS = ["generic", "number", "integer", "signedinteger", "unsignedinteger", "inexact",
          "floating", "complexfloating"]  # fmt: skip
CONCRETE = ["bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
            "float16", "float32", "float64", "complex64", "complex128"]  # fmt: skip


@pytest.mark.parametrize("group", GROUPS)
def test_issubdtype_matches_numpy(group: str) -> None:
    for name in CONCRETE:
        expected = np.issubdtype(getattr(np, name), getattr(np, group))
        assert hpa.issubdtype(getattr(hpa, name), getattr(hpa, group)) == expected, name
        assert hpa.issubdtype(getattr(np, name), getattr(np, group)) == expected, name
    for other in GROUPS:
        expected = np.issubdtype(getattr(np, other), getattr(np, group))
        assert hpa.issubdtype(getattr(hpa, other), getattr(hpa, group)) == expected, other
    assert hpa.issubdtype(hpa.float32, hpa.float32) and not hpa.issubdtype(hpa.float32, "f8")
    assert hpa.issubdtype(hpa.bfloat16, hpa.floating)


def test_promote_types_matches_numpy() -> None:
    for a in CONCRETE:
        for b in CONCRETE:
            expected = np.promote_types(getattr(np, a), getattr(np, b))
            assert hpa.promote_types(getattr(hpa, a), b).numpy == expected, (a, b)


def test_unknown_dtypes_raise_clearly() -> None:
    with pytest.raises(TypeError, match="unsupported dtype"):
        hpa.issubdtype("U3", hpa.number)
    with pytest.raises(TypeError, match="unsupported dtype"):
        hpa.promote_types(np.float64, object)


# ---------------------------------------------------------------------------- 0-d arrays
@pytest.mark.parametrize("split", [None, 0])
def test_zero_d_arrays_format_and_round_like_scalars(split: int | None) -> None:
    ref = np.array([1.23456, 2.5, 3.75, -4.125])
    m = make(ref, split).mean()
    assert f"{m:.3f}" == f"{ref.mean():.3f}"
    assert f"{m:>10.2e}" == f"{ref.mean():>10.2e}"
    assert format(m) == format(ref.mean())
    r = round(m)
    assert type(r) is int and r == round(ref.mean())
    assert round(m, 2).item() == pytest.approx(round(ref.mean(), 2))
    count = make(np.arange(7), split).sum()
    assert f"{count:d}" == "21" and f"{count:,}" == "21"
    x = make(ref, split)
    assert f"{x}" == str(x)
    with pytest.raises(TypeError, match="format string"):
        f"{x:.2f}"
    assert_array(round(x, 1), np.round(ref, 1))


# ---------------------------------------------------------------------------- save / load
def test_save_takes_numpys_and_heats_argument_order(tmp_path_factory: pytest.TempPathFactory) -> None:
    # every rank must name the same file: derive it from a path all ranks agree on
    base = hpa.get_comm().bcast_object(str(tmp_path_factory.mktemp("save")) if RANK == 0 else None)
    ref = np.arange(12.0).reshape(4, 3)
    x = make(ref, 0)
    hpa.save(os.path.join(base, "numpy_order"), x)  # NumPy appends .npy
    hpa.save(x, os.path.join(base, "heat_order.npy"))
    hpa.save(os.path.join(base, "plain.npy"), ref)  # NumPy data: saved as a replicated array
    hpa.get_comm().barrier()
    assert np.array_equal(np.load(os.path.join(base, "numpy_order.npy")), ref)
    assert np.array_equal(np.load(os.path.join(base, "heat_order.npy")), ref)
    assert np.array_equal(np.load(os.path.join(base, "plain.npy")), ref)
    assert_array(hpa.load(os.path.join(base, "numpy_order.npy"), split=0), ref)
    raised_everywhere(TypeError, lambda: hpa.save(x, 3))


# ---------------------------------------------------------------------------- default_rng
@pytest.mark.parametrize("split", [None, 0])
def test_default_rng_is_the_seeded_stream(split: int | None) -> None:
    before = hpa.random.get_state()
    g = hpa.random.default_rng(42)
    a = g.random((5, 3), split=split)
    b = g.integers(3, 9, size=7, split=split)
    c = g.standard_normal(4)
    assert hpa.random.get_state() == before  # the module-level generator is untouched
    hpa.random.seed(42)
    assert_array(a, hpa.random.random((5, 3)).numpy())
    assert_array(b, hpa.random.randint(3, 9, 7).numpy())
    assert_array(c, hpa.random.standard_normal(4).numpy())
    hpa.random.set_state(before)
    assert a.split == split and b.split == split
    again = hpa.random.default_rng(42)
    assert_array(again.random((5, 3)), a.numpy())
    values = again.integers(5, size=1000, endpoint=True).numpy()
    assert values.min() == 0 and values.max() == 5
    assert hpa.random.default_rng(again) is again


def test_default_rng_methods_and_errors() -> None:
    g = hpa.random.default_rng(7)
    perm = g.permutation(10, split=0)
    assert sorted(perm.numpy().tolist()) == list(range(10))
    picks = g.choice(5, size=20).numpy()
    assert set(picks.tolist()) <= set(range(5))
    assert g.uniform(2.0, 3.0, size=50).numpy().min() >= 2.0
    assert g.normal(size=3).shape == (3,) and g.exponential(size=(2, 2)).shape == (2, 2)
    assert g.poisson(3.0, size=4).dtype is hpa.int64
    x = hpa.arange(8, split=0)
    g.shuffle(x)
    assert sorted(x.numpy().tolist()) == list(range(8))
    children = g.spawn(2)
    assert not np.array_equal(children[0].random(4).numpy(), children[1].random(4).numpy())
    unseeded = [hpa.random.default_rng().random(3).numpy() for _ in range(2)]
    assert not np.array_equal(*unseeded)
    gathered = hpa.get_comm().allgather_object(unseeded[0].tolist())
    assert all(g == gathered[0] for g in gathered)  # ranks agree without communicating
    with pytest.raises(TypeError, match="integer seed"):
        hpa.random.default_rng(np.random.SeedSequence(1))
    with pytest.raises(ValueError, match="2\\*\\*64"):
        hpa.random.default_rng(-1)


# ---------------------------------------------------------------------------- printing
def test_print_options_apply_to_hpa_arrays() -> None:
    x = make(np.arange(20.0) / 3, 0)
    with hpa.printoptions(precision=2, threshold=5):
        assert str(x) == np.array2string(np.arange(20.0) / 3, precision=2, threshold=5)
        assert hpa.get_printoptions()["precision"] == 2
    assert hpa.get_printoptions()["precision"] == np.get_printoptions()["precision"]


# ---------------------------------------------------------------------------- unsigned dtypes
UNSIGNED = [np.uint16, np.uint32, np.uint64]


@pytest.mark.parametrize("dt", UNSIGNED, ids=lambda d: d.__name__)
@pytest.mark.parametrize("split", [None, 0, 1])
def test_unsigned_storage_and_movement(dt: type, split: int | None) -> None:
    ref = (np.arange(15, dtype=dt).reshape(5, 3) * 7919) % 61
    if dt is np.uint64:
        ref[0, 0] = np.uint64(2**63 + 5)  # beyond int64: bits must survive every move
    x = make(ref, split, ragged=True)
    assert x.dtype.numpy == np.dtype(dt)
    assert_array(x, ref)
    for axis in (None, 0, 1):
        assert_array(x.resplit(axis), ref)
    assert_array(x.T, ref.T)
    assert_array(x[1:4, ::2], ref[1:4, ::2])
    assert_array(hpa.concatenate([x, x], axis=0), np.concatenate([ref, ref]))
    assert_array(x.astype(hpa.float64), ref.astype(np.float64))
    assert_array(hpa.sort(x, axis=0), np.sort(ref, axis=0))
    assert_array(x == x, ref == ref)
    assert_array(x + x, ref + ref)
    assert_array(x * 3, ref * np.array(3, dtype=dt))


@pytest.mark.parametrize("dt", [np.uint16, np.uint32], ids=lambda d: d.__name__)
@pytest.mark.parametrize("split", [None, 0])
def test_uint16_uint32_compute_like_numpy(dt: type, split: int | None) -> None:
    a = np.array([0, 1, 7, 65535, 300, 12], dtype=dt)
    b = np.array([3, 1, 2, 1, 7, 12], dtype=dt)
    x, y = make(a, split), make(b, split)
    with np.errstate(all="ignore"):
        for name in ("add", "subtract", "multiply", "floor_divide", "remainder", "maximum",
                     "minimum", "less", "greater_equal", "bitwise_and", "true_divide"):  # fmt: skip
            assert_array(getattr(hpa, name)(x, y), getattr(np, name)(a, b))
        for name in ("sqrt", "negative", "invert", "square"):
            assert_array(getattr(hpa, name)(x), getattr(np, name)(a), rtol=1e-6)
    assert_array(hpa.max(x), np.max(a))
    assert_array(hpa.argmin(y), np.argmin(b))
    assert_array(hpa.min(x.reshape(2, 3), axis=1), a.reshape(2, 3).min(axis=1))
    assert hpa.sum(x).item() == int(a.sum())


def test_uint64_unsupported_operations_say_how_to_cast() -> None:
    x = make(np.array([1, 2, 3], dtype=np.uint64), 0)
    for fn in (lambda: x < x, lambda: hpa.maximum(x, x), lambda: hpa.max(x), lambda: x // x):
        with pytest.raises(TypeError, match="astype\\(hpa.int64\\)"):
            fn()
    assert_array((x.astype(hpa.int64) < 2), np.array([True, False, False]))


# ---------------------------------------------------------------------------- utilities
@pytest.mark.parametrize("split", [None, 0, 1])
def test_block_matches_numpy(split: int | None) -> None:
    a, b = np.arange(6.0).reshape(2, 3), np.ones((2, 1))
    c, d = np.zeros((1, 3)), np.full((1, 1), 7.0)
    x = make(a, split, ragged=True)
    assert_array(hpa.block([[x, b], [c, d]]), np.block([[a, b], [c, d]]))
    assert_array(hpa.block([1, 2, 3]), np.block([1, 2, 3]))
    assert_array(hpa.block([[x], [a]]), np.block([[a], [a]]))
    with pytest.raises(ValueError, match="depths"):
        hpa.block([[x], a])
    with pytest.raises(TypeError, match="tuples"):
        hpa.block((x, a))


def test_dtype_routines_and_checked_creation() -> None:
    cases = [(np.arange(3),), (np.ones(2, np.float32),), (np.ones(2, np.float32), np.arange(2)),
             (np.ones(2, np.complex64), np.ones(2, np.float32))]  # fmt: skip
    for arrays in cases:
        assert hpa.common_type(*arrays).numpy == np.dtype(np.common_type(*arrays))
    with pytest.raises(TypeError, match="non-numeric"):
        hpa.common_type(np.array([True]))
    for value in (3, 300, -3, 70000, 1.5, 1e300, 1j):
        assert hpa.min_scalar_type(value).numpy == np.min_scalar_type(value)
    assert np.dtype(hpa.float32) == np.float32 and np.zeros(2, dtype=hpa.int16).dtype == np.int16
    assert_array(hpa.fromiter(range(5), float, split=0), np.fromiter(range(5), float))
    assert_array(hpa.fromstring("1, 2, 3", sep=","), np.fromstring("1, 2, 3", sep=","))
    assert_array(hpa.asarray_chkfinite([1.0, 2.0], split=0), np.array([1.0, 2.0]))
    raised_everywhere(ValueError, lambda: hpa.asarray_chkfinite([1.0, np.inf, 2.0], split=0))
    x = make(np.arange(10), 0)
    assert_array(x[hpa.s_[2:7:2]], np.arange(10)[np.s_[2:7:2]])
    assert list(hpa.ndindex(2, 3)) == list(np.ndindex(2, 3))
    assert hpa.isscalar(3.0) and not hpa.isscalar([3.0]) and hpa.iterable(x)


# ---------------------------------------------------------------------------- random extras
@pytest.mark.parametrize("split", [None, 0, 1])
def test_multivariate_normal(split: int | None) -> None:
    mean, cov = np.array([1.0, -2.0, 0.5]), np.array([[2.0, 0.3, 0.0], [0.3, 1.0, -0.2], [0.0, -0.2, 0.5]])
    size = (4000, 2)
    if split == 1:  # axis 1 of the samples; the coordinates (the last axis) cannot be split
        x = hpa.random.default_rng(5).multivariate_normal(mean, cov, size, split=1)
    else:
        x = hpa.random.default_rng(5).multivariate_normal(mean, cov, size, split=split)
    same = hpa.random.default_rng(5).multivariate_normal(mean, cov, size)
    assert x.shape == (4000, 2, 3) and x.split == split
    assert_array(x, same.numpy(), rtol=1e-12)  # the layout does not change the values
    samples = x.numpy().reshape(-1, 3)
    assert np.allclose(samples.mean(axis=0), mean, atol=0.05)
    assert np.allclose(np.cov(samples.T), cov, atol=0.06)
    with pytest.raises(ValueError, match="last axis"):
        hpa.random.multivariate_normal(mean, cov, 5, split=1)
    with pytest.raises(ValueError, match="positive-semidefinite"):
        hpa.random.multivariate_normal([0.0, 0.0], [[1.0, 2.0], [2.0, 1.0]], 3, check_valid="raise")


@pytest.mark.parametrize("split", [None, 0, 1])
def test_permuted_bytes_and_random_state(split: int | None) -> None:
    ref = np.arange(24).reshape(4, 6)
    x = make(ref, split, ragged=True)
    for axis in (0, 1, None):
        y = hpa.random.default_rng(2).permuted(x, axis=axis).numpy()
        same = hpa.random.default_rng(2).permuted(ref, axis=axis).numpy()
        assert np.array_equal(y, same)  # independent of the layout
        if axis is None:
            assert sorted(y.ravel()) == list(range(24))
        else:
            assert np.array_equal(np.sort(y, axis=axis), ref)
    data_bytes = hpa.random.default_rng(9).bytes(16)
    assert len(data_bytes) == 16
    assert hpa.get_comm().allgather_object(data_bytes) == [data_bytes] * hpa.get_comm().size
    state = hpa.random.RandomState(11)
    a = state.rand(3, 2, split=split)
    hpa.random.seed(11)
    assert_array(a, hpa.random.rand(3, 2).numpy())
    saved = state.get_state()
    b = state.randint(0, 10, size=5)
    state.set_state(saved)
    assert_array(state.randint(0, 10, size=5), b.numpy())
    assert state.randn(2, 2).shape == (2, 2) and state.random_sample(3).shape == (3,)


def test_heat_names_on_estimators_and_sparse() -> None:
    assert hpa.is_estimator(hpa.cluster.KMeans()) and hpa.is_classifier(hpa.classification.GaussianNB())
    assert hpa.is_regressor(hpa.regression.Ridge()) and hpa.is_clusterer(hpa.cluster.KMeans())
    assert hpa.is_transformer(hpa.preprocessing.StandardScaler())
    data_ = np.concatenate([np.zeros((5, 2)), np.full((5, 2), 9.0)])
    for init in ("kmeans++", "probability_based"):
        km = hpa.cluster.KMeans(2, init=init, random_state=0).fit(make(data_, 0))
        assert sorted(km.cluster_centers_.numpy()[:, 0].tolist()) == [0.0, 9.0]
    x = make(np.eye(4), 0)
    s = x.to_sparse_csr()
    assert s.nnz == 4 and np.array_equal(hpa.sparse.to_dense(s).numpy(), np.eye(4))
    assert hpa.sparse.mul(s, s).nnz == 4 and hpa.sparse.add(s, s).nnz == 4
    with pytest.raises(NotImplementedError, match="CSC"):
        x.to_sparse_csc()
