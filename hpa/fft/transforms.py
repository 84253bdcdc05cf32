"""The discrete Fourier transforms of ``numpy.fft``: complex (``fft``, ``ifft``, ``fft2``,
``ifft2``, ``fftn``, ``ifftn``), real (``rfft``, ``irfft``, ``rfft2``, ``irfft2``, ``rfftn``,
``irfftn``) and Hermitian (``hfft``, ``ihfft``), for distributed arrays.

Each follows NumPy's definition, its ``n``/``s`` (cut or zero-pad the input along an axis),
``axis``/``axes`` and ``norm`` (``"backward"``, ``"ortho"``, ``"forward"``), and its dtypes: float32
(and float16) input gives complex64, float64, integer and boolean input complex128; the real
results of ``irfft*``/``hfft`` are float32 or float64 (float16 for float16 input).

Communication (:mod:`hpa.fft.plan`): none when no transformed axis is split; otherwise one
``alltoallv`` per move of the split axis, two for a transform along the split axis (there and
back), one with ``out_split=`` naming a transformed axis, so an ``fftn``/``ifftn`` pair costs two.
A 1-D array split along its axis costs three (the six-step algorithm of
:mod:`hpa.fft.split_axis`), plus one to rebalance ragged blocks and, for ``rfft``/``irfft``, one
for the half spectrum. ``out_split=None`` (the default) keeps the input's split.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from hpa.core.array import Array
from hpa.core.layout import normalize_axis
from hpa.fft.local import complex_dtype
from hpa.fft.plan import C2C, C2R, R2C, Step, execute
from hpa.ops.creation import coerce

__all__ = [
    "fft", "fft2", "fftn", "hfft", "ifft", "ifft2", "ifftn", "ihfft", "irfft", "irfft2",
    "irfftn", "rfft", "rfft2", "rfftn",
]  # fmt: skip

_NORMS = ("backward", "ortho", "forward")
_SWAPPED = {"backward": "forward", "ortho": "ortho", "forward": "backward"}
Axes = Sequence[int] | None
Sizes = Sequence[int | None] | None


# ---------------------------------------------------------------------------- arguments
def _norm(norm: str | None) -> str:
    if norm is None:
        return "backward"
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or "forward".')
    return norm


def _points(n: Any) -> int:
    if isinstance(n, bool) or not hasattr(type(n), "__index__"):
        raise TypeError(f"the number of FFT data points must be an integer, got {n!r}")
    if int(n) < 1:
        raise ValueError(f"Invalid number of FFT data points ({int(n)}) specified.")
    return int(n)


def _axes_sizes(x: Array, s: Sizes, axes: Axes, c2r: bool) -> tuple[list[int], list[int]]:
    """NumPy's ``s``/``axes`` rules: the axes (normalised) and the transform lengths."""
    if axes is None:
        axes = range(x.ndim) if s is None else range(x.ndim - len(s), x.ndim)
    elif isinstance(axes, int):
        raise TypeError("axes must be a sequence of integers, not an integer")
    picked = [normalize_axis(a, x.ndim) for a in axes]
    if s is None:
        sizes: list[int | None] = [None] * len(picked)
    else:
        if isinstance(s, int):
            raise TypeError("s must be a sequence of integers, not an integer")
        sizes = list(s)
        if len(sizes) != len(picked):
            raise ValueError("Shape and axes have different lengths.")
    out = [x.shape[a] if n is None or n == -1 else n for a, n in zip(picked, sizes)]
    if c2r and picked and (sizes[-1] is None or sizes[-1] == -1):
        out[-1] = 2 * (x.shape[picked[-1]] - 1)
    return picked, [_points(n) for n in out]


def _out_split(x: Array, out_split: int | None) -> int | None:
    if out_split is None:
        return x.split
    return normalize_axis(out_split, x.ndim, "out_split")


# ---------------------------------------------------------------------------- dtypes
def _block(x: Array, real: bool, name: str) -> torch.Tensor:
    """The local block in a dtype torch.fft computes in, under NumPy's promotion."""
    t = x.larray
    if t.dtype.is_complex:
        if real:
            raise TypeError(f"{name} requires real input, got {x.dtype}")
        return t
    if t.dtype in (torch.float16, torch.bfloat16):
        return t.to(torch.float32)
    return t if t.dtype.is_floating_point else t.to(torch.float64)


def _transform(
    x: Any, steps_of: Any, kind: str, inverse: bool, norm: str | None, out_split: int | None,
    name: str,
) -> Array:  # fmt: skip
    """Run the transform whose steps ``steps_of(x)`` lists, one axis at a time when axes repeat."""
    x = coerce(x)
    norm, target = _norm(norm), _out_split(x, out_split)
    steps: list[Step] = steps_of(x)
    t, lay = _block(x, kind == R2C, name), x.layout
    if not steps:  # no axis: the input as the complex result
        t = t.to(complex_dtype(t.dtype), copy=True)
    axes = [s.axis for s in steps]
    groups = [steps] if len(set(axes)) == len(axes) else [[s] for s in steps]
    for i, group in enumerate(groups):
        last = i == len(groups) - 1
        t, lay = execute(t, lay, group, inverse, norm, target if last else lay.split)
    if kind == C2R and x.larray.dtype == torch.float16:
        t = t.to(torch.float16)
    return Array(t, lay)


def _complex_steps(s: Sizes, axes: Axes) -> Any:
    def steps(x: Array) -> list[Step]:
        picked, sizes = _axes_sizes(x, s, axes, False)
        return [Step(a, n, C2C) for a, n in zip(picked, sizes)][::-1]  # NumPy's order

    return steps


def _real_steps(s: Sizes, axes: Axes) -> Any:
    def steps(x: Array) -> list[Step]:
        picked, sizes = _axes_sizes(x, s, axes, False)
        if not picked:
            raise ValueError("rfftn needs at least one axis")
        rest = [Step(a, n, C2C) for a, n in zip(picked[:-1], sizes[:-1])]
        return [Step(picked[-1], sizes[-1], R2C), *rest[::-1]]

    return steps


def _inverse_real_steps(s: Sizes, axes: Axes) -> Any:
    def steps(x: Array) -> list[Step]:
        picked, sizes = _axes_sizes(x, s, axes, True)
        if not picked:
            raise ValueError("irfftn needs at least one axis")
        rest = [Step(a, n, C2C) for a, n in zip(picked[:-1], sizes[:-1])]
        return [*rest[::-1], Step(picked[-1], sizes[-1], C2R)]

    return steps


def _one(n: int | None, axis: int) -> tuple[Sizes, Axes]:
    return (None if n is None else [n]), [axis]


# ---------------------------------------------------------------------------- complex
def fft(
    x: Any, /, n: int | None = None, axis: int = -1, norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """The one-dimensional discrete Fourier transform along ``axis``, as :func:`numpy.fft.fft`.

    Parameters
    ----------
    x : Array
        Input; real input is promoted (float32 -> complex64, otherwise complex128).
    n : int, optional
        Transform length: the input is cut or zero-padded along ``axis`` (default: its length).
    axis : int
        The axis transformed (default: the last).
    norm : {"backward", "ortho", "forward"}
        Scaling: none, ``1/sqrt(n)`` or ``1/n`` on the forward transform.
    out_split : int, optional
        The split of the result (default: the input's). Naming another axis saves the
        all-to-all back when ``axis`` is split.

    Returns
    -------
    Array
        Complex, of ``x``'s shape with ``n`` along ``axis``. No communication unless ``axis``
        is the split axis: then two ``alltoallv`` (one with ``out_split``), or three for a
        1-D array (see :mod:`hpa.fft.transforms`).
    """
    return _transform(x, _complex_steps(*_one(n, axis)), C2C, False, norm, out_split, "fft")


def ifft(
    x: Any, /, n: int | None = None, axis: int = -1, norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """The inverse of :func:`fft` (``1/n`` scaling by default), as :func:`numpy.fft.ifft`;
    parameters and communication as :func:`fft`."""
    return _transform(x, _complex_steps(*_one(n, axis)), C2C, True, norm, out_split, "ifft")


def fftn(
    x: Any, /, s: Sizes = None, axes: Axes = None, norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """The n-dimensional discrete Fourier transform, as :func:`numpy.fft.fftn`.

    Parameters
    ----------
    x : Array
        Input (promoted as in :func:`fft`).
    s : sequence of int, optional
        Transform lengths along ``axes`` (``-1`` keeps an axis's length).
    axes : sequence of int, optional
        Axes transformed (default: the last ``len(s)``, or all).
    norm : {"backward", "ortho", "forward"}
        As :func:`fft`, for the total length.
    out_split : int, optional
        The split of the result (default: the input's); naming a transformed axis other than
        the split saves the all-to-all back.

    Returns
    -------
    Array
        Complex. The local axes are transformed in one ``torch.fft`` call; when the split axis
        is transformed, one ``alltoallv`` moves the split to another axis and one moves it
        back (or to ``out_split``).
    """
    return _transform(x, _complex_steps(s, axes), C2C, False, norm, out_split, "fftn")


def ifftn(
    x: Any, /, s: Sizes = None, axes: Axes = None, norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """The inverse of :func:`fftn`, as :func:`numpy.fft.ifftn`; parameters and communication as
    :func:`fftn`."""
    return _transform(x, _complex_steps(s, axes), C2C, True, norm, out_split, "ifftn")


def fft2(
    x: Any, /, s: Sizes = None, axes: Axes = (-2, -1), norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """:func:`fftn` over the last two axes, as :func:`numpy.fft.fft2`."""
    return fftn(x, s, axes, norm, out_split=out_split)


def ifft2(
    x: Any, /, s: Sizes = None, axes: Axes = (-2, -1), norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """:func:`ifftn` over the last two axes, as :func:`numpy.fft.ifft2`."""
    return ifftn(x, s, axes, norm, out_split=out_split)


# ---------------------------------------------------------------------------- real
def rfft(
    x: Any, /, n: int | None = None, axis: int = -1, norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """The transform of real input along ``axis``, its ``n // 2 + 1`` non-negative frequency
    terms, as :func:`numpy.fft.rfft`; parameters and communication as :func:`fft`. Complex
    input raises TypeError."""
    return _transform(x, _real_steps(*_one(n, axis)), R2C, False, norm, out_split, "rfft")


def irfft(
    x: Any, /, n: int | None = None, axis: int = -1, norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """The inverse of :func:`rfft`, a real result of length ``n`` (default
    ``2 * (m - 1)`` for ``m`` input points), as :func:`numpy.fft.irfft`; parameters and
    communication as :func:`fft`."""
    steps = _inverse_real_steps(*_one(n, axis))
    return _transform(x, steps, C2R, True, norm, out_split, "irfft")


def rfftn(
    x: Any, /, s: Sizes = None, axes: Axes = None, norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """The n-dimensional transform of real input (real transform along the last of ``axes``,
    complex along the others), as :func:`numpy.fft.rfftn`; parameters and communication as
    :func:`fftn`."""
    return _transform(x, _real_steps(s, axes), R2C, False, norm, out_split, "rfftn")


def irfftn(
    x: Any, /, s: Sizes = None, axes: Axes = None, norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """The inverse of :func:`rfftn`, as :func:`numpy.fft.irfftn`; parameters and communication
    as :func:`fftn`."""
    return _transform(x, _inverse_real_steps(s, axes), C2R, True, norm, out_split, "irfftn")


def rfft2(
    x: Any, /, s: Sizes = None, axes: Axes = (-2, -1), norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """:func:`rfftn` over the last two axes, as :func:`numpy.fft.rfft2`."""
    return rfftn(x, s, axes, norm, out_split=out_split)


def irfft2(
    x: Any, /, s: Sizes = None, axes: Axes = (-2, -1), norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """:func:`irfftn` over the last two axes, as :func:`numpy.fft.irfft2`."""
    return irfftn(x, s, axes, norm, out_split=out_split)


# ---------------------------------------------------------------------------- Hermitian
def hfft(
    x: Any, /, n: int | None = None, axis: int = -1, norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """The transform of a Hermitian-symmetric signal given by its first half: a real result of
    length ``n`` (default ``2 * (m - 1)``), as :func:`numpy.fft.hfft`; it is :func:`irfft` of the
    conjugate with the scaling swapped, and communicates as it does."""
    x = coerce(x)
    steps = _inverse_real_steps(*_one(n, axis))
    return _transform(x.conj(), steps, C2R, True, _SWAPPED[_norm(norm)], out_split, "hfft")


def ihfft(
    x: Any, /, n: int | None = None, axis: int = -1, norm: str | None = "backward", *,
    out_split: int | None = None,
) -> Array:  # fmt: skip
    """The inverse of :func:`hfft` for real input: ``n // 2 + 1`` complex terms, as
    :func:`numpy.fft.ihfft`; it is the conjugate of :func:`rfft` with the scaling swapped."""
    steps = _real_steps(*_one(n, axis))
    out = _transform(x, steps, R2C, False, _SWAPPED[_norm(norm)], out_split, "ihfft")
    return Array(out.larray.conj_physical(), out.layout)
