"""The user's names for binary variables, for messages.

Errors raised while a problem is reformulated describe expressions and 0/1
points with the names the user gave (``y[3]``), not internal indices
(``x3``). An integer variable's binaries are named after it (``k.bit1``), and a
linear form that is exactly the integer's encoding is shown as the integer
itself (``2*k``), a point that sets all its bits as its value (``k=3``).
:func:`naming` makes a problem's names current for :func:`~.expr.describe`
while a block runs (per thread and task: a context variable).
"""

from __future__ import annotations

import contextlib
import contextvars
from typing import Iterator

import numpy as np

_current: contextvars.ContextVar["Names | None"] = contextvars.ContextVar("bipnn_names", default=None)


class Names:
    """Display names of one problem's binaries (duck-typed on ``binary_names``/``variables``)."""

    def __init__(self, problem: object) -> None:
        self.labels = list(problem.binary_names)
        self.integers: dict[int, object] = {}  # first binary index -> integer Variable
        for v in problem.variables:
            if v.kind == "binary":
                self.labels[v.first] = v.name
            elif v.kind == "integer":
                self.integers[v.first] = v
                for k in range(len(v.weights)):
                    self.labels[v.first + k] = f"{v.name}.bit{k}"

    def label(self, i: int) -> str:
        return self.labels[i] if 0 <= i < len(self.labels) else f"x{i}"

    def linear(self, idx: np.ndarray, coefs: np.ndarray, constant: float) -> tuple[list[tuple[float, str]], float]:
        """(coefficient, label) terms of ``sum coefs*x[idx] + constant``, with every integer whose
        bits all appear with coefficients proportional to its weights shown as the integer
        (where the first of its bits appears in the terms)."""
        pos = {int(i): k for k, i in enumerate(idx)}
        owner: dict[int, tuple[object, float]] = {}  # bit index -> (integer, its coefficient)
        for first, v in self.integers.items():
            bits = [first + j for j in range(len(v.weights))]
            if all(b in pos for b in bits):
                c = np.array([coefs[pos[b]] for b in bits]) / v.weights
                if np.allclose(c, c[0], rtol=1e-12, atol=0):
                    owner.update((b, (v, float(c[0]))) for b in bits)
        terms: list[tuple[float, str]] = []
        shown: set[int] = set()
        for k, i in enumerate(idx):
            i = int(i)
            if i not in owner:
                terms.append((float(coefs[k]), self.label(i)))
                continue
            v, c = owner[i]
            if id(v) not in shown:
                shown.add(id(v))
                terms.append((c, v.name))
                constant -= c * v.lb  # the integer is lb + sum(weights * bits)
        return terms, constant

    def point(self, support: np.ndarray, bits: np.ndarray) -> str:
        """``name=value`` for a 0/1 point over ``support``; integers decoded when all bits are set."""
        value = {int(i): int(b) for i, b in zip(support, bits)}
        out, done = [], set()
        for i in value:
            if i in done:
                continue
            v = self.integers.get(i)
            if v is not None and all(i + j in value for j in range(len(v.weights))):
                val = v.lb + sum(w * value[i + j] for j, w in enumerate(v.weights))
                out.append(f"{v.name}={val:g}")
                done.update(i + j for j in range(len(v.weights)))
                continue
            out.append(f"{self.label(i)}={value[i]}")
            done.add(i)
        return ", ".join(out)


def current() -> Names | None:
    """The names in effect (None: internal names ``x<i>``)."""
    return _current.get()


@contextlib.contextmanager
def naming(problem: object) -> Iterator[Names]:
    """Describe expressions with ``problem``'s variable names inside the block."""
    names = Names(problem)
    token = _current.set(names)
    try:
        yield names
    finally:
        _current.reset(token)
