"""Tables and plots of the suite's results (``results.json`` as written by ``run.py``).

Times are the medians of the timed rounds; a ratio is hpa's median over a peer's at the same
process count, so below 1 means hpa is faster. The targets of issue 7:

- HeAT at the same process count: every case at most 0.5 (hpa at least 2x faster), geometric
  mean at most 1/3;
- Dask (both schedulers) on the ``paper`` group (the HeAT paper's four workloads): at most 0.1;
- torch at one process: at most 1.15 (array operations) or 1.25 (cases of group or tag
  ``algorithm``, against a hand-written torch loop); cases tagged ``small`` have no torch target.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from suite.frameworks import FRAMEWORKS, PEERS

SCALING = ("hpa", "heat", "dask-threads", "dask-distributed")
GEOMEAN_TARGETS = {"heat": 1 / 3}


def target(case: dict[str, Any], peer: str, p: int) -> float | None:
    """The largest hpa / ``peer`` ratio the targets allow for ``case`` at ``p`` processes."""
    if peer == "heat":
        return 0.5
    if peer.startswith("dask") and case["group"] == "paper":
        return 0.1
    if peer == "torch" and p == 1 and "small" not in case["tags"]:
        algorithm = case["group"] == "algorithm" or "algorithm" in case["tags"]
        return 1.25 if algorithm else 1.15
    return None


def median(case: dict[str, Any], p: int, fw: str) -> float | None:
    """The median seconds of ``fw`` in ``case`` at ``p`` processes (None if not timed)."""
    r = case["procs"].get(str(p), {}).get("frameworks", {}).get(fw, {})
    return r.get("median_s") if r.get("status") in ("ok", "unchecked") else None


def ratios(doc: dict[str, Any], p: int) -> dict[str, dict[str, float]]:
    """Per case, per peer, hpa's median over the peer's at ``p`` processes."""
    out: dict[str, dict[str, float]] = {}
    for name, case in doc["cases"].items():
        h = median(case, p, "hpa")
        for peer in PEERS:
            m = median(case, p, peer)
            if h is not None and m:
                out.setdefault(name, {})[peer] = h / m
    return out


def geomean(values: list[float]) -> float | None:
    """The geometric mean (None for no values)."""
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None


def fmt_seconds(s: float) -> str:
    """Seconds with a unit and three significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if s >= scale:
            return f"{s / scale:.3g} {unit}"
    return f"{s / 1e-6:.2g} us"


def cell(r: dict[str, Any] | None) -> str:
    """One table cell: median and spread, or what happened instead."""
    if not r:
        return ""
    status = r.get("status")
    if status in ("ok", "unchecked") and r.get("median_s") is not None:
        spread = (r["max_s"] - r["min_s"]) / r["median_s"] if r["median_s"] else 0.0
        text = f"{fmt_seconds(r['median_s'])} ±{spread / 2:.0%}"
        return text + (" (unchecked)" if status == "unchecked" else "")
    if status == "skipped":
        return "–"
    if status == "disagrees":
        err = r.get("max_error")
        return "disagrees" + (f" ({err:.1e})" if err is not None else "")
    return status or ""


def used(doc: dict[str, Any], p: int) -> list[str]:
    """The frameworks that have any entry other than skipped at ``p`` processes."""
    seen = set()
    for case in doc["cases"].values():
        for fw, r in case["procs"].get(str(p), {}).get("frameworks", {}).items():
            if r.get("status") != "skipped":
                seen.add(fw)
    return [fw for fw in FRAMEWORKS if fw in seen]


def table(header: list[str], rows: list[list[str]]) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def times_section(doc: dict[str, Any], p: int) -> str:
    """The times table at ``p`` processes, with the notes on what did not run."""
    fws = used(doc, p)
    rows, notes = [], []
    for name, case in doc["cases"].items():
        res = case["procs"].get(str(p))
        if res is None:
            continue
        if "failure" in res:
            notes.append(f"- {name}: {res['failure']}")
        frs = res.get("frameworks", {})
        rows.append([name] + [cell(frs.get(fw)) for fw in fws])
        for fw, r in frs.items():
            absent = str(r.get("message", "")).startswith("the case has no")
            if r.get("status") in ("error", "disagrees") or (
                r.get("status") == "skipped" and fw in fws and not absent
            ):
                notes.append(f"- {name}, {fw}: {r['status']}: {r.get('message', '')}")
    text = f"### {p} process{'es' if p > 1 else ''}\n\n"
    text += "Median seconds per run, ± half the range (max - min) over the rounds.\n\n"
    text += table(["case", *fws], rows) if fws else "(nothing ran)"
    if notes:
        text += "\n\n<details><summary>skipped and failed</summary>\n\n" + "\n".join(notes)
        text += "\n\n</details>"
    return text


def ratio_rows(doc: dict[str, Any], p: int) -> tuple[list[str], list[list[str]], list[str]]:
    """Header, rows and the target verdicts of the ratio table at ``p`` processes."""
    r = ratios(doc, p)
    peers = [peer for peer in PEERS if any(peer in v for v in r.values())]
    rows, verdicts = [], []
    missed: dict[str, list[str]] = {}
    for name, per_peer in r.items():
        row = [name]
        for peer in peers:
            value = per_peer.get(peer)
            if value is None:
                row.append("")
                continue
            limit = target(doc["cases"][name], peer, p)
            mark = ""
            if limit is not None:
                mark = " met" if value <= limit else " MISSED"
                if value > limit:
                    missed.setdefault(peer, []).append(name)
            row.append(f"{value:.2f}{mark}")
        rows.append(row)
    geo = ["geomean"]
    for peer in peers:
        g = geomean([v[peer] for v in r.values() if peer in v])
        limit = GEOMEAN_TARGETS.get(peer)
        mark = "" if limit is None or g is None else (" met" if g <= limit else " MISSED")
        geo.append("" if g is None else f"{g:.2f}{mark}")
        if limit is not None and g is not None:
            verdicts.append(
                f"hpa / {peer} geomean {g:.2f} (target <= {limit:.2f}): "
                + ("met" if g <= limit else "MISSED")
            )
    rows.append(geo)
    for peer in peers:
        counted = [n for n, v in r.items() if peer in v and target(doc["cases"][n], peer, p)]
        if counted:
            bad = missed.get(peer, [])
            verdicts.append(
                f"hpa / {peer}: {len(counted) - len(bad)} of {len(counted)} case targets met"
                + (f"; missed: {', '.join(bad)}" if bad else "")
            )
    return ["case", *(f"hpa / {peer}" for peer in peers)], rows, verdicts


def ratio_section(doc: dict[str, Any], p: int) -> str:
    """The ratio table at ``p`` processes in markdown, with the verdicts on the targets."""
    header, rows, verdicts = ratio_rows(doc, p)
    text = f"### hpa / peer at {p} process{'es' if p > 1 else ''} (< 1: hpa faster)\n\n"
    if len(rows) <= 1:
        return text + "(no case timed hpa and a peer)"
    text += table(header, rows)
    if verdicts:
        text += "\n\n" + "\n".join(f"- {v}" for v in verdicts)
    return text


def header(doc: dict[str, Any]) -> str:
    """Where, when and with what the results were measured."""
    m, v = doc["machine"], doc["versions"]
    installed = ", ".join(f"{k} {val}" for k, val in v.items() if val)
    absent = [k for k, val in v.items() if not val]
    lines = [
        f"- date: {doc['date']}; {doc['seconds']:.0f} s in all",
        (
            f"- machine: {m.get('hostname')}, {m.get('cpu')}, {m.get('cores')} cores, "
            f"{m.get('memory_gib')} GiB"
        ),
        (
            f"- OMP_NUM_THREADS={doc['omp_num_threads']} ({doc['omp_num_threads_from']}); "
            f"{doc['repeats']} timed round(s){' (quick sizes)' if doc['quick'] else ''}"
        ),
        f"- versions: {installed}" + (f"; not installed: {', '.join(absent)}" if absent else ""),
        f"- command: `{doc['command']}`",
    ]
    return "\n".join(lines)


def markdown(doc: dict[str, Any]) -> str:
    """The whole results page."""
    parts = ["# Benchmark results", header(doc), "## Times"]
    parts += [times_section(doc, p) for p in doc["procs"]]
    parts += ["## Ratios hpa / peer", RATIO_NOTE]
    parts += [ratio_section(doc, p) for p in doc["procs"]]
    parts += ["## Memory", MEMORY_NOTE]
    parts += [memory_section(doc, p) for p in doc["procs"]]
    parts += ["## Cases", cases_table(doc)]
    return "\n\n".join(parts) + "\n"


RATIO_NOTE = (
    "Below 1 means hpa is faster. Targets: HeAT at the same process count <= 0.5 per case "
    "and geometric mean <= 0.33; Dask <= 0.1 on the `paper` cases; torch at 1 process "
    "<= 1.15 (array operations) or <= 1.25 (algorithms)."
)


MEMORY_NOTE = (
    "MiB per process, the largest over the ranks (or over Dask's workers): what the framework "
    "added (its data, built in setup, plus its largest temporary growth during a run), and in "
    "parentheses the process's peak resident size while the framework was active (which includes "
    "the interpreter and the other frameworks' data of the case)."
)


def memory_section(doc: dict[str, Any], p: int) -> str:
    """Memory per case and framework at ``p`` processes."""
    fws = used(doc, p)
    rows = []
    for name, case in doc["cases"].items():
        frs = case["procs"].get(str(p), {}).get("frameworks", {})
        row = [name]
        for fw in fws:
            r = frs.get(fw, {})
            added, peak = r.get("rss_added_mib"), r.get("rss_peak_mib")
            row.append(f"{max(added):.0f} ({max(peak):.0f})" if added and peak else "")
        rows.append(row)
    title = f"### {p} process{'es' if p > 1 else ''}\n\n"
    return title + (table(["case", *fws], rows) if fws else "(nothing ran)")


def cases_table(doc: dict[str, Any]) -> str:
    """What each case does and its sizes."""
    rows = []
    for name, case in doc["cases"].items():
        params = ", ".join(f"{k}={v}" for k, v in (case.get("params") or {}).items())
        rows.append([name, case["group"], case["description"], params])
    return table(["case", "group", "description", "parameters"], rows)


def ratio_text(doc: dict[str, Any]) -> str:
    """The ratio tables as plain text, for the terminal."""
    blocks = []
    for p in doc["procs"]:
        head, rows, verdicts = ratio_rows(doc, p)
        title = f"hpa / peer at {p} process(es) (< 1: hpa faster)"
        if doc["quick"]:
            title += "; quick sizes: the targets are for the full sizes"
        if len(rows) <= 1:
            blocks.append(f"{title}: no case timed hpa and a peer")
            continue
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = [title]
        for row in [head, *rows]:
            lines.append(
                "  ".join(
                    c.ljust(w) if i == 0 else c.rjust(w)
                    for i, (c, w) in enumerate(zip(row, widths))
                )
            )
        lines += [f"  {v}" for v in verdicts]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def plots(doc: dict[str, Any], out: Path) -> list[Path]:
    """``times.png`` and ``scaling.png`` in ``out`` (none without matplotlib)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("matplotlib is not installed: no plots")
        return []
    written = [times_plot(doc, out / "times.png", plt)]
    if len(doc["procs"]) > 1:
        written.append(scaling_plot(doc, out / "scaling.png", plt))
    return [w for w in written if w is not None]


def times_plot(doc: dict[str, Any], path: Path, plt: Any) -> Path | None:
    """Median time per case and framework, log scale, one panel per process count."""
    names = list(doc["cases"])
    fws = [fw for fw in FRAMEWORKS if any(fw in used(doc, p) for p in doc["procs"])]
    if not names or not fws:
        return None
    ps = doc["procs"]
    height = max(3.0, 0.25 * len(names) * len(fws) ** 0.5 + 1.5)
    fig, axes = plt.subplots(1, len(ps), figsize=(6 * len(ps), height), sharey=True, squeeze=False)
    bar = 0.8 / len(fws)
    colours = plt.get_cmap("tab10")
    for ax, p in zip(axes[0], ps):
        for j, fw in enumerate(fws):
            ys, xs = [], []
            for i, name in enumerate(names):
                m = median(doc["cases"][name], p, fw)
                if m:
                    ys.append(i + (j - (len(fws) - 1) / 2) * bar)
                    xs.append(m)
            ax.barh(ys, xs, height=bar, label=fw, color=colours(FRAMEWORKS.index(fw)))
        ax.set_xscale("log")
        ax.set_title(f"{p} process{'es' if p > 1 else ''}")
        ax.set_xlabel("median seconds per run (log)")
        ax.set_yticks(range(len(names)), names)
        ax.invert_yaxis()
        ax.grid(axis="x", which="both", alpha=0.3)
    axes[0][-1].legend(loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def scaling_plot(doc: dict[str, Any], path: Path, plt: Any) -> Path | None:
    """Median time against the process count, per case, for hpa, HeAT and Dask."""
    from matplotlib import ticker

    names = [
        n for n in doc["cases"] if any(median(doc["cases"][n], p, "hpa") for p in doc["procs"])
    ]
    if not names:
        return None
    cols = min(4, len(names))
    rows = math.ceil(len(names) / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    colours = plt.get_cmap("tab10")
    for k, name in enumerate(names):
        ax = axes[k // cols][k % cols]
        for fw in SCALING:
            pts = [(p, median(doc["cases"][name], p, fw)) for p in doc["procs"]]
            pts = [(p, m) for p, m in pts if m]
            if pts:
                ax.plot(*zip(*pts), marker="o", label=fw, color=colours(FRAMEWORKS.index(fw)))
        ax.set_yscale("log")
        ax.yaxis.set_major_formatter(ticker.FormatStrFormatter("%.3g"))
        ax.yaxis.set_minor_locator(ticker.LogLocator(subs=(1.5, 2, 3, 5, 7)))
        ax.yaxis.set_minor_formatter(ticker.FormatStrFormatter("%.3g"))
        ax.set_xticks(doc["procs"])
        ax.set_title(name, fontsize="small")
        ax.tick_params(labelsize="x-small")
    for k in range(len(names), rows * cols):
        axes[k // cols][k % cols].axis("off")
    handles, labels = {}, []
    for ax in axes.flat:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    labels = list(handles)
    fig.legend([handles[x] for x in labels], labels, loc="upper center", ncol=len(labels))
    fig.supxlabel("processes")
    fig.supylabel("median seconds (log)")
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / (2.6 * rows)))
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
