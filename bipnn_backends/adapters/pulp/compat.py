"""Every difference between PuLP 3.x and PuLP 4.x the adapter relies on, in one place.

PuLP 4 (Python >= 3.12) keeps the model in a Rust core: constraints are a
method, variables are not hashable, unused variables stay in the model
(``exported_variables()`` lists the used ones), infinite bounds are floats,
``assignStatus`` is gone and ``actualSolve`` returns ``buildStats(...)`` with a
:class:`~pulp.constants.LpSolveStatus` and a separate ``has_solution`` flag,
and ``pulp.apis.addSolver`` is the public registration hook.
"""

from __future__ import annotations

from typing import Any

import pulp
import pulp.apis
from pulp import constants as const

from ...result import FEASIBLE, INFEASIBLE, NO_SOLUTION_FOUND, OPTIMAL

PULP_VERSION: str = getattr(pulp, "__version__", "0")
PULP4: bool = hasattr(const, "LpSolveStatus")

DUMMY = "__dummy"  # the variable PuLP adds to a constant objective


def register_solvers(*classes: type) -> None:
    """Make ``getSolver``/``getSolverFromDict``/``listSolvers`` know ``classes`` (idempotent)."""
    known = {s.name for s in pulp.apis._all_solvers}
    new = [c for c in classes if c.name not in known]
    if not new:
        return
    if PULP4:
        pulp.apis.addSolver(*new)
    else:
        pulp.apis._all_solvers.extend(new)


def used_variables(lp: Any) -> list[Any]:
    """The variables of the objective and the constraints, in PuLP's column order."""
    return list(lp.exported_variables()) if PULP4 else list(lp.variables())


def constraints(lp: Any) -> list[tuple[str, Any]]:
    """``(name, constraint)`` pairs; each constraint reads ``sum(items()) + constant (sense) 0``."""
    if PULP4:
        return [(c.name, c) for c in lp.constraints()]
    return list(lp._constraints.items())  # 3.x: names live only in this dict; the public view warns


def start_clock() -> Any:
    """What :func:`finish` needs to time the solve (PuLP 4's ``clocks()``)."""
    if PULP4:
        from pulp.apis.core import clocks
        return clocks()
    return None


def finish(solver: Any, lp: Any, status: str, time_limit_reached: bool, epochs_set: bool, start: Any) -> Any:
    """Record ``status`` (one of the core's) on ``lp`` and return what ``actualSolve`` returns.

    PuLP 3: ``(LpStatus, LpSolution)`` pairs, always with an explicit solution status.
    PuLP 4: ``buildStats`` with the reason the search stopped, as PuLP 4's own MIP solvers
    report a time-limited incumbent (``TimeLimit`` with ``has_solution=True``).
    """
    if PULP4:
        S = const.LpSolveStatus
        stopped = S.TimeLimit if time_limit_reached else (S.IterationLimit if epochs_set else S.Stopped)
        code, has_solution = {
            OPTIMAL: (S.Optimal, True),
            FEASIBLE: (stopped, True),
            INFEASIBLE: (S.Infeasible, False),
            NO_SOLUTION_FOUND: (S.TimeLimit if time_limit_reached else S.NotSolved, False),
        }[status]
        return solver.buildStats(lp, code, has_solution, start=start)
    code, sol_status = {
        OPTIMAL: (const.LpStatusOptimal, const.LpSolutionOptimal),
        FEASIBLE: (const.LpStatusOptimal, const.LpSolutionIntegerFeasible),
        INFEASIBLE: (const.LpStatusInfeasible, const.LpSolutionInfeasible),
        NO_SOLUTION_FOUND: (const.LpStatusNotSolved, const.LpSolutionNoSolutionFound),
    }[status]
    lp.assignStatus(code, sol_status)
    return code


def read_mps(path: str, maximize: bool | None) -> Any:
    """Read an MPS file into an ``LpProblem``.

    ``maximize`` True/False: the file's objective is as written and has this sense (an
    ``OBJSENSE`` section). None: the file only has PuLP's ``*SENSE:`` comment, or nothing;
    then the installed PuLP's own convention applies (PuLP 4 negates a maximisation's
    coefficients when it writes them and negates them back when it reads).
    """
    if maximize is None:
        sense = const.LpMaximize if _sense_comment(path) == "Maximize" else const.LpMinimize
        return pulp.LpProblem.fromMPS(path, sense=sense)[1]
    lp = pulp.LpProblem.fromMPS(path, sense=const.LpMinimize)[1]
    if maximize:
        lp.sense = const.LpMaximize
    return lp


def _sense_comment(path: str) -> str | None:
    with open(path) as f:
        first = f.readline().strip()
    return first.split(":", 1)[1].strip() if first.startswith("*SENSE:") else None


def is_integer_category(cat: str) -> bool:
    """Integer and binary (PuLP stores a binary as an integer in [0, 1])."""
    return cat in (const.LpInteger, const.LpBinary)
