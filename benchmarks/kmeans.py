"""k-means benchmark: ``hpa.cluster.KMeans`` next to a torch Lloyd loop, HeAT and scikit-learn.

Run in one process (``OMP_NUM_THREADS=1 python benchmarks/kmeans.py``) or under a launcher
(``OMP_NUM_THREADS=1 mpiexec -n 2 python -m mpi4py benchmarks/kmeans.py``). Set
``OMP_NUM_THREADS`` explicitly (the script defaults it to 1).

Case: 200,000 x 16 float32 samples (four Gaussian blobs plus noise), 8 clusters, 30 Lloyd
iterations from the same initial centres (``tol=0``, ``max_iter=30``):

hpa      ``KMeans(8, init=C0, max_iter=30, tol=0).fit(X)`` on ``X`` split along the rows; the
         whole fit (centring, 30 iterations, final inertia) divided by the iterations run
torch    a hand-written single-process loop: ``addmm`` expansion ``|c|^2 - 2 x.c``,
         ``argmin``, ``index_add_`` and ``bincount`` (rank 0; the other ranks sleep)
heat     HeAT 1.8 ``ht.cluster.KMeans(8, init=C0, max_iter=30, tol=-1)`` on ``X`` split along
         the rows, at the same process count as hpa (skipped when HeAT does not import; it
         needs a stand-in torchvision module, ``benchmarks/stubs``, on the path while it loads)
sklearn  ``sklearn.cluster.KMeans(algorithm="lloyd")`` from the same centres (rank 0, for
         information)

Each library's fit is repeated and the median time per iteration reported. Before the timings
count, hpa's centres after 2 iterations are checked against the torch loop's (later,
float32 rounding flips the labels of near-ties and the trajectories drift apart). Targets:
hpa at most 1.25x the torch loop at 1 process; at least 4x faster than HeAT at 1 and 2
processes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
from harness import time_call, time_root
from suite.cases.algorithms import torch_lloyd  # the suite's torch reference loop

import hpa

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))

N, F, K, ITERS = 200_000, 16, 8, 30
CHECK_ITERS = 2  # float32 trajectories drift apart later (labels of near-ties flip)


def import_heat() -> Any:
    """HeAT, or None: loaded with the torchvision stand-in on ``sys.path`` during the import."""
    stubs = os.path.join(os.path.dirname(os.path.abspath(__file__)), "stubs")
    sys.path.insert(0, stubs)
    try:
        import heat
    except (ImportError, AttributeError, RuntimeError) as exc:  # the comparison is skipped
        if hpa.get_comm().rank == 0:
            print(f"HeAT skipped: {type(exc).__name__}: {exc}")
        return None
    finally:
        sys.path.remove(stubs)
    return heat


def make_data() -> np.ndarray:
    """Four Gaussian blobs plus noise, float32, the same on every rank."""
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 4, (4, F))
    X = centres[rng.integers(0, 4, N)] + rng.normal(0, 1.5, (N, F))
    return X.astype(np.float32)


def per_iteration(timer: Callable[..., float], fn: Callable[[], Any], repeats: int) -> list[float]:
    fn()  # warm-up
    return [timer(fn, 1) / ITERS for _ in range(repeats)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    comm = hpa.get_comm()
    heat = import_heat()
    data = make_data()
    C0 = data[np.random.default_rng(1).choice(N, K, replace=False)]
    x = hpa.array(data, split=0)
    short = hpa.cluster.KMeans(K, init=C0, max_iter=CHECK_ITERS, tol=0.0).fit(x)
    ref = torch_lloyd(torch.from_numpy(data), torch.from_numpy(C0), CHECK_ITERS).numpy()
    model = hpa.cluster.KMeans(K, init=C0, max_iter=ITERS, tol=0.0).fit(x)
    ok = model.n_iter_ == ITERS and np.allclose(short.cluster_centers_.numpy(), ref, atol=2e-4)
    if not ok:
        if comm.rank == 0:
            print(f"FAILED: hpa's centres (n_iter_={model.n_iter_}) differ from the torch loop's")
        raise SystemExit(1)

    tx = torch.from_numpy(data) if comm.rank == 0 else torch.zeros(1, F)
    tc = torch.from_numpy(C0)
    results = {
        "hpa": per_iteration(time_call, lambda: model.fit(x), args.repeats),
        "torch": per_iteration(time_root, lambda: torch_lloyd(tx, tc, ITERS), args.repeats),
    }
    if heat is not None:
        hx = heat.array(data, split=0)
        hc = heat.array(C0)
        hk = heat.cluster.KMeans(n_clusters=K, init=hc, max_iter=ITERS, tol=-1.0)
        results["heat"] = per_iteration(time_call, lambda: hk.fit(hx), args.repeats)
    from sklearn.cluster import KMeans as SkKMeans

    sk = SkKMeans(K, init=C0, n_init=1, max_iter=ITERS, tol=0.0, algorithm="lloyd")
    results["sklearn"] = per_iteration(time_root, lambda: sk.fit(data), args.repeats)
    if comm.rank == 0:
        report(results, comm)


def report(results: dict[str, list[float]], comm: hpa.Communicator) -> None:
    medians = {name: statistics.median(v) for name, v in results.items()}
    print(
        f"hpa {hpa.__version__}, torch {torch.__version__}, communicator {comm.name}, "
        f"{comm.size} process(es), OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, "
        f"{N} x {F} float32, k={K}, {ITERS} iterations, check passed"
    )
    print(f"{'library':10} {'ms / iteration':>15} {'spread':>8}")
    for name, values in results.items():
        spread = (max(values) - min(values)) / medians[name]
        print(f"{name:10} {medians[name] * 1e3:15.2f} {spread:8.0%}")
    print("\nratios (targets: hpa / torch <= 1.25 at 1 process; heat / hpa >= 4)")
    ratio = medians["hpa"] / medians["torch"]
    flag = "  MISSED" if comm.size == 1 and ratio > 1.25 else ""
    print(f"  hpa / torch     {ratio:6.2f}x{flag}")
    if "heat" in medians:
        speedup = medians["heat"] / medians["hpa"]
        print(f"  heat / hpa      {speedup:6.2f}x{'  MISSED' if speedup < 4 else ''}")
    print(f"  sklearn / hpa   {medians['sklearn'] / medians['hpa']:6.2f}x")


if __name__ == "__main__":
    main()
