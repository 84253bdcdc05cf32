"""Convolution and correlation of 1-D signals, computed directly: ``convolve`` and ``correlate``
(NumPy's modes, HeAT's ``stride``).

A split signal is convolved where it lies: the output is cut into balanced blocks, and each
rank fetches the input rows its block needs (its range widened by the kernel length) in one
``alltoallv`` (:func:`hpa.core.exchange.windows`, the halo exchange generalised), then runs one
``torch.nn.functional.conv1d``. A split kernel is replicated first (one ``allgatherv`` of the
kernel); when both operands are split, the shorter is the kernel. With a replicated signal
everything is local. For long kernels, :func:`hpa.signal.fftconvolve` costs ``O(n log n)``
instead of ``O(n k)``.
"""

from __future__ import annotations

from typing import Any

import torch

from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.exchange import windows
from hpa.core.layout import Layout
from hpa.ops.creation import coerce
from hpa.ops.elementwise import conj
from hpa.ops.manipulation import flip

__all__ = ["convolve", "correlate"]

_MODES = ("full", "same", "valid")


def _operand(x: Any, name: str) -> Array:
    x = coerce(x)
    if x.ndim > 1:
        raise ValueError(f"{name} must be one-dimensional, got {x.ndim} dimensions")
    if x.ndim == 0:
        x = x.reshape(1)
    if x.shape[0] == 0:
        raise ValueError(f"{name} cannot be empty")
    return x


def _window(n: int, k: int, mode: str, mirrored: bool) -> tuple[int, int]:
    """Start and length of ``mode``'s part of the full result (``n + k - 1`` terms)."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {_MODES}, got {mode!r}")
    short = min(n, k)
    if mode == "full":
        return 0, n + k - 1
    if mode == "valid":
        return short - 1, max(n, k) - short + 1
    # NumPy centres "same" on the longer operand; a correlation with the longer second
    # operand is computed mirrored, which rounds the centre the other way
    half = (short - 1) // 2
    return (short - 1 - half if mirrored else half), max(n, k)


def _stride(stride: Any) -> int:
    if isinstance(stride, bool) or not hasattr(type(stride), "__index__") or int(stride) < 1:
        raise ValueError(f"stride must be a positive integer, got {stride!r}")
    return int(stride)


def convolve(a: Any, v: Any, mode: str = "full", stride: int = 1) -> Array:
    """The discrete linear convolution of two 1-D arrays, as :func:`numpy.convolve`, every
    ``stride``-th term (HeAT's ``stride``: ``numpy.convolve(a, v, mode)[::stride]``).

    Parameters
    ----------
    a, v : Array
        One-dimensional (scalars count as length 1), not empty; either or both may be split.
    mode : {"full", "same", "valid"}
        ``"full"``: all ``n + k - 1`` terms; ``"same"``: the ``max(n, k)`` central ones;
        ``"valid"``: the ``max(n, k) - min(n, k) + 1`` where the operands overlap fully.
    stride : int
        Keep every ``stride``-th term of the mode's result.

    Returns
    -------
    Array
        NumPy's result dtype (integer results are exact while below ``2**53`` and wrap around
        in narrow integer dtypes as NumPy's do), split along axis 0 (balanced) when an
        operand is split, else replicated. Communication: one
        ``alltoallv`` of the signal rows each block needs, plus one ``allgatherv`` of the
        kernel when the kernel is split.
    """
    a, v = _operand(a, "a"), _operand(v, "v")
    return _direct(a, v, _window(a.shape[0], v.shape[0], mode, False), _stride(stride))


def correlate(a: Any, v: Any, mode: str = "valid", stride: int = 1) -> Array:
    """The cross-correlation ``c[k] = sum_n a[n + k] conj(v[n])`` of two 1-D arrays, as
    :func:`numpy.correlate` (default mode ``"valid"``), every ``stride``-th term; parameters,
    result and communication as :func:`convolve`."""
    a, v = _operand(a, "a"), _operand(v, "v")
    window = _window(a.shape[0], v.shape[0], mode, v.shape[0] > a.shape[0])
    if v.split is not None and a.split is not None and v.shape[0] <= a.shape[0]:
        v = v.resplit(None)  # the kernel, replicated anyway: flipped locally
    mirrored = flip(v, 0)
    return _direct(a, conj(mirrored) if v.dtype.kind == "c" else mirrored, window, _stride(stride))


def _compute_dtype(dt: dtypes.DType) -> torch.dtype:
    if dt.kind in "fc":
        return torch.float32 if dt.torch in (torch.float16, torch.bfloat16) else dt.torch
    return torch.float64  # integers and booleans: exact sums below 2**53


def _direct(a: Array, v: Array, window: tuple[int, int], stride: int) -> Array:
    """``full[start + stride * j]`` for the ``ceil(length / stride)`` terms ``j`` of the full
    convolution of ``a`` and ``v``."""
    start, length = window
    out_dtype = dtypes.result_type(a.dtype, v.dtype)
    work = _compute_dtype(out_dtype)
    if v.split is not None and (a.split is None or v.shape[0] > a.shape[0]):
        a, v = v, a  # the split (or longer split) operand is the signal
    kernel = v.resplit(None).larray if v.split is not None else v.larray
    kernel = kernel.to(work).flip(0)
    n, k = a.shape[0], kernel.shape[0]
    count = -(-length // stride)
    out = Layout((count,), 0 if a.split is not None else None, a.comm)

    def needs(r: int) -> list[tuple[int, int]]:
        o0, o1 = out.range_of(r) if out.split is not None else (0, count)
        if o0 == o1:
            return []
        lo, hi = start + stride * o0 - k + 1, start + stride * (o1 - 1) + 1
        return [(max(0, lo), min(n, hi))] if min(n, hi) > max(0, lo) else []

    me = a.comm.rank if out.split is not None else 0
    have = needs(me)
    if a.is_distributed():
        rows = windows(a.larray, a.layout, needs)
    else:  # the block is the whole signal
        lo, hi = have[0] if have else (0, 0)
        rows = a.larray.narrow(0, lo, hi - lo)
    o0, o1 = out.range_of(me) if out.split is not None else (0, count)
    t = _local(rows.to(work), kernel, have, start + stride * o0, o1 - o0, stride)
    if out_dtype.kind == "b":
        t = t.round().ne(0)
    elif out_dtype.kind in "iu":
        t = t.round().to(torch.int64)  # then to the narrow dtype: wraps around as NumPy's sums
    return Array(t.to(out_dtype.torch), out)


def _local(
    rows: torch.Tensor,
    kernel: torch.Tensor,
    have: list[tuple[int, int]],
    first: int,
    count: int,
    stride: int,
) -> torch.Tensor:
    """``count`` terms of the full convolution from ``first`` on, every ``stride``-th, from
    the signal ``rows`` of the global range ``have`` (if any; zeros elsewhere)."""
    k = kernel.shape[0]
    if count == 0:
        return kernel.new_zeros(0)
    origin = first - k + 1  # the global index of the padded signal's first entry
    padded = kernel.new_zeros(stride * (count - 1) + k)
    if have:
        lo, hi = have[0]
        padded[lo - origin : hi - origin] = rows
    got = torch.nn.functional.conv1d(padded.view(1, 1, -1), kernel.view(1, 1, -1), stride=stride)
    return got.view(-1)
