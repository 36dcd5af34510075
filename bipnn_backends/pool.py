"""Solution pools: the K best distinct verified feasible points (Gurobi's PoolSolutions, CPLEX's populate).

Distance between two points is the number of user-level variables whose values differ (for a
pure binary model: the Hamming distance). Selection is greedy in objective order: a point joins
when it is at least ``pool_distance`` away from every point already in the pool, so the first
entry is always the best point found.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Hashable, Mapping, Sequence

import numpy as np

from .core.evaluate import evaluate_problem
from .core.problem import BinaryProblem

CANDIDATES_PER_ENTRY = 8  # engine candidates kept per requested pool entry (distinct points to choose from)
POOL_NEIGHBOUR_ENTRIES = 20_000_000  # 1-flip neighbours of a pool's entries evaluated: at most this many row entries
EXHAUSTIVE_CHUNK = 1 << 15
EXHAUSTIVE_KEEP_MIN, EXHAUSTIVE_KEEP_PER_ENTRY = 4096, 256  # best feasible points kept while enumerating


@dataclass
class PoolSolution:
    """One pooled solution: verified feasible, objective in the user's sense (None only where a host
    cannot know that sense: CVXPY's ``solver=BIPNN()`` path)."""

    objective: float | None
    values: dict[Hashable, float]  # keyed like SolveResult.values
    max_violation: float
    x: np.ndarray | None  # the 0/1 vector (None when read back from a solution document)


def pool_document(pool: list[PoolSolution], names: Sequence[str] | None = None) -> list[dict]:
    """The pool as JSON-ready entries {"objective", "max_violation", "values"}, best first; ``names``
    maps a value's key (an adapter's position) to the name written (None: the keys are names)."""
    return [{"objective": e.objective, "max_violation": e.max_violation,
             "values": {k if names is None else names[k]: v for k, v in e.values.items()}} for e in pool]


def pool_from_document(entries: list[dict] | None, offset: float = 0.0,
                       keys: Mapping[str, Hashable] | None = None) -> list[PoolSolution]:
    """PoolSolution entries back from :func:`pool_document` output: ``offset`` added to each
    objective, names turned into ``keys`` (None: keep the names)."""
    return [PoolSolution(float(e["objective"]) + offset,
                         {n if keys is None else keys[n]: float(v) for n, v in e["values"].items()},
                         float(e["max_violation"]), None) for e in entries or []]


def candidates_wanted(pool_size: int, default: int) -> int:
    """How many distinct engine candidates to keep so that a pool of ``pool_size`` can be filled."""
    return max(default, CANDIDATES_PER_ENTRY * pool_size)


def value_matrix(problem: BinaryProblem, X: np.ndarray) -> np.ndarray:
    """User-level values (one column per variable, integers decoded) of every 0/1 row of X."""
    X = np.asarray(X, dtype=np.float64)
    V = np.empty((X.shape[0], len(problem.variables)))
    cols, weights, owner = [], [], []
    for j, v in enumerate(problem.variables):
        V[:, j] = 0.0 if v.kind == "binary" else v.lb
        cols.extend(v.binaries)
        weights.append(v.weights)
        owner.extend([j] * len(v.weights))
    if cols:
        contrib = X[:, np.asarray(cols, dtype=np.int64)] * np.concatenate(weights)
        np.add.at(V.T, np.asarray(owner, dtype=np.int64), contrib.T)
    return V


def select(values: np.ndarray, feasible: np.ndarray, objective: np.ndarray, sense: str,
           size: int, distance: int) -> list[int]:
    """Indices of at most ``size`` feasible rows, best objective first (ties keep row order),
    each differing from every earlier pick in at least ``distance`` columns of ``values``."""
    sign = 1.0 if sense == "min" else -1.0
    score = np.where(feasible, sign * objective, np.inf)
    picked: list[int] = []
    for i in np.argsort(score, kind="stable"):
        if len(picked) >= size or not np.isfinite(score[i]):
            break
        if picked:
            diff = np.count_nonzero(~np.isclose(values[picked], values[i], rtol=0.0, atol=1e-9), axis=1)
            if diff.min() < distance:
                continue
        picked.append(int(i))
    return picked


def build_pool(problem: BinaryProblem, X: np.ndarray, feasible: np.ndarray, objective: np.ndarray,
               violation: np.ndarray, size: int, distance: int) -> list[PoolSolution]:
    """The pool from verified candidate rows X (their feasibility, objective and violation given)."""
    values = value_matrix(problem, X) if size > 1 else np.zeros((len(X), 0))  # one entry needs no distance
    keep = select(values, feasible, objective, problem.sense, size, distance)
    return [PoolSolution(float(objective[i]), problem.decode(X[i]), float(violation[i]),
                         np.asarray(X[i], dtype=np.float64).copy()) for i in keep]


def flip_neighbours(X: np.ndarray, rows: int, seed: int) -> np.ndarray:
    """The 1-flip neighbours of each row of X (0/1), at most ``rows`` in all: every flip while they
    fit, else the same number of distinct random flips per row (seeded, so the pool is reproducible)."""
    m, n = X.shape
    per = min(n, rows // max(m, 1))
    if per <= 0:
        return np.zeros((0, n))
    rng = np.random.default_rng(seed)
    flips = np.arange(n) if per == n else None
    out = np.repeat(np.asarray(X, dtype=np.float64), per, axis=0)
    for i in range(m):
        f = flips if flips is not None else rng.choice(n, per, replace=False)
        block = out[i * per:(i + 1) * per]
        block[np.arange(per), f] = 1.0 - block[np.arange(per), f]
    return out


def exhaustive_pool(problem: BinaryProblem, size: int, distance: int, tol: float,
                    deadline: float | None = None) -> list[PoolSolution]:
    """The pool of a tiny problem from all 2^n points (n is small here), enumerated in chunks; the
    best ``EXHAUSTIVE_KEEP_PER_ENTRY * size`` feasible points seen are kept (exact unless that many
    points lie within ``distance`` of the pool), ties keeping the smallest point as brute force does.
    Stops at ``deadline`` (a ``time.perf_counter()`` value) with what it has seen."""
    n = problem.n_binaries
    shifts = np.arange(n, dtype=np.int64)
    keep = max(EXHAUSTIVE_KEEP_MIN, EXHAUSTIVE_KEEP_PER_ENTRY * size)
    sign = 1.0 if problem.sense == "min" else -1.0
    X, obj, viol = np.zeros((0, n)), np.zeros(0), np.zeros(0)
    for start in range(0, 1 << n, EXHAUSTIVE_CHUNK):
        r = np.arange(start, min(1 << n, start + EXHAUSTIVE_CHUNK), dtype=np.int64)
        C = ((r[:, None] >> shifts) & 1).astype(np.float64)
        vals = evaluate_problem(problem, C, tol)
        ok = np.flatnonzero(vals.feasible)
        X = np.concatenate((X, C[ok]))
        obj = np.concatenate((obj, vals.objective[ok]))
        viol = np.concatenate((viol, vals.max_violation[ok]))
        order = np.argsort(sign * obj, kind="stable")[:keep]
        X, obj, viol = X[order], obj[order], viol[order]
        if deadline is not None and time.perf_counter() >= deadline:
            break
    return build_pool(problem, X, np.ones(len(X), bool), obj, viol, size, distance)
