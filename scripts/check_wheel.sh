#!/usr/bin/env bash
# Build the wheel and sdist, install the wheel (not editable) into a fresh virtual environment
# with ONLY the [pulp] extra (torch pinned first: an unpinned torch pulls a multi-GB CUDA
# build), and solve PuLP models there (scripts/wheel_smoke.py). What `pip install
# bipnn_backends[pulp]` gives a user must work without Pyomo or CVXPY.
# Usage: scripts/check_wheel.sh [PYTHON]   (default: .venv/bin/python, which needs `build`)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${1:-.venv/bin/python}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/bipnn-wheel.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
"$PY" -m build --outdir "$WORK/dist" . >"$WORK/build.log" 2>&1 || { cat "$WORK/build.log"; exit 1; }
if grep -i "SetuptoolsDeprecationWarning\|license.*deprecated" "$WORK/build.log"; then
  echo "FAIL: the build warns about the package metadata" >&2
  exit 1
fi
WHEEL=$(ls "$WORK"/dist/bipnn_backends-*.whl)
ls "$WORK"/dist/bipnn_backends-*.tar.gz >/dev/null
"$PY" -c 'import sys, zipfile; sys.exit("bipnn_backends/py.typed" not in zipfile.ZipFile(sys.argv[1]).namelist())' \
  "$WHEEL" || { echo "FAIL: py.typed missing from the wheel" >&2; exit 1; }
BASE=$("$PY" -c 'import sys; print(sys._base_executable)')
"$BASE" -m venv "$WORK/venv"
pip_quiet() {  # pip's notes about the local index are noise here; the log is shown on failure
  "$WORK/venv/bin/python" -m pip install -q "$@" >"$WORK/pip.log" 2>&1 || { cat "$WORK/pip.log"; exit 1; }
}
pip_quiet "torch==2.13.0"
pip_quiet "${WHEEL}[pulp]"
(cd "$WORK" && "$WORK/venv/bin/python" "$OLDPWD/scripts/wheel_smoke.py")
"$WORK/venv/bin/bipnn" --version
