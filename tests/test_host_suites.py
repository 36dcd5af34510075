"""The hosts' own solver suites run against BIPNN; every expected exclusion is in tests/host_exclusions.py.

PuLP: ``pulp.tests.test_pulp.BaseSolverTest.PuLPTest`` subclassed for ``BIPNN`` and ``BIPNN_CMD``.
CVXPY: the LP, mixed-integer LP, QP and infeasible-LP helper problems of
``cvxpy.tests.solver_test_helpers`` (duals not checked: BIPNN reports none; the cone classes,
SOCP/SDP/exponential/power cones, are outside what BIPNN accepts and not run).
Pyomo: the solver test models of ``pyomo.solvers.tests.models`` (those whose capabilities are linear,
integer or a quadratic objective; QCP, MIQCP and SOS models are outside what BIPNN accepts), legacy
interface, each status checked and its objective compared with HiGHS on the same model.
Continuous variables that appear linearly are solved (docs/mixed.md); what remains excluded is
listed with the reason in tests/host_exclusions.py, and in docs/mixed.md.
"""

from __future__ import annotations

import inspect
import warnings
from typing import Any

import pytest
from pulp.tests.test_pulp import BaseSolverTest

import bipnn_backends  # noqa: F401  (registers)
from bipnn_backends.pulp import BIPNN, BIPNN_CMD
from host_exclusions import EXCLUDED, with_exclusions


class TestPulpSuiteBIPNN(BaseSolverTest.PuLPTest):
    solveInst = BIPNN


class TestPulpSuiteBIPNN_CMD(BaseSolverTest.PuLPTest):
    solveInst = BIPNN_CMD


with_exclusions(TestPulpSuiteBIPNN, "pulp")
with_exclusions(TestPulpSuiteBIPNN_CMD, "pulp")


def _cvxpy_helpers() -> dict[str, Any]:
    from cvxpy.tests import solver_test_helpers as helpers

    out = {}
    for cls in (helpers.StandardTestLPs, helpers.StandardTestQPs, helpers.StandardTestInfeasibleProblems):
        for name in dir(cls):
            if name.startswith("test_") and (cls is not helpers.StandardTestInfeasibleProblems
                                             or name.startswith("test_lp")):
                out[f"{cls.__name__}.{name}"] = getattr(cls, name)
    return out


CVXPY_HELPERS = _cvxpy_helpers()


def test_cvxpy_exclusions_name_existing_helpers():
    assert set(EXCLUDED["cvxpy"]) <= set(CVXPY_HELPERS), "update EXCLUDED['cvxpy']"
    assert sum(name.startswith("StandardTestLPs.test_mi_lp") for name in CVXPY_HELPERS) >= 7


@pytest.mark.parametrize("name", sorted(CVXPY_HELPERS))
def test_cvxpy_solver_test_helpers(name):
    from bipnn_backends.cvxpy import BIPNN as CvxpyBIPNN

    if name in EXCLUDED["cvxpy"]:
        pytest.skip(EXCLUDED["cvxpy"][name])
    helper = CVXPY_HELPERS[name]
    kwargs = {"duals": False} if "duals" in inspect.signature(helper).parameters else {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        helper(CvxpyBIPNN(), **kwargs)


def _pyomo_models() -> dict:
    try:
        import pyomo.solvers.tests.models  # noqa: F401  (registers them)
        from pyomo.solvers.tests.models.base import all_models
    except ImportError:
        return {}

    return {name: cls for name, cls in sorted(all_models().items())
            if cls().capabilities <= {"linear", "integer", "quadratic_objective"}}


PYOMO_MODELS = _pyomo_models()


def test_pyomo_exclusions_name_existing_models():
    assert set(EXCLUDED["pyomo"]) <= set(PYOMO_MODELS), "update EXCLUDED['pyomo']"


def _reference_objective(name: str) -> float | None:
    """HiGHS (appsi) on the model's non-kernel twin, when it can read it."""
    import pyomo.environ as pyo

    base = name.split("_kernel")[0].removesuffix("_dense").removesuffix("_sparse")
    m = PYOMO_MODELS[base]()
    m.generate_model()
    try:
        res = pyo.SolverFactory("appsi_highs").solve(m.model, load_solutions=True)
    except Exception:  # noqa: BLE001  (appsi cannot read some models; then only the status is checked)
        return None
    assert res.solver.termination_condition == pyo.TerminationCondition.optimal
    return pyo.value(next(m.model.component_data_objects(pyo.Objective, active=True)))


@pytest.mark.parametrize("name", sorted(PYOMO_MODELS))
def test_pyomo_solver_test_models(name):
    import pyomo.environ as pyo

    if name in EXCLUDED["pyomo"]:
        pytest.skip(EXCLUDED["pyomo"][name])
    m = PYOMO_MODELS[name]()
    m.generate_model()
    res = pyo.SolverFactory("bipnn").solve(m.model, load_solutions=not m.solve_should_fail, timelimit=10)
    if m.solve_should_fail:
        m.post_solve_test_validation(None, res)  # Pyomo's own check of the status
        return
    assert res.solver.termination_condition == pyo.TerminationCondition.optimal
    expected = _reference_objective(name)
    if expected is not None:
        got = pyo.value(next(m.model.component_data_objects(pyo.Objective, active=True)))
        assert got == pytest.approx(expected, abs=1e-6)
