"""``hpa.signal``: convolution and correlation of distributed signals.

:func:`convolve` and :func:`correlate` (NumPy's, with HeAT's ``stride``) compute directly from
the rows each block needs (one halo-like exchange, :mod:`hpa.signal.convolution`);
:func:`fftconvolve` (SciPy's) goes through :mod:`hpa.fft` for long kernels and n-dimensional
arrays (:mod:`hpa.signal.spectral`). For stencils of your own, ``x.get_halo(k)`` fetches the
``k`` slices around each rank's block (``x.halo_prev``, ``x.halo_next``,
``x.array_with_halos``).
"""

from __future__ import annotations

from hpa.signal.convolution import convolve, correlate
from hpa.signal.spectral import fftconvolve

__all__ = ["convolve", "correlate", "fftconvolve"]
