"""Model errors raised by the Pyomo adapter.

Each is a subclass of the core error (so ``except UnsupportedExpressionError``
works) and of Pyomo's ``IncompatibleModelError`` (so ``except PyomoException``
keeps working in Pyomo code).
"""

from __future__ import annotations

from pyomo.contrib.solver.common.util import IncompatibleModelError

from ...errors import (to_host_error, ContinuousVariableError, ExpansionLimitError, ModelError, NonFiniteCoefficientError,
                       UndefinedFunctionError, UnboundedVariableError, UnsupportedExpressionError)


class PyomoModelError(ModelError, IncompatibleModelError):
    """The Pyomo model cannot be solved by BIPNN; the model was not changed."""


class PyomoContinuousVariableError(ContinuousVariableError, PyomoModelError):
    """A continuous Var that is not fixed."""


class PyomoUnboundedVariableError(UnboundedVariableError, PyomoModelError):
    """An integer Var without finite bounds."""


class PyomoUnsupportedExpressionError(UnsupportedExpressionError, PyomoModelError):
    """An expression node BIPNN cannot translate (external function, Expr_if, ...)."""


class PyomoUndefinedFunctionError(UndefinedFunctionError, PyomoModelError):
    """A function undefined at some 0/1 point (log(0), 1/0, sqrt(-1), ...)."""


class PyomoNonFiniteCoefficientError(NonFiniteCoefficientError, PyomoModelError):
    """A NaN or infinite coefficient, constant or bound."""


class PyomoExpansionLimitError(ExpansionLimitError, PyomoModelError):
    """Multilinear expansion exceeds the monomial cap."""


_BY_CORE_CLASS: dict[type, type] = {
    ContinuousVariableError: PyomoContinuousVariableError,
    UnboundedVariableError: PyomoUnboundedVariableError,
    UnsupportedExpressionError: PyomoUnsupportedExpressionError,
    UndefinedFunctionError: PyomoUndefinedFunctionError,
    NonFiniteCoefficientError: PyomoNonFiniteCoefficientError,
    ExpansionLimitError: PyomoExpansionLimitError,
}


def as_pyomo_error(exc: ModelError) -> PyomoModelError:
    """The Pyomo flavour of a core model error (same message)."""
    return to_host_error(exc, _BY_CORE_CLASS, PyomoModelError, PyomoModelError)
