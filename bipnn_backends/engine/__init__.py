"""The optimisation engine: torch + dhg, no knowledge of hosts.

``search(reform, opts, deadline, start) -> EngineOutput`` minimises a
reformulation's energy over {0,1}^n: on this machine (``engine/search.py``), or
as a portfolio of searches on a Ray cluster when ``opts.cluster`` is set
(``engine/portfolio.py``). Importing this package imports torch.
"""

from __future__ import annotations

import numpy as np

from ..core.pubo import Reformulation
from ..options import Options
from .search import EngineOutput
from .search import search as search_here

__all__ = ["EngineOutput", "search"]


def search(reform: Reformulation, opts: Options, deadline: float | None,
           start: np.ndarray | None = None) -> EngineOutput:
    """Minimise ``reform.energy``; ``deadline`` is a ``time.perf_counter()`` value or None."""
    if opts.cluster is not None:
        from .portfolio import search_portfolio
        return search_portfolio(reform, opts, deadline, start)
    return search_here(reform, opts, deadline, start)
