"""The one walk over expression trees, written against an array namespace.

The verifier (numpy, :mod:`.evaluate`) and the relaxation (torch,
``engine/texpr.py``) evaluate the same trees; the walk lives here once and each
side supplies an :class:`ArrayNamespace` for its leaves and elementwise
operations. Sums, products and quotients use the arrays' own ``+ * /``.
"""

from __future__ import annotations

from typing import Any, Protocol

from ..errors import UnsupportedExpressionError
from .expr import Callable, Const, Div, Expr, Func, Poly, Power, Product, Sum, Var


class ArrayNamespace(Protocol):
    """What :func:`walk` needs from an array library, bound to one batch of points."""

    def constant(self, value: float) -> Any:
        """``value`` at every point."""

    def column(self, index: int) -> Any:
        """The value of variable ``index`` at every point."""

    def poly(self, p: Poly) -> Any:
        """The multilinear polynomial ``p`` at every point."""

    def power(self, a: Any, exponent: float) -> Any:
        """``a ** exponent`` elementwise."""

    def function(self, name: str, a: Any) -> Any:
        """The registry's function ``name`` applied elementwise."""

    def callable(self, e: Callable) -> Any:
        """The opaque callable ``e`` at every point (one value per point)."""


def walk(e: Expr, ns: ArrayNamespace) -> Any:
    """Value of ``e`` at every point of ``ns``."""
    if isinstance(e, Const):
        return ns.constant(e.value)
    if isinstance(e, Var):
        return ns.column(e.index)
    if isinstance(e, Poly):
        return ns.poly(e)
    if isinstance(e, Sum):
        out = walk(e.terms[0], ns)
        for t in e.terms[1:]:
            out = out + walk(t, ns)
        return out
    if isinstance(e, Product):
        out = walk(e.factors[0], ns)
        for f in e.factors[1:]:
            out = out * walk(f, ns)
        return out
    if isinstance(e, Power):
        return ns.power(walk(e.base, ns), e.exponent)
    if isinstance(e, Div):
        return walk(e.numerator, ns) / walk(e.denominator, ns)
    if isinstance(e, Func):
        return ns.function(e.name, walk(e.arg, ns))
    if isinstance(e, Callable):
        return ns.callable(e)
    raise UnsupportedExpressionError(f"cannot evaluate node {type(e).__name__}")
