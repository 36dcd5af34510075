"""The solution pool in Pyomo's idiom: a solution loader with several solutions (``pool_size``).

``results.solution_loader.get_solution_ids()`` lists them (0 is the best, the one loaded by
default); ``results.solution_loader.solution(i).load_vars()`` loads solution i into the model
(Pyomo's pool API, ``pyomo.contrib.solver``); their objectives, best first, are in
``results.extra_info.pool_objectives``.
"""

from __future__ import annotations

from typing import Any, Callable, Hashable, Iterable

from pyomo.common.collections import ComponentMap

from .solver import BipnnSolutionLoader


class PoolSolutionLoader(BipnnSolutionLoader):
    """A :class:`BipnnSolutionLoader` over several verified solutions, best first."""

    def __init__(self, model: Any, solutions: list[ComponentMap]) -> None:
        super().__init__(model, solutions[0])
        self._solutions = solutions
        self._active = 0

    def get_number_of_solutions(self) -> int:
        return len(self._solutions)

    def get_solution_ids(self) -> list[Any]:
        return list(range(len(self._solutions)))

    def _set_solution_id(self, solution_id: Any) -> Any:
        if solution_id is None:
            solution_id = 0
        if solution_id not in range(len(self._solutions)):
            raise ValueError(f"bipnn: no solution {solution_id!r} in the pool; ids are 0..{len(self._solutions) - 1}")
        previous, self._active = self._active, solution_id
        self._values = self._solutions[solution_id]
        return previous


def pool_loader(model: Any, pairs: Iterable[tuple[Any, Hashable]], pool: list,
                as_number: Callable[[float], Any]) -> PoolSolutionLoader:
    """The loader of ``pool`` (PoolSolution entries) for (Pyomo var, key in the values) pairs."""
    pairs = list(pairs)
    return PoolSolutionLoader(model, [ComponentMap((var, as_number(e.values[key])) for var, key in pairs)
                                      for e in pool])
