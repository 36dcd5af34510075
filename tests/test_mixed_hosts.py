"""Mixed models on every host and the CLI: values written back for every variable, statuses in
each host's convention, the model unchanged on errors (issue 14)."""

from __future__ import annotations

import json
import subprocess
import sys

import pulp
import pytest

import bipnn_backends  # noqa: F401  (registers)
from bipnn_backends.formats import solution
from bipnn_backends.pulp import BIPNN, BIPNN_CMD

OPTIMUM = -10.0  # of mixed_pulp(): x=1, z=0, y=7.5 (checked against CBC below)


def mixed_pulp(sense: int = pulp.LpMinimize) -> pulp.LpProblem:
    p = pulp.LpProblem("mixed", sense)
    x = pulp.LpVariable("x", cat="Binary")
    y = pulp.LpVariable("y", 0, 10)
    z = pulp.LpVariable("z", 0, cat="Integer")  # only a lower bound: presolve bounds it by c2
    p += -2 * y - 3 * z + 5 * x
    p += y + z - 10 * x <= 0, "c1"
    p += y + 2 * z <= 7.5, "c2"
    return p


def test_reference_optimum_is_cbcs():
    p = mixed_pulp()
    p.solve(pulp.PULP_CBC_CMD(msg=False))
    assert pulp.value(p.objective) == pytest.approx(OPTIMUM)


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_pulp_mixed_model_every_value_written(cls):
    p = mixed_pulp()
    assert p.solve(cls(msg=False)) == pulp.LpStatusOptimal
    assert {v.name: v.varValue for v in p.variables()} == pytest.approx({"x": 1.0, "y": 7.5, "z": 0.0})
    assert pulp.value(p.objective) == pytest.approx(OPTIMUM)


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_pulp_lp_statuses(cls):
    p = pulp.LpProblem("lp", pulp.LpMaximize)
    a, b = pulp.LpVariable("a", 0), pulp.LpVariable("b", 0)
    p += a + b
    assert p.solve(cls(msg=False)) == pulp.LpStatusUnbounded
    p += a + 2 * b <= 4, "cap"
    assert p.solve(cls(msg=False)) == pulp.LpStatusOptimal and pulp.value(p.objective) == pytest.approx(4)
    p += a - b >= 5, "far"
    assert p.solve(cls(msg=False)) == pulp.LpStatusInfeasible


def test_pulp_empty_integer_range_is_infeasible():
    p = pulp.LpProblem("empty", pulp.LpMinimize)
    z = pulp.LpVariable("z", 0.2, 0.8, cat="Integer")
    y = pulp.LpVariable("y", 0, 1)
    p += z + y
    assert p.solve(BIPNN(msg=False)) == pulp.LpStatusInfeasible


def test_cli_mixed_and_unbounded_exit_codes(tmp_path):
    mixed = tmp_path / "mixed.mps"
    mixed_pulp().writeMPS(str(mixed), with_objsense=True)
    run = subprocess.run([sys.executable, "-m", "bipnn_backends.cli", "solve", str(mixed), "--json"],
                         capture_output=True, text=True)
    doc = json.loads(run.stdout)
    assert run.returncode == solution.EXIT_OK and doc["solution_status"] == "optimal"
    assert doc["values"] == pytest.approx({"x": 1.0, "y": 7.5, "z": 0.0}) and doc["objective"] == pytest.approx(OPTIMUM)
    p = pulp.LpProblem("ray", pulp.LpMaximize)
    a = pulp.LpVariable("a", 0)
    p += a
    p += a >= 1, "c"
    ray = tmp_path / "ray.mps"
    p.writeMPS(str(ray), with_objsense=True)
    run = subprocess.run([sys.executable, "-m", "bipnn_backends.cli", "solve", str(ray), "--json"],
                         capture_output=True, text=True)
    assert run.returncode == solution.EXIT_UNBOUNDED == 6
    assert json.loads(run.stdout)["solution_status"] == "unbounded"


def test_pyomo_statuses_and_write_back():
    pyo = pytest.importorskip("pyomo.environ")
    m = pyo.ConcreteModel()
    m.a = pyo.Var(within=pyo.NonNegativeReals)
    m.b = pyo.Var(within=pyo.NonNegativeReals)
    m.o = pyo.Objective(expr=m.a + m.b, sense=pyo.maximize)
    res = pyo.SolverFactory("bipnn").solve(m, load_solutions=False)
    assert res.solver.termination_condition == pyo.TerminationCondition.unbounded
    m.k = pyo.Var(within=pyo.NonNegativeIntegers)  # bounded by cap (presolve)
    m.o.expr = m.a + m.b + m.k
    m.cap = pyo.Constraint(expr=m.a + 2 * m.b + m.k <= 4.5)
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == pyo.TerminationCondition.optimal
    assert pyo.value(m.o) == pytest.approx(4.5) and m.k.value is not None and m.a.value is not None
    m.far = pyo.Constraint(expr=m.a - m.b >= 5)
    res = pyo.SolverFactory("bipnn").solve(m, load_solutions=False)
    assert res.solver.termination_condition == pyo.TerminationCondition.infeasible


def test_cvxpy_both_entry_points_match_highs():
    cp = pytest.importorskip("cvxpy")
    from bipnn_backends.cvxpy import BIPNN as CvxpyBIPNN

    x = cp.Variable(3, boolean=True)
    y = cp.Variable(2, nonneg=True)
    z = cp.Variable(integer=True)
    cons = [y[0] + y[1] <= 10 * x[0], y[0] + 2 * z <= 7.5, z >= 0, y[1] <= 3 + x[1], cp.sum(x) <= 2]
    prob = cp.Problem(cp.Minimize(-2 * cp.sum(y) - 3 * z + 5 * x[0] + x[1] - x[2]), cons)
    assert prob.solve(solver=cp.HIGHS) == pytest.approx(-16.0)
    assert prob.solve(solver=CvxpyBIPNN()) == pytest.approx(-16.0) and prob.status == "optimal"
    assert y.value.sum() == pytest.approx(8.5) and z.value == pytest.approx(1.0)
    assert prob.solve(method="bipnn") == pytest.approx(-16.0) and prob.status == "optimal"

