"""Integers: the ones bounded only by optimality (an unbounded integer program is reported unbounded)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from bipnn_backends import solve
from bipnn_backends.core.evaluate import evaluate_problem
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.errors import UnboundedVariableError
from bipnn_backends.lp import INFEASIBLE, OPTIMAL, UNBOUNDED, relaxation_outcome


def _check_point(problem: BinaryProblem, values: dict) -> None:
    """The reported point is feasible on the problem as built (the columns' values by key)."""
    x = problem.encode({v.key: values[v.key] for v in problem.variables})
    y = np.array([[values[c.key] for c in problem.columns]])
    assert evaluate_problem(problem, x, 1e-6, Y=y).feasible[0]
    assert all(float(values[c.key]).is_integer() for c in problem.columns if c.kind == "integer")


def test_relaxation_outcome_statuses():
    p = BinaryProblem()
    x = p.add_binary("x")
    k = p.add_column("k", "integer", None, None)
    p.set_objective(k + x)
    out = relaxation_outcome(p)
    assert out.status == UNBOUNDED and out.value == -np.inf and len(out.y) == 2
    p.add_constraint(k, ">=", 2.5, "low")
    out = relaxation_outcome(p)
    assert out.status == OPTIMAL and out.y[1] == pytest.approx(2.5) and out.value == pytest.approx(2.5)
    p.add_constraint(k + 3 * x, "<=", 1, "high")
    assert relaxation_outcome(p).status == INFEASIBLE
    q = BinaryProblem()
    a, b = q.add_binary("a"), q.add_binary("b")
    q.set_objective(a * b)
    assert relaxation_outcome(q) is None  # nonlinear: no LP relaxation


def test_free_integer_in_the_objective_is_unbounded():
    """Pyomo's MILP_unbounded in the core: min k, k integer without bounds."""
    for sense, sign in (("min", -1), ("max", 1)):
        p = BinaryProblem()
        k = p.add_column("k", "integer", None, None)
        p.set_objective(k, sense)
        r = solve(p)
        assert (r.solution_status, r.termination) == ("unbounded", "proven")
        assert r.objective == sign * np.inf
        _check_point(p, r.values)


def test_unbounded_with_binaries_and_rows():
    p = BinaryProblem()
    x = p.add_binary("x")
    k = p.add_column("k", "integer", 0, None)
    p.set_objective(x - k)
    p.add_constraint(k - 5 * x, ">=", 0, "link")
    r = solve(p)
    assert r.solution_status == "unbounded" and "feasible integer point" in r.message
    _check_point(p, r.values)


def test_feasible_point_found_by_the_boxed_search():
    """3k - 7j = 1: the relaxation's point is fractional, rounding it breaks the row; the search on
    the boxed model finds an integer point (k = 5 + 7t, j = 2 + 3t)."""
    p = BinaryProblem()
    k = p.add_column("k", "integer", None, None)
    j = p.add_column("j", "integer", None, None)
    p.set_objective(k + j)
    p.add_constraint(3 * k - 7 * j, "==", 1, "a")
    r = solve(p, time_limit=2, seed=0)
    assert r.solution_status == "unbounded"
    _check_point(p, r.values)
    assert 3 * r.values["k"] - 7 * r.values["j"] == 1


def test_infeasible_relaxation_is_proven_infeasible():
    p = BinaryProblem()
    k = p.add_column("k", "integer", None, None)
    j = p.add_column("j", "integer", None, None)
    p.set_objective(k)
    p.add_constraint(k - j, ">=", 1, "a")
    p.add_constraint(k - j, "<=", 0, "b")
    r = solve(p)
    assert (r.solution_status, r.termination) == ("infeasible", "proven")


def test_error_stays_where_the_range_matters():
    """A bounded optimum (LP relaxation optimal) with no finite range, and a nonlinear model: no proof."""
    p = BinaryProblem()
    k = p.add_column("k", "integer", None, None)
    j = p.add_column("j", "integer", None, None)
    p.set_objective(k - j)
    p.add_constraint(k - j, ">=", 1, "gap")
    with pytest.raises(UnboundedVariableError, match="'k'"):
        solve(p)
    q = BinaryProblem()
    a, b = q.add_binary("a"), q.add_binary("b")
    k = q.add_column("k", "integer", 0, None)
    q.set_objective(a * b - k)
    with pytest.raises(UnboundedVariableError, match="'k'"):
        solve(q)


def test_integer_points_with_no_feasible_one_in_the_box_keep_the_error():
    """An unbounded relaxation whose integer points are all infeasible (2k - 2j = 1): the search finds
    none, so nothing is proven and the error says why."""
    p = BinaryProblem()
    k = p.add_column("k", "integer", None, None)
    j = p.add_column("j", "integer", None, None)
    c = p.add_column("c", "continuous", 0, None)
    p.set_objective(k + j - c)
    p.add_constraint(2 * k - 2 * j, "==", 1, "odd")
    with pytest.raises(UnboundedVariableError, match="no feasible integer point was found"):
        solve(p, time_limit=1)


@pytest.mark.parametrize("interface", ["legacy", "contrib"])
@pytest.mark.parametrize("name", ["MILP_unbounded", "MILP_unbounded_kernel"])
def test_pyomo_milp_unbounded(name, interface):
    pytest.importorskip("pyomo")
    import pyomo.environ as pyo
    import pyomo.solvers.tests.models  # noqa: F401  (registers them)
    from pyomo.solvers.tests.models.base import all_models

    m = all_models()[name]()
    m.generate_model()
    if interface == "legacy":
        res = pyo.SolverFactory("bipnn").solve(m.model, load_solutions=False, timelimit=10)
        m.post_solve_test_validation(None, res)
        return
    if name.endswith("_kernel"):
        pytest.skip("the contrib interface takes pyomo.environ models, not pyomo.kernel blocks")
    from pyomo.contrib.solver.common.factory import SolverFactory
    from pyomo.contrib.solver.common.results import TerminationCondition as TC

    res = SolverFactory("bipnn").solve(m.model, raise_exception_on_nonoptimal_result=False, load_solutions=False,
                                       time_limit=10)
    assert res.termination_condition == TC.unbounded


def test_cvxpy_unbounded_integer():
    cp = pytest.importorskip("cvxpy")
    from bipnn_backends.cvxpy import BIPNN

    k = cp.Variable(integer=True)
    b = cp.Variable(boolean=True)
    prob = cp.Problem(cp.Minimize(k + b), [k - 3 * b <= 4])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prob.solve(solver=BIPNN())
    assert prob.status == cp.UNBOUNDED and prob.value == -np.inf


# -- native integers in the constraint-aware search ---------------------------------------------
def _lot_sizing(T: int, hi: int = 1000, seed: int = 0) -> BinaryProblem:
    """Integer production x_t and stock I_t (0..hi), setups y_t: balance rows are equalities that
    bit flips of an encoding rarely repair, and a jump to the row's tight value does."""
    rng = np.random.default_rng(seed)
    p = BinaryProblem()
    d, f = rng.integers(20, 200, T), rng.integers(200, 1000, T)
    x = [p.add_integer(f"x{t}", 0, hi) for t in range(T)]
    stock = [p.add_integer(f"I{t}", 0, hi) for t in range(T)]
    y = [p.add_binary(f"y{t}") for t in range(T)]
    p.set_objective(sum(float(f[t]) * y[t] + 2.0 * stock[t] + 1.0 * x[t] for t in range(T)))
    for t in range(T):
        p.add_constraint((stock[t - 1] if t else 0) + x[t] - stock[t], "==", float(d[t]), f"bal{t}")
        p.add_constraint(x[t] - float(hi) * y[t], "<=", 0.0, f"set{t}")
    return p


def _model(problem: BinaryProblem):
    from bipnn_backends.core.reformulate import reformulate
    from bipnn_backends.engine import constraint_search
    from bipnn_backends.options import make_options

    reform = reformulate(problem, make_options())
    return reform, constraint_search.build_model(reform)


def test_native_integers_are_the_wide_linear_ones():
    p = BinaryProblem()
    x = p.add_binary("x")
    wide = p.add_integer("wide", 0, 1000)
    narrow = p.add_integer("narrow", 0, 6)  # 7 values: stays encoded
    squared = p.add_integer("squared", -5, 40)
    only_le = p.add_integer("only_le", 0, 100)  # in no equality row: stays encoded
    p.set_objective(3 * wide - narrow + squared * x + only_le)  # squared sits in a product: stays encoded
    p.add_constraint(2 * wide + narrow + squared, "==", 700, "bal")
    p.add_constraint(wide - 5 * x + only_le, ">=", 1, "link")
    reform, M = _model(p)
    first = p.variables[1].first
    assert len(M.i_span) == 1 and M.i_span[0] == 1000 and M.i_cost[0] == pytest.approx(3.0)
    assert list(M.i_bit) == list(range(first, first + 10)) and list(M.i_wt) == [1, 2, 4, 8, 16, 32, 64, 128, 256, 489]
    assert sorted(zip(M.i_row, M.i_rcoef)) == [(0, 2.0), (1, -1.0)]
    assert (M.v_int[M.i_bit] == 0).all() and (M.v_int >= 0).sum() == 10
    assert not np.isin(M.i_bit, M.free).any() and len(M.free) == p.n_binaries - 10
    bal = reform.structure.rows.names.index("bal")
    assert M.rscale[bal] == pytest.approx(1 / 16.0)  # largest per variable: squared's 16-bit, wide's 2 per unit


def test_native_chains_keep_their_state_exact():
    """After jumps, kicks and restarts the incremental objective and activities equal a recomputation,
    every native integer is within its range, and each chain's best point is feasible with its f."""
    from bipnn_backends.engine.constraint_kernel import F_BEST, F_OBJ
    from bipnn_backends.engine.constraint_search import ConstraintSearch

    p = _lot_sizing(8)
    reform, M = _model(p)
    assert len(M.i_span) == 16
    cs = ConstraintSearch(reform)
    S = cs.start(np.zeros((3, reform.n)), np.array([11, 12, 13], dtype=np.uint64))
    rows = reform.structure.rows
    for _ in range(6):
        cs.run(S, work=30_000)
        for c in range(3):
            x = S.x[c].astype(np.float64)
            assert S.fl[c, F_OBJ] == pytest.approx(reform.pubo.evaluate(x[None, :])[0], rel=1e-9, abs=1e-6)
            assert np.allclose(S.act[c], rows.activities(x)[0])
    vals = evaluate_problem(p, S.best.astype(np.float64))
    found = np.isfinite(S.fl[:, F_BEST])
    assert found.any() and vals.feasible[found].all()
    assert np.allclose(vals.objective[found], S.fl[found, F_BEST])


def test_native_search_matches_brute_force():
    """Two wide integers and two binaries, searched (exhaustive path off) against enumeration."""
    import itertools

    p = BinaryProblem()
    a, b = p.add_integer("a", 0, 30), p.add_integer("b", -10, 25)
    u, v = p.add_binary("u"), p.add_binary("v")
    p.set_objective(5 * a + 4 * b - 30 * u - 20 * v, "max")
    p.add_constraint(3 * a + 2 * b + 10 * u, "<=", 61, "r1")
    p.add_constraint(a - b - 40 * v, ">=", -17, "r2")
    p.add_constraint(a + b + u + v, "==", 23, "r3")
    best = max(5 * A + 4 * B - 30 * U - 20 * V
               for A, B, U, V in itertools.product(range(31), range(-10, 26), (0, 1), (0, 1))
               if 3 * A + 2 * B + 10 * U <= 61 and A - B - 40 * V >= -17 and A + B + U + V == 23)
    r = solve(p, time_limit=None, epochs=20, exhaustive_limit=0, threads=1, seed=0)
    assert r.solution_status == "feasible" and r.objective == best


def test_native_lot_sizing_reaches_the_optimum():
    """Equality rows over wide integers: HiGHS's optimum is found (encoded bits alone do not find it
    at this budget, docs/mixed.md)."""
    highspy = pytest.importorskip("highspy")
    p = _lot_sizing(6)
    r = solve(p, time_limit=None, epochs=200, threads=1, seed=0)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    T, hi = 6, 1000
    rng = np.random.default_rng(0)
    d, f = rng.integers(20, 200, T), rng.integers(200, 1000, T)
    inf = highspy.kHighsInf
    for t in range(T):  # x_t, I_t, y_t
        h.addVar(0, hi), h.addVar(0, hi), h.addVar(0, 1)
    n = 3 * T
    h.changeColsCost(n, np.arange(n, dtype=np.int32),
                     np.array([c for t in range(T) for c in (1.0, 2.0, float(f[t]))]))
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n))
    for t in range(T):
        idx = [3 * t, 3 * t + 1] + ([3 * t - 2] if t else [])
        val = [1.0, -1.0] + ([1.0] if t else [])
        h.addRow(float(d[t]), float(d[t]), len(idx), np.array(idx, dtype=np.int32), np.array(val))
        h.addRow(-inf, 0.0, 2, np.array([3 * t, 3 * t + 2], dtype=np.int32), np.array([1.0, -float(hi)]))
    h.run()
    assert r.solution_status == "feasible"
    assert r.objective == pytest.approx(h.getInfo().objective_function_value)
