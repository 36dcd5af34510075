"""The host's time limit includes translation (issue 12), on a fake clock: no wall-clock assertions.

The kit's clock (``_kit.now``) is replaced by a counter that only the patched translation
advances, so ``solve`` must get exactly the limit minus the translation time, and the cheapest
constructions with the host's time-limit status when translation used all of it.
"""

from __future__ import annotations

import json
import sys
import time

import pytest

import bipnn_backends  # noqa: F401  (registers)
import models
from bipnn_backends import cli
from bipnn_backends.adapters import _kit
from bipnn_backends.adapters.cvxpy import solver as cvxpy_solver
from bipnn_backends.adapters.cvxpy import translate as cvxpy_translate
from bipnn_backends.adapters.pulp import solvers as pulp_solvers
from bipnn_backends.adapters.pyomo import solver as pyomo_solver
from bipnn_backends.formats import solution
from bipnn_backends.result import SolveResult
from conformance import entries

ENTRIES = {e.name: e for e in entries()}
core_solve = sys.modules["bipnn_backends.solve"]  # the package exports the function under the same name
LIMIT = 10.0

#: entry -> (module, translation function, module, its name for the core's solve)
HOOKS = {
    "pulp-BIPNN": (pulp_solvers, "translate", pulp_solvers, "solve"),
    "pyomo-legacy": (pyomo_solver, "translate", pyomo_solver, "bipnn_solve"),
    "pyomo-contrib": (pyomo_solver, "translate", pyomo_solver, "bipnn_solve"),
    "cvxpy-solver": (cvxpy_solver, "_translate", core_solve, "solve"),
    "cvxpy-method": (cvxpy_translate, "translate_problem", core_solve, "solve"),
}


@pytest.fixture
def clock(monkeypatch):
    """A fake clock for the kit: ``clock[0]`` seconds, moved only by the tests."""
    now = [1000.0]
    monkeypatch.setattr(_kit, "now", lambda: now[0])
    return now


def _slow(monkeypatch, clock, module, name, seconds):
    real = getattr(module, name)

    def translate(*args, **kwargs):
        clock[0] += seconds
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, translate)


def _spy(monkeypatch, module, name):
    real, seen = getattr(module, name), []

    def solve(problem, opts=None, **kwargs):
        seen.append(opts.time_limit)
        return real(problem, opts, **kwargs)

    monkeypatch.setattr(module, name, solve)
    return seen


@pytest.mark.parametrize("entry", sorted(HOOKS))
def test_translation_is_deducted(entry, monkeypatch, clock):
    tmod, tname, smod, sname = HOOKS[entry]
    _slow(monkeypatch, clock, tmod, tname, 3.0)
    seen = _spy(monkeypatch, smod, sname)
    model, xs = ENTRIES[entry].build(models.COVER)
    out = ENTRIES[entry].solve(model, xs, {"time_limit": LIMIT})
    assert seen == [pytest.approx(LIMIT - 3.0)]
    assert out.kind == "optimal"  # small: proven by exhaustive search in the time left


@pytest.mark.parametrize("entry", sorted(HOOKS))
def test_translation_past_the_limit_gives_constructions(entry, monkeypatch, clock):
    tmod, tname, smod, sname = HOOKS[entry]
    _slow(monkeypatch, clock, tmod, tname, LIMIT + 5.0)
    seen = _spy(monkeypatch, smod, sname)
    model, xs = ENTRIES[entry].build(models.COVER)
    out = ENTRIES[entry].solve(model, xs, {"time_limit": LIMIT})
    assert seen == [0.0]
    assert out.kind in ("feasible", "none"), out  # the cheapest constructions, as time_limit=0
    assert out.time_limited in (True, None)
    if out.kind == "feasible":
        values = {n: float(v) for n, v in out.values.items()}
        assert all(models._holds(r, values) for r in models.COVER.rows)


def test_no_time_limit_stays_unlimited(monkeypatch, clock):
    _slow(monkeypatch, clock, pulp_solvers, "translate", 50.0)
    seen = _spy(monkeypatch, pulp_solvers, "solve")
    model, xs = models.to_pulp(models.COVER)
    pulp_solvers.BIPNN(msg=False, timeLimit=None, epochs=5).actualSolve(model)
    assert seen == [None]


@pytest.mark.parametrize("entry", sorted(HOOKS))
def test_epochs_alone_means_no_time_limit(entry, monkeypatch):
    """The same rule on every host (issue 13): ``epochs`` without a time limit drops the 10 s default."""
    _, _, smod, sname = HOOKS[entry]
    seen = _spy(monkeypatch, smod, sname)
    model, xs = ENTRIES[entry].build(models.COVER)
    ENTRIES[entry].solve(model, xs, {"epochs": 3})
    assert seen == [None]
    model, xs = ENTRIES[entry].build(models.COVER)
    ENTRIES[entry].solve(model, xs, {"epochs": 3, "time_limit": 7})
    assert seen[1] == pytest.approx(7.0, abs=0.5)


def _capture_cmd_options(monkeypatch, termination: str) -> dict:
    """BIPNN_CMD without its child: the options file it would pass (and the timeout) land in the dict."""
    sent: dict = {}

    def run(self, cmd, sol, timeout):
        with open(cmd[cmd.index("--options") + 1]) as f:
            sent.update(json.load(f), timeout=timeout)
        return {"solution_status": "none", "termination": termination, "message": "fake", "stats": {}}

    monkeypatch.setattr(pulp_solvers.BIPNN_CMD, "_run", run)
    return sent


def test_epochs_alone_means_no_time_limit_in_the_cmd_child(monkeypatch):
    model, xs = models.to_pulp(models.COVER)
    sent = _capture_cmd_options(monkeypatch, "epochs")
    pulp_solvers.BIPNN_CMD(msg=False, epochs=3).actualSolve(model)
    assert (sent["time_limit"], sent["epochs"], sent["timeout"]) == (None, 3, None)


def test_pulp_cmd_child_gets_the_time_left(monkeypatch, clock):
    """BIPNN_CMD: translation and writing the MPS file are deducted from the child's limit."""
    _slow(monkeypatch, clock, pulp_solvers, "translate", 2.0)
    model, xs = models.to_pulp(models.COVER)
    real_write = pulp_solvers.write_mps

    def write(*args, **kwargs):
        clock[0] += 1.5
        return real_write(*args, **kwargs)

    monkeypatch.setattr(pulp_solvers, "write_mps", write)
    sent = _capture_cmd_options(monkeypatch, "time_limit")
    pulp_solvers.BIPNN_CMD(msg=False, timeLimit=LIMIT).actualSolve(model)
    assert sent["time_limit"] == pytest.approx(LIMIT - 3.5)
    left = LIMIT - 3.5  # the subprocess's own timeout follows the time left
    assert sent["timeout"] == pytest.approx(left * (1 + pulp_solvers.CMD_TIMEOUT_SHARE) + pulp_solvers.CMD_TIMEOUT_MARGIN)


def test_cli_clock_includes_reading_the_file(tmp_path, monkeypatch, clock):
    model, _ = models.to_pulp(models.COVER)
    mps = tmp_path / "cover.mps"
    model.writeMPS(str(mps), with_objsense=True)
    _slow(monkeypatch, clock, cli, "read_mps", 4.0)
    seen = _spy(monkeypatch, cli, "solve")
    rc = cli.main(["solve", str(mps), "--time-limit", str(LIMIT), "--solution", str(tmp_path / "a.json"), "--quiet"])
    assert rc in (solution.EXIT_OK,)
    assert seen == [pytest.approx(LIMIT - 4.0)]
    _slow(monkeypatch, clock, cli, "read_mps", 20.0)
    rc = cli.main(["solve", str(mps), "--time-limit", str(LIMIT), "--solution", str(tmp_path / "b.json"), "--quiet"])
    doc = json.loads((tmp_path / "b.json").read_text())
    assert seen[-1] == 0.0 and doc["termination"] == "time_limit"


def test_time_left_keeps_other_options(clock):
    opts = _kit.options_from_host({"seed": 7}, time_limit=5.0)
    started = _kit.clock_started()
    clock[0] += 1.25
    left = _kit.time_left(opts, started)
    assert left.time_limit == pytest.approx(3.75) and left.seed == 7 and opts.time_limit == 5.0
    clock[0] += 100.0
    assert _kit.time_left(opts, started).time_limit == 0.0


def test_cli_counts_the_engine_import_for_a_model_that_needs_the_engine(tmp_path, monkeypatch, clock):
    """Every run of ``bipnn solve`` imports the engine for the first time: it counts against the
    limit (solve() leaves a first import out of it); a model solved exhaustively does not import it."""
    imported = []

    def slow_import():
        clock[0] += 3.0
        imported.append(True)

    monkeypatch.setattr(cli, "_import_engine", slow_import)
    seen = []

    def solve(problem, opts):
        seen.append(opts.time_limit)
        return SolveResult("none", "time_limit", message="not searched")

    monkeypatch.setattr(cli, "solve", solve)
    big, tiny = tmp_path / "knapsack.mps", tmp_path / "tiny.mps"
    models.knapsack().writeMPS(str(big), with_objsense=True)  # 60 binaries: above the exhaustive limit
    models.tiny().writeMPS(str(tiny), with_objsense=True)
    cli.main(["solve", str(tiny), "--time-limit", str(LIMIT), "--quiet"])
    assert seen == [LIMIT] and imported == []
    cli.main(["solve", str(big), "--time-limit", str(LIMIT), "--quiet"])
    assert seen[-1] == pytest.approx(LIMIT - 3.0) and imported == [True]
    cli.main(["solve", str(big), "--time-limit", "0", "--quiet"])  # no search: no engine
    assert seen[-1] == 0 and imported == [True]


def test_cli_deadline_caps_the_time_limit(tmp_path, monkeypatch, clock):
    """--deadline (wall-clock seconds since the epoch) caps the limit: a past one leaves 0 (the cheapest
    constructions), a far one leaves --time-limit as it is."""
    seen = _spy(monkeypatch, cli, "solve")
    mps = tmp_path / "tiny.mps"
    models.tiny().writeMPS(str(mps), with_objsense=True)
    past, far = str(time.time() - 5), str(time.time() + 1e6)
    assert cli.main(["solve", str(mps), "--time-limit", str(LIMIT), "--deadline", past, "--quiet"]) == 0
    assert cli.main(["solve", str(mps), "--time-limit", str(LIMIT), "--deadline", far, "--quiet"]) == 0
    assert cli.main(["solve", str(mps), "--deadline", str(time.time() + 5), "--quiet"]) == 0
    assert seen[:2] == [0.0, LIMIT] and 0 < seen[2] <= 5.0


def test_pulp_cmd_passes_its_deadline(monkeypatch, clock):
    """BIPNN_CMD gives the child its own deadline, so the child's start-up counts against the limit."""
    _slow(monkeypatch, clock, pulp_solvers, "translate", 2.0)
    sent = {}

    def run(self, cmd, sol, timeout):
        sent["deadline"] = float(cmd[cmd.index("--deadline") + 1])
        return {"solution_status": "none", "termination": "time_limit", "message": "fake", "stats": {}}

    monkeypatch.setattr(pulp_solvers.BIPNN_CMD, "_run", run)
    pulp_solvers.BIPNN_CMD(msg=False, timeLimit=LIMIT).actualSolve(models.to_pulp(models.COVER)[0])
    assert 0 < sent["deadline"] - time.time() <= LIMIT - 2.0
