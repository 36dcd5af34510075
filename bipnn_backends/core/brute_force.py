"""Exhaustive reference solver for tiny problems: it PROVES optimality or infeasibility."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .evaluate import evaluate_problem
from .problem import BinaryProblem

MAX_VARIABLES = 24


@dataclass
class BruteForceResult:
    """Best feasible point (None if the problem is infeasible) and its objective (user sense)."""

    x: np.ndarray | None
    objective: float | None
    optimal_count: int
    points: int


def brute_force(problem: BinaryProblem, tol: float = 1e-6, chunk: int = 1 << 15) -> BruteForceResult:
    """Enumerate all 2^n points in vectorised chunks; ties keep the smallest index."""
    n = problem.n_binaries
    if n > MAX_VARIABLES:
        raise ValueError(f"brute force is limited to {MAX_VARIABLES} binaries, the problem has {n}")
    sign = 1.0 if problem.sense == "min" else -1.0
    best_x, best_val, count = None, np.inf, 0
    total = 1 << n
    shifts = np.arange(n, dtype=np.int64)
    for start in range(0, total, chunk):
        r = np.arange(start, min(total, start + chunk), dtype=np.int64)
        X = ((r[:, None] >> shifts) & 1).astype(np.float64)
        vals = evaluate_problem(problem, X, tol)
        scores = np.where(vals.feasible, sign * vals.objective, np.inf)
        k = int(np.argmin(scores))
        if scores[k] < np.inf:
            close = np.isclose(scores, scores[k], rtol=1e-9, atol=1e-9)
            if best_x is None or scores[k] < best_val - 1e-9 * max(1.0, abs(best_val)):
                best_x, best_val, count = X[k].copy(), float(scores[k]), int(close.sum())
            elif np.isclose(scores[k], best_val, rtol=1e-9, atol=1e-9):
                count += int(close.sum())
    if best_x is None:
        return BruteForceResult(None, None, 0, total)
    return BruteForceResult(best_x, sign * best_val, count, total)
