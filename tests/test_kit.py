"""The adapter kit: one complete error table per host, one translation of errors, one option rule set."""

from __future__ import annotations

import cvxpy.error
import pulp
import pytest
from pyomo.common.errors import PyomoException
from pyomo.contrib.solver.common.util import IncompatibleModelError

from bipnn_backends import errors as core
from bipnn_backends.adapters._kit import CORE_ERRORS, options_from_host, raising_host_errors
from bipnn_backends.adapters.cvxpy.errors import ERRORS as CVXPY
from bipnn_backends.adapters.pulp.errors import ERRORS as PULP
from bipnn_backends.adapters.pyomo.errors import ERRORS as PYOMO

HOSTS = {"pulp": (PULP, pulp.PulpSolverError), "pyomo": (PYOMO, PyomoException),
         "cvxpy": (CVXPY, cvxpy.error.SolverError)}
ALL_CORE = {c for c in vars(core).values() if isinstance(c, type) and issubclass(c, core.BipnnError)}


def test_the_table_lists_every_core_error_each_after_its_subclasses():
    assert set(CORE_ERRORS) == ALL_CORE
    for i, cls in enumerate(CORE_ERRORS):
        assert not any(issubclass(later, cls) and later is not cls for later in CORE_ERRORS[i + 1:])


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_every_core_error_has_a_host_class_core_first_host_second(host):
    table, host_base = HOSTS[host]
    assert set(table) == ALL_CORE
    for core_cls, host_cls in table.items():
        assert issubclass(host_cls, core_cls) and issubclass(host_cls, host_base)
        assert host_cls.__bases__[0] is core_cls
        parent = core_cls.__mro__[1]
        if core_cls is not core.BipnnError:
            assert issubclass(host_cls, table[parent])
    assert issubclass(table[core.ContinuousVariableError], table[core.ModelError])
    if host == "pyomo":
        assert issubclass(table[core.UndefinedFunctionError], IncompatibleModelError)


@pytest.mark.parametrize("host", sorted(HOSTS))
def test_raising_host_errors_keeps_message_and_cause(host):
    table, host_base = HOSTS[host]
    for core_cls in CORE_ERRORS:
        with pytest.raises(host_base) as err:
            with raising_host_errors(table):
                raise core_cls("the message")
        assert type(err.value) is table[core_cls] and str(err.value) == "the message"
        assert type(err.value.__cause__) is core_cls
    already = table[core.ModelError]("as is")
    with pytest.raises(table[core.ModelError]) as err:
        with raising_host_errors(table):
            raise already
    assert err.value is already


def test_raising_host_errors_names_where_a_model_error_happened():
    """A translator passes its current component: model errors start with it (once), others do not."""
    def raised(exc):
        with pytest.raises(core.BipnnError) as err:
            with raising_host_errors(PYOMO, where=lambda: "constraint 'c'"):
                raise exc
        return err.value

    err = raised(core.UndefinedFunctionError("log(x) is undefined"))
    assert type(err) is PYOMO[core.UndefinedFunctionError] and str(err) == "constraint 'c': log(x) is undefined"
    assert str(raised(core.ModelError("constraint 'c' has x"))) == "constraint 'c' has x"
    assert str(raised(core.OptionError("option 'seed' must be >= 0"))) == "option 'seed' must be >= 0"
    host = PYOMO[core.ModelError]("as raised")
    assert raised(host) is host


def test_options_from_host_rules():
    assert options_from_host({}).time_limit == 10.0  # the core's default
    assert options_from_host({"epochs": 5}).time_limit is None  # epochs alone: no time limit
    assert options_from_host({"epochs": 5}, time_limit=2).time_limit == 2.0
    assert options_from_host({"time_limit": 3, "epochs": 5}).time_limit == 3.0
    assert options_from_host({}, verbose=1).verbose is True
    assert options_from_host({"verbose": True}).verbose is True
    assert options_from_host({}, warm_start={0: 1.0}).warm_start == {0: 1.0}
    assert options_from_host({"threads": 1}, threads=2).threads == 2  # the host's spelling wins
    with pytest.raises(core.OptionError, match="'threads' must be >= 1, got 0"):
        options_from_host({}, threads=0)
    with pytest.raises(core.OptionError, match="'timeLimit' \\(time_limit\\) must be a number, got 'x'"):
        options_from_host({}, time_limit="x", aliases={"time_limit": "timeLimit"})


def test_function_registry_is_the_one_table_every_layer_reads():
    import numpy as np
    import torch

    from bipnn_backends.adapters.cvxpy.translate import _FUNCTIONS as CVXPY_ATOMS
    from bipnn_backends.adapters.pyomo.translate import PYOMO_FUNCTIONS
    from bipnn_backends.core.bounds import _MONOTONE
    from bipnn_backends.core.evaluate import NUMPY_FUNCTIONS
    from bipnn_backends.core.expr import FUNCTIONS
    from bipnn_backends.core.functions import REGISTRY
    from bipnn_backends.engine.texpr import TORCH_FUNCTIONS

    assert tuple(REGISTRY) == FUNCTIONS and set(NUMPY_FUNCTIONS) == set(TORCH_FUNCTIONS) == set(REGISTRY)
    assert set(_MONOTONE) <= set(REGISTRY) and set(PYOMO_FUNCTIONS.values()) <= set(REGISTRY)
    assert {atom for f in REGISTRY.values() for atom in f.cvxpy} <= set(CVXPY_ATOMS)
    points = np.array([0.1, 0.5, 0.9, 2.0])
    for name, f in REGISTRY.items():
        expected = f.numpy(points)
        got = TORCH_FUNCTIONS[name](torch.as_tensor(points, dtype=torch.float64)).numpy()
        assert np.allclose(expected, got), name


def test_result_pairs_are_the_eleven_hosts_map():
    """Every (solution status, termination) pair solve() can produce, and only those, in every host's table."""
    from bipnn_backends.adapters.cvxpy.common import STATUS_MAP as CVXPY_STATUS
    from bipnn_backends.adapters.pulp import status as pulp_status
    from bipnn_backends.adapters.pyomo.solver import LEGACY_STATUS, STATUS
    from bipnn_backends.formats import solution  # the CLI's exit codes
    from bipnn_backends.result import SOLUTION_STATUSES, TERMINATIONS, SolveResult

    pairs = set()
    for s in SOLUTION_STATUSES:
        for t in TERMINATIONS:
            try:
                SolveResult(s, t)
            except ValueError:
                continue
            pairs.add((s, t))
    assert len(pairs) == 11 and set(STATUS) == set(LEGACY_STATUS) == pairs
    assert set(pulp_status.PULP3_STATUS) == set(SOLUTION_STATUSES) == set(CVXPY_STATUS)
    assert set(solution.EXIT_BY_STATUS) == set(SOLUTION_STATUSES)
