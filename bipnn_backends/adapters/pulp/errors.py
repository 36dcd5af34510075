"""Errors raised by the PuLP adapter, generated from the kit's one table.

Each is the matching core error (so ``except ContinuousVariableError`` works) and a
``PulpSolverError`` (so existing ``except PulpSolverError`` clauses keep working).
A model error means nothing in the model was changed.
"""

from __future__ import annotations

from pulp import PulpSolverError

from ... import errors as core
from .._kit import host_errors

ERRORS = host_errors("Pulp", PulpSolverError, __name__)

BipnnPulpError = ERRORS[core.BipnnError]
PulpModelError = ERRORS[core.ModelError]
PulpContinuousVariableError = ERRORS[core.ContinuousVariableError]
PulpUnboundedVariableError = ERRORS[core.UnboundedVariableError]
PulpNonFiniteCoefficientError = ERRORS[core.NonFiniteCoefficientError]
PulpUndefinedFunctionError = ERRORS[core.UndefinedFunctionError]
PulpExpansionLimitError = ERRORS[core.ExpansionLimitError]
PulpUnsupportedExpressionError = ERRORS[core.UnsupportedExpressionError]
PulpOptionError = ERRORS[core.OptionError]
