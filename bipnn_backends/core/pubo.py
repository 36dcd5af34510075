"""The reformulation's output: canonical PUBO arrays plus penalty blocks.

The PUBO's monomials are the hypergraph the engine trains on (one hyperedge
per monomial). Constraints that are not folded into the PUBO as exact
polynomial penalties travel as blocks: linear rows evaluated as sparse
``A x - b`` (squared for equalities, ReLU-squared for inequalities) and
wide nonlinear constraints (the same on the relaxed body). Objective parts
too wide to fit exactly travel as opaque terms. All are minimised.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import scipy.sparse as sp

from .evaluate import evaluate, polynomial_values
from .expr import Expr
from .problem import BinaryProblem


@dataclass
class Pubo:
    """sum_k coefs[k] * prod_{i in monomial k} x_i + constant, canonical.

    Canonical: each monomial's indices sorted and distinct, monomials
    distinct (ordered by degree, then lexicographically), no zero
    coefficient, no empty monomial (the constant is separate).
    """

    n: int
    offsets: np.ndarray
    indices: np.ndarray
    coefs: np.ndarray
    constant: float = 0.0

    @property
    def n_terms(self) -> int:
        return len(self.coefs)

    def degrees(self) -> np.ndarray:
        return np.diff(self.offsets)

    def evaluate(self, X: np.ndarray) -> np.ndarray:
        """Value at every row of X (B, n)."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        return polynomial_values(self.offsets, self.indices, self.coefs, X) + self.constant


@dataclass
class LinearBlock:
    """Rows ``r(x) = A x - rhs`` in CSR form (every row non-empty); penalty sum_r weights[r] * r(x)^2 ("eq")
    or weights[r] * max(r(x), 0)^2 ("le")."""

    kind: str
    offsets: np.ndarray
    indices: np.ndarray
    coefs: np.ndarray
    rhs: np.ndarray
    weights: np.ndarray
    names: list[str]
    _AT: sp.csr_matrix | None = field(default=None, repr=False, compare=False)  # A transposed, built once

    @property
    def n_rows(self) -> int:
        return len(self.rhs)

    def residuals(self, X: np.ndarray) -> np.ndarray:
        """A x - rhs for every row of X: shape (B, n_rows), by one sparse product
        (O(nonzeros x B) time, O(rows x B) memory)."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        if self.n_rows == 0:
            return np.zeros((X.shape[0], 0))
        if self._AT is None or self._AT.shape[0] != X.shape[1]:
            A = sp.csr_matrix((self.coefs, self.indices, self.offsets), shape=(self.n_rows, X.shape[1]))
            self._AT = A.T.tocsr()
        return np.asarray(X @ self._AT) - self.rhs

    def penalty(self, X: np.ndarray) -> np.ndarray:
        r = self.residuals(X)
        if self.kind == "le":
            r = np.maximum(r, 0.0)
        return (r * r) @ self.weights


@dataclass
class NonlinearBlock:
    """A wide nonlinear constraint ``g(x) = body - rhs``: weight * g^2 ("eq") or
    weight * max(g, 0)^2 ("le", the constraint normalised to g <= 0)."""

    kind: str
    body: Expr
    rhs: float
    weight: float
    name: str

    def penalty(self, X: np.ndarray) -> np.ndarray:
        g = evaluate(self.body, np.atleast_2d(X)) - self.rhs
        if self.kind == "le":
            g = np.maximum(g, 0.0)
        return self.weight * g * g


@dataclass
class OpaqueTerm:
    """coef * expr(x): an objective part over more variables than the fitting limit."""

    coef: float
    expr: Expr

    def value(self, X: np.ndarray) -> np.ndarray:
        return self.coef * evaluate(self.expr, np.atleast_2d(X))


@dataclass
class Reformulation:
    """Everything the engine minimises, and the way back to the user's problem.

    ``energy(x) = pubo(x) + blocks(x) + opaque(x)`` equals ``sign * objective(x)``
    at every feasible 0/1 point and exceeds the largest objective value at
    every infeasible one (for exact penalties with automatic weights).
    """

    problem: BinaryProblem
    sign: float
    pubo: Pubo
    linear_blocks: list[LinearBlock] = field(default_factory=list)
    nonlinear_blocks: list[NonlinearBlock] = field(default_factory=list)
    opaque_terms: list[OpaqueTerm] = field(default_factory=list)
    infeasible: list[str] = field(default_factory=list)
    penalty_scale: float = 1.0

    @property
    def n(self) -> int:
        return self.pubo.n

    @cached_property
    def structure(self):
        """The linear rows stacked and classified (one-hot, cardinality, knapsack, ...; core/structure.py).
        The rows stay in ``linear_blocks`` as penalties too, so energies are unchanged."""
        from .structure import analyse
        return analyse(self.linear_blocks)

    def energy(self, X: np.ndarray) -> np.ndarray:
        """Exact penalised energy (minimised) at every 0/1 row of X."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        total = self.pubo.evaluate(X)
        for block in self.linear_blocks:
            total = total + block.penalty(X)
        for block in self.nonlinear_blocks:
            total = total + block.penalty(X)
        for term in self.opaque_terms:
            total = total + term.value(X)
        return total

    def summary(self) -> dict:
        """Sizes for logs and result stats."""
        deg = self.pubo.degrees()
        by_degree = {int(d): int(c) for d, c in zip(*np.unique(deg, return_counts=True))}
        return {
            "binaries": self.n,
            "monomials": self.pubo.n_terms,
            "monomials_by_degree": by_degree,
            "linear_penalty_rows": sum(b.n_rows for b in self.linear_blocks),
            "nonlinear_penalty_blocks": len(self.nonlinear_blocks),
            "opaque_terms": len(self.opaque_terms),
        }
