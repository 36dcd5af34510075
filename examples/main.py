"""The main job: one real solve through each host, printed side by side with a classical solver.

1. PuLP: a 60-item 0/1 knapsack with a conflict constraint, BIPNN vs CBC.
2. Pyomo: a nonlinear selection model (sin, exp, a degree-3 product, a nonlinear constraint), BIPNN vs
   the brute-force optimum (it has 14 binaries + 1 integer, small enough to enumerate).
3. CVXPY: a non-convex (indefinite) boolean quadratic program that CVXPY's DCP rules reject with its
   usual solvers, solved with method="bipnn", vs the brute-force optimum.

Run with: bash scripts/demo.sh   (or .venv/bin/python examples/main.py)
"""

from __future__ import annotations

import itertools
import math

import numpy as np

import bipnn_backends  # noqa: F401  (registers the solver with PuLP, Pyomo and CVXPY)

TIME = 5.0


def pulp_knapsack() -> None:
    import pulp

    rng = np.random.default_rng(7)
    n = 60
    value = rng.integers(10, 100, n)
    weight = rng.integers(5, 60, n)
    capacity = int(weight.sum() * 0.4)

    def model() -> tuple[pulp.LpProblem, list[pulp.LpVariable]]:
        prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
        x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(n)]
        prob += pulp.lpSum(int(value[i]) * x[i] for i in range(n))
        prob += pulp.lpSum(int(weight[i]) * x[i] for i in range(n)) <= capacity, "capacity"
        prob += x[0] + x[1] + x[2] <= 1, "conflict"
        return prob, x

    prob, _ = model()
    prob.solve(pulp.PULP_CBC_CMD(msg=False))
    cbc = pulp.value(prob.objective)
    prob, x = model()
    prob.solve(bipnn_backends.BIPNN(timeLimit=TIME, seed=0))
    ours = pulp.value(prob.objective)
    print(f"[PuLP]  knapsack, 60 items: CBC (proven optimal) {cbc:.0f} | BIPNN {ours:.0f} "
          f"({pulp.LpStatus[prob.status]}, sol_status {prob.sol_status}); "
          f"weight used {sum(int(weight[i]) * x[i].varValue for i in range(n)):.0f}/{capacity}")


def pyomo_nonlinear() -> None:
    import pyomo.environ as pyo

    rng = np.random.default_rng(3)
    n = 14
    gain = rng.uniform(0.5, 2.0, n)
    m = pyo.ConcreteModel()
    m.I = pyo.RangeSet(0, n - 1)
    m.x = pyo.Var(m.I, domain=pyo.Binary)
    m.k = pyo.Var(domain=pyo.Integers, bounds=(0, 3))
    m.obj = pyo.Objective(
        expr=sum(gain[i] * m.x[i] for i in m.I)
        + 2 * pyo.sin(m.x[0] + m.x[1] + m.x[2])
        - pyo.exp(m.x[3] * m.x[4])
        + 1.5 * m.x[5] * m.x[6] * m.x[7]
        - 0.4 * (m.k - 2) ** 2 + 0.3 * m.k * m.x[8],
        sense=pyo.maximize)
    m.budget = pyo.Constraint(expr=sum(m.x[i] for i in m.I) <= 7)
    m.nonlinear = pyo.Constraint(expr=2 * m.x[9] + pyo.exp(m.x[10]) + 3 * m.x[9] * m.x[11] <= 5)
    m.pair = pyo.Constraint(expr=m.x[12] - m.x[13] <= 0)
    res = pyo.SolverFactory("bipnn").solve(m, timelimit=TIME, options={"seed": 0, "exhaustive_limit": 0})
    ours = pyo.value(m.obj)

    best = -math.inf
    for bits in itertools.product([0, 1], repeat=n):
        if sum(bits) > 7 or 2 * bits[9] + math.exp(bits[10]) + 3 * bits[9] * bits[11] > 5 or bits[12] > bits[13]:
            continue
        for k in range(4):
            v = (float(np.dot(gain, bits)) + 2 * math.sin(bits[0] + bits[1] + bits[2]) - math.exp(bits[3] * bits[4])
                 + 1.5 * bits[5] * bits[6] * bits[7] - 0.4 * (k - 2) ** 2 + 0.3 * k * bits[8])
            best = max(best, v)
    print(f"[Pyomo] nonlinear selection (sin, exp, products, nonlinear constraint): brute force {best:.4f} | "
          f"BIPNN {ours:.4f} (termination {res.solver.termination_condition})")


def cvxpy_nonconvex() -> None:
    import cvxpy as cp

    rng = np.random.default_rng(11)
    n = 18
    A = rng.normal(size=(n, n))
    Q = (A + A.T) / 2  # indefinite
    c = rng.normal(size=n)
    x = cp.Variable(n, boolean=True)
    prob = cp.Problem(cp.Minimize(x @ Q @ x + c @ x), [cp.sum(x) >= 4])
    print(f"[CVXPY] is the problem DCP? {prob.is_dcp()} (so CVXPY's MIP solvers refuse it)")
    prob.solve(method="bipnn", time_limit=TIME, seed=0, exhaustive_limit=0)
    r = np.arange(1 << n)
    X = ((r[:, None] >> np.arange(n)) & 1).astype(float)
    values = np.einsum("bi,ij,bj->b", X, Q, X) + X @ c
    best = float(values[X.sum(axis=1) >= 4].min())
    print(f"[CVXPY] indefinite boolean QP, {n} vars: brute force {best:.4f} | BIPNN {prob.value:.4f} "
          f"(status {prob.status})")


if __name__ == "__main__":
    pulp_knapsack()
    pyomo_nonlinear()
    cvxpy_nonconvex()
