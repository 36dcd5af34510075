"""Issue 11, items 1 and 13 through each host: rows feasible within the tolerance are solved,
not called infeasible; an integer with an empty range is an infeasible model."""

from __future__ import annotations

import pytest

pulp = pytest.importorskip("pulp")
pyo = pytest.importorskip("pyomo.environ")
cp = pytest.importorskip("cvxpy")

import bipnn_backends  # noqa: E402,F401  (registers the solvers)
from bipnn_backends import BIPNN  # noqa: E402

ROWS = [([0.333333] * 3, 1.0), ([2.0, 2.0], 2.0000001)]


@pytest.mark.parametrize("coefs, rhs", ROWS)
def test_pulp_row_feasible_within_tolerance(coefs, rhs):
    prob = pulp.LpProblem("tol", pulp.LpMinimize)
    y = [prob.add_variable(f"y{i}", cat="Binary") for i in range(len(coefs))]
    prob += pulp.lpSum(y)
    prob += pulp.lpSum(c * v for c, v in zip(coefs, y)) == rhs, "row"
    prob.solve(BIPNN(msg=False))
    assert pulp.LpStatus[prob.status] == "Optimal"
    assert abs(sum(c * v.value() for c, v in zip(coefs, y)) - rhs) <= 1.000001e-6 * max(1.0, rhs)


@pytest.mark.parametrize("coefs, rhs", ROWS)
def test_pyomo_row_feasible_within_tolerance(coefs, rhs):
    m = pyo.ConcreteModel()
    m.y = pyo.Var(range(len(coefs)), domain=pyo.Binary)
    m.obj = pyo.Objective(expr=sum(m.y[i] for i in m.y))
    m.row = pyo.Constraint(expr=sum(c * m.y[i] for i, c in enumerate(coefs)) == rhs)
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == pyo.TerminationCondition.optimal
    assert abs(sum(c * pyo.value(m.y[i]) for i, c in enumerate(coefs)) - rhs) <= 1.000001e-6 * max(1.0, rhs)


@pytest.mark.parametrize("coefs, rhs", ROWS)
def test_cvxpy_row_feasible_within_tolerance(coefs, rhs):
    y = cp.Variable(len(coefs), boolean=True)
    prob = cp.Problem(cp.Minimize(cp.sum(y)), [cp.sum(cp.multiply(coefs, y)) == rhs])
    prob.solve(method="bipnn")
    assert prob.status == cp.OPTIMAL
    assert abs(float(sum(c * v for c, v in zip(coefs, y.value))) - rhs) <= 1.000001e-6 * max(1.0, rhs)


def test_pyomo_integer_with_empty_range_is_infeasible():
    m = pyo.ConcreteModel()
    m.k = pyo.Var(domain=pyo.Integers, bounds=(0.2, 0.8))
    m.y = pyo.Var(domain=pyo.Binary)
    m.obj = pyo.Objective(expr=m.k + m.y)
    res = pyo.SolverFactory("bipnn").solve(m, load_solutions=False)
    assert res.solver.termination_condition == pyo.TerminationCondition.infeasible


def test_pulp_integer_with_empty_range_is_infeasible():
    prob = pulp.LpProblem("empty", pulp.LpMinimize)
    k = prob.add_variable("k", 0.2, 0.8, cat="Integer")
    y = prob.add_variable("y", cat="Binary")
    prob += k + y
    prob += k + y <= 3, "c"
    assert pulp.LpStatus[prob.solve(BIPNN(msg=False))] == "Infeasible"
