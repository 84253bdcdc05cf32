"""Generate ``docs/api.md``: every hpa function, its NumPy equivalent and what it communicates.

Usage: ``python tools/gen_api_docs.py`` writes the page; ``--check`` only compares it with what
the code gives now and exits 1 when it is stale. The page is built from the code alone: the
``__all__`` and docstrings of each module of ``hpa.ops``, ``hpa.linalg``, ``hpa.fft``,
``hpa.signal``, ``hpa.random``, ``hpa.sparse``, ``hpa.spatial`` and ``hpa.io``, so it stays true as functions are added. Only files are read and written (no communicator is used), so every rank may run it.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import re
import sys
import types
from pathlib import Path

import numpy

import hpa
import hpa.io
import hpa.ops

OUT = Path(__file__).resolve().parents[1] / "docs" / "api.md"
KEYWORDS = re.compile(
    r"communicat|collective|allreduce|allgather|alltoall|all-to-all|bcast|exscan|reduce_scatter",
    re.IGNORECASE,
)
NONE = re.compile(r"\bnone\b")  # lower-case "none" in prose, not ``None`` or "None"
PARAM = re.compile(r"\**\w+(\s*,\s*\**\w+)*(\s+:.*)?")  # a numpydoc "name : type" line
TABLE_RULE = re.compile(r"^\s*=+(\s+=+)*\s*$", re.MULTILINE)


def _md(text: str) -> str:
    """rST inline markup to Markdown, on one line, safe in a table cell."""
    text = re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text)
    text = text.replace("``", "`")
    return " ".join(text.split()).replace("|", "\\|")


def communication(doc: str | None) -> str | None:
    """The sentences of a docstring's prose that say what the function communicates."""
    found, lines, in_section = [], inspect.cleandoc(doc or "").splitlines() + [""], False
    for i, line in enumerate(lines[:-1]):  # numpydoc: each parameter its own paragraph
        if re.fullmatch(r"-{3,}", lines[i + 1].strip()) or re.fullmatch(r"-{3,}", line.strip()):
            lines[i], in_section = "", True
        elif in_section and PARAM.fullmatch(line) and lines[i + 1][:1].isspace():
            names = line.split(" : ")[0]
            lines[i] = "\n\n" + ", ".join(f"``{n.strip()}``" for n in names.split(",")) + ":"
    for para in re.split(r"\n\s*\n", "\n".join(lines)):
        if TABLE_RULE.search(para) or re.match(r"\s*(>>>|\.\. )", para):
            continue
        para = " ".join(para.split())
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-Z`(:])", para):
            if KEYWORDS.search(sentence) or NONE.search(re.sub(r"``[^`]*``", "", sentence)):
                found.append(sentence)
    return _md(" ".join(found)) if found else None


def numpy_name(name: str, spelled: str) -> str:
    """The NumPy (or SciPy, for ``hpa.spatial`` and ``hpa.signal``) function ``spelled`` stands
    for."""
    if spelled.startswith("hpa.spatial."):
        return f"`scipy.spatial.distance.{name}`" if name in ("cdist", "pdist") else "—"
    if spelled.startswith("hpa.signal."):
        return "`scipy.signal.fftconvolve`" if name == "fftconvolve" else f"`numpy.{name}`"
    if spelled.startswith("hpa.sparse."):
        return _scipy_sparse_name(name)
    first = spelled.rsplit(".", 1)[0].replace("hpa", "numpy")
    spaces = [(first, numpy if first == "numpy" else getattr(numpy, first[6:]))]
    spaces += [("numpy", numpy), ("numpy.random", numpy.random), ("numpy.linalg", numpy.linalg)]
    for label, space in spaces:
        if hasattr(space, name):
            return f"`{label}.{name}`"
    return "—"


def _scipy_sparse_name(name: str) -> str:
    """The ``scipy.sparse`` function an ``hpa.sparse`` function stands for."""
    import scipy.io
    import scipy.sparse
    import scipy.sparse.csgraph

    for label, space in (
        ("scipy.sparse", scipy.sparse),
        ("scipy.sparse.csgraph", scipy.sparse.csgraph),
        ("scipy.io", scipy.io),
    ):
        if hasattr(space, name):
            return f"`{label}.{name}`"
    return "—"


def ops_modules() -> list[types.ModuleType]:
    """The modules of ``hpa.ops``, ``hpa.linalg``, ``hpa.fft``, ``hpa.signal``, ``hpa.random``,
    ``hpa.sparse``, ``hpa.spatial`` and ``hpa.io`` whose ``__all__`` the page lists."""
    found = []
    packages = (hpa.ops, hpa.linalg, hpa.fft, hpa.signal, hpa.random, hpa.sparse, hpa.spatial, hpa.io)
    for package in packages:
        names = sorted(m.name for m in pkgutil.iter_modules(package.__path__) if not m.ispkg)
        found += [
            importlib.import_module(f"{package.__name__}.{n}")
            for n in names
            if not n.startswith("_")
        ]
    return found


def exported(obj: object, name: str) -> str | None:
    """How the user spells ``obj``: ``hpa.name`` or ``hpa.random.name`` (None: not exported)."""
    for space in ("", "random.", "linalg.", "fft.", "signal.", "sparse.", "spatial."):
        module = hpa if not space else getattr(hpa, space[:-1])
        if getattr(module, name, None) is obj:
            return f"hpa.{space}{name}"
    return None


def module_section(mod: types.ModuleType) -> list[str]:
    short = mod.__name__.rsplit(".", 1)[1]
    doc = inspect.cleandoc(mod.__doc__ or "")
    summary = _md(re.split(r"\n\s*\n", doc)[0]) if doc else ""
    rows = []
    for name in sorted(getattr(mod, "__all__", [])):
        obj = getattr(mod, name, None)
        home = sys.modules.get(getattr(obj, "__module__", ""))
        if not isinstance(obj, types.FunctionType) or (
            home is not mod and name in getattr(home, "__all__", ())
        ):
            continue  # not a function, or a re-export listed under the module defining it
        spelled = exported(obj, name)
        if spelled is None:
            continue
        comm = communication(obj.__doc__) or f"see the [module table](#mod-{short})"
        rows.append(f"| `{spelled}` | {numpy_name(name, spelled)} | {comm} |")
    if not rows:
        return []
    return [
        f'<a id="mod-{short}"></a>',
        "",
        f"## `{mod.__name__}`",
        "",
        summary,
        "",
        "| hpa | NumPy | communication |",
        "|---|---|---|",
        *rows,
        "",
        f"<details><summary>module docstring of <code>{mod.__name__}</code></summary>",
        "",
        "```text",
        doc,
        "```",
        "",
        "</details>",
        "",
    ]


def array_section() -> list[str]:
    methods, attributes = [], []
    for name in sorted(n for n in dir(hpa.Array) if not n.startswith("_")):
        static = inspect.getattr_static(hpa.Array, name)
        if isinstance(static, (staticmethod, classmethod)):
            static = static.__func__
        if not isinstance(static, types.FunctionType):
            attributes.append(f"`{name}`")
            continue
        comm = communication(static.__doc__)
        if comm is None and isinstance(getattr(hpa, name, None), types.FunctionType):
            comm = f"as `hpa.{name}`"
        np_name = f"`numpy.ndarray.{name}`" if hasattr(numpy.ndarray, name) else "—"
        methods.append(f"| `Array.{name}` | {np_name} | {comm or '—'} |")
    return [
        "## `hpa.Array` methods",
        "",
        "| method | NumPy | communication |",
        "|---|---|---|",
        *methods,
        "",
        "Attributes and properties (no communication): " + ", ".join(attributes) + ".",
        "",
    ]


def render() -> str:
    lines = [
        "# API: every function, its NumPy equivalent and what it communicates",
        "",
        "<!-- Generated by tools/gen_api_docs.py from the code; do not edit by hand. -->",
        "",
        (
            "Run `python tools/gen_api_docs.py` after adding or documenting a function; "
            "`tests/test_api_docs.py` fails while this page is stale. The communication column "
            "quotes the function's docstring; where it is silent, the module's table (in the "
            "collapsible block below each section) says it. See also [operations.md](operations.md)."
        ),
        "",
    ]
    for mod in ops_modules():
        lines += module_section(mod)
    lines += array_section()
    return "\n".join(lines).rstrip("\n") + "\n"


def write_or_check(out: Path, text: str, command: str, check: bool) -> int:
    """Write ``text`` to the generated page ``out``, or with ``check`` only compare them: the
    exit status, 1 when the page is stale (saying to run ``command``)."""
    if not check:
        out.write_text(text, encoding="utf-8")
        return 0
    if out.exists() and out.read_text(encoding="utf-8") == text:
        return 0
    print(f"{out} is stale: run `{command}`", file=sys.stderr)
    return 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/api.md is stale")
    args = parser.parse_args(argv)
    return write_or_check(OUT, render(), "python tools/gen_api_docs.py", args.check)


if __name__ == "__main__":
    sys.exit(main())
