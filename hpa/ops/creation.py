"""Array creation: from data (``array``, ``asarray``) and from shapes and ranges.

Factories given ``split=`` build only this rank's block; nothing is generated globally and
then cut, except for ``array`` from global data, where every rank passes the same data and
keeps its slice. ``is_split=`` takes one block per rank and learns the global shape with one
``allgather_object`` of the local shapes (none at one process), which also agrees on a block
that failed to convert.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from hpa.backends import device_of, resolve_device
from hpa.comm import get_comm
from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.align import scalar_tensor
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import agreed_allgather
from hpa.core.layout import Layout, normalize_axis

__all__ = [
    "arange",
    "array",
    "asarray",
    "astype",
    "copy",
    "empty",
    "empty_like",
    "eye",
    "from_dlpack",
    "full",
    "full_like",
    "identity",
    "linspace",
    "logspace",
    "ones",
    "ones_like",
    "zeros",
    "zeros_like",
]

Shape = int | Sequence[int]


def _shape(shape: Shape) -> tuple[int, ...]:
    dims = (shape,) if isinstance(shape, (int, np.integer)) else tuple(shape)
    out = tuple(int(d) for d in dims)
    if any(d < 0 for d in out):
        raise ValueError(f"negative dimensions are not allowed: {out}")
    return out


def coerce(x: Any, like: Array | None = None) -> Array:
    """``x`` as an hpa array: arrays pass through, other data become replicated arrays on
    ``like``'s device and communicator (the defaults without ``like``)."""
    if isinstance(x, Array):
        return x
    if like is None:
        return asarray(x)
    return asarray(x, device=like.larray.device, comm=like.comm)


@register()
def copy(a: Any, order: str = "K", subok: bool = False) -> Array:
    """A copy of ``a`` with the same layout (NumPy's ``copy``; ``order`` and ``subok`` are
    accepted and have no effect: blocks are C-contiguous tensors). No communication; data that
    are not an hpa array become a replicated array, as :func:`asarray` makes them."""
    return array(a)


def layout_for(shape: tuple[int, ...], split: int | None, comm: Communicator | None) -> Layout:
    """The balanced layout of ``shape`` cut along ``split`` (world communicator by default)."""
    comm = comm if comm is not None else get_comm()
    axis = None if split is None else normalize_axis(split, len(shape), "split axis")
    return Layout(shape, axis, comm)


def _fill(
    shape: Shape, value: Any, dtype: Any, split: int | None, device: Any, comm: Communicator | None
) -> Array:
    lay = layout_for(_shape(shape), split, comm)
    dt = dtypes.to_dtype(dtype).torch
    tdev = resolve_device(device).torch_device
    if value is None:
        return Array(torch.empty(lay.lshape, dtype=dt, device=tdev), lay)
    return Array(torch.full(lay.lshape, value, dtype=dt, device=tdev), lay)


@register()
def zeros(
    shape: Shape, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """An array of zeros; each rank allocates only its block: no communication."""
    return _fill(shape, 0, dtype, split, device, comm)


@register()
def ones(
    shape: Shape, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """An array of ones; each rank allocates only its block: no communication."""
    return _fill(shape, 1, dtype, split, device, comm)


@register()
def empty(
    shape: Shape, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """An uninitialised array; each rank allocates only its block: no communication."""
    return _fill(shape, None, dtype, split, device, comm)


@register()
def full(
    shape: Shape, fill_value: Any, dtype: Any = None, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """An array filled with ``fill_value`` (dtype inferred from it as NumPy does); no communication."""
    if dtype is None:
        dtype = (
            dtypes.result_type(fill_value)
            if not isinstance(fill_value, Array)
            else fill_value.dtype
        )
    if isinstance(fill_value, Array):
        fill_value = fill_value.item()
    return _fill(shape, fill_value, dtype, split, device, comm)


def _like(a: Any, value: Any, dtype: Any, split: Any, device: Any, shape: Shape | None) -> Array:
    src = a if isinstance(a, Array) else asarray(a)
    same_shape = shape is None or _shape(shape) == src.shape
    out_split = src.split if split is ... else split
    if same_shape and out_split == src.split:
        lay = src.layout
    else:
        lay = layout_for(src.shape if shape is None else _shape(shape), out_split, src.comm)
    dt = src.dtype.torch if dtype is None else dtypes.to_dtype(dtype).torch
    tdev = src.larray.device if device is None else resolve_device(device).torch_device
    if value is None:
        return Array(torch.empty(lay.lshape, dtype=dt, device=tdev), lay)
    return Array(torch.full(lay.lshape, value, dtype=dt, device=tdev), lay)


@register()
def zeros_like(
    a: Any, dtype: Any = None, split: Any = ..., device: Any = None, shape: Shape | None = None
) -> Array:
    """Zeros with the shape, dtype, layout and device of ``a`` unless overridden; no communication."""
    return _like(a, 0, dtype, split, device, shape)


@register()
def ones_like(
    a: Any, dtype: Any = None, split: Any = ..., device: Any = None, shape: Shape | None = None
) -> Array:
    """Ones with the shape, dtype, layout and device of ``a`` unless overridden; no communication."""
    return _like(a, 1, dtype, split, device, shape)


@register()
def empty_like(
    a: Any, dtype: Any = None, split: Any = ..., device: Any = None, shape: Shape | None = None
) -> Array:
    """Uninitialised, with the shape, dtype, layout and device of ``a`` unless overridden; no communication."""
    return _like(a, None, dtype, split, device, shape)


@register()
def full_like(
    a: Any, fill_value: Any, dtype: Any = None, split: Any = ..., device: Any = None,
    shape: Shape | None = None,
) -> Array:  # fmt: skip
    """``fill_value`` with the shape, dtype, layout and device of ``a`` unless overridden; no communication."""
    return _like(a, fill_value, dtype, split, device, shape)


def _local_indices(lay: Layout, device: torch.device) -> torch.Tensor:
    """Global indices (int64) of this rank's elements of a 1-D layout."""
    lo, hi = (0, lay.gshape[0]) if lay.split is None else lay.range_of(lay.comm.rank)
    return torch.arange(lo, hi, dtype=torch.int64, device=device)


@register()
def arange(
    start: Any, /, stop: Any = None, step: Any = None, *, dtype: Any = None,
    split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Evenly spaced values in ``[start, stop)`` like ``numpy.arange(start, stop, step)``.

    Without ``stop``, ``start`` is the stop and the values start at 0 (``arange(5)``,
    ``arange(10, step=4)``). Each rank computes ``start + i * step`` for its own global
    indices ``i`` only: no communication.
    """
    if stop is None:
        start, stop = 0, start
    if step is None:
        step = 1
    if step == 0:
        raise ValueError("arange: step must not be zero")
    n = max(0, math.ceil((stop - start) / step))
    out_dtype = (
        dtypes.to_dtype(dtype) if dtype is not None else dtypes.result_type(start, stop, step)
    )
    lay = layout_for((n,), split, comm)
    tdev = resolve_device(device).torch_device
    idx = _local_indices(lay, tdev)
    if out_dtype.kind in "biu" and all(isinstance(v, (int, np.integer)) for v in (start, step)):
        local = idx * int(step) + int(start)
    else:
        local = idx.to(torch.float64) * step + start
    return Array(local.to(out_dtype.torch), lay)


@register()
def linspace(
    start: float, stop: float, num: int = 50, endpoint: bool = True, retstep: bool = False,
    dtype: Any = None, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Any:  # fmt: skip
    """``num`` evenly spaced values from ``start`` to ``stop`` (NumPy's ``linspace``); each rank computes only its block: no communication."""
    if num < 0:
        raise ValueError(f"number of samples, {num}, must be non-negative")
    div = (num - 1) if endpoint else num
    step = (stop - start) / div if div > 0 else float("nan")
    lay = layout_for((num,), split, comm)
    tdev = resolve_device(device).torch_device
    idx = _local_indices(lay, tdev)
    work = (
        torch.complex128
        if isinstance(start, complex) or isinstance(stop, complex)
        else torch.float64
    )
    local = (
        idx.to(work) * step + start
        if div > 0
        else torch.full(idx.shape, start, dtype=work, device=tdev)
    )
    if endpoint and num > 1:
        local = torch.where(idx == num - 1, scalar_tensor(stop, work, tdev), local)
    out_dtype = (
        dtypes.to_dtype(dtype) if dtype is not None else dtypes.result_type(float(0), start, stop)
    )
    if out_dtype.kind in "iu":
        local = torch.floor(local)
    result = Array(local.to(out_dtype.torch), lay)
    return (result, step) if retstep else result


@register()
def logspace(
    start: float, stop: float, num: int = 50, endpoint: bool = True, base: float = 10.0,
    dtype: Any = None, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """``base ** linspace(start, stop, num)`` (NumPy's ``logspace``); no communication."""
    exps = linspace(
        start, stop, num, endpoint, dtype=dtypes.float64, split=split, device=device, comm=comm
    )
    values = torch.pow(scalar_tensor(base, torch.float64, exps.larray.device), exps.larray)
    out_dtype = dtypes.to_dtype(dtype) if dtype is not None else dtypes.float64
    return Array(values.to(out_dtype.torch), exps.layout)


@register()
def eye(
    N: int, M: int | None = None, k: int = 0, dtype: Any = dtypes.float64, split: int | None = None,
    device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """A 2-D array with ones on diagonal ``k``; each rank builds only its block: no communication.

    Any ``k`` is accepted, as in NumPy: beyond the array its diagonal is empty.
    """
    M = N if M is None else M
    k = max(-N, min(int(k), M))  # an equivalent offset that fits a torch integer
    lay = layout_for((N, M), split, comm)
    tdev = resolve_device(device).torch_device
    rows = (0, N) if lay.split != 0 else lay.range_of(lay.comm.rank)
    cols = (0, M) if lay.split != 1 else lay.range_of(lay.comm.rank)
    r = torch.arange(*rows, device=tdev).unsqueeze(1)
    c = torch.arange(*cols, device=tdev).unsqueeze(0)
    return Array((c - r == k).to(dtypes.to_dtype(dtype).torch), lay)


@register()
def identity(
    n: int, dtype: Any = dtypes.float64, split: int | None = None, device: Any = None,
    comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """The ``n x n`` identity matrix; no communication."""
    return eye(n, dtype=dtype, split=split, device=device, comm=comm)


def _source_tensor(obj: Any) -> torch.Tensor:
    """``obj`` as a tensor sharing its memory where possible (rejecting unsupported dtypes)."""
    if isinstance(obj, torch.Tensor):
        t = obj.detach()
    else:
        arr = np.asarray(obj)
        if arr.dtype.kind in "OUSVM":
            raise TypeError(f"cannot create an hpa array from data of dtype {arr.dtype}")
        if (
            not arr.flags.writeable
            or arr.dtype.byteorder not in "=|"
            or any(s < 0 for s in arr.strides)  # torch.from_numpy rejects negative strides
        ):
            arr = arr.astype(arr.dtype.newbyteorder("="), copy=True)
        t = torch.from_numpy(arr)
    dtypes.to_dtype(t.dtype)  # TypeError for dtypes hpa does not support (uint16, ...)
    return t


@register()
def array(
    obj: Any, dtype: Any = None, copy: bool = True, split: int | None = None,
    is_split: int | None = None, device: Any = None, comm: Communicator | None = None,
    *, ndmin: int = 0, order: str = "K",
) -> Array:  # fmt: skip
    """An hpa array from lists, NumPy arrays, torch tensors, scalars or hpa arrays.

    Parameters
    ----------
    obj : array_like
        With ``split``: the global data, the same on every rank; each rank keeps its block.
        With ``is_split``: this rank's block; the blocks are stacked along ``is_split`` in rank
        order (one ``allgather_object`` of the local shapes and dtypes). Blocks of different
        dtypes are cast to their common dtype, as :func:`numpy.concatenate` promotes
        (``int64`` and ``float32`` blocks give ``float64``), unless ``dtype`` is given.
    dtype : dtype, optional
        Element type; inferred as NumPy does when omitted.
    copy : bool
        Copy the data even when it could be shared.
    split, is_split : int, optional
        At most one of the two; axes of the result (after ``ndmin``'s leading axes).
    device, comm : optional
        Device of the blocks and communicator (defaults: the default device and world).
    ndmin : int
        Prepend axes of length one until the array has at least this many (NumPy's ``ndmin``).
    order : {"K", "A", "C", "F"}
        Accepted for NumPy's signature; the blocks are always C-contiguous tensors, which gives
        the same values.

    Raises
    ------
    ValueError
        If both ``split`` and ``is_split`` are given, or the blocks passed with ``is_split``
        disagree outside the split axis (raised on every rank).
    TypeError, ValueError
        For data that cannot be converted (strings, objects, ragged lists, unsupported
        dtypes). With ``is_split`` the conversion is agreed: when one rank's block fails,
        every rank raises the same exception, naming that rank.
    """
    if split is not None and is_split is not None:
        raise ValueError("pass split= or is_split=, not both")
    if order not in ("K", "A", "C", "F"):
        raise ValueError(f"order must be one of 'K', 'A', 'C', 'F', got {order!r}")
    out_dtype = None if dtype is None else dtypes.to_dtype(dtype)
    if isinstance(obj, Array):
        while obj.ndim < ndmin:
            obj = obj.reshape((1, *obj.shape)) if obj.split is None else _leading_axis(obj)
    elif ndmin:
        obj = _at_least(_source_tensor(obj), ndmin)
    if isinstance(obj, Array):
        src = obj if out_dtype is None else obj.astype(out_dtype, copy=False)
        if device is not None:
            src = src.to(device)
        if split is not None or is_split is None:
            target = split if split is not None else src.split
            if target != src.split:
                return src.resplit(target)
            return src.copy() if copy else src
        obj = src.larray
    comm = comm if comm is not None else get_comm()
    if is_split is not None:
        return _from_blocks(
            lambda: _placed(_source_tensor(obj), out_dtype, device, copy), is_split, comm
        )
    t = _source_tensor(obj)
    lay = layout_for(tuple(t.shape), split, comm)
    if lay.split is not None:
        lo, hi = lay.range_of(comm.rank)
        t = t.narrow(lay.split, lo, hi - lo)  # only this rank's block is copied below
        copy = True
    return Array(_placed(t, out_dtype, device, copy), lay)


def _at_least(t: torch.Tensor, ndmin: int) -> torch.Tensor:
    """``t`` with leading axes of length one until it has ``ndmin`` axes (a view)."""
    return t.reshape((1,) * (ndmin - t.ndim) + tuple(t.shape)) if t.ndim < ndmin else t


def _leading_axis(x: Array) -> Array:
    """``x`` with one leading axis of length one, its split moved along; no communication."""
    shape = (1, *x.shape)
    lay = Layout(shape, x.split + 1, x.comm, x.layout.counts)  # type: ignore[operator]
    return Array(x.larray.unsqueeze(0), lay)


def _placed(t: torch.Tensor, dtype: dtypes.DType | None, device: Any, copy: bool) -> torch.Tensor:
    """``t`` on ``device`` in ``dtype`` (its own when None), copied if ``copy``."""
    return t.to(
        device=resolve_device(device).torch_device,
        dtype=t.dtype if dtype is None else dtype.torch,
        copy=copy,
        memory_format=torch.contiguous_format if copy else torch.preserve_format,
    )


def _from_blocks(convert: Callable[[], torch.Tensor], is_split: int, comm: Communicator) -> Array:
    """The array whose blocks along ``is_split`` are every rank's ``convert()`` (collective).

    The conversion is agreed: a rank whose data cannot become a tensor (strings, ragged
    lists) raises on every rank. One ``allgather_object`` carries that agreement and every
    block's shape and dtype; blocks of different dtypes are cast to their common dtype, as
    :func:`numpy.concatenate` promotes.
    """
    t, blocks = agreed_allgather(
        comm, convert, lambda t: (tuple(t.shape), dtypes.of_torch(t.dtype).name)
    )
    shapes = [s for s, _ in blocks]
    ndims = {len(s) for s in shapes}
    if len(ndims) != 1:
        raise ValueError(f"is_split blocks have different numbers of dimensions: {shapes}")
    ndim = ndims.pop()
    if ndim == 0:
        raise ValueError("is_split needs blocks with at least one dimension")
    axis = normalize_axis(is_split, ndim, "is_split axis")
    others = {s[:axis] + s[axis + 1 :] for s in shapes}
    if len(others) != 1:
        raise ValueError(
            f"is_split blocks must agree outside axis {axis}; got local shapes {shapes}"
        )
    common = functools.reduce(dtypes.promote, (dtypes.to_dtype(d) for _, d in blocks))
    counts = [s[axis] for s in shapes]
    gshape = list(shapes[0])
    gshape[axis] = sum(counts)
    return Array(t.to(common.torch).contiguous(), Layout(gshape, axis, comm, counts))


@register()
def asarray(
    obj: Any, dtype: Any = None, copy: bool | None = None, split: int | None = None,
    is_split: int | None = None, device: Any = None, comm: Communicator | None = None,
) -> Array:  # fmt: skip
    """Like :func:`array`, but shares the data when it can (``copy=None``)."""
    if (
        isinstance(obj, Array)
        and dtype is None
        and split is None
        and is_split is None
        and device is None
    ):
        return obj.copy() if copy else obj
    return array(
        obj, dtype=dtype, copy=bool(copy), split=split, is_split=is_split, device=device, comm=comm
    )


# ---------------------------------------------------------------------------- conversion
def astype(x: Array, dtype: Any, /, *, copy: bool = True, device: Any = None) -> Array:
    """``x`` converted to ``dtype`` (and moved to ``device``), keeping its layout.

    With ``copy=False`` the array itself is returned when nothing changes.
    """
    out = x.astype(dtype, copy=copy)
    return out if device is None else out.to(device)


def from_dlpack(
    x: Any,
    /,
    *,
    device: Any = None,
    copy: bool | None = None,
    split: int | None = None,
    is_split: int | None = None,
) -> Array:
    """An array from a DLPack-capable object: a torch tensor, a CuPy, NumPy or JAX array.

    The data stay on the producer's device (a CuPy array gives a GPU array) and are shared,
    not copied, unless ``copy=True``, ``device`` names another device, or ``split`` asks each
    rank to keep a block of it.

    Parameters
    ----------
    x : object with ``__dlpack__``
        Without ``split``/``is_split``: the same data on every rank (a replicated array, no
        communication); with ``split``: the global data, each rank keeps its block; with
        ``is_split``: this rank's block, stacked along ``is_split`` in rank order.
    device : optional
        Move the data there (default: where they are).
    copy : bool, optional
        ``True`` always copies; ``None``/``False`` share the memory where possible (moving to
        another ``device`` or keeping a block of ``split`` data copies even then).
    split, is_split : int, optional
        As for :func:`hpa.array`.
    """
    t = torch.from_dlpack(x)
    target = device if device is not None else device_of(t.device)
    return asarray(t, device=target, copy=copy, split=split, is_split=is_split)
