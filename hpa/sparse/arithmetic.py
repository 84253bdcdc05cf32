"""Elementwise arithmetic of distributed CSR matrices, as ``scipy.sparse.csr_array``'s.

===============================  ==================================  =========================
operation                        result                              communication
===============================  ==================================  =========================
``A * s``, ``A / s``, ``-A``,    sparse, ``A``'s pattern             none
``abs(A)``, ``A ** s``
``A + B``, ``A - B`` (sparse)    sparse, the union (zeros dropped)   none when the row blocks
                                                                     agree, else ``B``'s
``A.multiply(B)`` (sparse)       sparse, the intersection            entries are moved to
                                                                     them first
``A.multiply(b)``, ``b`` a        sparse, ``A``'s pattern at most     as ``A.multiply(D)``
sparse row, column or 1 x 1      (zeros dropped; a row times a       (a row times a column:
(either operand)                 column: their outer product)        as ``c @ r``)
``A.multiply(D)`` (dense)        sparse, ``A``'s pattern             a row vector: the halo of
                                                                     ``A @ x``; a matrix or a
                                                                     column: the rows of ``D``
                                                                     moved to ``A``'s blocks
``A + D`` (dense)                dense                               as ``A.todense() + D``
===============================  ==================================  =========================
"""

from __future__ import annotations

import numbers
from typing import Any

import numpy as np
import torch

from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.layout import Layout
from hpa.linalg.checks import block_of
from hpa.ops.creation import asarray
from hpa.sparse.conversion import local_rows, resplit
from hpa.sparse.kernels import entry_order
from hpa.sparse.matrix import CSRMatrix
from hpa.sparse.products import halo_plan

__all__ = ["add", "aligned", "divide", "multiply", "power", "scalar_of", "without_zeros"]


def scalar_of(x: Any) -> Any:
    """``x`` as a scalar if it is one (a number, a 0-d array or tensor), else ``None``.

    A 0-d array or tensor comes back as a NumPy scalar of its dtype: like NumPy's (NEP 50)
    and SciPy's, its dtype takes part in the promotion, a Python number's does not."""
    if isinstance(x, (bool, numbers.Number)):
        return x
    if isinstance(x, np.ndarray) and x.ndim == 0:
        return x[()]
    if isinstance(x, (torch.Tensor, Array)) and x.ndim == 0:
        return dtypes.to_dtype(x.dtype).numpy.type(x.item())
    return None


def _scaled(a: CSRMatrix, s: Any, op: Any) -> CSRMatrix:
    dt = dtypes.promote_scalar(a.dtype, s).torch
    return a.with_values(op(a.data.to(dt), s).to(dt))


def aligned(a: CSRMatrix, b: CSRMatrix) -> CSRMatrix:
    """``b`` with ``a``'s rows on every rank (it must have ``a``'s shape)."""
    if a.shape != b.shape:
        raise ValueError(f"inconsistent shapes: {a.shape} and {b.shape}")
    if b.split != a.split:
        b = resplit(b, a.split)
    if a.split is not None and b.counts != a.counts:
        b = b.redistribute(a.counts)
    return b


def without_zeros(a: CSRMatrix) -> CSRMatrix:
    """A new matrix: ``a`` without its explicitly stored zeros (no communication)."""
    keep = a.data != 0
    if bool(keep.all()):  # a new matrix all the same: other ranks' entry counts may change
        return CSRMatrix(a.indptr, a.indices, a.data, a.layout)
    rows = a.row_ids()
    return local_rows(rows[keep], a.indices[keep], a.data[keep], a.layout, summed=True)


def add(a: CSRMatrix, other: Any, sign: int = 1) -> Any:
    """``a + other`` (``a - other`` with ``sign=-1``)."""
    s = scalar_of(other)
    if s is not None:
        if s != 0:
            raise NotImplementedError(
                "adding a nonzero scalar to a sparse matrix is not supported (it would fill "
                "every zero); add it to a.todense()"
            )
        return a.copy()
    if isinstance(other, CSRMatrix):
        b = aligned(a, other)
        dt = dtypes.promote(a.dtype, b.dtype).torch
        rows = torch.cat([a.row_ids(), b.row_ids()])
        cols = torch.cat([a.indices, b.indices])
        vals = torch.cat([a.data.to(dt), (b.data if sign == 1 else -b.data).to(dt)])
        return without_zeros(local_rows(rows, cols, vals, a.layout))
    dense = other if isinstance(other, Array) else asarray(other, device=a.data.device, comm=a.comm)
    return a.todense() + dense if sign == 1 else a.todense() - dense


def multiply(a: CSRMatrix, other: Any) -> CSRMatrix:
    """The elementwise product: sparse, with (at most) ``a``'s pattern; a sparse row, column
    or 1 x 1 matrix broadcasts (either operand) as in SciPy."""
    s = scalar_of(other)
    if s is not None:
        return _scaled(a, s, torch.mul)
    if isinstance(other, CSRMatrix):
        if other.shape == a.shape:
            return _intersection(a, aligned(a, other))
        return _broadcast_product(a, other)
    d = other if isinstance(other, Array) else asarray(other, device=a.data.device, comm=a.comm)
    dt = dtypes.promote(a.dtype, d.dtype).torch
    return a.with_values(a.data.to(dt) * _factor(a, d).to(dt))


def _broadcast_product(a: CSRMatrix, b: CSRMatrix) -> CSRMatrix:
    """The elementwise product of sparse matrices of different shapes, as SciPy's: a 1 x 1
    operand scales the other (its pattern kept); a row or a column scales the other's
    entries (exact zeros dropped); a row and a column give their outer product."""
    from hpa.sparse.products import matmul

    if b.shape == (1, 1):
        return multiply(a, b.todense())
    if a.shape == (1, 1):
        return multiply(b, a.todense())
    if a.shape[0] == 1 and b.shape[1] == 1:
        return without_zeros(matmul(b, a))
    if a.shape[1] == 1 and b.shape[0] == 1:
        return without_zeros(matmul(a, b))
    if all(s in (1, f) for s, f in zip(b.shape, a.shape)):
        return without_zeros(multiply(a, b.todense()))
    if all(s in (1, f) for s, f in zip(a.shape, b.shape)):
        return without_zeros(multiply(b, a.todense()))
    raise ValueError(f"inconsistent shapes {a.shape} and {b.shape}")


def _factor(a: CSRMatrix, d: Array) -> torch.Tensor:
    """The dense ``d``, broadcast to ``a``'s shape, at every entry ``a`` stores (this rank's)."""
    m, n = a.shape
    shape = d.shape if d.ndim == 2 else (1, *d.shape)
    if d.ndim > 2 or shape[0] not in (1, m) or shape[1] not in (1, n):
        raise ValueError(f"operands could not be broadcast together: {a.shape} and {d.shape}")
    lo = a.row_range[0]
    rows = a.row_ids() - lo
    if d.ndim == 2 and shape[0] == m:  # a column or a whole matrix: D's rows to A's blocks
        block = block_of(d, Layout(shape, a.split, a.comm, a.counts)).to(a.data.device)
        factor = block[rows, a.indices if shape[1] == n else 0]
    else:  # a row vector: the entries of A's columns
        vec = d.reshape((shape[1],)) if d.ndim == 2 else d
        if shape[1] == 1:
            factor = block_of(vec, vec.layout.with_split(None)).to(a.data.device).expand(a.lnnz)
        elif vec.split is None or a.split is None:
            whole = block_of(vec, vec.layout.with_split(None)).to(a.data.device)
            factor = whole[a.indices]
        else:
            factor = halo_plan(a, Layout((n,), 0, a.comm, vec.counts)).at_columns(vec.larray)
    return factor


def _intersection(a: CSRMatrix, b: CSRMatrix) -> CSRMatrix:
    """Entries stored in both (both canonical, on the same rows: positions sorted, no
    repeats). Sorted together, an entry of both is a pair of neighbours, ``a``'s first."""
    rows = torch.cat([a.row_ids(), b.row_ids()])
    cols = torch.cat([a.indices, b.indices])
    lo = a.row_range[0]
    order = entry_order(rows - lo, cols, a.lshape[0], a.shape[1])
    rows, cols = rows[order], cols[order]
    pair = (rows[1:] == rows[:-1]) & (cols[1:] == cols[:-1])
    first = pair.nonzero().reshape(-1)
    dt = dtypes.promote(a.dtype, b.dtype).torch
    vals = a.data[order[first]].to(dt) * b.data[order[first + 1] - a.lnnz].to(dt)
    out = local_rows(rows[first], cols[first], vals, a.layout, summed=True)
    return without_zeros(out)


def divide(a: CSRMatrix, other: Any) -> CSRMatrix:
    """``a / s`` for a scalar ``s``."""
    s = scalar_of(other)
    if s is None:
        raise TypeError(
            "a sparse matrix divides by a scalar only; elementwise division by a matrix "
            "would divide its zeros: use a.multiply(1 / D) or a.todense() / D"
        )
    if a.data.is_floating_point() or a.data.is_complex():
        dt = dtypes.promote_scalar(a.dtype, s).torch
    else:
        dt = torch.float64
    return a.with_values(a.data.to(dt) / s)


def power(a: CSRMatrix, exponent: Any) -> CSRMatrix:
    """Every stored entry to ``exponent`` (a scalar; 0 would fill the zeros and raises)."""
    s = scalar_of(exponent)
    if s is None:
        raise TypeError(f"a sparse matrix is raised to a scalar power only, got {exponent!r}")
    if s == 0:
        raise NotImplementedError("zero power is not supported as it would densify the matrix")
    return _scaled(a, s, torch.pow)
