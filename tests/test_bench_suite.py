"""The benchmark suite's bookkeeping (benchmarks/suite): statistics, agreement, targets, tables.

Pure functions only, no job is launched (CI runs the suite itself with ``--quick``), so every
rank runs these tests identically.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from suite import frameworks, report, run, worker
from suite.case import Case, Impl


def _case(name: str = "c", group: str = "array", **kw: object) -> Case:
    def setup(params: dict) -> Impl:
        return Impl(run=lambda s: s, value=lambda r: r)

    return Case(name, group, lambda quick: {}, {"hpa": setup, "numpy": setup}, **kw)


def _entry(median: float, status: str = "ok") -> dict:
    return {"status": status, "median_s": median, "min_s": median, "max_s": median}


def _doc(cases: dict) -> dict:
    return {
        "date": "today",
        "seconds": 1.0,
        "machine": {"hostname": "h", "cpu": "c", "cores": 2, "memory_gib": 1},
        "versions": {"python": "3", "heat": None},
        "omp_num_threads": "1",
        "omp_num_threads_from": "run.py default",
        "repeats": 1,
        "quick": False,
        "command": "run.py",
        "procs": [1, 2],
        "cases": cases,
    }


def test_summarise_median_and_quartiles():
    s = worker.summarise([3.0, 1.0, 2.0, 4.0, 5.0])
    assert s["median_s"] == 3.0 and s["min_s"] == 1.0 and s["max_s"] == 5.0
    assert s["q1_s"] == 2.0 and s["q3_s"] == 4.0
    assert s["times_s"] == [3.0, 1.0, 2.0, 4.0, 5.0]
    one = worker.summarise([0.5])
    assert one["median_s"] == one["q1_s"] == one["q3_s"] == 0.5


def test_compare_tolerance_custom_and_error():
    case = _case(rtol=1e-6)
    assert worker.compare(case, np.ones(3), np.ones(3))[0] == "ok"
    status, error, message = worker.compare(case, np.ones(3) + 1e-3, np.ones(3))
    assert status == "disagrees" and error == pytest.approx(1e-3) and message

    def up_to_sign(got: np.ndarray, want: np.ndarray) -> None:
        np.testing.assert_allclose(np.abs(got), np.abs(want))

    signed = _case(compare=up_to_sign)
    assert worker.compare(signed, -np.ones(2), np.ones(2))[0] == "ok"
    assert worker.compare(case, np.ones(2), np.ones(3))[0] == "disagrees"


def test_agreed_error_names_ranks_and_skips():
    assert worker.agreed_error([None, None]) is None
    assert worker.agreed_error(["boom"]) == "boom"
    assert worker.agreed_error(["x", "x", None]) == "rank 0, 1: x"
    assert worker.agreed_error(["skipped: no heat", None]) == "skipped: rank 0: no heat"
    assert not worker.agreed_error(["skipped: a", "b"]).startswith("skipped")
    assert worker.failed("skipped: no heat") == {"status": "skipped", "message": "no heat"}


def test_select_by_name_group_and_tag():
    registry = {
        "a": _case("a", "paper"),
        "b": _case("b", "array", tags=("small",)),
        "c": _case("c", "array"),
    }
    assert run.select(registry, None) == ["a", "b", "c"]
    assert run.select(registry, ["array", "a"]) == ["b", "c", "a"]
    assert run.select(registry, ["small"]) == ["b"]
    with pytest.raises(SystemExit):
        run.select(registry, ["nope"])


def test_expand_frameworks():
    assert frameworks.expand(["dask", "hpa"]) == ["hpa", "dask-threads", "dask-distributed"]
    assert frameworks.expand(None) == list(frameworks.FRAMEWORKS)
    with pytest.raises(ValueError):
        frameworks.expand(["spark"])
    assert frameworks.impl_key("dask-threads") == "dask" and frameworks.impl_key("heat") == "heat"


def test_targets_and_ratio_table():
    paper = {"group": "paper", "tags": []}
    algo = {"group": "algorithm", "tags": []}
    small = {"group": "array", "tags": ["small"]}
    assert report.target(paper, "heat", 2) == 0.5
    assert report.target(paper, "dask-distributed", 2) == 0.1
    assert report.target({"group": "array", "tags": []}, "dask-threads", 1) is None
    assert report.target(paper, "torch", 1) == 1.15
    assert report.target(algo, "torch", 1) == 1.25
    assert report.target(algo, "torch", 2) is None
    assert report.target(small, "torch", 1) is None

    fast = {"1": {"frameworks": {"hpa": _entry(1.0), "heat": _entry(4.0), "torch": _entry(1.0)}}}
    slow = {"1": {"frameworks": {"hpa": _entry(1.0), "heat": _entry(1.5)}}}
    bad = {"1": {"frameworks": {"hpa": _entry(1.0), "heat": _entry(9.0, "disagrees")}}}
    doc = _doc(
        {
            "fast": {"group": "paper", "tags": [], "description": "", "procs": fast},
            "slow": {"group": "array", "tags": [], "description": "", "procs": slow},
            "bad": {"group": "array", "tags": [], "description": "", "procs": bad},
        }
    )
    r = report.ratios(doc, 1)
    assert r["fast"] == {"heat": 0.25, "torch": 1.0} and "bad" not in r
    head, rows, verdicts = report.ratio_rows(doc, 1)
    assert head == ["case", "hpa / heat", "hpa / torch"]
    assert rows[0] == ["fast", "0.25 met", "1.00 met"] and rows[1][1] == "0.67 MISSED"
    assert rows[-1][0] == "geomean" and rows[-1][1].startswith(f"{(0.25 / 1.5) ** 0.5:.2f}")
    assert any("1 of 2 case targets met; missed: slow" in v for v in verdicts)
    page = report.markdown(doc)
    assert "disagrees" in page and "| fast |" in page and "not installed: heat" in page
    assert report.ratio_text(doc).splitlines()[0].startswith("hpa / peer at 1 process")


def test_fmt_seconds():
    assert report.fmt_seconds(1.5) == "1.5 s"
    assert report.fmt_seconds(0.0123) == "12.3 ms"
    assert report.fmt_seconds(4e-5) == "40 us"
