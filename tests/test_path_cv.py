"""Paths and cross-validation: lasso_path / enet_path, LassoCV / ElasticNetCV.

Paths are checked point by point against scikit-learn's paths (same grid,
objective within 1e-7) and against the independent duality gap of
``fastreg.reference``; screening is checked on adversarial, highly correlated
designs against the reference solver, which screens nothing. CV must choose
the same alpha as scikit-learn on the same folds.
"""
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.linear_model as sklm
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import ElasticNetCV, LassoCV, enet_path, lasso_path
from fastreg import reference as ref

from conftest import LAYOUTS, make_problem, make_sample_weight, to_layout

N, P = 50, 80


def _quiet(fn, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fn(*args, **kw)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_path_matches_sklearn_at_every_alpha(layout, l1_ratio):
    X, y = make_problem(n=N, p=P, n_nonzero=6, rho=0.6, seed=1)
    Xl = to_layout(X, layout)
    alphas, coefs, gaps = enet_path(Xl, y, l1_ratio=l1_ratio, n_alphas=30, tol=1e-12,
                                    max_iter=100000)
    sk_alphas, sk_coefs, _ = _quiet(sklm.enet_path, X, y, l1_ratio=l1_ratio, alphas=30,
                                    tol=1e-12, max_iter=100000)
    np.testing.assert_allclose(alphas, sk_alphas, rtol=1e-14)
    assert coefs.shape == (P, 30) and gaps.shape == (30,)
    for i, a in enumerate(alphas):
        ours = ref.enet_objective(X, y, coefs[:, i], 0.0, a, l1_ratio)
        theirs = ref.enet_objective(X, y, sk_coefs[:, i], 0.0, a, l1_ratio)
        assert ours <= theirs * (1 + 1e-7)
        assert abs(ours - theirs) <= 1e-7 * theirs
        gap = ref.enet_duality_gap(X, y, coefs[:, i], 0.0, a, l1_ratio, fit_intercept=False)
        assert gap <= 1e-12 * (y @ y) / N * 1.01
        assert gaps[i] <= 1e-12 * (y @ y) / N * 1.01


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("sw_kind", [None, "random"])
@pytest.mark.parametrize("positive", [False, True])
def test_path_with_intercept_and_weights_is_certified(layout, sw_kind, positive):
    X, y = make_problem(n=N, p=P, n_nonzero=6, rho=0.5, seed=2, positive_truth=positive)
    sw = make_sample_weight(N, sw_kind, seed=3)
    a_max = ref.alpha_max(X, y, 1.0, sw, True)
    alphas, coefs, gaps = enet_path(to_layout(X, layout), y, l1_ratio=1.0, n_alphas=20,
                                    eps=1e-2, tol=1e-10, max_iter=100000,
                                    fit_intercept=True, sample_weight=sw, positive=positive)
    if not positive:
        assert alphas[0] == pytest.approx(a_max, rel=1e-12)
    assert np.all(coefs[:, 0] == 0)  # alpha_max gives the zero solution
    yc = y - np.average(y, weights=sw)
    bound = 1e-10 * np.average(yc ** 2, weights=sw) * 1.01
    for i, a in enumerate(alphas):
        w = coefs[:, i]
        if positive:
            assert np.all(w >= 0)
        b = np.average(y - X @ w, weights=sw)
        assert ref.enet_duality_gap(X, y, w, b, a, 1.0, sw, True, positive) <= bound


def test_screening_keeps_active_features_on_correlated_design():
    """rho = 0.99: neighbouring features are near duplicates, the hardest case
    for safe rules. Every point of the path must be optimal, i.e. as good as
    the reference solver that never screens, and satisfy KKT."""
    X, y = make_problem(n=40, p=60, n_nonzero=8, rho=0.99, density=1.0, seed=4)
    alphas, coefs, _ = lasso_path(X, y, n_alphas=25, eps=1e-3, tol=1e-12,
                                  max_iter=200000, fit_intercept=True)
    for i in range(0, 25, 3):
        a = alphas[i]
        w = coefs[:, i]
        b = y.mean() - X.mean(axis=0) @ w
        ref_w, ref_b, _, _ = ref.enet_coordinate_descent(X, y, a, tol=1e-13, max_iter=200000)
        ours = ref.enet_objective(X, y, w, b, a)
        theirs = ref.enet_objective(X, y, ref_w, ref_b, a)
        assert ours <= theirs * (1 + 1e-9)
        assert ref.enet_kkt_violation(X, y, w, b, a) <= 1e-5 * a


def test_path_explicit_alphas_coef_init_and_n_iter():
    X, y = make_problem(n=N, p=P, seed=5)
    alphas, coefs, gaps, n_iter = lasso_path(X, y, alphas=[0.01, 0.1, 0.05],
                                             return_n_iter=True, tol=1e-10)
    np.testing.assert_array_equal(alphas, [0.1, 0.05, 0.01])  # decreasing, as sklearn
    assert n_iter.shape == (3,) and np.all(n_iter >= 0)
    # starting at the solution: the gap check before the first epoch suffices
    _, again, _, n_iter2 = lasso_path(X, y, alphas=[0.1], coef_init=coefs[:, 0],
                                      return_n_iter=True, tol=1e-10)
    assert n_iter2[0] == 0
    np.testing.assert_array_equal(again[:, 0], coefs[:, 0])


def test_path_rejects_bad_input():
    X, y = make_problem(n=N, p=P, seed=6)
    with pytest.raises(ValueError, match="y"):
        lasso_path(X, np.stack([y, y], axis=1))
    with pytest.raises(ValueError, match="alphas"):
        lasso_path(X, y, alphas=[-1.0])
    with pytest.raises(ValueError, match="l1_ratio"):
        enet_path(X, y, l1_ratio=0.0)  # automatic grid needs an L1 term
    with pytest.raises(ValueError, match="coef_init"):
        lasso_path(X, y, coef_init=np.zeros(P + 1))
    with pytest.raises(ValueError, match="Unexpected parameters in params"):
        lasso_path(X, y, bogus=1)


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
    # solutions stop earlier than ours (test_path_matches_sklearn_at_every_alpha
    # shows ours are never worse), so held-out errors agree to ~1e-4, not 1e-6.
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


def test_auto_gram_mode_weighs_sparse_epochs_by_nnz():
    """A sparse epoch costs nnz, not n * p: on a sparse design with cheap epochs
    precompute='auto' must not build a dense p x p Gram matrix (on the real
    we8there data that made a 100-alpha path 14x slower), while the dense
    design of the same shape, whose epochs cost n * p, does use it."""
    from fastreg._enet_solver import gram_for
    from fastreg._preprocess import preprocess

    X = sp.random(3000, 400, density=0.01, format="csc", random_state=0)
    y = np.random.default_rng(0).standard_normal(3000)
    assert gram_for(preprocess(X, y, None, False), "auto", 100) is None
    assert gram_for(preprocess(X.toarray(), y, None, False), "auto", 100) is not None
    # forcing it still works, and gives the same path
    a = lasso_path(X, y, n_alphas=5, tol=1e-10, precompute=True)[1]
    b = lasso_path(X, y, n_alphas=5, tol=1e-10, precompute=False)[1]
    np.testing.assert_allclose(a, b, rtol=1e-7, atol=1e-10)


# ---------------------------------------------------------------------------
# scikit-learn drop-in details (issue 12)
# ---------------------------------------------------------------------------

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


def test_enet_path_unexpected_params():
    X, y = make_problem(n=20, p=5)
    with pytest.raises(ValueError, match="Unexpected parameters in params"):
        enet_path(X, y, normalize=True)


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
