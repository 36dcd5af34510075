"""PuLP model -> :class:`BinaryProblem`, and the values back, by identity.

Every PuLP variable is added to the problem with its position in
:attr:`Translation.variables` as key, so values travel by position, never by
name. The objective and the constraints are read as one sparse matrix over the
variables and mapped onto the problem's binaries in bulk (:mod:`core.matrix`, as the MPS
reader does), so each becomes one vectorised :class:`Poly` leaf (O(nonzeros)), plus one
:class:`Columns` leaf for its continuous variables (and integers without bounds).
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import repeat
from typing import Any, Hashable

import numpy as np
import scipy.sparse as sp

from ...core.matrix import MatrixVariables, add_linear_rows, add_variables, row_expr
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


class _Rows:
    """Linear expressions of PuLP (the objective, the constraints) as one sparse matrix over the model's
    variables, mapped onto the problem's binaries and columns in bulk (:class:`MatrixVariables`):
    O(nonzeros) C-level iteration and numpy work, no Python loop over the entries."""

    def __init__(self, mapping: MatrixVariables, variables: list[Any], names: list[str]) -> None:
        self.names = names
        self.position = {compat.identity(v): j for j, v in enumerate(variables)}
        self.map = mapping

    def matrix(self, exprs: list[Any], whats: list[str]) -> tuple[sp.csr_array, np.ndarray, sp.csr_array]:
        """``(A @ M, A @ m, A @ C)`` for the rows ``A`` of these expressions (their constants excluded);
        a non-finite coefficient raises naming ``whats[row]`` and the variable."""
        lens, keys, coefs = compat.expression_entries(exprs)
        total = len(keys)
        pos = np.fromiter(map(self.position.get, map(compat.identity, keys), repeat(-1)), np.int64, total)
        a = np.fromiter(coefs, np.float64, total)
        rows = np.repeat(np.arange(len(exprs)), lens)
        keep = pos >= 0  # only PuLP's __dummy (fixed at 0) is not one of the model's variables
        if not keep.all():
            a, pos, rows = a[keep], pos[keep], rows[keep]
        bad = np.flatnonzero(~np.isfinite(a))
        if bad.size:
            k = int(bad[0])
            raise PulpNonFiniteCoefficientError(
                f"{whats[rows[k]]} has the coefficient {a[k]} on variable {self.names[pos[k]]!r}")
        A = sp.csr_array((a, (rows, pos)), shape=(len(exprs), len(self.names)))
        return self.map.linear(A)


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
    kinds, lbs, ubs = [], [], []  # core.matrix's variable kinds: "b" binary, "i" integer, "c" continuous
    for v in variables:
        integer = compat.is_integer_category(v.cat) and not relax
        if integer and v.lowBound == 0 and v.upBound == 1:  # the common binary, without the general test
            kinds.append("b")
            lbs.append(0.0)
            ubs.append(1.0)
            continue
        lb, ub = _bound(v.lowBound), _bound(v.upBound)
        kinds.append("b" if integer and is_binary_range(lb, ub) else "i" if integer else "c")
        lbs.append(-math.inf if lb is None else lb)
        ubs.append(math.inf if ub is None else ub)
    mapping = add_variables(problem, names, np.array(kinds, dtype="<U1"), np.array(lbs, dtype=np.float64),
                            np.array(ubs, dtype=np.float64), keys=range(len(variables)))
    rows = _Rows(mapping, variables, names)

    objective = lp.objective
    if objective is None:
        problem.set_objective(0.0, _sense(lp))
    else:
        const = _finite(objective.constant, "the objective constant")
        Ab, Am, Ac = rows.matrix([objective], ["the objective"])
        problem.set_objective(row_expr(Ab, 0, const + float(Am[0]), Ac), _sense(lp))
    cons = compat.constraints(lp)
    if cons:
        cnames = [cname for cname, _ in cons]
        whats = [f"constraint {cname!r}" for cname in cnames]
        rhs = np.array([-_finite(con.constant, f"the right-hand side of {what}") for (_, con), what in zip(cons, whats)])
        Ab, Am, Ac = rows.matrix([con for _, con in cons], whats)
        add_linear_rows(problem, Ab, Am, [SENSES[con.sense] for _, con in cons], rhs, cnames, Ac)
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
