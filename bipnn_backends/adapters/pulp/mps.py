"""Reading MPS files (plain or gzip-compressed, as CBC and SCIP do) into a PuLP model.

A file that is not MPS (empty, binary garbage, no ``ROWS``/``COLUMNS`` section) is
refused with a message saying so, before PuLP's reader sees it.
"""

from __future__ import annotations

import gzip
import os
import tempfile
from typing import Any

import pulp
from pulp import constants as const

from ...errors import ModelError

_GZIP_MAGIC = b"\x1f\x8b"


def read_mps(path: str) -> Any:
    """The ``LpProblem`` of the MPS file ``path`` (``.mps`` or ``.mps.gz``); ModelError if it is not one."""
    if not os.path.isfile(path):
        raise ModelError(f"no such model file: {path!r}")
    if path.lower().endswith(".lp"):
        raise ModelError(f"{path}: PuLP has no reader for the LP format; write the model as MPS instead "
                         "(prob.writeMPS('model.mps', with_objsense=True))")
    text = _text(path)
    sections = {line.split()[0].upper() for line in text.splitlines() if line[:1].isalpha() and line.split()}
    missing = [s for s in ("ROWS", "COLUMNS") if s not in sections]
    if missing:
        what = "is empty" if not text.strip() else f"has no {' or '.join(missing)} section"
        raise ModelError(f"{path}: not an MPS model: the file {what}")
    maximize = objsense(text)
    with tempfile.TemporaryDirectory() as tmp:
        plain = os.path.join(tmp, "model.mps")
        with open(plain, "w") as f:
            f.write(text)
        try:
            if maximize is None:  # only PuLP's *SENSE: comment, or nothing: PuLP's own convention
                sense = const.LpMaximize if _sense_comment(text) == "Maximize" else const.LpMinimize
                return pulp.LpProblem.fromMPS(plain, sense=sense)[1]
            lp = pulp.LpProblem.fromMPS(plain, sense=const.LpMinimize)[1]
        except Exception as exc:  # PuLP's reader raises anything from KeyError to PulpError on a bad file
            raise ModelError(f"{path}: cannot read it as MPS ({type(exc).__name__}: {exc})") from exc
    if maximize:
        lp.sense = const.LpMaximize
    return lp


def _text(path: str) -> str:
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == _GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ModelError(f"{path}: a damaged gzip file ({exc})") from exc
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(f"{path}: not an MPS model: the file is not text") from None


def objsense(text: str) -> bool | None:
    """True/False from an OBJSENSE section (MAX/MAXIMIZE or MIN/MINIMIZE), None if there is none.

    True/False: the file's objective is as written and has this sense. None: the file only
    has PuLP's ``*SENSE:`` comment, or nothing; then the installed PuLP's own convention
    applies (PuLP 4 negates a maximisation's coefficients when it writes them and negates
    them back when it reads).
    """
    pending = False
    for line in text.splitlines():
        words = line.split()
        if not words or words[0].startswith("*"):
            continue
        if pending:
            return words[0].upper().startswith("MAX")
        if words[0].upper() == "OBJSENSE":
            if len(words) > 1:
                return words[1].upper().startswith("MAX")
            pending = True
        elif words[0].upper() in ("ROWS", "COLUMNS"):
            return None
    return None


def _sense_comment(text: str) -> str | None:
    first = text.split("\n", 1)[0].strip()
    return first.split(":", 1)[1].strip() if first.startswith("*SENSE:") else None
