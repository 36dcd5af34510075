"""The ``bipnn`` Pyomo solver: one :class:`SolverBase` implementation, registered for both interfaces.

:class:`Bipnn` is the new interface (``pyomo.contrib.solver``: ``Results``,
``TerminationCondition``, ``SolutionStatus``); :class:`LegacyBipnn` wraps it
for ``pyomo.environ.SolverFactory`` through Pyomo's ``LegacySolverWrapper``,
adding ``warmstart=`` and the legacy status conventions (``feasible`` is a
legitimate termination; ``optimal`` only when proven).
"""

from __future__ import annotations

import datetime
import io
import logging
import math
from typing import Any, Callable, Mapping, Sequence

from pyomo.common.collections import ComponentMap
from pyomo.common.config import Bool, ConfigValue
from pyomo.common.timing import HierarchicalTimer
from pyomo.contrib.solver.common.base import Availability, LegacySolverWrapper, SolverBase
from pyomo.contrib.solver.common.config import SolverConfig
from pyomo.contrib.solver.common.results import Results, SolutionStatus, TerminationCondition
from pyomo.contrib.solver.common.solution_loader import SolutionLoader
from pyomo.contrib.solver.common.util import (NoDualsError, NoFeasibleSolutionError, NoOptimalSolutionError,
                                              NoReducedCostsError, NoSolutionError)
from pyomo.core.base.block import BlockData
from pyomo.core.base.constraint import ConstraintData
from pyomo.core.base.objective import maximize
from pyomo.core.base.var import VarData
from pyomo.core.kernel.block import IBlock
from pyomo.core.kernel.suffix import import_suffix_generator
from pyomo.core.staleflag import StaleFlagManager
from pyomo.opt.results.solution import SolutionStatus as LegacySolutionStatus
from pyomo.opt.results.solver import SolverStatus as LegacySolverStatus
from pyomo.opt.results.solver import TerminationCondition as LegacyTerminationCondition

from ..._version import __version__
from ...options import Options
from ...result import (CONVERGED, EPOCHS, FEASIBLE, INFEASIBLE, INTERRUPTED, NONE, OPTIMAL, PROVEN, TIME_LIMIT,
                       UNBOUNDED, SolveResult)
from ...solve import solve as bipnn_solve
from .._kit import clock_started, echo_log, options_from_host, raising_host_errors, time_left
from .errors import ERRORS
from .translate import Translation, translate

TC, SS = TerminationCondition, SolutionStatus
#: (solution status, termination) -> the new interface's (TerminationCondition, SolutionStatus).
STATUS = {
    (OPTIMAL, PROVEN): (TC.convergenceCriteriaSatisfied, SS.optimal),
    (INFEASIBLE, PROVEN): (TC.provenInfeasible, SS.noSolution),
    (UNBOUNDED, PROVEN): (TC.unbounded, SS.noSolution),
    (FEASIBLE, TIME_LIMIT): (TC.maxTimeLimit, SS.feasible),
    (FEASIBLE, EPOCHS): (TC.iterationLimit, SS.feasible),
    (FEASIBLE, INTERRUPTED): (TC.interrupted, SS.feasible),
    (FEASIBLE, CONVERGED): (TC.unknown, SS.feasible),
    (NONE, TIME_LIMIT): (TC.maxTimeLimit, SS.noSolution),
    (NONE, EPOCHS): (TC.iterationLimit, SS.noSolution),
    (NONE, INTERRUPTED): (TC.interrupted, SS.noSolution),
    (NONE, CONVERGED): (TC.locallyInfeasible, SS.noSolution),
}

LSS, LTC, LSol = LegacySolverStatus, LegacyTerminationCondition, LegacySolutionStatus
#: (solution status, termination) -> the legacy (SolverStatus, TerminationCondition, SolutionStatus).
LEGACY_STATUS = {
    (OPTIMAL, PROVEN): (LSS.ok, LTC.optimal, LSol.optimal),
    (INFEASIBLE, PROVEN): (LSS.warning, LTC.infeasible, LSol.infeasible),
    (UNBOUNDED, PROVEN): (LSS.warning, LTC.unbounded, LSol.unbounded),
    (FEASIBLE, TIME_LIMIT): (LSS.ok, LTC.maxTimeLimit, LSol.stoppedByLimit),
    (FEASIBLE, EPOCHS): (LSS.ok, LTC.maxIterations, LSol.stoppedByLimit),
    (FEASIBLE, INTERRUPTED): (LSS.aborted, LTC.userInterrupt, LSol.stoppedByLimit),
    (FEASIBLE, CONVERGED): (LSS.ok, LTC.feasible, LSol.feasible),
    (NONE, TIME_LIMIT): (LSS.warning, LTC.maxTimeLimit, LSol.unknown),
    (NONE, EPOCHS): (LSS.warning, LTC.maxIterations, LSol.unknown),
    (NONE, INTERRUPTED): (LSS.aborted, LTC.userInterrupt, LSol.unknown),
    (NONE, CONVERGED): (LSS.warning, LTC.noSolution, LSol.unknown),
}

LOGGER = "bipnn_backends"


class BipnnConfig(SolverConfig):
    """Pyomo's common solver options, plus ``warmstart_discrete_vars``.

    ``solver_options`` take bipnn's canonical option names (``seed``,
    ``device``, ``epochs``, ``restarts``, ``model``, ``anneal``, ``penalty``, ...);
    unknown names raise :class:`~bipnn_backends.errors.OptionError`.
    """

    def __init__(self, description: str | None = None, doc: str | None = None, implicit: bool = False,
                 implicit_domain: Any = None, visibility: int = 0) -> None:
        super().__init__(description=description, doc=doc, implicit=implicit,
                         implicit_domain=implicit_domain, visibility=visibility)
        self.warmstart_discrete_vars: bool = self.declare(
            "warmstart_discrete_vars",
            ConfigValue(domain=Bool, default=False,
                        description="Start the search from the Vars' current values."))


class BipnnSolutionLoader(SolutionLoader):
    """Holds bipnn's verified feasible point (or nothing) for one model."""

    def __init__(self, model: BlockData, values: ComponentMap | None, pool: list[ComponentMap] | None = None) -> None:
        self._pyomo_model = model
        self._values = values
        self._pool, self._active = pool or [], 0  # option pool_size: solutions 0..K-1, 0 is ``values``

    def get_number_of_solutions(self) -> int:
        return len(self._pool) if self._pool else 0 if self._values is None else 1

    def get_solution_ids(self) -> list[Any]:
        return list(range(len(self._pool))) if self._pool else super().get_solution_ids()

    def _set_solution_id(self, solution_id: Any) -> Any:
        if not self._pool:
            return super()._set_solution_id(solution_id)
        sid = 0 if solution_id is None else solution_id
        if sid not in range(len(self._pool)):
            raise ValueError(f"bipnn: no solution {solution_id!r} in the pool; ids are 0..{len(self._pool) - 1}")
        previous, self._active, self._values = self._active, sid, self._pool[sid]
        return previous

    def get_vars(self, vars_to_load: Sequence[VarData] | None = None) -> Mapping[VarData, float]:
        if self._values is None:
            raise NoSolutionError()
        if vars_to_load is None:
            return ComponentMap(self._values.items())
        return ComponentMap((v, self._values[v]) for v in vars_to_load if v in self._values)

    def get_duals(self, cons_to_load: Sequence[ConstraintData] | None = None) -> dict[ConstraintData, float]:
        raise NoDualsError()

    def get_reduced_costs(self, vars_to_load: Sequence[VarData] | None = None) -> Mapping[VarData, float]:
        raise NoReducedCostsError()

    def load_import_suffixes(self) -> None:
        """Clear import suffixes (dual, rc, ...): a binary program has none to load.

        ``pyomo.kernel`` blocks have their own suffix API (Pyomo's generic walk asserts on them)."""
        if isinstance(self._pyomo_model, IBlock):
            for suffix in import_suffix_generator(self._pyomo_model, active=True, descend_into=True):
                suffix.clear()
            return
        self._collect_and_clear_import_suffixes()


class Bipnn(SolverBase):
    """BIPNN (arXiv 2505.20997) for binary and bounded-integer Pyomo models, linear or nonlinear."""

    CONFIG = BipnnConfig()
    #: The new interface raises when asked to load a solution that does not exist; the legacy one does not.
    _raise_on_missing_solution = True

    def __init__(self, **kwds: Any) -> None:
        super().__init__(**kwds)
        _options(self.config)  # every option value checked when the solver object is built

    def available(self) -> Availability:
        return Availability.FullLicense

    def version(self) -> tuple[int, ...]:
        return tuple(int(p) for p in __version__.split(".") if p.isdigit())

    def solve(self, model: BlockData, **kwds: Any) -> Results:
        """Translate ``model``, run bipnn, and report (and by default load) the result."""
        start = datetime.datetime.now(datetime.timezone.utc)
        started = clock_started()  # the time limit includes translation
        config = self.config(value=kwds, preserve_implicit=True)
        if config.timer is None:
            config.timer = HierarchicalTimer()
        timer = config.timer
        opts = _options(config)
        StaleFlagManager.mark_all_as_stale()  # as Pyomo's own solvers: every Var is stale until loaded
        timer.start("translate")
        try:
            tr = translate(model, opts.fit_limit)
        finally:
            timer.stop("translate")
        if config.warmstart_discrete_vars:
            opts = _options(config, {j: var.value for j, var in enumerate(tr.variables) if var.value is not None})
        opts = time_left(opts, started)
        timer.start("solve")
        log = io.StringIO()
        try:
            with echo_log(config.tee, capture=log), raising_host_errors(ERRORS):
                logging.getLogger(LOGGER).info(
                    "bipnn: %d Vars (%d binaries after encoding), %d constraints",
                    len(tr.variables), tr.problem.n_binaries, tr.n_constraints)
                res = bipnn_solve(tr.problem, opts)
                logging.getLogger(LOGGER).info("bipnn: %s", res.message)
        finally:
            timer.stop("solve")
        results = self._results(model, tr, res, opts, config)
        results.solver_log = log.getvalue() or f"bipnn: {res.message}\n"
        results.timing_info.start_timestamp = start
        results.timing_info.wall_time = (datetime.datetime.now(datetime.timezone.utc) - start).total_seconds()
        results.timing_info.timer = timer
        return results

    def _results(self, model: BlockData, tr: Translation, res: SolveResult, opts: Options, config: Any) -> Results:
        results = Results()
        results.solver_name = self.name
        results.solver_version = self.version()
        results.solver_config = config
        values = None
        if res.has_solution:
            values = ComponentMap((var, _as_number(res.values[j])) for j, var in enumerate(tr.variables))
        pool = [ComponentMap((var, _as_number(e.values[j])) for j, var in enumerate(tr.variables))
                for e in res.pool] if len(res.pool) > 1 else None
        loader = BipnnSolutionLoader(model, values, pool)
        results.solution_loader = loader
        results.termination_condition, results.solution_status = STATUS[res.solution_status, res.termination]
        if tr.objective is not None and res.solution_status != INFEASIBLE:
            results.incumbent_objective = res.objective if res.has_solution else None
            if res.solution_status == OPTIMAL:
                results.objective_bound = res.objective
            else:
                results.objective_bound = math.inf if tr.objective.sense == maximize else -math.inf
        info = results.extra_info
        info.solution_status = res.solution_status
        info.termination = res.termination
        info.message = res.message
        info.time_limit_reached = res.time_limit_reached
        info.max_violation = res.max_violation
        info.number_of_variables = len(tr.variables)
        info.number_of_binary_variables = tr.n_binary_vars
        info.number_of_integer_variables = tr.n_integer_vars
        info.number_of_continuous_variables = tr.n_continuous_vars
        info.number_of_binaries = tr.problem.n_binaries
        info.number_of_constraints = tr.n_constraints
        info.pool_objectives = [e.objective for e in res.pool]
        info.plot = _plotter(res)  # the convergence plot; the SolveResult itself would flood results.display()
        if (results.termination_condition != TerminationCondition.convergenceCriteriaSatisfied
                and config.raise_exception_on_nonoptimal_result):
            raise NoOptimalSolutionError()
        if config.load_solutions:
            if res.has_solution:
                loader.load_vars()
            elif self._raise_on_missing_solution:
                raise NoFeasibleSolutionError()
        return results


class LegacyBipnn(LegacySolverWrapper, Bipnn):
    """``pyomo.environ.SolverFactory("bipnn")``: the legacy interface over :class:`Bipnn`."""

    _raise_on_missing_solution = False

    def solve(self, model: BlockData, warmstart: bool = False, **kwds: Any) -> Any:
        """Legacy ``solve(model, tee=, timelimit=, options=, load_solutions=, warmstart=)``."""
        self.config.warmstart_discrete_vars = warmstart
        return super().solve(model, **kwds)

    def warm_start_capable(self) -> bool:
        return True

    def _map_results(self, model: BlockData, results: Results) -> tuple[Any, Any]:
        legacy, soln = super()._map_results(model, results)
        info = results.extra_info
        solver_status, termination, solution_status = LEGACY_STATUS[info.solution_status, info.termination]
        legacy.solver.name = "bipnn"
        legacy.solver.status = solver_status
        legacy.solver.termination_condition = termination
        legacy.solver.termination_message = info.message
        legacy.solver.message = info.message
        legacy.solver.wallclock_time = results.timing_info.wall_time
        soln.status = solution_status
        problem = legacy.problem
        problem.name = model.name
        problem.number_of_constraints = info.number_of_constraints
        problem.number_of_variables = info.number_of_variables
        problem.number_of_binary_variables = info.number_of_binary_variables
        problem.number_of_integer_variables = info.number_of_integer_variables
        problem.number_of_continuous_variables = info.number_of_continuous_variables
        return legacy, soln


def _plotter(res: SolveResult) -> Callable[..., Any]:
    """``results.extra_info.plot(path=None, ax=None, title=None)``: ``res.plot`` (docs/extras.md)."""
    def plot(path: str | None = None, ax: Any = None, title: str | None = None) -> Any:
        return res.plot(path, ax, title)
    return plot


def _options(config: Any, warm_start: Mapping[int, float] | None = None) -> Options:
    """Canonical options from Pyomo's config: solver_options, time_limit, tee, threads."""
    with raising_host_errors(ERRORS):
        return options_from_host(config.solver_options.value(), time_limit=config.time_limit,
                                 verbose=bool(config.tee), warm_start=warm_start, threads=config.threads)


def _as_number(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v
