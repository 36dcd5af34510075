"""The optimisation engine: torch + dhg, no knowledge of hosts.

``search(reform, opts, deadline, start, on_best) -> EngineOutput`` minimises a
reformulation's energy over {0,1}^n: on this machine (``engine/search.py``), or
as a portfolio of searches on a Ray cluster when ``opts.cluster`` is set
(``engine/portfolio.py``). Importing this package imports torch.
"""

from __future__ import annotations

import os

# OpenMP threads (numba's prange, torch) spin at every barrier by default; on a loaded machine the
# spinning thread takes the other's time slice: two threads did 0.56x the work of one, 1.0x with
# PASSIVE (docs/parallel.md). Set before numba and torch load their runtime; the user's value wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from typing import Callable  # noqa: E402

import numpy as np

from ..core.pubo import Reformulation
from ..options import Options
from .search import EngineOutput
from .search import search as search_here

__all__ = ["EngineOutput", "search"]


def search(reform: Reformulation, opts: Options, deadline: float | None,
           start: np.ndarray | None = None, on_best: Callable[[np.ndarray], bool] | None = None) -> EngineOutput:
    """Minimise ``reform.energy``; ``deadline`` is a ``time.perf_counter()`` value or None.
    ``on_best(x)`` is told of each new best point (returning True stops the search); a Ray
    portfolio reports only its final incumbent."""
    if opts.cluster is not None:
        from .portfolio import search_portfolio
        out = search_portfolio(reform, opts, deadline, start)
        if on_best is not None and len(out.candidates):
            on_best(out.candidates[0])
        return out
    return search_here(reform, opts, deadline, start, on_best)
