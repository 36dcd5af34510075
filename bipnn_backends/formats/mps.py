"""MPS, free and fixed, plain or gzip-compressed, read straight into the core's :class:`BinaryProblem`.

Variables are keyed by their MPS column names, the names PuLP's ``writeMPS`` writes
(``BIPNN_CMD`` maps the values back by them). Read, with the usual conventions of
CPLEX, CBC, SCIP and HiGHS:

- ``NAME``, ``OBJSENSE`` (``MAX``/``MAXIMIZE``/``MIN``/``MINIMIZE`` on the same or the next
  line), ``OBJNAME``, ``ROWS`` (N, L, G, E; the first N row is the objective unless
  ``OBJNAME`` names another, further N rows are free rows and ignored), ``COLUMNS`` with
  ``'MARKER'`` ``'INTORG'``/``'INTEND'`` integer blocks, ``RHS`` (on the objective row: minus
  the objective constant), ``RANGES`` (an L row ``[rhs - |R|, rhs]``, G ``[rhs, rhs + |R|]``,
  E ``[rhs, rhs + R]`` or ``[rhs + R, rhs]`` by the sign of R; the far side becomes a second
  constraint ``NAME#range``), ``BOUNDS`` (UP, LO, FX, FR, MI, PL, BV, LI, UI), ``ENDATA``.
  RHS/RANGES set names and BOUNDS set names may be left out.
- Default bounds [0, +inf); an integer column with no BOUNDS entry at all is binary; an UP
  bound below 0 on a column with no explicit lower bound makes the lower bound -inf.
  Magnitudes of 1e30 and above are infinite.
- A column named only in BOUNDS (PuLP writes a variable of the model that no constraint or
  objective uses this way) appears nowhere: it is fixed at the value in its bounds nearest
  to 0, an integer when the range holds one.
- Free MPS splits fields at whitespace (data lines need no indent: a line in column 1 is a
  header only when it starts with a section keyword); a file that fails so is read again by
  the fixed columns (fields at 2-3, 5-12, 15-22, 25-36, 40-47, 50-61), where names may hold
  spaces.
- Without ``OBJSENSE`` the sense is PuLP's ``*SENSE:Maximize`` first-line comment if there is
  one (``negated_max``: the coefficients are the negated objective, as PuLP 4 writes them),
  else minimisation.

Refused with a :class:`ModelError` naming the file, the line and the culprit: semi-continuous
bounds, SOS, quadratic and indicator sections, unknown rows or bound types, bad numbers.
"""

from __future__ import annotations

import logging
import math
import re
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from ..core.matrix import add_linear_rows, add_variables, row_expr
from ..core.problem import BinaryProblem, is_binary_range
from ..errors import ModelError
from .text import read_text, stem

log = logging.getLogger("bipnn_backends")

INFINITY = 1e30  # MPS's infinity: bounds of this magnitude or more are infinite
SECTIONS = {"NAME", "OBJSENSE", "OBJSENCE", "OBJNAME", "ROWS", "COLUMNS", "RHS", "RANGES", "BOUNDS", "ENDATA"}
UNSUPPORTED = {"SOS": "SOS constraints", "QUADOBJ": "a quadratic objective", "QMATRIX": "a quadratic objective",
               "QSECTION": "a quadratic objective", "QCMATRIX": "quadratic constraints",
               "INDICATORS": "indicator constraints", "LAZYCONS": "lazy constraints", "USERCUTS": "user cuts",
               "PWLOBJ": "a piecewise-linear objective", "GENERALS": "an LP-format section",
               "BINARIES": "an LP-format section"}
ROW_SENSES = {"L": "<=", "G": ">=", "E": "=="}
MARKERS = {"'MARKER'", "MARKER", "'marker'", "marker"}
VALUE_BOUNDS = {"UP", "LO", "FX", "LI", "UI", "SC"}
FLAG_BOUNDS = {"FR", "MI", "PL", "BV"}
BOUND_KINDS = (VALUE_BOUNDS - {"SC"}) | FLAG_BOUNDS
_OBJ, _FREE = -1, -2  # row ids of the objective and of further N rows
_HEADER_ROWS = re.compile(r"^ROWS\b", re.M)
_HEADER_COLUMNS = re.compile(r"^COLUMNS\b", re.M)


def read_mps(path: str, negated_max: bool = False) -> BinaryProblem:
    """The :class:`BinaryProblem` of the MPS file ``path`` (gzip-compressed or not, by content)."""
    if stem(path).endswith(".lp"):
        raise ModelError(f"{path}: the LP format is not read; write the model as MPS instead "
                         "(PuLP: prob.writeMPS('model.mps', with_objsense=True))")
    text = read_text(path, "an MPS model")
    if _HEADER_ROWS.search(text) is None or _HEADER_COLUMNS.search(text) is None:
        missing = [s for s, rx in (("ROWS", _HEADER_ROWS), ("COLUMNS", _HEADER_COLUMNS)) if rx.search(text) is None]
        what = "is empty" if not text.strip() else f"has no {' or '.join(missing)} section"
        raise ModelError(f"{path}: not an MPS model: the file {what}")
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    lines = text.splitlines()
    try:
        return parse_mps(lines, path, name, negated_max=negated_max)
    except ModelError as free_error:
        try:
            return parse_mps(lines, path, name, fixed=True, negated_max=negated_max)
        except ModelError:
            raise free_error from None


def _fixed_fields(line: str) -> list[str]:
    """The non-empty fields of a fixed-format data line (names may hold spaces)."""
    fields = (line[1:3], line[4:12], line[14:22], line[24:36], line[39:47], line[49:61])
    return [f.strip() for f in fields if f.strip()]


class _Reader:
    """The parse state of one file: rows, columns and their entries, bounds."""

    def __init__(self, source: str, fixed: bool) -> None:
        self.source, self.fixed = source, fixed
        self.lineno = 0
        self.name = ""
        self.maximize: bool | None = None
        self.obj_name: str | None = None
        self.row_id: dict[str, int] = {}
        self.has_objective = False
        self.row_names: list[str] = []
        self.row_kinds: list[str] = []
        self.col_id: dict[str, int] = {}
        self.col_names: list[str] = []
        self.integer: list[bool] = []
        self.in_columns: list[bool] = []  # False: named only in BOUNDS
        self.entry_rows: list[int] = []
        self.entry_cols: list[int] = []
        self.entry_vals: list[float] = []
        self.rhs: dict[int, float] = {}
        self.ranges: dict[int, float] = {}
        self.obj_constant = 0.0
        self.bounds: dict[int, list] = {}  # column -> [lb, ub, lb_set, integer]

    def error(self, message: str) -> ModelError:
        return ModelError(f"{self.source}, line {self.lineno}: {message}")

    def number(self, text: str, what: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise self.error(f"{what}: {text!r} is not a number") from None
        if math.isnan(value):
            raise self.error(f"{what} is NaN")
        return value

    def row(self, name: str, column: str | None = None) -> int:
        r = self.row_id.get(name)
        if r is None:
            where = f"column {column!r} names" if column is not None else "names"
            raise self.error(f"{where} the row {name!r}, which the ROWS section does not declare")
        return r

    def column(self, name: str, integer: bool, in_columns: bool) -> int:
        j = self.col_id.get(name)
        if j is None:
            j = self.col_id[name] = len(self.col_names)
            self.col_names.append(name)
            self.integer.append(integer)
            self.in_columns.append(in_columns)
        elif in_columns and not self.in_columns[j]:
            self.in_columns[j] = True
        return j


def parse_mps(lines: Sequence[str], source: str = "<mps>", name: str = "mps", fixed: bool = False,
              negated_max: bool = False) -> BinaryProblem:
    """Parse MPS lines (see the module docstring); errors name ``source`` and the line."""
    rd = _Reader(source, fixed)
    section = ""
    pending_sense = pending_objname = False
    sense_comment = lines[0].strip() if lines else ""
    i, end = 0, len(lines)
    while i < end:
        line = lines[i]
        i += 1
        if not line or line[0] == "*" or not line.strip():
            continue
        rd.lineno = i
        if _is_header(line, bool(section)):  # a section keyword in column 1
            words = line.split()
            head = words[0].upper()
            if head in UNSUPPORTED:
                raise rd.error(f"the {head} section ({UNSUPPORTED[head]}) is not supported")
            if head not in SECTIONS:
                raise rd.error(f"unknown section {words[0]!r}")
            section = head
            if head == "ENDATA":
                break
            if head == "NAME":
                rd.name = line[4:].strip() if fixed else " ".join(words[1:])
            elif head in ("OBJSENSE", "OBJSENCE"):
                pending_sense = len(words) == 1
                if len(words) > 1:
                    rd.maximize = _sense(rd, words[1])
            elif head == "OBJNAME":
                pending_objname = len(words) == 1
                if len(words) > 1:
                    rd.obj_name = words[1]
            elif head == "COLUMNS":
                i = _columns(rd, lines, i)  # the whole section at once: the bulk of the file
            continue
        fields = _fixed_fields(line) if fixed else line.split()
        if section in ("OBJSENSE", "OBJSENCE") and pending_sense:
            rd.maximize, pending_sense = _sense(rd, fields[0]), False
        elif section == "OBJNAME" and pending_objname:
            rd.obj_name, pending_objname = fields[0], False
        elif section == "ROWS":
            _row(rd, fields)
        elif section in ("RHS", "RANGES"):
            _rhs(rd, fields, section)
        elif section == "BOUNDS":
            _bound(rd, fields)
        else:
            raise rd.error(f"a data line outside any section: {line.strip()!r}")
    if not rd.col_names:
        raise ModelError(f"{source}: the model has no variables: there is nothing to solve")
    maximize = rd.maximize
    negate = False
    if maximize is None:
        maximize = sense_comment.replace(" ", "").lower() == "*sense:maximize"
        negate = maximize and negated_max
    return _problem(rd, rd.name or name, maximize, negate)


def _is_header(line: str, in_section: bool) -> bool:
    """A section header starts in column 1; inside a section a line there is data unless it is a
    section keyword with at most one word after it (free MPS does not require data lines to be
    indented: ``RHS r 1`` is data, ``RHS`` or ``RHS set`` a header)."""
    if line[0] in " \t":
        return False
    words = line.split(None, 2)
    head = words[0].upper()
    keyword = (head in SECTIONS or head in UNSUPPORTED) and (len(words) <= 2 or head == "NAME")
    return not in_section or keyword


def _sense(rd: _Reader, word: str) -> bool:
    w = word.upper()
    if w in ("MAX", "MAXIMIZE", "MAXIMISE"):
        return True
    if w in ("MIN", "MINIMIZE", "MINIMISE"):
        return False
    raise rd.error(f"OBJSENSE must be MAX or MIN, got {word!r}")


def _row(rd: _Reader, fields: list[str]) -> None:
    if len(fields) < 2:
        raise rd.error(f"a ROWS line needs a type and a name, got {' '.join(fields)!r}")
    kind, name = fields[0].upper(), fields[1]
    if name in rd.row_id:
        raise rd.error(f"row {name!r} is declared twice")
    if kind == "N":
        objective = name == rd.obj_name if rd.obj_name is not None else not rd.has_objective
        rd.row_id[name] = _OBJ if objective else _FREE
        rd.has_objective = rd.has_objective or objective
        return
    if kind not in ROW_SENSES:
        raise rd.error(f"row {name!r} has the unknown type {fields[0]!r} (N, L, G or E)")
    rd.row_id[name] = len(rd.row_names)
    rd.row_names.append(name)
    rd.row_kinds.append(kind)


def _columns(rd: _Reader, lines: Sequence[str], i: int) -> int:
    """Read the COLUMNS section from ``lines[i]`` on; returns the index of the next section's header."""
    row_id, col_id = rd.row_id, rd.col_id
    erows, ecols, evals = rd.entry_rows, rd.entry_cols, rd.entry_vals
    fixed, in_columns = rd.fixed, rd.in_columns
    integer = False
    last_name, j = None, -1
    end = len(lines)
    while i < end:
        line = lines[i]
        i += 1
        if not line or line[0] == "*":
            continue
        if line[0] not in " \t" and _is_header(line, True):
            return i - 1  # the next section: the caller reads it
        t = _fixed_fields(line) if fixed else line.split()
        n = len(t)
        if n == 3 or n == 5:
            if t[1] in MARKERS:
                rd.lineno = i
                mark = t[2].strip("'").upper()
                if mark not in ("INTORG", "INTEND"):
                    raise rd.error(f"unknown marker {t[2]!r} ('INTORG' or 'INTEND')")
                integer = mark == "INTORG"
                continue
        elif n == 0:
            continue
        elif n > 2 and t[1] in MARKERS:
            rd.lineno = i
            raise rd.error(f"a marker line needs 'INTORG' or 'INTEND', got {line.strip()!r}")
        else:
            rd.lineno = i
            raise rd.error(f"a COLUMNS line needs a column and one or two (row, value) pairs, got {line.strip()!r}")
        if t[0] != last_name:
            last_name = t[0]
            j = col_id.get(last_name, -1)
            if j < 0:
                rd.lineno = i
                j = rd.column(last_name, integer, True)
            elif not in_columns[j]:
                in_columns[j] = True
        for a in (1, 3) if n == 5 else (1,):  # one or two (row, value) pairs
            r = row_id.get(t[a])
            try:
                v = float(t[a + 1])
            except ValueError:
                v = None
            if r is None or v is None:
                rd.lineno = i
                r, v = rd.row(t[a], t[0]), rd.number(t[a + 1], f"the coefficient of column {t[0]!r} in row {t[a]!r}")
            if r != _FREE:
                erows.append(r)
                ecols.append(j)
                evals.append(v)
    return i


def _rhs(rd: _Reader, fields: list[str], section: str) -> None:
    pairs = fields[1:] if len(fields) % 2 else fields  # an odd count: a set name first
    if not pairs:
        raise rd.error(f"an empty {section} line")
    for k in range(0, len(pairs), 2):
        r = rd.row(pairs[k])
        value = rd.number(pairs[k + 1], f"the {section} value of row {pairs[k]!r}")
        if r == _FREE:
            continue
        if section == "RANGES":
            if r == _OBJ:
                continue  # a range on the objective means nothing
            rd.ranges[r] = value
        elif r == _OBJ:
            rd.obj_constant = -value
        else:
            rd.rhs[r] = value


def _bound(rd: _Reader, fields: list[str]) -> None:
    kind, n = fields[0], len(fields)
    if kind not in BOUND_KINDS:
        kind = kind.upper()
        if kind == "SC":
            raise rd.error(f"semi-continuous bounds (SC) are not supported: column {fields[n - 2]!r}")
        if kind not in BOUND_KINDS:
            raise rd.error(f"unknown bound type {fields[0]!r} (UP, LO, FX, FR, MI, PL, BV, LI or UI)")
    text = None
    if kind in FLAG_BOUNDS:
        if n == 3:  # (type, set, column) or (type, column, value)
            col = fields[2] if fields[2] in rd.col_id or fields[1] not in rd.col_id else fields[1]
        elif n == 2 or n == 4:
            col = fields[n // 2]
        else:
            raise rd.error(f"a {kind} bound needs a column, got {' '.join(fields)!r}")
    elif n == 3 or n == 4:
        col, text = fields[n - 2], fields[n - 1]
    else:
        raise rd.error(f"a {kind} bound needs a column and a value, got {' '.join(fields)!r}")
    j = rd.col_id.get(col)
    if j is None:
        j = rd.column(col, False, False)
    b = rd.bounds.get(j)
    if b is None:
        b = rd.bounds[j] = [0.0, math.inf, False, False]
    if kind == "BV":
        b[0], b[1], b[2], b[3] = 0.0, 1.0, True, True
        return
    value = 0.0 if text is None else _infinite(rd.number(text, f"the {kind} bound of column {col!r}"))
    if kind == "UP" or kind == "UI":
        b[1] = value
        if value < 0 and b[0] == 0 and not b[2]:
            b[0] = -math.inf
            log.warning("%s, line %d: column %r has the upper bound %g and no lower bound: lower bound -inf "
                        "(the MPS convention)", rd.source, rd.lineno, col, value)
    elif kind == "LO" or kind == "LI":
        b[0], b[2] = value, True
    elif kind == "FX":
        b[0], b[1], b[2] = value, value, True
    elif kind == "FR":
        b[0], b[1], b[2] = -math.inf, math.inf, True
    elif kind == "MI":
        b[0], b[2] = -math.inf, True
    else:  # PL
        b[1] = math.inf
    if kind == "LI" or kind == "UI":
        b[3] = True


def _infinite(value: float) -> float:
    if value >= INFINITY:
        return math.inf
    if value <= -INFINITY:
        return -math.inf
    return value


def _unused_value(lb: float, ub: float) -> float:
    """The value in [lb, ub] nearest to 0, an integer when the range holds one."""
    v = min(max(0.0, lb), ub)
    if not math.isfinite(v):
        return v
    k = math.ceil(v - 1e-9) if v > 0 else math.floor(v + 1e-9)
    return float(k) if lb - 1e-9 <= k <= ub + 1e-9 else v


def _problem(rd: _Reader, name: str, maximize: bool, negate: bool) -> BinaryProblem:
    n, R = len(rd.col_names), len(rd.row_names)
    integer = np.array(rd.integer, dtype=bool)
    lb, ub = np.zeros(n), np.full(n, math.inf)
    has_bound = np.zeros(n, dtype=bool)
    for j, (lo, hi, _, as_int) in rd.bounds.items():
        lb[j], ub[j], has_bound[j] = lo, hi, True
        integer[j] |= as_int
    ub[integer & ~has_bound] = 1.0  # an integer column without bounds is binary
    kinds = np.where(integer, "i", "c").astype(object)
    unused = ~np.array(rd.in_columns, dtype=bool)
    kinds[integer & (lb == 0) & (ub == 1)] = "b"  # the common case, vectorised; then the general rule
    for j in np.flatnonzero(integer & ((lb != 0) | (ub != 1)) & np.isfinite(lb) & np.isfinite(ub)):
        if is_binary_range(lb[j], ub[j]):
            kinds[j] = "b"
    for j in np.flatnonzero(unused):
        if lb[j] <= ub[j]:
            kinds[j], lb[j] = "f", _unused_value(lb[j], ub[j])
    problem = BinaryProblem(name=name)
    mv = add_variables(problem, rd.col_names, kinds, lb, ub)

    rows = np.array(rd.entry_rows, dtype=np.int64)
    cols = np.array(rd.entry_cols, dtype=np.int64)
    vals = np.array(rd.entry_vals, dtype=np.float64)
    if not np.isfinite(vals).all():
        k = int(np.flatnonzero(~np.isfinite(vals))[0])
        row = "the objective" if rows[k] == _OBJ else f"row {rd.row_names[rows[k]]!r}"
        raise ModelError(f"{rd.source}: column {rd.col_names[cols[k]]!r} has the coefficient {vals[k]} in {row}")
    obj = rows == _OBJ
    c = sp.csr_array((vals[obj], (np.zeros(int(obj.sum()), dtype=np.int64), cols[obj])), shape=(1, n))
    A = sp.csr_array((vals[~obj], (rows[~obj], cols[~obj])), shape=(R, n))
    cb, cm, cc = mv.linear(c)
    sign = -1.0 if negate else 1.0
    problem.set_objective(row_expr(sign * cb, 0, sign * (float(cm[0]) + rd.obj_constant), sign * cc),
                          "max" if maximize else "min")

    order, senses, rhs, names = [], [], [], []
    for r, kind in enumerate(rd.row_kinds):
        b = rd.rhs.get(r, 0.0)
        order.append(r)
        names.append(rd.row_names[r])
        if r not in rd.ranges:
            senses.append(ROW_SENSES[kind])
            rhs.append(b)
            continue
        R_ = rd.ranges[r]
        if kind == "E" and R_ == 0:
            senses.append("==")
            rhs.append(b)
            continue
        if kind == "L" or (kind == "E" and R_ < 0):
            senses.append("<=")
            rhs.append(b)
            far = (">=", b - abs(R_))
        else:
            senses.append(">=")
            rhs.append(b)
            far = ("<=", b + abs(R_))
        order.append(r)
        names.append(f"{rd.row_names[r]}#range")
        senses.append(far[0])
        rhs.append(far[1])
    if order:
        Ab, am, Ac = mv.linear(A[np.array(order, dtype=np.int64)])
        add_linear_rows(problem, Ab, am, senses, np.array(rhs), names, Ac)
    return problem
