"""Issue 11 (wrong answers, ignored limits, unchecked options) through every entry point each item
concerns: the six of tests/conformance.py plus the ``bipnn`` command line, where the core and
per-host regressions (test_core_defects, test_*_defects, test_options, test_cli) left one out.

Limits run on epochs or a fake clock, never on the machine's speed.
"""

from __future__ import annotations

import json
import logging
import math
import os
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import cvxpy as cp
import numpy as np
import pulp
import pyomo.environ as pyo
import pytest
from pyomo.contrib.solver.common.factory import SolverFactory as NewSolverFactory
from pyomo.contrib.solver.common.results import TerminationCondition

import bipnn_backends  # noqa: F401  (registers)
import conformance_checks as checks
import models
from bipnn_backends import cli
from bipnn_backends.formats import solution
from bipnn_backends.adapters.pulp import solvers as pulp_solvers
from bipnn_backends.adapters.pyomo import solver as pyomo_solver
from bipnn_backends.errors import OptionError
from bipnn_backends.pulp import BIPNN, BIPNN_CMD, BipnnPulpError
from clocks import FakeTime
from conformance import Entry, Outcome, entries

ROOT = Path(__file__).resolve().parents[1]
core_solve = sys.modules["bipnn_backends.solve"]  # the package exports the function under the same name


def _cli_solve(prob: Any, xs: dict[str, Any], options: dict[str, Any]) -> Outcome:
    """The command line as an entry point: PuLP writes the MPS file, ``bipnn solve`` (in process) reads it."""
    with tempfile.TemporaryDirectory() as d:
        mps, sol, opts = (os.path.join(d, n) for n in ("m.mps", "sol.json", "opts.json"))
        prob.writeMPS(mps, with_objsense=True)
        with open(opts, "w") as f:
            json.dump(options, f)
        rc = cli.main(["solve", mps, "--solution", sol, "--options", opts, "--quiet"])
        if rc in (solution.EXIT_USAGE, solution.EXIT_BAD_MODEL, solution.EXIT_ERROR):
            raise CliError(rc)
        doc = solution.read_json(sol)
    assert solution.EXIT_BY_STATUS[doc["solution_status"]] == rc
    values = doc["values"] or {}
    return Outcome(doc["solution_status"], doc["objective"], {n: values.get(n) for n in xs},
                   doc["time_limit_reached"])


class CliError(Exception):
    """The command line refused its input (exit code ``args[0]``)."""


ALL = {e.name: e for e in entries()} | {"cli": Entry("cli", models.to_pulp, _cli_solve, CliError)}
IN_PROCESS = sorted(set(ALL) - {"pulp-BIPNN_CMD"})


def _values(out: Outcome) -> dict[str, float]:
    return {n: float(v) for n, v in out.values.items()}


# -- 1. proofs use the verifier's tolerance --------------------------------------------------------
TOL_ROWS = {"thirds": ([0.333333] * 3, 1.0, 3.0), "twos": ([2.0, 2.0], 2.0000001, 1.0)}


@pytest.mark.parametrize("row", sorted(TOL_ROWS))
@pytest.mark.parametrize("entry", sorted(ALL))
def test_1_rows_feasible_within_the_tolerance_are_solved(entry, row):
    coefs, rhs, optimum = TOL_ROWS[row]
    names = [f"y{i}" for i in range(len(coefs))]
    spec = models.Spec("tol", "min", tuple(models.Var(n) for n in names), dict.fromkeys(names, 1.0), 0.0,
                       (models.Row("row", dict(zip(names, coefs)), "==", rhs),))
    model, xs = ALL[entry].build(spec)
    out = ALL[entry].solve(model, xs, {"seed": 0})
    assert out.kind == "optimal" and out.objective == pytest.approx(optimum), out  # before: infeasible
    values = _values(out)
    assert abs(sum(c * values[n] for n, c in zip(names, coefs)) - rhs) <= 1.000001e-6 * max(1.0, rhs)


# -- 2. variables keyed by identity --------------------------------------------------------------
def test_2_pyomo_new_interface_keeps_vars_of_equal_name_apart():
    m, o = pyo.ConcreteModel(), pyo.ConcreteModel()
    m.x = pyo.Var(range(6), domain=pyo.Binary)
    o.x = pyo.Var(range(6), domain=pyo.Binary)
    m.c = pyo.Constraint(range(6), rule=lambda m, i: m.x[i] + o.x[i] == 1)
    m.obj = pyo.Objective(expr=sum((i + 1) * m.x[i] for i in range(6)) + 0.5 * sum(o.x.values()))
    res = NewSolverFactory("bipnn").solve(m)
    assert res.termination_condition == TerminationCondition.convergenceCriteriaSatisfied
    assert all(pyo.value(m.x[i]) == 0 and pyo.value(o.x[i]) == 1 for i in range(6))


@pytest.mark.parametrize("method", [True, False])
def test_2_cvxpy_variables_of_equal_name_keep_their_own_values(method):
    a, b = cp.Variable(3, boolean=True, name="x"), cp.Variable(3, boolean=True, name="x")
    prob = cp.Problem(cp.Maximize(cp.sum(a) + 2 * cp.sum(b)), [a + b <= 1])
    prob.solve(**({"method": "bipnn"} if method else {"solver": bipnn_backends.cvxpy.BIPNN()}))
    assert prob.status == cp.OPTIMAL and prob.value == 6.0
    assert a.value.tolist() == [0, 0, 0] and b.value.tolist() == [1, 1, 1]


# -- 3. every coefficient is kept -----------------------------------------------------------------
@pytest.mark.filterwarnings("ignore:the objective has coefficients")
@pytest.mark.parametrize("entry", sorted(ALL))
def test_3_small_coefficients_beside_a_huge_one_count(entry):
    n = 40
    names = [f"x{i}" for i in range(n)]
    objective = {name: float(i) for i, name in enumerate(names)} | {"x0": 1e15}
    spec = models.Spec("scaled", "max", tuple(models.Var(v) for v in names), objective, 0.0,
                       (models.Row("card", dict.fromkeys(names, 1.0), "<=", 3),))
    model, xs = ALL[entry].build(spec)
    out = ALL[entry].solve(model, xs, {"seed": 0, "exhaustive_limit": 0, "epochs": 100})  # epochs: any load
    # x0 plus the two largest others; with the small terms dropped every pair looked equal to the search
    assert out.kind == "feasible" and out.objective == pytest.approx(1e15 + 39 + 38, abs=0.5), out
    assert _values(out)["x0"] == 1.0


# -- 4. an infinite time limit: refused alone, "no limit" beside epochs ---------------------------------
@pytest.mark.parametrize("entry", sorted(ALL))
def test_4_infinite_time_limit_needs_another_stopping_rule(entry):
    model, xs = ALL[entry].build(models.COVER)
    with pytest.raises((OptionError, CliError)) as err:
        ALL[entry].solve(model, xs, {"time_limit": math.inf})
    if entry == "cli":
        assert err.value.args[0] == solution.EXIT_USAGE
    else:
        assert isinstance(err.value, ALL[entry].host_error) and "is unlimited and 'epochs' is not set" in str(err.value)
    assert all(getattr(v, "varValue", getattr(v, "value", None)) is None for v in xs.values())
    model, xs = ALL[entry].build(models.COVER)
    out = ALL[entry].solve(model, xs, {"time_limit": math.inf, "epochs": 20, "exhaustive_limit": 0, "seed": 0})
    assert out.kind == "feasible" and out.time_limited in (False, None), out
    assert all(models._holds(r, _values(out)) for r in models.COVER.rows)


def test_4_cli_time_limit_flag_inf(tmp_path, capsys):
    mps = tmp_path / "cover.mps"
    models.to_pulp(models.COVER)[0].writeMPS(str(mps), with_objsense=True)
    assert cli.main(["solve", str(mps), "--time-limit", "inf", "--quiet"]) == solution.EXIT_USAGE
    assert "'time_limit' is unlimited and 'epochs' is not set" in capsys.readouterr().err
    sol = tmp_path / "sol.json"
    assert cli.main(["solve", str(mps), "--time-limit", "inf", "--option", "epochs=20", "--option",
                     "exhaustive_limit=0", "--solution", str(sol), "--quiet"]) == solution.EXIT_OK
    assert json.loads(sol.read_text())["termination"] == "epochs"


# -- 5. time limit 0 and the time-limited search: the command line too -------------------------------
def test_5_cli_time_limit_zero_and_a_short_limit():
    checks.check_time_limit_zero(ALL["cli"])
    checks.check_time_limit(ALL["cli"])


def test_5_cli_time_limit_flag_zero(tmp_path):
    mps, sol = tmp_path / "cover.mps", tmp_path / "sol.json"
    models.to_pulp(models.COVER)[0].writeMPS(str(mps), with_objsense=True)
    assert cli.main(["solve", str(mps), "--time-limit", "0", "--solution", str(sol), "--quiet"]) == solution.EXIT_OK
    doc = json.loads(sol.read_text())
    assert doc["termination"] == "time_limit" and doc["time_limit_reached"] and "no time left" in doc["message"]


# -- 6. the exhaustive path holds the limit (a fake clock: one second per reading) ---------------------


def _knapsack_spec(n: int = 20) -> models.Spec:
    rng = np.random.default_rng(0)
    w = rng.integers(1, 20, size=n)
    names = [f"k{i}" for i in range(n)]
    return models.Spec("knap", "max", tuple(models.Var(v) for v in names),
                       {v: float(c) for v, c in zip(names, rng.integers(1, 30, size=n))}, 0.0,
                       (models.Row("cap", {v: float(c) for v, c in zip(names, w)}, "<=", float(w.sum() // 3)),))


@pytest.mark.parametrize("entry", IN_PROCESS)
def test_6_exhaustive_search_stops_at_the_time_limit(entry, monkeypatch):
    clock = FakeTime(1.0)
    monkeypatch.setattr(sys.modules["bipnn_backends.core.brute_force"], "time", clock)
    monkeypatch.setattr(core_solve, "time", clock)
    spec = _knapsack_spec()
    model, xs = ALL[entry].build(spec)
    out = ALL[entry].solve(model, xs, {"time_limit": 5, "exhaustive_limit": 22})
    assert out.kind == "feasible" and out.time_limited in (True, None), out  # before: optimal after 2^20 points
    assert all(models._holds(r, _values(out)) for r in spec.rows)


# -- 7. BIPNN_CMD: the real child, interrupted in its search, writes its best point; the parent reads it ---
CHILD = """#!{python}
import os, signal, sys, threading
sys.path.insert(0, {root!r})
import bipnn_backends.engine as engine
real = engine.search

def search(*args, **kwargs):  # Ctrl-C half a second into the search
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()
    return real(*args, **kwargs)

engine.search = search
from bipnn_backends.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGINT is POSIX")
def test_7_the_real_child_keeps_its_best_point_on_sigint(tmp_path):
    child = tmp_path / "bipnn_child"
    child.write_text(CHILD.format(python=sys.executable, root=str(ROOT)))
    child.chmod(child.stat().st_mode | stat.S_IEXEC)
    prob = models.knapsack(60)
    solver = BIPNN_CMD(path=str(child), msg=False, timeLimit=600, options=["exhaustive_limit=0"])
    solver.tmpDir = str(tmp_path)
    assert prob.solve(solver) == pulp.LpStatusOptimal and prob.sol_status == pulp.LpSolutionIntegerFeasible
    assert solver.result.termination == "interrupted" and solver.result.solution_status == "feasible"
    assert prob.valid() and pulp.value(prob.objective) == pytest.approx(solver.result.objective)


# -- 9. BIPNN_CMD honours mip and options set after construction --------------------------------------
def test_9_cmd_mip_false_set_afterwards_is_honoured():
    solver = BIPNN_CMD(msg=False)
    solver.mip = False
    p = models.tiny()
    v = p.variablesDict()
    p += v["x3"] + v["x4"] <= 1.5, "half"
    assert p.solve(solver) == pulp.LpStatusOptimal
    assert v["x3"].varValue == 0.5 and v["x4"].varValue == 1.0  # the LP relaxation's vertex


def test_9_cmd_options_list_set_afterwards_reaches_the_child(monkeypatch):
    sent = {}

    def run(self, cmd, sol, timeout):
        with open(cmd[cmd.index("--options") + 1]) as f:
            sent.update(json.load(f))
        return {"solution_status": "none", "termination": "epochs", "message": "fake", "stats": {}}

    monkeypatch.setattr(BIPNN_CMD, "_run", run)
    solver = BIPNN_CMD(msg=False, options=["seed=4"])
    solver.options = ["epochs=3", "restarts=2"]
    models.tiny().solve(solver)
    assert (sent["epochs"], sent["restarts"], sent["seed"]) == (3, 2, 0)
    solver.options = ["restarts=2.5"]
    with pytest.raises(OptionError, match="'restarts' must be an integer, got 2.5"):
        models.tiny().solve(solver)


# -- 11. CVXPY: a problem without variables, through the solving chain too --------------------------------
def test_11_cvxpy_solver_without_variables():
    prob = cp.Problem(cp.Minimize(cp.Constant(3.0)), [cp.Constant(1.0) <= 2])
    assert prob.solve(solver=bipnn_backends.cvxpy.BIPNN()) == 3.0 and prob.status == cp.OPTIMAL
    bad = cp.Problem(cp.Minimize(cp.Constant(3.0)), [cp.Constant(1.0) <= 0])
    bad.solve(solver=bipnn_backends.cvxpy.BIPNN())
    assert bad.status == cp.INFEASIBLE


# -- 13. an integer with an empty range is an infeasible model --------------------------------------------
EMPTY = models.Spec("empty", "min", (models.Var("k", 0.2, 0.8, "integer"), models.Var("y")), {"k": 1, "y": 1},
                    0.0, (models.Row("c", {"k": 1, "y": 1}, "<=", 3),))


@pytest.mark.parametrize("entry", sorted(ALL))
def test_13_integer_with_an_empty_range_is_infeasible(entry):
    model, xs = ALL[entry].build(EMPTY)
    out = ALL[entry].solve(model, xs, {})
    assert out.kind == "infeasible" and out.objective is None, out  # before: UnboundedVariableError
    assert all(v is None for v in out.values.values())


# -- 15. two solves in two threads keep their log lines: Pyomo's tee and CVXPY's verbose --------------------
def _two_threads(monkeypatch, module, name, run) -> None:
    first_done = threading.Event()
    log = logging.getLogger("bipnn_backends")
    real = getattr(module, name)

    def solve(problem, opts):
        me = threading.current_thread().name
        log.info("start %s", me)
        if me == "late":
            first_done.wait(30)
            log.info("end %s", me)  # after the other solve has finished and removed its handler
        return real(problem, opts)

    monkeypatch.setattr(module, name, solve)

    def target(me: str) -> None:
        run()
        if me == "early":
            first_done.set()

    late = threading.Thread(target=target, args=("late",), name="late")
    late.start()
    early = threading.Thread(target=target, args=("early",), name="early")
    early.start()
    early.join(60)
    late.join(60)


def _pyomo_run() -> None:
    m = pyo.ConcreteModel()
    m.x = pyo.Var(range(3), domain=pyo.Binary)
    m.o = pyo.Objective(expr=m.x[0] - m.x[1])
    pyo.SolverFactory("bipnn").solve(m, tee=True)


def _cvxpy_run(method: bool) -> None:
    x = cp.Variable(3, boolean=True)
    prob = cp.Problem(cp.Minimize(x[0] - x[1]))
    prob.solve(verbose=True, **({"method": "bipnn"} if method else {"solver": bipnn_backends.cvxpy.BIPNN()}))


@pytest.mark.parametrize("host", ["pyomo", "cvxpy-method", "cvxpy-solver"])
def test_15_two_threads_each_keep_their_log(host, monkeypatch, capsys):
    if host == "pyomo":
        _two_threads(monkeypatch, pyomo_solver, "bipnn_solve", _pyomo_run)
    else:
        _two_threads(monkeypatch, core_solve, "solve", lambda: _cvxpy_run(host == "cvxpy-method"))
    out = capsys.readouterr().out
    for line in ("start late", "start early", "end late"):
        assert out.count(line) == 1, out
    log = logging.getLogger("bipnn_backends")
    assert log.level == logging.NOTSET and log.propagate and not any(
        type(h).__name__ == "_EchoHandler" for h in log.handlers)


# -- 16. no import warning on the command line or in BIPNN_CMD's error messages ----------------------------
def _env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="default")


def test_16_quiet_solve_through_the_module_prints_nothing(tmp_path):
    mps = tmp_path / "tiny.mps"
    models.tiny().writeMPS(str(mps), with_objsense=True)
    done = subprocess.run([sys.executable, "-m", "bipnn_backends.cli", "solve", str(mps), "--quiet",
                           "--solution", str(tmp_path / "s.json")], capture_output=True, text=True, env=_env(),
                          cwd=str(tmp_path), timeout=300)
    assert done.returncode == solution.EXIT_OK and done.stdout == "" and done.stderr == "", done.stderr


def test_16_cmd_error_message_is_the_childs_message_only(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("PYTHONWARNINGS", "default")
    solver = BIPNN_CMD(path=sys.executable, msg=False, options=["device=cuda:999", "exhaustive_limit=0"])
    solver.tmpDir = str(tmp_path)
    with pytest.raises(BipnnPulpError) as err:
        models.tiny().solve(solver)
    detail = str(err.value).split("no solution was read. ", 1)[1]  # the child's stderr: its one message line
    assert detail.startswith("bipnn: device 'cuda:999'") and "\n" not in detail, detail

