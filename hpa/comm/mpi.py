"""The MPI communicator (mpi4py).

CPU tensors are handed to MPI zero-copy as NumPy views; data movement travels as raw bytes,
so every dtype (bfloat16 and bool included) moves unchanged. CUDA tensors go to MPI directly
when the MPI library reports CUDA support, and are staged through host memory otherwise.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from mpi4py import MPI

from hpa.comm.base import Communicator, ReduceOp, Request, raw_bytes

__all__ = ["MPICommunicator"]

_OPS = {
    ReduceOp.SUM: MPI.SUM,
    ReduceOp.PROD: MPI.PROD,
    ReduceOp.MIN: MPI.MIN,
    ReduceOp.MAX: MPI.MAX,
}


def _cuda_aware() -> bool:
    query = getattr(MPI, "Query_cuda_support", None)
    try:
        return bool(query()) if query is not None else False
    except MPI.Exception:
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
        self.cuda_aware = _cuda_aware()

    # tensors <-> MPI buffers ------------------------------------------------------
    def _stage(self, t: torch.Tensor) -> torch.Tensor:
        """A tensor MPI can read: ``t`` itself on the host or with CUDA-aware MPI."""
        if t.device.type == "cpu" or self.cuda_aware:
            return t
        return t.cpu()

    def _buf(self, t: torch.Tensor) -> Any:
        return t.numpy() if t.device.type == "cpu" else t

    def _raw(self, t: torch.Tensor) -> Any:
        """The bytes of a contiguous tensor as an MPI buffer."""
        return self._buf(raw_bytes(t))

    def _empty(self, shape: tuple[int, ...], like: torch.Tensor) -> torch.Tensor:
        return torch.empty(shape, dtype=like.dtype, device=like.device)

    # transport ----------------------------------------------------------------------
    def _allreduce(self, t: torch.Tensor, op: ReduceOp) -> torch.Tensor:
        work = self._stage(t).clone()
        self.mpi_comm.Allreduce(MPI.IN_PLACE, self._buf(work), _OPS[op])
        return work.to(t.device)

    def _reduce_scatter(self, t: torch.Tensor, counts: list[int], op: ReduceOp) -> torch.Tensor:
        src = self._stage(t)
        row = math.prod(t.shape[1:])
        out = self._empty((counts[self.rank], *t.shape[1:]), src)
        sizes = [c * row for c in counts]
        self.mpi_comm.Reduce_scatter(self._buf(src), self._buf(out), sizes, _OPS[op])
        return out.to(t.device)

    def _allgatherv(self, t: torch.Tensor, counts: list[int]) -> torch.Tensor:
        src = self._stage(t)
        row = math.prod(t.shape[1:]) * t.element_size()
        out = self._empty((sum(counts), *t.shape[1:]), src)
        self.mpi_comm.Allgatherv(self._raw(src), [self._raw(out), [c * row for c in counts]])
        return out.to(t.device)

    def _alltoallv(
        self, t: torch.Tensor, send_counts: list[int], recv_counts: list[int], out: torch.Tensor
    ) -> None:
        src = self._stage(t)
        row = math.prod(t.shape[1:]) * t.element_size()
        recv = self._stage(out)
        self.mpi_comm.Alltoallv(
            [self._raw(src), [c * row for c in send_counts]],
            [self._raw(recv), [c * row for c in recv_counts]],
        )
        if recv is not out:
            out.copy_(recv)

    def _bcast(self, t: torch.Tensor, root: int) -> torch.Tensor:
        work = self._stage(t)
        self.mpi_comm.Bcast(self._raw(work), root=root)
        return work.to(t.device)

    def _isend(self, t: torch.Tensor, dest: int, tag: int) -> Request:
        src = self._stage(t)
        req = self.mpi_comm.Isend(self._raw(src), dest=dest, tag=tag)
        return Request(req.Wait)

    def _irecv(self, buf: torch.Tensor, source: int, tag: int) -> Request:
        work = (
            buf
            if buf.is_contiguous() and self._stage(buf) is buf
            else self._empty(tuple(buf.shape), buf).cpu()
        )
        req = self.mpi_comm.Irecv(self._raw(work), source=source, tag=tag)

        def complete() -> None:
            req.Wait()
            if work is not buf:
                buf.copy_(work)

        return Request(complete, buf)

    def _barrier(self) -> None:
        self.mpi_comm.Barrier()

    def _bcast_object(self, obj: Any, root: int) -> Any:
        return self.mpi_comm.bcast(obj, root=root)

    def _allgather_object(self, obj: Any) -> list[Any]:
        return self.mpi_comm.allgather(obj)

    def _split(self, color: int, key: int) -> Communicator:
        return MPICommunicator(self.mpi_comm.Split(color, key))
