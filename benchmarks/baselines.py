"""Solvers compared at the same wall-clock limit, one thread each.

Every runner takes ``(instance, pubo, time_limit, seed)``, counts its own
model building against the limit, and returns a 0/1 vector (or None) plus
an ``info`` dict describing how it ran; the harness re-scores the vector on
the ORIGINAL problem. A runner that cannot run an instance raises
:class:`Skip` with the reason.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import numpy as np

from .errors import Skip
from .instances import Instance
from .mip import run_cpsat, run_highs, run_scip
from .scoring import PuboArrays

Runner = Callable[[Instance, PuboArrays, float, int], tuple[np.ndarray | None, dict[str, Any]]]

REDUCTION_STRENGTH = 1.0  # x max|coef|; on a 1,000-variable degree-4 PUBO (dwave SA, 3 s) 2x max per-variable
# sum|coef| gave -39, 2x max|coef| -115, 1x -169, 0.5x -237 (lower is better): answers are re-scored on the
# original variables only, so a weaker reduction is still valid; 1x is the textbook choice
PROBE_SWEEPS = 40  # openjij's long run: sweeps of the run that times a sweep (after a 1-sweep run)
TABU_MAX_VARIABLES = 20_000
TABU_SETUP_S_PER_VAR2 = 1.5e-7  # measured here: 1.6 s at 4,867 and 14.5 s at 8,845 reduced variables (busy machine)  # dwave tabu builds a dense n x n matrix: out of memory above this


# -- sampling loops -------------------------------------------------------------

def _fill_time(sample: Callable[[int, int], tuple[np.ndarray, float]], pubo: PuboArrays, deadline: float,
               seed: int, runs_per_limit: int = 4, probe: int = 10) -> tuple[np.ndarray | None, dict]:
    """Calibrate by doubling the sweeps of one run until it takes a tenth of a run's share
    of the time, then anneal with as many sweeps as fit ``runs_per_limit`` runs in the
    limit, looping (new seeds) until the deadline; keep the best by energy."""
    best_x, best_e, runs, sweeps_used = None, np.inf, 0, []
    budget = deadline - time.perf_counter()
    target = budget / runs_per_limit

    def run(s: int) -> float:
        nonlocal best_x, best_e, runs
        a = time.perf_counter()
        x = sample(s, seed + runs)[0]
        took = time.perf_counter() - a
        e = float(pubo.evaluate(x)[0])
        if e < best_e:
            best_x, best_e = x, e
        runs += 1
        sweeps_used.append(s)
        return took

    s = probe
    took = run(s)
    while took < 0.1 * target and time.perf_counter() + 4 * took < deadline:
        s *= 2
        took = run(s)
    per_sweep = took / s  # includes the per-run overhead: a conservative estimate
    sweeps = int(max(probe, target / per_sweep))
    while True:
        left = deadline - time.perf_counter()
        fit = int(0.85 * left / per_sweep)
        if fit < max(probe, sweeps // 4):
            break
        s = min(sweeps, fit)
        per_sweep = max(per_sweep, run(s) / s)  # the slowest rate seen keeps the last run inside the limit
    return best_x, {"runs": runs, "sweeps_per_run": sweeps, "sweeps_max": max(sweeps_used),
                    "s_per_sweep": per_sweep}


def run_openjij(inst: Instance, pubo: PuboArrays, time_limit: float, seed: int) -> tuple[np.ndarray | None, dict]:
    """openjij's native higher-order SA (``SASampler.sample_hubo``, one thread, one read per run)."""
    deadline = time.perf_counter() + time_limit
    import openjij as oj

    J = pubo.terms()
    sampler = oj.SASampler()

    def sample(sweeps: int, s: int) -> tuple[np.ndarray, float]:
        res = sampler.sample_hubo(J, vartype="BINARY", num_sweeps=sweeps, num_reads=1, num_threads=1,
                                  seed=s % (2**31))
        x = np.zeros(pubo.n)
        first = res.first.sample
        for k, v in first.items():
            x[int(k)] = v
        return x, res.first.energy

    x, info = _fill_time(sample, pubo, deadline, seed)
    info["sampler"] = "openjij.SASampler.sample_hubo (native HUBO)"
    return x, info


def run_openjij_long(inst: Instance, pubo: PuboArrays, time_limit: float, seed: int) -> tuple[np.ndarray | None, dict]:
    """openjij's HUBO SA as one long run (for the ``scale`` suite): each ``sample_hubo`` call first builds
    its graph from the term dictionary (seconds at 100k variables), so the usual loop of short calibrated
    runs (:func:`_fill_time`) spends most of the limit there. Here a 1-sweep and a 40-sweep run measure
    that set-up and the time per sweep, and one run with as many sweeps as fit the rest follows (then,
    when that estimate was high, another run with what is left)."""
    deadline = time.perf_counter() + time_limit
    import openjij as oj

    t = time.perf_counter()
    J = pubo.terms()
    info: dict[str, Any] = {"sampler": "openjij.SASampler.sample_hubo (native HUBO), one long run",
                            "terms_dict_s": time.perf_counter() - t, "runs": 0}
    sampler = oj.SASampler()
    best_x, best_e = None, np.inf

    def run(sweeps: int) -> float:
        nonlocal best_x, best_e
        a = time.perf_counter()
        res = sampler.sample_hubo(J, vartype="BINARY", num_sweeps=sweeps, num_reads=1, num_threads=1,
                                  seed=(seed + info["runs"]) % (2**31))
        took = time.perf_counter() - a
        x = np.zeros(pubo.n)
        for k, v in res.first.sample.items():
            x[int(k)] = v
        e = float(pubo.evaluate(x)[0])
        if e < best_e:
            best_x, best_e = x, e
        info["runs"] += 1
        info.setdefault("sweeps", []).append(sweeps)
        return took

    one = run(1)
    info["one_sweep_run_s"] = one
    if deadline - time.perf_counter() > 3 * one:
        probe = run(PROBE_SWEEPS)
        per_sweep = max((probe - one) / (PROBE_SWEEPS - 1), 1e-6)
        setup = max(one - per_sweep, 0.0)
        info.update(setup_s=setup, s_per_sweep=per_sweep)
        share = 0.8  # the long run: 80 % of what is left (a loaded machine's estimate is noisy), then
        while True:  # another with the rest when time is left (time per sweep re-measured on the long run)
            sweeps = int(share * (deadline - time.perf_counter() - setup) / per_sweep)
            if sweeps < PROBE_SWEEPS:
                break
            per_sweep = max((run(sweeps) - setup) / sweeps, 1e-6)
            share = 0.9
        info["s_per_sweep"] = per_sweep
    return best_x, info


def _bqm(pubo: PuboArrays) -> tuple[Any, dict]:
    """A dimod BQM over labels 0..n-1 (plus auxiliaries from make_quadratic when degree > 2)."""
    import dimod

    deg = pubo.degrees()
    if deg.max(initial=1) <= 2:
        bqm = dimod.BinaryQuadraticModel(dimod.BINARY)
        bqm.add_variables_from((i, 0.0) for i in range(pubo.n))
        lin = deg == 1
        h = np.bincount(pubo.indices[pubo.offsets[:-1][lin]], weights=pubo.coefs[lin], minlength=pubo.n)
        bqm.add_linear_from(enumerate(h.tolist()))
        q = np.nonzero(deg == 2)[0]
        a, b = pubo.indices[pubo.offsets[q]], pubo.indices[pubo.offsets[q] + 1]
        bqm.add_quadratic_from(zip(a.tolist(), b.tolist(), pubo.coefs[q].tolist()))
        bqm.offset = pubo.constant
        return bqm, {"reduction": "none (quadratic)"}
    strength = REDUCTION_STRENGTH * float(np.abs(pubo.coefs).max())
    bqm = dimod.make_quadratic(pubo.terms(), strength, dimod.BINARY)
    bqm.add_variables_from((i, 0.0) for i in range(pubo.n) if i not in bqm.variables)
    return bqm, {"reduction": f"dimod.make_quadratic, strength = {REDUCTION_STRENGTH:g} x max|coef| = {strength:.4g}",
                 "reduced_variables": bqm.num_variables}


def _x_from(sample: Any, n: int) -> np.ndarray:
    return np.array([sample[i] for i in range(n)], dtype=np.float64)


def run_dwave_sa(inst: Instance, pubo: PuboArrays, time_limit: float, seed: int) -> tuple[np.ndarray | None, dict]:
    """dwave-samplers' SimulatedAnnealingSampler on the (reduced) BQM, one read per run."""
    deadline = time.perf_counter() + time_limit
    from dwave.samplers import SimulatedAnnealingSampler

    bqm, red = _bqm(pubo)
    sampler = SimulatedAnnealingSampler()

    def sample(sweeps: int, s: int) -> tuple[np.ndarray, float]:
        res = sampler.sample(bqm, num_reads=1, num_sweeps=sweeps, seed=s % (2**31))
        return _x_from(res.first.sample, pubo.n), res.first.energy

    x, info = _fill_time(sample, pubo, deadline, seed)
    info.update(red, sampler="dwave.samplers.SimulatedAnnealingSampler")
    return x, info


def run_dwave_tabu(inst: Instance, pubo: PuboArrays, time_limit: float, seed: int) -> tuple[np.ndarray | None, dict]:
    """dwave-samplers' TabuSampler on the (reduced) BQM: a 10 ms probe measures its fixed cost
    (dense matrix set-up, seconds at a few thousand variables), then one read with restarts for the rest."""
    deadline = time.perf_counter() + time_limit
    from dwave.samplers import TabuSampler

    deg = pubo.degrees()
    if pubo.n + int((deg > 2).sum()) > TABU_MAX_VARIABLES:
        raise Skip("too many reduced variables for tabu's dense matrix")
    bqm, red = _bqm(pubo)
    if bqm.num_variables > TABU_MAX_VARIABLES:
        raise Skip(f"{bqm.num_variables} reduced variables > {TABU_MAX_VARIABLES}: tabu's dense matrix does not fit")
    setup = TABU_SETUP_S_PER_VAR2 * bqm.num_variables ** 2
    if setup > 0.5 * time_limit:
        raise Skip(f"tabu's set-up alone (about {setup:.0f} s at {bqm.num_variables} reduced variables) "
                   f"exceeds half the {time_limit:g} s limit")
    sampler = TabuSampler()
    a = time.perf_counter()
    res = sampler.sample(bqm, num_reads=1, timeout=10, seed=seed % (2**31))
    fixed = time.perf_counter() - a
    best = _x_from(res.first.sample, pubo.n)
    left_ms = int(1000 * (deadline - time.perf_counter() - 1.1 * fixed))
    info = {**red, "sampler": "dwave.samplers.TabuSampler", "fixed_cost_s": round(fixed, 3), "timeout_ms": left_ms}
    if left_ms >= 10:
        res = sampler.sample(bqm, num_reads=1, timeout=left_ms, seed=(seed + 1) % (2**31))
        x = _x_from(res.first.sample, pubo.n)
        if pubo.evaluate(x)[0] < pubo.evaluate(best)[0]:
            best = x
    return best, info


# -- greedy ---------------------------------------------------------------------

class FlipGains:
    """Batched 1-flip energy changes of a PUBO: delta_i(x) = (1 - 2 x_i) * sum_{t ∋ i} c_t prod_{j in t, j != i} x_j."""

    def __init__(self, pubo: PuboArrays) -> None:
        self.p = pubo
        self.term = np.repeat(np.arange(pubo.n_terms), pubo.degrees())
        self.cflat = pubo.coefs[self.term]

    def deltas(self, X: np.ndarray) -> np.ndarray:
        """(B, n) energy change of flipping each variable of each row."""
        p = self.p
        zeros_el = 1.0 - X[:, p.indices]
        zeros_t = np.add.reduceat(zeros_el, p.offsets[:-1], axis=1)
        others_one = (zeros_t[:, self.term] - zeros_el) == 0
        contrib = np.where(others_one, self.cflat, 0.0)
        B = X.shape[0]
        g = np.zeros((B, p.n))
        for b in range(B):
            g[b] = np.bincount(p.indices, weights=contrib[b], minlength=p.n)
        return (1.0 - 2.0 * X) * g

    def descend(self, X: np.ndarray, deadline: float) -> tuple[np.ndarray, int]:
        """Flip improving variables that share no monomial (the best of each monomial) until none improves."""
        p = self.p
        X = X.copy()
        sweeps = 0
        while time.perf_counter() < deadline:
            d = self.deltas(X)
            sweeps += 1
            improving = d < -1e-12
            if not improving.any():
                break
            score = np.where(improving, -d, 0.0)
            el = score[:, p.indices]
            best_el = np.maximum.reduceat(el, p.offsets[:-1], axis=1)[:, self.term]
            blocked = np.zeros_like(improving)
            loser = (el < best_el) | ((el == best_el) & (el > 0) & _not_first_max(el, best_el, p))
            for b in range(X.shape[0]):
                blocked[b, p.indices[loser[b]]] = True
            flip = improving & ~blocked
            X[flip] = 1.0 - X[flip]
        return X, sweeps


def _not_first_max(el: np.ndarray, best_el: np.ndarray, p: PuboArrays) -> np.ndarray:
    """True for tied maxima of a monomial that are not its first maximum (ties go to the first element)."""
    is_max = (el == best_el).astype(np.int64)
    csum = np.cumsum(is_max, axis=1)
    start = np.concatenate(([0], p.offsets[1:-1]))
    before = np.where(start > 0, csum[:, np.maximum(start - 1, 0)], 0)
    rank = csum - np.repeat(before, np.diff(p.offsets), axis=1)
    return rank > 1


def run_greedy(inst: Instance, pubo: PuboArrays, time_limit: float, seed: int, batch: int = 8) -> tuple[np.ndarray | None, dict]:
    """Multi-start greedy 1-flip descent (numpy): random starts in batches until the time is up; keep the best."""
    deadline = time.perf_counter() + time_limit
    rng = np.random.default_rng(seed)
    fg = FlipGains(pubo)
    best_x, best_e, starts, sweeps = None, np.inf, 0, 0
    while time.perf_counter() < deadline:
        X0 = rng.integers(0, 2, (batch, pubo.n)).astype(np.float64)
        X, s = fg.descend(X0, deadline)
        sweeps += s
        starts += batch
        e = pubo.evaluate(X)
        k = int(np.argmin(e))
        if e[k] < best_e:
            best_x, best_e = X[k], float(e[k])
    return best_x, {"method": "numpy batched 1-flip descent from random starts (non-conflicting improving flips)",
                    "starts": starts, "sweeps": sweeps, "batch": batch}


# -- our engine -----------------------------------------------------------------

def engine_available() -> str | None:
    """None when ``bipnn_backends.engine.search`` and ``core.reformulate`` import, else the reason."""
    try:
        import bipnn_backends.core.reformulate
        import bipnn_backends.engine
        bipnn_backends.engine.search  # noqa: B018 (the engine's entry point must exist)
    except Exception as exc:  # any import failure means "not landed yet"
        return f"{type(exc).__name__}: {exc}"
    return None


_WARM: set[str] = set()


def _warm_up(options: dict[str, Any]) -> None:
    """Import torch/dhg and run each model once on tiny problems, outside the timed runs (the
    baselines' imports are not timed either): an unconstrained PUBO, and a small assignment and
    knapsack so that the compiled kernels of the constrained search are built here too."""
    key = str(options.get("model", "logits"))
    if key in _WARM:
        return
    import warnings

    import bipnn_backends
    from .instances import random_pubo
    from .structured import assignment, multi_knapsack
    warnings.filterwarnings("ignore", message="Sparse invariant checks")
    model = {k: v for k, v in options.items() if k == "model"}
    for inst in (random_pubo(40, 3, seed=1), assignment(5, seed=1), multi_knapsack(30, 2, seed=1)):
        bipnn_backends.solve(inst.problem, time_limit=0.5, seed=0, exhaustive_limit=0, **model)
    _WARM.add(key)


HISTORY_KEEP = 250  # history entries kept at each end of a long history (the first feasible one is early)


def bipnn_answer(res: Any, info: dict[str, Any]) -> tuple[np.ndarray | None, dict]:
    """The 0/1 answer and the info of one ``SolveResult``: status, scalar stats, the history's two ends."""
    st = res.stats
    keep = {k: v for k, v in st.items() if k != "history" and isinstance(v, (int, float, str, bool, dict))}
    hist = [[round(float(h[0]), 4)] + [float(v) if not isinstance(v, bool) else v for v in h[1:]]
            for h in st.get("history", [])]
    if len(hist) > 2 * HISTORY_KEEP:
        hist = hist[:HISTORY_KEEP] + hist[-HISTORY_KEEP:]
    info.update(status=res.solution_status, termination=res.termination, stats=keep, history=hist)
    return (None if res.x is None else np.asarray(res.x, dtype=np.float64)), info


def make_bipnn(**options: Any) -> Runner:
    """A runner calling ``bipnn_backends.solve`` with ``options`` (e.g. model="hgnn+", epochs=0);
    its ``warm_up`` attribute (called untimed by the harness) imports torch/dhg and runs the model once."""

    def warm_up() -> None:
        if engine_available() is None:
            _warm_up(options)

    def run_bipnn(inst: Instance, pubo: PuboArrays, time_limit: float, seed: int) -> tuple[np.ndarray | None, dict]:
        why = engine_available()
        if why:
            raise Skip(f"engine not available ({why})")
        import bipnn_backends

        res = bipnn_backends.solve(inst.problem, time_limit=time_limit, seed=seed, exhaustive_limit=0, **options)
        return bipnn_answer(res, {"options": options})

    run_bipnn.warm_up = warm_up  # type: ignore[attr-defined]
    return run_bipnn


SOLVERS: dict[str, Runner] = {
    "bipnn": make_bipnn(),
    "bipnn_hgnn": make_bipnn(model="hgnn+"),
    "scip": run_scip,
    "highs": run_highs,
    "cpsat": run_cpsat,
    "openjij_sa": run_openjij,
    "dwave_tabu": run_dwave_tabu,
    "dwave_sa": run_dwave_sa,
    "greedy": run_greedy,
}
BASELINES = ("scip", "openjij_sa", "dwave_tabu", "dwave_sa", "greedy")
