"""What produces the logits (R, n) of R restarts: free logits or a hypergraph neural network.

- ``"logits"`` (default): one free logit per variable and restart, z ~ N(0, 1).
- ``"hgnn+"``, ``"unigcn"``, ``"hypergcn"``: a learned node embedding of width
  ``hidden`` followed by two convolutions (``hidden`` → ``hidden // 2`` → 1,
  ReLU between, dropout 0), the propagation taken from dhg's layers
  (HGNNPConv, UniGCNConv, HyperGCNConv). Every restart has its own embedding
  and weights: the per-restart linear maps are one batched einsum with weights
  (R, d_in, d_out), and the propagation runs once on the (n, R * d) matrix of
  all restarts side by side. The paper's setup is
  ``model="hgnn+", hidden=1024, lr=1e-4`` (widths 1024/512); memory grows as
  R * n * hidden, so use few restarts there.

The hypergraph (dhg, unit weights, imported lazily): one hyperedge per
monomial of degree >= 2, the support of every linear penalty row, nonlinear
block and opaque term with at most :data:`MAX_EDGE` variables (wider ones
carry no local structure for a mean aggregation and cost their width per
message; they still act through the loss), and a self-loop for every
variable left in no hyperedge. Duplicates are removed before dhg sees them.
HyperGCN turns each hyperedge into one edge between its two members farthest
apart along a random projection of the restart's initial embedding, weight
1/|e| (the "FastHyperGCN" variant: the graph is built once, not per epoch);
the R restarts' graphs form one block-diagonal dhg Graph on R * n vertices.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch
from torch import nn

from ..core.pubo import Reformulation

MAX_EDGE = 256


def hyperedges(reform: Reformulation, max_edge: int = MAX_EDGE) -> list[tuple[int, ...]]:
    """Distinct sorted hyperedges of the reformulation (see the module docstring), ids validated."""
    n = reform.n
    pubo = reform.pubo
    edges: set[tuple[int, ...]] = set()
    deg = pubo.degrees()
    for k in np.flatnonzero(deg >= 2):
        edges.add(tuple(int(i) for i in pubo.indices[pubo.offsets[k]:pubo.offsets[k + 1]]))
    supports = [b.indices[b.offsets[r]:b.offsets[r + 1]] for b in reform.linear_blocks for r in range(b.n_rows)]
    supports += [b.body.support() for b in reform.nonlinear_blocks]
    supports += [t.expr.support() for t in reform.opaque_terms]
    for s in supports:
        s = np.unique(s)
        if 2 <= len(s) <= max_edge:
            edges.add(tuple(int(i) for i in s))
    covered = np.zeros(n, dtype=bool)
    for e in edges:
        if min(e) < 0 or max(e) >= n:
            raise ValueError(f"hyperedge {e} has a vertex id outside [0, {n})")
        covered[list(e)] = True
    edges.update((int(i),) for i in np.flatnonzero(~covered))
    return sorted(edges, key=lambda e: (len(e), e))


class FreeLogits(nn.Module):
    """Free logits, z ~ N(0, 1); an optional start point sets restart 0 to ±3.

    Stored as (n, R) and returned as its transpose (R, n): a variable's restarts are adjacent in
    memory, the layout the fused PUBO kernel reads without a copy."""

    def __init__(self, n: int, R: int, generator: torch.Generator, start: np.ndarray | None) -> None:
        super().__init__()
        z = torch.randn(R, n, generator=generator)
        if start is not None:
            z[0] = torch.as_tensor(np.where(np.asarray(start) > 0.5, 3.0, -3.0), dtype=z.dtype)
        self.z = nn.Parameter(z.t().contiguous())

    def forward(self) -> torch.Tensor:
        return self.z.t()


def _uniform(shape: tuple[int, ...], bound: float, generator: torch.Generator) -> torch.Tensor:
    return (torch.rand(shape, generator=generator) * 2.0 - 1.0) * bound


class HyperGNN(nn.Module):
    """Two-layer hypergraph network with independent parameters per restart (see the module docstring)."""

    def __init__(self, kind: str, reform: Reformulation, R: int, hidden: int,
                 generator: torch.Generator, device: torch.device) -> None:
        super().__init__()
        import dhg  # lazily: it creates ~/.cache/dhg on import
        from dhg.nn import HGNNPConv, HyperGCNConv, UniGCNConv

        n = reform.n
        self.n, self.R, self.kind = n, R, kind
        widths = [hidden, max(1, hidden // 2), 1]
        self.emb = nn.Parameter(torch.randn(n, R, hidden, generator=generator))
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for d_in, d_out in zip(widths[:-1], widths[1:]):
            bound = 1.0 / math.sqrt(d_in)
            self.weights.append(nn.Parameter(_uniform((R, d_in, d_out), bound, generator)))
            self.biases.append(nn.Parameter(_uniform((R, d_out), bound, generator)))
        edges = hyperedges(reform)
        conv_cls = {"hgnn+": HGNNPConv, "unigcn": UniGCNConv, "hypergcn": HyperGCNConv}[kind]
        self.conv = conv_cls(1, 1, drop_rate=0.0, is_last=True)
        self.conv.theta = nn.Identity()  # the per-restart linear maps are applied batched, above
        with warnings.catch_warnings():  # torch's notes on dhg's sparse tensors (beta CSR, invariant checks)
            warnings.simplefilter("ignore", UserWarning)
            if kind == "hypergcn":
                self.structure = self._hypergcn_graph(dhg, edges, generator, device)
                self.structure.L_GCN  # build dhg's cached operator now, with its warnings silenced
            else:
                self.structure = dhg.Hypergraph(n, [list(e) for e in edges], device=device)
                self.structure.v2v(torch.zeros(n, 1, device=device), aggr="mean")
                if kind == "unigcn":
                    self.structure.D_v_neg_1_2

    def _hypergcn_graph(self, dhg, edges: list[tuple[int, ...]], generator: torch.Generator, device: torch.device):
        n, R = self.n, self.R
        wide = [e for e in edges if len(e) >= 2]
        if not wide:
            return dhg.Graph(n * R, [], device=device)
        flat = np.concatenate([np.asarray(e) for e in wide])
        lens = np.array([len(e) for e in wide])
        owner = np.repeat(np.arange(len(wide)), lens)
        first = np.concatenate([[0], np.cumsum(lens)[:-1]])
        last = first + lens - 1
        pairs, weights = [], []
        for r in range(R):
            rv = torch.rand(self.emb.shape[2], generator=generator)
            proj = (self.emb.detach()[:, r, :] @ rv).numpy()
            order = np.lexsort((proj[flat], owner))
            a, b = flat[order[first]] + r * n, flat[order[last]] + r * n
            pairs.append(np.stack([a, b], 1))
            weights.append(1.0 / lens)
        e = np.concatenate(pairs).tolist()
        return dhg.Graph(n * R, e, np.concatenate(weights).tolist(), merge_op="sum", device=device)

    def _propagate(self, X: torch.Tensor) -> torch.Tensor:
        n, R, d = X.shape
        if self.kind == "hypergcn":
            out = self.conv(X.transpose(0, 1).reshape(R * n, d), None, cached_g=self.structure)
            return out.reshape(R, n, d).transpose(0, 1)
        return self.conv(X.reshape(n, R * d), self.structure).reshape(n, R, d)

    def forward(self) -> torch.Tensor:
        X = self.emb
        for k, (W, b) in enumerate(zip(self.weights, self.biases)):
            X = self._propagate(torch.einsum("nri,rio->nro", X, W) + b)
            if k < len(self.weights) - 1:
                X = torch.relu(X)
        return X[:, :, 0].transpose(0, 1)


def build_model(reform: Reformulation, model: str, R: int, hidden: int, generator: torch.Generator,
                device: torch.device, start: np.ndarray | None = None) -> nn.Module:
    """The module for ``model``; its forward() returns logits (R, n) on ``device``.

    Parameters are drawn on the CPU from ``generator`` (same values on any device).
    ``start`` seeds restart 0 of the free logits; the networks ignore it (the
    search adds it to the polishing pool instead).
    """
    if model == "logits":
        return FreeLogits(reform.n, R, generator, start).to(device)
    if model in ("hgnn+", "unigcn", "hypergcn"):
        return HyperGNN(model, reform, R, hidden, generator, device).to(device)
    raise ValueError(f"unknown model {model!r}")
