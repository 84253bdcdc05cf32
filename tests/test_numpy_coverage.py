"""docs/numpy-coverage.md is generated: it must match what tools/gen_numpy_coverage.py gives now.

The generator reads tools/numpy_reference.txt and introspects hpa (no collective), so every rank
runs these tests identically. When the page is stale, run ``python tools/gen_numpy_coverage.py``
(the lead regenerates it once functions have been added).
"""

from __future__ import annotations

import importlib
import sys
import types
import typing
from pathlib import Path

import pytest

import hpa

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "numpy-coverage.md"
RNG = "hpa.random.default_rng()."
CALLABLE_KINDS = {"function", "ufunc", "class", "method"}


@pytest.fixture(scope="module")
def gen() -> types.ModuleType:
    """The generator, imported as a script beside gen_api_docs (which it imports)."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        return importlib.import_module("gen_numpy_coverage")
    finally:
        sys.path.remove(str(ROOT / "tools"))


def resolve(spelling: str) -> object:
    """The hpa object ``spelling`` names; AttributeError when hpa has none."""
    if spelling.startswith(RNG):
        owner = typing.get_type_hints(hpa.random.default_rng)["return"]
        return getattr(owner, spelling.removeprefix(RNG))
    obj: object = hpa
    for part in spelling.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def page_rows() -> list[tuple[str, str, str]]:
    """(NumPy name, hpa cell, status) of every table line of the page."""
    found = []
    for line in PAGE.read_text(encoding="utf-8").splitlines():
        if line.startswith("| `numpy."):
            numpy_cell, hpa_cell, status = line.split(" | ", 3)[:3]
            found.append((numpy_cell.strip("| `"), hpa_cell, status))
    return found


def test_page_up_to_date(gen):
    assert gen.main(["--check"]) == 0, (
        "docs/numpy-coverage.md is stale: run `python tools/gen_numpy_coverage.py`"
    )


def test_reference_parses(gen):
    version, entries = gen.read_reference()
    names = [name for name, _ in entries]
    assert version.startswith("NumPy ")
    assert names == sorted(set(names)), "tools/numpy_reference.txt: names sorted, each once"
    spaces = {name.rsplit(".", 1)[0] for name in names}
    assert spaces == {"numpy", *gen.NAMESPACES}
    assert not set(names) & (gen.DEPRECATED | gen.TESTING)
    assert {"numpy.sum", "numpy.linalg.svd", "numpy.fft.fft", "numpy.ndarray.T"} <= set(names)


def test_hand_kept_tables_name_reference_entries(gen):
    names = {name for name, _ in gen.read_reference()[1]}
    listed = [n for group in gen.SECTIONS.values() for n in group.split()]
    assert len(listed) == len(set(listed)), "a name is in two sections"
    assert {f"numpy.{n}" for n in listed} <= names
    assert {f"numpy.{n}" for n in gen.NOT_APPLICABLE} <= names
    assert set(gen.ALIASES) <= names


def test_supported_names_resolve(gen):
    kinds = dict(gen.read_reference()[1])
    rows = page_rows()
    assert len(rows) == len(kinds)
    supported = [(name, cell.strip("`")) for name, cell, status in rows if status == "supported"]
    assert supported
    for name, spelling in supported:
        obj = resolve(spelling)
        assert not isinstance(obj, types.ModuleType), spelling
        assert callable(obj) or kinds[name] not in CALLABLE_KINDS, f"{spelling} is not callable"


def test_every_status_known(gen):
    for name, _, status in page_rows():
        assert status in ("supported", "missing") or status.startswith("not applicable: "), name
