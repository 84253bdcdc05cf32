"""Scripts written for NumPy and for HeAT run with only their import changed.

``porting_scripts/numpy_tour.py`` is run twice in this process, as written (NumPy) and with
``import numpy as np`` replaced by ``import hpa as np``; the two must print the same.
``porting_scripts/heat_tour.py`` is run with ``import heat as ht`` replaced by ``import hpa as
ht`` and must print what HeAT 1.8 printed (``heat_tour.expected``, recorded once with HeAT: CI
has no HeAT). Every rank runs the scripts and compares its own output; the verdicts are then
gathered, so a rank that differs fails the test on every rank.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import pytest
from helpers import agree

SCRIPTS = Path(__file__).parent / "porting_scripts"


def _run(source: str, name: str) -> str:
    """What the script ``source`` prints, run as a fresh module."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(source, name, "exec"), {"__name__": "__main__"})
    return out.getvalue()


def _ported(path: Path, original: str, replacement: str) -> str:
    source = path.read_text(encoding="utf-8")
    assert source.count(original + "\n") == 1, f"{path.name} must contain {original!r} once"
    return source.replace(original + "\n", replacement + "\n")


def _same(expected: str, got: str, what: str) -> None:
    lines = [
        f"line {i}: expected {e!r}, got {g!r}"
        for i, (e, g) in enumerate(zip(expected.splitlines(), got.splitlines()), 1)
        if e != g
    ]
    if len(expected.splitlines()) != len(got.splitlines()):
        lines.append(f"{len(expected.splitlines())} lines expected, {len(got.splitlines())} printed")
    agree(not lines, f"{what}: " + "; ".join(lines[:5]))


def test_numpy_script_runs_with_hpa() -> None:
    path = SCRIPTS / "numpy_tour.py"
    expected = _run(path.read_text(encoding="utf-8"), str(path))
    got = _run(_ported(path, "import numpy as np", "import hpa as np"), str(path))
    _same(expected, got, "numpy_tour.py with hpa")


def test_heat_script_runs_with_hpa() -> None:
    path = SCRIPTS / "heat_tour.py"
    expected = (SCRIPTS / "heat_tour.expected").read_text(encoding="utf-8")
    got = _run(_ported(path, "import heat as ht", "import hpa as ht"), str(path))
    _same(expected, got, "heat_tour.py with hpa")


@pytest.mark.parametrize("script", ["numpy_tour.py", "heat_tour.py"])
def test_scripts_are_plain_python(script: str) -> None:
    source = (SCRIPTS / script).read_text(encoding="utf-8")
    compile(source, script, "exec")  # the scripts stay runnable on their own
    assert "hpa" not in source.split('"""')[-1], f"{script} must not use hpa itself"
