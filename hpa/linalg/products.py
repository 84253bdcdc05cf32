"""Matrix and tensor products: ``matmul``/``@`` for every pair of splits, and the products
built on it (``dot``, ``vdot``, ``inner``, ``outer``, ``tensordot``, ``einsum``, ``kron``,
``matrix_power``, ``cross``).

How ``matmul(a, b)`` communicates depends on the role of each operand's split axis: ``m``
(rows of ``a``), ``k`` (the contracted axis, columns of ``a`` or rows of ``b``), ``n`` (columns
of ``b``), a batch axis, or none (replicated):

==================  ================================  ===============  ==========================
``a`` / ``b``       algorithm                         result split     communication
==================  ================================  ===============  ==========================
none / none         local product                     none             none
m / none            local rows of the product         rows (``m``)     none
none / n            local columns of the product      columns (``n``)  none
m / k               ``b``'s row blocks pass around    rows (``m``)     ``p - 1`` ring steps, each
                    a ring, each multiplied by the                     one block of ``b``
                    matching columns of ``a``
k / n               ``a``'s column blocks pass        columns (``n``)  ``p - 1`` ring steps, each
                    around a ring                                      one block of ``a``
m / n               the smaller operand's blocks      rows (``m``) or  ``p - 1`` ring steps
                    pass around a ring                columns (``n``)
k / k, none / k,    local partial products over my    none when the    one ``allreduce``, or one
k / none            slice of ``k``, summed            result is at     ``reduce_scatter`` per
                                                      most 8 MiB,      window of at most 32 MiB
                                                      else rows        of partial rows
batch / any         each rank multiplies its own      that batch axis  none, or one ``alltoallv``
                    matrices                                           (``allgatherv`` when
                                                                       broadcast) for the other
==================  ================================  ===============  ==========================

The result split follows from the roles and the sizes alone, so it is the same at every
process count (at one process the product is one local ``torch.matmul``, laid out as the
table says). No rank ever holds the whole of a split operand, and no result-sized buffer is
allocated beyond the rank's own block of the result (partial sums are reduced window by window
when the result is large). Operands split along ``k`` with different extents are first brought to the
same extents (one ``alltoallv``). Products run in the result dtype with ``torch.matmul``; bool
products are computed on integers and compared with zero, as NumPy's are logical. CUDA has no
integer matrix product: integer blocks on a GPU are multiplied by :func:`exact_matmul`.
"""

from __future__ import annotations

import builtins
import math
import string
from collections.abc import Sequence
from typing import Any

import torch

from hpa.core import dtypes
from hpa.core.align import broadcast_shapes
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial, ring, scatter_windows
from hpa.core.layout import Layout, normalize_axis
from hpa.core.redistribute import redistribute
from hpa.linalg.checks import LinAlgError
from hpa.ops.creation import asarray, coerce
from hpa.ops.diagonals import diagonal
from hpa.ops.elementwise import conj, multiply, subtract
from hpa.ops.manipulation import expand_dims, moveaxis, ravel, reshape, squeeze, stack, transpose
from hpa.ops.reductions import sum as _sum

__all__ = [
    "cross", "dot", "einsum", "inner", "kron", "matmul", "matrix_power", "outer", "tensordot",
    "vdot", "vecdot",
]  # fmt: skip

_REPLICATE_BYTES = 8 << 20  # partial sums up to this size are allreduced into a replicated result
_WINDOW_BYTES = 32 << 20  # larger ones are reduce-scattered in windows of about this size
_EXACT_BYTES = 64 << 20  # temporaries of exact_matmul stay below about this size


def _operands(*xs: Any) -> list[Array]:
    """The operands as arrays: data that is not an hpa array joins the first array's
    communicator and device (replicated)."""
    like = next((x for x in xs if isinstance(x, Array)), None)
    return [coerce(x, like) for x in xs]


# ---------------------------------------------------------------------------- local products
def local_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``torch.matmul`` of two local blocks of one dtype, on any device.

    CUDA implements no matrix product for integer and bool tensors, so those are computed
    by :func:`exact_matmul` there; everything else (and every CPU block) by ``torch.matmul``.
    """
    if a.device.type == "cpu" or a.is_floating_point() or a.is_complex():
        return torch.matmul(a, b)
    return exact_matmul(a, b)


def exact_matmul(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a @ b`` of integer or bool tensors without a matrix-product kernel, exactly.

    The result has the operands' dtype: integers wrap around in it as ``torch.matmul``'s
    (and NumPy's) do, bools give the logical product (``any(a[..., i, :] & b[..., :, j])``).
    It is computed as broadcast products ``a[..., :, :, None] * b[..., None, :, :]`` summed
    over the contracted axis, tile by tile (rows, columns, contracted axis and stack
    entries), so that no temporary exceeds about 64 MiB.

    Parameters
    ----------
    a, b : torch.Tensor
        Of one dtype and device; 1-D operands and stacks broadcast as in ``torch.matmul``.

    Returns
    -------
    torch.Tensor
        The product, of ``torch.matmul``'s shape.

    Raises
    ------
    TypeError
        If the dtypes differ.
    RuntimeError
        If an operand is 0-d or the contracted lengths differ.
    """
    if a.dtype != b.dtype:
        raise TypeError(f"exact_matmul: operands of dtypes {a.dtype} and {b.dtype} differ")
    if a.dim() == 0 or b.dim() == 0:
        raise RuntimeError("exact_matmul: both arguments need at least one dimension")
    a2 = a.unsqueeze(0) if a.dim() == 1 else a
    b2 = b.unsqueeze(-1) if b.dim() == 1 else b
    if a2.shape[-1] != b2.shape[-2]:
        raise RuntimeError(
            f"exact_matmul: shapes {tuple(a.shape)} and {tuple(b.shape)} cannot be multiplied"
        )
    batch = torch.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    out = torch.zeros((*batch, a2.shape[-2], b2.shape[-1]), dtype=a.dtype, device=a.device)
    if out.numel() and a2.shape[-1]:
        _exact_tiles(a2, b2, out, max(1, _EXACT_BYTES // a.element_size()))
    if a.dim() == 1:
        out = out.squeeze(-2)
    return out.squeeze(-1) if b.dim() == 1 else out


def _exact_tiles(a: torch.Tensor, b: torch.Tensor, out: torch.Tensor, budget: int) -> None:
    """Accumulate ``a @ b`` into the zeroed ``out`` with temporaries of at most ``budget``
    elements (more only when one stack entry times one element of each axis exceeds it)."""
    m, k, n = a.shape[-2], a.shape[-1], b.shape[-1]
    kc = min(k, budget)
    nc = min(n, max(1, budget // kc))
    mc = min(m, max(1, budget // (kc * nc)))
    tile = mc * kc * nc
    nd = out.dim()
    if nd > 2 and math.prod(out.shape[:-2]) * tile > budget:  # cut the leading stack axis
        lead = out.shape[0]
        per = math.prod(out.shape[1:-2]) * tile
        if per > budget:
            for i in range(lead):
                _exact_tiles(_stack_entry(a, nd, i), _stack_entry(b, nd, i), out[i], budget)
            return
        step = budget // per
        for s in range(0, lead, step):
            e = min(lead, s + step)
            _exact_tiles(_stack_entries(a, nd, s, e), _stack_entries(b, nd, s, e), out[s:e], budget)
        return
    logical = out.dtype == torch.bool
    for i in range(0, m, mc):
        for j in range(0, n, nc):
            acc = out[..., i : i + mc, j : j + nc]
            for p in range(0, k, kc):
                prod = a[..., i : i + mc, p : p + kc, None] * b[..., None, p : p + kc, j : j + nc]
                if logical:
                    acc |= prod.any(-2)
                else:
                    acc += prod.sum(-2, dtype=out.dtype)


def _stack_entry(x: torch.Tensor, nd: int, i: int) -> torch.Tensor:
    """Operand ``x`` for entry ``i`` of the leading stack axis of an ``nd``-dim result."""
    axis = x.dim() - nd
    if axis < 0:
        return x
    return x.select(axis, 0 if x.shape[axis] == 1 else i)


def _stack_entries(x: torch.Tensor, nd: int, start: int, stop: int) -> torch.Tensor:
    """Operand ``x`` for entries ``[start, stop)`` of the leading stack axis of the result."""
    axis = x.dim() - nd
    if axis < 0 or x.shape[axis] == 1:
        return x
    return x.narrow(axis, start, stop - start)


# ---------------------------------------------------------------------------- matmul
@register()
def matmul(x1: Any, x2: Any, /) -> Array:
    """Matrix product of ``x1`` and ``x2`` with NumPy's rules (1-d operands, stacks of matrices
    broadcast against each other).

    Works for every pair of splits; the algorithm, the split of the result and what it
    communicates follow from the role of each split axis (see the table in the module
    docstring of ``hpa.linalg.products``): replicated or row/column splits that line up need no
    communication, a split contracted axis costs one ``allreduce`` (small results, replicated)
    or ``reduce_scatter`` windows (large results, split along rows), and otherwise blocks of
    one operand travel around a ring of ``p - 1`` point-to-point steps. No rank gathers a
    split operand.

    Raises
    ------
    ValueError
        If an operand is 0-d, or the contracted dimensions or the stack shapes do not match.
    """
    a, b = _operands(x1, x2)
    for i, x in enumerate((a, b)):
        if x.ndim == 0:
            raise ValueError(
                f"matmul: Input operand {i} does not have enough dimensions (has 0, gufunc core "
                "with signature (n?,k),(k,m?)->(n?,m?) requires 1)"
            )
    a2 = a if a.ndim > 1 else expand_dims(a, 0)
    b2 = b if b.ndim > 1 else expand_dims(b, -1)
    if a2.shape[-1] != b2.shape[-2]:
        raise ValueError(
            "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
            f"signature (n?,k),(k,m?)->(n?,m?) (size {b2.shape[-2]} is different from "
            f"{a2.shape[-1]})"
        )
    batch = broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    out = _matmul(a2, b2, batch, dtypes.result_type(a, b))
    drop = ([-2] if a.ndim == 1 else []) + ([-1] if b.ndim == 1 else [])
    return squeeze(out, axis=tuple(drop)) if drop else out


def _matmul(a: Array, b: Array, batch: tuple[int, ...], res: dtypes.DType) -> Array:
    """``a @ b`` for operands of at least two dimensions with broadcastable stacks."""
    nd = len(batch) + 2
    shape = (*batch, a.shape[-2], b.shape[-1])
    a, b = (_unbroadcast(x, shape) for x in (a, b))
    sa = None if a.split is None else a.split + nd - a.ndim  # split axes in result coordinates
    sb = None if b.split is None else b.split + nd - b.ndim
    how, split = _plan(a, b, shape, sa, sb, res)
    if a.comm.size == 1:
        return Array(_mm(a.larray, b.larray, res), Layout(shape, split, a.comm))
    if how == "local":  # blocks that line up: a's rows or b's columns
        counts = None if split is None else (a if split == nd - 2 else b).layout.counts
        return Array(_mm(a.larray, b.larray, res), Layout(shape, split, a.comm, counts))
    if how == "batch":
        return _batch_split(a, b, shape, sa, sb, res)
    if how == "contract":
        return _contract_split(a, b, shape, res, split)
    if how == "ring rows":
        assert a.layout.counts is not None
        return _ring(a.larray, b, shape, res, a.layout.counts, rows=True)
    assert b.layout.counts is not None
    return _ring(b.larray, a, shape, res, b.layout.counts, rows=False)


def _plan(
    a: Array, b: Array, shape: tuple[int, ...], sa: int | None, sb: int | None, res: dtypes.DType
) -> tuple[str, int | None]:
    """The algorithm of ``a @ b`` and the split of the result, from the roles of the split axes
    and the sizes alone: the result's layout is the same at every process count."""
    nd = len(shape)
    if sa is None and sb is None:
        return "local", None
    if sa is not None and sa < nd - 2:
        return "batch", sa
    if sb is not None and sb < nd - 2:
        return "batch", sb
    ra = {None: None, nd - 2: "m", nd - 1: "k"}[sa]
    rb = {None: None, nd - 2: "k", nd - 1: "n"}[sb]
    if "k" in (ra, rb):
        if ra in (None, "k") and rb in (None, "k"):
            small = math.prod(shape) * res.itemsize <= _REPLICATE_BYTES
            return "contract", None if small else nd - 2
        return ("ring rows", nd - 2) if ra == "m" else ("ring columns", nd - 1)
    if ra == "m" and rb == "n":  # ring the smaller operand
        return ("ring rows", nd - 2) if b.size <= a.size else ("ring columns", nd - 1)
    return "local", nd - 2 if ra == "m" else nd - 1


def _mm(a: torch.Tensor, b: torch.Tensor, res: dtypes.DType) -> torch.Tensor:
    """Local product in the result dtype (bool: counted in int64, then compared with zero)."""
    if res.kind == "b":
        return local_matmul(a.to(torch.int64), b.to(torch.int64)) != 0
    return local_matmul(a.to(res.torch), b.to(res.torch))


def _batch_split(
    a: Array, b: Array, shape: tuple[int, ...], sa: int | None, sb: int | None, res: dtypes.DType
) -> Array:
    """One operand split along a stack axis: every rank multiplies its own matrices.

    The other operand is brought to the same blocks of that axis (one ``alltoallv``), or
    replicated (one ``allgatherv``) when it broadcasts along it.
    """
    nd = len(shape)
    lead, other, s = (a, b, sa) if sa is not None and sa < nd - 2 else (b, a, sb)
    counts = lead.layout.counts
    assert s is not None and counts is not None
    t_other = _batch_block(other, s, nd, counts)
    ta, tb = (lead.larray, t_other) if lead is a else (t_other, lead.larray)
    return Array(_mm(ta, tb, res), Layout(shape, s, a.comm, counts))


def _unbroadcast(x: Array, shape: tuple[int, ...]) -> Array:
    """``x`` replicated when it is split along a stack axis of length one that broadcasts."""
    s = x.split
    if s is None or s >= x.ndim - 2 or x.shape[s] == shape[s + len(shape) - x.ndim]:
        return x
    return x.resplit(None)


def _batch_block(x: Array, s: int, nd: int, counts: Sequence[int]) -> torch.Tensor:
    """``x``'s block for the result's stack axis ``s`` cut into ``counts``."""
    axis = s - (nd - x.ndim)
    if axis < 0 or x.shape[axis] == 1:  # broadcast along s: every rank needs all of x
        return redistribute(x.larray, x.layout, x.layout.with_split(None))
    return redistribute(x.larray, x.layout, x.layout.with_split(axis, counts))


def _contract_split(
    a: Array, b: Array, shape: tuple[int, ...], res: dtypes.DType, split: int | None
) -> Array:
    """Split contracted axis: local partial products over my slice of ``k``, then summed into
    a replicated result (``split`` None) or reduce-scattered along the rows."""
    k_counts = (a if a.split == a.ndim - 1 else b).layout.counts
    assert k_counts is not None
    lo, hi = Layout((a.shape[-1],), 0, a.comm, k_counts).range_of(a.comm.rank)
    ta = _k_block(a, a.ndim - 1, k_counts, lo, hi)
    tb = _k_block(b, b.ndim - 2, k_counts, lo, hi)
    comm = a.comm
    if split is None:
        return Array(Partial(_mm(ta, tb, res), comm).replicate(), Layout(shape, None, comm))
    out_lay = Layout(shape, split, comm)
    return Array(_reduce_rows(ta, tb, out_lay, res), out_lay)


def _k_block(x: Array, axis: int, counts: Sequence[int], lo: int, hi: int) -> torch.Tensor:
    """My slice ``[lo, hi)`` of ``x``'s contracted ``axis`` (moved there if laid out otherwise)."""
    if x.split is None:
        return x.larray.narrow(axis, lo, hi - lo)
    return redistribute(x.larray, x.layout, x.layout.with_split(axis, counts))


def _reduce_rows(
    ta: torch.Tensor, tb: torch.Tensor, out: Layout, res: dtypes.DType
) -> torch.Tensor:
    """My rows of ``sum over ranks of ta @ tb``, reduce-scattered in windows of partial rows."""
    nd = out.ndim
    offsets = out.offsets
    assert offsets is not None
    row_bytes = max(1, math.prod(out.gshape) // max(1, out.gshape[-2])) * res.itemsize

    def window(start: int, takes: list[int]) -> torch.Tensor:
        rows = [ta.narrow(-2, offsets[r] + start, n) for r, n in enumerate(takes) if n]
        return _mm(torch.cat(rows, dim=-2), tb, res).movedim(nd - 2, 0).contiguous()

    pieces = [p.movedim(0, nd - 2) for p in scatter_windows(out, row_bytes, window, _WINDOW_BYTES)]
    if not pieces:
        return _mm(ta.narrow(-2, 0, 0), tb, res)
    return torch.cat(pieces, dim=-2).contiguous()


def _ring(
    mine: torch.Tensor,
    moving: Array,
    shape: tuple[int, ...],
    res: dtypes.DType,
    counts: Sequence[int],
    rows: bool,
) -> Array:
    """Blocks of ``moving`` travel around the ring; each meets the local operand ``mine``.

    ``rows``: ``mine`` is ``a``'s row block and ``moving`` is ``b`` (split along ``k`` or
    ``n``); the result is split along rows with ``counts``. Otherwise ``mine`` is ``b``'s
    column block, ``moving`` is ``a`` and the result is split along columns. Each step sends
    the block in hand to the previous rank and receives the next rank's, overlapped with the
    product of the block in hand.
    """
    comm, nd = moving.comm, len(shape)
    rank = comm.rank
    lay = moving.layout
    s = lay.split  # role of the moving split: "k" (contracted) or the free axis of moving
    contracted = s == (moving.ndim - 2 if rows else moving.ndim - 1)
    block = _compute_block(moving.larray, res)
    mine = _compute_block(mine, res)
    out_lshape = list(shape)
    out_lshape[nd - 2 if rows else nd - 1] = counts[rank]
    out = torch.zeros(out_lshape, dtype=block.dtype, device=block.device)
    for owner, block in ring(block, lay.counts, comm, axis=s):  # type: ignore[arg-type]
        lo, hi = lay.range_of(owner)
        if contracted:
            if rows:
                out += local_matmul(mine.narrow(-1, lo, hi - lo), block)
            else:
                out += local_matmul(block, mine.narrow(-2, lo, hi - lo))
        elif rows:
            out[..., lo:hi] = local_matmul(mine, block)
        else:
            out[..., lo:hi, :] = local_matmul(block, mine)
    if res.kind == "b":
        out = out != 0
    return Array(out, Layout(shape, nd - 2 if rows else nd - 1, comm, counts))


def _compute_block(t: torch.Tensor, res: dtypes.DType) -> torch.Tensor:
    return t.to(torch.int64 if res.kind == "b" else res.torch).contiguous()


# ---------------------------------------------------------------------------- built on matmul
@register()
def tensordot(x1: Any, x2: Any, /, *, axes: int | Sequence[Any] = 2) -> Array:
    """Sum products over ``axes`` (an int: the last ``axes`` of ``x1`` with the first of
    ``x2``; or two sequences of axes), like NumPy.

    The contracted axes are moved to the end of ``x1`` and the front of ``x2``, merged
    (:func:`hpa.reshape`: no communication unless a split axis is merged with the axes before
    it), and multiplied with :func:`matmul`, whose communication applies.
    """
    a, b = _operands(x1, x2)
    if isinstance(axes, int):
        if axes < 0:
            raise ValueError("axes must be at least 0")
        ax_a, ax_b = list(range(a.ndim - axes, a.ndim)), list(range(axes))
    else:
        ax_a, ax_b = ([x] if isinstance(x, int) else list(x) for x in axes)
    if len(ax_a) != len(ax_b):
        raise ValueError("shape-mismatch for sum")
    ax_a = [normalize_axis(i, a.ndim) for i in ax_a]
    ax_b = [normalize_axis(i, b.ndim) for i in ax_b]
    if any(a.shape[i] != b.shape[j] for i, j in zip(ax_a, ax_b)):
        raise ValueError("shape-mismatch for sum")
    free_a = [i for i in range(a.ndim) if i not in ax_a]
    free_b = [j for j in range(b.ndim) if j not in ax_b]
    fa, fb = [a.shape[i] for i in free_a], [b.shape[j] for j in free_b]
    k = math.prod(a.shape[i] for i in ax_a)
    a2 = reshape(transpose(a, axes=free_a + ax_a), (math.prod(fa), k))
    b2 = reshape(transpose(b, axes=ax_b + free_b), (k, math.prod(fb)))
    return reshape(matmul(a2, b2), (*fa, *fb))


@register()
def dot(a: Any, b: Any, out: Any = None) -> Array:
    """Dot product with NumPy's rules: inner product of vectors, matrix product of matrices,
    sum over the last axis of ``a`` and the second-to-last of ``b`` otherwise.

    Communicates what :func:`matmul` or :func:`tensordot` does for the operands (a product
    with a 0-d operand is elementwise: none).
    """
    if out is not None:
        raise TypeError("dot: out= is not supported")
    x, y = _operands(a, b)
    if x.ndim == 0 or y.ndim == 0:
        return multiply(x, y)
    if y.ndim <= 2:
        return matmul(x, y)
    return tensordot(x, y, axes=([-1], [-2]))


@register()
def vdot(a: Any, b: Any, /) -> Array:
    """Dot product of the flattened arrays, ``a`` conjugated; 0-d result.

    Flattens both (:func:`hpa.ravel`), then one :func:`matmul` of vectors: one ``allreduce``
    when they are split (after aligning their blocks), none when replicated.
    """
    x, y = (ravel(v) for v in _operands(a, b))
    if x.shape != y.shape:
        raise ValueError("cannot reshape array: vdot needs arrays of the same size")
    return matmul(conj(x) if x.dtype.kind == "c" else x, y)


@register()
def inner(a: Any, b: Any, /) -> Array:
    """Inner product over the last axes (a 0-d operand multiplies), like NumPy; communicates
    what :func:`tensordot` does."""
    x, y = _operands(a, b)
    if x.ndim == 0 or y.ndim == 0:
        return multiply(x, y)
    if x.shape[-1] != y.shape[-1]:
        raise ValueError(
            f"shapes {x.shape} and {y.shape} not aligned: {x.shape[-1]} (dim {x.ndim - 1}) "
            f"!= {y.shape[-1]} (dim {y.ndim - 1})"
        )
    if x.ndim == 1 and y.ndim == 1:
        return matmul(x, y)
    return tensordot(x, y, axes=([-1], [-1]))


@register()
def outer(a: Any, b: Any, /, out: Any = None) -> Array:
    """Outer product of the flattened ``a`` and ``b``: ``out[i, j] = a[i] * b[j]``.

    Split along rows when ``a`` is split (``b`` is replicated first: one ``allgatherv`` when it
    is split), along columns when only ``b`` is split, replicated otherwise; the product itself
    is local.
    """
    if out is not None:
        raise TypeError("outer: out= is not supported")
    x, y = (ravel(v) for v in _operands(a, b))
    if x.split is not None and y.split is not None:
        y = y.resplit(None)
    return multiply(expand_dims(x, 1), expand_dims(y, 0))


@register()
def kron(a: Any, b: Any, /) -> Array:
    """Kronecker product, like NumPy: blocks ``a[i, j] * b``.

    Formed as a broadcast product of ``a`` and ``b`` with interleaved axes (elementwise
    alignment rules), then merged with :func:`hpa.reshape`; a split ``b`` is replicated first
    when ``a`` is split (one ``allgatherv``).
    """
    x, y = _operands(a, b)
    nd = builtins.max(x.ndim, y.ndim)
    x = reshape(x, (1,) * (nd - x.ndim) + x.shape) if x.ndim < nd else x
    y = reshape(y, (1,) * (nd - y.ndim) + y.shape) if y.ndim < nd else y
    if x.split is not None and y.split is not None:
        y = y.resplit(None)
    xs = expand_dims(x, tuple(range(1, 2 * nd, 2)))  # a0, 1, a1, 1, ...
    ys = expand_dims(y, tuple(range(0, 2 * nd, 2)))  # 1, b0, 1, b1, ...
    prod = multiply(xs, ys)
    return reshape(prod, tuple(x.shape[i] * y.shape[i] for i in range(nd)))


@register()
def matrix_power(x: Any, n: int, /) -> Array:
    """``x`` multiplied by itself ``n`` times by repeated squaring with :func:`matmul`, like
    ``numpy.linalg.matrix_power``; ``n < 0`` raises the inverse (:func:`hpa.linalg.inv`) to
    ``-n``, ``n == 0`` gives identities laid out like ``x``.

    Communicates what each :func:`matmul` of ``x``'s layout does, about ``2 log2(|n|)`` times,
    plus what :func:`hpa.linalg.inv` does for ``n < 0`` (a singular matrix raises
    ``LinAlgError`` on every rank).
    """
    a = asarray(x)
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise LinAlgError("matrix_power needs a stack of square matrices")
    if not isinstance(n, int) or isinstance(n, bool):
        raise TypeError("exponent must be an integer")
    if n < 0:
        from hpa.linalg.solvers import inv  # solvers imports this module

        a, n = inv(a), -n
    result: Array | None = None
    square = a
    while True:
        if n & 1:
            result = square if result is None else matmul(result, square)
        n >>= 1
        if not n:
            break
        square = matmul(square, square)
    if result is None:  # n == 0: identities, laid out like ``a`` (my slice: no communication)
        eye = torch.eye(a.shape[-1], dtype=a.dtype.torch, device=a.larray.device)
        whole = eye.expand(a.shape).contiguous()
        return Array(redistribute(whole, a.layout.with_split(None), a.layout), a.layout)
    return result


@register()
def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Array:
    """Cross product of 3-element vectors along ``axis`` (Array API semantics: both operands
    have length 3 there; the other axes broadcast).

    Elementwise on the components; when ``axis`` is a split axis the operand is replicated
    along it first (one ``allgatherv``).
    """
    a, b = _operands(x1, x2)
    nd = builtins.max(a.ndim, b.ndim)
    ax = normalize_axis(axis, nd) - nd
    if -ax > builtins.min(a.ndim, b.ndim) or a.shape[ax] != 3 or b.shape[ax] != 3:
        raise ValueError("cross: both operands need length 3 along axis")
    ca = _components(a, ax)
    cb = _components(b, ax)
    parts = [
        subtract(multiply(ca[1], cb[2]), multiply(ca[2], cb[1])),
        subtract(multiply(ca[2], cb[0]), multiply(ca[0], cb[2])),
        subtract(multiply(ca[0], cb[1]), multiply(ca[1], cb[0])),
    ]
    return stack(parts, axis=ax)


def _components(x: Array, axis: int) -> list[Array]:
    """The three components of ``x`` along (negative) ``axis``, each without that axis."""
    ax = x.ndim + axis
    if x.split == ax:
        x = x.resplit(None)
    moved = moveaxis(x, ax, 0)
    return [moved[i] for i in range(3)]


# ---------------------------------------------------------------------------- einsum
@register()
def einsum(subscripts: str, *operands: Any) -> Array:
    """Einstein summation for the contractions that map onto products and reductions.

    Explicit (``"ij,jk->ik"``) and implicit (``"ij,jk"``) output, any number of operands
    (contracted pairwise, left to right), repeated labels within one operand (diagonals),
    labels summed away, and ``...`` for leading axes. Each pairwise contraction becomes one
    :func:`matmul` on stacks (batch labels first, contracted labels merged), so it communicates
    what that product does; a label summed away within one operand is one :func:`hpa.sum`
    (one ``allreduce`` when it is the split axis).
    """
    arrays = _operands(*operands)
    inputs, output = _parse_einsum(subscripts, arrays)
    terms = list(zip(inputs, arrays))
    later = [set("".join(s for s, _ in terms[i + 1 :])) | set(output) for i in range(len(terms))]
    labels, current = _reduce_term(*terms[0], later[0])
    for i in range(1, len(terms)):
        lb, xb = _reduce_term(*terms[i], later[i] | set(labels))
        labels, current = _contract(labels, current, lb, xb, later[i])
    return _finish(labels, current, output)


def _parse_einsum(subscripts: str, arrays: list[Array]) -> tuple[list[str], str]:
    """Input label strings (``...`` expanded to fresh upper-case labels) and the output."""
    spec = subscripts.replace(" ", "")
    lhs, arrow, out = spec.partition("->")
    inputs = lhs.split(",")
    if len(inputs) != len(arrays):
        raise ValueError("more operands provided to einstein sum function than specified")
    ell_nd = 0
    for s, x in zip(inputs, arrays):
        if "..." in s:
            ell_nd = builtins.max(ell_nd, x.ndim - (len(s) - 3))
    fresh = string.ascii_uppercase[:ell_nd]
    expanded = []
    for s, x in zip(inputs, arrays):
        if "..." in s:
            n = x.ndim - (len(s) - 3)
            s = s.replace("...", fresh[ell_nd - n :])
        if len(s) != x.ndim or not s.isalpha():
            raise ValueError(f"einstein sum subscripts string {s!r} does not match operand")
        expanded.append(s)
    if arrow:
        out = out.replace("...", fresh)
    else:
        counts = "".join(expanded)
        out = fresh + "".join(sorted(c for c in set(counts) - set(fresh) if counts.count(c) == 1))
    if len(set(out)) != len(out) or any(c not in "".join(expanded) for c in out):
        raise ValueError(f"einsum: invalid output subscripts {out!r}")
    return expanded, out


def _reduce_term(labels: str, x: Array, keep: set[str]) -> tuple[str, Array]:
    """Take diagonals of repeated labels and sum labels that no later term or the output uses."""
    while len(set(labels)) != len(labels):
        c = next(ch for ch in labels if labels.count(ch) > 1)
        i = labels.index(c)
        j = labels.index(c, i + 1)
        x = diagonal(x, 0, i, j)
        labels = labels[:i] + labels[i + 1 : j] + labels[j + 1 :] + c
    drop = tuple(i for i, c in enumerate(labels) if c not in keep)
    if drop:
        x = _sum(x, axis=drop)
        labels = "".join(c for c in labels if c in keep)
    return labels, x


def _contract(la: str, a: Array, lb: str, b: Array, keep: set[str]) -> tuple[str, Array]:
    """Contract two terms with one batched :func:`matmul`; labels kept: batch, free a, free b."""
    batch = [c for c in la if c in lb and c in keep]
    summed = [c for c in la if c in lb and c not in keep]
    free_a = [c for c in la if c not in lb]
    free_b = [c for c in lb if c not in la]
    size = {**dict(zip(la, a.shape)), **dict(zip(lb, b.shape))}
    for c in set(la) & set(lb):
        na, nb = a.shape[la.index(c)], b.shape[lb.index(c)]
        if na != nb and 1 not in (na, nb):
            raise ValueError(f"einsum: operands disagree on the size of label {c!r}")
        size[c] = builtins.max(na, nb)
    bdims = [size[c] for c in batch]
    ta = transpose(a, axes=[la.index(c) for c in batch + free_a + summed])
    tb = transpose(b, axes=[lb.index(c) for c in batch + summed + free_b])
    fa, fb = [size[c] for c in free_a], [size[c] for c in free_b]
    k = math.prod(size[c] for c in summed)
    ta = _merge(ta, len(batch), [a.shape[la.index(c)] for c in batch], math.prod(fa), k)
    tb = _merge(tb, len(batch), [b.shape[lb.index(c)] for c in batch], k, math.prod(fb))
    prod = matmul(ta, tb)
    return "".join(batch + free_a + free_b), reshape(prod, (*bdims, *fa, *fb))


def _merge(x: Array, nb: int, bshape: list[int], rows: int, cols: int) -> Array:
    """``x`` reshaped to its ``nb`` stack axes followed by one ``rows x cols`` matrix."""
    target = (*bshape, rows, cols)
    return x if x.shape == target else reshape(x, target)


def _finish(labels: str, x: Array, output: str) -> Array:
    """Sum the labels not in ``output`` and order the axes as ``output`` says."""
    labels, x = _reduce_term(labels, x, set(output))
    if labels == output:
        return x
    return transpose(x, axes=[labels.index(c) for c in output])


# ---------------------------------------------------------------------------- linear algebra
@register()
def vecdot(x1: Any, x2: Any, /, *, axis: int = -1) -> Array:
    """Dot products of vectors along ``axis`` (``x1`` conjugated), broadcasting the rest.

    Computed as ``sum(conj(x1) * x2, axis=axis)``: the product aligns the operands as any
    elementwise operation; the sum does one ``allreduce`` when ``axis`` is the split axis.

    Raises
    ------
    ValueError
        If ``x1`` and ``x2`` differ in size along ``axis`` (it is not broadcast).
    """
    a, b = _operands(x1, x2)
    ndim = builtins.max(a.ndim, b.ndim)
    axis = normalize_axis(axis, ndim) - ndim  # counted from the end, as broadcasting aligns
    if -axis > builtins.min(a.ndim, b.ndim) or a.shape[axis] != b.shape[axis]:
        raise ValueError(f"vecdot: shapes {a.shape} and {b.shape} differ along axis {axis}")
    if a.dtype.kind == "c":
        a = conj(a)
    product = multiply(a, b)
    return _sum(product, axis=axis, dtype=product.dtype)  # no widening of small integers
