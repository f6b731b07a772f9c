"""fastreg._cv: ``LassoCV`` and ``ElasticNetCV``.

CV must choose the same alpha (and l1_ratio) as scikit-learn on the same
folds, with the same held-out errors; also the one-standard-error rule,
threads (``n_jobs``), explicit alpha grids, routing of ``groups`` to the
splitter, ``tol=0``, the errors on bad arguments and scikit-learn's estimator
checks for both estimators.
"""
import warnings

import numpy as np
import pytest
import sklearn.linear_model as sklm
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import ElasticNetCV, LassoCV, enet_path, lasso_path

from conftest import make_problem, make_sample_weight, to_layout


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kw)


@pytest.mark.parametrize("layout", ["dense", "csr"])
@pytest.mark.parametrize("sw_kind", [None, "random"])
def test_lassocv_picks_sklearns_alpha(layout, sw_kind):
    X, y = make_problem(n=80, p=40, n_nonzero=5, rho=0.4, noise=1.0, seed=7)
    sw = make_sample_weight(80, sw_kind, seed=8)
    cv = KFold(4, shuffle=True, random_state=0)
    ours = LassoCV(cv=cv, alphas=40, tol=1e-10, max_iter=100000).fit(
        to_layout(X, layout), y, sample_weight=sw)
    theirs = _quiet(sklm.LassoCV(cv=cv, alphas=40, tol=1e-10, max_iter=100000).fit,
                    X, y, sample_weight=sw)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-6)
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-12)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, rtol=1e-5, atol=1e-8)
    assert ours.mse_path_.shape == (40, 4)


def test_elasticnetcv_grid_over_l1_ratio():
    X, y = make_problem(n=80, p=40, n_nonzero=5, rho=0.7, noise=1.0, seed=9)
    cv = KFold(3)
    ratios = [0.2, 0.6, 1.0]
    ours = ElasticNetCV(l1_ratio=ratios, cv=cv, alphas=20, tol=1e-10).fit(X, y)
    theirs = _quiet(sklm.ElasticNetCV(l1_ratio=ratios, cv=cv, alphas=20, tol=1e-10).fit,
                    X, y)
    assert ours.mse_path_.shape == (3, 20, 3) and ours.alphas_.shape == (3, 20)
    np.testing.assert_allclose(ours.alphas_, theirs.alphas_, rtol=1e-12)
    # For l1_ratio < 1 scikit-learn certifies with the rescaled-residual dual
    # point only, which is loose when the L2 part dominates: at small alphas its
    # solutions stop earlier than ours (test_path_matches_sklearn_at_every_alpha,
    # in test_path.py, shows ours are never worse), so held-out errors agree to
    # ~1e-4, not 1e-6.
    np.testing.assert_allclose(ours.mse_path_, theirs.mse_path_, rtol=1e-4)
    assert ours.l1_ratio_ == theirs.l1_ratio_
    assert ours.alpha_ == pytest.approx(theirs.alpha_, rel=1e-12)


def test_threads_give_identical_cv():
    X, y = make_problem(n=90, p=60, seed=10)
    a = LassoCV(cv=3, n_jobs=1).fit(X, y)
    b = LassoCV(cv=3, n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(a.mse_path_, b.mse_path_)
    assert a.alpha_ == b.alpha_


def test_one_standard_error_rule():
    X, y = make_problem(n=80, p=40, noise=2.0, seed=11)
    cv = KFold(5)
    best = LassoCV(cv=cv).fit(X, y)
    se = LassoCV(cv=cv, alpha_rule="1se").fit(X, y)
    assert se.alpha_ >= best.alpha_
    mean = best.mse_path_.mean(axis=1)
    j_min = np.argmin(mean)
    bound = mean[j_min] + best.mse_path_[j_min].std(ddof=1) / np.sqrt(5)
    j = np.flatnonzero(best.alphas_ == se.alpha_)[0]
    assert mean[j] <= bound
    # no larger alpha of the grid is within one standard error
    assert np.all(mean[:j] > bound)


def test_cv_rejects_2d_y_and_bad_rule():
    X, y = make_problem(n=40, p=10, seed=12)
    with pytest.raises(ValueError, match="y"):
        LassoCV().fit(X, np.stack([y, y], axis=1))
    with pytest.raises(ValueError, match="alpha_rule"):
        LassoCV(alpha_rule="2se").fit(X, y)


@parametrize_with_checks([LassoCV(cv=3), ElasticNetCV(cv=3)])
def test_sklearn_compatible_cv_estimator(estimator, check):
    check(estimator)


def test_enet_cv_explicit_alphas_shape():
    """alphas_ holds the given alphas once (sorted, decreasing), however many
    l1_ratios; a computed grid is one row per l1_ratio."""
    X, y = make_problem(n=60, p=8)
    est = ElasticNetCV(alphas=[0.05, 0.1, 0.01], l1_ratio=[0.5, 0.7], cv=3).fit(X, y)
    assert np.array_equal(est.alphas_, [0.1, 0.05, 0.01])
    assert est.mse_path_.shape == (2, 3, 3)
    assert ElasticNetCV(alphas=4, l1_ratio=[0.5, 0.7], cv=3).fit(X, y).alphas_.shape == (2, 4)


@pytest.mark.parametrize("Est", [LassoCV, ElasticNetCV])
@pytest.mark.parametrize("alphas, err, msg", [
    ((1, -1, -100), ValueError, r"alphas\[1\] == -1, must be >= 0.0."),
    ((1, 1.0, "1"), TypeError, r"alphas\[2\] must be an instance of float, not str"),
])
def test_cv_alphas_validation(Est, alphas, err, msg):
    X, y = make_problem(n=20, p=5)
    with pytest.raises(err, match=msg):
        Est(alphas=alphas, cv=2).fit(X, y)
    with pytest.raises(err, match=msg):
        enet_path(X, y, alphas=alphas)


@pytest.mark.parametrize("Est", [LassoCV, ElasticNetCV])
def test_cv_routes_groups_to_the_splitter(Est):
    import sklearn
    from sklearn.model_selection import GroupKFold
    X, y = make_problem(n=60, p=8)
    groups = np.arange(60) % 4
    with pytest.raises(ValueError, match="is only supported if enable_metadata_routing"):
        Est(cv=GroupKFold(4)).fit(X, y, groups=groups)
    with sklearn.config_context(enable_metadata_routing=True):
        routed = Est(cv=GroupKFold(4)).fit(X, y, groups=groups)
        folds = list(GroupKFold(4).split(X, y, groups))
    explicit = Est(cv=folds).fit(X, y)
    assert routed.alpha_ == explicit.alpha_
    assert np.array_equal(routed.mse_path_, explicit.mse_path_)


@pytest.mark.parametrize("Est", [LassoCV, ElasticNetCV])
def test_cv_tol_zero(Est):
    X, y = make_problem(n=40, p=8)
    with pytest.warns(ConvergenceWarning):
        est = Est(tol=0, max_iter=3, cv=2, alphas=3).fit(X, y)
    assert est.n_iter_ <= 3
    with pytest.warns(ConvergenceWarning):
        n_iters = lasso_path(X, y, alphas=[0.1, 0.01], tol=0, max_iter=3,
                             return_n_iter=True)[3]
    assert np.array_equal(n_iters, [3, 3])


@pytest.mark.parametrize("standardize", [False, True])
def test_cv_with_bounds_and_standardize_refits_the_box_problem(standardize):
    import fastreg
    from fastreg import reference as ref

    rng = np.random.default_rng(11)
    X = rng.standard_normal((90, 15)) * rng.uniform(0.3, 3.0, 15)
    y = X[:, :4] @ np.array([2.0, -1.5, 1.0, 0.5]) + rng.standard_normal(90)
    lower, upper = -0.5, np.where(np.arange(15) < 2, np.inf, 0.7)
    cv = fastreg.ElasticNetCV(l1_ratio=0.8, cv=3, alphas=10, lower_bounds=lower,
                              upper_bounds=upper, standardize=standardize, tol=1e-10,
                              max_iter=100000).fit(X, y)
    assert np.all(cv.coef_ >= lower) and np.all(cv.coef_ <= upper)
    d = ref.standard_deviations(X) if standardize else None
    assert ref.enet_box_kkt_violation(X, y, cv.coef_, cv.intercept_, cv.alpha_, 0.8, None,
                                      True, None, np.full(15, lower), upper, d) < 1e-6
    same = fastreg.ElasticNet(alpha=cv.alpha_, l1_ratio=0.8, precompute="auto",
                              lower_bounds=lower,
                              upper_bounds=upper, standardize=standardize, tol=1e-10,
                              max_iter=100000).fit(X, y)
    np.testing.assert_array_equal(cv.coef_, same.coef_)
    # The grid starts at the box problem's alpha_max: zero coefficients there.
    _, coefs, _ = fastreg.enet_path(X, y, l1_ratio=0.8, alphas=cv.alphas_[:1],
                                    fit_intercept=True, lower_bounds=lower,
                                    upper_bounds=upper, standardize=standardize)
    assert np.all(coefs[:, 0] == 0)
