"""The linear constraints of a problem as one sparse matrix, built once and cached.

Verification scores a batch of candidates on every constraint. Done one
constraint at a time it re-reads the whole batch per constraint (O(rows x
batch x n)); here every constraint whose body is linear (a linear
:class:`Poly`, a variable, a constant, sums and constant multiples of them) is
a row of one CSR matrix, so all of them are evaluated with one sparse product
in O(nonzeros x batch); a linear objective is one dense vector. Both are
cached per problem and rebuilt when its objective, constraints or variables
change.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from .expr import Const, Expr, Poly, Product, Sum, Var
from .problem import BinaryProblem

SPARSE_BATCH = 0.02  # share of ones below which a batch of candidates is multiplied as a sparse matrix


class Linear(NamedTuple):
    """A linear body ``sum(coefs[k] . x[indices[k]]) + constant`` as pieces (one per term of the
    expression; indices may repeat across pieces)."""

    indices: list[np.ndarray]
    coefs: list[np.ndarray]
    constant: float


def linear_parts(e: Expr) -> Linear | None:
    """The :class:`Linear` pieces of ``e`` when it is linear, else None."""
    if isinstance(e, Const):
        return Linear([], [], e.value)
    if isinstance(e, Var):
        return Linear([np.array([e.index], dtype=np.int64)], [np.ones(1)], 0.0)
    if isinstance(e, Poly):
        if e.n_terms and len(e.indices) != e.n_terms:  # some monomial has degree > 1
            return None
        return Linear([e.indices], [e.coefs], e.constant)
    if isinstance(e, Sum):
        idx, coefs, const = [], [], 0.0
        for t in e.terms:
            part = linear_parts(t)
            if part is None:
                return None
            idx += part.indices
            coefs += part.coefs
            const += part.constant
        return Linear(idx, coefs, const)
    if isinstance(e, Product):
        factor, rest = 1.0, None
        for f in e.factors:
            if isinstance(f, Const):
                factor *= f.value
            elif rest is None:
                rest = f
            else:
                return None
        part = linear_parts(rest) if rest is not None else Linear([], [], 1.0)
        if part is None:
            return None
        return Linear(part.indices, [c * factor for c in part.coefs], part.constant * factor)
    return None


def linear_vector(e: Expr, n: int) -> tuple[np.ndarray, float] | None:
    """(dense coefficient vector of length n, constant) when ``e`` is linear, else None."""
    part = linear_parts(e)
    if part is None:
        return None
    idx, coefs, const = part
    vec = np.zeros(n)
    if idx:
        np.add.at(vec, np.concatenate(idx), np.concatenate(coefs))
    return vec, const


@dataclass
class LinearSystem:
    """Rows ``A x + const  sense  rhs`` for the linear constraints (by position in the problem);
    ``others`` holds the positions of the remaining (nonlinear) constraints."""

    rows: np.ndarray        # positions of the linear constraints in problem.constraints
    A: sp.csr_matrix        # (len(rows), n)
    const: np.ndarray
    rhs: np.ndarray
    sense: np.ndarray       # 0 "<=", 1 ">=", 2 "=="
    others: np.ndarray
    objective: tuple[np.ndarray, float] | None  # (dense coefficients, constant) when the objective is linear
    _AT: sp.csr_matrix | None = field(default=None, repr=False)

    def activities(self, X: np.ndarray) -> np.ndarray:
        """``A x`` for every row of X: shape (B, len(rows)). Mostly-zero batches (the usual
        candidates of sparse models) multiply as sparse matrices."""
        if np.count_nonzero(X) < SPARSE_BATCH * X.size:
            if self._AT is None:
                self._AT = self.A.T.tocsr()
            return (sp.csr_matrix(X) @ self._AT).toarray()
        return np.asarray(self.A @ np.ascontiguousarray(X.T)).T

    def violations(self, X: np.ndarray, shift: np.ndarray | None = None) -> np.ndarray:
        """Violation of every linear row at every row of X: shape (B, len(rows)); NaN becomes inf.
        ``shift`` (B, len(rows)) is added to the activities (the rows' continuous parts)."""
        g = self.activities(X)
        g += self.const - self.rhs
        if shift is not None:
            g += shift
        # <=: max(g, 0); >=: max(-g, 0); ==: max(g, -g)
        a = np.where(self.sense == 1, -1.0, 1.0)
        b = np.where(self.sense == 2, -1.0, 0.0)
        v = np.maximum(g * a, g * b, out=g)
        v[np.isnan(v)] = np.inf
        return v


_SENSE_CODE = {"<=": 0, ">=": 1, "==": 2}
_cache: dict[int, tuple[int, tuple, LinearSystem]] = {}  # id(problem) -> (n, parts, system)


def linear_system(problem: BinaryProblem) -> LinearSystem:
    """The problem's :class:`LinearSystem`, from the cache while its variables, objective and
    constraints are the same objects (expressions are immutable)."""
    key, parts = id(problem), (problem.objective, *problem.constraints)
    hit = _cache.get(key)
    if hit is not None and hit[0] == problem.n_binaries and len(hit[1]) == len(parts) and \
            all(a is b for a, b in zip(hit[1], parts)):
        return hit[2]
    system = _build(problem)
    if hit is None:
        weakref.finalize(problem, _cache.pop, key, None)
    _cache[key] = (problem.n_binaries, parts, system)
    return system


def _build(problem: BinaryProblem) -> LinearSystem:
    n = problem.n_binaries
    rows, others, idx, coefs, consts, lengths = [], [], [], [], [], []
    for k, con in enumerate(problem.constraints):
        part = linear_parts(con.body)
        if part is None:
            others.append(k)
            continue
        rows.append(k)
        idx += part.indices
        coefs += part.coefs
        consts.append(part.constant)
        lengths.append(sum(len(i) for i in part.indices))
    flat = np.concatenate(idx).astype(np.int64) if idx else np.zeros(0, np.int64)
    vals = np.concatenate(coefs).astype(np.float64) if coefs else np.zeros(0)
    lengths = np.array(lengths, dtype=np.int64)
    entry_row = np.repeat(np.arange(len(rows)), lengths)
    outside = (flat < 0) | (flat >= n)
    if outside.any():  # the generic evaluator reports the bad index: treat those rows as nonlinear
        bad = np.zeros(len(rows), dtype=bool)
        bad[entry_row[outside]] = True
        keep = ~bad[entry_row]
        others = sorted(others + [rows[k] for k in np.nonzero(bad)[0]])
        rows = [r for k, r in enumerate(rows) if not bad[k]]
        consts = [c for k, c in enumerate(consts) if not bad[k]]
        flat, vals, lengths = flat[keep], vals[keep], lengths[~bad]
    indptr = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))
    A = sp.csr_matrix((vals, flat, indptr), shape=(len(rows), n))
    cons = [problem.constraints[k] for k in rows]
    return LinearSystem(np.array(rows, dtype=np.int64), A, np.array(consts, dtype=np.float64),
                        np.array([c.rhs for c in cons], dtype=np.float64),
                        np.array([_SENSE_CODE[c.sense] for c in cons], dtype=np.int8),
                        np.array(others, dtype=np.int64), linear_vector(problem.objective, n))
