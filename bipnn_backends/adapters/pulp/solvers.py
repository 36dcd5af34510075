"""``BIPNN`` (in process) and ``BIPNN_CMD`` (the ``bipnn`` command line) as PuLP solvers.

Options in PuLP's spelling (``timeLimit``, ``msg``, ``warmStart``, ``options`` as
``"NAME=VALUE"`` strings, and for ``BIPNN_CMD`` ``path``, ``keepFiles``) plus the
core's own by their canonical names (``seed``, ``device``, ``epochs``, ``restarts``,
``model``, ...). Every value is validated on construction (which imports no torch)
and again at solve time, so settings changed on the object afterwards
(``solver.options = [...]``, ``solver.mip = False``) are honoured or refused.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
import time
from typing import Any

from pulp import LpSolver, LpSolver_CMD

from ...formats import solution
from ...formats.mps_write import write_mps
from ...unbounded import check_presolve
from ...options import Options
from ...pool import pool_document, pool_from_document
from ...result import SolveResult
from ...solve import solve
from .._kit import clock_started, echo_log, options_from_host, parse_assignments, raising_host_errors, time_left
from . import compat, status
from .errors import ERRORS, BipnnPulpError, PulpOptionError
from .translate import Translation, translate

log = logging.getLogger("bipnn_backends")

#: The core's canonical names in PuLP's spelling (used in error messages).
ALIASES = {"time_limit": "timeLimit", "verbose": "msg", "warm_start": "warmStart"}
CORE_OPTIONS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Options) if f.name not in ALIASES)
#: Seconds the ``bipnn`` subprocess may run beyond its time limit (start-up, reformulation, writing)
#: before it is interrupted, plus this share of the time limit.
CMD_TIMEOUT_MARGIN = 60.0
CMD_TIMEOUT_SHARE = 0.1
#: Seconds an interrupted subprocess gets to write its solution before it is killed.
CMD_INTERRUPT_GRACE = 30.0


class _BipnnSolver:
    """What both solvers share: option checking and mapping, and the write-back."""

    name: str
    mip: bool
    msg: bool
    timeLimit: float | None
    options: list[str]
    optionsDict: dict[str, Any]
    result: SolveResult | None
    #: The solution pool (option ``pool_size``): [{"objective", "max_violation", "values": {name: value}}].
    pool: list[dict[str, Any]] = []
    HOST_KEYWORDS: tuple[str, ...] = ("timeLimit", "msg", "warmStart", "options", "mip")

    def _check_keywords(self, options: dict[str, Any]) -> None:
        unknown = [k for k in options if k not in CORE_OPTIONS]
        if unknown:
            raise PulpOptionError(
                f"{self.name}: unknown option(s) {', '.join(map(repr, unknown))}; valid: "
                f"{', '.join(self.HOST_KEYWORDS + CORE_OPTIONS)}")

    def bipnn_options(self, tr: Translation | None = None) -> Options:
        """The core :class:`Options` of this solver as it is set now (warm start read from ``tr``)."""
        with raising_host_errors(ERRORS):
            kw = parse_assignments(self.options or [], f"{self.name}'s options list")
            kw.update((k, v) for k, v in self.optionsDict.items() if k not in ("warmStart", "threads"))
            warm = tr.current_values() if tr is not None and self.optionsDict.get("warmStart") else None
            return options_from_host(kw, time_limit=self.timeLimit, verbose=self.msg, warm_start=warm,
                                     threads=self.optionsDict.get("threads"), aliases=ALIASES)

    def _finish(self, lp: Any, tr: Translation, result: SolveResult, start: Any) -> Any:
        """Write values (only for a verified solution) and the status back; PuLP's return value."""
        if result.has_solution:
            tr.write(result.values, getattr(lp, "dummyVar", None))
        self.result = result
        self.pool = pool_document(result.pool, [v.name for v in tr.variables])
        log.info("%s: %s%s", self.name, result.message,
                 f"; objective {result.objective:.10g}" if result.has_solution else "")
        return status.finish(self, lp, result.solution_status, result.termination, start)

    def _copy_settings(self) -> dict[str, Any]:
        data = self.toDict()  # type: ignore[attr-defined]
        data.pop("solver")
        return data


class BIPNN(_BipnnSolver, LpSolver):
    """BIPNN in this Python process.

    :param timeLimit: seconds (default: the core's 10 s; None with ``epochs`` set: no limit)
    :param msg: log progress and a summary (logger ``bipnn_backends``, to stdout if unconfigured)
    :param warmStart: start from the variables' current values
    :param options: ``"NAME=VALUE"`` strings, the same as keywords (values read as JSON)
    :param kwargs: the core's options by name: seed, device, epochs, restarts, model, hidden,
        lr, anneal, penalty, polish, fit_limit, max_monomials, exhaustive_limit, tolerance
    """

    name = "BIPNN"

    def __init__(self, mip: bool = True, msg: bool = True, timeLimit: float | None = None,
                 warmStart: bool = False, options: list[str] | None = None, **kwargs: Any) -> None:
        self._check_keywords({k: v for k, v in kwargs.items() if k != "threads"})
        LpSolver.__init__(self, mip=mip, msg=msg, options=options, timeLimit=timeLimit, warmStart=warmStart,
                          **kwargs)
        self.result = None
        self.bipnn_options()

    def available(self) -> bool:
        return True

    def copy(self) -> "BIPNN":
        return type(self)(**self._copy_settings())

    def actualSolve(self, lp: Any, **kwargs: Any) -> Any:
        """Solve ``lp``; PuLP 3: returns the status code, PuLP 4: the solve statistics."""
        if kwargs:
            raise PulpOptionError(f"{self.name}: unknown solve argument(s) {', '.join(map(repr, kwargs))}")
        started = clock_started()  # the time limit includes translation
        start = compat.start_clock()
        tr = translate(lp, relax=not self.mip)
        opts = time_left(self.bipnn_options(tr), started)
        with echo_log([sys.stdout] if self.msg else [], exclusive=True, unless_configured=True):
            with raising_host_errors(ERRORS):
                result = solve(tr.problem, opts)
            return self._finish(lp, tr, result, start)


class BIPNN_CMD(_BipnnSolver, LpSolver_CMD):
    """BIPNN through the ``bipnn`` command line (PuLP's ``_CMD`` convention).

    Writes the model as MPS (from its translation: :func:`~bipnn_backends.formats.mps_write.write_mps`,
    standard free MPS with the variables' names), runs ``bipnn solve``, reads the JSON solution
    back by position.
    Same options as :class:`BIPNN`, plus ``path`` (the executable; default: the
    ``bipnn`` script next to ``sys.executable``, else ``python -m bipnn_backends.cli``)
    and ``keepFiles`` (keep ``<lp.name>-pulp.*`` in the current directory).
    The subprocess gets the time limit plus a margin; when that runs out, or on
    Ctrl-C, it is interrupted and its best solution so far is read back.
    """

    name = "BIPNN_CMD"
    HOST_KEYWORDS = _BipnnSolver.HOST_KEYWORDS + ("path", "keepFiles")

    def __init__(self, path: str | None = None, keepFiles: bool = False, mip: bool = True, msg: bool = True,
                 timeLimit: float | None = None, warmStart: bool = False, options: list[str] | None = None,
                 **kwargs: Any) -> None:
        self._check_keywords({k: v for k, v in kwargs.items() if k != "threads"})
        LpSolver_CMD.__init__(self, path=path, keepFiles=keepFiles, mip=mip, msg=msg, options=options,
                              timeLimit=timeLimit, warmStart=warmStart, **kwargs)
        self.result = None
        self.bipnn_options()

    def defaultPath(self) -> str:
        script = os.path.join(os.path.dirname(sys.executable), self.executableExtension("bipnn"))
        return script if os.path.isfile(script) and os.access(script, os.X_OK) else sys.executable

    def command(self) -> list[str]:
        """The command line that runs ``bipnn`` (before its arguments)."""
        if os.path.realpath(self.path) == os.path.realpath(sys.executable):
            return [self.path, "-m", "bipnn_backends.cli"]
        return [self.path]

    def available(self) -> bool:
        return self.executable(self.path) is not None

    def copy(self) -> "BIPNN_CMD":
        other = type(self)(path=self.path, **self._copy_settings())
        other.tmpDir = self.tmpDir
        return other

    def actualSolve(self, lp: Any, **kwargs: Any) -> Any:
        """Solve ``lp`` in a ``bipnn`` subprocess; PuLP 3: the status code, PuLP 4: the statistics."""
        if kwargs:
            raise PulpOptionError(f"{self.name}: unknown solve argument(s) {', '.join(map(repr, kwargs))}")
        started = clock_started()  # the time limit includes translation and writing the files
        start = compat.start_clock()
        tr = translate(lp, relax=not self.mip)  # the same model errors as BIPNN, before any file is written
        opts = self.bipnn_options(tr)
        if tr.problem.has_columns:  # an integer that stays unbounded (and no LP proof) is a model error here too
            with raising_host_errors(ERRORS):
                check_presolve(tr.problem, opts.tolerance)
        if not tr.variables:  # PuLP's own suites solve an empty model (Optimal); there is no MPS column to write
            with raising_host_errors(ERRORS):
                return self._finish(lp, tr, solve(tr.problem, opts), start)
        if not self.available():
            raise BipnnPulpError(f"{self.name}: cannot execute {self.path!r}")
        files = list(self.create_tmp_files(lp.name, "mps", "options.json", "sol.json"))
        mps, options_file, sol = files
        try:
            self.silent_remove(sol)
            with raising_host_errors(ERRORS):
                columns = write_mps(tr.problem, mps)
            names = [columns[j] for j in range(len(tr.variables))]  # the column of each variable, by position
            opts = time_left(opts, started)  # the child gets the time left
            with open(options_file, "w") as f:
                json.dump(_cli_options(opts, names), f)
            cmd = self.command() + ["solve", mps, "--solution", sol, "--options", options_file]
            if opts.time_limit is not None:  # the child's start-up counts against the limit too
                cmd += ["--deadline", repr(time.time() + opts.time_limit)]
            if not self.msg:
                cmd.append("--quiet")
            timeout = None if opts.time_limit is None else \
                opts.time_limit * (1 + CMD_TIMEOUT_SHARE) + CMD_TIMEOUT_MARGIN
            doc = self._run(cmd, sol, timeout)
        finally:
            self.delete_tmp_files(*files)
        result = self._result(tr, doc, names)
        return self._finish(lp, tr, result, start)

    def _run(self, cmd: list[str], sol: str, timeout: float | None) -> dict[str, Any]:
        """Run ``cmd``; on timeout or Ctrl-C interrupt it once (SIGINT) and read what it wrote."""
        posix = os.name == "posix"
        try:
            proc = subprocess.Popen(cmd, stdout=None if self.msg else subprocess.DEVNULL,
                                    stderr=None if self.msg else subprocess.PIPE, text=True,
                                    start_new_session=posix)  # Ctrl-C reaches us only: we forward it once
        except OSError as exc:
            raise BipnnPulpError(f"{self.name}: cannot run {cmd[0]!r}: {exc}") from exc
        why = ""
        try:
            try:
                _, err = proc.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                why = f"was still running after {timeout:.0f} s (its time limit plus a margin)"
                err = self._interrupt(proc, posix)
            except KeyboardInterrupt:
                why = "was interrupted (Ctrl-C)"
                err = self._interrupt(proc, posix)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        if why:
            log.warning("%s: the bipnn command %s; reading its best solution so far", self.name, why)
        return self._read(proc.returncode, err, sol)

    def _interrupt(self, proc: subprocess.Popen, posix: bool) -> str | None:
        if posix:
            proc.send_signal(signal.SIGINT)
        else:
            proc.terminate()
        try:
            return proc.communicate(timeout=CMD_INTERRUPT_GRACE)[1]
        except subprocess.TimeoutExpired:
            proc.kill()
            return proc.communicate()[1]

    def _read(self, rc: int, err: str | None, sol: str) -> dict[str, Any]:
        detail = "(its output is above)" if self.msg else (err or "").strip()[-2000:] or "(it wrote nothing)"
        if rc not in (solution.EXIT_OK, solution.EXIT_INFEASIBLE, solution.EXIT_NO_SOLUTION, solution.EXIT_UNBOUNDED):
            if rc < 0:
                what = f"was killed by signal {signal.Signals(-rc).name}" if -rc in signal.valid_signals() \
                    else f"was killed (exit code {rc})"
            elif rc == solution.EXIT_BAD_MODEL:
                what = "rejected the model"
            elif rc == solution.EXIT_INTERRUPTED:
                what = "was interrupted before it had a solution"
            else:
                what = f"failed with exit code {rc}"
            raise BipnnPulpError(f"{self.name}: the bipnn command {what}; no solution was read. {detail}")
        try:
            doc = solution.read_json(sol)
        except (OSError, ValueError) as exc:
            raise BipnnPulpError(f"{self.name}: bipnn exited with code {rc} but its solution file "
                                 f"could not be read ({exc})") from exc
        if solution.EXIT_BY_STATUS[doc["solution_status"]] != rc:
            raise BipnnPulpError(f"{self.name}: bipnn exited with code {rc} but reported solution status "
                                 f"{doc['solution_status']!r}")
        return doc

    def _result(self, tr: Translation, doc: dict[str, Any], names: list[str]) -> SolveResult:
        """The :class:`SolveResult` of a solution document, read by each variable's column ``names[j]``."""
        result = SolveResult(doc["solution_status"], doc["termination"], message=doc["message"], stats=doc["stats"])
        if not result.has_solution:
            return result
        values = doc["values"] or {}
        missing = [tr.variables[j].name for j, n in enumerate(names) if n not in values]
        if missing:
            raise BipnnPulpError(f"{self.name}: the solution file has no value for {', '.join(missing[:5])}")
        result.values = {j: float(values[n]) for j, n in enumerate(names)}
        result.max_violation = doc["max_violation"]
        result.objective = float(doc["objective"])  # the file holds the objective constant
        result.pool = pool_from_document(doc.get("pool"), 0.0, {n: j for j, n in enumerate(names)})
        return result


def _cli_options(opts: Options, names: list[str]) -> dict[str, Any]:
    """Every option by its canonical name, for ``bipnn solve --options`` (warm start by column name)."""
    if opts.callback is not None:
        raise PulpOptionError("BIPNN_CMD: the callback option needs the solver in this process: use BIPNN")
    data = dataclasses.asdict(opts)
    data["warm_start"] = {names[j]: v for j, v in opts.warm_start.items()} if opts.warm_start else None
    return data
