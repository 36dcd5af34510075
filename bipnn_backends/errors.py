"""Exceptions a user can act on.

Every model error names the offending variable, constraint or term. Host
adapters raise subclasses that also inherit from the host's own solver error
(``PulpSolverError``, ``cvxpy.error.SolverError``, ...), so existing ``except``
clauses keep working.
"""

from __future__ import annotations


class BipnnError(Exception):
    """Base class of every error raised by bipnn_backends."""


class ModelError(BipnnError, ValueError):
    """The model cannot be turned into a binary program; nothing was changed."""


class ContinuousVariableError(ModelError):
    """A continuous variable that is not fixed by equal bounds."""


class UnboundedVariableError(ModelError):
    """An integer variable without finite lower and upper bounds."""


class NonFiniteCoefficientError(ModelError):
    """A NaN or infinite coefficient, constant or right-hand side."""


class UndefinedFunctionError(ModelError):
    """A function undefined (or non-finite) at some 0/1 point of its support."""


class ExpansionLimitError(ModelError):
    """Multilinear expansion of an expression exceeds the monomial cap."""


class UnsupportedExpressionError(ModelError):
    """An expression node the translator does not know."""


class OptionError(BipnnError, ValueError):
    """An unknown option name or an invalid option value."""


def to_host_error(exc: BipnnError, classes: dict[type, type], default: type | None,
                  host_base: type) -> Exception:
    """The host's flavour of a core error, with the same message.

    ``classes`` maps core error classes to host subclasses, most specific
    first; an exception already deriving from ``host_base`` is returned as is,
    one matching no class becomes ``default`` (or stays as is when None).
    """
    if isinstance(exc, host_base):
        return exc
    for core, host in classes.items():
        if isinstance(exc, core):
            return host(str(exc))
    return exc if default is None else default(str(exc))
