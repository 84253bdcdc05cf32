"""Products of distributed CSR matrices: with dense vectors and matrices, with each other, and
the transpose.

============================  ===========================================  ====================
product                       collectives                                  volume per rank
============================  ===========================================  ====================
``A @ x``, ``x`` split 0      one ``alltoallv`` (the halo: the entries of  the entries of ``x``
                              ``x`` the local columns need that other      the pattern needs
                              ranks hold; none when no rank needs any)     from others
``A @ x``, ``x`` replicated   none                                         none
``x @ A`` (dense ``x``)       ``A.T @ x``, with ``A.T`` kept: one          as ``A.T @ x``
                              ``allreduce`` of a flag (whether ``A.data``
                              changed) when ``A`` is split
``A @ B``, both sparse        one ``allgather`` of counts and three        the rows of ``B``
                              ``alltoallv`` (the rows of ``B`` the         the pattern needs
                              pattern needs, their lengths, their          from others
                              entries)
``A.T``                       one ``allgather`` of counts, one             the entries
                              ``alltoallv``
============================  ===========================================  ====================

The halo plan of ``A @ x`` (which rows of ``x`` each rank needs from which, and the local rows
with their columns renumbered into ``[own block | halo]``) is built once per layout of ``x``
(one ``allgather`` of counts and one ``alltoallv`` of indices) and kept with the matrix, so an
iteration pays only the one ``alltoallv`` of values. The plans hold the pattern; values are
read from ``A.data``, again after any in-place change made through torch (``A.data[...] = v``;
a write through a NumPy view of the tensor bypasses torch's version counter and is not seen).
"""

from __future__ import annotations

from typing import Any

import torch

from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.exchange import Requests, any_rank, route_entries
from hpa.core.layout import Layout, chunk
from hpa.linalg.checks import block_of
from hpa.ops.creation import asarray
from hpa.sparse.conversion import local_rows, resplit
from hpa.sparse.kernels import csr_product, scipy_runs, spmm, to_scipy_local
from hpa.sparse.matrix import CSRMatrix

__all__ = [
    "Halo",
    "halo_plan",
    "kept_transpose",
    "matmul",
    "matvec_block",
    "moved_bytes",
    "rmatmul",
    "transpose",
]


class Halo:
    """The halo plan of ``A @ x`` for one layout of ``x`` (see the module docstring).

    The local rows are kept as two CSR blocks: the entries of the columns this rank holds
    (renumbered from 0), multiplied by ``x``'s block in place, and the few rows with entries
    elsewhere, multiplied by the halo and added in. So no product copies ``x``'s block. The
    plan holds the pattern and which entries of ``A.data`` each block takes; the blocks'
    values are read from ``A.data`` again whenever it changed in place (torch's version
    counter of the tensor: ``A.data[...] = v``, ``A.data.mul_(2)``), so no collective.

    Attributes
    ----------
    moved : int
        Rows of ``x`` all ranks together receive from others per product.
    wanted : int
        Rows this rank receives per product.
    """

    def __init__(self, a: CSRMatrix, rows: Layout) -> None:
        lo, hi = rows.range_of(rows.comm.rank)
        cols = a.indices
        remote = (cols < lo) | (cols >= hi)
        needed = torch.unique(cols[remote])
        self._requests = Requests(needed, rows) if rows.comm.size > 1 else None
        own = hi - lo
        where = torch.searchsorted(needed, cols[remote])
        self._columns = torch.where(remote, own, cols - lo)
        self._columns[remote] += where
        row = a.row_ids() - a.row_range[0]
        m = a.lshape[0]
        inner = ~remote
        self._touched = torch.unique(row[remote])
        outer_rows = torch.searchsorted(self._touched, row[remote])
        self._blocks = (
            (_pointers(row[inner], m), cols[inner] - lo, own),
            (_pointers(outer_rows, self._touched.numel()), where, needed.numel()),
        )
        self._remote = remote
        self._data = a.data
        self._version: int | None = None
        self._values: tuple[torch.Tensor, ...] = ()
        self._cache: list[Any] = [None, None]
        self.moved = 0 if self._requests is None else self._requests.moved
        self.wanted = needed.numel()

    def _halo(self, x: torch.Tensor) -> torch.Tensor | None:
        """The rows of ``x`` this rank needs from others (one ``alltoallv``)."""
        return None if self._requests is None else self._requests.deliver(x)

    def at_columns(self, x: torch.Tensor) -> torch.Tensor:
        """The entries of the vector ``x`` (this rank's block) at every stored entry's column."""
        halo = self._halo(x)
        ext = x if halo is None or not halo.shape[0] else torch.cat([x, halo])
        return ext.index_select(0, self._columns)

    def apply(self, x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        """``A``'s rows times ``x`` (this rank's block of the vectors, along axis 0)."""
        halo = self._halo(x)
        self._refresh()
        y = self._product(0, x, dtype)
        if halo is not None and self._touched.numel():
            y.index_add_(0, self._touched, self._product(1, halo, dtype))
        return y

    def _refresh(self) -> None:
        """The blocks' values from ``A.data``, read again if it changed since (local)."""
        version = self._data._version
        if version != self._version:
            self._values = (self._data[~self._remote], self._data[self._remote])
            self._cache = [None, None]
            self._version = version

    def _product(self, which: int, x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
        crow, col, ncols = self._blocks[which]
        val = self._values[which]
        if scipy_runs(x) and self._cache[which] is None:
            self._cache[which] = to_scipy_local(crow, col, val, (crow.numel() - 1, ncols))
        return spmm(crow, col, val, ncols, x, dtype, self._cache[which])


def _pointers(rows: torch.Tensor, m: int) -> torch.Tensor:
    """CSR row pointers of entries in ascending rows ``rows`` (``m`` rows)."""
    crow = torch.zeros(m + 1, dtype=torch.int64, device=rows.device)
    if rows.numel():
        crow[1:] = torch.cumsum(torch.bincount(rows, minlength=m), 0)
    return crow


def halo_plan(a: CSRMatrix, rows: Layout) -> Halo:
    """The (cached) halo plan of ``a @ x`` for ``x`` split along axis 0 with ``rows``'s
    extents (collective the first time for each layout)."""
    key = rows.counts
    if key not in a._plans:  # noqa: SLF001 (the matrix's own cache)
        a._plans[key] = Halo(a, rows)  # noqa: SLF001
    plan: Halo = a._plans[key]  # noqa: SLF001
    return plan


def _local_product(a: CSRMatrix, x: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    """``a``'s rows times the whole ``x`` (global column indices): no communication. The
    SciPy view of the rows is kept, made again when ``a.data`` changed in place (a view
    shares its memory, but not for float16 and bfloat16, which it widens)."""
    cached = None
    if scipy_runs(x):
        kept = a._plans.get("whole")  # noqa: SLF001 (the matrix's own cache)
        if kept is None or kept[0] != a.data._version:
            kept = (a.data._version, to_scipy_local(a.indptr, a.indices, a.data, a.lshape))
            a._plans["whole"] = kept  # noqa: SLF001
        cached = kept[1]
    return spmm(a.indptr, a.indices, a.data, a.shape[1], x, dtype, cached)


def _result_dtype(a: CSRMatrix, other: dtypes.DType) -> torch.dtype:
    return dtypes.promote(a.dtype, other).torch


def matmul(a: CSRMatrix, other: Any) -> Any:
    """``a @ other`` for a dense vector or matrix (an hpa array, NumPy data) or a sparse
    matrix; the result is split along its rows like ``a`` (replicated when ``a`` is)."""
    if isinstance(other, CSRMatrix):
        return _sparse_product(a, other)
    x = other if isinstance(other, Array) else asarray(other, device=a.data.device, comm=a.comm)
    if x.ndim not in (1, 2) or x.shape[0] != a.shape[1]:
        raise ValueError(
            f"matmul: shapes {a.shape} and {x.shape} are not aligned "
            f"({a.shape[1]} (dim 1) != {x.shape[0] if x.ndim else 0} (dim 0))"
        )
    dtype = _result_dtype(a, x.dtype)
    rest = x.shape[1:]
    if a.split is None or x.split is None:
        whole = block_of(x, x.layout.with_split(None))
        t = _local_product(a, whole.to(a.data.device), dtype)
    else:
        if x.split != 0:
            x = Array(block_of(x, x.layout.with_split(0)), x.layout.with_split(0))
        t = halo_plan(a, Layout((a.shape[1],), 0, a.comm, x.counts)).apply(x.larray, dtype)
    return Array(t, Layout((a.shape[0], *rest), a.split, a.comm, a.counts))


def matvec_block(a: CSRMatrix, x: torch.Tensor) -> torch.Tensor:
    """``a @ x`` on blocks: ``x`` is this rank's block of a vector (or matrix) with ``a``'s
    row extents (``a`` square), the result likewise (one ``alltoallv`` when split)."""
    if a.split is None:
        return _local_product(a, x, x.dtype)
    return halo_plan(a, Layout((a.shape[1],), 0, a.comm, a.counts)).apply(x, x.dtype)


def rmatmul(other: Any, a: CSRMatrix) -> Any:
    """``other @ a`` for dense ``other``: ``(a.T @ other.T).T``, with ``a.T`` kept (see
    :func:`kept_transpose`)."""
    x = other if isinstance(other, Array) else asarray(other, device=a.data.device, comm=a.comm)
    at = kept_transpose(a)
    if x.ndim == 1:
        return matmul(at, x)
    return matmul(at, x.T).T


def kept_transpose(a: CSRMatrix) -> CSRMatrix:
    """``a.T``, kept with ``a`` (so that its product plans are kept too) and built again when
    ``a.data`` changed in place on any rank: one ``allreduce`` of that flag when ``a`` is
    split (the rebuild moves entries, so every rank must take part), none when replicated."""
    kept = a._plans.get("T")  # noqa: SLF001 (the matrix's own cache)
    stale = kept is None or kept[0] != a.data._version
    if a.split is not None:
        stale = any_rank(stale, a.comm)
    if stale or kept is None:
        kept = (a.data._version, transpose(a))
        a._plans["T"] = kept  # noqa: SLF001
    transposed: CSRMatrix = kept[1]
    return transposed


def transpose(a: CSRMatrix) -> CSRMatrix:
    """``a.T``, split along its rows (``a``'s extents when square, balanced otherwise)."""
    m, n = a.shape
    rows = a.row_ids()
    if a.split is None:
        return local_rows(a.indices, rows, a.data, Layout((n, m), None, a.comm))
    counts = a.counts if m == n else chunk(n, a.comm.size)
    lay = Layout((n, m), 0, a.comm, counts)
    assert lay.offsets is not None
    bounds = torch.tensor(lay.offsets[1:], device=rows.device)
    owner = torch.searchsorted(bounds, a.indices, right=True)
    new_rows, new_cols, vals = route_entries([a.indices, rows, a.data], owner, a.comm)
    return local_rows(new_rows, new_cols, vals, lay)


def _sparse_product(a: CSRMatrix, b: CSRMatrix) -> CSRMatrix:
    """``a @ b`` for two sparse matrices, split along the rows like ``a``."""
    if a.shape[1] != b.shape[0]:
        raise ValueError(f"matmul: shapes {a.shape} and {b.shape} are not aligned")
    dtype = _result_dtype(a, b.dtype)
    k, n = b.shape
    if a.split is None and b.split is not None:
        b = resplit(b, None)
    if b.split is None or b.comm.size == 1:
        crow, col, val = csr_product(
            (a.indptr, a.indices, a.data), k, (b.indptr, b.indices, b.data), n, dtype
        )
        return CSRMatrix(crow, col, val, Layout((a.shape[0], n), a.split, a.comm, a.counts))
    lay = Layout((k,), 0, b.comm, b.counts)
    lo, hi = lay.range_of(lay.comm.rank)
    cols = a.indices
    remote = (cols < lo) | (cols >= hi)
    needed = torch.unique(cols[remote])
    lengths, (fetched_cols, fetched_vals) = Requests(needed, lay).deliver_runs(
        b.indptr, [b.indices, b.data]
    )
    # the rows of B that A's columns name, in ascending global order: the fetched rows
    # above this rank's block, its own rows, the fetched rows below; A's columns renumbered
    # into them keep their order, so every row of both operands stays sorted
    own = hi - lo
    before = int(torch.searchsorted(needed, lo))
    cut = int(lengths[:before].sum())
    at = torch.searchsorted(needed, cols)
    renumbered = torch.where(remote, at + own * (cols >= hi), before + cols - lo)
    ext_lengths = torch.cat([lengths[:before], b.indptr.diff(), lengths[before:]])
    ext_crow = torch.cat([ext_lengths.new_zeros(1), torch.cumsum(ext_lengths, 0)])
    ext_col = torch.cat([fetched_cols[:cut], b.indices, fetched_cols[cut:]])
    ext_val = torch.cat([fetched_vals[:cut], b.data, fetched_vals[cut:]])
    crow, col, val = csr_product(
        (a.indptr, renumbered, a.data), own + needed.numel(), (ext_crow, ext_col, ext_val), n,
        dtype,
    )  # fmt: skip
    return CSRMatrix(crow, col, val, Layout((a.shape[0], n), 0, a.comm, a.counts))


def moved_bytes(a: CSRMatrix, x_counts: Any = None, itemsize: int = 8) -> int:
    """Bytes all ranks together receive per ``a @ x`` for ``x`` with ``x_counts`` rows per
    rank (``a``'s row extents by default; collective the first time)."""
    counts = a.counts if x_counts is None else tuple(x_counts)
    return halo_plan(a, Layout((a.shape[1],), 0, a.comm, counts)).moved * itemsize
