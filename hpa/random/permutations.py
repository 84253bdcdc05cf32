"""Random permutations and sampling: permutation, randperm, shuffle, choice (``hpa.random``).

Like every generator of :mod:`hpa.random`, the result is a function of the seed and the call
counter only: the same at every process count and for every split. A permutation of ``n``
draws one random 64-bit key per global index ``i < n`` (the counter-based words of
:mod:`hpa.random.counter`) and orders the indices by ``(key, i)``: a sort, so ties between equal
keys are broken by the index and the permutation is deterministic.

Communication (``p > 1`` processes)
=====================================  ===================================================
call                                   collectives
=====================================  ===================================================
``permutation(n)``, ``randperm(n)``    ``split=None``: none (every rank sorts all keys);
                                       ``split=0``: keyed sample sort of the indices (two
                                       ``allgather``, one ``alltoallv``) and one ``alltoallv``
                                       to the balanced layout (none if the buckets are)
``permutation(x)``, ``shuffle(x)``     ``x`` replicated or split along an axis other than 0:
                                       none (every rank permutes axis 0 of its block the same
                                       way); split along 0: the rows travel with their keys in
                                       the keyed sample sort (two ``allgather``, one
                                       ``alltoallv``) and back to ``x``'s extents (one
                                       ``alltoallv``, none if the buckets match them).
                                       No rank gathers ``x`` or the index.
``choice(n)``, replacement             none (``randint`` / ``random`` and ``searchsorted``
                                       of the replicated ``p``); from an array: those of
                                       :func:`hpa.take`
``choice``, no replacement             a permutation (above) or, with ``p``, an argsort of
                                       exponential keys ``E_i / p_i`` (Efraimidis and
                                       Spirakis 2006); then a slice, a reshape and ``take``
=====================================  ===================================================

Every call advances the call counter by one (``choice`` by one as well), on every path.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from hpa.backends import resolve_device
from hpa.comm import get_comm
from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.layout import Layout, normalize_axis
from hpa.core.redistribute import redistribute
from hpa.ops.creation import asarray
from hpa.ops.elementwise import minimum
from hpa.ops.manipulation import reshape
from hpa.random.counter import Size, Work, generate, integer, next_key, shape_of
from hpa.random.generation import exponential, randint, random
from hpa.ops.reductions import cumsum
from hpa.ops.reductions import min as amin
from hpa.ops.reductions import sum as asum
from hpa.ops.selection import take
from hpa.ops.sets import sort_by_key
from hpa.ops import sort_keys
from hpa.ops.sorting import argsort, searchsorted
from hpa.ops.statistics import count_nonzero

__all__ = ["choice", "permutation", "randperm", "shuffle"]


def _keys(lay: Layout, device: torch.device, key: int) -> torch.Tensor:
    """This rank's block of one random int64 word per global index of the 1-D ``lay``."""

    def fill(out: torch.Tensor, starts: torch.Tensor, work: Work) -> None:
        out.copy_(work.bits(starts, out.shape[1], key))

    return generate(lay, torch.int64, device, fill).larray


def _index(lay: Layout, device: torch.device) -> torch.Tensor:
    start = lay.offsets[lay.comm.rank] if lay.split is not None else 0  # type: ignore[index]
    return torch.arange(start, start + lay.lshape[0], dtype=torch.int64, device=device)


def _local_perm(n: int, comm: Communicator, device: torch.device, key: int) -> torch.Tensor:
    """The whole permutation of ``n``, computed on this rank alone."""
    lay = Layout((n,), None, comm)
    return sort_keys.order(_keys(lay, device, key), _index(lay, device))


def _split_rows(x: Array, key: int) -> torch.Tensor:
    """Rows of the split-0 ``x`` permuted, in ``x``'s extents (sample sort with payload)."""
    lay = x.layout
    rows = Layout((x.shape[0],), 0, lay.comm, lay.counts)
    dev = x.larray.device
    block = x.larray.contiguous()
    payload = block.reshape(block.shape[0], math.prod(x.shape[1:])).view(torch.uint8)
    _, _, moved, extents = sort_by_key(_keys(rows, dev, key), _index(rows, dev), lay.comm, payload)
    out = moved.contiguous().view(block.dtype).reshape(-1, *x.shape[1:])  # type: ignore[union-attr]
    return redistribute(out, Layout(x.shape, 0, lay.comm, extents), lay)


def _perm_of_n(
    n: int, split: int | None, device: Any, comm: Communicator | None, key: int
) -> Array:
    comm = comm if comm is not None else get_comm()
    dev = resolve_device(device).torch_device
    lay = Layout((n,), None if split is None else 0, comm)
    if not lay.is_distributed:
        return Array(_local_perm(n, comm, dev, key), lay)
    keys, index = _keys(lay, dev, key), _index(lay, dev)
    _, perm, _, extents = sort_by_key(keys, index, comm)
    return Array(redistribute(perm, Layout((n,), 0, comm, extents), lay), lay)


def _check_split(split: int | None) -> None:
    if split not in (None, 0, -1):
        raise ValueError(f"a 1-D result has split None or 0, not {split!r}")


def permutation(
    x: Any, split: int | None = None, device: Any = None, comm: Communicator | None = None
) -> Array:
    """A random permutation of ``range(x)`` or of the rows (axis 0) of the array ``x``.

    Parameters
    ----------
    x : int or array_like
        An integer ``n`` permutes ``arange(n)`` (int64); an array is permuted along axis 0 and
        keeps its shape, dtype and layout (``x`` itself is not changed).
    split, device, comm : optional
        Layout of the permutation of an integer (``split`` None or 0, balanced).

    Returns
    -------
    Array
        Identical at every process count and split; see the module notes for communication.

    Raises
    ------
    ValueError
        If ``x`` is a negative integer or ``split`` is not None or 0.
    IndexError
        If ``x`` is a 0-d array.
    """
    if not isinstance(x, Array) and hasattr(type(x), "__index__"):
        n = integer(x, "x")
        if n < 0:
            raise ValueError(f"x must be a non-negative integer, got {n}")
        _check_split(split)
        return _perm_of_n(n, split, device, comm, next_key())
    arr = x if isinstance(x, Array) else asarray(x, device=device, comm=comm)
    if arr.ndim == 0:
        raise IndexError("x must be an integer or at least 1-dimensional")
    key = next_key()
    if arr.split == 0 and arr.layout.is_distributed:
        return Array(_split_rows(arr, key), arr.layout)
    perm = _local_perm(arr.shape[0], arr.comm, arr.larray.device, key)
    return Array(arr.larray.index_select(0, perm), arr.layout)


def randperm(
    n: int, dtype: Any = dtypes.int64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """A random permutation of ``0 .. n - 1`` (torch's and HeAT's name); see
    :func:`permutation`. ``dtype`` is an integer type that can hold ``n - 1``."""
    dt = dtypes.to_dtype(dtype)
    if dt.kind not in "iu":
        raise TypeError(f"randperm returns integers, not {dt}")
    if not isinstance(n, Array) and hasattr(type(n), "__index__"):
        if n > 0 and n - 1 > torch.iinfo(dt.torch).max:
            raise ValueError(f"{n - 1} does not fit {dt}")
    else:
        raise TypeError(f"n must be an integer, got {n!r}")
    return permutation(n, split=split, device=device, comm=comm).astype(dt, copy=False)


def shuffle(x: Array) -> None:
    """Permute the rows (axis 0) of ``x`` in place; ``x`` keeps its layout.

    Communicates as :func:`permutation` of an array; the rows of ``x`` after the call equal
    ``permutation(x)`` at the same generator state.

    Raises
    ------
    TypeError
        If ``x`` is not an hpa array.
    IndexError
        If ``x`` is 0-d.
    """
    if not isinstance(x, Array):
        raise TypeError(f"shuffle works in place on an hpa array, not {type(x).__name__}")
    x.larray.copy_(permutation(x).larray)


def _population(a: Any, comm: Communicator | None, device: Any) -> tuple[int, Array | None]:
    if not isinstance(a, Array) and hasattr(type(a), "__index__"):
        return integer(a, "a"), None
    arr = a if isinstance(a, Array) else asarray(a, device=device, comm=comm)
    if arr.ndim != 1:
        raise ValueError("a must be 1-dimensional or an integer")
    return arr.shape[0], arr


def _weights(p: Any, n: int, like: Array | None, comm: Communicator | None, device: Any) -> Array:
    """``p`` as a float64 array on ``device``, checked on every rank alike (its reductions are
    shared)."""
    owner = like.comm if like is not None else comm
    w = p if isinstance(p, Array) else asarray(p, device=device, comm=owner)
    if w.ndim != 1 or w.shape[0] != n:
        raise ValueError(f"p must be 1-dimensional with the population's length {n}")
    w = w.astype(dtypes.float64, copy=False)
    if n and not float(amin(w)) >= 0:
        raise ValueError("probabilities are not non-negative")
    if not abs(float(asum(w)) - 1.0) <= math.sqrt(torch.finfo(torch.float64).eps):
        raise ValueError("probabilities do not sum to 1")
    return w


def _without_replacement(
    n: int, m: int, w: Array | None, split: int | None, device: Any, comm: Communicator
) -> Array:
    """The first ``m`` of a random order of ``range(n)`` (weighted by ``w`` when given)."""
    if w is None:
        order = _perm_of_n(n, split, device, comm, next_key())
    else:
        keys = exponential(1.0, n, split=w.split, device=device, comm=comm) / w
        order = argsort(keys)
    return order[:m]


def _with_replacement(
    n: int, shape: tuple[int, ...], w: Array | None, split: int | None, device: Any,
    comm: Communicator,
) -> Array:  # fmt: skip
    """Indices drawn independently: uniform (``randint``), or by inverting the CDF of ``w``."""
    if w is None:
        return randint(0, n, shape, split=split, device=device, comm=comm)
    u = random(shape, split=split, device=device, comm=comm)
    cdf = cumsum(w) / float(asum(w))
    return minimum(searchsorted(cdf, u, side="right"), n - 1)


def choice(
    a: Any, size: Size = None, replace: bool = True, p: Any = None, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """A random sample from ``range(a)`` or from the 1-D array ``a`` (NumPy's ``choice``).

    Parameters
    ----------
    a : int or 1-D array_like
        The population: ``arange(a)`` or the elements of ``a``.
    size : int or tuple of int, optional
        Shape of the sample; ``None`` gives a 0-d array.
    replace : bool
        With replacement: independent draws (``randint``, or the inverse CDF of ``p`` applied
        to uniforms). Without: the first entries of a random permutation (with ``p``: of an
        argsort of exponential keys divided by ``p``).
    p : 1-D array_like, optional
        Probabilities of the population's entries (non-negative, summing to 1).
    split, device, comm : optional
        Layout of the sample (``split`` one of its axes or None), device and communicator
        (those of ``a`` when it is an hpa array).

    Returns
    -------
    Array
        Of shape ``size``; the same at every process count and split. Communication: see the
        module notes.

    Raises
    ------
    ValueError
        If the population is empty while samples are asked for, ``a`` is not 1-D, ``size``
        exceeds the population without replacement (or the non-zero entries of ``p``), or
        ``p`` has the wrong length, a negative entry or does not sum to 1.
    """
    n, arr = _population(a, comm, device)
    if arr is not None and device is None:  # the sample is drawn where the population lives
        device = arr.larray.device
    shape = shape_of(size)
    m = math.prod(shape)
    if n < 0 or (n == 0 and m):
        raise ValueError("a cannot be empty unless no samples are taken")
    w = None if p is None else _weights(p, n, arr, comm, device)
    if not replace and m > n:
        raise ValueError("cannot take a larger sample than the population when replace=False")
    if not replace and w is not None and int(count_nonzero(w)) < m:
        raise ValueError("fewer non-zero entries in p than size")
    comm = arr.comm if arr is not None else (comm if comm is not None else get_comm())
    target = None if split is None or not shape else normalize_axis(split, len(shape))
    if m == 0:
        next_key()
        empty = torch.empty(0, dtype=torch.int64, device=resolve_device(device).torch_device)
        idx = Array(empty, Layout((0,), None, comm))
    elif replace:
        idx = _with_replacement(n, shape, w, target, device, comm)
    else:
        idx = _without_replacement(n, m, w, None if target is None else 0, device, comm)
    idx = reshape(idx, shape)
    if idx.split != target or not idx.is_balanced():
        idx = idx.resplit(target)
    return idx if arr is None else take(arr, idx)
