"""The distributed array: one local torch tensor per process plus an immutable :class:`Layout`.

Attributes and methods that only describe or move the array live here. Operations (``a + b``,
``x.sum()``, ...) are methods too, but they are implemented in ``hpa.ops`` and reached through
the registry in :mod:`hpa.core.dispatch`.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from hpa.backends import Device, device_of, resolve_device
from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.dispatch import OPS
from hpa.core.exchange import halo
from hpa.core.heat_interface import HeatInterface
from hpa.core.layout import Layout, normalize_axis
from hpa.core.redistribute import redistribute

if TYPE_CHECKING:
    # the operators and methods generated at the end of this module, declared for the checker
    from hpa.core.array_methods import ArrayMethods
else:
    ArrayMethods = object

__all__ = ["Array"]

_EDGE = 3


class Array(HeatInterface, ArrayMethods):
    """A NumPy-like array whose data are spread over the processes of a communicator.

    Every process holds one block of the array as a torch tensor (:attr:`larray`). The
    :attr:`layout` says how the blocks fit together: the array is cut along one axis
    (:attr:`split`) into consecutive blocks, one per rank in rank order, or replicated
    (``split=None``) when every process holds all of it. Create arrays with the factories
    (:func:`hpa.array`, :func:`hpa.zeros`, :func:`hpa.arange`, ...), not with this constructor.

    Parameters
    ----------
    larray : torch.Tensor
        This process's block, of shape ``layout.lshape``.
    layout : Layout
        The distribution.
    """

    __slots__ = ("__weakref__", "_halos", "_layout", "_t")

    def __init__(self, larray: torch.Tensor, layout: Layout) -> None:
        self._t = larray
        self._layout = layout
        self._halos: tuple[torch.Tensor, torch.Tensor] | None = None

    # ------------------------------------------------------------------ description
    @property
    def larray(self) -> torch.Tensor:
        """This process's block, a torch tensor."""
        return self._t

    @property
    def layout(self) -> Layout:
        """The immutable distribution of the array."""
        return self._layout

    @property
    def shape(self) -> tuple[int, ...]:
        """Global shape."""
        return self._layout.gshape

    gshape = shape

    @property
    def split(self) -> int | None:
        """The axis cut into per-process blocks, or ``None`` when replicated."""
        return self._layout.split

    @property
    def lshape(self) -> tuple[int, ...]:
        """Shape of this process's block."""
        return self._layout.lshape

    @property
    def lshape_map(self) -> torch.Tensor:
        """Local shapes of all ranks as an integer tensor of shape ``(comm.size, ndim)``."""
        lay = self._layout
        return torch.tensor([lay.lshape_of(r) for r in range(lay.comm.size)], dtype=torch.int64)

    @property
    def counts(self) -> tuple[int, ...] | None:
        """Extents of every rank's block along the split axis (``None`` when replicated)."""
        return self._layout.counts

    @property
    def comm(self) -> Communicator:
        """The communicator of the processes sharing the array."""
        return self._layout.comm

    @property
    def device(self) -> Device:
        """The device the local block lives on."""
        return device_of(self._t.device)

    @property
    def dtype(self) -> dtypes.DType:
        """The element type."""
        return dtypes.of_torch(self._t.dtype)

    @property
    def ndim(self) -> int:
        return len(self._layout.gshape)

    @property
    def size(self) -> int:
        """Number of elements of the global array."""
        n = 1
        for s in self._layout.gshape:
            n *= s
        return n

    gnumel = size

    @property
    def lnumel(self) -> int:
        """Number of elements in this process's block."""
        return self._t.numel()

    @property
    def nbytes(self) -> int:
        """Bytes of the global array."""
        return self.size * self._t.element_size()

    gnbytes = nbytes

    @property
    def itemsize(self) -> int:
        """Bytes per element."""
        return self._t.element_size()

    @property
    def real(self) -> Array:
        """The real part (a copy; NumPy's is a view). No communication."""
        return OPS["real"](self)

    @property
    def imag(self) -> Array:
        """The imaginary part (a copy; zeros for real arrays). No communication."""
        return OPS["imag"](self)

    def fill(self, value: Any) -> None:
        """Set every element to ``value``, in place (NumPy's ``ndarray.fill``); no
        communication."""
        self._t.fill_(value)

    @property
    def lnbytes(self) -> int:
        """Bytes of this process's block."""
        return self._t.numel() * self._t.element_size()

    @property
    def T(self) -> Array:
        """The transposed array (axes reversed; the split axis follows its data)."""
        return OPS["transpose"](self)

    def is_distributed(self) -> bool:
        """Whether the data are spread over more than one process."""
        return self._layout.is_distributed

    def is_balanced(self, force_check: bool = False) -> bool:
        """Whether every rank holds its balanced share (the first ``n % p`` one row more).

        ``force_check`` is accepted for HeAT compatibility; the layout always knows.
        """
        return self._layout.is_balanced

    # ------------------------------------------------------------------ redistribution
    def _relayout(self, layout: Layout) -> Array:
        return Array(redistribute(self._t, self._layout, layout), layout)

    def resplit(self, axis: int | None = None) -> Array:
        """The array split along ``axis`` (``None``: replicated on every process).

        Communicates one ``alltoallv`` between two split axes (one per 32 MiB window of a
        large block), one ``allgatherv`` to ``None``, nothing from ``None``. The result is a
        copy, except that a replicated array asked to be replicated is returned itself.
        """
        axis = None if axis is None else normalize_axis(axis, self.ndim, "split axis")
        if axis is None and self.split is None:
            return self
        if axis == self.split and self._layout.is_balanced:
            return self.copy()
        return self._relayout(self._layout.with_split(axis))

    def resplit_(self, axis: int | None = None) -> Array:
        """Resplit in place and return ``self``."""
        out = self.resplit(axis)
        self._t, self._layout = out._t, out._layout
        return self

    def redistribute_(
        self, counts: Any = None, *, lshape_map: Any = None, target_map: Any = None
    ) -> Array:
        """Move data in place so that rank ``r`` holds ``counts[r]`` slices of the split axis
        (``None``: the balanced counts); one ``alltoallv``.

        HeAT's keywords work too: ``target_map`` is a ``(ranks, ndim)`` table of local shapes
        whose split column gives the counts (``lshape_map``, the current table, is known from
        the layout and ignored).
        """
        if self.split is None:
            raise ValueError("a replicated array has no extents to redistribute")
        if target_map is not None:
            counts = [int(c) for c in torch.as_tensor(target_map)[:, self.split]]
        out = self._relayout(self._layout.with_split(self.split, counts))
        self._t, self._layout = out._t, out._layout
        return self

    def balance(self, copy: bool = False) -> Array:
        """Balance the blocks in place and return ``self``, as HeAT's ``balance`` does; with
        ``copy=True`` return a balanced copy and leave this array as it is. One ``alltoallv``
        per window when the blocks are not balanced, nothing otherwise."""
        if copy:
            if self._layout.is_balanced:
                return self.copy()
            return self._relayout(self._layout.with_split(self.split))
        return self.balance_()

    def balance_(self) -> Array:
        """Balance in place and return ``self``."""
        if not self._layout.is_balanced:
            self.redistribute_(None)
        return self

    # ------------------------------------------------------------------ halos (HeAT's names)
    def get_halo(self, halo_size: int, prev: bool = True, next: bool = True) -> None:
        """Fetch the ``halo_size`` slices before and after this rank's block along the split
        axis into :attr:`halo_prev` and :attr:`halo_next`, as HeAT's ``get_halo``.

        Collective: one ``alltoallv`` (:func:`hpa.core.exchange.halo`), in which the ranks
        holding the rows send them; a halo wider than the neighbour's block takes rows from
        further ranks, and halos stop at the ends of the axis (the first rank's
        ``halo_prev`` is empty). The halos are a snapshot: call again after the array changes.
        Without a split axis, or at one process, there is nothing to fetch and both are empty.
        """
        if isinstance(halo_size, bool) or not hasattr(type(halo_size), "__index__"):
            raise TypeError(f"halo_size must be an integer, got {halo_size!r}")
        size = int(halo_size)
        if size < 0:
            raise ValueError(f"halo_size must be non-negative, got {size}")
        a = self.split
        if a is None or not self.is_distributed():
            empty = self._t.narrow(a or 0, 0, 0) if self.ndim else self._t.reshape(0)
            self._halos = (empty, empty)
            return
        head, tail = halo(
            self._t.movedim(a, 0), self._layout, size if prev else 0, size if next else 0
        )
        self._halos = (head.movedim(0, a), tail.movedim(0, a))

    def _halo(self, which: int) -> torch.Tensor | None:
        return None if self._halos is None else self._halos[which]

    @property
    def halo_prev(self) -> torch.Tensor | None:
        """The slices before this rank's block fetched by :meth:`get_halo` (None before)."""
        return self._halo(0)

    @property
    def halo_next(self) -> torch.Tensor | None:
        """The slices after this rank's block fetched by :meth:`get_halo` (None before)."""
        return self._halo(1)

    @property
    def array_with_halos(self) -> torch.Tensor:
        """This rank's block with the halos of :meth:`get_halo` joined on either side along
        the split axis (the block itself before any halo was fetched)."""
        if self._halos is None or self.split is None:
            return self._t
        return torch.cat([self._halos[0], self._t, self._halos[1]], dim=self.split)

    # ------------------------------------------------------------------ conversion
    def astype(self, dtype: Any, copy: bool = True) -> Array:
        """The array converted to ``dtype`` (no copy when it already has it and ``copy=False``)."""
        target = dtypes.to_dtype(dtype).torch
        if target == self._t.dtype and not copy:
            return self
        return Array(self._t.to(target, copy=True), self._layout)

    def copy(self) -> Array:
        """A copy with the same layout."""
        return Array(self._t.clone(), self._layout)

    def to(self, device: Any) -> Array:
        """The array with its blocks on ``device`` (``"cpu"``, ``"gpu"``, ...)."""
        target = resolve_device(device).torch_device
        return self if self._t.device == target else Array(self._t.to(target), self._layout)

    # ------------------------------------------------------------------ Array API
    def __array_namespace__(self, /, *, api_version: str | None = None) -> Any:
        """The ``hpa`` module, which implements the Array API standard 2024.12."""
        if api_version not in (None, "2024.12"):
            raise ValueError(f"unsupported Array API version {api_version!r}; hpa has 2024.12")
        return sys.modules["hpa"]

    @property
    def mT(self) -> Array:
        """The array with its last two axes swapped (:func:`hpa.matrix_transpose`)."""
        return OPS["matrix_transpose"](self)

    def to_device(self, device: Any, /, *, stream: Any = None) -> Array:
        """The array with its blocks on ``device`` (``stream`` is not supported)."""
        if stream is not None:
            raise ValueError("to_device does not support streams")
        return self.to(device)

    def _local_for_dlpack(self) -> torch.Tensor:
        if self._layout.is_distributed:
            raise BufferError(
                "DLPack exports one tensor: gather a distributed array first (x.resplit(None))"
            )
        return self._t

    def __dlpack__(
        self,
        *,
        stream: Any = None,
        max_version: tuple[int, int] | None = None,
        dl_device: tuple[int, int] | None = None,
        copy: bool | None = None,
    ) -> Any:
        """Export the local tensor of a non-distributed array through DLPack.

        The keywords are the Array API's; those left at ``None`` are not passed on, so a
        torch without them still exports.
        """
        kwargs = {
            "stream": stream,
            "max_version": max_version,
            "dl_device": dl_device,
            "copy": copy,
        }
        given = {k: v for k, v in kwargs.items() if v is not None}
        return self._local_for_dlpack().__dlpack__(**given)

    def __dlpack_device__(self) -> tuple[int, int]:
        """The DLPack device of the local tensor of a non-distributed array."""
        return self._local_for_dlpack().__dlpack_device__()

    def cpu(self) -> Array:
        """The array with its blocks in host memory."""
        return self.to("cpu")

    def gpu(self) -> Array:
        """The array with its blocks on this process's GPU."""
        return self.to("gpu")

    def gather(self) -> torch.Tensor:
        """The whole array as a torch tensor on every process (one ``allgatherv``)."""
        return redistribute(self._t, self._layout, self._layout.with_split(None))

    def numpy(self) -> np.ndarray:
        """A copy of the whole array as a NumPy array on every process.

        bfloat16, which NumPy lacks, becomes float32. The result never shares memory with the
        array, whatever its layout.
        """
        full = self.gather().detach()
        if full.dtype == torch.bfloat16:
            full = full.to(torch.float32)
        shares = (
            full.device.type == "cpu"
            and full.untyped_storage().data_ptr() == self._t.untyped_storage().data_ptr()
        )
        return (full.clone() if shares else full).cpu().numpy()

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        out = self.numpy()
        return out if dtype is None else out.astype(dtype, copy=False)

    # ------------------------------------------------------------------ NumPy protocols
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """Run a NumPy ufunc on hpa arrays with the hpa operation of the same name.

        ``np.sqrt(x)``, ``np.add(a, x)`` and ``a + x`` with a NumPy array ``a`` call
        ``hpa.sqrt``/``hpa.add``; ``np.add.reduce`` and ``np.add.accumulate`` (and the same
        for ``multiply``, ``maximum``, ``minimum``, ``logical_and``, ``logical_or``) call the
        matching reduction or cumulative operation. The result is an hpa array.

        Raises
        ------
        TypeError
            If hpa has no counterpart of the ufunc, method or a keyword; nothing is gathered
            implicitly (``x.numpy()`` gathers explicitly).
        """
        out = kwargs.pop("out", None)
        if any(map(_foreign, (*inputs, *(out or ())))):
            return NotImplemented
        what = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        if method == "__call__":
            name = ufunc.__name__
        elif method in ("reduce", "accumulate") and len(inputs) == 1:
            name = (_REDUCE if method == "reduce" else _ACCUMULATE).get(ufunc.__name__, "")
            kwargs.setdefault("axis", 0)  # NumPy's default for ufunc methods
        else:
            name = ""
        if out is not None:
            if len(out) != 1 or not isinstance(out[0], Array):
                raise TypeError(f"{what}: out= must be a single hpa array")
            kwargs["out"] = out[0]
        return _dispatch(name, what, inputs, kwargs)

    def __array_function__(
        self, func: Callable[..., Any], types: Any, args: Any, kwargs: dict[str, Any]
    ) -> Any:
        """Run a NumPy function (``np.mean``, ``np.concatenate``, ...) with its hpa namesake.

        Only functions of NumPy's main namespace dispatch (``np.fft.fft`` is not ``hpa.fft``);
        the arguments are passed through unchanged and the result is hpa's.

        Raises
        ------
        TypeError
            If hpa does not implement the function or one of the keywords given; nothing is
            gathered implicitly (``x.numpy()`` gathers explicitly).
        """
        if not all(issubclass(t, (Array, np.ndarray)) for t in types):
            return NotImplemented
        name = func.__name__ if getattr(np, func.__name__, None) is func else ""
        return _dispatch(name, f"{func.__module__}.{func.__name__}", args, kwargs)

    def tolist(self) -> Any:
        """The whole array as nested Python lists (a scalar for 0-d arrays)."""
        return self.numpy().tolist()

    def item(self) -> Any:
        """The single element as a Python scalar; only one rank holds it, so it is broadcast."""
        if self.size != 1:
            raise ValueError(
                f"can only convert an array of size 1 to a Python scalar, not {self.size}"
            )
        lay = self._layout
        if not lay.is_distributed:
            return self._t.reshape(()).item()
        owner = lay.counts.index(1)  # type: ignore[union-attr]
        value = self._t.reshape(-1)[:1] if lay.comm.rank == owner else self._t.new_empty(1)
        return lay.comm.bcast(value, owner).item()

    def __bool__(self) -> bool:
        return bool(self.item())

    def __format__(self, spec: str) -> str:
        """A 0-d array formats as its element (``f"{x.mean():.3f}"``), as NumPy's scalars do;
        other arrays take only the empty format (``str(x)``)."""
        if self.ndim == 0:
            return format(self.item(), spec)
        if spec:
            raise TypeError(f"unsupported format string {spec!r} for an hpa array of ndim > 0")
        return str(self)

    def __round__(self, ndigits: int | None = None) -> Any:
        """``round(x)`` of a 0-d array is a Python int, as for NumPy's scalars; with
        ``ndigits``, or for other arrays, it is :func:`hpa.round` (an array)."""
        if ndigits is None and self.ndim == 0:
            return round(self.item())
        return OPS["round"](self, 0 if ndigits is None else ndigits)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __complex__(self) -> complex:
        return complex(self.item())

    def __index__(self) -> int:
        if self.dtype.kind not in "iu":
            raise TypeError(f"only integer arrays can be used as an index, not {self.dtype}")
        return int(self.item())

    def __len__(self) -> int:
        if not self.ndim:
            raise TypeError("len() of a 0-d array")
        return self._layout.gshape[0]

    def __iter__(self) -> Iterator[Array]:
        if not self.ndim:
            raise TypeError("iteration over a 0-d array")  # raised by iter(), as in NumPy
        return (self[i] for i in range(self._layout.gshape[0]))

    def sort(self, axis: int | None = -1, descending: bool = False, **kwargs: Any) -> None:
        """Sort in place along ``axis``, as NumPy's ``ndarray.sort`` (see :func:`hpa.sort`).

        The array takes the sorted block and layout (a 1-D split array may become ragged).
        """
        out = OPS["sort"](self, axis=axis, descending=descending, **kwargs)
        self._t, self._layout = out._t, out._layout

    def __getitem__(self, key: Any) -> Array:
        return OPS["getitem"](self, key)

    def __setitem__(self, key: Any, value: Any) -> None:
        OPS["setitem"](self, key, value)

    # ------------------------------------------------------------------ printing
    def _edges(self) -> tuple[np.ndarray, bool]:
        """The elements NumPy's summarised printing shows, gathered on every rank."""
        summarise = self.size > np.get_printoptions()["threshold"]  # hpa.set_printoptions
        t, lay = self._t, self._layout
        offsets = lay.offsets or (0, 0)
        counts = [b - a for a, b in zip(offsets, offsets[1:])]
        for axis, n in enumerate(lay.gshape):
            if not summarise or n <= 2 * _EDGE:
                continue
            # keep 3 leading, one placeholder (never shown), 3 trailing entries
            keep = [0, 1, 2, 3, n - 3, n - 2, n - 1]
            if axis == lay.split:
                lo, hi = lay.range_of(lay.comm.rank)
                local = [i - lo for i in keep if lo <= i < hi]
                counts = [sum(1 for i in keep if a <= i < b) for a, b in zip(offsets, offsets[1:])]
            else:
                local = keep
            t = t.index_select(axis, torch.tensor(local, dtype=torch.long, device=t.device))
        if lay.split is not None:
            small = Layout(
                [c if a != lay.split else sum(counts) for a, c in enumerate(t.shape)],
                lay.split,
                lay.comm,
                counts,
            )
            t = redistribute(t, small, small.with_split(None))
        t = t.detach().cpu()
        if t.dtype == torch.bfloat16:
            t = t.to(torch.float32)
        return t.numpy(), summarise

    def __str__(self) -> str:
        data, summarise = self._edges()
        if not self.ndim:  # as NumPy's 0-d arrays and scalars: 10.0, not 10.
            return str(data[()])
        return np.array2string(data, threshold=0 if summarise else sys.maxsize)

    def __repr__(self) -> str:
        data, summarise = self._edges()
        body = np.array2string(
            data, threshold=0 if summarise else sys.maxsize, separator=", ", prefix="array("
        )
        return f"array({body}, dtype={self.dtype.name}, split={self.split})"


_REDUCE = {
    "add": "sum",
    "multiply": "prod",
    "maximum": "max",
    "minimum": "min",
    "logical_and": "all",
    "logical_or": "any",
}
_ACCUMULATE = {"add": "cumsum", "multiply": "cumprod"}
_KEYWORDS: dict[Callable[..., Any], frozenset[str] | None] = {}


def _foreign(value: Any) -> bool:
    """Whether ``value`` is another library's array that overrides NumPy's ufuncs."""
    return not isinstance(value, (Array, np.ndarray, np.generic)) and hasattr(
        value, "__array_ufunc__"
    )


def _keywords(fn: Callable[..., Any]) -> frozenset[str] | None:
    """The keywords ``fn`` accepts (cached), or None when it takes ``**kwargs``."""
    if fn not in _KEYWORDS:
        params = inspect.signature(fn).parameters.values()
        named = (p.name for p in params if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD))
        variadic = any(p.kind is p.VAR_KEYWORD for p in params)
        _KEYWORDS[fn] = None if variadic else frozenset(named)
    return _KEYWORDS[fn]


def _dispatch(name: str, what: str, args: Any, kwargs: dict[str, Any]) -> Any:
    """Call ``OPS[name](*args, **kwargs)`` for the NumPy function ``what``, or raise TypeError.

    The checks are local, so every rank raises alike and no collective is issued first.
    """
    fn = OPS.get(name)
    hint = "hpa never gathers implicitly: call x.numpy() to gather explicitly and use NumPy"
    if fn is None:
        raise TypeError(f"hpa does not implement {what} for hpa arrays; {hint}")
    accepted = _keywords(fn)
    unknown = sorted(set(kwargs) - accepted) if accepted is not None else []
    if unknown:
        raise TypeError(
            f"{what}: hpa.{name} does not support the keyword(s) {', '.join(unknown)}; {hint}"
        )
    return fn(*args, **kwargs)


def _operator(name: str, reflected: bool = False) -> Any:
    # an operand whose class sets ``__hpa_defer__`` (a sparse matrix) runs its own operator
    if reflected:

        def method(self: Array, other: Any) -> Any:
            if getattr(type(other), "__hpa_defer__", False):
                return NotImplemented
            return OPS[name](other, self)

    else:

        def method(self: Array, other: Any) -> Any:
            if getattr(type(other), "__hpa_defer__", False):
                return NotImplemented
            return OPS[name](self, other)

    method.__name__ = name
    method.__doc__ = f"``{name}`` of the operands (see :func:`hpa.{name}`)."
    return method


def _inplace(name: str) -> Any:
    def method(self: Array, other: Any) -> Array:
        OPS[name](self, other, out=self)
        return self

    method.__name__ = f"i{name}"
    method.__doc__ = f"In-place ``{name}``: the result is cast to this array's dtype and layout."
    return method


def _unary(name: str) -> Any:
    def method(self: Array) -> Any:
        return OPS[name](self)

    method.__name__ = name
    return method


def _method(name: str, spelled: str | None = None) -> Any:
    def method(self: Array, *args: Any, **kwargs: Any) -> Any:
        return OPS[name](self, *args, **kwargs)

    method.__name__ = spelled or name
    method.__doc__ = f"Same as :func:`hpa.{name}` with this array as the first argument."
    return method


def _in_place_method(name: str, spelled: str) -> Any:
    def method(self: Array, *args: Any, **kwargs: Any) -> Array:
        fn = OPS[name]
        accepted = _keywords(fn)
        if accepted is None or "out" in accepted:  # the operation's own out= (same_kind)
            fn(self, *args, out=self, **kwargs)
        else:  # nan_to_num: NumPy spells in place copy=False
            fn(self, *args, copy=False, **kwargs)
        return self

    method.__name__ = spelled
    method.__doc__ = (
        f"In place :func:`hpa.{name}` with this array as the first argument (HeAT's "
        f"``{spelled}``): the result is written into this array, cast to its dtype; returns it."
    )
    return method


def describe_methods() -> None:
    """Give the generated methods their function's signature and docstring, so that
    ``help(hpa.Array.mean)`` shows the parameters. Runs once, when ``hpa`` has registered its
    operations (``tests/test_array_methods.py`` checks that every one is registered)."""
    for attr, value in list(vars(Array).items()):
        name = _describes(attr, value)
        if name is None or name not in OPS:
            continue
        fn = OPS[name]
        try:
            signature = inspect.signature(fn)
        except (TypeError, ValueError):
            continue
        params = list(signature.parameters.values())
        if not params or params[0].kind not in (params[0].POSITIONAL_ONLY, params[0].POSITIONAL_OR_KEYWORD):
            continue
        first = params[0].replace(name="self", kind=inspect.Parameter.POSITIONAL_ONLY)
        value.__signature__ = signature.replace(parameters=[first, *params[1:]])
        value.__doc__ = f"{value.__doc__}\n\n{inspect.getdoc(fn) or ''}".rstrip()


def _describes(attr: str, value: Any) -> str | None:
    """The operation a generated method with these ``*args, **kwargs`` calls, if any."""
    if not inspect.isfunction(value) or value.__qualname__.startswith("Array."):
        return None
    if attr in _METHODS:
        return attr
    return _RENAMED.get(attr) or _IN_PLACE.get(attr)


_BINARY = {
    "add": "add",
    "sub": "subtract",
    "mul": "multiply",
    "truediv": "divide",
    "floordiv": "floor_divide",
    "mod": "remainder",
    "pow": "power",
    "and": "bitwise_and",
    "or": "bitwise_or",
    "xor": "bitwise_xor",
    "lshift": "left_shift",
    "rshift": "right_shift",
}
_COMPARE = {
    "eq": "equal",
    "ne": "not_equal",
    "lt": "less",
    "le": "less_equal",
    "gt": "greater",
    "ge": "greater_equal",
}
_UNARY = {"neg": "negative", "pos": "positive", "abs": "abs", "invert": "invert"}
_METHODS = (
    "sum", "prod", "mean", "var", "std", "min", "max", "argmin", "argmax", "all", "any",
    "cumsum", "cumprod", "clip", "round", "transpose", "conj", "reshape", "squeeze",
    "swapaxes", "ravel", "flatten", "argsort", "dot", "trace",
    # HeAT's DNDarray methods
    "abs", "absolute", "fabs", "ceil", "floor", "trunc", "exp", "exp2", "expm1", "log",
    "log2", "log10", "log1p", "sqrt", "square", "sin", "cos", "tan", "sinh", "cosh", "tanh",
    "average", "median", "ptp", "nonzero", "unique", "isclose", "allclose", "tril", "triu",
    "expand_dims", "modf", "kurtosis", "skew", "rot90", "nan_to_num",
    # NumPy's ndarray methods (those whose function takes the array first)
    "argpartition", "conjugate", "diagonal", "put", "repeat", "searchsorted", "take",
    "fill_diagonal", "to_sparse_csr",
)  # fmt: skip
# HeAT's method names for NumPy's functions
_RENAMED = {"acos": "arccos", "asin": "arcsin", "atan": "arctan", "atan2": "arctan2"}
# HeAT's in-place methods: the function's result written into the array (its dtype kept)
_IN_PLACE = {
    "add_": "add", "sub_": "subtract", "subtract_": "subtract", "mul_": "multiply",
    "multiply_": "multiply", "div_": "divide", "divide_": "divide",
    "floordiv_": "floor_divide", "floor_divide_": "floor_divide", "mod_": "remainder",
    "remainder_": "remainder", "fmod_": "fmod", "pow_": "power", "power_": "power",
    "bitwise_and_": "bitwise_and", "bitwise_or_": "bitwise_or", "bitwise_xor_": "bitwise_xor",
    "bitwise_not_": "invert", "invert_": "invert", "left_shift_": "left_shift",
    "right_shift_": "right_shift", "copysign_": "copysign", "hypot_": "hypot", "gcd_": "gcd",
    "lcm_": "lcm", "neg_": "negative", "negative_": "negative", "nan_to_num_": "nan_to_num",
    "cumsum_": "cumsum", "cumprod_": "cumprod", "cumproduct_": "cumprod",
}  # fmt: skip

for _dunder, _name in _BINARY.items():
    setattr(Array, f"__{_dunder}__", _operator(_name))
    setattr(Array, f"__r{_dunder}__", _operator(_name, reflected=True))
    setattr(Array, f"__i{_dunder}__", _inplace(_name))
for _dunder, _name in _COMPARE.items():
    setattr(Array, f"__{_dunder}__", _operator(_name))
for _dunder, _name in _UNARY.items():
    setattr(Array, f"__{_dunder}__", _unary(_name))
for _name in _METHODS:
    setattr(Array, _name, _method(_name))
for _heat_name, _name in _RENAMED.items():
    setattr(Array, _heat_name, _method(_name, _heat_name))
for _heat_name, _name in _IN_PLACE.items():
    setattr(Array, _heat_name, _in_place_method(_name, _heat_name))
setattr(Array, "__matmul__", _operator("matmul"))
setattr(Array, "__rmatmul__", _operator("matmul", reflected=True))


def _imatmul(self: Array, other: Any) -> Array:
    """In-place matrix product (NumPy: only when the product keeps this array's shape)."""
    out = OPS["matmul"](self, other)
    if out.shape != self.shape:
        raise ValueError(
            f"matmul: in-place product of shape {out.shape} cannot replace {self.shape}"
        )
    self[...] = out
    return self


setattr(Array, "__imatmul__", _imatmul)
Array.__hash__ = None  # type: ignore[assignment]
