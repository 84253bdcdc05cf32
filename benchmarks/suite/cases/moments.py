"""The HeAT paper's array workloads: statistical moments and the euclidean distance matrix.

moments  ``mean`` and ``std`` (population, ``ddof=0``) of all values and along axis 0 of an
         ``n x d`` float64 matrix split along the rows; four results, one run
cdist    the ``n x m`` euclidean distances between ``X`` (``n x f``, split along the rows)
         and ``Y`` (``m x f``, replicated); the result stays split along the rows

Frameworks: hpa and HeAT (SPMD, same process count), torch (rank 0 alone, the reference),
Dask (rank 0 driving the threaded or distributed scheduler; chunks: one row block per process,
as hpa's and HeAT's cut). Dask computes the four moments in one ``dask.compute`` (shared
reads of ``X``: its natural use); the distance matrix by the quadratic expansion in Dask
array operations, persisted (kept on the workers like hpa's split result, not sent to the
client). HeAT's ``cdist`` runs with its default (``torch.cdist`` on each tile).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..case import Case, Impl, register
from . import _shared as sh

# --- moments -------------------------------------------------------------------------------


def _moments_params(quick: bool) -> dict:
    return {"n": 4096, "d": 8, "seed": 11} if quick else {"n": 1 << 21, "d": 32, "seed": 11}


def _pack(*values: Any) -> np.ndarray:
    """The results as one float64 vector (hpa's full reductions return Python floats)."""
    values = [v.numpy() if hasattr(v, "numpy") else v for v in values]
    return np.concatenate([np.ravel(np.asarray(v, dtype=np.float64)) for v in values])


def _moments_hpa(p: dict) -> Impl:
    import hpa

    x = sh.hpa_array(sh.local_rows(p, p["n"], p["d"], p["seed"]))

    def run(x: Any) -> tuple:
        return hpa.mean(x), hpa.std(x), hpa.mean(x, axis=0), hpa.std(x, axis=0)

    return Impl(run, lambda r: _pack(*r), x)


def _moments_heat(p: dict) -> Impl:
    ht = sh.heat()
    x = sh.heat_array(sh.local_rows(p, p["n"], p["d"], p["seed"]))

    def run(x: Any) -> tuple:
        return ht.mean(x), ht.std(x), ht.mean(x, axis=0), ht.std(x, axis=0)

    return Impl(run, lambda r: _pack(*r), x)


def _moments_torch(p: dict) -> Impl:
    import torch

    x = torch.tensor(sh.full_rows(p["n"], p["d"], p["seed"]))

    def run(x: Any) -> tuple:
        return x.mean(), x.std(correction=0), x.mean(0), x.std(0, correction=0)

    return Impl(run, lambda r: _pack(*r), x)


def _moments_dask(p: dict) -> Impl:
    import dask

    x = sh.dask_rows(p, p["n"], p["d"], p["seed"])

    def run(x: Any) -> tuple:
        return dask.compute(x.mean(), x.std(), x.mean(axis=0), x.std(axis=0))

    return Impl(run, lambda r: _pack(*r), x)


register(
    Case(
        name="moments",
        group="paper",
        params=_moments_params,
        impls={
            "hpa": _moments_hpa,
            "heat": _moments_heat,
            "torch": _moments_torch,
            "dask": _moments_dask,
        },
        reference="torch",
        # HeAT's mean along an axis agrees with the others to ~1e-9 only (float32-like
        # rounding somewhere in its computation); the values are O(0.01) to O(1)
        rtol=1e-7,
        atol=1e-8,
        description="mean and std, of all values and along axis 0, of a float64 matrix "
        "split along the rows",
    )
)

# --- cdist ---------------------------------------------------------------------------------


def _cdist_params(quick: bool) -> dict:
    if quick:
        return {"n": 600, "m": 200, "f": 8, "seed": 21}
    return {"n": 20_000, "m": 4_000, "f": 32, "seed": 21}


def _xy(p: dict, whole: bool) -> tuple[np.ndarray, np.ndarray]:
    x = (
        sh.full_rows(p["n"], p["f"], p["seed"])
        if whole
        else sh.local_rows(p, p["n"], p["f"], p["seed"])
    )
    return x, sh.full_rows(p["m"], p["f"], p["seed"] + 1)


def _cdist_hpa(p: dict) -> Impl:
    import torch

    import hpa

    x, y = _xy(p, whole=False)
    state = (sh.hpa_array(x), hpa.array(torch.tensor(y)))
    return Impl(lambda s: hpa.spatial.cdist(*s), sh.hpa_digest(p), state)


def _cdist_heat(p: dict) -> Impl:
    import torch

    ht = sh.heat()
    x, y = _xy(p, whole=False)
    state = (sh.heat_array(x), ht.array(torch.tensor(y)))
    return Impl(lambda s: ht.spatial.cdist(*s), sh.heat_digest(p), state)


def _cdist_torch(p: dict) -> Impl:
    import torch

    x, y = _xy(p, whole=True)
    return Impl(lambda s: torch.cdist(*s), sh.torch_digest, (torch.tensor(x), torch.tensor(y)))


def _cdist_dask(p: dict) -> Impl:
    import dask.array as da

    y = np.array(sh.full_rows(p["m"], p["f"], p["seed"] + 1))  # replicated: a NumPy array
    y2 = (y * y).sum(1)
    dx = sh.dask_rows(p, p["n"], p["f"], p["seed"])

    def run(s: Any) -> Any:
        x, y, y2 = s
        sq = (x * x).sum(axis=1)[:, None] - 2.0 * (x @ y.T) + y2[None, :]
        return sh.dask_done(da.sqrt(da.maximum(sq, 0.0)))

    return Impl(run, sh.dask_digest, (dx, y, y2))


register(
    Case(
        name="cdist",
        group="paper",
        params=_cdist_params,
        impls={"hpa": _cdist_hpa, "heat": _cdist_heat, "torch": _cdist_torch, "dask": _cdist_dask},
        reference="torch",
        rtol=1e-9,
        atol=1e-8,
        description="euclidean distances between X (n x f, split along the rows) and Y "
        "(m x f, replicated), float64; compared by position-weighted row and column sums",
    )
)
