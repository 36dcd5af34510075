"""The optimisation engine: torch + dhg, no knowledge of hosts.

``search(reform, opts, deadline, start) -> EngineOutput`` minimises a
reformulation's energy over {0,1}^n. Importing this package imports torch.
"""

from .search import EngineOutput, search

__all__ = ["EngineOutput", "search"]
