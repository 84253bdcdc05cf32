"""hpa.sparse's files against SciPy's: ``.npz`` archives (compressed and stored, CSR, CSC, COO,
BSR and DIA, written by one and read by the other) and Matrix Market files (coordinate and
array format, general, symmetric, skew-symmetric, Hermitian, complex, integer and pattern).

SciPy reads and writes on rank 0 only, as a job of another size would; every rank sees the
files under the same name (the ``shared_dir`` fixture).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp
from helpers import P, agree, listing, on_rank0, raised_everywhere, ragged_counts

import hpa
from hpa.sparse import CSRMatrix

LAYOUTS = ["rep", "s0", "ragged", "one"]
SHAPES = [(9, 7), (4, 11), (2, 3), (0, 5), (5, 0), (0, 0)]


def shape_id(shape: tuple[int, int]) -> str:
    return f"{shape[0]}x{shape[1]}"


def cases() -> list[Any]:
    """(shape, dtype, layout): every layout in float64 and every dtype in one layout for the
    larger shapes, three of those pairs for the small and empty ones."""
    combos = [*(("float64", lay) for lay in LAYOUTS), ("float32", "ragged"),
              ("complex128", "one"), ("int64", "rep")]  # fmt: skip
    out = []
    for shape in SHAPES:
        small = [("float64", "ragged"), ("complex128", "one"), ("int64", "rep")]
        for dtype, layout in combos if min(shape) > 2 else small:
            out.append(pytest.param(shape, dtype, layout, id=f"{shape_id(shape)}-{dtype}-{layout}"))
    return out


def sample(shape: tuple[int, int], dtype: str = "float64", seed: int = 0) -> sp.csr_array:
    """A SciPy matrix with about a third of its entries stored and some empty rows."""
    m, n = shape
    rng = np.random.default_rng(seed + 100 * m + n)
    mask = rng.random((m, n)) < 0.35
    if m > 2:
        mask[1] = False
    if dtype.startswith("int"):
        vals = rng.integers(1, 9, (m, n)) * rng.choice([-1, 1], (m, n))
    elif dtype.startswith("complex"):
        vals = rng.standard_normal((m, n)) + 1j * rng.standard_normal((m, n))
    else:
        vals = rng.standard_normal((m, n))
    return sp.csr_array(np.where(mask, vals, 0).astype(dtype))


def build(S: Any, layout: str) -> CSRMatrix:
    if layout == "rep":
        return hpa.sparse.csr_matrix(S, split=None)
    A = hpa.sparse.csr_matrix(S)
    m = S.shape[0]
    if layout == "ragged":
        return A.redistribute(ragged_counts(m))
    if layout == "one":
        return A.redistribute([m] + [0] * (P - 1))
    return A


def equal(got: Any, want: Any) -> bool:
    """Two SciPy matrices (or dense arrays) with the same shape, dtype and values."""
    g = got.toarray() if sp.issparse(got) else np.asarray(got)
    w = want.toarray() if sp.issparse(want) else np.asarray(want)
    return g.shape == w.shape and g.dtype == w.dtype and np.array_equal(g, w)


def same(A: Any, S: Any, split: int | None = 0) -> None:
    """``A`` is an hpa matrix holding ``S`` exactly, balanced along its rows (``split`` 0) or
    replicated, on every rank."""
    assert isinstance(A, CSRMatrix), f"expected a CSRMatrix, got {type(A).__name__}"
    got = A.to_scipy()
    lo, hi = A.row_range
    ok = equal(got, S) and A.split == split and A.dtype.name == np.dtype(S.dtype).name
    if split == 0:
        ok = ok and A.counts == tuple(hpa.core.layout.chunk(S.shape[0], P))
    part = sp.csr_array(S)[lo:hi]
    part.sum_duplicates()
    ok = ok and np.array_equal(A.indptr.numpy(), part.indptr)
    ok = ok and np.array_equal(A.indices.numpy(), part.indices)
    agree(ok, f"loaded matrix: {got!r} against {S!r}")


# ================================================================================ .npz
@pytest.mark.parametrize(("shape", "dtype", "layout"), cases())
@pytest.mark.parametrize("compressed", [True, False], ids=["deflated", "stored"])
def test_save_npz_then_scipy_and_hpa_read_it(
    shared_dir: Path, shape, dtype: str, layout: str, compressed: bool
) -> None:
    S = sample(shape, dtype, seed=1)
    path = shared_dir / "m.npz"
    hpa.sparse.save_npz(path, build(S, layout), compressed=compressed)

    def read() -> tuple[Any, set[int]]:
        with zipfile.ZipFile(path) as archive:
            kinds = {info.compress_type for info in archive.infolist()}
        return sp.load_npz(path), kinds

    back, kinds = on_rank0(read)
    want_kind = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    agree(back.format == "csr" and equal(back, S), "scipy.sparse.load_npz reads it")
    agree(kinds == {want_kind}, f"compression {kinds}")
    same(hpa.sparse.load_npz(path), S)
    same(hpa.sparse.load_npz(path, split=None), S, split=None)
    agree(listing(shared_dir) == ["m.npz"], "no temporary file left behind")


@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "bsr", "dia"])
@pytest.mark.parametrize("compressed", [True, False], ids=["deflated", "stored"])
@pytest.mark.parametrize("split", [0, None])
@pytest.mark.parametrize("dtype", ["float64", "complex128", "int64"])
def test_load_npz_written_by_scipy(
    shared_dir: Path, fmt: str, compressed: bool, split: int | None, dtype: str
) -> None:
    S = sample((11, 6), dtype, seed=2)
    path = shared_dir / f"{fmt}.npz"
    on_rank0(lambda: sp.save_npz(path, S.asformat(fmt), compressed=compressed))
    same(hpa.sparse.load_npz(path, split=split), S, split=split)
    same(hpa.sparse.load_npz(str(path), split=split), S, split=split)


@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
@pytest.mark.parametrize("compressed", [True, False], ids=["deflated", "stored"])
def test_load_npz_shapes(shared_dir: Path, shape, compressed: bool) -> None:
    S = sample(shape, "float32", seed=3)
    path = shared_dir / "s.npz"
    on_rank0(lambda: sp.save_npz(path, S, compressed=compressed))
    same(hpa.sparse.load_npz(path), S)
    same(hpa.sparse.load_npz(path, split=None), S, split=None)


@pytest.mark.parametrize("compressed", [True, False], ids=["deflated", "stored"])
def test_load_npz_of_a_non_canonical_csr(shared_dir: Path, compressed: bool) -> None:
    """Unsorted columns and repeated entries (as SciPy may store them): sorted and summed."""
    data = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    indices = np.array([4, 0, 4, 2, 1, 3, 1])
    indptr = np.array([0, 3, 3, 5, 5, 7])
    S = sp.csr_array((data, indices, indptr), shape=(5, 6))
    path = shared_dir / "raw.npz"
    on_rank0(lambda: sp.save_npz(path, S, compressed=compressed))
    want = S.copy()
    want.sum_duplicates()
    for split in (0, None):
        A = hpa.sparse.load_npz(path, split=split)
        same(A, want, split=split)
        agree(A.nnz == want.nnz == 6, f"repeats summed: nnz {A.nnz}")


def test_load_npz_of_a_csr_matrix_and_int32_indices(shared_dir: Path) -> None:
    S = sample((8, 9), "float64", seed=4)
    M = sp.csr_matrix(S)
    M.indices = M.indices.astype(np.int32)
    M.indptr = M.indptr.astype(np.int32)
    path = shared_dir / "matrix.npz"
    on_rank0(lambda: sp.save_npz(path, M, compressed=False))
    same(hpa.sparse.load_npz(path), S)


def test_save_npz_appends_the_suffix(shared_dir: Path) -> None:
    S = sample((6, 6), "float64", seed=5)
    hpa.sparse.save_npz(shared_dir / "plain", hpa.sparse.csr_matrix(S))
    hpa.sparse.save_npz(str(shared_dir / "named.npz"), hpa.sparse.csr_matrix(S))
    agree(listing(shared_dir) == ["named.npz", "plain.npz"], f"files {listing(shared_dir)}")
    back = on_rank0(lambda: sp.load_npz(shared_dir / "plain.npz"))
    agree(equal(back, S), "scipy reads it")
    # saving again replaces the file
    T = sample((3, 4), "int64", seed=6)
    hpa.sparse.save_npz(shared_dir / "plain.npz", hpa.sparse.csr_matrix(T))
    same(hpa.sparse.load_npz(shared_dir / "plain.npz"), T)
    agree(listing(shared_dir) == ["named.npz", "plain.npz"], "no temporary file left behind")


def test_npz_errors_on_every_rank(shared_dir: Path) -> None:
    raised_everywhere(FileNotFoundError, lambda: hpa.sparse.load_npz(shared_dir / "missing.npz"))
    raised_everywhere(
        FileNotFoundError, lambda: hpa.sparse.load_npz(shared_dir / "missing.npz", split=None)
    )
    other = shared_dir / "other.npz"
    on_rank0(lambda: np.savez(other, a=np.arange(3)))
    raised_everywhere(ValueError, lambda: hpa.sparse.load_npz(other))
    raised_everywhere(TypeError, lambda: hpa.sparse.save_npz(shared_dir / "x.npz", np.eye(3)))
    good = shared_dir / "good.npz"
    for fmt in ("csr", "coo"):
        on_rank0(lambda f=fmt: sp.save_npz(good, sample((4, 4), seed=16).asformat(f)))
        raised_everywhere(hpa.SplitError, lambda: hpa.sparse.load_npz(good, split=1))
    agree(listing(shared_dir) == ["good.npz", "other.npz"], "a failed save leaves nothing")


# ================================================================================ .mtx
def symmetric(n: int, dtype: str, kind: str, seed: int) -> sp.csr_array:
    """A symmetric, skew-symmetric or Hermitian matrix (entries on the diagonal unless skew)."""
    S = sample((n, n), dtype, seed=seed)
    if kind == "symmetric":
        return sp.csr_array(S + S.T)
    if kind == "skew-symmetric":
        return sp.csr_array(S - S.T)
    return sp.csr_array(S + S.conj().T)  # hermitian


MTX_CASES = [
    ("float64", "general"),
    ("float32", "general"),
    ("int64", "general"),
    ("complex128", "general"),
    ("float64", "symmetric"),
    ("int64", "skew-symmetric"),
    ("float64", "skew-symmetric"),
    ("complex128", "hermitian"),
    ("complex128", "symmetric"),
]


def reference(S: Any, kind: str) -> Any:
    return S if kind == "general" else symmetric(S.shape[0], S.dtype.name, kind, seed=7)


@pytest.mark.parametrize(("dtype", "kind"), MTX_CASES, ids=lambda c: str(c))
@pytest.mark.parametrize("split", [0, None])
def test_mmread_written_by_scipy(shared_dir: Path, dtype: str, kind: str, split: int) -> None:
    S = reference(sample((7, 7), dtype, seed=8), kind)
    path = shared_dir / "m.mtx"
    symmetry = None if kind == "general" else kind
    on_rank0(lambda: scipy.io.mmwrite(path, S, symmetry=symmetry))
    want = on_rank0(lambda: sp.csr_array(scipy.io.mmread(path)))
    header = on_rank0(lambda: path.read_text().splitlines()[0])
    agree(kind in header, f"SciPy wrote a {kind} file: {header}")
    A = hpa.sparse.mmread(path, split=split)
    same(A, want, split=split)
    agree(equal(A.to_scipy().astype(S.dtype), S), "the whole matrix, both triangles")


@pytest.mark.parametrize("shape", [(9, 7), (4, 11), (2, 3), (0, 4)], ids=shape_id)
@pytest.mark.parametrize("split", [0, None])
def test_mmread_rectangular_and_empty(shared_dir: Path, shape, split: int | None) -> None:
    S = sample(shape, "float64", seed=9)
    path = shared_dir / "r.mtx"
    on_rank0(lambda: scipy.io.mmwrite(path, S))
    same(hpa.sparse.mmread(path, split=split), S, split=split)


@pytest.mark.parametrize("split", [0, None])
def test_mmread_pattern(shared_dir: Path, split: int | None) -> None:
    S = sample((8, 6), "float64", seed=10)
    path = shared_dir / "p.mtx"
    on_rank0(lambda: scipy.io.mmwrite(path, S, field="pattern"))
    want = on_rank0(lambda: sp.csr_array(scipy.io.mmread(path)))
    agree(on_rank0(lambda: "pattern" in path.read_text().splitlines()[0]), "a pattern file")
    A = hpa.sparse.mmread(path, split=split)
    same(A, want, split=split)
    agree(np.array_equal(A.to_scipy().toarray() != 0, S.toarray() != 0), "the pattern")


@pytest.mark.parametrize(("dtype", "kind"), [("float64", "general"), ("int64", "general"),
                                             ("complex128", "general"),
                                             ("float64", "symmetric")])  # fmt: skip
@pytest.mark.parametrize("split", [0, None])
def test_mmread_array_format(shared_dir: Path, dtype: str, kind: str, split: int) -> None:
    """A dense (array-format) file: its zeros are not stored."""
    S = reference(sample((6, 6), dtype, seed=11), kind)
    dense = S.toarray()
    path = shared_dir / "a.mtx"
    symmetry = None if kind == "general" else kind
    on_rank0(lambda: scipy.io.mmwrite(path, dense, symmetry=symmetry))
    agree(on_rank0(lambda: "array" in path.read_text().splitlines()[0]), "an array file")
    want = on_rank0(lambda: sp.csr_array(scipy.io.mmread(path)))
    A = hpa.sparse.mmread(path, split=split)
    same(A, want, split=split)
    agree(A.nnz == S.nnz, f"only the nonzeros are stored: {A.nnz} != {S.nnz}")


@pytest.mark.parametrize(("dtype", "kind"), MTX_CASES, ids=lambda c: str(c))
@pytest.mark.parametrize("layout", LAYOUTS)
def test_mmwrite_then_scipy_and_hpa_read_it(
    shared_dir: Path, dtype: str, kind: str, layout: str
) -> None:
    S = reference(sample((7, 7), dtype, seed=12), kind)
    path = shared_dir / "w.mtx"
    symmetry = None if kind == "general" else kind
    hpa.sparse.mmwrite(path, build(S, layout), comment="written by hpa", symmetry=symmetry)
    text = on_rank0(lambda: path.read_text())
    back = on_rank0(lambda: scipy.io.mmread(path))
    agree(text.startswith("%%MatrixMarket matrix coordinate"), "a coordinate file")
    agree((kind in text.splitlines()[0]) and "written by hpa" in text, "header and comment")
    agree(sp.issparse(back) and equal(sp.csr_array(back).astype(S.dtype), S), "scipy reads it")
    same(hpa.sparse.mmread(path).astype(S.dtype), S)
    agree(listing(shared_dir) == ["w.mtx"], "no temporary file left behind")


@pytest.mark.parametrize("shape", [(9, 7), (2, 3), (0, 4), (4, 0)], ids=shape_id)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_mmwrite_rectangular_and_empty(shared_dir: Path, shape, layout: str) -> None:
    S = sample(shape, "float64", seed=13)
    path = shared_dir / "e.mtx"
    hpa.sparse.mmwrite(path, build(S, layout))
    back = on_rank0(lambda: sp.csr_array(scipy.io.mmread(path)))
    agree(equal(back, S), "scipy reads it")
    same(hpa.sparse.mmread(path), S)


def test_mmwrite_options(shared_dir: Path) -> None:
    S = sample((5, 6), "float64", seed=14)
    A = hpa.sparse.csr_matrix(S)
    hpa.sparse.mmwrite(shared_dir / "plain", A, precision=3)
    agree(listing(shared_dir) == ["plain.mtx"], "the suffix is appended")
    back = on_rank0(lambda: sp.csr_array(scipy.io.mmread(shared_dir / "plain.mtx")))
    agree(np.allclose(back.toarray(), S.toarray(), rtol=1e-2, atol=1e-2), "three digits")
    hpa.sparse.mmwrite(shared_dir / "pattern.mtx", A, field="pattern")
    back = on_rank0(lambda: sp.csr_array(scipy.io.mmread(shared_dir / "pattern.mtx")))
    agree(np.array_equal(back.toarray() != 0, S.toarray() != 0), "a pattern file")
    hpa.sparse.mmwrite(shared_dir / "int.mtx", A.astype("int64"), field="integer")
    back = on_rank0(lambda: sp.csr_array(scipy.io.mmread(shared_dir / "int.mtx")))
    agree(np.array_equal(back.toarray(), S.astype(np.int64).toarray()), "an integer file")


def test_mtx_errors_on_every_rank(shared_dir: Path) -> None:
    raised_everywhere(FileNotFoundError, lambda: hpa.sparse.mmread(shared_dir / "missing.mtx"))
    raised_everywhere(TypeError, lambda: hpa.sparse.mmwrite(shared_dir / "x.mtx", np.eye(2)))
    path = shared_dir / "m.mtx"
    on_rank0(lambda: scipy.io.mmwrite(path, sample((4, 4), seed=15)))
    raised_everywhere(hpa.SplitError, lambda: hpa.sparse.mmread(path, split=1))
    agree(listing(shared_dir) == ["m.mtx"], "nothing else written")
