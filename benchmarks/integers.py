"""Wide-range integers: native jump moves against the binary encoding, SCIP and HiGHS at equal time.

    python -m benchmarks.integers [seconds] [family ...]

Families (seeded, generated here; integers 0..1000 unless said): ``knap`` (integer knapsack, 30 items,
5 <= rows), ``lotsize`` (20 periods: production and stock integers, setup binaries, balance
equalities), ``gassign`` (general-integer assignment: 4 machines x 10 jobs, amounts 0..200, demand
equalities, machine capacities). One line per instance and solver: objective (or status). BIPNN runs
three ways: as shipped (``native``: integers with >= 8 values that are only linear and sit in an
equality row move by jumps), ``encoded`` (every integer flipped bit by bit) and ``native-all``
(the equality condition dropped). One thread everywhere; times on a shared machine are noisy.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

os.environ.setdefault("NUMBA_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402


@dataclass
class IntModel:
    """min/max c.x s.t. rows (sense "<=", "==", ">="), lb <= x <= ub, x integer."""

    name: str
    sense: str
    c: np.ndarray
    rows: list  # (indices, coefficients, sense, rhs)
    lb: np.ndarray
    ub: np.ndarray


def knap(seed: int, n: int = 30, m: int = 5, hi: int = 1000) -> IntModel:
    rng = np.random.default_rng(seed)
    val, W = rng.integers(10, 100, n), rng.integers(5, 60, (m, n))
    cap = W.sum(1) * hi // 20
    rows = [(np.arange(n), W[r].astype(float), "<=", float(cap[r])) for r in range(m)]
    return IntModel(f"knap-{seed}", "max", val.astype(float), rows, np.zeros(n), np.full(n, float(hi)))


def lotsize(seed: int, T: int = 20, hi: int = 1000) -> IntModel:
    """Variables x_0..x_{T-1}, I_0..I_{T-1}, y_0..y_{T-1} (y binary)."""
    rng = np.random.default_rng(seed)
    d, f = rng.integers(20, 200, T), rng.integers(200, 1000, T)
    x, stock, y = np.arange(T), T + np.arange(T), 2 * T + np.arange(T)
    rows = []
    for t in range(T):
        idx = [x[t], stock[t]] + ([stock[t - 1]] if t else [])
        rows.append((np.array(idx), np.array([1.0, -1.0] + ([1.0] if t else [])), "==", float(d[t])))
        rows.append((np.array([x[t], y[t]]), np.array([1.0, -float(hi)]), "<=", 0.0))
    c = np.concatenate([np.ones(T), np.full(T, 2.0), f.astype(float)])
    ub = np.concatenate([np.full(2 * T, float(hi)), np.ones(T)])
    return IntModel(f"lotsize-{seed}", "min", c, rows, np.zeros(3 * T), ub)


def gassign(seed: int, n: int = 10, m: int = 4, hi: int = 200) -> IntModel:
    rng = np.random.default_rng(seed)
    c, a, dem = rng.integers(1, 20, (m, n)), rng.integers(1, 5, (m, n)), rng.integers(20, 100, n)
    cap = (a.mean(0) * dem).sum() / m * 1.3
    k = np.arange(m * n).reshape(m, n)
    rows = [(k[:, j], np.ones(m), "==", float(dem[j])) for j in range(n)]
    rows += [(k[i], a[i].astype(float), "<=", float(cap)) for i in range(m)]
    return IntModel(f"gassign-{seed}", "min", c.ravel().astype(float), rows, np.zeros(m * n), np.full(m * n, float(hi)))


FAMILIES = {"knap": knap, "lotsize": lotsize, "gassign": gassign}


def to_problem(model: IntModel):
    from bipnn_backends.core.problem import BinaryProblem

    p = BinaryProblem(model.name)
    xs = [p.add_integer(f"v{j}", lo, hi) for j, (lo, hi) in enumerate(zip(model.lb, model.ub))]
    p.set_objective(sum(float(cj) * xs[j] for j, cj in enumerate(model.c) if cj), model.sense)
    for r, (idx, coefs, sense, rhs) in enumerate(model.rows):
        p.add_constraint(sum(float(a) * xs[int(j)] for j, a in zip(idx, coefs)), sense, rhs, f"r{r}")
    return p


def highs(model: IntModel, seconds: float) -> str:
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("time_limit", seconds)
    n, inf = len(model.c), highspy.kHighsInf
    sign = 1.0 if model.sense == "min" else -1.0
    for lo, hi in zip(model.lb, model.ub):
        h.addVar(float(lo), float(hi))
    h.changeColsCost(n, np.arange(n, dtype=np.int32), sign * model.c)
    h.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * n))
    for idx, coefs, sense, rhs in model.rows:
        h.addRow(-inf if sense == "<=" else rhs, inf if sense == ">=" else rhs, len(idx), idx.astype(np.int32), coefs)
    h.run()
    info = h.getInfo()
    if info.primal_solution_status != 2:
        return "none"
    return f"{sign * info.objective_function_value:g} (bound {sign * info.mip_dual_bound:g})"


def scip(model: IntModel, seconds: float) -> str:
    from pyscipopt import Model, quicksum

    s = Model()
    s.hideOutput()
    s.setParam("limits/time", seconds)
    s.setParam("parallel/maxnthreads", 1)
    xs = [s.addVar(vtype="I", lb=float(lo), ub=float(hi)) for lo, hi in zip(model.lb, model.ub)]
    for idx, coefs, sense, rhs in model.rows:
        e = quicksum(float(a) * xs[int(j)] for j, a in zip(idx, coefs))
        s.addCons(e <= rhs if sense == "<=" else e >= rhs if sense == ">=" else e == rhs)
    s.setObjective(quicksum(float(cj) * xs[j] for j, cj in enumerate(model.c)), model.sense.replace("min", "minimize")
                   .replace("max", "maximize"))
    s.optimize()
    if s.getNSols() == 0:
        return "none"
    return f"{s.getObjVal():g} (bound {s.getDualbound():g})"


def bipnn(model: IntModel, seconds: float, mode: str) -> str:
    from bipnn_backends import solve
    from bipnn_backends.engine import constraint_search as cs

    saved = cs.NATIVE_MIN_VALUES, cs.NATIVE_NEEDS_EQUALITY
    if mode == "encoded":
        cs.NATIVE_MIN_VALUES = 1 << 62
    elif mode == "native-all":
        cs.NATIVE_NEEDS_EQUALITY = False
    try:
        r = solve(to_problem(model), time_limit=seconds, threads=1, seed=0)
    finally:
        cs.NATIVE_MIN_VALUES, cs.NATIVE_NEEDS_EQUALITY = saved
    return f"{r.objective:g}" if r.solution_status in ("feasible", "optimal") else r.solution_status


def main(argv: list[str]) -> None:
    seconds = float(argv[0]) if argv else 5.0
    names = argv[1:] or list(FAMILIES)
    for name in names:
        for seed in (0, 1):
            model = FAMILIES[name](seed)
            cells = [f"{model.name} ({model.sense})", f"SCIP {scip(model, seconds)}", f"HiGHS {highs(model, seconds)}"]
            cells += [f"{mode} {bipnn(model, seconds, mode)}" for mode in ("native", "encoded", "native-all")]
            print(" | ".join(cells), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
