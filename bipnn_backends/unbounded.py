"""Integers that stay unbounded after presolve: a proof of unboundedness (or infeasibility) instead of an error.

Presolve raises :class:`~.errors.UnboundedVariableError` for an integer whose range neither its
declaration, the linear rows nor dual fixing make finite. For a linear model (rational data) two
facts settle many of these models exactly:

- the LP relaxation is infeasible: so is the integer program (proven ``infeasible``);
- the LP relaxation is unbounded and one feasible integer point exists: the integer program is
  unbounded (Meyer: the integer hull of a rational polyhedron has the relaxation's recession cone),
  proven ``unbounded``, reported with that point.

The feasible point is the relaxation's feasible point rounded when that is feasible, else what the
usual solve finds on the model with every unbounded integer boxed within :data:`BOX` of that point
(a point feasible in the box is feasible in the model). When neither fact is found the original
error stands.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Callable

import numpy as np

from .core.continuous import Column
from .core.evaluate import evaluate_problem
from .core.presolve import implied_bounds, presolve
from .core.problem import BinaryProblem
from .errors import UnboundedVariableError
from .lp import INFEASIBLE as LP_INFEASIBLE, UNBOUNDED as LP_UNBOUNDED, relaxation_outcome
from .options import Options
from .result import CONVERGED, FEASIBLE, INFEASIBLE, OPTIMAL, PROVEN, UNBOUNDED, SolveResult

BOX = 1000.0           # an unbounded integer is searched within this distance of the relaxation's point
SEARCH_SHARE = 0.5     # share of the time limit the search for a feasible point may use


def check_presolve(problem: BinaryProblem, tol: float) -> None:
    """Raise presolve's model error unless the LP relaxation may settle the model (infeasible or
    unbounded relaxation): the up-front check of adapters that solve in another process."""
    try:
        presolve(problem, tol)
    except UnboundedVariableError:
        out = relaxation_outcome(problem, tol)
        if out is None or out.status not in (LP_INFEASIBLE, LP_UNBOUNDED):
            raise


def settle_unbounded(problem: BinaryProblem, opts: Options, error: UnboundedVariableError,
                     solve: Callable[..., SolveResult]) -> SolveResult:
    """The proven status of ``problem`` whose presolve raised ``error`` (see the module docstring), or
    ``error`` raised again (with the reason no proof was found)."""
    out = relaxation_outcome(problem, opts.tolerance)
    if out is None:
        raise error
    if out.status == LP_INFEASIBLE:
        return SolveResult(INFEASIBLE, PROVEN, message="proven infeasible: the LP relaxation is infeasible (HiGHS)")
    if out.status != LP_UNBOUNDED:
        raise error
    found = rounded_point(problem, out.y, opts.tolerance)
    if found is None:
        found = solve(boxed(problem, out.y, opts.tolerance), _search_options(opts))
    if found.solution_status == UNBOUNDED:
        return found
    if found.solution_status not in (OPTIMAL, FEASIBLE):
        raise UnboundedVariableError(f"{error} (the LP relaxation is unbounded, but no feasible integer point was "
                                     "found to prove the model unbounded)") from error
    sign = 1.0 if problem.sense == "min" else -1.0
    return SolveResult(UNBOUNDED, PROVEN, x=found.x, values=found.values, objective=-sign * math.inf,
                       stats={"feasible_point_objective": found.objective, **found.stats},
                       message="proven unbounded: the LP relaxation is unbounded (HiGHS) and a feasible integer "
                               "point exists (the one reported)")


def rounded_point(problem: BinaryProblem, point: np.ndarray, tol: float) -> SolveResult | None:
    """The relaxation's feasible point with the binaries and integer columns rounded, as a feasible
    result when it is feasible (verified on ``problem``), else None."""
    n = problem.n_binaries
    x = np.round(point[:n])
    y = point[n:].copy()
    integer = np.array([c.kind == "integer" for c in problem.columns], dtype=bool)
    y[integer] = np.round(y[integer])
    vals = evaluate_problem(problem, x, tol, Y=y[None, :])
    if not vals.feasible[0]:
        return None
    values = problem.decode(x)
    values.update({c.key: float(v) for c, v in zip(problem.columns, y)})
    return SolveResult(FEASIBLE, CONVERGED, x=x, values=values, objective=float(vals.objective[0]), max_violation=0.0,
                       message="the LP relaxation's point, rounded")


def boxed(problem: BinaryProblem, point, tol: float) -> BinaryProblem:
    """``problem`` with every integer column that has no finite implied bounds boxed within
    :data:`BOX` of its value at ``point`` (the relaxation's variables: binaries, then columns)."""
    lb, ub, _ = implied_bounds(problem, tol)
    n = problem.n_binaries
    columns = []
    for j, c in enumerate(problem.columns):
        if c.kind == "integer" and not (math.isfinite(lb[j]) and math.isfinite(ub[j])):
            mid = round(float(point[n + j]))
            lo = max(lb[j], mid - BOX) if math.isfinite(lb[j]) else mid - BOX
            hi = min(ub[j], mid + BOX) if math.isfinite(ub[j]) else mid + BOX
            c = Column(c.name, c.kind, lo, hi, c.key)
        columns.append(c)
    return dataclasses.replace(problem, columns=columns)


def _search_options(opts: Options) -> Options:
    """The options of the search for a feasible point: a share of the time limit."""
    if opts.time_limit is None or not math.isfinite(opts.time_limit):
        return opts
    return dataclasses.replace(opts, time_limit=SEARCH_SHARE * opts.time_limit)


__all__ = ["BOX", "check_presolve", "settle_unbounded", "rounded_point", "boxed"]
