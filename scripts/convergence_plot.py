"""Regenerate docs/img/convergence_g14.png: Gset G14 max-cut solved for 10 s, plotted with result.plot().

    python scripts/convergence_plot.py [SECONDS] [OUT.png]

Reads ../shared/data/gset/G14.txt (beside the checkout) or $BIPNN_DATA/gset/G14.txt.
"""

from __future__ import annotations

import os
import sys

import numpy as np

from bipnn_backends import BinaryProblem, solve
from bipnn_backends.core.expr import Poly

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.environ.get("BIPNN_DATA", os.path.join(ROOT, "..", "shared", "data"))


def gset_maxcut(path: str) -> BinaryProblem:
    """Max-cut of a Gset graph: maximise sum_ij w_ij (x_i + x_j - 2 x_i x_j)."""
    with open(path) as f:
        n = int(f.readline().split()[0])
    rows = np.loadtxt(path, skiprows=1, dtype=np.int64, ndmin=2)
    i, j, w = rows[:, 0] - 1, rows[:, 1] - 1, rows[:, 2].astype(float)
    p = BinaryProblem(os.path.basename(path))
    p.add_binaries([f"x{k}" for k in range(n)])
    lin = np.zeros(n)
    np.add.at(lin, i, w)
    np.add.at(lin, j, w)
    terms = [(float(lin[k]), (k,)) for k in range(n)] + [(-2.0 * c, (int(a), int(b))) for a, b, c in zip(i, j, w)]
    p.set_objective(Poly.from_terms(terms), "max")
    return p


def main() -> None:
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 10.0
    out = sys.argv[2] if len(sys.argv) > 2 else os.path.join(ROOT, "docs", "img", "convergence_g14.png")
    result = solve(gset_maxcut(os.path.join(DATA, "gset", "G14.txt")), time_limit=seconds, seed=0)
    result.plot(out, title=f"Gset G14 max-cut (800 vertices, best known 3064): "
                           f"{result.objective:.0f} in {seconds:g} s (2 shared CPU cores)")
    print(f"{out}: {result.solution_status} {result.objective} after {result.stats['time_total']:.1f} s")


if __name__ == "__main__":
    main()
