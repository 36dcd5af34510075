"""Running the engine in tests: options, a timed search, and a fake clock of steady speed."""

from __future__ import annotations

import time

import pytest

from bipnn_backends.core.pubo import Reformulation
from bipnn_backends.engine import EngineOutput, search
from bipnn_backends.options import make_options


def opts(**kw):
    base = dict(time_limit=None, epochs=200, restarts=16)
    base.update(kw)
    return make_options(**base)


def run(reform: Reformulation, o, start=None) -> tuple[EngineOutput, float]:
    t0 = time.perf_counter()
    deadline = None if o.time_limit is None else t0 + o.time_limit
    out = search(reform, o, deadline, start)
    return out, time.perf_counter() - t0


class SteadyMachine:
    """A fake ``time.perf_counter`` for deadline tests: a read advances it by 1 µs and each call of a
    kernel named with :meth:`charge` by the work it did times ``cost`` seconds, as on a machine of
    steady speed, so a test does not depend on the load of the machine that runs it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, cost: float) -> None:
        self.t, self.cost, self.monkeypatch = 1000.0, cost, monkeypatch
        monkeypatch.setattr(time, "perf_counter", self)

    def __call__(self) -> float:
        self.t += 1e-6
        return self.t

    def charge(self, module, name: str, units) -> None:
        """``module.name`` advances the clock: ``units(args, call)`` makes the call and returns its work."""
        kernel = getattr(module, name)

        def timed(*args):
            self.t += self.cost * units(args, lambda: kernel(*args))

        self.monkeypatch.setattr(module, name, timed)
