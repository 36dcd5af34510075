"""The bipnn result's status as PuLP records it: one table per PuLP major version.

PuLP 3 stores an ``LpStatus`` and an ``LpSolution`` code on the problem; PuLP 4
returns ``buildStats(...)`` with an :class:`~pulp.constants.LpSolveStatus` and a
separate ``has_solution`` flag (see :mod:`.compat`).
"""

from __future__ import annotations

from typing import Any

from pulp import constants as const

from ...result import CONVERGED, EPOCHS, FEASIBLE, INFEASIBLE, INTERRUPTED, NONE, OPTIMAL, TIME_LIMIT, UNBOUNDED
from .compat import PULP4

if PULP4:
    _S = const.LpSolveStatus
    #: PuLP 4: termination -> LpSolveStatus of a search that stopped without a proof.
    PULP4_STOPPED = {TIME_LIMIT: _S.TimeLimit, EPOCHS: _S.IterationLimit, CONVERGED: _S.Stopped,
                     INTERRUPTED: _S.Interrupted}
    #: PuLP 4: solution status -> (LpSolveStatus, or None for "by termination"; has_solution).
    PULP4_STATUS = {OPTIMAL: (_S.Optimal, True), INFEASIBLE: (_S.Infeasible, False),
                    FEASIBLE: (None, True), NONE: (None, False), UNBOUNDED: (_S.Unbounded, False)}
else:
    #: PuLP 3: solution status -> (LpStatus, LpSolution); always an explicit solution status.
    PULP3_STATUS = {
        OPTIMAL: (const.LpStatusOptimal, const.LpSolutionOptimal),
        FEASIBLE: (const.LpStatusOptimal, const.LpSolutionIntegerFeasible),
        INFEASIBLE: (const.LpStatusInfeasible, const.LpSolutionInfeasible),
        NONE: (const.LpStatusNotSolved, const.LpSolutionNoSolutionFound),
        UNBOUNDED: (const.LpStatusUnbounded, const.LpSolutionUnbounded),
    }


def finish(solver: Any, lp: Any, solution_status: str, termination: str, start: Any) -> Any:
    """Record the result's status on ``lp`` and return what ``actualSolve`` returns.

    PuLP 3: the ``LpStatus`` code, with an explicit solution status.
    PuLP 4: ``buildStats`` with the reason the search stopped, as PuLP 4's own MIP solvers
    report a time-limited incumbent (``TimeLimit`` with ``has_solution=True``).
    """
    if PULP4:
        code, has_solution = PULP4_STATUS[solution_status]
        return solver.buildStats(lp, code or PULP4_STOPPED[termination], has_solution, start=start)
    code, sol_status = PULP3_STATUS[solution_status]
    lp.assignStatus(code, sol_status)
    return code
