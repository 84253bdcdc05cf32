"""Reductions of distributed CSR matrices: sums, means, the diagonal, counts.

================================  ================================  ===========================
reduction                         result                            communication
================================  ================================  ===========================
``sum()``, ``mean()``             0-d, replicated                   one ``allreduce``
``sum(axis=1)``, ``mean(axis=1)``  ``(m,)``, split like the rows     none
``sum(axis=0)``, ``mean(axis=0)``  ``(n,)``, replicated              one ``allreduce`` of ``n``
``diagonal(k)``                   1-D, split like the rows holding  none
                                  it
``count_nonzero()``               int                               one ``allreduce``
================================  ================================  ===========================
"""

from __future__ import annotations

from typing import Any

import torch

from hpa.core.array import Array
from hpa.core.layout import Layout, normalize_axis
from hpa.linalg.checks import summed
from hpa.sparse.matrix import CSRMatrix

__all__ = ["count_nonzero", "diagonal", "mean", "total"]


def _accumulator(t: torch.Tensor) -> torch.dtype:
    """NumPy's sum dtype: int64 for bool and integers, the dtype itself otherwise."""
    if t.dtype == torch.bool or not (t.is_floating_point() or t.is_complex()):
        return torch.int64
    return t.dtype


def total(a: CSRMatrix, axis: Any = None) -> Array:
    """The sum of all entries, of every column (``axis=0``) or of every row (``axis=1``)."""
    m, n = a.shape
    dt = _accumulator(a.data)
    vals = a.data.to(dt)
    if axis is None:
        part = vals.sum().reshape(1)
        return Array(summed(part, a.layout)[0], Layout((), None, a.comm))
    ax = normalize_axis(axis, 2)
    if ax == 1:
        rows = a.row_ids() - a.row_range[0]
        out = torch.zeros(a.lshape[0], dtype=dt, device=vals.device).index_add_(0, rows, vals)
        return Array(out, Layout((m,), a.split, a.comm, a.counts))
    part = torch.zeros(n, dtype=dt, device=vals.device).index_add_(0, a.indices, vals)
    return Array(summed(part, a.layout), Layout((n,), None, a.comm))


def mean(a: CSRMatrix, axis: Any = None) -> Array:
    """The mean counting the implicit zeros (float64 for integer and bool matrices)."""
    s = total(a, axis)
    m, n = a.shape
    count = m * n if axis is None else (m if normalize_axis(axis, 2) == 0 else n)
    t = s.larray
    if not (t.is_floating_point() or t.is_complex()):
        t = t.to(torch.float64)
    return Array(t / count if count else t * float("nan"), s.layout)


def diagonal(a: CSRMatrix, k: int = 0) -> Array:
    """The ``k``-th diagonal; element ``d`` comes from row ``d - min(k, 0)``."""
    m, n = a.shape
    length = max(0, min(m + min(k, 0), n - max(k, 0)))
    first = -min(k, 0)  # the row holding element 0
    lo, hi = a.row_range
    start, stop = max(lo, first), min(hi, first + length)
    out = torch.zeros(max(0, stop - start), dtype=a.data.dtype, device=a.data.device)
    rows = a.row_ids()
    on = (a.indices - rows == k) & (rows >= start) & (rows < stop)
    out[rows[on] - start] = a.data[on]
    if a.split is None:
        return Array(out, Layout((length,), None, a.comm))
    comm = a.comm
    counts = []
    for r in range(comm.size):
        r_lo, r_hi = a.layout.range_of(r)
        counts.append(max(0, min(r_hi, first + length) - max(r_lo, first)))
    return Array(out, Layout((length,), 0, comm, counts))


def count_nonzero(a: CSRMatrix) -> int:
    """Stored entries that are not zero, over all ranks."""
    part = (a.data != 0).sum().reshape(1)
    return int(summed(part, a.layout)[0])
