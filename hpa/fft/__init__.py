"""``hpa.fft``: the discrete Fourier transforms of ``numpy.fft`` (and the Array API ``fft``
extension) for distributed arrays, along any axis, the split axis included.

The transforms live in :mod:`hpa.fft.transforms` (their plan in :mod:`hpa.fft.plan`, transforms
along the split axis of 1-D arrays in :mod:`hpa.fft.split_axis`), the frequency grids and shifts
in :mod:`hpa.fft.frequencies`. ``docs/fft.md`` has the communication table.
"""

from __future__ import annotations

from hpa.fft.frequencies import fftfreq, fftshift, ifftshift, rfftfreq
from hpa.fft.transforms import (
    fft,
    fft2,
    fftn,
    hfft,
    ifft,
    ifft2,
    ifftn,
    ihfft,
    irfft,
    irfft2,
    irfftn,
    rfft,
    rfft2,
    rfftn,
)

__all__ = [
    "fft", "fft2", "fftfreq", "fftn", "fftshift", "hfft", "ifft", "ifft2", "ifftn", "ifftshift",
    "ihfft", "irfft", "irfft2", "irfftn", "rfft", "rfft2", "rfftfreq", "rfftn",
]  # fmt: skip
