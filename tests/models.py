"""The fixture models of every suite: host-neutral specifications, one builder per host, PuLP
reference models, mixed models in the IR and the engine's random PUBOs (imported as ``models``;
tests/ is on ``sys.path`` under pytest; no test file imports another).

A :class:`Spec` is a linear model over named variables; ``to_pulp``, ``to_pyomo`` and
``to_cvxpy`` build it in each host. The expected answers come from brute force over the
specification itself, so no suite trusts the solver it tests.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from bipnn_backends.core.expr import Callable, Poly, Var as IRVar, exp, sin, sqrt
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.core.pubo import LinearBlock, NonlinearBlock, OpaqueTerm, Pubo, Reformulation

try:
    import pulp
except ImportError:  # the PuLP builders need PuLP; the specifications do not
    pulp = None


@dataclass(frozen=True)
class Var:
    name: str
    lb: float | None = 0
    ub: float | None = 1
    kind: str = "binary"  # "binary", "integer" or "continuous"


@dataclass(frozen=True)
class Row:
    name: str
    coefs: dict[str, float]
    sense: str  # "<=", ">=", "=="
    rhs: float


@dataclass(frozen=True)
class Spec:
    name: str
    sense: str  # "min" or "max"
    variables: tuple[Var, ...]
    objective: dict[str, float]
    constant: float = 0.0
    rows: tuple[Row, ...] = field(default_factory=tuple)

    def brute_force(self) -> tuple[float | None, dict[str, float] | None]:
        """The optimum and an optimal point (None, None when infeasible); integers and binaries only."""
        ranges = [range(int(v.lb), int(v.ub) + 1) for v in self.variables]
        best, arg = None, None
        for point in itertools.product(*ranges):
            values = {v.name: float(x) for v, x in zip(self.variables, point)}
            if not all(_holds(r, values) for r in self.rows):
                continue
            obj = self.constant + sum(c * values[n] for n, c in self.objective.items())
            if best is None or (obj < best if self.sense == "min" else obj > best):
                best, arg = obj, values
        return best, arg


def _holds(row: Row, values: dict[str, float], tol: float = 1e-9) -> bool:
    lhs = sum(c * values[n] for n, c in row.coefs.items())
    return {"<=": lhs <= row.rhs + tol, ">=": lhs >= row.rhs - tol, "==": abs(lhs - row.rhs) <= tol}[row.sense]


TINY = Spec(
    "tiny", "max",
    tuple(Var(f"x{i}") for i in range(5)) + (Var("y", 0, 3, "integer"),),
    {"x0": 1, "x1": 2, "x2": 3, "x3": 4, "x4": 5, "y": 2}, 7.0,
    (Row("cap", {"x0": 1, "x1": 1, "x2": 1, "x3": 1, "x4": 1, "y": 1}, "<=", 3),),
)
INFEASIBLE = Spec(
    "infeasible", "min", TINY.variables, TINY.objective, 0.0,
    TINY.rows + (Row("impossible", {"x0": 1, "x1": 1}, ">=", 3),),
)
COVER = Spec(
    "cover", "min", tuple(Var(f"s{j}") for j in range(8)),
    {f"s{j}": c for j, c in enumerate([3, 2, 4, 1, 5, 2, 3, 1])}, 0.0,
    tuple(Row(f"cover{i}", {f"s{j}": 1 for j in sets}, ">=", 1)
          for i, sets in enumerate([(0, 1, 2), (2, 3), (4, 5, 6), (1, 6, 7), (0, 3, 7), (5, 7)])),
)
CONTINUOUS = Spec(
    "continuous", "max", TINY.variables + (Var("z", 0, 4, "continuous"),), {**TINY.objective, "z": 1}, 7.0,
    TINY.rows + (Row("zcap", {"z": 1}, "<=", 3),),
)
CONTINUOUS_OPTIMUM = 22.0  # TINY's 19 plus z = 3 (z is independent of the rest)
UNBOUNDED = Spec(  # z grows without limit: the LP relaxation is unbounded and TINY's points are feasible
    "unbounded", "max", TINY.variables + (Var("z", 0, None, "integer"),), {**TINY.objective, "z": 1}, 7.0,
    TINY.rows + (Row("zlow", {"z": 1}, ">=", 1),),
)
UNBOUNDED_INTEGER = Spec(  # z and z2 have no finite range, but the optimum is bounded (z - z2 <= 1): a model error
    "unbounded_integer", "max", TINY.variables + (Var("z", 0, None, "integer"), Var("z2", 0, None, "integer")),
    {**TINY.objective, "z": 1, "z2": -1}, 7.0,
    TINY.rows + (Row("zlow", {"z": 1}, ">=", 1), Row("zz2", {"z": 1, "z2": -1}, "<=", 1)),
)
SOLVABLE = {"tiny": TINY, "infeasible": INFEASIBLE, "cover": COVER}


# -- builders: each returns (model, {name: host variable}) -------------------------------------
def to_pulp(spec: Spec) -> tuple[Any, dict[str, Any]]:
    prob = pulp.LpProblem(spec.name, pulp.LpMaximize if spec.sense == "max" else pulp.LpMinimize)
    cats = {"binary": pulp.LpBinary, "integer": pulp.LpInteger, "continuous": pulp.LpContinuous}
    xs = {v.name: prob.add_variable(v.name, v.lb, v.ub, cat=cats[v.kind]) for v in spec.variables}
    prob += pulp.lpSum(c * xs[n] for n, c in spec.objective.items()) + spec.constant
    for r in spec.rows:
        lhs = pulp.lpSum(c * xs[n] for n, c in r.coefs.items())
        prob += (lhs <= r.rhs if r.sense == "<=" else lhs >= r.rhs if r.sense == ">=" else lhs == r.rhs), r.name
    return prob, xs


def to_pyomo(spec: Spec) -> tuple[Any, dict[str, Any]]:
    import pyomo.environ as pyo

    m = pyo.ConcreteModel(spec.name)
    domains = {"binary": pyo.Binary, "integer": pyo.Integers, "continuous": pyo.Reals}
    xs = {}
    for v in spec.variables:
        var = pyo.Var(domain=domains[v.kind], bounds=(v.lb, v.ub))
        m.add_component(v.name, var)
        xs[v.name] = var
    m.obj = pyo.Objective(expr=sum(c * xs[n] for n, c in spec.objective.items()) + spec.constant,
                          sense=pyo.maximize if spec.sense == "max" else pyo.minimize)
    for r in spec.rows:
        lhs = sum(c * xs[n] for n, c in r.coefs.items())
        m.add_component(r.name, pyo.Constraint(
            expr=lhs <= r.rhs if r.sense == "<=" else lhs >= r.rhs if r.sense == ">=" else lhs == r.rhs))
    return m, xs


def to_cvxpy(spec: Spec) -> tuple[Any, dict[str, Any]]:
    import cvxpy as cp

    xs, cons = {}, []
    for v in spec.variables:
        if v.kind == "binary":
            xs[v.name] = cp.Variable(boolean=True, name=v.name)
            continue
        xs[v.name] = cp.Variable(integer=v.kind == "integer", name=v.name)
        if v.lb is not None:
            cons.append(xs[v.name] >= v.lb)
        if v.ub is not None:
            cons.append(xs[v.name] <= v.ub)
    objective = sum(c * xs[n] for n, c in spec.objective.items()) + spec.constant
    for r in spec.rows:
        lhs = sum(c * xs[n] for n, c in r.coefs.items())
        cons.append(lhs <= r.rhs if r.sense == "<=" else lhs >= r.rhs if r.sense == ">=" else lhs == r.rhs)
    goal = cp.Maximize(objective) if spec.sense == "max" else cp.Minimize(objective)
    return cp.Problem(goal, cons), xs


# -- PuLP reference models (larger; CBC gives their optima) ----------------------------------------
def knapsack(n: int = 60, seed: int = 1) -> "pulp.LpProblem":
    r = random.Random(seed)
    w = [r.randint(5, 40) for _ in range(n)]
    v = [r.randint(5, 60) for _ in range(n)]
    p = pulp.LpProblem("knapsack", pulp.LpMaximize)
    x = [p.add_variable(f"x{i}", cat="Binary") for i in range(n)]
    p += pulp.lpSum(v[i] * x[i] for i in range(n))
    p += pulp.lpSum(w[i] * x[i] for i in range(n)) <= sum(w) // 3, "capacity"
    return p


def set_cover(n: int = 40, m: int = 30, seed: int = 2) -> "pulp.LpProblem":
    r = random.Random(seed)
    p = pulp.LpProblem("set_cover", pulp.LpMinimize)
    x = [p.add_variable(f"s{j}", cat="Binary") for j in range(n)]
    cost = [r.randint(1, 10) for _ in range(n)]
    p += pulp.lpSum(cost[j] * x[j] for j in range(n))
    for i in range(m):
        p += pulp.lpSum(x[j] for j in r.sample(range(n), 4)) >= 1, f"cover{i}"
    return p


def assignment(n: int = 10, seed: int = 3) -> "pulp.LpProblem":
    r = random.Random(seed)
    c = [[r.randint(1, 50) for _ in range(n)] for _ in range(n)]
    p = pulp.LpProblem("assignment", pulp.LpMinimize)
    x = [[p.add_variable(f"a{i}_{j}", cat="Binary") for j in range(n)] for i in range(n)]
    p += pulp.lpSum(c[i][j] * x[i][j] for i in range(n) for j in range(n))
    for i in range(n):
        p += pulp.lpSum(x[i][j] for j in range(n)) == 1, f"row{i}"
        p += pulp.lpSum(x[j][i] for j in range(n)) == 1, f"col{i}"
    return p


def general_integers(n: int = 12, seed: int = 4) -> "pulp.LpProblem":
    """Bounded integers switched on by binaries, with an objective constant."""
    r = random.Random(seed)
    p = pulp.LpProblem("general_integers", pulp.LpMaximize)
    y = [p.add_variable(f"y{i}", 0, r.randint(2, 9), cat="Integer") for i in range(n)]
    b = [p.add_variable(f"b{i}", cat="Binary") for i in range(n)]
    p += pulp.lpSum(r.randint(1, 9) * y[i] + r.randint(1, 20) * b[i] for i in range(n)) + 5
    for k in range(4):
        p += pulp.lpSum(r.randint(1, 6) * y[i] + r.randint(0, 5) * b[i] for i in range(n)) <= 60, f"res{k}"
    for i in range(n):
        p += y[i] <= 9 * b[i], f"link{i}"
    return p


def tiny() -> "pulp.LpProblem":
    """:data:`TINY` in PuLP: seven binaries after encoding, the exhaustive path proves the optimum (19)."""
    return to_pulp(TINY)[0]


MODELS = {"knapsack": knapsack, "set_cover": set_cover, "assignment": assignment,
          "general_integers": general_integers}


def cbc_optimum(build) -> float:
    p = build()
    p.solve(pulp.PULP_CBC_CMD(msg=False))
    assert p.status == pulp.LpStatusOptimal
    return pulp.value(p.objective)


def quality(sense: int, found: float, best: float) -> float:
    """found/best for a maximisation, best/found for a minimisation (1 is optimal, all optima > 0)."""
    return found / best if sense == pulp.LpMaximize else best / found



def is_close(a: float | None, b: float | None) -> bool:
    return a is not None and b is not None and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)


# -- mixed models in the IR, as dense rows (HiGHS gives their answers) ---------------------------
INF = math.inf


def highs_reference(c, A, lo, hi, lb, ub, integer, sense="min"):
    """HiGHS on min/max c.v s.t. lo <= A v <= hi, lb <= v <= ub, integrality: (status, objective)."""
    import highspy

    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    n = len(c)
    for j in range(n):
        h.addVar(max(lb[j], -highspy.kHighsInf), min(ub[j], highspy.kHighsInf))
        h.changeColCost(j, c[j] if sense == "min" else -c[j])
        if integer[j]:
            h.changeColIntegrality(j, highspy.HighsVarType.kInteger)
    for i, row in enumerate(A):
        nz = np.nonzero(row)[0]
        h.addRow(max(lo[i], -highspy.kHighsInf), min(hi[i], highspy.kHighsInf), len(nz), nz.astype(np.int32),
                 row[nz].astype(np.float64))
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kOptimal:
        value = h.getInfo().objective_function_value
        return "optimal", value if sense == "min" else -value
    return {highspy.HighsModelStatus.kInfeasible: "infeasible",
            highspy.HighsModelStatus.kUnbounded: "unbounded",
            highspy.HighsModelStatus.kUnboundedOrInfeasible: "unbounded_or_infeasible"}[status], None


def build(c, A, lo, hi, lb, ub, kinds, sense="min"):
    """The same model in the IR: kinds "b" binary, "i" integer, "c" continuous."""
    p = BinaryProblem()
    leaves = []
    for j, kind in enumerate(kinds):
        if kind == "b":
            leaves.append(Poly.linear([int(p.add_binaries([f"v{j}"])[0])], [1.0]))
        else:
            leaves.append(p.add_column(f"v{j}", "integer" if kind == "i" else "continuous", lb[j], ub[j]))
    p.set_objective(sum((float(c[j]) * leaves[j] for j in range(len(c))), Poly.linear([], [])), sense)
    for i, row in enumerate(A):
        body = sum((float(row[j]) * leaves[j] for j in np.nonzero(row)[0]), Poly.linear([], []))
        if lo[i] == hi[i]:
            p.add_constraint(body, "==", lo[i], f"r{i}")
        else:
            if lo[i] > -INF:
                p.add_constraint(body, ">=", lo[i], f"r{i}lo")
            if hi[i] < INF:
                p.add_constraint(body, "<=", hi[i], f"r{i}hi")
    return p


def facility_location(nf: int, nc: int, seed: int):
    rng = np.random.default_rng(seed)
    fixed, cap = rng.uniform(20, 60, nf), rng.uniform(20, 50, nf)
    dem, cost = rng.uniform(5, 15, nc), rng.uniform(1, 10, (nf, nc))
    n = nf + nf * nc
    c = np.concatenate((fixed, cost.ravel()))
    A = np.zeros((nc + nf, n))
    for j in range(nc):
        A[j, nf + np.arange(nf) * nc + j] = 1.0
    for i in range(nf):
        A[nc + i, i] = -cap[i]
        A[nc + i, nf + i * nc: nf + (i + 1) * nc] = 1.0
    lo = np.concatenate((dem, np.full(nf, -INF)))
    hi = np.concatenate((np.full(nc, INF), np.zeros(nf)))
    lb, ub = np.zeros(n), np.concatenate((np.ones(nf), np.full(nf * nc, INF)))
    return c, A, lo, hi, lb, ub, ["b"] * nf + ["c"] * (nf * nc)


# -- engine fixtures: random PUBOs, penalty blocks and reformulations --------------------------------
def random_pubo(rng: np.random.Generator, n: int, m: int, max_deg: int, constant: float = 0.5) -> Pubo:
    """A canonical random PUBO (sorted distinct monomials, nonzero coefficients)."""
    terms: dict[tuple[int, ...], float] = {}
    for _ in range(m):
        d = min(int(rng.integers(1, max_deg + 1)), n)
        t = tuple(sorted(rng.choice(n, d, replace=False).tolist()))
        terms[t] = terms.get(t, 0.0) + float(rng.normal())
    items = sorted(((k, v) for k, v in terms.items() if v != 0), key=lambda kv: (len(kv[0]), kv[0]))
    offsets = np.cumsum([0] + [len(k) for k, _ in items])
    indices = np.array([i for k, _ in items for i in k], dtype=np.int64)
    return Pubo(n, offsets, indices, np.array([v for _, v in items]), constant)


def random_block(rng: np.random.Generator, n: int, rows: int, kind: str, width: int,
                 weight: float = 2.0) -> LinearBlock:
    offsets, indices, coefs = [0], [], []
    for _ in range(rows):
        s = np.sort(rng.choice(n, min(width, n), replace=False))
        indices += s.tolist()
        coefs += rng.integers(1, 4, len(s)).tolist()
        offsets.append(len(indices))
    return LinearBlock(kind, np.array(offsets), np.array(indices), np.array(coefs, dtype=float),
                       rng.integers(1, 5, rows).astype(float), np.full(rows, weight),
                       [f"r{i}" for i in range(rows)])


def make_reform(pubo: Pubo, blocks=(), nonlinear=(), opaque=()) -> Reformulation:
    return Reformulation(BinaryProblem(), 1.0, pubo, list(blocks), list(nonlinear), list(opaque))


def nonlinear_parts(n: int) -> tuple[list[NonlinearBlock], list[OpaqueTerm]]:
    body = sin(IRVar(0) + 2 * IRVar(1)) + IRVar(2) * IRVar(3) + Poly.from_terms([(1.0, (4, 5)), (0.5, (1,))])
    blocks = [NonlinearBlock("le", body, 1.0, 3.0, "nl_le"),
              NonlinearBlock("eq", sqrt(IRVar(2) + IRVar(6) + 1.0), 1.2, 1.5, "nl_eq")]
    fn = Callable(lambda a: a[:, 0] * a[:, 1] - 0.5 * a[:, 2], (n - 1, n - 2, 3), "user_fn")
    opaque = [OpaqueTerm(-0.7, exp(0.5 * (IRVar(7) + IRVar(1))) + fn)]
    return blocks, opaque


def awkward() -> Any:
    """Every kind of bound PuLP writes: negative and free ranges, fixed, integer with a lower bound
    only, long names, an equality, a maximisation."""
    p = pulp.LpProblem("awkward", pulp.LpMaximize)
    b = [p.add_variable(f"b{i}", cat="Binary") for i in range(4)]
    y = p.add_variable("y_a_rather_long_integer_name", -3, 4, cat="Integer")
    w = p.add_variable("w", None, 4, cat="Integer")
    v = p.add_variable("v", 2, None, cat="Integer")
    z = p.add_variable("z", -2.5, 7.25)
    f = p.add_variable("free", None, None)
    m = p.add_variable("minus", None, -1)
    fx = p.add_variable("fx", 3, 3)
    p += 3 * b[0] - 2 * b[1] + b[2] + y - w + 0.5 * z - f + m + fx + v + 11
    p += b[0] + b[1] + y + z <= 4, "c_le"
    p += w + v - f >= -3, "c_ge"
    p += b[2] + b[3] + m == -1, "c_eq"
    p += 2 * y - 3 * w + fx <= 20, "c_int"
    p += f <= 10, "c_free"
    p += v <= 6, "c_v"
    return p


def no_objective() -> Any:
    p = pulp.LpProblem("no_objective", pulp.LpMinimize)
    x = [p.add_variable(f"x{i}", cat="Binary") for i in range(3)]
    p += pulp.lpSum(x) >= 2, "two"
    return p


#: PuLP models of every shape the MPS writers and readers must agree on (tests/test_mps*.py).
MPS_ROUND_TRIP = {
    "tiny": tiny, "knapsack": knapsack, "set_cover": set_cover,
    "assignment": assignment, "general_integers": general_integers,
    "continuous": lambda: to_pulp(CONTINUOUS)[0],
    "unbounded_integer": lambda: to_pulp(UNBOUNDED_INTEGER)[0],
    "awkward": awkward, "no_objective": no_objective,
    "bin_packing": lambda: __import__("benchmarks.structured", fromlist=["x"]).bin_packing_lp(3),
}
