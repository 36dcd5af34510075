"""PuLP solvers: ``from bipnn_backends.pulp import BIPNN, BIPNN_CMD``."""

from __future__ import annotations

from .adapters.pulp.errors import (BipnnPulpError, PulpContinuousVariableError, PulpModelError,
                                   PulpNonFiniteCoefficientError, PulpOptionError, PulpUnboundedVariableError)
from .adapters.pulp.solvers import BIPNN, BIPNN_CMD

__all__ = ["BIPNN", "BIPNN_CMD", "BipnnPulpError", "PulpModelError", "PulpContinuousVariableError",
           "PulpUnboundedVariableError", "PulpNonFiniteCoefficientError", "PulpOptionError"]
