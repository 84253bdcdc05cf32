"""What a benchmark case is: one workload, written once per framework, checked and timed alike.

A :class:`Case` names a workload, its sizes (full and ``--quick``), the tolerance its results
must meet, and one :class:`Impl` factory per framework. The worker builds every available
framework's data (untimed), checks every result against the reference framework's, then
times the frameworks' ``run`` calls interleaved, repetition by repetition.

Frameworks (the keys of ``Case.impls``):

- ``hpa``, ``heat``: SPMD; every rank of the MPI job calls ``setup``, ``run`` and ``value``.
- ``torch``, ``numpy``, ``sklearn``: one process; rank 0 alone calls them while the other
  ranks wait without spinning.
- ``dask``: rank 0 alone; the worker runs the same implementation twice, under the threaded
  scheduler with as many threads as processes (``dask-threads``) and on a
  ``distributed.LocalCluster`` with as many one-thread workers as processes
  (``dask-distributed``). ``dask-ml`` is a ``dask`` implementation of an algorithm case.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

Params = dict[str, Any]


@dataclass(frozen=True)
class Impl:
    """One framework's version of a case.

    Attributes
    ----------
    run : callable
        ``run(state)``: the timed call. It must finish the work (no lazy results left).
    value : callable
        ``value(result)``: the result of ``run`` as a NumPy array or float, for the agreement
        check (collective for SPMD frameworks; only rank 0's value is compared).
    state : object
        What ``setup`` built (the data), passed to ``run``.
    """

    run: Callable[[Any], Any]
    value: Callable[[Any], np.ndarray | float]
    state: Any = None


# a framework's implementation: setup(params) -> Impl, the data built inside (untimed)
Setup = Callable[[Params], Impl]


@dataclass(frozen=True)
class Case:
    """A benchmark workload.

    Attributes
    ----------
    name : str
        Short, unique: ``"moments"``, ``"matmul-split0"``, ``"kmeans"``, ...
    group : str
        ``"paper"`` (the HeAT paper's four workloads), ``"array"`` or ``"algorithm"``.
    params : callable
        ``params(quick)``: the sizes and settings, identical for every framework.
    impls : dict
        Framework name to its setup.
    reference : str
        The framework whose result the others must match.
    rtol, atol : float
        Agreement tolerance (``numpy.testing.assert_allclose``).
    compare : callable, optional
        ``compare(got, want)`` replacing the tolerance check (e.g. up to sign); raises
        ``AssertionError`` on disagreement.
    description : str
        One line for the results page.
    tags : tuple of str
        Free labels, selectable like groups (``run.py --cases TAG``); the report reads
        ``"algorithm"`` (torch target 1.25 instead of 1.15) and ``"small"`` (no torch target).
    """

    name: str
    group: str
    params: Callable[[bool], Params]
    impls: dict[str, Setup]
    reference: str = "numpy"
    rtol: float = 1e-6
    atol: float = 0.0
    compare: Callable[[Any, Any], None] | None = None
    description: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)


REGISTRY: dict[str, Case] = {}


def register(case: Case) -> Case:
    """Add ``case`` to the registry (its name must be new)."""
    if case.name in REGISTRY:
        raise ValueError(f"duplicate benchmark case {case.name!r}")
    REGISTRY[case.name] = case
    return case
