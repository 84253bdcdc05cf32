"""Solve the 2-D Poisson equation with a distributed sparse matrix, on any number of processes.

Every process builds the rows of the 5-point Laplacian of a ``g x g`` grid that it will own
(as COO triplets; :func:`hpa.sparse.csr_matrix` routes them to their rows), then conjugate
gradients solve ``A x = 1``: each product moves only the grid rows at the block boundaries
between processes. Rank 0 prints the iterations' residual and the bytes each product moved.

    python examples/poisson_cg.py --grid 256
    mpiexec -n 3 python -m mpi4py examples/poisson_cg.py --grid 256
    torchrun --nproc_per_node 2 examples/poisson_cg.py --grid 256
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

import hpa



def poisson(g: int) -> hpa.sparse.CSRMatrix:
    """The 5-point Laplacian of a ``g x g`` grid, each process contributing a slice of rows."""
    comm = hpa.get_comm()
    lo, hi = hpa.Layout((g * g,), 0, comm).range_of(comm.rank)
    i = np.arange(lo, hi)
    r, c = i // g, i % g
    rows, cols, vals = [i], [i], [np.full(i.size, 4.0)]
    for keep, j in ((c > 0, i - 1), (c < g - 1, i + 1), (r > 0, i - g), (r < g - 1, i + g)):
        rows.append(i[keep])
        cols.append(j[keep])
        vals.append(np.full(int(keep.sum()), -1.0))
    triplets = (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols)))
    return hpa.sparse.csr_matrix(triplets, shape=(g * g, g * g), is_split=0)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Build, solve and check; returns the matrix, the solution and the relative residual."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=128, help="grid points per side")
    args = parser.parse_args(argv)
    A = poisson(args.grid)
    b = hpa.ones(A.shape[0], split=0)
    x, info = hpa.linalg.cg(A, b, rtol=1e-8, return_info=True)
    residual = float(hpa.linalg.norm(A @ x - b) / hpa.linalg.norm(b))
    moved = hpa.sparse.products.moved_bytes(A)
    hpa.print0(
        f"{A.shape[0]} unknowns, {A.nnz} entries on {A.comm.size} process(es): "
        f"cg info {info}, relative residual {residual:.2e}, {moved} bytes moved per product"
    )
    return {"A": A, "x": x, "residual": residual, "info": info}


if __name__ == "__main__":
    main()
