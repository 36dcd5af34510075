"""Mixed models: continuous variables and integers without finite bounds (issue 14).

Values are compared with HiGHS solving the same model as a MILP / LP, and with brute force.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from bipnn_backends import solve
from bipnn_backends.core.evaluate import evaluate_problem
from bipnn_backends.core.expr import Poly
from bipnn_backends.core.presolve import implied_bounds, presolve
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.errors import ContinuousVariableError, UnboundedVariableError
from models import build, facility_location, highs_reference

INF = math.inf


def random_mixed(seed: int, nb: int = 6, nc: int = 4, m: int = 5):
    rng = np.random.default_rng(seed)
    n = nb + nc
    kinds = ["b"] * nb + ["c"] * nc
    c = rng.integers(-9, 10, n).astype(float)
    A = rng.integers(-5, 6, (m, n)).astype(float) * (rng.random((m, n)) < 0.6)
    x0 = np.concatenate((rng.integers(0, 2, nb), rng.uniform(0, 5, nc)))  # keeps the model feasible
    act = A @ x0
    lo = np.where(rng.random(m) < 0.5, act - rng.uniform(0, 3, m), -INF)
    hi = np.where(np.isinf(lo) | (rng.random(m) < 0.5), act + rng.uniform(0, 3, m), INF)
    lb = np.zeros(n)
    ub = np.concatenate((np.ones(nb), np.full(nc, 8.0)))
    return c, A, lo, hi, lb, ub, kinds


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("sense", ["min", "max"])
def test_small_mixed_models_match_highs(seed, sense):
    c, A, lo, hi, lb, ub, kinds = random_mixed(seed)
    expected_status, expected = highs_reference(c, A, lo, hi, lb, ub, [k != "c" for k in kinds], sense)
    p = build(c, A, lo, hi, lb, ub, kinds, sense)
    r = solve(p, time_limit=30)
    assert r.solution_status == expected_status == "optimal"
    assert r.objective == pytest.approx(expected, rel=1e-6, abs=1e-6)
    v = np.array([r.values[f"v{j}"] for j in range(len(c))])
    assert c @ v == pytest.approx(r.objective, abs=1e-6)
    act = A @ v
    assert (act >= lo - 1e-6).all() and (act <= hi + 1e-6).all() and (v >= lb - 1e-9).all() and (v <= ub + 1e-9).all()


def test_verifier_reads_continuous_values():
    p = BinaryProblem()
    x = p.add_binary("x")
    y = p.add_column("y", "continuous", 0, 4)
    p.set_objective(x + 2 * y)
    p.add_constraint(y - 3 * x, "<=", 0)
    vals = evaluate_problem(p, np.array([[1.0], [0.0], [1.0]]), Y=np.array([[2.0], [2.0], [5.0]]))
    assert vals.objective.tolist() == [5.0, 4.0, 11.0]
    assert vals.feasible.tolist() == [True, False, False]  # row violated; bound violated
    assert vals.max_violation.tolist() == [0.0, 2.0, 2.0]  # the row (5 - 3) outweighs the bound (5 - 4)
    with pytest.raises(ValueError, match="continuous"):
        evaluate_problem(p, np.array([[1.0]]))


@pytest.mark.parametrize("sense", ["min", "max"])
def test_pure_lp_optimal(sense):
    c = np.array([1.0, 2.0, -1.0])
    A = np.array([[1.0, 1.0, 1.0], [1.0, -1.0, 0.0], [0.0, 1.0, 2.0]])
    lo, hi = np.array([1.0, -INF, -2.0]), np.array([6.0, 2.0, 5.0])
    lb, ub = np.array([0.0, -1.0, -INF]), np.array([INF, 3.0, 4.0])
    status, expected = highs_reference(c, A, lo, hi, lb, ub, [False] * 3, sense)
    r = solve(build(c, A, lo, hi, lb, ub, "ccc", sense), time_limit=10)
    assert r.solution_status == status == "optimal" and r.termination == "proven"
    assert r.objective == pytest.approx(expected, abs=1e-7)


def test_pure_lp_infeasible_and_unbounded():
    p = BinaryProblem()
    a, b = p.add_column("a", "continuous", 0, None), p.add_column("b", "continuous", 0, None)
    p.set_objective(a + b, "max")
    assert solve(p).solution_status == "unbounded"
    p.add_constraint(a + 2 * b, "<=", 4)
    r = solve(p)
    assert r.solution_status == "optimal" and r.objective == pytest.approx(4.0)
    p.add_constraint(a - b, ">=", 5, "far")
    assert solve(p).solution_status == "infeasible"


def test_lp_infeasible_only_the_lp_can_prove():
    """Propagation cannot see it (free variables), HiGHS can: a + b <= 1, a + b >= 2 via a third row."""
    p = BinaryProblem()
    a, b, c = (p.add_column(n, "continuous", None, None) for n in "abc")
    p.set_objective(a)
    p.add_constraint(a + b - c, "<=", 1)
    p.add_constraint(a + b - c, ">=", 2)
    r = solve(p)
    assert r.solution_status == "infeasible" and "HiGHS" in r.message


def test_mixed_unbounded_when_the_lp_proves_it():
    p = BinaryProblem()
    x = p.add_binary("x")
    y = p.add_column("y", "continuous", 0, None)
    p.set_objective(x - y)
    p.add_constraint(y - 10 * x, ">=", 0)
    r = solve(p)
    assert r.solution_status == "unbounded" and r.termination == "proven"


def test_mixed_infeasible_proven_by_exhaustive_lp():
    p = BinaryProblem()
    x, z = p.add_binary("x"), p.add_binary("z")
    y = p.add_column("y", "continuous", 0, 1)
    p.set_objective(y)
    p.add_constraint(y + x + z, ">=", 3.5)
    r = solve(p)
    assert r.solution_status == "infeasible"


def test_continuous_in_a_nonlinear_term_is_named():
    p = BinaryProblem()
    x = p.add_binary("x")
    flow = p.add_column("flow", "continuous", 0, 5)
    with pytest.raises(ContinuousVariableError, match=r"'flow'.*nonlinear term"):
        p.set_objective(flow * x)
    with pytest.raises(ContinuousVariableError, match=r"constraint 'cap'.*'flow'"):
        p.add_constraint(x + (flow + 1) ** 2, "<=", 3, "cap")
    assert p.constraints == [] and len(p.columns) == 1
    with pytest.raises(UnboundedVariableError, match="'k'"):
        p.set_objective(p.add_column("k", "integer", 0, None) * x)


def test_integer_with_lower_bound_only_gets_propagated_bounds():
    p = BinaryProblem()
    x = p.add_binary("x")
    k = p.add_column("k", "integer", 0, None)
    m = p.add_column("m", "integer", None, 10)
    p.set_objective(-3 * k + m - x)
    p.add_constraint(2 * k + 3 * x, "<=", 9.5)
    p.add_constraint(m - k, ">=", -2)
    lb, ub, reason = implied_bounds(p)
    assert reason is None
    assert (lb.tolist(), ub.tolist()) == ([0.0, -2.0], [4.0, 10.0])
    pre = presolve(p)
    assert not pre.problem.columns and [v.name for v in pre.problem.variables] == ["x", "k", "m"]
    r = solve(p, time_limit=10)
    # brute force over the implied box
    best = min(-3 * kk + mm - xx for xx in (0, 1) for kk in range(0, 5) for mm in range(-2, 11)
               if 2 * kk + 3 * xx <= 9.5 and mm - kk >= -2)
    assert r.solution_status == "optimal" and r.objective == pytest.approx(best)


@pytest.mark.parametrize("seed", range(5))
def test_implied_bounds_equal_brute_force_on_one_row(seed):
    """One row over integers each with one declared bound: the implied bound of each equals the extreme
    value it takes over the integer points satisfying the row (brute force over a generous grid)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, 6, 3).astype(float) * rng.choice([-1, 1], 3)
    rhs = float(rng.integers(5, 15))
    box_lo = np.array([0.0, -3.0, 1.0])
    p = BinaryProblem()
    cols = [p.add_column(f"k{j}", "integer", box_lo[j], None) if a[j] > 0 else
            p.add_column(f"k{j}", "integer", None, 6.0) for j in range(3)]
    p.add_constraint(sum((a[j] * cols[j] for j in range(3)), Poly.linear([], [])), "<=", rhs)
    lb, ub, reason = implied_bounds(p)
    assert reason is None
    # brute force: for each variable its extreme values over points of a generous box satisfying the row
    grid = [np.arange(int(box_lo[j]), 80) if a[j] > 0 else np.arange(-80, 7) for j in range(3)]
    pts = np.stack(np.meshgrid(*grid, indexing="ij"), axis=-1).reshape(-1, 3)
    pts = pts[pts @ a <= rhs]
    for j in range(3):
        if a[j] > 0:  # upper bound implied, lower bound declared
            assert (lb[j], ub[j]) == (box_lo[j], pts[:, j].max())
        else:  # lower bound implied, upper bound declared
            assert (lb[j], ub[j]) == (pts[:, j].min(), 6.0)


def test_integer_that_stays_unbounded_is_named():
    p = BinaryProblem()
    x = p.add_binary("x")
    k = p.add_column("k", "integer", 0, None)
    j = p.add_column("j", "integer", 0, None)
    p.set_objective(x - k + j)  # no finite range, but a bounded optimum: the range matters
    p.add_constraint(k - j - 5 * x, "<=", 0, "link")
    with pytest.raises(UnboundedVariableError, match=r"'k'.*objective"):
        solve(p)
    q = BinaryProblem()
    x = q.add_binary("x")
    q.add_column("unused", "integer", 1, None)
    q.set_objective(x)
    r = solve(q)
    assert r.solution_status == "optimal" and r.values["unused"] == 1.0


def test_empty_integer_range_and_rounded_away_rows_are_infeasible():
    p = BinaryProblem()
    z = p.add_column("z", "integer", 0, None)
    p.set_objective(z)
    p.add_constraint(2 * z, "==", 1, "half")
    r = solve(p)
    assert r.solution_status == "infeasible" and "'z'" in r.message
    q = BinaryProblem()
    w = q.add_column("w", "integer", 0.2, None)
    q.add_constraint(w, "<=", 0.8)
    q.set_objective(w)
    assert solve(q).solution_status == "infeasible"


def test_facility_location_search_is_feasible_and_close():
    """Beyond the exhaustive limit: the projection search + LP-scored descent (epochs, no clock)."""
    data = facility_location(16, 12, 0)
    status, opt = highs_reference(*data[:6], [k == "b" for k in data[6]])
    r = solve(build(*data), time_limit=None, epochs=30, restarts=4, seed=1)
    assert r.solution_status == "feasible" and r.stats["method"] == "search+lp"
    assert opt - 1e-6 <= r.objective <= 1.10 * opt


@pytest.mark.parametrize("sense", ["min", "max"])
def test_dual_fixing_bounds_an_integer_the_rows_leave_open(sense):
    """yi >= -1 pushed down by the objective, zi <= 1 pushed up: both fixed at their finite bound
    (no optimum lost); brute force over a box confirms the optimum."""
    s = 1.0 if sense == "min" else -1.0
    p = BinaryProblem()
    x = p.add_binary("x")
    yi = p.add_column("yi", "integer", -1, None)
    zi = p.add_column("zi", "integer", None, 1)
    p.set_objective(s * (yi - zi + x), sense)
    p.add_constraint(yi + 2 * x, "<=", 5, "loose")   # moving yi down only loosens it
    p.add_constraint(zi - 3 * x, ">=", -9, "slack")  # zi at 1: holds whatever x is
    r = solve(p, time_limit=10)
    best = min((y - z + xx) for xx in (0, 1) for y in range(-1, 8) for z in range(-12, 2)
               if y + 2 * xx <= 5 and z - 3 * xx >= -9)
    assert r.solution_status == "optimal" and s * r.objective == pytest.approx(best)
    assert (r.values["yi"], r.values["zi"]) == (-1.0, 1.0)


def test_dual_fixing_refuses_when_a_row_needs_the_integer():
    p = BinaryProblem()
    x = p.add_binary("x")
    k = p.add_column("k", "integer", 0, None)
    p.set_objective(k - x)
    p.add_constraint(k - 2.5 * x, ">=", 0, "need")  # k = 0 breaks it when x = 1
    with pytest.raises(UnboundedVariableError, match="'k'"):
        solve(p)


def test_lp_discrete_parts_match_the_evaluator():
    """The LP rows' discrete parts (sparse product for linear bodies, evaluation for the others)."""
    from bipnn_backends.core.evaluate import evaluate
    from bipnn_backends.lp import ColumnLP

    p = BinaryProblem()
    xs = [Poly.linear([int(i)], [1.0]) for i in p.add_binaries([f"x{i}" for i in range(4)])]
    y = p.add_column("y", "continuous", 0, 5)
    p.add_constraint(2 * xs[0] - 3 * xs[2] + 1.5 + y, "<=", 4, "lin")
    p.add_constraint(xs[1] * xs[3] + xs[0] - y, ">=", -1, "quad")
    p.add_constraint(xs[0] + xs[1], "<=", 1, "pure")  # no column: not an LP row
    lp = ColumnLP(p)
    X = np.array([[0, 0, 0, 0], [1, 1, 1, 1], [1, 0, 1, 1], [0, 1, 0, 1]], dtype=float)
    want = np.stack([evaluate(p.constraints[k].body, X) for k in (0, 1)], axis=1)
    assert lp.rows.tolist() == [0, 1]
    assert np.allclose(lp.discrete_parts(X), want)


def test_a_point_failing_the_users_model_is_never_reported_feasible():
    from bipnn_backends.mixed import _verify_original
    from bipnn_backends.options import make_options
    from bipnn_backends.result import SolveResult

    p = BinaryProblem()
    x = p.add_binary("x")
    y = p.add_column("y", "continuous", 0, 4)
    k = p.add_column("k", "integer", 0, None)
    p.set_objective(x + y + k)
    p.add_constraint(y + k - 3 * x, "<=", 1, "cap")
    good = SolveResult("feasible", "time_limit", x=np.array([1.0, 0.0]), values={"x": 1.0, "y": 2.0, "k": 2.0})
    assert _verify_original(p, good, make_options()).solution_status == "feasible"
    bad = SolveResult("optimal", "proven", x=np.array([1.0, 0.0]), values={"x": 1.0, "y": 2.5, "k": 2.0})
    out = _verify_original(p, bad, make_options())
    assert out.solution_status == "none" and out.max_violation == pytest.approx(0.5)


@pytest.mark.parametrize(("rhs", "status"), [(5.0, "infeasible"), (-5.0, "optimal")])
def test_lp_with_a_constraint_without_variables(rhs, status):
    """No discrete variables: a constant constraint (PuLP's ``lpSum([]) >= 5``) that is false proves
    infeasibility, as on the discrete path (PuLP 4's own test_infeasible); a true one changes nothing."""
    p = BinaryProblem()
    x = p.add_column("x", "continuous", 0, 4)
    p.set_objective(x, "min")
    p.add_constraint(Poly.linear([], []), ">=", rhs, "c1")
    p.add_constraint(x, ">=", 1, "c2")
    res = solve(p)
    assert (res.solution_status, res.termination) == (status, "proven")
    if status == "infeasible":
        assert "'c1'" in res.message and res.values is None
    else:
        assert res.objective == pytest.approx(1.0)
