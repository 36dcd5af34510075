"""A minimal Adam (Kingma & Ba), the same update as torch.optim.Adam with default betas.

torch.optim's optimizers import torch._dynamo on construction (1-2 s on a
cold process), which would eat a short time limit; this one imports nothing.
:func:`adam_element` is the same update on one scalar, for compiled kernels that
fuse it with the gradient (``engine/logit_step.py``).
"""

from __future__ import annotations

import math

import torch
from numba import njit


class Adam:
    """Adam over a list of parameters: ``zero_grad()`` then ``step()`` after backward."""

    def __init__(self, params, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        self.params = [p for p in params if p.requires_grad]
        self.lr, self.b1, self.b2, self.eps = lr, betas[0], betas[1], eps
        self.m = [torch.zeros_like(p) for p in self.params]
        self.v = [torch.zeros_like(p) for p in self.params]
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    def advance(self) -> tuple[float, float]:
        """Count one step; returns its step size lr / (1 - b1^t) and second-moment correction 1 - b2^t."""
        self.t += 1
        return self.lr / (1.0 - self.b1 ** self.t), 1.0 - self.b2 ** self.t

    @torch.no_grad()
    def step(self) -> None:
        size, c2 = self.advance()
        for p, m, v in zip(self.params, self.m, self.v):
            if p.grad is None:
                continue
            g = p.grad
            m.mul_(self.b1).add_(g, alpha=1.0 - self.b1)
            v.mul_(self.b2).addcmul_(g, g, value=1.0 - self.b2)
            denom = (v / c2).sqrt_().add_(self.eps)
            p.addcdiv_(m, denom, value=-size)


@njit(cache=True, inline="always")
def adam_element(z, m, v, g, b1, b2, size, c2, eps):
    """(z, m, v) after one Adam step of one parameter z with gradient g (as :meth:`Adam.step`)."""
    m = b1 * m + (1.0 - b1) * g
    v = b2 * v + (1.0 - b2) * g * g
    return z - size * m / (math.sqrt(v / c2) + eps), m, v
