"""Errors raised by the PuLP adapter.

Each is a ``PulpSolverError`` (so existing ``except PulpSolverError`` clauses keep
working) and the matching core error (so ``except ContinuousVariableError`` works).
A model error means nothing in the model was changed.
"""

from __future__ import annotations

from pulp import PulpSolverError

from ...errors import (to_host_error, BipnnError, ContinuousVariableError, ExpansionLimitError, ModelError,
                       NonFiniteCoefficientError, OptionError, UndefinedFunctionError,
                       UnboundedVariableError, UnsupportedExpressionError)


class BipnnPulpError(PulpSolverError, BipnnError):
    """Base class: the solve failed (for example the ``bipnn`` command crashed)."""


class PulpModelError(BipnnPulpError, ModelError):
    """The PuLP model cannot be solved by BIPNN."""


class PulpContinuousVariableError(PulpModelError, ContinuousVariableError):
    """A continuous variable that is not fixed by equal bounds."""


class PulpUnboundedVariableError(PulpModelError, UnboundedVariableError):
    """An integer variable without finite bounds."""


class PulpNonFiniteCoefficientError(PulpModelError, NonFiniteCoefficientError):
    """A NaN or infinite coefficient, constant or right-hand side."""


class PulpUndefinedFunctionError(PulpModelError, UndefinedFunctionError):
    """Raised by the core for a function undefined at some 0/1 point."""


class PulpExpansionLimitError(PulpModelError, ExpansionLimitError):
    """Raised by the core when an expansion exceeds the monomial cap."""


class PulpUnsupportedExpressionError(PulpModelError, UnsupportedExpressionError):
    """Raised by the core for an expression node it does not know."""


class PulpOptionError(BipnnPulpError, OptionError):
    """An unknown solver keyword or an invalid option value."""


_BY_CORE_CLASS: dict[type, type] = {
    ContinuousVariableError: PulpContinuousVariableError,
    UnboundedVariableError: PulpUnboundedVariableError,
    NonFiniteCoefficientError: PulpNonFiniteCoefficientError,
    UndefinedFunctionError: PulpUndefinedFunctionError,
    ExpansionLimitError: PulpExpansionLimitError,
    UnsupportedExpressionError: PulpUnsupportedExpressionError,
    ModelError: PulpModelError,
    OptionError: PulpOptionError,
}


def as_pulp_error(exc: BipnnError) -> BipnnPulpError:
    """The PuLP flavour of a core error (same message)."""
    return to_host_error(exc, _BY_CORE_CLASS, BipnnPulpError, BipnnPulpError)
