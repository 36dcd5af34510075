"""The LP relaxation of a linear model (HiGHS, ``highspy``), rounded: a start for the constraint-aware search.

For a model whose PUBO is linear (``min c.x`` plus the linear rows), HiGHS solves
``min c.x  s.t.  A x (= | <=) rhs,  0 <= x <= 1`` and the solution rounded at 0.5
starts half of the constraint-aware search's chains when no training ran
(docs/engine.md: measured at equal wall time it helped on set covering, set
partitioning and multi-dimensional knapsacks, and was neutral within noise on
assignment, generalized assignment and bin packing). HiGHS gets at most ``LP_SHARE`` of the
time left; an LP it does not solve to optimality in that time gives no start. HiGHS does not
honour a short time limit on a large LP (setting it up and presolving it come first: 3.4 s at
1M row entries with a 0.05 s limit, 0.5 s at 170k), so an LP is only tried when its rows have at
most ``LP_MAX_ENTRIES`` entries and that set-up is predicted to fit the share of the time left.
"""

from __future__ import annotations

import time

import numpy as np

from ..core.pubo import Reformulation
from ..lp import _quiet

LP_SHARE = 0.1  # at most this share of the search's time left goes to the LP
LP_MAX_ENTRIES = 100_000  # larger LPs are not tried (a random 170k-entry one was unsolved after 10 s)
SETUP_SECONDS_PER_ENTRY = 4e-6  # HiGHS before its first time check, per row entry (measured 3.4e-6, loaded machine)


def applies(reform: Reformulation) -> bool:
    """True when the PUBO is linear (every monomial of degree <= 1) and there are linear rows."""
    return reform.structure.rows.n_rows > 0 and bool((np.diff(reform.pubo.offsets) <= 1).all())


def lp_rounding(reform: Reformulation, deadline: float | None) -> np.ndarray | None:
    """The LP relaxation's optimum rounded at 0.5 (0/1 floats, length n), or None when the model is not
    linear (:func:`applies`), HiGHS is missing, or the LP is not solved to optimality by
    ``LP_SHARE`` of the time left before ``deadline`` (perf_counter; None: no limit), or it is too large
    for that (see the module docstring)."""
    if not applies(reform):
        return None
    try:
        import highspy
    except ImportError:
        return None
    rows, pubo, n = reform.structure.rows, reform.pubo, reform.n
    entries = len(rows.indices)
    if entries > LP_MAX_ENTRIES:
        return None
    left = None if deadline is None else LP_SHARE * (deadline - time.perf_counter())
    if left is not None and SETUP_SECONDS_PER_ENTRY * entries >= left:
        return None
    c = np.zeros(n)
    linear = np.diff(pubo.offsets) == 1
    np.add.at(c, pubo.indices[pubo.offsets[:-1][linear]], pubo.coefs[linear])
    h = _quiet(highspy.Highs)  # no banner on the user's standard output
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)
    if left is not None:
        h.setOptionValue("time_limit", float(left))
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n, rows.n_rows
    lp.col_cost_, lp.col_lower_, lp.col_upper_ = c, np.zeros(n), np.ones(n)
    lp.row_lower_ = np.where(rows.eq, rows.rhs, -highspy.kHighsInf)
    lp.row_upper_ = rows.rhs
    lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    lp.a_matrix_.start_ = rows.offsets.astype(np.int32)
    lp.a_matrix_.index_ = rows.indices.astype(np.int32)
    lp.a_matrix_.value_ = rows.coefs.astype(np.float64)
    lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, rows.n_rows
    h.passModel(lp)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return (np.asarray(h.getSolution().col_value) >= 0.5).astype(np.float64)
