"""Solution quality against CBC on small classic models, through BIPNN, BIPNN_CMD and the command line."""

from __future__ import annotations

import functools

import pulp
import pytest

from bipnn_backends import BIPNN, BIPNN_CMD
from bipnn_backends.formats import solution
from bipnn_backends.cli import main
from models import MODELS, cbc_optimum, quality

pytestmark = pytest.mark.filterwarnings("ignore:PULP_CBC_CMD is deprecated")

TIME_LIMIT = 3
CMD_TIME_LIMIT = 5  # a fresh process imports torch inside the time limit
MIN_RATIO = 0.97


@functools.lru_cache(maxsize=None)
def optimum(name: str) -> float:
    return cbc_optimum(MODELS[name])


def check(p: pulp.LpProblem, name: str, reported: float) -> None:
    assert p.valid(1e-6), f"{name}: the values written back violate the model"
    found = pulp.value(p.objective)
    assert found == pytest.approx(reported)
    assert quality(p.sense, found, optimum(name)) >= MIN_RATIO, (name, found, optimum(name))


@pytest.mark.parametrize("name", sorted(MODELS))
def test_in_process(name):
    p = MODELS[name]()
    solver = BIPNN(msg=False, timeLimit=TIME_LIMIT)
    assert p.solve(solver) == pulp.LpStatusOptimal
    assert p.sol_status in (pulp.LpSolutionIntegerFeasible, pulp.LpSolutionOptimal)
    check(p, name, solver.result.objective)


@pytest.mark.parametrize("name", sorted(MODELS))
def test_command_solver(name, tmp_path):
    p = MODELS[name]()
    solver = BIPNN_CMD(msg=False, timeLimit=CMD_TIME_LIMIT)
    solver.tmpDir = str(tmp_path)
    assert p.solve(solver) == pulp.LpStatusOptimal
    assert p.sol_status in (pulp.LpSolutionIntegerFeasible, pulp.LpSolutionOptimal)
    check(p, name, solver.result.objective)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", sorted(MODELS))
def test_command_line(name, tmp_path):
    p = MODELS[name]()
    mps, out = tmp_path / f"{name}.mps", tmp_path / "sol.json"
    p.writeMPS(str(mps), with_objsense=True)
    code = main(["solve", str(mps), "--time-limit", str(TIME_LIMIT), "--solution", str(out), "--quiet"])
    doc = solution.read_json(str(out))
    assert code == solution.EXIT_OK and doc["solution_status"] in ("feasible", "optimal")
    p.assignVarsVals(doc["values"])
    check(p, name, doc["objective"] + p.objective.constant)  # MPS has no objective constant
