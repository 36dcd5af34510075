"""Smoke test of an installed wheel with only the [pulp] extra: solve PuLP models through BIPNN.

Run by scripts/check_wheel.sh in a fresh virtual environment, from outside the checkout, so
that the installed package (not the source tree) is imported. Exits non-zero on any mismatch.
"""

from __future__ import annotations

import importlib.util
import sys

import pulp

import bipnn_backends

VALUES = [23, 31, 29, 44, 53, 38, 63, 85, 89, 82, 17, 25, 41, 36, 50, 12, 47, 33, 28, 60]
WEIGHTS = [12, 14, 19, 21, 27, 16, 31, 40, 42, 38, 9, 11, 20, 18, 24, 7, 22, 15, 13, 29]
CAPACITY = 150
OPTIMUM = 328  # by dynamic programming over the capacity


def main() -> None:
    assert "site-packages" in bipnn_backends.__file__, f"imported from the source tree: {bipnn_backends.__file__}"
    for host in ("pyomo", "cvxpy"):
        assert importlib.util.find_spec(host) is None, f"{host} must not be installed with the [pulp] extra only"

    tiny = pulp.LpProblem("tiny", pulp.LpMaximize)
    a, b = pulp.LpVariable("a", cat="Binary"), pulp.LpVariable("b", cat="Binary")
    tiny += 3 * a + 2 * b
    tiny += a + b <= 1
    tiny.solve(bipnn_backends.BIPNN(msg=False))
    assert pulp.LpStatus[tiny.status] == "Optimal" and (a.value(), b.value()) == (1, 0), (tiny.status, a.value())

    prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(len(VALUES))]
    prob += pulp.lpSum(v * xi for v, xi in zip(VALUES, x))
    prob += pulp.lpSum(w * xi for w, xi in zip(WEIGHTS, x)) <= CAPACITY, "capacity"
    prob.solve(pulp.getSolver("BIPNN", msg=False, timeLimit=None, epochs=1000))
    chosen = [i for i, xi in enumerate(x) if xi.value() > 0.5]
    weight = sum(WEIGHTS[i] for i in chosen)
    value = sum(VALUES[i] for i in chosen)
    assert weight <= CAPACITY, f"infeasible: weight {weight}"
    assert abs(pulp.value(prob.objective) - value) < 1e-9
    assert value == OPTIMUM, f"knapsack value {value}, optimum {OPTIMUM}"
    print(f"wheel smoke test passed: bipnn_backends {bipnn_backends.__version__} from {bipnn_backends.__file__}, "
          f"pulp {pulp.__version__}, Python {sys.version.split()[0]}; knapsack {value} = optimum")


if __name__ == "__main__":
    main()
