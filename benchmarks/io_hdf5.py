"""HDF5 load benchmark: a 1 GiB float64 dataset loaded split along rows, hpa next to h5py.

Run in one process (``python benchmarks/io_hdf5.py``) or under a launcher
(``OMP_NUM_THREADS=1 mpiexec -n 2 python -m mpi4py benchmarks/io_hdf5.py``). Rank 0 writes the
file once (``--path``, default in the system's temporary directory); then, repeated and
interleaved, hpa loads it split along rows (``hpa.load_hdf5``: each rank reads its own
hyperslab) while the peers run on rank 0 alone: h5py reading the whole dataset (the call a
user replaces) and a plain ``readinto`` of the file's bytes (what the storage delivers). The
file is in the page cache after it is written, so these are cached-read bandwidths; the ratio
table (hpa / peer) is printed last, with the target below 1 for ``h5py`` at 2 processes.
"""

from __future__ import annotations

import argparse
import os
import tempfile

os.environ.setdefault("OMP_NUM_THREADS", "1")

import h5py
import numpy as np
import torch
from harness import print_report, run_cases, time_root, write_json

import hpa

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _write(path: str, rows: int, cols: int) -> None:
    """Rank 0 writes the dataset ``x`` (``rows x cols`` float64) in slabs of 64 MiB."""
    step = max(1, (64 << 20) // (8 * cols))
    with h5py.File(path, "w") as handle:
        stored = handle.create_dataset("x", shape=(rows, cols), dtype=np.float64)
        for lo in range(0, rows, step):
            hi = min(rows, lo + step)
            stored[lo:hi] = np.arange(lo * cols, hi * cols, dtype=np.float64).reshape(-1, cols)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--gib", type=float, default=1.0, help="dataset size in GiB")
    parser.add_argument("--cols", type=int, default=128)
    parser.add_argument("--path", default=os.path.join(tempfile.gettempdir(), "hpa-bench.h5"))
    parser.add_argument("--json", help="write the results to this file (rank 0)")
    args = parser.parse_args()
    comm = hpa.get_comm()
    rows = int(args.gib * (1 << 30)) // (8 * args.cols)
    if comm.rank == 0:
        _write(args.path, rows, args.cols)
    comm.barrier()

    x = hpa.load_hdf5(args.path, "x", split=0)
    lo = x.layout.range_of(comm.rank)[0]
    expected = torch.arange(lo * args.cols, (lo + x.lshape[0]) * args.cols, dtype=torch.float64)
    ok = bool(torch.equal(x.larray.reshape(-1), expected))
    ok = all(comm.allgather_object(ok))
    del x, expected

    def h5py_whole() -> np.ndarray:
        with h5py.File(args.path, "r") as handle:
            return handle["x"][()]

    buffer = bytearray(os.path.getsize(args.path)) if comm.rank == 0 else bytearray()

    def plain_read() -> int:
        with open(args.path, "rb", buffering=0) as handle:
            return handle.readinto(buffer)

    def load() -> hpa.Array:
        return hpa.load_hdf5(args.path, "x", split=0)

    cases = {"h5py": (load, h5py_whole, 1), "plain-read": (load, plain_read, 1)}
    results = run_cases(cases, args.repeats, torch_timer=time_root)
    if comm.rank == 0:
        os.remove(args.path)
        size = rows * args.cols * 8
        summary = print_report(
            results, "ms", "the peer runs on rank 0 alone; target: h5py below 1.0 at 2 processes",
            target=1.0 if comm.size > 1 else None, width=12,
            extra_header=f", {size / (1 << 30):.2f} GiB, check {'passed' if ok else 'FAILED'}",
        )  # fmt: skip
        gib = size / (1 << 30)
        print("\nbandwidth (GiB/s): "
              f"hpa {gib / summary['h5py']['hpa_s']:.2f}, h5py {gib / summary['h5py']['torch_s']:.2f}, "
              f"plain read {gib / summary['plain-read']['torch_s']:.2f}")  # fmt: skip
        if args.json:
            write_json(args.json, summary, comm)


if __name__ == "__main__":
    main()
