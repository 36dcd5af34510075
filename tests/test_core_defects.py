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
from bipnn_backends.core.expr import Poly, Var
from bipnn_backends.core.penalties import linear_row_analysis
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.core.reformulate import reformulate
from bipnn_backends.options import make_options

from clocks import FakeTime


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
    assert solve(p).solution_status == "optimal"
    wide = _row_problem(coefs, "==", rhs, extra=20)          # beyond the exhaustive limit
    res = solve(wide, time_limit=None, epochs=100, exhaustive_limit=0)
    assert res.solution_status == "feasible" and res.max_violation <= 1.000001e-6 * max(1.0, rhs)
    assert res.values["y0"] + res.values["y1"] >= 1


def _random_row(rng):
    n = int(rng.integers(1, 7))
    unit = rng.choice([1.0, 0.5, 0.001, 0.333333, 2.5])
    coefs = unit * rng.integers(-4, 6, size=n).astype(float)
    coefs[coefs == 0] = unit
    tol = float(rng.choice([1e-6, 1e-6, 1e-3, 0.2]))  # a wide tolerance moves the feasible set
    base = unit * float(rng.integers(-6, 12))
    shift = rng.choice([0.0, 0.3, 0.99, 1.01, 3.0]) * tol * max(1.0, abs(base)) * rng.choice([-1, 1])
    return coefs, str(rng.choice(["<=", ">=", "=="])), base + shift, tol


def test_row_proofs_and_penalty_bounds_agree_with_the_verifier():
    rng = np.random.default_rng(11)
    seen = set()
    for _ in range(600):
        coefs, sense, rhs, tol = _random_row(rng)
        p = _row_problem(coefs, sense, rhs)
        con = p.constraints[0]
        status, pi, paid = linear_row_analysis(coefs, rhs, sense, feasibility_tolerance(con, tol))
        seen.add(status)
        X = enumerate_points(p.n_binaries)
        feasible = evaluate_problem(p, X, tol).feasible
        if status == "infeasible":
            assert not feasible.any(), (coefs, sense, rhs)
        elif status == "redundant":
            assert feasible.all(), (coefs, sense, rhs)
        else:
            g = X @ coefs - rhs
            viol = np.abs(g) if sense == "==" else np.maximum(g if sense == "<=" else -g, 0)
            assert (viol[~feasible] ** 2 >= pi * (1 - 1e-9)).all(), (coefs, sense, rhs, pi)
            assert (viol[feasible] ** 2 <= paid * (1 + 1e-9) + 1e-24).all(), (coefs, sense, rhs, paid)
    assert seen == {"infeasible", "redundant", "active"}


# -- item 2: variables keyed by identity; one key is one variable ------------------------------
def test_two_variables_of_one_key_are_refused_not_merged():
    from bipnn_backends.errors import ModelError
    p = BinaryProblem()
    a, b = p.add_binary("x"), p.add_binary("x")
    p.set_objective(a + 2 * b, "max")
    p.add_constraint(a + b, "<=", 1, "one")
    with pytest.raises(ModelError, match="repeated variable key\\(s\\) 'x'"):
        solve(p)  # before: values {'x': 1.0}, one value reported for two variables
    q = BinaryProblem()
    a, b = q.add_binary("x", key=0), q.add_binary("x", key=1)
    q.set_objective(a + 2 * b, "max")
    q.add_constraint(a + b, "<=", 1, "one")
    assert solve(q).values == {0: 0.0, 1: 1.0}
    q.add_continuous("z", 0, 1, key=1)  # a column shares the key space
    with pytest.raises(ModelError, match="repeated variable key\\(s\\) 1"):
        solve(q)


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
        res = solve(p, time_limit=None, epochs=200, seed=0)  # epochs: the same search at any machine load
    # x0 plus the two largest of 1..199 under sum(x) <= 3: the optimum is 1e15 + 199 + 198;
    # with the small terms dropped (the old canonicalisation) any pair was as good (315 seen)
    assert res.solution_status == "feasible" and res.values["x0"] == 1.0
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


# -- items 4-6: time limits -----------------------------------------------------------------


def _knapsack(n, seed=0):
    rng = np.random.default_rng(seed)
    p = BinaryProblem()
    idx = p.add_binaries([f"k{i}" for i in range(n)])
    w = rng.integers(1, 20, size=n).astype(float)
    p.set_objective(Poly.linear(idx, rng.integers(1, 30, size=n).astype(float)), "max")
    p.add_constraint(Poly.linear(idx, w), "<=", float(w.sum() // 3), "capacity")
    return p


def test_exhaustive_search_stops_at_the_deadline_with_the_best_point_so_far(monkeypatch):
    import importlib
    bf = importlib.import_module("bipnn_backends.core.brute_force")
    solve_mod = importlib.import_module("bipnn_backends.solve")
    clock = FakeTime(step=1.0)  # every reading is one second later
    monkeypatch.setattr(bf, "time", clock)
    monkeypatch.setattr(solve_mod, "time", clock)
    p = _knapsack(20)
    res = solve(p, time_limit=5.0, exhaustive_limit=22)
    assert res.solution_status == "feasible" and res.termination == "time_limit" and res.time_limit_reached
    assert "stopped by the time limit" in res.message
    assert res.stats["points"] < 2 ** 20
    vals = evaluate_problem(p, res.x)
    assert vals.feasible[0] and vals.objective[0] == res.objective
    monkeypatch.setattr(bf, "time", FakeTime(step=0.0))  # a clock that never moves: complete proof
    monkeypatch.setattr(solve_mod, "time", FakeTime(step=0.0))
    full = solve(p, time_limit=5.0, exhaustive_limit=22)
    assert full.solution_status == "optimal" and full.stats["points"] == 2 ** 20
    assert full.objective == brute_force(p).objective >= res.objective


def test_time_limit_zero_returns_the_best_cheap_construction():
    p = _knapsack(30)
    res = solve(p, time_limit=0)
    # all zeros is feasible (objective 0); all ones and the sign-greedy point (every x = 1) are not
    assert res.solution_status == "feasible" and res.objective == 0.0 and res.time_limit_reached
    assert res.termination == "time_limit" and not res.x.any()
    start = {f"k{i}": 1.0 for i in range(3)}
    warm = solve(p, time_limit=0, warm_start=start)
    expected = evaluate_problem(p, p.encode(start))
    assert expected.feasible[0] and warm.objective == expected.objective[0] > 0
    tiny = _knapsack(4)  # below the exhaustive limit: still no search at time_limit=0
    assert solve(tiny, time_limit=0).termination == "time_limit"


def test_infinite_time_limit_never_becomes_a_deadline():
    from bipnn_backends.options import deadline_at
    assert deadline_at(5.0, float("inf")) is None
    assert deadline_at(5.0, None) is None
    assert deadline_at(5.0, 0.0) == 5.0


# -- item 13: an integer variable with an empty range is an infeasible model ---------------
def test_integer_with_empty_range_is_reported_infeasible():
    p = BinaryProblem()
    k = p.add_integer("k", 0.2, 0.8)
    y = p.add_binary("y")
    p.set_objective(k + y)
    res = solve(p)
    assert res.solution_status == "infeasible" and res.termination == "proven"
    assert "'k'" in res.message and "[0.2, 0.8]" in res.message
    assert brute_force(p).x is None  # the verifier agrees: no point is feasible
    assert evaluate_problem(p, np.zeros((1, p.n_binaries))).max_violation[0] == pytest.approx(0.2)


# -- item 12: messages name the user's variables and the objective/constraint --------------
def test_undefined_function_errors_use_the_users_names():
    from bipnn_backends import errors
    from bipnn_backends.core.expr import log, sqrt
    p = BinaryProblem()
    y = [p.add_binary(f"y[{i}]") for i in range(20)]
    k = p.add_integer("k", 0, 5)
    p.set_objective(log(y[3] + y[4]) + y[0])
    with pytest.raises(errors.UndefinedFunctionError) as err:
        reformulate(p, make_options())
    assert str(err.value) == "objective: log(y[3] + y[4]) is undefined at the 0/1 point (y[3]=0, y[4]=0)"
    p.set_objective(y[0])
    p.add_constraint(sqrt(k - 2 + y[1]), "<=", 3, "root")
    with pytest.raises(errors.UndefinedFunctionError, match=r"constraint 'root': sqrt\(k - 2 \+ y\[1\]\) .*k=0"):
        reformulate(p, make_options())
    p.constraints.clear()
    wide = sum(y[5:19], y[4]) - 3  # 15 variables: beyond the fitting limit, bounded instead
    p.add_constraint(log(wide), ">=", 0, "wide_log")
    with pytest.raises(errors.UndefinedFunctionError, match=r"constraint 'wide_log': log\(y\[4\] \+ y\[5\]"):
        reformulate(p, make_options())
    assert "x3" in repr(y[3] + y[4])  # outside a reformulation: internal names


def test_non_finite_coefficient_names_the_variable():
    from bipnn_backends import errors
    p = BinaryProblem()
    idx = p.add_binaries(["a", "b", "c"])
    p.add_constraint(Poly.linear(idx, [1.0, np.nan, 2.0]), "<=", 2, "bad_row")
    with pytest.raises(errors.NonFiniteCoefficientError, match=r"constraint 'bad_row' .* coefficient of b \(nan\)"):
        reformulate(p, make_options())


def test_linear_block_residuals_by_sparse_product_equal_the_row_sums():
    from bipnn_backends.core.pubo import LinearBlock
    rng = np.random.default_rng(5)
    lengths = rng.integers(1, 6, size=12)
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    indices = rng.integers(0, 9, size=offsets[-1])  # repeats inside a row are summed
    coefs = rng.normal(size=offsets[-1])
    block = LinearBlock("le", offsets, indices, coefs, rng.normal(size=12), np.ones(12), [f"r{i}" for i in range(12)])
    X = rng.integers(0, 2, size=(7, 9)).astype(float)
    naive = np.array([[sum(coefs[j] * x[indices[j]] for j in range(offsets[r], offsets[r + 1])) for r in range(12)]
                      for x in X]) - block.rhs
    assert np.allclose(block.residuals(X), naive)
    assert np.allclose(block.penalty(X), (np.maximum(naive, 0) ** 2).sum(axis=1))


@pytest.mark.parametrize("tol", [1e-6, 0.05, 0.2])
def test_penalised_energy_separates_the_verifiers_feasible_points(tol):
    """Every point the verifier rejects costs more than every point it accepts, also when a wide
    tolerance accepts points with nonzero residuals (which pay a little penalty)."""
    rng = np.random.default_rng(7)
    checked = 0
    for trial in range(40):
        p = BinaryProblem()
        idx = p.add_binaries([f"v{i}" for i in range(8)])
        p.set_objective(Poly.linear(idx, rng.normal(size=8) * 3), str(rng.choice(["min", "max"])))
        for r in range(3):
            cols = np.sort(rng.choice(8, size=4, replace=False))
            a = 0.5 * rng.integers(1, 5, size=4)
            p.add_constraint(Poly.linear(cols, a), str(rng.choice(["<=", ">=", "=="])),
                             float(0.5 * rng.integers(1, 8) + rng.choice([0.0, 0.5 * tol, 0.9 * tol])), f"r{r}")
        reform = reformulate(p, make_options(tolerance=tol))
        X = enumerate_points(8)
        ok = evaluate_problem(p, X, tol).feasible
        if reform.infeasible:
            assert not ok.any()
            continue
        if ok.all() or not ok.any():
            continue
        E = reform.energy(X)
        assert ok[np.argmin(E)], trial  # the minimiser is feasible
        share = 0.0  # what tolerance-feasible points pay, relative to a violation (guaranteed below 0.9)
        for con in p.constraints:
            status, pi, paid = linear_row_analysis(con.body.coefs, con.rhs, con.sense, feasibility_tolerance(con, tol))
            share += paid / pi if status == "active" else 0.0
        if share < 0.9:
            assert E[~ok].min() > E[ok].max(), trial
            checked += 1
    assert checked >= 10


def test_trivial_feasible_point_is_never_missed_after_a_search(monkeypatch):
    """Whatever the search returns, the cheap constructions (all zeros here) are verified too."""
    import bipnn_backends.engine as engine
    p = _knapsack(30)
    monkeypatch.setattr(engine, "search", lambda reform, opts, deadline=None, start=None, on_best=None:
                        engine.EngineOutput(np.ones((1, reform.n)), {}, True))  # an infeasible point only
    res = solve(p, time_limit=1.0)
    assert res.solution_status == "feasible" and res.objective == 0.0 and not res.x.any()


def test_cached_objective_follows_set_objective_and_big_batches_are_chunked(monkeypatch):
    import bipnn_backends.core.evaluate as ev
    p = _mixed_problem(seed=1)
    X = np.random.default_rng(4).integers(0, 2, size=(300, p.n_binaries)).astype(float)
    first = evaluate_problem(p, X)
    p.set_objective(Poly.linear([0, 1], [5.0, -1.0]))
    assert np.allclose(evaluate_problem(p, X).objective, 5 * X[:, 0] - X[:, 1])
    monkeypatch.setattr(ev, "_CHUNK", 8 * 6 * 7)  # 7 points per chunk over the 6 linear rows
    again = evaluate_problem(p, X)
    assert (again.feasible == first.feasible).all() and np.allclose(again.max_violation, first.max_violation)


def test_batched_linear_rows_match_the_row_by_row_analysis():
    from bipnn_backends.core.expr import Var
    rng = np.random.default_rng(21)
    p = BinaryProblem()
    idx = p.add_binaries([f"w{i}" for i in range(30)])
    p.set_objective(Poly.linear(idx, rng.normal(size=30)))
    for r in range(60):
        cols = rng.choice(30, size=5)  # repeats inside a row are merged
        a = 0.5 * rng.integers(-4, 5, size=5)
        kind = r % 5
        if kind == 0:
            body = Poly.linear(cols, a, 0.5)
        elif kind == 1:
            body = Var(int(cols[0])) + 2.0 * Var(int(cols[1])) - Var(int(cols[0])) + 1.0
        elif kind == 2:
            body = -3.0 * (Var(int(cols[0])) + Var(int(cols[1])))
        elif kind == 3:
            body = Poly.linear(cols[:2], [1.0, -1.0]) + Poly.linear(cols[:2], [-1.0, 1.0]) + 2.0  # a constant
        else:
            body = Var(int(cols[0])) * Var(int(cols[0])) + Poly.linear(cols[1:], a[1:])  # linear after x^2 = x
        p.add_constraint(body, ("<=", ">=", "==")[r % 3], float(rng.integers(-2, 5)) + 0.5 * (r % 2), f"r{r}")
    opts = make_options()
    reform = reformulate(p, opts)
    ex = Expander(30, 12, 10**6)
    expected_rows, expected_reasons = {"eq": [], "le": []}, []
    for con in p.constraints:
        poly = ex.expand(con.body, "x").poly
        tol = feasibility_tolerance(con, opts.tolerance)
        if poly.n_terms == 0:
            g = poly.constant - con.rhs
            if (g > tol if con.sense == "<=" else -g > tol if con.sense == ">=" else abs(g) > tol):
                expected_reasons.append(con.name)
            continue
        status, pi, paid = linear_row_analysis(poly.coefs, con.rhs - poly.constant, con.sense, tol)
        if status == "infeasible":
            expected_reasons.append(con.name)
        elif status == "active":
            flip = -1.0 if con.sense == ">=" else 1.0
            expected_rows["eq" if con.sense == "==" else "le"].append(
                (con.name, list(poly.indices), list(flip * poly.coefs), flip * (con.rhs - poly.constant), pi, paid))
    assert [r.split("'")[1] for r in reform.infeasible] == expected_reasons and expected_reasons
    share = sum(paid / pi for rows in expected_rows.values() for *_, pi, paid in rows)
    factor = 1.0 / (1.0 - min(share, 0.9))
    for block in reform.linear_blocks:
        rows = expected_rows[block.kind]
        assert block.names == [r[0] for r in rows]
        for k, (name, cols, coefs, rhs, pi, paid) in enumerate(rows):
            lo, hi = block.offsets[k], block.offsets[k + 1]
            assert list(block.indices[lo:hi]) == cols and np.allclose(block.coefs[lo:hi], coefs)
            assert block.rhs[k] == pytest.approx(rhs)
            assert block.weights[k] == pytest.approx(factor * reform.penalty_scale / pi)
    assert {b.kind for b in reform.linear_blocks} == {"eq", "le"}


def test_batched_linear_rows_still_name_bad_indices():
    from bipnn_backends import errors
    p = _row_problem([1.0, 1.0], "<=", 1.0)
    p.add_constraint(Poly.linear([0, 99], [1.0, 1.0]), "<=", 1.0, "stray")
    with pytest.raises(errors.ModelError, match="constraint 'stray' refers to variable index 99"):
        reformulate(p, make_options())


def test_integers_are_described_by_name_in_any_term_order():
    from bipnn_backends.core.expr import describe
    from bipnn_backends.core.names import naming
    p = BinaryProblem()
    y = p.add_binary("y")
    p.add_integer("k", 1, 6)  # bits 1..3 with weights 1, 2, 2
    with naming(p):
        assert describe(Poly.linear([3, 0, 2, 1], [2.0, 1.0, 2.0, 1.0], 1.0)) == "k + y"
        assert describe(Poly.linear([3, 1], [3.0, -1.0])) == "3*k.bit2 - k.bit0"
        assert describe(2.0 * Poly.linear([1, 2, 3], [1.0, 2.0, 2.0], 1.0) - y) == "2*k - y"


def test_short_row_without_lattice_gets_its_exact_smallest_violation():
    """A row with irrational-looking coefficients (e.g. from a Möbius fit of exp) has no gcd
    lattice: its smallest violation is found by enumeration, not guessed from the coefficients."""

    c = np.exp(-0.5) - 2.0  # exp(-x/2) - x*x over a binary, as a linear coefficient
    status, pi, paid = linear_row_analysis(np.array([c]), -0.2945694641798293 - 1.0, ">=", 1e-6)
    assert status == "active"
    assert pi == pytest.approx((c + 1.2945694641798293) ** 2, rel=1e-9)
    p = BinaryProblem()
    x = p.add_binaries(["a", "b"])
    p.set_objective(-5 * Var(int(x[0])) - Var(int(x[1])))
    p.add_constraint(1.39346934 * Var(int(x[0])) + 0.5 * Var(int(x[1])), "<=", 1.29456946, "r")
    r = reformulate(p, make_options())
    X = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], dtype=float)
    vals = evaluate_problem(p, X)
    best = int(np.argmin(r.energy(X)))
    assert vals.feasible[best] and vals.objective[best] == pytest.approx(brute_force(p).objective)


def test_an_integer_without_integer_values_is_infeasible_by_the_one_rounding_rule():
    """The verifier's violation of an empty integer range follows integer_range (1e-9 of bound noise)."""
    p = BinaryProblem()
    p.add_binaries(["x"])
    p.add_integer("k", 0.5, 0.7)  # no integer inside: sits at 1, violation 0.3
    p.add_integer("j", 1.0 + 1e-10, 1.5)  # bound noise: 1 is inside, no empty range
    p.set_objective(0.0)
    vals = evaluate_problem(p, np.zeros((1, p.n_binaries)))
    assert [name for name, _, _ in p.empty_ranges] == ["k"]
    assert not vals.feasible[0] and vals.max_violation[0] == pytest.approx(0.3)
