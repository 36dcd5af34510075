"""BIPNN_CMD: files, statuses through the subprocess, and failures of the subprocess."""

from __future__ import annotations

import os
import stat
import sys

import pulp
import pytest

from bipnn_backends import BIPNN_CMD
from bipnn_backends.pulp import BipnnPulpError
from models import tiny


def fake_bipnn(tmp_path, body: str) -> str:
    """An executable standing in for ``bipnn``."""
    path = tmp_path / "fake_bipnn"
    path.write_text(f"#!{sys.executable}\nimport os, signal, sys, json\nargs = sys.argv[1:]\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


def test_default_path_is_the_console_script_or_the_module():
    solver = BIPNN_CMD()
    assert solver.available()
    cmd = solver.command()
    assert cmd[0].endswith("bipnn") or cmd[1:] == ["-m", "bipnn_backends.cli"]


def test_tiny_problem_through_the_command(tmp_path):
    p = tiny()
    solver = BIPNN_CMD(msg=False)
    solver.tmpDir = str(tmp_path)
    assert p.solve(solver) == pulp.LpStatusOptimal
    assert p.sol_status == pulp.LpSolutionOptimal
    assert pulp.value(p.objective) == pytest.approx(19) == pytest.approx(solver.result.objective)
    assert list(tmp_path.iterdir()) == []


def test_module_fallback_when_the_script_is_missing(tmp_path):
    p = tiny()
    solver = BIPNN_CMD(msg=False, path=sys.executable)
    assert solver.command() == [sys.executable, "-m", "bipnn_backends.cli"]
    assert p.solve(solver) == pulp.LpStatusOptimal and pulp.value(p.objective) == pytest.approx(19)


def test_keep_files_keeps_the_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    p = tiny()
    p.solve(BIPNN_CMD(msg=False, keepFiles=True))
    names = sorted(os.listdir(tmp_path))
    assert names == ["tiny-pulp.mps", "tiny-pulp.options.json", "tiny-pulp.sol.json"]


def test_infeasible_and_not_solved_through_the_command(tmp_path):
    p = tiny()
    x = p.variablesDict()
    p += x["x0"] + x["x1"] >= 3, "impossible"
    assert p.solve(BIPNN_CMD(msg=False)) == pulp.LpStatusInfeasible
    assert p.sol_status == pulp.LpSolutionInfeasible
    assert all(v.varValue is None for v in p.variables())

    q = pulp.LpProblem("clash", pulp.LpMinimize)
    y = [q.add_variable(f"y{i}", cat="Binary") for i in range(20)]
    q += pulp.lpSum(y)
    q += pulp.lpSum(y) == 10, "ten"
    q += pulp.lpSum(y[:19]) + 2 * y[19] == 12, "twelve_ish"
    q += pulp.lpSum(y[:10]) == 10, "first_ten"
    assert q.solve(BIPNN_CMD(msg=False, timeLimit=1)) == pulp.LpStatusNotSolved
    assert q.sol_status == pulp.LpSolutionNoSolutionFound
    assert all(v.varValue is None for v in y)


@pytest.mark.parametrize("body, match", [
    ("sys.exit(1)", "exit code 1"),
    ("os.kill(os.getpid(), signal.SIGKILL)", "killed by signal SIGKILL"),
    ("sys.exit(0)", "could not be read"),
    ("sys.stderr.write('boom'); sys.exit(3)", "rejected the model.*boom"),
    ("out = args[args.index('--solution') + 1]\n"
     "json.dump({'format': 'bipnn-solution', 'solution_status': 'infeasible', 'termination': 'proven'},"
     " open(out, 'w'))\nsys.exit(0)",
     "reported solution status 'infeasible'"),
    ("out = args[args.index('--solution') + 1]\n"
     "json.dump({'format': 'bipnn-solution', 'version': 2, 'solution_status': 'feasible', 'termination': 'epochs',"
     " 'objective': 1, 'message': '', 'time_limit_reached': False, 'max_violation': 0, 'values': {'x0': 1},"
     " 'stats': {}}, open(out, 'w'))",
     "no value for"),
])
def test_a_failing_command_is_an_error_never_a_wrong_answer(tmp_path, body, match):
    p = tiny()
    solver = BIPNN_CMD(msg=False, path=fake_bipnn(tmp_path, body))
    with pytest.raises(BipnnPulpError, match=match) as err:
        p.solve(solver)
    assert isinstance(err.value, pulp.PulpSolverError)
    assert all(v.varValue is None for v in p.variables())


def test_missing_executable_is_an_error(tmp_path):
    solver = BIPNN_CMD(msg=False, path=str(tmp_path / "nope"))
    assert not solver.available()
    with pytest.raises(BipnnPulpError, match="cannot execute"):
        tiny().solve(solver)


def test_values_come_back_by_pulps_names_including_unused_variables(tmp_path):
    """The child reads the MPS file itself (formats/mps.py); our writer (formats/mps_write.py) keeps
    PuLP's names, long or odd, and declares a variable that no row uses (PuLP's own reader failed on it)."""
    p = pulp.LpProblem("names", pulp.LpMaximize)
    x = [p.add_variable(f"item[{i}]-a_rather_long_suffix", cat="Binary") for i in range(4)]
    y = p.add_variable("count y", 0, 3, cat="Integer")
    unused = p.add_variable("unused", 2, 5, cat="Integer")
    p.addVariable(unused)  # in the model, in no row
    p += 3 * x[0] + 2 * x[1] + 4 * x[2] + x[3] + y
    p += pulp.lpSum(x) + y <= 3, "cap"
    assert unused.name in [v.name for v in p.variables()]
    solver = BIPNN_CMD(msg=False)
    solver.tmpDir = str(tmp_path)
    assert p.solve(solver) == pulp.LpStatusOptimal
    assert pulp.value(p.objective) == pytest.approx(9)  # x0, x1, x2: 3 + 2 + 4
    assert [v.varValue for v in x] == [1, 1, 1, 0] and y.varValue == 0
    assert unused.varValue == 2  # in no row: left at its lower bound, as BIPNN in process leaves it
