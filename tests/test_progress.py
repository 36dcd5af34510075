"""Progress display: a bar on terminals, plain lines otherwise, nothing when quiet (no timing asserts)."""

from __future__ import annotations

import io
import logging
import time

import numpy as np
import pytest

from bipnn_backends import BinaryProblem, progress, solve
from bipnn_backends.core.expr import Poly


def knapsack(n: int = 30) -> BinaryProblem:
    rng = np.random.default_rng(2)
    p = BinaryProblem("knapsack")
    xs = p.add_binaries([f"x{i}" for i in range(n)])
    p.set_objective(Poly.linear(xs, rng.integers(1, 40, n)), "max")
    p.add_constraint(Poly.linear(xs, rng.integers(1, 30, n)), "<=", 4 * n, "cap")
    return p


def test_plain_lines(monkeypatch, caplog) -> None:
    monkeypatch.setattr(progress, "PLAIN_EVERY", 1e6)  # the test ticks by hand
    p = progress.Progress(time.perf_counter(), 10.0, bar=False)
    with caplog.at_level(logging.INFO, logger="bipnn_backends"):
        p._tick()
        p.update(5.0, True)
        p._tick()
    p.close()
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("progress:")]
    assert len(lines) == 2
    assert lines[0].endswith("of 10 s, no feasible point yet")
    assert lines[1].endswith("best objective 5 (feasible)")


def test_bar(monkeypatch) -> None:
    pytest.importorskip("tqdm")
    err = io.StringIO()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr(progress, "BAR_EVERY", 1e6)
    p = progress.Progress(time.perf_counter(), 10.0, bar=True)
    p.update(7.0, True)
    p.close()
    out = err.getvalue()
    assert "bipnn" in out and "/10 s" in out and "best objective 7 (feasible)" in out


def test_bar_on_a_terminal_that_reports_no_size(monkeypatch) -> None:
    # a fresh pseudo-terminal is 0x0 (as under `script`, some CI runners and editors): tqdm drew nothing
    pytest.importorskip("tqdm")
    pty = pytest.importorskip("pty")
    import os
    import select
    master, slave = pty.openpty()
    with open(slave, "w", closefd=True) as tty:
        assert os.get_terminal_size(tty.fileno()).columns == 0
        monkeypatch.setattr("sys.stderr", tty)
        monkeypatch.setattr(progress, "BAR_EVERY", 1e6)
        assert progress._bar_available()
        p = progress.Progress(time.perf_counter(), 10.0, bar=True)
        p.update(7.0, True)
        p.close()
        tty.flush()
    out = b""
    while select.select([master], [], [], 0.5)[0]:  # every chunk the bar wrote (one read may return the first)
        try:
            chunk = os.read(master, 65536)
        except OSError:  # Linux: EIO once the other end is closed and drained
            break
        if not chunk:
            break
        out += chunk
    out = out.decode()
    os.close(master)
    assert "bipnn" in out and "/10 s" in out and "best objective 7 (feasible)" in out


def test_solve_feeds_the_display_only_when_verbose(monkeypatch) -> None:
    seen: list[tuple] = []
    monkeypatch.setattr(progress.Progress, "update", lambda self, obj, feas: seen.append((obj, feas)))
    monkeypatch.setattr(progress, "_bar_available", lambda: False)
    r = solve(knapsack(), time_limit=None, epochs=40, exhaustive_limit=0, verbose=True)
    assert seen and seen[-1] == (r.objective, True)
    objs = [o for o, f in seen if f]
    assert objs == sorted(objs)

    def refuse(*a, **k):
        raise AssertionError("no progress display when quiet")

    monkeypatch.setattr(progress.Progress, "__init__", refuse)
    solve(knapsack(), time_limit=None, epochs=10, exhaustive_limit=0, verbose=False)


def test_throttled_point_is_verified_by_the_display_thread() -> None:
    from bipnn_backends.callback import Watch

    class Display:
        poll = None

        def __init__(self) -> None:
            self.seen: list = []

        def update(self, obj, feasible) -> None:
            self.seen.append((obj, feasible))

    p = knapsack(6)
    shown = Display()
    watch = Watch(p, 1e-6, time.perf_counter(), None, shown)
    assert shown.poll == watch.flush
    ones = np.zeros(6)
    ones[:2] = 1.0
    watch.on_best(np.zeros(6))           # verified: objective 0
    watch.on_best(ones)                  # within the interval: pending, not shown yet
    assert shown.seen == [(0.0, True)] and watch.pending is ones
    watch.last_check = -np.inf           # the interval has passed (no sleeping in tests)
    watch.flush()
    value = float(p.objective.coefs[:2].sum())
    assert shown.seen[-1] == (value, True) and watch.pending is None


def test_mixed_solve_feeds_the_display(monkeypatch) -> None:
    """A model with continuous variables: every new verified best reaches the display, the last is returned."""
    from models import build, facility_location

    seen: list[tuple] = []
    monkeypatch.setattr(progress.Progress, "update", lambda self, obj, feas: seen.append((obj, feas)))
    monkeypatch.setattr(progress, "_bar_available", lambda: False)
    r = solve(build(*facility_location(8, 12, 0)), time_limit=None, epochs=20, exhaustive_limit=0, verbose=True)
    assert r.solution_status == "feasible"
    assert seen and seen[-1] == (pytest.approx(r.objective), True)
    objs = [o for o, f in seen]
    assert objs == sorted(objs, reverse=True)  # a minimisation: strictly better each time


def test_plain_lines_reach_each_host_output(monkeypatch, capsys) -> None:
    # the lines come from the display's thread; the hosts echo the solving thread's records only
    # (they never showed through PuLP msg=True, Pyomo tee=True or CVXPY verbose=True)
    pulp, pe, cp = (pytest.importorskip(m) for m in ("pulp", "pyomo.environ", "cvxpy"))
    from bipnn_backends import BIPNN
    monkeypatch.setattr(progress, "PLAIN_EVERY", 0.02)
    monkeypatch.setattr(progress, "_bar_available", lambda: False)
    n, rng = 40, np.random.default_rng(2)
    v, w = rng.integers(1, 40, n), rng.integers(1, 30, n)
    limit = 0.5  # a generous number of 0.02 s intervals; the test counts lines, not time

    prob = pulp.LpProblem("k", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(n)]
    prob += pulp.lpSum(int(a) * b for a, b in zip(v, x))
    prob += pulp.lpSum(int(a) * b for a, b in zip(w, x)) <= 4 * n
    m = pe.ConcreteModel()
    m.x = pe.Var(range(n), domain=pe.Binary)
    m.o = pe.Objective(expr=sum(int(v[i]) * m.x[i] for i in range(n)), sense=pe.maximize)
    m.c = pe.Constraint(expr=sum(int(w[i]) * m.x[i] for i in range(n)) <= 4 * n)
    y = cp.Variable(n, boolean=True)
    cvx = cp.Problem(cp.Maximize(v @ y), [w @ y <= 4 * n])
    for run in (lambda: prob.solve(BIPNN(msg=True, timeLimit=limit)),
                lambda: pe.SolverFactory("bipnn").solve(m, tee=True, timelimit=limit),
                lambda: cvx.solve(method="bipnn", verbose=True, time_limit=limit)):
        run()
        out = capsys.readouterr()
        assert "progress: " in out.out + out.err and "(feasible)" in out.out + out.err
