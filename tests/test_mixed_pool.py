"""Solution pools and incumbent callbacks on mixed models (continuous variables): pool entries carry
the continuous values, are verified and distinct by their discrete part; callback events fire on
every new best of the mixed search and can stop it."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from bipnn_backends import solve
from bipnn_backends.callback import Incumbent
from bipnn_backends.core.evaluate import evaluate_problem
from models import build, facility_location, highs_reference


def small_location(nf: int, nc: int, seed: int):
    data = facility_location(nf, nc, seed)
    return data, build(*data)


def check_entry(p, data, entry) -> np.ndarray:
    """The entry's values satisfy every row and bound; its objective is c . v; returns the open pattern."""
    c, A, lo, hi, lb, ub, kinds = data
    v = np.array([entry.values[f"v{j}"] for j in range(len(c))])
    act = A @ v
    assert (act >= lo - 1e-6).all() and (act <= hi + 1e-6).all()
    assert (v >= lb - 1e-9).all() and (v <= ub + 1e-9).all()
    assert c @ v == pytest.approx(entry.objective, abs=1e-6)
    x = v[[k == "b" for k in kinds]]
    Y = np.array([[entry.values[col.key] for col in p.columns]])
    assert evaluate_problem(p, x[None, :], Y=Y).feasible[0]
    return x


def brute_force_pool(data, k: int, d: int) -> list[float]:
    """The best k open patterns at pairwise Hamming distance >= d, each with its LP optimum (HiGHS)."""
    c, A, lo, hi, lb, ub, kinds = data
    nb = kinds.count("b")
    values = []
    for bits in itertools.product([0.0, 1.0], repeat=nb):
        lbx, ubx = lb.copy(), ub.copy()
        lbx[:nb] = ubx[:nb] = bits
        status, value = highs_reference(c, A, lo, hi, lbx, ubx, [False] * len(c))
        if status == "optimal":
            values.append((value, np.array(bits)))
    values.sort(key=lambda t: t[0])
    picked: list[tuple[float, np.ndarray]] = []
    for value, bits in values:
        if all(np.sum(bits != b) >= d for _, b in picked):
            picked.append((value, bits))
        if len(picked) == k:
            break
    return [v for v, _ in picked]


@pytest.mark.parametrize("k,d", [(4, 1), (3, 2)])
def test_exhaustive_mixed_pool_is_exact(k: int, d: int) -> None:
    """Eight facilities (exhaustive path): the pool equals brute force over the open patterns."""
    data, p = small_location(8, 5, 0)
    r = solve(p, time_limit=30, pool_size=k, pool_distance=d)
    assert r.solution_status == "optimal" and r.stats["method"] == "exhaustive+lp"
    assert len(r.pool) == k
    patterns = [check_entry(p, data, e) for e in r.pool]
    for a, b in itertools.combinations(patterns, 2):
        assert np.sum(a != b) >= d
    np.testing.assert_allclose([e.objective for e in r.pool], brute_force_pool(data, k, d), rtol=1e-7)
    assert r.pool[0].values == r.values and r.pool[0].objective == r.objective


def test_search_mixed_pool_feasible_distinct_sorted() -> None:
    """Sixteen facilities (search path, epochs, no clock): entries verified, distinct, sorted, best first."""
    data, p = small_location(16, 12, 0)
    r = solve(p, time_limit=None, epochs=20, restarts=4, seed=1, pool_size=5, pool_distance=1)
    assert r.solution_status == "feasible" and r.stats["method"] == "search+lp"
    assert len(r.pool) == 5
    patterns = [check_entry(p, data, e) for e in r.pool]
    assert len({pat.tobytes() for pat in patterns}) == 5
    objs = [e.objective for e in r.pool]
    assert objs == sorted(objs)
    assert r.pool[0].values == r.values and r.pool[0].objective == r.objective


def test_default_mixed_pool_is_the_solution() -> None:
    data, p = small_location(16, 12, 1)
    r = solve(p, time_limit=None, epochs=10, restarts=4)
    assert len(r.pool) == 1 and r.pool[0].values == r.values and r.pool[0].objective == r.objective


def test_mixed_callback_events_improve_and_carry_continuous_values() -> None:
    data, p = small_location(16, 12, 0)
    events: list[Incumbent] = []
    r = solve(p, time_limit=None, epochs=20, restarts=4, seed=1, callback=events.append)
    assert r.solution_status == "feasible" and events
    objs = [e.objective for e in events]
    assert all(b < a for a, b in zip(objs, objs[1:]))  # minimisation: strictly improving
    assert objs[-1] == pytest.approx(r.objective, abs=1e-9)  # the returned point is the last event
    assert [e.time for e in events] == sorted(e.time for e in events)
    for e in events:
        check_entry(p, data, e)
        assert e.violation <= 1e-6
    assert r.stats["time_first_feasible"] == pytest.approx(events[0].time)


def test_mixed_callback_stop_interrupts_the_search() -> None:
    data, p = small_location(16, 12, 0)
    events: list[Incumbent] = []

    def stop_at_first(event: Incumbent) -> None:
        events.append(event)
        event.stop()

    r = solve(p, time_limit=60, epochs=20, restarts=4, seed=1, callback=stop_at_first)
    assert r.termination == "interrupted" and r.solution_status == "feasible"
    assert len(events) == 1 and r.objective <= events[0].objective + 1e-9
    assert r.stats["time_total"] < 60  # stopped long before the limit (the stop, not the clock)
    check_entry(p, data, r)


@pytest.mark.parametrize("method", ["exhaustive", "lp"])
def test_mixed_callback_reports_a_proven_optimum(method: str) -> None:
    """Exhaustive path (8 facilities) and pure LP (no binaries): the optimum is reported as an event."""
    if method == "exhaustive":
        data, p = small_location(8, 5, 1)
    else:
        c, A, lo, hi, lb, ub, kinds = facility_location(3, 4, 0)  # every facility open: a transportation LP
        nb = kinds.count("b")
        opened = A[:, :nb].sum(axis=1)
        data = (c[nb:], A[:, nb:], lo - opened, hi - opened, lb[nb:], ub[nb:], kinds[nb:])
        p = build(*data)
    events: list[Incumbent] = []
    r = solve(p, time_limit=30, callback=events.append)
    assert r.solution_status == "optimal" and events
    assert events[-1].objective == pytest.approx(r.objective, abs=1e-9)
    status, expected = highs_reference(*data[:6], [k == "b" for k in data[6]])
    assert r.objective == pytest.approx(expected, rel=1e-7)
    check_entry(p, data, events[-1])
