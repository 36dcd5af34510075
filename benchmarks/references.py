"""Reference values of the `structured` instances: exact where cheap, else SCIP with a long limit, cached.

- assignment: ``scipy.optimize.linear_sum_assignment`` (exact);
- bin packing: the generator's number of bins (exact by construction);
- the others: SCIP, one thread, a long limit, computed once by
  ``python -m benchmarks references`` and cached in
  ``benchmarks/structured_refs.json`` (value, proven or not, dual bound, time,
  SCIP version), so suite runs never recompute them.
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from pathlib import Path
from typing import Any, Callable, Iterable

from .instances import Instance
from .scoring import score

REF_PATH = Path(__file__).resolve().with_name("structured_refs.json")


def exact_reference(inst: Instance) -> dict[str, Any] | None:
    """The exact optimum where it is known without search, else None."""
    kind = inst.meta.get("kind")
    if kind == "assignment":
        from scipy.optimize import linear_sum_assignment
        costs = inst.extra["costs"]
        r, c = linear_sum_assignment(costs)
        return {"value": float(costs[r, c].sum()), "proven": True, "source": "scipy linear_sum_assignment"}
    if kind == "bin_packing":
        return {"value": float(inst.meta["optimum"]), "proven": True,
                "source": "construction (items fill the bins exactly; sum of sizes / bin size is a lower bound)"}
    return None


def load_cache(path: Path = REF_PATH) -> dict[str, dict[str, Any]]:
    return json.loads(path.read_text()) if path.is_file() else {}


def reference(inst: Instance, cache: dict[str, dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """Exact reference, or the cached SCIP one, or None (not computed yet)."""
    ref = exact_reference(inst)
    if ref is not None:
        return ref
    return (load_cache() if cache is None else cache).get(inst.name)


def scip_reference(inst: Instance, time_limit: float) -> dict[str, Any]:
    """SCIP, one thread, ``time_limit`` seconds; the answer re-scored on the original problem."""
    from pyscipopt import Model

    from .mip import run_scip
    t = time.perf_counter()
    x, info = run_scip(inst, None, time_limit, 0)
    out: dict[str, Any] = {"source": f"SCIP {Model().version()}, one thread, {time_limit:g} s limit",
                           "time_s": round(time.perf_counter() - t, 1), "proven": bool(info["proven_optimal"]),
                           "dual_bound": info["dual_bound"], "status": info["scip_status"],
                           "computed": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
    if x is None:
        out["value"] = None
        return out
    s = score(inst.problem, x)
    out["value"] = s.objective if s.feasible else None
    return out


def compute(makers: Iterable[Callable[[], Instance]], time_limit: float, log: Callable[[str], None] = print,
            path: Path = REF_PATH, force: bool = False) -> dict[str, dict[str, Any]]:
    """SCIP references of every instance that has no exact one, saved after each; cached ones kept."""
    cache = load_cache(path)
    for make in makers:
        inst = make()
        if exact_reference(inst) is not None or (inst.name in cache and not force):
            continue
        log(f"{inst.name}: SCIP for up to {time_limit:g} s ...")
        cache[inst.name] = scip_reference(inst, time_limit)
        log(f"  {json.dumps(cache[inst.name])}")
        path.write_text(json.dumps(dict(sorted(cache.items())), indent=1) + "\n")
    return cache


def gap_percent(value: float | None, ref: float | None, sense: str) -> float | None:
    """100 * (value - ref) / |ref| in the direction that makes worse positive; None if either is missing."""
    if value is None or ref is None:
        return None
    diff = value - ref if sense == "min" else ref - value
    return float(100.0 * diff / max(abs(ref), 1e-9))


def within(value: float, ref: float, sense: str, tol_percent: float) -> bool:
    g = gap_percent(value, ref, sense)
    return g is not None and g <= tol_percent + 1e-12
