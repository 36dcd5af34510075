#!/usr/bin/env bash
# Set up, then solve one nonlinear binary model through PuLP, Pyomo and CVXPY and print the results.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python examples/main.py
