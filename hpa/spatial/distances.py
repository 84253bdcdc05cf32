"""Pairwise distances and kernels between the rows of two 2-D arrays: ``cdist``, ``pdist``,
``rbf`` (and ``manhattan``), with SciPy's metric names.

Every row of ``X`` meets every row of ``Y``. How the inputs are laid out decides the
communication; the result is never gathered:

=====================  ===================  ======================================  ==============
``X``                  ``Y``                algorithm                               result split
=====================  ===================  ======================================  ==============
split 0                replicated           local block of rows                     0 (X's rows)
split 0                split 0 (or None:    Y's blocks travel around a ring:        0 (X's rows)
                       X with itself)       ``p - 1`` steps of ``isend``/``irecv``
                                            to the neighbours, each overlapped
                                            with the block in hand
replicated             split 0              local block of columns                  1 (Y's rows)
replicated             replicated           local                                   replicated
split 1 (features)     any                  first moved to split 0 rows             as above
                                            (one ``alltoallv``), then as above
=====================  ===================  ======================================  ==============

An input split along the features is redistributed rather than reduced: partial sums over
the features would need an ``allreduce`` of the whole ``n x m`` result, where moving the
input costs ``n x f`` elements. With the ring no rank ever holds more than two blocks of ``Y``
(the one being used and the one arriving).

Metrics (``d`` for rows ``x`` and ``y``):

- ``euclidean``, ``sqeuclidean`` and the ``rbf`` kernel ``exp(-|x-y|^2 / (2 sigma^2))``: for
  more than 25 rows in ``X`` or ``Y`` (as ``torch.cdist`` decides, but on the global shapes,
  so the result does not depend on the number of processes), or with
  ``quadratic_expansion=True``, the expansion ``|x|^2 + |y|^2 - 2 x.y`` as one matrix product
  of padded operands written straight into the result (clamped at 0); otherwise (always with
  ``quadratic_expansion=False``) the exact differences of ``torch.cdist``.
- ``cityblock`` (``manhattan``), ``chebyshev``, ``minkowski`` (``p``): ``torch.cdist``.
- ``cosine``: ``1 - x.y / (|x| |y|)`` as one matrix product of the normalised rows, clipped to
  ``[0, 2]``; a zero row gives NaN, like SciPy.

The distance of a row to itself (``Y=None``) is set to exactly 0 (1 for ``rbf``) where it is
finite, as SciPy computes it. Integer and bool inputs are computed in float64 like SciPy;
float32 stays float32 (SciPy always returns float64), float16/bfloat16 are computed in float32.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch

from hpa.core import dtypes
from hpa.core.array import Array
from hpa.core.exchange import ring
from hpa.core.layout import Layout
from hpa.core.redistribute import redistribute
from hpa.ops.creation import coerce

__all__ = ["cdist", "manhattan", "pdist", "rbf"]

_MM_ROWS = 25  # torch.cdist's threshold for the matrix-product expansion
_EUCLIDEAN = ("euclidean", "sqeuclidean", "rbf")
_METRICS = {
    "euclidean": "euclidean",
    "euclid": "euclidean",
    "sqeuclidean": "sqeuclidean",
    "cityblock": "cityblock",
    "manhattan": "cityblock",
    "chebyshev": "chebyshev",
    "chebychev": "chebyshev",
    "minkowski": "minkowski",
    "cosine": "cosine",
    "cos": "cosine",
}
Part = tuple[torch.Tensor, Layout]


def cdist(
    X: Any,
    Y: Any = None,
    metric: str | bool = "euclidean",
    *,
    p: float = 2.0,
    quadratic_expansion: bool | None = None,
) -> Array:
    """Distances between every row of ``X`` and every row of ``Y``, like SciPy's ``cdist``.

    Parameters
    ----------
    X : array_like
        ``(n, f)``: ``n`` points of ``f`` features.
    Y : array_like, optional
        ``(m, f)``; ``None`` means ``X`` with itself (the diagonal is exactly 0).
    metric : str
        ``"euclidean"``, ``"sqeuclidean"``, ``"cityblock"`` (``"manhattan"``), ``"chebyshev"``,
        ``"minkowski"`` or ``"cosine"``. A bool here is HeAT's positional
        ``cdist(X, Y, quadratic_expansion)`` and selects the euclidean metric.
    p : float
        The order of the ``minkowski`` metric (> 0; ``inf`` is ``chebyshev``).
    quadratic_expansion : bool, optional
        Euclidean metrics: ``True`` always uses ``|x|^2 + |y|^2 - 2 x.y`` as one matrix product
        (fast, less accurate for nearby points), ``False`` never (exact differences, as HeAT's
        default); by default it is used above 25 rows, like ``torch.cdist``. Ignored by the
        other metrics.

    Returns
    -------
    Array
        ``(n, m)`` of the inputs' float dtype (float64 for integers). Split along 0 with
        ``X``'s row extents when ``X`` is split; along 1 with ``Y``'s row extents when only
        ``Y`` is split; replicated when neither is.

    Notes
    -----
    Communication: none when ``Y`` is replicated or ``X`` is. When both are split along the
    rows, ``Y``'s blocks travel around a ring: ``p - 1`` steps, each one ``isend`` to the
    left neighbour and one ``irecv`` from the right (none for an empty block), the transfer
    overlapped with computing the block in hand; there is no ``allgather``, and a rank holds
    at most two blocks of ``Y``. An input split along the features is first moved to row
    blocks with one ``alltoallv`` (a collective of the input's size, not the result's).
    Errors (shapes, metric, dtypes) depend on metadata only and are raised on every rank.
    """
    if isinstance(metric, bool):
        quadratic_expansion, metric = metric, "euclidean"
    return _cdist(X, Y, _metric(metric, p), quadratic_expansion, 1.0)


def rbf(
    X: Any, Y: Any = None, sigma: float = 1.0, quadratic_expansion: bool | None = None
) -> Array:
    """The Gaussian kernel ``exp(-|x - y|^2 / (2 sigma^2))`` of every pair of rows, like HeAT.

    Parameters
    ----------
    X, Y : array_like
        As in :func:`cdist` (``Y=None``: ``X`` with itself, the diagonal exactly 1).
    sigma : float
        Kernel width, > 0.
    quadratic_expansion : bool, optional
        As in :func:`cdist`; the scale ``-1 / (2 sigma^2)`` is folded into the padded operands
        of the matrix product, so the kernel costs one product and one ``exp`` pass.

    Returns
    -------
    Array
        ``(n, m)``, laid out and communicated as :func:`cdist`: none for a replicated ``Y``
        or ``X``, a ring of ``isend``/``irecv`` (``p - 1`` steps) when both are split along
        the rows, one ``alltoallv`` per input split along the features.
    """
    sigma = float(sigma)
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma}")
    return _cdist(X, Y, ("rbf", 2.0), quadratic_expansion, -0.5 / (sigma * sigma))


def manhattan(X: Any, Y: Any = None, expand: bool = False) -> Array:
    """City-block distances, HeAT's ``manhattan``: :func:`cdist` with ``"cityblock"``.

    ``expand`` is accepted for HeAT compatibility and changes nothing. Layout and
    communication as in :func:`cdist` (a ring of ``isend``/``irecv`` when both are split).
    """
    return cdist(X, Y, "cityblock")


def pdist(
    X: Any, metric: str = "euclidean", *, p: float = 2.0, quadratic_expansion: bool | None = None
) -> Array:
    """Distances between all pairs of rows of ``X`` as SciPy's condensed vector.

    Entry ``n*i - i*(i+1)/2 + (j - i - 1)`` is the distance of rows ``i < j``, so the entries
    of row ``i`` are consecutive and a rank holding rows ``[lo, hi)`` of ``X`` produces the
    consecutive slice of the condensed vector that belongs to them.

    Parameters
    ----------
    X : array_like
        ``(n, f)``.
    metric, p, quadratic_expansion
        As in :func:`cdist`.

    Returns
    -------
    Array
        1-D of length ``n (n - 1) / 2``. Split along 0 when ``X`` is split: rank ``r`` holds
        the entries of its rows, ``sum(n - 1 - i)`` over them, so the extents are ragged (the
        first rows have the most pairs; ``.balance()`` evens them out with one ``alltoallv``).
        Replicated when ``X`` is.

    Notes
    -----
    Communication: none for a replicated ``X``. For ``X`` split along the rows, only the
    blocks below the diagonal are needed, so they move along a chain instead of a ring:
    at step ``s`` rank ``r`` computes against block ``r + s`` while it passes that block on to
    rank ``r - 1`` (``isend``) and receives block ``r + s + 1`` from rank ``r + 1``
    (``irecv``): ``p - 1 - r`` receives on rank ``r``, no collective. ``X`` split along the
    features is first moved to row blocks (one ``alltoallv``).
    """
    kind = _metric(metric, p)
    a = coerce(X)
    _check_2d(a, "X")
    dt = _float_dtype(a)
    x, lay = _rows(a, dt)
    n = lay.gshape[0]
    kernel = _Kernel(kind, _expand(quadratic_expansion, n), 1.0)
    total = n * (n - 1) // 2
    if lay.split is None or lay.comm.size == 1:
        strip = kernel.block(kernel.left(x), kernel.right(x))
        counts: Sequence[int] | None = None if lay.split is None else (total,)
        return Array(_upper(strip), Layout((total,), lay.split, lay.comm, counts))
    strip = _chain(kernel, x, lay)
    offsets = lay.offsets
    assert offsets is not None
    counts = [
        _pairs_from(n, offsets[r]) - _pairs_from(n, offsets[r + 1]) for r in range(lay.comm.size)
    ]
    return Array(_upper(strip), Layout((total,), 0, lay.comm, counts))


# ---------------------------------------------------------------------------- metrics
def _metric(metric: Any, p: float) -> tuple[str, float]:
    """(kernel kind, order) of a SciPy metric name; raises ValueError alike on every rank."""
    name = _METRICS.get(metric.lower() if isinstance(metric, str) else metric)
    if name is None:
        raise ValueError(f"Unknown Distance Metric: {metric}")
    if name == "minkowski":
        p = float(p)
        if not p > 0:
            raise ValueError(f"p must be greater than 0, got {p}")
        name = {1.0: "cityblock", 2.0: "euclidean", math.inf: "chebyshev"}.get(p, name)
        return name, p
    return name, {"cityblock": 1.0, "chebyshev": math.inf}.get(name, 2.0)


class _Kernel:
    """How one metric turns a block of ``X``'s rows and a block of ``Y``'s rows into distances.

    ``left``/``right`` prepare the operands once per block (for the matrix-product metrics the
    padded rows, so that one ``mm`` gives the distance before its finishing pass); ``right``'s
    block is what travels between ranks. ``block`` writes into ``out`` when given.
    """

    def __init__(self, kind: tuple[str, float], mm: bool, scale: float) -> None:
        self.kind, self.p = kind
        self.mm = self.kind == "cosine" or (mm and self.kind in _EUCLIDEAN)
        self.scale = scale  # -1/(2 sigma^2) for rbf, folded into the left operand

    def left(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "cosine":
            one = math.nan if x.shape[1] == 0 else 1.0  # no features: NaN, as in SciPy
            return torch.cat([-_normalised(x), x.new_full((x.shape[0], 1), one)], 1)
        if not self.mm:
            return x.contiguous()
        g = self.scale
        x2 = x.square().sum(1, keepdim=True)
        return torch.cat([x * (-2.0 * g), x2 * g if g != 1.0 else x2, torch.full_like(x2, g)], 1)

    def right(self, y: torch.Tensor) -> torch.Tensor:
        if self.kind == "cosine":
            return torch.cat([_normalised(y), y.new_ones((y.shape[0], 1))], 1)
        if not self.mm:
            return y.contiguous()
        y2 = y.square().sum(1, keepdim=True)
        return torch.cat([y, torch.ones_like(y2), y2], 1)

    def block(
        self, a: torch.Tensor, b: torch.Tensor, out: torch.Tensor | None = None
    ) -> torch.Tensor:
        if self.mm:
            d = torch.mm(a, b.T) if out is None else torch.mm(a, b.T, out=out)
            if self.kind == "euclidean":
                d.clamp_min_(0).sqrt_()
            elif self.kind == "sqeuclidean":
                d.clamp_min_(0)
            elif self.kind == "rbf":
                d.clamp_max_(0).exp_()
            else:
                d.clamp_(0, 2)
            return d
        d = torch.cdist(a, b, p=self.p, compute_mode="donot_use_mm_for_euclid_dist")
        if self.kind == "sqeuclidean":
            d.square_()
        elif self.kind == "rbf":
            d.square_().mul_(self.scale).exp_()
        return d if out is None else out.copy_(d)


def _normalised(x: torch.Tensor) -> torch.Tensor:
    """Rows divided by their norms (a zero row becomes NaN, as SciPy's cosine gives)."""
    return x / torch.linalg.vector_norm(x, dim=1, keepdim=True)


# ---------------------------------------------------------------------------- layouts
def _check_2d(a: Array, name: str) -> None:
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-dimensional array.")


def _float_dtype(*arrays: Array) -> torch.dtype:
    """SciPy computes in float64; float32 (and float16/bfloat16, as float32) stay single."""
    dt = arrays[0].dtype
    for a in arrays[1:]:
        dt = dtypes.promote(dt, a.dtype)
    if dt.kind == "c":
        raise TypeError(f"distances of complex values ({dt}) are not supported")
    if dt.kind != "f":
        return torch.float64
    return torch.float32 if dt.torch in (torch.float16, torch.bfloat16) else dt.torch


def _rows(a: Array, dt: torch.dtype) -> Part:
    """``a``'s local block in ``dt``, split along the rows or replicated.

    Split along the features: moved to balanced row blocks (one ``alltoallv``; a relabelling
    at one process).
    """
    t, lay = a.larray.to(dt), a.layout
    if lay.split != 1:
        return t, lay
    dst = lay.with_split(0)
    return (t if lay.comm.size == 1 else redistribute(t, lay, dst)), dst


def _expand(requested: bool | None, rows: int) -> bool:
    """Whether euclidean metrics use the matrix-product expansion: as requested, else above
    ``_MM_ROWS`` rows (on global shapes, so independent of the process count)."""
    return rows > _MM_ROWS if requested is None else bool(requested)


def _cdist(X: Any, Y: Any, kind: tuple[str, float], expansion: bool | None, scale: float) -> Array:
    a = coerce(X)
    b = None if Y is None else coerce(Y, a)
    _check_2d(a, "XA")
    if b is not None:
        _check_2d(b, "XB")
        if a.shape[1] != b.shape[1]:
            raise ValueError(
                "XA and XB must have the same number of columns (i.e. feature dimension.)"
            )
    dt = _float_dtype(a) if b is None else _float_dtype(a, b)
    x, xl = _rows(a, dt)
    y, yl = (x, xl) if b is None else _rows(b, dt)
    n, m = xl.gshape[0], yl.gshape[0]
    kernel = _Kernel(kind, _expand(expansion, max(n, m)), scale)
    comm = xl.comm
    if xl.split == 0:
        out_lay = Layout((n, m), 0, comm, xl.counts)
    elif yl.split == 0:
        out_lay = Layout((n, m), 1, comm, yl.counts)
    else:
        out_lay = Layout((n, m), None, comm)
    if xl.split == 0 and yl.split == 0 and comm.size > 1:
        if n and m:
            d = _ring(kernel, kernel.left(x), kernel.right(y), yl)
        else:  # nothing to compute: no communication either
            d = x.new_empty((x.shape[0], m))
    else:
        d = kernel.block(kernel.left(x), kernel.right(y))
    if b is None:
        lo = 0 if xl.split is None else xl.range_of(comm.rank)[0]
        diag = d.narrow(1, lo, d.shape[0]).diagonal()
        diag.masked_fill_(diag.isfinite(), 1.0 if kind[0] == "rbf" else 0.0)
    return Array(d, out_lay)


# ---------------------------------------------------------------------------- movement
def _ring(kernel: _Kernel, a: torch.Tensor, b: torch.Tensor, yl: Layout) -> torch.Tensor:
    """My rows against every block of ``Y``: the blocks travel one rank to the left per step.

    At step ``s`` rank ``r`` holds the block of rank ``(r + s) % p`` while the next one arrives
    from ``r + 1`` and the one in hand goes to ``r - 1`` (:func:`hpa.core.exchange.ring`).
    Empty blocks are not sent (both ends know the extents from the layout).
    """
    counts, offsets = yl.counts, yl.offsets
    assert counts is not None and offsets is not None
    out = a.new_empty((a.shape[0], yl.gshape[0]))
    for q, cur in ring(b, counts, yl.comm):
        kernel.block(a, cur, out.narrow(1, offsets[q], counts[q]))
    return out


def _chain(kernel: _Kernel, x: torch.Tensor, lay: Layout) -> torch.Tensor:
    """My rows against the rows from my own on: blocks ``r, r+1, ..`` arrive from the right.

    At step ``s`` rank ``r`` holds block ``r + s``, sends it to ``r - 1`` (which needs it at its
    step ``s + 1``) and receives block ``r + s + 1`` from ``r + 1``
    (:func:`hpa.core.exchange.ring` with ``wrap=False``).
    """
    counts, offsets = lay.counts, lay.offsets
    assert counts is not None and offsets is not None
    lo = offsets[lay.comm.rank]
    a, b = kernel.left(x), kernel.right(x)
    out = a.new_empty((a.shape[0], lay.gshape[0] - lo))
    for q, cur in ring(b, counts, lay.comm, wrap=False):
        kernel.block(a, cur, out.narrow(1, offsets[q] - lo, counts[q]))
    return out


def _pairs_from(n: int, i: int) -> int:
    """Number of pairs ``(j, k)``, ``i <= j < k < n``: condensed entries of rows ``i..n-1``."""
    return (n - i) * (n - i - 1) // 2


def _upper(strip: torch.Tensor) -> torch.Tensor:
    """The entries right of the diagonal of a strip of the square matrix (its rows ``lo..`` and
    columns ``lo..``), in row-major order: the condensed vector's slice of those rows."""
    rows, cols = strip.shape
    # the entries' positions follow from the shape: no boolean mask, whose selection would
    # read its count back to the host
    r, c = torch.triu_indices(rows, cols, 1, device=strip.device)
    return strip[r, c]
