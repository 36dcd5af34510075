"""Host adapters: translation to the shared IR and write-back, nothing else.

Registration, in every import order and without import cycles:

- ``import bipnn_backends`` registers at once with every host already imported
  (:func:`register_all`) and watches the installed ones that are not;
- a watched host registers right after its package has been executed (an import
  hook), unless one of our own adapter modules for that host is still being
  imported (it was that module's ``import pulp`` that ran the host): then the
  registration waits until our module has finished, so it never reads a
  half-initialised module.

``import bipnn_backends`` never imports PuLP, Pyomo or CVXPY itself.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import logging
import sys
import threading
from types import ModuleType

log = logging.getLogger("bipnn_backends")

HOSTS = ("pulp", "pyomo", "cvxpy")  # host package == adapter module name

_lock = threading.RLock()
_registered: set[str] = set()
_waiting: set[str] = set()   # imported hosts whose registration waits for our adapter modules
_running: set[str] = set()   # registrations in progress (re-entrant imports must not start another)


def _initializing(host: str, finished: str = "") -> bool:
    """True while one of our adapter modules for ``host`` (other than ``finished``) is being executed."""
    prefix = f"{__name__}.{host}"
    for name, module in list(sys.modules.items()):
        if name != finished and (name == prefix or name.startswith(prefix + ".")) and \
                getattr(getattr(module, "__spec__", None), "_initializing", False):
            return True
    return False


def _register(host: str, finished: str = "") -> bool:
    """Register with ``host`` now, or mark it waiting; True once registered.

    ``finished``: our module whose execution just ended (importlib still marks it initialising)."""
    with _lock:
        if host in _registered:
            return True
        if host in _running or _initializing(host, finished):
            _waiting.add(host)
            return False
        _running.add(host)
    try:
        importlib.import_module(f"{__name__}.{host}").register()
    except Exception as exc:  # a broken host install must not break the user's import
        log.warning("bipnn_backends could not register with %s: %s", host, exc)
        return False
    finally:
        with _lock:
            _running.discard(host)
    with _lock:
        _registered.add(host)
        _waiting.discard(host)
    return True


def _retry_waiting(finished: str) -> None:
    for host in sorted(_waiting):
        _register(host, finished)


def _run_then(loader: importlib.abc.Loader, after: callable) -> None:  # type: ignore[valid-type]
    run = loader.exec_module

    def exec_module(module: ModuleType) -> None:
        run(module)
        after()

    loader.exec_module = exec_module  # type: ignore[method-assign]


class _RegisterAfterImport(importlib.abc.MetaPathFinder):
    """Registers a watched host right after its package is executed, and retries waiting
    registrations each time one of our adapter modules finishes executing."""

    def __init__(self) -> None:
        self.pending: set[str] = set()

    def find_spec(self, fullname: str, path, target=None):  # noqa: ANN001 (importlib protocol)
        if fullname in self.pending:
            self.pending.discard(fullname)
            spec = importlib.util.find_spec(fullname)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                _run_then(spec.loader, lambda: _register(fullname))
            return spec
        if fullname.startswith(__name__ + "."):
            spec = importlib.machinery.PathFinder.find_spec(fullname, path, target)
            if spec is not None and spec.loader is not None and hasattr(spec.loader, "exec_module"):
                _run_then(spec.loader, lambda: _retry_waiting(fullname))
            return spec
        return None


_finder = _RegisterAfterImport()


def register_all() -> list[str]:
    """Register now with the hosts already imported, and watch the other installed ones.

    Returns the hosts registered with (now or before)."""
    for host in HOSTS:
        if host in sys.modules:
            _register(host)
        elif host not in _registered and importlib.util.find_spec(host) is not None:
            _finder.pending.add(host)
    if _finder.pending and _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    return sorted(_registered)


def register(*hosts: str) -> list[str]:
    """Register explicitly: with the named hosts (imported if need be), or with every imported one.

    Rarely needed: registration is automatic in every import order. Returns the hosts
    registered with."""
    for host in hosts:
        if host not in HOSTS:
            raise ValueError(f"unknown host {host!r}; known: {', '.join(HOSTS)}")
        importlib.import_module(host)
        _register(host)
    return register_all()
