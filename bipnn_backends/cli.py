"""The ``bipnn`` command line: solve an MPS model with BIPNN.

    bipnn solve MODEL.mps [--time-limit S] [--seed N] [--device D] [--solution OUT]
                          [--json] [--quiet] [--option NAME=VALUE ...] [--options FILE.json]
    bipnn --version | --help

Exit codes: 0 optimal or feasible, 1 internal error, 2 bad command line or option,
3 bad model (unreadable, or not a bounded binary/integer program), 4 proven
infeasible, 5 no feasible solution found. See docs/cli.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import Any, Sequence

from . import __version__
from .adapters.pulp import compat, solution
from .adapters.pulp.solvers import BIPNN
from .errors import BipnnError, ModelError, OptionError

log = logging.getLogger("bipnn_backends")


class _UsageError(Exception):
    pass


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bipnn", description="BIPNN: binary and bounded-integer programs solved by a hypergraph neural network.",
        epilog="exit codes: 0 optimal/feasible, 1 internal error, 2 usage, 3 bad model, 4 infeasible, "
               "5 no solution found")
    parser.add_argument("--version", action="version",
                        version=f"bipnn {__version__} (pulp {compat.PULP_VERSION}, Python {sys.version.split()[0]})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    s = sub.add_parser("solve", help="solve a model file", description="Solve an MPS model with BIPNN.")
    s.add_argument("model", metavar="MODEL", help="model file (.mps; an OBJSENSE section sets maximisation)")
    s.add_argument("--time-limit", type=float, metavar="S", help="seconds (default 10)")
    s.add_argument("--seed", type=int, metavar="N", help="random seed (default 0)")
    s.add_argument("--device", metavar="D", help="auto, cpu, cuda or cuda:N (default auto)")
    s.add_argument("--threads", type=int, metavar="N", help="CPU threads (default: every CPU the process may use)")
    s.add_argument("--cluster", metavar="ADDR", help="run a portfolio on a Ray cluster: 'auto' or its address")
    s.add_argument("--solution", metavar="OUT", help="write the solution here (JSON if OUT ends with .json, else text)")
    s.add_argument("--json", action="store_true", help="print the solution document as JSON instead of a summary")
    s.add_argument("--quiet", action="store_true", help="print nothing but errors (and --json output)")
    s.add_argument("--option", action="append", default=[], metavar="NAME=VALUE",
                   help="any solver option by its canonical name, e.g. epochs=200 or anneal='{\"alpha\": 3}'")
    s.add_argument("--options", metavar="FILE", help="a JSON object of solver options (the flags above win)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else solution.EXIT_USAGE
    if args.command != "solve":
        parser.print_help(sys.stderr)
        return solution.EXIT_USAGE
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


def _solve(args: argparse.Namespace) -> int:
    options = _options(args)
    interactive = not args.quiet and sys.stderr.isatty()
    warm = options.pop("warm_start", None)
    options.pop("verbose", None)
    time_limit = options.pop("time_limit", None)
    solver = BIPNN(msg=interactive, timeLimit=time_limit, warmStart=bool(warm), **options)
    lp = _read_model(args.model)
    if warm:
        try:
            lp.assignVarsVals(warm)
        except KeyError as exc:
            raise _UsageError(f"warm start names an unknown variable {exc}") from None
    if interactive and not log.hasHandlers():
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    lp.solve(solver)
    result = solver.result
    doc = solution.document(result)
    if args.solution:
        solution.write(doc, args.solution)
    if args.json:
        print(solution.to_json(doc))
    elif not args.quiet:
        _summary(doc, len(result.values or {}), args.solution)
    return solution.EXIT_BY_STATUS[result.status]


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
    for pair in args.option:
        name, sep, text = pair.partition("=")
        if not sep or not name:
            raise _UsageError(f"--option wants NAME=VALUE, got {pair!r}")
        try:
            options[name.strip()] = json.loads(text)
        except ValueError:
            options[name.strip()] = text
    for name, value in (("time_limit", args.time_limit), ("seed", args.seed), ("device", args.device),
                        ("threads", args.threads), ("cluster", args.cluster)):
        if value is not None:
            options[name] = value
    return options


def _read_model(path: str) -> Any:
    if not os.path.isfile(path):
        raise ModelError(f"no such model file: {path!r}")
    if path.lower().endswith(".lp"):
        raise ModelError(f"{path}: PuLP has no reader for the LP format; write the model as MPS instead "
                         "(prob.writeMPS('model.mps', with_objsense=True))")
    try:
        return compat.read_mps(path, _objsense(path))
    except Exception as exc:  # PuLP's reader raises anything from KeyError to PulpError on a bad file
        raise ModelError(f"{path}: cannot read it as MPS ({type(exc).__name__}: {exc})") from exc


def _objsense(path: str) -> bool | None:
    """True/False from an OBJSENSE section (MAX/MAXIMIZE or MIN/MINIMIZE), None if there is none."""
    with open(path) as f:
        pending = False
        for line in f:
            words = line.split()
            if not words or words[0].startswith("*"):
                continue
            if pending:
                return words[0].upper().startswith("MAX")
            if words[0].upper() == "OBJSENSE":
                if len(words) > 1:
                    return words[1].upper().startswith("MAX")
                pending = True
            elif words[0].upper() in ("ROWS", "COLUMNS"):
                return None
    return None


def _summary(doc: dict[str, Any], n_values: int, path: str | None) -> None:
    print(f"status     {doc['status']}: {doc['message']}")
    if doc["objective"] is not None:
        print(f"objective  {doc['objective']:.10g}")
    stats = doc["stats"]
    if "time_total" in stats:
        print(f"time       {float(stats['time_total']):.2f} s")
    if n_values:
        print(f"variables  {n_values}")
    if path:
        print(f"solution   {path}")


if __name__ == "__main__":
    sys.exit(main())
