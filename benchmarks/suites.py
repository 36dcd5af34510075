"""The named suites: what runs, at which sizes, and how each is reported."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable

from . import report as rp
from .baselines import BASELINES, SOLVERS, Runner, make_bipnn
from .data import DATASETS, load
from .instances import Instance, constrained_pubo, maxcut_problem, random_pubo
from .runner import Results, run_matrix, solver_set
from .suite_mixed import report_mixed, run_mixed
from .suite_structured import report_structured, run_structured


@dataclass
class Config:
    """Command-line settings shared by all suites (None: the suite's default)."""

    time_limit: float | None = None
    seeds: int | None = None
    quick: bool = False
    solvers: list[str] | None = None
    only: list[str] | None = None
    sizes: list[int] | None = None
    log: Callable[[str], None] = print


@dataclass
class Suite:
    name: str
    description: str
    run: Callable[[Results, Config], None]
    report: Callable[[dict], str]
    time_limit: float = 30.0
    quick_time_limit: float = 5.0
    seeds: int = 1
    settings: Callable[[Config], dict[str, Any]] = field(default=lambda cfg: {})


def _limit(suite: Suite, cfg: Config) -> float:
    return cfg.time_limit or (suite.quick_time_limit if cfg.quick else suite.time_limit)


def _solvers(cfg: Config, default: tuple[str, ...]) -> dict[str, Runner]:
    return solver_set(cfg.solvers or default)


ALL_SOLVERS = ("bipnn", "bipnn_hgnn") + BASELINES

# -- maxcut -----------------------------------------------------------------

MAXCUT_QUICK = ("bat", "cora", "Hyp_901_1333")


def _maxcut_instances(cfg: Config) -> list[str]:
    names = list(MAXCUT_QUICK if cfg.quick else DATASETS)
    return [n for n in names if not cfg.only or n in cfg.only]


def _maxcut_make(name: str) -> Instance:
    inst = maxcut_problem(load(name))
    inst.meta["sense"] = "max"
    return inst


def run_maxcut(res: Results, cfg: Config) -> None:
    run_matrix(res, [partial(_maxcut_make, n) for n in _maxcut_instances(cfg)], _solvers(cfg, ALL_SOLVERS),
               _limit(SUITES["maxcut"], cfg), cfg.seeds or 1, cfg.log)


def report_maxcut(doc: dict) -> str:
    refs = {
        "paper BIPNN (1 h)": {k: d.paper.get("bipnn") for k, d in DATASETS.items()},
        "README best of 5 baselines (30 s)": {k: max(d.measured_30s.values()) for k, d in DATASETS.items()},
        "best known": {k: d.best_known for k, d in DATASETS.items()},
    }
    plots = [p for p in (rp.history_plot(doc, i, ["bipnn", "bipnn_hgnn"], f"maxcut_history_{i}.png")
                         for i in dict.fromkeys(r["instance"] for r in doc["records"])) if p]
    mismatch = [r for r in doc["records"] if "direct_cut" in r and r.get("objective") is not None
                and abs(r["direct_cut"] - r["objective"]) > 1e-6]
    check = ("Every max-cut answer was also counted directly on the hypergraph: "
             + ("all agree with the PUBO score." if not mismatch else f"{len(mismatch)} DISAGREE (see JSON)."))
    ran = {r["solver"] for r in doc["records"]}
    baselines_here = [
        f"## Baselines here vs the README's 30 s measurements (this run: {doc['settings'].get('time_limit')} s)",
        rp.reference_table(doc, {k: d.measured_30s for k, d in DATASETS.items()}, list(BASELINES)),
    ] if ran & set(BASELINES) else []
    return "\n\n".join([
        rp.header(doc), "## Cut values (higher is better; best per row in bold)",
        rp.value_table(doc, list(ALL_SOLVERS), refs), check,
        "Reference columns come from `../shared/data/README.md` (the README's 30 s column is one "
        "thread per solver on a machine like ours; `best known` for Gset and the proven Cora optimum). "
        "Bold marks the best among the solvers run here.",
    ] + baselines_here + ["## How each solver ran", rp.solver_notes(doc)] + [f"![{p}]({p})" for p in plots])


# -- pubo / constrained -------------------------------------------------------

def _pubo_grid(cfg: Config) -> list[tuple[int, int]]:
    sizes = cfg.sizes or ([1000] if cfg.quick else [1000, 2000, 3000, 5000])
    degrees = [4] if cfg.quick else [4, 6]
    return [(n, d) for d in degrees for n in sizes]


def _pubo_make(n: int, d: int, constrained: bool) -> Instance:
    inst = constrained_pubo(n, d, seed=0) if constrained else random_pubo(n, d, seed=0)
    inst.meta["sense"] = "min"
    return inst


def _run_pubo(res: Results, cfg: Config, constrained: bool) -> None:
    name = "constrained" if constrained else "pubo"
    makers = [partial(_pubo_make, n, d, constrained) for n, d in _pubo_grid(cfg)]
    run_matrix(res, makers, _solvers(cfg, ALL_SOLVERS), _limit(SUITES[name], cfg), cfg.seeds or 1, cfg.log)


def _ratio_plot(doc: dict, name: str, ours: list[str]) -> str | None:
    """ours / best baseline (best over seeds) vs n, one line per degree and variant; > 1 = ours better
    when the values are negative (as random PUBO minima are)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cells = rp.by_cell(doc["records"])
    meta = doc.get("instances", {})
    lines: dict[tuple[str, int], list[tuple[int, float]]] = {}
    for inst, m in meta.items():
        base = [rp.best_and_mean(cells.get((inst, b), []), "min")[0] for b in BASELINES]
        base = [b for b in base if b is not None]
        if not base:
            continue
        ref = min(base)
        for o in ours:
            v = rp.best_and_mean(cells.get((inst, o), []), "min")[0]
            if v is not None and ref != 0:
                lines.setdefault((o, m["degree"]), []).append((m["n"], v / ref))
    if not lines:
        return None
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for (o, d), pts in sorted(lines.items()):
        pts.sort()
        ax.plot(*zip(*pts), marker="o", label=f"{o}, degree {d}")
    ax.axhline(1.0, color="grey", lw=0.8)
    ax.set_xlabel("variables")
    ax.set_ylabel("ours / best baseline")
    ax.set_title(f"{doc['suite']}: value ratio at equal time (> 1: ours better)")
    ax.legend(fontsize=7)
    return rp.save_fig(fig, name)


def _ratio_table(doc: dict, ours: list[str]) -> str:
    cells = rp.by_cell(doc["records"])
    rows = ["| instance | best baseline | " + " | ".join(f"{o} / best baseline" for o in ours) + " |",
            "|---|---|" + "---|" * len(ours)]
    for inst in doc.get("instances", {}):
        found = [(rp.best_and_mean(cells.get((inst, b), []), "min")[0], b) for b in BASELINES]
        found = [f for f in found if f[0] is not None]
        if not found:
            continue
        ref, who = min(found)
        rat = []
        for o in ours:
            v = rp.best_and_mean(cells.get((inst, o), []), "min")[0]
            rat.append("—" if v is None or ref == 0 else f"{v / ref:.4f}")
        rows.append(f"| {inst} | {rp.fmt(ref)} ({who}) | " + " | ".join(rat) + " |")
    return "\n".join(rows)


def _report_pubo(doc: dict) -> str:
    ours = ["bipnn", "bipnn_hgnn"]
    png = _ratio_plot(doc, f"{doc['suite']}_ratio.png", ours)
    parts = [rp.header(doc), "## Objective values (minimised; best per row in bold)",
             rp.value_table(doc, list(ALL_SOLVERS)),
             "## Ours / best baseline (best over seeds; values are negative, so > 1 means ours is better)",
             _ratio_table(doc, ours)]
    if doc["suite"] == "constrained":
        parts.append("Constraints keep a hidden random point feasible; `infeasible` means the solver's answer "
                     "violates the ORIGINAL constraints. Penalty-based baselines (openjij, dwave, greedy) "
                     "minimise the PUBO of `benchmarks.scoring.to_pubo`; SCIP gets the constraints as they are.")
    parts += ["## How each solver ran", rp.solver_notes(doc)]
    if png:
        parts.append(f"![{png}]({png})")
    return "\n\n".join(parts)


# -- ablation ---------------------------------------------------------------

ABLATION_VARIANTS: dict[str, dict[str, Any]] = {
    "logits (default: 10% training)": {},
    "logits, 50% training": {"anneal": {"fraction": 0.5}},
    "hgnn+": {"model": "hgnn+"},
    "polish only (epochs=0)": {"epochs": 0},
    "network only (polish=False)": {"polish": False},
    "hgnn+ network only": {"model": "hgnn+", "polish": False},
}


def run_ablation(res: Results, cfg: Config) -> None:
    names = ["cora", "primary"] if not cfg.quick else ["cora"]
    makers: list[Callable[[], Instance]] = [partial(_maxcut_make, n) for n in names if not cfg.only or n in cfg.only]
    for n in (cfg.sizes or ([1000] if cfg.quick else [2000, 5000])):
        makers.append(partial(_pubo_make, n, 4, False))
    solvers: dict[str, Runner] = {k: make_bipnn(**v) for k, v in ABLATION_VARIANTS.items()}
    solvers["openjij_sa (reference)"] = SOLVERS["openjij_sa"]
    run_matrix(res, makers, solvers, _limit(SUITES["ablation"], cfg), cfg.seeds or SUITES["ablation"].seeds, cfg.log)


def report_ablation(doc: dict) -> str:
    cols = list(ABLATION_VARIANTS) + ["openjij_sa (reference)"]
    return "\n\n".join([rp.header(doc), "## Pipeline variants at equal time (best per row in bold)",
                        rp.value_table(doc, cols),
                        "`polish only`: no training epochs, the engine's rounding + local search + ILS only; "
                        "`network only`: training and rounding, no local search.",
                        "## How each variant ran", rp.solver_notes(doc)])


# -- scale and reformulate (each size in a fresh process, for honest peak memory) ------

def _worker(args: list[str], log: Callable[[str], None], timeout: float) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "benchmarks", "worker"] + args
    log("  $ " + " ".join(cmd[1:]))
    try:
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=os.environ.copy())
    except subprocess.TimeoutExpired:
        return {"status": "error", "reason": f"worker timed out after {timeout:.0f} s"}
    last = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode != 0 or not last:
        return {"status": "error", "reason": f"worker exit {out.returncode}: {out.stderr.strip()[-800:]}"}
    return json.loads(last[-1])


def run_scale(res: Results, cfg: Config) -> None:
    sizes = cfg.sizes or ([10_000, 30_000] if cfg.quick else [10_000, 100_000, 1_000_000])
    limit = _limit(SUITES["scale"], cfg)
    for n in sizes:
        rec = _worker(["scale", "--n", str(n), "--time-limit", str(limit)], cfg.log, timeout=10 * limit + 1800)
        rec.update(instance=f"pubo-n{n}-d4", n=n, time_limit=limit, solver="bipnn")
        res.add(rec)
        cfg.log(f"  n={n}: {json.dumps({k: v for k, v in rec.items() if k != 'history'})[:600]}")
        if "openjij_sa" in (cfg.solvers or ["openjij_sa"]):  # the reference annealer at the same wall time
            rec = _worker(["scale-openjij", "--n", str(n), "--time-limit", str(limit)], cfg.log,
                          timeout=10 * limit + 1800)
            rec.update(instance=f"pubo-n{n}-d4", n=n, time_limit=limit, solver="openjij_sa")
            res.add(rec)
            cfg.log(f"  n={n} openjij: {json.dumps(rec)[:600]}")


def _row(r: dict, cols: list[tuple[str, str]]) -> str:
    """One table row: numbers to 4 significant digits, missing values as a dash."""
    out = []
    for k, _ in cols:
        v = r.get(k)
        out.append(rp.fmt(v, 4) if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v or "—"))
    return "| " + " | ".join(out) + " |"


def _versus(doc: dict) -> str:
    """bipnn against openjij's HUBO SA per size at the same wall-clock limit (lower objective wins)."""
    by_n: dict[int, dict[str, dict]] = {}
    for r in doc["records"]:
        by_n.setdefault(r.get("n"), {})[r.get("solver", "bipnn")] = r
    lines = ["| variables | bipnn objective | bipnn SA sweeps | bipnn time_total s | openjij objective | "
             "openjij sweeps per run | openjij wall s | openjij dict build s | winner |", "|" + "---|" * 9]
    for n, pair in sorted(by_n.items(), key=lambda kv: kv[0] or 0):
        b, o = pair.get("bipnn", {}), pair.get("openjij_sa")
        if o is None:
            continue
        info = o.get("info") or {}
        bo, oo = b.get("objective"), o.get("objective")
        win = "—" if bo is None and oo is None else "bipnn" if oo is None or (bo is not None and bo < oo) else (
            "openjij" if bo is None or oo < bo else "tie")
        runs = (" + ".join(map(str, info["sweeps"])) if info.get("sweeps") else str(o.get("reason", "—"))[:80])
        cells = [str(n), rp.fmt(bo, 8) if bo is not None else "—", str(b.get("sa_sweeps", "—")),
                 rp.fmt(b.get("time_total"), 4) if b.get("time_total") else "—",
                 rp.fmt(oo, 8) if oo is not None else "—", runs,
                 rp.fmt(o.get("wall_s"), 4) if o.get("wall_s") else "—",
                 rp.fmt(o.get("terms_dict_s"), 3) if o.get("terms_dict_s") else "—", win]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) if len(lines) > 2 else ""


def report_scale(doc: dict) -> str:
    recs = [r for r in doc["records"] if r.get("solver", "bipnn") == "bipnn"]
    cols = [("n", "variables"), ("monomials", "monomials"), ("build_s", "build problem s"),
            ("reformulate_s", "reformulate s"), ("epochs", "epochs"), ("s_per_epoch", "s / epoch"),
            ("ls_state_s", "LS full-gain sweep s"), ("ls_descent_s", "LS descent s"),
            ("greedy_sweep_s", "numpy 1-flip sweep s"), ("solve_wall_s", "solve wall s"),
            ("objective", "objective"), ("peak_rss_mib", "peak RSS MiB"), ("status", "status")]
    lines = ["| " + " | ".join(c[1] for c in cols) + " |", "|" + "---|" * len(cols)]
    for r in recs:
        lines.append(_row(r, cols))
    png = None
    ok = [r for r in recs if r.get("s_per_epoch") is not None]
    if ok:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots(figsize=(6, 3.5))
        for key, label in (("s_per_epoch", "s / epoch"), ("ls_state_s", "LS full-gain sweep"),
                           ("greedy_sweep_s", "numpy 1-flip sweep"), ("reformulate_s", "reformulate")):
            pts = [(r["n"], r[key]) for r in recs if r.get(key) is not None]
            if pts:
                ax.loglog(*zip(*pts), marker="o", label=label)
        ax.set_xlabel("variables (degree 4, |E| = 2|V| + linear)")
        ax.set_ylabel("seconds")
        ax.legend(fontsize=7)
        png = rp.save_fig(fig, "scale_times.png")
    errors = [f"- n={r.get('n')}: {r.get('reason')}" for r in recs if r.get("status") == "error"]
    parts = [rp.header(doc), "## Cost per size (one thread; each size in a fresh process)", "\n".join(lines),
             "`s / epoch` = engine training time / epochs from `SolveResult.stats`; `LS full-gain sweep` = "
             "building the engine's local-search state (all 1-flip gains) for one point; `LS descent` = one "
             "greedy descent from a random point; `peak RSS` = the worker process's peak resident memory "
             "(ru_maxrss), over building, reformulating and solving."]
    versus = _versus(doc)
    if versus:
        parts += ["## Against openjij's HUBO SA at the same wall-clock limit (minimise; one thread each)", versus,
                  "openjij: `SASampler.sample_hubo`, one read; a 1-sweep and a 40-sweep run time its per-call "
                  "graph set-up and its sweeps, then one run fills the rest of the limit "
                  "(`baselines.run_openjij_long`); its term-dictionary build counts against its limit."]
    if errors:
        parts += ["Errors:", "\n".join(errors)]
    if png:
        parts.append(f"![{png}]({png})")
    return "\n\n".join(parts)


def run_reformulate(res: Results, cfg: Config) -> None:
    n = (cfg.sizes or [10_000 if cfg.quick else 100_000])[0]
    for constrained in (False, True):
        args = ["reformulate", "--n", str(n)] + (["--constrained"] if constrained else [])
        rec = _worker(args, cfg.log, timeout=3600)
        rec.update(instance=f"pubo-n{n}-d4-ratio3" + ("+constraints" if constrained else ""), n=n)
        res.add(rec)
        cfg.log(f"  {json.dumps(rec)[:600]}")


def report_reformulate(doc: dict) -> str:
    cols = [("instance", "instance"), ("monomials", "input monomials"), ("constraints", "constraints"),
            ("build_s", "build BinaryProblem s"), ("reformulate_s", "reformulate() s"),
            ("build_peak_mib", "build peak MiB (tracemalloc)"), ("reformulate_peak_mib", "reformulate peak MiB"),
            ("pubo_monomials", "PUBO monomials"), ("peak_rss_mib", "process peak RSS MiB"), ("status", "status")]
    lines = ["| " + " | ".join(c[1] for c in cols) + " |", "|" + "---|" * len(cols)]
    for r in doc["records"]:
        lines.append(_row(r, cols))
    errors = [f"- {r.get('instance')}: {r.get('reason')}" for r in doc["records"] if r.get("status") == "error"]
    return "\n\n".join([rp.header(doc), "## Reformulation cost", "\n".join(lines),
                        "Times are from a run without tracemalloc (median of 3 for problems under 1 s); "
                        "peaks come from a second run under tracemalloc (Python and numpy allocations)."]
                       + (["Errors:", "\n".join(errors)] if errors else []))


SUITES: dict[str, Suite] = {s.name: s for s in [
    Suite("maxcut", "Max-cut on the real graphs and hypergraphs of `../shared/data` (BIPNN paper: bat, eat, uat, "
          "dblp, citeseer graphs; cora, primary, high hypergraphs; Gset G1, G22; HypOp Hyp_901_1333), our "
          "engine (`model=logits` and `model=\"hgnn+\"`) against SCIP, openjij SA, dwave tabu and SA, and "
          "multi-start greedy, with the reference values of the data README.",
          run_maxcut, report_maxcut, 30.0, 5.0),
    Suite("pubo", "Random PUBO of the paper's §6: degree 4 and 6, |E| = 2|V| monomials with U(-1,1) "
          "coefficients plus one linear term per variable, 1,000 to 5,000 variables; ratio of our value to "
          "the best baseline's vs size.", partial(_run_pubo, constrained=False), _report_pubo, 30.0, 5.0),
    Suite("constrained", "The same random PUBO plus random sparse linear (<=, ==) and quadratic (<=) "
          "constraints that a hidden random point satisfies; feasibility re-checked on the original model.",
          partial(_run_pubo, constrained=True), _report_pubo, 30.0, 5.0),
    Suite("ablation", "Our pipeline's parts at equal time: free logits (default) vs HGNN+ vs polish only "
          "(epochs=0) vs network only (polish=False), openjij SA as the reference.",
          run_ablation, report_ablation, 30.0, 5.0, seeds=2),
    Suite("scale", "Degree-4 random PUBO, |E| = 2|V| (plus one linear term per variable), 10k to 1M "
          "variables: time per epoch and per local-search sweep, peak memory, end-to-end solve.",
          run_scale, report_scale, 60.0, 5.0),
    Suite("reformulate", "Reformulation speed: building a 100,000-variable, 400,000-monomial BinaryProblem "
          "and running `reformulate()` (time and memory), without and with constraints.",
          run_reformulate, report_reformulate, 0.0, 0.0),
    Suite("structured", "Linearly constrained models OR users bring (issue 12): assignment (60-300), bin packing "
          "from PuLP's own generator (10/30/60 bins), generalized assignment, set covering, set partitioning, "
          "multi-dimensional knapsack and a quadratic assignment (quadratic objective, one-hot rows); our solver "
          "against SCIP, HiGHS, CP-SAT (one worker) and openjij SA on the penalised PUBO at equal wall time, "
          "gap to exact / construction / cached SCIP references, time to first feasible point and to 1% of "
          "the reference. `--quick`: 9 smaller instances at 5 s (about 3 min); references are computed once by "
          "`python -m benchmarks references` (SCIP, 300 s each) and cached in `benchmarks/structured_refs.json`; "
          "`docs/bench/structured_before_{quick,full}.json` keep the runs of the search before issue 12, shown "
          "as a `bipnn (before)` column by later runs.", run_structured, report_structured, 0.0, 0.0),
    Suite("mixed", "Mixed-integer models with continuous variables (issue 14): capacitated facility location, "
          "multi-item lot sizing, unit commitment and fixed-charge network flow, a small (SCIP proves it in "
          "seconds) and a medium size each, seeded; our solver against SCIP and HiGHS at equal wall time, one "
          "thread each (10 s `--quick`, 30 s full), gap to the cached long-run reference "
          "(`python -m benchmarks.mixed_refs`, `benchmarks/mixed_refs.json`) and time to first feasible point.",
          run_mixed, report_mixed, 0.0, 0.0),
]}
