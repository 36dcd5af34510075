"""Model files read straight into the core's :class:`BinaryProblem`: OPB (pseudo-Boolean),
WCNF (weighted MaxSAT) and MPS (:mod:`.mps`), plain or gzip-compressed; the CLI's solution document
(:mod:`.solution`). See docs/extras.md
and docs/cli.md."""

from __future__ import annotations

from ..core.problem import BinaryProblem
from .mps import read_mps
from .opb import OpbInstance, read_opb, write_opb
from .text import stem
from .wcnf import WcnfInstance, read_wcnf, write_wcnf

EXTENSIONS = (".opb", ".wcnf", ".cnf")

__all__ = ["OpbInstance", "WcnfInstance", "read_mps", "read_opb", "read_wcnf", "write_opb", "write_wcnf",
           "is_core_format", "read_problem"]


def is_core_format(path: str) -> bool:
    """True for the files :func:`read_problem` reads (by extension, ``.gz`` allowed after it)."""
    return stem(path).endswith(EXTENSIONS)


def read_problem(path: str) -> BinaryProblem:
    """Read an OPB (``.opb``) or WCNF (``.wcnf``, ``.cnf``) file, else an MPS one, ``.gz`` or not, as a
    BinaryProblem (the CLI's rule)."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    if stem(path).endswith(".opb"):
        return read_opb(path).to_problem(name)
    if is_core_format(path):
        return read_wcnf(path).to_problem(name)
    return read_mps(path)
