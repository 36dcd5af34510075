"""CBC solves the PuLP reference models of tests/models.py (the quality suite compares against it)."""

from __future__ import annotations

import pytest

from models import MODELS, cbc_optimum


@pytest.mark.parametrize("name", sorted(MODELS))
def test_cbc_solves_the_reference_models(name):
    assert cbc_optimum(MODELS[name]) > 0
