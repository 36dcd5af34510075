"""Compiled (numba) simulated annealing and 1-flip descent on a PUBO plus linear penalty rows.

State of a chain: x (0/1, int8), for every monomial of degree >= 2 the number
of zeros it holds (two 4-bit counts per byte up to degree 15, else int32), for
every linear penalty row its residual ``A x - rhs``. Linear terms are a vector
h (their zero count is 1 - x_i: nothing to store). The energy change of
flipping i is computed on demand from i's monomials and rows only: h_i (0 -> 1)
or -h_i (1 -> 0); a monomial with coefficient c contributes -c when x_i = 1 and
it holds no zero, +c when x_i = 0 and x_i is its only zero; a row with weight w,
coefficient a and residual r contributes w * (f(r + a*d) - f(r)), d = +1 for
0 -> 1 and -1 for 1 -> 0, f(r) = r^2 ("eq") or max(r, 0)^2 ("le").

Memory, not arithmetic, bounds a sweep at scale: every flip tried reads the zero
counts of its monomials at random places. Packed counts and no linear terms make
them 4x smaller than one byte per monomial (at 1M variables and 2M degree-4
monomials: 1 MB, inside a core's L2, instead of 3 MB).

Chains are independent (own state, own xorshift64* generator seeded per
chain), so results do not depend on the number of threads. Kernels are
compiled once and cached on disk; importing this module compiles them (first
time in an environment) or loads them from the cache.
"""

from __future__ import annotations

import math
import time
from typing import NamedTuple

import numba
import numpy as np
from numba import njit, prange, types
from numba.extending import overload

from ..core.pubo import Reformulation
from .local_search import ranges, csr_transpose
from .xorshift import rand as _rand

CHUNK_SECONDS = 0.05  # with a deadline: target duration of one kernel call (checks between calls)
ACCEPT_BINS = 4096  # Metropolis test: -log(u) bounds per bin of u, exp() only inside a bin's band
NIBBLE_DEGREE = 15  # zero counts of monomials up to this degree are packed two per byte


class Arrays(NamedTuple):
    """One reformulation's energy as the kernels read it (argument ``P`` of every kernel).

    Monomials, CSR by monomial: monomial k holds variables ``m_idx[m_off[k]:m_off[k+1]]``
    and has coefficient ``m_coef[k]``. The same, CSR by variable: variable i is in monomials
    ``v_mono[v_moff[i]:v_moff[i+1]]`` whose coefficients are repeated in ``v_mcoef`` (one
    stream per flip). Linear penalty rows, CSR by row: row r is ``r_coef . x[r_idx]`` over
    ``r_off[r]:r_off[r+1]``, right-hand side ``rhs[r]``, weight ``w[r]``, ``le[r]`` True for
    ``<=`` (penalty max(res, 0)^2) and False for ``==`` (penalty res^2); CSR by variable:
    variable i is in rows ``v_row[v_roff[i]:v_roff[i+1]]`` with coefficients ``v_rcoef``.
    ``const`` is the PUBO's constant term. Only monomials of degree >= 2 are in the m_/v_ arrays;
    linear terms are ``h`` (coefficient per variable). ``nib``: zero counts packed two per byte
    (uint8, degree <= 15), else one int32 each. ``lt[j] = -log(j / ACCEPT_BINS)`` (``lt[0] = inf``).
    """

    m_off: np.ndarray
    m_idx: np.ndarray
    m_coef: np.ndarray
    v_moff: np.ndarray
    v_mono: np.ndarray
    v_mcoef: np.ndarray
    r_off: np.ndarray
    r_idx: np.ndarray
    r_coef: np.ndarray
    rhs: np.ndarray
    w: np.ndarray
    le: np.ndarray
    v_roff: np.ndarray
    v_row: np.ndarray
    v_rcoef: np.ndarray
    h: np.ndarray
    lt: np.ndarray
    nib: bool
    const: float


def _zget(zeros, k):
    """Zero count of monomial k (compiled per layout: uint8 = two 4-bit counts per byte, else one per entry)."""


def _zadd(zeros, k, dz) -> None:
    """Add dz to the zero count of monomial k (same layouts)."""


@overload(_zget, inline="always")
def _zget_impl(zeros, k):  # the layout is chosen when compiling: no branch inside the sweep's inner loop
    if zeros.dtype == types.uint8:                   # (a runtime branch there measured 2.8x slower)
        return lambda zeros, k: (zeros[k >> 1] >> ((k & 1) << 2)) & 15
    return lambda zeros, k: zeros[k]


@overload(_zadd, inline="always")
def _zadd_impl(zeros, k, dz):
    if zeros.dtype == types.uint8:
        def nibble(zeros, k, dz):
            zeros[k >> 1] += dz << ((k & 1) << 2)
        return nibble

    def plain(zeros, k, dz):
        zeros[k] += dz
    return plain


@njit(cache=True)
def _init(x, P, zeros, res) -> float:
    """Fill zero counts and residuals for x; return the exact energy."""
    e = P.const
    for i in range(len(x)):
        if x[i]:
            e += P.h[i]
    zeros[:] = 0
    for k in range(len(P.m_coef)):
        z = 0
        for p in range(P.m_off[k], P.m_off[k + 1]):
            z += 1 - x[P.m_idx[p]]
        _zadd(zeros, k, z)
        if z == 0:
            e += P.m_coef[k]
    for r in range(len(P.rhs)):
        s = -P.rhs[r]
        for p in range(P.r_off[r], P.r_off[r + 1]):
            s += P.r_coef[p] * x[P.r_idx[p]]
        res[r] = s
        if s > 0.0 or not P.le[r]:
            e += P.w[r] * s * s
    return e


@njit(cache=True, inline="always")
def _f(r: float, le: bool) -> float:
    if le and r <= 0.0:
        return 0.0
    return r * r


@njit(cache=True, inline="always")
def _delta(i, x, P, zeros, res) -> float:
    """Exact energy change of flipping variable i."""
    t = 1 - x[i]  # the zero count at which a monomial of i changes: 0 when x_i = 1, 1 when x_i = 0
    d = P.h[i]
    for p in range(P.v_moff[i], P.v_moff[i + 1]):  # branch-free: measured 1.8x faster than testing each
        d += P.v_mcoef[p] * (_zget(zeros, P.v_mono[p]) == t)
    sgn = 1.0
    if t == 0:
        d, sgn = -d, -1.0
    for p in range(P.v_roff[i], P.v_roff[i + 1]):
        r = P.v_row[p]
        old = res[r]
        d += P.w[r] * (_f(old + sgn * P.v_rcoef[p], P.le[r]) - _f(old, P.le[r]))
    return d


@njit(cache=True, inline="always")
def _flip(i, x, P, zeros, res) -> None:
    dz = 1 if x[i] == 1 else -1  # zero counts of i's monomials: +1 for 1 -> 0
    x[i] ^= 1
    for p in range(P.v_moff[i], P.v_moff[i + 1]):
        _zadd(zeros, P.v_mono[p], dz)
    for p in range(P.v_roff[i], P.v_roff[i + 1]):
        res[P.v_row[p]] -= dz * P.v_rcoef[p]


@njit(cache=True)
def _descend(x, P, zeros, res, e, tol) -> float:
    """First-improvement 1-flip descent (sequential passes) to a local minimum; returns the energy."""
    n = len(x)
    improved = True
    while improved:
        improved = False
        for i in range(n):
            d = _delta(i, x, P, zeros, res)
            if d < -tol:
                _flip(i, x, P, zeros, res)
                e += d
                improved = True
    return e


@njit(cache=True)
def _anneal_chain(x, zeros, res, e, best, best_e, P, t0, ratio, start, stop, state, tol):
    """Metropolis sweeps start..stop-1 (sequential order; T = t0 * ratio**sweep; exp() only when the
    uniform draw falls in the bin whose bounds straddle the acceptance probability) from x (energy e,
    zero counts and residuals kept across calls), with the best state seen so far in ``best``
    (energy ``best_e``); x, zeros, res, best and the generator state are updated in place.
    Returns (energy of x, best energy)."""
    n = len(x)
    log = np.empty(2 * n + 1, np.int32)  # flips that turn ``best`` into x (positions may repeat)
    nlog = 0
    for j in range(n):
        if best[j] != x[j]:
            log[nlog] = j
            nlog += 1
    for sweep in range(start, stop):
        beta = 1.0 / (t0 * ratio ** sweep)
        for i in range(n):
            d = _delta(i, x, P, zeros, res)
            if d > 0.0:  # accept iff u < exp(-a), i.e. -log(u) > a; u's bin j bounds -log(u) to (lt[j+1], lt[j]]
                a = d * beta
                if a > 40.0:  # accepted with probability < 5e-18: no draw
                    continue
                u = _rand(state)
                j = int(u * ACCEPT_BINS)
                if a >= P.lt[j] or (a >= P.lt[j + 1] and u >= math.exp(-a)):
                    continue
            _flip(i, x, P, zeros, res)
            e += d
            log[nlog] = i
            nlog += 1
            if e < best_e - tol:
                for q in range(nlog):
                    best[log[q]] ^= 1
                nlog = 0
                best_e = e
            elif nlog == len(log):
                nlog = 0
                for j in range(n):
                    if best[j] != x[j]:
                        log[nlog] = j
                        nlog += 1
    return e, best_e


@njit(cache=True)
def _zlen(P) -> int:
    """Length of one chain's zero-count array."""
    return (len(P.m_coef) + 1) // 2 if P.nib else len(P.m_coef)


@njit(cache=True, parallel=True)
def init_batch(X, P, Z, RES, E) -> None:
    """Zero counts Z[c], residuals RES[c] and energy E[c] of every row X[c]."""
    for c in prange(X.shape[0]):
        E[c] = _init(X[c], P, Z[c], RES[c])


@njit(cache=True, parallel=True)
def anneal_batch(X, Z, RES, E, B, BE, P, T0, ratio, start, stop, states, tol) -> None:
    """Sweeps start..stop-1 of one SA chain per row: current states X with their zero counts Z,
    residuals RES and energies E (from :func:`init_batch`), best states B and their energies BE,
    temperatures T0[c] * ratio[c]**sweep, generator states states[c:c+1]; all in place."""
    for c in prange(X.shape[0]):
        E[c], BE[c] = _anneal_chain(X[c], Z[c], RES[c], E[c], B[c], BE[c], P, T0[c], ratio[c], start, stop,
                                    states[c:c + 1], tol)


@njit(cache=True, parallel=True)
def descend_batch(X, P, tol, E, zt) -> None:
    """1-flip descent of every row of X in place; energies into E (zero counts of type zt.dtype)."""
    for c in prange(X.shape[0]):
        x = X[c]
        zeros = np.empty(_zlen(P), zt.dtype)
        res = np.empty(len(P.rhs), np.float64)
        E[c] = _descend(x, P, zeros, res, _init(x, P, zeros, res), tol)


@njit(cache=True, parallel=True)
def deltas_batch(X, P, D, zt) -> None:
    """D[b, i] = energy change of flipping i at row b of X."""
    for c in prange(X.shape[0]):
        x = X[c]
        zeros = np.empty(_zlen(P), zt.dtype)
        res = np.empty(len(P.rhs), np.float64)
        _init(x, P, zeros, res)
        for i in range(len(x)):
            D[c, i] = _delta(i, x, P, zeros, res)


@njit(cache=True, parallel=True)
def energy_batch(X, P, E, zt) -> None:
    """Energy of every row of X."""
    for c in prange(X.shape[0]):
        zeros = np.empty(_zlen(P), zt.dtype)
        res = np.empty(len(P.rhs), np.float64)
        E[c] = _init(X[c], P, zeros, res)


def supported(reform: Reformulation) -> bool:
    """True when the kernel evaluates the whole energy (no nonlinear blocks or opaque terms)."""
    return not reform.nonlinear_blocks and not reform.opaque_terms


class Annealer:
    """The kernels bound to one reformulation's :class:`Arrays` (``self.arrays``; see the module docstring)."""

    def __init__(self, reform: Reformulation) -> None:
        if not supported(reform):
            raise ValueError("the SA kernel handles PUBO and linear penalty rows only")
        pubo = reform.pubo
        self.n = n = pubo.n
        deg = np.diff(np.asarray(pubo.offsets, dtype=np.int64))
        coefs = np.asarray(pubo.coefs, dtype=np.float64)
        first = np.asarray(pubo.offsets[:-1], dtype=np.int64)
        lin = deg == 1
        h = np.bincount(np.asarray(pubo.indices)[first[lin]], coefs[lin], minlength=n).astype(np.float64)
        high = np.flatnonzero(deg > 1)
        m_off = np.concatenate([[0], np.cumsum(deg[high])]).astype(np.int64)
        m_idx = np.ascontiguousarray(np.asarray(pubo.indices, dtype=np.int64)[ranges(first[high], deg[high])])
        m_coef = np.ascontiguousarray(coefs[high])
        v_moff, order = csr_transpose(n, m_idx)
        itype = np.int32 if len(m_coef) < 2**31 else np.int64  # a narrower stream per sweep
        v_mono = np.repeat(np.arange(len(m_coef), dtype=itype), np.diff(m_off))[order]
        blocks = [b for b in reform.linear_blocks if b.n_rows > 0]
        lens = [np.diff(np.asarray(b.offsets, dtype=np.int64)) for b in blocks]
        r_lens = np.concatenate(lens) if blocks else np.zeros(0, np.int64)
        r_off = np.concatenate([[0], np.cumsum(r_lens)]).astype(np.int64)
        cat = (lambda name, dt: np.ascontiguousarray(np.concatenate([np.asarray(getattr(b, name)) for b in blocks])
                                                     if blocks else np.zeros(0), dtype=dt))
        r_idx, r_coef = cat("indices", np.int64), cat("coefs", np.float64)
        rhs, w = cat("rhs", np.float64), cat("weights", np.float64)
        le = (np.concatenate([np.full(b.n_rows, b.kind == "le") for b in blocks]) if blocks
              else np.zeros(0, dtype=np.bool_))
        v_roff, order = csr_transpose(n, r_idx)
        v_row = np.repeat(np.arange(len(rhs), dtype=np.int64), r_lens)[order]
        v_rcoef = np.ascontiguousarray(r_coef[order])
        degree = int(np.diff(m_off).max(initial=0))
        nib = degree <= NIBBLE_DEGREE
        with np.errstate(divide="ignore"):
            lt = -np.log(np.arange(ACCEPT_BINS + 1) / ACCEPT_BINS)
        self.arrays = Arrays(m_off, m_idx, m_coef, v_moff, v_mono, np.ascontiguousarray(m_coef[v_mono]), r_off, r_idx,
                             r_coef, rhs, w, le, v_roff, v_row, v_rcoef, h, lt, nib, float(pubo.constant))
        scales = [1.0, float(np.abs(coefs).max(initial=0.0))]
        scales += [float(b.weights.max() * np.abs(b.coefs).max() ** 2) for b in blocks]
        self.zt = np.empty(0, np.uint8 if nib else np.int32)
        self.tol = 1e-9 * max(scales)  # smallest energy decrease counted as an improvement
        self.time_sweeps = 0.0  # seconds the sweeps of the last :meth:`anneal` took

    def zeros(self, chains: int) -> np.ndarray:
        """Uninitialised zero-count arrays for ``chains`` chains (filled by :func:`init_batch`)."""
        return np.empty((chains, _zlen(self.arrays)), self.zt.dtype)

    def _rows(self, X: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray(np.asarray(X).reshape(-1, self.n) > 0.5, dtype=np.int8)

    def energy(self, X: np.ndarray) -> np.ndarray:
        x = self._rows(X)
        E = np.empty(len(x))
        energy_batch(x, self.arrays, E, self.zt)
        return E

    def deltas(self, X: np.ndarray) -> np.ndarray:
        """(B, n) energy change of every single flip at every row of X."""
        x = self._rows(X)
        D = np.empty(x.shape, dtype=np.float64)
        deltas_batch(x, self.arrays, D, self.zt)
        return D

    def descend(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """1-flip descent of every row of X to a local minimum: (points int8, energies)."""
        x = self._rows(X).copy()
        E = np.empty(len(x))
        descend_batch(x, self.arrays, self.tol, E, self.zt)
        return x, E

    def anneal(self, X: np.ndarray, T0: np.ndarray, T1: np.ndarray, sweeps: int, seeds: np.ndarray,
               deadline: float | None = None) -> tuple[np.ndarray, np.ndarray, int]:
        """One SA chain from each row of X (``sweeps`` sweeps, temperature T0[c] → T1[c] geometrically,
        generator seed seeds[c]); the best state of each chain is then descended. With a ``deadline``
        (perf_counter time) the sweeps run in calls of about ``CHUNK_SECONDS``, none started that
        would end past it (temperatures and random numbers depend on the sweep index only, not on the chunks). Returns (best points int8, their
        energies, sweeps done); ``time_sweeps`` is then the time the sweeps took (the rest was setting up and
        descending)."""
        x = self._rows(X).copy()
        B = x.copy()
        Z = self.zeros(len(x))
        RES = np.empty((len(x), len(self.arrays.rhs)))
        BE = np.empty(len(x))
        init_batch(x, self.arrays, Z, RES, BE)
        EX = BE.copy()
        states = np.asarray(seeds, dtype=np.uint64) | np.uint64(1)
        T0 = np.ascontiguousarray(T0, dtype=np.float64)
        ratio = (np.asarray(T1, dtype=np.float64) / T0) ** (1.0 / max(sweeps - 1, 1))
        done, step = 0, (1 if deadline is not None else sweeps)
        t_sweeps = time.perf_counter()
        while done < sweeps and step > 0:
            stop = min(done + step, sweeps)
            t = time.perf_counter()
            anneal_batch(x, Z, RES, EX, B, BE, self.arrays, T0, ratio, done, stop, states, self.tol)
            if deadline is not None:
                now = time.perf_counter()
                per_sweep = max(now - t, 1e-9) / (stop - done)
                step = min(max(1, int(CHUNK_SECONDS / per_sweep)), int((deadline - now) / per_sweep))
            done = stop
        self.time_sweeps = time.perf_counter() - t_sweeps
        E = np.empty(len(B))
        descend_batch(B, self.arrays, self.tol, E, self.zt)
        return B, E, done


def threads() -> int:
    """Threads the parallel kernels use."""
    return numba.get_num_threads()


def _warm_up() -> None:
    """Compile (or load from the on-disk cache) every kernel for the types the engine uses."""
    from ..core.problem import BinaryProblem
    from ..core.pubo import LinearBlock, Pubo

    pubo = Pubo(3, np.array([0, 1, 3]), np.array([0, 1, 2]), np.array([1.0, -2.0]), 0.0)
    block = LinearBlock("le", np.array([0, 2]), np.array([0, 2]), np.array([1.0, 1.0]), np.array([1.0]),
                        np.array([1.0]), ["r"])
    ann = Annealer(Reformulation(BinaryProblem(), 1.0, pubo, [block]))
    X = np.zeros((2, 3))
    ann.energy(X), ann.deltas(X), ann.descend(X)
    ann.anneal(X, np.ones(2), np.full(2, 0.1), 2, np.arange(2), time.perf_counter() + 60.0)


_warm_up()
