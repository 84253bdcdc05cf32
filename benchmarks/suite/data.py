"""Deterministic benchmark data that any process can build in parts.

Rows are generated in fixed blocks of :data:`BLOCK` rows, each from its own seeded NumPy
generator, so rows ``lo:hi`` of a global array are the same whether one process builds the
whole array or each rank builds only its own rows (and whichever framework builds them).
"""

from __future__ import annotations

import numpy as np

BLOCK = 1 << 16


def rows(
    n: int, d: int | None, lo: int, hi: int, seed: int = 0, dtype: np.dtype | type = np.float64
) -> np.ndarray:
    """Rows ``lo:hi`` of the standard-normal array of shape ``(n, d)`` (``(n,)`` if ``d`` is None).

    Parameters
    ----------
    n, d : int
        The global shape.
    lo, hi : int
        The rows wanted, ``0 <= lo <= hi <= n``.
    seed : int
        Identifies the array: another seed gives independent data.
    dtype : NumPy dtype
        The result's dtype (values drawn in float64, then cast).
    """
    if not 0 <= lo <= hi <= n:
        raise ValueError(f"rows {lo}:{hi} outside an array of {n} rows")
    width = 1 if d is None else d
    parts = []
    for block in range(lo // BLOCK, (hi + BLOCK - 1) // BLOCK):
        start = block * BLOCK
        count = min(BLOCK, n - start)
        values = np.random.default_rng([seed, block]).standard_normal((count, width))
        parts.append(values[max(lo - start, 0) : min(hi - start, count)])
    out = np.concatenate(parts) if parts else np.empty((0, width))
    out = out.astype(dtype, copy=False)
    return out[:, 0] if d is None else out


def full(n: int, d: int | None, seed: int = 0, dtype: np.dtype | type = np.float64) -> np.ndarray:
    """The whole array of :func:`rows`."""
    return rows(n, d, 0, n, seed, dtype)


def block_range(n: int, rank: int, size: int) -> tuple[int, int]:
    """The rows of ``rank`` in the balanced cut of ``n`` rows over ``size`` processes (the
    first ``n % size`` ranks hold one more), as hpa and HeAT cut them."""
    base, extra = divmod(n, size)
    lo = rank * base + min(rank, extra)
    return lo, lo + base + (1 if rank < extra else 0)
