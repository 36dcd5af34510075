"""``BIPNN`` (in process) and ``BIPNN_CMD`` (the ``bipnn`` command line) as PuLP solvers.

Options in PuLP's spelling (``timeLimit``, ``msg``, ``warmStart``, and for
``BIPNN_CMD`` ``path``, ``keepFiles``) plus the core's own by their canonical
names (``seed``, ``device``, ``epochs``, ``restarts``, ``model``, ...). They are
validated on construction, which imports no torch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import signal
import subprocess
import sys
from typing import Any, Iterator

from pulp import LpSolver, LpSolver_CMD

from ...errors import BipnnError
from ...options import Options, make_options
from ...pool import pool_document, pool_from_document
from ...result import ERROR, SolveResult
from ...solve import solve
from . import compat, solution
from .errors import BipnnPulpError, PulpOptionError, as_pulp_error
from .translate import current_values, translate

log = logging.getLogger("bipnn_backends")

HOST_SPELLED = ("time_limit", "verbose", "warm_start")  # timeLimit, msg, warmStart
CORE_OPTIONS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Options) if f.name not in HOST_SPELLED)


class _BipnnSolver:
    """What both solvers share: option checking and mapping, and the write-back."""

    name: str
    msg: bool
    timeLimit: float | None
    optionsDict: dict[str, Any]
    result: SolveResult | None

    def _check(self, mip: bool, options: dict[str, Any], host: tuple[str, ...]) -> None:
        unknown = [k for k in options if k not in CORE_OPTIONS]
        if unknown:
            raise PulpOptionError(
                f"{self.name}: unknown option(s) {', '.join(map(repr, unknown))}; valid: "
                f"{', '.join(host + CORE_OPTIONS)}")
        if not mip:
            raise PulpOptionError(f"{self.name} solves integer programs: mip=False (the LP relaxation) is not supported")

    def bipnn_options(self, lp: Any = None) -> Options:
        """The core :class:`Options` of this solver (with the warm start read from ``lp``)."""
        kw = {k: v for k, v in self.optionsDict.items() if k != "warmStart"}
        if self.timeLimit is not None:
            kw["time_limit"] = float(self.timeLimit)
        elif kw.get("epochs") is not None:
            kw["time_limit"] = None
        kw["verbose"] = bool(self.msg)
        if lp is not None and self.optionsDict.get("warmStart"):
            kw["warm_start"] = current_values(lp)
        try:
            return make_options(kw)
        except BipnnError as exc:
            raise as_pulp_error(exc) from exc

    def _finish(self, lp: Any, result: SolveResult, opts: Options, start: Any) -> Any:
        """Write values (only for a verified solution) and the status back; PuLP's return value."""
        if result.status == ERROR:
            raise BipnnPulpError(f"{self.name}: {result.message}")
        if result.has_solution:
            lp.assignVarsVals(result.values)
            if getattr(lp, "dummyVar", None) is not None:  # so that value(lp.objective) is not None
                lp.dummyVar.varValue = 0.0
        self.result = result
        log.info("%s: %s%s", self.name, result.message,
                 f"; objective {result.objective:.10g}" if result.has_solution else "")
        return compat.finish(self, lp, result.status, result.time_limit_reached, opts.epochs is not None, start)

    @property
    def pool(self) -> list[dict[str, Any]]:
        """The solution pool (option ``pool_size``): [{"objective", "max_violation", "values": {name: value}}]."""
        return pool_document(self.result.pool) if self.result is not None else []

    def _copy_settings(self) -> dict[str, Any]:
        data = self.toDict()  # type: ignore[attr-defined]
        data.pop("solver")
        return data


class BIPNN(_BipnnSolver, LpSolver):
    """BIPNN in this Python process.

    :param timeLimit: seconds (default: the core's 10 s; None with ``epochs`` set: no limit)
    :param msg: log progress and a summary (logger ``bipnn_backends``, to stdout if unconfigured)
    :param warmStart: start from the variables' current values
    :param options: the core's options by name: seed, device, epochs, restarts, model, hidden,
        lr, anneal, penalty, polish, fit_limit, max_monomials, exhaustive_limit, tolerance
    """

    name = "BIPNN"

    def __init__(self, mip: bool = True, msg: bool = True, timeLimit: float | None = None,
                 warmStart: bool = False, **options: Any) -> None:
        self._check(mip, options, ("timeLimit", "msg", "warmStart", "mip"))
        LpSolver.__init__(self, mip=mip, msg=msg, timeLimit=timeLimit, warmStart=warmStart, **options)
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
        start = compat.start_clock()
        problem = translate(lp)
        opts = self.bipnn_options(lp)
        with _echo(self.msg):
            try:
                result = solve(problem, opts)
            except BipnnError as exc:
                raise as_pulp_error(exc) from exc
            return self._finish(lp, result, opts, start)


class BIPNN_CMD(_BipnnSolver, LpSolver_CMD):
    """BIPNN through the ``bipnn`` command line (PuLP's ``_CMD`` convention).

    Writes the model as MPS, runs ``bipnn solve``, reads the JSON solution back.
    Same options as :class:`BIPNN`, plus ``path`` (the executable; default: the
    ``bipnn`` script next to ``sys.executable``, else ``python -m bipnn_backends.cli``)
    and ``keepFiles`` (keep ``<lp.name>-pulp.*`` in the current directory).
    """

    name = "BIPNN_CMD"

    def __init__(self, path: str | None = None, keepFiles: bool = False, mip: bool = True, msg: bool = True,
                 timeLimit: float | None = None, warmStart: bool = False, **options: Any) -> None:
        self._check(mip, options, ("timeLimit", "msg", "warmStart", "mip", "path", "keepFiles"))
        LpSolver_CMD.__init__(self, path=path, keepFiles=keepFiles, mip=mip, msg=msg, timeLimit=timeLimit,
                              warmStart=warmStart, **options)
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
        start = compat.start_clock()
        translate(lp)  # the same model errors as BIPNN, before any file is written
        opts = self.bipnn_options(lp)
        if not self.available():
            raise BipnnPulpError(f"{self.name}: cannot execute {self.path!r}")
        lp.checkDuplicateVars()
        files = list(self.create_tmp_files(lp.name, "mps", "options.json", "sol.json"))
        mps, options_file, sol = files
        try:
            self.silent_remove(sol)
            lp.writeMPS(mps, with_objsense=True)
            with open(options_file, "w") as f:
                json.dump(_cli_options(opts), f)
            cmd = self.command() + ["solve", mps, "--solution", sol, "--options", options_file]
            if not self.msg:
                cmd.append("--quiet")
            doc = self._run(cmd, sol)
        finally:
            self.delete_tmp_files(*files)
        result = self._result(lp, doc)
        return self._finish(lp, result, opts, start)

    def _run(self, cmd: list[str], sol: str) -> dict[str, Any]:
        try:
            proc = subprocess.run(cmd, stdout=None if self.msg else subprocess.DEVNULL,
                                  stderr=None if self.msg else subprocess.PIPE, text=True)
        except OSError as exc:
            raise BipnnPulpError(f"{self.name}: cannot run {cmd[0]!r}: {exc}") from exc
        rc = proc.returncode
        detail = "(its output is above)" if self.msg else (proc.stderr or "").strip()[-2000:] or "(it wrote nothing)"
        if rc not in (solution.EXIT_OK, solution.EXIT_INFEASIBLE, solution.EXIT_NO_SOLUTION):
            if rc < 0:
                what = f"was killed by signal {signal.Signals(-rc).name}" if -rc in signal.valid_signals() \
                    else f"was killed (exit code {rc})"
            elif rc == solution.EXIT_BAD_MODEL:
                what = "rejected the model"
            else:
                what = f"failed with exit code {rc}"
            raise BipnnPulpError(f"{self.name}: the bipnn command {what}; no solution was read. {detail}")
        try:
            doc = solution.read_json(sol)
        except (OSError, ValueError) as exc:
            raise BipnnPulpError(f"{self.name}: bipnn exited with code {rc} but its solution file "
                                 f"could not be read ({exc})") from exc
        if solution.EXIT_BY_STATUS[doc["status"]] != rc:
            raise BipnnPulpError(f"{self.name}: bipnn exited with code {rc} but reported status {doc['status']!r}")
        return doc

    def _result(self, lp: Any, doc: dict[str, Any]) -> SolveResult:
        """The :class:`SolveResult` of a solution document, checked against ``lp``."""
        result = SolveResult(doc["status"], message=doc["message"], time_limit_reached=doc["time_limit_reached"],
                             stats=doc["stats"])
        if not result.has_solution:
            return result
        values = doc["values"] or {}
        missing = [v.name for v in compat.used_variables(lp) if v.name != compat.DUMMY and v.name not in values]
        if missing:
            raise BipnnPulpError(f"{self.name}: the solution file has no value for {', '.join(missing[:5])}")
        result.values = {k: float(v) for k, v in values.items()}
        result.max_violation = doc["max_violation"]
        result.objective = float(doc["objective"]) + float(lp.objective.constant)  # MPS drops the constant
        result.pool = pool_from_document(doc.get("pool"), float(lp.objective.constant))
        return result


def _cli_options(opts: Options) -> dict[str, Any]:
    """Every option by its canonical name, for ``bipnn solve --options``."""
    if opts.callback is not None:
        raise PulpOptionError("BIPNN_CMD: the callback option needs the solver in this process: use BIPNN")
    data = dataclasses.asdict(opts)
    data["warm_start"] = dict(opts.warm_start) if opts.warm_start else None
    return data


@contextlib.contextmanager
def _echo(msg: bool) -> Iterator[None]:
    """With ``msg``, print the ``bipnn_backends`` log to stdout, unless that logger has its own handlers."""
    if not msg or log.handlers:
        yield
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter("%(message)s"))
    saved = log.level, log.propagate
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        yield
    finally:
        log.removeHandler(handler)
        log.setLevel(saved[0])
        log.propagate = saved[1]
