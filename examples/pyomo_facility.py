"""Nonlinear capacitated facility location in Pyomo, solved by ``bipnn`` (SCIP alongside when installed).

Open facilities (y_j), assign every customer to one open facility (x_ij), and
pay opening costs, distance-weighted assignment costs and a congestion cost
that grows with the square of each facility's load (a nonconvex polynomial
in the binaries). The model is plain Pyomo; only the solver line changes.

Run: ``python examples/pyomo_facility.py [time_limit_seconds]``
"""

from __future__ import annotations

import sys
import time

import numpy as np
import pyomo.environ as pyo

import bipnn_backends  # noqa: F401  (registers SolverFactory("bipnn"))


def build(n_facilities: int = 5, n_customers: int = 12, seed: int = 1) -> pyo.ConcreteModel:
    rng = np.random.default_rng(seed)
    sites = rng.uniform(0, 10, (n_facilities, 2))
    customers = rng.uniform(0, 10, (n_customers, 2))
    distance = np.linalg.norm(customers[:, None, :] - sites[None, :, :], axis=2).round(2)
    demand = rng.integers(1, 6, n_customers)
    capacity = rng.integers(demand.sum() // 3, demand.sum() // 2, n_facilities)

    m = pyo.ConcreteModel(name="facility")
    m.F = pyo.RangeSet(0, n_facilities - 1)
    m.C = pyo.RangeSet(0, n_customers - 1)
    m.open_cost = pyo.Param(m.F, initialize=lambda m, j: float(rng.integers(15, 30)))
    m.dist = pyo.Param(m.C, m.F, initialize=lambda m, i, j: float(distance[i, j]))
    m.demand = pyo.Param(m.C, initialize=lambda m, i: int(demand[i]))
    m.cap = pyo.Param(m.F, initialize=lambda m, j: int(capacity[j]))
    m.congestion = pyo.Param(initialize=0.8, mutable=True)

    m.y = pyo.Var(m.F, domain=pyo.Binary)
    m.x = pyo.Var(m.C, m.F, domain=pyo.Binary)
    m.served = pyo.Expression(m.F, rule=lambda m, j: sum(m.demand[i] * m.x[i, j] for i in m.C))

    m.cost = pyo.Objective(expr=sum(m.open_cost[j] * m.y[j] for j in m.F)
                           + sum(m.demand[i] * m.dist[i, j] * m.x[i, j] for i in m.C for j in m.F)
                           + m.congestion * sum(m.served[j] ** 2 / m.cap[j] for j in m.F))
    m.assign = pyo.Constraint(m.C, rule=lambda m, i: sum(m.x[i, j] for j in m.F) == 1)
    m.only_open = pyo.Constraint(m.C, m.F, rule=lambda m, i, j: m.x[i, j] <= m.y[j])
    m.capacity = pyo.Constraint(m.F, rule=lambda m, j: m.served[j] <= m.cap[j] * m.y[j])
    return m


def report(name: str, m: pyo.ConcreteModel, seconds: float, status: str) -> None:
    opened = [j for j in m.F if round(pyo.value(m.y[j])) == 1]
    print(f"{name:>6}: cost {pyo.value(m.cost):9.3f}  open {opened}  [{status}, {seconds:.1f} s]")


def main(time_limit: float = 10.0) -> None:
    m = build()
    t0 = time.perf_counter()
    res = pyo.SolverFactory("bipnn").solve(m, timelimit=time_limit, options={"seed": 0}, tee=False)
    report("bipnn", m, time.perf_counter() - t0, str(res.solver.termination_condition))

    from pyomo.contrib.solver.common.factory import SolverFactory

    scip = SolverFactory("scip_direct")
    if not scip.available():
        print("  SCIP: skipped (pyscipopt is not installed)")
        return
    ref = build()
    t0 = time.perf_counter()
    out = scip.solve(ref, time_limit=time_limit, raise_exception_on_nonoptimal_result=False)
    report("SCIP", ref, time.perf_counter() - t0, out.termination_condition.name)


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 10.0)
