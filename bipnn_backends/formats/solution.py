"""The solution document of the ``bipnn`` command line: exit codes, JSON and text forms.

JSON (``--json``, or ``--solution FILE.json``)::

    {"format": "bipnn-solution", "version": 2, "solution_status": "feasible",
     "termination": "time_limit", "objective": 42.0, "message": "...",
     "time_limit_reached": true, "max_violation": 0.0,
     "values": {"x": 1.0, "y": 0.0}, "stats": {...}}

``solution_status`` is optimal, feasible, infeasible, unbounded or none; ``termination`` is
proven, time_limit, epochs, converged or interrupted (see :mod:`bipnn_backends.result`);
``time_limit_reached`` is derived from it. ``values`` is null unless the solution
status is ``optimal`` or ``feasible``.

Text (``--solution FILE``, any other extension): one ``key value`` line for each
of ``solution_status``, ``termination``, ``objective`` (``none`` without a solution),
``time_limit_reached`` and ``message``, then ``values N`` and N lines ``name value``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

from ..result import FEASIBLE, INFEASIBLE, NONE, OPTIMAL, TERMINATIONS, UNBOUNDED, SolveResult

EXIT_OK = 0            # optimal or feasible: a verified solution
EXIT_ERROR = 1         # unexpected internal error
EXIT_USAGE = 2         # bad command line or option
EXIT_BAD_MODEL = 3     # the model cannot be read or is not a bounded binary/integer program
EXIT_INFEASIBLE = 4    # proven infeasible
EXIT_NO_SOLUTION = 5   # no feasible solution found (not proven infeasible)
EXIT_UNBOUNDED = 6      # proven unbounded (continuous variables)
EXIT_INTERRUPTED = 130  # Ctrl-C before the search had started (no solution to report)

EXIT_BY_STATUS = {OPTIMAL: EXIT_OK, FEASIBLE: EXIT_OK, INFEASIBLE: EXIT_INFEASIBLE, NONE: EXIT_NO_SOLUTION,
                  UNBOUNDED: EXIT_UNBOUNDED}

FORMAT = "bipnn-solution"
VERSION = 2


def document(result: SolveResult) -> dict[str, Any]:
    """The JSON-ready solution document of ``result``."""
    solved = result.has_solution
    return {
        "format": FORMAT,
        "version": VERSION,
        "solution_status": result.solution_status,
        "termination": result.termination,
        "objective": result.objective if solved else None,
        "message": result.message,
        "time_limit_reached": bool(result.time_limit_reached),
        "max_violation": result.max_violation if solved else None,
        "values": dict(result.values) if solved and result.values is not None else None,
        "stats": _jsonable(result.stats),
    }


def to_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=1, allow_nan=False)


def to_text(doc: dict[str, Any]) -> str:
    values = doc["values"] or {}
    lines = [f"solution_status {doc['solution_status']}",
             f"termination {doc['termination']}",
             f"objective {'none' if doc['objective'] is None else _number(doc['objective'])}",
             f"time_limit_reached {str(doc['time_limit_reached']).lower()}",
             f"message {' '.join(str(doc['message']).split())}",
             f"values {len(values)}"]
    lines.extend(f"{name} {_number(v)}" for name, v in values.items())
    return "\n".join(lines) + "\n"


def write(doc: dict[str, Any], path: str) -> None:
    """Write ``doc`` to ``path``: JSON if it ends with ``.json``, else the text form."""
    with open(path, "w") as f:
        f.write(to_json(doc) if path.lower().endswith(".json") else to_text(doc))


def read_json(path: str) -> dict[str, Any]:
    """Read and check a JSON solution document; raises ValueError if it is not one."""
    with open(path) as f:
        doc = json.load(f)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("solution_status") not in EXIT_BY_STATUS \
            or doc.get("termination") not in TERMINATIONS:
        raise ValueError(f"{path} is not a bipnn solution document")
    return doc


def _number(v: float) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() and abs(v) < 2 ** 53 else repr(v)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (bool, np.bool_)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else str(float(obj))
    if obj is None or isinstance(obj, str):
        return obj
    return str(obj)
