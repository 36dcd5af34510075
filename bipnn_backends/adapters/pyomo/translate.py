"""Pyomo model -> :class:`~bipnn_backends.core.problem.BinaryProblem`.

One generic, non-recursive walk (``StreamBasedExpressionVisitor``) over the
active objective and every active constraint. Parameters, fixed Vars and
any variable-free subexpression fold to constants; linear expressions and
products of binaries become vectorised :class:`~bipnn_backends.core.expr.Poly`
leaves (one per sum, not one Python object per term); everything else maps
onto the IR node of the same meaning. The model itself is never modified.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable as _Fn, Sequence

import numpy as np
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.block import BlockData
from pyomo.core.base.constraint import Constraint
from pyomo.core.base.logical_constraint import LogicalConstraint
from pyomo.core.base.objective import ObjectiveData, maximize
from pyomo.core.base.sos import SOSConstraint
from pyomo.core.base.var import VarData
from pyomo.core.expr.numeric_expr import (AbsExpression, DivisionExpression, LinearExpression, MaxExpression,
                                          MinExpression, MonomialTermExpression, NegationExpression,
                                          PowExpression, ProductExpression, SumExpression,
                                          UnaryFunctionExpression)
from pyomo.core.expr.visitor import StreamBasedExpressionVisitor
from pyomo.contrib.solver.common.util import get_objective

from ...core.continuous import Columns
from ...core.evaluate import evaluate
from ...core.expr import Callable, Const, Expr, Poly, apply, as_expr, quicksum
from ...core.functions import OPAQUE, by_host_spelling
from ...core.problem import BinaryProblem, is_binary_range
from ...errors import ModelError
from .._kit import raising_host_errors
from .errors import (ERRORS, PyomoModelError, PyomoNonFiniteCoefficientError, PyomoUndefinedFunctionError,
                     PyomoUnsupportedExpressionError)

#: Pyomo's spelling -> the IR's function (core/functions.py); others are OPAQUE callables.
PYOMO_FUNCTIONS = by_host_spelling("pyomo")


class _Mono:
    """coef * prod(x[idx]) over binaries: the walk's cheap intermediate for polynomial terms."""

    __slots__ = ("coef", "idx")

    def __init__(self, coef: float, idx: tuple[int, ...]) -> None:
        self.coef = coef
        self.idx = idx


Value = Any  # float | _Mono | Expr


@dataclass
class Translation:
    """A translated model: the problem, and the Pyomo Vars it reads (key in the problem = position)."""

    problem: BinaryProblem
    variables: list[VarData]
    objective: ObjectiveData | None
    n_constraints: int
    n_binary_vars: int
    n_integer_vars: int
    n_continuous_vars: int = 0


def translate(model: BlockData, fit_limit: int = 12) -> Translation:
    """Translate the active parts of ``model``; raises a :class:`PyomoModelError` subclass naming the component."""
    t = _Translator(model, fit_limit)
    with raising_host_errors(ERRORS, where=lambda: t.where):
        return t.run()


class _Translator:
    def __init__(self, model: BlockData, fit_limit: int) -> None:
        self.model = model
        self.fit_limit = fit_limit
        self.problem = BinaryProblem(name=model.name)
        self.leaves: dict[int, Value] = {}  # id(VarData) -> leaf; the model keeps the Vars alive
        self.variables: list[VarData] = []
        self.kinds = {"binary": 0, "integer": 0, "continuous": 0}
        self.where = "model"
        self.walker = _Walker(self)

    # -- components --------------------------------------------------------
    def run(self) -> Translation:
        for ctype in (SOSConstraint, LogicalConstraint):
            for comp in self.model.component_data_objects(ctype, active=True, descend_into=True):
                raise PyomoUnsupportedExpressionError(
                    f"{ctype.__name__} {comp.name!r} is not supported by bipnn; deactivate or reformulate it")
        try:
            obj = get_objective(self.model)
        except ValueError as exc:
            raise PyomoModelError(f"bipnn needs at most one active objective: {exc}") from exc
        if obj is not None:
            self.where = f"objective {obj.name!r}"
            self.problem.set_objective(self._ir(obj.expr), "max" if obj.sense == maximize else "min")
        n_cons = 0
        for con in self.model.component_data_objects(Constraint, active=True, descend_into=True):
            self.where = f"constraint {con.name!r}"
            self._constraint(con)
            n_cons += 1
        return Translation(self.problem, self.variables, obj, n_cons, self.kinds["binary"], self.kinds["integer"],
                           self.kinds["continuous"])

    def _constraint(self, con: Any) -> None:
        body = self._ir(con.body)
        lb, ub = _bound(con.lb, -math.inf), _bound(con.ub, math.inf)
        if con.equality or (lb is not None and lb == ub):
            self.problem.add_constraint(body, "==", lb, con.name)
        elif lb is not None and ub is not None:
            self.problem.add_constraint(body, ">=", lb, f"{con.name}:lb")
            self.problem.add_constraint(body, "<=", ub, f"{con.name}:ub")
        elif lb is not None:
            self.problem.add_constraint(body, ">=", lb, con.name)
        elif ub is not None:
            self.problem.add_constraint(body, "<=", ub, con.name)

    def _ir(self, expr: Any) -> Expr:
        return to_ir(self.walker.walk_expression(expr))

    # -- leaves --------------------------------------------------------------
    def var_leaf(self, var: VarData) -> Value:
        if var.fixed:
            if var.value is None:
                raise PyomoModelError(f"{self.where}: Var {var.name!r} is fixed but has no value")
            return self.number(var.value)
        leaf = self.leaves.get(id(var))
        if leaf is None:
            leaf = self.leaves[id(var)] = self._register(var)
        return leaf

    def _register(self, var: VarData) -> Value:
        name, key = var.name, len(self.variables)
        lb, ub = var.bounds
        if var.is_integer():
            if is_binary_range(lb, ub):
                leaf: Value = _Mono(1.0, (self.problem.add_binary(name, key).index,))
                self.kinds["binary"] += 1
            else:
                enc = self.problem.add_integer(name, lb, ub, key)
                leaf = enc.value if isinstance(enc, Const) else enc
                self.kinds["integer"] += 1
        else:
            enc = self.problem.add_continuous(name, lb, ub, key)
            leaf = enc.value if isinstance(enc, Const) else enc
            self.kinds["continuous"] += 1
        self.variables.append(var)
        return leaf

    def number(self, v: Any) -> float:
        out = float(v)
        if not math.isfinite(out):
            raise PyomoNonFiniteCoefficientError(f"{self.where}: non-finite constant {out}")
        return out

    def constant(self, node: Any) -> float:
        """Value of a variable-free node (Params, fixed Vars, numeric subexpressions)."""
        try:
            return self.number(node())
        except ModelError:
            raise
        except (ValueError, ZeroDivisionError, OverflowError) as exc:
            cls = PyomoModelError
            if isinstance(exc, (ZeroDivisionError, OverflowError)) or "domain" in str(exc):
                cls = PyomoUndefinedFunctionError
            raise cls(f"{self.where}: cannot evaluate {_short(node)} ({exc})") from exc

    def linear(self, node: LinearExpression) -> Value:
        """A LinearExpression in one pass: one Poly leaf."""
        idx: list[int] = []
        coefs: list[float] = []
        enc_idx: list[np.ndarray] = []
        enc_coefs: list[np.ndarray] = []
        col_idx: list[np.ndarray] = []
        col_coefs: list[np.ndarray] = []
        const, rest = 0.0, []
        for arg in node.args:
            if type(arg) in native_numeric_types:
                const += float(arg)
                continue
            if isinstance(arg, MonomialTermExpression):
                c, var = arg.args
                c = float(c) if type(c) in native_numeric_types else self.constant(c)
                if not math.isfinite(c):
                    raise PyomoNonFiniteCoefficientError(
                        f"{self.where}: the coefficient {c} on Var {var.name!r} is not finite")
            elif isinstance(arg, VarData):
                c, var = 1.0, arg
            elif not arg.is_potentially_variable():
                const += self.constant(arg)
                continue
            else:
                rest.append(self.walker.walk_expression(arg))
                continue
            leaf = self.var_leaf(var)
            if isinstance(leaf, float):
                const += c * leaf
            elif isinstance(leaf, _Mono):
                idx.append(leaf.idx[0])
                coefs.append(c)
            elif isinstance(leaf, Columns):  # continuous, or integer without bounds
                col_idx.append(leaf.indices)
                col_coefs.append(c * leaf.coefs)
            else:  # integer encoding: a linear Poly
                enc_idx.append(leaf.indices)
                enc_coefs.append(c * leaf.coefs)
                const += c * leaf.constant
        poly: Value = const
        if idx or enc_idx:
            poly = Poly.linear(np.concatenate([np.asarray(idx, dtype=np.int64), *enc_idx]),
                               np.concatenate([np.asarray(coefs, dtype=np.float64), *enc_coefs]), const)
        if col_idx:
            rest.append(Columns(np.concatenate(col_idx), np.concatenate(col_coefs)))
        return _sum([poly, *rest]) if rest else poly

    # -- nodes -----------------------------------------------------------------
    def exit(self, node: Any, data: list[Value]) -> Value:
        if node.is_named_expression_type():
            return data[0]
        if isinstance(node, SumExpression):
            return _sum(data)
        if isinstance(node, ProductExpression):
            return _product(data[0], data[1])
        if isinstance(node, NegationExpression):
            return _product(-1.0, data[0])
        if isinstance(node, DivisionExpression):
            return self._divide(data[0], data[1])
        if isinstance(node, PowExpression):
            return self._power(data[0], data[1])
        if isinstance(node, (UnaryFunctionExpression, AbsExpression)):
            return self._function(node.getname(), data[0])
        if isinstance(node, (MaxExpression, MinExpression)):
            name, fn = ("max", np.max) if isinstance(node, MaxExpression) else ("min", np.min)
            if all(isinstance(d, float) for d in data):
                return float(fn(data))
            return self._opaque(name, [to_ir(d) for d in data], lambda vals: fn(np.stack(vals), axis=0))
        raise PyomoUnsupportedExpressionError(
            f"{self.where}: expression node {type(node).__name__} ({_short(node)}) is not supported by bipnn")

    def _divide(self, num: Value, den: Value) -> Value:
        if isinstance(den, float):
            if den == 0:
                raise PyomoUndefinedFunctionError(f"{self.where}: division by zero")
            return _product(num, 1.0 / den)
        return to_ir(num) / to_ir(den)

    def _power(self, base: Value, exponent: Value) -> Value:
        if not isinstance(exponent, float):
            if isinstance(base, float) and base > 0:
                return apply("exp", to_ir(exponent) * math.log(base))
            raise PyomoUnsupportedExpressionError(
                f"{self.where}: a variable exponent is supported only on a positive constant base")
        if isinstance(base, float):
            try:
                out = base ** exponent
            except (ZeroDivisionError, OverflowError) as exc:
                raise PyomoUndefinedFunctionError(f"{self.where}: {base:g}**{exponent:g} ({exc})") from exc
            if isinstance(out, complex):
                raise PyomoUndefinedFunctionError(f"{self.where}: {base:g}**{exponent:g} is not real")
            return self.number(out)
        if exponent == 0:
            return 1.0
        if isinstance(base, _Mono) and exponent.is_integer() and exponent > 0:
            return _Mono(base.coef ** exponent, base.idx * int(exponent))
        return to_ir(base) ** exponent

    def _function(self, name: str, arg: Value) -> Value:
        if name in PYOMO_FUNCTIONS:
            out = apply(PYOMO_FUNCTIONS[name], to_ir(arg))
            return out.value if isinstance(out, Const) else out
        fn = OPAQUE.get(name)
        if fn is None:
            raise PyomoUnsupportedExpressionError(f"{self.where}: function {name!r} is not supported by bipnn")
        if isinstance(arg, float):
            with np.errstate(all="ignore"):
                out = float(fn(np.float64(arg)))
            if not math.isfinite(out):
                raise PyomoUndefinedFunctionError(f"{self.where}: {name}({arg:g}) is undefined")
            return out
        return self._opaque(name, [to_ir(arg)], lambda vals: fn(vals[0]))

    def _opaque(self, name: str, args: Sequence[Expr], combine: _Fn[[list[np.ndarray]], np.ndarray]) -> Expr:
        """A function outside the IR, as a callable of its binaries (fitted exactly by the core)."""
        support = np.unique(np.concatenate([a.support() for a in args]))
        if len(support) > self.fit_limit:
            raise PyomoUnsupportedExpressionError(
                f"{self.where}: {name}(...) reads {len(support)} binaries; bipnn fits such functions "
                f"exactly only up to fit_limit={self.fit_limit}")

        def fn(cols: np.ndarray) -> np.ndarray:
            with np.errstate(all="ignore"):
                return combine([evaluate(a, cols, support) for a in args])

        return Callable(fn, support, name)


class _Walker(StreamBasedExpressionVisitor):
    """Pyomo expression -> float | _Mono | IR Expr, without recursion."""

    def __init__(self, translator: _Translator) -> None:
        super().__init__()
        self.t = translator

    def initializeWalker(self, expr: Any) -> tuple[bool, Value]:
        descend, result = self.beforeChild(None, expr, 0)
        return descend, result

    def beforeChild(self, node: Any, child: Any, child_idx: int) -> tuple[bool, Value]:
        if type(child) in native_numeric_types:
            if isinstance(node, MonomialTermExpression) and not math.isfinite(child):
                raise PyomoNonFiniteCoefficientError(
                    f"{self.t.where}: the coefficient {float(child)} on Var {node.args[1].name!r} is not finite")
            return False, self.t.number(child)
        if child.is_expression_type():
            if not child.is_potentially_variable():
                return False, self.t.constant(child)
            if type(child) is LinearExpression:
                return False, self.t.linear(child)
            return True, None
        if child.is_variable_type():
            return False, self.t.var_leaf(child)
        if child.is_potentially_variable():
            raise PyomoUnsupportedExpressionError(
                f"{self.t.where}: component {type(child).__name__} ({_short(child)}) is not supported by bipnn")
        return False, self.t.constant(child)

    def exitNode(self, node: Any, data: list[Value]) -> Value:
        return self.t.exit(node, data)


def to_ir(v: Value) -> Expr:
    """float / _Mono / Expr -> Expr."""
    if isinstance(v, _Mono):
        return Poly.from_terms([(v.coef, v.idx)])
    return as_expr(v)


def _sum(data: Sequence[Value]) -> Value:
    const, terms, rest = 0.0, [], []
    for d in data:
        if isinstance(d, float):
            const += d
        elif isinstance(d, _Mono):
            terms.append((d.coef, d.idx))
        else:
            rest.append(d)
    if not terms and not rest:
        return const
    if len(terms) == 1 and not rest and const == 0:
        return _Mono(*terms[0])
    if terms:
        rest.append(Poly.from_terms(terms, const))
    elif const != 0:
        rest.append(Const(const))
    return rest[0] if len(rest) == 1 else quicksum(rest)


def _product(a: Value, b: Value) -> Value:
    if isinstance(a, float) and isinstance(b, float):
        return a * b
    if isinstance(b, float):
        a, b = b, a
    if isinstance(a, float) and a == 0:
        return 0.0
    if isinstance(a, float) and isinstance(b, _Mono):
        return _Mono(a * b.coef, b.idx)
    if isinstance(a, _Mono) and isinstance(b, _Mono):
        return _Mono(a.coef * b.coef, a.idx + b.idx)
    return to_ir(a) * to_ir(b)


def _bound(b: Any, infinite: float) -> float | None:
    if b is None:
        return None
    b = float(b)
    return None if b == infinite else b


def _short(node: Any, limit: int = 60) -> str:
    text = str(node)
    return text if len(text) <= limit else text[: limit - 3] + "..."
