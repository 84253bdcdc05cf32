"""Shared helpers of ``hpa.linalg`` (internal): argument checks, whole matrices on every rank,
results laid out like their input, and the sums and flags agreed over the ranks.

==========================  ==========================================  =========================
helper                      what it does                                communication
==========================  ==========================================  =========================
:func:`as_matrix`,          ``x`` as a floating (square) matrix stack,  none
:func:`as_square`           or :class:`LinAlgError` on every rank
:func:`local_stack`         whole matrices on every rank                one ``allgatherv`` (2-D)
                                                                        or ``alltoallv`` (stack)
:func:`block_of`,           this rank's block under a layout, the       the planner's
:func:`whole`               whole array on every rank                   (``alltoallv`` /
                                                                        ``allgatherv``)
:func:`stack_array`,        results as arrays on the stack's layout,    none
:func:`like_input`,         or sliced back to the input's
:func:`sliced`
:func:`agree`               whether a flag is set on any rank           one ``allreduce`` when
                                                                        split
:func:`summed`              partial results summed over the blocks      one ``allreduce`` when
                                                                        split
==========================  ==========================================  =========================
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from hpa.core.align import local_block
from hpa.core.array import Array
from hpa.core.exchange import Partial, any_rank
from hpa.core.layout import Layout
from hpa.ops.creation import coerce

__all__ = [
    "LinAlgError",
    "agree",
    "as_floating",
    "as_matrix",
    "as_square",
    "block_of",
    "like_input",
    "local_stack",
    "sliced",
    "stack_array",
    "summed",
    "threshold",
    "whole",
]

LinAlgError = np.linalg.LinAlgError


def as_floating(a: Array) -> Array:
    """``a`` in a dtype LAPACK works in: integers and bools become float64, as in NumPy."""
    t = a.larray
    if t.dtype in (torch.float16, torch.bfloat16):
        raise TypeError(f"array type {a.dtype} is unsupported in linalg")
    if t.dtype.is_floating_point or t.dtype.is_complex:
        return a
    return Array(t.to(torch.float64), a.layout)


def as_matrix(x: Any) -> Array:
    """``x`` as a floating array of at least two dimensions (raised on every rank otherwise)."""
    a = coerce(x)
    if a.ndim < 2:
        raise LinAlgError(
            f"{a.ndim}-dimensional array given. Array must be at least two-dimensional"
        )
    return as_floating(a)


def as_square(x: Any) -> Array:
    """``x`` as a floating stack of square matrices (raised on every rank otherwise)."""
    a = as_matrix(x)
    if a.shape[-1] != a.shape[-2]:
        raise LinAlgError("Last 2 dimensions of the array must be square")
    return a


def local_stack(a: Array) -> tuple[torch.Tensor, Layout]:
    """Whole matrices on every rank: the local stack and its layout (split None or a batch axis).

    A 2-D matrix split along a matrix axis is gathered (one ``allgatherv``); a stack split along
    a matrix axis is moved to split along axis 0 (one ``alltoallv``).
    """
    if a.split is None or a.split < a.ndim - 2:
        return a.larray, a.layout
    lay = a.layout.with_split(0 if a.ndim > 2 else None)
    return block_of(a, lay), lay


def block_of(x: Array | torch.Tensor, lay: Layout) -> torch.Tensor:
    """This rank's block of ``x`` (an array or a replicated tensor) under ``lay``: a local slice,
    or the redistribution planner (one ``alltoallv``, or ``allgatherv`` to replicated) when
    ``x`` is split otherwise. At one process every block is the whole array: nothing moves."""
    if lay.comm.size == 1:
        return x.larray if isinstance(x, Array) else x
    return local_block(x, lay)


def whole(x: Array) -> torch.Tensor:
    """The whole of ``x`` on every rank (one ``allgatherv`` when it is split)."""
    return block_of(x, x.layout.with_split(None))


def stack_array(t: torch.Tensor, lay: Layout) -> Array:
    """``t``, computed from the local stack of ``lay``, as an array with the stack's batch split."""
    batch = lay.gshape[: lay.ndim - 2]
    shape = batch + tuple(t.shape[len(batch) :])
    return Array(t, Layout(shape, lay.split, lay.comm, lay.counts))


def like_input(full: torch.Tensor, a: Array, lay: Layout) -> Array:
    """A matrix-shaped result computed from ``local_stack(a)``: sliced back to ``a``'s layout
    when a 2-D ``a`` was gathered (no communication), else on the stack's layout."""
    if a.ndim > 2 or a.split is None:
        return stack_array(full, lay)
    return sliced(full, a.split, a.counts, a.comm)


def sliced(full: torch.Tensor, split: int | None, counts: Any, comm: Any) -> Array:
    """This rank's block of the replicated ``full`` cut along ``split`` (no communication)."""
    lay = Layout(tuple(full.shape), split, comm, counts)
    if split is None:
        return Array(full, lay)
    lo, hi = lay.range_of(comm.rank)
    return Array(full.narrow(split, lo, hi - lo).clone(), lay)


def agree(bad: torch.Tensor, lay: Layout) -> bool:
    """Whether any rank's local ``bad`` flags are set (one ``allreduce`` when ``lay`` is split)."""
    flag = bad.any()
    if lay.is_distributed:
        return any_rank(flag, lay.comm)
    return bool(flag)


def summed(t: torch.Tensor, lay: Layout) -> torch.Tensor:
    """Sum the partial results of all blocks of ``lay`` (one ``allreduce`` when split)."""
    return Partial(t, lay.comm).replicate() if lay.is_distributed else t


def threshold(value: Any, like: torch.Tensor) -> Any:
    """``value`` (a scalar, or per matrix of a stack) ready to broadcast against the trailing
    axis of ``like``: a Python number stays one (no copy to the device)."""
    if isinstance(value, (int, float)):
        return value
    return torch.as_tensor(value, dtype=like.dtype).to(like.device)[..., None]
