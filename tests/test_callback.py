"""Incumbent callback: increasing quality, verified points, and a stop request that ends the solve."""

from __future__ import annotations

import numpy as np
import pytest

from bipnn_backends import BinaryProblem, solve
from bipnn_backends.callback import Incumbent
from bipnn_backends.core.evaluate import evaluate_problem
from bipnn_backends.core.expr import Poly
from bipnn_backends.errors import OptionError


def knapsack(n: int = 40, seed: int = 3) -> BinaryProblem:
    rng = np.random.default_rng(seed)
    p = BinaryProblem("knapsack")
    xs = p.add_binaries([f"x{i}" for i in range(n)])
    p.set_objective(Poly.linear(xs, rng.integers(1, 50, n)), "max")
    p.add_constraint(Poly.linear(xs, rng.integers(1, 30, n)), "<=", 4 * n, "cap")
    return p


def test_events_improve_and_are_verified() -> None:
    p = knapsack()
    events: list[Incumbent] = []
    r = solve(p, time_limit=None, epochs=100, exhaustive_limit=0, callback=events.append)
    assert r.solution_status == "feasible" and events
    objs = [e.objective for e in events]
    assert all(b > a for a, b in zip(objs, objs[1:]))
    assert objs[-1] == r.objective  # the returned point is the last incumbent
    times = [e.time for e in events]
    assert times == sorted(times)
    for e in events:
        x = np.array([[e.values[name] for name in p.binary_names]])
        vals = evaluate_problem(p, x)
        assert vals.feasible[0] and vals.objective[0] == e.objective and e.violation <= 1e-6
        np.testing.assert_array_equal(e.x, x[0])


def test_stop_request_ends_early_with_the_best_point() -> None:
    p = knapsack()
    full = solve(p, time_limit=None, epochs=400, exhaustive_limit=0)
    events: list[Incumbent] = []

    def stop_at_first(event: Incumbent) -> None:
        events.append(event)
        event.stop()

    r = solve(p, time_limit=None, epochs=400, exhaustive_limit=0, callback=stop_at_first)
    assert r.termination == "interrupted" and r.solution_status == "feasible"
    assert (r.stats["epochs"] < full.stats["epochs"] or r.stats.get("ils_rounds", 0) < full.stats.get("ils_rounds", 0)
            or r.stats.get("cs_steps", 0) < full.stats.get("cs_steps", 0))  # linear rows: the constraint search
    assert r.objective == max(e.objective for e in events)
    x = np.array([[r.values[name] for name in p.binary_names]])
    assert evaluate_problem(p, x).feasible[0]


def test_stop_at_target_objective() -> None:
    p = knapsack()
    target = 0.9 * solve(p, time_limit=None, epochs=100, exhaustive_limit=0).objective

    def until_target(event: Incumbent) -> None:
        if event.objective >= target:
            event.stop()

    r = solve(p, time_limit=None, epochs=100, exhaustive_limit=0, callback=until_target)
    assert r.objective >= target and r.termination == "interrupted"


def test_exhaustive_path_reports_the_optimum() -> None:
    p = knapsack(8)
    events: list[Incumbent] = []
    r = solve(p, callback=events.append)
    assert r.solution_status == "optimal" and [e.objective for e in events] == [r.objective]


def test_callback_must_be_callable() -> None:
    with pytest.raises(OptionError, match="callback"):
        solve(knapsack(4), callback=3)


def test_callback_through_every_in_process_host() -> None:
    # each host's event: values by the host's variable names, the objective in the user's sense (a
    # maximisation with a constant: CVXPY's solver= path sees a minimisation form), increasing, and a
    # stop request ending the solve with the host's interrupted status and the last event's point
    pulp, pe, cp = (pytest.importorskip(m) for m in ("pulp", "pyomo.environ", "cvxpy"))
    from pyomo.contrib.solver.common.factory import SolverFactory
    import bipnn_backends.cvxpy as bc
    from bipnn_backends import BIPNN
    n, const = 40, 5.0
    rng = np.random.default_rng(3)
    v, w = rng.integers(1, 50, n), rng.integers(1, 30, n)
    opts = {"epochs": 100, "exhaustive_limit": 0}
    target = 0.97 * solve(knapsack(n), time_limit=None, **opts).objective + const

    def run(names: list[str], solve_host) -> tuple[list, float]:
        events: list[Incumbent] = []

        def until(event: Incumbent) -> None:
            events.append(event)
            if event.objective >= target:
                event.stop()

        value = solve_host(until)
        objs = [e.objective for e in events]
        assert objs and all(b > a for a, b in zip(objs, objs[1:])) and objs[-1] >= target
        for e in events:
            assert list(e.values) == names
            x = np.array([e.values[name] for name in names])
            assert e.objective == pytest.approx(v @ x + const) and w @ x <= 4 * n
        assert value == pytest.approx(objs[-1])
        return events

    prob = pulp.LpProblem("k", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i:02d}", cat="Binary") for i in range(n)]
    prob += pulp.lpSum(int(a) * b for a, b in zip(v, x)) + const
    prob += pulp.lpSum(int(a) * b for a, b in zip(w, x)) <= 4 * n

    def with_pulp(fn) -> float:
        solver = BIPNN(msg=False, timeLimit=None, callback=fn, **opts)
        prob.solve(solver)
        assert solver.result.termination == "interrupted"
        return pulp.value(prob.objective)
    run([f"x{i:02d}" for i in range(n)], with_pulp)

    m = pe.ConcreteModel()
    m.x = pe.Var(range(n), domain=pe.Binary)
    m.o = pe.Objective(expr=sum(int(v[i]) * m.x[i] for i in range(n)) + const, sense=pe.maximize)
    m.c = pe.Constraint(expr=sum(int(w[i]) * m.x[i] for i in range(n)) <= 4 * n)

    def with_pyomo(fn) -> float:
        res = SolverFactory("bipnn").solve(m, solver_options={"callback": fn, "time_limit": None, **opts},
                                           raise_exception_on_nonoptimal_result=False)
        assert res.termination_condition.name == "interrupted"
        return pe.value(m.o)
    run([f"x[{i}]" for i in range(n)], with_pyomo)

    y = cp.Variable(n, boolean=True, name="y")
    cvx = cp.Problem(cp.Maximize(v @ y + const), [w @ y <= 4 * n])
    for how in ({"method": "bipnn"}, {"solver": bc.BIPNN()}):
        def with_cvxpy(fn) -> float:
            cvx.solve(callback=fn, time_limit=None, **opts, **how)
            assert cvx.status == cp.USER_LIMIT and cvx.solver_stats.extra_stats.termination == "interrupted"
            return cvx.value
        run([f"y[{i}]" for i in range(n)], with_cvxpy)
