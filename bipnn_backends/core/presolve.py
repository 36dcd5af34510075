"""A small presolve for problems with columns: bound propagation over the rows that hold them.

Integers declared without finite bounds are columns until here; the bounds that the
linear rows imply (activity-based propagation, the textbook MIP presolve step) make
most of them finite, and those are then encoded in binaries like any bounded integer.
An integer whose range stays infinite and that appears somewhere raises an error
naming it; one that appears nowhere is fixed. Propagation also proves infeasibility:
a column whose range becomes empty (an integer range that rounds away, e.g. 2 z == 1)
or a row whose activity cannot reach its right-hand side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..errors import ModelError, UnboundedVariableError
from .bounds import bounds
from .continuous import NO_COLUMNS
from .evaluate import feasibility_tolerance
from .expr import Const, Expr, Poly, add
from .problem import BinaryProblem, Constraint

MAX_PASSES = 50  # propagation rounds while integer columns are still being bounded


@dataclass
class Presolved:
    """The problem with every integer column bounded and encoded (``problem``), or a proof of
    infeasibility (``infeasible``, a sentence naming the variable or constraint)."""

    problem: BinaryProblem | None
    infeasible: str | None = None
    lb: np.ndarray | None = None  # implied bounds of the ORIGINAL problem's columns
    ub: np.ndarray | None = None


def implied_bounds(problem: BinaryProblem, tol: float = 1e-6) -> tuple[np.ndarray, np.ndarray, str | None]:
    """(lb, ub, reason) of the columns implied by the rows that hold them; ``reason`` is None
    unless propagation proved the problem infeasible. Integer bounds are rounded inward. Without
    integer columns one pass (O(nonzeros)) only looks for rows that cannot hold; the LP does the rest."""
    cols = problem.columns
    lb = np.array([c.lb for c in cols], dtype=np.float64)
    ub = np.array([c.ub for c in cols], dtype=np.float64)
    integer = np.array([c.kind == "integer" for c in cols], dtype=bool)
    rows = _rows(problem)
    for _ in range(MAX_PASSES if integer.any() else 1):
        changed = False
        for con, idx, a, lo_rhs, hi_rhs, dlo, dhi in rows:
            lo_c = np.where(a > 0, a * lb[idx], a * ub[idx])  # smallest contribution of each column
            hi_c = np.where(a > 0, a * ub[idx], a * lb[idx])
            min_act = float(dlo + lo_c.sum()) if np.isfinite(lo_c).all() else -math.inf
            max_act = float(dhi + hi_c.sum()) if np.isfinite(hi_c).all() else math.inf
            slack = feasibility_tolerance(con, tol)
            if min_act > hi_rhs + slack or max_act < lo_rhs - slack:
                least = min_act > hi_rhs + slack
                return lb, ub, (f"constraint {con.name!r} cannot hold: its activity is at "
                                f"{'least' if least else 'most'} {min_act if least else max_act:g} "
                                "given the variables' bounds")
            rest_min, rest_max = _rest(lo_c, dlo, -1.0), _rest(hi_c, dhi, 1.0)
            with np.errstate(all="ignore"):
                up = (hi_rhs - rest_min) / a  # a*y <= hi_rhs - rest_min
                down = (lo_rhs - rest_max) / a  # a*y >= lo_rhs - rest_max
            new_ub = np.where(a > 0, up, down)
            new_lb = np.where(a > 0, down, up)
            new_ub = np.where(np.isnan(new_ub), np.inf, new_ub)
            new_lb = np.where(np.isnan(new_lb), -np.inf, new_lb)
            is_int = integer[idx]
            new_ub = np.where(is_int, np.floor(new_ub + 1e-9), new_ub)
            new_lb = np.where(is_int, np.ceil(new_lb - 1e-9), new_lb)
            old_lb, old_ub = lb[idx], ub[idx]
            with np.errstate(invalid="ignore"):
                tighter_ub, tighter_lb = _tighter(new_lb, new_ub, old_lb, old_ub, is_int)
            if tighter_ub.any() or tighter_lb.any():
                changed = True
                ub[idx[tighter_ub]] = new_ub[tighter_ub]
                lb[idx[tighter_lb]] = new_lb[tighter_lb]
                empty = _empty(lb, ub, integer, idx, tol)
                if empty is not None:
                    c = cols[empty]
                    kind = "integer" if c.kind == "integer" else "continuous"
                    return lb, ub, (f"{kind} variable {c.name!r} has no value left in its range: the rows imply "
                                    f"[{lb[empty]:g}, {ub[empty]:g}] (constraint {con.name!r})")
        if not changed:
            break
    empty = _empty(lb, ub, integer, np.arange(len(cols)), tol)
    if empty is not None:
        c = cols[empty]
        return lb, ub, f"variable {c.name!r} has no value in its range [{c.lb:g}, {c.ub:g}]"
    return lb, ub, None


def presolve(problem: BinaryProblem, tol: float = 1e-6) -> Presolved:
    """Bound the integer columns by propagation and encode them; see the module docstring."""
    lb, ub, reason = implied_bounds(problem, tol)
    if problem.empty_ranges:
        name, lo, hi = problem.empty_ranges[0][:3]
        reason = f"integer variable {name!r} has no integer value in its range [{lo:g}, {hi:g}]"
    if reason is not None:
        return Presolved(None, "proven infeasible by bound propagation: " + reason, lb, ub)
    cols = problem.columns
    used = _used(problem)
    out = BinaryProblem(problem.name, list(problem.binary_names), list(problem.variables), Const(0.0),
                        problem.sense, [], list(problem.empty_ranges))
    substitute: dict[int, Expr] = {}
    remap = np.full(len(cols), -1, dtype=np.int64)
    for j, c in enumerate(cols):
        if c.kind == "continuous":
            remap[j] = len(out.columns)
            out.columns.append(c)
            continue
        lo, hi = lb[j], ub[j]
        if not (math.isfinite(lo) and math.isfinite(hi)) and used[j]:
            at = dual_fixing(problem, j, lb, ub, tol)
            if at is not None:
                lo = hi = at
        if not (math.isfinite(lo) and math.isfinite(hi)):
            if used[j]:
                raise UnboundedVariableError(
                    f"integer variable {c.name!r} has no finite bounds (declared [{c.lb:g}, {c.ub:g}], implied by "
                    f"the constraints [{lo:g}, {hi:g}]) and appears in {used[j]}: give it finite bounds")
            lo = hi = min(max(0.0, lo), hi)
        substitute[j] = out.add_integer(c.name, lo, hi, c.key)
    out.objective, out.objective_columns = _substitute(problem.objective, problem.objective_columns, substitute, remap)
    for con in problem.constraints:
        body, columns = _substitute(con.body, con.columns, substitute, remap)
        out.constraints.append(Constraint(con.name, body, con.sense, con.rhs, columns))
    return Presolved(out, None, lb, ub)


def dual_fixing(problem: BinaryProblem, j: int, lb: np.ndarray, ub: np.ndarray, tol: float) -> float | None:
    """The finite bound of column ``j`` at which it can be fixed without losing every optimum, or None.

    Dual fixing (a standard MIP presolve step): if moving the column toward its finite bound never
    worsens the objective, and every row it appears in either gets no harder that way or holds
    whatever the other variables are once the column sits at that bound, then any feasible point
    stays feasible, and no worse, with the column moved there.
    """
    sign = 1.0 if problem.sense == "min" else -1.0
    cost = sign * float(problem.objective_columns[1][problem.objective_columns[0] == j].sum())
    if math.isfinite(lb[j]) and not math.isfinite(ub[j]) and cost >= 0:
        at, down = float(lb[j]), True
    elif math.isfinite(ub[j]) and not math.isfinite(lb[j]) and cost <= 0:
        at, down = float(ub[j]), False
    else:
        return None
    for con, idx, a, lo_rhs, hi_rhs, dlo, dhi in _rows(problem):
        here = idx == j
        if not here.any():
            continue
        aj = float(a[here].sum())
        grows = aj < 0 if down else aj > 0  # the row's activity grows as the column moves to ``at``
        harder_hi = math.isfinite(hi_rhs) and grows
        harder_lo = math.isfinite(lo_rhs) and not grows and aj != 0
        if not (harder_hi or harder_lo):
            continue
        others, oa = idx[~here], a[~here]
        slack = feasibility_tolerance(con, tol)
        with np.errstate(invalid="ignore"):
            if harder_hi:  # must hold at the largest activity with the column at ``at``
                top = dhi + aj * at + float(np.where(oa > 0, oa * ub[others], oa * lb[others]).sum())
                if not top <= hi_rhs + slack:
                    return None
            if harder_lo:
                bottom = dlo + aj * at + float(np.where(oa > 0, oa * lb[others], oa * ub[others]).sum())
                if not bottom >= lo_rhs - slack:
                    return None
    return at


def _rows(problem: BinaryProblem) -> list:
    """(constraint, column indices, coefficients, lower rhs, upper rhs, discrete min, discrete max) of
    every constraint with columns; a discrete part that cannot be bounded counts as unbounded."""
    rows = []
    for con in problem.constraints:
        idx, a = con.columns
        if not len(idx):
            continue
        try:
            dlo, dhi = bounds(con.body, f"constraint {con.name!r}")
        except (ModelError, OverflowError, ValueError):
            dlo, dhi = -math.inf, math.inf
        lo_rhs = con.rhs if con.sense in (">=", "==") else -math.inf
        hi_rhs = con.rhs if con.sense in ("<=", "==") else math.inf
        rows.append((con, idx, a, lo_rhs, hi_rhs, float(dlo), float(dhi)))
    return rows


def _rest(parts: np.ndarray, discrete: float, sign: float) -> np.ndarray:
    """Activity of each term's complement: ``discrete`` plus the other parts. Finite only when the
    others are finite; ``sign`` is the sign of infinite parts (-1 for smallest activities)."""
    inf = ~np.isfinite(parts)
    n_inf = int(inf.sum())
    finite = float(parts[~inf].sum()) + discrete
    if n_inf == 0:
        return finite - parts
    if n_inf == 1:
        return np.where(inf, finite, sign * np.inf)
    return np.full(len(parts), sign * np.inf)


def _tighter(new_lb: np.ndarray, new_ub: np.ndarray, old_lb: np.ndarray, old_ub: np.ndarray,
             is_int: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which new bounds are worth taking: an integer's by at least one, a continuous one's by a
    relative 1e-6 (so propagation converges instead of creeping)."""
    step_ub = np.where(is_int, 0.5, 1e-6 * np.maximum(1.0, np.abs(np.where(np.isfinite(old_ub), old_ub, new_ub))))
    step_lb = np.where(is_int, 0.5, 1e-6 * np.maximum(1.0, np.abs(np.where(np.isfinite(old_lb), old_lb, new_lb))))
    tighter_ub = (new_ub < old_ub - step_ub) | (np.isinf(old_ub) & np.isfinite(new_ub))
    tighter_lb = (new_lb > old_lb + step_lb) | (np.isinf(old_lb) & np.isfinite(new_lb))
    return tighter_ub, tighter_lb


def _empty(lb: np.ndarray, ub: np.ndarray, integer: np.ndarray, idx: np.ndarray, tol: float) -> int | None:
    """A column among ``idx`` whose range is empty, or None."""
    gap = lb[idx] - ub[idx]
    limit = np.where(integer[idx], 0.0, tol * np.maximum(1.0, np.maximum(np.abs(lb[idx]), np.abs(ub[idx]))))
    bad = np.nonzero(gap > limit)[0]
    return int(idx[bad[0]]) if len(bad) else None


def _used(problem: BinaryProblem) -> list[str]:
    """Where each column appears ("" when nowhere): the objective or a constraint's name."""
    used = [""] * len(problem.columns)
    for j in problem.objective_columns[0]:
        used[int(j)] = "the objective"
    for con in problem.constraints:
        for j in con.columns[0]:
            if not used[int(j)]:
                used[int(j)] = f"constraint {con.name!r}"
    return used


def _substitute(body: Expr, columns, substitute: dict[int, Expr], remap: np.ndarray):
    """Move encoded integer columns into the discrete body; renumber the continuous ones."""
    idx, a = columns
    if not len(idx):
        return body, NO_COLUMNS
    keep = remap[idx] >= 0
    for j, coef in zip(idx[~keep], a[~keep]):
        body = add(body, _scaled(substitute[int(j)], float(coef)))
    return body, ((remap[idx[keep]], a[keep]) if keep.any() else NO_COLUMNS)


def _scaled(e: Expr, coef: float) -> Expr:
    if isinstance(e, Poly):
        return Poly(e.offsets, e.indices, e.coefs * coef, e.constant * coef)
    if isinstance(e, Const):
        return Const(e.value * coef)
    return Const(coef) * e


__all__ = ["Presolved", "implied_bounds", "presolve"]
