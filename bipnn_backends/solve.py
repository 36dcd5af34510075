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

from .callback import Watch
from .core.brute_force import brute_force
from .core.evaluate import evaluate_problem
from .core.problem import BinaryProblem
from .core.reformulate import reformulate
from .options import Options, make_options
from .pool import PoolSolution, build_pool, exhaustive_pool
from .progress import progress_display
from .result import FEASIBLE, INFEASIBLE, NO_SOLUTION_FOUND, OPTIMAL, SolveResult

log = logging.getLogger("bipnn_backends")


def solve(problem: BinaryProblem, options: Options | Mapping[str, Any] | None = None, **kwargs: Any) -> SolveResult:
    """Solve ``problem``; options by canonical name (see :class:`Options`)."""
    opts = make_options(options, **kwargs)
    t0 = time.perf_counter()
    reform = reformulate(problem, opts)
    t_reform = time.perf_counter() - t0
    stats: dict[str, Any] = {"sizes": reform.summary(), "time_reformulate": t_reform}
    if reform.infeasible:
        return SolveResult(INFEASIBLE, message="proven infeasible: " + "; ".join(reform.infeasible), stats=stats,
                           stop_reason="proven")
    if problem.n_binaries <= opts.exhaustive_limit:
        return _exhaustive(problem, opts, stats, t0)
    t_import = time.perf_counter()
    from .engine import search  # torch is imported on the first engine solve only

    t0 += time.perf_counter() - t_import  # the one-time import does not count against time_limit
    deadline = None if opts.time_limit is None else t0 + opts.time_limit
    start = problem.encode(opts.warm_start) if opts.warm_start else None
    with progress_display(opts.verbose, t0, opts.time_limit) as progress:
        watch = Watch(problem, opts.tolerance, t0, opts.callback, progress)
        out = search(reform, opts, deadline=deadline, start=start,
                     on_best=watch.on_best if opts.callback or progress else None)
        stats.update(out.stats)
        t_verify = time.perf_counter()
        vals = evaluate_problem(problem, out.candidates, opts.tolerance)
        pool = build_pool(problem, out.candidates, vals.feasible, vals.objective, vals.max_violation,
                          opts.pool_size, opts.pool_distance)
        if pool and (opts.callback or progress):
            watch.on_best(pool[0].x, force=True)  # the returned point, if the engine's energy order hid it
    stats["time_verify"] = time.perf_counter() - t_verify
    stats["history"] = [(t, reform.sign * e) for t, e in out.stats.get("history", [])]
    stats["time_total"] = time.perf_counter() - t0
    if vals.feasible.any():
        score = np.where(vals.feasible, reform.sign * vals.objective, np.inf)
        k = int(np.argmin(score))
        status, message = FEASIBLE, "feasible solution found (optimality not proven)"
    else:
        k = int(np.argmin(vals.max_violation))
        status, message = NO_SOLUTION_FOUND, (
            f"no feasible solution found; the least-violating point violates by {vals.max_violation[k]:.6g}")
    x = out.candidates[k].astype(np.float64)
    stop = "interrupted" if out.stats.get("interrupted") else "time_limit" if out.time_limit_reached else (
        "converged" if out.stats.get("converged") else "epochs")
    return SolveResult(status, x, problem.decode(x), float(vals.objective[k]), float(vals.max_violation[k]),
                       out.time_limit_reached, message, stats, stop, pool)


def _exhaustive(problem: BinaryProblem, opts: Options, stats: dict, t0: float) -> SolveResult:
    ref = brute_force(problem, opts.tolerance)
    stats.update(method="exhaustive", points=ref.points, time_total=time.perf_counter() - t0)
    if ref.x is None:
        return SolveResult(INFEASIBLE, message=f"proven infeasible by exhaustive search over {ref.points} points",
                           stats=stats, stop_reason="proven")
    violation = float(evaluate_problem(problem, ref.x, opts.tolerance).max_violation[0])
    pool = exhaustive_pool(problem, opts.pool_size, opts.pool_distance, opts.tolerance) if opts.pool_size > 1 else [
        PoolSolution(ref.objective, problem.decode(ref.x), violation, ref.x)]
    if opts.callback is not None:
        Watch(problem, opts.tolerance, t0, opts.callback).on_best(ref.x)
    return SolveResult(OPTIMAL, ref.x, problem.decode(ref.x), ref.objective, violation, False,
                       f"proven optimal by exhaustive search over {ref.points} points", stats, "proven", pool)
