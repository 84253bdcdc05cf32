"""``import hpa`` and the loopback path need neither mpi4py nor torch.distributed."""

import subprocess
import sys

import hpa

SCRIPT = """
import sys
sys.modules["mpi4py"] = None          # any import of mpi4py now fails
import hpa
assert hpa.get_comm().name == "loopback"
x = hpa.arange(10, split=0)
assert int(x.sum()) == 45
assert "mpi4py.MPI" not in sys.modules and "hpa.comm.torch_dist" not in sys.modules
print("ok")
"""


def test_import_without_mpi4py() -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_mpi_transport_without_mpi4py_explains() -> None:
    script = (
        "import sys; sys.modules['mpi4py'] = None\n"
        "import hpa\n"
        "try:\n    hpa.init('mpi')\nexcept ImportError as e:\n    print(e)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": "/tmp"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert "pip install" in out.stdout, out.stdout + out.stderr


def test_estimator_namespaces_import_as_modules() -> None:
    # HeAT scripts write ``from heat.cluster import KMeans``
    from hpa.cluster import KMeans
    from hpa.decomposition import PCA
    from hpa.regression import Lasso

    assert KMeans is hpa.cluster.KMeans
    assert PCA is hpa.decomposition.PCA and Lasso is hpa.regression.Lasso
