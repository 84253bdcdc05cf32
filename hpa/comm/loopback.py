"""The loopback communicator: one process, no MPI, no torch.distributed.

Plain ``python script.py`` runs on it. Collectives are local copies, so a script and its tests
behave exactly as under a launcher with one process, collective counts included.
"""

from __future__ import annotations

from typing import Any

import torch

from hpa.comm.base import Communicator, ReduceOp, Request

__all__ = ["LoopbackCommunicator"]


class LoopbackCommunicator(Communicator):
    """A communicator of size 1."""

    name = "loopback"

    def __init__(self) -> None:
        super().__init__(rank=0, size=1)

    def _allreduce(self, t: torch.Tensor, op: ReduceOp) -> torch.Tensor:
        return t.clone()

    def _allgatherv(self, t: torch.Tensor, counts: list[int]) -> torch.Tensor:
        return t.clone()

    def _alltoallv(
        self, t: torch.Tensor, send_counts: list[int], recv_counts: list[int], out: torch.Tensor
    ) -> None:
        out.copy_(t)

    def _bcast(self, t: torch.Tensor, root: int) -> torch.Tensor:
        _check_self(root)
        return t

    # a message to rank 0 goes through the base class's mailbox: these see other ranks only
    def _isend(self, t: torch.Tensor, dest: int, tag: int) -> Request:
        _check_self(dest)
        raise AssertionError("unreachable")

    def _irecv(self, buf: torch.Tensor, source: int, tag: int) -> Request:
        _check_self(source)
        raise AssertionError("unreachable")

    def _barrier(self) -> None:
        pass

    def _bcast_object(self, obj: Any, root: int) -> Any:
        _check_self(root)
        return obj

    def _allgather_object(self, obj: Any) -> list[Any]:
        return [obj]

    def _split(self, color: int, key: int) -> Communicator:
        return LoopbackCommunicator()


def _check_self(peer: int) -> None:
    if peer != 0:
        raise ValueError(f"rank {peer} does not exist in a communicator of size 1")
