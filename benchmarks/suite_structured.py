"""The `structured` suite: which instances, at which limits, with which solvers; and its report."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any, Callable

from . import structured as gen
from .instances import Instance

SOLVERS = ("bipnn", "scip", "highs", "cpsat", "openjij_sa")
TARGET_PERCENT = 1.0  # the time-to-target curves count a run once it is within this gap of the reference


@dataclass(frozen=True)
class Entry:
    """One instance of the suite: its generator and its time limit (seconds per solver)."""

    label: str
    make: Callable[[], Instance]
    time_limit: float


def _e(label: str, fn: Callable[..., Instance], limit: float, *args: Any, **kw: Any) -> Entry:
    return Entry(label, partial(fn, *args, **kw), limit)


FULL = [
    _e("assign-60", gen.assignment, 10, 60), _e("assign-150", gen.assignment, 20, 150),
    _e("assign-300", gen.assignment, 20, 300),
    _e("binpack-10", gen.bin_packing, 10, 10), _e("binpack-30", gen.bin_packing, 20, 30),
    _e("binpack-60", gen.bin_packing, 20, 60),
    _e("gap-8x40", gen.generalized_assignment, 10, 8, 40), _e("gap-10x60", gen.generalized_assignment, 10, 10, 60),
    _e("setcover-200x1000", gen.set_cover, 10, 200, 1000), _e("setcover-300x3000", gen.set_cover, 20, 300, 3000),
    _e("setpart-100x600", gen.set_partitioning, 10, 100, 600),
    _e("setpart-200x2000", gen.set_partitioning, 20, 200, 2000),
    _e("mkp-100x5", gen.multi_knapsack, 10, 100, 5), _e("mkp-250x10", gen.multi_knapsack, 20, 250, 10),
    _e("qap-12", gen.quadratic_assignment, 10, 12), _e("qap-20", gen.quadratic_assignment, 20, 20),
]
QUICK = [
    _e("assign-60", gen.assignment, 5, 60), _e("assign-150", gen.assignment, 5, 150),
    _e("binpack-10", gen.bin_packing, 5, 10), _e("binpack-30", gen.bin_packing, 5, 30),
    _e("gap-8x40", gen.generalized_assignment, 5, 8, 40), _e("setcover-100x500", gen.set_cover, 5, 100, 500, 0.04),
    _e("setpart-60x300", gen.set_partitioning, 5, 60, 300), _e("mkp-50x5", gen.multi_knapsack, 5, 50, 5),
    _e("qap-12", gen.quadratic_assignment, 5, 12),
]


def entries(quick: bool, only: list[str] | None = None) -> list[Entry]:
    """The profile's instances, narrowed to labels in ``only`` (either profile's labels are accepted;
    a label in both takes this profile's time limit)."""
    mine, other = (QUICK, FULL) if quick else (FULL, QUICK)
    if only:
        pool = {e.label: e for e in other + mine}
        missing = [o for o in only if o not in pool]
        if missing:
            raise SystemExit(f"unknown structured instance(s) {missing}; known: {', '.join(pool)}")
        return [pool[o] for o in only]
    return list(mine)


def reference_makers() -> list[Callable[[], Instance]]:
    """Every instance of both profiles once (for ``python -m benchmarks references``)."""
    seen: dict[str, Entry] = {}
    for e in QUICK + FULL:
        seen.setdefault(e.label, e)
    return [e.make for e in seen.values()]


# -- running ------------------------------------------------------------------

PUBO_SOLVERS = ("openjij_sa", "dwave_sa", "dwave_tabu", "greedy")  # need the penalised PUBO


def run_bipnn(inst: Instance, pubo: Any, time_limit: float, seed: int) -> tuple[Any, dict]:
    """Our solver through its host where the instance comes from one (PuLP's in-process ``BIPNN``),
    else ``bipnn_backends.solve`` on the BinaryProblem; one thread, ``exhaustive_limit=0``."""
    import time

    from .baselines import SOLVERS as ALL, bipnn_answer, engine_available
    from .errors import Skip
    lp = inst.extra.get("pulp_model")
    if lp is None:
        return ALL["bipnn"](inst, pubo, time_limit, seed)
    why = engine_available()
    if why:
        raise Skip(f"engine not available ({why})")
    from bipnn_backends.pulp import BIPNN
    solver = BIPNN(msg=False, timeLimit=time_limit, seed=seed, exhaustive_limit=0)
    t = time.perf_counter()
    lp.solve(solver)
    wall = time.perf_counter() - t
    res = solver.result
    # the history runs on solve()'s clock; translation (and write-back) came before it
    offset = max(0.0, wall - float(res.stats.get("time_total", wall)))
    return bipnn_answer(res, {"via": "PuLP (bipnn_backends.pulp.BIPNN, in process)",
                              "clock_offset_s": round(offset, 3)})


def _warm_bipnn() -> None:
    from .baselines import SOLVERS as ALL
    getattr(ALL["bipnn"], "warm_up", lambda: None)()


run_bipnn.warm_up = _warm_bipnn  # type: ignore[attr-defined]


def solver_runners(names: list[str] | tuple[str, ...]) -> dict[str, Callable]:
    from .baselines import SOLVERS as ALL
    unknown = [n for n in names if n not in ALL]
    if unknown:
        raise SystemExit(f"unknown solver(s) {unknown}; known: {', '.join(ALL)}")
    return {n: (run_bipnn if n == "bipnn" else ALL[n]) for n in names}


def first_feasible_s(rec: dict) -> float | None:
    """Seconds to the first feasible point: a MIP solver's first incumbent; for our solver
    ``stats['time_first_feasible']`` or the first history entry flagged feasible, when the engine gives one."""
    info = rec.get("info") or {}
    if "trace" in info:
        return info["trace"][0][0] if info["trace"] else None
    t = (info.get("stats") or {}).get("time_first_feasible")
    if t is not None:
        return float(t) + info.get("clock_offset_s", 0.0)
    flagged = [h for h in info.get("history") or [] if len(h) > 2 and h[2]]
    return flagged[0][0] + info.get("clock_offset_s", 0.0) if flagged else None


def improvement_trace(rec: dict, sense: str) -> list[tuple[float, float]]:
    """(seconds, objective) of a run's improving feasible points.

    MIP solvers: their callbacks. Our solver: its history (penalised energy in the objective's sense);
    entries flagged infeasible are dropped, and without flags, entries better than the verified final
    objective (necessarily infeasible). Others: the final answer at its wall time.
    """
    info = rec.get("info") or {}
    if rec.get("status") != "ok":
        return []
    if "trace" in info:
        return [tuple(p) for p in info["trace"]]
    hist = info.get("history")
    if hist:
        off = info.get("clock_offset_s", 0.0)
        final = rec["objective"]

        def feasible(h: list) -> bool:
            if len(h) > 2:
                return bool(h[2])
            return h[1] >= final - 1e-9 if sense == "min" else h[1] <= final + 1e-9

        ok = [h for h in hist if feasible(h)]
        pts = [(h[0] + off, h[1]) for h in ok]
        if not pts or pts[-1][1] != final:
            pts.append((rec.get("wall_s", rec["time_limit"]), final))
        return pts
    return [(rec.get("wall_s", rec["time_limit"]), rec["objective"])]


def time_to_target(rec: dict, ref: float | None, sense: str, percent: float = TARGET_PERCENT) -> float | None:
    from .references import within
    if ref is None:
        return None
    return next((t for t, v in improvement_trace(rec, sense) if within(v, ref, sense, percent)), None)


def run_structured(res: Any, cfg: Any) -> None:
    """Every solver on every instance of the profile, seeds 0..K-1, each at the instance's limit
    (or ``--time-limit``); MIP forms and penalised PUBOs are built once per instance, untimed."""
    import time

    from .mip import form_of
    from .references import gap_percent, load_cache, reference
    from .runner import jsonable, run_one
    from .scoring import to_pubo
    cache = load_cache()
    runners = solver_runners(cfg.solvers or SOLVERS)
    seeds = cfg.seeds or 1
    res.doc["settings"].update(profile="quick" if cfg.quick else "full", seeds=seeds,
                               time_limit=cfg.time_limit or "per instance (table)")
    for e in entries(cfg.quick, cfg.only):
        t = time.perf_counter()
        inst = e.make()
        form_of(inst)
        limit = cfg.time_limit or e.time_limit
        ref = reference(inst, cache)
        sense = inst.problem.sense
        pubo, why = None, ""
        if any(n in PUBO_SOLVERS for n in runners):
            try:
                pubo = to_pubo(inst.problem, quadratic_rows=True)
                inst.meta.update(pubo_monomials=pubo.n_terms, pubo_slack_binaries=pubo.n_slack)
            except ValueError as exc:
                why = f"not built: {exc}"
        inst.meta.update(label=e.label, sense=sense, time_limit=limit, reference=ref,
                         constraints=len(inst.problem.constraints))
        res.doc.setdefault("instances", {})[inst.name] = jsonable(inst.meta)
        cfg.log(f"{inst.name}: {inst.problem.n_binaries} binaries, {len(inst.problem.constraints)} rows, "
                f"reference {None if ref is None else ref.get('value')}, limit {limit:g} s "
                f"(built in {time.perf_counter() - t:.1f} s)")
        for seed in range(seeds):
            for name, runner in runners.items():
                if name in PUBO_SOLVERS and pubo is None:
                    rec = {"instance": inst.name, "solver": name, "seed": seed, "time_limit": limit,
                           "status": "skipped", "reason": why}
                else:
                    rec = run_one(inst, name, runner, pubo, limit, seed)
                ok = rec.get("status") == "ok"
                rec["gap_percent"] = gap_percent(rec.get("objective") if ok else None,
                                                 None if ref is None else ref.get("value"), sense)
                rec["first_feasible_s"] = first_feasible_s(rec) if ok else None
                rec["time_to_target_s"] = time_to_target(rec, None if ref is None else ref.get("value"), sense) \
                    if ok else None
                res.add(rec)
                val = rec.get("objective")
                cfg.log(f"  {name:<11} seed {seed} {rec['status']:<11} {'' if val is None else f'{val:.6g}'} "
                        f"gap {rec['gap_percent']} ff {rec['first_feasible_s']} wall {rec.get('wall_s')} "
                        f"{rec.get('reason', '')[:120]}")


# -- report -------------------------------------------------------------------

def _ref_text(ref: dict | None) -> str:
    from . import report as rp
    if not ref or ref.get("value") is None:
        return "— (run `python -m benchmarks references`)"
    src = ref.get("source", "")
    if src.startswith("SCIP"):
        how = "SCIP, proven" if ref.get("proven") else f"SCIP incumbent, bound {rp.fmt(round(ref['dual_bound'], 2))}"
        return f"{rp.fmt(ref['value'])} ({how}, {ref.get('time_s')} s)"
    return f"{rp.fmt(ref['value'])} ({'exact' if 'scipy' in src else 'construction'})"


def _ttt_plot(doc: dict, solvers: list[str]) -> str | None:
    """Share of (instance, seed) runs within TARGET_PERCENT of the reference by time t, per solver."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from . import report as rp
    inst_meta = doc.get("instances", {})
    with_ref = {k for k, m in inst_meta.items() if (m.get("reference") or {}).get("value") is not None}
    if not with_ref:
        return None
    fig, ax = plt.subplots(figsize=(6.5, 3.8))
    tmax = max((m.get("time_limit", 1) for m in inst_meta.values()), default=1)
    grid = np.logspace(-2, np.log10(tmax), 200)
    for s in solvers:
        recs = [r for r in doc["records"] if r["solver"] == s and r["instance"] in with_ref]
        if not recs:
            continue
        hits = np.array([r["time_to_target_s"] for r in recs if r.get("time_to_target_s") is not None])
        ax.step(grid, [(hits <= t).sum() / len(recs) for t in grid], where="post", label=f"{s} ({len(recs)} runs)")
    ax.set_xscale("log")
    ax.set_xlabel("seconds (log)")
    ax.set_ylabel(f"share of runs within {TARGET_PERCENT:g}% of the reference")
    ax.set_ylim(0, 1.02)
    ax.set_title(f"structured: time to target ({doc['settings'].get('profile', '')})")
    ax.legend(fontsize=7, loc="upper left")
    return rp.save_fig(fig, "structured_ttt.png")


BEFORE_COLUMN = "bipnn (before)"


def _before(doc: dict) -> dict | None:
    """``docs/bench/structured_before_PROFILE.json`` (a saved run of the previous search, same profile)."""
    import json

    from .runner import OUT_DIR
    path = OUT_DIR / f"structured_before_{doc.get('settings', {}).get('profile')}.json"
    if not path.is_file():
        return None
    old = json.loads(path.read_text())
    refresh_references(old)
    same = old.get("settings", {}).get("profile") == doc.get("settings", {}).get("profile")
    return old if same and old.get("created") != doc.get("created") else None


def refresh_references(doc: dict) -> None:
    """Take references computed after the run from the cache, and re-derive every record's gap and
    time to target from them (so ``python -m benchmarks report structured`` picks up new references)."""
    from .references import gap_percent, load_cache
    cache = load_cache()
    meta = doc.get("instances", {})
    for name, m in meta.items():
        ref = m.get("reference")
        if name in cache and (ref is None or str(ref.get("source", "")).startswith("SCIP")):
            m["reference"] = cache[name]
    for r in doc["records"]:
        m = meta.get(r["instance"], {})
        value = (m.get("reference") or {}).get("value")
        sense = m.get("sense", "min")
        ok = r.get("status") == "ok"
        r["gap_percent"] = gap_percent(r.get("objective") if ok else None, value, sense)
        r["time_to_target_s"] = time_to_target(r, value, sense) if ok else None


def report_structured(doc: dict) -> str:
    import numpy as np

    from . import report as rp
    from .runner import OUT_DIR
    refresh_references(doc)
    cells = rp.by_cell(doc["records"])
    solvers = [s for s in dict.fromkeys(r["solver"] for r in doc["records"])]
    meta = doc.get("instances", {})
    before = _before(doc)
    cols = solvers + ([BEFORE_COLUMN] if before else [])
    if before:
        old = rp.by_cell(before["records"])
        cells.update({(i, BEFORE_COLUMN): recs for (i, s), recs in old.items() if s == "bipnn"})
    head = "| instance | binaries | rows | limit s | reference | " + " | ".join(cols) + " |"
    lines = [head, "|" + "---|" * (5 + len(cols))]
    for inst, m in meta.items():
        row = [rp.gap_cell(cells[(inst, s)]) if (inst, s) in cells else "" for s in cols]
        lines.append(f"| {inst} ({m.get('sense')}) | {rp.fmt(m.get('binaries'))} | {rp.fmt(m.get('constraints'))} "
                     f"| {rp.fmt(m.get('time_limit'))} | {_ref_text(m.get('reference'))} | " + " | ".join(row) + " |")
    summary = ["| solver | runs | feasible | within 1% of reference | reference reached | median gap % "
               "| median first feasible s |", "|---|---|---|---|---|---|---|"]
    for s in solvers:
        recs = [r for r in doc["records"] if r["solver"] == s]
        ok = [r for r in recs if r.get("status") == "ok"]
        gaps = [r["gap_percent"] for r in ok if r.get("gap_percent") is not None]
        ff = [r["first_feasible_s"] for r in ok if r.get("first_feasible_s") is not None]
        hit = sum(1 for r in ok if r.get("time_to_target_s") is not None)
        exact = sum(1 for r in ok if r.get("gap_percent") is not None and r["gap_percent"] <= 1e-9)
        med_gap = "—" if not gaps else f"{np.median(gaps):.2f}"
        med_ff = "—" if not ff else f"{np.median(ff):.2f}"
        summary.append(f"| {s} | {len(recs)} | {len(ok)} | {hit} | {exact} | {med_gap} | {med_ff} |")
    png = _ttt_plot(doc, solvers)
    parts = [rp.header(doc),
             "## Objective, gap to the reference, time to first feasible point (best over seeds)",
             "Cells: objective (gap to the reference, worse is positive), `ff`: seconds to the first feasible "
             "point (MIP solvers: their first incumbent, model building included; our solver: only when the "
             "engine reports it — the search before issue 12 does not, its history holds penalised energies). "
             "`no_solution`/`infeasible`: nothing feasible at the limit.",
             "\n".join(lines),
             "## Per solver", "\n".join(summary),
             *([f"`{BEFORE_COLUMN}`: our solver before issue 12's search, from "
                f"`structured_before_{before['settings']['profile']}.json` ({before['created']}, "
                f"`{before['command']}`, same limits)."] if before else []),
             f"`within 1%`: runs whose improving feasible points reached {TARGET_PERCENT:g}% of the reference "
             "(the time-to-target plot below). For our solver the points come from `stats['history']` "
             "(entries better than the verified final objective are dropped as infeasible).",
             "## How each solver ran", rp.solver_notes(doc)]
    if png:
        parts.append(f"![{png}]({png})")
    findings = OUT_DIR / "structured_findings.md"
    if findings.is_file():
        parts.append(findings.read_text().strip())
    return "\n\n".join(parts)
