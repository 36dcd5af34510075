"""Threads at equal wall time: the same instances solved with 1, 2, ... threads (``threads`` option),
the objective reached and the time to reach a target (the best objective of any run, within
``TARGET_GAP``). ``python -m benchmarks.suite_threads --time-limit 5 --threads 1,2``; prints a
Markdown table and writes JSON with ``--out``. See docs/parallel.md for the recorded curve."""

from __future__ import annotations

import argparse
import json
import time
from typing import Any, Callable

from .data import load
from .instances import Instance, maxcut_problem, random_pubo

TARGET_GAP = 1e-3  # relative gap to the best objective of any run that counts as reaching the target
INSTANCES: dict[str, Callable[[], Instance]] = {
    "maxcut-bat": lambda: maxcut_problem(load("bat")),
    "maxcut-Hyp_901_1333": lambda: maxcut_problem(load("Hyp_901_1333")),
    "pubo-n2000-d4": lambda: random_pubo(2000, 4, seed=0),
    "pubo-n20000-d4": lambda: random_pubo(20000, 4, seed=0),
}


def run(names: list[str], threads: list[int], time_limit: float, seeds: int) -> list[dict[str, Any]]:
    """One solve per (instance, thread count, seed); each record has the objective, the wall time,
    the annealing sweeps and the history of improvements (seconds, objective)."""
    import bipnn_backends
    rows = []
    for name in names:
        inst = INSTANCES[name]()
        for th in threads:
            for seed in range(seeds):
                t = time.perf_counter()
                res = bipnn_backends.solve(inst.problem, time_limit=time_limit, seed=seed, threads=th,
                                           exhaustive_limit=0)
                rows.append({"instance": name, "sense": inst.problem.sense, "threads": th, "seed": seed,
                             "objective": res.objective, "wall": time.perf_counter() - t,
                             "sa_sweeps": res.stats.get("sa_sweeps"), "sa_chains": res.stats.get("sa_chains"),
                             "history": res.stats.get("history", [])})
    return rows


def time_to_target(rows: list[dict[str, Any]]) -> None:
    """Add ``target`` and ``time_to_target`` (None: not reached) to every row, per instance."""
    for name in {r["instance"] for r in rows}:
        mine = [r for r in rows if r["instance"] == name]
        sign = 1.0 if mine[0]["sense"] == "min" else -1.0
        best = min(sign * r["objective"] for r in mine)
        target = best + TARGET_GAP * abs(best)
        for r in mine:
            r["target"] = sign * target
            hits = [t for t, e in r["history"] if sign * e <= target]
            r["time_to_target"] = min(hits) if hits else None


def table(rows: list[dict[str, Any]]) -> str:
    lines = ["| instance | threads | seed | objective | sweeps (chains) | time to target (s) |", "|---|---|---|---|---|---|"]
    for r in rows:
        ttt = "not reached" if r["time_to_target"] is None else f"{r['time_to_target']:.2f}"
        lines.append(f"| {r['instance']} | {r['threads']} | {r['seed']} | {r['objective']:.6g} | "
                     f"{r['sa_sweeps']} ({r['sa_chains']}) | {ttt} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--threads", default="1,2", help="comma-separated thread counts")
    ap.add_argument("--seeds", type=int, default=1)
    ap.add_argument("--only", help="comma-separated instance names (default all: " + ", ".join(INSTANCES) + ")")
    ap.add_argument("--out", help="write the records as JSON here")
    a = ap.parse_args(argv)
    names = a.only.split(",") if a.only else list(INSTANCES)
    rows = run(names, [int(t) for t in a.threads.split(",")], a.time_limit, a.seeds)
    time_to_target(rows)
    if a.out:
        with open(a.out, "w") as f:
            json.dump(rows, f, indent=1)
    print(table(rows))


if __name__ == "__main__":
    main()
