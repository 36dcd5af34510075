"""The ``bipnn`` command line: solve an MPS, OPB or WCNF model with BIPNN.

    bipnn solve MODEL.mps [--time-limit S] [--seed N] [--device D] [--solution OUT]
                          [--json] [--quiet] [--option NAME=VALUE ...] [--options FILE.json]
    bipnn --version | --help

Exit codes: 0 optimal or feasible, 1 internal error, 2 bad command line or option,
3 bad model (unreadable, or not a bounded binary/integer program), 4 proven
infeasible, 5 no feasible solution found, 130 interrupted before the search
started. See docs/cli.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from typing import Any, Sequence

from ._version import __version__
from .adapters._kit import clock_started, echo_log, options_from_host, parse_assignments, time_left
from .errors import BipnnError, ModelError, OptionError
from .formats import is_core_format, read_mps, read_problem, solution
from .pool import pool_document
from .solve import solve

log = logging.getLogger("bipnn_backends")


class _UsageError(Exception):
    pass


def _pulp_compat() -> Any:
    """The PuLP adapter's version shims, or None without PuLP: the command line itself needs no PuLP
    (``pip install bipnn_backends`` alone); PuLP only names its version and its MPS convention."""
    try:
        from .adapters.pulp import compat
    except ImportError:
        return None
    return compat


def _pulp4() -> bool:
    """True when the installed PuLP is 4.x (its MPS files negate a maximised objective)."""
    compat = _pulp_compat()
    return compat is not None and compat.PULP4


def _pulp_version() -> str:
    compat = _pulp_compat()
    return "" if compat is None else f"pulp {compat.PULP_VERSION}, "


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bipnn", description="BIPNN: binary and bounded-integer programs solved by a hypergraph neural network.",
        epilog="exit codes: 0 optimal/feasible, 1 internal error, 2 usage, 3 bad model, 4 infeasible, "
               "5 no solution found, 130 interrupted")
    parser.add_argument("--version", action="version",
                        version=f"bipnn {__version__} ({_pulp_version()}Python {sys.version.split()[0]})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    s = sub.add_parser("solve", help="solve a model file", description="Solve a model file (MPS, OPB or WCNF) with BIPNN.")
    s.add_argument("model", metavar="MODEL",
                   help="model file: .mps (an OBJSENSE section sets maximisation), .opb (pseudo-Boolean) or "
                        ".wcnf (weighted MaxSAT), each optionally gzipped (.gz)")
    s.add_argument("--time-limit", type=float, metavar="S", help="seconds (default 10)")
    s.add_argument("--seed", type=int, metavar="N", help="random seed (default 0)")
    s.add_argument("--device", metavar="D", help="auto, cpu, cuda or cuda:N (default auto)")
    s.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: every CPU the process may use)")
    s.add_argument("--cluster", metavar="ADDR", help="run a portfolio on a Ray cluster: 'auto' or its address")
    s.add_argument("--deadline", type=float, metavar="T",
                   help="also stop by this wall-clock time (seconds since the epoch), start-up included")
    s.add_argument("--solution", metavar="OUT", help="write the solution here (JSON if OUT ends with .json, else text)")
    s.add_argument("--json", action="store_true", help="print the solution document as JSON instead of a summary")
    s.add_argument("--quiet", action="store_true", help="print nothing but errors (and --json output)")
    s.add_argument("--pool", type=int, metavar="K", help="keep the K best distinct solutions (JSON \"pool\")")
    s.add_argument("--plot", metavar="FILE", help="save a convergence plot (PNG, SVG or PDF; needs matplotlib)")
    s.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                   help="any solver option by its canonical name, e.g. epochs=200 or anneal='{\"alpha\": 3}'")
    s.add_argument("--options", metavar="FILE", help="a JSON object of solver options (the flags above win)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code. As the process's own command (``argv`` None:
    the ``bipnn`` script, ``python -m``) it ends the process right after a solve (see :func:`_exit_now`)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else solution.EXIT_USAGE
    if args.command != "solve":
        parser.print_help(sys.stderr)
        return solution.EXIT_USAGE
    rc = _checked_solve(args)
    if argv is None and "ray" not in sys.modules:  # no cluster connection to shut down at exit
        _exit_now(rc)
    return rc


def _exit_now(rc: int) -> None:
    """End the process without the interpreter's teardown: freeing a big model and torch's and
    numba's modules takes up to a second at 200k variables, and BIPNN_CMD's parent waits for the
    exit. Everything the command writes is written by now; the streams are flushed here."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(rc)


def _checked_solve(args: argparse.Namespace) -> int:
    """:func:`_solve`, with the errors a user can act on turned into a message and an exit code."""
    try:
        return _solve(args)
    except (_UsageError, OptionError) as exc:
        print(f"bipnn: {exc}", file=sys.stderr)
        return solution.EXIT_USAGE
    except ModelError as exc:
        print(f"bipnn: {exc}", file=sys.stderr)
        return solution.EXIT_BAD_MODEL
    except BipnnError as exc:
        print(f"bipnn: error: {exc}", file=sys.stderr)
        return solution.EXIT_ERROR
    except KeyboardInterrupt:
        print("bipnn: interrupted before the search started; no solution", file=sys.stderr)
        return solution.EXIT_INTERRUPTED


def _solve(args: argparse.Namespace) -> int:
    if args.plot:  # before the clock starts: importing matplotlib takes a while
        _check_plot(args.plot)
    started, wall_started = clock_started(), time.time()  # the time limit includes reading the model
    options = _options(args)
    interactive = not args.quiet and sys.stderr.isatty()
    warm = options.pop("warm_start", None)
    if warm is not None and not isinstance(warm, dict):
        raise _UsageError(f"option 'warm_start' must map variable names to values, got {warm!r}")
    # the log and the progress display: on a terminal, or asked for (--option verbose=true; BIPNN_CMD(msg=True))
    options["verbose"] = interactive or (not args.quiet and bool(options.get("verbose", False)))
    checked = options_from_host(options)  # every option checked before the model is read
    limit = checked.time_limit
    if args.deadline is not None:  # a caller's deadline (BIPNN_CMD's): this process's start-up counts too
        left = max(0.0, args.deadline - wall_started)
        limit = options["time_limit"] = left if limit is None else min(limit, left)
    if args.solution:
        _check_writable(args.solution, "the solution")
    if is_core_format(args.model):  # OPB / WCNF
        problem = read_problem(args.model)
    else:  # MPS: a *SENSE:Maximize comment alone is read with the installed PuLP's convention
        problem = read_mps(args.model, negated_max=_pulp4())
    if warm:  # variables are keyed by their names in the file
        known = {v.key for v in problem.variables} | {c.key for c in problem.columns}
        unknown = [n for n in warm if n not in known]
        if unknown:
            raise _UsageError(f"warm start names unknown variable(s) {', '.join(map(repr, unknown[:5]))}")
    if problem.n_binaries > checked.exhaustive_limit and limit != 0:  # the search will need the engine
        _import_engine()
    opts = time_left(options_from_host(options, warm_start=warm), started)
    with echo_log([sys.stderr] if opts.verbose and not log.hasHandlers() else []):
        result = solve(problem, opts)
        log.info("bipnn: %s", result.message)
    doc = solution.document(result)
    if args.pool or len(result.pool) > 1:
        doc["pool"] = pool_document(result.pool)
    if args.plot:
        result.plot(args.plot)
    if args.solution:
        solution.write(doc, args.solution)
    if args.json:
        print(solution.to_json(doc))
    elif not args.quiet:
        _summary(doc, len(result.values or {}), args.solution, args.plot)
    return solution.EXIT_BY_STATUS[result.solution_status]


def _import_engine() -> None:
    """Import the engine (torch, numba) inside the time limit: ``solve`` leaves a first import out
    of it, as suits a long-lived process, but every run of this command is a first run."""
    try:
        from .engine import search  # noqa: F401
    except ImportError:  # no torch here: solve() says so if the model needs the engine
        pass


def _check_writable(path: str, what: str) -> None:
    """Refuse an unwritable --solution or --plot path before the solve, not after it."""
    existed = os.path.exists(path)
    try:
        with open(path, "a"):
            pass
    except OSError as exc:
        raise _UsageError(f"cannot write {what} to {path!r}: {exc.strerror or exc}") from None
    if not existed:
        os.remove(path)


def _check_plot(path: str) -> None:
    """Refuse a --plot the solve could not end with (no matplotlib, an image format it does not write,
    an unwritable path) before the solve, not after it."""
    from .plot import _matplotlib
    try:
        formats = _matplotlib()().canvas.get_supported_filetypes()
    except ImportError as exc:
        raise _UsageError(f"--plot: {exc}") from None
    ext = os.path.splitext(path)[1].lstrip(".").lower()
    if ext not in formats:
        raise _UsageError(f"--plot {path!r}: the file name must end with an image format matplotlib writes "
                          f"(.png, .svg, .pdf, ...), got {'.' + ext if ext else 'no extension'!r}")
    _check_writable(path, "the plot")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    """Options by canonical name: the --options file, then --option pairs, then the flags."""
    options: dict[str, Any] = {}
    if args.options:
        try:
            with open(args.options) as f:
                loaded = json.load(f)
        except (OSError, ValueError) as exc:
            raise _UsageError(f"cannot read the options file {args.options!r}: {exc}") from None
        if not isinstance(loaded, dict):
            raise _UsageError(f"the options file {args.options!r} must hold a JSON object")
        options.update(loaded)
    options.update(parse_assignments(args.option, "--option"))
    for name, value in (("time_limit", args.time_limit), ("seed", args.seed), ("device", args.device),
                        ("pool_size", args.pool), ("threads", args.threads), ("cluster", args.cluster)):
        if value is not None:
            options[name] = value
    return options


def _summary(doc: dict[str, Any], n_values: int, path: str | None, plot: str | None) -> None:
    print(f"status     {doc['solution_status']} ({doc['termination']}): {doc['message']}")
    if doc["objective"] is not None:
        print(f"objective  {doc['objective']:.10g}")
    stats = doc["stats"]
    if "time_total" in stats:
        print(f"time       {float(stats['time_total']):.2f} s")
    if n_values:
        print(f"variables  {n_values}")
    if path:
        print(f"solution   {path}")
    if plot:
        print(f"plot       {plot}")


if __name__ == "__main__":
    sys.exit(main())
