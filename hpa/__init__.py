"""hpa: distributed, GPU-ready arrays with a NumPy-like API.

One script runs unchanged under ``python`` (one process), ``mpiexec``/``mpirun`` (MPI) or
``torchrun`` (torch.distributed: gloo on CPU, NCCL on GPU). Every process holds one block of
each array as a torch tensor; see :class:`hpa.Array` and the user guide in ``docs/``.
"""

from __future__ import annotations

import sys as _sys

from hpa.backends import Device, count_host_syncs, cpu, get_device, gpu, use_device
from hpa.comm import (
    CollectiveMismatch,
    Communicator,
    ReduceOp,
    check_collectives,
    count_collectives,
    get_comm,
    init,
    print0,
)
from hpa.core.array import Array
from hpa.core.dtypes import (
    DType,
    bfloat16,
    bool_,
    can_cast,
    complex64,
    complex128,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    result_type,
    uint8,
)
from hpa.core.errors import AxisError, SplitError
from hpa.core.layout import Layout, chunk
from hpa.io import *
from hpa.ops.covariance import *
from hpa.ops.creation import *
from hpa.ops.diagonals import *
from hpa.ops.elementwise import *
from hpa.ops.histograms import *
from hpa.ops.indexing import getitem, setitem
from hpa.ops.manipulation import *
from hpa.linalg.products import *
from hpa.ops.quantiles import *
from hpa.ops.reductions import *
from hpa.ops.selection import *
from hpa.ops.sets import *
from hpa.ops.sorting import *
from hpa.ops.inspection import *
from hpa.ops.statistics import *
from hpa.ops.tiling import *
from hpa import fft, linalg, random, signal, sparse, spatial
from hpa.linalg.products import *

__version__ = "0.1.0"

DNDarray = Array  # HeAT's name, so a HeAT script ports by changing its import
bool = bool_
newaxis = None
pi = 3.141592653589793
e = 2.718281828459045
inf = float("inf")
nan = float("nan")

# last: the estimators import the finished namespace above
from hpa import algorithms  # noqa: E402
from hpa.algorithms import (  # noqa: E402
    classification,
    cluster,
    decomposition,
    preprocessing,
    regression,
)

# ``from hpa.cluster import KMeans`` works as ``from heat.cluster import KMeans`` does
for _name in ("classification", "cluster", "decomposition", "preprocessing", "regression"):
    _sys.modules[f"{__name__}.{_name}"] = getattr(algorithms, _name)
