"""CVXPY adapter: ``prob.solve(solver=BIPNN())`` and ``prob.solve(method="bipnn")``.

See docs/cvxpy.md for options, the status mapping and the supported atoms.
"""

from __future__ import annotations

from typing import Any

METHOD = "bipnn"


def _solve(problem: Any, *args: Any, **kwargs: Any) -> Any:
    from .translate import solve_method

    return solve_method(problem, *args, **kwargs)


def register() -> None:
    """Register ``method="bipnn"`` with ``cvxpy.Problem`` (the translator loads on first use)."""
    from cvxpy.problems.problem import Problem

    Problem.register_solve(METHOD, _solve)


def __getattr__(name: str) -> Any:
    if name == "BIPNN":
        from .solver import BIPNN
        return BIPNN
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
