"""What every host adapter shares, written once: error classes, option mapping, log echo.

- :func:`host_errors` generates a host's error classes from one complete table
  (the core class first, the host's class second), and :func:`raising_host_errors`
  is the one context manager that turns core errors into them at every entry.
- :func:`options_from_host` owns every rule about host-level options (time limit
  versus epochs, msg/tee/verbose, warm start, threads); :func:`parse_assignments`
  reads ``NAME=VALUE`` strings (the CLI's ``--option``, PuLP's ``options`` list).
- :func:`clock_started` and :func:`time_left` make a host's time limit hold from the
  moment its solve entry is called: translation is deducted from what ``solve`` gets.
- :func:`echo_log` shows the ``bipnn_backends`` log of one solve on its host's
  streams, per thread, so concurrent solves keep their own lines.

The variable map keyed by identity is the core's
:meth:`~bipnn_backends.core.problem.BinaryProblem.encoding`; each adapter keeps
its host variables in a list and passes the position as the variable's key.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import threading
import time
from typing import Any, Callable, Iterator, Mapping, Sequence, TextIO

from ..errors import (BipnnError, ContinuousVariableError, ExpansionLimitError, ModelError,
                      NonFiniteCoefficientError, OptionError, UnboundedVariableError, UndefinedFunctionError,
                      UnsupportedExpressionError)
from ..options import Options, make_options
from ..progress import SOLVE_THREAD

LOGGER = "bipnn_backends"

#: Every core error, each after its subclasses (the order :func:`as_host_error` matches in).
CORE_ERRORS: tuple[type[BipnnError], ...] = (
    ContinuousVariableError, UnboundedVariableError, NonFiniteCoefficientError, UndefinedFunctionError,
    ExpansionLimitError, UnsupportedExpressionError, ModelError, OptionError, BipnnError,
)

ErrorTable = Mapping[type, type]


def host_errors(prefix: str, host_base: type[Exception], module: str,
                model_base: type[Exception] | None = None) -> dict[type, type]:
    """One host class per core error: ``<prefix><CoreName>`` (the base: ``Bipnn<prefix>Error``).

    Each derives from its core class first and from the host flavour of the core
    parent second, so ``except ContinuousVariableError`` and ``except <host error>``
    both catch it. ``model_base`` (e.g. Pyomo's ``IncompatibleModelError``) is added
    to the model error's bases.
    """
    table: dict[type, type] = {}
    for core in reversed(CORE_ERRORS):  # parents before children
        if core is BipnnError:
            name, bases = f"Bipnn{prefix}Error", (BipnnError, host_base)
        else:
            name, bases = f"{prefix}{core.__name__}", (core, table[core.__mro__[1]])
            if core is ModelError and model_base is not None:
                bases += (model_base,)
        doc = f"{(core.__doc__ or '').strip()} (also a ``{host_base.__name__}``)"
        table[core] = type(name, bases, {"__doc__": doc, "__module__": module})
    return table


def as_host_error(exc: BipnnError, table: ErrorTable) -> BipnnError:
    """The host flavour of ``exc`` (same message); an exception already from ``table`` as is."""
    if isinstance(exc, tuple(table.values())):
        return exc
    core = next(c for c in CORE_ERRORS if isinstance(exc, c))
    return table[core](str(exc))


@contextlib.contextmanager
def raising_host_errors(table: ErrorTable, where: Callable[[], str] | None = None) -> Iterator[None]:
    """Re-raise every core error inside the block as its host class (the cause kept).

    ``where`` names the part of the model being translated when the error happened (a translator's
    current objective or constraint): a model error's message starts with it unless it names it already.
    Host classes raised inside the block pass unchanged."""
    try:
        yield
    except BipnnError as exc:
        host = as_host_error(exc, table)
        if host is exc:
            raise
        if where is not None and isinstance(exc, ModelError):
            place, text = where(), str(exc)
            if not text.startswith(place):
                host = type(host)(f"{place}: {text}")
        raise host from exc


# -- options ------------------------------------------------------------------------------
def options_from_host(options: Mapping[str, Any] | None = None, *, time_limit: Any = None,
                      verbose: Any = False, warm_start: Mapping[Any, float] | None = None, threads: Any = None,
                      aliases: Mapping[str, str] | None = None) -> Options:
    """Core :class:`Options` from a host's common settings plus options by canonical name.

    Rules, the same on every host: a host time limit wins over ``options["time_limit"]``;
    with neither, ``epochs`` alone means no time limit and otherwise the core's default
    applies; output is on when the host asks for it (msg, tee, verbose) or
    ``options["verbose"]`` is True; a host's ``threads`` wins over ``options["threads"]``.
    ``aliases`` name the host's spellings in error messages.
    """
    aliases = dict(aliases or {})
    kw = dict(options or {})
    if threads is not None:
        kw["threads"] = threads
    if time_limit is not None:
        kw["time_limit"] = time_limit
    elif "time_limit" not in kw and kw.get("epochs") is not None:
        kw["time_limit"] = None
    kw["verbose"] = bool(verbose) or kw.get("verbose", False)
    if warm_start:
        kw["warm_start"] = dict(warm_start)
    return make_options(kw, aliases=aliases)


def parse_assignments(pairs: Sequence[str], what: str) -> dict[str, Any]:
    """``["epochs=200", "anneal={\\"alpha\\": 3}"]`` -> options; values are JSON, else strings."""
    out: dict[str, Any] = {}
    for pair in pairs:
        if not isinstance(pair, str):
            raise OptionError(f"{what} wants NAME=VALUE strings, got {pair!r}")
        name, sep, text = pair.partition("=")
        if not sep or not name.strip():
            raise OptionError(f"{what} wants NAME=VALUE, got {pair!r}")
        try:
            out[name.strip()] = json.loads(text)
        except ValueError:
            out[name.strip()] = text
    return out


# -- time limit -------------------------------------------------------------------------------
def now() -> float:
    """The kit's clock in seconds (``time.perf_counter``; the one name tests replace)."""
    return time.perf_counter()


def clock_started() -> float:
    """The moment a host's solve entry is called: the time limit counts from here."""
    return now()


def time_left(opts: Options, started: float) -> Options:
    """``opts`` with the time limit reduced by the seconds since ``started`` (translation and
    anything else the adapter did). When none is left, ``time_limit`` is 0: ``solve`` returns the
    best of its cheapest constructions with termination ``time_limit``, as for ``time_limit=0``.
    No time limit (epochs only) stays as it is."""
    if opts.time_limit is None:
        return opts
    return dataclasses.replace(opts, time_limit=max(0.0, opts.time_limit - (now() - started)))


# -- log echo ---------------------------------------------------------------------------------
class _EchoHandler(logging.StreamHandler):
    """A stream handler for the records of one thread (and of the progress display it started)."""

    def __init__(self, stream: TextIO, thread: int) -> None:
        super().__init__(stream)
        self.setFormatter(logging.Formatter("%(message)s"))
        self.addFilter(lambda record: getattr(record, SOLVE_THREAD, record.thread) == thread)


_echo_lock = threading.Lock()
_echo_state: dict[str, Any] = {"active": 0, "saved": None}


@contextlib.contextmanager
def echo_log(streams: Sequence[TextIO], capture: TextIO | None = None, exclusive: bool = False,
             unless_configured: bool = False) -> Iterator[None]:
    """Write this thread's ``bipnn_backends`` log records to ``streams`` for the block.

    While any echo to streams is active the logger passes INFO; with ``exclusive`` it also
    stops propagating (no doubled lines through a configured root logger). The first
    settings come back when the last echo ends, whatever the order in which concurrent
    solves finish. ``capture`` receives the same records (or, without streams, whatever
    the logger passes at its own level) and changes no setting. ``unless_configured``:
    no echo to streams when the user gave the logger handlers of their own.
    """
    logger = logging.getLogger(LOGGER)
    if unless_configured and any(not isinstance(h, _EchoHandler) for h in logger.handlers):
        streams = []
    thread = threading.get_ident()
    handlers = [_EchoHandler(s, thread) for s in list(streams) + ([capture] if capture is not None else [])]
    if not handlers:
        yield
        return
    with _echo_lock:
        if streams:
            if _echo_state["active"] == 0:
                _echo_state["saved"] = (logger.level, logger.propagate)
            _echo_state["active"] += 1
            if logger.getEffectiveLevel() > logging.INFO:
                logger.setLevel(logging.INFO)
            if exclusive:
                logger.propagate = False
        for h in handlers:
            logger.addHandler(h)
    try:
        yield
    finally:
        with _echo_lock:
            for h in handlers:
                logger.removeHandler(h)
            if streams:
                _echo_state["active"] -= 1
                if _echo_state["active"] == 0:
                    logger.setLevel(_echo_state["saved"][0])
                    logger.propagate = _echo_state["saved"][1]
