"""The `mixed` suite (issue 14): mixed-integer models with continuous variables, BIPNN against SCIP and
HiGHS at equal wall time, one thread each; gap to a cached long-run reference, time to first feasible."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable

from . import mixed as gen
from .instances import Instance

SOLVERS = ("bipnn", "scip", "highs")
QUICK_LIMIT, FULL_LIMIT = 10.0, 30.0
REF_PATH = Path(__file__).resolve().with_name("mixed_refs.json")  # written by ``python -m benchmarks.mixed_refs``


def load_refs(path: Path = REF_PATH) -> dict[str, dict[str, Any]]:
    """The cached reference of every instance computed so far, by instance name."""
    return json.loads(path.read_text()) if path.is_file() else {}


@dataclass(frozen=True)
class Entry:
    label: str
    make: Callable[[], Instance]
    size: str  # "small": SCIP proves it in seconds; "medium": no proof within the limit


def _e(label: str, size: str, fn: Callable[..., Instance], *args: Any, **kw: Any) -> Entry:
    return Entry(label, partial(fn, *args, **kw), size)


ENTRIES = [
    _e("cfl-small", "small", gen.facility_location, 15, 40),
    _e("cfl-medium", "medium", gen.facility_location, 60, 150),
    _e("lotsize-small", "small", gen.lot_sizing, 6, 15),
    _e("lotsize-medium", "medium", gen.lot_sizing, 40, 30, slack=1.0),
    _e("uc-small", "small", gen.unit_commitment, 10, 24),
    _e("uc-medium", "medium", gen.unit_commitment, 40, 48),
    _e("fcnf-small", "small", gen.fixed_charge_flow, 20, 80),
    _e("fcnf-medium", "medium", gen.fixed_charge_flow, 80, 600),
]


def entries(only: list[str] | None = None) -> list[Entry]:
    """The suite's instances (both profiles run all of them; ``--quick`` shortens the limit)."""
    if not only:
        return list(ENTRIES)
    pool = {e.label: e for e in ENTRIES}
    missing = [o for o in only if o not in pool]
    if missing:
        raise SystemExit(f"unknown mixed instance(s) {missing}; known: {', '.join(pool)}")
    return [pool[o] for o in only]


def run_one(inst: Instance, name: str, runner: Callable, limit: float, seed: int) -> dict[str, Any]:
    """One (instance, solver, seed): warm-up (untimed), run, re-score the answer with our verifier."""
    from .runner import timed_run
    rec: dict[str, Any] = {"instance": inst.name, "solver": name, "seed": seed, "time_limit": limit}
    v = timed_run(rec, runner, lambda: runner(inst, limit, seed), limit)
    if v is None:
        return rec
    s = gen.score(inst, v)
    rec.update(status="ok" if s.feasible else "infeasible", objective=s.objective, max_violation=s.max_violation)
    trace = rec["info"].get("trace") or []
    rec["first_feasible_s"] = trace[0][0] if trace else None
    return rec


def run_mixed(res: Any, cfg: Any) -> None:
    """Every solver on every instance, seeds 0..K-1, at the same wall-clock limit."""
    from .references import gap_percent
    from .runner import jsonable
    from .mixed_solvers import SOLVERS as ALL
    names = cfg.solvers or list(SOLVERS)
    unknown = [n for n in names if n not in ALL]
    if unknown:
        raise SystemExit(f"unknown solver(s) {unknown}; known: {', '.join(ALL)}")
    limit = cfg.time_limit or (QUICK_LIMIT if cfg.quick else FULL_LIMIT)
    seeds = cfg.seeds or 1
    res.doc["settings"].update(profile="quick" if cfg.quick else "full", seeds=seeds, time_limit=limit)
    refs = load_refs()
    for e in entries(cfg.only):
        inst = e.make()
        ref = refs.get(inst.name)
        inst.meta.update(label=e.label, size=e.size, sense=inst.problem.sense, time_limit=limit, reference=ref)
        res.doc.setdefault("instances", {})[inst.name] = jsonable(inst.meta)
        cfg.log(f"{inst.name}: {inst.meta['binaries']} binaries, {inst.meta['continuous']} continuous, "
                f"{inst.meta['rows']} rows, reference {None if ref is None else ref.get('value')}")
        for seed in range(seeds):
            for name in names:
                rec = run_one(inst, name, ALL[name], limit, seed)
                rec["gap_percent"] = gap_percent(rec.get("objective") if rec.get("status") == "ok" else None,
                                                 None if ref is None else ref.get("value"), inst.problem.sense)
                res.add(rec)
                val = rec.get("objective")
                cfg.log(f"  {name:<6} seed {seed} {rec['status']:<11} {'' if val is None else f'{val:.10g}'} "
                        f"gap {rec['gap_percent']} ff {rec.get('first_feasible_s')} wall {rec.get('wall_s')} "
                        f"{rec.get('reason', '')[:160]}")


# -- report -------------------------------------------------------------------

def _ref_text(ref: dict | None) -> str:
    from . import report as rp
    if not ref or ref.get("value") is None:
        return "— (run `python -m benchmarks.mixed_refs`)"
    how = "proven" if ref.get("proven") else f"bound {rp.fmt(round(ref['dual_bound'], 2))}"
    return f"{rp.fmt(ref['value'])} ({ref.get('by')}, {how})"


def refresh_gaps(doc: dict) -> None:
    """References computed after the run (the cache) replace missing ones; gaps re-derived."""
    from .references import gap_percent
    refs = load_refs()
    meta = doc.get("instances", {})
    for name, m in meta.items():
        if name in refs:
            m["reference"] = refs[name]
    for r in doc["records"]:
        m = meta.get(r["instance"], {})
        value = (m.get("reference") or {}).get("value")
        r["gap_percent"] = gap_percent(r.get("objective") if r.get("status") == "ok" else None, value,
                                       m.get("sense", "min"))


BEFORE_COLUMN = "bipnn (before)"


def _before(doc: dict) -> dict | None:
    """``docs/bench/mixed_before_PROFILE.json``: a saved run of the mixed search before the suite's
    improvements (same profile and limit), shown as a column."""
    import json

    from .runner import OUT_DIR
    settings = doc.get("settings", {})
    path = OUT_DIR / f"mixed_before_{settings.get('profile')}.json"
    if not path.is_file():
        return None
    old = json.loads(path.read_text())
    refresh_gaps(old)
    same = old.get("settings", {}).get("time_limit") == settings.get("time_limit")
    return old if same and old.get("created") != doc.get("created") else None


def report_mixed(doc: dict) -> str:
    import numpy as np

    from . import report as rp
    from .runner import OUT_DIR
    refresh_gaps(doc)
    cells = rp.by_cell(doc["records"])
    solvers = list(dict.fromkeys(r["solver"] for r in doc["records"]))
    meta = doc.get("instances", {})
    before = _before(doc)
    if before:
        cells.update({(i, BEFORE_COLUMN): recs for (i, s), recs in rp.by_cell(before["records"]).items()
                      if s == "bipnn"})
        solvers.append(BEFORE_COLUMN)
    lines = ["| instance | size | binaries | continuous | rows | reference | " + " | ".join(solvers) + " |",
             "|" + "---|" * (6 + len(solvers))]
    for inst, m in meta.items():
        row = [rp.gap_cell(cells[(inst, s)]) if (inst, s) in cells else "" for s in solvers]
        lines.append(f"| {inst} | {m.get('size')} | {rp.fmt(m.get('binaries'))} | {rp.fmt(m.get('continuous'))} "
                     f"| {rp.fmt(m.get('rows'))} | {_ref_text(m.get('reference'))} | " + " | ".join(row) + " |")
    summary = ["| solver | runs | feasible | median gap % | worst gap % | at the reference (gap <= 0.01 %) "
               "| median first feasible s |", "|---|---|---|---|---|---|---|"]
    for s in solvers:
        recs = [r for r in (before["records"] if s == BEFORE_COLUMN else doc["records"])
                if r["solver"] == ("bipnn" if s == BEFORE_COLUMN else s)]
        ok = [r for r in recs if r.get("status") == "ok"]
        gaps = [r["gap_percent"] for r in ok if r.get("gap_percent") is not None]
        ff = [r["first_feasible_s"] for r in ok if r.get("first_feasible_s") is not None]
        at = sum(1 for g in gaps if g <= 0.01)
        summary.append(f"| {s} | {len(recs)} | {len(ok)} | {'—' if not gaps else f'{np.median(gaps):.2f}'} "
                       f"| {'—' if not gaps else f'{max(gaps):.2f}'} | {at} | "
                       f"{'—' if not ff else f'{np.median(ff):.2f}'} |")
    parts = [rp.header(doc),
             "## Objective, gap to the reference, time to first feasible point (best over seeds)",
             "All instances are minimised. Cells: objective (gap to the reference, worse is positive), `ff`: "
             "seconds from the runner's start (model building included) to the first feasible point (SCIP: "
             "its event handler, HiGHS: `cbMipImprovingSolution`, ours: the `callback` option). Every answer is "
             "re-scored by our verifier (`evaluate_problem` with the continuous values, absolute tolerance "
             f"{gen.SCORE_TOL:g}); `infeasible` would mean it fails there.",
             "\n".join(lines), "## Per solver", "\n".join(summary),
             "References (`benchmarks/mixed_refs.json`, `python -m benchmarks.mixed_refs`): the better of SCIP and "
             "HiGHS run once with a long limit, one thread; `proven` when either proved optimality (HiGHS: "
             "relative gap 1e-4), else the best dual bound of the two is shown.",
             *([f"`{BEFORE_COLUMN}`: our solver before this suite's improvements (projection engine first, no "
                f"LP dive, unpruned descent), from `mixed_before_{doc['settings'].get('profile')}.json` "
                f"({before['created']}, same limit)."] if before else []),
             "## How each solver ran",
             "- bipnn: `bipnn_backends.solve(problem, time_limit=L, seed=s, threads=1, callback=...)` on the "
             "BinaryProblem with continuous columns (`bipnn_backends/mixed.py`); the engine was imported and its "
             "kernels compiled once before the timed runs.\n"
             "- scip: PySCIPOpt, `parallel/maxnthreads=1`, `lp/threads=1`, the same rows and bounds.\n"
             "- highs: highspy MIP, `threads=1`, the same rows and bounds."]
    findings = OUT_DIR / "mixed_findings.md"
    if findings.is_file():
        parts.append(findings.read_text().strip())
    return "\n\n".join(parts)
