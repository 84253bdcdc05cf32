"""Graph matrices of sparse adjacency matrices (``scipy.sparse.csgraph``'s ``laplacian``).

The Laplacian of a row-split adjacency matrix is row-split like it. The in-degrees (column
sums) cost one ``allreduce`` of ``n`` values; out-degrees (row sums) are local, and the
normalised Laplacian then fetches the degrees of the columns each rank's rows touch (the halo
of ``A @ x``, one ``alltoallv``).
"""

from __future__ import annotations


import torch

from hpa.core.array import Array
from hpa.core.layout import Layout
from hpa.linalg.checks import block_of
from hpa.sparse.conversion import local_rows
from hpa.sparse.matrix import CSRMatrix
from hpa.sparse.reductions import total

__all__ = ["laplacian"]


def laplacian(
    csgraph: CSRMatrix, normed: bool = False, return_diag: bool = False,
    use_out_degree: bool = False,
) -> CSRMatrix | tuple[CSRMatrix, Array]:  # fmt: skip
    """The Laplacian ``D - A`` of the graph with adjacency ``csgraph``, as SciPy's.

    Self-loops (the diagonal of ``csgraph``) are ignored. ``D`` holds the in-degrees (column
    sums), or the out-degrees with ``use_out_degree``. ``normed`` gives
    ``I - D^-1/2 A D^-1/2``, with 0 on the diagonal of an isolated vertex.

    Returns
    -------
    CSRMatrix
        The Laplacian, split like ``csgraph``.
    Array
        With ``return_diag``: the Laplacian's diagonal (the degrees), or for ``normed`` the
        square roots of the degrees (1 for an isolated vertex); split like the rows.

    Raises
    ------
    ValueError
        If ``csgraph`` is not square.
    """
    if not isinstance(csgraph, CSRMatrix):
        raise TypeError(f"laplacian takes an hpa.sparse matrix, got {type(csgraph).__name__}")
    m, n = csgraph.shape
    if m != n:
        raise ValueError(f"csgraph must be a square matrix, got shape {csgraph.shape}")
    a = csgraph
    if normed and not (a.data.is_floating_point() or a.data.is_complex()):
        a = a.astype("float64")
    rows = a.row_ids()
    off = rows != a.indices
    adjacency = local_rows(rows[off], a.indices[off], a.data[off], a.layout, summed=True)
    degree = total(adjacency, 1 if use_out_degree else 0).astype(adjacency.dtype)
    mine = block_of(degree, Layout((n,), a.split, a.comm, a.counts)).to(a.data.device)
    if normed:
        root = torch.where(mine == 0, torch.ones_like(mine), mine.sqrt())
        scale = Array(1 / root, Layout((n,), a.split, a.comm, a.counts))
        column = Array((1 / root)[:, None], Layout((n, 1), a.split, a.comm, a.counts))
        adjacency = adjacency.multiply(scale).multiply(column)
        diag, shown = (mine != 0).to(mine.dtype), root
    else:
        diag, shown = mine, mine
    lo = a.row_range[0]
    own = torch.arange(lo, lo + mine.numel(), device=mine.device)
    out = local_rows(
        torch.cat([adjacency.row_ids(), own]), torch.cat([adjacency.indices, own]),
        torch.cat([-adjacency.data, diag.to(adjacency.data.dtype)]), a.layout,
    )  # fmt: skip
    if return_diag:
        return out, Array(shown, Layout((n,), a.split, a.comm, a.counts))
    return out
