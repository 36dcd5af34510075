"""Option values are checked when a solver object is built, on every host and in the CLI.

Each error is an OptionError (and the host's error class), naming the option and the value.
"""

from __future__ import annotations

import math

import cvxpy as cp
import pulp
import pyomo.environ as pyo
import pytest
from pyomo.common.errors import PyomoException
from pyomo.contrib.solver.common.factory import SolverFactory as NewSolverFactory

import bipnn_backends  # noqa: F401  (registers)
from bipnn_backends import OptionError
from bipnn_backends.adapters.cvxpy.solver import BIPNN as CvxpyBIPNN
from bipnn_backends.formats import solution
from bipnn_backends.cli import main
from bipnn_backends.options import make_options
from bipnn_backends.pulp import BIPNN, BIPNN_CMD, PulpOptionError

#: (option, bad value, what the message must say)
BAD = [
    ("seed", -1, "'seed' must be >= 0, got -1"),
    ("seed", "abc", "'seed' must be an integer, got 'abc'"),
    ("restarts", 2.5, "'restarts' must be an integer, got 2.5"),
    ("restarts", 0, "'restarts' must be >= 1, got 0"),
    ("polish", "no", "'polish' must be True or False, got 'no'"),
    ("time_limit", "2", "'time_limit' must be a number, got '2'"),
    ("time_limit", -1, "'time_limit' must be >= 0, got -1.0"),
    ("time_limit", math.nan, "'time_limit' must be finite, got nan"),
    ("hidden", 0, "'hidden' must be >= 1, got 0"),
    ("lr", 0, "'lr' must be > 0, got 0.0"),
    ("max_monomials", 0, "'max_monomials' must be >= 1, got 0"),
    ("tolerance", -1e-3, "'tolerance' must be >= 0, got -0.001"),
    ("epochs", 1.5, "'epochs' must be an integer, got 1.5"),
    ("model", "gcn", "'model' must be one of"),
]


@pytest.mark.parametrize("name, value, text", BAD)
def test_core(name, value, text):
    with pytest.raises(OptionError) as err:
        make_options({name: value})
    assert text in str(err.value)


def test_time_limit_zero_is_accepted_and_inf_means_no_limit():
    assert make_options(time_limit=0).time_limit == 0.0
    assert make_options(time_limit=math.inf, epochs=5).time_limit is None
    with pytest.raises(OptionError, match="'time_limit' is unlimited and 'epochs' is not set"):
        make_options(time_limit=math.inf)
    with pytest.raises(OptionError, match="'timeLimit' \\(time_limit\\) is unlimited"):
        make_options(time_limit=math.inf, aliases={"time_limit": "timeLimit"})


@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
@pytest.mark.parametrize("name, value, text", BAD)
def test_pulp(cls, name, value, text):
    kw = {"timeLimit": value} if name == "time_limit" else {name: value}
    with pytest.raises(PulpOptionError) as err:
        cls(msg=False, **kw)
    assert isinstance(err.value, pulp.PulpSolverError) and isinstance(err.value, OptionError)
    assert text.replace("'time_limit'", "'timeLimit' (time_limit)") in str(err.value)


def test_pulp_time_limit_text_is_refused():
    with pytest.raises(PulpOptionError, match="'timeLimit' \\(time_limit\\) must be a number, got 'abc'"):
        BIPNN(timeLimit="abc")


def _pyomo_model() -> pyo.ConcreteModel:
    m = pyo.ConcreteModel()
    m.x = pyo.Var([0, 1, 2], domain=pyo.Binary)
    m.o = pyo.Objective(expr=m.x[0] + m.x[1] - m.x[2])
    return m


@pytest.mark.parametrize("name, value, text", BAD)
def test_pyomo_legacy_and_new(name, value, text):
    with pytest.raises(OptionError) as err:
        pyo.SolverFactory("bipnn").solve(_pyomo_model(), options={name: value})
    assert isinstance(err.value, PyomoException) and text in str(err.value)
    with pytest.raises(OptionError) as err:
        NewSolverFactory("bipnn").solve(_pyomo_model(), solver_options={name: value})
    assert isinstance(err.value, PyomoException) and text in str(err.value)
    with pytest.raises(OptionError) as err:
        NewSolverFactory("bipnn", solver_options={name: value})
    assert text in str(err.value)


def test_pyomo_legacy_factory_reports_a_bad_option_when_building(caplog):
    """The legacy factory logs a solver's construction error and returns an unusable solver (Pyomo's way)."""
    solver = pyo.SolverFactory("bipnn", options={"seed": -1})
    assert "option 'seed' must be >= 0, got -1" in caplog.text
    assert not solver.available(exception_flag=False)


def test_pyomo_bad_threads_is_refused_naming_it():
    with pytest.raises(OptionError, match="'threads' must be >= 1, got 0"):
        NewSolverFactory("bipnn").solve(_pyomo_model(), threads=0)


@pytest.mark.parametrize("method", [True, False])
@pytest.mark.parametrize("name, value, text", BAD)
def test_cvxpy(method, name, value, text):
    x = cp.Variable(3, boolean=True)
    prob = cp.Problem(cp.Minimize(cp.sum(x)), [x[0] + x[1] >= 1])
    with pytest.raises(OptionError) as err:
        if method:
            prob.solve(method="bipnn", **{name: value})
        else:
            prob.solve(solver=CvxpyBIPNN(), **{name: value})
    assert isinstance(err.value, cp.error.SolverError) and text in str(err.value)
    assert x.value is None


@pytest.mark.parametrize("option, text", [
    ("time_limit=abc", "'time_limit' must be a number, got 'abc'"),
    ("restarts=2.5", "'restarts' must be an integer, got 2.5"),
    ("timeLimit=1", "unknown solver option(s) 'timeLimit'"),
    ("msg=true", "unknown solver option(s) 'msg'"),
    ("seed=-1", "'seed' must be >= 0, got -1"),
    ("polish=no", "'polish' must be True or False, got 'no'"),
    ("noequals", "--option wants NAME=VALUE"),
])
def test_cli_exits_2_with_the_option_named(tmp_path, capsys, option, text):
    model = tmp_path / "m.mps"
    model.write_text("garbage")  # options are checked before the model is read
    assert main(["solve", str(model), "--option", option]) == solution.EXIT_USAGE
    err = capsys.readouterr().err
    assert text in err and "Traceback" not in err


def test_infinite_time_limit_on_the_hosts():
    with pytest.raises(PulpOptionError, match="'timeLimit' \\(time_limit\\) is unlimited and 'epochs' is not set"):
        BIPNN(timeLimit=math.inf)
    assert BIPNN(timeLimit=math.inf, epochs=3).bipnn_options().time_limit is None
    with pytest.raises(OptionError, match="'time_limit' is unlimited"):
        NewSolverFactory("bipnn").solve(_pyomo_model(), time_limit=math.inf)
    x = cp.Variable(2, boolean=True)
    with pytest.raises(OptionError, match="'time_limit' is unlimited"):
        cp.Problem(cp.Minimize(cp.sum(x))).solve(method="bipnn", time_limit=math.inf)
