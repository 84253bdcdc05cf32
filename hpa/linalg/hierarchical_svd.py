"""Hierarchical SVD (HeAT's ``hsvd_rank``, ``hsvd_rtol`` and ``hsvd``): an approximate truncated
SVD from local SVDs of the blocks, merged pairwise (or in larger groups) up a tree.

The matrix is seen with its columns split (a row-split ``A`` is treated as ``A^T``, whose
factors are then swapped back). Every process computes the SVD of its block of columns and
keeps the leading ``U_i S_i`` (the truncation rank, plus ``safetyshift``); these are the
leaves of a tree. At every level consecutive nodes are grouped (at most ``no_of_merges`` of
them, with at most ``maxmergedim`` columns together); the group's columns move to its first
process, which computes the SVD of their concatenation and truncates again. The root (rank 0)
truncates without the safety shift, and its ``U`` is replicated. This is the method of Iwen &
Ong (2016); the error bound is that of Himpe, Leibner & Rave (2018): the squared Frobenius
error of the result is at most the sum of the squared singular values every node discarded,
which is the estimate returned (divided by ``||A||_F``).

The tree's leaves are the process-local blocks, so the approximation depends on the number of
processes and on how the columns are blocked, by construction (as in HeAT); a replicated
matrix is a single leaf, the same as one process. The layouts of the results depend only on
the input's split.

==========================  ===================================================================
step                        communication
==========================  ===================================================================
``||A||_F``                 one ``allreduce``
every level of the tree     one ``allgather`` of the nodes' widths, one ``alltoallv`` moving
                            each group's ``U_i S_i`` (``m x r_i``) to its first process
the root's ``U``            one ``allgather`` (widths, discarded energies), one ``allgatherv``
                            of ``m x r``
``V`` (``compute_sv``, or   a local product with the split ``A``, one ``allreduce`` for the
a row-split ``A``)          column norms
==========================  ===================================================================

A replicated matrix is factored on every process without communication (two local SVDs).
"""

from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import torch

from hpa.comm import print0
from hpa.core.array import Array
from hpa.core.exchange import gather_counts, gather_records
from hpa.core.layout import Layout
from hpa.core.redistribute import redistribute
from hpa.linalg.norms import vector_norm
from hpa.linalg.products import matmul
from hpa.ops.creation import coerce
from hpa.ops.manipulation import matrix_transpose

__all__ = ["hsvd", "hsvd_rank", "hsvd_rtol"]

# singular values not above this fraction of ||A||_F are numerical noise and always cut
_NOISE = {torch.float32: 1e-7, torch.float64: 1e-14}


def real_matrix(x: Any, name: str, ndims: tuple[int, ...] = (2,)) -> Array:
    """``x`` as an hpa array of float32 or float64 with ``ndims`` dimensions (HeAT's check of
    the SVD routines' inputs; raised from metadata, the same on every rank).

    Raises
    ------
    ValueError
        If ``x`` has another number of dimensions.
    TypeError
        If its dtype is not float32 or float64.
    """
    a = coerce(x)
    if a.ndim not in ndims:
        raise ValueError(
            f"Argument {name} needs to be {' or '.join(map(str, ndims))}-dimensional, "
            f"but is {a.ndim}-dimensional."
        )
    if a.larray.dtype not in _NOISE:
        raise TypeError(
            f"Argument {name} needs to be an array with datatype float32 or float64, "
            f"but data type is {a.dtype}."
        )
    return a


def check_int(name: str, value: Any, low: int, allow_none: bool = False) -> None:
    """Raise ``TypeError`` unless ``value`` is an int (or None when allowed), ``ValueError``
    unless it is at least ``low``."""
    if value is None and allow_none:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an integer, but is {type(value).__name__}.")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, but is {value}.")


def _truncated(
    block: torch.Tensor,
    maxrank: int | None,
    atol: float | None,
    shift: int,
    noise: float,
) -> tuple[torch.Tensor, torch.Tensor, float, bool]:
    """The leading left singular vectors and values of ``block`` kept by one node.

    The rank is the smallest one whose discarded energy is below ``atol**2`` (all values above
    ``noise`` without ``atol``), at most ``maxrank``, then ``shift`` more where there are.
    A node keeps at least one column: a zero column when everything is cut. Returns
    ``(u, s, discarded energy, whether maxrank stopped short of atol)``.
    """
    u, s, _ = torch.linalg.svd(block, full_matrices=False)
    energy = s * s
    # tails[k]: the energy of the values from k on (tails[len(s)] = 0)
    tails = torch.cat([energy.flip(0).cumsum(0).flip(0), energy.new_zeros(1)])
    signal = int((s > noise).sum())
    rank = signal if maxrank is None else min(maxrank, signal)
    short = False
    if atol is not None and signal > 0:
        ideal = int(torch.nonzero(tails < atol * atol)[0])
        short = ideal > rank
        rank = min(rank, ideal)
    if signal > 0:
        rank = min(s.shape[0], rank + shift)
    if rank == 0:
        return block.new_zeros(block.shape[0], 1), s.new_zeros(1), float(tails[0]), short
    return u[:, :rank], s[:rank], float(tails[rank]), short


def _groups(
    active: list[int], widths: list[int], maxmergedim: int | None, merges: int | None
) -> list[list[int]]:
    """Consecutive active nodes grouped greedily: at most ``merges`` nodes and ``maxmergedim``
    columns per group (HeAT's merging rule)."""
    groups: list[list[int]] = []
    used = 0
    for node in active:
        fits = maxmergedim is None or used + widths[node] <= maxmergedim
        room = merges is None or (bool(groups) and len(groups[-1]) < merges)
        if groups and fits and room:
            groups[-1].append(node)
            used += widths[node]
        else:
            groups.append([node])
            used = widths[node]
    return groups


def _tree(
    t: torch.Tensor,
    lay: Layout,
    maxrank: int | None,
    maxmergedim: int | None,
    atol: float | None,
    shift: int,
    merges: int | None,
    noise: float,
    silent: bool,
) -> tuple[Array, float, bool]:
    """The root's ``U`` (replicated), the discarded energy of all nodes and whether any node
    could not reach ``atol`` within ``maxrank``, for the column blocks ``t`` of ``lay``."""
    comm, m = lay.comm, lay.gshape[0]
    active = list(range(comm.size))
    u, s, lost, short = _truncated(t, maxrank, atol, shift, noise)
    factor = u * s
    level = 0
    while True:
        widths = gather_counts(comm, [factor.shape[1]])[:, 0].tolist()
        if not silent:
            shown = ", ".join(f"{n}: {widths[n]}" for n in active)
            print0(f"hSVD level {level}: nodes (process: columns) {shown}", comm=comm)
        groups = _groups(active, widths, maxmergedim, merges)
        if len(groups) == len(active) > 1:
            raise ValueError(
                f"maxmergedim={maxmergedim} is too small to merge two nodes of widths "
                f"{[widths[n] for n in active]}; ensure maxmergedim > 2*(maxrank + safetyshift)."
            )
        merged = [0] * comm.size
        for group in groups:
            merged[group[0]] = sum(widths[n] for n in group)
        src = Layout((m, sum(widths)), 1, comm, widths)
        block = redistribute(factor, src, src.with_split(1, merged))
        level += 1
        root = len(groups) == 1
        if merged[comm.rank] > 0:
            u, s, more, stopped = _truncated(block, maxrank, atol, 0 if root else shift, noise)
            lost, short = lost + more, short or stopped
            factor = u if root else u * s
        else:
            factor = block
        if root:
            break
        active = [group[0] for group in groups]
    width, energy, flag = gather_records(
        comm,
        torch.tensor([factor.shape[1]]),
        torch.tensor([lost], dtype=torch.float64),
        torch.tensor([short]),
    )
    counts = width[:, 0].tolist()
    U = Array(factor.contiguous(), Layout((m, sum(counts)), 1, comm, counts)).resplit(None)
    return U, float(energy.sum()), bool(flag.any())


def _factors(
    A: Array,
    maxrank: int | None,
    maxmergedim: int | None,
    rtol: float | None,
    safetyshift: int,
    no_of_merges: int | None,
    compute_sv: bool,
    silent: bool,
    warn: bool,
) -> tuple[Array, ...]:
    """The hierarchical SVD of the checked ``A`` (see :func:`hsvd`)."""
    rows = A.split == 0  # factor A^T, whose columns are split, and swap the factors back
    t = A.larray.mT if rows else A.larray
    m = A.shape[1] if rows else A.shape[0]
    anorm = float(vector_norm(A))
    noise = _NOISE[t.dtype] * anorm
    leaves = 1 if A.split is None else A.comm.size
    atol = None if rtol is None else anorm * rtol / math.sqrt(2 * leaves - 1)
    if A.split is None:
        u, s, lost, short = _truncated(t, maxrank, atol, safetyshift, noise)
        u, _, more, stopped = _truncated(u * s, maxrank, atol, 0, noise)
        U = Array(u.contiguous(), Layout((m, u.shape[1]), None, A.comm))
        lost, short = lost + more, short or stopped
    else:
        lay = Layout((m, A.shape[A.split]), 1, A.comm, A.counts)
        U, lost, short = _tree(t, lay, maxrank, maxmergedim, atol, safetyshift, no_of_merges,
                               noise, silent)  # fmt: skip
    if warn and short:
        warnings.warn(
            f"hSVD: reaching rtol={rtol} needs more than maxrank={maxrank} singular vectors "
            "at some node; the desired precision is likely lost.",
            RuntimeWarning,
            stacklevel=3,
        )
    ratio = math.sqrt(lost) / anorm if anorm > 0 else 0.0
    estimate = Array(torch.tensor(ratio, dtype=t.dtype, device=t.device), Layout((), None, A.comm))
    if not (rows or compute_sv):
        return U, estimate
    V = matmul(A, U) if rows else matmul(matrix_transpose(A), U)
    sigma = vector_norm(V, axis=0)
    safe = sigma.larray.where(sigma.larray > 0, torch.ones_like(sigma.larray))
    V = V / Array(safe, sigma.layout)
    if rows:
        return (V, sigma, matrix_transpose(U), estimate) if compute_sv else (V, estimate)
    return U, sigma, matrix_transpose(V), estimate


def _check_common(A: Any, safetyshift: int, compute_sv: bool, silent: bool) -> Array:
    a = real_matrix(A, "A")
    check_int("safetyshift", safetyshift, 0)
    for name, flag in (("compute_sv", compute_sv), ("silent", silent)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be a bool, but is {type(flag).__name__}.")
    return a


def _widest(a: Array) -> int:
    """The widest local block along the split axis (``min(m, n)`` for a replicated matrix,
    a single leaf that merges nothing)."""
    return min(a.shape) if a.counts is None else max(a.counts)


def hsvd_rank(
    A: Any,
    maxrank: int,
    compute_sv: bool = False,
    maxmergedim: int | None = None,
    safetyshift: int = 5,
    silent: bool = True,
) -> tuple[Array, ...]:
    """Hierarchical SVD truncated to rank ``maxrank`` (HeAT's ``hsvd_rank``).

    An approximation of the leading ``maxrank`` singular triplets of ``A``, accurate when
    ``A`` is (close to) low-rank; comparable to scikit-learn's randomized ``TruncatedSVD``
    with ``maxrank`` and ``safetyshift`` in the roles of ``n_components`` and
    ``n_oversamples``, but deterministic.

    Parameters
    ----------
    A : array_like or hpa.Array
        A 2-D float32 or float64 matrix, split along either axis or replicated.
    maxrank : int
        The truncation rank (at least 1).
    compute_sv : bool
        Also return the singular values, ``V^T`` and the error estimate.
    maxmergedim : int, optional
        The most columns a node of the merging tree concatenates; at least
        ``2 * (maxrank + safetyshift) + 1``. By default the widest local block along the split
        axis, or that minimum if it is larger.
    safetyshift : int
        Extra singular vectors every node but the root keeps.
    silent : bool
        ``False`` prints the tree's levels from rank 0.

    Returns
    -------
    tuple
        ``(U, rel_error_estimate)``, or ``(U, S, Vt, rel_error_estimate)`` with
        ``compute_sv``: ``U`` is ``m x r`` (``r <= maxrank``), ``S`` the ``r`` singular values,
        ``Vt`` ``r x n``; ``rel_error_estimate`` (a 0-d array) is an upper bound of the
        relative error ``||A - U S V^T||_F / ||A||_F``. The tree computes the factor along
        the unsplit axis (``U``, or ``V`` for a row-split ``A``), the other one and ``S`` follow
        by a product with ``A`` (``v_j = A^T u_j / ||A^T u_j||``, ``s_j = ||A^T u_j||``), so
        ``U S V^T`` is the projection ``U U^T A`` (``A V V^T``). A row-split ``A`` gives ``U``
        split along its rows and ``S``, ``Vt`` replicated; a column-split one ``U``, ``S``
        replicated and ``Vt`` split along its columns; a replicated one replicated factors.

    Raises
    ------
    TypeError, ValueError
        For a matrix that is not 2-D float32/float64, or invalid parameters (the same on every
        rank, before any communication).

    Notes
    -----
    Communication: one ``allreduce`` (``||A||_F``), per level of the tree one ``allgather``
    of the nodes' widths and one ``alltoallv`` of the merged ``U_i S_i``, then one ``allgather``
    and one ``allgatherv`` of ``U``; ``V`` (with ``compute_sv``, or for a row-split ``A``) adds
    one ``allreduce``; none for a replicated ``A``. The merging tree is built from the
    process-local blocks, so the result depends on the number of processes (as in HeAT). "Rank"
    is the number of singular vectors, not a process rank.

    References
    ----------
    .. [1] M. Iwen, B. Ong, "A distributed and incremental SVD algorithm for agglomerative data
       analysis on large networks", SIAM J. Matrix Anal. Appl. 37(4), 2016.
    .. [2] C. Himpe, T. Leibner, S. Rave, "Hierarchical approximate proper orthogonal
       decomposition", SIAM J. Sci. Comput. 40(5), 2018.
    """
    a = _check_common(A, safetyshift, compute_sv, silent)
    check_int("maxrank", maxrank, 1)
    check_int("maxmergedim", maxmergedim, 1, allow_none=True)
    least = 2 * (maxrank + safetyshift) + 1
    if maxmergedim is not None and maxmergedim < least:
        raise ValueError(
            f"maxmergedim={maxmergedim} is too small. Please ensure `maxmergedim > "
            "2*(maxrank + safetyshift)`, or set `maxmergedim=None` to use the default."
        )
    if maxmergedim is None:
        maxmergedim = max(_widest(a), least)
    return _factors(a, maxrank, maxmergedim, None, safetyshift, None, compute_sv, silent, False)


def hsvd_rtol(
    A: Any,
    rtol: float,
    compute_sv: bool = False,
    maxrank: int | None = None,
    maxmergedim: int | None = None,
    safetyshift: int = 5,
    no_of_merges: int | None = None,
    silent: bool = True,
) -> tuple[Array, ...]:
    """Hierarchical SVD truncated to a relative error ``rtol`` (HeAT's ``hsvd_rtol``).

    Keeps as many singular triplets as needed for ``||A - U U^T A||_F <= rtol ||A||_F``: the
    tolerance is shared among the nodes of the worst-case binary tree (``2 p - 1`` nodes for
    ``p`` leaves), so the returned estimate along the actual tree is often well below
    ``rtol``. ``maxrank`` or ``maxmergedim`` bound the memory but may cost the precision, in
    which case a ``RuntimeWarning`` says so (on every rank).

    Parameters
    ----------
    A : array_like or hpa.Array
        A 2-D float32 or float64 matrix, split along either axis or replicated.
    rtol : float
        The relative error aimed at (positive).
    compute_sv : bool
        Also return the singular values and ``V^T``.
    maxrank : int, optional
        The most singular vectors kept at any node. With only ``maxmergedim`` given:
        ``(maxmergedim - 1) // 2 - safetyshift``.
    maxmergedim : int, optional
        The most columns a node concatenates, at least ``2 * (maxrank + safetyshift) + 1``.
        With only ``maxrank`` given: the widest local block along the split axis, or that
        minimum if it is larger.
    safetyshift : int
        Extra singular vectors every node but the root keeps.
    no_of_merges : int, optional
        The most nodes merged at once (at least 2). With neither ``maxrank`` nor
        ``maxmergedim``: 2 (a binary tree), without any bound on the rank.
    silent : bool
        ``False`` prints the tree's levels from rank 0.

    Returns
    -------
    tuple
        ``(U, rel_error_estimate)`` or ``(U, S, Vt, rel_error_estimate)``, laid out as in
        :func:`hsvd_rank`; the estimate is an upper bound of the true relative error.

    Raises
    ------
    TypeError, ValueError
        For invalid input or parameters (the same on every rank, before any communication).

    Notes
    -----
    Communication: as :func:`hsvd_rank` (see :mod:`hpa.linalg.hierarchical_svd`); the tree
    depends on the number of processes. ``rtol`` is unrelated to scikit-learn's ``tol``.

    References
    ----------
    .. [1] M. Iwen, B. Ong, SIAM J. Matrix Anal. Appl. 37(4), 2016.
    .. [2] C. Himpe, T. Leibner, S. Rave, SIAM J. Sci. Comput. 40(5), 2018.
    """
    a = _check_common(A, safetyshift, compute_sv, silent)
    if isinstance(rtol, bool) or not isinstance(rtol, numbers.Real):
        raise TypeError(f"rtol must be a float, but is {type(rtol).__name__}.")
    if not rtol > 0:
        raise ValueError(f"rtol must be positive, but is {rtol}.")
    check_int("maxrank", maxrank, 1, allow_none=True)
    check_int("maxmergedim", maxmergedim, 1, allow_none=True)
    check_int("no_of_merges", no_of_merges, 2, allow_none=True)
    if maxmergedim is not None and maxrank is None:
        maxrank = (maxmergedim - 1) // 2 - safetyshift
        if maxrank <= 0:
            raise ValueError(
                f"safetyshift={safetyshift} is too large for maxmergedim={maxmergedim}."
            )
    if maxmergedim is None and maxrank is not None:
        maxmergedim = max(_widest(a), 2 * (maxrank + safetyshift) + 1)
    if maxmergedim is not None and maxrank is not None:
        if maxmergedim < 2 * (maxrank + safetyshift) + 1:
            raise ValueError(
                f"maxmergedim={maxmergedim} is too small. Please ensure `maxmergedim > "
                "2*(maxrank + safetyshift)`, or set `maxmergedim=None` to use the default."
            )
    if maxmergedim is None and maxrank is None and no_of_merges is None:
        no_of_merges = 2
    return _factors(a, maxrank, maxmergedim, float(rtol), safetyshift, no_of_merges,
                    compute_sv, silent, True)  # fmt: skip


def hsvd(
    A: Any,
    maxrank: int | None = None,
    maxmergedim: int | None = None,
    rtol: float | None = None,
    safetyshift: int = 0,
    no_of_merges: int | None = 2,
    compute_sv: bool = False,
    silent: bool = True,
    warnings_off: bool = False,
) -> tuple[Array, ...]:
    """The hierarchical SVD with every parameter explicit (HeAT's low-level ``hsvd``).

    :func:`hsvd_rank` and :func:`hsvd_rtol` choose consistent parameters; this function takes
    them as they are. ``None`` leaves the rank (``maxrank``), the width of a merge
    (``maxmergedim``), the tolerance (``rtol``) or the number of nodes merged at once
    (``no_of_merges``) unbounded.

    Parameters
    ----------
    A : array_like or hpa.Array
        A 2-D float32 or float64 matrix, split along either axis or replicated.
    maxrank : int, optional
        The most singular vectors kept at any node.
    maxmergedim : int, optional
        The most columns a node concatenates.
    rtol : float, optional
        The relative error aimed at, shared among the ``2 p - 1`` nodes of a binary tree.
    safetyshift : int
        Extra singular vectors every node but the root keeps.
    no_of_merges : int, optional
        The most nodes merged at once.
    compute_sv : bool
        Also return the singular values and ``V^T``.
    silent : bool
        ``False`` prints the tree's levels from rank 0.
    warnings_off : bool
        Do not warn when ``maxrank`` keeps a node from reaching ``rtol``.

    Returns
    -------
    tuple
        As :func:`hsvd_rank`.

    Raises
    ------
    TypeError, ValueError
        For invalid input or parameters; ``ValueError`` also when ``maxmergedim`` is too small
        to merge two nodes (found from the gathered widths, on every rank at once).

    Notes
    -----
    Communication: as :func:`hsvd_rank` (see :mod:`hpa.linalg.hierarchical_svd`).
    """
    a = _check_common(A, safetyshift, compute_sv, silent)
    check_int("maxrank", maxrank, 1, allow_none=True)
    check_int("maxmergedim", maxmergedim, 1, allow_none=True)
    check_int("no_of_merges", no_of_merges, 2, allow_none=True)
    if rtol is not None and (isinstance(rtol, bool) or not isinstance(rtol, numbers.Real)):
        raise TypeError(f"rtol must be a float or None, but is {type(rtol).__name__}.")
    if rtol is not None and not rtol > 0:
        raise ValueError(f"rtol must be positive, but is {rtol}.")
    return _factors(a, maxrank, maxmergedim, None if rtol is None else float(rtol), safetyshift,
                    no_of_merges, compute_sv, silent, not warnings_off)  # fmt: skip
