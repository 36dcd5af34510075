"""Opening model files as text: plain or gzip-compressed (detected by the magic bytes, so a
compressed file is read whatever its name), and writing them (compressed when the name ends .gz)."""

from __future__ import annotations

import gzip
import io
from typing import IO, Callable, TypeVar

from ..errors import ModelError

GZIP_MAGIC = b"\x1f\x8b"
T = TypeVar("T")


def stem(path: str) -> str:
    """The lower-cased path without a trailing ``.gz`` (the format's extension is then last)."""
    lower = path.lower()
    return lower[:-3] if lower.endswith(".gz") else lower


def open_text(path: str) -> IO[str]:
    """A text stream over ``path``; a missing or unreadable file is a ModelError naming it."""
    try:
        with open(path, "rb") as f:
            magic = f.read(2)
        if magic == GZIP_MAGIC:
            return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8")
        return open(path, encoding="utf-8")
    except OSError as exc:
        raise _unreadable(path, exc) from None


def read_text(path: str, kind: str = "a model") -> str:
    """The whole of ``path`` as text (decompressed when gzip by content); a missing, unreadable,
    damaged or non-text file is a ModelError naming it (and ``kind``, what the file should be)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        raise _unreadable(path, exc) from None
    if raw[:2] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise ModelError(f"{path}: a damaged gzip file ({exc})") from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ModelError(f"{path}: not {kind}: the file is not text") from None


def _unreadable(path: str, exc: OSError) -> ModelError:
    if isinstance(exc, FileNotFoundError):
        return ModelError(f"no such model file: {path!r}")
    return ModelError(f"cannot read {path!r}: {exc.strerror or exc}")


def write_text(path: str, text: str) -> None:
    """Write ``text`` to ``path``, gzip-compressed when it ends with ``.gz``."""
    if path.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as f:
            f.write(text)
    else:
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def read_parsed(path: str, parse: Callable[[IO[str], str], T]) -> T:
    """``parse(stream, path)`` over the file; a damaged gzip stream or bad encoding is a ModelError."""
    try:
        with open_text(path) as f:
            return parse(f, path)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise ModelError(f"cannot read {path!r}: {exc}") from None
