"""PuLP model -> :class:`BinaryProblem`, and the values back.

Every PuLP variable becomes ``offset + sum_k w_k x[i_k]`` over the problem's
binaries (a binary: one index; a bounded integer: its binary encoding; a fixed
variable: an offset). Those maps are kept in flat arrays, so each constraint
and the objective become one vectorised :class:`Poly` leaf.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...core.expr import Poly
from ...core.problem import BinaryProblem
from ...errors import BipnnError
from . import compat
from .errors import PulpModelError, PulpNonFiniteCoefficientError, as_pulp_error

SENSES = {-1: "<=", 0: "==", 1: ">="}  # LpConstraintLE, LpConstraintEQ, LpConstraintGE (3.x and 4.x)


class _Columns:
    """Flat map from PuLP variable position to (binary indices, weights, offset)."""

    def __init__(self, names: list[str], lengths: list[int],
                 indices: list[np.ndarray], weights: list[np.ndarray], offsets: list[float]) -> None:
        self.names = names
        self.position = {n: j for j, n in enumerate(names)}
        self.lengths = np.array(lengths, dtype=np.int64)
        self.ptr = np.concatenate(([0], np.cumsum(self.lengths))).astype(np.int64)
        self.indices = np.concatenate(indices).astype(np.int64) if indices else np.zeros(0, np.int64)
        self.weights = np.concatenate(weights).astype(np.float64) if weights else np.zeros(0)
        self.offsets = np.array(offsets, dtype=np.float64)

    def linear(self, expr: Any, what: str, constant: float = 0.0) -> Poly:
        """``sum a_v * column_v + constant`` for a PuLP expression (its own constant excluded)."""
        items = list(expr.items())
        n = len(items)
        pos = np.fromiter((self.position[v.name] for v, _ in items), np.int64, n)
        a = np.fromiter((c for _, c in items), np.float64, n)
        if not np.isfinite(a).all():
            k = int(np.nonzero(~np.isfinite(a))[0][0])
            raise PulpNonFiniteCoefficientError(
                f"{what} has the coefficient {a[k]} on variable {self.names[pos[k]]!r}")
        lens = self.lengths[pos]
        total = int(lens.sum())
        before = np.cumsum(lens) - lens
        flat = np.arange(total, dtype=np.int64) - np.repeat(before, lens) + np.repeat(self.ptr[pos], lens)
        return Poly.linear(self.indices[flat], np.repeat(a, lens) * self.weights[flat],
                           constant + float(a @ self.offsets[pos]))


def translate(lp: Any) -> BinaryProblem:
    """The :class:`BinaryProblem` of a PuLP model; raises a ``Pulp*Error`` naming the culprit.

    Reads the model only: it is left unchanged whatever happens.
    """
    try:
        return _translate(lp)
    except BipnnError as exc:
        raise as_pulp_error(exc) from exc


def _translate(lp: Any) -> BinaryProblem:
    variables = [v for v in compat.used_variables(lp) if v.name != compat.DUMMY]
    if not variables:
        raise PulpModelError(f"the model {lp.name!r} has no variables: there is nothing to solve")
    problem = BinaryProblem(name=lp.name)
    kinds = []
    for v in variables:
        lb, ub = _bound(v.lowBound), _bound(v.upBound)
        binary = compat.is_integer_category(v.cat) and lb == 0 and ub == 1
        kinds.append((v.name, lb, ub, "binary" if binary else v.cat))
    binary_names = [name for name, _, _, kind in kinds if kind == "binary"]
    first = problem.add_binaries(binary_names)
    next_binary = iter(first)

    names, lengths, indices, weights, offsets = [], [], [], [], []
    one = np.ones(1)
    for name, lb, ub, kind in kinds:
        if kind == "binary":
            idx, w, off = np.array([next(next_binary)]), one, 0.0
        else:
            expr = problem.add_integer(name, lb, ub) if compat.is_integer_category(kind) \
                else problem.add_continuous(name, lb, ub)
            if isinstance(expr, Poly):
                idx, w, off = expr.indices, expr.coefs, expr.constant
            else:
                idx, w, off = np.zeros(0, np.int64), np.zeros(0), float(expr.value)
        names.append(name)
        lengths.append(len(idx))
        indices.append(idx)
        weights.append(w)
        offsets.append(off)
    names.append(compat.DUMMY)  # fixed at 0 when PuLP put it in a constant objective
    lengths.append(0)
    offsets.append(0.0)
    cols = _Columns(names, lengths, indices, weights, offsets)

    objective = lp.objective
    if objective is None:
        problem.set_objective(0.0, _sense(lp))
    else:
        const = _finite(objective.constant, "the objective constant")
        problem.set_objective(cols.linear(objective, "the objective", const), _sense(lp))
    for cname, con in compat.constraints(lp):
        what = f"constraint {cname!r}"
        rhs = -_finite(con.constant, f"the right-hand side of {what}")
        problem.add_constraint(cols.linear(con, what), SENSES[con.sense], rhs, cname)
    return problem


def _bound(value: Any) -> float | None:
    """PuLP 3 writes an absent bound as None, PuLP 4 as an infinite float."""
    if value is None:
        return None
    value = float(value)
    return None if math.isinf(value) else value


def _finite(value: Any, what: str) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise PulpNonFiniteCoefficientError(f"{what} is {value}")
    return value


def _sense(lp: Any) -> str:
    return "max" if lp.sense == -1 else "min"  # LpMaximize == -1 in 3.x and 4.x


def current_values(lp: Any) -> dict[str, float]:
    """The variables' current values (for a warm start); unset ones are left out."""
    return {v.name: float(v.varValue) for v in compat.used_variables(lp)
            if v.varValue is not None and v.name != compat.DUMMY}
