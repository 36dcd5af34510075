"""Regression tests for the core items of issue 11: proofs agree with the verifier,
every coefficient is kept, limits are held, errors name the user's variables."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bipnn_backends import solve
from bipnn_backends.core.brute_force import brute_force
from bipnn_backends.core.evaluate import enumerate_points, evaluate_problem, feasibility_tolerance
from bipnn_backends.core.expand import Expander
from bipnn_backends.core.expr import Poly
from bipnn_backends.core.penalties import linear_row_analysis
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.core.reformulate import reformulate
from bipnn_backends.options import make_options


def _row_problem(coefs, sense, rhs, extra=0):
    p = BinaryProblem()
    idx = p.add_binaries([f"y{i}" for i in range(len(coefs) + extra)])
    p.set_objective(Poly.linear(idx, np.linspace(1.0, 2.0, len(idx))))
    p.add_constraint(Poly.linear(idx[:len(coefs)], coefs), sense, rhs, "row")
    return p


# -- item 1: proofs use the verifier's tolerance ------------------------------------------
@pytest.mark.parametrize("coefs, rhs", [([0.333333] * 3, 1.0), ([2.0, 2.0], 2.0000001)])
def test_rows_feasible_within_tolerance_are_not_proven_infeasible(coefs, rhs):
    p = _row_problem(coefs, "==", rhs)
    assert brute_force(p).x is not None                   # the verifier accepts a point...
    assert reformulate(p, make_options()).infeasible == []  # ...so no proof may reject the row
    assert solve(p).status == "optimal"
    wide = _row_problem(coefs, "==", rhs, extra=20)          # beyond the exhaustive limit
    res = solve(wide, time_limit=1.0, exhaustive_limit=0)
    assert res.status == "feasible" and res.max_violation <= 1.000001e-6 * max(1.0, rhs)
    assert res.values["y0"] + res.values["y1"] >= 1


def _random_row(rng):
    n = int(rng.integers(1, 7))
    unit = rng.choice([1.0, 0.5, 0.001, 0.333333, 2.5])
    coefs = unit * rng.integers(-4, 6, size=n).astype(float)
    coefs[coefs == 0] = unit
    tol = 1e-6
    base = unit * float(rng.integers(-6, 12))
    shift = rng.choice([0.0, 0.3, 0.99, 1.01, 3.0]) * tol * max(1.0, abs(base)) * rng.choice([-1, 1])
    return coefs, str(rng.choice(["<=", ">=", "=="])), base + shift


def test_row_proofs_and_penalty_bounds_agree_with_the_verifier():
    rng = np.random.default_rng(11)
    seen = set()
    for _ in range(400):
        coefs, sense, rhs = _random_row(rng)
        p = _row_problem(coefs, sense, rhs)
        con = p.constraints[0]
        status, pi = linear_row_analysis(coefs, rhs, sense, feasibility_tolerance(con, 1e-6))
        seen.add(status)
        X = enumerate_points(p.n_binaries)
        feasible = evaluate_problem(p, X).feasible
        if status == "infeasible":
            assert not feasible.any(), (coefs, sense, rhs)
        elif status == "redundant":
            assert feasible.all(), (coefs, sense, rhs)
        else:
            g = X @ coefs - rhs
            viol = np.abs(g) if sense == "==" else np.maximum(g if sense == "<=" else -g, 0)
            assert (viol[~feasible] ** 2 >= pi * (1 - 1e-9)).all(), (coefs, sense, rhs, pi)
    assert seen == {"infeasible", "redundant", "active"}


# -- item 3: every coefficient is kept ----------------------------------------------------
def _scaled_problem():
    p = BinaryProblem()
    idx = p.add_binaries([f"x{i}" for i in range(200)])
    c = np.arange(200, dtype=float)
    c[0] = 1e15
    p.set_objective(Poly.linear(idx, c), "max")
    p.add_constraint(Poly.linear(idx, np.ones(200)), "<=", 3, "card")
    return p


def test_small_coefficients_beside_huge_ones_are_kept_and_the_range_is_warned():
    p = _scaled_problem()
    ex = Expander(200, 12, 10**6).expand(p.objective, "objective")
    assert ex.poly.n_terms == 200 and sorted(ex.poly.coefs)[:3] == [1.0, 2.0, 3.0]
    with pytest.warns(RuntimeWarning, match="coefficients from 1 to 1e\\+15"):
        res = solve(p, time_limit=2.0, seed=0)
    # x0 plus the two largest of 1..199 under sum(x) <= 3: the optimum is 1e15 + 199 + 198
    assert res.status == "feasible"
    assert res.objective == 1e15 + 397


def test_well_scaled_objective_gives_no_warning():
    p = _row_problem([1.0, 2.0, 3.0], "<=", 4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reformulate(p, make_options())
