"""Errors raised by the CVXPY adapter, generated from the kit's one table.

Each is the matching core error (so ``except UndefinedFunctionError`` works) and a
``cvxpy.error.SolverError`` (so existing ``except SolverError`` clauses keep working).
A model error means nothing in the problem was changed.
"""

from __future__ import annotations

from cvxpy.error import SolverError

from ... import errors as core
from .._kit import host_errors

ERRORS = host_errors("Cvxpy", SolverError, __name__)

BipnnCvxpyError = ERRORS[core.BipnnError]
CvxpyModelError = ERRORS[core.ModelError]
CvxpyContinuousVariableError = ERRORS[core.ContinuousVariableError]
CvxpyUnboundedVariableError = ERRORS[core.UnboundedVariableError]
CvxpyNonFiniteCoefficientError = ERRORS[core.NonFiniteCoefficientError]
CvxpyUndefinedFunctionError = ERRORS[core.UndefinedFunctionError]
CvxpyExpansionLimitError = ERRORS[core.ExpansionLimitError]
CvxpyUnsupportedExpressionError = ERRORS[core.UnsupportedExpressionError]
CvxpyOptionError = ERRORS[core.OptionError]
