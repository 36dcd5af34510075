"""Expression trees over binary variables: the shared IR's building blocks.

Nodes are immutable. Large linear and polynomial parts live in one
vectorised leaf, :class:`Poly` (flat arrays: monomial offsets, variable
indices, coefficients, constant), so a model with 100,000 variables needs a
handful of Python objects, not one per term. Everything else (products,
powers, division, the functions in :data:`FUNCTIONS`, user callables) is a
small tree node. Python operators build trees: ``2 * x + sin(x * y)``.
"""

from __future__ import annotations

from typing import Callable as _Callable, Iterable, Sequence

import numpy as np

from .functions import REGISTRY, scalar_function
from .names import current as current_names

FUNCTIONS: tuple[str, ...] = tuple(REGISTRY)  # the names; everything else about them: core/functions.py

Number = (int, float, np.integer, np.floating)


class Expr:
    """Base class of expression nodes; supports + - * / ** and unary -."""

    __slots__ = ("_support",)

    def children(self) -> tuple["Expr", ...]:
        return ()

    def support(self) -> np.ndarray:
        """Sorted unique indices of the binary variables this node reads."""
        cached = getattr(self, "_support", None)
        if cached is None:
            parts = [c.support() for c in self.children()]
            cached = np.unique(np.concatenate(parts)) if parts else np.zeros(0, np.int64)
            cached = cached.astype(np.int64, copy=False)
            object.__setattr__(self, "_support", cached)
        return cached

    def __add__(self, other: object) -> "Expr":
        return add(self, as_expr(other))

    def __radd__(self, other: object) -> "Expr":
        return add(as_expr(other), self)

    def __sub__(self, other: object) -> "Expr":
        return add(self, negate(as_expr(other)))

    def __rsub__(self, other: object) -> "Expr":
        return add(as_expr(other), negate(self))

    def __mul__(self, other: object) -> "Expr":
        return multiply(self, as_expr(other))

    def __rmul__(self, other: object) -> "Expr":
        return multiply(as_expr(other), self)

    def __truediv__(self, other: object) -> "Expr":
        other = as_expr(other)
        if isinstance(other, Const):
            if other.value == 0:
                raise ZeroDivisionError(f"division of {describe(self)} by the constant 0")
            return multiply(self, Const(1.0 / other.value))
        return Div(self, other)

    def __rtruediv__(self, other: object) -> "Expr":
        return Div(as_expr(other), self)

    def __pow__(self, exponent: object) -> "Expr":
        if not isinstance(exponent, Number):
            raise TypeError("only constant exponents are supported")
        return Power(self, float(exponent))

    def __neg__(self) -> "Expr":
        return negate(self)

    def __repr__(self) -> str:
        return describe(self)


class Const(Expr):
    """A constant."""

    __slots__ = ("value",)

    def __init__(self, value: float) -> None:
        self.value = float(value)


class Var(Expr):
    """One binary variable, by its index in the problem."""

    __slots__ = ("index",)

    def __init__(self, index: int) -> None:
        self.index = int(index)

    def support(self) -> np.ndarray:
        return np.array([self.index], dtype=np.int64)


class Poly(Expr):
    """Vectorised polynomial leaf: sum_k coefs[k] * prod(x[indices[offsets[k]:offsets[k+1]]]) + constant.

    Monomials may repeat a variable (x^2) or each other; the reformulation
    canonicalises them. Every monomial has at least one variable.
    """

    __slots__ = ("offsets", "indices", "coefs", "constant")

    def __init__(self, offsets: np.ndarray, indices: np.ndarray, coefs: np.ndarray,
                 constant: float = 0.0) -> None:
        self.offsets = np.ascontiguousarray(offsets, dtype=np.int64)
        self.indices = np.ascontiguousarray(indices, dtype=np.int64)
        self.coefs = np.ascontiguousarray(coefs, dtype=np.float64)
        self.constant = float(constant)
        if self.offsets.ndim != 1 or len(self.offsets) != len(self.coefs) + 1:
            raise ValueError("Poly: offsets must have one more entry than coefs")
        if len(self.offsets) and (self.offsets[0] != 0 or self.offsets[-1] != len(self.indices)):
            raise ValueError("Poly: offsets must start at 0 and end at len(indices)")
        if np.any(np.diff(self.offsets) < 1):
            raise ValueError("Poly: every monomial needs at least one variable")

    @classmethod
    def linear(cls, indices: Sequence[int] | np.ndarray, coefs: Sequence[float] | np.ndarray,
               constant: float = 0.0) -> "Poly":
        """sum_i coefs[i] * x[indices[i]] + constant, built without a Python loop."""
        idx = np.asarray(indices, dtype=np.int64)
        return cls(np.arange(len(idx) + 1), idx, np.asarray(coefs, dtype=np.float64), constant)

    @classmethod
    def from_terms(cls, terms: Iterable[tuple[float, Sequence[int]]], constant: float = 0.0) -> "Poly":
        """Build from ``(coef, (i, j, ...))`` pairs; an empty index tuple adds to the constant."""
        offsets, flat, coefs = [0], [], []
        for coef, idx in terms:
            if len(idx) == 0:
                constant += coef
                continue
            flat.extend(idx)
            offsets.append(len(flat))
            coefs.append(coef)
        return cls(np.array(offsets), np.array(flat, dtype=np.int64), np.array(coefs), constant)

    @property
    def n_terms(self) -> int:
        return len(self.coefs)

    def degrees(self) -> np.ndarray:
        return np.diff(self.offsets)

    def support(self) -> np.ndarray:
        cached = getattr(self, "_support", None)
        if cached is None:
            cached = np.unique(self.indices)
            object.__setattr__(self, "_support", cached)
        return cached


class Sum(Expr):
    """A sum of terms."""

    __slots__ = ("terms",)

    def __init__(self, terms: Sequence[Expr]) -> None:
        self.terms = tuple(terms)

    def children(self) -> tuple[Expr, ...]:
        return self.terms


class Product(Expr):
    """A product of factors."""

    __slots__ = ("factors",)

    def __init__(self, factors: Sequence[Expr]) -> None:
        self.factors = tuple(factors)

    def children(self) -> tuple[Expr, ...]:
        return self.factors


class Power(Expr):
    """base ** exponent; a non-negative integer exponent keeps it polynomial."""

    __slots__ = ("base", "exponent")

    def __init__(self, base: Expr, exponent: float) -> None:
        self.base = base
        self.exponent = float(exponent)

    def children(self) -> tuple[Expr, ...]:
        return (self.base,)

    @property
    def is_polynomial(self) -> bool:
        return self.exponent >= 0 and float(self.exponent).is_integer()


class Div(Expr):
    """numerator / denominator with a non-constant denominator."""

    __slots__ = ("numerator", "denominator")

    def __init__(self, numerator: Expr, denominator: Expr) -> None:
        self.numerator = numerator
        self.denominator = denominator

    def children(self) -> tuple[Expr, ...]:
        return (self.numerator, self.denominator)


class Func(Expr):
    """One of :data:`FUNCTIONS` applied to an expression."""

    __slots__ = ("name", "arg")

    def __init__(self, name: str, arg: Expr) -> None:
        if name not in FUNCTIONS:
            raise ValueError(f"unknown function {name!r}; known: {', '.join(FUNCTIONS)}")
        self.name = name
        self.arg = arg

    def children(self) -> tuple[Expr, ...]:
        return (self.arg,)


class Callable(Expr):
    """A user function of a declared tuple of binary variables.

    ``fn`` receives an array of shape (batch, len(variables)) and returns
    shape (batch,). Up to the fitting limit K it is only ever called on 0/1
    numpy arrays (and replaced by its exact multilinear fit); a wider one is
    also called on relaxed torch tensors during training, so it must then be
    written with operations torch tensors support.
    """

    __slots__ = ("fn", "variables", "name")

    def __init__(self, fn: _Callable, variables: Sequence[int], name: str = "callable") -> None:
        self.fn = fn
        self.variables = tuple(int(v) for v in variables)
        self.name = name

    def support(self) -> np.ndarray:
        return np.unique(np.array(self.variables, dtype=np.int64))


def as_expr(value: object) -> Expr:
    """Wrap numbers as :class:`Const`; pass expressions through."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, Number):
        return Const(float(value))
    raise TypeError(f"cannot use {type(value).__name__} in a binary-program expression")


def add(a: Expr, b: Expr) -> Expr:
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(a.value + b.value)
    if isinstance(a, Const) and a.value == 0:
        return b
    if isinstance(b, Const) and b.value == 0:
        return a
    left = a.terms if isinstance(a, Sum) else (a,)
    right = b.terms if isinstance(b, Sum) else (b,)
    return Sum(left + right)


def multiply(a: Expr, b: Expr) -> Expr:
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(a.value * b.value)
    if isinstance(b, Const):
        a, b = b, a
    if isinstance(a, Const):
        if a.value == 1:
            return b
        if isinstance(b, Poly):
            return Poly(b.offsets, b.indices, b.coefs * a.value, b.constant * a.value)
    left = a.factors if isinstance(a, Product) else (a,)
    right = b.factors if isinstance(b, Product) else (b,)
    return Product(left + right)


def negate(a: Expr) -> Expr:
    return multiply(Const(-1.0), a)


def quicksum(terms: Iterable[object]) -> Expr:
    """Sum many terms into one flat :class:`Sum` (linear time)."""
    exprs = [as_expr(t) for t in terms]
    consts = sum(e.value for e in exprs if isinstance(e, Const))
    rest = [e for e in exprs if not isinstance(e, Const)]
    if consts != 0 or not rest:
        rest.append(Const(consts))
    return rest[0] if len(rest) == 1 else Sum(rest)


def apply(name: str, arg: object) -> Expr:
    """``apply("sin", x + y)``: a function node (constants are folded)."""
    arg = as_expr(arg)
    if isinstance(arg, Const):
        return Const(scalar_function(name, arg.value))
    return Func(name, arg)


def _make(name: str) -> _Callable[[object], Expr]:
    def fn(arg: object) -> Expr:
        return apply(name, arg)
    fn.__name__ = name
    fn.__doc__ = f"{name}(arg) as an expression node."
    return fn


sin, cos, tan, exp, log, log10, sqrt = (_make(n) for n in FUNCTIONS[:7])
abs_, tanh, sigmoid = _make("abs"), _make("tanh"), _make("sigmoid")


def describe(expr: Expr, limit: int = 80) -> str:
    """A short human-readable rendering, truncated to ``limit`` characters; variables by the
    user's names while :func:`~.names.naming` is in effect, else as ``x<index>``."""
    text = _describe(expr, limit, False)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_SHOWN = 4  # monomials shown per polynomial


def _join(parts: list[tuple[float, str]], constant: float, more: int) -> str:
    text = ""
    for c, body in parts:
        term = body if c == 1 else f"-{body}" if c == -1 else f"{c:g}*{body}"
        text += term if not text else (f" - {term[1:]}" if term.startswith("-") else f" + {term}")
    if more:
        text += f" + ...({more} more terms)"
    if constant or not text:
        text += f"{constant:g}" if not text else f" - {-constant:g}" if constant < 0 else f" + {constant:g}"
    return text


def _poly_text(e: Poly) -> tuple[str, int]:
    """(text, number of terms shown)."""
    names = current_names()
    head = min(e.n_terms, 64)  # enough to recognise an integer's bits among the first terms
    if names is not None and e.n_terms and len(e.indices) == e.n_terms:
        terms, const = names.linear(e.indices[:head], e.coefs[:head], e.constant)
        extra = e.n_terms - head
    else:
        label = names.label if names is not None else (lambda i: f"x{i}")
        terms = [(float(e.coefs[k]), "*".join(label(int(i)) for i in e.indices[e.offsets[k]:e.offsets[k + 1]]))
                 for k in range(min(e.n_terms, _SHOWN))]
        const, extra = e.constant, e.n_terms - min(e.n_terms, _SHOWN)
    shown = terms[:_SHOWN]
    return _join(shown, const, len(terms) - len(shown) + extra), len(shown) + (1 if const else 0)


def _describe(e: Expr, limit: int, wrap: bool) -> str:
    """``wrap``: parenthesise a sum (the caller binds tighter than +)."""
    if isinstance(e, Const):
        return f"{e.value:g}"
    if isinstance(e, Var):
        names = current_names()
        return names.label(e.index) if names is not None else f"x{e.index}"
    if isinstance(e, Poly):
        text, count = _poly_text(e)
        return f"({text})" if wrap and count > 1 else text
    if isinstance(e, Sum):
        text = ""
        for t in e.terms[:6]:
            part = _describe(t, limit, False)
            text += part if not text else f" - {part[1:]}" if part.startswith("-") else f" + {part}"
        text += " + ..." if len(e.terms) > 6 else ""
        return f"({text})" if wrap else text
    if isinstance(e, Product):
        factors = e.factors
        sign = ""
        if len(factors) > 1 and isinstance(factors[0], Const) and factors[0].value == -1:
            sign, factors = "-", factors[1:]
        return sign + "*".join(_describe(f, limit, True) for f in factors[:6]) + ("*..." if len(factors) > 6 else "")
    if isinstance(e, Power):
        exp_ = int(e.exponent) if e.exponent.is_integer() else e.exponent
        return f"{_describe(e.base, limit, True)}**{exp_}"
    if isinstance(e, Div):
        return f"{_describe(e.numerator, limit, True)}/{_describe(e.denominator, limit, True)}"
    if isinstance(e, Func):
        return f"{e.name}({_describe(e.arg, limit, False)})"
    if isinstance(e, Callable):
        names = current_names()
        label = names.label if names is not None else (lambda i: f"x{i}")
        more = ",..." if len(e.variables) > 6 else ""
        return f"{e.name}(" + ",".join(label(v) for v in e.variables[:6]) + more + ")"
    return type(e).__name__
