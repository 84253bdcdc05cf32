"""hpa.fft against numpy.fft: every transform along every axis, for every split, ragged and
empty blocks, odd and even lengths, all norms and several dtypes; the all-to-alls counted.

Every rank runs the same cases in the same order; results are compared after gathering.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest
from helpers import P, assert_array, data, make, raised_everywhere

import hpa

NORMS = ["backward", "ortho", "forward"]
SHAPES = [(1,), (2,), (7,), (16,), (36,), (6, 5), (5, 1), (1, 4), (3, 0), (2, 3, 4)]
LONG = [(64,), (97,), (144,), (4 * P * 4 * P,)]  # six-step (and Bluestein for the prime)


def layouts(ndim: int) -> list[tuple[int | None, bool]]:
    """(split, ragged) pairs: replicated, each axis balanced, axis 0 ragged."""
    return [(None, False), *((a, False) for a in range(ndim)), (0, True)]


def cases(shapes: list[tuple[int, ...]]) -> list[Any]:
    out = []
    for shape in shapes:
        for split, ragged in layouts(len(shape)):
            for axis in (a for a in range(len(shape)) if shape[a]):  # length 0: an error
                name = f"{'x'.join(map(str, shape))}-s{split}{'r' if ragged else ''}-a{axis}"
                out.append(pytest.param(shape, split, ragged, axis, id=name))
    return out


def complex_data(shape: tuple[int, ...], dtype: Any = hpa.complex128) -> np.ndarray:
    return data(shape, dtype, seed=sum(shape) + len(shape))


def tol(dtype: Any) -> dict[str, float]:
    single = dtype in (np.complex64, np.float32, hpa.complex64, hpa.float32)
    return {"rtol": 2e-4, "atol": 2e-4} if single else {"rtol": 1e-9, "atol": 1e-9}


def same(got: hpa.Array, want: np.ndarray) -> None:
    scale = max(1.0, float(np.abs(want).max(initial=0)))
    t = tol(want.dtype)
    assert_array(got, want, rtol=t["rtol"], atol=t["atol"] * scale)


# ---------------------------------------------------------------------------- 1-D transforms
@pytest.mark.parametrize("shape,split,ragged,axis", cases(SHAPES + LONG))
def test_complex(shape: tuple[int, ...], split: int | None, ragged: bool, axis: int) -> None:
    ref = complex_data(shape)
    x = make(ref, split, ragged=ragged)
    n = shape[axis]
    for norm in NORMS:
        same(hpa.fft.fft(x, axis=axis, norm=norm), np.fft.fft(ref, axis=axis, norm=norm))
        same(hpa.fft.ifft(x, axis=axis, norm=norm), np.fft.ifft(ref, axis=axis, norm=norm))
    for m in (max(1, n - 1), n + 3):  # cut and padded
        same(hpa.fft.fft(x, m, axis), np.fft.fft(ref, m, axis))
        same(hpa.fft.ifft(x, m, axis, "ortho"), np.fft.ifft(ref, m, axis, "ortho"))
    assert_array(x, ref)  # the input is unchanged


@pytest.mark.parametrize("shape,split,ragged,axis", cases(SHAPES + LONG))
def test_real(shape: tuple[int, ...], split: int | None, ragged: bool, axis: int) -> None:
    real = data(shape, hpa.float64, seed=len(shape))
    spectrum = complex_data(shape)
    x, z = make(real, split, ragged=ragged), make(spectrum, split, ragged=ragged)
    n = shape[axis]
    for norm in NORMS:
        same(hpa.fft.rfft(x, axis=axis, norm=norm), np.fft.rfft(real, axis=axis, norm=norm))
        same(hpa.fft.ihfft(x, axis=axis, norm=norm), np.fft.ihfft(real, axis=axis, norm=norm))
        for m in {n, n + 1, 2 * n - 1}:  # odd and even outputs
            want = np.fft.irfft(spectrum, m, axis, norm)
            same(hpa.fft.irfft(z, m, axis, norm), want)
            same(hpa.fft.hfft(z, m, axis, norm), np.fft.hfft(spectrum, m, axis, norm))
    same(hpa.fft.rfft(x, n + 2, axis), np.fft.rfft(real, n + 2, axis))
    if n > 1:
        same(hpa.fft.irfft(z, axis=axis), np.fft.irfft(spectrum, axis=axis))


# ---------------------------------------------------------------------------- n-D transforms
ND_SHAPES = [(6, 5), (5, 1), (4, 2 * P), (3, 4, 5), (2, 1, 3), (8,)]


def nd_cases() -> list[Any]:
    out = []
    for shape in ND_SHAPES:
        for split, ragged in layouts(len(shape)):
            name = f"{'x'.join(map(str, shape))}-s{split}{'r' if ragged else ''}"
            out.append(pytest.param(shape, split, ragged, id=name))
    return out


def axes_choices(ndim: int) -> list[Any]:
    choices: list[Any] = [None, (ndim - 1,), tuple(range(ndim))[::-1]]
    if ndim > 1:
        choices += [(0,), (ndim - 1, 0)]
    return choices


@pytest.mark.parametrize("shape,split,ragged", nd_cases())
def test_n_dimensional(shape: tuple[int, ...], split: int | None, ragged: bool) -> None:
    ref, real = complex_data(shape), data(shape, hpa.float64, seed=3)
    x, xr = make(ref, split, ragged=ragged), make(real, split, ragged=ragged)
    for axes in axes_choices(len(shape)):
        for norm in NORMS:
            same(hpa.fft.fftn(x, axes=axes, norm=norm), np.fft.fftn(ref, axes=axes, norm=norm))
            same(hpa.fft.ifftn(x, axes=axes, norm=norm), np.fft.ifftn(ref, axes=axes, norm=norm))
        same(hpa.fft.rfftn(xr, axes=axes), np.fft.rfftn(real, axes=axes))
        want = np.fft.irfftn(ref, axes=axes) if shape[-1 if axes is None else axes[-1]] > 1 else None
        if want is not None:
            same(hpa.fft.irfftn(x, axes=axes), want)
        axes = tuple(range(len(shape))) if axes is None else axes
        grown = [shape[a] + 1 for a in axes]
        same(hpa.fft.fftn(x, grown, axes), np.fft.fftn(ref, grown, axes))
        same(hpa.fft.irfftn(x, grown, axes, "ortho"), np.fft.irfftn(ref, grown, axes, "ortho"))
    if len(shape) > 1:
        same(hpa.fft.fft2(x), np.fft.fft2(ref))
        same(hpa.fft.ifft2(x, norm="forward"), np.fft.ifft2(ref, norm="forward"))
        same(hpa.fft.rfft2(xr), np.fft.rfft2(real))
        s = (shape[-2], 2 * shape[-1])
        same(hpa.fft.irfft2(x, s), np.fft.irfft2(ref, s))
        same(hpa.fft.fftn(x, s=(-1, shape[-1] + 2)), np.fft.fftn(ref, (shape[-2], shape[-1] + 2), (-2, -1)))


def test_repeated_axes() -> None:
    ref = complex_data((4, 6))
    for split in (None, 0, 1):
        x = make(ref, split)
        same(hpa.fft.fftn(x, axes=(0, 0)), np.fft.fftn(ref, axes=(0, 0)))
        same(hpa.fft.ifftn(x, s=(3, 5), axes=(1, 1)), np.fft.ifftn(ref, s=(3, 5), axes=(1, 1)))


# ---------------------------------------------------------------------------- layouts
@pytest.mark.parametrize("split", [None, 0, 1, 2])
def test_out_split(split: int | None) -> None:
    ref = complex_data((6, 4, 5))
    x = make(ref, split)
    for out in range(3):
        y = hpa.fft.fftn(x, out_split=out)
        assert y.split == out and y.is_balanced()
        same(y, np.fft.fftn(ref))
        back = hpa.fft.ifftn(y, out_split=split)  # None: keep y's split
        assert back.split == (out if split is None else split)
        same(back, ref)
    assert hpa.fft.fft(x, axis=1).split == split  # default: the input's split


def test_result_layout_does_not_depend_on_processes() -> None:
    x = make(complex_data((9, 4)), 0, ragged=True)
    y = hpa.fft.fft(x, axis=1)  # the split axis untouched: the blocks stay as they are
    assert y.split == 0 and y.counts == x.counts
    z = hpa.fft.fft(x, axis=0)  # transformed along the split: balanced
    assert z.split == 0 and z.is_balanced()
    r = hpa.fft.rfft(make(data((10,)), 0))
    assert r.shape == (6,) and r.split == 0 and r.is_balanced()


# ---------------------------------------------------------------------------- communication
def alltoallv_count(fn: Any) -> tuple[int, int]:
    with hpa.count_collectives() as stats:
        fn()
    return stats["alltoallv"], stats.total


def test_local_axes_do_not_communicate() -> None:
    x = make(complex_data((P * 3, 8)), 0)
    for fn in (
        lambda: hpa.fft.fft(x, axis=1),
        lambda: hpa.fft.ifft(x, 5, axis=-1),
        lambda: hpa.fft.rfft(hpa.real(x), axis=1),
        lambda: hpa.fft.irfft(x, axis=1),
        lambda: hpa.fft.fftn(x, axes=(1,)),
        lambda: hpa.fft.fftshift(x, axes=1),
        lambda: hpa.fft.fftn(make(complex_data((4, 4)), None)),
    ):
        assert alltoallv_count(fn) == (0, 0)


def test_one_alltoall_per_transpose() -> None:
    x = make(complex_data((4 * P, 3 * P)), 0)
    per_move = 1 if P > 1 else 0
    assert alltoallv_count(lambda: hpa.fft.fft(x, axis=0)) == (2 * per_move, 2 * per_move)
    assert alltoallv_count(lambda: hpa.fft.fftn(x)) == (2 * per_move, 2 * per_move)
    y = hpa.fft.fftn(x, out_split=1)
    assert alltoallv_count(lambda: hpa.fft.fftn(x, out_split=1)) == (per_move, per_move)
    assert alltoallv_count(lambda: hpa.fft.ifftn(y, out_split=0)) == (per_move, per_move)
    r = make(data((4 * P, 3 * P)), 1)
    assert alltoallv_count(lambda: hpa.fft.rfftn(r)) == (2 * per_move, 2 * per_move)
    assert alltoallv_count(lambda: hpa.fft.fftshift(x, axes=0)) == (per_move, per_move)


def test_six_step_costs_three_alltoalls() -> None:
    n = (4 * P) ** 2  # every block falls on whole rows of the 4P x 4P matrix
    x = make(complex_data((n,)), 0)
    moves = 3 if P > 1 else 0
    assert alltoallv_count(lambda: hpa.fft.fft(x)) == (moves, moves)
    assert alltoallv_count(lambda: hpa.fft.ifft(x, norm="ortho")) == (moves, moves)


# ---------------------------------------------------------------------------- dtypes
@pytest.mark.parametrize(
    "dtype", [hpa.float32, hpa.float64, hpa.int32, hpa.bool_, hpa.complex64, hpa.float16], ids=str
)
@pytest.mark.parametrize("split", [None, 0])
def test_dtypes(dtype: hpa.DType, split: int | None) -> None:
    ref = data((12,), dtype)
    x = make(ref, split)
    ref64 = ref.astype(np.float32) if dtype is hpa.float16 else ref
    same(hpa.fft.fft(x), np.fft.fft(ref64))
    same(hpa.fft.ifftn(x), np.fft.ifftn(ref64))
    if dtype.kind != "c":
        same(hpa.fft.rfft(x), np.fft.rfft(ref64))
        same(hpa.fft.ihfft(x), np.fft.ihfft(ref64))
    want = np.fft.irfft(ref, 10)  # float16 stays float16, as NumPy's
    loose = {"rtol": 5e-3, "atol": 5e-3} if dtype is hpa.float16 else tol(want.dtype)
    assert_array(hpa.fft.irfft(x, 10), want, **loose, dtype=want.dtype)
    assert hpa.fft.hfft(x).dtype.name == np.fft.hfft(ref).dtype.name


# ---------------------------------------------------------------------------- helpers
@pytest.mark.parametrize("n", [1, 2, 7, 8])
@pytest.mark.parametrize("split", [None, 0])
def test_frequencies(n: int, split: int | None) -> None:
    assert_array(hpa.fft.fftfreq(n, split=split), np.fft.fftfreq(n))
    assert_array(hpa.fft.fftfreq(n, 0.1, split=split), np.fft.fftfreq(n, 0.1))
    assert_array(hpa.fft.rfftfreq(n, d=2.0, split=split), np.fft.rfftfreq(n, d=2.0))
    f = hpa.fft.fftfreq(n, dtype=hpa.float32, split=split)
    assert_array(f, np.fft.fftfreq(n).astype(np.float32), rtol=1e-6)
    assert hpa.fft.rfftfreq(n, split=split).split == split


@pytest.mark.parametrize("shape", [(7,), (8,), (5, 6), (3, 4, 5), (0, 3)], ids=str)
def test_shifts(shape: tuple[int, ...]) -> None:
    ref = data(shape, hpa.int64)
    for split, ragged in layouts(len(shape)):
        x = make(ref, split, ragged=ragged)
        for axes in (None, 0, (-1,), tuple(range(len(shape)))):
            assert_array(hpa.fft.fftshift(x, axes), np.fft.fftshift(ref, axes))
            assert_array(hpa.fft.ifftshift(x, axes=axes), np.fft.ifftshift(ref, axes=axes))
            assert_array(hpa.fft.ifftshift(hpa.fft.fftshift(x, axes), axes), ref)


# ---------------------------------------------------------------------------- errors
def test_errors_are_raised_on_every_rank() -> None:
    x = make(complex_data((4, 6)), 0)
    r = make(data((4, 6)), 0)
    raised_everywhere(ValueError, lambda: hpa.fft.fft(x, norm="sideways"))
    raised_everywhere(ValueError, lambda: hpa.fft.fft(x, 0))
    raised_everywhere(ValueError, lambda: hpa.fft.fft(make(np.zeros((3, 0)), 0)))
    raised_everywhere(ValueError, lambda: hpa.fft.irfft(make(np.ones((4, 1)), 0)))
    raised_everywhere(ValueError, lambda: hpa.fft.fftn(x, s=(3,), axes=(0, 1)))
    raised_everywhere(TypeError, lambda: hpa.fft.rfft(x))
    raised_everywhere(TypeError, lambda: hpa.fft.ihfft(x))
    raised_everywhere(TypeError, lambda: hpa.fft.fft(x, 2.5))
    raised_everywhere(IndexError, lambda: hpa.fft.fft(r, axis=2))
    raised_everywhere(IndexError, lambda: hpa.fft.fftn(r, axes=(0, 3)))
    raised_everywhere(IndexError, lambda: hpa.fft.fft(r, out_split=2))
    raised_everywhere(ValueError, lambda: hpa.fft.fftfreq(0))
    raised_everywhere(TypeError, lambda: hpa.fft.fftfreq(4, dtype=hpa.int64))


# ---------------------------------------------------------------------------- namespace
def test_namespace_matches_numpy() -> None:
    numpy_names = {n for n in np.fft.__all__ if not n.startswith("_")}
    assert set(hpa.fft.__all__) == numpy_names
    for name in hpa.fft.__all__:
        assert callable(getattr(hpa.fft, name))
    assert hpa.__array_namespace_info__().capabilities() is not None


@pytest.mark.parametrize("name", ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft"])
def test_one_dimensional_signatures(name: str) -> None:
    """NumPy's positional ``n, axis, norm`` and the Array API's positional-only ``x``."""
    params = inspect.signature(getattr(hpa.fft, name)).parameters
    assert list(params)[:4] == ["x", "n", "axis", "norm"]
    assert params["x"].kind is inspect.Parameter.POSITIONAL_ONLY
    assert params["out_split"].kind is inspect.Parameter.KEYWORD_ONLY
