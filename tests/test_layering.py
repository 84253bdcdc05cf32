"""Guards of the layering (DESIGN.md, "Layers"; docs/architecture.md).

The operations (``hpa/ops``, ``hpa/linalg``, ``hpa/fft``, ``hpa/signal``, ``hpa/sparse``, ``hpa/spatial``, ``hpa/random``, ``hpa/io``) and
the estimators (``hpa/algorithms``) communicate only through the exchange layer
(``hpa.core.exchange``) and the redistribution planner, reach other operations through their
public names, and never the array's private registry. The estimators use only the public API.

The checks read the source files with :mod:`ast` (no import, no communication), so every rank
computes the same answer. Each failure lists the offending ``file:line`` entries.
"""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "hpa"
# the layers above the exchange layer
LAYERED = ("ops", "linalg", "fft", "signal", "sparse", "spatial", "random", "algorithms", "io")

# methods of hpa.comm.Communicator that move data or synchronise. ``split`` is left out: it is
# also ``torch.Tensor.split`` and ``str.split``.
COMM_METHODS = frozenset(
    {
        "allreduce",
        "allgather",
        "allgatherv",
        "alltoall",
        "alltoallv",
        "bcast",
        "send",
        "recv",
        "isend",
        "irecv",
        "reduce_scatter",
        "exscan",
        "barrier",
        "bcast_object",
        "allgather_object",
    }
)


def _files(*parts: str) -> list[Path]:
    return sorted(f for p in parts for f in (PACKAGE / p).rglob("*.py"))


def _layered_files() -> list[Path]:
    return _files(*LAYERED)


def _other_files() -> list[Path]:
    """The files of ``hpa`` outside the layered packages (core, comm, backends, top level)."""
    layered = set(_layered_files())
    return [f for f in sorted(PACKAGE.rglob("*.py")) if f not in layered]


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(dotted: str) -> bool:
    """Whether ``dotted`` names a module or package of this repository."""
    base = ROOT.joinpath(*dotted.split("."))
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def _absolute(node: ast.ImportFrom, path: Path) -> str:
    """The absolute module name of a ``from ... import`` statement in ``path``."""
    if not node.level:
        return node.module or ""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    package = package[: len(package) - (node.level - 1)]
    return ".".join([*package, *([node.module] if node.module else [])])


def _dotted(node: ast.expr) -> list[str] | None:
    """``a.b.c`` as ``["a", "b", "c"]``, or None for anything but names and attributes."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def _parse(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _where(path: Path, node: ast.AST, what: str) -> str:
    return f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}: {what}"


def _module_bindings(tree: ast.Module, path: Path) -> dict[str, str]:
    """Names bound to hpa modules by the imports of a file (anywhere in it)."""
    bound: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name.split(".")[0] == "hpa":
                    if a.asname:
                        bound[a.asname] = a.name
                    else:
                        bound[a.name.split(".")[0]] = a.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, path)
            if module.split(".")[0] != "hpa":
                continue
            for a in node.names:
                if _is_module(f"{module}.{a.name}"):
                    bound[a.asname or a.name] = f"{module}.{a.name}"
    return bound


# ---------------------------------------------------------------------------- the rules
def comm_calls(path: Path, tree: ast.Module) -> Iterator[str]:
    """(a) ``<anything>.allreduce(...)`` and the other communicator methods."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in COMM_METHODS
        ):
            yield _where(path, node, f".{node.func.attr}(...)")


def ops_registry(path: Path, tree: ast.Module) -> Iterator[str]:
    """(b) ``OPS[...]`` or any use of ``OPS``, and importing it from ``hpa.core.dispatch``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and _absolute(node, path) == "hpa.core.dispatch":
            for a in node.names:
                if a.name == "OPS":
                    yield _where(path, node, "from hpa.core.dispatch import OPS")
        elif isinstance(node, ast.Subscript):
            dotted = _dotted(node.value)
            if dotted is not None and dotted[-1] == "OPS":
                yield _where(path, node, f"{'.'.join(dotted)}[...]")
        elif isinstance(node, ast.Attribute) and node.attr == "OPS":
            yield _where(path, node, f"{ast.unparse(node)}")


def private_names(path: Path, tree: ast.Module) -> Iterator[str]:
    """(c), (d) ``from m import _x`` and ``mod._x`` with ``mod`` an imported hpa module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module != "__future__":
            for a in node.names:
                if _is_private(a.name):
                    module = "." * node.level + (node.module or "")
                    yield _where(path, node, f"from {module} import {a.name}")
    bound = _module_bindings(tree, path)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_private(node.attr):
            dotted = _dotted(node.value)
            if dotted is None or dotted[0] not in bound:
                continue
            target = ".".join([bound[dotted[0]], *dotted[1:]])
            if _is_module(target):
                yield _where(path, node, f"{'.'.join(dotted)}.{node.attr}")


def algorithm_internals(path: Path, tree: ast.Module) -> Iterator[str]:
    """The estimators import neither ``hpa.comm`` nor ``hpa.core.exchange``."""
    forbidden = ("hpa.comm", "hpa.core.exchange")

    def hit(module: str) -> bool:
        return any(module == f or module.startswith(f + ".") for f in forbidden)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if hit(a.name):
                    yield _where(path, node, f"import {a.name}")
        elif isinstance(node, ast.ImportFrom):
            module = _absolute(node, path)
            for a in node.names:
                if hit(module) or hit(f"{module}.{a.name}"):
                    yield _where(path, node, f"from {module} import {a.name}")
        elif isinstance(node, ast.Attribute):
            dotted = _dotted(node)
            if dotted is not None and hit(".".join(dotted)) and not hit(".".join(dotted[:-1])):
                yield _where(path, node, ".".join(dotted))


Rule = Callable[[Path, ast.Module], Iterator[str]]
RULES: dict[str, tuple[Rule, Callable[[], list[Path]]]] = {
    "communicator calls outside hpa.core.exchange": (comm_calls, _layered_files),
    "OPS registry outside the core": (ops_registry, _layered_files),
    "private names across modules (operations, estimators)": (private_names, _layered_files),
    "private names across modules (core, comm, backends, top level)": (
        private_names,
        _other_files,
    ),
    "hpa.comm or hpa.core.exchange in the estimators": (
        algorithm_internals,
        lambda: _files("algorithms"),
    ),
}


def _line_order(hit: str) -> tuple[str, int]:
    path, line, _ = hit.split(":", 2)
    return path, int(line)


def offenders(rule: str) -> list[str]:
    check, files = RULES[rule]
    return sorted({hit for path in files() for hit in check(path, _parse(path))}, key=_line_order)


@pytest.mark.parametrize("rule", list(RULES))
def test_layering(rule: str) -> None:
    found = offenders(rule)
    print(f"{rule}: {len(found)} offender(s)")
    if found:
        pytest.fail(f"{rule}: {len(found)} offender(s)\n" + "\n".join(found), pytrace=False)


# ---------------------------------------------------------------------------- the detectors
SAMPLE = """
import hpa.ops.reductions as red
from hpa.core import dtypes
from hpa.core.dispatch import OPS
from hpa.ops.statistics import _array, mean
from hpa.comm import get_comm
import hpa

def f(x, comm):
    comm.allreduce(x)
    x.comm.bcast(x, 0)
    x.split(2)
    "a,b".split(",")
    OPS["sum"](x)
    dtypes._BY_TORCH
    red._allreduce_extreme
    hpa.core.dtypes._BY_TORCH
    x._t
    dtypes.float64._torch
"""


def test_detectors_find_every_kind() -> None:
    path = PACKAGE / "algorithms" / "sample.py"  # only named, never written
    tree = ast.parse(SAMPLE)

    def run(rule: Rule) -> list[str]:
        return [hit.split(": ", 1)[1] for hit in rule(path, tree)]

    assert sorted(run(comm_calls)) == [".allreduce(...)", ".bcast(...)"]
    assert sorted(run(ops_registry)) == ["OPS[...]", "from hpa.core.dispatch import OPS"]
    assert sorted(run(private_names)) == [
        "dtypes._BY_TORCH",
        "from hpa.ops.statistics import _array",
        "hpa.core.dtypes._BY_TORCH",
        "red._allreduce_extreme",
    ]
    assert run(algorithm_internals) == ["from hpa.comm import get_comm"]


def test_rules_see_the_packages() -> None:
    """The file lists are not empty (a moved package would make every rule pass silently)."""
    for part in LAYERED:
        assert _files(part), part
    assert PACKAGE / "core" / "array.py" in _other_files()


# ---------------------------------------------------------------------------- Array's stub
def test_array_stub_declares_exactly_the_generated_methods() -> None:
    """``hpa/core/array_methods.pyi`` declares every method generated onto ``Array``, no more.

    The generated methods are the functions in ``Array``'s namespace that were not defined in
    its class body (their ``__qualname__`` does not start with ``Array.``).
    """
    from hpa.core.array import Array

    generated = {
        name
        for name, value in vars(Array).items()
        if inspect.isfunction(value) and not value.__qualname__.startswith("Array.")
    }
    stub = ast.parse((PACKAGE / "core" / "array_methods.pyi").read_text(encoding="utf-8"))
    (cls,) = [n for n in stub.body if isinstance(n, ast.ClassDef) and n.name == "ArrayMethods"]
    declared = {n.name for n in cls.body if isinstance(n, ast.FunctionDef)}
    assert declared == generated, (
        f"declared but not generated: {sorted(declared - generated)}; "
        f"generated but not declared: {sorted(generated - declared)}"
    )
