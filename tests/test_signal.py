"""hpa.signal against NumPy and SciPy (convolve, correlate with HeAT's stride, fftconvolve), and
the halo API (``get_halo``, ``halo_prev``, ``halo_next``, ``array_with_halos``): every split of
either operand, ragged and empty blocks, odd and even lengths, several dtypes; the exchanges
counted.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.signal
from helpers import P, RANK, agree, assert_array, data, make, raised_everywhere

import hpa

MODES = ["full", "same", "valid"]
LENGTHS = [(1, 1), (7, 3), (3, 7), (4, 4), (2, 5), (5, 2), (12, 1), (1, 6), (20, 6), (9, 9)]
LAYOUTS = [(None, False), (0, False), (0, True)]


def operand(values: np.ndarray, layout: tuple[int | None, bool]) -> hpa.Array:
    return make(values, layout[0], ragged=layout[1])


def layout_id(layout: tuple[int | None, bool]) -> str:
    return f"s{layout[0]}{'r' if layout[1] else ''}"


def close(got: hpa.Array, want: np.ndarray) -> None:
    single = want.dtype in (np.float32, np.complex64)
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    rtol = 1e-4 if single else 1e-9
    assert_array(got, want, rtol=rtol, atol=rtol * scale)


@pytest.mark.parametrize("n,k", LENGTHS, ids=lambda v: str(v))
@pytest.mark.parametrize("la", LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("lv", LAYOUTS, ids=layout_id)
def test_convolve_and_correlate(n: int, k: int, la: Any, lv: Any) -> None:
    a, v = data((n,), hpa.float64, seed=n), data((k,), hpa.float64, seed=k + 100)
    x, y = operand(a, la), operand(v, lv)
    for mode in MODES:
        for stride in (1, 2, 3):
            got = hpa.signal.convolve(x, y, mode, stride)
            close(got, np.convolve(a, v, mode)[::stride])
            assert got.split == (0 if 0 in (la[0], lv[0]) else None)
            close(hpa.signal.correlate(x, y, mode, stride), np.correlate(a, v, mode)[::stride])
    close(hpa.signal.correlate(x, y), np.correlate(a, v))  # NumPy's default: valid
    assert_array(x, a)  # the inputs are unchanged
    assert_array(y, v)


@pytest.mark.parametrize(
    "dtype", [hpa.float32, hpa.complex128, hpa.int64, hpa.int32, hpa.bool_], ids=str
)
@pytest.mark.parametrize("la", LAYOUTS, ids=layout_id)
def test_dtypes(dtype: hpa.DType, la: Any) -> None:
    a, v = data((11,), dtype, seed=1), data((4,), dtype, seed=2)
    x, y = operand(a, la), operand(v, (0, False))
    for mode in MODES:
        close(hpa.signal.convolve(x, y, mode), np.convolve(a, v, mode))
        close(hpa.signal.correlate(x, y, mode, 2), np.correlate(a, v, mode)[::2])
    mixed = data((4,), hpa.complex64, seed=3)
    close(hpa.signal.convolve(x, operand(mixed, (None, False))), np.convolve(a, mixed))


def test_scalars_and_errors() -> None:
    close(hpa.signal.convolve(2.0, [1.0, 3.0]), np.convolve(2.0, [1.0, 3.0]))
    x = make(data((6,)), 0)
    raised_everywhere(ValueError, lambda: hpa.signal.convolve(x, make(np.zeros(0), 0)))
    raised_everywhere(ValueError, lambda: hpa.signal.convolve(x, x, mode="middle"))
    raised_everywhere(ValueError, lambda: hpa.signal.convolve(x, x, stride=0))
    raised_everywhere(ValueError, lambda: hpa.signal.correlate(make(data((3, 2)), 0), x))
    raised_everywhere(ValueError, lambda: hpa.signal.fftconvolve(x, make(data((3, 2)), 0)))
    raised_everywhere(ValueError, lambda: hpa.signal.fftconvolve(x, x, mode="middle"))
    a, b = make(data((4, 6)), 0), make(data((6, 4)), None)
    raised_everywhere(ValueError, lambda: hpa.signal.fftconvolve(a, b, mode="valid"))


def test_convolution_communicates_the_rows_it_needs() -> None:
    """A split signal with a replicated kernel: one ``alltoallv``; a split kernel: plus one
    ``allgatherv`` of the kernel. Nothing at all when the signal is replicated."""
    x, kernel = make(data((40 * P,)), 0), data((5,))
    with hpa.count_collectives() as stats:
        hpa.signal.convolve(x, make(kernel, None), "same")
    assert stats.total == stats["alltoallv"] == (1 if P > 1 else 0)
    with hpa.count_collectives() as stats:
        hpa.signal.convolve(x, make(kernel, 0), "valid", 2)
    moves = 1 if P > 1 else 0
    assert stats["alltoallv"] == stats["allgatherv"] == moves and stats.total == 2 * moves
    with hpa.count_collectives() as stats:
        hpa.signal.convolve(make(data((40,)), None), make(kernel, None))
    assert stats.total == 0


# ---------------------------------------------------------------------------- fftconvolve
@pytest.mark.parametrize("n,k", [(7, 3), (3, 7), (16, 16), (30, 11), (1, 1)], ids=str)
@pytest.mark.parametrize("la", LAYOUTS, ids=layout_id)
@pytest.mark.parametrize("lv", LAYOUTS, ids=layout_id)
def test_fftconvolve_1d(n: int, k: int, la: Any, lv: Any) -> None:
    a, v = data((n,), seed=n), data((k,), seed=k + 1)
    c = data((k,), hpa.complex128, seed=5)
    x, y, z = operand(a, la), operand(v, lv), operand(c, lv)
    for mode in MODES:
        close(hpa.signal.fftconvolve(x, y, mode), scipy.signal.fftconvolve(a, v, mode))
        close(hpa.signal.fftconvolve(x, z, mode), scipy.signal.fftconvolve(a, c, mode))


@pytest.mark.parametrize("s1", [None, 0, 1])
@pytest.mark.parametrize("s2", [None, 0, 1])
def test_fftconvolve_2d(s1: int | None, s2: int | None) -> None:
    a, b = data((9, 8), seed=1), data((3, 4), seed=2)
    x, y = make(a, s1), make(b, s2)
    for mode in MODES:
        close(hpa.signal.fftconvolve(x, y, mode), scipy.signal.fftconvolve(a, b, mode))
    row = make(b[:1], s2)  # broadcast along the axis not convolved
    close(hpa.signal.fftconvolve(x, row, axes=1), scipy.signal.fftconvolve(a, b[:1], axes=1))
    f32 = hpa.signal.fftconvolve(make(a.astype(np.float32), s1), make(b.astype(np.float32), s2))
    assert f32.dtype == hpa.float32
    close(f32, scipy.signal.fftconvolve(a.astype(np.float32), b.astype(np.float32)))


def test_fftconvolve_of_long_kernel_keeps_blocks_small() -> None:
    """A kernel as long as the signal, both split: the spectra stay split, never gathered."""
    n = 64 * P
    a, v = data((n,), seed=1), data((n,), seed=2)
    with hpa.count_collectives() as stats:
        got = hpa.signal.fftconvolve(make(a, 0), make(v, 0))
    close(got, scipy.signal.fftconvolve(a, v))
    assert stats["allgatherv"] == 0 and stats["allreduce"] == 0


# ---------------------------------------------------------------------------- halos
@pytest.mark.parametrize("shape,split", [((7,), 0), ((9, 3), 0), ((3, 10), 1), ((2,), 0)])
@pytest.mark.parametrize("ragged", [False, True])
@pytest.mark.parametrize("size", [0, 1, 3])
def test_halos(shape: tuple[int, ...], split: int, ragged: bool, size: int) -> None:
    ref = data(shape, hpa.int64)
    x = make(ref, split, ragged=ragged)
    assert x.halo_prev is None and x.halo_next is None
    x.get_halo(size)
    n = shape[split]
    lo, hi = (0, n) if P == 1 else x.layout.range_of(RANK)
    if P == 1:
        lo = hi = 0  # nothing to fetch at one process
    moved = np.moveaxis(ref, split, 0)
    want_prev = moved[max(0, lo - size) : lo] if P > 1 else moved[:0]
    want_next = moved[hi : min(n, hi + size)] if P > 1 else moved[:0]
    prev = x.halo_prev.movedim(split, 0).numpy()
    nxt = x.halo_next.movedim(split, 0).numpy()
    agree(np.array_equal(prev, want_prev) and np.array_equal(nxt, want_next), "halos")
    full = x.array_with_halos.movedim(split, 0).numpy()
    block = np.moveaxis(x.larray.numpy(), split, 0)
    agree(np.array_equal(full, np.concatenate([want_prev, block, want_next])), "with halos")


def test_halo_one_side_and_errors() -> None:
    x = make(np.arange(10 * P), 0)
    x.get_halo(2, next=False)
    agree(x.halo_next.numel() == 0, "no next halo")
    agree(x.halo_prev.numel() == (0 if RANK == 0 or P == 1 else 2), "prev halo")
    raised_everywhere(ValueError, lambda: x.get_halo(-1))
    raised_everywhere(TypeError, lambda: x.get_halo(1.5))
    y = make(np.arange(6), None)
    y.get_halo(3)
    assert y.halo_prev.numel() == 0 and y.array_with_halos is y.larray
