"""OPB, the pseudo-Boolean competition format: linear and non-linear PB objectives and constraints.

    * #variable= 3 #constraint= 2
    min: +2 x1 -1 x2 x3 ;
    +1 x1 +1 ~x2 >= 1 ;
    +1 x1 +1 x2 +1 x3 = 2 ;

A term is an integer coefficient followed by one or more literals (``x``, or ``~x`` for
1 - x); several literals are their product. Statements end with ``;``; lines starting with
``*`` are comments. Read as well (extensions other tools write): ``max:``, ``<=``, decimal
coefficients, a bare coefficient as an objective constant. Not supported (an error names the
line): weighted Boolean optimisation (``soft:``) and strict ``<``/``>``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import IO

import numpy as np

from ..core.expand import Expander
from ..core.expr import Poly
from ..core.problem import BinaryProblem
from ..errors import ModelError
from .text import read_parsed, write_text

Term = tuple[float, tuple[int, ...]]  # coefficient, literals: +k is variable k-1, -k its negation
OPERATORS = {">=": ">=", "=": "==", "<=": "<=", "==": "=="}
MAX_NEGATED = 16  # negated literals in one product term (it expands to 2^k monomials)
_HEADER = re.compile(r"#variable=\s*(\d+)")
_XNAME = re.compile(r"x(\d+)")


@dataclass
class OpbInstance:
    """An OPB file's content: variable names (index order), objective and constraints."""

    names: list[str] = field(default_factory=list)
    sense: str = "min"
    objective: list[Term] = field(default_factory=list)
    constraints: list[tuple[list[Term], str, float]] = field(default_factory=list)  # (terms, op, rhs)

    def to_problem(self, name: str = "opb") -> BinaryProblem:
        """The :class:`BinaryProblem` (negated literals expanded: ~x = 1 - x)."""
        problem = BinaryProblem(name)
        problem.add_binaries(self.names)
        problem.set_objective(_poly(self.objective, "the objective"), self.sense)
        for k, (terms, op, rhs) in enumerate(self.constraints):
            problem.add_constraint(_poly(terms, f"constraint c{k}"), op, rhs, f"c{k}")
        return problem


def parse_opb(text: str | IO[str], source: str = "<opb>") -> OpbInstance:
    """Parse OPB text (a string or a text stream); errors name ``source`` and the line."""
    lines = text.splitlines() if isinstance(text, str) else text
    declared = 0
    raw: list[tuple[int, str]] = []
    pending, start = [], 0
    for lineno, line in enumerate(lines, 1):
        s = line.strip()
        if not s:
            continue
        if s.startswith("*"):
            m = _HEADER.search(s)
            if m:
                declared = max(declared, int(m.group(1)))
            continue
        if not pending:
            start = lineno
        pending.append(s)
        if ";" in s:
            joined = " ".join(pending)
            parts = joined.split(";")
            for p in parts[:-1]:
                if p.strip():
                    raw.append((start, p))
            pending, start = ([parts[-1]], lineno) if parts[-1].strip() else ([], lineno)
    if pending and " ".join(pending).strip():
        raise ModelError(f"{source}:{start}: statement without a closing ';'")
    names: dict[str, int] = {}
    inst = OpbInstance()
    for i, (lineno, stmt) in enumerate(raw):
        where = f"{source}:{lineno}"
        head, colon, rest = stmt.partition(":")
        if colon and head.strip() in ("min", "max"):
            if i != 0:
                raise ModelError(f"{where}: the objective must be the first statement")
            inst.sense = head.strip()
            terms, op, rhs = _terms(rest.split(), names, where, objective=True)
            inst.objective = terms
            continue
        if colon and head.strip() == "soft":
            raise ModelError(f"{where}: weighted Boolean optimisation ('soft:') is not supported")
        terms, op, rhs = _terms(stmt.split(), names, where, objective=False)
        inst.constraints.append((terms, op, rhs))
    inst.names = _order_names(names, declared, inst)
    return inst


def _terms(tokens: list[str], names: dict[str, int], where: str,
           objective: bool) -> tuple[list[Term], str, float]:
    terms: list[Term] = []
    coef: float | None = None
    lits: list[int] = []
    sign = ""
    op, rhs = "", 0.0
    k = 0
    while k < len(tokens):
        tok = tokens[k]
        k += 1
        if tok in ("+", "-"):
            sign = tok
            continue
        if tok in OPERATORS or tok in ("<", ">"):
            if objective or tok in ("<", ">"):
                raise ModelError(f"{where}: unexpected {tok!r}" + ("" if objective else "; use >=, <= or ="))
            if k != len(tokens) - 1:
                raise ModelError(f"{where}: the right-hand side must be one number after {tok!r}")
            op, rhs = OPERATORS[tok], _number(tokens[k], where)
            k += 1
            continue
        if _is_number(sign + tok):
            if coef is not None:
                terms.append((coef, tuple(lits)))
            coef, lits, sign = _number(sign + tok, where), [], ""
            continue
        if coef is None:
            raise ModelError(f"{where}: term {tok!r} has no coefficient")
        neg = tok.startswith("~")
        name = tok[1:] if neg else tok
        if not name or not (name[0].isalpha() or name[0] == "_"):
            raise ModelError(f"{where}: {tok!r} is not a literal")
        index = names.setdefault(name, len(names)) + 1
        lits.append(-index if neg else index)
    if coef is not None:
        terms.append((coef, tuple(lits)))
    if not objective and not op:
        raise ModelError(f"{where}: constraint without a relational operator (>=, <= or =)")
    if not objective and any(not lits for _, lits in terms):
        raise ModelError(f"{where}: a constraint term has a coefficient but no literal")
    return terms, op, rhs


def _is_number(tok: str) -> bool:
    try:
        float(tok)
    except ValueError:
        return False
    return True


def _number(tok: str, where: str) -> float:
    try:
        value = float(tok)
    except ValueError:
        raise ModelError(f"{where}: {tok!r} is not a number") from None
    if not np.isfinite(value):
        raise ModelError(f"{where}: coefficient {tok!r} is not finite")
    return value


def _order_names(names: dict[str, int], declared: int, inst: OpbInstance) -> list[str]:
    """x1..xN in numeric order (N from the header or the largest used) when every name is x<k>;
    otherwise first-appearance order. Literals are renumbered to match."""
    numbers = [_XNAME.fullmatch(n) for n in names]
    if not all(numbers):
        return list(names)
    n = max([declared] + [int(m.group(1)) for m in numbers])  # type: ignore[union-attr]
    remap = {old + 1: int(m.group(1)) for m, old in zip(numbers, names.values())}  # type: ignore[union-attr]

    def fix(terms: list[Term]) -> list[Term]:
        return [(c, tuple(remap[abs(l)] * (1 if l > 0 else -1) for l in lits)) for c, lits in terms]

    inst.objective = fix(inst.objective)
    inst.constraints = [(fix(t), op, rhs) for t, op, rhs in inst.constraints]
    return [f"x{k}" for k in range(1, n + 1)]


def _poly(terms: list[Term], what: str) -> Poly:
    """Sum of coefficient * product of literals as a multilinear polynomial (~x = 1 - x)."""
    out: list[tuple[float, tuple[int, ...]]] = []
    const = 0.0
    for coef, lits in terms:
        pos = tuple(l - 1 for l in lits if l > 0)
        neg = [-l - 1 for l in lits if l < 0]
        if not neg:
            if pos:
                out.append((coef, pos))
            else:
                const += coef
            continue
        if len(neg) > MAX_NEGATED:
            raise ModelError(f"{what}: a term has {len(neg)} negated literals (at most {MAX_NEGATED})")
        for mask in range(1 << len(neg)):  # prod (1 - x_j) = sum over subsets S of (-1)^|S| prod_S x
            chosen = tuple(neg[j] for j in range(len(neg)) if mask >> j & 1)
            c = coef * (-1) ** len(chosen)
            if pos or chosen:
                out.append((c, pos + chosen))
            else:
                const += c
    return Poly.from_terms(out, const)


def read_opb(path: str) -> OpbInstance:
    """Read an OPB file (``.gz`` accepted: detected by its magic bytes)."""
    return read_parsed(path, parse_opb)


def format_opb(inst: OpbInstance) -> str:
    """OPB text of ``inst`` (names as they are; ``max:`` for a maximisation)."""
    def terms(ts: list[Term]) -> str:
        return " ".join(f"{_num(c, True)}" + "".join(
            f" {'~' if l < 0 else ''}{inst.names[abs(l) - 1]}" for l in lits) for c, lits in ts)

    inv = {"==": "=", ">=": ">=", "<=": "<="}
    out = [f"* #variable= {len(inst.names)} #constraint= {len(inst.constraints)}"]
    out.append(f"{inst.sense}: {terms(inst.objective)} ;".replace("  ", " "))
    out.extend(f"{terms(t)} {inv[op]} {_num(rhs, False)} ;" for t, op, rhs in inst.constraints)
    return "\n".join(out) + "\n"


def write_opb(inst: OpbInstance, path: str) -> None:
    """Write ``inst`` as OPB (gzip-compressed when ``path`` ends with ``.gz``)."""
    write_text(path, format_opb(inst))


def _num(value: float, signed: bool) -> str:
    text = str(int(value)) if float(value).is_integer() and abs(value) < 2**53 else repr(float(value))
    return ("+" + text) if signed and not text.startswith("-") else text


def from_problem(problem: BinaryProblem) -> OpbInstance:
    """An OPB instance of a polynomial problem over binaries (variables x1..xn in index order)."""
    ex = Expander(problem.n_binaries, 0, 10**8)
    names = [f"x{i + 1}" for i in range(problem.n_binaries)]

    def terms(expr: object, what: str) -> tuple[list[Term], float]:
        e = ex.expand(expr, what)  # type: ignore[arg-type]
        if not e.is_polynomial:
            raise ModelError(f"{what} is not a polynomial: OPB holds pseudo-Boolean polynomials only")
        p = e.poly
        return [(float(p.coefs[k]), tuple(int(i) + 1 for i in p.indices[p.offsets[k]:p.offsets[k + 1]]))
                for k in range(p.n_terms)], p.constant

    obj, const = terms(problem.objective, "the objective")
    if const:
        obj.append((const, ()))
    cons = []
    for con in problem.constraints:
        t, c = terms(con.body, f"constraint {con.name!r}")
        cons.append((t, con.sense, con.rhs - c))
    return OpbInstance(names, problem.sense, obj, cons)
