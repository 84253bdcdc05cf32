"""The collective consistency check (``HPA_CHECK=1`` / ``hpa.check_collectives``).

Rank-dependent calls (a user bug) must raise the same :class:`hpa.CollectiveMismatch` on every
rank, before any data moves, so the job can go on (here: the next test). At one process there
is nothing to diverge: the check passes and costs no collective.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import P, RANK

import hpa
from hpa.core.exchange import ring

multi = pytest.mark.skipif(P == 1, reason="ranks can only diverge with several processes")


def _outcome(action):  # type: ignore[no-untyped-def]
    """(exception type name, message) of ``action`` on every rank, in rank order."""
    try:
        action()
        mine = None
    except hpa.CollectiveMismatch as err:
        mine = (type(err).__name__, str(err))
    return hpa.get_comm().allgather_object(mine)


def _mismatch(action, *words: str) -> str:  # type: ignore[no-untyped-def]
    with hpa.check_collectives():
        outcomes = _outcome(action)
    assert all(o is not None for o in outcomes), outcomes
    assert len(set(outcomes)) == 1, outcomes  # one type and message on every rank
    message = outcomes[0][1]
    for word in words:
        assert word in message, message
    assert "test_check_mode.py:" in message  # the user's source line
    return message


def test_consistent_calls_pass_and_count_the_same() -> None:
    before = hpa.comm.checking.checking()  # on when the whole run has HPA_CHECK=1
    x = hpa.arange(12, split=0).reshape((3, 4))
    with hpa.check_collectives(False), hpa.count_collectives() as plain:
        expected = x.sum(axis=0).numpy()
    with hpa.check_collectives():
        with hpa.count_collectives() as checked:
            got = x.sum(axis=0).numpy()
        y = x.resplit(1).resplit(None)
    np.testing.assert_array_equal(got, expected)
    np.testing.assert_array_equal(y.numpy(), np.arange(12).reshape(3, 4))
    assert checked.counts == plain.counts
    assert hpa.comm.checking.checking() == before


def test_on_and_off() -> None:
    before = hpa.comm.checking.checking()
    hpa.check_collectives()
    try:
        assert hpa.comm.checking.checking()
    finally:
        hpa.check_collectives(before)
    assert hpa.comm.checking.checking() == before


@multi
def test_rank_dependent_dtype() -> None:
    x = hpa.arange(10, split=0)
    y = x.astype(hpa.float32 if RANK == 0 else hpa.float64)
    message = _mismatch(lambda: y.sum(), "dtype differs", "float32", "float64", "allreduce")
    assert "rank 0:" in message


@multi
def test_rank_dependent_shape() -> None:
    t = torch.zeros(2 + (RANK == 0))
    _mismatch(lambda: hpa.get_comm().allreduce(t), "shape differs", "(3,)", "(2,)")


@multi
def test_different_collectives() -> None:
    x = hpa.ones((4, 6), split=0)
    _mismatch(
        lambda: x.resplit(1) if RANK == 0 else x.sum(),
        "the collective differs",
        "alltoallv",
        "allreduce",
    )


@multi
def test_rank_dependent_root() -> None:
    t = torch.zeros(3)
    _mismatch(lambda: hpa.get_comm().bcast(t, root=RANK % 2), "root differs")


@multi
def test_inconsistent_alltoallv_counts() -> None:
    comm = hpa.get_comm()
    send = [1] * P
    recv = [1] * P
    recv[0] += RANK == 1  # rank 1 expects a second row from rank 0, which sends one
    t = torch.zeros(P, 2)
    _mismatch(lambda: comm.alltoallv(t, send, recv), "rank 0 sends 1 rows to rank 1")


@multi
def test_ring_checkpoint() -> None:
    comm = hpa.get_comm()
    counts = [2] * P
    block = torch.zeros(2, 3 + (RANK == 0))

    def walk() -> None:
        for _ in ring(block, counts, comm):
            pass

    _mismatch(walk, "ring", "shape differs")


@multi
def test_rank_dependent_reduction_axis() -> None:
    x = hpa.ones((4, 6), split=0)
    _mismatch(lambda: x.sum(axis=RANK % 2) + x.sum(), "differs")
