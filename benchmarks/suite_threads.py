"""Threads (and Ray workers) at equal wall time: the same instances solved with 1, 2, ... threads
(``threads`` option), the objective reached and the time to reach a target (the best objective of
any run, within ``TARGET_GAP``); structured instances also show the gap to their reference.

``python -m benchmarks.suite_threads --time-limit 5 --threads 1,2 --suite maxcut,pubo,structured``
prints a Markdown table and writes JSON with ``--out``. ``--workers 1,2`` instead runs a Ray
portfolio (``cluster``) of 1, 2, ... workers on a local Ray started here with every core, each
worker given an equal share of the cores, next to the local solve with every core as ``threads``.
Every record carries the 1-minute load average (``os.getloadavg``) when its run started: the
machine may be shared. See docs/parallel.md and docs/scale-out.md for the recorded curves."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from functools import partial
from typing import Any, Callable

from . import structured as gen
from .data import load
from .instances import Instance, maxcut_problem, random_pubo

TARGET_GAP = 1e-3  # relative gap to the best objective of any run that counts as reaching the target
SUITES: dict[str, dict[str, Callable[[], Instance]]] = {
    "maxcut": {"maxcut-bat": lambda: maxcut_problem(load("bat")),
               "maxcut-Hyp_901_1333": lambda: maxcut_problem(load("Hyp_901_1333"))},
    "pubo": {"pubo-n2000-d4": partial(random_pubo, 2000, 4, seed=0),
             "pubo-n20000-d4": partial(random_pubo, 20000, 4, seed=0)},
    "structured": {"assign-150": partial(gen.assignment, 150), "binpack-30": partial(gen.bin_packing, 30),
                   "gap-10x60": partial(gen.generalized_assignment, 10, 60),
                   "setcover-200x1000": partial(gen.set_cover, 200, 1000),
                   "setpart-100x600": partial(gen.set_partitioning, 100, 600),
                   "mkp-100x5": partial(gen.multi_knapsack, 100, 5), "qap-12": partial(gen.quadratic_assignment, 12)},
}
INSTANCES: dict[str, Callable[[], Instance]] = {k: v for suite in SUITES.values() for k, v in suite.items()}


def _reference(inst: Instance) -> float | None:
    from .references import reference
    ref = reference(inst)
    return None if ref is None else ref.get("value")


def _record(name: str, inst: Instance, res: Any, wall: float, load: float, **config: Any) -> dict[str, Any]:
    return {"instance": name, "sense": inst.problem.sense, **config, "objective": res.objective,
            "status": res.solution_status, "wall": wall, "load": load, "reference": _reference(inst),
            "sa_sweeps": res.stats.get("sa_sweeps"), "sa_chains": res.stats.get("sa_chains"),
            "cs_steps": res.stats.get("cs_steps"), "cs_chains": res.stats.get("cs_chains"),
            "portfolio": res.stats.get("portfolio"), "history": res.stats.get("history", [])}


def run(names: list[str], threads: list[int], time_limit: float, seeds: int) -> list[dict[str, Any]]:
    """One solve per (instance, thread count, seed); each record has the objective, the wall time,
    the load average before the run, the search's work (sweeps or steps, chains) and the history
    of improvements (seconds, objective)."""
    import bipnn_backends
    rows = []
    for name in names:
        inst = INSTANCES[name]()
        for th in threads:
            for seed in range(seeds):
                load, t = os.getloadavg()[0], time.perf_counter()
                res = bipnn_backends.solve(inst.problem, time_limit=time_limit, seed=seed, threads=th,
                                           exhaustive_limit=0)
                rows.append(_record(name, inst, res, time.perf_counter() - t, load, threads=th, workers=0,
                                    seed=seed))
    return rows


def run_portfolio(names: list[str], workers: list[int], time_limit: float, seeds: int) -> list[dict[str, Any]]:
    """Per instance and seed: the local solve with every core as threads, then a Ray portfolio of
    w workers (``num_cpus`` = cores / w each) for each w, on a local Ray with every core started
    here (its workers warmed up by one small solve first: a cold start is measured separately,
    ``start_s`` per member in each record's ``portfolio``)."""
    import ray

    import bipnn_backends
    cores = len(os.sched_getaffinity(0))
    tmp = tempfile.mkdtemp(prefix="bray", dir="/tmp")  # short: Ray's socket paths are length-limited
    ray.init(num_cpus=cores, include_dashboard=False, _temp_dir=tmp, log_to_driver=False)
    rows = []
    try:
        warm = random_pubo(50, 3, seed=0).problem
        t = time.perf_counter()
        res = bipnn_backends.solve(warm, time_limit=None, epochs=2, exhaustive_limit=0, cluster="auto",
                                   workers=max(workers))
        starts = {k: m["start_s"] for k, m in res.stats["portfolio"]["members"].items()}
        print(f"cold start: warm-up solve {time.perf_counter() - t:.1f} s, member start-up (s) {starts}, "
              f"load {os.getloadavg()[0]:.1f}", file=sys.stderr)
        for name in names:
            inst = INSTANCES[name]()
            for seed in range(seeds):
                for w in [0, *workers]:
                    kw = {"threads": cores} if w == 0 else {"cluster": "auto", "workers": w,
                                                            "num_cpus": max(1, cores // w)}
                    load, t = os.getloadavg()[0], time.perf_counter()
                    res = bipnn_backends.solve(inst.problem, time_limit=time_limit, seed=seed, exhaustive_limit=0,
                                               **kw)
                    rows.append(_record(name, inst, res, time.perf_counter() - t, load, seed=seed, workers=w,
                                        threads=cores if w == 0 else max(1, cores // w)))
    finally:
        ray.shutdown()
    return rows


def time_to_target(rows: list[dict[str, Any]]) -> None:
    """Add ``target`` and ``time_to_target`` (None: not reached, or a portfolio run) to every row,
    per instance, from the runs with a feasible answer. History entries better than the run's final
    (verified) objective are penalised energies of infeasible points and do not count."""
    for name in {r["instance"] for r in rows}:
        mine = [r for r in rows if r["instance"] == name and r.get("status", "feasible") in ("optimal", "feasible")]
        if not mine:
            continue
        sign = 1.0 if mine[0]["sense"] == "min" else -1.0
        best = min(sign * r["objective"] for r in mine)
        target = best + TARGET_GAP * abs(best)
        for r in (r for r in rows if r["instance"] == name):
            r["target"], r["time_to_target"] = sign * target, None
            if r in mine and not r.get("workers"):  # a portfolio's history is its best member's last leg
                hits = [t for t, e in r["history"] if sign * r["objective"] - 1e-9 <= sign * e <= target]
                r["time_to_target"] = min(hits) if hits else None


def _gap(r: dict[str, Any]) -> str:
    from .references import gap_percent
    ok = r["status"] in ("optimal", "feasible")
    g = gap_percent(r["objective"] if ok else None, r["reference"], r["sense"])
    return "" if g is None else f"{g:.2f}"


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| instance | workers | threads | seed | load | objective | gap to ref. % | work (chains) | "
             "time to target (s) |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        ttt = ("n/a" if r["workers"] else "not reached") if r["time_to_target"] is None else f"{r['time_to_target']:.2f}"
        work = (f"{r['sa_sweeps']} sweeps ({r['sa_chains']})" if r["sa_sweeps"] is not None else
                f"{r['cs_steps']} steps ({r['cs_chains']})" if r["cs_steps"] is not None else "")
        if r["workers"] and work:
            work = "best member's last leg: " + work
        obj = f"{r['objective']:.6g}" if r["status"] in ("optimal", "feasible") else f"({r['status']})"
        lines.append(f"| {r['instance']} | {r['workers'] or '-'} | {r['threads']} | {r['seed']} | {r['load']:.1f} | "
                     f"{obj} | {_gap(r)} | {work} | {ttt} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--workers", help="comma-separated Ray portfolio sizes (instead of --threads)")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--suite", default="maxcut,pubo", help="comma-separated suites: " + ", ".join(SUITES))
    ap.add_argument("--only", help="comma-separated instance names (instead of --suite): " + ", ".join(INSTANCES))
    ap.add_argument("--out", help="write the records as JSON here")
    a = ap.parse_args(argv)
    names = a.only.split(",") if a.only else [n for s in a.suite.split(",") for n in SUITES[s]]
    unknown = [n for n in names if n not in INSTANCES]
    if unknown:
        raise SystemExit(f"unknown instance(s) {unknown}; known: {', '.join(INSTANCES)}")
    if a.workers:
        rows = run_portfolio(names, [int(w) for w in a.workers.split(",")], a.time_limit, a.seeds)
    else:
        rows = run(names, [int(t) for t in a.threads.split(",")], a.time_limit, a.seeds)
    time_to_target(rows)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(rows, f, indent=1)
    print(table(rows))


if __name__ == "__main__":
    main()
