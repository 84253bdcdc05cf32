"""Torch devices: the host CPU and CUDA GPUs.

A process's GPU is chosen by its local rank (``LOCAL_RANK`` from torchrun, the MPI launchers'
local-rank variables), modulo the number of visible GPUs, so that ``device="gpu"`` means "my
GPU" on every process without further configuration.
"""

from __future__ import annotations

import os

import torch

from hpa.backends.base import Device

__all__ = ["CPUDevice", "CUDADevice", "local_rank"]

_LOCAL_RANK_VARS = (
    "LOCAL_RANK",
    "MPI_LOCALRANKID",
    "OMPI_COMM_WORLD_LOCAL_RANK",
    "MV2_COMM_WORLD_LOCAL_RANK",
    "SLURM_LOCALID",
)


def local_rank() -> int:
    """This process's index among the processes of its node, from the launcher's environment."""
    for var in _LOCAL_RANK_VARS:
        if var in os.environ:
            return int(os.environ[var])
    return 0


class CPUDevice(Device):
    """The host's CPU and memory."""

    kind = "cpu"
    _device = torch.device("cpu")

    @property
    def torch_device(self) -> torch.device:
        return self._device

    def is_available(self) -> bool:
        return True

    def __str__(self) -> str:
        return "cpu"


class CUDADevice(Device):
    """A CUDA GPU; ``index=None`` picks this process's GPU by local rank on first use.

    Parameters
    ----------
    index : int, optional
        A fixed CUDA device index.
    """

    kind = "gpu"

    def __init__(self, index: int | None = None) -> None:
        self._index = index

    @property
    def torch_device(self) -> torch.device:
        if not self.is_available():
            raise RuntimeError("device 'gpu' requested, but torch finds no CUDA device")
        if self._index is None:
            self._index = local_rank() % torch.cuda.device_count()
        return torch.device("cuda", self._index)

    def is_available(self) -> bool:
        return torch.cuda.is_available()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CUDADevice) and not self.is_available():
            return self._index == other._index
        return super().__eq__(other)

    def __hash__(self) -> int:
        # constant: the index of ``gpu`` is resolved lazily, and equal devices must hash alike
        return hash("gpu")

    def __str__(self) -> str:
        return "gpu" if self._index is None else f"cuda:{self._index}"
