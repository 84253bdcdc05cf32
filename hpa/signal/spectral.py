"""Convolution through the Fourier transform: ``fftconvolve`` (SciPy's ``scipy.signal``
semantics) for n-dimensional arrays and long kernels.

Both operands are transformed with :func:`hpa.fft.rfftn` (``fftn`` for complex data) at a length
``>= n + k - 1`` with small prime factors, multiplied, and transformed back. Along a split axis
each transform moves the split once: the spectra are left split along another transformed
axis (``out_split``), so the product needs no movement and the inverse moves the split back.
No rank ever holds more than its share of either operand, whatever the kernel's length.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hpa.core.array import Array
from hpa.core.layout import normalize_axis
from hpa.fft import fftn, ifftn, irfftn, rfftn
from hpa.ops.creation import coerce

__all__ = ["fftconvolve"]


def fast_length(n: int) -> int:
    """The smallest ``2**a 3**b 5**c >= n``: lengths the transforms handle best."""
    best = 1 << max(0, (n - 1).bit_length())
    f5 = 1
    while f5 < best:
        f35 = f5
        while f35 < best:
            f = f35
            while f < n:
                f *= 2
            best = min(best, f)
            f35 *= 3
        f5 *= 5
    return best


def _axes(a: Array, b: Array, axes: int | Sequence[int] | None) -> list[int]:
    if a.ndim != b.ndim:
        raise ValueError("in1 and in2 should have the same dimensionality")
    if axes is None:
        return list(range(a.ndim))
    picked = [normalize_axis(x, a.ndim) for x in ([axes] if isinstance(axes, int) else axes)]
    if len(set(picked)) != len(picked):
        raise ValueError("when given, axes values must be unique")
    for i in range(a.ndim):
        if i not in picked and a.shape[i] != b.shape[i] and 1 not in (a.shape[i], b.shape[i]):
            raise ValueError(
                f"incompatible shapes for in1 and in2: {a.shape} and {b.shape} along axis {i}"
            )
    return picked


def fftconvolve(
    in1: Any, in2: Any, mode: str = "full", axes: int | Sequence[int] | None = None
) -> Array:
    """The convolution of two n-dimensional arrays through the FFT, as
    :func:`scipy.signal.fftconvolve`.

    Parameters
    ----------
    in1, in2 : Array
        Same number of dimensions; along the axes not convolved their lengths agree or one is 1.
        Either may be split along any axis.
    mode : {"full", "same", "valid"}
        ``"full"``: ``n + k - 1`` terms per axis; ``"same"``: ``in1``'s shape, centred;
        ``"valid"``: ``max - min + 1``, where one operand covers the other (it must be at least
        as large in every convolved axis).
    axes : int or sequence of int, optional
        The axes convolved (default: all).

    Returns
    -------
    Array
        Real for real inputs (float32 for float32 operands, else float64), complex otherwise;
        split as ``in1`` (or ``in2`` when ``in1`` is replicated). Communication: the
        all-to-alls of the transforms (:mod:`hpa.fft.transforms`): one per operand forward and
        one back when a convolved axis is split and another convolved axis can take the split;
        the six-step transforms of a 1-D split array otherwise.
    """
    a, b = coerce(in1), coerce(in2)
    if mode not in ("full", "same", "valid"):
        raise ValueError(f"acceptable mode flags are 'valid', 'same', or 'full', got {mode!r}")
    picked = _axes(a, b, axes)
    if mode == "valid":
        bigger = all(a.shape[i] >= b.shape[i] for i in picked)
        if not bigger and not all(b.shape[i] >= a.shape[i] for i in picked):
            raise ValueError(
                "For 'valid' mode, one must be at least as large as the other in every dimension"
            )
    split = a.split if a.split is not None else b.split
    full = [a.shape[i] + b.shape[i] - 1 for i in picked]
    sizes = [fast_length(n) for n in full]
    p = a.comm.size
    # the spectra's split: another convolved axis long enough to take it
    middle: int | None = split
    others = [i for i in picked if i != split and a.shape[i] >= p]
    if split is not None and others:
        middle = others[-1]
    complex_ = a.dtype.kind == "c" or b.dtype.kind == "c"
    forward, backward = (fftn, ifftn) if complex_ else (rfftn, irfftn)
    spectrum = forward(a, sizes, picked, out_split=middle) * forward(
        b, sizes, picked, out_split=middle
    )
    out = backward(spectrum, sizes, picked, out_split=split)
    return out[_crop(a, b, picked, full, mode)]


def _crop(a: Array, b: Array, picked: list[int], full: list[int], mode: str) -> tuple[slice, ...]:
    """SciPy's window of ``mode`` in the full result (centred for ``same`` and ``valid``)."""
    key = [slice(None)] * a.ndim
    for i, n in zip(picked, full):
        if mode == "full":
            want = n
        elif mode == "same":
            want = a.shape[i]
        else:
            want = abs(a.shape[i] - b.shape[i]) + 1
        start = (n - want) // 2
        key[i] = slice(start, start + want)
    return tuple(key)
