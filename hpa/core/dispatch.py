"""The operation registry: how the array class reaches operations defined in ``hpa.ops``.

The core layer cannot import ``hpa.ops`` (it sits above it), yet ``a + b`` and ``x.sum()`` are
methods of the array. Operation modules register their public functions here under their
NumPy names when ``hpa`` is imported; the array's methods look them up by name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["OPS", "register"]

F = TypeVar("F", bound=Callable[..., Any])

OPS: dict[str, Callable[..., Any]] = {}


def register(*names: str) -> Callable[[F], F]:
    """Register the decorated function under its own name and any extra ``names``."""

    def deco(fn: F) -> F:
        for name in (fn.__name__, *names):
            OPS[name] = fn
        return fn

    return deco
