"""A discrete Fourier transform along the split axis itself, for arrays with no other axis to
move the split to (1-D arrays, or every other axis shorter than the number of processes).

Three algorithms, chosen from the axis length ``N`` and the number of processes ``p``:

- **Six-step** (Bailey, "FFTs in external or hierarchical memory", J. Supercomputing 4, 1990),
  when ``N = N1 * N2`` with ``N1, N2 >= p``. The axis is viewed as an ``N1 x N2`` matrix
  ``A[n1, n2] = x[N2 n1 + n2]``; ``N1``-point transforms run down its columns, a twiddle
  ``exp(-+2 pi i n2 k1 / N)`` multiplies it, ``N2``-point transforms run along its rows, and
  the transposed matrix is the result, ``X[k1 + N1 k2] = C[k1, k2]``. Communication: three
  ``alltoallv`` (column split, row split, transposed row split), each moving the block once;
  one more moves a few rows when the blocks do not fall on whole rows of the matrix.
- **Bluestein** (the chirp z-transform, Bluestein 1970; Rabiner, Schafer and Rader 1969), when
  ``N >= p**2`` has no such factorisation (a prime, say): the transform becomes a cyclic
  convolution of length ``M``, a power of two ``>= 2N - 1``, computed with three six-step
  transforms of length ``M``.
- **Replicated**, when ``N < p**2``: the axis is gathered (one ``allgatherv`` of at most
  ``p**2`` rows), transformed locally, and each rank keeps its block.

The functions take and return a rank's block and its :class:`~hpa.core.layout.Layout` along the
split axis; the result's extents may be ragged (callers rebalance). Transforms are unnormalised;
``scale`` multiplies the result (folded into a pass the algorithm makes anyway).
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import torch

from hpa.core.exchange import assemble
from hpa.core.layout import Layout, chunk
from hpa.core.redistribute import overlap, redistribute
from hpa.fft.local import complex_dtype, in_place, local_fft

__all__ = ["dft", "hermitian_full", "resized"]

# elements per twiddle chunk: keeps the twiddle's temporaries small next to the block
_TWIDDLE_CHUNK = 1 << 20


@lru_cache(maxsize=256)
def factor(n: int, p: int) -> tuple[int, int] | None:
    """``(n1, n2)`` with ``n1 * n2 == n``, ``n1 <= n2`` as close as possible, both ``>= p``."""
    best = 1
    d = 1
    while d * d <= n:
        if n % d == 0:
            best = d
        d += 1
    return (best, n // best) if best >= p else None


def dft(t: torch.Tensor, lay: Layout, inverse: bool, scale: float) -> tuple[torch.Tensor, Layout]:
    """``scale`` times the unnormalised DFT along the split axis of the block ``t``."""
    a = lay.split
    assert a is not None
    t = t.to(complex_dtype(t.dtype))
    n, p = lay.gshape[a], lay.comm.size
    if n < p * p:
        return _replicated(t, lay, inverse, scale)
    shape = factor(n, p)
    if shape is None:
        return _bluestein(t, lay, inverse, scale)
    return _six_step(t, lay, shape, inverse, scale)


def _replicated(
    t: torch.Tensor, lay: Layout, inverse: bool, scale: float
) -> tuple[torch.Tensor, Layout]:
    a = lay.split
    assert a is not None
    full = redistribute(t, lay, lay.with_split(None))
    fft = torch.fft.ifftn if inverse else torch.fft.fftn
    out = local_fft(fft, full, [full.shape[a]], [a], "forward" if inverse else "backward")
    if scale != 1:
        out.mul_(scale)
    dst = lay.with_split(a)
    return redistribute(out, lay.with_split(None), dst), dst


def _six_step(
    t: torch.Tensor, lay: Layout, shape: tuple[int, int], inverse: bool, scale: float
) -> tuple[torch.Tensor, Layout]:
    a = lay.split
    assert a is not None
    comm, p, (n1, n2) = lay.comm, lay.comm.size, shape
    n = n1 * n2
    rest = tuple(lay.gshape[:a] + lay.gshape[a + 1 :])
    rows = chunk(n1, p)
    # the split axis first, its blocks whole rows of the n1 x n2 matrix (free when aligned)
    first = Layout((n, *rest), 0, comm, lay.counts)
    aligned = first.with_split(0, [r * n2 for r in rows])
    t = redistribute(t.movedim(a, 0), first, aligned)
    t = t.reshape(rows[comm.rank], n2, *rest)
    fft = torch.fft.ifftn if inverse else torch.fft.fftn
    norm = "forward" if inverse else "backward"  # unscaled either way
    # A[n1, n2] -> B[n2, k1]: transposed while exchanged, the transform along contiguous rows
    t = _transposed(t, n1, n2, rest, comm)
    t = in_place(fft, t, [1], norm)
    lo, hi = Layout((n2,), 0, comm).range_of(comm.rank)
    _twiddle(t, n, lo, hi, 1.0 if inverse else -1.0, scale)
    t = in_place(fft, _transposed(t, n2, n1, rest, comm), [1], norm)  # C[k1, k2]
    t = _transposed(t, n1, n2, rest, comm)  # X[k1 + n1 k2] = C[k1, k2], rows k2
    counts = [r * n1 for r in chunk(n2, p)]
    out = lay.with_split(a, counts)
    return t.reshape(counts[comm.rank], *rest).movedim(0, a).contiguous(), out


def _transposed(
    t: torch.Tensor, rows: int, cols: int, rest: tuple[int, ...], comm: Any
) -> torch.Tensor:
    """The ``cols x rows`` transpose, cut into rows, of the ``rows x cols`` matrix (with
    trailing axes ``rest``) whose rows ``t`` holds: one ``alltoallv``."""
    src = Layout((cols, rows, *rest), 1, comm)
    return redistribute(t.transpose(0, 1), src, src.with_split(0))


def _twiddle(t: torch.Tensor, n: int, lo: int, hi: int, sign: float, scale: float) -> None:
    """``t[n2, k1, ...] *= scale * exp(sign 2 pi i n2 k1 / n)`` for rows ``n2`` in ``[lo, hi)``."""
    if t.numel() == 0:
        return
    k1 = torch.arange(t.shape[1], device=t.device)
    step = max(1, _TWIDDLE_CHUNK // max(1, t.shape[1]))
    shape = [1] * t.ndim
    for r0 in range(lo, hi, step):
        r1 = min(hi, r0 + step)
        n2 = torch.arange(r0, r1, device=t.device)
        turns = (n2[:, None] * k1[None, :]) % n  # exact: n2 * k1 < n
        angle = turns.to(torch.float64).mul_(sign * 2 * math.pi / n)
        w = torch.polar(torch.full_like(angle, scale), angle).to(t.dtype)
        shape[0], shape[1] = r1 - r0, t.shape[1]
        t.narrow(0, r0 - lo, r1 - r0).mul_(w.view(shape))


def _chirp(index: torch.Tensor, n: int, sign: float, dtype: torch.dtype) -> torch.Tensor:
    """``exp(sign pi i k^2 / n)`` for the integers ``index`` (``k^2`` reduced mod ``2 n``)."""
    turns = (index * index) % (2 * n)
    angle = turns.to(torch.float64).mul_(sign * math.pi / n)
    return torch.polar(torch.ones_like(angle), angle).to(dtype)


def _along(w: torch.Tensor, a: int, ndim: int) -> torch.Tensor:
    shape = [1] * ndim
    shape[a] = w.numel()
    return w.view(shape)


def _bluestein(
    t: torch.Tensor, lay: Layout, inverse: bool, scale: float
) -> tuple[torch.Tensor, Layout]:
    a = lay.split
    assert a is not None
    comm, n = lay.comm, lay.gshape[a]
    m = 1 << (2 * n - 2).bit_length()  # the power of two >= 2n - 1
    sign = 1.0 if inverse else -1.0
    dev, cdt = t.device, t.dtype
    lo, hi = lay.range_of(comm.rank)
    t = t * _along(_chirp(torch.arange(lo, hi, device=dev), n, sign, cdt), a, t.ndim)
    padded, lay_m = resized(t, lay, m)
    # the conjugate chirp, wrapped: b[j] = conj(w[j]) for j < n, b[m - j] = conj(w[j])
    kernel_lay = Layout((m,), 0, comm)
    k0, k1 = kernel_lay.range_of(comm.rank)
    j = torch.arange(k0, k1, device=dev)
    dist = torch.minimum(j, m - j)
    b = torch.where(dist < n, _chirp(dist, n, -sign, cdt), torch.zeros((), dtype=cdt, device=dev))
    spectrum, spec_lay = dft(b, kernel_lay, False, 1.0)
    data, data_lay = dft(padded, lay_m, False, 1.0)
    spectrum = redistribute(spectrum, spec_lay, Layout((m,), 0, comm, data_lay.counts))
    data.mul_(_along(spectrum, a, data.ndim))
    conv, conv_lay = dft(data, data_lay, True, 1.0 / m)
    out, out_lay = resized(conv, conv_lay, n)
    c0, c1 = out_lay.range_of(comm.rank)
    w = _chirp(torch.arange(c0, c1, device=dev), n, sign, cdt)
    return out.mul_(_along(w * scale, a, out.ndim)), out_lay


def resized(t: torch.Tensor, lay: Layout, n: int) -> tuple[torch.Tensor, Layout]:
    """The split axis cut to its first ``n`` entries or padded with zeros to ``n`` (no
    communication: the extents become ragged; the last rank holds the padding)."""
    a = lay.split
    assert a is not None and lay.counts is not None
    old, me, last = lay.gshape[a], lay.comm.rank, lay.comm.size - 1
    if n == old:
        return t, lay
    gshape = list(lay.gshape)
    gshape[a] = n
    if n < old:
        counts = [hi - lo for lo, hi in (overlap(lay.range_of(q), (0, n)) for q in range(last + 1))]
        return t.narrow(a, 0, counts[me]), Layout(gshape, a, lay.comm, counts)
    counts = list(lay.counts)
    counts[last] += n - old
    if me == last:
        pad = list(t.shape)
        pad[a] = n - old
        t = torch.cat([t, t.new_zeros(pad)], dim=a)
    return t, Layout(gshape, a, lay.comm, counts)


def hermitian_full(t: torch.Tensor, lay: Layout, n: int) -> tuple[torch.Tensor, Layout]:
    """The length-``n`` spectrum whose first ``n // 2 + 1`` entries are ``t``'s (cut or padded)
    and the rest their mirrored conjugates, ``Y[n - k] = conj(Y[k])``: one ``alltoallv``."""
    a = lay.split
    assert a is not None
    half = n // 2 + 1
    t, lay = resized(t, lay, half)
    tail = (1, n - half + 1)  # entries k of t mirrored to n - k

    def pieces_of(q: int) -> list[tuple[int, int]]:
        lo, hi = lay.range_of(q)
        m0, m1 = overlap((lo, hi), tail)
        return [(lo, hi), (n - m1 + 1, n - m0 + 1) if m1 > m0 else (n, n)]

    lo, hi = lay.range_of(lay.comm.rank)
    m0, m1 = overlap((lo, hi), tail)
    mirrored = t.narrow(a, m0 - lo, m1 - m0).flip(a).conj()
    out = Layout((*lay.gshape[:a], n, *lay.gshape[a + 1 :]), a, lay.comm)
    return assemble([t, mirrored.resolve_conj()], pieces_of, out), out
