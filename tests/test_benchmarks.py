"""Smoke tests of the benchmark harness: generators, readers, max-cut PUBO, scorer, a runner (fast)."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.baselines import FlipGains, run_greedy, run_scip
from benchmarks.data import DATASETS, data_root, from_lists, load, read_gset, read_hypop, read_paper
from benchmarks.instances import constrained_pubo, cut_value, maxcut_problem, random_pubo
from benchmarks.scoring import score, to_pubo
from bipnn_backends.core.brute_force import brute_force
from bipnn_backends.core.evaluate import evaluate_problem


@pytest.mark.parametrize("degree", [4, 6])
def test_random_pubo_seeded_and_sized(degree: int) -> None:
    a, b, c = (random_pubo(300, degree, seed=s).problem.objective for s in (3, 3, 4))
    assert np.array_equal(a.indices, b.indices) and np.array_equal(a.coefs, b.coefs)
    assert not np.array_equal(a.indices, c.indices)
    deg = a.degrees()
    assert a.n_terms == 3 * 300 and (deg == degree).sum() == 600 and (deg == 1).sum() == 300
    mono = a.indices[: 600 * degree].reshape(600, degree)
    assert np.all(np.diff(mono, axis=1) > 0) and mono.max() < 300
    assert np.abs(a.coefs).max() <= 1.0
    assert np.array_equal(np.sort(a.indices[600 * degree:]), np.arange(300))


def test_constrained_keeps_hidden_point_feasible() -> None:
    inst = constrained_pubo(400, 4, seed=2)
    again = constrained_pubo(400, 4, seed=2)
    assert len(inst.problem.constraints) == 400 // 20 + 400 // 50
    assert np.array_equal(inst.feasible_point, again.feasible_point)
    assert evaluate_problem(inst.problem, inst.feasible_point).feasible[0]


def test_penalised_pubo_matches_objective_when_feasible() -> None:
    inst = constrained_pubo(60, 3, seed=5, n_linear=4, n_nonlinear=2)
    pubo = to_pubo(inst.problem)
    rng = np.random.default_rng(0)
    X = np.vstack([inst.feasible_point, rng.integers(0, 2, (300, 60))]).astype(float)
    v = evaluate_problem(inst.problem, X)
    e = pubo.evaluate(X)
    assert np.allclose(e[v.feasible], v.objective[v.feasible])
    assert np.all(e[~v.feasible] > v.objective[~v.feasible])


def _write(tmp_path, name: str, text: str):
    p = tmp_path / name
    p.write_text(text)
    return p


def test_paper_graph_reader_headers_ids_loops_duplicates(tmp_path) -> None:
    g = read_paper(_write(tmp_path, "a_graph.txt", "? ?\nu v\nv u\nw w\nv w\n7 u\n"), "graph")
    assert (g.n, g.m) == (4, 3)  # u, v, w, 7; edges uv, vw, u7 (self-loop and duplicate dropped)
    assert sorted(map(tuple, (e.tolist() for e in g.edges()))) == [(0, 1), (0, 3), (1, 2)]
    h = read_paper(_write(tmp_path, "b_graph.txt", "2 3\n1 2\n2 3\n"), "graph")
    assert (h.n, h.m) == (3, 2)


def test_paper_hypergraph_reader_with_and_without_header(tmp_path) -> None:
    no_header = read_paper(_write(tmp_path, "c_hypergraph.txt", "0 5 9\n5 9\n9 0 5 2\n"), "hypergraph")
    assert (no_header.n, no_header.m) == (4, 3) and list(no_header.sizes()) == [3, 2, 4]
    header = read_paper(_write(tmp_path, "d_hypergraph.txt", "2 4\n1 2 3\n3 4\n"), "hypergraph")
    assert (header.n, header.m) == (4, 2)


def test_gset_and_hypop_readers(tmp_path) -> None:
    g = read_gset(_write(tmp_path, "G0.txt", "4 3 \n1 2 1\n2 4 -1\n3 1 1\n"))
    assert (g.n, g.m) == (4, 3) and sorted(g.weights.tolist()) == [-1.0, 1.0, 1.0]
    assert [e.tolist() for e in g.edges()] == [[0, 1], [0, 2], [1, 3]]
    h = read_hypop(_write(tmp_path, "Hyp_5_2.txt", "5 2\n1 2 5\n3 4\n"))
    assert (h.n, h.m) == (5, 2) and h.edges()[0].tolist() == [0, 1, 4]
    with pytest.raises(ValueError):
        read_hypop(_write(tmp_path, "bad.txt", "5 3\n1 2\n"))


def test_maxcut_pubo_equals_direct_cut_count() -> None:
    rng = np.random.default_rng(7)
    edges = [rng.choice(30, size=rng.integers(2, 8), replace=False).tolist() for _ in range(120)]
    h = from_lists("rand", 30, edges, rng.uniform(-2, 3, 120).round(2).tolist())
    inst = maxcut_problem(h)
    X = rng.integers(0, 2, (500, 30)).astype(float)
    assert np.allclose(evaluate_problem(inst.problem, X).objective, cut_value(h, X))
    assert np.allclose(-to_pubo(inst.problem).evaluate(X), cut_value(h, X))


def test_flip_gains_match_energy_differences() -> None:
    pubo = to_pubo(random_pubo(40, 4, seed=1).problem)
    X = np.random.default_rng(2).integers(0, 2, (3, 40)).astype(float)
    d = FlipGains(pubo).deltas(X)
    for b in range(3):
        for i in (0, 7, 39):
            Y = X[b].copy()
            Y[i] = 1 - Y[i]
            assert d[b, i] == pytest.approx(pubo.evaluate(Y)[0] - pubo.evaluate(X[b])[0])


def test_greedy_runner_returns_rescorable_local_optimum() -> None:
    inst = random_pubo(200, 4, seed=0)
    pubo = to_pubo(inst.problem)
    x, info = run_greedy(inst, pubo, 0.3, 0)
    s = score(inst.problem, x)
    assert s.feasible and s.objective == pytest.approx(pubo.evaluate(x)[0])
    assert (FlipGains(pubo).deltas(x[None]) >= -1e-9).all() and info["starts"] >= 1


def test_scip_runner_matches_brute_force_on_tiny_constrained() -> None:
    pytest.importorskip("pyscipopt")
    inst = constrained_pubo(12, 3, seed=4, n_linear=3, n_nonlinear=1)
    x, info = run_scip(inst, to_pubo(inst.problem), 5.0, 0)
    ref = brute_force(inst.problem)
    assert info["proven_optimal"] and score(inst.problem, x).objective == pytest.approx(ref.objective)


def test_real_dataset_sizes_when_present() -> None:
    if data_root() is None:
        pytest.skip("../shared/data is absent")
    bat = load("bat")
    assert (bat.n, bat.m) == (131, 1003)
    assert set(DATASETS) >= {"cora", "primary", "high", "G1", "G22", "Hyp_901_1333"}


def test_quadratic_bqm_export_matches_pubo_energy() -> None:
    pytest.importorskip("dimod")
    from benchmarks.baselines import _bqm
    h = from_lists("g", 20, [[i, (i * 7 + 3) % 20] for i in range(20)], [1.0] * 10 + [-2.0] * 10)
    pubo = to_pubo(maxcut_problem(h).problem)
    bqm, info = _bqm(pubo)
    X = np.random.default_rng(3).integers(0, 2, (50, 20))
    assert info["reduction"].startswith("none")
    assert np.allclose(bqm.energies((X, list(range(20)))), pubo.evaluate(X))


# -- structured suite (issue 12) ------------------------------------------------

def _structured_tiny():
    from benchmarks import structured as S
    return [S.generalized_assignment(3, 6, seed=1), S.set_cover(8, 16, 0.3, seed=1), S.set_partitioning(8, 16, seed=1),
            S.multi_knapsack(16, 3, seed=1), S.quadratic_assignment(4, seed=1)]


def _same_problem(a, b) -> bool:
    from benchmarks.mip import mip_form
    fa, fb = mip_form(a), mip_form(b)
    return (np.array_equal(fa.c, fb.c) and (fa.A != fb.A).nnz == 0 and np.array_equal(fa.lo, fb.lo)
            and np.array_equal(fa.hi, fb.hi) and fa.products == fb.products)


def test_structured_generators_are_seeded_and_deterministic() -> None:
    from benchmarks import structured as S
    makers = [lambda s: S.assignment(7, seed=s), lambda s: S.generalized_assignment(3, 9, seed=s),
              lambda s: S.set_cover(10, 30, 0.2, seed=s), lambda s: S.set_partitioning(10, 30, seed=s),
              lambda s: S.multi_knapsack(12, 3, seed=s), lambda s: S.quadratic_assignment(5, seed=s)]
    for make in makers:
        a, b, c = make(3), make(3), make(4)
        assert a.name == b.name and _same_problem(a.problem, b.problem)
        assert not _same_problem(a.problem, c.problem)
        if a.feasible_point is not None:  # planted / trivial points really are feasible
            assert evaluate_problem(a.problem, a.feasible_point).feasible[0]


def test_structured_family_shapes() -> None:
    from benchmarks import structured as S
    a = S.assignment(6, seed=0)
    assert a.problem.n_binaries == 36 and len(a.problem.constraints) == 12
    assert {c.sense for c in a.problem.constraints} == {"=="}
    q = S.quadratic_assignment(5, seed=0)
    F, D = q.extra["flows"], q.extra["distances"]
    perm = np.array([2, 0, 4, 1, 3])
    x = np.zeros((5, 5))
    x[np.arange(5), perm] = 1
    assert evaluate_problem(q.problem, x.reshape(-1)).objective[0] == pytest.approx(S.qap_value(F, D, perm))


def test_bin_packing_matches_pulp_generator_and_reference() -> None:
    pytest.importorskip("pulp")
    from benchmarks import structured as S
    from benchmarks.references import exact_reference
    inst = S.bin_packing(2)
    lp = inst.extra["pulp_model"]
    assert inst.problem.n_binaries == len(lp.variables()) and len(inst.problem.constraints) == lp.numConstraints()
    assert exact_reference(inst)["value"] == 2.0
    pytest.importorskip("highspy")
    from benchmarks.mip import run_highs
    x, info = run_highs(inst, None, 20.0, 0)
    assert info["proven_optimal"] and score(inst.problem, x).objective == 2.0


def test_assignment_reference_equals_permutation_brute_force() -> None:
    from itertools import permutations

    from benchmarks import structured as S
    from benchmarks.references import exact_reference
    inst = S.assignment(6, seed=2)
    costs = inst.extra["costs"]
    best = min(sum(costs[i, p[i]] for i in range(6)) for p in permutations(range(6)))
    assert exact_reference(inst)["value"] == best


def test_scip_reference_equals_brute_force_on_tiny_structured() -> None:
    pytest.importorskip("pyscipopt")
    from benchmarks.references import scip_reference
    for inst in _structured_tiny():
        ref = scip_reference(inst, 20.0)
        assert ref["proven"] and ref["value"] == pytest.approx(brute_force(inst.problem).objective), inst.name


@pytest.mark.parametrize("solver", ["scip", "highs", "cpsat"])
def test_mip_baselines_verified_on_tiny_structured(solver: str) -> None:
    pytest.importorskip({"scip": "pyscipopt", "highs": "highspy", "cpsat": "ortools"}[solver])
    from benchmarks import mip
    run = {"scip": mip.run_scip, "highs": mip.run_highs, "cpsat": mip.run_cpsat}[solver]
    for inst in _structured_tiny():
        x, info = run(inst, None, 20.0, 0)
        s = score(inst.problem, x)
        assert s.feasible and s.objective == pytest.approx(brute_force(inst.problem).objective), inst.name
        assert info["proven_optimal"] and info["trace"], inst.name
        assert info["trace"][-1][1] == pytest.approx(s.objective)  # the callback saw the final incumbent
        times = [t for t, _ in info["trace"]]
        assert times == sorted(times)


def _greedy_bits(value: float, weights: np.ndarray) -> np.ndarray:
    bits = np.zeros(len(weights))
    for k in np.argsort(-weights, kind="stable"):
        if value >= weights[k]:
            bits[k], value = 1.0, value - weights[k]
    assert value == 0
    return bits


def test_quadratic_row_penalty_is_exact_with_best_slack() -> None:
    from itertools import product

    from benchmarks import structured as S
    from bipnn_backends.core.problem import bounded_binary_weights
    inst = S.multi_knapsack(6, 2, seed=3)
    pubo = to_pubo(inst.problem, quadratic_rows=True)
    n = inst.problem.n_binaries
    rows = inst.problem.constraints
    spans = [int(c.rhs) for c in rows]  # a >= 0 on every knapsack row: the slack spans 0..rhs
    assert pubo.n_slack == sum(len(bounded_binary_weights(s)) for s in spans)
    rng = np.random.default_rng(0)
    for bits in product([0.0, 1.0], repeat=n):
        x = np.array(bits)
        v = evaluate_problem(inst.problem, x)
        X = np.hstack([np.tile(x, (256, 1)), rng.integers(0, 2, (256, pubo.n_slack))])
        if v.feasible[0]:  # the exact slack gives energy = -objective (maximised), any other slack more
            slack = np.concatenate([_greedy_bits(c.rhs - float(c.body.coefs @ x[c.body.indices]),
                                                 bounded_binary_weights(s)) for c, s in zip(rows, spans)])
            assert pubo.evaluate(np.concatenate([x, slack]))[0] == pytest.approx(-v.objective[0])
            assert np.all(pubo.evaluate(X) >= -v.objective[0] - 1e-6)
        else:
            assert np.all(pubo.evaluate(X) > -v.objective[0])


def test_quadratic_rows_penalty_feasible_energy_equals_objective() -> None:
    from benchmarks import structured as S
    inst = S.assignment(5, seed=1)
    pubo = to_pubo(inst.problem, quadratic_rows=True)
    assert pubo.n_slack == 0  # equalities need no slack
    rng = np.random.default_rng(1)
    X = np.array([np.eye(5)[rng.permutation(5)].reshape(-1) for _ in range(20)]
                 + list(rng.integers(0, 2, (200, 25)).astype(float)))
    v = evaluate_problem(inst.problem, X)
    e = pubo.evaluate(X)
    assert np.allclose(e[v.feasible], v.objective[v.feasible]) and np.all(e[~v.feasible] > v.objective[~v.feasible])


def test_time_to_target_and_first_feasible_from_records() -> None:
    from benchmarks.suite_structured import first_feasible_s, improvement_trace, time_to_target
    mip_rec = {"status": "ok", "objective": 100.0, "time_limit": 5, "wall_s": 5.0,
               "info": {"trace": [[0.5, 130.0], [1.0, 105.0], [3.0, 100.0]]}}
    assert first_feasible_s(mip_rec) == 0.5
    assert time_to_target(mip_rec, 100.0, "min", 10.0) == 1.0 and time_to_target(mip_rec, 90.0, "min") is None
    ours = {"status": "ok", "objective": 100.0, "time_limit": 5, "wall_s": 5.0,
            "info": {"history": [[0.1, 50.0], [0.2, 120.0], [2.0, 100.0]], "clock_offset_s": 0.5}}
    assert first_feasible_s(ours) is None  # no feasibility flag in the old engine's history
    assert improvement_trace(ours, "min") == [(0.7, 120.0), (2.5, 100.0)]  # 50 < final: infeasible, dropped
    flagged = {**ours, "info": {"history": [[0.1, 50.0, False], [0.4, 120.0, True], [2.0, 100.0, True]]}}
    assert first_feasible_s(flagged) == 0.4


def test_structured_suite_runs_and_reports(tmp_path, monkeypatch) -> None:
    pytest.importorskip("highspy")
    from benchmarks import report, runner
    from benchmarks.suite_structured import report_structured, run_structured
    from benchmarks.suites import Config
    monkeypatch.setattr(report, "OUT_DIR", tmp_path)
    monkeypatch.setattr(runner, "OUT_DIR", tmp_path)
    res = runner.Results("structured", "test", {}, out_dir=tmp_path)
    run_structured(res, Config(time_limit=10.0, solvers=["highs"], only=["mkp-50x5"], log=lambda s: None))
    (rec,) = res.doc["records"]
    meta = res.doc["instances"][rec["instance"]]
    assert rec["status"] == "ok" and meta["sense"] == "max"
    if (meta["reference"] or {}).get("proven"):
        assert rec["gap_percent"] == pytest.approx(0.0) and rec["time_to_target_s"] is not None
    text = report_structured(res.doc)
    assert "| mkp-50x5-s0 (max) | 50 | 5 | 10 |" in text and "highs" in text


def test_index_points_to_the_newer_scale_numbers(tmp_path, monkeypatch) -> None:
    """docs/benchmarks.md regenerated: the scale numbers live in docs/parallel.md, linked from the
    findings and from the scale section, and the stale 2026-11-23 throughput claims do not come back."""
    from benchmarks import report as rp
    from benchmarks.suites import SUITES

    monkeypatch.setattr(rp, "DOCS", tmp_path / "benchmarks.md")
    text = rp.write_index(SUITES).read_text()
    scale = text.split("## `scale`", 1)[1].split("\n## ", 1)[0]
    assert "parallel.md#throughput-at-scale-one-chain-per-thread" in scale
    findings = text.split("## `maxcut`", 1)[0]
    assert "parallel.md#throughput-at-scale-one-chain-per-thread" in findings
    assert "one greedy descent only" not in text and "11.4 s epoch" not in text
