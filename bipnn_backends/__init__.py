"""bipnn_backends: BIPNN (binary integer programming by hypergraph neural network) for PuLP, Pyomo and CVXPY.

``import bipnn_backends`` registers the solver with every installed host, in
any import order (PuLP: ``BIPNN``/``BIPNN_CMD``; Pyomo: ``SolverFactory("bipnn")``;
CVXPY: ``prob.solve(method="bipnn")``); :func:`register` does it explicitly.
It stays light: torch and dhg load on the first solve that needs the engine.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._version import __version__
from .adapters import register, register_all
from .core.expr import quicksum
from .core.problem import BinaryProblem
from .errors import (BipnnError, ContinuousVariableError, ExpansionLimitError, ModelError,
                     NonFiniteCoefficientError, OptionError, UndefinedFunctionError,
                     UnboundedVariableError, UnsupportedExpressionError)
from .options import Options
from .result import SolveResult
from .solve import solve

__all__ = [
    "BinaryProblem", "Options", "SolveResult", "solve", "quicksum", "register", "BIPNN", "BIPNN_CMD",
    "BipnnError", "ModelError", "ContinuousVariableError", "UnboundedVariableError",
    "NonFiniteCoefficientError", "UndefinedFunctionError", "ExpansionLimitError",
    "UnsupportedExpressionError", "OptionError", "__version__",
]

register_all()


def __getattr__(name: str) -> Any:
    if name in ("BIPNN", "BIPNN_CMD"):
        from .adapters.pulp import solvers
        return getattr(solvers, name)
    if name in ("pulp", "cvxpy"):
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'bipnn_backends' has no attribute {name!r}")
