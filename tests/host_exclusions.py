"""Every test of the hosts' own suites that BIPNN is expected not to pass, with the reason: one table
for tests/test_host_suites.py (PuLP 3, CVXPY, Pyomo) and tests_pulp4/test_pulp4_host_suite.py (PuLP 4).
docs/mixed.md ("Host suites") says the same in words."""

from __future__ import annotations

import unittest

#: host -> {test name -> why BIPNN is expected to fail it}.
EXCLUDED: dict[str, dict[str, str]] = {
    "pulp": {
        "test_repeated_name": "two variables named 'x' (refused as PuLP's own command-line solvers do)",
    },
    "cvxpy": {
        "StandardTestLPs.test_lp_7": "the SDPA solver's own test (imports sdpap)",
        "StandardTestInfeasibleProblems.test_lp_eq_constraints": "checks a Farkas certificate in the duals; "
                                                                  "BIPNN reports infeasible without duals",
        "StandardTestInfeasibleProblems.test_lp_ineq_constraints": "checks a Farkas certificate in the duals; "
                                                                    "BIPNN reports infeasible without duals",
        **{f"StandardTestQPs.{name}": "a continuous variable squared in the objective (ContinuousVariableError; "
                                      "docs/mixed.md)" for name in ("test_qp_0", "test_qp_bound_attr",
                                                                     "test_qp_parameter_update")},
    },
    "pulp4": {},
    "pyomo": {name: "a continuous variable squared in the objective (ContinuousVariableError; docs/mixed.md)"
              for name in ("MIQP_simple", "MIQP_simple_kernel", "QP_constant_objective",
                           "QP_constant_objective_kernel", "QP_simple", "QP_simple_kernel", "QP_simple_nosuffixes",
                           "QP_simple_nosuffixes_kernel")},
}


def with_exclusions(cls: type, host: str) -> type:
    """``cls`` (a host's unittest suite) with the excluded tests skipped, each with its reason; an excluded
    name the suite does not have is an error (the table must follow the host's suite)."""
    for name, reason in EXCLUDED[host].items():
        assert hasattr(cls, name), f"{host} has no test {name}: update EXCLUDED"
        setattr(cls, name, unittest.skip(reason)(lambda self: None))
    return cls
