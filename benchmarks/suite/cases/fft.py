"""Fast Fourier transforms of complex128 data split along axis 0 (issue 16).

- ``fftn-split0``: ``fftn`` of an ``n x n`` matrix (``n = 2^12``: 256 MiB), every axis
  transformed. hpa: ``hpa.fft.fftn(x)`` (a local FFT along axis 1, a transpose to axis 1, a
  local FFT along axis 0, a transpose back: the result keeps the input's split); HeAT:
  ``ht.fft.fftn(x)`` (its result is split along axis 0, too); torch and NumPy:
  ``torch.fft.fftn`` / ``numpy.fft.fftn`` of the whole matrix in one process.
- ``fft1d-split``: ``fft`` of a vector of ``n = 2^24`` values (256 MiB) split along its only
  axis. hpa: ``hpa.fft.fft(x)`` (six-step: three transposes); HeAT: ``ht.fft.fft(x)`` (1.8
  gathers the whole vector on every process, transforms it there and keeps its block); torch
  and NumPy: one process.

Data: the real and imaginary parts are two standard-normal arrays of :mod:`suite.data`
(seeds ``s`` and ``s + 1``), the vector being the rows of an ``(n, 1)`` array; every framework
gets identical values (SPMD frameworks build only their own rows).

Check: the reference is NumPy. A result is compared through the digests (see ``_shared``) of
its real and of its imaginary part; the vector through the digest of its row-major
``(n / m, m)`` reshape (``m = 2^(k // 2)`` for ``n = 2^k``, the blocks of the split vector
being whole rows of it), so that no framework gathers the 256 MiB result. The tolerance is
relative to the largest magnitude of the reference's digest (:func:`_compare`): an FFT of
``N`` values has a relative error of order ``eps * log2(N)``, and a single wrong, missing or
moved entry (magnitude about ``sqrt(N)``) shifts the digest by far more than that.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..case import Case, Impl, Params, register
from . import _shared as sh

# max |got - want| / max |want| of the digests; FFT round-off is ~eps * log2(N) ~ 1e-14
RTOL = 1e-11


def _compare(got: Any, want: Any) -> None:
    """The digests agree to :data:`RTOL` times the reference's largest magnitude."""
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        raise AssertionError(f"digest of shape {got.shape}, expected {want.shape}")
    scale = float(np.abs(want).max()) if want.size else 0.0
    error = float(np.abs(got - want).max()) if want.size else 0.0
    if not error <= RTOL * scale:
        raise AssertionError(
            f"max |got - want| = {error:.3g} > {RTOL:g} * max |want| = {RTOL * scale:.3g}"
        )


def _complex(re: np.ndarray, im: np.ndarray) -> np.ndarray:
    """``re + 1j * im`` as a new complex128 array."""
    out = np.empty(re.shape, dtype=np.complex128)
    out.real, out.imag = re, im
    return out


def _tensor(a: np.ndarray) -> Any:
    """A torch tensor copy of ``a`` (frameworks share no memory with the data cache)."""
    import torch

    return torch.tensor(a)


def _local(p: Params, n: int, d: int | None) -> np.ndarray:
    """This rank's rows of the complex input (balanced cut)."""
    return _complex(sh.local_rows(p, n, d, p["seed"]), sh.local_rows(p, n, d, p["seed"] + 1))


def _whole(n: int, d: int | None, seed: int) -> np.ndarray:
    """The whole complex input (single-process frameworks, rank 0)."""
    return _complex(sh.full_rows(n, d, seed), sh.full_rows(n, d, seed + 1))


# --- values: digests of the real and imaginary parts ---------------------------------------


def _matrix_digest(local: Any, split: int | None, gshape: tuple, size: int) -> np.ndarray:
    """Digest of a complex matrix's real part, then its imaginary part (collective)."""
    return np.concatenate(
        [sh.spmd_digest(part, split, gshape, size) for part in (local.real, local.imag)]
    )


def _vector_digest(local: Any, split: int | None, n: int, m: int, size: int) -> np.ndarray:
    """Digest of a complex vector of ``n`` values reshaped to ``(n / m, m)`` (collective).

    Blocks that are whole rows of the reshape (every rank's length a multiple of ``m``) are
    digested where they are; otherwise the vector is gathered first.
    """
    if split is not None and size > 1:
        from mpi4py import MPI

        if any(k % m for k in MPI.COMM_WORLD.allgather(local.shape[0])):
            local, split = _tensor(sh.spmd_vector(local, split, size)), None
    return _matrix_digest(local.reshape(-1, m), split, (n // m, m), size)


def _split_value(p: Params, shape_of: str) -> Any:
    """``value`` of an hpa (``shape_of="shape"``) or HeAT (``"gshape"``) result."""

    def value(y: Any) -> np.ndarray:
        shape = tuple(getattr(y, shape_of))
        if len(shape) == 1:
            return _vector_digest(y.larray, y.split, shape[0], p["m"], p["size"])
        return _matrix_digest(y.larray, y.split, shape, p["size"])

    return value


def _root_value(p: Params) -> Any:
    """``value`` of a torch or NumPy result (the whole array, rank 0)."""

    def value(y: Any) -> np.ndarray:
        import torch

        t = y if isinstance(y, torch.Tensor) else torch.from_numpy(np.asarray(y))
        if t.ndim == 1:
            t = t.reshape(-1, p["m"])
        return np.concatenate([sh.digest(t.real.numpy()), sh.digest(t.imag.numpy())])

    return value


# --- the cases -----------------------------------------------------------------------------


def _fft_cases(kind: str) -> dict:
    """The implementations of ``fftn`` of the matrix (``"fftn"``) or ``fft`` of the vector."""

    def dims(p: Params) -> tuple[int, int | None]:
        return (p["n"], p["n"]) if kind == "fftn" else (p["n"], None)

    def hpa_setup(p: Params) -> Impl:
        import hpa
        import hpa.fft

        fn = hpa.fft.fftn if kind == "fftn" else hpa.fft.fft
        x = hpa.array(_tensor(_local(p, *dims(p))), is_split=0)
        return Impl(fn, _split_value(p, "shape"), x)

    def heat_setup(p: Params) -> Impl:
        ht = sh.heat()
        fn = ht.fft.fftn if kind == "fftn" else ht.fft.fft
        x = ht.array(_tensor(_local(p, *dims(p))), is_split=0)
        return Impl(fn, _split_value(p, "gshape"), x)

    def torch_setup(p: Params) -> Impl:
        import torch

        fn = torch.fft.fftn if kind == "fftn" else torch.fft.fft
        x = _tensor(_whole(*dims(p), p["seed"]))
        return Impl(fn, _root_value(p), x)

    def numpy_setup(p: Params) -> Impl:
        fn = np.fft.fftn if kind == "fftn" else np.fft.fft
        return Impl(fn, _root_value(p), _whole(*dims(p), p["seed"]))

    return {"hpa": hpa_setup, "heat": heat_setup, "torch": torch_setup, "numpy": numpy_setup}


def _fftn_params(quick: bool) -> Params:
    return {"n": 64, "seed": 111} if quick else {"n": 1 << 12, "seed": 111}


def _fft1d_params(quick: bool) -> Params:
    k = 12 if quick else 24
    return {"n": 1 << k, "m": 1 << (k // 2), "seed": 121}


register(
    Case(
        name="fftn-split0",
        group="array",
        params=_fftn_params,
        impls=_fft_cases("fftn"),
        reference="numpy",
        compare=_compare,
        description="fftn of a 2^12 x 2^12 complex128 matrix split along axis 0 (hpa: local "
        "FFTs and two transposes; the result keeps the split)",
        tags=("fft",),
    )
)

register(
    Case(
        name="fft1d-split",
        group="array",
        params=_fft1d_params,
        impls=_fft_cases("fft"),
        reference="numpy",
        compare=_compare,
        description="fft of 2^24 complex128 values split along axis 0 (hpa: six-step, three "
        "transposes; HeAT 1.8 gathers the vector on every process)",
        tags=("fft",),
    )
)
