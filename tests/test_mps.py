"""The MPS reader (formats/mps.py): the same model as PuLP's own reader on PuLP-written files,
and the MPS conventions PuLP's reader lacks (RANGES, bound rules, fixed format, OBJNAME)."""

from __future__ import annotations

import gzip

import numpy as np
import pulp
import pytest

import models
from bipnn_backends.adapters.pulp import compat
from bipnn_backends.adapters.pulp.translate import translate
from bipnn_backends.core.evaluate import evaluate
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.errors import ModelError
from bipnn_backends.formats import read_mps
from bipnn_backends.formats.mps import parse_mps


# -- the reference: PuLP's reader, as the CLI used it before (OBJSENSE: coefficients as written) ------
def pulp_reference(path: str) -> BinaryProblem:
    text = open(path).read()
    objsense = "OBJSENSE" in text.split("ROWS", 1)[0]
    maximize = "OBJSENSE\n MAX" in text
    if objsense:
        lp = pulp.LpProblem.fromMPS(path, sense=pulp.LpMinimize)[1]
        if maximize:
            lp.sense = pulp.LpMaximize
    else:
        sense = pulp.LpMaximize if text.startswith("*SENSE:Maximize") else pulp.LpMinimize
        lp = pulp.LpProblem.fromMPS(path, sense=sense)[1]
    return translate(lp).problem


def column_part(p: BinaryProblem, linear) -> dict[str, float]:
    idx, coefs = linear
    out: dict[str, float] = {}
    for i, a in zip(idx.tolist(), coefs.tolist()):
        out[p.columns[i].name] = out.get(p.columns[i].name, 0.0) + a
    return {k: v for k, v in out.items() if v != 0}


def describe(p: BinaryProblem, X: np.ndarray) -> dict:
    """Everything that defines the problem, with bodies evaluated at the points X."""
    return {
        "binaries": p.n_binaries,
        "variables": [(v.name, v.kind, v.lb, v.ub, v.weights.tolist()) for v in p.variables if v.name != "__dummy"],
        "columns": [(c.name, c.kind, c.lb, c.ub) for c in p.columns],
        "sense": p.sense,
        "objective": (evaluate(p.objective, X).round(9).tolist(), column_part(p, p.objective_columns)),
        "rows": [(c.name, c.sense, (evaluate(c.body, X) - c.rhs).round(9).tolist(), column_part(p, c.columns))
                 for c in p.constraints],  # a constant may sit in the body or in the right-hand side
    }


@pytest.mark.parametrize("objsense", [True, False])
@pytest.mark.parametrize("name", sorted(models.MPS_ROUND_TRIP))
def test_same_model_as_pulps_reader(tmp_path, name, objsense):
    lp = models.MPS_ROUND_TRIP[name]()
    path = str(tmp_path / f"{name}.mps")
    lp.writeMPS(path, with_objsense=objsense)
    ours = read_mps(path, negated_max=compat.PULP4)
    ref = pulp_reference(path)
    assert ours.n_binaries == ref.n_binaries
    X = np.random.default_rng(0).integers(0, 2, (16, ref.n_binaries)).astype(float)
    assert describe(ours, X) == describe(ref, X)
    assert [v.key for v in ours.variables] == [v.name for v in ours.variables]  # keyed by PuLP's names


def test_gzip_and_free_rows_and_objective_constant(tmp_path):
    text = ("NAME  demo\nOBJSENSE\n    MAXIMIZE\nROWS\n N  cost\n N  spare\n L  cap\nCOLUMNS\n"
            "    MARKER  'MARKER'  'INTORG'\n    x  cost  2  cap  1\n    x  spare  9\n    y  cost  3  cap  1\n"
            "    MARKER  'MARKER'  'INTEND'\nRHS\n    RHS  cap  1  cost  -4\n    RHS  spare  5\nENDATA\n")
    path = tmp_path / "demo.mps.gz"
    path.write_bytes(gzip.compress(text.encode()))
    p = read_mps(str(path))
    assert p.name == "demo" and p.sense == "max"
    assert [(v.name, v.kind) for v in p.variables] == [("x", "binary"), ("y", "binary")]  # no bounds: binary
    X = np.array([[0, 0], [1, 0], [0, 1]], dtype=float)
    assert evaluate(p.objective, X).tolist() == [4.0, 6.0, 7.0]  # RHS on the objective: minus the constant
    assert [(c.name, c.sense, c.rhs) for c in p.constraints] == [("cap", "<=", 1.0)]


def test_objname_and_one_line_objsense():
    lines = ["OBJSENSE MIN", "OBJNAME second", "ROWS", " N first", " N second", " G r", "COLUMNS",
             " x first 5 second 1", " x r 1", "RHS", " r 1", "BOUNDS", " UP BND x 3", "ENDATA"]
    p = parse_mps(lines)
    assert p.sense == "min" and p.columns[0].name == "x" and p.columns[0].ub == 3
    assert column_part(p, p.objective_columns) == {"x": 1.0}


def test_free_format_data_lines_need_no_indent():
    lines = ["NAME flat", "ROWS", "N obj", "G r", "COLUMNS", "x obj 2 r 1", "y obj 3 r 1", "RHS", "rhs r 1",
             "BOUNDS", "UP bnd x 1", "UP bnd y 1", "ENDATA"]
    p = parse_mps(lines)
    assert [c.name for c in p.columns] == ["x", "y"] and [c.ub for c in p.columns] == [1.0, 1.0]
    assert [(c.name, c.sense, c.rhs) for c in p.constraints] == [("r", ">=", 1.0)]


def test_ranges_follow_the_mps_rules():
    lines = ["ROWS", " N obj", " L le", " G ge", " E eq_pos", " E eq_neg", " E eq_zero", "COLUMNS",
             " x obj 1 le 1", " x ge 1 eq_pos 1", " x eq_neg 1 eq_zero 1", "RHS",
             " RHS le 4 ge 1", " RHS eq_pos 2 eq_neg 2", " RHS eq_zero 3",
             "RANGES", " RNG le 3 ge -2", " RNG eq_pos 5 eq_neg -5", " RNG eq_zero 0",
             "BOUNDS", " FR BND x", "ENDATA"]
    p = parse_mps(lines)
    got = [(c.name, c.sense, c.rhs) for c in p.constraints]
    assert got == [("le", "<=", 4.0), ("le#range", ">=", 1.0), ("ge", ">=", 1.0), ("ge#range", "<=", 3.0),
                   ("eq_pos", ">=", 2.0), ("eq_pos#range", "<=", 7.0),
                   ("eq_neg", "<=", 2.0), ("eq_neg#range", ">=", -3.0), ("eq_zero", "==", 3.0)]


def test_bound_types_and_conventions(caplog):
    lines = ["ROWS", " N obj", " L c", "COLUMNS",
             " MARKER 'MARKER' 'INTORG'", " i_none obj 1", " i_up obj 1", " i_lo obj 1", " i_neg obj 1",
             " MARKER 'MARKER' 'INTEND'",
             " c_up c 1", " c_mi c 1", " c_pl c 1", " c_fx c 1", " c_big c 1", " li c 1", " ui c 1", " bv c 1",
             "RHS", " RHS c 1", "BOUNDS",
             " UP BND i_up 5", " LO BND i_lo 2", " UP BND i_neg -2",
             " UP BND c_up -1.5", " MI BND c_mi", " UP BND c_mi 4", " PL c_pl", " FX BND c_fx 2.5",
             " UP BND c_big 1e30", " LO BND c_big -1e31", " LI BND li -2", " UI BND li 2", " UI ui 6",
             " BV BND bv", " UP BND ghost 2.5", " LO BND ghost 1.5", "ENDATA"]
    p = parse_mps(lines)
    kinds = {v.name: (v.kind, v.lb, v.ub) for v in p.variables}
    cols = {c.name: (c.kind, c.lb, c.ub) for c in p.columns}
    inf = float("inf")
    assert kinds["i_none"] == ("binary", 0.0, 1.0)  # an integer without bounds is binary
    assert kinds["i_up"] == ("integer", 0.0, 5.0)
    assert cols["i_lo"] == ("integer", 2.0, inf)
    assert cols["i_neg"] == ("integer", -inf, -2.0)  # UP < 0 without LO: lower bound -inf
    assert cols["c_up"] == ("continuous", -inf, -1.5)
    assert cols["c_mi"] == ("continuous", -inf, 4.0)
    assert cols["c_pl"] == ("continuous", 0.0, inf)
    assert kinds["c_fx"] == ("fixed", 2.5, 2.5)
    assert cols["c_big"] == ("continuous", -inf, inf)  # 1e30 and beyond: infinite
    assert kinds["li"] == ("integer", -2.0, 2.0) and kinds["ui"] == ("integer", 0.0, 6.0)
    assert kinds["bv"] == ("binary", 0.0, 1.0)
    assert kinds["ghost"] == ("fixed", 2.0, 2.0)  # named only in BOUNDS: fixed, an integer in range
    assert "lower bound -inf" in caplog.text


def fixed_line(f1: str = "", f2: str = "", f3: str = "", f4: str = "", f5: str = "", f6: str = "") -> str:
    """A fixed-format data line: fields at columns 2-3, 5-12, 15-22, 25-36, 40-47, 50-61."""
    return f" {f1:<2} {f2:<8}  {f3:<8}  {f4:<12}   {f5:<8}  {f6:<12}".rstrip()


def test_fixed_format_with_spaces_in_names(tmp_path):
    lines = ["NAME          FIXED", "ROWS", fixed_line("N", "COST"), fixed_line("L", "LIM 1"), "COLUMNS",
             fixed_line("", "MARKER", "'MARKER'", "", "'INTORG'"),
             fixed_line("", "X ONE", "COST", "1.", "LIM 1", "1."),
             fixed_line("", "X TWO", "COST", "2.", "LIM 1", "1."),
             fixed_line("", "MARKER", "'MARKER'", "", "'INTEND'"),
             "RHS", fixed_line("", "RHS", "LIM 1", "1."),
             "BOUNDS", fixed_line("UP", "BND", "X TWO", "1."), "ENDATA"]
    path = tmp_path / "fixed.mps"
    path.write_text("\n".join(lines) + "\n")
    p = read_mps(str(path))
    assert p.name == "FIXED"
    assert [(v.name, v.kind) for v in p.variables] == [("X ONE", "binary"), ("X TWO", "binary")]
    assert [(c.name, c.sense, c.rhs) for c in p.constraints] == [("LIM 1", "<=", 1.0)]
    X = np.array([[1, 0], [0, 1]], dtype=float)
    assert evaluate(p.objective, X).tolist() == [1.0, 2.0]


@pytest.mark.parametrize("body, match", [
    ("ROWS\n N o\nCOLUMNS\n x nosuch 1\nENDATA\n", "line 4: column 'x' names the row 'nosuch'"),
    ("ROWS\n N o\nCOLUMNS\n x o abc\nENDATA\n", "line 4: the coefficient of column 'x' in row 'o': 'abc'"),
    ("ROWS\n N o\nCOLUMNS\n x o 1\nBOUNDS\n SC BND x 4\nENDATA\n", "semi-continuous"),
    ("ROWS\n N o\nCOLUMNS\n x o 1\nBOUNDS\n XX BND x 4\nENDATA\n", "unknown bound type 'XX'"),
    ("ROWS\n N o\nCOLUMNS\n x o 1\nSOS\n S1 SOS s1 1\nENDATA\n", "SOS constraints"),
    ("ROWS\n N o\nCOLUMNS\n x o 1\nQUADOBJ\n x x 1\nENDATA\n", "quadratic objective"),
    ("ROWS\n N o\n Q r\nCOLUMNS\n x o 1\nENDATA\n", "unknown type 'Q'"),
    ("OBJSENSE\n SIDEWAYS\nROWS\n N o\nCOLUMNS\n x o 1\nENDATA\n", "MAX or MIN"),
    ("ROWS\n N o\nCOLUMNS\nENDATA\n", "no variables"),
])
def test_errors_name_the_line_and_the_culprit(tmp_path, body, match):
    path = tmp_path / "bad.mps"
    path.write_text(body)
    with pytest.raises(ModelError, match=match):
        read_mps(str(path))
