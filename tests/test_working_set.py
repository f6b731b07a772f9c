"""The working-set strategy (fastreg._working_set) returns plain coordinate
descent's solution, certified by the full problem's duality gap.

Every test here runs on designs wide enough (p >= WS_MIN_FEATURES) for the
strategy to engage; a spy checks that it really solved restricted subproblems.
The size threshold (WS_MIN_ENTRIES, a speed choice) is lifted so that small,
fast problems exercise it; test_size_threshold checks the rule itself.
"""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

import fastreg._enet_solver as cd
from fastreg._preprocess import Design
import fastreg._working_set as ws_mod
from fastreg import ElasticNet, Lasso, lasso_path
from fastreg.reference import enet_duality_gap, enet_kkt_violation, enet_objective

from conftest import (assert_rel_close, correlated_design, fit_quiet, make_rng,
                      make_sample_weight, sparse_truth)

P = 800  # > WS_MIN_FEATURES, and the solutions below are far sparser than p / 2


def wide_problem(n=80, p=P, rho=0.9, k=12, seed=0, shift=1.0):
    """p >> n, strongly correlated neighbours: the adversarial case for
    ranking and screening (many features nearly as good as the true ones)."""
    X = correlated_design(n, p, rho=rho, shift=shift, seed=seed)
    w = sparse_truth(p, k, seed=seed)
    y = X @ w + 0.5 * make_rng(seed + 7).standard_normal(n) + 3.0
    return X, y


@pytest.fixture(autouse=True)
def small_problems_take_the_working_set(monkeypatch):
    monkeypatch.setattr(cd, "WS_MIN_ENTRIES", 0)


@pytest.fixture
def spy(monkeypatch):
    """Counts the restricted subproblems (and their sizes) the strategy solves."""
    sizes = []
    restrict = Design.restrict

    def counting(design, cols):
        sizes.append(len(cols))
        return restrict(design, cols)

    monkeypatch.setattr(Design, "restrict", counting)
    return sizes


def plain_cd(monkeypatch):
    """Disable the strategy: every solve is one call of the kernel."""
    monkeypatch.setattr(cd, "WS_MIN_FEATURES", np.iinfo(np.int64).max)


def _alpha(X, y, l1_ratio, sw, fraction):
    s = np.ones(len(y)) if sw is None else sw * len(y) / sw.sum()
    xm, ym = s @ X / s.sum(), s @ y / s.sum()
    return fraction * np.max(np.abs((X - xm).T @ (s * (y - ym)))) / (len(y) * l1_ratio)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("order", ["C", "F"])
def test_same_solution_as_plain_cd(order, fit_intercept, sw_kind, l1_ratio, positive,
                                   spy, monkeypatch):
    X, y = wide_problem()
    X = np.asarray(X, order=order)
    sw = make_sample_weight(len(y), sw_kind)
    alpha = _alpha(X, y, l1_ratio, sw, 0.05)
    X_before = X.copy()
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept,
              positive=positive, tol=1e-10, max_iter=100_000)
    got = fit_quiet(ElasticNet(**kw), X, y, sample_weight=sw)
    assert spy, "the working-set strategy did not run"
    assert max(spy) < P // 2
    np.testing.assert_array_equal(X, X_before)  # the user's X is never written to

    plain_cd(monkeypatch)
    spy.clear()
    ref = fit_quiet(ElasticNet(**kw), X, y, sample_weight=sw)
    assert not spy

    args = (X, y)
    f_got = enet_objective(*args, got.coef_, got.intercept_, alpha, l1_ratio, sw)
    f_ref = enet_objective(*args, ref.coef_, ref.intercept_, alpha, l1_ratio, sw)
    assert_rel_close(f_got, f_ref, 1e-7)
    # Certified by an independent gap on the full problem, not by the solver's own.
    y_c = y - np.average(y, weights=sw) if fit_intercept else y
    scale = np.average(y_c ** 2, weights=sw)
    gap = enet_duality_gap(X, y, got.coef_, got.intercept_, alpha, l1_ratio, sw,
                           fit_intercept=fit_intercept, positive=positive)
    assert gap <= 1e-9 * scale
    assert got.dual_gap_ <= 1e-10 * scale * (1 + 1e-6)
    assert enet_kkt_violation(X, y, got.coef_, got.intercept_, alpha, l1_ratio, sw,
                              fit_intercept=fit_intercept, positive=positive) < 1e-4 * alpha
    if l1_ratio < 1:
        # strongly convex: the solution is unique, ||w - w*||^2 <= 2 gap / l2
        bound = np.sqrt(2 * (gap + ref.dual_gap_) / (alpha * (1 - l1_ratio)))
        assert np.max(np.abs(got.coef_ - ref.coef_)) <= 2 * bound + 1e-12
    # Zeros are where the optimality conditions allow them: every feature the
    # strategy left at zero has |x_j . r| <= n alpha l1_ratio (checked by KKT
    # above); and the supports agree wherever plain CD's coefficient is clear.
    clear = np.abs(ref.coef_) > 1e-6 * np.abs(ref.coef_).max()
    assert np.all(got.coef_[clear] != 0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dtype_and_multi_target(dtype, spy):
    X, y = wide_problem(seed=3)
    Y = np.column_stack([y, y[::-1] * 0.5]).astype(dtype)
    X = X.astype(dtype)
    tol = 1e-8 if dtype == np.float64 else 1e-5
    est = fit_quiet(Lasso(alpha=0.1, tol=tol, max_iter=100_000), X, Y)
    assert spy and est.coef_.dtype == dtype and est.coef_.shape == (2, P)
    for k in range(2):
        single = fit_quiet(Lasso(alpha=0.1, tol=tol, max_iter=100_000), X, Y[:, k])
        f_multi = enet_objective(X, Y[:, k], est.coef_[k], est.intercept_[k], 0.1)
        f_single = enet_objective(X, Y[:, k], single.coef_, single.intercept_, 0.1)
        assert_rel_close(f_multi, f_single, 1e-7 if dtype == np.float64 else 1e-4)


def test_warm_start_outside_the_working_set_is_corrected(spy):
    """A warm start with many wrong non-zeros (some of which screening removes)
    still ends at the optimum."""
    X, y = wide_problem(seed=5)
    est = Lasso(alpha=0.2, tol=1e-10, max_iter=100_000, warm_start=True)
    est.coef_ = make_rng(1).standard_normal(P) * (make_rng(2).random(P) < 0.2)
    fit_quiet(est, X, y)
    ref = fit_quiet(Lasso(alpha=0.2, tol=1e-10, max_iter=100_000), X, y)
    assert spy
    assert_rel_close(enet_objective(X, y, est.coef_, est.intercept_, 0.2),
                     enet_objective(X, y, ref.coef_, ref.intercept_, 0.2), 1e-7)


def test_constant_and_duplicate_columns(spy):
    X, y = wide_problem(seed=8)
    X[:, 10] = 4.2                      # constant: zero once centred
    X[:, 11] = 0.0
    X[:, 12] = X[:, 13]                 # duplicate
    est = fit_quiet(Lasso(alpha=0.05, tol=1e-10, max_iter=100_000), X, y)
    assert spy
    assert est.coef_[10] == 0 and est.coef_[11] == 0
    gap = enet_duality_gap(X, y, est.coef_, est.intercept_, 0.05)
    assert gap <= 1e-9 * np.var(y)


def test_max_iter_exhausted_warns_with_the_gap(spy):
    X, y = wide_problem(seed=9)
    with pytest.warns(ConvergenceWarning, match="Duality gap: "):
        est = Lasso(alpha=0.01, tol=1e-14, max_iter=3).fit(X, y)
    assert est.n_iter_ <= 3 + 1  # the budget is shared by the subproblems


def test_alpha_above_alpha_max_needs_no_epoch(spy):
    X, y = wide_problem(seed=4)
    est = fit_quiet(Lasso(alpha=_alpha(X, y, 1.0, None, 1.01)), X, y)
    assert est.n_iter_ == 0 and not np.any(est.coef_) and not spy


def test_path_matches_plain_cd(monkeypatch):
    X, y = wide_problem(seed=11, n=60)
    alphas, coefs, gaps = lasso_path(X, y, n_alphas=20, eps=1e-2, tol=1e-10,
                                     max_iter=100_000, fit_intercept=True)
    plain_cd(monkeypatch)
    _, ref, _ = lasso_path(X, y, alphas=alphas, tol=1e-10, max_iter=100_000,
                           fit_intercept=True)
    for i, a in enumerate(alphas):
        b = y.mean() - X.mean(0) @ coefs[:, i]
        b_ref = y.mean() - X.mean(0) @ ref[:, i]
        assert_rel_close(enet_objective(X, y, coefs[:, i], b, a),
                         enet_objective(X, y, ref[:, i], b_ref, a), 1e-7)


def test_copy_x_false_keeps_memory_and_answer():
    """copy_X=False on Fortran float64 input: the design may be centred in
    place only when the strategy falls back to the full kernel; the answer is
    the same either way."""
    X, y = wide_problem(seed=12)
    XF = np.asfortranarray(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        a = Lasso(alpha=0.05, tol=1e-10, max_iter=100_000, copy_X=False).fit(XF.copy(), y)
        b = Lasso(alpha=0.05, tol=1e-10, max_iter=100_000).fit(X, y)
    assert_rel_close(enet_objective(X, y, a.coef_, a.intercept_, 0.05),
                     enet_objective(X, y, b.coef_, b.intercept_, 0.05), 1e-9)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_tall_design_gram_subproblems(fit_intercept, sw_kind, l1_ratio, spy, monkeypatch):
    """n >= 50 p: the working sets run in Gram mode on their few columns; the
    answer is plain coordinate descent's, certified on the full problem."""
    import fastreg._gram as gram_mod

    n, p = 6600, 130
    X = correlated_design(n, p, rho=0.3, shift=0.5, seed=21)
    y = X @ sparse_truth(p, 8, seed=21) + make_rng(22).standard_normal(n) + 1.0
    sw = make_sample_weight(n, sw_kind)
    alpha = _alpha(X, y, l1_ratio, sw, 0.05)
    grams = []
    build = gram_mod.gram_matrix

    def counting(design):
        grams.append(design.X.shape[1])
        return build(design)

    monkeypatch.setattr(gram_mod, "gram_matrix", counting)
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-10,
              max_iter=100_000)
    got = fit_quiet(ElasticNet(**kw), X, y, sample_weight=sw)
    assert spy and grams and max(grams) < p  # only small Gram matrices were built
    plain_cd(monkeypatch)
    ref = fit_quiet(ElasticNet(**kw), X, y, sample_weight=sw)
    f = [enet_objective(X, y, m.coef_, m.intercept_, alpha, l1_ratio, sw) for m in (got, ref)]
    assert_rel_close(f[0], f[1], 1e-7)
    y_c = y - np.average(y, weights=sw) if fit_intercept else y
    gap = enet_duality_gap(X, y, got.coef_, got.intercept_, alpha, l1_ratio, sw,
                           fit_intercept=fit_intercept)
    assert gap <= 1e-9 * np.average(y_c ** 2, weights=sw)


@pytest.mark.parametrize("shape, expected", [((500, 1000), False), ((300, 3000), True),
                                             ((80, 800), True), ((300, 1000), False),
                                             ((20_000, 128), True)])
def test_size_threshold(monkeypatch, spy, shape, expected):
    """The strategy engages on designs with p >= WS_MIN_FEATURES (or very tall)
    that have at least WS_MIN_ENTRIES entries or are WS_WIDE times wider than
    tall, where it pays for its bookkeeping."""
    monkeypatch.setattr(cd, "WS_MIN_ENTRIES", ws_mod.WS_MIN_ENTRIES)
    n, p = shape
    X = correlated_design(n, p, rho=0.5, seed=1)
    y = X[:, :5] @ np.ones(5) + make_rng(2).standard_normal(n)
    Lasso(alpha=_alpha(X, y, 1.0, None, 0.2)).fit(X, y)
    assert bool(spy) == expected


def test_budget_counts_subproblem_epochs_by_their_size(monkeypatch):
    """max_iter is a budget of full epochs: a subproblem epoch on k of p columns
    counts k / p. A strongly correlated design needs more subproblem epochs
    than max_iter (cheap ones); counted whole, they stopped the solve early."""
    n, p = 100, 2000
    X = correlated_design(n, p, rho=0.99, seed=0)
    y = X @ sparse_truth(p, 10, seed=0) + 0.1 * make_rng(1).standard_normal(n)
    alpha = _alpha(X, y, 1.0, None, 0.01)
    sub_epochs = []
    kernel = cd._kernel

    def spying(design, *args, **kw):
        out = kernel(design, *args, **kw)
        if design.shape[1] < p:
            sub_epochs.append(out[2])
        return out

    monkeypatch.setattr(cd, "_kernel", spying)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = Lasso(alpha=alpha, max_iter=300, tol=1e-8).fit(X, y)
    assert sum(sub_epochs) > 300  # whole, they would have exhausted max_iter
    assert est.n_iter_ <= 300
    gap = enet_duality_gap(X, y, est.coef_, est.intercept_, alpha)
    assert gap <= 1.01e-8 * np.var(y)
    # and the budget is still a budget: a tiny one stops with a warning
    with pytest.warns(ConvergenceWarning):
        small = Lasso(alpha=alpha, max_iter=3, tol=1e-12).fit(X, y)
    assert small.n_iter_ <= 3 + 1
