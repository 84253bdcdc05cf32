"""Faults end the job: one rank raises, exits or is killed; a save killed midway.

Each case launches its own job (``mpiexec`` or ``torchrun``) from a subprocess under a time
limit, so a hang fails the test instead of blocking the run. They run in the single-process leg
of the matrix only: a job started from inside an MPI or torchrun job would share its launcher's
environment and ports.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
from helpers import P

import hpa

pytestmark = pytest.mark.skipif(
    P > 1, reason="starts its own MPI and torchrun jobs: runs in the single-process leg"
)

LIMIT_S = 60  # a job that has not ended by then hangs (startup alone takes ~5 s here)
HAS_MPIEXEC = shutil.which("mpiexec") is not None

PRELUDE = """
import os, signal, sys
import hpa
x = hpa.arange(12, split=0)
rank = x.comm.rank
"""


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HPA_", "PMI", "OMPI"))}
    env.update(OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    for var in ("RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"):
        env.pop(var, None)
    return env


def _port() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def _launcher(kind: str, n: int) -> list[str]:
    if kind == "mpi":
        return ["mpiexec", "-n", str(n), sys.executable]
    if kind == "mpi4py":
        return ["mpiexec", "-n", str(n), sys.executable, "-m", "mpi4py"]
    return [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", str(n),
            "--master_port", _port()]  # fmt: skip


def _run(tmp_path: Path, body: str, kind: str = "mpi", n: int = 2) -> tuple[int, str, float]:
    """Run ``PRELUDE + body`` as a job; its exit status, output and duration."""
    script = tmp_path / "job.py"
    script.write_text(PRELUDE + textwrap.dedent(body))
    start = time.monotonic()
    try:
        done = subprocess.run(
            [*_launcher(kind, n), str(script)],
            env=_environment(),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=LIMIT_S,
        )
    except subprocess.TimeoutExpired as err:
        pytest.fail(f"the job hangs: not ended after {LIMIT_S} s\n{err.stdout}\n{err.stderr}")
    return done.returncode, done.stdout + done.stderr, time.monotonic() - start


LAUNCHERS = [
    pytest.param("mpi", 2, marks=pytest.mark.skipif(not HAS_MPIEXEC, reason="no mpiexec")),
    pytest.param("mpi4py", 3, marks=pytest.mark.skipif(not HAS_MPIEXEC, reason="no mpiexec")),
    pytest.param("torch", 2),
]


@pytest.mark.parametrize(("kind", "n"), LAUNCHERS)
def test_one_rank_raises(tmp_path: Path, kind: str, n: int) -> None:
    code, out, _ = _run(
        tmp_path,
        """
        if rank == 1:
            raise ValueError("a user bug on rank 1")
        print("sum", x.sum().item())
        """,
        kind,
        n,
    )
    assert code != 0, out
    assert "ValueError: a user bug on rank 1" in out
    if kind != "torch":  # torchrun repeats the failure in its own summary
        assert out.count("Traceback (most recent call last)") == 1, out
    assert "hpa: rank 1 of" in out


@pytest.mark.parametrize(("kind", "n"), LAUNCHERS)
def test_one_rank_exits(tmp_path: Path, kind: str, n: int) -> None:
    code, out, _ = _run(
        tmp_path,
        """
        if rank == 1:
            sys.exit(3)
        print("sum", x.sum().item())
        """,
        kind,
        n,
    )
    assert code != 0, out
    if kind != "torch":
        assert "CollectiveMismatch: rank(s) 1 reached the end of the script" in out, out


@pytest.mark.parametrize(("kind", "n"), LAUNCHERS)
def test_one_rank_killed(tmp_path: Path, kind: str, n: int) -> None:
    code, out, _ = _run(
        tmp_path,
        """
        if rank == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        print("sum", x.sum().item())
        """,
        kind,
        n,
    )
    assert code != 0, out


@pytest.mark.parametrize(("kind", "n"), LAUNCHERS)
def test_rank_dependent_axis(tmp_path: Path, kind: str, n: int) -> None:
    code, out, _ = _run(
        tmp_path,
        """
        y = hpa.ones((4, 6), split=0)
        print(y.sum(axis=rank % 2).shape)
        """,
        kind,
        n,
    )
    assert code != 0, out


@pytest.mark.skipif(not HAS_MPIEXEC, reason="no mpiexec")
def test_checked_mismatch_names_both_lines(tmp_path: Path) -> None:
    script = """
    hpa.check_collectives()
    y = hpa.ones((4, 6), split=0)
    z = y.resplit(rank % 2)
    print(z.sum().item())
    """
    code, out, _ = _run(tmp_path, script)
    assert code != 0
    assert "CollectiveMismatch: collective #" in out, out
    assert "job.py:9" in out and "job.py:10" in out, out
    assert out.count("Traceback (most recent call last)") == 1, out


@pytest.mark.skipif(not HAS_MPIEXEC, reason="no mpiexec")
def test_agreed_error_printed_once(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, "hpa.load('missing.npy', split=0)\n", "mpi", 3)
    assert code != 0
    assert "FileNotFoundError" in out and "missing.npy" in out, out
    # one rank prints (its traceback chains the original error): not one copy per rank
    assert out.count("missing.npy' (on rank 0)") == 1, out
    assert out.count("hpa: rank ") == 1, out


@pytest.mark.skipif(not HAS_MPIEXEC, reason="no mpiexec")
def test_error_on_every_rank_printed_once(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, "x.sum(axis=5)\n", "mpi", 3)  # raised alike on every rank
    assert code != 0
    assert "AxisError: axis 5 is out of range" in out, out
    assert out.count("Traceback (most recent call last)") == 1, out


@pytest.mark.skipif(not HAS_MPIEXEC, reason="no mpiexec")
def test_clean_run_ends_normally(tmp_path: Path) -> None:
    code, out, _ = _run(tmp_path, "hpa.print0('total', x.sum().item())\n", "mpi", 3)
    assert code == 0, out
    assert out.count("total 66") == 1, out


# ------------------------------------------------------------------ saves killed midway
def _digest(path: Path) -> str:
    """A hash of a file, or of a directory tree's names and contents."""
    h = hashlib.sha256()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for f in files:
        h.update(str(f.relative_to(path) if path.is_dir() else f.name).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def _leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name.startswith(f".{target.name}"))


def _wait_gone(pid: int) -> None:
    """Wait until process ``pid`` (a killed rank, being reaped) no longer exists."""
    deadline = time.monotonic() + LIMIT_S
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)
    pytest.fail(f"process {pid} outlived SIGKILL")


SAVES = {
    "npy": ("data.npy", ""),
    "h5": ("data.h5", ", 'x'"),
    "nc": ("data.nc", ", 'x'"),
    "zarr": ("data.zarr", ""),
    "csv": ("data.csv", ""),
}


def _kill_while_saving(tmp_path: Path, target: Path, extra: str, rows: int) -> None:
    """Start a job saving ``rows`` x 8 ones to ``target``; SIGKILL it once its temporary exists."""
    script = tmp_path / "job.py"
    script.write_text(
        PRELUDE
        + f"big = hpa.ones(({rows}, 8), split=0)\n"
        + f"hpa.save(big, {str(target)!r}{extra})\n"
    )
    job = subprocess.Popen(
        [*_launcher("mpi", 2), str(script)],
        env=_environment(),
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + LIMIT_S
        while not [n for n in _leftovers(target) if ".hpa-" in n]:
            assert job.poll() is None, "the saving job ended by itself"
            assert time.monotonic() < deadline, "no temporary file appeared"
            time.sleep(0.001)
    finally:
        os.killpg(job.pid, signal.SIGKILL)
        job.wait(timeout=LIMIT_S)


@pytest.mark.skipif(not HAS_MPIEXEC, reason="no mpiexec")
@pytest.mark.parametrize("fmt", sorted(SAVES))
def test_killed_save_keeps_the_old_file(tmp_path: Path, fmt: str) -> None:
    name, extra = SAVES[fmt]
    target = tmp_path / name
    key = [extra.strip(", '")] if extra else []
    good = hpa.arange(12, dtype=hpa.float64).reshape((4, 3))
    rows = 400_000 if fmt == "csv" else 2_000_000  # a save of a second or more
    for _ in range(3):  # a kill that lands after the rename is retried with a longer save
        hpa.save(good, str(target), *key)
        before = _digest(target)
        _kill_while_saving(tmp_path, target, extra, rows)
        if _leftovers(target):
            break
        rows *= 4
    left = _leftovers(target)
    assert left, "no kill landed inside the save"
    assert _digest(target) == before  # the old file is untouched, byte for byte
    np.testing.assert_array_equal(hpa.load(str(target), *key).numpy(), good.numpy())
    _wait_gone(int(left[0].split(".hpa-")[1].split(".")[0]))
    hpa.save(good + 1, str(target), *key)
    assert _leftovers(target) == []  # the next successful save cleans up
    np.testing.assert_array_equal(hpa.load(str(target), *key).numpy(), good.numpy() + 1)
