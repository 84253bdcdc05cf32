"""Shape manipulation needed by the foundation: transpose and flattening.

``transpose`` permutes each local block (a view, as in NumPy); the split axis follows its data,
so nothing is communicated. ``ravel`` of an array split along axis 0 (or replicated) is local too: the
blocks are consecutive runs of the flattened array. Other splits are first moved to axis 0
(one ``alltoallv`` per 32 MiB window, see :mod:`hpa.core.redistribute`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.layout import Layout, normalize_axis
from hpa.ops.creation import asarray

__all__ = ["flatten", "matrix_transpose", "permute_dims", "ravel", "transpose"]


@register("permute_dims")
def transpose(x: Any, /, axes: Sequence[int] | None = None) -> Array:
    """Permute the axes (reverse them by default); no communication."""
    x = x if isinstance(x, Array) else asarray(x)
    if axes is None:
        perm = tuple(range(x.ndim))[::-1]
    else:
        perm = tuple(normalize_axis(a, x.ndim) for a in axes)
        if sorted(perm) != list(range(x.ndim)):
            raise ValueError(f"axes {tuple(axes)} are not a permutation of {x.ndim} dimensions")
    shape = tuple(x.shape[a] for a in perm)
    split = None if x.split is None else perm.index(x.split)
    layout = Layout(shape, split, x.comm, x.counts)
    return Array(x.larray.permute(perm), layout)


permute_dims = transpose


@register()
def matrix_transpose(x: Any, /) -> Array:
    """Swap the last two axes; no communication."""
    x = x if isinstance(x, Array) else asarray(x)
    if x.ndim < 2:
        raise ValueError("matrix_transpose needs at least two dimensions")
    perm = list(range(x.ndim))
    perm[-2], perm[-1] = perm[-1], perm[-2]
    return transpose(x, perm)


@register()
def ravel(x: Any, /) -> Array:
    """The array flattened in C order, split along its only axis when ``x`` was split.

    Like NumPy's ``ravel``, the result may share memory with ``x`` (see :func:`flatten`).
    """
    x = x if isinstance(x, Array) else asarray(x)
    if x.split not in (None, 0):
        x = x.resplit(0)
    row = 1
    for n in x.shape[1:]:
        row *= n
    if x.split is None:
        return Array(x.larray.reshape(-1), Layout((x.size,), None, x.comm))
    counts = [c * row for c in x.counts]  # type: ignore[union-attr]
    return Array(x.larray.reshape(-1), Layout((x.size,), 0, x.comm, counts))


@register()
def flatten(x: Any, /) -> Array:
    """A flattened copy of ``x`` in C order (never shares memory with ``x``, like NumPy's)."""
    x = x if isinstance(x, Array) else asarray(x)
    out = ravel(x)
    shared = out.larray.untyped_storage().data_ptr() == x.larray.untyped_storage().data_ptr()
    return out.copy() if shared else out
