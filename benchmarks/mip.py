"""MIP baselines (SCIP, HiGHS, OR-Tools CP-SAT) on one shared linearised form of a :class:`BinaryProblem`.

:class:`MipForm` is built once per instance: every monomial of degree >= 2
(objective or constraint) becomes an auxiliary binary y = AND(x_S), and
each solver states that AND in its own idiom (SCIP ``addConsAnd``, HiGHS
y <= x_i and y >= sum x_i - (|S| - 1), CP-SAT enforced ``BoolAnd``/``BoolOr``).
Every runner counts its own model building against the time limit, runs one
thread, and records ``trace``: (seconds since the runner started, objective
in the user's sense) at each improving solution, from the solver's own
callback (SCIP event handler, HiGHS ``cbMipImprovingSolution``, CP-SAT
solution callback).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from bipnn_backends.core.problem import BinaryProblem

from .errors import Skip
from .instances import Instance
from .scoring import PuboArrays, as_poly

@dataclass
class MipForm:
    """min/max c.z + const s.t. lo <= A z <= hi, z binary; z = x (n) then AND products (p)."""

    n: int
    products: list[tuple[int, ...]]
    c: np.ndarray
    const: float
    sense: str
    A: sp.csr_matrix
    lo: np.ndarray
    hi: np.ndarray
    names: list[str]

    @property
    def columns(self) -> int:
        return self.n + len(self.products)

    def integral(self) -> bool:
        """True when every objective and row coefficient and every finite bound is an integer."""
        vals = [self.c, self.A.data, self.lo[np.isfinite(self.lo)], self.hi[np.isfinite(self.hi)]]
        return all(np.all(v == np.round(v)) for v in vals)


def mip_form(problem: BinaryProblem) -> MipForm:
    """The linearised form of ``problem`` (products of binaries become AND auxiliaries)."""
    n = problem.n_binaries
    prod_index: dict[tuple[int, ...], int] = {}

    def columns(expr: Any) -> tuple[np.ndarray, np.ndarray, float]:
        p = as_poly(expr, n)
        deg = np.diff(p.offsets)
        cols = np.empty(len(p.coefs), dtype=np.int64)
        lin = deg == 1
        cols[lin] = p.indices[p.offsets[:-1][lin]]
        off, idx = p.offsets.tolist(), p.indices.tolist()
        for k in np.nonzero(~lin)[0].tolist():
            key = tuple(idx[off[k]:off[k + 1]])
            cols[k] = n + prod_index.setdefault(key, len(prod_index))
        return cols, p.coefs, p.constant

    oc, ov, const = columns(problem.objective)
    rows, cols, vals, lo, hi, names = [], [], [], [], [], []
    for r, con in enumerate(problem.constraints):
        cc, cv, c0 = columns(con.body)
        rows.append(np.full(len(cc), r))
        cols.append(cc)
        vals.append(cv)
        rhs = con.rhs - c0
        lo.append(rhs if con.sense in (">=", "==") else -np.inf)
        hi.append(rhs if con.sense in ("<=", "==") else np.inf)
        names.append(con.name)
    total = n + len(prod_index)
    c = np.bincount(oc, weights=ov, minlength=total)
    m = len(names)
    A = sp.csr_matrix((np.concatenate(vals) if vals else np.zeros(0),
                       (np.concatenate(rows) if rows else np.zeros(0, np.int64),
                        np.concatenate(cols) if cols else np.zeros(0, np.int64))), shape=(m, total))
    A.sum_duplicates()
    products = [k for k, _ in sorted(prod_index.items(), key=lambda kv: kv[1])]
    return MipForm(n, products, c, const, problem.sense, A, np.array(lo, dtype=np.float64),
                   np.array(hi, dtype=np.float64), names)


def form_of(inst: Instance) -> MipForm:
    """The instance's MipForm, built on first use and kept (the structured suite builds it untimed)."""
    form = inst.extra.get("mip_form")
    if form is None:
        form = inst.extra["mip_form"] = mip_form(inst.problem)
    return form


class _Trace:
    def __init__(self, t0: float) -> None:
        self.t0 = t0
        self.points: list[tuple[float, float]] = []

    def add(self, objective: float) -> None:
        self.points.append((round(time.perf_counter() - self.t0, 4), float(objective)))


def _left(t0: float, time_limit: float, what: str) -> float:
    build = time.perf_counter() - t0
    left = time_limit - build
    if left <= 0.05:
        raise Skip(f"building the {what} model took {build:.1f} s of the {time_limit:g} s limit")
    return left


# -- SCIP ---------------------------------------------------------------------

def run_scip(inst: Instance, pubo: PuboArrays | None, time_limit: float, seed: int,
             gap_zero: bool = False) -> tuple[np.ndarray | None, dict]:
    """SCIP on the exact problem, products as AND constraints, one thread; an event handler records the trace."""
    t0 = time.perf_counter()
    from pyscipopt import SCIP_EVENTTYPE, Eventhdlr, Model, quicksum

    form = form_of(inst)
    trace = _Trace(t0)
    model = Model()
    model.hideOutput()
    model.setParam("parallel/maxnthreads", 1)
    model.setParam("lp/threads", 1)
    model.setParam("randomization/randomseedshift", seed)
    z = [model.addVar(vtype="B", name=f"x{i}") for i in range(form.n)]
    z += [model.addVar(vtype="B", name=f"and{k}") for k in range(len(form.products))]
    for k, members in enumerate(form.products):
        model.addConsAnd([z[i] for i in members], z[form.n + k])
    nz = np.nonzero(form.c)[0].tolist()
    model.setObjective(quicksum(float(form.c[j]) * z[j] for j in nz) + form.const,
                       "maximize" if form.sense == "max" else "minimize")
    A = form.A
    ptr, ind, val = A.indptr.tolist(), A.indices.tolist(), A.data.tolist()
    for r, name in enumerate(form.names):
        body = quicksum(val[k] * z[ind[k]] for k in range(ptr[r], ptr[r + 1]))
        lo, hi = form.lo[r], form.hi[r]
        if lo == hi:
            model.addCons(body == float(hi), name=name)
        elif np.isfinite(hi):
            model.addCons(body <= float(hi), name=name)
        else:
            model.addCons(body >= float(lo), name=name)

    class Incumbents(Eventhdlr):
        def eventinit(self) -> None:
            self.model.catchEvent(SCIP_EVENTTYPE.BESTSOLFOUND, self)

        def eventexec(self, event: Any) -> None:
            trace.add(self.model.getSolObjVal(self.model.getBestSol()))

    model.includeEventhdlr(Incumbents(), "incumbents", "records improving solutions")
    left = _left(t0, time_limit, "SCIP")
    model.setParam("limits/time", left)
    model.optimize()
    info = {"formulation": "linear rows; products as AND constraints (addConsAnd)",
            "and_vars": len(form.products), "scip_status": model.getStatus(), "build_s": round(time_limit - left, 3),
            "dual_bound": float(model.getDualbound()), "proven_optimal": model.getStatus() == "optimal",
            "trace": trace.points}
    if model.getNSols() == 0:
        return None, info
    sol = model.getBestSol()
    return np.array([round(model.getSolVal(sol, v)) for v in z[:form.n]], dtype=np.float64), info


# -- HiGHS --------------------------------------------------------------------

def _and_rows(form: MipForm) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """y - x_i <= 0 for every member, y - sum x_i >= 1 - |S| (the exact linearisation of y = AND(x_S))."""
    rows, cols, vals, lo, hi = [], [], [], [], []
    r = 0
    for k, members in enumerate(form.products):
        y = form.n + k
        for i in members:
            rows += [r, r]
            cols += [y, i]
            vals += [1.0, -1.0]
            lo.append(-np.inf)
            hi.append(0.0)
            r += 1
        rows += [r] * (len(members) + 1)
        cols += [y] + list(members)
        vals += [1.0] + [-1.0] * len(members)
        lo.append(1.0 - len(members))
        hi.append(np.inf)
        r += 1
    M = sp.csr_matrix((vals, (rows, cols)), shape=(r, form.columns))
    return M, np.array(lo), np.array(hi)


def run_highs(inst: Instance, pubo: PuboArrays | None, time_limit: float, seed: int) -> tuple[np.ndarray | None, dict]:
    """HiGHS MIP (its primal heuristics include feasibility jump), one thread; products linearised."""
    t0 = time.perf_counter()
    import highspy

    form = form_of(inst)
    trace = _Trace(t0)
    sign = -1.0 if form.sense == "max" else 1.0
    A, lo, hi = form.A, form.lo, form.hi
    if form.products:
        M, mlo, mhi = _and_rows(form)
        A, lo, hi = sp.vstack([A, M]).tocsr(), np.concatenate([lo, mlo]), np.concatenate([hi, mhi])
    highspy.Highs.resetGlobalScheduler(True)  # HiGHS keeps one thread pool per process: start ours afresh
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", int(seed))
    inf = highspy.kHighsInf
    ncol = form.columns
    h.addVars(ncol, np.zeros(ncol), np.ones(ncol))
    h.changeColsIntegrality(ncol, np.arange(ncol, dtype=np.int32),
                            np.full(ncol, highspy.HighsVarType.kInteger))
    h.changeColsCost(ncol, np.arange(ncol, dtype=np.int32), sign * form.c)
    h.addRows(A.shape[0], np.where(np.isfinite(lo), lo, -inf), np.where(np.isfinite(hi), hi, inf), A.nnz,
              A.indptr[:-1].astype(np.int32), A.indices.astype(np.int32), A.data)
    h.cbMipImprovingSolution.subscribe(lambda e: trace.add(sign * e.data_out.objective_function_value + form.const))
    left = _left(t0, time_limit, "HiGHS")
    h.setOptionValue("time_limit", float(left))
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = {"formulation": "linear rows; products linearised (y <= x_i, y >= sum x - |S| + 1)",
            "and_vars": len(form.products), "highs_status": status, "build_s": round(time_limit - left, 3),
            "proven_optimal": status == "Optimal", "trace": trace.points}
    sol = h.getSolution()
    if not sol.value_valid:
        return None, info
    info["dual_bound"] = sign * h.getInfo().mip_dual_bound + form.const
    return np.round(np.asarray(sol.col_value)[:form.n]).clip(0, 1), info


# -- OR-Tools CP-SAT ---------------------------------------------------------

INTEGER_SCALE_LIMIT = 6  # decimal digits tried to make coefficients integral for CP-SAT


def _integer_scale(v: np.ndarray) -> int:
    for d in range(INTEGER_SCALE_LIMIT + 1):
        s = 10 ** d
        if np.all(np.abs(v * s - np.round(v * s)) < 1e-9 * max(1.0, float(np.abs(v).max(initial=0)) * s)):
            return s
    raise Skip(f"coefficients are not integral after scaling by 10^{INTEGER_SCALE_LIMIT} (CP-SAT needs integers)")


def run_cpsat(inst: Instance, pubo: PuboArrays | None, time_limit: float, seed: int) -> tuple[np.ndarray | None, dict]:
    """OR-Tools CP-SAT, one worker with ``interleave_search`` (its subsolvers, feasibility jump and
    violation LS included, take turns in that one thread); products as enforced BoolAnd/BoolOr."""
    t0 = time.perf_counter()
    from ortools.sat.python import cp_model

    form = form_of(inst)
    trace = _Trace(t0)
    m = cp_model.CpModel()
    z = [m.NewBoolVar(f"x{i}") for i in range(form.n)]
    z += [m.NewBoolVar(f"and{k}") for k in range(len(form.products))]
    for k, members in enumerate(form.products):
        y = z[form.n + k]
        m.AddBoolAnd([z[i] for i in members]).OnlyEnforceIf(y)
        m.AddBoolOr([z[i].Not() for i in members]).OnlyEnforceIf(y.Not())
    A = form.A
    ptr, ind = A.indptr, A.indices
    for r in range(A.shape[0]):
        a = A.data[ptr[r]:ptr[r + 1]]
        lo, hi = form.lo[r], form.hi[r]
        s = _integer_scale(np.concatenate([a, [b for b in (lo, hi) if np.isfinite(b)]]))
        expr = cp_model.LinearExpr.WeightedSum([z[j] for j in ind[ptr[r]:ptr[r + 1]].tolist()],
                                               np.round(a * s).astype(np.int64).tolist())
        if lo == hi:
            m.Add(expr == int(round(hi * s)))
        elif np.isfinite(hi):
            m.Add(expr <= int(np.floor(hi * s + 1e-9)))
        else:
            m.Add(expr >= int(np.ceil(lo * s - 1e-9)))
    nz = np.nonzero(form.c)[0]
    cs = _integer_scale(form.c[nz])
    obj = cp_model.LinearExpr.WeightedSum([z[j] for j in nz.tolist()],
                                          np.round(form.c[nz] * cs).astype(np.int64).tolist())
    (m.Maximize if form.sense == "max" else m.Minimize)(obj)

    class Incumbents(cp_model.CpSolverSolutionCallback):
        def on_solution_callback(self) -> None:
            trace.add(self.ObjectiveValue() / cs + form.const)

    solver = cp_model.CpSolver()
    left = _left(t0, time_limit, "CP-SAT")
    solver.parameters.max_time_in_seconds = float(left)
    solver.parameters.num_workers = 1
    solver.parameters.interleave_search = True
    solver.parameters.random_seed = int(seed)
    status = solver.Solve(m, Incumbents())
    name = solver.StatusName(status)
    info = {"formulation": "linear rows (integer); products as enforced BoolAnd/BoolOr; num_workers=1, "
                           "interleave_search=True", "and_vars": len(form.products), "cpsat_status": name,
            "build_s": round(time_limit - left, 3), "proven_optimal": name == "OPTIMAL", "trace": trace.points}
    if name not in ("OPTIMAL", "FEASIBLE"):
        return None, info
    info["dual_bound"] = solver.BestObjectiveBound() / cs + form.const
    return np.array([solver.BooleanValue(v) for v in z[:form.n]], dtype=np.float64), info
