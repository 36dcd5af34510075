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
    # x0 plus the two largest of 1..199 under sum(x) <= 3: the optimum is 1e15 + 199 + 198;
    # with the small terms dropped (the old canonicalisation) any pair was as good (315 seen)
    assert res.status == "feasible" and res.values["x0"] == 1.0
    assert 1e15 + 390 <= res.objective <= 1e15 + 397


def test_well_scaled_objective_gives_no_warning():
    p = _row_problem([1.0, 2.0, 3.0], "<=", 4.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reformulate(p, make_options())


# -- issue 12: verification in O(nonzeros) --------------------------------------------------
def _mixed_problem(seed=0, n=40, m=8):
    from bipnn_backends.core.expr import Var, exp
    rng = np.random.default_rng(seed)
    p = BinaryProblem()
    idx = p.add_binaries([f"z{i}" for i in range(n)])
    p.set_objective(Poly.linear(idx, rng.normal(size=n)) + 3.0)
    for r in range(m):
        cols = rng.choice(n, size=6, replace=False)
        a = rng.integers(-3, 4, size=6).astype(float)
        kind = r % 4
        if kind == 0:
            body = Poly.linear(cols, a, 1.5)
        elif kind == 1:
            body = Var(int(cols[0])) + 2.0 * Var(int(cols[1])) + Poly.linear(cols[2:], a[2:]) - 1.0
        elif kind == 2:
            body = -2.0 * (Var(int(cols[0])) + Var(int(cols[1])))
        else:
            body = exp(Var(int(cols[0])) + Var(int(cols[1]))) + Var(int(cols[2])) * Var(int(cols[3]))
        p.add_constraint(body, ("<=", ">=", "==", "<=")[kind], (3.0, -2.0, -2.0, 4.0)[kind], f"r{r}")
    return p


def _reference(problem, X, tol=1e-6):
    from bipnn_backends.core.evaluate import evaluate
    obj = evaluate(problem.objective, X)
    worst, feasible = np.zeros(len(X)), np.ones(len(X), bool)
    for con in problem.constraints:
        g = evaluate(con.body, X) - con.rhs
        v = np.maximum(g, 0) if con.sense == "<=" else np.maximum(-g, 0) if con.sense == ">=" else np.abs(g)
        worst = np.maximum(worst, v)
        feasible &= v <= feasibility_tolerance(con, tol)
    return obj, worst, feasible


def test_batched_verification_equals_constraint_by_constraint(monkeypatch):
    import bipnn_backends.core.evaluate as ev
    p = _mixed_problem()
    X = np.random.default_rng(3).integers(0, 2, size=(500, p.n_binaries)).astype(float)
    X[:3] = 0.0
    obj, worst, feasible = _reference(p, X)
    calls = []
    real = ev.evaluate
    monkeypatch.setattr(ev, "evaluate", lambda e, *a, **k: calls.append(e) or real(e, *a, **k))
    vals = evaluate_problem(p, X)
    assert np.allclose(vals.objective, obj) and np.allclose(vals.max_violation, worst)
    assert (vals.feasible == feasible).all() and 0 < feasible.sum() < len(X)
    # only the nonlinear constraints (one in four) go through the generic evaluator
    assert len(calls) == sum(1 for c in p.constraints if c.name in {f"r{r}" for r in range(3, 8, 4)})
    sparse = np.zeros((4, p.n_binaries))
    sparse[1, 5] = 1.0  # a mostly-zero batch takes the sparse product
    assert (evaluate_problem(p, sparse).feasible == _reference(p, sparse)[2]).all()


def test_cached_linear_rows_follow_new_constraints():
    p = _row_problem([1.0, 1.0], "<=", 1.0)
    X = np.array([[1.0, 1.0], [1.0, 0.0]])
    assert evaluate_problem(p, X).feasible.tolist() == [False, True]
    p.add_constraint(Poly.linear([0], [1.0]), "==", 0.0, "x0_off")
    assert evaluate_problem(p, X).feasible.tolist() == [False, False]
