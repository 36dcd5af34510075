"""``python -m benchmarks run SUITE [--time-limit S] [--seeds K] [--quick] ...`` and friends."""

from __future__ import annotations

import argparse
import shlex
import sys
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .suites import Config


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "worker":
        from .workers import main as worker_main
        worker_main(argv[1:])
        return
    from .suites import SUITES, Config

    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="run a suite, write docs/bench/SUITE.{json,md,png} and docs/benchmarks.md")
    run.add_argument("suite", choices=list(SUITES) + ["all"], help="a suite, or all of them in turn")
    run.add_argument("--time-limit", type=float, help="seconds per solver run (default: the suite's)")
    run.add_argument("--seeds", type=int, help="seeds 0..K-1 per (instance, solver)")
    run.add_argument("--quick", action="store_true", help="small instances and short limits, to validate")
    run.add_argument("--solvers", help="comma-separated subset of solvers")
    run.add_argument("--only", help="comma-separated instance names (maxcut/ablation datasets)")
    run.add_argument("--sizes", help="comma-separated numbers of variables (pubo, constrained, ablation, scale, "
                                     "reformulate)")
    run.add_argument("--threads", type=int, default=1, help="threads per solver (set before imports; default 1)")
    rep = sub.add_parser("report", help="rebuild SUITE's Markdown and plots from its JSON")
    rep.add_argument("suite", choices=list(SUITES))
    sub.add_parser("list", help="list suites and solvers")
    ref = sub.add_parser("references", help="compute and cache the structured suite's SCIP reference values")
    ref.add_argument("--time-limit", type=float, default=300.0, help="seconds of SCIP per instance (default 300)")
    ref.add_argument("--only", help="comma-separated structured instance labels")
    ref.add_argument("--force", action="store_true", help="recompute cached values")
    a = ap.parse_args(argv)

    if a.cmd == "list":
        from .baselines import SOLVERS
        for name, s in SUITES.items():
            print(f"{name:<12} {s.description}")
        print("solvers:", ", ".join(SOLVERS))
        return
    if a.cmd == "references":
        from .references import compute
        from .suite_structured import entries, reference_makers
        makers = [e.make for e in entries(False, a.only.split(","))] if a.only else reference_makers()
        compute(makers, a.time_limit, force=a.force)
        return
    if a.cmd == "report":
        _write_report(a.suite)
        return
    cfg = Config(time_limit=a.time_limit, seeds=a.seeds, quick=a.quick,
                 solvers=a.solvers.split(",") if a.solvers else None,
                 only=a.only.split(",") if a.only else None,
                 sizes=[int(s) for s in a.sizes.split(",")] if a.sizes else None)
    names = list(SUITES) if a.suite == "all" else [a.suite]
    for name in names:
        args = [name if k == argv.index(a.suite) else x for k, x in enumerate(argv)]
        _run_suite(name, cfg, a.quick, a.threads, "python -m benchmarks " + " ".join(shlex.quote(x) for x in args))


def _run_suite(name: str, cfg: Config, quick: bool, threads: int, command: str) -> None:
    """Run one suite; the JSON, Markdown, plots and index are written even if it is interrupted."""
    from . import report as rp
    from .runner import Results
    from .suites import SUITES
    suite = SUITES[name]
    settings: dict = {"quick": quick, "threads": threads}
    if suite.time_limit:
        settings.update(time_limit=cfg.time_limit or (suite.quick_time_limit if quick else suite.time_limit),
                        seeds=cfg.seeds or suite.seeds)
    for key in ("solvers", "only", "sizes"):
        if getattr(cfg, key):
            settings[key] = getattr(cfg, key)
    res = Results(name, command, settings)
    t = time.perf_counter()
    try:
        suite.run(res, cfg)
    finally:
        res.doc["elapsed_s"] = round(time.perf_counter() - t, 1)
        res.save()
        _write_report(name)
        rp.write_index(SUITES)
    print(f"wrote {res.path}, {res.path.with_suffix('.md')} and {rp.DOCS}")


def _write_report(suite: str) -> None:
    from . import report as rp
    from .suites import SUITES
    doc = rp.load_doc(suite)
    for stale in rp.OUT_DIR.glob(f"{suite}_*.png"):
        stale.unlink()
    (rp.OUT_DIR / f"{suite}.md").write_text(SUITES[suite].report(doc) + "\n")
