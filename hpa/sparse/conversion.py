"""Moving a sparse matrix between layouts, and out of hpa.sparse: dense arrays and SciPy.

==========================  =========================================  =====================
function                    collectives                                volume per rank
==========================  =========================================  =====================
:func:`todense`             none                                       the dense rows
:func:`to_scipy`            three ``allgatherv`` (row lengths,         every rank receives
                            columns, values; none when replicated)     all entries
:func:`resplit` to None     as :func:`to_scipy`                        as :func:`to_scipy`
:func:`resplit` to 0        none (every rank keeps its rows)           none
:func:`redistribute`        one ``allgather`` of counts, one           the entries that
                            ``alltoallv``                              change rank
==========================  =========================================  =====================
"""

from __future__ import annotations

from typing import Any

import torch

from hpa.core.array import Array
from hpa.core.errors import SplitError
from hpa.core.exchange import gather_blocks, route_entries
from hpa.core.layout import Layout
from hpa.sparse.kernels import canonical
from hpa.sparse.matrix import CSRMatrix

__all__ = ["check_split", "local_rows", "redistribute", "resplit", "to_scipy", "todense"]


def check_split(split: Any) -> int | None:
    """``split`` if hpa.sparse supports it (0 or ``None``), else a clear error."""
    if split is None:
        return None
    if isinstance(split, bool) or not isinstance(split, int):
        raise TypeError(f"split must be 0, -2 or None, got {split!r}")
    if split in (0, -2):
        return 0
    if split in (1, -1):
        raise SplitError(
            "hpa.sparse holds matrices split along their rows (split=0) or replicated "
            "(split=None); column-split (CSC) matrices are not supported: transpose, or use "
            "split=0"
        )
    raise SplitError(f"split axis {split} is out of range for a 2-D sparse matrix")


def local_rows(
    rows: torch.Tensor, cols: torch.Tensor, vals: torch.Tensor, lay: Layout, summed: bool = False
) -> CSRMatrix:
    """The matrix whose entries on this rank are the triplets given (global rows, all inside
    this rank's rows of ``lay``): sorted, repeats summed unless ``summed``."""
    lo = 0 if lay.split is None else lay.range_of(lay.comm.rank)[0]
    m, n = lay.lshape
    crow, col, val = canonical(rows - lo, cols, vals, m, n, summed)
    return CSRMatrix(crow, col, val, lay)


def todense(a: CSRMatrix) -> Array:
    """The dense matrix, each rank's rows where they are (no communication)."""
    m, n = a.lshape
    rows = a.row_ids() - a.row_range[0]
    out = torch.zeros((m, n), dtype=a.data.dtype, device=a.data.device)
    out.index_put_((rows, a.indices), a.data)
    return Array(out, a.layout)


def _gathered(a: CSRMatrix) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """All rows on every rank: ``(indptr, indices, data)`` of the whole matrix."""
    if a.split is None:
        return a.indptr, a.indices, a.data
    comm, counts = a.comm, a.counts
    assert counts is not None
    lengths = gather_blocks(a.indptr.diff(), counts, comm)
    per_rank = a.nnz_counts
    cols = gather_blocks(a.indices, per_rank, comm)
    vals = gather_blocks(a.data, per_rank, comm)
    crow = torch.cat([lengths.new_zeros(1), torch.cumsum(lengths, 0)])
    return crow, cols, vals


def to_scipy(a: CSRMatrix) -> Any:
    """The whole matrix as a ``scipy.sparse.csr_array`` on every rank."""
    import scipy.sparse as sp

    crow, col, val = _gathered(a)
    values = val.detach().cpu()
    if values.dtype == torch.bfloat16:  # NumPy has no bfloat16
        values = values.to(torch.float32)
    return sp.csr_array(
        (values.numpy(), col.cpu().numpy(), crow.cpu().numpy()), shape=a.shape, copy=True
    )


def resplit(a: CSRMatrix, axis: Any) -> CSRMatrix:
    """``a`` with its rows split (``0``) or whole on every rank (``None``)."""
    split = check_split(axis)
    if split == a.split:
        return a
    if split is None:
        crow, col, val = _gathered(a)
        return CSRMatrix(crow, col, val, a.layout.with_split(None))
    lay = a.layout.with_split(0)
    lo, hi = lay.range_of(lay.comm.rank)
    start, stop = int(a.indptr[lo]), int(a.indptr[hi])
    crow = a.indptr[lo : hi + 1] - start
    return CSRMatrix(crow, a.indices[start:stop].clone(), a.data[start:stop].clone(), lay)


def redistribute(a: CSRMatrix, counts: Any) -> CSRMatrix:
    """``a`` with ``counts[r]`` rows on rank ``r`` (balanced for ``None``)."""
    if a.split is None:
        raise SplitError("a replicated sparse matrix has no row blocks to redistribute")
    lay = Layout(a.shape, 0, a.comm, None if counts is None else tuple(int(c) for c in counts))
    if lay == a.layout:
        return a
    assert lay.offsets is not None
    rows = a.row_ids()
    bounds = torch.tensor(lay.offsets[1:], device=rows.device)
    owner = torch.searchsorted(bounds, rows, right=True)
    rows, cols, vals = route_entries([rows, a.indices, a.data], owner, a.comm)
    return local_rows(rows, cols, vals, lay, summed=True)
