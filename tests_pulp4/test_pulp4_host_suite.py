"""PuLP 4's own solver suite (``pulp.tests.solver_common.BaseSolverTest.PuLPTest``) for ``BIPNN`` and
``BIPNN_CMD``, with the exclusions of the one table in tests/host_exclusions.py."""

from __future__ import annotations

from pulp.tests.solver_common import BaseSolverTest

import bipnn_backends  # noqa: F401  (registers)
from bipnn_backends.pulp import BIPNN, BIPNN_CMD
from host_exclusions import with_exclusions


class TestPulp4SuiteBIPNN(BaseSolverTest.PuLPTest):
    solveInst = BIPNN


class TestPulp4SuiteBIPNN_CMD(BaseSolverTest.PuLPTest):
    solveInst = BIPNN_CMD


with_exclusions(TestPulp4SuiteBIPNN, "pulp4")
with_exclusions(TestPulp4SuiteBIPNN_CMD, "pulp4")
