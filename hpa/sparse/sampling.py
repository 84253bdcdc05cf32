"""Random sparse matrices, the same at every process count (``scipy.sparse.random``'s role).

Every entry is stored with probability ``density``, independently: row ``i`` draws its number
of entries from the binomial law (inverted from one uniform value at counter ``i``), then its
columns (uniform, redrawn until distinct; a row storing more than half of them draws the
columns it leaves out) and values (uniform in ``[0, 1)``, drawn at the
entry's global position). All draws come from hpa's counter-based generator at global
counters, so each rank computes only its rows and the matrix does not depend on the layout.
No communication.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from hpa.backends import resolve_device
from hpa.comm import get_comm
from hpa.comm.base import Communicator
from hpa.core import dtypes
from hpa.core.layout import Layout
from hpa.random.counter import bits_at, mix64, next_key, subkey, to_unit
from hpa.sparse.conversion import check_split, local_rows
from hpa.sparse.matrix import CSRMatrix

__all__ = ["random", "random_array"]

_ROUNDS = 64  # redraws of repeated columns (each leaves a repeat with probability 1/2 at most)


def _uniform(index: torch.Tensor, key: int) -> torch.Tensor:
    return to_unit(bits_at(index, key), torch.empty(index.shape, dtype=torch.float64))


def random(
    m: int, n: int, density: float = 0.01, format: str = "csr", dtype: Any = None,
    rng: Any = None, *, random_state: Any = None, split: int | None = 0, device: Any = None,
    comm: Communicator | None = None,
) -> CSRMatrix:  # fmt: skip
    """An ``m x n`` matrix with each entry stored with probability ``density``, its values
    uniform in ``[0, 1)`` (SciPy's ``random``).

    Parameters
    ----------
    m, n : int
        The shape; ``m * n`` must be below ``2**63`` (entries are drawn at counter
        ``row * n + column``).
    density : float
        The probability of an entry (``nnz`` is about ``density * m * n``; SciPy's draws
        exactly that many).
    format : "csr"
        The only format held.
    dtype : float32 or float64, optional
        float64 by default.
    rng, random_state : int, numpy.random.Generator or RandomState, optional
        The seed (SciPy's two names for it; give one). A NumPy generator is drawn from once
        for the seed, so generators in the same state on every rank give the same matrix. By
        default the next key of hpa's generator (:func:`hpa.random.seed`).
    split, device, comm : optional
        As :func:`~hpa.sparse.csr_matrix`.

    Returns
    -------
    CSRMatrix
        The same matrix at every process count; no communication.
    """
    if format != "csr":
        raise ValueError(f"hpa.sparse holds CSR matrices only, got format={format!r}")
    if not 0 <= density <= 1:
        raise ValueError(f"density expected to be 0 <= density <= 1, got {density}")
    if min(m, n) < 0:
        raise ValueError(f"negative dimensions are not allowed: {(m, n)}")
    if m * n >= 2**63:
        raise ValueError(
            f"hpa.sparse.random draws entry (i, j) at counter i * n + j: m * n must be below "
            f"2**63, got the shape {(m, n)}"
        )
    if rng is not None and random_state is not None:
        raise TypeError("random: give the seed as rng or as random_state, not both")
    dt = dtypes.to_dtype(dtype if dtype is not None else "float64")
    if dt.kind != "f":
        raise TypeError(f"random draws floating values, got dtype {dt.name}")
    key = _key(rng if rng is not None else random_state)
    lay = Layout((m, n), check_split(split), comm if comm is not None else get_comm())
    lo, hi = (0, m) if lay.split is None else lay.range_of(lay.comm.rank)
    rows = torch.arange(lo, hi, dtype=torch.int64)
    stored = _binomial(_uniform(rows, subkey(key, 0)), n, density)
    # a row storing more than half its columns draws the columns it leaves out instead, so
    # every round of redraws leaves a repeat with probability 1/2 at most
    flip = 2 * stored > n
    want = torch.where(flip, n - stored, stored)
    keys = torch.empty(0, dtype=torch.int64)
    for round_ in range(_ROUNDS):
        have = torch.bincount(keys // max(n, 1) - lo, minlength=hi - lo) if keys.numel() else 0
        short = want - have
        if not bool((short > 0).any()):
            break
        counts = short.clamp(min=0)
        owner = torch.repeat_interleave(rows, counts)
        slot = torch.arange(owner.numel()) - torch.repeat_interleave(
            torch.cumsum(counts, 0) - counts, counts
        )
        u = _uniform(owner * n + slot, subkey(key, 2 + round_))
        picked = owner * n + (u * n).to(torch.int64).clamp(max=n - 1)
        keys = torch.unique(torch.cat([keys, picked]))
    if bool(flip.any()):
        every = (rows[flip][:, None] * n + torch.arange(n)).reshape(-1)
        out = flip[keys // n - lo]
        kept = every[~torch.isin(every, keys[out])]
        keys = torch.sort(torch.cat([keys[~out], kept])).values
    r, c = keys // max(n, 1), keys % max(n, 1)
    vals = _uniform(keys, subkey(key, 1)).to(dt.torch)
    dev = resolve_device(device).torch_device
    return local_rows(r.to(dev), c.to(dev), vals.to(dev), lay, summed=True)


def random_array(
    shape: Any, *, density: float = 0.01, format: str = "csr", dtype: Any = None,
    rng: Any = None, random_state: Any = None, split: int | None = 0, device: Any = None,
    comm: Communicator | None = None,
) -> CSRMatrix:  # fmt: skip
    """:func:`random` with SciPy's ``random_array`` arguments: the shape ``(m, n)`` as one
    tuple, the rest by keyword. No communication."""
    dims = tuple(int(s) for s in shape)
    if len(dims) != 2:
        raise ValueError(f"hpa.sparse holds 2-D matrices: random_array needs (m, n), got {shape}")
    return random(
        dims[0], dims[1], density, format, dtype, rng, random_state=random_state, split=split,
        device=device, comm=comm,
    )  # fmt: skip


def _key(seed: Any) -> int:
    """The generator key of a seed: an int, a NumPy generator (drawn from once) or None
    (hpa's next key)."""
    if seed is None:
        return next_key()
    if isinstance(seed, np.random.Generator):
        return mix64(int(seed.integers(0, 2**63)))
    if isinstance(seed, np.random.RandomState):
        return mix64(int(seed.randint(0, 2**63, dtype=np.int64)))
    return mix64(int(seed))


def _binomial(u: torch.Tensor, n: int, p: float) -> torch.Tensor:
    """Binomial(n, p) draws by inverting the distribution function at ``u``."""
    from scipy.stats import binom

    if n == 0 or p == 0 or u.numel() == 0:
        return torch.zeros(u.shape, dtype=torch.int64)
    return torch.from_numpy(binom.ppf(u.numpy(), n, p).astype("int64")).clamp(0, n)
