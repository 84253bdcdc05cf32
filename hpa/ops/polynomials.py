"""Polynomials as coefficient vectors, highest power first (NumPy's legacy ``numpy.polyfit``
family): fitting, evaluation and roots (``polyfit``, ``polyval``, ``roots``), arithmetic
(``polyadd``, ``polysub``, ``polymul``, ``polydiv``), calculus (``polyder``, ``polyint``),
``poly`` (the coefficients from the roots) and the class ``poly1d``.

==============  ========================================================  ====================
function        how                                                       collectives
==============  ========================================================  ====================
polyfit         the Vandermonde matrix of each rank's samples, columns    one ``allreduce``
                scaled (their norms summed), least squares by             (column norms) and
                :func:`hpa.linalg.lstsq` (TSQR: the samples stay where    ``lstsq``'s: one
                they are); the coefficients are replicated                ``allgatherv``, one
                                                                          or two
                                                                          ``allreduce``
polyval         Horner's rule, elementwise on ``x``'s blocks              none
roots           NumPy's companion-matrix eigenvalues of the small         none
                coefficient vector, on every rank
polyadd,        the shorter vector padded with leading zeros              none
polysub         (:func:`hpa.concatenate`), then :func:`hpa.add` /
                :func:`hpa.subtract`
polymul         :func:`hpa.convolve` of the vectors (leading zeros        none
                trimmed, as ``poly1d`` trims them)
polyder,        products with / quotients by the powers                   none
polyint         (:func:`hpa.arange`), integration constants appended
polydiv         long division on every rank (torch, the replicated        none
                vectors)
poly            the product of the factors ``(x - z)`` on every rank; a   none; a matrix:
                square matrix: :func:`hpa.linalg.eigvalsh` of it when     the symmetry test
                it is symmetric (Hermitian)                               (none replicated;
                                                                          one ``alltoallv``
                                                                          and one
                                                                          ``allreduce``
                                                                          split) and
                                                                          ``eigvalsh``'s
poly1d          the operations above on its replicated coefficients;      ``polyval``'s: none
                evaluation is :func:`polyval` (``x`` keeps its layout)
==============  ========================================================  ====================

Coefficient vectors are small, so they and every result here are replicated: a split one is
gathered first (one ``allgatherv``). The results have NumPy's shapes and dtypes.
"""

from __future__ import annotations

import operator
import re
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from hpa.core import dtypes
from hpa.core.align import broadcast_shapes, local_block
from hpa.core.array import Array
from hpa.core.dispatch import register
from hpa.core.exchange import Partial
from hpa.core.layout import Layout
from hpa.linalg.factorizations import eigvalsh
from hpa.linalg.solvers import lstsq
from hpa.ops.creation import arange, coerce, ones, zeros, zeros_like
from hpa.ops.editing import trim_zeros
from hpa.ops.elementwise import add, conj, divide, multiply, negative, subtract
from hpa.ops.logic import array_equal
from hpa.ops.manipulation import concatenate, matrix_transpose, reshape
from hpa.signal.convolution import convolve

__all__ = [
    "poly", "poly1d", "polyadd", "polyder", "polydiv", "polyfit", "polyint", "polymul",
    "polysub", "polyval", "roots",
]  # fmt: skip


def _array(p: Any, like: Array | None = None) -> Array:
    """``p`` (data, an array or a ``poly1d``'s coefficients) as an array, in its layout."""
    return p.coeffs if isinstance(p, poly1d) else coerce(p, like)


def _gathered(a: Array) -> Array:
    """``a`` replicated (one ``allgatherv`` when it is split)."""
    return a.resplit(None) if a.split is not None else a


def _replicated(p: Any, like: Array | None = None) -> Array:
    """``p`` as a replicated array (gathered when split)."""
    return _gathered(_array(p, like))


def _vector(p: Any, like: Array | None = None) -> Array:
    """``p`` as an array of at least one dimension (NumPy's ``atleast_1d``), not yet gathered:
    its shape can be checked before anything moves."""
    a = _array(p, like)
    return reshape(a, (1,)) if a.ndim == 0 else a


def _like(*ps: Any) -> Array | None:
    """The first operand that is an array (or a ``poly1d``'s coefficients): data that are
    not join its communicator and device."""
    for p in ps:
        if isinstance(p, poly1d):
            return p.coeffs
        if isinstance(p, Array):
            return p
    return None


def _result(value: Array, as_poly1d: bool) -> Array | poly1d:
    return poly1d(value) if as_poly1d else value


def _powers(n: int, like: Array) -> Array:
    """``n, n-1, ..., 1`` (int64) on ``like``'s device, replicated."""
    return arange(n, 0, -1, device=like.device, comm=like.comm)


def _samples(x: Array, y: Array) -> Layout:
    """The layout of the samples' axis: ``x``'s when split, else ``y``'s rows' (balanced when
    ``y`` is split along its columns), else replicated."""
    n = x.shape[0]
    if x.split == 0:
        return Layout((n,), 0, x.comm, x.counts)
    if y.split is not None:
        return Layout((n,), 0, x.comm, y.counts if y.split == 0 else None)
    return Layout((n,), None, x.comm)


def _eps(t: torch.dtype) -> float:
    """The machine epsilon of NumPy's ``x + 0.0`` (float64 for integers and bools)."""
    return torch.finfo(t if t.is_floating_point or t.is_complex else torch.float64).eps


def _vandermonde(x: torch.Tensor, order: int) -> torch.Tensor:
    """Columns ``x**(order-1), ..., x, 1`` by repeated products, as :func:`numpy.vander`
    (which computes in float64 or complex128)."""
    powers = torch.ones((x.shape[0], order), dtype=x.dtype, device=x.device)
    if order > 1:
        powers[:, 1:] = torch.cumprod(x[:, None].expand(-1, order - 1), dim=1)
    return powers.flip(1)


@register()
def polyfit(
    x: Any, y: Any, deg: int, rcond: float | None = None, full: bool = False, w: Any = None,
    cov: bool | str = False,
) -> Any:  # fmt: skip
    """Least-squares polynomial fit of degree ``deg`` to the samples ``(x, y)``, as
    :func:`numpy.polyfit`.

    Parameters
    ----------
    x : array_like
        The 1-D sample points; split or replicated.
    y : array_like
        The values at ``x``: one (1-D) or several (2-D, one column each) sets; any layout (a
        2-D ``y`` split along its columns moves to ``x``'s rows, one ``alltoallv``).
    deg : int
        The degree.
    rcond : float, optional
        Relative cut-off of small singular values (default ``len(x) * eps``).
    full : bool
        Also return the residuals, rank, singular values and ``rcond``.
    w : array_like, optional
        Weights of the samples (1-D, as long as ``x``).
    cov : bool or "unscaled"
        Also return the covariance matrix of the coefficients.

    Returns
    -------
    Array or tuple
        The coefficients, highest power first (replicated; one column per set of ``y``), and
        what ``full`` or ``cov`` add, as NumPy returns them. A ``RankWarning`` when the fit is
        rank-deficient and ``full`` is False.

    Notes
    -----
    Each rank builds the Vandermonde rows of its own samples. The columns are scaled by their
    norms (one ``allreduce``), as NumPy does, and solved by :func:`hpa.linalg.lstsq`: TSQR
    of the split matrix (one ``allgatherv`` of the small ``R`` factors) and one ``allreduce``
    of ``U^H y`` (one more for the residuals); ``cov`` adds one ``allreduce`` of the
    ``(deg+1) x (deg+1)`` Gram matrix. The samples never leave their ranks.
    """
    order = operator.index(deg) + 1
    if order < 1:
        raise ValueError("expected deg >= 0")
    xa = coerce(x)
    ya = coerce(y, xa)
    if xa.ndim != 1:
        raise TypeError("expected 1D vector for x")
    if xa.size == 0:
        raise TypeError("expected non-empty vector for x")
    if ya.ndim < 1 or ya.ndim > 2:
        raise TypeError("expected 1D or 2D array for y")
    if xa.shape[0] != ya.shape[0]:
        raise TypeError("expected x and y to have same length")
    rows = _samples(xa, ya)
    if ya.larray.dtype in (torch.float16, torch.bfloat16):
        raise TypeError(f"array type {ya.dtype} is unsupported in linalg")
    complex_ = xa.larray.is_complex() or ya.larray.is_complex()
    dt = torch.complex128 if complex_ else torch.float64  # NumPy's Vandermonde matrix
    if rcond is None:
        rcond = xa.shape[0] * _eps(xa.larray.dtype)
    lhs = _vandermonde(local_block(xa, rows).to(dt), order)
    rhs = local_block(ya, Layout(ya.shape, rows.split, xa.comm, rows.counts)).to(dt)
    if w is not None:
        wa = coerce(w, xa)
        if wa.ndim != 1:
            raise TypeError("expected a 1-d array for weights")
        if wa.shape[0] != ya.shape[0]:
            raise TypeError("expected w and y to have the same length")
        weights = local_block(wa, rows).to(dt)
        lhs = lhs * weights[:, None]
        rhs = rhs * (weights[:, None] if rhs.ndim == 2 else weights)
    squares = (lhs * lhs).sum(0)
    scale = torch.sqrt(Partial(squares, xa.comm).replicate() if rows.split is not None else squares)
    lhs = lhs / scale
    matrix = Array(lhs, Layout((xa.shape[0], order), rows.split, xa.comm, rows.counts))
    fit = lstsq(matrix, Array(rhs, Layout(ya.shape, rows.split, xa.comm, rows.counts)), rcond)
    coef = _replicated(fit.x)
    c = Array(coef.larray / (scale[:, None] if coef.ndim == 2 else scale), coef.layout)
    if fit.rank != order and not full:
        warnings.warn("Polyfit may be poorly conditioned", np.exceptions.RankWarning, stacklevel=2)
    if full:
        return c, fit.residuals, fit.rank, fit.s, rcond
    if not cov:
        return c
    return c, _covariance(lhs, scale, matrix, fit.residuals, order, ya.ndim, cov)


def _covariance(
    lhs: torch.Tensor, scale: torch.Tensor, matrix: Array, resids: Array, order: int,
    ydim: int, cov: bool | str,
) -> Array:  # fmt: skip
    """NumPy's covariance of the fitted coefficients from the scaled Vandermonde rows."""
    gram = lhs.mT @ lhs
    gram = Partial(gram, matrix.comm).replicate() if matrix.split is not None else gram
    base = torch.linalg.inv(gram) / torch.outer(scale, scale)
    if cov == "unscaled":
        fac: Any = 1
    else:
        if matrix.shape[0] <= order:
            raise ValueError(
                "the number of data points must exceed order to scale the covariance matrix"
            )
        fac = resids.larray / (matrix.shape[0] - order)
    out = base * fac if ydim == 1 else base[:, :, None] * fac
    return Array(out, Layout(tuple(out.shape), None, matrix.comm))


@register()
def polyval(p: Any, x: Any) -> Any:
    """The polynomial with coefficients ``p`` (highest power first) at ``x``, as
    :func:`numpy.polyval`, by Horner's rule.

    ``p`` is 1-D (or 2-D: each ``p[i]`` broadcasts against ``x``) or a :class:`poly1d`, and
    replicated (a split one is gathered, one ``allgatherv``); the result has ``x``'s layout and
    NumPy's dtype. No other communication: each rank evaluates its block of ``x``. A
    :class:`poly1d` ``x`` gives the composition ``p(x)``, a :class:`poly1d`.
    """
    coefficients = _replicated(p)
    if coefficients.ndim == 0:
        raise TypeError("iteration over a 0-d array: p must be a sequence of coefficients")
    if isinstance(x, poly1d):
        composed: Any = 0
        for i in range(coefficients.shape[0]):
            composed = composed * x + coefficients[i]
        return composed
    xa = coerce(x, coefficients)
    y = zeros_like(xa)
    for i in range(coefficients.shape[0]):
        y = y * xa + coefficients[i]
    return y


@register()
def roots(p: Any) -> Array:
    """The roots of the polynomial with coefficients ``p`` (highest power first, or a
    :class:`poly1d`), as :func:`numpy.roots`: the eigenvalues of its companion matrix,
    computed by NumPy on every rank (the vector is small; a split one is gathered, one
    ``allgatherv``). Replicated result; no other communication."""
    coefficients = _array(p)
    if coefficients.ndim != 1:
        raise ValueError("Input must be a rank-1 array.")
    return coerce(np.roots(_gathered(coefficients).numpy()), coefficients)


# ---------------------------------------------------------------------------- arithmetic
def _padded(a1: Any, a2: Any) -> tuple[Array, Array]:
    """The two coefficient vectors, replicated, the shorter one padded with leading zeros of
    its dtype; NumPy's errors for operands of more dimensions come first, from the shapes."""
    like = _like(a1, a2)
    x, y = _vector(a1, like), _vector(a2, like)
    diff = y.shape[0] - x.shape[0]
    shorter, longer = (x, y) if diff >= 0 else (y, x)
    if diff and shorter.ndim != 1:
        raise ValueError(
            "all the input arrays must have same number of dimensions, but the array at index "
            f"0 has 1 dimension(s) and the array at index 1 has {shorter.ndim} dimension(s)"
        )
    broadcast_shapes((longer.shape[0], *shorter.shape[1:]), longer.shape)
    x, y = _gathered(x), _gathered(y)
    if diff > 0:
        x = concatenate((zeros_like(x, shape=(diff,)), x))
    elif diff < 0:
        y = concatenate((zeros_like(y, shape=(-diff,)), y))
    return x, y


@register()
def polyadd(a1: Any, a2: Any) -> Array | poly1d:
    """The sum of two polynomials, as :func:`numpy.polyadd`.

    Parameters
    ----------
    a1, a2 : array_like or poly1d
        Coefficients, highest power first (a scalar is a constant polynomial).

    Returns
    -------
    Array or poly1d
        The coefficients of the sum (the longer operand's length, NumPy's result dtype),
        replicated; a :class:`poly1d` when an operand is one.

    Notes
    -----
    A split operand is gathered (one ``allgatherv``); the sum itself is local on every rank.
    """
    return _result(add(*_padded(a1, a2)), isinstance(a1, poly1d) or isinstance(a2, poly1d))


@register()
def polysub(a1: Any, a2: Any) -> Array | poly1d:
    """The difference ``a1 - a2`` of two polynomials, as :func:`numpy.polysub`.

    Parameters
    ----------
    a1, a2 : array_like or poly1d
        Coefficients, highest power first (a scalar is a constant polynomial).

    Returns
    -------
    Array or poly1d
        The coefficients of the difference (the longer operand's length, NumPy's result
        dtype), replicated; a :class:`poly1d` when an operand is one.

    Notes
    -----
    A split operand is gathered (one ``allgatherv``); the difference itself is local on every
    rank.
    """
    return _result(subtract(*_padded(a1, a2)), isinstance(a1, poly1d) or isinstance(a2, poly1d))


@register()
def polymul(a1: Any, a2: Any) -> Array | poly1d:
    """The product of two polynomials, as :func:`numpy.polymul`: :func:`hpa.convolve` of the
    coefficients.

    Parameters
    ----------
    a1, a2 : array_like or poly1d
        Coefficients, highest power first; leading zeros are dropped first (as NumPy makes
        ``poly1d`` of them), and a polynomial of zeros is ``[0]``.

    Returns
    -------
    Array or poly1d
        The coefficients of the product (NumPy's result dtype), replicated; a :class:`poly1d`
        when an operand is one.

    Raises
    ------
    ValueError
        An operand of more than one dimension.

    Notes
    -----
    A split operand is gathered (one ``allgatherv``); the convolution of the replicated
    vectors is local on every rank.
    """
    like = _like(a1, a2)
    x, y = _as_poly1d(a1, like).coeffs, _as_poly1d(a2, like).coeffs
    return _result(convolve(x, y), isinstance(a1, poly1d) or isinstance(a2, poly1d))


@register()
def polydiv(u: Any, v: Any) -> tuple[Array, Array] | tuple[poly1d, poly1d]:
    """The quotient and remainder of the division of polynomial ``u`` by ``v``, as
    :func:`numpy.polydiv`.

    Parameters
    ----------
    u, v : array_like or poly1d
        Dividend and divisor coefficients, highest power first (0-d or 1-d).

    Returns
    -------
    q, r : Array or poly1d
        Quotient and remainder, floating (NumPy's ``u + 0.0`` and ``v + 0.0`` promoted),
        replicated; the remainder without its leading near-zeros (``abs <= 1e-8``, as NumPy's
        ``allclose(r[0], 0)``), at least one coefficient. :class:`poly1d` when an operand is
        one. A zero leading divisor coefficient gives infinities and NaNs, as in NumPy (without
        its ``RuntimeWarning``).

    Raises
    ------
    ValueError
        An operand of more than one dimension.
    IndexError
        An empty operand.

    Notes
    -----
    Long division on every rank with the replicated vectors (a split one is gathered, one
    ``allgatherv``); no other communication.
    """
    like = _like(u, v)
    num, den = _vector(u, like), _vector(v, like)
    if num.ndim > 1 or den.ndim > 1:
        raise ValueError(
            "polydiv: u and v must be 0-d or 1-d (setting an array element with a sequence)"
        )
    if num.shape[0] == 0 or den.shape[0] == 0:
        raise IndexError("index 0 is out of bounds for axis 0 with size 0")
    num, den = (add(_gathered(w), 0.0) for w in (num, den))
    common = dtypes.promote(num.dtype, den.dtype).torch
    q, r = _long_division(num.larray.to(common), den.larray)
    pair = tuple(Array(t, Layout((t.shape[0],), None, num.comm)) for t in (q, r))
    if isinstance(u, poly1d) or isinstance(v, poly1d):
        return poly1d(pair[0]), poly1d(pair[1])
    return pair[0], pair[1]


def _long_division(u: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """NumPy's long division of ``u`` (in the common dtype) by ``v`` (in its own dtype, in
    which the reciprocal of its leading coefficient is taken, as NumPy takes it)."""
    m, n = u.shape[0] - 1, v.shape[0] - 1
    scale = (1.0 / v[0]).to(u.dtype)
    divisor = v.to(u.dtype)
    q = u.new_zeros(max(m - n + 1, 1))
    r = u.clone()
    for k in range(m - n + 1):
        d = scale * r[k]
        q[k] = d
        r[k : k + n + 1] -= d * divisor
    size = r.abs()
    near_zero = (size <= torch.tensor(1e-8, dtype=size.dtype)).to(torch.int64)
    lead = int(near_zero.cumprod(0).sum())
    return q, r[min(lead, r.shape[0] - 1) :]


# ---------------------------------------------------------------------------- calculus
@register()
def polyder(p: Any, m: int = 1) -> Array | poly1d:
    """The ``m``-th derivative of a polynomial, as :func:`numpy.polyder`.

    Parameters
    ----------
    p : array_like or poly1d
        Coefficients, highest power first.
    m : int
        The order of the derivative (``int(m)``, not negative).

    Returns
    -------
    Array or poly1d
        The coefficients (``m`` fewer; NumPy's dtype of ``p`` times int64, ``p`` itself for
        ``m == 0``), replicated; a :class:`poly1d` when ``p`` is one.

    Raises
    ------
    ValueError
        A negative ``m``.
    TypeError
        A 0-d ``p``.

    Notes
    -----
    A split ``p`` is gathered (one ``allgatherv``); the products are local on every rank.
    """
    order = int(m)
    if order < 0:
        raise ValueError("Order of derivative must be positive (see polyint)")
    c = _replicated(p)
    if c.ndim == 0:
        raise TypeError("len() of unsized object")
    for _ in range(order):
        c = multiply(c[:-1], _powers(c.shape[0] - 1, c))
    return _result(c, isinstance(p, poly1d))


@register()
def polyint(p: Any, m: int = 1, k: Any = None) -> Array | poly1d:
    """The ``m``-th antiderivative of a polynomial, as :func:`numpy.polyint`.

    Parameters
    ----------
    p : array_like or poly1d
        Coefficients, highest power first.
    m : int
        The order of the antiderivative (``int(m)``, not negative).
    k : scalar or array_like, optional
        The ``m`` integration constants, in the order of integration (the first is that of
        the highest-order term); one scalar serves every order; zeros by default. Constants
        beyond ``m`` are ignored.

    Returns
    -------
    Array or poly1d
        The coefficients (``m`` more; NumPy's floating dtype), replicated; ``p`` itself for
        ``m == 0``; a :class:`poly1d` when ``p`` is one.

    Raises
    ------
    ValueError
        A negative ``m``, or fewer than ``m`` constants (but one).
    TypeError
        A 0-d ``p`` with ``m > 0``.

    Notes
    -----
    Split ``p`` and ``k`` are gathered (one ``allgatherv`` each); the quotients are local on
    every rank.
    """
    order = int(m)
    if order < 0:
        raise ValueError("Order of integral must be positive (see polyder)")
    c = _array(p)
    given = None if k is None else _vector(k, c)
    if given is not None and given.shape[0] < order and given.shape[0] != 1:
        raise ValueError("k must be a scalar or a rank-1 array of length 1 or >m.")
    if order and c.ndim == 0:
        raise TypeError("len() of unsized object")
    c = _gathered(c)
    if given is None:
        consts = zeros(order, dtypes.float64, device=c.device, comm=c.comm)
    else:
        consts = _gathered(given)
    if consts.shape[0] == 1 and order > 1:
        consts = multiply(consts[0], ones(order, dtypes.float64, device=c.device, comm=c.comm))
    for i in range(order):
        c = concatenate((divide(c, _powers(c.shape[0], c)), consts[i : i + 1]))
    return _result(c, isinstance(p, poly1d))


# ---------------------------------------------------------------------------- from roots
_ROOT_DTYPES = (dtypes.float32, dtypes.float64, dtypes.complex64, dtypes.complex128)


@register()
def poly(seq_of_zeros: Any) -> Array | float:
    """The coefficients of the monic polynomial with the given roots, or the characteristic
    polynomial of a square matrix, as :func:`numpy.poly`.

    Parameters
    ----------
    seq_of_zeros : array_like, shape (N,) or (N, N)
        The roots (repeated by their multiplicity), or a non-empty square matrix, which must
        be symmetric (Hermitian): its eigenvalues come from :func:`hpa.linalg.eigvalsh`.

    Returns
    -------
    Array or float
        The ``N + 1`` coefficients, highest power first, leading 1, replicated: roots of
        dtype float32, float64, complex64 or complex128 keep it, others are float64; complex
        coefficients of roots that pair with their conjugates are real. ``1.0`` for no roots.

    Raises
    ------
    ValueError
        Neither 1-D nor a non-empty square matrix.
    TypeError
        A float16 or bfloat16 matrix.
    NotImplementedError
        A matrix that is not symmetric (Hermitian): hpa has no eigenvalues of a general
        matrix (NumPy's ``eigvals``).

    Notes
    -----
    Roots: a split vector is gathered (one ``allgatherv``), the factors ``(x - z)`` are
    multiplied on every rank. A matrix keeps its layout: the symmetry test costs nothing when
    it is replicated, one ``alltoallv`` (its transpose) and one ``allreduce`` when it is split,
    and :func:`hpa.linalg.eigvalsh` communicates what it does for the split. A complex
    Hermitian matrix gives real coefficients (its eigenvalues are exactly real here, where
    NumPy's general ``eigvals`` usually leaves rounding noise in their imaginary parts).
    """
    a = _array(seq_of_zeros)
    if a.ndim == 0:
        a = reshape(a, (1,))
    if a.ndim == 2 and a.shape[0] == a.shape[1] and a.shape[0] != 0:
        zs = _eigenvalues(a)
    elif a.ndim == 1:
        zs = _replicated(a)
        if zs.dtype not in _ROOT_DTYPES:
            zs = zs.astype(dtypes.float64)
    else:
        raise ValueError("input must be 1d or non-empty square 2d array.")
    if zs.shape[0] == 0:
        return 1.0
    t = zs.larray
    c = torch.ones(1, dtype=t.dtype, device=t.device)
    for z in t:  # times (x - z): NumPy's convolution with [1, -z]
        grown = torch.cat((c, c.new_zeros(1)))
        grown[1:] -= z * c
        c = grown
    if c.is_complex() and _conjugate_pairs(t.to(torch.complex128)):
        c = c.real.clone()
    return Array(c, Layout((c.shape[0],), None, zs.comm))


def _eigenvalues(a: Array) -> Array:
    """The eigenvalues of the square matrix ``a``, when it is symmetric (Hermitian)."""
    if a.dtype in (dtypes.float16, dtypes.bfloat16):
        raise TypeError(f"array type {a.dtype} is unsupported in linalg")
    if not array_equal(a, conj(matrix_transpose(a))):
        raise NotImplementedError(
            "poly of a matrix that is not symmetric (Hermitian): hpa has no eigenvalues of a "
            "general matrix (numpy.linalg.eigvals), only hpa.linalg.eigvalsh"
        )
    return eigvalsh(a)


def _conjugate_pairs(z: torch.Tensor) -> bool:
    """Whether the complex roots ``z`` equal their conjugates as a multiset (NumPy compares
    the sorted values: by real part, then imaginary part)."""

    def ordered(w: torch.Tensor) -> torch.Tensor:
        w = w[torch.argsort(w.imag, stable=True)]
        return w[torch.argsort(w.real, stable=True)]

    return bool((ordered(z) == ordered(z.conj().resolve_conj())).all())


# ---------------------------------------------------------------------------- poly1d
def _trimmed(p: Any, like: Array | None = None) -> Array:
    """``poly1d``'s coefficients: 1-D, replicated, leading zeros dropped, at least ``[0]``."""
    c = _vector(p, like)
    if c.ndim > 1:
        raise ValueError("Polynomial must be 1d only.")
    c = trim_zeros(_gathered(c), "f")
    return c if c.shape[0] else zeros(1, c.dtype, device=c.device, comm=c.comm)


def _as_poly1d(p: Any, like: Array | None) -> poly1d:
    return p if isinstance(p, poly1d) else poly1d(coerce(p, like))


_POWER = re.compile(r"\*\*([0-9]*)")


def _raise_powers(text: str, wrap: int = 70) -> str:
    """NumPy's layout of ``str(poly1d)``: each ``**k`` of ``text`` becomes ``k`` on the line
    above, the pair of lines wrapped at ``wrap`` columns."""
    top, bottom, done, pos = "", "", " ", 0
    for match in _POWER.finditer(text):
        power = match.group(1)
        part = text[pos : match.start()]
        pos = match.end()
        low = part + " " * (len(power) - 1)
        high = " " * (len(part) - 1) + power
        if len(bottom) + len(low) > wrap or len(top) + len(high) > wrap:
            done += top + "\n" + bottom + "\n "
            top, bottom = high, low
        else:
            top, bottom = top + high, bottom + low
    return done + top + "\n" + bottom + text[pos:]


def _number(q: Any) -> str:
    return f"{q:.4g}".removesuffix(".0000")


def _coefficient_text(c: Any) -> str:
    """One coefficient as NumPy's ``str(poly1d)`` writes it."""
    if not np.iscomplex(c):
        return _number(np.real(c))
    if np.real(c) == 0:
        return f"{_number(np.imag(c))}j"
    return f"({_number(np.real(c))} + {_number(np.imag(c))}j)"


def _term(word: str, var: str, power: int, first: bool) -> str:
    """The term of one coefficient (empty for a zero, but a lone zero constant)."""
    if word == "0":
        return "0" if power == 0 and first else ""
    if power == 0:
        return word
    return f"{word} {var}" if power == 1 else f"{word} {var}**{power}"


class poly1d:
    """A polynomial in one variable, as :class:`numpy.poly1d`: evaluation, arithmetic with
    polynomials and scalars, derivatives, antiderivatives, roots.

    Parameters
    ----------
    c_or_r : array_like or poly1d
        The coefficients, highest power first (leading zeros are dropped; none left is
        ``[0]``), or with ``r`` the roots.
    r : bool
        ``c_or_r`` are the roots: the coefficients are :func:`poly`'s.
    variable : str, optional
        The variable's name in ``str(p)`` (``"x"`` by default).

    Notes
    -----
    The coefficients are a small replicated array: a split ``c_or_r`` is gathered (one
    ``allgatherv``). Evaluation ``p(x)`` is :func:`polyval`, elementwise on ``x``'s blocks:
    the result keeps ``x``'s layout, without communication. Arithmetic (``+ - *``, ``**``,
    ``/`` as :func:`polydiv` or by a scalar), :meth:`deriv`, :meth:`integ` and
    :attr:`roots` work on the replicated coefficients on every rank, without communication.
    ``p[k]`` (the coefficient of ``x**k``, zero beyond the order) is a 0-d replicated array
    where NumPy returns a scalar.
    """

    _coeffs: Array
    _variable: str

    def __init__(self, c_or_r: Any, r: bool = False, variable: str | None = None) -> None:
        if isinstance(c_or_r, poly1d):
            self._coeffs = c_or_r.coeffs
            self._variable = c_or_r.variable if variable is None else variable
            return
        self._coeffs = _trimmed(poly(c_or_r) if r else c_or_r)
        self._variable = "x" if variable is None else variable

    @property
    def coeffs(self) -> Array:
        """The coefficients, highest power first (replicated)."""
        return self._coeffs

    @coeffs.setter
    def coeffs(self, value: Array) -> None:
        if value is not self._coeffs:  # only ``p.coeffs *= 2`` (in place) is allowed
            raise AttributeError("Cannot set attribute")

    @property
    def variable(self) -> str:
        """The name of the variable in ``str(p)``."""
        return self._variable

    @property
    def order(self) -> int:
        """The degree: the number of coefficients less one."""
        return self._coeffs.shape[0] - 1

    @property
    def roots(self) -> Array:
        """The roots, as :func:`roots` computes them (replicated; no communication)."""
        return roots(self._coeffs)

    r = roots
    c = coef = coefficients = coeffs
    o = order

    def __array__(self, t: Any = None, copy: bool | None = None) -> np.ndarray:
        """The coefficients as a NumPy array (``numpy.asarray(p)``); no communication."""
        return self._coeffs.__array__(t, copy)

    def __repr__(self) -> str:
        return f"poly1d({repr(self._coeffs.numpy())[6:-1]})"

    def __str__(self) -> str:
        values = self._coeffs.numpy()
        values = values[np.logical_or.accumulate(values != 0)]
        text = "0"
        for k, value in enumerate(values):
            term = _term(_coefficient_text(value), self._variable, len(values) - 1 - k, k == 0)
            if k == 0:
                text = term
            elif term.startswith("-"):
                text = f"{text} - {term[1:]}"
            elif term:
                text = f"{text} + {term}"
        return _raise_powers(text)

    def __len__(self) -> int:
        return self.order

    def __call__(self, val: Any) -> Any:
        """The polynomial at ``val`` (:func:`polyval`: ``val``'s layout, no communication)."""
        return polyval(self._coeffs, val)

    def _other(self, other: Any) -> poly1d:
        return _as_poly1d(other, self._coeffs)

    def __neg__(self) -> poly1d:
        return poly1d(negative(self._coeffs))

    def __pos__(self) -> poly1d:
        return self

    def __mul__(self, other: Any) -> poly1d:
        if np.isscalar(other):
            return poly1d(multiply(self._coeffs, other))
        return poly1d(polymul(self._coeffs, self._other(other).coeffs))

    def __rmul__(self, other: Any) -> poly1d:
        if np.isscalar(other):
            return poly1d(multiply(other, self._coeffs))
        return poly1d(polymul(self._coeffs, self._other(other).coeffs))

    def __add__(self, other: Any) -> poly1d:
        return poly1d(polyadd(self._coeffs, self._other(other).coeffs))

    def __radd__(self, other: Any) -> poly1d:
        return poly1d(polyadd(self._coeffs, self._other(other).coeffs))

    def __sub__(self, other: Any) -> poly1d:
        return poly1d(polysub(self._coeffs, self._other(other).coeffs))

    def __rsub__(self, other: Any) -> poly1d:
        return poly1d(polysub(self._other(other).coeffs, self._coeffs))

    def __pow__(self, val: Any) -> poly1d:
        scalar = bool(np.isscalar(val))  # a plain bool: np.isscalar would narrow val for mypy
        if not scalar or int(val) != val or val < 0:
            raise ValueError("Power to non-negative integers only.")
        res: Any = coerce([1], self._coeffs)
        for _ in range(operator.index(val)):  # a float power raises TypeError, as in NumPy
            res = polymul(self._coeffs, res)
        return poly1d(res)

    def __truediv__(self, other: Any) -> Any:
        if np.isscalar(other):
            return poly1d(divide(self._coeffs, other))
        return polydiv(self, self._other(other))

    def __rtruediv__(self, other: Any) -> Any:
        if np.isscalar(other):
            return poly1d(divide(other, self._coeffs))
        return polydiv(self._other(other), self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, poly1d):
            return NotImplemented
        return array_equal(self._coeffs, other.coeffs)

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, poly1d):
            return NotImplemented
        return not array_equal(self._coeffs, other.coeffs)

    def __getitem__(self, val: int) -> Array:
        if val > self.order or val < 0:
            c = self._coeffs
            return zeros((), c.dtype, device=c.device, comm=c.comm)
        return self._coeffs[self.order - val]

    def __setitem__(self, key: int, val: Any) -> None:
        if key < 0:
            raise ValueError("Does not support negative powers.")
        if key > self.order:
            self._coeffs = concatenate(
                (zeros_like(self._coeffs, shape=(key - self.order,)), self._coeffs)
            )
        self._coeffs[self.order - key] = val

    def __iter__(self) -> Iterator[Array]:
        return iter(self._coeffs)

    def integ(self, m: int = 1, k: Any = 0) -> poly1d:
        """The ``m``-th antiderivative, with constants ``k`` (see :func:`polyint`)."""
        return poly1d(polyint(self._coeffs, m=m, k=k))

    def deriv(self, m: int = 1) -> poly1d:
        """The ``m``-th derivative (see :func:`polyder`)."""
        return poly1d(polyder(self._coeffs, m=m))
