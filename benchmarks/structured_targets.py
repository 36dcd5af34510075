"""The solver targets of issue 12, measured one by one (one thread, seed 0).

    python -m benchmarks.structured_targets [name ...]

Names: assign150 (20 s, optimum from scipy), gap8x40 (10 s, SCIP reference),
binpack30 (PuLP's generator, 20 s, through PuLP), binpack60 (10 s, through
PuLP), sparse100k (100k binaries, 10k sparse <= rows, 5 s, through PuLP).
Prints one line per target: value, reference, gap, wall time and the solver's
own phase times. Times on a shared machine are noisy.
"""

from __future__ import annotations

import os
import sys
import time

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

from bipnn_backends.core.expr import Poly  # noqa: E402
from bipnn_backends.core.problem import BinaryProblem  # noqa: E402
from bipnn_backends.solve import solve  # noqa: E402


def _assignment(n: int, seed: int = 0) -> tuple[BinaryProblem, float]:
    from scipy.optimize import linear_sum_assignment
    C = np.random.default_rng(seed).integers(1, 100, (n, n)).astype(np.float64)
    p = BinaryProblem(f"assign-{n}")
    x = p.add_binaries([f"x{i}" for i in range(n * n)]).reshape(n, n)
    p.set_objective(Poly.linear(x.ravel(), C.ravel()), "min")
    for i in range(n):
        p.add_constraint(Poly.linear(x[i], np.ones(n)), "==", 1, f"row{i}")
    for j in range(n):
        p.add_constraint(Poly.linear(x[:, j], np.ones(n)), "==", 1, f"col{j}")
    r, c = linear_sum_assignment(C)
    return p, float(C[r, c].sum())


def _gap(agents: int, jobs: int, seed: int = 0) -> tuple[BinaryProblem, float]:
    """Martello-Toth type C (the `structured` suite's generator)."""
    rng = np.random.default_rng(seed)
    c = rng.integers(10, 50, (agents, jobs)).astype(np.float64)
    w = rng.integers(5, 25, (agents, jobs)).astype(np.float64)
    b = np.floor(0.8 * w.sum(axis=1) / agents)
    p = BinaryProblem(f"gap-{agents}x{jobs}")
    x = p.add_binaries([f"x{i}" for i in range(agents * jobs)]).reshape(agents, jobs)
    p.set_objective(Poly.linear(x.ravel(), c.ravel()), "min")
    for j in range(jobs):
        p.add_constraint(Poly.linear(x[:, j], np.ones(agents)), "==", 1, f"job{j}")
    for i in range(agents):
        p.add_constraint(Poly.linear(x[i], w[i]), "<=", float(b[i]), f"cap{i}")
    return p, _scip(p, 120.0)


def _scip(p: BinaryProblem, limit: float) -> float:
    from pyscipopt import Model, quicksum
    m = Model()
    m.hideOutput()
    m.setParam("limits/time", limit)
    xs = [m.addVar(vtype="B") for _ in range(p.n_binaries)]

    def lin(e):
        return quicksum(float(a) * xs[int(i)] for i, a in zip(e.indices, e.coefs)) + e.constant
    m.setObjective(lin(p.objective), "minimize" if p.sense == "min" else "maximize")
    for con in p.constraints:
        e = lin(con.body)
        m.addCons(e <= con.rhs if con.sense == "<=" else e >= con.rhs if con.sense == ">=" else e == con.rhs)
    m.optimize()
    return float(m.getObjVal())


def _core(name: str, p: BinaryProblem, ref: float, limit: float) -> None:
    t = time.perf_counter()
    res = solve(p, time_limit=limit, seed=0)
    _line(name, limit, time.perf_counter() - t, res.solution_status, res.objective, ref, res.stats)


def _pulp(name: str, lp, ref: float | None, limit: float) -> None:
    import pulp

    from bipnn_backends.pulp import BIPNN
    solver = BIPNN(msg=False, timeLimit=limit)
    t = time.perf_counter()
    lp.solve(solver)
    wall = time.perf_counter() - t
    value = pulp.value(lp.objective)
    result = getattr(solver, "result", None)
    _line(name, limit, wall, pulp.LpStatus[lp.status], value, ref, result.stats if result else {})


def _line(name: str, limit: float, wall: float, status: str, value, ref, stats: dict) -> None:
    gap = "" if ref in (None, 0) or value is None else f" gap {100 * (value - ref) / abs(ref):+.2f}%"
    keys = ("time_reformulate", "time_search", "time_verify", "cs_steps", "cs_restarts")
    extra = " ".join(f"{k}={stats[k]:.3g}" for k in keys if isinstance(stats.get(k), (int, float)))
    print(f"{name:11s} limit {limit:4.0f}s wall {wall:6.2f}s {status:10s} value {value} ref {ref}{gap} {extra}",
          flush=True)


def _sparse_lp(n: int = 100_000, rows: int = 10_000, seed: int = 0):
    import pulp
    rng = np.random.default_rng(seed)
    lp = pulp.LpProblem("sparse", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(n)]
    c = rng.integers(1, 20, n)
    lp += pulp.lpSum(int(c[i]) * x[i] for i in range(n))
    for r in range(rows):
        k = int(rng.integers(5, 30))
        s = rng.choice(n, k, replace=False)
        a = rng.integers(1, 10, k)
        lp += pulp.lpSum(int(a[q]) * x[int(s[q])] for q in range(k)) <= int(a.sum() // 3), f"r{r}"
    return lp


def main(names: list[str]) -> None:
    import bipnn_backends.engine  # noqa: F401  (import and kernel loading outside the clock, as solve does)
    from pulp.tests.bin_packing_problem import create_bin_packing_problem
    targets = {
        "assign150": lambda: _core("assign150", *_assignment(150), 20.0),
        "gap8x40": lambda: _core("gap8x40", *_gap(8, 40), 10.0),
        "binpack30": lambda: _pulp("binpack30", create_bin_packing_problem(bins=30, seed=99), 30, 20.0),
        "binpack60": lambda: _pulp("binpack60", create_bin_packing_problem(bins=60, seed=99), 60, 10.0),
        "sparse100k": lambda: _pulp("sparse100k", _sparse_lp(), None, 5.0),
    }
    for name in names or list(targets):
        targets[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
