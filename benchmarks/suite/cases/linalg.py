"""Tall-skinny factorisations: QR (``qr``) and SVD (``svd``) of a matrix split along its rows.

hpa and HeAT factor the rows split over the processes (TSQR); torch factors the whole matrix
in one process (LAPACK through ``torch.linalg``); Dask factors row chunks, one per process
(``da.linalg.qr`` / ``da.linalg.svd``, both TSQR), its factors persisted (not gathered), as
hpa's stay distributed. The values compared are the sign-normalised ``R`` (rows scaled so
that ``diag(R) >= 0``; each framework's ``Q R`` is also checked against its input on its own
rows) and the singular values.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import data
from ..case import Case, Impl, Params, register
from ..frameworks import import_heat
from . import _shared as sh


def _rows(p: Params) -> tuple[int, int]:
    return data.block_range(p["m"], p["rank"], p["size"])


def _chunks(p: Params) -> tuple[int, int]:
    return math.ceil(p["m"] / p["size"]), p["n"]


def _signed_r(r: np.ndarray) -> np.ndarray:
    """``R`` with its rows' signs chosen so that the diagonal is non-negative."""
    r = np.asarray(r, dtype=np.float64)
    signs = np.where(np.diagonal(r) < 0, -1.0, 1.0)
    return r * signs[:, None]


def _check_qr(q: np.ndarray | Any, r: np.ndarray, a: np.ndarray) -> float:
    """``max |Q R - A| / max |A|`` over the rows given."""
    q = np.asarray(q)
    return float(np.abs(q @ r - a).max() / max(np.abs(a).max(), 1e-300))


def _raise_if_bad(err: float, who: str) -> None:
    if not err <= 1e-10:
        raise AssertionError(f"{who}: max |QR - A| / max |A| = {err:.3g}")


# ---------------------------------------------------------------------------- qr
def _qr_params(quick: bool) -> Params:
    return {"m": 4096, "n": 16} if quick else {"m": 1 << 18, "n": 64}


def _qr_hpa(p: Params) -> Impl:
    import hpa
    import hpa.linalg

    lo, hi = _rows(p)
    local = data.rows(p["m"], p["n"], lo, hi, seed=31)
    x = hpa.array(local, is_split=0)

    def value(res: Any) -> np.ndarray:
        q, r = res
        r = r.numpy()
        err = _check_qr(q.larray.numpy(), r, local)
        err = max(hpa.get_comm().allgather_object(err))
        _raise_if_bad(err, "hpa")
        return _signed_r(r)

    return Impl(lambda x: hpa.linalg.qr(x), value, x)


def _qr_heat(p: Params) -> Impl:
    ht = import_heat()
    lo, hi = _rows(p)
    local = data.rows(p["m"], p["n"], lo, hi, seed=31)
    x = ht.array(local, is_split=0)

    def value(res: Any) -> np.ndarray:
        q, r = res
        r = r.larray.numpy() if r.split is None else r.numpy()
        err = max(x.comm.allgather(_check_qr(q.larray.numpy(), r, local)))
        _raise_if_bad(err, "HeAT")
        return _signed_r(r)

    return Impl(lambda x: ht.linalg.qr(x), value, x)


def _qr_torch(p: Params) -> Impl:
    import torch

    a = torch.from_numpy(data.full(p["m"], p["n"], seed=31))

    def value(res: Any) -> np.ndarray:
        q, r = (t.numpy() for t in res)
        _raise_if_bad(_check_qr(q, r, a.numpy()), "torch")
        return _signed_r(r)

    return Impl(lambda a: torch.linalg.qr(a), value, a)


def _qr_dask(p: Params) -> Impl:
    import dask.array as da

    whole = data.full(p["m"], p["n"], seed=31)
    x = da.from_array(whole, chunks=_chunks(p)).persist()

    def value(res: Any) -> np.ndarray:
        q, r = (np.asarray(t.compute()) for t in res)
        _raise_if_bad(_check_qr(q, r, whole), "dask")
        return _signed_r(r)

    return Impl(lambda x: sh.dask_done(*da.linalg.qr(x)), value, x)


register(
    Case(
        name="qr",
        group="array",
        params=_qr_params,
        impls={"hpa": _qr_hpa, "heat": _qr_heat, "torch": _qr_torch, "dask": _qr_dask},
        reference="torch",
        rtol=1e-9,
        atol=1e-9,
        description="tall-skinny QR of 2^18 x 64 float64 split along rows (reduced Q and R)",
    )
)


# ---------------------------------------------------------------------------- svd
def _svd_params(quick: bool) -> Params:
    return {"m": 4096, "n": 16} if quick else {"m": 1 << 18, "n": 64}


def _svd_hpa(p: Params) -> Impl:
    import hpa
    import hpa.linalg

    lo, hi = _rows(p)
    x = hpa.array(data.rows(p["m"], p["n"], lo, hi, seed=32), is_split=0)
    return Impl(lambda x: hpa.linalg.svd(x, full_matrices=False), lambda res: res[1].numpy(), x)


def _svd_heat(p: Params) -> Impl:
    ht = import_heat()
    lo, hi = _rows(p)
    x = ht.array(data.rows(p["m"], p["n"], lo, hi, seed=32), is_split=0)
    return Impl(lambda x: ht.linalg.svd(x), lambda res: res[1].numpy(), x)


def _svd_torch(p: Params) -> Impl:
    import torch

    a = torch.from_numpy(data.full(p["m"], p["n"], seed=32))
    return Impl(lambda a: torch.linalg.svd(a, full_matrices=False), lambda res: res[1].numpy(), a)


def _svd_dask(p: Params) -> Impl:
    import dask.array as da

    x = da.from_array(data.full(p["m"], p["n"], seed=32), chunks=_chunks(p)).persist()
    return Impl(
        lambda x: sh.dask_done(*da.linalg.svd(x)), lambda res: np.asarray(res[1].compute()), x
    )


register(
    Case(
        name="svd",
        group="array",
        params=_svd_params,
        impls={"hpa": _svd_hpa, "heat": _svd_heat, "torch": _svd_torch, "dask": _svd_dask},
        reference="torch",
        rtol=1e-10,
        description="tall-skinny SVD of 2^18 x 64 float64 split along rows (U, S, Vh reduced)",
    )
)
