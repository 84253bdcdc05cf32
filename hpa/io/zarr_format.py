"""Zarr v3 stores through the ``zarr`` package: every rank reads the chunks of its own block;
ranks write the chunks they own at the same time and the chunks they share in turn.

A Zarr array is a directory of chunk files, so two processes may write two different chunks at
once, but never one chunk at once (a partial chunk write reads, merges and rewrites the whole
chunk). A save therefore sorts each rank's block into the chunks it owns alone, which all ranks
write concurrently, and the at most two chunks at its ends that it shares with a neighbour,
which the ranks write one after another. When every block boundary falls on a chunk boundary
(the default chunks are chosen so where that is cheap) the second phase is skipped.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from hpa.comm import Communicator
from hpa.core.array import Array
from hpa.core.exchange import agreed
from hpa.core.layout import Layout
from hpa.io.common import (
    agreed_load,
    array_from_block,
    check_save_mode,
    file_dtype,
    host_block,
    in_turn,
    optional_module,
    plan_load,
    replaced_atomically,
    resolve_comm,
)

__all__ = ["load_zarr", "save_zarr"]

# bytes of one default chunk: within the 1-16 MiB that Zarr's own guess aims for
_CHUNK_BYTES = 8 << 20
# aligned default chunks may be up to this many times smaller than the unaligned choice
_ALIGN_SLACK = 4


def load_zarr(
    path: str | os.PathLike[str],
    array: str | None = None,
    split: int | None = None,
    dtype: Any = None,
    slices: Any = None,
    device: Any = None,
    comm: Communicator | None = None,
) -> Array:
    """Load a Zarr array into an array cut along ``split``; each rank reads its block only.

    Parameters
    ----------
    path : str or path-like
        The store: a local (or shared-filesystem) directory, Zarr format 3 or 2.
    array : str, optional
        The array's name inside the store's root group (``"group/name"`` for nested groups);
        ``None`` when the store's root is the array itself.
    split : int or None
        The axis of the result to distribute (balanced blocks); ``None`` replicates it (every
        rank reads everything).
    dtype : dtype, optional
        Convert to this dtype while loading; by default the stored one (an error when hpa has
        no such dtype, e.g. uint32).
    slices : int, slice or tuple of them, optional
        Load only this part of the stored array (NumPy basic indexing with positive steps).
    device, comm : optional
        Device of the blocks and communicator (defaults: the default device and world).

    Returns
    -------
    Array
        The stored array (or its selected part), split along ``split``.

    Notes
    -----
    A rank decompresses only the chunks that overlap its block (Zarr cannot read less than a
    chunk). A missing store raises ``FileNotFoundError``, a missing ``array`` ``KeyError``, a
    group where an array is expected ``TypeError``, on every rank. Communication: one
    ``allgather_object`` to agree that every rank read the same array without an error; no
    data moves between ranks.
    """
    zarr, comm = optional_module("zarr", "Zarr stores"), resolve_comm(comm)

    def read() -> Array:
        stored = _open_array(zarr, os.fspath(path), array)
        what = f"Zarr array {array or os.fspath(path)!r}"
        target = file_dtype(stored.dtype, dtype, what)
        slab = plan_load(stored.shape, split, comm, slices)
        return array_from_block(np.asarray(stored[slab.index]), slab.layout, target, device)

    return agreed_load(comm, read, f"Zarr array {array or os.fspath(path)!r}")


def _open_array(zarr: Any, target: str, array: str | None) -> Any:
    """The Zarr array ``array`` of the store ``target`` (its root when ``array`` is None)."""
    if not os.path.exists(target):
        raise FileNotFoundError(f"Zarr store {target!r} does not exist")
    try:
        node = zarr.open(store=target, mode="r")
    except FileNotFoundError:
        raise FileNotFoundError(f"{target!r} is not a Zarr store") from None
    if array not in (None, ""):
        if not isinstance(node, zarr.Group):
            raise KeyError(f"Zarr store {target!r} is an array, not a group holding {array!r}")
        try:
            node = node[array]
        except KeyError:
            raise KeyError(f"Zarr store {target!r} has no array {array!r}") from None
    if not isinstance(node, zarr.Array):
        name = f"{array!r} in {target!r}" if array else repr(target)
        raise TypeError(f"{name} is a Zarr group, not an array; pass array= to pick one")
    return node


def save_zarr(
    x: Array,
    path: str | os.PathLike[str],
    array: str | None = None,
    mode: str = "w",
    chunks: Sequence[int] | int | None = None,
    compressors: Any = "auto",
    attrs: Mapping[str, Any] | None = None,
    **array_options: Any,
) -> None:
    """Save ``x`` as a Zarr (format 3) array without gathering it: each rank writes its block.

    Parameters
    ----------
    x : Array
        The array (any split, ragged blocks included).
    path : str or path-like
        The store: a local (or shared-filesystem) directory.
    array : str, optional
        The array's name inside the store's root group (``"group/name"`` creates the
        intermediate groups); ``None`` makes the store's root the array.
    mode : {"w", "w-", "x", "a", "r+"}
        ``"w"`` creates or replaces the store; ``"w-"``/``"x"`` fail if it exists; ``"a"``
        adds ``array`` to a group store (creating it if needed) and ``"r+"`` adds it to an
        existing one. An existing array of the same name is an error in ``"a"``/``"r+"``.
    chunks : int or sequence of int, optional
        The chunk shape (an int: that length along every axis). By default chunks of about 8 MiB whose extent along the split axis
        divides every block, so that no chunk is shared by two ranks, unless that would make
        them more than 4 times smaller (then chunks of about 8 MiB, and shared chunks are
        written in turn).
    compressors : optional
        Passed to ``zarr.create_array`` (``"auto"``: Zarr's default; ``None``: uncompressed).
    attrs : mapping, optional
        Attributes stored on the array.
    **array_options
        Passed to ``zarr.create_array``: ``shards``, ``filters``, ``serializer``,
        ``fill_value``, ``dimension_names``, ...

    Notes
    -----
    The store is written under a temporary name next to ``path`` and replaces it only when
    every rank has written: a failure leaves ``path`` as it was (modes ``"a"``/``"r+"`` copy
    the existing store first). Rank 0 creates the array; then every rank writes the chunks
    (shards, when sharded) that hold only its own rows, all at the same time; then, unless
    every block boundary falls on a chunk boundary, the ranks write the rows in the chunks
    they share, in rank order. A replicated array is written by rank 0 alone.
    Communication: a few ``allgather_object`` agreements (``p`` more when shared chunks are
    written in turn) and one ``bcast_object``; no array data moves between ranks. bfloat16 is
    stored as float32 (Zarr and NumPy have no bfloat16).
    """
    zarr, comm = optional_module("zarr", "Zarr stores"), x.comm
    if array in (None, "") and mode in ("a", "r+"):
        raise ValueError(f"mode {mode!r} adds a named array to a group store: pass array=")
    target = os.fspath(path)
    check_save_mode(target, mode, comm)
    block = host_block(x)
    grid: Any = chunks
    if chunks is None:
        grid = _default_chunks(x.layout, block.dtype.itemsize)
    elif isinstance(chunks, (int, np.integer)) and not isinstance(chunks, bool):
        grid = (int(chunks),) * x.ndim
    options = dict(
        shape=x.shape, dtype=block.dtype, chunks=grid, compressors=compressors,
        attributes=dict(attrs or {}), **array_options,
    )  # fmt: skip

    with replaced_atomically(target, comm, start_from_existing=mode in ("a", "r+")) as temp:
        agreed(comm, lambda: _create(zarr, temp, array, mode, options) if comm.rank == 0 else 0)
        stored = agreed(comm, lambda: zarr.open_array(store=temp, path=array or "", mode="r+"))
        if x.split is None:
            agreed(comm, lambda: _write_all(stored, block) if comm.rank == 0 else None)
            return
        unit = (stored.shards or stored.chunks)[x.split]
        lo, hi = x.layout.range_of(comm.rank)
        owned, shared = _owned_rows(lo, hi, x.shape[x.split], unit)
        agreed(comm, lambda: _write_rows(stored, block, x.layout, *owned))

        def write_shared(turn: int) -> None:
            for start, stop in shared:
                _write_rows(stored, block, x.layout, start, stop)

        if not _aligned(x.layout, unit):
            in_turn(comm, write_shared)


def _create(zarr: Any, temp: str, array: str | None, mode: str, options: dict[str, Any]) -> int:
    """Create the empty array in the store ``temp`` (rank 0)."""
    if not array:
        zarr.create_array(store=temp, zarr_format=3, **options)
        return 0
    if mode in ("a", "r+") and os.path.exists(temp):
        root = zarr.open(store=temp, mode="r+")
        if not isinstance(root, zarr.Group):
            raise ValueError(f"the store's root is an array; cannot add {array!r} to it")
        if array in root:
            raise ValueError(f"the store already has a member {array!r}")
    else:
        root = zarr.open_group(store=temp, mode="w", zarr_format=3)
    root.create_array(name=array, **options)
    return 0


def _write_all(stored: Any, block: np.ndarray) -> None:
    """Write the whole of a replicated array (rank 0)."""
    if block.size:
        stored[...] = block


def _write_rows(stored: Any, block: np.ndarray, layout: Layout, start: int, stop: int) -> None:
    """Write the global rows ``[start, stop)`` (along the split axis) of this rank's block."""
    if stop <= start or not block.size:
        return
    lo = layout.range_of(layout.comm.rank)[0]
    axis = layout.split
    assert axis is not None
    local = (slice(None),) * axis + (slice(start - lo, stop - lo),)
    where = (slice(None),) * axis + (slice(start, stop),)
    stored[where] = block[local]


def _owned_rows(
    lo: int, hi: int, n: int, unit: int
) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    """Split the rows ``[lo, hi)`` into the run of chunks held by this rank alone, and the
    (at most two) runs in chunks shared with other ranks (chunks of ``unit`` rows, ``n`` in
    all)."""
    if hi <= lo:
        return (lo, lo), []
    first = -(-lo // unit) * unit  # first chunk boundary at or after lo
    last = hi if hi == n else hi // unit * unit  # end of the last whole chunk inside
    if first >= last:
        return (lo, lo), [(lo, hi)]
    shared = [rows for rows in ((lo, first), (last, hi)) if rows[1] > rows[0]]
    return (first, last), shared


def _aligned(layout: Layout, unit: int) -> bool:
    """Whether every block boundary along the split axis falls on a chunk boundary."""
    n = layout.gshape[layout.split]  # type: ignore[index]
    return all(o % unit == 0 or o == n for o in layout.offsets)  # type: ignore[union-attr]


def _default_chunks(layout: Layout, itemsize: int) -> tuple[int, ...]:
    """Chunks of about ``_CHUNK_BYTES`` whose extent along the split axis divides every block
    (so that no rank shares a chunk) unless that makes them ``_ALIGN_SLACK`` times smaller.

    The other axes keep their full length unless one slice across them exceeds the budget;
    then the longest is halved until it fits. Along the split axis the unaligned choice is as
    many rows as fit the budget, ``k``; every divisor of the blocks' extents' greatest common
    divisor ``g`` lines up with every block, and the largest one not above ``k`` is taken
    when it is at least ``k / _ALIGN_SLACK``. Balanced blocks of ``n`` rows line up when ``p``
    divides ``n``; otherwise ``g`` is usually 1 and the shared chunks are written in turn.
    """
    shape = layout.gshape
    chunks = [max(1, n) for n in shape]
    across = [axis for axis in range(len(shape)) if axis != layout.split]
    while across and math.prod(chunks[a] for a in across) * itemsize > _CHUNK_BYTES:
        longest = max(across, key=lambda a: chunks[a])
        if chunks[longest] == 1:
            break
        chunks[longest] = -(-chunks[longest] // 2)
    if layout.split is None:
        return tuple(chunks)
    row = math.prod(chunks[a] for a in across) * itemsize
    n = shape[layout.split]
    rows = max(1, min(n, _CHUNK_BYTES // max(row, 1)))
    g = math.gcd(*layout.counts)  # type: ignore[misc]
    if g:
        divisor = _largest_divisor(g, rows)
        if divisor * _ALIGN_SLACK >= rows:
            rows = divisor
    chunks[layout.split] = rows
    return tuple(chunks)


def _largest_divisor(g: int, limit: int) -> int:
    """The largest divisor of ``g`` that is at most ``limit`` (``limit >= 1``)."""
    if g <= limit:
        return g
    best = 1
    for i in range(1, math.isqrt(g) + 1):
        if g % i == 0:
            for d in (i, g // i):
                if best < d <= limit:
                    best = d
    return best
