"""WCNF, weighted (partial) MaxSAT: minimise the total weight of the falsified soft clauses
subject to every hard clause.

    c the 2022 format: "h" marks a hard clause, a number is a soft clause's weight
    h 1 2 0
    3 -1 0
    5 -2 -3 0

The pre-2022 format (``p wcnf NVARS NCLAUSES TOP``, then ``WEIGHT lits... 0``, a weight of
TOP or more marking a hard clause) is read as well. Literals are non-zero integers: ``k`` is
variable ``xk``, ``-k`` its negation; each clause ends with ``0``; ``c`` lines are comments.

As a binary program: hard clauses are linear constraints (sum of literal values >= 1); a soft
clause with at most ``POLY_LIMIT`` positive literals adds weight * (its falsification
polynomial, prod(1 - x) * prod(x)) to the objective, exactly and without new variables; a
longer one gets a relaxation variable ``soft<j>`` (1 when the clause may be falsified) in the
clause's constraint and weight * soft<j> in the objective. The objective is the MaxSAT cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

from ..core.expr import Poly
from ..core.problem import BinaryProblem
from ..errors import ModelError
from .text import read_parsed, write_text

Clause = tuple[int, ...]
POLY_LIMIT = 6  # positive literals in a soft clause expanded as a polynomial (2^k monomials)


@dataclass
class WcnfInstance:
    """Variables x1..x``n_vars``, hard clauses, and (weight, clause) soft clauses."""

    n_vars: int = 0
    hard: list[Clause] = field(default_factory=list)
    soft: list[tuple[float, Clause]] = field(default_factory=list)

    def to_problem(self, name: str = "wcnf") -> BinaryProblem:
        """The :class:`BinaryProblem` (see the module docstring); tautologies are dropped."""
        problem = BinaryProblem(name)
        problem.add_binaries([f"x{k}" for k in range(1, self.n_vars + 1)])
        terms: list[tuple[float, tuple[int, ...]]] = []
        const = 0.0
        for k, clause in enumerate(self.hard):
            lits = _clean(clause)
            if lits is not None:
                problem.add_constraint(_clause_sum(lits), ">=", 1.0, f"h{k}")
        for j, (w, clause) in enumerate(self.soft):
            lits = _clean(clause)
            if lits is None or w == 0:
                continue
            pos = [l - 1 for l in lits if l > 0]
            neg = tuple(-l - 1 for l in lits if l < 0)
            if len(pos) <= POLY_LIMIT:
                for mask in range(1 << len(pos)):  # prod (1 - x_p) * prod x_n
                    chosen = tuple(pos[i] for i in range(len(pos)) if mask >> i & 1)
                    c = w * (-1) ** len(chosen)
                    if chosen or neg:
                        terms.append((c, chosen + neg))
                    else:
                        const += c
            else:
                relax = problem.add_binary(f"soft{j}")
                terms.append((w, (relax.index,)))
                problem.add_constraint(_clause_sum(lits) + relax, ">=", 1.0, f"s{j}")
        problem.set_objective(Poly.from_terms(terms, const), "min")
        return problem


def _clean(clause: Clause) -> Clause | None:
    """Distinct literals in order; None for a tautology (x or not x)."""
    seen = list(dict.fromkeys(clause))
    s = set(seen)
    return None if any(-l in s for l in seen) else tuple(seen)


def _clause_sum(lits: Clause) -> Poly:
    """sum of the literal values: x for k, 1 - x for -k."""
    neg = sum(1 for l in lits if l < 0)
    return Poly.linear([abs(l) - 1 for l in lits], [1.0 if l > 0 else -1.0 for l in lits], float(neg))


def parse_wcnf(text: str | IO[str], source: str = "<wcnf>") -> WcnfInstance:
    """Parse WCNF text (either format); errors name ``source`` and the line."""
    lines = text.splitlines() if isinstance(text, str) else text
    inst = WcnfInstance()
    top: float | None = None
    declared, plain = 0, False
    for lineno, line in enumerate(lines, 1):
        tokens = line.split()
        if not tokens or tokens[0].startswith("c"):
            continue
        where = f"{source}:{lineno}"
        if tokens[0] == "p":
            if len(tokens) < 4 or tokens[1] not in ("wcnf", "cnf"):
                raise ModelError(f"{where}: expected 'p wcnf NVARS NCLAUSES [TOP]', got {line.strip()!r}")
            declared = _int(tokens[2], where)
            if tokens[1] == "wcnf" and len(tokens) >= 5:
                top = _weight(tokens[4], where)
            plain = tokens[1] == "cnf"
            continue
        hard = tokens[0] == "h"
        if hard:
            weight = None
            lits = tokens[1:]
        elif plain:
            weight, lits = 1.0, tokens
        else:
            weight, lits = _weight(tokens[0], where), tokens[1:]
            if top is not None and weight >= top:
                hard, weight = True, None
        if not lits or lits[-1] != "0":
            raise ModelError(f"{where}: a clause must end with 0")
        clause = tuple(_int(t, where) for t in lits[:-1])
        if any(l == 0 for l in clause):
            raise ModelError(f"{where}: 0 inside a clause (one clause per line)")
        if clause:
            inst.n_vars = max(inst.n_vars, max(abs(l) for l in clause))
        if hard:
            inst.hard.append(clause)
        else:
            inst.soft.append((weight, clause))  # type: ignore[arg-type]
    inst.n_vars = max(inst.n_vars, declared)
    return inst


def _int(tok: str, where: str) -> int:
    try:
        return int(tok)
    except ValueError:
        raise ModelError(f"{where}: {tok!r} is not an integer literal") from None


def _weight(tok: str, where: str) -> float:
    try:
        w = float(tok)
    except ValueError:
        raise ModelError(f"{where}: {tok!r} is not a clause weight") from None
    if not w >= 0 or w == float("inf"):
        raise ModelError(f"{where}: clause weight {tok!r} must be a finite non-negative number")
    return w


def read_wcnf(path: str) -> WcnfInstance:
    """Read a WCNF file (``.gz`` accepted: detected by its magic bytes)."""
    return read_parsed(path, parse_wcnf)


def format_wcnf(inst: WcnfInstance, old: bool = False) -> str:
    """WCNF text of ``inst``: the 2022 format, or with ``old`` the ``p wcnf`` header with TOP."""
    def num(w: float) -> str:
        return str(int(w)) if float(w).is_integer() else repr(float(w))

    def lits(c: Clause) -> str:
        return " ".join(map(str, c + (0,)))

    if old:
        top = num(sum(w for w, _ in inst.soft) + 1)
        out = [f"p wcnf {inst.n_vars} {len(inst.hard) + len(inst.soft)} {top}"]
        out += [f"{top} {lits(c)}" for c in inst.hard]
    else:
        out = [f"c {inst.n_vars} variables, {len(inst.hard)} hard and {len(inst.soft)} soft clauses"]
        out += [f"h {lits(c)}" for c in inst.hard]
    out += [f"{num(w)} {lits(c)}" for w, c in inst.soft]
    return "\n".join(out) + "\n"


def write_wcnf(inst: WcnfInstance, path: str, old: bool = False) -> None:
    """Write ``inst`` as WCNF (gzip-compressed when ``path`` ends with ``.gz``)."""
    write_text(path, format_wcnf(inst, old))
