"""A portfolio of independent searches on a Ray cluster (``cluster`` option): one shared deadline,
the reformulated problem put once in the object store (each member copies it into writeable arrays:
numba would compile its kernels anew for read-only ones), the best point broadcast between members.

Member k runs :func:`search` on one Ray worker (``num_cpus``/``num_gpus`` each) with its own seed
and, cycling with k, its own training window and model (see :func:`member_options`). With a
deadline a member works in legs of about ``1/LEGS`` of the budget; after each leg it offers its
best point to a small actor (:class:`Incumbent`) and the even members start their next leg from
the portfolio's best point, the odd ones from their own (broadcast without losing diversity).
A member that fails (killed process, lost node, exception) is recorded in ``stats["portfolio"]``
and logged; the answer comes from the survivors and from every point offered before the failure.

The deadline is the user's: the time Ray takes to start a worker and import the engine there comes
out of each member's share (a member whose worker starts after the members' deadline runs no leg
and is listed as ``late``, as is one that had not reported when the time ran out), and the driver
stops waiting for members at the deadline minus half the merge reserve, whatever they do.
"""

from __future__ import annotations

import copy
import dataclasses
import logging
import os
import time
import uuid
from typing import Any

import numpy as np

from ..core.incumbent import Incumbent
from ..core.pubo import Reformulation
from ..errors import OptionError
from ..options import Options

log = logging.getLogger("bipnn_backends")

LEGS = 4                 # legs per member with a deadline (best point exchanged between legs)
MIN_LEG = 1.0            # seconds: shorter legs are not split further
MERGE_RESERVE = 0.05     # share of the budget (at least MERGE_MIN seconds) kept for collecting and merging
MERGE_MIN = 0.5
GRACE = 2.0              # seconds past the members' deadline (at most half the merge reserve) before a silent
                         # member counts as lost
INCUMBENT_PREFIX = "bipnn-incumbent-"
FRACTIONS = (None, 0.05, 0.3)  # training window per member, cycling (None: the user's)
MAX_CANDIDATES = 32


def _ray() -> Any:
    try:
        import ray
    except ImportError as exc:
        raise OptionError("cluster option needs Ray: pip install 'bipnn_backends[ray]'") from exc
    return ray


def connect(cluster: str) -> Any:
    """The ray module, connected: the existing connection when this process already called
    ``ray.init``, else ``ray.init(address=cluster)`` ("auto": the running cluster)."""
    ray = _ray()
    if not ray.is_initialized():
        try:
            ray.init(address=cluster, include_dashboard=False, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise OptionError(f"cluster {cluster!r}: cannot connect to a Ray cluster ({exc})") from exc
    return ray


def member_options(opts: Options, k: int) -> Options:
    """Options of member k: seed ``opts.seed * 1000 + k``, training window cycling over
    ``FRACTIONS``, every 4th member (k = 3, 7, ...) with the "hgnn+" model when the user's is
    "logits"; threads = its CPUs; member 0 is the user's own configuration."""
    fraction = FRACTIONS[k % len(FRACTIONS)]
    anneal = opts.anneal if fraction is None else dataclasses.replace(opts.anneal, fraction=fraction)
    model = "hgnn+" if k % 4 == 3 and opts.model == "logits" else opts.model
    return dataclasses.replace(opts, cluster=None, workers=None, seed=int(opts.seed) * 1000 + k,
                               anneal=anneal, model=model, threads=max(1, int(opts.num_cpus)))


def _member(k: int, reform: Reformulation, opts: Options, deadline_wall: float | None,
            start: np.ndarray | None, incumbent: Any, submitted: float) -> Any:
    """One portfolio member (runs in a Ray worker): legs of :func:`search`, offering the best point
    after each; returns the last leg's :class:`EngineOutput` with every leg's candidates, or None
    when the worker started too late for a leg. ``submitted``: wall time the driver submitted it
    (the difference to now, the worker's start-up, is reported per member as ``start_s``)."""
    import ray

    from .search import EngineOutput, search
    # not awaited: the actor's own process may still be starting (one caller's calls run in order)
    incumbent.register.remote(k, os.getpid(), ray.get_runtime_context().get_node_id(),
                              round(time.time() - submitted, 3))
    # the object store's arrays are read-only, a type numba would compile every kernel for anew
    # (tens of seconds, inside the time limit): the member searches its own writeable copy
    reform = copy.deepcopy(reform)
    mine = member_options(opts, k)
    if deadline_wall is None:
        out = search(reform, mine, None, start)
        incumbent.offer.remote(k, out.candidates[0], float(reform.energy(out.candidates[:1])[0]))
        return out
    deadline = time.perf_counter() + (deadline_wall - time.time())
    leg = max(MIN_LEG, (deadline - time.perf_counter()) / LEGS)
    found, stats, reached = [], {}, False
    while time.perf_counter() < deadline - 0.1 * leg:
        end = min(deadline, time.perf_counter() + leg)
        if deadline - end < 0.5 * leg:  # no room for another leg after this one: take it all
            end = deadline
        out = search(reform, mine, end, start)
        e = float(reform.energy(out.candidates[:1])[0])
        incumbent.offer.remote(k, out.candidates[0], e)
        found.append(out.candidates)
        stats, reached = out.stats, out.time_limit_reached
        start = out.candidates[0]
        if k % 2 == 0:
            try:
                x, e_best, _ = ray.get(incumbent.best.remote(), timeout=max(0.1, 0.1 * leg))
            except ray.exceptions.GetTimeoutError:  # the actor is not up yet: keep our own point
                x, e_best = None, np.inf
            if x is not None and e_best < e:
                start = x.astype(np.float64)
        mine = dataclasses.replace(mine, seed=mine.seed + 1_000_003)  # a new seed per leg
    return EngineOutput(np.concatenate(found), stats, reached) if found else None


def search_portfolio(reform: Reformulation, opts: Options, deadline: float | None,
                     start: np.ndarray | None = None) -> Any:
    """Run the portfolio on the cluster ``opts.cluster``; returns an :class:`EngineOutput` whose
    candidates merge every survivor's and the incumbent's, with ``stats["portfolio"]``."""
    from .search import EngineOutput
    ray = connect(opts.cluster)
    t0 = time.perf_counter()
    workers = opts.workers or max(1, int(ray.cluster_resources().get("CPU", 1) // opts.num_cpus))
    deadline_wall = wait_until = None
    if deadline is not None:
        budget = max(deadline - t0, 0.0)
        reserve = max(MERGE_MIN, MERGE_RESERVE * budget)
        deadline_wall = time.time() + budget - reserve
        wait_until = deadline_wall + min(GRACE, reserve / 2)
    incumbent = ray.remote(num_cpus=0)(Incumbent).options(name=INCUMBENT_PREFIX + uuid.uuid4().hex).remote()
    member = ray.remote(max_retries=0)(_member).options(num_cpus=opts.num_cpus, num_gpus=opts.num_gpus)
    ref = ray.put(reform)  # once per cluster: a node's members read it from its shared memory
    pending = {member.remote(k, ref, opts, deadline_wall, start, incumbent, time.time()): k for k in range(workers)}
    outputs: dict[int, Any] = {}
    failed: list[dict] = []
    late: list[int] = []
    while pending:
        timeout = None if wait_until is None else max(0.0, wait_until - time.time())
        ready, _ = ray.wait(list(pending), num_returns=1, timeout=timeout)
        if not ready:
            break
        k = pending.pop(ready[0])
        try:
            out = ray.get(ready[0])
        except Exception as exc:  # a killed worker, a lost node or an error inside the member
            failed.append({"member": k, "error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"})
            log.warning("bipnn portfolio: member %d failed (%s); continuing with the others",
                        k, failed[-1]["error"])
            continue
        if out is None:
            late.append(k)
            log.warning("bipnn portfolio: member %d started after the deadline (worker start-up); no leg run", k)
        else:
            outputs[k] = out
    ask = None if wait_until is None else min(GRACE, max(0.2, wait_until + MERGE_MIN / 2 - time.time()))
    try:
        x_inc, e_inc, by = ray.get(incumbent.best.remote(), timeout=ask)
        members = ray.get(incumbent.report.remote(), timeout=ask)
    except Exception as exc:  # the incumbent actor's node is gone, or it never started: the members' answers remain
        x_inc, by, members = None, None, {}
        log.warning("bipnn portfolio: incumbent actor unreachable (%s)", type(exc).__name__)
    for r, k in pending.items():
        ray.cancel(r, force=True)
        if k in members:
            failed.append({"member": k, "error": "no answer by the deadline"})
            log.warning("bipnn portfolio: member %d gave no answer by the deadline; cancelled", k)
        else:
            late.append(k)
            log.warning("bipnn portfolio: member %d had not reported by the deadline (its worker was still "
                        "starting: Ray worker start-up counts against the time limit); cancelled", k)
    ray.kill(incumbent)
    parts = [o.candidates for o in outputs.values()]
    if x_inc is not None:
        parts.append(x_inc[None, :].astype(np.float64))
    if start is not None:
        parts.append(np.asarray(start, dtype=np.float64).reshape(1, reform.n))
    C = np.unique((np.concatenate(parts) if parts else np.zeros((1, reform.n))) > 0.5, axis=0).astype(np.float64)
    E = reform.energy(C)
    order = np.argsort(E, kind="stable")[:MAX_CANDIDATES]
    best_k = min(outputs, key=lambda k: float(reform.energy(outputs[k].candidates[:1])[0])) if outputs else None
    stats = dict(outputs[best_k].stats) if best_k is not None else {"epochs": 0, "history": []}
    stats["portfolio"] = {"cluster": opts.cluster, "workers": workers, "survivors": sorted(outputs),
                          "failed": failed, "late": sorted(late), "best_member": by if by is not None else best_k,
                          "members": {int(k): v for k, v in members.items()},
                          "time": time.perf_counter() - t0}
    reached = deadline is not None and any(o.time_limit_reached for o in outputs.values())
    return EngineOutput(C[order], stats, reached or (deadline is not None and not outputs))
