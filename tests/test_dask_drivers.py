"""Fitting on Dask arrays (fastreg._dask.enet, .ridge, .multi_task): equal to the
in-memory fit and to the reference oracle; drivers return a FitResult.

Helpers: tests/dask_common.py; the fixtures dask_client and dask_scheduler:
tests/conftest.py.
"""
import numpy as np
import pytest

dask = pytest.importorskip("dask")
import dask.array as da  # noqa: E402

import fastreg
from fastreg import reference as ref
from fastreg._dask import is_dask_collection

from conftest import make_sample_weight
from dask_common import CHUNKS, N, P, problem, rel, to_dask


# --------------------------------------------------------------------------
# Ridge
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "random"])
def test_ridge_matches_in_memory_and_oracle(dask_scheduler, layout, fit_intercept,
                                            weights):
    X, y = problem(seed=1, shift=0.0 if not fit_intercept else 5.0)
    sw = make_sample_weight(N, weights)
    mem = fastreg.Ridge(alpha=2.0, fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    est = fastreg.Ridge(alpha=2.0, fit_intercept=fit_intercept).fit(
        to_dask(X, layout), y, sample_weight=None if sw is None else da.from_array(sw, 77))
    assert rel(est.coef_, mem.coef_) < 1e-10
    assert abs(est.intercept_ - mem.intercept_) <= 1e-10 * max(1.0, abs(mem.intercept_))
    w_ref, b_ref = ref.ridge_closed_form(X, y, 2.0, sample_weight=sw,
                                         fit_intercept=fit_intercept)
    assert rel(est.coef_, w_ref) < 1e-9
    assert abs(est.intercept_ - b_ref) <= 1e-9 * max(1.0, abs(b_ref))
    assert est.solver_ == "cholesky" and est.n_features_in_ == P


def test_ridge_multi_target_and_per_target_alpha(dask_scheduler):
    X, Y = problem(seed=2, n_targets=3)
    alphas = np.array([0.1, 1.0, 10.0])
    mem = fastreg.Ridge(alpha=alphas).fit(X, Y)
    est = fastreg.Ridge(alpha=alphas).fit(to_dask(X), da.from_array(Y, chunks=(200, 2)))
    assert est.coef_.shape == (3, P) and est.intercept_.shape == (3,)
    assert rel(est.coef_, mem.coef_) < 1e-10
    assert rel(est.intercept_, mem.intercept_) < 1e-10


def test_ridge_large_column_means_do_not_cancel():
    """Columns with mean 1e6 and unit spread: the centred statistics are merged
    (Chan et al.), never formed as X^T X - n m m^T, so the fit equals the fit
    of the unshifted data (same coef, shifted intercept) to high accuracy."""
    X, y = problem(seed=3)
    shift = 1e6 * (1.0 + np.arange(P))
    with dask.config.set(scheduler="sync"):
        est = fastreg.Ridge(alpha=1.0).fit(to_dask(X + shift), y)
    w_ref, b_ref = ref.ridge_closed_form(X, y, 1.0)
    # the data themselves carry eps * 1e6 = 2e-10 of absolute round-off
    assert rel(est.coef_, w_ref) < 1e-7
    naive_G = (X + shift).T @ (X + shift) - N * np.outer((X + shift).mean(0),
                                                         (X + shift).mean(0))
    exact_G = (X - X.mean(0)).T @ (X - X.mean(0))
    # ... while the textbook formula loses everything at this shift
    assert rel(naive_G, exact_G) > 1e-4


def test_ridge_positive(dask_scheduler):
    X, y = problem(seed=4)
    mem = fastreg.Ridge(alpha=1.0, positive=True, tol=1e-12, max_iter=10000).fit(X, y)
    est = fastreg.Ridge(alpha=1.0, positive=True, tol=1e-12, max_iter=10000).fit(
        to_dask(X), y)
    assert np.all(est.coef_ >= 0)
    assert rel(est.coef_, mem.coef_) < 1e-6


def test_float32_input_gives_float32_attributes():
    X, y = problem(seed=5)
    with dask.config.set(scheduler="sync"):
        est = fastreg.Ridge(alpha=1.0).fit(to_dask(X.astype(np.float32)),
                                           y.astype(np.float32))
    assert est.coef_.dtype == np.float32
    w_ref, _ = ref.ridge_closed_form(X.astype(np.float32).astype(np.float64),
                                     y.astype(np.float32).astype(np.float64), 1.0)
    assert rel(est.coef_, w_ref) < 1e-6


# --------------------------------------------------------------------------
# Elastic-Net / Lasso
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "random"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_enet_matches_in_memory_objective_and_gap(dask_scheduler, layout, fit_intercept,
                                                  weights, l1_ratio):
    X, y = problem(seed=6)
    sw = make_sample_weight(N, weights)
    alpha = 0.05
    kw = dict(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-12,
              max_iter=5000)
    mem = fastreg.ElasticNet(**kw).fit(X, y, sample_weight=sw)
    est = fastreg.ElasticNet(**kw).fit(to_dask(X, layout), da.from_array(y, chunks=120),
                                       sample_weight=sw)
    obj = ref.enet_objective(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
    obj_mem = ref.enet_objective(X, y, mem.coef_, mem.intercept_, alpha, l1_ratio, sw)
    assert abs(obj - obj_mem) <= 1e-7 * obj_mem
    gap = ref.enet_duality_gap(X, y, est.coef_, est.intercept_, alpha, l1_ratio, sw,
                               fit_intercept=fit_intercept)
    assert gap <= 1e-9 * obj_mem
    np.testing.assert_array_equal(est.coef_ == 0, mem.coef_ == 0)  # same support
    assert est.dual_gap_ <= 1e-9 * obj_mem


def test_lasso_multi_target_and_warm_start(dask_scheduler):
    X, Y = problem(seed=7, n_targets=2)
    mem = fastreg.Lasso(alpha=0.02, tol=1e-12).fit(X, Y)
    est = fastreg.Lasso(alpha=0.02, tol=1e-12, warm_start=True).fit(to_dask(X), Y)
    assert est.coef_.shape == (2, P) and len(est.n_iter_) == 2
    for t in range(2):
        o = ref.enet_objective(X, Y[:, t], est.coef_[t], est.intercept_[t], 0.02)
        om = ref.enet_objective(X, Y[:, t], mem.coef_[t], mem.intercept_[t], 0.02)
        assert abs(o - om) <= 1e-7 * om
    est.fit(to_dask(X), Y)  # warm start from the solution: converges at once
    assert max(est.n_iter_) <= 1


def test_lasso_constant_column_and_column_chunked_input():
    X, y = problem(seed=8)
    X[:, 3] = 7.25  # constant: zeroed by the centring, as in memory
    Xd = da.from_array(X, chunks=(CHUNKS, (4, 5)))  # two column blocks: rechunked
    with dask.config.set(scheduler="sync"):
        est = fastreg.Lasso(alpha=0.01, tol=1e-12).fit(Xd, y)
    mem = fastreg.Lasso(alpha=0.01, tol=1e-12).fit(X, y)
    assert est.coef_[3] == 0.0
    o = ref.enet_objective(X, y, est.coef_, est.intercept_, 0.01)
    om = ref.enet_objective(X, y, mem.coef_, mem.intercept_, 0.01)
    assert abs(o - om) <= 1e-7 * om


# --------------------------------------------------------------------------
# RidgeCV
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "with_zeros"])
def test_ridge_cv_loo_equals_in_memory(dask_scheduler, layout, fit_intercept,
                                       weights):
    X, y = problem(seed=9)
    sw = make_sample_weight(N, weights)
    alphas = np.logspace(-3, 3, 13)
    mem = fastreg.RidgeCV(alphas=alphas, fit_intercept=fit_intercept).fit(
        X, y, sample_weight=sw)
    est = fastreg.RidgeCV(alphas=alphas, fit_intercept=fit_intercept).fit(
        to_dask(X, layout), y, sample_weight=sw)
    assert est.alpha_ == mem.alpha_
    assert abs(est.best_score_ - mem.best_score_) <= 1e-10 * abs(mem.best_score_)
    assert rel(est.coef_, mem.coef_) < 1e-10
    assert est.gcv_mode_ == "gram"
    # the chosen alpha's coefficients are the Ridge solution (oracle)
    w_ref, _ = ref.ridge_closed_form(X, y, est.alpha_, sample_weight=sw,
                                     fit_intercept=fit_intercept)
    assert rel(est.coef_, w_ref) < 1e-9


def test_ridge_cv_loo_score_is_true_leave_one_out():
    """best_score_ against brute force: refit without each sample (oracle)."""
    X, y = problem(seed=10, n=40, p=4)
    alphas = np.array([0.5, 5.0])
    with dask.config.set(scheduler="sync"):
        est = fastreg.RidgeCV(alphas=alphas).fit(to_dask(X, chunks=(13, 27)), y)
    errs = np.zeros(2)
    for i in range(40):
        keep = np.arange(40) != i
        for a, alpha in enumerate(alphas):
            w, b = ref.ridge_closed_form(X[keep], y[keep], alpha)
            errs[a] += (y[i] - X[i] @ w - b) ** 2
    scores = -errs / 40
    assert est.alpha_ == alphas[np.argmax(scores)]
    assert abs(est.best_score_ - scores.max()) <= 1e-10 * abs(scores.max())


def test_ridge_cv_alpha_per_target(dask_scheduler):
    X, Y = problem(seed=11, n_targets=2)
    alphas = np.logspace(-2, 4, 7)
    mem = fastreg.RidgeCV(alphas=alphas, alpha_per_target=True).fit(X, Y)
    est = fastreg.RidgeCV(alphas=alphas, alpha_per_target=True).fit(to_dask(X), Y)
    np.testing.assert_array_equal(est.alpha_, mem.alpha_)
    np.testing.assert_allclose(est.best_score_, mem.best_score_, rtol=1e-10)
    assert rel(est.coef_, mem.coef_) < 1e-10


@pytest.mark.parametrize("weights", [None, "random"])
def test_ridge_cv_kfold_equals_in_memory(dask_scheduler, weights):
    X, y = problem(seed=12)
    sw = make_sample_weight(N, weights)
    alphas = np.logspace(-2, 3, 6)
    mem = fastreg.RidgeCV(alphas=alphas, cv=4).fit(X, y, sample_weight=sw)
    est = fastreg.RidgeCV(alphas=alphas, cv=4).fit(to_dask(X), y, sample_weight=sw)
    assert est.alpha_ == mem.alpha_
    assert abs(est.best_score_ - mem.best_score_) <= 1e-9
    assert rel(est.coef_, mem.coef_) < 1e-10


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "random"])
def test_ridge_and_ridge_cv_standardize_equal_in_memory(dask_scheduler, layout,
                                                        fit_intercept, weights):
    """standardize=True on the statistics (Ridge, positive Ridge, RidgeCV
    leave-one-out and K-fold) equals the in-memory fits, which are checked
    against the standardised problem in test_ridge.py / test_ridge_cv.py."""
    X, y = problem(seed=21, shift=3.0)
    X = X * np.linspace(0.1, 30.0, P)
    sw = make_sample_weight(N, weights)
    swd = None if sw is None else da.from_array(sw, 77)
    Xd = to_dask(X, layout)
    for kw in (dict(), dict(positive=True, tol=1e-12, max_iter=100_000)):
        mem = fastreg.Ridge(alpha=2.0, fit_intercept=fit_intercept, standardize=True,
                            **kw).fit(X, y, sample_weight=sw)
        est = fastreg.Ridge(alpha=2.0, fit_intercept=fit_intercept, standardize=True,
                            **kw).fit(Xd, y, sample_weight=swd)
        if not kw:
            assert rel(est.coef_, mem.coef_) < 1e-10
            assert abs(est.intercept_ - mem.intercept_) <= 1e-10 * max(1.0, abs(mem.intercept_))
            continue
        # positive: coordinate descent (dense kernel vs Gram kernel), each
        # certified by its gap: the objectives of the standardised problem agree
        d = ref.standard_deviations(X, sw, fit_intercept)
        objs = [ref.ridge_objective(X / d, y, m.coef_ * d, m.intercept_, 2.0, sw)
                for m in (mem, est)]
        assert abs(objs[0] - objs[1]) <= 1e-10 * objs[0]
    alphas = np.logspace(-2, 3, 6)
    for cv in (None, 4):
        mem = fastreg.RidgeCV(alphas=alphas, cv=cv, fit_intercept=fit_intercept,
                              standardize=True).fit(X, y, sample_weight=sw)
        est = fastreg.RidgeCV(alphas=alphas, cv=cv, fit_intercept=fit_intercept,
                              standardize=True).fit(Xd, y, sample_weight=swd)
        assert est.alpha_ == mem.alpha_
        assert abs(est.best_score_ - mem.best_score_) <= 1e-9 * max(1.0, abs(mem.best_score_))
        assert rel(est.coef_, mem.coef_) < 1e-9


# --------------------------------------------------------------------------
# paths and LassoCV / ElasticNetCV
# --------------------------------------------------------------------------
def test_lasso_path_equals_in_memory(dask_scheduler):
    X, y = problem(seed=13)
    a_mem, c_mem, _ = fastreg.lasso_path(X, y, n_alphas=20, tol=1e-12, fit_intercept=True)
    a_d, c_d, gaps = fastreg.lasso_path(to_dask(X), y, n_alphas=20, tol=1e-12,
                                        fit_intercept=True)
    np.testing.assert_allclose(a_d, a_mem, rtol=1e-12)
    assert a_d[0] == pytest.approx(ref.alpha_max(X, y), rel=1e-12)
    for k in range(20):
        w = c_d[:, k]
        b = y.mean() - X.mean(0) @ w
        o = ref.enet_objective(X, y, w, b, a_d[k])
        bm = y.mean() - X.mean(0) @ c_mem[:, k]
        om = ref.enet_objective(X, y, c_mem[:, k], bm, a_mem[k])
        assert abs(o - om) <= 1e-7 * om


@pytest.mark.parametrize("weights", [None, "random"])
def test_enet_cv_equals_in_memory(dask_scheduler, weights):
    X, y = problem(seed=14)
    sw = make_sample_weight(N, weights)
    kw = dict(l1_ratio=[0.5, 1.0], cv=3, alphas=15, tol=1e-12, max_iter=10000)
    mem = fastreg.ElasticNetCV(**kw).fit(X, y, sample_weight=sw)
    est = fastreg.ElasticNetCV(**kw).fit(to_dask(X), y, sample_weight=sw)
    np.testing.assert_allclose(est.alphas_, mem.alphas_, rtol=1e-12)
    np.testing.assert_allclose(est.mse_path_, mem.mse_path_, rtol=1e-7)
    assert est.alpha_ == pytest.approx(mem.alpha_, rel=1e-12)
    assert est.l1_ratio_ == mem.l1_ratio_
    o = ref.enet_objective(X, y, est.coef_, est.intercept_, est.alpha_, est.l1_ratio_, sw)
    om = ref.enet_objective(X, y, mem.coef_, mem.intercept_, mem.alpha_, mem.l1_ratio_,
                            sw)
    assert abs(o - om) <= 1e-7 * om


def test_cv_with_shuffled_splitter_and_fold_boundaries():
    """KFold(shuffle=True) goes through explicit labels, plain KFold through
    boundaries computed on the workers: both equal the in-memory CV."""
    from sklearn.model_selection import KFold

    from fastreg._dask.stats import fold_labels

    X, y = problem(seed=18)
    for cv in (KFold(4, shuffle=True, random_state=0), KFold(4)):
        with dask.config.set(scheduler="sync"):
            est = fastreg.LassoCV(cv=cv, alphas=8, tol=1e-12).fit(to_dask(X), y)
        mem = fastreg.LassoCV(cv=cv, alphas=8, tol=1e-12).fit(X, y)
        np.testing.assert_allclose(est.mse_path_, mem.mse_path_, rtol=1e-7)
    bounds, K = fold_labels(KFold(4), N)
    tests = [t for _, t in KFold(4).split(np.zeros((N, 1)))]
    assert K == 4
    for k in range(4):
        np.testing.assert_array_equal(np.arange(bounds.bounds[k], bounds.bounds[k + 1]),
                                      tests[k])


def test_lasso_cv_sparse_chunks():
    X, y = problem(seed=15)
    with dask.config.set(scheduler="threads"):
        est = fastreg.LassoCV(cv=3, alphas=10, tol=1e-12).fit(to_dask(X, "sparse"), y)
    mem = fastreg.LassoCV(cv=3, alphas=10, tol=1e-12).fit(X, y)
    np.testing.assert_allclose(est.mse_path_, mem.mse_path_, rtol=1e-7)
    assert est.alpha_ == pytest.approx(mem.alpha_, rel=1e-12)


# --------------------------------------------------------------------------
# penalty factors and predict
# --------------------------------------------------------------------------
PF = np.array([0.0, 1.0, 2.0, 0.5, 1.0, 0.0, 1.0, 3.0, 1.0])


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("positive", [False, True])
def test_penalty_factor_matches_in_memory(dask_scheduler, layout, positive):
    """Zero and non-unit factors (with positive=True, the sign-constrained
    unpenalised projection) on Dask input: same objective as in memory, a
    certificate from the reference, the same alpha grid."""
    X, y = problem(seed=5)
    sw = make_sample_weight(N, "random", seed=2)
    kw = dict(positive=positive, penalty_factor=PF, tol=1e-10, max_iter=100000)
    a_max = ref.alpha_max(X, y, 1.0, sw, True, penalty_factor=PF, positive=positive)
    ours = fastreg.Lasso(alpha=a_max / 10, **kw).fit(to_dask(X, layout), y,
                                                     sample_weight=sw)
    mem = fastreg.Lasso(alpha=a_max / 10, **kw).fit(X, y, sample_weight=sw)
    obj = ref.enet_objective(X, y, ours.coef_, ours.intercept_, a_max / 10, 1.0, sw,
                             penalty_factor=PF)
    obj_mem = ref.enet_objective(X, y, mem.coef_, mem.intercept_, a_max / 10, 1.0, sw,
                                 penalty_factor=PF)
    assert abs(obj - obj_mem) <= 1e-7 * abs(obj_mem)
    gap = ref.enet_duality_gap(X, y, ours.coef_, ours.intercept_, a_max / 10, 1.0, sw,
                               True, positive, penalty_factor=PF)
    assert gap <= 1e-9 * obj_mem
    assert np.all(ours.coef_[PF == 0] != 0) or positive
    if positive:
        assert np.all(ours.coef_ >= 0)
    alphas, coefs, _ = fastreg.lasso_path(to_dask(X, layout), y, n_alphas=8, eps=1e-2,
                                          fit_intercept=True, sample_weight=sw, **kw)
    alphas_mem, coefs_mem, _ = fastreg.lasso_path(X, y, n_alphas=8, eps=1e-2,
                                                  fit_intercept=True, sample_weight=sw,
                                                  **kw)
    np.testing.assert_allclose(alphas, alphas_mem, rtol=1e-10)
    assert rel(coefs, coefs_mem) <= 1e-5


def test_penalty_factor_cv_matches_in_memory(dask_scheduler):
    X, y = problem(seed=6)
    kw = dict(cv=3, alphas=10, penalty_factor=PF, tol=1e-10, max_iter=100000)
    ours = fastreg.LassoCV(**kw).fit(to_dask(X), y)
    mem = fastreg.LassoCV(**kw).fit(X, y)
    np.testing.assert_allclose(ours.alphas_, mem.alphas_, rtol=1e-10)
    assert ours.alpha_ == pytest.approx(mem.alpha_, rel=1e-10)
    np.testing.assert_allclose(ours.mse_path_, mem.mse_path_, rtol=1e-6)
    assert rel(ours.coef_, mem.coef_) <= 1e-5


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("n_targets", [None, 2])
def test_predict_is_lazy_and_equals_in_memory(dask_scheduler, layout, n_targets):
    X, y = problem(seed=7, n_targets=n_targets)
    est = fastreg.Ridge(alpha=0.5).fit(X, y)
    Xd = to_dask(X, layout)
    pred = est.predict(Xd)
    assert is_dask_collection(pred)
    assert pred.shape == ((N,) if n_targets is None else (N, n_targets))
    np.testing.assert_allclose(pred.compute(), est.predict(X), rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="features"):
        est.predict(to_dask(X[:, :4]))


# --------------------------------------------------------------------------
# drivers return results; the estimators set their attributes from them
# --------------------------------------------------------------------------
def test_drivers_return_fit_results_without_an_estimator():
    """The drivers take parameters and return a FitResult: no estimator is
    passed, none is written to."""
    from fastreg._dask.enet import fit_enet_cv_dask, fit_enet_dask
    from fastreg._dask.ridge import fit_ridge_cv_dask, fit_ridge_dask
    from fastreg._result import ABSENT, FitResult

    X, y = problem(seed=23)
    Xd = to_dask(X)
    lasso = fastreg.Lasso(alpha=0.05, tol=1e-10)
    ridge_cv = fastreg.RidgeCV(alphas=np.array([0.1, 1.0]), cv=3)
    with dask.config.set(scheduler="sync"):
        results = [
            fit_enet_dask(dict(lasso.get_params(), l1_ratio=1.0), Xd, y),
            fit_enet_cv_dask(dict(fastreg.LassoCV(cv=3, alphas=5).get_params(),
                                  l1_ratio=1.0), Xd, y, None, [1.0], 1e-3),
            fit_ridge_dask(fastreg.Ridge().get_params(), Xd, y),
            fit_ridge_cv_dask(dict(ridge_cv.get_params(), alphas=ridge_cv.alphas), Xd, y),
        ]
        est = fastreg.Lasso(alpha=0.05, tol=1e-10).fit(Xd, y)
    for result in results:
        assert isinstance(result, FitResult)
        assert result.coef.shape == (P,)
        assert result.attributes["n_features_in"] == P
        assert result.attributes["feature_names_in"] is ABSENT
    np.testing.assert_array_equal(est.coef_, results[0].coef)
    assert est.intercept_ == results[0].intercept and est.n_iter_ == results[0].n_iter
    assert results[3].attributes["gcv_mode"] is None  # a value, not a deletion


def test_refit_on_dask_replaces_stale_attributes():
    """A Dask refit of an estimator fitted in memory leaves no attribute of the
    earlier fit: feature names, cv_results_; K-fold sets gcv_mode_ = None."""
    pd = pytest.importorskip("pandas")
    X, y = problem(seed=24)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(P)])
    est = fastreg.RidgeCV(alphas=np.array([0.1, 1.0]), store_cv_results=True).fit(frame, y)
    assert hasattr(est, "feature_names_in_") and hasattr(est, "cv_results_")
    with dask.config.set(scheduler="sync"):
        est.set_params(store_cv_results=False, cv=3).fit(to_dask(X), y)
    assert not hasattr(est, "feature_names_in_") and not hasattr(est, "cv_results_")
    assert est.gcv_mode_ is None and est.n_features_in_ == P


def test_enet_cv_explicit_alphas_and_column_y_shapes_as_in_memory():
    """Explicit alphas: alphas_ is the given alphas once (one grid), as in
    memory; a y of one column gives the in-memory shapes."""
    X, y = problem(seed=25)
    kw = dict(l1_ratio=[0.5, 1.0], cv=3, alphas=[0.3, 0.01, 0.1], tol=1e-12)
    mem = fastreg.ElasticNetCV(**kw).fit(X, y)
    with dask.config.set(scheduler="sync"):
        est = fastreg.ElasticNetCV(**kw).fit(to_dask(X), y)
        lasso = fastreg.Lasso(alpha=0.05).fit(to_dask(X), y[:, None])
        ridge = fastreg.Ridge(alpha=1.0).fit(to_dask(X), y[:, None])
    np.testing.assert_array_equal(est.alphas_, mem.alphas_)
    assert est.alphas_.shape == (3,) and est.mse_path_.shape == mem.mse_path_.shape
    lasso_mem = fastreg.Lasso(alpha=0.05).fit(X, y[:, None])
    ridge_mem = fastreg.Ridge(alpha=1.0).fit(X, y[:, None])
    for ours, theirs in ((lasso, lasso_mem), (ridge, ridge_mem)):
        assert ours.coef_.shape == theirs.coef_.shape
        assert np.shape(ours.intercept_) == np.shape(theirs.intercept_)
        assert rel(ours.intercept_, theirs.intercept_) < 1e-8


@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("standardize", [False, True])
def test_bounds_and_standardize_match_in_memory(dask_scheduler, layout, standardize):
    """Box constraints (with zero penalty factors) and standardisation on Dask
    input: the in-memory objective, the box KKT conditions, the same path grid."""
    X, y = problem(seed=6)
    p = X.shape[1]
    sw = make_sample_weight(N, "random", seed=3)
    lower = np.where(np.arange(p) % 3 == 0, -np.inf, -0.3)
    upper = np.where(np.arange(p) % 4 == 1, np.inf, 0.6)
    kw = dict(penalty_factor=PF, lower_bounds=lower, upper_bounds=upper,
              standardize=standardize, tol=1e-12, max_iter=100000)
    alpha = 0.02
    ours = fastreg.ElasticNet(alpha=alpha, l1_ratio=0.7, **kw).fit(to_dask(X, layout), y,
                                                                   sample_weight=sw)
    mem = fastreg.ElasticNet(alpha=alpha, l1_ratio=0.7, **kw).fit(X, y, sample_weight=sw)
    d = ref.standard_deviations(X, sw, True) if standardize else None
    args = (alpha, 0.7, sw, PF, lower, upper, d)
    obj = ref.enet_box_objective(X, y, ours.coef_, ours.intercept_, *args)
    obj_mem = ref.enet_box_objective(X, y, mem.coef_, mem.intercept_, *args)
    assert abs(obj - obj_mem) <= 1e-7 * abs(obj_mem)
    assert ref.enet_box_kkt_violation(X, y, ours.coef_, ours.intercept_, alpha, 0.7, sw,
                                      True, PF, lower, upper, d) < 1e-6
    assert np.any(ours.coef_ == upper) or np.any(ours.coef_ == lower)
    alphas, _, _ = fastreg.enet_path(to_dask(X, layout), y, l1_ratio=0.7, n_alphas=5,
                                     fit_intercept=True, sample_weight=sw, **kw)
    alphas_mem, _, _ = fastreg.enet_path(X, y, l1_ratio=0.7, n_alphas=5, fit_intercept=True,
                                         sample_weight=sw, **kw)
    np.testing.assert_allclose(alphas, alphas_mem, rtol=1e-10)
@pytest.mark.parametrize("weights", [None, "random"])
@pytest.mark.parametrize("positive", [False, True])
def test_relaxed_cv_equals_in_memory(dask_scheduler, weights, positive):
    """relax=True on statistics: the same normal equations on each fold's Gram
    matrix as in memory on its design, so the same errors, choice and model."""
    X, y = problem(seed=14)
    sw = make_sample_weight(N, weights)
    kw = dict(l1_ratio=[0.5, 1.0], cv=3, alphas=15, tol=1e-12, max_iter=10000,
              relax=True, positive=positive, alpha_rule="1se")
    mem = fastreg.ElasticNetCV(**kw).fit(X, y, sample_weight=sw)
    est = fastreg.ElasticNetCV(**kw).fit(to_dask(X), y, sample_weight=sw)
    assert est.mse_path_.shape == mem.mse_path_.shape == (2, 5, 15, 3)
    np.testing.assert_allclose(est.mse_path_, mem.mse_path_, rtol=1e-7)
    assert est.alpha_ == pytest.approx(mem.alpha_, rel=1e-12)
    assert (est.l1_ratio_, est.gamma_) == (mem.l1_ratio_, mem.gamma_)
    np.testing.assert_array_equal(est.gammas_, mem.gammas_)
    assert rel(est.coef_, mem.coef_) < 1e-7
    assert rel(est.coef_penalized_, mem.coef_penalized_) < 1e-7
    assert abs(est.intercept_ - mem.intercept_) <= 1e-7 * max(1.0, abs(mem.intercept_))


def test_relaxed_cv_with_a_box_equals_in_memory(dask_scheduler):
    """relax=True with a general box on statistics: the same bounded refits."""
    X, y = problem(seed=15)
    lower = np.full(X.shape[1], -0.3)
    upper = np.full(X.shape[1], 0.4)
    lower[::3] = -np.inf
    kw = dict(cv=3, alphas=15, tol=1e-12, max_iter=10000, relax=True, gammas=[0.0, 0.5],
              lower_bounds=lower, upper_bounds=upper)
    mem = fastreg.LassoCV(**kw).fit(X, y)
    est = fastreg.LassoCV(**kw).fit(to_dask(X), y)
    np.testing.assert_allclose(est.mse_path_, mem.mse_path_, rtol=1e-7)
    assert (est.alpha_, est.gamma_) == (pytest.approx(mem.alpha_, rel=1e-12), mem.gamma_)
    assert rel(est.coef_, mem.coef_) < 1e-7
    assert np.all(est.coef_ >= lower) and np.all(est.coef_ <= upper)


# --------------------------------------------------------------------------
# MultiTaskElasticNet / MultiTaskLasso (fastreg._dask.multi_task)
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("weights", [None, "random"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_multi_task_matches_in_memory_objective_and_gap(dask_scheduler, layout,
                                                        fit_intercept, weights, l1_ratio):
    X, Y = problem(seed=7, shift=3.0, n_targets=3)
    sw = make_sample_weight(N, weights)
    alpha = 0.3 * ref.multitask_alpha_max(X, Y, l1_ratio, sw, fit_intercept)
    kw = dict(alpha=alpha, fit_intercept=fit_intercept, tol=1e-12, max_iter=5000)
    cls = fastreg.MultiTaskLasso if l1_ratio == 1 else fastreg.MultiTaskElasticNet
    if l1_ratio != 1:
        kw["l1_ratio"] = l1_ratio
    mem = cls(**kw).fit(X, Y, sample_weight=sw)
    est = cls(**kw).fit(to_dask(X, layout), da.from_array(Y, chunks=(120, 3)),
                        sample_weight=sw)
    obj = ref.multitask_objective(X, Y, est.coef_, est.intercept_, alpha, l1_ratio, sw)
    obj_mem = ref.multitask_objective(X, Y, mem.coef_, mem.intercept_, alpha, l1_ratio, sw)
    assert abs(obj - obj_mem) <= 1e-7 * obj_mem
    gap = ref.multitask_duality_gap(X, Y, est.coef_, est.intercept_, alpha, l1_ratio, sw,
                                    fit_intercept=fit_intercept)
    assert gap <= 1e-9 * obj_mem
    assert est.dual_gap_ <= 1e-9 * obj_mem
    np.testing.assert_array_equal(np.any(est.coef_ != 0, axis=0),
                                  np.any(mem.coef_ != 0, axis=0))
    assert est.coef_.shape == (3, P) and est.intercept_.shape == (3,)
    assert rel(est.intercept_, mem.intercept_) < 1e-6


def test_multi_task_penalty_factor_and_refusals(dask_scheduler):
    X, Y = problem(seed=8, n_targets=2)
    pf = np.ones(P)
    pf[0] = 0.0  # unpenalised: the projection from the statistics
    pf[1] = 2.5
    kw = dict(alpha=0.2, tol=1e-12, max_iter=5000, penalty_factor=pf)
    mem = fastreg.MultiTaskLasso(**kw).fit(X, Y)
    est = fastreg.MultiTaskLasso(**kw).fit(to_dask(X), da.from_array(Y, chunks=(120, 2)))
    obj = ref.multitask_objective(X, Y, est.coef_, est.intercept_, 0.2, penalty_factor=pf)
    obj_mem = ref.multitask_objective(X, Y, mem.coef_, mem.intercept_, 0.2,
                                      penalty_factor=pf)
    assert abs(obj - obj_mem) <= 1e-7 * obj_mem
    assert est.coef_[:, 0].any()
    with pytest.raises(ValueError, match="2-D"):
        fastreg.MultiTaskLasso().fit(to_dask(X), da.from_array(Y[:, 0], chunks=120))
