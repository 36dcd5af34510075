"""The continuous part of a problem as a linear program, solved exactly by HiGHS (``highspy``).

For a fixed discrete assignment x, every constraint's discrete body is a number
d(x), so the columns (continuous variables) face the LP

    min  c . y      s.t.  rhs_lo - d(x) <= C y <= rhs_hi - d(x),   lb <= y <= ub

(max for a maximisation). :class:`ColumnLP` builds it once and re-solves it for
each assignment by changing only the row bounds, so HiGHS warm-starts from the
previous basis. With no discrete variables the same LP is the whole problem.
``highspy`` is imported on first use only.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from .core.evaluate import evaluate
from .core.linear_system import linear_parts, linear_system
from .core.problem import BinaryProblem

OPTIMAL, INFEASIBLE, UNBOUNDED = "optimal", "infeasible", "unbounded"


@dataclass
class LPOutcome:
    """What HiGHS proved for one assignment: ``status`` (optimal, infeasible or unbounded),
    the column values ``y`` (optimal; for unbounded a feasible point) and the LP objective in the
    user's sense (``value``; +-inf when unbounded, None when infeasible). ``dual`` (optimal only):
    the change of the minimised LP objective per unit increase of each row's bounds."""

    status: str
    y: np.ndarray | None
    value: float | None
    dual: np.ndarray | None = None


class ColumnLP:
    """The LP in the columns of ``problem`` for any fixed discrete assignment (see the module docstring)."""

    def __init__(self, problem: BinaryProblem, tol: float = 1e-6) -> None:
        import highspy

        self._h = highspy
        self.problem = problem
        n = len(problem.columns)
        bad = [c.name for c in problem.columns if c.kind != "continuous"]
        if bad:
            raise ValueError(f"integer columns must be encoded before the LP (presolve): {', '.join(bad)}")
        self.rows = np.array([k for k, con in enumerate(problem.constraints) if len(con.columns[0])], dtype=np.int64)
        cons = [problem.constraints[k] for k in self.rows]
        lengths = np.array([len(c.columns[0]) for c in cons], dtype=np.int64)
        indptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        idx = np.concatenate([c.columns[0] for c in cons]).astype(np.int32) if cons else np.zeros(0, np.int32)
        vals = np.concatenate([c.columns[1] for c in cons]) if cons else np.zeros(0)
        self.C = sp.csr_matrix((vals, idx, indptr), shape=(len(cons), n))
        inf = highspy.kHighsInf
        self.rhs_lo = np.array([c.rhs if c.sense in (">=", "==") else -inf for c in cons], dtype=np.float64)
        self.rhs_hi = np.array([c.rhs if c.sense in ("<=", "==") else inf for c in cons], dtype=np.float64)
        self.sign = 1.0 if problem.sense == "min" else -1.0
        cost = np.zeros(n)
        cost[problem.objective_columns[0]] = problem.objective_columns[1]
        self.cost = self.sign * cost
        lb = np.array([c.lb for c in problem.columns], dtype=np.float64)
        ub = np.array([c.ub for c in problem.columns], dtype=np.float64)
        self.lb, self.ub = np.maximum(lb, -inf), np.minimum(ub, inf)
        self.highs = self._new_highs(tol)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(cons)
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = self.cost, self.lb, self.ub
        lp.row_lower_, lp.row_upper_ = self.rhs_lo, self.rhs_hi
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = indptr.astype(np.int32), idx, vals
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, len(cons)
        self.highs.passModel(lp)
        self.solves = 0
        self._linear_bodies(problem.n_binaries)

    def _new_highs(self, tol: float):
        h = _quiet(self._h.Highs)
        h.setOptionValue("output_flag", False)
        h.setOptionValue("primal_feasibility_tolerance", min(1e-7, max(tol, 1e-10) / 10))
        h.setOptionValue("dual_feasibility_tolerance", 1e-8)
        return h

    def _linear_bodies(self, n: int) -> None:
        """The LP rows' linear discrete bodies as one sparse matrix (the rest are evaluated one by one)."""
        idx, vals, rows, const, self._others = [], [], [], np.zeros(len(self.rows)), []
        for r, k in enumerate(self.rows):
            part = linear_parts(self.problem.constraints[k].body)
            if part is None:
                self._others.append(r)
                continue
            const[r] = part.constant
            for i, c in zip(part.indices, part.coefs):
                idx.append(i)
                vals.append(c)
                rows.append(np.full(len(i), r))
        cat = (lambda xs, dt: np.concatenate(xs).astype(dt) if xs else np.zeros(0, dt))
        self._D = sp.csr_matrix((cat(vals, np.float64), (cat(rows, np.int64), cat(idx, np.int64))),
                                shape=(len(self.rows), n))
        self._D_const = const

    @property
    def discrete_matrix(self) -> sp.csr_matrix | None:
        """The LP rows' discrete parts d(x) = D x + const as D (rows x binaries) when all are linear, else None."""
        return None if self._others else self._D

    def discrete_parts(self, X: np.ndarray) -> np.ndarray:
        """d(x) of every LP row at every row of X: shape (B, rows); linear bodies in one sparse product."""
        X = np.atleast_2d(np.asarray(X, dtype=np.float64))
        out = np.asarray(self._D @ X.T).T + self._D_const
        for r in self._others:
            body = self.problem.constraints[self.rows[r]].body
            support = body.support()
            out[:, r] = evaluate(body, X[:, support], support)
        return out

    def solve(self, d: np.ndarray | None = None) -> LPOutcome:
        """Solve for the discrete parts ``d`` (one row of :meth:`discrete_parts`; None: all zero)."""
        h = self.highs
        if len(self.rows):
            d = np.zeros(len(self.rows)) if d is None else np.asarray(d, dtype=np.float64)
            if not np.isfinite(d).all():
                return LPOutcome(INFEASIBLE, None, None)
            h.changeRowsBounds(len(self.rows), np.arange(len(self.rows), dtype=np.int32),
                               self.rhs_lo - d, self.rhs_hi - d)
        self.solves += 1
        h.run()
        if self.solves == 1:
            h.setOptionValue("presolve", "off")  # later solves change bounds only: warm-started simplex
        status = h.getModelStatus()
        S = self._h.HighsModelStatus
        if status == S.kUnboundedOrInfeasible:
            status = self._feasibility()
        if status == S.kOptimal:
            sol = h.getSolution()
            y = np.clip(np.array(sol.col_value, dtype=np.float64), self.lb, self.ub)
            dual = np.array(sol.row_dual, dtype=np.float64) if sol.dual_valid else None
            return LPOutcome(OPTIMAL, y, float(self.sign * (self.cost @ y)), dual)
        if status == S.kInfeasible:
            return LPOutcome(INFEASIBLE, None, None)
        if status == S.kUnbounded:
            y = np.array(h.getSolution().col_value, dtype=np.float64) if h.getSolution().value_valid else None
            return LPOutcome(UNBOUNDED, y, -self.sign * np.inf)
        raise RuntimeError(f"HiGHS stopped with model status {h.modelStatusToString(status)}")

    def _feasibility(self):
        """Tell infeasible from unbounded: solve with zero cost (feasible means unbounded)."""
        h, n = self.highs, len(self.cost)
        cols = np.arange(n, dtype=np.int32)
        h.changeColsCost(n, cols, np.zeros(n))
        h.setOptionValue("presolve", "off")
        h.run()
        feasible = h.getModelStatus() == self._h.HighsModelStatus.kOptimal
        h.changeColsCost(n, cols, self.cost)
        return self._h.HighsModelStatus.kUnbounded if feasible else self._h.HighsModelStatus.kInfeasible

    def violation(self, d: np.ndarray) -> float:
        """The least total row violation any y within bounds leaves for discrete parts ``d``: 0 when
        the LP is feasible; used to rank assignments whose LP is infeasible."""
        if not len(self.rows):
            return 0.0
        if not hasattr(self, "_elastic"):
            self._elastic = self._build_elastic()
        h = self._elastic
        m = len(self.rows)
        h.changeRowsBounds(m, np.arange(m, dtype=np.int32), self.rhs_lo - d, self.rhs_hi - d)
        h.run()
        if h.getModelStatus() != self._h.HighsModelStatus.kOptimal:
            return np.inf
        return float(h.getInfo().objective_function_value)

    def _build_elastic(self):
        """min sum(s+ + s-) s.t. rows - s+ + s- within bounds: the LP's least total violation."""
        hs = self._h
        m, n = self.C.shape
        eye = sp.identity(m, format="csr")
        A = sp.hstack([self.C, -eye, eye], format="csr")
        lp = hs.HighsLp()
        lp.num_col_, lp.num_row_ = n + 2 * m, m
        lp.col_cost_ = np.concatenate((np.zeros(n), np.ones(2 * m)))
        lp.col_lower_ = np.concatenate((self.lb, np.zeros(2 * m)))
        lp.col_upper_ = np.concatenate((self.ub, np.full(2 * m, hs.kHighsInf)))
        lp.row_lower_, lp.row_upper_ = self.rhs_lo, self.rhs_hi
        lp.a_matrix_.format_ = hs.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = A.indptr.astype(np.int32)
        lp.a_matrix_.index_ = A.indices.astype(np.int32)
        lp.a_matrix_.value_ = A.data.astype(np.float64)
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n + 2 * m, m
        h = self._new_highs(1e-7)
        h.passModel(lp)
        h.setOptionValue("presolve", "off")
        return h


def relaxation(problem: BinaryProblem, tol: float = 1e-6) -> np.ndarray | None:
    """The binaries of an optimal vertex of the LP relaxation (binaries in [0, 1]), or None when some
    constraint or the objective is nonlinear, or the relaxation has no optimum. A starting point for
    the search (rounded), never a proof."""
    out = relaxation_outcome(problem, tol)
    if out is None or out.status != OPTIMAL:
        return None
    return np.clip(out.y[:problem.n_binaries], 0.0, 1.0)


def relaxation_outcome(problem: BinaryProblem, tol: float = 1e-6) -> LPOutcome | None:
    """What HiGHS proves for the LP relaxation (binaries in [0, 1], integer columns continuous), or
    None when some constraint or the objective is nonlinear (or HiGHS proves nothing). ``y`` holds
    every variable, binaries first, then the columns: optimal, a vertex; unbounded, a feasible point
    (from a zero-cost solve); infeasible, None. For rational data an unbounded relaxation plus one
    feasible integer point proves the integer program unbounded, and an infeasible relaxation proves
    it infeasible."""
    import highspy

    made = relaxation_model(problem, tol)
    if made is None:
        return None
    h, cost = made
    h.run()
    S = highspy.HighsModelStatus
    status = h.getModelStatus()
    if status == S.kOptimal:
        y = np.array(h.getSolution().col_value, dtype=np.float64)
        return LPOutcome(OPTIMAL, y, float(cost @ y))
    if status == S.kInfeasible:
        return LPOutcome(INFEASIBLE, None, None)
    if status not in (S.kUnbounded, S.kUnboundedOrInfeasible):
        return None  # HiGHS proved nothing (a limit, a numerical failure)
    n = len(cost)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), np.zeros(n))  # a feasible point, or a proof there is none
    h.setOptionValue("presolve", "off")
    h.run()
    after = h.getModelStatus()
    if after == S.kInfeasible:
        return LPOutcome(INFEASIBLE, None, None)
    if after != S.kOptimal:
        return None
    sign = 1.0 if problem.sense == "min" else -1.0
    return LPOutcome(UNBOUNDED, np.array(h.getSolution().col_value, dtype=np.float64), -sign * np.inf)


def relaxation_model(problem: BinaryProblem, tol: float = 1e-6):
    """(HiGHS holding the LP relaxation, not yet solved: the binaries in [0, 1], then the columns; the
    objective in the user's sense as a vector), or None when some constraint or the objective is
    nonlinear. Callers may change its bounds (a dive)."""
    import highspy

    system = linear_system(problem)
    if len(system.others) or system.objective is None or len(system.rows) != len(problem.constraints):
        return None
    n, k = problem.n_binaries, len(problem.columns)
    cons = [problem.constraints[r] for r in system.rows]
    lengths = np.array([len(c.columns[0]) for c in cons], dtype=np.int64)
    C = sp.csr_matrix((np.concatenate([c.columns[1] for c in cons]) if cons else np.zeros(0),
                       np.concatenate([c.columns[0] for c in cons]).astype(np.int64) if cons else np.zeros(0, np.int64),
                       np.concatenate(([0], np.cumsum(lengths)))), shape=(len(cons), k))
    A = sp.hstack([system.A, C], format="csr")
    inf = highspy.kHighsInf
    rhs = system.rhs - system.const
    sense = system.sense
    sign = 1.0 if problem.sense == "min" else -1.0
    cost = np.zeros(n + k)
    cost[:n] = system.objective[0]
    cost[n + problem.objective_columns[0]] = problem.objective_columns[1]
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n + k, A.shape[0]
    lp.col_cost_ = sign * cost
    lp.col_lower_ = np.concatenate((np.zeros(n), np.maximum([c.lb for c in problem.columns], -inf)))
    lp.col_upper_ = np.concatenate((np.ones(n), np.minimum([c.ub for c in problem.columns], inf)))
    lp.row_lower_ = np.where(sense == 0, -inf, rhs)
    lp.row_upper_ = np.where(sense == 1, inf, rhs)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(np.float64)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n + k, A.shape[0]
    h = _quiet(highspy.Highs)
    h.setOptionValue("output_flag", False)
    h.setOptionValue("primal_feasibility_tolerance", min(1e-7, max(tol, 1e-10) / 10))
    h.passModel(lp)
    return h, cost


def _quiet(make):
    """Call ``make()`` with file descriptor 1 pointed at /dev/null: HiGHS prints its banner from C++
    in the constructor, before any option can silence it, and a solver plugin must not write to
    the user's standard output."""
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError, AttributeError):
        return make()
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 1)
            return make()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
