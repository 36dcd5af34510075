"""Torch evaluation of expression trees on relaxed values: the torch namespace of the one walk.

Used for nonlinear penalty blocks and opaque objective terms during training; the tree
walk itself is :func:`..core.expr_walk.walk`, shared with the numpy verifier.
Variables take their relaxed probabilities p = sigmoid(logit) in (0, 1);
products inside :class:`Poly` leaves are computed as exp(sum of log p) from the
logits, so they stay exact and differentiable even when p underflows.
"""

from __future__ import annotations

import numpy as np
import torch

from ..core.expr import Callable, Expr, Poly
from ..core.expr_walk import walk
from ..core.functions import REGISTRY
from ..errors import UnsupportedExpressionError

TORCH_FUNCTIONS = {name: getattr(torch, f.torch) for name, f in REGISTRY.items()}


class TorchExpr:
    """An expression compiled for a device: ``TorchExpr(e, device, dtype)(p, logp) -> (R,)``."""

    def __init__(self, expr: Expr, device: torch.device, dtype: torch.dtype) -> None:
        self.expr = expr
        self.device = device
        self.dtype = dtype
        self._poly: dict[int, tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]] = {}
        self._columns: dict[int, torch.Tensor] = {}
        self._compile(expr)

    def _compile(self, e: Expr) -> None:
        if isinstance(e, Poly) and id(e) not in self._poly:
            seg = np.repeat(np.arange(e.n_terms), e.degrees())
            self._poly[id(e)] = (
                torch.as_tensor(e.indices, device=self.device),
                torch.as_tensor(seg, device=self.device),
                torch.as_tensor(e.coefs, device=self.device, dtype=self.dtype),
                e.n_terms,
            )
        elif isinstance(e, Callable):
            self._columns[id(e)] = torch.as_tensor(np.array(e.variables, dtype=np.int64), device=self.device)
        for child in e.children():
            self._compile(child)

    def __call__(self, p: torch.Tensor, logp: torch.Tensor) -> torch.Tensor:
        """Value at every row of p (R, n); ``logp`` = log p computed stably (logsigmoid of the logits)."""
        return walk(self.expr, _TorchPoints(self, p, logp))


class _TorchPoints:
    """The torch :class:`~..core.expr_walk.ArrayNamespace` over relaxed points p (R, n)."""

    def __init__(self, compiled: TorchExpr, p: torch.Tensor, logp: torch.Tensor) -> None:
        self.compiled = compiled
        self.p = p
        self.logp = logp

    def constant(self, value: float) -> torch.Tensor:
        return torch.full((self.p.shape[0],), value, device=self.p.device, dtype=self.p.dtype)

    def column(self, index: int) -> torch.Tensor:
        return self.p[:, index]

    def poly(self, e: Poly) -> torch.Tensor:
        idx, seg, coefs, m = self.compiled._poly[id(e)]
        if m == 0:
            return self.constant(e.constant)
        p = self.p
        logm = torch.zeros(p.shape[0], m, device=p.device, dtype=p.dtype).index_add_(1, seg, self.logp[:, idx])
        return torch.exp(logm) @ coefs + e.constant

    def power(self, a: torch.Tensor, exponent: float) -> torch.Tensor:
        return torch.pow(a, exponent)

    def function(self, name: str, a: torch.Tensor) -> torch.Tensor:
        return TORCH_FUNCTIONS[name](a)

    def callable(self, e: Callable) -> torch.Tensor:
        p = self.p
        out = e.fn(p[:, self.compiled._columns[id(e)]])
        if not isinstance(out, torch.Tensor):
            raise UnsupportedExpressionError(
                f"callable {e.name!r} over {len(e.variables)} variables must accept and return torch "
                f"tensors during training (it returned {type(out).__name__})")
        out = out.reshape(-1)
        if out.shape[0] != p.shape[0]:
            raise UnsupportedExpressionError(
                f"callable {e.name!r} returned {out.shape[0]} values for {p.shape[0]} points")
        return out.to(p.dtype)
