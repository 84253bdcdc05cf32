"""Set operations and partitions: isin, in1d, union1d, intersect1d, setdiff1d, setxor1d,
partition, argpartition.

Results of the set functions are sorted 1-D arrays, as in NumPy. A distributed input gives a
result split along axis 0 with ragged extents (each rank keeps what the distributed
:func:`hpa.unique` or sort left on it, minus what a mask removed); replicated inputs give a
replicated result without communication. No rank ever holds a whole distributed input.

NaN follows NumPy: it is never ``isin`` anything (NaN != NaN), ``unique`` collapses NaNs into
one, so ``union1d`` has at most one NaN, ``intersect1d`` none, ``setdiff1d`` and ``setxor1d``
keep a NaN of each input.

Communication (``p > 1`` processes, inputs 1-D or split along axis 0; other splits add one
``alltoallv`` to flatten)
==========================  ==========================================================
operation                   collectives
==========================  ==========================================================
isin, ``test_elements``     none: ``torch.isin`` of the local block
replicated
isin, ``element``           one ``allreduce`` of the per-rank hit counts
replicated, test split
isin, both split            a keyed sample sort of both blocks together (test elements
                            before equal elements): two ``allgather`` + one ``alltoallv``;
                            one ``allgather`` of each rank's last test value; the verdicts
                            travel home: one ``allgather`` + one ``alltoallv``
union1d                     concatenation (one ``alltoallv``) + :func:`hpa.unique`
intersect1d                 two ``unique`` (with indices), two ``isin``, two masks (one
                            ``allgather`` of counts each)
setdiff1d                   one ``unique``, one ``isin``, one mask
setxor1d                    two ``unique``, two ``isin``, two masks, one concatenation
                            and one sort
partition, argpartition     those of :func:`hpa.sort` / :func:`hpa.argsort`
==========================  ==========================================================

The keyed sample sort (:func:`sort_by_key`) is the sample sort of :mod:`hpa.ops.sorting` with
caller-chosen unique int64 tie keys and an optional payload of bytes per element; it also
moves the rows of :func:`hpa.random.permutation`.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from itertools import pairwise
from typing import Any, NamedTuple, SupportsIndex, cast

import torch

from hpa.comm.base import Communicator
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial, gather_records, route
from hpa.core.layout import Layout, normalize_axis
from hpa.core.redistribute import redistribute
from hpa.ops import sort_keys
from hpa.ops.creation import coerce
from hpa.ops.manipulation import concatenate, ravel
from hpa.ops.sorting import argsort, sort, unique

__all__ = [
    "UniqueAllResult", "UniqueCountsResult", "UniqueInverseResult", "argpartition", "in1d",
    "intersect1d", "isin", "partition", "setdiff1d", "setxor1d", "union1d", "unique_all",
    "unique_counts", "unique_inverse", "unique_values",
]  # fmt: skip

_INDEX = sort_keys.INDEX


# ------------------------------------------------------------------------- keyed sample sort


def sort_by_key(
    v: torch.Tensor, g: torch.Tensor, comm: Communicator, payload: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor | None, list[int]]:
    """Sample-sort distributed 1-D blocks by ``(value, key)``, carrying a payload along.

    Parameters
    ----------
    v : torch.Tensor
        This rank's values (1-D, a real or bool dtype).
    g : torch.Tensor
        int64 keys, unique over all ranks: they break ties between equal values.
    comm : Communicator
        The processes taking part; every rank calls with its own block.
    payload : torch.Tensor, optional
        uint8 of shape ``(len(v), nbytes)``: bytes that travel with each element.

    Returns
    -------
    values, keys, payload, extents
        This rank's bucket of the global ``(value, key)`` order and the bucket sizes of all
        ranks. Two ``allgather`` (samples, send counts) and one ``alltoallv``.
    """
    order = sort_keys.order(v, g)
    v, g = v[order], g[order]
    payload = None if payload is None else payload[order]
    lay = Layout((v.numel(),), None, comm)  # only its communicator is used for the samples
    splitters = sort_keys.splitters(v, g, lay, False)
    before = [sort_keys.precedes(v, g, sv, sg, False).sum() for sv, sg in splitters]
    cuts = torch.stack(before).tolist() if before else []  # one read on the host for all
    cuts = [0, *cuts, *[v.numel()] * (comm.size - len(cuts))]
    send = [b - a for a, b in pairwise(cuts)]
    packed = sort_keys.pack(v, g)
    if payload is not None:
        packed = torch.cat([packed, payload], dim=1)
    got, _, matrix = route(packed, torch.tensor(send, dtype=_INDEX), comm)
    assert matrix is not None
    width = packed.shape[1] - (0 if payload is None else payload.shape[1])
    rv, rg = sort_keys.unpack(got[:, :width], v.dtype)
    order = sort_keys.order(rv, rg)
    rest = None if payload is None else got[order, width:]
    return rv[order], rg[order], rest, matrix.sum(0).tolist()


# ------------------------------------------------------------------------- isin
def _global_index(x: Array) -> torch.Tensor:
    """Global flat indices of the local block of a 1-D array."""
    start = x.layout.offsets[x.comm.rank] if x.split is not None else 0  # type: ignore[index]
    return torch.arange(start, start + x.larray.numel(), dtype=_INDEX, device=x.larray.device)


def _last_test_values(v: torch.Tensor, is_test: torch.Tensor, comm: Communicator) -> torch.Tensor:
    """For each position of the sorted bucket, the value of the last test element at or
    before it in the global order (NaN or a never-equal mask where none is); one ``allgather``."""
    n = v.numel()
    pos = torch.where(is_test, torch.arange(n, dtype=_INDEX, device=v.device), -1)
    last = torch.cummax(pos, 0)[0] if n else pos
    has = is_test.any().reshape(1)
    mine = v[last[-1:].clamp(min=0)] if n else v.new_zeros(1)  # junk where ``has`` is false
    before_v, before_has = (
        f.reshape(comm.size) for f in gather_records(comm, mine, has.to(_INDEX))
    )
    flags = before_has.tolist()  # one read on the host
    carry = [q for q in range(comm.rank) if flags[q]]
    found = v[last.clamp(min=0)]
    valid = last >= 0
    if carry:
        found = torch.where(valid, found, before_v[carry[-1]])
        valid = torch.ones_like(valid)
    return (found == v) & valid


def _isin_both_split(e: Array, t: Array, dtype: torch.dtype) -> torch.Tensor:
    """``isin`` block of the flat, split ``e`` against the flat, split ``t`` (no gathering)."""
    m = t.size
    v = torch.cat([t.larray.to(dtype), e.larray.to(dtype)])
    g = torch.cat([_global_index(t), _global_index(e) + m])
    rv, rg, _, _ = sort_by_key(v, g, e.comm)
    hit = _last_test_values(rv, rg < m, e.comm)
    mine = rg >= m
    return sort_keys.send_home(hit[mine].to(_INDEX), rg[mine] - m, e.layout).bool()


def _like(flat: torch.Tensor, x: Array) -> Array:
    """The flat block of ``ravel(x)`` back in ``x``'s shape and layout."""
    if x.split in (None, 0):
        return Array(flat.reshape(x.lshape), x.layout)
    mid = x.layout.with_split(0)
    return Array(redistribute(flat.reshape(mid.lshape), mid, x.layout), x.layout)


@register()
def isin(
    element: Any, test_elements: Any, assume_unique: bool = False, invert: bool = False,
    *, kind: str | None = None,
) -> Array:  # fmt: skip
    """Boolean array of ``element``'s shape and layout: which elements occur in
    ``test_elements`` (NumPy's ``isin``; NaN is in nothing).

    ``test_elements`` replicated: ``torch.isin`` of each block, no communication.
    ``element`` replicated, ``test_elements`` split: each rank tests the whole ``element``
    against its block and one ``allreduce`` adds the verdicts. Both split: a keyed sample
    sort of both together (see the module notes); no rank holds either whole. ``element`` split
    along an axis other than 0 is resplit to 0 and back (one ``alltoallv`` each way).
    ``assume_unique`` and ``kind`` are accepted for NumPy compatibility and ignored.
    """
    x = coerce(element)
    t = coerce(test_elements, like=x)
    sort_keys.check_orderable(x)
    sort_keys.check_orderable(t)
    dtype = torch.promote_types(x.larray.dtype, t.larray.dtype)
    dtype = torch.uint8 if dtype == torch.bool else dtype  # torch.isin has no bool kernel
    if not t.is_distributed():
        hit = torch.isin(x.larray.to(dtype), t.larray.to(dtype).reshape(-1))
        return Array(hit != invert, x.layout)
    ft = ravel(t)
    if not x.is_distributed():
        local = torch.isin(x.larray.to(dtype), ft.larray.to(dtype))
        hit = Partial(local.to(torch.int32), t.comm).replicate() > 0
        return Array(hit != invert, x.layout)
    hit = _isin_both_split(ravel(x), ft, dtype)
    return _like(hit != invert, x)


@register()
def in1d(ar1: Any, ar2: Any, assume_unique: bool = False, invert: bool = False) -> Array:
    """``isin`` of the flattened ``ar1`` (NumPy's deprecated ``in1d``; NumPy 2.4 removed it)."""
    return isin(ravel(coerce(ar1)), ar2, assume_unique=assume_unique, invert=invert)


# ------------------------------------------------------------------------- set algebra
def _flat(a: Any, like: Array | None = None) -> Array:
    return ravel(coerce(a, like))


@register()
def union1d(ar1: Any, ar2: Any) -> Array:
    """Sorted unique values that are in either input (flattened); see the module notes."""
    a = _flat(ar1)
    return unique(concatenate([a, _flat(ar2, a)]))  # type: ignore[return-value]


@register()
def intersect1d(
    ar1: Any, ar2: Any, assume_unique: bool = False, return_indices: bool = False
) -> Array | tuple[Array, Array, Array]:
    """Sorted unique values that are in both inputs (flattened), as NumPy's ``intersect1d``.

    ``return_indices`` adds the indices of the first occurrences of those values in the
    flattened inputs. ``assume_unique`` is accepted; the inputs are de-duplicated anyway, which
    gives NumPy's result whenever they are unique. Each result keeps its own (ragged) extents.
    """
    a = _flat(ar1)
    b = _flat(ar2, a)
    ua, ia = unique(a, return_index=True)
    ub, ib = unique(b, return_index=True)
    in_b = isin(ua, ub)
    common = ua[in_b]
    if not return_indices:
        return common
    return common, ia[in_b], ib[isin(ub, ua)]


@register()
def setdiff1d(ar1: Any, ar2: Any, assume_unique: bool = False) -> Array:
    """Unique values of ``ar1`` that are not in ``ar2``, sorted (NumPy's ``setdiff1d``).

    With ``assume_unique=True`` the flattened ``ar1`` is filtered as it is, in input order.
    """
    a = _flat(ar1)
    ua = a if assume_unique else unique(a)
    return ua[isin(ua, _flat(ar2, a), invert=True)]


@register()
def setxor1d(ar1: Any, ar2: Any, assume_unique: bool = False) -> Array:
    """Sorted unique values that are in exactly one input (NumPy's ``setxor1d``)."""
    a = _flat(ar1)
    b = _flat(ar2, a)
    ua, ub = (a, b) if assume_unique else (unique(a), unique(b))
    only = concatenate([ua[isin(ua, ub, invert=True)], ub[isin(ub, ua, invert=True)]])
    return sort(only)


# ------------------------------------------------------------------------- partition
def _check_kth(kth: int | Sequence[int], n: int) -> None:
    """Raise (on every rank alike) for ``kth`` outside ``[-n, n)``."""
    for k in [kth] if hasattr(type(kth), "__index__") else list(kth):  # type: ignore[arg-type]
        k = operator.index(cast(SupportsIndex, k))
        if not -n <= k < n:
            raise ValueError(f"kth(={k}) out of bounds ({n})")


def _partition_args(a: Any, kth: Any, axis: int | None) -> tuple[Array, int | None]:
    x = coerce(a)
    sort_keys.check_orderable(x)
    n = x.size if axis is None else x.shape[normalize_axis(axis, x.ndim)]
    _check_kth(kth, n)
    return x, axis


@register()
def partition(a: Any, kth: int | Sequence[int], axis: int | None = -1, **kwargs: Any) -> Array:
    """A copy of ``a`` partitioned around the ``kth`` elements along ``axis`` (NumPy's).

    A full stable sort is a valid partition, so this is :func:`hpa.sort` (its layout and
    communication): every element is where the sorted array has it.

    Raises
    ------
    ValueError
        If an entry of ``kth`` is out of range for the axis.
    """
    x, axis = _partition_args(a, kth, axis)
    return sort(x, axis=axis)


@register()
def argpartition(a: Any, kth: int | Sequence[int], axis: int | None = -1, **kwargs: Any) -> Array:
    """Indices that partition ``a`` along ``axis`` (NumPy's ``argpartition``): the stable
    :func:`hpa.argsort` (a full sort is a valid partition); its layout and communication."""
    x, axis = _partition_args(a, kth, axis)
    return argsort(x, axis=axis)


# ---------------------------------------------------------------------------- sets
class UniqueAllResult(NamedTuple):
    values: Array
    indices: Array
    inverse_indices: Array
    counts: Array


class UniqueCountsResult(NamedTuple):
    values: Array
    counts: Array


class UniqueInverseResult(NamedTuple):
    values: Array
    inverse_indices: Array


@register()
def unique_values(x: Any, /) -> Array:
    """The sorted unique elements of the flattened ``x`` (see :func:`hpa.unique`)."""
    return unique(x)  # type: ignore[return-value]


@register()
def unique_counts(x: Any, /) -> UniqueCountsResult:
    """The unique elements of ``x`` and how often each occurs."""
    return UniqueCountsResult(*unique(x, return_counts=True))


@register()
def unique_inverse(x: Any, /) -> UniqueInverseResult:
    """The unique elements of ``x`` and, of ``x``'s shape, the index of each element in them."""
    return UniqueInverseResult(*unique(x, return_inverse=True))


@register()
def unique_all(x: Any, /) -> UniqueAllResult:
    """Unique elements, flat index of first occurrences, inverse indices and counts."""
    return UniqueAllResult(*unique(x, return_index=True, return_inverse=True, return_counts=True))
