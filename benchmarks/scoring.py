"""One shared scorer, and the minimisation PUBO that penalty-based baselines sample.

Every solver's answer is re-scored here on the ORIGINAL problem
(:func:`bipnn_backends.core.evaluate.evaluate_problem`: objective in the
user's sense and feasibility), never on a solver's self-reported value.
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
from bipnn_backends.core.problem import BinaryProblem
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

    def terms(self) -> dict[tuple[int, ...], float]:
        """``{(i, j, ...): coef}`` for samplers that take dictionaries."""
        idx = self.indices.tolist()
        off = self.offsets.tolist()
        return {tuple(idx[off[k]:off[k + 1]]): c for k, c in enumerate(self.coefs.tolist())}

    def variable_weight(self) -> np.ndarray:
        """Per variable: sum of |coef| over the monomials containing it."""
        return np.bincount(self.indices, weights=np.repeat(np.abs(self.coefs), self.degrees()), minlength=self.n)


def to_pubo(problem: BinaryProblem) -> PuboArrays:
    """The minimisation PUBO of ``problem`` for the penalty-based baselines.

    Each constraint (support of at most 16 variables) becomes the exact
    multilinear fit of ``W_c * violation_c(x)``, with W_c = 1 + the sum of
    |objective coefficients| of the monomials touching its support (an upper
    bound on what changing those variables can gain), divided by the
    smallest non-zero violation on the support.
    """
    sign = -1.0 if problem.sense == "max" else 1.0
    obj = as_poly(problem.objective, problem.n_binaries)
    obj = Poly(obj.offsets, obj.indices, sign * obj.coefs, sign * obj.constant)
    parts = [obj]
    n = problem.n_binaries
    rule = ""
    if problem.constraints:
        vw = np.bincount(obj.indices, weights=np.repeat(np.abs(obj.coefs), np.diff(obj.offsets)), minlength=n)
        for con in problem.constraints:
            support, g = values_on_support(con.body, con.name)
            if len(support) > 16:
                raise ValueError(f"constraint {con.name!r} has {len(support)} variables; the benchmark export fits <= 16")
            v = violation_amounts(g - con.rhs, con.sense, 1e-9)
            if not v.any():
                continue
            w = (1.0 + vw[support].sum()) / v[v > 0].min()
            parts.append(fit(support, w * v))
        rule = "W_c * violation_c(x), exact Möbius fit; W_c = (1 + sum |obj coef| touching support) / min violation"
    p = canonicalize(poly_sum(parts))
    return PuboArrays(n, p.offsets, p.indices, p.coefs, p.constant, sign, rule)


@dataclass
class Score:
    """The original problem's view of one point."""

    objective: float
    feasible: bool
    max_violation: float


def score(problem: BinaryProblem, x: np.ndarray) -> Score:
    """Objective (user sense) and feasibility of ``x`` on the ORIGINAL problem."""
    x = np.asarray(x, dtype=np.float64).reshape(1, -1)
    if x.shape[1] != problem.n_binaries or not np.isin(x, (0.0, 1.0)).all():
        raise ValueError(f"a solution must be a 0/1 vector of length {problem.n_binaries}")
    v = evaluate_problem(problem, x)
    return Score(float(v.objective[0]), bool(v.feasible[0]), float(v.max_violation[0]))
