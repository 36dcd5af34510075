"""Training-epoch cost against a plain torch sparse matvec of the same size (issue 15).

For the ``scale`` suite's instance (degree-4 random PUBO, 2n monomials plus n linear terms) at each
size: the median time of one training epoch exactly as the engine runs it (free logits, R restarts,
relaxed energy plus annealing term, backward, Adam: ``search.train_step``) and of a torch CSR
matvec of the monomial-variable incidence by an (n, R) float32 matrix, and their ratio.
Run: ``python -m benchmarks.epoch_speed [--sizes 10000,100000,1000000] [--restarts 32] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import numpy as np
import torch

from benchmarks.instances import random_pubo
from bipnn_backends.core.reformulate import reformulate
from bipnn_backends.engine.adam import Adam
from bipnn_backends.engine.anneal import Schedule, gradient_scale
from bipnn_backends.engine.models import build_model
from bipnn_backends.engine.relaxed import RelaxedEnergy, Relaxation
from bipnn_backends.engine.search import train_step
from bipnn_backends.engine.threads import use_threads
from bipnn_backends.options import make_options


def _median_time(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def measure(n: int, R: int, reps: int) -> dict:
    """Seconds per epoch and per CSR matvec at n variables, R restarts (after one warm-up each)."""
    opts = make_options(restarts=R, exhaustive_limit=0)
    reform = reformulate(random_pubo(n, 4).problem, opts)
    pubo = reform.pubo
    cpu = torch.device("cpu")
    gen = torch.Generator().manual_seed(0)
    model = build_model(reform, "logits", R, opts.hidden, gen, cpu)
    relax = Relaxation(reform, False, cpu)
    energy_fn = RelaxedEnergy(reform, cpu, relax=relax)
    sched = Schedule(opts.anneal, gradient_scale(reform))
    optim = Adam(model.parameters(), lr=opts.lr)
    gamma = sched.gamma(0.5)

    def epoch() -> None:
        train_step(model, relax, energy_fn, sched, gamma, optim)

    with warnings.catch_warnings():  # torch's beta notes on sparse CSR
        warnings.simplefilter("ignore", UserWarning)
        A = torch.sparse_csr_tensor(torch.as_tensor(pubo.offsets), torch.as_tensor(pubo.indices),
                                    torch.ones(len(pubo.indices)), size=(pubo.n_terms, n))
    X = torch.rand(n, R, generator=gen)
    epoch()
    A @ X
    t_epoch = _median_time(epoch, reps)
    t_matvec = _median_time(lambda: A @ X, reps)
    return {"n": n, "monomials": pubo.n_terms, "occurrences": len(pubo.indices), "restarts": R,
            "epoch_s": t_epoch, "matvec_s": t_matvec, "ratio": t_epoch / t_matvec}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--restarts", type=int, default=32)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--reps", type=int, default=5)
    args = ap.parse_args(argv)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}, "
          f"{args.threads} thread(s)")
    print("| n | monomials | occurrences | restarts | epoch (s) | CSR matvec (s) | ratio |")
    print("|---|---|---|---|---|---|---|")
    with use_threads(args.threads):
        for n in (int(s) for s in args.sizes.split(",")):
            r = measure(n, args.restarts, args.reps)
            print(f"| {r['n']:,} | {r['monomials']:,} | {r['occurrences']:,} | {r['restarts']} | "
                  f"{r['epoch_s']:.3f} | {r['matvec_s']:.3f} | {r['ratio']:.2f} |", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
