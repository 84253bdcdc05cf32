"""The MPI communicator (mpi4py).

CPU tensors are handed to MPI zero-copy as NumPy views; data movement travels as raw bytes,
so every dtype (bfloat16 and bool included) moves unchanged. CUDA tensors go to MPI directly
when the MPI library supports CUDA buffers (after the producing stream has finished), and are
otherwise staged through pinned host memory. Support is read from the library
(``MPIX_Query_cuda_support``, as Open MPI and MPICH provide it); ``HPA_MPI_CUDA_AWARE=1`` or
``0`` overrides the answer.

Every transfer is started non-blocking and completed in :meth:`MPICommunicator._wait`, which
also watches for ranks that have reached the end of their script (each rank announces it at
exit with a one-byte message, :meth:`MPICommunicator.finish`). A rank waiting in a collective
that a finished rank will never join raises
:class:`~hpa.comm.checking.CollectiveMismatch` instead of waiting forever; measured here, the
non-blocking routines completed in a test loop are as fast as the blocking ones.
"""

from __future__ import annotations

import ctypes
import math
import os
import pickle
import time
from typing import Any

import numpy as np

import torch
from mpi4py import MPI

from hpa.comm.base import Communicator, ReduceOp, Request, env_flag, raw_bytes
from hpa.comm.checking import CollectiveMismatch
from hpa.comm.staging import host_buffer, to_device, to_host, wait_for_stream

__all__ = ["MPICommunicator", "mpi_cuda_aware"]

_OPS = {
    ReduceOp.SUM: MPI.SUM,
    ReduceOp.PROD: MPI.PROD,
    ReduceOp.MIN: MPI.MIN,
    ReduceOp.MAX: MPI.MAX,
}


# the tag of the message a rank sends every other rank when its script has ended
_FINISHED_TAG = 32000
# world ranks known to have ended their script (their message received)
_finished: set[int] = set()
# how long a wait goes on after a peer has finished, for transfers it completed on its side
_FINISH_GRACE_S = 2.0
_ONE_BYTE = np.zeros(1, dtype=np.uint8)


def _collect_finished() -> None:
    """Receive the end-of-script messages that have arrived."""
    world = MPI.COMM_WORLD
    status = MPI.Status()
    while world.Iprobe(MPI.ANY_SOURCE, _FINISHED_TAG, status):
        world.Recv(np.empty(1, dtype=np.uint8), status.Get_source(), _FINISHED_TAG)
        _finished.add(status.Get_source())


def _loaded_mpi_libraries() -> list[str]:
    """Paths of the MPI shared libraries loaded into this process (Linux)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {line.split()[-1] for line in maps if "libmpi" in line}
    except OSError:
        return []
    return sorted(p for p in paths if os.path.basename(p).startswith("libmpi"))


def mpi_cuda_aware() -> bool:
    """Whether the MPI library accepts CUDA device buffers.

    ``HPA_MPI_CUDA_AWARE`` (``1``/``0``) decides when set; otherwise the library is asked through
    ``MPIX_Query_cuda_support``, and a library without that extension counts as not CUDA-aware.
    """
    forced = env_flag("HPA_MPI_CUDA_AWARE")
    if forced is not None:
        return forced
    for path in _loaded_mpi_libraries():
        try:
            query = ctypes.CDLL(path).MPIX_Query_cuda_support
        except (OSError, AttributeError):
            continue
        query.restype = ctypes.c_int
        return bool(query())
    return False


class MPICommunicator(Communicator):
    """Collectives over an ``mpi4py`` communicator (``MPI.COMM_WORLD`` by default).

    Parameters
    ----------
    comm : mpi4py.MPI.Comm, optional
        The MPI communicator to wrap.
    """

    name = "mpi"

    def __init__(self, comm: Any = None) -> None:
        self.mpi_comm = comm if comm is not None else MPI.COMM_WORLD
        super().__init__(self.mpi_comm.Get_rank(), self.mpi_comm.Get_size())
        self.cuda_aware = mpi_cuda_aware()
        group, world = self.mpi_comm.Get_group(), MPI.COMM_WORLD.Get_group()
        members = MPI.Group.Translate_ranks(group, list(range(self.size)), world)
        self._world_rank = MPI.COMM_WORLD.Get_rank()
        self._peers = frozenset(members) - {self._world_rank}

    # waiting, ending -----------------------------------------------------------------
    def _wait(self, req: Any, what: str) -> None:
        """Complete ``req``; raise if a peer ended its script while this rank waits."""
        spins = 0
        deadline = None
        while not req.Test():
            spins += 1
            if spins % 64:
                continue
            os.sched_yield()  # with more ranks than cores, let the rank we wait for run
            _collect_finished()
            gone = _finished & self._peers
            if not gone:
                continue
            if deadline is None:
                deadline = time.monotonic() + _FINISH_GRACE_S
            elif time.monotonic() > deadline:
                ranks = ", ".join(map(str, sorted(gone)))
                raise CollectiveMismatch(
                    f"rank(s) {ranks} reached the end of the script while rank "
                    f"{self._world_rank} waits in {what}: the ranks called different "
                    "collectives (a rank-dependent argument or branch?); run with HPA_CHECK=1 "
                    "to find the first call where they differ"
                )

    def finish(self) -> None:
        """Announce the end of this rank's script to every other rank; wait until they end.

        Waiting costs no CPU (a 10 ms poll): the other ranks may still be working.
        """
        world = MPI.COMM_WORLD
        others = [r for r in range(world.Get_size()) if r != self._world_rank]
        sends = [world.Isend(_ONE_BYTE, r, _FINISHED_TAG) for r in others]
        while True:
            _collect_finished()
            if _finished >= set(others):
                break
            time.sleep(0.01)
        MPI.Request.Waitall(sends)

    def abort(self, code: int = 1) -> None:
        """End every process of the job: ``MPI_Abort`` on the world communicator."""
        MPI.COMM_WORLD.Abort(code)

    # tensors <-> MPI buffers ------------------------------------------------------
    def _staged(self, t: torch.Tensor) -> bool:
        """Whether ``t`` travels through a host copy (a device tensor, MPI not CUDA-aware)."""
        return t.device.type != "cpu" and not self.cuda_aware

    def _stage(self, t: torch.Tensor, fresh: bool = False) -> torch.Tensor:
        """A tensor MPI can read holding ``t``'s values.

        On the host, or on a device with CUDA-aware MPI, that is ``t`` itself (a copy when
        ``fresh``), once the device's stream has finished writing it; else a pinned host copy.
        """
        if self._staged(t):
            return to_host(t)
        out = t.clone() if fresh else t
        wait_for_stream(out)
        return out

    def _buffer(self, shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
        """An empty buffer MPI can write, for a result that belongs on ``like``'s device."""
        if self._staged(like):
            return host_buffer(shape, like.dtype)
        out = torch.empty(shape, dtype=like.dtype, device=like.device)
        wait_for_stream(out)
        return out

    @staticmethod
    def _unstage(work: torch.Tensor, into: torch.Tensor | None, like: torch.Tensor) -> torch.Tensor:
        """``work`` (filled by MPI) on ``like``'s device, or copied into ``into``."""
        if into is None and work.device == like.device:
            return work
        return to_device(work, like, into)

    def _buf(self, t: torch.Tensor) -> Any:
        return t.numpy() if t.device.type == "cpu" else t

    def _raw(self, t: torch.Tensor) -> Any:
        """The bytes of a contiguous tensor as an MPI buffer."""
        return self._buf(raw_bytes(t))

    # transport ----------------------------------------------------------------------
    def _allreduce(self, t: torch.Tensor, op: ReduceOp) -> torch.Tensor:
        work = self._stage(t, fresh=True)
        self._wait(self.mpi_comm.Iallreduce(MPI.IN_PLACE, self._buf(work), _OPS[op]), "allreduce")
        return self._unstage(work, None, t)

    def _reduce_scatter(self, t: torch.Tensor, counts: list[int], op: ReduceOp) -> torch.Tensor:
        src = self._stage(t)
        row = math.prod(t.shape[1:])
        out = self._buffer((counts[self.rank], *t.shape[1:]), t)
        sizes = [c * row for c in counts]
        req = self.mpi_comm.Ireduce_scatter(self._buf(src), self._buf(out), sizes, _OPS[op])
        self._wait(req, "reduce_scatter")
        return self._unstage(out, None, t)

    def _allgatherv(self, t: torch.Tensor, counts: list[int]) -> torch.Tensor:
        src = self._stage(t)
        row = math.prod(t.shape[1:]) * t.element_size()
        out = self._buffer((sum(counts), *t.shape[1:]), t)
        req = self.mpi_comm.Iallgatherv(self._raw(src), [self._raw(out), [c * row for c in counts]])
        self._wait(req, "allgatherv")
        return self._unstage(out, None, t)

    def _alltoallv(
        self, t: torch.Tensor, send_counts: list[int], recv_counts: list[int], out: torch.Tensor
    ) -> None:
        src = self._stage(t)
        row = math.prod(t.shape[1:]) * t.element_size()
        recv = self._buffer(tuple(out.shape), out) if self._staged(out) else out
        req = self.mpi_comm.Ialltoallv(
            [self._raw(src), [c * row for c in send_counts]],
            [self._raw(recv), [c * row for c in recv_counts]],
        )
        self._wait(req, "alltoallv")
        if recv is not out:
            self._unstage(recv, out, out)

    def _bcast(self, t: torch.Tensor, root: int) -> torch.Tensor:
        receives_staged = self.rank != root and self._staged(t)
        work = self._buffer(tuple(t.shape), t) if receives_staged else self._stage(t)
        self._wait(self.mpi_comm.Ibcast(self._raw(work), root=root), "bcast")
        return t if work is t or self.rank == root else self._unstage(work, t, t)

    def _isend(self, t: torch.Tensor, dest: int, tag: int) -> Request:
        src = self._stage(t)
        req = self.mpi_comm.Isend(self._raw(src), dest=dest, tag=tag)

        def complete(staged: torch.Tensor = src) -> None:
            # ``staged`` keeps a host copy alive until MPI has sent it
            self._wait(req, f"a send to rank {dest}")

        return Request(complete)

    def _irecv(self, buf: torch.Tensor, source: int, tag: int) -> Request:
        direct = buf.is_contiguous() and not self._staged(buf)
        work = self._stage(buf) if direct else self._buffer(tuple(buf.shape), buf)
        req = self.mpi_comm.Irecv(self._raw(work), source=source, tag=tag)

        def complete() -> None:
            self._wait(req, f"a receive from rank {source}")
            if work is not buf:
                self._unstage(work, buf, buf)

        return Request(complete, buf)

    def _barrier(self) -> None:
        self._wait(self.mpi_comm.Ibarrier(), "barrier")

    def _bcast_object(self, obj: Any, root: int) -> Any:
        data = pickle.dumps(obj) if self.rank == root else b""
        size = np.array([len(data)], dtype=np.int64)
        self._wait(self.mpi_comm.Ibcast(size, root=root), "bcast_object")
        buf = (
            np.frombuffer(bytearray(data), dtype=np.uint8)
            if self.rank == root
            else np.empty(int(size[0]), np.uint8)
        )
        self._wait(self.mpi_comm.Ibcast(buf, root=root), "bcast_object")
        return obj if self.rank == root else pickle.loads(buf.tobytes())

    def _allgather_object(self, obj: Any) -> list[Any]:
        data = np.frombuffer(pickle.dumps(obj), dtype=np.uint8)
        sizes = np.empty(self.size, dtype=np.int64)
        mine = np.array([data.size], dtype=np.int64)
        self._wait(self.mpi_comm.Iallgather(mine, sizes), "allgather_object")
        out = np.empty(int(sizes.sum()), dtype=np.uint8)
        self._wait(self.mpi_comm.Iallgatherv(data, [out, sizes.tolist()]), "allgather_object")
        ends = np.cumsum(sizes).tolist()
        starts = [0, *ends[:-1]]
        return [pickle.loads(out[a:b].tobytes()) for a, b in zip(starts, ends)]

    def _split(self, color: int, key: int) -> Communicator:
        return MPICommunicator(self.mpi_comm.Split(color, key))
