"""Agreed errors: a step that may fail on some ranks only raises the same exception on all.

=========================  =========================  ======================================
primitive                  collective                 volume per rank
=========================  =========================  ======================================
:func:`agreed`             one ``allgather_object``   the error's class and message (or None)
:func:`agreed_allgather`   one ``allgather_object``   as :func:`agreed`, plus a small shared
                                                      value
=========================  =========================  ======================================

Neither communicates at one rank. Use them where the failure depends on what one rank sees
(its file system, its block of the data, a library that fails on one rank): every rank runs
the step, one collective tells every rank whether and where it failed, and no rank is left
waiting in a later collective for one that raised. Errors that follow from arguments,
shapes, dtypes and layouts alone need no agreement: every rank raises them by itself.

Every exception these raise carries ``hpa_origin``, the lowest rank on which the step failed,
so that an exception hook can print the traceback once, on that rank.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any, TypeVar

from hpa.comm.base import Communicator
from hpa.core import errors
from hpa.core.exchange.records import gather_objects

__all__ = ["agreed", "agreed_allgather", "reworded"]

T = TypeVar("T")
S = TypeVar("S")

_PORTABLE_MODULES = (builtins.__name__, errors.__name__)
"""Exception classes from these modules exist on every rank and are built from a message."""

Summary = tuple[type[Exception], str, int]
"""What the other ranks learn of a failure: the class to raise, its message, the origin."""


def _message(error: BaseException) -> str:
    """The text an exception was raised with (``KeyError``'s without the quotes)."""
    return str(error.args[0] if len(error.args) == 1 else error)


def _portable(kind: type[BaseException], message: str) -> type[Exception]:
    """The nearest class of ``kind`` that is built-in or defined in :mod:`hpa.core.errors` and
    that takes ``message`` alone (``UnicodeDecodeError`` does not: ``UnicodeError``)."""
    for base in kind.__mro__:
        if base.__module__ in _PORTABLE_MODULES and issubclass(base, Exception):
            try:
                base(message)
            except Exception:  # noqa: BLE001, S112 (needs other arguments: try its base)
                continue
            return base
    return Exception


def reworded(error: Exception, edit: Callable[[str], str]) -> Exception:
    """``error`` with its message passed through ``edit`` (no communication).

    ``error`` itself when ``edit`` leaves the message as it is; otherwise a new exception of
    its nearest built-in (or :mod:`hpa.core.errors`) class, with ``hpa_origin`` kept. Raise
    the new one ``from error`` to keep the original traceback. For a caller that knows the
    message names something the user never saw (a temporary file instead of the target).
    """
    message = _message(error)
    changed = edit(message)
    if changed == message:
        return error
    new = _portable(type(error), changed)(changed)
    if hasattr(error, "hpa_origin"):
        new.hpa_origin = error.hpa_origin  # type: ignore[attr-defined]
    return new


def _summary(error: Exception, rank: int, size: int) -> Summary:
    """``error`` as the other ranks rebuild it. An error agreed before (by an inner agreement)
    keeps its message and origin; any other gains " (on rank R)" when ``size > 1``."""
    message = _message(error)
    origin = getattr(error, "hpa_origin", None)
    if origin is None:
        origin = rank
        if size > 1:
            message = f"{message} (on rank {rank})".lstrip()
    return _portable(type(error), message), message, origin


def _raise_agreed(chosen: Summary, error: Exception | None) -> None:
    """Raise the failure ``chosen`` on this rank, ``from`` this rank's own ``error`` if any."""
    kind, message, origin = chosen
    if error is not None and type(error) is kind and _message(error) == message:
        if getattr(error, "hpa_origin", None) == origin:
            raise error  # agreed already, the same everywhere: keep it as it is
    rebuilt = kind(message)
    rebuilt.hpa_origin = origin  # type: ignore[attr-defined]
    raise rebuilt from error


def agreed(comm: Communicator, action: Callable[[], T]) -> T:
    """Run ``action`` on every rank; if it raised anywhere, raise on every rank (collective).

    Every rank raises the same exception: the lowest failing rank's, as its nearest class
    that is built-in or defined in :mod:`hpa.core.errors` (``FileNotFoundError``,
    ``KeyError``, :class:`~hpa.core.errors.AxisError`, ...), with its message followed by
    ``" (on rank R)"``. On a failing rank it is raised ``from`` that rank's own exception, so
    the original traceback is kept. One ``allgather_object`` when ``comm`` has several ranks;
    at one rank nothing is communicated and the original exception itself is raised.

    Parameters
    ----------
    comm : Communicator
        The ranks that must agree.
    action : callable
        The local work, without arguments.

    Returns
    -------
    object
        What ``action`` returned on this rank.

    Raises
    ------
    Exception
        The agreed exception. Its attribute ``hpa_origin`` (int) is the lowest rank on which
        ``action`` failed (0 at one rank). An exception that an inner agreement raised keeps
        its message and ``hpa_origin`` when it passes through another.
    """
    return agreed_allgather(comm, action, lambda _: None)[0]


def agreed_allgather(
    comm: Communicator, action: Callable[[], T], share: Callable[[T], S]
) -> tuple[T, list[S]]:
    """:func:`agreed`, and every rank's ``share(result)`` gathered in the same collective.

    For a step whose outcome the other ranks need (how many rows a rank parsed, the shape of
    its block): the agreement and the exchange cost one ``allgather_object`` together (none
    when ``comm`` has one rank). ``share`` runs on this rank's result inside the agreement,
    so an error in it is agreed too; keep what it returns small and picklable.

    Returns
    -------
    tuple
        What ``action`` returned on this rank, and ``share``'s value from every rank in rank
        order.

    Raises
    ------
    Exception
        As :func:`agreed` (with ``hpa_origin``).
    """
    result: Any = None
    shared: Any = None
    error: Exception | None = None
    try:
        result = action()
        shared = share(result)
    except Exception as caught:  # noqa: BLE001 (every rank must learn of it; raised below)
        error = caught
    if comm.size == 1:
        if error is not None:
            if getattr(error, "hpa_origin", None) is None:
                error.hpa_origin = 0  # type: ignore[attr-defined]
            raise error
        return result, [shared]
    summary = None if error is None else _summary(error, comm.rank, comm.size)
    outcomes = gather_objects(comm, (summary, shared))
    chosen = next((s for s, _ in outcomes if s is not None), None)
    if chosen is not None:
        _raise_agreed(chosen, error)
    return result, [value for _, value in outcomes]
