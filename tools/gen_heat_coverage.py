"""Generate ``docs/heat-coverage.md``: HeAT's public names and how hpa spells each.

Usage: ``python tools/gen_heat_coverage.py`` writes the page; ``--check`` only compares it with
what the code gives now and exits 1 when it is stale. The HeAT names are read from
``tools/heat_names.txt`` (CI has no HeAT); ``PYTHONPATH=benchmarks/stubs python
tools/gen_heat_coverage.py --refresh-reference`` rewrites that list from the installed HeAT (done
once, from HeAT 1.8; the stub stands in for the torchvision HeAT imports) and then the page.
Whether hpa has a name is decided by introspecting hpa now, so the page stays true as functions
are added. Only files are read and written (no communicator is used).
"""

from __future__ import annotations

import inspect
import sys
import textwrap
import types
from dataclasses import dataclass
from pathlib import Path

from gen_numpy_coverage import MISSING, anchor, lookup, page_main

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "heat-coverage.md"
NAMES = ROOT / "tools" / "heat_names.txt"
COMMAND = "python tools/gen_heat_coverage.py"
SAME, OTHER, ABSENT = "same name", "other spelling", "missing"

# HeAT's namespaces, in page order, each with the hpa namespaces to look its names up in: the
# first is the same name, the others another spelling
NAMESPACES: dict[str, tuple[str, ...]] = {
    "heat": ("hpa", "hpa.linalg", "hpa.algorithms.base"),
    "heat.linalg": ("hpa.linalg", "hpa"),
    "heat.fft": ("hpa.fft",),
    "heat.random": ("hpa.random",),
    "heat.cluster": ("hpa.cluster",),
    "heat.decomposition": ("hpa.decomposition",),
    "heat.preprocessing": ("hpa.preprocessing",),
    "heat.regression": ("hpa.regression",),
    "heat.classification": ("hpa.classification",),
    "heat.naive_bayes": ("hpa.naive_bayes", "hpa.classification"),
    "heat.spatial": ("hpa.spatial",),
    "heat.sparse": ("hpa.sparse",),
    "heat.graph": ("hpa.graph",),
    "heat.DNDarray": ("hpa.Array", "hpa"),
}

# hpa's spelling of HeAT names it spells differently (the namespaces above are looked up first)
SPELLINGS = {
    "heat.DNDarray": "hpa.Array",
    "heat.MPI_WORLD": "hpa.get_comm()",
    "heat.Communication": "hpa.Communicator",
    "heat.MPICommunication": "hpa.Communicator",
    "heat.datatype": "hpa.DType",
    "heat.Euler": "hpa.e",
    "heat.Inf": "hpa.inf",
    "heat.Infinity": "hpa.inf",
    "heat.Infty": "hpa.inf",
    "heat.NaN": "hpa.nan",
    "heat.byte": "hpa.int8",
    "heat.ubyte": "hpa.uint8",
    "heat.short": "hpa.int16",
    "heat.int": "hpa.int32",
    "heat.long": "hpa.int64",
    "heat.half": "hpa.float16",
    "heat.float": "hpa.float32",
    "heat.float_": "hpa.float32",
    "heat.double": "hpa.float64",
    "heat.cfloat": "hpa.complex64",
    "heat.csingle": "hpa.complex64",
    "heat.cdouble": "hpa.complex128",
    "heat.eq": "hpa.equal",
    "heat.ne": "hpa.not_equal",
    "heat.lt": "hpa.less",
    "heat.le": "hpa.less_equal",
    "heat.gt": "hpa.greater",
    "heat.ge": "hpa.greater_equal",
    "heat.div": "hpa.divide",
    "heat.mul": "hpa.multiply",
    "heat.sub": "hpa.subtract",
    "heat.floordiv": "hpa.floor_divide",
    "heat.neg": "hpa.negative",
    "heat.pos": "hpa.positive",
    "heat.cumproduct": "hpa.cumprod",
    "heat.degrees": "hpa.rad2deg",
    "heat.radians": "hpa.deg2rad",
    "heat.row_stack": "hpa.vstack",
    "heat.balance": "hpa.Array.balance",
    "heat.resplit": "hpa.Array.resplit",
    "heat.rsvd": "hpa.linalg.randomized_svd",
    "heat.linalg.rsvd": "hpa.linalg.randomized_svd",
    "heat.random.random_integer": "hpa.random.randint",
    "heat.random.ranf": "hpa.random.random_sample",
    "heat.random.sample": "hpa.random.random_sample",
    "heat.cluster.Spectral": "hpa.cluster.SpectralClustering",
    "heat.DNDarray.balanced": "hpa.Array.is_balanced",
}

RULES = (
    "submodules and modules HeAT re-exports (`torch`, `np`, `os`, `arithmetics`, ...); "
    "objects defined outside HeAT (typing names such as `Any`, `Union`, `TypeVar`s, "
    "`annotations`, `Enum`, mpi4py objects such as `comm`); HeAT-internal helpers (`sanitize_*`, "
    "and what a private module or `heat.core.sanitation` defines: `scalar_to_1d`, `MPILibrary`, "
    "...); and, in a submodule, names defined elsewhere in HeAT (`heat.cluster.DNDarray`) or "
    "absent from its `__all__`"
)


@dataclass(frozen=True)
class Row:
    """One line of the page: a HeAT name and how hpa spells it."""

    name: str
    namespace: str
    hpa: tuple[str, ...]
    status: str


def namespace_of(name: str) -> str:
    """The HeAT namespace (a key of NAMESPACES) that ``name`` belongs to."""
    space = name.rsplit(".", 1)[0]
    if space not in NAMESPACES:
        raise ValueError(f"{name}: not in one of the namespaces {sorted(NAMESPACES)}")
    return space


def read_names(path: Path = NAMES) -> tuple[str, list[str]]:
    """The HeAT version line and the names stored in the list."""
    lines = path.read_text(encoding="utf-8").splitlines()
    names = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for name in names:
        namespace_of(name)
    return lines[0].removeprefix("# ").strip(), names


def _origin(obj: object) -> str:
    """The module that defines ``obj`` (for an instance, its class's module)."""
    holder = obj if isinstance(obj, type) or inspect.isroutine(obj) else type(obj)
    return getattr(holder, "__module__", None) or "builtins"


def _kept(space: types.ModuleType, name: str) -> bool:
    """Whether ``space.name`` is one of HeAT's public names, by the rules in RULES."""
    obj = getattr(space, name)
    if name.startswith(("_", "sanitize_")) or isinstance(obj, types.ModuleType):
        return False
    origin = _origin(obj)
    if origin == "builtins":
        return True
    private = any(part.startswith("_") for part in origin.split("."))
    if not origin.startswith("heat.") or private or origin == "heat.core.sanitation":
        return False
    return space.__name__ == "heat" or origin.startswith(space.__name__)


def installed_names() -> list[str]:
    """The public names of the installed HeAT, sorted."""
    import heat

    found = []
    for label in NAMESPACES:
        space = heat if label == "heat" else getattr(heat, label.split(".", 1)[1])
        if isinstance(space, type):  # the DNDarray class: its methods and properties
            found += [f"{label}.{n}" for n in dir(space) if not n.startswith("_")]
            continue
        names = getattr(space, "__all__", None) or dir(space)
        found += [f"{label}.{n}" for n in names if _kept(space, n)]
    return sorted(set(found))


def write_names() -> None:
    """Rewrite the stored list from the installed HeAT."""
    import heat

    header = [
        f"# HeAT {heat.__version__}",
        f"# written by `PYTHONPATH=benchmarks/stubs {COMMAND} --refresh-reference`",
        *textwrap.wrap(f"one name a line. Left out: {RULES}.", 96, initial_indent="# ",
                       subsequent_indent="# "),
    ]
    NAMES.write_text("\n".join(header + installed_names()) + "\n", encoding="utf-8")


def resolves(spelling: str) -> bool:
    """Whether hpa has ``spelling`` (a trailing ``()`` names a function to call)."""
    return lookup(spelling.removesuffix("()")) is not MISSING


def row(name: str) -> Row:
    """The page's line for the HeAT name ``name``."""
    space = namespace_of(name)
    short = name.rsplit(".", 1)[1]
    candidates = [f"{hpa_space}.{short}" for hpa_space in NAMESPACES[space]]
    found = next((c for c in candidates if resolves(c)), None)
    spelled = [found] if found else []
    if name in SPELLINGS and resolves(SPELLINGS[name]) and SPELLINGS[name] != found:
        spelled.append(SPELLINGS[name])
    status = SAME if found == candidates[0] else OTHER if spelled else ABSENT
    return Row(name, space, tuple(spelled), status)


def rows() -> list[Row]:
    """Every line of the page, in the stored list's order."""
    return [row(name) for name in read_names()[1]]


def _counts(found: list[Row]) -> str:
    """The count cells: same name, other spelling, missing, all."""
    numbers = [sum(r.status == s for r in found) for s in (SAME, OTHER, ABSENT)] + [len(found)]
    return " | ".join(str(n) for n in numbers)


def counts_table(by_space: dict[str, list[Row]]) -> list[str]:
    """The table of counts per namespace and overall."""
    lines = ["| namespace | same name | other spelling | missing | total |"]
    lines.append("|---|---|---|---|---|")
    lines += [f"| [`{s}`](#{anchor(s)}) | {_counts(found)} |" for s, found in by_space.items()]
    everything = [r for found in by_space.values() for r in found]
    return lines + [f"| **all** | {_counts(everything)} |"]


def namespace_table(space: str, found: list[Row]) -> list[str]:
    """One namespace: a heading and one table line per HeAT name."""
    lines = [f"## `{space}`", "", "| HeAT | hpa | status |", "|---|---|---|"]
    for r in found:
        spelled = ", ".join(f"`{s}`" for s in r.hpa) or "—"
        lines.append(f"| `{r.name}` | {spelled} | {r.status} |")
    return lines + [""]


def render() -> str:
    """The whole page."""
    version = read_names()[0]
    by_space: dict[str, list[Row]] = {space: [] for space in NAMESPACES}
    for r in rows():
        by_space[r.namespace].append(r)
    lines = [
        "# HeAT coverage: HeAT's public names and their hpa spelling",
        "",
        "<!-- Generated by tools/gen_heat_coverage.py from tools/heat_names.txt and the code; "
        "do not edit by hand. -->",
        "",
        (
            f"The names are those of {version} (stored in `tools/heat_names.txt`; "
            f"`PYTHONPATH=benchmarks/stubs {COMMAND} --refresh-reference` rewrites it from the "
            "installed HeAT): the public names of "
            + ", ".join(f"`{s}`" for s in NAMESPACES if s != "heat.DNDarray")
            + f", and the methods and properties of `heat.DNDarray`. Left out: {RULES}."
        ),
        "",
        (
            "*same name*: hpa has the name in the matching namespace (`heat.X` as `hpa.X`, "
            "`heat.linalg.X` as `hpa.linalg.X`, `DNDarray.X` as `hpa.Array.X`, ...). *other "
            "spelling*: hpa has it under another name or namespace: HeAT's linalg names at the "
            "top level as `hpa.linalg.X`, a `DNDarray` method as the function `hpa.X`, or a "
            "spelling from the generator's hand-kept list (`heat.MPI_WORLD` as `hpa.get_comm()`). "
            "Only names are compared: check the arguments in the function's docstring. Decided by "
            f"introspecting hpa when the page is generated: run `{COMMAND}` after adding a "
            "function; `tests/test_heat_coverage.py` fails while this page is stale. What each "
            "function communicates: [api.md](api.md); NumPy's names: "
            "[numpy-coverage.md](numpy-coverage.md)."
        ),
        "",
        "## Counts",
        "",
        *counts_table(by_space),
        "",
    ]
    for space, found in by_space.items():
        lines += namespace_table(space, found)
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the page (or the list and the page), or check that the page is current."""
    return page_main(
        argv, __doc__.splitlines()[0], "tools/heat_names.txt", write_names, render, OUT, COMMAND
    )


if __name__ == "__main__":
    sys.exit(main())
