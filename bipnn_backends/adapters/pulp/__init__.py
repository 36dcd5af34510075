"""PuLP adapter: ``BIPNN`` (in process) and ``BIPNN_CMD`` (the ``bipnn`` command line).

``register()`` (called by ``import bipnn_backends``) makes ``pulp.getSolver``,
``pulp.getSolverFromDict`` and ``pulp.listSolvers`` know both names; how that is
done on PuLP 3.x and 4.x lives in :mod:`.compat`.
"""

from __future__ import annotations


def register() -> None:
    """Register ``BIPNN`` and ``BIPNN_CMD`` with PuLP (idempotent; imports no torch)."""
    from . import compat, solvers
    compat.register_solvers(solvers.BIPNN, solvers.BIPNN_CMD)
