"""Slicing distributed CSR matrices by rows and columns (no communication).

``A[r0:r1:rs, c0:c1:cs]`` keeps, on every rank, the selected rows it holds, with the selected
columns renumbered: the result's rows stay where they were, so its row blocks are the parts of
``A``'s that the slice selects (possibly unbalanced or empty; :meth:`CSRMatrix.balance`
evens them out). Steps must be positive.
"""

from __future__ import annotations

from typing import Any

from hpa.core.layout import Layout
from hpa.sparse.conversion import local_rows
from hpa.sparse.matrix import CSRMatrix

__all__ = ["getitem"]


def _selected(s: Any, n: int, what: str) -> range:
    if not isinstance(s, slice):
        raise IndexError(
            f"sparse matrices are indexed by slices ({what}: got {s!r}); use A[i:i + 1] for "
            "one row or column"
        )
    picked = range(*s.indices(n))
    if picked.step < 0:
        raise IndexError("sparse slicing takes positive steps only")
    return picked


def getitem(a: CSRMatrix, key: Any) -> CSRMatrix:
    """``a[rows]`` or ``a[rows, cols]`` for slices ``rows`` and ``cols``."""
    if not isinstance(key, tuple):
        key = (key, slice(None))
    if len(key) != 2:
        raise IndexError(f"a sparse matrix takes two indices, got {len(key)}")
    m, n = a.shape
    rs, cs = _selected(key[0], m, "rows"), _selected(key[1], n, "columns")
    rows, cols, vals = a.row_ids(), a.indices, a.data
    keep = (rows >= rs.start) & (rows < rs.stop) & ((rows - rs.start) % rs.step == 0)
    keep &= (cols >= cs.start) & (cols < cs.stop) & ((cols - cs.start) % cs.step == 0)
    new_rows = (rows[keep] - rs.start) // rs.step
    new_cols = (cols[keep] - cs.start) // cs.step
    comm = a.comm
    if a.split is None:
        lay = Layout((len(rs), len(cs)), None, comm)
    else:
        counts = []
        for r in range(comm.size):
            lo, hi = a.layout.range_of(r)
            counts.append(len(range(rs.start, rs.stop, rs.step)[_within(rs, lo, hi)]))
        lay = Layout((len(rs), len(cs)), 0, comm, counts)
    return local_rows(new_rows, new_cols, vals[keep].clone(), lay, summed=True)


def _within(rs: range, lo: int, hi: int) -> slice:
    """The positions of ``rs`` whose rows lie in ``[lo, hi)``."""
    first = max(0, -(-(lo - rs.start) // rs.step))
    stop = max(first, -(-(hi - rs.start) // rs.step))
    return slice(first, stop)
