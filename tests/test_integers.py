"""Integers: the ones bounded only by optimality (an unbounded integer program is reported unbounded)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bipnn_backends import solve
from bipnn_backends.core.evaluate import evaluate_problem
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.errors import UnboundedVariableError
from bipnn_backends.lp import INFEASIBLE, OPTIMAL, UNBOUNDED, relaxation_outcome


def _check_point(problem: BinaryProblem, values: dict) -> None:
    """The reported point is feasible on the problem as built (the columns' values by key)."""
    x = problem.encode({v.key: values[v.key] for v in problem.variables})
    y = np.array([[values[c.key] for c in problem.columns]])
    assert evaluate_problem(problem, x, 1e-6, Y=y).feasible[0]
    assert all(float(values[c.key]).is_integer() for c in problem.columns if c.kind == "integer")


def test_relaxation_outcome_statuses():
    p = BinaryProblem()
    x = p.add_binary("x")
    k = p.add_column("k", "integer", None, None)
    p.set_objective(k + x)
    out = relaxation_outcome(p)
    assert out.status == UNBOUNDED and out.value == -np.inf and len(out.y) == 2
    p.add_constraint(k, ">=", 2.5, "low")
    out = relaxation_outcome(p)
    assert out.status == OPTIMAL and out.y[1] == pytest.approx(2.5) and out.value == pytest.approx(2.5)
    p.add_constraint(k + 3 * x, "<=", 1, "high")
    assert relaxation_outcome(p).status == INFEASIBLE
    q = BinaryProblem()
    a, b = q.add_binary("a"), q.add_binary("b")
    q.set_objective(a * b)
    assert relaxation_outcome(q) is None  # nonlinear: no LP relaxation


def test_free_integer_in_the_objective_is_unbounded():
    """Pyomo's MILP_unbounded in the core: min k, k integer without bounds."""
    for sense, sign in (("min", -1), ("max", 1)):
        p = BinaryProblem()
        k = p.add_column("k", "integer", None, None)
        p.set_objective(k, sense)
        r = solve(p)
        assert (r.solution_status, r.termination) == ("unbounded", "proven")
        assert r.objective == sign * np.inf
        _check_point(p, r.values)


def test_unbounded_with_binaries_and_rows():
    p = BinaryProblem()
    x = p.add_binary("x")
    k = p.add_column("k", "integer", 0, None)
    p.set_objective(x - k)
    p.add_constraint(k - 5 * x, ">=", 0, "link")
    r = solve(p)
    assert r.solution_status == "unbounded" and "feasible integer point" in r.message
    _check_point(p, r.values)


def test_feasible_point_found_by_the_boxed_search():
    """3k - 7j = 1: the relaxation's point is fractional, rounding it breaks the row; the search on
    the boxed model finds an integer point (k = 5 + 7t, j = 2 + 3t)."""
    p = BinaryProblem()
    k = p.add_column("k", "integer", None, None)
    j = p.add_column("j", "integer", None, None)
    p.set_objective(k + j)
    p.add_constraint(3 * k - 7 * j, "==", 1, "a")
    r = solve(p, time_limit=2, seed=0)
    assert r.solution_status == "unbounded"
    _check_point(p, r.values)
    assert 3 * r.values["k"] - 7 * r.values["j"] == 1


def test_infeasible_relaxation_is_proven_infeasible():
    p = BinaryProblem()
    k = p.add_column("k", "integer", None, None)
    j = p.add_column("j", "integer", None, None)
    p.set_objective(k)
    p.add_constraint(k - j, ">=", 1, "a")
    p.add_constraint(k - j, "<=", 0, "b")
    r = solve(p)
    assert (r.solution_status, r.termination) == ("infeasible", "proven")


def test_error_stays_where_the_range_matters():
    """A bounded optimum (LP relaxation optimal) with no finite range, and a nonlinear model: no proof."""
    p = BinaryProblem()
    k = p.add_column("k", "integer", None, None)
    j = p.add_column("j", "integer", None, None)
    p.set_objective(k - j)
    p.add_constraint(k - j, ">=", 1, "gap")
    with pytest.raises(UnboundedVariableError, match="'k'"):
        solve(p)
    q = BinaryProblem()
    a, b = q.add_binary("a"), q.add_binary("b")
    k = q.add_column("k", "integer", 0, None)
    q.set_objective(a * b - k)
    with pytest.raises(UnboundedVariableError, match="'k'"):
        solve(q)


def test_integer_points_with_no_feasible_one_in_the_box_keep_the_error():
    """An unbounded relaxation whose integer points are all infeasible (2k - 2j = 1): the search finds
    none, so nothing is proven and the error says why."""
    p = BinaryProblem()
    k = p.add_column("k", "integer", None, None)
    j = p.add_column("j", "integer", None, None)
    c = p.add_column("c", "continuous", 0, None)
    p.set_objective(k + j - c)
    p.add_constraint(2 * k - 2 * j, "==", 1, "odd")
    with pytest.raises(UnboundedVariableError, match="no feasible integer point was found"):
        solve(p, time_limit=1)


@pytest.mark.parametrize("interface", ["legacy", "contrib"])
@pytest.mark.parametrize("name", ["MILP_unbounded", "MILP_unbounded_kernel"])
def test_pyomo_milp_unbounded(name, interface):
    pytest.importorskip("pyomo")
    import pyomo.environ as pyo
    import pyomo.solvers.tests.models  # noqa: F401  (registers them)
    from pyomo.solvers.tests.models.base import all_models

    m = all_models()[name]()
    m.generate_model()
    if interface == "legacy":
        res = pyo.SolverFactory("bipnn").solve(m.model, load_solutions=False, timelimit=10)
        m.post_solve_test_validation(None, res)
        return
    if name.endswith("_kernel"):
        pytest.skip("the contrib interface takes pyomo.environ models, not pyomo.kernel blocks")
    from pyomo.contrib.solver.common.factory import SolverFactory
    from pyomo.contrib.solver.common.results import TerminationCondition as TC

    res = SolverFactory("bipnn").solve(m.model, raise_exception_on_nonoptimal_result=False, load_solutions=False,
                                       time_limit=10)
    assert res.termination_condition == TC.unbounded


def test_cvxpy_unbounded_integer():
    cp = pytest.importorskip("cvxpy")
    from bipnn_backends.cvxpy import BIPNN

    k = cp.Variable(integer=True)
    b = cp.Variable(boolean=True)
    prob = cp.Problem(cp.Minimize(k + b), [k - 3 * b <= 4])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prob.solve(solver=BIPNN())
    assert prob.status == cp.UNBOUNDED and prob.value == -np.inf
