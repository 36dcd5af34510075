"""Pyomo adapter against SCIP (Pyomo's ``scip_direct``) on the same models, through the engine (> 16 binaries)."""

from __future__ import annotations

import numpy as np
import pytest

pyo = pytest.importorskip("pyomo.environ")
pytest.importorskip("pyscipopt")

import bipnn_backends  # noqa: E402,F401  (registers the solver)
from pyomo.contrib.solver.common.factory import SolverFactory as NewSolverFactory  # noqa: E402
from pyomo.opt import SolverStatus  # noqa: E402
from pyomo.opt import TerminationCondition as LegacyTC  # noqa: E402

ENGINE_OPTIONS = {"seed": 0, "device": "cpu"}


def scip(model, time_limit: float) -> tuple[float, object]:
    """Solve with SCIP through Pyomo; returns (incumbent, results). Loads SCIP's values into the model."""
    res = NewSolverFactory("scip_direct").solve(model, time_limit=time_limit,
                                                raise_exception_on_nonoptimal_result=False)
    return res.incumbent_objective, res


def feasible(model, tol: float = 1e-6) -> bool:
    for c in model.component_data_objects(pyo.Constraint, active=True):
        body = pyo.value(c.body)
        if (c.lb is not None and body < c.lb - tol) or (c.ub is not None and body > c.ub + tol):
            return False
    return True


def nonlinear_model(n: int = 24) -> pyo.ConcreteModel:
    """The paper's kinds of terms (sin of a sum, exp of a product, degree-4 products), beyond exhaustive size."""
    rng = np.random.default_rng(7)
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, n - 1)
    m.x = pyo.Var(m.I, domain=pyo.Binary)
    w = rng.uniform(-1, 2, n).round(2)
    m.obj = pyo.Objective(
        expr=sum(pyo.sin(m.x[i] + m.x[(i + 1) % n] + m.x[(i + 2) % n]) for i in range(0, n, 3))
        + sum(pyo.exp(m.x[i] * m.x[(i + 5) % n]) for i in range(0, n, 4))
        + sum(1.5 * m.x[i] * m.x[(i + 1) % n] * m.x[(i + 3) % n] * m.x[(i + 7) % n] for i in range(0, n, 2))
        + sum(float(w[i]) * m.x[i] for i in m.I),
        sense=pyo.maximize)
    m.c_exp = pyo.Constraint(expr=2 * m.x[0] + pyo.exp(m.x[1]) + 3 * m.x[0] * m.x[2] <= 5)
    m.c_order = pyo.Constraint(pyo.RangeSet(0, n - 2, 4), rule=lambda m, i: m.x[i] - m.x[i + 1] <= 0)
    m.c_eq = pyo.Constraint(expr=sum(m.x[i] for i in range(n // 2)) == n // 4)
    m.c_cap = pyo.Constraint(expr=sum(m.x[i] for i in m.I) <= 2 * n // 3)
    return m


def knapsack_model(n: int = 80, k: int = 3) -> pyo.ConcreteModel:
    rng = np.random.default_rng(11)
    value = rng.integers(10, 100, n)
    weight = rng.integers(5, 60, (k, n))
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, n - 1)
    m.K = pyo.RangeSet(0, k - 1)
    m.x = pyo.Var(m.I, domain=pyo.Binary)
    m.obj = pyo.Objective(expr=sum(int(value[i]) * m.x[i] for i in m.I), sense=pyo.maximize)
    m.cap = pyo.Constraint(m.K, rule=lambda m, j: sum(int(weight[j, i]) * m.x[i] for i in m.I)
                           <= int(weight[j].sum() // 3))
    return m


def polynomial_model(n: int = 200, terms: int = 400) -> pyo.ConcreteModel:
    """Degree 3-4 products with mixed-sign weights, a cardinality cap and pairwise conflicts."""
    rng = np.random.default_rng(3)
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, n - 1)
    m.x = pyo.Var(m.I, domain=pyo.Binary)
    mons = [(round(float(rng.uniform(-1, 3)), 2), rng.choice(n, rng.integers(3, 5), replace=False)) for _ in range(terms)]
    lin = rng.uniform(-1, 0.5, n).round(2)
    m.obj = pyo.Objective(
        expr=sum(c * pyo.prod(m.x[int(i)] for i in idx) for c, idx in mons) + sum(float(lin[i]) * m.x[i] for i in m.I),
        sense=pyo.maximize)
    m.card = pyo.Constraint(expr=sum(m.x[i] for i in m.I) <= n // 4)
    pairs = rng.choice(n, (n // 4, 2))
    m.conflict = pyo.Constraint(range(len(pairs)), rule=lambda m, k: (
        m.x[int(pairs[k, 0])] + m.x[int(pairs[k, 1])] <= 1 if pairs[k, 0] != pairs[k, 1] else pyo.Constraint.Skip))
    return m


def test_nonlinear_beyond_exhaustive_matches_scip_optimum():
    ref_model = nonlinear_model()
    best, res = scip(ref_model, 60)
    assert res.solution_status.name == "optimal"
    m = nonlinear_model()
    out = pyo.SolverFactory("bipnn").solve(m, timelimit=3, options=ENGINE_OPTIONS)
    assert out.solver.status == SolverStatus.ok
    assert out.solver.termination_condition in (LegacyTC.feasible, LegacyTC.maxTimeLimit)
    assert not pyo.check_optimal_termination(out)            # a heuristic proves nothing
    assert feasible(m) and all(m.x[i].value in (0, 1) for i in m.I)
    assert pyo.value(m.obj) == pytest.approx(best, abs=1e-6)
    assert out.problem.lower_bound == pytest.approx(pyo.value(m.obj))


def test_linear_knapsack_within_a_few_percent_of_scip(record_property):
    ref, res = scip(knapsack_model(), 30)
    m = knapsack_model()
    out = NewSolverFactory("bipnn").solve(m, time_limit=3, solver_options=ENGINE_OPTIONS,
                                          raise_exception_on_nonoptimal_result=False)
    assert out.solution_status.name == "feasible" and feasible(m)
    ours = pyo.value(m.obj)
    assert out.incumbent_objective == pytest.approx(ours)
    record_property("knapsack", {"bipnn": ours, "scip": ref, "scip_status": res.termination_condition.name})
    print(f"\nknapsack (80 x 3): bipnn {ours:.0f} vs SCIP {ref:.0f} ({ours / ref:.3f})")
    assert ours >= 0.97 * ref


def test_polynomial_model_against_scip_at_equal_time(record_property):
    limit = 5
    ref, res = scip(polynomial_model(), limit)
    m = polynomial_model()
    out = pyo.SolverFactory("bipnn").solve(m, timelimit=limit, options=ENGINE_OPTIONS)
    assert out.solver.status == SolverStatus.ok and feasible(m)
    ours = pyo.value(m.obj)
    record_property("polynomial", {"bipnn": ours, "scip": ref, "scip_status": res.termination_condition.name})
    print(f"\npolynomial (200 vars, 400 degree-3/4 terms, {limit} s): bipnn {ours:.2f} vs SCIP {ref:.2f} "
          f"[{res.termination_condition.name}] ({ours / ref:.3f})")
    assert ours >= 0.9 * ref


def test_no_feasible_point_found_by_the_engine():
    """An odd cycle of x_i + x_j == 1: each constraint alone is satisfiable, so nothing proves infeasibility."""
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(20), domain=pyo.Binary)
    m.obj = pyo.Objective(expr=sum(m.x[i] * m.x[(i + 1) % 20] for i in range(20)))
    m.cycle = pyo.Constraint([(0, 1), (1, 2), (0, 2)], rule=lambda m, i, j: m.x[i] + m.x[j] == 1)
    out = pyo.SolverFactory("bipnn").solve(m, timelimit=2, options=ENGINE_OPTIONS)
    assert out.solver.status == SolverStatus.warning and out.solver.termination_condition == LegacyTC.maxTimeLimit
    assert all(m.x[i].value is None for i in m.x)
    res = NewSolverFactory("bipnn").solve(m, time_limit=2, solver_options=ENGINE_OPTIONS,
                                          raise_exception_on_nonoptimal_result=False, load_solutions=False)
    assert res.solution_status.name == "noSolution" and res.incumbent_objective is None
    assert res.termination_condition.name == "maxTimeLimit" and res.extra_info.max_violation >= 1
