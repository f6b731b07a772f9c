"""fastreg._cv: ``LassoCV`` and ``ElasticNetCV``.

CV must choose the same alpha (and l1_ratio) as scikit-learn on the same
folds, with the same held-out errors; also the one-standard-error rule,
threads (``n_jobs``), explicit alpha grids, routing of ``groups`` to the
splitter, ``tol=0``, the errors on bad arguments and scikit-learn's estimator
checks for both estimators. Relaxed fits (``relax=True``): the held-out
errors against a brute-force loop (each fold's path, its lstsq refits, the
blends), the choice of the (gamma, alpha) pair by both rules, the final model
against lstsq on its support, the ends gamma=1 and gamma=0, the parameters'
checks, and ``relax=False`` unchanged.
"""
import warnings

import numpy as np
import pytest
import sklearn.linear_model as sklm
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import KFold
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import ElasticNetCV, LassoCV, enet_path, lasso_path
from fastreg import reference as ref
from fastreg._cv_folds import cv_mse_path

from conftest import DTYPES, LAYOUTS, make_problem, make_sample_weight, to_layout


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


RELAXED_WEIGHT_CHECK = (
    "the check's folds hold out rows that are also training rows (its data "
    "repeat X three times), so every relaxed refit with an interpolating "
    "support has a held-out error of zero up to round-off, and the chosen "
    "alpha is round-off's; test_relaxed_sample_weight_is_repetition checks "
    "the equivalence on held-out rows that are not training rows")


def expected_failed_checks(estimator):
    if estimator.relax:
        return {"check_sample_weight_equivalence_on_dense_data": RELAXED_WEIGHT_CHECK}
    return {}


@parametrize_with_checks([LassoCV(cv=3), ElasticNetCV(cv=3), LassoCV(cv=3, relax=True),
                          ElasticNetCV(cv=3, relax=True, gammas=[0.0, 0.5])],
                         expected_failed_checks=expected_failed_checks)
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
    # path_'s column at alpha_ solves the same problem, warm-started: equal to
    # the tolerance (both certified; the Elastic-Net's L2 term makes the box
    # problem strongly convex)
    j = int(np.flatnonzero(cv.path_.alphas == cv.alpha_)[0])
    np.testing.assert_allclose(cv.path_.coefs[:, j], same.coef_, rtol=0, atol=1e-6)
    # The grid starts at the box problem's alpha_max: zero coefficients there.
    _, coefs, _ = fastreg.enet_path(X, y, l1_ratio=0.8, alphas=cv.alphas_[:1],
                                    fit_intercept=True, lower_bounds=lower,
                                    upper_bounds=upper, standardize=standardize)
    assert np.all(coefs[:, 0] == 0)
# --------------------------------------------------------------------------
# relaxed fits
# --------------------------------------------------------------------------
GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0)


def _weighted_lstsq(X, y, sw, fit_intercept, A):
    """(coef of length p, intercept) of the weighted least squares on columns A."""
    s = np.sqrt(np.ones(X.shape[0]) if sw is None else sw)
    M = X[:, A]
    if fit_intercept:
        M = np.column_stack([M, np.ones(X.shape[0])])
    sol = np.linalg.lstsq(M * s[:, None], y * s, rcond=None)[0]
    coef = np.zeros(X.shape[1])
    coef[A] = sol[:A.size]
    return coef, (sol[-1] if fit_intercept else 0.0)


def _brute_force_relaxed_mse(X, y, sw, folds, alphas, l1_ratio, fit_intercept):
    """(n_gammas, n_alphas, n_folds): each fold's path by enet_path, the lstsq
    refit on each support, the blend, its weighted held-out error."""
    out = np.empty((len(GAMMAS), len(alphas), len(folds)))
    for f, (train, test) in enumerate(folds):
        swt = None if sw is None else sw[train]
        _, coefs, _ = enet_path(X[train], y[train], l1_ratio=l1_ratio, alphas=alphas,
                                tol=1e-12, max_iter=100000, fit_intercept=fit_intercept,
                                sample_weight=swt)
        for j in range(len(alphas)):
            w = coefs[:, j]
            s = np.ones(len(train)) if swt is None else swt
            b = (s @ (y[train] - X[train] @ w) / s.sum()) if fit_intercept else 0.0
            w_ols, b_ols = _weighted_lstsq(X[train], y[train], swt, fit_intercept,
                                           np.flatnonzero(w))
            for g, gamma in enumerate(GAMMAS):
                pred = X[test] @ (gamma * w + (1 - gamma) * w_ols) + (gamma * b
                                                                     + (1 - gamma) * b_ols)
                out[g, j, f] = np.average((y[test] - pred) ** 2,
                                          weights=None if sw is None else sw[test])
    return out


@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sw_kind", [None, "random"])
def test_relaxed_mse_path_is_brute_force(fit_intercept, sw_kind):
    X, y = make_problem(n=70, p=25, n_nonzero=5, noise=1.0, seed=21)
    sw = make_sample_weight(70, sw_kind, seed=22)
    cv = KFold(4, shuffle=True, random_state=1)
    est = LassoCV(cv=cv, alphas=12, tol=1e-12, max_iter=100000, relax=True,
                  fit_intercept=fit_intercept).fit(X, y, sample_weight=sw)
    assert est.mse_path_.shape == (5, 12, 4)
    assert np.array_equal(est.gammas_, GAMMAS)
    folds = list(cv.split(X, y))
    brute = _brute_force_relaxed_mse(X, y, sw, folds, est.alphas_, 1.0, fit_intercept)
    np.testing.assert_allclose(est.mse_path_, brute, rtol=1e-7)


def test_relaxed_picks_the_argmin_pair():
    X, y = make_problem(n=80, p=40, n_nonzero=4, noise=1.0, seed=23)
    est = ElasticNetCV(l1_ratio=[0.5, 0.9], cv=KFold(4), alphas=30, relax=True).fit(X, y)
    assert est.mse_path_.shape == (2, 5, 30, 4)
    mean = est.mse_path_.mean(axis=3)
    i, g, j = np.unravel_index(np.argmin(mean), mean.shape)
    assert est.l1_ratio_ == [0.5, 0.9][i]
    assert est.gamma_ == GAMMAS[g]
    assert est.alpha_ == est.alphas_[i, j]
    # relaxing helps here (a sparse truth, correlated noise features)
    assert mean[i, g, j] <= mean[:, -1].min()


def test_relaxed_one_standard_error_rule():
    X, y = make_problem(n=80, p=40, noise=2.0, seed=24)
    cv = KFold(5)
    best = LassoCV(cv=cv, relax=True).fit(X, y)
    se = LassoCV(cv=cv, relax=True, alpha_rule="1se").fit(X, y)
    np.testing.assert_array_equal(se.mse_path_, best.mse_path_)
    mean = best.mse_path_.mean(axis=2)  # (n_gammas, n_alphas)
    g_min, j_min = np.unravel_index(np.argmin(mean), mean.shape)
    bound = mean[g_min, j_min] + best.mse_path_[g_min, j_min].std(ddof=1) / np.sqrt(5)
    j = int(np.flatnonzero(best.alphas_ == se.alpha_)[0])
    g = GAMMAS.index(se.gamma_)
    assert mean[g, j] <= bound
    assert np.all(mean[:, :j] > bound)       # no larger alpha, at any gamma
    assert np.all(mean[g + 1:, j] > bound)   # no larger gamma at that alpha
    assert se.alpha_ >= best.alpha_


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sw_kind", [None, "random"])
def test_relaxed_model_is_the_blend_with_lstsq_on_its_support(layout, dtype, fit_intercept,
                                                              sw_kind):
    X, y = make_problem(n=60, p=20, seed=25)
    sw = make_sample_weight(60, sw_kind, seed=26)
    fit_tol = 1e-10 if dtype == np.float64 else 1e-6
    est = LassoCV(cv=3, alphas=15, relax=True, tol=fit_tol, fit_intercept=fit_intercept).fit(
        to_layout(X, layout, dtype), y.astype(dtype), sample_weight=sw)
    assert est.coef_.dtype == dtype
    tol = 1e-8 if dtype == np.float64 else 1e-4
    # the penalised model is the cold refit at alpha_, certified there
    plain = LassoCV(alphas=[est.alpha_], cv=3, tol=fit_tol, fit_intercept=fit_intercept).fit(
        to_layout(X, layout, dtype), y.astype(dtype), sample_weight=sw)
    np.testing.assert_array_equal(est.coef_penalized_, plain.coef_)
    assert est.intercept_penalized_ == plain.intercept_
    assert est.dual_gap_ == plain.dual_gap_
    w = np.ones(60) if sw is None else np.asarray(sw, dtype=float)
    yc = y - (np.average(y, weights=w) if fit_intercept else 0.0)
    scale_gap = np.average(yc ** 2, weights=w)
    gap = ref.enet_duality_gap(X, y, est.coef_penalized_.astype(np.float64),
                               float(est.intercept_penalized_), est.alpha_, 1.0, sw,
                               fit_intercept)
    assert gap <= (1e-9 if dtype == np.float64 else 1e-5) * scale_gap
    A = np.flatnonzero(est.coef_penalized_)
    w_ols, b_ols = _weighted_lstsq(X, y, sw, fit_intercept, A)
    g = est.gamma_
    scale = max(1.0, np.abs(w_ols).max())
    np.testing.assert_allclose(est.coef_, g * est.coef_penalized_ + (1 - g) * w_ols, rtol=0,
                               atol=tol * scale)
    assert est.intercept_ == pytest.approx(g * est.intercept_penalized_ + (1 - g) * b_ols,
                                           abs=tol * max(1.0, abs(b_ols)))
    np.testing.assert_allclose(est.predict(to_layout(X, layout, dtype)),
                               X @ est.coef_ + est.intercept_, rtol=0, atol=10 * tol * scale)


def test_relaxed_ends_gamma_one_and_zero():
    """gammas=[1]: the plain fit, bit for bit; gammas=[0]: lstsq on the support."""
    X, y = make_problem(n=70, p=30, seed=27)
    sw = make_sample_weight(70, "random", seed=28)
    cv = KFold(3)
    plain = LassoCV(cv=cv, alphas=20).fit(X, y, sample_weight=sw)
    one = LassoCV(cv=cv, alphas=20, relax=True, gammas=[1.0]).fit(X, y, sample_weight=sw)
    np.testing.assert_array_equal(one.mse_path_[0], plain.mse_path_)
    assert one.alpha_ == plain.alpha_ and one.gamma_ == 1.0
    np.testing.assert_array_equal(one.coef_, plain.coef_)
    assert one.intercept_ == plain.intercept_
    zero = LassoCV(cv=cv, alphas=20, relax=True, gammas=[0.0]).fit(X, y, sample_weight=sw)
    w_ols, b_ols = _weighted_lstsq(X, y, sw, True, np.flatnonzero(zero.coef_penalized_))
    np.testing.assert_allclose(zero.coef_, w_ols, rtol=0, atol=1e-8)
    assert zero.intercept_ == pytest.approx(b_ols, abs=1e-8)


def test_relaxed_positive_keeps_the_constraint():
    X, y = make_problem(n=70, p=30, seed=29)
    y = y - 2.0 * X[:, 0]
    est = LassoCV(cv=3, positive=True, relax=True, gammas=[0.0]).fit(X, y)
    assert np.all(est.coef_ >= 0) and np.all(est.coef_penalized_ >= 0)
    assert not est.coef_[est.coef_penalized_ == 0].any()


def test_relax_false_is_unchanged():
    """relax=False: the engine's plain held-out errors, the plain choice, no
    relaxed attribute (and a refit without relax removes them)."""
    X, y = make_problem(n=60, p=30, seed=30)
    folds = list(KFold(3).split(X, y))
    est = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=folds, alphas=10, gammas=[0.3]).fit(X, y)
    grids = est.alphas_
    params = dict(tol=1e-4, max_iter=1000, positive=False, random_state=None,
                  selection="cyclic", precompute="auto", penalty_factor=None)
    engine = cv_mse_path(X, y, None, folds, grids, [0.5, 1.0], True, params)
    np.testing.assert_array_equal(est.mse_path_, engine)
    mean = engine.mean(axis=2)
    i, j = np.unravel_index(np.argmin(mean), mean.shape)
    assert (est.l1_ratio_, est.alpha_) == ([0.5, 1.0][i], grids[i, j])
    est.set_params(relax=True).fit(X, y)
    assert est.gamma_ == 0.3
    est.set_params(relax=False).fit(X, y)
    for name in ("gamma_", "gammas_", "coef_penalized_", "intercept_penalized_"):
        assert not hasattr(est, name)
    np.testing.assert_array_equal(est.mse_path_, engine)


@pytest.mark.parametrize("Est", [LassoCV, ElasticNetCV])
@pytest.mark.parametrize("gammas, err, msg", [
    ([], ValueError, "gammas must contain at least one value"),
    ([0.5, 1.5], ValueError, r"gammas\[1\] == 1.5, must be in \[0, 1\]"),
    ([-0.1], ValueError, r"gammas\[0\] == -0.1, must be in \[0, 1\]"),
    ([0.5, float("nan")], ValueError, r"gammas\[1\] == nan, must be in \[0, 1\]"),
    ([[0.5, 1.0]], ValueError, "gammas must be a non-empty 1-D array-like"),
    (0.5, ValueError, "gammas must be a non-empty 1-D array-like"),
    ("01", ValueError, "gammas must be a non-empty 1-D array-like"),
    ([0.5, "1"], TypeError, r"gammas\[1\] must be a real number, not str"),
])
def test_bad_gammas_raise(Est, gammas, err, msg):
    X, y = make_problem(n=30, p=5)
    with pytest.raises(err, match=msg):
        Est(relax=True, gammas=gammas, cv=2).fit(X, y)


def test_bad_relax_raises():
    X, y = make_problem(n=30, p=5)
    with pytest.raises(TypeError, match="relax must be a bool"):
        LassoCV(relax="yes", cv=2).fit(X, y)


# --------------------------------------------------------------------------
# path_: the whole data's path on the chosen grid
# --------------------------------------------------------------------------
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sw_kind", [None, "random"])
def test_path_is_the_whole_data_path(layout, fit_intercept, sw_kind):
    """path_ equals regularization_path on all the data with the chosen l1_ratio's
    grid, and the model is its column at alpha_ (certified there)."""
    import fastreg

    X, y = make_problem(n=80, p=25, seed=41)
    sw = make_sample_weight(80, sw_kind, seed=42)
    Xl = to_layout(X, layout, np.float64)
    est = ElasticNetCV(l1_ratio=[0.3, 0.9], cv=3, alphas=12, tol=1e-8,
                       fit_intercept=fit_intercept).fit(Xl, y, sample_weight=sw)
    k = [0.3, 0.9].index(est.l1_ratio_)
    np.testing.assert_array_equal(est.path_.alphas, est.alphas_[k])
    direct = fastreg.regularization_path(Xl, y, l1_ratio=est.l1_ratio_, alphas=est.alphas_[k],
                                         fit_intercept=fit_intercept, sample_weight=sw,
                                         tol=1e-8)
    np.testing.assert_allclose(est.path_.coefs, direct.coefs, rtol=0, atol=1e-12)
    np.testing.assert_allclose(est.path_.intercepts, direct.intercepts, rtol=0, atol=1e-12)
    assert est.path_.l1_ratio == est.l1_ratio_ and est.path_.fit_intercept == fit_intercept
    assert not est.path_.has_data  # an estimator keeps no reference to the data
    # path_ at alpha_ and the (cold) refit are both certified to the tolerance
    w = np.ones(80) if sw is None else sw
    yc = y - (np.average(y, weights=w) if fit_intercept else 0.0)
    for coef, b in ((est.coef_, est.intercept_),
                    (est.path_.coef(est.alpha_), est.path_.intercept(est.alpha_))):
        gap = ref.enet_duality_gap(X, y, coef, b, est.alpha_, est.l1_ratio_, sw,
                                   fit_intercept)
        assert gap <= 1e-7 * np.average(yc ** 2, weights=w)
    # exact refits need the data passed in
    with pytest.raises(ValueError, match="data"):
        est.path_.coef(est.alpha_ * 0.77, exact=True)
    a = est.alpha_ * 0.77
    refit = est.path_.coef(a, exact=True, X=Xl, y=y, sample_weight=sw)
    b = est.path_.intercept(a, exact=True, X=Xl, y=y, sample_weight=sw)
    # certified at the path's tolerance, as a direct fit is
    gap = ref.enet_duality_gap(X, y, refit, b, a, est.l1_ratio_, sw, fit_intercept)
    assert gap <= 1e-8 * np.average(yc ** 2, weights=w) * (1 + 1e-6)


def test_path_on_dask_input_equals_in_memory():
    pytest.importorskip("dask")
    import dask.array as da

    X, y = make_problem(n=90, p=12, seed=43)
    cv = KFold(3)
    mem = LassoCV(cv=cv, alphas=10, tol=1e-10).fit(X, y)
    dsk = LassoCV(cv=cv, alphas=10, tol=1e-10).fit(da.from_array(X, chunks=(30, 12)),
                                                   da.from_array(y, chunks=30))
    assert dsk.alpha_ == pytest.approx(mem.alpha_, rel=1e-12)
    np.testing.assert_allclose(dsk.path_.coefs, mem.path_.coefs, rtol=0, atol=1e-7)
    np.testing.assert_allclose(dsk.path_.intercepts, mem.path_.intercepts, rtol=0, atol=1e-7)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=0, atol=1e-7)
    assert not hasattr(LassoCV(cv=cv, alphas=10, store_path=False).fit(
        da.from_array(X, chunks=(30, 12)), da.from_array(y, chunks=30)), "path_")


def test_store_path_false_keeps_no_path_and_the_same_model():
    X, y = make_problem(n=60, p=12, seed=46)
    a = LassoCV(cv=3, alphas=10).fit(X, y)
    b = LassoCV(cv=3, alphas=10, store_path=False).fit(X, y)
    assert not hasattr(b, "path_") and hasattr(a, "path_")
    np.testing.assert_array_equal(a.coef_, b.coef_)
    assert a.alpha_ == b.alpha_ and a.intercept_ == b.intercept_


@pytest.mark.parametrize("Est", [LassoCV, ElasticNetCV])
def test_relaxed_sample_weight_is_repetition(Est):
    """Integer weights are repeated rows (zero: removed), folds by groups of
    distinct rows, in the interpolating regime too (p > n): the same errors,
    choice and model."""
    from sklearn.model_selection import GroupKFold

    rng = np.random.default_rng(31)
    n, p = 45, 60
    X = rng.standard_normal((n, p))
    y = X[:, :4] @ np.array([2.0, -1.0, 1.5, 1.0]) + 0.5 * rng.standard_normal(n)
    sw = rng.integers(0, 4, n)
    groups = np.arange(n) % 3
    kw = dict(alphas=20, relax=True, tol=1e-12, max_iter=100000)
    weighted = Est(cv=list(GroupKFold(3).split(X, y, groups)), **kw).fit(X, y, sample_weight=sw)
    Xr, yr, gr = X.repeat(sw, axis=0), y.repeat(sw), groups.repeat(sw)
    repeated = Est(cv=list(GroupKFold(3).split(Xr, yr, gr)), **kw).fit(Xr, yr)
    np.testing.assert_allclose(weighted.mse_path_, repeated.mse_path_, rtol=1e-7)
    assert weighted.alpha_ == pytest.approx(repeated.alpha_, rel=1e-12)  # grids: round-off
    assert weighted.gamma_ == repeated.gamma_
    np.testing.assert_allclose(weighted.coef_, repeated.coef_, rtol=0, atol=1e-7)


def _bounded_lsq(X, y, A, lower, upper):
    """(coef, intercept): scipy's bounded least squares on [X_A, 1], the
    intercept free."""
    from scipy.optimize import lsq_linear

    M = np.column_stack([X[:, A], np.ones(X.shape[0])])
    sol = lsq_linear(M, y, bounds=(np.append(lower[A], -np.inf), np.append(upper[A], np.inf)),
                     method="bvls", tol=1e-14).x
    coef = np.zeros(X.shape[1])
    coef[A] = sol[:-1]
    return coef, sol[-1]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_relaxed_keeps_the_box(layout):
    """relax=True with a general box: gamma = 0 is the bounded least squares
    on the support (scipy's lsq_linear), inside the box."""
    X, y = make_problem(n=80, p=20, seed=32)
    y = y + 3.0 * X[:, 0] - 2.0 * X[:, 1]
    lower, upper = np.full(20, -0.5), np.full(20, 0.8)
    lower[5:] = -np.inf
    est = LassoCV(cv=3, alphas=15, relax=True, gammas=[0.0], lower_bounds=lower,
                  upper_bounds=upper, tol=1e-10).fit(to_layout(X, layout), y)
    assert np.all(est.coef_ >= lower) and np.all(est.coef_ <= upper)
    assert np.any(est.coef_ == upper) or np.any(est.coef_ == lower)
    coef, b = _bounded_lsq(X, y, np.flatnonzero(est.coef_penalized_), lower, upper)
    np.testing.assert_allclose(est.coef_, coef, rtol=0, atol=1e-8)
    assert est.intercept_ == pytest.approx(b, abs=1e-8)


def test_relaxed_never_active_box_changes_nothing():
    X, y = make_problem(n=70, p=25, seed=33)
    cv = KFold(3)
    free = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=cv, alphas=15, relax=True).fit(X, y)
    boxed = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=cv, alphas=15, relax=True,
                         lower_bounds=-1e6, upper_bounds=1e6).fit(X, y)
    np.testing.assert_array_equal(boxed.mse_path_, free.mse_path_)
    assert (boxed.alpha_, boxed.l1_ratio_, boxed.gamma_) == (free.alpha_, free.l1_ratio_,
                                                             free.gamma_)
    np.testing.assert_array_equal(boxed.coef_, free.coef_)


def test_relaxed_refit_ignores_standardize():
    """standardize changes the penalised path (its supports), not the refit on
    a support: gamma = 0 is the plain least squares on it."""
    X, y = make_problem(n=70, p=25, seed=34)
    X = X * np.random.default_rng(35).uniform(0.1, 10.0, 25)
    sw = make_sample_weight(70, "random", seed=36)
    est = LassoCV(cv=3, alphas=15, relax=True, gammas=[0.0], standardize=True).fit(
        X, y, sample_weight=sw)
    w_ols, b_ols = _weighted_lstsq(X, y, sw, True, np.flatnonzero(est.coef_penalized_))
    np.testing.assert_allclose(est.coef_, w_ols, rtol=0, atol=1e-8)
    assert est.intercept_ == pytest.approx(b_ols, abs=1e-8)


@pytest.mark.parametrize("relax", [False, True])
@pytest.mark.parametrize("layout", ["dense", "csr"])
def test_keep_fold_paths(relax, layout):
    """fold_paths_: each fold's path equals the path solved on that fold's
    training part alone (same grid, same options); none unless asked."""
    import fastreg

    X, y = make_problem(n=60, p=15, seed=44)
    Xl = to_layout(X, layout, np.float64)
    folds = list(KFold(3).split(X))
    est = ElasticNetCV(l1_ratio=[0.5, 1.0], cv=folds, alphas=8, relax=relax,
                       keep_fold_paths=True).fit(Xl, y)
    assert len(est.fold_paths_) == 2 and all(len(per) == 3 for per in est.fold_paths_)
    for r, grid, per_ratio in zip([0.5, 1.0], est.alphas_, est.fold_paths_):
        for (train, _), path in zip(folds, per_ratio):
            direct = fastreg.regularization_path(Xl[train], y[train], l1_ratio=r,
                                                 alphas=grid)
            np.testing.assert_array_equal(path.alphas, grid)
            np.testing.assert_allclose(path.coefs, direct.coefs, rtol=0, atol=1e-12)
            np.testing.assert_allclose(path.intercepts, direct.intercepts, rtol=0,
                                       atol=1e-12)
            assert path.l1_ratio == r and not path.has_data
    single = LassoCV(cv=folds, alphas=8, keep_fold_paths=True).fit(Xl, y)
    assert len(single.fold_paths_) == 3 and single.fold_paths_[0].l1_ratio == 1.0
    assert not hasattr(LassoCV(cv=folds, alphas=8).fit(Xl, y), "fold_paths_")


def test_keep_fold_paths_on_dask_input():
    pytest.importorskip("dask")
    import dask.array as da

    X, y = make_problem(n=60, p=10, seed=45)
    folds = KFold(3)
    mem = LassoCV(cv=folds, alphas=8, tol=1e-10, keep_fold_paths=True).fit(X, y)
    dsk = LassoCV(cv=folds, alphas=8, tol=1e-10, keep_fold_paths=True).fit(
        da.from_array(X, chunks=(20, 10)), da.from_array(y, chunks=20))
    for a, b in zip(mem.fold_paths_, dsk.fold_paths_):
        np.testing.assert_allclose(b.coefs, a.coefs, rtol=0, atol=1e-7)
        np.testing.assert_allclose(b.intercepts, a.intercepts, rtol=0, atol=1e-7)
    assert not hasattr(LassoCV(cv=folds, alphas=8).fit(da.from_array(X, chunks=(20, 10)),
                                                       da.from_array(y, chunks=20)),
                       "fold_paths_")


@pytest.mark.parametrize("route", ["memory", "dask"])
@pytest.mark.parametrize("standardize", [False, True])
def test_path_with_box_refits_the_box_problem(route, standardize):
    """path_ carries the box and the standardisation: its exact refits solve the
    box problem, as ElasticNet(lower_bounds=..., ...) does, both certified by
    the box problem's KKT conditions and the reference's optimum."""
    import fastreg

    rng = np.random.default_rng(44)
    X = rng.standard_normal((120, 9)) * rng.uniform(0.3, 3.0, 9) + 1.0
    y = X[:, :4] @ np.array([2.0, -1.5, 1.0, 0.5]) + rng.standard_normal(120)
    lower = np.where(np.arange(9) % 2 == 0, -0.5, -np.inf)
    upper = np.where(np.arange(9) < 2, 0.6, np.inf)
    kw = dict(l1_ratio=0.7, cv=KFold(3), alphas=8, lower_bounds=lower, upper_bounds=upper,
              standardize=standardize, tol=1e-11, max_iter=100000)
    Xf, yf = X, y
    if route == "dask":
        da = pytest.importorskip("dask.array")
        Xf, yf = da.from_array(X, chunks=(40, 9)), da.from_array(y, chunks=40)
    est = ElasticNetCV(**kw).fit(Xf, yf)
    prm = est.path_.params
    np.testing.assert_array_equal(prm["lower_bounds"], lower)
    np.testing.assert_array_equal(prm["upper_bounds"], upper)
    assert prm["standardize"] is standardize
    a = est.alpha_ * 0.77
    w = est.path_.coef(a, exact=True, X=Xf, y=yf)
    b = est.path_.intercept(a, exact=True, X=Xf, y=yf)
    direct = fastreg.ElasticNet(alpha=a, l1_ratio=0.7, lower_bounds=lower,
                                upper_bounds=upper, standardize=standardize, tol=1e-11,
                                max_iter=100000).fit(X, y)
    d = ref.standard_deviations(X) if standardize else None
    w_ref, b_ref, _ = ref.enet_box_coordinate_descent(X, y, a, 0.7, None, True, None, lower,
                                                      upper, standardize, tol=1e-14)
    opt = ref.enet_box_objective(X, y, w_ref, b_ref, a, 0.7, None, None, lower, upper, d)
    for coef, icpt in ((w, b), (direct.coef_, direct.intercept_)):
        assert np.all(coef >= lower) and np.all(coef <= upper)
        assert ref.enet_box_kkt_violation(X, y, coef, icpt, a, 0.7, None, True, None, lower,
                                          upper, d) < 1e-6
        obj = ref.enet_box_objective(X, y, coef, icpt, a, 0.7, None, None, lower, upper, d)
        assert obj - opt <= 1e-11 * np.var(y) + 1e-12 * opt
    assert np.any(w == lower) or np.any(w == upper)  # the box is active there
    np.testing.assert_allclose(w, direct.coef_, rtol=0, atol=1e-6)
