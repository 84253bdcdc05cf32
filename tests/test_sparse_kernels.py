"""The local kernels' device path (torch's CSR kernels, the exact integer gather), run on the
CPU by turning SciPy's kernels off, against SciPy: what a GPU runs, checked without one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp
import torch
from helpers import P, agree, ragged_counts

import hpa
from hpa.sparse import kernels, products


def matrix(m: int, n: int, dtype: str, seed: int) -> sp.csr_array:
    S = sp.random_array((m, n), density=0.3, random_state=seed, format="csr")
    if dtype.startswith("int"):
        S.data = np.round(S.data * 10)
    if dtype.startswith("complex"):
        S = S + 1j * sp.random_array((m, n), density=0.3, random_state=seed + 1, format="csr")
    return sp.csr_array(S.astype(dtype))


@pytest.fixture(params=[True, False], ids=["scipy", "device-path"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    monkeypatch.setattr(kernels, "SCIPY_ON_CPU", request.param)
    return bool(request.param)


@pytest.mark.parametrize("dtype", ["float32", "float64", "complex128", "int64"])
@pytest.mark.parametrize("split", [0, None])
def test_products(engine: bool, dtype: str, split: int | None) -> None:
    S, B = matrix(13, 9, dtype, 1), matrix(9, 6, dtype, 2)
    x = np.arange(9).astype(dtype) - 3
    X = np.arange(27).reshape(9, 3).astype(dtype)
    A = hpa.sparse.csr_matrix(S, split=split)
    tol = 1e-5 if dtype == "float32" else 1e-12
    y, Y = A @ hpa.array(x, split=0), A @ hpa.array(X, split=0)
    C = A @ hpa.sparse.csr_matrix(B, split=split)
    agree(y.dtype.name == dtype and np.allclose(y.numpy(), S @ x, rtol=tol))
    agree(np.allclose(Y.numpy(), S @ X, rtol=tol))
    agree(np.allclose(C.to_scipy().toarray(), (S @ B).toarray(), rtol=tol))
    agree(C.dtype.name == dtype)


def test_empty_products(engine: bool) -> None:
    A = hpa.sparse.csr_matrix((0, 4))
    agree((A @ hpa.ones(4, split=0)).shape == (0,))
    E = hpa.sparse.csr_matrix((5, 4))
    agree(np.array_equal((E @ hpa.ones(4, split=0)).numpy(), np.zeros(5)))
    agree((E @ hpa.sparse.eye(4)).nnz == 0)


def test_plans_follow_values() -> None:
    # a matrix derived with new values must not reuse the product plan of its source
    A = hpa.sparse.csr_matrix(matrix(11, 11, "float64", 5))
    x = hpa.array(np.arange(11.0), split=0)
    first = (A @ x).numpy()
    agree(np.allclose(((3 * A) @ x).numpy(), 3 * first))
    agree(np.allclose((A.astype("float32") @ x).numpy(), first, rtol=1e-5))
    agree(np.allclose(((-A) @ x).numpy(), -first))


def sorted_rows(crow: Any, col: Any) -> bool:
    """Whether the columns of every CSR row ascend strictly."""
    rows = torch.repeat_interleave(torch.arange(crow.numel() - 1), crow.diff())
    same_row = rows[1:] == rows[:-1]
    return bool((col[1:] > col[:-1])[same_row].all())


@pytest.mark.parametrize("layouts", [("s0", "s0"), ("s0", "ragged"), ("ragged", "one")])
def test_sparse_product_operands_stay_sorted(
    engine: bool, layouts: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``A @ B``: the local kernel (cuSPARSE on a GPU) gets ``A``'s rows with their columns
    renumbered in order and ``B``'s rows in that order, all sorted, and the result is too."""
    S, B = matrix(17, 13, "float64", 7), matrix(13, 9, "float64", 8)
    seen: list[bool] = []
    kernel = products.csr_product

    def checked(a: Any, inner: int, b: Any, ncols: int, dtype: Any) -> Any:
        seen.append(sorted_rows(a[0], a[1]) and sorted_rows(b[0], b[1]))
        seen.append(bool(a[1].numel() == 0 or int(a[1].max()) < inner))
        return kernel(a, inner, b, ncols, dtype)

    monkeypatch.setattr(products, "csr_product", checked)
    counts = {"s0": None, "ragged": ragged_counts(17), "one": [17] + [0] * (P - 1)}
    A = hpa.sparse.csr_matrix(S)
    if counts[layouts[0]] is not None:
        A = A.redistribute(counts[layouts[0]])
    C = hpa.sparse.csr_matrix(B)
    if layouts[1] == "ragged":
        C = C.redistribute(ragged_counts(13))
    elif layouts[1] == "one":
        C = C.redistribute([13] + [0] * (P - 1))
    got = A @ C
    agree(bool(seen) and all(seen), f"kernel operands sorted: {seen}")
    agree(sorted_rows(got.indptr, got.indices), "the result's rows are sorted")
    agree(np.allclose(got.to_scipy().toarray(), (S @ B).toarray()), "A @ B")
    agree(got.to_scipy().has_sorted_indices, "SciPy sees sorted indices")
