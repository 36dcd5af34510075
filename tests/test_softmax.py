"""The softmax relaxation of one-hot groups (engine/relaxed.py ``Relaxation``, option ``relaxation``)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from benchmarks.structured import qap_value, quadratic_assignment
from bipnn_backends.core.reformulate import reformulate
from bipnn_backends.engine.relaxed import RelaxedEnergy, Relaxation
from bipnn_backends.engine.search import search
from bipnn_backends.errors import OptionError
from bipnn_backends.options import make_options


def _qap(n: int, seed: int = 0):
    inst = quadratic_assignment(n, seed)
    return inst, reformulate(inst.problem, make_options(time_limit=None, epochs=1))


def _one_hot_ok(X: np.ndarray, relax: Relaxation) -> bool:
    sums = np.add.reduceat(X[:, relax.g_mem].astype(int), relax.g_off[:-1], axis=1)
    return bool((sums == 1).all())


def test_groups_are_categoricals_and_rounding_keeps_rows():
    inst, reform = _qap(5)
    relax = Relaxation(reform, True, torch.device("cpu"))
    assert relax.n_groups == 5  # disjoint one-hot rows: the 5 facility rows (locations overlap them)
    z = torch.randn(7, reform.n, generator=torch.Generator().manual_seed(1), dtype=torch.float64) * 5
    z.requires_grad_(True)
    logp, p = relax(z)
    sums = torch.zeros(7, relax.n_groups, dtype=p.dtype).index_add_(1, relax.gid, p[:, relax.mem])
    assert torch.allclose(sums, torch.ones_like(sums), atol=1e-12)
    assert torch.allclose(logp.exp(), p, atol=1e-12)
    free = np.setdiff1d(np.arange(reform.n), relax.g_mem)
    assert torch.allclose(p[:, free], torch.sigmoid(z[:, free]))
    energy = RelaxedEnergy(reform, torch.device("cpu"), torch.float64, relax)(z)
    energy.sum().backward()
    assert torch.isfinite(energy).all() and torch.isfinite(z.grad).all() and z.grad.abs().sum() > 0
    X = relax.round(p.detach().numpy())
    assert _one_hot_ok(X, relax)
    rows = np.argmax(p.detach().numpy()[:, relax.g_mem].reshape(7, 5, 5), axis=2)
    assert np.array_equal(X[:, relax.g_mem].reshape(7, 5, 5).argmax(axis=2), rows)
    S = relax.sample(p.detach().repeat(3, 1), torch.Generator().manual_seed(0))
    assert _one_hot_ok(S, relax)


def test_extreme_logits_and_ties():
    _, reform = _qap(4)
    relax = Relaxation(reform, True, torch.device("cpu"))
    z = torch.zeros(2, reform.n)
    z[1, relax.mem[::3]] = 1e4  # huge logits: no overflow, no NaN
    z.requires_grad_(True)
    logp, p = relax(z)
    (logp.clamp(min=-50).sum() + p.sum()).backward()
    assert torch.isfinite(z.grad).all()
    X = relax.round(p.detach().numpy())  # row 0: all tied, the first member of each group wins
    assert _one_hot_ok(X, relax)
    assert X[0, relax.g_mem[relax.g_off[:-1]]].all()


def test_sigmoid_relaxation_has_no_groups():
    _, reform = _qap(4)
    relax = Relaxation(reform, False, torch.device("cpu"))
    z = torch.randn(3, reform.n)
    logp, p = relax(z)
    assert relax.n_groups == 0 and torch.equal(p, torch.sigmoid(z))


@pytest.mark.parametrize("seed", [0, 1])
def test_small_qap_reaches_brute_force_optimum(seed):
    inst, reform = _qap(5, seed)
    F, D = inst.extra["flows"], inst.extra["distances"]
    best = min(qap_value(F, D, np.array(q)) for q in itertools.permutations(range(5)))
    opts = make_options(time_limit=None, epochs=300, polish=False, relaxation="softmax", seed=seed, restarts=16)
    out = search(reform, opts, None)  # no polish: training, rounding and sampling only
    x = out.candidates[0]
    assert out.stats["relaxation_groups"] == 5
    perm = x.reshape(5, 5).argmax(axis=1)
    assert np.array_equal(x.reshape(5, 5).sum(axis=1), np.ones(5))
    assert np.array_equal(np.sort(perm), np.arange(5))
    assert qap_value(F, D, perm) == pytest.approx(best)


def test_option_validated():
    assert make_options().relaxation == "softmax"
    assert make_options(relaxation="sigmoid").relaxation == "sigmoid"
    with pytest.raises(OptionError, match="relaxation"):
        make_options(relaxation="gumbel")


@pytest.mark.parametrize("model", ["logits", "hgnn+"])
def test_training_points_are_one_hot(model):
    _, reform = _qap(5)
    opts = make_options(time_limit=None, epochs=20, polish=False, model=model, restarts=4, hidden=8)
    out = search(reform, opts, None)
    relax = Relaxation(reform, True, torch.device("cpu"))
    assert _one_hot_ok(out.candidates > 0.5, relax)


def test_unequal_groups_match_dense_softmax():
    """Groups of different sizes (the scatter path) give each group's softmax, as torch computes it."""
    from bipnn_backends.core.expr import Poly
    from bipnn_backends.core.problem import BinaryProblem

    p = BinaryProblem()
    x = p.add_binaries([f"x{i}" for i in range(9)])
    p.set_objective(Poly.from_terms([(1.0, (0, 5)), (-2.0, (3, 7)), (0.5, (8,))]))
    p.add_constraint(Poly.linear(x[0:2], np.ones(2)), "==", 1, "a")
    p.add_constraint(Poly.linear(x[2:6], np.ones(4)), "==", 1, "b")
    reform = reformulate(p, make_options(time_limit=None, epochs=1))
    relax = Relaxation(reform, True, torch.device("cpu"))
    assert relax.n_groups == 2 and relax.size == 0
    z = torch.randn(3, 9, dtype=torch.float64)
    _, prob = relax(z)
    assert torch.allclose(prob[:, 0:2], torch.softmax(z[:, 0:2], -1))
    assert torch.allclose(prob[:, 2:6], torch.softmax(z[:, 2:6], -1))
    assert torch.allclose(prob[:, 6:], torch.sigmoid(z[:, 6:]))


def test_pure_pubo_runs_the_same_under_either_relaxation():
    """No one-hot rows, no groups: the default softmax relaxation must leave a pure PUBO's run (training
    and search, pure-PUBO quality) exactly as with sigmoids (issue 12: no regression on maxcut/pubo)."""
    from benchmarks.instances import random_pubo
    from bipnn_backends.solve import solve

    problem = random_pubo(60, 3, seed=2).problem
    runs = [solve(problem, time_limit=None, epochs=15, seed=3, threads=1, relaxation=r, exhaustive_limit=0)
            for r in ("softmax", "sigmoid")]
    assert runs[0].stats["search"] == "sa"
    np.testing.assert_array_equal(runs[0].x, runs[1].x)
    assert runs[0].objective == runs[1].objective and runs[0].stats["epochs"] == runs[1].stats["epochs"] == 15
    assert [v for _, v in runs[0].stats["history"]] == [v for _, v in runs[1].stats["history"]]  # same improvements
