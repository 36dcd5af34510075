"""The ``bipnn`` command line on PuLP 4.x."""

from __future__ import annotations

import json

import pytest

from bipnn_backends.formats import solution
from bipnn_backends.cli import main


@pytest.mark.parametrize("objsense", [True, False])
def test_solve_reads_the_sense_both_ways(tmp_path, capsys, tiny, objsense):
    """OBJSENSE MAX, and PuLP 4's default writer (negated coefficients and a *SENSE comment)."""
    model = tmp_path / "m.mps"
    tiny().writeMPS(str(model), with_objsense=objsense)
    assert main(["solve", str(model), "--json"]) == solution.EXIT_OK
    doc = json.loads(capsys.readouterr().out)
    assert doc["solution_status"] == "optimal" and doc["objective"] == 12  # MPS drops the constant 7
    assert doc["values"] == {"x0": 0, "x1": 0, "x2": 1, "x3": 1, "x4": 1, "y": 0}


def test_exit_codes(tmp_path, infeasible):
    model = tmp_path / "inf.mps"
    infeasible().writeMPS(str(model), with_objsense=True)
    out = tmp_path / "sol.txt"
    assert main(["solve", str(model), "--solution", str(out), "--quiet"]) == solution.EXIT_INFEASIBLE
    assert out.read_text().startswith("solution_status infeasible\ntermination proven\n")
    assert main(["solve", str(tmp_path / "missing.mps")]) == solution.EXIT_BAD_MODEL
    assert main(["solve", str(model), "--option", "bogus=1"]) == solution.EXIT_USAGE
    assert main(["--version"]) == 0
