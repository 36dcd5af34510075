"""Reference values of the `mixed` instances: SCIP and HiGHS, one thread, a long limit each, once;
the better feasible value (re-scored by our verifier) is kept in ``benchmarks/mixed_refs.json``
with who found it, whether either proved it optimal, and the better dual bound.

``python -m benchmarks.mixed_refs [--time-limit 300] [--only label,...] [--force]``
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
from typing import Any

from .suite_mixed import REF_PATH, entries, load_refs


def compute_one(inst: Any, time_limit: float) -> dict[str, Any]:
    from . import mixed as gen
    from .mixed_solvers import run_highs, run_scip
    sign = 1.0 if inst.problem.sense == "min" else -1.0
    out: dict[str, Any] = {"time_limit_s": time_limit, "runs": {},
                           "computed": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")}
    best, bounds = None, []
    for who, run in (("SCIP", run_scip), ("HiGHS", run_highs)):
        v, info = run(inst, time_limit, 0)
        s = gen.score(inst, v) if v is not None else None
        value = s.objective if s is not None and s.feasible else None
        out["runs"][who] = {"value": value, "proven": bool(info.get("proven_optimal")),
                            "dual_bound": info.get("dual_bound"),
                            "status": info.get("scip_status", info.get("highs_status"))}
        if info.get("dual_bound") is not None:
            bounds.append(float(info["dual_bound"]))
        if value is not None and (best is None or sign * value < sign * best[0]):
            best = (value, who)
    out["value"] = None if best is None else best[0]
    out["by"] = None if best is None else best[1]
    out["proven"] = any(r["proven"] and r["value"] is not None and best is not None
                        and abs(r["value"] - best[0]) <= 1e-4 * max(1.0, abs(best[0]))
                        for r in out["runs"].values())
    out["dual_bound"] = (max(bounds) if sign > 0 else min(bounds)) if bounds else None
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.mixed_refs", description=__doc__)
    ap.add_argument("--time-limit", type=float, default=300.0, help="seconds per solver and instance")
    ap.add_argument("--only", help="comma-separated instance labels")
    ap.add_argument("--force", action="store_true", help="recompute cached values")
    a = ap.parse_args(argv)
    refs = load_refs()
    for e in entries(a.only.split(",") if a.only else None):
        inst = e.make()
        if inst.name in refs and not a.force:
            continue
        print(f"{inst.name}: SCIP and HiGHS for up to {a.time_limit:g} s each ...", flush=True)
        refs[inst.name] = compute_one(inst, a.time_limit)
        print("  " + json.dumps(refs[inst.name]), flush=True)
        REF_PATH.write_text(json.dumps(dict(sorted(refs.items())), indent=1) + "\n")


if __name__ == "__main__":
    main()
