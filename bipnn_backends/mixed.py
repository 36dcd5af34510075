"""Solving problems with columns (continuous variables, integers without finite bounds).

Presolve (bound propagation; integer columns encoded) → then by the size of the
discrete part:

- none: the LP is the whole problem; HiGHS proves optimal, infeasible or unbounded;
- at most ``exhaustive_limit`` binaries (capped at :data:`EXHAUSTIVE_MIXED`): every
  discrete point that satisfies the purely discrete rows gets its LP solved: proven
  optimal, infeasible or unbounded;
- larger: cheap constructions, the LP relaxation rounded and dived (linear models),
  and the engine's candidates on the *projection* of the problem onto the discrete
  variables with each mixed row relaxed by its columns' bounds (a relaxation: if it
  is infeasible so is the problem) are completed by the LP, and a 1-flip descent scored
  by (violation, objective) with the LP in the loop, its flips pruned and ordered by the
  LP duals' lower bound, improves the best one until the deadline. docs/mixed.md has
  the measurements behind these choices.

Every reported point is verified on the (presolved, equivalent) problem with the
continuous values included.
"""

from __future__ import annotations

import math
import time
from typing import Any, Callable

import numpy as np

from .callback import Incumbent
from .core.evaluate import constraint_violation, evaluate_problem, feasibility_tolerance
from .core.linear_system import linear_system
from .core.presolve import presolve
from .core.problem import BinaryProblem, Constraint
from .core.reformulate import reformulate
from .errors import UnboundedVariableError
from .lp import INFEASIBLE as LP_INFEASIBLE, OPTIMAL as LP_OPTIMAL, UNBOUNDED as LP_UNBOUNDED, ColumnLP
from .lp import relaxation_model
from .options import Options, deadline_at
from .pool import CANDIDATES_PER_ENTRY, PoolSolution, select, value_matrix
from .progress import Progress, progress_display
from .result import (CONVERGED, EPOCHS, FEASIBLE, INFEASIBLE, INTERRUPTED, NONE, OPTIMAL, PROVEN, TIME_LIMIT,
                     UNBOUNDED, SolveResult)

EXHAUSTIVE_MIXED = 12   # discrete points times one LP each: at most 4096 LPs
ORDER_WORK = 5_000_000  # flips x LP rows up to which the descent orders its flips by the LP duals
SEARCH_SHARE = 0.1      # share of the time left for the engine on the projection (docs/mixed.md, measurements)
DIVE_SHARE = 0.6        # at most this share of the time limit for the LP-relaxation dive
DIVE_BATCH = 0.25       # share of the fractional binaries rounded and fixed per dive step
POOL_KEEP = 4           # pool candidates kept per CANDIDATES_PER_ENTRY x pool_size (the best by objective)

def solve_mixed(problem: BinaryProblem, opts: Options, solve_discrete: Callable[..., SolveResult],
                constructions: Callable[..., np.ndarray]) -> SolveResult:
    """Solve a problem with columns; ``solve_discrete`` solves what remains once presolve has
    encoded every column (integers only); ``constructions`` gives the cheapest candidate points
    (both from :mod:`.solve`, passed in so the modules do not import each other)."""
    t0 = time.perf_counter()
    result = _verify_original(problem, _solve(problem, opts, solve_discrete, constructions, t0), opts)
    result.stats.setdefault("time_total", time.perf_counter() - t0)
    return result


def _verify_original(problem: BinaryProblem, result: SolveResult, opts: Options) -> SolveResult:
    """Check a solution once more on the user's problem as built (integer columns not encoded):
    a point that fails there is reported as no solution, never as feasible."""
    if not result.has_solution:
        return result
    x = np.asarray(result.x, dtype=np.float64)[:problem.n_binaries]  # presolve appends binaries
    Y = np.array([[result.values[c.key] for c in problem.columns]])
    vals = evaluate_problem(problem, x, opts.tolerance, Y=Y)
    if vals.feasible[0]:
        return result
    return SolveResult(NONE, CONVERGED if result.termination == PROVEN else result.termination, x=result.x,
                       values=result.values, objective=float(vals.objective[0]),
                       max_violation=float(vals.max_violation[0]), stats=result.stats,
                       message=f"no feasible solution found; the best point violates the model by "
                               f"{vals.max_violation[0]:.6g}")


def _solve(problem: BinaryProblem, opts: Options, solve_discrete: Callable[..., SolveResult],
           constructions: Callable[..., np.ndarray], t0: float) -> SolveResult:
    try:
        pre = presolve(problem, opts.tolerance)
    except UnboundedVariableError as error:  # an integer range that stays infinite: maybe provably unbounded
        from .unbounded import settle_unbounded
        return settle_unbounded(problem, opts, error, solve_discrete)
    stats: dict[str, Any] = {"time_presolve": time.perf_counter() - t0}
    if pre.infeasible:
        return SolveResult(INFEASIBLE, PROVEN, message=pre.infeasible, stats=stats)
    prob = pre.problem
    if not prob.columns:
        return solve_discrete(prob, opts)
    lp = ColumnLP(prob, opts.tolerance)
    deadline = deadline_at(t0, opts.time_limit)
    stats.update(continuous=len(prob.columns), binaries=prob.n_binaries, lp_rows=len(lp.rows))
    with progress_display(opts.verbose, t0, opts.time_limit) as progress:
        track = _Incumbents(prob, opts, t0, progress)
        if prob.n_binaries == 0:
            stats["method"] = "lp"
            false = _false_constant(prob, opts.tolerance)
            if false is not None:
                return SolveResult(INFEASIBLE, PROVEN, stats=stats, message=f"proven infeasible: constraint "
                                   f"{false.name!r} has no variables and is false")
            return _finish(prob, lp, np.zeros(0), lp.solve(lp.discrete_parts(np.zeros((1, 0)))[0]), opts, stats,
                           track, proven=True, what="the linear program (no discrete variables)")
        if prob.n_binaries <= min(opts.exhaustive_limit, EXHAUSTIVE_MIXED):
            return _exhaustive(prob, lp, opts, stats, deadline, track)
        return _search(prob, lp, opts, stats, t0, deadline, constructions, track)


def _false_constant(prob: BinaryProblem, tol: float) -> Constraint | None:
    """Without discrete variables, a constraint without columns is a constant: the first one false by the
    verifier's own rule (so no point can ever pass it), or None."""
    point = np.zeros((1, 0))
    return next((con for con in discrete_view(prob).constraints
                 if constraint_violation(con, point)[0] > feasibility_tolerance(con, tol)), None)


def discrete_view(problem: BinaryProblem) -> BinaryProblem:
    """The discrete objective and the constraints without columns: scores discrete points."""
    return BinaryProblem(problem.name, problem.binary_names, problem.variables, problem.objective, problem.sense,
                         [c for c in problem.constraints if not len(c.columns[0])], problem.empty_ranges)


def projection(problem: BinaryProblem) -> BinaryProblem:
    """A relaxation in the discrete variables only: each row with columns keeps its discrete body and
    the extreme its columns can add within their bounds (a row whose columns can reach any value is
    dropped); the objective loses its column part."""
    out = discrete_view(problem)
    out.constraints = list(out.constraints)
    lb = np.array([c.lb for c in problem.columns])
    ub = np.array([c.ub for c in problem.columns])
    for con in problem.constraints:
        idx, a = con.columns
        if not len(idx):
            continue
        with np.errstate(invalid="ignore"):
            low = float(np.where(a > 0, a * lb[idx], a * ub[idx]).sum())
            high = float(np.where(a > 0, a * ub[idx], a * lb[idx]).sum())
        if con.sense in ("<=", "==") and math.isfinite(low):
            out.constraints.append(Constraint(con.name, con.body, "<=", con.rhs - low))
        if con.sense in (">=", "==") and math.isfinite(high):
            out.constraints.append(Constraint(con.name, con.body, ">=", con.rhs - high))
    return out


class _Incumbents:
    """The mixed search's verified new best points: the ``callback`` option's events (continuous values
    included), the time of the first feasible point, stop requests, and the pool's candidates (every
    point whose discrete rows hold and whose LP is optimal, the best kept when ``pool_size > 1``)."""

    def __init__(self, prob: BinaryProblem, opts: Options, t0: float, progress: Progress | None = None) -> None:
        self.prob, self.opts, self.t0, self.progress = prob, opts, t0, progress
        self.sign = 1.0 if prob.sense == "min" else -1.0
        self.best: float | None = None
        self.first_feasible: float | None = None
        self.stop_requested = False
        self.keep = POOL_KEEP * CANDIDATES_PER_ENTRY * opts.pool_size if opts.pool_size > 1 else 0
        self.candidates: dict[bytes, tuple[float, np.ndarray, Any]] = {}

    def consider(self, x: np.ndarray, res: Any, total: float) -> None:
        """A point with LP outcome ``res`` (optimal) and total objective ``total`` in minimisation sense."""
        if self.keep:
            self.candidates.setdefault(x.tobytes(), (total, x.copy(), res))
            if len(self.candidates) > 2 * self.keep:
                best = sorted(self.candidates.items(), key=lambda kv: kv[1][0])[:self.keep]
                self.candidates = dict(best)
        if self.best is not None and not total < self.sign * self.best:
            return
        if self.opts.callback is None and self.progress is None and self.first_feasible is not None:
            return  # nobody listens: the verification is left to the end
        vals = evaluate_problem(self.prob, x[None, :], self.opts.tolerance, Y=res.y[None, :])
        if not vals.feasible[0]:
            return
        obj = float(vals.objective[0])
        if self.best is not None and not self.sign * obj < self.sign * self.best:
            return
        elapsed = time.perf_counter() - self.t0
        self.best = obj
        if self.first_feasible is None:
            self.first_feasible = elapsed
        if self.progress is not None:
            self.progress.update(obj, True)
        if self.opts.callback is not None:
            event = Incumbent(self.prob, x.copy(), obj, float(vals.max_violation[0]), elapsed,
                              values=_values(self.prob, x, res.y))
            self.opts.callback(event)
            self.stop_requested = self.stop_requested or event.stop_requested

    def stopped(self, deadline: float | None) -> bool:
        """The deadline has passed or a callback asked to stop."""
        return self.stop_requested or (deadline is not None and time.perf_counter() >= deadline)

    def pool(self, x: np.ndarray, res: Any) -> list[PoolSolution]:
        """The best distinct verified points, distinct by their discrete part (``pool_distance`` user-level
        discrete variables); ``x`` (the returned point) first."""
        if not self.keep:
            return []
        self.candidates[x.tobytes()] = (-math.inf, x.copy(), res)  # first among equals (a stable sort follows)
        items = sorted(self.candidates.values(), key=lambda t: t[0])[:self.keep]
        X = np.array([t[1] for t in items])
        Y = np.array([t[2].y for t in items])
        vals = evaluate_problem(self.prob, X, self.opts.tolerance, Y=Y)
        keep = select(value_matrix(self.prob, X), vals.feasible, vals.objective, self.prob.sense,
                      self.opts.pool_size, self.opts.pool_distance)
        return [PoolSolution(float(vals.objective[i]), _values(self.prob, X[i], Y[i]), float(vals.max_violation[i]),
                             X[i].copy()) for i in keep]


class _Scorer:
    """Scores discrete points exactly: (total violation, objective in minimisation sense, LP outcome)."""

    def __init__(self, problem: BinaryProblem, lp: ColumnLP, tol: float, track: _Incumbents) -> None:
        self.view, self.lp, self.tol, self.track = discrete_view(problem), lp, tol, track
        self.sign = 1.0 if problem.sense == "min" else -1.0
        self.cache: dict[bytes, tuple] = {}
        self._coo = None

    def flip_order(self, x: np.ndarray, score: tuple, rng: np.random.Generator) -> np.ndarray:
        """The 1-flips of ``x`` worth an LP, most promising first. At a feasible point with LP duals: by the
        exact change of the discrete objective plus the duals' first-order estimate of the LP's change
        (each flip moves the LP rows' bounds by the change of their discrete parts). That estimate is a
        lower bound (the LP's optimal value is convex in its bounds and the duals are a subgradient), so
        when the model is linear the flips whose estimate cannot improve, and those that break a purely
        discrete row, are left out; otherwise (infeasible point, nonlinear parts) every flip, in random
        order, the discrete rows a flip would break last."""
        n, res = len(x), score[2]
        if score[0] > 0 or res.dual is None:
            return rng.permutation(n)
        linear = self._linear_estimates(x, res)
        if linear is not None:
            estimate, breaks = linear
            eps = 1e-9 * max(1.0, abs(score[1]))
            keep = np.flatnonzero(~breaks & (estimate < -eps))
            return keep[np.lexsort((rng.random(len(keep)), estimate[keep]))]
        if n * max(1, len(self.lp.rows)) > ORDER_WORK:
            return rng.permutation(n)
        flips = np.repeat(x[None, :], n, axis=0)
        diag = np.arange(n)
        flips[diag, diag] = 1.0 - flips[diag, diag]
        vals = evaluate_problem(self.view, flips, self.tol)
        shift = self.lp.discrete_parts(flips) - self.lp.discrete_parts(x[None, :])[0]
        here = self.sign * float(evaluate_problem(self.view, x[None, :], self.tol).objective[0])
        estimate = self.sign * vals.objective - here - shift @ res.dual  # bounds move by -shift
        return np.lexsort((rng.random(n), estimate, ~vals.feasible))

    def _linear_estimates(self, x: np.ndarray, res: Any) -> tuple[np.ndarray, np.ndarray] | None:
        """For a linear model, in O(nonzeros): every flip's estimated change of the objective (minimisation
        sense; see :meth:`flip_order`) and whether it breaks a purely discrete row; None otherwise."""
        system, D = linear_system(self.view), self.lp.discrete_matrix
        if len(system.others) or system.objective is None or D is None:
            return None
        step = 1.0 - 2.0 * x  # +1: 0 -> 1, -1: 1 -> 0
        estimate = step * (self.sign * system.objective[0] - D.T @ res.dual)
        A = system.A.tocoo() if self._coo is None else self._coo
        self._coo = A
        g = system.activities(x[None, :])[0] + system.const - system.rhs
        after = g[A.row] + A.data * step[A.col]
        sense = system.sense[A.row]
        bad = np.where(sense == 0, after > self.tol, np.where(sense == 1, after < -self.tol, np.abs(after) > self.tol))
        breaks = np.zeros(len(x), dtype=bool)
        breaks[A.col[bad]] = True
        return estimate, breaks

    def score(self, X: np.ndarray, deadline: float | None = None) -> list[tuple]:
        X = np.atleast_2d(X)
        vals = evaluate_problem(self.view, X, self.tol)
        out: list[tuple] = []
        need = [k for k in range(len(X)) if X[k].tobytes() not in self.cache]
        D = self.lp.discrete_parts(X[need]) if need else None
        rows = dict(zip(need, range(len(need))))
        for k in range(len(X)):
            key = X[k].tobytes()
            if key not in self.cache:
                if out and self.track.stopped(deadline):
                    break  # always at least one point
                d = D[rows[k]]
                res = self.lp.solve(d)
                viol = float(vals.max_violation[k]) if not vals.feasible[k] else 0.0
                if res.status == LP_INFEASIBLE:
                    viol += max(self.lp.violation(d), self.tol)
                    obj = math.inf
                else:
                    obj = self.sign * (float(vals.objective[k]) + res.value)
                    if viol == 0 and res.status == LP_OPTIMAL:
                        self.track.consider(X[k], res, obj)
                self.cache[key] = (viol, obj, res)
            out.append(self.cache[key])
        return out


def _exhaustive(prob: BinaryProblem, lp: ColumnLP, opts: Options, stats: dict,
                deadline: float | None, track: _Incumbents) -> SolveResult:
    n = prob.n_binaries
    r = np.arange(1 << n, dtype=np.int64)
    X = ((r[:, None] >> np.arange(n)) & 1).astype(np.float64)
    vals = evaluate_problem(discrete_view(prob), X, opts.tolerance)
    feasible = np.nonzero(vals.feasible)[0]
    sign = 1.0 if prob.sense == "min" else -1.0
    order = feasible[np.argsort(sign * vals.objective[feasible], kind="stable")]
    D = lp.discrete_parts(X[order]) if len(order) else np.zeros((0, len(lp.rows)))
    best, best_val, seen, complete = None, math.inf, 0, True
    for i, k in enumerate(order):
        if seen and track.stopped(deadline):  # at least one LP
            complete = False
            break
        res = lp.solve(D[i])
        seen += 1
        if res.status == LP_UNBOUNDED:
            stats.update(method="exhaustive+lp", lp_solves=seen)
            return _finish(prob, lp, X[k], res, opts, stats, track, proven=True, what="a discrete point whose LP")
        if res.status == LP_OPTIMAL:
            total = sign * (vals.objective[k] + res.value)
            track.consider(X[k], res, total)
            if best is None or total < best_val - 1e-12 * max(1.0, abs(best_val)):
                best, best_val = (X[k], res), total
    stats.update(method="exhaustive+lp", lp_solves=seen, discrete_points=1 << n)
    what = f"exhaustive search over {1 << n} discrete points ({seen} LPs)"
    if best is None:
        if complete:
            return SolveResult(INFEASIBLE, PROVEN, message=f"proven infeasible by {what}", stats=stats)
        return SolveResult(NONE, TIME_LIMIT, message=f"no feasible solution found ({what} stopped by the time "
                           "limit)", stats=stats)
    return _finish(prob, lp, best[0], best[1], opts, stats, track, proven=complete, what=what,
                   stop=INTERRUPTED if track.stop_requested else TIME_LIMIT)


def _search(prob: BinaryProblem, lp: ColumnLP, opts: Options, stats: dict, t0: float,
            deadline: float | None, constructions: Callable[..., np.ndarray], track: _Incumbents) -> SolveResult:
    surrogate = projection(prob)
    reform = reformulate(surrogate, opts)
    if reform.infeasible:
        return SolveResult(INFEASIBLE, PROVEN, message="proven infeasible (the discrete projection is): "
                           + "; ".join(reform.infeasible), stats=stats)
    scorer = _Scorer(prob, lp, opts.tolerance, track)
    best: tuple[np.ndarray, tuple] | None = None

    def take(candidates: np.ndarray) -> None:
        """Score the candidates (the projection's most promising first) and keep the best."""
        nonlocal best
        if not len(candidates):
            return
        candidates = np.unique(candidates, axis=0)
        vals = evaluate_problem(surrogate, candidates, opts.tolerance)
        order = np.lexsort((scorer.sign * vals.objective, vals.max_violation))
        scores = scorer.score(candidates[order], deadline)
        k = min(range(len(scores)), key=lambda i: scores[i][:2])
        if best is None or scores[k][:2] < best[1][:2]:
            best = (candidates[order][k].copy(), scores[k])

    take(constructions(surrogate, reform, opts))  # the cheapest points, then the LP-guided ones
    now = time.perf_counter()
    dive_deadline = None if deadline is None else now + DIVE_SHARE * max(deadline - now, 0.0)
    take(_lp_guided(prob, opts.tolerance, dive_deadline, stats))
    if opts.time_limit != 0 and not track.stopped(deadline):
        t_import = time.perf_counter()
        from .engine import search  # torch is imported on the first engine solve only
        if deadline is not None:  # as in solve(): the one-time import does not count against time_limit
            deadline += time.perf_counter() - t_import
        t_import = time.perf_counter()
        engine_deadline = None if deadline is None else t_import + SEARCH_SHARE * max(deadline - t_import, 0.0)
        start = surrogate.encode(opts.warm_start) if opts.warm_start else None
        out = search(reform, opts, deadline=engine_deadline, start=start)
        stats.update({f"engine_{k}": v for k, v in out.stats.items() if k != "history"})
        take(out.candidates.astype(np.float64))
    x, score = best
    if score[2].status == LP_UNBOUNDED and score[0] == 0:
        stats.update(method="search+lp", lp_solves=lp.solves)
        return _finish(prob, lp, x, score[2], opts, stats, track, proven=True, what="a discrete point whose LP")
    rng = np.random.default_rng(opts.seed)
    x, score = _descent(x, score, scorer, deadline, rng)
    rounds = 0
    while deadline is not None and not track.stopped(deadline):  # iterated local search
        y = x.copy()
        flip = rng.choice(len(x), size=int(rng.integers(2, max(3, len(x) // 10) + 1)), replace=False)
        y[flip] = 1.0 - y[flip]
        got = scorer.score(y, deadline)
        y, got = _descent(y, got[0], scorer, deadline, rng)
        rounds += 1
        if got[:2] < score[:2]:
            x, score = y, got
    stats["ils_rounds"] = rounds
    stats.update(method="search+lp", lp_solves=lp.solves, time_total=time.perf_counter() - t0)
    stop = (INTERRUPTED if track.stop_requested else TIME_LIMIT if deadline is not None else
            EPOCHS if opts.epochs is not None else CONVERGED)
    return _finish(prob, lp, x, score[2], opts, stats, track, proven=False, what="search", stop=stop)


def _lp_guided(prob: BinaryProblem, tol: float, deadline: float | None, stats: dict) -> np.ndarray:
    """Starting points from the LP relaxation (binaries in [0, 1]; linear models only): its optimum
    rounded up and to nearest, and a dive: fix the binaries the LP already has integral, round and
    fix the DIVE_BATCH share of the fractional ones nearest to an integer, re-solve (warm-started),
    and repeat; a rounding the LP refuses is retried rounded up, and a dive that still fails ends
    with its last LP point rounded up. Stops at ``deadline`` with what it has."""
    import highspy

    n = prob.n_binaries
    made = relaxation_model(prob, tol)
    if made is None:
        return np.zeros((0, n))
    h = made[0]
    optimal = highspy.HighsModelStatus.kOptimal

    def run() -> np.ndarray | None:
        if deadline is not None:
            left = deadline - time.perf_counter()
            if left <= 0:
                return None
            h.setOptionValue("time_limit", left)
        h.run()
        h.setOptionValue("presolve", "off")  # later runs change bounds only: warm-started simplex
        if h.getModelStatus() != optimal:
            return None
        return np.clip(np.array(h.getSolution().col_value[:n], dtype=np.float64), 0.0, 1.0)

    def fix(idx: np.ndarray, values: np.ndarray) -> None:
        h.changeColsBounds(len(idx), idx.astype(np.int32), values, values)

    x = run()
    if x is None:
        return np.zeros((0, n))
    out = [np.ceil(x - 1e-6), np.floor(x + 0.5)]
    fixed = np.zeros(n, dtype=bool)
    steps = 0
    while not fixed.all():
        dist = np.abs(x - np.floor(x + 0.5))
        whole = np.flatnonzero(~fixed & (dist <= 1e-6))
        frac = np.flatnonzero(~fixed & (dist > 1e-6))
        pick = frac[np.argsort(dist[frac], kind="stable")[:max(1, int(len(frac) * DIVE_BATCH))]] if len(frac) else frac
        idx = np.concatenate((whole, pick))
        fix(idx, np.floor(x[idx] + 0.5))
        fixed[idx] = True
        steps += 1
        got = run()
        if got is None and len(pick) and not (deadline is not None and time.perf_counter() >= deadline):
            fix(pick, np.ones(len(pick)))  # rounded up instead: opening, setting up, switching on
            got = run()
        if got is None:
            out.append(np.where(fixed, np.floor(x + 0.5), np.ceil(x - 1e-6)))
            break
        x = got
    else:
        out.append(np.floor(x + 0.5))
    stats.update(dive_steps=steps, dive_complete=bool(fixed.all()))
    return np.array(out)


def _descent(x: np.ndarray, score: tuple, scorer: _Scorer, deadline: float | None,
             rng: np.random.Generator) -> tuple[np.ndarray, tuple]:
    """First-improvement 1-flip descent on (violation, objective) with the LP in the loop, until a
    local optimum or the deadline."""
    improved = True
    while improved:
        improved = False
        for i in scorer.flip_order(x, score, rng):
            if scorer.track.stopped(deadline):
                return x, score
            y = x.copy()
            y[i] = 1.0 - y[i]
            got = scorer.score(y, deadline)
            if got and got[0][:2] < score[:2]:
                x, score, improved = y, got[0], True
    return x, score


def _finish(prob: BinaryProblem, lp: ColumnLP, x: np.ndarray, res, opts: Options, stats: dict,
            track: _Incumbents, proven: bool, what: str, stop: str = CONVERGED) -> SolveResult:
    """The result for discrete point ``x`` and its LP outcome, verified on the problem, with its pool
    and the last callback event; ``stop`` is the termination when nothing was proven."""
    if res.status == LP_INFEASIBLE:
        if proven:
            return SolveResult(INFEASIBLE, PROVEN, message=f"proven infeasible: {what} is infeasible (HiGHS)",
                               stats=stats)
        return SolveResult(NONE, stop, message="no feasible solution found: the LP of the best discrete point is "
                           "infeasible", stats=stats)
    values = _values(prob, x, res.y)
    if res.status == LP_UNBOUNDED:
        return SolveResult(UNBOUNDED, PROVEN, x=x, values=values, objective=float(res.value), stats=stats,
                           message=f"proven unbounded: {what} is unbounded (HiGHS)")
    vals = evaluate_problem(prob, x, opts.tolerance, Y=res.y[None, :])
    violation = float(vals.max_violation[0])
    if not vals.feasible[0]:
        return SolveResult(NONE, CONVERGED if proven else stop, x=x, values=values, objective=float(vals.objective[0]),
                           max_violation=violation, stats=stats,
                           message=f"no feasible solution found; the best point violates by {violation:.6g}")
    sign = 1.0 if prob.sense == "min" else -1.0
    track.consider(x, res, sign * float(vals.objective[0]))  # the returned point, if not yet reported
    if track.first_feasible is not None:
        stats["time_first_feasible"] = track.first_feasible
    pool = track.pool(x, res) or [PoolSolution(float(vals.objective[0]), values, violation, x.copy())]
    status = OPTIMAL if proven else FEASIBLE
    message = (f"proven optimal by {what} with HiGHS" if proven else
               "feasible solution found (optimality not proven; continuous values optimal for its discrete part)")
    return SolveResult(status, PROVEN if proven else stop, x=x, values=values, objective=float(vals.objective[0]),
                       max_violation=violation, stats=stats, message=message, pool=pool)


def _values(prob: BinaryProblem, x: np.ndarray, y: np.ndarray | None) -> dict:
    values = prob.decode(x)
    if y is not None:
        values.update({c.key: float(v) for c, v in zip(prob.columns, y)})
    return values
