"""Compiled (numba) PUBO energy and its gradient at product-form probabilities, in one pass.

For probabilities P (n, R) (variable i of restart r is ``P[i, r]``) and monomials k with
coefficients c_k: ``E[r] = sum_k c_k prod_{i in k} P[i, r]`` and
``G[i, r] = dE[r] / dP[i, r] = sum_{k contains i} c_k prod_{j in k, j != i} P[j, r]``.
One pass over the monomials computes both: each monomial's suffix products, then its prefix
products, so the partial derivatives need no division and are exact where a probability is 0.

Layout (n, R): one occurrence of a variable reads and writes one row of R adjacent values
(vectorised over restarts). Threads split the restarts into column blocks of at least
:data:`BLOCK` (one 64-byte cache line of float32): each thread owns its columns of G, so there
are no atomics, and every value is computed in the same order whatever the thread count.
Energies accumulate in float64.
"""

from __future__ import annotations

import numba
import numpy as np
from llvmlite import binding, ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from ..core.pubo import Pubo

BLOCK = 16  # restart columns per thread at least: one cache line of float32, no false sharing
PARALLEL_WORK = 1 << 22  # occurrences x restarts below which one thread is faster (thread wake-ups)
AHEAD = 4  # monomials ahead whose rows are prefetched: 1.04 -> 0.72 s CPU per pass at 1M (4-8 best)
_PREFETCH = "llvm.prefetch.p0" if binding.llvm_version_info >= (15,) else "llvm.prefetch.p0i8"


def _prefetcher(write: int):
    """An intrinsic ``f(arr, i, b)`` hinting the CPU to fetch the first two cache lines of
    ``arr[i, b, :]`` (a 3-d array) for reading (``write`` 0) or writing (1); no effect on results."""

    def typer(typingctx, arr, i, b):
        def codegen(context, builder, signature, args):
            aryty = signature.args[0]
            ary = context.make_array(aryty)(context, builder, args[0])
            index = [context.cast(builder, args[1], signature.args[1], types.intp),
                     context.cast(builder, args[2], signature.args[2], types.intp),
                     context.get_constant(types.intp, 0)]
            ptr = cgutils.get_item_pointer(context, builder, aryty, ary, index, wraparound=False)
            i8p, i32 = ir.PointerType(ir.IntType(8)), ir.IntType(32)
            fn = cgutils.get_or_insert_function(
                builder.module, ir.FunctionType(ir.VoidType(), [i8p, i32, i32, i32]), _PREFETCH)
            line = builder.bitcast(ptr, i8p)
            for _ in range(2):
                builder.call(fn, [line, ir.Constant(i32, write), ir.Constant(i32, 3), ir.Constant(i32, 1)])
                line = builder.gep(line, [ir.Constant(ir.IntType(64), 64)])
            return context.get_dummy_value()

        return types.void(arr, i, b), codegen

    typer.__name__ = f"_prefetch_{'write' if write else 'read'}"
    return intrinsic(typer)


_prefetch_read = _prefetcher(0)
_prefetch_write = _prefetcher(1)


@njit(cache=True)
def _energy_grad(off, idx, coefs, P, G, E, b) -> None:
    """Energies E[b] and gradient G[:, b] += dE/dP of column block b of P, G (n, blocks, width)."""
    width = P.shape[2]
    dmax = 1
    for k in range(len(coefs)):
        dmax = max(dmax, off[k + 1] - off[k])
    S = np.empty((dmax, width), P.dtype)  # S[j] = product of the monomial's members after its j-th
    pre = np.empty(width, P.dtype)  # coef * product of the members before the current one
    acc = np.zeros(width, np.float64)
    m = len(coefs)
    for k in range(m):
        if k + AHEAD < m:
            for j in range(off[k + AHEAD], off[k + AHEAD + 1]):
                _prefetch_read(P, idx[j], b)
                _prefetch_write(G, idx[j], b)
        a = off[k]
        d = off[k + 1] - a
        for r in range(width):
            S[d - 1, r] = 1.0
        for j in range(d - 1, 0, -1):
            v = idx[a + j]
            for r in range(width):
                S[j - 1, r] = S[j, r] * P[v, b, r]
        c = coefs[k]
        for r in range(width):
            pre[r] = c
        for j in range(d):
            v = idx[a + j]
            for r in range(width):
                G[v, b, r] += pre[r] * S[j, r]
                pre[r] *= P[v, b, r]
        for r in range(width):
            acc[r] += pre[r]
    for r in range(width):
        E[b, r] = acc[r]


@njit(cache=True)
def _energy(off, idx, coefs, P, E, b) -> None:
    """Energies E[b] of column block b of P (n, blocks, width)."""
    width = P.shape[2]
    pre = np.empty(width, P.dtype)
    acc = np.zeros(width, np.float64)
    m = len(coefs)
    for k in range(m):
        if k + AHEAD < m:
            for j in range(off[k + AHEAD], off[k + AHEAD + 1]):
                _prefetch_read(P, idx[j], b)
        c = coefs[k]
        for r in range(width):
            pre[r] = c
        for j in range(off[k], off[k + 1]):
            v = idx[j]
            for r in range(width):
                pre[r] *= P[v, b, r]
        for r in range(width):
            acc[r] += pre[r]
    for r in range(width):
        E[b, r] = acc[r]


@njit(cache=True, parallel=True)
def _energy_grad_blocks(off, idx, coefs, P, G, E) -> None:
    """:func:`_energy_grad` of every column block, one per thread."""
    for b in prange(P.shape[1]):
        _energy_grad(off, idx, coefs, P, G, E, b)


@njit(cache=True, parallel=True)
def _energy_blocks(off, idx, coefs, P, E) -> None:
    """:func:`_energy` of every column block, one per thread."""
    for b in prange(P.shape[1]):
        _energy(off, idx, coefs, P, E, b)


def column_blocks(R: int, work: int) -> int:
    """Column blocks for R restarts: one per thread, each at least :data:`BLOCK` wide, dividing R
    (equal widths); 1 when ``work`` (occurrences x restarts) is too small to pay for threads."""
    if work < PARALLEL_WORK:
        return 1
    most = min(numba.get_num_threads(), R // BLOCK)
    return max([b for b in range(1, most + 1) if R % b == 0], default=1)


class PuboKernel:
    """One PUBO's monomials as the kernels read them (CSR, int32 indices, coefficients in ``dtype``)."""

    def __init__(self, pubo: Pubo, dtype: np.dtype) -> None:
        if pubo.n >= 2**31:
            raise ValueError(f"{pubo.n} variables: the fused kernel indexes variables with int32")
        self.n = pubo.n
        self.off = np.ascontiguousarray(pubo.offsets, dtype=np.int64)
        self.idx = np.ascontiguousarray(pubo.indices, dtype=np.int32)
        self.coefs = np.ascontiguousarray(pubo.coefs, dtype=dtype)

    def __call__(self, P: np.ndarray, G: np.ndarray | None = None) -> np.ndarray:
        """Energies E (R,) float64 at P (n, R) (C-contiguous, the coefficients' dtype); with ``G``
        (n, R, same dtype and layout, zeroed by the caller) the gradient dE/dP is added into G."""
        n, R = P.shape
        B = column_blocks(R, len(self.idx) * R)
        P3 = P.reshape(n, B, R // B)
        E = np.zeros((B, R // B), np.float64)
        if G is None:
            if B == 1:
                _energy(self.off, self.idx, self.coefs, P3, E, 0)
            else:
                _energy_blocks(self.off, self.idx, self.coefs, P3, E)
        else:
            G3 = G.reshape(n, B, R // B)
            if B == 1:
                _energy_grad(self.off, self.idx, self.coefs, P3, G3, E, 0)
            else:
                _energy_grad_blocks(self.off, self.idx, self.coefs, P3, G3, E)
        return E.reshape(R)


def _warm_up() -> None:
    """Compile (or load from the on-disk cache) the kernels for float32, the engine's dtype."""
    pubo = Pubo(3, np.array([0, 1, 3]), np.array([0, 1, 2]), np.array([1.0, -2.0]), 0.0)
    kernel = PuboKernel(pubo, np.float32)
    P = np.full((3, 2), 0.5, np.float32)
    kernel(P, np.zeros_like(P))
    kernel(P)
    P3, E = P.reshape(3, 2, 1), np.zeros((2, 1))
    _energy_grad_blocks(kernel.off, kernel.idx, kernel.coefs, P3, np.zeros_like(P3), E)
    _energy_blocks(kernel.off, kernel.idx, kernel.coefs, P3, E)


_warm_up()
