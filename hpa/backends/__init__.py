"""Device backends: which device an array's local block lives on.

``hpa.cpu`` and ``hpa.gpu`` name the devices; ``device=`` arguments also take the strings
``"cpu"``, ``"gpu"``, ``"cuda"``, ``"cuda:N"`` and ``torch.device`` objects. The default device
is the CPU unless ``HPA_DEVICE`` names another or :func:`use_device` changes it.
"""

from __future__ import annotations

import os

import torch

from hpa.backends.base import Device
from hpa.backends.host_syncs import HostSyncs, count_host_syncs
from hpa.backends.torch_device import CPUDevice, CUDADevice, local_rank

__all__ = [
    "CPUDevice",
    "CUDADevice",
    "Device",
    "HostSyncs",
    "count_host_syncs",
    "cpu",
    "device_of",
    "get_device",
    "gpu",
    "local_rank",
    "resolve_device",
    "use_device",
]

cpu = CPUDevice()
gpu = CUDADevice()
_default: Device | None = None
_by_torch: dict[torch.device, Device] = {torch.device("cpu"): cpu}


def resolve_device(device: Device | str | torch.device | None) -> Device:
    """Turn a ``device=`` argument into a :class:`Device` (``None``: the default device)."""
    if device is None:
        return get_device()
    if isinstance(device, Device):
        return device
    if isinstance(device, torch.device):
        return device_of(device)
    if isinstance(device, str):
        name = device.strip().lower()
        if name == "cpu":
            return cpu
        if name in ("gpu", "cuda"):
            return gpu
        if name.startswith(("cuda:", "gpu:")):
            return CUDADevice(int(name.split(":", 1)[1]))
    raise ValueError(f"unknown device {device!r}: expected 'cpu', 'gpu', 'cuda:N' or a Device")


def device_of(tdev: torch.device) -> Device:
    """The :class:`Device` of a torch device."""
    found = _by_torch.get(tdev)
    if found is None:
        if tdev.type != "cuda":
            raise ValueError(f"unsupported torch device {tdev}")
        found = gpu if tdev == gpu.torch_device else CUDADevice(tdev.index)
        _by_torch[tdev] = found
    return found


def get_device() -> Device:
    """The default device for new arrays."""
    global _default
    if _default is None:
        _default = resolve_device(os.environ.get("HPA_DEVICE", "cpu"))
    return _default


def use_device(device: Device | str | torch.device | None = None) -> Device:
    """Set (and return) the default device; ``None`` re-reads ``HPA_DEVICE``."""
    global _default
    _default = None if device is None else resolve_device(device)
    return get_device()
