"""Seeded generators of mixed-integer linear programs (binaries + continuous variables), the `mixed` suite's instances.

Each generator returns an :class:`Instance` whose problem is a :class:`BinaryProblem` with
continuous columns (binaries first, then the columns) and whose ``extra["milp"]`` holds the
same model as arrays (:class:`Milp`: min/max c.v s.t. lo <= A v <= hi, lb <= v <= ub, binary
or continuous), which the SCIP and HiGHS baselines read. All are minimised.

- :func:`facility_location`: capacitated facility location, binary open/close with a fixed cost
  and a capacity, continuous flows to customers (demand rows, capacity linking rows).
- :func:`lot_sizing`: multi-item capacitated lot sizing with setup times: binary setups,
  continuous production and inventory, balance rows, big-M setup rows, a shared capacity per period.
- :func:`unit_commitment`: binary on/off and startup per unit and period, continuous dispatch
  between min and max output when on; demand rows (continuous) and spinning-reserve rows (on/off only).
- :func:`fixed_charge_flow`: single-commodity fixed-charge network flow: binary arc open, continuous
  arc flow with big-M linking (flow <= capacity x open), node balance rows.

Every generator keeps its instance feasible by construction (said in each docstring).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from bipnn_backends.core.continuous import Columns
from bipnn_backends.core.expr import Poly
from bipnn_backends.core.problem import BinaryProblem

from .instances import Instance

INF = np.inf


@dataclass
class Milp:
    """min/max c.v + const s.t. lo <= A v <= hi, lb <= v <= ub; v[:nb] binary, the rest continuous."""

    name: str
    c: np.ndarray
    A: sp.csr_matrix
    lo: np.ndarray
    hi: np.ndarray
    lb: np.ndarray
    ub: np.ndarray
    nb: int
    names: list[str]
    row_names: list[str]
    sense: str = "min"

    @property
    def n(self) -> int:
        return len(self.c)


class _Row(NamedTuple):
    """One row ``lo <= sum coefs * x[idx] <= hi`` of the builder, in triplet form."""

    idx: np.ndarray
    coefs: np.ndarray
    lo: float
    hi: float
    name: str


class _Builder:
    """Rows in triplet form over named variable blocks; binaries are declared before continuous ones."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.lb: list[float] = []
        self.ub: list[float] = []
        self.cost: list[float] = []
        self.nb = 0
        self.rows: list[_Row] = []

    def block(self, prefix: str, shape: tuple[int, ...], lb: float | np.ndarray, ub: float | np.ndarray,
              cost: float | np.ndarray, binary: bool) -> np.ndarray:
        if binary and self.nb != len(self.names):
            raise ValueError("binary blocks come before continuous ones")
        size = int(np.prod(shape))
        first = len(self.names)
        self.names += [f"{prefix}{'_'.join(map(str, k))}" for k in np.ndindex(*shape)]
        self.lb += list(np.broadcast_to(np.asarray(lb, dtype=np.float64), shape).ravel())
        self.ub += list(np.broadcast_to(np.asarray(ub, dtype=np.float64), shape).ravel())
        self.cost += list(np.broadcast_to(np.asarray(cost, dtype=np.float64), shape).ravel())
        if binary:
            self.nb += size
        return np.arange(first, first + size).reshape(shape)

    def row(self, idx: list | np.ndarray, coefs: list | np.ndarray, lo: float, hi: float, name: str) -> None:
        self.rows.append(_Row(np.asarray(idx, dtype=np.int64).ravel(), np.asarray(coefs, dtype=np.float64).ravel(),
                              float(lo), float(hi), name))

    def milp(self, name: str) -> Milp:
        indptr = np.concatenate(([0], np.cumsum([len(r.idx) for r in self.rows])))
        A = sp.csr_matrix((np.concatenate([r.coefs for r in self.rows]), np.concatenate([r.idx for r in self.rows]),
                           indptr), shape=(len(self.rows), len(self.names)))
        A.sum_duplicates()
        return Milp(name, np.array(self.cost), A, np.array([r.lo for r in self.rows]),
                    np.array([r.hi for r in self.rows]), np.array(self.lb), np.array(self.ub), self.nb,
                    self.names, [r.name for r in self.rows])


def to_problem(m: Milp) -> BinaryProblem:
    """The Milp in the IR: binaries then continuous columns; a two-sided row becomes two rows."""
    p = BinaryProblem(name=m.name)
    p.add_binaries(m.names[:m.nb])
    col = np.full(m.n, -1, dtype=np.int64)  # the IR column of each continuous variable (-1: fixed, a constant)
    for j in range(m.nb, m.n):
        before = len(p.columns)
        p.add_continuous(m.names[j], m.lb[j], m.ub[j])
        if len(p.columns) > before:
            col[j] = before

    def expr(idx: np.ndarray, coefs: np.ndarray) -> object:
        b = idx < m.nb
        out = Poly.linear(idx[b], coefs[b])
        fixed = ~b & (col[idx] < 0)
        if fixed.any():
            out = out + float(coefs[fixed] @ m.lb[idx[fixed]])
        c = ~b & ~fixed
        return out + Columns(col[idx[c]], coefs[c]) if c.any() else out

    nz = np.nonzero(m.c)[0]
    p.set_objective(expr(nz, m.c[nz]), m.sense)
    for r in range(m.A.shape[0]):
        s, e = m.A.indptr[r], m.A.indptr[r + 1]
        body = expr(m.A.indices[s:e].astype(np.int64), m.A.data[s:e])
        lo, hi, name = m.lo[r], m.hi[r], m.row_names[r]
        if lo == hi:
            p.add_constraint(body, "==", lo, name)
        else:
            if lo > -INF:
                p.add_constraint(body, ">=", lo, name if hi == INF else f"{name}_lo")
            if hi < INF:
                p.add_constraint(body, "<=", hi, name if lo == -INF else f"{name}_hi")
    return p


def _instance(m: Milp, meta: dict) -> Instance:
    meta.update(binaries=m.nb, continuous=m.n - m.nb, rows=m.A.shape[0], nonzeros=int(m.A.nnz),
                reference_kind="SCIP or HiGHS, long run (cached)")
    return Instance(m.name, to_problem(m), meta, extra={"milp": m})


def facility_location(nf: int, nc: int, seed: int = 0) -> Instance:
    """Capacitated facility location (Cornuejols-style): min sum f_i x_i + sum c_ij y_ij with
    sum_i y_ij >= d_j, sum_j y_ij <= s_i x_i, y_ij <= d_j x_i (the strong linking rows), y >= 0.
    Costs are unit transport costs times distance on the unit square; capacities total about 3x the
    demand, so every facility open is feasible."""
    rng = np.random.default_rng(seed)
    fpos, cpos = rng.random((nf, 2)), rng.random((nc, 2))
    dem = rng.integers(5, 36, nc).astype(np.float64)
    cap = rng.integers(10, 161, nf).astype(np.float64)
    cap *= 3.0 * dem.sum() / cap.sum()
    cap = np.ceil(cap)
    fixed = np.round(rng.integers(0, 91, nf) + rng.integers(100, 111, nf) * np.sqrt(cap), 0)
    dist = np.sqrt(((fpos[:, None, :] - cpos[None, :, :]) ** 2).sum(axis=2))
    unit = np.round(10.0 * dist, 3)
    b = _Builder()
    x = b.block("open", (nf,), 0, 1, fixed, True)
    y = b.block("flow", (nf, nc), 0, np.minimum(dem[None, :], cap[:, None]), unit, False)
    for j in range(nc):
        b.row(y[:, j], np.ones(nf), dem[j], INF, f"demand{j}")
    for i in range(nf):
        b.row(np.concatenate(([x[i]], y[i])), np.concatenate(([-cap[i]], np.ones(nc))), -INF, 0.0, f"cap{i}")
        for j in range(nc):
            b.row([y[i, j], x[i]], [1.0, -dem[j]], -INF, 0.0, f"link{i}_{j}")
    name = f"cfl-{nf}x{nc}-s{seed}"
    return _instance(b.milp(name), {"kind": "facility_location", "facilities": nf, "customers": nc, "seed": seed})


def lot_sizing(items: int, periods: int, seed: int = 0, slack: float = 1.15) -> Instance:
    """Multi-item capacitated lot sizing with setup times (Trigeiro-style): binary setup z_kt,
    production q_kt >= 0, inventory s_kt >= 0 (s_k,-1 = 0): s_k,t-1 + q_kt - s_kt = d_kt;
    q_kt <= M_kt z_kt (M_kt = remaining demand); sum_k (q_kt + st_k z_kt) <= C_t. Costs: setup f_k z,
    holding h_k s. C_t = ``slack`` x the largest per-period load of producing each period's demand in
    that period (all setups included), so lot-for-lot is feasible."""
    rng = np.random.default_rng(seed)
    d = rng.integers(0, 101, (items, periods)).astype(np.float64)
    d[:, 0] = np.maximum(d[:, 0], 20.0)
    setup_cost = rng.integers(200, 1001, items).astype(np.float64)
    hold = rng.integers(1, 6, items).astype(np.float64)
    setup_time = rng.integers(10, 51, items).astype(np.float64)
    cap = float(np.ceil(slack * (d.sum(axis=0) + setup_time.sum()).max()))
    remaining = np.cumsum(d[:, ::-1], axis=1)[:, ::-1]
    big_m = np.minimum(remaining, cap)
    b = _Builder()
    z = b.block("setup", (items, periods), 0, 1, np.repeat(setup_cost[:, None], periods, 1), True)
    q = b.block("prod", (items, periods), 0, big_m, 0.0, False)
    s = b.block("inv", (items, periods), 0, remaining, np.repeat(hold[:, None], periods, 1), False)
    for k in range(items):
        for t in range(periods):
            idx, coef = [q[k, t], s[k, t]], [1.0, -1.0]
            if t:
                idx.append(s[k, t - 1])
                coef.append(1.0)
            b.row(idx, coef, d[k, t], d[k, t], f"bal{k}_{t}")
            b.row([q[k, t], z[k, t]], [1.0, -big_m[k, t]], -INF, 0.0, f"setup{k}_{t}")
    for t in range(periods):
        b.row(np.concatenate((q[:, t], z[:, t])), np.concatenate((np.ones(items), setup_time)), -INF, cap, f"cap{t}")
    name = f"lotsize-{items}x{periods}-s{seed}"
    return _instance(b.milp(name), {"kind": "lot_sizing", "items": items, "periods": periods, "seed": seed})


def unit_commitment(units: int, periods: int, seed: int = 0, reserve: float = 0.1) -> Instance:
    """Unit commitment: on u_gt, startup v_gt (binary), dispatch p_gt >= 0:
    Pmin_g u_gt <= p_gt <= Pmax_g u_gt; v_gt >= u_gt - u_g,t-1 (u_g,-1 = 0); sum_g p_gt >= D_t;
    sum_g Pmax_g u_gt >= (1 + reserve) D_t. Cost: no-load a_g u + marginal b_g p + startup s_g v.
    Peak demand is 70 % of the fleet's capacity, so all units on is feasible."""
    rng = np.random.default_rng(seed)
    pmax = rng.integers(50, 401, units).astype(np.float64)
    pmin = np.round(pmax * rng.uniform(0.2, 0.5, units))
    marginal = np.round(rng.uniform(10, 40, units), 2)
    noload = np.round(pmax * rng.uniform(1, 4, units))
    startup = np.round(pmax * rng.uniform(2, 8, units))
    shape = 0.6 + 0.4 * np.sin(np.linspace(0, 2 * np.pi, periods, endpoint=False) - np.pi / 2) ** 2
    demand = np.round(0.7 * pmax.sum() * shape * rng.uniform(0.9, 1.0, periods) / shape.max())
    b = _Builder()
    u = b.block("on", (units, periods), 0, 1, np.repeat(noload[:, None], periods, 1), True)
    v = b.block("start", (units, periods), 0, 1, np.repeat(startup[:, None], periods, 1), True)
    p = b.block("p", (units, periods), 0, np.repeat(pmax[:, None], periods, 1),
                np.repeat(marginal[:, None], periods, 1), False)
    for g in range(units):
        for t in range(periods):
            b.row([p[g, t], u[g, t]], [1.0, -pmax[g]], -INF, 0.0, f"max{g}_{t}")
            b.row([p[g, t], u[g, t]], [1.0, -pmin[g]], 0.0, INF, f"min{g}_{t}")
            idx, coef = [v[g, t], u[g, t]], [1.0, -1.0]
            if t:
                idx.append(u[g, t - 1])
                coef.append(1.0)
            b.row(idx, coef, 0.0, INF, f"start{g}_{t}")
    for t in range(periods):
        b.row(p[:, t], np.ones(units), demand[t], INF, f"demand{t}")
        b.row(u[:, t], pmax, (1 + reserve) * demand[t], INF, f"reserve{t}")
    name = f"uc-{units}x{periods}-s{seed}"
    return _instance(b.milp(name), {"kind": "unit_commitment", "units": units, "periods": periods,
                                    "reserve": reserve, "seed": seed})


def fixed_charge_flow(nodes: int, arcs: int, seed: int = 0, sources: int = 3) -> Instance:
    """Single-commodity fixed-charge network flow: min sum (c_a f_a + F_a y_a) s.t. node balance
    sum_out f - sum_in f = b_v, 0 <= f_a <= u_a y_a. A directed ring in both directions with
    capacity equal to the total supply keeps it feasible; the other arcs are random, with capacities
    below the total supply (so they bind) and fixed costs of the order of a flow's variable cost."""
    rng = np.random.default_rng(seed)
    pos = rng.random((nodes, 2))
    ring = [(v, (v + 1) % nodes) for v in range(nodes)] + [((v + 1) % nodes, v) for v in range(nodes)]
    pairs = set(ring)
    while len(pairs) < max(arcs, len(ring)):
        a, c = (int(v) for v in rng.choice(nodes, 2, replace=False))
        pairs.add((a, c))
    arc_list = sorted(pairs)
    supply = np.zeros(nodes)
    src = rng.choice(nodes, sources, replace=False)
    sinks = rng.choice(np.setdiff1d(np.arange(nodes), src), min(nodes - sources, max(2, nodes // 3)), replace=False)
    dem = rng.integers(5, 31, len(sinks)).astype(np.float64)
    supply[sinks] = -dem
    share = rng.dirichlet(np.ones(sources))
    supply[src] = np.floor(share * dem.sum())
    supply[src[0]] += dem.sum() - supply[src].sum()
    total = dem.sum()
    tail = np.array([a for a, _ in arc_list])
    head = np.array([c for _, c in arc_list])
    length = np.sqrt(((pos[tail] - pos[head]) ** 2).sum(axis=1))
    on_ring = np.array([(a, c) in set(ring) for a, c in arc_list])
    capacity = np.where(on_ring, total, np.ceil(total * rng.uniform(0.2, 0.8, len(arc_list))))
    unit = np.round(1.0 + 10.0 * length, 2)
    fixed = np.round(total * unit * rng.uniform(0.5, 2.0, len(arc_list)) / 4.0)
    b = _Builder()
    y = b.block("open", (len(arc_list),), 0, 1, fixed, True)
    f = b.block("flow", (len(arc_list),), 0, capacity, unit, False)
    for a in range(len(arc_list)):
        b.row([f[a], y[a]], [1.0, -capacity[a]], -INF, 0.0, f"link{a}")
    for v in range(nodes):
        out, inn = np.nonzero(tail == v)[0], np.nonzero(head == v)[0]
        b.row(np.concatenate((f[out], f[inn])), np.concatenate((np.ones(len(out)), -np.ones(len(inn)))),
              supply[v], supply[v], f"node{v}")
    name = f"fcnf-{nodes}n{len(arc_list)}a-s{seed}"
    return _instance(b.milp(name), {"kind": "fixed_charge_flow", "nodes": nodes, "arcs": len(arc_list),
                                    "seed": seed})


@dataclass
class MixedScore:
    objective: float
    feasible: bool
    max_violation: float


SCORE_TOL = 1e-6  # absolute, as our verifier's default tolerance


def score(inst: Instance, v: np.ndarray, tol: float = SCORE_TOL) -> MixedScore:
    """Objective and feasibility of the values ``v`` (Milp order) on the instance's BinaryProblem,
    by our verifier (``evaluate_problem`` with the continuous values), whoever produced them;
    variables the IR fixed (equal bounds) must hold their value too."""
    from bipnn_backends.core.evaluate import evaluate_problem

    m: Milp = inst.extra["milp"]
    p = inst.problem
    v = np.asarray(v, dtype=np.float64)
    where = {name: j for j, name in enumerate(m.names)}
    x = v[:m.nb]
    if not np.isin(x, (0.0, 1.0)).all():
        raise ValueError("the binaries of a solution must be 0 or 1")
    Y = np.array([[v[where[c.key]] for c in p.columns]])
    vals = evaluate_problem(p, x[None, :], tol, Y=Y)
    fixed = [abs(v[where[var.key]] - var.lb) for var in p.variables if var.kind == "fixed"]
    worst = max([float(vals.max_violation[0])] + fixed)
    feasible = bool(vals.feasible[0]) and worst <= tol
    objective = float(vals.objective[0]) + sum(m.c[where[var.key]] * (v[where[var.key]] - var.lb)
                                               for var in p.variables if var.kind == "fixed")
    return MixedScore(objective, feasible, worst)
