"""Shape manipulation: reshaping, adding and removing axes, joining, flipping and rolling.

Every function says what it communicates. The rules:

- Operations that only renumber axes (``transpose``, ``swapaxes``, ``moveaxis``,
  ``expand_dims``, ``squeeze``, ``atleast_*d``) move no data: the split axis follows its data.
- ``reshape`` keeps the split when the split axis survives unchanged (same extent, same number
  of elements before and after it); otherwise the result is split along axis 0, whose blocks are
  consecutive runs of the C-order flat array, and the elements move with one ``alltoallv``
  between those runs (nothing moves when the old blocks already end on rows of the result).
- Data that must change rank (flipping or rolling the split axis, joining along it) travel in one
  ``alltoallv`` that delivers row ranges to their owners (:func:`hpa.core.exchange.assemble`).
  Large blocks moved through :func:`hpa.core.redistribute.redistribute` go one ``alltoallv`` per
  32 MiB window.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any, cast

import torch

from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.layout import Layout, chunk, normalize_axis
from hpa.core.exchange import assemble
from hpa.core.redistribute import overlap, redistribute
from hpa.ops.creation import coerce

__all__ = [
    "atleast_1d", "atleast_2d", "atleast_3d", "broadcast_arrays", "broadcast_to", "column_stack",
    "concat", "concatenate", "dstack", "expand_dims", "flatten", "flip", "fliplr", "flipud", "hstack",
    "matrix_transpose", "meshgrid", "moveaxis", "permute_dims", "ravel", "reshape", "roll", "rot90",
    "squeeze", "stack", "swapaxes", "transpose", "vstack",
]  # fmt: skip

Range = tuple[int, int]


def _axes(axis: int | Sequence[int], ndim: int) -> tuple[int, ...]:
    """``axis`` (an int or a sequence) as normalised axes; repeated axes are an error."""
    seq = (axis,) if isinstance(axis, int) or hasattr(axis, "__index__") else tuple(axis)
    out = tuple(normalize_axis(cast(int, a), ndim) for a in seq)
    if len(set(out)) != len(out):
        raise ValueError(f"repeated axis in {tuple(seq)}")
    return out


# ---------------------------------------------------------------------------------- axes only
@register()
def transpose(x: Any, /, *args: Any, axes: Sequence[int] | None = None) -> Array:
    """Permute the axes (reverse them by default); no communication.

    The permutation is ``axes=``, one sequence, or the axes as separate integers
    (``x.transpose(1, 0)``), as for NumPy's function and method.
    """
    x = coerce(x)
    if args:
        if axes is not None:
            raise TypeError("transpose: pass the axes positionally or as axes=, not both")
        axes = args[0] if len(args) == 1 and not isinstance(args[0], int) else args
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


@register()
def permute_dims(x: Any, /, axes: Sequence[int]) -> Array:
    """Permute the axes to ``axes`` (the Array API's :func:`transpose`); no communication."""
    return transpose(x, axes=axes)


@register()
def matrix_transpose(x: Any, /) -> Array:
    """Swap the last two axes; no communication."""
    x = coerce(x)
    if x.ndim < 2:
        raise ValueError("matrix_transpose needs at least two dimensions")
    perm = list(range(x.ndim))
    perm[-2], perm[-1] = perm[-1], perm[-2]
    return transpose(x, perm)


@register()
def swapaxes(x: Any, /, axis1: int, axis2: int) -> Array:
    """Interchange two axes (a view); no communication."""
    x = coerce(x)
    perm = list(range(x.ndim))
    a, b = normalize_axis(axis1, x.ndim), normalize_axis(axis2, x.ndim)
    perm[a], perm[b] = perm[b], perm[a]
    return transpose(x, perm)


@register()
def moveaxis(x: Any, /, source: int | Sequence[int], destination: int | Sequence[int]) -> Array:
    """Move axes ``source`` to positions ``destination``, the others keep their order; no
    communication."""
    x = coerce(x)
    src, dst = _axes(source, x.ndim), _axes(destination, x.ndim)
    if len(src) != len(dst):
        raise ValueError("source and destination must have the same number of elements")
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order)


def _renumbered(x: Array, shape: Sequence[int], split: int | None) -> Array:
    """``x``'s blocks viewed with ``shape``, the split axis renumbered to ``split`` (local)."""
    layout = Layout(shape, split, x.comm, None if split is None else x.counts)
    return Array(x.larray.reshape(layout.lshape), layout)


@register()
def expand_dims(x: Any, /, axis: int | Sequence[int] = 0) -> Array:
    """Insert axes of length one at positions ``axis`` of the result; no communication."""
    x = coerce(x)
    ndim = x.ndim + (1 if isinstance(axis, int) else len(tuple(axis)))
    new = _axes(axis, ndim)
    old = [a for a in range(ndim) if a not in new]
    shape = [1] * ndim
    for a, n in zip(old, x.shape):
        shape[a] = n
    return _renumbered(x, shape, None if x.split is None else old[x.split])


@register()
def squeeze(x: Any, /, axis: int | Sequence[int] | None = None) -> Array:
    """Remove axes of length one (all of them, or those in ``axis``); no communication.

    When the split axis itself is removed, one rank holds all the data: the result is split
    along its axis 0 with that rank holding every row (ragged; :meth:`Array.balance` spreads
    it), or replicated (one ``allgatherv`` of the single element) when it is 0-d.
    """
    x = coerce(x)
    if axis is None:
        drop = tuple(a for a, n in enumerate(x.shape) if n == 1)
    else:
        drop = _axes(axis, x.ndim)
        if any(x.shape[a] != 1 for a in drop):
            raise ValueError("cannot select an axis to squeeze out which has size not equal to one")
    keep = [a for a in range(x.ndim) if a not in drop]
    shape = tuple(x.shape[a] for a in keep)
    if x.split is None or x.split in keep:
        return _renumbered(x, shape, None if x.split is None else keep.index(x.split))
    if not shape:
        t = x.gather() if x.layout.is_distributed else x.larray
        return Array(t.reshape(()), Layout((), None, x.comm))
    owner = x.counts.index(1)
    counts = [shape[0] if r == owner else 0 for r in range(x.comm.size)]
    layout = Layout(shape, 0, x.comm, counts)
    return Array(x.larray.reshape(layout.lshape), layout)


# axes atleast_{1,2,3}d inserts, by (wanted ndim, present ndim), as NumPy does
_ATLEAST = {
    (1, 0): (0,),
    (2, 0): (0, 1),
    (2, 1): (0,),
    (3, 0): (0, 1, 2),
    (3, 1): (0, 2),
    (3, 2): (2,),
}


def _atleast(arys: tuple[Any, ...], ndim: int) -> Any:
    out = [coerce(a) for a in arys]
    out = [expand_dims(a, _ATLEAST[ndim, a.ndim]) if a.ndim < ndim else a for a in out]
    return out[0] if len(out) == 1 else tuple(out)


@register()
def atleast_1d(*arys: Any) -> Any:
    """Arrays with at least one axis (0-d becomes shape ``(1,)``); no communication."""
    return _atleast(arys, 1)


@register()
def atleast_2d(*arys: Any) -> Any:
    """Arrays with at least two axes (``(n,)`` becomes ``(1, n)``); no communication."""
    return _atleast(arys, 2)


@register()
def atleast_3d(*arys: Any) -> Any:
    """Arrays with at least three axes (``(n,)`` becomes ``(1, n, 1)``, ``(m, n)`` becomes
    ``(m, n, 1)``); no communication."""
    return _atleast(arys, 3)


# ---------------------------------------------------------------------------------- reshaping
def _parse_shape(shape: tuple[Any, ...], size: int) -> tuple[int, ...]:
    """The requested shape as integers, ``-1`` resolved; ``ValueError`` when it cannot hold
    ``size`` elements."""
    if len(shape) == 1 and not hasattr(type(shape[0]), "__index__"):
        shape = tuple(shape[0])
    dims = [operator.index(n) for n in shape]
    if any(n < -1 for n in dims):
        raise ValueError("negative dimensions not allowed")
    if dims.count(-1) > 1:
        raise ValueError("can only specify one unknown dimension")
    known = math.prod(n for n in dims if n != -1)
    if -1 in dims and known and size % known == 0:
        dims[dims.index(-1)] = size // known
    if math.prod(dims) != size or -1 in dims:
        raise ValueError(f"cannot reshape array of size {size} into shape {tuple(dims)}")
    return tuple(dims)


def _surviving_axis(shape: tuple[int, ...], new: tuple[int, ...], a: int) -> int | None:
    """The axis of ``new`` that is axis ``a`` of ``shape`` unchanged (same extent, same number
    of elements before and after it), or ``None``."""
    before, after = math.prod(shape[:a]), math.prod(shape[a + 1 :])
    for b, n in enumerate(new):
        if n == shape[a] and math.prod(new[:b]) == before and math.prod(new[b + 1 :]) == after:
            return b
    return None


def _to_rows(x: Array, row: int) -> Array:
    """``x`` (split along another axis) split along axis 0, with the blocks ending on rows of
    ``row`` elements of the result when possible (one ``alltoallv``)."""
    inner = math.prod(x.shape[1:])
    target = [c * row for c in chunk(x.size // row, x.comm.size)]
    counts = [t // inner for t in target] if all(t % inner == 0 for t in target) else None
    layout = x.layout.with_split(0, counts)
    return Array(redistribute(x.larray, x.layout, layout), layout)


def _reshape_c(x: Array, new: tuple[int, ...]) -> Array:
    """C-order reshape; the split follows the data (see :func:`reshape`)."""
    if x.split is None:
        return Array(x.larray.reshape(new), Layout(new, None, x.comm))
    b = _surviving_axis(x.shape, new, x.split)
    if b is not None:
        return _renumbered(x, new, b)
    if x.size == 0 or x.comm.size == 1:  # nothing to move
        layout = Layout(new, 0 if new else None, x.comm)
        return Array(x.larray.reshape(layout.lshape), layout)
    if not new:
        return Array(x.gather().reshape(()), Layout((), None, x.comm))
    row = math.prod(new[1:])
    if x.split != 0:
        x = _to_rows(x, row)
    inner = math.prod(x.shape[1:])
    flat = [c * inner for c in x.counts]  # type: ignore[union-attr]
    if all(f % row == 0 for f in flat):  # the blocks end on rows of the result: nothing moves
        layout = Layout(new, 0, x.comm, [f // row for f in flat])
        return Array(x.larray.reshape(layout.lshape), layout)
    layout = Layout(new, 0, x.comm)
    src = Layout((x.size,), 0, x.comm, flat)
    dst = Layout((x.size,), 0, x.comm, [c * row for c in layout.counts])  # type: ignore[union-attr]
    return Array(redistribute(x.larray.reshape(-1), src, dst).reshape(layout.lshape), layout)


@register()
def reshape(
    x: Any,
    /,
    shape: Any,
    *more: int,
    order: str = "C",
    new_split: int | None | str = "auto",
    copy: bool | None = None,
) -> Array:
    """The array with a new shape (``-1`` stands for the remaining extent).

    Parameters
    ----------
    x : array_like
    shape, *more : int or sequence of int
        ``reshape(x, (2, 3))``, ``reshape(x, shape=(2, 3))`` and ``reshape(x, 2, 3)`` are the
        same.
    order : {"C", "F"}
        Read and write the elements in C (row-major) or Fortran (column-major) order.
    new_split : int, None or "auto"
        The split axis of the result. ``"auto"`` (default) lets the data decide, as below.
    copy : bool, optional
        The Array API's flag: ``True`` always copies, ``False`` raises ``ValueError`` when the
        result cannot share the local blocks' memory, ``None`` copies only when needed.

    Returns
    -------
    Array

    Notes
    -----
    Communication (C order; "F" reshapes the transposes):

    - replicated, or the split axis survives (same extent, same number of elements before and
      after it, e.g. only trailing axes change): none, the split axis is renumbered;
    - otherwise the result is split along axis 0: nothing moves when every block ends on a row
      of the result (the result keeps those extents), else one ``alltoallv`` moves the elements
      to balanced blocks (one per 32 MiB window of a large block). A source split along
      another axis is first resplit to axis 0 (one more ``alltoallv``, cut so that the second
      one moves nothing whenever balanced rows of the result allow it);
    - a 0-d result is replicated (one ``allgatherv`` of its element).

    A ``new_split`` other than the one found costs one more redistribution. The data are never
    gathered on one rank.
    """
    x = coerce(x)
    out = _reshape(x, (shape, *more), order, new_split)
    shares = out.larray.untyped_storage().data_ptr() == x.larray.untyped_storage().data_ptr()
    if copy and shares:
        return out.copy()
    if copy is False and not shares and x.size:
        raise ValueError("reshape cannot share the array's memory here; use copy=None or True")
    return out


def _reshape(x: Array, shape: tuple[Any, ...], order: str, new_split: int | None | str) -> Array:
    new = _parse_shape(shape, x.size)
    if order == "C":
        out = _reshape_c(x, new)
    elif order == "F":
        out = transpose(_reshape_c(transpose(x), new[::-1]))
    else:
        raise ValueError(f"order must be 'C' or 'F', not {order!r}")
    if isinstance(new_split, str):
        if new_split != "auto":
            raise ValueError(f"new_split must be an axis, None or 'auto', not {new_split!r}")
        return out
    split = None if new_split is None else normalize_axis(new_split, out.ndim, "split axis")
    if split == out.split:
        return out
    layout = out.layout.with_split(split)
    return Array(redistribute(out.larray, out.layout, layout), layout)


@register()
def ravel(x: Any, /) -> Array:
    """The array flattened in C order, split along its only axis when ``x`` was split.

    Replicated or split along axis 0: no communication (the blocks are runs of the flat array,
    the result keeps their extents). Other splits: one ``alltoallv`` to axis 0 first. Like
    NumPy's ``ravel``, the result may share memory with ``x`` (see :func:`flatten`).
    """
    x = coerce(x)
    if x.split not in (None, 0):
        x = x.resplit(0)
    if x.split is None:
        return Array(x.larray.reshape(-1), Layout((x.size,), None, x.comm))
    row = math.prod(x.shape[1:])
    counts = [c * row for c in x.counts]
    return Array(x.larray.reshape(-1), Layout((x.size,), 0, x.comm, counts))


@register()
def flatten(x: Any, /) -> Array:
    """A flattened copy of ``x`` in C order (never shares memory with ``x``, like NumPy's);
    communicates as :func:`ravel`."""
    x = coerce(x)
    out = ravel(x)
    shared = out.larray.untyped_storage().data_ptr() == x.larray.untyped_storage().data_ptr()
    return out.copy() if shared else out


# ---------------------------------------------------------------------------------- broadcasting
@register()
def broadcast_to(x: Any, /, shape: int | Sequence[int]) -> Array:
    """``x`` broadcast to ``shape`` (a view of the local block).

    No communication when the split axis is not broadcast: the result keeps its extents. A
    split axis of length one that is stretched makes the result replicated (one
    ``allgatherv`` of ``x``, which one rank holds entirely), as :mod:`hpa.core.align` does for
    operands.
    """
    x = coerce(x)
    shape = (shape,) if isinstance(shape, int) else tuple(operator.index(n) for n in shape)
    lead = len(shape) - x.ndim
    if lead < 0 or any(n not in (1, m) for n, m in zip(x.shape, shape[lead:])):
        raise ValueError(f"cannot broadcast an array of shape {x.shape} to shape {shape}")
    if any(n < 0 for n in shape):
        raise ValueError("all elements of broadcast shape must be non-negative")
    if x.split is not None and x.shape[x.split] != shape[lead + x.split]:
        t = x.gather() if x.layout.is_distributed else x.larray
        return Array(t.expand(shape), Layout(shape, None, x.comm))
    split = None if x.split is None else lead + x.split
    layout = Layout(shape, split, x.comm, x.counts)
    return Array(x.larray.expand(layout.lshape), layout)


@register()
def broadcast_arrays(*args: Any) -> tuple[Array, ...]:
    """The arguments broadcast against each other; each communicates as :func:`broadcast_to`."""
    from hpa.core.align import broadcast_shapes

    arrays = [coerce(a) for a in args]
    shape = broadcast_shapes(*(a.shape for a in arrays))
    return tuple(broadcast_to(a, shape) for a in arrays)


# ---------------------------------------------------------------------------------- joining
def _check_join(arrays: list[Array], axis: int) -> tuple[int, ...]:
    """The shape of the concatenation along ``axis``; errors as NumPy's."""
    first = arrays[0]
    if first.ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    for i, a in enumerate(arrays[1:], 1):
        if a.ndim != first.ndim:
            raise ValueError(
                "all the input arrays must have same number of dimensions, but the array at "
                f"index 0 has {first.ndim} dimension(s) and the array at index {i} has "
                f"{a.ndim} dimension(s)"
            )
        for d in range(first.ndim):
            if d != axis and a.shape[d] != first.shape[d]:
                raise ValueError(
                    "all the input array dimensions except for the concatenation axis must "
                    f"match exactly, but along dimension {d}, the array at index 0 has size "
                    f"{first.shape[d]} and the array at index {i} has size {a.shape[d]}"
                )
    shape = list(first.shape)
    shape[axis] = sum(a.shape[axis] for a in arrays)
    return tuple(shape)


def _join_split_axis(blocks: list[Array], out: Layout) -> torch.Tensor:
    """This rank's block of the concatenation along the split axis (one ``alltoallv``).

    ``blocks`` are split along ``out.split`` or replicated; a replicated input contributes, on
    every rank, only the rows that rank owns in the output.
    """
    a = out.split
    assert a is not None
    starts = [0]
    for x in blocks:
        starts.append(starts[-1] + x.shape[a])

    def pieces_of(q: int) -> list[Range]:
        ranges = []
        for x, s in zip(blocks, starts):
            if x.split is None:
                ranges.append(overlap((s, s + x.shape[a]), out.range_of(q)))
            else:
                lo, hi = x.layout.range_of(q)
                ranges.append((s + lo, s + hi))
        return ranges

    local = []
    for x, (lo, hi), s in zip(blocks, pieces_of(out.comm.rank), starts):
        local.append(x.larray if x.split is not None else x.larray.narrow(a, lo - s, hi - lo))
    return assemble(local, pieces_of, out)


@register("concat")
def concatenate(arrays: Sequence[Any], /, axis: int | None = 0, dtype: Any = None) -> Array:
    """Join arrays along an existing axis (``axis=None``: flatten them first).

    The result is split along the split axis of the first split input (replicated if none is).
    Along another axis, every input is brought to that axis and those extents (a replicated
    input is sliced locally, an input split otherwise costs one ``alltoallv``) and the blocks
    are joined locally. Along the split axis, the result is balanced; inputs split along other
    axes are resplit to it first (one ``alltoallv`` each), then every row travels to its owner
    in one ``alltoallv`` for all inputs together.
    """
    if not arrays:
        raise ValueError("need at least one array to concatenate")
    ref = next((a for a in arrays if isinstance(a, Array)), None)
    xs = [coerce(a, ref) for a in arrays]
    if axis is None:
        xs, axis = [ravel(a) for a in xs], 0
    elif xs[0].ndim == 0:
        raise ValueError("zero-dimensional arrays cannot be concatenated")
    axis = normalize_axis(axis, xs[0].ndim)
    shape = _check_join(xs, axis)
    dt = dtypes.result_type(*xs) if dtype is None else dtypes.to_dtype(dtype)
    xs = [x.astype(dt, copy=False) for x in xs]
    split = next((x.split for x in xs if x.split is not None), None)
    if split is None or xs[0].comm.size == 1:
        return Array(torch.cat([x.larray for x in xs], axis), Layout(shape, split, xs[0].comm))
    if split != axis:
        counts = next(x.counts for x in xs if x.split is not None)
        out = Layout(shape, split, xs[0].comm, counts)
        blocks = [
            redistribute(x.larray, x.layout, Layout(x.shape, split, x.comm, counts)) for x in xs
        ]
        return Array(torch.cat(blocks, axis), out)
    xs = [x if x.split in (None, axis) else x.resplit(axis) for x in xs]
    out = Layout(shape, axis, xs[0].comm)
    return Array(_join_split_axis(xs, out), out)


concat = concatenate


@register()
def stack(arrays: Sequence[Any], /, axis: int = 0, dtype: Any = None) -> Array:
    """Join arrays of one shape along a new axis; communicates as :func:`concatenate` along a
    non-split axis (nothing when the inputs share a layout)."""
    if not arrays:
        raise ValueError("need at least one array to stack")
    ref = next((a for a in arrays if isinstance(a, Array)), None)
    xs = [coerce(a, ref) for a in arrays]
    if any(x.shape != xs[0].shape for x in xs):
        raise ValueError("all input arrays must have the same shape")
    axis = normalize_axis(axis, xs[0].ndim + 1)
    return concatenate([expand_dims(x, axis) for x in xs], axis=axis, dtype=dtype)


@register()
def vstack(tup: Sequence[Any], /, dtype: Any = None) -> Array:
    """Join along axis 0 after :func:`atleast_2d`; communicates as :func:`concatenate`."""
    return concatenate([atleast_2d(a) for a in tup], axis=0, dtype=dtype)


@register()
def hstack(tup: Sequence[Any], /, dtype: Any = None) -> Array:
    """Join along axis 1 (axis 0 for 1-d inputs); communicates as :func:`concatenate`."""
    xs = [atleast_1d(a) for a in tup]
    return concatenate(xs, axis=0 if xs and xs[0].ndim == 1 else 1, dtype=dtype)


@register()
def dstack(tup: Sequence[Any], /) -> Array:
    """Join along axis 2 after :func:`atleast_3d`; communicates as :func:`concatenate`."""
    return concatenate([atleast_3d(a) for a in tup], axis=2)


@register()
def column_stack(tup: Sequence[Any], /) -> Array:
    """1-d inputs as columns, 2-d as they are, joined along axis 1; communicates as
    :func:`concatenate`."""
    xs = [coerce(a) for a in tup]
    return concatenate([expand_dims(x, 1) if x.ndim < 2 else x for x in xs], axis=1)


# ---------------------------------------------------------------------------------- reordering
@register()
def flip(x: Any, /, axis: int | Sequence[int] | None = None) -> Array:
    """Reverse the order of the elements along ``axis`` (all axes by default).

    Local for every axis but the split axis. Reversing the split axis keeps the layout: rank
    ``r``'s rows come from the mirrored ranks, one ``alltoallv``.
    """
    x = coerce(x)
    axes = tuple(range(x.ndim)) if axis is None else _axes(axis, x.ndim)
    t = x.larray.flip(axes) if axes else x.larray.clone()
    if x.split not in axes or not x.layout.is_distributed:
        return Array(t, x.layout)
    n, lay = x.shape[x.split], x.layout

    def pieces_of(q: int) -> list[Range]:
        lo, hi = lay.range_of(q)
        return [(n - hi, n - lo)]

    return Array(assemble([t], pieces_of, lay), lay)


@register()
def fliplr(x: Any, /) -> Array:
    """Reverse axis 1; communicates as :func:`flip`."""
    x = coerce(x)
    if x.ndim < 2:
        raise ValueError("Input must be >= 2-d.")
    return flip(x, 1)


@register()
def flipud(x: Any, /) -> Array:
    """Reverse axis 0; communicates as :func:`flip`."""
    x = coerce(x)
    if x.ndim < 1:
        raise ValueError("Input must be >= 1-d.")
    return flip(x, 0)


def _roll_split(x: Array, shift: int) -> Array:
    """Roll along the split axis, keeping the layout (one ``alltoallv``)."""
    a, lay = x.split, x.layout
    assert a is not None
    n = x.shape[a]
    k = shift % n if n else 0
    cut = n - k  # rows from ``cut`` on wrap around to the front

    def pieces_of(q: int) -> list[Range]:
        lo, hi = lay.range_of(q)
        head = (lo + k, min(hi, cut) + k) if lo < cut else (n, n)
        tail = (max(lo, cut) - cut, hi - cut) if hi > cut else (0, 0)
        return [head, tail]

    lo, hi = lay.range_of(lay.comm.rank)
    mid = min(max(cut - lo, 0), hi - lo)
    t = x.larray
    local = [t.narrow(a, 0, mid), t.narrow(a, mid, hi - lo - mid)]
    return Array(assemble(local, pieces_of, lay), lay)


@register()
def roll(x: Any, /, shift: int | Sequence[int], axis: int | Sequence[int] | None = None) -> Array:
    """Shift elements cyclically along ``axis`` (the flat array when ``axis`` is None).

    Along non-split axes: local. Along the split axis: the layout is kept, one ``alltoallv``.
    ``axis=None`` rolls :func:`ravel` of ``x`` and reshapes back (for a split other than 0,
    add the two resplits of :func:`ravel` and :func:`reshape`).
    """
    x = coerce(x)
    if axis is None:
        if not isinstance(shift, int) and len(tuple(shift)) != 1:
            raise ValueError("shift must be a single integer when axis is None")
        flat = roll(ravel(x), shift, 0)
        return reshape(flat, x.shape, new_split=x.split)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    shifts = (shift,) if isinstance(shift, int) else tuple(shift)
    if len(shifts) == 1:
        shifts = shifts * len(axes)
    if len(axes) == 1:
        axes = axes * len(shifts)
    if len(axes) != len(shifts):
        raise ValueError("'shift' and 'axis' should be scalars or 1D sequences of one length")
    total = dict.fromkeys(range(x.ndim), 0)
    for a, s in zip(axes, shifts):
        total[normalize_axis(a, x.ndim)] += operator.index(s)
    local = {a: s for a, s in total.items() if s and a != x.split}
    t = x.larray.roll(tuple(local.values()), tuple(local)) if local else x.larray.clone()
    out = Array(t, x.layout)
    if x.split is not None and total[x.split] and x.layout.is_distributed:
        out = _roll_split(out, total[x.split])
    elif x.split is not None and total[x.split]:
        out = Array(t.roll(total[x.split], x.split), x.layout)
    return out


@register()
def rot90(m: Any, k: int = 1, axes: Sequence[int] = (0, 1)) -> Array:
    """Rotate by 90 degrees ``k`` times in the plane of ``axes``, from the first axis towards
    the second (as :func:`numpy.rot90`; a copy, not a view).

    A flip of one (or, for ``k = 2``, both) of the two axes and a transpose that swaps them:
    the split axis follows its data, so a split along ``axes[0]`` becomes a split along
    ``axes[1]`` and back (odd ``k``). Only a flip of the split axis communicates: one
    ``alltoallv``; otherwise nothing.
    """
    x = coerce(m)
    pair = tuple(operator.index(a) for a in axes)
    if len(pair) != 2:
        raise ValueError("len(axes) must be 2.")
    if pair[0] == pair[1] or abs(pair[0] - pair[1]) == x.ndim:
        raise ValueError("Axes must be different.")
    if not all(-x.ndim <= a < x.ndim for a in pair):
        raise ValueError(f"Axes={pair} out of range for array of ndim={x.ndim}.")
    first, second = (a % x.ndim for a in pair)
    turns = operator.index(k) % 4
    if turns == 0:
        return x.copy()
    if turns == 2:
        return flip(x, (first, second))
    perm = list(range(x.ndim))
    perm[first], perm[second] = second, first
    if turns == 1:
        return transpose(flip(x, second), perm)
    return flip(transpose(x, perm), second)


# ---------------------------------------------------------------------------- coordinate grids
def meshgrid(*arrays: Any, indexing: str = "xy", sparse: bool = False) -> tuple[Array, ...]:
    """Coordinate matrices from 1-D coordinate vectors, as :func:`numpy.meshgrid`.

    Parameters
    ----------
    *arrays : Array
        One-dimensional coordinate vectors.
    indexing : {"xy", "ij"}
        ``"xy"`` (Cartesian) swaps the first two output axes, ``"ij"`` (matrix) does not.
    sparse : bool
        Return arrays of size 1 along all axes but their own instead of full grids.

    Returns
    -------
    tuple of Array
        Output ``i`` is split along the axis that holds input ``i``'s values when that input
        is split; no communication.
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"indexing must be 'xy' or 'ij', not {indexing!r}")
    vectors = [coerce(a) for a in arrays]
    for v in vectors:
        if v.ndim != 1:
            raise ValueError(f"meshgrid takes 1-D arrays, not {v.ndim}-D ones")
    lengths = [v.shape[0] for v in vectors]
    positions = list(range(len(vectors)))
    if indexing == "xy" and len(vectors) > 1:
        lengths[0], lengths[1] = lengths[1], lengths[0]
        positions[0], positions[1] = 1, 0
    grids = []
    for v, pos in zip(vectors, positions):
        shape = tuple(-1 if i == pos else 1 for i in range(len(vectors)))
        g = reshape(v, shape)
        grids.append(g if sparse else broadcast_to(g, tuple(lengths)).copy())
    return tuple(grids)
