"""Collectives moving more than 2**31 bytes (issue 15): right with MPI, gloo and loopback.

The large cases resplit an int64 array of 3 GiB split along axis 0 (to replicated, and to
split along axis 1) and broadcast one message of more than 2**31 bytes. The values are the
global linear index, so per-row sums and strided samples check them without a second copy.
A case skips, on every rank alike, when the node's free memory is below what it needs for
``P`` processes. With MPI, mpi4py (4.x) passes such counts to the MPI-4 large-count routines
(``MPI_Bcast_c``, ...), which MPICH 4+ and Open MPI 5 provide; an older library makes mpi4py
raise ``MPI_ERR_ARG`` instead of sending wrong data.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from helpers import P, RANK, agree

import hpa

GIB = 2**30
# int64 array of 3 GiB: ROWS x COLS elements
ROWS, COLS = 3 * 2**17, 2**10
TOTAL = ROWS * COLS * 8
# one message just over 2**31 bytes
MESSAGE = 2**31 + 2**26
# per process, for temporaries, transport buffers and the interpreter
SLACK = GIB // 2


def _mem_available() -> int:
    """MemAvailable of /proc/meminfo in bytes (0 where it cannot be read)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _need(nbytes: int) -> None:
    """Skip on every rank unless every rank sees ``nbytes`` (for all ``P`` processes) free."""
    available = min(hpa.get_comm().allgather_object(_mem_available()))
    need = nbytes + P * SLACK
    if available < need:
        pytest.skip(
            f"needs {need / GIB:.1f} GiB of free memory for {P} process(es), "
            f"{available / GIB:.1f} GiB available"
        )


def _fill_index(flat: torch.Tensor, start: int, step: int = 2**24) -> None:
    """Write ``start, start + 1, ...`` into the int64 tensor ``flat`` in place, in chunks."""
    for lo in range(0, flat.numel(), step):
        hi = min(lo + step, flat.numel())
        torch.arange(start + lo, start + hi, out=flat[lo:hi])


@pytest.fixture
def index_array() -> Iterator[hpa.Array]:
    """The (ROWS, COLS) int64 array split along 0 whose element (i, j) is ``i * COLS + j``."""
    x = hpa.empty((ROWS, COLS), dtype=hpa.int64, split=0)
    lo, _ = x.layout.range_of(RANK)
    _fill_index(x.larray.view(-1), lo * COLS)
    yield x
    del x


def _block_ok(t: torch.Tensor, rows: tuple[int, int], cols: tuple[int, int]) -> bool:
    """Whether ``t`` is block ``rows`` x ``cols`` of the index array (row sums, samples)."""
    (r0, r1), (c0, c1) = rows, cols
    if tuple(t.shape) != (r1 - r0, c1 - c0):
        return False
    i = torch.arange(r0, r1, dtype=torch.int64)
    width = c1 - c0
    expected_sums = i * COLS * width + (c0 + c1 - 1) * width // 2
    if not torch.equal(t.sum(1), expected_sums):
        return False
    si, sj = torch.arange(0, r1 - r0, 997), torch.arange(0, width, 61)
    samples = t[si][:, sj]
    expected = (si[:, None] + r0) * COLS + (sj[None, :] + c0)
    return torch.equal(samples, expected)


def test_resplit_none_of_3gib(index_array: hpa.Array) -> None:
    """Split 0 -> replicated: one allgatherv of 3 GiB in total (blocks of 3 GiB / P)."""
    _need(TOTAL * (1 + P))
    y = index_array.resplit(None)
    agree(y.split is None and _block_ok(y.larray, (0, ROWS), (0, COLS)), "resplit(None)")


def test_resplit_1_of_3gib(index_array: hpa.Array) -> None:
    """Split 0 -> split 1: the all-to-all exchange of 3 GiB in total."""
    _need(2 * TOTAL)
    z = index_array.resplit(1)
    cols = z.layout.range_of(RANK)
    agree(z.split == 1 and _block_ok(z.larray, (0, ROWS), cols), "resplit(1)")


def test_bcast_of_one_message_over_2gib() -> None:
    """One broadcast of a single message of more than 2**31 bytes."""
    _need(P * MESSAGE)
    buf = torch.zeros(MESSAGE // 8, dtype=torch.int64)
    if RANK == 0:
        _fill_index(buf, 0)
    out = hpa.get_comm().bcast(buf.view(torch.uint8), root=0).view(torch.int64)
    n = out.numel()
    step = torch.arange(0, n, 7919)
    ok = int(out.sum()) == n * (n - 1) // 2 and torch.equal(out[step], step)
    agree(ok and int(out[-1]) == n - 1, "bcast over 2**31 bytes")


# ---------------------------------------------------------------- MPI large-count calls
