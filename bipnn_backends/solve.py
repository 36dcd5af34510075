"""``solve(problem, options) -> SolveResult``: the one entry point adapters call.

Reformulate (core, numpy) → proven infeasibility, or the cheapest constructions when
``time_limit`` is 0, or exhaustive proof on tiny problems (no torch needed) → engine
(torch) → verify every candidate on the ORIGINAL problem → the best feasible point,
with an honest status. Every phase after the reformulation holds the time limit.
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
from .core.pubo import Reformulation
from .core.reformulate import reformulate
from .options import Options, deadline_at, make_options
from .pool import POOL_NEIGHBOUR_ENTRIES, PoolSolution, build_pool, exhaustive_pool, flip_neighbours
from .progress import progress_display
from .result import (CONVERGED, EPOCHS, FEASIBLE, INFEASIBLE, INTERRUPTED, NONE, OPTIMAL, PROVEN, TIME_LIMIT,
                     SolveResult)

log = logging.getLogger("bipnn_backends")


def solve(problem: BinaryProblem, options: Options | Mapping[str, Any] | None = None, **kwargs: Any) -> SolveResult:
    """Solve ``problem``; options by canonical name (see :class:`Options`)."""
    opts = make_options(options, **kwargs)
    problem.check_keys()
    if problem.has_columns:  # continuous variables or integers without bounds: presolve + LP
        from .mixed import solve_mixed
        return solve_mixed(problem, opts, solve, constructions)
    t0 = time.perf_counter()
    reform = reformulate(problem, opts)
    t_reform = time.perf_counter() - t0
    stats: dict[str, Any] = {"sizes": reform.summary(), "time_reformulate": t_reform}
    if reform.infeasible:
        return SolveResult(INFEASIBLE, PROVEN, message="proven infeasible: " + "; ".join(reform.infeasible),
                           stats=stats)
    if opts.time_limit == 0:
        return _construct(problem, reform, opts, stats, t0)
    if problem.n_binaries <= opts.exhaustive_limit:
        return _exhaustive(problem, opts, stats, t0)
    t_import = time.perf_counter()
    from .engine import search  # torch is imported on the first engine solve only

    t0 += time.perf_counter() - t_import  # the one-time import does not count against time_limit
    start = problem.encode(opts.warm_start) if opts.warm_start else None
    with progress_display(opts.verbose, t0, opts.time_limit) as progress:
        watch = Watch(problem, opts.tolerance, t0, opts.callback, progress)
        out = search(reform, opts, deadline=deadline_at(t0, opts.time_limit), start=start,
                     on_best=watch.on_best if opts.callback or progress else None)
        stats.update(out.stats)
        t_verify = time.perf_counter()
        candidates = np.concatenate((out.candidates, constructions(problem, reform, opts)))  # never miss a trivial point
        status, k, vals, message = _best(problem, candidates, opts)
        pool = _widened_pool(problem, reform, _pool(problem, candidates, vals, opts), candidates, vals, opts)
        if pool and (opts.callback or progress):
            watch.on_best(pool[0].x, force=True)  # the returned point, if the engine's energy order hid it
    stats["time_verify"] = time.perf_counter() - t_verify
    stats["history"] = [(t, reform.sign * e) for t, e in out.stats.get("history", [])]
    if "first_feasible_at" in out.stats:  # the constraint-aware search: first chain holding a feasible point
        stats["time_first_feasible"] = max(0.0, stats.pop("first_feasible_at") - t0)
    stats["time_total"] = time.perf_counter() - t0
    x = candidates[k].astype(np.float64)
    stop = INTERRUPTED if out.stats.get("interrupted") else TIME_LIMIT if out.time_limit_reached else (
        CONVERGED if out.stats.get("converged") else EPOCHS)
    return SolveResult(status, stop, x=x, values=problem.decode(x), objective=float(vals.objective[k]),
                       max_violation=float(vals.max_violation[k]), message=message, stats=stats, pool=pool)


def _pool(problem: BinaryProblem, X: np.ndarray, vals: Any, opts: Options) -> list[PoolSolution]:
    """The best distinct verified feasible rows of X (options pool_size, pool_distance); see pool.py."""
    return build_pool(problem, X, vals.feasible, vals.objective, vals.max_violation, opts.pool_size,
                      opts.pool_distance)


def _widened_pool(problem: BinaryProblem, reform: Reformulation, pool: list[PoolSolution], X: np.ndarray,
                  vals: Any, opts: Options) -> list[PoolSolution]:
    """A pool of K > 1 chosen again with the 1-flip neighbours of its entries among the candidates: the
    search's chains often end in few distinct points (a 40-item knapsack's 8-pool had 6 entries, or the
    empty knapsack as its 8th), while a near-best alternative is often one flip from a pooled point.
    The neighbours evaluated are bounded by ``POOL_NEIGHBOUR_ENTRIES`` row entries in all."""
    if opts.pool_size == 1 or not pool:
        return pool
    per_row = problem.n_binaries + len(reform.pubo.indices) + len(reform.structure.rows.indices)
    N = flip_neighbours(np.array([e.x for e in pool]), POOL_NEIGHBOUR_ENTRIES // max(per_row, 1), opts.seed)
    if not len(N):
        return pool
    nv = evaluate_problem(problem, N, opts.tolerance)
    return build_pool(problem, np.concatenate((X, N)), np.concatenate((vals.feasible, nv.feasible)),
                      np.concatenate((vals.objective, nv.objective)),
                      np.concatenate((vals.max_violation, nv.max_violation)), opts.pool_size, opts.pool_distance)


def _best(problem: BinaryProblem, X: np.ndarray, opts: Options) -> tuple[str, int, Any, str]:
    """Verify the rows of X on the original problem: (status, row of the best, values, message)."""
    vals = evaluate_problem(problem, X, opts.tolerance)
    if vals.feasible.any():
        sign = 1.0 if problem.sense == "min" else -1.0
        k = int(np.argmin(np.where(vals.feasible, sign * vals.objective, np.inf)))
        return FEASIBLE, k, vals, "feasible solution found (optimality not proven)"
    k = int(np.argmin(vals.max_violation))
    return NONE, k, vals, (
        f"no feasible solution found; the least-violating point violates by {vals.max_violation[k]:.6g}")


def constructions(problem: BinaryProblem, reform: Reformulation, opts: Options) -> np.ndarray:
    """The cheapest candidate points, in O(variables + nonzeros): the warm start (if any),
    all zeros, all ones, and each variable at the sign of its linear PUBO coefficient."""
    n = problem.n_binaries
    pubo = reform.pubo
    linear = np.diff(pubo.offsets) == 1
    greedy = np.zeros(n)
    greedy[pubo.indices[pubo.offsets[:-1][linear]]] = (pubo.coefs[linear] < 0).astype(np.float64)
    rows = [np.zeros(n), np.ones(n), greedy]
    if opts.warm_start:
        rows.insert(0, problem.encode(opts.warm_start))
    return np.array(rows)


def _construct(problem: BinaryProblem, reform: Reformulation, opts: Options, stats: dict, t0: float) -> SolveResult:
    """``time_limit=0``: no search; the best verified point among :func:`constructions`."""
    X = constructions(problem, reform, opts)
    status, k, vals, message = _best(problem, X, opts)
    stats.update(method="construction", time_total=time.perf_counter() - t0)
    return SolveResult(status, TIME_LIMIT, x=X[k], values=problem.decode(X[k]), objective=float(vals.objective[k]),
                       max_violation=float(vals.max_violation[k]),
                       message=(f"no time left for a search (time_limit 0, or used up by translation): {message} "
                                "among the cheapest constructions"), stats=stats,
                       pool=_pool(problem, X, vals, opts))


def _exhaustive(problem: BinaryProblem, opts: Options, stats: dict, t0: float) -> SolveResult:
    ref = brute_force(problem, opts.tolerance, deadline=deadline_at(t0, opts.time_limit))
    stats.update(method="exhaustive", points=ref.points, time_total=time.perf_counter() - t0)
    if not ref.complete:  # cut short by the time limit: nothing is proven
        seen = f"exhaustive search stopped by the time limit after {ref.points} of {2 ** problem.n_binaries} points"
        x = ref.x if ref.x is not None else ref.least_x
        vals = evaluate_problem(problem, x, opts.tolerance)
        status = FEASIBLE if ref.x is not None else NONE
        message = (f"feasible solution found (optimality not proven: {seen})" if ref.x is not None else
                   f"no feasible solution found ({seen}); the least-violating point violates by "
                   f"{vals.max_violation[0]:.6g}")
        return SolveResult(status, TIME_LIMIT, x=x, values=problem.decode(x), objective=float(vals.objective[0]),
                           max_violation=float(vals.max_violation[0]), message=message, stats=stats,
                           pool=_pool(problem, np.atleast_2d(x), vals, opts))
    if ref.x is None:
        return SolveResult(INFEASIBLE, PROVEN, stats=stats,
                           message=f"proven infeasible by exhaustive search over {ref.points} points")
    violation = float(evaluate_problem(problem, ref.x, opts.tolerance).max_violation[0])
    pool = [PoolSolution(ref.objective, problem.decode(ref.x), violation, ref.x)] if opts.pool_size == 1 else \
        exhaustive_pool(problem, opts.pool_size, opts.pool_distance, opts.tolerance, deadline_at(t0, opts.time_limit))
    if opts.callback is not None:
        Watch(problem, opts.tolerance, t0, opts.callback).on_best(ref.x)
    return SolveResult(OPTIMAL, PROVEN, x=ref.x, values=problem.decode(ref.x), objective=ref.objective,
                       max_violation=violation, message=f"proven optimal by exhaustive search over {ref.points} points",
                       stats=stats, pool=pool)
