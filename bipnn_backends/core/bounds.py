"""Interval bounds of expressions over x in [0, 1]^n (hence over every 0/1 point).

Used where enumeration is impossible: the objective's range (for penalty
weights) and the domain check of functions over more variables than the
fitting limit. Bounds are conservative; a function whose argument interval
leaves its domain is reported as possibly undefined.
"""

from __future__ import annotations

import math

import numpy as np

from ..errors import UndefinedFunctionError
from .evaluate import NUMPY_FUNCTIONS
from .expr import Callable, Const, Div, Expr, Func, Poly, Power, Product, Sum, Var, describe
from .functions import REGISTRY

Interval = tuple[float, float]
_MONOTONE = tuple(name for name, f in REGISTRY.items() if f.interval == "increasing")


def poly_bounds(p: Poly) -> Interval:
    """Every monomial lies in [0, 1], so the polynomial lies in this interval."""
    return p.constant + float(np.minimum(p.coefs, 0).sum()), p.constant + float(np.maximum(p.coefs, 0).sum())


def bounds(e: Expr, what: str = "expression") -> Interval:
    """Interval containing the value of ``e`` at every 0/1 point; raises if a
    function's argument may leave its domain."""
    if isinstance(e, Const):
        return e.value, e.value
    if isinstance(e, Var):
        return 0.0, 1.0
    if isinstance(e, Poly):
        return poly_bounds(e)
    if isinstance(e, Sum):
        parts = [bounds(t, what) for t in e.terms]
        return sum(p[0] for p in parts), sum(p[1] for p in parts)
    if isinstance(e, Product):
        lo, hi = 1.0, 1.0
        for f in e.factors:
            lo, hi = _mul((lo, hi), bounds(f, what))
        return lo, hi
    if isinstance(e, Power):
        return _power(bounds(e.base, what), e, what)
    if isinstance(e, Div):
        dlo, dhi = bounds(e.denominator, what)
        if dlo <= 0 <= dhi:
            raise UndefinedFunctionError(
                f"{what}: the denominator of {describe(e)} ranges over [{dlo:g}, {dhi:g}] and may be 0 "
                "at some 0/1 point")
        return _mul(bounds(e.numerator, what), (1.0 / dhi, 1.0 / dlo))
    if isinstance(e, Func):
        return _func(e, bounds(e.arg, what), what)
    if isinstance(e, Callable):
        raise UndefinedFunctionError(
            f"{what}: callable {e.name!r} over {len(e.variables)} variables cannot be bounded; "
            "raise fit_limit so it is fitted exactly")
    raise TypeError(f"cannot bound {type(e).__name__}")


def _mul(a: Interval, b: Interval) -> Interval:
    c = (a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1])
    return min(c), max(c)


def _power(base: Interval, e: Power, what: str) -> Interval:
    lo, hi = base
    k = e.exponent
    if k.is_integer() and k >= 0:
        c = (lo ** k, hi ** k)
        if int(k) % 2 == 0 and lo < 0 < hi:
            return 0.0, max(c)
        return min(c), max(c)
    if lo < 0 or (k < 0 and lo <= 0):
        raise UndefinedFunctionError(
            f"{what}: {describe(e)} has a base ranging over [{lo:g}, {hi:g}] and may be undefined "
            "at some 0/1 point")
    c = (lo ** k, hi ** k)
    return min(c), max(c)


def _func(e: Func, arg: Interval, what: str) -> Interval:
    lo, hi = arg
    name = e.name
    if name in ("log", "log10") and lo <= 0 or name == "sqrt" and lo < 0:
        raise UndefinedFunctionError(
            f"{what}: {describe(e)} has an argument ranging over [{lo:g}, {hi:g}] and may be undefined "
            "at some 0/1 point")
    f = NUMPY_FUNCTIONS[name]
    if name in _MONOTONE:
        return float(f(lo)), float(f(hi))
    if name == "abs":
        return (0.0 if lo <= 0 <= hi else min(abs(lo), abs(hi))), max(abs(lo), abs(hi))
    if name == "tan":
        if math.floor((lo - math.pi / 2) / math.pi) != math.floor((hi - math.pi / 2) / math.pi) or \
                math.cos(lo) == 0 or math.cos(hi) == 0:
            raise UndefinedFunctionError(
                f"{what}: {describe(e)} has an argument ranging over [{lo:g}, {hi:g}], which contains a pole")
        return float(math.tan(lo)), float(math.tan(hi))
    shift = 0.0 if name == "sin" else math.pi / 2  # cos(x) = sin(x + pi/2)
    a, b = lo + shift, hi + shift
    values = [math.sin(a), math.sin(b)]
    k = math.ceil((a - math.pi / 2) / math.pi)
    while k * math.pi + math.pi / 2 <= b and len(values) < 4:
        values.append(math.sin(k * math.pi + math.pi / 2))
        k += 1
    return min(values), max(values)
