"""Pyomo regressions of the adapter items of the defects issue: variables keyed by identity, Pyomo's own
conventions (stale flags, solver_log, error texts, kernel models), messages naming the culprit."""

from __future__ import annotations

import pyomo.environ as pyo
import pyomo.kernel as pmo
import pytest
from pyomo.contrib.solver.common.factory import SolverFactory as NewSolverFactory
from pyomo.contrib.solver.common.results import TerminationCondition
from pyomo.contrib.solver.common.util import NoSolutionError
from pyomo.opt import TerminationCondition as LegacyTC

import bipnn_backends  # noqa: F401  (registers)
from bipnn_backends.errors import NonFiniteCoefficientError


def test_vars_of_equal_name_from_two_models_keep_their_own_values():
    """``m.x[i] + o.x[i] == 1``: the two Vars share a name; each must get its own value."""
    m, o = pyo.ConcreteModel(), pyo.ConcreteModel()
    n = 6
    m.x = pyo.Var(range(n), domain=pyo.Binary)
    o.x = pyo.Var(range(n), domain=pyo.Binary)
    m.c = pyo.Constraint(range(n), rule=lambda m, i: m.x[i] + o.x[i] == 1)
    m.obj = pyo.Objective(expr=sum((i + 1) * m.x[i] for i in range(n)) + 0.5 * sum(o.x[i] for i in range(n)))
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == LegacyTC.optimal
    for i in range(n):
        assert pyo.value(m.x[i]) + pyo.value(o.x[i]) == 1
        assert pyo.value(m.x[i]) == 0  # minimising: o.x carries the ones
    assert pyo.value(m.obj) == pytest.approx(0.5 * n)


def test_new_interface_marks_vars_stale_when_not_loading_and_has_a_log():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([0, 1, 2], domain=pyo.Binary)
    m.obj = pyo.Objective(expr=m.x[0] + 2 * m.x[1] - m.x[2])
    opt = NewSolverFactory("bipnn")
    opt.solve(m)
    assert not any(v.stale for v in m.x.values())
    res = opt.solve(m, load_solutions=False)
    assert all(v.stale for v in m.x.values())
    assert isinstance(res.solver_log, str) and "proven optimal" in res.solver_log
    res.solution_loader.load_vars()
    assert not any(v.stale for v in m.x.values()) and pyo.value(m.obj) == -1


def test_no_solution_error_text_is_pyomos():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([0, 1], domain=pyo.Binary)
    m.obj = pyo.Objective(expr=m.x[0])
    m.c = pyo.Constraint(expr=m.x[0] + m.x[1] >= 3)
    res = NewSolverFactory("bipnn").solve(m, load_solutions=False, raise_exception_on_nonoptimal_result=False)
    assert res.termination_condition == TerminationCondition.provenInfeasible
    with pytest.raises(NoSolutionError) as err:
        res.solution_loader.get_vars()
    assert str(err.value) == NoSolutionError.default_message


def test_legacy_interface_with_a_kernel_model_loads_the_solution():
    m = pmo.block()
    m.x = pmo.variable(domain=pmo.Binary)
    m.y = pmo.variable(domain=pmo.Binary)
    m.o = pmo.objective(m.x + 2 * m.y, sense=pmo.maximize)
    m.c = pmo.constraint(m.x + m.y <= 1)
    m.dual = pmo.suffix(direction=pmo.suffix.IMPORT)
    res = pyo.SolverFactory("bipnn").solve(m)
    assert res.solver.termination_condition == LegacyTC.optimal
    assert (m.x.value, m.y.value) == (0, 1)


def test_nan_coefficient_names_the_constraint_and_the_var():
    m = pyo.ConcreteModel()
    m.x = pyo.Var([0, 1, 2], domain=pyo.Binary)
    m.obj = pyo.Objective(expr=sum(m.x.values()))
    m.row = pyo.Constraint(expr=m.x[0] + float("nan") * m.x[1] + m.x[2] <= 2)
    with pytest.raises(NonFiniteCoefficientError, match="constraint 'row'.*nan on Var 'x\\[1\\]'"):
        pyo.SolverFactory("bipnn").solve(m)
    m.row.deactivate()
    m.single = pyo.Constraint(expr=float("inf") * m.x[2] <= 1)
    with pytest.raises(NonFiniteCoefficientError, match="constraint 'single'.*inf on Var 'x\\[2\\]'"):
        pyo.SolverFactory("bipnn").solve(m)
