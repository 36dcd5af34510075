"""The best point offered so far by the members of a Ray portfolio (``engine/portfolio.py`` runs it as
a small actor). Pure numpy: the actor's process imports neither torch nor numba, so it starts in
about a second, not the several an engine import takes."""

from __future__ import annotations

import numpy as np


class Incumbent:
    """Ray actor: the best point offered so far, and which member offered what (pid, node)."""

    def __init__(self) -> None:
        self.x: np.ndarray | None = None
        self.e = np.inf
        self.by: int | None = None
        self.members: dict[int, dict] = {}

    def register(self, k: int, pid: int, node: str, start_s: float) -> None:
        self.members[k] = {"pid": pid, "node": node, "start_s": start_s, "best_energy": None, "legs": 0}

    def offer(self, k: int, x: np.ndarray, e: float) -> None:
        m = self.members.setdefault(k, {"pid": None, "node": None, "start_s": None, "best_energy": None, "legs": 0})
        m["legs"] += 1
        if m["best_energy"] is None or e < m["best_energy"]:
            m["best_energy"] = e
        if e < self.e:
            self.x, self.e, self.by = np.asarray(x, dtype=np.int8).copy(), float(e), k

    def best(self) -> tuple[np.ndarray | None, float, int | None]:
        return self.x, self.e, self.by

    def report(self) -> dict[int, dict]:
        return self.members
