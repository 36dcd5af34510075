"""Run solvers on instances, re-score every answer on the original problem, keep records."""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import resource
import time
import traceback
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from .baselines import SOLVERS, Runner, Skip
from .instances import Instance
from .scoring import score, to_pubo

OVERRUN_FACTOR, OVERRUN_SLACK = 1.05, 0.25  # wall time beyond this is flagged in the tables
OUT_DIR = Path(__file__).resolve().parent.parent / "docs" / "bench"


def machine_info() -> dict[str, Any]:
    """CPU model, cores, memory, OS, load average at the start of the run."""
    cpu = platform.processor() or ""
    try:
        with open("/proc/cpuinfo") as fh:
            cpu = next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), cpu)
    except OSError:
        pass
    mem = None
    try:
        with open("/proc/meminfo") as fh:
            mem = round(int(next(ln for ln in fh if ln.startswith("MemTotal")).split()[1]) / 2**20, 1)
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "os": platform.platform(),
            "python": platform.python_version(), "loadavg_at_start": [round(v, 2) for v in os.getloadavg()],
            "threads_per_solver": int(os.environ.get("OMP_NUM_THREADS", "0") or 0) or None}


def versions() -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for pkg in ("bipnn_backends", "numpy", "torch", "dhg", "pyscipopt", "highspy", "ortools", "openjij", "dimod",
                "dwave-samplers", "matplotlib", "pulp", "scipy"):
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = None
    try:
        from pyscipopt import Model
        out["scip"] = str(Model().version())
    except Exception:
        out["scip"] = None
    return out


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far (MiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [jsonable(v) for v in obj]
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return None if not np.isfinite(obj) else float(obj)
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    return str(obj)


class Results:
    """The suite's JSON document, saved after every record so an interrupted run keeps its data."""

    def __init__(self, suite: str, command: str, settings: dict[str, Any], out_dir: Path = OUT_DIR) -> None:
        self.path = out_dir / f"{suite}.json"
        self.doc: dict[str, Any] = {
            "suite": suite, "command": command,
            "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
            "machine": machine_info(), "versions": versions(), "settings": settings,
            "records": [], "notes": [],
        }
        out_dir.mkdir(parents=True, exist_ok=True)

    def add(self, record: dict[str, Any]) -> None:
        self.doc["records"].append(jsonable(record))
        self.save()

    def note(self, text: str) -> None:
        self.doc["notes"].append(text)
        self.save()

    def save(self) -> None:
        self.doc["finished"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
        tmp = self.path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(self.doc, indent=1))
        tmp.replace(self.path)


def timed_run(rec: dict[str, Any], runner: Any, call: Callable[[], tuple[Any, dict]], time_limit: float) -> Any:
    """Warm ``runner`` up (untimed), then time ``call()`` -> (answer, info). ``rec`` gets the wall time,
    the overrun flag and the info, or its final status (skipped, error, no_solution); returns the
    answer, or None when ``rec`` is already final."""
    try:
        getattr(runner, "warm_up", lambda: None)()
    except Exception as exc:
        rec.update(status="error", reason=f"warm-up failed: {type(exc).__name__}: {exc}")
        return None
    t0 = time.perf_counter()
    try:
        x, info = call()
    except Skip as exc:
        rec.update(status="skipped", reason=str(exc))
        return None
    except Exception as exc:  # a crashing solver is a result, not the end of the suite
        rec.update(status="error", reason=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc(limit=4))
        return None
    rec["wall_s"] = round(time.perf_counter() - t0, 3)
    rec["overrun"] = rec["wall_s"] > OVERRUN_FACTOR * time_limit + OVERRUN_SLACK
    rec["info"] = info
    if x is None:
        rec["status"] = "no_solution"
    return x


def run_one(inst: Instance, solver: str, runner: Runner, pubo: Any, time_limit: float, seed: int) -> dict[str, Any]:
    """One (instance, solver, seed): run, re-score on the original problem, describe."""
    rec: dict[str, Any] = {"instance": inst.name, "solver": solver, "seed": seed, "time_limit": time_limit}
    x = timed_run(rec, runner, lambda: runner(inst, pubo, time_limit, seed), time_limit)
    if x is None:
        return rec
    s = score(inst.problem, x)
    rec.update(status="ok" if s.feasible else "infeasible", objective=s.objective, feasible=s.feasible,
               max_violation=s.max_violation)
    if inst.hypergraph is not None:
        from .instances import cut_value
        rec["direct_cut"] = float(cut_value(inst.hypergraph, x)[0])
    return rec


def run_matrix(results: Results, instances: Iterable[Callable[[], Instance]], solvers: dict[str, Runner],
               time_limit: float, seeds: int, log: Callable[[str], None] = print) -> None:
    """Every solver on every instance for seeds 0..seeds-1, instances built lazily one at a time."""
    for make in instances:
        try:
            inst = make()
        except FileNotFoundError as exc:
            results.note(f"skipped: {exc}")
            log(f"SKIP {exc}")
            continue
        t = time.perf_counter()
        pubo = to_pubo(inst.problem)
        inst.meta["pubo_monomials"] = pubo.n_terms
        inst.meta["pubo_max_degree"] = int(pubo.degrees().max(initial=0))
        log(f"{inst.name}: {inst.problem.n_binaries} vars, {pubo.n_terms} PUBO monomials (export {time.perf_counter() - t:.2f} s)")
        results.doc.setdefault("instances", {})[inst.name] = jsonable(inst.meta)
        for seed in range(seeds):
            for name, runner in solvers.items():
                rec = run_one(inst, name, runner, pubo, time_limit, seed)
                results.add(rec)
                val = rec.get("objective")
                wall = f"{rec['wall_s']} s" if "wall_s" in rec else ""
                log(f"  {name:<14} seed {seed}  {rec['status']:<11} "
                    f"{'' if val is None else f'{val:.6g}'}  {wall} {rec.get('reason', '')}")


def solver_set(names: Iterable[str]) -> dict[str, Runner]:
    unknown = [n for n in names if n not in SOLVERS]
    if unknown:
        raise SystemExit(f"unknown solver(s) {unknown}; known: {', '.join(SOLVERS)}")
    return {n: SOLVERS[n] for n in names}
