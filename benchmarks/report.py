"""Markdown tables, PNG plots and the docs/benchmarks.md index, all from the suites' JSON."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable

import numpy as np

from .runner import OUT_DIR

DOCS = OUT_DIR.parent / "benchmarks.md"


def fmt(v: float | None, digits: int = 6) -> str:
    if v is None:
        return "—"
    if float(v).is_integer() and abs(v) < 1e15:
        return f"{int(v):,}"
    return f"{v:.{digits}g}"


def by_cell(records: Iterable[dict], key: str = "solver") -> dict[tuple[str, str], list[dict]]:
    cells: dict[tuple[str, str], list[dict]] = defaultdict(list)
    for r in records:
        cells[(r["instance"], r[key])].append(r)
    return cells


def best_and_mean(recs: list[dict], sense: str) -> tuple[float | None, float | None, str]:
    """Best and mean feasible objective over seeds, and a note when some seed had no feasible answer."""
    vals = [r["objective"] for r in recs if r.get("status") == "ok"]
    bad = [r for r in recs if r.get("status") != "ok"]
    note = ""
    if bad:
        kinds = sorted({r.get("status", "?") for r in bad})
        note = f"{len(bad)}/{len(recs)} {'/'.join(kinds)}"
    if not vals:
        return None, None, note
    best = max(vals) if sense == "max" else min(vals)
    return best, float(np.mean(vals)), note


def value_table(doc: dict, columns: list[str], extra: dict[str, dict[str, Any]] | None = None,
                key: str = "solver") -> str:
    """Rows = instances, columns = solvers (best over seeds; mean when seeds > 1), best per row in bold,
    then reference columns from ``extra`` ({column: {instance: value}})."""
    cells = by_cell(doc["records"], key)
    instances = list(dict.fromkeys(r["instance"] for r in doc["records"]))
    cols = [c for c in columns if any((i, c) in cells for i in instances)]
    extra = extra or {}
    seeds = doc["settings"].get("seeds", 1)
    head = "| instance | " + " | ".join(cols + list(extra)) + " |"
    lines = [head, "|" + "---|" * (len(cols) + len(extra) + 1)]
    for inst in instances:
        sense = doc.get("instances", {}).get(inst, {}).get("sense", "min")
        stats = {c: best_and_mean(cells.get((inst, c), []), sense) for c in cols}
        vals = [s[0] for s in stats.values() if s[0] is not None]
        top = (max(vals) if sense == "max" else min(vals)) if vals else None
        row = []
        for c in cols:
            recs = cells.get((inst, c), [])
            if not recs:
                row.append("")
                continue
            best, mean, note = stats[c]
            if best is None:
                reason = recs[0].get("reason", recs[0].get("status", ""))
                row.append(f"{recs[0]['status']}" + (f" ({reason[:60]})" if recs[0]["status"] == "skipped" else ""))
                continue
            text = fmt(best)
            if top is not None and best == top:
                text = f"**{text}**"
            if seeds > 1:
                text += f" (mean {fmt(mean, 5)})"
            if note:
                text += f" [{note}]"
            if any(r.get("overrun") for r in recs):
                text += f" †{max(r.get('wall_s', 0) for r in recs):.1f}s"
            row.append(text)
        row += [fmt(extra[e].get(inst)) for e in extra]
        lines.append(f"| {inst} ({sense}) | " + " | ".join(row) + " |")
    return "\n".join(lines)


def header(doc: dict) -> str:
    m, v, s = doc["machine"], doc["versions"], doc["settings"]
    ver = ", ".join(f"{k} {val}" for k, val in v.items() if val)
    lines = [
        f"# Benchmark suite `{doc['suite']}`", "",
        f"Generated {doc['created']} (last record {doc.get('finished', '?')}) by:", "",
        f"```\n{doc['command']}\n```", "",
        f"- machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, {m['os']}, Python {m['python']}; "
        f"load average at start {m['loadavg_at_start']}; threads per solver: {m.get('threads_per_solver') or 'default'}",
        f"- versions: {ver}",
        "- settings: " + ", ".join(f"{k}={val}" for k, val in s.items()),
        "- every value is the ORIGINAL objective re-scored by one shared scorer "
        "(`bipnn_backends.core.evaluate.evaluate_problem`), never a solver's own report; "
        "only feasible answers count; † marks a run whose wall time exceeded the limit by more than 5% + 0.25 s "
        "(the largest wall time follows).",
    ]
    if doc.get("notes"):
        lines += ["", "Notes:", ""] + [f"- {n}" for n in doc["notes"]]
    return "\n".join(lines)


def solver_notes(doc: dict) -> str:
    """How each solver ran (formulation, reduction, sweeps), from the first record that says."""
    seen: dict[str, dict[str, None]] = {}
    for r in doc["records"]:
        info = r.get("info") or {}
        desc = [f"{k}: {info[k]}" for k in ("via", "formulation", "sampler", "reduction", "method", "options") if k in info]
        if desc:
            seen.setdefault(r["solver"], {})["; ".join(str(d) for d in desc)] = None
    return "\n".join(f"- `{k}`: " + " | ".join(v) for k, v in seen.items())


def reference_table(doc: dict, measured: dict[str, dict[str, float]], solvers: list[str]) -> str:
    """Per baseline: our measured value (best over seeds) / the README's measured value, same solver."""
    cells = by_cell(doc["records"])
    instances = [i for i in dict.fromkeys(r["instance"] for r in doc["records"]) if i in measured]
    cols = [s for s in solvers if any((i, s) in cells for i in instances)]
    lines = ["| instance | " + " | ".join(f"{s}: here / README" for s in cols) + " |", "|" + "---|" * (len(cols) + 1)]
    for inst in instances:
        sense = doc.get("instances", {}).get(inst, {}).get("sense", "max")
        row = []
        for s in cols:
            best = best_and_mean(cells.get((inst, s), []), sense)[0]
            row.append(f"{fmt(best)} / {fmt(measured[inst].get(s))}")
        lines.append(f"| {inst} | " + " | ".join(row) + " |")
    return "\n".join(lines)


def save_fig(fig: Any, name: str) -> str:
    path = OUT_DIR / name
    fig.savefig(path, dpi=110, bbox_inches="tight")
    import matplotlib.pyplot as plt
    plt.close(fig)
    return name


def history_plot(doc: dict, instance: str, solvers: list[str], name: str) -> str | None:
    """Best objective over time for our engine's runs (from SolveResult.stats['history'])."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6, 3.5))
    drawn = False
    for r in doc["records"]:
        hist = (r.get("info") or {}).get("history")
        if r["instance"] == instance and r["solver"] in solvers and hist:
            t, v = [h[0] for h in hist], [h[1] for h in hist]
            ax.step(t, v, where="post", label=f"{r['solver']} seed {r['seed']}")
            drawn = True
    if not drawn:
        plt.close(fig)
        return None
    ax.set_xlabel("seconds")
    ax.set_ylabel("best objective")
    ax.set_title(instance)
    ax.legend(fontsize=7)
    return save_fig(fig, name)


def load_doc(suite: str) -> dict:
    return json.loads((OUT_DIR / f"{suite}.json").read_text())


#: Suites whose newest numbers live in another document (measured there after the suite's last full
#: run): each section of docs/benchmarks.md links it, so a regeneration keeps the pointer.
NEWER_NUMBERS = {
    "scale": "[parallel.md](parallel.md#throughput-at-scale-one-chain-per-thread) (throughput at 100k and 1M "
             "variables after the annealing and training rework, threads, openjij at equal wall time)",
}


def write_index(suites: dict[str, Any]) -> Path:
    """docs/benchmarks.md: what each suite in ``suites`` (name -> :class:`~.suites.Suite`) measures,
    where its table and plots are, how to reproduce it."""
    lines = [
        "# Benchmarks", "",
        "Produced by the `benchmarks/` package; every table below is regenerated by the command shown "
        "with it (`python -m benchmarks run SUITE ...`, from the repository root, with the project's venv). "
        "`python -m benchmarks report SUITE` rebuilds a suite's Markdown and plots from its JSON. "
        "Real data is read from `$BIPNN_DATA`, `/work/shared/data` or `../shared/data` "
        "(see its README for the reference values quoted in the tables); suites that need it skip "
        "with a message when it is absent.", "",
        "Rules: every solver gets the same wall-clock limit, including its own model building, and one "
        "thread (`OMP_NUM_THREADS=1` etc. are set before anything is imported; `--threads` changes it). "
        "Every answer is re-scored on the ORIGINAL problem by one shared scorer; infeasible answers do not "
        "count. Results are recorded, not asserted: nothing here runs in CI.", "",
        "Full runs (suite defaults; run them on a quiet machine, one suite at a time):", "",
        "| command | what | about |", "|---|---|---|",
        "| `python -m benchmarks run maxcut` | 11 datasets x 7 solvers x 30 s | 40 min |",
        "| `python -m benchmarks run pubo` | degree 4, 6 x n = 1k, 2k, 3k, 5k x 7 solvers x 30 s | 30 min |",
        "| `python -m benchmarks run constrained` | the same with constraints | 30 min |",
        "| `python -m benchmarks run ablation` | cora, primary, pubo 2k, 5k x 6 variants x 2 seeds x 30 s | 25 min |",
        "| `python -m benchmarks run scale` | n = 10k, 100k, 1M, 60 s solve each, fresh process per size | 10 min |",
        "| `python -m benchmarks run reformulate` | 100k variables, 400k monomials, without/with constraints | 1 min |",
        "| `python -m benchmarks run structured` | 16 constrained instances x 5 solvers x 10-20 s (references cached) | 20 min |",
        "| `python -m benchmarks run all` | every suite above in turn, each with its own command recorded | 2.7 h |",
        "",
        "`--quick` runs a small version of each suite (a few minutes) to validate the harness; `--seeds K`, "
        "`--time-limit S`, `--solvers a,b`, `--only name,...` and `--sizes n,...` narrow or widen a run. "
        "Each run replaces that suite's files.", "",
    ]
    findings = OUT_DIR / "findings.md"
    if findings.is_file():  # hand-written: what the numbers say and which defaults they chose
        lines += [findings.read_text().strip(), ""]
    for name, suite in suites.items():
        path = OUT_DIR / f"{name}.json"
        lines += [f"## `{name}`", "", suite.description, ""]
        if name in NEWER_NUMBERS:
            lines += [f"Newer numbers: {NEWER_NUMBERS[name]}.", ""]
        if not path.is_file():
            lines += [f"Not run yet. Reproduce with `python -m benchmarks run {name}`.", ""]
            continue
        doc = json.loads(path.read_text())
        m, v = doc["machine"], doc["versions"]
        pngs = sorted(p.name for p in OUT_DIR.glob(f"{name}_*.png"))
        lines += [
            f"- results: [bench/{name}.md](bench/{name}.md), raw [bench/{name}.json](bench/{name}.json)"
            + "".join(f", [{p}](bench/{p})" for p in pngs),
            f"- command: `{doc['command']}`",
            f"- run {doc['created']}; machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB "
            f"(load {m['loadavg_at_start']} at start); "
            + ", ".join(f"{k} {val}" for k, val in v.items() if val),
            "- settings: " + ", ".join(f"{k}={val}" for k, val in doc["settings"].items()),
            "",
        ]
    DOCS.write_text("\n".join(lines))
    return DOCS


def gap_cell(recs: list[dict]) -> str:
    """A table cell of the gap suites (structured, mixed): best objective over seeds, its gap to the
    reference, the earliest first-feasible time, the runs not feasible, † and the longest wall time of
    the runs past their limit."""
    ok = [r for r in recs if r.get("status") == "ok"]
    over = [r.get("wall_s", 0) for r in recs if r.get("overrun")]
    mark = f" †{max(over):.1f}s" if over else ""
    if not ok:
        r = recs[0]
        return r["status"] + (f" ({r.get('reason', '')[:70]})" if r["status"] in ("skipped", "error") else "") + mark
    best = min(ok, key=lambda r: r["gap_percent"] if r.get("gap_percent") is not None else 0.0)
    text = fmt(best["objective"])
    if best.get("gap_percent") is not None:
        text += f" ({best['gap_percent']:+.2f}%)"
    ff = [r["first_feasible_s"] for r in ok if r.get("first_feasible_s") is not None]
    if ff:
        text += f", ff {min(ff):.2f}s"
    if len(ok) < len(recs):
        bad = sorted({r["status"] for r in recs if r["status"] != "ok"})
        text += f" [{len(recs) - len(ok)}/{len(recs)} {'/'.join(bad)}]"
    return text + mark
