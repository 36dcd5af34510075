"""Every difference between PuLP 3.x and PuLP 4.x the adapter relies on, in one place
(registration, model access, timing; status codes are :mod:`.status`, reading MPS files is
:mod:`bipnn_backends.formats.mps`, the CLI's solution document :mod:`bipnn_backends.formats.solution`).

PuLP 4 (Python >= 3.12) keeps the model in a Rust core: constraints are a
method, variables are not hashable, unused variables stay in the model
(``exported_variables()`` lists the used ones), infinite bounds are floats,
``assignStatus`` is gone and ``actualSolve`` returns ``buildStats(...)`` with a
:class:`~pulp.constants.LpSolveStatus` and a separate ``has_solution`` flag,
and ``pulp.apis.addSolver`` is the public registration hook.
"""

from __future__ import annotations

import operator
from itertools import chain
from typing import Any, Callable, Iterable

import pulp
import pulp.apis
from pulp import constants as const

PULP_VERSION: str = getattr(pulp, "__version__", "0")
PULP4: bool = hasattr(const, "LpSolveStatus")

DUMMY = "__dummy"  # the variable PuLP adds to a constant objective


def register_solvers(*classes: type) -> None:
    """Make ``getSolver``/``getSolverFromDict``/``listSolvers`` know ``classes`` (idempotent)."""
    known = {s.name for s in pulp.apis._all_solvers}
    new = [c for c in classes if c.name not in known]
    if not new:
        return
    if PULP4:
        pulp.apis.addSolver(*new)
    else:
        pulp.apis._all_solvers.extend(new)


def used_variables(lp: Any) -> list[Any]:
    """The variables of the objective and the constraints, in PuLP's column order (by name).

    PuLP 3's ``lp.variables()`` registers every entry of every constraint through two Python calls
    (2 s at 1M nonzeros); the same set is collected here at C level, by identity, then sorted as PuLP does.
    """
    if PULP4:
        return list(lp.exported_variables())
    exprs = ([lp.objective] if lp.objective else []) + list(lp._constraints.values())
    found = list(chain(lp._variables, chain.from_iterable(e.keys() for e in exprs)))
    return sorted(dict(zip(map(id, found), found)).values(), key=operator.attrgetter("name"))


def expression_entries(exprs: list[Any]) -> tuple[list[int], list[Any], Iterable[float]]:
    """The entries of PuLP expressions in one flat run: each one's length, the variables, the
    coefficients. PuLP 3 reads its dicts' keys and values (no (variable, coefficient) tuple per entry:
    allocating a million of them costs a second in garbage collection over a large model); PuLP 4's
    keys and values would each build its item list again, so its items are read once."""
    if PULP4:
        items = [e.items() for e in exprs]
        flat = list(chain.from_iterable(items))
        return list(map(len, items)), list(map(operator.itemgetter(0), flat)), map(operator.itemgetter(1), flat)
    return list(map(len, exprs)), list(chain.from_iterable(e.keys() for e in exprs)), \
        chain.from_iterable(e.values() for e in exprs)


def constraints(lp: Any) -> list[tuple[str, Any]]:
    """``(name, constraint)`` pairs; each constraint reads ``sum(items()) + constant (sense) 0``."""
    if PULP4:
        return [(c.name, c) for c in lp.constraints()]
    return list(lp._constraints.items())  # 3.x: names live only in this dict; the public view warns


#: What identifies a variable within its model: PuLP 4's ``id`` (PuLP 4 hands out a new Python
#: wrapper for each access, so ``id()`` would not do there), PuLP 3's object identity.
identity: Callable[[Any], int] = operator.attrgetter("id") if PULP4 else id


def set_values(variables: list[Any], values: list[float]) -> None:
    """Assign ``values[j]`` to ``variables[j]`` (by position, never by name)."""
    for v, val in zip(variables, values):
        v.varValue = val


def start_clock() -> Any:
    """What :func:`.status.finish` needs to time the solve (PuLP 4's ``clocks()``)."""
    if PULP4:
        from pulp.apis.core import clocks
        return clocks()
    return None


def is_integer_category(cat: str) -> bool:
    """Integer and binary (PuLP stores a binary as an integer in [0, 1])."""
    return cat in (const.LpInteger, const.LpBinary)
