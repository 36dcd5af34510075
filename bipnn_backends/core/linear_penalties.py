"""Linear constraints → penalty blocks, all rows at once.

A model with 100,000 linear rows must reformulate in about a second, so the
rows are not expanded one by one: their terms are merged (duplicates summed,
exact zeros dropped) with one sort over all nonzeros, and every row is
classified and weighted by :func:`~.penalties.analyse_rows` in one
vectorised pass. Rows with no variable left are constants, checked like any
other proof (with the verifier's tolerance plus room for rounding).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from ..errors import ModelError
from .evaluate import feasibility_tolerances
from .penalties import ACTIVE, INFEASIBLE, SENSE_CODES, analyse_rows, proof_slack, violation_amounts
from .problem import Constraint
from .pubo import LinearBlock

MAX_TOLERATED_SHARE = 0.9  # beyond this, tolerance-feasible points may pay too much (a heuristic then)


@dataclass
class PendingRow:
    """A linear constraint ``indices·coefs + constant  sense  rhs`` waiting for the batch."""

    position: int
    con: Constraint
    indices: np.ndarray
    coefs: np.ndarray
    constant: float


@dataclass
class LinearPenalties:
    blocks: list[LinearBlock]
    infeasible: list[tuple[int, str]]  # (constraint position, reason)


def linear_penalties(rows: list[PendingRow], n: int, tolerance: float, W: float,
                     invalid: Callable[[Constraint], None]) -> LinearPenalties:
    """Blocks ("eq", "le") for ``rows`` in their order, with weights W / pi raised so that what
    points feasible within the tolerance pay never adds up to a violation's cost (see
    :mod:`.reformulate`), and the rows proven infeasible. ``invalid(con)`` is called for a row
    with a non-finite number or an index outside 0..n-1 to raise the error that names it."""
    if not rows:
        return LinearPenalties([], [])
    lengths = np.fromiter((len(r.indices) for r in rows), np.int64, len(rows))
    idx = np.concatenate([np.asarray(r.indices, dtype=np.int64) for r in rows])
    coefs = np.concatenate([np.asarray(r.coefs, dtype=np.float64) for r in rows])
    constant = np.fromiter((r.constant for r in rows), np.float64, len(rows))
    row_of = np.repeat(np.arange(len(rows)), lengths)
    bad = ~np.isfinite(constant)
    bad[row_of[~np.isfinite(coefs) | (idx < 0) | (idx >= n)]] = True
    for k in np.nonzero(bad)[0]:
        invalid(rows[k].con)
        raise ModelError(f"constraint {rows[k].con.name!r} has a non-finite number or a variable index "
                         f"outside 0..{n - 1}")
    # merge equal variables within a row, drop exact zeros; indices end up sorted within rows
    width = max(n, 1)
    keys, inverse = np.unique(row_of * width + idx, return_inverse=True)
    merged = np.bincount(inverse.reshape(-1), weights=coefs, minlength=len(keys))
    keep = merged != 0
    keys, merged = keys[keep], merged[keep]
    row_of, idx = keys // width, keys % width
    lengths = np.bincount(row_of, minlength=len(rows))

    cons = [r.con for r in rows]
    con_rhs = np.fromiter((c.rhs for c in cons), np.float64, len(rows))
    sense = np.fromiter((SENSE_CODES[c.sense] for c in cons), np.int8, len(rows))
    tol = feasibility_tolerances(con_rhs, tolerance)
    rhs = con_rhs - constant
    infeasible = [(rows[k].position, _constant_false(rows[k], tol[k])) for k in np.nonzero(lengths == 0)[0]
                  if _constant_false(rows[k], tol[k])]

    live = np.nonzero(lengths > 0)[0]
    offsets = np.concatenate(([0], np.cumsum(lengths[live])))
    status = np.full(len(rows), -1, dtype=np.int8)
    pi, paid = np.zeros(len(rows)), np.zeros(len(rows))
    if len(live):
        analysis = analyse_rows(offsets, merged, rhs[live], sense[live], tol[live])
        status[live], pi[live], paid[live] = analysis.status, analysis.pi, analysis.paid
    infeasible += [(rows[k].position, f"constraint {rows[k].con.name!r}: no 0/1 assignment of its variables "
                    "satisfies it") for k in np.nonzero(status == INFEASIBLE)[0]]
    active = status == ACTIVE
    within = float((paid[active] / pi[active]).sum())
    factor = 1.0 / (1.0 - min(within, MAX_TOLERATED_SHARE))
    flip = np.where(sense == SENSE_CODES[">="], -1.0, 1.0)  # ">=" rows become "<=" rows
    entry_row = np.repeat(np.arange(len(rows)), lengths)
    blocks = []
    for kind, chosen in (("eq", active & (sense == SENSE_CODES["=="])), ("le", active & (sense != SENSE_CODES["=="]))):
        if not chosen.any():
            continue
        take = chosen[entry_row]
        sel = np.nonzero(chosen)[0]
        blocks.append(LinearBlock(kind, np.concatenate(([0], np.cumsum(lengths[sel]))), idx[take],
                                  merged[take] * flip[entry_row[take]], rhs[sel] * flip[sel],
                                  factor * W / pi[sel], [cons[k].name for k in sel]))
    return LinearPenalties(blocks, infeasible)


def _constant_false(row: PendingRow, tol: float) -> str:
    """The reason a constraint without variables is false, or ''."""
    con = row.con
    slack = proof_slack(abs(row.constant), abs(con.rhs))
    if violation_amounts(np.array([row.constant - con.rhs]), con.sense, tol + slack)[0] > 0:
        return f"constraint {con.name!r} is a constant {row.constant:g} {con.sense} {con.rhs:g}, which is false"
    return ""
