"""Convergence plot of a solve: best value vs time, with the engine's phases shaded.

``result.plot("run.png")`` or ``bipnn solve MODEL --plot run.png``; needs matplotlib
(``pip install bipnn_backends[plot]``). The line is ``stats["history"]``: the best penalised
energy in the objective's sense, which is the objective itself once the point is feasible.
Penalised values of early infeasible points can dwarf the objective; when a few early values
would squash the rest of the curve, the axis is fitted to the later ones and says so.
"""

from __future__ import annotations

from typing import Any

PHASE_COLORS = {"training": "#4C72B0", "descent": "#55A868", "round": "#DD8452", "local search": "#DD8452"}
OUTLIER_FACTOR = 5.0  # clip the axis when the full range exceeds the later range this many times
MIN_PHASE_SHARE = 0.005  # phases shorter than this share of the time axis are neither shaded nor listed


def _matplotlib() -> Any:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        raise ImportError("result.plot() needs matplotlib: pip install 'bipnn_backends[plot]'") from None
    return Figure


def _phase_key(name: str) -> str:
    return "round" if name.startswith("annealing round") else name


def plot_result(result: Any, path: str | None = None, ax: Any = None, title: str | None = None) -> Any:
    """Draw ``result``'s convergence into ``ax`` (a new figure when None); save it to ``path``
    when given (format from the extension). Returns the figure."""
    Figure = _matplotlib()
    from matplotlib.patches import Patch

    fig = None
    if ax is None:
        fig = Figure(figsize=(8, 4.5), dpi=110, layout="constrained")
        ax = fig.add_subplot()
    fig = fig or ax.figure
    stats = result.stats or {}
    history = [(float(t), float(v)) for t, v in stats.get("history", [])]
    phases = [(str(n), float(a), float(b)) for n, a, b in stats.get("phases", [])]
    end = max([t for t, _ in history] + [b for _, _, b in phases] + [float(stats.get("time_total", 0.0))])

    handles = []
    seen: set[str] = set()
    rounds = 0
    for name, a, b in phases:
        key = _phase_key(name)
        alpha = 0.18
        if key == "round":
            rounds += 1
            alpha = 0.10 if rounds % 2 else 0.22  # alternate so consecutive rounds stay apart
        if b - a < MIN_PHASE_SHARE * end:  # invisible (a skipped training, a closing descent of a few ms):
            continue                        # a legend entry would name what the picture does not show
        ax.axvspan(a, b, color=PHASE_COLORS.get(key, "#8172B3"), alpha=alpha, lw=0)
        if key not in seen:
            seen.add(key)
            label = "annealing rounds" if key == "round" else key
            handles.append(Patch(color=PHASE_COLORS.get(key, "#8172B3"), alpha=0.3, label=label))
    if "annealing rounds" in [h.get_label() for h in handles]:
        handles[[h.get_label() for h in handles].index("annealing rounds")].set_label(f"annealing rounds ({rounds})")

    if history:
        ts = [t for t, _ in history] + [end]
        vs = [v for _, v in history] + [history[-1][1]]
        (line,) = ax.step(ts, vs, where="post", color="black", lw=1.6, label="best value found")
        ax.plot([t for t, _ in history], [v for _, v in history], "o", color="black", ms=3)
        handles.insert(0, line)
        _fit_axis(ax, [v for _, v in history])
    else:
        ax.text(0.5, 0.5, "no search history" + (f" ({result.message})" if result.message else ""),
                ha="center", va="center", transform=ax.transAxes, wrap=True)
    if result.objective is not None and result.has_solution:
        ref = ax.axhline(result.objective, color="#C44E52", ls="--", lw=1,
                         label=f"returned objective {result.objective:.10g}")
        handles.insert(1 if history else 0, ref)

    ax.set_xlim(0, end * 1.02 if end > 0 else 1)
    ax.set_xlabel("seconds since the search started")
    ax.set_ylabel("best objective (penalised while infeasible)")
    ax.grid(True, alpha=0.3)
    ax.set_title(title or f"bipnn: {result.solution_status} ({result.termination})",
                 fontsize=11)
    if handles:
        ax.legend(handles=handles, loc="best", fontsize=9, framealpha=0.9)
    if path:
        fig.savefig(path)
    return fig


def _fit_axis(ax: Any, values: list[float]) -> None:
    """Fit the y axis to the later values when a few early ones would squash them."""
    if len(values) < 3:  # [start, first real point, its improvement]: the start alone can squash them
        return
    later = values[max(1, len(values) // 10):]
    lo, hi = min(values), max(values)
    llo, lhi = min(later), max(later)
    span = lhi - llo or max(abs(lhi), 1.0) * 0.05
    if hi - lo > OUTLIER_FACTOR * span:
        ax.set_ylim(llo - 0.3 * span, lhi + 0.3 * span)
        ax.annotate("earlier values are off the scale", xy=(0.01, 0.98), xycoords="axes fraction",
                    va="top", fontsize=8, color="0.35")
