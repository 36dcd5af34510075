"""Compiled (numba) constraint-aware local search: weighted violations, group moves, tabu.

The model is ``min f(x)`` (the PUBO, any degree) subject to the linear rows
``A x - rhs = 0`` / ``<= 0``. A disjoint set of one-hot rows (the *groups*,
:func:`bipnn_backends.core.structure.disjoint_groups`) is kept satisfied at
all times: a move in a group moves its single 1 from the holder j to another
member k (two flips, scored together). Every other variable is *free* and
moves by single flips. Rows, the groups' rows included, are scored as
``w_r * |violation_r| / max|a_r|`` (Feasibility Jump's weighted violation,
linear, normalised by the row's largest coefficient) plus ``wobj * delta f``.

One step of a chain (after Feasibility Jump, ViolationLS and Local-MIP):

- infeasible: pick a random violated row; among the moves that push it toward
  satisfaction (flip a free member; move a group's 1 away from a member that
  holds it, to the group's best other member; move a group's 1 onto a member)
  take the best score. If none improves, try pairs of free flips in the row (an
  equality such as 3a + 3b + 2c + 2d = 4 is often repaired by no single flip).
  If an improving move exists, apply it; else bump the weight of every
  violated row (a local minimum of the weighted score: the "breakout").
- feasible: record the point if it is the best feasible one, then try a random
  group (all its targets) or free variable; apply an improving move (a "lift"
  move when it keeps feasibility; else it trades objective for violation,
  which the next steps repair: ejection chains and 2-exchanges arise this
  way). After ``FAIL_LIMIT`` tries without an improving move, raise the
  objective weight instead.
- a changed variable is tabu (cannot change back) for a few steps;
- after ``stall`` steps without a new best, the chain restarts from its best
  feasible point (weights reset) with a few random group moves.

*Native integers*: an integer encoded in binaries (weights 1, 2, 4, ..., r) that appears only
linearly (its bits in degree-1 monomials and in rows, with coefficients proportional to the
weights) and has a wide range is moved as one variable, by *jump* moves (Feasibility Jump): the
value in its domain with the best score among the values where one of its rows becomes tight,
its bounds and its neighbours; the move rewrites its bits (canonical encoding of the new value).
Its bits are no longer flipped one at a time. The encoding stays the representation, so decoding
and verification see exactly what the search moved.

Every array of a chain's state lives in the caller (rows of batch arrays), so
a run can be split into calls of any length: each call runs until its
cumulative *work* (row and monomial entries touched) reaches a budget, which
makes the deadline checks between calls O(work), not O(moves), and a run
without a deadline deterministic for a seed. Chains are independent
(``prange``; own xorshift64* stream).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
from numba import njit, prange

from .xorshift import rand as _rand

CAND_CAP = 64        # repair candidates evaluated per violated row (from a random offset)
PAIR_CAP = 8         # first and second flips of the pair moves tried on a row no single move helps
TABU_MIN, TABU_SPAN = 3, 8
REFRESH_EVERY = 20   # a call recomputes f, activities and violated rows after this many model sizes of work
FAIL_LIMIT = 32      # feasible-phase tries without an improving move before the objective weight rises
JUMP_CAP = 16        # rows of a native integer whose tight values are jump candidates (from a random offset)
REPAIR_CAP = 0       # the same when repairing a violated row (that row, plus this many others)
KICK_STEP = 3        # a kick moves a native integer by at most this much


class Model(NamedTuple):
    """The arrays the kernels read (built by ``constraint_search.build_model``)."""

    m_off: np.ndarray     # monomial CSR (PUBO)
    m_idx: np.ndarray
    m_coef: np.ndarray
    v_moff: np.ndarray    # variable -> monomial CSR
    v_mono: np.ndarray
    v_mcoef: np.ndarray
    r_off: np.ndarray     # row CSR
    r_idx: np.ndarray
    r_coef: np.ndarray
    rhs: np.ndarray
    eq: np.ndarray        # bool per row
    rtol: np.ndarray      # a row counts as violated above this
    rscale: np.ndarray    # 1 / max |a| of the row
    v_roff: np.ndarray    # variable -> row CSR
    v_row: np.ndarray
    v_rcoef: np.ndarray
    g_off: np.ndarray     # group CSR
    g_mem: np.ndarray
    v_group: np.ndarray   # group of each variable, -1 when free
    free: np.ndarray      # the free variables (single flips; not groups' members, not native integers' bits)
    i_off: np.ndarray     # native integer -> its bits (CSR; weights 1, 2, 4, ..., r in that order)
    i_bit: np.ndarray
    i_wt: np.ndarray      # int64 weight of each bit
    i_span: np.ndarray    # int64: the integer's values are lb + 0 .. span
    i_cost: np.ndarray    # change of f per unit of the integer
    i_roff: np.ndarray    # native integer -> row CSR (coefficient per unit)
    i_row: np.ndarray
    i_rcoef: np.ndarray
    v_int: np.ndarray     # native integer of each variable (bit), -1 when none
    const: float
    wobj0: float          # initial objective weight (1 / objective scale)
    ftol: float           # smallest objective decrease counted as an improvement


class Chains(NamedTuple):
    """State of C chains (row c of every array belongs to chain c)."""

    x: np.ndarray         # (C, n) int8
    zeros: np.ndarray     # (C, m) int32: zeros in each monomial
    act: np.ndarray       # (C, R) float64: A x
    w: np.ndarray         # (C, R) float64: row weights
    vl: np.ndarray        # (C, R) int64: violated rows (first nv entries)
    vpos: np.ndarray      # (C, R) int64: position in vl, -1 when satisfied
    hold: np.ndarray      # (C, G) int64: the member holding each group's 1
    tabu: np.ndarray      # (C, n) int64: step until which the variable may not change
    best: np.ndarray      # (C, n) int8: best feasible point (x when none yet)
    log: np.ndarray       # (C, 2n+1) int64: variables toggled since best == x (count past its end: overflowed)
    fl: np.ndarray        # (C, 5) float64: columns F_* (below)
    it: np.ndarray        # (C, 6) int64: columns I_* (below)
    rng: np.ndarray       # (C,) uint64


# Columns of Chains.fl: objective f of x, objective weight, best feasible f (inf when none),
# work done, work done at the last refresh.
F_OBJ, F_WOBJ, F_BEST, F_WORK, F_REFRESHED = range(5)
# Columns of Chains.it: violated rows (entries of vl in use), step, entries of log in use,
# feasible steps in a row without a move, step of the last improvement, restarts.
I_NV, I_STEP, I_NLOG, I_FAILS, I_IMPROVED, I_RESTARTS = range(6)


@njit(cache=True, inline="always")
def _randint(state, k):
    return min(int(_rand(state) * k), k - 1)


@njit(cache=True, inline="always")
def _pen(v, eq, tol):
    """Violation amount of a row with residual v (0 within tol)."""
    if eq:
        v = abs(v)
    return v if v > tol else 0.0


@njit(cache=True)
def _score(i, x, zeros, act, w, wobj, M):
    """(weighted score change, objective change, work) of flipping i."""
    df = 0.0
    if x[i] == 1:
        for p in range(M.v_moff[i], M.v_moff[i + 1]):
            if zeros[M.v_mono[p]] == 0:
                df -= M.v_mcoef[p]
        s = -1.0
    else:
        for p in range(M.v_moff[i], M.v_moff[i + 1]):
            if zeros[M.v_mono[p]] == 1:
                df += M.v_mcoef[p]
        s = 1.0
    dv = 0.0
    for p in range(M.v_roff[i], M.v_roff[i + 1]):
        r = M.v_row[p]
        old = act[r] - M.rhs[r]
        dv += w[r] * M.rscale[r] * (_pen(old + s * M.v_rcoef[p], M.eq[r], M.rtol[r]) - _pen(old, M.eq[r], M.rtol[r]))
    work = 1 + (M.v_moff[i + 1] - M.v_moff[i]) + (M.v_roff[i + 1] - M.v_roff[i])
    return wobj * df + dv, df, work


@njit(cache=True)
def _toggle(i, x, zeros, act, M):
    """Flip i, updating zero counts and activities (not the violated set)."""
    if x[i] == 1:
        x[i] = 0
        for p in range(M.v_moff[i], M.v_moff[i + 1]):
            zeros[M.v_mono[p]] += 1
        for p in range(M.v_roff[i], M.v_roff[i + 1]):
            act[M.v_row[p]] -= M.v_rcoef[p]
    else:
        x[i] = 1
        for p in range(M.v_moff[i], M.v_moff[i + 1]):
            zeros[M.v_mono[p]] -= 1
        for p in range(M.v_roff[i], M.v_roff[i + 1]):
            act[M.v_row[p]] += M.v_rcoef[p]


@njit(cache=True, inline="always")
def _violated(r, act, M):
    return _pen(act[r] - M.rhs[r], M.eq[r], M.rtol[r]) > 0.0


@njit(cache=True)
def _commit(i, x, zeros, act, vl, vpos, it, log, M):
    """Flip i for good: activities, violated set, the log of changes since the best point."""
    _toggle(i, x, zeros, act, M)
    for p in range(M.v_roff[i], M.v_roff[i + 1]):
        r = M.v_row[p]
        bad = _violated(r, act, M)
        if bad and vpos[r] < 0:
            vpos[r] = it[I_NV]
            vl[it[I_NV]] = r
            it[I_NV] += 1
        elif not bad and vpos[r] >= 0:
            last = vl[it[I_NV] - 1]
            vl[vpos[r]] = last
            vpos[last] = vpos[r]
            vpos[r] = -1
            it[I_NV] -= 1
    q = it[I_NLOG]
    if q < len(log):  # past the end the log has overflowed: the next sync takes a full copy
        log[q] = i
    it[I_NLOG] = q + 1


@njit(cache=True)
def _best_target(g, j, x, zeros, act, w, wobj, tabu, step, M, state):
    """Best member k != j to move group g's 1 to from its holder j (j tentatively off).
    Returns (k or -1, score, df, work)."""
    s1, d1, work = _score(j, x, zeros, act, w, wobj, M)
    _toggle(j, x, zeros, act, M)
    a, b = M.g_off[g], M.g_off[g + 1]
    size = b - a
    off = _randint(state, size) if size > 0 else 0
    bk, bs, bd = -1, np.inf, 0.0
    for q in range(size):
        k = M.g_mem[a + (q + off) % size]
        if k == j or tabu[k] > step:
            continue
        s2, d2, wk = _score(k, x, zeros, act, w, wobj, M)
        work += wk
        if s2 < bs:
            bk, bs, bd = k, s2, d2
    _toggle(j, x, zeros, act, M)
    return bk, s1 + bs, d1 + bd, work


@njit(cache=True)
def _pair_score(j, k, x, zeros, act, w, wobj, M):
    """Score of turning j off and k on (j tentatively off while k is scored)."""
    s1, d1, work = _score(j, x, zeros, act, w, wobj, M)
    _toggle(j, x, zeros, act, M)
    s2, d2, w2 = _score(k, x, zeros, act, w, wobj, M)
    _toggle(j, x, zeros, act, M)
    return s1 + s2, d1 + d2, work + w2


@njit(cache=True)
def _flip_free(i, x, zeros, act, vl, vpos, it, log, tabu, state, M):
    """Commit a single flip of i (either direction)."""
    if x[i] == 0:
        _move(i, -1, x, zeros, act, vl, vpos, it, log, tabu, state, M)
    else:
        _move(-1, i, x, zeros, act, vl, vpos, it, log, tabu, state, M)


@njit(cache=True)
def _best_pair(r, dec, x, zeros, act, w, wobj, tabu, step, M, state):
    """Best pair of free flips in row r: i pushes the row toward satisfaction, j any other member.
    At most PAIR_CAP first flips and PAIR_CAP second flips each. Returns (i, j, score, df, work)."""
    a0, L = M.r_off[r], M.r_off[r + 1] - M.r_off[r]
    off = _randint(state, L)
    bi, bj, bs, bd, work, n1 = -1, -1, np.inf, 0.0, 0, 0
    for q in range(L):
        p = a0 + (q + off) % L
        i = M.r_idx[p]
        if M.v_group[i] >= 0 or M.v_int[i] >= 0 or tabu[i] > step or ((M.r_coef[p] > 0.0) == (x[i] == 0)) == dec:
            continue
        s1, d1, wk = _score(i, x, zeros, act, w, wobj, M)
        work += wk
        _toggle(i, x, zeros, act, M)
        n2 = 0
        for q2 in range(L):
            p2 = a0 + (q2 + off + q + 1) % L
            j = M.r_idx[p2]
            if j == i or M.v_group[j] >= 0 or M.v_int[j] >= 0 or tabu[j] > step:
                continue
            s2, d2, wk = _score(j, x, zeros, act, w, wobj, M)
            work += wk
            if s1 + s2 < bs:
                bi, bj, bs, bd = i, j, s1 + s2, d1 + d2
            n2 += 1
            if n2 >= PAIR_CAP:
                break
        _toggle(i, x, zeros, act, M)
        n1 += 1
        if n1 >= PAIR_CAP:
            break
    return bi, bj, bs, bd, work + L


@njit(cache=True, inline="always")
def _int_value(j, x, M):
    """Value (offset from its lower bound) of native integer j."""
    v = 0
    for p in range(M.i_off[j], M.i_off[j + 1]):
        if x[M.i_bit[p]] == 1:
            v += M.i_wt[p]
    return v


@njit(cache=True, inline="always")
def _int_score(j, v, t, act, w, wobj, M):
    """(weighted score change, objective change, work) of moving native integer j from v to t."""
    d = float(t - v)
    dv = 0.0
    for p in range(M.i_roff[j], M.i_roff[j + 1]):
        r = M.i_row[p]
        old = act[r] - M.rhs[r]
        dv += w[r] * M.rscale[r] * (_pen(old + d * M.i_rcoef[p], M.eq[r], M.rtol[r]) - _pen(old, M.eq[r], M.rtol[r]))
    df = M.i_cost[j] * d
    return wobj * df + dv, df, 1 + M.i_roff[j + 1] - M.i_roff[j]


@njit(cache=True, inline="always")
def _int_try(j, v, t, dirn, bt, bs, bd, act, w, wobj, M):
    """Value t scored against the best so far (bt, bs, bd) when in range, not v, and in direction
    ``dirn`` (if nonzero); returns the new best and the work."""
    if t < 0 or t > M.i_span[j] or t == v or (dirn > 0 and t < v) or (dirn < 0 and t > v):
        return bt, bs, bd, 0
    sc, df, wk = _int_score(j, v, t, act, w, wobj, M)
    if sc < bs:
        return t, sc, df, wk
    return bt, bs, bd, wk


@njit(cache=True, inline="always")
def _int_tight(j, v, r, a, dirn, bt, bs, bd, act, w, wobj, M):
    """The values next to where row r (coefficient a per unit of j) becomes tight, scored as in
    ``_int_try``."""
    tight = v - (act[r] - M.rhs[r]) / a
    if not (tight > -1.0 and tight < M.i_span[j] + 1.0):
        return bt, bs, bd, 0
    lo = int(math.floor(tight))
    bt, bs, bd, work = _int_try(j, v, lo, dirn, bt, bs, bd, act, w, wobj, M)
    if tight > lo:
        bt, bs, bd, wk = _int_try(j, v, lo + 1, dirn, bt, bs, bd, act, w, wobj, M)
        work += wk
    return bt, bs, bd, work


@njit(cache=True)
def _int_jump(j, dirn, r0, a_r0, cap, x, act, w, wobj, M, state):
    """Jump move of native integer j: the best value among its bounds, its neighbours and the values
    where one of its rows becomes tight (floor and ceil): row ``r0`` (coefficient ``a_r0``; none when
    -1) and at most ``cap`` others from a random offset. ``dirn`` > 0: only larger values, < 0: only
    smaller, 0: any. Returns (value or -1, score, df, work)."""
    v = _int_value(j, x, M)
    span = M.i_span[j]
    bt, bs, bd = -1, np.inf, 0.0
    work = M.i_off[j + 1] - M.i_off[j]
    bt, bs, bd, wk = _int_try(j, v, 0, dirn, bt, bs, bd, act, w, wobj, M)
    work += wk
    bt, bs, bd, wk = _int_try(j, v, span, dirn, bt, bs, bd, act, w, wobj, M)
    work += wk
    bt, bs, bd, wk = _int_try(j, v, v - 1, dirn, bt, bs, bd, act, w, wobj, M)
    work += wk
    bt, bs, bd, wk = _int_try(j, v, v + 1, dirn, bt, bs, bd, act, w, wobj, M)
    work += wk
    if r0 >= 0:
        bt, bs, bd, wk = _int_tight(j, v, r0, a_r0, dirn, bt, bs, bd, act, w, wobj, M)
        work += wk
    a0, L = M.i_roff[j], M.i_roff[j + 1] - M.i_roff[j]
    off = _randint(state, L) if L > 0 else 0
    for q in range(min(L, cap)):
        p = a0 + (q + off) % L
        if M.i_row[p] != r0:
            bt, bs, bd, wk = _int_tight(j, v, M.i_row[p], M.i_rcoef[p], dirn, bt, bs, bd, act, w, wobj, M)
            work += wk
    return bt, bs, bd, work


@njit(cache=True)
def _int_shift(j, d, act, M):
    """Add d units of native integer j to its rows' activities (a tentative move; no bits change)."""
    for p in range(M.i_roff[j], M.i_roff[j + 1]):
        act[M.i_row[p]] += d * M.i_rcoef[p]


@njit(cache=True)
def _int_swap(i, x, act, w, wobj, tabu, step, M, state):
    """A 2-exchange of native integers for a feasible point where no single jump improves: i jumps in
    the direction that lowers f (its best such value), and the first row that breaks is repaired by
    the best jump of another native integer in it (toward that row's tight value). Returns
    (t_i, j, t_j, score, df, work); j = -1 when there is none."""
    c = M.i_cost[i]
    if c == 0.0:
        return -1, -1, 0, np.inf, 0.0, 1
    v = _int_value(i, x, M)
    t, s1, d1, work = _int_jump(i, -1 if c > 0.0 else 1, -1, 1.0, JUMP_CAP, x, act, w, wobj, M, state)
    if t < 0:
        return -1, -1, 0, np.inf, 0.0, work
    _int_shift(i, float(t - v), act, M)
    a0, L = M.i_roff[i], M.i_roff[i + 1] - M.i_roff[i]
    off = _randint(state, L) if L > 0 else 0
    bj, btj, bs, bd = -1, 0, np.inf, 0.0
    for q in range(L):
        r = M.i_row[a0 + (q + off) % L]
        if not _violated(r, act, M):
            continue
        dec = act[r] - M.rhs[r] > 0.0
        b0, LR = M.r_off[r], M.r_off[r + 1] - M.r_off[r]
        off2 = _randint(state, LR)
        ncand = 0
        for q2 in range(LR):
            p = b0 + (q2 + off2) % LR
            k = M.r_idx[p]
            j = M.v_int[k]
            if j < 0 or j == i or M.i_bit[M.i_off[j]] != k or tabu[k] > step:
                continue
            tj, s2, d2, wk = _int_jump(j, -1 if (M.r_coef[p] > 0.0) == dec else 1, r, M.r_coef[p], REPAIR_CAP,
                                       x, act, w, wobj, M, state)
            work += wk
            if tj >= 0 and s2 < bs:
                bj, btj, bs, bd = j, tj, s2, d2
            ncand += 1
            if ncand >= CAND_CAP:
                break
        work += LR
        break
    _int_shift(i, float(v - t), act, M)
    return t, bj, btj, s1 + bs, d1 + bd, work + 2 * L


@njit(cache=True)
def _set_int(j, t, x, zeros, act, vl, vpos, it, log, tabu, state, M):
    """Commit native integer j := t (its bits rewritten to t's canonical encoding); it becomes tabu."""
    a, b = M.i_off[j], M.i_off[j + 1]
    top = M.i_wt[b - 1]
    low = 0
    for p in range(a, b - 1):
        low += M.i_wt[p]
    rest = t
    want_top = 0
    if t > low:
        want_top = 1
        rest = t - top
    for p in range(a, b):
        want = want_top if p == b - 1 else (rest >> (p - a)) & 1
        if x[M.i_bit[p]] != want:
            _commit(M.i_bit[p], x, zeros, act, vl, vpos, it, log, M)
    tabu[M.i_bit[a]] = it[I_STEP] + TABU_MIN + _randint(state, TABU_SPAN)


@njit(cache=True)
def _objective(x, zeros, M):
    """Exact f(x), refreshing the zero counts."""
    f = M.const
    for k in range(len(M.m_coef)):
        z = 0
        for p in range(M.m_off[k], M.m_off[k + 1]):
            z += 1 - x[M.m_idx[p]]
        zeros[k] = z
        if z == 0:
            f += M.m_coef[k]
    return f


@njit(cache=True)
def _refresh(x, zeros, act, vl, vpos, it, fl, M):
    """Recompute f, activities and the violated set from x (no drift across calls)."""
    fl[F_OBJ] = _objective(x, zeros, M)
    it[I_NV] = 0
    for r in range(len(M.rhs)):
        s = 0.0
        for p in range(M.r_off[r], M.r_off[r + 1]):
            s += M.r_coef[p] * x[M.r_idx[p]]
        act[r] = s
        if _violated(r, act, M):
            vpos[r] = it[I_NV]
            vl[it[I_NV]] = r
            it[I_NV] += 1
        else:
            vpos[r] = -1
    return len(M.m_idx) + len(M.r_idx)


@njit(cache=True)
def _move(k, j, x, zeros, act, vl, vpos, it, log, tabu, state, M):
    """Commit turning j off (if j >= 0) and k on (if k >= 0); both become tabu."""
    step = it[I_STEP]
    if j >= 0:
        _commit(j, x, zeros, act, vl, vpos, it, log, M)
        tabu[j] = step + TABU_MIN + _randint(state, TABU_SPAN)
    if k >= 0:
        _commit(k, x, zeros, act, vl, vpos, it, log, M)
        tabu[k] = step + TABU_MIN + _randint(state, TABU_SPAN)


@njit(cache=True)
def _sync_best(x, best, log, it):
    """Make best == x using the log of toggles (or a full diff when the log overflowed)."""
    if it[I_NLOG] > len(log):
        for i in range(len(x)):
            best[i] = x[i]
    else:
        for q in range(it[I_NLOG]):
            best[log[q]] ^= 1
    it[I_NLOG] = 0


@njit(cache=True)
def _kick(x, zeros, act, w, vl, vpos, hold, tabu, log, it, fl, state, M, kicks):
    """``kicks`` random moves (a group's 1 to a random member, or a free flip); returns work."""
    G = len(M.g_off) - 1
    F = len(M.free)
    nobj = G + F + len(M.i_span)
    work = 0
    for _ in range(kicks):
        if nobj == 0:
            break
        o = _randint(state, nobj)
        if o >= G + F:
            j = o - G - F
            v = _int_value(j, x, M)
            step = 1 + _randint(state, KICK_STEP)
            t = v + step if _randint(state, 2) == 1 else v - step
            t = min(max(t, 0), M.i_span[j])
            if t == v:
                continue
            _, df, wk = _int_score(j, v, t, act, w, 0.0, M)
            _set_int(j, t, x, zeros, act, vl, vpos, it, log, tabu, state, M)
        elif o < G:
            a, b = M.g_off[o], M.g_off[o + 1]
            k, j = M.g_mem[a + _randint(state, b - a)], hold[o]
            if k == j:
                continue
            _, df, wk = _pair_score(j, k, x, zeros, act, w, 0.0, M)
            _move(k, j, x, zeros, act, vl, vpos, it, log, tabu, state, M)
            hold[o] = k
        else:
            i = M.free[o - G]
            _, df, wk = _score(i, x, zeros, act, w, 0.0, M)
            _move(i if x[i] == 0 else -1, i if x[i] == 1 else -1, x, zeros, act, vl, vpos, it, log, tabu, state, M)
        fl[F_OBJ] += df
        work += wk
    return work


@njit(cache=True)
def _restart(x, zeros, act, w, vl, vpos, hold, tabu, best, log, it, fl, state, M, kicks):
    """Back to the best feasible point with weights reset, then 2 to ``kicks`` random moves; returns work."""
    for i in range(len(x)):
        x[i] = best[i]
        tabu[i] = 0
    for r in range(len(w)):
        w[r] = 1.0
    fl[F_WOBJ] = M.wobj0
    it[I_NLOG] = 0
    it[I_RESTARTS] += 1
    work = _refresh(x, zeros, act, vl, vpos, it, fl, M) + len(x)
    for g in range(len(M.g_off) - 1):
        for p in range(M.g_off[g], M.g_off[g + 1]):
            if x[M.g_mem[p]] == 1:
                hold[g] = M.g_mem[p]
    k = 2 + _randint(state, kicks - 1) if kicks > 2 else kicks
    return work + _kick(x, zeros, act, w, vl, vpos, hold, tabu, log, it, fl, state, M, k)


@njit(cache=True)
def _construct(c, M, S):
    """Chain c's start: its x as given, then every group without exactly one 1 is cleared and
    given the member with the best score (groups in order; members scanned in order for even
    chains, from a random offset for odd ones). Sets weights, hold, best = x."""
    x, zeros, act, w = S.x[c], S.zeros[c], S.act[c], S.w[c]
    vl, vpos, hold, tabu, log, fl, it = S.vl[c], S.vpos[c], S.hold[c], S.tabu[c], S.log[c], S.fl[c], S.it[c]
    state = S.rng[c:c + 1]
    for r in range(len(w)):
        w[r] = 1.0
    for i in range(len(x)):
        tabu[i] = 0
    fl[F_WOBJ] = M.wobj0
    fl[F_BEST] = np.inf
    fl[F_WORK] = 0.0
    for q in range(len(it)):
        it[q] = 0
    work = _refresh(x, zeros, act, vl, vpos, it, fl, M)
    for g in range(len(M.g_off) - 1):
        a, b = M.g_off[g], M.g_off[g + 1]
        ones, holder = 0, -1
        for p in range(a, b):
            if x[M.g_mem[p]] == 1:
                ones += 1
                holder = M.g_mem[p]
        if ones == 1:
            hold[g] = holder
            continue
        for p in range(a, b):
            i = M.g_mem[p]
            if x[i] == 1:
                _, df, wk = _score(i, x, zeros, act, w, fl[F_WOBJ], M)
                _commit(i, x, zeros, act, vl, vpos, it, log, M)
                fl[F_OBJ] += df
                work += wk
        off = 0 if c % 2 == 0 else _randint(state, b - a)
        bk, bs, bd = -1, np.inf, 0.0
        for q in range(b - a):
            k = M.g_mem[a + (q + off) % (b - a)]
            s, df, wk = _score(k, x, zeros, act, w, fl[F_WOBJ], M)
            work += wk
            if s < bs:
                bk, bs, bd = k, s, df
        _commit(bk, x, zeros, act, vl, vpos, it, log, M)
        fl[F_OBJ] += bd
        hold[g] = bk
    for i in range(len(x)):
        S.best[c, i] = x[i]
    it[I_NLOG] = 0
    fl[F_WORK] = work


@njit(cache=True)
def _run(c, M, S, budget, stall, kicks):
    """Steps of chain c until its cumulative work reaches ``budget`` (see the module docstring)."""
    x, zeros, act, w = S.x[c], S.zeros[c], S.act[c], S.w[c]
    vl, vpos, hold, tabu, best, log, fl, it = (S.vl[c], S.vpos[c], S.hold[c], S.tabu[c], S.best[c], S.log[c],
                                               S.fl[c], S.it[c])
    state = S.rng[c:c + 1]
    n = len(x)
    G = len(M.g_off) - 1
    F = len(M.free)
    nobj = G + F + len(M.i_span)
    eps = 1e-9
    if fl[F_WORK] - fl[F_REFRESHED] > REFRESH_EVERY * (len(M.m_idx) + len(M.r_idx) + n):
        fl[F_WORK] += _refresh(x, zeros, act, vl, vpos, it, fl, M)
        fl[F_REFRESHED] = fl[F_WORK]
    while fl[F_WORK] < budget:
        it[I_STEP] += 1
        step = it[I_STEP]
        work = 0
        if it[I_NLOG] >= len(log) - 4:  # the log of changes since the best point is full: rebuild it
            it[I_NLOG] = 0
            for j in range(n):
                if best[j] != x[j]:
                    log[it[I_NLOG]] = j
                    it[I_NLOG] += 1
            work += n
        if it[I_NV] > 0:
            r = vl[_randint(state, it[I_NV])]
            dec = act[r] - M.rhs[r] > 0.0
            a0, L = M.r_off[r], M.r_off[r + 1] - M.r_off[r]
            off = _randint(state, L)
            bs, bd, bj, bk, bg, ncand = np.inf, 0.0, -1, -1, -1, 0
            bint, bt = -1, 0
            for q in range(L):
                p = a0 + (q + off) % L
                i = M.r_idx[p]
                ji = M.v_int[i]
                if ji >= 0:  # a native integer: a jump that pushes the row toward satisfaction (once, at its first bit)
                    if M.i_bit[M.i_off[ji]] != i or tabu[i] > step:
                        continue
                    t, sc, d, wk = _int_jump(ji, -1 if (M.r_coef[p] > 0.0) == dec else 1, r, M.r_coef[p], REPAIR_CAP,
                                             x, act, w, fl[F_WOBJ], M, state)
                    work += wk
                    if t >= 0 and sc < bs:
                        bs, bd, bint, bt = sc, d, ji, t
                    ncand += 1
                    if ncand >= CAND_CAP:
                        break
                    continue
                up = x[i] == 0
                if ((M.r_coef[p] > 0.0) == up) == dec or tabu[i] > step:
                    continue
                g = M.v_group[i]
                if g < 0:
                    sc, d, wk = _score(i, x, zeros, act, w, fl[F_WOBJ], M)
                    j, k = (-1, i) if up else (i, -1)
                elif not up:
                    k, sc, d, wk = _best_target(g, i, x, zeros, act, w, fl[F_WOBJ], tabu, step, M, state)
                    j = i
                    if k < 0:
                        continue
                else:
                    j, k = hold[g], i
                    if tabu[j] > step:
                        continue
                    sc, d, wk = _pair_score(j, k, x, zeros, act, w, fl[F_WOBJ], M)
                work += wk
                if sc < bs:
                    bs, bd, bj, bk, bg, bint = sc, d, j, k, g, -1
                ncand += 1
                if ncand >= CAND_CAP:
                    break
            work += L
            pi, pj = -1, -1
            if bs >= -eps:  # no single move helps: a pair of free flips in the row ("tight" moves)
                pi, pj, ps, pd, wk = _best_pair(r, dec, x, zeros, act, w, fl[F_WOBJ], tabu, step, M, state)
                work += wk
            if bs < -eps and bint >= 0:
                _set_int(bint, bt, x, zeros, act, vl, vpos, it, log, tabu, state, M)
                fl[F_OBJ] += bd
            elif bs < -eps:
                _move(bk, bj, x, zeros, act, vl, vpos, it, log, tabu, state, M)
                fl[F_OBJ] += bd
                if bg >= 0:
                    hold[bg] = bk
            elif pi >= 0 and ps < -eps:
                _flip_free(pi, x, zeros, act, vl, vpos, it, log, tabu, state, M)
                _flip_free(pj, x, zeros, act, vl, vpos, it, log, tabu, state, M)
                fl[F_OBJ] += pd
            else:
                for q in range(it[I_NV]):
                    w[vl[q]] += 1.0
                work += it[I_NV]
        else:
            if fl[F_OBJ] < fl[F_BEST] - M.ftol:
                _sync_best(x, best, log, it)
                fl[F_BEST] = fl[F_OBJ]
                it[I_IMPROVED] = step
            if nobj == 0:
                break
            o = _randint(state, nobj)
            ok = False
            if o < G:
                j = hold[o]
                if tabu[j] <= step:
                    k, sc, d, wk = _best_target(o, j, x, zeros, act, w, fl[F_WOBJ], tabu, step, M, state)
                    work += wk
                    if k >= 0 and sc < -eps:
                        _move(k, j, x, zeros, act, vl, vpos, it, log, tabu, state, M)
                        fl[F_OBJ] += d
                        hold[o] = k
                        ok = True
            elif o >= G + F:
                j = o - G - F
                if tabu[M.i_bit[M.i_off[j]]] <= step:
                    t, sc, d, wk = _int_jump(j, 0, -1, 1.0, JUMP_CAP, x, act, w, fl[F_WOBJ], M, state)
                    work += wk
                    if t >= 0 and sc < -eps:
                        _set_int(j, t, x, zeros, act, vl, vpos, it, log, tabu, state, M)
                        fl[F_OBJ] += d
                        ok = True
                    else:  # no single jump improves: a 2-exchange with another native integer
                        t, j2, t2, sc, d, wk = _int_swap(j, x, act, w, fl[F_WOBJ], tabu, step, M, state)
                        work += wk
                        if j2 >= 0 and sc < -eps:
                            _set_int(j, t, x, zeros, act, vl, vpos, it, log, tabu, state, M)
                            _set_int(j2, t2, x, zeros, act, vl, vpos, it, log, tabu, state, M)
                            fl[F_OBJ] += d
                            ok = True
            else:
                i = M.free[o - G]
                if tabu[i] <= step:
                    sc, d, wk = _score(i, x, zeros, act, w, fl[F_WOBJ], M)
                    work += wk
                    if sc < -eps:
                        _move(i if x[i] == 0 else -1, i if x[i] == 1 else -1, x, zeros, act, vl, vpos, it, log,
                              tabu, state, M)
                        fl[F_OBJ] += d
                        ok = True
            if ok:
                it[I_FAILS] = 0
            else:
                it[I_FAILS] += 1
                if it[I_FAILS] >= FAIL_LIMIT:
                    fl[F_WOBJ] += M.wobj0
                    it[I_FAILS] = 0
        if fl[F_BEST] < np.inf and step - it[I_IMPROVED] > stall:
            work += _restart(x, zeros, act, w, vl, vpos, hold, tabu, best, log, it, fl, state, M, kicks)
            it[I_IMPROVED] = step
        fl[F_WORK] += work
    if it[I_NV] == 0 and fl[F_OBJ] < fl[F_BEST] - M.ftol:
        _sync_best(x, best, log, it)
        fl[F_BEST] = fl[F_OBJ]


@njit(cache=True, parallel=True)
def construct_batch(M, S):
    """Start every chain (see ``_construct``)."""
    for c in prange(S.x.shape[0]):
        _construct(c, M, S)


@njit(cache=True, parallel=True)
def run_batch(M, S, budget, stall, kicks):
    """Run every chain until its cumulative work reaches ``budget``."""
    for c in prange(S.x.shape[0]):
        _run(c, M, S, budget, stall, kicks)
