"""Engine: relaxed loss, incremental local search, the search loop, models, devices."""

from __future__ import annotations

import importlib
import logging
import time

import numpy as np
import pytest
import torch

from bipnn_backends.core.evaluate import enumerate_points, evaluate
from bipnn_backends.core.pubo import LinearBlock, Pubo, Reformulation
from bipnn_backends.engine import EngineOutput, constraint_search, search
from bipnn_backends.engine.constraint_kernel import F_WORK
from bipnn_backends.engine.anneal import Schedule, gradient_scale
from bipnn_backends.engine.device import resolve_device
from bipnn_backends.engine.local_search import LocalSearch, iterated_local_search
from bipnn_backends.engine.models import MAX_EDGE, hyperedges
from bipnn_backends.engine.relaxed import RelaxedEnergy
from bipnn_backends.engine.texpr import TorchExpr
from bipnn_backends.errors import OptionError
from bipnn_backends.options import AnnealOptions
from engine_run import SteadyMachine, opts, run
from models import make_reform, nonlinear_parts, random_block, random_pubo

CPU = torch.device("cpu")


def brute_min(reform: Reformulation) -> float:
    return float(reform.energy(enumerate_points(reform.n)).min())


def check_candidates(reform: Reformulation, out: EngineOutput) -> None:
    C = out.candidates
    assert C.ndim == 2 and C.shape[0] >= 1 and C.shape[1] == reform.n and C.dtype == np.float64
    assert np.isin(C, (0.0, 1.0)).all()
    assert len(np.unique(C, axis=0)) == len(C)
    E = reform.energy(C)
    assert np.all(np.diff(E) >= -1e-12)


# -- relaxed loss ---------------------------------------------------------------------
def naive_relaxed(reform: Reformulation, z: torch.Tensor) -> torch.Tensor:
    """Float64 reference: explicit product of sigmoids over each monomial, explicit row sums."""
    p = torch.sigmoid(z)
    pubo = reform.pubo
    total = torch.full((z.shape[0],), pubo.constant, dtype=torch.float64)
    for k in range(pubo.n_terms):
        idx = pubo.indices[pubo.offsets[k]:pubo.offsets[k + 1]]
        prod = torch.ones(z.shape[0], dtype=torch.float64)
        for i in idx:
            prod = prod * p[:, int(i)]
        total = total + pubo.coefs[k] * prod
    for b in reform.linear_blocks:
        for r in range(b.n_rows):
            sl = slice(b.offsets[r], b.offsets[r + 1])
            res = sum(float(a) * p[:, int(i)] for a, i in zip(b.coefs[sl], b.indices[sl])) - b.rhs[r]
            if b.kind == "le":
                res = torch.clamp(res, min=0.0)
            total = total + b.weights[r] * res * res
    return total


@pytest.mark.parametrize("seed", range(4))
def test_relaxed_energy_and_gradient_match_naive_reference(seed):
    rng = np.random.default_rng(seed)
    n = 12
    pubo = random_pubo(rng, n, 25, 8)
    assert pubo.degrees().max() >= 5
    reform = make_reform(pubo, [random_block(rng, n, 3, "eq", 4), random_block(rng, n, 3, "le", 5)])
    z0 = torch.as_tensor(rng.normal(size=(5, n)) * 3, dtype=torch.float64)
    z0[0] = 30.0
    z0[1] = -30.0
    z0[2, ::2] = -30.0
    z0[3, 1::2] = 30.0
    z_a = z0.clone().requires_grad_(True)
    z_b = z0.clone().requires_grad_(True)
    fast = RelaxedEnergy(reform, CPU, torch.float64)(z_a)
    ref = naive_relaxed(reform, z_b)
    torch.testing.assert_close(fast, ref, rtol=1e-10, atol=1e-10)
    (g_a,) = torch.autograd.grad(fast.sum(), z_a)
    (g_b,) = torch.autograd.grad(ref.sum(), z_b)
    assert torch.isfinite(g_a).all()
    torch.testing.assert_close(g_a, g_b, rtol=1e-8, atol=1e-12)


def test_relaxed_energy_equals_exact_energy_at_saturated_logits():
    rng = np.random.default_rng(7)
    n = 10
    nl, op = nonlinear_parts(n)
    reform = make_reform(random_pubo(rng, n, 30, 8), [random_block(rng, n, 2, "eq", 4)], nl, op)
    X = rng.integers(0, 2, (6, n)).astype(np.float64)
    z = torch.tensor(np.where(X > 0.5, 40.0, -40.0), dtype=torch.float64, requires_grad=True)
    val = RelaxedEnergy(reform, CPU, torch.float64)(z)
    np.testing.assert_allclose(val.detach().numpy(), reform.energy(X), rtol=1e-9, atol=1e-9)
    (g,) = torch.autograd.grad(val.sum(), z)
    assert torch.isfinite(g).all()


def test_torch_expression_evaluator_mirrors_numpy_on_relaxed_points():
    n = 10
    nl, op = nonlinear_parts(n)
    rng = np.random.default_rng(3)
    P = rng.uniform(0.05, 0.95, (7, n))
    p = torch.as_tensor(P)
    for e in [b.body for b in nl] + [t.expr for t in op]:
        got = TorchExpr(e, CPU, torch.float64)(p, torch.log(p)).numpy()
        np.testing.assert_allclose(got, evaluate(e, P), rtol=1e-12)


def test_gradient_scale_and_schedule():
    pubo = Pubo(3, np.array([0, 1, 3, 6]), np.array([0, 0, 1, 0, 1, 2]), np.array([2.0, -4.0, 8.0]))
    reform = make_reform(pubo)
    # var0: 2 + 4/2 + 8/4 = 6, var1: 2 + 2 = 4, var2: 2 -> mean 4
    assert gradient_scale(reform) == pytest.approx(4.0)
    row = LinearBlock("eq", np.array([0, 2]), np.array([0, 1]), np.array([1.0, 1.0]), np.array([1.0]),
                      np.array([3.0]), ["r"])
    # 3 (x0 + x1 - 1)^2 = 3 - 3 x0 - 3 x1 + 6 x0 x1 -> vars 0,1 get 3 + 6/2 each
    assert gradient_scale(make_reform(Pubo(3, np.array([0]), np.zeros(0, np.int64), np.zeros(0)), [row])) \
        == pytest.approx(4.0)
    le = LinearBlock("le", row.offsets, row.indices, np.array([4.0, 2.0]), np.array([1.0]), np.array([3.0]), ["r"])
    # 3 max(4 x0 + 2 x1 - 1, 0)^2 at p = 0.5: residual 2, gradient 2*3*2*a_i -> 48 and 24, mean over 3 vars 24
    assert gradient_scale(make_reform(Pubo(3, np.array([0]), np.zeros(0, np.int64), np.zeros(0)), [le])) \
        == pytest.approx(24.0)
    sched = Schedule(AnnealOptions(gamma_start=-1, gamma_end=1, alpha=2), 4.0)
    assert sched.gamma(0.0) == -4.0 and sched.gamma(0.5) == 0.0 and sched.gamma(3.0) == 4.0
    p = torch.tensor([[0.5, 0.0, 1.0, 0.25]])
    assert sched.term(p).item() == pytest.approx(1.0 + 0 + 0 + 0.75)


# -- local search ----------------------------------------------------------------------
def assert_gains_exact(reform: Reformulation, ls: LocalSearch, st) -> None:
    x = st.x.astype(np.float64)
    E = reform.energy(x)
    np.testing.assert_allclose(st.E, E, rtol=1e-9, atol=1e-9)
    for i in range(reform.n):
        y = x.copy()
        y[:, i] = 1 - y[:, i]
        np.testing.assert_allclose(st.G[:, i], reform.energy(y) - E, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("seed", range(6))
def test_incremental_gains_equal_energy_differences(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 16))
    blocks = [random_block(rng, n, 3, "eq", 4), random_block(rng, n, 3, "le", 6)]
    nl, op = nonlinear_parts(n) if seed % 2 else ([], [])
    reform = make_reform(random_pubo(rng, n, 40, 6), blocks, nl, op)
    ls = LocalSearch(reform)
    st = ls.state(rng.integers(0, 2, (5, n)))
    assert_gains_exact(reform, ls, st)
    for _ in range(25):
        bs = np.sort(rng.choice(5, int(rng.integers(1, 6)), replace=False))
        ls.flip(st, bs, rng.integers(0, n, len(bs)))
        assert_gains_exact(reform, ls, st)
    ls.descend(st)
    assert_gains_exact(reform, ls, st)
    assert (st.G >= -ls.tol).all()


def test_iterated_local_search_is_reproducible_and_never_worse():
    rng = np.random.default_rng(11)
    n = 60
    reform = make_reform(random_pubo(rng, n, 150, 4), [random_block(rng, n, 4, "eq", 6)])
    ls = LocalSearch(reform)
    results = []
    for _ in range(2):
        st = ls.state(np.random.default_rng(0).integers(0, 2, (4, n)))
        ls.descend(st)
        start_best = st.E.min()
        x, e, rounds = iterated_local_search(ls, st, np.random.default_rng(5), None, 40)
        assert rounds == 40 and e <= start_best + 1e-9
        assert e == pytest.approx(reform.energy(x.astype(float))[0])
        results.append(x)
    np.testing.assert_array_equal(results[0], results[1])


# -- the search ------------------------------------------------------------------------
def test_finds_brute_force_optimum_on_small_problems():
    rng = np.random.default_rng(2024)
    hits, total = 0, 0
    for k in range(16):
        n = int(rng.integers(10, 17))
        blocks = [random_block(rng, n, 1, "eq", 5, weight=5.0)] if k % 2 else []
        reform = make_reform(random_pubo(rng, n, 3 * n, 4), blocks)
        out, _ = run(reform, opts(epochs=50, seed=k))  # epochs, not a time limit: the same on a loaded machine
        check_candidates(reform, out)
        total += 1
        hits += reform.energy(out.candidates[0])[0] <= brute_min(reform) + 1e-9
    assert hits >= 0.9 * total


def test_nonlinear_blocks_and_opaque_terms_are_minimised():
    rng = np.random.default_rng(5)
    n = 12
    nl, op = nonlinear_parts(n)
    reform = make_reform(random_pubo(rng, n, 30, 3), [], nl, op)
    out, _ = run(reform, opts(epochs=100, seed=1))
    check_candidates(reform, out)
    assert reform.energy(out.candidates[0])[0] == pytest.approx(brute_min(reform))


def constraint_work(args, call) -> float:
    """Work of one ``constraint_kernel.run_batch(model, S, goal, ...)`` call: the most any chain did."""
    before = args[1].fl[:, F_WORK].copy()
    call()
    return float((args[1].fl[:, F_WORK] - before).max())


def test_deadline_is_honoured(monkeypatch):
    rng = np.random.default_rng(9)
    n = 2000
    reform = make_reform(random_pubo(rng, n, 4000, 4), [random_block(rng, n, 20, "le", 30)])
    limit = 1.0
    clock = SteadyMachine(monkeypatch, cost=1e-5)
    clock.charge(constraint_search, "run_batch", constraint_work)
    deadline = clock() + limit
    out = search(reform, opts(time_limit=limit, epochs=None), deadline)
    check_candidates(reform, out)
    assert clock.t <= deadline  # done by the deadline on the fake clock
    assert out.stats["time_search"] >= 0.9 * limit and out.stats["cs_calls"] >= 5  # and the time was used
    assert out.time_limit_reached
    assert out.stats["search"] == "constraint" and out.stats["history"]  # linear rows: no training, see _trains


def test_same_seed_same_answer():
    rng = np.random.default_rng(4)
    n = 40
    reform = make_reform(random_pubo(rng, n, 120, 4), [random_block(rng, n, 2, "eq", 6)])
    a, _ = run(reform, opts(epochs=60, seed=3))
    b, _ = run(reform, opts(epochs=60, seed=3))
    np.testing.assert_array_equal(a.candidates, b.candidates)
    assert a.stats["epochs"] == b.stats["epochs"] and a.stats["ils_rounds"] == b.stats["ils_rounds"]
    small = make_reform(random_pubo(rng, 14, 40, 4))
    c, _ = run(small, opts(time_limit=0.3, epochs=None, seed=3))
    d, _ = run(small, opts(time_limit=0.3, epochs=None, seed=3))
    np.testing.assert_array_equal(c.candidates[0], d.candidates[0])


def test_warm_start_and_no_polish():
    rng = np.random.default_rng(6)
    n = 14
    reform = make_reform(random_pubo(rng, n, 40, 4))
    P = enumerate_points(n)
    best = P[np.argmin(reform.energy(P))]
    out, _ = run(reform, opts(epochs=0, polish=False), start=best)
    check_candidates(reform, out)
    np.testing.assert_array_equal(out.candidates[0], best)
    assert out.stats["time_ils"] == 0.0


def test_training_stops_when_outputs_are_discrete_and_stable():
    rng = np.random.default_rng(8)
    reform = make_reform(random_pubo(rng, 12, 30, 3))
    out, _ = run(reform, opts(epochs=20000, anneal={"fraction": 0.001}))
    assert out.stats["converged"] and out.stats["epochs"] < 20000


def test_keyboard_interrupt_returns_best_so_far(monkeypatch):
    rng = np.random.default_rng(10)
    reform = make_reform(random_pubo(rng, 20, 60, 3))
    calls = {"n": 0}
    search_module = importlib.import_module("bipnn_backends.engine.search")
    original = search_module.train_step

    def interrupting(*args):
        calls["n"] += 1
        if calls["n"] > 25:
            raise KeyboardInterrupt
        return original(*args)

    monkeypatch.setattr(search_module, "train_step", interrupting)
    out, _ = run(reform, opts(epochs=1000))
    check_candidates(reform, out)
    assert out.stats["interrupted"] and out.stats["epochs"] == 25


def test_verbose_logs_and_silent_otherwise(caplog):
    rng = np.random.default_rng(12)
    reform = make_reform(random_pubo(rng, 15, 40, 3))
    with caplog.at_level(logging.INFO, logger="bipnn_backends"):
        run(reform, opts(epochs=30))
    assert not caplog.records
    with caplog.at_level(logging.INFO, logger="bipnn_backends"):
        run(reform, opts(epochs=30, verbose=True))
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert "15 variables" in text and "device cpu" in text and "done: best energy" in text


def test_empty_problem():
    reform = make_reform(Pubo(0, np.array([0]), np.zeros(0, np.int64), np.zeros(0), 1.5))
    out, _ = run(reform, opts(epochs=5))
    assert out.candidates.shape == (1, 0)


# -- models ----------------------------------------------------------------------------
def test_hyperedges_structure():
    rng = np.random.default_rng(13)
    n = 400
    pubo = Pubo(n, np.array([0, 1, 3, 5]), np.array([0, 1, 2, 1, 2]), np.array([1.0, 2.0, 3.0]))
    wide = LinearBlock("le", np.array([0, 3, n]), np.concatenate([[1, 2, 5], np.arange(n - 3)]),
                       np.ones(n), np.array([1.0, 1.0]), np.ones(2), ["a", "b"])
    edges = hyperedges(make_reform(pubo, [wide]))
    assert (1, 2) in edges and (1, 2, 5) in edges and len(edges) == len(set(edges))
    assert all(len(e) <= MAX_EDGE for e in edges)
    covered = {v for e in edges for v in e}
    assert covered == set(range(n))
    assert (0,) in edges and (7,) in edges  # isolated variables get self-loops
    bad = Pubo(3, np.array([0, 2]), np.array([0, 5]), np.array([1.0]))
    with pytest.raises(ValueError):
        hyperedges(make_reform(bad))
    del rng


@pytest.mark.parametrize("model", ["hgnn+", "hypergcn", "unigcn"])
def test_hypergraph_models_run_and_find_optimum(model):
    rng = np.random.default_rng(14)
    n = 14
    pubo = random_pubo(rng, n - 1, 40, 4)  # the last variable is isolated
    pubo = Pubo(n, pubo.offsets, pubo.indices, pubo.coefs, pubo.constant)
    # weights that make the penalty exact (as the reformulation's are): the constrained search
    # minimises subject to the rows, so the energy's minimiser must be feasible
    reform = make_reform(pubo, [random_block(rng, n, 2, "le", 4, weight=50.0)])
    out, _ = run(reform, opts(model=model, epochs=40, restarts=4, hidden=16, lr=0.01, seed=2))
    check_candidates(reform, out)
    assert out.stats["model"] == model and out.stats["epochs"] > 0
    assert reform.energy(out.candidates[0])[0] == pytest.approx(brute_min(reform))
    again, _ = run(reform, opts(model=model, epochs=40, restarts=4, hidden=16, lr=0.01, seed=2))
    np.testing.assert_array_equal(out.candidates, again.candidates)


def test_restarts_of_a_network_are_independent():
    from bipnn_backends.engine.models import build_model

    rng = np.random.default_rng(15)
    reform = make_reform(random_pubo(rng, 30, 80, 3))
    model = build_model(reform, "hgnn+", 4, 8, torch.Generator().manual_seed(0), CPU)
    z = model()
    assert z.shape == (4, 30)
    assert not torch.allclose(z[0], z[1])


# -- devices ---------------------------------------------------------------------------
def test_device_resolution():
    assert resolve_device("cpu") == CPU
    assert resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    if not torch.cuda.is_available():
        with pytest.raises(OptionError):
            resolve_device("cuda")
        with pytest.raises(OptionError):
            resolve_device("cuda:1")


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_cuda_device_runs():
    rng = np.random.default_rng(16)
    n = 16
    reform = make_reform(random_pubo(rng, n, 50, 4), [random_block(rng, n, 2, "eq", 5)])
    out, _ = run(reform, opts(device="cuda", epochs=100))
    check_candidates(reform, out)
    assert out.stats["device"].startswith("cuda")
    assert reform.energy(out.candidates[0])[0] == pytest.approx(brute_min(reform))
