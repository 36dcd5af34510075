"""The constraint-aware search (engine/constraint_kernel.py, engine/constraint_search.py)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from benchmarks.references import exact_reference
from benchmarks.structured import assignment
from bipnn_backends.core.brute_force import brute_force
from bipnn_backends.core.evaluate import evaluate_problem
from bipnn_backends.core.expr import Poly
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.core.reformulate import reformulate
from bipnn_backends.engine import constraint_search as cs_mod
from bipnn_backends.engine.constraint_kernel import I_RESTARTS
from bipnn_backends.engine.constraint_search import ConstraintSearch, feasible_start, supported
from bipnn_backends.options import make_options
from bipnn_backends.solve import solve


def _groups_problem(rng: np.random.Generator, groups: int, size: int, extra: int, rows: int,
                    quadratic: bool) -> BinaryProblem:
    """One-hot groups, some free variables, random <= / == / >= rows, a random (quadratic) objective."""
    n = groups * size + extra
    p = BinaryProblem()
    x = p.add_binaries([f"x{i}" for i in range(n)])
    terms = [(float(c), (int(i),)) for i, c in enumerate(rng.normal(size=n))]
    if quadratic and n >= 2:
        for _ in range(2 * n):
            i, j = rng.choice(n, 2, replace=False)
            terms.append((float(rng.normal()), (int(i), int(j))))
    p.set_objective(Poly.from_terms(terms))
    for g in range(groups):
        p.add_constraint(Poly.linear(x[g * size:(g + 1) * size], np.ones(size)), "==", 1, f"g{g}")
    for r in range(rows):
        s = np.sort(rng.choice(n, min(n, 4), replace=False))
        a = rng.integers(1, 4, len(s)).astype(float)
        sense = ["<=", ">=", "=="][r % 3]
        p.add_constraint(Poly.linear(x[s], a), sense, float(rng.integers(1, 4)), f"r{r}")
    return p


def _check_state(cs: ConstraintSearch, S, reform) -> None:
    """Everything the kernel keeps incrementally equals a recomputation."""
    M = cs.model
    rows = reform.structure.rows
    X = S.x.astype(np.float64)
    act = rows.activities(X)
    np.testing.assert_allclose(S.act, act, atol=1e-9)
    np.testing.assert_allclose(S.fl[:, 0], reform.pubo.evaluate(X), atol=1e-9)
    viol = rows.violations(X) > M.rtol
    for c in range(len(X)):
        nv = S.it[c, 0]
        assert sorted(S.vl[c, :nv]) == list(np.flatnonzero(viol[c]))
        assert (S.vpos[c][viol[c]] >= 0).all() and (S.vpos[c][~viol[c]] == -1).all()
    for g in range(cs.n_groups):
        mem = M.g_mem[M.g_off[g]:M.g_off[g + 1]]
        assert (S.x[:, mem].sum(axis=1) == 1).all()  # every group keeps exactly one 1
        assert (S.x[np.arange(len(X)), S.hold[:, g]] == 1).all() and np.isin(S.hold[:, g], mem).all()
    ok = np.isfinite(S.fl[:, 2])
    if ok.any():
        B = S.best[ok].astype(np.float64)
        assert not (rows.violations(B) > M.rtol).any()
        np.testing.assert_allclose(S.fl[ok, 2], reform.pubo.evaluate(B), atol=1e-9)


@settings(max_examples=25, deadline=None)
@given(seed=hs.integers(0, 10_000), groups=hs.integers(0, 4), size=hs.integers(1, 5), extra=hs.integers(0, 6),
       rows=hs.integers(1, 5), quadratic=hs.booleans())
def test_moves_keep_groups_and_incremental_state_is_exact(seed, groups, size, extra, rows, quadratic):
    rng = np.random.default_rng(seed)
    p = _groups_problem(rng, groups, size, extra, rows, quadratic)
    reform = reformulate(p, make_options(time_limit=1.0))
    if reform.infeasible or not supported(reform):
        return
    cs = ConstraintSearch(reform)
    starts = rng.integers(0, 2, (3, reform.n))
    S = cs.start(starts, np.arange(3))
    _check_state(cs, S, reform)
    for _ in range(40):  # one or a few steps per call, checked after each
        cs.run(S, work=1)
        _check_state(cs, S, reform)
    cs.run(S, work=20_000)
    _check_state(cs, S, reform)


def test_same_seed_same_run_without_deadline():
    rng = np.random.default_rng(3)
    reform = reformulate(_groups_problem(rng, 4, 4, 5, 4, True), make_options(time_limit=1.0))
    cs = ConstraintSearch(reform)
    runs = []
    for _ in range(2):
        S = cs.start(np.zeros((4, reform.n)), np.arange(4))
        cs.run(S, work=50_000)
        runs.append((S.x.copy(), S.best.copy(), S.fl.copy(), S.it.copy()))
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a, b)


def test_deadline_is_checked_between_calls_by_a_fake_clock(monkeypatch):
    """A clock that advances 1 microsecond per unit of work done: the run stops within one chunk
    of the deadline whatever the machine's speed."""
    rng = np.random.default_rng(4)
    reform = reformulate(_groups_problem(rng, 6, 5, 10, 6, False), make_options(time_limit=1.0))
    cs = ConstraintSearch(reform)
    S = cs.start(np.zeros((2, reform.n)), np.arange(2))

    def clock() -> float:
        return 100.0 + 1e-6 * float(S.fl[:, 3].max())

    monkeypatch.setattr(cs_mod, "time", SimpleNamespace(perf_counter=clock))  # this module's clock only
    calls = cs.run(S, deadline=100.2)
    assert 2 <= calls <= 20
    assert 100.2 - cs_mod.CHUNK_SECONDS <= clock() <= 100.2 + cs_mod.CHUNK_SECONDS


def test_assignment_reaches_the_optimum():
    hits = 0
    for seed in range(6):
        inst = assignment(12, seed)
        opt = exact_reference(inst)["value"]
        res = solve(inst.problem, time_limit=None, epochs=20, seed=seed)
        assert res.solution_status == "feasible"
        hits += res.objective == pytest.approx(opt)
    assert hits >= 5


def _packing(sizes: list[int], cap: int) -> BinaryProblem:
    m = len(sizes)
    p = BinaryProblem()
    y = p.add_binaries([f"y{b}" for b in range(m)])
    x = p.add_binaries([f"x{i}_{b}" for i in range(m) for b in range(m)]).reshape(m, m)
    p.set_objective(Poly.linear(y, np.ones(m)))
    for i in range(m):
        p.add_constraint(Poly.linear(x[i], np.ones(m)), "==", 1, f"pack{i}")
    for b in range(m):
        p.add_constraint(Poly.linear(np.r_[x[:, b], y[b]], np.r_[np.array(sizes, float), -cap]), "<=", 0, f"cap{b}")
    return p


def test_bin_packing_reaches_the_optimum():
    rng = np.random.default_rng(7)
    hits = 0
    for seed in range(5):
        bins, cap = 3, 20
        sizes = []
        for _ in range(bins):  # items that fill each bin exactly: the optimum is ``bins``
            left = cap
            while left > 0:
                s = int(min(left, rng.integers(3, 12)))
                sizes.append(s)
                left -= s
        res = solve(_packing(list(rng.permutation(sizes)), cap), time_limit=None, epochs=20, seed=seed)
        assert res.solution_status == "feasible"
        hits += res.objective == bins
    assert hits >= 4


def test_set_partitioning_and_covering_reach_the_brute_force_optimum():
    hits, total = 0, 0
    for seed in range(6):
        rng = np.random.default_rng(seed)
        m, n = 6, 12
        A = rng.random((m, n)) < 0.3
        A[rng.integers(0, m, n), np.arange(n)] = True
        planted = rng.permutation(m)  # singleton columns keep the partition feasible
        p = BinaryProblem()
        x = p.add_binaries([f"c{j}" for j in range(n + m)])
        p.set_objective(Poly.linear(x, np.r_[rng.integers(1, 20, n), np.full(m, 15)].astype(float)))
        for r in range(m):
            cols = np.r_[np.flatnonzero(A[r]), n + planted[r]]
            p.add_constraint(Poly.linear(x[cols], np.ones(len(cols))), "==" if seed % 2 else ">=", 1, f"r{r}")
        ref = brute_force(p, 1e-6)
        res = solve(p, time_limit=None, epochs=20, seed=seed, exhaustive_limit=0)
        total += 1
        hits += res.solution_status == "feasible" and res.objective == pytest.approx(ref.objective)
    assert hits >= 5


def test_trivial_feasible_point_is_always_returned():
    rng = np.random.default_rng(11)
    n, rows = 3000, 400
    p = BinaryProblem()
    x = p.add_binaries([f"x{i}" for i in range(n)])
    p.set_objective(Poly.linear(x, rng.integers(1, 20, n).astype(float)), "max")
    for r in range(rows):
        s = np.sort(rng.choice(n, 12, replace=False))
        p.add_constraint(Poly.linear(x[s], rng.integers(1, 10, 12).astype(float)), "<=", 10.0, f"r{r}")
    reform = reformulate(p, make_options(time_limit=1.0))
    cs = ConstraintSearch(reform)
    assert (feasible_start(cs.model, reform.n) == 0).all()
    res = solve(p, time_limit=None, epochs=0, seed=0)
    assert res.solution_status == "feasible" and res.objective > 0
    assert evaluate_problem(p, res.x[None, :]).feasible[0]


def test_change_log_overflow_on_tiny_models_keeps_best_exact():
    """Restart kicks on a 1-variable model toggle more often than the change log holds (was a heap overrun)."""
    for seed in range(40):
        rng = np.random.default_rng(seed)
        reform = reformulate(_groups_problem(rng, 0, 2, 1, 1, True), make_options(time_limit=1.0))
        if reform.infeasible or not supported(reform):
            continue
        cs = ConstraintSearch(reform)
        S = cs.start(rng.integers(0, 2, (3, reform.n)), np.arange(3))
        cs.run(S, work=20_000)
        _check_state(cs, S, reform)
        assert (S.it[:, I_RESTARTS] > 0).any()  # restarts (and their kicks) happened


def test_cardinality_rows_reach_the_brute_force_optimum():
    """Exactly-k and at-most-k rows over free variables with a quadratic objective: the search must
    swap inside the row (one in, one out: a trade move then its repair, the changed variable tabu),
    not stop at the first feasible point."""
    hits = 0
    for seed in range(6):
        rng = np.random.default_rng(100 + seed)
        n = 14
        p = BinaryProblem()
        x = p.add_binaries([f"x{i}" for i in range(n)])
        terms = [(float(c), (int(i),)) for i, c in enumerate(rng.normal(size=n))]
        for _ in range(3 * n):
            i, j = rng.choice(n, 2, replace=False)
            terms.append((float(rng.normal()), (int(i), int(j))))
        p.set_objective(Poly.from_terms(terms))
        p.add_constraint(Poly.linear(x[:10], np.ones(10)), "==", 4.0, "exactly4")
        p.add_constraint(Poly.linear(x[6:], np.ones(n - 6)), "<=", 3.0, "atmost3")
        reform = reformulate(p, make_options(time_limit=1.0))
        assert reform.structure.counts() == {"cardinality_eq": 1, "cardinality_le": 1}
        ref = brute_force(p, 1e-6)
        res = solve(p, time_limit=None, epochs=20, seed=seed, exhaustive_limit=0)
        assert res.solution_status == "feasible" and res.stats["search"] == "constraint"
        hits += res.objective == pytest.approx(ref.objective)
    assert hits >= 5
