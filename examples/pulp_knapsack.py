"""An ordinary PuLP knapsack model, solved by CBC and by BIPNN side by side.

    python examples/pulp_knapsack.py [--items 200] [--time-limit 10]

The only change to the PuLP code is the solver argument: ``prob.solve(BIPNN(...))``.
"""

from __future__ import annotations

import argparse
import random
import time

import pulp

from bipnn_backends import BIPNN


def build(n: int, seed: int = 0) -> pulp.LpProblem:
    rng = random.Random(seed)
    weight = [rng.randint(5, 60) for _ in range(n)]
    value = [w + rng.randint(-4, 12) for w in weight]  # correlated: hard for greedy
    prob = pulp.LpProblem("knapsack", pulp.LpMaximize)
    take = [prob.add_variable(f"take_{i}", cat="Binary") for i in range(n)]
    prob += pulp.lpSum(value[i] * take[i] for i in range(n)), "value"
    prob += pulp.lpSum(weight[i] * take[i] for i in range(n)) <= sum(weight) // 2, "capacity"
    return prob


def cbc() -> pulp.LpSolver:
    solver = pulp.COIN_CMD(msg=False)
    return solver if solver.available() else pulp.PULP_CBC_CMD(msg=False)  # PuLP 3 bundles CBC here


def run(prob: pulp.LpProblem, solver: pulp.LpSolver) -> tuple[str, float, float, int]:
    start = time.perf_counter()
    prob.solve(solver)
    taken = sum(1 for v in prob.variables() if v.varValue and v.varValue > 0.5)
    status = solver.result.solution_status if isinstance(solver, BIPNN) else "optimal"
    return status, pulp.value(prob.objective), time.perf_counter() - start, taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rows = [("CBC", *run(build(args.items, args.seed), cbc())),
            ("BIPNN", *run(build(args.items, args.seed), BIPNN(msg=False, timeLimit=args.time_limit,
                                                                 seed=args.seed)))]
    print(f"0/1 knapsack, {args.items} items")
    print(f"{'solver':8} {'status':10} {'objective':>10} {'items':>6} {'seconds':>8}")
    for name, status, objective, seconds, taken in rows:
        print(f"{name:8} {status:10} {objective:10.0f} {taken:6d} {seconds:8.2f}")
    print(f"BIPNN / CBC = {rows[1][2] / rows[0][2]:.4f}")


if __name__ == "__main__":
    main()
