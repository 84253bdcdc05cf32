"""Splitting, repeating, tiling, padding and copying into arrays.

Every function says what it communicates:

==========================  ===============================  ================================
function                    along a non-split axis           along the split axis
==========================  ===============================  ================================
split, array_split,         none (the pieces keep the        none: every rank keeps the rows
hsplit, vsplit, dsplit      layout)                          of each piece it holds (ragged)
repeat                      none                             none: repeated rows stay on the
                                                             rank of their source row (ragged)
repeat, ``axis=None``       :func:`ravel` first (one ``alltoallv`` unless split 0 or None)
tile                        none                             one ``alltoallv`` when the split
                                                             axis is repeated (balanced result)
pad, ``constant``           none                             none: rank 0 gets the leading
                                                             rows, the last rank the trailing
pad, ``edge``/``reflect``   none                             one ``alltoallv`` bringing exactly
                                                             the source rows to rank 0 and the
                                                             last rank
copyto                      as elementwise operands (:mod:`hpa.core.align`): none when ``src``
                            and ``where`` are replicated or share ``dst``'s blocks
==========================  ===============================  ================================

A single process (or a replicated array) never communicates.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import pairwise
from typing import Any

import numpy as np
import torch

from hpa.core import dtypes
from hpa.core.align import as_local_tensor, broadcast_shapes, local_block, scalar_tensor
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import assemble, fetch
from hpa.core.layout import Layout, normalize_axis
from hpa.ops.creation import coerce
from hpa.ops.manipulation import expand_dims, ravel, squeeze

__all__ = [
    "array_split", "copyto", "dsplit", "hsplit", "pad", "repeat", "split", "tile", "unstack",
    "vsplit",
]  # fmt: skip

_PAD_MODES = ("constant", "edge", "reflect")
_NUMPY_PAD_MODES = ("symmetric", "wrap", "linear_ramp", "maximum", "mean", "median", "minimum")


# ---------------------------------------------------------------------------------- splitting
def _piece(x: Array, axis: int, start: int, stop: int) -> Array:
    """Rows ``[start, stop)`` of ``x`` along ``axis``, left where they are (a view, local)."""
    shape = list(x.shape)
    shape[axis] = stop - start
    lay = x.layout
    if axis != x.split:
        layout = Layout(shape, x.split, x.comm, x.counts)
        return Array(x.larray.narrow(axis, start, stop - start), layout)
    counts = []
    for q in range(x.comm.size):
        lo, hi = lay.range_of(q)
        counts.append(max(0, min(hi, stop) - max(lo, start)))
    lo, hi = lay.range_of(x.comm.rank)
    first = min(max(start - lo, 0), hi - lo)
    mine = counts[x.comm.rank]
    return Array(x.larray.narrow(axis, first, mine), Layout(shape, axis, x.comm, counts))


def _bounds(n: int, indices_or_sections: Any, equal: bool) -> list[tuple[int, int]]:
    """``[start, stop)`` of every piece, as NumPy's ``split``/``array_split`` cut ``n`` rows."""
    if isinstance(indices_or_sections, (int, np.integer)) and not isinstance(
        indices_or_sections, bool
    ):
        sections = int(indices_or_sections)
        if sections <= 0:
            raise ValueError("number sections must be larger than 0.")
        if equal and n % sections:
            raise ValueError("array split does not result in an equal division")
        each, extra = divmod(n, sections)
        sizes = [each + 1] * extra + [each] * (sections - extra)
        starts = np.cumsum([0, *sizes]).tolist()
        return list(pairwise(starts))
    cuts = [operator.index(i) for i in np.asarray(indices_or_sections).reshape(-1).tolist()]
    edges = [0, *cuts, n]
    out = []
    for a, b in pairwise(edges):
        lo, hi, _ = slice(a, b).indices(n)
        out.append((lo, max(lo, hi)))
    return out


@register()
def array_split(a: Any, indices_or_sections: Any, axis: int = 0) -> list[Array]:
    """Split ``a`` into pieces along ``axis``; ``indices_or_sections`` as in NumPy.

    An integer ``N`` gives ``N`` pieces, the first ``n % N`` one row longer; a sequence gives
    the cut points (NumPy's slicing rules: negative counts from the end, out of range clips).

    Returns
    -------
    list of Array
        Views of ``a``'s blocks. No communication: along the split axis every rank keeps the
        rows of each piece it already holds, so the pieces' extents are ragged
        (:meth:`Array.balance` evens them).
    """
    return _split(a, indices_or_sections, axis, equal=False, name="array_split")


@register()
def split(a: Any, indices_or_sections: Any, axis: int = 0) -> list[Array]:
    """Split ``a`` into pieces along ``axis``; an integer must divide the axis evenly.

    No communication (see :func:`array_split`: pieces of the split axis stay where they are,
    with ragged extents).
    """
    return _split(a, indices_or_sections, axis, equal=True, name="split")


def _split(a: Any, indices_or_sections: Any, axis: int, equal: bool, name: str) -> list[Array]:
    """The pieces of ``a`` along ``axis`` (views of the local blocks; no communication)."""
    x = coerce(a)
    if x.ndim == 0:
        raise ValueError(f"{name} needs an array of at least one dimension")
    axis = normalize_axis(axis, x.ndim)
    bounds = _bounds(x.shape[axis], indices_or_sections, equal=equal)
    return [_piece(x, axis, lo, hi) for lo, hi in bounds]


@register()
def hsplit(a: Any, indices_or_sections: Any) -> list[Array]:
    """Split along axis 1 (axis 0 for 1-d arrays); no communication, as :func:`split`."""
    x = coerce(a)
    if x.ndim == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(x, indices_or_sections, 1 if x.ndim > 1 else 0)


@register()
def vsplit(a: Any, indices_or_sections: Any) -> list[Array]:
    """Split along axis 0 of an array of at least two dimensions; no communication."""
    x = coerce(a)
    if x.ndim < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(x, indices_or_sections, 0)


@register()
def dsplit(a: Any, indices_or_sections: Any) -> list[Array]:
    """Split along axis 2 of an array of at least three dimensions; no communication."""
    x = coerce(a)
    if x.ndim < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(x, indices_or_sections, 2)


# ---------------------------------------------------------------------------------- repeating
def _repeat_counts(repeats: Any, n: int) -> torch.Tensor:
    """``repeats`` as an int64 tensor of length ``n`` (an hpa array is gathered first)."""
    if isinstance(repeats, Array):
        repeats = repeats.numpy()
    elif isinstance(repeats, torch.Tensor):
        repeats = repeats.detach().cpu().numpy()
    r = np.asarray(repeats)
    if r.size and r.dtype.kind not in "iu" and not (r.dtype.kind == "b" and r.ndim == 0):
        raise TypeError(f"repeats must be integers, got dtype {r.dtype}")
    if r.ndim > 1 or (r.ndim == 1 and r.size not in (1, n)):
        raise ValueError(f"repeats of shape {r.shape} do not match an axis of length {n}")
    if (r < 0).any():
        raise ValueError("repeats may not contain negative values")
    return torch.from_numpy(np.broadcast_to(r.reshape(-1).astype(np.int64), (n,)).copy())


@register()
def repeat(a: Any, repeats: Any, axis: int | None = None) -> Array:
    """Repeat every element (``axis=None``: of the flattened array) or every slice along
    ``axis``, ``repeats`` times (an integer, or one count per slice).

    Communication: none along a non-split axis (the result keeps the layout) and none along
    the split axis: the copies of a row stay on the rank of that row, so the result's extents
    are the sums of the repeats over each rank's rows (ragged). ``axis=None`` repeats
    :func:`ravel` of ``a`` (one ``alltoallv`` for a split other than 0 or None). Repeats
    given as a split hpa array are gathered (one ``allgatherv``).
    """
    x = coerce(a)
    if axis is None:
        x, axis = ravel(x), 0
    axis = normalize_axis(axis, x.ndim)
    reps = _repeat_counts(repeats, x.shape[axis])
    shape = list(x.shape)
    shape[axis] = int(reps.sum())
    if axis == x.split:
        lay = x.layout
        counts = [int(reps[slice(*lay.range_of(q))].sum()) for q in range(x.comm.size)]
        reps = reps[slice(*lay.range_of(x.comm.rank))]
        layout = Layout(shape, axis, x.comm, counts)
    else:
        layout = Layout(shape, x.split, x.comm, x.counts)
    t = x.larray
    index = torch.repeat_interleave(torch.arange(reps.numel()), reps).to(t.device)
    return Array(t.index_select(axis, index), layout)


@register()
def tile(a: Any, reps: int | Sequence[int]) -> Array:
    """``a`` repeated ``reps`` times along each axis (NumPy's rules for unequal lengths).

    Communication: none unless the split axis is repeated; then the result is balanced and
    every rank sends each copy of its rows to their owners, one ``alltoallv``.
    """
    x = coerce(a)
    reps = (reps,) if isinstance(reps, (int, np.integer)) else tuple(reps)
    reps = tuple(operator.index(r) for r in reps)
    if any(r < 0 for r in reps):
        raise ValueError("negative dimensions are not allowed")
    if len(reps) > x.ndim:
        x = expand_dims(x, tuple(range(len(reps) - x.ndim)))
    reps = (1,) * (x.ndim - len(reps)) + reps
    shape = tuple(n * r for n, r in zip(x.shape, reps))
    s = x.split
    if s is None or reps[s] == 1 or x.comm.size == 1:
        counts = None if s is None or reps[s] != 1 else x.counts
        return Array(x.larray.repeat(reps), Layout(shape, s, x.comm, counts))
    local = x.larray.repeat(tuple(1 if d == s else r for d, r in enumerate(reps)))
    out = Layout(shape, s, x.comm)
    if reps[s] == 0:
        return Array(local.new_empty(out.lshape), out)
    n, lay = x.shape[s], x.layout

    def pieces_of(q: int) -> list[tuple[int, int]]:
        lo, hi = lay.range_of(q)
        return [(k * n + lo, k * n + hi) for k in range(reps[s])]

    return Array(assemble([local] * reps[s], pieces_of, out), out)


# ---------------------------------------------------------------------------------- padding
def _as_pairs(value: Any, ndim: int, what: str) -> list[tuple[Any, Any]]:
    """``value`` as one ``(before, after)`` pair per axis, as NumPy's ``pad`` reads it."""
    v = np.asarray(value)
    if v.size == 1:
        item = v.reshape(-1)[0]
        return [(item, item)] * ndim
    if v.size == 2 and v.shape != (2, 1):
        first, second = v.reshape(-1)
        return [(first, second)] * ndim
    try:
        return [tuple(p) for p in np.broadcast_to(v, (ndim, 2)).tolist()]
    except ValueError:
        raise ValueError(f"{what} of shape {v.shape} cannot be read as (before, after) per axis")


def _source_index(n: int, before: int, after: int, mode: str) -> torch.Tensor:
    """For every position of an axis padded from ``n`` rows, the row it copies (edge/reflect)."""
    i = torch.arange(-before, n + after)
    if mode == "edge" or n == 1:
        return i.clamp(0, n - 1)
    j = i.remainder(2 * (n - 1))
    return torch.where(j >= n, 2 * (n - 1) - j, j)


def _fill(t: torch.Tensor, axis: int, rows: int, value: Any) -> torch.Tensor:
    shape = list(t.shape)
    shape[axis] = rows
    # NumPy's dtype for the value (float64 for a Python float), then t's: no float32 rounding
    fill = torch.as_tensor(np.asarray(value)).to(t.dtype)
    return torch.full(shape, 0, dtype=t.dtype, device=t.device).fill_(fill)


def _pad_local(
    t: torch.Tensor, axis: int, before: int, after: int, mode: str, values: tuple[Any, Any]
) -> torch.Tensor:
    """``t`` padded along ``axis`` with all its rows at hand."""
    if not before and not after:
        return t
    if mode == "constant":
        return torch.cat(
            [_fill(t, axis, before, values[0]), t, _fill(t, axis, after, values[1])], axis
        )
    return t.index_select(axis, _source_index(t.shape[axis], before, after, mode).to(t.device))


def _pad_split_axis(
    t: torch.Tensor, lay: Layout, before: int, after: int, mode: str, values: tuple[Any, Any]
) -> torch.Tensor:
    """This rank's block of ``t`` padded along the split axis: rank 0 gets the leading rows,
    the last rank the trailing rows. Edge and reflect fetch the source rows they copy from
    their owners (one ``alltoallv``)."""
    comm, a = lay.comm, lay.split
    assert a is not None
    last = comm.size - 1
    head = before if comm.rank == 0 else 0
    tail = after if comm.rank == last else 0
    if mode == "constant":
        return _pad_local(t, a, head, tail, mode, values)
    n = lay.gshape[a]
    index = _source_index(n, before, after, mode).tolist()
    wanted = {0: sorted(set(index[:before])), last: sorted(set(index[len(index) - after :]))}
    counts = [len(wanted.get(q, [])) for q in range(comm.size)]
    rows = t.movedim(a, 0)
    want = torch.tensor([*wanted[0], *wanted[last]], dtype=torch.long, device=t.device)
    got = fetch(rows, lay, want, counts)
    where = {g: i for i, g in enumerate(wanted.get(comm.rank, []))}
    pick = [where[g] for g in index[:head]] + [where[g] for g in index[len(index) - tail :]]
    picked = got.index_select(0, torch.tensor(pick, dtype=torch.long, device=t.device))
    return torch.cat([picked[:head], rows, picked[head:]]).movedim(0, a)


@register()
def pad(
    array: Any,
    pad_width: Any,
    mode: str = "constant",
    constant_values: Any = 0,
) -> Array:
    """``array`` padded with ``pad_width`` rows before and after each axis (NumPy's forms:
    an int, one ``(before, after)`` pair, or one pair per axis).

    Parameters
    ----------
    array : array_like
    pad_width : int or sequence
    mode : {"constant", "edge", "reflect"}
        Fill with ``constant_values``, repeat the edge rows, or mirror the rows without
        repeating the edge (NumPy's ``reflect`` with ``reflect_type="even"``). Other NumPy
        modes raise ``NotImplementedError``.
    constant_values : scalar or sequence
        For ``"constant"``: one value, one pair, or one pair per axis (cast to the dtype).

    Returns
    -------
    Array
        Same split; along the split axis rank 0 holds the leading and the last rank the
        trailing padding (ragged extents).

    Notes
    -----
    Axes are padded in order, as NumPy does, so corners agree with it. Every axis but the
    split axis is padded locally. Along the split axis ``constant`` is local too; ``edge`` and
    ``reflect`` fetch exactly the rows they copy, from their owners to rank 0 and the last
    rank, in one ``alltoallv``.
    """
    x = coerce(array)
    if mode in _NUMPY_PAD_MODES or mode == "empty":
        raise NotImplementedError(f"pad mode {mode!r} is not supported; use one of {_PAD_MODES}")
    if mode not in _PAD_MODES:
        raise ValueError(f"mode {mode!r} is not supported")
    widths = np.asarray(pad_width)
    if widths.dtype.kind not in "iu":
        raise TypeError("`pad_width` must be of integral type.")
    pairs = [(int(b), int(e)) for b, e in _as_pairs(widths, x.ndim, "pad_width")]
    if any(b < 0 or e < 0 for b, e in pairs):
        raise ValueError("index can't contain negative values")
    values = _as_pairs(constant_values, x.ndim, "constant_values")
    for axis, (b, e) in enumerate(pairs):
        if mode != "constant" and x.shape[axis] == 0 and (b or e):
            raise ValueError(
                f"can't extend empty axis {axis} using modes other than 'constant' or 'empty'"
            )
    t, lay = x.larray, x.layout
    for axis, (b, e) in enumerate(pairs):
        if axis == lay.split and lay.is_distributed:
            t = _pad_split_axis(t, lay, b, e, mode, values[axis])
        else:
            t = _pad_local(t, axis, b, e, mode, values[axis])
        shape = list(lay.gshape)
        shape[axis] += b + e
        counts = None if lay.split is None else list(lay.counts)  # type: ignore[arg-type]
        if counts is not None and axis == lay.split:
            counts[0] += b
            counts[-1] += e
        lay = Layout(shape, lay.split, lay.comm, counts)
    return Array(t.contiguous(), lay)


# ---------------------------------------------------------------------------------- copying
def _scalar_dtype(value: Any) -> dtypes.DType:
    """The dtype NumPy gives a Python scalar of ``value``'s kind."""
    for kind, dt in ((bool, dtypes.bool_), (int, dtypes.int64), (float, dtypes.float64)):
        if isinstance(value, kind):
            return dt
    return dtypes.complex128


def _operand(value: Any, dst: Array) -> tuple[Any, dtypes.DType, tuple[int, ...]]:
    """``value`` as an Array, a tensor or a Python scalar, with its dtype and shape."""
    if isinstance(value, Array):
        return value, value.dtype, value.shape
    if isinstance(value, (bool, int, float, complex)) and not isinstance(value, np.generic):
        return value, _scalar_dtype(value), ()
    t = as_local_tensor(value, dst.larray.device)
    return t, dtypes.of_torch(t.dtype), tuple(t.shape)


@register()
def copyto(dst: Array, src: Any, casting: str = "same_kind", where: Any = True) -> None:
    """Copy ``src`` into ``dst`` in place, where ``where`` is true.

    ``src`` and ``where`` broadcast to ``dst``'s shape; ``src`` is cast to ``dst``'s dtype
    under ``casting`` (NumPy's rules, Python scalars by their kind). ``dst`` keeps its layout.

    Communication: as the operands of an elementwise operation with ``dst``'s layout
    (:func:`hpa.core.align.local_block`): none for replicated operands, NumPy/torch data and
    arrays with ``dst``'s blocks; one ``alltoallv`` for an array split otherwise; one
    ``allgatherv`` for an array split along an axis that broadcasts.
    """
    if not isinstance(dst, Array):
        raise TypeError(f"copyto: dst must be an hpa array, not {type(dst).__name__}")
    value, src_dtype, src_shape = _operand(src, dst)
    mask, mask_dtype, mask_shape = _operand(where, dst)
    if not dtypes.can_cast(src_dtype, dst.dtype, casting):
        raise TypeError(
            f"Cannot cast array data from {src_dtype.name} to {dst.dtype.name} "
            f"according to the rule {casting!r}"
        )
    if mask_dtype is not dtypes.bool_:
        raise TypeError(f"where must be boolean, not {mask_dtype.name}")
    for shape in (src_shape, mask_shape):
        if len(shape) > dst.ndim or broadcast_shapes(shape, dst.shape) != dst.shape:
            raise ValueError(f"could not broadcast input of shape {shape} into shape {dst.shape}")
    t = dst.larray
    if not isinstance(value, (bool, int, float, complex)):
        value = local_block(value, dst.layout).to(t.dtype)
    else:  # filled on the device in NumPy's dtype for the scalar, then cast (as NumPy casts)
        value = scalar_tensor(value, _scalar_dtype(value).torch, t.device).to(t.dtype)
    if mask is True:
        t.copy_(value.expand_as(t))
    elif mask is not False:
        t.copy_(torch.where(local_block(mask, dst.layout).to(t.device), value, t))


# ---------------------------------------------------------------------------- unstack
@register()
def unstack(x: Any, /, *, axis: int = 0) -> tuple[Array, ...]:
    """The slices of ``x`` along ``axis``, as a tuple of arrays with that axis removed.

    No communication: slices of the split axis stay on the rank that holds them (their blocks
    are ragged; :meth:`Array.balance` evens them out).
    """
    a = coerce(x)
    axis = normalize_axis(axis, a.ndim)
    if a.shape[axis] == 0:
        return ()
    return tuple(squeeze(p, axis=axis) for p in split(a, a.shape[axis], axis=axis))
