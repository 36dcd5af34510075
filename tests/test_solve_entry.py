"""solve(): options, honest statuses, and the torch-free exhaustive path."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from bipnn_backends import OptionError, solve
from bipnn_backends.core.brute_force import brute_force
from bipnn_backends.core.expr import Poly, exp, sin
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.options import make_options


def small_problem() -> BinaryProblem:
    p = BinaryProblem()
    x = [p.add_binary(f"x{i}") for i in range(6)]
    p.set_objective(sin(x[0] + x[1] + x[2]) - exp(x[3] * x[4]) + 2 * x[5] * x[0] - x[5], "max")
    p.add_constraint(x[0] + x[1] + x[5], "<=", 2, "cap")
    return p


def test_tiny_problem_is_proven_optimal():
    p = small_problem()
    res = solve(p, time_limit=1)
    ref = brute_force(p)
    assert res.solution_status == "optimal" and res.has_solution
    assert res.objective == pytest.approx(ref.objective)
    assert set(res.values) == {f"x{i}" for i in range(6)}


def test_proven_infeasible_without_search():
    p = small_problem()
    p.add_constraint(Poly.linear([0, 1], [1.0, 1.0]), ">=", 3, "impossible")
    res = solve(p)
    assert res.solution_status == "infeasible" and "impossible" in res.message
    assert res.values is None and not res.has_solution


def test_exhaustive_proves_infeasibility_of_jointly_infeasible_constraints():
    p = BinaryProblem()
    a, b = p.add_binary("a"), p.add_binary("b")
    p.add_constraint(a + b, ">=", 2, "both")
    p.add_constraint(a * b, "<=", 0, "not_both")
    res = solve(p)
    assert res.solution_status == "infeasible" and "exhaustive" in res.message


def test_unknown_and_invalid_options_are_errors():
    p = small_problem()
    with pytest.raises(OptionError, match="timelimit.*valid: time_limit"):
        solve(p, timelimit=3)
    with pytest.raises(OptionError, match="model"):
        solve(p, model="gcn")
    with pytest.raises(OptionError, match="anneal option"):
        make_options(anneal={"gamma": 1})
    with pytest.raises(OptionError, match="stopping rule"):
        make_options(time_limit=None)


def test_exhaustive_path_does_not_import_torch():
    code = ("import sys, bipnn_backends as b; from bipnn_backends.core.problem import BinaryProblem;"
            "p = BinaryProblem(); x = p.add_binary('x'); p.set_objective(-x);"
            "r = b.solve(p); assert r.solution_status == 'optimal', r;"
            "assert 'torch' not in sys.modules and 'dhg' not in sys.modules, 'heavy import'")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_decoded_integers_in_result():
    p = BinaryProblem()
    k = p.add_integer("k", -3, 6)
    y = p.add_binary("y")
    p.set_objective((k - 2) ** 2 + 3 * y - y * k)
    res = solve(p)
    assert res.solution_status == "optimal"
    vals = [((kk - 2) ** 2 + 3 * yy - yy * kk) for kk in range(-3, 7) for yy in (0, 1)]
    assert res.objective == pytest.approx(min(vals))
    kk, yy = res.values["k"], res.values["y"]
    assert (kk - 2) ** 2 + 3 * yy - yy * kk == pytest.approx(min(vals))
    assert np.isin(res.x, [0.0, 1.0]).all()


def test_jointly_infeasible_beyond_exhaustive_is_no_solution_found_with_least_violating_point():
    p = BinaryProblem()
    idx = p.add_binaries([f"x{i}" for i in range(24)])
    p.set_objective(Poly.linear(idx, np.linspace(-1, 1, 24)))
    p.add_constraint(Poly.linear(idx[:10], np.ones(10)), ">=", 8, "at_least_8_of_first_10")
    p.add_constraint(Poly.linear(idx[5:], np.ones(19)), "<=", 2, "at_most_2_of_last_19")
    res = solve(p, time_limit=1.0)
    assert res.solution_status == "none" and not res.has_solution
    assert res.max_violation == pytest.approx(1.0)  # the least possible violation: one unit on one row
    assert res.x is not None and "least-violating" in res.message
