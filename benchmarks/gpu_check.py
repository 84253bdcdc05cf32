"""The GPU check: the test suite on a GPU, then hpa against torch on it (about 5 minutes).

Usage: ``python benchmarks/gpu_check.py [--out DIR] [--tests-timeout 240]``
(``--device cpu --scale 16`` is a dry run of the script itself on a machine without a GPU.)

On a machine with one CUDA GPU this

1. prints the setup (GPU, torch, MPI library and whether it takes CUDA buffers);
2. runs the test suite with ``HPA_DEVICE=gpu``, all at once, each configuration sharing the GPU:
   one process (loopback, spread over pytest-xdist workers when installed), two MPI processes
   (the test files in shards, each an ``mpiexec -n 2`` job), and torchrun with one process
   (NCCL) and with two (more processes than GPUs: gloo with host staging) on the communicator
   and reduction tests. The io tests for zarr and netCDF are left out when those packages are
   missing;
3. runs ``benchmarks/gpu_bench.py`` (matmul, cdist, KMeans, mean/std against plain torch on the
   same GPU), whose table of ratios is printed last.

Every stage has a wall-clock limit, so a hang ends as a failure. Logs and the benchmark's JSON
go to ``--out``. The exit status is 0 when every test passed and every target was met.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
# configurations run with the test files of one shard each: (label, launcher)
TORCHRUN_FILES = ["tests/test_comm.py", "tests/test_reductions.py", "tests/test_host_syncs.py"]
MPI_SHARDS = 4
OPTIONAL = {"zarr": "tests/test_io_zarr.py", "h5netcdf": "tests/test_io_netcdf.py"}


def setup_report() -> str:
    import torch

    sys.path.insert(0, str(ROOT))
    lines = [f"python {sys.version.split()[0]}, torch {torch.__version__}"]
    if torch.cuda.is_available():
        props = torch.cuda.get_device_properties(0)
        lines.append(f"GPU: {props.name}, {props.total_memory / 2**30:.0f} GiB")
    else:
        lines.append("no CUDA device visible")
    try:
        from mpi4py import MPI

        from hpa.comm.mpi import mpi_cuda_aware

        lines.append(f"MPI: {MPI.Get_library_version().splitlines()[0].strip()}")
        lines.append(f"MPI takes CUDA buffers: {mpi_cuda_aware()}")
    except ImportError as err:
        lines.append(f"no MPI ({err})")
    return "\n".join(lines)


def test_files() -> tuple[list[str], list[str]]:
    """The test files to run and notes on the ones left out."""
    files = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_*.py"))
    notes = []
    for module, path in OPTIONAL.items():
        if importlib.util.find_spec(module) is None:
            files.remove(path)
            notes.append(f"{path} left out: {module} is not installed")
    return files, notes


def shards(files: list[str], n: int) -> list[list[str]]:
    """``files`` in ``n`` groups of about equal total size (largest first, to the lightest)."""
    groups: list[list[str]] = [[] for _ in range(n)]
    sizes = [0] * n
    for f in sorted(files, key=lambda f: -(ROOT / f).stat().st_size):
        i = sizes.index(min(sizes))
        groups[i].append(f)
        sizes[i] += (ROOT / f).stat().st_size
    return [g for g in groups if g]


def launch(
    label: str, command: list[str], logs: Path, extra_env: dict[str, str], device: str
) -> tuple:
    env = dict(os.environ, HPA_DEVICE=device, OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    env.update(extra_env, HPA_TEST_LABEL=label, HPA_TEST_LOGS=str(logs))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    log = open(logs / f"{label}.out", "w")  # noqa: SIM115 (closed in finish())
    proc = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    return label, proc, log


def finish(jobs: list[tuple], deadline: float) -> dict[str, tuple[int | None, str]]:
    """Wait for every job until ``deadline``; kill the stragglers. Exit code and output each."""
    results = {}
    for label, proc, log in jobs:
        try:
            code: int | None = proc.wait(timeout=max(1.0, deadline - time.time()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            code = None
        log.close()
        results[label] = (code, Path(log.name).read_text(errors="replace"))
    return results


def summary_of(output: str) -> str:
    """pytest's final count line, or the last line of output."""
    counts = [ln for ln in output.splitlines() if re.search(r"\d+ (passed|failed|error)", ln)]
    lines = output.strip().splitlines()
    return (counts[-1] if counts else lines[-1] if lines else "no output").strip(" =")


def run_tests(files: list[str], logs: Path, limit: float, device: str) -> bool:
    pytest_args = ["-q", "-rfE", "--timeout", "120", "-p", "no:cacheprovider"]
    rank_pytest = str(ROOT / "tools" / "rank_pytest.py")
    xdist = importlib.util.find_spec("xdist") is not None
    workers = ["-n", "6"] if xdist else []
    jobs = [
        launch(
            "1proc",
            [PY, "-m", "pytest", *workers, *pytest_args, *files],
            logs,
            {"HPA_COMM": "loopback"},
            device,
        )
    ]
    mpiexec = shutil.which("mpiexec")
    if mpiexec and importlib.util.find_spec("mpi4py"):
        for i, shard in enumerate(shards(files, MPI_SHARDS)):
            command = [mpiexec, "-n", "2", PY, "-m", "mpi4py", rank_pytest, *pytest_args, *shard]
            jobs.append(launch(f"mpi2-shard{i}", command, logs, {}, device))
    else:
        print("MPI stage SKIPPED: mpiexec or mpi4py is missing", flush=True)
    for n, port in ((1, 29511), (2, 29512)):
        command = [
            PY, "-m", "torch.distributed.run", "--nproc_per_node", str(n), "--master_port",
            str(port), rank_pytest, *pytest_args, *TORCHRUN_FILES,
        ]  # fmt: skip
        jobs.append(launch(f"torchrun{n}", command, logs, {}, device))
    results = finish(jobs, time.time() + limit)
    ok = True
    print(f"\ntest stage (HPA_DEVICE={device}, all configurations at once):")
    for label, (code, output) in results.items():
        status = "TIMED OUT" if code is None else f"exit {code}"
        print(f"  {label:14} {status:10} {summary_of(output)}")
        ok = ok and code == 0
        for line in output.splitlines():
            if line.startswith(("FAILED", "ERROR")):
                print(f"    {line[:200]}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=Path(tempfile.mkdtemp(prefix="hpa-gpu-")))
    parser.add_argument("--tests-timeout", type=float, default=240.0)
    parser.add_argument("--skip-tests", action="store_true", help="benchmarks only")
    parser.add_argument("--tests", nargs="*", help="test files to run (default: all)")
    parser.add_argument("--device", default="gpu", help="gpu, or cpu for a dry run")
    parser.add_argument("--scale", default="1", help="benchmark sizes divided by this")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    start = time.time()
    print(setup_report(), flush=True)
    files, notes = (args.tests, []) if args.tests else test_files()
    for note in notes:
        print(note)
    tests_ok = True
    if not args.skip_tests:
        logs = args.out / "logs"
        logs.mkdir(exist_ok=True)
        tests_ok = run_tests(files, logs, args.tests_timeout, args.device)
        print(f"tests took {time.time() - start:.0f} s\n", flush=True)
    env = dict(os.environ, HPA_COMM="loopback", OMP_NUM_THREADS="1", PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    bench = [
        PY, str(ROOT / "benchmarks" / "gpu_bench.py"), "--json", str(args.out / "bench.json"),
        "--device", args.device, "--scale", args.scale,
    ]  # fmt: skip
    bench_code = subprocess.run(bench, env=env, timeout=240, check=False).returncode
    print(f"\ntotal {time.time() - start:.0f} s; tests {'passed' if tests_ok else 'FAILED'}")
    return 0 if tests_ok and bench_code == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
