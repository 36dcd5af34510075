"""The seven entry points behind one interface, for the conformance suite.

Each :class:`Entry` builds a :class:`models.Spec` in its host, solves it with options by
canonical name, and reports a host-neutral :class:`Outcome` read back from the host's own
status fields and variables. ``tests/test_conformance.py`` runs all of them on PuLP 3;
``tests_pulp4`` runs the PuLP ones on PuLP 4.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any, Callable

import models


@dataclass
class Outcome:
    kind: str                        # "optimal", "feasible", "infeasible", "unbounded" or "none"
    objective: float | None
    values: dict[str, float | None]  # what the host's variables hold after the solve
    time_limited: bool | None        # the host said "time limit" (None: the host cannot say it)


@dataclass
class Entry:
    name: str
    build: Callable[[models.Spec], tuple[Any, dict[str, Any]]]
    solve: Callable[[Any, dict[str, Any], dict[str, Any]], Outcome]
    host_error: type[Exception]


# -- PuLP -------------------------------------------------------------------------------------
def _pulp_solve(cls_name: str) -> Callable[[Any, dict[str, Any], dict[str, Any]], Outcome]:
    def solve(prob: Any, xs: dict[str, Any], options: dict[str, Any]) -> Outcome:
        import pulp

        from bipnn_backends import pulp as bp
        from bipnn_backends.adapters.pulp import compat

        opts = dict(options)
        time_limit = opts.pop("time_limit", None)
        ret = prob.solve(getattr(bp, cls_name)(msg=False, timeLimit=time_limit, **opts))
        values = {n: v.varValue for n, v in xs.items()}
        if compat.PULP4:
            S = pulp.constants.LpSolveStatus
            kind = {S.Optimal: "optimal", S.Infeasible: "infeasible", S.Unbounded: "unbounded"}.get(
                ret.status, "feasible" if ret.has_solution else "none")
            return Outcome(kind, ret.objective if ret.has_solution else None, values, ret.status == S.TimeLimit)
        kind = {(pulp.LpStatusOptimal, pulp.LpSolutionOptimal): "optimal",
                (pulp.LpStatusOptimal, pulp.LpSolutionIntegerFeasible): "feasible",
                (pulp.LpStatusInfeasible, pulp.LpSolutionInfeasible): "infeasible",
                (pulp.LpStatusUnbounded, pulp.LpSolutionUnbounded): "unbounded",
                (pulp.LpStatusNotSolved, pulp.LpSolutionNoSolutionFound): "none"}[prob.status, prob.sol_status]
        objective = pulp.value(prob.objective) if kind in ("optimal", "feasible") else None
        return Outcome(kind, objective, values, None)

    return solve


# -- Pyomo ------------------------------------------------------------------------------------
def _pyomo_legacy(m: Any, xs: dict[str, Any], options: dict[str, Any]) -> Outcome:
    import pyomo.environ as pyo
    from pyomo.opt import TerminationCondition as TC

    res = pyo.SolverFactory("bipnn").solve(m, options=options)  # loads a solution into the Vars, if any
    tc = res.solver.termination_condition
    loaded = all(v.value is not None for v in xs.values())
    kind = "optimal" if tc == TC.optimal else "infeasible" if tc == TC.infeasible else \
        "unbounded" if tc == TC.unbounded else "feasible" if loaded else "none"
    objective = pyo.value(m.obj) if kind in ("optimal", "feasible") else None
    return Outcome(kind, objective, {n: v.value for n, v in xs.items()}, tc == TC.maxTimeLimit)


def _pyomo_contrib(m: Any, xs: dict[str, Any], options: dict[str, Any]) -> Outcome:
    from pyomo.contrib.solver.common.factory import SolverFactory
    from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition as TC

    res = SolverFactory("bipnn").solve(m, solver_options=options, raise_exception_on_nonoptimal_result=False,
                                       load_solutions=False)
    if res.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible):
        res.solution_loader.load_vars()
    kind = {SolutionStatus.optimal: "optimal", SolutionStatus.feasible: "feasible"}.get(
        res.solution_status, "infeasible" if res.termination_condition == TC.provenInfeasible else
        "unbounded" if res.termination_condition == TC.unbounded else "none")
    return Outcome(kind, res.incumbent_objective, {n: v.value for n, v in xs.items()},
                   res.termination_condition == TC.maxTimeLimit)


# -- CVXPY ------------------------------------------------------------------------------------
def _cvxpy_solve(method: bool) -> Callable[[Any, dict[str, Any], dict[str, Any]], Outcome]:
    def solve(prob: Any, xs: dict[str, Any], options: dict[str, Any]) -> Outcome:
        import cvxpy as cp

        from bipnn_backends.cvxpy import BIPNN

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if method:
                prob.solve(method="bipnn", **options)
            else:
                prob.solve(solver=BIPNN(), **options)
        kind = {cp.OPTIMAL: "optimal", cp.USER_LIMIT: "feasible", cp.INFEASIBLE: "infeasible",
                cp.UNBOUNDED: "unbounded", cp.INFEASIBLE_INACCURATE: "none"}[prob.status]
        values = {n: None if v.value is None else float(v.value) for n, v in xs.items()}
        return Outcome(kind, prob.value if kind in ("optimal", "feasible") else None, values, None)

    return solve


def entries(pulp_only: bool = False) -> list[Entry]:
    """Every entry point installed here (PuLP's two on PuLP 4, where the suite has no other host)."""
    import pulp

    out = [Entry("pulp-BIPNN", models.to_pulp, _pulp_solve("BIPNN"), pulp.PulpSolverError),
           Entry("pulp-BIPNN_CMD", models.to_pulp, _pulp_solve("BIPNN_CMD"), pulp.PulpSolverError)]
    if pulp_only:
        return out
    import cvxpy.error
    from pyomo.common.errors import PyomoException

    return out + [
        Entry("pyomo-legacy", models.to_pyomo, _pyomo_legacy, PyomoException),
        Entry("pyomo-contrib", models.to_pyomo, _pyomo_contrib, PyomoException),
        Entry("cvxpy-solver", models.to_cvxpy, _cvxpy_solve(False), cvxpy.error.SolverError),
        Entry("cvxpy-method", models.to_cvxpy, _cvxpy_solve(True), cvxpy.error.SolverError),
    ]
