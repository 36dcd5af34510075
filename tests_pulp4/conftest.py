"""Shared PuLP 4 models (built with ``prob.add_variable``; small enough for the exhaustive path)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Callable

import pulp
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from models import tiny as build_tiny  # noqa: E402  (the fixture models of every suite)

collect_ignore_glob: list[str] = [] if hasattr(pulp.constants, "LpSolveStatus") else ["test_*.py"]


def build_infeasible() -> pulp.LpProblem:
    p = build_tiny()
    x = p.variablesDict()
    p += x["x0"] + x["x1"] >= 3, "impossible"
    return p


@pytest.fixture
def tiny() -> Callable[[], pulp.LpProblem]:
    return build_tiny


@pytest.fixture
def infeasible() -> Callable[[], pulp.LpProblem]:
    return build_infeasible
