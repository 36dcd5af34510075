"""The compiled kernels' random numbers: xorshift64* in a one-element uint64 state per chain,
so every chain draws its own reproducible stream inside numba code."""

from __future__ import annotations

import numpy as np
from numba import njit

_MUL = np.uint64(2685821657736338717)
_INV53 = 1.0 / 9007199254740992.0


@njit(cache=True, inline="always")
def rand(state: np.ndarray) -> float:
    """Uniform [0, 1) from the xorshift64* generator in state[0]."""
    s = state[0]
    s ^= s >> np.uint64(12)
    s ^= s << np.uint64(25)
    s ^= s >> np.uint64(27)
    state[0] = s
    return float((s * _MUL) >> np.uint64(11)) * _INV53
