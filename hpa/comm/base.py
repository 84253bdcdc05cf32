"""The abstract communicator.

A :class:`Communicator` moves torch tensors between the processes of one job. The public
methods defined here are the only entry points: each records itself with
:func:`hpa.comm.counting.record`, makes its input contiguous, and maps dtypes and reduction
operations that a transport cannot handle onto ones it can (float16/bfloat16 reduce in float32,
bool and logical operations reduce as uint8 min/max, complex products are gathered). The
subclasses implement the protected ``_``-methods for plain contiguous tensors only.
"""

from __future__ import annotations

import enum
import os
from abc import ABC, abstractmethod
from collections import defaultdict, deque
from collections.abc import Sequence
from typing import Any

import torch

from hpa.comm import checking
from hpa.comm.counting import record, suspended

__all__ = ["Communicator", "ReduceOp", "Request", "env_flag", "raw_bytes"]


class ReduceOp(enum.Enum):
    """Reduction operations understood by :meth:`Communicator.allreduce`."""

    SUM = "sum"
    PROD = "prod"
    MIN = "min"
    MAX = "max"
    LAND = "land"
    LOR = "lor"


_LOW_PRECISION = (torch.float16, torch.bfloat16)
_BOOL_OPS = {
    ReduceOp.SUM: ReduceOp.MAX,
    ReduceOp.LOR: ReduceOp.MAX,
    ReduceOp.MAX: ReduceOp.MAX,
    ReduceOp.PROD: ReduceOp.MIN,
    ReduceOp.LAND: ReduceOp.MIN,
    ReduceOp.MIN: ReduceOp.MIN,
}


def raw_bytes(t: torch.Tensor) -> torch.Tensor:
    """The bytes of a contiguous tensor as a flat uint8 view sharing its memory.

    A contiguous tensor of at most one element may carry any stride (an empty slice, a
    one-row narrow of a larger tensor); it is re-strided first, as a byte view needs stride 1.
    """
    flat = t.reshape(-1)
    if flat.stride(0) != 1:
        flat = flat.as_strided((flat.numel(),), (1,))
    return flat.view(torch.uint8)


def env_flag(name: str) -> bool | None:
    """The yes/no setting in environment variable ``name``; ``None`` when unset or empty."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return None
    return value not in ("0", "false", "no", "off")


def _nbytes(t: torch.Tensor) -> int:
    return t.numel() * t.element_size()


def _check_order(op: ReduceOp, dtype: torch.dtype) -> None:
    """Raise (on every rank alike, before communicating) for MIN/MAX of complex values."""
    if dtype.is_complex and op in (ReduceOp.MIN, ReduceOp.MAX):
        raise TypeError(f"{op.value} is not defined for complex values")


def _check_counts(counts: Sequence[int], size: int, rows: int, what: str) -> list[int]:
    """``counts`` as a list after checking it cuts ``rows`` rows into ``size`` blocks."""
    out = [int(c) for c in counts]
    if len(out) != size or min(out, default=0) < 0 or sum(out) != rows:
        raise ValueError(f"{what} {out} do not cut {rows} rows into {size} blocks")
    return out


def identity_of(op: ReduceOp, dtype: torch.dtype) -> Any:
    """The neutral element of ``op`` for ``dtype`` (``x op identity == x``)."""
    if op is ReduceOp.SUM or op is ReduceOp.LOR:
        return 0
    if op is ReduceOp.PROD or op is ReduceOp.LAND:
        return 1
    if dtype == torch.bool:
        return op is ReduceOp.MIN
    info = torch.finfo(dtype) if dtype.is_floating_point else torch.iinfo(dtype)
    if dtype.is_floating_point:
        return float("inf") if op is ReduceOp.MIN else float("-inf")
    return info.max if op is ReduceOp.MIN else info.min


def apply_op(op: ReduceOp, stacked: torch.Tensor) -> torch.Tensor:
    """Reduce ``stacked`` over its first axis with ``op`` (the local half of a reduction)."""
    if op is ReduceOp.SUM:
        return stacked.sum(0, dtype=stacked.dtype)
    if op is ReduceOp.PROD:
        return stacked.prod(0, dtype=stacked.dtype)
    if op is ReduceOp.MIN:
        return stacked.amin(0)
    if op is ReduceOp.MAX:
        return stacked.amax(0)
    if op is ReduceOp.LAND:
        return stacked.all(0)
    return stacked.any(0)


class Request:
    """Handle of a non-blocking send or receive; :meth:`wait` completes it.

    Parameters
    ----------
    wait_fn : callable
        Completes the transfer.
    result : torch.Tensor, optional
        The tensor :meth:`wait` returns (the receive buffer for ``irecv``).
    """

    def __init__(self, wait_fn: Any, result: torch.Tensor | None = None) -> None:
        self._wait_fn = wait_fn
        self._result = result
        self._done = False
        self._keep: torch.Tensor | None = None

    def wait(self) -> torch.Tensor | None:
        """Block until the transfer has completed; return the received tensor, if any."""
        if not self._done:
            self._wait_fn()
            self._done = True
            self._keep = None
        return self._result


class Communicator(ABC):
    """A group of processes and the tensor collectives between them.

    Attributes
    ----------
    rank : int
        This process's index in the group.
    size : int
        Number of processes in the group.
    name : str
        Transport name (``"loopback"``, ``"mpi"``, ``"torch"``).
    """

    name: str = "abstract"

    def __init__(self, rank: int, size: int) -> None:
        self.rank = rank
        self.size = size
        # messages a rank sends itself (a ring of one): gloo and NCCL cannot, MPI need not
        self._mailbox: defaultdict[int, deque[torch.Tensor]] = defaultdict(deque)
        self._calls = 0  # collectives issued on this communicator, for the consistency check

    def __repr__(self) -> str:
        return f"<{type(self).__name__} rank={self.rank} size={self.size}>"

    # ------------------------------------------------------------------ reductions
    def allreduce(self, t: torch.Tensor, op: ReduceOp = ReduceOp.SUM) -> torch.Tensor:
        """Reduce ``t`` elementwise over all processes; every process gets the result.

        float16/bfloat16 are reduced in float32 and rounded once, bool and the logical
        operations are reduced as uint8, complex products are gathered and multiplied locally.
        """
        self._enter("allreduce", t, op=op.value)
        dtype = t.dtype
        if op in (ReduceOp.LAND, ReduceOp.LOR) or dtype == torch.bool:
            wire = (t != 0).to(torch.uint8).contiguous()
            return self._allreduce(wire, _BOOL_OPS[op]).to(torch.bool)
        _check_order(op, dtype)
        if dtype.is_complex and op is ReduceOp.PROD:
            return apply_op(op, self._allgather(t.contiguous()))
        if dtype in _LOW_PRECISION:
            return self._allreduce(t.to(torch.float32), op).to(dtype)
        return self._allreduce(t.contiguous(), op)

    def reduce_scatter(
        self, t: torch.Tensor, counts: Sequence[int], op: ReduceOp = ReduceOp.SUM
    ) -> torch.Tensor:
        """Reduce ``t`` over all processes and keep rows ``counts[rank]`` of the result.

        ``t`` has ``sum(counts)`` rows on every process; rank ``r`` receives the reduced rows
        ``sum(counts[:r]) : sum(counts[:r+1])``.
        """
        self._enter("reduce_scatter", t, op=op.value, counts=list(counts))
        counts = _check_counts(counts, self.size, t.shape[0] if t.ndim else -1, "counts")
        if (
            t.dtype == torch.bool
            or t.dtype in _LOW_PRECISION
            or t.dtype.is_complex
            or op
            in (
                ReduceOp.LAND,
                ReduceOp.LOR,
            )
        ):
            with suspended():
                full = self.allreduce(t, op)
            start = sum(counts[: self.rank])
            return full[start : start + counts[self.rank]].clone()
        return self._reduce_scatter(t.contiguous(), counts, op)

    def exscan(self, t: torch.Tensor, op: ReduceOp = ReduceOp.SUM) -> torch.Tensor:
        """Exclusive prefix reduction: rank ``r`` gets ``t_0 op ... op t_{r-1}``.

        Rank 0 receives the identity of ``op`` (zeros for a sum). The dtypes follow
        :meth:`allreduce`: logical operations and bool inputs give bool on every rank,
        float16/bfloat16 accumulate in float32, complex values have no MIN/MAX.
        """
        self._enter("exscan", t, op=op.value)
        _check_order(op, t.dtype)
        if op in (ReduceOp.LAND, ReduceOp.LOR) or t.dtype == torch.bool:
            t = t != 0
            op = ReduceOp.LAND if _BOOL_OPS[op] is ReduceOp.MIN else ReduceOp.LOR
        gathered = self._allgather(t.contiguous())[: self.rank]
        if self.rank == 0:
            return torch.full_like(t, identity_of(op, t.dtype))
        if t.dtype in _LOW_PRECISION:
            gathered = gathered.to(torch.float32)
        return apply_op(op, gathered).to(t.dtype)

    # ------------------------------------------------------------------ data movement
    def allgather(self, t: torch.Tensor) -> torch.Tensor:
        """Gather equally shaped tensors; the result has shape ``(size, *t.shape)``."""
        self._enter("allgather", t)
        return self._allgather(t.contiguous())

    def allgatherv(self, t: torch.Tensor, counts: Sequence[int]) -> torch.Tensor:
        """Concatenate along axis 0 blocks of ``counts[r]`` rows from every rank ``r``.

        ``counts`` must be the same on every rank (it comes from the layout, never from a
        collective), and ``t.shape[0] == counts[rank]``.
        """
        self._enter("allgatherv", t, rows=False, counts=list(counts))
        counts = [int(c) for c in counts]
        rows = t.shape[0] if t.ndim else -1
        if len(counts) != self.size or min(counts) < 0 or rows != counts[self.rank]:
            raise ValueError(
                f"allgatherv of a block of shape {tuple(t.shape)} on rank {self.rank}, counts {counts}"
            )
        return self._allgatherv(t.contiguous(), counts)

    def alltoallv(
        self,
        t: torch.Tensor,
        send_counts: Sequence[int],
        recv_counts: Sequence[int],
        out: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Personalised exchange along axis 0.

        Rows ``sum(send_counts[:r]) : sum(send_counts[:r+1])`` of ``t`` go to rank ``r``; the
        result stacks, in rank order, ``recv_counts[q]`` rows from each rank ``q``. The rows'
        trailing shape is the same on every rank. ``out``, a contiguous tensor of
        ``sum(recv_counts)`` rows and ``t``'s dtype, receives the result when given (so a caller
        exchanging in rounds can reuse one buffer).
        """
        self._enter("alltoallv", t, rows=False, exchange=(send_counts, recv_counts))
        rows = t.shape[0] if t.ndim else -1
        send = _check_counts(send_counts, self.size, rows, "send counts")
        recv = _check_counts(recv_counts, self.size, sum(recv_counts), "receive counts")
        shape = (sum(recv), *t.shape[1:])
        if out is None:
            out = t.new_empty(shape)
        elif tuple(out.shape) != shape or out.dtype != t.dtype or not out.is_contiguous():
            raise ValueError(f"out must be a contiguous {t.dtype} tensor of shape {shape}")
        self._alltoallv(t.contiguous(), send, recv, out)
        return out

    def alltoall(self, t: torch.Tensor) -> torch.Tensor:
        """Exchange equal blocks: ``t`` has ``size * k`` rows, each rank gets ``k`` from each."""
        if t.shape[0] % self.size:
            raise ValueError(f"alltoall needs a multiple of {self.size} rows, got {t.shape[0]}")
        k = [t.shape[0] // self.size] * self.size
        self._enter("alltoall", t)
        out = t.new_empty(t.shape)
        self._alltoallv(t.contiguous(), k, k, out)
        return out

    def bcast(self, t: torch.Tensor, root: int = 0) -> torch.Tensor:
        """Broadcast ``t`` from ``root``; other ranks pass a buffer of the same shape and dtype."""
        self._enter("bcast", t, root=root)
        return self._bcast(t.contiguous(), root)

    def send(self, t: torch.Tensor, dest: int, tag: int = 0) -> None:
        """Send ``t`` to rank ``dest`` (blocking)."""
        record("send", _nbytes(t))
        self._start_send(t.contiguous(), dest, tag).wait()

    def recv(self, buf: torch.Tensor, source: int, tag: int = 0) -> torch.Tensor:
        """Receive into ``buf`` (shape and dtype of the message) from rank ``source``."""
        record("recv", 0)
        out = self._start_recv(buf, source, tag).wait()
        assert out is not None
        return out

    def isend(self, t: torch.Tensor, dest: int, tag: int = 0) -> Request:
        """Start sending ``t`` to ``dest``; keep ``t`` alive until the request completes."""
        record("isend", _nbytes(t))
        src = t.contiguous()
        req = self._start_send(src, dest, tag)
        req._keep = src  # a contiguous copy must outlive the transfer
        return req

    def irecv(self, buf: torch.Tensor, source: int, tag: int = 0) -> Request:
        """Start receiving into ``buf`` from ``source``; ``wait()`` returns the filled tensor."""
        record("irecv", 0)
        return self._start_recv(buf, source, tag)

    def barrier(self) -> None:
        """Wait until every process has reached this call."""
        self._enter("barrier")
        self._barrier()

    # ------------------------------------------------------------------ python objects
    def bcast_object(self, obj: Any, root: int = 0) -> Any:
        """Broadcast a picklable object from ``root``."""
        self._enter("bcast_object", root=root)
        return self._bcast_object(obj, root)

    def allgather_object(self, obj: Any) -> list[Any]:
        """Gather one picklable object from every rank, in rank order, on every rank."""
        self._enter("allgather_object")
        return self._allgather_object(obj)

    def split(self, color: int, key: int = 0) -> Communicator:
        """Partition the processes by ``color``; ranks in each part are ordered by ``key``."""
        self._enter("split")
        return self._split(color, key)

    # ------------------------------------------------------------------ checks and faults
    def _enter(
        self,
        kind: str,
        t: torch.Tensor | None = None,
        rows: bool = True,
        exchange: tuple[Sequence[int], Sequence[int]] | None = None,
        **args: Any,
    ) -> None:
        """Record collective ``kind`` of tensor ``t``, and check it when checking is on.

        ``rows=False`` compares only the trailing shape (the rows differ per rank);
        ``exchange`` holds an all-to-all's send and receive counts.
        """
        record(kind, 0 if t is None else _nbytes(t))
        self._calls += 1
        if checking.checking():
            if t is not None:
                args = {
                    "dtype": str(t.dtype).removeprefix("torch."),
                    "shape": tuple(t.shape) if rows else ("*", *t.shape[1:]),
                    **args,
                }
            sent = (
                None
                if exchange is None
                else ([int(c) for c in exchange[0]], [int(c) for c in exchange[1]])
            )
            checking.verify(self, self._calls, kind, args, sent)

    def checkpoint(self, kind: str, **args: Any) -> None:
        """Check, when checking is on, that every rank enters the exchange ``kind`` alike.

        For patterns built from point-to-point transfers (halo, ring), which the check of
        each collective does not see. Costs nothing when checking is off.
        """
        if checking.checking():
            self._calls += 1
            checking.verify(self, self._calls, kind, args)

    def abort(self, code: int = 1) -> None:
        """End every process of the job at once with exit status ``code`` (does not return)."""
        os._exit(code)

    def finish(self) -> None:
        """Tell the other ranks this one has reached the end of its script; wait for them.

        Called at interpreter exit. A rank still waiting in a collective that this one will
        never join then raises :class:`~hpa.comm.checking.CollectiveMismatch` instead of
        hanging. Transports that notice a departed peer by themselves do nothing.
        """

    # ------------------------------------------------------------------ helpers
    def _start_send(self, t: torch.Tensor, dest: int, tag: int) -> Request:
        if dest != self.rank:
            return self._isend(t, dest, tag)
        self._mailbox[tag].append(t.clone())
        return Request(lambda: None)

    def _start_recv(self, buf: torch.Tensor, source: int, tag: int) -> Request:
        if source != self.rank:
            return self._irecv(buf, source, tag)

        def complete() -> None:
            if not self._mailbox[tag]:
                raise RuntimeError(f"rank {self.rank} receives from itself with tag {tag}, unsent")
            buf.copy_(self._mailbox[tag].popleft().reshape(buf.shape))

        return Request(complete, buf)

    def _reduce_scatter(self, t: torch.Tensor, counts: list[int], op: ReduceOp) -> torch.Tensor:
        start = sum(counts[: self.rank])
        return self._allreduce(t, op)[start : start + counts[self.rank]].clone()

    def _allgather(self, t: torch.Tensor) -> torch.Tensor:
        flat = self._allgatherv(t.reshape(1, -1), [1] * self.size)
        return flat.reshape(self.size, *t.shape)

    # ------------------------------------------------------------------ transport
    @abstractmethod
    def _allreduce(self, t: torch.Tensor, op: ReduceOp) -> torch.Tensor:
        """SUM/PROD/MIN/MAX of a contiguous tensor of a numeric dtype the transport knows."""

    @abstractmethod
    def _allgatherv(self, t: torch.Tensor, counts: list[int]) -> torch.Tensor:
        """Concatenate rows from every rank, ``counts[r]`` from rank ``r``."""

    @abstractmethod
    def _alltoallv(
        self, t: torch.Tensor, send_counts: list[int], recv_counts: list[int], out: torch.Tensor
    ) -> None:
        """Personalised row exchange into the contiguous tensor ``out``."""

    @abstractmethod
    def _bcast(self, t: torch.Tensor, root: int) -> torch.Tensor:
        """Broadcast from ``root``."""

    @abstractmethod
    def _isend(self, t: torch.Tensor, dest: int, tag: int) -> Request:
        """Non-blocking send."""

    @abstractmethod
    def _irecv(self, buf: torch.Tensor, source: int, tag: int) -> Request:
        """Non-blocking receive into ``buf``."""

    @abstractmethod
    def _barrier(self) -> None:
        """Synchronise."""

    @abstractmethod
    def _bcast_object(self, obj: Any, root: int) -> Any:
        """Broadcast a Python object."""

    @abstractmethod
    def _allgather_object(self, obj: Any) -> list[Any]:
        """Gather Python objects."""

    @abstractmethod
    def _split(self, color: int, key: int) -> Communicator:
        """Create a sub-communicator."""
