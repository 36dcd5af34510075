"""Solver options: one canonical name each; adapters map host spellings onto them.

Unknown names and invalid values raise :class:`~bipnn_backends.errors.OptionError`
listing what is valid. Defaults come from the benchmarks in docs/benchmarks.md.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from .errors import OptionError

MODELS = ("logits", "hgnn+", "hypergcn", "unigcn")
PENALTY_METHODS = ("auto", "exact")
RELAXATIONS = ("softmax", "sigmoid")


THREAD_CAPS = ("OMP_NUM_THREADS", "NUMBA_NUM_THREADS")  # set to a positive integer: cap the default threads


def available_cpus() -> int:
    """The default of ``threads``: CPUs this process may run on (its affinity mask, which containers
    and ``taskset`` narrow), capped by ``OMP_NUM_THREADS`` / ``NUMBA_NUM_THREADS`` when set."""
    try:
        n = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        n = os.cpu_count() or 1
    for var in THREAD_CAPS:
        value = os.environ.get(var, "").strip()
        if value.isdigit() and int(value) > 0:
            n = min(n, int(value))
    return max(1, n)


@dataclass
class AnnealOptions:
    """Continuous relaxation annealing: gamma(t) runs from gamma_start*s to gamma_end*s
    (s = the instance's gradient scale at x = 0.5) over the training window (``fraction``
    of the time limit; all epochs when ``epochs`` bounds training instead);
    the annealing term is gamma * sum(1 - (2x - 1)^alpha)."""

    gamma_start: float = -1.0
    gamma_end: float = 1.0
    alpha: float = 2.0
    fraction: float = 0.1  # share of the time limit spent training; see docs/benchmarks.md


@dataclass
class PenaltyOptions:
    """method: "auto" (linear constraints as sparse A x - b blocks, small nonlinear ones as
    exact polynomials) or "exact" (every constraint with at most ``exact_limit`` variables as
    an exact polynomial). weight: overrides the automatic factor (objective range + margin)."""

    method: str = "auto"
    weight: float | None = None
    exact_limit: int = 12


@dataclass
class Options:
    """Every option ``solve`` understands, with its canonical name."""

    time_limit: float | None = 10.0
    seed: int = 0
    device: str = "auto"
    epochs: int | None = None
    restarts: int = 32
    model: str = "logits"
    relaxation: str = "softmax"  # one-hot groups as one categorical each, or independent sigmoids (docs/engine.md)
    hidden: int = 64
    lr: float = 0.1
    anneal: AnnealOptions = field(default_factory=AnnealOptions)
    penalty: PenaltyOptions = field(default_factory=PenaltyOptions)
    polish: bool = True
    verbose: bool = False
    fit_limit: int = 12
    max_monomials: int = 5_000_000
    exhaustive_limit: int = 16
    warm_start: Mapping[str, float] | None = None
    tolerance: float = 1e-6
    pool_size: int = 1          # solutions kept in result.pool (docs/extras.md)
    pool_distance: int = 1      # least number of variables in which two pooled solutions differ
    callback: Callable[[Any], Any] | None = None  # fn(event) on each new best verified point
    threads: int = field(default_factory=available_cpus)  # 1 = one chain pair on one core (docs/parallel.md)
    cluster: str | None = None      # None (this process), "auto" (running Ray cluster) or a Ray address
    workers: int | None = None      # Ray portfolio members (None: one per CPU of the cluster)
    num_cpus: float = 1.0           # per Ray worker
    num_gpus: float = 0.0           # per Ray worker


def _build(cls: type, values: Mapping[str, Any], where: str) -> Any:
    names = [f.name for f in dataclasses.fields(cls)]
    unknown = [k for k in values if k not in names]
    if unknown:
        raise OptionError(f"unknown {where} option(s) {', '.join(map(repr, unknown))}; valid: {', '.join(names)}")
    return cls(**values)


def deadline_at(t0: float, time_limit: float | None) -> float | None:
    """The absolute deadline of a solve started at ``t0`` (perf_counter), or None for no time limit
    (None or infinite: never t0 + inf)."""
    return None if time_limit is None or not math.isfinite(time_limit) else t0 + time_limit


def make_options(options: Options | Mapping[str, Any] | None = None, *, aliases: Mapping[str, str] | None = None,
                 **overrides: Any) -> Options:
    """Build and validate :class:`Options` from a mapping and/or keywords (keywords win).

    Every value is checked here, so a bad one fails when a solver object is built,
    with an :class:`OptionError` naming the option and the value. ``aliases`` maps a
    canonical name to the host's spelling of it (``time_limit`` -> ``timeLimit``) for
    those messages. ``time_limit=inf`` means no time limit.
    """
    if isinstance(options, Options):
        # shallow: asdict would deep-copy the callback (and the object its bound method belongs to)
        base = {f.name: getattr(options, f.name) for f in dataclasses.fields(Options)}
        base["anneal"], base["penalty"] = dataclasses.replace(options.anneal), dataclasses.replace(options.penalty)
    else:
        base = dict(options or {})
    base.update(overrides)
    names = dict(aliases or {})
    for key, cls in (("anneal", AnnealOptions), ("penalty", PenaltyOptions)):
        value = base.get(key)
        if isinstance(value, Mapping):
            base[key] = _build(cls, value, key)
        elif value is not None and not isinstance(value, cls):
            raise OptionError(f"option {key!r} must be a dict, got {value!r}")
    opts = _build(Options, base, "solver")
    _validate(opts, names)
    return opts


def _name(field_name: str, aliases: Mapping[str, str]) -> str:
    host = aliases.get(field_name)
    return f"{host!r} ({field_name})" if host and host != field_name else repr(field_name)


def _integer(obj: Any, attr: str, low: int | None, high: int | None, aliases: Mapping[str, str],
             optional: bool = False, where: str = "") -> None:
    value = getattr(obj, attr)
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise OptionError(f"option {where}{_name(attr, aliases)} must be an integer, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        rng = f">= {low}" if high is None else f"between {low} and {high}"
        raise OptionError(f"option {where}{_name(attr, aliases)} must be {rng}, got {value!r}")
    setattr(obj, attr, int(value))


def _real(obj: Any, attr: str, aliases: Mapping[str, str], low: float | None = None, strict: bool = False,
          optional: bool = False, where: str = "", allow_inf: bool = False) -> None:
    value = getattr(obj, attr)
    if optional and value is None:
        return
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise OptionError(f"option {where}{_name(attr, aliases)} must be a number, got {value!r}")
    value = float(value)
    if math.isnan(value) or (math.isinf(value) and not allow_inf):
        raise OptionError(f"option {where}{_name(attr, aliases)} must be finite, got {value!r}")
    if low is not None and (value <= low if strict else value < low):
        raise OptionError(f"option {where}{_name(attr, aliases)} must be {'>' if strict else '>='} {low:g}, "
                          f"got {value!r}")
    setattr(obj, attr, value)


def _boolean(obj: Any, attr: str, aliases: Mapping[str, str]) -> None:
    value = getattr(obj, attr)
    if not isinstance(value, (bool, np.bool_)):
        raise OptionError(f"option {_name(attr, aliases)} must be True or False, got {value!r}")
    setattr(obj, attr, bool(value))


def _validate(o: Options, aliases: Mapping[str, str]) -> None:
    _real(o, "time_limit", aliases, low=0.0, optional=True, allow_inf=True)
    if o.time_limit is not None and math.isinf(o.time_limit):
        o.time_limit = None  # inf: no time limit (then epochs must bound the search)
    _integer(o, "epochs", 0, None, aliases, optional=True)
    if o.time_limit is None and o.epochs is None:
        raise OptionError(f"option {_name('time_limit', aliases)} is unlimited and 'epochs' is not set: "
                          "give a finite time limit or epochs (or both), the solver needs a stopping rule")
    _integer(o, "seed", 0, None, aliases)
    _integer(o, "restarts", 1, None, aliases)
    if o.model not in MODELS:
        raise OptionError(f"option 'model' must be one of {', '.join(MODELS)}, got {o.model!r}")
    if o.relaxation not in RELAXATIONS:
        raise OptionError(f"option 'relaxation' must be one of {', '.join(RELAXATIONS)}, got {o.relaxation!r}")
    _integer(o, "hidden", 1, None, aliases)
    _real(o, "lr", aliases, low=0.0, strict=True)
    for attr in ("gamma_start", "gamma_end"):
        _real(o.anneal, attr, aliases, where="anneal ")
    _real(o.anneal, "alpha", aliases, low=0.0, strict=True, where="anneal ")
    _real(o.anneal, "fraction", aliases, low=0.0, where="anneal ")
    if o.anneal.fraction > 1:
        raise OptionError(f"option anneal 'fraction' must be between 0 and 1, got {o.anneal.fraction!r}")
    if o.penalty.method not in PENALTY_METHODS:
        raise OptionError(f"option penalty 'method' must be one of {', '.join(PENALTY_METHODS)}, "
                          f"got {o.penalty.method!r}")
    _real(o.penalty, "weight", aliases, low=0.0, strict=True, optional=True, where="penalty ")
    _integer(o.penalty, "exact_limit", 0, 24, aliases, where="penalty ")
    _boolean(o, "polish", aliases)
    _boolean(o, "verbose", aliases)
    if not isinstance(o.device, str) or not (o.device in ("auto", "cpu") or o.device.startswith("cuda")):
        raise OptionError(f"option 'device' must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {o.device!r}")
    for attr in ("fit_limit", "exhaustive_limit"):
        _integer(o, attr, 0, 24, aliases)
    _integer(o, "max_monomials", 1, None, aliases)
    if o.warm_start is not None and not isinstance(o.warm_start, Mapping):
        raise OptionError(f"option {_name('warm_start', aliases)} must map variables to values, "
                          f"got {type(o.warm_start).__name__}")
    _real(o, "tolerance", aliases, low=0.0)
    _integer(o, "pool_size", 1, None, aliases)
    _integer(o, "pool_distance", 1, None, aliases)
    if o.callback is not None and not callable(o.callback):
        raise OptionError(f"option {_name('callback', aliases)} must be a function of one argument (the event), "
                          f"got {o.callback!r}")
    _integer(o, "threads", 1, None, aliases)
    if o.cluster is not None and (not isinstance(o.cluster, str) or not o.cluster):
        raise OptionError(f"option {_name('cluster', aliases)} must be None, 'auto' or a Ray address such as "
                          f"'ray://host:10001', got {o.cluster!r}")
    _integer(o, "workers", 1, None, aliases, optional=True)
    _real(o, "num_cpus", aliases, low=0.0, strict=True)
    _real(o, "num_gpus", aliases, low=0.0)
