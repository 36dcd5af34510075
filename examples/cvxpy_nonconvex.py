"""A non-convex boolean problem CVXPY's DCP rules reject, solved with ``method="bipnn"``.

Max-cut with a side reward: maximise the weight of edges cut by a 0/1 labelling
(a product of booleans: non-convex) minus an exponential crowding penalty.

    python examples/cvxpy_nonconvex.py
"""

from __future__ import annotations

import warnings

import cvxpy as cp
import numpy as np

import bipnn_backends  # noqa: F401  (registers method="bipnn")


def main() -> None:
    rng = np.random.default_rng(0)
    n = 24
    W = np.triu(rng.integers(0, 2, (n, n)) * rng.uniform(1, 5, (n, n)), 1)
    x = cp.Variable(n, boolean=True, name="side")
    cut = cp.sum(cp.multiply(W, cp.reshape(x, (n, 1), order="F") @ cp.reshape(1 - x, (1, n), order="F")
                             + cp.reshape(1 - x, (n, 1), order="F") @ cp.reshape(x, (1, n), order="F")))
    crowding = cp.exp(cp.sum(x) / 6)
    prob = cp.Problem(cp.Maximize(cut - crowding), [cp.sum(x) >= 4])

    try:
        prob.solve(solver=cp.SCIP if cp.SCIP in cp.installed_solvers() else cp.HIGHS)
    except cp.error.DCPError as exc:
        print("CVXPY's usual solvers refuse it:", str(exc).splitlines()[0])

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # user_limit: a verified feasible point, optimality not proven
        value = prob.solve(method="bipnn", time_limit=5, seed=0)
    print(f"status={prob.status} objective={value:.3f} ones={int(x.value.sum())}")
    print("labels:", x.value.astype(int))
    print(f"solver={prob.solver_stats.solver_name} epochs={prob.solver_stats.num_iters} "
          f"time={prob.solver_stats.solve_time:.2f}s")


if __name__ == "__main__":
    main()
