"""Seeded instance generators producing :class:`BinaryProblem` objects with vectorised Poly leaves.

- :func:`maxcut_problem`: weighted hypergraph max-cut as a PUBO,
  cut(e) = 1 - prod_{i in e} x_i - prod_{i in e} (1 - x_i), with the second
  product expanded by inclusion-exclusion (built per hyperedge size, one
  array operation per subset mask, never one Python object per term).
- :func:`random_pubo`: the paper's §6 random PUBO: |E| = ratio * n monomials
  of a fixed degree over distinct variables, coefficients U(-1, 1), plus one
  linear term per variable, U(-1, 1); minimised.
- :func:`constrained_pubo`: the same plus random sparse linear and
  polynomial constraints that a hidden random point satisfies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bipnn_backends.core.expr import Poly
from bipnn_backends.core.problem import BinaryProblem

from .data import Hypergraph


@dataclass
class Instance:
    """A benchmark instance: the problem plus what the report needs to know about it."""

    name: str
    problem: BinaryProblem
    meta: dict[str, Any] = field(default_factory=dict)
    hypergraph: Hypergraph | None = None
    feasible_point: np.ndarray | None = None
    extra: dict[str, Any] = field(default_factory=dict)  # unreported data: host model, MIP form, raw costs


def _new_problem(name: str, n: int) -> BinaryProblem:
    p = BinaryProblem(name=name)
    p.add_binaries([f"x{i}" for i in range(n)])
    return p


def maxcut_poly(h: Hypergraph) -> Poly:
    """The weighted cut count of ``h`` as a (non-canonical) multilinear Poly.

    For |e| = k: cut(e) = sum over nonempty proper subsets S of e of
    (-1)^{|S|+1} x_S  -  (1 + (-1)^k) x_e.
    """
    sizes = h.sizes()
    offs, idxs, coefs = [np.zeros(1, np.int64)], [], []
    total = 0
    for k in np.unique(sizes):
        rows = np.nonzero(sizes == k)[0]
        members = h.indices[h.offsets[rows][:, None] + np.arange(k)]
        w = h.weights[rows]
        for mask in range(1, 1 << k):
            bits = [b for b in range(k) if mask >> b & 1]
            s = len(bits)
            c = -(1.0 + (-1.0) ** k) if s == k else (-1.0) ** (s + 1)
            if c == 0.0:
                continue
            idxs.append(members[:, bits].reshape(-1))
            coefs.append(c * w)
            offs.append(total + s * np.arange(1, len(rows) + 1))
            total += s * len(rows)
    return Poly(np.concatenate(offs), np.concatenate(idxs) if idxs else np.zeros(0, np.int64),
                np.concatenate(coefs) if coefs else np.zeros(0))


def cut_value(h: Hypergraph, X: np.ndarray) -> np.ndarray:
    """Direct weighted cut count of every 0/1 row of X (a hyperedge is cut unless all its vertices agree)."""
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    ones = np.add.reduceat(X[:, h.indices], h.offsets[:-1], axis=1)
    cut = (ones > 0) & (ones < h.sizes())
    return cut.astype(np.float64) @ h.weights


def maxcut_problem(h: Hypergraph) -> Instance:
    """Maximise the weighted number of cut hyperedges of ``h``."""
    p = _new_problem(f"maxcut-{h.name}", h.n)
    p.set_objective(maxcut_poly(h), "max")
    meta = {"kind": "maxcut", "vertices": h.n, "hyperedges": h.m, "max_edge_size": int(h.sizes().max()),
            "weighted": bool(np.any(h.weights != 1.0)), "notes": h.notes}
    return Instance(h.name, p, meta, hypergraph=h)


def random_monomials(rng: np.random.Generator, n: int, m: int, degree: int) -> np.ndarray:
    """(m, degree) array: each row ``degree`` distinct variables out of n, sorted (vectorised rejection)."""
    out = np.empty((m, degree), dtype=np.int64)
    todo = np.arange(m)
    while len(todo):
        rows = np.sort(rng.integers(0, n, size=(len(todo), degree)), axis=1)
        ok = np.all(rows[:, 1:] != rows[:, :-1], axis=1) if degree > 1 else np.ones(len(todo), bool)
        out[todo[ok]] = rows[ok]
        todo = todo[~ok]
    return out


def random_pubo_poly(n: int, degree: int, ratio: float = 2.0, seed: int = 0) -> Poly:
    """ratio*n degree-``degree`` monomials U(-1,1) plus one linear term U(-1,1) per variable."""
    rng = np.random.default_rng(seed)
    m = int(round(ratio * n))
    mono = random_monomials(rng, n, m, degree)
    c_high = rng.uniform(-1.0, 1.0, m)
    c_lin = rng.uniform(-1.0, 1.0, n)
    offsets = np.concatenate((np.arange(0, m * degree + 1, degree), m * degree + np.arange(1, n + 1)))
    return Poly(offsets, np.concatenate((mono.reshape(-1), np.arange(n))), np.concatenate((c_high, c_lin)))


def random_pubo(n: int, degree: int, ratio: float = 2.0, seed: int = 0) -> Instance:
    """The paper's random PUBO (minimise)."""
    p = _new_problem(f"pubo-n{n}-d{degree}-s{seed}", n)
    p.set_objective(random_pubo_poly(n, degree, ratio, seed), "min")
    meta = {"kind": "pubo", "n": n, "degree": degree, "monomials": int(round(ratio * n)) + n, "seed": seed}
    return Instance(p.name, p, meta)


def constrained_pubo(n: int, degree: int, ratio: float = 2.0, seed: int = 0, n_linear: int | None = None,
                     n_nonlinear: int | None = None, width: int = 6) -> Instance:
    """:func:`random_pubo` plus constraints a hidden random point x0 satisfies.

    Linear rows: ``width`` variables, integer coefficients in [-3, 3] \\ {0},
    ``<=`` with rhs = a.x0 + U{0,1}, or ``==`` with rhs = a.x0 (every 4th row).
    Polynomial rows: three degree-2 products over ``width`` variables with
    integer coefficients, ``<=`` with rhs = g(x0). Defaults: n/20 linear and
    n/50 polynomial rows.
    """
    inst = random_pubo(n, degree, ratio, seed)
    p = inst.problem
    p.name = f"constrained-n{n}-d{degree}-s{seed}"
    rng = np.random.default_rng(seed + 7919)
    x0 = rng.integers(0, 2, n).astype(np.float64)
    n_linear = max(1, n // 20) if n_linear is None else n_linear
    n_nonlinear = max(1, n // 50) if n_nonlinear is None else n_nonlinear
    for r in range(n_linear):
        idx = np.sort(rng.choice(n, size=width, replace=False))
        a = rng.integers(1, 4, width) * rng.choice([-1, 1], width)
        lhs = float(a @ x0[idx])
        body = Poly.linear(idx, a.astype(np.float64))
        if r % 4 == 3:
            p.add_constraint(body, "==", lhs, name=f"lin{r}")
        else:
            p.add_constraint(body, "<=", lhs + float(rng.integers(0, 2)), name=f"lin{r}")
    for r in range(n_nonlinear):
        idx = rng.choice(n, size=width, replace=False)
        pairs = idx[: 6].reshape(3, 2) if width >= 6 else np.stack([idx[:2]] * 3)
        c = (rng.integers(1, 4, 3) * rng.choice([-1, 1], 3)).astype(np.float64)
        body = Poly(np.arange(0, 7, 2), np.sort(pairs, axis=1).reshape(-1), c)
        g0 = float(sum(c[k] * x0[pairs[k, 0]] * x0[pairs[k, 1]] for k in range(3)))
        p.add_constraint(body, "<=", g0, name=f"poly{r}")
    inst.name = p.name
    inst.meta.update(kind="constrained", linear_rows=n_linear, polynomial_rows=n_nonlinear, width=width)
    inst.feasible_point = x0
    return inst
