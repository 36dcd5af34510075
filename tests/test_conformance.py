"""One conformance suite for the entry points on this interpreter's hosts (PuLP 3 here; the PuLP 4
run is tests_pulp4/test_pulp4_conformance.py; import orders: tests/test_registration.py)."""

from __future__ import annotations

import pytest

import bipnn_backends  # noqa: F401  (registers)
import conformance_checks as checks
import models
from conformance import entries

ENTRIES = {e.name: e for e in entries()}


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
def test_time_limit_status(entry):
    checks.check_time_limit(ENTRIES[entry])


@pytest.mark.parametrize("entry", sorted(ENTRIES))
def test_time_limit_zero(entry):
    checks.check_time_limit_zero(ENTRIES[entry])
