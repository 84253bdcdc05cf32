"""hpa.sparse against scipy.sparse: creation, conversions, products (with the halo exchange
counted), arithmetic, reductions, slicing, the Laplacian, the solvers and the errors.

Every matrix is built from data identical on every rank (fixed seeds) and laid out replicated,
split in balanced blocks, in ragged blocks and with every row on one rank; every result is
gathered to every rank and compared with SciPy's there, so all ranks reach the same verdict.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.csgraph as csgraph
import scipy.sparse.linalg as spla
import torch
from helpers import RANK, P, agree, assert_array, data, make, raised_everywhere, ragged_counts

import hpa
from hpa.sparse import CSRMatrix
from hpa.sparse.products import moved_bytes

DTYPES = ["float32", "float64", "complex128", "int64"]
FLOATING = ["float32", "float64", "complex128"]
LAYOUTS = ["rep", "s0", "ragged", "one"]
SHAPES = [(9, 9), (13, 7), (5, 11), (2, 3), (0, 4), (4, 0), (0, 0)]
NONEMPTY = [(9, 9), (13, 7), (5, 11), (2, 3)]
# (dtype, layout) pairs: every layout in float64, every dtype in some layouts; the small and
# empty shapes get fewer
COMBOS = [*(("float64", lay) for lay in LAYOUTS), ("float32", "ragged"), ("complex128", "one"),
          ("int64", "ragged")]  # fmt: skip
SMALL_COMBOS = [("float64", "s0"), ("float64", "one"), ("int64", "ragged"), ("complex128", "rep")]


def shape_id(shape: tuple[int, int]) -> str:
    return f"{shape[0]}x{shape[1]}"


def cases(shapes: list[tuple[int, int]], extra: list[str] = ()) -> list[Any]:
    """(shape, dtype, layout) parameters: :data:`COMBOS` for the larger shapes, the
    :data:`SMALL_COMBOS` for the others, and each dtype of ``extra`` split in ragged blocks."""
    out = []
    for shape in shapes:
        combos = COMBOS if min(shape) > 2 else SMALL_COMBOS
        for dtype, layout in [*combos, *((d, "ragged") for d in extra)]:
            out.append(pytest.param(shape, dtype, layout, id=f"{shape_id(shape)}-{dtype}-{layout}"))
    return out


def sample(
    shape: tuple[int, int], dtype: str = "float64", seed: int = 0, density: float = 0.35
) -> sp.csr_array:
    """A SciPy matrix with about ``density`` of its entries stored (none explicitly zero) and
    some empty rows; identical on every rank."""
    m, n = shape
    rng = np.random.default_rng(seed + 1000 * m + n)
    mask = rng.random((m, n)) < density
    if m > 2:
        mask[1] = False
        mask[m // 2] = False
    if dtype.startswith("int"):
        vals = rng.integers(1, 6, (m, n)) * rng.choice([-1, 1], (m, n))
    elif dtype.startswith("complex"):
        vals = rng.standard_normal((m, n)) + 1j * rng.standard_normal((m, n))
    else:
        vals = rng.standard_normal((m, n))
    return sp.csr_array(np.where(mask, vals, 0).astype(dtype))


def place(A: CSRMatrix, layout: str) -> CSRMatrix:
    """``A`` (split 0) moved to ``layout``."""
    m = A.shape[0]
    if layout == "rep":
        return A.resplit(None)
    if layout == "ragged":
        return A.redistribute(ragged_counts(m))
    if layout == "one":
        return A.redistribute([m] + [0] * (P - 1))
    return A


def build(S: Any, layout: str, dtype: Any = None) -> CSRMatrix:
    """An hpa matrix of the SciPy matrix ``S`` in ``layout``."""
    if layout == "rep":
        return hpa.sparse.csr_matrix(S, dtype=dtype, split=None)
    return place(hpa.sparse.csr_matrix(S, dtype=dtype, split=0), layout)


def tol(dtype: Any) -> dict[str, float]:
    name = np.dtype(str(dtype)).name if not isinstance(dtype, hpa.DType) else dtype.name
    if name in ("float32", "complex64"):
        return {"rtol": 1e-5, "atol": 1e-5}
    return {"rtol": 1e-11, "atol": 1e-11}


def problems(A: CSRMatrix) -> list[str]:
    """What is wrong with this rank's block of ``A`` (canonical CSR, consistent layout)."""
    out = []
    m, n = A.shape
    lm = A.lshape[0]
    if A.split is None:
        if A.lshape != (m, n) or A.counts is not None or A.row_range != (0, m):
            out.append(f"replicated layout: lshape {A.lshape}, counts {A.counts}")
    else:
        counts = A.counts
        if counts is None or sum(counts) != m or len(counts) != P or counts[RANK] != lm:
            out.append(f"counts {counts} for {m} rows, lshape {A.lshape}")
        else:
            lo = sum(counts[:RANK])
            if A.row_range != (lo, lo + lm):
                out.append(f"row_range {A.row_range}, expected {(lo, lo + lm)}")
    crow, col, val = A.indptr, A.indices, A.data
    if crow.dtype != torch.int64 or col.dtype != torch.int64:
        out.append(f"index dtypes {crow.dtype}, {col.dtype}")
    if crow.numel() != lm + 1 or int(crow[0]) != 0 or int(crow[-1]) != col.numel():
        out.append(f"indptr {crow.tolist()} for {lm} rows and {col.numel()} entries")
    elif bool((crow.diff() < 0).any()):
        out.append("indptr decreases")
    if val.numel() != col.numel() or A.lnnz != col.numel():
        out.append("data and indices differ in length")
    if col.numel() and (int(col.min()) < 0 or int(col.max()) >= n):
        out.append("column index out of range")
    if crow.numel() == lm + 1:
        for i in range(lm):
            row = col[int(crow[i]) : int(crow[i + 1])]
            if row.numel() > 1 and bool((row.diff() <= 0).any()):
                out.append(f"row {i}: columns not strictly ascending: {row.tolist()}")
                break
    if A.split is not None and A.nnz_counts[RANK] != A.lnnz:
        out.append(f"nnz_counts {A.nnz_counts} but lnnz {A.lnnz}")
    return out


def same(
    A: Any, S: Any, dtype: Any = None, nnz: bool = True, rtol: float | None = None,
    atol: float | None = None, like: CSRMatrix | None = None, within: CSRMatrix | None = None,
) -> None:  # fmt: skip
    """``A`` is a canonical hpa matrix equal to the SciPy matrix (or dense array) ``S`` on
    every rank; ``nnz``: it also stores as many entries as SciPy's canonical form; ``like``:
    it has that matrix's rows on every rank; ``within``: at most that matrix's entries."""
    # the type is the same on every rank: a plain assert cannot leave a rank behind
    assert isinstance(A, CSRMatrix), f"expected a CSRMatrix, got {type(A).__name__}"
    want = S.toarray() if sp.issparse(S) else np.asarray(S)
    want_dtype = np.dtype(dtype if dtype is not None else want.dtype)
    t = tol(want_dtype)
    rtol = t["rtol"] if rtol is None else rtol
    atol = t["atol"] if atol is None else atol
    got = A.to_scipy()
    bad = problems(A)
    if A.shape != want.shape or got.shape != want.shape:
        bad.append(f"shape {A.shape} != {want.shape}")
    elif not np.allclose(got.toarray(), want, rtol=rtol, atol=atol):
        bad.append(f"values differ:\n{got.toarray()}\n!=\n{want}")
    if A.dtype.name != want_dtype.name or got.dtype != want_dtype:
        bad.append(f"dtype {A.dtype.name} (scipy {got.dtype}) != {want_dtype}")
    if nnz and sp.issparse(S):
        ref = sp.csr_array(S, copy=True)
        ref.sum_duplicates()
        if A.nnz != ref.nnz or got.nnz != ref.nnz:
            bad.append(f"nnz {A.nnz} != {ref.nnz}")
    if like is not None and (A.split != like.split or A.counts != like.counts):
        bad.append(f"layout {A.split}, {A.counts} != {like.split}, {like.counts}")
    if within is not None and A.lnnz > within.lnnz:
        bad.append(f"{A.lnnz} entries, more than the {within.lnnz} of the operand")
    agree(not bad, "; ".join(bad) or "matrix")


def poisson2d(k: int) -> sp.csr_array:
    """The 5-point Laplacian of a ``k x k`` grid (symmetric positive definite)."""
    T = sp.diags_array([-1.0, 2.0, -1.0], offsets=[-1, 0, 1], shape=(k, k))
    eye = sp.identity(k, format="csr")
    return sp.csr_array(sp.kron(eye, T) + sp.kron(T, eye))


# ================================================================================ creation
@pytest.mark.parametrize("fmt", ["csr", "csc", "coo", "lil", "dok", "bsr", "dia"])
@pytest.mark.parametrize("split", [0, None])
def test_from_every_scipy_format(fmt: str, split: int | None) -> None:
    S = sample((11, 8), "float64", seed=1)
    A = hpa.sparse.csr_matrix(S.asformat(fmt), split=split)
    agree(A.split == split, "split")
    same(A, S)
    if split == 0:
        agree(A.counts == tuple(hpa.core.layout.chunk(11, P)), "balanced blocks")


@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(SHAPES))
def test_layouts_hold_the_matrix(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=2)
    same(build(S, layout), S)


@pytest.mark.parametrize("split", [0, None])
def test_from_scipy_matrix_class_and_dtype(split: int | None) -> None:
    S = sample((6, 5), "int64", seed=3)
    A = hpa.sparse.csr_matrix(sp.csr_matrix(S), dtype="float32", split=split)
    same(A, S.astype(np.float32))
    same(hpa.sparse.csr_array(S, dtype=hpa.complex128, split=split), S.astype(np.complex128))


@pytest.mark.parametrize("kind", ["coo", "coo-uncoalesced", "csr"])
@pytest.mark.parametrize("split", [0, None])
def test_from_torch_sparse(kind: str, split: int | None) -> None:
    S = sample((7, 6), "float64", seed=4)
    coo = S.tocoo()
    rows = torch.from_numpy(coo.row.astype(np.int64))
    cols = torch.from_numpy(coo.col.astype(np.int64))
    vals = torch.from_numpy(coo.data)
    if kind == "coo":
        t = torch.sparse_coo_tensor(torch.stack([rows, cols]), vals, (7, 6))
    elif kind == "coo-uncoalesced":  # every entry split in two halves: summed on creation
        idx = torch.cat([torch.stack([rows, cols])] * 2, dim=1)
        t = torch.sparse_coo_tensor(idx, torch.cat([vals / 2, vals / 2]), (7, 6))
    else:
        t = torch.sparse_csr_tensor(
            torch.from_numpy(S.indptr.astype(np.int64)),
            torch.from_numpy(S.indices.astype(np.int64)),
            torch.from_numpy(S.data),
            (7, 6),
        )
    same(hpa.sparse.csr_matrix(t, split=split), S)


@pytest.mark.parametrize("source", ["numpy", "list", "hpa-rep", "hpa-s0", "hpa-ragged", "hpa-s1"])
@pytest.mark.parametrize("split", [0, None])
def test_from_dense(source: str, split: int | None) -> None:
    S = sample((9, 7), "float64", seed=5)
    D = S.toarray()
    if source == "numpy":
        arg: Any = D
    elif source == "list":
        arg = D.tolist()
    else:
        layout = source.split("-")[1]
        arg = make(D, None if layout == "rep" else 1 if layout == "s1" else 0,
                   ragged=layout == "ragged")  # fmt: skip
    A = hpa.sparse.csr_matrix(arg, split=split)
    agree(A.split == split, "split")
    same(A, S)
    if split == 0:  # balanced, whatever the blocks of the array given
        agree(A.counts == tuple(hpa.core.layout.chunk(9, P)), f"balanced blocks: {A.counts}")


def test_from_dense_dtypes() -> None:
    for dtype in DTYPES:
        S = sample((5, 6), dtype, seed=6)
        same(hpa.sparse.csr_matrix(S.toarray()), S)
        same(hpa.sparse.csr_matrix(S.toarray(), dtype="complex128"), S.astype(np.complex128))


@pytest.mark.parametrize("split", [0, None])
def test_from_coo_triplets_with_duplicates(split: int | None) -> None:
    rows = np.array([0, 3, 3, 1, 0, 3, 5, 5, 2])
    cols = np.array([1, 2, 2, 0, 1, 2, 4, 3, 2])
    vals = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, -8.0, 0.5])
    want = sp.coo_array((vals, (rows, cols)), shape=(6, 5))
    same(hpa.sparse.csr_matrix((vals, (rows, cols)), split=split), want)  # shape inferred
    want = sp.coo_array((vals, (rows, cols)), shape=(8, 9))
    same(hpa.sparse.csr_matrix((vals, (rows, cols)), shape=(8, 9), split=split), want)
    ints = vals.astype(np.int64)
    same(hpa.sparse.csr_matrix((ints, (rows, cols)), shape=(8, 9), split=split),
         sp.coo_array((ints, (rows, cols)), shape=(8, 9)))  # fmt: skip
    # duplicates that cancel stay stored, as SciPy's sum_duplicates keeps them
    z = hpa.sparse.csr_matrix((np.array([1.0, -1.0]), (np.array([0, 0]), np.array([1, 1]))))
    agree(z.nnz == 1 and z.count_nonzero() == 0, "cancelling duplicates")


@pytest.mark.parametrize("split", [0, None])
@pytest.mark.parametrize("shape_given", [True, False])
def test_from_coo_triplets_is_split(split: int | None, shape_given: bool) -> None:
    """Every rank passes some global triplets (in reverse order, and the first entries twice
    over all ranks); they travel to the ranks owning their rows."""
    m, n = 13, 7
    rng = np.random.default_rng(7)
    k = 40
    rows, cols, vals = rng.integers(0, m, k), rng.integers(0, n, k), rng.standard_normal(k)
    rows[0], cols[0] = m - 1, n - 1  # the corner, so the inferred shape is the full one
    mine = np.arange(k)[np.arange(k) % P == RANK][::-1]
    extra = np.arange(5)  # entries 0..4 passed once more by every rank
    take = np.concatenate([mine, extra])
    arg = (vals[take], (rows[take], cols[take]))
    got = hpa.sparse.csr_matrix(arg, shape=(m, n) if shape_given else None, split=split,
                                is_split=0)  # fmt: skip
    every = np.concatenate([np.arange(k)] + [extra] * P)
    want = sp.coo_array((vals[every], (rows[every], cols[every])), shape=(m, n))
    agree(got.split == split, "split")
    same(got, want)
    # a rank passing no triplets at all
    empty = (np.zeros(0), (np.zeros(0, np.int64), np.zeros(0, np.int64)))
    arg2 = (vals, (rows, cols)) if RANK == 0 else empty
    same(hpa.sparse.csr_matrix(arg2, shape=(m, n), split=split, is_split=0),
         sp.coo_array((vals, (rows, cols)), shape=(m, n)))  # fmt: skip


@pytest.mark.parametrize("split", [0, None])
def test_from_csr_arrays(split: int | None) -> None:
    S = sample((10, 6), "complex128", seed=8)
    same(hpa.sparse.csr_matrix((S.data, S.indices, S.indptr), shape=S.shape, split=split), S)
    # unsorted columns and repeats within a row are put in canonical order and summed
    data_, indices, indptr = [1.0, 2.0, 3.0, 4.0], [3, 0, 3, 1], [0, 3, 3, 4]
    want = sp.csr_array((data_, indices, indptr), shape=(3, 5))
    same(hpa.sparse.csr_matrix((data_, indices, indptr), shape=(3, 5), split=split), want)


@pytest.mark.parametrize("kind", ["scipy", "csr-arrays", "dense", "torch"])
@pytest.mark.parametrize("split", [0, None])
def test_is_split_local_rows(kind: str, split: int | None) -> None:
    """Every rank passes its own rows, unequal (ragged, some ranks none): stacked in rank
    order."""
    S = sample((11, 6), "float64", seed=9)
    counts = ragged_counts(11)
    lo = sum(counts[:RANK])
    part = S[lo : lo + counts[RANK]]
    if kind == "scipy":
        arg: Any = part
    elif kind == "csr-arrays":
        arg = (part.data, part.indices, part.indptr)
    elif kind == "dense":
        arg = part.toarray()
    else:
        arg = torch.from_numpy(part.toarray()).to_sparse_coo()
    shape = (counts[RANK], 6) if kind == "csr-arrays" else None
    A = hpa.sparse.csr_matrix(arg, shape=shape, split=split, is_split=0)
    same(A, S)
    if split == 0:
        agree(A.counts == tuple(counts), f"the parts' rows kept where they are: {A.counts}")


@pytest.mark.parametrize("split", [0, None])
def test_empty_by_shape(split: int | None) -> None:
    for shape in [(0, 0), (0, 5), (5, 0), (7, 4)]:
        A = hpa.sparse.csr_matrix(shape, split=split)
        same(A, sp.csr_array(shape))
        agree(A.nnz == 0 and A.dtype == hpa.float64, "empty")
    same(
        hpa.sparse.csr_matrix((3, 4), dtype="int64", split=split),
        sp.csr_array((3, 4), dtype=np.int64),
    )


def test_from_csr_matrix_and_heat_names() -> None:
    S = sample((8, 8), "float64", seed=10)
    A = hpa.sparse.csr_matrix(S)
    same(hpa.sparse.csr_matrix(A, split=None), S)
    same(hpa.sparse.csr_matrix(A, dtype="float32"), S.astype(np.float32))
    H = hpa.sparse.sparse_csr_matrix(S)
    agree(H.split is None, "HeAT's default is replicated")
    same(H, S)
    counts = ragged_counts(8)
    lo = sum(counts[:RANK])
    H = hpa.sparse.sparse_csr_matrix(S[lo : lo + counts[RANK]], is_split=0)
    agree(H.split == 0 and H.counts == tuple(counts), "HeAT is_split")
    same(H, S)
    agree(hpa.sparse.DCSR_matrix is CSRMatrix, "DCSR_matrix alias")
    agree(hpa.sparse.issparse(A) and not hpa.sparse.issparse(S), "issparse")
    agree(H.gnnz == H.nnz == S.nnz and H.gshape == H.shape, "HeAT names")
    agree(H.lindptr is H.indptr and H.lindices is H.indices and H.ldata is H.data, "HeAT names")


@pytest.mark.parametrize("split", [0, None])
@pytest.mark.parametrize(("m", "n", "k"), [(7, None, 0), (7, 5, 1), (5, 9, -2), (6, 6, 4),
                                          (4, 6, -5), (4, 6, 7), (0, 3, 0), (1, 1, 0)])  # fmt: skip
def test_eye(split: int | None, m: int, n: int | None, k: int) -> None:
    # SciPy raises for a diagonal outside the matrix; hpa's is empty, as NumPy's eye
    want = sp.csr_array(np.eye(m, n, k=k))
    same(hpa.sparse.eye(m, n, k=k, split=split), want)
    same(hpa.sparse.eye(m, n, k=k, dtype="complex128", split=split), want.astype(np.complex128))


@pytest.mark.parametrize("split", [0, None])
def test_identity(split: int | None) -> None:
    same(hpa.sparse.identity(6, split=split), sp.identity(6, format="csr"))
    same(hpa.sparse.identity(5, dtype="int64", split=split), sp.identity(5, dtype=np.int64))


DIAGS = [
    ([1.0, 2.0, 3.0, 4.0], 0, None),
    ([1.0, 2.0, 3.0], 1, None),
    ([1.0, 2.0, 3.0], -2, None),
    ([[1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0], [8.0, 9.0]], [0, 1, -2], None),
    ([[-1.0], [2.0], [-1.0]], [-1, 0, 1], (8, 8)),
    ([-1.0, 2.0, -1.0], [-1, 0, 1], (6, 9)),
    ([[1.0 + 2j, 3.0, 4.0], [5.0j, 6.0, 7.0]], [0, -1], (4, 3)),
    ([[1, 2, 3, 4, 5], [6, 7, 8, 9, 10]], [0, 2], (5, 7)),
    ([np.arange(1.0, 8.0), np.arange(1.0, 6.0)], [1, -3], (5, 8)),
    ([0.0, 1.0, 2.0, 0.0], 0, None),  # zeros on a diagonal are not stored
    ([[1.0, 0.0, 3.0], [0.0, 5.0]], [0, 1], None),
    ([[0.0], [2.0]], [-1, 0], (4, 4)),
]


@pytest.mark.parametrize("split", [0, None])
@pytest.mark.parametrize("case", range(len(DIAGS)))
def test_diags(split: int | None, case: int) -> None:
    diagonals, offsets, shape = DIAGS[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # SciPy's int -> float64 notice
        want = sp.diags_array(diagonals, offsets=offsets, shape=shape)
    got = hpa.sparse.diags(diagonals, offsets, shape=shape, split=split)
    same(got, want)
    single = "complex64" if want.dtype.kind == "c" else "float32"
    same(hpa.sparse.diags(diagonals, offsets, shape=shape, dtype=single, split=split),
         want.astype(single))  # fmt: skip


@pytest.mark.parametrize("split", [0, None])
def test_random_does_not_depend_on_the_layout(split: int | None) -> None:
    for m, n, density, dtype in [(23, 17, 0.3, "float64"), (5, 40, 0.1, "float32"),
                                 (40, 3, 0.9, "float64"), (0, 4, 0.5, "float64")]:  # fmt: skip
        A = hpa.sparse.random(m, n, density, dtype=dtype, random_state=42, split=split)
        local = hpa.sparse.random(m, n, density, dtype=dtype, random_state=42, split=None)
        agree(A.split == split, "split")
        same(A, local.to_scipy())
        vals = local.to_scipy().data
        agree(bool(np.all((vals >= 0) & (vals < 1))), "values in [0, 1)")
        agree(A.dtype.name == dtype, "dtype")


def test_random_law_and_seeds() -> None:
    m, n, p = 60, 50, 0.2
    A = hpa.sparse.random(m, n, p, random_state=1)
    mean, sd = m * n * p, np.sqrt(m * n * p * (1 - p))
    agree(abs(A.nnz - mean) < 5 * sd, f"nnz {A.nnz} far from {mean}")
    same(A, A.to_scipy())  # canonical: no repeated columns in a row
    B = hpa.sparse.random(m, n, p, random_state=2)
    agree((A.to_scipy() != B.to_scipy()).nnz > 0, "other seeds give other matrices")
    same(hpa.sparse.random(m, n, p, random_state=1, split=None), A.to_scipy())
    hpa.random.seed(11)
    C = hpa.sparse.random_array((20, 20), density=0.3)
    hpa.random.seed(11)
    same(hpa.sparse.random(20, 20, 0.3), C.to_scipy())
    agree(hpa.sparse.random(9, 7, 0.0, random_state=3).nnz == 0, "density 0")


@pytest.mark.parametrize("shape", [(6, 5), (12, 40), (3, 64)], ids=shape_id)
def test_random_density_one_stores_every_entry(shape) -> None:
    A = hpa.sparse.random(*shape, density=1.0, random_state=5)
    same(A, A.to_scipy())
    agree(A.nnz == shape[0] * shape[1], f"density 1: nnz {A.nnz} != {shape[0] * shape[1]}")


def int_rows_on_rank0() -> tuple[Any, Any]:
    """Int64 triplets of a 6 x 5 matrix passed by rank 0 alone, and an empty float64 part
    (NumPy's default for ``np.zeros(0)``) on the others."""
    rows, cols = np.array([0, 5, 2, 5]), np.array([1, 4, 0, 4])
    vals = np.array([3, -2, 7, 1], dtype=np.int64)
    empty = (np.zeros(0), (np.zeros(0, np.int64), np.zeros(0, np.int64)))
    return (vals, (rows, cols)), empty


@pytest.mark.parametrize("split", [0, None])
def test_is_split_parts_agree_on_the_dtype(split: int | None) -> None:
    """The values take the result type of the parts that store entries, on every rank."""
    full, empty = int_rows_on_rank0()
    want = sp.coo_array(full, shape=(6, 5))
    got = hpa.sparse.csr_matrix(full if RANK == 0 else empty, shape=(6, 5), split=split,
                                is_split=0)  # fmt: skip
    same(got, want)  # int64 on every rank, whatever the empty parts hold
    # stacked rows: CSR arrays of int32 values, an empty part of Python lists (float64)
    S = sample((7, 4), "int64", seed=60).astype(np.int32)
    counts = [7] + [0] * (P - 1)
    part = (S.data, S.indices, S.indptr) if RANK == 0 else ([], [], [0])
    got = hpa.sparse.csr_matrix(part, shape=(counts[RANK], 4), split=split, is_split=0)
    same(got, S)
    # parts storing nothing: their own dtypes promoted (float32 here), float64 for lists
    none = sp.csr_array((2, 3), dtype=np.float32)
    same(hpa.sparse.csr_matrix(none, split=split, is_split=0),
         sp.csr_array((2 * P, 3), dtype=np.float32))  # fmt: skip
    part = ([], [], [0, 0])
    same(hpa.sparse.csr_matrix(part, shape=(1, 3), split=split, is_split=0),
         sp.csr_array((P, 3)))  # fmt: skip
    # mixed dtypes that store entries: promoted as NumPy does
    mixed = np.array([[1.5, 0.0]], dtype=np.float32) if RANK == 0 else np.array([[0, 2]])
    want = np.concatenate([np.array([[1.5, 0.0]], np.float32)] + [np.array([[0, 2]])] * (P - 1))
    same(hpa.sparse.csr_matrix(mixed, split=split, is_split=0), sp.csr_array(want))


def test_is_split_inferred_width_is_the_widest_part() -> None:
    """CSR arrays without a shape: every rank's part is as wide as the widest."""
    S = sample((11, 6), "float64", seed=61).tolil()
    S[:, 5] = 0.0
    S[10, 5] = 2.5  # only the last row reaches the last column
    S = sp.csr_array(S)
    S.eliminate_zeros()
    counts = ragged_counts(11)
    lo = sum(counts[:RANK])
    part = S[lo : lo + counts[RANK]]
    A = hpa.sparse.csr_matrix((part.data, part.indices, part.indptr), is_split=0)
    agree(A.shape == (11, 6), f"width inferred over the ranks: {A.shape}")
    same(A, S)


def test_csr_arrays_rows_must_match_the_shape() -> None:
    """``shape[0]`` must be ``len(indptr) - 1``, as SciPy checks (raised on every rank)."""
    arrays = ([1.0, 2.0], [0, 2], [0, 1, 2])
    with pytest.raises(ValueError, match="index pointer size 3 should be 4"):
        sp.csr_array(arrays, shape=(3, 4))
    raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix(arrays, shape=(3, 4)))
    raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix(arrays, shape=(1, 4)))
    try:
        hpa.sparse.csr_matrix(arrays, shape=(3, 4))
    except ValueError as e:
        agree("index pointer size 3 should be 4" in str(e), f"SciPy's message: {e}")
    # one rank's part alone is at fault
    bad = (3, 4) if RANK == P - 1 else (2, 4)
    raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix(arrays, shape=bad, is_split=0))
    same(hpa.sparse.csr_matrix(arrays, shape=(2, 4)), sp.csr_array(arrays, shape=(2, 4)))


BAD_PARTS = {
    "triplet lengths": (ValueError, lambda: (np.ones(2), (np.array([0, 1]), np.array([0])))),
    "triplet ndim": (
        ValueError,
        lambda: (np.ones((1, 1)), (np.zeros((1, 1), np.int64), np.zeros((1, 1), np.int64))),
    ),
    "triplet values": (TypeError, lambda: (np.array(["a"]), (np.array([0]), np.array([0])))),
    "negative row": (ValueError, lambda: (np.ones(1), (np.array([-1]), np.array([0])))),
    "indptr start": (ValueError, lambda: ([1.0], [0], [1, 1])),
    "indptr order": (ValueError, lambda: ([1.0, 2.0], [0, 1], [0, 2, 1])),
    "indptr end": (ValueError, lambda: ([1.0], [0], [0, 3])),
    "data length": (ValueError, lambda: ([1.0, 2.0], [0], [0, 1])),
    "dense ndim": (ValueError, lambda: np.ones((2, 2, 2))),
    "dense ragged": (ValueError, lambda: [[1.0, 2.0], [3.0]]),
    "dense strings": (TypeError, lambda: np.array([["a", "b"]])),
}
GOOD_PART = {
    "triplet": lambda: (np.ones(1), (np.array([0]), np.array([0]))),
    "csr": lambda: ([1.0], [0], [0, 1]),
    "dense": lambda: np.ones((1, 2)),
}


@pytest.mark.parametrize("case", sorted(BAD_PARTS))
def test_is_split_bad_part_on_one_rank_raises_everywhere(case: str) -> None:
    """A part that fails to convert or check on one rank only raises on every rank (no
    rank is left waiting in a collective)."""
    error, bad = BAD_PARTS[case]
    kind = "triplet" if case.startswith(("triplet", "negative")) else case.split()[0]
    kind = {"indptr": "csr", "data": "csr"}.get(kind, kind)
    part = bad() if RANK == P - 1 else GOOD_PART[kind]()
    raised_everywhere(error, lambda: hpa.sparse.csr_matrix(part, is_split=0))
    every = bad()
    raised_everywhere(error, lambda: hpa.sparse.csr_matrix(every, is_split=0))
    raised_everywhere(error, lambda: hpa.sparse.csr_matrix(every))


def test_wide_matrices_sort_without_overflow() -> None:
    """``rows x columns`` beyond int64: entries are still sorted by row, then column, and
    repeats summed (the two-key sort), in creation, sums and products."""
    n = 2**62
    r = np.array([2, 0, 3, 2, 1, 0, 3])
    c = np.array([n - 1, 7, 0, n - 1, 5, n - 2, n - 3])
    v = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, -1.0])
    S = sp.coo_array((v, (r, c)), shape=(4, n)).tocsr()
    S.sum_duplicates()

    def agrees(A: CSRMatrix, W: sp.csr_array, what: str) -> None:
        got = A.to_scipy()
        ok = (
            got.shape == W.shape
            and np.array_equal(got.indptr, W.indptr)
            and np.array_equal(got.indices, W.indices)
            and np.allclose(got.data, W.data)
        )
        agree(ok and not problems(A), f"{what}: {got.indices} != {W.indices}")  # fmt: skip

    for layout in LAYOUTS:
        A = place(hpa.sparse.csr_matrix((v, (r, c)), shape=(4, n)), layout)
        agrees(A, S, f"creation ({layout})")
        agrees(A + A, S + S, f"sum ({layout})")
        agrees(A.multiply(A), S.multiply(S), f"product ({layout})")


def test_random_takes_scipys_arguments() -> None:
    """``random_array((m, n), density=...)`` and seeds given as NumPy generators."""
    m, n, p = 23, 17, 0.3
    A = hpa.sparse.random_array((m, n), density=p, rng=np.random.default_rng(5))
    B = hpa.sparse.random(m, n, p, rng=np.random.default_rng(5), split=None)
    agree(A.split == 0 and A.shape == (m, n), "random_array's shape")
    same(A, B.to_scipy())
    same(hpa.sparse.random(m, n, p, random_state=np.random.default_rng(5)), B.to_scipy())
    same(hpa.sparse.random(m, n, p, "csr", None, np.random.default_rng(5)), B.to_scipy())
    gen = np.random.default_rng(5)
    first, second = hpa.sparse.random(m, n, p, rng=gen), hpa.sparse.random(m, n, p, rng=gen)
    agree((first.to_scipy() != second.to_scipy()).nnz > 0, "a generator advances")
    C = hpa.sparse.random_array([m, n], density=p, random_state=np.random.RandomState(3))
    same(C, hpa.sparse.random(m, n, p, rng=np.random.RandomState(3)).to_scipy())
    same(hpa.sparse.random_array((m, n), density=p, rng=9, dtype="float32"),
         hpa.sparse.random(m, n, p, dtype="float32", random_state=9).to_scipy())  # fmt: skip
    raised_everywhere(ValueError, lambda: hpa.sparse.random_array((4,), density=0.5))
    raised_everywhere(TypeError, lambda: hpa.sparse.random(4, 4, 0.5, rng=1, random_state=1))
    raised_everywhere(ValueError, lambda: hpa.sparse.random(2, 2**62, 0.0))


# ================================================================================ conversions
@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(SHAPES))
def test_todense_toarray(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=11)
    A = build(S, layout)
    for D in (A.todense(), A.toarray()):
        assert_array(D, S.toarray())
        agree(D.split == A.split and D.counts == A.counts, "the rows stay where they are")
    agree(isinstance(A.to_scipy(), sp.csr_array), "to_scipy gives a csr_array")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_properties(layout: str) -> None:
    S = sample((11, 6), "float64", seed=12)
    A = build(S, layout)
    lo, hi = A.row_range
    part = S[lo:hi]
    ok = (
        A.shape == (11, 6) and A.ndim == 2 and A.lshape == (hi - lo, 6) and A.nnz == S.nnz
        and A.lnnz == part.nnz and len(A.nnz_counts) == P
        and (sum(A.nnz_counts) == S.nnz if A.split == 0 else A.nnz_counts == (S.nnz,) * P)
        and np.array_equal(A.indptr.numpy(), part.indptr)
        and np.array_equal(A.indices.numpy(), part.indices)
        and np.array_equal(A.data.numpy(), part.data)
        and A.dtype == hpa.float64 and A.comm is hpa.get_comm()
    )  # fmt: skip
    agree(ok, "properties")
    t = A.larray
    agree(t.layout == torch.sparse_csr and tuple(t.shape) == A.lshape, "larray is a CSR tensor")
    agree(np.array_equal(t.to_dense().numpy(), part.toarray()), "larray holds the rows")
    agree("CSRMatrix" in repr(A), "repr")
    if layout == "rep":
        agree(A.split is None and A.counts is None and A.row_range == (0, 11), "replicated")
    else:
        agree(A.split == 0 and sum(A.counts) == 11, "split")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_astype_and_copy(dtype: str, layout: str) -> None:
    S = sample((9, 7), "float64", seed=13)
    A = build(S, layout)
    B = A.astype(dtype)
    want = S.astype(dtype)
    same(B, want, nnz=False)
    agree(B.counts == A.counts and B.split == A.split, "astype keeps the layout")
    agree(A.astype("float64", copy=False) is A, "astype without a copy")
    C = A.copy()
    C.data.mul_(2)
    same(A, S)
    same(C, S * 2)


@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_resplit_redistribute_balance(shape, layout: str) -> None:
    S = sample(shape, "complex128", seed=14)
    A = build(S, layout)
    R = A.resplit(None)
    agree(R.split is None, "resplit(None)")
    same(R, S)
    Z = R.resplit(0)
    agree(Z.split == 0 and Z.counts == tuple(hpa.core.layout.chunk(shape[0], P)), "resplit(0)")
    same(Z, S)
    same(A.resplit(-2), S)
    if A.split is not None:
        agree(A.resplit(0) is A, "resplit to the same split")
        B = A.balance()
        agree(B.counts == tuple(hpa.core.layout.chunk(shape[0], P)), f"balanced: {B.counts}")
        same(B, S)
        for counts in (ragged_counts(shape[0]), [0] * (P - 1) + [shape[0]]):
            C = A.redistribute(counts)
            agree(C.counts == tuple(counts), "redistribute")
            same(C, S)
    else:
        agree(A.balance() is A, "a replicated matrix is balanced")


# ================================================================================ products
# (dtype, (layout of A, layout of B)) for operations on two sparse matrices
PAIRS = [("float64", ("rep", "rep")), ("int64", ("s0", "s0")), ("float64", ("s0", "ragged")),
         ("complex128", ("ragged", "one")), ("float32", ("rep", "s0")),
         ("float64", ("one", "rep"))]  # fmt: skip


def vectors(n: int, dtype: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    return data((n,), dtype, seed=seed), data((n, 3), dtype, seed=seed + 1)


@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(SHAPES))
def test_matvec_matmat(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=15)
    A = build(S, layout)
    x, X = vectors(shape[1], dtype, 16)
    t = tol(dtype)
    for split, ragged in [(0, False), (0, True), (None, False)]:
        for v in (x, X):
            y = A @ make(v, split, ragged=ragged)
            assert_array(y, S @ v, **t)
            agree(y.split == A.split and y.counts == A.counts, "A @ x is split like A")
    assert_array(A @ make(X, 1), S @ X, **t)  # columns split
    assert_array(A @ x, S @ x, **t)  # NumPy operands
    assert_array(A @ X, S @ X, **t)
    assert_array(A.dot(make(x, 0)), S @ x, **t)
    y = A @ make(x, 0)
    again = A @ make(2 * x, 0)  # the plan is reused with new values
    assert_array(y, S @ x, **t)
    assert_array(again, S @ (2 * x), **t)


def test_matvec_mixed_dtypes() -> None:
    S = sample((8, 6), "float32", seed=17)
    A = build(S, "s0")
    x = data((6,), "float64", seed=18)
    assert_array(A @ make(x, 0), S @ x, rtol=1e-6, atol=1e-6)
    xi = data((6,), "int64", seed=19)
    assert_array(A.astype("int64") @ make(xi, 0), S.astype(np.int64) @ xi)
    xc = data((6,), "complex128", seed=20)
    assert_array(A @ make(xc, 0), S @ xc, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shapes", [((9, 7), (7, 5)), ((6, 6), (6, 6)), ((4, 11), (11, 3)),
                                    ((0, 4), (4, 3)), ((5, 0), (0, 4)), ((3, 4), (4, 0))],
                         ids=lambda s: f"{shape_id(s[0])}@{shape_id(s[1])}")  # fmt: skip
@pytest.mark.parametrize(("dtype", "layouts"), PAIRS, ids=lambda p: "-".join(p) if isinstance(
    p, tuple) else p)  # fmt: skip
def test_sparse_times_sparse(shapes, dtype: str, layouts) -> None:
    S, B = sample(shapes[0], dtype, seed=21), sample(shapes[1], dtype, seed=22, density=0.5)
    A, C = build(S, layouts[0]), build(B, layouts[1])
    got = A @ C
    agree(got.split == A.split and got.counts == A.counts, "A @ B is split like A")
    same(got, S @ B, nnz=False)


@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(NONEMPTY + [(0, 4), (4, 0)]))
def test_dense_times_sparse(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=23)
    A = build(S, layout)
    m = shape[0]
    v, D = data((m,), dtype, seed=24), data((4, m), dtype, seed=25)
    t = tol(dtype)
    assert_array(v @ A, v @ S.toarray(), **t)
    assert_array(D @ A, D @ S.toarray(), **t)
    for split in (None, 0, 1):
        assert_array(make(D, split) @ A, D @ S.toarray(), **t)
    assert_array(make(v, 0, ragged=True) @ A, v @ S.toarray(), **t)


@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(SHAPES))
def test_transpose(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=26)
    A = build(S, layout)
    T = A.T
    agree(T.split == A.split, "the transpose is split like A")
    same(T, S.T)
    same(A.transpose(), S.T)
    same(T.T, S)
    if A.split is not None and shape[0] == shape[1]:
        agree(T.counts == A.counts, "a square transpose keeps the row blocks")


# ================================================================================ counts
def test_spmv_collectives_tridiagonal() -> None:
    n = 4 * P
    T = hpa.sparse.diags([-1.0, 2.0, -1.0], [-1, 0, 1], shape=(n, n))
    S = sp.diags_array([-1.0, 2.0, -1.0], offsets=[-1, 0, 1], shape=(n, n))
    xv = data((n,), "float64", seed=27)
    x = hpa.array(xv, split=0)
    with hpa.count_collectives() as first:
        y = T @ x
    assert_array(y, S @ xv)
    remote = 1 if P > 1 else 0
    # the plan (one allgather, one alltoallv), then the product (one alltoallv)
    agree(first["alltoallv"] == 2 * remote and first["allgather"] == remote, f"plan: {first}")
    agree(first.total == 3 * remote, f"the first product: {first}")
    for _ in range(3):
        with hpa.count_collectives() as c:
            y = T @ x
        agree(c["alltoallv"] == remote and c.total == remote, f"one product: {c}")
    assert_array(y, S @ xv)
    agree(moved_bytes(T) == 8 * 2 * (P - 1), f"halo bytes {moved_bytes(T)}")
    agree(moved_bytes(T.astype("complex128"), itemsize=16) == 16 * 2 * (P - 1), "complex halo")
    # what each rank sends: one entry to each neighbour
    with hpa.count_collectives() as c:
        T @ x
    sent = hpa.get_comm().allgather_object(c.bytes["alltoallv"])
    agree(P == 1 or sum(sent) == 8 * 2 * (P - 1), f"bytes sent per rank {sent}")
    # a replicated vector: no communication at all
    xr = hpa.array(xv, split=None)
    with hpa.count_collectives() as c:
        y = T @ xr
        Y = T @ hpa.array(np.stack([xv, xv], 1), split=None)
    agree(c.total == 0, f"replicated x: {c}")
    assert_array(y, S @ xv)
    assert_array(Y, S @ np.stack([xv, xv], 1))


def test_spmv_collectives_without_a_halo() -> None:
    n = 5 * P
    blocks = [np.full((5, 5), r + 1.0) for r in range(P)]
    S = sp.csr_array(sp.block_diag(blocks))
    A = hpa.sparse.csr_matrix(S)  # balanced: every block on its own rank
    x = hpa.array(np.arange(n, dtype=np.float64), split=0)
    A @ x
    with hpa.count_collectives() as c:
        y = A @ x
        y = A @ x
    agree(c.total == 0, f"block diagonal: {c}")
    agree(moved_bytes(A) == 0, "no halo")
    assert_array(y, S @ np.arange(n, dtype=np.float64))
    eye = hpa.sparse.eye(n)
    eye @ x
    with hpa.count_collectives() as c:
        z = eye @ x
    agree(c.total == 0, f"identity: {c}")
    assert_array(z, np.arange(n, dtype=np.float64))


def test_spmv_plan_per_layout_of_x() -> None:
    """Another layout of ``x`` builds its own plan, the first is kept."""
    n = 3 * P + 2
    S = sample((n, n), "float64", seed=28, density=0.5)
    A = hpa.sparse.csr_matrix(S)
    xv = data((n,), "float64", seed=29)
    xb, xr = hpa.array(xv, split=0), make(xv, 0, ragged=True)
    A @ xb
    A @ xr
    remote = 1 if P > 1 else 0
    for x in (xb, xr, xb):
        with hpa.count_collectives() as c:
            y = A @ x
        agree(c["alltoallv"] <= remote and c.total == c["alltoallv"], f"cached plan: {c}")
        assert_array(y, S @ xv)
    agree(moved_bytes(A) <= 8 * (n - A.lshape[0]) * P, "the halo holds needed entries only")


def test_moved_bytes_counts_only_needed_entries() -> None:
    """An arrow matrix: every row needs column 0 and its own diagonal, so every rank but the
    first fetches exactly one entry."""
    n = 3 * P
    S = sp.lil_array((n, n))
    S.setdiag(4.0)
    S[:, 0] = 1.0
    S = sp.csr_array(S)
    A = hpa.sparse.csr_matrix(S)
    agree(moved_bytes(A) == 8 * (P - 1), f"arrow halo {moved_bytes(A)}")
    xv = data((n,), "float64", seed=30)
    assert_array(A @ hpa.array(xv, split=0), S @ xv)


@pytest.mark.parametrize("dtype", ["float64", "float16", "complex128"])
@pytest.mark.parametrize("layout", LAYOUTS)
def test_products_see_in_place_changes_of_the_values(layout: str, dtype: str) -> None:
    """``A.data[...] = v`` after a product: the kept plans (the halo, the SciPy view, the
    transpose of ``x @ A``) read the new values."""
    S = sample((9, 9), "complex128" if dtype == "complex128" else "float64", seed=62, density=0.5)
    A = build(S, layout).astype(dtype)
    xv = data((9,), dtype, seed=63)
    t = {"rtol": 2e-2, "atol": 5e-2, "dtype": dtype} if dtype == "float16" else tol(dtype)
    xs = [make(xv, 0), make(xv, 0, ragged=True), make(xv, None)]
    D = A.to_scipy().toarray() if dtype != "float16" else S.toarray().astype(np.float16)

    def check(W: np.ndarray) -> None:
        for x in xs:
            assert_array(A @ x, W @ xv, **t)
        assert_array(xv @ A, xv @ W, **t)

    check(D)
    A.data[:] = A.data * 3  # every rank, in place
    check(3 * D)
    # one rank alone changes its rows: the others' products follow without a collective
    changer = P - 1 if A.split is not None else None
    if changer is None or RANK == changer:
        A.data.mul_(-1)
    lo, hi = (0, 9) if changer is None else A.layout.range_of(changer)
    W = 3 * D
    W[lo:hi] *= -1
    check(W)


def test_dense_times_sparse_keeps_the_transpose() -> None:
    """``x @ A`` transposes ``A`` once: later products pay one flag ``allreduce`` (whether the
    values changed) and the halo exchange of ``A.T @ x``."""
    S = sample((3 * P + 2, 3 * P + 1), "float64", seed=64, density=0.5)
    A = hpa.sparse.csr_matrix(S)
    m = S.shape[0]
    v = data((m,), "float64", seed=65)
    x = hpa.array(v, split=0)
    assert_array(x @ A, v @ S.toarray())
    remote = 1 if P > 1 else 0
    for _ in range(2):
        with hpa.count_collectives() as c:
            y = x @ A
        agree(c["allreduce"] == 1 and c.total == 1 + c["alltoallv"], f"kept transpose: {c}")
        agree(c["alltoallv"] <= remote, f"one halo exchange at most: {c}")
        assert_array(y, v @ S.toarray())
    R = hpa.sparse.csr_matrix(S, split=None)
    xr = x.resplit(None)
    xr @ R
    with hpa.count_collectives() as c:
        y = xr @ R
    agree(c.total == 0, f"replicated: nothing to agree on: {c}")
    assert_array(y, v @ S.toarray())


# ================================================================================ arithmetic
@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(SHAPES))
def test_scalar_arithmetic(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=31)
    A = build(S, layout)
    same(A * 3, S * 3)
    same(3 * A, S * 3)
    same(A * 2.5, S * 2.5)
    same(A * np.float64(-2.0), S * np.float64(-2.0))  # NumPy scalars are not weak
    same(A * np.array(2.0), S * np.array(2.0))
    same(A * hpa.array(2.0), S * np.array(2.0))
    same(A * torch.tensor(2.0, dtype=torch.float64), S * np.array(2.0))
    same(A * hpa.array(2.0, dtype=A.dtype), S * 2)
    same(-A, -S)
    same(+A, S)
    same(abs(A), abs(S))
    same(A * 0, S * 0, nnz=False)
    same(A**2, S**2)
    same(A.power(3), S.power(3))
    same(A.multiply(4), S.multiply(4))
    div = A / 4
    if dtype == "float32":  # NumPy's promotion (SciPy's division returns float64 here)
        same(div, (S / 4).astype(np.float32))
    else:
        same(div, S / 4)
    if dtype != "int64":
        P2 = abs(S)
        same(abs(A) ** 0.5, P2.power(0.5), rtol=1e-5 if dtype == "float32" else None)
    agree(A.shape == S.shape, "unchanged")


@pytest.mark.parametrize("dtype", FLOATING)
@pytest.mark.parametrize("layout", LAYOUTS)
def test_conj_real_imag(dtype: str, layout: str) -> None:
    S = sample((8, 6), dtype, seed=32)
    A = build(S, layout)
    same(A.conj(), S.conj())
    same(A.conjugate(), S.conjugate())
    same(A.real, S.real, nnz=False)
    same(A.imag, S.imag, nnz=False)
    agree(A.real.nnz == S.real.nnz and A.imag.nnz == S.imag.nnz, "real and imag keep the pattern")
    # copies, also of a real matrix (SciPy's conj copies; hpa's real does too)
    for part in (A.conj(), A.conjugate(), A.real):
        agree(part is not A and (A.lnnz == 0 or part.data.data_ptr() != A.data.data_ptr()),
              "a copy")  # fmt: skip
        part.data.zero_()
    same(A, S)


@pytest.mark.parametrize("shape", SHAPES, ids=shape_id)
@pytest.mark.parametrize(("dtype", "layouts"), PAIRS, ids=lambda p: "-".join(p) if isinstance(
    p, tuple) else p)  # fmt: skip
def test_sparse_plus_minus_times_sparse(shape, dtype: str, layouts) -> None:
    S, B = sample(shape, dtype, seed=33), sample(shape, dtype, seed=34)
    A, C = build(S, layouts[0]), build(B, layouts[1])
    same(A + C, S + B, like=A)
    same(A - C, S - B, like=A)
    same(A.multiply(C), S.multiply(B), like=A, within=A)
    same(A * C, S.multiply(B), like=A)
    zero = A - A
    same(zero, sp.csr_array(shape, dtype=dtype))
    agree(zero.nnz == 0, "A - A stores nothing")
    same(A + (-A), sp.csr_array(shape, dtype=dtype))


def test_sparse_plus_sparse_mixed_dtypes() -> None:
    S, B = sample((7, 5), "float32", seed=35), sample((7, 5), "int64", seed=36)
    same(build(S, "s0") + build(B, "ragged"), S + B)
    C = sample((7, 5), "complex128", seed=37)
    same(build(S, "s0") - build(C, "s0"), S - C, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(NONEMPTY + [(0, 4), (4, 0)]))
def test_sparse_plus_dense(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=38)
    A = build(S, layout)
    D = data(shape, dtype, seed=39)
    dense = S.toarray()
    t = tol(dtype)
    for split in (None, 0, 1):
        Dh = make(D, split)
        assert_array(A + Dh, dense + D, **t)
        assert_array(Dh + A, dense + D, **t)
        assert_array(A - Dh, dense - D, **t)
        assert_array(Dh - A, D - dense, **t)
    assert_array(A + D, dense + D, **t)
    assert_array(D + A, dense + D, **t)
    assert_array(D - A, D - dense, **t)
    same(A + 0, S)
    same(0 + A, S)
    same(A - 0, S)


@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(NONEMPTY + [(0, 4), (4, 0)]))
def test_multiply_dense_broadcasting(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=40)
    A = build(S, layout)
    m, n = shape
    dense = S.toarray()
    # each operand as NumPy data and as an hpa array in a layout that takes its own path
    for bshape, split, ragged in [((n,), 0, True), ((1, n), 1, False), ((m, 1), 0, True),
                                  ((m, n), 1, False), ((1, 1), None, False)]:  # fmt: skip
        D = data(bshape, dtype, seed=41)
        want = dense * D
        same(A.multiply(D), want, nnz=False, like=A, within=A)
        same(A.multiply(make(D, split, ragged=ragged)), want, nnz=False, like=A, within=A)
    D = data((m, n), dtype, seed=42)
    same(A * D, dense * D, nnz=False, like=A, within=A)
    same(A * make(D, 0, ragged=True), dense * D, nnz=False, like=A, within=A)


@pytest.mark.parametrize("layout", LAYOUTS)
def test_eliminate_zeros_and_count_nonzero(layout: str) -> None:
    data_ = np.array([1.0, 0.0, 2.0, 0.0, 0.0, 3.0, 0.0])
    indices = np.array([0, 2, 4, 1, 3, 0, 5])
    indptr = np.array([0, 3, 3, 5, 7, 7])
    S = sp.csr_array((data_, indices, indptr), shape=(5, 6))
    A = place(hpa.sparse.csr_matrix((data_, indices, indptr), shape=(5, 6)), layout)
    if layout == "rep":
        A = A.resplit(None)
    agree(A.nnz == 7 and A.count_nonzero() == S.count_nonzero() == 3, "explicit zeros stored")
    x = hpa.array(np.arange(6.0), split=0)
    before = (A @ x).numpy()  # a product plan made for the stored zeros
    Z = S.copy()
    Z.eliminate_zeros()
    agree(A.eliminate_zeros() is None and Z is not None, "in place, returning None (SciPy's)")
    same(A, Z)
    agree(A.nnz == 3 and A.count_nonzero() == 3, "zeros eliminated")
    assert_array(A @ x, before)  # the plans follow the new pattern
    A.eliminate_zeros()
    same(A, Z)


BROADCAST = [((1, 7), (9, 7)), ((9, 1), (9, 7)), ((1, 1), (9, 7)), ((1, 7), (9, 1)),
             ((9, 1), (1, 7)), ((1, 1), (1, 7)), ((1, 7), (1, 1))]  # fmt: skip


@pytest.mark.parametrize(("small", "full"), BROADCAST, ids=lambda s: shape_id(s))
@pytest.mark.parametrize(("dtype", "layouts"), PAIRS[:4], ids=lambda p: "-".join(p) if isinstance(
    p, tuple) else p)  # fmt: skip
def test_multiply_broadcasts_sparse_rows_and_columns(small, full, dtype: str, layouts) -> None:
    """``A.multiply(b)`` for a sparse row, column or 1 x 1 ``b`` (and the other way round),
    as SciPy broadcasts them: ``b``'s zeros scale too, exact zeros of the product dropped
    (a 1 x 1 ``b`` is a scalar: ``A``'s pattern kept)."""
    S = sample(full, dtype, seed=66, density=0.6)
    b = sample(small, dtype, seed=67, density=0.6).tolil()
    b[0, 0] = 0  # a position b leaves out
    if b.shape[1] > 2:
        b[0, 2] = 0
    b = sp.csr_array(b)
    A, B = build(S, layouts[0]), build(b, layouts[1])
    for got, want in ((A.multiply(B), S.multiply(b)), (B.multiply(A), b.multiply(S)),
                      (A * B, S.multiply(b))):  # fmt: skip
        same(got, want)
    if all(s in (1, f) for s, f in zip(small, full)):
        agree(A.multiply(B).split == A.split, "split like the operand with the full shape")
    one = sp.csr_array(np.array([[2.0]], dtype=dtype))
    same(A.multiply(build(one, layouts[1])), S.multiply(one))


# ================================================================================ reductions
@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(SHAPES, extra=["bool"]))
def test_sum(shape, dtype: str, layout: str) -> None:
    S = sample(shape, "int64" if dtype == "bool" else dtype, seed=42).astype(dtype)
    A = build(S, layout)
    t = tol(dtype if dtype != "bool" else "int64")
    assert_array(A.sum(), np.asarray(S.sum()), **t)
    agree(A.sum().split is None, "a total is replicated")
    for axis in (0, 1, -1, -2):
        want = np.asarray(S.sum(axis=axis))
        got = A.sum(axis=axis)
        assert_array(got, want, **t)
    agree(A.sum(axis=1).split == A.split and A.sum(axis=1).counts == A.counts, "row sums")
    agree(A.sum(axis=0).split is None, "column sums are replicated")


@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(SHAPES))
def test_mean(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=43)
    A = build(S, layout)
    t = tol(dtype)
    if min(shape):
        wants = [np.asarray(S.mean()), *(np.asarray(S.mean(axis=a)) for a in (0, 1))]
    else:  # SciPy divides by zero: NumPy's means of nothing are nan
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            dense = S.toarray()
            wants = [np.asarray(dense.mean()), dense.mean(axis=0), dense.mean(axis=1)]
    assert_array(A.mean(), wants[0], **t)
    assert_array(A.mean(axis=0), wants[1], **t)
    assert_array(A.mean(axis=1), wants[2], **t)


@pytest.mark.parametrize(("shape", "dtype", "layout"), cases(SHAPES))
def test_diagonal(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=44, density=0.6)
    A = build(S, layout)
    m, n = shape
    for k in sorted({0, 1, -1, 2, -3, n - 1, -(m - 1), n, -m, n + 2, -m - 2}):
        got = A.diagonal(k)
        assert_array(got, S.diagonal(k))
        agree(got.split == A.split, "the diagonal is split like the rows")
    agree(A.count_nonzero() == S.count_nonzero(), "count_nonzero")


# ================================================================================ slicing
KEYS = [
    (slice(2, 7),),
    (slice(None, None, 2),),
    (slice(1, 8, 3), slice(2, None)),
    (slice(None), slice(None, None, 2)),
    (slice(5, 2), slice(None)),
    (slice(-4, None), slice(-3, None)),
    (slice(0, 100), slice(3, 100, 2)),
    (slice(3, 4), slice(1, 2)),
    (slice(None), slice(4, 4)),
]


@pytest.mark.parametrize(("shape", "dtype", "layout"), cases([(11, 9), (13, 5), (2, 3), (0, 4)]))
def test_slicing(shape, dtype: str, layout: str) -> None:
    S = sample(shape, dtype, seed=45, density=0.5)
    A = build(S, layout)
    for key in KEYS:
        got = A[key] if len(key) == 2 else A[key[0]]
        want = S[key] if len(key) == 2 else S[key[0]]
        same(got, want)
        same(got.balance(), want)
        agree(got.split == A.split, "slices are split like A")


@pytest.mark.parametrize("layout", LAYOUTS)
def test_slicing_rejects_what_it_does_not_take(layout: str) -> None:
    A = build(sample((6, 6), "float64", seed=46), layout)
    raised_everywhere(IndexError, lambda: A[2])
    raised_everywhere(IndexError, lambda: A[1:3, 2])
    raised_everywhere(IndexError, lambda: A[::-1])
    raised_everywhere(IndexError, lambda: A[:, ::-2])
    raised_everywhere(IndexError, lambda: A[1:2, 1:2, 1:2])


# ================================================================================ laplacian
def adjacency(n: int, dtype: str, symmetric: bool) -> sp.csr_array:
    """A weighted graph with self-loops and an isolated vertex (``n - 1``... the middle one)."""
    rng = np.random.default_rng(47)
    W = np.where(rng.random((n, n)) < 0.35, rng.integers(1, 5, (n, n)), 0).astype(dtype)
    if symmetric:
        W = W + W.T
    np.fill_diagonal(W, 3)  # self-loops: ignored
    iso = n // 2
    W[iso, :] = 0
    W[:, iso] = 0
    return sp.csr_array(W)


@pytest.mark.parametrize(
    ("dtype", "layout"),
    [*(("float64", lay) for lay in LAYOUTS), ("int64", "ragged"), ("float32", "s0")],
)
@pytest.mark.parametrize("normed", [False, True])
@pytest.mark.parametrize("use_out_degree", [False, True])
@pytest.mark.parametrize("symmetric", [True, False])
def test_laplacian(layout: str, normed: bool, use_out_degree: bool, symmetric: bool,
                   dtype: str) -> None:  # fmt: skip
    W = adjacency(10, dtype, symmetric)
    A = build(W, layout)
    L, d = csgraph.laplacian(W, normed=normed, return_diag=True, use_out_degree=use_out_degree)
    got = hpa.sparse.laplacian(A, normed=normed, use_out_degree=use_out_degree)
    same(got, L, nnz=False)
    agree(got.split == A.split and got.counts == A.counts, "split like the graph")
    got, gd = hpa.sparse.csgraph.laplacian(A, normed=normed, return_diag=True,
                                           use_out_degree=use_out_degree)  # fmt: skip
    same(got, L, nnz=False)
    assert_array(gd, d, **tol(d.dtype))
    agree(gd.split == A.split, "the diagonal is split like the graph")


def test_laplacian_errors() -> None:
    raised_everywhere(ValueError, lambda: hpa.sparse.laplacian(hpa.sparse.eye(4, 5)))
    raised_everywhere(TypeError, lambda: hpa.sparse.laplacian(np.eye(3)))


# ================================================================================ solvers
@pytest.mark.parametrize("layout", ["rep", "s0", "ragged", "one"])
def test_cg_poisson(layout: str) -> None:
    S = poisson2d(6)
    n = S.shape[0]
    A = build(S, layout)
    b = data((n,), "float64", seed=48)
    want, info = spla.cg(S, b, rtol=1e-12, maxiter=500)
    assert info == 0
    x, got_info = hpa.linalg.cg(A, hpa.array(b, split=0), rtol=1e-12, return_info=True)
    agree(got_info == 0, f"cg info {got_info}")
    assert_array(x, want, rtol=1e-8, atol=1e-9)
    assert_array(x, np.linalg.solve(S.toarray(), b), rtol=1e-8, atol=1e-9)
    assert_array(hpa.linalg.cg(A, b, rtol=1e-12), want, rtol=1e-8, atol=1e-9)
    r = b - S @ x.numpy()
    agree(np.linalg.norm(r) <= 1e-10 * np.linalg.norm(b), "residual")


@pytest.mark.parametrize("layout", ["rep", "s0", "ragged", "one"])
def test_lanczos(layout: str) -> None:
    S = poisson2d(5)
    A = build(S, layout)
    m = 8
    V, T = hpa.linalg.lanczos(A, m)
    Vn, Tn = V.numpy(), T.numpy()
    agree(Vn.shape == (25, m) and Tn.shape == (m, m), "shapes")
    agree(np.allclose(Vn.T @ Vn, np.eye(m), atol=1e-10), "V is orthonormal")
    agree(np.allclose(Vn.T @ (S @ Vn), Tn, atol=1e-9), "V^T A V = T")
    agree(np.allclose(np.triu(Tn, 2), 0) and np.allclose(Tn, Tn.T), "T is symmetric tridiagonal")


# ================================================================================ errors
def test_split_one_is_rejected() -> None:
    S = sample((6, 5), "float64", seed=49)
    A = hpa.sparse.csr_matrix(S)
    for split in (1, -1, 2):
        raised_everywhere(hpa.SplitError, lambda s=split: hpa.sparse.csr_matrix(S, split=s))
        raised_everywhere(hpa.SplitError, lambda s=split: A.resplit(s))
        raised_everywhere(hpa.SplitError, lambda s=split: hpa.sparse.eye(4, split=s))
        raised_everywhere(hpa.SplitError, lambda s=split: hpa.sparse.identity(4, split=s))
        raised_everywhere(hpa.SplitError, lambda s=split: hpa.sparse.diags([1.0, 2.0], split=s))
        raised_everywhere(hpa.SplitError, lambda s=split: hpa.sparse.random(4, 4, 0.5, split=s))
        raised_everywhere(hpa.SplitError, lambda s=split: hpa.sparse.csr_matrix(S, is_split=s))
        raised_everywhere(hpa.SplitError, lambda s=split: hpa.sparse.csr_matrix((3, 4), split=s))
    try:
        hpa.sparse.csr_matrix(S, split=1)
    except hpa.SplitError as e:
        agree("split=0" in str(e) and "column" in str(e), f"a clear message: {e}")
    raised_everywhere(TypeError, lambda: hpa.sparse.csr_matrix(S, split="0"))
    raised_everywhere(hpa.SplitError, lambda: A.resplit(None).redistribute([6] + [0] * (P - 1)))


def test_index_errors_agreed() -> None:
    """A bad triplet on one rank only is reported on every rank."""
    bad_row = np.array([9 if RANK == 0 else 1])
    raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix(
        (np.ones(1), (bad_row, np.array([0]))), shape=(5, 5), is_split=0))  # fmt: skip
    bad_col = np.array([-1 if RANK == P - 1 else 1])
    raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix(
        (np.ones(1), (np.array([0]), bad_col)), shape=(5, 5), is_split=0))  # fmt: skip
    raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix(
        (np.ones(2), (np.array([0, 7]), np.array([0, 1]))), shape=(5, 5)))  # fmt: skip
    raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix(
        (np.ones(2), (np.array([0, 1]), np.array([0]))), shape=(5, 5)))  # fmt: skip
    raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix(
        ([1.0], [7], [0, 1]), shape=(1, 5)))  # fmt: skip
    raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix(np.ones((2, 2, 2))))
    raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix((-1, 3)))
    if P > 1:  # the parts' widths differ
        part = sp.csr_array(np.ones((2, 4 if RANK == 0 else 5)))
        raised_everywhere(ValueError, lambda: hpa.sparse.csr_matrix(part, is_split=0))


def test_comparisons_and_implicit_densifying_raise_clearly() -> None:
    S = sample((6, 5), "float64", seed=68)
    A, B = hpa.sparse.csr_matrix(S), hpa.sparse.csr_matrix(S)
    x = hpa.ones((6, 5), split=0)
    for compare in (lambda: A == B, lambda: A != B, lambda: A < B, lambda: A <= B,
                    lambda: A > B, lambda: A >= B, lambda: A == 0, lambda: A != 0,
                    lambda: 1 < A, lambda: x == A, lambda: S.toarray() == A):  # fmt: skip
        raised_everywhere(NotImplementedError, compare)
    try:
        A != B
    except NotImplementedError as e:
        agree("todense" in str(e), f"says what works instead: {e}")
    raised_everywhere(TypeError, lambda: hash(A))
    raised_everywhere(TypeError, lambda: np.asarray(A))

    def in_place() -> None:
        y = hpa.ones((6, 5), split=0)
        y += A

    raised_everywhere(TypeError, in_place)
    try:
        in_place()
    except TypeError as e:
        agree("todense" in str(e), f"says what works instead: {e}")
    assert_array(x + A, 1 + S.toarray())
    y = hpa.ones((6, 5), split=0)
    y += A.todense()
    assert_array(y, 1 + S.toarray())


def test_operation_errors() -> None:
    S = sample((6, 5), "float64", seed=50)
    A = hpa.sparse.csr_matrix(S)
    B = hpa.sparse.csr_matrix(sample((5, 6), "float64", seed=51))
    raised_everywhere(NotImplementedError, lambda: A + 5)
    raised_everywhere(NotImplementedError, lambda: 1.5 + A)
    raised_everywhere(NotImplementedError, lambda: A - 2)
    raised_everywhere(NotImplementedError, lambda: A**0)
    raised_everywhere(NotImplementedError, lambda: A.power(0))
    raised_everywhere(TypeError, lambda: A ** np.ones(3))
    raised_everywhere(TypeError, lambda: A / B.T)
    raised_everywhere(TypeError, lambda: A / np.ones((6, 5)))
    raised_everywhere(ValueError, lambda: A + B)
    raised_everywhere(ValueError, lambda: A - B)
    raised_everywhere(ValueError, lambda: A.multiply(B))
    raised_everywhere(ValueError, lambda: A @ A)
    raised_everywhere(ValueError, lambda: A @ hpa.ones(6, split=0))
    raised_everywhere(ValueError, lambda: A @ np.ones((4, 2)))
    raised_everywhere(ValueError, lambda: A.multiply(np.ones(4)))
    raised_everywhere(ValueError, lambda: A.multiply(np.ones((6, 2))))
    raised_everywhere(ValueError, lambda: A.multiply(np.ones((2, 6, 5))))
    raised_everywhere(TypeError, lambda: len(A))
    raised_everywhere(ValueError, lambda: bool(A))
    one = hpa.sparse.csr_matrix(np.array([[2.0]]))
    agree(bool(one) and not bool(hpa.sparse.csr_matrix((1, 1))), "a 1 x 1 matrix's truth")


def test_factory_errors() -> None:
    raised_everywhere(ValueError, lambda: hpa.sparse.random(4, 4, 0.5, format="coo"))
    raised_everywhere(ValueError, lambda: hpa.sparse.random(4, 4, 1.5))
    raised_everywhere(ValueError, lambda: hpa.sparse.random(4, 4, -0.1))
    raised_everywhere(ValueError, lambda: hpa.sparse.random(-1, 4, 0.5))
    raised_everywhere(TypeError, lambda: hpa.sparse.random(4, 4, 0.5, dtype="int64"))
    raised_everywhere(ValueError, lambda: hpa.sparse.diags([[1.0, 2.0], [3.0]], [0]))
    raised_everywhere(ValueError, lambda: hpa.sparse.diags([[1.0, 2.0], [3.0]], [0, 0]))
    raised_everywhere(ValueError, lambda: hpa.sparse.diags([1.0, 2.0], 0, shape=(5, 5)))
    raised_everywhere(ValueError, lambda: hpa.sparse.eye(-1))
