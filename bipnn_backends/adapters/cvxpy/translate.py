"""``prob.solve(method="bipnn")``: translate CVXPY's expression tree itself (DCP or not).

Each node becomes one of three values, all column-major like CVXPY:

- a float array (no variables: parameters and constants, evaluated);
- :class:`Affine` (``A @ binaries + c``, sparse): any subtree CVXPY itself
  calls affine, with A taken from CVXPY's own canonicalisation in one call;
- an object array of IR expressions, one per entry, for everything else.

Affine atoms over object arrays reuse CVXPY's canonicalisation too: the atom
is rebuilt over placeholder variables and its linear map applied to the
entries. Products, powers and functions become IR nodes; the core expands them.
"""

from __future__ import annotations

import functools
import logging
import math
import sys
import time
import warnings
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp
import cvxpy as cp
from cvxpy import settings as s
from cvxpy.atoms.affine.affine_atom import AffAtom
from cvxpy.atoms.affine.binary_operators import DivExpression, MulExpression, multiply
from cvxpy.constraints import Equality, Inequality, NonNeg, NonPos, Zero
from cvxpy.cvxcore.python import canonInterface
from cvxpy.error import ParameterError
from cvxpy.expressions.leaf import Leaf
from cvxpy.expressions.variable import Variable
from cvxpy.lin_ops import lin_op
from cvxpy.problems.problem import SolverStats
from cvxpy.reductions.eval_params import replace_params_with_consts
from cvxpy.reductions.solution import Solution

from ...core.continuous import Columns
from ...core.expr import Expr, Poly, apply, quicksum
from ...core.functions import by_host_spelling
from ...core.problem import BinaryProblem
from .._kit import clock_started, echo_log, raising_host_errors, time_left
from .common import (ERRORS, SOLVER_NAME, STATUS_MAP, CvxpyNonFiniteCoefficientError, CvxpyOptionError,
                     CvxpyUnsupportedExpressionError, Encoding, add_linear_rows, check_variables, encode_columns,
                     entry_names, make_cvxpy_options, singleton_bounds, solver_attr, variable_bounds,
                     variable_kinds)

log = logging.getLogger("bipnn_backends")

_CONST_PARAMS = ({lin_op.CONSTANT_ID: 1}, {lin_op.CONSTANT_ID: 0})


@dataclass
class Affine:
    """``A @ binaries + Ac @ y + c`` for the entries of a node (column-major); y are the problem's
    own columns (continuous variables), ``Ac`` None when there are none."""

    A: sp.csr_array
    c: np.ndarray
    Ac: sp.csr_array | None = None


Value = Any  # np.ndarray (float or object) | Affine


def coefficients(expr: Any, id_to_col: dict[int, int], n_cols: int) -> tuple[sp.csr_array, np.ndarray]:
    """(A, c) with vec(expr) = A @ cols + c for a parameter-free affine expression (CVXPY's canonicaliser)."""
    size = expr.size
    T = sp.coo_array(canonInterface.get_problem_matrix([expr.canonical_form[0]], n_cols, id_to_col,
                                                       *_CONST_PARAMS, size))
    rows, cols = T.row % size, T.row // size
    const = cols == n_cols
    c = np.zeros(size)
    np.add.at(c, rows[const], T.data[const])
    A = sp.csr_array((T.data[~const], (rows[~const], cols[~const])), shape=(size, n_cols))
    return A, c


def _numeric_map(e: Any, args: list[Value], holders: list[Any], n: int) -> tuple[sp.csr_array, np.ndarray]:
    """(L, c) of an affine atom from its numeric values at the unit vectors (atoms without a linop)."""
    def evaluate(flat: np.ndarray) -> np.ndarray:
        values, offset = [], 0
        for val, holder in zip(args, holders):
            if isinstance(holder, Variable):
                values.append(flat[offset:offset + holder.size].reshape(holder.shape, order="F"))
                offset += holder.size
            else:
                values.append(val)
        return np.asarray(e.numeric(values), dtype=np.float64).reshape(-1, order="F")

    c = evaluate(np.zeros(n))
    cols = [evaluate(np.eye(1, n, k).ravel()) - c for k in range(n)]
    L = sp.csr_array(np.stack(cols, axis=1) if cols else np.zeros((e.size, 0)))
    return L, c


def _unsupported(what: str) -> CvxpyUnsupportedExpressionError:
    return CvxpyUnsupportedExpressionError(
        f"method='bipnn' cannot translate {what}; supported atoms are listed in docs/cvxpy.md")


def _entries(val: Value, shape: tuple[int, ...]) -> np.ndarray:
    """Any value as an object array (entries are IR expressions or floats) of ``shape``."""
    if isinstance(val, Affine):
        A, c, Ac = val.A, val.c, val.Ac
        out = np.empty(len(c), dtype=object)
        for r in range(len(c)):
            lo, hi = A.indptr[r], A.indptr[r + 1]
            out[r] = Poly.linear(A.indices[lo:hi], A.data[lo:hi], c[r]) if hi > lo else float(c[r])
            if Ac is not None and Ac.indptr[r + 1] > Ac.indptr[r]:
                a, b = Ac.indptr[r], Ac.indptr[r + 1]
                out[r] = out[r] + Columns(Ac.indices[a:b], Ac.data[a:b])
        return out.reshape(shape, order="F")
    return np.asarray(val, dtype=object).reshape(shape)


def _elementwise(fn: Callable[..., Any], *arrays: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    arrays = [np.broadcast_to(a, shape) for a in arrays]
    out = np.empty(shape, dtype=object)
    for idx in np.ndindex(*shape):
        out[idx] = fn(*(a[idx] for a in arrays))
    return out


def _reduce(arr: np.ndarray, axis: Any, keepdims: bool, fn: Callable[[list], Any],
            shape: tuple[int, ...]) -> np.ndarray:
    """``fn`` over the entries along ``axis`` (None: all), numpy-style; reshaped to ``shape``."""
    nd = arr.ndim
    axes = tuple(range(nd)) if axis is None else tuple(a % nd for a in np.atleast_1d(axis))
    moved = np.moveaxis(arr, axes, tuple(range(nd - len(axes), nd)))
    keep = moved.shape[:nd - len(axes)]
    flat = moved.reshape(keep + (-1,))
    out = np.empty(keep, dtype=object)
    for idx in np.ndindex(*keep):
        out[idx] = fn(list(flat[idx]))
    return out.reshape(shape)


def _fold(op: Callable[[Any, Any], Any]) -> Callable[[list], Any]:
    return lambda items: functools.reduce(op, items)


def _maximum(a: Any, b: Any) -> Any:
    return (a + b + apply("abs", a - b)) * 0.5


def _minimum(a: Any, b: Any) -> Any:
    return (a + b - apply("abs", a - b)) * 0.5


def _product(items: list) -> Any:
    return functools.reduce(lambda a, b: a * b, items)


def _ir_function(name: str) -> Callable[[Any], Any]:
    return lambda a: apply(name, a)


#: CVXPY atom -> IR: the atoms that are IR functions (core/functions.py), then compositions.
_FUNCTIONS: dict[str, Callable[[Any], Any]] = {
    **{atom: _ir_function(name) for atom, name in by_host_spelling("cvxpy").items()},
    "sinh": lambda a: (apply("exp", a) - apply("exp", -a)) * 0.5,
    "log1p": lambda a: apply("log", 1.0 + a),
    "logistic": lambda a: apply("log", 1.0 + apply("exp", a)),
    "xexp": lambda a: a * apply("exp", a),
    "pos": lambda a: (a + apply("abs", a)) * 0.5,
    "neg": lambda a: (apply("abs", a) - a) * 0.5,
    "Not": lambda a: 1.0 - a,
}


class Translator:
    """Translates parameter-free CVXPY expressions over the columns of ``enc``."""

    def __init__(self, enc: Encoding, id_to_col: dict[int, int]) -> None:
        self.enc = enc
        self.id_to_col = id_to_col
        self.n_cols = len(enc.names)
        self._has_vars: dict[int, bool] = {}
        self._linear: dict[int, bool] = {}
        self.where = "the objective"  # what error messages name

    def has_vars(self, e: Any) -> bool:
        key = id(e)
        if key not in self._has_vars:
            self._has_vars[key] = isinstance(e, Variable) or (
                not isinstance(e, Leaf) and any(self.has_vars(a) for a in e.args))
        return self._has_vars[key]

    def is_linear(self, e: Any) -> bool:
        key = id(e)
        if key not in self._linear:
            self._linear[key] = (not self.has_vars(e) or isinstance(e, Leaf) or (
                isinstance(e, AffAtom) and all(self.is_linear(a) for a in e.args) and e.is_affine()))
        return self._linear[key]

    def columns_affine(self, e: Any) -> tuple[sp.csr_array, np.ndarray]:
        """(A, c) over the columns (not yet the binaries) of a linear expression."""
        return coefficients(e, self.id_to_col, self.n_cols)

    def value(self, e: Any) -> Value:
        if not self.has_vars(e):
            return np.asarray(e.value, dtype=np.float64).reshape(e.shape)
        if self.is_linear(e):
            try:
                A, c = self.columns_affine(e)
                _check_finite(A, c, self.where, self.enc.names)
                return Affine(*self.enc.affine(A, c), self.enc.columns_part(A))
            except NotImplementedError:  # an affine atom CVXPY canonicalises elsewhere (e.g. cumsum)
                self._linear[id(e)] = False
        args = [self.value(a) for a in e.args]
        if isinstance(e, AffAtom):
            return self._affine_atom(e, args)
        return self._atom(e, args)

    def scalar(self, e: Any) -> Expr | float:
        return _entries(self.value(e), (1,))[0]

    # -- atoms -------------------------------------------------------------------
    def _affine_atom(self, e: Any, args: list[Value]) -> np.ndarray:
        shape = e.shape
        objs = [_entries(v, a.shape) if not isinstance(v, np.ndarray) or v.dtype == object else v
                for v, a in zip(args, e.args)]
        if isinstance(e, multiply):
            return _elementwise(lambda a, b: a * b, *objs, shape=shape)
        if isinstance(e, MulExpression) and all(self.has_vars(a) for a in e.args):
            return self._matmul(objs[0], objs[1], shape)
        if isinstance(e, DivExpression) and self.has_vars(e.args[1]):
            return _elementwise(lambda a, b: a / b, *objs, shape=shape)
        return self._linear_map(e, args, objs)

    def _linear_map(self, e: Any, args: list[Value], objs: list[np.ndarray]) -> np.ndarray:
        """An affine atom over object entries: CVXPY's own linear map, applied entrywise."""
        holders, id_to_col, entries, offset = [], {}, [], 0
        for arg, val, obj in zip(e.args, args, objs):
            if isinstance(val, np.ndarray) and val.dtype != object:
                holders.append(arg)
                continue
            z = Variable(arg.shape)
            holders.append(z)
            id_to_col[z.id] = offset
            offset += arg.size
            entries.append(obj.reshape(-1, order="F"))
        try:
            L, c = coefficients(e.copy(holders), id_to_col, offset)
        except NotImplementedError:
            L, c = _numeric_map(e, args, holders, offset)
        flat = np.concatenate(entries) if entries else np.zeros(0, dtype=object)
        out = np.empty(e.size, dtype=object)
        for r in range(e.size):
            lo, hi = L.indptr[r], L.indptr[r + 1]
            terms = [flat[k] if w == 1.0 else w * flat[k] for k, w in zip(L.indices[lo:hi], L.data[lo:hi])]
            out[r] = quicksum(terms + [c[r]])
        return out.reshape(e.shape, order="F")

    @staticmethod
    def _matmul(a: np.ndarray, b: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        a2 = a.reshape(1, -1) if a.ndim == 1 else a
        b2 = b.reshape(-1, 1) if b.ndim == 1 else b
        out = np.empty((a2.shape[0], b2.shape[1]), dtype=object)
        for i in range(a2.shape[0]):
            for j in range(b2.shape[1]):
                out[i, j] = quicksum([a2[i, k] * b2[k, j] for k in range(a2.shape[1])])
        return out.reshape(shape)

    def _atom(self, e: Any, args: list[Value]) -> np.ndarray:
        name = type(e).__name__
        shape = e.shape
        objs = [_entries(v, a.shape) for v, a in zip(args, e.args)]
        axis, keepdims = getattr(e, "axis", None), getattr(e, "keepdims", False)
        if name in _FUNCTIONS:
            return _elementwise(_FUNCTIONS[name], objs[0], shape=shape)
        if name in ("Power", "PowerApprox"):
            p = float(e.p.value)
            return _elementwise(lambda a: a ** p, objs[0], shape=shape)
        if name == "QuadForm":
            x = objs[0].reshape(-1, order="F")
            Px = _entries(self._const_matmul(np.asarray(args[1], dtype=float), args[0], e.args[0].size),
                          (e.args[0].size,))
            return np.asarray(quicksum([xi * pi for xi, pi in zip(x, Px)]), dtype=object).reshape(shape)
        if name == "quad_over_lin":
            if self.has_vars(e.args[1]):
                raise _unsupported("quad_over_lin with a variable denominator")
            squares = _elementwise(lambda a: a ** 2, objs[0], shape=objs[0].shape)
            summed = _reduce(squares, axis, keepdims, quicksum, shape)
            denom = float(np.asarray(args[1]).reshape(-1)[0])
            return _elementwise(lambda a: a / denom, summed, shape=shape)
        if name in ("maximum", "minimum"):
            op = _maximum if name == "maximum" else _minimum
            return _elementwise(lambda *xs: functools.reduce(op, xs), *objs, shape=shape)
        reducers = {
            "max": _fold(_maximum), "min": _fold(_minimum), "Prod": _product,
            "norm1": lambda xs: quicksum([apply("abs", x) for x in xs]),
            "norm_inf": lambda xs: functools.reduce(_maximum, [apply("abs", x) for x in xs]),
            "log_sum_exp": lambda xs: apply("log", quicksum([apply("exp", x) for x in xs])),
        }
        if name in reducers:
            return _reduce(objs[0], axis, keepdims, reducers[name], shape)
        if name in ("Pnorm", "PnormApprox"):
            p = float(e.p)
            return _reduce(objs[0], axis, keepdims,
                           lambda xs: quicksum([apply("abs", x) ** p for x in xs]) ** (1.0 / p), shape)
        if name in ("And", "Or", "Xor"):
            ops = {"And": lambda a, b: a * b, "Or": lambda a, b: a + b - a * b,
                   "Xor": lambda a, b: a + b - 2.0 * a * b}
            return _elementwise(lambda *xs: functools.reduce(ops[name], xs), *objs, shape=shape)
        raise _unsupported(f"the atom {name!r} ({e})")

    def _const_matmul(self, P: np.ndarray, x: Value, n: int) -> Value:
        """P @ vec(x) for a constant matrix P: stays sparse when x is affine."""
        if isinstance(x, Affine):
            Ac = None if x.Ac is None else sp.csr_array(sp.csr_array(P) @ x.Ac)
            return Affine(sp.csr_array(sp.csr_array(P) @ x.A), P @ x.c, Ac)
        return self._matmul(P.astype(object), _entries(x, (n,)), (P.shape[0],))


_CONSTRAINTS = {Inequality: "<=", Equality: "==", Zero: "==", NonNeg: ">=", NonPos: "<="}


def translate_problem(prob: cp.Problem) -> tuple[Encoding, BinaryProblem, list[Any]]:
    """The whole problem as a BinaryProblem; returns the encoding and the variables (column order)."""
    for param in prob.parameters():
        if param.value is None:
            raise ParameterError(f"parameter {param.name()!r} has no value; set it before solving")
    variables = prob.variables()
    check_variables(variables)
    objective = replace_params_with_consts(prob.objective.args[0])
    constraints = []
    for con in prob.constraints:
        sense = next((v for k, v in _CONSTRAINTS.items() if type(con) is k), None)
        if sense is None:
            raise _unsupported(f"the constraint type {type(con).__name__!r} ({con})")
        constraints.append((con, sense, replace_params_with_consts(con.expr)))

    names, kinds, lbs, ubs, id_to_col, seen = [], [], [], [], {}, set()
    for var in variables:
        id_to_col[var.id] = len(names)
        label = var.name() if var.name() not in seen else f"{var.name()}#{var.id}"
        seen.add(label)
        names += entry_names(label, var.shape)
        kind = variable_kinds(var)
        lb, ub = variable_bounds(var)
        kind[(kind == "c") & (lb == ub)] = "f"
        kinds.append(kind)
        lbs.append(lb)
        ubs.append(ub)
    kinds_all = np.concatenate(kinds) if kinds else np.zeros(0, dtype="<U1")
    lb_all, ub_all = (np.concatenate(b) if b else np.zeros(0) for b in (lbs, ubs))

    placeholder = Translator(Encoding(BinaryProblem(), sp.csr_array((len(names), 0)), np.zeros(len(names)), names),
                             id_to_col)
    linear_rows: dict[int, tuple[sp.csr_array, np.ndarray, np.ndarray]] = {}
    for k, (con, sense, body) in enumerate(constraints):
        if placeholder.is_linear(body) and placeholder.has_vars(body):
            A, c = placeholder.columns_affine(body)
            _check_finite(A, c, _label(k, con), names)
            keep = np.ones(A.shape[0], dtype=bool)
            if sense != ">=":
                keep = ~singleton_bounds(A, -c, sense, kinds_all == "i", lb_all, ub_all)
            else:
                keep = ~singleton_bounds(-A, c, "<=", kinds_all == "i", lb_all, ub_all)
            linear_rows[k] = (A, c, keep)

    problem = BinaryProblem(name="cvxpy")
    enc = encode_columns(problem, names, kinds_all, lb_all, ub_all)
    tr = Translator(enc, id_to_col)
    with raising_host_errors(ERRORS):
        sense = "max" if isinstance(prob.objective, cp.Maximize) else "min"
        tr.where = "the objective"
        problem.set_objective(tr.scalar(objective), sense)
        for k, (con, csense, body) in enumerate(constraints):
            tr.where = _label(k, con)
            labels = entry_names(f"constraints[{k}]", body.shape)
            if k in linear_rows:
                A, c, keep = linear_rows[k]
                Ab, cb = enc.affine(A[keep], c[keep])
                add_linear_rows(problem, Ab, cb, csense, 0.0, [lab for lab, kp in zip(labels, keep) if kp],
                                enc.columns_part(A[keep]))
                continue
            entries = _entries(tr.value(body), body.shape).reshape(-1, order="F")
            for label, entry in zip(labels, entries):
                problem.add_constraint(entry, csense, 0.0, label)
    return enc, problem, variables


def _label(k: int, con: Any) -> str:
    """How messages name the k-th constraint of ``prob.constraints`` (CVXPY constraints have no names)."""
    text = str(con)
    return f"constraints[{k}] ({text if len(text) <= 60 else text[:57] + '...'})"


def _check_finite(A: sp.csr_array, c: np.ndarray, where: str, names: list[str]) -> None:
    """Refuse a NaN or infinite coefficient or constant, naming the variable it multiplies.

    An infinity is named without its sign: CVXPY moves terms across (``a @ x >= 1`` is
    ``1 - a @ x <= 0``, a maximisation a minimisation), so the sign here is not the user's."""
    A = sp.csr_array(A)
    bad = np.flatnonzero(~np.isfinite(A.data))
    if len(bad):
        col, value = int(A.indices[bad[0]]), A.data[bad[0]]
        raise CvxpyNonFiniteCoefficientError(f"{where}: the coefficient {'nan' if np.isnan(value) else 'inf'} on "
                                             f"variable {names[col]!r} is not finite")
    if not np.isfinite(c).all():
        raise CvxpyNonFiniteCoefficientError(f"{where}: the constant {c[~np.isfinite(c)][0]} is not finite")


def solve_method(prob: cp.Problem, verbose: bool = False, warm_start: bool = True, **kwargs: Any) -> float:
    """``prob.solve(method="bipnn", **options)``; returns ``prob.value`` (see docs/cvxpy.md)."""
    if "solver" in kwargs:
        raise CvxpyOptionError("method='bipnn' chooses the solver itself; drop the 'solver' argument")
    start = time.perf_counter()
    started = clock_started()  # the time limit includes translation
    enc, problem, variables = translate_problem(prob)
    x0 = None
    if warm_start and variables and all(v.value is not None for v in variables):
        x0 = enc.warm_start(np.concatenate([np.asarray(v.value, dtype=float).flatten(order="F")
                                            for v in variables]))
    opts = time_left(make_cvxpy_options(kwargs, verbose, x0), started)
    from ...solve import solve

    with echo_log([sys.stdout] if verbose else [], exclusive=True, unless_configured=True), \
            raising_host_errors(ERRORS):
        result = solve(problem, opts)
        log.info("%s: %s", SOLVER_NAME, result.message)
    status = STATUS_MAP[result.solution_status]
    attr = solver_attr(result)
    attr[s.SETUP_TIME] = (attr[s.SETUP_TIME] or 0.0) + (time.perf_counter() - start - (attr[s.SOLVE_TIME] or 0.0))
    if status in s.SOLUTION_PRESENT:
        cols = enc.result_values(result)
        primal, offset = {}, 0
        for var in variables:
            primal[var.id] = cols[offset:offset + var.size].reshape(var.shape, order="F")
            offset += var.size
        solution = Solution(status, float(result.objective), primal, {}, attr)
        if status == s.USER_LIMIT:
            warnings.warn(f"BIPNN: {result.message}; status 'user_limit' (a verified feasible point, "
                          "optimality not proven)", stacklevel=3)
    else:
        worst = math.inf if (problem.sense == "min") != (status == s.UNBOUNDED) else -math.inf
        solution = Solution(status, worst, {v.id: None for v in variables}, {}, attr)
    prob.unpack(solution)
    prob._solver_stats = SolverStats.from_dict(attr, SOLVER_NAME)
    return prob.value
