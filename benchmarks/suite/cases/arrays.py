"""Array operations: products, redistribution, reshaping, concatenation, sorting, element-wise
arithmetic and random generation.

Frameworks: hpa and HeAT (SPMD, same process count), torch (rank 0 alone, the reference),
Dask (rank 0 driving the threaded or distributed scheduler; chunks: one block per process
along the split axis, as hpa's and HeAT's cut; inputs persisted in setup; array results
persisted, i.e. left on the workers like hpa's split results rather than sent to the client).

Same work everywhere: every ``run`` produces a new array that shares no memory with its
inputs. Where a framework would return a view or merely relist blocks (torch's ``reshape``,
HeAT's ``reshape`` in one process, Dask's ``concatenate``), the case copies in that framework
(documented per case), so that every framework materialises the same result. One exception:
Dask's ``rechunk`` keeps the parts of a block that stay in one chunk as views (``resplit``,
``reshape``; in one process, one chunk, it moves nothing at all); that is Dask's own
economy, left as it is.

Matrix results are compared by their digest (position-weighted row and column sums, see
``_shared``); vectors whole; random arrays by their statistics.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..case import Case, Impl, register
from . import _shared as sh

# --- matmul --------------------------------------------------------------------------------


def _matmul_params(quick: bool) -> dict:
    return {"n": 128, "seed": 31} if quick else {"n": 2048, "seed": 31}


def _matmul_cases(split_a: int) -> dict:
    """``A @ B``, ``A`` split along ``split_a``, ``B`` along the rows (both ``n x n``).

    split 0: ``B``'s row blocks travel (hpa: around the ring); split 1: the contracted axis is
    split in both, partial products are summed. SPMD data are built by rows; ``A`` split along
    the columns is resplit from the rows in setup (untimed).
    """

    def hpa_setup(p: dict) -> Impl:
        import hpa

        n, s = p["n"], p["seed"]
        a = sh.hpa_array(sh.local_rows(p, n, n, s))
        b = sh.hpa_array(sh.local_rows(p, n, n, s + 1))
        if split_a == 1:
            a = a.resplit(1)
        return Impl(lambda ab: hpa.matmul(*ab), sh.hpa_digest(p), (a, b))

    def heat_setup(p: dict) -> Impl:
        ht = sh.heat()
        n, s = p["n"], p["seed"]
        a = sh.heat_array(sh.local_rows(p, n, n, s))
        b = sh.heat_array(sh.local_rows(p, n, n, s + 1))
        if split_a == 1:
            a = ht.resplit(a, 1)
        return Impl(lambda ab: ht.matmul(*ab), sh.heat_digest(p), (a, b))

    def torch_setup(p: dict) -> Impl:
        import torch

        n, s = p["n"], p["seed"]
        a = torch.tensor(sh.full_rows(n, n, s))
        b = torch.tensor(sh.full_rows(n, n, s + 1))
        return Impl(lambda ab: torch.mm(*ab), sh.torch_digest, (a, b))

    def dask_setup(p: dict) -> Impl:
        n, s = p["n"], p["seed"]
        a = sh.dask_rows(p, n, n, s)
        b = sh.dask_rows(p, n, n, s + 1)
        if split_a == 1:  # column blocks, as hpa's and HeAT's A
            a = sh.dask_done(a.rechunk(sh.chunks(p, n, n)[::-1]))
        return Impl(lambda ab: sh.dask_done(ab[0] @ ab[1]), sh.dask_digest, (a, b))

    return {"hpa": hpa_setup, "heat": heat_setup, "torch": torch_setup, "dask": dask_setup}


for _split in (0, 1):
    register(
        Case(
            name=f"matmul-split{_split}",
            group="array",
            params=_matmul_params,
            impls=_matmul_cases(_split),
            reference="torch",
            rtol=1e-9,
            atol=1e-7,
            description=f"A @ B, n x n float64, A split along axis {_split}, B along the rows",
        )
    )

# --- resplit -------------------------------------------------------------------------------


def _resplit_params(quick: bool) -> dict:
    return {"n": 512, "d": 256, "seed": 41} if quick else {"n": 8192, "d": 4096, "seed": 41}


def _resplit_hpa(p: dict) -> Impl:
    x = sh.hpa_array(sh.local_rows(p, p["n"], p["d"], p["seed"]))
    return Impl(lambda x: x.resplit(1), sh.hpa_digest(p), x)


def _resplit_heat(p: dict) -> Impl:
    ht = sh.heat()
    x = sh.heat_array(sh.local_rows(p, p["n"], p["d"], p["seed"]))
    return Impl(lambda x: ht.resplit(x, 1), sh.heat_digest(p), x)


def _resplit_torch(p: dict) -> Impl:
    import torch

    x = torch.tensor(sh.full_rows(p["n"], p["d"], p["seed"]))
    return Impl(lambda x: x.clone(), sh.torch_digest, x)


def _resplit_dask(p: dict) -> Impl:
    n, d = p["n"], p["d"]
    x = sh.dask_rows(p, n, d, p["seed"])
    columns = sh.chunks(p, d, n)[::-1]
    return Impl(lambda x: sh.dask_done(x.rechunk(columns)), sh.dask_digest, x)


register(
    Case(
        name="resplit",
        group="array",
        params=_resplit_params,
        impls={
            "hpa": _resplit_hpa,
            "heat": _resplit_heat,
            "torch": _resplit_torch,
            "dask": _resplit_dask,
        },
        reference="torch",
        rtol=1e-12,
        atol=1e-9,
        description="a float64 matrix split along the rows redistributed to columns (Dask: "
        "rechunked from row to column blocks); torch: a copy (clone), since a resplit "
        "returns a new array of the same row-major layout and moves nothing in one process",
    )
)

# --- reshape -------------------------------------------------------------------------------


def _reshape_params(quick: bool) -> dict:
    # n = 32 * odd and d = 50: the result (n * 25 / 32, 64) has an odd number of rows, so the
    # row blocks of X never end on a row of the result: the data must move
    if quick:
        return {"n": 32 * 129, "d": 50, "k": 64, "seed": 51}
    return {"n": 32 * 32769, "d": 50, "k": 64, "seed": 51}


def _reshaped(p: dict) -> tuple[int, int]:
    return p["n"] * p["d"] // p["k"], p["k"]


def _reshape_hpa(p: dict) -> Impl:
    import hpa

    x = sh.hpa_array(sh.local_rows(p, p["n"], p["d"], p["seed"]))
    shape = _reshaped(p)
    return Impl(lambda x: hpa.reshape(x, shape, new_split=0, copy=True), sh.hpa_digest(p), x)


def _reshape_heat(p: dict) -> Impl:
    ht = sh.heat()
    x = sh.heat_array(sh.local_rows(p, p["n"], p["d"], p["seed"]))
    shape = _reshaped(p)

    def run(x: Any) -> Any:
        y = ht.reshape(x, shape, new_split=0)
        # in one process HeAT returns a view of the input: copy, as the others do
        if y.larray.untyped_storage().data_ptr() == x.larray.untyped_storage().data_ptr():
            y = y.copy()
        return y

    return Impl(run, sh.heat_digest(p), x)


def _reshape_torch(p: dict) -> Impl:
    import torch

    x = torch.tensor(sh.full_rows(p["n"], p["d"], p["seed"]))
    shape = _reshaped(p)
    # torch's reshape of a contiguous tensor is a view: clone, as the others copy
    return Impl(lambda x: x.reshape(shape).clone(), sh.torch_digest, x)


def _reshape_dask(p: dict) -> Impl:
    n, d, k = p["n"], p["d"], p["k"]
    x = sh.dask_rows(p, n, d, p["seed"])
    shape = _reshaped(p)
    # Dask reshapes only by merging or splitting axes, chunks ending on rows of the result
    # (NotImplementedError otherwise); its documented workaround: rechunk to row blocks of a
    # multiple of k / gcd(d, k) rows (balanced; this moves the data, as hpa's alltoallv
    # does), then reshape in two passes, (n, d) -> (n * d,) -> (n * d / k, k)
    unit = k // math.gcd(d, k)
    aligned = tuple(c * unit for c in sh.chunks(p, n // unit)[0])

    def run(x: Any) -> Any:
        return sh.dask_done(x.rechunk((aligned, d)).reshape(-1).reshape(shape))

    return Impl(run, sh.dask_digest, x)


register(
    Case(
        name="reshape",
        group="array",
        params=_reshape_params,
        impls={
            "hpa": _reshape_hpa,
            "heat": _reshape_heat,
            "torch": _reshape_torch,
            "dask": _reshape_dask,
        },
        reference="torch",
        rtol=1e-12,
        atol=1e-9,
        description="reshape of an (n, 50) float64 matrix split along the rows to (n*50/64, 64) "
        "split along the rows, a new array (the row blocks move)",
    )
)

# --- concatenate ---------------------------------------------------------------------------


def _concat_params(quick: bool) -> dict:
    return {"n": 4096, "d": 16, "seed": 61} if quick else {"n": 1 << 21, "d": 16, "seed": 61}


def _concat_cases(axis: int) -> dict:
    """Two ``n x d`` float64 matrices split along the rows, concatenated along ``axis``.

    Dask's ``concatenate`` only relists the input chunks; each chunk of its result is copied
    (``map_blocks(np.copy)``) so that Dask, like the others, returns an array that shares no
    memory with its inputs.
    """

    def hpa_setup(p: dict) -> Impl:
        import hpa

        n, d, s = p["n"], p["d"], p["seed"]
        ab = (sh.hpa_array(sh.local_rows(p, n, d, s)), sh.hpa_array(sh.local_rows(p, n, d, s + 1)))
        return Impl(lambda ab: hpa.concatenate(ab, axis=axis), sh.hpa_digest(p), ab)

    def heat_setup(p: dict) -> Impl:
        ht = sh.heat()
        n, d, s = p["n"], p["d"], p["seed"]
        a = sh.heat_array(sh.local_rows(p, n, d, s))
        ab = (a, sh.heat_array(sh.local_rows(p, n, d, s + 1)))
        return Impl(lambda ab: ht.concatenate(ab, axis=axis), sh.heat_digest(p), ab)

    def torch_setup(p: dict) -> Impl:
        import torch

        n, d, s = p["n"], p["d"], p["seed"]
        ab = (torch.tensor(sh.full_rows(n, d, s)), torch.tensor(sh.full_rows(n, d, s + 1)))
        return Impl(lambda ab: torch.cat(ab, dim=axis), sh.torch_digest, ab)

    def dask_setup(p: dict) -> Impl:
        import dask.array as da

        n, d, s = p["n"], p["d"], p["seed"]
        ab = (sh.dask_rows(p, n, d, s), sh.dask_rows(p, n, d, s + 1))

        def run(ab: Any) -> Any:
            return sh.dask_done(da.concatenate(ab, axis=axis).map_blocks(np.copy))

        return Impl(run, sh.dask_digest, ab)

    return {"hpa": hpa_setup, "heat": heat_setup, "torch": torch_setup, "dask": dask_setup}


for _axis in (0, 1):
    register(
        Case(
            name=f"concatenate-axis{_axis}",
            group="array",
            params=_concat_params,
            impls=_concat_cases(_axis),
            reference="torch",
            rtol=1e-12,
            atol=1e-9,
            description=f"two n x 16 float64 matrices split along the rows, concatenated "
            f"along axis {_axis}",
        )
    )

# --- sort ----------------------------------------------------------------------------------


def _sort_params(quick: bool) -> dict:
    return {"n": 1 << 14, "seed": 71} if quick else {"n": 1 << 22, "seed": 71}


def _sort_hpa(p: dict) -> Impl:
    import hpa

    x = sh.hpa_array(sh.local_rows(p, p["n"], None, p["seed"]))
    return Impl(
        lambda x: hpa.sort(x, axis=0, stable=False),
        lambda y: sh.spmd_vector(y.larray, y.split, p["size"]),
        x,
    )


def _sort_heat(p: dict) -> Impl:
    ht = sh.heat()
    x = sh.heat_array(sh.local_rows(p, p["n"], None, p["seed"]))
    # ht.sort returns the sorted values and the indices (torch.sort computes both, too);
    # axis=0 explicitly: HeAT 1.8 does not normalise its default axis=-1, takes the split
    # axis for another one and sorts each block locally (a wrong result at 2 processes)
    return Impl(
        lambda x: ht.sort(x, axis=0)[0], lambda y: sh.spmd_vector(y.larray, y.split, p["size"]), x
    )


def _sort_torch(p: dict) -> Impl:
    import torch

    x = torch.tensor(sh.full_rows(p["n"], None, p["seed"]))
    return Impl(lambda x: torch.sort(x, dim=0).values, lambda y: y.numpy(), x)


register(
    Case(
        name="sort",
        group="array",
        params=_sort_params,
        impls={"hpa": _sort_hpa, "heat": _sort_heat, "torch": _sort_torch},
        reference="torch",
        rtol=0.0,
        atol=0.0,
        description="ascending sort of 2^22 float64 values split along axis 0, unstable "
        "everywhere (hpa: stable=False; its default stable sort is ~1.3x slower, and the "
        "values alone cannot tell); torch and HeAT also compute the permutation; Dask has "
        "no global sort",
    )
)

# --- elementwise ---------------------------------------------------------------------------


def _small_params(quick: bool) -> dict:
    # 500 sums: Dask's distributed scheduler takes ~10 ms per compute on a busy machine
    return {"n": 1000, "reps": 20 if quick else 500, "seed": 81}


def _small_loop(reps: int) -> Any:
    def run(ab: Any) -> Any:
        a, b = ab
        for _ in range(reps - 1):
            a + b
        return a + b

    return run


def _small_hpa(p: dict) -> Impl:
    n, s = p["n"], p["seed"]
    ab = (
        sh.hpa_array(sh.local_rows(p, n, None, s)),
        sh.hpa_array(sh.local_rows(p, n, None, s + 1)),
    )
    return Impl(_small_loop(p["reps"]), lambda y: sh.spmd_vector(y.larray, y.split, p["size"]), ab)


def _small_heat(p: dict) -> Impl:
    n, s = p["n"], p["seed"]
    a = sh.heat_array(sh.local_rows(p, n, None, s))
    ab = (a, sh.heat_array(sh.local_rows(p, n, None, s + 1)))
    return Impl(_small_loop(p["reps"]), lambda y: sh.spmd_vector(y.larray, y.split, p["size"]), ab)


def _small_torch(p: dict) -> Impl:
    import torch

    n, s = p["n"], p["seed"]
    ab = (torch.tensor(sh.full_rows(n, None, s)), torch.tensor(sh.full_rows(n, None, s + 1)))
    return Impl(_small_loop(p["reps"]), lambda y: y.numpy(), ab)


def _small_dask(p: dict) -> Impl:
    n, s, reps = p["n"], p["seed"], p["reps"]
    ab = (
        sh.dask_rows(p, n, None, s),
        sh.dask_rows(p, n, None, s + 1),
    )

    def run(ab: Any) -> Any:
        a, b = ab
        for _ in range(reps - 1):
            (a + b).compute()
        return (a + b).compute()

    return Impl(run, np.asarray, ab)


register(
    Case(
        name="elementwise",
        group="array",
        params=_small_params,
        impls={"hpa": _small_hpa, "heat": _small_heat, "torch": _small_torch, "dask": _small_dask},
        reference="torch",
        rtol=0.0,
        atol=0.0,
        description="per-operation overhead: 500 sums `a + b` of 1,000-element float64 "
        "vectors split along axis 0 (the whole loop timed; Dask computes each sum)",
    )
)


def _large_params(quick: bool) -> dict:
    return {"n": 1 << 14, "seed": 91} if quick else {"n": 1 << 25, "seed": 91}


def _expr(x: Any, y: Any) -> Any:
    return (x * 2 + y) / 3


def _large_hpa(p: dict) -> Impl:
    n, s = p["n"], p["seed"]
    xy = (
        sh.hpa_array(sh.local_rows(p, n, None, s)),
        sh.hpa_array(sh.local_rows(p, n, None, s + 1)),
    )
    return Impl(lambda xy: _expr(*xy), lambda y: sh.spmd_vector(y.larray, y.split, p["size"]), xy)


def _large_heat(p: dict) -> Impl:
    n, s = p["n"], p["seed"]
    x = sh.heat_array(sh.local_rows(p, n, None, s))
    xy = (x, sh.heat_array(sh.local_rows(p, n, None, s + 1)))
    return Impl(lambda xy: _expr(*xy), lambda y: sh.spmd_vector(y.larray, y.split, p["size"]), xy)


def _large_torch(p: dict) -> Impl:
    import torch

    n, s = p["n"], p["seed"]
    xy = (torch.tensor(sh.full_rows(n, None, s)), torch.tensor(sh.full_rows(n, None, s + 1)))
    return Impl(lambda xy: _expr(*xy), lambda y: y.numpy(), xy)


def _large_dask(p: dict) -> Impl:
    n, s = p["n"], p["seed"]
    xy = (
        sh.dask_rows(p, n, None, s),
        sh.dask_rows(p, n, None, s + 1),
    )
    return Impl(lambda xy: sh.dask_done(_expr(*xy)), lambda y: y.compute(), xy)


register(
    Case(
        name="elementwise-large",
        group="array",
        params=_large_params,
        impls={"hpa": _large_hpa, "heat": _large_heat, "torch": _large_torch, "dask": _large_dask},
        reference="torch",
        rtol=1e-15,
        atol=0.0,
        description="`(x * 2 + y) / 3` on 2^25 float64 values split along axis 0",
    )
)

# --- random --------------------------------------------------------------------------------


def _random_params(quick: bool) -> dict:
    return {"n": 1 << 12, "d": 16, "seed": 101} if quick else {"n": 1 << 21, "d": 16, "seed": 101}


def _stats(r: np.ndarray, q: np.ndarray, count: int) -> np.ndarray:
    """From the row sums ``r`` and row sums of squares ``q`` of ``count`` values: the mean,
    the standard deviation, and the correlations of the row sums between the two halves of
    the rows and between neighbouring rows (near 0 unless blocks repeat a stream)."""
    mean = r.sum() / count
    std = np.sqrt(q.sum() / count - mean**2)
    h = len(r) // 2
    return np.array(
        [mean, std, np.corrcoef(r[:h], r[h : 2 * h])[0, 1], np.corrcoef(r[:-1], r[1:])[0, 1]]
    )


def _random_compare(got: Any, want: Any) -> None:
    """Standard-normal statistics within six standard errors (the generators differ, so
    ``want`` only supplies the sample size)."""
    got = np.asarray(got)
    count, rows = float(want[4]), float(want[5])
    err = 6 / np.sqrt([count, 2 * count, rows / 2, rows])
    dev = np.abs(got[:4] - [0.0, 1.0, 0.0, 0.0])
    if got[4] != count or np.any(dev > err):
        raise AssertionError(f"not standard normal: statistics {got}, allowed deviation {err}")


def _random_spmd_value(p: dict) -> Any:
    def value(y: Any) -> np.ndarray:
        local = y.larray.double()
        r = sh.spmd_vector(local.sum(1), 0, p["size"])
        q = sh.spmd_vector((local * local).sum(1), 0, p["size"])
        count = p["n"] * p["d"]
        return np.append(_stats(r, q, count), [count, p["n"]])

    return value


def _random_hpa(p: dict) -> Impl:
    import hpa

    hpa.random.seed(p["seed"])
    n, d = p["n"], p["d"]
    return Impl(lambda _: hpa.random.randn(n, d, split=0), _random_spmd_value(p))


def _random_heat(p: dict) -> Impl:
    ht = sh.heat()
    ht.random.seed(p["seed"])
    n, d = p["n"], p["d"]
    return Impl(lambda _: ht.random.randn(n, d, dtype=ht.float64, split=0), _random_spmd_value(p))


def _random_torch(p: dict) -> Impl:
    import torch

    gen = torch.Generator().manual_seed(p["seed"])
    n, d = p["n"], p["d"]

    def value(y: Any) -> np.ndarray:
        r, q = y.sum(1).numpy(), (y * y).sum(1).numpy()
        return np.append(_stats(r, q, n * d), [n * d, n])

    return Impl(lambda g: torch.randn(n, d, dtype=torch.float64, generator=g), value, gen)


def _random_dask(p: dict) -> Impl:
    import dask
    import dask.array as da

    n, d = p["n"], p["d"]
    c = sh.chunks(p, n, d)

    def run(seed: list) -> Any:
        seed[0] += 1  # a new stream per call, as the other generators advance theirs
        return sh.dask_done(da.random.default_rng(seed[0]).standard_normal((n, d), chunks=c))

    def value(y: Any) -> np.ndarray:
        r, q = dask.compute(y.sum(1), (y * y).sum(1))
        return np.append(_stats(r, q, n * d), [n * d, n])

    return Impl(run, value, [p["seed"]])


register(
    Case(
        name="random",
        group="array",
        params=_random_params,
        impls={
            "hpa": _random_hpa,
            "heat": _random_heat,
            "torch": _random_torch,
            "dask": _random_dask,
        },
        reference="torch",
        compare=_random_compare,
        description="a standard-normal float64 matrix split along the rows (each framework's "
        "own generator; checked by its mean, std and block correlations)",
    )
)
