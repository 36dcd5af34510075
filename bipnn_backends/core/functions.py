"""The one registry of functions the IR knows: everything about a function in one place.

Each entry holds the numpy implementation (the verifier and the exact fitting),
the name of the torch implementation (the engine resolves it; the core imports no
torch), the domain, the rule that bounds it over an interval, and the spellings
of the hosts that map straight onto it. :data:`OPAQUE` lists functions outside
the IR that translators keep as opaque callables of their few binaries (fitted
exactly by the core).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import UndefinedFunctionError


@dataclass(frozen=True)
class Function:
    """One function of the IR.

    ``domain``: "real", "positive" (log, log10) or "nonnegative" (sqrt); tan's poles
    are handled by its interval rule. ``interval``: how :mod:`.bounds` bounds it,
    "increasing" (monotone: the image of the endpoints), "abs", "periodic" (sin, cos)
    or "tan".
    """

    name: str
    numpy: Callable[[np.ndarray], np.ndarray]
    torch: str
    domain: str
    interval: str
    pyomo: tuple[str, ...] = ()
    cvxpy: tuple[str, ...] = ()


def _sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


REGISTRY: dict[str, Function] = {f.name: f for f in (
    Function("sin", np.sin, "sin", "real", "periodic", ("sin",), ("sin",)),
    Function("cos", np.cos, "cos", "real", "periodic", ("cos",), ("cos",)),
    Function("tan", np.tan, "tan", "real", "tan", ("tan",), ("tan",)),
    Function("exp", np.exp, "exp", "real", "increasing", ("exp",), ("exp",)),
    Function("log", np.log, "log", "positive", "increasing", ("log",), ("log",)),
    Function("log10", np.log10, "log10", "positive", "increasing", ("log10",), ()),
    Function("sqrt", np.sqrt, "sqrt", "nonnegative", "increasing", ("sqrt",), ()),
    Function("abs", np.abs, "abs", "real", "abs", ("abs",), ("abs",)),
    Function("tanh", np.tanh, "tanh", "real", "increasing", ("tanh",), ("tanh",)),
    Function("sigmoid", _sigmoid, "sigmoid", "real", "increasing", (), ()),
)}

#: Functions outside the IR (host spelling -> numpy implementation), kept as opaque callables.
OPAQUE: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "asin": np.arcsin, "acos": np.arccos, "atan": np.arctan, "sinh": np.sinh, "cosh": np.cosh,
    "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh, "ceil": np.ceil, "floor": np.floor,
}


def scalar_function(name: str, value: float) -> float:
    """Apply a registered function to a constant, rejecting undefined results."""
    with np.errstate(all="ignore"):
        out = float(REGISTRY[name].numpy(np.float64(value)))
    if not np.isfinite(out):
        raise UndefinedFunctionError(f"{name}({value:g}) is undefined")
    return out


def by_host_spelling(host: str) -> dict[str, str]:
    """``{host spelling: IR name}`` for ``host`` ("pyomo" or "cvxpy")."""
    return {spelling: f.name for f in REGISTRY.values() for spelling in getattr(f, host)}
