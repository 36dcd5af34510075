"""Solver options: one canonical name each; adapters map host spellings onto them.

Unknown names and invalid values raise :class:`~bipnn_backends.errors.OptionError`
listing what is valid. Defaults come from the benchmarks in docs/benchmarks.md.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from typing import Any, Mapping

from .errors import OptionError

MODELS = ("logits", "hgnn+", "hypergcn", "unigcn")
PENALTY_METHODS = ("auto", "exact")


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask, which containers and ``taskset`` narrow):
    the default of ``threads``."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


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


def make_options(options: Options | Mapping[str, Any] | None = None, **overrides: Any) -> Options:
    """Build and validate :class:`Options` from a mapping and/or keywords (keywords win)."""
    if isinstance(options, Options):
        base = dataclasses.asdict(options)
        base["warm_start"] = options.warm_start
    else:
        base = dict(options or {})
    base.update(overrides)
    for key, cls in (("anneal", AnnealOptions), ("penalty", PenaltyOptions)):
        value = base.get(key)
        if isinstance(value, Mapping):
            base[key] = _build(cls, value, key)
        elif value is not None and not isinstance(value, cls):
            raise OptionError(f"option {key!r} must be a dict, got {type(value).__name__}")
    opts = _build(Options, base, "solver")
    _validate(opts)
    return opts


def _validate(o: Options) -> None:
    if o.time_limit is not None and not o.time_limit >= 0:
        raise OptionError(f"time_limit must be non-negative seconds or None, got {o.time_limit}")
    if o.epochs is not None and o.epochs < 0:
        raise OptionError(f"epochs must be >= 0, got {o.epochs}")
    if o.time_limit is None and o.epochs is None:
        raise OptionError("give time_limit or epochs (or both): the solver needs a stopping rule")
    if o.restarts < 1:
        raise OptionError(f"restarts must be >= 1, got {o.restarts}")
    if o.model not in MODELS:
        raise OptionError(f"model must be one of {', '.join(MODELS)}, got {o.model!r}")
    if o.penalty.method not in PENALTY_METHODS:
        raise OptionError(f"penalty method must be one of {', '.join(PENALTY_METHODS)}, got {o.penalty.method!r}")
    if o.penalty.weight is not None and not o.penalty.weight > 0:
        raise OptionError(f"penalty weight must be positive, got {o.penalty.weight}")
    if not isinstance(o.device, str) or not (o.device in ("auto", "cpu") or o.device.startswith("cuda")):
        raise OptionError(f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {o.device!r}")
    for name in ("fit_limit", "exhaustive_limit"):
        if not 0 <= getattr(o, name) <= 24:
            raise OptionError(f"{name} must be between 0 and 24, got {getattr(o, name)}")
    if isinstance(o.threads, bool) or not isinstance(o.threads, int) or o.threads < 1:
        raise OptionError(f"threads must be a positive integer, got {o.threads!r}")
    if o.cluster is not None and (not isinstance(o.cluster, str) or not o.cluster):
        raise OptionError(f"cluster must be None, 'auto' or a Ray address such as 'ray://host:10001', "
                          f"got {o.cluster!r}")
    if o.workers is not None and (isinstance(o.workers, bool) or not isinstance(o.workers, int) or o.workers < 1):
        raise OptionError(f"workers must be a positive integer or None, got {o.workers!r}")
    for name, low in (("num_cpus", 0.0), ("num_gpus", 0.0)):
        value = getattr(o, name)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low \
                or (name == "num_cpus" and value == 0):
            raise OptionError(f"{name} must be a {'positive' if name == 'num_cpus' else 'non-negative'} "
                              f"number, got {value!r}")
    if o.hidden < 1 or o.lr <= 0 or o.max_monomials < 1 or o.tolerance < 0:
        raise OptionError("hidden, lr and max_monomials must be positive and tolerance non-negative")
