"""CVXPY regressions of the adapter items of the defects issue."""

from __future__ import annotations

import numpy as np
import cvxpy as cp
import pytest

import bipnn_backends  # noqa: F401  (registers method="bipnn")
from bipnn_backends.errors import NonFiniteCoefficientError


def test_method_without_variables_is_solved_not_crashed():
    prob = cp.Problem(cp.Minimize(3.0), [])
    assert prob.solve(method="bipnn") == 3.0 and prob.status == cp.OPTIMAL
    bad = cp.Problem(cp.Minimize(1.0), [cp.Constant(1.0) <= 0])
    bad.solve(method="bipnn")
    assert bad.status == cp.INFEASIBLE


def test_infinite_coefficient_is_named_with_the_constraint_and_variable():
    """(``solver=BIPNN()`` never sees it: CVXPY's own chain refuses NaN/Inf data first.)"""
    x = cp.Variable(3, boolean=True, name="pick")
    prob = cp.Problem(cp.Minimize(cp.sum(x)), [np.array([1.0, np.inf, 1.0]) @ x >= 1])
    with pytest.raises(NonFiniteCoefficientError) as err:
        prob.solve(method="bipnn")
    assert "constraints[0]" in str(err.value) and "the coefficient inf on variable 'pick[1]'" in str(err.value)
    for coefs, goal in (([1.0, -np.inf, 1.0], cp.Minimize), ([1.0, np.inf, 1.0], cp.Maximize)):
        obj = goal(np.array(coefs) @ x)  # the sign CVXPY's canonical form gives it is not shown
        with pytest.raises(NonFiniteCoefficientError, match="the objective: the coefficient inf on variable 'pick"):
            cp.Problem(obj, [cp.sum(x) <= 2]).solve(method="bipnn")
    assert isinstance(err.value, cp.error.SolverError) and x.value is None


def test_nan_objective_coefficient_is_named():
    x = cp.Variable(2, boolean=True, name="y")
    prob = cp.Problem(cp.Minimize(np.array([1.0, np.nan]) @ x))
    with pytest.raises(NonFiniteCoefficientError, match="the objective: the coefficient nan on variable 'y\\[1\\]'"):
        prob.solve(method="bipnn")
