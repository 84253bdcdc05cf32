"""The torch.distributed communicator: gloo for CPU tensors, NCCL for CUDA tensors.

Under ``torchrun`` the default process group is created with both backends when every process
of a node can have a GPU of its own (``cpu:gloo,cuda:nccl``), so the tensor's device picks the
transport, and each process binds the GPU of its local rank. NCCL needs one GPU per process:
with more processes on a node than GPUs the group is gloo alone and CUDA tensors travel through
pinned host memory. Neither has an uneven allgather: small blocks are padded to the longest one
and trimmed after the exchange; large gathers broadcast every block straight into its place in
the result. Data movement travels as raw bytes so every dtype moves unchanged.
"""

from __future__ import annotations

import math
import os
from typing import Any

import torch
import torch.distributed as dist

from hpa.backends import gpu
from hpa.comm.base import Communicator, ReduceOp, Request, env_flag, raw_bytes
from hpa.comm.staging import host_buffer, to_device, to_host

__all__ = ["TorchCommunicator"]

_OPS = {
    ReduceOp.SUM: dist.ReduceOp.SUM,
    ReduceOp.PROD: dist.ReduceOp.PRODUCT,
    ReduceOp.MIN: dist.ReduceOp.MIN,
    ReduceOp.MAX: dist.ReduceOp.MAX,
}


def _gpu_per_process() -> bool:
    """Whether every process on this node can own a GPU (what NCCL requires).

    ``HPA_TORCH_NCCL=1`` or ``0`` decides when set: a launcher that hands each process one GPU
    through ``CUDA_VISIBLE_DEVICES`` leaves every process seeing a single device.
    """
    forced = env_flag("HPA_TORCH_NCCL")
    if forced is not None:
        return forced
    if not torch.cuda.is_available():
        return False
    local = int(os.environ.get("LOCAL_WORLD_SIZE", os.environ.get("WORLD_SIZE", "1")))
    return local <= torch.cuda.device_count()


def _init_default_group() -> None:
    if dist.is_initialized():
        return
    if _gpu_per_process():
        torch.cuda.set_device(gpu.torch_device)
        dist.init_process_group(backend="cpu:gloo,cuda:nccl")
    else:
        dist.init_process_group(backend="gloo")


# gathers larger than this go as one broadcast per rank instead of a padded all_gather
_BROADCAST_GATHER_BYTES = 1 << 20
_all_gather_flat = getattr(dist, "all_gather_single", None) or dist.all_gather_into_tensor


class TorchCommunicator(Communicator):
    """Collectives over a torch.distributed process group.

    Parameters
    ----------
    group : torch.distributed.ProcessGroup, optional
        The group to use; the default group (initialised from the ``torchrun`` environment on
        first use) when omitted.
    """

    name = "torch"

    def __init__(self, group: Any = None) -> None:
        if group is None:
            _init_default_group()
        self.group = group
        super().__init__(dist.get_rank(group), dist.get_world_size(group))
        self._global_ranks = [
            r if group is None else dist.get_global_rank(group, r) for r in range(self.size)
        ]
        self.nccl = "nccl" in str(dist.get_backend(group))

    def _staged(self, t: torch.Tensor) -> bool:
        """Whether ``t`` travels through host memory (a CUDA tensor in a group without NCCL)."""
        return t.device.type == "cuda" and not self.nccl

    def _allreduce(self, t: torch.Tensor, op: ReduceOp) -> torch.Tensor:
        work = to_host(t) if self._staged(t) else t.clone()
        dist.all_reduce(work, op=_OPS[op], group=self.group)
        return to_device(work, t) if work.device != t.device else work

    def _allgatherv(self, t: torch.Tensor, counts: list[int]) -> torch.Tensor:
        if self._staged(t):
            return to_device(self._allgatherv(to_host(t), counts), t)
        rest = t.shape[1:]
        row = math.prod(rest) * t.element_size()
        out = torch.empty((sum(counts), *rest), dtype=t.dtype, device=t.device)
        flat = raw_bytes(out)
        if sum(counts) * row > _BROADCAST_GATHER_BYTES:
            # large: every block is broadcast straight into its place (no padded copies,
            # which for ragged blocks would cost several times the result)
            start = 0
            for r, c in enumerate(counts):
                piece = flat[start : start + c * row]
                if r == self.rank:
                    piece.copy_(raw_bytes(t))
                dist.broadcast(piece, src=self._global_ranks[r], group=self.group)
                start += c * row
            return out
        longest = max(counts)
        padded = torch.zeros(longest * row, dtype=torch.uint8, device=t.device)
        padded[: counts[self.rank] * row] = raw_bytes(t)
        gathered = torch.empty(self.size * longest * row, dtype=torch.uint8, device=t.device)
        _all_gather_flat(gathered, padded, group=self.group)
        blocks = gathered.view(self.size, longest * row)
        torch.cat([blocks[r, : counts[r] * row] for r in range(self.size)], out=flat)
        return out

    def _alltoallv(
        self, t: torch.Tensor, send_counts: list[int], recv_counts: list[int], out: torch.Tensor
    ) -> None:
        if self._staged(t):
            recv = host_buffer(tuple(out.shape), out.dtype)
            self._alltoallv(to_host(t), send_counts, recv_counts, recv)
            to_device(recv, out, out)
            return
        row = math.prod(t.shape[1:]) * t.element_size()
        dist.all_to_all_single(
            raw_bytes(out),
            raw_bytes(t),
            [c * row for c in recv_counts],
            [c * row for c in send_counts],
            group=self.group,
        )

    def _bcast(self, t: torch.Tensor, root: int) -> torch.Tensor:
        if self._staged(t):
            if self.rank == root:
                self._bcast(to_host(t), root)
                return t
            return to_device(self._bcast(host_buffer(tuple(t.shape), t.dtype), root), t, t)
        dist.broadcast(raw_bytes(t), src=self._global_ranks[root], group=self.group)
        return t

    def _isend(self, t: torch.Tensor, dest: int, tag: int) -> Request:
        if self._staged(t):
            host = to_host(t)
            sent = self._isend(host, dest, tag)

            def complete(staged: torch.Tensor = host) -> None:
                # ``staged`` keeps the host copy alive until it has been sent
                sent.wait()

            return Request(complete)
        work = dist.isend(raw_bytes(t), dst=self._global_ranks[dest], group=self.group, tag=tag)
        assert work is not None  # None only for ranks outside the group
        return Request(work.wait)

    def _irecv(self, buf: torch.Tensor, source: int, tag: int) -> Request:
        if self._staged(buf):
            host = host_buffer(tuple(buf.shape), buf.dtype)
            received = self._irecv(host, source, tag)

            def complete_staged() -> None:
                received.wait()
                to_device(host, buf, buf)

            return Request(complete_staged, buf)
        work_buf = buf if buf.is_contiguous() else buf.contiguous()
        work = dist.irecv(
            raw_bytes(work_buf), src=self._global_ranks[source], group=self.group, tag=tag
        )
        assert work is not None  # None only for ranks outside the group

        def complete() -> None:
            work.wait()
            if work_buf is not buf:
                buf.copy_(work_buf)

        return Request(complete, buf)

    def _barrier(self) -> None:
        dist.barrier(group=self.group)

    def _bcast_object(self, obj: Any, root: int) -> Any:
        box = [obj]
        dist.broadcast_object_list(box, src=self._global_ranks[root], group=self.group)
        return box[0]

    def _allgather_object(self, obj: Any) -> list[Any]:
        out: list[Any] = [None] * self.size
        dist.all_gather_object(out, obj, group=self.group)
        return out

    def _split(self, color: int, key: int) -> Communicator:
        entries = self._allgather_object((color, key, self.rank))
        mine = None
        for c in sorted({e[0] for e in entries}):
            members = sorted((k, r) for col, k, r in entries if col == c)
            ranks = [self._global_ranks[r] for _, r in members]
            group = dist.new_group(ranks)
            if c == color:
                mine = group
        return TorchCommunicator(mine)
