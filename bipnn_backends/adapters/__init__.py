"""Host adapters: translation to the shared IR and write-back, nothing else.

Each host package exposes ``register()``. ``register_all()`` registers with a
host at once if it is already imported, and otherwise right after the host
is first imported (a post-import hook), so ``import bipnn_backends`` never
pays for importing PuLP, Pyomo or CVXPY itself.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import logging
import sys
from types import ModuleType

log = logging.getLogger("bipnn_backends")

HOSTS = {"pulp": "pulp", "pyomo": "pyomo", "cvxpy": "cvxpy"}  # host package -> adapter module


def _register(host: str) -> None:
    try:
        importlib.import_module(f"{__name__}.{HOSTS[host]}").register()
    except Exception as exc:  # a broken host install must not break the user's import
        log.warning("bipnn_backends could not register with %s: %s", host, exc)


class _RegisterAfterImport(importlib.abc.MetaPathFinder):
    """Runs ``_register(host)`` right after a watched host package has been executed."""

    def __init__(self, hosts: set[str]) -> None:
        self.pending = set(hosts)

    def find_spec(self, fullname: str, path, target=None):  # noqa: ANN001 (importlib protocol)
        if fullname not in self.pending:
            return None
        self.pending.discard(fullname)
        spec = importlib.util.find_spec(fullname)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            _register(fullname)

        spec.loader.exec_module = exec_module
        return spec


def register_all() -> list[str]:
    """Register now with imported hosts, and on first import with the other installed ones.

    Returns the hosts registered now."""
    now, later = [], set()
    for host in HOSTS:
        if host in sys.modules:
            _register(host)
            now.append(host)
        elif importlib.util.find_spec(host) is not None:
            later.add(host)
    if later and not any(isinstance(f, _RegisterAfterImport) for f in sys.meta_path):
        sys.meta_path.insert(0, _RegisterAfterImport(later))
    return now
