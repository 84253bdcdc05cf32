"""What every file format shares: the part of a file each rank reads, loads checked to read
the same array everywhere, writers that take turns, and saves that never leave a half-written
file under the target name.

Every function here is collective: all ranks of the communicator call it with the same
arguments. Errors are agreed (:func:`hpa.core.exchange.agreed`, one ``allgather_object``) so
that every rank raises the same exception, and no rank is left waiting in a collective for one
that failed.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import re
import shutil
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

import numpy as np
import torch

from hpa.backends import resolve_device
from hpa.comm import Communicator, get_comm
from hpa.core.array import Array
from hpa.core.dtypes import DType, to_dtype
from hpa.core.exchange import agreed, agreed_allgather, reworded, share_object
from hpa.core.layout import Layout, normalize_axis

__all__ = [
    "SAVE_MODES",
    "FileSlab",
    "agreed_load",
    "array_from_block",
    "block_index",
    "check_save_mode",
    "file_dtype",
    "host_block",
    "in_turn",
    "optional_module",
    "plan_load",
    "replaced_atomically",
    "resolve_comm",
]

T = TypeVar("T")

SAVE_MODES = ("w", "w-", "x", "a", "r+")
"""Modes of the savers that write named datasets: create or replace, create only, add (creating
the file if needed), add to an existing file."""


def resolve_comm(comm: Communicator | None) -> Communicator:
    """``comm``, or the world communicator."""
    return get_comm() if comm is None else comm


def in_turn(comm: Communicator, action: Callable[[int], None]) -> None:
    """Ranks call ``action(rank)`` one after another, in rank order (collective).

    For writers that must never have one file open at once (h5py without MPI-IO). Each turn
    is agreed, so an error in rank ``r``'s turn is raised on every rank and later turns do not
    run. ``comm.size`` agreements (one ``allgather_object`` each).
    """
    for turn in range(comm.size):
        agreed(comm, lambda turn=turn: action(turn) if comm.rank == turn else None)  # type: ignore[misc]


def _temporary_name(path: str) -> str:
    directory, name = os.path.split(os.path.abspath(path))
    return os.path.join(directory, f".{name}.hpa-{os.getpid()}.tmp")


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.remove(path)


def _running(pid: int) -> bool:
    """Whether process ``pid`` may be running on this host: only one known to be gone is not
    (another user's process, or a pid out of range, counts as running)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def _remove_stale(target: str) -> None:
    """Remove the temporaries of earlier saves of ``target`` (and their ``.old`` siblings) that
    a process left behind when it was killed: those whose pid no longer runs on this host.

    Best effort: an entry that cannot be removed stays (the save has succeeded already).
    """
    directory, name = os.path.split(os.path.abspath(target))
    pattern = re.compile(rf"\.{re.escape(name)}\.hpa-([0-9]+)\.tmp(?:\.old)?")
    with contextlib.suppress(OSError):
        for entry in os.listdir(directory):
            found = pattern.fullmatch(entry)
            if found and not _running(int(found.group(1))):
                with contextlib.suppress(OSError):
                    _remove(os.path.join(directory, entry))


def _naming_target(action: Callable[[], T], temp: str, target: str) -> Callable[[], T]:
    """``action`` whose errors name ``target`` (a temporary file means nothing to the user)."""

    def edit(message: str) -> str:
        message = message.replace(temp, target)
        return message if target in message else f"saving {target!r}: {message}"

    def run() -> T:
        try:
            return action()
        except Exception as error:
            renamed = reworded(error, edit)
            if renamed is error:
                raise
            raise renamed from error

    return run


@contextmanager
def replaced_atomically(
    path: str | os.PathLike[str], comm: Communicator, *, start_from_existing: bool = False
) -> Iterator[str]:
    """A temporary name next to ``path`` that becomes ``path`` when the block succeeds.

    The writers write to the yielded name; when every rank leaves the block without an error,
    rank 0 renames it over ``path`` (a file or a directory store) and removes the temporaries
    that earlier saves of ``path`` left behind when their process was killed (their pid no
    longer runs on rank 0's host). On an error anywhere the temporary is removed, ``path`` is
    left as it was, and every rank raises an exception whose message names ``path``, not the
    temporary. With ``start_from_existing`` the temporary starts as a copy of ``path`` (to add
    a dataset to an existing file without risking it).

    Collective: one ``bcast_object`` of the name and three agreements. The writers must raise
    on every rank or on none (use :func:`~hpa.core.exchange.agreed` or :func:`in_turn`).
    """
    target = os.fspath(path)
    mine = _temporary_name(target)

    def prepare() -> str:
        _remove(mine)
        if start_from_existing and os.path.exists(target):
            if os.path.isdir(target):
                shutil.copytree(target, mine)
            else:
                shutil.copy2(target, mine)
        return mine

    def publish() -> None:
        if os.path.isdir(mine) and os.path.exists(target):
            old = mine + ".old"
            os.replace(target, old)
            os.replace(mine, target)
            _remove(old)
        else:
            os.replace(mine, target)
        _remove_stale(target)

    first = _naming_target(prepare, mine, target) if comm.rank == 0 else lambda: ""
    temp = share_object(agreed(comm, first), 0, comm)
    error: Exception | None = None
    try:
        yield temp
    except Exception as caught:  # noqa: BLE001 (a writer failed: agree, then clean up)
        error = caught

    def check() -> None:
        if error is not None:
            raise error

    try:
        agreed(comm, _naming_target(check, temp, target))
    except Exception:
        if comm.rank == 0:
            with contextlib.suppress(OSError):
                _remove(temp)
        raise
    agreed(comm, _naming_target(publish, temp, target) if comm.rank == 0 else lambda: None)


def agreed_load(comm: Communicator, read: Callable[[], Array], what: str) -> Array:
    """``read()`` agreed on every rank, and checked to have found the same array everywhere.

    One ``allgather_object`` (none at one rank) carries the agreement and every rank's global
    shape and dtype, so that a path naming different files on different ranks (a node-local
    directory) raises ``ValueError`` on every rank instead of mixing blocks of different
    arrays. ``what`` names the stored array (each rank's own, in that message).
    """
    x, seen = agreed_allgather(comm, read, lambda x: (what, x.shape, x.dtype.name))
    if len({(shape, name) for _, shape, name in seen}) > 1:
        found = "; ".join(
            f"rank {r}: {where}, {shape} {name}" for r, (where, shape, name) in enumerate(seen)
        )
        raise ValueError(
            f"the ranks read different arrays ({found}); pass a path that names the same file "
            "on every rank"
        )
    return x


def file_dtype(stored: np.dtype, dtype: Any, what: str) -> DType:
    """The hpa dtype of data stored as ``stored``: ``dtype`` if given, else ``stored``'s own.

    Raises ``TypeError`` naming ``what`` when ``stored`` has no hpa dtype (unsigned integers
    wider than 8 bits, strings, records) and no ``dtype`` converts it.
    """
    if dtype is not None:
        return to_dtype(dtype)
    try:
        return to_dtype(np.dtype(stored))
    except (TypeError, ValueError, KeyError):
        raise TypeError(
            f"{what} holds {np.dtype(stored)}, which hpa cannot represent; pass dtype= to "
            "convert it while loading (for example dtype=hpa.int64)"
        ) from None


class FileSlab:
    """The part of a stored array one rank reads: ``index`` (a tuple of slices into the file)
    and the ``layout`` of the loaded array."""

    __slots__ = ("index", "layout")

    def __init__(self, index: tuple[slice, ...], layout: Layout) -> None:
        self.index = index
        self.layout = layout


def plan_load(
    shape: Sequence[int],
    split: int | None,
    comm: Communicator,
    slices: Any = None,
) -> FileSlab:
    """Which part of a stored array of ``shape`` this rank reads, and the loaded layout.

    Parameters
    ----------
    shape : sequence of int
        The stored array's shape.
    split : int or None
        The axis of the loaded array to cut into balanced blocks.
    comm : Communicator
        The ranks that load.
    slices : slice, int or tuple of them, optional
        A partial load: NumPy basic indexing of the stored array (positive steps; an integer
        drops its axis). Only the selected part is read.

    Returns
    -------
    FileSlab
        This rank's slices into the file and the layout of the result.
    """
    ndim = len(shape)
    key = () if slices is None else slices if isinstance(slices, tuple) else (slices,)
    if len(key) > ndim:
        raise IndexError(f"slices= has {len(key)} entries for a stored array of {ndim} dimensions")
    ranges: list[tuple[int, int, int]] = []  # start, step, count along each kept axis
    kept: list[bool] = []
    for axis, n in enumerate(shape):
        k = key[axis] if axis < len(key) else slice(None)
        if isinstance(k, slice):
            start, stop, step = k.indices(n)
            if step < 0:
                raise ValueError(
                    "slices= with a negative step is not supported; flip after loading"
                )
            ranges.append((start, step, len(range(start, stop, step))))
            kept.append(True)
        elif isinstance(k, (int, np.integer)) and not isinstance(k, bool):
            i = int(k) + n if k < 0 else int(k)
            if not 0 <= i < n:
                raise IndexError(f"index {int(k)} is out of bounds for axis {axis} with size {n}")
            ranges.append((i, 1, 1))
            kept.append(False)
        else:
            raise TypeError(f"slices= takes ints and slices, not {type(k).__name__}")
    gshape = tuple(count for (_, _, count), keep in zip(ranges, kept) if keep)
    if split is not None:
        split = normalize_axis(split, len(gshape), "split")
    layout = Layout(gshape, split, comm)
    index: list[Any] = []
    out_axis = 0
    for (start, step, count), keep in zip(ranges, kept):
        if not keep:
            index.append(start)
            continue
        lo, hi = layout.range_of(comm.rank) if out_axis == split else (0, count)
        stop = start + (hi - 1) * step + 1 if hi > lo else start + lo * step
        index.append(slice(start + lo * step, stop, step))
        out_axis += 1
    return FileSlab(tuple(index), layout)


def array_from_block(block: np.ndarray, layout: Layout, dtype: DType, device: Any) -> Array:
    """An :class:`Array` of ``layout`` whose local block holds ``block`` converted to ``dtype``
    on ``device`` (no communication)."""
    host = np.require(block, requirements=("C", "W")).reshape(layout.lshape)
    if host.dtype != dtype.numpy:
        host = host.astype(dtype.numpy)
    tensor = torch.from_numpy(host).to(dtype.torch)
    target = resolve_device(device).torch_device
    return Array(tensor.to(target) if tensor.device != target else tensor, layout)


def host_block(x: Array) -> np.ndarray:
    """This rank's block of ``x`` as a NumPy array in host memory (bfloat16 as float32)."""
    t = x.larray.detach()
    if t.dtype is torch.bfloat16:
        t = t.float()
    return t.cpu().contiguous().numpy()


def block_index(layout: Layout, rank: int) -> tuple[slice, ...]:
    """Where ``rank``'s block lies in the global array (slices along every axis)."""
    if layout.split is None:
        return tuple(slice(0, n) for n in layout.gshape)
    lo, hi = layout.range_of(rank)
    return tuple(
        slice(lo, hi) if axis == layout.split else slice(0, n)
        for axis, n in enumerate(layout.gshape)
    )


def check_save_mode(target: str, mode: str, comm: Communicator) -> None:
    """Raise on every rank when ``mode`` is unknown, forbids an existing ``target`` or needs one.

    One agreement (the file system is asked on every rank).
    """
    if mode not in SAVE_MODES:
        raise ValueError(f"mode {mode!r}: expected one of {', '.join(SAVE_MODES)}")

    def check() -> None:
        if mode in ("w-", "x") and os.path.exists(target):
            raise FileExistsError(f"{target!r} exists (mode {mode!r} does not replace it)")
        if mode == "r+" and not os.path.exists(target):
            raise FileNotFoundError(f"{target!r} does not exist (mode 'r+' adds to it)")

    agreed(comm, check)


def optional_module(name: str, what: str) -> Any:
    """Import the package ``name`` of the ``io`` extra; a clear ``ImportError`` naming ``what``
    (e.g. ``"HDF5 files"``) when it is not installed."""
    try:
        return importlib.import_module(name)
    except ImportError:
        raise ImportError(f"{what} need {name}: pip install 'hpa[io]'") from None
