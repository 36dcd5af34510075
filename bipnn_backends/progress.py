"""Progress display while the engine runs, when the host asked for output (msg / tee / verbose).

On an interactive terminal: a tqdm bar on stderr (elapsed of the time limit, best verified
objective, feasible or not), with the solver's log lines printed above it. Otherwise (a file, a
pipe, a notebook log): a plain line through the ``bipnn_backends`` logger every
``PLAIN_EVERY`` seconds. Nothing when the host is quiet. A background thread refreshes the
display, so the elapsed time moves between improvements.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
import threading
import time
from typing import Any, Callable, Iterator

log = logging.getLogger("bipnn_backends")

BAR_EVERY = 0.25    # seconds between bar refreshes
PLAIN_EVERY = 5.0   # seconds between plain progress lines
SOLVE_THREAD = "bipnn_solve_thread"  # log record attribute: the thread of the solve a display line belongs to
FALLBACK_SIZE = (80, 24)  # a terminal that reports 0x0: tqdm then draws nothing at all (rows -1 hide the bar)


class Progress:
    """Shared state (best objective, feasibility) and the thread that shows it."""

    def __init__(self, t0: float, limit: float | None, bar: bool) -> None:
        self.t0, self.limit = t0, limit
        self.owner = threading.get_ident()  # the solving thread: hosts echo that thread's records only
        self.objective: float | None = None
        self.feasible = False
        self.lines = 0
        self.poll: Callable[[], None] | None = None  # called before each refresh (verifies a pending point)
        self._bar: Any = None
        if bar:
            from tqdm import tqdm
            cols = _terminal_columns()
            self._bar = tqdm(total=limit, file=sys.stderr, leave=True, dynamic_ncols=cols is not None,
                             ncols=None if cols else FALLBACK_SIZE[0], nrows=None if cols else FALLBACK_SIZE[1],
                             unit="s",
                             bar_format="bipnn {bar}| {n:.1f}/{total:.3g} s{postfix}" if limit else
                             "bipnn {n:.1f} s{postfix}")
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bipnn-progress", daemon=True)
        self._thread.start()

    def update(self, objective: float | None, feasible: bool) -> None:
        """Record a new best point (objective None while nothing feasible is known)."""
        self.objective, self.feasible = objective, feasible

    def text(self) -> str:
        if self.objective is None:
            return "no feasible point yet"
        return f"best objective {self.objective:.10g} ({'feasible' if self.feasible else 'infeasible'})"

    def _tick(self) -> None:
        if self.poll is not None:
            self.poll()
        elapsed = time.perf_counter() - self.t0
        if self._bar is not None:
            self._bar.n = min(elapsed, self.limit) if self.limit else elapsed
            self._bar.set_postfix_str(self.text(), refresh=False)
            self._bar.refresh()
        else:
            limit = f" of {self.limit:.3g} s" if self.limit else " s"
            log.info("progress: %.1f%s, %s", elapsed, limit, self.text(), extra={SOLVE_THREAD: self.owner})
            self.lines += 1

    def _run(self) -> None:
        every = BAR_EVERY if self._bar is not None else PLAIN_EVERY
        while not self._done.wait(every):
            self._tick()

    def close(self) -> None:
        self._done.set()
        self._thread.join()
        if self._bar is not None:
            self._tick()
            self._bar.close()


def _terminal_columns() -> int | None:
    """The width of the terminal on stderr; None when it reports 0 (a pseudo-terminal nobody sized,
    as under ``script`` or some CI runners and editors) or is not a terminal."""
    try:
        return os.get_terminal_size(sys.stderr.fileno()).columns or None
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None


def _bar_available() -> bool:
    try:
        import tqdm  # noqa: F401
    except ImportError:
        return False
    return sys.stderr.isatty()


@contextlib.contextmanager
def progress_display(verbose: bool, t0: float, limit: float | None) -> Iterator[Progress | None]:
    """A :class:`Progress` for the duration of the block when ``verbose``, else None."""
    if not verbose:
        yield None
        return
    bar = _bar_available()
    redirect: Any = contextlib.nullcontext()
    if bar:
        from tqdm.contrib.logging import logging_redirect_tqdm
        redirect = logging_redirect_tqdm(loggers=[log])
    with redirect:
        progress = Progress(t0, limit, bar)
        try:
            yield progress
        finally:
            progress.close()
