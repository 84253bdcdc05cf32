"""The benchmark worker: one SPMD program that runs the selected cases at one process count.

Started by ``benchmarks/suite/run.py`` (``python benchmarks/suite/worker.py ...`` for one
process, ``mpiexec -n P python -m mpi4py benchmarks/suite/worker.py ...`` for more); rank 0
writes the results as JSON, rewritten after every case so that the driver can tell which
case a hung or crashed job was in.

Per case: every available framework builds its data (SPMD frameworks on every rank, the
others on rank 0 while the other ranks sleep), runs once as warm-up, and its value is checked
against the reference framework's on rank 0; then ``repeats`` rounds time every framework
that agreed once each, in turn (the starting framework rotating). A failure inside one
framework is caught on the rank that raised it, agreed on by all ranks, reported, and the
case goes on without that framework.

This module imports only the standard library at its top: dask's worker processes import it
again when they start (as ``__mp_main__``) and must not join the MPI job.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import importlib
import importlib.util
import json
import math
import os
import pkgutil
import statistics
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

BENCHMARKS = Path(__file__).resolve().parent.parent
if str(BENCHMARKS) not in sys.path:
    sys.path.insert(0, str(BENCHMARKS))
# the script's own folder would shadow modules named like ours (data, case, report)
_HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _HERE]

MiB = 2**20
POLL_S = 0.001


class Group:
    """The worker's own synchronisation between the ranks of the job (not hpa's).

    With one process every method is trivial and MPI is never initialised. Waiting ranks
    sleep-poll a nonblocking barrier, because MPI's blocking collectives busy-poll and would
    take a core from the rank being timed.
    """

    def __init__(self, processes: int, note: str | None = None) -> None:
        self.note = note
        self.comm: Any = None
        self.rank, self.size = 0, 1
        if processes > 1:
            from mpi4py import MPI

            self.comm = MPI.COMM_WORLD.Dup()
            self.rank, self.size = self.comm.Get_rank(), self.comm.Get_size()
            if self.size != processes:
                raise RuntimeError(f"started with {self.size} processes, expected {processes}")

    def wait(self, give_up: float | None = None, why: str = "") -> None:
        """A barrier at which every rank sleeps while it waits.

        Parameters
        ----------
        give_up : float, optional
            Seconds after which this rank aborts the whole job, writing ``why`` to the file
            ``note.rank<r>.err`` first: a rank whose SPMD call raised waits here for ranks
            that may be stuck in a collective it left, and ends the job rather than hang.
        why : str
            What went wrong, for the driver.
        """
        if self.comm is None:
            return
        request = self.comm.Ibarrier()
        deadline = None if give_up is None else time.monotonic() + give_up
        while not request.Test():
            time.sleep(POLL_S)
            if deadline is not None and time.monotonic() > deadline:
                self.abort(why)

    def abort(self, why: str) -> None:
        """End the job: the others are stuck where this rank cannot reach them."""
        text = f"rank {self.rank}: {why} (the other ranks did not arrive: job aborted)"
        print(text, file=sys.stderr, flush=True)
        if self.note:
            with contextlib.suppress(OSError), open(f"{self.note}.rank{self.rank}.err", "w") as fh:
                fh.write(text)
        from mpi4py import MPI

        MPI.COMM_WORLD.Abort(3)

    def barrier(self) -> None:
        """A blocking barrier, to start a timed SPMD call on all ranks together."""
        if self.comm is not None:
            self.comm.Barrier()

    def gather(self, obj: Any, give_up: float | None = None) -> list[Any]:
        """Every rank's ``obj``, on every rank (after a sleeping wait, see :meth:`wait`)."""
        if self.comm is None:
            return [obj]
        self.wait(give_up, str(obj))
        return self.comm.allgather(obj)

    def bcast(self, obj: Any) -> Any:
        """Rank 0's ``obj`` on every rank (after a sleeping wait)."""
        if self.comm is None:
            return obj
        self.wait()
        return self.comm.bcast(obj, root=0)


class Monitor:
    """Peak resident memory of this process (and optionally its children) in windows.

    A thread samples the resident set size every ``interval`` seconds while a window is open.
    Per label it keeps the absolute peak over the processes watched, the growth that a
    ``"setup"`` window leaves resident (the data), and the largest growth during a ``"run"``
    window over the resident size at its start (the temporaries).
    Without psutil it records nothing.
    """

    def __init__(self, interval: float = 0.005) -> None:
        self.stats: dict[str, dict[str, float]] = {}
        try:
            import psutil
        except ImportError:
            self.process = None
            return
        self.psutil = psutil
        self.process = psutil.Process()
        self.interval = interval
        self._lock = threading.Lock()
        self._window: dict[str, Any] | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _processes(self, children: bool) -> list[Any]:
        procs = [self.process]
        if children:
            with contextlib.suppress(self.psutil.Error):
                procs += self.process.children(recursive=True)
        return procs

    def _rss(self, procs: list[Any]) -> dict[int, int]:
        out = {}
        for p in procs:
            with contextlib.suppress(self.psutil.Error):
                out[p.pid] = p.memory_info().rss
        return out

    def _sample(self) -> None:
        with self._lock:
            w = self._window
            if w is None:
                return
            rss = self._rss(w["procs"])
            for pid, value in rss.items():
                w["peak"] = max(w["peak"], value)
                w["grow"] = max(w["grow"], value - w["base"].get(pid, value))

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self._sample()

    @contextlib.contextmanager
    def window(self, label: str, kind: str, children: bool = False) -> Iterator[None]:
        """Watch the memory while the block runs; record it under ``label`` and ``kind``."""
        if self.process is None:
            yield
            return
        procs = self._processes(children)
        base = self._rss(procs)
        with self._lock:
            self._window = {"procs": procs, "base": base, "peak": max(base.values()), "grow": 0}
        try:
            yield
        finally:
            self._sample()
            with self._lock:
                w, self._window = self._window, None
            grow = w["grow"]
            if kind == "setup":  # what stays resident, not the transient peak of building it
                end = self._rss(procs)
                grow = max((v - base.get(pid, 0) for pid, v in end.items()), default=0)
            s = self.stats.setdefault(label, {"peak": 0.0})
            s["peak"] = max(s["peak"], w["peak"] / MiB)
            s[kind] = max(s.get(kind, 0.0), max(grow, 0) / MiB)

    def summary(self, label: str) -> dict[str, float] | None:
        """Peak resident MiB, and MiB added (data built in setup plus the largest run's growth)."""
        s = self.stats.pop(label, None)
        if s is None:
            return None
        return {"peak": s["peak"], "added": s.get("setup", 0.0) + s.get("run", 0.0)}

    def close(self) -> None:
        """Stop the sampling thread."""
        if self.process is not None:
            self._stop.set()
            self._thread.join()


def load_cases(extra: list[str]) -> dict[str, str]:
    """Import every module of ``suite.cases`` and the files ``extra``; errors by module name."""
    import suite.cases

    errors: dict[str, str] = {}
    names = [f"suite.cases.{m.name}" for m in pkgutil.iter_modules(suite.cases.__path__)]
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 (a broken case module is reported, not fatal)
            errors[name] = f"{type(exc).__name__}: {exc}"
    for path in extra:
        name = f"suite_extra_{Path(path).stem}"
        try:
            spec = importlib.util.spec_from_file_location(name, path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
        except Exception as exc:  # noqa: BLE001 (a broken case file is reported, not fatal)
            errors[path] = f"{type(exc).__name__}: {exc}"
    return errors


def error_text(exc: BaseException) -> str:
    """One line for an exception, with the innermost frame of the traceback."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(frames[-1].filename).name}:{frames[-1].lineno})" if frames else ""
    text = f"{type(exc).__name__}: {exc}".strip().replace("\n", " ")
    return text[:400] + where


class Runner:
    """Runs one case: setup, warm-up and check, interleaved timed rounds, cleanup."""

    def __init__(
        self,
        group: Group,
        monitor: Monitor,
        processes: int,
        client: Any,
        repeats: int,
        grace: float,
    ) -> None:
        self.group = group
        self.grace = grace
        self.monitor = monitor
        self.processes = processes
        self.client = client
        self.repeats = repeats

    # ---- running one step of one framework on the right ranks, agreeing on the outcome

    def step(self, fw: str, fn: Callable[[], Any], kind: str) -> tuple[bool, Any, str | None]:
        """Run ``fn`` for framework ``fw`` (all ranks if SPMD, else rank 0) and agree.

        Returns
        -------
        (bool, object, str or None)
            Whether it succeeded on every rank, this rank's return value (None where it did not
            run), and the error (``"skipped: ..."`` for an ImportError) if it failed anywhere.
        """
        from suite.frameworks import SPMD, scheduler

        here = fw in SPMD or self.group.rank == 0
        out, err = None, None
        if here:
            try:
                with (
                    scheduler(fw, self.processes, self.client),
                    self.monitor.window(fw, kind, children=fw == "dask-distributed"),
                ):
                    out = fn()
            except ImportError as exc:  # a peer's missing piece; hpa's own is an error
                err = ("" if fw == "hpa" else "skipped: ") + error_text(exc)
            except Exception as exc:  # noqa: BLE001 (caught here, agreed on by all ranks)
                err = error_text(exc)
        if fw in SPMD:
            errors = self.group.gather(err, None if err is None else self.grace)
            message = agreed_error(errors)
        else:
            message = self.group.bcast(err)
        return message is None, out, message

    def timed(self, fw: str, impl: Any) -> tuple[float | None, str | None]:
        """One timed run of ``fw``: the slowest rank's seconds (SPMD) or rank 0's."""
        from suite.frameworks import SPMD

        self.group.wait()
        if fw in SPMD:
            self.group.barrier()
        elapsed = 0.0

        def run() -> None:
            nonlocal elapsed
            start = time.perf_counter()
            result = impl.run(impl.state)
            elapsed = time.perf_counter() - start
            del result

        ok, _, message = self.step(fw, run, "run")
        if not ok:
            return None, message
        if fw in SPMD:
            return max(self.group.gather(elapsed)), None
        return self.group.bcast(elapsed), None

    # ---- one case

    def run_case(self, case: Any, frameworks: list[str], unavailable: dict[str, str], quick: bool):
        """Every framework's entry for ``case`` (meaningful on rank 0)."""
        from suite.frameworks import impl_key

        params = dict(case.params(quick), rank=self.group.rank, size=self.group.size)
        entries: dict[str, dict[str, Any]] = {}
        active = []
        for fw in frameworks:
            if impl_key(fw) not in case.impls:
                entries[fw] = skipped(f"the case has no {impl_key(fw)} implementation")
            elif fw in unavailable:
                entries[fw] = skipped(unavailable[fw])
            else:
                active.append(fw)

        impls: dict[str, Any] = {}
        for fw in active:
            start = time.perf_counter()
            ok, impl, message = self.step(
                fw, lambda fw=fw: case.impls[impl_key(fw)](params), "setup"
            )
            entries[fw] = {"status": "ok", "setup_s": time.perf_counter() - start}
            if ok:
                impls[fw] = impl
            else:
                entries[fw] = failed(message)

        reference = self.check(case, impls, entries)
        timed = [fw for fw in active if fw in impls]
        times: dict[str, list[float]] = {fw: [] for fw in timed}
        for r in range(self.repeats):
            order = timed[r % len(timed) :] + timed[: r % len(timed)] if timed else []
            for fw in order:
                if fw not in impls:
                    continue
                seconds, message = self.timed(fw, impls[fw])
                if seconds is None:
                    entries[fw] = failed(message)
                    del impls[fw]
                else:
                    times[fw].append(seconds)

        for fw in timed:
            memory = self.group.gather(self.monitor.summary(fw))
            if fw in impls and entries[fw]["status"] in ("ok", "unchecked"):
                entries[fw].update(summarise(times[fw]))
            entries[fw]["rss_peak_mib"] = [round(m["peak"], 1) for m in memory if m]
            entries[fw]["rss_added_mib"] = [round(m["added"], 1) for m in memory if m]
        for fw in active:
            self.monitor.summary(fw)  # drop what failed frameworks recorded
        impls.clear()
        gc.collect()
        if self.client is not None and self.group.rank == 0:
            with contextlib.suppress(Exception):
                self.client.run(gc.collect)
        self.group.wait()
        return {
            "group": case.group,
            "description": case.description,
            "tags": list(case.tags),
            "reference": reference,
            "params": jsonable({k: v for k, v in params.items() if k not in ("rank", "size")}),
            "frameworks": entries,
        }

    def check(self, case: Any, impls: dict[str, Any], entries: dict[str, Any]) -> str | None:
        """Warm up every framework and compare its value with the reference's on rank 0.

        The reference is ``case.reference``, or hpa when that one is missing or failed;
        frameworks that disagree or fail are removed from ``impls``. Returns the reference.
        """
        from suite.frameworks import impl_key

        named = [f for f in impls if impl_key(f) == case.reference]  # "dask": either scheduler
        preferred = named + [f for f in ("hpa",) if f in impls and f not in named]
        order = preferred + [f for f in impls if f not in preferred]
        reference, want = None, None
        for fw in order:
            impl = impls[fw]
            start = time.perf_counter()
            ok, got, message = self.step(
                fw, lambda impl=impl: impl.value(impl.run(impl.state)), "run"
            )
            entries[fw]["warmup_s"] = self.group.bcast(time.perf_counter() - start)
            if not ok:
                entries[fw] = failed(message)
                del impls[fw]
                continue
            if reference is None and fw in preferred:
                reference, want = fw, got
                entries[fw]["check"] = "reference"
                continue
            verdict = None
            if self.group.rank == 0:
                verdict = compare(case, got, want) if reference else ("unchecked", None, None)
            status, error, text = self.group.bcast(verdict)
            del got
            if status == "disagrees":
                entries[fw] = {"status": "disagrees", "max_error": error, "message": text}
                del impls[fw]
            else:
                entries[fw]["status"] = status
                entries[fw]["check"] = "agrees" if status == "ok" else "no reference"
                if error is not None:
                    entries[fw]["max_error"] = error
        return reference


def agreed_error(errors: list[str | None]) -> str | None:
    """One message for the ranks' errors (None if none failed); ranks with the same error are
    named together, and it is a skip if every failing rank skipped."""
    bad = [(r, e) for r, e in enumerate(errors) if e is not None]
    if not bad:
        return None
    every_skip = all(e.startswith("skipped: ") for _, e in bad)
    by_text: dict[str, list[int]] = {}
    for r, e in bad:
        by_text.setdefault(e.removeprefix("skipped: "), []).append(r)
    if len(errors) == 1:
        texts = list(by_text)
    else:
        texts = [f"rank {', '.join(map(str, rs))}: {t}" for t, rs in by_text.items()]
    return ("skipped: " if every_skip else "") + "; ".join(texts)


def compare(case: Any, got: Any, want: Any) -> tuple[str, float | None, str | None]:
    """``("ok" | "disagrees", max abs error, message)`` of ``got`` against ``want``."""
    import numpy as np

    error = None
    with contextlib.suppress(Exception):
        g, w = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
        if g.shape == w.shape:
            error = float(np.max(np.abs(g - w))) if g.size else 0.0
            if math.isnan(error):
                error = None
    try:
        if case.compare is not None:
            case.compare(got, want)
        else:
            np.testing.assert_allclose(got, want, rtol=case.rtol, atol=case.atol)
    except AssertionError as exc:
        lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
        return "disagrees", error, " ".join(lines)[:300]
    except Exception as exc:  # noqa: BLE001 (a compare that raises is a disagreement)
        return "disagrees", error, error_text(exc)
    return "ok", error, None


def skipped(reason: str) -> dict[str, Any]:
    """The entry of a framework that did not run."""
    return {"status": "skipped", "message": reason}


def failed(message: str | None) -> dict[str, Any]:
    """The entry of a framework that raised (an ImportError counts as skipped)."""
    message = message or "failed"
    if message.startswith("skipped: "):
        return skipped(message[len("skipped: ") :])
    return {"status": "error", "message": message}


def summarise(times: list[float]) -> dict[str, Any]:
    """Median, extremes and quartiles of the repetitions' seconds."""
    if not times:
        return {"times_s": []}
    ordered = sorted(times)
    q1 = q3 = ordered[0]
    if len(ordered) > 1:
        q1, _, q3 = statistics.quantiles(ordered, n=4, method="inclusive")
    return {
        "median_s": statistics.median(ordered),
        "min_s": ordered[0],
        "max_s": ordered[-1],
        "q1_s": q1,
        "q3_s": q3,
        "times_s": times,
    }


def progress(name: str, size: int, entry: dict[str, Any], seconds: float) -> str:
    """One line on a finished case: each framework's median or what happened instead."""
    parts = []
    for fw, r in entry["frameworks"].items():
        if r.get("median_s") is not None:
            parts.append(f"{fw} {r['median_s']:.3g}s")
        elif r["status"] != "skipped":
            parts.append(f"{fw} {r['status'].upper()}")
    return f"[{size}p] {name}: {', '.join(parts) or 'nothing ran'} ({seconds:.1f} s)"


def jsonable(obj: Any) -> Any:
    """``obj`` with anything JSON cannot hold turned into a string."""
    return json.loads(json.dumps(obj, default=str))


def write(path: str, doc: dict[str, Any]) -> None:
    """Write ``doc`` to ``path`` atomically (the driver may read it at any moment)."""
    tmp = f"{path}.tmp"
    with open(tmp, "w") as fh:
        json.dump(doc, fh, indent=1)
    os.replace(tmp, path)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    """The worker's command line (run.py builds it)."""
    p = argparse.ArgumentParser(description="benchmark worker (started by run.py)")
    p.add_argument("--procs", type=int, required=True, help="processes of this job")
    p.add_argument("--cases", nargs="+", required=True, help="case names, in order")
    p.add_argument("--frameworks", nargs="+", required=True, help="framework labels")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--out", required=True, help="JSON file rank 0 writes")
    p.add_argument("--case-module", action="append", default=[], help="extra case file")
    p.add_argument(
        "--grace",
        type=float,
        default=None,
        help="seconds a rank whose SPMD call failed waits for the others before aborting the "
        "job (120; quick: 20)",
    )
    return p.parse_args(argv)


def availability(group: Group, frameworks: list[str], needed: set[str]) -> dict[str, str]:
    """Why each framework that cannot run here cannot (checked on the ranks that run it)."""
    from suite.frameworks import SPMD, detect, impl_key

    out = {}
    for fw in frameworks:
        if impl_key(fw) not in needed:
            continue
        if fw in SPMD:
            reasons = group.gather(detect(fw))
            reason = next((r for r in reasons if r), None)
        else:
            reason = group.bcast(detect(fw) if group.rank == 0 else None)
        if reason:
            out[fw] = reason
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    group = Group(args.procs, note=args.out)
    threads = int(os.environ.setdefault("OMP_NUM_THREADS", "1"))
    import torch

    torch.set_num_threads(threads)
    from suite import case as case_module
    from suite import frameworks as fws

    import_errors = load_cases(args.case_module)
    registry = case_module.REGISTRY
    cases = [registry[name] for name in args.cases if name in registry]
    missing = [name for name in args.cases if name not in registry]
    needed = {key for c in cases for key in c.impls}
    unavailable = availability(group, args.frameworks, needed)

    doc: dict[str, Any] = {
        "processes": group.size,
        "communicator": None,
        "omp_num_threads": threads,
        "started": fws.now(),
        "mpi_library": fws.mpi_library() if args.procs > 1 else None,
        "import_errors": import_errors,
        "missing_cases": missing,
        "unavailable": unavailable,
        "cases": {},
        "current": None,
    }
    with contextlib.suppress(Exception):
        import hpa

        doc["communicator"] = hpa.get_comm().name

    client = None
    if "dask-distributed" in args.frameworks and "dask-distributed" not in unavailable:
        if "dask" in needed and group.rank == 0:
            try:
                client = fws.start_cluster(args.procs)
            except Exception as exc:  # noqa: BLE001 (dask-distributed is then skipped)
                unavailable["dask-distributed"] = f"cluster did not start: {error_text(exc)}"
        unavailable.update(group.bcast(unavailable))
    monitor = Monitor()
    grace = args.grace or (20.0 if args.quick else 120.0)
    runner = Runner(group, monitor, args.procs, client, args.repeats, grace)
    try:
        for case in cases:
            doc["current"], doc["current_started"] = case.name, time.time()
            if group.rank == 0:
                write(args.out, doc)
            start = time.perf_counter()
            entry = runner.run_case(case, args.frameworks, unavailable, args.quick)
            doc["cases"][case.name] = entry
            if group.rank == 0:
                print(
                    progress(case.name, group.size, entry, time.perf_counter() - start), flush=True
                )
        doc["current"] = None
        doc["finished"] = fws.now()
        if group.rank == 0:
            write(args.out, doc)
    finally:
        monitor.close()
        if client is not None:
            with contextlib.suppress(Exception):
                fws.stop_cluster(client)
        group.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
