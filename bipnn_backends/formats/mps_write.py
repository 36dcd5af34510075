"""Free MPS written straight from a :class:`BinaryProblem` whose objective and constraints are
linear in its user-level variables (a PuLP model, an MPS model read back), in O(nonzeros) numpy
work plus one formatted line per nonzero.

``BIPNN_CMD`` writes its model file with it from the translation it already holds, instead of
PuLP's ``writeMPS`` (which walks the model a second time in Python). The file is standard free
MPS that :func:`~.mps.read_mps`, HiGHS and SCIP read back as the same model (tests/test_mps_write.py):

- ``NAME``, ``OBJSENSE`` (``MAX`` or ``MIN``), one ``N`` objective row, ``L``/``G``/``E`` rows
  in the problem's constraint order, the objective constant as minus the ``RHS`` of the
  objective row.
- One column per user-level variable: binaries and bounded integers (and, unless relaxed,
  integers without finite bounds) inside one ``'MARKER'`` ``'INTORG'`` block first, then the
  continuous and fixed ones, each group in key order when the keys are integers (PuLP's
  positions), else in the problem's order. A column with no nonzero gets a zero objective
  entry so that every reader declares it.
- Bounds written out for every integer column (``BV`` for a binary, since readers differ on
  an integer column without bounds), ``FX`` for a fixed variable, ``LO``/``UP``/``MI``/``FR``
  for the rest; an integer whose range holds no integer keeps its original bounds (the model
  stays infeasible for every reader).
- Coefficients as Python's shortest round-trip ``repr``: nothing is rounded.
- The user's names when every name is a valid free-MPS name (non-empty, no whitespace, not
  starting with ``*``, unique, no ``MARKER`` row), else ``C<i>`` for all columns (``R<i>``
  for all rows): :func:`write_mps` returns the name of each key's column, so values are
  mapped back by key, never by a name the user gave.

An integer variable's binaries carry its coefficient times their encoding weights; a problem
whose rows are not of that form (a nonlinear term, bits with unrelated coefficients) is
refused with a :class:`ModelError` naming the row.
"""

from __future__ import annotations

import re
from typing import Hashable

import numpy as np
import scipy.sparse as sp

from ..core.linear_system import linear_parts, linear_system
from ..core.problem import BinaryProblem
from ..errors import ModelError

_SENSE_ROW = np.array(["L", "G", "E"])  # linear_system's sense codes 0 "<=", 1 ">=", 2 "=="
_SPACE = re.compile(r"[^\S\n]")  # whitespace but the separator of the joined names
_MARKER_NAMES = {"MARKER", "'MARKER'", "marker", "'marker'"}
_RATIO_RTOL = 1e-9  # an integer's bits: coefficient / weight equal within this (the last weight is not a power of 2)


def write_mps(problem: BinaryProblem, path: str) -> dict[Hashable, str]:
    """Write ``problem`` to ``path`` as free MPS; returns each variable's key -> its column name."""
    cols = _Cols(problem)
    A, const, rhs, sense = _rows(problem, cols)
    n = len(cols.keys)
    col_names = cols.names if _valid_names(cols.names) else [f"C{i}" for i in range(n)]
    con_names = [c.name for c in problem.constraints]
    row_names = con_names if _valid_names(con_names) and not _MARKER_NAMES & set(con_names) else \
        [f"R{i}" for i in range(len(con_names))]
    text = _text(problem, cols, col_names, row_names, obj_name=_fresh("OBJ", set(row_names)), A=A, const=const,
                 rhs=rhs, sense=sense)
    with open(path, "w") as f:  # only once the whole text stands: a refused model leaves no file
        f.write(text)
    return dict(zip(cols.keys, col_names))


class _Cols:
    """The user-level variables as MPS columns, in file order (integers first)."""

    def __init__(self, problem: BinaryProblem) -> None:
        vs, cs = problem.variables, problem.columns
        n_vars, n = len(vs), len(vs) + len(cs)
        keys = [v.key for v in vs] + [c.key for c in cs]
        names = [v.name for v in vs] + [c.name for c in cs]
        kind = np.array([v.kind[0] for v in vs] + ["c"] * len(cs), dtype="<U1")  # b, i, f (fixed), c (column)
        lb = np.fromiter((v.lb for v in (*vs, *cs)), np.float64, n)
        ub = np.fromiter((v.ub for v in (*vs, *cs)), np.float64, n)
        integer = np.concatenate([(kind[:n_vars] == "b") | (kind[:n_vars] == "i"),
                                  np.array([c.kind == "integer" for c in cs], dtype=bool)])
        for name, lo, hi in problem.empty_ranges:  # an integer with no integer in its range: its own bounds
            i = next(i for i, v in enumerate(vs) if v.kind == "fixed" and v.name == name)
            kind[i], lb[i], ub[i], integer[i] = "i", lo, hi, True
        ranks = _int_keys(keys)
        order = np.lexsort((ranks, ~integer)) if ranks is not None else np.argsort(~integer, kind="stable")
        self.keys = [keys[i] for i in order.tolist()]
        self.names = [names[i] for i in order.tolist()]
        self.kind, self.lb, self.ub, self.integer = kind[order], lb[order], ub[order], integer[order]
        position = np.empty(n, dtype=np.int64)
        position[order] = np.arange(n)
        self.of_variable = position[:n_vars]  # problem.variables[i] -> file column
        self.of_column = position[n_vars:]  # problem.columns[c] -> file column


def _int_keys(keys: list[Hashable]) -> np.ndarray | None:
    """The keys as an integer array when they all are integers (a host's positions), else None."""
    try:
        arr = np.array(keys)
    except (ValueError, TypeError):
        return None
    return arr if arr.ndim == 1 and arr.dtype.kind in "iu" else None


def _rows(problem: BinaryProblem, cols: _Cols) -> tuple[sp.csc_array, np.ndarray, np.ndarray, np.ndarray]:
    """(A over the file's columns with row 0 the objective, constants, right-hand sides, sense codes)."""
    system = linear_system(problem)
    if len(system.others):
        con = problem.constraints[int(system.others[0])]
        raise ModelError(f"constraint {con.name!r} is not linear: it cannot be written as MPS")
    obj = linear_parts(problem.objective)
    if obj is None:
        raise ModelError("the objective is not linear: it cannot be written as MPS")
    n_bin = problem.n_binaries
    obj_idx = np.concatenate(obj.indices).astype(np.int64) if obj.indices else np.zeros(0, np.int64)
    obj_val = np.concatenate(obj.coefs).astype(np.float64) if obj.coefs else np.zeros(0)
    rows_of = sp.csr_array((obj_val, obj_idx, np.array([0, len(obj_idx)])), shape=(1, n_bin))
    B = sp.csr_array(sp.vstack([rows_of, sp.csr_array(system.A)], format="csr"))
    B.sum_duplicates()  # sorted indices: an integer's bits are adjacent in each row
    what = ["the objective"] + [f"constraint {problem.constraints[int(k)].name!r}" for k in system.rows]
    entry_row = np.repeat(np.arange(B.shape[0], dtype=np.int64), np.diff(B.indptr))
    Cb, shift = _user_level(problem, cols, B, entry_row, what)

    # the column (continuous) parts, by file column
    parts = [problem.objective_columns] + [problem.constraints[int(k)].columns for k in system.rows]
    c_rows = np.concatenate([np.full(len(idx), r, dtype=np.int64) for r, (idx, _) in enumerate(parts)])
    c_cols = np.concatenate([cols.of_column[np.asarray(idx, dtype=np.int64)] for idx, _ in parts])
    c_vals = np.concatenate([np.asarray(val, dtype=np.float64) for _, val in parts])
    shape = (B.shape[0], len(cols.keys))
    Cc = sp.coo_array((c_vals, (c_rows, c_cols)), shape=shape)
    A = sp.csc_array(sp.coo_array(Cb, shape=shape).tocsr() + Cc.tocsr())
    A.sum_duplicates()
    const = np.concatenate([[obj.constant], system.const]) - shift
    return A, const, np.concatenate([[0.0], system.rhs]), system.sense


def _user_level(problem: BinaryProblem, cols: _Cols, B: sp.csr_array, entry_row: np.ndarray,
                what: list[str]) -> tuple[sp.coo_array, np.ndarray]:
    """Rows over binaries -> rows over the file's columns (an integer's coefficient is the one of
    its first bit divided by that bit's weight), and per row ``sum c_u * lb_u`` over integers
    (their offsets, which the rows' constants include)."""
    enc = problem.encoding()
    lengths = np.diff(enc.ptr)
    owner = np.full(problem.n_binaries, -1, dtype=np.int64)  # binary -> problem.variables position
    weight = np.ones(problem.n_binaries)
    first = np.zeros(problem.n_binaries, dtype=bool)
    owner[enc.indices] = np.repeat(np.arange(len(lengths)), lengths)
    weight[enc.indices] = enc.weights
    first[enc.indices[enc.ptr[:-1][lengths > 0]]] = True
    b = B.indices
    ratio = B.data / weight[b]
    rest = np.flatnonzero(~first[b])
    if len(rest):  # a later bit: the previous entry is the bit before it, in the same row, same ratio
        prev = rest - 1
        ok = (prev >= 0) & (entry_row[np.maximum(prev, 0)] == entry_row[rest]) & \
             (b[np.maximum(prev, 0)] == b[rest] - 1)
        ok &= np.isclose(ratio[np.maximum(prev, 0)], ratio[rest], rtol=_RATIO_RTOL, atol=0.0)
        if not ok.all():
            k = rest[int(np.flatnonzero(~ok)[0])]
            v = problem.variables[int(owner[b[k]])]
            raise ModelError(f"{what[int(entry_row[k])]} is not linear in variable {v.name!r}: the bits of its "
                             "binary encoding have unrelated coefficients; it cannot be written as MPS")
    keep = first[b]
    u = owner[b[keep]]
    c = ratio[keep]
    r = entry_row[keep]
    shift = np.bincount(r, c * enc.offsets[u], minlength=B.shape[0])
    return sp.coo_array((c, (r, cols.of_variable[u])), shape=(B.shape[0], len(cols.keys))), shift


def _valid_names(names: list[str]) -> bool:
    """Every name a free-MPS field: non-empty, no whitespace, not a comment (``*``), all distinct."""
    text = "\n".join(names)
    return (len(set(names)) == len(names) and _SPACE.search(text) is None and text.count("\n") == len(names) - 1
            and not text.startswith(("*", "\n")) and "\n*" not in text and "\n\n" not in text
            and not text.endswith("\n"))


def _fresh(name: str, taken: set[str]) -> str:
    k, out = 0, name
    while out in taken:
        k += 1
        out = f"{name}_{k}"
    return out


def _num(values: np.ndarray) -> list[str]:
    """Each value as its shortest round-trip text; formatted once per distinct value."""
    uniq, inverse = np.unique(values, return_inverse=True)
    return np.array([repr(v) for v in uniq.tolist()], dtype=object)[inverse.ravel()].tolist()


def _text(problem: BinaryProblem, cols: _Cols, col_names: list[str], row_names: list[str], obj_name: str,
          A: sp.csc_array, const: np.ndarray, rhs: np.ndarray, sense: np.ndarray) -> str:
    name = re.sub(r"\s+", "_", problem.name.strip()) or "model"
    out = [f"NAME {name}\nOBJSENSE\n    {'MAX' if problem.sense == 'max' else 'MIN'}\nROWS\n N  {obj_name}\n"]
    kinds = _SENSE_ROW[sense.astype(np.int64)]
    out.extend(f" {k}  {r}\n" for k, r in zip(kinds.tolist(), row_names))
    out.append("COLUMNS\n")

    # every column declared: one with no entry gets a zero objective entry
    n = len(col_names)
    empty = np.flatnonzero(np.diff(A.indptr) == 0)
    if len(empty):
        A = _with_zeros(A, empty)
    entry_col = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr))
    rnames = np.array([obj_name] + row_names, dtype=object)[A.indices]
    cnames = np.array(col_names, dtype=object)[entry_col]
    lines = [f"    {c}  {r}  {v}\n" for c, r, v in zip(cnames.tolist(), rnames.tolist(), _num(A.data))]
    n_int = int(cols.integer.sum())
    if n_int:
        split = int(A.indptr[n_int])
        out.append("    MARKER  'MARKER'  'INTORG'\n")
        out.extend(lines[:split])
        out.append("    MARKER  'MARKER'  'INTEND'\n")
        out.extend(lines[split:])
    else:
        out.extend(lines)

    b = rhs - const
    b[0] = -const[0]  # the objective's RHS is minus its constant
    nz = np.flatnonzero(b != 0)
    out.append("RHS\n")
    out.extend(f"    RHS  {r}  {v}\n" for r, v in zip(np.array([obj_name] + row_names, dtype=object)[nz].tolist(),
                                                     _num(b[nz])))
    out.append("BOUNDS\n")
    out.extend(_bounds(cols, np.array(col_names, dtype=object)))
    out.append("ENDATA\n")
    return "".join(out)


def _with_zeros(A: sp.csc_array, empty: np.ndarray) -> sp.csc_array:
    """``A`` with an explicit zero in the objective row (row 0) of each column in ``empty``."""
    counts = np.diff(A.indptr)
    counts[empty] += 1
    indptr = np.zeros(len(counts) + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    indices = np.zeros(int(indptr[-1]), dtype=np.int64)
    data = np.zeros(int(indptr[-1]))
    filled = np.ones(len(indices), dtype=bool)
    filled[indptr[empty]] = False  # the new zero entry (objective row 0) comes first in its column
    indices[filled], data[filled] = A.indices, A.data
    return sp.csc_array((data, indices, indptr), shape=A.shape)


def _bounds(cols: _Cols, names: np.ndarray) -> list[str]:
    """Bound lines, grouped by type (each column's LO before its UP)."""
    kind, lb, ub, integer = cols.kind, cols.lb, cols.ub, cols.integer
    lines: list[str] = []

    def add(tag: str, mask: np.ndarray, values: np.ndarray | None = None) -> None:
        idx = np.flatnonzero(mask)
        if values is None:
            lines.extend(f" {tag} BND  {s}\n" for s in names[idx].tolist())
        else:
            lines.extend(f" {tag} BND  {s}  {v}\n" for s, v in zip(names[idx].tolist(), _num(values[idx])))

    binary = kind == "b"
    fixed = kind == "f"
    rest = ~binary & ~fixed
    lo_inf, hi_inf = np.isneginf(lb), np.isposinf(ub)
    add("BV", binary)
    add("FX", fixed, lb)
    add("FR", rest & lo_inf & hi_inf)
    add("MI", rest & lo_inf & ~hi_inf)
    # an explicit LO for an integer (else a bound-less integer column reads as binary) or a nonzero lb
    add("LO", rest & ~lo_inf & ((lb != 0) | integer | (ub < 0)), lb)
    add("UP", rest & ~hi_inf & ~np.isneginf(ub), ub)
    bad = rest & (np.isneginf(ub) | np.isposinf(lb))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ModelError(f"variable {cols.names[i]!r} has the bounds ({lb[i]}, {ub[i]}): it cannot be written as MPS")
    return lines


__all__ = ["write_mps"]
