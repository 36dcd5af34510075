"""Errors raised by the Pyomo adapter, generated from the kit's one table.

Each is the matching core error (so ``except UnsupportedExpressionError`` works) and
a ``PyomoException``; model errors are also Pyomo's ``IncompatibleModelError``.
A model error means nothing in the model was changed.
"""

from __future__ import annotations

from pyomo.common.errors import PyomoException
from pyomo.contrib.solver.common.util import IncompatibleModelError

from ... import errors as core
from .._kit import host_errors

ERRORS = host_errors("Pyomo", PyomoException, __name__, model_base=IncompatibleModelError)

BipnnPyomoError = ERRORS[core.BipnnError]
PyomoModelError = ERRORS[core.ModelError]
PyomoContinuousVariableError = ERRORS[core.ContinuousVariableError]
PyomoUnboundedVariableError = ERRORS[core.UnboundedVariableError]
PyomoNonFiniteCoefficientError = ERRORS[core.NonFiniteCoefficientError]
PyomoUndefinedFunctionError = ERRORS[core.UndefinedFunctionError]
PyomoExpansionLimitError = ERRORS[core.ExpansionLimitError]
PyomoUnsupportedExpressionError = ERRORS[core.UnsupportedExpressionError]
PyomoOptionError = ERRORS[core.OptionError]
