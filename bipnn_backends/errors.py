"""Exceptions a user can act on.

Every model error names the offending variable, constraint or term, and every
option error the option and its value. Host adapters raise subclasses that
also inherit from the host's own solver error (``PulpSolverError``,
``cvxpy.error.SolverError``, Pyomo's ``PyomoException``), generated from one
table in :mod:`bipnn_backends.adapters._kit`, so existing ``except`` clauses of
both kinds keep working.
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
