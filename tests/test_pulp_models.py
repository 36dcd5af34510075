"""PuLP models shared by the PuLP adapter and command line tests (and a check that CBC solves them)."""

from __future__ import annotations

import random

import pulp
import pytest


def knapsack(n: int = 60, seed: int = 1) -> pulp.LpProblem:
    r = random.Random(seed)
    w = [r.randint(5, 40) for _ in range(n)]
    v = [r.randint(5, 60) for _ in range(n)]
    p = pulp.LpProblem("knapsack", pulp.LpMaximize)
    x = [p.add_variable(f"x{i}", cat="Binary") for i in range(n)]
    p += pulp.lpSum(v[i] * x[i] for i in range(n))
    p += pulp.lpSum(w[i] * x[i] for i in range(n)) <= sum(w) // 3, "capacity"
    return p


def set_cover(n: int = 40, m: int = 30, seed: int = 2) -> pulp.LpProblem:
    r = random.Random(seed)
    p = pulp.LpProblem("set_cover", pulp.LpMinimize)
    x = [p.add_variable(f"s{j}", cat="Binary") for j in range(n)]
    cost = [r.randint(1, 10) for _ in range(n)]
    p += pulp.lpSum(cost[j] * x[j] for j in range(n))
    for i in range(m):
        p += pulp.lpSum(x[j] for j in r.sample(range(n), 4)) >= 1, f"cover{i}"
    return p


def assignment(n: int = 10, seed: int = 3) -> pulp.LpProblem:
    r = random.Random(seed)
    c = [[r.randint(1, 50) for _ in range(n)] for _ in range(n)]
    p = pulp.LpProblem("assignment", pulp.LpMinimize)
    x = [[p.add_variable(f"a{i}_{j}", cat="Binary") for j in range(n)] for i in range(n)]
    p += pulp.lpSum(c[i][j] * x[i][j] for i in range(n) for j in range(n))
    for i in range(n):
        p += pulp.lpSum(x[i][j] for j in range(n)) == 1, f"row{i}"
        p += pulp.lpSum(x[j][i] for j in range(n)) == 1, f"col{i}"
    return p


def general_integers(n: int = 12, seed: int = 4) -> pulp.LpProblem:
    """Bounded integers switched on by binaries, with an objective constant."""
    r = random.Random(seed)
    p = pulp.LpProblem("general_integers", pulp.LpMaximize)
    y = [p.add_variable(f"y{i}", 0, r.randint(2, 9), cat="Integer") for i in range(n)]
    b = [p.add_variable(f"b{i}", cat="Binary") for i in range(n)]
    p += pulp.lpSum(r.randint(1, 9) * y[i] + r.randint(1, 20) * b[i] for i in range(n)) + 5
    for k in range(4):
        p += pulp.lpSum(r.randint(1, 6) * y[i] + r.randint(0, 5) * b[i] for i in range(n)) <= 60, f"res{k}"
    for i in range(n):
        p += y[i] <= 9 * b[i], f"link{i}"
    return p


def tiny() -> pulp.LpProblem:
    """Seven binaries after encoding: the exhaustive path proves the optimum (19)."""
    p = pulp.LpProblem("tiny", pulp.LpMaximize)
    x = [p.add_variable(f"x{i}", cat="Binary") for i in range(5)]
    y = p.add_variable("y", 0, 3, cat="Integer")
    p += pulp.lpSum((i + 1) * x[i] for i in range(5)) + 2 * y + 7
    p += pulp.lpSum(x) + y <= 3, "cap"
    return p


MODELS = {"knapsack": knapsack, "set_cover": set_cover, "assignment": assignment,
          "general_integers": general_integers}


def cbc_optimum(build) -> float:
    p = build()
    p.solve(pulp.PULP_CBC_CMD(msg=False))
    assert p.status == pulp.LpStatusOptimal
    return pulp.value(p.objective)


def quality(sense: int, found: float, best: float) -> float:
    """found/best for a maximisation, best/found for a minimisation (1 is optimal, all optima > 0)."""
    return found / best if sense == pulp.LpMaximize else best / found


@pytest.mark.parametrize("name", sorted(MODELS))
def test_cbc_solves_the_reference_models(name):
    assert cbc_optimum(MODELS[name]) > 0
