"""Creating distributed CSR matrices: from SciPy, torch, COO triplets, CSR arrays, dense data.

Global input (the same on every rank: a SciPy matrix, a dense array, triplets) is cut into row
blocks locally: no communication. With ``is_split=0`` every rank passes its own part instead:
its own rows (SciPy, torch, CSR arrays, dense data; one ``allgather`` of the row counts), or
any triplets of the global matrix (COO), which travel to the ranks owning their rows (one
``allgather`` of counts and one ``alltoallv``), repeated positions summed as SciPy does.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from hpa.backends import resolve_device
from hpa.comm import get_comm
from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.exchange import Partial, agreed, gather_counts, route_entries
from hpa.core.layout import Layout
from hpa.comm.base import ReduceOp
from hpa.sparse.conversion import check_split, local_rows, resplit
from hpa.sparse.matrix import CSRMatrix

__all__ = ["csr_array", "csr_matrix", "diags", "eye", "identity", "sparse_csr_matrix"]


def _tensor(x: Any, device: torch.device, dtype: torch.dtype | None = None) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        t = x
    else:
        arr = np.asarray(x)
        if arr.dtype == np.uint16 or arr.dtype == np.uint32:
            arr = arr.astype(np.int64)
        t = torch.from_numpy(np.ascontiguousarray(arr))
    return t.to(device=device, dtype=dtype if dtype is not None else t.dtype)


def _value_dtype(given: Any, found: torch.dtype) -> torch.dtype:
    if given is not None:
        return dtypes.to_dtype(given).torch
    return dtypes.to_dtype(found).torch


def _shape(shape: Any) -> tuple[int, int]:
    dims = tuple(int(s) for s in shape)
    if len(dims) != 2 or min(dims) < 0:
        raise ValueError(f"a sparse matrix needs a shape (m, n) of non-negative ints, got {shape}")
    return dims[0], dims[1]


def csr_matrix(
    arg: Any, shape: Any = None, dtype: Any = None, *, split: int | None = 0,
    is_split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> CSRMatrix:  # fmt: skip
    """A distributed CSR matrix, as ``scipy.sparse.csr_array`` builds one.

    Parameters
    ----------
    arg : object
        One of: a SciPy sparse matrix or array (any format); a torch sparse tensor (COO or
        CSR); a :class:`CSRMatrix`; a dense NumPy array, nested list or hpa array;
        ``(data, (row, col))`` triplets (repeats are summed); ``(data, indices, indptr)``
        CSR arrays; or a shape ``(m, n)`` for an empty matrix.
    shape : tuple of int, optional
        The global shape; needed for triplets whose largest index is not the last row or
        column (inferred from them otherwise, one ``allreduce`` with ``is_split``).
    dtype : optional
        The values' dtype (that of the data by default; float64 for an empty matrix).
    split : 0 or None
        Rows split over the ranks (``0``, balanced) or every rank holds all (``None``).
        Column-split (CSC) matrices are not supported.
    is_split : 0 or None
        ``None``: ``arg`` is the whole matrix, the same on every rank. ``0``: every rank
        passes its own rows (the global matrix stacks them in rank order), or, for triplets,
        any of the matrix's entries, which travel to the rank owning their row.
    device, comm : optional
        The device and communicator (the defaults otherwise).

    Returns
    -------
    CSRMatrix

    Raises
    ------
    ValueError
        If an index is out of range, the parts' column counts differ, or the shape is invalid
        (on every rank).
    """
    comm = comm if comm is not None else get_comm()
    dev = resolve_device(device).torch_device
    target = check_split(split)
    given = check_split(is_split)
    if isinstance(arg, CSRMatrix):
        out = arg if dtype is None else arg.astype(dtype)
        return resplit(out, target)
    if isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[1], tuple):
        data, (row, col) = arg
        return _from_triplets(data, row, col, shape, dtype, target, given, dev, comm)
    if isinstance(arg, tuple) and len(arg) == 3:
        data, indices, indptr = (_tensor(x, dev) for x in arg)
        crow, cols = indptr.to(torch.int64), indices.to(torch.int64)
        rows = torch.repeat_interleave(torch.arange(crow.numel() - 1, device=dev), crow.diff())
        width = shape[1] if shape is not None else None
        return _from_rows(rows, cols, data, crow.numel() - 1, width, dtype, target, given, comm)
    if isinstance(arg, tuple) and len(arg) == 2 and all(isinstance(s, (int, np.integer)) for s in arg):
        m, n = _shape(arg)
        empty = torch.empty(0, dtype=torch.int64, device=dev)
        vals = torch.empty(0, dtype=_value_dtype(dtype, torch.float64), device=dev)
        return _from_rows(empty, empty, vals, m, n, None, target, None, comm)
    if hasattr(arg, "tocoo") and hasattr(arg, "nnz"):  # SciPy sparse
        coo = arg.tocoo()
        rows, cols = (_tensor(x.astype(np.int64), dev) for x in (coo.row, coo.col))
        vals = _tensor(coo.data, dev)
        m, n = coo.shape
        return _from_rows(rows, cols, vals, m, n, dtype, target, given, comm)
    if isinstance(arg, torch.Tensor) and arg.layout != torch.strided:
        coo = arg.to_sparse_coo().coalesce()
        rows, cols = coo.indices().to(dev)
        m, n = coo.shape
        return _from_rows(rows, cols, coo.values().to(dev), m, n, dtype, target, given, comm)
    return _from_dense(arg, dtype, target, given, dev, comm)


csr_array = csr_matrix


def sparse_csr_matrix(
    obj: Any, dtype: Any = None, split: int | None = None, is_split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> CSRMatrix:  # fmt: skip
    """HeAT's ``sparse_csr_matrix``: :func:`csr_matrix` with HeAT's defaults (``split=None``
    unless ``is_split`` is given, when the result is split along the rows)."""
    if is_split is not None and split is None:
        split = 0
    return csr_matrix(obj, dtype=dtype, split=split, is_split=is_split, device=device, comm=comm)


def _from_rows(
    rows: torch.Tensor, cols: torch.Tensor, vals: torch.Tensor, m: int, n: int | None,
    dtype: Any, target: int | None, given: int | None, comm: Communicator,
) -> CSRMatrix:  # fmt: skip
    """Local triplets of the rows ``0..m-1`` of the global matrix (``given is None``) or of
    this rank's part (``given == 0``), into the layout ``target``."""
    vals = vals.to(_value_dtype(dtype, vals.dtype))
    width = int(cols.max()) + 1 if n is None and cols.numel() else (n or 0)

    def check() -> None:
        if cols.numel() and (int(cols.min()) < 0 or int(cols.max()) >= width):
            raise ValueError(f"column index out of range for {width} columns")
        if rows.numel() and (int(rows.min()) < 0 or int(rows.max()) >= m):
            raise ValueError(f"row index out of range for {m} rows")

    agreed(comm, check)
    if given is None:
        lay = Layout((m, width), target, comm)
        lo, hi = (0, m) if target is None else lay.range_of(comm.rank)
        mine = (rows >= lo) & (rows < hi)
        if not bool(mine.all()):
            rows, cols, vals = rows[mine], cols[mine], vals[mine]
        return local_rows(rows, cols, vals, lay)
    found = gather_counts(comm, [m, width])
    if len(set(found[:, 1].tolist())) > 1:
        raise ValueError(
            f"the ranks' parts have different numbers of columns: {found[:, 1].tolist()}"
        )
    counts = found[:, 0].tolist()
    lay = Layout((sum(counts), width), 0, comm, counts)
    lo = lay.range_of(comm.rank)[0]
    out = local_rows(rows + lo, cols, vals, lay)
    return out if target == 0 else resplit(out, target)


def _from_triplets(
    data: Any, row: Any, col: Any, shape: Any, dtype: Any, target: int | None,
    given: int | None, dev: torch.device, comm: Communicator,
) -> CSRMatrix:  # fmt: skip
    vals = _tensor(data, dev)
    rows, cols = _tensor(row, dev, torch.int64), _tensor(col, dev, torch.int64)
    if not rows.shape == cols.shape == vals.shape or rows.ndim != 1:
        raise ValueError(
            f"row, col and data must be 1-D of one length, got {tuple(rows.shape)}, "
            f"{tuple(cols.shape)} and {tuple(vals.shape)}"
        )
    if given is None:
        if shape is None:
            m = int(rows.max()) + 1 if rows.numel() else 0
            n = int(cols.max()) + 1 if cols.numel() else 0
        else:
            m, n = _shape(shape)
        return _from_rows(rows, cols, vals, m, n, dtype, target, None, comm)
    if shape is None:
        local = torch.tensor(
            [int(rows.max()) + 1 if rows.numel() else 0, int(cols.max()) + 1 if cols.numel() else 0]
        )
        m, n = Partial(local, comm, ReduceOp.MAX).replicate().tolist()
    else:
        m, n = _shape(shape)

    def check() -> None:
        bad_rows = rows.numel() and (int(rows.min()) < 0 or int(rows.max()) >= m)
        bad_cols = cols.numel() and (int(cols.min()) < 0 or int(cols.max()) >= n)
        if bad_rows or bad_cols:
            raise ValueError(f"a triplet's index is out of range for the shape {(m, n)}")

    agreed(comm, check)
    vals = vals.to(_value_dtype(dtype, vals.dtype))
    lay = Layout((m, n), 0, comm)
    assert lay.offsets is not None
    bounds = torch.tensor(lay.offsets[1:], device=dev)
    owner = torch.searchsorted(bounds, rows, right=True)
    rows, cols, vals = route_entries([rows, cols, vals], owner, comm)
    out = local_rows(rows, cols, vals, lay)
    return out if target == 0 else resplit(out, target)


def _from_dense(
    arg: Any, dtype: Any, target: int | None, given: int | None, dev: torch.device,
    comm: Communicator,
) -> CSRMatrix:  # fmt: skip
    if isinstance(arg, Array):
        if given is not None:
            raise ValueError("is_split applies to local data; an hpa array knows its layout")
        if arg.ndim != 2:
            raise ValueError(f"a sparse matrix needs 2-D data, got shape {arg.shape}")
        if arg.split == 1:
            arg = arg.resplit(0)
        block, m, n = arg.larray.to(dev), arg.shape[0], arg.shape[1]
        lo = 0 if arg.split is None else arg.layout.range_of(comm.rank)[0]
        r, c = block.nonzero(as_tuple=True)
        vals = block[r, c].to(_value_dtype(dtype, block.dtype))
        if arg.split is None:
            return _from_rows(r, c, vals, m, n, None, target, None, arg.comm)
        out = local_rows(r + lo, c, vals, arg.layout)
        return out if target == 0 else resplit(out, target)
    block = _tensor(arg, dev)
    if block.ndim != 2:
        raise ValueError(f"a sparse matrix needs 2-D data, got shape {tuple(block.shape)}")
    r, c = block.nonzero(as_tuple=True)
    vals = block[r, c]
    return _from_rows(r, c, vals, block.shape[0], block.shape[1], dtype, target, given, comm)


def eye(
    m: int, n: int | None = None, k: int = 0, dtype: Any = dtypes.float64, *,
    split: int | None = 0, device: Any = None, comm: Communicator | None = None,
) -> CSRMatrix:  # fmt: skip
    """The ``m x n`` matrix with ones on the ``k``-th diagonal (SciPy's ``eye``); no
    communication."""
    n = m if n is None else n
    m, n = _shape((m, n))
    lay = Layout((m, n), check_split(split), comm if comm is not None else get_comm())
    lo, hi = (0, m) if lay.split is None else lay.range_of(lay.comm.rank)
    dev = resolve_device(device).torch_device
    rows = torch.arange(max(lo, -k), max(min(hi, n - k), max(lo, -k)), device=dev)
    vals = torch.ones(rows.numel(), dtype=dtypes.to_dtype(dtype).torch, device=dev)
    return local_rows(rows, rows + k, vals, lay, summed=True)


def identity(
    n: int, dtype: Any = dtypes.float64, *, split: int | None = 0, device: Any = None,
    comm: Communicator | None = None,
) -> CSRMatrix:  # fmt: skip
    """The ``n x n`` identity (SciPy's ``identity``); no communication."""
    return eye(n, n, 0, dtype, split=split, device=device, comm=comm)


def diags(
    diagonals: Any, offsets: Any = 0, shape: Any = None, dtype: Any = None, *,
    split: int | None = 0, device: Any = None, comm: Communicator | None = None,
) -> CSRMatrix:  # fmt: skip
    """A matrix from its diagonals, as SciPy's ``diags_array``.

    Element ``j`` of the diagonal with offset ``k`` sits at ``(j - min(k, 0), j + max(k, 0))``;
    a scalar (or one-element) diagonal fills its whole diagonal, a longer one is cut to it.
    The shape is square by default, ``len(diagonals[0]) + abs(offsets[0])``; the dtype is
    the diagonals' for floating and complex ones, float64 otherwise (as SciPy's today). Every
    rank holds the diagonals and keeps its rows: no communication.
    """
    comm = comm if comm is not None else get_comm()
    dev = resolve_device(device).torch_device
    if np.ndim(offsets) == 0:
        if np.ndim(diagonals) > 1:
            raise ValueError("Different number of diagonals and offsets.")
        diag_list, offs = [np.atleast_1d(np.asarray(diagonals))], [int(offsets)]
    else:
        offs = [int(k) for k in offsets]
        diag_list = [np.atleast_1d(np.asarray(d)) for d in diagonals]
    if len(offs) != len(diag_list):
        raise ValueError("Different number of diagonals and offsets.")
    if len(set(offs)) != len(offs):
        raise ValueError("offset array contains duplicate values")
    if shape is None:
        side = len(diag_list[0]) + abs(offs[0]) if offs else 0
        shape = (side, side)
    m, n = _shape(shape)
    found = np.result_type(*diag_list) if diag_list else np.dtype(np.float64)
    dt = dtypes.to_dtype(dtype if dtype is not None else found if found.kind in "fc" else "float64")
    lay = Layout((m, n), check_split(split), comm)
    lo, hi = (0, m) if lay.split is None else lay.range_of(comm.rank)
    rows_all = [torch.empty(0, dtype=torch.int64, device=dev)]
    cols_all, vals_all = rows_all[:], [torch.empty(0, dtype=dt.torch, device=dev)]
    for d, k in zip(diag_list, offs):
        length = max(0, min(m + min(k, 0), n - max(k, 0)))
        if len(d) not in (1,) and len(d) < length:
            raise ValueError(
                f"Diagonal length ({len(d)} at offset {k}) does not agree with array size {(m, n)}."
            )
        first, stop = max(0, lo + min(k, 0)), min(length, hi + min(k, 0))
        j = torch.arange(first, max(first, stop), device=dev)
        values = torch.as_tensor(d, device=dev).to(dt.torch)
        vals_all.append(values.expand(j.numel()) if len(d) == 1 else values[j])
        rows_all.append(j - min(k, 0))
        cols_all.append(j + max(k, 0))
    return local_rows(torch.cat(rows_all), torch.cat(cols_all), torch.cat(vals_all), lay)
