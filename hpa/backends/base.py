"""The abstract device: where the local block of an array lives."""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch

__all__ = ["Device"]


class Device(ABC):
    """A place that holds tensors (a CPU, one GPU).

    Attributes
    ----------
    kind : str
        ``"cpu"`` or ``"gpu"``: the name users pass as ``device=``.
    """

    kind: str

    @property
    @abstractmethod
    def torch_device(self) -> torch.device:
        """The torch device tensors are allocated on."""

    @abstractmethod
    def is_available(self) -> bool:
        """Whether this process can allocate tensors here."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Device) and self.torch_device == other.torch_device

    def __hash__(self) -> int:
        return hash(self.torch_device)

    def __repr__(self) -> str:
        return f"device({str(self)!r})"
