"""One shared scorer, and the minimisation PUBO that penalty-based baselines sample.

Every solver's answer is re-scored here on the ORIGINAL problem
(:func:`bipnn_backends.core.evaluate.evaluate_problem`: objective in the
user's sense and feasibility), never on a solver's self-reported value;
a longer answer (a sampler's slack binaries) is cut to the problem's variables.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bipnn_backends.core.evaluate import evaluate_problem, values_on_support
from bipnn_backends.core.expand import Expander
from bipnn_backends.core.expr import Expr, Poly
from bipnn_backends.core.mobius import fit
from bipnn_backends.core.multilinear import canonicalize, poly_sum
from bipnn_backends.core.penalties import violation_amounts
from bipnn_backends.core.problem import BinaryProblem, Constraint, bounded_binary_weights
from bipnn_backends.core.pubo import Pubo


def as_poly(expr: Expr, n: int) -> Poly:
    """The canonical polynomial of a polynomial expression over ``n`` binaries (the core's expansion)."""
    ex = Expander(n, fit_limit=0, max_monomials=10**8).expand(expr, "benchmark export")
    if not ex.is_polynomial:
        raise TypeError("benchmark PUBO export supports polynomial expressions only")
    return ex.poly


@dataclass
class PuboArrays(Pubo):
    """The core's :class:`Pubo`, minimised, plus the objective's sign and the penalty rule used.

    Equals sign * objective at feasible points; constraints add
    ``weights[c] * violation_c(x)`` as exact multilinear (Möbius) fits.
    """

    sign: float = 1.0
    penalty_rule: str = ""
    n_slack: int = 0  # slack binaries after the problem's variables (wide inequality rows)

    def terms(self) -> dict[tuple[int, ...], float]:
        """``{(i, j, ...): coef}`` for samplers that take dictionaries."""
        idx = self.indices.tolist()
        off = self.offsets.tolist()
        return {tuple(idx[off[k]:off[k + 1]]): c for k, c in enumerate(self.coefs.tolist())}

    def variable_weight(self) -> np.ndarray:
        """Per variable: sum of |coef| over the monomials containing it."""
        return np.bincount(self.indices, weights=np.repeat(np.abs(self.coefs), self.degrees()), minlength=self.n)


FIT_SUPPORT = 16          # constraints on at most this many variables get the exact Möbius fit
PUBO_TERM_LIMIT = 5_000_000  # penalised PUBOs larger than this are not built (the samplers could not use them)


def to_pubo(problem: BinaryProblem, term_limit: int = PUBO_TERM_LIMIT, quadratic_rows: bool = False) -> PuboArrays:
    """The minimisation PUBO of ``problem`` for the penalty-based baselines.

    A constraint on at most 16 variables becomes the exact multilinear fit of
    ``W_c * violation_c(x)``, with W_c = 1 + the sum of |objective
    coefficients| of the monomials touching its support (an upper bound on
    what changing those variables can gain), divided by the smallest
    non-zero violation on the support. A wider LINEAR constraint becomes the
    textbook quadratic penalty ``W_c * (a.x + s - b)^2`` (:func:`wide_row_penalty`),
    with integer slack binaries ``s`` for inequalities appended after the
    problem's variables (``n_slack`` of them; answers are cut back to the
    problem's variables). ``quadratic_rows=True`` uses that quadratic penalty
    for every linear constraint (the usual QUBO modelling of structured
    models: a 14-item packing row would otherwise fit into 2^14 monomials).
    Raises ValueError for a wide nonlinear constraint or when the PUBO would
    exceed ``term_limit`` monomials.
    """
    sign = -1.0 if problem.sense == "max" else 1.0
    obj = as_poly(problem.objective, problem.n_binaries)
    obj = Poly(obj.offsets, obj.indices, sign * obj.coefs, sign * obj.constant)
    parts = [obj]
    n = problem.n_binaries
    n_total = n
    rule = ""
    if problem.constraints:
        vw = np.bincount(obj.indices, weights=np.repeat(np.abs(obj.coefs), np.diff(obj.offsets)), minlength=n)
        def quadratic(con: Constraint) -> bool:
            return len(con.body.support()) > FIT_SUPPORT or (quadratic_rows and _is_linear(con, n))

        wide = [c for c in problem.constraints if quadratic(c)]
        estimate = sum((len(c.body.support()) + 24) ** 2 // 2 for c in wide)
        if estimate > term_limit:
            raise ValueError(f"about {estimate:,} penalised PUBO monomials (> {term_limit:,}) from {len(wide)} "
                             "rows penalised as squares")
        for con in problem.constraints:
            if quadratic(con):
                poly, n_total = wide_row_penalty(con, n, n_total, vw)
                parts.append(poly)
                continue
            support, g = values_on_support(con.body, con.name)
            v = violation_amounts(g - con.rhs, con.sense, 1e-9)
            if not v.any():
                continue
            w = (1.0 + vw[support].sum()) / v[v > 0].min()
            parts.append(fit(support, w * v))
        rule = ("constraints on <= 16 variables: W_c * violation_c(x), exact Möbius fit, W_c = (1 + sum |obj coef| "
                "touching support) / min violation; wider linear rows: (1 + max per-variable |obj coef| on the row) "
                "/ gcd^2 * (a.x + slack - b)^2, integer slack in binaries")
    p = canonicalize(poly_sum(parts))
    return PuboArrays(n_total, p.offsets, p.indices, p.coefs, p.constant, sign, rule, n_total - n)


def _is_linear(con: Constraint, n: int) -> bool:
    return bool(np.all(np.diff(as_poly(con.body, n).offsets) == 1))


def wide_row_penalty(con: Constraint, n: int, next_slack: int, vw: np.ndarray) -> tuple[Poly, int]:
    """``W * (a.x + s - b)^2`` for a linear row too wide for the exact fit; returns the polynomial and the
    next free slack index. ``<=`` rows get s = +slack, ``>=`` rows s = -slack, slack in [0, span] encoded
    in bounded binaries (so integer data is required); W = (1 + max vw on the row) / gcd(a, b)^2."""
    body = as_poly(con.body, n)
    if np.any(np.diff(body.offsets) != 1):
        raise ValueError(f"constraint {con.name!r} is nonlinear and wider than {FIT_SUPPORT} variables")
    idx = body.indices
    a = body.coefs
    b = con.rhs - body.constant
    if con.sense != "==":
        if not (np.all(a == np.round(a)) and b == round(b)):
            raise ValueError(f"constraint {con.name!r}: slack encoding needs integer coefficients")
        span = b - a[a < 0].sum() if con.sense == "<=" else a[a > 0].sum() - b
        if span >= 1:
            bits = bounded_binary_weights(int(span))
            idx = np.concatenate([idx, np.arange(next_slack, next_slack + len(bits))])
            a = np.concatenate([a, bits if con.sense == "<=" else -bits])
            next_slack += len(bits)
    ints = np.concatenate([a, [b]])
    g = float(np.gcd.reduce(np.abs(ints).astype(np.int64))) if np.all(ints == np.round(ints)) else 1.0
    w = (1.0 + float(vw[body.indices].max(initial=0.0))) / max(g, 1.0) ** 2
    i, j = np.triu_indices(len(idx), 1)
    lin = w * (a * a - 2.0 * b * a)
    quad = w * 2.0 * a[i] * a[j]
    pairs = np.stack([idx[i], idx[j]], axis=1).reshape(-1)
    poly = Poly(np.concatenate([np.arange(len(idx) + 1), len(idx) + 2 * np.arange(1, len(i) + 1)]),
                np.concatenate([idx, pairs]), np.concatenate([lin, quad]), w * b * b)
    return poly, next_slack


@dataclass
class Score:
    """The original problem's view of one point."""

    objective: float
    feasible: bool
    max_violation: float


def score(problem: BinaryProblem, x: np.ndarray) -> Score:
    """Objective (user sense) and feasibility of ``x`` on the ORIGINAL problem."""
    x = np.asarray(x, dtype=np.float64).reshape(1, -1)[:, :problem.n_binaries]
    if x.shape[1] != problem.n_binaries or not np.isin(x, (0.0, 1.0)).all():
        raise ValueError(f"a solution must be a 0/1 vector of length {problem.n_binaries}")
    v = evaluate_problem(problem, x)
    return Score(float(v.objective[0]), bool(v.feasible[0]), float(v.max_violation[0]))
