"""result.plot(): a PNG with the history, the returned objective and the phases."""

from __future__ import annotations

import numpy as np
import pytest

from bipnn_backends import BinaryProblem, solve
from bipnn_backends.core.expr import Poly
from bipnn_backends.result import FEASIBLE, TIME_LIMIT, SolveResult

pytest.importorskip("matplotlib")


def knapsack(n: int = 30) -> BinaryProblem:
    rng = np.random.default_rng(5)
    p = BinaryProblem("knapsack")
    xs = p.add_binaries([f"x{i}" for i in range(n)])
    p.set_objective(Poly.linear(xs, rng.integers(1, 40, n)), "max")
    p.add_constraint(Poly.linear(xs, rng.integers(1, 30, n)), "<=", 4 * n, "cap")
    return p


def labels(fig) -> list[str]:
    return [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_plot_of_a_solve(tmp_path) -> None:
    r = solve(knapsack(), time_limit=None, epochs=60, exhaustive_limit=0)
    names = [n for n, _, _ in r.stats["phases"]]
    assert names[0] == "training" and "descent" in names and "local search" in names
    starts = [a for _, a, _ in r.stats["phases"]]
    assert starts == sorted(starts) and all(a <= b for _, a, b in r.stats["phases"])
    path = tmp_path / "run.png"
    fig = r.plot(str(path))
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    legend = labels(fig)
    assert legend[0] == "best value found" and legend[1] == f"returned objective {r.objective:.10g}"
    end = max([t for t, _ in r.stats["history"]] + [b for _, _, b in r.stats["phases"]] + [r.stats["time_total"]])
    shown = {n for n, a, b in r.stats["phases"] if b - a >= 0.005 * end}
    assert "local search" in shown and set(legend[2:]) == shown  # a phase too short to see is not listed
    line = fig.axes[0].get_lines()[0]
    assert line.get_ydata()[-1] == pytest.approx(r.objective)


def test_annealing_rounds_are_counted() -> None:
    r = SolveResult(FEASIBLE, TIME_LIMIT, objective=10.0, stats={
        "history": [(0.1, 2.0), (0.5, 8.0), (1.5, 10.0)],
        "phases": [("training", 0.0, 0.4), ("descent", 0.4, 0.5), ("annealing round 1", 0.5, 1.0),
                   ("annealing round 2", 1.0, 2.0)]})
    fig = r.plot()
    assert "annealing rounds (2)" in labels(fig)
    assert len(fig.axes[0].patches) == 4


def test_early_penalised_values_do_not_squash_the_curve() -> None:
    hist = [(0.0, -1e6), (0.1, -5e5)] + [(0.2 + 0.1 * k, 100.0 + k) for k in range(20)]
    fig = SolveResult(FEASIBLE, TIME_LIMIT, objective=119.0, stats={"history": hist}).plot()
    lo, hi = fig.axes[0].get_ylim()
    assert lo > 0 and hi < 200


def test_a_start_point_does_not_squash_two_improvements() -> None:
    # the constraint-aware search's usual history: its greedy start (0), then two real points
    fig = SolveResult(FEASIBLE, TIME_LIMIT, objective=307.0,
                      stats={"history": [(0.001, 0.0), (0.003, 305.0), (0.27, 307.0)]}).plot()
    lo, hi = fig.axes[0].get_ylim()
    assert 300 < lo < 305 and 307 < hi < 310


def test_invisible_phases_are_not_listed() -> None:
    r = SolveResult(FEASIBLE, TIME_LIMIT, objective=10.0, stats={
        "history": [(0.1, 2.0), (0.5, 8.0), (1.5, 10.0)],
        "phases": [("training", 0.0, 0.001), ("local search", 0.001, 2.0), ("descent", 2.0, 2.002)]})
    fig = r.plot()
    assert "local search" in labels(fig) and not {"training", "descent"} & set(labels(fig))
    assert len(fig.axes[0].patches) == 1


def test_exhaustive_result_has_no_history(tmp_path) -> None:
    r = solve(knapsack(8))
    fig = r.plot(str(tmp_path / "x.svg"))
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert any("no search history" in t for t in texts)
    assert (tmp_path / "x.svg").read_text().startswith("<?xml")


def test_plot_into_given_axes() -> None:
    from matplotlib.figure import Figure
    fig = Figure()
    ax = fig.add_subplot()
    out = SolveResult(FEASIBLE, TIME_LIMIT, objective=1.0, stats={"history": [(0.0, 1.0)]}).plot(ax=ax, title="mine")
    assert out is fig and ax.get_title() == "mine"


def test_cli_plot(tmp_path) -> None:
    import os

    from bipnn_backends.cli import main
    opb = tmp_path / "k.opb"
    opb.write_text("min: -3 x1 -2 x2 -4 x3 -1 x4 -5 x5 -2 x6 -3 x7 -1 x8 -2 x9 -4 x10 "
                   "-3 x11 -2 x12 -1 x13 -2 x14 -3 x15 -4 x16 -2 x17 -1 x18 ;\n"
                   "+2 x1 +3 x2 +1 x3 +4 x4 +2 x5 +3 x6 +1 x7 +2 x8 +3 x9 +2 x10 "
                   "+1 x11 +4 x12 +2 x13 +3 x14 +1 x15 +2 x16 +3 x17 +2 x18 <= 12 ;\n")
    png = tmp_path / "run.png"
    assert main(["solve", str(opb), "--quiet", "--plot", str(png), "--option", "epochs=30",
                 "--option", "time_limit=null"]) == 0
    assert os.path.getsize(png) > 1000


@pytest.mark.parametrize("name,message", [("run.foo", "image format"), ("run", "no extension"),
                                          ("missing/run.png", "cannot write the plot")])
def test_cli_refuses_a_plot_it_could_not_write_before_solving(tmp_path, capsys, name: str, message: str) -> None:
    from bipnn_backends.cli import main
    opb = tmp_path / "k.opb"
    opb.write_text("min: -3 x1 -2 x2 ;\n+1 x1 +1 x2 <= 1 ;\n")
    assert main(["solve", str(opb), "--plot", str(tmp_path / name)]) == 2
    err = capsys.readouterr()
    assert message in err.err and "Traceback" not in err.err and "status" not in err.out


def test_without_matplotlib_the_message_names_the_extra(tmp_path, monkeypatch, capsys) -> None:
    import sys

    from bipnn_backends.cli import main
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # as if matplotlib were not installed
    with pytest.raises(ImportError, match=r"bipnn_backends\[plot\]"):
        SolveResult(FEASIBLE, TIME_LIMIT, objective=1.0).plot()
    opb = tmp_path / "k.opb"
    opb.write_text("min: -3 x1 -2 x2 ;\n+1 x1 +1 x2 <= 1 ;\n")
    assert main(["solve", str(opb), "--plot", str(tmp_path / "run.png")]) == 2
    err = capsys.readouterr()
    assert "bipnn_backends[plot]" in err.err and "status" not in err.out


def test_plot_through_each_host(tmp_path) -> None:
    # PuLP: solver.result.plot(); Pyomo: results.extra_info.plot(); CVXPY: prob.solver_stats.extra_stats.plot()
    pulp, pe, cp = (pytest.importorskip(m) for m in ("pulp", "pyomo.environ", "cvxpy"))
    from pyomo.contrib.solver.common.factory import SolverFactory
    from bipnn_backends import BIPNN
    rng = np.random.default_rng(5)
    n, v, w = 30, rng.integers(1, 40, 30), rng.integers(1, 30, 30)
    opts = {"epochs": 30, "exhaustive_limit": 0}
    prob = pulp.LpProblem("k", pulp.LpMaximize)
    x = [pulp.LpVariable(f"x{i}", cat="Binary") for i in range(n)]
    prob += pulp.lpSum(int(a) * b for a, b in zip(v, x))
    prob += pulp.lpSum(int(a) * b for a, b in zip(w, x)) <= 4 * n
    solver = BIPNN(msg=False, timeLimit=None, **opts)
    prob.solve(solver)
    m = pe.ConcreteModel()
    m.x = pe.Var(range(n), domain=pe.Binary)
    m.o = pe.Objective(expr=sum(int(v[i]) * m.x[i] for i in range(n)), sense=pe.maximize)
    m.c = pe.Constraint(expr=sum(int(w[i]) * m.x[i] for i in range(n)) <= 4 * n)
    res = SolverFactory("bipnn").solve(m, solver_options={"time_limit": None, **opts},
                                       raise_exception_on_nonoptimal_result=False)
    y = cp.Variable(n, boolean=True)
    cvx = cp.Problem(cp.Maximize(v @ y), [w @ y <= 4 * n])
    cvx.solve(method="bipnn", time_limit=None, **opts)
    for name, plot, value in (("pulp", solver.result.plot, pulp.value(prob.objective)),
                              ("pyomo", res.extra_info.plot, pe.value(m.o)),
                              ("cvxpy", cvx.solver_stats.extra_stats.plot, cvx.value)):
        path = tmp_path / f"{name}.png"
        fig = plot(str(path))
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert labels(fig)[1] == f"returned objective {value:.10g}"
