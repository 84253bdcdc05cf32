"""Sample frequencies and spectrum shifts: ``fftfreq``, ``rfftfreq``, ``fftshift``,
``ifftshift`` (``numpy.fft`` semantics, the Array API's ``dtype``/``device`` keywords).

The frequencies are computed by each rank for its own block (no communication). The shifts
roll the axes by half their length (:func:`hpa.roll`): local along axes that are not split, one
``alltoallv`` in which each rank sends to the one or two ranks its rows move to when the split
axis is shifted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import torch

from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.layout import normalize_axis
from hpa.ops.creation import arange, coerce
from hpa.ops.manipulation import roll

__all__ = ["fftfreq", "fftshift", "ifftshift", "rfftfreq"]


def _length(n: Any) -> int:
    if isinstance(n, bool) or not hasattr(type(n), "__index__") or int(n) < 1:
        raise ValueError(f"n should be a positive integer, got {n!r}")
    return int(n)


def _grid(
    n: int, d: float, dtype: Any, device: Any, split: int | None, comm: Communicator | None,
    count: int, wrap: bool,
) -> Array:  # fmt: skip
    dt = dtypes.default_float if dtype is None else dtypes.to_dtype(dtype)
    if dt.kind != "f":
        raise TypeError(f"the frequencies' dtype must be real floating, got {dt}")
    k = arange(count, split=split, device=device, comm=comm)
    t = k.larray
    if wrap:
        t = torch.where(t > (n - 1) // 2, t - n, t)
    values = t.to(torch.float64) / (float(d) * n)
    return Array(values.to(dt.torch), k.layout)


def fftfreq(
    n: int, /, d: float = 1.0, *, dtype: Any = None, device: Any = None,
    split: int | None = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """The sample frequencies of an ``n``-point :func:`~hpa.fft.fft` with sample spacing ``d``:
    ``[0, 1, ..., (n - 1) // 2, -(n // 2), ..., -1] / (d n)``, as :func:`numpy.fft.fftfreq`.

    ``dtype`` is a real floating dtype (default float64); ``split=0`` distributes the result.
    No communication.
    """
    n = _length(n)
    return _grid(n, d, dtype, device, split, comm, n, True)


def rfftfreq(
    n: int, /, d: float = 1.0, *, dtype: Any = None, device: Any = None,
    split: int | None = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """The ``n // 2 + 1`` non-negative sample frequencies of an ``n``-point
    :func:`~hpa.fft.rfft`, as :func:`numpy.fft.rfftfreq`; keywords as :func:`fftfreq`."""
    n = _length(n)
    return _grid(n, d, dtype, device, split, comm, n // 2 + 1, False)


def _shifted(x: Any, axes: int | Sequence[int] | None, sign: int) -> Array:
    x = coerce(x)
    if axes is None:
        picked = list(range(x.ndim))
    elif isinstance(axes, int):
        picked = [normalize_axis(axes, x.ndim)]
    else:
        picked = [normalize_axis(a, x.ndim) for a in axes]
    if not picked:
        return x.copy()
    shifts = [sign * (x.shape[a] // 2) for a in picked]
    return roll(x, shifts, picked)


def fftshift(x: Any, /, axes: int | Sequence[int] | None = None) -> Array:
    """The zero-frequency term moved to the centre: ``axes`` (default: all) rolled by half
    their length, as :func:`numpy.fft.fftshift`. Local unless ``axes`` holds the split axis:
    then one ``alltoallv`` to the neighbouring ranks."""
    return _shifted(x, axes, 1)


def ifftshift(x: Any, /, axes: int | Sequence[int] | None = None) -> Array:
    """The inverse of :func:`fftshift` (equal to it for even lengths), as
    :func:`numpy.fft.ifftshift`; communicates as :func:`fftshift`."""
    return _shifted(x, axes, -1)
