"""What ``solve`` returns: why the search ended, what was found, and statistics.

Two status fields, as ``pyomo.contrib.solver.common.results`` has them:
``termination`` says why the search ended and ``solution_status`` what it
holds. optimal, infeasible and unbounded come with termination proven, and
only they; feasible and none with any other termination. Hosts map these
eleven pairs with plain tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, Hashable

import numpy as np

# termination: why the search ended
PROVEN = "proven"            # exhaustive search, or a proof of infeasibility
TIME_LIMIT = "time_limit"    # the time limit ran out
EPOCHS = "epochs"            # the epoch budget ran out
CONVERGED = "converged"      # training converged and no time limit was running
INTERRUPTED = "interrupted"  # Ctrl-C (SIGINT) or a callback's stop(): the best point so far is kept

TERMINATIONS = (PROVEN, TIME_LIMIT, EPOCHS, CONVERGED, INTERRUPTED)

# solution_status: what the result holds
OPTIMAL = "optimal"        # optimality proven (with termination "proven")
FEASIBLE = "feasible"      # a verified feasible point, optimality not proven
INFEASIBLE = "infeasible"  # infeasibility proven (with termination "proven"); no point
NONE = "none"              # nothing feasible found, infeasibility not proven
UNBOUNDED = "unbounded"    # unboundedness proven by the LP (continuous variables; termination "proven")

SOLUTION_STATUSES = (OPTIMAL, FEASIBLE, INFEASIBLE, NONE, UNBOUNDED)
PROVEN_STATUSES = (OPTIMAL, INFEASIBLE, UNBOUNDED)


@dataclass
class SolveResult:
    """The outcome of :func:`bipnn_backends.solve`.

    ``x``/``values`` hold the best verified feasible point when ``has_solution``;
    with ``solution_status`` "none" they hold the least-violating point found,
    which is NOT feasible (``max_violation`` says by how much). ``values`` is
    keyed like the problem's variables (their ``key``, by default the name).
    The objective is in the user's sense (a maximisation reports the maximum).
    ``stats`` has: epochs, restarts, device, time per phase (seconds), final
    gamma, sizes, and ``history``: (seconds, best penalised energy so far in the
    objective's sense, which is the objective itself once the point is feasible) and
    ``phases``: (name, start, end) seconds of training, descent and the search rounds.
    ``pool``: the best distinct verified solutions (options ``pool_size``, ``pool_distance``).
    """

    solution_status: str
    termination: str
    x: np.ndarray | None = None
    values: dict[Hashable, float] | None = None
    objective: float | None = None
    max_violation: float | None = None
    message: str = ""
    stats: dict[str, Any] = field(default_factory=dict)
    pool: list = field(default_factory=list)  # PoolSolution entries, best first (options pool_size/pool_distance)

    def __post_init__(self) -> None:
        if self.solution_status not in SOLUTION_STATUSES:
            raise ValueError(f"solution_status must be one of {SOLUTION_STATUSES}, got {self.solution_status!r}")
        if self.termination not in TERMINATIONS:
            raise ValueError(f"termination must be one of {TERMINATIONS}, got {self.termination!r}")
        if (self.solution_status in PROVEN_STATUSES) != (self.termination == PROVEN):
            raise ValueError(f"{self.solution_status!r} goes with termination 'proven' and only it "
                             f"(got {self.termination!r}): a proof ends the search, a heuristic stop proves nothing")

    @property
    def has_solution(self) -> bool:
        """True when ``values`` is a verified feasible point."""
        return self.solution_status in (OPTIMAL, FEASIBLE)

    def __getitem__(self, name: str) -> Any:
        """A field by name: CVXPY hands this object out as ``prob.solver_stats.extra_stats``, which
        users of other solvers read as a dict (``extra_stats["pool"]``)."""
        if name not in {f.name for f in fields(self)} | {"has_solution", "time_limit_reached"}:
            raise KeyError(name)
        return getattr(self, name)

    @property
    def time_limit_reached(self) -> bool:
        """True when the search stopped on the time limit."""
        return self.termination == TIME_LIMIT

    def plot(self, path: str | None = None, ax: Any = None, title: str | None = None) -> Any:
        """Best objective vs time with the phases marked (needs ``bipnn_backends[plot]``); see plot.py."""
        from .plot import plot_result
        return plot_result(self, path, ax, title)
