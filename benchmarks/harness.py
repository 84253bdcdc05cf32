"""Shared timing and reporting for the hpa-versus-torch benchmark programs.

The programs are run as scripts (``python benchmarks/x.py``), which puts ``benchmarks/`` on
``sys.path``, so they import this module as ``from harness import ...``.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from typing import Any

import torch

import hpa

Case = tuple[Callable[[], Any], Callable[[], Any], int]
"""One case: the hpa call, the torch call, and how many calls each timing averages over."""

Timer = Callable[[Callable[[], Any], int], float]
"""Seconds per call of ``fn`` averaged over ``inner`` calls: ``timer(fn, inner)``."""

Results = dict[str, dict[str, list[float]]]
"""Per case name, the repetitions' seconds per call under ``"hpa"`` and ``"torch"``."""

_UNITS = {"us": 1e6, "ms": 1e3}


def slowest(elapsed: float) -> float:
    """The largest ``elapsed`` over all ranks (collective).

    Parameters
    ----------
    elapsed : float
        This rank's measurement in seconds.

    Returns
    -------
    float
        The slowest rank's measurement, on every rank; it defines the time of a distributed
        operation.
    """
    comm = hpa.get_comm()
    return float(comm.allreduce(torch.tensor([elapsed], dtype=torch.float64), hpa.ReduceOp.MAX)[0])


def time_call(fn: Callable[[], Any], inner: int) -> float:
    """Seconds per call of ``fn``, averaged over ``inner`` calls, all ranks in step (collective).

    Parameters
    ----------
    fn : callable
        The call to time, without arguments.
    inner : int
        How many calls one measurement averages over.

    Returns
    -------
    float
        The slowest rank's seconds per call.
    """
    hpa.get_comm().barrier()
    start = time.perf_counter()
    for _ in range(inner):
        fn()
    return slowest((time.perf_counter() - start) / inner)


def time_root(fn: Callable[[], Any], inner: int) -> float:
    """Seconds per call of ``fn`` on rank 0 alone; the other ranks wait without spinning
    (collective).

    The single-process reference of a distributed benchmark: MPI's blocking collectives
    busy-poll, so an idle rank waiting in ``barrier`` would take a core from rank 0's
    measurement; the other ranks sleep-poll a nonblocking barrier instead.

    Parameters
    ----------
    fn : callable
        The call to time, without arguments (only rank 0 calls it).
    inner : int
        How many calls one measurement averages over.

    Returns
    -------
    float
        Rank 0's seconds per call, on every rank.
    """
    comm = hpa.get_comm()
    comm.barrier()
    elapsed = 0.0
    if comm.rank == 0:
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        elapsed = (time.perf_counter() - start) / inner
    if comm.size > 1 and comm.name == "mpi":
        from mpi4py import MPI

        request = MPI.COMM_WORLD.Ibarrier()
        while not request.Test():
            time.sleep(0.001)
    return slowest(elapsed)


def run_cases(
    cases: dict[str, Case],
    repeats: int,
    interleave_cases: bool = False,
    torch_timer: Timer = time_call,
) -> Results:
    """Time every case ``repeats`` times, hpa and torch alternating (collective).

    Parameters
    ----------
    cases : dict of str to (callable, callable, int)
        Per case name the hpa call, the torch call and the number of calls per measurement.
    repeats : int
        Repetitions per case and library.
    interleave_cases : bool, optional
        If true, each repetition runs through all cases (each warmed up again first), so slow
        drift of the machine hits every case alike; otherwise each case is warmed up once and
        repeated before the next one starts.
    torch_timer : callable, optional
        Timer for the torch calls, ``torch_timer(fn, inner)``; :func:`time_call` by default.

    Returns
    -------
    dict
        Per case name, the seconds per call of every repetition under ``"hpa"`` and ``"torch"``.
    """
    results: Results = {name: {"hpa": [], "torch": []} for name in cases}

    def measure(name: str) -> None:
        hpa_fn, torch_fn, inner = cases[name]
        results[name]["hpa"].append(time_call(hpa_fn, inner))
        results[name]["torch"].append(torch_timer(torch_fn, inner))

    if interleave_cases:
        for _ in range(repeats):
            for name, (hpa_fn, torch_fn, _inner) in cases.items():
                hpa_fn(), torch_fn()  # warm-up
                measure(name)
    else:
        for name, (hpa_fn, torch_fn, _inner) in cases.items():
            hpa_fn(), torch_fn()  # warm-up
            for _ in range(repeats):
                measure(name)
    return results


def print_report(
    results: Results,
    unit: str,
    target_text: str,
    target: float | None = None,
    extra_header: str = "",
    digits: int = 1,
    width: int = 10,
) -> dict[str, dict[str, Any]]:
    """Print the header, the median/spread table and, last, the ratio table (call on rank 0).

    Parameters
    ----------
    results : dict
        What :func:`run_cases` returned.
    unit : {"us", "ms"}
        Unit of the medians in the table.
    target_text : str
        The target, printed in the heading of the ratio table.
    target : float, optional
        If given, ratios above it are flagged ``MISSED``.
    extra_header : str, optional
        Appended to the header line, e.g. ``", check passed"``.
    digits : int, optional
        Decimal places of the medians.
    width : int, optional
        Width of the case-name column.

    Returns
    -------
    dict
        Per case name: ``hpa_s`` and ``torch_s`` (medians), ``ratio`` (hpa / torch),
        ``hpa_all`` and ``torch_all`` (every repetition).
    """
    comm = hpa.get_comm()
    scale = _UNITS[unit]
    print(
        f"hpa {hpa.__version__}, torch {torch.__version__}, communicator {comm.name}, "
        f"{comm.size} process(es), OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']}{extra_header}"
    )
    print(f"{'case':{width}} {'hpa median':>12} {'torch median':>13} {'hpa spread':>11}")
    summary = {}
    for name, r in results.items():
        h, t = statistics.median(r["hpa"]), statistics.median(r["torch"])
        spread = (max(r["hpa"]) - min(r["hpa"])) / h
        summary[name] = {
            "hpa_s": h,
            "torch_s": t,
            "ratio": h / t,
            "hpa_all": r["hpa"],
            "torch_all": r["torch"],
        }
        print(
            f"{name:{width}} {h * scale:10.{digits}f}{unit} {t * scale:11.{digits}f}{unit} "
            f"{spread:10.0%}"
        )
    print(f"\nratio hpa / torch (lower is better; {target_text})")
    for name, s in summary.items():
        flag = "" if target is None or s["ratio"] <= target else "  MISSED"
        print(f"  {name:{width}} {s['ratio']:6.2f}x{flag}")
    return summary


def write_json(path: str, summary: dict[str, dict[str, Any]], comm: hpa.Communicator) -> None:
    """Write ``summary`` with the process count and communicator name to ``path`` as JSON.

    Parameters
    ----------
    path : str
        The file to write.
    summary : dict
        What :func:`print_report` returned.
    comm : hpa.Communicator
        The communicator the benchmark ran on.
    """
    with open(path, "w") as fh:
        json.dump(
            {"processes": comm.size, "communicator": comm.name, "cases": summary}, fh, indent=2
        )
