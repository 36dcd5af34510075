"""Single-size measurements run in a fresh process (``python -m benchmarks worker ...``) so that
peak memory belongs to that size alone; each prints one JSON line."""

from __future__ import annotations

import argparse
import gc
import json
import time
import tracemalloc
from typing import Any

import numpy as np

from .baselines import FlipGains, engine_available
from .instances import constrained_pubo, random_pubo
from .runner import jsonable, peak_rss_mib
from .scoring import PuboArrays, score


def scale(n: int, time_limit: float) -> dict[str, Any]:
    """Build, reformulate, time a 1-flip sweep and a local-search descent, then solve end to end."""
    rec: dict[str, Any] = {"status": "ok"}
    t = time.perf_counter()
    inst = random_pubo(n, 4, ratio=2.0, seed=0)
    rec["build_s"] = time.perf_counter() - t
    rec["monomials"] = inst.problem.objective.n_terms
    why = engine_available()
    if why:
        rec.update(status="skipped", reason=f"engine not available ({why})", peak_rss_mib=peak_rss_mib())
        return rec
    from bipnn_backends.core.reformulate import reformulate
    from bipnn_backends.engine.local_search import LocalSearch
    from bipnn_backends.options import make_options

    t = time.perf_counter()
    reform = reformulate(inst.problem, make_options(time_limit=time_limit))
    rec["reformulate_s"] = time.perf_counter() - t
    p = reform.pubo
    x0 = np.random.default_rng(1).integers(0, 2, (1, n)).astype(np.float64)
    t = time.perf_counter()
    FlipGains(PuboArrays(n, p.offsets, p.indices, p.coefs, p.constant, 1.0)).deltas(x0)
    rec["greedy_sweep_s"] = time.perf_counter() - t
    rec["rss_after_build_mib"] = peak_rss_mib()
    try:
        ls = LocalSearch(reform)
        t = time.perf_counter()
        state = ls.state(x0)
        rec["ls_state_s"] = time.perf_counter() - t
        t = time.perf_counter()
        rec["ls_descent_steps"] = ls.descend(state, deadline=time.perf_counter() + time_limit)
        rec["ls_descent_s"] = time.perf_counter() - t
        del ls, state
    except Exception as exc:  # the engine's internals may change: record, do not fail the size
        rec["ls_error"] = f"{type(exc).__name__}: {exc}"
    del reform, p
    gc.collect()
    import bipnn_backends
    t = time.perf_counter()
    res = bipnn_backends.solve(inst.problem, time_limit=time_limit, seed=0, exhaustive_limit=0)
    rec["solve_wall_s"] = time.perf_counter() - t
    stats = res.stats
    rec["solve_status"] = res.solution_status
    rec["epochs"] = stats.get("epochs")
    rec["time_train"] = stats.get("time_train")
    rec["s_per_epoch"] = stats["time_train"] / stats["epochs"] if stats.get("epochs") else None
    rec["ils_rounds"] = stats.get("ils_rounds")
    rec["sa_sweeps"] = stats.get("sa_sweeps")
    rec["time_total"] = stats.get("time_total")
    rec["stats"] = {k: v for k, v in stats.items() if k != "history"}
    if res.x is not None:
        rec["objective"] = score(inst.problem, res.x).objective
    rec["peak_rss_mib"] = peak_rss_mib()
    return rec


def scale_openjij(n: int, time_limit: float) -> dict[str, Any]:
    """openjij's native HUBO SA on the scale instance at the same wall-clock limit (its dictionary
    build counted against the limit, as for every baseline), one thread, one long run
    (:func:`baselines.run_openjij_long`)."""
    from .baselines import run_openjij_long
    from .runner import run_one
    from .scoring import to_pubo

    inst = random_pubo(n, 4, ratio=2.0, seed=0)
    pubo = to_pubo(inst.problem)
    t = time.perf_counter()
    pubo.terms()
    rec: dict[str, Any] = {"terms_dict_s": time.perf_counter() - t}
    rec.update(run_one(inst, "openjij_sa", run_openjij_long, pubo, time_limit, 0))
    rec["peak_rss_mib"] = peak_rss_mib()
    return rec


def reformulate_cost(n: int, constrained: bool) -> dict[str, Any]:
    """Time (plain run) and tracemalloc peaks (second run) of building the problem and reformulate()."""
    from bipnn_backends.core.reformulate import reformulate
    from bipnn_backends.options import make_options

    opts = make_options()

    def build() -> Any:
        return (constrained_pubo(n, 4, ratio=3.0, seed=0) if constrained else random_pubo(n, 4, ratio=3.0, seed=0)).problem

    rec: dict[str, Any] = {"status": "ok"}
    t = time.perf_counter()
    prob = build()
    rec["build_s"] = time.perf_counter() - t
    rec["monomials"] = prob.objective.n_terms
    rec["constraints"] = len(prob.constraints)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        reform = reformulate(prob, opts)
        times.append(time.perf_counter() - t)
        if times[0] > 1.0:
            break
    rec["reformulate_s"] = float(np.median(times))
    rec["reformulate_runs"] = len(times)
    rec["pubo_monomials"] = reform.pubo.n_terms
    rec["summary"] = reform.summary()
    del prob, reform
    gc.collect()
    tracemalloc.start()
    prob = build()
    rec["build_peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    reformulate(prob, opts)
    rec["reformulate_peak_mib"] = (tracemalloc.get_traced_memory()[1] - base) / 2**20
    tracemalloc.stop()
    rec["peak_rss_mib"] = peak_rss_mib()
    return rec


def main(argv: list[str]) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks worker")
    ap.add_argument("what", choices=("scale", "scale-openjij", "reformulate"))
    ap.add_argument("--n", type=int, required=True)
    ap.add_argument("--time-limit", type=float, default=60.0)
    ap.add_argument("--constrained", action="store_true")
    a = ap.parse_args(argv)
    try:
        rec = (scale(a.n, a.time_limit) if a.what == "scale" else scale_openjij(a.n, a.time_limit)
               if a.what == "scale-openjij" else reformulate_cost(a.n, a.constrained))
    except Exception as exc:
        rec = {"status": "error", "reason": f"{type(exc).__name__}: {exc}"}
    print(json.dumps(jsonable(rec)), flush=True)
