"""Batch-parallel k-means and k-medians (HeAT's ``BatchParallelKMeans`` and
``BatchParallelKMedians``, after Alguliyev et al. 2021).

Every process clusters its own block of samples (its "batch") on its own, from a greedy
k-means++ / k-medians++ seeding, with no communication at all. The local centres are then merged up a
tree: groups of ``n_procs_to_merge`` consecutive processes (all of them by default) send their
centres to the group's first process, which clusters these centres again into
``n_clusters``; the first processes of the groups form the next level, until rank 0 holds the
final centres, which are replicated. A process with fewer samples than ``n_clusters`` passes
its samples on as they are.

The batches are the process-local blocks, so the centres depend on the number of processes
and on how the samples are blocked, by design (as in HeAT); at one process the method is plain
k-means (k-medians) with HeAT's stopping rule: the centres moved by no more than
``tol + 1e-5 |c|`` (``torch.allclose``), or ``max_iter`` iterations.

Communication of ``fit``: per level of the tree one ``allgather_object`` (the blocks'
shapes) and one ``alltoallv`` of at most ``n_clusters x n_features`` numbers per process; then
one ``allgatherv`` of the final centres, one small gather of the iteration counts, and the
labels and inertia of the training data (local, then one ``allreduce``).
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import torch

import hpa
from hpa.algorithms.cluster._common import KCentersBase
from hpa.algorithms.validation import check_number

__all__ = ["BatchParallelKMeans", "BatchParallelKMedians"]


def _distances(t: torch.Tensor, centre: torch.Tensor, p: int) -> torch.Tensor:
    """The L``p`` distance of every row of ``t`` to ``centre``."""
    return torch.linalg.vector_norm(t - centre, ord=p, dim=1)


def _seeding(t: torch.Tensor, k: int, p: int, gen: torch.Generator) -> torch.Tensor:
    """``k`` rows of ``t`` by greedy ++ seeding (scikit-learn's variant): the first uniformly,
    then per centre ``2 + ln k`` candidates drawn with probability proportional to the squared
    L``p`` distance to the nearest centre so far; the candidate lowering their sum most is kept."""
    n, trials = t.shape[0], 2 + int(math.log(k))
    chosen = [int(torch.randint(n, (1,), generator=gen, device=t.device))]
    potential = _distances(t, t[chosen[0]], p) ** 2
    for _ in range(1, k):
        total = potential.sum()
        if total > 0:
            candidates = torch.multinomial(
                potential / total, trials, replacement=True, generator=gen
            )
        else:  # every row coincides with a chosen one
            candidates = torch.randint(n, (trials,), generator=gen, device=t.device)
        options = torch.minimum(potential, torch.cdist(t[candidates], t, p=float(p)) ** 2)
        best = int(options.sum(dim=1).argmin())
        chosen.append(int(candidates[best]))
        potential = options[best]
    return t[chosen].clone()


def _median(rows: torch.Tensor) -> torch.Tensor:
    """The feature-wise median (NumPy's: the mean of the two middle values for an even count)."""
    ordered = rows.sort(dim=0).values
    n = ordered.shape[0]
    return (ordered[(n - 1) // 2] + ordered[n // 2]) / 2


def _cluster(
    t: torch.Tensor, k: int, p: int, max_iter: int, tol: float, gen: torch.Generator
) -> tuple[torch.Tensor, int]:
    """k-means (``p = 2``) or k-medians (``p = 1``) of the rows of ``t`` on this process:
    the centres and the number of iterations. Fewer rows than ``k`` are the centres
    themselves (no iteration); an empty cluster keeps its centre."""
    if t.shape[0] <= k:
        return t.clone(), 0
    centres = _seeding(t, k, p, gen)
    iterations = 0
    for iterations in range(1, max_iter + 1):
        labels = torch.cdist(t, centres, p=float(p)).argmin(dim=1)
        previous = centres.clone()
        for j in range(k):
            members = t[labels == j]
            if members.shape[0]:
                centres[j] = _median(members) if p == 1 else members.mean(dim=0)
        if torch.allclose(centres, previous, atol=tol):
            break
    return centres, iterations


def _levels(size: int, width: int) -> list[list[list[int]]]:
    """The merging tree over ``size`` processes: per level, the groups of (at most ``width``)
    consecutive active processes; each group's first process is active at the next level."""
    levels, active = [], list(range(size))
    while len(active) > 1:
        groups = [active[i : i + width] for i in range(0, len(active), width)]
        levels.append(groups)
        active = [group[0] for group in groups]
    return levels


class _BatchParallel(KCentersBase):
    """The shared fit of the batch-parallel estimators; subclasses set ``_p`` and ``_init_names``."""

    _p = 2
    labels_: hpa.Array
    inertia_: float
    n_iter_: tuple[int, int]

    def __init__(
        self,
        n_clusters: int = 8,
        init: str = "",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: int | None = None,
        n_procs_to_merge: int | None = None,
    ) -> None:
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state
        self.n_procs_to_merge = n_procs_to_merge

    def _check(self) -> None:
        if not isinstance(self.init, str):
            raise TypeError(f"init must be str, but was {type(self.init).__name__}")
        if self.init == "random":
            raise NotImplementedError(
                f"random initialization for {type(self).__name__} is not supported (the method "
                f"is unstable with it); use init={self._init_names[0]!r}"
            )
        self._check_common()
        check_number("tol", self.tol, numbers.Real, low=0, low_open=True)
        rs = self.random_state
        if rs is not None and (isinstance(rs, bool) or not isinstance(rs, numbers.Integral)):
            raise TypeError(f"random_state must be int or None, but was {type(rs).__name__}")
        check_number(
            "n_procs_to_merge", self.n_procs_to_merge, numbers.Integral, low=2, allow_none=True
        )

    def _seed(self) -> int:
        """The seed of rank 0's batch (rank ``r`` uses ``seed + r``): ``random_state``, or a draw
        from hpa's generator (the same on every rank, no communication)."""
        if self.random_state is not None:
            return int(self.random_state)
        return int(hpa.random.randint(0, 2**31 - 1, size=1, device="cpu").numpy()[0])

    def fit(self, X: Any, y: Any = None) -> _BatchParallel:
        """Cluster every process's batch of ``X``, then merge the centres up the tree.

        Parameters
        ----------
        X : array_like or hpa.Array
            ``n_samples x n_features``. Split along the samples, every process's block is its
            batch; split along the features it is first split along the samples (one
            ``alltoallv``); replicated, every process takes its balanced block (no
            communication).
        y : ignored

        Returns
        -------
        self
            Fitted: ``cluster_centers_``, ``labels_``, ``inertia_``, ``n_iter_``.

        Raises
        ------
        TypeError, ValueError, NotImplementedError
            For invalid parameters (``init="random"``: NotImplementedError, as in HeAT), NaN
            or infinity in ``X``, or fewer samples than clusters; the same on every rank.
        """
        self._check()
        X = self._data(X)
        batches = X if X.split == 0 else X.resplit(0)
        rank, size = batches.comm.rank, batches.comm.size
        t = batches.larray
        gen = torch.Generator(device=t.device).manual_seed(self._seed() + rank)
        k, p = self.n_clusters, self._p
        centres, local = _cluster(t, k, p, self.max_iter, self.tol, gen)
        merging = 0
        for groups in _levels(size, self.n_procs_to_merge or size):
            gathered = hpa.array(centres, is_split=0, device=X.device)
            sizes, counts = gathered.counts or (), [0] * size
            for group in groups:
                counts[group[0]] = sum(sizes[r] for r in group)
            gathered.redistribute_(counts)
            centres = gathered.larray
            if counts[rank] > 0:
                centres, more = _cluster(centres, k, p, self.max_iter, self.tol, gen)
                merging += more
        self.cluster_centers_ = hpa.array(centres, is_split=0, device=X.device).resplit(None)
        counts_of = hpa.array(torch.tensor([[local, merging]]), is_split=0).resplit(None).numpy()
        self.n_iter_ = (int(counts_of[:, 0].max()), int(counts_of[0, 1]))
        self.n_features_in_ = X.shape[1]
        distances = self._distances(X)
        nearest = distances.min(axis=1)
        self.inertia_ = float((nearest**2 if p == 2 else nearest).sum())
        self.labels_ = self._finish_labels(hpa.argmin(distances, axis=1), X)
        return self

    @property
    def functional_value_(self) -> float:
        """HeAT's name of :attr:`inertia_` (the k-means or k-medians functional of the training
        data)."""
        return self.inertia_


class BatchParallelKMeans(_BatchParallel):
    """Batch-parallel k-means (HeAT's ``BatchParallelKMeans``).

    Every process runs k-means on its own block of samples; the local centres are clustered
    again, hierarchically, into the final ones (see :mod:`hpa.algorithms.cluster.batch_parallel`).
    Fast and communication-light, but an approximation of k-means whose result depends on the
    number of processes.

    Parameters
    ----------
    n_clusters : int
        The number of clusters.
    init : "k-means++"
        The seeding of every local and merging k-means (``"random"`` raises
        ``NotImplementedError``, as in HeAT).
    max_iter : int
        The most iterations of every local and merging k-means.
    tol : float
        A k-means stops when no centre moved more than ``tol`` (plus ``1e-5`` times its size).
    random_state : int, optional
        Seed of the seeding; rank ``r`` uses ``random_state + r``. ``None`` draws the seed from
        hpa's generator.
    n_procs_to_merge : int, optional
        The processes merged at once at every level of the tree (at least 2); all of them by
        default.

    Attributes
    ----------
    cluster_centers_ : hpa.Array
        ``n_clusters x n_features``, replicated.
    labels_ : hpa.Array
        The nearest centre of every training sample (int32), laid out like the rows of ``X``.
    inertia_ : float
        The sum of the squared distances of the training samples to their nearest centre
        (``functional_value_``, HeAT's name).
    n_iter_ : tuple of int
        ``(local, merging)``: the most iterations of a local k-means, and the iterations of
        the merging k-means on rank 0.
    n_features_in_ : int

    References
    ----------
    .. [1] R. M. Alguliyev, R. M. Aliguliyev, L. V. Sukhostat, "Parallel batch k-means for Big
       data clustering", Computers & Industrial Engineering 152, 2021.
    """

    _p = 2
    _metric = "euclidean"
    _init_names = ("k-means++", "random")

    def __init__(
        self,
        n_clusters: int = 8,
        init: str = "k-means++",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: int | None = None,
        n_procs_to_merge: int | None = None,
    ) -> None:
        super().__init__(n_clusters, init, max_iter, tol, random_state, n_procs_to_merge)


class BatchParallelKMedians(_BatchParallel):
    """Batch-parallel k-medians (HeAT's ``BatchParallelKMedians``): as
    :class:`BatchParallelKMeans` with the L1 distance and feature-wise medians.

    Parameters
    ----------
    n_clusters : int
        The number of clusters.
    init : "k-medians++"
        The seeding of every local and merging k-medians (``"random"`` raises
        ``NotImplementedError``, as in HeAT).
    max_iter : int
        The most iterations of every local and merging k-medians.
    tol : float
        A k-medians stops when no centre moved more than ``tol`` (plus ``1e-5`` times its size).
    random_state : int, optional
        Seed of the seeding; rank ``r`` uses ``random_state + r``.
    n_procs_to_merge : int, optional
        The processes merged at once at every level (at least 2); all of them by default.

    Attributes
    ----------
    cluster_centers_ : hpa.Array
        ``n_clusters x n_features``, replicated.
    labels_ : hpa.Array
        The nearest centre (L1) of every training sample (int32), laid out like ``X``'s rows.
    inertia_ : float
        The sum of the L1 distances of the training samples to their nearest centre
        (``functional_value_``).
    n_iter_ : tuple of int
        ``(local, merging)`` iterations, as in :class:`BatchParallelKMeans`.
    n_features_in_ : int
    """

    _p = 1
    _metric = "cityblock"
    _init_names = ("k-medians++", "random")

    def __init__(
        self,
        n_clusters: int = 8,
        init: str = "k-medians++",
        max_iter: int = 300,
        tol: float = 1e-4,
        random_state: int | None = None,
        n_procs_to_merge: int | None = None,
    ) -> None:
        super().__init__(n_clusters, init, max_iter, tol, random_state, n_procs_to_merge)
