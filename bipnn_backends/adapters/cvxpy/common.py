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
from cvxpy.error import SolverError

from ... import errors
from ...core.expr import Const, Poly
from ...core.problem import BinaryProblem
from ...options import Options, make_options
from ...result import ERROR, FEASIBLE, INFEASIBLE, NO_SOLUTION_FOUND, OPTIMAL, SolveResult

SOLVER_NAME = "BIPNN"

#: SolveResult status -> CVXPY status (rationale in docs/cvxpy.md).
STATUS_MAP: dict[str, str] = {
    OPTIMAL: s.OPTIMAL,                          # proven (exhaustive search)
    FEASIBLE: s.USER_LIMIT,                      # verified feasible, stopped on its budget, no proof
    INFEASIBLE: s.INFEASIBLE,                    # proven infeasible
    NO_SOLUTION_FOUND: s.INFEASIBLE_INACCURATE,  # nothing feasible found, infeasibility NOT proven
    ERROR: s.SOLVER_ERROR,
}

#: Keys CVXPY's own solving chain leaves in ``solver_opts``; they are not ours to reject.
CHAIN_KEYS = frozenset({"use_quad_obj"})

#: Variable attributes that impose structure the binary encoding does not represent.
STRUCTURAL_ATTRIBUTES = ("symmetric", "diag", "PSD", "NSD", "hermitian", "complex", "imag", "sparsity")


class CvxpyModelError(errors.ModelError, SolverError):
    """The CVXPY model cannot be turned into a binary program; nothing was changed."""


class CvxpyContinuousVariableError(errors.ContinuousVariableError, SolverError):
    """A continuous CVXPY variable (BIPNN solves boolean and bounded-integer programs)."""


class CvxpyUnboundedVariableError(errors.UnboundedVariableError, SolverError):
    """An integer CVXPY variable without finite bounds."""


class CvxpyUnsupportedExpressionError(errors.UnsupportedExpressionError, SolverError):
    """A CVXPY atom or constraint the translator does not know."""


class CvxpyOptionError(errors.OptionError, SolverError):
    """An unknown or invalid BIPNN option passed through ``prob.solve``."""


_WRAPPERS: dict[type, type] = {
    errors.ContinuousVariableError: CvxpyContinuousVariableError,
    errors.UnboundedVariableError: CvxpyUnboundedVariableError,
    errors.UnsupportedExpressionError: CvxpyUnsupportedExpressionError,
    errors.OptionError: CvxpyOptionError,
    errors.ModelError: CvxpyModelError,
}


def host_error(exc: errors.BipnnError) -> Exception:
    """The CVXPY-flavoured counterpart of a core error (also a ``cvxpy.error.SolverError``)."""
    return errors.to_host_error(exc, _WRAPPERS, None, SolverError)


def make_cvxpy_options(solver_opts: Mapping[str, Any], verbose: bool,
                       warm_start: Mapping[str, float] | None = None) -> Options:
    """Options from ``prob.solve`` keywords: CVXPY's ``verbose`` plus BIPNN's canonical names."""
    opts = {k: v for k, v in solver_opts.items() if k not in CHAIN_KEYS}
    opts["verbose"] = bool(verbose or opts.get("verbose", False))
    if warm_start:
        opts["warm_start"] = dict(warm_start)
    try:
        return make_options(opts)
    except errors.OptionError as exc:
        raise CvxpyOptionError(str(exc)) from None


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
    """Raise (naming them) for continuous entries not fixed by bounds and for structured variables."""
    continuous, structured = [], []
    for var in variables:
        bad = [a for a in STRUCTURAL_ATTRIBUTES if var.attributes.get(a)]
        if bad:
            structured.append(f"{var.name()} ({', '.join(bad)})")
        kinds = variable_kinds(var)
        lb, ub = variable_bounds(var)
        if np.any((kinds == "c") & ~(lb == ub)):
            continuous.append(var.name())
    if structured:
        raise CvxpyModelError(
            f"variable(s) {', '.join(structured)} carry structural attributes BIPNN does not encode; "
            "declare plain boolean/integer variables and state the structure as constraints")
    if continuous:
        raise CvxpyContinuousVariableError(
            f"variable(s) {', '.join(map(repr, continuous))} are continuous; BIPNN solves boolean and "
            "bounded-integer programs only: declare them boolean=True or integer=True with bounds")


@dataclass
class Encoding:
    """``columns = M @ binaries + m`` for a :class:`BinaryProblem` built from columns."""

    problem: BinaryProblem
    M: sp.csr_array
    m: np.ndarray
    names: list[str]

    def values(self, x: np.ndarray) -> np.ndarray:
        """Column values from a 0/1 vector."""
        return self.M @ np.asarray(x, dtype=np.float64) + self.m

    def affine(self, A: sp.sparray, const: np.ndarray) -> tuple[sp.csr_array, np.ndarray]:
        """``A @ columns + const`` rewritten as ``A' @ binaries + const'``."""
        A = sp.csr_array(A)
        return sp.csr_array(A @ self.M), np.asarray(const, dtype=np.float64) + A @ self.m

    def warm_start(self, x0: np.ndarray) -> dict[str, float]:
        """Warm-start values by name from column values (NaN = unknown)."""
        return {self.names[j]: float(x0[j]) for j in np.flatnonzero(np.isfinite(x0))}


def encode_columns(problem: BinaryProblem, names: Sequence[str], kinds: np.ndarray,
                   lb: np.ndarray, ub: np.ndarray) -> Encoding:
    """Add one user-level variable per column ("b" or "i"; "f" for fixed at ``lb``)."""
    n = len(names)
    rows, cols, vals = [np.zeros(0, np.int64)], [np.zeros(0, np.int64)], [np.zeros(0)]
    m = np.zeros(n)
    boolean = np.flatnonzero(kinds == "b")
    if len(boolean):
        idx = problem.add_binaries([names[j] for j in boolean])
        rows.append(boolean)
        cols.append(idx)
        vals.append(np.ones(len(idx)))
    try:
        for j in np.flatnonzero(kinds != "b"):
            if kinds[j] == "f":
                expr = problem.add_fixed(names[j], float(lb[j]))
            else:
                expr = problem.add_integer(names[j], float(lb[j]), float(ub[j]))
            if isinstance(expr, Poly):
                rows.append(np.full(len(expr.indices), j))
                cols.append(expr.indices)
                vals.append(expr.coefs)
                m[j] = expr.constant
            elif isinstance(expr, Const):
                m[j] = expr.value
    except errors.BipnnError as exc:
        raise host_error(exc) from None
    M = sp.csr_array((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                     shape=(n, problem.n_binaries))
    return Encoding(problem, M, m, list(names))


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
        upper = sense == "==" or (sense == "<=") == (coef[r] > 0)
        lower = sense == "==" or not upper
        if upper:
            ub[j] = min(ub[j], math.floor(bound + 1e-9))
        if lower:
            lb[j] = max(lb[j], math.ceil(bound - 1e-9))
    return used


def add_linear_rows(problem: BinaryProblem, A: sp.sparray, const: np.ndarray, sense: str, rhs: np.ndarray | float,
                    names: Sequence[str]) -> None:
    """One constraint ``A[r] @ binaries + const[r] (sense) rhs[r]`` per row, each a vectorised Poly."""
    A = sp.csr_array(A)
    rhs = np.broadcast_to(np.asarray(rhs, dtype=np.float64), (A.shape[0],))
    try:
        for r in range(A.shape[0]):
            lo, hi = A.indptr[r], A.indptr[r + 1]
            problem.add_constraint(Poly.linear(A.indices[lo:hi], A.data[lo:hi], 0.0), sense,
                                   float(rhs[r] - const[r]), names[r])
    except errors.BipnnError as exc:
        raise host_error(exc) from None


def solver_attr(result: SolveResult) -> dict[str, Any]:
    """CVXPY's solution attributes (become ``prob.solver_stats``)."""
    stats = result.stats
    return {
        s.SOLVE_TIME: stats.get("time_total"),
        s.SETUP_TIME: stats.get("time_reformulate"),
        s.NUM_ITERS: int(stats.get("epochs", 0) or 0),
        s.EXTRA_STATS: result,
    }
