"""Run the benchmark suite: hpa against its peers, at one or more process counts.

Usage::

    python benchmarks/suite/run.py [--cases NAME|GROUP|TAG ...] [--procs 1 2] [--quick]
        [--repeats N] [--frameworks hpa heat torch numpy sklearn dask ...] [--out DIR]

Per process count ``P`` it launches the worker (``benchmarks/suite/worker.py``; under
``mpiexec -n P python -m mpi4py`` when ``P > 1``) with ``OMP_NUM_THREADS=1`` unless the
variable is set, and ``HPA_COMM`` set to ``loopback`` (one process) or ``mpi``. A job that
crashes or exceeds its time limit is relaunched with the cases it had not reached; the case it
was in is reported as failed. The results of all jobs go to ``DIR/results.json``,
``DIR/results.md``, ``DIR/times.png`` and ``DIR/scaling.png``; the ratio table is printed last.

``--quick`` runs tiny sizes once each and exits non-zero if any case fails or disagrees.
See docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shlex
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent.parent
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

from suite import frameworks as fws  # noqa: E402 (needs the path set above)
from suite import report  # noqa: E402

WORKER = Path(__file__).resolve().with_name("worker.py")
DEFAULT_OUT = BENCHMARKS / "results"
FAILED = ("error", "disagrees", "timeout")


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--cases", nargs="+", default=None, metavar="NAME", help="case names, groups or tags"
    )
    p.add_argument("--procs", nargs="+", type=int, default=[1, 2], help="process counts")
    p.add_argument("--quick", action="store_true", help="tiny sizes, one repetition (CI)")
    p.add_argument("--repeats", type=int, default=None, help="timed rounds (5; quick: 1)")
    p.add_argument(
        "--frameworks",
        nargs="+",
        default=None,
        help=f"subset of {', '.join(fws.FRAMEWORKS)} ('dask' = both schedulers)",
    )
    p.add_argument("--out", default=str(DEFAULT_OUT), help="output folder")
    p.add_argument("--timeout", type=float, default=None, help="seconds per job (14400; quick 600)")
    p.add_argument(
        "--case-timeout", type=float, default=None, help="seconds per case (1800; quick 120)"
    )
    p.add_argument("--case-module", action="append", default=[], help="extra case file (tests)")
    p.add_argument("--no-plots", action="store_true", help="skip the PNG plots")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    args = p.parse_args(argv)
    args.repeats = args.repeats or (1 if args.quick else 5)
    args.timeout = args.timeout or (600.0 if args.quick else 14400.0)
    args.case_timeout = args.case_timeout or (120.0 if args.quick else 1800.0)
    return args


def select(registry: dict[str, Any], wanted: list[str] | None) -> list[str]:
    """Case names matching ``wanted`` (names, groups or tags; all cases if None), in order.

    Raises
    ------
    SystemExit
        When a name matches no case.
    """
    names = list(registry)
    if not wanted:
        return names
    out: list[str] = []
    for w in wanted:
        hits = [n for n in names if w in (n, registry[n].group) or w in registry[n].tags]
        if not hits:
            groups = sorted({c.group for c in registry.values()})
            raise SystemExit(
                f"no benchmark case or group {w!r}; cases: {', '.join(names)}; "
                f"groups: {', '.join(groups)}"
            )
        out += [h for h in hits if h not in out]
    return out


def worker_command(p: int, names: list[str], args: argparse.Namespace, out: Path) -> list[str]:
    """The command line of one job at ``p`` processes."""
    launcher = (
        [sys.executable] if p == 1 else ["mpiexec", "-n", str(p), sys.executable, "-m", "mpi4py"]
    )
    command = [*launcher, str(WORKER), "--procs", str(p), "--out", str(out)]
    command += ["--repeats", str(args.repeats), "--cases", *names]
    command += ["--frameworks", *args.frameworks]
    command += ["--quick"] if args.quick else []
    for module in args.case_module:
        command += ["--case-module", str(Path(module).resolve())]
    return command


def kill_tree(proc: subprocess.Popen) -> None:
    """Terminate ``proc`` and every process it started (by id), then kill what remains."""
    try:
        import psutil

        procs = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
    except Exception:  # noqa: BLE001 (gone already, or no psutil: the process group)
        procs = []
    for q in procs:
        with contextlib.suppress(Exception):
            q.terminate()
    if not procs:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, 15)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    for q in procs:
        with contextlib.suppress(Exception):
            q.kill()
    with contextlib.suppress(OSError):
        os.killpg(proc.pid, 9)
    proc.wait()


def read_json(path: Path) -> dict[str, Any] | None:
    """The JSON document at ``path``, or None if it is missing or half written."""
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def watch(proc: subprocess.Popen, out: Path, start: float, args: argparse.Namespace) -> int | str:
    """Wait for the job; end it when it exceeds the job's or the current case's time limit."""
    while True:
        time.sleep(0.2)
        code = proc.poll()
        if code is not None:
            return code
        doc = read_json(out) or {}
        if time.time() - start > args.timeout:
            kill_tree(proc)
            return "timeout"
        if doc.get("current") and time.time() - doc["current_started"] > args.case_timeout:
            kill_tree(proc)
            return "case timeout"


def run_job(
    command: list[str], env: dict[str, str], out: Path, log: Path, args: argparse.Namespace
) -> tuple[int | str, dict[str, Any] | None, float]:
    """Run one job, echoing its output to the terminal and ``log``, under the time limits.

    Returns
    -------
    (int or str, dict or None, float)
        The exit code (or ``"timeout"``/``"case timeout"``), the worker's document, seconds.
    """
    start = time.time()
    with open(log, "a") as fh:
        fh.write(f"$ {shlex.join(command)}\n")
        proc = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )

        def copy() -> None:
            for line in proc.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                fh.write(line)

        reader = threading.Thread(target=copy, daemon=True)
        reader.start()
        try:
            code = watch(proc, out, start, args)
        except KeyboardInterrupt:  # the job runs in its own session: end it too
            kill_tree(proc)
            raise
        reader.join(timeout=5)
    return code, read_json(out), time.time() - start


def failure_reason(code: int | str, out: Path, log: Path) -> str:
    """Why a job ended in a case: the ranks' notes if one aborted it, else the exit."""
    notes = sorted(out.parent.glob(f"{out.name}.rank*.err"))
    texts = [n.read_text().strip() for n in notes]
    for n in notes:
        n.unlink()
    if texts:
        return "; ".join(texts)
    if code in ("timeout", "case timeout"):
        return f"the job exceeded its {code.replace('case ', 'per-case ')} limit in this case (see {log})"
    return f"the job exited with {code} in this case (see {log})"


def run_procs(
    p: int, names: list[str], args: argparse.Namespace, env: dict[str, str], raw: Path
) -> dict[str, Any]:
    """Every case at ``p`` processes: jobs until each case has run or failed.

    Returns
    -------
    dict
        ``cases`` (case name to the worker's entry), ``jobs`` (command, exit code, seconds) and
        what the worker reported about the environment.
    """
    env = dict(env, HPA_COMM="loopback" if p == 1 else "mpi")
    merged: dict[str, Any] = {"cases": {}, "jobs": []}
    remaining = list(names)
    log = raw / f"p{p}.log"
    log.write_text("")
    attempt = 0
    while remaining:
        out = raw / f"p{p}-{attempt}.json"
        out.unlink(missing_ok=True)
        command = worker_command(p, remaining, args, out)
        code, doc, seconds = run_job(command, env, out, log, args)
        merged["jobs"].append({"command": shlex.join(command), "exit": code, "seconds": seconds})
        doc = doc or {}
        for key in ("communicator", "omp_num_threads", "mpi_library", "import_errors"):
            if doc.get(key) is not None:
                merged[key] = doc[key]
        merged.setdefault("unavailable", {}).update(doc.get("unavailable", {}))
        merged["cases"].update(doc.get("cases", {}))
        for name in doc.get("missing_cases", []):
            merged["cases"][name] = {"failure": "not registered in the job (see import errors)"}
        done = set(doc.get("cases", {})) | set(doc.get("missing_cases", []))
        remaining = [n for n in remaining if n not in done]
        if code == 0 and doc:
            break
        culprit = doc.get("current") or (remaining[0] if remaining else None)
        reason = failure_reason(code, out, log)
        if code == "timeout":
            for name in remaining:
                merged["cases"][name] = {"failure": "job timeout: not reached"}
            merged["cases"][culprit] = {"failure": reason}
            break
        if culprit is None:
            break
        merged["cases"][culprit] = {"failure": reason}
        remaining = [n for n in remaining if n != culprit]
        attempt += 1
    return merged


def merge(
    registry: dict[str, Any], names: list[str], per_p: dict[int, dict[str, Any]]
) -> dict[str, Any]:
    """The cases of all jobs: per case its description and, per process count, the results."""
    cases: dict[str, Any] = {}
    for name in names:
        c = registry[name]
        entry: dict[str, Any] = {
            "group": c.group,
            "description": c.description,
            "tags": list(c.tags),
            "params": None,
            "procs": {},
        }
        for p, job in per_p.items():
            got = job["cases"].get(name)
            if got is None:
                continue
            if "failure" in got:
                entry["procs"][str(p)] = {"failure": got["failure"], "frameworks": {}}
                continue
            entry["params"] = entry["params"] or got.get("params")
            entry["procs"][str(p)] = {
                "reference": got.get("reference"),
                "frameworks": got.get("frameworks", {}),
            }
        cases[name] = entry
    return cases


def failures(doc: dict[str, Any]) -> list[str]:
    """What failed: jobs, case modules, cases and frameworks (empty when all ran and agreed)."""
    out = []
    for p, job in doc["jobs"].items():
        out += [f"p={p}: case module {m}: {e}" for m, e in job.get("import_errors", {}).items()]
    for name, case in doc["cases"].items():
        for p, res in case["procs"].items():
            if "failure" in res:
                out.append(f"{name} p={p}: {res['failure']}")
            for fw, r in res["frameworks"].items():
                if r.get("status") in FAILED:
                    out.append(f"{name} p={p} {fw}: {r['status']}: {r.get('message', '')}")
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    from suite import case as case_module
    from suite.worker import load_cases

    import_errors = load_cases(args.case_module)
    for module, error in import_errors.items():
        print(f"case module {module} does not import: {error}", file=sys.stderr)
    registry = case_module.REGISTRY
    if args.list:
        for name, c in registry.items():
            print(f"{name:24} {c.group:10} {c.description}")
        return 0
    names = select(registry, args.cases)
    try:
        args.frameworks = fws.expand(args.frameworks)
    except ValueError as exc:
        raise SystemExit(str(exc)) from exc
    out = Path(args.out)
    raw = out / "raw"
    raw.mkdir(parents=True, exist_ok=True)

    env = dict(os.environ, PYTHONUNBUFFERED="1")
    omp_from = "environment" if "OMP_NUM_THREADS" in os.environ else "run.py default"
    env.setdefault("OMP_NUM_THREADS", "1")
    print(
        f"{len(names)} case(s) at {args.procs} process(es), {args.repeats} round(s), "
        f"OMP_NUM_THREADS={env['OMP_NUM_THREADS']} ({omp_from})",
        flush=True,
    )
    start = time.time()
    per_p = {p: run_procs(p, names, args, env, raw) for p in args.procs}
    versions = fws.versions()
    for job in per_p.values():
        versions["mpi_library"] = versions.get("mpi_library") or job.get("mpi_library")
    doc = {
        "suite": 1,
        "date": fws.now(),
        "command": shlex.join([sys.executable, *sys.argv]),
        "quick": args.quick,
        "repeats": args.repeats,
        "procs": args.procs,
        "frameworks": args.frameworks,
        "omp_num_threads": env["OMP_NUM_THREADS"],
        "omp_num_threads_from": omp_from,
        "seconds": round(time.time() - start, 1),
        "machine": fws.machine(),
        "versions": versions,
        "jobs": {
            str(p): {k: v for k, v in job.items() if k not in ("cases", "mpi_library")}
            for p, job in per_p.items()
        },
        "cases": merge(registry, names, per_p),
    }
    (out / "results.json").write_text(json.dumps(doc, indent=1))
    (out / "results.md").write_text(report.markdown(doc))
    plots = [] if args.no_plots else report.plots(doc, out)
    problems = failures(doc)
    print(
        f"\nwrote {out / 'results.json'}, {out / 'results.md'}" + "".join(f", {p}" for p in plots)
    )
    if problems:
        print(f"\n{len(problems)} problem(s):")
        print("\n".join(f"  {p}" for p in problems))
    print()
    print(report.ratio_text(doc))
    if args.quick and problems:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
