"""Communicators: how processes of one hpa job exchange tensors.

The world communicator is chosen on first use from the launcher's environment:

- ``HPA_COMM`` set to ``loopback``, ``mpi`` or ``torch`` forces a choice;
- ``torchrun`` (``TORCHELASTIC_RUN_ID``, or ``RANK``/``WORLD_SIZE``/``MASTER_ADDR``) selects
  torch.distributed (gloo on CPU, NCCL for CUDA tensors);
- ``mpiexec``/``mpirun``/``srun`` (PMI, PMIx, Open MPI or Slurm variables), or an already
  imported ``mpi4py`` (``python -m mpi4py``), selects MPI;
- otherwise the loopback communicator runs the job in this one process.

:func:`init` overrides the choice explicitly.
"""

from __future__ import annotations

import os
import sys

from hpa.comm import guard
from hpa.comm.base import Communicator, ReduceOp, Request
from hpa.comm.checking import CollectiveMismatch, check_collectives
from hpa.comm.counting import CommStats, count_collectives
from hpa.comm.loopback import LoopbackCommunicator

__all__ = [
    "CollectiveMismatch",
    "CommStats",
    "Communicator",
    "LoopbackCommunicator",
    "ReduceOp",
    "Request",
    "check_collectives",
    "count_collectives",
    "detect_transport",
    "get_comm",
    "init",
    "make_communicator",
    "print0",
]

_TRANSPORTS = ("loopback", "mpi", "torch")
_MPI_VARS = ("PMI_RANK", "PMI_SIZE", "PMIX_RANK", "OMPI_COMM_WORLD_SIZE", "MPI_LOCALRANKID")
_world: Communicator | None = None


def detect_transport() -> str:
    """Name the transport the environment asks for: ``"loopback"``, ``"mpi"`` or ``"torch"``."""
    forced = os.environ.get("HPA_COMM", "").strip().lower()
    if forced:
        if forced not in _TRANSPORTS:
            raise ValueError(f"HPA_COMM={forced!r}: expected one of {', '.join(_TRANSPORTS)}")
        return forced
    env = os.environ
    if "TORCHELASTIC_RUN_ID" in env or {"RANK", "WORLD_SIZE", "MASTER_ADDR"} <= env.keys():
        return "torch"
    if any(v in env for v in _MPI_VARS) or "mpi4py.MPI" in sys.modules:
        return "mpi"
    if "SLURM_PROCID" in env and int(env.get("SLURM_NTASKS", "1")) > 1:
        return "mpi"
    return "loopback"


def make_communicator(transport: str) -> Communicator:
    """Create the world communicator of the named transport."""
    if transport == "loopback":
        return LoopbackCommunicator()
    if transport == "mpi":
        try:
            from hpa.comm.mpi import MPICommunicator
        except ImportError as err:
            raise ImportError("the MPI communicator needs mpi4py: pip install 'hpa[mpi]'") from err
        return MPICommunicator()
    if transport == "torch":
        from hpa.comm.torch_dist import TorchCommunicator

        return TorchCommunicator()
    raise ValueError(f"unknown transport {transport!r}: expected one of {', '.join(_TRANSPORTS)}")


def init(comm: str | Communicator | None = None) -> Communicator:
    """Set the world communicator.

    Parameters
    ----------
    comm : {"loopback", "mpi", "torch"} or Communicator, optional
        The transport (or a ready communicator). ``None`` detects it from the environment.

    Returns
    -------
    Communicator
        The new world communicator, used by every array created afterwards. When it has
        several ranks, an uncaught exception on any rank ends the job (see
        :mod:`hpa.comm.guard`; ``HPA_ABORT=0`` turns that off).
    """
    global _world
    if isinstance(comm, Communicator):
        _world = comm
    else:
        _world = make_communicator(comm if comm is not None else detect_transport())
    guard.install(_world)
    return _world


def get_comm() -> Communicator:
    """The world communicator, created from the environment on first use."""
    return _world if _world is not None else init()


def print0(*args: object, comm: Communicator | None = None, **kwargs: object) -> None:
    """``print`` on rank 0 of ``comm`` (the world by default) only.

    Every rank calls it with the same arguments, and the line appears once instead of once per
    process. The arguments are formatted on every rank: a split array among them is gathered
    collectively (as ``str(x)`` is), so every rank must call ``print0``; other arguments cost
    no communication.
    """
    text = [str(a) for a in args]
    if (comm if comm is not None else get_comm()).rank == 0:
        print(*text, **kwargs)  # type: ignore[call-overload]
