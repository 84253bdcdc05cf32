"""``hpa.sparse``: distributed sparse matrices in CSR form, with real kernels.

A :class:`CSRMatrix` is split along its rows like a split-0 dense array (or replicated); each
rank holds its rows as a CSR block with global column indices. What each operation
communicates is in its module's table:

========================  ======================================================================
module                    holds
========================  ======================================================================
:mod:`.matrix`            the class: description, conversions, operators
:mod:`.creation`          :func:`csr_matrix` (SciPy, torch, COO triplets routed to their rows,
                          CSR arrays, dense data), :func:`eye`, :func:`identity`, :func:`diags`
:mod:`.sampling`          :func:`random`, :func:`random_array`: the same matrix at every
                          process count
:mod:`.products`          ``A @ x`` with the halo exchange, ``A @ B``, the transpose
:mod:`.arithmetic`        elementwise operations with scalars, sparse and dense operands
:mod:`.reductions`        ``sum``, ``mean``, ``diagonal``, ``count_nonzero``
:mod:`.selection`         row and column slicing
:mod:`.conversion`        dense arrays, SciPy, resplit, redistribute
:mod:`.csgraph`           :func:`laplacian`
:mod:`.files`             :func:`load_npz`, :func:`save_npz`, :func:`mmread`, :func:`mmwrite`
:mod:`.kernels`           the local kernels (SciPy's on the CPU, torch's on a GPU)
========================  ======================================================================

``hpa.linalg.cg`` and ``hpa.linalg.lanczos`` take a :class:`CSRMatrix` as their operator;
``SpectralClustering(affinity="nearest_neighbors")`` and ``kneighbors_graph`` build sparse
graphs.
"""

from __future__ import annotations

from hpa.sparse import csgraph
from hpa.sparse.csgraph import laplacian
from hpa.sparse.creation import csr_array, csr_matrix, diags, eye, identity, sparse_csr_matrix
from hpa.sparse.files import load_npz, mmread, mmwrite, save_npz
from hpa.sparse.matrix import CSRMatrix
from hpa.sparse.sampling import random, random_array

from hpa.sparse.conversion import todense

DCSR_matrix = CSRMatrix  # HeAT's names
to_dense = todense
to_sparse_csr = csr_matrix

__all__ = [
    "CSRMatrix",
    "DCSR_matrix",
    "add",
    "csgraph",
    "csr_array",
    "csr_matrix",
    "diags",
    "eye",
    "identity",
    "issparse",
    "laplacian",
    "load_npz",
    "mmread",
    "mmwrite",
    "mul",
    "random",
    "random_array",
    "save_npz",
    "sparse_csr_matrix",
    "to_dense",
    "to_sparse_csr",
]


def issparse(x: object) -> bool:
    """Whether ``x`` is an hpa sparse matrix."""
    return isinstance(x, CSRMatrix)


def add(a: CSRMatrix, b: object) -> object:
    """``a + b`` (HeAT's ``sparse.add``): see :meth:`CSRMatrix.__add__` for what it
    communicates."""
    return a + b


def mul(a: CSRMatrix, b: object) -> CSRMatrix:
    """The elementwise product ``a.multiply(b)`` (HeAT's ``sparse.mul``); see
    :meth:`CSRMatrix.multiply`."""
    return a.multiply(b)

