"""Exact multilinear fit of any function of a few binaries (Möbius inversion, paper eq. 5-6).

Every function on {0,1}^s has exactly one multilinear polynomial that equals
it at all 2^s points; its coefficient on the monomial prod_{i in S} x_i is
sum_{T subset S} (-1)^{|S|-|T|} f(1_T), computed here by the fast Möbius
transform in O(s 2^s).
"""

from __future__ import annotations

import numpy as np

from .expr import Poly
from .multilinear import canonicalize


_EPS = float(np.finfo(np.float64).eps)


def _subset_transform(values: np.ndarray, sign: float) -> np.ndarray:
    """out[S] = sum over T subset of S of sign^(|S|-|T|) * values[T], in O(s 2^s)."""
    values = np.asarray(values, dtype=np.float64)
    s = int(np.log2(len(values)))
    if len(values) != 1 << s:
        raise ValueError("need one value per point of {0,1}^s")
    a = values.copy().reshape((2,) * s) if s else values.copy()
    for axis in range(s):
        # bit b of the point index is axis s-1-b of the C-ordered reshape
        sl1 = [slice(None)] * s
        sl0 = [slice(None)] * s
        sl1[axis], sl0[axis] = 1, 0
        a[tuple(sl1)] += sign * a[tuple(sl0)]
    return a.reshape(-1)


def mobius_coefficients(values: np.ndarray) -> np.ndarray:
    """Coefficients indexed by subset bitmask, from values indexed by point bitmask."""
    return _subset_transform(values, -1.0)


def rounding_bound(values: np.ndarray) -> np.ndarray:
    """For each subset S, a bound on the rounding error of its Möbius coefficient: the
    coefficient sums |S| levels of differences of the values at subsets of S."""
    s = int(np.log2(len(values)))
    sizes = np.zeros(1, dtype=np.int64)
    for _ in range(s):
        sizes = np.concatenate((sizes, sizes + 1))
    return 2 * _EPS * sizes * _subset_transform(np.abs(values), 1.0)


def fit(support: np.ndarray, values: np.ndarray) -> Poly:
    """The multilinear polynomial over ``support`` (sorted global indices) equal to
    ``values[r]`` at the point whose bit b is x[support[b]], for every r.

    A coefficient within its own rounding bound (a sum of values that cancels exactly in
    exact arithmetic) is dropped: it is noise of the transform, not a term of the function.
    Every other coefficient is kept, however small beside the others.
    """
    coefs = mobius_coefficients(values)
    coefs[np.abs(coefs) <= rounding_bound(values)] = 0.0
    s = len(support)
    masks = np.nonzero(coefs)[0]
    masks = masks[masks != 0]
    bits = ((masks[:, None] >> np.arange(s)) & 1).astype(bool)
    lengths = bits.sum(axis=1)
    flat = np.broadcast_to(np.asarray(support, dtype=np.int64), bits.shape)[bits]
    poly = Poly(np.concatenate(([0], np.cumsum(lengths))), flat, coefs[masks], float(coefs[0]))
    return canonicalize(poly)
