"""The PuLP adapter (PuLP 3.x): registration, options, statuses, errors, write-back."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pulp
import pytest

import bipnn_backends
from bipnn_backends import BIPNN, BIPNN_CMD, OptionError
from bipnn_backends.adapters.pulp import solvers
from bipnn_backends.pulp import (BipnnPulpError, PulpModelError,
                                 PulpNonFiniteCoefficientError, PulpOptionError, PulpUnboundedVariableError)
from bipnn_backends.result import FEASIBLE, NONE, TIME_LIMIT, SolveResult
from models import tiny

pytestmark = pytest.mark.filterwarnings("ignore:PULP_CBC_CMD is deprecated")


def snapshot(p: pulp.LpProblem):
    return (p.status, [(v.name, v.varValue, v.lowBound, v.upBound, v.cat) for v in p.variables()],
            str(p.objective), [(c.name, str(c)) for c in p.constraints()])


# -- registration and options ----------------------------------------------------


def test_public_names_and_registration():
    from bipnn_backends.pulp import BIPNN as B, BIPNN_CMD as C
    assert B is BIPNN and C is BIPNN_CMD
    assert isinstance(pulp.getSolver("BIPNN"), BIPNN)
    assert isinstance(pulp.getSolver("BIPNN_CMD"), BIPNN_CMD)
    available = pulp.listSolvers(onlyAvailable=True)
    assert "BIPNN" in available and "BIPNN_CMD" in available
    bipnn_backends.adapters.pulp.register()  # idempotent
    assert [s.name for s in pulp.apis._all_solvers].count("BIPNN") == 1


def test_import_and_construction_do_not_import_torch():
    code = ("import sys, pulp, bipnn_backends; from bipnn_backends import BIPNN, BIPNN_CMD; "
            "pulp.listSolvers(onlyAvailable=True); BIPNN(seed=3).copy(); BIPNN_CMD().copy(); "
            "pulp.getSolverFromDict(BIPNN_CMD(timeLimit=2).toDict()); print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_options_round_trip(cls, tmp_path):
    solver = cls(timeLimit=4, msg=False, warmStart=True, seed=7, device="cpu", epochs=50, restarts=8,
                 model="hgnn+", hidden=16, lr=0.05, anneal={"alpha": 3.0}, penalty={"method": "exact"},
                 polish=False)
    data = solver.toDict()
    assert data["solver"] == cls.name and data["timeLimit"] == 4 and data["seed"] == 7
    again = pulp.getSolverFromDict(data)
    assert type(again) is cls and again.toDict() == data
    assert solver.copy().toDict() == data
    solver.toJson(tmp_path / "s.json")
    assert pulp.getSolverFromJson(tmp_path / "s.json").toDict() == json.loads(json.dumps(data))
    opts = again.bipnn_options()
    assert (opts.time_limit, opts.seed, opts.device, opts.epochs, opts.model, opts.anneal.alpha,
            opts.penalty.method, opts.polish, opts.verbose) == (4.0, 7, "cpu", 50, "hgnn+", 3.0, "exact", False, False)


def test_time_limit_defaults():
    assert BIPNN().bipnn_options().time_limit == 10.0
    assert BIPNN(epochs=20).bipnn_options().time_limit is None
    assert BIPNN(timeLimit=2, epochs=20).bipnn_options().time_limit == 2.0


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_unknown_or_invalid_option_is_an_error(cls):
    with pytest.raises(PulpOptionError, match="gapRel.*valid: timeLimit") as err:
        cls(gapRel=0.1)
    assert isinstance(err.value, pulp.PulpSolverError) and isinstance(err.value, OptionError)
    with pytest.raises(PulpOptionError, match="model"):
        cls(model="gcn")
    with pytest.raises(pulp.PulpSolverError, match="threads.*got 0"):
        pulp.getSolverFromDict({"solver": cls.name, "threads": 0})


def test_unknown_solve_argument_is_an_error():
    with pytest.raises(PulpOptionError, match="bogus"):
        tiny().solve(BIPNN(msg=False), bogus=1)


# -- statuses and write-back -----------------------------------------------------------


def test_tiny_problem_is_proven_optimal_with_values_and_objective():
    p = tiny()
    cbc = tiny()
    cbc.solve(pulp.PULP_CBC_CMD(msg=False))
    solver = BIPNN(msg=False)
    assert p.solve(solver) == pulp.LpStatusOptimal
    assert p.sol_status == pulp.LpSolutionOptimal
    assert pulp.value(p.objective) == pytest.approx(pulp.value(cbc.objective)) == pytest.approx(19)
    assert solver.result.objective == pytest.approx(pulp.value(p.objective))
    assert all(v.varValue in (0, 1) for v in p.variables() if v.cat == pulp.LpInteger and v.upBound == 1)
    assert p.variablesDict()["y"].varValue == int(p.variablesDict()["y"].varValue)
    assert p.valid()


def test_msg_prints_a_summary(capsys):
    tiny().solve(BIPNN(msg=True))
    assert "proven optimal" in capsys.readouterr().out


def test_proven_infeasible_writes_no_values():
    p = tiny()
    x = p.variablesDict()
    p += x["x0"] + x["x1"] >= 3, "impossible"
    assert p.solve(BIPNN(msg=False)) == pulp.LpStatusInfeasible
    assert p.sol_status == pulp.LpSolutionInfeasible
    assert all(v.varValue is None for v in p.variables())


def test_no_solution_found_is_not_solved_and_writes_no_values():
    """Two equalities no 0/1 point satisfies together, each satisfiable alone: not provable here."""
    p = pulp.LpProblem("clash", pulp.LpMinimize)
    x = [p.add_variable(f"x{i}", cat="Binary") for i in range(20)]
    p += pulp.lpSum(x)
    p += pulp.lpSum(x) == 10, "ten"
    p += pulp.lpSum(x[:19]) + 2 * x[19] == 12, "twelve_ish"
    p += pulp.lpSum(x[:10]) == 10, "first_ten"
    for v in x:
        v.setInitialValue(1)
    assert p.solve(BIPNN(msg=False, timeLimit=1)) == pulp.LpStatusNotSolved
    assert p.sol_status == pulp.LpSolutionNoSolutionFound
    assert all(v.varValue == 1 for v in x)


def test_feasible_maps_to_optimal_with_integer_feasible(monkeypatch):
    p = tiny()
    by_name = {"x0": 1.0, "x1": 1.0, "x2": 0.0, "x3": 0.0, "x4": 0.0, "y": 1.0}
    values = {j: by_name[v.name] for j, v in enumerate(p.variables())}  # values travel by position
    monkeypatch.setattr(solvers, "solve", lambda problem, opts: SolveResult(
        FEASIBLE, TIME_LIMIT, np.zeros(7), values, 12.0, 0.0, "feasible solution found"))
    assert p.solve(BIPNN(msg=False)) == pulp.LpStatusOptimal
    assert p.sol_status == pulp.LpSolutionIntegerFeasible
    assert pulp.value(p.objective) == 12


def test_least_violating_point_is_never_written(monkeypatch):
    p = tiny()
    monkeypatch.setattr(solvers, "solve", lambda problem, opts: SolveResult(
        NONE, TIME_LIMIT, np.ones(7), {j: 1.0 for j in range(6)}, 30.0, 2.0, "nothing"))
    assert p.solve(BIPNN(msg=False)) == pulp.LpStatusNotSolved
    assert p.sol_status == pulp.LpSolutionNoSolutionFound
    assert all(v.varValue is None for v in p.variables())


def test_warm_start_passes_current_values(monkeypatch):
    seen = {}

    def fake(problem, opts):
        seen.update(opts.warm_start or {})
        return SolveResult(NONE, TIME_LIMIT, message="x")

    monkeypatch.setattr(solvers, "solve", fake)
    p = tiny()
    p.variablesDict()["x3"].setInitialValue(1)
    p.variablesDict()["y"].setInitialValue(2)
    p.solve(BIPNN(msg=False, warmStart=True))
    names = [v.name for v in p.variables()]
    assert {names[j]: v for j, v in seen.items()} == {"x3": 1.0, "y": 2.0}
    seen.clear()
    p.solve(BIPNN(msg=False))
    assert seen == {}


def test_constant_objective_and_dummy_variable():
    p = pulp.LpProblem("feasibility", pulp.LpMinimize)
    x = [p.add_variable(f"x{i}", cat="Binary") for i in range(4)]
    p += 3  # constant objective: PuLP adds __dummy while solving
    p += pulp.lpSum(x) == 2, "two"
    solver = BIPNN(msg=False)
    assert p.solve(solver) == pulp.LpStatusOptimal
    assert sum(v.varValue for v in x) == 2 and pulp.value(p.objective) == 3
    assert len(solver.result.values) == 4


def test_fixed_continuous_variable_is_accepted():
    p = tiny()
    f = p.add_variable("f", 2.5, 2.5)
    p.objective += f
    p.solve(BIPNN(msg=False))
    assert f.varValue == 2.5 and pulp.value(p.objective) == pytest.approx(21.5)


def test_model_and_solver_dict_round_trip():
    """toDict drops the objective constant (PuLP's doing); the values agree."""
    p = tiny()
    solver = BIPNN(msg=False, seed=3)
    _, q = pulp.LpProblem.fromDict(p.toDict())
    p.solve(solver)
    q.solve(pulp.getSolverFromDict(solver.toDict()))
    assert [v.varValue for v in p.variables()] == [v.varValue for v in q.variables()]
    assert pulp.value(p.objective) - pulp.value(q.objective) == pytest.approx(7)


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_continuous_variable_is_solved_with_the_lp(cls):
    """A continuous variable (linear, as everything in PuLP) gets its LP-optimal value written back."""
    p = tiny()
    z = p.add_variable("z", 0, 4)
    p.objective += -2 * p.sense * z  # pushes z up whichever the sense
    p += z <= 3.5, "zcap"
    reference = p.deepcopy()
    reference.solve(pulp.PULP_CBC_CMD(msg=False))
    assert p.solve(cls(msg=False)) == pulp.LpStatusOptimal
    assert z.varValue == pytest.approx(3.5) and pulp.value(p.objective) == pytest.approx(pulp.value(reference.objective))


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_relaxed_mip_solves_the_lp_relaxation(cls):
    p = tiny()
    v = p.variablesDict()
    p += v["x3"] + v["x4"] <= 1.5, "half"
    q = p.deepcopy()
    assert p.solve(cls(msg=False, mip=False)) == pulp.LpStatusOptimal
    q.solve(pulp.PULP_CBC_CMD(msg=False, mip=False))
    assert pulp.value(p.objective) == pytest.approx(pulp.value(q.objective))
    assert any(v.varValue != round(v.varValue) for v in p.variables())  # a fractional vertex, not the MIP optimum


def test_unbounded_integer_is_an_error_and_the_model_is_untouched():
    p = tiny()
    n = p.add_variable("n", 0, None, cat="Integer")
    n2 = p.add_variable("n2", 0, None, cat="Integer")
    p.objective += -p.sense * (n - n2)  # pushes n up whichever the sense: no bound, no dual fixing
    p += n >= 1, "nlow"
    p += n - n2 <= 2, "gap"  # ... but the optimum is bounded: nothing proves the model unbounded
    before = snapshot(p)
    with pytest.raises(PulpUnboundedVariableError, match="'n'"):
        p.solve(BIPNN(msg=False))
    assert snapshot(p) == before


def test_integer_with_a_lower_bound_only_is_bounded_by_its_rows():
    p = tiny()
    n = p.add_variable("n", 0, None, cat="Integer")
    p.objective += -p.sense * n  # pushes n up whichever the sense
    p += n <= 5.5, "ncap"
    assert p.solve(BIPNN(msg=False)) == pulp.LpStatusOptimal
    assert n.varValue == 5


def test_non_finite_coefficient_names_variable_and_constraint():
    p = tiny()
    x = p.variablesDict()
    p += pulp.LpAffineExpression([(x["x1"], float("nan")), (x["x2"], 1.0)]) <= 1, "bad_row"
    with pytest.raises(PulpNonFiniteCoefficientError, match="bad_row.*x1"):
        p.solve(BIPNN(msg=False))
    q = tiny()
    q.get_constraint_by_name("cap").constant = float("inf")
    with pytest.raises(PulpNonFiniteCoefficientError, match="cap"):
        q.solve(BIPNN(msg=False))


@pytest.mark.parametrize("solver", [BIPNN, BIPNN_CMD])
def test_model_without_variables_is_solved_as_cbc_does(solver):
    """PuLP's own suite (test_empty) expects an empty model to be Optimal; a constant row decides feasibility."""
    p = pulp.LpProblem("empty", pulp.LpMinimize)
    assert p.solve(solver(msg=False)) == pulp.LpStatusOptimal and p.sol_status == pulp.LpSolutionOptimal
    q = pulp.LpProblem("constant", pulp.LpMaximize)
    q += pulp.lpSum([]) + 4
    q += pulp.lpSum([]) >= -1, "true"
    assert q.solve(solver(msg=False)) == pulp.LpStatusOptimal and pulp.value(q.objective) == 4
    r = pulp.LpProblem("false_row", pulp.LpMinimize)
    r += pulp.lpSum([]) >= 5, "false"
    assert r.solve(solver(msg=False)) == pulp.LpStatusInfeasible


def test_errors_are_pulp_solver_errors():
    for cls in (BipnnPulpError, PulpModelError, PulpOptionError):
        assert issubclass(cls, pulp.PulpSolverError)


def test_used_variables_are_pulps_own_columns_in_its_order():
    """The C-level collection (translation's bulk read) gives the set and order of PuLP 3's lp.variables()."""
    from bipnn_backends.adapters.pulp import compat
    rng = np.random.default_rng(3)
    lp = pulp.LpProblem("order", pulp.LpMinimize)
    x = [pulp.LpVariable(f"v{rng.integers(10**6)}_{i}", cat="Binary") for i in range(40)]
    lp += pulp.lpSum(int(rng.integers(1, 9)) * v for v in x[:15])
    for r in range(12):
        lp += pulp.lpSum(x[int(k)] for k in rng.choice(40, 5, replace=False)) <= 3, f"r{r}"
    lp.addVariable(pulp.LpVariable("unused"))
    ours = compat.used_variables(lp)
    assert [id(v) for v in ours] == [id(v) for v in lp.variables()]


def test_bulk_rows_equal_the_models_own_values():
    """Every row and the objective, read in bulk, evaluate as PuLP evaluates them at random points."""
    from bipnn_backends.adapters.pulp.translate import translate
    from bipnn_backends.core.evaluate import evaluate
    rng = np.random.default_rng(5)
    lp = pulp.LpProblem("bulk", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(12)]
    k = pulp.LpVariable("k", 1, 6, cat="Integer")
    lp += pulp.lpSum(float(rng.normal()) * v for v in x) + 2 * k + 1.5
    for r in range(6):
        lp += pulp.lpSum(int(rng.integers(-3, 4)) * x[int(j)] for j in rng.choice(12, 4, replace=False)) \
            + (r - 2) * k <= 4, f"r{r}"
    tr = translate(lp)
    for _ in range(20):
        bits = rng.integers(0, 2, tr.problem.n_binaries).astype(float)
        tr.write(tr.problem.decode(bits))
        X = bits[None, :]
        assert float(evaluate(tr.problem.objective, X)[0]) == pytest.approx(pulp.value(lp.objective))
        for con in tr.problem.constraints:
            row = lp.constraints[con.name]
            assert float(evaluate(con.body, X)[0]) - con.rhs == pytest.approx(row.value())
