"""Registration with every host in every import order, each in a fresh interpreter, without warnings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

CHECK = {
    "pulp": "import pulp; assert {'BIPNN', 'BIPNN_CMD'} <= set(pulp.listSolvers()); "
            "assert type(pulp.getSolver('BIPNN', msg=False)).__name__ == 'BIPNN'",
    "pyomo": "import pyomo.environ as pyo; assert pyo.SolverFactory('bipnn').available(); "
             "from pyomo.contrib.solver.common.factory import SolverFactory as F; assert F('bipnn')",
    "cvxpy": "import cvxpy as cp; from cvxpy.problems.problem import Problem; "
             "assert 'bipnn' in Problem.REGISTERED_SOLVE_METHODS",
}

#: What a user may import first; each is followed by the host import and the checks.
FIRST = [
    "import bipnn_backends",
    "from bipnn_backends import BIPNN",
    "from bipnn_backends import solve, __version__",
    "import bipnn_backends.pulp",
    "from bipnn_backends.pulp import BIPNN_CMD",
    "import bipnn_backends.cvxpy",
    "import bipnn_backends.cli",
    "from bipnn_backends.adapters.pulp.solvers import BIPNN",
    "from bipnn_backends.adapters.pyomo.solver import Bipnn",
    "from bipnn_backends.adapters.cvxpy.translate import solve_method",
]


def run(code: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-W", "error::ImportWarning", "-c", code], capture_output=True,
                          text=True, env=env, cwd=str(ROOT), timeout=300)


def assert_clean(done: subprocess.CompletedProcess) -> None:
    assert done.returncode == 0, done.stderr[-3000:]
    assert "could not register" not in done.stderr and "circular" not in done.stderr, done.stderr


@pytest.mark.parametrize("first", FIRST)
def test_ours_first_then_every_host(first):
    assert_clean(run("\n".join([first, "import pulp, pyomo.environ, cvxpy", *CHECK.values()])))


@pytest.mark.parametrize("host", sorted(CHECK))
def test_host_first_then_ours(host):
    imports = {"pulp": "import pulp", "pyomo": "import pyomo.environ", "cvxpy": "import cvxpy"}
    assert_clean(run("\n".join([imports[host], "import bipnn_backends", CHECK[host]])))


def test_host_submodule_first():
    assert_clean(run("import pyomo.kernel\nfrom pulp import LpProblem\nimport bipnn_backends\n"
                     + "\n".join(CHECK.values())))


def test_explicit_register_and_version_module():
    done = run("import bipnn_backends, sys\n"
               "assert 'pulp' not in sys.modules and 'torch' not in sys.modules\n"
               "assert bipnn_backends.register('pulp') == ['pulp']\n"
               "from bipnn_backends._version import __version__\n"
               "assert bipnn_backends.__version__ == __version__\n" + CHECK["pulp"])
    assert_clean(done)


@pytest.mark.parametrize("args", [["--version"], ["solve", "missing.mps", "--quiet"]])
def test_cli_prints_no_import_warning(args):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "bipnn_backends.cli", *args], capture_output=True, text=True,
                          env=env, cwd=str(ROOT), timeout=300)
    assert "could not register" not in done.stderr and "circular" not in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def _import_graph(package_name: str) -> dict[str, set[str]]:
    """Every import between the package's modules (module-level and inside functions)."""
    import ast

    package = ROOT / package_name

    def name(path: Path) -> str:
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    modules = {name(p): p for p in package.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for mod, path in modules.items():
        pkg = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                base = pkg.split(".")[:len(pkg.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else []))
                deps.update(f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target for a in node.names)
            elif isinstance(node, ast.Import):
                deps.update(a.name for a in node.names)
        graph[mod] = {d for d in deps if d in modules and d != mod}
    return graph


@pytest.mark.parametrize("package", ["bipnn_backends", "benchmarks"])
def test_no_import_cycles_in_the_package(package):
    graph = _import_graph(package)
    state: dict[str, int] = {}
    cycle: list[str] = []

    def visit(mod: str, path: list[str]) -> bool:
        state[mod] = 1
        for dep in sorted(graph[mod]):
            if state.get(dep) == 1:
                cycle.extend(path[path.index(dep):] + [dep])
                return True
            if dep not in state and visit(dep, path + [dep]):
                return True
        state[mod] = 2
        return False

    assert not any(visit(m, [m]) for m in sorted(graph) if m not in state), " -> ".join(cycle)


def test_no_test_file_imports_another():
    """Shared fixtures live in tests/models.py (and tests/engine_run.py, tests/conformance*.py), never in
    a test file that another suite imports (issue 13)."""
    import ast

    offenders = []
    for path in sorted((ROOT / "tests").glob("*.py")) + sorted((ROOT / "tests_pulp4").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0].startswith("test_")]
    assert not offenders, offenders
