"""When one rank fails, the job ends: no rank is left waiting.

:func:`install` runs once the world communicator of a job with several ranks exists:

- **An uncaught exception ends the whole job** under every launcher (``mpiexec`` with or
  without ``-m mpi4py``, ``srun``, ``torchrun``): the failing rank prints its traceback and
  calls :meth:`~hpa.comm.base.Communicator.abort` (``MPI_Abort``; under torchrun a non-zero
  exit, on which torchrun stops the other ranks). The traceback is printed once: an error that
  hpa agreed on every rank carries ``hpa_origin``, the rank it came from, and only that rank
  prints it; any other exception prints on rank 0 at once and on other ranks after a short
  grace, within which a rank 0 that failed the same way has already ended the job.
  ``HPA_ABORT=0`` keeps Python's default (each rank prints and exits on its own).
- **The end of a script is announced**: at exit every rank calls
  :meth:`~hpa.comm.base.Communicator.finish`. With MPI it tells the other ranks and waits for
  theirs, so a rank still waiting in a collective that a finished rank never called raises
  :class:`~hpa.comm.checking.CollectiveMismatch` (and the job ends as above) instead of hanging.
"""

from __future__ import annotations

import atexit
import sys
import time
from types import TracebackType

from hpa.comm.base import Communicator, env_flag

__all__ = ["install"]

# seconds a rank that does not print waits for the printing rank to end the job
_GRACE_S = 2.0
# seconds the printing rank waits before ending the job, so the launcher forwards its output
_FORWARD_S = 0.5
_installed: Communicator | None = None


def install(comm: Communicator) -> None:
    """Install the abort hook and the end-of-script announcement for the world ``comm``.

    Does nothing for a single rank, or when already installed for this job.
    """
    global _installed
    if comm.size == 1 or _installed is not None:
        return
    _installed = comm
    if env_flag("HPA_ABORT") is not False:
        previous = sys.excepthook

        def hook(
            kind: type[BaseException], value: BaseException, tb: TracebackType | None
        ) -> None:
            _end_job(comm, previous, kind, value, tb)

        sys.excepthook = hook
    atexit.register(comm.finish)


def _end_job(
    comm: Communicator,
    show: object,
    kind: type[BaseException],
    value: BaseException,
    tb: TracebackType | None,
) -> None:
    """Print the traceback if this rank should, then end every rank of the job."""
    origin = getattr(value, "hpa_origin", None)
    if origin is not None and origin != comm.rank:
        time.sleep(_GRACE_S)  # the origin prints it and ends the job; end it here otherwise
    else:
        if origin is None and comm.rank != 0:
            time.sleep(_GRACE_S)  # a rank 0 that failed alike ends the job first
        show(kind, value, tb)  # type: ignore[operator]
        print(
            f"hpa: rank {comm.rank} of {comm.size} failed with {kind.__name__}: ending the "
            "job (HPA_ABORT=0 leaves each rank to exit on its own)",
            file=sys.stderr,
        )
        sys.stdout.flush()
        sys.stderr.flush()
        time.sleep(_FORWARD_S)  # let the launcher forward the output before the abort
    comm.abort(1)
