"""The shared IR: :class:`BinaryProblem`, the only thing adapters build.

A problem has binary variables (by index), user-level variables (binary,
bounded integer encoded in binaries, or fixed), an objective with a sense,
and named constraints ``body <= rhs``, ``body >= rhs``, ``body == rhs``.
Continuous variables and integers without finite bounds are *columns*
(:mod:`.continuous`): they may appear only linearly, and each objective or
constraint keeps its column part apart from its discrete ``body``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Mapping, Sequence

import numpy as np

from ..errors import ModelError, NonFiniteCoefficientError
from .continuous import NO_COLUMNS, Column, Columns, Linear, split_columns
from .expr import Const, Expr, Poly, Var, as_expr

SENSES = ("<=", ">=", "==")
_ONE = np.ones(1)  # shared encoding weights of every binary variable


@dataclass(frozen=True)
class Variable:
    """A user-level variable: value = lb + sum_k weights[k] * x[first + k] (a binary: x[first]).

    ``key`` identifies it in decoded values and warm starts (default: its name);
    adapters pass their own key (a position in their list of host variables) so
    two host variables of equal name never share a value.
    """

    name: str
    kind: str  # "binary", "integer" or "fixed"
    lb: float
    ub: float
    first: int
    weights: np.ndarray
    key: Hashable = None

    @property
    def binaries(self) -> range:
        return range(self.first, self.first + len(self.weights))


@dataclass(frozen=True)
class Constraint:
    """``body + columns sense rhs`` with a name; ``columns`` is the linear column part."""

    name: str
    body: Expr
    sense: str
    rhs: float
    columns: Linear = NO_COLUMNS


@dataclass(frozen=True)
class VariableMap:
    """Every user-level variable as ``value = lb + sum_k weights[k] * x[indices[k]]`` in flat arrays.

    Variable ``j`` reads ``indices[ptr[j]:ptr[j+1]]``; adapters translate and decode
    through it by position, so values travel by identity, never by name.
    """

    keys: list[Hashable]
    kinds: list[str]
    ptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    offsets: np.ndarray

    def values(self, x: np.ndarray) -> np.ndarray:
        """User-level values from a 0/1 vector; integers and binaries exactly integral."""
        x = np.asarray(x, dtype=np.float64)
        n = len(self.keys)
        owner = np.repeat(np.arange(n), np.diff(self.ptr))
        out = self.offsets + np.bincount(owner, self.weights * x[self.indices], minlength=n)
        fixed = np.array([k == "fixed" for k in self.kinds], dtype=bool)
        return np.where(fixed, out, np.round(out))


@dataclass
class BinaryProblem:
    """A binary program over named variables; see the module docstring."""

    name: str = "problem"
    binary_names: list[str] = field(default_factory=list)
    variables: list[Variable] = field(default_factory=list)
    objective: Expr = field(default_factory=lambda: Const(0.0))
    sense: str = "min"
    constraints: list[Constraint] = field(default_factory=list)
    empty_ranges: list[tuple[str, float, float]] = field(default_factory=list)  # integers without a value
    columns: list[Column] = field(default_factory=list)  # continuous variables, integers without finite bounds
    objective_columns: Linear = NO_COLUMNS

    @property
    def has_columns(self) -> bool:
        """True when the problem has continuous variables or integers still without finite bounds."""
        return bool(self.columns)

    @property
    def n_binaries(self) -> int:
        return len(self.binary_names)

    # -- variables -----------------------------------------------------
    def add_binary(self, name: str, key: Hashable = None) -> Var:
        """A 0/1 variable."""
        index = self._new_binaries([name])
        self.variables.append(Variable(name, "binary", 0.0, 1.0, index, _ONE, _key(key, name)))
        return Var(index)

    def add_binaries(self, names: Sequence[str], keys: Sequence[Hashable] | None = None) -> np.ndarray:
        """Many 0/1 variables at once; returns their indices."""
        first = self.n_binaries
        self.binary_names.extend(names)
        keys = names if keys is None else keys
        self.variables.extend(Variable(n, "binary", 0.0, 1.0, first + k, _ONE, _key(key, n))
                              for k, (n, key) in enumerate(zip(names, keys)))
        return np.arange(first, first + len(names), dtype=np.int64)

    def add_integer(self, name: str, lb: float | None, ub: float | None, key: Hashable = None) -> Expr:
        """An integer in [lb, ub] encoded exactly with bounded-binary weights 1, 2, 4, ..., r.

        Every integer in the range is representable and none outside it, so
        the bounds need no constraint. Without finite bounds it is a column until
        presolve finds the bounds its constraints imply (see :meth:`add_column`).
        """
        if lb is None or ub is None or not math.isfinite(lb) or not math.isfinite(ub):
            return self.add_column(name, "integer", lb, ub, key)
        lo, hi = integer_range(lb, ub)
        if hi < lo:  # no integer in range: the problem is infeasible, which solve() reports
            self.empty_ranges.append((name, float(lb), float(ub)))
            return self.add_fixed(name, lo, key)
        if lo == hi:
            return self.add_fixed(name, lo, key)
        weights = bounded_binary_weights(hi - lo)
        first = self._new_binaries([f"{name}#b{k}" for k in range(len(weights))])
        self.variables.append(Variable(name, "integer", float(lo), float(hi), first, weights, _key(key, name)))
        return Poly.linear(np.arange(first, first + len(weights)), weights, float(lo))

    def add_fixed(self, name: str, value: float, key: Hashable = None) -> Const:
        """A variable fixed to ``value``: a constant that is still reported back."""
        if not math.isfinite(value):
            raise NonFiniteCoefficientError(f"variable {name!r} is fixed to {value}")
        self.variables.append(Variable(name, "fixed", float(value), float(value), self.n_binaries, np.zeros(0),
                                       _key(key, name)))
        return Const(value)

    def add_continuous(self, name: str, lb: float | None, ub: float | None, key: Hashable = None) -> Expr:
        """A continuous variable (a column, see :meth:`add_column`); equal bounds fix it."""
        return self.add_column(name, "continuous", lb, ub, key)

    def add_column(self, name: str, kind: str, lb: float | None, ub: float | None, key: Hashable = None) -> Expr:
        """A continuous variable (``kind`` "continuous") or an integer without finite bounds
        ("integer"), bounds possibly infinite; it may appear only linearly. Equal bounds fix it."""
        if kind not in ("continuous", "integer"):
            raise ValueError(f"column kind must be 'continuous' or 'integer', got {kind!r}")
        lo = -math.inf if lb is None else float(lb)
        hi = math.inf if ub is None else float(ub)
        if math.isnan(lo) or math.isnan(hi) or lo == hi == math.inf or lo == hi == -math.inf:
            raise NonFiniteCoefficientError(f"variable {name!r} has the bounds ({lb}, {ub})")
        if lo == hi:
            return self.add_fixed(name, lo, key) if kind == "continuous" else self.add_integer(name, lo, hi, key)
        if kind == "integer" and math.isfinite(lo) and math.isfinite(hi):
            return self.add_integer(name, lo, hi, key)
        self.columns.append(Column(name, kind, lo, hi, _key(key, name)))
        return Columns(np.array([len(self.columns) - 1]), np.ones(1))

    def _new_binaries(self, names: Iterable[str]) -> int:
        first = self.n_binaries
        self.binary_names.extend(names)
        return first

    # -- objective and constraints ----------------------------------------
    def set_objective(self, expr: object, sense: str = "min") -> None:
        if sense not in ("min", "max"):
            raise ValueError(f"objective sense must be 'min' or 'max', got {sense!r}")
        self.objective, self.objective_columns = split_columns(as_expr(expr), self.columns, "objective")
        self.sense = sense

    def add_constraint(self, body: object, sense: str, rhs: float = 0.0, name: str | None = None) -> Constraint:
        if sense not in SENSES:
            raise ValueError(f"constraint sense must be one of {SENSES}, got {sense!r}")
        name = name or f"c{len(self.constraints)}"
        if not math.isfinite(rhs):
            raise NonFiniteCoefficientError(f"constraint {name!r} has right-hand side {rhs}")
        body, columns = split_columns(as_expr(body), self.columns, f"constraint {name!r}")
        con = Constraint(name, body, sense, float(rhs), columns)
        self.constraints.append(con)
        return con

    # -- values ------------------------------------------------------------
    def encoding(self) -> VariableMap:
        """The user-level variables as flat arrays (see :class:`VariableMap`)."""
        n = len(self.variables)
        lengths = np.fromiter((len(v.weights) for v in self.variables), np.int64, n)
        ptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(lengths, out=ptr[1:])
        first = np.fromiter((v.first for v in self.variables), np.int64, n)
        indices = np.repeat(first - ptr[:-1], lengths) + np.arange(int(ptr[-1]), dtype=np.int64)
        weights = np.concatenate([v.weights for v in self.variables]) if n else np.zeros(0)
        offsets = np.fromiter((0.0 if v.kind == "binary" else v.lb for v in self.variables), np.float64, n)
        return VariableMap([v.key for v in self.variables], [v.kind for v in self.variables], ptr, indices,
                           weights.astype(np.float64), offsets)

    def decode(self, x: np.ndarray) -> dict[Hashable, float]:
        """User-level values by key (binaries as 0/1, integers decoded) from a 0/1 vector."""
        enc = self.encoding()
        return dict(zip(enc.keys, enc.values(x).tolist()))

    def encode(self, values: Mapping[Hashable, float]) -> np.ndarray:
        """A 0/1 vector from user-level values by key (missing ones are 0); used for warm starts."""
        x = np.zeros(self.n_binaries)
        for v in self.variables:
            if v.key not in values or values[v.key] is None or v.kind == "fixed":
                continue
            val = float(values[v.key])
            if v.kind == "binary":
                x[v.first] = 1.0 if val > 0.5 else 0.0
                continue
            rest = int(round(min(max(val, v.lb), v.ub) - v.lb))
            for k in np.argsort(-v.weights, kind="stable"):
                w = int(v.weights[k])
                if rest >= w:
                    x[v.first + k] = 1.0
                    rest -= w
        return x

    def check_keys(self) -> None:
        """Refuse two variables (or columns) of one key: values are reported by key, so one would
        silently take the other's value (the key defaults to the name; pass ``key=`` to tell them apart)."""
        keys = [v.key for v in self.variables] + [c.key for c in self.columns]
        if len(set(keys)) == len(keys):
            return
        seen: set[Hashable] = set()
        repeated = [k for k in keys if k in seen or seen.add(k)]
        raise ModelError(f"repeated variable key(s) {', '.join(map(repr, dict.fromkeys(repeated)))}: two different "
                         "variables share a name; give each its own name or key= (values are reported by key)")


def _key(key: Hashable, name: str) -> Hashable:
    return name if key is None else key


def integer_range(lb: float, ub: float) -> tuple[int, int]:
    """The integers in [lb, ub], as (first, last), allowing 1e-9 of rounding noise in the bounds."""
    return math.ceil(lb - 1e-9), math.floor(ub + 1e-9)


def is_binary_range(lb: float | None, ub: float | None) -> bool:
    """True when an integer variable with these bounds takes exactly the values 0 and 1."""
    return lb is not None and ub is not None and integer_range(lb, ub) == (0, 1)


def bounded_binary_weights(span: int) -> np.ndarray:
    """Weights 1, 2, 4, ..., and a last weight so that they sum to exactly ``span``."""
    k = int(span).bit_length()
    weights = [1 << i for i in range(k - 1)]
    weights.append(span - (sum(weights)))
    return np.array(weights, dtype=np.float64)
