"""Elementwise operations, generated from one table.

Each entry names the NumPy function, the torch function that computes it on local blocks, and
(implicitly) its dtype rule: at import, NumPy itself is asked which dtype each function
returns for each input dtype, so result dtypes match NumPy exactly (bfloat16 follows
float16). Operands are aligned by :func:`hpa.core.align.align`: operands with the same layout
communicate nothing; see that module for the rules when they differ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, overload

import numpy as np
import torch

from hpa.core import dtypes
from hpa.core.align import align, scalar_tensor
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.dtypes import DType

__all__: list[str] = []

Plan = tuple[torch.dtype, torch.dtype]  # (compute dtype, result dtype)


def _numpy_result(fn: Callable[..., Any], dtype: DType, nargs: int) -> DType | None:
    stand_in = dtypes.float16 if dtype is dtypes.bfloat16 else dtype
    try:
        with np.errstate(all="ignore"):
            res = fn(*([np.ones(1, dtype=stand_in.numpy)] * nargs))
    except (TypeError, ValueError):
        return None
    out = dtypes.to_dtype(res.dtype)
    return dtypes.bfloat16 if dtype is dtypes.bfloat16 and out is dtypes.float16 else out


def _plans(np_fn: Callable[..., Any], nargs: int) -> dict[torch.dtype, Plan | None]:
    plans: dict[torch.dtype, Plan | None] = {}
    for d in dtypes.ALL:
        res = _numpy_result(np_fn, d, nargs)
        if res is None:
            plans[d.torch] = None
        else:
            kernel = _kernel_dtype(
                res if dtypes.promote(d, res) is res else d, getattr(np_fn, "__name__", "")
            )
            plans[d.torch] = None if kernel is None else (kernel.torch, res.torch)
    return plans


# the NumPy functions whose uint64 results are the bits of the int64 results (two's complement)
_BIT_EXACT = frozenset(
    {"add", "subtract", "multiply", "square", "negative", "positive", "bitwise_and",
     "bitwise_or", "bitwise_xor", "invert", "bitwise_invert", "left_shift", "equal",
     "not_equal"}
)  # fmt: skip


def _kernel_dtype(compute: DType, np_name: str) -> DType | None:
    """The dtype torch computes in: uint16 and uint32 (which torch only stores) in the next
    wider signed type, exactly; uint64 in int64 where the bits agree, else unsupported."""
    wider = dtypes.WIDER_SIGNED.get(compute)
    if wider is None:
        return compute
    if compute is dtypes.uint64 and np_name not in _BIT_EXACT:
        return None
    return wider


class _Elementwise:
    """One elementwise function: torch kernel, NumPy name and per-dtype plans.

    ``scalar_ok``: the torch kernel takes a Python scalar as its second argument with NumPy's
    result; other kernels get scalars as 0-d tensors of the compute dtype.
    """

    def __init__(
        self, name: str, fn: Callable[..., Any], np_fn: Callable[..., Any], nargs: int,
        scalar_ok: bool = False,
    ) -> None:  # fmt: skip
        self.name = name
        self.fn = fn
        self.plans = _plans(np_fn, nargs)
        self.scalar_ok = scalar_ok
        self.compares = name in _COMPARISONS

    def plan(self, dtype: torch.dtype) -> Plan:
        found = self.plans[dtype]
        if found is None:
            name = dtypes.of_torch(dtype).name
            hint = (
                "; torch has no uint64 kernels: cast with .astype(hpa.int64) (exact below "
                "2**63) or .astype(hpa.float64)"
                if dtype is torch.uint64
                else ""
            )
            raise TypeError(f"{self.name} is not supported for dtype {name}{hint}")
        return found


_is_weak = dtypes.is_weak_scalar


def _operand_dtype(x: Any) -> Any:
    if isinstance(x, Array):
        return x.dtype
    if _is_weak(x):
        return None
    return dtypes.to_dtype(np.asarray(x).dtype if not isinstance(x, torch.Tensor) else x.dtype)


def _result_dtype(*operands: Any) -> DType:
    strong = [d for d in map(_operand_dtype, operands) if d is not None]
    out = strong[0]
    for d in strong[1:]:
        out = dtypes.promote(out, d)
    for x in operands:
        if _is_weak(x):
            out = dtypes.promote_scalar(out, x)
    return out


def _scalar_operands(op: _Elementwise, blocks: list[Any], compute: torch.dtype) -> list[Any]:
    """Operands as the kernel wants them: tensors in the compute dtype; Python scalars kept
    (second operand of ``scalar_ok`` kernels) or as 0-d tensors of the compute dtype, which is
    what NumPy's weak scalars become."""
    device = next(b.device for b in blocks if isinstance(b, torch.Tensor))
    for b in blocks:
        if isinstance(b, int) and not isinstance(b, bool):
            compute = _integer_scalar_dtype(op, b, compute)
    return [
        _to(b, compute) if isinstance(b, torch.Tensor)
        else b if i and op.scalar_ok and not isinstance(b, bool)
        else scalar_tensor(b, compute, device)
        for i, b in enumerate(blocks)
    ]  # fmt: skip


def _integer_scalar_dtype(op: _Elementwise, value: int, compute: torch.dtype) -> torch.dtype:
    """The dtype to compute in with a Python int operand: NumPy raises ``OverflowError`` for an
    int out of the array dtype's range, except in comparisons, which it answers exactly."""
    if compute is torch.bool or compute.is_floating_point or compute.is_complex:
        return compute
    info = torch.iinfo(compute)
    if info.min <= value <= info.max:
        return compute
    if op.compares and torch.iinfo(torch.int64).min <= value <= torch.iinfo(torch.int64).max:
        return torch.int64
    name = dtypes.of_torch(compute).name
    raise OverflowError(f"Python integer {value} out of bounds for {name}")


def _to(x: Any, dtype: torch.dtype) -> Any:
    return x.to(dtype) if isinstance(x, torch.Tensor) and x.dtype is not dtype else x


def _wrap_scalars(operands: tuple[Any, ...]) -> tuple[Any, ...]:
    if any(isinstance(x, Array) for x in operands):
        return operands
    from hpa.ops.creation import asarray

    return (asarray(operands[0]), *operands[1:])


def _finish(result: torch.Tensor, plan: Plan, layout: Any, out: Array | None) -> Array:
    if result.dtype is not plan[1]:
        result = result.to(plan[1])
    if out is None:
        return Array(result, layout)
    return write_out(result, layout, out)


def write_out(result: torch.Tensor, layout: Any, out: Array) -> Array:
    src = dtypes.of_torch(result.dtype)
    if not dtypes.can_cast(src, out.dtype, "same_kind"):
        raise TypeError(f"cannot cast the result from {src.name} to {out.dtype.name} (same_kind)")
    if layout.gshape != out.shape:
        raise ValueError(f"result of shape {layout.gshape} does not fit out of shape {out.shape}")
    from hpa.core.redistribute import redistribute

    out.larray.copy_(redistribute(result, layout, out.layout))
    return out


_WEAK_TYPES = (bool, int, float, complex)


def _apply(op: _Elementwise, operands: tuple[Any, ...], out: Array | None, **kw: Any) -> Array:
    if len(operands) == 2 and out is None:
        # fast paths: equal layouts, or one array with a Python scalar (nothing to align)
        a, b = operands
        if type(a) is Array:
            if type(b) is Array and (a._layout is b._layout or a._layout == b._layout):
                ta, tb = a._t, b._t
                plan = op.plan(
                    ta.dtype if ta.dtype is tb.dtype else dtypes.promote(a.dtype, b.dtype).torch
                )
                return _finish(
                    op.fn(_to(ta, plan[0]), _to(tb, plan[0]), **kw), plan, a._layout, None
                )
            if type(b) in _WEAK_TYPES:
                plan = op.plan(dtypes.promote_scalar(a.dtype, b).torch)
                args = _scalar_operands(op, [a._t, b], plan[0])
                return _finish(op.fn(*args, **kw), plan, a._layout, None)
        elif type(b) is Array and type(a) in _WEAK_TYPES:
            plan = op.plan(dtypes.promote_scalar(b.dtype, a).torch)
            args = _scalar_operands(op, [a, b._t], plan[0])
            return _finish(op.fn(*args, **kw), plan, b._layout, None)
    operands = _wrap_scalars(operands)
    plan = op.plan(_result_dtype(*operands).torch)
    blocks, layout = align(operands)
    return _finish(op.fn(*_scalar_operands(op, blocks, plan[0]), **kw), plan, layout, out)


def _unary_apply(op: _Elementwise, x: Any, out: Array | None, **kw: Any) -> Array:
    if type(x) is not Array:
        x = _wrap_scalars((x,))[0]
    plan = op.plan(x._t.dtype)
    return _finish(op.fn(_to(x._t, plan[0]), **kw), plan, x._layout, out)


def binary_function(
    name: str, fn: Callable[..., Any], np_fn: Callable[..., Any], doc: str | None = None
) -> Callable[..., Array]:
    """A binary elementwise function built like the table's, not registered.

    ``fn`` computes on the aligned local blocks in the compute dtype; the result dtype for
    each input dtype is NumPy's for ``np_fn`` (asked at import; a dtype NumPy rejects raises
    TypeError). Broadcasting, alignment, weak Python scalars and ``out=`` work as for
    :func:`add`. ``doc`` is the function's docstring (a generic one by default).
    """
    op = _Elementwise(name, fn, np_fn, 2, scalar_ok=name in _SCALAR_OK)

    def func(x1: Any, x2: Any, /, out: Array | None = None) -> Array:
        return _apply(op, (x1, x2), out)

    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc or (
        f"Elementwise ``{name}`` of ``x1`` and ``x2`` with NumPy broadcasting and dtypes.\n\n"
        "Operands with equal layouts (or replicated ones) communicate nothing; an operand split\n"
        "along another axis or with other extents costs one ``alltoallv`` (see\n"
        ":mod:`hpa.core.align`). ``out`` receives the result cast to its dtype.\n"
    )
    return func


def unary_function(
    name: str, fn: Callable[..., Any], np_fn: Callable[..., Any], doc: str | None = None
) -> Callable[..., Array]:
    """A unary elementwise function built like the table's, not registered (see
    :func:`binary_function`); it communicates nothing."""
    op = _Elementwise(name, fn, np_fn, 1)

    def func(x: Any, /, out: Array | None = None) -> Array:
        return _unary_apply(op, x, out)

    func.__name__ = func.__qualname__ = name
    func.__doc__ = doc or f"Elementwise ``{name}`` with NumPy's result dtype; no communication.\n"
    return func


def aligned(x1: Any, x2: Any) -> tuple[Any, Any]:
    """Two hpa arrays of different layouts brought to their common output layout (as
    :func:`hpa.core.align.align` chooses it), so that several elementwise operations on them
    align once; other operands are returned unchanged. Communication as for :func:`add`."""
    if not (isinstance(x1, Array) and isinstance(x2, Array)) or x1.layout == x2.layout:
        return x1, x2
    (b1, b2), lay = align([x1, x2])
    return Array(b1.expand(lay.lshape), lay), Array(b2.expand(lay.lshape), lay)


def _make_binary(
    name: str, fn: Callable[..., Any], np_fn: Callable[..., Any]
) -> Callable[..., Array]:
    return register()(binary_function(name, fn, np_fn))


def _make_unary(
    name: str, fn: Callable[..., Any], np_fn: Callable[..., Any]
) -> Callable[..., Array]:
    return register()(unary_function(name, fn, np_fn))


def _integer_division(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """NumPy gives 0 where an integer divisor is 0; torch raises (on that rank only) on the
    CPU and gives garbage on a GPU. On the CPU the divisor is checked first (cheap there); on
    a GPU the zeros are always masked, which reads nothing back to the host."""

    def divide(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        if a.is_floating_point() or a.is_complex():
            return fn(a, b)
        zero = b == 0
        if a.device.type == "cpu" and not bool(zero.any()):
            return fn(a, b)
        return torch.where(
            zero, torch.zeros((), dtype=a.dtype, device=a.device), fn(a, b.masked_fill(zero, 1))
        )

    return divide


def _remainder(a: torch.Tensor, b: Any) -> torch.Tensor:
    """``torch.remainder`` with NumPy's (and the standard's) sign of a zero result, the
    divisor's: ``-0.0 % 1.0`` is ``+0.0`` and ``0.0 % -1.0`` is ``-0.0``."""
    r = torch.remainder(a, b)
    if not r.is_floating_point():
        return r
    return torch.where(r == 0, torch.copysign(torch.zeros_like(r), b), r)


def _power(a: torch.Tensor, b: Any) -> torch.Tensor:
    if isinstance(b, int) and b < 0 and not (a.is_floating_point() or a.is_complex()):
        raise ValueError("Integers to negative integer powers are not allowed.")
    return torch.pow(a, b)


def _complex_less(x: torch.Tensor, y: torch.Tensor, strict: bool) -> torch.Tensor:
    """NumPy's lexicographic order of complex numbers (``CLT``/``CLE`` in its loops)."""
    xr, xi, yr, yi = x.real, x.imag, y.real, y.imag
    ordered = (xr < yr) & ~torch.isnan(xi) & ~torch.isnan(yi)
    return ordered | ((xr == yr) & ((xi < yi) if strict else (xi <= yi)))


def _ordered(
    fn: Callable[..., torch.Tensor], less: bool, strict: bool
) -> Callable[..., torch.Tensor]:
    """A comparison that orders complex numbers lexicographically, as NumPy does."""

    def compare(a: torch.Tensor, b: Any) -> torch.Tensor:
        if not a.is_complex():
            return fn(a, b)
        b = b.to(a.dtype) if isinstance(b, torch.Tensor) else scalar_tensor(b, a.dtype, a.device)
        return _complex_less(a, b, strict) if less else _complex_less(b, a, strict)

    return compare


def _extremum(
    fn: Callable[..., torch.Tensor], larger: bool, skip_nan: bool
) -> Callable[..., torch.Tensor]:
    """maximum/minimum/fmax/fmin; complex values follow NumPy's lexicographic loops."""

    def pick(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        if not a.is_complex():
            return fn(a, b)
        a, b = torch.broadcast_tensors(a, b)
        nan = torch.isnan(b) if skip_nan else torch.isnan(a)
        keep = _complex_less(b, a, strict=False) if larger else _complex_less(a, b, strict=False)
        return torch.where(nan | keep, a, b)

    return pick


_COMPARISONS = frozenset({"equal", "not_equal", "less", "less_equal", "greater", "greater_equal"})
# kernels that take a Python scalar second operand and give NumPy's answer
_SCALAR_OK = _COMPARISONS | {"add", "subtract", "multiply", "divide", "power", "copysign"}

_BINARY: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "add": (torch.add, np.add),
    "subtract": (torch.sub, np.subtract),
    "multiply": (torch.mul, np.multiply),
    "divide": (torch.true_divide, np.divide),
    "floor_divide": (_integer_division(torch.floor_divide), np.floor_divide),
    "remainder": (_integer_division(_remainder), np.remainder),
    "fmod": (_integer_division(torch.fmod), np.fmod),
    "power": (_power, np.power),
    "maximum": (_extremum(torch.maximum, larger=True, skip_nan=False), np.maximum),
    "minimum": (_extremum(torch.minimum, larger=False, skip_nan=False), np.minimum),
    "fmax": (_extremum(torch.fmax, larger=True, skip_nan=True), np.fmax),
    "fmin": (_extremum(torch.fmin, larger=False, skip_nan=True), np.fmin),
    "arctan2": (torch.atan2, np.arctan2),
    "hypot": (torch.hypot, np.hypot),
    "copysign": (torch.copysign, np.copysign),
    "nextafter": (torch.nextafter, np.nextafter),
    "logaddexp": (torch.logaddexp, np.logaddexp),
    "equal": (torch.eq, np.equal),
    "not_equal": (torch.ne, np.not_equal),
    "less": (_ordered(torch.lt, less=True, strict=True), np.less),
    "less_equal": (_ordered(torch.le, less=True, strict=False), np.less_equal),
    "greater": (_ordered(torch.gt, less=False, strict=True), np.greater),
    "greater_equal": (_ordered(torch.ge, less=False, strict=False), np.greater_equal),
    "logical_and": (torch.logical_and, np.logical_and),
    "logical_or": (torch.logical_or, np.logical_or),
    "logical_xor": (torch.logical_xor, np.logical_xor),
    "bitwise_and": (torch.bitwise_and, np.bitwise_and),
    "bitwise_or": (torch.bitwise_or, np.bitwise_or),
    "bitwise_xor": (torch.bitwise_xor, np.bitwise_xor),
    "left_shift": (torch.bitwise_left_shift, np.left_shift),
    "right_shift": (torch.bitwise_right_shift, np.right_shift),
}


def _complex_sign(t: torch.Tensor) -> torch.Tensor:
    """NumPy 2's sign of complex ``z``: ``z / |z|`` (0 at 0), the sign of an infinite part
    alone (torch.sgn gives NaN there), NaN when both parts are infinite."""
    re, im = t.real, t.imag
    mag = torch.abs(t)
    zero = torch.zeros((), dtype=re.dtype, device=re.device)
    inf_re, inf_im = torch.isinf(re), torch.isinf(im)
    out_re = torch.where(inf_re, torch.sign(re), torch.where(mag == 0, zero, re / mag))
    out_im = torch.where(inf_im, torch.sign(im), torch.where(mag == 0, zero, im / mag))
    out_re = torch.where(inf_im & ~inf_re, zero, out_re)
    out_im = torch.where(inf_re & ~inf_im, zero, out_im)
    nan = complex(float("nan"), float("nan"))
    return torch.complex(out_re, out_im).masked_fill(inf_re & inf_im, nan)


def _sign(t: torch.Tensor) -> torch.Tensor:
    if t.is_complex():
        return _complex_sign(t)
    out = torch.sign(t)
    return (
        torch.where(torch.isnan(t), t, out) if t.is_floating_point() else out
    )  # torch: sign(nan) = 0


def _square(t: torch.Tensor) -> torch.Tensor:
    return t * t


def _integer_safe(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """floor/ceil/trunc/rint leave integers unchanged (torch rejects some integer inputs);
    complex values (rint only: NumPy rejects the others) are rounded part by part."""

    def rounded(t: torch.Tensor) -> torch.Tensor:
        if t.is_complex():
            return torch.complex(fn(t.real), fn(t.imag))
        return fn(t) if t.is_floating_point() else t.clone()

    return rounded


def _reciprocal(t: torch.Tensor) -> torch.Tensor:
    """NumPy's reciprocal. For integers ``1/x`` truncates: ``x`` where ``x`` is 1 or -1, else 0,
    computed exactly (torch's integer reciprocal goes through floats, which CPUs and GPUs
    convert back to integers differently)."""
    if t.is_floating_point() or t.is_complex():
        return torch.reciprocal(t)
    if t.dtype == torch.bool:
        return t.clone()
    unit = (t == 1) | (t == -1) if t.is_signed() else t == 1
    return torch.where(unit, t, torch.zeros((), dtype=t.dtype, device=t.device))


def _abs(t: torch.Tensor) -> torch.Tensor:
    return t.clone() if t.dtype is torch.bool else torch.abs(t)


_UNARY: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "abs": (_abs, np.abs),
    "negative": (torch.neg, np.negative),
    "positive": (torch.clone, np.positive),
    "exp": (torch.exp, np.exp),
    "exp2": (torch.exp2, np.exp2),
    "expm1": (torch.expm1, np.expm1),
    "log": (torch.log, np.log),
    "log2": (torch.log2, np.log2),
    "log10": (torch.log10, np.log10),
    "log1p": (torch.log1p, np.log1p),
    "sqrt": (torch.sqrt, np.sqrt),
    "square": (_square, np.square),
    "reciprocal": (_reciprocal, np.reciprocal),
    "sin": (torch.sin, np.sin),
    "cos": (torch.cos, np.cos),
    "tan": (torch.tan, np.tan),
    "arcsin": (torch.asin, np.arcsin),
    "arccos": (torch.acos, np.arccos),
    "arctan": (torch.atan, np.arctan),
    "sinh": (torch.sinh, np.sinh),
    "cosh": (torch.cosh, np.cosh),
    "tanh": (torch.tanh, np.tanh),
    "arcsinh": (torch.asinh, np.arcsinh),
    "arccosh": (torch.acosh, np.arccosh),
    "arctanh": (torch.atanh, np.arctanh),
    "deg2rad": (torch.deg2rad, np.deg2rad),
    "rad2deg": (torch.rad2deg, np.rad2deg),
    "floor": (_integer_safe(torch.floor), np.floor),
    "ceil": (_integer_safe(torch.ceil), np.ceil),
    "trunc": (_integer_safe(torch.trunc), np.trunc),
    "rint": (_integer_safe(torch.round), np.rint),
    "sign": (_sign, np.sign),
    "signbit": (torch.signbit, np.signbit),
    "isnan": (torch.isnan, np.isnan),
    "isinf": (torch.isinf, np.isinf),
    "isfinite": (torch.isfinite, np.isfinite),
    "logical_not": (torch.logical_not, np.logical_not),
    "invert": (torch.bitwise_not, np.invert),
    "conj": (torch.conj_physical, np.conj),
    "real": (lambda t: t.real.clone() if t.is_complex() else t.clone(), np.real),
    "imag": (lambda t: t.imag.clone() if t.is_complex() else torch.zeros_like(t), np.imag),
}

for _name, (_fn, _np_fn) in _BINARY.items():
    globals()[_name] = _make_binary(_name, _fn, _np_fn)
    __all__.append(_name)
for _name, (_fn, _np_fn) in _UNARY.items():
    globals()[_name] = _make_unary(_name, _fn, _np_fn)
    __all__.append(_name)

_ALIASES = {
    "absolute": "abs",
    "true_divide": "divide",
    "mod": "remainder",
    "pow": "power",
    "bitwise_not": "invert",
    "bitwise_invert": "invert",
    "bitwise_left_shift": "left_shift",
    "bitwise_right_shift": "right_shift",
    "conjugate": "conj",
    "asin": "arcsin",
    "acos": "arccos",
    "atan": "arctan",
    "atan2": "arctan2",
    "asinh": "arcsinh",
    "acosh": "arccosh",
    "atanh": "arctanh",
    "fix": "trunc",
}
for _alias, _target in _ALIASES.items():
    globals()[_alias] = globals()[_target]
    register(_alias)(globals()[_target])
    __all__.append(_alias)

if TYPE_CHECKING:  # the functions generated from the tables above, for type checkers
    abs: Callable[..., Array]
    absolute: Callable[..., Array]
    acos: Callable[..., Array]
    acosh: Callable[..., Array]
    add: Callable[..., Array]
    arccos: Callable[..., Array]
    arccosh: Callable[..., Array]
    arcsin: Callable[..., Array]
    arcsinh: Callable[..., Array]
    arctan: Callable[..., Array]
    arctan2: Callable[..., Array]
    arctanh: Callable[..., Array]
    asin: Callable[..., Array]
    asinh: Callable[..., Array]
    atan: Callable[..., Array]
    atan2: Callable[..., Array]
    atanh: Callable[..., Array]
    bitwise_and: Callable[..., Array]
    bitwise_invert: Callable[..., Array]
    bitwise_left_shift: Callable[..., Array]
    bitwise_not: Callable[..., Array]
    bitwise_or: Callable[..., Array]
    bitwise_right_shift: Callable[..., Array]
    bitwise_xor: Callable[..., Array]
    ceil: Callable[..., Array]
    conj: Callable[..., Array]
    conjugate: Callable[..., Array]
    copysign: Callable[..., Array]
    cos: Callable[..., Array]
    cosh: Callable[..., Array]
    deg2rad: Callable[..., Array]
    divide: Callable[..., Array]
    equal: Callable[..., Array]
    exp: Callable[..., Array]
    exp2: Callable[..., Array]
    expm1: Callable[..., Array]
    fix: Callable[..., Array]
    floor: Callable[..., Array]
    floor_divide: Callable[..., Array]
    fmax: Callable[..., Array]
    fmin: Callable[..., Array]
    fmod: Callable[..., Array]
    greater: Callable[..., Array]
    greater_equal: Callable[..., Array]
    hypot: Callable[..., Array]
    imag: Callable[..., Array]
    invert: Callable[..., Array]
    isfinite: Callable[..., Array]
    isinf: Callable[..., Array]
    isnan: Callable[..., Array]
    left_shift: Callable[..., Array]
    less: Callable[..., Array]
    less_equal: Callable[..., Array]
    log: Callable[..., Array]
    log10: Callable[..., Array]
    log1p: Callable[..., Array]
    log2: Callable[..., Array]
    logaddexp: Callable[..., Array]
    logical_and: Callable[..., Array]
    logical_not: Callable[..., Array]
    logical_or: Callable[..., Array]
    logical_xor: Callable[..., Array]
    maximum: Callable[..., Array]
    minimum: Callable[..., Array]
    mod: Callable[..., Array]
    multiply: Callable[..., Array]
    negative: Callable[..., Array]
    nextafter: Callable[..., Array]
    not_equal: Callable[..., Array]
    positive: Callable[..., Array]
    pow: Callable[..., Array]
    power: Callable[..., Array]
    rad2deg: Callable[..., Array]
    real: Callable[..., Array]
    reciprocal: Callable[..., Array]
    remainder: Callable[..., Array]
    right_shift: Callable[..., Array]
    rint: Callable[..., Array]
    sign: Callable[..., Array]
    signbit: Callable[..., Array]
    sin: Callable[..., Array]
    sinh: Callable[..., Array]
    sqrt: Callable[..., Array]
    square: Callable[..., Array]
    subtract: Callable[..., Array]
    tan: Callable[..., Array]
    tanh: Callable[..., Array]
    true_divide: Callable[..., Array]
    trunc: Callable[..., Array]
    __all__ += [
        "abs", "absolute", "acos", "acosh", "add", "arccos", "arccosh", "arcsin", "arcsinh",
        "arctan", "arctan2", "arctanh", "asin", "asinh", "atan", "atan2", "atanh",
        "bitwise_and", "bitwise_invert", "bitwise_left_shift", "bitwise_not", "bitwise_or",
        "bitwise_right_shift", "bitwise_xor", "ceil", "conj", "conjugate", "copysign",
        "cos", "cosh", "deg2rad", "divide", "equal", "exp", "exp2", "expm1", "fix", "floor",
        "floor_divide", "fmax", "fmin", "fmod", "greater", "greater_equal", "hypot", "imag",
        "invert", "isfinite", "isinf", "isnan", "left_shift", "less", "less_equal", "log",
        "log10", "log1p", "log2", "logaddexp", "logical_and", "logical_not", "logical_or",
        "logical_xor", "maximum", "minimum", "mod", "multiply", "negative", "nextafter",
        "not_equal", "positive", "pow", "power", "rad2deg", "real", "reciprocal",
        "remainder", "right_shift", "rint", "sign", "signbit", "sin", "sinh", "sqrt",
        "square", "subtract", "tan", "tanh", "true_divide", "trunc"
    ]  # fmt: skip

_ROUND = _Elementwise("round", torch.round, np.round, 1)


@register("around")
def round(x: Any, /, decimals: int = 0, out: Array | None = None) -> Array:
    """Round half to even to ``decimals`` places (NumPy's ``round``); no communication."""
    if type(x) is not Array:
        x = _wrap_scalars((x,))[0]
    plan = _ROUND.plan(x._t.dtype)
    t = x._t
    if not (t.is_floating_point() or t.is_complex()):
        res = t.clone() if decimals >= 0 else _round_integer(t, decimals)
    elif t.is_complex():
        res = torch.complex(
            torch.round(t.real, decimals=decimals), torch.round(t.imag, decimals=decimals)
        )
    else:
        res = torch.round(t, decimals=decimals)
    return _finish(res, plan, x._layout, out)


def _round_integer(t: torch.Tensor, decimals: int) -> torch.Tensor:
    scale = 10 ** (-decimals)
    return (torch.round(t.double() / scale) * scale).to(t.dtype)


_NAN_TO_NUM = _Elementwise("nan_to_num", torch.nan_to_num, np.nan_to_num, 1)


@register()
def nan_to_num(
    x: Any,
    /,
    copy: bool = True,
    nan: float = 0.0,
    posinf: float | None = None,
    neginf: float | None = None,
) -> Array:
    """Replace NaN by ``nan`` and infinities by ``posinf``/``neginf`` (default: the dtype's
    largest finite values); no communication."""
    if type(x) is not Array:
        x = _wrap_scalars((x,))[0]
    plan = _NAN_TO_NUM.plan(x._t.dtype)
    t = x._t
    if t.is_complex():
        res = torch.complex(
            torch.nan_to_num(t.real, nan, posinf, neginf),
            torch.nan_to_num(t.imag, nan, posinf, neginf),
        )
    elif t.is_floating_point():
        res = torch.nan_to_num(t, nan, posinf, neginf)
    else:
        res = t.clone()
    out = _finish(res, plan, x._layout, None)
    if not copy:
        x._t = out._t
        return x
    return out


@overload
def where(condition: Any, /) -> tuple[Array, ...]: ...
@overload
def where(condition: Any, x1: Any, x2: Any, /) -> Array: ...
@register()
def where(condition: Any, x1: Any = None, x2: Any = None, /) -> Array | tuple[Array, ...]:
    """Elements of ``x1`` where ``condition`` holds, else of ``x2`` (broadcast, aligned).

    With ``condition`` alone it is :func:`hpa.nonzero` (the coordinates of true elements).
    """
    if x1 is None and x2 is None:
        from hpa.ops.selection import nonzero

        return nonzero(condition)
    if x1 is None or x2 is None:
        raise ValueError("either both or neither of x and y should be given")
    operands = _wrap_scalars((condition, x1, x2))
    values = operands[1:]
    dtype = (
        _result_dtype(*values) if not all(map(_is_weak, values)) else dtypes.result_type(*values)
    )
    blocks, layout = align(operands)
    device = next(b.device for b in blocks if isinstance(b, torch.Tensor))
    cond = blocks[0]
    if not isinstance(cond, torch.Tensor):
        cond = scalar_tensor(bool(cond), torch.bool, device)
    vals = [
        _to(b, dtype.torch)
        if isinstance(b, torch.Tensor)
        else scalar_tensor(b, dtype.torch, device)
        for b in blocks[1:]
    ]
    return Array(torch.where(cond.to(torch.bool), vals[0], vals[1]), layout)


@register()
def clip(x: Any, /, min: Any = None, max: Any = None, out: Array | None = None) -> Array:
    """Limit values to ``[min, max]`` (either may be ``None``, a scalar or an array).

    With both bounds ``None`` the result is a copy of ``x`` (NumPy 2, Array API 2023.12).
    """
    operands = _wrap_scalars((x, *(v for v in (min, max) if v is not None)))
    dtype = _result_dtype(*operands)
    blocks, layout = align(operands)
    t = _to(blocks[0], dtype.torch)
    bounds = iter(blocks[1:])
    lo = next(bounds) if min is not None else None
    hi = next(bounds) if max is not None else None
    if lo is None and hi is None:
        t = t.clone()
    if lo is not None:
        t = torch.maximum(t, _bound(lo, t))
    if hi is not None:
        t = torch.minimum(t, _bound(hi, t))
    return _finish(t, (dtype.torch, dtype.torch), layout, out)


def _bound(v: Any, like: torch.Tensor) -> torch.Tensor:
    if isinstance(v, torch.Tensor):
        return v.to(like.dtype)
    return scalar_tensor(v, like.dtype, like.device)


@register()
def isclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Array:
    """Elementwise ``|a - b| <= atol + rtol * |b|`` (NumPy's ``isclose``)."""
    operands = _wrap_scalars((a, b))
    dtype = _result_dtype(*operands)
    if dtype.kind in "biu":
        dtype = dtypes.float64
    blocks, layout = align(operands)
    device = next(b.device for b in blocks if isinstance(b, torch.Tensor))
    ta, tb = (_bound(v, torch.empty(0, dtype=dtype.torch, device=device)) for v in blocks)
    ta, tb = torch.broadcast_tensors(ta, tb)
    return Array(torch.isclose(ta, tb, rtol=rtol, atol=atol, equal_nan=equal_nan), layout)


@register()
def allclose(
    a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Whether every element of ``a`` and ``b`` is close (one ``allreduce`` when distributed)."""
    from hpa.ops.reductions import all as all_of

    return bool(all_of(isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)))


around = round
__all__ += ["allclose", "around", "clip", "isclose", "nan_to_num", "round", "where"]
