"""Verification and reformulation cost on a big sparse constrained model (issue 12).

100,000 binaries, 10,000 sparse ``<=`` rows (about 1M nonzeros, all-zeros feasible), a
linear objective; times ``reformulate`` and ``evaluate_problem`` on 64 candidates.
Run: ``python -m benchmarks.verify_speed [n_vars n_rows nnz_per_row candidates]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np

from bipnn_backends.core.evaluate import evaluate_problem
from bipnn_backends.core.expr import Poly
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.core.reformulate import reformulate
from bipnn_backends.options import make_options


def sparse_rows_problem(n: int = 100_000, m: int = 10_000, per_row: int = 100, seed: int = 0) -> BinaryProblem:
    """max c·x s.t. m rows a_r·x <= b_r with per_row random integer coefficients each."""
    rng = np.random.default_rng(seed)
    p = BinaryProblem("sparse_rows")
    idx = p.add_binaries([f"x{i}" for i in range(n)])
    p.set_objective(Poly.linear(idx, rng.integers(1, 100, size=n).astype(float)), "max")
    for r in range(m):
        cols = np.sort(rng.choice(n, size=per_row, replace=False))
        a = rng.integers(1, 10, size=per_row).astype(float)
        p.add_constraint(Poly.linear(cols, a), "<=", float(a.sum() // 4), f"row{r}")
    return p


def main(argv: list[str]) -> None:
    n, m, per_row, B = (int(a) for a in (argv + ["100000", "10000", "100", "64"][len(argv):]))
    t = time.perf_counter()
    p = sparse_rows_problem(n, m, per_row)
    print(f"build: {time.perf_counter() - t:.2f} s ({n} binaries, {m} rows, {m * per_row} nonzeros)")
    t = time.perf_counter()
    reform = reformulate(p, make_options())
    print(f"reformulate: {time.perf_counter() - t:.2f} s ({reform.summary()['linear_penalty_rows']} penalty rows)")
    X = (np.random.default_rng(1).random((B, n)) < 0.001).astype(np.float64)
    X[0] = 0.0
    for k in range(2):
        t = time.perf_counter()
        vals = evaluate_problem(p, X)
        print(f"evaluate_problem, {B} candidates (call {k + 1}): {time.perf_counter() - t:.3f} s, "
              f"{int(vals.feasible.sum())} feasible")


if __name__ == "__main__":
    main(sys.argv[1:])
