"""Covariance and correlation matrices: ``cov`` and ``corrcoef`` (NumPy 2 semantics).

The data are seen as a (variables x observations) matrix ``X`` (``m`` with the rows of ``y``
appended; ``rowvar=False`` reads columns as variables). How ``X`` is laid out decides the
communication:

=========================  ==========================================  =======================
layout of ``X``            algorithm                                   collectives
=========================  ==========================================  =======================
observations split         global means from the summed blocks, local  two ``allreduce``
                           ``X_c @ X_c^H``, partial products summed
variables split            local means and centring, the centred       one ``allgatherv`` per
                           blocks gathered, my rows of ``X_c @ X_c^H``  split input
replicated                 local                                       none
=========================  ==========================================  =======================

With observations split the result is replicated; with variables split it is split along
axis 0 (the extents of ``m``'s variables, or balanced when ``y`` is given), and each rank
holds the whole centred ``X`` for a moment: ``variables x observations`` elements of the
result dtype. An input split along the other axis than the first split input is brought to
that input's blocks first (one ``alltoallv``). Products are computed with ``torch.matmul``.
"""

from __future__ import annotations

import warnings
from typing import Any, cast

import torch

from hpa.core import dtypes
from hpa.core.align import local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial, gather_blocks
from hpa.core.layout import Layout, chunk
from hpa.ops.creation import asarray, coerce

__all__ = ["corrcoef", "cov"]

Part = tuple[torch.Tensor, Layout]


@register()
def cov(
    m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: int | None = None,
    fweights: Any = None, aweights: Any = None, *, dtype: Any = None,
) -> Array:  # fmt: skip
    """Estimate the covariance matrix of the variables in ``m`` (and ``y``), like NumPy.

    Parameters
    ----------
    m : array_like
        1-D or 2-D; each row is a variable and each column an observation (``rowvar``).
    y : array_like, optional
        More variables, laid out like ``m``, appended to ``m``'s.
    rowvar : bool
        False: each column is a variable and each row an observation.
    bias : bool
        Normalise by ``N`` instead of ``N - 1`` (overridden by ``ddof``).
    ddof : int, optional
        Delta degrees of freedom.
    fweights, aweights : array_like, optional
        1-D integer frequency weights and non-negative observation weights, one per
        observation; replicated or split like the observations (moved to their blocks, one
        ``alltoallv`` when laid out otherwise). Their checks agree on every rank.
    dtype : dtype, optional
        Of the result; by default ``result_type(m, y, float64)``.

    Returns
    -------
    Array
        ``(V, V)`` for ``V`` variables (0-d for one variable). Replicated when the observations
        are split (two ``allreduce``: the sums, then the partial products) or nothing is;
        split along axis 0 when the variables are split (one ``allgatherv`` of each split
        input's centred block). See the module docstring.
    """
    out = _covariance(m, y, rowvar, bias, ddof, fweights, aweights, dtype)
    return out if isinstance(out, Array) else Array(out[0], out[1])


@register()
def corrcoef(x: Any, y: Any = None, rowvar: bool = True, *, dtype: Any = None) -> Array:
    """Pearson correlation coefficients: :func:`cov` normalised by its diagonal, like NumPy.

    The communication is that of :func:`cov`: the diagonal entries each rank needs are local
    (replicated result) or computed from the gathered centred data (variables split), so no
    collective is added. Real parts (and imaginary parts of complex results) are clipped to
    ``[-1, 1]``.
    """
    out = _covariance(x, y, rowvar, False, None, None, None, dtype)
    if isinstance(out, Array):
        return out
    c, lay, diag = out
    if c.dim() == 0:
        return Array(c / c, lay)
    std = torch.sqrt(diag.real if diag.is_complex() else diag)
    lo, hi = (0, c.shape[0]) if lay.split is None else lay.range_of(lay.comm.rank)
    c = c / std[lo:hi, None] / std[None, :]
    if c.is_complex():
        c = torch.complex(c.real.clamp(-1, 1), c.imag.clamp(-1, 1))
    else:
        c = c.clamp(-1, 1)
    return Array(c, lay)


def _covariance(
    m: Any, y: Any, rowvar: bool, bias: bool, ddof: int | None,
    fweights: Any, aweights: Any, dtype: Any,
) -> Array | tuple[torch.Tensor, Layout, torch.Tensor]:  # fmt: skip
    """(local block, layout, whole diagonal) of the covariance, or an empty Array."""
    if ddof is not None and ddof != int(ddof):
        raise ValueError("ddof must be integer")
    m = coerce(m)
    ya = None if y is None else coerce(y, m)
    res = _result_dtype(m, ya, dtype)
    parts = [_oriented(m, rowvar, res, "m")]
    if parts[0][1].gshape[0] == 0:
        empty = torch.zeros((0, 0), dtype=torch.float64, device=m.larray.device)
        return Array(empty, Layout((0, 0), None, m.comm))
    if ya is not None:
        parts.append(_oriented(ya, rowvar, res, "y"))
        if parts[1][1].gshape[1] != parts[0][1].gshape[1]:
            raise ValueError(
                "all the input array dimensions except for the concatenation axis must match "
                f"exactly, but along dimension 1, the array at index 0 has size "
                f"{parts[0][1].gshape[1]} and the array at index 1 has size {parts[1][1].gshape[1]}"
            )
    ddof = (0 if bias else 1) if ddof is None else int(ddof)
    obs = next((lay for _, lay in parts if lay.split == 1), None)
    n = parts[0][1].gshape[1]
    wlay = Layout((n,), None if obs is None else 0, m.comm, None if obs is None else obs.counts)
    weights = _weights(fweights, aweights, wlay, parts[0][0].device)
    if obs is not None:
        return _cov_obs_split(parts, obs, weights, ddof)
    return _cov_whole(parts, weights, ddof)


def _result_dtype(m: Array, y: Array | None, dtype: Any) -> dtypes.DType:
    if dtype is not None:
        return dtypes.to_dtype(dtype)
    res = dtypes.promote(m.dtype, dtypes.float64)
    return res if y is None else dtypes.promote(res, y.dtype)


def _oriented(a: Array, rowvar: bool, res: dtypes.DType, name: str) -> Part:
    """``a`` as a (variables x observations) block and layout; no communication."""
    if a.ndim > 2:
        raise ValueError(f"{name} has more than 2 dimensions")
    t = a.larray.to(res.torch)
    if a.ndim < 2:
        split = None if a.split is None else 1
        return t.reshape(1, -1), Layout((1, a.size), split, a.comm, a.counts)
    if rowvar or (name == "y" and a.shape[0] == 1):  # NumPy keeps a single row of y as is
        return t, a.layout
    split = None if a.split is None else 1 - a.split
    return t.T, Layout(a.shape[::-1], split, a.comm, a.counts)


Weights = tuple[torch.Tensor | None, torch.Tensor | None, torch.Tensor]


def _weights(fweights: Any, aweights: Any, lay: Layout, device: torch.device) -> Weights:
    """(w = fweights * aweights, aweights, error flags) on the observations' blocks ``lay``.

    The flags (fweights not integer, fweights negative, aweights negative) are local and stay
    on the device; they travel with the collective the covariance needs anyway where the
    weights are split, and are read on the host once, with the sums of the weights.
    """
    w = aw = None
    flags = torch.zeros(3, dtype=torch.float64, device=device)
    for k, (given, name) in enumerate(((fweights, "fweights"), (aweights, "aweights"))):
        if given is None:
            continue
        wa = given if isinstance(given, Array) else asarray(given, device=device, comm=lay.comm)
        if wa.ndim > 1:
            raise RuntimeError(f"cannot handle multidimensional {name}")
        if wa.shape != lay.gshape:
            raise RuntimeError(f"incompatible numbers of samples and {name}")
        t = wa.larray if lay.comm.size == 1 else local_block(wa, lay)
        t = t.to(device=device, dtype=torch.float64)
        if k == 0:
            flags[0] = (t != torch.round(t)).any()
        flags[1 + k] = (t < 0).any()
        w = t if w is None else w * t
        aw = t if k == 1 else aw
    return w, aw, flags


def _check_weights(flags: list[float]) -> None:
    """Raise NumPy's error for the first flag of :func:`_weights` that is set (read on the host)."""
    if flags[0]:
        raise TypeError("fweights must be integer")
    if flags[1]:
        raise ValueError("fweights cannot be negative")
    if flags[2]:
        raise ValueError("aweights cannot be negative")


def _factor(n: int, ddof: int, weights: Weights, v1: float, wa: float) -> float:
    """NumPy's normaliser of the products (``inf`` when the degrees of freedom are <= 0)."""
    w, aw, _ = weights
    if w is None:
        fact = float(n - ddof)
    elif ddof == 0:
        fact = v1
    elif aw is None:
        fact = v1 - ddof
    else:
        fact = v1 - ddof * wa / v1
    if fact <= 0:
        warnings.warn("Degrees of freedom <= 0 for slice", RuntimeWarning, stacklevel=4)
        return float("inf")
    return 1.0 / fact


def _cov_obs_split(
    parts: list[Part], obs: Layout, weights: Weights, ddof: int
) -> tuple[torch.Tensor, Layout, torch.Tensor]:
    """Observations split: sums and products each summed with one ``allreduce``."""
    comm = obs.comm
    blocks = []
    for t, lay in parts:
        target = Layout(lay.gshape, 1, comm, obs.counts)
        same = lay == target or comm.size == 1
        blocks.append(t if same else local_block(Array(t, lay), target))
    x = torch.cat(blocks, 0)
    w, aw, flags = weights
    n = obs.gshape[1]
    xw = x if w is None else (x * w).to(x.dtype)
    v1 = flags.new_zeros(2)  # local sums of the weights
    v1[0] = x.shape[1]
    if w is not None:
        v1[0] = w.sum()
    if aw is not None:
        assert w is not None  # w includes the aweights
        v1[1] = (w * aw).sum()
    packet = torch.cat([xw.sum(1), v1.to(x.dtype), flags.to(x.dtype)])
    if obs.is_distributed:
        packet = Partial(packet, comm).replicate()
    v = x.shape[0]
    s1, s2, *bad = packet[v:].real.tolist()  # the one read on the host
    _check_weights(bad)
    scale = _factor(n, ddof, weights, s1, s2)
    xc = x - (packet[:v] / s1)[:, None]
    c = xc @ (xc if w is None else (xc * w).to(x.dtype)).mH
    if obs.is_distributed:
        c = Partial(c, comm).replicate()
    c = c * scale
    return _squeezed(c, Layout((v, v), None, comm), c.diagonal())


def _cov_whole(
    parts: list[Part], weights: Weights, ddof: int
) -> tuple[torch.Tensor, Layout, torch.Tensor]:
    """Every observation local: centre locally, gather split variables, my rows of the product."""
    w, aw, flags = weights
    comm = parts[0][1].comm
    n = parts[0][1].gshape[1]
    if w is None:  # no weights, no flags
        s1, s2 = float(n), 0.0
    else:
        sums = torch.stack([w.sum(), w.new_zeros(()) if aw is None else (w * aw).sum()])
        s1, s2, *bad = torch.cat([sums, flags]).tolist()  # the one read on the host
        _check_weights(bad)
    scale = _factor(n, ddof, weights, s1, s2)
    full = []
    for t, lay in parts:
        xc = t - ((t if w is None else (t * w).to(t.dtype)).sum(1) / s1)[:, None]
        full.append(
            gather_blocks(xc, cast("tuple[int, ...]", lay.counts), comm)
            if lay.is_distributed
            else xc
        )
    x = torch.cat(full, 0)
    xw = x if w is None else (x * w).to(x.dtype)
    v = x.shape[0]
    if v == 1 or all(p[1].split is None for p in parts):
        lay = Layout((v, v), None, comm)
    else:
        counts = parts[0][1].counts if len(parts) == 1 else chunk(v, comm.size)
        lay = Layout((v, v), 0, comm, counts)
    lo, hi = (0, v) if lay.split is None else lay.range_of(comm.rank)
    c = (x[lo:hi] @ xw.mH) * scale
    diag = (x * xw.conj()).sum(1) * scale
    return _squeezed(c, lay, diag)


def _squeezed(
    c: torch.Tensor, lay: Layout, diag: torch.Tensor
) -> tuple[torch.Tensor, Layout, torch.Tensor]:
    """NumPy squeezes the result of a single variable to 0-d."""
    if lay.gshape == (1, 1):
        return c.reshape(()), Layout((), None, lay.comm), diag
    return c, lay, diag
