"""Fake clocks for deadline tests that must not depend on the speed or load of the machine."""

from __future__ import annotations


class FakeTime:
    """A stand-in for the ``time`` module whose ``perf_counter`` advances ``step`` seconds per reading."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 1000.0, step

    def perf_counter(self) -> float:
        self.now += self.step
        return self.now
