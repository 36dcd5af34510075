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
