"""``prob.solve(method="bipnn")``: the expression-tree translator, DCP or not."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

cp = pytest.importorskip("cvxpy")

import bipnn_backends  # noqa: E402,F401
from cvxpy.atoms.elementwise import hyperbolic, trig  # noqa: E402
from bipnn_backends.errors import ContinuousVariableError, UnsupportedExpressionError  # noqa: E402

FAST = {"time_limit": 3, "seed": 0}


def _solve(prob: "cp.Problem", **kwargs) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return prob.solve(method="bipnn", **{**FAST, **kwargs})


def _all_points(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0.0, 1.0], repeat=n)))


def test_indefinite_quadratic_finds_brute_force_optimum() -> None:
    rng = np.random.default_rng(3)
    n = 20
    Q = rng.normal(size=(n, n))
    Q = (Q + Q.T) / 2  # indefinite
    c = rng.normal(size=n)
    X = _all_points(n)
    best = float((np.einsum("bi,ij,bj->b", X, Q, X) + X @ c).min())
    x = cp.Variable(n, boolean=True)
    prob = cp.Problem(cp.Minimize(x @ Q @ x + c @ x))
    with pytest.raises(cp.error.DCPError):
        prob.solve(solver="SCIP" if "SCIP" in cp.installed_solvers() else "HIGHS")
    got = _solve(prob)
    assert prob.status == "user_limit"  # 20 binaries: engine, a verified point without proof
    assert got == pytest.approx(best, abs=1e-6)
    assert got == pytest.approx(x.value @ Q @ x.value + c @ x.value)
    stats = prob.solver_stats
    assert stats.solver_name == "BIPNN" and stats.num_iters == stats.extra_stats.stats["epochs"]


def test_degree_three_products() -> None:
    x = cp.Variable(6, boolean=True)
    w = np.array([3.0, -2.0, 4.0, -5.0])
    obj = w[0] * x[0] * x[1] * x[2] + w[1] * x[1] * x[3] * x[4] + w[2] * cp.prod(x[3:]) + w[3] * x[5]
    prob = cp.Problem(cp.Maximize(obj), [x[0] + x[5] <= 1])
    X = _all_points(6)
    vals = (w[0] * X[:, 0] * X[:, 1] * X[:, 2] + w[1] * X[:, 1] * X[:, 3] * X[:, 4]
            + w[2] * X[:, 3:].prod(axis=1) + w[3] * X[:, 5])
    best = vals[X[:, 0] + X[:, 5] <= 1].max()
    assert _solve(prob) == pytest.approx(best)
    assert prob.status == "optimal"


def test_exp_of_a_sum() -> None:
    x = cp.Variable(8, boolean=True)
    v = np.arange(1.0, 9.0)
    prob = cp.Problem(cp.Maximize(v @ x - cp.exp(cp.sum(x) / 2)))
    X = _all_points(8)
    best = (X @ v - np.exp(X.sum(axis=1) / 2)).max()
    assert _solve(prob) == pytest.approx(best)


def test_matrix_variable_parameters_and_atoms() -> None:
    Y = cp.Variable((2, 3), boolean=True)
    P = cp.Parameter((3,), value=np.array([1.0, -2.0, 3.0]))
    obj = (cp.sum(cp.multiply(Y[0], Y[1]) @ P) - cp.log(1 + cp.sum(Y)) + cp.abs(Y[0, 0] - Y[1, 1])
           + cp.power(cp.sum(Y[:, 2]), 2) - cp.maximum(Y[0, 1], Y[1, 0]))
    prob = cp.Problem(cp.Maximize(obj), [Y[0, 0] + Y[1, 2] <= 1, cp.sum(Y, axis=0) >= np.array([0, 0, 1])])
    X = _all_points(6)
    Ys = X.reshape(-1, 3, 2).transpose(0, 2, 1)  # column-major entries, like CVXPY
    vals = ((Ys[:, 0] * Ys[:, 1]) @ P.value - np.log(1 + Ys.sum(axis=(1, 2))) + np.abs(Ys[:, 0, 0] - Ys[:, 1, 1])
            + Ys[:, :, 2].sum(axis=1) ** 2 - np.maximum(Ys[:, 0, 1], Ys[:, 1, 0]))
    ok = (Ys[:, 0, 0] + Ys[:, 1, 2] <= 1) & (Ys[:, :, 2].sum(axis=1) >= 1)
    assert _solve(prob) == pytest.approx(vals[ok].max())
    assert Y.value.shape == (2, 3) and prob.status == "optimal"
    P.value = np.array([-5.0, -5.0, -5.0])
    vals2 = vals - (Ys[:, 0] * Ys[:, 1]) @ np.array([6.0, -3.0, 8.0])
    assert _solve(prob) == pytest.approx(vals2[ok].max())


def test_integer_variables_bounded_by_constraints() -> None:
    z = cp.Variable(3, integer=True)
    t = np.array([1.3, -2.6, 7.0])
    prob = cp.Problem(cp.Minimize(cp.sum_squares(z - t) + z[0] * z[1]), [z >= -3, z <= 5])
    grid = np.array(list(itertools.product(range(-3, 6), repeat=3)), dtype=float)
    vals = ((grid - t) ** 2).sum(axis=1) + grid[:, 0] * grid[:, 1]
    assert _solve(prob) == pytest.approx(vals.min())
    assert np.all(z.value == np.round(z.value))


def test_status_infeasible_and_values_cleared() -> None:
    x = cp.Variable(3, boolean=True)
    prob = cp.Problem(cp.Maximize(x[0] * x[1]), [cp.sum(x) >= 4])
    prob.solve(method="bipnn")
    assert prob.status == "infeasible" and prob.value == -np.inf and x.value is None


def test_linear_continuous_variable_is_solved_and_free_one_is_unbounded() -> None:
    x = cp.Variable(2, boolean=True)
    y = cp.Variable(2, name="flow")
    prob = cp.Problem(cp.Minimize(-x[0] * x[1] + cp.sum(y)), [y >= x, y <= 4])
    prob.solve(method="bipnn")
    assert prob.status == "optimal" and prob.value == pytest.approx(0.0) and y.value.tolist() == pytest.approx([0, 0])
    unbounded = cp.Problem(cp.Minimize(x[0] * x[1] + cp.sum(y)))
    unbounded.solve(method="bipnn")
    assert unbounded.status == "unbounded" and unbounded.value == -np.inf


def test_continuous_variable_in_a_nonlinear_term_is_rejected() -> None:
    x = cp.Variable(2, boolean=True)
    y = cp.Variable(2, name="flow")
    prob = cp.Problem(cp.Minimize(x[0] * x[1] + x[0] * y[1]), [y >= 0, y <= 1])
    with pytest.raises(cp.error.SolverError, match="flow") as info:
        prob.solve(method="bipnn")
    assert isinstance(info.value, ContinuousVariableError)
    assert prob.status is None and x.value is None


def test_unsupported_atom_is_named() -> None:
    x = cp.Variable(3, boolean=True)
    prob = cp.Problem(cp.Minimize(cp.geo_mean(x + 1)))
    with pytest.raises(cp.error.SolverError, match="GeoMean") as info:
        prob.solve(method="bipnn")
    assert isinstance(info.value, UnsupportedExpressionError)


def test_unknown_option_is_an_error() -> None:
    x = cp.Variable(2, boolean=True)
    prob = cp.Problem(cp.Minimize(x[0] * x[1]))
    with pytest.raises(cp.error.SolverError, match="bogus"):
        prob.solve(method="bipnn", bogus=1)


def _cvxpy_brute_force(prob: "cp.Problem") -> float:
    """Optimum by enumeration, every point scored by CVXPY's own numeric evaluation."""
    sign = -1.0 if isinstance(prob.objective, cp.Maximize) else 1.0
    variables = prob.variables()
    best = np.inf
    for point in _all_points(sum(v.size for v in variables)):
        offset = 0
        for v in variables:
            v.value = point[offset:offset + v.size].reshape(v.shape, order="F")
            offset += v.size
        if all(c.value() for c in prob.constraints):
            best = min(best, sign * float(prob.objective.value))
    for v in variables:
        v.value = None
    return sign * best


def _atom_cases() -> list:
    x = cp.Variable(6, boolean=True)
    a, b = cp.Variable(2, boolean=True), cp.Variable(2, boolean=True)
    X = cp.reshape(x, (2, 3), order="F")
    prod = cp.multiply(x[:3], x[3:])
    return [
        (x, cp.Minimize(cp.sum(cp.hstack([prod, -x[:2]])) + cp.sum(cp.reshape(prod, (3, 1), order="F").T @ [1, -2, 3]))),
        (x, cp.Maximize(cp.sum(cp.cumsum(prod)) - cp.trace(cp.vstack([prod, prod, prod])))),
        (x, cp.Minimize(cp.sum((X @ X.T) @ np.array([1.0, -3.0])) + cp.sum(cp.diag(prod)))),
        (x, cp.Maximize(cp.sum(cp.logic.Xor(a, b)) + 2 * cp.logic.And(a, b) @ x[:2]
                        - 3 * cp.logic.Or(a, b)[0] * x[5] + cp.sum(cp.logic.Not(b)) + x[4])),
        (x, cp.Minimize(cp.norm1(x - 0.3) + cp.pnorm(x[:3] - 0.5, 3) - cp.norm(x[3:] @ np.ones(3) - 1, "inf"))),
        (x, cp.Maximize(cp.min(cp.hstack([x[0] + x[1], 2 - x[2]])) + cp.max(x[3:] * 2) - cp.log_sum_exp(x[:3]))),
        (x, cp.Minimize(cp.sum(cp.square(x[:3] - x[3:])) - cp.sum(cp.sqrt(x + 1)) + cp.sum(cp.pos(x - 0.5))
                        + cp.sum(cp.neg(x[:2] - 0.7)) + cp.quad_over_lin(x[:2] + 1, 2))),
        (x, cp.Maximize(cp.sum(trig.sin(x + 0.5)) + cp.sum(hyperbolic.tanh(prod)) - cp.sum(cp.logistic(x))
                        + cp.sum(cp.inv_pos(x + 1)) + cp.sum(cp.xexp(x[:2])) - cp.log1p(x[3] + x[4]))),
        (x, cp.Minimize(cp.quad_form(x[:3] - 0.5, np.array([[1.0, 2, 0], [2, -1, 0], [0, 0, 3]]))
                        + x[0] / (1 + x[1] + x[2]))),
    ]


@pytest.mark.parametrize("case", range(9))
def test_atoms_against_cvxpy_numeric_values(case: int) -> None:
    x, objective = _atom_cases()[case]
    prob = cp.Problem(objective, [cp.sum(x) >= 2])
    best = _cvxpy_brute_force(prob)
    got = _solve(prob)
    assert prob.status == "optimal"
    assert got == pytest.approx(best, abs=1e-6)
    assert got == pytest.approx(float(prob.objective.value))


def test_feasible_without_proof_is_user_limit_with_stats() -> None:
    rng = np.random.default_rng(5)
    x = cp.Variable((5, 4), boolean=True)
    C = rng.normal(size=(5, 4))
    prob = cp.Problem(cp.Minimize(cp.sum(cp.multiply(C, x)) + x[:, 0] @ x[:, 1]), [cp.sum(x) <= 8])
    with pytest.warns(UserWarning, match="optimality not proven"):
        prob.solve(method="bipnn", time_limit=2, seed=1)
    assert prob.status == "user_limit"
    stats = prob.solver_stats
    assert stats.solver_name == "BIPNN" and stats.solve_time > 0
    assert stats.num_iters == stats.extra_stats.stats["epochs"]
    assert stats.extra_stats.solution_status == "feasible"
    assert x.value.shape == (5, 4) and x.value.sum() <= 8


@pytest.mark.parametrize("entry", ["method", "solver"])
def test_verbose_echoes_the_outcome_as_msg_and_tee_do(entry, capsys):
    """Both CVXPY entries end with the outcome line that PuLP's ``msg`` and Pyomo's ``tee`` show, even
    when exhaustive search leaves the engine nothing to log; without ``verbose`` nothing of ours."""
    from bipnn_backends.cvxpy import BIPNN

    x = cp.Variable(3, boolean=True)
    prob = cp.Problem(cp.Minimize(cp.sum(x)), [x[0] + x[1] >= 1])
    kwargs = {"method": "bipnn"} if entry == "method" else {"solver": BIPNN()}
    prob.solve(verbose=True, **kwargs)
    assert "BIPNN: proven optimal" in capsys.readouterr().out
    prob.solve(**kwargs)
    assert "BIPNN" not in capsys.readouterr().out


@pytest.mark.parametrize("entry", ["method", "solver"])
def test_variables_of_one_name_keep_their_own_values(entry):
    """Values travel by variable identity, never by name (issue 13): two CVXPY variables named x."""
    from bipnn_backends.cvxpy import BIPNN

    a, b = cp.Variable(boolean=True, name="x"), cp.Variable(boolean=True, name="x")
    prob = cp.Problem(cp.Maximize(3 * a - 2 * b), [a + b <= 1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = prob.solve(method="bipnn") if entry == "method" else prob.solve(solver=BIPNN())
    assert prob.status == cp.OPTIMAL and value == pytest.approx(3.0)
    assert (float(a.value), float(b.value)) == (1.0, 0.0)
