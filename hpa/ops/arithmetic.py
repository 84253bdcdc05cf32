"""Arithmetic functions beyond the ufunc table: NumPy's two-output ``divmod``, ``modf`` and
``frexp``, ``gcd``, ``lcm``, ``fabs``, ``logaddexp2``, ``cbrt``, ``heaviside``, ``float_power``,
``ldexp``, ``spacing``, ``sinc``, ``i0``, ``angle``, ``unwrap``, ``real_if_close``, the names
``degrees``/``radians`` and HeAT's ``sgn``.

The binary functions except ``ldexp`` are built with
:func:`hpa.ops.elementwise.binary_function` (the unary ones with ``unary_function``), so they
broadcast, align operands of different layouts, take weak Python scalars and ``out=`` exactly
like :func:`hpa.add`; result dtypes are NumPy's (bfloat16 follows float16). ``divmod`` is
``floor_divide`` and ``remainder`` on operands aligned once; ``ldexp`` (a float and an integer
operand) aligns its operands the same way.

=========================================  ==============================================
function                                   collectives
=========================================  ==============================================
fabs, modf, frexp, cbrt, spacing, sinc,    none
i0, angle, degrees, radians, sgn
divmod, gcd, lcm, logaddexp2, heaviside,   none for operands of one layout (or replicated);
float_power, ldexp                         otherwise one ``alltoallv`` to align them
unwrap                                     along the split axis: one ``alltoallv`` (each rank
                                           gets the element before its block) and one
                                           ``exscan`` (the cumulative correction); along
                                           other axes none
real_if_close                              split complex input: one ``allreduce`` of a flag;
                                           otherwise none
=========================================  ==============================================
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np
import torch

from hpa.core import dtypes
from hpa.core.align import align, scalar_tensor
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.dtypes import DType
from hpa.core.exchange import any_rank, halo
from hpa.core.layout import normalize_axis
from hpa.ops.creation import asarray, coerce
from hpa.ops.elementwise import (
    aligned,
    binary_function,
    deg2rad,
    floor_divide,
    rad2deg,
    remainder,
    sign,
    unary_function,
    write_out,
)
from hpa.ops.reductions import cumsum

__all__ = [
    "angle",
    "cbrt",
    "degrees",
    "divmod",
    "fabs",
    "float_power",
    "frexp",
    "gcd",
    "heaviside",
    "i0",
    "lcm",
    "ldexp",
    "logaddexp2",
    "modf",
    "radians",
    "real_if_close",
    "sgn",
    "sinc",
    "spacing",
    "unwrap",
]

Outputs = tuple[Array | None, Array | None]


def _binary_doc(what: str, dtypes: str) -> str:
    return f"""{what}

    Parameters
    ----------
    x1, x2 : array_like
        Operands (hpa arrays of any layout, NumPy/torch data or Python scalars); they
        broadcast against each other.
    out : Array, optional
        Receives the result, cast to its dtype (``same_kind``).

    Returns
    -------
    Array
        {dtypes}

    Notes
    -----
    Operands with equal layouts (or replicated ones) communicate nothing; an operand split
    along another axis or with other extents costs one ``alltoallv`` (see
    :mod:`hpa.core.align`).
    """


def _unary_doc(what: str, dtypes: str) -> str:
    return f"""{what}

    Parameters
    ----------
    x : array_like
        The input.
    out : Array, optional
        Receives the result, cast to its dtype (``same_kind``).

    Returns
    -------
    Array
        {dtypes} Laid out like ``x``; no communication.
    """


gcd = register()(
    binary_function(
        "gcd",
        torch.gcd,
        np.gcd,
        _binary_doc(
            "Greatest common divisor of ``|x1|`` and ``|x2|``, elementwise (NumPy's ``gcd``).",
            "The integer result dtype; bool, float and complex inputs raise TypeError.",
        ),
    )
)
lcm = register()(
    binary_function(
        "lcm",
        torch.lcm,
        np.lcm,
        _binary_doc(
            "Least common multiple of ``|x1|`` and ``|x2|``, elementwise (NumPy's ``lcm``).",
            "The integer result dtype (wrapping around on overflow, as in NumPy); bool, float "
            "and complex inputs raise TypeError.",
        ),
    )
)
_LOG2E = 1.4426950408889634


def _logaddexp2(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """NumPy's formula: ``x + 1`` for equal operands (exact, and infinities of one sign),
    else the larger plus ``log2(1 + 2**-|x1 - x2|)``; NaN propagates."""
    a, b = torch.broadcast_tensors(a, b)
    larger = torch.maximum(a, b)
    res = larger + torch.log1p(torch.exp2(-(a - b).abs())) * _LOG2E
    return torch.where(a == b, a + 1, res)


logaddexp2 = register()(
    binary_function(
        "logaddexp2",
        _logaddexp2,
        np.logaddexp2,
        _binary_doc(
            "``log2(2**x1 + 2**x2)`` without overflow, elementwise (NumPy's ``logaddexp2``).",
            "A float (float64 for 32- and 64-bit integers, float16 for smaller ones and bool); "
            "complex inputs raise TypeError.",
        ),
    )
)
fabs = register()(
    unary_function(
        "fabs",
        torch.abs,
        np.fabs,
        _unary_doc(
            "Absolute value as a float, elementwise (NumPy's ``fabs``).",
            "A float (integers and bool become floats, as in NumPy); complex inputs raise "
            "TypeError (use :func:`hpa.abs`).",
        ),
    )
)


def _angle(t: torch.Tensor) -> torch.Tensor:
    """``arctan2(imag, real)``; for real input ``arctan2(0, x)``, so -0.0 gives pi as in NumPy."""
    if t.is_complex():
        return torch.angle(t)
    return torch.atan2(torch.zeros_like(t), t)


_ANGLE_RADIANS = unary_function("angle", _angle, np.angle)
_ANGLE_DEGREES = unary_function("angle", lambda t: torch.rad2deg(_angle(t)), np.angle)


@register()
def angle(z: Any, deg: bool = False) -> Array:
    """The counterclockwise angle from the positive real axis (NumPy's ``angle``).

    Parameters
    ----------
    z : array_like
        Complex (or real) values.
    deg : bool
        Return degrees instead of radians.

    Returns
    -------
    Array
        ``arctan2(z.imag, z.real)``: the real dtype of a complex input, NumPy's float dtype
        otherwise (float64 for bool); laid out like ``z``. No communication.
    """
    return (_ANGLE_DEGREES if deg else _ANGLE_RADIANS)(z)


def _fraction(t: torch.Tensor) -> torch.Tensor:
    """NumPy's fractional part: the sign of ``t`` (also for zeros), 0 for infinities."""
    part = torch.where(torch.isinf(t), torch.zeros_like(t), t - torch.trunc(t))
    return torch.copysign(part, t)


_FRACTION = unary_function("modf", _fraction, lambda v: np.modf(v)[0])
_INTEGRAL = unary_function("modf", torch.trunc, lambda v: np.modf(v)[1])


def _outputs(out: Outputs | None, name: str) -> Outputs:
    if out is None:
        return None, None
    if not isinstance(out, tuple):
        raise TypeError(f"{name}: 'out' must be a tuple of arrays (or None), one per output")
    if len(out) != 2:
        raise ValueError(f"{name}: the 'out' tuple must have exactly one entry per output (2)")
    return out


@register()
def modf(x: Any, /, out: Outputs | None = None) -> tuple[Array, Array]:
    """Fractional and integral parts, elementwise (NumPy's ``modf``).

    Parameters
    ----------
    x : array_like
        The input; complex values raise TypeError.
    out : (Array or None, Array or None), optional
        Receive the fractional and the integral part.

    Returns
    -------
    (Array, Array)
        Both parts carry the sign of ``x`` (``modf(-0.5)`` is ``(-0.5, -0.0)``; infinities
        give ``(±0.0, ±inf)``), in NumPy's float dtype, laid out like ``x``. No communication.
    """
    frac_out, int_out = _outputs(out, "modf")
    return _FRACTION(x, out=frac_out), _INTEGRAL(x, out=int_out)


@register()
def divmod(x1: Any, x2: Any, /, out: Outputs | None = None) -> tuple[Array, Array]:
    """Floor quotient and remainder together (NumPy's ``divmod``).

    Parameters
    ----------
    x1, x2 : array_like
        Dividend and divisor (broadcast against each other); complex values raise TypeError.
    out : (Array or None, Array or None), optional
        Receive the quotient and the remainder.

    Returns
    -------
    (Array, Array)
        ``floor_divide(x1, x2)`` and ``remainder(x1, x2)`` in NumPy's dtypes (int8 for bool);
        an integer divisor of 0 gives 0 for both, as in NumPy.

    Notes
    -----
    Operands with equal layouts (or replicated ones) communicate nothing; an operand split
    along another axis or with other extents costs one ``alltoallv``, once for both results.
    """
    q_out, r_out = _outputs(out, "divmod")
    a, b = aligned(x1, x2)
    return floor_divide(a, b, out=q_out), remainder(a, b, out=r_out)


# ----------------------------------------------------------------------------- powers, roots
def _cbrt(t: torch.Tensor) -> torch.Tensor:
    """The real cube root: ``|t| ** (1/3)`` in float64 with one Newton step (exact for perfect
    cubes, else within one unit in the last place), the sign of ``t`` (``cbrt(-0.0)`` is
    ``-0.0``), rounded once to ``t``'s dtype."""
    mag = t.to(torch.float64).abs()
    root = mag.pow(1.0 / 3.0)
    step = root + (mag / (root * root) - root) / 3.0
    root = torch.where((root > 0) & torch.isfinite(root), step, root)
    return torch.copysign(root, t.to(torch.float64)).to(t.dtype)


cbrt = register()(
    unary_function(
        "cbrt",
        _cbrt,
        np.cbrt,
        _unary_doc(
            "The real cube root, elementwise (NumPy's ``cbrt``); negative values give "
            "negative roots.",
            "A float (float16 for bool, int8 and uint8; float64 for 32- and 64-bit integers), "
            "exact for perfect cubes and otherwise within one unit in the last place; complex "
            "inputs raise TypeError.",
        ),
    )
)


def _float_power(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a ** b`` in float64/complex128; complex powers follow NumPy's special cases:
    ``z ** 0`` is 1 (NaN included), ``0 ** w`` is 0 for ``w.real > 0`` and NaN otherwise."""
    res = torch.pow(a, b)
    if not res.is_complex():
        return res
    nan = scalar_tensor(complex(math.nan, math.nan), res.dtype, res.device)
    zero, one = (scalar_tensor(v, res.dtype, res.device) for v in (0, 1))
    res = torch.where(a == 0, torch.where(b.real > 0, zero, nan), res)
    return torch.where(b == 0, one, res)


float_power = register()(
    binary_function(
        "float_power",
        _float_power,
        np.float_power,
        _binary_doc(
            "``x1 ** x2`` computed in double precision, elementwise (NumPy's "
            "``float_power``); negative integer powers of integers are allowed.",
            "float64 for bool, integer and real float operands, complex128 for complex ones "
            "(whatever their precision), as in NumPy.",
        ),
    )
)


def _heaviside(x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    """0 where ``x1 < 0``, ``x2`` where ``x1 == 0``, 1 where ``x1 > 0``, NaN where ``x1`` is NaN
    (torch.heaviside gives 0 there)."""
    step = torch.where(x1 == 0, x2, (x1 > 0).to(x1.dtype))
    return torch.where(torch.isnan(x1), x1, step)


heaviside = register()(
    binary_function(
        "heaviside",
        _heaviside,
        np.heaviside,
        _binary_doc(
            "The Heaviside step function of ``x1``, with the value ``x2`` where ``x1`` is 0 "
            "(NumPy's ``heaviside``); NaN in ``x1`` gives NaN.",
            "A float (float16 for bool, int8 and uint8; float64 for 32- and 64-bit integers); "
            "complex inputs raise TypeError.",
        ),
    )
)


# ----------------------------------------------------------------------------- float bits
def _mantissa(t: torch.Tensor) -> torch.Tensor:
    return torch.frexp(t).mantissa


def _exponent(t: torch.Tensor) -> torch.Tensor:
    """The binary exponent; integers are taken as float64, as NumPy's loop reads them."""
    return torch.frexp(t if t.is_floating_point() else t.to(torch.float64)).exponent


_MANTISSA = unary_function("frexp", _mantissa, lambda v: np.frexp(v)[0])
_EXPONENT = unary_function("frexp", _exponent, lambda v: np.frexp(v)[1])


@register()
def frexp(x: Any, /, out: Outputs | None = None) -> tuple[Array, Array]:
    """Mantissa and binary exponent, elementwise: ``x == mantissa * 2**exponent`` (NumPy's
    ``frexp``).

    Parameters
    ----------
    x : array_like
        The input; complex values raise TypeError.
    out : (Array or None, Array or None), optional
        Receive the mantissa and the exponent.

    Returns
    -------
    (Array, Array)
        The mantissa, ``0.5 <= |mantissa| < 1`` with the sign of ``x`` (0, infinities and
        NaN are returned as they are, with exponent 0), in NumPy's float dtype (float16 for
        bool, int8 and uint8; float64 for 32- and 64-bit integers); the exponent as int32.
        Both laid out like ``x``. No communication.
    """
    mantissa_out, exponent_out = _outputs(out, "frexp")
    return _MANTISSA(x, out=mantissa_out), _EXPONENT(x, out=exponent_out)


def _ldexp_dtype(d: DType) -> DType | None:
    """NumPy's result dtype of ``ldexp`` for a mantissa of dtype ``d`` (None: unsupported)."""
    stand_in = dtypes.float16 if d is dtypes.bfloat16 else d
    try:
        res = dtypes.to_dtype(np.ldexp(np.ones(1, stand_in.numpy), np.ones(1, np.int32)).dtype)
    except TypeError:
        return None
    return dtypes.bfloat16 if d is dtypes.bfloat16 else res


_LDEXP = {d: _ldexp_dtype(d) for d in dtypes.ALL}
_INT32 = np.iinfo(np.int32)


def _strong_dtype(x: Any) -> DType | None:
    """The dtype of an operand that is not a Python scalar; None for a weak Python scalar."""
    if isinstance(x, Array):
        return x.dtype
    if dtypes.is_weak_scalar(x):
        return None
    return dtypes.to_dtype(x.dtype if isinstance(x, torch.Tensor) else np.asarray(x).dtype)


def _pow2(k: torch.Tensor) -> torch.Tensor:
    """``2.0 ** k`` in float64 built from its bits, exactly, for int64 ``k <= 1023`` (0 below
    -1074, subnormal powers in between)."""
    normal = (k + 1023).clamp(min=1) << 52
    subnormal = torch.ones_like(k) << (k + 1074).clamp(0, 51)
    bits = torch.where(k > -1023, normal, torch.where(k >= -1074, subnormal, 0))
    return bits.view(torch.float64)


def _ldexp(m: torch.Tensor, e: torch.Tensor) -> torch.Tensor:
    """``m * 2**e`` in float64, rounded once: the mantissa of ``m`` is scaled to a normal
    number first, then by the rest of the exponent (which may underflow or overflow only in
    that last product). Infinities and NaN pass unchanged."""
    fraction, exponent = torch.frexp(m)
    # beyond these bounds every nonzero result is 0 or infinite, and 0 stays 0
    total = (exponent.to(torch.int64) + e.clamp(-4200, 4200)).clamp(-2200, 2046)
    first = total.clamp(-1021, 1023)
    scaled = fraction * _pow2(first) * _pow2(total - first)
    return torch.where(torch.isfinite(m), scaled, m)


def _exponent_operand(x2: Any, d2: DType | None) -> None:
    """NumPy's errors for the exponent of ``ldexp``: an integer (or bool) array, or a Python
    int within int32 (its C loop's type)."""
    if d2 is None:
        if not isinstance(x2, int):
            raise TypeError(f"ldexp: the exponent must be an integer, got {type(x2).__name__}")
        if not _INT32.min <= x2 <= _INT32.max:
            raise OverflowError(f"Python integer {x2} out of bounds for int32")
    elif d2.kind not in "biu" or d2 is dtypes.uint64:
        raise TypeError(f"ldexp is not supported for an exponent of dtype {d2.name}")


@register()
def ldexp(x1: Any, x2: Any, /, out: Array | None = None) -> Array:
    """``x1 * 2**x2``, elementwise (NumPy's ``ldexp``).

    Parameters
    ----------
    x1 : array_like
        Mantissas (hpa arrays of any layout, NumPy/torch data or Python scalars); complex
        values raise TypeError.
    x2 : array_like
        Integer (or bool) exponents; a float exponent raises TypeError, a uint64 one too (as
        in NumPy), a Python int beyond int32 raises OverflowError. It broadcasts against
        ``x1``.
    out : Array, optional
        Receives the result, cast to its dtype (``same_kind``).

    Returns
    -------
    Array
        The float dtype NumPy gives ``x1`` (float16 for bool, int8 and uint8; float64 for
        32- and 64-bit integers; a Python scalar ``x1`` takes its kind with ``x2``'s dtype);
        exact, or rounded once where the result is subnormal, zero or infinite.

    Notes
    -----
    Operands with equal layouts (or replicated ones) communicate nothing; an operand split
    along another axis or with other extents costs one ``alltoallv`` (see
    :mod:`hpa.core.align`).
    """
    if not isinstance(x1, Array) and not isinstance(x2, Array):
        if dtypes.is_weak_scalar(x1) and not dtypes.is_weak_scalar(x2):
            x2 = asarray(x2)
        else:
            x1 = asarray(x1)
    d2 = _strong_dtype(x2)
    _exponent_operand(x2, d2)
    d1 = _strong_dtype(x1)
    if d1 is None:
        assert d2 is not None  # both scalars: x1 was made an array above
        d1 = dtypes.promote_scalar(d2, x1)
    res = _LDEXP[d1]
    if res is None:
        raise TypeError(f"ldexp is not supported for a mantissa of dtype {d1.name}")
    (m, e), layout = align([x1, x2])
    device = next(b.device for b in (m, e) if isinstance(b, torch.Tensor))
    m = (
        m.to(torch.float64)
        if isinstance(m, torch.Tensor)
        else scalar_tensor(m, torch.float64, device)
    )
    e = (
        e.to(torch.int64)
        if isinstance(e, torch.Tensor)
        else scalar_tensor(int(e), torch.int64, device)
    )
    result = _ldexp(m, e).to(res.torch)
    return Array(result, layout) if out is None else write_out(result, layout, out)


# the integer type whose bits each float dtype is viewed as
_BITS = {
    torch.float16: torch.int16, torch.bfloat16: torch.int16, torch.float32: torch.int32,
    torch.float64: torch.int64,
}  # fmt: skip


def _spacing(t: torch.Tensor) -> torch.Tensor:
    """The distance to the adjacent float of larger magnitude, with the sign of ``t``; the
    smallest subnormal for both zeros, NaN for infinities and NaN, infinity past the largest
    float. float16 follows NumPy's half loop: always positive, and for negative ``t`` the
    distance towards zero (smaller at a power of two)."""
    mag = t.abs()
    bits = mag.view(_BITS[t.dtype])
    away = (bits + 1).view(t.dtype) - mag
    if t.dtype is torch.float16:
        res = torch.where(torch.signbit(t), mag - (bits - 1).view(t.dtype), away)
    else:
        res = torch.copysign(away, t)
    tiny = torch.ones((), dtype=bits.dtype, device=t.device).view(t.dtype)
    nan = scalar_tensor(math.nan, t.dtype, t.device)
    return torch.where(torch.isfinite(t), torch.where(t == 0, tiny, res), nan)


spacing = register()(
    unary_function(
        "spacing",
        _spacing,
        np.spacing,
        _unary_doc(
            "The distance between ``x`` and the nearest adjacent float, elementwise (NumPy's "
            "``spacing``): ``spacing(1.0)`` is the machine epsilon, negative for negative "
            "``x`` (float16: positive, as NumPy's half loop gives it).",
            "A float (float16 for bool, int8 and uint8; float64 for 32- and 64-bit integers; "
            "bfloat16 spaced as bfloat16); complex inputs raise TypeError.",
        ),
    )
)


# ----------------------------------------------------------------------------- special functions
def _sinc(t: torch.Tensor) -> torch.Tensor:
    """NumPy's formula: ``y = pi * x``, then ``sin(y) / y`` with a tiny ``y`` standing in for
    0 (the dtype's epsilon; 1e-20 for complex values), so that ``sinc(0)`` is 1."""
    y = t * math.pi
    eps = 1e-20 if t.is_complex() else torch.finfo(t.dtype).eps
    y = torch.where(y == 0, scalar_tensor(eps, t.dtype, t.device), y)
    return torch.sin(y) / y


_SINC = unary_function("sinc", _sinc, np.sinc)


@register()
def sinc(x: Any) -> Array:
    """The normalized sinc function ``sin(pi x) / (pi x)``, 1 at 0 (NumPy's ``sinc``).

    Parameters
    ----------
    x : array_like
        Real or complex values.

    Returns
    -------
    Array
        float64 for bool and integer input, else the dtype of ``x`` (complex included);
        infinities give NaN. Laid out like ``x``; no communication.
    """
    return _SINC(x)


def _i0(t: torch.Tensor) -> torch.Tensor:
    """torch's ``i0``; infinities give NaN as NumPy's formula (``exp(x) / sqrt(x)``) does."""
    res = torch.special.i0(t)
    return torch.where(torch.isinf(t), scalar_tensor(math.nan, t.dtype, t.device), res)


_I0 = unary_function("i0", _i0, np.i0)


@register()
def i0(x: Any) -> Array:
    """The modified Bessel function of the first kind, order 0 (NumPy's ``i0``).

    Parameters
    ----------
    x : array_like
        Real values; complex values raise TypeError.

    Returns
    -------
    Array
        float64 for bool and integer input, else the float dtype of ``x``; infinities give
        NaN, as in NumPy. Laid out like ``x``; no communication.

    Notes
    -----
    16-bit floats are evaluated in float32 and rounded once, so large arguments (above
    about 11) stay finite where NumPy's float16 evaluation overflows to infinity.
    """
    return _I0(x)


# ----------------------------------------------------------------------------- phase unwrapping
def _real_scalar(value: Any, name: str) -> float | int:
    """``value`` as a Python int or float; unwrap's ``period`` and ``discont`` are scalars."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"unwrap: {name} must be a real number, got {value!r}")
    return value


def _difference(rows: torch.Tensor) -> torch.Tensor:
    """``rows[1:] - rows[:-1]`` in the rows' dtype, wrapping as NumPy's ``diff`` does (``!=``
    for bool); the unsigned types torch only stores subtract in the wider signed type."""
    wider = dtypes.WIDER_SIGNED.get(dtypes.of_torch(rows.dtype))
    if wider is None:
        return torch.diff(rows, dim=0)
    return torch.diff(rows.to(wider.torch), dim=0).to(rows.dtype)


def _in_range(values: tuple[int, ...], dtype: DType) -> None:
    """NumPy's OverflowError for a Python int the integer ``dtype`` cannot hold."""
    info = np.iinfo(dtype.numpy)
    for v in values:
        if not info.min <= v <= info.max:
            raise OverflowError(f"Python integer {v} out of bounds for {dtype.name}")


def _phase_correction(
    dd: torch.Tensor, dtype: DType, period: float, discont: float
) -> torch.Tensor:
    """NumPy's correction of each difference ``dd``: the multiple of ``period`` that brings it
    into ``[-period/2, period/2]`` (``+period/2`` for a positive difference on the boundary),
    0 where ``|dd| < discont``; in ``dtype`` (integer periods of integers stay integers)."""
    work = dtypes.WIDER_SIGNED.get(dtype, dtype).torch
    d = dd.to(work)
    high: float
    if dtype.kind in "iu":
        half, rem = builtins.divmod(int(period), 2)
        _in_range((-half, int(period), half), dtype)
        high, ambiguous = half, rem == 0
    else:
        high, ambiguous = period / 2, True
    low_t, high_t, period_t = (scalar_tensor(v, work, d.device) for v in (-high, high, period))
    if dtype.kind in "iu" and period == 0:
        mod = torch.zeros_like(d)  # NumPy's integer remainder by 0
    else:
        mod = torch.remainder(d - low_t, period_t)
    ddmod = mod + low_t
    if ambiguous:
        ddmod = torch.where((ddmod == low_t) & (d > 0), high_t, ddmod)
    compare = dtypes.promote_scalar(dtype, discont).torch
    small = d.abs().to(compare) < scalar_tensor(discont, compare, d.device)
    return torch.where(small, 0, ddmod - d)


@register()
def unwrap(p: Any, discont: Any = None, axis: int = -1, *, period: Any = 2 * math.pi) -> Array:
    """Unwrap phases by replacing jumps larger than ``discont`` by their ``period``
    complement along ``axis`` (NumPy's ``unwrap``).

    Parameters
    ----------
    p : array_like
        Input, at least one-dimensional; complex values raise TypeError.
    discont : float, optional
        Maximum jump between values left as it is (default ``period / 2``; smaller values
        act as ``period / 2``).
    axis : int
        The axis to unwrap along.
    period : float
        The size of the range over which the input wraps (default ``2 pi``).

    Returns
    -------
    Array
        NumPy's dtype, ``result_type(p, period)``: float64 for integer or bool ``p`` with a
        float period, ``p``'s integer dtype with an integer period, the float dtype of ``p``
        otherwise. Laid out like ``p``.

    Notes
    -----
    Along the split axis each rank needs the element just before its block: one
    ``alltoallv`` (:func:`hpa.core.exchange.halo`), then the corrections are summed across
    the ranks by :func:`hpa.cumsum` (one ``exscan``). Along another axis nothing is
    communicated. 16-bit float corrections accumulate in float32 (NumPy: in float16).
    ``period`` and ``discont`` are scalars (NumPy also broadcasts arrays).
    """
    x = coerce(p)
    if x.ndim == 0:
        raise ValueError("diff requires input that is at least one dimensional")
    ax = normalize_axis(axis, x.ndim)
    if x.dtype.kind == "c":
        raise TypeError("unwrap is not supported for complex input")
    value = _real_scalar(period, "period")
    dtype = dtypes.result_type(x.dtype, period)  # a NumPy scalar period is strong
    period = value
    discont = period / 2 if discont is None else _real_scalar(discont, "discont")
    t = x.larray.movedim(ax, 0)
    distributed = x.split == ax and x.comm.size > 1
    head = halo(t, x.layout, 1, 0)[0] if distributed else t[:0]
    corr = _phase_correction(_difference(torch.cat([head, t])), dtype, period, discont)
    first = head.shape[0] == 0 and t.shape[0] > 0  # this block starts the axis
    if first:
        corr = torch.cat([corr.new_zeros((1, *corr.shape[1:])), corr])
    total = cumsum(Array(corr.movedim(0, ax).contiguous(), x.layout), axis=ax)
    work = dtypes.WIDER_SIGNED.get(dtype, dtype).torch
    res = t.to(work) + total.larray.movedim(ax, 0).to(work)
    if first:
        res[:1] = t[:1]  # the first element as it is (a signed zero included)
    return Array(res.to(dtype.torch).movedim(0, ax).contiguous(), x.layout)


@register()
def real_if_close(a: Any, tol: float = 100) -> Array:
    """The real part of ``a`` if every imaginary part is close to zero (NumPy's
    ``real_if_close``).

    Parameters
    ----------
    a : array_like
        Input.
    tol : float
        The bound on ``|imag|``: in machine epsilons of ``a``'s precision when above 1, as an
        absolute value otherwise.

    Returns
    -------
    Array
        ``a`` itself when it is not complex, or when some ``|imag| >= tol``; otherwise its
        real part (a copy) in the real dtype, laid out like ``a``. Every rank returns the same
        dtype.

    Notes
    -----
    A split complex array costs one ``allreduce`` of a flag; a replicated one, or a real
    array, nothing.
    """
    x = coerce(a)
    if x.dtype.kind != "c":
        return x
    t = x.larray
    bound = torch.finfo(t.real.dtype).eps * tol if tol > 1 else tol
    small = (t.imag.abs() < bound).all()
    split = x.split is not None and x.comm.size > 1
    close = not any_rank(~small, x.comm) if split else bool(small)
    return Array(t.real.clone(), x.layout) if close else x


# the names NumPy also spells these functions with
degrees = register("degrees")(rad2deg)
radians = register("radians")(deg2rad)
# HeAT's ``sgn``: NumPy 2's ``sign``, which is z/|z| for complex z
sgn = register("sgn")(sign)
