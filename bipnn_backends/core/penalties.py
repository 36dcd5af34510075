"""Constraint penalties that are exact: zero at every feasible point, at least a
known amount ``pi`` at every infeasible one.

- Small constraints (support ≤ Δ) are enumerated: the minimal-violation-subset
  form of the paper (eq. 8-9) when violation is upward closed (adding ones
  never repairs it) and that form is shorter, otherwise the exact multilinear
  (Möbius) fit of the violation amount. Either is exact.
- Wide linear rows become blocks; their smallest possible violation comes
  from the coefficients' integrality (multiples of their gcd).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import reduce
from math import gcd

import numpy as np

from .expr import Poly
from .mobius import fit
from .multilinear import canonicalize


@dataclass
class ExactPenalty:
    """poly is 0 on feasible points and >= pi on infeasible ones."""

    poly: Poly
    pi: float
    form: str  # "minimal-subsets" or "mobius"


def violation_amounts(g: np.ndarray, sense: str, tol: float) -> np.ndarray:
    """Violation of ``g sense 0`` at each point, with violations within ``tol`` set to 0."""
    v = np.maximum(g, 0.0) if sense == "<=" else np.maximum(-g, 0.0) if sense == ">=" else np.abs(g)
    return np.where(v > tol, v, 0.0)


def is_upward_closed(violated: np.ndarray) -> bool:
    """True when setting any variable to 1 never repairs a violated point."""
    s = int(np.log2(len(violated)))
    r = np.arange(len(violated))
    return all(np.all(~violated | violated[r | (1 << b)]) for b in range(s))


def minimal_violating_sets(violated: np.ndarray) -> np.ndarray:
    """Bitmasks of violated points none of whose one-smaller subsets is violated."""
    s = int(np.log2(len(violated)))
    r = np.arange(len(violated))
    minimal = violated.copy()
    for b in range(s):
        has = (r >> b) & 1 == 1
        minimal &= ~(has & violated[r & ~(1 << b)])
    return np.nonzero(minimal)[0]


def exact_penalty(support: np.ndarray, amounts: np.ndarray) -> ExactPenalty:
    """The shorter exact polynomial penalty for a constraint over ``support``.

    ``amounts[r]`` is the violation at the point with bitmask r (0 = feasible).
    """
    violated = amounts > 0
    amount_fit = fit(support, amounts)
    pi_amount = float(amounts[violated].min())
    if is_upward_closed(violated):
        masks = minimal_violating_sets(violated)
        if len(masks) <= amount_fit.n_terms:
            s = len(support)
            bits = ((masks[:, None] >> np.arange(s)) & 1).astype(bool)
            flat = np.broadcast_to(support, bits.shape)[bits]
            poly = Poly(np.concatenate(([0], np.cumsum(bits.sum(axis=1)))), flat, np.ones(len(masks)))
            return ExactPenalty(canonicalize(poly), 1.0, "minimal-subsets")
    return ExactPenalty(amount_fit, pi_amount, "mobius")


def integral_gcd(values: np.ndarray, max_decimals: int = 6) -> float | None:
    """The largest g with every value an integer multiple of g, if the values are
    rationals with at most ``max_decimals`` decimals; else None."""
    nz = [v for v in np.abs(values) if v != 0]
    if not nz:
        return None
    fracs = []
    for v in nz:
        f = Fraction(float(v)).limit_denominator(10 ** max_decimals)
        if abs(float(f) - v) > 1e-12 * max(1.0, abs(v)) or (10 ** max_decimals) % f.denominator:
            return None
        fracs.append(f)
    den = reduce(lambda a, b: a * b // gcd(a, b), (f.denominator for f in fracs))
    num = reduce(gcd, (int(f * den) for f in fracs))
    return num / den


def linear_row_analysis(coefs: np.ndarray, rhs: float, sense: str, tol: float) -> tuple[str, float]:
    """Classify ``coefs·x sense rhs`` over binaries: ("infeasible" | "redundant" | "active", pi),
    where pi is the smallest squared residual of a violating point (for the block weight)."""
    lo = float(np.minimum(coefs, 0).sum())
    hi = float(np.maximum(coefs, 0).sum())
    if sense == "<=" and lo > rhs + tol or sense == ">=" and hi < rhs - tol or \
            sense == "==" and not (lo - tol <= rhs <= hi + tol):
        return "infeasible", 0.0
    if sense == "<=" and hi <= rhs + tol or sense == ">=" and lo >= rhs - tol:
        return "redundant", 0.0
    g = integral_gcd(coefs)
    if g is None:  # irrational-looking coefficients: a heuristic, not a guarantee
        delta = float(np.abs(coefs[coefs != 0]).min())
        return "active", delta * delta
    if sense == "==":
        q = rhs / g
        if abs(q - round(q)) > 1e-9:
            return "infeasible", 0.0
        return "active", g * g
    target = rhs if sense == "<=" else -rhs
    steps = np.floor(target / g + 1e-9) + 1
    delta = steps * g - target
    return "active", float(delta * delta)

