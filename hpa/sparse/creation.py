"""Creating distributed CSR matrices: from SciPy, torch, COO triplets, CSR arrays, dense data.

Global input (the same on every rank: a SciPy matrix, a dense array, triplets) is cut into row
blocks locally. With ``is_split=0`` every rank passes its own part instead: its own rows
(SciPy, torch, CSR arrays, dense data), or any triplets of the global matrix (COO), which
travel to the ranks owning their rows (one ``allgather`` of counts and one ``alltoallv``),
repeated positions summed as SciPy does.

Every rank reads and checks its input inside one agreement (one ``allgather_object``, none at
one process), which also carries what the ranks must agree on: every part's rows, its stated
and reached width, and its values' dtype. So an input that fails on one rank raises the same
error on every rank, the parts' widths agree (the widest when inferred), and the values take
the result type of the parts that store entries (of all parts when none does).
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import numpy as np
import torch

from hpa.backends import resolve_device
from hpa.comm import get_comm
from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import agreed_allgather, route_entries
from hpa.core.layout import Layout
from hpa.sparse.conversion import check_split, local_rows, resplit
from hpa.sparse.matrix import CSRMatrix

__all__ = ["csr_array", "csr_matrix", "diags", "eye", "identity", "sparse_csr_matrix"]

Summary = tuple[int | None, int | None, int, int, str, int]
"""What a rank shares of its part: stated rows and columns (``None`` where inferred), the rows
and columns its indices reach, its values' dtype and how many values it holds."""


class _Part(NamedTuple):
    """One rank's entries: global rows (whole input) or rows of its own part, columns, values,
    and the extents its input states (``None`` where the indices decide)."""

    rows: torch.Tensor
    cols: torch.Tensor
    vals: torch.Tensor
    m: int | None
    n: int | None


def _tensor(x: Any, device: torch.device, dtype: torch.dtype | None = None) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        t = x
    else:
        arr = np.asarray(x)
        if arr.dtype == np.uint16 or arr.dtype == np.uint32:
            arr = arr.astype(np.int64)
        t = torch.from_numpy(np.ascontiguousarray(arr))
    return t.to(device=device, dtype=dtype if dtype is not None else t.dtype)


def _shape(shape: Any) -> tuple[int, int]:
    dims = tuple(int(s) for s in shape)
    if len(dims) != 2 or min(dims) < 0:
        raise ValueError(f"a sparse matrix needs a shape (m, n) of non-negative ints, got {shape}")
    return dims[0], dims[1]


@register("to_sparse_csr")  # x.to_sparse_csr(), HeAT's DNDarray method
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
        The global shape (with ``is_split=0`` and CSR arrays: the shape of this rank's part);
        needed for triplets whose largest index is not the last row or column (inferred
        from them otherwise, over all ranks with ``is_split``).
    dtype : optional
        The values' dtype (by default the result type of the parts that store entries;
        float64 for an empty matrix).
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
        Communication: one ``allgather_object`` (the agreement on the parts, none at one
        process); with ``is_split=0`` triplets also one ``allgather`` of counts and one
        ``alltoallv``; an unbalanced hpa array's entries move to balanced blocks.

    Raises
    ------
    ValueError
        If an index is out of range, the parts' column counts differ, the CSR arrays or
        triplets are inconsistent, or the shape is invalid (on every rank, also when only
        one rank's part is at fault).
    """
    comm = comm if comm is not None else get_comm()
    dev = resolve_device(device).torch_device
    target = check_split(split)
    given = check_split(is_split)
    if isinstance(arg, CSRMatrix):
        out = arg if dtype is None else arg.astype(dtype)
        return resplit(out, target)
    if isinstance(arg, Array):
        return _from_array(arg, dtype, target, given, dev)
    if isinstance(arg, tuple) and len(arg) == 2 and isinstance(arg[1], tuple):
        data, (row, col) = arg
        parse = functools.partial(_triplets, data, row, col, shape, dev)
        return _assemble(parse, dtype, target, "whole" if given is None else "route", comm)
    if isinstance(arg, tuple) and len(arg) == 3:
        parse = functools.partial(_csr_arrays, arg, shape, dev)
    elif (
        isinstance(arg, tuple)
        and len(arg) == 2
        and all(isinstance(s, (int, np.integer)) for s in arg)
    ):
        m, n = _shape(arg)
        empty = torch.empty(0, dtype=torch.int64, device=dev)
        vals = torch.empty(0, dtype=torch.float64, device=dev)
        return _assemble(lambda: _Part(empty, empty, vals, m, n), dtype, target, "whole", comm)
    elif hasattr(arg, "tocoo") and hasattr(arg, "nnz"):  # SciPy sparse
        parse = functools.partial(_scipy, arg, dev)
    elif isinstance(arg, torch.Tensor) and arg.layout != torch.strided:
        parse = functools.partial(_torch_sparse, arg, dev)
    else:
        parse = functools.partial(_dense, arg, dev)
    return _assemble(parse, dtype, target, "whole" if given is None else "stack", comm)


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


# ---------------------------------------------------------------------------- parsing
def _triplets(data: Any, row: Any, col: Any, shape: Any, dev: torch.device) -> _Part:
    vals = _tensor(data, dev)
    rows, cols = _tensor(row, dev, torch.int64), _tensor(col, dev, torch.int64)
    if not rows.shape == cols.shape == vals.shape or rows.ndim != 1:
        raise ValueError(
            f"row, col and data must be 1-D of one length, got {tuple(rows.shape)}, "
            f"{tuple(cols.shape)} and {tuple(vals.shape)}"
        )
    m, n = (None, None) if shape is None else _shape(shape)
    return _Part(rows, cols, vals, m, n)


def _csr_arrays(arg: tuple[Any, Any, Any], shape: Any, dev: torch.device) -> _Part:
    """``(data, indices, indptr)`` checked as SciPy checks them."""
    data, indices, indptr = (_tensor(x, dev) for x in arg)
    if data.ndim != 1 or indices.ndim != 1 or indptr.ndim != 1:
        raise ValueError("data, indices, and indptr should be 1-D")
    m = indptr.numel() - 1
    n = None
    if shape is not None:
        rows_given, n = _shape(shape)
        if rows_given != m:
            raise ValueError(f"index pointer size {indptr.numel()} should be {rows_given + 1}")
    if m < 0:
        raise ValueError("index pointer should have at least one element")
    crow = indptr.to(torch.int64)
    stored = int(crow[-1])
    if int(crow[0]) != 0:
        raise ValueError("index pointer should start with 0")
    if bool((crow.diff() < 0).any()):
        raise ValueError("index pointer values must form a non-decreasing sequence")
    if data.numel() != indices.numel():
        raise ValueError("indices and data should have the same size")
    if stored > indices.numel():
        raise ValueError(
            "Last value of index pointer should be less than the size of index and data arrays"
        )
    rows = torch.repeat_interleave(torch.arange(m, device=dev), crow.diff(), output_size=stored)
    return _Part(rows, indices[:stored].to(torch.int64), data[:stored], m, n)


def _scipy(arg: Any, dev: torch.device) -> _Part:
    coo = arg.tocoo()
    if len(coo.shape) != 2:
        raise ValueError(f"a sparse matrix needs 2-D data, got shape {coo.shape}")
    rows, cols = (_tensor(x.astype(np.int64), dev) for x in (coo.row, coo.col))
    m, n = coo.shape
    return _Part(rows, cols, _tensor(coo.data, dev), m, n)


def _torch_sparse(arg: torch.Tensor, dev: torch.device) -> _Part:
    if arg.ndim != 2:
        raise ValueError(f"a sparse matrix needs 2-D data, got shape {tuple(arg.shape)}")
    coo = arg.to_sparse_coo().coalesce()
    rows, cols = coo.indices().to(dev)
    m, n = coo.shape
    return _Part(rows, cols, coo.values().to(dev), m, n)


def _dense(arg: Any, dev: torch.device) -> _Part:
    block = _tensor(arg, dev)
    if block.ndim != 2:
        raise ValueError(f"a sparse matrix needs 2-D data, got shape {tuple(block.shape)}")
    r, c = block.nonzero(as_tuple=True)
    return _Part(r, c, block[r, c], block.shape[0], block.shape[1])


def _checked(part: _Part) -> _Part:
    """``part`` if its indices lie inside the extents it states, else a ValueError."""
    for index, bound, axis in ((part.rows, part.m, 0), (part.cols, part.n, 1)):
        if not index.numel():
            continue
        low, high = int(index.min()), int(index.max())
        if low < 0:
            raise ValueError(f"negative axis {axis} index: {low}")
        if bound is not None and high >= bound:
            raise ValueError(f"axis {axis} index {high} exceeds matrix dimension {bound}")
    return part


def _summary(part: _Part) -> Summary:
    reach = [int(i.max()) + 1 if i.numel() else 0 for i in (part.rows, part.cols)]
    name = dtypes.of_torch(part.vals.dtype).name
    return part.m, part.n, reach[0], reach[1], name, part.vals.numel()


# ---------------------------------------------------------------------------- assembling
def _values_dtype(dtype: Any, shared: list[Summary]) -> torch.dtype:
    """``dtype``, or the result type of the parts holding values (of all when none does)."""
    if dtype is not None:
        return dtypes.to_dtype(dtype).torch
    found = [s[4] for s in shared if s[5]] or [s[4] for s in shared]
    return functools.reduce(dtypes.promote, map(dtypes.to_dtype, found)).torch


def _extents(shared: list[Summary], stacked: bool) -> tuple[int, int]:
    """The global shape the parts agree on (the same on every rank: from ``shared`` alone)."""
    if stacked:
        m = sum(s[0] or 0 for s in shared)
    else:
        m = next((s[0] for s in shared if s[0] is not None), max(s[2] for s in shared))
    widths = [s[1] for s in shared]
    stated = sorted({w for w in widths if w is not None})
    if len(stated) > 1:
        raise ValueError(f"the ranks' parts have different numbers of columns: {widths}")
    reach = max(s[3] for s in shared)
    n = stated[0] if stated else reach
    if reach > n:
        raise ValueError(f"axis 1 index {reach - 1} exceeds matrix dimension {n}")
    return m, n


def _assemble(
    parse: Any, dtype: Any, target: int | None, placing: str, comm: Communicator
) -> CSRMatrix:
    """The matrix of every rank's ``parse()``, parsed and checked inside one agreement.

    ``placing``: ``"whole"`` (every rank passed the whole matrix: it keeps its rows),
    ``"stack"`` (the parts are consecutive row blocks, in rank order) or ``"route"`` (the
    parts are any entries, routed to the ranks owning their rows).
    """
    part, shared = agreed_allgather(comm, lambda: _checked(parse()), _summary)
    if placing == "whole":
        shared = [shared[comm.rank]]  # the same input on every rank
    m, n = _extents(shared, stacked=placing == "stack")
    rows, cols = part.rows, part.cols
    vals = part.vals.to(_values_dtype(dtype, shared))
    if placing == "whole":
        return _rows_of_whole(rows, cols, vals, Layout((m, n), target, comm))
    if placing == "stack":
        counts = [s[0] or 0 for s in shared]
        lay = Layout((m, n), 0, comm, counts)
        out = local_rows(rows + lay.range_of(comm.rank)[0], cols, vals, lay)
    else:
        lay = Layout((m, n), 0, comm)
        assert lay.offsets is not None
        bounds = torch.tensor(lay.offsets[1:], device=rows.device)
        owner = torch.searchsorted(bounds, rows, right=True)
        rows, cols, vals = route_entries([rows, cols, vals], owner, comm)
        out = local_rows(rows, cols, vals, lay)
    return out if target == 0 else resplit(out, target)


def _rows_of_whole(
    rows: torch.Tensor, cols: torch.Tensor, vals: torch.Tensor, lay: Layout
) -> CSRMatrix:
    """The matrix of the entries of the whole matrix (on every rank), each keeping its rows."""
    lo, hi = (0, lay.gshape[0]) if lay.split is None else lay.range_of(lay.comm.rank)
    mine = (rows >= lo) & (rows < hi)
    if not bool(mine.all()):
        rows, cols, vals = rows[mine], cols[mine], vals[mine]
    return local_rows(rows, cols, vals, lay)


def _from_array(
    arg: Array, dtype: Any, target: int | None, given: int | None, dev: torch.device
) -> CSRMatrix:
    """An hpa array's nonzeros in balanced row blocks (whatever the array's blocks): no
    communication for a replicated or balanced array, the entries moved otherwise."""
    if given is not None:
        raise ValueError("is_split applies to local data; an hpa array knows its layout")
    if arg.ndim != 2:
        raise ValueError(f"a sparse matrix needs 2-D data, got shape {arg.shape}")
    if arg.split == 1:
        arg = arg.resplit(0)
    block = arg.larray.to(dev)
    r, c = block.nonzero(as_tuple=True)
    vals = block[r, c]
    vals = vals.to(dtypes.to_dtype(dtype).torch) if dtype is not None else vals
    if arg.split is None:
        return _rows_of_whole(r, c, vals, Layout(arg.shape, target, arg.comm))
    lo = arg.layout.range_of(arg.comm.rank)[0]
    out = local_rows(r + lo, c, vals, Layout(arg.shape, 0, arg.comm, arg.counts)).balance()
    return out if target == 0 else resplit(out, target)


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
    the diagonals' for floating and complex ones, float64 otherwise (as SciPy's today).
    Zeros on the diagonals are not stored (as in ``diags_array(...).tocsr()``). Every rank
    holds the diagonals and keeps its rows: no communication.
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
    rows, cols, vals = torch.cat(rows_all), torch.cat(cols_all), torch.cat(vals_all)
    stored = vals != 0
    return local_rows(rows[stored], cols[stored], vals[stored], lay)
