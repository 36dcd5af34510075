"""The `mixed` benchmark suite's generators and runners at tiny sizes: every instance is feasible
(HiGHS's answer passes our verifier), our solver proves the same optimum as HiGHS and SCIP."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks import mixed as gen
from benchmarks.mixed_solvers import run_bipnn, run_highs, run_scip
from benchmarks.suite_mixed import ENTRIES, run_one

TINY = [
    (gen.facility_location, (6, 5)),
    (gen.lot_sizing, (2, 5)),
    (gen.unit_commitment, (2, 3)),
    (gen.fixed_charge_flow, (5, 10)),
]


@pytest.mark.parametrize("make,args", TINY, ids=[f.__name__ for f, _ in TINY])
def test_tiny_instances_feasible_and_solved_exactly(make, args) -> None:
    inst = make(*args, seed=3)
    m = inst.extra["milp"]
    assert inst.problem.n_binaries == m.nb <= 12  # our exhaustive path: a proof, comparable with HiGHS's
    v_h, info_h = run_highs(inst, 30.0, 0)
    assert v_h is not None and info_h["proven_optimal"]
    s_h = gen.score(inst, v_h)
    assert s_h.feasible
    v_s, info_s = run_scip(inst, 30.0, 0)
    assert info_s["proven_optimal"] and gen.score(inst, v_s).objective == pytest.approx(s_h.objective, rel=1e-6)
    v_b, info_b = run_bipnn(inst, 30.0, 0)
    assert info_b["status"] == "optimal"
    s_b = gen.score(inst, v_b)
    assert s_b.feasible
    assert s_b.objective == pytest.approx(s_h.objective, rel=1e-6, abs=1e-6)
    assert np.asarray(info_b["trace"])[-1, 1] == pytest.approx(s_b.objective)  # the callback's last event


def test_problem_and_arrays_are_the_same_model() -> None:
    """The BinaryProblem and the Milp agree on objective and feasibility at random points."""
    inst = gen.lot_sizing(3, 4, seed=1)  # has fixed columns (no remaining demand)
    m = inst.extra["milp"]
    rng = np.random.default_rng(0)
    for _ in range(20):
        v = np.concatenate((rng.integers(0, 2, m.nb), rng.uniform(0, 1, m.n - m.nb) * np.minimum(m.ub[m.nb:], 50)))
        s = gen.score(inst, v, tol=1e-9)
        act = m.A @ v
        ok = (act >= m.lo - 1e-9).all() and (act <= m.hi + 1e-9).all()
        assert s.objective == pytest.approx(m.c @ v)
        assert s.feasible == ok


def test_suite_records_one_instance() -> None:
    inst = gen.facility_location(6, 5, seed=0)
    rec = run_one(inst, "highs", run_highs, 10.0, 0)
    assert rec["status"] == "ok" and rec["first_feasible_s"] is not None and rec["objective"] > 0
    assert {e.label for e in ENTRIES} >= {"cfl-small", "cfl-medium", "lotsize-small", "uc-medium", "fcnf-small"}


def test_suite_records_skips_crashes_and_overruns_like_the_other_suites() -> None:
    """The mixed suite's records come from the shared timed run: skip, crash and overrun flags."""
    from benchmarks.errors import Skip
    from benchmarks.report import gap_cell

    inst = gen.facility_location(6, 5, seed=0)

    def skipped(inst, limit, seed):
        raise Skip("not installed")

    def crashed(inst, limit, seed):
        raise RuntimeError("boom")

    assert run_one(inst, "x", skipped, 1.0, 0)["status"] == "skipped"
    rec = run_one(inst, "x", crashed, 1.0, 0)
    assert rec["status"] == "error" and "RuntimeError: boom" in rec["reason"]
    rec = run_one(inst, "highs", run_highs, 10.0, 0)
    assert rec["overrun"] is (rec["wall_s"] > 1.05 * 10.0 + 0.25)  # the flag the reports mark with †
    rec["overrun"], rec["gap_percent"] = True, 0.0
    assert "†" in gap_cell([rec])
