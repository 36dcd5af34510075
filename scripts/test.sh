#!/usr/bin/env bash
# Set up, then run every test: the main suite on Python 3.11 (PuLP 3.x, torch), the PuLP 4
# adapter suite on Python 3.12 in its own virtual environment (no torch there), and the built
# wheel installed with only the [pulp] extra in a fresh environment (scripts/check_wheel.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/python -m pytest tests
bash scripts/test_pulp4.sh
bash scripts/check_wheel.sh
