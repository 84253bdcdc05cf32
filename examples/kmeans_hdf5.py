"""Cluster a data set stored in HDF5 with k-means, on any number of processes.

Without a file, the script first writes generated blobs (five Gaussian clusters in eight
dimensions) to ``blobs.h5`` in ``--dir``. Every process then reads only its own rows, and
KMeans runs with one collective per iteration. Every process prints nothing but rank 0.

Run it the same way on one process or many::

    python examples/kmeans_hdf5.py
    mpiexec -n 3 python -m mpi4py examples/kmeans_hdf5.py
    torchrun --nproc_per_node 2 examples/kmeans_hdf5.py
    python examples/kmeans_hdf5.py --file data.h5 --dataset X --clusters 4
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import hpa
from hpa.algorithms.cluster import KMeans
from hpa.algorithms.metrics import silhouette_score


def write_blobs(path: Path, n_samples: int, n_features: int = 8, n_blobs: int = 5) -> None:
    """Write ``n_samples`` points around ``n_blobs`` random centres to ``path`` (dataset "X")."""
    hpa.random.seed(42)
    centres = hpa.random.uniform(-10.0, 10.0, (n_blobs, n_features))
    members = hpa.random.randint(0, n_blobs, n_samples, split=0)
    points = centres[members] + hpa.random.standard_normal((n_samples, n_features), split=0)
    hpa.save(points, path, "X")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Fit KMeans to the HDF5 data set and report it; returns the figures it printed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, help="an HDF5 file (default: generated blobs)")
    parser.add_argument("--dataset", default="X", help="the dataset of samples in rows")
    parser.add_argument("--dir", type=Path, default=Path("."), help="where blobs.h5 is written")
    parser.add_argument("--samples", type=int, default=20_000, help="generated rows")
    parser.add_argument("--clusters", type=int, default=5)
    args = parser.parse_args(argv)

    path = args.file
    if path is None:
        path = args.dir / "blobs.h5"
        write_blobs(path, args.samples)
    X = hpa.load(path, args.dataset, split=0)  # each process reads its own rows
    model = KMeans(n_clusters=args.clusters, n_init=3, random_state=0).fit(X)
    sizes = hpa.bincount(model.labels_, minlength=args.clusters).numpy().tolist()
    score = silhouette_score(X, model.labels_, sample_size=min(X.shape[0], 5000), random_state=0)
    hpa.print0(f"{X.shape[0]} samples x {X.shape[1]} features on {X.comm.size} process(es)")
    hpa.print0(f"KMeans: {model.n_iter_} iterations, inertia {model.inertia_:.6g}")
    hpa.print0(f"cluster sizes {sizes}, silhouette {score:.4f}")
    return {"inertia": model.inertia_, "sizes": sizes, "silhouette": score, "model": model}


if __name__ == "__main__":
    main()
