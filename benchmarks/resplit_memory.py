"""Peak memory of a resplit, as a multiple of the local block.

Run under a launcher, e.g. ``mpiexec -n 2 python -m mpi4py benchmarks/resplit_memory.py``.
Each rank resets its peak resident set size (Linux ``/proc/self/clear_refs``), runs one resplit
of a float64 matrix, and reports how far its peak rose above the memory held before, in units
of its local block. The input block is alive throughout, so "input + output" is 1.0 above the
baseline; the design target is a peak near twice the local block in total.
"""

from __future__ import annotations

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch

import hpa


def _rss_kib(field: str) -> int:
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(field):
                return int(line.split()[1])
    raise RuntimeError(f"{field} not in /proc/self/status")


def _measure(x: hpa.Array, target: int | None) -> float:
    """Peak rise above the current resident memory during ``x.resplit(target)``, in blocks."""
    comm = hpa.get_comm()
    block_kib = x.lnbytes / 1024
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak (VmHWM) to the current resident size
    comm.barrier()
    base = _rss_kib("VmRSS")
    y = x.resplit(target)
    rise = (_rss_kib("VmHWM") - base) / block_kib
    del y
    worst = comm.allreduce(torch.tensor([rise], dtype=torch.float64), hpa.ReduceOp.MAX)
    return float(worst[0])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mib", type=int, default=256, help="local block size in MiB")
    args = parser.parse_args()
    comm = hpa.get_comm()
    cols = 512
    rows = args.mib * 2**20 // (8 * cols) * comm.size
    x = hpa.ones((rows, cols), split=0)
    results = {}
    for source, target in [(0, 1), (1, 0), (0, None)]:
        src = x if source == 0 else x.resplit(1)
        results[f"split {source} -> {target}"] = _measure(src, target)
        del src
    if comm.rank == 0:
        print(
            f"{comm.size} process(es), local block {x.lnbytes / 2**20:.0f} MiB, matrix {rows} x {cols} float64"
        )
        print("peak rise above the memory held before the call, in local blocks (output included):")
        for name, rise in results.items():
            print(f"  {name:18} {rise:5.2f}")


if __name__ == "__main__":
    main()
