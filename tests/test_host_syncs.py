"""No silent host round trips in elementwise operations, reductions and matrix products.

Two counters watch the same operations:

- everywhere, a proxy that counts calls of the tensor methods that read device data on the host
  (``item``, ``tolist``, ``numpy``, ``cpu``, ``bool``/``int``/``float``) made by hpa's own
  code outside the communicators (which hand host tensors to MPI on purpose);
- on a GPU, :func:`hpa.count_host_syncs`, torch's record of synchronising CUDA operations.

Both must stay at zero for every layout, at every process count.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import torch
from helpers import DATA_LAYOUTS, agree, data, layout_id, make

import hpa

HPA_DIR = str(Path(hpa.__file__).parent)
COMM_DIR = str(Path(hpa.__file__).parent / "comm")
READS = ("item", "tolist", "numpy", "cpu", "__bool__", "__int__", "__float__")
ON_GPU = hpa.get_device().kind == "gpu"


@contextmanager
def host_reads() -> Iterator[list[str]]:
    """Record hpa's host reads of tensor data (outside hpa.comm) as ``file:line method``."""
    seen: list[str] = []
    originals = {name: getattr(torch.Tensor, name) for name in READS}

    def watch(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(self: torch.Tensor, *args: Any, **kwargs: Any) -> Any:
            caller = sys._getframe(1).f_code.co_filename
            if caller.startswith(HPA_DIR) and not caller.startswith(COMM_DIR):
                seen.append(f"{caller}:{sys._getframe(1).f_lineno} {name}")
            return method(self, *args, **kwargs)

        return wrapper

    for name, method in originals.items():
        setattr(torch.Tensor, name, watch(name, method))
    try:
        yield seen
    finally:
        for name, method in originals.items():
            setattr(torch.Tensor, name, method)


def no_host_round_trips(fn: Callable[[], Any], what: str) -> None:
    """``fn()`` reads no tensor data on the host, and (on a GPU) does not synchronise.

    ``fn`` runs once before it is watched: one-time set-up (a kernel's first load, a cache)
    is not a round trip of the operation.
    """
    fn()
    with hpa.count_host_syncs() as syncs, host_reads() as reads:
        fn()
    agree(not reads, f"{what}: host reads {reads[:5]}")
    agree(syncs.silent == 0, f"{what}: synchronising CUDA operations at {syncs.where}")


def operands(layout: tuple[int | None, bool], dtype: Any) -> tuple[hpa.Array, hpa.Array]:
    split, ragged = layout
    x = make(data((13, 6), dtype, seed=1), split, ragged=ragged)
    y = make(data((13, 6), dtype, seed=2), split, ragged=ragged)
    return x, y


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64, hpa.int64])
@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
def test_elementwise(layout: tuple[int | None, bool], dtype: Any) -> None:
    x, y = operands(layout, dtype)
    other = make(data((13, 6), dtype, seed=3), None if layout[0] is not None else 0)
    no_host_round_trips(lambda: x + y, "add")
    no_host_round_trips(lambda: x * 2 - 1, "scalar arithmetic")
    no_host_round_trips(lambda: hpa.exp(x), "exp")
    no_host_round_trips(lambda: hpa.where(x > 0, x, y), "where")
    no_host_round_trips(lambda: x[:, None, :] * y[:1], "broadcast")
    no_host_round_trips(lambda: x + other, "operands with different layouts")


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64])
@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
def test_reductions(layout: tuple[int | None, bool], dtype: Any) -> None:
    x, _ = operands(layout, dtype)
    for axis in (None, 0, 1):
        for name in ("sum", "prod", "mean", "var", "std", "min", "max", "argmin", "argmax"):
            reduce = getattr(hpa, name)
            no_host_round_trips(lambda f=reduce, a=axis: f(x, axis=a), f"{name} axis={axis}")
        no_host_round_trips(lambda a=axis: hpa.any(x > 1, axis=a), f"any axis={axis}")
        no_host_round_trips(lambda a=axis: hpa.all(x > -3, axis=a), f"all axis={axis}")
    no_host_round_trips(lambda: hpa.linalg.norm(x), "norm")


@pytest.mark.parametrize("dtype", [hpa.float32, hpa.float64, hpa.int32])
@pytest.mark.parametrize("right", [None, 0, 1])
@pytest.mark.parametrize("layout", DATA_LAYOUTS, ids=layout_id)
def test_matmul(layout: tuple[int | None, bool], right: int | None, dtype: Any) -> None:
    x, _ = operands(layout, dtype)
    w = make(data((6, 4), dtype, seed=4), right)
    no_host_round_trips(lambda: x @ w, "matmul")
    no_host_round_trips(lambda: x.T @ x, "gram matrix")


@pytest.mark.skipif(not ON_GPU, reason="counts CUDA synchronisations: needs HPA_DEVICE=gpu")
def test_counter_sees_a_synchronisation() -> None:
    with hpa.count_host_syncs() as syncs:
        torch.ones(1, device=hpa.get_device().torch_device).item()
    assert syncs.silent == 1
