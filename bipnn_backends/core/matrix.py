"""A problem given as matrices (an MPS file, CVXPY's canonical data) added to a
:class:`BinaryProblem` in bulk: variables by kind and bounds, linear rows from one sparse
matrix, in O(nonzeros) numpy work plus one small object per variable and per row.

Variable ``j`` of such a model has the value ``M[j] @ x + m[j] + C[j] @ y``: ``x`` the
problem's binaries (its encoding), ``y`` its columns (continuous variables, integers
without finite bounds). A row ``a @ v`` over the model's variables is therefore
``(a @ M) @ x + a @ m + (a @ C) @ y``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Sequence

import numpy as np
import scipy.sparse as sp

from .continuous import Columns
from .expr import Expr, Poly
from .problem import BinaryProblem

KINDS = ("b", "i", "c", "f")  # binary, integer (bounded: encoded; else a column), continuous, fixed at lb


@dataclass
class MatrixVariables:
    """The affine map from a matrix model's variables to the problem (see the module docstring)."""

    M: sp.csr_array
    m: np.ndarray
    C: sp.csr_array

    def linear(self, a: sp.sparray | np.ndarray) -> tuple[sp.csr_array, np.ndarray, sp.csr_array]:
        """``(a @ M, a @ m, a @ C)`` for rows ``a`` over the model's variables."""
        a = sp.csr_array(a)
        return sp.csr_array(a @ self.M), np.asarray(a @ self.m, dtype=np.float64), sp.csr_array(a @ self.C)


def add_variables(problem: BinaryProblem, names: Sequence[str], kinds: np.ndarray, lb: np.ndarray,
                  ub: np.ndarray, keys: Sequence[Hashable] | None = None) -> MatrixVariables:
    """Add one user-level variable per entry (kinds from :data:`KINDS`; bounds may be infinite,
    ``keys`` default to the names) and return their :class:`MatrixVariables`. Runs of binaries
    are added in one call each, so variable order is kept."""
    n = len(names)
    kinds = np.asarray(kinds)
    keys = list(names) if keys is None else list(keys)
    binary = kinds == "b"
    starts = np.flatnonzero(binary & ~np.concatenate([[False], binary[:-1]]))
    ends = np.flatnonzero(binary & ~np.concatenate([binary[1:], [False]])) + 1
    run_end = dict(zip(starts.tolist(), ends.tolist()))
    j = 0
    while j < n:
        if j in run_end:
            e = run_end[j]
            problem.add_binaries(list(names[j:e]), keys[j:e])
            j = e
            continue
        name, key, kind = names[j], keys[j], kinds[j]
        if kind == "f":
            problem.add_fixed(name, float(lb[j]), key)
        elif kind == "c":
            problem.add_continuous(name, float(lb[j]), float(ub[j]), key)
        elif kind == "i":
            problem.add_integer(name, float(lb[j]), float(ub[j]), key)
        else:
            raise ValueError(f"variable kind must be one of {KINDS}, got {kind!r}")
        j += 1
    return variable_map(problem, keys)


def variable_map(problem: BinaryProblem, keys: Sequence[Hashable]) -> MatrixVariables:
    """The :class:`MatrixVariables` of the problem's variables with these keys, in this order."""
    n = len(keys)
    position = {k: j for j, k in enumerate(keys)}
    enc = problem.encoding()
    rows = np.fromiter((position[k] for k in enc.keys), np.int64, len(enc.keys))
    M = sp.csr_array((enc.weights, (np.repeat(rows, np.diff(enc.ptr)), enc.indices)), shape=(n, problem.n_binaries))
    m = np.zeros(n)
    m[rows] = enc.offsets
    own = np.fromiter((position[c.key] for c in problem.columns), np.int64, len(problem.columns))
    C = sp.csr_array((np.ones(len(own)), (own, np.arange(len(own)))), shape=(n, len(own)))
    return MatrixVariables(M, m, C)


def row_expr(A: sp.csr_array, r: int, constant: float = 0.0, Ac: sp.csr_array | None = None) -> Expr:
    """Row ``r`` of ``A`` (over binaries) as one vectorised Poly, plus a Columns leaf for row ``r``
    of ``Ac`` (over the problem's columns) when it has entries."""
    lo, hi = A.indptr[r], A.indptr[r + 1]
    body: Expr = Poly.linear(A.indices[lo:hi], A.data[lo:hi], constant)
    if Ac is not None and Ac.indptr[r + 1] > Ac.indptr[r]:
        a, b = Ac.indptr[r], Ac.indptr[r + 1]
        body = body + Columns(Ac.indices[a:b], Ac.data[a:b])
    return body


def add_linear_rows(problem: BinaryProblem, A: sp.sparray, const: np.ndarray, sense: str | Sequence[str],
                    rhs: np.ndarray | float, names: Sequence[str], Ac: sp.sparray | None = None) -> None:
    """One constraint ``A[r] @ binaries + Ac[r] @ y + const[r] (sense[r]) rhs[r]`` per row, in row
    order; ``sense`` is one of "<=", ">=", "==" for every row, or one per row."""
    A = sp.csr_array(A)
    Ac = None if Ac is None else sp.csr_array(Ac)
    n_rows = A.shape[0]
    senses = [sense] * n_rows if isinstance(sense, str) else list(sense)
    rhs = np.broadcast_to(np.asarray(rhs, dtype=np.float64), (n_rows,))
    const = np.broadcast_to(np.asarray(const, dtype=np.float64), (n_rows,))
    for r in range(n_rows):
        problem.add_constraint(row_expr(A, r, 0.0, Ac), senses[r], float(rhs[r] - const[r]), names[r])
