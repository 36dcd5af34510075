"""Incumbent callbacks: ``callback=fn(event)`` on every new best verified feasible point.

The engine reports each new best point of the penalised energy to :class:`Watch`, which
verifies it on the ORIGINAL problem; a feasible point that beats the best verified objective so
far becomes an :class:`Incumbent` passed to the user's function and to the progress display.
``event.stop()`` asks the solver to stop: the search ends at its next check (the current
annealing round or local-search step finishes first) and the result is the best point found,
with termination ``"interrupted"``.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Hashable, Mapping

import numpy as np

from .core.evaluate import evaluate_problem
from .core.problem import BinaryProblem

PROGRESS_CHECK_EVERY = 0.5  # seconds between verifications when only the progress display watches


class Incumbent:
    """A new best verified feasible point.

    ``time``: seconds since the solve started; ``objective``: in the user's sense;
    ``violation``: the largest constraint violation (within the tolerance);
    ``values``: user-level variable name -> value, by the names the host gave its variables (PuLP's
    and Pyomo's names, CVXPY's ``y[3]``), where ``SolveResult.values`` is keyed by key (decoded when
    first read; continuous values included for a mixed model);
    ``x``: the 0/1 vector; ``stop()``: ask the solver to stop.
    """

    __slots__ = ("time", "objective", "violation", "x", "_problem", "_values", "_named", "stop_requested")

    def __init__(self, problem: BinaryProblem, x: np.ndarray, objective: float, violation: float,
                 elapsed: float, values: Mapping[Hashable, float] | None = None) -> None:
        self.time, self.objective, self.violation, self.x = elapsed, objective, violation, x
        self._problem, self._values, self.stop_requested = problem, values, False  # values by key: given for mixed models
        self._named: dict[str, float] | None = None

    @property
    def values(self) -> Mapping[str, float]:
        if self._named is None:
            by_key = self._problem.decode(self.x) if self._values is None else self._values
            names = {v.key: v.name for v in self._problem.variables}
            names.update((c.key, c.name) for c in self._problem.columns)
            self._named = {names.get(k, k): v for k, v in by_key.items()}
        return self._named

    def stop(self) -> None:
        """Ask the solver to stop and return the best point found so far."""
        self.stop_requested = True

    def __repr__(self) -> str:
        return f"Incumbent(time={self.time:.3f}, objective={self.objective!r}, violation={self.violation:.3g})"


class Watch:
    """Turns the engine's new-best-energy points into verified incumbents for the user's callback
    and the progress display; ``on_best(x)`` returns True once a stop was requested (``force``:
    verify even when the display alone watches and checked less than PROGRESS_CHECK_EVERY ago)."""

    def __init__(self, problem: BinaryProblem, tolerance: float, t0: float,
                 callback: Callable[[Incumbent], Any] | None, progress: Any = None) -> None:
        self.problem, self.tolerance, self.t0 = problem, tolerance, t0
        self.callback, self.progress = callback, progress
        self.best: float | None = None
        self.sign = 1.0 if problem.sense == "min" else -1.0
        self.stop_requested = False
        self.last_check = -np.inf
        self.pending: np.ndarray | None = None  # a throttled best point, verified by flush()
        if progress is not None:
            progress.poll = self.flush

    def on_best(self, x: np.ndarray, force: bool = False) -> bool:
        if self.callback is None and not force:  # the display only: verify now and then, not every improvement
            now = time.perf_counter()
            if now - self.last_check < PROGRESS_CHECK_EVERY:
                self.pending = x
                return False
            self.last_check = now
        self.pending = None
        vals = evaluate_problem(self.problem, np.asarray(x, dtype=np.float64)[None, :], self.tolerance)
        if not vals.feasible[0]:
            if self.progress is not None and self.best is None:
                self.progress.update(None, False)
            return self.stop_requested
        obj = float(vals.objective[0])
        if self.best is not None and not self.sign * obj < self.sign * self.best:
            return self.stop_requested
        self.best = obj
        if self.progress is not None:
            self.progress.update(obj, True)
        if self.callback is not None:
            event = Incumbent(self.problem, np.asarray(x, dtype=np.float64).copy(), obj,
                              float(vals.max_violation[0]), time.perf_counter() - self.t0)
            self.callback(event)
            self.stop_requested = self.stop_requested or event.stop_requested
        return self.stop_requested

    def flush(self) -> None:
        """Verify a throttled best point once the interval has passed (the display's thread calls this)."""
        x = self.pending
        if x is not None and time.perf_counter() - self.last_check >= PROGRESS_CHECK_EVERY:
            self.on_best(x)
