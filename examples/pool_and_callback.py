"""Stop at a target objective with an incumbent callback, keep a pool of distinct answers, plot it.

    python examples/pool_and_callback.py [--items 200] [--target 0.99] [--plot run.png]

The knapsack of pulp_knapsack.py: CBC gives the optimum, BIPNN stops as soon as it has a
verified point within ``--target`` of it, and reports the 5 best distinct points it met.
"""

from __future__ import annotations

import argparse

import pulp

from bipnn_backends import BIPNN
from pulp_knapsack import build, cbc


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--items", type=int, default=200)
    ap.add_argument("--target", type=float, default=0.99, help="share of CBC's optimum to stop at")
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--plot", help="save the convergence plot here (needs matplotlib)")
    args = ap.parse_args()

    prob = build(args.items)
    prob.solve(cbc())
    target = args.target * pulp.value(prob.objective)
    print(f"CBC optimum {pulp.value(prob.objective):.0f}; stopping at {target:.0f}")

    def until_target(event) -> None:
        print(f"{event.time:7.2f} s  objective {event.objective:.0f}")
        if event.objective >= target:
            event.stop()

    solver = BIPNN(msg=False, timeLimit=args.time_limit, callback=until_target, pool_size=5, pool_distance=3)
    prob.solve(solver)
    print(f"BIPNN: {pulp.value(prob.objective):.0f} ({solver.result.termination}), pool:",
          [entry["objective"] for entry in solver.pool])
    if args.plot:
        solver.result.plot(args.plot)
        print(f"plot: {args.plot}")


if __name__ == "__main__":
    main()
