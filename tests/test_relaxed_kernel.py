"""The fused PUBO kernel (energy and dE/dp in one pass) and the autograd-free free-logits epoch,
against torch autograd of the plain formulas."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.core.pubo import LinearBlock, Pubo, Reformulation
from bipnn_backends.engine import logit_step, pubo_kernel
from bipnn_backends.engine.adam import Adam
from bipnn_backends.engine.anneal import Schedule
from bipnn_backends.engine.models import build_model
from bipnn_backends.engine.relaxed import RelaxedEnergy, Relaxation, _FusedPubo
from bipnn_backends.engine.search import autograd_step, train_step
from bipnn_backends.options import AnnealOptions

CPU = torch.device("cpu")


def random_pubo(rng: np.random.Generator, n: int, m: int, max_degree: int = 6) -> Pubo:
    """m distinct monomials of degree 1..max_degree (sorted, distinct variables), coefficients U(-2, 2)."""
    terms = {tuple(sorted(rng.choice(n, int(rng.integers(1, max_degree + 1)), replace=False).tolist()))
             for _ in range(m)}
    terms = sorted(terms, key=lambda t: (len(t), t))
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in terms])])
    indices = np.array([i for t in terms for i in t], dtype=np.int64)
    return Pubo(n, offsets, indices, rng.uniform(-2.0, 2.0, len(terms)), 0.75)


def random_rows(rng: np.random.Generator, n: int, rows: int, kind: str) -> LinearBlock:
    offsets, indices, coefs = [0], [], []
    for _ in range(rows):
        s = np.sort(rng.choice(n, 4, replace=False))
        indices += s.tolist()
        coefs += rng.integers(1, 4, 4).tolist()
        offsets.append(len(indices))
    return LinearBlock(kind, np.array(offsets), np.array(indices), np.array(coefs, dtype=float),
                       rng.integers(1, 5, rows).astype(float), np.full(rows, 1.5), [f"r{i}" for i in range(rows)])


def reference(pubo: Pubo, p: torch.Tensor) -> torch.Tensor:
    """sum_k c_k prod_{i in k} p[:, i] + constant per row of p (R, n): the plain formula."""
    total = torch.full((p.shape[0],), pubo.constant, dtype=p.dtype)
    for k in range(pubo.n_terms):
        total = total + float(pubo.coefs[k]) * p[:, pubo.indices[pubo.offsets[k]:pubo.offsets[k + 1]]].prod(-1)
    return total


def probabilities(rng: np.random.Generator, R: int, n: int) -> np.ndarray:
    """(R, n) in (0, 1) with about a third of the entries exactly 0 or 1."""
    P = rng.uniform(0.0, 1.0, (R, n))
    mask = rng.random((R, n))
    P[mask < 0.2] = 0.0
    P[mask > 0.85] = 1.0
    return P


@pytest.mark.parametrize("dtype,tol", [(torch.float64, 1e-12), (torch.float32, 2e-5)])
@pytest.mark.parametrize("seed", range(3))
def test_kernel_energy_and_gradient_equal_autograd_of_the_product(seed, dtype, tol):
    rng = np.random.default_rng(seed)
    n, R = 14, 7
    pubo = random_pubo(rng, n, 60)
    assert set(pubo.degrees().tolist()) == set(range(1, 7))
    P = torch.as_tensor(probabilities(rng, R, n), dtype=dtype)
    kernel = pubo_kernel.PuboKernel(pubo, P.numpy().dtype)
    G = np.zeros((n, R), P.numpy().dtype)
    E = kernel(np.ascontiguousarray(P.numpy().T), G)
    p = P.clone().requires_grad_(True)
    ref = reference(pubo, p) - pubo.constant
    (g_ref,) = torch.autograd.grad(ref.sum(), p)
    np.testing.assert_allclose(E, ref.detach().numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(G.T, g_ref.numpy(), rtol=tol, atol=tol)
    np.testing.assert_allclose(kernel(np.ascontiguousarray(P.numpy().T)), E, rtol=0, atol=0)


def test_gradient_is_exact_where_a_probability_is_zero():
    pubo = Pubo(3, np.array([0, 3]), np.array([0, 1, 2]), np.array([2.0]))
    P = np.array([[0.0], [0.5], [0.25]])
    G = np.zeros_like(P)
    E = pubo_kernel.PuboKernel(pubo, np.float64)(P, G)
    assert E[0] == 0.0
    np.testing.assert_array_equal(G[:, 0], [2.0 * 0.5 * 0.25, 0.0, 0.0])


def test_column_blocks_give_the_same_bits(monkeypatch):
    rng = np.random.default_rng(5)
    n, R = 40, 48
    kernel = pubo_kernel.PuboKernel(random_pubo(rng, n, 150), np.float32)
    P = np.ascontiguousarray(probabilities(rng, R, n).T, dtype=np.float32)
    G1 = np.zeros_like(P)
    E1 = kernel(P, G1)
    monkeypatch.setattr(pubo_kernel, "column_blocks", lambda R, work: 3)  # three threads' blocks of 16
    G3 = np.zeros_like(P)
    E3 = kernel(P, G3)
    np.testing.assert_array_equal(E1, E3)
    np.testing.assert_array_equal(G1, G3)
    np.testing.assert_array_equal(E3, kernel(P))


def test_autograd_function_passes_gradcheck():
    rng = np.random.default_rng(2)
    pubo = random_pubo(rng, 8, 25, 4)
    kernel = pubo_kernel.PuboKernel(pubo, np.float64)
    p = torch.as_tensor(rng.uniform(0.05, 0.95, (3, 8)), dtype=torch.float64).requires_grad_(True)
    assert torch.autograd.gradcheck(lambda q: _FusedPubo.apply(q, kernel), (p,))


@pytest.mark.parametrize("softmax", [False, True])
def test_relaxed_energy_gradient_equals_reference_through_the_relaxation(softmax):
    rng = np.random.default_rng(11)
    n = 12
    pubo = random_pubo(rng, n, 40, 5)
    onehot = LinearBlock("eq", np.array([0, 4, 7]), np.array([0, 1, 2, 3, 8, 9, 10]), np.ones(7),
                         np.ones(2), np.full(2, 3.0), ["g0", "g1"])
    reform = Reformulation(BinaryProblem(), 1.0, pubo, [onehot, random_rows(rng, n, 3, "le")])
    relax = Relaxation(reform, softmax, CPU)
    assert relax.n_groups == (2 if softmax else 0)
    z0 = torch.as_tensor(rng.normal(size=(5, n)) * 3)
    z0[0, :6] = 40.0  # saturated: p exactly 1 in float64 sums
    z_a, z_b = z0.clone().requires_grad_(True), z0.clone().requires_grad_(True)
    fast = RelaxedEnergy(reform, CPU, torch.float64, relax)(z_a)
    p = relax.probs(z_b)
    ref = reference(pubo, p) + sum(torch.as_tensor(0.0, dtype=torch.float64) + b_pen(b, p) for b in
                                   reform.linear_blocks)
    torch.testing.assert_close(fast, ref, rtol=1e-10, atol=1e-10)
    (g_a,) = torch.autograd.grad(fast.sum(), z_a)
    (g_b,) = torch.autograd.grad(ref.sum(), z_b)
    torch.testing.assert_close(g_a, g_b, rtol=1e-9, atol=1e-12)


def b_pen(block: LinearBlock, p: torch.Tensor) -> torch.Tensor:
    """A linear block's penalty at p (R, n), row by row."""
    total = torch.zeros(p.shape[0], dtype=p.dtype)
    for r in range(block.n_rows):
        sl = slice(block.offsets[r], block.offsets[r + 1])
        res = (p[:, block.indices[sl]] * torch.as_tensor(block.coefs[sl], dtype=p.dtype)).sum(-1) - block.rhs[r]
        if block.kind == "le":
            res = res.clamp(min=0.0)
        total = total + block.weights[r] * res * res
    return total


@pytest.mark.parametrize("alpha", [2.0, 1.5])
def test_compiled_logit_step_equals_the_autograd_step(alpha):
    rng = np.random.default_rng(3)
    n, R = 30, 6
    reform = Reformulation(BinaryProblem(), 1.0, random_pubo(rng, n, 90, 4),
                           [random_rows(rng, n, 4, "eq"), random_rows(rng, n, 4, "le")])
    sched = Schedule(AnnealOptions(alpha=alpha), 1.0)
    relax = Relaxation(reform, False, CPU)
    energy_fn = RelaxedEnergy(reform, CPU, relax=relax)
    runs = []
    for step in (logit_step.step, None):
        model = build_model(reform, "logits", R, 8, torch.Generator().manual_seed(0), CPU)
        optim = Adam(model.parameters(), lr=0.1)
        assert logit_step.supported(model, relax, energy_fn)
        energies = []
        for epoch in range(8):
            gamma = -1.0 + 0.25 * epoch
            if step is None:
                _, e = autograd_step(model, relax, energy_fn, sched, gamma, optim)
            else:
                _, e = step(model, energy_fn, sched, gamma, optim)
            energies.append(e.detach().clone())
        runs.append((model.z.detach().clone(), torch.stack(energies)))
    torch.testing.assert_close(runs[0][0], runs[1][0], rtol=1e-4, atol=1e-4)
    torch.testing.assert_close(runs[0][1], runs[1][1], rtol=1e-4, atol=1e-4)


def test_train_step_takes_autograd_for_networks_and_nonlinear_energies():
    dhg = pytest.importorskip("dhg")
    del dhg
    rng = np.random.default_rng(4)
    reform = Reformulation(BinaryProblem(), 1.0, random_pubo(rng, 10, 30, 4))
    relax = Relaxation(reform, False, CPU)
    energy_fn = RelaxedEnergy(reform, CPU, relax=relax)
    model = build_model(reform, "hgnn+", 3, 8, torch.Generator().manual_seed(0), CPU)
    assert not logit_step.supported(model, relax, energy_fn)
    z = model()
    (g_fast,) = torch.autograd.grad(energy_fn(z).sum(), model.emb)
    (g_ref,) = torch.autograd.grad(reference(reform.pubo, relax.probs(model())).sum(), model.emb)
    torch.testing.assert_close(g_fast, g_ref, rtol=1e-4, atol=1e-5)
    optim = Adam(model.parameters(), lr=0.01)
    first = train_step(model, relax, energy_fn, Schedule(AnnealOptions(), 1.0), 0.0, optim)[1]
    for _ in range(30):
        last = train_step(model, relax, energy_fn, Schedule(AnnealOptions(), 1.0), 0.0, optim)[1]
    assert float(last.mean()) < float(first.mean())


def test_parallel_logit_pass_equals_the_serial_one_and_skips_non_finite_gradients():
    rng = np.random.default_rng(9)
    n, R = 50, 8
    P = rng.uniform(0.0, 1.0, (n, R)).astype(np.float32)
    G = rng.normal(size=(n, R)).astype(np.float32)
    G[3, 2] = np.inf  # a non-finite gradient gets a zero gradient
    live = np.ones(R, bool)
    live[5] = False  # so does every variable of a restart at a non-finite energy
    start = [rng.normal(size=(n, R)).astype(np.float32) for _ in range(3)]
    start[2] = np.abs(start[2])
    b1, b2, size, c2, eps = 0.9, 0.999, 0.05, 0.01, 1e-8
    runs = []
    for chunks in (None, 3):
        Z, M, V = (a.copy() for a in start)
        args = (Z, M, V, P, G, live, 0.3, 2.0, b1, b2, size, c2, eps)
        if chunks is None:
            logit_step._rows(*args, 0, n)
        else:
            logit_step._chain_adam(*args, chunks)
        runs.append((Z, M, V))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)
    Z, M, V = runs[0]
    z0, m0, v0 = (a.astype(np.float64) for a in start)
    m1, v1 = b1 * m0, b2 * v0  # Adam with g = 0
    z1 = z0 - size * m1 / (np.sqrt(v1 / c2) + eps)
    for i, r in [(3, 2)] + [(i, 5) for i in range(n)]:
        assert M[i, r] == np.float32(m1[i, r]) and V[i, r] == np.float32(v1[i, r])
        assert Z[i, r] == pytest.approx(z1[i, r], rel=1e-6)
