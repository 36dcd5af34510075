"""Structure of the linear rows: which rows are one-hot, cardinality, knapsack, variable bounds.

Rows come from the reformulation's linear blocks, ``r(x) = A x - rhs`` with
kind ``"eq"`` (r = 0) or ``"le"`` (r <= 0). A row is classified by its
coefficients alone (all variables binary, distinct within a row):

- ``one_hot``: eq, every coefficient a > 0 and rhs = a (exactly one is 1);
- ``cardinality_eq``: eq, equal positive coefficients, rhs = k·a, 1 < k < len;
- ``at_most_one``: le, equal positive coefficients, a <= rhs < 2a;
- ``cardinality_le``: le, equal positive coefficients, rhs = k·a (2 <= k < len);
- ``vub``: le, two variables, ``a·x - a·y <= 0`` (x <= y);
- ``knapsack``: le, non-negative coefficients except at most one negative one
  (a capacity switched on by that variable, as in bin packing), rhs >= 0;
- ``other``: anything else.

The engine keeps every row as a (weighted) constraint and, on top of that,
keeps a disjoint set of one-hot rows satisfied at all times
(:func:`disjoint_groups`): a move inside such a group moves its single 1.
"""

from __future__ import annotations

from dataclasses import dataclass

from typing import Any, Sequence

import numpy as np

KINDS = ("one_hot", "cardinality_eq", "at_most_one", "cardinality_le", "vub", "knapsack", "other")
_REL = 1e-9


@dataclass
class Rows:
    """All linear rows of a reformulation in one CSR: ``A x - rhs``, ``eq[r]`` True for equalities."""

    offsets: np.ndarray
    indices: np.ndarray
    coefs: np.ndarray
    rhs: np.ndarray
    eq: np.ndarray
    names: list[str]

    @property
    def n_rows(self) -> int:
        return len(self.rhs)

    def row(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        s, e = self.offsets[r], self.offsets[r + 1]
        return self.indices[s:e], self.coefs[s:e]

    def activities(self, X: np.ndarray) -> np.ndarray:
        """A x for every row of X (B, n): shape (B, n_rows)."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        if self.n_rows == 0:
            return np.zeros((X.shape[0], 0))
        return np.add.reduceat(X[:, self.indices] * self.coefs, self.offsets[:-1], axis=1)

    def violations(self, X: np.ndarray) -> np.ndarray:
        """|A x - rhs| (eq) or max(A x - rhs, 0) (le) for every row of X: (B, n_rows)."""
        r = self.activities(X) - self.rhs
        return np.where(self.eq, np.abs(r), np.maximum(r, 0.0))


@dataclass
class Structure:
    """The rows and what each one is (``kind[r]`` indexes :data:`KINDS`)."""

    rows: Rows
    kind: np.ndarray

    def of_kind(self, name: str) -> np.ndarray:
        return np.flatnonzero(self.kind == KINDS.index(name))

    def counts(self) -> dict[str, int]:
        return {k: int((self.kind == i).sum()) for i, k in enumerate(KINDS) if (self.kind == i).any()}


def stack_rows(blocks: Sequence[Any]) -> Rows:
    """The rows of every block (``core.pubo.LinearBlock``; not imported: pubo imports this module)
    in one CSR (block order, row order kept)."""
    blocks = [b for b in blocks if b.n_rows > 0]
    if not blocks:
        z = np.zeros(0)
        return Rows(np.zeros(1, np.int64), z.astype(np.int64), z, z, z.astype(bool), [])
    lens = np.concatenate([np.diff(np.asarray(b.offsets, dtype=np.int64)) for b in blocks])
    return Rows(np.concatenate([[0], np.cumsum(lens)]).astype(np.int64),
                np.concatenate([np.asarray(b.indices, dtype=np.int64) for b in blocks]),
                np.concatenate([np.asarray(b.coefs, dtype=np.float64) for b in blocks]),
                np.concatenate([np.asarray(b.rhs, dtype=np.float64) for b in blocks]),
                np.concatenate([np.full(b.n_rows, b.kind == "eq") for b in blocks]),
                [name for b in blocks for name in b.names])


def classify(rows: Rows) -> np.ndarray:
    """Kind index (into :data:`KINDS`) of every row; see the module docstring."""
    out = np.full(rows.n_rows, KINDS.index("other"), dtype=np.int8)
    for r in range(rows.n_rows):
        _, a = rows.row(r)
        out[r] = KINDS.index(_kind(a, float(rows.rhs[r]), bool(rows.eq[r])))
    return out


def _kind(a: np.ndarray, rhs: float, eq: bool) -> str:
    a0 = float(a[0])
    tol = _REL * max(1.0, abs(rhs), float(np.abs(a).max()))
    equal = a0 > 0 and bool(np.all(np.abs(a - a0) <= tol))
    if equal:
        k = rhs / a0
        whole = abs(k - round(k)) <= _REL * max(1.0, abs(k))
        if eq and whole and round(k) == 1:
            return "one_hot"
        if eq and whole and 1 < round(k) < len(a):
            return "cardinality_eq"
        if not eq and 1 <= k < 2:
            return "at_most_one"
        if not eq and 2 <= k < len(a):
            return "cardinality_le"
    if not eq and len(a) == 2 and abs(a[0] + a[1]) <= tol and abs(rhs) <= tol:
        return "vub"
    if not eq and rhs >= -tol and int((a < 0).sum()) <= 1:
        return "knapsack"
    return "other"


def analyse(blocks: Sequence[Any]) -> Structure:
    """Rows of ``blocks`` with their kinds."""
    rows = stack_rows(blocks)
    return Structure(rows, classify(rows))


def disjoint_groups(structure: Structure, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One-hot rows chosen greedily (row order) so that no variable is in two of them.

    Returns (group offsets, group members, the row index of each group). Every
    chosen group is kept at exactly one 1 by the engine's moves.
    """
    rows = structure.rows
    taken = np.zeros(n, dtype=bool)
    chosen: list[int] = []
    members: list[np.ndarray] = []
    for r in structure.of_kind("one_hot"):
        idx, _ = rows.row(int(r))
        if taken[idx].any():
            continue
        taken[idx] = True
        chosen.append(int(r))
        members.append(idx)
    lens = np.array([len(m) for m in members], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lens)]).astype(np.int64)
    flat = np.concatenate(members).astype(np.int64) if members else np.zeros(0, np.int64)
    return offsets, flat, np.array(chosen, dtype=np.int64)
