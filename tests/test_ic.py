"""LassoIC and ElasticNetIC (fastreg._ic): agreement with scikit-learn's
LassoLarsIC on the diabetes data, criterion_ against a brute-force
computation from enet_path, the noise variance (least squares; the
cross-validation estimate where LassoLarsIC raises), layouts, dtypes,
weights, penalty factors, positivity, Dask, parameter errors."""
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LassoLarsIC
from sklearn.utils.estimator_checks import parametrize_with_checks

from fastreg import ElasticNetIC, LassoIC, RegularizationPath, enet_path
from fastreg import reference as ref
from fastreg.datasets import load_diabetes

from conftest import (assert_unchanged, centred_weighted, make_problem, make_sample_weight,
                      snapshot, to_layout)

WEIGHT_EQUIVALENCE = (
    "Integer sample weights are not repetitions: the criterion's effective sample "
    "size is Kish's (sum w)^2 / sum w^2, invariant to rescaling the weights as the "
    "fit is, whereas repeated rows increase n_samples.")


def expected_failed_checks(estimator):
    return {"check_sample_weight_equivalence_on_dense_data": WEIGHT_EQUIVALENCE,
            "check_sample_weight_equivalence_on_sparse_data": WEIGHT_EQUIVALENCE}


@parametrize_with_checks([LassoIC(), ElasticNetIC()],
                         expected_failed_checks=expected_failed_checks)
def test_sklearn_compatible_ic_estimator(estimator, check):
    check(estimator)


def _diabetes():
    X, y, _ = load_diabetes()
    return X, y


def _wide(seed, n=100, p=300, sigma=1.0):
    """n < p, 5 true features, Gaussian noise of variance sigma^2."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    w = np.zeros(p)
    w[:5] = [3.0, -2.0, 2.0, 1.5, -1.0]
    noise = sigma * rng.standard_normal(n)
    return X, X @ w + noise, noise


def _quiet(est, *args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(*args, **kw)


# ---------------------------------------------------------------------------
# scikit-learn's LassoLarsIC
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("criterion", ["aic", "bic"])
def test_diabetes_alpha_matches_lasso_lars_ic(criterion):
    """Same alpha up to the grid (LARS evaluates the criterion at its knots,
    fastreg on its grid: the alphas differ by at most one grid step), same
    noise variance; at LARS's own knots, the same likelihood term, and degrees
    of freedom that are LARS's plus the intercept (plus at most the variable
    entering at that very knot, zero in LARS, round-off in coordinate
    descent)."""
    X, y = _diabetes()
    lars = LassoLarsIC(criterion=criterion).fit(X, y)
    est = LassoIC(criterion=criterion, eps=1e-4, tol=1e-8, max_iter=10000).fit(X, y)
    step = np.log(est.alphas_[0] / est.alphas_[1])
    assert abs(np.log(est.alpha_ / lars.alpha_)) <= step
    assert est.noise_variance_ == pytest.approx(lars.noise_variance_, rel=1e-10)
    mask = (lars.alphas_ > 0) & (lars.alphas_ < lars.alphas_[0])
    at = LassoIC(criterion=criterion, alphas=lars.alphas_[mask], tol=1e-12,
                 max_iter=100000).fit(X, y)
    k = 2.0 if criterion == "aic" else np.log(X.shape[0])
    from sklearn.linear_model import lars_path
    Xc, yc = X - X.mean(axis=0), y - y.mean()
    _, _, path = lars_path(Xc, yc, method="lasso", alpha_min=0.0)
    df_lars = np.sum(np.abs(path) > np.finfo(float).eps, axis=0)[mask]
    extra = at.df_ - 1 - df_lars
    assert set(np.unique(extra)) <= {0.0, 1.0}
    np.testing.assert_allclose(at.criterion_ - k * at.df_,
                               lars.criterion_[mask] - k * df_lars, rtol=1e-8)


def test_wide_data_where_lasso_lars_ic_raises():
    X, y, _ = _wide(0)
    with pytest.raises(ValueError, match="number of samples is smaller"):
        LassoLarsIC().fit(X, y)
    est = LassoIC().fit(X, y)
    assert 0 < est.alpha_ < est.alphas_[0]
    assert 5 <= np.count_nonzero(est.coef_) < X.shape[0]
    assert np.all(est.coef_[:5] != 0)


def test_wide_noise_variance_near_truth():
    """Reid et al.'s estimate on n=100, p=300, 5 true features, sigma=1: for the
    Lasso (the setting of their study) within a factor 1.5 of the noise's own
    sample variance (the oracle) for every seed; for Lasso and Elastic-Net,
    unbiased to 20% on the geometric mean of the ratios."""
    ratios = []
    for seed in range(6):
        X, y, noise = _wide(seed)
        oracle = np.var(noise, ddof=1)
        s2 = LassoIC().fit(X, y).noise_variance_
        assert 1 / 1.5 < s2 / oracle < 1.5, (seed, s2, oracle)
        s2_enet = ElasticNetIC(l1_ratio=0.9).fit(X, y).noise_variance_
        assert s2_enet > 0
        ratios += [s2 / oracle, s2_enet / oracle]
    assert abs(np.mean(np.log(ratios))) < np.log(1.2)


def test_wide_noise_variance_is_reids_formula():
    """RSS(alpha_cv) / (n - nnz(alpha_cv) - 1) with alpha_cv chosen by 5-fold CV
    on the same grid (fastreg.LassoCV with that grid chooses the same alpha)."""
    from fastreg import LassoCV
    X, y, _ = _wide(3)
    est = LassoIC(tol=1e-10).fit(X, y)
    cv = LassoCV(alphas=est.alphas_, cv=5, tol=1e-10).fit(X, y)
    r = y - cv.predict(X)
    expected = (r @ r) / (X.shape[0] - np.count_nonzero(cv.coef_) - 1)
    assert est.noise_variance_ == pytest.approx(expected, rel=1e-6)


# ---------------------------------------------------------------------------
# brute force from the path
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("criterion", ["aic", "bic", "ebic"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sample_weight", [None, "random"])
def test_criterion_equals_brute_force(criterion, l1_ratio, sample_weight):
    X, y = make_problem(n=80, p=10, seed=2)
    n, p = X.shape
    sw = make_sample_weight(n, sample_weight)
    est = ElasticNetIC(l1_ratio=l1_ratio, criterion=criterion, alphas=30, tol=1e-10,
                       ebic_gamma=0.7).fit(X, y, sample_weight=sw)
    alphas, coefs, gaps = enet_path(X, y, l1_ratio=l1_ratio, alphas=est.alphas_,
                                    fit_intercept=True, sample_weight=sw, tol=1e-10)
    # NumPy: the weights rescaled to sum to n_eff, the intercept from the means
    n_eff = n if sw is None else sw.sum() ** 2 / (sw @ sw)
    s = np.ones(n) if sw is None else sw * n_eff / sw.sum()
    Xt, yt, _, _ = centred_weighted(X, y, s)
    rss = np.sum((yt[:, None] - Xt @ coefs) ** 2, axis=0)
    ols = np.linalg.lstsq(Xt, yt, rcond=None)[0]
    sigma2 = np.sum((yt - Xt @ ols) ** 2) / (n_eff - p - 1)
    Xn = Xt * np.sqrt(n / n_eff)  # the fit's units: weights summing to n
    df = np.empty(len(alphas))
    nnz = (coefs != 0).sum(axis=0)
    for k, alpha in enumerate(alphas):
        A = np.flatnonzero(coefs[:, k])
        XA = Xn[:, A]
        l2 = n * alpha * (1 - l1_ratio)
        df[k] = 1 + (A.size if l1_ratio == 1 else
                     np.trace(XA @ np.linalg.pinv(XA.T @ XA + l2 * np.eye(A.size)) @ XA.T))
    kf = 2.0 if criterion == "aic" else np.log(n_eff)
    crit = n_eff * np.log(2 * np.pi * sigma2) + rss / sigma2 + kf * df
    if criterion == "ebic":
        from scipy.special import comb
        crit = crit + 2 * 0.7 * np.log(comb(p, nnz))
    assert est.noise_variance_ == pytest.approx(sigma2, rel=1e-9)
    np.testing.assert_allclose(est.df_, df, rtol=1e-7)
    np.testing.assert_allclose(est.criterion_, crit, rtol=1e-9)
    j = int(np.argmin(crit))
    assert est.alpha_ == alphas[j]
    np.testing.assert_array_equal(est.coef_, coefs[:, j])
    assert est.dual_gap_ == pytest.approx(gaps[j])
    assert est.n_eff_ == pytest.approx(n_eff)
    # path_ is that path: coef_ and intercept_ are its column at alpha_
    assert isinstance(est.path_, RegularizationPath)
    np.testing.assert_array_equal(est.path_.alphas, est.alphas_)
    np.testing.assert_array_equal(est.path_.coefs, coefs)
    np.testing.assert_array_equal(est.path_.coef(est.alpha_), est.coef_)
    assert est.path_.intercept(est.alpha_) == pytest.approx(est.intercept_, rel=1e-12)
    assert est.predict(X) == pytest.approx(est.path_.predict(X, est.alpha_), rel=1e-12)


def test_given_noise_variance_and_first_on_ties():
    X, y = make_problem(n=60, p=8, seed=7)
    est = LassoIC(noise_variance=2.5, alphas=20).fit(X, y)
    assert est.noise_variance_ == 2.5
    # identical alphas tie: the first one is chosen
    tied = LassoIC(noise_variance=2.5, alphas=[est.alpha_] * 3).fit(X, y)
    assert tied.alpha_ == est.alpha_ and np.argmin(tied.criterion_) == 0


# ---------------------------------------------------------------------------
# layouts, dtypes, weights, options
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["dense", "csc", "csr"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("sample_weight", [None, "random"])
@pytest.mark.parametrize("shape", [(60, 10), (30, 45)])
def test_layouts_dtypes_agree(layout, dtype, fit_intercept, sample_weight, shape):
    X, y = make_problem(n=shape[0], p=shape[1], seed=11, density=0.5)
    sw = make_sample_weight(shape[0], sample_weight)
    kw = dict(l1_ratio=0.8, fit_intercept=fit_intercept, alphas=25)
    base = ElasticNetIC(tol=1e-12, max_iter=100000, **kw).fit(X, y, sample_weight=sw)
    Xl = to_layout(X, layout, dtype=dtype)
    before = snapshot(Xl)
    tol = 1e-12 if dtype == np.float64 else 1e-7
    est = _quiet(ElasticNetIC(tol=tol, max_iter=100000, **kw), Xl, y.astype(dtype),
                 sample_weight=sw)
    assert_unchanged(before, Xl)
    assert est.coef_.dtype == dtype
    # the fits are certified on the objective, not on the RSS: 1e-6 at float64
    rtol = 1e-6 if dtype == np.float64 else 2e-3
    assert est.noise_variance_ == pytest.approx(base.noise_variance_, rel=rtol)
    np.testing.assert_allclose(est.alphas_, base.alphas_, rtol=rtol)
    # float32 round-off can leave a coefficient at the edge of the active set
    # zero in one fit and not the other: compare where the active sets agree
    same = np.abs(est.df_ - base.df_) < (1e-6 if dtype == np.float64 else 1e-2)
    assert same.mean() >= (1.0 if dtype == np.float64 else 0.9)
    np.testing.assert_allclose(est.criterion_[same], base.criterion_[same], rtol=rtol)
    if dtype == np.float64:
        assert est.alpha_ == pytest.approx(base.alpha_, rel=1e-10)
        np.testing.assert_allclose(est.coef_, base.coef_, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("shape", [(60, 10), (30, 45)])
def test_uniform_weights_equal_no_weights(shape):
    X, y = make_problem(n=shape[0], p=shape[1], seed=12)
    a = ElasticNetIC(l1_ratio=0.7, tol=1e-12).fit(X, y)
    b = ElasticNetIC(l1_ratio=0.7, tol=1e-12).fit(X, y, sample_weight=np.full(shape[0], 3.7))
    assert b.n_eff_ == a.n_eff_ == shape[0]
    assert b.alpha_ == pytest.approx(a.alpha_, rel=1e-12)
    assert b.noise_variance_ == pytest.approx(a.noise_variance_, rel=1e-8)
    np.testing.assert_allclose(b.criterion_, a.criterion_, rtol=1e-9)
    np.testing.assert_allclose(b.coef_, a.coef_, rtol=1e-7, atol=1e-10)


def test_zero_weights_reduce_effective_size():
    X, y = make_problem(n=60, p=8, seed=13)
    sw = make_sample_weight(60, "with_zeros")
    est = LassoIC().fit(X, y, sample_weight=sw)
    pos = sw > 0
    assert est.n_eff_ == pytest.approx(sw[pos].sum() ** 2 / (sw[pos] @ sw[pos]))
    assert est.n_eff_ < np.count_nonzero(pos)


@pytest.mark.parametrize("positive", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.6])
def test_penalty_factor_and_positive_kkt(positive, l1_ratio):
    """The chosen column is the solution of its problem (KKT of the reference,
    weighted), with penalty factors and positivity; the factors reach the
    path (the unpenalised features are in the model at alpha_max already)."""
    X, y = make_problem(n=70, p=12, seed=14, positive_truth=positive, density=1.0)
    sw = make_sample_weight(70, "random")
    pf = np.r_[0.0, 0.0, np.linspace(0.5, 2.0, 10)]
    est = ElasticNetIC(l1_ratio=l1_ratio, positive=positive, penalty_factor=pf,
                       tol=1e-12, max_iter=100000).fit(X, y, sample_weight=sw)
    first = enet_path(X, y, l1_ratio=l1_ratio, alphas=est.alphas_[:1], fit_intercept=True,
                      sample_weight=sw, penalty_factor=pf, positive=positive)[1][:, 0]
    assert np.count_nonzero(first[2:]) == 0 and np.count_nonzero(first[:2]) > 0
    if positive:
        assert np.all(est.coef_ >= 0)
    viol = ref.enet_kkt_violation(X, y, est.coef_, est.intercept_, est.alpha_, l1_ratio,
                                  sample_weight=sw, positive=positive, penalty_factor=pf)
    assert viol < 1e-6 * np.abs(y).max()


def test_copy_x_false_with_cv_noise():
    """copy_X=False cannot centre X in place when the folds need it: the result
    is that of copy_X=True."""
    X, y, _ = _wide(1, n=40, p=60)
    Xf = np.asfortranarray(X)
    a = LassoIC().fit(X, y)
    b = LassoIC(copy_X=False).fit(Xf, y)
    assert b.noise_variance_ == pytest.approx(a.noise_variance_, rel=1e-10)


def test_tiny_data_never_raise():
    rng = np.random.default_rng(0)
    for n, p in [(1, 3), (2, 3), (3, 10), (4, 4)]:
        X, y = rng.standard_normal((n, p)), rng.standard_normal(n)
        est = LassoIC().fit(X, y)
        assert np.isfinite(est.criterion_).all() and est.noise_variance_ > 0
    # constant y: a positive floor, finite criteria
    est = LassoIC().fit(rng.standard_normal((20, 5)), np.full(20, 3.0))
    assert est.noise_variance_ > 0 and np.isfinite(est.criterion_).all()


# ---------------------------------------------------------------------------
# parameters
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("params, match", [
    (dict(criterion="foo"), "criterion"),
    (dict(noise_variance=0.0), "noise_variance"),
    (dict(noise_variance=-1.0), "noise_variance"),
    (dict(ebic_gamma=-0.1), "ebic_gamma"),
    (dict(noise_cv=1), "noise_cv"),
    (dict(eps=0.0), "eps"),
    (dict(l1_ratio=1.5), "l1_ratio"),
])
def test_bad_parameters(params, match):
    X, y = make_problem(n=30, p=5)
    with pytest.raises(ValueError, match=match):
        ElasticNetIC(**params).fit(X, y)


# ---------------------------------------------------------------------------
# Dask
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("layout", ["dense", "sparse"])
@pytest.mark.parametrize("sample_weight", [None, "random"])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
def test_dask_equals_in_memory(layout, sample_weight, l1_ratio):
    pytest.importorskip("dask")
    import dask
    from dask_common import problem, to_dask

    X, y = problem(seed=3, shift=2.0)
    sw = make_sample_weight(X.shape[0], sample_weight)
    pf = np.r_[0.0, np.ones(X.shape[1] - 1)]
    kw = dict(l1_ratio=l1_ratio, criterion="bic", tol=1e-10, penalty_factor=pf)
    mem = ElasticNetIC(**kw).fit(X, y, sample_weight=sw)
    with dask.config.set(scheduler="threads"):
        dsk = ElasticNetIC(**kw).fit(to_dask(X, layout), y, sample_weight=sw)
    assert dsk.alpha_ == pytest.approx(mem.alpha_, rel=1e-10)
    assert dsk.noise_variance_ == pytest.approx(mem.noise_variance_, rel=1e-8)
    assert dsk.n_eff_ == pytest.approx(mem.n_eff_, rel=1e-12)
    np.testing.assert_allclose(dsk.df_, mem.df_, rtol=1e-8)
    np.testing.assert_allclose(dsk.criterion_, mem.criterion_, rtol=1e-8)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-7, atol=1e-9)
    assert dsk.intercept_ == pytest.approx(mem.intercept_, rel=1e-7)
    np.testing.assert_allclose(dsk.path_.coefs, mem.path_.coefs, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dsk.path_.intercepts, mem.path_.intercepts, rtol=1e-7)


def test_dask_wide_needs_noise_variance():
    pytest.importorskip("dask")
    import dask.array as da

    X, y, _ = _wide(0, n=30, p=40)
    Xd = da.from_array(X, chunks=(10, 40))
    with pytest.raises(ValueError, match="noise_variance"):
        LassoIC().fit(Xd, y)
    est = LassoIC(noise_variance=1.0).fit(Xd, y)
    mem = LassoIC(noise_variance=1.0).fit(X, y)
    assert est.alpha_ == pytest.approx(mem.alpha_, rel=1e-10)


# ---------------------------------------------------------------------------
# box constraints and standardisation
# ---------------------------------------------------------------------------

def _box_problem(seed=50, n=80, p=10):
    """Columns on different scales, a signal the box cuts."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p)) * rng.uniform(0.3, 3.0, p) + rng.uniform(-1, 2, p)
    y = X[:, :5] @ np.array([2.0, -1.5, 1.0, 0.8, -0.6]) + rng.standard_normal(n)
    lower = np.where(np.arange(p) % 3 == 0, -0.3, -np.inf)
    upper = np.where(np.arange(p) < 2, 0.4, np.inf)
    return X, y, lower, upper


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("standardize", [False, True])
@pytest.mark.parametrize("sample_weight", [None, "random"])
def test_box_criterion_equals_brute_force(l1_ratio, standardize, sample_weight):
    """The criterion from enet_path with the same box, in NumPy: degrees of
    freedom over the free active set (non-zero, not at a bound), for the
    Elastic-Net the ridge hat trace of the explicitly standardised free
    columns (pf = 1 there); the least-squares noise variance of the
    unconstrained model."""
    X, y, lower, upper = _box_problem()
    n, p = X.shape
    sw = make_sample_weight(n, sample_weight)
    box = dict(lower_bounds=lower, upper_bounds=upper, standardize=standardize)
    est = ElasticNetIC(l1_ratio=l1_ratio, alphas=25, tol=1e-11, max_iter=100000,
                       **box).fit(X, y, sample_weight=sw)
    alphas, coefs, _ = enet_path(X, y, l1_ratio=l1_ratio, alphas=est.alphas_,
                                 fit_intercept=True, sample_weight=sw, tol=1e-11,
                                 max_iter=100000, **box)
    np.testing.assert_array_equal(est.path_.coefs, coefs)
    n_eff = n if sw is None else sw.sum() ** 2 / (sw @ sw)
    s = np.ones(n) if sw is None else sw * n_eff / sw.sum()
    Xt, yt, _, _ = centred_weighted(X, y, s)
    d = np.sqrt(np.sum(Xt ** 2, axis=0) / n_eff) if standardize else np.ones(p)
    Xn = Xt * np.sqrt(n / n_eff) / d           # the fit's units, standardised
    ols = np.linalg.lstsq(Xt, yt, rcond=None)[0]
    sigma2 = np.sum((yt - Xt @ ols) ** 2) / (n_eff - p - 1)
    at_bound = (coefs == lower[:, None]) | (coefs == upper[:, None])
    assert at_bound[:, -1].any()                 # the box binds on this path
    df = np.empty(len(alphas))
    for k, alpha in enumerate(alphas):
        F = np.flatnonzero((coefs[:, k] != 0) & ~at_bound[:, k])
        XF = Xn[:, F]
        l2 = n * alpha * (1 - l1_ratio)
        df[k] = 1 + (F.size if l1_ratio == 1 else
                     np.trace(XF @ np.linalg.pinv(XF.T @ XF + l2 * np.eye(F.size)) @ XF.T))
    rss = np.sum((yt[:, None] - Xt @ coefs) ** 2, axis=0)
    crit = n_eff * np.log(2 * np.pi * sigma2) + rss / sigma2 + np.log(n_eff) * df
    assert est.noise_variance_ == pytest.approx(sigma2, rel=1e-9)
    np.testing.assert_allclose(est.df_, df, rtol=1e-7)
    np.testing.assert_allclose(est.criterion_, crit, rtol=1e-9)
    assert est.alpha_ == alphas[int(np.argmin(crit))]
    # the chosen column solves the box problem (the reference's KKT conditions)
    scale = ref.standard_deviations(X, sw) if standardize else None
    assert ref.enet_box_kkt_violation(X, y, est.coef_, est.intercept_, est.alpha_,
                                      l1_ratio, sw, True, None, lower, upper,
                                      scale) < 1e-6
    # path_ carries the box: its exact refits solve the box problem
    prm = est.path_.params
    np.testing.assert_array_equal(prm["lower_bounds"], lower)
    assert prm["standardize"] is standardize
    a = np.sqrt(est.alphas_[5] * est.alphas_[6])
    w = est.path_.coef(a, exact=True, X=X, y=y, sample_weight=sw)
    b = est.path_.intercept(a, exact=True, X=X, y=y, sample_weight=sw)
    assert ref.enet_box_kkt_violation(X, y, w, b, a, l1_ratio, sw, True, None, lower,
                                      upper, scale) < 1e-6


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("standardize", [False, True])
def test_box_degrees_of_freedom_are_the_divergence(l1_ratio, standardize):
    """df is the divergence of the fitted values in y (Stein's lemma's
    quantity; Tibshirani & Taylor 2012): by central finite differences at a
    fixed alpha, where the free and bound sets do not change, the sum of
    d yhat_i / d y_i equals the reported df (coefficients at a bound count 0,
    the intercept 1)."""
    import fastreg

    X, y, lower, upper = _box_problem(seed=51, n=40)
    box = dict(lower_bounds=lower, upper_bounds=upper, standardize=standardize)
    est = ElasticNetIC(l1_ratio=l1_ratio, alphas=20, tol=1e-13, max_iter=100000,
                       **box).fit(X, y)
    C = est.path_.coefs
    bound = (C == lower[:, None]) | (C == upper[:, None])
    free = (C != 0) & ~bound
    k = int(np.flatnonzero(bound.any(axis=0) & (free.sum(axis=0) >= 2))[0])
    alpha = est.alphas_[k]
    fit = fastreg.ElasticNet(alpha=alpha, l1_ratio=l1_ratio, tol=1e-15, max_iter=1000000,
                             **box)
    base = _quiet(fit, X, y).coef_.copy()
    assert np.any(base == lower) or np.any(base == upper)
    h, div = 1e-6, 0.0
    for i in range(X.shape[0]):
        e = np.zeros(X.shape[0])
        e[i] = h
        up = _quiet(fit, X, y + e)           # refitted in place: read it first
        assert np.array_equal(up.coef_ == 0, base == 0)
        assert np.array_equal((up.coef_ == lower) | (up.coef_ == upper),
                              (base == lower) | (base == upper))
        yp = up.predict(X)[i]
        down = _quiet(fit, X, y - e)
        div += (yp - down.predict(X)[i]) / (2 * h)
    assert div == pytest.approx(est.df_[k], abs=1e-4)


def test_box_lower_zero_is_positive_and_never_active_is_plain():
    X, y, _, _ = _box_problem(seed=52)
    a = LassoIC(lower_bounds=0.0, tol=1e-10).fit(X, y)
    b = LassoIC(positive=True, tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(a.criterion_, b.criterion_)
    np.testing.assert_array_equal(a.coef_, b.coef_)
    c = LassoIC(lower_bounds=-1e6, upper_bounds=1e6, tol=1e-10).fit(X, y)
    d = LassoIC(tol=1e-10).fit(X, y)
    np.testing.assert_array_equal(c.criterion_, d.criterion_)
    np.testing.assert_array_equal(c.df_, d.df_)


def test_box_bad_parameters():
    X, y, _, _ = _box_problem(seed=53)
    with pytest.raises(ValueError, match="lower_bounds must be <= 0"):
        LassoIC(lower_bounds=1.0).fit(X, y)
    with pytest.raises(ValueError, match="upper_bounds"):
        LassoIC(upper_bounds=np.ones(3)).fit(X, y)
    with pytest.raises(ValueError, match="positive=True means lower_bounds=0"):
        ElasticNetIC(positive=True, lower_bounds=-1.0).fit(X, y)
    with pytest.raises(TypeError, match="standardize"):
        LassoIC(standardize="yes").fit(X, y)


@pytest.mark.parametrize("l1_ratio", [1.0, 0.5])
@pytest.mark.parametrize("sample_weight", [None, "random"])
def test_box_dask_equals_in_memory(l1_ratio, sample_weight):
    pytest.importorskip("dask")
    import dask
    from dask_common import to_dask

    X, y, lower, upper = _box_problem(seed=54, n=200)
    sw = make_sample_weight(X.shape[0], sample_weight)
    kw = dict(l1_ratio=l1_ratio, tol=1e-11, max_iter=100000, lower_bounds=lower,
              upper_bounds=upper, standardize=True)
    mem = ElasticNetIC(**kw).fit(X, y, sample_weight=sw)
    with dask.config.set(scheduler="sync"):
        dsk = ElasticNetIC(**kw).fit(to_dask(X, chunks=50), y, sample_weight=sw)
    assert dsk.alpha_ == pytest.approx(mem.alpha_, rel=1e-10)
    np.testing.assert_allclose(dsk.df_, mem.df_, rtol=1e-8)
    np.testing.assert_allclose(dsk.criterion_, mem.criterion_, rtol=1e-8)
    np.testing.assert_allclose(dsk.coef_, mem.coef_, rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(dsk.path_.params["upper_bounds"], upper)
    assert (mem.path_.coefs == upper[:, None]).any()   # the box binds
