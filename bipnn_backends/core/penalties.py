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


_EPS = float(np.finfo(np.float64).eps)


def proof_slack(*magnitudes: float) -> float:
    """Room a proof leaves for rounding: the verifier sums the same terms in another order,
    so a residual it computes may differ from the proof's by a few ulps of the terms' size."""
    return 64 * _EPS * float(sum(magnitudes))


def integral_gcd(values: np.ndarray, max_decimals: int = 6) -> float | None:
    """The largest g with every value an integer multiple of g, if the values are
    rationals with at most ``max_decimals`` decimals; else None. Vectorised."""
    a = np.abs(np.asarray(values, dtype=np.float64))
    a = a[a != 0]
    if len(a) == 0:
        return None
    decimals = max_decimals  # as many as int64 arithmetic allows exactly
    while decimals > 0 and a.max() * 10.0 ** decimals >= 2.0 ** 53:
        decimals -= 1
    unit = 10.0 ** decimals
    k = np.rint(a * unit)
    if k.max() >= 2.0 ** 53 or (np.abs(k / unit - a) > 1e-12 * np.maximum(1.0, a)).any():
        return None
    return float(np.gcd.reduce(k.astype(np.int64))) / unit


def _lattice_gap(g: float, target: float, t: float, both_sides: bool) -> float:
    """The smallest |k*g - target| over integers k with k*g - target > t (and, when
    ``both_sides``, target - k*g > t): a lower bound on a violating residual."""
    up = (np.floor((target + t) / g) + 1) * g - target
    if not both_sides:
        return float(up)
    down = target - (np.ceil((target - t) / g) - 1) * g
    return float(min(up, down))


def _lattice_inside(g: float, target: float, t: float, both_sides: bool) -> float:
    """The largest penalised residual within the tolerance: max(k*g - target, 0) (and, when
    ``both_sides``, target - k*g) over lattice points with residual at most t."""
    up = max(float(np.floor((target + t) / g) * g - target), 0.0)
    if not both_sides:
        return up
    return max(up, float(target - np.ceil((target - t) / g) * g), 0.0)


def linear_row_analysis(coefs: np.ndarray, rhs: float, sense: str, tol: float) -> tuple[str, float, float]:
    """Classify ``coefs·x sense rhs`` over binaries: ("infeasible" | "redundant" | "active", pi, paid).

    ``tol`` is the verifier's threshold for this row (:func:`~.evaluate.feasibility_tolerance`):
    a residual within it is feasible. "infeasible" is a proof: every point's residual exceeds
    ``tol`` by more than rounding could explain; "redundant": every point is within ``tol``.
    For the block weight, pi bounds from below the squared residual of every point the
    verifier rejects, and ``paid`` from above the squared (for <=, positive) residual a point
    it accepts still pays: with coefficients that are multiples of g, residuals lie on the
    lattice k*g - rhs; pi is the square of the smallest lattice residual beyond the tolerance,
    paid of the largest within it. (Irrational-looking coefficients: a heuristic.)
    """
    coefs = np.asarray(coefs, dtype=np.float64)
    lo = float(np.minimum(coefs, 0).sum())
    hi = float(np.maximum(coefs, 0).sum())
    slack = proof_slack(float(np.abs(coefs).sum()), abs(rhs))
    if sense == "<=" and lo - rhs > tol + slack or sense == ">=" and rhs - hi > tol + slack or \
            sense == "==" and not (lo - tol - slack <= rhs <= hi + tol + slack):
        return "infeasible", 0.0, 0.0
    if sense == "<=" and hi - rhs <= tol - slack or sense == ">=" and rhs - lo <= tol - slack:
        return "redundant", 0.0, 0.0
    band = max(tol - slack, 0.5 * tol)  # residuals beyond this may be rejected by the verifier
    g = integral_gcd(coefs)
    if g is None:  # irrational-looking coefficients: a heuristic, not a guarantee
        delta = float(np.abs(coefs[coefs != 0]).min())
        return "active", delta * delta, min(tol * tol, 0.5 * delta * delta)
    if sense == "==":
        # coefficients are within 1e-12 (relative) of multiples of g: allow for that too
        lattice_slack = slack + 1e-12 * float(np.maximum(1.0, np.abs(coefs)).sum())
        nearest = abs(rhs - round(rhs / g) * g)
        if nearest > tol + lattice_slack:
            return "infeasible", 0.0, 0.0
    target, both = (rhs, True) if sense == "==" else (rhs if sense == "<=" else -rhs, False)
    gap = _lattice_gap(g, target, band, both)
    return "active", gap * gap, min(_lattice_inside(g, target, tol, both), gap) ** 2
