"""Exact numpy evaluation of expressions and of the ORIGINAL problem at 0/1 points.

This is the verifier: every candidate the engine returns is scored here,
on the user's objective and constraints, never on the penalised PUBO.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ..errors import UndefinedFunctionError, UnsupportedExpressionError
from .expr import Callable, Expr, Poly, describe
from .expr_walk import walk
from .functions import REGISTRY
from .linear_system import linear_system
from .names import current as current_names
from .problem import BinaryProblem, Constraint, integer_range

NUMPY_FUNCTIONS = {name: f.numpy for name, f in REGISTRY.items()}

_CHUNK = 20_000_000  # gathered matrix entries per chunk


def polynomial_values(offsets: np.ndarray, indices: np.ndarray, coefs: np.ndarray, X: np.ndarray) -> np.ndarray:
    """sum_k coefs[k] * prod_{i in monomial k} X[:, i] for every row of X: shape (B,).

    Every monomial has at least one variable. Rows of 0/1 values take a
    bit-packed path (a monomial is the AND of its variables' bit columns),
    about 30 times faster than gathering floats; other values gather floats.
    Both work through the monomials in chunks to bound memory.
    """
    B, m = X.shape[0], len(coefs)
    out = np.zeros(B)
    if m == 0 or B == 0:
        return out
    binary = bool(((X == 0) | (X == 1)).all())
    if binary:
        packed = np.ascontiguousarray(np.packbits(X.astype(bool), axis=0).T)  # (n, ceil(B/8))
    step = max(1, _CHUNK // max(B, 1) // 4)
    for s in range(0, m, step):
        e = min(m, s + step)
        lo, hi = offsets[s], offsets[e]
        starts = offsets[s:e] - lo
        idx = indices[lo:hi]
        if binary:
            bits = np.bitwise_and.reduceat(packed[idx], starts, axis=0)
            out += coefs[s:e] @ np.unpackbits(bits, axis=1, count=B)
        else:
            out += np.multiply.reduceat(X[:, idx], starts, axis=1) @ coefs[s:e]
    return out


def poly_values(p: Poly, X: np.ndarray, support: np.ndarray | None = None) -> np.ndarray:
    """Value of a :class:`Poly` at every row of X (B,)."""
    idx = p.indices if support is None else np.searchsorted(support, p.indices)
    return polynomial_values(p.offsets, idx, p.coefs, X) + p.constant


def evaluate(expr: Expr, X: np.ndarray, support: np.ndarray | None = None) -> np.ndarray:
    """Value of ``expr`` at every row of X (shape (B,)).

    X holds one column per binary variable, or, when ``support`` (sorted
    global indices) is given, one column per entry of ``support``.
    Non-finite results are returned as they are; callers decide.
    """
    X = np.asarray(X, dtype=np.float64)
    with np.errstate(all="ignore"):
        return walk(expr, NumpyPoints(X, support))


class NumpyPoints:
    """The numpy :class:`~.expr_walk.ArrayNamespace` over the rows of X (columns per ``support``)."""

    def __init__(self, X: np.ndarray, support: np.ndarray | None = None) -> None:
        self.X = X
        self.support = support

    def _col(self, index: np.ndarray | int) -> np.ndarray | int:
        return index if self.support is None else np.searchsorted(self.support, index)

    def constant(self, value: float) -> np.ndarray:
        return np.full(self.X.shape[0], value)

    def column(self, index: int) -> np.ndarray:
        return self.X[:, self._col(index)].copy()

    def poly(self, p: Poly) -> np.ndarray:
        return poly_values(p, self.X, self.support)

    def power(self, a: np.ndarray, exponent: float) -> np.ndarray:
        return np.power(a, exponent)

    def function(self, name: str, a: np.ndarray) -> np.ndarray:
        return NUMPY_FUNCTIONS[name](a)

    def callable(self, e: Callable) -> np.ndarray:
        cols = self.X[:, self._col(np.array(e.variables, dtype=np.int64))]
        out = np.asarray(e.fn(cols), dtype=np.float64).reshape(-1)
        if out.shape[0] != self.X.shape[0]:
            raise UnsupportedExpressionError(
                f"callable {e.name!r} returned {out.shape[0]} values for {self.X.shape[0]} points")
        return out


def enumerate_points(s: int) -> np.ndarray:
    """All 2^s points of {0,1}^s; row r has bit b of r in column b."""
    r = np.arange(1 << s, dtype=np.int64)
    return ((r[:, None] >> np.arange(s)) & 1).astype(np.float64)


def values_on_support(expr: Expr, what: str) -> tuple[np.ndarray, np.ndarray]:
    """(support, values at all 2^|support| points), raising if any value is non-finite."""
    support = expr.support()
    values = evaluate(expr, enumerate_points(len(support)), support)
    bad = ~np.isfinite(values)
    if bad.any():
        point = enumerate_points(len(support))[np.argmax(bad)]
        names = current_names()
        at = names.point(support, point) if names is not None else \
            ", ".join(f"x{i}={int(v)}" for i, v in zip(support, point))
        raise UndefinedFunctionError(
            f"{what}: {describe(expr)} is undefined at the 0/1 point ({at or 'no variables'})")
    return support, values


@dataclass
class ProblemValues:
    """Exact values of the original problem at a batch of 0/1 points."""

    objective: np.ndarray       # (B,), in the user's sense
    max_violation: np.ndarray   # (B,), absolute, over all constraints
    feasible: np.ndarray        # (B,) bool, within the tolerance


def constraint_violation(con: Constraint, X: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
    """How far each row of X is from satisfying ``con`` (0 when satisfied); reads only the
    columns of the constraint's support. ``shift`` (B,) is the value of its column part."""
    support = con.body.support()
    g = evaluate(con.body, X[:, support], support) - con.rhs
    if shift is not None:
        g = g + shift
    if con.sense == "<=":
        v = np.maximum(g, 0.0)
    elif con.sense == ">=":
        v = np.maximum(-g, 0.0)
    else:
        v = np.abs(g)
    return np.where(np.isfinite(v), v, np.inf)


_ROUNDING = 16 * float(np.finfo(np.float64).eps)


def feasibility_tolerance(con: Constraint, tol: float) -> float:
    """The verifier's threshold for ``con``: violations up to ``tol`` relative to max(1, |rhs|),
    plus a few ulps so that a residual that is exactly ``tol`` in decimal arithmetic (0.333333*3
    against 1 with tol 1e-6) is not rejected for the rounding of its binary representation."""
    return float(feasibility_tolerances(np.array([con.rhs]), tol)[0])


def feasibility_tolerances(rhs: np.ndarray, tol: float) -> np.ndarray:
    """:func:`feasibility_tolerance` of many constraints, from their right-hand sides."""
    return (tol + _ROUNDING) * np.maximum(1.0, np.abs(rhs))


def evaluate_problem(problem: BinaryProblem, X: np.ndarray, tol: float = 1e-6,
                     Y: np.ndarray | None = None) -> ProblemValues:
    """Objective (user sense) and feasibility of every row of X on the ORIGINAL problem.

    Linear constraints are scored together with one sparse product (see
    :mod:`.linear_system`), the others each on its own support only, so the cost is
    O(nonzeros x batch), not O(constraints x batch x variables). A problem with columns
    (continuous variables) needs their values ``Y`` (one row per row of X); their bounds
    (and integrality) are verified too.
    """
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    shift, column_worst = _column_parts(problem, X.shape[0], Y, tol)
    system = linear_system(problem)
    linear_obj = system.objective
    if linear_obj is not None:
        with np.errstate(all="ignore"):
            obj = X @ linear_obj[0] + linear_obj[1]
    else:
        obj = evaluate(problem.objective, X)
    if shift is not None:
        obj = obj + shift[:, -1]
    worst = np.zeros(X.shape[0]) if column_worst is None else column_worst
    feasible = np.isfinite(obj) if column_worst is None else np.isfinite(obj) & (column_worst == 0)
    if len(system.rows):
        limits = feasibility_tolerances(system.rhs, tol)
        step = max(1, _CHUNK // 8 // len(system.rows))  # bound the (points x rows) temporaries
        for s in range(0, X.shape[0], step):
            with np.errstate(all="ignore"):
                v = system.violations(X[s:s + step], None if shift is None else shift[s:s + step, system.rows])
            worst[s:s + step] = np.maximum(worst[s:s + step], v.max(axis=1))
            feasible[s:s + step] &= (v <= limits).all(axis=1)
    for k in system.others:
        con = problem.constraints[k]
        v = constraint_violation(con, X, None if shift is None else shift[:, k])
        worst = np.maximum(worst, v)
        feasible &= v <= feasibility_tolerance(con, tol)
    for _, lb, ub in problem.empty_ranges:  # such a variable sits at ceil(lb) > ub
        worst = np.maximum(worst, integer_range(lb, ub)[0] - ub)
        feasible[:] = False
    return ProblemValues(obj, worst, feasible)


def _column_parts(problem: BinaryProblem, B: int, Y: np.ndarray | None,
                  tol: float) -> tuple[np.ndarray | None, np.ndarray | None]:
    """(column activities, shape (B, constraints + 1), the last column the objective's; bound and
    integrality violations of the columns, 0 where within ``tol``), or (None, None) without columns."""
    if not problem.columns:
        return None, None
    if Y is None:
        raise ValueError("the problem has continuous variables: pass their values Y to evaluate it")
    Y = np.atleast_2d(np.asarray(Y, dtype=np.float64))
    n = len(problem.columns)
    if Y.shape != (B, n):
        raise ValueError(f"Y must have shape ({B}, {n}), got {Y.shape}")
    parts = [con.columns for con in problem.constraints] + [problem.objective_columns]
    lengths = np.array([len(p[0]) for p in parts], dtype=np.int64)
    indptr = np.concatenate(([0], np.cumsum(lengths)))
    idx = np.concatenate([p[0] for p in parts]).astype(np.int64)
    vals = np.concatenate([p[1] for p in parts]).astype(np.float64)
    C = sp.csr_matrix((vals, idx, indptr), shape=(len(parts), n))
    with np.errstate(all="ignore"):
        shift = np.asarray(C @ Y.T).T
    lb = np.array([c.lb for c in problem.columns])
    ub = np.array([c.ub for c in problem.columns])
    integer = np.array([c.kind == "integer" for c in problem.columns])
    with np.errstate(all="ignore"):
        over = np.maximum(np.maximum(lb - Y, Y - ub), 0.0)
        over = np.where(integer, np.maximum(over, np.abs(Y - np.round(Y))), over)
        limit = (tol + _ROUNDING) * np.maximum(1.0, np.where(Y < lb, np.abs(lb), np.where(Y > ub, np.abs(ub), 1.0)))
    over = np.where(np.isfinite(Y), over, np.inf)
    over[over <= limit] = 0.0
    return shift, over.max(axis=1)
