"""CVXPY custom-solver path: ``prob.solve(solver=BIPNN())`` against CVXPY's own MIP solvers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

cp = pytest.importorskip("cvxpy")

import bipnn_backends  # noqa: E402,F401
from bipnn_backends.cvxpy import BIPNN  # noqa: E402
from bipnn_backends.errors import ContinuousVariableError, OptionError  # noqa: E402

MIP = "SCIP" if "SCIP" in cp.installed_solvers() else "HIGHS"
FAST = {"time_limit": 3, "seed": 0}


def _solve(prob: "cp.Problem", **kwargs) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prob.solve(solver=BIPNN(), **{**FAST, **kwargs})


def test_knapsack_matches_mip_solver() -> None:
    rng = np.random.default_rng(0)
    n = 30
    w, v = rng.integers(5, 30, n), rng.integers(1, 40, n)
    x = cp.Variable(n, boolean=True)
    prob = cp.Problem(cp.Maximize(v @ x), [w @ x <= w.sum() // 3])
    ref = prob.solve(solver=MIP)
    got = _solve(prob)
    assert prob.status in ("optimal", "user_limit")
    assert w @ x.value <= w.sum() // 3 + 1e-9
    assert set(np.unique(x.value)) <= {0.0, 1.0}
    assert got == pytest.approx(v @ x.value)
    assert got >= 0.97 * ref
    assert prob.solver_stats.solver_name == "BIPNN"
    assert prob.solver_stats.num_iters >= 0 and prob.solver_stats.solve_time > 0


def test_assignment_matches_mip_solver() -> None:
    rng = np.random.default_rng(1)
    n = 6
    cost = rng.uniform(1, 10, (n, n))
    X = cp.Variable((n, n), boolean=True)
    prob = cp.Problem(cp.Minimize(cp.sum(cp.multiply(cost, X))),
                      [cp.sum(X, axis=0) == 1, cp.sum(X, axis=1) == 1])
    ref = prob.solve(solver=MIP)
    got = _solve(prob)
    assert X.value.shape == (n, n)
    np.testing.assert_allclose(X.value.sum(axis=0), 1)
    np.testing.assert_allclose(X.value.sum(axis=1), 1)
    assert got <= 1.03 * ref


def test_tiny_problem_is_proven_optimal() -> None:
    x = cp.Variable(5, boolean=True)
    prob = cp.Problem(cp.Minimize(np.array([3, -1, 2, -4, 1]) @ x), [cp.sum(x) >= 1])
    assert prob.solve(solver=BIPNN()) == pytest.approx(-5)
    assert prob.status == "optimal"
    np.testing.assert_allclose(x.value, [0, 1, 0, 1, 0])
    assert prob.solver_stats.num_iters == 0


def test_convex_quadratic_with_auxiliaries_and_integers() -> None:
    rng = np.random.default_rng(2)
    A, b = rng.normal(size=(4, 6)), rng.normal(size=4)
    x = cp.Variable(6, boolean=True)
    z = cp.Variable(2, integer=True)
    target = np.array([1.4, -2.6])
    prob = cp.Problem(cp.Minimize(cp.sum_squares(A @ x - b) + cp.sum_squares(z - target) + cp.sum(x)),
                      [z >= -3, z <= 4, cp.sum(x) >= 2])
    ref = prob.solve(solver=MIP)
    got = _solve(prob)
    assert prob.status == "optimal"  # 6 + 3 + 3 binaries: exhaustive
    assert got == pytest.approx(ref, rel=1e-6, abs=1e-6)
    np.testing.assert_allclose(z.value, [1, -3])


def test_integer_bounds_attribute_and_maximise() -> None:
    z = cp.Variable(3, integer=True, bounds=[0, 5])
    prob = cp.Problem(cp.Maximize(cp.sum(z) - 2 * z[0]), [z[1] + z[2] <= 7])
    assert _solve(prob) == pytest.approx(7)
    assert z.value[0] == 0 and z.value[1] + z.value[2] == 7


def test_infeasible_is_reported() -> None:
    x = cp.Variable(3, boolean=True)
    prob = cp.Problem(cp.Minimize(cp.sum(x)), [cp.sum(x) >= 4])
    prob.solve(solver=BIPNN())
    assert prob.status == "infeasible"
    assert prob.value == np.inf
    assert x.value is None


def test_linear_continuous_variable_is_solved_by_the_lp() -> None:
    x = cp.Variable(3, boolean=True)
    y = cp.Variable(name="slack")
    prob = cp.Problem(cp.Minimize(cp.sum(x) + y), [y >= 2.5 - cp.sum(x), y >= 0])
    prob.solve(solver=BIPNN())
    assert prob.status == "optimal" and prob.value == pytest.approx(2.5) and y.value == pytest.approx(2.5 - x.value.sum())


def test_continuous_variable_in_the_quadratic_part_is_named_and_problem_untouched() -> None:
    x = cp.Variable(3, boolean=True)
    y = cp.Variable(name="slack")
    prob = cp.Problem(cp.Minimize(cp.sum(x) + cp.square(y)), [y >= 1 - x[0]])
    with pytest.raises(cp.error.SolverError, match="slack") as info:
        prob.solve(solver=BIPNN())
    assert isinstance(info.value, ContinuousVariableError)
    assert prob.status is None and x.value is None


def test_abs_epigraph_auxiliaries_are_lp_columns() -> None:
    x = cp.Variable(3, boolean=True)
    prob = cp.Problem(cp.Minimize(cp.sum(cp.abs(x - 0.5)) + x[0]))
    prob.solve(solver=BIPNN())
    assert prob.status == "optimal" and prob.value == pytest.approx(1.5) and x.value[0] == 0


def test_unknown_option_is_an_error() -> None:
    x = cp.Variable(3, boolean=True)
    prob = cp.Problem(cp.Minimize(cp.sum(x)))
    with pytest.raises(cp.error.SolverError, match="timelimit") as info:
        prob.solve(solver=BIPNN(), timelimit=3)
    assert isinstance(info.value, OptionError)


def test_name_does_not_clash() -> None:
    assert BIPNN().name() not in cp.settings.SOLVERS
    assert BIPNN.MIP_CAPABLE


def _pool_models():
    """(problem, variables): maximise and minimise, a constant, integers, a quadratic objective
    whose CVXPY auxiliaries are eliminated."""
    x = cp.Variable(4, boolean=True, name="x")
    y = cp.Variable(integer=True, bounds=[0, 3], name="y")
    lin = np.array([3.0, -1.0, 2.0, 1.5]) @ x + 2 * y - 4.0
    cons = [cp.sum(x) + y <= 4]
    A, b = np.array([[1.0, 2, 0, 1], [0, 1, 1, -1]]), np.array([1.0, 2.0])
    return [cp.Problem(cp.Maximize(lin), cons), cp.Problem(cp.Minimize(lin + 10), cons),
            cp.Problem(cp.Minimize(cp.sum_squares(A @ x - b) + y + 7), cons),
            cp.Problem(cp.Maximize(7 - cp.sum_squares(A @ x - b) - y), cons)]


@pytest.mark.parametrize("k", range(4))
@pytest.mark.parametrize("entry", ["solver", "method"])
def test_pool_objectives_are_the_objective_at_each_pool_point(entry, k) -> None:
    """Both entries: each pool entry's objective is the user's objective (sense and constant
    included) at its point, also when a problem is solved again (CVXPY reuses its matrix form)."""
    prob = _pool_models()[k]
    for _ in range(2):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if entry == "solver":
                prob.solve(solver=BIPNN(), pool_size=4, exhaustive_limit=20)
            else:
                prob.solve(method="bipnn", pool_size=4, exhaustive_limit=20)
        stats = prob.solver_stats.extra_stats
        assert len(stats.pool) == 4 and stats.objective == pytest.approx(prob.value)
        best = prob.value
        names = prob.get_problem_data(solver=BIPNN())[0]["bipnn_columns"][0] if entry == "solver" else None
        for e in stats.pool:
            _load(prob, e.values, names)
            assert e.objective == pytest.approx(prob.objective.value, abs=1e-9)
        assert stats.pool[0].objective == pytest.approx(best)


def _load(prob: "cp.Problem", values: dict, names: list[str] | None) -> None:
    """Set the variables to a pool entry's values: keyed by CVXPY's column index (``solver=BIPNN()``,
    column names from its data) or by scalar entry in variable order (``method="bipnn"``)."""
    by_name = {v.name(): v for v in prob.variables()}
    flat = {v.name(): np.zeros(v.size) for v in prob.variables()}
    if names is None:
        ordered = [values[k] for k in sorted(values)]
        offset = 0
        for v in prob.variables():
            flat[v.name()][:] = ordered[offset:offset + v.size]
            offset += v.size
    else:
        for k, value in values.items():
            name, _, index = names[k].partition("[")
            if name in flat:  # CVXPY's own auxiliaries are not the user's
                flat[name][int(index.rstrip("]") or 0)] = value
    for name, var in by_name.items():
        var.value = flat[name].reshape(var.shape, order="F")


def test_pool_sense_is_never_guessed() -> None:
    """A matrix form the solver was not told about (no can_solve just before, or another problem's
    variables) gets no sign: pool objectives stay None rather than a wrong sign."""
    from bipnn_backends.adapters.cvxpy import solver as S

    class Form:
        variables = [cp.Variable(name="v")]

    S._PENDING.sign = None
    assert S._user_sign(Form()) is None
    S._PENDING.sign = (-1.0, frozenset({-7}))  # noted for a problem with other variables
    assert S._user_sign(Form()) is None
    form = Form()
    S._PENDING.sign = (-1.0, frozenset(v.id for v in form.variables))
    assert S._user_sign(form) == -1.0 and S._user_sign(form) == -1.0  # kept for the re-solve
