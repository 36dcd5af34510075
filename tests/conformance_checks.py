"""The conformance checks, written once; test modules bind them to the entry points they can run."""

from __future__ import annotations

import pytest

import models
from bipnn_backends.errors import OptionError, UnboundedVariableError
from conformance import Entry


def check_solvable(entry: Entry, spec: models.Spec) -> None:
    """Proven answers: status, objective and written values agree with brute force; nothing written
    when infeasible."""
    optimum, _ = spec.brute_force()
    model, xs = entry.build(spec)
    out = entry.solve(model, xs, {"seed": 1})
    if optimum is None:
        assert out.kind == "infeasible" and out.objective is None
        assert all(v is None for v in out.values.values()), out.values
        return
    assert out.kind == "optimal", out
    assert models.is_close(out.objective, optimum), (out.objective, optimum)
    values = {n: float(v) for n, v in out.values.items()}
    assert all(models._holds(r, values) for r in spec.rows)
    assert models.is_close(spec.constant + sum(c * values[n] for n, c in spec.objective.items()), optimum)
    assert all(values[n] == round(values[n]) for n in values)


def check_mixed(entry: Entry) -> None:
    """A continuous variable is solved exactly (LP) and written back with the discrete ones."""
    model, xs = entry.build(models.CONTINUOUS)
    out = entry.solve(model, xs, {"seed": 1})
    assert out.kind == "optimal", out
    assert models.is_close(out.objective, models.CONTINUOUS_OPTIMUM), out.objective
    assert models.is_close(float(out.values["z"]), 3.0) and all(v is not None for v in out.values.values())


def check_model_error(entry: Entry, spec: models.Spec) -> None:
    """A model error (an integer that stays unbounded) is the core class and the host's class; the
    variables are left untouched."""
    model, xs = entry.build(spec)
    with pytest.raises(UnboundedVariableError) as err:
        entry.solve(model, xs, {})
    assert isinstance(err.value, entry.host_error) and "'z'" in str(err.value)
    assert all(getattr(v, "varValue", getattr(v, "value", None)) is None for v in xs.values())


def check_unbounded(entry: Entry) -> None:
    """An integer without an upper bound that the objective pushes up for ever: proven unbounded (the
    LP relaxation is unbounded and a feasible integer point exists), in the host's status."""
    model, xs = entry.build(models.UNBOUNDED)
    out = entry.solve(model, xs, {"time_limit": 5})
    assert out.kind == "unbounded", out


def check_option_error(entry: Entry) -> None:
    model, xs = entry.build(models.TINY)
    with pytest.raises(OptionError) as err:
        entry.solve(model, xs, {"seed": -1})
    assert isinstance(err.value, entry.host_error) and "'seed' must be >= 0, got -1" in str(err.value)


def check_time_limit(entry: Entry) -> None:
    """Past the exhaustive path, a time-limited search reports a verified point without a proof."""
    optimum, _ = models.COVER.brute_force()
    model, xs = entry.build(models.COVER)
    out = entry.solve(model, xs, {"time_limit": 0.3, "exhaustive_limit": 0, "seed": 0, "device": "cpu"})
    assert out.kind == "feasible", out
    assert out.time_limited in (True, None)
    values = {n: float(v) for n, v in out.values.items()}
    assert all(models._holds(r, values) for r in models.COVER.rows)
    assert out.objective >= optimum - 1e-9


def check_time_limit_zero(entry: Entry) -> None:
    """``time_limit=0`` is accepted everywhere: the cheapest constructions, reported with the host's
    time-limit status (Pyomo's own solver tests expect ``maxTimeLimit``)."""
    model, xs = entry.build(models.COVER)
    out = entry.solve(model, xs, {"time_limit": 0, "exhaustive_limit": 0})
    assert out.kind in ("feasible", "none"), out
    assert out.time_limited in (True, None)
    if out.kind == "feasible":
        values = {n: float(v) for n, v in out.values.items()}
        assert all(models._holds(r, values) for r in models.COVER.rows)
    else:
        assert all(v is None for v in out.values.values())
