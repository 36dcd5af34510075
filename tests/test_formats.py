"""OPB and WCNF readers: known-answer files, round trips through our writers, .gz, errors."""

from __future__ import annotations

import gzip
import itertools
import os

import numpy as np
import pytest

from bipnn_backends import solve
from bipnn_backends.core.evaluate import evaluate_problem
from bipnn_backends.core.expr import Poly
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.errors import ModelError
from bipnn_backends.formats import is_core_format, read_problem
from bipnn_backends.formats.opb import OpbInstance, from_problem, parse_opb, read_opb, write_opb
from bipnn_backends.formats.wcnf import WcnfInstance, parse_wcnf, read_wcnf, write_wcnf

DATA = os.path.join(os.path.dirname(__file__), "data", "formats")


def all_points(n: int) -> np.ndarray:
    return np.array(list(itertools.product([0, 1], repeat=n)), dtype=float)


def opb_value(terms, x: np.ndarray) -> float:
    """Direct evaluation of OPB terms (literal k: x[k-1], -k: 1 - x[k-1])."""
    return sum(c * np.prod([x[l - 1] if l > 0 else 1 - x[-l - 1] for l in lits]) for c, lits in terms)


def maxsat_cost(inst: WcnfInstance, x: np.ndarray) -> float | None:
    """The MaxSAT cost of x, None when a hard clause is falsified."""
    def sat(c):
        return any((x[l - 1] == 1) if l > 0 else (x[-l - 1] == 0) for l in c)
    if not all(sat(c) for c in inst.hard):
        return None
    return sum(w for w, c in inst.soft if not sat(c))


def test_opb_known_answer_file() -> None:
    inst = read_opb(os.path.join(DATA, "small.opb"))
    assert inst.names == ["x1", "x2", "x3", "x4", "x5"] and inst.sense == "min"
    assert inst.objective[1] == (-2.0, (2, 3)) and inst.objective[2] == (1.0, (-4,))
    assert [op for _, op, _ in inst.constraints] == [">=", "<=", "=="]
    p = inst.to_problem()
    r = solve(p)
    assert r.solution_status == "optimal" and r.objective == -3.0
    assert r.values == {"x1": 0.0, "x2": 1.0, "x3": 1.0, "x4": 1.0, "x5": 0.0}
    X = all_points(5)
    vals = evaluate_problem(p, X)
    for i, x in enumerate(X):
        assert vals.objective[i] == pytest.approx(opb_value(inst.objective, x))


def test_wcnf_known_answer_gz_file_old_format() -> None:
    path = os.path.join(DATA, "small.wcnf.gz")
    inst = read_wcnf(path)
    assert inst.n_vars == 4 and inst.hard == [(1, 2), (-1, -2)] and len(inst.soft) == 5
    r = solve(read_problem(path))
    assert r.solution_status == "optimal" and r.objective == 4.0
    assert r.values == {"x1": 0.0, "x2": 1.0, "x3": 1.0, "x4": 1.0}


def random_opb(rng: np.random.Generator, n: int, m: int) -> OpbInstance:
    def terms(k: int) -> list:
        out = []
        for _ in range(k):
            deg = int(rng.integers(1, 4))
            vars_ = rng.choice(n, size=deg, replace=False) + 1
            lits = tuple(int(v) if rng.random() < 0.7 else -int(v) for v in vars_)
            out.append((float(rng.integers(-9, 10) or 1), lits))
        return out

    cons = [(terms(int(rng.integers(1, 5))), str(rng.choice([">=", "<=", "=="])), float(rng.integers(-3, 4)))
            for _ in range(m)]
    return OpbInstance([f"x{k}" for k in range(1, n + 1)], str(rng.choice(["min", "max"])), terms(8), cons)


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("suffix", [".opb", ".opb.gz"])
def test_opb_round_trip(tmp_path, seed: int, suffix: str) -> None:
    rng = np.random.default_rng(seed)
    inst = random_opb(rng, 7, 4)
    path = str(tmp_path / f"r{suffix}")
    write_opb(inst, path)
    if suffix.endswith(".gz"):
        with open(path, "rb") as f:
            assert f.read(2) == b"\x1f\x8b"
    back = read_opb(path)
    assert back == inst
    p, q = inst.to_problem(), back.to_problem()
    X = all_points(7)
    a, b = evaluate_problem(p, X), evaluate_problem(q, X)
    np.testing.assert_allclose(a.objective, b.objective)
    np.testing.assert_array_equal(a.feasible, b.feasible)
    for i in range(0, len(X), 9):  # the expansion of ~x matches the literal semantics
        assert a.objective[i] == pytest.approx(opb_value(inst.objective, X[i]))
        for (terms, op, rhs), con in zip(inst.constraints, p.constraints):
            lhs = opb_value(terms, X[i])
            ok = lhs >= rhs if op == ">=" else lhs <= rhs if op == "<=" else lhs == rhs
            assert ok == (evaluate_problem(BinaryProblem(p.name, p.binary_names, p.variables,
                                                         constraints=[con]), X[i:i + 1]).feasible[0])


def test_opb_from_our_generator(tmp_path) -> None:
    """A problem built with the core API, written as OPB, read back: the same problem."""
    rng = np.random.default_rng(7)
    p = BinaryProblem("gen")
    x = p.add_binaries([f"v{i}" for i in range(9)])
    p.set_objective(Poly.linear(x, rng.integers(-5, 9, 9)) + Poly.from_terms([(3.0, (0, 4)), (-2.0, (1, 2, 3))])
                    + 4.0, "max")
    p.add_constraint(Poly.linear(x, rng.integers(1, 6, 9)), "<=", 14, "cap")
    p.add_constraint(Poly.from_terms([(1.0, (5,)), (1.0, (6,)), (1.0, (7, 8))]), "==", 1, "one")
    path = str(tmp_path / "gen.opb")
    write_opb(from_problem(p), path)
    q = read_problem(path)
    X = all_points(9)
    a, b = evaluate_problem(p, X), evaluate_problem(q, X)
    np.testing.assert_allclose(a.objective, b.objective)
    np.testing.assert_array_equal(a.feasible, b.feasible)
    assert solve(p).objective == solve(q).objective


@pytest.mark.parametrize("make", ["constrained_pubo", "multi_knapsack", "set_cover", "quadratic_assignment"])
def test_opb_round_trip_of_the_benchmark_generators(tmp_path, make: str) -> None:
    """Instances of the project's benchmark generators, written as OPB (gzipped) and read back: the
    same objective and feasibility at every sampled point, and the same answer."""
    from benchmarks.instances import constrained_pubo
    from benchmarks.structured import multi_knapsack, quadratic_assignment, set_cover
    p = {"constrained_pubo": lambda: constrained_pubo(40, 3, seed=2), "multi_knapsack": lambda: multi_knapsack(30, 3),
         "set_cover": lambda: set_cover(20, 40, density=0.15), "quadratic_assignment": lambda: quadratic_assignment(4)
         }[make]().problem
    path = str(tmp_path / f"{make}.opb.gz")
    write_opb(from_problem(p), path)
    q = read_problem(path)
    assert (q.sense, q.n_binaries, len(q.constraints)) == (p.sense, p.n_binaries, len(p.constraints))
    X = (np.random.default_rng(0).random((3000, p.n_binaries)) < 0.5).astype(float)
    a, b = evaluate_problem(p, X), evaluate_problem(q, X)
    np.testing.assert_allclose(a.objective, b.objective, rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(a.feasible, b.feasible)
    opts = {"time_limit": None, "epochs": 30, "exhaustive_limit": 0}
    assert solve(q, **opts).objective == pytest.approx(solve(p, **opts).objective)


def random_wcnf(rng: np.random.Generator, n: int) -> WcnfInstance:
    def clause(k: int) -> tuple:
        vars_ = rng.choice(n, size=k, replace=False) + 1
        return tuple(int(v) * (1 if rng.random() < 0.5 else -1) for v in vars_)

    hard = [clause(int(rng.integers(1, 4))) for _ in range(3)]
    soft = [(float(rng.integers(1, 20)), clause(int(rng.integers(1, 9)))) for _ in range(10)]
    soft.append((2.5, tuple(range(1, n + 1))))  # a long clause: relaxation variable path
    return WcnfInstance(n, hard, soft)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("old", [False, True])
def test_wcnf_round_trip_and_cost(tmp_path, seed: int, old: bool) -> None:
    rng = np.random.default_rng(seed)
    inst = random_wcnf(rng, 8)
    path = str(tmp_path / ("r.wcnf.gz" if seed % 2 else "r.wcnf"))
    write_wcnf(inst, path, old=old)
    back = read_wcnf(path)
    assert back == inst
    p = back.to_problem()
    n_relax = p.n_binaries - 8
    X = all_points(8)
    # the objective (minimised over the relaxation variables) is the MaxSAT cost
    costs = [maxsat_cost(inst, x) for x in X]
    R = all_points(n_relax) if n_relax else np.zeros((1, 0))
    best = np.full(len(X), np.inf)
    for r in R:
        vals = evaluate_problem(p, np.hstack([X, np.repeat(r[None, :], len(X), 0)]))
        best = np.minimum(best, np.where(vals.feasible, vals.objective, np.inf))
    for c, b in zip(costs, best):
        assert (c is None and b == np.inf) or b == pytest.approx(c)
    r = solve(p)
    feasible_costs = [c for c in costs if c is not None]
    if feasible_costs:
        assert r.solution_status == "optimal" and r.objective == pytest.approx(min(feasible_costs))
    else:
        assert r.solution_status == "infeasible"


def test_new_format_hard_and_tautology() -> None:
    inst = parse_wcnf("c x\nh 1 -2 0\nh 1 -1 0\n4 2 0\n1 -1 0\n")
    assert inst.hard == [(1, -2), (1, -1)] and inst.soft == [(4.0, (2,)), (1.0, (-1,))]
    p = inst.to_problem()
    assert len(p.constraints) == 1  # the tautology is dropped
    r = solve(p)
    assert r.objective == 1.0  # x2 = 1 forces x1 = 1, which costs 1; or x2 = 0 costs 4


@pytest.mark.parametrize("text,match", [
    ("min: +1 x1 ;\n+1 x1 >= ;", "number"), ("min: +1 x1 ;\n+1 x1 >= abc ;", "not a number"),
    ("min: +1 x1 ;\n+1 x1 > 0 ;", "unexpected"),
    ("min: +1 x1 ;\nx1 >= 1 ;", "no coefficient"),
    ("min: +1 x1 ;\n+1 x1 +2 x2 ;", "relational"),
    ("soft: 3 ;\n[2] +1 x1 >= 1 ;", "soft"),
    ("min: +1 x1 ;\n+1 x1 >= 1", "closing"),
])
def test_opb_errors_name_the_line(text: str, match: str) -> None:
    with pytest.raises(ModelError, match=match):
        parse_opb(text, "f.opb")


@pytest.mark.parametrize("text,match", [("h 1 2\n", "end with 0"), ("3 1 x 0\n", "integer"),
                                        ("-1 1 0\n", "non-negative"), ("p wcnf x\n", "expected")])
def test_wcnf_errors(text: str, match: str) -> None:
    with pytest.raises(ModelError, match=match):
        parse_wcnf(text, "f.wcnf")


def test_damaged_gzip_and_missing_file(tmp_path) -> None:
    bad = tmp_path / "bad.opb.gz"
    bad.write_bytes(gzip.compress(b"min: +1 x1 ;\n")[:12])
    with pytest.raises(ModelError, match="bad.opb.gz"):
        read_opb(str(bad))
    with pytest.raises(ModelError, match="no such model file: .*nothere"):  # the same words as for MPS
        read_wcnf(str(tmp_path / "nothere.wcnf"))


def test_extensions() -> None:
    assert is_core_format("a.OPB") and is_core_format("b.wcnf.gz") and is_core_format("c.cnf")
    assert not is_core_format("d.mps") and not is_core_format("e.mps.gz")


def test_read_problem_reads_mps_as_the_cli_does(tmp_path) -> None:
    # anything but .opb/.wcnf/.cnf is MPS (it was parsed as WCNF: "'NAME' is not a clause weight")
    mps = tmp_path / "k.mps"
    mps.write_text("NAME k\nOBJSENSE\n    MAX\nROWS\n N obj\n L cap\nCOLUMNS\n"
                   "    MARKER 'MARKER' 'INTORG'\n    a obj 3 cap 1\n    b obj 2 cap 1\n"
                   "    MARKER 'MARKER' 'INTEND'\nRHS\n    RHS cap 1\nBOUNDS\n UP BND a 1\n UP BND b 1\nENDATA\n")
    p = read_problem(str(mps))
    assert p.sense == "max" and [v.name for v in p.variables] == ["a", "b"]
    assert solve(p).objective == 3.0


def test_cli_reads_opb_and_writes_the_pool(capsys) -> None:
    import json

    from bipnn_backends.cli import main
    assert main(["solve", os.path.join(DATA, "small.opb"), "--json", "--pool", "3", "--quiet"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["solution_status"] == "optimal" and doc["objective"] == -3.0
    pool = doc["pool"]
    assert len(pool) == 3 and pool[0]["values"] == doc["values"]
    objs = [e["objective"] for e in pool]
    assert objs == sorted(objs)
    inst = read_opb(os.path.join(DATA, "small.opb"))
    p = inst.to_problem()
    X = np.array([[e["values"][n] for n in p.binary_names] for e in pool])
    vals = evaluate_problem(p, X)
    assert vals.feasible.all() and list(vals.objective) == objs
    assert len({tuple(x) for x in X}) == 3


def test_cli_reads_gzipped_wcnf(tmp_path) -> None:
    from bipnn_backends.cli import main
    out = tmp_path / "sol.json"
    assert main(["solve", os.path.join(DATA, "small.wcnf.gz"), "--solution", str(out), "--quiet"]) == 0
    import json
    doc = json.loads(out.read_text())
    assert doc["objective"] == 4.0 and doc["values"]["x4"] == 1.0


def test_cli_bad_opb_exits_3(tmp_path, capsys) -> None:
    from bipnn_backends.cli import main
    bad = tmp_path / "bad.opb"
    bad.write_text("min: +1 x1 ;\n+1 x1 >= abc ;\n")
    assert main(["solve", str(bad)]) == 3
    assert "bad.opb:2" in capsys.readouterr().err
