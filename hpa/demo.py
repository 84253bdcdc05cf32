"""A small end-to-end job: ``python -m hpa.demo`` (any launcher, any process count).

It generates its own data (a table of measurements split across the processes), computes
column statistics, standardises the table, counts outliers, and compares each answer with
NumPy computed on rank 0's own copy of the data. It prints which communicator and devices ran
the job. Every line comes from rank 0, and every rank computed the same answers.
"""

from __future__ import annotations

import argparse

import numpy as np

import hpa


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_003, help="rows of the generated table")
    parser.add_argument("--cols", type=int, default=8, help="columns of the generated table")
    parser.add_argument("--device", default=None, help="cpu or gpu (default: HPA_DEVICE or cpu)")
    args = parser.parse_args()

    comm = hpa.get_comm()
    device = hpa.use_device(args.device) if args.device else hpa.get_device()
    say = print if comm.rank == 0 else (lambda *a, **k: None)

    # data: rows split over the processes; each rank builds only its block
    idx = hpa.arange(args.rows, dtype=hpa.float64, split=0)
    cols = [hpa.sin(idx * (0.001 * (c + 1))) * (c + 1) + c for c in range(args.cols)]
    table = hpa.zeros((args.rows, args.cols), split=0)
    for c, col in enumerate(cols):
        table[:, c] = col
    ref = np.stack(
        [
            np.sin(np.arange(args.rows, dtype=np.float64) * (0.001 * (c + 1))) * (c + 1) + c
            for c in range(args.cols)
        ],
        axis=1,
    )

    with hpa.count_collectives() as stats:
        mean = table.mean(axis=0)
        std = table.std(axis=0)
        z = (table - mean) / std
        outliers = hpa.sum(hpa.abs(z) > 1.2)
        by_column = table.T  # split moves with its axis: no communication
        col_max = by_column.max(axis=1)
        ragged = table[: args.rows // 3]  # a slice keeps rows where they are: ragged blocks
        balanced = ragged.balance()

    checks = {
        "mean": np.allclose(mean.numpy(), ref.mean(axis=0)),
        "std": np.allclose(std.numpy(), ref.std(axis=0)),
        "outliers": int(outliers) == int((np.abs((ref - ref.mean(0)) / ref.std(0)) > 1.2).sum()),
        "column max": np.allclose(col_max.numpy(), ref.max(axis=0)),
        "balance": np.allclose(balanced.numpy(), ref[: args.rows // 3]),
    }
    say(f"hpa {hpa.__version__}: communicator={comm.name}, processes={comm.size}, device={device}")
    say(f"table: shape={table.shape}, split={table.split}, blocks per rank={table.counts}")
    say(f"column means:  {np.array2string(mean.numpy(), precision=4)}")
    say(f"column stds:   {np.array2string(std.numpy(), precision=4)}")
    say(f"|z| > 1.2:     {int(outliers)} values")
    say(f"column maxima: {np.array2string(col_max.numpy(), precision=4)}")
    say(f"slice of the first third: blocks {ragged.counts} -> balanced {balanced.counts}")
    say(f"collectives used: {stats}")
    for name, ok in checks.items():
        say(f"check {name:11}: {'ok' if ok else 'WRONG'}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
