"""Columns outside the binary encoding: continuous variables and integers without finite bounds.

A column may appear only linearly (in the objective and in constraints, beside a
discrete part that may be nonlinear): for a fixed discrete assignment the
columns form a linear program, which :mod:`bipnn_backends.lp` solves exactly.
Expressions refer to columns through one vectorised leaf, :class:`Columns`;
:func:`split_columns` separates an expression into its discrete part and its
linear column part, and names the term and the variable when a column sits
inside a nonlinear term.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable

import numpy as np

from ..errors import ContinuousVariableError, UnboundedVariableError
from .expr import Const, Expr, Product, Sum, describe


@dataclass(frozen=True)
class Column:
    """A continuous variable (kind "continuous") or an integer still waiting for finite bounds
    (kind "integer"); bounds may be infinite."""

    name: str
    kind: str
    lb: float
    ub: float
    key: Hashable = None


class Columns(Expr):
    """sum_k coefs[k] * column[indices[k]]: the linear column part of an expression."""

    __slots__ = ("indices", "coefs")

    def __init__(self, indices: np.ndarray, coefs: np.ndarray) -> None:
        self.indices = np.ascontiguousarray(indices, dtype=np.int64)
        self.coefs = np.ascontiguousarray(coefs, dtype=np.float64)

    def support(self) -> np.ndarray:  # no binary variables
        return np.zeros(0, dtype=np.int64)


Linear = tuple[np.ndarray, np.ndarray]  # (column indices, coefficients), duplicates merged
NO_COLUMNS: Linear = (np.zeros(0, dtype=np.int64), np.zeros(0))


def split_columns(expr: Expr, columns: list[Column], what: str) -> tuple[Expr, Linear]:
    """(discrete part, linear column part) of ``expr``; raises when a column sits inside a
    nonlinear term (a product with a variable, a power, a division, a function)."""
    if not _has_columns(expr):
        return expr, NO_COLUMNS
    idx: list[np.ndarray] = []
    coefs: list[np.ndarray] = []
    discrete = _split(expr, 1.0, idx, coefs, columns, what)
    if not idx:
        return discrete, NO_COLUMNS
    merged, inverse = np.unique(np.concatenate(idx), return_inverse=True)
    total = np.bincount(inverse, np.concatenate(coefs), minlength=len(merged))
    keep = total != 0
    return discrete, (merged[keep], total[keep])


def _split(e: Expr, scale: float, idx: list, coefs: list, columns: list[Column], what: str) -> Expr:
    if isinstance(e, Columns):
        idx.append(e.indices)
        coefs.append(e.coefs * scale)
        return Const(0.0)
    if not _has_columns(e):
        return e if scale == 1.0 else Const(scale) * e
    if isinstance(e, Sum):
        parts = [_split(t, scale, idx, coefs, columns, what) for t in e.terms]
        parts = [p for p in parts if not (isinstance(p, Const) and p.value == 0)]
        return Const(0.0) if not parts else parts[0] if len(parts) == 1 else Sum(parts)
    if isinstance(e, Product):
        factor, rest = 1.0, []
        for f in e.factors:
            if isinstance(f, Const):
                factor *= f.value
            else:
                rest.append(f)
        if len(rest) == 1:
            return _split(rest[0], scale * factor, idx, coefs, columns, what)
    raise _nonlinear_error(e, columns, what)


def _has_columns(e: Expr) -> bool:
    if isinstance(e, Columns):
        return len(e.indices) > 0
    return any(_has_columns(c) for c in e.children())


def _first_column(e: Expr) -> int:
    if isinstance(e, Columns):
        return int(e.indices[0])
    return next(_first_column(c) for c in e.children() if _has_columns(c))


def _nonlinear_error(term: Expr, columns: list[Column], what: str) -> Exception:
    col = columns[_first_column(term)]
    text = describe_with_columns(term, columns)
    if col.kind == "integer":
        return UnboundedVariableError(
            f"{what}: integer variable {col.name!r} (bounds {col.lb:g}, {col.ub:g}) appears in the nonlinear "
            f"term {text}; a variable in a nonlinear term needs finite bounds: give it bounds")
    return ContinuousVariableError(
        f"{what}: continuous variable {col.name!r} appears in the nonlinear term {text}; continuous variables "
        "may appear only linearly (make it Binary/Integer with finite bounds, or linearise the term)")


def describe_with_columns(e: Expr, columns: list[Column]) -> str:
    """:func:`~.expr.describe` with column leaves shown by their names."""
    text = describe(e)
    names = _column_names(e, columns)
    return text.replace("Columns", names, 1) if names else text


def _column_names(e: Expr, columns: list[Column]) -> str:
    if isinstance(e, Columns):
        return " + ".join(columns[int(i)].name if c == 1 else f"{c:g}*{columns[int(i)].name}"
                          for i, c in zip(e.indices[:4], e.coefs[:4])) + (" + ..." if len(e.indices) > 4 else "")
    for c in e.children():
        text = _column_names(c, columns)
        if text:
            return text
    return ""


__all__ = ["Column", "Columns", "Linear", "NO_COLUMNS", "split_columns", "describe_with_columns"]
