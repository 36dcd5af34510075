"""The ``bipnn`` Pyomo solver: one :class:`SolverBase` implementation, registered for both interfaces.

:class:`Bipnn` is the new interface (``pyomo.contrib.solver``: ``Results``,
``TerminationCondition``, ``SolutionStatus``); :class:`LegacyBipnn` wraps it
for ``pyomo.environ.SolverFactory`` through Pyomo's ``LegacySolverWrapper``,
adding ``warmstart=`` and the legacy status conventions (``feasible`` is a
legitimate termination; ``optimal`` only when proven).
"""

from __future__ import annotations

import datetime
import logging
import math
from contextlib import contextmanager
from typing import Any, Iterator, Mapping, Sequence, TextIO

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
from pyomo.core.staleflag import StaleFlagManager
from pyomo.opt.results.solution import SolutionStatus as LegacySolutionStatus
from pyomo.opt.results.solver import SolverStatus as LegacySolverStatus
from pyomo.opt.results.solver import TerminationCondition as LegacyTerminationCondition

from ...errors import ModelError, OptionError
from ...options import Options, make_options
from ...result import FEASIBLE, INFEASIBLE, NO_SOLUTION_FOUND, OPTIMAL, SolveResult
from ...solve import solve as bipnn_solve
from .errors import as_pyomo_error
from .translate import Translation, translate

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

    def __init__(self, model: BlockData, values: ComponentMap | None, message: str = "") -> None:
        self._pyomo_model = model
        self._values = values
        self._message = message

    def get_number_of_solutions(self) -> int:
        return 0 if self._values is None else 1

    def get_vars(self, vars_to_load: Sequence[VarData] | None = None) -> Mapping[VarData, float]:
        if self._values is None:
            raise NoSolutionError(f"bipnn has no feasible solution to load: {self._message}")
        if vars_to_load is None:
            return ComponentMap(self._values.items())
        return ComponentMap((v, self._values[v]) for v in vars_to_load if v in self._values)

    def get_duals(self, cons_to_load: Sequence[ConstraintData] | None = None) -> dict[ConstraintData, float]:
        raise NoDualsError("bipnn solves binary programs: there are no duals")

    def get_reduced_costs(self, vars_to_load: Sequence[VarData] | None = None) -> Mapping[VarData, float]:
        raise NoReducedCostsError("bipnn solves binary programs: there are no reduced costs")

    def load_import_suffixes(self) -> None:
        """Clear import suffixes (dual, rc, ...): a binary program has none to load."""
        self._collect_and_clear_import_suffixes()


class Bipnn(SolverBase):
    """BIPNN (arXiv 2505.20997) for binary and bounded-integer Pyomo models, linear or nonlinear."""

    CONFIG = BipnnConfig()
    #: The new interface raises when asked to load a solution that does not exist; the legacy one does not.
    _raise_on_missing_solution = True

    def available(self) -> Availability:
        return Availability.FullLicense

    def version(self) -> tuple[int, ...]:
        from ... import __version__
        return tuple(int(p) for p in __version__.split(".") if p.isdigit())

    def solve(self, model: BlockData, **kwds: Any) -> Results:
        """Translate ``model``, run bipnn, and report (and by default load) the result."""
        start = datetime.datetime.now(datetime.timezone.utc)
        config = self.config(value=kwds, preserve_implicit=True)
        if config.timer is None:
            config.timer = HierarchicalTimer()
        timer = config.timer
        opts = _options(config)
        timer.start("translate")
        try:
            tr = translate(model, opts.fit_limit)
        finally:
            timer.stop("translate")
        if config.warmstart_discrete_vars:
            opts.warm_start = {name: var.value for var, name in tr.variables if var.value is not None}
        timer.start("solve")
        try:
            with _tee(config.tee):
                logging.getLogger(LOGGER).info(
                    "bipnn: %d Vars (%d binaries after encoding), %d constraints",
                    len(tr.variables), tr.problem.n_binaries, tr.n_constraints)
                res = bipnn_solve(tr.problem, opts)
                logging.getLogger(LOGGER).info("bipnn: %s", res.message)
        except ModelError as exc:
            raise as_pyomo_error(exc) from exc
        finally:
            timer.stop("solve")
        results = self._results(model, tr, res, opts, config)
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
            values = ComponentMap((var, _as_number(res.values[name])) for var, name in tr.variables)
        loader = BipnnSolutionLoader(model, values, res.message)
        results.solution_loader = loader
        results.termination_condition, results.solution_status = _new_status(res)
        if tr.objective is not None and res.status != INFEASIBLE:
            results.incumbent_objective = res.objective if res.has_solution else None
            if res.status == OPTIMAL:
                results.objective_bound = res.objective
            else:
                results.objective_bound = math.inf if tr.objective.sense == maximize else -math.inf
        info = results.extra_info
        info.status = res.status
        info.message = res.message
        info.time_limit_reached = res.time_limit_reached
        info.max_violation = res.max_violation
        info.number_of_variables = len(tr.variables)
        info.number_of_binary_variables = tr.n_binary_vars
        info.number_of_integer_variables = tr.n_integer_vars
        info.number_of_binaries = tr.problem.n_binaries
        info.number_of_constraints = tr.n_constraints
        if (results.termination_condition != TerminationCondition.convergenceCriteriaSatisfied
                and config.raise_exception_on_nonoptimal_result):
            raise NoOptimalSolutionError(
                f"bipnn: {res.message}. bipnn is a heuristic: set raise_exception_on_nonoptimal_result=False "
                "to accept feasible solutions without an optimality proof.")
        if config.load_solutions:
            if res.has_solution:
                StaleFlagManager.mark_all_as_stale()
                loader.load_vars()
            elif self._raise_on_missing_solution:
                raise NoFeasibleSolutionError(f"bipnn: {res.message}; nothing to load (use load_solutions=False)")
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
        solver_status, termination, solution_status = _legacy_status(info.status, info.time_limit_reached)
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
        problem.number_of_continuous_variables = 0
        return legacy, soln


def _options(config: Any) -> Options:
    """Canonical options from Pyomo's config: solver_options, time_limit, threads, tee."""
    overrides: dict[str, Any] = {}
    if config.threads is not None:
        overrides["threads"] = config.threads
    if config.time_limit is not None:
        overrides["time_limit"] = config.time_limit
    if config.tee:
        overrides["verbose"] = True
    return make_options(config.solver_options.value(), **overrides)


def _new_status(res: SolveResult) -> tuple[TerminationCondition, SolutionStatus]:
    if res.status == OPTIMAL:
        return TerminationCondition.convergenceCriteriaSatisfied, SolutionStatus.optimal
    if res.status == INFEASIBLE:
        return TerminationCondition.provenInfeasible, SolutionStatus.noSolution
    if res.stop_reason == "time_limit":
        stop = TerminationCondition.maxTimeLimit
    elif res.stop_reason == "epochs":
        stop = TerminationCondition.iterationLimit
    elif res.stop_reason == "interrupted":
        stop = TerminationCondition.interrupted
    elif res.status == NO_SOLUTION_FOUND:
        stop = TerminationCondition.locallyInfeasible
    else:
        stop = TerminationCondition.unknown
    if res.status == FEASIBLE:
        return stop, SolutionStatus.feasible
    return stop, SolutionStatus.noSolution


def _legacy_status(status: str, time_limit_reached: bool) -> tuple[Any, Any, Any]:
    if status == OPTIMAL:
        return LegacySolverStatus.ok, LegacyTerminationCondition.optimal, LegacySolutionStatus.optimal
    if status == FEASIBLE and time_limit_reached:
        return LegacySolverStatus.ok, LegacyTerminationCondition.maxTimeLimit, LegacySolutionStatus.stoppedByLimit
    if status == FEASIBLE:
        return LegacySolverStatus.ok, LegacyTerminationCondition.feasible, LegacySolutionStatus.feasible
    if status == INFEASIBLE:
        return LegacySolverStatus.warning, LegacyTerminationCondition.infeasible, LegacySolutionStatus.infeasible
    return LegacySolverStatus.warning, LegacyTerminationCondition.noSolution, LegacySolutionStatus.unknown


def _as_number(v: float) -> float | int:
    return int(v) if float(v).is_integer() else v


@contextmanager
def _tee(streams: list[TextIO]) -> Iterator[None]:
    """Stream the ``bipnn_backends`` log to Pyomo's ``tee`` destinations for the duration."""
    if not streams:
        yield
        return
    logger = logging.getLogger(LOGGER)
    handlers = []
    for stream in streams:
        handler = logging.StreamHandler(stream)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.setLevel(logging.INFO)
        handlers.append(handler)
        logger.addHandler(handler)
    level = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        for handler in handlers:
            logger.removeHandler(handler)
        logger.setLevel(level)
