"""Every model error an entry point can produce reaches the user as the core class AND the host's class
(issue 13: CVXPY once turned undefined-function, expansion-limit and non-finite errors into a plain
``CvxpyModelError``), with the model's variables left untouched. Each case is built the way a user
would write it in that host; the errors are raised before any search runs."""

from __future__ import annotations

import warnings
from typing import Any, Callable

import cvxpy as cp
import pulp
import pyomo.environ as pyo
import pytest
from pyomo.common.errors import PyomoException
from pyomo.contrib.solver.common.factory import SolverFactory as ContribFactory

import bipnn_backends  # noqa: F401  (registers)
from bipnn_backends import errors as core
from bipnn_backends.adapters._kit import CORE_ERRORS
from bipnn_backends.adapters.cvxpy.errors import ERRORS as CVXPY_ERRORS
from bipnn_backends.adapters.pulp.errors import ERRORS as PULP_ERRORS
from bipnn_backends.adapters.pyomo.errors import ERRORS as PYOMO_ERRORS
from bipnn_backends.cvxpy import BIPNN as CvxpyBIPNN
from bipnn_backends.pulp import BIPNN, BIPNN_CMD

Case = Callable[[], tuple[Callable[[], Any], list[Callable[[], Any]]]]  # -> (solve, readers of the values)


# -- PuLP -------------------------------------------------------------------------------------
def _pulp(kind: str, cls: type) -> Case:
    def case():
        p = pulp.LpProblem("m", pulp.LpMinimize)
        x, y = pulp.LpVariable("x", cat="Binary"), pulp.LpVariable("y", cat="Binary")
        xs = [x, y]
        p += x + y
        options: dict[str, Any] = {}
        if kind == "nonfinite":
            p += pulp.LpAffineExpression({x: 1.0, y: float("inf")}) <= 1, "c"
        elif kind == "model":  # two different variables named x
            x2 = pulp.LpVariable("x", cat="Binary")
            p += x + x2 >= 1, "c"
            xs.append(x2)
        elif kind == "unbounded":
            z, z2 = pulp.LpVariable("z", 0, cat="Integer"), pulp.LpVariable("z2", 0, cat="Integer")
            p += x + y - z + z2
            p += z - z2 <= 1, "c"
            xs += [z, z2]
        elif kind == "option":
            options = {"seed": -1}
        return (lambda: p.solve(cls(msg=False, **options))), [lambda v=v: v.varValue for v in xs]
    return case


# -- Pyomo ------------------------------------------------------------------------------------
def _pyomo(kind: str, legacy: bool) -> Case:
    def case():
        m = pyo.ConcreteModel()
        m.x = pyo.Var([0, 1], domain=pyo.Binary)
        options: dict[str, Any] = {}
        expr = m.x[0] + m.x[1]
        if kind == "undefined":
            expr = pyo.log(m.x[0]) + m.x[1]
        elif kind == "nonfinite":
            m.c = pyo.Constraint(expr=float("nan") * m.x[1] <= 1)
        elif kind == "unsupported":
            m.s = pyo.SOSConstraint(var=m.x, sos=1)
        elif kind == "continuous":
            m.z = pyo.Var(bounds=(0, 3))
            expr = m.z ** 2 + m.x[0]
        elif kind == "unbounded":
            m.z = pyo.Var(domain=pyo.Integers)
            expr = m.z ** 2 + m.x[0]
        elif kind == "expansion":
            m.y = pyo.Var(range(40), domain=pyo.Binary)
            s = sum(m.y.values())
            m.c = pyo.Constraint(expr=s * s * s <= 10)
            options = {"max_monomials": 1000}
        elif kind == "option":
            options = {"seed": -1}
        m.o = pyo.Objective(expr=expr)
        if legacy:
            run = lambda: pyo.SolverFactory("bipnn").solve(m, options=options)  # noqa: E731
        else:
            run = lambda: ContribFactory("bipnn").solve(m, solver_options=options)  # noqa: E731
        return run, [lambda v=v: v.value for v in m.component_data_objects(pyo.Var)]
    return case


# -- CVXPY ------------------------------------------------------------------------------------
def _cvxpy(kind: str, method: bool) -> Case:
    def case():
        x = cp.Variable(2, boolean=True)
        variables = [x]
        objective, constraints, options = cp.sum(x), [], {}
        if kind == "undefined":
            objective = -cp.sum(cp.log(x))
        elif kind == "nonfinite":
            constraints = [x[0] + x[1] <= float("nan")]
        elif kind == "unsupported":
            constraints = [cp.SOC(cp.sum(x), x)]
        elif kind == "continuous":  # continuous entries squared: not eliminable through equalities
            y = cp.Variable(2)
            objective, constraints = cp.sum_squares(y) + cp.sum(x), [y >= x]
            variables.append(y)
        elif kind == "unbounded":
            z = cp.Variable(integer=True)
            objective = cp.square(z) + cp.sum(x)
            variables.append(z)
        elif kind == "expansion":
            y = cp.Variable(40, boolean=True)
            constraints = [cp.power(cp.sum(y), 3) <= 10]
            options = {"max_monomials": 1000}
            variables.append(y)
        elif kind == "model":  # a structural attribute the binary encoding does not represent
            s = cp.Variable((2, 2), symmetric=True, integer=True)
            objective, constraints = cp.sum(s) + cp.sum(x), [s >= 0, s <= 1]
            variables.append(s)
        elif kind == "option":
            options = {"seed": -1}
        prob = cp.Problem(cp.Minimize(objective), constraints)

        def run():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if method:
                    return prob.solve(method="bipnn", **options)
                return prob.solve(solver=CvxpyBIPNN(), **options)
        return run, [lambda v=v: v.value for v in variables]
    return case


KINDS = {
    "nonfinite": core.NonFiniteCoefficientError, "model": core.ModelError, "unbounded": core.UnboundedVariableError,
    "undefined": core.UndefinedFunctionError, "unsupported": core.UnsupportedExpressionError,
    "continuous": core.ContinuousVariableError, "expansion": core.ExpansionLimitError, "option": core.OptionError,
}
#: entry -> (case builder, host error table, host base class)
ENTRIES: dict[str, tuple[Callable[[str], Case], dict, type]] = {
    "pulp-BIPNN": (lambda k: _pulp(k, BIPNN), PULP_ERRORS, pulp.PulpSolverError),
    "pulp-BIPNN_CMD": (lambda k: _pulp(k, BIPNN_CMD), PULP_ERRORS, pulp.PulpSolverError),
    "pyomo-legacy": (lambda k: _pyomo(k, True), PYOMO_ERRORS, PyomoException),
    "pyomo-contrib": (lambda k: _pyomo(k, False), PYOMO_ERRORS, PyomoException),
    "cvxpy-method": (lambda k: _cvxpy(k, True), CVXPY_ERRORS, cp.error.SolverError),
    "cvxpy-solver": (lambda k: _cvxpy(k, False), CVXPY_ERRORS, cp.error.SolverError),
}
#: What a user can write in each host (PuLP is linear; CVXPY rejects NaN, non-DCP and log(0/1) before
#: its solving chain reaches BIPNN).
REACHABLE = {
    "pulp-BIPNN": ("nonfinite", "model", "unbounded", "option"),
    "pulp-BIPNN_CMD": ("nonfinite", "model", "unbounded", "option"),
    "pyomo-legacy": ("undefined", "nonfinite", "unsupported", "continuous", "unbounded", "expansion", "option"),
    "pyomo-contrib": ("undefined", "nonfinite", "unsupported", "continuous", "unbounded", "expansion", "option"),
    "cvxpy-method": ("undefined", "nonfinite", "unsupported", "unbounded", "expansion", "model", "option"),
    "cvxpy-solver": ("continuous", "unbounded", "model", "option"),
}
CASES = [(entry, kind) for entry, kinds in REACHABLE.items() for kind in kinds]


def test_every_core_error_is_reached_through_some_entry():
    reached = {KINDS[kind] for _, kind in CASES}
    assert reached == set(CORE_ERRORS) - {core.BipnnError}


@pytest.mark.parametrize(("entry", "kind"), CASES)
def test_error_is_the_core_and_the_host_class(entry, kind):
    build, table, host_base = ENTRIES[entry]
    run, readers = build(kind)()
    with pytest.raises(KINDS[kind]) as err:
        run()
    assert isinstance(err.value, host_base) and isinstance(err.value, table[KINDS[kind]]), type(err.value).__mro__
    assert all(read() is None for read in readers)
