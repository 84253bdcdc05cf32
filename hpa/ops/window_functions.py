"""NumPy's window functions: ``bartlett``, ``blackman``, ``hamming``, ``hanning``, ``kaiser``.

Each returns the float64 window of ``M`` points with NumPy's formula: an empty array for
``M <= 0`` and ``[1.0]`` for ``M == 1``. ``M`` must be an integer (``TypeError`` otherwise;
NumPy also evaluates its formulas at a non-integer ``M``, giving windows that are not
symmetric). They take hpa's ``split=``, ``device=`` and ``comm=`` keywords, as
:func:`hpa.zeros` does: with ``split=0`` every rank evaluates the formula at the points of its
own block only (balanced), so no window function communicates.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import torch

from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.ops.creation import arange

__all__ = ["bartlett", "blackman", "hamming", "hanning", "kaiser"]


def _window(
    m: int, formula: Callable[[torch.Tensor], torch.Tensor], split: int | None, device: Any,
    comm: Communicator | None,
) -> Array:  # fmt: skip
    """The window of ``m`` points: ``formula(i)`` at this rank's point indices ``i`` (float64),
    ``[1.0]`` for ``m == 1``, empty for ``m <= 0``."""
    points = arange(max(m, 0), dtype=dtypes.float64, split=split, device=device, comm=comm)
    if m == 1:
        return Array(torch.ones_like(points.larray), points.layout)
    return Array(formula(points.larray), points.layout)


def _cosine_sum(
    M: int, coefficients: tuple[float, ...], split: int | None, device: Any,
    comm: Communicator | None,
) -> Array:  # fmt: skip
    """``sum_k a_k cos(k pi n / (M - 1))`` at ``n = 1 - M + 2 i``: NumPy's generalised cosine
    windows (Hann, Hamming, Blackman)."""
    m = operator.index(M)

    def formula(i: torch.Tensor) -> torch.Tensor:
        n = 2.0 * i + (1 - m)
        out = torch.full_like(n, coefficients[0])
        for k, a in enumerate(coefficients[1:], 1):
            out = out + a * torch.cos(k * math.pi * n / (m - 1))
        return out

    return _window(m, formula, split, device, comm)


@register()
def bartlett(
    M: int, *, split: int | None = None, device: Any = None, comm: Communicator | None = None
) -> Array:
    """The Bartlett (triangular) window of ``M`` points, as :func:`numpy.bartlett`.

    Zero at both ends for ``M > 1``; float64, balanced along ``split`` (replicated by
    default). Communication: none, each rank computes its own points.
    """

    m = operator.index(M)

    def formula(i: torch.Tensor) -> torch.Tensor:
        n = 2.0 * i + (1 - m)
        return torch.where(n <= 0, 1 + n / (m - 1), 1 - n / (m - 1))

    return _window(m, formula, split, device, comm)


@register()
def blackman(
    M: int, *, split: int | None = None, device: Any = None, comm: Communicator | None = None
) -> Array:
    """The Blackman window of ``M`` points, ``0.42 + 0.5 cos(pi n / (M-1)) + 0.08
    cos(2 pi n / (M-1))``, as :func:`numpy.blackman`. Float64, balanced along ``split``;
    communication: none."""
    return _cosine_sum(M, (0.42, 0.5, 0.08), split, device, comm)


@register()
def hamming(
    M: int, *, split: int | None = None, device: Any = None, comm: Communicator | None = None
) -> Array:
    """The Hamming window of ``M`` points, ``0.54 + 0.46 cos(pi n / (M-1))``, as
    :func:`numpy.hamming`. Float64, balanced along ``split``; communication: none."""
    return _cosine_sum(M, (0.54, 0.46), split, device, comm)


@register()
def hanning(
    M: int, *, split: int | None = None, device: Any = None, comm: Communicator | None = None
) -> Array:
    """The Hann window of ``M`` points, ``0.5 + 0.5 cos(pi n / (M-1))``, as
    :func:`numpy.hanning`. Float64, balanced along ``split``; communication: none."""
    return _cosine_sum(M, (0.5, 0.5), split, device, comm)


@register()
def kaiser(
    M: int, beta: float, *, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """The Kaiser window of ``M`` points with shape parameter ``beta``, ``I0(beta sqrt(1 -
    ((n - alpha) / alpha)**2)) / I0(beta)`` with ``alpha = (M - 1) / 2``, as
    :func:`numpy.kaiser` (``I0``: the modified Bessel function of order 0).

    Float64, balanced along ``split``; communication: none. A complex ``beta`` raises
    ``TypeError``, as NumPy's ``i0`` does.
    """
    if isinstance(beta, complex):
        raise TypeError("i0 not supported for complex values")
    m = operator.index(M)
    b = float(beta)
    alpha = (m - 1) / 2.0
    scale = float(torch.special.i0(torch.tensor(b, dtype=torch.float64)))  # on the host

    def formula(i: torch.Tensor) -> torch.Tensor:
        return torch.special.i0(b * torch.sqrt(1 - ((i - alpha) / alpha) ** 2.0)) / scale

    return _window(m, formula, split, device, comm)
