"""hpa: distributed, GPU-ready arrays with a NumPy-like API.

One script runs unchanged under ``python`` (one process), ``mpiexec``/``mpirun`` (MPI) or
``torchrun`` (torch.distributed: gloo on CPU, NCCL on GPU). Every process holds one block of
each array as a torch tensor; see :class:`hpa.Array` and the user guide in ``docs/``.
"""

from __future__ import annotations

import sys as _sys

import numpy as _np

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
    DTypeCategory,
    bfloat16,
    canonical_heat_type,
    flexible,
    heat_type_is_complexfloating,
    heat_type_is_exact,
    heat_type_is_inexact,
    heat_type_is_realfloating,
    heat_type_of,
    bool_,
    can_cast,
    complex64,
    complex128,
    complexfloating,
    float16,
    float32,
    float64,
    floating,
    generic,
    inexact,
    int8,
    int16,
    int32,
    int64,
    integer,
    issubdtype,
    number,
    promote_types,
    result_type,
    signedinteger,
    uint8,
    uint16,
    uint32,
    uint64,
    unsignedinteger,
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
from hpa.ops.arithmetic import *
from hpa.ops.logic import *
from hpa.ops.numerical import *
from hpa.ops.polynomials import *
from hpa.ops.index_tricks import *
from hpa.ops.windows import *
from hpa.ops.index_builders import *
from hpa.ops.editing import *
from hpa.ops.window_functions import *
from hpa.ops.utilities import *
from hpa.linalg.compositions import matvec, vecmat
from hpa.ops.distribution import *
from hpa.ops.printing import *
from hpa import fft, linalg, random, signal, sparse, spatial
from hpa.linalg.products import *

__version__ = "0.1.0"

DNDarray = Array  # HeAT's name, so a HeAT script ports by changing its import
bool = bool_
# NumPy 2's C-type names of the dtypes
byte, ubyte, short, ushort, intc, uintc = int8, uint8, int16, uint16, int32, uint32
long, ulong, longlong, ulonglong, int_, uint = int64, uint64, int64, uint64, int64, uint64
intp, uintp, half, single, double = int64, uint64, float16, float32, float64
csingle, cdouble = complex64, complex128
newaxis = None
True_, False_ = _np.True_, _np.False_
euler_gamma = 0.5772156649015329
pi = 3.141592653589793
e = Euler = 2.718281828459045
inf = Inf = Infinity = Infty = float("inf")
nan = NaN = float("nan")
# HeAT's names that NumPy 2 does not have (HeAT's meaning: 32-bit; see docs/porting-from-heat.md)
int, float, float_, cfloat = int32, float32, float32, complex64

# HeAT's names: linear algebra at the top level, operator functions, NumPy's old aliases
for _name in (
    "cg", "det", "eigh", "expm", "hsvd", "hsvd_rank", "hsvd_rtol", "inv", "isvd", "lanczos",
    "matrix_exp", "matrix_norm", "norm", "polar", "qr", "rsvd", "solve", "solve_triangular",
    "svd", "vector_norm",
):  # fmt: skip
    if hasattr(linalg, _name):
        globals()[_name] = getattr(linalg, _name)
eq, ne, lt, le, gt, ge = equal, not_equal, less, less_equal, greater, greater_equal
sub, mul, div, floordiv = subtract, multiply, divide, floor_divide
neg, pos = negative, positive
cumproduct, row_stack = cumprod, vstack


use_comm = init  # HeAT's name for setting the default communicator


def __getattr__(name: str) -> object:
    """HeAT's names read from the environment when asked for, not at import (which would fix
    the communicator too early): ``MPI_WORLD`` (the world communicator), ``MPI_SELF`` (a
    one-process communicator), ``CUDA_AWARE_MPI``/``GPU_AWARE_MPI`` (whether the world
    communicator moves GPU buffers directly), ``ROCM_AWARE_MPI``, ``TORCH_CUDA_IS_AVAILABLE``
    and ``CUDA_IS_ACTUALLY_ROCM``."""
    import builtins

    import torch

    if name == "MPI_WORLD":
        return get_comm()
    if name == "MPI_SELF":
        from hpa.comm.loopback import LoopbackCommunicator

        return LoopbackCommunicator()
    if name in ("CUDA_AWARE_MPI", "GPU_AWARE_MPI"):
        return builtins.bool(getattr(get_comm(), "cuda_aware", False))
    if name == "ROCM_AWARE_MPI":
        aware = builtins.bool(getattr(get_comm(), "cuda_aware", False))
        return aware and torch.version.hip is not None
    if name == "TORCH_CUDA_IS_AVAILABLE":
        return torch.cuda.is_available()
    if name == "CUDA_IS_ACTUALLY_ROCM":
        return torch.version.hip is not None
    raise AttributeError(f"module 'hpa' has no attribute {name!r}")

# last: the estimators import the finished namespace above
from hpa import algorithms  # noqa: E402
from hpa.algorithms import (  # noqa: E402
    BaseEstimator,
    ClassificationMixin,
    ClusteringMixin,
    RegressionMixin,
    TransformMixin,
    classification,
    cluster,
    decomposition,
    is_classifier,
    is_clusterer,
    is_estimator,
    is_regressor,
    is_transformer,
    preprocessing,
    regression,
)

# ``from hpa.cluster import KMeans`` works as ``from heat.cluster import KMeans`` does
for _name in ("classification", "cluster", "decomposition", "preprocessing", "regression"):
    _sys.modules[f"{__name__}.{_name}"] = getattr(algorithms, _name)

# the generated Array methods show their operation's parameters (help(hpa.Array.mean))
from hpa.core.array import describe_methods as _describe_methods  # noqa: E402

_describe_methods()
