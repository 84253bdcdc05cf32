"""Generate ``docs/numpy-coverage.md``: every name of NumPy's reference, its hpa name, status and
communication.

Usage: ``python tools/gen_numpy_coverage.py`` writes the page; ``--check`` only compares it with
what the code gives now and exits 1 when it is stale; ``--refresh-reference`` rewrites
``tools/numpy_reference.txt`` from the installed NumPy (done once, from NumPy 2.4) and then the
page. The list of NumPy's names is read from that file, so the page does not depend on the NumPy
version installed; whether hpa has a name is decided by introspecting hpa now, so the page stays
true as functions are added. Only files are read and written (no communicator is used).
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
import inspect
import re
import sys
import types
import typing
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from gen_api_docs import communication, module_section, ops_modules, write_or_check

import hpa

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "numpy-coverage.md"
REFERENCE = ROOT / "tools" / "numpy_reference.txt"
COMMAND = "python tools/gen_numpy_coverage.py"
KINDS = ("ufunc", "function", "class", "dtype", "constant", "method", "attribute")
# left out of the reference: deprecated aliases (NumPy warns when they are used) and testing
DEPRECATED = {"numpy.row_stack", "numpy.random.random_integers"}
TESTING = {"numpy.test"}
RNG = "hpa.random.default_rng()"
MISSING = object()  # what ``lookup`` returns for a name hpa does not have

# NumPy's reference sections ("Routines and objects by topic") for the names of ``numpy``
# itself; a name listed nowhere goes to "Other". The submodules map by NAMESPACES below.
SECTIONS: dict[str, str] = {
    "Constants": "e euler_gamma inf nan newaxis pi False_ True_ little_endian",
    "Array creation": """
        empty empty_like eye identity ones ones_like zeros zeros_like full full_like array
        asarray asanyarray ascontiguousarray asmatrix astype copy frombuffer from_dlpack
        fromfile fromfunction fromiter fromstring arange linspace logspace geomspace meshgrid
        mgrid ogrid diag diagflat tri tril triu vander bmat""",
    "Array manipulation": """
        copyto ndim shape size reshape ravel moveaxis rollaxis swapaxes transpose permute_dims
        matrix_transpose atleast_1d atleast_2d atleast_3d broadcast broadcast_to
        broadcast_arrays broadcast_shapes expand_dims squeeze asfortranarray asarray_chkfinite
        require concatenate concat stack block vstack hstack dstack column_stack split
        array_split dsplit hsplit vsplit unstack tile repeat delete insert append resize
        trim_zeros pad flip fliplr flipud roll rot90""",
    "Bit-wise operations": """
        bitwise_and bitwise_or bitwise_xor invert bitwise_invert bitwise_not left_shift
        bitwise_left_shift right_shift bitwise_right_shift bitwise_count packbits unpackbits
        binary_repr""",
    "Strings": "str_ bytes_ character",
    "Datetime": """
        datetime_as_string datetime_data busdaycalendar is_busday busday_offset busday_count
        datetime64 timedelta64""",
    "Data type routines": """
        can_cast promote_types min_scalar_type result_type common_type dtype finfo iinfo
        isdtype issubdtype typename mintypecode sctypeDict typecodes ScalarType""",
    "Floating point error handling": "seterr geterr seterrcall geterrcall errstate",
    "Functional programming": "apply_along_axis apply_over_axes vectorize frompyfunc piecewise",
    "Input and output": """
        load save savez savez_compressed loadtxt savetxt genfromtxt fromregex array2string
        array_repr array_str format_float_positional format_float_scientific memmap
        set_printoptions get_printoptions printoptions base_repr""",
    "Indexing": """
        c_ r_ s_ index_exp indices ix_ ravel_multi_index unravel_index diag_indices
        diag_indices_from mask_indices tril_indices tril_indices_from triu_indices
        triu_indices_from take take_along_axis choose compress diagonal select place put
        put_along_axis putmask fill_diagonal nditer ndenumerate ndindex nested_iters flatiter""",
    "Linear algebra": """
        dot vdot vecdot matvec vecmat inner outer matmul tensordot einsum einsum_path kron
        trace""",
    "Logic": """
        all any isfinite isinf isnan isnat isneginf isposinf iscomplex iscomplexobj isfortran
        isreal isrealobj isscalar logical_and logical_or logical_not logical_xor allclose
        isclose array_equal array_equiv greater greater_equal less less_equal equal
        not_equal""",
    "Mathematical functions": """
        sin cos tan arcsin arccos arctan asin acos atan hypot arctan2 atan2 degrees radians
        unwrap deg2rad rad2deg sinh cosh tanh arcsinh arccosh arctanh asinh acosh atanh round
        around rint fix floor ceil trunc prod sum nanprod nansum cumprod cumsum nancumprod
        nancumsum cumulative_sum cumulative_prod diff ediff1d gradient cross trapezoid exp
        expm1 exp2 log log10 log2 log1p logaddexp logaddexp2 i0 sinc signbit copysign frexp
        ldexp nextafter spacing lcm gcd add reciprocal positive negative multiply divide power
        pow subtract true_divide floor_divide float_power fmod mod modf remainder divmod angle
        real imag conj conjugate maximum max amax fmax nanmax minimum min amin fmin nanmin
        convolve clip sqrt cbrt square absolute fabs abs sign heaviside nan_to_num
        real_if_close interp""",
    "Miscellaneous": """
        may_share_memory shares_memory getbufsize setbufsize get_include show_config
        show_runtime info iterable""",
    "Polynomials": """
        poly polyadd polyder polydiv polyfit polyint polymul polysub polyval roots poly1d""",
    "Set routines": """
        unique unique_all unique_counts unique_inverse unique_values isin intersect1d setdiff1d
        setxor1d union1d""",
    "Sorting, searching and counting": """
        sort lexsort argsort sort_complex partition argpartition argmax nanargmax argmin
        nanargmin argwhere nonzero flatnonzero where searchsorted extract count_nonzero""",
    "Statistics": """
        ptp percentile nanpercentile quantile nanquantile median average mean std var
        nanmedian nanmean nanstd nanvar corrcoef correlate cov histogram histogram2d
        histogramdd bincount histogram_bin_edges digitize""",
    "Window functions": "bartlett blackman hamming hanning kaiser",
    "Array objects": "ndarray ufunc matrix recarray",
}
NAMESPACES = {
    "numpy.linalg": "Linear algebra",
    "numpy.fft": "Discrete Fourier transform",
    "numpy.random": "Random sampling",
    "numpy.random.Generator": "Random sampling",
    "numpy.strings": "Strings",
    "numpy.ndarray": "ndarray methods and attributes",
}
ORDER = [*SECTIONS, *dict.fromkeys(NAMESPACES.values()), "dtypes", "Other"]

# the hpa spelling of a NumPy name where hpa's differs (the same name is looked up first)
ALIASES = {
    "numpy.asanyarray": "hpa.asarray",
    "numpy.convolve": "hpa.signal.convolve",
    "numpy.correlate": "hpa.signal.correlate",
    "numpy.degrees": "hpa.rad2deg",
    "numpy.dtype": "hpa.DType",
    "numpy.fabs": "hpa.abs",
    "numpy.ndarray": "hpa.Array",
    "numpy.ndarray.conjugate": "hpa.Array.conj",
    "numpy.radians": "hpa.deg2rad",
    "numpy.random.ranf": "hpa.random.random_sample",
    "numpy.random.sample": "hpa.random.random_sample",
}

STRINGS = "strings: hpa arrays hold numbers only"
DATETIME = "datetime: no datetime dtype"
OBJECTS = "Python-object/structured dtypes"
LAYOUT = "memory-layout internals"
NOT_APPLICABLE = {
    **dict.fromkeys(("str_", "bytes_", "character"), STRINGS),
    **dict.fromkeys(
        """datetime_as_string datetime_data busdaycalendar is_busday busday_offset busday_count
        datetime64 timedelta64 isnat""".split(),
        DATETIME,
    ),
    **dict.fromkeys(
        "object_ void flexible record recarray frompyfunc ndarray.getfield ndarray.setfield"
        .split(),
        OBJECTS,
    ),
    **dict.fromkeys(
        """ascontiguousarray asfortranarray isfortran require may_share_memory shares_memory
        little_endian getbufsize setbufsize nditer nested_iters flatiter frombuffer
        ndarray.strides ndarray.flags ndarray.ctypes ndarray.data ndarray.base ndarray.setflags
        ndarray.byteswap ndarray.view ndarray.flat""".split(),
        LAYOUT,
    ),
    **dict.fromkeys("matrix asmatrix bmat".split(), "matrix class: hpa has 2-D arrays"),
    **dict.fromkeys(
        """random.BitGenerator random.MT19937 random.PCG64 random.PCG64DXSM random.Philox
        random.SFC64 random.SeedSequence random.Generator.bit_generator""".split(),
        "bit generators: hpa draws from its counter-based generator",
    ),
    **dict.fromkeys(
        "seterr geterr seterrcall geterrcall errstate".split(),
        "floating-point error state: torch keeps none",
    ),
    **dict.fromkeys(
        "float128 complex256 longdouble clongdouble".split(),
        "extended precision: torch has no long double",
    ),
    **dict.fromkeys(
        "sctypeDict typecodes ScalarType mintypecode typename".split(),
        "NumPy's typecode and scalar-type tables",
    ),
    **dict.fromkeys("show_config show_runtime get_include".split(), "NumPy's build details"),
    "ufunc": "ufunc machinery: hpa functions are plain functions",
}


@dataclass(frozen=True)
class Row:
    """One line of the page: a NumPy name and what hpa has for it."""

    name: str
    section: str
    hpa: str | None
    status: str
    communication: str


def read_reference(path: Path = REFERENCE) -> tuple[str, list[tuple[str, str]]]:
    """The NumPy version line and the ``(name, kind)`` pairs stored in the reference file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    version = lines[0].removeprefix("# ").strip()
    entries = []
    for number, line in enumerate(lines, 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split()
        if len(fields) != 2 or fields[1] not in KINDS or not fields[0].startswith("numpy."):
            raise ValueError(f"{path.name}:{number}: expected 'numpy.NAME KIND', got {line!r}")
        entries.append((fields[0], fields[1]))
    return version, entries


def _kind(obj: object, member: bool) -> str:
    """The kind of a NumPy object, as the reference file stores it."""
    import numpy

    if member:
        return "method" if callable(obj) else "attribute"
    if isinstance(obj, numpy.ufunc):
        return "ufunc"
    if isinstance(obj, type):
        return "dtype" if issubclass(obj, numpy.generic) else "class"
    return "function" if callable(obj) else "constant"


def installed_reference() -> list[tuple[str, str]]:
    """The ``(name, kind)`` pairs of the installed NumPy's public names, sorted."""
    import numpy

    found = []
    spaces = [(numpy, numpy.__all__), (numpy.linalg, numpy.linalg.__all__)]
    spaces += [(numpy.fft, numpy.fft.__all__), (numpy.random, numpy.random.__all__)]
    spaces += [(numpy.strings, numpy.strings.__all__)]
    for space, names in spaces:
        for name in names:
            obj = getattr(space, name)
            if not name.startswith("_") and not isinstance(obj, types.ModuleType):
                found.append((f"{space.__name__}.{name}", _kind(obj, member=False)))
    for cls in (numpy.ndarray, numpy.random.Generator):
        label = "numpy.ndarray" if cls is numpy.ndarray else "numpy.random.Generator"
        for name in dir(cls):
            if not name.startswith("_"):
                found.append((f"{label}.{name}", _kind(getattr(cls, name), member=True)))
    return sorted(e for e in found if e[0] not in DEPRECATED | TESTING)


def write_reference() -> None:
    """Rewrite the reference file from the installed NumPy."""
    import numpy

    header = [
        f"# NumPy {numpy.__version__}",
        f"# written by `{COMMAND} --refresh-reference`; one 'name kind' a line. Left out:",
        "# submodules, private names, deprecated aliases and testing helpers.",
    ]
    body = [f"{name} {kind}" for name, kind in installed_reference()]
    REFERENCE.write_text("\n".join(header + body) + "\n", encoding="utf-8")


@cache
def _section_of_name() -> dict[str, str]:
    """The section of each name of ``numpy`` listed in SECTIONS."""
    return {name: title for title, names in SECTIONS.items() for name in names.split()}


def section(name: str, kind: str) -> str:
    """The page section of the NumPy name ``name``."""
    space, short = name.rsplit(".", 1)
    if space in NAMESPACES:
        return NAMESPACES[space]
    if kind == "dtype" and short not in _section_of_name():
        return "dtypes"
    return _section_of_name().get(short, "Other")


def same_name(name: str) -> str:
    """The hpa spelling of NumPy's ``name`` in the matching hpa namespace."""
    if name.startswith("numpy.random.Generator."):
        return f"{RNG}.{name.rsplit('.', 1)[1]}"
    return name.replace("numpy.ndarray.", "hpa.Array.", 1).replace("numpy.", "hpa.", 1)


@cache
def rng_class() -> type | None:
    """The class of what ``hpa.random.default_rng()`` returns (None: hpa has no such class)."""
    cls = getattr(hpa.random, "Generator", None)
    if isinstance(cls, type):
        return cls
    make = getattr(hpa.random, "default_rng", None)
    hint = typing.get_type_hints(make).get("return") if callable(make) else None
    return hint if isinstance(hint, type) else None


def lookup(spelling: str) -> object:
    """The hpa object ``spelling`` names (``MISSING`` when hpa has none; modules do not count)."""
    if spelling.startswith(RNG + "."):
        obj: object = rng_class() or MISSING
        parts = spelling[len(RNG) + 1 :].split(".")
    else:
        obj, parts = hpa, spelling.split(".")[1:]
    for part in parts:
        if obj is MISSING or part.startswith("_"):
            return MISSING
        obj = getattr(obj, part, MISSING)
    return MISSING if isinstance(obj, types.ModuleType) else obj


SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`(:])")


@cache
def _tabled_modules() -> frozenset[str]:
    """The modules with a section (and so a communication table) in docs/api.md."""
    return frozenset(m.__name__ for m in ops_modules() if module_section(m))


def _module_communication(module_name: str) -> str:
    """A link to the module's table in docs/api.md, else the first sentence of its docstring
    about communication."""
    if module_name in _tabled_modules():
        return f"see the [module table](api.md#mod-{module_name.rsplit('.', 1)[1]})"
    said = communication(getattr(sys.modules.get(module_name), "__doc__", None))
    return SENTENCE.split(said)[0] if said else "—"


def _member_communication(spelling: str) -> str:
    """What the method or attribute ``spelling`` of ``hpa.Array`` or the random generator
    communicates: its docstring, else the same-named function's row, else its module."""
    owner_spelling, name = spelling.rsplit(".", 1)
    if owner_spelling == "hpa.Array":
        owner, functions = hpa.Array, "hpa"
    else:
        owner, functions = rng_class(), "hpa.random"
    static = inspect.getattr_static(owner, name)
    if isinstance(static, (staticmethod, classmethod)):
        static = static.__func__
    if not isinstance(static, types.FunctionType):
        return communication(getattr(static, "__doc__", None)) or "none (an attribute)"
    said = communication(static.__doc__)
    if said:
        return said
    if isinstance(lookup(f"{functions}.{name}"), types.FunctionType):
        return f"as `{functions}.{name}`"
    return _module_communication(static.__module__)


def communication_of(spelling: str, obj: object, kind: str) -> str:
    """What the hpa object ``obj``, spelled ``spelling`` and standing for a NumPy ``kind``,
    communicates."""
    if spelling.startswith(("hpa.Array.", RNG + ".")):
        return _member_communication(spelling)
    if isinstance(obj, types.FunctionType):
        return communication(obj.__doc__) or _module_communication(obj.__module__)
    if kind == "dtype" or isinstance(obj, hpa.DType):
        return "none (a dtype)"
    if obj is None or isinstance(obj, (int, float)):
        return "none (a constant)"
    return "—"


def reason(name: str) -> str | None:
    """Why the NumPy name ``name`` does not apply to hpa (None: it does)."""
    if name.startswith("numpy.strings."):
        return STRINGS
    return NOT_APPLICABLE.get(name.removeprefix("numpy."))


def _function_form(name: str) -> str:
    """For a missing ndarray method: the hpa function of the same name, if there is one."""
    short = name.rsplit(".", 1)[1]
    if name.startswith("numpy.ndarray.") and callable(lookup(f"hpa.{short}")):
        return f"(function `hpa.{short}`)"
    return "—"


def row(name: str, kind: str) -> Row:
    """The page's line for the NumPy name ``name``."""
    where = section(name, kind)
    for spelling in (same_name(name), ALIASES.get(name)):
        obj = lookup(spelling) if spelling else MISSING
        if obj is not MISSING:
            return Row(name, where, spelling, "supported", communication_of(spelling, obj, kind))
    why = reason(name)
    if why:
        return Row(name, where, None, f"not applicable: {why}", "—")
    return Row(name, where, _function_form(name), "missing", "—")


def rows() -> list[Row]:
    """Every line of the page, in reference order."""
    return [row(name, kind) for name, kind in read_reference()[1]]


def anchor(title: str) -> str:
    """The Markdown heading anchor of ``title``."""
    return re.sub(r"[^\w\- ]", "", title.lower()).replace(" ", "-")


def _counts(found: list[Row]) -> tuple[int, int, int, int]:
    """Supported, missing, not applicable and all, among ``found``."""
    supported = sum(r.status == "supported" for r in found)
    missing = sum(r.status == "missing" for r in found)
    return supported, missing, len(found) - supported - missing, len(found)


def counts_table(by_section: dict[str, list[Row]]) -> list[str]:
    """The table of counts per section and overall."""
    lines = ["| section | supported | missing | not applicable | total |", "|---|---|---|---|---|"]
    for title, found in by_section.items():
        cells = " | ".join(str(n) for n in _counts(found))
        lines.append(f"| [{title}](#{anchor(title)}) | {cells} |")
    everything = [r for found in by_section.values() for r in found]
    cells = " | ".join(f"**{n}**" for n in _counts(everything))
    return lines + [f"| **all** | {cells} |"]


def section_table(title: str, found: list[Row]) -> list[str]:
    """One section: a heading and one table line per NumPy name."""
    lines = [f"## {title}", "", "| NumPy | hpa | status | communication |", "|---|---|---|---|"]
    for r in found:
        hpa_cell = f"`{r.hpa}`" if r.status == "supported" else (r.hpa or "—")
        lines.append(f"| `{r.name}` | {hpa_cell} | {r.status} | {r.communication} |")
    return lines + [""]


def render() -> str:
    """The whole page."""
    version = read_reference()[0]
    by_section: dict[str, list[Row]] = {title: [] for title in ORDER}
    for r in rows():
        by_section[r.section].append(r)
    by_section = {title: found for title, found in by_section.items() if found}
    lines = [
        "# NumPy coverage: every name of NumPy's reference, in hpa or not",
        "",
        "<!-- Generated by tools/gen_numpy_coverage.py from tools/numpy_reference.txt and the "
        "code; do not edit by hand. -->",
        "",
        (
            f"The names are those of {version} (stored in `tools/numpy_reference.txt`; "
            f"`{COMMAND} --refresh-reference` rewrites it from the installed NumPy): the public "
            "functions, ufuncs, classes and constants of `numpy`, `numpy.linalg`, `numpy.fft`, "
            "`numpy.random` and `numpy.strings`, the methods of `numpy.random.Generator` and the "
            "methods and attributes of `numpy.ndarray`; submodules, deprecated aliases "
            "(`row_stack`, `random.random_integers`) and testing helpers are left out. They are "
            "grouped by NumPy's reference sections (scalar types under [dtypes](#dtypes))."
        ),
        "",
        (
            "*supported*: hpa has the name, in the matching namespace (`hpa`, `hpa.linalg`, "
            "`hpa.fft`, `hpa.random`, the methods of `hpa.random.default_rng()`, `hpa.Array`) or "
            "under a known alias; decided by introspecting hpa when the page is generated. "
            "*not applicable*: hpa will not have it, for the reason given. The communication "
            "column quotes the hpa function's docstring; where it is silent, the module's table "
            "in [api.md](api.md) says it. "
            f"Run `{COMMAND}` after adding a function; `tests/test_numpy_coverage.py` fails while "
            "this page is stale. HeAT's names: [heat-coverage.md](heat-coverage.md)."
        ),
        "",
        "## Counts",
        "",
        *counts_table(by_section),
        "",
    ]
    for title, found in by_section.items():
        lines += section_table(title, found)
    return "\n".join(lines).rstrip("\n") + "\n"


def page_main(
    argv: list[str] | None, description: str, reference: str, refresh: Callable[[], None],
    page: Callable[[], str], out: Path, command: str,
) -> int:
    """The command line of a generated page with a stored reference list: write the page,
    ``--check`` that it is current, or ``--refresh-reference`` (rewrite ``reference``) first."""
    parser = argparse.ArgumentParser(description=description)
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--check", action="store_true", help="exit 1 if the page is stale")
    group.add_argument(
        "--refresh-reference",
        action="store_true",
        help=f"rewrite {reference} from the installed package, then the page",
    )
    args = parser.parse_args(argv)
    if args.refresh_reference:
        refresh()
    return write_or_check(out, page(), command, args.check)


def main(argv: list[str] | None = None) -> int:
    """Write the page (or the reference and the page), or check that the page is current."""
    return page_main(
        argv, __doc__.splitlines()[0], "tools/numpy_reference.txt", write_reference, render,
        OUT, COMMAND,
    )


if __name__ == "__main__":
    sys.exit(main())
