"""PuLP regressions of the adapter items of the defects issue: duplicate names, settings changed after
construction, the BIPNN_CMD subprocess's limit and Ctrl-C, and concurrent solves keeping their log."""

from __future__ import annotations

import logging
import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pulp
import pytest

from bipnn_backends.adapters.pulp import solvers
from bipnn_backends.pulp import BIPNN, BIPNN_CMD, PulpModelError, PulpOptionError
from bipnn_backends.result import CONVERGED, NONE, SolveResult
from models import tiny

ROOT = Path(__file__).resolve().parents[1]


def fake_bipnn(tmp_path: Path, body: str) -> str:
    """An executable standing in for ``bipnn``."""
    path = tmp_path / "fake_bipnn"
    path.write_text(f"#!{sys.executable}\nimport os, signal, sys, json\nargs = sys.argv[1:]\n{body}\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path)


# -- 2. duplicate names --------------------------------------------------------------------------
@pytest.mark.parametrize("cls", [BIPNN, BIPNN_CMD])
def test_two_variables_of_one_name_are_refused_as_pulp_does(cls):
    p = pulp.LpProblem("dup", pulp.LpMinimize)
    a, b = p.add_variable("x", cat="Binary"), p.add_variable("x", cat="Binary")
    p += a
    p += a - b == 1, "diff"
    with pytest.raises(PulpModelError, match="repeated variable name.*'x'"):
        p.solve(cls(msg=False))
    assert a.varValue is None and b.varValue is None and p.status == pulp.LpStatusNotSolved


def test_values_travel_by_position_not_name(monkeypatch):
    """The write-back reads the result by position: a result keyed by name would be a KeyError."""
    p = tiny()
    seen = {}

    def fake(problem, opts):
        seen["keys"] = [v.key for v in problem.variables]
        return SolveResult("feasible", CONVERGED, np.zeros(7), {j: float(j == 1) for j in range(6)}, 2.0, 0.0)

    monkeypatch.setattr(solvers, "solve", fake)
    p.solve(BIPNN(msg=False))
    assert seen["keys"] == list(range(6))
    assert [v.varValue for v in p.variables()] == [0, 1, 0, 0, 0, 0]


# -- 9. settings changed after construction ---------------------------------------------------------
def test_mip_false_set_afterwards_is_refused():
    solver = BIPNN(msg=False)
    solver.mip = False
    with pytest.raises(PulpOptionError, match="mip=False"):
        tiny().solve(solver)


def test_options_list_is_honoured_and_checked(monkeypatch):
    seen = {}

    def fake(problem, opts):
        seen["opts"] = opts
        return SolveResult(NONE, CONVERGED)

    monkeypatch.setattr(solvers, "solve", fake)
    solver = BIPNN(msg=False, options=["seed=4"])
    solver.options = ["epochs=3", "restarts=2"]
    tiny().solve(solver)
    assert (seen["opts"].epochs, seen["opts"].restarts, seen["opts"].time_limit) == (3, 2, None)
    solver.options = ["presolve on"]
    with pytest.raises(PulpOptionError, match="NAME=VALUE.*'presolve on'"):
        tiny().solve(solver)
    solver.options = ["restarts=2.5"]
    with pytest.raises(PulpOptionError, match="'restarts' must be an integer, got 2.5"):
        tiny().solve(solver)
    with pytest.raises(PulpOptionError, match="'restarts' must be an integer, got 2.5"):
        BIPNN(options=["restarts=2.5"])
    assert pulp.getSolverFromDict(BIPNN(options=["epochs=3"]).toDict()).bipnn_options().epochs == 3


# -- 7. BIPNN_CMD: time limit plus a margin, then SIGINT; Ctrl-C forwarded -------------------------------
WAIT_FOR_SIGINT = """
out = args[args.index('--solution') + 1]
marker = os.environ.get('BIPNN_FAKE_MARKER')
def on_sigint(signum, frame):
    values = {'x0': 0, 'x1': 0, 'x2': 1, 'x3': 1, 'x4': 1, 'y': 0}
    json.dump({'format': 'bipnn-solution', 'version': 2, 'solution_status': 'feasible',
               'termination': 'interrupted', 'objective': 12, 'message': 'interrupted',
               'time_limit_reached': False, 'max_violation': 0, 'values': values, 'stats': {}}, open(out, 'w'))
    sys.exit(0)
signal.signal(signal.SIGINT, on_sigint)
if marker:
    open(marker, 'w').close()
for _ in range(600):
    signal.pause() if hasattr(signal, 'pause') else None
sys.exit(7)
"""


@pytest.mark.skipif(os.name != "posix", reason="SIGINT forwarding is POSIX")
def test_cmd_past_its_limit_is_interrupted_and_its_solution_read(tmp_path, monkeypatch):
    monkeypatch.setattr(solvers, "CMD_TIMEOUT_MARGIN", 0.5)
    monkeypatch.setattr(solvers, "CMD_TIMEOUT_SHARE", 0.0)
    p = tiny()
    solver = BIPNN_CMD(path=fake_bipnn(tmp_path, WAIT_FOR_SIGINT), msg=False, timeLimit=0.5)
    assert p.solve(solver) == pulp.LpStatusOptimal
    assert p.sol_status == pulp.LpSolutionIntegerFeasible
    assert solver.result.termination == "interrupted" and pulp.value(p.objective) == 19


@pytest.mark.skipif(os.name != "posix", reason="SIGINT forwarding is POSIX")
def test_ctrl_c_in_the_parent_keeps_the_childs_best_solution(tmp_path):
    fake = fake_bipnn(tmp_path, WAIT_FOR_SIGINT)
    marker = tmp_path / "started"
    script = (f"import sys; sys.path.insert(0, {str(ROOT / 'tests')!r})\n"
              "import pulp\nfrom bipnn_backends.pulp import BIPNN_CMD\nfrom models import tiny\n"
              f"p = tiny(); s = BIPNN_CMD(path={fake!r}, msg=False, timeLimit=300)\n"
              "p.solve(s); print(s.result.termination, s.result.solution_status, pulp.value(p.objective))\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), BIPNN_FAKE_MARKER=str(marker))
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env, cwd=str(tmp_path))
    deadline = time.monotonic() + 120
    while not marker.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), proc.communicate()[1]
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert out.split() == ["interrupted", "feasible", "19.0"]
    assert "interrupted (Ctrl-C)" in err


# -- 15. two solves in two threads keep their log lines -------------------------------------------
def test_two_threads_with_msg_each_keep_their_log(monkeypatch, capsys):
    first_done = threading.Event()
    log = logging.getLogger("bipnn_backends")

    def fake(problem, opts):
        name = threading.current_thread().name
        log.info("start %s", name)
        if name == "late":
            first_done.wait(30)
            log.info("end %s", name)  # after the other solve has finished and removed its handler
        return SolveResult(NONE, CONVERGED, message=name)

    monkeypatch.setattr(solvers, "solve", fake)

    def run(name: str) -> None:
        tiny().solve(BIPNN(msg=True, timeLimit=1))
        if name == "early":
            first_done.set()

    late = threading.Thread(target=run, args=("late",), name="late")
    late.start()
    time.sleep(0.2)
    early = threading.Thread(target=run, args=("early",), name="early")
    early.start()
    early.join(30)
    late.join(30)
    out = capsys.readouterr().out
    for line in ("start late", "start early", "end late"):
        assert out.count(line) == 1, out
    assert log.level == logging.NOTSET and log.propagate and not log.handlers
