"""A stand-in for torchvision, which HeAT imports at start-up (for its MNIST and image
transform helpers) but the benchmarks never use. Only ``benchmarks/kmeans.py`` and the suite
(``benchmarks/suite/frameworks.py``) put this directory on ``sys.path``, and only while they
import HeAT."""

import sys
import types


class _Unavailable:
    """Any torchvision class HeAT names at import time; unusable."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("torchvision is not installed; this is a stand-in")


transforms = types.ModuleType("torchvision.transforms")
transforms.Compose = _Unavailable
transforms.transforms = types.SimpleNamespace(__all__=[])
datasets = types.ModuleType("torchvision.datasets")
datasets.MNIST = _Unavailable
sys.modules["torchvision.transforms"] = transforms
sys.modules["torchvision.datasets"] = datasets
