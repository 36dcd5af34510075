"""One training epoch of the free-logits model without autograd (CPU, sigmoid relaxation).

The chain rule through p = sigmoid(z) is one multiply, dp/dz = p (1 - p), so an epoch is: p, the
relaxed energy and its gradient in p (:meth:`RelaxedEnergy.value_and_grad`: the fused PUBO kernel,
autograd only for linear penalty rows), then one compiled pass over the (n, R) logits that adds the
annealing term's gradient, applies the chain rule, zeroes non-finite gradients and every gradient
of a restart at a non-finite energy (as the autograd path does), and takes the Adam step. The same
update as the autograd path of ``search.train_step`` up to float rounding, in about 3 passes over
(n, R) memory instead of about 20 (measured in docs/parallel.md).
"""

from __future__ import annotations

import numba
import numpy as np
import torch
from numba import njit, prange

from .adam import Adam, adam_element
from .anneal import Schedule
from .models import FreeLogits
from .pubo_kernel import PARALLEL_WORK
from .relaxed import RelaxedEnergy, Relaxation


@njit(cache=True)
def _rows(Z, M, V, P, G, live, gamma, alpha, b1, b2, size, c2, eps, lo, hi) -> None:
    """Rows lo..hi-1 of :func:`_chain_adam`."""
    R = Z.shape[1]
    for i in range(lo, hi):
        for r in range(R):
            p = P[i, r]
            u = 2.0 * p - 1.0
            if alpha == 2.0:
                dterm = -4.0 * u
            elif u == 0.0:
                dterm = 0.0
            else:  # d/dp (1 - |2p - 1|^alpha), the annealing term of anneal.Schedule.term
                dterm = -2.0 * alpha * abs(u) ** (alpha - 1.0) * np.sign(u)
            g = (G[i, r] + gamma * dterm) * p * (1.0 - p)
            if not live[r] or not np.isfinite(g):
                g = 0.0
            Z[i, r], M[i, r], V[i, r] = adam_element(Z[i, r], M[i, r], V[i, r], g, b1, b2, size, c2, eps)


@njit(cache=True, parallel=True)
def _chain_adam(Z, M, V, P, G, live, gamma, alpha, b1, b2, size, c2, eps, chunks) -> None:
    """Adam step of the logits Z (n, R), moments M, V, from dE/dp G at p = P plus gamma times the
    annealing term's gradient, through p (1 - p); restarts with ``live[r]`` False get no step."""
    n = Z.shape[0]
    for c in prange(chunks):
        _rows(Z, M, V, P, G, live, gamma, alpha, b1, b2, size, c2, eps, c * n // chunks, (c + 1) * n // chunks)


def supported(model: torch.nn.Module, relax: Relaxation, energy_fn: RelaxedEnergy) -> bool:
    """True for free logits on the CPU with sigmoids only and an energy of PUBO and linear rows."""
    return isinstance(model, FreeLogits) and relax.n_groups == 0 and energy_fn.fusable


@torch.no_grad()
def step(model: FreeLogits, energy_fn: RelaxedEnergy, sched: Schedule, gamma: float,
         optim: Adam) -> tuple[torch.Tensor, torch.Tensor]:
    """One epoch (see the module docstring); returns the probabilities (R, n) and relaxed energies
    (R,) it stepped from."""
    Z = model.z.data
    P = torch.sigmoid(Z)
    energy, G = energy_fn.value_and_grad(P)
    live = torch.isfinite(energy).numpy()
    size, c2 = optim.advance()
    args = (Z.numpy(), optim.m[0].numpy(), optim.v[0].numpy(), P.numpy(), G.numpy(), live, float(gamma),
            float(sched.alpha), optim.b1, optim.b2, size, c2, optim.eps)
    if Z.numel() >= PARALLEL_WORK and numba.get_num_threads() > 1:
        _chain_adam(*args, numba.get_num_threads())
    else:  # no thread wake-ups for small tensors
        _rows(*args, 0, Z.shape[0])
    return P.t(), energy


def _warm_up() -> None:
    """Compile (or load from the on-disk cache) the kernel for float32, the engine's dtype."""
    Z = np.zeros((2, 2), np.float32)
    args = (Z, Z.copy(), Z.copy(), Z + 0.5, Z.copy(), np.ones(2, bool), 0.1, 2.0, 0.9, 0.999, 0.1, 0.001, 1e-8)
    _chain_adam(*args, 1)
    _rows(*args, 0, 2)


_warm_up()
