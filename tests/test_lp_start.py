"""The LP-relaxation start of the constraint-aware search (engine/lp_start.py; issue 12)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from benchmarks.references import exact_reference
from benchmarks.structured import assignment, quadratic_assignment, set_cover
from bipnn_backends.core.evaluate import evaluate_problem
from bipnn_backends.core.expr import Poly
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.core.reformulate import reformulate
from bipnn_backends.engine import lp_start
from bipnn_backends.options import make_options
from bipnn_backends.solve import solve


def _reform(inst):
    return reformulate(inst.problem, make_options(time_limit=None, epochs=1))


def test_assignment_lp_is_integral_and_optimal():
    inst = assignment(15, seed=2)
    x = lp_start.lp_rounding(_reform(inst), None)
    assert x is not None and set(np.unique(x)) <= {0.0, 1.0}
    vals = evaluate_problem(inst.problem, x[None, :])
    assert vals.feasible[0] and vals.objective[0] == pytest.approx(exact_reference(inst)["value"])


def test_le_rows_and_maximisation():
    """max 3a + 2b + c + 5d  s.t.  a + b + c <= 2,  a - d <= 0 (d free to rise): LP optimum a = b = d = 1, c = 0."""
    p = BinaryProblem()
    a, b, c, d = p.add_binaries(["a", "b", "c", "d"])
    p.set_objective(Poly.linear([a, b, c, d], [3.0, 2.0, 1.0, 5.0]), "max")
    p.add_constraint(Poly.linear([a, b, c], [1.0, 1.0, 1.0]), "<=", 2.0, "cap")
    p.add_constraint(Poly.linear([a, d], [1.0, -1.0]), "<=", 0.0, "vub")
    x = lp_start.lp_rounding(reformulate(p, make_options(time_limit=1.0)), None)
    np.testing.assert_array_equal(x, [1.0, 1.0, 0.0, 1.0])


def test_only_linear_models_and_only_in_time():
    assert lp_start.lp_rounding(_reform(quadratic_assignment(5)), None) is None  # quadratic objective
    assert not lp_start.applies(_reform(quadratic_assignment(5)))
    reform = _reform(assignment(10))
    assert lp_start.applies(reform)
    assert lp_start.lp_rounding(reform, time.perf_counter() - 1.0) is None  # no time left: no LP
    assert lp_start.lp_rounding(reform, time.perf_counter() + 100.0) is not None


def test_large_lps_are_not_tried(monkeypatch):
    """HiGHS sets up and presolves before it reads its time limit: too many row entries for the time
    left (or at all) and no LP is built."""
    reform = _reform(assignment(10))  # 200 row entries
    monkeypatch.setattr(lp_start, "SETUP_SECONDS_PER_ENTRY", 1e-3)  # 0.2 s predicted: more than 10 % of 1 s
    assert lp_start.lp_rounding(reform, time.perf_counter() + 1.0) is None
    assert lp_start.lp_rounding(reform, time.perf_counter() + 10.0) is not None
    assert lp_start.lp_rounding(reform, None) is not None
    monkeypatch.setattr(lp_start, "LP_MAX_ENTRIES", 199)
    assert lp_start.lp_rounding(reform, None) is None


def test_solve_uses_it_quietly(capfd):
    inst = set_cover(40, 120, density=0.08, seed=1)
    res = solve(inst.problem, time_limit=None, epochs=5, seed=0, exhaustive_limit=0)
    assert res.stats["search"] == "constraint" and res.stats["cs_lp_start"] is True
    assert res.solution_status == "feasible" and evaluate_problem(inst.problem, res.x[None, :]).feasible[0]
    assert capfd.readouterr().out == ""  # HiGHS's banner never reaches the user's standard output
    q = solve(quadratic_assignment(5).problem, time_limit=None, epochs=5, seed=0, exhaustive_limit=0)
    assert q.stats["cs_lp_start"] is False
