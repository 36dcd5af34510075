"""Compiled simulated annealing kernel: exact deltas, no drift, optimality on small problems, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from bipnn_backends.core.evaluate import enumerate_points
from bipnn_backends.engine import sa_kernel
from bipnn_backends.engine.sa_kernel import Annealer, anneal_batch, init_batch, supported
from engine_run import SteadyMachine, opts, run
from models import make_reform, nonlinear_parts, random_block, random_pubo


def reform_with_blocks(rng: np.random.Generator, n: int):
    blocks = [random_block(rng, n, 3, "eq", 4), random_block(rng, n, 3, "le", min(6, n))]
    return make_reform(random_pubo(rng, n, 3 * n, 5), blocks)


def check_energy_and_deltas(ann: Annealer, reform, X: np.ndarray) -> None:
    """The kernel's energies and every 1-flip delta equal the exact evaluator's."""
    E = reform.energy(X)
    np.testing.assert_allclose(ann.energy(X), E, rtol=1e-12, atol=1e-12)
    D = ann.deltas(X)
    for i in range(X.shape[1]):
        Y = X.copy()
        Y[:, i] = 1 - Y[:, i]
        np.testing.assert_allclose(D[:, i], reform.energy(Y) - E, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize("seed", range(5))
def test_flip_delta_and_energy_equal_exact_evaluator(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(6, 20))
    reform = reform_with_blocks(rng, n)
    ann = Annealer(reform)
    X = rng.integers(0, 2, (7, n)).astype(np.float64)
    check_energy_and_deltas(ann, reform, X)


@pytest.mark.parametrize("max_deg", [1, 17])
def test_linear_only_and_high_degree_layouts_are_exact(max_deg):
    """Linear terms live outside the zero counts; degree > 15 switches to one int32 count per monomial."""
    rng = np.random.default_rng(max_deg)
    n = 20
    reform = make_reform(random_pubo(rng, n, 60, max_deg), [random_block(rng, n, 2, "eq", 4)])
    ann = Annealer(reform)
    assert ann.zt.dtype == (np.int32 if max_deg > 15 else np.uint8)
    X = rng.integers(0, 2, (5, n)).astype(np.float64)
    check_energy_and_deltas(ann, reform, X)
    B, EB, _ = ann.anneal(X, np.full(5, 2.0), np.full(5, 0.01), 100, np.arange(5))
    np.testing.assert_allclose(EB, reform.energy(B.astype(np.float64)), rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("seed", range(3))
def test_tracked_best_energy_has_no_drift_and_is_a_local_minimum(seed):
    rng = np.random.default_rng(100 + seed)
    n = 300
    reform = make_reform(random_pubo(rng, n, 900, 4),
                         [random_block(rng, n, 10, "eq", 8), random_block(rng, n, 10, "le", 30)])
    ann = Annealer(reform)
    X = rng.integers(0, 2, (3, n))
    x = X.astype(np.int8)
    B = x.copy()
    Z, RES, EX = ann.zeros(3), np.empty((3, len(ann.arrays.rhs))), np.empty(3)
    init_batch(x, ann.arrays, Z, RES, EX)
    BE = EX.copy()
    states = np.arange(1, 4, dtype=np.uint64)
    ratio = np.full(3, 0.98)
    BE0 = BE.copy()
    for start in range(0, 200, 50):  # in chunks, as Annealer.anneal runs it
        anneal_batch(x, Z, RES, EX, B, BE, ann.arrays, np.full(3, 2.0), ratio, start, start + 50, states, ann.tol)
        np.testing.assert_allclose(BE, reform.energy(B.astype(np.float64)), rtol=1e-9, atol=1e-9)
        np.testing.assert_allclose(EX, reform.energy(x.astype(np.float64)), rtol=1e-9, atol=1e-9)
    assert (BE < BE0).all()
    B, E, done = ann.anneal(X, np.full(3, 2.0), np.full(3, 0.01), 200, np.arange(3))
    assert done == 200
    np.testing.assert_allclose(E, reform.energy(B.astype(np.float64)), rtol=1e-9, atol=1e-9)
    assert (ann.deltas(B) >= -ann.tol).all()
    D, ED = ann.descend(X)
    np.testing.assert_allclose(ED, reform.energy(D.astype(np.float64)), rtol=1e-9, atol=1e-9)
    assert (ann.deltas(D) >= -ann.tol).all()


def test_finds_brute_force_optimum_on_small_problems():
    rng = np.random.default_rng(7)
    hits, total = 0, 20
    for k in range(total):
        n = int(rng.integers(12, 17))
        reform = reform_with_blocks(rng, n) if k % 2 else make_reform(random_pubo(rng, n, 3 * n, 4))
        best = float(reform.energy(enumerate_points(n)).min())
        B, _, _ = Annealer(reform).anneal(rng.integers(0, 2, (2, n)), np.full(2, 2.0), np.full(2, 0.01), 300,
                                       rng.integers(0, 2**63, 2, dtype=np.uint64))
        hits += float(reform.energy(B.astype(np.float64)).min()) <= best + 1e-9
    assert hits >= 0.9 * total


def test_same_seed_same_result_different_seed_differs():
    rng = np.random.default_rng(3)
    n = 200
    reform = reform_with_blocks(rng, n)
    ann = Annealer(reform)
    X = rng.integers(0, 2, (4, n))
    a = ann.anneal(X, np.full(4, 3.0), np.full(4, 0.01), 20, np.arange(4))
    b = ann.anneal(X, np.full(4, 3.0), np.full(4, 0.01), 20, np.arange(4))
    c = ann.anneal(X, np.full(4, 3.0), np.full(4, 0.01), 20, np.arange(4) + 10)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_anneal_stops_at_the_deadline(monkeypatch):
    rng = np.random.default_rng(4)
    n = 3000
    ann = Annealer(make_reform(random_pubo(rng, n, 6000, 4)))

    def sweeps(args, call) -> float:  # anneal_batch(..., start, stop, states, tol)
        call()
        return args[-3] - args[-4]

    clock = SteadyMachine(monkeypatch, cost=1e-3)  # 300 sweeps fit in 0.3 s
    clock.charge(sa_kernel, "anneal_batch", sweeps)
    deadline = clock() + 0.3
    B, E, done = ann.anneal(rng.integers(0, 2, (2, n)), np.full(2, 1.0), np.full(2, 0.01), 10**6, np.arange(2),
                            deadline=deadline)
    assert clock.t <= deadline and 270 <= done <= 300
    assert (ann.deltas(B) >= -ann.tol).all()


def test_search_uses_sa_only_for_a_pure_pubo():
    rng = np.random.default_rng(9)
    n = 14
    plain = make_reform(random_pubo(rng, n, 40, 4), [])
    out, _ = run(plain, opts(epochs=30, seed=1))
    assert supported(plain) and out.stats["search"] == "sa" and out.stats["sa_sweeps"] > 0
    assert out.stats["ils_rounds"] == 0
    best = float(plain.energy(enumerate_points(n)).min())
    assert plain.energy(out.candidates[0])[0] == pytest.approx(best)
    rows = make_reform(random_pubo(rng, n, 40, 4), [random_block(rng, n, 2, "le", 5)])
    out, _ = run(rows, opts(epochs=30, seed=1))
    assert supported(rows) and out.stats["search"] == "constraint" and out.stats["cs_steps"] > 0
    nl, op = nonlinear_parts(n)
    mixed = make_reform(random_pubo(rng, n, 40, 4), [], nl, op)
    out, _ = run(mixed, opts(epochs=30, seed=1))
    assert not supported(mixed) and out.stats["search"] == "ils" and out.stats["ils_rounds"] > 0
    with pytest.raises(ValueError):
        Annealer(mixed)


def test_training_skipped_only_when_too_few_epochs_fit_a_cpu_time_limit():
    import torch

    from bipnn_backends.engine.search import _too_big_to_train

    reform = make_reform(random_pubo(np.random.default_rng(11), 50, 150, 4))
    cpu = torch.device("cpu")
    why = _too_big_to_train(reform, opts(epochs=None, time_limit=1.0), cpu, 1e-4)  # window 1e-5 s
    assert "training window" in why
    assert _too_big_to_train(reform, opts(epochs=None, time_limit=60.0), cpu, 60.0) == ""
    assert _too_big_to_train(reform, opts(epochs=5, time_limit=1.0), cpu, 1e-4) == ""  # epochs asked for
    assert _too_big_to_train(reform, opts(epochs=None, time_limit=1.0), cpu, None) == ""  # no deadline
    assert _too_big_to_train(reform, opts(epochs=None, time_limit=1.0, model="hgnn+"), cpu, 1e-4) == ""
    assert _too_big_to_train(reform, opts(epochs=None, time_limit=1.0), torch.device("cuda"), 1e-4) == ""


def test_found_keeps_known_energies_and_scores_only_the_rest():
    from bipnn_backends.engine.search import _Found

    rng = np.random.default_rng(12)
    reform = make_reform(random_pubo(rng, 12, 40, 3))
    X = rng.integers(0, 2, (6, 12)).astype(np.float64)
    E = reform.energy(X)
    found = _Found()
    found.append(X[:3], E[:3])
    found.append(X[3:])  # unscored
    found.append(X[:2], E[:2])  # duplicates
    scored = []
    C, EC = found.best(4, lambda R: scored.append(len(R)) or reform.energy(R))
    assert scored == [3]
    order = np.argsort(E, kind="stable")[:4]
    np.testing.assert_array_equal(C, X[order])
    np.testing.assert_allclose(EC, E[order])
