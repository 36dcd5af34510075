"""Shared PuLP 4 models (built with ``prob.add_variable``; small enough for the exhaustive path)."""

from __future__ import annotations

from typing import Callable

import pulp
import pytest

collect_ignore_glob: list[str] = [] if hasattr(pulp.constants, "LpSolveStatus") else ["test_*.py"]


def build_tiny() -> pulp.LpProblem:
    """max sum (i+1) x_i + 2 y + 7 s.t. sum x + y <= 3; optimum 19 (x2 = x3 = x4 = 1, y = 0)."""
    p = pulp.LpProblem("tiny", pulp.LpMaximize)
    x = [p.add_variable(f"x{i}", cat="Binary") for i in range(5)]
    y = p.add_variable("y", 0, 3, cat="Integer")
    p += pulp.lpSum((i + 1) * x[i] for i in range(5)) + 2 * y + 7
    p += pulp.lpSum(x) + y <= 3, "cap"
    return p


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
