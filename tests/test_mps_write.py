"""The MPS writer (formats/mps_write.py): a translated PuLP model written, read back by our reader and
by HiGHS, is the same model (every variable's kind and bounds, the objective and every row's value at
random points, the optimum of HiGHS and SCIP); BIPNN_CMD, which writes its file with it, answers as BIPNN does."""

from __future__ import annotations

import itertools
import math
import random

import numpy as np
import pulp
import pytest

import models
from bipnn_backends import BIPNN, BIPNN_CMD
from bipnn_backends.adapters.pulp.translate import translate
from bipnn_backends.core.evaluate import evaluate
from bipnn_backends.core.expr import Poly, Var
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.errors import ModelError
from bipnn_backends.formats import read_mps
from bipnn_backends.formats.mps_write import write_mps

highspy = pytest.importorskip("highspy")
BOX = 6.0  # random points of unbounded variables are drawn in [-BOX, BOX]


# -- the same model, three ways: PuLP itself, our reader, HiGHS ---------------------------------------
def random_point(lp: pulp.LpProblem, rng: random.Random) -> dict[str, float]:
    point = {}
    for v in lp.variables():
        lo = -BOX if v.lowBound is None or math.isinf(v.lowBound) else v.lowBound
        hi = BOX if v.upBound is None or math.isinf(v.upBound) else v.upBound
        if v.cat == pulp.LpInteger:
            point[v.name] = float(rng.randint(math.ceil(lo), math.floor(hi))) if math.ceil(lo) <= hi else lo
        else:
            point[v.name] = rng.uniform(lo, hi) if lo < hi else lo
    return point


def pulp_values(lp: pulp.LpProblem, point: dict[str, float]) -> tuple[float, dict[str, tuple[str, float]]]:
    """(objective, {row: (sense, lhs - rhs)}) by PuLP itself."""
    for v in lp.variables():
        v.varValue = point[v.name]
    senses = {-1: "<=", 0: "==", 1: ">="}
    objective = pulp.value(lp.objective) if lp.objective is not None else 0.0
    return float(objective or 0.0), {n: (senses[c.sense], float(c.value())) for n, c in lp.constraints.items()}


def problem_values(p: BinaryProblem, point: dict[str, float]) -> tuple[float, dict[str, tuple[str, float]]]:
    """The same for a BinaryProblem read back (its variables keyed by their names)."""
    x = p.encode({v.key: point[v.name] for v in p.variables})
    assert p.decode(x) == pytest.approx({v.key: point[v.name] if v.kind != "fixed" else v.lb for v in p.variables})
    y = np.array([point[c.name] for c in p.columns])

    def value(body, columns) -> float:
        idx, coefs = columns
        return float(evaluate(body, x[None])[0]) + float(coefs @ y[idx]) if len(idx) else \
            float(evaluate(body, x[None])[0])

    rows = {c.name: (c.sense, value(c.body, c.columns) - c.rhs) for c in p.constraints}
    return value(p.objective, p.objective_columns), rows


def highs_model(path: str):
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    assert h.readModel(path) == highspy.HighsStatus.kOk
    return h


def highs_values(h, point: dict[str, float]) -> tuple[float, dict[str, tuple[str, float]]]:
    lp = h.getLp()
    v = np.array([point[n] for n in lp.col_names_])
    objective = lp.offset_ + float(np.dot(lp.col_cost_, v))
    m = lp.a_matrix_
    activity = np.zeros(lp.num_row_)
    for j in range(lp.num_col_):
        for k in range(m.start_[j], m.start_[j + 1]):
            activity[m.index_[k]] += m.value_[k] * v[j]
    rows = {}
    for i, name in enumerate(lp.row_names_):
        lo, hi = lp.row_lower_[i], lp.row_upper_[i]
        sense = "==" if lo == hi else "<=" if math.isinf(lo) else ">="
        assert not (math.isinf(lo) and math.isinf(hi))  # no free rows, no ranges: the core has none
        rows[name] = (sense, activity[i] - (hi if sense == "<=" else lo))
    return objective, rows


def same(a: tuple[float, dict], b: tuple[float, dict]) -> None:
    assert a[0] == pytest.approx(b[0], rel=1e-9, abs=1e-9)
    assert sorted(a[1]) == sorted(b[1])
    for name, (sense, value) in a[1].items():
        assert b[1][name][0] == sense, name
        assert b[1][name][1] == pytest.approx(value, rel=1e-9, abs=1e-9), name


def kinds_by_name(p: BinaryProblem) -> dict[str, tuple]:
    out = {v.name: (v.kind, v.lb, v.ub) for v in p.variables}
    out.update((c.name, (c.kind, c.lb, c.ub)) for c in p.columns)
    return out


def highs_kinds(h) -> dict[str, tuple]:
    """(integer, lb, ub) by name; a fixed variable's integrality means nothing (it is written continuous)."""
    lp = h.getLp()
    lo, hi = lp.col_lower_, lp.col_upper_
    return {n: (lp.integrality_[j] == highspy.HighsVarType.kInteger and lo[j] != hi[j], lo[j], hi[j])
            for j, n in enumerate(lp.col_names_)}


def pulp_kinds(lp: pulp.LpProblem) -> dict[str, tuple]:
    def bound(b, default):
        return default if b is None or math.isinf(b) else float(b)

    out = {}
    for v in lp.variables():
        lo, hi = bound(v.lowBound, -math.inf), bound(v.upBound, math.inf)
        out[v.name] = (v.cat == pulp.LpInteger and lo != hi, lo, hi)
    return out


def check_round_trip(lp: pulp.LpProblem, path: str, points: int = 8, seed: int = 0) -> None:
    tr = translate(lp)
    columns = write_mps(tr.problem, path)
    assert [columns[j] for j in range(len(tr.variables))] == [v.name for v in tr.variables]  # PuLP's names
    ours = read_mps(path)
    h = highs_model(path)
    assert ours.sense == tr.problem.sense
    assert kinds_by_name(ours) == kinds_by_name(tr.problem)
    assert highs_kinds(h) == pulp_kinds(lp)
    assert (h.getLp().sense_ == highspy.ObjSense.kMaximize) == (lp.sense == pulp.LpMaximize)
    rng = random.Random(seed)
    for _ in range(points):
        point = random_point(lp, rng)
        expected = pulp_values(lp, point)
        same(expected, problem_values(ours, point))
        same(expected, highs_values(h, point))


def check_optimum(lp: pulp.LpProblem, path: str) -> None:
    """HiGHS (and SCIP, when installed) on the written file reach the optimum HiGHS finds on the PuLP
    model itself."""
    h = highs_model(path)
    h.run()
    status = h.getModelStatus()
    scip = _scip(path)
    lp.solve(pulp.HiGHS(msg=False))
    if lp.status == pulp.LpStatusOptimal:
        assert status == highspy.HighsModelStatus.kOptimal
        best = pulp.value(lp.objective) if lp.objective is not None else 0.0
        assert h.getInfo().objective_function_value == pytest.approx(best, rel=1e-7, abs=1e-7)
        if scip is not None:
            assert scip.getStatus() == "optimal" and scip.getObjVal() == pytest.approx(best, rel=1e-6, abs=1e-6)
    else:
        assert status != highspy.HighsModelStatus.kOptimal
        assert scip is None or scip.getStatus() != "optimal"


def _scip(path: str):
    try:
        import pyscipopt
    except ImportError:
        return None
    m = pyscipopt.Model()
    m.hideOutput()
    m.readProblem(path)
    m.optimize()
    return m


# -- random small MILPs -------------------------------------------------------------------------------
COEFS = [-3, -2, -1, 1, 2, 3, 0.5, 1 / 3, -0.25, 1e-7, 12345.678]


def random_milp(seed: int) -> pulp.LpProblem:
    """Binaries, integers with (negative) bounds, continuous boxed/free/one-sided/fixed, a fixed integer,
    an integer bounded below only, <=, >= and == rows (some with a constant inside), either sense, an
    objective constant; unbounded variables are boxed by rows so that the optimum is finite."""
    r = random.Random(seed)
    p = pulp.LpProblem(f"rand{seed}", pulp.LpMaximize if r.random() < 0.5 else pulp.LpMinimize)
    xs = [p.add_variable(f"b{i}", cat="Binary") for i in range(r.randint(1, 4))]
    for i in range(r.randint(0, 3)):
        lo = r.randint(-4, 2)
        xs.append(p.add_variable(f"n{i}", lo, lo + r.randint(1, 6), cat="Integer"))
    extras = [("c_box", -2.5, 3.5, "Continuous"), ("c_free", None, None, "Continuous"),
              ("c_up", None, 2.0, "Continuous"), ("c_lo", -1.5, None, "Continuous"),
              ("c_fix", 1.25, 1.25, "Continuous"), ("n_fix", 2, 2, "Integer"), ("n_lo", -2, None, "Integer"),
              ("n_up", None, 3, "Integer")]
    for name, lo, hi, cat in r.sample(extras, r.randint(0, len(extras))):
        v = p.add_variable(name, lo, hi, cat=cat)
        xs.append(v)
        if lo is None or hi is None:
            p += v <= 10, f"box_hi_{name}"
            p += v >= -10, f"box_lo_{name}"
    p += pulp.lpSum(r.choice(COEFS) * v for v in r.sample(xs, r.randint(1, len(xs)))) + r.choice([0, 2.5, -7])
    for k in range(r.randint(1, 5)):
        lhs = pulp.lpSum(r.choice(COEFS) * v for v in r.sample(xs, r.randint(1, len(xs))))
        lhs += r.choice([0, 0, 1.5])
        rhs = round(r.uniform(-3, 8), 2)
        p += (lhs <= rhs, lhs >= -rhs, lhs == round(rhs))[k % 3], f"row{k}"
    return p


@pytest.mark.parametrize("seed", range(30))
def test_random_milps_read_back_as_the_same_model(tmp_path, seed):
    lp = random_milp(seed)
    path = str(tmp_path / "m.mps")
    check_round_trip(lp, path, seed=seed)
    check_optimum(lp, path)


@pytest.mark.parametrize("name", sorted(models.MPS_ROUND_TRIP))
def test_fixture_models_read_back_as_the_same_model(tmp_path, name):
    lp = models.MPS_ROUND_TRIP[name]()
    path = str(tmp_path / f"{name}.mps")
    check_round_trip(lp, path)
    check_optimum(lp, path)


@pytest.mark.parametrize("name", sorted(models.SOLVABLE) + ["continuous"])
def test_conformance_specs_keep_their_brute_force_optimum(tmp_path, name):
    spec = models.SOLVABLE.get(name) or models.CONTINUOUS
    lp, _ = models.to_pulp(spec)
    path = str(tmp_path / f"{name}.mps")
    check_round_trip(lp, path)
    h = highs_model(path)
    h.run()
    if name == "continuous":
        best = models.CONTINUOUS_OPTIMUM
    else:
        best, _ = spec.brute_force()
    if best is None:
        assert h.getModelStatus() == highspy.HighsModelStatus.kInfeasible
    else:
        assert h.getInfo().objective_function_value == pytest.approx(best)


def test_what_is_written(tmp_path):
    """Objective sense and constant, integer block, explicit bounds of every kind (awkward: every bound)."""
    path = tmp_path / "awkward.mps"
    write_mps(translate(models.awkward()).problem, str(path))
    text = path.read_text()
    assert text.startswith("NAME awkward\nOBJSENSE\n    MAX\nROWS\n N  OBJ\n")
    assert "    RHS  OBJ  -14.0\n" in text  # -(11 + 3 * fx): fixed variables are constants, still declared
    assert " FX BND  fx  3.0\n" in text and " FR BND  free\n" in text and " MI BND  minus\n" in text
    assert " UP BND  minus  -1.0\n" in text and " BV BND  b0\n" in text
    assert " LO BND  y_a_rather_long_integer_name  -3.0\n" in text  # integers: explicit lower bounds
    assert " LO BND  v  2.0\n" in text and " MI BND  w\n" in text
    lines = text.splitlines()
    start, end = lines.index("    MARKER  'MARKER'  'INTORG'"), lines.index("    MARKER  'MARKER'  'INTEND'")
    inside = {ln.split()[0] for ln in lines[start + 1:end]}
    assert inside == {"b0", "b1", "b2", "b3", "y_a_rather_long_integer_name", "w", "v"}


def test_variables_in_no_row_are_declared(tmp_path):
    p = pulp.LpProblem("unused", pulp.LpMinimize)
    a = p.add_variable("a", cat="Binary")
    for v in (p.add_variable("k", 2, 5, cat="Integer"), p.add_variable("z", -1, 4)):
        p.addVariable(v)  # in the model, in no row
    p += 2 * a
    p += a >= 1, "r"
    path = str(tmp_path / "z.mps")
    check_round_trip(p, path)
    assert sorted(highs_model(path).getLp().col_names_) == ["a", "k", "z"]


def test_an_integer_with_an_empty_range_stays_infeasible(tmp_path):
    p = pulp.LpProblem("empty", pulp.LpMinimize)
    x = p.add_variable("x", cat="Binary")
    k = p.add_variable("k", 0.2, 0.8, cat="Integer")
    p += x + k
    p += x + k >= 0, "r"
    path = str(tmp_path / "e.mps")
    write_mps(translate(p).problem, path)
    assert read_mps(path).empty_ranges == [("k", 0.2, 0.8)]
    h = highs_model(path)
    h.run()
    assert h.getModelStatus() == highspy.HighsModelStatus.kInfeasible


def test_names_that_are_not_mps_names_are_replaced_and_mapped_by_key(tmp_path):
    p = BinaryProblem(name="two words")
    idx = p.add_binaries(["a b", "a b", "*c"], keys=[10, 11, 12])
    p.set_objective(Poly.linear(idx, [1.0, 2.0, 3.0]), "max")
    p.add_constraint(Poly.linear(idx, [1.0, 1.0, 1.0]), "<=", 2.0, "cap row")
    path = str(tmp_path / "n.mps")
    assert write_mps(p, path) == {10: "C0", 11: "C1", 12: "C2"}
    back = read_mps(path)
    assert [v.name for v in back.variables] == ["C0", "C1", "C2"] and back.constraints[0].name == "R0"
    h = highs_model(path)
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(5.0)


def test_a_nonlinear_problem_is_refused(tmp_path):
    p = BinaryProblem()
    x, y = p.add_binary("x"), p.add_binary("y")
    p.set_objective(Var(0) * Var(1))
    with pytest.raises(ModelError, match="objective is not linear"):
        write_mps(p, str(tmp_path / "q.mps"))
    p.set_objective(x + y)
    p.add_constraint(x * y, "<=", 0, "prod")
    with pytest.raises(ModelError, match="constraint 'prod' is not linear"):
        write_mps(p, str(tmp_path / "q.mps"))
    assert not (tmp_path / "q.mps").exists()  # a refused model leaves no file


def test_unrelated_bit_coefficients_are_refused(tmp_path):
    p = BinaryProblem()
    k = p.add_integer("k", 0, 3)  # bits weighted 1, 2
    p.set_objective(k)
    p.add_constraint(Poly.linear([0, 1], [1.0, 1.0]), "<=", 2, "bits")  # bit1 not 2x bit0: not a row in k
    with pytest.raises(ModelError, match="constraint 'bits' is not linear in variable 'k'"):
        write_mps(p, str(tmp_path / "k.mps"))


# -- BIPNN_CMD, which writes its file with write_mps ------------------------------------------------
def unique_optimum_model() -> tuple[pulp.LpProblem, dict[str, float]]:
    """Every kind a pure integer model has (binaries, negative integer ranges, a fixed integer, a fixed
    continuous, a constant, ==/<=/>= rows, maximisation) and a unique brute-force optimum."""
    p = pulp.LpProblem("unique", pulp.LpMaximize)
    b = [p.add_variable(f"b{i}", cat="Binary") for i in range(4)]
    n = p.add_variable("n", -3, 2, cat="Integer")
    m = p.add_variable("m", 1, 5, cat="Integer")
    f = p.add_variable("f", 2, 2, cat="Integer")
    c = p.add_variable("c", 0.75, 0.75)
    p += 1.3 * b[0] + 2.1 * b[1] - 0.7 * b[2] + 3.9 * b[3] + 1.1 * n - 0.45 * m + f + 2 * c + 4.5
    p += b[0] + b[1] + b[3] <= 2, "pick"
    p += n + m - b[2] == 3, "link"
    p += 2 * m + f + c >= 5.5, "floor"
    values = {v.name: float(v.lowBound) for v in (f, c)}
    best, arg = None, None
    for point in itertools.product((0, 1), (0, 1), (0, 1), (0, 1), range(-3, 3), range(1, 6)):
        vals = dict(zip(["b0", "b1", "b2", "b3", "n", "m"], map(float, point)), **values)
        if not (vals["b0"] + vals["b1"] + vals["b3"] <= 2 and vals["n"] + vals["m"] - vals["b2"] == 3
                and 2 * vals["m"] + 2 + 0.75 >= 5.5):
            continue
        obj = (1.3 * vals["b0"] + 2.1 * vals["b1"] - 0.7 * vals["b2"] + 3.9 * vals["b3"] + 1.1 * vals["n"]
               - 0.45 * vals["m"] + 2 + 1.5 + 4.5)
        assert best is None or not math.isclose(obj, best)  # the optimum is unique
        if best is None or obj > best:
            best, arg = obj, vals
    return p, arg


def test_cmd_gives_the_in_process_answer_and_the_brute_force_optimum(tmp_path):
    lp, best = unique_optimum_model()
    cmd = BIPNN_CMD(msg=False, seed=0)
    cmd.tmpDir = str(tmp_path)
    assert lp.solve(cmd) == pulp.LpStatusOptimal
    by_cmd = {v.name: v.varValue for v in lp.variables()}
    objective = pulp.value(lp.objective)
    lp2, _ = unique_optimum_model()
    assert lp2.solve(BIPNN(msg=False, seed=0)) == pulp.LpStatusOptimal
    assert by_cmd == {v.name: v.varValue for v in lp2.variables()} == pytest.approx(best)
    assert objective == pytest.approx(cmd.result.objective) == pytest.approx(pulp.value(lp2.objective))
    assert list(tmp_path.iterdir()) == []


def test_cmd_on_a_mixed_model_reaches_the_highs_optimum(tmp_path):
    lp, _ = models.to_pulp(models.CONTINUOUS)
    assert lp.solve(BIPNN_CMD(msg=False)) in (pulp.LpStatusOptimal, 1)
    assert pulp.value(lp.objective) == pytest.approx(models.CONTINUOUS_OPTIMUM)


def test_kept_file_is_the_readable_model(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    lp = models.tiny()
    lp.solve(BIPNN_CMD(msg=False, keepFiles=True))
    h = highs_model(str(tmp_path / "tiny-pulp.mps"))
    assert sorted(h.getLp().col_names_) == sorted(v.name for v in lp.variables())
    assert h.getLp().row_names_ == ["cap"]
    h.run()
    assert h.getInfo().objective_function_value == pytest.approx(19.0) == pytest.approx(pulp.value(lp.objective))


def test_cmd_pool_and_objective_keep_the_constant():
    """The file holds the objective constant: the objective and every pool entry include it once."""
    lp, _ = unique_optimum_model()
    cmd, inproc = BIPNN_CMD(msg=False, pool_size=3), BIPNN(msg=False, pool_size=3)
    lp.solve(cmd)
    lp2, _ = unique_optimum_model()
    lp2.solve(inproc)
    assert [e["objective"] for e in cmd.pool] == pytest.approx([e["objective"] for e in inproc.pool])
    assert [e["values"] for e in cmd.pool] == [e["values"] for e in inproc.pool]
    assert cmd.result.objective == pytest.approx(pulp.value(lp.objective))


def test_cmd_sends_the_warm_start_by_column_name(monkeypatch):
    import json

    from bipnn_backends.adapters.pulp import solvers

    lp, best = unique_optimum_model()
    for v in lp.variables():
        v.varValue = best[v.name]
    sent = {}

    def run(self, cmd, sol, timeout):
        with open(cmd[cmd.index("--options") + 1]) as f:
            sent.update(json.load(f))
        return {"solution_status": "feasible", "termination": "time_limit", "message": "fake", "stats": {},
                "values": {name: value for name, value in sent["warm_start"].items()}, "objective": 1.0,
                "max_violation": 0.0}

    monkeypatch.setattr(solvers.BIPNN_CMD, "_run", run)
    lp.solve(BIPNN_CMD(msg=False, warmStart=True))
    assert sent["warm_start"] == best
    assert {v.name: v.varValue for v in lp.variables()} == best  # read back by position
