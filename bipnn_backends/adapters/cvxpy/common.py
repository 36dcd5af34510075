"""Pieces both CVXPY entry points share: errors, options, variable encoding, statuses.

Both paths describe the model over "columns" (scalar entries of CVXPY
variables, column-major like CVXPY itself). :func:`encode_columns` turns the
boolean and integer columns into binaries of a :class:`BinaryProblem` and
returns the affine map ``columns = M @ binaries + m`` used for translation
and for writing values back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import numpy as np
import scipy.sparse as sp
from cvxpy import settings as s
from ...core import matrix
from ...core.matrix import variable_map
from ...core.problem import BinaryProblem, integer_range
from ...options import Options
from ...result import FEASIBLE, INFEASIBLE, NONE, OPTIMAL, UNBOUNDED, SolveResult
from .._kit import options_from_host, raising_host_errors
from .errors import (ERRORS, BipnnCvxpyError, CvxpyContinuousVariableError, CvxpyExpansionLimitError,
                     CvxpyModelError, CvxpyNonFiniteCoefficientError, CvxpyOptionError, CvxpyUnboundedVariableError,
                     CvxpyUndefinedFunctionError, CvxpyUnsupportedExpressionError)

__all__ = ["BipnnCvxpyError", "CvxpyContinuousVariableError", "CvxpyExpansionLimitError", "CvxpyModelError",
           "CvxpyNonFiniteCoefficientError", "CvxpyOptionError", "CvxpyUnboundedVariableError",
           "CvxpyUndefinedFunctionError", "CvxpyUnsupportedExpressionError"]

SOLVER_NAME = "BIPNN"

#: Solution status -> CVXPY status (rationale in docs/cvxpy.md).
STATUS_MAP: dict[str, str] = {
    OPTIMAL: s.OPTIMAL,                # proven (exhaustive search)
    FEASIBLE: s.USER_LIMIT,            # verified feasible, stopped on its budget, no proof
    INFEASIBLE: s.INFEASIBLE,          # proven infeasible
    NONE: s.INFEASIBLE_INACCURATE,     # nothing feasible found, infeasibility NOT proven
    UNBOUNDED: s.UNBOUNDED,            # proven unbounded by the LP (continuous variables)
}

#: Keys CVXPY's own solving chain leaves in ``solver_opts``; they are not ours to reject.
CHAIN_KEYS = frozenset({"use_quad_obj"})

#: Variable attributes that impose structure the binary encoding does not represent.
STRUCTURAL_ATTRIBUTES = ("symmetric", "diag", "PSD", "NSD", "hermitian", "complex", "imag", "sparsity")


def make_cvxpy_options(solver_opts: Mapping[str, Any], verbose: bool,
                       warm_start: Mapping[int, float] | None = None) -> Options:
    """Options from ``prob.solve`` keywords: CVXPY's ``verbose`` plus BIPNN's canonical names."""
    opts = {k: v for k, v in solver_opts.items() if k not in CHAIN_KEYS}
    with raising_host_errors(ERRORS):
        return options_from_host(opts, verbose=verbose, warm_start=warm_start)


def entry_names(name: str, shape: tuple[int, ...]) -> list[str]:
    """``x``, ``x[3]``, ``x[1,2]``: one name per entry, column-major like CVXPY."""
    size = math.prod(shape)
    if not shape:
        return [name]
    idx = np.unravel_index(np.arange(size), shape, order="F")
    return [f"{name}[{','.join(str(int(a[k])) for a in idx)}]" for k in range(size)]


def variable_kinds(var: Any) -> np.ndarray:
    """Per entry (column-major): "b" boolean, "i" integer, "c" continuous."""
    kinds = np.full(var.size, "c", dtype="<U1")
    flat = np.arange(var.size).reshape(var.shape, order="F") if var.shape else np.zeros((), np.int64)
    for attr, code in (("integer", "i"), ("boolean", "b")):
        value = var.attributes.get(attr)
        if value is True:
            kinds[:] = code
        elif value:
            kinds[np.atleast_1d(flat[tuple(np.asarray(value).T)] if flat.ndim else flat)] = code
    return kinds


def variable_bounds(var: Any) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper bounds per entry from the ``bounds``/``nonneg``/``nonpos``/``boolean`` attributes."""
    lb, ub = np.full(var.size, -np.inf), np.full(var.size, np.inf)
    bounds = var.attributes.get("bounds")
    if bounds is not None:
        for arr, val in zip((lb, ub), bounds):
            if val is not None:
                value = val.value if hasattr(val, "value") else val
                arr[:] = np.broadcast_to(np.asarray(value, dtype=float), var.shape).flatten(order="F")
    if var.attributes.get("nonneg") or var.attributes.get("pos"):
        np.maximum(lb, 0.0, out=lb)
    if var.attributes.get("nonpos") or var.attributes.get("neg"):
        np.minimum(ub, 0.0, out=ub)
    return lb, ub


def check_variables(variables: Sequence[Any]) -> None:
    """Raise (naming them) for structured variables (continuous ones are columns: docs/mixed.md)."""
    structured = []
    for var in variables:
        bad = [a for a in STRUCTURAL_ATTRIBUTES if var.attributes.get(a)]
        if bad:
            structured.append(f"{var.name()} ({', '.join(bad)})")
    if structured:
        raise CvxpyModelError(
            f"variable(s) {', '.join(structured)} carry structural attributes BIPNN does not encode; "
            "declare plain boolean/integer variables and state the structure as constraints")


@dataclass
class Encoding:
    """``columns = M @ binaries + m + C @ y`` for a :class:`BinaryProblem` built from columns (key =
    column), where y are the problem's own columns (continuous variables, integers without bounds)."""

    problem: BinaryProblem
    M: sp.csr_array
    m: np.ndarray
    names: list[str]
    C: sp.csr_array | None = None

    def values(self, x: np.ndarray) -> np.ndarray:
        """Column values from a 0/1 vector (the discrete ones only; see :meth:`result_values`)."""
        return self.M @ np.asarray(x, dtype=np.float64) + self.m

    def result_values(self, result: SolveResult) -> np.ndarray:
        """Every column's value in a solved result, continuous ones included."""
        out = self.values(np.asarray(result.x)[:self.M.shape[1]])  # presolve may append binaries
        if self.C is not None and self.C.shape[1]:
            y = np.array([result.values[c.key] for c in self.problem.columns])
            out = out + self.C @ y
        return out

    def columns_part(self, A: sp.sparray) -> sp.csr_array | None:
        """``A @ columns`` restricted to the problem's own columns (None when it has none)."""
        if self.C is None or not self.C.shape[1]:
            return None
        return sp.csr_array(sp.csr_array(A) @ self.C)

    def affine(self, A: sp.sparray, const: np.ndarray) -> tuple[sp.csr_array, np.ndarray]:
        """``A @ columns + const`` rewritten as ``A' @ binaries + const'``."""
        A = sp.csr_array(A)
        return sp.csr_array(A @ self.M), np.asarray(const, dtype=np.float64) + A @ self.m

    def warm_start(self, x0: np.ndarray) -> dict[int, float]:
        """Warm-start values by column from column values (NaN = unknown)."""
        return {int(j): float(x0[j]) for j in np.flatnonzero(np.isfinite(x0))}


def encode_columns(problem: BinaryProblem, names: Sequence[str], kinds: np.ndarray,
                   lb: np.ndarray, ub: np.ndarray, keys: Sequence[int] | None = None) -> Encoding:
    """Add one user-level variable per column ("b" or "i"; "f" for fixed at ``lb``; "c" continuous),
    keyed by ``keys`` (default: the position in ``names``; CVXPY's column index when only some columns
    are encoded). The affine map comes from the problem's own :meth:`~BinaryProblem.encoding`;
    continuous columns and integers without finite bounds stay the problem's columns (``C``)."""
    n = len(names)
    key = np.arange(n) if keys is None else np.asarray(keys, dtype=np.int64)
    boolean = np.flatnonzero(kinds == "b")
    with raising_host_errors(ERRORS):
        if len(boolean):
            problem.add_binaries([names[j] for j in boolean], key[boolean].tolist())
        for j in np.flatnonzero(kinds != "b"):
            if kinds[j] == "f":
                problem.add_fixed(names[j], float(lb[j]), int(key[j]))
            elif kinds[j] == "c":
                problem.add_continuous(names[j], float(lb[j]), float(ub[j]), int(key[j]))
            else:
                problem.add_integer(names[j], float(lb[j]), float(ub[j]), int(key[j]))
    vm = variable_map(problem, key.tolist())
    return Encoding(problem, vm.M, vm.m, list(names), vm.C)


def singleton_bounds(A: sp.sparray, rhs: np.ndarray, sense: str, integer: np.ndarray,
                     lb: np.ndarray, ub: np.ndarray) -> np.ndarray:
    """Tighten ``lb``/``ub`` in place from rows ``a * x_j (sense) rhs`` on integer columns.

    Returns the mask of rows turned into bounds (the encoding then satisfies
    them exactly, so they need not stay as constraints).
    """
    A = sp.csr_array(A)
    counts = np.diff(A.indptr)
    single = counts == 1
    cols = np.full(A.shape[0], -1)
    coef = np.zeros(A.shape[0])
    cols[single] = A.indices[A.indptr[:-1][single]]
    coef[single] = A.data[A.indptr[:-1][single]]
    used = single & (coef != 0)
    used[used] = integer[cols[used]]
    for r in np.flatnonzero(used):
        j, bound = cols[r], rhs[r] / coef[r]
        if not math.isfinite(bound):
            continue  # stays a constraint, where the non-finite value is reported
        upper = sense == "==" or (sense == "<=") == (coef[r] > 0)
        lower = sense == "==" or not upper
        lo, hi = integer_range(bound, bound)
        if upper:
            ub[j] = min(ub[j], hi)
        if lower:
            lb[j] = max(lb[j], lo)
    return used


def add_linear_rows(problem: BinaryProblem, A: sp.sparray, const: np.ndarray, sense: str, rhs: np.ndarray | float,
                    names: Sequence[str], Ac: sp.sparray | None = None) -> None:
    """:func:`bipnn_backends.core.matrix.add_linear_rows` with CVXPY's error classes."""
    with raising_host_errors(ERRORS):
        matrix.add_linear_rows(problem, A, const, sense, rhs, names, Ac)


def solver_attr(result: SolveResult) -> dict[str, Any]:
    """CVXPY's solution attributes (become ``prob.solver_stats``)."""
    stats = result.stats
    return {
        s.SOLVE_TIME: stats.get("time_total"),
        s.SETUP_TIME: stats.get("time_reformulate"),
        s.NUM_ITERS: int(stats.get("epochs", 0) or 0),
        s.EXTRA_STATS: result,
    }
