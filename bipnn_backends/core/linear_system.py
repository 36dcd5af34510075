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

import numpy as np
import scipy.sparse as sp

from .expr import Const, Expr, Poly, Product, Sum, Var
from .problem import BinaryProblem

Linear = tuple[list[np.ndarray], list[np.ndarray], float]
SPARSE_BATCH = 0.02  # share of ones below which a batch of candidates is multiplied as a sparse matrix


def linear_parts(e: Expr) -> Linear | None:
    """(index arrays, coefficient arrays, constant) when ``e`` is linear, else None."""
    if isinstance(e, Const):
        return [], [], e.value
    if isinstance(e, Var):
        return [np.array([e.index], dtype=np.int64)], [np.ones(1)], 0.0
    if isinstance(e, Poly):
        if e.n_terms and len(e.indices) != e.n_terms:  # some monomial has degree > 1
            return None
        return [e.indices], [e.coefs], e.constant
    if isinstance(e, Sum):
        idx, coefs, const = [], [], 0.0
        for t in e.terms:
            part = linear_parts(t)
            if part is None:
                return None
            idx += part[0]
            coefs += part[1]
            const += part[2]
        return idx, coefs, const
    if isinstance(e, Product):
        factor, rest = 1.0, None
        for f in e.factors:
            if isinstance(f, Const):
                factor *= f.value
            elif rest is None:
                rest = f
            else:
                return None
        part = linear_parts(rest) if rest is not None else ([], [], 1.0)
        if part is None:
            return None
        return part[0], [c * factor for c in part[1]], part[2] * factor
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

    def violations(self, X: np.ndarray) -> np.ndarray:
        """Violation of every linear row at every row of X: shape (B, len(rows))."""
        g = self.activities(X) + (self.const - self.rhs)
        v = np.where(self.sense == 0, np.maximum(g, 0.0), np.where(self.sense == 1, np.maximum(-g, 0.0), np.abs(g)))
        return np.where(np.isfinite(v), v, np.inf)


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
    rows, others, idx, coefs, lengths, consts = [], [], [], [], [], []
    for k, con in enumerate(problem.constraints):
        part = linear_parts(con.body)
        if part is None:
            others.append(k)
            continue
        i = np.concatenate(part[0]) if part[0] else np.zeros(0, np.int64)
        if len(i) and (i.min() < 0 or i.max() >= problem.n_binaries):
            others.append(k)  # the generic evaluator reports the bad index
            continue
        rows.append(k)
        c = np.concatenate(part[1]) if part[1] else np.zeros(0)
        idx.append(i)
        coefs.append(c)
        lengths.append(len(i))
        consts.append(part[2])
    indptr = np.concatenate(([0], np.cumsum(lengths, dtype=np.int64)))
    A = sp.csr_matrix((np.concatenate(coefs) if coefs else np.zeros(0),
                       np.concatenate(idx) if idx else np.zeros(0, np.int64), indptr),
                      shape=(len(rows), problem.n_binaries))
    cons = [problem.constraints[k] for k in rows]
    return LinearSystem(np.array(rows, dtype=np.int64), A, np.array(consts, dtype=np.float64),
                        np.array([c.rhs for c in cons], dtype=np.float64),
                        np.array([_SENSE_CODE[c.sense] for c in cons], dtype=np.int8),
                        np.array(others, dtype=np.int64), linear_vector(problem.objective, problem.n_binaries))
