"""The exchange primitives of :mod:`hpa.core.exchange`, checked against the global answer that
every rank can compute, for balanced, ragged and empty blocks, with their collective counts."""

from __future__ import annotations

import pytest
import torch

import hpa
from hpa.comm.base import ReduceOp
from hpa.core import exchange
from hpa.core.layout import Layout, chunk
from helpers import P, RANK, agree, ragged_counts

COMM = hpa.get_comm()


def layouts(n: int) -> list[Layout]:
    """A balanced, a ragged (rank 0 empty) and an all-on-the-last-rank cut of ``n`` rows."""
    last = [0] * (P - 1) + [n]
    return [Layout((n, 3), 0, COMM), Layout((n, 3), 0, COMM, ragged_counts(n)),
            Layout((n, 3), 0, COMM, last)]  # fmt: skip


def whole(n: int) -> torch.Tensor:
    return torch.arange(n * 3, dtype=torch.float64).reshape(n, 3)


def block(full: torch.Tensor, lay: Layout, rank: int = RANK) -> torch.Tensor:
    lo, hi = lay.range_of(rank)
    return full[lo:hi].clone()


@pytest.mark.parametrize("n", [0, 1, 2, 7, 11])
@pytest.mark.parametrize("widths", [(1, 0), (0, 2), (2, 3), (5, 5)])
def test_halo(n: int, widths: tuple[int, int]) -> None:
    full = whole(n)
    for lay in layouts(n):
        lo, hi = lay.range_of(RANK)
        with hpa.count_collectives() as stats:
            head, tail = exchange.halo(block(full, lay), lay, *widths)
        agree(torch.equal(head, full[max(0, lo - widths[0]) : lo]), f"head {lay}")
        agree(torch.equal(tail, full[hi : hi + widths[1]]), f"tail {lay}")
        assert dict(stats.counts) == {"alltoallv": 1}


def test_halo_per_rank_widths() -> None:
    full, lay = whole(9), Layout((9, 3), 0, COMM)
    after = list(range(P))
    lo, hi = lay.range_of(RANK)
    _, tail = exchange.halo(block(full, lay), lay, 0, after)
    agree(torch.equal(tail, full[hi : hi + after[RANK]]))
    with pytest.raises(ValueError, match="halo widths"):
        exchange.halo(block(full, lay), lay, [-1] * P)


@pytest.mark.parametrize("n", [0, 1, 7, 12])
def test_windows(n: int) -> None:
    """Each rank receives ranges of rows cut independently of the layout (here: rank ``r``
    wants ``[r, r + 3)`` and the last two rows, clipped), in one ``alltoallv``."""
    full = whole(n)

    def wanted(r: int) -> list[tuple[int, int]]:
        first = (min(r, n), min(r + 3, n))
        last = (max(first[1], n - 2), n)
        return [w for w in (first, last) if w[1] > w[0]]

    for lay in layouts(n):
        with hpa.count_collectives() as stats:
            got = exchange.windows(block(full, lay), lay, wanted)
        want = [full[lo:hi] for lo, hi in wanted(RANK)]
        agree(torch.equal(got, torch.cat(want) if want else full[:0]), f"windows {lay}")
        assert dict(stats.counts) == {"alltoallv": 1}


@pytest.mark.parametrize("n", [0, 2, 7])
@pytest.mark.parametrize("wrap", [True, False])
def test_ring(n: int, wrap: bool) -> None:
    full = whole(n)
    for lay in layouts(n):
        seen, ok = [], True
        with hpa.count_collectives() as stats:
            for owner, got in exchange.ring(block(full, lay), lay.counts, COMM, wrap=wrap):
                seen.append(owner)
                ok &= torch.equal(got, block(full, lay, owner))
        want = [(RANK + s) % P for s in range(P if wrap else P - RANK)]
        agree(ok and seen == want, f"ring over {lay}")
        assert stats["isend"] <= len(want) and stats["irecv"] <= len(want) - 1


def test_ring_along_axis_1() -> None:
    full = whole(4).T.contiguous()  # (3, 4), cut along axis 1
    lay = Layout((3, 4), 1, COMM)
    lo, hi = lay.range_of(RANK)
    ok = True
    for owner, got in exchange.ring(full[:, lo:hi].clone(), lay.counts, COMM, axis=1):
        a, b = lay.range_of(owner)
        ok &= torch.equal(got, full[:, a:b])
    agree(ok)


@pytest.mark.parametrize("n", [0, 5, 8])
def test_fetch(n: int) -> None:
    full = whole(n)
    want = torch.tensor([(3 * i + 1) % n for i in range(2 * n)] if n else [], dtype=torch.int64)
    counts = chunk(want.numel(), P)
    for lay in layouts(n):
        with hpa.count_collectives() as stats:
            got = exchange.fetch(block(full, lay), lay, want, counts)
        lo = sum(counts[:RANK])
        agree(torch.equal(got, full[want[lo : lo + counts[RANK]]]))
        assert dict(stats.counts) == {"alltoallv": 1}
        with hpa.count_collectives() as stats:
            rep = exchange.fetch_replicated(block(full, lay), lay, want)
        agree(torch.equal(rep, full[want]))
        assert dict(stats.counts) == {"allreduce": 1}


@pytest.mark.parametrize("n", [0, 5, 8])
def test_requests(n: int) -> None:
    full = whole(n)
    for lay in layouts(n):
        # each rank wants its own rows' neighbours and row 0, ascending without repeats
        lo, hi = lay.range_of(RANK)
        wanted = sorted({i for i in (0, lo - 1, hi, lo + 2) if 0 <= i < n})
        index = torch.tensor(wanted, dtype=torch.int64)
        with hpa.count_collectives() as stats:
            plan = exchange.Requests(index, Layout((n,), 0, COMM, lay.counts))
        assert dict(stats.counts) == {"allgather": 1, "alltoallv": 1}
        with hpa.count_collectives() as stats:
            got = plan.deliver(block(full, lay))
        agree(torch.equal(got, full[index]) and plan.wanted == len(wanted))
        assert dict(stats.counts) == ({"alltoallv": 1} if P > 1 and n else {})


@pytest.mark.parametrize("n", [0, 6])
def test_requests_runs(n: int) -> None:
    # row i of a ragged "CSR" owns i % 3 entries valued 10 i + j (and their int64 twins)
    lengths = torch.tensor([i % 3 for i in range(n)], dtype=torch.int64)
    starts = torch.cat([torch.zeros(1, dtype=torch.int64), lengths.cumsum(0)])
    values = torch.tensor([10.0 * i + j for i in range(n) for j in range(i % 3)])
    twins = values.to(torch.int64)
    index = torch.arange(n - 1, -1, -2).flip(0) if n else torch.zeros(0, dtype=torch.int64)
    for lay in layouts(n):
        lo, hi = lay.range_of(RANK)
        mine = starts[lo : hi + 1] - starts[lo]
        part = slice(int(starts[lo]), int(starts[hi]))
        plan = exchange.Requests(index, Layout((n,), 0, COMM, lay.counts))
        with hpa.count_collectives() as stats:
            got_lengths, (got_vals, got_twins) = plan.deliver_runs(mine, [values[part], twins[part]])
        expect = torch.cat([values[starts[i] : starts[i + 1]] for i in index.tolist()] or [values[:0]])
        agree(torch.equal(got_lengths, lengths[index]) and torch.equal(got_vals, expect))
        agree(torch.equal(got_twins, expect.to(torch.int64)))
        assert dict(stats.counts) == ({"alltoallv": 2} if P > 1 and n else {})


def test_route_entries() -> None:
    # rank r sends entry (r, q) to every rank q: a float and an int64 field travel together
    owner = torch.arange(P)
    vals = 10.0 * RANK + owner.to(torch.float64)
    ids = owner * 100 + RANK
    with hpa.count_collectives() as stats:
        got_vals, got_ids = exchange.route_entries([vals, ids], owner, COMM)
    agree(got_vals.tolist() == [10.0 * q + RANK for q in range(P)])
    agree(got_ids.tolist() == [RANK * 100 + q for q in range(P)])
    assert dict(stats.counts) == ({"allgather": 1, "alltoallv": 1} if P > 1 else {})


def test_fetch_replicated_bool() -> None:
    full = torch.tensor([True, False, True, True, False])
    lay = Layout((5,), 0, COMM, ragged_counts(5))
    lo, hi = lay.range_of(RANK)
    got = exchange.fetch_replicated(full[lo:hi], lay, torch.tensor([4, 0, 2]))
    agree(got.dtype == torch.bool and got.tolist() == [False, True, True])


def test_route_and_route_by_owner() -> None:
    # rank r sends r + 1 rows to every rank q, valued 100 r + q
    rows = torch.cat([torch.full((RANK + 1,), 100 * RANK + q) for q in range(P)])
    with hpa.count_collectives() as stats:
        got = exchange.route(rows, [RANK + 1] * P, COMM)
    want = torch.cat([torch.full((q + 1,), 100 * q + RANK) for q in range(P)])
    agree(torch.equal(got.rows, want) and got.recv_counts == [q + 1 for q in range(P)])
    agree(got.matrix is not None and got.matrix.sum(0).tolist() == [P * (P + 1) // 2] * P)
    assert dict(stats.counts) == {"allgather": 1, "alltoallv": 1}
    with hpa.count_collectives() as stats:
        known = exchange.route(rows, [RANK + 1] * P, COMM, [q + 1 for q in range(P)])
    agree(torch.equal(known.rows, want) and known.matrix is None)
    assert dict(stats.counts) == {"alltoallv": 1}
    owner = torch.tensor([(RANK + i) % P for i in range(5)])
    values = torch.arange(5) + 10 * RANK
    got = exchange.route_by_owner(values, owner, COMM)
    expect = torch.cat([torch.arange(5)[torch.tensor([(q + i) % P for i in range(5)]) == RANK]
                        + 10 * q for q in range(P)])  # fmt: skip
    agree(torch.equal(got.rows, expect))


def test_records_and_sharing() -> None:
    val = torch.tensor([1.5 * RANK, -RANK], dtype=torch.float32)
    idx = torch.tensor([RANK, 2 * RANK], dtype=torch.int64)
    flag = torch.tensor([RANK == 0, False])
    with hpa.count_collectives() as stats:
        vals, idxs, flags = exchange.gather_records(COMM, val, idx, flag)
    assert dict(stats.counts) == {"allgather": 1}
    agree(vals.dtype == torch.float32 and vals[:, 0].tolist() == [1.5 * r for r in range(P)])
    agree(idxs[:, 1].tolist() == [2 * r for r in range(P)] and flags[:, 0].tolist()[0])
    agree(exchange.gather_counts(COMM, [RANK, 1]).tolist() == [[r, 1] for r in range(P)])
    lay = Layout((7, 3), 0, COMM, ragged_counts(7))
    agree(torch.equal(exchange.gather_blocks(block(whole(7), lay), lay.counts, COMM), whole(7)))
    agree(exchange.gather_objects(COMM, ("r", RANK)) == [("r", r) for r in range(P)])
    root = P - 1
    mine = torch.arange(3.0) if RANK == root else torch.empty(3)
    agree(torch.equal(exchange.share(mine, root, COMM), torch.arange(3.0)))
    agree(exchange.share_object({"k": RANK}, root, COMM) == {"k": root})


def test_partial() -> None:
    part = torch.arange(12.0).reshape(4, 3) * (RANK + 1)
    total = torch.arange(12.0).reshape(4, 3) * (P * (P + 1) // 2)
    agree(torch.equal(exchange.Partial(part, COMM).replicate(), total))
    largest = exchange.Partial(part, COMM, ReduceOp.MAX).replicate()
    agree(torch.equal(largest, torch.arange(12.0).reshape(4, 3) * P))
    counts = ragged_counts(4)
    lo = sum(counts[:RANK])
    mine = exchange.Partial(part, COMM).scatter(counts)
    agree(torch.equal(mine, total[lo : lo + counts[RANK]]))
    cols = chunk(3, P)
    c0 = sum(cols[:RANK])
    agree(torch.equal(exchange.Partial(part, COMM).scatter(cols, axis=1),
                      total[:, c0 : c0 + cols[RANK]]))  # fmt: skip
    with hpa.count_collectives() as stats:
        verdict = exchange.any_rank(RANK == P - 1, COMM) and not exchange.any_rank(False, COMM)
    agree(verdict)
    assert dict(stats.counts) == {"allreduce": 2}


def test_exclusive_scan() -> None:
    part = torch.arange(6.0).reshape(2, 3) + RANK
    with hpa.count_collectives() as stats:
        carry = exchange.exclusive_scan(part, COMM)
        prod = exchange.exclusive_scan(part + 1, COMM, ReduceOp.PROD)
    before = torch.zeros(2, 3, dtype=torch.float64)
    below = torch.ones(2, 3, dtype=torch.float64)
    for r in range(RANK):
        before += torch.arange(6.0).reshape(2, 3) + r
        below *= torch.arange(6.0).reshape(2, 3) + r + 1
    agree(torch.equal(carry, before.to(carry.dtype)) and torch.equal(prod, below.to(prod.dtype)))
    assert dict(stats.counts) == {"exscan": 2}


def test_scatter_windows() -> None:
    out = Layout((10, 2), 0, COMM, ragged_counts(10))
    total = torch.arange(20.0).reshape(10, 2) * (P * (P + 1) // 2)
    offsets = out.offsets

    def window(start: int, takes: list[int]) -> torch.Tensor:
        rows = [torch.arange(20.0).reshape(10, 2)[offsets[r] + start : offsets[r] + start + n]
                for r, n in enumerate(takes)]  # fmt: skip
        return torch.cat(rows) * (RANK + 1)

    with hpa.count_collectives() as stats:
        pieces = exchange.scatter_windows(out, 16, window, limit=16 * P * 3)
    lo, hi = out.range_of(RANK)
    agree(torch.equal(torch.cat(pieces) if pieces else total[:0], total[lo:hi]))
    assert stats["reduce_scatter"] == len(pieces) == -(-max(out.counts) // 3)
