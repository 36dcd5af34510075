"""PuLP solvers: ``from bipnn_backends.pulp import BIPNN, BIPNN_CMD``, and their error classes."""

from __future__ import annotations

from .adapters.pulp.errors import (BipnnPulpError, PulpContinuousVariableError, PulpExpansionLimitError,
                                   PulpModelError, PulpNonFiniteCoefficientError, PulpOptionError,
                                   PulpUnboundedVariableError, PulpUndefinedFunctionError,
                                   PulpUnsupportedExpressionError)
from .adapters.pulp.solvers import BIPNN, BIPNN_CMD

__all__ = ["BIPNN", "BIPNN_CMD", "BipnnPulpError", "PulpModelError", "PulpContinuousVariableError",
           "PulpUnboundedVariableError", "PulpNonFiniteCoefficientError", "PulpUndefinedFunctionError",
           "PulpExpansionLimitError", "PulpUnsupportedExpressionError", "PulpOptionError"]
