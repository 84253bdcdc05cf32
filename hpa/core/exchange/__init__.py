"""The exchange layer: every data-dependent communication of the operations, in one place.

The redistribution planner (:mod:`hpa.core.redistribute`) moves an array between two layouts.
Everything else an operation communicates goes through the primitives here, so that the ops,
``hpa.linalg``, ``hpa.spatial``, ``hpa.random`` and the estimators never call a communicator
themselves (a guard test checks it). Each primitive documents its collectives and volume:

==================================  =========================  ===========================
primitive (module)                  collectives                volume per rank
==================================  =========================  ===========================
:class:`Partial` ``.replicate()``   one ``allreduce``          the partial result
:class:`Partial` ``.scatter()``     one ``reduce_scatter``     the partial result
:func:`scatter_windows` (partial)   one ``reduce_scatter`` per  a ~16 MiB window at a time
                                    window
:func:`any_rank` (partial)          one ``allreduce``          one byte
:func:`agreed` (agreement)          one ``allgather_object``   the error's class and
                                    (none at one rank)         message, if any
:func:`agreed_allgather` (idem)     as :func:`agreed`          the error and a small value
:func:`exclusive_scan` (partial)    one ``exscan``             the part
:func:`gather_records` (records)    one ``allgather``          the record
:func:`gather_counts` (records)     one ``allgather``          ``k`` int64
:func:`gather_blocks` (records)     one ``allgatherv``         the block (all receive all)
:func:`gather_objects` (records)    one ``allgather_object``   a pickled object
:func:`share`, :func:`share_object`  one ``bcast`` (``_object``)  the tensor / object
:func:`share_parts` (records)       one ``bcast``              several tensors, one buffer
:func:`route` (routing)             ``allgather`` of counts    the rows sent
                                    (unless known) and one
                                    ``alltoallv``
:func:`route_by_owner` (routing)    as :func:`route`           the rows sent
:func:`fetch` (routing)             one ``alltoallv``          the rows served
:func:`fetch_replicated` (routing)  one ``allreduce``          the rows fetched
:func:`assemble` (routing)          one ``alltoallv``          the pieces sent
:func:`swap_rows` (routing)         one ``alltoallv`` per      the rows sent
                                    ~16 MiB round
:class:`Requests` (requests)        plan: one ``allgather`` of  the indices wanted; then
                                    counts, one ``alltoallv``;  the rows wanted
                                    then one ``alltoallv`` per
                                    delivery (none at one rank
                                    or when no rank wants any
                                    row, its own included)
:func:`route_entries` (requests)    one ``allgather`` of       the entries sent
                                    counts, one ``alltoallv``
:func:`halo` (halo)                 one ``alltoallv``          the halo rows served
:func:`windows` (halo)              one ``alltoallv``          the rows of others' ranges
:func:`ring` (ring)                 ``p - 1`` ``isend`` and    the other operand, once
                                    ``irecv`` pairs
==================================  =========================  ===========================

``docs/architecture.md`` explains where a new operation's communication belongs.
"""

from hpa.core.exchange.agreement import agreed, agreed_allgather, reworded
from hpa.core.exchange.halo import halo, windows
from hpa.core.exchange.partial import Partial, any_rank, exclusive_scan, scatter_windows
from hpa.core.exchange.records import (
    gather_blocks,
    gather_counts,
    gather_objects,
    gather_records,
    share,
    share_object,
    share_parts,
)
from hpa.core.exchange.requests import Requests, route_entries
from hpa.core.exchange.ring import ring
from hpa.core.exchange.routing import (
    Routed,
    assemble,
    fetch,
    fetch_replicated,
    route,
    Incoming,
    Outgoing,
    rounds_for,
    route_by_owner,
    swap_rows,
)

__all__ = [
    "Incoming",
    "Outgoing",
    "Partial",
    "Requests",
    "Routed",
    "agreed",
    "agreed_allgather",
    "any_rank",
    "assemble",
    "exclusive_scan",
    "fetch",
    "fetch_replicated",
    "gather_blocks",
    "gather_counts",
    "gather_objects",
    "gather_records",
    "halo",
    "reworded",
    "ring",
    "route",
    "rounds_for",
    "route_by_owner",
    "route_entries",
    "scatter_windows",
    "share",
    "share_object",
    "share_parts",
    "swap_rows",
    "windows",
]
