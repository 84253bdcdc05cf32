"""A result's layout never depends on the process count.

Every public operation that takes arrays runs twice on the same data: distributed over the
world's processes (every input split, balanced and ragged blocks), and on a one-process
communicator, each rank alone and without communication (the inputs built with
``hpa.array(values, split=s, comm=LoopbackCommunicator())``). The results' shapes and splits
must agree: ``hpa.median(x, axis=0)`` is replicated at every process count or at none. At one
process the check is trivially true; it bites at 2 and 3 processes.

:data:`EXCLUDED` names the public callables left out, each with the reason;
``test_every_public_callable_is_covered`` keeps the table and :data:`CASES` complete against
``dir(hpa)``, ``hpa.linalg`` and ``hpa.spatial``.
"""

from __future__ import annotations

import inspect
import itertools
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from helpers import P, data, make, splits

import hpa
from hpa.comm import LoopbackCommunicator

LOOP = LoopbackCommunicator()

Layout = tuple[tuple[int | None, ...], bool]  # one split per input, and ragged blocks


# ---------------------------------------------------------------------------- cases
@dataclass(frozen=True)
class In:
    """An input: its values and the splits to try (``None``: every split)."""

    values: np.ndarray
    only: tuple[int | None, ...] | None = None

    def splits(self) -> list[int | None]:
        return list(self.only) if self.only is not None else splits(self.values.ndim)


def fixed(values: np.ndarray) -> In:
    """An auxiliary input that stays replicated (indices, weights, bins)."""
    return In(values, (None,))


@dataclass(frozen=True)
class Case:
    """``fn(*arrays)`` for the public callable ``op``; ``label`` tells the variants apart."""

    op: str
    label: str
    fn: Callable[..., Any]
    inputs: tuple[In, ...]

    @property
    def id(self) -> str:
        return f"{self.op}[{self.label}]" if self.label else self.op

    def layouts(self, ragged: bool = P > 1) -> Iterator[Layout]:
        """Every combination of input splits, also with ragged blocks (by default only at more
        than one process: one process has a single block)."""
        for combo in itertools.product(*(i.splits() for i in self.inputs)):
            yield combo, False
            if ragged and any(s is not None for s in combo):
                yield combo, True


def layout_id(layout: Layout) -> str:
    combo, ragged = layout
    return "-".join(f"s{s}" for s in combo) + ("-ragged" if ragged else "")


def call(name: str) -> Callable[..., Any]:
    """The public callable ``name`` (``linalg.qr``, ``spatial.cdist``, ``sum``)."""
    target: Any = hpa
    for part in name.split("."):
        target = getattr(target, part)
    return target


CASES: list[Case] = []


def case(op: str, *inputs: Any, fn: Callable[..., Any] | None = None, label: str = "") -> None:
    """Add a case: ``fn`` (default: the callable ``op`` on the arrays alone)."""
    ins = tuple(i if isinstance(i, In) else In(i) for i in inputs)
    CASES.append(Case(op, label, fn or call(op), ins))


M = data((5, 4), seed=1)  # 5 rows: 2/2/1 blocks at 3 processes, 0/2/3 ragged
M2 = data((5, 4), seed=2)
T = data((3, 4, 5), seed=3)
V = data((7,), seed=4)
V2 = data((6,), seed=5)
I = data((5, 4), hpa.int64, seed=6, low=0, high=4)  # noqa: E741
I2 = data((5, 4), hpa.int64, seed=7, low=0, high=3)
W = data((5,), hpa.int64, seed=8, low=0, high=9)  # small non-negative integers
MASK = M > 0
SPD = M.T @ M + 4 * np.eye(4)  # symmetric positive definite, well conditioned
TALL = data((6, 3), seed=9)
RHS = data((4, 2), seed=10)
ROWS = np.array([3, 0, 4, 1])
COLS = np.array([2, 0])


# elementwise: every unary and binary function of hpa.ops.elementwise, on floats or integers
INTEGER_ONLY = {"bitwise_invert", "bitwise_not", "invert", "bitwise_and", "bitwise_or",
                "bitwise_xor", "bitwise_left_shift", "bitwise_right_shift", "left_shift",
                "right_shift", "gcd", "lcm"}  # fmt: skip


def _elementwise_names(arity: int) -> list[str]:
    names = []
    for name in dir(hpa):
        fn = getattr(hpa, name)
        if getattr(fn, "__module__", "") != "hpa.ops.elementwise" or name.startswith("_"):
            continue
        params = inspect.signature(fn).parameters.values()
        if sum(p.kind is p.POSITIONAL_ONLY for p in params) == arity:
            names.append(name)
    return names


for _name in _elementwise_names(1):
    if _name != "clip":
        case(_name, I if _name in INTEGER_ONLY else M)
for _name in _elementwise_names(2):
    case(_name, *((I, I2) if _name in INTEGER_ONLY else (M, M2)))
case("clip", M, fn=lambda x: hpa.clip(x, -0.5, 0.5))
case("add", M, V[:4], label="broadcast row")
case("add", M, M[:, :1], label="broadcast column")
case("multiply", M, fn=lambda x: hpa.multiply(x, 2.0), label="scalar")
case("where", MASK, M, M2)
case("where", MASK, label="condition only")
case("where", M, fn=lambda x: hpa.where(x > 0, x, 0.0), label="scalar")
case("isclose", M, M2)
case("allclose", M, M2)
case("nan_to_num", M, fn=lambda x: hpa.nan_to_num(x, nan=1.0), label="nan=1")
for _name in ["angle", "sinc", "i0", "real_if_close", "iscomplex", "isreal", "isneginf",
              "isposinf", "modf", "frexp"]:  # fmt: skip
    case(_name, M)
case("angle", M.astype(np.complex128), fn=lambda x: hpa.angle(x, deg=True), label="complex deg")
case("real_if_close", M + 0j, label="complex")
case("divmod", M, M2)
case("ldexp", M, I)
case("unwrap", 4 * V, label="1-D")
case("unwrap", 4 * M, fn=lambda x: hpa.unwrap(x, axis=0), label="axis0")
case("select", MASK, M, M2, fn=lambda c, a, b: hpa.select([c, ~c], [a, b], default=-1.0))

# reductions and statistics
AXES: list[tuple[str, dict[str, Any]]] = [
    ("all", {}), ("axis0", {"axis": 0}), ("axis1", {"axis": 1}), ("axis-1", {"axis": -1}),
    ("axes02", {"axis": (0, 2)}), ("axis1-keepdims", {"axis": 1, "keepdims": True}),
    ("all-keepdims", {"keepdims": True}),
]  # fmt: skip
REDUCTIONS = ["sum", "prod", "all", "any", "max", "min", "amax", "amin", "mean", "var", "std",
              "nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar", "nanstd", "ptp",
              "count_nonzero", "average", "median", "nanmedian"]  # fmt: skip
for _name in REDUCTIONS:
    for _label, _kw in AXES:
        case(_name, T, fn=lambda x, f=call(_name), kw=_kw: f(x, **kw), label=_label)
for _name in ["quantile", "percentile", "nanquantile", "nanpercentile"]:
    _scale = 100 if "percentile" in _name else 1
    for _label, _kw in AXES:
        for _qlabel, _q in (("scalar q", 0.3 * _scale), ("q list", [0.2 * _scale, 0.8 * _scale])):
            case(
                _name,
                T,
                fn=lambda x, f=call(_name), kw=_kw, q=_q: f(x, q, **kw),
                label=f"{_label} {_qlabel}",
            )
for _name in ["argmax", "argmin", "nanargmax", "nanargmin"]:
    for _label, _kw in [("flat", {}), ("axis0", {"axis": 0}), ("axis1", {"axis": 1}),
                        ("axis0-keepdims", {"axis": 0, "keepdims": True}),
                        ("flat-keepdims", {"keepdims": True})]:  # fmt: skip
        case(_name, M, fn=lambda x, f=call(_name), kw=_kw: f(x, **kw), label=_label)
for _name in ["cumsum", "cumprod", "nancumsum", "nancumprod"]:
    for _label, _kw in [("flat", {}), ("axis0", {"axis": 0}), ("axis1", {"axis": 1})]:
        case(_name, M, fn=lambda x, f=call(_name), kw=_kw: f(x, **kw), label=_label)
for _name in ["cumulative_sum", "cumulative_prod"]:
    for _label, _kw in [("axis0", {"axis": 0}), ("axis1", {"axis": 1}),
                        ("axis0-initial", {"axis": 0, "include_initial": True}),
                        ("axis1-initial", {"axis": 1, "include_initial": True})]:  # fmt: skip
        case(_name, M, fn=lambda x, f=call(_name), kw=_kw: f(x, **kw), label=_label)
    case(_name, V, label="1-D")
case("average", T, fixed(np.arange(1.0, 5.0)), fn=lambda x, w: hpa.average(x, 1, w),
     label="axis weights")  # fmt: skip
case("average", M, M2 + 3, fn=lambda x, w: hpa.average(x, 0, w, returned=True),
     label="full weights returned")  # fmt: skip
for _label, _kw in [("axis0", {"axis": 0}), ("axis1", {"axis": 1}), ("n2", {"n": 2, "axis": 0}),
                    ("prepend", {"axis": 0, "prepend": 0.0})]:  # fmt: skip
    case("diff", M, fn=lambda x, kw=_kw: hpa.diff(x, **kw), label=_label)

for _name in ["kurtosis", "skew"]:
    for _label, _kw in AXES[:5]:
        case(_name, T, fn=lambda x, f=call(_name), kw=_kw: f(x, **kw), label=_label)
case("kurtosis", M, fn=lambda x: hpa.kurtosis(x, 0, unbiased=False, Fischer=False),
     label="pearson biased")  # fmt: skip
case("skew", M, fn=lambda x: hpa.skew(x, 1, unbiased=False), label="biased")
for _label, _kw in [("last", {}), ("axis0", {"axis": 0}), ("dx", {"dx": 0.5, "axis": 0})]:
    case("trapezoid", M, fn=lambda y, kw=_kw: hpa.trapezoid(y, **kw), label=_label)
case("trapezoid", M, fixed(np.arange(4.0) ** 2), fn=lambda y, x: hpa.trapezoid(y, x), label="x")
case("trapezoid", M, M2, fn=lambda y, x: hpa.trapezoid(y, x, axis=0), label="x full")
case("gradient", M)
case("gradient", M, fn=lambda x: hpa.gradient(x, axis=0), label="axis0")
case("gradient", V, fn=lambda x: hpa.gradient(x, 0.5, edge_order=2), label="1-D spacing")
case("gradient", V, fixed(np.cumsum(np.arange(1.0, 8.0))), fn=lambda f, x: hpa.gradient(f, x),
     label="coordinates")  # fmt: skip
case("ediff1d", M)
case("ediff1d", V, fn=lambda x: hpa.ediff1d(x, to_end=[9.0, 9.0], to_begin=0.0), label="ends")

# sorting, sets, searching
for _label, _kw in [("last", {}), ("axis0", {"axis": 0}), ("flat", {"axis": None}),
                    ("descending", {"axis": 0, "descending": True})]:  # fmt: skip
    case("sort", M, fn=lambda x, kw=_kw: hpa.sort(x, **kw), label=_label)
    case("argsort", M, fn=lambda x, kw=_kw: hpa.argsort(x, **kw), label=_label)
for _name in ["partition", "argpartition"]:
    for _label, _kw in [("last", {}), ("axis0", {"axis": 0}), ("flat", {"axis": None})]:
        case(_name, M, fn=lambda x, f=call(_name), kw=_kw: f(x, 2, **kw), label=_label)
for _label, _kw in [("last", {}), ("axis0", {"axis": 0}), ("smallest", {"largest": False})]:
    case("topk", M, fn=lambda x, kw=_kw: hpa.topk(x, 2, **kw), label=_label)
case("searchsorted", np.sort(V), M)
case("searchsorted", V, fixed(np.argsort(V)), M, fn=lambda a, s, v: hpa.searchsorted(a, v, sorter=s),
     label="sorter")  # fmt: skip
case("unique", I)
case("unique", I, label="all returns",
     fn=lambda x: hpa.unique(x, return_index=True, return_inverse=True, return_counts=True))  # fmt: skip
for _name in ["unique_all", "unique_counts", "unique_inverse", "unique_values"]:
    case(_name, I)
for _name in ["in1d", "intersect1d", "setdiff1d", "setxor1d", "union1d"]:
    case(_name, W, I[:, 0] + 2)
case("intersect1d", W, I[:, 0] + 2, fn=lambda a, b: hpa.intersect1d(a, b, return_indices=True),
     label="indices")  # fmt: skip
case("isin", I, W)
case("isin", I, W, fn=lambda a, b: hpa.isin(a, b, invert=True), label="invert")
case("lexsort", I)
case("lexsort", I, fn=lambda k: hpa.lexsort(k, axis=0), label="axis0")
case("lexsort", I[:, 0].copy(), W, fn=lambda a, b: hpa.lexsort((a, b)), label="two keys")
case("lexsort", V, fn=lambda k: hpa.lexsort((k,)), label="one key")
case("sort_complex", M)
case("sort_complex", M + 1j * M2, label="complex")

# selection and indexing
for _name in ["nonzero", "argwhere", "flatnonzero"]:
    case(_name, I)
case("extract", MASK, M)
case("compress", fixed(np.array([True, False, True, True, False])), M,
     fn=lambda c, x: hpa.compress(c, x, axis=0), label="axis0")  # fmt: skip
case("compress", fixed(np.array([False, True, True, False])), M,
     fn=lambda c, x: hpa.compress(c, x, axis=1), label="axis1")  # fmt: skip
case("compress", fixed(np.array([True, False, True])), M, fn=hpa.compress, label="flat")
case("take", M, ROWS, fn=lambda x, i: hpa.take(x, i, axis=0), label="axis0")
case("take", M, COLS, fn=lambda x, i: hpa.take(x, i, axis=1), label="axis1")
case("take", M, ROWS, fn=hpa.take, label="flat")
case("take", M, fn=lambda x: hpa.take(x, 2, axis=0), label="int")
case("take_along_axis", M, np.argsort(M, axis=0), fn=lambda x, i: hpa.take_along_axis(x, i, 0),
     label="axis0")  # fmt: skip
case("take_along_axis", M, np.argsort(M, axis=1), fn=lambda x, i: hpa.take_along_axis(x, i, 1),
     label="axis1")  # fmt: skip
KEYS: list[tuple[str, Any]] = [
    ("int", 1), ("negative int", -1), ("slice", slice(1, 4)), ("reversed", slice(None, None, -1)),
    ("step", (slice(None, None, 2), slice(1, None))), ("column", (slice(None), 2)),
    ("element", (1, 2)), ("ellipsis", (Ellipsis, 1)), ("newaxis", (None, slice(1, 3))),
    ("row list", [0, 2, 3]), ("column list", (slice(None), [1, 3])),
    ("empty slice", slice(3, 1)), ("both lists", ([0, 4], [1, 3])),
]  # fmt: skip
for _label, _key in KEYS:
    case("getitem", M, fn=lambda x, k=_key: hpa.getitem(x, k), label=_label)
case("getitem", M, MASK, fn=hpa.getitem, label="bool mask")
case("getitem", M, MASK[:, 0], fn=hpa.getitem, label="row mask")
case("getitem", M, ROWS, fn=hpa.getitem, label="index array")
case("getitem", M, fn=lambda x: hpa.getitem(x, x > 0), label="own mask")


def _set(x: hpa.Array, key: Any, value: Any) -> hpa.Array:
    hpa.setitem(x, key, value)
    return x


case("setitem", M, fn=lambda x: _set(x, (slice(1, 3), 0), 7.0), label="slice")
case("setitem", M, MASK, fn=lambda x, m: _set(x, m, 0.0), label="mask")
case("put", M, fn=lambda x: (hpa.put(x, [0, 7, 19], [1.0, 2.0, 3.0]), x)[1])
case("copyto", M, M2, fn=lambda d, s: (hpa.copyto(d, s), d)[1])
case("put_along_axis", M, np.argsort(M, axis=0)[:2], label="axis0",
     fn=lambda x, i: (hpa.put_along_axis(x, i, 0.0, axis=0), x)[1])  # fmt: skip
case("put_along_axis", M, np.argsort(M, axis=1)[:, :1], M2[:, :1], label="axis1",
     fn=lambda x, i, v: (hpa.put_along_axis(x, i, v, axis=1), x)[1])  # fmt: skip
case("fill_diagonal", M, fn=lambda x: (hpa.fill_diagonal(x, 0.0), x)[1])
case("fill_diagonal", data((7, 3), seed=16), label="tall wrap",
     fn=lambda x: (hpa.fill_diagonal(x, 1.0, wrap=True), x)[1])  # fmt: skip
case("ravel_multi_index", I, I2, fn=lambda a, b: hpa.ravel_multi_index((a, b), (4, 3)))
case("ravel_multi_index", I, I2 + 5, label="clip",
     fn=lambda a, b: hpa.ravel_multi_index((a, b), (4, 3), mode="clip"))  # fmt: skip
case("unravel_index", W, fn=lambda i: hpa.unravel_index(i, (3, 3)))
case("unravel_index", I, fn=lambda i: hpa.unravel_index(i, (2, 2), order="F"), label="2-D F")
case("ix_", V, V2, fn=hpa.ix_)
case("ix_", V > 0, W, fn=hpa.ix_, label="bool")
for _name in ["diag_indices_from", "tril_indices_from", "triu_indices_from"]:
    case(_name, SPD)
case("tril_indices_from", M, fn=lambda x: hpa.tril_indices_from(x, -1), label="rectangular")
case("triu_indices_from", M, fn=lambda x: hpa.triu_indices_from(x, 1), label="rectangular")

# manipulation
for _label, _shape in [("flat", (20,)), ("4x5", (4, 5)), ("2x10", (2, 10)), ("-1", (-1, 2))]:
    case("reshape", M, fn=lambda x, s=_shape: hpa.reshape(x, s), label=_label)
case("reshape", T, fn=lambda x: hpa.reshape(x, (12, 5)), label="3-D merge")
case("reshape", T, fn=lambda x: hpa.reshape(x, (3, 2, 2, 5)), label="3-D cut")
for _name in ["ravel", "flatten", "matrix_transpose", "fliplr", "flipud", "atleast_1d",
              "atleast_2d", "atleast_3d"]:  # fmt: skip
    case(_name, M)
case("transpose", T)
case("transpose", T, fn=lambda x: hpa.transpose(x, (1, 2, 0)), label="axes")
case("permute_dims", T, fn=lambda x: hpa.permute_dims(x, (2, 0, 1)))
case("swapaxes", T, fn=lambda x: hpa.swapaxes(x, 0, 2))
case("moveaxis", T, fn=lambda x: hpa.moveaxis(x, 0, -1))
case("moveaxis", T, fn=lambda x: hpa.moveaxis(x, [0, 1], [2, 0]), label="several")
case("squeeze", M[:, None, :])
case("squeeze", M[:, None, :], fn=lambda x: hpa.squeeze(x, 1), label="axis1")
case("expand_dims", M, fn=lambda x: hpa.expand_dims(x, 0), label="axis0")
case("expand_dims", M, fn=lambda x: hpa.expand_dims(x, (1, 3)), label="axes13")
for _label, _kw in [("all", {}), ("axis0", {"axis": 0}), ("axis1", {"axis": 1})]:
    case("flip", M, fn=lambda x, kw=_kw: hpa.flip(x, **kw), label=_label)
for _label, _kw in [("flat", {"shift": 3}), ("axis0", {"shift": 2, "axis": 0}),
                    ("axis1", {"shift": -1, "axis": 1}),
                    ("both", {"shift": (1, 2), "axis": (0, 1)})]:  # fmt: skip
    case("roll", M, fn=lambda x, kw=_kw: hpa.roll(x, **kw), label=_label)
for _name in ["concatenate", "concat"]:
    for _label, _kw in [("axis0", {"axis": 0}), ("axis1", {"axis": 1}), ("flat", {"axis": None})]:
        case(_name, M, M2, fn=lambda a, b, f=call(_name), kw=_kw: f([a, b], **kw), label=_label)
for _axis in (0, 1, 2, -1):
    case("stack", M, M2, fn=lambda a, b, ax=_axis: hpa.stack([a, b], axis=ax), label=f"axis{_axis}")
for _name in ["hstack", "vstack", "dstack", "column_stack"]:
    case(_name, M, M2, fn=lambda a, b, f=call(_name): f([a, b]))
case("column_stack", M[:, 0], M2[:, 1], fn=lambda a, b: hpa.column_stack([a, b]), label="1-D")
case("hstack", V, V2, fn=lambda a, b: hpa.hstack([a, b]), label="1-D")
case("vstack", V[:4], M, fn=lambda a, b: hpa.vstack([a, b]), label="1-D on 2-D")
case("atleast_2d", V, label="1-D")
case("atleast_3d", M, V, fn=lambda a, b: hpa.atleast_3d(a, b), label="several")
case("broadcast_to", V[:4], fn=lambda x: hpa.broadcast_to(x, (5, 4)))
case("broadcast_to", M[:, :1], fn=lambda x: hpa.broadcast_to(x, (2, 5, 4)), label="column")
case("broadcast_arrays", M, V[:4], fn=lambda a, b: hpa.broadcast_arrays(a, b))
case("broadcast_arrays", M[:, :1], V[:4], fn=lambda a, b: hpa.broadcast_arrays(a, b),
     label="outer")  # fmt: skip
case("meshgrid", V, V2, fn=lambda a, b: hpa.meshgrid(a, b))
case("meshgrid", V, V2, fn=lambda a, b: hpa.meshgrid(a, b, indexing="ij"), label="ij")
case("meshgrid", V, V2, fn=lambda a, b: hpa.meshgrid(a, b, sparse=True), label="sparse")
case("astype", M, fn=lambda x: hpa.astype(x, hpa.float32))
for _name in ["empty_like", "zeros_like", "ones_like"]:
    case(_name, M)
case("full_like", M, fn=lambda x: hpa.full_like(x, 2.5))
case("array", M, fn=lambda x: hpa.array(x), label="of an array")
case("asarray", M, fn=lambda x: hpa.asarray(x), label="of an array")
case("asarray_chkfinite", M, fn=lambda x: hpa.asarray_chkfinite(x), label="of an array")
case("copy", M)

# editing
for _label, _kw in [("flat", {}), ("axis0", {"axis": 0}), ("axis1", {"axis": 1})]:
    case("append", M, M2, fn=lambda a, b, kw=_kw: hpa.append(a, b, **kw), label=_label)
    case("delete", M, fn=lambda x, kw=_kw: hpa.delete(x, [0, 2], **kw), label=_label)
    case("insert", M, fn=lambda x, kw=_kw: hpa.insert(x, 1, 0.5, **kw), label=_label)
case("append", V, V2, label="1-D")
case("delete", M, fn=lambda x: hpa.delete(x, slice(1, None, 2), axis=0), label="slice")
case("delete", M, fn=lambda x: hpa.delete(x, -1, axis=1), label="int")
case("insert", M, V[:4], fn=lambda x, v: hpa.insert(x, [0, 3], v[None], axis=0), label="row")
case("insert", M, fn=lambda x: hpa.insert(x, [1, 1, 4], [7.0, 8.0, 9.0], axis=1), label="several")
for _label, _shape in [("smaller", (3, 2)), ("larger", (6, 5)), ("flat", 30), ("3-D", (2, 3, 4))]:
    case("resize", M, fn=lambda x, s=_shape: hpa.resize(x, s), label=_label)
case("rollaxis", T, fn=lambda x: hpa.rollaxis(x, 2))
case("rollaxis", T, fn=lambda x: hpa.rollaxis(x, 0, 2), label="start")
for _label, _kw in [("k1", {}), ("k2", {"k": 2}), ("k-1", {"k": -1}), ("k3", {"k": 3})]:
    case("rot90", M, fn=lambda x, kw=_kw: hpa.rot90(x, **kw), label=_label)
case("rot90", T, fn=lambda x: hpa.rot90(x, 1, (1, 2)), label="axes12")
ZEROS = np.array([0.0, 0.0, 1.5, 0.0, -2.0, 0.0, 0.0])
case("trim_zeros", ZEROS)
case("trim_zeros", ZEROS, fn=lambda x: hpa.trim_zeros(x, "f"), label="front")
case("trim_zeros", np.pad(M, ((2, 1), (0, 2))), label="2-D")
case("trim_zeros", np.pad(M, ((2, 1), (0, 2))), fn=lambda x: hpa.trim_zeros(x, "b", axis=0),
     label="2-D back axis0")  # fmt: skip
case("block", M, M2, fn=lambda a, b: hpa.block([[a, b]]), label="row")
case("block", M, M2, fn=lambda a, b: hpa.block([[a], [b]]), label="column")
case("block", M, M2[:, :2].copy(), M2[:2].copy(), M[:2, :2].copy(), label="2x2",
     fn=lambda a, b, c, d: hpa.block([[a, b], [c, d]]))  # fmt: skip
case("diagflat", V)
case("diagflat", M, fn=lambda x: hpa.diagflat(x, -1), label="of a matrix k-1")
case("vander", V)
case("vander", V, fn=lambda x: hpa.vander(x, 3, increasing=True), label="N3 increasing")

# tiling
for _label, _reps in [("int", 2), ("rows", (2, 1)), ("3-D", (2, 1, 3))]:
    case("tile", M, fn=lambda x, r=_reps: hpa.tile(x, r), label=_label)
for _label, _kw in [("flat", {"repeats": 2}), ("axis0", {"repeats": 2, "axis": 0}),
                    ("axis1 list", {"repeats": [1, 0, 2, 1], "axis": 1})]:  # fmt: skip
    case("repeat", M, fn=lambda x, kw=_kw: hpa.repeat(x, **kw), label=_label)
for _label, _kw in [("constant", {"pad_width": 1}),
                    ("rows", {"pad_width": ((2, 1), (0, 0))}),
                    ("edge", {"pad_width": ((1, 2), (1, 0)), "mode": "edge"}),
                    ("reflect", {"pad_width": 1, "mode": "reflect"})]:  # fmt: skip
    case("pad", M, fn=lambda x, kw=_kw: hpa.pad(x, **kw), label=_label)
for _name, _at in [("split", 2), ("array_split", 3), ("hsplit", 2), ("vsplit", [1, 3])]:
    case(_name, M[:4], fn=lambda x, f=call(_name), at=_at: f(x, at))
case("split", M, fn=lambda x: hpa.split(x, [1, 3], axis=1), label="axis1")
case("array_split", M, fn=lambda x: hpa.array_split(x, 2, axis=1), label="axis1")
case("dsplit", T[:, :, :4], fn=lambda x: hpa.dsplit(x, 2))
case("unstack", M, fn=hpa.unstack)
case("unstack", M, fn=lambda x: hpa.unstack(x, axis=1), label="axis1")

# windows
case("sliding_window_view", M, fn=lambda x: hpa.sliding_window_view(x, 2, axis=0))
case("sliding_window_view", M, fn=lambda x: hpa.sliding_window_view(x, (3, 2)), label="2-D")
case("sliding_window_view", M, fn=lambda x: hpa.sliding_window_view(x, 2, axis=1), label="axis1")
case("unfold", M, fn=lambda x: hpa.unfold(x, 0, 2))
case("unfold", M, fn=lambda x: hpa.unfold(x, 0, 3, 2), label="step")
case("unfold", M, fn=lambda x: hpa.unfold(x, 1, 2, 2), label="axis1")

# diagonals
for _label, _k in [("main", 0), ("above", 1), ("below", -2)]:
    case("diagonal", M, fn=lambda x, k=_k: hpa.diagonal(x, k), label=_label)
    case("trace", M, fn=lambda x, k=_k: hpa.trace(x, k), label=_label)
    case("tril", M, fn=lambda x, k=_k: hpa.tril(x, k), label=_label)
    case("triu", M, fn=lambda x, k=_k: hpa.triu(x, k), label=_label)
case("diag", M, label="of a matrix")
case("diag", V, label="of a vector")
case("diag", V, fn=lambda x: hpa.diag(x, 1), label="of a vector k1")
case("diagonal", T, fn=lambda x: hpa.diagonal(x, 0, 1, 2), label="3-D")

# histograms
case("histogram", M, fn=lambda x: hpa.histogram(x, bins=4))
case("histogram", V, fixed(np.linspace(-2, 2, 5)), fn=lambda x, b: hpa.histogram(x, bins=b),
     label="edges")  # fmt: skip
case("histogram", V, V + 1, fn=lambda x, w: hpa.histogram(x, bins=3, weights=w), label="weights")
case("histogram2d", V, np.append(V2, 0.0), fn=lambda x, y: hpa.histogram2d(x, y, bins=3))
case("histogramdd", M[:, :3], fn=lambda x: hpa.histogramdd(x, bins=3))
case("bincount", W)
case("bincount", W, W + 0.5, fn=lambda x, w: hpa.bincount(x, weights=w), label="weights")
case("digitize", M, fixed(np.array([-1.0, 0.0, 1.0])), fn=hpa.digitize)
case("bucketize", I, fixed(np.array([0, 1, 3])), fn=hpa.bucketize)
case("bucketize", I, np.array([0, 2]), fn=lambda x, b: hpa.bucketize(x, b, right=True),
     label="right split boundaries")  # fmt: skip
case("histc", M, fn=lambda x: hpa.histc(x, bins=4))
case("histc", M, fn=lambda x: hpa.histc(x, 3, -1.0, 1.0), label="range")
case("histogram_bin_edges", M, fn=lambda x: hpa.histogram_bin_edges(x, bins=4))
case("histogram_bin_edges", V, V + 1, fn=lambda x, w: hpa.histogram_bin_edges(x, 3, weights=w),
     label="weights")  # fmt: skip

# covariance
for _name in ["cov", "corrcoef"]:
    case(_name, M)
    case(_name, M, fn=lambda x, f=call(_name): f(x, rowvar=False), label="columns")
    case(_name, M[:, 0], M2[:, 0], fn=call(_name), label="two vectors")
case("cov", M, fn=lambda x: hpa.cov(x, bias=True, rowvar=False), label="bias")

# linear algebra and spatial
for _name in ["matmul", "linalg.matmul", "dot", "linalg.dot"]:
    case(_name, M, M2.T.copy(), label="2-D 2-D")
for _name in ["inner", "linalg.inner"]:
    case(_name, M, M2, label="2-D 2-D")
case("inner", V, V, label="1-D 1-D")
case("matmul", M, V[:4], label="2-D 1-D")
case("matmul", V[:5], M, label="1-D 2-D")
case("matmul", V, V, label="1-D 1-D")
case("matmul", T, data((5, 3), seed=12), label="3-D 2-D")
case("matmul", data((2, 4), seed=13), T, label="2-D 3-D")
case("dot", M, V[:4], label="2-D 1-D")
case("dot", V, V, label="1-D 1-D")
case("dot", M, fn=lambda x: hpa.dot(x, 2.0), label="scalar")
for _name in ["outer", "linalg.outer", "kron", "linalg.kron"]:
    case(_name, V, V2)
for _name in ["vdot", "linalg.vdot"]:
    case(_name, M, M2)
case("vdot", V, V, label="1-D")
case("kron", M, M2[:2, :2].copy(), label="2-D")
for _name in ["tensordot", "linalg.tensordot"]:
    case(_name, T, data((4, 5), seed=11), fn=lambda a, b, f=call(_name): f(a, b, axes=2))
case("tensordot", T, M2, fn=lambda a, b: hpa.tensordot(a, b, axes=([1], [1])), label="axes")
for _name in ["einsum", "linalg.einsum"]:
    case(_name, M, M2, fn=lambda a, b, f=call(_name): f("ij,kj->ik", a, b))
case("einsum", T, fn=lambda x: hpa.einsum("ijk->kj", x), label="one operand")
for _name in ["cross", "linalg.cross"]:
    case(_name, M[:, :3].copy(), M2[:, :3].copy())
case("cross", M[:3].copy(), M2[:3].copy(), fn=lambda a, b: hpa.cross(a, b, axis=0),
     label="axis0")  # fmt: skip
for _name in ["vecdot", "linalg.vecdot"]:
    case(_name, M, M2)
case("vecdot", M, M2, fn=lambda a, b: hpa.vecdot(a, b, axis=0), label="axis0")
for _name in ["matrix_power", "linalg.matrix_power"]:
    case(_name, SPD, fn=lambda x, f=call(_name): f(x, 3))
case("matrix_power", SPD, fn=lambda x: hpa.matrix_power(x, -1), label="inverse")
case("matrix_power", SPD, fn=lambda x: hpa.matrix_power(x, 0), label="identity")
for _name in ["linalg.cholesky", "linalg.det", "linalg.inv", "linalg.eigh", "linalg.eigvalsh",
              "linalg.slogdet", "linalg.cond", "linalg.matrix_rank", "linalg.pinv",
              "linalg.svdvals", "linalg.diagonal", "linalg.trace", "linalg.matrix_norm",
              "linalg.matrix_transpose"]:  # fmt: skip
    case(_name, SPD)
case("linalg.cholesky", SPD, fn=lambda x: hpa.linalg.cholesky(x, upper=True), label="upper")
case("linalg.matrix_norm", M, fn=lambda x: hpa.linalg.matrix_norm(x, ord=1), label="ord1")
case("linalg.matrix_norm", M, fn=lambda x: hpa.linalg.matrix_norm(x, ord="nuc"), label="nuc")
case("linalg.matrix_rank", M, label="rectangular")
case("linalg.pinv", TALL, label="tall")
case("linalg.svdvals", TALL, label="tall")
case("linalg.cond", SPD, fn=lambda x: hpa.linalg.cond(x, "fro"), label="fro")
for _label, _kw in [("all", {}), ("axis0", {"axis": 0}), ("axis1", {"axis": 1}),
                    ("ord1 axis0", {"ord": 1, "axis": 0}), ("matrix", {"axis": (0, 1)}),
                    ("keepdims", {"axis": 1, "keepdims": True})]:  # fmt: skip
    case("linalg.norm", M, fn=lambda x, kw=_kw: hpa.linalg.norm(x, **kw), label=_label)
    case("linalg.vector_norm", M, fn=lambda x, kw=_kw: hpa.linalg.vector_norm(
        x, **{k: v for k, v in kw.items() if k != "ord"}), label=_label)  # fmt: skip
case("linalg.norm", V, label="1-D")
case("linalg.norm", V, fn=lambda x: hpa.linalg.norm(x, np.inf), label="1-D inf")
case("linalg.vector_norm", M, fn=lambda x: hpa.linalg.vector_norm(x, ord=np.inf, axis=0),
     label="inf axis0")  # fmt: skip
for _label, _mode in [("reduced", "reduced"), ("complete", "complete"), ("r", "r")]:
    case("linalg.qr", TALL, fn=lambda x, m=_mode: hpa.linalg.qr(x, m), label=_label)
    case("linalg.qr", TALL.T.copy(), fn=lambda x, m=_mode: hpa.linalg.qr(x, m),
         label=f"wide {_label}")  # fmt: skip
for _label, _kw in [("full", {}), ("reduced", {"full_matrices": False}),
                    ("values", {"compute_uv": False})]:  # fmt: skip
    case("linalg.svd", TALL, fn=lambda x, kw=_kw: hpa.linalg.svd(x, **kw), label=_label)
    case("linalg.svd", TALL.T.copy(), fn=lambda x, kw=_kw: hpa.linalg.svd(x, **kw),
         label=f"wide {_label}")  # fmt: skip
case("linalg.randomized_svd", TALL, fn=lambda x: hpa.linalg.randomized_svd(x, 2, random_state=0))
case("linalg.solve", SPD, RHS)
case("linalg.solve", SPD, RHS[:, 0].copy(), label="vector")
case("linalg.solve_triangular", np.triu(SPD), RHS)
case("linalg.solve_triangular", np.tril(SPD), RHS, label="lower",
     fn=lambda a, b: hpa.linalg.solve_triangular(a, b, lower=True))  # fmt: skip
case("linalg.lstsq", TALL, TALL[:, :2] @ np.ones((2, 2)) + 0.5)
for _name in ["linalg.lu", "linalg.lu_factor", "linalg.polar", "linalg.matrix_exp", "linalg.expm"]:
    case(_name, SPD)
case("linalg.lu", SPD, fn=lambda x: hpa.linalg.lu(x, p_indices=True), label="p_indices")
case("linalg.polar", TALL, label="tall")
case("linalg.polar", TALL.T.copy(), fn=lambda x: hpa.linalg.polar(x, side="left"), label="left")
case("linalg.lu_solve", SPD, RHS, fn=lambda a, b: hpa.linalg.lu_solve(hpa.linalg.lu_factor(a), b))
case("linalg.cho_factor", SPD, fn=lambda x: hpa.linalg.cho_factor(x, lower=True)[0])
case("linalg.cho_solve", SPD, RHS, fn=lambda a, b: hpa.linalg.cho_solve(hpa.linalg.cho_factor(a), b))
case("linalg.cg", SPD, RHS[:, 0].copy())
case("linalg.lanczos", SPD, fn=lambda x: hpa.linalg.lanczos(x, 3, v0=hpa.ones(4, comm=x.comm)))
case("linalg.matvec", M, V[:4])
case("linalg.vecmat", V[:5], M)
case("linalg.multi_dot", M, M2.T.copy(), V[:5], fn=lambda a, b, c: hpa.linalg.multi_dot([a, b, c]))
case("linalg.multi_dot", V[:5], M, SPD, RHS, label="1-D first",
     fn=lambda a, b, c, d: hpa.linalg.multi_dot([a, b, c, d]))  # fmt: skip
SQUARE6 = data((6, 6), seed=17) + 6 * np.eye(6)
case("linalg.tensorinv", SQUARE6.reshape(2, 3, 6))
case("linalg.tensorinv", SQUARE6.reshape(6, 2, 3), fn=lambda a: hpa.linalg.tensorinv(a, 1),
     label="ind1")  # fmt: skip
case("linalg.tensorsolve", SQUARE6.reshape(2, 3, 6), data((2, 3), seed=18))
case("linalg.tensorsolve", SQUARE6.reshape(6, 2, 3), data((2, 3), seed=18), label="axes",
     fn=lambda a, b: hpa.linalg.tensorsolve(a, b, axes=(0,)))  # fmt: skip
LOWRANK = data((8, 2), seed=19) @ data((2, 6), seed=20) + 0.01 * data((8, 6), seed=21)
case("linalg.hsvd_rank", LOWRANK, fn=lambda a: hpa.linalg.hsvd_rank(a, 2))
case("linalg.hsvd_rank", LOWRANK, fn=lambda a: hpa.linalg.hsvd_rank(a, 2, compute_sv=True),
     label="sv")  # fmt: skip
case("linalg.hsvd_rtol", LOWRANK, fn=lambda a: hpa.linalg.hsvd_rtol(a, 0.1, compute_sv=True))
case("linalg.hsvd", LOWRANK, fn=lambda a: hpa.linalg.hsvd(a, maxrank=3, compute_sv=True))
case("linalg.rsvd", LOWRANK, fn=lambda a: hpa.linalg.rsvd(a, 2))
case("linalg.rsvd", LOWRANK, fn=lambda a: hpa.linalg.rsvd(a, 2, 2, power_iter=1), label="power")
_U, _S, _VT = np.linalg.svd(LOWRANK[:, :4], full_matrices=False)
case("linalg.isvd", LOWRANK[:, 4:].copy(), _U, fixed(_S), _VT, fn=hpa.linalg.isvd)
case("linalg.isvd", LOWRANK[:, 4:].copy(), _U, fixed(_S), _VT, label="maxrank",
     fn=lambda d, u, s, vt: hpa.linalg.isvd(d, u, s, vt, maxrank=2))  # fmt: skip
STACK = np.stack([SPD, 2 * SPD, SPD + np.eye(4)])
for _name in ["linalg.inv", "linalg.det", "linalg.cholesky", "linalg.eigvalsh", "linalg.svdvals",
              "linalg.matrix_norm", "linalg.slogdet", "linalg.qr", "linalg.svd"]:  # fmt: skip
    case(_name, STACK, label="stack")
case("linalg.solve", STACK, RHS, label="stack")
case("linalg.matvec", STACK, RHS[:, 0].copy(), label="stack")
case("linalg.vecmat", RHS[:, 0].copy(), STACK, label="stack")
case("matmul", STACK, STACK, label="stacks")
case("linalg.norm", T, fn=lambda x: hpa.linalg.norm(x, axis=(1, 2)), label="stack")
case("cov", M, fixed(np.array([1, 2, 1, 3])), fixed(np.arange(1.0, 5.0)), label="weights",
     fn=lambda x, f, a: hpa.cov(x, fweights=f, aweights=a))  # fmt: skip
case("histogram", M, fn=lambda x: hpa.histogram(x, bins=4, density=True), label="density")
for _name in ["spatial.cdist", "spatial.rbf", "spatial.manhattan"]:
    case(_name, M, M2[:3].copy())
    case(_name, M, label="self")
case("spatial.cdist", M, M2[:3].copy(), label="cityblock",
     fn=lambda a, b: hpa.spatial.cdist(a, b, metric="cityblock"))  # fmt: skip
case("spatial.pdist", M)
case("spatial.pdist", M, fn=lambda x: hpa.spatial.pdist(x, metric="cityblock"), label="cityblock")

# polynomials and signals
for _name in ["polyadd", "polysub", "polymul"]:
    case(_name, V, V2[:3])
case("polydiv", V, V2[:3] + np.array([3.0, 0.0, 0.0]))
case("polyval", V2[:3], M)
case("polyval", V2[:3], V, label="1-D")
case("polyder", V)
case("polyder", V, fn=lambda p: hpa.polyder(p, 3), label="m3")
case("polyint", V)
case("polyint", V, fn=lambda p: hpa.polyint(p, 2, k=[1.0, 2.0]), label="m2 k")
case("poly", V)
case("poly", SPD, label="of a matrix")
case("roots", V)
case("roots", np.array([0.0, 0.0, 1.0, -3.0, 2.0, 0.0]), label="zeros")
Y = data((7,), seed=22)
case("polyfit", V, Y, fn=lambda x, y: hpa.polyfit(x, y, 2))
case("polyfit", V, data((7, 3), seed=23), fn=lambda x, y: hpa.polyfit(x, y, 1), label="2-D y")
case("polyfit", V, Y, fn=lambda x, y: hpa.polyfit(x, y, 2, full=True), label="full")
case("polyfit", V, Y, V + 3, fn=lambda x, y, w: hpa.polyfit(x, y, 1, w=w, cov=True),
     label="weights cov")  # fmt: skip
case("interp", M, np.sort(V), Y)
case("interp", V2, fixed(np.sort(V)), fixed(Y), label="left right",
     fn=lambda x, xp, fp: hpa.interp(x, xp, fp, 0.0, 1.0))  # fmt: skip
case("interp", 4 * V2, fixed(np.arange(5.0)), fixed(Y[:5]), label="period",
     fn=lambda x, xp, fp: hpa.interp(x, xp, fp, period=5.0))  # fmt: skip
for _mode in ["full", "same", "valid"]:
    case("convolve", V, V2[:3], fn=lambda a, v, m=_mode: hpa.convolve(a, v, m), label=_mode)
case("convolve", V2[:3], V, label="short first")
case("convolve", V, V2[:3], fn=lambda a, v: hpa.convolve(a, v, stride=2), label="stride")


# other shapes: 1-D, fewer rows than processes, empty (blocks of no rows on some ranks)
ANY_SHAPE: list[tuple[str, Callable[..., Any]]] = [
    ("sum", lambda x: hpa.sum(x, axis=0)), ("mean", lambda x: hpa.mean(x, axis=-1)),
    ("var", lambda x: hpa.var(x, axis=0)), ("std", hpa.std), ("max", lambda x: hpa.max(x, 0)),
    ("median", lambda x: hpa.median(x, axis=0)), ("median", lambda x: hpa.median(x, axis=-1)),
    ("quantile", lambda x: hpa.quantile(x, [0.1, 0.9], axis=0)),
    ("nanpercentile", lambda x: hpa.nanpercentile(x, 30, axis=-1)),
    ("cumsum", lambda x: hpa.cumsum(x, axis=0)), ("sort", lambda x: hpa.sort(x, axis=0)),
    ("argsort", lambda x: hpa.argsort(x, axis=None)), ("unique", hpa.unique),
    ("unique_counts", hpa.unique_counts), ("nonzero", hpa.nonzero), ("argwhere", hpa.argwhere),
    ("flip", lambda x: hpa.flip(x, 0)), ("roll", lambda x: hpa.roll(x, 1, axis=0)),
    ("ravel", hpa.ravel), ("transpose", hpa.transpose), ("diff", lambda x: hpa.diff(x, axis=0)),
    ("getitem", lambda x: x[1:]), ("getitem", lambda x: x[::-2]), ("getitem", lambda x: x[x > 0]),
    ("take", lambda x: hpa.take(x, [0, 0], axis=-1)),
    ("concatenate", lambda x: hpa.concatenate([x, x], axis=0)),
    ("stack", lambda x: hpa.stack([x, x], axis=-1)), ("expand_dims", hpa.expand_dims),
    ("reshape", lambda x: hpa.reshape(x, (-1,))), ("pad", lambda x: hpa.pad(x, 1)),
    ("repeat", lambda x: hpa.repeat(x, 2, axis=0)), ("tile", lambda x: hpa.tile(x, 2)),
    ("histogram", lambda x: hpa.histogram(x, bins=3, range=(-1, 1))),
    ("matmul", lambda x: hpa.matmul(hpa.matrix_transpose(x), x)),
    ("searchsorted", lambda x: hpa.searchsorted(hpa.arange(3.0, comm=x.comm), x)),
]  # fmt: skip
SHAPED = {"1-D": V, "2x3": data((2, 3), seed=14), "1x4": data((1, 4), seed=15),
          "0x3": np.zeros((0, 3))}  # fmt: skip
for _label, _values in SHAPED.items():
    for _i, (_name, _fn) in enumerate(ANY_SHAPE):
        if (
            _values.ndim == 1
            and _name in ("transpose", "matmul")
            or (_values.size == 0 and _name in ("max", "quantile"))
        ):
            continue
        case(_name, _values, fn=_fn, label=f"{_label} #{_i}")


EXCLUDED: dict[str, str] = {
    # no array argument: the layout is the ``split`` argument
    **dict.fromkeys(
        ["arange", "empty", "eye", "full", "identity", "linspace", "logspace", "ones", "zeros",
         "geomspace", "tri", "indices", "diag_indices", "tril_indices", "triu_indices"],
        "creates an array from a shape or range: the layout is its split argument",
    ),
    **dict.fromkeys(
        ["bartlett", "blackman", "hamming", "hanning", "kaiser"],
        "window function of a length: the layout is its split argument",
    ),
    **dict.fromkeys(
        ["fromiter", "fromstring", "fromfunction"],
        "creates an array from Python objects: the layout is its split argument",
    ),
    "from_dlpack": "wraps a local tensor: the layout is its split/is_split argument",
    # HeAT's distribution functions: the result's layout is their argument by definition
    **dict.fromkeys(
        ["resplit", "balance", "redistribute", "collect"],
        "sets the layout to its argument (a split, balanced blocks, a target map, one rank)",
    ),
    **dict.fromkeys(
        ["from_partitioned", "from_partition_dict"],
        "wraps the blocks of a partition interface: the layout is the interface's",
    ),
    # files
    **dict.fromkeys(
        hpa.io.__all__,
        "reads or writes files: a load's layout is its split argument, a save returns nothing",
    ),
    # no array result
    **dict.fromkeys(
        ["can_cast", "result_type", "isdtype", "finfo", "iinfo", "issubdtype", "promote_types",
         "canonical_heat_type", "heat_type_of", "heat_type_is_exact", "heat_type_is_inexact",
         "heat_type_is_realfloating", "heat_type_is_complexfloating", "common_type",
         "min_scalar_type"],
        "dtype inspection: no array result",
    ),
    **dict.fromkeys(
        ["shape", "size", "ndim", "isscalar", "iterable", "array_equal", "array_equiv",
         "iscomplexobj", "isrealobj", "broadcast_shape", "broadcast_shapes"],
        "a Python object (shape, int, bool) as result: no array",
    ),
    **dict.fromkeys(
        ["is_classifier", "is_clusterer", "is_estimator", "is_regressor", "is_transformer"],
        "estimator-kind predicate: no array argument or result",
    ),
    "chunk": "block sizes from integers: no array",
    "count_collectives": "a counting context, not an operation",
    "count_host_syncs": "a counting context, not an operation",
    "get_comm": "returns the communicator",
    "get_device": "returns the device",
    "use_device": "sets the device",
    "init": "sets the communicator",
    "use_comm": "sets the communicator",
    "print0": "prints on rank 0",
    **dict.fromkeys(
        ["get_printoptions", "set_printoptions", "printoptions"], "print options: no array"
    ),
}


# ---------------------------------------------------------------------------- checking
def build(values: np.ndarray, split: int | None, ragged: bool, comm: Any) -> hpa.Array:
    """The input on the world (``comm is None``) or on the one-process communicator."""
    if comm is None:
        return make(values, split, ragged=ragged)
    return hpa.array(values, split=split, comm=comm)


def describe(result: Any) -> Any:
    """The shapes and splits of every array in ``result`` (nested tuples and lists)."""
    if isinstance(result, hpa.Array):
        return (result.shape, result.split)
    if isinstance(result, (tuple, list)):
        return [describe(r) for r in result]
    return type(result).__name__


def comms_of(result: Any) -> list[Any]:
    """The communicators of the arrays in ``result``."""
    if isinstance(result, hpa.Array):
        return [result.comm]
    if isinstance(result, (tuple, list)):
        return [c for r in result for c in comms_of(r)]
    return []


def outcome(c: Case, layout: Layout, comm: Any) -> tuple[Any, list[Any]]:
    """The layout of ``c``'s result (or the exception it raised), and its communicators."""
    combo, ragged = layout
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            args = [build(i.values, s, ragged, comm) for i, s in zip(c.inputs, combo, strict=True)]
            result = c.fn(*args)
        except Exception as err:  # noqa: BLE001 - the exception is the outcome compared
            return ("raises", type(err).__name__), []
    return describe(result), comms_of(result)


def mismatch(c: Case, layout: Layout) -> str | None:
    """Why ``c`` at ``layout`` differs between P processes and one, or None."""
    want, comms = outcome(c, layout, LOOP)
    got, _ = outcome(c, layout, None)
    if isinstance(want, tuple) and want[0] == "raises":
        return f"{layout_id(layout)}: the one-process reference raised {want[1]}"
    if any(comm is not LOOP for comm in comms):
        return f"{layout_id(layout)}: the one-process result left its communicator"
    if got != want:
        return f"{layout_id(layout)}: {want} at 1 process, {got} at {P}"
    return None


def agreed(problems: list[str]) -> list[str]:
    """Every rank's problems (one ``allgather_object``), so all ranks reach one verdict."""
    return sorted({p for rank in hpa.get_comm().allgather_object(problems) for p in rank})


CASE_IDS = [c.id for c in CASES]
assert len(set(CASE_IDS)) == len(CASE_IDS), "duplicate case ids"


@pytest.mark.parametrize("c", CASES, ids=CASE_IDS)
def test_layout_matches_one_process(c: Case) -> None:
    problems = [
        why
        for layout in c.layouts()
        if (why := mismatch(c, layout)) is not None
    ]
    bad = agreed(problems)
    assert not bad, f"{c.id}:\n" + "\n".join(bad)


def public_callables() -> set[str]:
    """The public functions of ``hpa``, ``hpa.linalg`` and ``hpa.spatial``."""
    names = set()
    for prefix, module in (("", hpa), ("linalg.", hpa.linalg), ("spatial.", hpa.spatial)):
        for name in dir(module):
            obj = getattr(module, name)
            if name.startswith("_") or inspect.ismodule(obj) or inspect.isclass(obj):
                continue
            if isinstance(obj, (hpa.DType, hpa.DTypeCategory)):  # dtypes are callable
                continue
            if callable(obj):
                names.add(prefix + name)
    return names


def test_every_public_callable_is_covered() -> None:
    names = public_callables()
    tested = {c.op for c in CASES}
    # an alias (HeAT's top-level ``hpa.inv`` is ``hpa.linalg.inv``) is covered by its cases
    tested_objects = [call(name) for name in tested]
    covered = {n for n in names if any(call(n) is obj for obj in tested_objects)} | tested
    excluded = set(EXCLUDED)
    assert not names - covered - excluded, (
        f"neither tested nor excluded: {names - covered - excluded}"
    )
    assert not covered & excluded, f"both tested and excluded: {covered & excluded}"
    assert not (covered | excluded) - names, f"not public: {(covered | excluded) - names}"


def test_reference_is_one_process() -> None:
    """``comm=`` builds a whole array on one process, and operations keep that communicator."""
    x = hpa.array(M, split=0, comm=LOOP)
    assert x.comm is LOOP and x.comm.size == 1 and x.lshape == x.shape
    assert np.array_equal(x.numpy(), M)
    y = hpa.sum(x, axis=0)
    assert y.comm is LOOP and y.split is None
    np.testing.assert_allclose(y.numpy(), M.sum(0))
