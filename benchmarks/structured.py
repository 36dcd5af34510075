"""Seeded generators of structured (linearly constrained) binary programs, the `structured` suite's instances.

Each returns an :class:`Instance` whose problem is a :class:`BinaryProblem`
(minimised unless said) and whose ``meta`` names the family, the sizes and
how the reference value is obtained (``reference_kind``):

- :func:`assignment`: n x n linear assignment, integer costs 1-99; exact
  reference from ``scipy.optimize.linear_sum_assignment``.
- :func:`bin_packing`: PuLP's own generator (``pulp.tests.bin_packing_problem``,
  seed 99 as in PuLP's tests) translated by our PuLP adapter; the items of
  each bin are drawn to fill it exactly, so the optimum is the number of bins
  (sum of sizes / bin size is also a lower bound). The PuLP model is kept in
  ``meta`` so our solver can run through its host.
- :func:`generalized_assignment`: Martello-Toth type C (costs 10-49,
  weights 5-24, capacity 80 % of the average load).
- :func:`set_cover`: OR-Library scp-style (density, costs 1-100, every row
  in at least two columns).
- :func:`set_partitioning`: a planted partition plus random columns.
- :func:`multi_knapsack`: Chu-Beasley (weights 1-1000, capacity = tightness x
  row sum, correlated profits); maximised.
- :func:`quadratic_assignment`: flows x distances (Koopmans-Beckmann) with
  one-hot rows and columns; a quadratic, non-convex objective.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from bipnn_backends.core.expr import Poly
from bipnn_backends.core.problem import BinaryProblem

from .instances import Instance

BIN_PACKING_SEED = 99  # the seed of PuLP's own bin-packing tests


def _problem(name: str, n: int, prefix: str = "x") -> BinaryProblem:
    p = BinaryProblem(name=name)
    p.add_binaries([f"{prefix}{i}" for i in range(n)])
    return p


def _rows(p: BinaryProblem, rows: list[np.ndarray], coefs: list[np.ndarray] | None, sense: str,
          rhs: np.ndarray | float, prefix: str) -> None:
    rhs = np.broadcast_to(np.asarray(rhs, dtype=np.float64), (len(rows),))
    for r, idx in enumerate(rows):
        a = np.ones(len(idx)) if coefs is None else coefs[r]
        p.add_constraint(Poly.linear(idx, a), sense, float(rhs[r]), name=f"{prefix}{r}")


def _assignment_rows(p: BinaryProblem, n: int) -> None:
    """One-hot rows and columns of an n x n assignment matrix x[i*n + j]."""
    grid = np.arange(n * n).reshape(n, n)
    _rows(p, list(grid), None, "==", 1.0, "row")
    _rows(p, list(grid.T), None, "==", 1.0, "col")


def assignment(n: int, seed: int = 0) -> Instance:
    """min sum c_ij x_ij with one-hot rows and columns; c_ij uniform in 1..99."""
    costs = np.random.default_rng(seed).integers(1, 100, (n, n)).astype(np.float64)
    p = _problem(f"assign-{n}-s{seed}", n * n)
    p.set_objective(Poly.linear(np.arange(n * n), costs.reshape(-1)), "min")
    _assignment_rows(p, n)
    meta = {"kind": "assignment", "n": n, "binaries": n * n, "rows": 2 * n, "seed": seed,
            "reference_kind": "exact (scipy linear_sum_assignment)"}
    return Instance(p.name, p, meta, extra={"costs": costs})


def bin_packing_lp(bins: int, seed: int = BIN_PACKING_SEED) -> Any:
    """PuLP's own bin-packing model (``pulp.tests.bin_packing_problem``)."""
    from pulp.tests.bin_packing_problem import create_bin_packing_problem
    return create_bin_packing_problem(bins=bins, seed=seed)


def bin_packing(bins: int, seed: int = BIN_PACKING_SEED) -> Instance:
    """PuLP's generator translated by our PuLP adapter; optimum = ``bins`` by construction."""
    from pulp.tests.bin_packing_problem import _bin_packing_instance

    from bipnn_backends.adapters.pulp.translate import translate
    items, _, size = _bin_packing_instance(bins=bins, seed=seed)
    lp = bin_packing_lp(bins, seed)
    p = translate(lp).problem
    p.name = f"binpack-{bins}-s{seed}"
    assert sum(items) == bins * size  # the construction that makes ``bins`` optimal
    meta = {"kind": "bin_packing", "bins": bins, "items": len(items), "binaries": p.n_binaries,
            "rows": len(p.constraints), "seed": seed, "bin_size": size, "optimum": bins,
            "reference_kind": "construction (items fill the bins exactly)"}
    return Instance(p.name, p, meta, extra={"pulp_model": lp})


def generalized_assignment(agents: int, jobs: int, seed: int = 0) -> Instance:
    """Type C GAP: min sum c_ij x_ij, every job to one agent, sum_j w_ij x_ij <= b_i."""
    rng = np.random.default_rng(seed)
    c = rng.integers(10, 50, (agents, jobs)).astype(np.float64)
    w = rng.integers(5, 25, (agents, jobs)).astype(np.float64)
    b = np.floor(0.8 * w.sum(axis=1) / agents)
    p = _problem(f"gap-{agents}x{jobs}-s{seed}", agents * jobs)
    grid = np.arange(agents * jobs).reshape(agents, jobs)
    p.set_objective(Poly.linear(grid.reshape(-1), c.reshape(-1)), "min")
    _rows(p, list(grid.T), None, "==", 1.0, "job")
    _rows(p, list(grid), list(w), "<=", b, "cap")
    meta = {"kind": "generalized_assignment", "agents": agents, "jobs": jobs, "binaries": agents * jobs,
            "rows": agents + jobs, "seed": seed, "reference_kind": "SCIP"}
    return Instance(p.name, p, meta)


def _column_rows(rng: np.random.Generator, m: int, n: int, density: float) -> list[np.ndarray]:
    """Rows of a random 0/1 matrix (each column at least one row, each row at least two columns)."""
    A = rng.random((m, n)) < density
    A[rng.integers(0, m, n), np.arange(n)] = True
    for r in np.nonzero(A.sum(axis=1) < 2)[0]:
        A[r, rng.choice(n, 2, replace=False)] = True
    return [np.nonzero(A[r])[0] for r in range(m)]


def set_cover(m: int, n: int, density: float = 0.02, seed: int = 0) -> Instance:
    """min sum c_j x_j s.t. every row covered: sum_{j covers r} x_j >= 1; costs 1..100."""
    rng = np.random.default_rng(seed)
    rows = _column_rows(rng, m, n, density)
    c = rng.integers(1, 101, n).astype(np.float64)
    p = _problem(f"setcover-{m}x{n}-s{seed}", n)
    p.set_objective(Poly.linear(np.arange(n), c), "min")
    _rows(p, rows, None, ">=", 1.0, "cover")
    meta = {"kind": "set_cover", "rows": m, "columns": n, "density": density, "binaries": n, "seed": seed,
            "reference_kind": "SCIP"}
    return Instance(p.name, p, meta)


def set_partitioning(m: int, n: int, seed: int = 0, max_col: int = 6) -> Instance:
    """min sum c_j x_j s.t. every row covered exactly once; a planted partition keeps it feasible.

    Columns cover 1..``max_col`` rows; cost = 10 per row covered + U{0..19}
    (so partitions into few large columns and many small ones compete).
    The planted partition's columns are ``feasible_point``.
    """
    rng = np.random.default_rng(seed)
    perm = rng.permutation(m)
    cuts = np.sort(rng.choice(np.arange(1, m), size=m // ((max_col + 1) // 2) - 1, replace=False))
    planted = [np.sort(g) for g in np.split(perm, cuts)]
    cols = list(planted)
    while len(cols) < n:
        k = int(rng.integers(1, max_col + 1))
        cols.append(np.sort(rng.choice(m, k, replace=False)))
    order = rng.permutation(n)
    cols = [cols[j] for j in order]
    c = np.array([10 * len(col) + rng.integers(0, 20) for col in cols], dtype=np.float64)
    members = [[] for _ in range(m)]
    for j, col in enumerate(cols):
        for r in col:
            members[r].append(j)
    p = _problem(f"setpart-{m}x{n}-s{seed}", n)
    p.set_objective(Poly.linear(np.arange(n), c), "min")
    _rows(p, [np.array(r, dtype=np.int64) for r in members], None, "==", 1.0, "part")
    x0 = np.zeros(n)
    x0[np.argsort(order)[: len(planted)]] = 1.0
    meta = {"kind": "set_partitioning", "rows": m, "columns": n, "binaries": n, "seed": seed,
            "reference_kind": "SCIP"}
    return Instance(p.name, p, meta, feasible_point=x0)


def multi_knapsack(n: int, m: int, tightness: float = 0.5, seed: int = 0) -> Instance:
    """Chu-Beasley MKP: max sum p_j x_j s.t. sum_j w_ij x_j <= tightness * sum_j w_ij, i = 1..m."""
    rng = np.random.default_rng(seed)
    w = rng.integers(1, 1001, (m, n)).astype(np.float64)
    cap = np.floor(tightness * w.sum(axis=1))
    profit = np.round(w.sum(axis=0) / m + 500 * rng.random(n))
    p = _problem(f"mkp-{n}x{m}-s{seed}", n)
    p.set_objective(Poly.linear(np.arange(n), profit), "max")
    _rows(p, [np.arange(n)] * m, list(w), "<=", cap, "knap")
    meta = {"kind": "multi_knapsack", "items": n, "rows": m, "tightness": tightness, "binaries": n, "seed": seed,
            "reference_kind": "SCIP"}
    return Instance(p.name, p, meta, feasible_point=np.zeros(n))


def qap_data(n: int, seed: int = 0, flow_density: float = 0.5) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric flows (0 with probability 1 - density, else 1..9) and Manhattan distances of points on a grid."""
    rng = np.random.default_rng(seed)
    F = np.triu(rng.integers(1, 10, (n, n)) * (rng.random((n, n)) < flow_density), 1)
    F = (F + F.T).astype(np.float64)
    side = int(np.ceil(np.sqrt(n))) + 1
    pts = np.array([divmod(int(k), side) for k in rng.choice(side * side, n, replace=False)])
    D = np.abs(pts[:, None, :] - pts[None, :, :]).sum(axis=2).astype(np.float64)
    return F, D


def qap_value(F: np.ndarray, D: np.ndarray, perm: np.ndarray) -> float:
    """sum_{i<j} F_ij D_{perm i, perm j} (each unordered facility pair once)."""
    return float(np.triu(F * D[np.ix_(perm, perm)], 1).sum())


def quadratic_assignment(n: int, seed: int = 0, flow_density: float = 0.5) -> Instance:
    """min sum_{i<j} F_ij D_kl x_ik x_jl over permutation matrices x[i*n + k] (facility i at location k)."""
    F, D = qap_data(n, seed, flow_density)
    i, j = np.nonzero(np.triu(F, 1))
    k, l = np.nonzero(~np.eye(n, dtype=bool))
    a = (i[:, None] * n + k[None, :]).reshape(-1)
    b = (j[:, None] * n + l[None, :]).reshape(-1)
    coef = (F[i, j][:, None] * D[k, l][None, :]).reshape(-1)
    keep = coef != 0
    pairs = np.stack([a[keep], b[keep]], axis=1)
    obj = Poly(np.arange(0, 2 * len(pairs) + 1, 2), pairs.reshape(-1), coef[keep])
    p = _problem(f"qap-{n}-s{seed}", n * n)
    p.set_objective(obj, "min")
    _assignment_rows(p, n)
    meta = {"kind": "quadratic_assignment", "n": n, "binaries": n * n, "rows": 2 * n, "products": int(keep.sum()),
            "flow_density": flow_density, "seed": seed, "reference_kind": "SCIP"}
    return Instance(p.name, p, meta, feasible_point=np.eye(n).reshape(-1), extra={"flows": F, "distances": D})
