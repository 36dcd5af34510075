"""The reformulation core: exact fits, exact penalties, weights, errors, encoding."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from bipnn_backends import errors
from bipnn_backends.core.brute_force import brute_force
from bipnn_backends.core.evaluate import enumerate_points, evaluate, evaluate_problem
from bipnn_backends.core.expand import Expander
from bipnn_backends.core.expr import Callable, Poly, cos, exp, log, sin, sqrt, tanh, abs_, sigmoid
from bipnn_backends.core.mobius import fit
from bipnn_backends.core.penalties import integral_gcd, linear_row_analysis
from bipnn_backends.core.problem import BinaryProblem, bounded_binary_weights
from bipnn_backends.core.reformulate import reformulate
from bipnn_backends.options import make_options


def expand(expr, n, fit_limit=12, cap=10**6):
    return Expander(n, fit_limit, cap).expand(expr, "test")


def terms(poly):
    return {tuple(poly.indices[poly.offsets[k]:poly.offsets[k + 1]]): poly.coefs[k] for k in range(poly.n_terms)}


def all_points(n):
    return enumerate_points(n)


def test_paper_sin_example():
    p = BinaryProblem()
    x1, x2, x3 = (p.add_binary(f"x{i}") for i in (1, 2, 3))
    t = terms(expand(sin(x1 + x2 + x3), 3).poly)
    for k in [(0,), (1,), (2,)]:
        assert t[k] == pytest.approx(0.8415, abs=1e-4)
    for k in [(0, 1), (0, 2), (1, 2)]:
        assert t[k] == pytest.approx(-0.7737, abs=1e-4)
    assert t[(0, 1, 2)] == pytest.approx(-0.0623, abs=1e-4)
    assert len(t) == 7


def test_exp_of_product_and_degree4_product():
    p = BinaryProblem()
    x = [p.add_binary(f"x{i}") for i in range(4)]
    ex = expand(exp(x[0] * x[1]) + 3 * x[0] * x[1] * x[2] * x[3] * x[0], 4)
    t = terms(ex.poly)
    assert ex.poly.constant == pytest.approx(1.0)
    assert t == pytest.approx({(0, 1): math.e - 1, (0, 1, 2, 3): 3.0})


def test_polynomial_expansion_is_multilinear():
    p = BinaryProblem()
    x, y = p.add_binary("x"), p.add_binary("y")
    t = terms(expand((x + y) ** 2 - 2 * x * x, 2, fit_limit=0).poly)
    assert t == pytest.approx({(0,): -1.0, (1,): 1.0, (0, 1): 2.0})


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 7), st.integers(0, 10**6))
def test_mobius_fit_reproduces_any_function(s, seed):
    rng = np.random.default_rng(seed)
    values = rng.normal(size=1 << s)
    support = np.sort(rng.choice(40, size=s, replace=False))
    poly = fit(support, values)
    X = np.zeros((1 << s, 40))
    X[:, support] = enumerate_points(s)
    assert np.allclose(evaluate(poly, X), values)


def test_every_function_fits_exactly():
    p = BinaryProblem()
    x = [p.add_binary(f"x{i}") for i in range(3)]
    s = x[0] + 2 * x[1] - x[2]
    for e in [sin(s), cos(s), exp(s), log(2 + s), sqrt(1 + s), tanh(s), abs_(s), sigmoid(s), (2 + s) ** 0.5,
              1 / (2 + s), Callable(lambda a: a[:, 0] * 5 - a[:, 1] ** 2, [0, 2], "f")]:
        X = all_points(3)
        assert np.allclose(evaluate(expand(e, 3).poly, X), evaluate(e, X)), e


def test_appendix_b_constraint_penalty_is_lambda_x1_x3():
    p = BinaryProblem()
    x1, x2, x3 = (p.add_binary(f"x{i}") for i in (1, 2, 3))
    p.set_objective(x1 + x2 + x3, "max")
    p.add_constraint(2 * x1 + exp(x2) + 3 * x1 * x3, "<=", 5, "appB")
    r = reformulate(p, make_options())
    t = terms(r.pubo)
    assert set(t) == {(0,), (1,), (2,), (0, 2)}
    assert t[(0, 2)] == pytest.approx(r.penalty_scale)
    assert r.penalty_scale > 3  # the objective's range is 3


def test_non_monotone_constraint_exact_penalty_zero_at_11():
    p = BinaryProblem()
    x1, x2 = p.add_binary("x1"), p.add_binary("x2")
    p.add_constraint(x1 - x2, "<=", 0, "nm")
    r = reformulate(p, make_options(penalty={"method": "exact"}))
    X = all_points(2)
    pen = r.energy(X)
    assert pen[3] == 0  # (1, 1) is feasible
    assert pen[1] > 0 and pen[0] == 0 and pen[2] == 0
    assert not r.linear_blocks
    r_auto = reformulate(p, make_options())
    assert np.allclose(r_auto.energy(X), np.where([0, 1, 0, 0], r_auto.energy(X)[1], 0))


def _random_problem(rng, n, n_cons, method):
    p = BinaryProblem()
    x = [p.add_binary(f"x{i}") for i in range(n)]

    def rand_expr(k):
        vs = rng.choice(n, size=k, replace=False)
        lin = sum(float(rng.integers(-3, 4)) * x[v] for v in vs)
        choice = rng.integers(0, 4)
        if choice == 0:
            return lin
        if choice == 1:
            return sin(lin) * 2
        if choice == 2:
            return exp(0.5 * lin) - x[vs[0]] * x[vs[-1]]
        return lin * x[vs[0]] + 2 * x[vs[-1]]

    obj = sum(rand_expr(int(rng.integers(1, min(n, 3) + 1))) for _ in range(4))
    p.set_objective(obj, "min" if rng.random() < 0.5 else "max")
    for c in range(n_cons):
        body = rand_expr(int(rng.integers(1, min(n, 5) + 1)))
        X = all_points(n)
        vals = evaluate(body, X)
        sense = ["<=", ">=", "=="][int(rng.integers(0, 3))]
        # keep a random point feasible most of the time, sometimes not
        rhs = float(vals[int(rng.integers(0, len(vals)))]) if rng.random() < 0.85 else float(rng.normal())
        p.add_constraint(body, sense, rhs, f"c{c}")
    return p


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(2, 8), st.integers(0, 4), st.sampled_from(["auto", "exact"]), st.integers(0, 10**6))
def test_penalised_energy_is_exact_and_minimiser_is_the_constrained_optimum(n, n_cons, method, seed):
    rng = np.random.default_rng(seed)
    p = _random_problem(rng, n, n_cons, method)
    r = reformulate(p, make_options(penalty={"method": method}))
    ref = brute_force(p)
    if r.infeasible:
        assert ref.x is None  # proven infeasible must really be infeasible
        return
    X = all_points(n)
    vals = evaluate_problem(p, X)
    energy = r.energy(X)
    sobj = r.sign * vals.objective
    assert np.allclose(energy[vals.feasible], sobj[vals.feasible], atol=1e-7)
    if ref.x is None:
        return
    worst_feasible = sobj[vals.feasible].max()
    assert np.all(energy[~vals.feasible] > worst_feasible)
    best = int(np.argmin(energy))
    assert vals.feasible[best]
    assert vals.objective[best] == pytest.approx(ref.objective, abs=1e-7)


def test_wide_nonpolynomial_term_is_opaque_and_evaluated_exactly():
    p = BinaryProblem()
    idx = p.add_binaries([f"x{i}" for i in range(20)])
    s = Poly.linear(idx, np.ones(20))
    p.set_objective(log(1 + s) - 0.3 * s)
    r = reformulate(p, make_options(fit_limit=8))
    assert len(r.opaque_terms) == 1
    X = np.random.default_rng(0).integers(0, 2, size=(50, 20)).astype(float)
    assert np.allclose(r.energy(X), np.log(1 + X.sum(1)) - 0.3 * X.sum(1))


def test_wide_nonlinear_constraint_becomes_block():
    p = BinaryProblem()
    idx = p.add_binaries([f"x{i}" for i in range(16)])
    s = Poly.linear(idx, np.ones(16))
    p.set_objective(-s)
    p.add_constraint(sqrt(s) + s * Poly.linear(idx[:1], [1.0]), "<=", 3, "wide")
    r = reformulate(p, make_options(penalty={"exact_limit": 8}))
    assert len(r.nonlinear_blocks) == 1
    X = np.random.default_rng(1).integers(0, 2, size=(64, 16)).astype(float)
    vals = evaluate_problem(p, X)
    e = r.energy(X)
    assert np.allclose(e[vals.feasible], -X.sum(1)[vals.feasible])
    # the smallest violation of a wide nonlinear constraint is unknown: the penalty is
    # W * violation^2 (positive at every infeasible point, not guaranteed to exceed the range)
    viol = vals.max_violation
    assert np.allclose(e, -X.sum(1) + r.penalty_scale * viol ** 2)
    assert (~vals.feasible).any() and np.all(viol[~vals.feasible] > 0)


def test_linear_constraints_become_blocks_with_exact_weights():
    p = BinaryProblem()
    idx = p.add_binaries([f"x{i}" for i in range(30)])
    w = np.arange(1, 31, dtype=float)
    p.set_objective(Poly.linear(idx, -w))
    p.add_constraint(Poly.linear(idx, 2 * w), "<=", 101, "cap")
    p.add_constraint(Poly.linear(idx[:10], np.ones(10)), "==", 3, "pick3")
    p.add_constraint(Poly.linear(idx[10:], np.ones(20)), ">=", 2, "atleast2")
    r = reformulate(p, make_options())
    kinds = sorted(b.kind for b in r.linear_blocks)
    assert kinds == ["eq", "le"]
    le = next(b for b in r.linear_blocks if b.kind == "le")
    # 2w·x is even, so the smallest violation of <= 101 is 1; of >= 2 (integers) is 1
    assert np.allclose(le.weights, r.penalty_scale)
    X = np.random.default_rng(2).integers(0, 2, size=(400, 30)).astype(float)
    vals = evaluate_problem(p, X)
    e = r.energy(X)
    assert np.allclose(e[vals.feasible], -(X @ w)[vals.feasible])
    assert np.all(e[~vals.feasible] > 0)


def test_linear_row_analysis():
    assert linear_row_analysis(np.array([2.0, 4.0]), 3.0, "==", 1e-9)[0] == "infeasible"
    assert linear_row_analysis(np.array([1.0, 1.0]), 3.0, "<=", 1e-9)[0] == "redundant"
    assert linear_row_analysis(np.array([1.0, 1.0]), 3.0, ">=", 1e-9)[0] == "infeasible"
    assert linear_row_analysis(np.array([0.5, 1.5]), 1.0, "<=", 1e-9) == ("active", 0.25, 0.0)
    assert integral_gcd(np.array([0.3, 0.6])) == pytest.approx(0.3)
    assert integral_gcd(np.array([math.pi, 1.0])) is None


def test_proven_infeasible_constraint_is_detected():
    p = BinaryProblem()
    x, y = p.add_binary("x"), p.add_binary("y")
    p.add_constraint(x * y + exp(x), ">=", 5, "impossible")
    p.add_constraint(x + y, "<=", 2, "fine")
    r = reformulate(p, make_options())
    assert r.infeasible and "impossible" in r.infeasible[0]
    p2 = BinaryProblem()
    a = p2.add_binaries(["a", "b", "c"])
    p2.add_constraint(Poly.linear(a, [2.0, 2.0, 4.0]), "==", 5, "parity")
    assert "parity" in reformulate(p2, make_options()).infeasible[0]


def test_integer_encoding_round_trips_and_respects_bounds():
    for lo, hi in [(0, 1), (-3, 4), (2, 9), (0, 100), (-7, -2), (5, 5)]:
        p = BinaryProblem()
        z = p.add_integer("z", lo, hi)
        p.set_objective(z)
        v = p.variables[0]
        reachable = set()
        for bits in itertools.product([0, 1], repeat=p.n_binaries):
            x = np.array(bits, dtype=float)
            val = p.decode(x)["z"]
            assert val == evaluate(z, x[None])[0]
            reachable.add(val)
        assert reachable == set(range(lo, hi + 1))
        for target in range(lo, hi + 1):
            assert p.decode(p.encode({"z": target}))["z"] == target
        assert v.kind in ("integer", "fixed")
    assert list(bounded_binary_weights(5)) == [1, 2, 2]


def test_integer_program_brute_force():
    p = BinaryProblem()
    a, b = p.add_integer("a", -2, 5), p.add_integer("b", 0, 3)
    p.set_objective((a - 3) ** 2 + (b - 1) ** 2 + a * b)
    p.add_constraint(a + b, ">=", 3, "sum")
    ref = brute_force(p)
    vals = p.decode(ref.x)
    best = min(((A - 3) ** 2 + (B - 1) ** 2 + A * B, A, B) for A in range(-2, 6) for B in range(4) if A + B >= 3)
    assert ref.objective == pytest.approx(best[0])
    assert (vals["a"] - 3) ** 2 + (vals["b"] - 1) ** 2 + vals["a"] * vals["b"] == pytest.approx(best[0])


def test_errors_name_the_culprit():
    p = BinaryProblem()
    with pytest.raises(errors.ContinuousVariableError, match="'w'"):
        p.add_continuous("w", 0, 1)
    assert p.add_continuous("fixed", 2.5, 2.5).value == 2.5
    with pytest.raises(errors.UnboundedVariableError, match="'k'"):
        p.add_integer("k", 0, None)
    x, y = p.add_binary("x"), p.add_binary("y")
    p.set_objective(log(x + y))
    with pytest.raises(errors.UndefinedFunctionError, match=r"objective: log\(x \+ y\) .*\(x=0, y=0\)"):
        reformulate(p, make_options())
    p.set_objective(x / y)
    with pytest.raises(errors.UndefinedFunctionError):
        reformulate(p, make_options())
    p.set_objective(x)
    p.add_constraint(sqrt(x - 2 * y), "<=", 1, "neg_sqrt")
    with pytest.raises(errors.UndefinedFunctionError, match="neg_sqrt"):
        reformulate(p, make_options())
    q = BinaryProblem()
    i = q.add_binaries(["a", "b"])
    q.set_objective(Poly.linear(i, [1.0, float("nan")]))
    with pytest.raises(errors.NonFiniteCoefficientError, match="objective"):
        reformulate(q, make_options())
    with pytest.raises(errors.NonFiniteCoefficientError, match="'r'"):
        q.add_constraint(Poly.linear(i, [1.0, 1.0]), "<=", float("inf"), "r")


def test_wide_undefined_function_is_rejected():
    p = BinaryProblem()
    idx = p.add_binaries([f"x{i}" for i in range(20)])
    p.set_objective(log(Poly.linear(idx, np.ones(20))))
    with pytest.raises(errors.UndefinedFunctionError, match="may be undefined"):
        reformulate(p, make_options())


def test_expansion_cap_names_the_expression():
    p = BinaryProblem()
    idx = p.add_binaries([f"x{i}" for i in range(40)])
    s = Poly.linear(idx, np.ones(40))
    p.add_constraint(s * s * s, "<=", 10, "cubic")
    with pytest.raises(errors.ExpansionLimitError, match="constraint 'cubic'.*cap max_monomials=1000"):
        reformulate(p, make_options(max_monomials=1000))
