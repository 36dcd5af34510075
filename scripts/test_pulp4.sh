#!/usr/bin/env bash
# PuLP 4.x needs Python >= 3.12, for which torch has no local wheel: this suite runs the PuLP
# adapter on models the core's exhaustive solver proves, in .venv312 (numpy, scipy + pulp 4 only).
set -euo pipefail
cd "$(dirname "$0")/.."
PY312=""
for cand in python3.12 /root/.pyenv/versions/3.12*/bin/python3.12 /usr/bin/python3.12 /usr/local/bin/python3.12; do
  if command -v "$cand" >/dev/null 2>&1 && "$cand" -c 'import sys; assert sys.version_info[:2] == (3, 12)' 2>/dev/null; then
    PY312=$(command -v "$cand"); break
  fi
done
if [ -z "$PY312" ]; then
  echo "FAIL: no Python 3.12 interpreter found for the PuLP 4 suite" >&2
  exit 1
fi
if [ ! -x .venv312/bin/python ]; then
  "$PY312" -m venv .venv312
  .venv312/bin/python -m pip install -q --upgrade pip
fi
.venv312/bin/python -m pip install -q "pulp>=4.2,<5" numpy scipy pytest
.venv312/bin/python -m pip install -q -e . --no-deps
.venv312/bin/python -m pytest tests_pulp4
