"""``solve(problem, options) -> SolveResult``: the one entry point adapters call.

Reformulate (core, numpy) → proven infeasibility or exhaustive proof on tiny
problems (no torch needed) → engine (torch) → verify every candidate on the
ORIGINAL problem → the best feasible point, with an honest status.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Mapping

import numpy as np

from .core.brute_force import brute_force
from .core.evaluate import evaluate_problem
from .core.problem import BinaryProblem
from .core.reformulate import reformulate
from .options import Options, make_options
from .result import (CONVERGED, EPOCHS, FEASIBLE, INFEASIBLE, INTERRUPTED, NONE, OPTIMAL, PROVEN, TIME_LIMIT,
                     SolveResult)

log = logging.getLogger("bipnn_backends")


def solve(problem: BinaryProblem, options: Options | Mapping[str, Any] | None = None, **kwargs: Any) -> SolveResult:
    """Solve ``problem``; options by canonical name (see :class:`Options`)."""
    opts = make_options(options, **kwargs)
    t0 = time.perf_counter()
    reform = reformulate(problem, opts)
    t_reform = time.perf_counter() - t0
    stats: dict[str, Any] = {"sizes": reform.summary(), "time_reformulate": t_reform}
    if reform.infeasible:
        return SolveResult(INFEASIBLE, PROVEN, message="proven infeasible: " + "; ".join(reform.infeasible),
                           stats=stats)
    if problem.n_binaries <= opts.exhaustive_limit:
        return _exhaustive(problem, opts, stats, t0)
    t_import = time.perf_counter()
    from .engine import search  # torch is imported on the first engine solve only

    t0 += time.perf_counter() - t_import  # the one-time import does not count against time_limit
    deadline = None if opts.time_limit is None else t0 + opts.time_limit
    start = problem.encode(opts.warm_start) if opts.warm_start else None
    out = search(reform, opts, deadline=deadline, start=start)
    stats.update(out.stats)
    t_verify = time.perf_counter()
    vals = evaluate_problem(problem, out.candidates, opts.tolerance)
    stats["time_verify"] = time.perf_counter() - t_verify
    stats["history"] = [(t, reform.sign * e) for t, e in out.stats.get("history", [])]
    stats["time_total"] = time.perf_counter() - t0
    if vals.feasible.any():
        score = np.where(vals.feasible, reform.sign * vals.objective, np.inf)
        k = int(np.argmin(score))
        status, message = FEASIBLE, "feasible solution found (optimality not proven)"
    else:
        k = int(np.argmin(vals.max_violation))
        status, message = NONE, (
            f"no feasible solution found; the least-violating point violates by {vals.max_violation[k]:.6g}")
    x = out.candidates[k].astype(np.float64)
    stop = INTERRUPTED if out.stats.get("interrupted") else TIME_LIMIT if out.time_limit_reached else (
        CONVERGED if out.stats.get("converged") else EPOCHS)
    return SolveResult(status, stop, x, problem.decode(x), float(vals.objective[k]), float(vals.max_violation[k]),
                       message, stats)


def _exhaustive(problem: BinaryProblem, opts: Options, stats: dict, t0: float) -> SolveResult:
    ref = brute_force(problem, opts.tolerance)
    stats.update(method="exhaustive", points=ref.points, time_total=time.perf_counter() - t0)
    if ref.x is None:
        return SolveResult(INFEASIBLE, PROVEN, stats=stats,
                           message=f"proven infeasible by exhaustive search over {ref.points} points")
    violation = float(evaluate_problem(problem, ref.x, opts.tolerance).max_violation[0])
    return SolveResult(OPTIMAL, PROVEN, ref.x, problem.decode(ref.x), ref.objective, violation,
                       f"proven optimal by exhaustive search over {ref.points} points", stats)
