"""Torch evaluation of expression trees on relaxed values (mirrors core/evaluate.py).

Used for nonlinear penalty blocks and opaque objective terms during training.
Variables take their relaxed probabilities p = sigmoid(logit) in (0, 1);
products inside :class:`Poly` leaves are computed as exp(sum of log p) from the
logits, so they stay exact and differentiable even when p underflows.
"""

from __future__ import annotations

import numpy as np
import torch

from ..errors import UnsupportedExpressionError
from ..core.expr import Callable, Const, Div, Expr, Func, Poly, Power, Product, Sum, Var
from ..core.functions import REGISTRY

TORCH_FUNCTIONS = {name: getattr(torch, f.torch) for name, f in REGISTRY.items()}


class TorchExpr:
    """An expression compiled for a device: ``TorchExpr(e, device, dtype)(p, logp) -> (R,)``."""

    def __init__(self, expr: Expr, device: torch.device, dtype: torch.dtype) -> None:
        self.expr = expr
        self.device = device
        self.dtype = dtype
        self._poly: dict[int, tuple[torch.Tensor, torch.Tensor, torch.Tensor, int]] = {}
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
            self._poly[id(e)] = (torch.as_tensor(np.array(e.variables, dtype=np.int64), device=self.device),) * 3 + (0,)
        for child in e.children():
            self._compile(child)

    def __call__(self, p: torch.Tensor, logp: torch.Tensor) -> torch.Tensor:
        """Value at every row of p (R, n); ``logp`` = log p computed stably (logsigmoid of the logits)."""
        return self._eval(self.expr, p, logp)

    def _eval(self, e: Expr, p: torch.Tensor, logp: torch.Tensor) -> torch.Tensor:
        if isinstance(e, Const):
            return torch.full((p.shape[0],), e.value, device=p.device, dtype=p.dtype)
        if isinstance(e, Var):
            return p[:, e.index]
        if isinstance(e, Poly):
            idx, seg, coefs, m = self._poly[id(e)]
            if m == 0:
                return torch.full((p.shape[0],), e.constant, device=p.device, dtype=p.dtype)
            logm = torch.zeros(p.shape[0], m, device=p.device, dtype=p.dtype).index_add_(1, seg, logp[:, idx])
            return torch.exp(logm) @ coefs + e.constant
        if isinstance(e, Sum):
            out = self._eval(e.terms[0], p, logp)
            for t in e.terms[1:]:
                out = out + self._eval(t, p, logp)
            return out
        if isinstance(e, Product):
            out = self._eval(e.factors[0], p, logp)
            for f in e.factors[1:]:
                out = out * self._eval(f, p, logp)
            return out
        if isinstance(e, Power):
            return torch.pow(self._eval(e.base, p, logp), e.exponent)
        if isinstance(e, Div):
            return self._eval(e.numerator, p, logp) / self._eval(e.denominator, p, logp)
        if isinstance(e, Func):
            return TORCH_FUNCTIONS[e.name](self._eval(e.arg, p, logp))
        if isinstance(e, Callable):
            out = e.fn(p[:, self._poly[id(e)][0]])
            if not isinstance(out, torch.Tensor):
                raise UnsupportedExpressionError(
                    f"callable {e.name!r} over {len(e.variables)} variables must accept and return torch "
                    f"tensors during training (it returned {type(out).__name__})")
            out = out.reshape(-1)
            if out.shape[0] != p.shape[0]:
                raise UnsupportedExpressionError(
                    f"callable {e.name!r} returned {out.shape[0]} values for {p.shape[0]} points")
            return out.to(p.dtype)
        raise UnsupportedExpressionError(f"cannot evaluate node {type(e).__name__} in torch")
