"""The transposes of a distributed FFT against MPI's all-to-all, and the FFT's peak memory.

Run under a launcher, ``OMP_NUM_THREADS=1 mpiexec -n 2 python -m mpi4py
benchmarks/fft_transpose.py [--n 4096]``, or in one process (``python
benchmarks/fft_transpose.py``; the bandwidths are then n/a). The script defaults
``OMP_NUM_THREADS`` to 1.

The array: ``n x n`` complex128 (``n = 4096``: 256 MiB) split along axis 0, each rank holding a
block of ``n / p`` rows. Timed (median of ``--repeats`` calls after one warm-up, every call
started after a barrier, the slowest rank's time counting; :func:`harness.time_call`):

(a) ``MPI.COMM_WORLD.Alltoall`` of the local block's bytes cut into ``p`` equal pieces: the
    machine's all-to-all, no packing;
(a'') (a) into a newly allocated receive buffer, as every out-of-place transpose must: the
    pages' first touch (the kernel zeroing them) is part of its time;
(a') a hand-written slab transpose: the column pieces packed contiguous (one torch copy into
    a new tensor), then (a) into a new tensor; its result is the block of the array split
    along axis 1;
(b) hpa's transpose, ``x.resplit(1)`` (checked equal to (a'));
(c) ``hpa.fft.fftn(x)`` (two transposes) and ``hpa.fft.fftn(x, out_split=1)`` (one), and
    ``hpa.fft.fft(x, axis=0)``, next to the two local passes of ``fftn`` timed alone: a
    ``torch.fft.fft`` of the block along axis 1 and of the column block (``x.resplit(1)``'s)
    along axis 0.

Bandwidth: the local block's bytes over the time, per rank, in GB/s (10^9 bytes; a share
``(p - 1) / p`` of the bytes leaves the rank). Target (issue 16): (b) reaches at least half of
(a), ratio ``b / a >= 0.5`` of the bandwidths.

(d) Peak memory per rank during ``hpa.fft.fft(x, axis=0)`` (the transform along the split
axis), measured as ``benchmarks/resplit_memory.py`` does: the peak resident set size (Linux
``VmHWM``, reset through ``/proc/self/clear_refs``) above the resident size before the call,
in local blocks, output included; the input block is alive throughout, so the transform's
footprint is ``1 + rise`` blocks. Target: at most 3 blocks. ``fftn(x)`` and ``x.resplit(1)``
are measured alike for comparison.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
from collections.abc import Callable
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch
from harness import slowest, time_call
from resplit_memory import _rss_kib

import hpa

torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))


def _median(fn: Callable[[], Any], repeats: int) -> float:
    """Median seconds of ``fn`` over ``repeats`` barrier-started calls after a warm-up."""
    fn()
    return statistics.median(time_call(fn, 1) for _ in range(repeats))


def _peak_rise(fn: Callable[[], Any], block_bytes: int) -> float:
    """The largest rank's peak rise above its resident memory during ``fn()``, in blocks."""
    gc.collect()
    with open("/proc/self/clear_refs", "w") as fh:
        fh.write("5")  # reset the peak (VmHWM) to the current resident size
    hpa.get_comm().barrier()
    base = _rss_kib("VmRSS")
    y = fn()
    rise = (_rss_kib("VmHWM") - base) * 1024 / block_bytes
    del y
    return slowest(rise)


def _gbps(nbytes: int, seconds: float, size: int) -> str:
    return f"{nbytes / seconds / 1e9:7.2f} GB/s" if size > 1 else "    n/a     "


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=4096, help="matrix order")
    parser.add_argument("--repeats", type=int, default=7, help="timed calls per measurement")
    args = parser.parse_args()
    comm = hpa.get_comm()
    rank, size, n = comm.rank, comm.size, args.n
    if n % size:
        raise SystemExit(f"--n {n} must be a multiple of the process count {size}")
    rows, cols = n // size, n // size

    gen = torch.Generator().manual_seed(1000 + rank)
    local = torch.randn(rows, n, dtype=torch.complex128, generator=gen)
    x = hpa.array(local, is_split=0)
    block = x.lnbytes
    times: dict[str, float] = {}

    # (a) the machine's all-to-all of the same bytes; (a') the hand-written slab transpose
    if size > 1:
        from mpi4py import MPI

        world = MPI.COMM_WORLD
    else:
        world = None
    send = local.view(torch.float64).reshape(-1).numpy()
    recv = torch.empty_like(local).view(torch.float64).reshape(-1).numpy()

    def alltoall() -> None:
        if world is None:
            recv[:] = send
        else:
            world.Alltoall(send, recv)

    def hand_transpose() -> torch.Tensor:
        packed = local.view(rows, size, cols).transpose(0, 1).contiguous()
        out = torch.empty(size, rows, cols, dtype=local.dtype)
        if world is None:
            out.copy_(packed)
        else:
            world.Alltoall(
                packed.view(torch.float64).reshape(-1).numpy(),
                out.view(torch.float64).reshape(-1).numpy(),
            )
        return out.reshape(n, cols)

    def alltoall_new() -> torch.Tensor:
        out = torch.empty_like(local)
        if world is None:
            out.copy_(local)
        else:
            world.Alltoall(send, out.view(torch.float64).reshape(-1).numpy())
        return out

    times["(a)  MPI Alltoall"] = _median(alltoall, args.repeats)
    times["(a'') Alltoall, new buffer"] = _median(alltoall_new, args.repeats)
    times["(a') pack + Alltoall"] = _median(hand_transpose, args.repeats)

    # (b) hpa's transpose, checked against the hand-written one
    same = bool(torch.equal(x.resplit(1).larray, hand_transpose()))
    if not all(comm.allgather_object(same)):
        raise SystemExit("x.resplit(1) differs from the hand-written slab transpose")
    times["(b)  hpa x.resplit(1)"] = _median(lambda: x.resplit(1), args.repeats)

    # (c) the FFTs
    try:
        import hpa.fft as hfft

        hfft.fftn, hfft.fft  # noqa: B018 (a half-written package imports as a namespace)
    except (ImportError, AttributeError) as exc:
        hfft = None
        missing = f"hpa.fft not available ({exc})"
    times["     torch.fft.fft(block, dim=1)"] = _median(
        lambda: torch.fft.fft(local, dim=1), args.repeats
    )
    times["     torch.fft.fft(column block, dim=0)"] = _median(
        lambda c=x.resplit(1).larray: torch.fft.fft(c, dim=0), args.repeats
    )
    if hfft is not None:
        times["(c)  hpa.fft.fftn(x)"] = _median(lambda: hfft.fftn(x), args.repeats)
        times["(c)  hpa.fft.fftn(x, out_split=1)"] = _median(
            lambda: hfft.fftn(x, out_split=1), args.repeats
        )
        times["     hpa.fft.fft(x, axis=0)"] = _median(lambda: hfft.fft(x, axis=0), args.repeats)

    # (d) peak memory, in local blocks above what was resident before the call
    rises = {"x.resplit(1)": _peak_rise(lambda: x.resplit(1), block)}
    if hfft is not None:
        rises["hpa.fft.fftn(x)"] = _peak_rise(lambda: hfft.fftn(x), block)
        rises["hpa.fft.fft(x, axis=0)"] = _peak_rise(lambda: hfft.fft(x, axis=0), block)

    if rank != 0:
        return
    print(
        f"hpa {hpa.__version__}, torch {torch.__version__}, communicator {comm.name}, "
        f"{size} process(es), OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}, "
        f"{n} x {n} complex128 split along axis 0, local block {block / 2**20:.0f} MiB, "
        f"median of {args.repeats}"
    )
    print("\nseconds and bandwidth (local block bytes / time, per rank):")
    for name, s in times.items():
        bw = _gbps(block, s, size) if name.startswith("(") and "fft" not in name else ""
        print(f"  {name:40} {s * 1e3:9.1f} ms  {bw}")
    a, b = times["(a)  MPI Alltoall"], times["(b)  hpa x.resplit(1)"]
    verdict = "met" if a / b >= 0.5 else "MISSED"
    ratio = f"{a / b:.2f} ({verdict}, target >= 0.5)" if size > 1 else "n/a (one process)"
    print(f"\nhpa transpose bandwidth / MPI Alltoall bandwidth: {ratio}")
    if size > 1:
        fresh = times["(a'') Alltoall, new buffer"]
        print(f"hpa transpose bandwidth / Alltoall into a new buffer: {fresh / b:.2f}")
    if hfft is None:
        print(missing)
    elif size > 1:
        parts = times["     torch.fft.fft(block, dim=1)"]
        parts += times["     torch.fft.fft(column block, dim=0)"] + 2 * b
        print(
            f"hpa.fft.fftn(x) {times['(c)  hpa.fft.fftn(x)'] * 1e3:.1f} ms; its parts timed alone "
            f"(the two local passes and two transposes (b)): {parts * 1e3:.1f} ms"
        )
    print("\npeak memory per rank during the call, in local blocks (input block not counted in")
    print("the rise; footprint = input + rise; target for the FFT along the split axis <= 3):")
    for name, rise in rises.items():
        flag = ""
        if name == "hpa.fft.fft(x, axis=0)":
            flag = "  met" if 1 + rise <= 3 else "  MISSED"
        print(f"  {name:24} rise {rise:5.2f}  footprint {1 + rise:5.2f}{flag}")


if __name__ == "__main__":
    main()
