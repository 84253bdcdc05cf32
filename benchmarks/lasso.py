"""Lasso benchmark: ``hpa.regression.Lasso`` next to ``sklearn.linear_model.Lasso``.

Run in one process (``OMP_NUM_THREADS=1 python benchmarks/lasso.py``) or under a launcher
(``OMP_NUM_THREADS=1 mpiexec -n 2 python -m mpi4py benchmarks/lasso.py``). The data are
1,000,000 x 64 float64 standard normal features (generated split along the rows: every rank
draws only its block, and hpa's counter-based generator makes the matrix the same at every
process count), targets ``X @ beta + noise`` with geometrically decaying true coefficients
``beta_j = 2 * 0.8^j`` and unit noise; ``alpha = 0.01`` keeps about two dozen of the 64
coefficients non-zero.

hpa fits on the rows split over the processes (the Gram matrix ``X^T X`` and ``X^T y``
summed once, then coordinate descent on the replicated 64 x 64 quantities); scikit-learn
fits the whole matrix in one process (rank 0 alone, the other ranks sleeping rather than
busy-polling in MPI), the reference a user replaces, with the same ``alpha`` and ``tol``.
Before any timing counts the coefficients are checked to agree within 1e-4 relative. The
ratio (hpa / scikit-learn) is printed last; the target is a ratio below 1 at 2 processes.
Set ``OMP_NUM_THREADS`` explicitly (the script defaults it to 1).
"""

from __future__ import annotations

import argparse
import os
import statistics

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
from harness import run_cases, time_root
from sklearn.linear_model import Lasso as SkLasso

import hpa
from hpa.algorithms.regression import Lasso

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _data(n: int, d: int) -> tuple[hpa.Array, hpa.Array, np.ndarray]:
    """Features and targets split along the rows, and the true coefficients."""
    hpa.random.seed(7)
    beta = 2.0 * 0.8 ** np.arange(d)
    X = hpa.random.randn(n, d, split=0)
    y = hpa.matmul(X, hpa.array(beta)) + hpa.random.randn(n, split=0) + 3.0
    return X, y, beta


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=64)
    parser.add_argument("--alpha", type=float, default=0.01)
    parser.add_argument("--tol", type=float, default=1e-4)
    args = parser.parse_args()
    comm = hpa.get_comm()
    X, y, _ = _data(args.rows, args.cols)
    # the whole problem in one piece on rank 0 for scikit-learn
    whole_X, whole_y = X.gather().numpy(), y.gather().numpy()
    if comm.rank != 0:
        whole_X, whole_y = whole_X[:1], whole_y[:1]

    ours = Lasso(alpha=args.alpha, tol=args.tol)
    theirs = SkLasso(alpha=args.alpha, tol=args.tol)
    coef = ours.fit(X, y).coef_.numpy()
    ok = True
    if comm.rank == 0:
        want = theirs.fit(whole_X, whole_y).coef_
        ok = bool(np.abs(coef - want).max() <= 1e-4 * np.abs(want).max())
    if not comm.bcast_object(ok, 0):
        if comm.rank == 0:
            print("FAILED: hpa's Lasso coefficients differ from scikit-learn's; no timings")
        raise SystemExit(1)

    cases = {"lasso": (lambda: ours.fit(X, y), lambda: theirs.fit(whole_X, whole_y), 1)}
    results = run_cases(cases, args.repeats, torch_timer=time_root)
    if comm.rank != 0:
        return
    h, s = statistics.median(results["lasso"]["hpa"]), statistics.median(results["lasso"]["torch"])
    print(
        f"hpa {hpa.__version__}, communicator {comm.name}, {comm.size} process(es), "
        f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, X {args.rows} x {args.cols} float64, "
        f"alpha={args.alpha}, tol={args.tol}"
    )
    print(
        f"non-zero coefficients: {int(np.count_nonzero(coef))} of {args.cols}; "
        f"n_iter_ hpa {ours.n_iter_}, sklearn {theirs.n_iter_}; coefficients agree (1e-4)"
    )
    print(
        f"hpa Lasso.fit      {h:8.3f} s  (runs: {', '.join(f'{t:.3f}' for t in results['lasso']['hpa'])})"
    )
    print(
        f"sklearn Lasso.fit  {s:8.3f} s  (runs: {', '.join(f'{t:.3f}' for t in results['lasso']['torch'])})"
    )
    print("\nratio hpa / sklearn (lower is better; target: below 1.0 at 2 processes)")
    flag = "  MISSED" if comm.size > 1 and h / s >= 1.0 else ""
    print(f"  lasso {h / s:6.2f}x{flag}")


if __name__ == "__main__":
    main()
