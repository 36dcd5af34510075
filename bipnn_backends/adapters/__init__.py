"""Host adapters: translation to the shared IR and write-back, nothing else.

Each host package exposes ``register()``; hosts that are not installed are skipped.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging

log = logging.getLogger("bipnn_backends")

HOSTS = {"pulp": "pulp", "pyomo": "pyomo", "cvxpy": "cvxpy"}


def register_all() -> list[str]:
    """Register with every installed host; returns the hosts registered."""
    done = []
    for adapter, host in HOSTS.items():
        if importlib.util.find_spec(host) is None:
            continue
        module = importlib.import_module(f"{__name__}.{adapter}")
        module.register()
        done.append(host)
    return done
