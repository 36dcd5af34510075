"""Structure detection on the reformulation's linear rows (core/structure.py)."""

from __future__ import annotations

import numpy as np

from bipnn_backends.core.expr import Poly
from bipnn_backends.core.problem import BinaryProblem
from bipnn_backends.core.reformulate import reformulate
from bipnn_backends.core.structure import KINDS, analyse, disjoint_groups
from bipnn_backends.options import make_options


def _reform(p: BinaryProblem):
    return reformulate(p, make_options(time_limit=1.0))


def _kinds(reform) -> dict[str, str]:
    st = reform.structure
    return {name: KINDS[k] for name, k in zip(st.rows.names, st.kind)}


def test_each_row_kind_is_recognised():
    p = BinaryProblem()
    x = p.add_binaries([f"x{i}" for i in range(8)])
    p.set_objective(Poly.linear(x, np.arange(1.0, 9.0)))
    p.add_constraint(Poly.linear(x[:4], np.ones(4)), "==", 1, "onehot")
    p.add_constraint(Poly.linear(x[:4], np.full(4, 2.0)), "==", 2, "onehot_scaled")
    p.add_constraint(Poly.linear(x[2:7], np.ones(5)), "==", 2, "card_eq")
    p.add_constraint(Poly.linear(x[3:6], np.ones(3)), "<=", 1, "amo")
    p.add_constraint(Poly.linear(x[1:6], np.ones(5)), "<=", 3, "card_le")
    p.add_constraint(Poly.linear([x[0], x[7]], [1.0, -1.0]), "<=", 0, "vub")
    p.add_constraint(Poly.linear(x, np.arange(1.0, 9.0)), "<=", 12, "knap")
    p.add_constraint(Poly.linear(np.r_[x[:6], x[7]], np.r_[np.arange(1.0, 7.0), -10.0]), "<=", 0, "bin")
    p.add_constraint(Poly.linear(x[:3], np.ones(3)), ">=", 1, "cover")
    p.add_constraint(Poly.linear(x[:3], [1.0, 2.0, 3.0]), "==", 3, "eq_other")
    kinds = _kinds(_reform(p))
    assert kinds == {"onehot": "one_hot", "onehot_scaled": "one_hot", "card_eq": "cardinality_eq",
                     "amo": "at_most_one", "card_le": "cardinality_le", "vub": "vub", "knap": "knapsack",
                     "bin": "knapsack", "cover": "other", "eq_other": "other"}


def test_assignment_groups_are_disjoint_rows_and_columns_stay_rows():
    n = 5
    p = BinaryProblem()
    x = p.add_binaries([f"x{i}_{j}" for i in range(n) for j in range(n)]).reshape(n, n)
    p.set_objective(Poly.linear(x.ravel(), np.ones(n * n)))
    for i in range(n):
        p.add_constraint(Poly.linear(x[i], np.ones(n)), "==", 1, f"row{i}")
    for j in range(n):
        p.add_constraint(Poly.linear(x[:, j], np.ones(n)), "==", 1, f"col{j}")
    reform = _reform(p)
    st = reform.structure
    assert st.counts() == {"one_hot": 2 * n}
    off, mem, rows = disjoint_groups(st, reform.n)
    assert [st.rows.names[r] for r in rows] == [f"row{i}" for i in range(n)]
    np.testing.assert_array_equal(np.diff(off), np.full(n, n))
    assert len(np.unique(mem)) == len(mem) == n * n
    # the rows stay penalty rows too: the energy is unchanged by the analysis
    X = np.eye(n).reshape(1, -1)
    assert reform.energy(X)[0] == n


def test_rows_activities_and_violations_match_the_blocks():
    rng = np.random.default_rng(0)
    p = BinaryProblem()
    x = p.add_binaries([f"x{i}" for i in range(12)])
    p.set_objective(Poly.linear(x, rng.normal(size=12)))
    for r in range(6):
        s = np.sort(rng.choice(12, 5, replace=False))
        p.add_constraint(Poly.linear(x[s], rng.integers(1, 5, 5).astype(float)), ["<=", ">=", "=="][r % 3], 4.0)
    reform = _reform(p)
    st = analyse(reform.linear_blocks)
    X = rng.integers(0, 2, (9, 12)).astype(float)
    res = np.concatenate([b.residuals(X) for b in reform.linear_blocks], axis=1)
    np.testing.assert_allclose(st.rows.activities(X) - st.rows.rhs, res)
    viol = np.where(st.rows.eq, np.abs(res), np.maximum(res, 0))
    np.testing.assert_allclose(st.rows.violations(X), viol)


def test_no_rows():
    p = BinaryProblem()
    x = p.add_binaries(["a", "b"])
    p.set_objective(Poly.linear(x, [1.0, -1.0]))
    st = _reform(p).structure
    assert st.rows.n_rows == 0 and st.counts() == {}
    off, mem, rows = disjoint_groups(st, 2)
    assert len(off) == 1 and len(mem) == 0 and len(rows) == 0
