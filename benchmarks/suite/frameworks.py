"""The frameworks the suite compares: detection, versions, HeAT's import, Dask's schedulers and
the machine description.

Nothing here imports a peer at module level: a missing peer is reported as skipped, never a
crash. HeAT is imported only by the benchmark worker (never by hpa) with a stand-in
``torchvision`` module (``benchmarks/stubs``) on ``sys.path`` while it loads.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib
import importlib.metadata
import logging
import os
import platform
import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent.parent
STUBS = BENCHMARKS / "stubs"

SPMD = ("hpa", "heat")
"""Frameworks every rank of the MPI job runs."""

ROOT = ("torch", "numpy", "sklearn", "dask-threads", "dask-distributed")
"""Frameworks rank 0 runs alone while the other ranks wait without spinning."""

FRAMEWORKS = SPMD + ROOT
"""Every framework label, in the order of the result tables."""

PEERS = tuple(f for f in FRAMEWORKS if f != "hpa")

DASK = ("dask-threads", "dask-distributed")

# the distribution names whose versions the results record
PACKAGES = (
    "hpa",
    "torch",
    "numpy",
    "heat",
    "dask",
    "distributed",
    "dask-ml",
    "scikit-learn",
    "mpi4py",
    "mpich",
    "psutil",
    "matplotlib",
)


def impl_key(framework: str) -> str:
    """The key of ``Case.impls`` a framework label runs (``dask-*`` run ``"dask"``)."""
    return "dask" if framework in DASK else framework


def expand(names: list[str] | None) -> list[str]:
    """Framework labels from user names (``"dask"`` stands for both schedulers), in table order.

    Raises
    ------
    ValueError
        For a name that is neither a framework label nor ``"dask"``.
    """
    if not names:
        return list(FRAMEWORKS)
    wanted: set[str] = set()
    for name in names:
        if name == "dask":
            wanted.update(DASK)
        elif name in FRAMEWORKS:
            wanted.add(name)
        else:
            raise ValueError(
                f"unknown framework {name!r}; choose from {', '.join(FRAMEWORKS)}, dask"
            )
    return [f for f in FRAMEWORKS if f in wanted]


def version(dist: str) -> str | None:
    """The installed version of distribution ``dist``, or None (nothing is imported)."""
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def versions() -> dict[str, str | None]:
    """Python's and every relevant distribution's version (None: not installed)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    out.update({dist: version(dist) for dist in PACKAGES})
    return out


def mpi_library() -> str | None:
    """The MPI library's version string (imports ``mpi4py.MPI``; call inside the MPI job)."""
    try:
        from mpi4py import MPI
    except ImportError:
        return None
    return " ".join(MPI.Get_library_version().split()[:4])


def cpu_model() -> str:
    """The CPU's model name from ``/proc/cpuinfo`` (``platform.processor()`` elsewhere)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def machine() -> dict[str, Any]:
    """The machine the benchmarks ran on: host, CPU model, core count, memory, OS."""
    info: dict[str, Any] = {
        "hostname": socket.gethostname(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "platform": platform.platform(),
    }
    with contextlib.suppress(ImportError, AttributeError):
        info["cores_usable"] = len(os.sched_getaffinity(0))
    with contextlib.suppress(ImportError):
        import psutil

        info["physical_cores"] = psutil.cpu_count(logical=False)
        info["memory_gib"] = round(psutil.virtual_memory().total / 2**30, 1)
    return info


def now() -> str:
    """The current local time, ISO 8601 to the second."""
    return datetime.datetime.now().astimezone().isoformat(timespec="seconds")


def import_heat() -> Any:
    """Import HeAT with the ``torchvision`` stand-in on ``sys.path`` while it loads.

    Returns
    -------
    module
        ``heat``; later ``import heat`` statements (in the cases' setups) find it loaded.

    Raises
    ------
    ImportError
        When HeAT is missing or fails to load (the message says why).
    """
    sys.path.insert(0, str(STUBS))
    try:
        import heat
    except Exception as exc:  # heat raises odd types when its dependencies are off
        raise ImportError(f"heat does not import: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.path.remove(str(STUBS))
    return heat


def _import(module: str) -> None:
    importlib.import_module(module)


def detect(framework: str) -> str | None:
    """Whether ``framework`` can run here: None if it can, otherwise why not.

    Imports the framework (HeAT with the stand-in); call it on every rank for SPMD frameworks.
    """
    needs = {
        "hpa": ["hpa"],
        "torch": ["torch"],
        "numpy": ["numpy"],
        "sklearn": ["sklearn"],
        "dask-threads": ["dask.array"],
        "dask-distributed": ["dask.array", "distributed"],
    }
    try:
        if framework == "heat":
            import_heat()
        for module in needs.get(framework, []):
            _import(module)
    except ImportError as exc:
        return f"not installed ({exc})"
    return None


# environment variables by which an MPI launcher tells a process its rank: dask's worker
# processes must not inherit them, or an import of mpi4py there would join the MPI job
_LAUNCHER_PREFIXES = ("PMI_", "PMIX_", "HYDRA_", "MPI_LOCALRANK", "OMPI_", "MPIR_", "HPA_COMM")


@contextlib.contextmanager
def _clean_environ(extra_path: str) -> Iterator[None]:
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith(_LAUNCHER_PREFIXES):
            del os.environ[key]
    paths = [extra_path, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def start_cluster(workers: int) -> Any:
    """A ``distributed`` client on a ``LocalCluster`` of ``workers`` one-thread processes.

    The workers see ``benchmarks/`` on their ``PYTHONPATH`` (the case modules' functions
    unpickle there) and none of the MPI launcher's variables. The client is not made the
    default: :func:`scheduler` selects it for the ``dask-distributed`` runs only.
    """
    from distributed import Client, LocalCluster

    with _clean_environ(str(BENCHMARKS)):
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # a free port: never collide with another cluster
            silence_logs=logging.ERROR,
        )
    return Client(cluster, set_as_default=False)


def stop_cluster(client: Any) -> None:
    """Close ``client`` and its cluster."""
    cluster = client.cluster
    client.close()
    if cluster is not None:
        cluster.close()


@contextlib.contextmanager
def scheduler(framework: str, processes: int, client: Any = None) -> Iterator[None]:
    """Dask's scheduler for ``framework`` (nothing for the other frameworks).

    ``dask-threads``: the threaded scheduler with ``processes`` threads; ``dask-distributed``:
    ``client`` (from :func:`start_cluster`), also current for code that asks for a client.
    """
    if framework == "dask-threads":
        import dask

        with dask.config.set(scheduler="threads", num_workers=processes):
            yield
    elif framework == "dask-distributed":
        import dask

        if client is None:
            raise RuntimeError("dask-distributed needs a cluster")
        with client.as_current(), dask.config.set(scheduler=client):
            yield
    else:
        yield
