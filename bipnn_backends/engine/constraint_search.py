"""Constraint-aware local search for a PUBO with linear rows: the driver of ``constraint_kernel``.

Builds the kernel's arrays from a reformulation (the PUBO is the objective,
every linear row a constraint, a disjoint set of one-hot rows the groups),
starts a batch of chains (each group repaired greedily), and runs them in
calls of bounded work: with a deadline the calls are sized to take about
``CHUNK_SECONDS`` and none is started that would likely end after the
deadline; without one the run stops after a fixed amount of work, so the
result depends on the seed and the options only.
"""

from __future__ import annotations

import time
from typing import Callable, NamedTuple

import numpy as np

from ..core.pubo import Reformulation
from ..core.structure import disjoint_groups
from .constraint_kernel import F_BEST, F_WORK, I_NLOG, I_NV, Chains, Model, construct_batch, run_batch
from .local_search import csr_transpose

CHUNK_SECONDS = 0.05
FIRST_WORK = 20_000       # work per chain of the first timed call
GROWTH = 4.0              # a call does at most this many times the previous call's work
STALL_STEPS = 2_000       # minimum steps without a new best before a restart
KICKS = 4                 # at most this many random moves after a restart (at least 2)
STALL_PER_OBJECT = 200     # steps without a new best before a restart, per group, free variable and native integer
NATIVE_MIN_VALUES = 8      # integers with this many values, only linear, in an equality row: moved by jumps
NATIVE_NEEDS_EQUALITY = True  # integers in inequality rows only stay encoded (measured, benchmarks/integers.py)
SHARE_ROUNDS = 8           # without a deadline the work runs in this many rounds, the best point shared after each


def supported(reform: Reformulation) -> bool:
    """True when the kernel sees the whole energy: linear rows present, no nonlinear blocks or opaque terms."""
    return (any(b.n_rows > 0 for b in reform.linear_blocks) and not reform.nonlinear_blocks
            and not reform.opaque_terms)


def build_model(reform: Reformulation, tolerance: float = 1e-6) -> Model:
    """The kernel's arrays for ``reform`` (see :class:`~.constraint_kernel.Model`)."""
    pubo = reform.pubo
    n = pubo.n
    m_off = np.ascontiguousarray(pubo.offsets, dtype=np.int64)
    m_idx = np.ascontiguousarray(pubo.indices, dtype=np.int64)
    m_coef = np.ascontiguousarray(pubo.coefs, dtype=np.float64)
    v_moff, order = csr_transpose(n, m_idx)
    v_mono = np.repeat(np.arange(len(m_coef), dtype=np.int64), np.diff(m_off))[order]
    st = reform.structure
    rows = st.rows
    lens = np.diff(rows.offsets)
    row_of = np.repeat(np.arange(rows.n_rows, dtype=np.int64), lens)
    v_roff, order = csr_transpose(n, rows.indices)
    g_off, g_mem, _ = disjoint_groups(st, n)
    v_group = np.full(n, -1, dtype=np.int64)
    v_group[g_mem] = np.repeat(np.arange(len(g_off) - 1, dtype=np.int64), np.diff(g_off))
    v_row, v_rcoef = row_of[order], rows.coefs[order]
    ints = native_integers(reform, m_off, m_coef, v_moff, v_mono, v_roff, v_row, v_rcoef, v_group, rows.eq)
    per_unit = np.ones(n)  # a row is normalised by its largest coefficient per variable: a native integer's per unit
    per_unit[ints.i_bit] = ints.i_wt
    absmax = (np.maximum.reduceat(np.abs(rows.coefs / per_unit[rows.indices]), rows.offsets[:-1]) if rows.n_rows
              else np.zeros(0))
    per_var = np.zeros(n)
    np.add.at(per_var, m_idx, np.repeat(np.abs(m_coef), np.diff(m_off)))
    scale = float(np.median(per_var[per_var > 0])) if (per_var > 0).any() else 1.0  # median: robust to a few huge ones
    return Model(m_off, m_idx, m_coef, v_moff, v_mono, np.ascontiguousarray(m_coef[v_mono]),
                 np.ascontiguousarray(rows.offsets, dtype=np.int64), np.ascontiguousarray(rows.indices),
                 np.ascontiguousarray(rows.coefs), np.ascontiguousarray(rows.rhs),
                 np.ascontiguousarray(rows.eq, dtype=np.bool_),
                 np.ascontiguousarray(0.5 * tolerance * np.maximum(1.0, np.abs(rows.rhs))),
                 np.ascontiguousarray(1.0 / np.where(absmax > 0, absmax, 1.0)),
                 v_roff, np.ascontiguousarray(v_row), np.ascontiguousarray(v_rcoef),
                 g_off, g_mem, v_group, np.flatnonzero((v_group < 0) & (ints.v_int < 0)).astype(np.int64),
                 *ints, float(pubo.constant), 1.0 / scale, 1e-9 * max(1.0, scale))


class NativeIntegers(NamedTuple):
    """The native integers' fields of :class:`~.constraint_kernel.Model` (in its order)."""

    i_off: np.ndarray
    i_bit: np.ndarray
    i_wt: np.ndarray
    i_span: np.ndarray
    i_cost: np.ndarray
    i_roff: np.ndarray
    i_row: np.ndarray
    i_rcoef: np.ndarray
    v_int: np.ndarray


def native_integers(reform: Reformulation, m_off: np.ndarray, m_coef: np.ndarray, v_moff: np.ndarray,
                    v_mono: np.ndarray, v_roff: np.ndarray, v_row: np.ndarray, v_rcoef: np.ndarray,
                    v_group: np.ndarray, eq: np.ndarray) -> NativeIntegers:
    """The integers of ``reform.problem`` the kernel moves natively: at least :data:`NATIVE_MIN_VALUES`
    values, encoded with weights 1, 2, 4, ..., r, outside every group, in at least one equality row
    (``eq``: per row), and only linear in the energy: each bit in degree-1 monomials only and in the
    same rows as the first bit, every coefficient the first bit's times the bit's weight (so f and
    every row activity are affine in the integer's value). Measured (docs/mixed.md): jumps win by far
    on equality rows (balances, demands) from 8 values up; on inequality rows only (knapsacks) the
    encoding's single bit flips did 2-4 % better, so those integers stay encoded."""
    n = len(v_group)
    bits, wts, spans, costs, rows, rcoefs = [], [], [], [], [], []
    for var in getattr(reform.problem, "variables", ()):
        k = len(var.weights)
        if var.kind != "integer" or var.ub - var.lb + 1 < NATIVE_MIN_VALUES or var.first + k > n:
            continue
        w = np.asarray(var.weights)
        if k > 62 or not np.array_equal(w[:-1], 2.0 ** np.arange(k - 1)) or w[-1] < 1:
            continue
        b = np.arange(var.first, var.first + k)
        if (v_group[b] >= 0).any():
            continue
        cost = np.zeros(k)
        linear = True
        for q, i in enumerate(b):
            monos = v_mono[v_moff[i]:v_moff[i + 1]]
            if (m_off[monos + 1] - m_off[monos] != 1).any():
                linear = False
                break
            cost[q] = m_coef[monos].sum()
        if not linear or not np.allclose(cost, cost[0] * w, rtol=1e-9, atol=1e-12 * max(1.0, abs(cost[0]))):
            continue
        r0, a0 = v_row[v_roff[b[0]]:v_roff[b[0] + 1]], v_rcoef[v_roff[b[0]]:v_roff[b[0] + 1]]
        order = np.argsort(r0)
        r0, a0 = r0[order], a0[order]
        if (a0 == 0).any() or (NATIVE_NEEDS_EQUALITY and not eq[r0].any()):
            continue
        same = True
        for q, i in enumerate(b[1:], start=1):
            r, a = v_row[v_roff[i]:v_roff[i + 1]], v_rcoef[v_roff[i]:v_roff[i + 1]]
            o = np.argsort(r)
            if not (np.array_equal(r[o], r0) and np.allclose(a[o], a0 * w[q], rtol=1e-9, atol=0.0)):
                same = False
                break
        if not same:
            continue
        bits.append(b)
        wts.append(w.astype(np.int64))
        spans.append(int(round(w.sum())))
        costs.append(float(cost[0]))
        rows.append(r0)
        rcoefs.append(a0)
    v_int = np.full(n, -1, dtype=np.int64)
    for j, b in enumerate(bits):
        v_int[b] = j

    def csr(parts: list, dtype) -> tuple[np.ndarray, np.ndarray]:
        off = np.concatenate([[0], np.cumsum([len(p) for p in parts])]).astype(np.int64)
        flat = np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype)
        return off, np.ascontiguousarray(flat)

    i_off, i_bit = csr(bits, np.int64)
    _, i_wt = csr(wts, np.int64)
    i_roff, i_row = csr(rows, np.int64)
    _, i_rcoef = csr(rcoefs, np.float64)
    return NativeIntegers(i_off, i_bit, i_wt, np.array(spans, dtype=np.int64), np.array(costs, dtype=np.float64),
                          i_roff, i_row, i_rcoef, v_int)


def feasible_start(model: Model, n: int) -> np.ndarray:
    """A start that favours feasibility: a free variable is 1 when it only appears with negative
    coefficients in <= rows (turning it on only relaxes them: a bin's "used" switch), else 0.
    Groups are filled greedily by the kernel."""
    x = np.zeros(n, dtype=np.int8)
    neg = np.zeros(n, dtype=bool)
    bad = np.zeros(n, dtype=bool)
    row_of = np.repeat(np.arange(len(model.rhs)), np.diff(model.r_off))
    neg[model.r_idx[model.r_coef < 0]] = True
    bad[model.r_idx[(model.r_coef > 0) | model.eq[row_of]]] = True
    x[neg & ~bad & (model.v_group < 0)] = 1
    return x


class ConstraintSearch:
    """Chains of the constraint-aware search on one reformulation."""

    def __init__(self, reform: Reformulation, tolerance: float = 1e-6) -> None:
        self.reform = reform
        self.n = reform.n
        self.model = build_model(reform, tolerance)
        self.n_groups = len(self.model.g_off) - 1
        self.n_ints = len(self.model.i_span)
        self.nnz = len(self.model.m_idx) + len(self.model.r_idx) + self.n
        self.first_feasible_at: float | None = None  # perf_counter time a chain first held a feasible point

    def start(self, X: np.ndarray, seeds: np.ndarray) -> Chains:
        """Chains from the 0/1 rows of X (groups repaired greedily), one generator seed each."""
        M = self.model
        x = np.ascontiguousarray(np.asarray(X).reshape(-1, self.n) > 0.5, dtype=np.int8)
        C, n, R, G = x.shape[0], self.n, len(M.rhs), self.n_groups
        S = Chains(x, np.zeros((C, len(M.m_coef)), np.int32), np.zeros((C, R)), np.ones((C, R)),
                   np.zeros((C, R), np.int64), np.full((C, R), -1, np.int64), np.zeros((C, G), np.int64),
                   np.zeros((C, n), np.int64), x.copy(), np.zeros((C, 2 * n + 1), np.int64), np.zeros((C, 5)),
                   np.zeros((C, 6), np.int64), np.asarray(seeds, dtype=np.uint64) | np.uint64(1))
        construct_batch(M, S)
        self._note_feasible(S, (S.it[:, I_NV] == 0).any())
        return S

    def _note_feasible(self, S: Chains, feasible: bool) -> None:
        if self.first_feasible_at is None and feasible:
            self.first_feasible_at = time.perf_counter()

    def run(self, S: Chains, deadline: float | None = None, work: float | None = None,
            after_call: Callable[[Chains], None] | None = None) -> int:
        """Run the chains until ``deadline`` (perf_counter) or until each has done ``work`` more
        work units (at least one must be given); ``after_call(S)`` runs after every kernel call
        (to report new bests). Returns the number of kernel calls."""
        stall = max(STALL_STEPS, STALL_PER_OBJECT * (self.n_groups + len(self.model.free) + self.n_ints))
        target = None if work is None else float(S.fl[:, F_WORK].max()) + work
        if deadline is None:
            start = float(S.fl[:, F_WORK].max())
            for k in range(1, SHARE_ROUNDS + 1):
                run_batch(self.model, S, start + (float(target) - start) * k / SHARE_ROUNDS, stall, KICKS)
                self._note_feasible(S, np.isfinite(S.fl[:, F_BEST]).any())
                if after_call is not None:
                    after_call(S)
                if k < SHARE_ROUNDS:
                    self.share_best(S)
            return SHARE_ROUNDS
        step, calls = float(FIRST_WORK), 0
        while True:
            goal = float(S.fl[:, F_WORK].max()) + step
            if target is not None:
                goal = min(goal, target)
            t = time.perf_counter()
            run_batch(self.model, S, goal, stall, KICKS)
            self._note_feasible(S, np.isfinite(S.fl[:, F_BEST]).any())
            if after_call is not None:
                after_call(S)
            calls += 1
            self.share_best(S)
            now = time.perf_counter()
            per_work = max(now - t, 1e-9) / step
            step = min(CHUNK_SECONDS / per_work, 0.9 * (deadline - now) / per_work, GROWTH * step)
            if step < 100.0 or (target is not None and goal >= target):
                return calls

    def share_best(self, S: Chains) -> int:
        """A round boundary: every chain whose best feasible point is worse than the best of all
        chains takes that one as its own, so its next restart (after a stall) starts from it; its
        current trajectory goes on. Returns how many chains took it. (Measured against no sharing
        and against restarting them at once: docs/parallel.md.)"""
        fb = S.fl[:, F_BEST]
        if not np.isfinite(fb).any():
            return 0
        b = int(np.argmin(fb))
        worse = np.flatnonzero(fb > fb[b] + self.model.ftol)
        S.best[worse] = S.best[b]
        S.fl[worse, F_BEST] = fb[b]
        for c in worse:  # the log of changes since the best point (at most n <= its 2n+1 entries)
            diff = np.flatnonzero(S.best[c] != S.x[c])
            S.log[c, :len(diff)] = diff
            S.it[c, I_NLOG] = len(diff)
        return len(worse)

    def results(self, S: Chains) -> tuple[np.ndarray, np.ndarray]:
        """(best feasible point of each chain that found one, current points)."""
        ok = np.isfinite(S.fl[:, F_BEST])
        return S.best[ok].astype(np.float64), S.x.astype(np.float64)


def _warm_up() -> None:
    """Compile (or load from numba's on-disk cache) the kernels for the one set of types the engine
    uses, when the engine is imported: solve() does not count that import against the time limit."""
    from ..core.problem import BinaryProblem
    from ..core.pubo import LinearBlock, Pubo

    pubo = Pubo(3, np.array([0, 1, 3]), np.array([0, 1, 2]), np.array([1.0, -2.0]), 0.0)
    one_hot = LinearBlock("eq", np.array([0, 2]), np.array([0, 1]), np.array([1.0, 1.0]), np.array([1.0]),
                          np.array([1.0]), ["g"])
    cap = LinearBlock("le", np.array([0, 2]), np.array([1, 2]), np.array([1.0, 1.0]), np.array([1.0]),
                      np.array([1.0]), ["c"])
    cs = ConstraintSearch(Reformulation(BinaryProblem(), 1.0, pubo, [one_hot, cap]))
    S = cs.start(np.zeros((2, 3)), np.arange(2))
    cs.run(S, work=100)
    cs.run(S, deadline=time.perf_counter() + 0.01)


_warm_up()
