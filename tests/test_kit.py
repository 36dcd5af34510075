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


def test_options_from_host_rules():
    assert options_from_host({}).time_limit == 10.0  # the core's default
    assert options_from_host({"epochs": 5}).time_limit is None  # epochs alone: no time limit
    assert options_from_host({"epochs": 5}, time_limit=2).time_limit == 2.0
    assert options_from_host({"time_limit": 3, "epochs": 5}).time_limit == 3.0
    assert options_from_host({}, verbose=1).verbose is True
    assert options_from_host({"verbose": True}).verbose is True
    assert options_from_host({}, warm_start={0: 1.0}).warm_start == {0: 1.0}
    with pytest.raises(core.OptionError, match="'threads' is not supported.*got 2"):
        options_from_host({}, threads=2)
    with pytest.raises(core.OptionError, match="'timeLimit' \\(time_limit\\) must be a number, got 'x'"):
        options_from_host({}, time_limit="x", aliases={"time_limit": "timeLimit"})
