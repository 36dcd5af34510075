"""What ``solve`` returns: an honest status, the solution, and statistics."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

OPTIMAL = "optimal"                      # optimality proven (e.g. exhaustive search)
FEASIBLE = "feasible"                    # a verified feasible point, optimality not proven
INFEASIBLE = "infeasible"                # infeasibility proven
NO_SOLUTION_FOUND = "no_solution_found"  # nothing feasible found; not proven infeasible
ERROR = "error"

STATUSES = (OPTIMAL, FEASIBLE, INFEASIBLE, NO_SOLUTION_FOUND, ERROR)


@dataclass
class SolveResult:
    """The outcome of :func:`bipnn_backends.solve`.

    ``x``/``values`` hold the best verified feasible point for ``optimal`` and
    ``feasible``; for ``no_solution_found`` they hold the least-violating point
    found, which is NOT feasible (``max_violation`` says by how much). The
    objective is in the user's sense (a maximisation reports the maximum).
    ``stats`` has: epochs, restarts, device, time per phase (seconds), final
    gamma, sizes, and ``history``: (seconds, best penalised energy so far in the
    objective's sense, which is the objective itself once the point is feasible) and
    ``phases``: (name, start, end) seconds of training, descent and the search rounds.
    ``pool``: the best distinct verified solutions (options ``pool_size``, ``pool_distance``).
    ``stop_reason`` says why the search ended: "proven" (exhaustive search or
    proven infeasibility), "time_limit", "epochs", "converged" (training
    converged and no time limit was running) or "interrupted" (Ctrl-C, or a callback's stop()).
    """

    status: str
    x: np.ndarray | None = None
    values: dict[str, float] | None = None
    objective: float | None = None
    max_violation: float | None = None
    time_limit_reached: bool = False
    message: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    stop_reason: str = ""  # "proven", "time_limit", "epochs", "converged" or "interrupted"
    pool: list = field(default_factory=list)  # PoolSolution entries, best first (options pool_size/pool_distance)

    @property
    def has_solution(self) -> bool:
        """True when ``values`` is a verified feasible point."""
        return self.status in (OPTIMAL, FEASIBLE)

    def plot(self, path: str | None = None, ax: Any = None, title: str | None = None) -> Any:
        """Best objective vs time with the phases marked (needs ``bipnn_backends[plot]``); see plot.py."""
        from .plot import plot_result
        return plot_result(self, path, ax, title)
