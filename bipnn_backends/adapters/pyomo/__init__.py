"""Pyomo adapter: ``SolverFactory("bipnn")`` in both Pyomo solver interfaces.

``register()`` (called by ``import bipnn_backends``) registers one
``SolverBase`` implementation with ``pyomo.contrib.solver``'s factory, which
also registers its ``LegacySolverWrapper`` subclass with the legacy
``pyomo.environ.SolverFactory``. Neither torch nor the engine is imported.
"""

from __future__ import annotations

NAME = "bipnn"


def register() -> None:
    """Register ``bipnn`` with Pyomo's new and legacy solver factories (idempotent)."""
    from pyomo.contrib.solver.common.factory import SolverFactory

    from .solver import Bipnn, LegacyBipnn

    SolverFactory.register(
        NAME, legacy_name=NAME,
        doc="BIPNN: binary and bounded-integer programs, linear or nonlinear, by hypergraph neural network",
    )(Bipnn, LegacyBipnn)
