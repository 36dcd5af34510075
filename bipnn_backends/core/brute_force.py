"""Exhaustive reference solver for tiny problems: it PROVES optimality or infeasibility,
unless a deadline cuts it short (then it reports the best point of the points it saw)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from .evaluate import evaluate_problem
from .problem import BinaryProblem

MAX_VARIABLES = 24
FIRST_CHUNK, MIN_CHUNK = 4096, 256  # with a deadline: points in the first chunk, and at least per chunk


@dataclass
class BruteForceResult:
    """Best feasible point (None if none was seen) and its objective (user sense).

    ``complete`` is True when all 2^n points were enumerated: only then is ``x`` proven
    optimal (or, when None, the problem proven infeasible). ``points`` counts the points
    seen; ``least_x``/``least_violation`` is the least-violating point seen (for reports
    when no feasible point was found before the deadline).
    """

    x: np.ndarray | None
    objective: float | None
    optimal_count: int
    points: int
    complete: bool = True
    least_x: np.ndarray | None = None
    least_violation: float | None = None


def brute_force(problem: BinaryProblem, tol: float = 1e-6, chunk: int = 1 << 15,
                deadline: float | None = None) -> BruteForceResult:
    """Enumerate all 2^n points in vectorised chunks; ties keep the smallest index.

    With a ``deadline`` (a ``time.perf_counter()`` value) the clock is read between chunks
    and the enumeration stops once it has passed, with ``complete`` False.
    """
    n = problem.n_binaries
    if n > MAX_VARIABLES:
        raise ValueError(f"brute force is limited to {MAX_VARIABLES} binaries, the problem has {n}")
    sign = 1.0 if problem.sense == "min" else -1.0
    best_x, best_val, count = None, np.inf, 0
    least_x, least_v = None, np.inf
    total = 1 << n
    shifts = np.arange(n, dtype=np.int64)
    seen, complete = 0, True
    size = chunk if deadline is None else min(chunk, FIRST_CHUNK)
    while seen < total:
        t_chunk = time.perf_counter() if deadline is not None else 0.0
        r = np.arange(seen, min(total, seen + size), dtype=np.int64)
        X = ((r[:, None] >> shifts) & 1).astype(np.float64)
        vals = evaluate_problem(problem, X, tol)
        seen += len(r)
        scores = np.where(vals.feasible, sign * vals.objective, np.inf)
        k = int(np.argmin(scores))
        if scores[k] < np.inf:
            close = np.isclose(scores, scores[k], rtol=1e-9, atol=1e-9)
            if best_x is None or scores[k] < best_val - 1e-9 * max(1.0, abs(best_val)):
                best_x, best_val, count = X[k].copy(), float(scores[k]), int(close.sum())
            elif np.isclose(scores[k], best_val, rtol=1e-9, atol=1e-9):
                count += int(close.sum())
        elif best_x is None:
            j = int(np.argmin(vals.max_violation))
            if vals.max_violation[j] < least_v:
                least_x, least_v = X[j].copy(), float(vals.max_violation[j])
        if deadline is not None and seen < total:
            now = time.perf_counter()
            if now >= deadline:
                complete = False
                break
            # the next chunk should take at most a quarter of the time left
            per_point = max(now - t_chunk, 1e-9) / len(r)
            size = int(min(chunk, max(MIN_CHUNK, 0.25 * (deadline - now) / per_point)))
    if best_x is None:
        return BruteForceResult(None, None, 0, seen, complete, least_x, least_v if least_x is not None else None)
    return BruteForceResult(best_x, sign * best_val, count, seen, complete)
