"""Sorting, selecting and searching: sort, argsort, lexsort, topk, searchsorted, unique.

Order
-----
Ascending order puts NaN last, as NumPy does; ``descending=True`` is the reverse order of the
values (NaN first) while equal values keep their input order (the Array API's
``sort(x, descending=True, stable=True)``). Every sort is stable, whatever ``stable`` and
``kind`` say, so ``argsort`` gives NumPy's ``kind="stable"`` indices exactly and the result is
the same at every process count. Complex values have no order here: ``TypeError``.

Communication
-------------
====================================  ==================================================
operation                             collectives
====================================  ==================================================
sort/argsort along a non-split axis   none: ``torch.sort`` of the local block
sort/argsort of a 1-D split array     sample sort: one ``allgather`` of a random sample
                                      (about ``4096 p`` elements over all ranks, at most
                                      ``2**18``), one ``allgather`` of the ``p`` send counts
                                      per rank (they fix the result's extents), one
                                      ``alltoallv`` of the elements (plus their global
                                      indices for ``argsort``)
sort/argsort along the split axis     the block is resplit along the longest other axis
of an n-D array (n >= 2)              (one ``alltoallv``), sorted locally and resplit back to
                                      the input's extents (one ``alltoallv``); the other axes
                                      should have at least ``p`` slices to spread the work
lexsort along a non-split axis        none: stable sorts of the local blocks
lexsort along the split axis of       each key is coded as order-preserving int64 ranks:
1-D keys                              integer and bool keys by their range (one
                                      ``allreduce``), others by ``unique``'s inverse (its
                                      sample sort); the codes are combined into one int64
                                      key (re-coded by ``unique`` when the product of the
                                      ranges would overflow) and argsorted (sample sort)
lexsort along the split axis of       as sort: resplit along the longest other axis (one
n-D keys                              ``alltoallv`` per key), stable sorts, resplit back
topk along the split axis             one ``allgatherv`` of each rank's ``min(k, rows)``
                                      candidates with their global indices
searchsorted, ``a`` split             one ``allreduce`` of the per-rank counts (``v`` not
                                      split), or one ``allgatherv`` of ``v`` and one
                                      ``reduce_scatter`` of the counts (``v`` split)
searchsorted with ``sorter``          first ``a`` in order by :func:`~hpa.take`: one
                                      ``alltoallv`` for a split ``a``, plus one
                                      ``allgatherv`` of a split ``sorter`` (with a
                                      replicated ``a``: one ``allreduce`` of its bounds)
unique, split input                   the sample sort, then one ``allgather`` of each
                                      rank's boundary elements and counts
====================================  ==================================================

Sample sort (1-D, ``p`` processes): every element is keyed by ``(value, global index)``, a
unique key, so ties are split by input position and the buckets stay even however often
values repeat. Each rank draws a random sample of its *unsorted* block (fixed seed, size
proportional to the block, the whole block when it is small); one ``allgather`` gives every
rank the same sample, sorted by key, of which ``p - 1`` regularly spaced elements become the
splitters. Each rank then cuts its unsorted block into ``p`` buckets in one pass per splitter
(a comparison; with more than 48 ranks one ``searchsorted`` and a stable sort of the bucket
ids), keeping the input order within each bucket, and sends bucket ``r`` to rank ``r`` in one
``alltoallv``. A rank receives its buckets in rank order, each in input order, that is in
global index order, so one stable sort of the received values yields the ``(value, index)``
order: ties keep their input order. The data are sorted once; the cost besides that sort is
the cut (a few passes over the block) and the exchange. With ``s`` samples per bucket (4096
unless ``p > 64``) a bucket exceeds its share by a few times ``1 / sqrt(s)`` (a few percent);
the sample is random, so this is a bound with high probability, not a hard one.
The result keeps the bucket sizes as its (ragged) extents along axis 0; ``balance()`` evens
them out with one ``alltoallv``.
"""

from __future__ import annotations

import operator
from typing import Any

import torch

from hpa.comm.base import ReduceOp
from hpa.core.align import align
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial, gather_blocks, gather_records, route
from hpa.core.layout import Layout, normalize_axis
from hpa.core.redistribute import redistribute
from hpa.ops.creation import coerce
from hpa.ops.manipulation import ravel
from hpa.ops.selection import take
from hpa.ops.sort_keys import (
    INDEX,
    check_orderable,
    leading,
    pack,
    send_home,
    stable_sort,
    unpack,
)

__all__ = ["argsort", "lexsort", "searchsorted", "sort", "topk", "unique"]


# ------------------------------------------------------------------------- small helpers
def _lexsort_complex(t: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """1-D complex ``t`` sorted by real, then imaginary part (NumPy's order), and the indices."""
    order = torch.sort(t.imag, stable=True).indices
    order = order[torch.sort(t.real[order], stable=True).indices]
    return t[order], order


def _sorted_values(t: torch.Tensor, dim: int, descending: bool) -> torch.Tensor:
    """The values of :func:`~hpa.ops.sort_keys.stable_sort`. Equal integers (and bools) are indistinguishable,
    so these sort descending as the reverse of the ascending sort (torch's stable descending
    sort is slower, and misses the radix sort of small integers)."""
    if descending and not t.is_floating_point():
        return torch.sort(t, dim=dim).values.flip(dim)
    return stable_sort(t, dim, descending)[0]


def _pair_views(buf: torch.Tensor, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """Values (``dtype``, at most 8 bytes) and int64 indices: strided views of the columns of
    the int64 ``(n, 2)`` buffer ``buf``, so both are written and sent without packing."""
    size = torch.empty((), dtype=dtype).element_size()
    return buf[:, 1:].view(torch.uint8)[:, :size].view(dtype).squeeze(1), buf[:, 0]


# ------------------------------------------------------------------------- sample sort
# Tuning of the sample sort (module attributes, so tests can force every code path):
_FEW_BUCKETS = 48  # up to this many ranks: one comparison pass per splitter cuts the buckets
_SAMPLES_PER_BUCKET = 4096  # sample size over all ranks per bucket ...
_MAX_SAMPLES = 2**18  # ... but at most this many in all
_SAMPLE_SEED = 0x5A3D1E  # plus the block's start: the sample is the same in every run
_KEY_LIMIT = 2**63  # ties are bucketed by ``group * n + index``; past this, by comparisons


def _sample_splitters(
    t: torch.Tensor, lay: Layout, descending: bool
) -> tuple[torch.Tensor, torch.Tensor]:
    """``p - 1`` splitters (values, global indices) in sort order, the same on every rank.

    Every rank draws (with a fixed seed) a random sample of its unsorted block, of a size
    proportional to the block (the whole block when it is small); one ``allgather`` gives
    every rank all samples, sorted by ``(value, index)``, of which ``p - 1`` regularly spaced
    ones become the splitters.
    """
    comm, n = lay.comm, t.numel()
    p, rank = comm.size, comm.rank
    counts, start = lay.counts, lay.offsets[rank]  # type: ignore[index]
    total = sum(counts)  # type: ignore[arg-type]
    want = min(total, _SAMPLES_PER_BUCKET * p, _MAX_SAMPLES)
    sizes = [-(-want * c // total) for c in counts]  # type: ignore[union-attr]
    width, mine = max(sizes), min(sizes[rank], n)
    if mine == n:
        pos = torch.arange(n, dtype=INDEX, device=t.device)
    else:
        gen = torch.Generator(device=t.device).manual_seed(_SAMPLE_SEED + start)
        pos = torch.randint(n, (mine,), generator=gen, device=t.device)
    sv = t.new_zeros(width)
    sg = torch.full((width,), -1, dtype=INDEX, device=t.device)  # -1: no sample
    sv[:mine], sg[:mine] = t[pos], pos + start
    av, ag = (f.reshape(-1) for f in gather_records(comm, sv, sg))
    keep = ag >= 0
    av, ag = av[keep], ag[keep]
    order = torch.argsort(ag, stable=True)
    av, ag = av[order], ag[order]
    order = stable_sort(av, 0, descending)[1]
    m = av.numel()
    picks = torch.tensor([(j + 1) * m // p for j in range(p - 1)], dtype=INDEX, device=t.device)
    return av[order[picks]], ag[order[picks]]


def _not_before(
    v: torch.Tensor, nan: torch.Tensor | None, sv: torch.Tensor, k: int, descending: bool,
    sv_nan: bool,
) -> torch.Tensor:  # fmt: skip
    """Mask of the elements of the block ``v`` that do not come before a splitter.

    ``sv`` is the splitter's value, ``k`` its global index minus the block's start: an element
    equal to ``sv`` is at or after the splitter when its position in the block is ``>= k``.
    ``nan`` is ``isnan(v)`` (None for dtypes without NaN), ``sv_nan`` whether ``sv`` is NaN
    (read on the host by the caller, once for all splitters). One comparison pass.
    """
    n = v.numel()
    k = min(max(k, 0), n)
    out = torch.empty(n, dtype=torch.bool, device=v.device)
    if nan is not None and sv_nan:  # NaN: last ascending, first descending
        if descending:
            torch.logical_not(nan[:k], out=out[:k])
            out[k:] = True
        else:
            out[:k] = False
            out[k:] = nan[k:]
        return out
    strict, loose = (torch.lt, torch.le) if descending else (torch.gt, torch.ge)
    strict(v[:k], sv, out=out[:k])
    loose(v[k:], sv, out=out[k:])
    if nan is not None and not descending:
        out |= nan
    return out


def _cut_few(
    t: torch.Tensor, sv: torch.Tensor, sg: torch.Tensor, start: int, descending: bool,
    with_index: bool,
) -> tuple[torch.Tensor, list[int]]:  # fmt: skip
    """The send buffer: the block ordered by bucket (input order within each), with the global
    indices when ``with_index`` (an ``(n, 2)`` int64 pair buffer, see :func:`_pair_views`);
    and the bucket sizes.

    One comparison pass per splitter; each bucket is the difference of two consecutive
    "not before" masks, gathered in input order straight into the send buffer.
    """
    n = t.numel()
    nan = torch.isnan(t) if t.is_floating_point() else None
    if with_index:
        buf = torch.empty((n, 2), dtype=INDEX, device=t.device)
        values, index = _pair_views(buf, t.dtype)
    else:
        buf = values = torch.empty_like(t)
    sizes: list[int] = []
    prev: torch.Tensor | None = None
    keys, nans = _splitters_on_host(sv, sg)
    for j in range(sv.numel() + 1):
        last = j == sv.numel()
        after = None if last else _not_before(t, nan, sv[j], keys[j] - start, descending, nans[j])
        if prev is None:
            mask = ~after if after is not None else torch.ones(n, dtype=torch.bool, device=t.device)
        else:
            mask = prev if after is None else prev.logical_xor_(after)  # after implies prev
        pos = torch.nonzero(mask).squeeze(1)
        at, size = sum(sizes), pos.numel()
        torch.index_select(t, 0, pos, out=values[at : at + size])
        if with_index:
            torch.add(pos, start, out=index[at : at + size])
        sizes.append(size)
        prev = after
    return buf, sizes


def _splitters_on_host(sv: torch.Tensor, sg: torch.Tensor) -> tuple[list[int], list[bool]]:
    """The splitters' global indices and whether each value is NaN, read on the host at once
    (per splitter, each read would be one more device synchronisation)."""
    nans = torch.isnan(sv) if sv.is_floating_point() else torch.zeros_like(sv, dtype=torch.bool)
    both = torch.stack([sg, nans.to(INDEX)]).tolist()
    return both[0], [bool(f) for f in both[1]]


def _bucket_ids(
    t: torch.Tensor, sv: torch.Tensor, sg: torch.Tensor, start: int, total: int, descending: bool
) -> torch.Tensor:
    """The bucket (0 .. p-1) of every element: one ``searchsorted`` on the splitter values;
    elements equal to a splitter value, one more on the key ``(tie group) * total + index``."""
    m, n = sv.numel(), t.numel()
    if (m + 1) * total >= _KEY_LIMIT:  # the tie key would overflow: count comparisons
        nan = torch.isnan(t) if t.is_floating_point() else None
        ids = torch.zeros(n, dtype=INDEX, device=t.device)
        keys, nans = _splitters_on_host(sv, sg)
        for j in range(m):
            ids += _not_before(t, nan, sv[j], keys[j] - start, descending, nans[j])
        return ids
    wide = {torch.bool: torch.uint8, torch.float16: torch.float32, torch.bfloat16: torch.float32}
    if t.dtype in wide:
        t, sv = t.to(wide[t.dtype]), sv.to(wide[t.dtype])
    q = int(torch.isnan(sv).sum()) if t.is_floating_point() else 0  # NaN splitters
    # lo: the splitters strictly before each element (the first of its tie group, if any)
    if descending:  # NaN splitters first, then non-increasing values
        lo = m - torch.searchsorted(sv[q:].flip(0).contiguous(), t, right=True)
        nan_lo = 0
    else:  # non-decreasing values, then NaN splitters
        lo = torch.searchsorted(sv[: m - q].contiguous(), t)
        nan_lo = m - q
    if t.is_floating_point():
        lo.masked_fill_(torch.isnan(t), nan_lo)
    ties = torch.nonzero((lo < m) & _same(sv[lo.clamp(max=m - 1)], t)).squeeze(1)
    if ties.numel():
        group = torch.ones(m, dtype=torch.bool, device=t.device)
        group[1:] = ~_same(sv[1:], sv[:-1])
        first = torch.cummax(torch.where(group, torch.arange(m, device=t.device), 0), 0)[0]
        key = first * total + sg
        lo[ties] = torch.searchsorted(key, lo[ties] * total + ties + start, right=True)
    return lo


def _cut_many(
    t: torch.Tensor, sv: torch.Tensor, sg: torch.Tensor, start: int, lay: Layout,
    descending: bool, with_index: bool,
) -> tuple[torch.Tensor, list[int]]:  # fmt: skip
    """:func:`_cut_few` for many ranks: bucket ids, then one stable sort of them."""
    ids = _bucket_ids(t, sv, sg, start, sum(lay.counts), descending)  # type: ignore[arg-type]
    order = torch.argsort(ids.to(torch.int32), stable=True)
    sizes = torch.bincount(ids, minlength=lay.comm.size).tolist()
    if not with_index:
        return t[order], sizes
    buf = torch.empty((t.numel(), 2), dtype=INDEX, device=t.device)
    values, index = _pair_views(buf, t.dtype)
    torch.index_select(t, 0, order, out=values)
    torch.add(order, start, out=index)
    return buf, sizes


def _sample_sort(
    t: torch.Tensor, lay: Layout, descending: bool, with_index: bool
) -> tuple[torch.Tensor, torch.Tensor | None, list[int]]:
    """Sort a distributed 1-D block: sorted values, their global indices, the new extents."""
    comm = lay.comm
    t = t.contiguous()
    start = lay.offsets[comm.rank]  # type: ignore[index]
    sv, sg = _sample_splitters(t, lay, descending)
    if comm.size <= _FEW_BUCKETS:
        buf, send = _cut_few(t, sv, sg, start, descending, with_index)
    else:
        buf, send = _cut_many(t, sv, sg, start, lay, descending, with_index)
    routed = route(buf, torch.tensor(send, dtype=INDEX), comm)
    got, matrix = routed.rows, routed.matrix
    assert matrix is not None
    extents = matrix.sum(0).tolist()
    del buf  # the send buffer: the sort below needs the memory
    if not with_index:
        return _sorted_values(got, 0, descending), None, extents
    # buckets arrive in rank order, each in input order: by global index; a stable sort by
    # value then gives the (value, index) order
    rv, rg = _pair_views(got, t.dtype)
    rv, order = stable_sort(rv, 0, descending)
    return rv, rg[order], extents


def _sort_split_nd(x: Array, axis: int, descending: bool, want: str) -> torch.Tensor:
    """Sort an n-D array along its split axis: resplit along another axis and back."""
    lay = x.layout
    other = max((a for a in range(x.ndim) if a != axis), key=lambda a: x.shape[a])
    mid = lay.with_split(other)
    values, index = stable_sort(redistribute(x.larray, lay, mid), axis, descending)
    return redistribute(values if want == "values" else index, mid, lay)


def _sorted(x: Array, axis: int, descending: bool, want: str) -> Array:
    """Values (``want="values"``) or indices (``want="index"``) of the sort along ``axis``."""
    lay = x.layout
    if axis != lay.split or not lay.is_distributed or x.size == 0:
        if want == "values":
            return Array(_sorted_values(x.larray, axis, descending), lay)
        return Array(stable_sort(x.larray, axis, descending)[1], lay)
    if x.ndim > 1:
        return Array(_sort_split_nd(x, axis, descending, want), lay)
    values, index, extents = _sample_sort(x.larray, lay, descending, want == "index")
    out = Layout(x.shape, 0, lay.comm, extents)
    return Array(values if want == "values" else index, out)  # type: ignore[arg-type]


def _prepare(a: Any, axis: int | None, kind: Any) -> tuple[Array, int]:
    x = coerce(a)
    check_orderable(x, kind)
    if axis is None:
        return ravel(x), 0
    return x, normalize_axis(axis, x.ndim)


@register()
def sort(
    a: Any, /, axis: int | None = -1, descending: bool = False, stable: bool = True,
    kind: str | None = None,
) -> Array:  # fmt: skip
    """A sorted copy of ``a`` along ``axis`` (``None``: the flattened array).

    Parameters
    ----------
    a : array_like
        Values of a real or bool dtype.
    axis : int or None
        The axis to sort along; ``None`` sorts the flattened array.
    descending : bool
        Reverse order of the values (NaN first); equal values keep their input order.
    stable, kind : optional
        Accepted for NumPy and Array API compatibility: the sort is always stable.

    Returns
    -------
    Array
        Same shape and split. Along a non-split axis the layout is kept and nothing is
        communicated; a 1-D split array is sample-sorted (see the module notes) and keeps
        the bucket extents; an n-D array sorted along its split axis keeps its extents.
    """
    x, ax = _prepare(a, axis, kind)
    return _sorted(x, ax, descending, "values")


@register()
def argsort(
    a: Any, /, axis: int | None = -1, descending: bool = False, stable: bool = True,
    kind: str | None = None,
) -> Array:  # fmt: skip
    """Global int64 indices that sort ``a`` along ``axis`` stably (see :func:`sort`).

    Equal to NumPy's ``argsort(a, axis, kind="stable")`` (``descending`` keeps equal values in
    input order); the layout and communication are those of :func:`sort`.
    """
    x, ax = _prepare(a, axis, kind)
    return _sorted(x, ax, descending, "index")


# ------------------------------------------------------------------------- lexsort
def _key_list(keys: Any) -> list[Array]:
    """The sort keys: the rows of an array (one key per index of its first axis), or the
    items of a sequence."""
    if isinstance(keys, Array):
        if keys.ndim >= 2 and keys.split == 0:
            keys = keys.resplit(1)  # each key whole on its ranks' blocks
        return [keys[i] for i in range(keys.shape[0] if keys.ndim > 1 else min(keys.size, 1))]
    return [coerce(k) for k in (list(keys) if not isinstance(keys, torch.Tensor) else keys)]


def _local_lexsort(blocks: list[torch.Tensor], dim: int) -> torch.Tensor:
    """Indices that sort by the last block, then the one before, ... along ``dim``: a stable
    sort by each key, from the least significant."""
    order = stable_sort(blocks[0], dim, False)[1]
    for block in blocks[1:]:
        step = stable_sort(torch.take_along_dim(block, order, dim), dim, False)[1]
        order = torch.take_along_dim(order, step, dim)
    return order


def _codes(key: Array) -> tuple[Array, int]:
    """Order-preserving int64 codes of a distributed 1-D key in ``[0, span)``, and ``span``:
    integers and bools shifted by their minimum (one ``allreduce`` of the extremes), other
    keys (or integers of a range too wide) ranked by :func:`unique`."""
    if key.dtype.kind in "biu":
        t = key.larray.to(INDEX)
        if t.numel():
            ends = torch.stack([t.max(), -t.min()])
        else:
            ends = torch.full((2,), -(2**63 - 1), dtype=INDEX, device=t.device)
        hi, negated_lo = Partial(ends, key.comm, ReduceOp.MAX).replicate().tolist()
        if hi + negated_lo < 2**62:
            return Array(t + negated_lo, key.layout), hi + negated_lo + 1
    return _dense(key)


def _dense(key: Array) -> tuple[Array, int]:
    """The ranks of the values of ``key`` among its distinct values (:func:`unique`'s inverse)
    and their number."""
    values, inverse = unique(key, return_inverse=True)
    return inverse, values.shape[0]


def _distributed_lexsort(keys: list[Array]) -> Array:
    """:func:`lexsort` of distributed 1-D keys: one int64 key from the codes of all, primary
    key most significant, argsorted (a single key is argsorted as it is)."""
    if len(keys) == 1:
        return argsort(keys[0])
    combined, span = _codes(keys[-1])
    for key in reversed(keys[:-1]):
        codes, count = _codes(key)
        if span * count >= 2**63:  # re-code the combination densely: at most n values
            combined, span = _dense(combined)
        combined, span = combined * count + codes, span * count
    return argsort(combined)


@register()
def lexsort(keys: Any, axis: int = -1) -> Array:
    """Indices that sort by several keys, the last key primary, as :func:`numpy.lexsort`.

    Parameters
    ----------
    keys : sequence of array_like, or an array
        The keys, of one shape (the rows of an array of two or more dimensions); ties of the
        last key are broken by the one before, and so on; equal rows keep their order.
    axis : int
        The axis to sort along.

    Returns
    -------
    Array
        int64 global indices of the keys' shape. Along a non-split axis: local, the keys'
        layout (keys in other layouts are aligned to one, as in elementwise operations).

    Notes
    -----
    1-D keys split along the sorted axis: a single key is argsorted (a sample sort); several
    are each coded as order-preserving int64 ranks (integer and bool keys by their range, one
    ``allreduce``; other keys by :func:`unique`'s inverse, a sample sort), the codes combined
    into one key and argsorted: the result has argsort's ragged extents. n-D keys split along
    the sorted axis are resplit along the longest other axis (one ``alltoallv`` per key) and
    the result resplit back. Complex keys are not ordered here (TypeError), as in
    :func:`sort`.
    """
    arrays = _key_list(keys)
    if not arrays:
        raise TypeError("need sequence of keys with len > 0 in lexsort")
    if any(a.shape != arrays[0].shape for a in arrays):
        raise ValueError("all keys need to be the same shape")
    for a in arrays:
        check_orderable(a)
    blocks, lay = align(arrays)
    if not lay.gshape:
        return Array(torch.zeros((), dtype=INDEX, device=arrays[0].larray.device), lay)
    ax = normalize_axis(axis, len(lay.gshape))
    if ax != lay.split or not lay.is_distributed or arrays[0].size == 0:
        return Array(_local_lexsort(blocks, ax), lay)
    if len(lay.gshape) > 1:
        other = max((a for a in range(lay.ndim) if a != ax), key=lambda a: lay.gshape[a])
        mid = lay.with_split(other)
        order = _local_lexsort([redistribute(b, lay, mid) for b in blocks], ax)
        return Array(redistribute(order, mid, lay), lay)
    return _distributed_lexsort([Array(b, lay) for b in blocks])


# ------------------------------------------------------------------------- topk
@register()
def topk(
    a: Any, k: int, axis: int = -1, largest: bool = True, sorted: bool = True
) -> tuple[Array, Array]:
    """The ``k`` largest (or smallest) elements along ``axis`` and their global indices.

    Equal values are taken in input order, NaN counts as the largest value, and the result is
    always sorted (``sorted=False`` is accepted). Along a non-split axis: local, the layout is
    kept. Along the split axis: each rank sends its ``min(k, rows)`` best candidates with their
    global indices in one ``allgatherv``; every rank selects the same ``k`` and keeps its
    balanced block of them (split along ``axis``).

    Returns
    -------
    values, indices : Array
        ``a``'s shape with ``k`` along ``axis``; indices are int64.
    """
    x = coerce(a)
    check_orderable(x)
    axis = normalize_axis(axis, x.ndim)
    k = operator.index(k)
    if not 0 <= k <= x.shape[axis]:
        raise ValueError(f"k={k} is out of range for an axis of length {x.shape[axis]}")
    lay = x.layout
    shape = tuple(k if i == axis else n for i, n in enumerate(x.shape))
    if axis != lay.split or not lay.is_distributed:
        counts = lay.counts if lay.split not in (None, axis) else None
        out = Layout(shape, lay.split, lay.comm, counts)
        v, i = leading(x.larray, k, axis, largest)
        return Array(v, out), Array(i, out)
    block = x.larray.movedim(axis, 0)
    mine = min(k, block.shape[0])
    v, i = leading(block, mine, 0, largest)
    i = i + lay.offsets[lay.comm.rank]  # type: ignore[index]
    sizes = [min(k, c) for c in lay.counts]  # type: ignore[union-attr]
    buf = gather_blocks(pack(v, i), sizes, lay.comm)
    cv, ci = unpack(buf, x.larray.dtype)
    order = stable_sort(cv, 0, largest)[1].narrow(0, 0, k)
    full = Layout(shape, None, lay.comm)
    out = Layout(shape, axis, lay.comm)
    values = cv.gather(0, order).movedim(0, axis)
    index = ci.gather(0, order).movedim(0, axis)
    return (
        Array(redistribute(values.contiguous(), full, out), out),
        Array(redistribute(index.contiguous(), full, out), out),
    )


# ------------------------------------------------------------------------- searchsorted
def _count_before(block: torch.Tensor, values: torch.Tensor, right: bool) -> torch.Tensor:
    """How many elements of the sorted ``block`` precede each value (NaN sorts last)."""
    if block.dtype == torch.bool or block.dtype in (torch.float16, torch.bfloat16):
        wide = torch.float32 if block.is_floating_point() else torch.uint8
        block, values = block.to(wide), values.to(wide)
    flat = values.reshape(-1).contiguous()
    if not block.is_floating_point():
        return torch.searchsorted(block.contiguous(), flat, right=right).reshape(values.shape)
    numbers = block.numel() - int(torch.isnan(block).sum())  # the NaNs close a sorted block
    found = torch.searchsorted(block[:numbers].contiguous(), flat, right=right)
    nan_at = block.numel() if right else numbers
    found = torch.where(torch.isnan(flat), torch.full_like(found, nan_at), found)
    return found.reshape(values.shape)


@register()
def searchsorted(a: Any, v: Any, /, side: str = "left", sorter: Any = None) -> Array:
    """Indices where ``v`` would be inserted into the sorted 1-D ``a`` to keep it sorted.

    Like NumPy (NaN sorts last). The result has ``v``'s shape and layout, dtype int64, at every
    process count and whatever ``a``'s and ``sorter``'s layouts. ``a`` replicated: no
    communication. ``a`` split: every rank counts the elements of its block that precede each
    value, and the counts are summed: one ``allreduce`` when ``v`` is not split, one
    ``allgatherv`` of ``v`` and one ``reduce_scatter`` when it is. ``sorter`` (the indices that
    sort ``a``, as long as ``a``; one out of range is NumPy's ``ValueError``) first puts ``a``
    in order with :func:`~hpa.take`: none for a replicated ``a`` and ``sorter``; one
    ``alltoallv`` (each element fetched from its owner) for a split ``a``; a split ``sorter``
    adds one ``allgatherv`` of it (a replicated ``a``: one ``allreduce`` that agrees on its
    bounds, and ``a`` in order is split like it).
    """
    x = coerce(a)
    check_orderable(x)
    if x.ndim != 1:
        raise ValueError(f"searchsorted needs a 1-D array, got {x.ndim} dimensions")
    if side not in ("left", "right"):
        raise ValueError(f"side must be 'left' or 'right', not {side!r}")
    if sorter is not None:
        order = coerce(sorter, like=x)
        if order.shape != x.shape:
            raise ValueError("sorter.size must equal a.size")
        try:
            x = take(x, order)
        except IndexError as err:  # raised on every rank: the bounds are agreed in take
            raise ValueError("Sorter index out of range.") from err
    vals = coerce(v, like=x)
    check_orderable(vals)
    common = torch.promote_types(x.larray.dtype, vals.larray.dtype)
    block = x.larray.to(common)
    right, lay = side == "right", vals.layout
    if not x.is_distributed():
        return Array(_count_before(block, vals.larray.to(common), right), lay)
    if not lay.is_distributed:
        counts = _count_before(block, vals.larray.to(common), right)
        return Array(Partial(counts, x.comm).replicate(), lay)
    everything = vals.gather().to(common)
    assert lay.split is not None
    counts = _count_before(block, everything, right).movedim(lay.split, 0).contiguous()
    mine = Partial(counts, x.comm).scatter(lay.counts)  # type: ignore[arg-type]
    return Array(mine.movedim(0, lay.split).contiguous(), lay)


# ------------------------------------------------------------------------- unique
def _same(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Elementwise equality in which NaN equals NaN (NumPy's ``equal_nan=True``)."""
    eq = a == b
    return eq | (torch.isnan(a) & torch.isnan(b)) if a.is_floating_point() else eq


def _rank_summaries(
    v: torch.Tensor, new: torch.Tensor, start: int, lay: Layout
) -> tuple[torch.Tensor, torch.Tensor]:
    """Per rank (a leading axis): first and last value (three values), and the elements, inner
    group starts and first inner start (three int64).

    One ``allgather`` when ``lay`` is distributed; a single row otherwise.
    """
    n = v.numel()
    inner = torch.nonzero(new[1:]).reshape(-1)
    ends = v[[0, -1, -1]] if n else v.new_zeros(3)
    first_inner = start + 1 + int(inner[0]) if inner.numel() else -1
    ints = torch.tensor([n, inner.numel(), first_inner], dtype=INDEX, device=v.device)
    if not lay.is_distributed:
        return ends.unsqueeze(0), ints.unsqueeze(0)
    summary_ends, summary_ints = gather_records(lay.comm, ends, ints)
    return summary_ends, summary_ints


def _group_starts(
    v: torch.Tensor, lay: Layout, offset: int
) -> tuple[torch.Tensor, list[int], int, int]:
    """Group-start mask of the local sorted block, unique counts per rank, id base, next start.

    ``next start`` is the global sorted position of the first group after this block (the
    total length when none follows).
    """
    new = torch.ones(v.numel(), dtype=torch.bool, device=v.device)
    new[1:] = ~_same(v[1:], v[:-1])
    me = lay.comm.rank if lay.is_distributed else 0
    ends, ints = _rank_summaries(v, new, offset, lay)
    sizes, inner, first_inner = ints.T.tolist()
    # joins[q][r]: rank q's first value equals rank r's last (one read on the host for all)
    joins = _same(ends[:, 0, None], ends[None, :, 1]).tolist()
    uniques, starts, last, pos = [], [], None, 0
    for q, n in enumerate(sizes):
        fresh = n > 0 and (last is None or not joins[q][last])
        uniques.append(inner[q] + int(fresh))
        starts.append(pos if fresh else first_inner[q])
        last, pos = (q if n else last), pos + n
        if q == me and v.numel():
            new[0] = fresh
    later = [s for s in starts[me + 1 :] if s >= 0]
    return new, uniques, sum(uniques[:me]), later[0] if later else pos


@register()
def unique(
    a: Any, return_index: bool = False, return_inverse: bool = False,
    return_counts: bool = False, axis: int | None = None, *, equal_nan: bool = True,
    sorted: bool = True,
) -> Array | tuple[Array, ...]:  # fmt: skip
    """The sorted unique elements of the flattened ``a`` (NaNs collapse into one, last).

    ``sorted=False`` (NumPy 2.3's and HeAT's keyword) is accepted and still sorts, as NumPy
    allows; ``equal_nan=False`` (every NaN its own element) is not implemented and raises.

    A split input is sample-sorted (see the module notes) and one ``allgather`` of every
    rank's boundary elements decides which groups start where; the result is split along
    axis 0 with ragged extents (each rank keeps the groups that start in its sorted block).
    ``return_inverse`` costs one more ``allgather`` and ``alltoallv`` (the ids travel back to
    the input's owners) and has ``a``'s shape, as in NumPy 2. A replicated input: no
    communication, replicated results. ``axis`` other than ``None`` is not implemented.
    Replicated complex values are ordered by real, then imaginary part (NumPy's order); a
    split complex input raises ``TypeError``, as :func:`hpa.sort` does.
    """
    if axis is not None:
        raise NotImplementedError("unique along an axis is not implemented; use axis=None")
    if not equal_nan:
        raise NotImplementedError("unique with equal_nan=False is not implemented")
    x = coerce(a)
    is_complex = x.larray.is_complex()
    if not is_complex or x.split is not None:
        check_orderable(x)
    flat = ravel(x)
    lay = flat.layout
    if lay.is_distributed and flat.size:
        v, g, extents = _sample_sort(flat.larray, lay, False, True)
        sorted_lay = Layout(flat.shape, 0, lay.comm, extents)
        offset = sorted_lay.offsets[lay.comm.rank]  # type: ignore[index]
    else:
        v, g = _lexsort_complex(flat.larray) if is_complex else stable_sort(flat.larray, 0, False)
        sorted_lay, offset = lay, (lay.offsets[lay.comm.rank] if lay.split is not None else 0)  # type: ignore[index]
    new, uniques, base, next_start = _group_starts(v, sorted_lay, offset)
    out_lay = (
        Layout((sum(uniques),), 0, lay.comm, uniques)
        if sorted_lay.is_distributed
        else Layout((sum(uniques),), sorted_lay.split, lay.comm)
    )
    results = [Array(v[new], out_lay)]
    if return_index:
        results.append(Array(g[new], out_lay))  # type: ignore[index]
    if return_inverse:
        ids = torch.cumsum(new.to(INDEX), 0) - 1 + base
        if sorted_lay.is_distributed:
            home = send_home(ids, g, lay)  # type: ignore[arg-type]
        else:
            home = torch.empty_like(ids)
            home[g] = ids
        results.append(Array(home, lay).reshape(x.shape))
    if return_counts:
        starts = torch.nonzero(new).reshape(-1) + offset
        stops = torch.cat([starts[1:], starts.new_full((1,), next_start)])
        results.append(Array(stops - starts, out_lay))
    return results[0] if len(results) == 1 else tuple(results)
