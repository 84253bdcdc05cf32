"""The world communicator's collectives on plain torch tensors, collective counting, and
transport selection.

The tensors live on the default device (``HPA_DEVICE``), so on a GPU the collectives move CUDA
tensors, and every result must come back on the device it was sent from.

Every expected value is computed from ``rank`` and ``size``, so the checks hold at any process
count. Checks whose expected value differs between ranks are agreed on with
``allgather_object`` before asserting, so a failure on one rank fails every rank.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import pytest
import torch
from helpers import agree

import hpa
from hpa.comm import ReduceOp, detect_transport

COMM = hpa.get_comm()
P, RANK = COMM.size, COMM.rank
DEV = hpa.get_device().torch_device  # the tensors handed to the collectives live here

ALL_OPS = list(ReduceOp)
REAL_DTYPES = [
    torch.bool,
    torch.int8,
    torch.uint8,
    torch.int32,
    torch.int64,
    torch.float16,
    torch.bfloat16,
    torch.float32,
    torch.float64,
]
COMPLEX_DTYPES = [torch.complex64, torch.complex128]


def same(got: torch.Tensor, want: torch.Tensor) -> bool:
    """Exact equality of device, dtype, shape and values."""
    return (
        got.device == want.device
        and got.dtype == want.dtype
        and got.shape == want.shape
        and torch.equal(got, want)
    )


def close(got: torch.Tensor, want: torch.Tensor, rtol: float = 1e-5, atol: float = 1e-6) -> bool:
    return (
        got.device == want.device
        and got.dtype == want.dtype
        and got.shape == want.shape
        and torch.allclose(got, want, rtol=rtol, atol=atol)
    )


def rows(
    r: int, n: int, width: tuple[int, ...] = (), dtype: torch.dtype = torch.int64
) -> torch.Tensor:
    """``n`` rows identifying rank ``r``: row ``i`` is filled with ``100 * r + i``."""
    base = torch.arange(n, dtype=torch.int64, device=DEV) + 100 * r
    return base.reshape(n, *[1] * len(width)).expand(n, *width).to(dtype).contiguous()


# ---------------------------------------------------------------------------- allreduce
def contribution(r: int, op: ReduceOp, dtype: torch.dtype) -> torch.Tensor:
    """What rank ``r`` contributes: small values so that no integer reduction overflows."""
    if dtype == torch.bool:
        return torch.tensor([True, False, r % 2 == 0, r == 0, r > 0], device=DEV)
    if op is ReduceOp.PROD:
        vals = [1, -1 if r % 2 else 1, r + 1, 2 if r == 0 else 1, 1 if r else 0]
        if dtype == torch.uint8:
            vals = [abs(v) for v in vals]
    else:
        vals = [r, -r, 10 * r + 3, 7 - 2 * r, 0 if r % 2 else 5]
        if dtype == torch.uint8:
            vals = [abs(v) for v in vals]
    t = torch.tensor(vals, dtype=torch.float64, device=DEV)
    if dtype.is_floating_point:
        t = t * 0.5
    if dtype.is_complex:
        t = torch.complex(t, torch.full_like(t, 0.25 * (r + 1)))
    return t.to(dtype)


def reference(op: ReduceOp, dtype: torch.dtype) -> torch.Tensor:
    """The reduction of every rank's contribution, computed locally in high precision."""
    parts = torch.stack([contribution(r, op, dtype) for r in range(P)])
    if op in (ReduceOp.LAND, ReduceOp.LOR) or dtype == torch.bool:
        b = parts != 0
        if op in (ReduceOp.LAND, ReduceOp.PROD, ReduceOp.MIN):
            return b.all(0)
        return b.any(0)
    wide = parts.to(torch.complex128 if dtype.is_complex else torch.float64)
    if op is ReduceOp.SUM:
        out = wide.sum(0)
    elif op is ReduceOp.PROD:
        out = wide.prod(0)
    elif op is ReduceOp.MIN:
        out = wide.amin(0)
    else:
        out = wide.amax(0)
    return out.to(dtype)


@pytest.mark.parametrize("dtype", REAL_DTYPES, ids=str)
@pytest.mark.parametrize("op", ALL_OPS, ids=lambda o: o.name)
def test_allreduce_real(op: ReduceOp, dtype: torch.dtype) -> None:
    got = COMM.allreduce(contribution(RANK, op, dtype), op)
    want = reference(op, dtype)
    assert same(got, want), f"{op} {dtype}: {got} != {want}"


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES, ids=str)
@pytest.mark.parametrize("op", [ReduceOp.SUM, ReduceOp.PROD], ids=lambda o: o.name)
def test_allreduce_complex(op: ReduceOp, dtype: torch.dtype) -> None:
    got = COMM.allreduce(contribution(RANK, op, dtype), op)
    assert close(got, reference(op, dtype))


@pytest.mark.parametrize("dtype", COMPLEX_DTYPES, ids=str)
@pytest.mark.parametrize("op", [ReduceOp.MIN, ReduceOp.MAX], ids=lambda o: o.name)
def test_allreduce_complex_order_raises(op: ReduceOp, dtype: torch.dtype) -> None:
    with pytest.raises(TypeError):
        COMM.allreduce(torch.ones(3, dtype=dtype, device=DEV), op)
    COMM.barrier()  # every rank raised and is still in step


@pytest.mark.parametrize("dtype, big", [(torch.float16, 2048.0), (torch.bfloat16, 256.0)], ids=str)
def test_allreduce_low_precision_sum_is_rounded_once(dtype: torch.dtype, big: float) -> None:
    # big + 1 is not representable, big + 2 is: summing in the low precision loses the ones
    def part(r: int) -> torch.Tensor:
        first, last = big if r == 0 else 1.0, big if r == P - 1 else 1.0
        vals = [first, last, 0.1 * (r + 1), -big / 4 if r % 2 else 3.0]
        return torch.tensor(vals, device=DEV).to(dtype)

    got = COMM.allreduce(part(RANK), ReduceOp.SUM)
    exact = sum(part(r).to(torch.float64) for r in range(P))
    assert same(got, exact.to(dtype)), f"{got} != {exact}"


def test_allreduce_logical_ops_on_numbers_give_bool() -> None:
    t = torch.tensor([0, 3, RANK, -1], dtype=torch.int32, device=DEV)
    land = COMM.allreduce(t, ReduceOp.LAND)
    lor = COMM.allreduce(t, ReduceOp.LOR)
    assert same(land, torch.tensor([False, True, False, True], device=DEV))
    assert same(lor, torch.tensor([False, True, P > 1, True], device=DEV))


def test_allreduce_multidim_and_noncontiguous() -> None:
    base = torch.arange(12, dtype=torch.float64, device=DEV).reshape(3, 4) * (RANK + 1)
    t = base.T  # non-contiguous view
    got = COMM.allreduce(t, ReduceOp.SUM)
    want = torch.arange(12, dtype=torch.float64, device=DEV).reshape(3, 4).T * (P * (P + 1) // 2)
    assert same(got, want.contiguous())
    assert torch.equal(
        base, torch.arange(12, dtype=torch.float64, device=DEV).reshape(3, 4) * (RANK + 1)
    )


def test_allreduce_empty_and_scalar() -> None:
    assert same(COMM.allreduce(torch.empty(0, 3, device=DEV)), torch.empty(0, 3, device=DEV))
    got = COMM.allreduce(torch.tensor(RANK + 1, dtype=torch.int64, device=DEV), ReduceOp.MAX)
    assert same(got, torch.tensor(P, device=DEV))


def test_allreduce_leaves_input_unchanged() -> None:
    t = torch.full((4,), float(RANK), device=DEV)
    COMM.allreduce(t, ReduceOp.SUM)
    agree(torch.equal(t, torch.full((4,), float(RANK), device=DEV)), "input unchanged")


# ---------------------------------------------------------------------------- gathers
GATHER_DTYPES = [torch.int64, torch.float32, torch.bfloat16, torch.bool, torch.complex64]


@pytest.mark.parametrize("dtype", GATHER_DTYPES, ids=str)
def test_allgather(dtype: torch.dtype) -> None:
    got = COMM.allgather(rows(RANK, 3, (2,), dtype))
    want = torch.stack([rows(r, 3, (2,), dtype) for r in range(P)])
    assert same(got, want)


def test_allgather_scalar_and_noncontiguous() -> None:
    assert same(
        COMM.allgather(torch.tensor(float(RANK), device=DEV)),
        torch.arange(P, dtype=torch.float32, device=DEV),
    )
    t = rows(RANK, 3, (4,)).T  # (4, 3), non-contiguous
    want = torch.stack([rows(r, 3, (4,)).T for r in range(P)])
    assert same(COMM.allgather(t), want)


COUNTS = [(2, 0, 3)[r % 3] for r in range(P)]  # rows per rank: uneven, with an empty block


@pytest.mark.parametrize("dtype", [*GATHER_DTYPES, torch.uint8, torch.complex128], ids=str)
@pytest.mark.parametrize("width", [(), (3,), (2, 3)], ids=str)
def test_allgatherv(dtype: torch.dtype, width: tuple[int, ...]) -> None:
    got = COMM.allgatherv(rows(RANK, COUNTS[RANK], width, dtype), COUNTS)
    want = torch.cat([rows(r, COUNTS[r], width, dtype) for r in range(P)])
    assert same(got, want)


@pytest.mark.parametrize(
    "counts",
    [lambda r: 0, lambda r: 1 if r == P - 1 else 0, lambda r: r],
    ids=["none", "last", "rank"],
)
def test_allgatherv_zero_counts(counts: Callable[[int], int]) -> None:
    cnt = [counts(r) for r in range(P)]
    got = COMM.allgatherv(rows(RANK, cnt[RANK], (2,)), cnt)
    want = torch.cat([rows(r, cnt[r], (2,)) for r in range(P)])
    assert same(got, want)


def test_allgatherv_noncontiguous() -> None:
    n = COUNTS[RANK]
    t = rows(RANK, 3, (n,)).T  # (n, 3) view with strides of a transpose
    got = COMM.allgatherv(t, COUNTS)
    want = torch.cat([rows(r, 3, (COUNTS[r],)).T for r in range(P)])
    assert same(got, want)


def test_odd_strides_of_contiguous_tensors() -> None:
    """Empty and one-element tensors are contiguous whatever their strides."""
    one = (torch.arange(10.0, device=DEV) + RANK)[::3][:1]  # shape (1,), stride (3,)
    empty = torch.zeros(3, dtype=torch.float64, device=DEV).as_strided((0,), (0,))
    assert one.is_contiguous() and empty.is_contiguous()
    assert same(COMM.allgatherv(one, [1] * P), torch.arange(P, dtype=torch.float32, device=DEV))
    assert same(COMM.allgatherv(empty, [0] * P), torch.empty(0, dtype=torch.float64, device=DEV))
    assert same(
        COMM.alltoallv(empty, [0] * P, [0] * P), torch.empty(0, dtype=torch.float64, device=DEV)
    )
    buf = torch.full((10,), -1.0, device=DEV)[::3][:1]
    got = COMM.bcast(buf if RANK else one, 0)
    agree(same(got, torch.zeros(1, device=DEV)), "bcast of a strided one-element tensor")
    right, left = (RANK + 1) % P, (RANK - 1) % P
    req = COMM.irecv(buf, left)
    COMM.isend(one, right).wait()
    req.wait()
    agree(same(buf, torch.tensor([float(left)], device=DEV)), "one-element strided send")


def test_allgatherv_zero_width_rows() -> None:
    got = COMM.allgatherv(torch.empty(COUNTS[RANK], 0, device=DEV), COUNTS)
    assert same(got, torch.empty(sum(COUNTS), 0, device=DEV))


# ---------------------------------------------------------------------------- all-to-all
def message(src: int, dst: int, n: int, width: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
    """The rows ``src`` sends to ``dst``: filled with ``1000 * src + 10 * dst + i``."""
    vals = torch.arange(n, dtype=torch.int64, device=DEV) + 1000 * src + 10 * dst
    t = vals.reshape(n, *[1] * len(width)).expand(n, *width)
    if dtype == torch.bool:
        return (t % 2 == 1).contiguous()
    return t.to(dtype).contiguous()


def n_sent(src: int, dst: int) -> int:
    """Uneven message sizes, some empty."""
    return (src + 2 * dst + 1) % 3


A2A_DTYPES = [torch.int64, torch.float16, torch.bool, torch.complex64]


@pytest.mark.parametrize("dtype", A2A_DTYPES, ids=str)
@pytest.mark.parametrize("width", [(), (2, 2)], ids=str)
def test_alltoallv(dtype: torch.dtype, width: tuple[int, ...]) -> None:
    send_counts = [n_sent(RANK, q) for q in range(P)]
    recv_counts = [n_sent(q, RANK) for q in range(P)]
    send = torch.cat([message(RANK, q, send_counts[q], width, dtype) for q in range(P)])
    got = COMM.alltoallv(send, send_counts, recv_counts)
    want = torch.cat([message(q, RANK, recv_counts[q], width, dtype) for q in range(P)])
    agree(same(got, want), "alltoallv")


def test_alltoallv_all_zero() -> None:
    got = COMM.alltoallv(torch.empty(0, 3, device=DEV), [0] * P, [0] * P)
    assert same(got, torch.empty(0, 3, device=DEV))


def test_alltoallv_noncontiguous() -> None:
    send_counts = [n_sent(RANK, q) for q in range(P)]
    recv_counts = [n_sent(q, RANK) for q in range(P)]
    send = torch.cat([message(RANK, q, send_counts[q], (3,), torch.float64) for q in range(P)])
    send_t = send.T.contiguous().T  # same values, column-major strides
    got = COMM.alltoallv(send_t, send_counts, recv_counts)
    want = torch.cat([message(q, RANK, recv_counts[q], (3,), torch.float64) for q in range(P)])
    agree(same(got, want), "alltoallv of a non-contiguous tensor")


@pytest.mark.parametrize("k", [0, 1, 2])
def test_alltoall(k: int) -> None:
    send = torch.cat([message(RANK, q, k, (3,), torch.int32) for q in range(P)])
    got = COMM.alltoall(send)
    want = torch.cat([message(q, RANK, k, (3,), torch.int32) for q in range(P)])
    agree(same(got, want), "alltoall")


def test_alltoall_bad_rows_raise() -> None:
    if P > 1:  # same branch on every rank: every row count is a multiple of one process
        with pytest.raises(ValueError):
            COMM.alltoall(torch.zeros(P + 1, 2, device=DEV))
    COMM.barrier()


# ---------------------------------------------------------------------------- bcast
@pytest.mark.parametrize("root", range(P))
@pytest.mark.parametrize("dtype", [*A2A_DTYPES, torch.bfloat16, torch.int8], ids=str)
def test_bcast(root: int, dtype: torch.dtype) -> None:
    payload = rows(root, 3, (2,), dtype)
    buf = payload.clone() if RANK == root else torch.zeros(3, 2, dtype=dtype, device=DEV)
    got = COMM.bcast(buf, root)
    agree(same(got, payload), f"bcast from {root}")


@pytest.mark.parametrize("root", range(P))
def test_bcast_noncontiguous_and_empty(root: int) -> None:
    payload = torch.arange(6, dtype=torch.float32, device=DEV).reshape(2, 3) + root
    buf = payload.T if RANK == root else torch.zeros(2, 3, device=DEV).T
    got = COMM.bcast(buf, root)
    agree(same(got.contiguous(), payload.T.contiguous()), "bcast of a transposed tensor")
    agree(
        same(COMM.bcast(torch.empty(0, 2, device=DEV), root), torch.empty(0, 2, device=DEV)),
        "empty bcast",
    )


# ---------------------------------------------------------------------------- reduce_scatter
RS_COUNTS = [(1, 0, 2)[r % 3] for r in range(P)]  # uneven, rank 1 gets nothing
RS_DTYPES = [torch.int64, torch.int32, torch.float32, torch.float64, torch.float16, torch.bfloat16]
RS_DTYPES.append(torch.bool)


@pytest.mark.parametrize(
    "op, dtype",
    [(op, dt) for op in (ReduceOp.SUM, ReduceOp.MAX) for dt in RS_DTYPES]
    + [(ReduceOp.SUM, torch.complex128)],
    ids=str,
)
def test_reduce_scatter(op: ReduceOp, dtype: torch.dtype) -> None:
    n = sum(RS_COUNTS)

    def part(r: int) -> torch.Tensor:
        base = torch.arange(n * 2, dtype=torch.int64, device=DEV).reshape(n, 2)
        if dtype == torch.bool:
            return (base * (r + 1)) % 5 == 0
        return (base + 3 * r).to(dtype)

    got = COMM.reduce_scatter(part(RANK), RS_COUNTS, op)
    stacked = torch.stack([part(r) for r in range(P)])
    if dtype == torch.bool:
        full = stacked.any(0)
    else:
        wide = stacked.to(torch.complex128 if dtype.is_complex else torch.float64)
        full = (wide.sum(0) if op is ReduceOp.SUM else wide.amax(0)).to(dtype)
    lo = sum(RS_COUNTS[:RANK])
    agree(same(got, full[lo : lo + RS_COUNTS[RANK]]), f"reduce_scatter {op} {dtype}")


def test_reduce_scatter_zero_rows() -> None:
    got = COMM.reduce_scatter(torch.empty(0, 3, device=DEV), [0] * P)
    assert same(got, torch.empty(0, 3, device=DEV))


# ---------------------------------------------------------------------------- exscan
@pytest.mark.parametrize("dtype", [torch.int64, torch.float64, torch.int32], ids=str)
@pytest.mark.parametrize(
    "op", [ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MAX, ReduceOp.MIN], ids=lambda o: o.name
)
def test_exscan(op: ReduceOp, dtype: torch.dtype) -> None:
    def part(r: int) -> torch.Tensor:
        return torch.tensor([[r + 1, 2 - r], [(-1) ** r, 3]], dtype=dtype, device=DEV)

    got = COMM.exscan(part(RANK), op)
    if RANK == 0:
        if op is ReduceOp.SUM:
            want = torch.zeros(2, 2, dtype=dtype, device=DEV)
        elif op is ReduceOp.PROD:
            want = torch.ones(2, 2, dtype=dtype, device=DEV)
        elif dtype.is_floating_point:
            want = torch.full(
                (2, 2), -torch.inf if op is ReduceOp.MAX else torch.inf, dtype=dtype, device=DEV
            )
        else:
            info = torch.iinfo(dtype)
            want = torch.full(
                (2, 2), info.min if op is ReduceOp.MAX else info.max, dtype=dtype, device=DEV
            )
    else:
        prev = torch.stack([part(r) for r in range(RANK)])
        fn = {ReduceOp.SUM: torch.sum, ReduceOp.PROD: torch.prod}.get(op)
        if fn is not None:
            want = fn(prev, 0, dtype=dtype)
        else:
            want = prev.amax(0) if op is ReduceOp.MAX else prev.amin(0)
    agree(same(got, want), f"exscan {op} {dtype}")


def test_exscan_low_precision_and_bool() -> None:
    big = 2048.0
    t = torch.tensor([big if RANK == 0 else 1.0, 0.5], device=DEV).to(torch.float16)
    got = COMM.exscan(t, ReduceOp.SUM)
    exact = sum(
        (
            torch.tensor([big if r == 0 else 1.0, 0.5], device=DEV).half().double()
            for r in range(RANK)
        ),
        torch.zeros(2, dtype=torch.float64, device=DEV),
    )
    agree(same(got, exact.to(torch.float16)), "float16 exscan rounded once")
    flags = torch.tensor([RANK == 1, True, False], device=DEV)
    got_or = COMM.exscan(flags, ReduceOp.LOR)
    got_and = COMM.exscan(flags, ReduceOp.LAND)
    want_or = torch.tensor([RANK > 1, RANK > 0, False], device=DEV)
    want_and = torch.tensor([RANK == 0, True, RANK == 0], device=DEV)
    agree(same(got_or, want_or) and same(got_and, want_and), "bool exscan")


@pytest.mark.parametrize("op", [ReduceOp.MIN, ReduceOp.MAX], ids=lambda o: o.name)
def test_exscan_complex_order_raises(op: ReduceOp) -> None:
    with pytest.raises(TypeError):
        COMM.exscan(torch.ones(2, dtype=torch.complex64, device=DEV), op)
    COMM.barrier()


@pytest.mark.parametrize("op", [ReduceOp.LAND, ReduceOp.LOR], ids=lambda o: o.name)
def test_exscan_logical_on_numbers_gives_bool_everywhere(op: ReduceOp) -> None:
    got = COMM.exscan(torch.tensor([RANK, 1, 0], dtype=torch.int32, device=DEV), op)
    dtypes = COMM.allgather_object(got.dtype)
    assert dtypes == [torch.bool] * P
    if op is ReduceOp.LAND:
        want = torch.tensor([RANK == 0, True, RANK == 0], device=DEV)
    else:
        want = torch.tensor([RANK > 1, RANK > 0, False], device=DEV)
    agree(same(got, want), f"exscan {op}")


def test_exscan_empty() -> None:
    assert same(COMM.exscan(torch.empty(0, 2, device=DEV)), torch.empty(0, 2, device=DEV))


# ---------------------------------------------------------------------------- bad counts
def test_bad_counts_raise_before_communicating() -> None:
    with pytest.raises(ValueError):
        COMM.allgatherv(torch.zeros(2, 3, device=DEV), [2] * (P + 1))
    with pytest.raises(ValueError):
        COMM.allgatherv(torch.zeros(2, 3, device=DEV), [3] * P)
    with pytest.raises(ValueError):
        COMM.alltoallv(torch.zeros(P + 1, device=DEV), [1] * P, [1] * P)
    with pytest.raises(ValueError):
        COMM.alltoallv(torch.zeros(P, device=DEV), [1] * P, [-1] + [1] * P)
    with pytest.raises(ValueError):
        COMM.reduce_scatter(torch.zeros(P + 1, device=DEV), [1] * P)
    COMM.barrier()


# ---------------------------------------------------------------------------- point to point
@pytest.mark.parametrize("dtype", [torch.float64, torch.bfloat16, torch.bool, torch.int16], ids=str)
def test_send_recv_ring(dtype: torch.dtype) -> None:
    right, left = (RANK + 1) % P, (RANK - 1) % P
    out = rows(RANK, 2, (3,), dtype)
    buf = torch.zeros(2, 3, dtype=dtype, device=DEV)
    if RANK == 0:  # rank 0 sends first, everyone else receives first: no cycle of waits
        COMM.send(out, right, tag=7)
        got = COMM.recv(buf, left, tag=7)
    else:
        got = COMM.recv(buf, left, tag=7)
        COMM.send(out, right, tag=7)
    agree(same(got, rows(left, 2, (3,), dtype)) and got is buf, "send/recv ring")


def test_isend_irecv_ring() -> None:
    right, left = (RANK + 1) % P, (RANK - 1) % P
    out = rows(RANK, 4, (2,), torch.float32).T  # non-contiguous send
    buf = torch.zeros(4, 2, device=DEV).T  # non-contiguous receive buffer
    recv_req = COMM.irecv(buf, left, tag=3)
    send_req = COMM.isend(out, right, tag=3)
    got = recv_req.wait()
    send_req.wait()
    assert send_req.wait() is None  # a second wait is harmless
    agree(got is buf and torch.equal(buf, rows(left, 4, (2,), torch.float32).T), "isend/irecv ring")


def test_isend_irecv_two_tags() -> None:
    right, left = (RANK + 1) % P, (RANK - 1) % P
    reqs_in = [
        COMM.irecv(torch.zeros(3, dtype=torch.int64, device=DEV), left, tag=t) for t in (11, 12)
    ]
    reqs_out = [
        COMM.isend(torch.full((3,), 10 * RANK + t, dtype=torch.int64, device=DEV), right, tag=t)
        for t in (11, 12)
    ]
    got = [r.wait() for r in reqs_in]
    for r in reqs_out:
        r.wait()
    want = [torch.full((3,), 10 * left + t, dtype=torch.int64, device=DEV) for t in (11, 12)]
    agree(all(same(g, w) for g, w in zip(got, want)), "tagged messages")


def test_barrier() -> None:
    COMM.barrier()
    COMM.barrier()


# ---------------------------------------------------------------------------- objects, split
@pytest.mark.parametrize("root", range(P))
def test_bcast_object(root: int) -> None:
    obj = {"root": root, "data": [1, 2.5, "x"]} if RANK == root else None
    assert COMM.bcast_object(obj, root) == {"root": root, "data": [1, 2.5, "x"]}


def test_allgather_object() -> None:
    got = COMM.allgather_object(("r", RANK, [RANK] * RANK))
    assert got == [("r", r, [r] * r) for r in range(P)]


@pytest.mark.parametrize("reverse", [False, True])
def test_split_even_odd(reverse: bool) -> None:
    color = RANK % 2
    sub = COMM.split(color, key=-RANK if reverse else RANK)
    members = [r for r in range(P) if r % 2 == color]
    if reverse:
        members = members[::-1]
    assert (sub.size, sub.rank) == (len(members), members.index(RANK))
    total = sub.allreduce(torch.tensor([RANK, 1], dtype=torch.int64, device=DEV))
    assert same(total, torch.tensor([sum(members), len(members)], device=DEV))
    gathered = sub.allgatherv(rows(RANK, RANK % 3, (2,)), [r % 3 for r in members])
    assert same(gathered, torch.cat([rows(r, r % 3, (2,)) for r in members]))
    assert sub.allgather_object(RANK) == members
    assert sub.bcast_object(RANK, root=0) == members[0]
    sub.barrier()
    COMM.barrier()


def test_split_single_color() -> None:
    sub = COMM.split(0, key=RANK)
    assert (sub.size, sub.rank) == (P, RANK)
    assert same(sub.allreduce(torch.ones(2, device=DEV)), torch.full((2,), float(P), device=DEV))


# ---------------------------------------------------------------------------- counting
def test_count_collectives_kinds_and_bytes() -> None:
    t = torch.zeros(10, dtype=torch.float64, device=DEV)
    with hpa.count_collectives() as stats:
        COMM.allreduce(t)
        COMM.allreduce(t.to(torch.float16), ReduceOp.MAX)
        COMM.allgatherv(rows(RANK, COUNTS[RANK], (2,)), COUNTS)
        COMM.alltoall(torch.zeros(2 * P, dtype=torch.int32, device=DEV))
        COMM.bcast(torch.zeros(3, dtype=torch.int8, device=DEV), 0)
        COMM.exscan(t)
        COMM.reduce_scatter(torch.zeros(P, dtype=torch.bool, device=DEV), [1] * P)
        COMM.barrier()
    assert dict(stats.counts) == {
        "allreduce": 2,
        "allgatherv": 1,
        "alltoall": 1,
        "bcast": 1,
        "exscan": 1,
        "reduce_scatter": 1,
        "barrier": 1,
    }
    assert stats["allreduce"] == 2 and stats["alltoallv"] == 0
    assert stats.bytes["allreduce"] == 80 + 20
    assert stats.bytes["allgatherv"] == COUNTS[RANK] * 2 * 8
    assert stats.bytes["alltoall"] == 2 * P * 4
    assert stats.bytes["bcast"] == 3
    assert stats.bytes["exscan"] == 80
    assert stats.bytes["reduce_scatter"] == P
    assert stats.total == 8
    assert stats.total_bytes == sum(stats.bytes.values())
    assert "allreduce=2" in repr(stats)


def test_count_collectives_nested() -> None:
    with hpa.count_collectives() as outer:
        COMM.allreduce(torch.ones(2, device=DEV))
        with hpa.count_collectives() as inner:
            COMM.allgather(torch.ones(3, dtype=torch.int64, device=DEV))
            COMM.allreduce(torch.ones(1, device=DEV))
        COMM.barrier()
    with hpa.count_collectives() as after:
        pass
    assert dict(inner.counts) == {"allgather": 1, "allreduce": 1}
    assert dict(outer.counts) == {"allreduce": 2, "allgather": 1, "barrier": 1}
    assert inner.bytes["allgather"] == 24 and outer.bytes["allreduce"] == 12
    assert after.total == 0 and repr(after) == "CommStats(none)"


def test_count_collectives_outside_block_and_after_error() -> None:
    with pytest.raises(RuntimeError), hpa.count_collectives() as stats:
        COMM.barrier()
        raise RuntimeError("leave the block")
    COMM.barrier()  # not counted anywhere: the block is closed
    assert stats.total == 1
    from hpa.comm import counting

    assert counting._active == []


def test_count_collectives_point_to_point_and_objects() -> None:
    right, left = (RANK + 1) % P, (RANK - 1) % P
    with hpa.count_collectives() as stats:
        req = COMM.irecv(torch.zeros(2, device=DEV), left)
        COMM.isend(torch.ones(2, device=DEV), right).wait()
        req.wait()
        COMM.bcast_object(1)
        COMM.allgather_object(RANK)
    assert dict(stats.counts) == {"irecv": 1, "isend": 1, "bcast_object": 1, "allgather_object": 1}
    assert stats.bytes["isend"] == 8


# ---------------------------------------------------------------------------- transport choice
_LAUNCH_VARS = (
    "HPA_COMM",
    "TORCHELASTIC_RUN_ID",
    "RANK",
    "WORLD_SIZE",
    "MASTER_ADDR",
    "PMI_RANK",
    "PMI_SIZE",
    "PMIX_RANK",
    "OMPI_COMM_WORLD_SIZE",
    "MPI_LOCALRANKID",
    "SLURM_PROCID",
    "SLURM_NTASKS",
)


@pytest.fixture
def bare_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment with no launcher variables and mpi4py.MPI not imported."""
    for var in _LAUNCH_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.delitem(sys.modules, "mpi4py.MPI", raising=False)
    return monkeypatch


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "loopback"),
        ({"HPA_COMM": "mpi"}, "mpi"),
        ({"HPA_COMM": " Torch "}, "torch"),
        ({"HPA_COMM": "loopback", "TORCHELASTIC_RUN_ID": "x", "PMI_RANK": "0"}, "loopback"),
        ({"HPA_COMM": ""}, "loopback"),
        ({"TORCHELASTIC_RUN_ID": "abc"}, "torch"),
        ({"RANK": "0", "WORLD_SIZE": "2", "MASTER_ADDR": "localhost"}, "torch"),
        ({"RANK": "0", "WORLD_SIZE": "2"}, "loopback"),
        ({"PMI_RANK": "1", "PMI_SIZE": "3"}, "mpi"),
        ({"PMIX_RANK": "0"}, "mpi"),
        ({"OMPI_COMM_WORLD_SIZE": "4"}, "mpi"),
        ({"SLURM_PROCID": "0", "SLURM_NTASKS": "4"}, "mpi"),
        ({"SLURM_PROCID": "0", "SLURM_NTASKS": "1"}, "loopback"),
    ],
    ids=lambda v: (
        (",".join(f"{k}={x}" for k, x in v.items()) or "none") if isinstance(v, dict) else v
    ),
)
def test_detect_transport(bare_env: pytest.MonkeyPatch, env: dict[str, str], expected: str) -> None:
    for key, value in env.items():
        bare_env.setenv(key, value)
    assert detect_transport() == expected


def test_detect_transport_mpi4py_imported(bare_env: pytest.MonkeyPatch) -> None:
    bare_env.setitem(sys.modules, "mpi4py.MPI", object())
    assert detect_transport() == "mpi"


@pytest.mark.parametrize("value", ["nccl", "gloo", "mpich", "1"])
def test_detect_transport_invalid_forced(bare_env: pytest.MonkeyPatch, value: str) -> None:
    bare_env.setenv("HPA_COMM", value)
    with pytest.raises(ValueError, match="HPA_COMM"):
        detect_transport()


def test_make_communicator_unknown_transport() -> None:
    with pytest.raises(ValueError):
        hpa.comm.make_communicator("carrier-pigeon")


def test_world_communicator_matches_launcher() -> None:
    assert hpa.get_comm() is COMM
    assert COMM.name in ("loopback", "mpi", "torch")
    assert 0 <= RANK < P
    assert COMM.allgather_object(RANK) == list(range(P))
    assert repr(COMM).endswith(f"rank={RANK} size={P}>")


def test_init_with_ready_communicator_keeps_world() -> None:
    world = hpa.get_comm()
    try:
        assert hpa.init(world) is world
        assert hpa.get_comm() is world
    finally:
        hpa.init(world)


def test_loopback_communicator_alone() -> None:
    lb: Any = hpa.comm.LoopbackCommunicator()
    assert (lb.rank, lb.size, lb.name) == (0, 1, "loopback")
    t = torch.arange(6.0, device=DEV).reshape(2, 3)
    assert same(lb.allreduce(t, ReduceOp.PROD), t)
    assert same(lb.allgatherv(t.T, [3]), t.T.contiguous())
    assert same(lb.exscan(t), torch.zeros(2, 3, device=DEV))
    lb.send(t, 0, tag=5)
    assert same(lb.recv(torch.empty(2, 3, device=DEV), 0, tag=5), t)
    with pytest.raises(RuntimeError):
        lb.recv(torch.empty(2, 3, device=DEV), 0, tag=5)
    with pytest.raises(ValueError):
        lb.send(t, 1)
    assert lb.split(3).size == 1


@pytest.mark.parametrize("dtype", [torch.float64, torch.bool, torch.bfloat16])
def test_allgatherv_broadcast_path(monkeypatch: pytest.MonkeyPatch, dtype: torch.dtype) -> None:
    """Large gathers (one broadcast per block under torch.distributed) give the same result."""
    module = sys.modules.get("hpa.comm.torch_dist")
    if module is not None:
        monkeypatch.setattr(module, "_BROADCAST_GATHER_BYTES", 0)
    counts = [(r * 2) % 5 for r in range(P)]
    mine = (
        (torch.arange(counts[RANK] * 3, device=DEV) + 100 * RANK).reshape(counts[RANK], 3).to(dtype)
    )
    got = COMM.allgatherv(mine, counts)
    want = torch.cat(
        [
            (torch.arange(c * 3, device=DEV) + 100 * r).reshape(c, 3).to(dtype)
            for r, c in enumerate(counts)
        ]
    )
    agree(got.dtype == dtype and torch.equal(got, want), "allgatherv through broadcasts")
