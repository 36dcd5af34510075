"""The solver targets of issue 12, measured one by one (one thread, seed 0).

    python -m benchmarks.structured_targets [name ...]

Names: assign150 (20 s, optimum from scipy), gap8x40 (10 s, the suite's cached SCIP reference),
binpack30 (PuLP's generator, 20 s, through PuLP), binpack60 (10 s, through
PuLP), sparse100k (100k binaries, 10k sparse <= rows, 5 s, through PuLP), pulp1m (100k binaries,
10k <= rows of 100 entries: 1M nonzeros, 10 s, through PuLP; the time limit includes translation).
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

from bipnn_backends.solve import solve  # noqa: E402

from .instances import Instance  # noqa: E402
from .references import gap_percent, reference  # noqa: E402
from .structured import assignment, bin_packing_lp, generalized_assignment  # noqa: E402


def _core(name: str, inst: Instance, limit: float) -> None:
    """Solve one of the `structured` suite's instances against its exact or cached SCIP reference."""
    ref = reference(inst)
    t = time.perf_counter()
    res = solve(inst.problem, time_limit=limit, seed=0)
    _line(name, limit, time.perf_counter() - t, res.solution_status, res.objective,
          None if ref is None else ref["value"], inst.problem.sense, res.stats)


def _pulp(name: str, lp, ref: float | None, limit: float) -> None:
    import pulp

    from bipnn_backends.pulp import BIPNN
    solver = BIPNN(msg=False, timeLimit=limit)
    t = time.perf_counter()
    lp.solve(solver)
    wall = time.perf_counter() - t
    value = pulp.value(lp.objective)
    result = getattr(solver, "result", None)
    _line(name, limit, wall, pulp.LpStatus[lp.status], value, ref, "min" if lp.sense == pulp.LpMinimize else "max",
          result.stats if result else {})


def _line(name: str, limit: float, wall: float, status: str, value, ref, sense: str, stats: dict) -> None:
    g = gap_percent(value, ref, sense)
    gap = "" if g is None else f" gap {g:+.2f}%"
    keys = ("time_reformulate", "time_search", "time_verify", "cs_steps", "cs_restarts")
    extra = " ".join(f"{k}={stats[k]:.3g}" for k in keys if isinstance(stats.get(k), (int, float)))
    print(f"{name:11s} limit {limit:4.0f}s wall {wall:6.2f}s {status:10s} value {value} ref {ref}{gap} {extra}",
          flush=True)


def _sparse_lp(n: int = 100_000, rows: int = 10_000, seed: int = 0, per_row: int | None = None):
    """max c.x over n binaries and ``rows`` random <= rows of 5-29 entries (``per_row`` entries each if given)."""
    import pulp
    rng = np.random.default_rng(seed)
    lp = pulp.LpProblem("sparse", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(n)]
    c = rng.integers(1, 20, n)
    lp += pulp.lpSum(int(c[i]) * x[i] for i in range(n))
    for r in range(rows):
        k = int(rng.integers(5, 30)) if per_row is None else per_row
        s = rng.choice(n, k, replace=False)
        a = rng.integers(1, 10, k)
        lp += pulp.lpSum(int(a[q]) * x[int(s[q])] for q in range(k)) <= int(a.sum() // 3), f"r{r}"
    return lp


def main(names: list[str]) -> None:
    import bipnn_backends.engine  # noqa: F401  (import and kernel loading outside the clock, as solve does)
    targets = {
        "assign150": lambda: _core("assign150", assignment(150), 20.0),
        "gap8x40": lambda: _core("gap8x40", generalized_assignment(8, 40), 10.0),
        "binpack30": lambda: _pulp("binpack30", bin_packing_lp(30), 30, 20.0),
        "binpack60": lambda: _pulp("binpack60", bin_packing_lp(60), 60, 10.0),
        "sparse100k": lambda: _pulp("sparse100k", _sparse_lp(), None, 5.0),
        "pulp1m": lambda: _pulp("pulp1m", _sparse_lp(per_row=100), None, 10.0),
    }
    for name in names or list(targets):
        targets[name]()


if __name__ == "__main__":
    main(sys.argv[1:])
