"""BinaryProblem → Reformulation: one canonical PUBO plus penalty blocks.

Penalty weights are automatic: with W greater than the objective's range
(an interval bound over all 0/1 points), each constraint's penalty is scaled
by W / pi, where pi is the smallest value the penalty takes at a violating
point. A point feasible within the tolerance may still pay a little on a
linear row (a residual of at most the tolerance); all row weights are raised
together so that this never adds up to a violation's cost. Then every
infeasible point costs more than any feasible one, so every minimiser of the
penalised energy is feasible whenever a feasible point exists.
``penalty.weight`` overrides W. "Feasible" and "violating" are the verifier's:
within the tolerance of :func:`~.evaluate.feasibility_tolerance`.

Exactness holds for linear rows with rational coefficients and for every
constraint enumerated over its support; for wide nonlinear constraints (more
than ``penalty.exact_limit`` variables) the smallest violation is unknown and
pi = 1 is assumed (documented; the verifier still checks every answer).
"""

from __future__ import annotations

import warnings

import numpy as np

from ..options import Options
from .evaluate import feasibility_tolerance, values_on_support
from .expand import Expander, Expansion, expansion_bounds
from .expr import Poly
from .linear_penalties import PendingRow, linear_penalties
from .linear_system import Linear, linear_parts
from .multilinear import canonicalize, poly_sum, scale
from .names import naming
from .penalties import exact_penalty, proof_slack, violation_amounts
from .problem import BinaryProblem, Constraint
from .pubo import NonlinearBlock, OpaqueTerm, Pubo, Reformulation

WIDE_NONLINEAR_PI = 1.0
SCALE_ULPS = 1000  # warn when the smallest coefficient is within this many ulps of the total


def reformulate(problem: BinaryProblem, opts: Options) -> Reformulation:
    """Turn ``problem`` into the energy the engine minimises; see the module docstring.
    Errors describe expressions with the user's variable names."""
    with naming(problem):
        return _reformulate(problem, opts)


def _reformulate(problem: BinaryProblem, opts: Options) -> Reformulation:
    n = problem.n_binaries
    expander = Expander(n, opts.fit_limit, opts.max_monomials)
    sign = 1.0 if problem.sense == "min" else -1.0
    obj = expander.expand(problem.objective, "objective")
    warn_if_scale_hopeless(obj.poly.coefs, "the objective")
    obj_poly = scale(obj.poly, sign)
    opaque = [OpaqueTerm(sign * c, e) for c, e in obj.opaque]
    lo, hi = expansion_bounds(obj, "objective")
    W = opts.penalty.weight if opts.penalty.weight is not None else 1.01 * (hi - lo) + 1.0

    penalties: list[Poly] = []
    pending: list[PendingRow] = []  # linear rows, penalised together
    nonlinear: list[NonlinearBlock] = []
    infeasible = [(-1, f"integer variable {name!r} has no integer value in its range [{lb:g}, {ub:g}]")
                  for name, lb, ub in problem.empty_ranges]
    exact_method = opts.penalty.method == "exact"
    for position, con in enumerate(problem.constraints):
        parts = None if exact_method else linear_parts(con.body)
        if parts is not None:  # linear as written: no expansion needed (validated in the batch)
            pending.append(PendingRow(position, con, *_concat(parts)))
            continue
        what = f"constraint {con.name!r}"
        ex = expander.expand(con.body, what)
        width = len(np.unique(ex.poly.indices)) if ex.is_polynomial else len(con.body.support())
        linear = ex.is_polynomial and (ex.poly.n_terms == 0 or ex.poly.degrees().max() == 1)
        small = width <= opts.penalty.exact_limit
        if linear and (width == 0 or not (exact_method and small)):
            pending.append(PendingRow(position, con, ex.poly.indices, ex.poly.coefs, ex.poly.constant))
        elif small:
            _exact(con, what, feasibility_tolerance(con, opts.tolerance), W, penalties, infeasible, position)
        else:
            _wide_nonlinear(con, ex, what, W, nonlinear)
    linear = linear_penalties(pending, n, opts.tolerance, W,
                              lambda con: expander.expand(con.body, f"constraint {con.name!r}"))

    pubo_poly = canonicalize(poly_sum([obj_poly] + penalties)) if penalties else obj_poly
    pubo = Pubo(n, pubo_poly.offsets, pubo_poly.indices, pubo_poly.coefs, pubo_poly.constant)
    reasons = [reason for _, reason in sorted(infeasible + linear.infeasible, key=lambda item: item[0])]
    return Reformulation(problem, sign, pubo, linear.blocks, nonlinear, opaque, reasons, W)


def _concat(parts: Linear) -> tuple[np.ndarray, np.ndarray, float]:
    idx, coefs, constant = parts.indices, parts.coefs, parts.constant
    if not idx:
        return np.zeros(0, np.int64), np.zeros(0), constant
    if len(idx) == 1:
        return idx[0], coefs[0], constant
    return np.concatenate(idx), np.concatenate(coefs), constant


def warn_if_scale_hopeless(coefs: np.ndarray, what: str) -> None:
    """Warn (never drop terms) when the smallest coefficient is within ``SCALE_ULPS`` ulps of
    the sum of all of them: float64 sums can then no longer tell its terms apart reliably."""
    mags = np.abs(coefs[coefs != 0])
    if len(mags) < 2:
        return
    small, total = float(mags.min()), float(mags.sum())
    if small < SCALE_ULPS * np.finfo(np.float64).eps * total:
        warnings.warn(f"{what} has coefficients from {small:.3g} to {float(mags.max()):.3g}: in float64 the "
                      f"smallest are within {SCALE_ULPS} rounding steps of the total, so the search may not "
                      "tell them apart (every term is kept); rescale the model if they matter",
                      RuntimeWarning, stacklevel=3)


def _exact(con: Constraint, what: str, tol: float, W: float, penalties: list, infeasible: list,
           position: int) -> None:
    support, values = values_on_support(con.body, what)
    amounts = violation_amounts(values - con.rhs, con.sense, tol)
    slack = proof_slack(float(np.abs(values).max()), abs(con.rhs))
    if (violation_amounts(values - con.rhs, con.sense, tol + slack) > 0).all():
        infeasible.append((position, f"{what}: none of the {len(amounts)} assignments of its {len(support)} "
                                     "variables satisfies it"))
        return
    if not (amounts > 0).any():
        return
    pen = exact_penalty(support, amounts)
    penalties.append(scale(pen.poly, W / pen.pi))


def _wide_nonlinear(con: Constraint, ex: Expansion, what: str, W: float, nonlinear: list) -> None:
    lo, hi = expansion_bounds(ex, what)
    if con.sense == "<=" and hi <= con.rhs or con.sense == ">=" and lo >= con.rhs:
        return
    if con.sense == ">=":
        body, rhs, kind = -1.0 * con.body, -con.rhs, "le"
    else:
        body, rhs, kind = con.body, con.rhs, "le" if con.sense == "<=" else "eq"
    nonlinear.append(NonlinearBlock(kind, body, rhs, W / WIDE_NONLINEAR_PI, con.name))
