"""Random vectors and bytes: ``multivariate_normal``, ``bytes``, and the ``permuted`` of
NumPy's ``Generator``.

``multivariate_normal`` maps standard normal rows through a factor of the (small, replicated)
covariance, so it inherits their layout invariance and communicates nothing: each rank
multiplies its own rows. ``bytes`` draws the same bytes on every rank from one call's words.
``permuted`` shuffles every slice along an axis independently by sorting random keys, which
communicates what :func:`hpa.argsort` does along that axis (nothing unless it is the split
axis).
"""

from __future__ import annotations

import builtins
import operator
import warnings
from typing import Any

import numpy as np
import torch

from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.ops.creation import asarray
from hpa.ops.selection import take_along_axis
from hpa.ops.sorting import argsort
from hpa.random.counter import Size, shape_of
from hpa.random.generation import random, randint, standard_normal

__all__ = ["bytes", "multivariate_normal"]  # permuted: a Generator method only, as in NumPy


def multivariate_normal(
    mean: Any, cov: Any, size: Size = None, check_valid: str = "warn", tol: float = 1e-8,
    *, method: str = "svd", dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Samples of the normal distribution with mean ``mean`` and covariance ``cov`` (NumPy's
    ``multivariate_normal``): shape ``size + (d,)``. No communication.

    Each sample is ``mean + z @ A`` for a standard normal row ``z`` and a factor ``A`` with
    ``A^T A = cov`` (``method``: ``"svd"`` or ``"eigh"``, ``sqrt(s) V^T``; ``"cholesky"``,
    the transposed Cholesky factor), computed on every rank from the replicated ``cov``.

    Raises
    ------
    ValueError
        If ``mean`` is not 1-d, ``cov`` not ``(d, d)``, ``method`` or ``check_valid`` unknown,
        ``split`` is the last axis (each sample's coordinates belong together), or, with
        ``check_valid="raise"``, ``cov`` is not symmetric positive-semidefinite.
    """
    mu = np.asarray(mean.numpy() if isinstance(mean, Array) else mean, dtype=np.float64)
    sigma = np.asarray(cov.numpy() if isinstance(cov, Array) else cov, dtype=np.float64)
    if mu.ndim != 1 or sigma.shape != (mu.size, mu.size):
        raise ValueError("mean must be 1 dimensional and cov 2 dimensional and square, of its length")
    if method not in ("svd", "eigh", "cholesky"):
        raise ValueError(f"method must be 'svd', 'eigh' or 'cholesky', got {method!r}")
    if check_valid not in ("warn", "raise", "ignore"):
        raise ValueError(f"check_valid must be 'warn', 'raise' or 'ignore', got {check_valid!r}")
    shape = (*shape_of(size), mu.size)
    if split is not None and operator.index(split) % len(shape) == len(shape) - 1:
        raise ValueError("multivariate_normal cannot split the last axis (the coordinates)")
    factor = _factor(sigma, method, check_valid, tol)
    z = standard_normal(shape, dtype=dtypes.float64, split=split, device=device, comm=comm)
    a = torch.as_tensor(factor, device=z.larray.device)
    local = z.larray @ a + torch.as_tensor(mu, device=z.larray.device)
    return Array(local.to(dtypes.to_dtype(dtype).torch), z.layout)


def _factor(cov: np.ndarray, method: str, check_valid: str, tol: float) -> np.ndarray:
    """``A`` with ``A^T A = cov``, checking that ``cov`` is a covariance as NumPy does."""
    if method == "cholesky":
        return np.linalg.cholesky(cov).T
    if method == "eigh":
        s, v = np.linalg.eigh(cov)
        vh, psd = v.T, builtins.bool(np.all(s >= -tol * max(1.0, np.abs(s).max(initial=0.0))))
    else:
        u, s, vh = np.linalg.svd(cov)
        psd = np.allclose(np.dot(vh.T * s, vh), cov, rtol=tol, atol=tol)
    if not psd and check_valid != "ignore":
        message = "covariance is not symmetric positive-semidefinite."
        if check_valid == "raise":
            raise ValueError(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)
    return np.sqrt(np.clip(s, 0.0, None))[:, None] * vh


def bytes(length: int) -> builtins.bytes:
    """``length`` random bytes, the same on every rank (NumPy's ``random.bytes``); no
    communication."""
    n = operator.index(length)
    if n < 0:
        raise ValueError(f"length must be non-negative, got {n}")
    values = randint(0, 256, n, dtype=dtypes.int64).larray
    return values.to(torch.uint8).cpu().numpy().tobytes()


def permuted(x: Any, axis: int | None = None) -> Array:
    """``x`` with the entries of every slice along ``axis`` shuffled independently (the work of
    NumPy's ``Generator.permuted``; ``axis=None`` shuffles the flattened array). Communicates
    what :func:`hpa.argsort` does along ``axis``: nothing unless it is the split axis."""
    a = x if isinstance(x, Array) else asarray(x)
    flat = axis is None
    source = a.reshape(-1) if flat else a
    ax = 0 if axis is None else operator.index(axis)
    keys = random(source.shape, split=source.split, device=source.larray.device, comm=source.comm)
    result = take_along_axis(source, argsort(keys, axis=ax), axis=ax)
    return result.reshape(a.shape) if flat else result
