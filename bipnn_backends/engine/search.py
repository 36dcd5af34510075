"""The engine's entry point: train (relaxation + annealing), round and sample, polish, iterate.

Time plan with a deadline: training runs until the annealing window ends
(``anneal.fraction`` of the budget), then rounding/sampling, 1-flip descent
and the post-training search use the rest. The search is the constraint-aware
search (``constraint_search``) when there are linear rows and no nonlinear
blocks or opaque terms (training is then skipped for the default model, see
``_trains``); compiled simulated annealing (``sa_kernel``; rounds of parallel
chains with doubling sweeps) for a pure PUBO; else numpy iterated local search. Without a deadline: ``epochs`` epochs (annealing over all
of them), then a descent and, per epoch trained (at least 10,
at most 1000), one ILS round or ``SA_SWEEPS_PER_EPOCH`` annealing sweeps, so
the answer depends on the seed and options only. With a deadline the local search
runs until it, and ``time_limit_reached`` is then True. Training also stops early when every restart's output
is discrete and unchanged for a while, and on Ctrl-C (the best so far is returned).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch

from ..core.pubo import Reformulation
from ..options import Options
from ..pool import candidates_wanted
from . import constraint_search, logit_step, lp_start, sa_kernel
from .constraint_kernel import F_BEST, I_RESTARTS, I_STEP
from .adam import Adam
from .anneal import Schedule, gradient_scale
from .device import cpu_threads_for, resolve_device
from .local_search import LocalSearch, iterated_local_search
from .models import build_model
from .relaxed import RelaxedEnergy, Relaxation
from .threads import use_threads

log = logging.getLogger("bipnn_backends")

CHECK_EVERY = 10        # epochs between roundings (best tracking, convergence)
PATIENCE = 5            # checks with discrete, unchanged outputs before stopping
DISCRETE = 0.98         # |2p - 1| above this everywhere counts as discrete
SAMPLES = 4             # Bernoulli samples per restart after training
MAX_CANDIDATES = 32
ILS_CHAINS = 8
ILS_MIN_ROUNDS, ILS_MAX_ROUNDS = 10, 1000  # without a deadline: one round per epoch trained, within these
LOG_EVERY = 1.0         # seconds between progress lines
SA_FIRST_SWEEPS = 16    # sweeps of the first annealing round (doubled each round)
SA_MIN_SWEEPS = 8       # shorter rounds are not started
SA_SWEEPS_PER_EPOCH = 4  # without a deadline: sweeps per epoch trained (epochs within the ILS bounds)
SA_ACCEPT_RANDOM, SA_ACCEPT_TRAINED = 0.5, 0.25  # initial acceptance of the median uphill move
SA_TIME_SAFETY = 0.97    # share of the remaining time a round may be predicted to take (sweeps timed alone)
SA_REHEAT = 0.5         # temperature factor for chains restarted from the best point so far
SA_SECONDS_PER_ENTRY = 5e-8  # prior per chain sweep and (variable + nonzero), before a round is timed
SCORE_SHARE = 0.05       # with a deadline: share of the time left that scoring the training points may use
VERIFY_SHARE = 0.02      # with a deadline: share of the budget that verifying the returned candidates may use
VERIFY_SAFETY = 1.5      # factor on the verification time timed on one row, for the reserve at the end
MIN_TRAIN_EPOCHS = 5     # with a deadline on the CPU: fewer predicted to fit the training window -> no training
TRAIN_SECONDS_PER_ENTRY = 7e-9  # CPU epoch per restart x (variable + occurrence): 1M, 32 restarts, 2.1 s (fused kernel)
SA_DESCENT_SHARE = 0.1   # with a deadline: share of the search window the descents of training points may use
CS_CHAINS = 4           # constraint-aware search: chains, at least (half from the greedy start, half from training)
CS_WORK_PER_EPOCH = 50  # without a deadline: work per chain per epoch trained, in units of the model's size
CS_POOL_ROWS = 2        # with pool_size > 1: points met along the way kept per candidate wanted (best energy)
CS_POOL_SHARE = 0.1     # with pool_size > 1 and a deadline: share of the search time that scoring those points may use
CS_POOL_ENTRIES = 1 << 25  # at most this many row entries of those points (256 MB as float64; 33 rows at 1M)


@dataclass
class EngineOutput:
    """Distinct 0/1 candidate rows, best energy first, and run statistics."""

    candidates: np.ndarray
    stats: dict = field(default_factory=dict)
    time_limit_reached: bool = False


class StopSearch(KeyboardInterrupt):
    """A stop requested by the ``on_best`` hook (an incumbent callback): handled like Ctrl-C,
    the search ends and returns the best points found so far."""



class _Tracker:
    """Best point seen, history of improvements, phases, throttled progress lines; ``on_best(x)``
    is called on each new best point and returns True to stop the search (raises StopSearch).
    ``energy`` scores 0/1 rows exactly (the compiled kernel when it covers the energy)."""

    def __init__(self, t0: float, verbose: bool, on_best: Callable[[np.ndarray], bool] | None = None,
                 energy: Callable[[np.ndarray], np.ndarray] | None = None) -> None:
        self.t0, self.verbose, self.on_best = t0, verbose, on_best
        self.energy = energy
        self.best_x: np.ndarray | None = None
        self.best_e = np.inf
        self.history: list[tuple[float, float]] = []
        self.phases: list[tuple[str, float, float]] = []
        self.current: tuple[str, float] | None = None
        self.last_log = -np.inf
        self.stop = False

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def offer(self, X: np.ndarray, E: np.ndarray) -> None:
        i = int(np.argmin(E))
        if E[i] < self.best_e:
            self.best_x, self.best_e = np.asarray(X[i], dtype=np.float64).copy(), float(E[i])
            self.history.append((self.elapsed(), self.best_e))
            self.stop = self.stop or (self.on_best is not None and bool(self.on_best(self.best_x)))
        if self.stop:
            raise StopSearch

    def phase(self, name: str | None) -> None:
        """End the current phase (for plots: stats["phases"] = [(name, start, end)]) and start ``name``."""
        if self.current is not None:
            self.phases.append((self.current[0], self.current[1], self.elapsed()))
        self.current = None if name is None else (name, self.elapsed())

    def say(self, msg: str, *args: object, throttle: bool = False) -> None:
        if not self.verbose:
            return
        if throttle:
            if self.elapsed() - self.last_log < LOG_EVERY:
                return
            self.last_log = self.elapsed()
        log.info(msg, *args)


def _first_rows(X: np.ndarray) -> np.ndarray:
    """Indices of the first occurrence of each distinct 0/1 row, ascending (compared bit-packed: 64x
    less to sort)."""
    _, first = np.unique(np.packbits(X > 0.5, axis=1), axis=0, return_index=True)
    return np.sort(first)


def _unique_rows(X: np.ndarray) -> np.ndarray:
    """Distinct 0/1 rows in first-seen order."""
    return X[_first_rows(X)]


def search(reform: Reformulation, opts: Options, deadline: float | None,
           start: np.ndarray | None = None, on_best: Callable[[np.ndarray], bool] | None = None) -> EngineOutput:
    """Minimise ``reform.energy`` over {0,1}^n; see the module docstring for the plan.

    ``deadline`` is an absolute ``time.perf_counter()`` value or None (then
    ``opts.epochs`` bounds the run); ``start`` is an optional 0/1 warm start; ``on_best(x)`` is
    called on each new best point and stops the search (as Ctrl-C does) when it returns True.
    """
    t0 = time.perf_counter()
    device = resolve_device(opts.device)
    with use_threads(opts.threads), cpu_threads_for(device, _epoch_entries(reform, opts)):
        return _search(reform, opts, deadline, start, t0, device, on_best)


def _search(reform: Reformulation, opts: Options, deadline: float | None, start: np.ndarray | None,
            t0: float, device: torch.device, on_best: Callable[[np.ndarray], bool] | None = None) -> EngineOutput:
    n, R = reform.n, opts.restarts
    ann = sa_kernel.Annealer(reform) if sa_kernel.supported(reform) else None  # built once (1.9 s at 1M)
    tr = _Tracker(t0, opts.verbose, on_best, ann.energy if ann is not None else reform.energy)
    stats: dict = {"restarts": R, "threads": opts.threads, "device": str(device), "model": opts.model, "epochs": 0,
                   "time_train": 0.0, "time_polish": 0.0, "time_ils": 0.0, "final_gamma": None,
                   "ils_rounds": 0, "converged": False, "interrupted": False, "history": tr.history,
                   "phases": tr.phases}
    if n == 0:
        return EngineOutput(np.zeros((1, 0)), stats, False)
    budget = None if deadline is None else max(deadline - t0, 0.0)
    s = gradient_scale(reform)
    sizes = reform.summary()
    tr.say("bipnn engine: %d variables, monomials by degree %s, %d linear penalty rows, %d nonlinear blocks, "
           "%d opaque terms; device %s, model %s, %d restarts, time limit %s, gradient scale %.4g",
           n, sizes["monomials_by_degree"], sizes["linear_penalty_rows"], sizes["nonlinear_penalty_blocks"],
           sizes["opaque_terms"], device, opts.model, R, "none" if budget is None else f"{budget:.3g}s", s)
    if start is not None:
        start = (np.asarray(start, dtype=np.float64).reshape(n) > 0.5).astype(np.float64)
        try:
            tr.offer(start[None, :], tr.energy(start[None, :]))
        except StopSearch:
            stats["interrupted"] = True

    t_train = time.perf_counter()
    gen = torch.Generator().manual_seed(int(opts.seed))
    p_final, hit_deadline = None, False
    tr.phase("training")
    skip = _too_big_to_train(reform, opts, device, budget)
    if skip:
        stats["training_skipped"] = skip
        tr.say("no training: %s", skip)
    try:
        if not stats["interrupted"] and _trains(reform, opts) and not skip:
            relax = Relaxation(reform, opts.relaxation == "softmax", device)
            stats["relaxation_groups"] = relax.n_groups
            p_final, hit_deadline = _train(reform, opts, device, gen, Schedule(opts.anneal, s), start,
                                           t0, deadline, tr, stats, relax)
    except KeyboardInterrupt:
        stats["interrupted"] = True
    tr.phase(None)
    stats["time_train"] = time.perf_counter() - t_train
    # candidates as booleans (8x less memory than float64 at scale): best so far, start, rounded outputs,
    # then Bernoulli samples; with a deadline only as many as scoring fits in SCORE_SHARE of the time left
    pool = [x[None, :] > 0.5 for x in (tr.best_x, start) if x is not None]
    if p_final is not None:
        pool.append(relax.round(p_final.numpy()))
    elif skip:  # no training: random starts, one per chain
        pool.append(np.random.default_rng([int(opts.seed), 4]).random((max(2, opts.threads), n)) < 0.5)
    X = _unique_rows(np.concatenate(pool)) if pool else np.zeros((1, n), dtype=bool)
    t_score = time.perf_counter()
    E = tr.energy(X.astype(np.float64))
    per_row = (time.perf_counter() - t_score) / len(X)  # measured on the rows themselves, no separate probe
    keep = len(X) + SAMPLES * R
    if deadline is not None:
        keep = max(len(X), min(keep, int(SCORE_SHARE * (deadline - time.perf_counter()) / max(per_row, 1e-9))))
    if p_final is not None and keep > len(X):
        k = min(SAMPLES, -(-(keep - len(X)) // R))
        S = _unique_rows(np.concatenate([X, relax.sample(p_final.repeat(k, 1), gen)]))[len(X):keep]
        X = np.concatenate([X, S])
        E = np.concatenate([E, tr.energy(S.astype(np.float64))]) if len(S) else E
    X = X.astype(np.float64)
    try:
        tr.offer(X, E)
    except StopSearch:
        stats["interrupted"] = True
    tr.say("%7.2fs  training done: %d epochs%s, best rounded energy %.6g", tr.elapsed(), stats["epochs"],
           " (converged)" if stats["converged"] else "", tr.best_e)
    first = np.argsort(E, kind="stable")[:MAX_CANDIDATES]  # the rest is already scored and worse
    found = _Found()
    found.append(X[first], E[first])
    wanted, reserve = candidates_wanted(opts.pool_size, MAX_CANDIDATES), 0.0
    if deadline is not None:
        # verification on the original problem costs about what the numpy evaluator does (at 1M variables
        # 0.22 s a row, 2.5x the kernel): timed on one row, it sets how many candidates are returned (as
        # many as fit VERIFY_SHARE of the budget, at least max(2, pool_size)) and the time reserved for
        # verifying them and the host's 3 constructions (x VERIFY_SAFETY: measured 0.22-0.4 s a row at 1M
        # on a loaded machine), plus 1 % of the budget for bookkeeping
        t_verify = time.perf_counter()
        reform.energy(X[:1])
        verify_row = time.perf_counter() - t_verify
        wanted = min(wanted, max(2, opts.pool_size, int(VERIFY_SHARE * budget / max(verify_row, 1e-9))))
        reserve = VERIFY_SAFETY * verify_row * (wanted + 3) + 0.01 * budget
        stats["time_reserve"] = reserve
    if opts.polish and not stats["interrupted"]:
        ls_end = None if deadline is None else deadline - reserve
        try:
            _polish(reform, opts, X[np.argsort(E, kind="stable")[:R]], ls_end, tr, stats, found, ann)
            hit_deadline = hit_deadline or deadline is not None
        except KeyboardInterrupt:
            stats["interrupted"] = True
    tr.phase(None)
    if tr.best_x is not None:
        found.append(tr.best_x[None, :], np.array([tr.best_e]))
    C, E = found.best(wanted, tr.energy)
    tr.say("%7.2fs  done: best energy %.6g, %d epochs, %d local-search rounds%s", tr.elapsed(), float(E[0]),
           stats["epochs"], stats["ils_rounds"], " (interrupted)" if stats["interrupted"] else "")
    return EngineOutput(C, stats, hit_deadline)


class _Found:
    """Candidate rows the search gathered, with their exact energies where the search scored them already
    (at 1M variables rescoring ~50 rows at the end took 3-5 s of a 60 s budget)."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, np.ndarray | None]] = []

    def append(self, rows: np.ndarray, energies: np.ndarray | None = None) -> None:
        self.parts.append((rows, energies))

    def best(self, k: int, energy: Callable[[np.ndarray], np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        """The k distinct rows of lowest energy (ties: first gathered first) and their energies;
        rows gathered without energies are scored with ``energy``."""
        X = np.concatenate([r for r, _ in self.parts])
        E = np.concatenate([e if e is not None else energy(r) for r, e in self.parts])
        first = _first_rows(X)
        order = first[np.argsort(E[first], kind="stable")[:k]]
        return X[order], E[order]

    def trim(self, k: int, energy: Callable[[np.ndarray], np.ndarray]) -> None:
        """Keep only the k best distinct rows once more than 2k are held (bounded memory)."""
        if sum(len(r) for r, _ in self.parts) > 2 * k:
            self.parts = [self.best(k, energy)]


def _epoch_entries(reform: Reformulation, opts: Options) -> int:
    """Entries a training epoch touches: restarts x (variables + variable occurrences)."""
    occurrences = len(reform.pubo.indices) + sum(len(b.indices) for b in reform.linear_blocks)
    return opts.restarts * (reform.n + occurrences)


def _too_big_to_train(reform: Reformulation, opts: Options, device: torch.device, budget: float | None) -> str:
    """Why training is skipped, or "": with a time limit on the CPU, when fewer than MIN_TRAIN_EPOCHS epochs
    of the default model are predicted to fit the training window (at 1M variables one 7 s epoch ran
    past a 6 s window: the relaxation cannot anneal in one epoch, and the 60 s went 9 s to it and 6 s to
    scoring its points, which the annealing then gives nothing for)."""
    if budget is None or opts.epochs is not None or device.type != "cpu" or opts.model != "logits" or not opts.polish:
        return ""
    epoch = TRAIN_SECONDS_PER_ENTRY * _epoch_entries(reform, opts)
    window = opts.anneal.fraction * budget
    if epoch * MIN_TRAIN_EPOCHS <= window:
        return ""
    return (f"a training epoch is predicted to take {epoch:.2g} s; fewer than {MIN_TRAIN_EPOCHS} fit the "
            f"training window of {window:.2g} s")


def _trains(reform: Reformulation, opts: Options) -> bool:
    """False for the default model on a problem the constraint-aware search covers: measured on
    assignment 150x150, generalized assignment 8x40 and bin packing (30 and 60 bins), training
    first never improved its result and took time from it; nor did the softmax relaxation of one-hot
    groups on the quadratic assignment (docs/engine.md)."""
    return not (opts.polish and opts.model == "logits" and constraint_search.supported(reform))


def _train(reform: Reformulation, opts: Options, device: torch.device, gen: torch.Generator, sched: Schedule,
           start: np.ndarray | None, t0: float, deadline: float | None, tr: _Tracker,
           stats: dict, relax: Relaxation) -> tuple[torch.Tensor, bool]:
    """Anneal the relaxed energy at the probabilities of ``relax``; returns the final probabilities
    (R, n) on the CPU and whether the deadline stopped training. Records epochs, final gamma and
    convergence in ``stats``."""
    model = build_model(reform, opts.model, opts.restarts, opts.hidden, gen, device, start)
    energy_fn = RelaxedEnergy(reform, device, relax=relax)
    optim = Adam(model.parameters(), lr=opts.lr)
    window = None if deadline is None else opts.anneal.fraction * max(deadline - t0, 0.0)
    train_end = None if deadline is None else (t0 + window if opts.polish else deadline)
    anneal_epochs = None if opts.epochs is None else opts.epochs
    last_round, stable, epoch, gamma, hit_deadline = None, 0, 0, sched.gamma(0.0), False
    while opts.epochs is None or epoch < opts.epochs:
        now = time.perf_counter()
        if train_end is not None and now >= train_end:
            hit_deadline = not opts.polish
            break
        progress = 0.0
        if window is not None:
            progress = (now - t0) / window if window > 0 else 1.0
        if anneal_epochs is not None:
            progress = max(progress, epoch / anneal_epochs if anneal_epochs > 0 else 1.0)
        gamma = sched.gamma(progress)
        p, energy = train_step(model, relax, energy_fn, sched, gamma, optim)
        epoch += 1
        stats["epochs"], stats["final_gamma"] = epoch, gamma
        if epoch % CHECK_EVERY == 0:
            pd = p.detach()
            X = relax.round(pd.cpu().numpy()).astype(np.float64)
            tr.offer(X, tr.energy(X))
            discrete = bool(((2 * pd - 1).abs() > DISCRETE).all())
            stable = stable + 1 if discrete and last_round is not None and np.array_equal(X, last_round) else 0
            last_round = X
            tr.say("%7.2fs  epoch %6d  gamma %+.4g  relaxed loss %.6g  best energy %.6g",
                   tr.elapsed(), epoch, gamma, float(energy.detach().min()), tr.best_e, throttle=True)
            if stable >= PATIENCE:
                stats["converged"] = True
                break
    with torch.no_grad():
        return relax.probs(model()).to(torch.float64).contiguous().cpu(), hit_deadline


def train_step(model: torch.nn.Module, relax: Relaxation, energy_fn: RelaxedEnergy, sched: Schedule,
               gamma: float, optim: Adam) -> tuple[torch.Tensor, torch.Tensor]:
    """One epoch: relaxed energy plus gamma times the annealing term, backward, one Adam step;
    returns the probabilities (R, n) and the relaxed energies (R,) it stepped from. Free logits
    on the CPU take the compiled path without autograd (``logit_step``)."""
    if logit_step.supported(model, relax, energy_fn):
        return logit_step.step(model, energy_fn, sched, gamma, optim)
    return autograd_step(model, relax, energy_fn, sched, gamma, optim)


def autograd_step(model: torch.nn.Module, relax: Relaxation, energy_fn: RelaxedEnergy, sched: Schedule,
                  gamma: float, optim: Adam) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`train_step` by autograd: any model, relaxation and energy."""
    z = model()
    p = relax.probs(z)
    energy = energy_fn(z)
    loss = energy + gamma * sched.term(p)
    optim.zero_grad()
    loss[torch.isfinite(loss)].sum().backward()  # a restart at an undefined point gets no step
    for prm in model.parameters():
        if prm.grad is not None:
            torch.nan_to_num_(prm.grad, nan=0.0, posinf=0.0, neginf=0.0)
    optim.step()
    return p, energy


def _polish(reform: Reformulation, opts: Options, X: np.ndarray, ls_end: float | None, tr: _Tracker,
            stats: dict, found: _Found, ann: sa_kernel.Annealer | None) -> None:
    """Post-training search from the points X (best first): the constraint-aware search when there
    are linear rows and no nonlinear blocks or opaque terms; compiled simulated annealing for a pure
    PUBO; else numpy iterated local search.
    Penalty rows put barriers between feasible points that 1-flip annealing must cross, while
    perturb-and-descend jumps them. Measured at 3 s, 4 seeds: 60-item knapsack (optimum 1309) SA
    1246-1286, ILS 1309 every time; 10x10 assignment (optimum 84) SA 100-118, ILS 84-85. Appends what
    it finds to ``found``; records the method, its work and its time in ``stats``."""
    t_search = time.perf_counter()
    try:
        if constraint_search.supported(reform):
            stats["search"] = "constraint"
            _constrained(reform, opts, X, ls_end, tr, stats, found)
        elif sa_kernel.supported(reform) and not reform.linear_blocks:
            stats["search"] = "sa"
            _anneal(ann, opts, X, ls_end, tr, stats, found)
        else:
            stats["search"] = "ils"
            _ils(reform, opts, X, ls_end, tr, stats, found)
    finally:
        stats["time_search"] = time.perf_counter() - t_search


def _temperatures(D: np.ndarray, trained: bool) -> tuple[float, float]:
    """(T0, T1) from the single-flip energy changes D at the start points: T0 accepts the median
    uphill move with probability ``SA_ACCEPT_TRAINED`` (trained starts) or ``SA_ACCEPT_RANDOM``;
    T1 accepts a small uphill move (2nd percentile) with probability 1%, within [1e-4, 0.05] * T0."""
    up = D[D > 0]
    if len(up) == 0:
        return 1.0, 1e-3
    t0 = float(np.median(up)) / -np.log(SA_ACCEPT_TRAINED if trained else SA_ACCEPT_RANDOM)
    t1 = float(np.quantile(up, 0.02)) / np.log(100.0)
    return t0, min(max(t1, 1e-4 * t0), 0.05 * t0)


def _anneal(ann: sa_kernel.Annealer, opts: Options, X: np.ndarray, ls_end: float | None, tr: _Tracker,
            stats: dict, found: _Found) -> None:
    """Compiled 1-flip descent of X, then rounds of parallel SA chains with doubling sweeps: half
    the chains reheat the best point so far (at ``SA_REHEAT`` * T0), half anneal the descended
    training candidates in turn. With ``ls_end`` a round runs only if its predicted time fits
    (the last one is shortened to fit, and its sweeps stop early enough for the closing descent,
    timed on the previous round or on the first descents, to end by ``ls_end``); without, the
    rounds stop at a sweep budget set by ``opts.epochs``. Results are scored with the kernel."""
    t_pol = time.perf_counter()
    tr.phase("descent")
    C = max(2, opts.threads)  # one chain per thread: the answer depends on the thread count, not the machine
    parts: list[np.ndarray] = []
    tail = 0.0  # seconds to descend and score one batch of C points (the end of every round)
    for s in range(0, len(X), C):  # best first, C at a time, while the next batch fits before ls_end
        t_batch = time.perf_counter()  # and the descents stay within SA_DESCENT_SHARE of the window
        parts.append(ann.descend(X[s:s + C])[0])
        now = time.perf_counter()
        tail = max(tail, (now - t_batch) * C / len(parts[-1]))
        if ls_end is not None and (2 * now - t_batch > ls_end or now - t_pol > SA_DESCENT_SHARE * (ls_end - t_pol)):
            break
    pool = _unique_rows(np.concatenate(parts))
    E = ann.energy(pool)
    pool = pool[np.argsort(E, kind="stable")]
    E = np.sort(E, kind="stable")
    found.append(pool.astype(np.float64), E)
    tr.offer(pool, E)
    stats["time_polish"] = time.perf_counter() - t_pol
    tr.say("%7.2fs  1-flip descent of %d points: best energy %.6g", tr.elapsed(), sum(map(len, parts)), tr.best_e)
    t_sa = time.perf_counter()
    t0, t1 = _temperatures(ann.deltas(pool[:C]), stats["epochs"] > 0)
    hot = np.where(np.arange(C) < C // 2, SA_REHEAT * t0, t0)
    cold = np.full(C, t1)
    rng = np.random.default_rng([int(opts.seed), 2])
    budget = None if ls_end is not None else SA_SWEEPS_PER_EPOCH * min(max(ILS_MIN_ROUNDS, stats["epochs"]),
                                                                          ILS_MAX_ROUNDS)
    P = ann.arrays
    per_sweep = SA_SECONDS_PER_ENTRY * -(-C // sa_kernel.threads()) * (ann.n + len(P.m_idx) + len(P.r_idx))
    sweeps, done, rounds, nxt = SA_FIRST_SWEEPS, 0, 0, 0
    best, best_e = pool[0], float(E[0])
    while True:
        if ls_end is not None:
            sweeps = min(sweeps, int(SA_TIME_SAFETY * (ls_end - tail - time.perf_counter()) / per_sweep))
        else:
            sweeps = min(sweeps, budget - done)
        if sweeps < SA_MIN_SWEEPS:
            break
        take = (nxt + np.arange(C - C // 2)) % len(pool)
        nxt += C - C // 2
        starts = np.concatenate([np.repeat(best[None, :], C // 2, axis=0), pool[take]])
        tr.phase(f"annealing round {rounds + 1}")
        t_run = time.perf_counter()
        B, _, ran = ann.anneal(starts, hot, cold, sweeps, rng.integers(0, 2**63, C, dtype=np.uint64),
                               None if ls_end is None else ls_end - tail)
        EB = ann.energy(B)
        per_sweep = ann.time_sweeps / max(ran, 1)
        tail = time.perf_counter() - t_run - ann.time_sweeps
        found.append(B.astype(np.float64), EB)
        tr.offer(B, EB)
        if EB.min() < best_e:
            best, best_e = B[int(np.argmin(EB))], float(EB.min())
        done += ran
        rounds += 1
        tr.say("%7.2fs  annealing round %d (%d chains, %d sweeps): best energy %.6g", tr.elapsed(), rounds, C,
               ran, tr.best_e, throttle=True)
        if ran < sweeps:
            break
        sweeps *= 2
    stats.update(sa_rounds=rounds, sa_sweeps=done, sa_chains=C, sa_t0=t0, sa_t1=t1,
                 time_sa=time.perf_counter() - t_sa)


def _ils(reform: Reformulation, opts: Options, X: np.ndarray, ls_end: float | None, tr: _Tracker,
         stats: dict, found: _Found) -> None:
    """Batched 1-flip descent of the points X, then iterated local search from the best distinct
    ones until ``ls_end`` (or a number of rounds without a deadline); appends what it finds to ``found``."""
    t_pol = time.perf_counter()
    tr.phase("descent")
    ls = LocalSearch(reform)
    st = ls.state(X)
    ls.descend(st, deadline=ls_end)
    st.E[:] = reform.energy(st.x.astype(np.float64))
    found.append(st.x.astype(np.float64), st.E.copy())
    tr.offer(st.x, st.E)
    stats["time_polish"] = time.perf_counter() - t_pol
    tr.say("%7.2fs  1-flip descent of %d points: best energy %.6g", tr.elapsed(), len(X), tr.best_e)
    t_ils = time.perf_counter()
    tr.phase("local search")
    keep = _unique_rows(st.x)
    chains = ls.state(keep[np.argsort(reform.energy(keep.astype(np.float64)), kind="stable")[:ILS_CHAINS]])

    def on_best(x: np.ndarray, e: float) -> None:
        tr.offer(x[None, :], np.array([e]))
        tr.say("%7.2fs  local search: best energy %.6g", tr.elapsed(), e, throttle=True)

    max_rounds = None if ls_end is not None else min(max(ILS_MIN_ROUNDS, stats["epochs"]), ILS_MAX_ROUNDS)
    rng = np.random.default_rng([int(opts.seed), 1])
    try:
        best_x, _, stats["ils_rounds"] = iterated_local_search(ls, chains, rng, ls_end, max_rounds, on_best)
        found.append(best_x[None, :].astype(np.float64))
    finally:
        found.append(chains.x.astype(np.float64))
        stats["time_ils"] = time.perf_counter() - t_ils


def _constrained(reform: Reformulation, opts: Options, X: np.ndarray, ls_end: float | None, tr: _Tracker,
                 stats: dict, found: _Found) -> None:
    """Constraint-aware local search (``constraint_search``) for a PUBO with linear rows: half the
    chains start from the feasibility-favouring start, half from the best training points (when no
    training ran and the model is linear: from the LP relaxation's rounding, ``lp_start``), every
    one-hot group repaired greedily; they run until ``ls_end`` (or a work budget set by the epochs
    trained, or asked for when training was skipped). The starts and each chain's best feasible and final points join ``found``."""
    t_cs = time.perf_counter()
    tr.phase("local search")
    cs = constraint_search.ConstraintSearch(reform, opts.tolerance)
    x0 = constraint_search.feasible_start(cs.model, reform.n).astype(np.float64)
    chains = opts.threads * -(-CS_CHAINS // opts.threads)  # >= CS_CHAINS, the same number on every thread (prange)
    if not stats["epochs"]:  # no training ran: the LP relaxation's rounding starts that half (see lp_start)
        t_lp = time.perf_counter()
        lp_x = lp_start.lp_rounding(reform, ls_end)
        stats.update(cs_lp_start=lp_x is not None, time_lp=time.perf_counter() - t_lp)
        if lp_x is not None:
            keep = X[:1] if opts.warm_start else X[:0]  # a warm start keeps its chain
            X = np.concatenate([keep, np.repeat(lp_x[None, :], max(0, chains // 2 - len(keep)), axis=0)])
    trained = X[:chains - chains // 2] if len(X) else np.zeros((0, reform.n))
    starts = np.concatenate([np.repeat(x0[None, :], chains - len(trained), axis=0), trained])
    rng = np.random.default_rng([int(opts.seed), 3])
    S = cs.start(starts, rng.integers(0, 2**63, len(starts), dtype=np.uint64))
    first = S.x.astype(np.float64)
    found.append(first)
    tr.offer(first, tr.energy(first))
    tr.say("%7.2fs  constraint-aware search: %d groups, %d rows %s, %d chains; best start energy %.6g",
           tr.elapsed(), cs.n_groups, reform.structure.rows.n_rows, reform.structure.counts(), len(starts),
           tr.best_e)
    epochs = stats["epochs"] if stats["epochs"] > 0 else (opts.epochs or 0)  # training may have been skipped
    work = None if ls_end is not None else CS_WORK_PER_EPOCH * cs.nnz * min(max(ILS_MIN_ROUNDS, epochs),
                                                                            ILS_MAX_ROUNDS)
    reported, met = [np.inf, 0.0], _Found()  # met: points met along the way, for a pool (seconds spent in [1])
    keep = 0 if opts.pool_size == 1 else min(CS_POOL_ROWS * candidates_wanted(opts.pool_size, MAX_CANDIDATES),
                                             max(2 * opts.pool_size, CS_POOL_ENTRIES // max(reform.n, 1)))

    def report(S: constraint_search.Chains) -> None:  # new bests reach on_best, progress and history
        # the chains' ends alone are a handful of points (a 10-pool of a 30-item knapsack got 4); without
        # a deadline every round's points (SHARE_ROUNDS), so that the answer depends on the options only
        if keep and (ls_end is None or reported[1] <= CS_POOL_SHARE * (time.perf_counter() - t_cs)):
            t = time.perf_counter()
            P = np.concatenate([S.best[np.isfinite(S.fl[:, F_BEST])], S.x])
            met.append(P, tr.energy(P.astype(np.float64)))
            met.trim(keep, tr.energy)
            reported[1] += time.perf_counter() - t
        if S.fl[:, F_BEST].min() < reported[0]:
            reported[0] = float(S.fl[:, F_BEST].min())
            B = S.best[np.isfinite(S.fl[:, F_BEST])].astype(np.float64)
            tr.offer(B, tr.energy(B))
            tr.say("%7.2fs  constraint-aware search: best energy %.6g", tr.elapsed(), tr.best_e, throttle=True)

    try:
        calls = cs.run(S, deadline=ls_end, work=work, after_call=report)
    finally:  # a stop request (StopSearch from report) ends the run here: the points met still count
        if met.parts:
            found.append(*met.best(keep, tr.energy))
    B, cur = cs.results(S)
    # a 1-flip descent on the penalised energy: a no-op at feasible points under exact penalty
    # weights; with a user-set weak weight the energy's minimiser may be infeasible, and this finds it
    tr.phase("descent")
    down, _ = sa_kernel.Annealer(reform).descend(np.concatenate([B, cur]))
    for part in (B, cur, down.astype(np.float64)):
        if len(part):
            found.append(part)
            tr.offer(part, tr.energy(part))
    if cs.first_feasible_at is not None:
        stats["first_feasible_at"] = cs.first_feasible_at  # perf_counter time; solve() reports it on its clock
    stats.update(cs_chains=len(starts), cs_groups=cs.n_groups, cs_calls=calls,
                 cs_steps=int(S.it[:, I_STEP].sum()), cs_restarts=int(S.it[:, I_RESTARTS].sum()),
                 cs_feasible_chains=len(B), time_cs=time.perf_counter() - t_cs)
    tr.say("%7.2fs  constraint-aware search: %d steps, best energy %.6g", tr.elapsed(), stats["cs_steps"], tr.best_e)
