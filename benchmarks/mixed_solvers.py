"""The `mixed` suite's solvers: BIPNN (``bipnn_backends.solve``), SCIP and HiGHS on the same
:class:`~benchmarks.mixed.Milp`, one thread each, the model building counted against the limit.

Every runner returns ``(v, info)``: ``v`` the values of all variables (binaries first, then the
continuous ones, as in the Milp) or None, and ``info`` with ``trace``: (seconds since the runner
started, objective) at each improving solution (SCIP event handler, HiGHS
``cbMipImprovingSolution``, our ``callback`` option), plus the solver's status and dual bound.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from .errors import Skip
from .instances import Instance
from .mixed import Milp

Runner = Callable[[Instance, float, int], tuple[np.ndarray | None, dict]]


def _left(t0: float, time_limit: float, what: str) -> float:
    build = time.perf_counter() - t0
    if time_limit - build <= 0.05:
        raise Skip(f"building the {what} model took {build:.1f} s of the {time_limit:g} s limit")
    return time_limit - build


def run_scip(inst: Instance, time_limit: float, seed: int) -> tuple[np.ndarray | None, dict]:
    """SCIP 1 thread (``parallel/maxnthreads`` and ``lp/threads`` 1)."""
    t0 = time.perf_counter()
    from pyscipopt import SCIP_EVENTTYPE, Eventhdlr, Model, quicksum

    m: Milp = inst.extra["milp"]
    trace: list[tuple[float, float]] = []
    model = Model()
    model.hideOutput()
    model.setParam("parallel/maxnthreads", 1)
    model.setParam("lp/threads", 1)
    model.setParam("randomization/randomseedshift", seed)
    v = [model.addVar(name=m.names[j], vtype="B" if j < m.nb else "C", lb=float(m.lb[j]),
                      ub=None if not np.isfinite(m.ub[j]) else float(m.ub[j])) for j in range(m.n)]
    nz = np.nonzero(m.c)[0].tolist()
    model.setObjective(quicksum(float(m.c[j]) * v[j] for j in nz), "maximize" if m.sense == "max" else "minimize")
    ptr, ind, val = m.A.indptr.tolist(), m.A.indices.tolist(), m.A.data.tolist()
    for r in range(m.A.shape[0]):
        body = quicksum(val[k] * v[ind[k]] for k in range(ptr[r], ptr[r + 1]))
        lo, hi = m.lo[r], m.hi[r]
        if lo == hi:
            model.addCons(body == float(hi), name=m.row_names[r])
        else:
            if np.isfinite(lo):
                model.addCons(body >= float(lo), name=m.row_names[r] + ("_lo" if np.isfinite(hi) else ""))
            if np.isfinite(hi):
                model.addCons(body <= float(hi), name=m.row_names[r] + ("_hi" if np.isfinite(lo) else ""))

    class Incumbents(Eventhdlr):
        def eventinit(self) -> None:
            self.model.catchEvent(SCIP_EVENTTYPE.BESTSOLFOUND, self)

        def eventexec(self, event: Any) -> None:
            trace.append((round(time.perf_counter() - t0, 4), self.model.getSolObjVal(self.model.getBestSol())))

    model.includeEventhdlr(Incumbents(), "incumbents", "records improving solutions")
    left = _left(t0, time_limit, "SCIP")
    model.setParam("limits/time", left)
    model.optimize()
    info = {"scip_status": model.getStatus(), "build_s": round(time_limit - left, 3),
            "dual_bound": float(model.getDualbound()), "proven_optimal": model.getStatus() == "optimal",
            "trace": trace}
    if model.getNSols() == 0:
        return None, info
    sol = model.getBestSol()
    out = np.array([model.getSolVal(sol, var) for var in v], dtype=np.float64)
    out[:m.nb] = np.round(out[:m.nb])
    return out, info


def run_highs(inst: Instance, time_limit: float, seed: int) -> tuple[np.ndarray | None, dict]:
    """HiGHS MIP, ``threads=1`` (its thread pool reset first, as in benchmarks/mip.py)."""
    t0 = time.perf_counter()
    import highspy

    m: Milp = inst.extra["milp"]
    trace: list[tuple[float, float]] = []
    sign = -1.0 if m.sense == "max" else 1.0
    highspy.Highs.resetGlobalScheduler(True)
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    h.setOptionValue("random_seed", int(seed))
    inf = highspy.kHighsInf
    h.addVars(m.n, np.maximum(m.lb, -inf), np.minimum(m.ub, inf))
    h.changeColsIntegrality(m.nb, np.arange(m.nb, dtype=np.int32), np.full(m.nb, highspy.HighsVarType.kInteger))
    h.changeColsCost(m.n, np.arange(m.n, dtype=np.int32), sign * m.c)
    A = m.A
    h.addRows(A.shape[0], np.maximum(m.lo, -inf), np.minimum(m.hi, inf), A.nnz, A.indptr[:-1].astype(np.int32),
              A.indices.astype(np.int32), A.data)
    h.cbMipImprovingSolution.subscribe(
        lambda e: trace.append((round(time.perf_counter() - t0, 4), sign * e.data_out.objective_function_value)))
    left = _left(t0, time_limit, "HiGHS")
    h.setOptionValue("time_limit", float(left))
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    info = {"highs_status": status, "build_s": round(time_limit - left, 3), "proven_optimal": status == "Optimal",
            "trace": trace}
    sol = h.getSolution()
    if not sol.value_valid:
        return None, info
    info["dual_bound"] = sign * h.getInfo().mip_dual_bound
    out = np.asarray(sol.col_value, dtype=np.float64).copy()
    out[:m.nb] = np.round(out[:m.nb])
    return out, info


_WARM: list[bool] = []


def _warm_up() -> None:
    """Import the engine (torch, numba) and compile its kernels once, outside the timed runs."""
    if _WARM:
        return
    import bipnn_backends

    from .mixed import facility_location
    bipnn_backends.solve(facility_location(14, 6, seed=99).problem, time_limit=1.0, seed=0, threads=1)
    _WARM.append(True)


def run_bipnn(inst: Instance, time_limit: float, seed: int) -> tuple[np.ndarray | None, dict]:
    """``bipnn_backends.solve`` on the instance's BinaryProblem, ``threads=1``; the incumbent
    callback gives the trace."""
    t0 = time.perf_counter()
    import bipnn_backends

    m: Milp = inst.extra["milp"]
    trace: list[tuple[float, float]] = []
    res = bipnn_backends.solve(inst.problem, time_limit=time_limit, seed=seed, threads=1,
                               callback=lambda e: trace.append((round(time.perf_counter() - t0, 4), e.objective)))
    keep = {k: v for k, v in res.stats.items() if isinstance(v, (int, float, str, bool))}
    info = {"status": res.solution_status, "termination": res.termination, "stats": keep, "trace": trace}
    if not res.has_solution or res.solution_status not in ("feasible", "optimal"):
        return None, info
    return np.array([res.values[name] for name in m.names], dtype=np.float64), info


run_bipnn.warm_up = _warm_up  # type: ignore[attr-defined]

SOLVERS: dict[str, Runner] = {"bipnn": run_bipnn, "scip": run_scip, "highs": run_highs}
