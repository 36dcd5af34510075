"""PuLP model -> :class:`BinaryProblem`, and the values back, by identity.

Every PuLP variable is added to the problem with its position in
:attr:`Translation.variables` as key, so values travel by position, never by
name. The problem's :meth:`~BinaryProblem.encoding` gives each variable as
``offset + sum_k w_k x[i_k]`` in flat arrays, so each constraint and the
objective become one vectorised :class:`Poly` leaf (O(nonzeros)), plus one
:class:`Columns` leaf for its continuous variables (and integers without bounds).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Hashable

import numpy as np

from ...core.continuous import Columns
from ...core.expr import Expr, Poly
from ...core.problem import BinaryProblem, is_binary_range
from .._kit import raising_host_errors
from . import compat
from .errors import ERRORS, PulpModelError, PulpNonFiniteCoefficientError

SENSES = {-1: "<=", 0: "==", 1: ">="}  # LpConstraintLE, LpConstraintEQ, LpConstraintGE (3.x and 4.x)


@dataclass
class Translation:
    """A translated model: the problem and the PuLP variables it reads (key = position)."""

    problem: BinaryProblem
    variables: list[Any]

    def write(self, values: dict[Hashable, float], dummy: Any = None) -> None:
        """Set each variable's value from ``values`` (keyed by position)."""
        compat.set_values(self.variables, [values[j] for j in range(len(self.variables))])
        if dummy is not None:  # so that value(lp.objective) is not None
            dummy.varValue = 0.0

    def current_values(self) -> dict[int, float]:
        """The variables' current values by position (for a warm start); unset ones are left out."""
        return {j: float(v.varValue) for j, v in enumerate(self.variables) if v.varValue is not None}


class _Columns:
    """Flat map from a PuLP variable (by identity) to (binary indices, weights, offset), or to its
    column (continuous variables, integers without bounds)."""

    def __init__(self, problem: BinaryProblem, variables: list[Any], names: list[str]) -> None:
        enc = problem.encoding()
        self.names = names
        self.position = {compat.identity(v): j for j, v in enumerate(variables)}
        self.row = np.full(len(variables), -1, dtype=np.int64)  # position -> row of the encoding
        self.row[np.array(enc.keys, dtype=np.int64)] = np.arange(len(enc.keys))
        self.column = np.full(len(variables), -1, dtype=np.int64)  # position -> column
        self.column[np.array([c.key for c in problem.columns], dtype=np.int64)] = np.arange(len(problem.columns))
        self.ptr = enc.ptr
        self.lengths = np.diff(enc.ptr)
        self.indices = enc.indices
        self.weights = enc.weights
        self.offsets = enc.offsets

    def linear(self, expr: Any, what: str, constant: float = 0.0) -> Expr:
        """``sum a_v * v + constant`` for a PuLP expression (its own constant excluded)."""
        items = list(expr.items())
        n = len(items)
        keys, coefs = zip(*items) if n else ((), ())
        pos = np.fromiter(map(self.position.get, map(compat.identity, keys), repeat(-1)), np.int64, n)
        a = np.fromiter(coefs, np.float64, n)
        if n and pos.min() < 0:  # only PuLP's __dummy (fixed at 0) is not one of the model's variables
            a, pos = a[pos >= 0], pos[pos >= 0]
        if not np.isfinite(a).all():
            k = int(np.nonzero(~np.isfinite(a))[0][0])
            raise PulpNonFiniteCoefficientError(
                f"{what} has the coefficient {a[k]} on variable {self.names[pos[k]]!r}")
        columns = self.column[pos]
        free = columns >= 0
        part = Columns(columns[free], a[free]) if free.any() else None
        a, pos = a[~free], self.row[pos[~free]]
        lens = self.lengths[pos]
        total = int(lens.sum())
        before = np.cumsum(lens) - lens
        flat = np.arange(total, dtype=np.int64) - np.repeat(before, lens) + np.repeat(self.ptr[pos], lens)
        poly = Poly.linear(self.indices[flat], np.repeat(a, lens) * self.weights[flat],
                           constant + float(a @ self.offsets[pos]))
        return poly if part is None else poly + part


def translate(lp: Any, relax: bool = False) -> Translation:
    """The :class:`Translation` of a PuLP model; raises a ``Pulp*Error`` naming the culprit.
    ``relax`` (PuLP's ``mip=False``): integer variables become continuous (the LP relaxation).

    Reads the model only: it is left unchanged whatever happens.
    """
    with raising_host_errors(ERRORS):
        return _translate(lp, relax)


def _translate(lp: Any, relax: bool) -> Translation:
    variables = [v for v in compat.used_variables(lp) if v.name != compat.DUMMY]
    names = [v.name for v in variables]  # read once: translation counts against the time limit
    _refuse_duplicates(names)
    problem = BinaryProblem(name=lp.name)
    run: list[int] = []  # consecutive binaries, added in one call

    def flush() -> None:
        if run:
            problem.add_binaries([names[j] for j in run], list(run))
            run.clear()

    for j, v in enumerate(variables):
        integer = compat.is_integer_category(v.cat) and not relax
        if integer and v.lowBound == 0 and v.upBound == 1:  # the common binary, without the general test
            run.append(j)
            continue
        lb, ub = _bound(v.lowBound), _bound(v.upBound)
        if integer and is_binary_range(lb, ub):
            run.append(j)
            continue
        flush()
        if integer:
            problem.add_integer(v.name, lb, ub, key=j)
        else:
            problem.add_continuous(v.name, lb, ub, key=j)
    flush()
    cols = _Columns(problem, variables, names)

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
    return Translation(problem, variables)


def _refuse_duplicates(names: list[str]) -> None:
    """PuLP's own ``checkDuplicateVars`` rule: two variables may not share a name."""
    if len(set(names)) == len(names):
        return
    counts = Counter(names)
    repeated = [name for name, k in counts.items() if k > 1]
    if repeated:
        raise PulpModelError(f"repeated variable name(s) {', '.join(map(repr, repeated[:5]))}: two different "
                             "variables share a name, as PuLP's checkDuplicateVars refuses; rename them")


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
