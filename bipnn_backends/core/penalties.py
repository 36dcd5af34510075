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
    rationals with at most ``max_decimals`` decimals; else None."""
    a = np.asarray(values, dtype=np.float64)
    a = a[a != 0]
    if len(a) == 0:
        return None
    g = row_gcds(np.array([0, len(a)]), a, max_decimals)[0]
    return None if np.isnan(g) else float(g)


def row_gcds(offsets: np.ndarray, coefs: np.ndarray, max_decimals: int = 6) -> np.ndarray:
    """:func:`integral_gcd` of every row of a CSR matrix (rows non-empty, no zero entries);
    NaN where a row's values are not decimal rationals."""
    a = np.abs(coefs)
    starts, lengths = offsets[:-1], np.diff(offsets)
    row_max = np.maximum.reduceat(a, starts)
    decimals = np.full(len(starts), float(max_decimals))  # as many as int64 arithmetic allows exactly
    while True:
        over = (decimals > 0) & (row_max * 10.0 ** decimals >= 2.0 ** 53)
        if not over.any():
            break
        decimals[over] -= 1
    unit = np.repeat(10.0 ** decimals, lengths)
    k = np.rint(a * unit)
    ok = (k < 2.0 ** 53) & (k > 0) & (np.abs(k / unit - a) <= 1e-12 * np.maximum(1.0, a))
    row_ok = np.logical_and.reduceat(ok, starts)
    g = np.gcd.reduceat(np.where(ok, k, 1.0).astype(np.int64), starts) / 10.0 ** decimals
    return np.where(row_ok, g, np.nan)


ACTIVE, REDUNDANT, INFEASIBLE = 0, 1, 2
ENUMERATE_LIMIT = 16  # rows without a coefficient lattice up to this length get exact pi by enumeration
SENSE_CODES = {"<=": 0, ">=": 1, "==": 2}


@dataclass
class RowAnalysis:
    """Per row: ``status`` (ACTIVE, REDUNDANT or INFEASIBLE), ``pi`` and ``paid``
    (see :func:`linear_row_analysis`)."""

    status: np.ndarray
    pi: np.ndarray
    paid: np.ndarray


def analyse_rows(offsets: np.ndarray, coefs: np.ndarray, rhs: np.ndarray, sense: np.ndarray,
                 tol: np.ndarray) -> RowAnalysis:
    """:func:`linear_row_analysis` of every row ``coefs[offsets[r]:offsets[r+1]]·x  sense[r]  rhs[r]``
    at once (CSR rows, non-empty, no zero entries; sense as :data:`SENSE_CODES`)."""
    starts = offsets[:-1]
    lo = np.add.reduceat(np.minimum(coefs, 0.0), starts)
    hi = np.add.reduceat(np.maximum(coefs, 0.0), starts)
    absum = np.add.reduceat(np.abs(coefs), starts)
    slack = 64 * _EPS * (absum + np.abs(rhs))  # as proof_slack
    le, ge, eq = sense == 0, sense == 1, sense == 2
    infeasible = le & (lo - rhs > tol + slack) | ge & (rhs - hi > tol + slack) | \
        eq & ~((lo - tol - slack <= rhs) & (rhs <= hi + tol + slack))
    redundant = ~infeasible & (le & (hi - rhs <= tol - slack) | ge & (rhs - lo <= tol - slack))
    band = np.maximum(tol - slack, 0.5 * tol)  # residuals beyond this may be rejected by the verifier
    g = row_gcds(offsets, coefs)
    lattice = ~np.isnan(g)
    with np.errstate(all="ignore"):
        # equality rows: the right-hand side must be within the tolerance of a multiple of g
        # (coefficients are within 1e-12, relative, of multiples of g: allow for that too)
        lattice_slack = slack + 1e-12 * np.add.reduceat(np.maximum(1.0, np.abs(coefs)), starts)
        infeasible |= eq & lattice & (np.abs(rhs - np.round(rhs / g) * g) > tol + lattice_slack)
        target = np.where(ge, -rhs, rhs)
        up = (np.floor((target + band) / g) + 1) * g - target         # smallest residual beyond the band
        down = target - (np.ceil((target - band) / g) - 1) * g        # ... below -band (equalities)
        gap = np.where(eq, np.minimum(up, down), up)
        inside = np.maximum(np.floor((target + tol) / g) * g - target, 0.0)  # largest residual within tol
        inside = np.where(eq, np.maximum(inside, target - np.ceil((target - tol) / g) * g), inside)
        delta = np.minimum.reduceat(np.abs(coefs), starts)  # no lattice: a heuristic
    pi = np.where(lattice, gap * gap, delta * delta)
    paid = np.where(lattice, np.minimum(np.maximum(inside, 0.0), gap) ** 2, np.minimum(tol * tol, 0.5 * delta * delta))
    for r in np.nonzero(~lattice & ~infeasible & ~redundant & (np.diff(offsets) <= ENUMERATE_LIMIT))[0]:
        c = coefs[offsets[r]:offsets[r + 1]]
        infeasible[r], pi[r], paid[r] = _enumerated_row(c, target[r], bool(ge[r]), bool(eq[r]), tol[r], band[r],
                                                         slack[r])
    status = np.where(infeasible, INFEASIBLE, np.where(redundant, REDUNDANT, ACTIVE)).astype(np.int8)
    active = status == ACTIVE
    return RowAnalysis(status, np.where(active, pi, 0.0), np.where(active, paid, 0.0))


def _enumerated_row(c: np.ndarray, target: float, ge: bool, eq: bool, tol: float, band: float,
                    slack: float) -> tuple[bool, float, float]:
    """(infeasible, pi, paid) of a short row without a coefficient lattice, exactly, from the
    residuals of all 2^len(c) points (``target`` as in :func:`analyse_rows`: a ">=" row negated)."""
    sums = np.zeros(1)
    for a in (-c if ge else c):
        sums = np.concatenate((sums, sums + a))
    residual = sums - target
    excess = np.abs(residual) if eq else np.maximum(residual, 0.0)
    if eq and (excess > tol + slack).all():
        return True, 0.0, 0.0
    rejected = excess > band
    pi = float(excess[rejected].min() ** 2) if rejected.any() else 1.0
    accepted = excess[excess <= tol]
    paid = float(accepted.max() ** 2) if len(accepted) else 0.0
    return False, pi, min(paid, pi)


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
    One row of :func:`analyse_rows`.
    """
    c = np.asarray(coefs, dtype=np.float64)
    c = c[c != 0]
    if len(c) == 0:
        c = np.zeros(1)  # a constant row: 0 sense rhs
    r = analyse_rows(np.array([0, len(c)]), c, np.array([float(rhs)]), np.array([SENSE_CODES[sense]]),
                     np.array([float(tol)]))
    return ("active", "redundant", "infeasible")[int(r.status[0])], float(r.pi[0]), float(r.paid[0])
