"""Batched 1-flip local search with incremental gains, and iterated local search.

State per point b: x (0/1), for every PUBO monomial the number of zeros it
holds, for every linear penalty row its residual A x - rhs, and the gain
G[b, i] = E(x with bit i flipped) - E(x) of every variable. Flipping i
touches only the monomials and rows containing i: their members' gains are
corrected by (new contribution - old contribution). Nonlinear blocks and
opaque terms use a generic gain: the term is re-evaluated (core evaluator)
at the point and at each single flip of its support whenever one of its
variables flips. All points of a batch move at once (one flip each per step).
Float64 on the CPU throughout; energies are resynchronised with the exact
evaluator from time to time so incremental rounding error cannot accumulate.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..core.evaluate import evaluate
from ..core.pubo import Reformulation

BIG = 1e100  # stands for an undefined (non-finite) gain: never taken, and cancels exactly


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Concatenation of arange(s, s + c) for each (s, c)."""
    total = int(counts.sum())
    if total == 0:
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(total)


def csr_transpose(n: int, members: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Variable → owner CSR of (owner, member) pairs: (offsets (n+1), pair positions sorted by member)."""
    order = np.argsort(members, kind="stable")
    counts = np.bincount(members, minlength=n)
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), order


def _pubo_contrib(xv: np.ndarray, zeros: np.ndarray, c: np.ndarray) -> np.ndarray:
    """A monomial's share of the flip gain of a member with value xv, given its zero count."""
    return np.where(xv == 1, -c * (zeros == 0), c * (zeros == 1))


def _row_f(r: np.ndarray, le: bool) -> np.ndarray:
    if le:
        r = np.maximum(r, 0.0)
    return r * r


class _Row:
    """A linear penalty block with its variable → row CSR."""

    def __init__(self, block, n: int) -> None:
        self.le = block.kind == "le"
        self.offsets = np.asarray(block.offsets, dtype=np.int64)
        self.indices = np.asarray(block.indices, dtype=np.int64)
        self.coefs = np.asarray(block.coefs, dtype=np.float64)
        self.rhs = np.asarray(block.rhs, dtype=np.float64)
        self.weights = np.asarray(block.weights, dtype=np.float64)
        self.lens = np.diff(self.offsets)
        self.row_of = np.repeat(np.arange(len(self.rhs)), self.lens)
        self.v_off, order = csr_transpose(n, self.indices)
        self.v_row = self.row_of[order]
        self.v_coef = self.coefs[order]

    def residuals(self, x: np.ndarray) -> np.ndarray:
        return np.add.reduceat(x[:, self.indices] * self.coefs, self.offsets[:-1], axis=1) - self.rhs


class _Term:
    """A nonlinear block or opaque term, evaluated on its support only."""

    def __init__(self, expr, support: np.ndarray, coef: float, rhs: float, kind: str | None) -> None:
        self.expr, self.support, self.coef, self.rhs, self.kind = expr, support, coef, rhs, kind

    def values(self, Y: np.ndarray) -> np.ndarray:
        v = evaluate(self.expr, Y, self.support)
        if self.kind is None:
            return self.coef * v
        g = v - self.rhs
        if self.kind == "le":
            g = np.maximum(g, 0.0)
        return self.coef * g * g

    def gains(self, xs: np.ndarray) -> np.ndarray:
        """(nb, |S|) gains of flipping each support variable, at points xs (nb, |S|)."""
        nb, s = xs.shape
        Y = np.repeat(xs[:, None, :], s + 1, axis=1)
        ar = np.arange(s)
        Y[:, 1 + ar, ar] = 1 - Y[:, 1 + ar, ar]
        with np.errstate(all="ignore"):
            v = self.values(Y.reshape(-1, s).astype(np.float64)).reshape(nb, s + 1)
            g = v[:, 1:] - v[:, :1]
        return np.where(np.isfinite(g), g, BIG)


@dataclass
class State:
    """Local-search state of a batch of points (see the module docstring)."""

    x: np.ndarray                       # (B, n) int8
    zeros: np.ndarray                   # (B, m) int32
    res: list[np.ndarray]               # per linear block (B, rows)
    cache: list[np.ndarray]             # per nonlinear term (B, |S|) gains
    G: np.ndarray                       # (B, n) float64
    E: np.ndarray                       # (B,) float64

    def copy(self) -> "State":
        return State(self.x.copy(), self.zeros.copy(), [r.copy() for r in self.res],
                     [c.copy() for c in self.cache], self.G.copy(), self.E.copy())

    def restore(self, other: "State", rows: np.ndarray) -> None:
        """Copy ``other``'s rows ``rows`` back into this state."""
        self.x[rows] = other.x[rows]
        self.zeros[rows] = other.zeros[rows]
        for a, b in zip(self.res, other.res):
            a[rows] = b[rows]
        for a, b in zip(self.cache, other.cache):
            a[rows] = b[rows]
        self.G[rows] = other.G[rows]
        self.E[rows] = other.E[rows]


class LocalSearch:
    """Incremental 1-flip machinery for one reformulation (see the module docstring)."""

    def __init__(self, reform: Reformulation) -> None:
        self.reform = reform
        pubo = reform.pubo
        self.n = n = pubo.n
        self.offsets = np.asarray(pubo.offsets, dtype=np.int64)
        self.indices = np.asarray(pubo.indices, dtype=np.int64)
        self.coefs = np.asarray(pubo.coefs, dtype=np.float64)
        self.deg = np.diff(self.offsets)
        self.m = len(self.coefs)
        self.mono_of = np.repeat(np.arange(self.m), self.deg)
        self.v_off, order = csr_transpose(n, self.indices)
        self.v_mono = self.mono_of[order]
        self.rows = [_Row(b, n) for b in reform.linear_blocks if b.n_rows > 0]
        self.terms = [_Term(b.body, b.body.support(), b.weight, b.rhs, b.kind) for b in reform.nonlinear_blocks]
        self.terms += [_Term(t.expr, t.expr.support(), t.coef, 0.0, None) for t in reform.opaque_terms]
        t_owner = np.repeat(np.arange(len(self.terms)), [len(t.support) for t in self.terms]).astype(np.int64)
        t_members = (np.concatenate([t.support for t in self.terms]).astype(np.int64)
                     if self.terms else np.zeros(0, np.int64))
        self.vt_off, order = csr_transpose(n, t_members)
        self.vt_term = t_owner[order]
        scales = [1.0, float(np.abs(self.coefs).max(initial=0.0))]
        scales += [float(r.weights.max() * np.abs(r.coefs).max() ** 2) for r in self.rows]
        self.tol = 1e-9 * max(scales)  # smallest gain counted as an improvement

    # -- building states ----------------------------------------------------
    def state(self, X: np.ndarray) -> State:
        """A fresh state at the 0/1 rows of X, with exact energies and gains."""
        x = np.ascontiguousarray(np.asarray(X) > 0.5, dtype=np.int8).reshape(-1, self.n)
        B = x.shape[0]
        zeros = (np.add.reduceat(1 - x[:, self.indices], self.offsets[:-1], axis=1).astype(np.int32)
                 if self.m else np.zeros((B, 0), np.int32))
        st = State(x, zeros, [r.residuals(x) for r in self.rows],
                   [np.zeros((B, len(t.support))) for t in self.terms], np.zeros((B, self.n)), np.zeros(B))
        self.resync(st)
        return st

    def resync(self, st: State) -> None:
        """Recompute gains and energies of every point from scratch."""
        st.G[:] = self.full_gains(st)
        st.E[:] = self.reform.energy(st.x.astype(np.float64))

    def full_gains(self, st: State) -> np.ndarray:
        """G[b, i] = E(x_b with i flipped) - E(x_b), from the state's counts and residuals."""
        x = st.x
        B, n = x.shape
        G = np.zeros(B * n)
        flat = (np.arange(B)[:, None] * n)
        if self.m:
            c = _pubo_contrib(x[:, self.indices], st.zeros[:, self.mono_of], self.coefs[self.mono_of])
            G += np.bincount((flat + self.indices).ravel(), c.ravel(), minlength=B * n)
        for row, res in zip(self.rows, st.res):
            d = 1 - 2 * x[:, row.indices].astype(np.float64)
            r = res[:, row.row_of]
            c = row.weights[row.row_of] * (_row_f(r + row.coefs * d, row.le) - _row_f(r, row.le))
            G += np.bincount((flat + row.indices).ravel(), c.ravel(), minlength=B * n)
        G = G.reshape(B, n)
        for t, cache in zip(self.terms, st.cache):
            cache[:] = t.gains(x[:, t.support])
            G[:, t.support] += cache
        return G

    # -- moves ------------------------------------------------------------------
    def flip(self, st: State, bs: np.ndarray, js: np.ndarray) -> None:
        """Flip variable js[k] of point bs[k] (bs distinct), updating everything incrementally."""
        if len(bs) == 0:
            return
        x = st.x
        d = 1 - 2 * x[bs, js].astype(np.int64)  # +1: 0 -> 1
        st.E[bs] += st.G[bs, js]
        gb, gv, gd = [], [], []
        if self.m:
            cnt = self.v_off[js + 1] - self.v_off[js]
            mk = self.v_mono[ranges(self.v_off[js], cnt)]
            mb = np.repeat(bs, cnt)
            zold = st.zeros[mb, mk]
            znew = zold - np.repeat(d, cnt)
            mcnt = self.deg[mk]
            pv = self.indices[ranges(self.offsets[mk], mcnt)]
            pb = np.repeat(mb, mcnt)
            pc = self.coefs[np.repeat(mk, mcnt)]
            xold = x[pb, pv]
            sel = pv == np.repeat(np.repeat(js, cnt), mcnt)
            xnew = np.where(sel, 1 - xold, xold)
            delta = (_pubo_contrib(xnew, np.repeat(znew, mcnt), pc)
                     - _pubo_contrib(xold, np.repeat(zold, mcnt), pc))
            st.zeros[mb, mk] = znew
            gb.append(pb), gv.append(pv), gd.append(delta)
        for row, res in zip(self.rows, st.res):
            cnt = row.v_off[js + 1] - row.v_off[js]
            pos = ranges(row.v_off[js], cnt)
            rr = row.v_row[pos]
            rb = np.repeat(bs, cnt)
            rold = res[rb, rr]
            rnew = rold + row.v_coef[pos] * np.repeat(d, cnt)
            rcnt = row.lens[rr]
            ppos = ranges(row.offsets[rr], rcnt)
            pv, pa = row.indices[ppos], row.coefs[ppos]
            pb = np.repeat(rb, rcnt)
            pw = row.weights[np.repeat(rr, rcnt)]
            xold = x[pb, pv]
            sel = pv == np.repeat(np.repeat(js, cnt), rcnt)
            dold = 1.0 - 2.0 * xold
            dnew = np.where(sel, -dold, dold)
            ro, rn = np.repeat(rold, rcnt), np.repeat(rnew, rcnt)
            delta = pw * ((_row_f(rn + pa * dnew, row.le) - _row_f(rn, row.le))
                          - (_row_f(ro + pa * dold, row.le) - _row_f(ro, row.le)))
            res[rb, rr] = rnew
            gb.append(pb), gv.append(pv), gd.append(delta)
        x[bs, js] = 1 - x[bs, js]
        if gb:
            np.add.at(st.G, (np.concatenate(gb), np.concatenate(gv)), np.concatenate(gd))
        if self.terms:
            self._flip_terms(st, bs, js)

    def _flip_terms(self, st: State, bs: np.ndarray, js: np.ndarray) -> None:
        cnt = self.vt_off[js + 1] - self.vt_off[js]
        if not cnt.any():
            return
        tk = self.vt_term[ranges(self.vt_off[js], cnt)]
        tb = np.repeat(bs, cnt)
        for k in np.unique(tk):
            t, cache = self.terms[k], st.cache[k]
            b = tb[tk == k]
            new = t.gains(st.x[np.ix_(b, t.support)])
            st.G[np.ix_(b, t.support)] += new - cache[b]
            cache[b] = new

    def descend(self, st: State, rows: np.ndarray | None = None, deadline: float | None = None) -> int:
        """Greedy best-improvement 1-flip descent of the given rows (all by default) to local minima.

        Returns the number of flips made. Stops early only at the deadline.
        """
        B = st.x.shape[0]
        active = np.arange(B) if rows is None else np.asarray(rows)
        flips = 0
        it = 0
        while len(active):
            j = (st.G if len(active) == B else st.G[active]).argmin(axis=1)
            g = st.G[active, j]
            keep = g < -self.tol
            active, j = active[keep], j[keep]
            self.flip(st, active, j)
            flips += len(active)
            it += 1
            if deadline is not None and it % 32 == 0 and time.perf_counter() >= deadline:
                break
        return flips

    def perturb(self, st: State, rng: np.random.Generator, ks: np.ndarray) -> None:
        """Flip ks[b] distinct random variables of each point b (drawn from ``rng`` only)."""
        picks = [rng.choice(self.n, size=int(k), replace=False) for k in ks]
        for s in range(int(ks.max(initial=0))):
            bs = np.flatnonzero(ks > s)
            self.flip(st, bs, np.array([picks[b][s] for b in bs], dtype=np.int64))


def iterated_local_search(ls: LocalSearch, st: State, rng: np.random.Generator, deadline: float | None,
                          max_rounds: int | None, on_best=None) -> tuple[np.ndarray, float, int]:
    """Iterated local search on every point of ``st`` (one chain each), all descended already.

    Each round every chain flips k random bits (k log-uniform in [2, max(2, n // 20)]:
    small kicks often, large ones sometimes), descends, and keeps the result if
    its energy is not worse, else returns to where it was. Runs until ``deadline``
    (no round is started that would likely end after it) or ``max_rounds`` (at
    least one must be given). Which moves are made depends on ``rng`` only; how
    many on time. Returns (best x, its exact energy, rounds done);
    ``on_best(x, energy)`` is called on each improvement of the best.
    """
    n = ls.n
    kmax = max(2, n // 20)
    best_i = int(np.argmin(st.E))
    best_x, best_e = st.x[best_i].copy(), float(st.E[best_i])
    rounds = 0
    C = st.x.shape[0]
    t_start = time.perf_counter()
    while n >= 1:
        if max_rounds is not None and rounds >= max_rounds:
            break
        now = time.perf_counter()
        if deadline is not None and now + (now - t_start) / max(rounds, 1) >= deadline:
            break  # the next round would likely end past the deadline
        backup = st.copy()
        ks = np.minimum(np.rint(np.exp(rng.uniform(np.log(2), np.log(kmax), size=C))).astype(np.int64), n)
        ls.perturb(st, rng, ks)
        ls.descend(st, deadline=deadline)
        rounds += 1
        worse = np.flatnonzero(st.E > backup.E + ls.tol)
        st.restore(backup, worse)
        if rounds % 64 == 0:
            ls.resync(st)
        i = int(np.argmin(st.E))
        if st.E[i] < best_e - ls.tol:
            exact = float(ls.reform.energy(st.x[i].astype(np.float64))[0])
            st.E[i] = exact
            if exact < best_e - ls.tol:
                best_x, best_e = st.x[i].copy(), exact
                if on_best is not None:
                    on_best(best_x, best_e)
    return best_x, best_e, rounds
