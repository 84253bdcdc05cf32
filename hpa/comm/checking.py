"""The collective consistency check: every rank calls the same collective, the same way.

A collective that the ranks call differently (another axis on one rank, another dtype, one rank
skipping it) hangs, or crashes inside MPI with "Message truncated". With checking on
(``HPA_CHECK=1`` in the environment, or :class:`check_collectives`), every public collective of
every :class:`~hpa.comm.base.Communicator` first gathers, from every rank, its call number on
that communicator, its kind, the arguments that must agree (shape, dtype, reduction, root,
per-rank counts) and the source line that issued it, and raises :class:`CollectiveMismatch` on
every rank, naming the first argument that differs and each rank's line, before any data
moves.

Cost: off, one flag test per collective; on, one small object allgather per collective (about
the latency of one more collective: a few microseconds with MPI, about a millisecond with gloo).
Point-to-point transfers are not checked one by one: the exchange patterns built from them
(halo, ring) check themselves with :meth:`~hpa.comm.base.Communicator.checkpoint`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from types import FrameType, TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hpa.comm.base import Communicator

__all__ = ["CollectiveMismatch", "check_collectives", "checking", "verify"]

_PACKAGE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# generic wrappers (generated Array methods, dispatch): the call site names the function below
_WRAPPERS = frozenset({"method", "wrapper", "<lambda>", "<listcomp>", "<genexpr>"})
_enabled = os.environ.get("HPA_CHECK", "").strip().lower() not in ("", "0", "false", "no", "off")


class CollectiveMismatch(RuntimeError):
    """The ranks of a communicator called different collectives, or called one differently.

    Raised on every rank with the same message. ``hpa_origin`` is 0: the abort hook prints the
    traceback once.
    """

    hpa_origin = 0


class check_collectives:  # noqa: N801 (used like a function, as torch.no_grad)
    """Turn the collective consistency check on (or off) from here on, or inside a ``with``.

    Every rank must make the same call at the same point of the script.

    Parameters
    ----------
    enabled : bool
        Check (``True``) or not.

    Examples
    --------
    >>> import hpa
    >>> with hpa.check_collectives():
    ...     total = hpa.arange(10, split=0).sum()
    """

    def __init__(self, enabled: bool = True) -> None:
        global _enabled
        self._previous = _enabled
        _enabled = bool(enabled)

    def __enter__(self) -> check_collectives:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        global _enabled
        _enabled = self._previous


def checking() -> bool:
    """Whether the collective consistency check is on."""
    return _enabled


def _call_site() -> str:
    """``file:line (in hpa.function)`` of the user code that issued the current collective."""
    frame: FrameType | None = sys._getframe(1)
    entry = None
    while frame is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE):
        if frame.f_code.co_name not in _WRAPPERS:
            entry = frame.f_code.co_name
        frame = frame.f_back
    if frame is None:
        return "inside hpa"
    where = f"{frame.f_code.co_filename}:{frame.f_lineno}"
    return where if entry is None else f"{where} (in hpa {entry})"


def _describe(ranks: list[int], value: Any, sites: list[str]) -> str:
    who = f"rank {ranks[0]}" if len(ranks) == 1 else f"ranks {', '.join(map(str, ranks))}"
    where = sorted({sites[r] for r in ranks})
    return f"{who}: {value} at {'; '.join(where)}"


def _first_difference(records: list[tuple[Any, ...]]) -> tuple[str, list[Any]] | None:
    """The first field (kind, each argument, call number) whose value differs between ranks."""
    kinds = [r[1] for r in records]
    if len(set(kinds)) > 1:
        return "the collective", kinds
    names = [name for name in records[0][2]]
    for name in names:
        values = [r[2].get(name) for r in records]
        if any(v != values[0] for v in values):
            return name, values
    numbers = [r[0] for r in records]
    if len(set(numbers)) > 1:
        return "the call number (a rank skipped or added a collective earlier)", numbers
    return None


def _transposed_counts(records: list[tuple[Any, ...]]) -> str | None:
    """For an all-to-all: whether rank q's receive count from r is r's send count to q."""
    sends = [r[3][0] for r in records]
    receives = [r[3][1] for r in records]
    for q, row in enumerate(receives):
        for r, count in enumerate(row):
            if sends[r][q] != count:
                return (
                    f"rank {r} sends {sends[r][q]} rows to rank {q} (at {records[r][4]}), which "
                    f"expects {count} (at {records[q][4]})"
                )
    return None


def verify(
    comm: Communicator,
    number: int,
    kind: str,
    args: dict[str, Any],
    exchange: tuple[Sequence[int], Sequence[int]] | None = None,
) -> None:
    """Check that every rank of ``comm`` is at the same collective with the same arguments.

    Parameters
    ----------
    comm : Communicator
        The communicator about to run the collective.
    number : int
        This rank's count of collectives on ``comm`` so far.
    kind : str
        The collective (``"allreduce"``, ``"halo"``, ...).
    args : dict
        The arguments that must be equal on every rank, in the order they are compared.
    exchange : (send counts, receive counts), optional
        For an all-to-all: this rank's counts, checked for consistency across ranks.

    Raises
    ------
    CollectiveMismatch
        On every rank, naming the first differing field and every rank's source line.
    """
    if comm.size == 1:
        return
    site = _call_site()
    records = comm._allgather_object((number, kind, args, exchange, site))
    difference = _first_difference(records)
    problem = None
    if difference is not None:
        field, values = difference
        sites = [r[4] for r in records]
        groups: dict[str, list[int]] = {}
        for rank, value in enumerate(values):
            groups.setdefault(repr(value), []).append(rank)
        parts = [_describe(ranks, value, sites) for value, ranks in groups.items()]
        problem = f"{field} differs: " + "; ".join(parts)
    elif exchange is not None:
        problem = _transposed_counts(records)
    if problem is not None:
        raise CollectiveMismatch(
            f"collective #{records[0][0]} ({records[0][1]}) on a communicator of "
            f"{comm.size} ranks: {problem}"
        )
