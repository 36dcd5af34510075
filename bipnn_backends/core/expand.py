"""Expression tree → multilinear polynomial, plus the parts too wide to fit.

Polynomial nodes are expanded (x^k = x); any other node over at most K
(``fit_limit``) variables is replaced by its exact multilinear fit; a wider
non-polynomial node stays an opaque term that the engine evaluates in relaxed
form and the verifier evaluates exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..errors import ExpansionLimitError, ModelError, NonFiniteCoefficientError
from .bounds import bounds, poly_bounds
from .evaluate import values_on_support
from .expr import Callable, Const, Div, Expr, Func, Poly, Power, Product, Sum, Var, describe
from .mobius import fit
from .multilinear import canonicalize, constant, poly_power, poly_product, poly_sum


@dataclass
class Expansion:
    """poly(x) + sum(coef * expr(x) for coef, expr in opaque)."""

    poly: Poly
    opaque: list[tuple[float, Expr]] = field(default_factory=list)

    @property
    def is_polynomial(self) -> bool:
        return not self.opaque


class Expander:
    """Expands expressions of one problem; ``what`` names the objective or constraint in errors."""

    def __init__(self, n: int, fit_limit: int, max_monomials: int) -> None:
        self.n = n
        self.fit_limit = fit_limit
        self.cap = max_monomials

    def expand(self, e: Expr, what: str) -> Expansion:
        out = self._expand(e, what)
        return Expansion(canonicalize(out.poly), out.opaque)

    def _expand(self, e: Expr, what: str) -> Expansion:
        if isinstance(e, Const):
            if not np.isfinite(e.value):
                raise NonFiniteCoefficientError(f"{what} has a non-finite constant {e.value}")
            return Expansion(constant(e.value))
        if isinstance(e, Var):
            self._check_index(np.array([e.index]), what)
            return Expansion(Poly.linear([e.index], [1.0]))
        if isinstance(e, Poly):
            if not (np.isfinite(e.coefs).all() and np.isfinite(e.constant)):
                bad = np.nonzero(~np.isfinite(e.coefs))[0]
                where = "constant" if not len(bad) else "coefficient of " + describe(
                    Poly(np.array([0, e.offsets[bad[0] + 1] - e.offsets[bad[0]]]),
                         e.indices[e.offsets[bad[0]]:e.offsets[bad[0] + 1]], np.ones(1)))
                value = e.coefs[bad[0]] if len(bad) else e.constant
                raise NonFiniteCoefficientError(f"{what} has a non-finite {where} ({value})")
            self._check_index(e.indices, what)
            return Expansion(e)
        if isinstance(e, Sum):
            parts = [self._expand(t, what) for t in e.terms]
            return Expansion(poly_sum([p.poly for p in parts]), [o for p in parts for o in p.opaque])
        if isinstance(e, Product):
            return self._product(e, what)
        if isinstance(e, Power) and e.is_polynomial and len(e.support()) > self.fit_limit:
            base = self._expand(e.base, what)
            if base.is_polynomial:
                return Expansion(poly_power(base.poly, int(e.exponent), self.cap, _Where(what, e)))
        if isinstance(e, (Power, Div, Func, Callable)):
            return self._fit_or_opaque(e, what)
        raise ModelError(f"{what}: unsupported expression node {type(e).__name__}")

    def _product(self, e: Product, what: str) -> Expansion:
        parts = [self._expand(f, what) for f in e.factors]
        if all(p.is_polynomial for p in parts):
            result = parts[0].poly
            try:
                for p in parts[1:]:
                    result = poly_product(result, p.poly, self.cap, _Where(what, e))
            except ExpansionLimitError:
                if len(e.support()) > self.fit_limit:
                    raise
                return self._fit_or_opaque(e, what)
            return Expansion(result)
        wide = [p for p in parts if not p.is_polynomial]
        factor = 1.0
        for p in parts:
            if p.is_polynomial:
                q = canonicalize(p.poly)
                if q.n_terms:
                    return self._fit_or_opaque(e, what)
                factor *= q.constant
        if len(wide) == 1 and not wide[0].poly.n_terms and wide[0].poly.constant == 0:
            return Expansion(constant(0.0), [(factor * c, x) for c, x in wide[0].opaque])
        return self._fit_or_opaque(e, what)

    def _fit_or_opaque(self, e: Expr, what: str) -> Expansion:
        support = e.support()
        self._check_index(support, what)
        if len(support) <= self.fit_limit:
            support, values = values_on_support(e, what)
            return Expansion(fit(support, values))
        bounds(e, what)
        return Expansion(constant(0.0), [(1.0, e)])

    def _check_index(self, idx: np.ndarray, what: str) -> None:
        if len(idx) and (idx.min() < 0 or idx.max() >= self.n):
            raise ModelError(f"{what} refers to variable index {int(idx.max() if idx.max() >= self.n else idx.min())}, "
                             f"outside 0..{self.n - 1}")


class _Where:
    """``what, in <expression>`` for an error message, rendered only if one is raised."""

    def __init__(self, what: str, e: Expr) -> None:
        self.what, self.e = what, e

    def __str__(self) -> str:
        return f"{self.what}, in {describe(self.e)}"


def expansion_bounds(ex: Expansion, what: str) -> tuple[float, float]:
    """An interval containing the expansion's value at every 0/1 point."""
    lo, hi = poly_bounds(ex.poly)
    for coef, term in ex.opaque:
        a, b = bounds(term, what)
        lo += min(coef * a, coef * b)
        hi += max(coef * a, coef * b)
    return lo, hi
