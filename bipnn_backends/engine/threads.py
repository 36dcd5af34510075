"""CPU threads of one solve: the scope that applies the ``threads`` option to numba and torch.

The ``threads`` option sets how many independent annealing chains run per round
(one per thread, ``numba.prange``; at least two) and torch's intra-op threads
for training. The answer depends on the seed, the options and the thread count
only (not on the machine's core count), because each chain has its own generator.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import numba
import torch


@contextmanager
def use_threads(threads: int) -> Iterator[None]:
    """Run the body with ``threads`` numba and torch threads (numba's capped at its pool size,
    ``NUMBA_NUM_THREADS``); the previous counts are restored afterwards."""
    nb_before, t_before = numba.get_num_threads(), torch.get_num_threads()
    numba.set_num_threads(max(1, min(threads, numba.config.NUMBA_NUM_THREADS)))
    torch.set_num_threads(max(1, threads))
    try:
        yield
    finally:
        numba.set_num_threads(nb_before)
        torch.set_num_threads(t_before)
