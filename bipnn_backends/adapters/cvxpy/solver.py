"""``prob.solve(solver=BIPNN())``: BIPNN as a CVXPY custom (mixed-integer QP) solver.

CVXPY canonicalises the (DCP) problem to

    minimise 1/2 x'Px + q'x + d   s.t.   A x = b,  F x <= g,  lb <= x <= ub

with boolean and integer entries of x. Continuous entries outside P (the
user's continuous variables, epigraph auxiliaries of abs/max/norm1) stay
continuous: the core solves them with the LP (docs/mixed.md). Continuous
entries inside P (e.g. ``t = A x - b`` for ``sum_squares``) are eliminated
through the equalities that define them; everything else is handed to
:func:`bipnn_backends.solve` unchanged.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import threading
import weakref
from typing import Any, Callable

import numpy as np
import scipy.sparse as sp
import cvxpy as cp
from cvxpy import settings as s
from cvxpy.reductions.solution import Solution, failure_solution
from cvxpy.reductions.solvers.qp_solvers.qp_solver import QpSolver
from scipy.sparse.csgraph import maximum_bipartite_matching

from ...core.continuous import Columns
from ...core.expr import Expr, Poly
from ...core.problem import BinaryProblem
from .._kit import clock_started, echo_log, raising_host_errors, time_left
from .common import (SOLVER_NAME, STATUS_MAP, CvxpyContinuousVariableError, CvxpyUnboundedVariableError, Encoding,
                     ERRORS,
                     add_linear_rows, check_variables, encode_columns, entry_names, make_cvxpy_options,
                     singleton_bounds, solver_attr)

log = logging.getLogger("bipnn_backends")

COLUMNS = "bipnn_columns"
STARTED = "bipnn_started"  # when CVXPY first called this solver (clock_started): the time limit counts from it
SIGN = "bipnn_sign"  # the user's objective is SIGN * (the minimisation form + offset); None: not known
OFFSET = "bipnn_offset"  # that offset (CVXPY keeps it in the inverse data, which solve_via_data does not see)

#: The user's sense of each problem this solver was handed (CVXPY's matrix form, kept by CVXPY between solves
#: of one problem): ``can_solve`` sees the user's problem, ``apply`` the matrix form built right after it,
#: in the same thread (:func:`_user_sign`).
_SIGNS: "weakref.WeakKeyDictionary[Any, float]" = weakref.WeakKeyDictionary()
_PENDING = threading.local()


class BIPNN(QpSolver):
    """BIPNN for CVXPY's solving chain: ``prob.solve(solver=BIPNN(), time_limit=10, seed=0)``.

    Accepts boolean and bounded-integer variables, linear or convex quadratic
    objectives and linear constraints. Options are ``prob.solve`` keywords
    (``verbose`` plus BIPNN's canonical names; unknown names raise).
    """

    MIP_CAPABLE = True
    BOUNDED_VARIABLES = True
    MI_SUPPORTED_CONSTRAINTS = QpSolver.SUPPORTED_CONSTRAINTS
    #: Variable types BIPNN accepts (continuous ones only as CVXPY auxiliaries it can eliminate).
    SUPPORTED_VARIABLE_TYPES = ("boolean", "integer")

    def name(self) -> str:
        return SOLVER_NAME

    def import_solver(self) -> None:
        import bipnn_backends.solve  # noqa: F401  (light: torch loads on the first engine solve)

    def can_solve(self, problem_form: Any) -> bool:
        """Reject structured variables up front, naming them (the problem stays untouched); note the
        user's objective sense for the matrix form ``apply`` gets next (pool objectives)."""
        _PENDING.sign = None
        problem = getattr(problem_form, "_problem", None)
        if problem is not None:
            check_variables(problem.variables())
        ok = super().can_solve(problem_form)
        if ok and problem is not None:
            sign = -1.0 if isinstance(problem.objective, cp.Maximize) else 1.0
            _PENDING.sign = (sign, frozenset(v.id for v in problem.variables()))
        return ok

    def cite(self, data: Any) -> str:
        return ("@article{bipnn2025, title={Towards Efficient Binary Integer Programming via Hypergraph "
                "Neural Networks}, journal={arXiv:2505.20997}, year={2025}}")

    def apply(self, problem: Any) -> tuple[dict, dict]:
        started = clock_started()  # the first call of CVXPY's solve into this solver: the time limit counts from here
        data, inv_data = super().apply(problem)
        n = problem.x.size
        names = [f"x{k}" for k in range(n)]
        x0 = np.full(n, np.nan)
        seen: set[str] = set()
        for var in problem.variables:
            col = problem.var_id_to_col[var.id]
            label = var.name() if var.name() not in seen else f"{var.name()}#{var.id}"
            seen.add(label)
            names[col:col + var.size] = entry_names(label, var.shape)
            if var.value is not None:
                x0[col:col + var.size] = np.asarray(var.value, dtype=float).flatten(order="F")
        data[COLUMNS] = (names, x0)
        data[STARTED] = started
        data[SIGN] = _user_sign(problem)
        data[OFFSET] = float(inv_data[s.OFFSET])
        return data, inv_data

    def solve_via_data(self, data: dict, warm_start: bool, verbose: bool, solver_opts: dict,
                       solver_cache: Any = None) -> dict:
        from ...solve import solve

        names, x0 = data[COLUMNS]
        enc, problem = _translate(data, names)
        opts = make_cvxpy_options(solver_opts, verbose, enc.warm_start(x0) if warm_start else None)
        opts = time_left(opts, data.get(STARTED, clock_started()))
        if opts.callback is not None:
            opts = dataclasses.replace(opts, callback=_user_callback(opts.callback, data.get(SIGN),
                                                                     data.get(OFFSET, 0.0)))
        with echo_log([sys.stdout] if verbose else [], exclusive=True, unless_configured=True), \
                raising_host_errors(ERRORS):
            result = solve(problem, opts)
            log.info("%s: %s", SOLVER_NAME, result.message)
        return {"result": result, "encoding": enc, "sign": data.get(SIGN)}

    def invert(self, results: dict, inverse_data: Any) -> Solution:
        result, enc = results["result"], results["encoding"]
        status = STATUS_MAP[result.solution_status]
        attr = solver_attr(result)
        if status not in s.SOLUTION_PRESENT:
            return failure_solution(status, attr)
        x = enc.result_values(result)
        offset, sign = float(inverse_data[s.OFFSET]), results.get("sign")
        value = float(result.objective) + offset  # CVXPY's minimisation form; its chain restores the sense
        for entry in result.pool:  # objectives in the user's sense, as prob.value (None if it is not known)
            entry.objective = None if sign is None else sign * (float(entry.objective) + offset)
        if sign is not None:
            result.objective = sign * value
        return Solution(status, value, {self.VAR_ID: x}, {}, attr)


def _user_callback(fn: Callable[[Any], Any], sign: float | None, offset: float) -> Callable[[Any], Any]:
    """The user's incumbent callback, its events' objective turned from CVXPY's minimisation form into
    the user's sense, as ``prob.value`` (None when the sense is not known, as for pool objectives)."""
    def user_sense(event: Any) -> Any:
        event.objective = None if sign is None else sign * (event.objective + offset)
        return fn(event)
    return user_sense


def _user_sign(param_prog: Any) -> float | None:
    """The sign of the user's objective for CVXPY's matrix form ``param_prog``: +1 minimise, -1 maximise
    (CVXPY flipped it), None when this matrix form did not come from a problem ``can_solve`` saw just
    before in this thread (e.g. rebuilt for new parameter values: then pool objectives stay None). The
    matrix form holds the user's variables (plus CVXPY's auxiliaries): a check that it is that problem's."""
    pending, _PENDING.sign = getattr(_PENDING, "sign", None), None
    sign = _SIGNS.get(param_prog)
    if sign is None and pending is not None and pending[1] <= frozenset(v.id for v in param_prog.variables):
        sign = _SIGNS[param_prog] = pending[0]
    return sign


def _translate(data: dict, names: list[str]) -> tuple[Encoding, BinaryProblem]:
    """The QP data as a BinaryProblem (always a minimisation: CVXPY flipped any maximisation)."""
    n = data["n_var"]
    A, b = sp.csr_array(data[s.A]), np.asarray(data[s.B], dtype=float)
    F, g = sp.csr_array(data[s.F]), np.asarray(data[s.G], dtype=float)
    lb = np.full(n, -np.inf) if data[s.LOWER_BOUNDS] is None else np.array(data[s.LOWER_BOUNDS], dtype=float)
    ub = np.full(n, np.inf) if data[s.UPPER_BOUNDS] is None else np.array(data[s.UPPER_BOUNDS], dtype=float)
    kinds = np.full(n, "c", dtype="<U1")
    kinds[list(data[s.INT_IDX])] = "i"
    kinds[list(data[s.BOOL_IDX])] = "b"
    kinds[(kinds == "c") & (lb == ub)] = "f"  # continuous but fixed by its bounds: a constant
    integer = kinds == "i"
    keep_eq = ~singleton_bounds(A, b, "==", integer, lb, ub)
    keep_ineq = ~singleton_bounds(F, g, "<=", integer, lb, ub)
    A, b, F, g = A[keep_eq], b[keep_eq], F[keep_ineq], g[keep_ineq]
    cont = np.flatnonzero(kinds == "c")
    disc = np.flatnonzero(kinds != "c")
    P = sp.csr_array(data[s.P])
    P = (P + P.T) / 2
    in_quad = np.zeros(n, dtype=bool)
    in_quad[sp.coo_array(P).row[sp.coo_array(P).data != 0]] = True
    free = (kinds == "c") | ((kinds == "i") & ~(np.isfinite(lb) & np.isfinite(ub)))
    if free.any() and not in_quad[free].any():
        return _translate_with_columns(data, names, kinds, lb, ub, A, b, F, g, P)

    problem = BinaryProblem(name="cvxpy")
    enc_disc = encode_columns(problem, [names[j] for j in disc], kinds[disc], lb[disc], ub[disc], disc)
    if problem.columns:
        raise CvxpyUnboundedVariableError(
            f"integer variable(s) {', '.join(repr(c.name) for c in problem.columns[:6])} without finite bounds "
            "appear in the quadratic objective; give them finite bounds")
    # Full columns as an affine map of the discrete ones: x = T z + t.
    T = sp.csr_array((np.ones(len(disc)), (disc, np.arange(len(disc)))), shape=(n, len(disc)))
    t = np.zeros(n)
    defining = np.zeros(A.shape[0], dtype=bool)
    if len(cont):
        G, h, rows = _eliminate(A, b, cont, disc, names)
        T = sp.csr_array(T + _scatter_rows(G, cont, n))
        t[cont] = h
        defining[rows] = True
    M = sp.csr_array(T @ enc_disc.M)
    m = T @ enc_disc.m + t
    enc = Encoding(problem, M, m, names)

    _set_objective(problem, M, m, P, np.asarray(data[s.Q], dtype=float))

    Ak, bk = enc.affine(A[~defining], np.zeros((~defining).sum()))
    add_linear_rows(problem, Ak, bk, "==", b[~defining], [f"eq{k}" for k in np.flatnonzero(~defining)])
    Fk, gk = enc.affine(F, np.zeros(F.shape[0]))
    add_linear_rows(problem, Fk, gk, "<=", g, [f"ineq{k}" for k in range(F.shape[0])])
    for bound, sense in ((lb, ">="), (ub, "<=")):
        finite = cont[np.isfinite(bound[cont])]
        if len(finite):
            Bk, bk = enc.affine(sp.csr_array((np.ones(len(finite)), (np.arange(len(finite)), finite)),
                                            shape=(len(finite), n)), np.zeros(len(finite)))
            add_linear_rows(problem, Bk, bk, sense, bound[finite], [f"bound_{names[j]}" for j in finite])
    return enc, problem


def _translate_with_columns(data: dict, names: list[str], kinds: np.ndarray, lb: np.ndarray, ub: np.ndarray,
                            A: sp.csr_array, b: np.ndarray, F: sp.csr_array, g: np.ndarray,
                            P: sp.csr_array) -> tuple[Encoding, BinaryProblem]:
    """The QP data with its continuous entries (none of them in P) as the problem's columns."""
    problem = BinaryProblem(name="cvxpy")
    enc = encode_columns(problem, names, kinds, lb, ub)
    q = np.asarray(data[s.Q], dtype=float)
    _set_objective(problem, enc.M, enc.m, P, q, enc.C.T @ q)
    Ak, bk = enc.affine(A, np.zeros(A.shape[0]))
    add_linear_rows(problem, Ak, bk, "==", b, [f"eq{k}" for k in range(A.shape[0])], enc.columns_part(A))
    Fk, gk = enc.affine(F, np.zeros(F.shape[0]))
    add_linear_rows(problem, Fk, gk, "<=", g, [f"ineq{k}" for k in range(F.shape[0])], enc.columns_part(F))
    return enc, problem


def _set_objective(problem: BinaryProblem, M: sp.csr_array, m: np.ndarray, P: sp.csr_array, q: np.ndarray,
                   q_columns: np.ndarray | None = None) -> None:
    """1/2 x'Px + q'x with x = M @ binaries + m (+ the problem's columns, linearly, ``q_columns``)."""
    Pb = sp.coo_array(M.T @ P @ M)
    qb = M.T @ (P @ m + q)
    const = 0.5 * m @ (P @ m) + q @ m
    upper = Pb.row <= Pb.col
    r, c, v = Pb.row[upper], Pb.col[upper], np.where(Pb.row[upper] == Pb.col[upper], 0.5, 1.0) * Pb.data[upper]
    lin = np.flatnonzero(qb)
    offsets = np.concatenate([np.arange(len(lin) + 1), len(lin) + 2 * np.arange(1, len(v) + 1)])
    indices = np.concatenate([lin, np.stack([r, c], axis=1).ravel()])
    objective: Expr = Poly(offsets, indices, np.concatenate([qb[lin], v]), float(const))
    if q_columns is not None and np.any(q_columns):
        nz = np.flatnonzero(q_columns)
        objective = objective + Columns(nz, q_columns[nz])
    with raising_host_errors(ERRORS):
        problem.set_objective(objective, "min")


def _eliminate(A: sp.csr_array, b: np.ndarray, cont: np.ndarray, disc: np.ndarray,
               names: list[str]) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
    """Solve the equalities for the continuous columns: x_cont = G x_disc + h.

    Returns G, h and the equality rows used as definitions. Raises when some
    continuous column is not determined by the equalities (e.g. an epigraph
    variable of ``abs`` or ``max``, or a user's own continuous variable).
    """
    Ac = sp.csc_array(A[:, cont])
    pattern = sp.csr_array((np.ones(Ac.nnz), Ac.indices, Ac.indptr), shape=(len(cont), A.shape[0]))
    match = maximum_bipartite_matching(pattern, perm_type="column")
    free = cont[match < 0]
    if len(free) == 0:
        rows = match
        Mc = sp.csc_array(Ac[rows])
        try:
            lu = sp.linalg.splu(Mc)
        except RuntimeError:
            free = cont
    if len(free):
        shown = ", ".join(names[j] for j in free[:6]) + (", ..." if len(free) > 6 else "")
        raise CvxpyContinuousVariableError(
            f"continuous variable(s) {shown} appear in the quadratic part of the objective and are not fixed by "
            "equalities: continuous variables may appear only linearly (docs/mixed.md); make them "
            "boolean/integer with bounds, or keep the quadratic terms on discrete variables")
    Az = sp.csr_array(A[rows][:, disc])
    diag = Mc.diagonal()
    if Mc.nnz == np.count_nonzero(diag):  # the usual case: one auxiliary per defining row
        return sp.csr_array(sp.diags_array(-1.0 / diag) @ Az), b[rows] / diag, rows
    G = -lu.solve(Az.toarray()) if Az.shape[1] else np.zeros((len(cont), 0))
    return sp.csr_array(G), lu.solve(b[rows]), rows


def _scatter_rows(G: sp.csr_array, rows: np.ndarray, n: int) -> sp.csr_array:
    """Place the rows of G at ``rows`` of an n-row matrix."""
    G = sp.coo_array(G)
    return sp.csr_array((G.data, (rows[G.row], G.col)), shape=(n, G.shape[1]))
