"""The plan of a distributed n-dimensional transform: which 1-D transforms run where, and where
the split axis goes between them.

A transform over several axes is a sequence of 1-D steps: complex-to-complex steps in any
order, a real-to-complex step first (``rfftn``) or a complex-to-real step last (``irfftn``).
Steps along axes that are not split run locally, as one ``torch.fft`` call per phase. A step
along the split axis waits until the split has moved to another axis:

1. run every step the current split allows (one local call);
2. move the split (one ``alltoallv`` through the planner) to the axis that lets the rest run:
   the requested output split if it can take it, else the longest axis with no pending step,
   else an axis whose step can wait; it must be at least as long as there are processes;
3. repeat; at the end move the split to the output's (the input's unless ``out_split``).

So ``fftn`` over every axis of an array split along one of them costs two all-to-alls, and one
with ``out_split`` naming another axis. When no other axis is long enough (1-D arrays), the step
runs along the split axis itself (:mod:`hpa.fft.split_axis`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from hpa.core.layout import Layout
from hpa.core.redistribute import redistribute
from hpa.fft.local import in_place, local_fft, scale
from hpa.fft.split_axis import dft, hermitian_full, resized

__all__ = ["C2C", "C2R", "R2C", "Step", "execute"]

C2C, R2C, C2R = "c2c", "r2c", "c2r"


@dataclass(frozen=True)
class Step:
    """One 1-D transform: along ``axis``, of length ``n`` (the signal length; for ``c2r`` the
    output length), of ``kind`` ``c2c``, ``r2c`` or ``c2r``."""

    axis: int
    n: int
    kind: str

    @property
    def length(self) -> int:
        """The axis length after the step."""
        return self.n // 2 + 1 if self.kind == R2C else self.n


def execute(
    t: torch.Tensor,
    lay: Layout,
    steps: list[Step],
    inverse: bool,
    norm: str,
    out_split: int | None,
) -> tuple[torch.Tensor, Layout]:
    """Run ``steps`` (distinct axes) on the block ``t`` of ``lay``; ``inverse`` is the direction
    of the complex steps. Returns the block and layout of the result, split along
    ``out_split`` (balanced, unless the split axis kept its length and its extents).

    Between moves the block is kept with the axes still to transform innermost (``order``
    lists the global axis each dimension of ``t`` holds), so every local transform runs along
    contiguous memory; the last move restores NumPy's order. ``t`` itself is never written.
    """
    pending = list(steps)
    order = tuple(range(lay.ndim))
    owned = False  # whether ``t`` is a buffer of this call's (transformed in place)
    while pending:
        group = _runnable(pending, lay)
        if group:
            t, lay = _local(t, lay, order, group, inverse, norm, owned)
            owned = True
            pending = [s for s in pending if s not in group]
            continue
        target = _target(lay, pending, out_split)
        if target is not None:
            busy = {s.axis for s in pending}
            inner = tuple([a for a in order if a not in busy] + [a for a in order if a in busy])
            t, lay, order, owned = (
                _move(t, lay, order, inner, target),
                lay.with_split(target),
                inner,
                True,
            )
            continue
        step = _blocked(pending, lay.split)
        t, lay = _along_split(
            t.permute(_positions(order, range(lay.ndim))), lay, step, inverse, norm
        )
        order, owned = tuple(range(lay.ndim)), True
        pending.remove(step)
    natural = tuple(range(lay.ndim))
    if lay.comm.size == 1 or (out_split == lay.split and order == natural):
        return t.permute(_positions(order, natural)).contiguous(), lay.with_split(
            out_split, lay.counts if out_split == lay.split else None
        )
    return _move(t, lay, order, natural, out_split), lay.with_split(out_split)


def _positions(order: tuple[int, ...], axes: Any) -> list[int]:
    """The dimensions of a block stored in ``order`` that hold the global ``axes``."""
    return [order.index(a) for a in axes]


def _stored(lay: Layout, order: tuple[int, ...]) -> Layout:
    """``lay`` for a block whose dimensions hold the global axes ``order``."""
    split = None if lay.split is None else order.index(lay.split)
    return Layout([lay.gshape[a] for a in order], split, lay.comm, lay.counts)


def _move(
    t: torch.Tensor, lay: Layout, order: tuple[int, ...], new: tuple[int, ...], target: int | None
) -> torch.Tensor:
    """The block of ``lay`` (stored in ``order``) moved to split ``target`` and stored in
    ``new``: one ``alltoallv`` (the planner packs straight from the permuted view)."""
    view = t.permute(_positions(order, new))
    return redistribute(view, _stored(lay, new), _stored(lay.with_split(target), new))


def _runnable(pending: list[Step], lay: Layout) -> list[Step]:
    """The steps that may run now, in the order of one ``torch.fft`` call's ``dim``."""
    cur = lay.split if lay.is_distributed else None
    first = pending[0] if pending[0].kind == R2C else None
    if first is not None:
        if first.axis == cur:
            return []
        return [s for s in pending[1:] if s.axis != cur] + [first]
    group = [s for s in pending if s.kind == C2C and s.axis != cur]
    last = pending[-1]
    if last.kind == C2R and last.axis != cur and len(group) == len(pending) - 1:
        group.append(last)
    return group


def _target(lay: Layout, pending: list[Step], out_split: int | None) -> int | None:
    """The axis to move the split to, or None when no other axis is long enough."""
    cur, p = lay.split, lay.comm.size
    busy = {s.axis for s in pending}
    fits = [q for q in range(lay.ndim) if q != cur and lay.gshape[q] >= p]
    choices = [q for q in fits if q not in busy]
    if not choices:
        ends = {s.axis for s in pending if s.kind != C2C}  # their steps cannot wait
        choices = [q for q in fits if q not in ends] or fits
    if not choices:
        return None
    if out_split in choices:
        return out_split
    return max(choices, key=lambda q: (lay.gshape[q], -q))


def _blocked(pending: list[Step], cur: int | None) -> Step:
    """The step along the split axis that must run next."""
    if pending[0].kind == R2C:
        return pending[0]
    return next((s for s in pending if s.kind == C2C and s.axis == cur), pending[-1])


def _local(
    t: torch.Tensor,
    lay: Layout,
    order: tuple[int, ...],
    group: list[Step],
    inverse: bool,
    norm: str,
    owned: bool,
) -> tuple[torch.Tensor, Layout]:
    ends = [s for s in group if s.kind != C2C]  # the real step goes last in ``dim``
    group = sorted((s for s in group if s.kind == C2C), key=lambda s: order.index(s.axis)) + ends
    dims, sizes = _positions(order, [s.axis for s in group]), [s.n for s in group]
    kinds = {s.kind for s in group}
    if R2C in kinds:
        out = local_fft(torch.fft.rfftn, t, sizes, dims, norm)
    elif C2R in kinds:
        out = local_fft(torch.fft.irfftn, t, sizes, dims, norm)
    else:
        fn = torch.fft.ifftn if inverse else torch.fft.fftn
        same = all(t.shape[d] == n for d, n in zip(dims, sizes)) and t.dtype.is_complex
        out = in_place(fn, t, dims, norm) if owned and same else local_fft(fn, t, sizes, dims, norm)
    gshape = list(lay.gshape)
    for s in group:
        gshape[s.axis] = s.length
    keeps = lay.split is None or lay.split not in [s.axis for s in group]
    return out, Layout(gshape, lay.split, lay.comm, lay.counts if keeps else None)


def _along_split(
    t: torch.Tensor, lay: Layout, step: Step, inverse: bool, norm: str
) -> tuple[torch.Tensor, Layout]:
    """One step along the split axis itself (:mod:`hpa.fft.split_axis`), then rebalanced."""
    a = lay.split
    assert a is not None
    n = step.n
    if step.kind == C2R:
        t, lay = hermitian_full(t, lay, n)
        t, lay = dft(t, lay, True, scale(norm, n, True))
        t = t.real.contiguous()
    else:
        t, lay = resized(t, lay, n)
        backward = inverse and step.kind == C2C
        t, lay = dft(t, lay, backward, scale(norm, n, backward))
        if step.kind == R2C:
            t, lay = resized(t, lay, step.length)
    dst = lay.with_split(a)
    return redistribute(t, lay, dst), dst
