"""Ray portfolio (cluster option) on a local Ray cluster started here; skipped without ray."""

import logging
import os
import signal
import shutil
import tempfile
import threading
import time

import numpy as np
import pytest

import bipnn_backends
from benchmarks.instances import random_pubo

ray = pytest.importorskip("ray")

from bipnn_backends.engine.portfolio import INCUMBENT_PREFIX  # noqa: E402


@pytest.fixture(scope="module")
def local_cluster():
    tmp = tempfile.mkdtemp(prefix="bray", dir="/tmp")  # short: Ray's socket paths are length-limited
    ray.init(num_cpus=2, include_dashboard=False, _temp_dir=tmp, log_to_driver=False)
    try:
        yield ray
    finally:
        ray.shutdown()
        shutil.rmtree(tmp, ignore_errors=True)


def test_worker_start_up_counts_against_the_time_limit(local_cluster):
    """First in the module, so the members start on cold workers (each imports torch and numba):
    that start-up comes out of the time limit instead of being added to it."""
    problem = random_pubo(300, 3, ratio=2.0, seed=2).problem
    time_limit = 6.0
    t = time.perf_counter()
    res = bipnn_backends.solve(problem, time_limit=time_limit, seed=0, exhaustive_limit=0, cluster="auto", workers=2)
    wall = time.perf_counter() - t
    info = res.stats["portfolio"]
    assert res.has_solution
    assert info["failed"] == []
    assert set(info["survivors"]) | set(info["late"]) == {0, 1}
    assert all(m["start_s"] >= 0 for m in info["members"].values())
    # generous bounds (a shared machine): the limit plus the merge and verification, not plus a worker start
    assert res.stats["time_total"] < time_limit + 3.0
    assert wall < time_limit + 30.0


def test_portfolio_with_epochs_matches_brute_force_and_local_shape(local_cluster):
    problem = random_pubo(14, 3, ratio=2.0, seed=3).problem
    local = bipnn_backends.solve(problem, time_limit=None, epochs=20, seed=1, exhaustive_limit=0)
    res = bipnn_backends.solve(problem, time_limit=None, epochs=20, seed=1, exhaustive_limit=0,
                               cluster="auto", workers=2)
    exact = bipnn_backends.solve(problem, time_limit=None, epochs=1, exhaustive_limit=24)
    assert exact.solution_status == "optimal"
    assert res.solution_status == local.solution_status == "feasible"
    assert res.objective == pytest.approx(exact.objective, abs=1e-9)
    assert set(local.stats) <= set(res.stats) | {"portfolio"}
    info = res.stats["portfolio"]
    assert info["workers"] == 2 and info["survivors"] == [0, 1] and info["failed"] == [] and info["late"] == []
    assert sorted(info["members"]) == [0, 1]


def test_killed_worker_does_not_lose_the_solve(local_cluster, caplog):
    problem = random_pubo(300, 3, ratio=2.0, seed=4).problem
    killed = {}

    def kill_member_1():
        stop = time.time() + 60
        while time.time() < stop and not killed:
            for name in ray.util.list_named_actors():
                if name.startswith(INCUMBENT_PREFIX):
                    members = ray.get(ray.get_actor(name).report.remote())
                    if 1 in members and members[1].get("legs", 0) >= 1:
                        os.kill(members[1]["pid"], signal.SIGKILL)
                        killed["pid"] = members[1]["pid"]
            time.sleep(0.2)

    killer = threading.Thread(target=kill_member_1, daemon=True)
    killer.start()
    time_limit = 20.0
    t = time.perf_counter()
    with caplog.at_level(logging.WARNING, logger="bipnn_backends"):
        res = bipnn_backends.solve(problem, time_limit=time_limit, seed=0, exhaustive_limit=0,
                                   cluster="auto", workers=2)
    wall = time.perf_counter() - t
    killer.join(timeout=5)
    assert killed, "member 1 never reported a leg to kill after"
    assert res.has_solution
    info = res.stats["portfolio"]
    assert [f["member"] for f in info["failed"]] == [1]
    assert 0 in info["survivors"] and 1 not in info["survivors"]
    assert "member 1 failed" in caplog.text
    assert wall < 2 * time_limit + 10  # generous: the deadline is shared, not per member
