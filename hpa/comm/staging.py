"""Host staging of device tensors for transports that cannot read device memory.

An MPI library without CUDA support, or a torch.distributed group without NCCL (more processes
on a node than GPUs), moves CUDA tensors through page-locked (pinned) host memory: the copy to
the host waits for the device's stream once, and the copy back is issued without blocking the
host. Both are deliberate transfers, not silent ones (:mod:`hpa.backends.host_syncs`).
"""

from __future__ import annotations

import torch

from hpa.backends.host_syncs import deliberate, note_staged

__all__ = ["host_buffer", "to_device", "to_host", "wait_for_stream"]


def wait_for_stream(t: torch.Tensor) -> None:
    """Block until the work queued on ``t``'s device stream (which may write ``t``) is done."""
    if t.device.type == "cuda":
        with deliberate():
            torch.cuda.current_stream(t.device).synchronize()


def to_host(t: torch.Tensor) -> torch.Tensor:
    """A pinned host copy of the device tensor ``t``, complete when this returns."""
    note_staged()
    with deliberate():
        host = torch.empty(t.shape, dtype=t.dtype, pin_memory=True)
        host.copy_(t, non_blocking=True)
        torch.cuda.current_stream(t.device).synchronize()
    return host


def host_buffer(shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """An empty pinned host tensor for a transport to fill."""
    return torch.empty(shape, dtype=dtype, pin_memory=True)


def to_device(
    host: torch.Tensor, like: torch.Tensor, into: torch.Tensor | None = None
) -> torch.Tensor:
    """``host`` copied to ``like``'s device (into ``into`` when given), without blocking."""
    with deliberate():
        if into is None:
            return host.to(like.device, non_blocking=True)
        into.copy_(host, non_blocking=True)
        return into
