"""The local kernels' device path (torch's CSR kernels, the exact integer gather), run on the
CPU by turning SciPy's kernels off, against SciPy: what a GPU runs, checked without one."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from helpers import agree

import hpa
from hpa.sparse import kernels


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
