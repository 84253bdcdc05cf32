"""The distributed CSR matrix: its rows split over the processes, each block a CSR of its own.

A :class:`CSRMatrix` uses the dense arrays' :class:`~hpa.core.layout.Layout`: global shape
``(m, n)``, split 0 (every rank holds a consecutive block of rows, ``counts[r]`` of them) or
``None`` (every rank holds all rows). A rank's rows are three tensors: ``indptr`` (int64,
starting at 0), ``indices`` (int64 global column indices, ascending within each row, no
repeats) and ``data``. The operations live in the sibling modules; this class holds the
blocks, their description and the operators. It follows ``scipy.sparse.csr_array``: ``*`` is
elementwise and ``@`` the matrix product; HeAT's ``DCSR_matrix`` names (``lnnz``, ``gnnz``,
``ldata``, ``lindptr``, ``lindices``, ``larray``) are there too.
"""

from __future__ import annotations

from typing import Any, NoReturn

import torch

from hpa.backends import Device, device_of
from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.layout import Layout

__all__ = ["CSRMatrix"]


class CSRMatrix:
    """A sparse matrix in compressed sparse row form, its rows split over the processes.

    Create one with :func:`hpa.sparse.csr_matrix` (from SciPy, COO triplets, dense data) or
    the factories (:func:`~hpa.sparse.eye`, :func:`~hpa.sparse.diags`,
    :func:`~hpa.sparse.random`), not with this constructor.

    Parameters
    ----------
    indptr, indices, data : torch.Tensor
        This rank's rows in canonical CSR form (see the module docstring).
    layout : Layout
        Global shape ``(m, n)``, split 0 or ``None``, and the rows of every rank.
    """

    __slots__ = ("_col", "_crow", "_layout", "_nnz", "_plans", "_val")
    __hpa_defer__ = True  # hpa.Array's operators defer to this class's reflected ones
    __array_ufunc__ = None  # so do NumPy's (``ndarray @ A`` runs ``A.__rmatmul__``)

    def __init__(
        self, indptr: torch.Tensor, indices: torch.Tensor, data: torch.Tensor, layout: Layout
    ) -> None:
        self._crow, self._col, self._val = indptr, indices, data
        self._layout = layout
        self._nnz: tuple[int, ...] | None = None
        self._plans: dict[Any, Any] = {}

    # ------------------------------------------------------------------ description
    @property
    def layout(self) -> Layout:
        """Global shape, split and rows per rank."""
        return self._layout

    @property
    def shape(self) -> tuple[int, int]:
        """Global shape ``(m, n)``."""
        m, n = self._layout.gshape
        return m, n

    gshape = shape

    @property
    def lshape(self) -> tuple[int, int]:
        """Shape of this rank's block of rows."""
        m, n = self._layout.lshape
        return m, n

    @property
    def ndim(self) -> int:
        """Always 2."""
        return 2

    @property
    def split(self) -> int | None:
        """0 (rows split) or ``None`` (every rank holds all rows)."""
        return self._layout.split

    @property
    def counts(self) -> tuple[int, ...] | None:
        """Rows of every rank (``None`` when replicated)."""
        return self._layout.counts

    @property
    def comm(self) -> Communicator:
        """The processes sharing the matrix."""
        return self._layout.comm

    @property
    def device(self) -> Device:
        """The device of the local blocks."""
        return device_of(self._val.device)

    @property
    def dtype(self) -> dtypes.DType:
        """The element type."""
        return dtypes.of_torch(self._val.dtype)

    @property
    def lnnz(self) -> int:
        """Stored entries of this rank's rows."""
        return self._col.numel()

    @property
    def nnz_counts(self) -> tuple[int, ...]:
        """Stored entries of every rank (one ``allgather`` the first time; cached)."""
        if self._nnz is None:
            from hpa.core.exchange import gather_counts

            if self.split is None:
                self._nnz = (self.lnnz,) * self.comm.size
            else:
                self._nnz = tuple(gather_counts(self.comm, [self.lnnz])[:, 0].tolist())
        return self._nnz

    @property
    def nnz(self) -> int:
        """Stored entries of the whole matrix (collective the first time; see
        :attr:`nnz_counts`)."""
        return self.lnnz if self.split is None else sum(self.nnz_counts)

    gnnz = nnz

    @property
    def indptr(self) -> torch.Tensor:
        """This rank's row pointers (int64, from 0)."""
        return self._crow

    @property
    def indices(self) -> torch.Tensor:
        """This rank's global column indices (int64)."""
        return self._col

    @property
    def data(self) -> torch.Tensor:
        """This rank's stored values."""
        return self._val

    lindptr, lindices, ldata = indptr, indices, data

    @property
    def larray(self) -> torch.Tensor:
        """This rank's rows as a torch sparse CSR tensor (global column indices)."""
        m, n = self.lshape
        return torch.sparse_csr_tensor(self._crow, self._col, self._val, (m, n))

    @property
    def row_range(self) -> tuple[int, int]:
        """The global rows ``(first, stop)`` this rank holds."""
        if self.split is None:
            return 0, self.shape[0]
        return self._layout.range_of(self.comm.rank)

    def row_ids(self) -> torch.Tensor:
        """The global row of every stored entry of this rank (int64)."""
        lo = self.row_range[0]
        rows = torch.arange(lo, lo + self.lshape[0], device=self._col.device)
        return torch.repeat_interleave(rows, self._crow.diff(), output_size=self.lnnz)

    def __repr__(self) -> str:
        return (
            f"<hpa.sparse.CSRMatrix shape={self.shape} dtype={self.dtype.name} "
            f"split={self.split} local nnz={self.lnnz}>"
        )

    def __len__(self) -> int:
        raise TypeError("sparse matrix length is ambiguous; use A.nnz or A.shape[0]")

    def __bool__(self) -> bool:
        if self.shape == (1, 1):
            return bool(self.todense().item())
        raise ValueError(
            "The truth value of a sparse matrix with more than one element is ambiguous"
        )

    def __array__(self, dtype: Any = None, copy: Any = None) -> NoReturn:
        """Refused (``TypeError``): hpa never densifies or gathers implicitly, so
        ``np.asarray(A)`` and ``x += A`` for a dense ``x`` say what to write instead."""
        raise TypeError(
            "an hpa.sparse matrix is not converted to a dense array implicitly: use "
            "A.todense() (an hpa array) or A.to_scipy(); for a dense x, write x = x + A, "
            "or x += A.todense() in place"
        )

    # ------------------------------------------------------------------ comparisons
    # ``==``, ``!=``, ``<``, ... raise instead of falling back to identity (SciPy's would
    # return sparse or dense boolean matrices; hpa.sparse does not implement them)
    def _compared(self, op: str) -> NoReturn:
        raise NotImplementedError(
            f"hpa.sparse matrices do not support comparisons (A {op} B): compare the dense "
            f"arrays (A.todense() {op} B), or test equality with (A - B).count_nonzero() == 0"
        )

    def __eq__(self, other: object) -> bool:
        self._compared("==")

    def __ne__(self, other: object) -> bool:
        self._compared("!=")

    def __lt__(self, other: object) -> bool:
        self._compared("<")

    def __le__(self, other: object) -> bool:
        self._compared("<=")

    def __gt__(self, other: object) -> bool:
        self._compared(">")

    def __ge__(self, other: object) -> bool:
        self._compared(">=")

    __hash__ = None  # type: ignore[assignment]  # as NumPy's and SciPy's arrays: unhashable

    # ------------------------------------------------------------------ conversions
    def todense(self) -> Any:
        """The dense matrix as an hpa array with the same rows per rank (no communication)."""
        from hpa.sparse import conversion

        return conversion.todense(self)

    toarray = todense

    def to_scipy(self) -> Any:
        """The whole matrix as a ``scipy.sparse.csr_array`` on every rank (one
        ``allgatherv`` of the entries when split)."""
        from hpa.sparse import conversion

        return conversion.to_scipy(self)

    def astype(self, dtype: Any, copy: bool = True) -> CSRMatrix:
        """The matrix with its values cast to ``dtype``."""
        dt = dtypes.to_dtype(dtype).torch
        if dt == self._val.dtype and not copy:
            return self
        return self.with_values(self._val.to(dt, copy=True))

    def copy(self) -> CSRMatrix:
        """A copy with its own tensors."""
        return CSRMatrix(self._crow.clone(), self._col.clone(), self._val.clone(), self._layout)

    def with_values(self, values: torch.Tensor) -> CSRMatrix:
        """The same pattern (shared) with other values, one per stored entry."""
        out = CSRMatrix(self._crow, self._col, values, self._layout)
        out._nnz = self._nnz  # not the plans: they read this matrix's values
        return out

    def resplit(self, axis: int | None) -> CSRMatrix:
        """The matrix with its rows split (``0``) or on every rank (``None``)."""
        from hpa.sparse import conversion

        return conversion.resplit(self, axis)

    def redistribute(self, counts: Any) -> CSRMatrix:
        """The matrix with ``counts[r]`` rows on rank ``r`` (one exchange of the entries)."""
        from hpa.sparse import conversion

        return conversion.redistribute(self, counts)

    def balance(self) -> CSRMatrix:
        """The matrix with balanced row blocks (itself when they are)."""
        if self.split is None or self._layout.is_balanced:
            return self
        return self.redistribute(None)

    # ------------------------------------------------------------------ shape operations
    @property
    def T(self) -> CSRMatrix:  # noqa: N802 (NumPy's name)
        """The transpose (see :meth:`transpose`)."""
        return self.transpose()

    def transpose(self) -> CSRMatrix:
        """The transpose, split along its rows (one routing exchange of the entries)."""
        from hpa.sparse import products

        return products.transpose(self)

    def __getitem__(self, key: Any) -> CSRMatrix:
        from hpa.sparse import selection

        return selection.getitem(self, key)

    # ------------------------------------------------------------------ reductions
    def sum(self, axis: int | None = None) -> Any:
        """Sum of all entries (0-d array), of every column (``axis=0``, replicated) or of
        every row (``axis=1``, split like the rows)."""
        from hpa.sparse import reductions

        return reductions.total(self, axis)

    def mean(self, axis: int | None = None) -> Any:
        """Mean over all entries, counting the implicit zeros, along ``axis`` as :meth:`sum`."""
        from hpa.sparse import reductions

        return reductions.mean(self, axis)

    def diagonal(self, k: int = 0) -> Any:
        """The ``k``-th diagonal as a 1-D array, split like the rows that hold it."""
        from hpa.sparse import reductions

        return reductions.diagonal(self, k)

    def count_nonzero(self) -> int:
        """Stored entries that are not zero (one ``allreduce`` when split)."""
        from hpa.sparse import reductions

        return reductions.count_nonzero(self)

    # ------------------------------------------------------------------ elementwise
    def multiply(self, other: Any) -> CSRMatrix:
        """The elementwise product with a scalar, a sparse matrix (a sparse row, column or
        1 x 1 matrix broadcasts, as in SciPy) or a dense array (broadcast as NumPy does);
        sparse."""
        from hpa.sparse import arithmetic

        return arithmetic.multiply(self, other)

    def power(self, exponent: Any) -> CSRMatrix:
        """Every stored entry raised to ``exponent`` (the implicit zeros stay zero)."""
        from hpa.sparse import arithmetic

        return arithmetic.power(self, exponent)

    def conj(self) -> CSRMatrix:
        """The complex conjugate (a copy, also of a real matrix, as SciPy's)."""
        if self._val.is_complex():
            return self.with_values(self._val.conj().resolve_conj())
        return self.copy()

    conjugate = conj

    @property
    def real(self) -> CSRMatrix:
        """The real part (a copy, also of a real matrix)."""
        return self.with_values(self._val.real.clone()) if self._val.is_complex() else self.copy()

    @property
    def imag(self) -> CSRMatrix:
        """The imaginary part (zeros stored where the matrix has entries, for real ones)."""
        if self._val.is_complex():
            return self.with_values(self._val.imag.clone())
        return self.with_values(torch.zeros_like(self._val))

    def eliminate_zeros(self) -> None:
        """Remove the explicitly stored zeros, in place, as SciPy's (no communication).

        Collective in that every rank must call it: each drops its cached entry counts and
        product plans, since another rank's pattern may have changed.
        """
        from hpa.sparse import arithmetic

        out = arithmetic.without_zeros(self)
        self._crow, self._col, self._val = out.indptr, out.indices, out.data
        self._nnz = None
        self._plans = {}

    def __neg__(self) -> CSRMatrix:
        return self.with_values(-self._val)

    def __pos__(self) -> CSRMatrix:
        return self

    def __abs__(self) -> CSRMatrix:
        return self.with_values(self._val.abs())

    def __add__(self, other: Any) -> Any:
        from hpa.sparse import arithmetic

        return arithmetic.add(self, other)

    def __radd__(self, other: Any) -> Any:
        from hpa.sparse import arithmetic

        return arithmetic.add(self, other)

    def __sub__(self, other: Any) -> Any:
        from hpa.sparse import arithmetic

        return arithmetic.add(self, other, -1)

    def __rsub__(self, other: Any) -> Any:
        from hpa.sparse import arithmetic

        return arithmetic.add(-self, other)

    def __mul__(self, other: Any) -> CSRMatrix:
        return self.multiply(other)

    __rmul__ = __mul__

    def __truediv__(self, other: Any) -> CSRMatrix:
        from hpa.sparse import arithmetic

        return arithmetic.divide(self, other)

    def __pow__(self, exponent: Any) -> CSRMatrix:
        return self.power(exponent)

    def __matmul__(self, other: Any) -> Any:
        from hpa.sparse import products

        return products.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        from hpa.sparse import products

        return products.rmatmul(other, self)

    dot = __matmul__
