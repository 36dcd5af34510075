"""The conformance suite's checks on PuLP 4's two entry points (no torch here: proven answers, errors,
import orders)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import conformance_checks as checks
import models
from conformance import entries

ENTRIES = {e.name: e for e in entries(pulp_only=True)}


@pytest.mark.parametrize("spec", sorted(models.SOLVABLE))
@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_proven_answers(entry, spec):
    checks.check_solvable(ENTRIES[entry], models.SOLVABLE[spec])


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_model_error_classes(entry):
    checks.check_model_error(ENTRIES[entry], models.UNBOUNDED_INTEGER)


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_unbounded_model(entry):
    checks.check_unbounded(ENTRIES[entry])


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_mixed_model(entry):
    checks.check_mixed(ENTRIES[entry])


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_option_error_classes(entry):
    checks.check_option_error(ENTRIES[entry])


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_time_limit_zero(entry):
    checks.check_time_limit_zero(ENTRIES[entry])


#: PuLP 4 registers through ``pulp.apis.addSolver``: every import order, each in a fresh interpreter.
IMPORT_ORDERS = [
    "import pulp\nimport bipnn_backends",
    "from pulp import LpProblem\nimport bipnn_backends",
    "import bipnn_backends\nimport pulp",
    "from bipnn_backends import BIPNN\nimport pulp",
    "import bipnn_backends.pulp\nimport pulp",
    "from bipnn_backends.pulp import BIPNN_CMD\nimport pulp",
    "import bipnn_backends.cli\nimport pulp",
    "import bipnn_backends\nassert bipnn_backends.register('pulp') == ['pulp']\nimport pulp",
]


@pytest.mark.parametrize("order", IMPORT_ORDERS)
def test_import_orders(order):
    root = Path(__file__).resolve().parents[1]
    check = ("import pulp\nassert {'BIPNN', 'BIPNN_CMD'} <= set(pulp.listSolvers())\n"
             "assert type(pulp.getSolver('BIPNN', msg=False)).__name__ == 'BIPNN'\n"
             "assert [s.name for s in pulp.apis._all_solvers].count('BIPNN') == 1\n")
    done = subprocess.run([sys.executable, "-W", "error::ImportWarning", "-c", order + "\n" + check],
                          capture_output=True, text=True, cwd=str(root), timeout=300,
                          env=dict(os.environ, PYTHONPATH=str(root)))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "could not register" not in done.stderr and "circular" not in done.stderr, done.stderr
