"""The PuLP adapter on PuLP 4.x (Python >= 3.12, no torch): registration, statistics, errors."""

from __future__ import annotations

import sys

import numpy as np
import pulp
import pytest
from pulp.constants import LpSolveStatus as S

import bipnn_backends
from bipnn_backends import BIPNN, BIPNN_CMD
from bipnn_backends.adapters.pulp import compat, solvers
from bipnn_backends.pulp import (PulpModelError, PulpOptionError,
                                 PulpUnboundedVariableError)
from bipnn_backends.result import CONVERGED, EPOCHS, FEASIBLE, INTERRUPTED, NONE, TIME_LIMIT, SolveResult

VALUES = {0: 1.0, 1: 1.0, 2: 0.0, 3: 0.0, 4: 0.0, 5: 1.0}  # by position (x0..x4, y): feasible, objective 12


def test_pulp_4_and_no_torch():
    assert compat.PULP4
    assert "torch" not in sys.modules


def test_registration_through_add_solver(recwarn):
    assert isinstance(pulp.getSolver("BIPNN"), BIPNN)
    assert isinstance(pulp.getSolver("BIPNN_CMD"), BIPNN_CMD)
    assert {"BIPNN", "BIPNN_CMD"} <= set(pulp.listSolvers(onlyAvailable=True))
    bipnn_backends.adapters.pulp.register()
    assert [s.name for s in pulp.apis._all_solvers].count("BIPNN") == 1
    assert not [w for w in recwarn if "shadows" in str(w.message)]


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_options_round_trip(cls):
    solver = cls(timeLimit=4, msg=False, seed=7, device="cpu", restarts=8, anneal={"alpha": 3.0})
    data = solver.toDict()
    assert pulp.getSolverFromDict(data).toDict() == data == solver.copy().toDict()
    with pytest.raises(PulpOptionError, match="gapRel"):
        cls(gapRel=0.1)


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_proven_optimal(cls, tiny):
    p = tiny()
    solver = cls(msg=False)
    stats = p.solve(solver)
    assert stats.status == S.Optimal and stats.has_solution
    assert stats.objective == pytest.approx(19) == pytest.approx(pulp.value(p.objective))
    assert solver.result.objective == pytest.approx(19)
    assert [v.varValue for v in p.variables()] == [0, 0, 1, 1, 1, 0]
    assert p.valid()


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_proven_infeasible(cls, infeasible):
    p = infeasible()
    stats = p.solve(cls(msg=False))
    assert stats.status == S.Infeasible and not stats.has_solution and stats.objective is None
    assert all(v.varValue is None for v in p.variables())


@pytest.mark.parametrize("status, termination, expected, has_solution", [
    (FEASIBLE, TIME_LIMIT, S.TimeLimit, True),
    (FEASIBLE, EPOCHS, S.IterationLimit, True),
    (FEASIBLE, CONVERGED, S.Stopped, True),
    (FEASIBLE, INTERRUPTED, S.Interrupted, True),
    (NONE, TIME_LIMIT, S.TimeLimit, False),
    (NONE, EPOCHS, S.IterationLimit, False),
    (NONE, INTERRUPTED, S.Interrupted, False),
])
def test_heuristic_statuses(monkeypatch, tiny, status, termination, expected, has_solution):
    """The engine's answers (stubbed: no torch here) reported as PuLP 4's own MIP solvers do."""
    p = tiny()
    values = VALUES if status == FEASIBLE else {k: 1.0 for k in VALUES}
    monkeypatch.setattr(solvers, "solve", lambda problem, opts: SolveResult(
        status, termination, np.zeros(7), values, 12.0, 0.0 if status == FEASIBLE else 2.0, "stub"))
    stats = p.solve(BIPNN(msg=False, timeLimit=1))
    assert stats.status == expected and stats.has_solution is has_solution
    if has_solution:
        assert stats.objective == 12 == pulp.value(p.objective)
    else:
        assert stats.objective is None and all(v.varValue is None for v in p.variables())


def test_warm_start(monkeypatch, tiny):
    seen = {}

    def fake(problem, opts):
        seen.update(opts.warm_start or {})
        return SolveResult(NONE, CONVERGED, message="stub")

    monkeypatch.setattr(solvers, "solve", fake)
    p = tiny()
    p.variablesDict()["y"].setInitialValue(2)
    p.solve(BIPNN(msg=False, warmStart=True))
    assert seen == {5: 2.0}  # by position: y is the sixth variable


def test_constant_objective():
    p = pulp.LpProblem("feasibility", pulp.LpMinimize)
    x = [p.add_variable(f"x{i}", cat="Binary") for i in range(4)]
    p += 3
    p += pulp.lpSum(x) == 2, "two"
    stats = p.solve(BIPNN(msg=False))
    assert stats.status == S.Optimal and sum(v.varValue for v in x) == 2
    assert pulp.value(p.objective) == 3


def test_model_and_solver_dict_round_trip(tiny):
    p = tiny()
    solver = BIPNN(msg=False, seed=3)
    _, q = pulp.LpProblem.fromDict(p.toDict())
    p.solve(solver)
    q.solve(pulp.getSolverFromDict(solver.toDict()))
    assert [v.varValue for v in p.variables()] == [v.varValue for v in q.variables()]
    assert pulp.value(p.objective) - pulp.value(q.objective) == pytest.approx(7)  # toDict drops the constant


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_continuous_variable_is_solved_with_the_lp(cls, tiny):
    p = tiny()
    z = p.add_variable("z", 0, 4)
    p.objective += -2 * p.sense * z  # pushes z up whichever the sense
    p += z <= 3.5, "zcap"
    stats = p.solve(cls(msg=False))
    assert stats.status == S.Optimal and z.varValue == pytest.approx(3.5)


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_lp_unbounded(cls):
    p = pulp.LpProblem("ray", pulp.LpMaximize)
    a = p.add_variable("a", 0)
    p += a
    p += a >= 1, "c"
    assert p.solve(cls(msg=False)).status == S.Unbounded


def test_unbounded_integer_is_an_error_and_the_model_is_untouched(tiny):
    p = tiny()
    n = p.add_variable("n", 0, None, cat="Integer")
    n2 = p.add_variable("n2", 0, None, cat="Integer")
    p.objective += -p.sense * (n - n2)  # n has no finite range ...
    p += n >= 1, "nlow"
    p += n - n2 <= 2, "gap"  # ... but the optimum is bounded: nothing proves the model unbounded
    before = ([(v.name, v.varValue, v.lowBound, v.upBound) for v in p.variables()], str(p.objective),
              [str(c) for c in p.constraints()])
    with pytest.raises(PulpUnboundedVariableError, match="'n'") as err:
        p.solve(BIPNN(msg=False))
    assert isinstance(err.value, pulp.PulpSolverError)
    assert before == ([(v.name, v.varValue, v.lowBound, v.upBound) for v in p.variables()], str(p.objective),
                      [str(c) for c in p.constraints()])


def test_unused_variables_are_ignored(tiny):
    p = tiny()
    unused = p.add_variable("unused", 0, 4)  # continuous, but in no constraint and not in the objective
    assert p.solve(BIPNN(msg=False)).status == S.Optimal
    assert unused.varValue is None


def test_keep_files(tmp_path, monkeypatch, tiny):
    monkeypatch.chdir(tmp_path)
    tiny().solve(BIPNN_CMD(msg=False, keepFiles=True))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny-pulp.mps", "tiny-pulp.options.json",
                                                           "tiny-pulp.sol.json"]


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_two_variables_of_one_name_are_refused(cls):
    """PuLP 4 lets two variables share a name; BIPNN refuses them as PuLP's checkDuplicateVars does."""
    p = pulp.LpProblem("dup", pulp.LpMaximize)
    a, b = p.add_variable("x", cat="Binary"), p.add_variable("x", cat="Binary")
    p += a + 2 * b
    p += a + b <= 1, "one"
    with pytest.raises(PulpModelError, match="repeated variable name.*'x'"):
        p.solve(cls(msg=False))
    assert a.varValue is None and b.varValue is None


def test_values_are_written_by_identity(monkeypatch, tiny):
    """PuLP 4 hands out new wrappers per access: the write-back goes by the variable's id."""
    p = tiny()
    monkeypatch.setattr(solvers, "solve", lambda problem, opts: SolveResult(
        FEASIBLE, CONVERGED, np.zeros(7), {j: float(j in (1, 5)) for j in range(6)}, 12.0, 0.0, "stub"))
    p.solve(BIPNN(msg=False))
    assert [v.varValue for v in p.variables()] == [0, 1, 0, 0, 0, 1]
