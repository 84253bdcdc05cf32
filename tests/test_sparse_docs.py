"""The example at the top of docs/sparse.md runs and gives SciPy's answers."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import scipy.sparse as sp

import hpa

DOC = Path(__file__).resolve().parents[1] / "docs" / "sparse.md"


def test_docs_example() -> None:
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S)
    assert code is not None
    scope: dict = {}
    exec(code.group(1), scope)  # noqa: S102 (the documentation's own example)
    S = sp.random(1000, 800, density=0.01, format="csr", random_state=0)
    np.testing.assert_allclose(scope["y"].numpy(), S @ np.ones(800))
    C = (S @ S.T).toarray()
    np.testing.assert_allclose(scope["C"].to_scipy().toarray(), C, atol=1e-12)
    L = sp.csgraph.laplacian(sp.csr_array(C)) + sp.eye(1000)
    z = scope["z"].numpy()
    assert np.abs(L @ z - 1).max() < 1e-4
    assert isinstance(scope["A"], hpa.sparse.CSRMatrix) and scope["A"].split == 0
