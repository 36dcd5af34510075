"""The relaxed energy: the reformulation's energy at probabilities p of the logits.

p = sigmoid(logit) per variable, except in the one-hot groups of the
``"softmax"`` relaxation (disjoint one-hot rows, ``core.structure.disjoint_groups``):
there each group of each restart is one categorical, p = softmax of its logits,
so every group's probabilities sum to 1 and its row's penalty vanishes; rounding
(:meth:`Relaxation.round`) takes the argmax of each group, so rounded points
satisfy every such row. Cost is linear in the number of nonzeros; the incidence matrix is never built.
The PUBO part on the CPU is one compiled pass over the monomials computing the energy and its
gradient in p together (:mod:`.pubo_kernel`: prefix and suffix products, exact at p = 0);
on other devices monomials are grouped by degree: a degree-d group is an (m_d, d) index
matrix and its monomials are exp(sum of logsigmoid(logit))) — exact
gradients, no log(0), batched over restarts (rows of the logit tensor).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..core.pubo import LinearBlock, Reformulation
from ..core.structure import disjoint_groups
from .pubo_kernel import PuboKernel
from .texpr import TorchExpr


class _Linear:
    """One linear penalty block on the device: residuals A p - rhs by index_add_."""

    def __init__(self, block: LinearBlock, device: torch.device, dtype: torch.dtype) -> None:
        self.kind = block.kind
        self.n_rows = block.n_rows
        rows = np.repeat(np.arange(block.n_rows), np.diff(block.offsets))
        self.rows = torch.as_tensor(rows, device=device)
        self.idx = torch.as_tensor(np.asarray(block.indices, dtype=np.int64), device=device)
        self.coefs = torch.as_tensor(block.coefs, device=device, dtype=dtype)
        self.rhs = torch.as_tensor(block.rhs, device=device, dtype=dtype)
        self.weights = torch.as_tensor(block.weights, device=device, dtype=dtype)

    def penalty(self, p: torch.Tensor) -> torch.Tensor:
        res = torch.zeros(p.shape[0], self.n_rows, device=p.device, dtype=p.dtype)
        res = res.index_add_(1, self.rows, p[:, self.idx] * self.coefs) - self.rhs
        if self.kind == "le":
            res = torch.relu(res)
        return (res * res) @ self.weights


class Relaxation:
    """Logits (R, n) -> (log p, p): sigmoids, and with ``softmax`` one softmax per disjoint one-hot
    group and restart (see the module docstring); rounding and sampling that keep the groups one-hot."""

    def __init__(self, reform: Reformulation, softmax: bool, device: torch.device) -> None:
        off, mem = (disjoint_groups(reform.structure, reform.n)[:2] if softmax and reform.n
                    else (np.zeros(1, np.int64), np.zeros(0, np.int64)))
        self.g_off, self.g_mem = off, mem
        self.n_groups = len(off) - 1
        self.g_id = np.repeat(np.arange(self.n_groups), np.diff(off))
        self.mem = torch.as_tensor(mem, device=device)
        self.gid = torch.as_tensor(self.g_id, device=device)
        sizes = np.diff(off)
        self.size = int(sizes[0]) if self.n_groups and (sizes == sizes[0]).all() else 0  # equal sizes: dense path

    def __call__(self, logits: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(log p, p), each (R, n): logsigmoid / sigmoid, replaced by log_softmax / softmax over each
        group's logits."""
        logp, p = F.logsigmoid(logits), torch.sigmoid(logits)
        if self.n_groups == 0:
            return logp, p
        logp_g = self._group_logp(logits)
        return logp.index_copy(1, self.mem, logp_g), p.index_copy(1, self.mem, logp_g.exp())

    def probs(self, logits: torch.Tensor) -> torch.Tensor:
        """p alone (R, n), as in :meth:`__call__` (no logarithms: one elementwise pass less)."""
        p = torch.sigmoid(logits)
        if self.n_groups == 0:
            return p
        return p.index_copy(1, self.mem, self._group_logp(logits).exp())

    def _group_logp(self, logits: torch.Tensor) -> torch.Tensor:
        """log_softmax of every group's logits, (R, number of group members) in the order of ``mem``."""
        R = logits.shape[0]
        zg = logits[:, self.mem]
        if self.size:  # every group the same size (assignment rows): one log_softmax on (R, G, size)
            return F.log_softmax(zg.reshape(R, self.n_groups, self.size), dim=-1).reshape(R, -1)
        mx = torch.full((R, self.n_groups), -torch.inf, device=logits.device, dtype=logits.dtype)
        mx = mx.scatter_reduce(1, self.gid.expand(R, -1), zg.detach(), reduce="amax")  # a constant shift
        shifted = zg - mx[:, self.gid]
        total = torch.zeros_like(mx).index_add_(1, self.gid, shifted.exp())
        return shifted - total.log()[:, self.gid]

    def _one_hot(self, X: np.ndarray, score: np.ndarray) -> np.ndarray:
        """X with every group set to its first member of largest ``score``."""
        if self.n_groups == 0:
            return X
        S = score[:, self.g_mem]
        top = S == np.maximum.reduceat(S, self.g_off[:-1], axis=1)[:, self.g_id]
        seen = np.cumsum(top, axis=1)
        before = np.concatenate([np.zeros((len(X), 1), seen.dtype), seen], axis=1)[:, self.g_off[:-1]]
        X = X.copy()
        X[:, self.g_mem] = top & (seen - before[:, self.g_id] == 1)
        return X

    def round(self, p: np.ndarray) -> np.ndarray:
        """0/1 rows (bool, C order) from probabilities (R, n): p > 0.5, the argmax in each group."""
        p = np.ascontiguousarray(p)
        return self._one_hot(p > 0.5, p)

    def sample(self, p: torch.Tensor, generator: torch.Generator) -> np.ndarray:
        """One draw (bool) per row of p (CPU): independent Bernoulli bits, and one member per group
        (Gumbel-max on log p, the categorical of the group)."""
        p = p.contiguous()
        X = (torch.rand(p.shape, generator=generator, dtype=p.dtype) < p).numpy()
        if self.n_groups == 0:
            return X
        u = torch.rand(p.shape, generator=generator, dtype=p.dtype).clamp_(1e-300, 1.0)
        with np.errstate(divide="ignore"):
            return self._one_hot(X, np.log(p.numpy()) - np.log(-np.log(u.numpy())))


class RelaxedEnergy:
    """``RelaxedEnergy(reform, device, dtype, relax)(logits) -> (R,)``: energy at the probabilities of
    ``relax`` (default: sigmoids; a softmax :class:`Relaxation` for categorical one-hot groups).

    The PUBO part: on the CPU the fused compiled kernel (:mod:`.pubo_kernel`, energy and dE/dp in
    one pass over the monomials); on other devices torch gathers by degree (:class:`_Monomials`)."""

    def __init__(self, reform: Reformulation, device: torch.device, dtype: torch.dtype = torch.float32,
                 relax: Relaxation | None = None) -> None:
        self.relax = relax if relax is not None else Relaxation(reform, False, device)
        pubo = reform.pubo
        self.n = pubo.n
        self.constant = float(pubo.constant)
        self.dtype = dtype
        self.kernel: PuboKernel | None = None
        self.groups: list[tuple[torch.Tensor, torch.Tensor]] = []
        if device.type == "cpu":
            self.kernel = PuboKernel(pubo, torch.empty(0, dtype=dtype).numpy().dtype)
        else:
            deg = pubo.degrees()
            for d in np.unique(deg):
                ks = np.flatnonzero(deg == d)
                cols = pubo.offsets[ks][:, None] + np.arange(d)[None, :]
                idx = np.asarray(pubo.indices, dtype=np.int64)[cols]
                self.groups.append((torch.as_tensor(idx, device=device),
                                    torch.as_tensor(pubo.coefs[ks], device=device, dtype=dtype)))
        self.linear = [_Linear(b, device, dtype) for b in reform.linear_blocks if b.n_rows > 0]
        self.nonlinear = [(TorchExpr(b.body, device, dtype), b) for b in reform.nonlinear_blocks]
        self.opaque = [(TorchExpr(t.expr, device, dtype), t.coef) for t in reform.opaque_terms]
        self.needs_logp = self.kernel is None or bool(self.nonlinear or self.opaque)
        self.fusable = not self.needs_logp  # value_and_grad applies

    def value_and_grad(self, P: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Energies (R,) and their gradient dE/dp (n, R) at probabilities P (n, R) (C order, this
        energy's dtype) without autograd for the PUBO (the fused kernel); linear penalty rows by
        autograd on p. Only when ``fusable`` (CPU, no nonlinear blocks or opaque terms)."""
        G = torch.zeros_like(P)
        E = torch.from_numpy(self.kernel(P.numpy(), G.numpy())).to(P.dtype) + self.constant
        if self.linear:
            with torch.enable_grad():
                p = P.t().detach().requires_grad_(True)
                pen = sum(lin.penalty(p) for lin in self.linear)
                (gp,) = torch.autograd.grad(pen.sum(), p)
            G += gp.t()
            E = E + pen.detach()
        return E, G

    def __call__(self, logits: torch.Tensor) -> torch.Tensor:
        if self.needs_logp:
            logp, p = self.relax(logits)
        else:
            logp, p = None, self.relax.probs(logits)
        total = self.pubo_terms(logp, p) + self.constant
        for lin in self.linear:
            total = total + lin.penalty(p)
        for ex, block in self.nonlinear:
            g = ex(p, logp) - block.rhs
            if block.kind == "le":
                g = torch.relu(g)
            total = total + block.weight * g * g
        for ex, coef in self.opaque:
            total = total + coef * ex(p, logp)
        return total

    def pubo_terms(self, logp: torch.Tensor | None, p: torch.Tensor) -> torch.Tensor:
        """Sum over monomials of coef * prod p (without the constant), per row (``logp`` is read
        off the CPU only)."""
        if self.kernel is not None:
            return _FusedPubo.apply(p.to(self.dtype), self.kernel).to(p.dtype)
        total = torch.zeros(p.shape[0], device=p.device, dtype=p.dtype)
        logp_t = logp.t().contiguous()  # (n, R): a variable's restarts are adjacent, gathers move rows
        for idx, coefs in self.groups:
            total = total + _Monomials.apply(logp_t, idx, coefs)
        return total


class _FusedPubo(torch.autograd.Function):
    """PUBO energy per restart at p (R, n) by the fused kernel (CPU). When p needs a gradient the
    forward pass computes dE/dp too and keeps it for backward: one (n, R) tensor, where gathers
    would keep the (m, R) monomial values. p laid out as (n, R) in memory (the transpose of an
    (n, R) tensor, as both models produce) is read without a copy, and the gradient comes back in
    that layout."""

    @staticmethod
    def forward(ctx, p: torch.Tensor, kernel: PuboKernel) -> torch.Tensor:
        P = p.detach().t().contiguous()
        ctx.grad_p = None
        if ctx.needs_input_grad[0]:
            ctx.grad_p = torch.zeros_like(P)
            E = kernel(P.numpy(), ctx.grad_p.numpy())
        else:
            E = kernel(P.numpy())
        return torch.from_numpy(E).to(p.dtype)

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor) -> tuple[torch.Tensor, None]:
        G = ctx.grad_p
        if not bool((grad_out == 1).all()):
            G = G * grad_out.to(G.dtype)
        return G.t(), None


class _Monomials(torch.autograd.Function):
    """sum_k coefs[k] * exp(sum_j logp_t[idx[k, j]]) per restart, for logp_t of shape (n, R).

    Gathers and scatters whole rows (index_select / index_add_, no sort), and keeps only the
    (m, R) monomial values for the backward pass (d/dlogp_i of a monomial is the monomial):
    measured at 1M variables, 3M monomials, 32 restarts: 13.2 s per epoch with
    ``exp(logp[:, idx].sum(-1))``, see docs/parallel.md for after."""

    @staticmethod
    def forward(ctx, logp_t: torch.Tensor, idx: torch.Tensor, coefs: torch.Tensor) -> torch.Tensor:
        g = logp_t.index_select(0, idx[:, 0])
        for j in range(1, idx.shape[1]):
            g += logp_t.index_select(0, idx[:, j])
        mono = g.exp_()
        ctx.save_for_backward(idx, coefs, mono)
        ctx.n = logp_t.shape[0]
        return coefs @ mono

    @staticmethod
    def backward(ctx, grad_out: torch.Tensor) -> tuple[torch.Tensor, None, None]:
        idx, coefs, mono = ctx.saved_tensors
        w = torch.outer(coefs, grad_out).mul_(mono)
        grad = torch.zeros(ctx.n, w.shape[1], device=w.device, dtype=w.dtype)
        for j in range(idx.shape[1]):
            grad.index_add_(0, idx[:, j], w)
        return grad, None, None
