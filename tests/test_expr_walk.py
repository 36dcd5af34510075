"""The one expression walk: the numpy verifier and the torch relaxation agree on every node kind."""

from __future__ import annotations

import numpy as np
import pytest

from bipnn_backends.core.evaluate import evaluate
from bipnn_backends.core.expr import Callable, Const, Div, Expr, Func, Poly, Power, Product, Sum, Var
from bipnn_backends.core.functions import REGISTRY

torch = pytest.importorskip("torch")
from bipnn_backends.engine.texpr import TorchExpr  # noqa: E402

N = 8
KINDS = ("const", "var", "poly", "sum", "product", "power", "div", "func", "callable")


def _user_fn(a):
    """Works on numpy arrays and torch tensors alike."""
    return a[:, 0] * a[:, 1] - 0.5 * a[:, -1] + 0.25


def random_expr(rng: np.random.Generator, depth: int, kind: str | None = None) -> Expr:
    """A random tree whose root is ``kind``; arguments of partial functions are kept in their domain."""
    kind = kind or (KINDS[rng.integers(0, 3)] if depth == 0 else KINDS[rng.integers(0, len(KINDS))])
    if kind == "const":
        return Const(float(rng.uniform(-2, 2)))
    if kind == "var":
        return Var(int(rng.integers(0, N)))
    if kind == "poly":
        terms = [(float(rng.uniform(-2, 2)), tuple(rng.choice(N, size=rng.integers(1, 4), replace=False)))
                 for _ in range(rng.integers(1, 5))]
        return Poly.from_terms(terms, float(rng.uniform(-1, 1)))
    if kind == "callable":
        return Callable(_user_fn, tuple(int(i) for i in rng.choice(N, size=3, replace=False)), "user_fn")

    def sub() -> Expr:
        return random_expr(rng, depth - 1)

    if kind == "sum":
        return Sum([sub() for _ in range(rng.integers(2, 4))])
    if kind == "product":
        return Product([sub() for _ in range(rng.integers(2, 4))])
    if kind == "power":
        return Power(Func("abs", sub()) + 1.0 if rng.random() < 0.5 else sub(), float(rng.choice([2, 3, 0.5])))
    if kind == "div":
        return Div(sub(), 1.5 + Func("tanh", sub()))
    name = str(rng.choice(sorted(REGISTRY)))
    arg = Func("tanh", sub())
    if REGISTRY[name].domain != "real":
        arg = arg + 1.5  # > 0
    return Func(name, arg)


def _points(rng: np.random.Generator, binary: bool) -> np.ndarray:
    if binary:
        return rng.integers(0, 2, (16, N)).astype(np.float64)
    return rng.uniform(0.02, 0.98, (16, N))


@pytest.mark.parametrize("binary", [True, False])
def test_numpy_and_torch_walks_agree_on_random_expressions(binary: bool) -> None:
    rng = np.random.default_rng(13 + binary)
    seen = set()
    for trial in range(120):
        root = KINDS[trial % len(KINDS)]
        e = random_expr(rng, 3, root)
        seen.add(type(e).__name__)
        X = _points(rng, binary)
        p = torch.as_tensor(X)
        with np.errstate(divide="ignore"):
            logp = torch.as_tensor(np.log(X))
        got = TorchExpr(e, torch.device("cpu"), torch.float64)(p, logp).numpy()
        want = evaluate(e, X)
        assert got.shape == want.shape == (16,)
        np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, equal_nan=True)
    assert seen == {"Const", "Var", "Poly", "Sum", "Product", "Power", "Div", "Func", "Callable"}


def test_every_registered_function_appears_and_agrees() -> None:
    X = np.array([[0.0, 1.0], [1.0, 0.0], [0.3, 0.6]])
    p = torch.as_tensor(X)
    for name, f in REGISTRY.items():
        arg = Var(0) + 0.5 * Var(1) + (0.25 if f.domain != "real" else -0.4)
        e = Func(name, arg)
        got = TorchExpr(e, torch.device("cpu"), torch.float64)(p, torch.log(p)).numpy()
        np.testing.assert_allclose(got, evaluate(e, X), rtol=1e-12, err_msg=name)


def test_evaluate_on_support_columns_matches_full_columns() -> None:
    rng = np.random.default_rng(5)
    X = rng.integers(0, 2, (10, N)).astype(np.float64)
    for _ in range(30):
        e = random_expr(rng, 3)
        support = e.support()
        np.testing.assert_allclose(evaluate(e, X[:, support], support), evaluate(e, X), equal_nan=True)
