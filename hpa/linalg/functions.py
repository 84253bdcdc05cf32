"""Matrix functions: the exponential.

``matrix_exp`` (``expm``) of a split matrix is computed by the scaling-and-squaring algorithm of
Higham ("The scaling and squaring method for the matrix exponential revisited", SIAM J. Matrix
Anal. Appl. 26 (2005)), entirely with distributed products and one distributed solve: the
smallest Pade degree ``m`` in 3, 5, 7, 9, 13 whose bound ``theta_m`` covers ``||A||_1``, else
``A / 2^s`` with degree 13; ``r_m = (V - U)^{-1} (V + U)``; then ``s`` squarings. It
communicates the ``1``-norm (one ``allreduce``), up to six :func:`hpa.matmul` for the powers and
the odd part, the LU solve of :func:`hpa.linalg.solve` (``n`` right-hand sides split like
``A``), and ``s`` more :func:`hpa.matmul`. No rank holds more than its blocks of a few
``n x n`` arrays.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from hpa.core.array import Array
from hpa.linalg.checks import as_square
from hpa.linalg.elimination import distributed
from hpa.linalg.norms import matrix_norm
from hpa.linalg.products import matmul, matrix_power
from hpa.linalg.solvers import solve

__all__ = ["expm", "matrix_exp"]

_THETA = {3: 1.495585217958292e-2, 5: 2.539398330063230e-1, 7: 9.504178996162932e-1,
          9: 2.097847961257068e0, 13: 5.371920351148152e0}  # fmt: skip
_PADE = {
    3: (120, 60, 12, 1),
    5: (30240, 15120, 3360, 420, 30, 1),
    7: (17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1),
    9: (17643225600, 8821612800, 2075673600, 302702400, 30270240, 2162160, 110880, 3960, 90, 1),
    13: (64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800,
         129060195264000, 10559470521600, 670442572800, 33522128640, 1323241920, 40840800,
         960960, 16380, 182, 1),
}  # fmt: skip


def matrix_exp(a: Any) -> Array:
    """The matrix exponential ``e^A`` of a square matrix (or each of a stack), like
    ``scipy.linalg.expm`` and ``torch.linalg.matrix_exp``.

    A split 2-D matrix: Higham's scaling and squaring with Pade approximants (see the module),
    laid out like ``a``. Replicated matrices and stacks: torch's ``matrix_exp`` on every rank
    (a stack split along a batch axis: each rank its own matrices; no communication).
    """
    x = as_square(a)
    if not distributed(x):
        return Array(torch.linalg.matrix_exp(x.larray), x.layout)
    norm = float(matrix_norm(x, ord=1).larray)
    if not math.isfinite(norm):
        return x * math.nan
    eye = matrix_power(x, 0)
    for m in (3, 5, 7, 9):
        if norm <= _THETA[m]:
            u, v = _odd_even(x, eye, m)
            return solve(v - u, v + u)
    s = max(0, math.ceil(math.log2(norm / _THETA[13])))
    x = x / 2**s
    u, v = _odd_even(x, eye, 13)
    r = solve(v - u, v + u)
    for _ in range(s):
        r = matmul(r, r)
    return r


def _odd_even(x: Array, eye: Array, m: int) -> tuple[Array, Array]:
    """The odd and even parts ``U``, ``V`` of the degree-``m`` Pade numerator of ``e^x``."""
    b = _PADE[m]
    x2 = matmul(x, x)
    if m < 13:
        powers = [eye, x2]
        while len(powers) <= m // 2:
            powers.append(matmul(powers[-1], x2))
        odd = sum((b[2 * k + 1] * p for k, p in enumerate(powers)), eye * 0)
        even = sum((b[2 * k] * p for k, p in enumerate(powers)), eye * 0)
        return matmul(x, odd), even
    x4 = matmul(x2, x2)
    x6 = matmul(x4, x2)
    odd = matmul(x6, b[13] * x6 + b[11] * x4 + b[9] * x2) + b[7] * x6 + b[5] * x4 + b[3] * x2
    even = matmul(x6, b[12] * x6 + b[10] * x4 + b[8] * x2) + b[6] * x6 + b[4] * x4 + b[2] * x2
    return matmul(x, odd + b[1] * eye), even + b[0] * eye


expm = matrix_exp
