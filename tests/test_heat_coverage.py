"""docs/heat-coverage.md is generated: it must match what tools/gen_heat_coverage.py gives now.

The generator reads tools/heat_names.txt (HeAT itself is not needed) and introspects hpa (no
collective), so every rank runs these tests identically. When the page is stale, run
``python tools/gen_heat_coverage.py`` (the lead regenerates it once functions have been added).
"""

from __future__ import annotations

import importlib
import re
import sys
import types
from pathlib import Path

import pytest

import hpa

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "heat-coverage.md"


@pytest.fixture(scope="module")
def gen() -> types.ModuleType:
    """The generator, imported as a script beside the NumPy generator (which it imports)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        return importlib.import_module("gen_heat_coverage")
    finally:
        sys.path.remove(str(ROOT / "tools"))


def resolve(spelling: str) -> object:
    """The hpa object ``spelling`` names (``hpa.f()``: the function ``f``); AttributeError when
    hpa has none."""
    obj: object = hpa
    for part in spelling.removesuffix("()").split(".")[1:]:
        obj = getattr(obj, part)
    assert callable(obj) or not spelling.endswith("()"), spelling
    return obj


def page_rows() -> list[tuple[str, list[str], str]]:
    """(HeAT name, hpa spellings, status) of every table line of the page."""
    found = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `heat."):
            heat_cell, hpa_cell, status = line.strip("| ").split(" | ")
            found.append((heat_cell.strip("`"), re.findall(r"`([^`]+)`", hpa_cell), status))
    return found


def test_page_up_to_date(gen):
    assert gen.main(["--check"]) == 0, (
        "docs/heat-coverage.md is stale: run `python tools/gen_heat_coverage.py`"
    )


def test_names_parse(gen):
    version, names = gen.read_names()
    assert version.startswith("HeAT ")
    assert names == sorted(set(names)), "tools/heat_names.txt: names sorted, each once"
    assert {gen.namespace_of(name) for name in names} == set(gen.NAMESPACES)
    short = {name.rsplit(".", 1)[1] for name in names}
    assert not short & {"torch", "np", "os", "arithmetics", "Any", "Union", "annotations"}
    assert not any(s.startswith("sanitize_") for s in short)
    assert set(gen.SPELLINGS) <= set(names)


def test_claimed_names_resolve(gen):
    rows = page_rows()
    assert len(rows) == len(gen.read_names()[1])
    for name, spellings, status in rows:
        assert status in (gen.SAME, gen.OTHER, gen.ABSENT), name
        assert bool(spellings) == (status != gen.ABSENT), name
        for spelling in spellings:
            assert not isinstance(resolve(spelling), types.ModuleType), spelling
