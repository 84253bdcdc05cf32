"""Keys of the distributed sorts, shared by :mod:`hpa.ops.sorting`, :mod:`hpa.ops.sets` and
:mod:`hpa.random.permutations` (internal: no user-facing names).

Every element of a distributed sort is keyed by ``(value, global index)`` (or a caller's unique
int64 key), so ties have an order and the result is the same at every process count. Here are
the helpers on such pairs: packing them into bytes for one message, the order and comparison of
pairs, the checks of what can be sorted, regular splitters of sorted blocks and the return of
per-element results to the ranks holding the input elements.

Communication
=====================  =============================================================
helper                 collectives (through :mod:`hpa.core.exchange`)
=====================  =============================================================
:func:`splitters`      one ``allgather`` of ``p - 1`` samples per rank
                       (:func:`hpa.core.exchange.gather_records`)
:func:`send_home`      one ``allgather`` of ``p`` counts and one ``alltoallv``
                       (:func:`hpa.core.exchange.route_by_owner`)
everything else        none
=====================  =============================================================
"""

from __future__ import annotations

from typing import Any

import torch

from hpa.core.array import Array
from hpa.core.exchange import gather_records, route_by_owner
from hpa.core.layout import Layout

__all__ = [
    "INDEX",
    "KINDS",
    "check_orderable",
    "order",
    "pack",
    "precedes",
    "send_home",
    "splitters",
    "stable_sort",
    "unpack",
]

KINDS = (None, "stable", "quicksort", "mergesort", "heapsort")
INDEX = torch.int64


def check_orderable(x: Array, kind: Any = None) -> None:
    """Raise (from metadata, on every rank alike) for unordered dtypes and unknown kinds."""
    if x.larray.is_complex():
        raise TypeError("hpa does not sort complex values (NumPy's lexicographic order)")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS[1:]} or None, not {kind!r}")


def pack(values: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """Values and int64 indices of the same shape as one uint8 tensor (bytes on a last axis)."""
    vb = values.contiguous().unsqueeze(-1).view(torch.uint8)
    ib = index.contiguous().unsqueeze(-1).view(torch.uint8)
    return torch.cat([vb, ib], dim=-1)


def unpack(buf: torch.Tensor, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """Inverse of :func:`pack`; copies, so a one-row buffer of 1-byte values (whose index
    bytes start at an odd offset, which ``contiguous()`` would keep) can be viewed as int64."""
    size = torch.empty((), dtype=dtype).element_size()
    values = buf[..., :size].clone(memory_format=torch.contiguous_format).view(dtype)
    indices = buf[..., size:].clone(memory_format=torch.contiguous_format).view(INDEX)
    return values.squeeze(-1), indices.squeeze(-1)


def precedes(
    v: torch.Tensor, g: torch.Tensor, sv: torch.Tensor, sg: torch.Tensor, descending: bool
) -> torch.Tensor:
    """Mask of the elements ``(v, g)`` that come before ``(sv, sg)`` in the sort order."""
    if v.dtype == torch.bool:
        v, sv = v.to(torch.uint8), sv.to(torch.uint8)
    first = v > sv if descending else v < sv
    tie = v == sv
    if v.is_floating_point():
        vn, sn = torch.isnan(v), torch.isnan(sv)
        first = first | (vn & ~sn if descending else ~vn & sn)
        tie = tie | (vn & sn)
    return first | (tie & (g < sg))


def stable_sort(t: torch.Tensor, dim: int, descending: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """``torch.sort`` with ``stable=True``: values and indices."""
    return torch.sort(t, dim=dim, stable=True, descending=descending)


def leading(t: torch.Tensor, k: int, dim: int, largest: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """The first ``k`` of ``stable_sort(t, dim, largest)`` (values, indices) along ``dim``.

    For ``k`` much smaller than the axis, ``torch.topk`` picks ``2 k + 8`` candidates (NaN
    counts as the largest value, as in the sort) and only they are put in stable order (by
    value, then index). That is exact whenever the last candidate is strictly worse than the
    ``k``-th: every element equal to one of the first ``k`` is then a candidate. The rows
    where it is not (many equal values) are sorted whole.
    """
    n = t.shape[dim]
    wide = 2 * k + 8
    if wide * 4 > n or t.dtype == torch.bool or t.dtype in (torch.float16, torch.bfloat16):
        v, i = stable_sort(t, dim, largest)
        return v.narrow(dim, 0, k), i.narrow(dim, 0, k)
    rows = t.movedim(dim, -1)
    flat = rows.reshape(-1, n)
    cv, ci = torch.topk(flat, wide, 1, largest=largest, sorted=True)
    by_index = torch.argsort(ci, dim=1)
    cv, ci = cv.gather(1, by_index), ci.gather(1, by_index)
    ordered, j = stable_sort(cv, 1, largest)
    v, i = ordered[:, :k].contiguous(), ci.gather(1, j[:, :k])
    kth, last = ordered[:, k - 1], ordered[:, -1]
    tied = kth == last
    if t.is_floating_point():
        tied |= torch.isnan(kth) & torch.isnan(last)
    if bool(tied.any()):
        bad = tied.nonzero()[:, 0]
        sv, si = stable_sort(flat.index_select(0, bad), 1, largest)
        v[bad], i[bad] = sv[:, :k], si[:, :k]
    shape = (*rows.shape[:-1], k)
    return v.reshape(shape).movedim(-1, dim), i.reshape(shape).movedim(-1, dim)


def order(v: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Local permutation that sorts by ``(v, g)`` ascending (NaN last)."""
    by_key = torch.argsort(g)
    return by_key[torch.sort(v[by_key], stable=True)[1]]


def splitters(
    v: torch.Tensor, g: torch.Tensor, lay: Layout, descending: bool
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """``p - 1`` splitters ``(value, index)`` by regular sampling of the *sorted* block ``v``
    (global indices ``g``), the same on every rank (one ``allgather``); for callers that sort
    their blocks anyway (:mod:`hpa.ops.sets`)."""
    comm, n = lay.comm, v.numel()
    p = comm.size
    if n:
        pos = torch.tensor([(i + 1) * n // p for i in range(p - 1)], dtype=INDEX, device=v.device)
        sv, sg = v[pos], g[pos]
    else:  # an empty block offers no samples: index -1 marks them
        sv, sg = v.new_zeros(p - 1), torch.full((p - 1,), -1, dtype=INDEX, device=v.device)
    av, ag = (f.reshape(-1) for f in gather_records(comm, sv, sg))
    keep = ag >= 0
    av, ag = av[keep], ag[keep]
    by_index = torch.argsort(ag)
    av, ag = av[by_index], ag[by_index]
    by_value = stable_sort(av, 0, descending)[1]
    av, ag = av[by_value], ag[by_value]
    m = av.numel()
    picks = [(j + 1) * m // p for j in range(p - 1)] if m else []
    return [(av[i], ag[i]) for i in picks]


def send_home(ids: torch.Tensor, g: torch.Tensor, flat: Layout) -> torch.Tensor:
    """Send each value of ``ids`` to the rank holding the input element of global index ``g``
    (one ``allgather`` of counts and one ``alltoallv``); the block of the 1-D ``flat``."""
    comm = flat.comm
    offsets = flat.offsets
    assert offsets is not None
    ends = torch.tensor(offsets[1:-1], dtype=INDEX, device=g.device)
    owner = torch.bucketize(g, ends, right=True)
    got = route_by_owner(torch.stack([g, ids], dim=1), owner, comm).rows
    out = torch.empty(flat.lshape, dtype=INDEX, device=g.device)
    out[got[:, 0] - offsets[comm.rank]] = got[:, 1]
    return out
