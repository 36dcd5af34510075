"""Pyomo adapter: registration, translation, statuses and write-back (small models; exhaustive or mocked core)."""

from __future__ import annotations

import io
import itertools
import math
import subprocess
import sys

import numpy as np
import pytest

pyo = pytest.importorskip("pyomo.environ")

import bipnn_backends  # noqa: E402  (registers the solver)
from bipnn_backends import (ContinuousVariableError, OptionError, SolveResult,  # noqa: E402
                            UnboundedVariableError, UndefinedFunctionError, UnsupportedExpressionError)
from bipnn_backends.adapters.pyomo import solver as pyomo_solver  # noqa: E402
from bipnn_backends.adapters.pyomo.errors import PyomoModelError  # noqa: E402
from bipnn_backends.adapters.pyomo.translate import translate  # noqa: E402
from bipnn_backends.core.expr import Poly  # noqa: E402
from pyomo.common.errors import PyomoException  # noqa: E402
from pyomo.contrib.solver.common.factory import SolverFactory as NewSolverFactory  # noqa: E402
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition  # noqa: E402
from pyomo.contrib.solver.common.util import NoFeasibleSolutionError, NoOptimalSolutionError  # noqa: E402
from pyomo.opt import SolverStatus  # noqa: E402
from pyomo.opt import TerminationCondition as LegacyTC  # noqa: E402


# -- helpers ---------------------------------------------------------------------------------
def model_vars(m):
    return [v for v in m.component_data_objects(pyo.Var, active=True) if not v.fixed]


def brute_force(m, tol: float = 1e-9) -> tuple[float | None, list[dict]]:
    """Best objective (model sense) and all optimal points, by enumerating Pyomo values; restores values."""
    xs = model_vars(m)
    saved = [v.value for v in xs]
    domains = [[v.lb] if v.lb == v.ub else range(math.ceil(v.lb), math.floor(v.ub) + 1) for v in xs]
    obj = next(m.component_data_objects(pyo.Objective, active=True))
    sign = 1 if obj.sense == pyo.minimize else -1
    best, argbest = None, []
    for point in itertools.product(*domains):
        for v, val in zip(xs, point):
            v.set_value(val)
        try:
            if not all(_satisfied(c, tol) for c in m.component_data_objects(pyo.Constraint, active=True)):
                continue
            f = pyo.value(obj)
        except (ValueError, ZeroDivisionError):
            continue
        if best is None or sign * f < sign * best - tol:
            best, argbest = f, [dict(zip([v.name for v in xs], point))]
        elif abs(f - best) <= tol:
            argbest.append(dict(zip([v.name for v in xs], point)))
    for v, val in zip(xs, saved):
        v.set_value(val)
    return best, argbest


def _satisfied(c, tol: float) -> bool:
    body = pyo.value(c.body)
    return (c.lb is None or body >= c.lb - tol) and (c.ub is None or body <= c.ub + tol)


def loaded_point(m) -> dict:
    return {v.name: v.value for v in model_vars(m)}


def paper_model() -> pyo.ConcreteModel:
    """The paper's running examples: sin/exp/degree-4 objective; exp and non-monotone constraints; an equality."""
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(1, 6)
    m.x = pyo.Var(m.I, domain=pyo.Binary)
    m.obj = pyo.Objective(expr=pyo.sin(m.x[1] + m.x[2] + m.x[3]) + pyo.exp(m.x[1] * m.x[2])
                          - 2 * m.x[3] * m.x[4] * m.x[5] * m.x[6] - m.x[5] + 0.5 * m.x[6])
    m.c_exp = pyo.Constraint(expr=2 * m.x[1] + pyo.exp(m.x[2]) + 3 * m.x[1] * m.x[3] <= 5)
    m.c_order = pyo.Constraint(expr=m.x[1] - m.x[2] <= 0)
    m.c_eq = pyo.Constraint(expr=m.x[4] + m.x[5] + m.x[6] == 2)
    return m


def fake_result(status: str, values: dict | None = None, objective: float | None = None,
                time_limit_reached: bool = False) -> SolveResult:
    termination = "proven" if status in ("optimal", "infeasible") else "time_limit" if time_limit_reached \
        else "converged"
    return SolveResult(status, termination,
                       None if values is None else np.zeros(len(values)), values, objective,
                       0.0 if values is not None else 3.0, f"fake {status}")


@pytest.fixture
def fake_solve(monkeypatch):
    """Replace the core solve() seen by the adapter; records the options it was given."""
    calls = []

    def install(result_for):
        def fake(problem, opts):
            calls.append((problem, opts))
            return result_for(problem)
        monkeypatch.setattr(pyomo_solver, "bipnn_solve", fake)
        return calls
    return install


def all_ones(status="feasible", **kw):
    def make(problem):
        vals = {v.key: (v.ub if v.kind == "integer" else 1.0) for v in problem.variables}
        return fake_result(status, vals, 7.0, **kw)
    return make


# -- registration -------------------------------------------------------------------------------
def test_registered_in_both_factories():
    legacy = pyo.SolverFactory("bipnn")
    new = NewSolverFactory("bipnn")
    assert isinstance(legacy, pyomo_solver.LegacyBipnn) and isinstance(legacy, pyomo_solver.Bipnn)
    assert type(new) is pyomo_solver.Bipnn
    assert legacy.available() and legacy.license_is_valid() and bool(new.available())
    assert legacy.version() == new.version() and legacy.version()[:2] == (0, 1)
    assert legacy.warm_start_capable()
    legacy.options["seed"] = 3
    assert legacy.options["seed"] == 3


def test_registration_does_not_import_torch():
    code = ("import sys, bipnn_backends, pyomo.environ as pyo; s = pyo.SolverFactory('bipnn'); "
            "s.available(); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- the paper's examples: exact optimum, proven, values loaded ----------------------------------
@pytest.mark.parametrize("interface", ["legacy", "new"])
def test_paper_example_brute_force_optimum(interface):
    m = paper_model()
    best, argbest = brute_force(m)
    if interface == "legacy":
        res = pyo.SolverFactory("bipnn").solve(m, timelimit=2)
        assert res.solver.status == SolverStatus.ok
        assert res.solver.termination_condition == LegacyTC.optimal
        assert res.problem.upper_bound == pytest.approx(best, abs=1e-9)
    else:
        res = NewSolverFactory("bipnn").solve(m, time_limit=2)
        assert res.termination_condition == TerminationCondition.convergenceCriteriaSatisfied
        assert res.solution_status == SolutionStatus.optimal
        assert res.incumbent_objective == pytest.approx(best, abs=1e-9)
        assert res.objective_bound == pytest.approx(best, abs=1e-9)
    assert pyo.check_optimal_termination(res)
    assert pyo.value(m.obj) == pytest.approx(best, abs=1e-9)
    assert loaded_point(m) in argbest
    assert all(m.x[i].value in (0, 1) for i in m.I)
    assert all(_satisfied(c, 1e-9) for c in m.component_data_objects(pyo.Constraint, active=True))


def test_paper_objective_alone_and_maximisation():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(4), domain=pyo.Binary)
    m.obj = pyo.Objective(expr=pyo.sin(m.x[0] + m.x[1] + m.x[2]) + pyo.exp(m.x[0] * m.x[1])
                          + m.x[0] * m.x[1] * m.x[2] * m.x[3], sense=pyo.maximize)
    best, argbest = brute_force(m)
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.problem.sense == pyo.maximize
    assert res.problem.lower_bound == pytest.approx(best) and pyo.value(m.obj) == pytest.approx(best)
    assert loaded_point(m) in argbest


# -- modelling features --------------------------------------------------------------------------
def features_model() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.I = pyo.Set(initialize=["a", "b", "c", "d"])
    m.w = pyo.Param(m.I, initialize={"a": 3, "b": -2, "c": 4, "d": 1.5}, mutable=True)
    m.cap = pyo.Param(initialize=2, mutable=True)
    m.x = pyo.Var(m.I, domain=pyo.Binary)
    m.y = pyo.Var(domain=pyo.Integers, bounds=(0, 1))          # binary in all but name
    m.n = pyo.Var(domain=pyo.Integers, bounds=(-2, 3))         # encoded in binaries
    m.f = pyo.Var(domain=pyo.Binary, initialize=1)
    m.f.fix()
    m.g = pyo.Var(domain=pyo.Reals, bounds=(0.5, 0.5))          # continuous but fixed by its bounds
    m.profit = pyo.Expression(expr=sum(m.w[i] * m.x[i] for i in m.I) + m.n * m.y)
    m.obj = pyo.Objective(expr=m.profit + pyo.log(1 + m.x["a"] + m.f) * m.g - (m.n - 1) ** 2, sense=pyo.maximize)
    m.budget = pyo.Constraint(expr=sum(m.x[i] for i in m.I) + m.f <= m.cap + 1)
    m.pairs = pyo.Constraint(pyo.RangeSet(1, 2), rule=lambda m, k: m.x["a"] + m.x["c"] >= k - 1)
    m.off = pyo.Constraint(expr=m.x["c"] == 0)
    m.off.deactivate()
    m.blk = pyo.Block()
    m.blk.c = pyo.Constraint(expr=m.x["d"] + m.y == 1)
    m.dead = pyo.Block()
    m.dead.c = pyo.Constraint(expr=m.x["a"] == 0)
    m.dead.deactivate()
    return m


def test_indexed_params_expressions_fixed_deactivated_integers():
    m = features_model()
    best, argbest = brute_force(m)
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == LegacyTC.optimal
    assert pyo.value(m.obj) == pytest.approx(best)
    assert loaded_point(m) in argbest
    assert m.f.value == 1 and m.f.fixed                      # fixed Var untouched
    assert m.n.value in range(-2, 4) and float(m.n.value).is_integer()
    assert m.x["c"].value == 1                               # deactivated x_c == 0 was ignored
    assert res.problem.number_of_variables == 7              # x[4], y, n, g
    assert res.problem.number_of_constraints == 4            # budget, pairs[1..2], blk.c
    # a mutable Param change is seen on the next solve
    m.w["c"] = -10
    best2, argbest2 = brute_force(m)
    assert best2 != pytest.approx(best)
    pyo.SolverFactory("bipnn").solve(m)
    assert pyo.value(m.obj) == pytest.approx(best2) and loaded_point(m) in argbest2
    m.cap = 0                                                # now x_a + x_c >= 1 cannot hold
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == LegacyTC.infeasible


def test_ranged_constraint_becomes_two_and_linear_sums_are_one_leaf():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(500), domain=pyo.Binary)
    m.obj = pyo.Objective(expr=sum((i % 7 - 3) * m.x[i] for i in m.x))
    m.r = pyo.Constraint(expr=pyo.inequality(10, sum(m.x[i] for i in m.x), 20))
    tr = translate(m)
    cons = tr.problem.constraints
    assert [(c.name, c.sense, c.rhs) for c in cons] == [("r:lb", ">=", 10), ("r:ub", "<=", 20)]
    assert isinstance(cons[0].body, Poly) and cons[0].body.n_terms == 500
    assert isinstance(tr.problem.objective, Poly) and tr.problem.objective.n_terms == 500
    assert tr.problem.n_binaries == 500 and tr.n_constraints == 1


def test_polynomial_terms_collect_into_one_poly():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(30), domain=pyo.Binary)
    m.obj = pyo.Objective(expr=sum((i + 1) * m.x[i] * m.x[(i + 1) % 30] * m.x[(i + 2) % 30] for i in range(30))
                          - 2 * m.x[0] ** 3 + 5)
    body = translate(m).problem.objective
    assert isinstance(body, Poly) and body.n_terms == 31 and body.constant == 5
    assert sorted(set(np.diff(body.offsets))) == [3]


def test_more_expression_nodes_are_translated():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(5), domain=pyo.Binary)
    m.obj = pyo.Objective(expr=pyo.sqrt(1 + m.x[0] + m.x[1]) / (1 + m.x[2]) + 2 ** m.x[3] + abs(m.x[0] - m.x[4])
                          + pyo.log10(2 + m.x[1]) + pyo.tanh(m.x[2] - m.x[3]) + pyo.atan(m.x[4] + m.x[0])
                          + pyo.cos(m.x[1]) * pyo.tan(m.x[3]) - (-m.x[2]) + (m.x[0] + m.x[1]) ** 0.5,
                          sense=pyo.maximize)
    m.c = pyo.Constraint(expr=pyo.exp(m.x[0]) - pyo.exp(m.x[1]) >= -1)
    best, argbest = brute_force(m)
    pyo.SolverFactory("bipnn").solve(m)
    assert pyo.value(m.obj) == pytest.approx(best) and loaded_point(m) in argbest


def test_integer_bounds_in_domain_and_binary_integers():
    m = pyo.ConcreteModel()
    m.k = pyo.Var(domain=pyo.NonNegativeIntegers, bounds=(None, 6))
    m.z = pyo.Var(domain=pyo.Integers, bounds=(0, 1))
    m.obj = pyo.Objective(expr=(m.k - 4.2) ** 2 + m.z * (m.k - 5))
    tr = translate(m)
    assert [v.kind for v in tr.problem.variables] == ["integer", "binary"]
    pyo.SolverFactory("bipnn").solve(m)
    assert (m.k.value, m.z.value) == (4, 1)


# -- statuses -----------------------------------------------------------------------------------
def infeasible_model() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var([1, 2], domain=pyo.Binary)
    m.obj = pyo.Objective(expr=m.x[1] + m.x[2])
    m.c = pyo.Constraint(expr=m.x[1] + m.x[2] >= 3)
    return m


def test_proven_infeasible_legacy_loads_nothing():
    m = infeasible_model()
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == LegacyTC.infeasible
    assert res.solver.status == SolverStatus.warning
    assert not pyo.check_optimal_termination(res)
    assert m.x[1].value is None and m.x[2].value is None and len(res.solution) == 0


def test_proven_infeasible_new_interface():
    opt = NewSolverFactory("bipnn")
    with pytest.raises(NoOptimalSolutionError):
        opt.solve(infeasible_model())
    with pytest.raises(NoFeasibleSolutionError):
        opt.solve(infeasible_model(), raise_exception_on_nonoptimal_result=False)
    m = infeasible_model()
    res = opt.solve(m, raise_exception_on_nonoptimal_result=False, load_solutions=False)
    assert res.termination_condition == TerminationCondition.provenInfeasible
    assert res.solution_status == SolutionStatus.noSolution and res.incumbent_objective is None
    assert m.x[1].value is None


def test_feasible_and_time_limit_statuses(fake_solve):
    m = paper_model()
    fake_solve(all_ones("feasible", time_limit_reached=False))
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.status == SolverStatus.ok and res.solver.termination_condition == LegacyTC.feasible
    assert not pyo.check_optimal_termination(res)
    assert res.problem.upper_bound == 7.0 and res.problem.lower_bound == -math.inf
    assert all(m.x[i].value == 1 for i in m.I)
    fake_solve(all_ones("feasible", time_limit_reached=True))
    m = paper_model()
    res = pyo.SolverFactory("bipnn").solve(m, timelimit=3)
    assert res.solver.status == SolverStatus.ok and res.solver.termination_condition == LegacyTC.maxTimeLimit
    assert all(m.x[i].value == 1 for i in m.I)
    m = paper_model()
    res = NewSolverFactory("bipnn").solve(m, raise_exception_on_nonoptimal_result=False)
    assert res.termination_condition == TerminationCondition.maxTimeLimit
    assert res.solution_status == SolutionStatus.feasible and res.incumbent_objective == 7.0
    assert res.objective_bound == -math.inf and not pyo.check_optimal_termination(res)
    with pytest.raises(NoOptimalSolutionError):
        NewSolverFactory("bipnn").solve(paper_model())


def test_no_solution_found_statuses(fake_solve):
    fake_solve(lambda problem: fake_result("none"))
    m = paper_model()
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == LegacyTC.noSolution
    assert res.solver.status == SolverStatus.warning and len(res.solution) == 0
    assert all(m.x[i].value is None for i in m.I)
    res = NewSolverFactory("bipnn").solve(m, raise_exception_on_nonoptimal_result=False, load_solutions=False)
    assert res.termination_condition == TerminationCondition.locallyInfeasible
    assert res.solution_status == SolutionStatus.noSolution and res.extra_info.max_violation == 3.0


def test_load_solutions_false_then_load_later():
    m = paper_model()
    best, argbest = brute_force(m)
    res = pyo.SolverFactory("bipnn").solve(m, load_solutions=False)
    assert all(m.x[i].value is None for i in m.I)
    m.solutions.load_from(res)
    assert pyo.value(m.obj) == pytest.approx(best) and loaded_point(m) in argbest
    m2 = paper_model()
    res = NewSolverFactory("bipnn").solve(m2, load_solutions=False)
    assert all(m2.x[i].value is None for i in m2.I)
    assert res.solution_loader.get_number_of_solutions() == 1
    assert res.solution_loader.get_vars([m2.x[1]])[m2.x[1]] in (0, 1)
    res.solution_loader.load_vars()
    assert pyo.value(m2.obj) == pytest.approx(best)


def test_results_write_and_display():
    m = paper_model()
    res = pyo.SolverFactory("bipnn").solve(m)
    out = io.StringIO()
    res.write(ostream=out)
    text = out.getvalue()
    assert "Termination condition: optimal" in text and "Number of binary variables: 6" in text
    new = NewSolverFactory("bipnn").solve(paper_model())
    buf = io.StringIO()
    new.display(ostream=buf)
    assert "convergenceCriteriaSatisfied" in buf.getvalue()


# -- options and output ------------------------------------------------------------------------------
def test_options_timelimit_tee_and_warmstart(fake_solve, capsys):
    calls = fake_solve(all_ones("feasible"))
    m = paper_model()
    for i in m.I:
        m.x[i].set_value(i % 2)
    pyo.SolverFactory("bipnn").solve(m, timelimit=3, options={"seed": 5, "restarts": 4,
                                                              "anneal": {"alpha": 3.0}}, warmstart=True)
    opts = calls[-1][1]
    assert 2 < opts.time_limit <= 3  # the time left after translation (tests/test_time_limit_hosts.py)
    assert (opts.seed, opts.restarts, opts.anneal.alpha) == (5, 4, 3.0)
    by_name = {v.name: opts.warm_start[v.key] for v in calls[-1][0].variables}  # keyed by position
    assert by_name == {f"x[{i}]": i % 2 for i in range(1, 7)} and not opts.verbose
    NewSolverFactory("bipnn").solve(m, time_limit=4, solver_options={"epochs": 9}, tee=True,
                                    raise_exception_on_nonoptimal_result=False)
    opts = calls[-1][1]
    assert 3 < opts.time_limit <= 4 and (opts.epochs, opts.verbose, opts.warm_start) == (9, True, None)
    assert "bipnn: 6 Vars" in capsys.readouterr().out


def test_tee_streams_the_log(capsys):
    pyo.SolverFactory("bipnn").solve(paper_model(), tee=True)
    out = capsys.readouterr().out
    assert "bipnn:" in out and "proven optimal" in out
    pyo.SolverFactory("bipnn").solve(paper_model())
    assert capsys.readouterr().out == ""


def test_unknown_option_is_an_error():
    m = paper_model()
    with pytest.raises(OptionError, match="nonsense"):
        pyo.SolverFactory("bipnn").solve(m, options={"nonsense": 1})
    with pytest.raises(OptionError, match="'threads' must be >= 1, got 0"):
        NewSolverFactory("bipnn").solve(m, threads=0)
    assert all(m.x[i].value is None for i in m.I)


# -- errors ------------------------------------------------------------------------------------------
def test_linear_continuous_variable_is_solved_with_the_lp():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([0, 1, 2], domain=pyo.Binary)
    m.y = pyo.Var(bounds=(0, 10))
    m.z = pyo.Var(domain=pyo.NonNegativeIntegers)  # bounded by c2 (presolve)
    m.o = pyo.Objective(expr=-2 * m.y - 3 * m.z + 5 * m.x[0] + m.x[1])
    m.c1 = pyo.Constraint(expr=m.y + m.z - 10 * m.x[0] <= 0)
    m.c2 = pyo.Constraint(expr=m.y + 2 * m.z <= 7.5)
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == pyo.TerminationCondition.optimal
    assert pyo.value(m.o) == pytest.approx(-10.0) and m.y.value == pytest.approx(7.5) and m.z.value == 0
    assert res.problem.number_of_continuous_variables == 1


def test_continuous_variable_in_a_nonlinear_term_is_named_and_model_unchanged():
    m = paper_model()
    m.x[1].set_value(1)
    m.price = pyo.Var(bounds=(0, 10))
    m.c_price = pyo.Constraint(expr=m.price * m.x[2] <= 4)
    with pytest.raises(ContinuousVariableError, match="price") as err:
        pyo.SolverFactory("bipnn").solve(m)
    assert isinstance(err.value, PyomoException) and "c_price" in str(err.value)
    assert m.x[1].value == 1 and m.x[2].value is None and m.price.value is None


def test_unbounded_integer_is_an_error():
    """No finite range, but a bounded optimum (k - j >= 1): the range matters and nothing proves more."""
    m = pyo.ConcreteModel()
    m.k = pyo.Var(domain=pyo.Integers)
    m.j = pyo.Var(domain=pyo.Integers)
    m.obj = pyo.Objective(expr=m.k - m.j)
    m.gap = pyo.Constraint(expr=m.k - m.j >= 1)
    with pytest.raises(UnboundedVariableError, match="k"):
        pyo.SolverFactory("bipnn").solve(m)


def test_unbounded_integer_program_is_reported_unbounded():
    m = pyo.ConcreteModel()
    m.k = pyo.Var(domain=pyo.Integers)
    m.obj = pyo.Objective(expr=m.k)
    res = pyo.SolverFactory("bipnn").solve(m, load_solutions=False)
    assert res.solver.termination_condition == pyo.TerminationCondition.unbounded


def test_log_of_zero_is_an_error():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([1, 2], domain=pyo.Binary)
    m.obj = pyo.Objective(expr=pyo.log(m.x[1] + m.x[2]))
    with pytest.raises(UndefinedFunctionError) as err:
        pyo.SolverFactory("bipnn").solve(m)
    assert isinstance(err.value, PyomoModelError)
    assert m.x[1].value is None


def test_fixed_values_fold_and_log_of_a_fixed_zero_is_an_error():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([1, 2], domain=pyo.Binary)
    m.x[2].fix(0)
    m.obj = pyo.Objective(expr=m.x[1] + pyo.log(m.x[2]))
    with pytest.raises(UndefinedFunctionError, match="obj"):
        pyo.SolverFactory("bipnn").solve(m)


def test_unsupported_nodes_name_the_component():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([1, 2], domain=pyo.Binary)
    m.obj = pyo.Objective(expr=m.x[1])
    m.c_if = pyo.Constraint(expr=pyo.Expr_if(IF=m.x[1] >= 1, THEN=m.x[2], ELSE=0) <= 1)
    with pytest.raises(UnsupportedExpressionError, match="c_if") as err:
        pyo.SolverFactory("bipnn").solve(m)
    assert isinstance(err.value, PyomoException)
    m.c_if.deactivate()
    m.c_pow = pyo.Constraint(expr=m.x[1] ** m.x[2] <= 1)
    with pytest.raises(UnsupportedExpressionError, match="c_pow"):
        pyo.SolverFactory("bipnn").solve(m)


def test_multiple_objectives_are_an_error():
    m = paper_model()
    m.obj2 = pyo.Objective(expr=m.x[1])
    with pytest.raises(PyomoModelError, match="objective"):
        pyo.SolverFactory("bipnn").solve(m)


def test_no_objective_is_a_feasibility_problem():
    m = paper_model()
    m.obj.deactivate()
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == LegacyTC.optimal
    assert all(_satisfied(c, 1e-9) for c in m.component_data_objects(pyo.Constraint, active=True))


def test_model_without_variables():
    m = pyo.ConcreteModel()
    m.p = pyo.Param(initialize=4.0)
    m.obj = pyo.Objective(expr=m.p + 1)
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == LegacyTC.optimal and res.problem.upper_bound == 5.0


def test_max_min_and_other_functions_become_exact_callables():
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(4), domain=pyo.Binary)
    m.obj = pyo.Objective(expr=pyo.asin(0.5 * m.x[0]) + pyo.sinh(m.x[1] - m.x[2])
                          - 2 * m.x[3] + 3 * pyo.exp(-(m.x[0] + m.x[3] - 1) ** 2), sense=pyo.maximize)
    m.c = pyo.Constraint(expr=pyo.floor(0.6 * (m.x[0] + m.x[1] + m.x[2])) <= 1)
    best, argbest = brute_force(m)
    pyo.SolverFactory("bipnn").solve(m)
    assert pyo.value(m.obj) == pytest.approx(best) and loaded_point(m) in argbest


def test_new_interface_tee_to_a_stream():
    buf = io.StringIO()
    NewSolverFactory("bipnn").solve(paper_model(), tee=buf)
    assert "proven optimal" in buf.getvalue()


def test_max_and_min_nodes():
    from pyomo.core.expr.numeric_expr import MaxExpression, MinExpression
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(3), domain=pyo.Binary)
    m.obj = pyo.Objective(expr=MaxExpression((m.x[0], 2 * m.x[1] * m.x[2])) - MinExpression((m.x[0], m.x[1], 0.5)),
                          sense=pyo.maximize)
    best, argbest = brute_force(m)
    pyo.SolverFactory("bipnn").solve(m)
    assert pyo.value(m.obj) == pytest.approx(best) and loaded_point(m) in argbest


@pytest.mark.parametrize("interface", ["legacy", "contrib"])
def test_vars_of_one_local_name_keep_their_own_values(interface):
    """Values travel by Var identity, never by name (issue 13): ``x`` in two blocks."""
    m = pyo.ConcreteModel()
    m.b1, m.b2 = pyo.Block(), pyo.Block()
    m.b1.x, m.b2.x = pyo.Var(domain=pyo.Binary), pyo.Var(domain=pyo.Binary)
    m.o = pyo.Objective(expr=3 * m.b1.x - 2 * m.b2.x, sense=pyo.maximize)
    m.c = pyo.Constraint(expr=m.b1.x + m.b2.x <= 1)
    if interface == "legacy":
        pyo.SolverFactory("bipnn").solve(m)
    else:
        NewSolverFactory("bipnn").solve(m)
    assert (m.b1.x.value, m.b2.x.value) == (1, 0) and pyo.value(m.o) == 3
